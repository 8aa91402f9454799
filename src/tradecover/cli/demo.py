"""`tradecover demo`: migrate, seed the demo world once, print one sign-in per role, serve."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradecover.cli.database import command_transaction, migrate, open_engine, start_over
from tradecover.cli.output import print_table
from tradecover.cli.platform_date import pin_platform_date
from tradecover.cli.serve import Host, Port, address, browser_url, run_server
from tradecover.demo.world import (
    DEFAULT_BUYERS,
    DEFAULT_POLICYHOLDERS,
    DEFAULT_SEED,
    DEMO_TODAY,
    DemoSignIn,
    demo_sign_ins,
    demo_world_exists,
    plan_demo_world,
    seed_demo_world,
)
from tradecover.settings import get_settings


def sign_in_table(sign_ins: list[DemoSignIn], url: str) -> Table:
    """The demo sign-ins as a table: role, organisation, e-mail, password."""
    table = Table(title=f"Demo sign-ins at {url}")
    table.add_column("Role", no_wrap=True)
    table.add_column("Organisation")
    table.add_column("E-mail", no_wrap=True)
    table.add_column("Password", no_wrap=True)
    for sign_in in sign_ins:
        table.add_row(sign_in.role_title, sign_in.organisation, sign_in.email, sign_in.password)
    return table


def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete everything in the database and start over.")
    ] = False,
    seed: Annotated[
        int, typer.Option(help="Seed of the world: the same seed gives the same world.")
    ] = DEFAULT_SEED,
    buyers: Annotated[int, typer.Option(min=0, help="How many buyers to generate.")] = DEFAULT_BUYERS,
    policyholders: Annotated[
        int, typer.Option(min=1, help="How many policyholders (exporters and domestic sellers).")
    ] = DEFAULT_POLICYHOLDERS,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the platform afterwards.")] = True,
    host: Host = None,
    port: Port = None,
) -> None:
    """Set up the demo: migrate, seed the demo world once (reused later), print the sign-ins, serve."""
    settings = get_settings()
    console = Console()
    with open_engine(settings.database_url) as engine:
        if reset:
            start_over(engine)
            console.print("Started over: the database was emptied.")
        before, after = migrate(engine)
        if before != after:
            console.print(f"Database migrated from {before or 'empty'} to {after}.")
        with command_transaction(engine) as session:
            if demo_world_exists(session):
                console.print("Reusing the demo world already in the database (--reset starts over).")
            else:
                plan = plan_demo_world(seed, buyers=buyers, policyholders=policyholders)
                with console.status(
                    "Seeding the demo world: organisations, buyers, policies, limits, a year of "
                    "shipments and payments (about a minute)…"
                ):
                    summary = seed_demo_world(session, plan)
                console.print(
                    f"Seeded the demo world (seed {seed}): {summary.organisations} organisations "
                    f"({summary.policyholders} policyholders), {summary.users} users, "
                    f"{summary.buyers} buyers."
                )
            sign_ins = demo_sign_ins(session)
    listen_host, listen_port = address(settings, host, port)
    url = browser_url(listen_host, listen_port)
    print_table(sign_in_table(sign_ins, url), console)
    # The demo world's year runs to DEMO_TODAY: served on that date, its deadlines read as they did then.
    today = pin_platform_date(settings, DEMO_TODAY)
    console.print(f"The platform's date is {today:%-d %B %Y} (TRADECOVER_TODAY sets another).")
    if serve:
        console.print(f"Serving at {url} — press Ctrl+C to stop.")
        run_server(settings, host, port)
