"""Appetite and capacity of insurers, credit limits, and the history of every decision on a limit."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.buyers.model import Buyer
from tradecover.clock import utcnow
from tradecover.coinsurance.model import insurer_ids_seen_by
from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, ExactDecimal, str_enum
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope, DecidingRule
from tradecover.money import Money
from tradecover.policies.model import Policy


class LimitStatus(enum.StrEnum):
    """Where a credit limit stands."""

    REQUESTED = "requested"
    REFERRED = "referred"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    DECLINED = "declined"
    REDUCED = "reduced"
    CANCELLED = "cancelled"

    @property
    def is_live(self) -> bool:
        """True while the limit is asked for, referred or gives cover (not declined or cancelled)."""
        return self not in (LimitStatus.DECLINED, LimitStatus.CANCELLED)


LIVE_STATUSES = tuple(status for status in LimitStatus if status.is_live)
COVERING_STATUSES = (LimitStatus.APPROVED, LimitStatus.PARTLY_APPROVED, LimitStatus.REDUCED)


class LimitEventKind(enum.StrEnum):
    """One entry of a limit's history."""

    REQUESTED = "requested"
    REFERRED = "referred"
    FIRST_APPROVAL = "first_approval"
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    DECLINED = "declined"
    REDUCED = "reduced"
    CANCELLED_BY_INSURER = "cancelled_by_insurer"
    CANCELLED_BY_POLICYHOLDER = "cancelled_by_policyholder"


class Appetite(TenantScoped, HasId, HasCreatedAt, Base):
    """One line of an insurer's appetite: a country or sector it refers or declines (past a maximum)."""

    __tablename__ = "appetite_lines"
    __table_args__ = (
        UniqueConstraint("insurer_id", "kind", "key"),
        CheckConstraint("max_total_usd_minor IS NULL OR max_total_usd_minor >= 0", name="max_total"),
    )

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[AppetiteKind] = mapped_column(str_enum(AppetiteKind))
    key: Mapped[str] = mapped_column(String(32))
    action: Mapped[AppetiteAction] = mapped_column(str_enum(AppetiteAction))
    # None: every request there gets the action; otherwise only what passes this total (USD).
    max_total_usd_minor: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def max_total_usd(self) -> Money | None:
        """The most the insurer wants to have there in total before the action applies."""
        return None if self.max_total_usd_minor is None else Money.from_minor(self.max_total_usd_minor, "USD")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An insurer sees its own appetite and its pools'."""
        return cls.insurer_id.in_(insurer_ids_seen_by(organisation_id))


class Capacity(TenantScoped, HasId, HasCreatedAt, Base):
    """An insurer's capacity (USD) in total, in one country or one sector, and how much limits take of it.

    Deciding a limit locks the rows it takes from (SELECT … FOR UPDATE on PostgreSQL; SQLite writers
    are serialised by BEGIN IMMEDIATE), so `committed` never passes `amount` through racing requests.
    """

    __tablename__ = "capacities"
    __table_args__ = (
        UniqueConstraint("insurer_id", "scope", "key"),
        CheckConstraint("amount_usd_minor >= 0", name="amount"),
        CheckConstraint("committed_usd_minor >= 0", name="committed"),
    )

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    scope: Mapped[CapacityScope] = mapped_column(str_enum(CapacityScope))
    # "" for the total; a country code or a sector code otherwise.
    key: Mapped[str] = mapped_column(String(32))
    amount_usd_minor: Mapped[int] = mapped_column(BigInteger)
    committed_usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def amount_usd(self) -> Money:
        """The capacity."""
        return Money.from_minor(self.amount_usd_minor, "USD")

    @property
    def committed_usd(self) -> Money:
        """What limits take of it now."""
        return Money.from_minor(self.committed_usd_minor, "USD")

    @property
    def remaining_usd(self) -> Money:
        """What is left (negative when the capacity was lowered below what is committed)."""
        return self.amount_usd - self.committed_usd

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An insurer sees its own capacity and its pools'."""
        return cls.insurer_id.in_(insurer_ids_seen_by(organisation_id))


