"""Buyer and country grade changes: who may make them, what is refused, history and grades on a date."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.buyers.grades import (
    buyer_grade,
    buyer_grade_history,
    change_buyer_grade,
    change_country_grade,
    country_grade,
    country_grade_history,
    country_grades,
)
from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.errors import NotFound, PermissionDenied, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.reference.countries import get_country

MemberFactory = Callable[[OrganisationKind, Role], Actor]
NOW = dt.datetime(2025, 5, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    previous = set_clock(FixedClock(NOW))
    yield
    set_clock(previous)


def test_an_underwriter_downgrades_a_buyer_with_a_reason_and_it_is_recorded_and_audited(
    db: Session, underwriter: Actor, buyer: Buyer
) -> None:
    change = change_buyer_grade(db, underwriter, buyer.id, grade=6, reason="  US tariffs: margins  squeezed ")
    assert (change.old_grade, change.new_grade, change.reason) == (4, 6, "US tariffs: margins squeezed")
    assert change.effective_at == NOW
    assert (change.changed_by_user_id, change.changed_by_organisation_id) == (
        underwriter.user_id,
        underwriter.organisation_id,
    )
    assert change.buyer is buyer
    assert buyer.grade == 6
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "buyer.grade_changed")).one()
    assert event.object_id == str(buyer.id)
    assert event.details == {"old_grade": 4, "new_grade": 6, "reason": "US tariffs: margins squeezed"}


@pytest.mark.parametrize(("grade", "reason"), [(0, "ok"), (11, "ok"), (5, "   "), (5, "x" * 501)])
def test_a_grade_outside_one_to_ten_or_without_a_reason_is_refused(
    db: Session, underwriter: Actor, buyer: Buyer, grade: int, reason: str
) -> None:
    with pytest.raises(ValidationError):
        change_buyer_grade(db, underwriter, buyer.id, grade=grade, reason=reason)
    assert buyer.grade == 4
    assert buyer_grade_history(db, buyer.id) == []


def test_regrading_a_buyer_to_the_grade_it_has_is_refused(
    db: Session, underwriter: Actor, buyer: Buyer
) -> None:
    with pytest.raises(ValidationError, match="already 4") as refused:
        change_buyer_grade(db, underwriter, buyer.id, grade=4, reason="review")
    assert refused.value.field == "grade"


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.POLICYHOLDER, Role.POLICYHOLDER),
        (OrganisationKind.BANK, Role.BANK_OFFICER),
        (OrganisationKind.INSURER, Role.CLAIMS_HANDLER),
        (OrganisationKind.REGULATOR, Role.REGULATOR),
    ],
)
def test_only_underwriters_and_admins_may_regrade(
    db: Session, member_of: MemberFactory, buyer: Buyer, kind: OrganisationKind, role: Role
) -> None:
    actor = member_of(kind, role)
    with pytest.raises(PermissionDenied):
        change_buyer_grade(db, actor, buyer.id, grade=5, reason="no")
    with pytest.raises(PermissionDenied):
        change_country_grade(db, actor, "US", grade=3, reason="no")


def test_an_insurer_admin_may_regrade(db: Session, member_of: MemberFactory, buyer: Buyer) -> None:
    admin = member_of(OrganisationKind.INSURER, Role.INSURER_ADMIN)
    assert change_buyer_grade(db, admin, buyer.id, grade=3, reason="audited accounts").new_grade == 3


def test_regrading_an_unknown_buyer_is_not_found(db: Session, underwriter: Actor) -> None:
    with pytest.raises(NotFound):
        change_buyer_grade(db, underwriter, uuid.uuid4(), grade=5, reason="x")


def test_the_history_is_newest_first_and_the_grade_on_a_date_follows_it(
    db: Session, underwriter: Actor, buyer: Buyer
) -> None:
    change_buyer_grade(
        db,
        underwriter,
        buyer.id,
        grade=5,
        reason="tariff shock",
        effective_at=dt.datetime(2025, 4, 9, tzinfo=dt.UTC),
    )
    change_buyer_grade(
        db,
        underwriter,
        buyer.id,
        grade=7,
        reason="payment delays",
        effective_at=dt.datetime(2025, 5, 2, tzinfo=dt.UTC),
    )
    history = buyer_grade_history(db, buyer.id)
    assert [(c.old_grade, c.new_grade) for c in history] == [(5, 7), (4, 5)]
    assert buyer_grade(db, buyer.id, on=dt.date(2025, 4, 8)) == 4
    assert buyer_grade(db, buyer.id, on=dt.date(2025, 4, 9)) == 5
    assert buyer_grade(db, buyer.id, on=dt.date(2025, 5, 1)) == 5
    assert buyer_grade(db, buyer.id, on=dt.date(2025, 5, 20)) == 7


def test_a_change_cannot_be_dated_in_the_future_or_before_the_last_change(
    db: Session, underwriter: Actor, buyer: Buyer
) -> None:
    with pytest.raises(ValidationError) as future:
        change_buyer_grade(
            db, underwriter, buyer.id, grade=5, reason="x", effective_at=NOW + dt.timedelta(days=1)
        )
    assert future.value.field == "effective_at"
    change_buyer_grade(
        db, underwriter, buyer.id, grade=5, reason="x", effective_at=NOW - dt.timedelta(days=2)
    )
    with pytest.raises(ValidationError, match="before the last change"):
        change_buyer_grade(
            db, underwriter, buyer.id, grade=6, reason="y", effective_at=NOW - dt.timedelta(days=3)
        )


def test_a_country_grade_is_the_reference_data_until_changed_then_the_latest_change(
    db: Session, underwriter: Actor
) -> None:
    reference = get_country("US").grade
    assert country_grade(db, "us") == reference
    new = 2 if reference != 2 else 3
    change = change_country_grade(
        db, underwriter, "us", grade=new, reason="tariff escalation", effective_from=dt.date(2025, 4, 10)
    )
    assert (change.country, change.old_grade, change.grade) == ("US", reference, new)
    assert country_grade(db, "US") == new
    assert country_grade(db, "US", on=dt.date(2025, 4, 9)) == reference
    assert country_grade(db, "US", on=dt.date(2025, 4, 10)) == new
    assert country_grades(db)["US"] == new
    assert country_grades(db, on=dt.date(2025, 1, 1))["US"] == reference
    assert country_grades(db)["DE"] == get_country("DE").grade
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "country.grade_changed")).one()
    assert (event.object_type, event.object_id) == ("Country", "US")


def test_two_country_changes_from_the_same_day_leave_the_later_one_in_force(
    db: Session, underwriter: Actor
) -> None:
    change_country_grade(db, underwriter, "VN", grade=6, reason="first")
    change_country_grade(db, underwriter, "VN", grade=5, reason="corrected")
    assert country_grade(db, "VN") == 5
    assert [(c.old_grade, c.grade) for c in country_grade_history(db, "VN")] == [
        (6, 5),
        (get_country("VN").grade, 6),
    ]


@pytest.mark.parametrize(
    ("country", "grade", "field"),
    [("XX", 3, "country"), ("US", 8, "grade"), ("US", -1, "grade")],
)
def test_a_bad_country_or_country_grade_is_refused(
    db: Session, underwriter: Actor, country: str, grade: int, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        change_country_grade(db, underwriter, country, grade=grade, reason="x")
    assert refused.value.field == field


def test_a_country_change_in_the_future_or_to_its_own_grade_is_refused(
    db: Session, underwriter: Actor
) -> None:
    with pytest.raises(ValidationError, match="future"):
        change_country_grade(db, underwriter, "US", grade=5, reason="x", effective_from=dt.date(2025, 5, 21))
    with pytest.raises(ValidationError, match="already"):
        change_country_grade(db, underwriter, "US", grade=get_country("US").grade, reason="x")
    assert country_grade_history(db, "US") == []
