"""Dated FX reference rates and explicit conversion: there is no default date and no implicit conversion.

`data/fx_rates.csv` holds, per month start, the units of each platform currency per 1 USD. A rate on a
date is the latest row on or before it; cross rates go through USD. A rate older than
`MAX_RATE_AGE` is refused rather than used silently, so the table must be extended to cover new dates.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Context, Decimal

from tradecover.errors import ValidationError
from tradecover.money import Money, round_half_up
from tradecover.reference.currencies import get_currency, platform_currencies
from tradecover.reference.table import DataFile, ReferenceDataError, data_file, read_rows

PIVOT = "USD"
MAX_RATE_AGE = timedelta(days=40)
# Fixed precision so results never depend on the caller's decimal context.
_CONTEXT = Context(prec=34)


@dataclass(frozen=True, slots=True)
class FxTable:
    """Rates per 1 USD by date: `dates` ascending, `per_usd[code][i]` the rate on `dates[i]`."""

    dates: list[date]
    per_usd: dict[str, list[Decimal]]


def read_fx_rates(path: DataFile, currencies: list[str]) -> FxTable:
    """Parse the FX table: a `date` column then one column per platform currency except USD, all positive."""
    header, rows = read_rows(path)
    expected = sorted(code for code in currencies if code != PIVOT)
    if header[0] != "date" or sorted(header[1:]) != expected:
        raise ReferenceDataError(f"{path}:1: header should be 'date' then the currencies {expected}")
    codes = header[1:]
    dates: list[date] = []
    per_usd: dict[str, list[Decimal]] = {code: [] for code in codes}
    for row in rows:
        day = row.day("date")
        if dates and day <= dates[-1]:
            raise row.fail(f"date {day} does not come after {dates[-1]}; dates must rise strictly")
        dates.append(day)
        for code in codes:
            rate = row.decimal(code)
            if rate <= 0:
                raise row.fail(f"{code} rate {rate} is not positive")
            per_usd[code].append(rate)
    return FxTable(dates, per_usd)


@functools.cache
def _table() -> FxTable:
    return read_fx_rates(data_file("fx_rates.csv"), [c.code for c in platform_currencies()])


def rate_dates() -> tuple[date, date]:
    """The first and last dates of the reference rate table."""
    table = _table()
    return table.dates[0], table.dates[-1]


def _per_usd(code: str, on: date) -> Decimal:
    """Units of `code` per 1 USD from the latest row on or before `on`."""
    if code == PIVOT:
        return Decimal(1)
    table = _table()
    index = bisect.bisect_right(table.dates, on) - 1
    if index < 0:
        raise ValidationError(
            f"no FX rate on or before {on.isoformat()}: "
            f"the reference rates start on {table.dates[0].isoformat()}",
            field="date",
        )
    if on - table.dates[index] > MAX_RATE_AGE:
        raise ValidationError(
            f"no FX rate near {on.isoformat()}: the latest is from {table.dates[index].isoformat()}, "
            f"more than {MAX_RATE_AGE.days} days earlier; extend the FX reference rates",
            field="date",
        )
    return table.per_usd[code][index]


def _checked_date(on: date) -> date:
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError(f"an FX rate is looked up on a date, not {type(on).__name__}")
    return on


def fx_rate(base: str, quote: str, on: date) -> Decimal:
    """Units of `quote` per 1 unit of `base` on a date (latest rate on or before it, crossed through USD)."""
    base_code, quote_code = get_currency(base).code, get_currency(quote).code
    day = _checked_date(on)
    if base_code == quote_code:
        return Decimal(1)
    return _CONTEXT.divide(_per_usd(quote_code, day), _per_usd(base_code, day))


def convert_amount(amount: Decimal, base: str, quote: str, on: date) -> Decimal:
    """An exact amount of `base` in `quote` at a date's rate, rounded half up once to `quote`'s minor unit."""
    base_code, quote_code = get_currency(base).code, get_currency(quote).code
    day = _checked_date(on)
    if base_code == quote_code:
        return amount
    per_quote, per_base = _cross(base_code, quote_code, day)
    # Multiply before dividing so that the one rounding sees the exact product.
    exact = _CONTEXT.divide(_CONTEXT.multiply(amount, per_quote), per_base)
    return round_half_up(exact, quote_code)


@functools.lru_cache(maxsize=4096)
def _cross(base_code: str, quote_code: str, day: date) -> tuple[Decimal, Decimal]:
    # An oversight view converts thousands of sums at a few dozen (currency, day) rates: look each up once.
    # The table is read once per process, so a rate found here never goes stale.
    return _per_usd(quote_code, day), _per_usd(base_code, day)


def convert(money: Money, to: str, on: date) -> Money:
    """`money` in the currency `to` at the rate of a date, rounded half up once to `to`'s minor unit."""
    if get_currency(money.currency).code == get_currency(to).code:
        _checked_date(on)
        return money
    return Money(convert_amount(money.amount, money.currency, to, on), get_currency(to).code)
