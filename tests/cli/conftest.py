"""Running the `tradecover` command in-process against a private database of its own.

The CLI commits, so it never uses the shared, rolled-back test database: each test gets a new SQLite
file, and the tests that take `cli_backend` also a new PostgreSQL database when one is configured.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from tradecover.cli.main import app
from tradecover.db.engine import make_engine
from tradecover.settings import get_settings

POSTGRES_URL_VAR = "TRADECOVER_TEST_POSTGRES_URL"


@dataclass
class Cli:
    """Invokes `tradecover …` with TRADECOVER_DATABASE_URL pointing at the test's database."""

    database_url: str

    def __call__(self, *args: str, input: str | None = None) -> Result:
        """Run the command line; settings are read afresh for each run."""
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(
                app,
                list(args),
                input=input,
                env={"TRADECOVER_DATABASE_URL": self.database_url, "COLUMNS": "200"},
            )
        finally:
            get_settings.cache_clear()

    def engine(self) -> Engine:
        """An engine on the same database, for looking at what a command left behind."""
        return make_engine(self.database_url)


def _postgres_admin(base_url: str) -> Engine:
    return make_engine(base_url, isolation_level="AUTOCOMMIT")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands may write ./tradecover.db or a secret key file: keep them in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a new, empty SQLite database."""
    return Cli(f"sqlite:///{tmp_path / 'cli.db'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cli]:
    """The CLI on a new, empty database of each backend (PostgreSQL when configured)."""
    if request.param == "sqlite":
        yield Cli(f"sqlite:///{tmp_path / 'cli.db'}")
        return
    base = os.environ.get(POSTGRES_URL_VAR)
    if not base:
        if os.environ.get("TRADECOVER_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{POSTGRES_URL_VAR} is not set", pytrace=False)
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VAR}")
    name = f"tradecover_cli_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin(base)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Cli(make_url(base).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