class CreditLimit(TenantScoped, HasId, HasCreatedAt, Base):
    """Cover asked for on one buyer under one policy, and what was decided; amounts in the policy currency."""

    __tablename__ = "credit_limits"
    __table_args__ = (
        # One live limit per buyer and policy: `live_buyer_id` is the buyer while live, NULL afterwards.
        UniqueConstraint("policy_id", "live_buyer_id"),
        CheckConstraint("requested_minor > 0", name="requested_positive"),
        CheckConstraint("amount_minor >= 0", name="amount"),
        CheckConstraint("capacity_usd_minor >= 0", name="capacity"),
        Index("ix_credit_limits_insurer_status", "insurer_id", "status"),
        Index("ix_credit_limits_buyer_status", "buyer_id", "status"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    live_buyer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("buyers.id"))
    # Kept from the policy and the buyer at the request: who sees the limit, and which capacity it takes.
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    buyer_country: Mapped[str] = mapped_column(String(2))
    buyer_sector: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    requested_minor: Mapped[int] = mapped_column(BigInteger)
    # USD per unit of the currency on the request date: every USD equivalent of this limit uses it.
    usd_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[LimitStatus] = mapped_column(str_enum(LimitStatus), default=LimitStatus.REQUESTED)
    two_approvals_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The amount decided last (what is, or after the notice period will be, in force).
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    capacity_usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    rule: Mapped[DecidingRule | None] = mapped_column(str_enum(DecidingRule))
    reason: Mapped[str | None] = mapped_column(String(500))
    decided_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    first_approver_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    bars_dcl: Mapped[bool] = mapped_column(Boolean, default=False)

    buyer: Mapped[Buyer] = relationship(foreign_keys=[buyer_id], lazy="joined")
    policy: Mapped[Policy] = relationship(foreign_keys=[policy_id])
    events: Mapped[list[LimitEvent]] = relationship(
        back_populates="limit", lazy="selectin", order_by="LimitEvent.sequence"
    )

    @property
    def requested(self) -> Money:
        """The amount asked for."""
        return Money.from_minor(self.requested_minor, self.currency)

    @property
    def amount(self) -> Money:
        """The amount decided last."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def reference(self) -> str:
        """A short reference people can quote: 'CL-1A2B3C4D' (the start of the id)."""
        return f"CL-{self.id.hex[:8].upper()}"

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured, the insurer (every member of a pool that is the insurer), the loss-payee bank."""
        return or_(
            cls.policyholder_id == organisation_id,
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
            cls.policy_id.in_(select(Policy.id).where(Policy.loss_payee_id == organisation_id)),
        )


class LimitEvent(TenantScoped, Base):
    """One decision, approval, reduction or cancellation of a limit; never changed, only added to.

    An event with an amount puts that amount in force from `effective_on`, which is how the amount
    in force on any date is answered (during a reduction's notice period the old amount still is).
    """

    __tablename__ = "limit_events"
    __table_args__ = (
        UniqueConstraint("limit_id", "sequence"),
        # Oversight counts events of one kind (referrals) in a date range.
        Index("ix_limit_events_kind_effective_on", "kind", "effective_on"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    limit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_limits.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LimitEventKind] = mapped_column(str_enum(LimitEventKind))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    rule: Mapped[DecidingRule | None] = mapped_column(str_enum(DecidingRule))
    reason: Mapped[str] = mapped_column(String(500))

    limit: Mapped[CreditLimit] = relationship(back_populates="events")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the limit sees its history."""
        return cls.limit_id.in_(
            select(CreditLimit.id).where(
                or_(
                    CreditLimit.policyholder_id == organisation_id,
                    CreditLimit.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
                    CreditLimit.policy_id.in_(
                        select(Policy.id).where(Policy.loss_payee_id == organisation_id)
                    ),
                )
            )
        )
