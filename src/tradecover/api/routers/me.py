"""The caller: who the API key acts as."""

from __future__ import annotations

from fastapi import APIRouter

from tradecover.api.deps import CurrentUser, KeyFirstRoute
from tradecover.api.errors import error_responses
from tradecover.api.schemas.parties import Me, OrganisationOut, UserOut

router = APIRouter(route_class=KeyFirstRoute, tags=["me"], responses=error_responses(401))


@router.get("/me", response_model=Me, summary="The caller")
def me(user: CurrentUser) -> Me:
    """The caller's user, organisation and roles."""
    return Me(
        user=UserOut.of(user), organisation=OrganisationOut.of(user.organisation), roles=sorted(user.roles)
    )
