"""The audit log: services call `record` for every change they make; pages read `recent_events`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent
from tradecover.errors import ValidationError

# One page of the log; longer histories are read per object with `events_for`.
MAX_RECENT_EVENTS = 1000


def record(
    session: Session,
    *,
    actor_user_id: uuid.UUID | None,
    actor_organisation_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: object,
    subject_organisation_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event: who (user and organisation) did what to which object, owned by whom."""
    event = AuditEvent(
        actor_user_id=actor_user_id,
        actor_organisation_id=actor_organisation_id,
        subject_organisation_id=subject_organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
    session.add(event)
    return event


def recent_events(session: Session, *, limit: int = 10) -> Sequence[AuditEvent]:
    """The newest events the session's tenant may see (what its organisation did or had done to it)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RECENT_EVENTS:
        raise ValidationError(f"must be a whole number from 1 to {MAX_RECENT_EVENTS}", field="limit")
    return session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()


def events_for(session: Session, object_type: str, object_id: object) -> list[AuditEvent]:
    """The history of one object, oldest first, as far as the session's organisation may see it."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
