"""`tradecover limits`: list limits, request one, decide a referral."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.clock import get_clock
from tradecover.errors import ValidationError
from tradecover.limits.decisions import approve_referral, decline_referral, request_limit
from tradecover.limits.history import in_force_on
from tradecover.limits.model import CreditLimit, LimitStatus
from tradecover.limits.rules import show
from tradecover.limits.service import LimitFilter, list_limits
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.service import actor_by_email
from tradecover.policies.service import find_policy

limits_app = typer.Typer(help="Credit limits: list, request, decide referrals.", no_args_is_help=True)

PolicyOption = Annotated[str, typer.Option("--policy", help="The policy's number or id.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (e-mail); default: the platform.")
]


class Verdict(enum.StrEnum):
    """What an underwriter decides on a referral."""

    APPROVE = "approve"
    DECLINE = "decline"


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError(f"{raw!r} is not an id", field=field) from None


def _status(raw: str | None) -> LimitStatus | None:
    if raw is None:
        return None
    try:
        return LimitStatus(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in LimitStatus)
        raise ValidationError(f"{raw!r} is not one of {allowed}", field="status") from None


def _summary(limit: CreditLimit) -> str:
    return f"{limit.reference} ({limit.id}) on {limit.buyer.name}: {limit.status.value} — {limit.reason}"


@limits_app.command("list")
def list_command(
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy's (number or id).")] = None,
    status: Annotated[str | None, typer.Option(help="requested, referred, approved, … cancelled.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List limits: reference, buyer, status, requested, in force today, review date, reason."""
    today = get_clock().today()
    with open_engine() as engine, command_transaction(engine) as session:
        policy_id = find_policy(session, Actor.system(), policy).id if policy else None
        found = list_limits(session, LimitFilter(policy_id=policy_id, status=_status(status)), limit=limit)
        table = Table(title=f"{len(found)} limits")
        for column in ("Limit", "Buyer", "Status", "Requested", "In force", "Review", "Reason", "Id"):
            table.add_column(column, no_wrap=column in ("Limit", "Id", "Requested", "In force"))
        for x in found:
            table.add_row(
                x.reference,
                f"{x.buyer.name} ({x.buyer_country})",
                x.status.value.replace("_", " "),
                show(x.requested),
                show(in_force_on(x, today)),
                x.review_on.isoformat() if x.review_on else "",
                x.reason or "",
                str(x.id),
            )
    print_table(table)


@limits_app.command("request")
def request_command(
    policy: PolicyOption,
    buyer: Annotated[str, typer.Option("--buyer", help="The buyer's id.")],
    amount: Annotated[str, typer.Option("--amount", help="In the policy currency, e.g. 250000.")],
    as_user: AsOption = None,
) -> None:
    """Request a limit on a buyer under a policy and print the decision with its reason."""
    with open_engine() as engine, command_transaction(engine) as session:
        found = find_policy(session, Actor.system(), policy)
        actor = actor_by_email(session, as_user)
        limit = request_limit(
            session, actor, found.id, _uuid(buyer, "buyer"), Money.of(amount, found.currency)
        )
        Console().print(_summary(limit))


@limits_app.command("decide")
def decide_command(
    limit_id: Annotated[str, typer.Argument(help="The referred limit's id.")],
    verdict: Annotated[Verdict, typer.Argument(help="approve or decline.")],
    as_user: Annotated[str, typer.Option("--as", help="The deciding underwriter's e-mail.")],
    amount: Annotated[str | None, typer.Option(help="Approve at most this (default: all requested).")] = None,
    reason: Annotated[str | None, typer.Option(help="A note on an approval; why, on a decline.")] = None,
) -> None:
    """An underwriter approves or declines a referred limit."""
    with open_engine() as engine, command_transaction(engine) as session:
        actor = actor_by_email(session, as_user)
        target = _uuid(limit_id, "limit_id")
        if verdict is Verdict.APPROVE:
            currency = session.scalars(select(CreditLimit.currency).where(CreditLimit.id == target)).first()
            money = Money.of(amount, currency) if amount and currency else None
            limit = approve_referral(session, actor, target, amount=money, note=reason)
        else:
            limit = decline_referral(session, actor, target, reason=reason or "")
        Console().print(_summary(limit))
