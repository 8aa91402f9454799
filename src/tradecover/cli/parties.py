"""`tradecover orgs` and `tradecover users`: list organisations, list and create users."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.cli.database import command_transaction, open_engine
from tradecover.cli.output import print_table
from tradecover.errors import NotFound, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import ROLE_TITLES, Role
from tradecover.parties.service import create_user, get_organisation, list_organisations, list_users

orgs_app = typer.Typer(help="Organisations on the platform.", no_args_is_help=True)
users_app = typer.Typer(help="Users of organisations.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--org", help="The organisation's id or exact name.")]


def find_organisation(session: Session, actor: Actor, id_or_name: str) -> Organisation:
    """The organisation with this id, else the one with exactly this name."""
    text = id_or_name.strip()
    try:
        return get_organisation(session, actor, uuid.UUID(text))
    except ValueError:
        pass
    matches = session.scalars(select(Organisation).where(Organisation.name == text)).all()
    if not matches:
        raise NotFound(f"no organisation has the id or name {text!r}", field="org")
    if len(matches) > 1:
        raise ValidationError(f"{len(matches)} organisations are called {text!r}: give its id", field="org")
    return matches[0]


def _titles(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_TITLES[role] for role in Role if role in roles)


@orgs_app.command("list")
def list_orgs_command() -> None:
    """List every organisation: name, kind, country, region and id."""
    table = Table(title="Organisations")
    for column in ("Name", "Kind", "Country", "Region", "Id"):
        table.add_column(column, no_wrap=column == "Id")
    with open_engine() as engine, command_transaction(engine) as session:
        for organisation in list_organisations(session, Actor.system()):
            table.add_row(
                organisation.name,
                organisation.kind.value.replace("_", " "),
                organisation.country,
                organisation.region or "",
                str(organisation.id),
            )
    print_table(table)


@users_app.command("list")
def list_users_command(org: OrgOption) -> None:
    """List the users of one organisation with their roles."""
    actor = Actor.system()
    with open_engine() as engine, command_transaction(engine) as session:
        organisation = find_organisation(session, actor, org)
        table = Table(title=f"Users of {organisation.name}")
        for column in ("E-mail", "Name", "Roles", "Active", "Last sign-in"):
            table.add_column(column, no_wrap=column == "E-mail")
        for user in list_users(session, actor, organisation.id):
            last = user.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_sign_in_at else ""
            table.add_row(
                user.email, user.full_name, _titles(user.roles), "yes" if user.is_active else "no", last
            )
    print_table(table)


@users_app.command("create")
def create_user_command(
    org: OrgOption,
    email: Annotated[str, typer.Option(help="The user's e-mail address (the sign-in name).")],
    name: Annotated[str, typer.Option(help="The user's full name.")],
    role: Annotated[list[Role], typer.Option(help="A role to grant; repeat for several.")],
    password: Annotated[
        str | None,
        typer.Option(help="The password (at least 10 characters); asked twice, hidden, when left out."),
    ] = None,
) -> None:
    """Create a user of an organisation with one or more roles."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    actor = Actor.system()
    with open_engine() as engine, command_transaction(engine) as session:
        organisation = find_organisation(session, actor, org)
        user = create_user(
            session,
            actor,
            organisation_id=organisation.id,
            email=email,
            full_name=name,
            roles=role,
            password=password,
        )
        summary = f"created {user.email} ({_titles(user.roles)}) in {organisation.name}: id {user.id}"
    typer.echo(summary)
