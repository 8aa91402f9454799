"""`tradecover claims pay|recover|close|service-levels`: settling decided claims from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from tradecover.claims.queries import find_claim
from tradecover.claims.recoveries import close_claim, record_recovery
from tradecover.claims.rules.service_levels import DurationStats
from tradecover.claims.service_levels import service_levels
from tradecover.claims.settlement import pay_member_share
from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.clock import get_clock
from tradecover.errors import ValidationError
from tradecover.money import Money
from tradecover.parties.model import Organisation
from tradecover.parties.service import actor_by_email

ClaimArgument = Annotated[str, typer.Argument(help="The claim's number or id.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]
OnOption = Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD [default: today].")]


def _day(raw: str | None, field: str) -> dt.date:
    if raw is None:
        return get_clock().today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def pay_command(
    claim: ClaimArgument,
    member: Annotated[
        str | None,
        typer.Option("--member", help="The paying insurer's name [default: the --as user's insurer]."),
    ] = None,
    on: OnOption = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="The same key twice pays once.")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Pay one insurer's part of a decided claim: the loss-payee bank first, then the insured."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_claim(session, claim)
        if member is not None:
            member_id = session.scalar(select(Organisation.id).where(Organisation.name == member.strip()))
            if member_id is None:
                raise ValidationError(f"no insurer named {member!r}", field="member")
        elif actor.organisation_id is not None and not actor.is_system:
            member_id = actor.organisation_id
        else:
            raise ValidationError("give --member, or --as a user of the paying insurer", field="member")
        share = pay_member_share(
            session, actor, found.id, member_id, paid_on=_day(on, "on"), idempotency_key=idempotency_key
        )
        Console().print(
            f"{found.number}: {share.amount} paid on {share.paid_on} "
            f"({Money.from_minor(share.to_bank_minor, share.currency)} to the bank, "
            f"{Money.from_minor(share.to_insured_minor, share.currency)} to the insured); "
            f"claim {found.status.value}"
        )


def recover_command(
    claim: ClaimArgument,
    amount: Annotated[str, typer.Option(help="What was recovered from the buyer, in the claim currency.")],
    costs: Annotated[str, typer.Option(help="Collection costs, in the claim currency.")] = "0",
    on: OnOption = None,
    note: Annotated[str | None, typer.Option(help="Where the money came from.")] = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="The same key twice records once.")
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Record money recovered after payment: shared by the insurers (by share) and the insured."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        found = find_claim(session, claim)
        recovery = record_recovery(
            session,
            actor,
            found.id,
            amount=Money.of(amount, found.currency),
            costs=Money.of(costs, found.currency),
            received_on=_day(on, "on"),
            note=note,
            idempotency_key=idempotency_key,
        )
        currency = recovery.currency
        Console().print(
            f"{found.number}: net {Money.from_minor(recovery.net_minor, currency)}, "
            f"insurers {Money.from_minor(recovery.insurers_minor, currency)}, "
            f"insured {Money.from_minor(recovery.insured_minor, currency)}"
        )


def close_command(
    claim: ClaimArgument,
    reason: Annotated[str | None, typer.Option(help="Why it is closed.")] = None,
    as_user: AsOption = None,
) -> None:
    """Close a claim that is paid (recoveries done) or rejected."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        closed = close_claim(session, actor, find_claim(session, claim).id, reason=reason)
        Console().print(f"{closed.number}: closed on {closed.closed_on}")


def _stats(stats: DurationStats) -> str:
    if stats.count == 0:
        return "–"
    share = stats.within_share
    within = "" if share is None else f", {share * 100:.0f}% in time"
    return f"median {stats.median_days} d, p90 {stats.p90_days} d{within}"


def service_levels_command(
    date_from: Annotated[str, typer.Option("--from", help="Claims filed from (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Claims filed to (YYYY-MM-DD).")],
    as_user: AsOption = None,
) -> None:
    """Days from filing to complete documents, to the decision and to payment, per insurer and programme."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        rows = service_levels(session, actor, date_from=_day(date_from, "from"), date_to=_day(date_to, "to"))
        table = Table(title="Claim service levels")
        for column in ("insurer", "programme", "claims", "to documents", "to decision", "to payment"):
            table.add_column(column)
        for row in rows:
            summary = row.summary
            table.add_row(
                row.insurer_name,
                row.programme_name or "all claims",
                str(summary.claims),
                _stats(summary.to_documents),
                _stats(summary.to_decision),
                _stats(summary.to_payment),
            )
        print_table(table, Console())
