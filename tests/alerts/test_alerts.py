"""Alerts: raised once per addressee, seen only by the addressee, marked read by one of its people."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tradecover.alerts.model import Alert
from tradecover.alerts.service import list_alerts, mark_all_read, mark_read, raise_alerts, unread_count
from tradecover.clock import FixedClock, set_clock
from tradecover.db.tenancy import set_tenant
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user

NOW = dt.datetime(2025, 5, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[FixedClock]:
    clock = FixedClock(NOW)
    previous = set_clock(clock)
    yield clock
    set_clock(previous)


def _member(db: Session, kind: OrganisationKind, role: Role) -> Actor:
    system = Actor.system()
    organisation = create_organisation(db, system, name=f"{kind} {uuid.uuid4()}", kind=kind, country="CN")
    user = create_user(
        db,
        system,
        organisation_id=organisation.id,
        email=f"{uuid.uuid4().hex}@example.org",
        full_name="A Person",
        roles=[role],
    )
    return actor_for(user)


def _raise(db: Session, *organisation_ids: uuid.UUID | None, title: str = "Buyer downgraded") -> list[Alert]:
    return raise_alerts(
        db,
        organisation_ids=[o for o in organisation_ids if o is not None],
        kind="buyer_grade_changed",
        subject_type="Buyer",
        subject_id=uuid.UUID(int=7),
        title=title,
        message="Bluewater Retail Inc. (US) went from grade 4 to 6: US tariffs.",
    )


@pytest.fixture
def exporter(db: Session) -> Actor:
    return _member(db, OrganisationKind.POLICYHOLDER, Role.POLICYHOLDER)


@pytest.fixture
def insurer(db: Session) -> Actor:
    return _member(db, OrganisationKind.INSURER, Role.UNDERWRITER)


def test_an_organisation_named_twice_gets_one_alert(db: Session, exporter: Actor, insurer: Actor) -> None:
    alerts = _raise(db, exporter.organisation_id, insurer.organisation_id, exporter.organisation_id)
    assert [a.organisation_id for a in alerts] == [exporter.organisation_id, insurer.organisation_id]
    assert alerts[0].subject_id == str(uuid.UUID(int=7))
    assert unread_count(db, exporter) == 1


def test_each_organisation_sees_only_its_own_alerts_even_without_the_session_scope(
    db: Session, exporter: Actor, insurer: Actor
) -> None:
    _raise(db, exporter.organisation_id, title="for the exporter")
    _raise(db, insurer.organisation_id, title="for the insurer")
    assert [a.title for a in list_alerts(db, exporter)] == ["for the exporter"]
    set_tenant(db, insurer.tenant)
    assert [a.title for a in list_alerts(db, insurer)] == ["for the insurer"]
    assert list_alerts(db, exporter) == []


def test_another_organisation_cannot_read_or_mark_an_alert(
    db: Session, exporter: Actor, insurer: Actor
) -> None:
    (alert,) = _raise(db, exporter.organisation_id)
    with pytest.raises(PermissionDenied):
        # An unrestricted session (the operator's) finds it, but only the addressee may read it.
        mark_read(db, insurer, alert.id)
    set_tenant(db, insurer.tenant)
    with pytest.raises(NotFound):
        mark_read(db, insurer, alert.id)
    assert alert.read_at is None


def test_marking_read_records_who_and_when_and_a_second_read_keeps_the_first(
    db: Session, exporter: Actor, fixed_clock: FixedClock
) -> None:
    (alert,) = _raise(db, exporter.organisation_id)
    mark_read(db, exporter, alert.id)
    fixed_clock.advance(dt.timedelta(hours=1))
    again = mark_read(db, exporter, alert.id)
    assert (again.read_at, again.read_by_user_id) == (NOW, exporter.user_id)
    assert unread_count(db, exporter) == 0
    assert list_alerts(db, exporter, unread_only=True) == []
    assert len(list_alerts(db, exporter)) == 1


def test_the_newest_alert_comes_first_and_all_can_be_marked_read(
    db: Session, exporter: Actor, fixed_clock: FixedClock
) -> None:
    _raise(db, exporter.organisation_id, title="older")
    fixed_clock.advance(dt.timedelta(minutes=5))
    _raise(db, exporter.organisation_id, title="newer")
    assert [a.title for a in list_alerts(db, exporter)] == ["newer", "older"]
    assert mark_all_read(db, exporter) == 2
    assert unread_count(db, exporter) == 0


@pytest.mark.parametrize("field", ["kind", "subject_type", "title", "message"])
def test_an_alert_without_a_kind_subject_title_or_message_is_refused(
    db: Session, exporter: Actor, field: str
) -> None:
    values: dict[str, object] = {
        "kind": "buyer_grade_changed",
        "subject_type": "Buyer",
        "subject_id": "x",
        "title": "t",
        "message": "m",
    }
    values[field] = "  "
    with pytest.raises(ValidationError) as refused:
        raise_alerts(db, organisation_ids=[exporter.organisation_id], **values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_listing_more_than_the_bound_is_refused(db: Session, exporter: Actor) -> None:
    with pytest.raises(ValidationError):
        list_alerts(db, exporter, limit=501)


def test_an_over_long_title_or_message_is_shortened_with_an_ellipsis_not_refused(
    db: Session, exporter: Actor
) -> None:
    (alert,) = raise_alerts(
        db,
        organisation_ids=[exporter.organisation_id],
        kind="buyer_grade_changed",
        subject_type="Buyer",
        subject_id="x",
        title="T" * 250,
        message="M" * 2500,
    )
    assert (len(alert.title), alert.title[-1]) == (200, "…")
    assert (len(alert.message), alert.message[-1]) == (2000, "…")
