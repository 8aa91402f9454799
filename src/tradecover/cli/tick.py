"""`tradecover tick`: the daily run of due tasks and alerts (the server runs it each day too)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from tradecover.claims.tick import run_tick
from tradecover.cli.database import command_transaction, open_engine
from tradecover.clock import get_clock
from tradecover.errors import ValidationError


def tick(
    on: Annotated[
        str | None, typer.Option("--on", help="The day to run for, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Run the day's deadline checks: overdues to report, cover lost, dates of loss, service levels."""
    if on is None:
        day = get_clock().today()
    else:
        try:
            day = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise ValidationError(f"{on!r} is not a date (YYYY-MM-DD)", field="on") from None
    with open_engine() as engine, command_transaction(engine) as session:
        report = run_tick(session, day)
        for line in report.lines():
            typer.echo(line)
