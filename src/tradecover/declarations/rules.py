"""The insurance rules of a shipment declaration (DESIGN §2 "Shipment declaration"), pure and exact.

A declared shipment is judged rule by rule against what was true on its shipment date: the credit
period against the policy's maximum, stoppage on the buyer, the declaration deadline (working days
after shipment in the policy currency's calendar), a loss event on the buyer, and the available limit
(or discretionary limit). Each rule gives a verdict a user can read; the insured amount is the part
within the available limit when no rule refuses cover.

Amounts here are integer minor units of one currency (the policy's), so that a file of a million rows
is judged without building a Money per field; `show` writes them for people.

A late declaration is noted but still insured, as in the usual whole-turnover wordings; it loses cover
when a loss event on the buyer came before it was declared (the insured knew of the loss).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tradecover.errors import ValidationError
from tradecover.money import minor_unit_exponent
from tradecover.reference.calendars import Calendar

MAX_INVOICE_NUMBER_LENGTH = 64


class Rule(enum.StrEnum):
    """The rules a shipment declaration is judged by, in the order they are shown."""

    CREDIT_PERIOD = "credit_period"
    STOPPAGE = "stoppage"
    DEADLINE = "deadline"
    LOSS_EVENT = "loss_event"
    LIMIT = "limit"
    OVERDUE_REPORT = "overdue_report"


class Outcome(enum.StrEnum):
    """A rule's verdict: passed, passed with a remark, partly covered, or refuses cover."""

    PASSED = "passed"
    NOTED = "noted"
    PARTLY = "partly"
    FAILED = "failed"


class CoverSource(enum.StrEnum):
    """What the insured part rests on: a credit limit, the discretionary limit, or nothing."""

    LIMIT = "limit"
    DCL = "dcl"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    """A declared shipment as the rules see it: amounts in minor units of `currency`."""

    invoice_number: str
    currency: str
    amount_minor: int
    shipment_date: dt.date
    due_date: dt.date
    declared_on: dt.date

    @property
    def credit_days(self) -> int:
        """Days from shipment to the due date."""
        return (self.due_date - self.shipment_date).days


@dataclass(frozen=True, slots=True)
class CoverFacts:
    """What was true of the policy and the buyer on the shipment date (policy currency, minor units)."""

    max_credit_days: int
    deadline: dt.date
    source: CoverSource
    # The limit amount in force (or the DCL, or zero) and the insured outstanding before this shipment.
    cover_minor: int
    exposure_minor: int
    stopped_since: dt.date | None = None
    loss_event_on: dt.date | None = None
    # Set once the invoice's overdue was reported late or never (claims/overdues, claims/tick).
    cover_lost_on: dt.date | None = None
    cover_lost_reason: str | None = None

    @property
    def available_minor(self) -> int:
        """What is left of the cover for new shipments (never below zero)."""
        return max(self.cover_minor - self.exposure_minor, 0)


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """One rule's verdict in words."""

    rule: Rule
    outcome: Outcome
    text: str

    @property
    def refuses_cover(self) -> bool:
        """True when this rule alone leaves the shipment uninsured."""
        return self.outcome is Outcome.FAILED


@dataclass(frozen=True, slots=True)
class ShipmentVerdict:
    """The verdict per rule and the insured amount (minor units)."""

    verdicts: tuple[RuleVerdict, ...]
    insured_minor: int

    @property
    def summary(self) -> str:
        """One line: insured in full, in part, or not, and the first reason."""
        refusing = [v for v in self.verdicts if v.refuses_cover]
        if refusing:
            return f"not insured: {refusing[0].text}"
        limit = next(v for v in self.verdicts if v.rule is Rule.LIMIT)
        return ("insured: " if limit.outcome is Outcome.PASSED else "partly insured: ") + limit.text


def show(minor: int, currency: str) -> str:
    """Minor units for people: 'USD 40,000.00' (ISO 4217 places, thousands separated)."""
    places = minor_unit_exponent(currency)
    sign, minor = ("-", -minor) if minor < 0 else ("", minor)
    if places == 0:
        return f"{currency} {sign}{minor:,}"
    unit = 10**places
    return f"{currency} {sign}{minor // unit:,}.{minor % unit:0{places}d}"


def _amount(minor: int, currency: str) -> str:
    return show(minor, currency).partition(" ")[2]


# checking input --------------------------------------------------------------------------------------
def check_currency(currency: str, policy_currency: str) -> str:
    """An ISO 4217 code in the policy currency; ValidationError on `currency` otherwise."""
    code = currency.strip().upper() if isinstance(currency, str) else ""
    minor_unit_exponent(code)  # refuses an unknown code
    if code != policy_currency:
        raise ValidationError(f"must be the policy currency {policy_currency}, not {code}", field="currency")
    return code


