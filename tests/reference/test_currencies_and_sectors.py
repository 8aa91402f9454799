"""Platform currencies (ISO 4217 names and minor units from the iso4217 library) and sectors."""

from __future__ import annotations

import pytest

from tradecover.errors import ValidationError
from tradecover.money import minor_unit_exponent
from tradecover.reference.currencies import get_currency, platform_currencies
from tradecover.reference.sectors import all_sectors, get_sector

TRADED = [
    "CNY",
    "USD",
    "EUR",
    "GBP",
    "JPY",
    "HKD",
    "SGD",
    "MYR",
    "THB",
    "VND",
    "IDR",
    "PHP",
    "KRW",
    "AUD",
    "CAD",
    "CHF",
]


def test_the_platform_trades_in_the_currencies_of_china_its_markets_and_asean() -> None:
    codes = [currency.code for currency in platform_currencies()]
    assert set(TRADED) <= set(codes)
    assert len(codes) == len(set(codes))
    assert codes[0] == "CNY"


def test_currency_exponents_and_names_come_from_iso_4217() -> None:
    for currency in platform_currencies():
        assert currency.exponent == minor_unit_exponent(currency.code)
        assert currency.name
    assert get_currency("JPY").exponent == 0
    assert get_currency("KRW").exponent == 0
    assert get_currency("USD").exponent == 2
    assert get_currency("CNY").name == "Yuan Renminbi"


def test_a_currency_code_is_found_in_any_case() -> None:
    assert get_currency("usd") == get_currency("USD")


@pytest.mark.parametrize("code", ["XYZ", "KWD", "", "US"])
def test_a_currency_the_platform_does_not_trade_in_is_a_validation_error(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        get_currency(code)
    assert refused.value.field == "currency"


def test_sectors_have_unique_snake_case_codes_and_names() -> None:
    sectors = all_sectors()
    codes = [sector.code for sector in sectors]
    assert len(codes) == len(set(codes)) >= 15
    assert {"consumer_goods", "electronics", "textiles_apparel", "public_sector"} <= set(codes)
    assert all(sector.name and sector.code.islower() for sector in sectors)
    assert get_sector("electronics").name == "Electronics and electrical equipment"


@pytest.mark.parametrize("code", ["Electronics", "banking", ""])
def test_an_unknown_sector_is_a_validation_error_on_the_sector_field(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        get_sector(code)
    assert refused.value.field == "sector"
