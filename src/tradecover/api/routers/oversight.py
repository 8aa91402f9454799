"""Oversight: an audience's view for a period as JSON, one of its tables as CSV, the whole as a PDF report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.oversight import OversightQuery, OversightViewOut
from tradecover.clock import get_clock
from tradecover.errors import NotFound, ValidationError
from tradecover.oversight.export_csv import csv_file_name, report_file_name, table_csv
from tradecover.oversight.period import Period
from tradecover.oversight.report import render_report
from tradecover.oversight.scope import AUDIENCE_ROLES, Audience
from tradecover.oversight.view import OversightView
from tradecover.oversight.views import build_view
from tradecover.parties.actor import Actor
from tradecover.reference.currencies import get_currency

router = APIRouter(
    route_class=KeyFirstRoute, tags=["oversight"], responses=error_responses(401, 403, 404, 422)
)

CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}},
        "description": "A header line of the column labels, then one line per row; exact values "
        "(money in major units, percentages as fractions).",
    }
}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The printable report."}
}
QUERY_FIELDS = ("date_from", "date_to", "currency")


def _view(session: Session, actor: Actor, audience: Audience, query: OversightQuery) -> OversightView:
    actor.require(*AUDIENCE_ROLES[audience])
    today = get_clock().today()
    last = query.date_to or today
    first = query.date_from or dt.date(last.year, 1, 1)
    try:
        period = Period.of(first, last)
        currency = get_currency(query.currency).code
        return build_view(session, actor, audience, period, currency, today)
    except ValidationError as error:
        if error.field in QUERY_FIELDS:
            raise ValidationError(error.message, field=f"query.{error.field}") from None
        raise


@router.get("/oversight/{audience}", response_model=OversightViewOut, summary="An oversight view")
def oversight_view(
    audience: Audience, session: UnitOfWork, actor: CurrentActor, query: Annotated[OversightQuery, Query()]
) -> OversightViewOut:
    """Figures, chart series and tables of the audience's view (regulator: the market, aggregates only)."""
    return OversightViewOut.of(_view(session, actor, audience, query).to_json())


@router.get(
    "/oversight/{audience}/tables/{key}.csv",
    response_class=Response,
    responses=CSV,
    summary="One table of an oversight view (CSV)",
)
def oversight_table_csv(
    audience: Audience,
    key: str,
    session: UnitOfWork,
    actor: CurrentActor,
    query: Annotated[OversightQuery, Query()],
) -> Response:
    """The table with this key as CSV; 404 when the view has no such table."""
    view = _view(session, actor, audience, query)
    try:
        table = view.table(key)
    except KeyError:
        raise NotFound(f"the {audience.value} view has no table {key!r}", field="key") from None
    return Response(
        content=table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_file_name(view, key)}"'},
    )


@router.get(
    "/oversight/{audience}/report.pdf",
    response_class=Response,
    responses=PDF,
    summary="An oversight view as a PDF report",
)
def oversight_report(
    audience: Audience, session: UnitOfWork, actor: CurrentActor, query: Annotated[OversightQuery, Query()]
) -> Response:
    """Every section of the view, printable."""
    view = _view(session, actor, audience, query)
    return Response(
        content=render_report(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report_file_name(view)}"'},
    )
