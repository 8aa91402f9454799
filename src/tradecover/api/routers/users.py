"""Users by id."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.parties import UserOut
from tradecover.parties import service

router = APIRouter(route_class=KeyFirstRoute, tags=["users"], responses=error_responses(401, 404, 422))


@router.get("/users/{user_id}", response_model=UserOut, summary="One user")
def get_user(user_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> UserOut:
    """One user the caller may see."""
    return UserOut.of(service.get_user(session, actor, user_id))
