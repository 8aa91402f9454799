"""Properties of exact money: no float, no currency mixing, one half-up rounding, exact allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.money import CurrencyMismatch, Money, Rate, allocate, minor_unit_exponent, round_half_up

# One currency of each minor-unit exponent: JPY 0, USD 2, KWD 3 (and CNY, the platform's home currency).
CURRENCIES = ["JPY", "USD", "KWD", "CNY"]

currencies = st.sampled_from(CURRENCIES)
minor_amounts = st.integers(min_value=-(10**15), max_value=10**15)
floats = st.floats(allow_nan=False, allow_infinity=False)
exact_weights = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False, allow_infinity=False),
    st.builds(
        Rate.of, st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
    ),
)


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    """Any amount of a currency, negative and zero included."""
    return Money.from_minor(draw(minor_amounts), currency or draw(currencies))


@st.composite
def two_currencies(draw: st.DrawFn) -> tuple[str, str]:
    """Two different currencies."""
    first = draw(currencies)
    second = draw(currencies.filter(lambda code: code != first))
    return first, second


def weight_value(weight: Decimal | Rate | int) -> Fraction:
    """A weight as an exact fraction, for computing exact quotas independently of Decimal precision."""
    return Fraction(weight.value if isinstance(weight, Rate) else weight)


# no float accepted anywhere --------------------------------------------------------------------------


@given(floats, currencies)
def test_money_refuses_a_float_amount_in_every_constructor(amount: float, currency: str) -> None:
    with pytest.raises(TypeError):
        Money(amount, currency)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(amount, currency)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.rounded(amount, currency)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.from_minor(amount, currency)  # type: ignore[arg-type]


@given(floats)
def test_rate_refuses_a_float(value: float) -> None:
    with pytest.raises(TypeError):
        Rate(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Rate.of(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Rate.percent(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Rate.of("0.5") * value  # type: ignore[operator]


@given(money(), floats)
def test_multiplying_money_by_a_float_is_refused(amount: Money, factor: float) -> None:
    with pytest.raises(TypeError):
        amount * factor  # type: ignore[operator]
    with pytest.raises(TypeError):
        factor * amount  # type: ignore[operator]


@given(money(), st.lists(exact_weights, min_size=0, max_size=5), floats)
def test_allocating_with_a_float_weight_is_refused(
    total: Money, weights: list[Decimal | Rate | int], bad: float
) -> None:
    with pytest.raises(TypeError):
        allocate(total, [*weights, bad])  # type: ignore[list-item]


@given(money())
def test_a_bool_is_not_a_number_for_money(amount: Money) -> None:
    with pytest.raises(TypeError):
        Money(True, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        amount * True


# no currency mixing ----------------------------------------------------------------------------------


@given(two_currencies(), minor_amounts, minor_amounts)
def test_amounts_of_different_currencies_never_combine(pair: tuple[str, str], a: int, b: int) -> None:
    left, right = Money.from_minor(a, pair[0]), Money.from_minor(b, pair[1])
    for combine in (
        lambda: left + right,
        lambda: left - right,
        lambda: left < right,
        lambda: left <= right,
        lambda: left > right,
        lambda: left >= right,
        lambda: left.min(right),
        lambda: left.max(right),
    ):
        with pytest.raises(CurrencyMismatch) as refused:
            combine()
        assert refused.value.field == "currency"
    assert left != right


@given(currencies, minor_amounts, minor_amounts)
def test_addition_and_subtraction_in_one_currency_are_exact(currency: str, a: int, b: int) -> None:
    left, right = Money.from_minor(a, currency), Money.from_minor(b, currency)
    assert (left + right).minor_units == a + b
    assert (left - right).minor_units == a - b
    assert (left < right) == (a < b)
    assert (left >= right) == (a >= b)
    assert (-left).minor_units == -a


# rounding -------------------------------------------------------------------------------------------


def test_round_half_up_rounds_ties_away_from_zero() -> None:
    assert round_half_up(Decimal("0.005"), "USD") == Decimal("0.01")
    assert round_half_up(Decimal("-0.005"), "USD") == Decimal("-0.01")
    assert round_half_up(Decimal("0.0049999"), "USD") == Decimal("0.00")
    assert round_half_up(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_half_up(Decimal("-2.5"), "JPY") == Decimal("-3")
    assert round_half_up(Decimal("0.0125"), "CNY") == Decimal("0.01")
    assert round_half_up(Decimal("1.0005"), "KWD") == Decimal("1.001")


@given(currencies, st.decimals(min_value=-(10**12), max_value=10**12, places=8, allow_nan=False))
def test_round_half_up_is_nearest_with_ties_away_from_zero(currency: str, exact: Decimal) -> None:
    rounded = round_half_up(exact, currency)
    half = Decimal(1).scaleb(-minor_unit_exponent(currency)) / 2
    assert rounded == rounded.quantize(Decimal(1).scaleb(-minor_unit_exponent(currency)))
    assert abs(rounded - exact) <= half
    if abs(rounded - exact) == half:
        assert abs(rounded) > abs(exact)


@given(money(), st.decimals(min_value=-10, max_value=10, places=6, allow_nan=False))
def test_multiplication_rounds_the_exact_product_once(amount: Money, factor: Decimal) -> None:
    assert (amount * factor).amount == round_half_up(amount.amount * factor, amount.currency)
    assert (amount * Rate(factor)) == (amount * factor)


# construction ----------------------------------------------------------------------------------------


@given(minor_amounts, currencies)
def test_money_from_minor_units_gives_back_the_same_minor_units(minor: int, currency: str) -> None:
    amount = Money.from_minor(minor, currency)
    assert amount.minor_units == minor
    assert Money.of(amount.amount, currency) == amount


@given(minor_amounts, currencies, st.integers(min_value=1, max_value=9))
def test_money_refuses_precision_below_the_minor_unit(minor: int, currency: str, digit: int) -> None:
    exponent = minor_unit_exponent(currency)
    finer = Decimal(minor).scaleb(-exponent) + Decimal(digit).scaleb(-exponent - 1)
    with pytest.raises(ValidationError) as refused:
        Money.of(finer, currency)
    assert refused.value.field == "amount"


def test_money_accepts_trailing_zeros_below_the_minor_unit() -> None:
    assert Money.of("100.0", "JPY").minor_units == 100
    assert Money.of("1.2300", "USD").minor_units == 123


def test_a_currency_without_minor_unit_or_unknown_is_refused() -> None:
    for code in ("XAU", "ABC"):
        with pytest.raises(ValidationError) as refused:
            Money.of("1", code)
        assert refused.value.field == "currency"


# allocation ------------------------------------------------------------------------------------------

weight_lists = st.lists(exact_weights, min_size=1, max_size=8).filter(
    lambda ws: sum(weight_value(w) for w in ws) > 0
)


@given(money(), weight_lists)
def test_allocated_parts_add_up_exactly_to_the_total(
    total: Money, weights: list[Decimal | Rate | int]
) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert all(part.currency == total.currency for part in parts)
    assert sum(part.minor_units for part in parts) == total.minor_units


@given(money(), weight_lists)
def test_each_part_is_within_one_minor_unit_of_its_exact_quota(
    total: Money, weights: list[Decimal | Rate | int]
) -> None:
    exact = [weight_value(w) for w in weights]
    weight_sum = sum(exact)
    for part, weight in zip(allocate(total, weights), exact, strict=True):
        quota = Fraction(total.minor_units) * weight / weight_sum
        assert abs(part.minor_units - quota) < 1
        if weight == 0:
            assert part.is_zero


@given(money(), weight_lists)
def test_left_over_units_go_to_the_largest_remainders_and_ties_to_earlier_parts(
    total: Money, weights: list[Decimal | Rate | int]
) -> None:
    exact = [weight_value(w) for w in weights]
    units = abs(total.minor_units)
    quotas = [units * w / sum(exact) for w in exact]
    parts = [abs(part.minor_units) for part in allocate(total, weights)]
    extra = [part > int(quota) for part, quota in zip(parts, quotas, strict=True)]
    remainders = [quota - int(quota) for quota in quotas]
    for i, got in enumerate(extra):
        for j, missed in enumerate(extra):
            if got and not missed:
                assert remainders[i] > remainders[j] or (remainders[i] == remainders[j] and i < j)


@given(st.integers(min_value=1, max_value=10**6), currencies, st.integers(min_value=2, max_value=7))
def test_equal_weights_give_earlier_parts_the_left_over_units(units: int, currency: str, count: int) -> None:
    parts = [part.minor_units for part in allocate(Money.from_minor(units, currency), [1] * count)]
    assert parts == sorted(parts, reverse=True)
    assert parts[0] - parts[-1] <= 1


@given(money(), weight_lists)
def test_allocating_a_negative_total_mirrors_the_positive_one(
    total: Money, weights: list[Decimal | Rate | int]
) -> None:
    assert [-p for p in allocate(-total, weights)] == allocate(total, weights)


def test_allocation_examples_from_the_pool_rules() -> None:
    five_cents = Money.of("0.05", "USD")
    assert five_cents.allocate([1, 1, 1]) == [
        Money.of("0.02", "USD"),
        Money.of("0.02", "USD"),
        Money.of("0.01", "USD"),
    ]
    shares = [Rate.percent("50"), Rate.percent("30"), Rate.percent("20")]
    assert Money.of("1001", "JPY").allocate(shares) == [Money.of(n, "JPY") for n in ("501", "300", "200")]
    assert allocate(Money.of("-0.05", "USD"), [1, 1, 1])[0] == Money.of("-0.02", "USD")


@given(money(), st.lists(st.just(0), min_size=1, max_size=4))
def test_allocation_refuses_weights_that_sum_to_zero(total: Money, weights: list[int]) -> None:
    with pytest.raises(ValidationError) as refused:
        allocate(total, weights)
    assert refused.value.field == "weights"


@given(money(), st.integers(min_value=-(10**6), max_value=-1))
def test_allocation_refuses_a_negative_weight(total: Money, negative: int) -> None:
    with pytest.raises(ValidationError) as refused:
        allocate(total, [10, negative, 5])
    assert refused.value.field == "weights"


def test_allocation_refuses_no_weights() -> None:
    with pytest.raises(ValidationError):
        allocate(Money.of("1", "USD"), [])


@given(currencies, st.integers(min_value=29, max_value=60))
def test_an_amount_beyond_exact_decimal_precision_is_refused_as_invalid_input(
    currency: str, digits: int
) -> None:
    with pytest.raises(ValidationError) as refused:
        Money.of(Decimal(1).scaleb(digits), currency)
    assert refused.value.field == "amount"
    with pytest.raises(ValidationError):
        Money.rounded(Decimal(1).scaleb(digits), currency)


def test_the_largest_amounts_within_precision_stay_exact() -> None:
    big = Money.of("99999999999999999999999999.99", "USD")
    assert big.minor_units == 10**28 - 1
    assert (big - big).is_zero


def test_allocation_is_exact_for_weights_longer_than_the_decimal_precision() -> None:
    third = Decimal("0.3333333333333333333333333333333333")
    parts = allocate(
        Money.of("100.00", "USD"), [third, third, Decimal("0.3333333333333333333333333333333334")]
    )
    assert parts == [Money.of("33.33", "USD"), Money.of("33.33", "USD"), Money.of("33.34", "USD")]
