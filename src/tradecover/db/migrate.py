"""Migrations: upgrade a database to the code's schema, and refuse to serve an outdated one."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

from tradecover.errors import DomainError


class DatabaseNotReady(DomainError):
    """The database is missing tables or behind the code's migrations."""


def alembic_config(engine: Engine, metadata: MetaData | None = None) -> Config:
    """An Alembic config for the engine's database, with the package's migrations."""
    config = Config()
    config.set_main_option("script_location", "tradecover.db:migrations")
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    if metadata is not None:
        config.attributes["target_metadata"] = metadata
    return config


def head_revision(engine: Engine) -> str:
    """The newest migration the code knows."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision` (the newest by default), in one transaction."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_current(engine: Engine) -> None:
    """Raise `DatabaseNotReady` with the command to run unless the database is at the newest migration."""
    current, head = current_revision(engine), head_revision(engine)
    if current is None:
        raise DatabaseNotReady("the database has no tradecover tables: run `tradecover db upgrade` first")
    if current != head:
        raise DatabaseNotReady(
            f"the database is at migration {current} but this version needs {head}: "
            "run `tradecover db upgrade`"
        )
