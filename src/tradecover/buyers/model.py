"""The buyer registry, shared by every organisation on the platform, with buyer and country grade history."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.types import BigIntPK, str_enum


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
        # Sums by buyer country over a few thousand claims or shipments read the country from this
        # index alone instead of scanning every buyer.
        Index("ix_buyers_id_country", "id", "country"),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    registration_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[BuyerKind] = mapped_column(str_enum(BuyerKind))
    sector: Mapped[str] = mapped_column(String(32))
    grade: Mapped[int] = mapped_column(SmallInteger)
    city: Mapped[str | None] = mapped_column(String(100))
    annual_sales_usd_minor: Mapped[int | None] = mapped_column(BigInteger)


class BuyerGradeChange(Base):
    """One change of a buyer's grade: from which grade to which, when, by whom and why."""

    __tablename__ = "buyer_grade_changes"
    __table_args__ = (
        CheckConstraint("old_grade BETWEEN 1 AND 10", name="old_grade_range"),
        CheckConstraint("new_grade BETWEEN 1 AND 10", name="new_grade_range"),
        CheckConstraint("old_grade <> new_grade", name="grade_changes"),
        Index("ix_buyer_grade_changes_buyer_effective", "buyer_id", "effective_at"),
    )

    # A sequence, not a UUID: it orders changes recorded at the same instant.
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    old_grade: Mapped[int] = mapped_column(SmallInteger)
    new_grade: Mapped[int] = mapped_column(SmallInteger)
    effective_at: Mapped[dt.datetime] = mapped_column()
    changed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_by_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(String(500))

    buyer: Mapped[Buyer] = relationship(lazy="joined")


class CountryGrade(HasCreatedAt, Base):
    """A country grade 0 … 7 in force from a date; the latest row on a date wins over the reference data."""

    __tablename__ = "country_grades"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 0 AND 7", name="grade_range"),
        CheckConstraint("old_grade BETWEEN 0 AND 7", name="old_grade_range"),
        Index("ix_country_grades_country_effective", "country", "effective_from"),
    )

    # A sequence, not a UUID: of two changes in force from the same date, the later recorded wins.
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    country: Mapped[str] = mapped_column(String(2))
    old_grade: Mapped[int] = mapped_column(SmallInteger)
    grade: Mapped[int] = mapped_column(SmallInteger)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    changed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_by_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(String(500))
