"""Premium invoicing, pure: invoice lines, periods, the minimum-premium true-up, payments and dunning.

A line's premium = insured amount × rate × (1 + adjustment) × (1 − preferential discount), rounded half
up once (DESIGN §2 "Premium"); the rate is the policy's rate-table cell over buyer grade, country grade
and credit-period band (`policies.rules`). The invoice's premium is the sum of its lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tradecover.errors import ValidationError
from tradecover.money import Money, Rate, allocate
from tradecover.policies.rules import RateGrid, effective_rate

DEFAULT_PAYMENT_DAYS = 30


class DunningLevel(enum.StrEnum):
    """How far the chasing of an unpaid invoice has gone."""

    NONE = "none"
    REMINDER = "reminder"
    SECOND_REMINDER = "second_reminder"
    NON_PAYMENT = "non_payment"


DUNNING_TITLES: dict[DunningLevel, str] = {
    DunningLevel.NONE: "not due",
    DunningLevel.REMINDER: "reminder sent",
    DunningLevel.SECOND_REMINDER: "second reminder sent",
    DunningLevel.NON_PAYMENT: "non-payment effect applies",
}


@dataclass(frozen=True, slots=True)
class DunningSchedule:
    """Days past the due date at which each dunning step starts (from the product terms)."""

    reminder_days: int = 1
    second_reminder_days: int = 15
    non_payment_days: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.reminder_days < self.second_reminder_days < self.non_payment_days <= 365:
            raise ValidationError(
                "dunning steps must rise: 1 ≤ reminder < second reminder < non-payment ≤ 365 days",
                field="dunning",
            )


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a month given as 'YYYY-MM'."""
    try:
        year, number = (int(part) for part in month.strip().split("-"))
        first = dt.date(year, number, 1)
    except (ValueError, AttributeError):
        raise ValidationError(f"{month!r} is not a month (YYYY-MM)", field="month") from None
    return first, first.replace(day=calendar.monthrange(year, number)[1])


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What a line is rated on: one shipment's insured part, its buyer and country grades, credit days."""

    insured: Money
    buyer_grade: int
    country_grade: int
    credit_days: int


@dataclass(frozen=True, slots=True)
class RatedLine:
    """A rated line: the rate cell (keys and rate), the adjustment, the discount and the premium."""

    buyer_grade_band: int
    country_grade: int
    credit_day_band: int
    rate: Decimal
    adjustment: Decimal
    discount: Decimal
    premium: Money


def rate_line(grid: RateGrid, facts: LineFacts, *, adjustment: Decimal, discount: Rate) -> RatedLine:
    """Rate one line: find its cell and price the insured part, rounded half up once."""
    if facts.insured.is_negative:
        raise ValidationError("must not be negative", field="insured")
    credit_days = max(facts.credit_days, 1)
    rate = grid.rate_for(facts.buyer_grade, facts.country_grade, credit_days)
    premium = Money.rounded(
        facts.insured.amount * effective_rate(rate, adjustment, discount), facts.insured.currency
    )
    return RatedLine(
        buyer_grade_band=grid.buyer_grade_band(facts.buyer_grade),
        country_grade=facts.country_grade,
        credit_day_band=grid.credit_day_band(credit_days),
        rate=rate,
        adjustment=adjustment,
        discount=discount.value,
        premium=premium,
    )


def true_up(net_premium: Money, minimum_premium: Money) -> Money:
    """What the year's net premium falls short of the minimum premium (zero when it reaches it)."""
    if net_premium.currency != minimum_premium.currency:
        raise ValidationError(
            f"the minimum premium is in {minimum_premium.currency}, the premium in {net_premium.currency}",
            field="minimum_premium",
        )
    shortfall = minimum_premium - net_premium
    return shortfall if shortfall.is_positive else Money.zero(net_premium.currency)


def due_date(issued_on: dt.date, payment_days: int = DEFAULT_PAYMENT_DAYS) -> dt.date:
    """The day an invoice falls due: its issue date plus the payment term."""
    if not 0 <= payment_days <= 365:
        raise ValidationError(f"must be from 0 to 365 days, not {payment_days}", field="payment_days")
    return issued_on + dt.timedelta(days=payment_days)


def dunning_level(due: dt.date, on: dt.date, schedule: DunningSchedule) -> DunningLevel:
    """The dunning step of an unpaid invoice `on` a day, by days past its due date."""
    late = (on - due).days
    if late >= schedule.non_payment_days:
        return DunningLevel.NON_PAYMENT
    if late >= schedule.second_reminder_days:
        return DunningLevel.SECOND_REMINDER
    if late >= schedule.reminder_days:
        return DunningLevel.REMINDER
    return DunningLevel.NONE


@dataclass(frozen=True, slots=True)
class PaymentSplit:
    """A payment against an invoice: what settles the firm's share, and what is left over (held)."""

    applied: Money
    over: Money


def split_payment(amount: Money, open_firm_share: Money) -> PaymentSplit:
    """Apply a payment to what is open of the firm's share; the rest is an overpayment."""
    if not amount.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    if amount.currency != open_firm_share.currency:
        raise ValidationError(f"must be in the invoice currency {open_firm_share.currency}", field="amount")
    applied = amount.min(open_firm_share) if open_firm_share.is_positive else Money.zero(amount.currency)
    return PaymentSplit(applied, amount - applied)


def allocate_to_open(applied: Money, open_parts: Sequence[Money]) -> list[Money]:
    """Split an applied amount across members in proportion to what each has open (exact)."""
    if applied.is_zero:
        return [Money.zero(applied.currency) for _ in open_parts]
    weights = [part.minor_units for part in open_parts]
    if sum(weights) < applied.minor_units or any(w < 0 for w in weights):
        raise ValidationError("more is applied than the members have open", field="amount")
    return allocate(applied, weights)
