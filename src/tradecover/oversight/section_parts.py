"""Small helpers the oversight section builders share: month labels, columns and series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from tradecover.oversight.view import Column, Kind, Series

# Ranked country charts show this many countries; the tables show them all.
TOP_COUNTRIES = 15


def month_label(day: dt.date) -> str:
    """A month as charts label it: 2025-04."""
    return day.strftime("%Y-%m")


def table_columns(*specs: tuple[str, str, Kind]) -> tuple[Column, ...]:
    """Table columns from (key, label, kind) triples."""
    return tuple(Column(key, label, kind) for key, label, kind in specs)


def series(label: str, points: Sequence[tuple[str, Decimal | int | None]]) -> Series:
    """A chart series from (category, value) pairs."""
    return Series(label, tuple(points))
