"""The currencies the platform trades in; names and minor units come from ISO 4217 (the iso4217 library)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from iso4217 import Currency as Iso4217Currency

from tradecover.errors import ValidationError
from tradecover.money import minor_unit_exponent
from tradecover.reference.table import DataFile, data_file, read_rows


@dataclass(frozen=True, slots=True)
class Currency:
    """A platform currency: ISO 4217 code, name and minor-unit exponent (USD 2, JPY 0)."""

    code: str
    name: str
    exponent: int


def read_currencies(path: DataFile) -> dict[str, Currency]:
    """Parse the currency list: unique ISO 4217 codes that have a minor unit."""
    _, rows = read_rows(path, ("code",))
    currencies: dict[str, Currency] = {}
    for row in rows:
        code = row.text("code")
        if code in currencies:
            raise row.fail(f"currency {code} appears twice")
        try:
            exponent = minor_unit_exponent(code)
        except ValidationError as error:
            raise row.fail(error.message) from None
        currencies[code] = Currency(code, str(Iso4217Currency(code).currency_name), exponent)
    return currencies


@functools.cache
def _currencies() -> dict[str, Currency]:
    return read_currencies(data_file("currencies.csv"))


def platform_currencies() -> list[Currency]:
    """Every currency the platform trades in, in the order of the data file (CNY first)."""
    return list(_currencies().values())


def get_currency(code: str) -> Currency:
    """A platform currency by ISO 4217 code (any case); refuses codes the platform does not trade in."""
    currency = _currencies().get(code.upper()) if isinstance(code, str) else None
    if currency is None:
        raise ValidationError(f"{code!r} is not a currency traded on the platform", field="currency")
    return currency
