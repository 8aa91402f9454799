"""Coinsurance pools: a pool's terms, its members with shares and capacities, and what limits take of them.

A pool is an `Organisation` of kind `pool`; it is the insurer of its products, rate tables, quotes,
policies and limits. `Pool` holds its terms (leader, leadership commission, currency of capacity),
`PoolMember` one insurer's share and capacities, and `PoolLimitTake` what one limit takes of one
member's capacity, so a reduction or cancellation gives back exactly what was taken.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, ExactDecimal
from tradecover.money import Money
from tradecover.parties.model import Organisation


def insurer_ids_seen_by(organisation_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """The insurer ids whose rows an organisation sees: itself and every pool it is a member of."""
    # Core columns, not the mapped classes: tenant criteria must not apply inside tenant criteria
    # (an organisation sees only its own Organisation row, never the pool's).
    organisations = Organisation.__table__.c
    members = PoolMember.__table__.c
    return select(organisations.id).where(
        or_(
            organisations.id == organisation_id,
            organisations.id.in_(select(members.pool_id).where(members.insurer_id == organisation_id)),
        )
    )


def pool_ids_led_by(organisation_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """The pools an insurer leads (and so administers)."""
    pools = Pool.__table__.c
    return select(pools.id).where(pools.leader_id == organisation_id)


class Pool(TenantScoped, HasCreatedAt, Base):
    """A pool's terms: its leader, the leadership commission and the currency its capacity is stated in."""

    __tablename__ = "pools"
    __table_args__ = (CheckConstraint("leader_id <> id", name="leader_is_a_member"),)

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    leader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Rate on each non-leader member's premium part, 0 ≤ rate < 1.
    leader_commission: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)

    members: Mapped[list[PoolMember]] = relationship(
        back_populates="pool", lazy="selectin", order_by="PoolMember.position"
    )

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The pool itself and its members see its terms."""
        return cls.id.in_(insurer_ids_seen_by(organisation_id))


class PoolMember(TenantScoped, HasId, HasCreatedAt, Base):
    """One insurer's share of a pool and its capacities (pool currency; None: no such cap)."""

    __tablename__ = "pool_members"
    __table_args__ = (
        UniqueConstraint("pool_id", "insurer_id"),
        UniqueConstraint("pool_id", "position"),
        CheckConstraint("position >= 0", name="position"),
        CheckConstraint("total_capacity_minor >= 0", name="total_capacity"),
        CheckConstraint(
            "per_buyer_capacity_minor IS NULL OR per_buyer_capacity_minor >= 0", name="per_buyer_capacity"
        ),
        CheckConstraint(
            "per_country_capacity_minor IS NULL OR per_country_capacity_minor >= 0",
            name="per_country_capacity",
        ),
    )

    pool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pools.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    # 0 is the leader, then the pool's order (which also breaks ties of the largest remainder).
    position: Mapped[int] = mapped_column(Integer)
    share: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    total_capacity_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    per_buyer_capacity_minor: Mapped[int | None] = mapped_column(BigInteger)
    per_country_capacity_minor: Mapped[int | None] = mapped_column(BigInteger)

    pool: Mapped[Pool] = relationship(back_populates="members")

    @property
    def total_capacity(self) -> Money:
        """The member's capacity for the pool in total."""
        return Money.from_minor(self.total_capacity_minor, self.currency)

    @property
    def per_buyer_capacity(self) -> Money | None:
        """The most the member takes on any one buyer (None: only the total applies)."""
        minor = self.per_buyer_capacity_minor
        return None if minor is None else Money.from_minor(minor, self.currency)

    @property
    def per_country_capacity(self) -> Money | None:
        """The most the member takes in any one country (None: only the total applies)."""
        minor = self.per_country_capacity_minor
        return None if minor is None else Money.from_minor(minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The pool and its members see every member."""
        return cls.pool_id.in_(insurer_ids_seen_by(organisation_id))


class PoolLimitTake(TenantScoped, HasCreatedAt, Base):
    """What one limit on a pool policy takes of one member's capacity (pool currency).

    `fx_rate` (pool currency per unit of the limit's currency, at the decision) is kept so that a
    reduction converts its new amount exactly as the decision did and gives back the difference.
    """

    __tablename__ = "pool_limit_takes"
    __table_args__ = (
        UniqueConstraint("limit_id", "insurer_id"),
        CheckConstraint("amount_minor >= 0", name="amount"),
        Index("ix_pool_limit_takes_member_buyer", "pool_id", "insurer_id", "buyer_id"),
        Index("ix_pool_limit_takes_member_country", "pool_id", "insurer_id", "country"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    limit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_limits.id"), index=True)
    pool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pools.id"))
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    @property
    def amount(self) -> Money:
        """What the limit takes of the member now."""
        return Money.from_minor(self.amount_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The pool and its members see what limits take."""
        return cls.pool_id.in_(insurer_ids_seen_by(organisation_id))


def insurer_ids_administered_by(organisation_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """The insurer ids whose policies and limits an organisation administers: itself and pools it leads."""
    organisations = Organisation.__table__.c
    return select(organisations.id).where(
        or_(organisations.id == organisation_id, organisations.id.in_(pool_ids_led_by(organisation_id)))
    )
