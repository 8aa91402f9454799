"""The buyer registry, shared by every organisation on the platform."""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.types import str_enum


class BuyerKind(enum.StrEnum):
    """A company, or a public body whose late payment is a named domestic risk."""

    COMPANY = "company"
    LOCAL_GOVERNMENT = "local_government"
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise"


class Buyer(HasId, HasCreatedAt, Base):
    """A debtor identified by country and registration number, with a grade 1 (best) … 10 (defaulted)."""

    __tablename__ = "buyers"
    __table_args__ = (
        UniqueConstraint("country", "registration_number"),
        CheckConstraint("grade BETWEEN 1 AND 10", name="grade_range"),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    registration_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[BuyerKind] = mapped_column(str_enum(BuyerKind))
    sector: Mapped[str] = mapped_column(String(32))
    grade: Mapped[int] = mapped_column(SmallInteger)
    city: Mapped[str | None] = mapped_column(String(100))
    annual_sales_usd_minor: Mapped[int | None] = mapped_column(BigInteger)
