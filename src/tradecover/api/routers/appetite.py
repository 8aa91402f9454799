"""An insurer's appetite rules and capacities, kept by its admins: list, add, change, remove."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.appetite import (
    AppetiteCreate,
    AppetiteOut,
    AppetiteUpdate,
    CapacityCreate,
    CapacityOut,
    CapacityUpdate,
)
from tradecover.limits import appetite as service

router = APIRouter(
    route_class=KeyFirstRoute, tags=["appetite"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


@router.get("/appetite", response_model=list[AppetiteOut], summary="List appetite rules")
def list_appetite(session: UnitOfWork, actor: CurrentActor) -> list[AppetiteOut]:
    """The caller's insurer's appetite rules, countries then sectors (insurer admin)."""
    return [AppetiteOut.of(line) for line in service.list_appetite(session, actor)]


@router.post(
    "/appetite", response_model=AppetiteOut, status_code=status.HTTP_201_CREATED, summary="Add a rule"
)
def add_appetite(body: AppetiteCreate, session: UnitOfWork, actor: CurrentActor) -> AppetiteOut:
    """Refer or decline requests in a country or sector, all of them or past a total (409 if one exists)."""
    maximum = None if body.max_total is None else body.max_total.to_money()
    return AppetiteOut.of(service.add_appetite(session, actor, body.kind, body.key, body.action, maximum))


@router.get("/appetite/{appetite_id}", response_model=AppetiteOut, summary="One appetite rule")
def get_appetite(appetite_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> AppetiteOut:
    """One of the caller's insurer's rules; another insurer's is not found."""
    return AppetiteOut.of(service.get_appetite(session, actor, appetite_id))


@router.put("/appetite/{appetite_id}", response_model=AppetiteOut, summary="Change a rule")
def change_appetite(
    appetite_id: uuid.UUID, body: AppetiteUpdate, session: UnitOfWork, actor: CurrentActor
) -> AppetiteOut:
    """A rule's new action and total; its country or sector stays."""
    maximum = None if body.max_total is None else body.max_total.to_money()
    return AppetiteOut.of(service.change_appetite(session, actor, appetite_id, body.action, maximum))


@router.delete(
    "/appetite/{appetite_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a rule",
)
def remove_appetite(appetite_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """Remove a rule: requests there are decided by the other rules again."""
    service.remove_appetite(session, actor, appetite_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/capacities", response_model=list[CapacityOut], summary="List capacities")
def list_capacities(session: UnitOfWork, actor: CurrentActor) -> list[CapacityOut]:
    """The caller's insurer's capacities with what limits take and what is left (insurer admin)."""
    return [CapacityOut.of(capacity) for capacity in service.list_capacities(session, actor)]


@router.post(
    "/capacities", response_model=CapacityOut, status_code=status.HTTP_201_CREATED, summary="Add a capacity"
)
def add_capacity(body: CapacityCreate, session: UnitOfWork, actor: CurrentActor) -> CapacityOut:
    """A capacity in total, in a country or a sector; at least what limits there already take."""
    capacity = service.add_capacity(session, actor, body.scope, body.key, body.amount.to_money())
    return CapacityOut.of(capacity)


@router.get("/capacities/{capacity_id}", response_model=CapacityOut, summary="One capacity")
def get_capacity(capacity_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> CapacityOut:
    """One of the caller's insurer's capacities; another insurer's is not found."""
    return CapacityOut.of(service.get_capacity(session, actor, capacity_id))


@router.put("/capacities/{capacity_id}", response_model=CapacityOut, summary="Change a capacity")
def change_capacity(
    capacity_id: uuid.UUID, body: CapacityUpdate, session: UnitOfWork, actor: CurrentActor
) -> CapacityOut:
    """A capacity's new amount; below what limits already take of it is a 422."""
    return CapacityOut.of(service.change_capacity(session, actor, capacity_id, body.amount.to_money()))


@router.delete(
    "/capacities/{capacity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a capacity",
)
def remove_capacity(capacity_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> Response:
    """Remove a capacity: limits are no longer capped there."""
    service.remove_capacity(session, actor, capacity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
