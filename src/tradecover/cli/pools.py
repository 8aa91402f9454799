"""`tradecover pools`: list pools, show one with its members' capacity, create one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.cli.parties import find_organisation
from tradecover.coinsurance.capacity import capacity_use
from tradecover.coinsurance.rules import percent, show
from tradecover.coinsurance.service import (
    MemberPlan,
    PoolView,
    create_pool,
    describe_shares,
    get_pool,
    list_pools,
)
from tradecover.errors import NotFound, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor

pools_app = typer.Typer(help="Coinsurance pools: list, show, create.", no_args_is_help=True)


def _decimal(raw: str, field: str) -> Decimal:
    text = raw.strip()
    try:
        value = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{raw!r} is not a number", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"{raw!r} is not a number", field=field)
    return value


def _find_pool(session: Session, id_or_name: str) -> PoolView:
    actor = Actor.system()
    for view in list_pools(session, actor):
        if id_or_name.strip() in (str(view.id), view.name):
            return view
    raise NotFound(f"no pool has the id or name {id_or_name.strip()!r}", field="pool")


@pools_app.command("list")
def list_command() -> None:
    """List pools: name, currency, leader and commission, members and shares."""
    with open_engine() as engine, command_transaction(engine) as session:
        found = list_pools(session, Actor.system())
        table = Table(title=f"{len(found)} pools")
        for column in ("Pool", "Currency", "Leader", "Commission", "Members", "Id"):
            table.add_column(column, no_wrap=column in ("Id", "Currency"))
        for view in found:
            table.add_row(
                view.name,
                view.pool.currency,
                view.leader_name,
                percent(view.pool.leader_commission),
                describe_shares(view),
                str(view.id),
            )
    print_table(table)


@pools_app.command("show")
def show_command(pool: Annotated[str, typer.Argument(help="The pool's id or exact name.")]) -> None:
    """Show a pool's members: share, capacities, used and left."""
    with open_engine() as engine, command_transaction(engine) as session:
        view = get_pool(session, Actor.system(), _find_pool(session, pool).id)
        console = Console()
        console.print(
            f"{view.name} ({view.id}): led by {view.leader_name}, leadership commission "
            f"{percent(view.pool.leader_commission)}, capacity in {view.pool.currency}"
        )
        table = Table(title="Members")
        for column in ("Member", "Share", "Capacity", "Per buyer", "Per country", "Used", "Left"):
            table.add_column(column, no_wrap=True)
        for use in capacity_use(session, view.id):
            m = use.member
            table.add_row(
                use.name + (" (leader)" if m.insurer_id == view.pool.leader_id else ""),
                percent(m.share),
                show(m.total_capacity),
                show(m.per_buyer_capacity) if m.per_buyer_capacity else "—",
                show(m.per_country_capacity) if m.per_country_capacity else "—",
                show(use.used),
                show(use.left),
            )
    print_table(table, console)


@pools_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="The pool's name.")],
    member: Annotated[
        list[str],
        typer.Option(
            "--member", help="NAME:SHARE of a member insurer, e.g. 'Ping An:0.35' or 'Ping An:35%'; repeat."
        ),
    ],
    leader: Annotated[str, typer.Option("--leader", help="The leading member's name or id.")],
    commission: Annotated[str, typer.Option("--commission", help="Leadership commission, e.g. 0.05 or 5%.")],
    currency: Annotated[str, typer.Option("--currency", help="Currency of the capacity, e.g. CNY.")],
    country: Annotated[str, typer.Option("--country", help="The pool's country.")] = "CN",
    capacity: Annotated[
        str | None,
        typer.Option("--capacity", help="The pool's total capacity, split among members by share."),
    ] = None,
) -> None:
    """Create a coinsurance pool: members with shares adding up to exactly 100%, a leader among them."""
    with open_engine() as engine, command_transaction(engine) as session:
        system = Actor.system()
        parsed = []
        for raw in member:
            who, sep, share = raw.rpartition(":")
            if not sep or not who.strip():
                raise ValidationError(f"{raw!r} is not NAME:SHARE", field="member")
            parsed.append((find_organisation(session, system, who).id, _decimal(share, "member")))
        shares = [share for _, share in parsed]
        parts: list[Money | None] = [None] * len(parsed)
        if capacity is not None and all(share > 0 for share in shares):
            total = Money.of(_decimal(capacity, "capacity"), currency.strip().upper())
            parts = list(total.allocate(shares))
        view = create_pool(
            session,
            system,
            name=name,
            country=country,
            currency=currency,
            leader_id=find_organisation(session, system, leader).id,
            leader_commission=_decimal(commission, "commission"),
            members=[
                MemberPlan(org_id, share, part) for (org_id, share), part in zip(parsed, parts, strict=True)
            ],
        )
        Console().print(f"created pool {view.name} ({view.id}): {describe_shares(view)}")
