"""Use cases for grades: change a buyer's or a country's grade (who, when, why) and read their history.

A buyer's current grade lives on the buyer; every change is a `BuyerGradeChange` row. A country's grade
starts as the reference data's and changes by `CountryGrade` rows, each in force from a date; the latest
row on or before a date is the grade on that date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.buyers.model import BuyerGradeChange, CountryGrade
from tradecover.buyers.rules import (
    check_country_grade,
    check_grade,
    check_grade_change,
    normalise_reason,
)
from tradecover.buyers.service import get_buyer
from tradecover.clock import get_clock, utcnow
from tradecover.errors import DomainError, ValidationError
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.reference.countries import all_countries, get_country

MAY_CHANGE_GRADES = (Role.UNDERWRITER, Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)


def _checked_effective_at(effective_at: dt.datetime | None, latest: BuyerGradeChange | None) -> dt.datetime:
    now = utcnow()
    if effective_at is None:
        effective_at = now
    if effective_at.tzinfo is None:
        raise ValidationError("must be a timezone-aware instant", field="effective_at")
    if effective_at > now:
        raise ValidationError("a grade change cannot take effect in the future", field="effective_at")
    if latest is not None and effective_at < latest.effective_at:
        raise ValidationError(
            f"must not be before the last change, effective {latest.effective_at.isoformat()}",
            field="effective_at",
        )
    return effective_at


def _latest_buyer_change(session: Session, buyer_id: uuid.UUID) -> BuyerGradeChange | None:
    return session.scalars(
        select(BuyerGradeChange)
        .where(BuyerGradeChange.buyer_id == buyer_id)
        .order_by(BuyerGradeChange.effective_at.desc(), BuyerGradeChange.id.desc())
        .limit(1)
    ).first()


def change_buyer_grade(
    session: Session,
    actor: Actor,
    buyer_id: uuid.UUID,
    *,
    grade: int,
    reason: str,
    effective_at: dt.datetime | None = None,
) -> BuyerGradeChange:
    """Regrade a buyer (effective now, or at an earlier instant after its last change); audited.

    The change carries its buyer (`change.buyer`), so a caller can alert whoever holds a limit on it.
    """
    actor.require(*MAY_CHANGE_GRADES)
    new_grade = check_grade(grade)
    why = normalise_reason(reason)
    buyer = get_buyer(session, buyer_id, for_update=True)
    check_grade_change(buyer.grade, new_grade)
    at = _checked_effective_at(effective_at, _latest_buyer_change(session, buyer.id))
    change = BuyerGradeChange(
        buyer=buyer,
        old_grade=buyer.grade,
        new_grade=new_grade,
        effective_at=at,
        changed_by_user_id=actor.user_id,
        changed_by_organisation_id=actor.organisation_id,
        reason=why,
    )
    buyer.grade = new_grade
    session.add(change)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="buyer.grade_changed",
        object_type="Buyer",
        object_id=buyer.id,
        details={"old_grade": change.old_grade, "new_grade": new_grade, "reason": why},
    )
    return change


def buyer_grade_history(session: Session, buyer_id: uuid.UUID) -> list[BuyerGradeChange]:
    """Every grade change of a buyer, newest first; NotFound for an unknown buyer."""
    buyer = get_buyer(session, buyer_id)
    return list(
        session.scalars(
            select(BuyerGradeChange)
            .where(BuyerGradeChange.buyer_id == buyer.id)
            .order_by(BuyerGradeChange.effective_at.desc(), BuyerGradeChange.id.desc())
        )
    )


def buyer_grade(session: Session, buyer_id: uuid.UUID, *, on: dt.date) -> int:
    """The buyer's grade in force at the end of a day (UTC)."""
    buyer = get_buyer(session, buyer_id)
    end_of_day = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    changes = buyer_grade_history(session, buyer.id)
    for change in changes:
        if change.effective_at < end_of_day:
            return change.new_grade
    # Before the first change the grade was that change's old grade.
    return changes[-1].old_grade if changes else buyer.grade


def _checked_country_code(code: str) -> str:
    try:
        return get_country(code.strip()).code
    except DomainError as error:
        raise ValidationError(error.message, field="country") from None


def _country_rows(session: Session, code: str) -> Sequence[CountryGrade]:
    query = select(CountryGrade).where(CountryGrade.country == code)
    return session.scalars(query.order_by(CountryGrade.effective_from.desc(), CountryGrade.id.desc())).all()


def country_grade(session: Session, code: str, *, on: dt.date | None = None) -> int:
    """The country grade in force on a date (default today): the latest change, else the reference data."""
    code = _checked_country_code(code)
    day = get_clock().today() if on is None else on
    # One read of the country's few changes, newest first, instead of one for the day and one for before.
    rows = _country_rows(session, code)
    for row in rows:
        if row.effective_from <= day:
            return row.grade
    # A date before the first recorded change: the grade it changed from.
    return rows[-1].old_grade if rows else get_country(code).grade


def country_grades(session: Session, *, on: dt.date | None = None) -> dict[str, int]:
    """Every country's grade in force on a date (default today), for rating many rows at once."""
    day = get_clock().today() if on is None else on
    grades = {country.code: country.grade for country in all_countries()}
    rows = session.scalars(select(CountryGrade).order_by(CountryGrade.effective_from, CountryGrade.id)).all()
    first_seen: set[str] = set()
    for row in rows:
        if row.country not in first_seen:
            first_seen.add(row.country)
            grades[row.country] = row.old_grade
        if row.effective_from <= day:
            grades[row.country] = row.grade
    return grades


def change_country_grade(
    session: Session,
    actor: Actor,
    country: str,
    *,
    grade: int,
    reason: str,
    effective_from: dt.date | None = None,
) -> CountryGrade:
    """Regrade a country from a date (default today; not in the future, not before its last change)."""
    actor.require(*MAY_CHANGE_GRADES)
    code = _checked_country_code(country)
    new_grade = check_country_grade(grade)
    why = normalise_reason(reason)
    today = get_clock().today()
    day = today if effective_from is None else effective_from
    if day > today:
        raise ValidationError("a grade change cannot take effect in the future", field="effective_from")
    rows = _country_rows(session, code)
    if rows and day < rows[0].effective_from:
        raise ValidationError(
            f"must not be before the last change, effective {rows[0].effective_from.isoformat()}",
            field="effective_from",
        )
    current = rows[0].grade if rows else get_country(code).grade
    check_grade_change(current, new_grade)
    change = CountryGrade(
        country=code,
        old_grade=current,
        grade=new_grade,
        effective_from=day,
        changed_by_user_id=actor.user_id,
        changed_by_organisation_id=actor.organisation_id,
        reason=why,
    )
    session.add(change)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="country.grade_changed",
        object_type="Country",
        object_id=code,
        details={
            "old_grade": current,
            "new_grade": new_grade,
            "reason": why,
            "effective_from": day.isoformat(),
        },
    )
    return change


def country_grade_history(session: Session, country: str) -> list[CountryGrade]:
    """Every recorded change of a country's grade, newest first."""
    return list(_country_rows(session, _checked_country_code(country)))
