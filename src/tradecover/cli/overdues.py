"""`tradecover overdues`: report overdues from a CSV file, list them, extend, decide, withdraw."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradecover.claims import overdues
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.errors import ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy

overdues_app = typer.Typer(
    help="Overdues: report from a CSV file (column invoice_number), list, extend, decide, withdraw.",
    no_args_is_help=True,
)
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]
MAX_FILE_BYTES = 16 * 1024 * 1024


def _id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not an overdue id", field="overdue") from None


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _line(overdue: Overdue) -> str:
    due = overdue.current_due_date.isoformat()
    late = "" if overdue.reported_in_time else " (reported late: out of cover)"
    return (
        f"{overdue.id} {overdue.invoice_number}: {overdue.unpaid} unpaid, due {due}, "
        f"{overdue.status.value.replace('_', ' ')}{late}"
    )


@overdues_app.command("report")
def report_command(
    file: Annotated[Path, typer.Argument(help="CSV with a column invoice_number (UTF-8).")],
    policy: Annotated[str, typer.Option("--policy", help="The policy (number or id).")],
    as_user: AsOption = None,
) -> None:
    """Report every invoice of the file overdue today: all of them, or none with the first bad row named."""
    if not file.is_file():
        raise ValidationError(f"{file} is not a file", field="file")
    if file.stat().st_size > MAX_FILE_BYTES:
        raise ValidationError(f"{file} is over {MAX_FILE_BYTES // (1024 * 1024)} MB", field="file")
    numbers = overdues.read_overdue_file(file.read_bytes())
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_policy(session, Actor.system(), policy)
        reported = overdues.report_overdues(session, actor, found.id, numbers)
        console = Console()
        for overdue in reported:
            console.print(_line(overdue))
        console.print(f"{len(reported)} overdue(s) reported on policy {found.number}")


@overdues_app.command("list")
def list_command(
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy (number or id).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
) -> None:
    """The reported overdues, newest first."""
    wanted: OverdueStatus | None = None
    if status is not None:
        try:
            wanted = OverdueStatus(status.strip())
        except ValueError:
            allowed = ", ".join(s.value for s in OverdueStatus)
            raise ValidationError(f"{status!r} is not one of {allowed}", field="status") from None
    with open_engine() as engine, command_transaction(engine) as session:
        policy_id = find_policy(session, Actor.system(), policy).id if policy is not None else None
        found = overdues.list_overdues(session, policy_id=policy_id, status=wanted, limit=500)
        table = Table("id", "invoice", "unpaid", "due", "reported", "deadline", "status")
        for overdue in found:
            table.add_row(
                str(overdue.id),
                overdue.invoice_number,
                str(overdue.unpaid),
                overdue.current_due_date.isoformat(),
                overdue.reported_on.isoformat(),
                overdue.reporting_deadline.isoformat(),
                overdue.status.value + ("" if overdue.reported_in_time else " (late)"),
            )
        print_table(table)


@overdues_app.command("extend")
def extend_command(
    overdue: Annotated[str, typer.Argument(help="The overdue's id.")],
    to: Annotated[str, typer.Option("--to", help="The new due date, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    as_user: AsOption = None,
) -> None:
    """Ask to extend the due date (granted within the days without consent, else referred)."""
    day = _date(to, "to")
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        typer.echo(_line(overdues.request_extension(session, actor, _id(overdue), day, note)))


@overdues_app.command("decide")
def decide_command(
    overdue: Annotated[str, typer.Argument(help="The overdue's id.")],
    approve: Annotated[bool, typer.Option("--approve/--decline", help="Approve or decline.")],
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    as_user: AsOption = None,
) -> None:
    """The insurer decides a referred extension."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        typer.echo(_line(overdues.decide_extension(session, actor, _id(overdue), approve=approve, note=note)))


@overdues_app.command("withdraw")
def withdraw_command(
    overdue: Annotated[str, typer.Argument(help="The overdue's id.")], as_user: AsOption = None
) -> None:
    """Withdraw a report once the invoice is paid."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        typer.echo(_line(overdues.withdraw_overdue(session, actor, _id(overdue))))
