"""Dated FX reference rates: the latest rate on or before a date, cross rates through USD, one rounding."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.money import Money, minor_unit_exponent
from tradecover.reference.currencies import platform_currencies
from tradecover.reference.fx import MAX_RATE_AGE, convert, fx_rate, rate_dates, read_fx_rates
from tradecover.reference.table import data_file

CODES = [currency.code for currency in platform_currencies()]
FIRST, LAST = rate_dates()
TABLE = read_fx_rates(data_file("fx_rates.csv"), CODES)

covered_days = st.dates(min_value=FIRST, max_value=LAST + MAX_RATE_AGE)
codes = st.sampled_from(CODES)


def per_usd(code: str, on: date) -> Decimal:
    """Units of `code` per USD from the table row in force on `on`, found by a plain scan."""
    if code == "USD":
        return Decimal(1)
    index = max(i for i, day in enumerate(TABLE.dates) if day <= on)
    return TABLE.per_usd[code][index]


def test_the_table_covers_every_platform_currency_from_2024_to_the_end_of_2026() -> None:
    assert date(2024, 1, 1) == FIRST
    assert date(2026, 12, 1) <= LAST
    assert set(TABLE.per_usd) == set(CODES) - {"USD"}
    assert all(len(rates) == len(TABLE.dates) for rates in TABLE.per_usd.values())
    gaps = [later - earlier for earlier, later in zip(TABLE.dates, TABLE.dates[1:], strict=False)]
    assert max(gaps) <= MAX_RATE_AGE


def test_usd_cny_stays_in_a_plausible_band_throughout() -> None:
    assert all(Decimal("6.8") <= rate <= Decimal("7.5") for rate in TABLE.per_usd["CNY"])


def test_a_rate_on_a_table_date_is_that_rows_rate() -> None:
    assert fx_rate("USD", "CNY", date(2024, 1, 1)) == Decimal("7.1000")


def test_a_date_between_rows_takes_the_latest_rate_on_or_before_it() -> None:
    first_of_month = fx_rate("USD", "CNY", date(2024, 1, 1))
    assert fx_rate("USD", "CNY", date(2024, 1, 31)) == first_of_month
    assert fx_rate("USD", "CNY", date(2024, 2, 1)) != first_of_month
    assert fx_rate("USD", "CNY", date(2024, 2, 1)) == TABLE.per_usd["CNY"][1]


def test_a_date_before_the_first_rate_is_refused_with_a_message_naming_the_first_date() -> None:
    with pytest.raises(ValidationError) as refused:
        fx_rate("USD", "CNY", FIRST - timedelta(days=1))
    assert refused.value.field == "date"
    assert FIRST.isoformat() in refused.value.message


def test_a_date_long_after_the_last_rate_is_refused_rather_than_using_a_stale_rate() -> None:
    assert fx_rate("USD", "EUR", LAST + MAX_RATE_AGE) == TABLE.per_usd["EUR"][-1]
    with pytest.raises(ValidationError) as refused:
        fx_rate("USD", "EUR", LAST + MAX_RATE_AGE + timedelta(days=1))
    assert refused.value.field == "date"
    assert LAST.isoformat() in refused.value.message


def exact_half_up_minor_units(exact: Fraction, exponent: int) -> int:
    """Round an exact fraction half up (away from zero) to whole minor units, independently of Decimal."""
    scale: int = 10**exponent
    scaled = abs(exact) * scale
    units = (scaled + Fraction(1, 2)) // 1
    return units if exact >= 0 else -units


@given(codes, codes, covered_days)
def test_cross_rates_go_through_usd(base: str, quote: str, on: date) -> None:
    exact = Fraction(per_usd(quote, on)) / Fraction(per_usd(base, on))
    assert abs(Fraction(fx_rate(base, quote, on)) - exact) <= exact * Fraction(1, 10**30)
    if base == quote:
        assert fx_rate(base, quote, on) == 1


@given(codes, codes, covered_days)
def test_a_rate_and_its_inverse_multiply_to_one_within_decimal_precision(
    base: str, quote: str, on: date
) -> None:
    assert abs(fx_rate(base, quote, on) * fx_rate(quote, base, on) - 1) < Decimal("1e-25")


def test_a_currency_converted_to_itself_is_unchanged_on_any_date() -> None:
    amount = Money.of("123.45", "USD")
    assert convert(amount, "USD", date(2020, 1, 1)) == amount
    assert fx_rate("EUR", "EUR", date(2020, 1, 1)) == 1


@given(st.integers(min_value=-(10**12), max_value=10**12), codes, codes, covered_days)
def test_conversion_rounds_the_exact_amount_half_up_once(minor: int, base: str, quote: str, on: date) -> None:
    amount = Money.from_minor(minor, base)
    converted = convert(amount, quote, on)
    assert converted.currency == quote
    exact = Fraction(amount.amount) * Fraction(per_usd(quote, on)) / Fraction(per_usd(base, on))
    assert converted.minor_units == exact_half_up_minor_units(exact, minor_unit_exponent(quote))


def test_a_cross_conversion_is_not_rounded_twice_through_usd() -> None:
    on = date(2025, 3, 15)
    one_euro = Money.of("1.00", "EUR")
    via_usd = convert(convert(one_euro, "USD", on), "JPY", on)
    direct = convert(one_euro, "JPY", on)
    exact = Decimal("1.00") * per_usd("JPY", on) / per_usd("EUR", on)
    assert direct == Money.rounded(exact, "JPY")
    assert direct != via_usd


def test_a_conversion_landing_exactly_on_half_a_minor_unit_rounds_up() -> None:
    # AED is pegged at 3.6725 per USD: USD 2.00 is exactly AED 7.345.
    assert convert(Money.of("2.00", "USD"), "AED", date(2025, 6, 1)) == Money.of("7.35", "AED")
    assert convert(Money.of("-2.00", "USD"), "AED", date(2025, 6, 1)) == Money.of("-7.35", "AED")


def test_conversion_needs_a_date_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        convert(Money.of("1", "USD"), "CNY", datetime(2025, 1, 1, 12, 0))  # noqa: DTZ001
    with pytest.raises(TypeError):
        convert(Money.of("1", "USD"), "CNY")  # type: ignore[call-arg]


@pytest.mark.parametrize(("base", "quote"), [("USD", "XYZ"), ("KWD", "USD"), ("usd", "")])
def test_an_unknown_or_untraded_currency_is_refused(base: str, quote: str) -> None:
    with pytest.raises(ValidationError) as refused:
        fx_rate(base, quote, date(2025, 1, 1))
    assert refused.value.field == "currency"


def _build_script() -> ModuleType:
    path = data_file("build_fx_rates.py")
    spec = importlib.util.spec_from_file_location("build_fx_rates", str(path))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_is_what_the_build_script_writes() -> None:
    rows = _build_script().month_start_rates()
    assert [day for day, _ in rows] == TABLE.dates
    for index, (_, rates) in enumerate(rows):
        for code, rate in rates.items():
            assert TABLE.per_usd[code][index] == rate
