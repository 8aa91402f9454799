"""The pure rules of a shipment declaration: a verdict per rule, the insured part, payments oldest first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.declarations.rules import (
    CoverFacts,
    CoverSource,
    OpenInvoice,
    Outcome,
    Rule,
    ShipmentFacts,
    apply_payment,
    check_currency,
    check_shipment,
    declaration_deadline,
    insured_outstanding,
    judge_shipment,
    show,
)
from tradecover.errors import ValidationError
from tradecover.reference.calendars import calendar_for_currency

SHIPPED = dt.date(2025, 3, 5)


def shipment(amount: int = 5_000_000, credit_days: int = 90, declared_on: dt.date = SHIPPED) -> ShipmentFacts:
    """A USD shipment made on 5 March 2025."""
    return ShipmentFacts(
        "INV-1", "USD", amount, SHIPPED, SHIPPED + dt.timedelta(days=credit_days), declared_on
    )


def cover(
    limit: int = 10_000_000,
    exposure: int = 0,
    source: CoverSource = CoverSource.LIMIT,
    deadline: dt.date = dt.date(2025, 3, 12),
    stopped_since: dt.date | None = None,
    loss_event_on: dt.date | None = None,
) -> CoverFacts:
    """A limit of USD 100,000 with a maximum credit period of 180 days."""
    return CoverFacts(180, deadline, source, limit, exposure, stopped_since, loss_event_on)


def verdict_of(result: object, rule: Rule) -> tuple[Outcome, str]:
    """The outcome and words of one rule."""
    found = next(v for v in result.verdicts if v.rule is rule)  # type: ignore[attr-defined]
    return found.outcome, found.text


def test_a_shipment_within_the_available_limit_is_insured_in_full_with_every_rule_passed() -> None:
    result = judge_shipment(shipment(), cover())
    assert result.insured_minor == 5_000_000
    assert all(v.outcome is Outcome.PASSED for v in result.verdicts)
    # The overdue-report rule speaks only once an invoice lost its cover.
    assert [v.rule for v in result.verdicts] == [rule for rule in Rule if rule is not Rule.OVERDUE_REPORT]


def test_an_invoice_whose_overdue_was_reported_late_is_out_of_cover_and_the_verdict_says_so() -> None:
    lost = dt.date(2025, 6, 3)
    result = judge_shipment(
        shipment(), dataclasses.replace(cover(), cover_lost_on=lost, cover_lost_reason="reported late")
    )
    assert result.insured_minor == 0
    assert result.verdicts[-1].rule is Rule.OVERDUE_REPORT
    assert result.summary == "not insured: out of cover from 2025-06-03: reported late"


def test_declaring_a_shipment_over_the_limit_insures_only_the_available_part() -> None:
    result = judge_shipment(shipment(amount=10_000_000), cover(exposure=6_000_000))
    assert result.insured_minor == 4_000_000
    assert verdict_of(result, Rule.LIMIT) == (
        Outcome.PARTLY,
        "USD 40,000.00 of 100,000.00 insured: available limit 40,000.00 = 100,000.00 less exposure 60,000.00",
    )
    assert result.summary.startswith("partly insured: USD 40,000.00 of 100,000.00")


def test_a_credit_period_over_the_maximum_is_not_insured_and_says_so() -> None:
    result = judge_shipment(shipment(credit_days=200), cover())
    assert result.insured_minor == 0
    assert verdict_of(result, Rule.CREDIT_PERIOD) == (
        Outcome.FAILED,
        "credit period 200 days exceeds the maximum 180",
    )
    assert result.summary == "not insured: credit period 200 days exceeds the maximum 180"


def test_a_late_declaration_is_noted_and_still_insured_when_no_loss_event_came_first() -> None:
    result = judge_shipment(shipment(declared_on=dt.date(2025, 3, 14)), cover())
    assert verdict_of(result, Rule.DEADLINE) == (
        Outcome.NOTED,
        "declared 2025-03-14, after the deadline 2025-03-12",
    )
    assert result.insured_minor == 5_000_000


def test_a_late_declaration_after_a_loss_event_on_the_buyer_is_not_insured() -> None:
    result = judge_shipment(
        shipment(declared_on=dt.date(2025, 3, 14)), cover(loss_event_on=dt.date(2025, 3, 13))
    )
    assert result.insured_minor == 0
    outcome, text = verdict_of(result, Rule.LOSS_EVENT)
    assert outcome is Outcome.FAILED
    assert text == "declared late (2025-03-14) after the loss event on the buyer (2025-03-13)"


def test_an_on_time_declaration_of_a_shipment_before_the_loss_event_stays_insured() -> None:
    result = judge_shipment(
        shipment(declared_on=dt.date(2025, 3, 10)), cover(loss_event_on=dt.date(2025, 3, 9))
    )
    assert result.insured_minor == 5_000_000


def test_a_shipment_to_a_buyer_in_stoppage_is_not_insured() -> None:
    result = judge_shipment(shipment(), cover(stopped_since=dt.date(2025, 3, 1)))
    assert result.insured_minor == 0
    assert verdict_of(result, Rule.STOPPAGE)[1] == (
        "shipped 2025-03-05 while the buyer was in stoppage (overdue reported 2025-03-01)"
    )


def test_no_limit_and_no_dcl_means_not_insured() -> None:
    result = judge_shipment(shipment(), cover(limit=0, source=CoverSource.NONE))
    assert result.insured_minor == 0
    assert verdict_of(result, Rule.LIMIT)[0] is Outcome.FAILED


def test_the_dcl_covers_like_a_limit_and_says_it_is_the_discretionary_limit() -> None:
    result = judge_shipment(shipment(amount=8_000_000), cover(limit=5_000_000, source=CoverSource.DCL))
    assert result.insured_minor == 5_000_000
    assert "available discretionary limit 50,000.00" in verdict_of(result, Rule.LIMIT)[1]


def test_the_deadline_is_five_working_days_after_shipment_in_the_policy_currency_calendar() -> None:
    # Wednesday 5 March 2025 + 5 weekdays = Wednesday 12 March.
    assert declaration_deadline(SHIPPED, calendar_for_currency("USD"), 5) == dt.date(2025, 3, 12)
    # In CNY the National Day holiday (1-8 October 2025) does not count; Saturday 11 October is worked.
    assert declaration_deadline(dt.date(2025, 9, 30), calendar_for_currency("CNY"), 5) == dt.date(
        2025, 10, 14
    )


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        (shipment(amount=0), "amount"),
        (shipment(amount=-100), "amount"),
        (ShipmentFacts("INV-1", "USD", 100, SHIPPED, SHIPPED - dt.timedelta(days=1), SHIPPED), "due_date"),
        (shipment(credit_days=400), "due_date"),
        (
            ShipmentFacts("INV-1", "USD", 100, SHIPPED, SHIPPED, SHIPPED - dt.timedelta(days=1)),
            "shipment_date",
        ),
    ],
)
def test_what_is_no_declaration_at_all_is_refused_with_its_field(facts: ShipmentFacts, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_shipment(facts, max_credit_days_with_consent=360)
    assert refused.value.field == field


@pytest.mark.parametrize("currency", ["XYZ", "EUR", ""])
def test_an_unknown_currency_or_one_other_than_the_policys_is_refused(currency: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_currency(currency, "USD")
    assert refused.value.field == "currency"


def test_a_payment_settles_the_oldest_invoice_first_and_frees_its_insured_part_pro_rata() -> None:
    older = OpenInvoice("a", dt.date(2025, 1, 10), dt.date(2025, 3, 10), "A", 10_000, 0, 8_000)
    newer = OpenInvoice("b", dt.date(2025, 2, 1), dt.date(2025, 4, 1), "B", 10_000, 0, 10_000)
    applications, unapplied = apply_payment(15_000, [newer, older])
    assert [(a.key, a.paid_minor, a.insured_released_minor, a.settles) for a in applications] == [
        ("a", 10_000, 8_000, True),
        ("b", 5_000, 5_000, False),
    ]
    assert unapplied == 0


def test_a_payment_larger_than_what_is_open_leaves_the_rest_unapplied() -> None:
    only = OpenInvoice("a", dt.date(2025, 1, 10), dt.date(2025, 3, 10), "A", 10_000, 4_000, 10_000)
    applications, unapplied = apply_payment(9_000, [only])
    assert [a.paid_minor for a in applications] == [6_000]
    assert unapplied == 3_000


def test_insured_outstanding_rounds_half_up_to_the_minor_unit() -> None:
    assert insured_outstanding(1, 1, 2) == 1  # 0.5 → 1
    assert insured_outstanding(8_000, 3_333, 10_000) == 2_666  # 2666.4 → 2666


@given(
    amount=st.integers(1, 10**9),
    insured_share=st.integers(0, 100),
    payments=st.lists(st.integers(1, 10**8), max_size=8),
)
def test_payments_free_exactly_the_insured_part_once_an_invoice_is_settled(
    amount: int, insured_share: int, payments: list[int]
) -> None:
    insured = amount * insured_share // 100
    paid, released = 0, 0
    for payment in payments:
        invoice = OpenInvoice("x", SHIPPED, SHIPPED, "X", amount, paid, insured)
        if invoice.unpaid_minor == 0:
            break
        applications, _ = apply_payment(payment, [invoice])
        paid += sum(a.paid_minor for a in applications)
        released += sum(a.insured_released_minor for a in applications)
        assert released + insured_outstanding(insured, amount - paid, amount) == insured
    if paid == amount:
        assert released == insured


def test_amounts_are_shown_with_the_currency_and_its_minor_unit() -> None:
    assert show(4_000_000, "USD") == "USD 40,000.00"
    assert show(1500, "JPY") == "JPY 1,500"
    assert show(-5, "USD") == "USD -0.05"


@given(
    amount=st.integers(1, 10**9),
    cover_minor=st.integers(0, 10**9),
    exposure=st.integers(0, 10**9),
    credit_days=st.integers(0, 360),
    late_days=st.integers(-5, 10),
    loss_offset=st.none() | st.integers(-10, 10),
    stop_offset=st.none() | st.integers(-10, 10),
    source=st.sampled_from(list(CoverSource)),
)
def test_the_insured_part_is_nothing_exactly_when_a_rule_fails_and_the_available_part_otherwise(
    amount: int,
    cover_minor: int,
    exposure: int,
    credit_days: int,
    late_days: int,
    loss_offset: int | None,
    stop_offset: int | None,
    source: CoverSource,
) -> None:
    deadline = SHIPPED + dt.timedelta(days=7)
    facts = ShipmentFacts(
        "X",
        "USD",
        amount,
        SHIPPED,
        SHIPPED + dt.timedelta(days=credit_days),
        deadline + dt.timedelta(late_days),
    )
    if source is not CoverSource.NONE and cover_minor == 0:
        cover_minor = 1
    facts_cover = CoverFacts(
        180,
        deadline,
        source,
        0 if source is CoverSource.NONE else cover_minor,
        exposure,
        None if stop_offset is None else SHIPPED + dt.timedelta(stop_offset),
        None if loss_offset is None else SHIPPED + dt.timedelta(loss_offset),
    )
    result = judge_shipment(facts, facts_cover)
    failed = any(v.outcome is Outcome.FAILED for v in result.verdicts)
    assert (result.insured_minor == 0) == failed
    if not failed:
        assert result.insured_minor == min(amount, facts_cover.available_minor)
