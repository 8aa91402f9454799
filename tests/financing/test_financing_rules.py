"""Financing rules: the borrowing base receivable by receivable, advance rate and drawing checks."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.financing.rules import (
    Eligibility,
    Receivable,
    available,
    borrowing_base,
    check_advance_rate,
    check_drawing,
    check_repayment,
    check_value_date,
)
from tradecover.money import Money

ON = dt.date(2026, 6, 15)
ACME, BOLT = uuid.uuid4(), uuid.uuid4()


def receivable(
    invoice: str,
    insured: int,
    *,
    buyer: uuid.UUID = ACME,
    due: dt.date = ON + dt.timedelta(days=30),
    **flags: bool,
) -> Receivable:
    """An unpaid invoice whose insured unpaid part is `insured` (amounts in cents)."""
    return Receivable(
        shipment_id=uuid.uuid4(),
        invoice_number=invoice,
        buyer_id=buyer,
        buyer_name="Acme" if buyer == ACME else "Bolt",
        shipment_date=ON - dt.timedelta(days=10),
        due_date=due,
        amount_minor=max(insured, 1) * 2,
        unpaid_minor=max(insured, 1) * 2,
        insured_unpaid_minor=insured,
        **flags,
    )


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@pytest.mark.parametrize(
    ("item", "why"),
    [
        (receivable("INV-O", 1000, due=ON - dt.timedelta(days=1)), Eligibility.OVERDUE),
        (receivable("INV-R", 1000, reported_overdue=True), Eligibility.REPORTED_OVERDUE),
        (receivable("INV-C", 1000, under_claim=True), Eligibility.UNDER_CLAIM),
        (receivable("INV-L", 1000, out_of_cover=True), Eligibility.OUT_OF_COVER),
        (receivable("INV-N", 0), Eligibility.NOT_INSURED),
    ],
)
def test_each_exclusion_keeps_a_receivable_out_and_says_why(item: Receivable, why: Eligibility) -> None:
    base = borrowing_base([item], {ACME: 10**9}, advance_rate=Decimal("0.8"), on=ON, currency="USD")
    (line,) = base.lines
    assert (line.eligibility, line.eligible_minor, base.base_minor) == (why, 0, 0)
    assert line.why


def test_a_receivable_due_on_the_date_is_not_yet_overdue() -> None:
    base = borrowing_base(
        [receivable("INV-1", 10_000, due=ON)],
        {ACME: 10**9},
        advance_rate=Decimal("0.9"),
        on=ON,
        currency="USD",
    )
    assert base.lines[0].eligibility is Eligibility.ELIGIBLE
    assert base.base == usd("90.00")


def test_the_buyers_limit_caps_its_receivables_earliest_due_first() -> None:
    items = [
        receivable("INV-2", 50_000, due=ON + dt.timedelta(days=60)),
        receivable("INV-1", 60_000, due=ON + dt.timedelta(days=30)),
        receivable("INV-3", 10_000, due=ON + dt.timedelta(days=90)),
        receivable("INV-B", 20_000, buyer=BOLT),
    ]
    base = borrowing_base(items, {ACME: 100_000}, advance_rate=Decimal("0.75"), on=ON, currency="USD")
    by_invoice = {line.receivable.invoice_number: line for line in base.lines}
    assert by_invoice["INV-1"].eligibility is Eligibility.ELIGIBLE
    assert by_invoice["INV-2"].eligibility is Eligibility.PART_ABOVE_LIMIT
    assert by_invoice["INV-2"].eligible_minor == 40_000
    assert by_invoice["INV-3"].eligibility is Eligibility.ABOVE_LIMIT
    # Bolt has no limit at all: nothing of it counts.
    assert by_invoice["INV-B"].eligibility is Eligibility.ABOVE_LIMIT
    assert base.eligible_minor == 100_000
    assert base.base == usd("750.00")


def test_the_base_rounds_half_up_once() -> None:
    base = borrowing_base(
        [receivable("INV-1", 1)], {ACME: 1}, advance_rate=Decimal("0.5"), on=ON, currency="USD"
    )
    assert base.base_minor == 1  # 0.5 cent rounds up


@pytest.mark.parametrize("rate", [Decimal("0.91"), Decimal(0), Decimal("-0.1"), Decimal("NaN"), Decimal(1)])
def test_an_advance_rate_above_90_percent_or_not_positive_is_refused(rate: Decimal) -> None:
    with pytest.raises(ValidationError):
        check_advance_rate(rate)


def test_an_advance_rate_of_exactly_90_percent_is_allowed() -> None:
    assert check_advance_rate(Decimal("0.90")) == Decimal("0.90")


def test_a_drawing_stays_within_the_base_and_the_limit() -> None:
    check_drawing(usd("20"), outstanding=usd("50"), base=usd("70"), limit=usd("100"))
    with pytest.raises(BusinessRuleViolation, match="borrowing base"):
        check_drawing(usd("20.01"), outstanding=usd("50"), base=usd("70"), limit=usd("100"))
    with pytest.raises(BusinessRuleViolation, match="facility limit"):
        check_drawing(usd("60"), outstanding=usd("50"), base=usd("500"), limit=usd("100"))
    with pytest.raises(ValidationError):
        check_drawing(usd("0"), outstanding=usd("0"), base=usd("500"), limit=usd("100"))
    assert available(outstanding=usd("50"), base=usd("70"), limit=usd("100")) == usd("20")
    assert available(outstanding=usd("80"), base=usd("70"), limit=usd("100")) == usd("0")


def test_a_repayment_is_not_more_than_the_outstanding() -> None:
    check_repayment(usd("50"), outstanding=usd("50"))
    with pytest.raises(BusinessRuleViolation):
        check_repayment(usd("50.01"), outstanding=usd("50"))


def test_nothing_moves_before_the_start_after_maturity_or_once_closed() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    check_value_date(end, starts_on=start, matures_on=end, active=True)
    for day, active in ((dt.date(2025, 12, 31), True), (dt.date(2027, 1, 1), True), (start, False)):
        with pytest.raises(BusinessRuleViolation):
            check_value_date(day, starts_on=start, matures_on=end, active=active)
