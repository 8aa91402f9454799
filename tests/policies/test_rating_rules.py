"""Rating: exact rates from the grid, one rounding per premium, premiums that rise with risk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.money import Money, Rate
from tradecover.policies.defaults import base_rate_grid
from tradecover.policies.rules import (
    CREDIT_DAY_BANDS,
    BookLine,
    RateGrid,
    price_book,
    price_shipment,
    refusal_reason,
)

GRID = base_rate_grid()
grades = st.integers(min_value=1, max_value=8)
country_grades = st.integers(min_value=0, max_value=7)
credit_days = st.integers(min_value=1, max_value=360)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2).map(
    lambda d: Money.of(d, "USD")
)
discounts = st.decimals(min_value=Decimal(0), max_value=Decimal("0.99"), places=4).map(Rate.of)


def test_a_rate_is_looked_up_by_band_exactly() -> None:
    assert GRID.rate_for(1, 0, 30) == Decimal("0.001200")
    assert GRID.rate_for(2, 0, 31) == Decimal("0.001500")
    assert GRID.rate_for(8, 7, 360) == Decimal("0.057600")


def test_a_shipment_premium_is_amount_times_rate_times_the_rest_after_discount_rounded_once() -> None:
    # 123,456.79 × 0.008881 × 0.9 = 986.7776... → 986.78
    premium = price_shipment(
        GRID,
        buyer_grade=5,
        country_grade=3,
        credit_days=100,
        amount=Money.of("123456.79", "USD"),
        discount=Rate.percent(10),
    )
    assert premium == Money.of("986.78", "USD")


def test_rounding_happens_once_not_per_factor() -> None:
    # 1,254.17 × 0.0012 = 1.505004; rounded there it would be 1.51, then × 0.5 = 0.755 → 0.76.
    # Once: 1,254.17 × 0.0012 × 0.5 = 0.752502 → 0.75.
    premium = price_shipment(
        GRID,
        buyer_grade=1,
        country_grade=0,
        credit_days=30,
        amount=Money.of("1254.17", "USD"),
        discount=Rate.percent(50),
    )
    assert premium == Money.of("0.75", "USD")


@given(grade=grades, country=country_grades, days=credit_days, amount=amounts, discount=discounts)
def test_a_premium_equals_the_exact_product_rounded_half_up_once(
    grade: int, country: int, days: int, amount: Money, discount: Rate
) -> None:
    premium = price_shipment(
        GRID, buyer_grade=grade, country_grade=country, credit_days=days, amount=amount, discount=discount
    )
    exact = amount.amount * GRID.rate_for(grade, country, days) * (1 - discount.value)
    assert premium == Money.rounded(exact, "USD")
    assert abs(premium.amount - exact) <= Decimal("0.005")


@given(grade=grades, country=country_grades, days=credit_days, amount=amounts)
def test_a_premium_never_falls_when_the_buyer_grade_country_grade_or_credit_period_worsens(
    grade: int, country: int, days: int, amount: Money
) -> None:
    def premium(g: int, c: int, d: int) -> Money:
        return price_shipment(GRID, buyer_grade=g, country_grade=c, credit_days=d, amount=amount)

    base = premium(grade, country, days)
    assert premium(min(grade + 1, 8), country, days) >= base
    assert premium(grade, min(country + 1, 7), days) >= base
    assert premium(grade, country, min(days + 30, 360)) >= base


def test_a_buyer_worse_than_the_table_or_a_period_beyond_it_has_no_rate() -> None:
    with pytest.raises(BusinessRuleViolation, match="buyer grade 9"):
        GRID.rate_for(9, 0, 30)
    with pytest.raises(BusinessRuleViolation, match="361 days"):
        GRID.rate_for(1, 0, 361)
    with pytest.raises(ValidationError):
        GRID.rate_for(1, 8, 30)


def test_a_grid_whose_rate_falls_as_risk_rises_is_refused() -> None:
    rates = dict(GRID.rates)
    rates[(4, 3, 90)] = Decimal("0.0001")
    with pytest.raises(ValidationError, match="must not fall"):
        RateGrid(GRID.buyer_grade_bands, CREDIT_DAY_BANDS, rates)


def test_a_grid_with_a_missing_cell_or_a_rate_of_one_is_refused() -> None:
    rates = dict(GRID.rates)
    del rates[(2, 0, 30)]
    with pytest.raises(ValidationError, match="no rate"):
        RateGrid(GRID.buyer_grade_bands, CREDIT_DAY_BANDS, rates)
    rates = dict(GRID.rates)
    rates[(8, 7, 360)] = Decimal(1)
    with pytest.raises(ValidationError, match="below 1"):
        RateGrid(GRID.buyer_grade_bands, CREDIT_DAY_BANDS, rates)


def _line(country: str, country_grade: int, amount: str) -> BookLine:
    return BookLine(country, country_grade, 5, 90, Money.of(amount, "USD"))


def test_a_book_is_priced_line_by_line_and_the_estimate_is_at_least_the_minimum_premium() -> None:
    lines = [_line("US", 1, "2000000"), _line("DE", 0, "1000000")]
    priced = price_book(GRID, lines, minimum_premium=Money.of("5000", "USD"))
    assert [lp.premium for lp in priced.lines] == [
        Money.of("2000000", "USD") * GRID.rate_for(5, 1, 90),
        Money.of("1000000", "USD") * GRID.rate_for(5, 0, 90),
    ]
    assert priced.premium == priced.lines[0].premium + priced.lines[1].premium
    assert priced.estimated_premium == priced.premium.max(Money.of("5000", "USD"))
    small = price_book(GRID, [_line("DE", 0, "1000")], minimum_premium=Money.of("5000", "USD"))
    assert small.estimated_premium == Money.of("5000", "USD")
    assert small.premium < small.estimated_premium


@given(amounts=st.lists(amounts, min_size=1, max_size=6), discount=discounts)
def test_a_book_premium_is_the_sum_of_its_lines_each_rounded_once(
    amounts: list[Money], discount: Rate
) -> None:
    lines = [_line("US", 1, format(a.amount, "f")) for a in amounts]
    priced = price_book(GRID, lines, minimum_premium=Money.zero("USD"), discount=discount)
    rate = GRID.rate_for(5, 1, 90) * (1 - discount.value)
    assert priced.premium == sum((Money.rounded(a.amount * rate, "USD") for a in amounts), Money.zero("USD"))


def test_a_book_line_in_another_currency_or_without_turnover_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        price_book(GRID, [BookLine("DE", 0, 5, 90, Money.of("1", "EUR"))], minimum_premium=Money.zero("USD"))
    assert refused.value.field == "lines.0"
    with pytest.raises(ValidationError, match="at least one line"):
        price_book(GRID, [], minimum_premium=Money.zero("USD"))


def test_appetite_refuses_a_country_by_name_or_by_grade_and_a_buyer_beyond_the_maximum_grade() -> None:
    lines = [_line("DE", 0, "1"), _line("US", 1, "1")]
    reason = refusal_reason(
        insurer_name="Gamma", max_country_grade=7, refused_countries=["US"], lines=lines, max_buyer_grade=8
    )
    assert reason == "Gamma does not cover buyers in US"
    reason = refusal_reason(
        insurer_name="Gamma", max_country_grade=0, refused_countries=[], lines=lines, max_buyer_grade=8
    )
    assert reason == "Gamma covers countries up to grade 0; US is graded 1"
    bad = [BookLine("DE", 0, 9, 90, Money.of("1", "USD"))]
    reason = refusal_reason(
        insurer_name="Gamma", max_country_grade=7, refused_countries=[], lines=bad, max_buyer_grade=8
    )
    assert reason == "buyer grade 9 exceeds the product's maximum grade 8"
    assert (
        refusal_reason(
            insurer_name="Gamma", max_country_grade=7, refused_countries=[], lines=lines, max_buyer_grade=8
        )
        is None
    )


def test_a_discount_of_all_the_premium_or_an_adjustment_below_minus_100_percent_is_refused() -> None:
    amount = Money.of("100", "USD")
    with pytest.raises(ValidationError) as refused:
        price_shipment(
            GRID, buyer_grade=1, country_grade=0, credit_days=30, amount=amount, discount=Rate.of(1)
        )
    assert refused.value.field == "discount"
    with pytest.raises(ValidationError) as refused:
        price_shipment(
            GRID, buyer_grade=1, country_grade=0, credit_days=30, amount=amount, adjustment=Decimal("-1")
        )
    assert refused.value.field == "rate_adjustment"
