"""`tradecover financing`: facilities, set up, assign, borrowing base, draw, repay, close."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.clock import get_clock
from tradecover.errors import DomainError, ValidationError
from tradecover.financing import borrowing, drawings, facilities
from tradecover.financing.rules import available
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy

financing_app = typer.Typer(
    help="Bank facilities against assigned policies: set up, assign, borrowing base, draw, repay, close.",
    no_args_is_help=True,
)
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]
OnOption = Annotated[str | None, typer.Option("--on", help="The date, YYYY-MM-DD (default today).")]
FacilityArgument = Annotated[str, typer.Argument(help="The facility's reference (FAC-…) or id.")]


def _date(raw: str | None, field: str = "on") -> dt.date:
    if raw is None:
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _money(raw: str, currency: str, field: str = "amount") -> Money:
    try:
        return Money.of(raw.strip().replace(",", ""), currency)
    except DomainError as error:
        raise ValidationError(error.message, field=field) from None


@financing_app.command("facilities")
def facilities_command() -> None:
    """List facilities: reference, policy, status, limit, advance rate, outstanding, maturity."""
    with open_engine() as engine, command_transaction(engine) as session:
        found = facilities.list_facilities(session, Actor.system())
        table = Table(title=f"{len(found)} facilities")
        for column in ("Facility", "Policy", "Status", "Limit", "Rate", "Outstanding", "Assigned", "Matures"):
            table.add_column(column, no_wrap=True)
        for f in found:
            table.add_row(
                f.reference,
                facilities.policy_of(session, f).number,
                f.status.value,
                str(f.limit),
                f"{f.advance_rate * 100:.0f}%",
                str(facilities.outstanding(session, f)),
                f.assigned_on.isoformat() if f.assigned_on else "not yet",
                f.matures_on.isoformat(),
            )
    print_table(table)


@financing_app.command("set-up")
def set_up_command(
    policy: Annotated[str, typer.Argument(help="The policy's number or id.")],
    limit: Annotated[str, typer.Option("--limit", help="The facility limit, in the policy currency.")],
    rate: Annotated[str, typer.Option("--rate", help="The advance rate as a fraction, at most 0.9.")],
    starts: Annotated[str, typer.Option("--starts", help="The first day, YYYY-MM-DD.")],
    matures: Annotated[str, typer.Option("--matures", help="The maturity, YYYY-MM-DD.")],
    bank: Annotated[
        str | None,
        typer.Option("--bank", help="The lending bank's organisation id (when acting as the platform)."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """A bank sets up a facility for the insured of a policy in force."""
    try:
        bank_id = uuid.UUID(bank) if bank else None
    except ValueError:
        raise ValidationError(f"{bank!r} is not an organisation id", field="bank") from None
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_policy(session, Actor.system(), policy)
        facility = facilities.create_facility(
            session,
            actor,
            policy_id=found.id,
            limit=_money(limit, found.currency, "limit"),
            advance_rate=rate,
            starts_on=_date(starts, "starts"),
            matures_on=_date(matures, "matures"),
            bank_id=bank_id,
        )
        Console().print(f"{facility.reference} set up against policy {found.number}: limit {facility.limit}")


@financing_app.command("assign")
def assign_command(facility: FacilityArgument, as_user: AsOption = None) -> None:
    """The insured assigns its policy to the facility (the bank becomes loss payee)."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = facilities.assign_policy(session, actor, facilities.find_facility(session, facility).id)
        Console().print(f"Policy {facilities.policy_of(session, found).number} assigned to {found.reference}")


@financing_app.command("borrowing-base")
def borrowing_base_command(facility: FacilityArgument, on: OnOption = None) -> None:
    """The borrowing base on a date, each receivable with why it is in or out."""
    day = _date(on)
    with open_engine() as engine, command_transaction(engine) as session:
        found = facilities.find_facility(session, facility)
        base = borrowing.facility_borrowing_base(session, Actor.system(), found.id, on=day)
        owed = facilities.outstanding(session, found)
        table = Table(title=f"{found.reference} on {day.isoformat()}")
        for column in ("Invoice", "Buyer", "Due", "Insured unpaid", "Counts", "In or out", "Why"):
            table.add_column(column, no_wrap=column != "Why")
        for line in base.lines:
            r = line.receivable
            table.add_row(
                r.invoice_number,
                r.buyer_name,
                r.due_date.isoformat(),
                str(Money.from_minor(r.insured_unpaid_minor, base.currency)),
                str(Money.from_minor(line.eligible_minor, base.currency)),
                line.eligibility.value.replace("_", " "),
                line.why,
            )
        print_table(table)
        console = Console()
        console.print(f"Eligible receivables {base.eligible}")
        console.print(f"Borrowing base {base.base} ({base.advance_rate * 100:.0f}%)")
        console.print(
            f"Outstanding {owed}; available {available(outstanding=owed, base=base.base, limit=found.limit)}"
        )


def _move(facility: str, amount: str, on: str | None, as_user: str | None, *, repayment: bool) -> None:
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = facilities.find_facility(session, facility)
        book = drawings.repay if repayment else drawings.draw
        moved = book(session, actor, found.id, _money(amount, found.currency), on=_date(on) if on else None)
        owed = facilities.outstanding(session, found)
        done = "Repaid" if repayment else "Drew"
        Console().print(f"{done} {moved.amount} under {found.reference}; outstanding {owed}")


@financing_app.command("draw")
def draw_command(
    facility: FacilityArgument,
    amount: Annotated[str, typer.Argument(help="The amount, in the facility currency.")],
    on: OnOption = None,
    as_user: AsOption = None,
) -> None:
    """Draw under a facility: refused above the borrowing base, the limit, or after maturity."""
    _move(facility, amount, on, as_user, repayment=False)


@financing_app.command("repay")
def repay_command(
    facility: FacilityArgument,
    amount: Annotated[str, typer.Argument(help="The amount, in the facility currency.")],
    on: OnOption = None,
    as_user: AsOption = None,
) -> None:
    """Record a repayment: not more than what is outstanding."""
    _move(facility, amount, on, as_user, repayment=True)


@financing_app.command("close")
def close_command(facility: FacilityArgument, as_user: AsOption = None) -> None:
    """Close a fully repaid facility; the policy's assignment is released."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = facilities.close_facility(session, actor, facilities.find_facility(session, facility).id)
        Console().print(f"{found.reference} closed; the assignment is released")
