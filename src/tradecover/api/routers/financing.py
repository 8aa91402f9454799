"""Bank facilities: set up, assign the policy, borrowing base on a date, drawings, repayments, close."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.common import IsoDate
from tradecover.api.schemas.financing import (
    BorrowingBaseOut,
    FacilityCreate,
    FacilityOut,
    MovementCreate,
    MovementOut,
)
from tradecover.clock import get_clock
from tradecover.financing import borrowing, drawings, facilities
from tradecover.financing.model import Facility
from tradecover.financing.rules import available

router = APIRouter(
    route_class=KeyFirstRoute, tags=["financing"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


def _out(session: Session, facility: Facility) -> FacilityOut:
    number = facilities.policy_of(session, facility).number
    return FacilityOut.of(facility, number, facilities.outstanding(session, facility))


@router.post(
    "/facilities",
    response_model=FacilityOut,
    status_code=status.HTTP_201_CREATED,
    summary="Set up a facility",
)
def create_facility(body: FacilityCreate, session: UnitOfWork, actor: CurrentActor) -> FacilityOut:
    """A bank officer sets up a facility for the insured of a policy in force (bank officers)."""
    facility = facilities.create_facility(
        session,
        actor,
        policy_id=body.policy_id,
        limit=body.limit.to_money(),
        advance_rate=body.advance_rate,
        starts_on=body.starts_on,
        matures_on=body.matures_on,
    )
    return _out(session, facility)


@router.get("/facilities", response_model=list[FacilityOut], summary="List facilities")
def list_facilities(session: UnitOfWork, actor: CurrentActor) -> list[FacilityOut]:
    """The facilities the caller's organisation lends or borrows under, newest first."""
    return [_out(session, facility) for facility in facilities.list_facilities(session, actor)]


@router.get("/facilities/{facility_id}", response_model=FacilityOut, summary="One facility")
def get_facility(facility_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> FacilityOut:
    """A facility with what it has outstanding."""
    return _out(session, facilities.get_facility(session, facility_id))


@router.post("/facilities/{facility_id}/assignment", response_model=FacilityOut, summary="Assign the policy")
def assign_policy(facility_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> FacilityOut:
    """The insured assigns its policy to the facility: the bank becomes loss payee (policyholders)."""
    return _out(session, facilities.assign_policy(session, actor, facility_id))


@router.post("/facilities/{facility_id}/close", response_model=FacilityOut, summary="Close a facility")
def close_facility(facility_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> FacilityOut:
    """The bank closes a fully repaid facility; the policy's assignment is released (bank officers)."""
    return _out(session, facilities.close_facility(session, actor, facility_id))


@router.get(
    "/facilities/{facility_id}/borrowing-base", response_model=BorrowingBaseOut, summary="The borrowing base"
)
def borrowing_base(
    facility_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    on: Annotated[IsoDate | None, Query(description="The date (default today).")] = None,
) -> BorrowingBaseOut:
    """Advance rate × eligible receivables on a date, each receivable with why it is in or out."""
    base = borrowing.facility_borrowing_base(session, actor, facility_id, on=on or get_clock().today())
    facility = facilities.get_facility(session, facility_id)
    owed = facilities.outstanding(session, facility)
    return BorrowingBaseOut.of(
        facility.id, base, owed, available(outstanding=owed, base=base.base, limit=facility.limit)
    )


@router.get(
    "/facilities/{facility_id}/movements", response_model=list[MovementOut], summary="Drawings and repayments"
)
def list_movements(facility_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[MovementOut]:
    """The facility's drawings and repayments, oldest first."""
    return [MovementOut.of(m) for m in drawings.movements_of(session, facility_id)]


@router.post(
    "/facilities/{facility_id}/drawings",
    response_model=MovementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Draw",
)
def draw(
    facility_id: uuid.UUID, body: MovementCreate, session: UnitOfWork, actor: CurrentActor
) -> MovementOut:
    """The bank lends: refused above the borrowing base, the facility limit, or after maturity."""
    return MovementOut.of(drawings.draw(session, actor, facility_id, body.amount.to_money(), on=body.on))


@router.post(
    "/facilities/{facility_id}/repayments",
    response_model=MovementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a repayment",
)
def repay(
    facility_id: uuid.UUID, body: MovementCreate, session: UnitOfWork, actor: CurrentActor
) -> MovementOut:
    """The bank records money paid back by the insured: not more than what is outstanding."""
    return MovementOut.of(drawings.repay(session, actor, facility_id, body.amount.to_money(), on=body.on))
