"""Oversight pages: an audience's view for a period (figures, SVG charts, sortable and filterable tables),
each table as CSV and the whole view as a PDF report. Read-only; the view decides what the viewer sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from tradecover.clock import get_clock
from tradecover.errors import NotFound, ValidationError
from tradecover.oversight.export_csv import csv_file_name, report_file_name, table_csv
from tradecover.oversight.period import Period
from tradecover.oversight.report import render_report
from tradecover.oversight.scope import AUDIENCE_ROLES, Audience
from tradecover.oversight.view import Figure, Kind, OversightView, Section, Table
from tradecover.oversight.views import build_view
from tradecover.parties.actor import Actor
from tradecover.reference.currencies import get_currency, platform_currencies
from tradecover.web.charts import draw
from tradecover.web.dependencies import SignedIn
from tradecover.web.oversight_format import change, display, sort_key
from tradecover.web.rendering import render

router = APIRouter()

AUDIENCE_LABELS = {
    Audience.REGULATOR: "Market",
    Audience.INSURER: "Our book",
    Audience.PROGRAMME: "Programmes",
    Audience.BANK: "Financed book",
}
NUMERIC = frozenset({Kind.MONEY, Kind.COUNT, Kind.PERCENT, Kind.DAYS})


@dataclass(frozen=True, slots=True)
class Asked:
    """The period and reporting currency a request asks for."""

    period: Period
    currency: str

    @property
    def query(self) -> str:
        """The query string that asks for them again."""
        return urlencode(
            {
                "date_from": self.period.start.isoformat(),
                "date_to": self.period.end.isoformat(),
                "currency": self.currency,
            }
        )


def _day(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("enter a date as YYYY-MM-DD", field=field) from None


def asked(date_from: str, date_to: str, currency: str, today: dt.date) -> Asked:
    """The period (this calendar year to date unless given) and currency (CNY unless given), checked."""
    last = _day(date_to, "date_to") or today
    first = _day(date_from, "date_from") or dt.date(last.year, 1, 1)
    period = Period.of(first, last)
    return Asked(period, get_currency(currency.strip() or "CNY").code)


def _figure(figure: Figure, currency: str) -> dict[str, Any]:
    arrow, text = change(figure.change)
    value = display(figure.value, figure.kind)
    if figure.kind is Kind.MONEY and figure.value is not None:
        value = f"{currency} {value}"
    direction = {"▲": "up", "▼": "down"}.get(arrow, "flat")
    return {
        "key": figure.key,
        "label": figure.label,
        "value": value,
        "arrow": arrow,
        "change": text,
        "change_label": figure.change_label,
        "direction": direction,
    }


def _table(audience: Audience, table: Table, query: str) -> dict[str, Any]:
    columns = [
        {
            "key": c.key,
            "label": c.label,
            "kind": c.kind.value,
            "num": c.kind in NUMERIC,
            "filter": c.key in table.filters,
        }
        for c in table.columns
    ]
    rows = [
        [{"text": display(v, c.kind), "sort": sort_key(v)} for v, c in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    filters = [c["label"] for c in columns if c["filter"]]
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "columns": columns,
        "rows": rows,
        "filters": filters,
        "csv": f"/oversight/{audience.value}/tables/{table.key}.csv?{query}",
    }


def _section(audience: Audience, section: Section, currency: str, query: str) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "note": section.note,
        "figures": [_figure(f, currency) for f in section.figures],
        "charts": [draw(c, currency) for c in section.charts],
        "tables": [_table(audience, t, query) for t in section.tables],
    }


def _tabs(actor: Actor, current: Audience, query: str = "") -> list[dict[str, Any]]:
    """The audiences the actor may view, each keeping the period asked for."""
    return [
        {
            "label": AUDIENCE_LABELS[a],
            "href": f"/oversight/{a.value}" + (f"?{query}" if query else ""),
            "current": a is current,
        }
        for a in Audience
        if actor.has(*AUDIENCE_ROLES[a])
    ]


@router.get("/oversight/{audience}", response_class=HTMLResponse)
def oversight_page(
    audience: Audience, page: SignedIn, date_from: str = "", date_to: str = "", currency: str = ""
) -> HTMLResponse:
    """The audience's figures, charts and tables for a period, with the form to change it."""
    page.actor.require(*AUDIENCE_ROLES[audience])
    today = get_clock().today()
    values = {"date_from": date_from, "date_to": date_to, "currency": currency.strip().upper() or "CNY"}
    context: dict[str, Any] = {
        "audience": audience.value,
        "tabs": _tabs(page.actor, audience),
        "currencies": [(c.code, c.code) for c in platform_currencies()],
        "view": None,
        "sections": [],
    }
    try:
        wanted = asked(date_from, date_to, currency, today)
        view = build_view(page.session, page.actor, audience, wanted.period, wanted.currency, today)
    except ValidationError as error:
        field = error.field if error.field in values else "__form__"
        context.update(values=values, errors={field: error.message})
        return render(page.request, "oversight/view.html", context, status=422)
    context.update(
        view=view,
        values={**values, "date_from": view.period.start.isoformat(), "date_to": view.period.end.isoformat()},
        query=wanted.query,
        tabs=_tabs(page.actor, audience, wanted.query),
        pdf=f"/oversight/{audience.value}/report.pdf?{wanted.query}",
        sections=[_section(audience, s, view.currency, wanted.query) for s in view.sections],
    )
    return render(page.request, "oversight/view.html", context)


def _view(page: SignedIn, audience: Audience, date_from: str, date_to: str, currency: str) -> OversightView:
    page.actor.require(*AUDIENCE_ROLES[audience])
    today = get_clock().today()
    wanted = asked(date_from, date_to, currency, today)
    return build_view(page.session, page.actor, audience, wanted.period, wanted.currency, today)


@router.get("/oversight/{audience}/tables/{key}.csv")
def table_download(
    audience: Audience, key: str, page: SignedIn, date_from: str = "", date_to: str = "", currency: str = ""
) -> Response:
    """One table of the view as CSV (exact values; see `tradecover.oversight.export_csv`)."""
    view = _view(page, audience, date_from, date_to, currency)
    try:
        table = view.table(key)
    except KeyError:
        raise NotFound(f"the {audience.value} view has no table {key!r}") from None
    return Response(
        content=table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_file_name(view, key)}"'},
    )


@router.get("/oversight/{audience}/report.pdf")
def report_download(
    audience: Audience, page: SignedIn, date_from: str = "", date_to: str = "", currency: str = ""
) -> Response:
    """The whole view as a printable PDF report."""
    view = _view(page, audience, date_from, date_to, currency)
    return Response(
        content=render_report(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report_file_name(view)}"'},
    )
