"""Coinsurance pools: list, create, read, members' capacity and a member's share view."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.pools import CapacitySet, MemberOut, PoolCreate, PoolOut, SharesOut, SharesQuery
from tradecover.coinsurance import capacity, service
from tradecover.limits.pool_shares import member_shares

router = APIRouter(
    route_class=KeyFirstRoute, tags=["pools"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


@router.get("/pools", response_model=list[PoolOut], summary="List pools")
def list_pools(session: UnitOfWork, actor: CurrentActor) -> list[PoolOut]:
    """The pools the caller's organisation is a member of (every pool for the platform admin)."""
    return [
        PoolOut.of(view, capacity.capacity_use(session, view.id))
        for view in service.list_pools(session, actor)
    ]


@router.post("/pools", response_model=PoolOut, status_code=status.HTTP_201_CREATED, summary="Create a pool")
def create_pool(body: PoolCreate, session: UnitOfWork, actor: CurrentActor) -> PoolOut:
    """Set up a coinsurance pool of insurers: shares adding up to exactly 100%, a leader among them."""
    view = service.create_pool(
        session,
        actor,
        name=body.name,
        country=body.country,
        currency=body.currency,
        leader_id=body.leader_id,
        leader_commission=Decimal(body.leader_commission),
        members=[member.plan() for member in body.members],
        starts_on=body.starts_on,
    )
    return PoolOut.of(view, capacity.capacity_use(session, view.id))


@router.get("/pools/{pool_id}", response_model=PoolOut, summary="One pool")
def get_pool(pool_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> PoolOut:
    """A pool the caller's organisation is a member of, with each member's capacity used and left."""
    view = service.get_pool(session, actor, pool_id)
    return PoolOut.of(view, capacity.capacity_use(session, view.id))


@router.get("/pools/{pool_id}/members", response_model=list[MemberOut], summary="A pool's members")
def list_members(pool_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> list[MemberOut]:
    """The members, leader first: share, capacities, used and left (pool currency)."""
    view = service.get_pool(session, actor, pool_id)
    return [MemberOut.of(use, view.pool.leader_id) for use in capacity.capacity_use(session, view.id)]


@router.put(
    "/pools/{pool_id}/members/{member_id}", response_model=MemberOut, summary="Set a member's capacity"
)
def set_member_capacity(
    pool_id: uuid.UUID, member_id: uuid.UUID, body: CapacitySet, session: UnitOfWork, actor: CurrentActor
) -> MemberOut:
    """A member's admin sets its capacity for the pool: in total, per buyer, per country."""
    view = service.get_pool(session, actor, pool_id)
    service.set_member_capacity(
        session,
        actor,
        view.id,
        member_id,
        total=body.total.to_money(),
        per_buyer=body.per_buyer.to_money() if body.per_buyer else None,
        per_country=body.per_country.to_money() if body.per_country else None,
    )
    use = next(u for u in capacity.capacity_use(session, view.id) if u.member.insurer_id == member_id)
    return MemberOut.of(use, view.pool.leader_id)


@router.get("/pools/{pool_id}/shares", response_model=SharesOut, summary="A member's share view")
def shares(
    pool_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor, query: Annotated[SharesQuery, Query()]
) -> SharesOut:
    """Each policy and limit of the pool with the member's part of it (the caller's own by default)."""
    return SharesOut.of(member_shares(session, actor, pool_id, member_id=query.member_id))
