"""`tradecover buyers`: search the buyer registry, show a buyer with its grade history, regrade one."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table

from tradecover.buyers.grades import buyer_grade_history, country_grade, country_grades
from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import MAX_PAGE_SIZE, BuyerSearch, get_buyer, search_buyers
from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.errors import ValidationError
from tradecover.limits.service import regrade_buyer
from tradecover.parties.actor import Actor
from tradecover.reference.grades import get_buyer_grade

buyers_app = typer.Typer(help="The buyer registry: search, show, regrade.", no_args_is_help=True)

BuyerId = Annotated[str, typer.Argument(help="The buyer's id (see `tradecover buyers search`).")]


def _buyer_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a buyer id", field="buyer_id") from None


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if hasattr(value, "strftime") else ""


@buyers_app.command("search")
def search_command(
    name: Annotated[str | None, typer.Option(help="Part of the name, any case.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 code.")] = None,
    registration_number: Annotated[str | None, typer.Option("--reg", help="Registration number.")] = None,
    kind: Annotated[BuyerKind | None, typer.Option(help="Kind of buyer.")] = None,
    grade_min: Annotated[int | None, typer.Option(help="Lowest grade, 1 … 10.")] = None,
    grade_max: Annotated[int | None, typer.Option(help="Highest grade, 1 … 10.")] = None,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    page_size: Annotated[int, typer.Option(help=f"Buyers per page, 1 … {MAX_PAGE_SIZE}.")] = 50,
) -> None:
    """List the buyers that match every criterion given, by name, one page at a time."""
    search = BuyerSearch(name, country, registration_number, kind, grade_min, grade_max)
    with open_engine() as engine, command_transaction(engine) as session:
        found = search_buyers(session, search, page=page, page_size=page_size)
        by_country = country_grades(session)
        table = Table(title=f"Buyers: {found.total} found, page {found.page} of {found.pages}")
        for column in ("Name", "Country", "Reg. no.", "Kind", "Grade", "Country grade", "Id"):
            table.add_column(
                column, no_wrap=column in ("Id", "Reg. no."), justify="right" if "rade" in column else "left"
            )
        for buyer in found.items:
            table.add_row(
                buyer.name,
                buyer.country,
                buyer.registration_number,
                buyer.kind.value.replace("_", " "),
                str(buyer.grade),
                str(by_country[buyer.country]),
                str(buyer.id),
            )
    print_table(table)


@buyers_app.command("show")
def show_command(buyer_id: BuyerId) -> None:
    """Show one buyer: its grade and PD, its country's grade, and every grade change."""
    with open_engine() as engine, command_transaction(engine) as session:
        buyer = get_buyer(session, _buyer_id(buyer_id))
        grade = get_buyer_grade(buyer.grade)
        facts = Table(title=buyer.name, show_header=False)
        facts.add_column("What")
        facts.add_column("Value")
        facts.add_row("Id", str(buyer.id))
        facts.add_row("Country", buyer.country)
        facts.add_row("Registration number", buyer.registration_number)
        facts.add_row("Kind", buyer.kind.value.replace("_", " "))
        facts.add_row("Sector", buyer.sector)
        facts.add_row("Grade", f"{buyer.grade} ({grade.label}, 12-month PD {grade.pd * 100:.2f}%)")
        facts.add_row("Country grade", str(country_grade(session, buyer.country)))
        history = Table(title="Grade history")
        for column in ("Effective", "From", "To", "Reason"):
            history.add_column(column)
        for change in buyer_grade_history(session, buyer.id):
            history.add_row(
                _when(change.effective_at), str(change.old_grade), str(change.new_grade), change.reason
            )
    print_table(facts)
    print_table(history)


@buyers_app.command("regrade")
def regrade_command(
    buyer_id: BuyerId,
    grade: Annotated[int, typer.Option(help="The new grade, 1 (best) … 9 (worst), 10 = defaulted.")],
    reason: Annotated[str, typer.Option(help="Why the grade changes (required; kept in the history).")],
) -> None:
    """Change a buyer's grade now, as the platform; every organisation holding a limit on it is alerted."""
    with open_engine() as engine, command_transaction(engine) as session:
        change = regrade_buyer(session, Actor.system(), _buyer_id(buyer_id), grade=grade, reason=reason)
        summary = f"{change.buyer.name}: grade {change.old_grade} → {change.new_grade} ({change.reason})"
    typer.echo(summary)
