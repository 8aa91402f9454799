"""The `tradecover` command: demo, serve, db, reconcile, orgs, users and risk."""

from __future__ import annotations

import typer

from tradecover.cli.buyers import buyers_app
from tradecover.cli.claims import claims_app
from tradecover.cli.database import db_app
from tradecover.cli.declarations import import_app
from tradecover.cli.demo import demo
from tradecover.cli.errors import CommandGroup
from tradecover.cli.financing import financing_app
from tradecover.cli.limits import limits_app
from tradecover.cli.overdues import overdues_app
from tradecover.cli.parties import orgs_app, users_app
from tradecover.cli.platform_date import pin_platform_date
from tradecover.cli.policies import policies_app, products_app
from tradecover.cli.pools import pools_app
from tradecover.cli.premiums import premiums_app
from tradecover.cli.reconcile import reconcile
from tradecover.cli.report import report
from tradecover.cli.risk import risk_app
from tradecover.cli.serve import serve
from tradecover.cli.subsidies import subsidies_app
from tradecover.cli.tick import tick
from tradecover.settings import get_settings

app = typer.Typer(
    cls=CommandGroup,
    name="tradecover",
    help="tradecover: the open trade credit insurance platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _platform_date() -> None:
    """Judge every command on the platform's date (TRADECOVER_TODAY pins it for a demo or rehearsal)."""
    pin_platform_date(get_settings())


app.command()(demo)
app.command()(serve)
app.add_typer(db_app, name="db")
app.command()(reconcile)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(buyers_app, name="buyers")
app.add_typer(risk_app, name="risk")
app.add_typer(policies_app, name="policies")
app.add_typer(products_app, name="products")
app.add_typer(limits_app, name="limits")
app.add_typer(pools_app, name="pools")
app.add_typer(import_app, name="import")
app.add_typer(subsidies_app, name="subsidies")
app.add_typer(premiums_app, name="premiums")
app.add_typer(claims_app, name="claims")
app.add_typer(overdues_app, name="overdues")
app.add_typer(financing_app, name="financing")
app.command()(tick)
app.command()(report)
