"""API keys of the caller's organisation: issue (token shown once), list, revoke."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.parties import ApiKeyCreate, ApiKeyOut, IssuedApiKey
from tradecover.parties import service

router = APIRouter(
    route_class=KeyFirstRoute, tags=["api keys"], responses=error_responses(400, 401, 403, 404, 422)
)


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="List API keys")
def list_api_keys(session: UnitOfWork, actor: CurrentActor) -> list[ApiKeyOut]:
    """The keys of the caller's organisation: prefix, name and dates, never the secret."""
    return [ApiKeyOut.of(k) for k in service.list_api_keys(session, actor)]


@router.post(
    "/api-keys", response_model=IssuedApiKey, status_code=status.HTTP_201_CREATED, summary="Issue an API key"
)
def issue_api_key(body: ApiKeyCreate, session: UnitOfWork, actor: CurrentActor) -> IssuedApiKey:
    """A new key acting as the caller; the answer is the only time the whole token is shown."""
    key, token = service.issue_api_key(session, actor, body.name)
    return IssuedApiKey(**ApiKeyOut.of(key).model_dump(), token=token)


@router.delete("/api-keys/{api_key_id}", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(api_key_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ApiKeyOut:
    """Revoke a key (its owner or the organisation's admin); it is refused from then on."""
    return ApiKeyOut.of(service.revoke_api_key(session, actor, api_key_id))
