"""Writing the audit log: services call `record` for every change they make."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from tradecover.audit.model import AuditEvent


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
