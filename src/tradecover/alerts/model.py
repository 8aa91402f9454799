"""An alert: a short notice addressed to one organisation about one object, read or not yet read."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ColumnElement, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped


class Alert(TenantScoped, HasId, HasCreatedAt, Base):
    """A notice to one organisation (the addressee) about one subject, e.g. a buyer whose grade changed."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_organisation_created", "organisation_id", "created_at"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(2000))
    read_at: Mapped[dt.datetime | None] = mapped_column()
    read_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_read(self) -> bool:
        """True once someone of the addressee has read it."""
        return self.read_at is not None

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees the alerts addressed to it."""
        return cls.organisation_id == organisation_id
