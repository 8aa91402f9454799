"""Claim service times: days from filing to complete documents, to decision and to payment.

For each measure over a set of claims: how many claims reached that step, the median of the days
(the mean of the two middle values for an even count, to the half day), the 90th percentile by the
nearest-rank method (the ⌈0.9 n⌉-th smallest value), and for the decision and the payment the share of
claims done by their service-level deadline (decided within the decision days of complete documents,
paid within the payment days of the decision). Steps not reached yet are not measured; an open claim
past its deadline on the day asked counts as a breach in `breached_open`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ClaimTimes:
    """The dates of one claim that the service levels measure."""

    filed_on: dt.date
    documents_complete_on: dt.date | None = None
    decision_deadline: dt.date | None = None
    decided_on: dt.date | None = None
    payment_deadline: dt.date | None = None
    paid_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DurationStats:
    """One measure over a set of claims."""

    count: int
    median_days: Decimal | None
    p90_days: int | None
    within: int | None = None  # done by the deadline (None: the step has no service level)
    breached_open: int | None = None  # not done and past the deadline on the day asked

    @property
    def within_share(self) -> Decimal | None:
        """The share done by the deadline, as a ratio rounded half up to 4 places (None: nothing measured)."""
        if self.within is None or self.count == 0:
            return None
        return (Decimal(self.within) / Decimal(self.count)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    def to_json(self) -> dict[str, Any]:
        """The measure as JSON."""
        share = self.within_share
        return {
            "count": self.count,
            "median_days": None if self.median_days is None else str(self.median_days),
            "p90_days": self.p90_days,
            "within": self.within,
            "within_share": None if share is None else str(share),
            "breached_open": self.breached_open,
        }


@dataclass(frozen=True, slots=True)
class ServiceLevelSummary:
    """The three measures over one set of claims."""

    claims: int
    to_documents: DurationStats
    to_decision: DurationStats
    to_payment: DurationStats

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON."""
        return {
            "claims": self.claims,
            "to_documents": self.to_documents.to_json(),
            "to_decision": self.to_decision.to_json(),
            "to_payment": self.to_payment.to_json(),
        }


def median(values: Sequence[int]) -> Decimal | None:
    """The median (the mean of the two middle values for an even count); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def percentile(values: Sequence[int], fraction: Decimal) -> int | None:
    """The nearest-rank percentile: the ⌈fraction × n⌉-th smallest value; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


_P90 = Decimal("0.9")


def _stats(days: list[int], within: int | None, breached_open: int | None) -> DurationStats:
    return DurationStats(len(days), median(days), percentile(days, _P90), within, breached_open)


def summarise(times: Sequence[ClaimTimes], *, as_of: dt.date | None = None) -> ServiceLevelSummary:
    """The service-level measures over these claims; `as_of` counts open claims past their deadline."""
    to_documents: list[int] = []
    to_decision: list[int] = []
    to_payment: list[int] = []
    decided_within = paid_within = 0
    decision_open_breached = payment_open_breached = 0
    for claim in times:
        if claim.documents_complete_on is not None:
            to_documents.append((claim.documents_complete_on - claim.filed_on).days)
        if claim.decided_on is not None:
            to_decision.append((claim.decided_on - claim.filed_on).days)
            if claim.decision_deadline is None or claim.decided_on <= claim.decision_deadline:
                decided_within += 1
        elif as_of is not None and claim.decision_deadline is not None and as_of > claim.decision_deadline:
            decision_open_breached += 1
        if claim.paid_on is not None:
            to_payment.append((claim.paid_on - claim.filed_on).days)
            if claim.payment_deadline is None or claim.paid_on <= claim.payment_deadline:
                paid_within += 1
        elif as_of is not None and claim.payment_deadline is not None and as_of > claim.payment_deadline:
            payment_open_breached += 1
    with_open = as_of is not None
    return ServiceLevelSummary(
        claims=len(times),
        to_documents=_stats(to_documents, None, None),
        to_decision=_stats(to_decision, decided_within, decision_open_breached if with_open else None),
        to_payment=_stats(to_payment, paid_within, payment_open_breached if with_open else None),
    )
