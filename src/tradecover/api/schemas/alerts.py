"""Bodies for alerts addressed to the caller's organisation."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from tradecover.alerts.model import Alert
from tradecover.alerts.service import MAX_ALERTS_LISTED


class AlertOut(BaseModel):
    """An alert to the caller's organisation: what happened to which object, and whether it was read."""

    id: uuid.UUID
    kind: str
    subject_type: str
    subject_id: str
    title: str
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    read_by_user_id: uuid.UUID | None

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        """The wire form of an alert."""
        return cls(
            id=alert.id,
            kind=alert.kind,
            subject_type=alert.subject_type,
            subject_id=alert.subject_id,
            title=alert.title,
            message=alert.message,
            created_at=alert.created_at,
            read_at=alert.read_at,
            read_by_user_id=alert.read_by_user_id,
        )


class AlertListOut(BaseModel):
    """The caller's alerts, newest first, and how many are unread in all."""

    items: list[AlertOut]
    unread: int


class AlertQuery(BaseModel):
    """Which alerts to list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"unread_only": True}]})

    unread_only: bool = Field(default=False, description="Only alerts nobody has read yet.")
    limit: int = Field(default=100, ge=1, le=MAX_ALERTS_LISTED)