def check_invoice_number(invoice_number: str) -> str:
    """A non-blank invoice number of at most 64 characters, trimmed."""
    number = invoice_number.strip() if isinstance(invoice_number, str) else ""
    if not number:
        raise ValidationError("must not be blank", field="invoice_number")
    if len(number) > MAX_INVOICE_NUMBER_LENGTH or "\x00" in number:
        raise ValidationError(
            f"must be at most {MAX_INVOICE_NUMBER_LENGTH} printable characters", field="invoice_number"
        )
    return number


def check_shipment(facts: ShipmentFacts, *, max_credit_days_with_consent: int) -> None:
    """Refuse what is no declaration at all: no amount, dates out of order, an impossible credit period."""
    if facts.amount_minor <= 0:
        raise ValidationError("must be more than zero", field="amount")
    if facts.due_date < facts.shipment_date:
        raise ValidationError(
            f"{facts.due_date.isoformat()} is before the shipment date {facts.shipment_date.isoformat()}",
            field="due_date",
        )
    if facts.shipment_date > facts.declared_on:
        raise ValidationError(
            f"{facts.shipment_date.isoformat()} is after the declaration date "
            f"{facts.declared_on.isoformat()}: declare shipments once they are made",
            field="shipment_date",
        )
    if facts.credit_days > max_credit_days_with_consent:
        raise ValidationError(
            f"credit period {facts.credit_days} days exceeds the most the policy allows even with the "
            f"insurer's consent ({max_credit_days_with_consent} days)",
            field="due_date",
        )


def declaration_deadline(shipment_date: dt.date, calendar: Calendar, working_days: int) -> dt.date:
    """The last day to declare a shipment: `working_days` working days after it in the calendar."""
    return calendar.add_working_days(shipment_date, working_days)


# judging ---------------------------------------------------------------------------------------------
def _over_credit_period(credit_days: int, max_credit_days: int) -> bool:
    return credit_days > max_credit_days


def _in_stoppage(shipment_date: dt.date, stopped_since: dt.date | None) -> bool:
    return stopped_since is not None and shipment_date >= stopped_since


def _shipped_after_loss(shipment_date: dt.date, loss_event_on: dt.date | None) -> bool:
    return loss_event_on is not None and shipment_date >= loss_event_on


def _declared_late_after_loss(declared_on: dt.date, deadline: dt.date, loss_event_on: dt.date | None) -> bool:
    return loss_event_on is not None and declared_on > deadline and loss_event_on <= declared_on


def insured_part(
    amount_minor: int,
    credit_days: int,
    shipment_date: dt.date,
    declared_on: dt.date,
    cover: CoverFacts,
) -> int:
    """The insured amount alone (what `judge_shipment` gives, without the words; for files of many rows)."""
    if (
        _over_credit_period(credit_days, cover.max_credit_days)
        or _in_stoppage(shipment_date, cover.stopped_since)
        or _shipped_after_loss(shipment_date, cover.loss_event_on)
        or _declared_late_after_loss(declared_on, cover.deadline, cover.loss_event_on)
        or cover.source is CoverSource.NONE
        or cover.cover_lost_on is not None
    ):
        return 0
    return min(amount_minor, cover.available_minor)


def _credit_period(facts: ShipmentFacts, cover: CoverFacts) -> RuleVerdict:
    days = facts.credit_days
    if _over_credit_period(days, cover.max_credit_days):
        return RuleVerdict(
            Rule.CREDIT_PERIOD,
            Outcome.FAILED,
            f"credit period {days} days exceeds the maximum {cover.max_credit_days}",
        )
    return RuleVerdict(
        Rule.CREDIT_PERIOD,
        Outcome.PASSED,
        f"credit period {days} days within the maximum {cover.max_credit_days}",
    )


def _stoppage(facts: ShipmentFacts, cover: CoverFacts) -> RuleVerdict:
    if cover.stopped_since is not None and _in_stoppage(facts.shipment_date, cover.stopped_since):
        return RuleVerdict(
            Rule.STOPPAGE,
            Outcome.FAILED,
            f"shipped {facts.shipment_date.isoformat()} while the buyer was in stoppage "
            f"(overdue reported {cover.stopped_since.isoformat()})",
        )
    return RuleVerdict(Rule.STOPPAGE, Outcome.PASSED, "buyer not in stoppage")


def _deadline(facts: ShipmentFacts, cover: CoverFacts) -> RuleVerdict:
    declared, deadline = facts.declared_on.isoformat(), cover.deadline.isoformat()
    if facts.declared_on > cover.deadline:
        return RuleVerdict(
            Rule.DEADLINE, Outcome.NOTED, f"declared {declared}, after the deadline {deadline}"
        )
    return RuleVerdict(Rule.DEADLINE, Outcome.PASSED, f"declared {declared}, by the deadline {deadline}")


