"""Values of an oversight view as printed text: exact, from `Decimal`, one rule per `Kind`."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from tradecover.oversight.view import Kind, Value

MISSING = "–"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)


def _decimal(value: Decimal | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _rounded(value: Decimal, quantum: Decimal) -> Decimal:
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never print -0.0


def money(value: Decimal | int) -> str:
    """Thousands separators and two decimals, rounded half up: 1234567.891 reads 1,234,567.89."""
    return f"{_rounded(_decimal(value), _CENT):,}"


def percent(fraction: Decimal | int) -> str:
    """A fraction as a percentage with one decimal: 0.1534 reads 15.3%."""
    return f"{_rounded(_decimal(fraction) * _HUNDRED, _TENTH):,}%"


def days(value: Decimal | int) -> str:
    """Days with one decimal: 12.25 reads 12.3."""
    return f"{_rounded(_decimal(value), _TENTH):,}"


def change(fraction: Decimal, label: str = "") -> str:
    """A signed change: 0.153 with "year on year" reads +15.3% year on year."""
    text = percent(fraction)
    sign = "+" if not text.startswith("-") and text != "0.0%" else ""
    return f"{sign}{text} {label}".strip()


def format_value(value: Value, kind: Kind) -> str:
    """The value as a table cell shows it (money without its currency code)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m") if kind is Kind.MONTH else value.isoformat()
    match kind:
        case Kind.MONEY:
            return money(value)
        case Kind.PERCENT:
            return percent(value)
        case Kind.DAYS:
            return days(value)
        case Kind.COUNT:
            return f"{value:,}"
        case _:
            return str(value)


def format_figure(value: Value, kind: Kind, currency: str) -> str:
    """A headline value: money carries its currency code (CNY 1,234.50), the rest as in a table."""
    if kind is Kind.MONEY and value is not None and not isinstance(value, str | dt.date):
        return f"{currency} {money(value)}"
    if kind is Kind.DAYS and value is not None and not isinstance(value, str | dt.date):
        return f"{days(value)} days"
    return format_value(value, kind)
