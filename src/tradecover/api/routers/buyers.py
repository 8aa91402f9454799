"""The shared buyer registry, buyer grade history and changes, and country grades.

Buyers and country grades are visible to every organisation; registering and regrading follow roles.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.buyers import (
    BuyerCreate,
    BuyerGradeChangeIn,
    BuyerGradeChangeOut,
    BuyerOut,
    BuyerPageOut,
    BuyerQuery,
    CountryCode,
    CountryGradeChangeIn,
    CountryGradeOut,
    CountryGradesOut,
)
from tradecover.buyers import grades, service
from tradecover.buyers.service import BuyerSearch
from tradecover.limits import service as limits
from tradecover.reference.countries import get_country

router = APIRouter(
    route_class=KeyFirstRoute, tags=["buyers"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


@router.get("/buyers", response_model=BuyerPageOut, summary="Search the buyer registry")
def search_buyers(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[BuyerQuery, Query()]
) -> BuyerPageOut:
    """Buyers matching every criterion given, by name, one page at a time."""
    search = BuyerSearch(
        query.name, query.country, query.registration_number, query.kind, query.grade_min, query.grade_max
    )
    page, page_size = query.page, query.page_size
    found = service.search_buyers(session, search, page=page, page_size=page_size)
    return BuyerPageOut.of(found, grades.country_grades(session))


@router.post(
    "/buyers", response_model=BuyerOut, status_code=status.HTTP_201_CREATED, summary="Register a buyer"
)
def register_buyer(body: BuyerCreate, session: UnitOfWork, actor: CurrentActor) -> BuyerOut:
    """Add a buyer (policyholders, underwriters, insurer admins); 409 when country and number are taken."""
    buyer = service.register_buyer(
        session,
        actor,
        name=body.name,
        country=body.country,
        registration_number=body.registration_number,
        kind=body.kind,
        sector=body.sector,
        grade=body.grade,
        city=body.city,
        annual_sales=body.annual_sales.to_money() if body.annual_sales else None,
    )
    return BuyerOut.of(buyer, grades.country_grade(session, buyer.country))


@router.get("/buyers/{buyer_id}", response_model=BuyerOut, summary="One buyer")
def get_buyer(buyer_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> BuyerOut:
    """One buyer of the registry with its grade and its country's grade today."""
    buyer = service.get_buyer(session, buyer_id)
    return BuyerOut.of(buyer, grades.country_grade(session, buyer.country))


@router.get(
    "/buyers/{buyer_id}/grades", response_model=list[BuyerGradeChangeOut], summary="A buyer's grade history"
)
def buyer_grade_history(
    buyer_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor
) -> list[BuyerGradeChangeOut]:
    """Every change of the buyer's grade, newest first: from, to, when, by whom and why."""
    return [BuyerGradeChangeOut.of(c) for c in grades.buyer_grade_history(session, buyer_id)]


@router.post(
    "/buyers/{buyer_id}/grade",
    response_model=BuyerGradeChangeOut,
    status_code=status.HTTP_201_CREATED,
    summary="Change a buyer's grade",
)
def change_buyer_grade(
    buyer_id: uuid.UUID, body: BuyerGradeChangeIn, session: UnitOfWork, actor: CurrentActor
) -> BuyerGradeChangeOut:
    """Regrade a buyer now, with a reason; every organisation holding a limit on it is alerted."""
    change = limits.regrade_buyer(session, actor, buyer_id, grade=body.grade, reason=body.reason)
    return BuyerGradeChangeOut.of(change)


@router.get(
    "/countries/{country}/grades", response_model=CountryGradesOut, summary="A country's grade history"
)
def country_grade_history(country: CountryCode, session: UnitOfWork, actor: CurrentActor) -> CountryGradesOut:
    """The country's grade today, its reference-data grade, and every recorded change, newest first."""
    history = grades.country_grade_history(session, country)
    code = get_country(country).code
    return CountryGradesOut(
        country=code,
        grade=grades.country_grade(session, code),
        reference_grade=get_country(code).grade,
        history=[CountryGradeOut.of(c) for c in history],
    )


@router.post(
    "/countries/{country}/grade",
    response_model=CountryGradeOut,
    status_code=status.HTTP_201_CREATED,
    summary="Change a country's grade",
)
def change_country_grade(
    country: CountryCode, body: CountryGradeChangeIn, session: UnitOfWork, actor: CurrentActor
) -> CountryGradeOut:
    """Regrade a country from a date, with a reason (underwriters, insurer admins, the platform admin)."""
    change = grades.change_country_grade(
        session, actor, country, grade=body.grade, reason=body.reason, effective_from=body.effective_from
    )
    return CountryGradeOut.of(change)
