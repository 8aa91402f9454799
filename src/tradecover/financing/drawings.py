"""Drawings and repayments under a facility, each booked through the ledger and kept as a row.

A drawing: the bank Dr its loan account for the facility / Cr Bank; the insured Dr Bank / Cr Loans
payable. A repayment is the reverse. What is outstanding is the loan account's balance, so indemnity
paid to the bank as loss payee reduces it too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import get_clock
from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.financing.borrowing import base_of
from tradecover.financing.facilities import check_bank_officer, get_facility, outstanding
from tradecover.financing.model import Facility, FacilityMovement, FacilityStatus, MovementKind
from tradecover.financing.rules import check_drawing, check_repayment, check_value_date
from tradecover.ledger.chart import Chart, account, loan_account
from tradecover.ledger.service import post_entry
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.premiums.books import whole_books

MOVEMENT_DOCUMENT = "facility_movement"


def movements_of(session: Session, facility_id: uuid.UUID) -> Sequence[FacilityMovement]:
    """The drawings and repayments of a facility, oldest first."""
    facility = get_facility(session, facility_id)
    return session.scalars(
        select(FacilityMovement)
        .where(FacilityMovement.facility_id == facility.id)
        .order_by(FacilityMovement.value_date, FacilityMovement.created_at)
    ).all()


def _checked(facility: Facility, amount: Money, on: dt.date | None) -> dt.date:
    if not isinstance(amount, Money) or amount.currency != facility.currency:
        raise ValidationError(f"must be in the facility currency {facility.currency}", field="amount")
    if not amount.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    today = get_clock().today()
    day = today if on is None else on
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError("must be a date", field="on")
    if day > today:
        raise ValidationError("must not be in the future", field="on")
    return day


def _book(
    session: Session, actor: Actor, facility: Facility, kind: MovementKind, amount: Money, on: dt.date
) -> FacilityMovement:
    movement_id = uuid.uuid4()
    signed = amount if kind is MovementKind.DRAWING else -amount
    with whole_books(session):
        lines = [
            (loan_account(session, facility.bank_id, facility.id, facility.currency), signed),
            (account(session, facility.bank_id, Chart.BANK, facility.currency), -signed),
            (account(session, facility.policyholder_id, Chart.BANK, facility.currency), signed),
            (account(session, facility.policyholder_id, Chart.LOANS_PAYABLE, facility.currency), -signed),
        ]
        entry = post_entry(
            session,
            effective_date=on,
            kind=f"facility.{kind.value}",
            description=f"{kind.value.capitalize()} of {amount} under facility {facility.reference}",
            lines=lines,
            document_type=MOVEMENT_DOCUMENT,
            document_id=movement_id,
            booked_by_user_id=actor.user_id,
            booked_by_organisation_id=actor.organisation_id,
        )
    movement = FacilityMovement(
        id=movement_id,
        facility_id=facility.id,
        kind=kind,
        currency=facility.currency,
        amount_minor=amount.minor_units,
        value_date=on,
        entry_id=entry.id,
        recorded_by_user_id=actor.user_id,
    )
    session.add(movement)
    session.flush()
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        subject_organisation_id=facility.policyholder_id,
        action=f"facility.{kind.value}",
        object_type="Facility",
        object_id=facility.id,
        details={"amount": format(amount.amount, "f"), "currency": amount.currency, "on": on.isoformat()},
    )
    return movement


def draw(
    session: Session, actor: Actor, facility_id: uuid.UUID, amount: Money, *, on: dt.date | None = None
) -> FacilityMovement:
    """The bank lends under the facility: refused above the borrowing base, the limit, or after maturity."""
    facility = get_facility(session, facility_id, lock=True)
    check_bank_officer(actor, facility)
    day = _checked(facility, amount, on)
    check_value_date(
        day,
        starts_on=facility.starts_on,
        matures_on=facility.matures_on,
        active=facility.status is FacilityStatus.ACTIVE,
    )
    if facility.assigned_on is None:
        raise BusinessRuleViolation(
            f"the policy is not assigned to facility {facility.reference} yet; nothing may be drawn",
            field="facility_id",
        )
    base = base_of(session, facility, day)
    check_drawing(amount, outstanding=outstanding(session, facility), base=base.base, limit=facility.limit)
    return _book(session, actor, facility, MovementKind.DRAWING, amount, day)


def repay(
    session: Session, actor: Actor, facility_id: uuid.UUID, amount: Money, *, on: dt.date | None = None
) -> FacilityMovement:
    """The insured pays back (recorded by the bank): not more than what is outstanding."""
    facility = get_facility(session, facility_id, lock=True)
    check_bank_officer(actor, facility)
    day = _checked(facility, amount, on)
    if day < facility.starts_on:
        raise BusinessRuleViolation(f"the facility starts on {facility.starts_on.isoformat()}", field="on")
    check_repayment(amount, outstanding=outstanding(session, facility))
    return _book(session, actor, facility, MovementKind.REPAYMENT, amount, day)
