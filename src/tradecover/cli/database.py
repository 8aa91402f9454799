"""`tradecover db`: migrate the database, say where it stands; the engine and transaction of a command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tradecover.db.engine import make_engine
from tradecover.db.migrate import alembic_config, current_revision, ensure_current, head_revision, upgrade
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.oversight.totals_refresh import refresh_totals, settle_totals
from tradecover.settings import get_settings

db_app = typer.Typer(help="Migrate the database and show its migration.", no_args_is_help=True)


@contextmanager
def open_engine(url: str | None = None) -> Iterator[Engine]:
    """An engine for the configured database (or `url`), disposed when the command ends."""
    engine = make_engine(url or get_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def command_transaction(engine: Engine) -> Iterator[Session]:
    """One command, one transaction: an unrestricted session on a database at the newest migration."""
    ensure_current(engine)
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        yield session


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest migration; returns (from, to) revisions."""
    before = current_revision(engine)
    upgrade(engine)
    return before, head_revision(engine)


def start_over(engine: Engine) -> None:
    """Remove every tradecover table and row: the SQLite file goes; PostgreSQL is downgraded to empty."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        engine.dispose()
        if url.database and url.database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        return
    if current_revision(engine) is None:
        return
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def _describe(revision: str | None) -> str:
    return revision if revision is not None else "empty (no tradecover tables)"


def _database_label(engine: Engine) -> str:
    return make_url(engine.url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the configured database (TRADECOVER_DATABASE_URL) to the newest revision."""
    with open_engine() as engine:
        before, after = migrate(engine)
        label = _database_label(engine)
        # A migration may mark every policy's oversight totals stale: rebuild them now, not in a page view.
        with command_transaction(engine) as session:
            rebuilt = refresh_totals(session)
        if rebuilt:
            settle_totals(engine)
    if before == after:
        typer.echo(f"{label}: already at the newest migration {after}")
    else:
        typer.echo(f"{label}: migrated from {_describe(before)} to {after}")
    if rebuilt:
        typer.echo(f"oversight monthly totals rebuilt for {rebuilt} policies")


@db_app.command("current")
def current_command() -> None:
    """Show the database's migration and whether it is the newest this version knows."""
    with open_engine() as engine:
        current, head = current_revision(engine), head_revision(engine)
        label = _database_label(engine)
    if current == head:
        typer.echo(f"{label}: at {current} (newest)")
    else:
        typer.echo(f"{label}: at {_describe(current)}; newest is {head}: run `tradecover db upgrade`")
