"""Oversight views on the wire: the period asked for, and the view as JSON (decimals as strings)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import IsoDate
from tradecover.oversight.view import ChartKind, Kind

# A value: a decimal string ("0.153", "1234.50"), an integer count, ISO date text, text, or null.
WireValue = str | int | None


class OversightQuery(BaseModel):
    """The period and reporting currency of a view."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"date_from": "2025-01-01", "date_to": "2025-12-31", "currency": "CNY"}]
        },
    )

    date_from: IsoDate | None = Field(default=None, description="1 January of date_to's year by default.")
    date_to: IsoDate | None = Field(default=None, description="Today by default.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        default="CNY",
        description="The reporting currency (ISO 4217), converted at each month's reference rate.",
    )


class PeriodOut(BaseModel):
    """Both ends included."""

    date_from: str
    date_to: str


class FigureOut(BaseModel):
    """A headline number and its change (a fraction) against a base period."""

    key: str
    label: str
    value: WireValue
    kind: Kind
    change: str | None
    change_label: str


class ColumnOut(BaseModel):
    """One column of a table."""

    key: str
    label: str
    kind: Kind


class TableOut(BaseModel):
    """Rows of values under columns; `filters` names the columns a reader may filter on."""

    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[list[WireValue]]
    note: str
    filters: list[str]


class SeriesOut(BaseModel):
    """Values over categories: `[category, value]` pairs; a null value is a gap."""

    label: str
    points: list[list[WireValue]]


class ChartOut(BaseModel):
    """A chart's data: `overlay` series go on a second (percent) axis."""

    key: str
    title: str
    kind: ChartKind
    unit: Kind
    series: list[SeriesOut]
    overlay: list[SeriesOut]
    overlay_unit: Kind


class SectionOut(BaseModel):
    """A titled part of a view."""

    key: str
    title: str
    figures: list[FigureOut]
    charts: list[ChartOut]
    tables: list[TableOut]
    note: str


class OversightViewOut(BaseModel):
    """An audience's view: money in `currency` major units as decimal strings, percentages as fractions."""

    audience: str
    title: str
    viewer: str
    period: PeriodOut
    currency: str
    generated_on: str
    sections: list[SectionOut]

    @classmethod
    def of(cls, encoded: dict[str, Any]) -> OversightViewOut:
        """The wire form of `OversightView.to_json()`."""
        return cls.model_validate(encoded)
