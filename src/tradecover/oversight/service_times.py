"""Claim service times in a period: median, 90th percentile and share within the service level, by insurer.

The claims measured are those filed in the period (as `claims.service_levels` does); the arithmetic is
`claims.rules.service_levels.summarise`. The distribution of days from filing to payment counts the
claims wholly paid in the period, in buckets of 0–10, 11–20, 21–30, 31–40, 41–60 and over 60 days.
Only date columns are read, never the claims' documents.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.claims.model import Claim
from tradecover.claims.rules.service_levels import ClaimTimes, ServiceLevelSummary, summarise
from tradecover.oversight.claims import organisation_names, within
from tradecover.oversight.period import Period
from tradecover.oversight.scope import EXEMPT, Scope

# (label, lowest day, highest day or None for no bound)
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–10", 0, 10),
    ("11–20", 11, 20),
    ("21–30", 21, 30),
    ("31–40", 31, 40),
    ("41–60", 41, 60),
    (">60", 61, None),
)


@dataclass(frozen=True, slots=True)
class ServiceTimes:
    """The service-level measures of one insurer's claims (insurer None: all insurers in scope)."""

    insurer_id: uuid.UUID | None
    insurer_name: str
    summary: ServiceLevelSummary


def service_times(session: Session, scope: Scope, period: Period) -> list[ServiceTimes]:
    """Service times of the claims filed in the period: all insurers first, then each insurer by name."""
    rows = session.execute(
        select(
            Claim.insurer_id,
            Claim.filed_on,
            Claim.documents_complete_on,
            Claim.decision_deadline,
            Claim.decided_on,
            Claim.payment_deadline,
            Claim.paid_on,
        )
        .where(within(Claim.filed_on, period), scope.restrict(Claim.policy_id))
        .execution_options(**EXEMPT)
    ).all()
    everyone: list[ClaimTimes] = []
    by_insurer: dict[uuid.UUID, list[ClaimTimes]] = defaultdict(list)
    for insurer, filed_on, documents_on, decision_deadline, decided_on, payment_deadline, paid_on in rows:
        times = ClaimTimes(filed_on, documents_on, decision_deadline, decided_on, payment_deadline, paid_on)
        everyone.append(times)
        by_insurer[insurer].append(times)
    names = organisation_names(session, by_insurer)
    found = [ServiceTimes(None, "All insurers", summarise(everyone))]
    for insurer in sorted(by_insurer, key=lambda i: (names.get(i, ""), str(i))):
        found.append(ServiceTimes(insurer, names.get(insurer, str(insurer)), summarise(by_insurer[insurer])))
    return found


def bucket_of(days: int) -> str:
    """The histogram bucket a number of days falls in."""
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return BUCKETS[0][0]


def payment_days(session: Session, scope: Scope, period: Period) -> tuple[tuple[str, int], ...]:
    """How many claims paid in the period took each bucket of days from filing to payment."""
    # Grouped by both dates (few distinct pairs), bucketed here: the same on either backend.
    rows = session.execute(
        select(Claim.filed_on, Claim.paid_on, func.count(Claim.id))
        .where(within(Claim.paid_on, period), scope.restrict(Claim.policy_id))
        .group_by(Claim.filed_on, Claim.paid_on)
        .execution_options(**EXEMPT)
    ).all()
    found: dict[str, int] = {label: 0 for label, _, _ in BUCKETS}
    for filed_on, paid_on, count in rows:
        if paid_on is None:
            continue
        days = (paid_on - filed_on).days
        found[bucket_of(days)] += int(count)
    return tuple((label, found[label]) for label, _, _ in BUCKETS)
