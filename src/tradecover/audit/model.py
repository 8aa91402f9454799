"""The audit event: append-only (a database trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, String, or_
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.clock import utcnow
from tradecover.db.base import Base
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK


class AuditEvent(TenantScoped, Base):
    """One thing a user (or the system) did to one object."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    subject_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees what it did and what was done to its objects."""
        return or_(
            cls.actor_organisation_id == organisation_id,
            cls.subject_organisation_id == organisation_id,
        )
