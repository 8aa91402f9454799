"""Bank facilities against an assigned policy, and their drawings and repayments (each tied to its entry)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import ExactDecimal, str_enum
from tradecover.money import Money


class FacilityStatus(enum.StrEnum):
    """Active from set-up (the policy assigned to it) until the bank closes it."""

    ACTIVE = "active"
    CLOSED = "closed"


class MovementKind(enum.StrEnum):
    """Money lent under a facility, or paid back."""

    DRAWING = "drawing"
    REPAYMENT = "repayment"


class Facility(TenantScoped, HasId, HasCreatedAt, Base):
    """A bank's credit line to a policyholder, secured by assignment of one policy's indemnity."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("limit_minor > 0", name="limit_positive"),
        CheckConstraint("matures_on > starts_on", name="tenor_order"),
    )

    bank_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    # Kept from the policy so that the insurer's view of an assignment does not need the policy row.
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    currency: Mapped[str] = mapped_column(String(3))
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    # A fraction (0.8 = 80 %); at most 0.9, checked by financing.rules.
    advance_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    matures_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[FacilityStatus] = mapped_column(str_enum(FacilityStatus), default=FacilityStatus.ACTIVE)
    assigned_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    released_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def reference(self) -> str:
        """A short reference people can quote: 'FAC-1A2B3C4D'."""
        return f"FAC-{self.id.hex[:8].upper()}"

    @property
    def limit(self) -> Money:
        """The most the bank lends under the facility at any time."""
        return Money.from_minor(self.limit_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The lending bank and the borrowing policyholder."""
        return or_(cls.bank_id == organisation_id, cls.policyholder_id == organisation_id)


class FacilityMovement(TenantScoped, HasId, HasCreatedAt, Base):
    """One drawing or repayment under a facility, with the journal entry that booked it."""

    __tablename__ = "facility_movements"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_facility_movements_facility_on", "facility_id", "value_date"),
    )

    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"))
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    value_date: Mapped[dt.date] = mapped_column(Date)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def amount(self) -> Money:
        """The amount drawn or repaid."""
        return Money.from_minor(self.amount_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the facility sees its movements."""
        return cls.facility_id.in_(
            select(Facility.id).where(
                or_(Facility.bank_id == organisation_id, Facility.policyholder_id == organisation_id)
            )
        )
