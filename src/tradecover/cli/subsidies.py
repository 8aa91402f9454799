"""`tradecover subsidies`: list programmes, show one's budget use, explain a firm's eligibility, pay."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.clock import get_clock
from tradecover.errors import NotFound, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import actor_by_email
from tradecover.subsidies.eligibility import explain_eligibility
from tradecover.subsidies.enrolments import list_enrolments
from tradecover.subsidies.model import SubsidyCommitment
from tradecover.subsidies.payments import pay_direct_subsidies
from tradecover.subsidies.programmes import budget_in_view, budgets_of, find_programme, list_programmes
from tradecover.subsidies.reports import organisation_names
from tradecover.subsidies.rules import money_text, percent_text, tiers_text

subsidies_app = typer.Typer(
    help="Subsidy programmes: list, show budget use, explain eligibility, pay direct subsidies.",
    no_args_is_help=True,
)
ProgrammeArgument = Annotated[str, typer.Argument(help="The programme's name or id.")]
OnOption = Annotated[str | None, typer.Option("--on", help="The date, YYYY-MM-DD (default today).")]


def _date(raw: str | None, field: str) -> dt.date:
    if raw is None:
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _firm(session: Session, raw: str) -> Organisation:
    text = raw.strip()
    try:
        query = select(Organisation).where(Organisation.id == uuid.UUID(text))
    except ValueError:
        query = select(Organisation).where(Organisation.name == text)
    firm = session.scalars(query.where(Organisation.kind == OrganisationKind.POLICYHOLDER)).first()
    if firm is None:
        raise NotFound(f"no such policyholder: {text!r}", field="firm")
    return firm


@subsidies_app.command("programmes")
def programmes_command() -> None:
    """List every programme: sponsor, mode, rates, cap and this year's (else the latest) budget use."""
    year = get_clock().today().year
    with open_engine() as engine, command_transaction(engine) as session:
        found = list_programmes(session, Actor.system())
        sponsors = organisation_names(session, {p.sponsor_id for p in found})
        table = Table(title=f"{len(found)} programmes")
        for column in ("Programme", "Sponsor", "Mode", "Rates", "Cap", "Year", "Budget", "Committed", "Left"):
            table.add_column(column)
        for programme in found:
            budget = budget_in_view(budgets_of(session, programme.id), year)
            table.add_row(
                programme.name,
                sponsors.get(programme.sponsor_id, ""),
                programme.mode.value,
                tiers_text(programme.tiers),
                "" if programme.cap is None else money_text(programme.cap),
                "" if budget is None else str(budget.year),
                "" if budget is None else money_text(budget.amount),
                "" if budget is None else money_text(budget.committed),
                "" if budget is None else money_text(budget.remaining),
            )
    print_table(table)


@subsidies_app.command("show")
def show_command(programme: ProgrammeArgument) -> None:
    """One programme: its rules, and per year the budget, committed, paid and remaining."""
    console = Console()
    with open_engine() as engine, command_transaction(engine) as session:
        found = find_programme(session, Actor.system(), programme)
        console.print(f"{found.name} ({found.id})")
        console.print(
            f"  mode {found.mode.value}, rates {tiers_text(found.tiers)}, currency {found.currency}"
        )
        if found.cap is not None:
            console.print(f"  cap per firm and year {money_text(found.cap)}")
        for rule in found.rules:
            console.print(f"  rule: {rule.fact.value} {rule.op.value} {rule.value}")
        table = Table(title="Budgets")
        for column in ("Year", "Budget", "Committed", "Paid", "Remaining"):
            table.add_column(column)
        for budget in budgets_of(session, found.id):
            table.add_row(
                str(budget.year),
                money_text(budget.amount),
                money_text(budget.committed),
                money_text(budget.paid),
                money_text(budget.remaining),
            )
        commitments = session.scalars(
            select(SubsidyCommitment.id).where(SubsidyCommitment.programme_id == found.id)
        ).all()
        enrolled = list_enrolments(session, found.id)
    print_table(table)
    console.print(f"{len(commitments)} commitments, {len(enrolled)} enrolments")


@subsidies_app.command("eligibility")
def eligibility_command(
    firm: Annotated[str, typer.Option("--firm", help="The policyholder's name or id.")], on: OnOption = None
) -> None:
    """Which programmes a firm qualifies for on a date, at what rate, and for each it does not, why."""
    day = _date(on, "on")
    console = Console()
    with open_engine() as engine, command_transaction(engine) as session:
        holder = _firm(session, firm)
        answers = explain_eligibility(session, holder.id, day)
    console.print(f"{holder.name} on {day.isoformat()}:")
    for answer in answers:
        if answer.eligible:
            rate = "" if answer.rate is None else percent_text(answer.rate)
            left = "" if answer.cap_left is None else f", cap left {money_text(answer.cap_left)}"
            enrol = " (enrolment required)" if answer.enrolment_required and not answer.enrolled else ""
            console.print(f"  eligible: {answer.name} — {rate} of premium{left}{enrol}")
        else:
            console.print(f"  not eligible: {answer.name} — " + "; ".join(answer.reasons))


@subsidies_app.command("pay")
def pay_command(
    programme: ProgrammeArgument,
    up_to: Annotated[str, typer.Option("--up-to", help="Pay shares committed on or before this date.")],
    as_user: Annotated[str | None, typer.Option("--as", help="The paying officer's e-mail.")] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="Idempotency key: a rerun pays nothing again.")
    ] = None,
) -> None:
    """Pay the insurers a direct programme's shares committed up to a date (each pool member its part)."""
    day = _date(up_to, "up_to")
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_programme(session, actor, programme)
        payments = pay_direct_subsidies(
            session, actor, found.id, day, on=get_clock().today(), idempotency_key=key
        )
        payees = organisation_names(session, {p.payee_id for p in payments})
        lines = [f"  {payees.get(p.payee_id, p.payee_id)}: {money_text(p.amount)}" for p in payments]
    console = Console()
    console.print(f"{len(payments)} payment(s) for {found.name} up to {day.isoformat()}")
    for line in lines:
        console.print(line)
