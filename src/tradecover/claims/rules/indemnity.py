"""The indemnity of a claim, step by step and exact to the minor unit (DESIGN §2 "Claim").

Every amount is an integer count of the policy currency's minor units. The steps, in order:

1. Receipts from the buyer settle its invoices: a credit note tied to an invoice first reduces that
   invoice (any excess joins the payments); payments then settle the invoices oldest first (shipment
   date, then due date, then invoice number). Each claimed invoice's unpaid insured amount is
   insured × unpaid ÷ amount, rounded half up.
2. Their sum, capped at the largest limit in force on the shipment date of any claimed invoice that still
   has an unpaid insured amount, is the insured loss.
3. An insured loss strictly below the non-qualifying loss is not paid and uses no aggregate first loss.
4. What is left of the aggregate first loss is deducted, and that much of it is used.
5. The rest × the indemnity percentage, rounded half up.
6. Capped at what is left of the maximum liability: the indemnity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tradecover.errors import ValidationError
from tradecover.money import Money, minor_unit_exponent, to_decimal
from tradecover.policies.terms import CauseOfLoss, IndemnityPercentages


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """One invoice of the buyer under the policy, claimed or not, as the computation needs it."""

    invoice_number: str
    shipment_date: dt.date
    due_date: dt.date
    amount_minor: int
    insured_minor: int  # the insured part (0 when out of cover)
    limit_in_force_minor: int  # the largest limit (or DCL) on the buyer in force on the shipment date
    claimed: bool


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """A payment from the buyer, or a credit note when tied to an invoice number."""

    received_on: dt.date
    amount_minor: int
    invoice_number: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimTerms:
    """The policy's terms for one claim, with what is left of the policy year's AFL and maximum liability."""

    currency: str
    indemnity_rate: Decimal
    non_qualifying_loss_minor: int
    aggregate_first_loss_left_minor: int
    maximum_liability_left_minor: int


@dataclass(frozen=True, slots=True)
class Application:
    """A part of a receipt applied to one invoice."""

    received_on: dt.date
    amount_minor: int
    credit_note: bool

    def to_json(self) -> dict[str, Any]:
        """The application as JSON."""
        return {
            "received_on": self.received_on.isoformat(),
            "amount_minor": self.amount_minor,
            "credit_note": self.credit_note,
        }


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice after the receipts: what was applied, what is unpaid, and its unpaid insured amount."""

    invoice_number: str
    shipment_date: dt.date
    due_date: dt.date
    claimed: bool
    amount_minor: int
    credited_minor: int
    paid_minor: int
    unpaid_minor: int
    insured_minor: int
    unpaid_insured_minor: int
    limit_in_force_minor: int
    applications: tuple[Application, ...] = ()

    def to_json(self, currency: str) -> dict[str, Any]:
        """The line as JSON: every amount in minor units and as a decimal string."""
        result: dict[str, Any] = {
            "invoice_number": self.invoice_number,
            "shipment_date": self.shipment_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "claimed": self.claimed,
        }
        for name in (
            "amount",
            "credited",
            "paid",
            "unpaid",
            "insured",
            "unpaid_insured",
            "limit_in_force",
        ):
            minor = getattr(self, f"{name}_minor")
            result[f"{name}_minor"] = minor
            result[name] = decimal_string(minor, currency)
        result["applications"] = [a.to_json() for a in self.applications]
        return result


