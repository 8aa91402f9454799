"""Shared fixtures: one migrated database per backend and test worker, each test rolled back.

Every test that takes `db` runs on SQLite and, when TRADECOVER_TEST_POSTGRES_URL is set, on
PostgreSQL too. With TRADECOVER_TEST_REQUIRE_POSTGRES=1 (CI) a missing PostgreSQL is a failure,
not a skip. After each such test the ledger reconciliation runs on what the test left behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tradecover.db.engine import make_engine
from tradecover.db.migrate import upgrade
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.ledger.reconcile import find_violations

POSTGRES_URL_VAR = "TRADECOVER_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VAR = "TRADECOVER_TEST_REQUIRE_POSTGRES"
BACKENDS = ["sqlite", "postgresql"]


def _worker(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


def postgres_base_url() -> str | None:
    """The server given for tests, or None; refuses to run without it when CI requires it."""
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url and os.environ.get(REQUIRE_POSTGRES_VAR) == "1":
        pytest.fail(f"{POSTGRES_URL_VAR} is not set but {REQUIRE_POSTGRES_VAR}=1", pytrace=False)
    return url or None


def create_postgres_database(base_url: str, name: str) -> str:
    """Create (afresh) a database on the test server and return its URL."""
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, name: str) -> None:
    """Remove a database made by `create_postgres_database`."""
    admin = make_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(backend: str, name: str, tmp_dir: Path) -> str:
    """A new, empty database of the backend for this worker (skips or fails when unavailable)."""
    if backend == "sqlite":
        path = tmp_dir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VAR}")
    return create_postgres_database(base, name)


@contextmanager
def own_database(backend: str, tmp_dir: Path, prefix: str, **options: Any) -> Iterator[Engine]:
    """A migrated database of the backend for one test alone, whose transactions really commit."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = make_engine(fresh_database_url(backend, name, tmp_dir), **options)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_postgres_database(postgres_base_url() or "", name)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of one backend, private to this test worker."""
    backend: str = request.param
    # The process id keeps concurrent test runs on one server apart.
    name = f"tradecover_test_{_worker(request)}_{os.getpid()}"
    url = fresh_database_url(backend, name, tmp_path_factory.getbasetemp())
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    if backend == "postgresql":
        drop_postgres_database(postgres_base_url() or "", name)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield connection
        finally:
            outer.rollback()


def bound_session(connection: Connection) -> Session:
    """A session on the test's connection whose commits only release savepoints."""
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """An unrestricted session for the test; afterwards the ledger must reconcile."""
    session = bound_session(connection)
    set_tenant(session, Tenant.unrestricted())
    try:
        yield session
        checker = bound_session(connection)
        set_tenant(checker, Tenant.unrestricted())
        violations = find_violations(checker)
        checker.close()
        assert not violations, "ledger does not reconcile after the test:\n" + "\n".join(
            str(v) for v in violations
        )
    finally:
        session.close()


@pytest.fixture
def backend(engine: Engine) -> str:
    """The name of the database backend in use ('sqlite' or 'postgresql')."""
    return engine.dialect.name
