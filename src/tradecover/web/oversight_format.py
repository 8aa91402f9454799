"""How the oversight pages write a value of each `Kind`: for reading, for sorting and for chart axes."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from tradecover.oversight.view import Kind, Value

DASH = "—"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def _grouped(value: Decimal, places: Decimal | None) -> str:
    exact = value if places is None else value.quantize(places, rounding=ROUND_HALF_UP)
    return f"{exact.copy_abs() if exact.is_zero() else exact:,f}"  # never -0.0


def display(value: Value, kind: Kind) -> str:
    """The value as a reader sees it: 1,234,567.89 for money, 15.3% for a percent, 2025-04 for a month."""
    if value is None:
        return DASH
    if kind is Kind.MONTH and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    number = Decimal(value)
    match kind:
        case Kind.MONEY:
            return _grouped(number, _CENT)
        case Kind.PERCENT:
            return f"{_grouped(number * 100, _TENTH)}%"
        case Kind.DAYS:
            return _grouped(number.normalize(), None)
        case _:
            return _grouped(number, None)


def sort_key(value: Value) -> str:
    """A plain text the page's script sorts on: exact numbers without grouping, ISO dates, or the text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return format(Decimal(value), "f")


def change(value: Decimal | None) -> tuple[str, str]:
    """A change (fraction) as an arrow and a signed percent: ("▲", "+15.3%"), ("▼", "-4.0%"), ("", "")."""
    if value is None:
        return "", ""
    percent = (value * 100).quantize(_TENTH, rounding=ROUND_HALF_UP)
    if percent > 0:
        return "▲", f"+{percent:f}%"
    if percent < 0:
        return "▼", f"{percent:f}%"
    return "▶", "0.0%"


def axis(value: Decimal, kind: Kind) -> str:
    """A tick label: short (1.5M, 250k) for money and counts, whole percents, exact otherwise."""
    if kind is Kind.PERCENT:
        return f"{(value * 100).normalize():f}%"
    size = abs(value)
    for bound, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k")):
        if size >= bound:
            return f"{(value / bound).normalize():f}{suffix}"
    return f"{value.normalize():f}"
