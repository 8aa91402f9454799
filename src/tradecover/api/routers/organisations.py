"""Organisations and their users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.parties import OrganisationCreate, OrganisationOut, UserCreate, UserOut
from tradecover.parties import service

router = APIRouter(
    route_class=KeyFirstRoute, tags=["organisations"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


@router.get("/organisations", response_model=list[OrganisationOut], summary="List organisations")
def list_organisations(session: UnitOfWork, actor: CurrentActor) -> list[OrganisationOut]:
    """Every organisation for the platform admin; the caller's own for everyone else."""
    return [OrganisationOut.of(o) for o in service.list_organisations(session, actor)]


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register an organisation",
)
def create_organisation(
    body: OrganisationCreate, session: UnitOfWork, actor: CurrentActor
) -> OrganisationOut:
    """Register an insurer, policyholder, bank, programme body or regulator (platform admin only)."""
    organisation = service.create_organisation(
        session,
        actor,
        name=body.name,
        kind=body.kind,
        country=body.country,
        region=body.region,
        registration_number=body.registration_number,
        is_sme=body.is_sme,
        prior_year_exports=body.prior_year_exports.to_money() if body.prior_year_exports else None,
        sector=body.sector,
    )
    return OrganisationOut.of(organisation)


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut, summary="One organisation")
def get_organisation(organisation_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> OrganisationOut:
    """One organisation the caller may see."""
    return OrganisationOut.of(service.get_organisation(session, actor, organisation_id))


@router.get(
    "/organisations/{organisation_id}/users", response_model=list[UserOut], summary="An organisation's users"
)
def list_users(organisation_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[UserOut]:
    """The users of an organisation the caller may see."""
    return [UserOut.of(u) for u in service.list_users(session, actor, organisation_id)]


@router.post(
    "/organisations/{organisation_id}/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a user to an organisation",
)
def create_user(
    organisation_id: uuid.UUID, body: UserCreate, session: UnitOfWork, actor: CurrentActor
) -> UserOut:
    """Add a user with roles the organisation's kind allows (platform admin, or the insurer's admin)."""
    user = service.create_user(
        session,
        actor,
        organisation_id=organisation_id,
        email=body.email,
        full_name=body.full_name,
        roles=body.roles,
        password=body.password,
    )
    return UserOut.of(user)
