"""Swift claims: how fast claims are handled, per insurer and subsidy programme.

For the claims filed in a date range that the session sees: days from filing to complete documents, to
the decision and to payment (median, 90th percentile, share within the service level), by insurer, and
within each insurer by the subsidy programme its policyholders are enrolled in (a firm enrolled in two
programmes counts in both). The arithmetic is `claims.rules.service_levels.summarise`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.claims.model import Claim
from tradecover.claims.rules.service_levels import ClaimTimes, ServiceLevelSummary, summarise
from tradecover.clock import get_clock
from tradecover.errors import ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.subsidies.model import Enrolment, SubsidyProgramme

MAX_RANGE_DAYS = 3660


@dataclass(frozen=True, slots=True)
class ServiceLevelRow:
    """The measures for one insurer, over all its claims (no programme) or one programme's."""

    insurer_id: uuid.UUID
    insurer_name: str
    programme_id: uuid.UUID | None
    programme_name: str | None
    summary: ServiceLevelSummary

    def to_json(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "insurer_id": str(self.insurer_id),
            "insurer_name": self.insurer_name,
            "programme_id": None if self.programme_id is None else str(self.programme_id),
            "programme_name": self.programme_name,
            **self.summary.to_json(),
        }


def times_of(claim: Claim) -> ClaimTimes:
    """The dates of a claim that the service levels measure."""
    return ClaimTimes(
        filed_on=claim.filed_on,
        documents_complete_on=claim.documents_complete_on,
        decision_deadline=claim.decision_deadline,
        decided_on=claim.decided_on,
        payment_deadline=claim.payment_deadline,
        paid_on=claim.paid_on,
    )


def _date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("must be a date", field=field)
    return value


def _range(first: object, last: object) -> tuple[dt.date, dt.date]:
    date_from, date_to = _date(first, "date_from"), _date(last, "date_to")
    if date_to < date_from:
        raise ValidationError(f"must not be before {date_from}", field="date_to")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise ValidationError("ask for at most ten years at a time", field="date_to")
    return date_from, date_to


def _names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(ids))
        .execution_options(tenant_exempt=True)
    ).all()
    return {row[0]: row[1] for row in rows}


def _programmes(session: Session, holders: set[uuid.UUID]) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """The programmes each policyholder is enrolled in (names only: grouping, not the programmes' data)."""
    if not holders:
        return {}
    rows = session.execute(
        select(Enrolment.policyholder_id, SubsidyProgramme.id, SubsidyProgramme.name)
        .join(SubsidyProgramme, SubsidyProgramme.id == Enrolment.programme_id)
        .where(Enrolment.policyholder_id.in_(holders))
        .order_by(SubsidyProgramme.name)
        .execution_options(tenant_exempt=True)
    ).all()
    found: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    for holder, programme_id, name in rows:
        found[holder].append((programme_id, name))
    return found


def service_levels(
    session: Session,
    actor: Actor,
    *,
    insurer_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    date_from: dt.date,
    date_to: dt.date,
) -> list[ServiceLevelRow]:
    """Service times of the claims filed from `date_from` to `date_to` that the session sees."""
    del actor  # the session's tenancy decides which claims are measured
    first, last = _range(date_from, date_to)
    query = select(Claim).where(Claim.filed_on >= first, Claim.filed_on <= last)
    if insurer_id is not None:
        query = query.where(Claim.insurer_id == insurer_id)
    claims: Sequence[Claim] = session.scalars(query.order_by(Claim.filed_on, Claim.number)).all()
    programmes = _programmes(session, {claim.policyholder_id for claim in claims})
    names = _names(session, {claim.insurer_id for claim in claims})
    today = get_clock().today()
    by_insurer: dict[uuid.UUID, list[ClaimTimes]] = defaultdict(list)
    by_programme: dict[tuple[uuid.UUID, uuid.UUID], list[ClaimTimes]] = defaultdict(list)
    programme_names: dict[uuid.UUID, str] = {}
    for claim in claims:
        times = times_of(claim)
        enrolled = programmes.get(claim.policyholder_id, [])
        if programme_id is not None and programme_id not in {p for p, _ in enrolled}:
            continue
        by_insurer[claim.insurer_id].append(times)
        for pid, name in enrolled:
            if programme_id is None or pid == programme_id:
                by_programme[(claim.insurer_id, pid)].append(times)
                programme_names[pid] = name
    rows: list[ServiceLevelRow] = []
    for insurer in sorted(by_insurer, key=lambda i: (names.get(i, ""), str(i))):
        name = names.get(insurer, str(insurer))
        if programme_id is None:
            rows.append(
                ServiceLevelRow(insurer, name, None, None, summarise(by_insurer[insurer], as_of=today))
            )
        keys = sorted((k for k in by_programme if k[0] == insurer), key=lambda k: programme_names[k[1]])
        for key in keys:
            rows.append(
                ServiceLevelRow(
                    insurer, name, key[1], programme_names[key[1]], summarise(by_programme[key], as_of=today)
                )
            )
    return rows
