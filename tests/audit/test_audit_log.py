"""The audit log: written by services, read per object and newest first, scoped, append-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.audit.service import events_for, recent_events, record
from tradecover.clock import FixedClock, set_clock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import ValidationError
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """A clock that moves only when the test moves it."""
    fixed = FixedClock(dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def organisation(db: Session, name: str, kind: OrganisationKind = OrganisationKind.INSURER) -> Organisation:
    org = Organisation(name=name, kind=kind, country="CN")
    db.add(org)
    db.flush()
    return org


def event(
    db: Session, clock: FixedClock, actor: Organisation, action: str, obj: object, owner: Organisation
) -> AuditEvent:
    clock.advance(dt.timedelta(minutes=1))
    recorded = record(
        db,
        actor_user_id=None,
        actor_organisation_id=actor.id,
        action=action,
        object_type="Policy",
        object_id=obj,
        subject_organisation_id=owner.id,
        details={"note": action},
    )
    db.flush()
    return recorded


def test_an_objects_history_is_listed_oldest_first(db: Session, clock: FixedClock) -> None:
    insurer = organisation(db, "Insurer")
    event(db, clock, insurer, "policy.issued", 17, insurer)
    event(db, clock, insurer, "policy.issued", 18, insurer)
    event(db, clock, insurer, "policy.amended", 17, insurer)
    history = events_for(db, "Policy", 17)
    assert [(e.action, e.object_id, e.details) for e in history] == [
        ("policy.issued", "17", {"note": "policy.issued"}),
        ("policy.amended", "17", {"note": "policy.amended"}),
    ]
    assert history[0].at == dt.datetime(2026, 3, 31, 9, 1, tzinfo=dt.UTC)
    assert events_for(db, "Claim", 17) == []


def test_recent_events_come_newest_first_up_to_the_limit(db: Session, clock: FixedClock) -> None:
    insurer = organisation(db, "Insurer")
    for number in range(5):
        event(db, clock, insurer, f"policy.step{number}", 1, insurer)
    assert [e.action for e in recent_events(db, limit=3)] == ["policy.step4", "policy.step3", "policy.step2"]


@pytest.mark.parametrize("limit", [0, -1, 1001, True])
def test_a_limit_outside_one_page_is_refused(db: Session, limit: int) -> None:
    with pytest.raises(ValidationError) as refused:
        recent_events(db, limit=limit)
    assert refused.value.field == "limit"


def test_an_organisation_sees_what_it_did_and_what_was_done_to_it_but_nothing_else(
    connection: Connection, db: Session, clock: FixedClock
) -> None:
    insurer = organisation(db, "Insurer")
    exporter = organisation(db, "Exporter", OrganisationKind.POLICYHOLDER)
    stranger = organisation(db, "Stranger", OrganisationKind.POLICYHOLDER)
    event(db, clock, insurer, "policy.issued", 1, exporter)
    event(db, clock, exporter, "shipment.declared", 1, exporter)
    event(db, clock, insurer, "limit.decided", 2, insurer)
    scoped = Session(bind=connection)
    set_tenant(scoped, Tenant.of(exporter.id))
    assert [e.action for e in recent_events(scoped, limit=10)] == ["shipment.declared", "policy.issued"]
    assert events_for(scoped, "Policy", 2) == []
    set_tenant(scoped, Tenant.of(stranger.id))
    assert recent_events(scoped, limit=10) == []
    assert events_for(scoped, "Policy", 1) == []
    scoped.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing.happened' WHERE id = {id}",
        "UPDATE audit_events SET actor_user_id = NULL WHERE id = {id}",
        "DELETE FROM audit_events WHERE id = {id}",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(
    db: Session, clock: FixedClock, statement: str
) -> None:
    insurer = organisation(db, "Insurer")
    recorded = event(db, clock, insurer, "policy.issued", 1, insurer)
    with db.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match="append-only"):
            db.connection().exec_driver_sql(statement.format(id=int(recorded.id)))
        savepoint.rollback()
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.id == recorded.id)).all() == [
        "policy.issued"
    ]


def test_changing_or_deleting_an_event_through_the_orm_is_refused(db: Session, clock: FixedClock) -> None:
    insurer = organisation(db, "Insurer")
    recorded = event(db, clock, insurer, "policy.issued", 1, insurer)
    with db.begin_nested() as savepoint:
        recorded.action = "policy.forged"
        with pytest.raises(DBAPIError, match="append-only"):
            db.flush()
        savepoint.rollback()
    with db.begin_nested() as savepoint:
        db.delete(recorded)
        with pytest.raises(DBAPIError, match="append-only"):
            db.flush()
        savepoint.rollback()
    db.refresh(recorded)
    assert recorded.action == "policy.issued"


def test_postgresql_refuses_to_truncate_the_audit_log(db: Session, clock: FixedClock, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    insurer = organisation(db, "Insurer")
    event(db, clock, insurer, "policy.issued", 1, insurer)
    with db.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match="append-only"):
            db.connection().exec_driver_sql("TRUNCATE audit_events")
        savepoint.rollback()