# The keys of the steps, in order; the claim page and the API show them under these names.
STEP_LABELS: dict[str, str] = {
    "unpaid_insured": "Unpaid insured amount of the claimed invoices",
    "limit_cap": "Largest limit in force at shipment",
    "insured_loss": "Insured loss",
    "non_qualifying_loss": "Non-qualifying loss",
    "aggregate_first_loss_used": "Aggregate first loss used",
    "after_aggregate_first_loss": "After the aggregate first loss",
    "after_indemnity_rate": "× indemnity percentage",
    "maximum_liability_left": "Maximum liability left",
    "indemnity": "Indemnity",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation: its key, label, amount and a note on what it did."""

    key: str
    label: str
    amount_minor: int
    note: str = ""

    def to_json(self, currency: str) -> dict[str, Any]:
        """The step as JSON."""
        return {
            "key": self.key,
            "label": self.label,
            "amount_minor": self.amount_minor,
            "amount": decimal_string(self.amount_minor, currency),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class IndemnityBreakdown:
    """The whole computation: invoice lines, the steps in order, and the amounts a decision stores."""

    currency: str
    lines: tuple[InvoiceLine, ...]
    unapplied_receipts_minor: int
    unpaid_insured_minor: int
    limit_cap_minor: int
    insured_loss_minor: int
    non_qualifying_loss_minor: int
    qualifies: bool
    aggregate_first_loss_left_minor: int
    afl_used_minor: int
    after_afl_minor: int
    indemnity_rate: Decimal
    after_rate_minor: int
    maximum_liability_left_minor: int
    indemnity_minor: int
    steps: tuple[Step, ...] = field(default=())

    @property
    def indemnity(self) -> Money:
        """The indemnity as Money."""
        return Money.from_minor(self.indemnity_minor, self.currency)

    @property
    def insured_loss(self) -> Money:
        """The insured loss as Money."""
        return Money.from_minor(self.insured_loss_minor, self.currency)

    @property
    def afl_used(self) -> Money:
        """The aggregate first loss this claim uses, as Money."""
        return Money.from_minor(self.afl_used_minor, self.currency)

    def to_json(self) -> dict[str, Any]:
        """The breakdown as JSON for storage and the API: minor units plus decimal strings."""
        result: dict[str, Any] = {"currency": self.currency}
        for name in (
            "unapplied_receipts",
            "unpaid_insured",
            "limit_cap",
            "insured_loss",
            "non_qualifying_loss",
            "aggregate_first_loss_left",
            "after_afl",
            "after_rate",
            "maximum_liability_left",
            "indemnity",
        ):
            minor = getattr(self, f"{name}_minor")
            result[f"{name}_minor"] = minor
            result[name] = decimal_string(minor, self.currency)
        result["afl_used_minor"] = self.afl_used_minor
        result["afl_used"] = decimal_string(self.afl_used_minor, self.currency)
        result["qualifies"] = self.qualifies
        result["indemnity_rate"] = str(self.indemnity_rate)
        result["lines"] = [line.to_json(self.currency) for line in self.lines]
        result["steps"] = [step.to_json(self.currency) for step in self.steps]
        return result


def decimal_string(minor: int, currency: str) -> str:
    """Minor units as the decimal amount people read: 123456 USD → '1234.56'."""
    return str(Money.from_minor(minor, currency).amount)


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up (away from zero on ties), exactly, in integers."""
    if denominator <= 0:
        raise ValueError("the denominator must be above zero")
    quotient = (2 * abs(numerator) + denominator) // (2 * denominator)
    return quotient if numerator >= 0 else -quotient


def times_rate(minor: int, rate: Decimal) -> int:
    """minor × rate rounded half up to the minor unit, exactly (no decimal context precision involved)."""
    exact = Fraction(minor) * Fraction(rate)
    return half_up(exact.numerator, exact.denominator)


def indemnity_rate(percentages: IndemnityPercentages, cause: CauseOfLoss, *, public_body: bool) -> Decimal:
    """The indemnity percentage (as a ratio) for a cause of loss on this buyer."""
    return percentages.for_cause(cause, public_body=public_body).value


def _check(invoices: Sequence[InvoiceFacts], receipts: Sequence[ReceiptFacts], terms: ClaimTerms) -> None:
    minor_unit_exponent(terms.currency)  # refuses an unknown currency
    rate = to_decimal(terms.indemnity_rate, field="indemnity_rate")
    if not 0 <= rate <= 1:
        raise ValidationError("the indemnity percentage must be between 0% and 100%", field="indemnity_rate")
    numbers = [i.invoice_number for i in invoices]
    if len(set(numbers)) != len(numbers):
        raise ValidationError("each invoice may appear only once", field="invoices")
    for invoice in invoices:
        if invoice.amount_minor <= 0:
            raise ValidationError(
                f"invoice {invoice.invoice_number}: the amount must be above zero", field="invoices"
            )
        if not 0 <= invoice.insured_minor <= invoice.amount_minor:
            raise ValidationError(
                f"invoice {invoice.invoice_number}: the insured amount must be between 0 and the amount",
                field="invoices",
            )
        if invoice.limit_in_force_minor < 0:
            raise ValidationError(
                f"invoice {invoice.invoice_number}: the limit must not be negative", field="invoices"
            )
    known = set(numbers)
    for receipt in receipts:
        if receipt.amount_minor < 0:
            raise ValidationError("a payment or credit must not be negative", field="receipts")
        if receipt.invoice_number is not None and receipt.invoice_number not in known:
            raise ValidationError(
                f"the credit note names invoice {receipt.invoice_number}, which is not an invoice of "
                "this buyer under the policy",
                field="receipts",
            )
    if terms.non_qualifying_loss_minor < 0:
        raise ValidationError("the non-qualifying loss must not be negative", field="non_qualifying_loss")


@dataclass(slots=True)
class _Open:
    facts: InvoiceFacts
    credited: int = 0
    paid: int = 0
    applications: list[Application] = field(default_factory=list)

    @property
    def unpaid(self) -> int:
        return self.facts.amount_minor - self.credited - self.paid


def _apply_receipts(
    invoices: Sequence[InvoiceFacts], receipts: Sequence[ReceiptFacts]
) -> tuple[list[_Open], int]:
    """Settle the invoices with the receipts (credit notes to their invoice, payments oldest first).

    Answers the invoices oldest first with what was applied, and what is left over of the receipts.
    """
    ordered = sorted(invoices, key=lambda i: (i.shipment_date, i.due_date, i.invoice_number))
    book = [_Open(facts) for facts in ordered]
    by_number = {entry.facts.invoice_number: entry for entry in book}
    payments: list[tuple[dt.date, int]] = []
    for receipt in sorted(receipts, key=lambda r: r.received_on):
        if receipt.invoice_number is None:
            payments.append((receipt.received_on, receipt.amount_minor))
            continue
        entry = by_number[receipt.invoice_number]
        applied = min(receipt.amount_minor, entry.unpaid)
        if applied:
            entry.credited += applied
            entry.applications.append(Application(receipt.received_on, applied, credit_note=True))
        if receipt.amount_minor > applied:
            # A credit note above what its invoice still owes leaves the buyer a credit, used like a payment.
            payments.append((receipt.received_on, receipt.amount_minor - applied))
    payments.sort(key=lambda p: p[0])
    left_over = 0
    queue = iter(book)
    current = next(queue, None)
    for received_on, amount in payments:
        while amount and current is not None:
            applied = min(amount, current.unpaid)
            if applied:
                current.paid += applied
                current.applications.append(Application(received_on, applied, credit_note=False))
                amount -= applied
            if current.unpaid == 0:
                current = next(queue, None)
        left_over += amount
    return book, left_over


def compute_indemnity(
    invoices: Sequence[InvoiceFacts], receipts: Sequence[ReceiptFacts], terms: ClaimTerms
) -> IndemnityBreakdown:
    """The indemnity of a claim on these invoices, step by step (DESIGN §2 "Claim")."""
    _check(invoices, receipts, terms)
    currency = terms.currency.upper()
    book, left_over = _apply_receipts(invoices, receipts)
    lines: list[InvoiceLine] = []
    for entry in book:
        facts = entry.facts
        unpaid = entry.unpaid
        unpaid_insured = half_up(facts.insured_minor * unpaid, facts.amount_minor) if facts.claimed else 0
        lines.append(
            InvoiceLine(
                invoice_number=facts.invoice_number,
                shipment_date=facts.shipment_date,
                due_date=facts.due_date,
                claimed=facts.claimed,
                amount_minor=facts.amount_minor,
                credited_minor=entry.credited,
                paid_minor=entry.paid,
                unpaid_minor=unpaid,
                insured_minor=facts.insured_minor,
                unpaid_insured_minor=unpaid_insured,
                limit_in_force_minor=facts.limit_in_force_minor,
                applications=tuple(entry.applications),
            )
        )
    unpaid_insured_total = sum(line.unpaid_insured_minor for line in lines)
    still_owed = [line for line in lines if line.claimed and line.unpaid_insured_minor > 0]
    limit_cap = max((line.limit_in_force_minor for line in still_owed), default=0)
    insured_loss = min(unpaid_insured_total, limit_cap)
    nql = terms.non_qualifying_loss_minor
    qualifies = insured_loss > 0 and insured_loss >= nql
    afl_left = max(terms.aggregate_first_loss_left_minor, 0)
    ml_left = max(terms.maximum_liability_left_minor, 0)
    rate = to_decimal(terms.indemnity_rate, field="indemnity_rate")
    if qualifies:
        afl_used = min(insured_loss, afl_left)
        after_afl = insured_loss - afl_used
        after_rate = times_rate(after_afl, rate)
        indemnity = min(after_rate, ml_left)
    else:
        afl_used = after_afl = after_rate = indemnity = 0
    steps = _steps(
        currency,
        unpaid_insured_total=unpaid_insured_total,
        limit_cap=limit_cap,
        insured_loss=insured_loss,
        nql=nql,
        qualifies=qualifies,
        afl_left=afl_left,
        afl_used=afl_used,
        after_afl=after_afl,
        rate=rate,
        after_rate=after_rate,
        ml_left=ml_left,
        indemnity=indemnity,
    )
    return IndemnityBreakdown(
        currency=currency,
        lines=tuple(lines),
        unapplied_receipts_minor=left_over,
        unpaid_insured_minor=unpaid_insured_total,
        limit_cap_minor=limit_cap,
        insured_loss_minor=insured_loss,
        non_qualifying_loss_minor=nql,
        qualifies=qualifies,
        aggregate_first_loss_left_minor=afl_left,
        afl_used_minor=afl_used,
        after_afl_minor=after_afl,
        indemnity_rate=rate,
        after_rate_minor=after_rate,
        maximum_liability_left_minor=ml_left,
        indemnity_minor=indemnity,
        steps=steps,
    )


def _steps(
    currency: str,
    *,
    unpaid_insured_total: int,
    limit_cap: int,
    insured_loss: int,
    nql: int,
    qualifies: bool,
    afl_left: int,
    afl_used: int,
    after_afl: int,
    rate: Decimal,
    after_rate: int,
    ml_left: int,
    indemnity: int,
) -> tuple[Step, ...]:
    def amount(minor: int) -> str:
        return str(Money.from_minor(minor, currency))

    percent = f"{(rate * 100).normalize():f}%"
    capped = insured_loss < unpaid_insured_total
    if insured_loss == 0:
        nql_note = "nothing unpaid and insured: nothing to pay"
    elif qualifies:
        nql_note = f"reached ({amount(insured_loss)} is not below {amount(nql)})"
    else:
        nql_note = f"not reached: {amount(insured_loss)} is below {amount(nql)}, so nothing is paid"
    return (
        Step(
            "unpaid_insured",
            STEP_LABELS["unpaid_insured"],
            unpaid_insured_total,
            "each claimed invoice: insured × unpaid ÷ amount, rounded half up",
        ),
        Step(
            "limit_cap",
            STEP_LABELS["limit_cap"],
            limit_cap,
            "binds" if capped else "does not bind",
        ),
        Step(
            "insured_loss",
            STEP_LABELS["insured_loss"],
            insured_loss,
            "capped at the limit" if capped else "the unpaid insured amount",
        ),
        Step("non_qualifying_loss", STEP_LABELS["non_qualifying_loss"], nql, nql_note),
        Step(
            "aggregate_first_loss_used",
            STEP_LABELS["aggregate_first_loss_used"],
            afl_used,
            f"of {amount(afl_left)} left in the policy year",
        ),
        Step("after_aggregate_first_loss", STEP_LABELS["after_aggregate_first_loss"], after_afl),
        Step(
            "after_indemnity_rate",
            STEP_LABELS["after_indemnity_rate"],
            after_rate,
            f"{amount(after_afl)} × {percent}, rounded half up",
        ),
        Step(
            "maximum_liability_left",
            STEP_LABELS["maximum_liability_left"],
            ml_left,
            "binds" if qualifies and after_rate > ml_left else "does not bind",
        ),
        Step("indemnity", STEP_LABELS["indemnity"], indemnity),
    )
