"""Financing rules (pure): the borrowing base with why each receivable is in or out, and drawing checks.

Borrowing base on a date = advance rate × eligible receivables. A receivable (a declared invoice still
unpaid on the date) is eligible for its insured unpaid part when it is insured, not overdue, not
reported overdue or out of cover, and not under claim; per buyer, eligible receivables count only up to
the limit that applies on the date (earliest due first, so the receivable that passes the limit is the
one that counts in part). The base is rounded half up to the minor unit once, at the end.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.money import Money

MAX_ADVANCE_RATE = Decimal("0.9")


class Eligibility(enum.StrEnum):
    """Why a receivable is in the borrowing base, in part, or out."""

    ELIGIBLE = "eligible"
    PART_ABOVE_LIMIT = "part_above_limit"
    ABOVE_LIMIT = "above_limit"
    NOT_INSURED = "not_insured"
    OVERDUE = "overdue"
    REPORTED_OVERDUE = "reported_overdue"
    OUT_OF_COVER = "out_of_cover"
    UNDER_CLAIM = "under_claim"

    @property
    def counts(self) -> bool:
        """True when the receivable adds something to the base."""
        return self in (Eligibility.ELIGIBLE, Eligibility.PART_ABOVE_LIMIT)


@dataclass(frozen=True, slots=True)
class Receivable:
    """An invoice on a buyer still unpaid on the date, as the rules see it (amounts in minor units)."""

    shipment_id: uuid.UUID
    invoice_number: str
    buyer_id: uuid.UUID
    buyer_name: str
    shipment_date: dt.date
    due_date: dt.date
    amount_minor: int
    unpaid_minor: int
    insured_unpaid_minor: int
    reported_overdue: bool = False
    out_of_cover: bool = False
    under_claim: bool = False


@dataclass(frozen=True, slots=True)
class ReceivableLine:
    """One receivable with what it adds to the eligible total and why."""

    receivable: Receivable
    eligible_minor: int
    eligibility: Eligibility
    why: str


@dataclass(frozen=True, slots=True)
class BorrowingBase:
    """The borrowing base on a date, receivable by receivable."""

    on: dt.date
    currency: str
    advance_rate: Decimal
    lines: tuple[ReceivableLine, ...]
    eligible_minor: int
    base_minor: int

    @property
    def eligible(self) -> Money:
        """The eligible receivables in total."""
        return Money.from_minor(self.eligible_minor, self.currency)

    @property
    def base(self) -> Money:
        """Advance rate × eligible receivables."""
        return Money.from_minor(self.base_minor, self.currency)


def check_advance_rate(rate: Decimal) -> Decimal:
    """The advance rate as a fraction above 0 and at most 90 %; a ValidationError otherwise."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not Decimal(0) < rate <= MAX_ADVANCE_RATE:
        raise ValidationError("must be above 0 and at most 0.9 (90 %)", field="advance_rate")
    return rate


def _shown(minor: int, currency: str) -> str:
    return f"{currency} {Money.from_minor(minor, currency).amount:,}"


def _excluded(receivable: Receivable, on: dt.date, currency: str) -> tuple[Eligibility, str] | None:
    if receivable.under_claim:
        return Eligibility.UNDER_CLAIM, "under claim: the indemnity, not the buyer, will pay it"
    if receivable.out_of_cover:
        return Eligibility.OUT_OF_COVER, "out of cover (overdue reported late or not at all)"
    if receivable.reported_overdue:
        return Eligibility.REPORTED_OVERDUE, "reported overdue to the insurer"
    if receivable.due_date < on:
        return Eligibility.OVERDUE, f"overdue: due {receivable.due_date.isoformat()} and still unpaid"
    if receivable.insured_unpaid_minor <= 0:
        return Eligibility.NOT_INSURED, "not insured (no limit or discretionary limit covered it)"
    return None


def borrowing_base(
    receivables: Sequence[Receivable],
    limits_minor: Mapping[uuid.UUID, int],
    *,
    advance_rate: Decimal,
    on: dt.date,
    currency: str,
) -> BorrowingBase:
    """Advance rate × eligible receivables on `on`, each receivable with why it is in or out.

    `limits_minor` is the limit that applies on the date per buyer (a buyer missing from it has none).
    """
    rate = check_advance_rate(advance_rate)
    room = dict(limits_minor)
    ordered = sorted(receivables, key=lambda r: (r.buyer_name, r.buyer_id, r.due_date, r.invoice_number))
    lines: list[ReceivableLine] = []
    for receivable in ordered:
        excluded = _excluded(receivable, on, currency)
        if excluded is not None:
            lines.append(ReceivableLine(receivable, 0, *excluded))
            continue
        left = max(room.get(receivable.buyer_id, 0), 0)
        counted = min(receivable.insured_unpaid_minor, left)
        room[receivable.buyer_id] = left - counted
        insured = _shown(receivable.insured_unpaid_minor, currency)
        if counted == receivable.insured_unpaid_minor:
            why = f"insured, not overdue, within the limit: {insured} counts"
            lines.append(ReceivableLine(receivable, counted, Eligibility.ELIGIBLE, why))
        elif counted > 0:
            why = (
                f"only {_shown(counted, currency)} of {insured} fits within what is left of the buyer's limit"
            )
            lines.append(ReceivableLine(receivable, counted, Eligibility.PART_ABOVE_LIMIT, why))
        else:
            why = "the buyer's limit in force is taken by earlier receivables (or there is none)"
            lines.append(ReceivableLine(receivable, 0, Eligibility.ABOVE_LIMIT, why))
    eligible = sum(line.eligible_minor for line in lines)
    base = Money.from_minor(eligible, currency) * rate
    return BorrowingBase(on, currency, rate, tuple(lines), eligible, base.minor_units)


def check_value_date(on: dt.date, *, starts_on: dt.date, matures_on: dt.date, active: bool) -> None:
    """A drawing or repayment is dated within the tenor of an active facility."""
    if not active:
        raise BusinessRuleViolation("the facility is closed", field="facility_id")
    if on < starts_on:
        raise BusinessRuleViolation(
            f"the facility starts on {starts_on.isoformat()}; nothing moves under it before", field="on"
        )
    if on > matures_on:
        raise BusinessRuleViolation(
            f"the facility matured on {matures_on.isoformat()}; no drawing after maturity", field="on"
        )


def check_drawing(amount: Money, *, outstanding: Money, base: Money, limit: Money) -> None:
    """A drawing keeps the outstanding within both the borrowing base and the facility limit."""
    if not amount.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    after = outstanding + amount
    if after > limit:
        raise BusinessRuleViolation(
            f"drawing {amount} would take the outstanding to {after}, above the facility limit {limit} "
            f"(available {(limit - outstanding).max(Money.zero(limit.currency))})",
            field="amount",
        )
    if after > base:
        raise BusinessRuleViolation(
            f"drawing {amount} would take the outstanding to {after}, above the borrowing base {base} "
            f"(available {(base - outstanding).max(Money.zero(base.currency))})",
            field="amount",
        )


def check_repayment(amount: Money, *, outstanding: Money) -> None:
    """A repayment is positive and not more than what is outstanding."""
    if not amount.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    if amount > outstanding:
        raise BusinessRuleViolation(
            f"repayment {amount} is more than the outstanding {outstanding}", field="amount"
        )


def available(*, outstanding: Money, base: Money, limit: Money) -> Money:
    """What may still be drawn: the lower of base and limit, less the outstanding (never below zero)."""
    return (base.min(limit) - outstanding).max(Money.zero(limit.currency))
