"""The pure premium rules: a line rounded once, the true-up, payment splits and the dunning schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.money import Money, Rate
from tradecover.policies.defaults import base_rate_grid
from tradecover.premiums.rules import (
    DunningLevel,
    DunningSchedule,
    LineFacts,
    allocate_to_open,
    due_date,
    dunning_level,
    month_bounds,
    rate_line,
    split_payment,
    true_up,
)


def usd(amount: str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")


GRID = base_rate_grid()


def test_a_line_is_priced_at_its_cell_and_rounded_half_up_once() -> None:
    facts = LineFacts(usd("12345.67"), buyer_grade=3, country_grade=2, credit_days=75)
    rated = rate_line(GRID, facts, adjustment=Decimal("-0.1"), discount=Rate(Decimal("0.15")))
    assert (rated.buyer_grade_band, rated.country_grade, rated.credit_day_band) == (4, 2, 90)
    assert rated.rate == GRID.rates[(4, 2, 90)]
    exact = Decimal("12345.67") * rated.rate * Decimal("0.9") * Decimal("0.85")
    assert rated.premium == Money.rounded(exact, "USD")


def test_half_a_cent_rounds_up() -> None:
    rated = rate_line(
        GRID, LineFacts(usd("1.00"), 1, 0, 30), adjustment=Decimal(0), discount=Rate(Decimal(0))
    )
    assert rated.premium == Money.rounded(rated.rate, "USD")
    half = Money.rounded(Decimal("0.005"), "USD")
    assert half == usd("0.01")


@given(
    cents=st.integers(min_value=1, max_value=10**11),
    grade=st.integers(min_value=1, max_value=8),
    country=st.integers(min_value=0, max_value=7),
    days=st.integers(min_value=1, max_value=360),
)
def test_a_line_premium_is_never_more_than_half_a_cent_from_the_exact_product(
    cents: int, grade: int, country: int, days: int
) -> None:
    insured = Money.from_minor(cents, "USD")
    rated = rate_line(
        GRID, LineFacts(insured, grade, country, days), adjustment=Decimal(0), discount=Rate(Decimal(0))
    )
    exact = insured.amount * rated.rate
    assert abs(rated.premium.amount - exact) <= Decimal("0.005")


def test_the_true_up_is_the_shortfall_below_the_minimum_premium() -> None:
    assert true_up(usd("1200.00"), usd("5000.00")) == usd("3800.00")
    assert true_up(usd("5000.00"), usd("5000.00")) == usd("0")
    assert true_up(usd("7000.00"), usd("5000.00")) == usd("0")
    with pytest.raises(ValidationError):
        true_up(usd("1.00"), Money.of("5", "CNY"))


def test_a_payment_settles_what_is_open_and_the_rest_is_an_overpayment() -> None:
    part = split_payment(usd("100"), usd("250"))
    assert (part.applied, part.over) == (usd("100"), usd("0"))
    over = split_payment(usd("300"), usd("250"))
    assert (over.applied, over.over) == (usd("250"), usd("50"))
    settled = split_payment(usd("10"), usd("0"))
    assert (settled.applied, settled.over) == (usd("0"), usd("10"))
    with pytest.raises(ValidationError):
        split_payment(usd("0"), usd("10"))


@given(
    opens=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=5),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_an_applied_amount_splits_exactly_and_no_member_gets_more_than_it_has_open(
    opens: list[int], fraction: object
) -> None:
    total = sum(opens)
    applied_minor = int(total * fraction)  # type: ignore[operator]
    parts = allocate_to_open(
        Money.from_minor(applied_minor, "USD"), [Money.from_minor(o, "USD") for o in opens]
    )
    assert sum(p.minor_units for p in parts) == applied_minor
    assert all(0 <= p.minor_units <= o for p, o in zip(parts, opens, strict=True))


def test_dunning_steps_follow_the_days_past_due() -> None:
    schedule = DunningSchedule()
    due = dt.date(2025, 4, 30)
    assert dunning_level(due, due, schedule) is DunningLevel.NONE
    assert dunning_level(due, due + dt.timedelta(days=1), schedule) is DunningLevel.REMINDER
    assert dunning_level(due, due + dt.timedelta(days=15), schedule) is DunningLevel.SECOND_REMINDER
    assert dunning_level(due, due + dt.timedelta(days=30), schedule) is DunningLevel.NON_PAYMENT
    with pytest.raises(ValidationError):
        DunningSchedule(reminder_days=10, second_reminder_days=5, non_payment_days=30)


def test_months_and_due_dates() -> None:
    assert month_bounds("2025-02") == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert month_bounds("2024-02")[1] == dt.date(2024, 2, 29)
    for bad in ("2025-13", "2025", "March"):
        with pytest.raises(ValidationError):
            month_bounds(bad)
    assert due_date(dt.date(2025, 3, 5)) == dt.date(2025, 4, 4)
