"""The database foundation: migrations from empty on both backends, SQLite settings, tenancy."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from tradecover.db.engine import make_engine
from tradecover.db.migrate import DatabaseNotReady, current_revision, ensure_current, head_revision
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import MissingTenant, Tenant, set_tenant
from tradecover.errors import Conflict
from tradecover.models import metadata
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind


def test_migrations_bring_an_empty_database_to_the_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    ensure_current(engine)
    assert {"organisations", "users", "journal_entries", "postings", "audit_events"} <= set(
        inspect(engine).get_table_names()
    )


def test_the_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    assert diff == []


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(DatabaseNotReady, match="tradecover db upgrade"):
        ensure_current(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _org(name: str) -> Organisation:
    return Organisation(name=name, kind=OrganisationKind.POLICYHOLDER, country="CN")


def test_a_scoped_session_does_not_find_another_organisations_rows(db: Session) -> None:
    mine, theirs = _org("Mine Ltd"), _org("Theirs Ltd")
    db.add_all([mine, theirs])
    db.flush()
    scoped = Session(bind=db.connection())
    set_tenant(scoped, Tenant.of(mine.id))
    assert scoped.scalars(select(Organisation.name)).all() == ["Mine Ltd"]
    assert scoped.get(Organisation, theirs.id) is None
    scoped.close()


def test_a_session_without_tenant_refuses_tenant_owned_queries(db: Session) -> None:
    bare = Session(bind=db.connection())
    with pytest.raises(MissingTenant):
        bare.scalars(select(Organisation)).all()
    assert bare.execute(text("select 1")).scalar() == 1
    bare.close()


def test_a_uniqueness_clash_found_at_commit_becomes_a_conflict_and_leaves_nothing(
    connection: Connection,
) -> None:
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    with (
        pytest.raises(Conflict, match="at the same time"),
        unit_of_work(factory, Tenant.unrestricted()) as work,
    ):
        work.add_all(
            [
                Organisation(name=n, kind=OrganisationKind.BANK, country="CN", registration_number="911")
                for n in ("First", "Second")
            ]
        )
    with unit_of_work(factory, Tenant.unrestricted()) as work:
        assert work.scalars(select(Organisation)).all() == []