def _loss_event(facts: ShipmentFacts, cover: CoverFacts) -> RuleVerdict:
    loss = cover.loss_event_on
    if loss is not None and _shipped_after_loss(facts.shipment_date, loss):
        return RuleVerdict(
            Rule.LOSS_EVENT,
            Outcome.FAILED,
            f"shipped {facts.shipment_date.isoformat()}, on or after the loss event on the buyer "
            f"({loss.isoformat()})",
        )
    if loss is not None and _declared_late_after_loss(facts.declared_on, cover.deadline, loss):
        return RuleVerdict(
            Rule.LOSS_EVENT,
            Outcome.FAILED,
            f"declared late ({facts.declared_on.isoformat()}) after the loss event on the buyer "
            f"({loss.isoformat()})",
        )
    return RuleVerdict(Rule.LOSS_EVENT, Outcome.PASSED, "no loss event on the buyer bars cover")


def _limit(facts: ShipmentFacts, cover: CoverFacts) -> RuleVerdict:
    currency, amount = facts.currency, facts.amount_minor
    if cover.source is CoverSource.NONE:
        text = (
            f"no credit limit on the buyer on {facts.shipment_date.isoformat()} "
            "and no discretionary limit: not insured"
        )
        return RuleVerdict(Rule.LIMIT, Outcome.FAILED, text)
    name = "available limit" if cover.source is CoverSource.LIMIT else "available discretionary limit"
    available = cover.available_minor
    within = min(amount, available)
    detail = (
        f"{name} {_amount(available, currency)} = {_amount(cover.cover_minor, currency)} "
        f"less exposure {_amount(cover.exposure_minor, currency)}"
    )
    text = f"{show(within, currency)} of {_amount(amount, currency)} insured: {detail}"
    if within == amount:
        return RuleVerdict(Rule.LIMIT, Outcome.PASSED, text)
    return RuleVerdict(Rule.LIMIT, Outcome.FAILED if within == 0 else Outcome.PARTLY, text)


def _overdue_report(cover: CoverFacts) -> tuple[RuleVerdict, ...]:
    # Shown only once an invoice lost its cover: until its overdue is due for reporting there is nothing
    # to say about it.
    if cover.cover_lost_on is None:
        return ()
    reason = cover.cover_lost_reason or "overdue not reported in time"
    text = f"out of cover from {cover.cover_lost_on.isoformat()}: {reason}"
    return (RuleVerdict(Rule.OVERDUE_REPORT, Outcome.FAILED, text),)


def judge_shipment(facts: ShipmentFacts, cover: CoverFacts) -> ShipmentVerdict:
    """Every rule's verdict and the insured amount: the part within the available cover, or nothing."""
    verdicts = (
        _credit_period(facts, cover),
        _stoppage(facts, cover),
        _deadline(facts, cover),
        _loss_event(facts, cover),
        _limit(facts, cover),
        *_overdue_report(cover),
    )
    insured = insured_part(
        facts.amount_minor, facts.credit_days, facts.shipment_date, facts.declared_on, cover
    )
    return ShipmentVerdict(verdicts, insured)


# payments --------------------------------------------------------------------------------------------
def insured_outstanding(insured_minor: int, unpaid_minor: int, amount_minor: int) -> int:
    """An invoice's insured outstanding: insured × unpaid ÷ amount, rounded half up to the minor unit."""
    if amount_minor <= 0:
        raise ValidationError("must be more than zero", field="amount")
    return (2 * insured_minor * unpaid_minor + amount_minor) // (2 * amount_minor)


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice with something unpaid, as a payment is applied to it."""

    key: object
    shipment_date: dt.date
    due_date: dt.date
    invoice_number: str
    amount_minor: int
    paid_minor: int
    insured_minor: int

    @property
    def unpaid_minor(self) -> int:
        """What is still owed on it."""
        return self.amount_minor - self.paid_minor


@dataclass(frozen=True, slots=True)
class Application:
    """Part of a payment applied to one invoice, and how much insured outstanding that frees."""

    key: object
    paid_minor: int
    insured_released_minor: int
    settles: bool


def oldest_first(invoices: Sequence[OpenInvoice]) -> list[OpenInvoice]:
    """Invoices in the order payments settle them: shipment date, then due date, then invoice number."""
    return sorted(invoices, key=lambda i: (i.shipment_date, i.due_date, i.invoice_number))


def apply_payment(amount_minor: int, invoices: Sequence[OpenInvoice]) -> tuple[list[Application], int]:
    """Apply a payment to the invoices oldest first; returns the applications and what is left unapplied."""
    if amount_minor <= 0:
        raise ValidationError("must be more than zero", field="amount")
    left = amount_minor
    applications: list[Application] = []
    for invoice in oldest_first(invoices):
        if left == 0:
            break
        unpaid = invoice.unpaid_minor
        if unpaid <= 0:
            continue
        paid = min(left, unpaid)
        before = insured_outstanding(invoice.insured_minor, unpaid, invoice.amount_minor)
        after = insured_outstanding(invoice.insured_minor, unpaid - paid, invoice.amount_minor)
        applications.append(Application(invoice.key, paid, before - after, paid == unpaid))
        left -= paid
    return applications, left
