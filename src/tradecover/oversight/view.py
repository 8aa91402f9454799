"""What an oversight view shows, independent of how it is drawn: web page, CSV, PDF or JSON.

A view is a title and sections; a section holds headline figures, charts and tables. Every number is
exact (`Decimal` or `int`) and already in the view's reporting currency; drawing code only formats.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradecover.oversight.period import Period

Value = Decimal | int | str | dt.date | None


class Kind(enum.StrEnum):
    """How a value reads: decides formatting and alignment."""

    TEXT = "text"
    MONEY = "money"  # Decimal major units of the view's currency
    COUNT = "count"  # int
    PERCENT = "percent"  # Decimal fraction: 0.153 reads 15.3%
    DAYS = "days"  # Decimal days
    DATE = "date"
    MONTH = "month"  # dt.date, first of the month: reads 2025-04


class ChartKind(enum.StrEnum):
    """The drawings a view uses."""

    LINE = "line"  # series over months; `overlay` series on a second (percent) axis
    BAR = "bar"  # vertical bars per category, one bar per series
    HBAR = "hbar"  # horizontal bars per category: ranked breakdowns (countries, insurers)
    HISTOGRAM = "histogram"  # counts per bucket: distributions (service days)


@dataclass(frozen=True, slots=True)
class Figure:
    """A headline number with, where it means something, its change against a base period."""

    key: str
    label: str
    value: Value
    kind: Kind
    change: Decimal | None = None  # fraction, e.g. year-on-year growth
    change_label: str = ""  # "year on year", "month on month"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table."""

    key: str
    label: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of values under columns; `filters` names the text columns a reader may filter on."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    note: str = ""
    filters: tuple[str, ...] = ()

    def as_dicts(self) -> list[dict[str, Value]]:
        """The rows keyed by column key."""
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Series:
    """Named values over categories (months, countries, buckets); `None` is a gap, not a zero."""

    label: str
    points: tuple[tuple[str, Decimal | int | None], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawing of one or more series; `overlay` series (percentages) go on a second axis."""

    key: str
    title: str
    kind: ChartKind
    unit: Kind
    series: tuple[Series, ...]
    overlay: tuple[Series, ...] = ()
    overlay_unit: Kind = Kind.PERCENT

    @property
    def is_empty(self) -> bool:
        """True when no series has a value to draw."""
        return not any(value is not None for s in self.series for _, value in s.points)


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of a view."""

    key: str
    title: str
    figures: tuple[Figure, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class OversightView:
    """Everything one audience's page, CSV exports and PDF report show for a period."""

    audience: str
    title: str
    viewer: str  # the organisation the view is for
    period: Period
    currency: str
    generated_on: dt.date
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table:
        """The table with this key (KeyError when the view has none)."""
        for section in self.sections:
            for table in section.tables:
                if table.key == key:
                    return table
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        """The view as JSON: decimals as strings, dates as ISO text."""
        encoded: dict[str, Any] = _json(self)
        return encoded


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Period):
        return {"date_from": value.start.isoformat(), "date_to": value.end.isoformat()}
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _json(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
