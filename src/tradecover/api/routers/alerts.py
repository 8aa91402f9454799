"""Alerts addressed to the caller's organisation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from tradecover.alerts import service
from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.alerts import AlertListOut, AlertOut, AlertQuery

router = APIRouter(route_class=KeyFirstRoute, tags=["alerts"], responses=error_responses(401, 403, 404, 422))


@router.get("/alerts", response_model=AlertListOut, summary="The caller's organisation's alerts")
def list_alerts(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[AlertQuery, Query()]
) -> AlertListOut:
    """Alerts addressed to the caller's organisation, newest first, with the number unread."""
    alerts = service.list_alerts(session, actor, unread_only=query.unread_only, limit=query.limit)
    return AlertListOut(items=[AlertOut.of(a) for a in alerts], unread=service.unread_count(session, actor))


@router.post("/alerts/{alert_id}/read", response_model=AlertOut, summary="Mark an alert read")
def mark_alert_read(alert_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> AlertOut:
    """Mark one of the organisation's alerts read; who read it first, and when, is kept."""
    return AlertOut.of(service.mark_read(session, actor, alert_id))
