"""`tradecover import declarations FILE --policy ID`: CSV or .xlsx of shipments and payments, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.errors import fail
from tradecover.declarations.imports import import_declarations
from tradecover.declarations.model import ImportStatus
from tradecover.parties.actor import Actor
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy

import_app = typer.Typer(help="Import files: declarations (shipments and payments).", no_args_is_help=True)

SHOWN_REJECTIONS = 20


@import_app.command("declarations")
def declarations_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV (UTF-8) or Excel (.xlsx) file of shipments and payments; see docs/declarations.md."
        ),
    ],
    policy: Annotated[str, typer.Option("--policy", help="The policy's number or id.")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Where to write the rejection report (default: FILE.rejections.csv).")
    ] = None,
) -> None:
    """Import a declarations file: every row accepted, or nothing and a report of each rejected row."""
    try:
        content = file.read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        with open_engine() as engine, command_transaction(engine) as session:
            found = find_policy(session, Actor.system(), policy)
            batch = import_declarations(
                session, actor_by_email(session, as_user), found.id, file.name, content, progress=progress
            )
            if batch.status is ImportStatus.REJECTED:
                # Leaving by an error rolls the transaction back: a refused file leaves nothing behind.
                target = report or file.with_name(file.name + ".rejections.csv")
                target.write_text(batch.report, encoding="utf-8")
                lines = batch.report.splitlines()[1 : SHOWN_REJECTIONS + 1]
                for line in lines:
                    console.print(f"  row {line.replace(',', ': ', 1)}", markup=False, highlight=False)
                fail(
                    f"{batch.rejected} of {batch.rows} rows rejected, nothing imported; "
                    f"the rejection report is in {target}"
                )
            summary = (
                f"imported {file.name} as {batch.reference}: {batch.rows} rows, "
                f"{batch.shipments} shipments, {batch.payments} payments"
            )
    Console().print(summary, markup=False, highlight=False)
