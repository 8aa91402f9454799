"""Subsidy programmes, their yearly budgets, enrolments, commitments on invoices, and payments."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
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
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.coinsurance.model import insurer_ids_seen_by
from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import ExactDecimal, str_enum
from tradecover.money import Money
from tradecover.subsidies.rules import Mode, ProgrammeKind, RateTier, Rule, rules_from_json, tiers_from_json


class CommitmentStatus(enum.StrEnum):
    """Where a programme's share of one invoice stands."""

    COMMITTED = "committed"  # budget taken; direct: owed to the insurer; reimbursement: the firm pays first
    OPEN = "open"  # reimbursement: the firm paid its invoice and may apply
    APPLIED = "applied"  # reimbursement: the firm applied, the officer decides
    APPROVED = "approved"  # reimbursement: approved and booked, to be paid to the firm
    REJECTED = "rejected"  # reimbursement: refused with a reason; the budget was given back
    PAID = "paid"  # paid to the insurer (direct) or to the firm (reimbursement)
    RELEASED = "released"  # the invoice was cancelled by a credit note; the budget was given back


# What still takes budget (and the firm's cap).
TAKING_BUDGET = (
    CommitmentStatus.COMMITTED,
    CommitmentStatus.OPEN,
    CommitmentStatus.APPLIED,
    CommitmentStatus.APPROVED,
    CommitmentStatus.PAID,
)


class PaymentKind(enum.StrEnum):
    """To whom a subsidy payment went."""

    DIRECT = "direct"  # to an insurer (or a pool member) for the programme's share of invoices
    REIMBURSEMENT = "reimbursement"  # to the firm after an approved application


class SubsidyProgramme(TenantScoped, HasId, HasCreatedAt, Base):
    """A programme as data: sponsor, eligibility rules, rate tiers, cap, mode and active period."""

    __tablename__ = "subsidy_programmes"
    __table_args__ = (
        UniqueConstraint("sponsor_id", "name"),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        CheckConstraint("cap_minor IS NULL OR cap_minor >= 0", name="cap"),
    )

    sponsor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    region: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind), default=ProgrammeKind.PREMIUM)
    # Budget and cap are kept in this currency; invoices are converted at the invoice date's FX rate.
    currency: Mapped[str] = mapped_column(String(3))
    product_kinds: Mapped[list[str]] = mapped_column(JSON)
    rules_json: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tiers_json: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Per enterprise per calendar year, in the programme currency; None: no cap.
    cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    enrolment_required: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # The platform product whose policy an enrolled firm is issued (platform-policy programmes).
    platform_product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column()

    @property
    def rules(self) -> list[Rule]:
        """The eligibility rules."""
        return rules_from_json(self.rules_json)

    @property
    def tiers(self) -> list[RateTier]:
        """The rate tiers, lowest bound first."""
        return tiers_from_json(self.tiers_json)

    @property
    def cap(self) -> Money | None:
        """The cap per enterprise per year, or None."""
        return None if self.cap_minor is None else Money.from_minor(self.cap_minor, self.currency)

    def is_open_on(self, day: dt.date) -> bool:
        """True when the programme is active and `day` is in its period."""
        return self.is_active and self.starts_on <= day <= self.ends_on

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The sponsor (firms see programmes through their eligibility, not the rows)."""
        return cls.sponsor_id == organisation_id


class ProgrammeBudget(TenantScoped, HasId, HasCreatedAt, Base):
    """A programme's budget for one calendar year: amount, what is committed and what is paid.

    Committing locks this row (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers), so
    `committed` never passes `amount` through racing invoices.
    """

    __tablename__ = "subsidy_budgets"
    __table_args__ = (
        UniqueConstraint("programme_id", "year"),
        CheckConstraint("amount_minor >= 0", name="amount"),
        CheckConstraint("committed_minor >= 0 AND committed_minor <= amount_minor", name="committed"),
        CheckConstraint("paid_minor >= 0 AND paid_minor <= committed_minor", name="paid"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_programmes.id"), index=True)
    sponsor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    committed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def amount(self) -> Money:
        """The budget."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def committed(self) -> Money:
        """What invoices have taken of it."""
        return Money.from_minor(self.committed_minor, self.currency)

    @property
    def paid(self) -> Money:
        """What the programme has paid out of it."""
        return Money.from_minor(self.paid_minor, self.currency)

    @property
    def remaining(self) -> Money:
        """What is left to commit."""
        return self.amount - self.committed

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The sponsor."""
        return cls.sponsor_id == organisation_id


class Enrolment(TenantScoped, HasId, HasCreatedAt, Base):
    """A firm enrolled in a programme (and, for a platform policy, the policy it was issued)."""

    __tablename__ = "subsidy_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "policyholder_id"),)

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_programmes.id"), index=True)
    sponsor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("policies.id"))
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    enrolled_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The sponsor and the enrolled firm."""
        return or_(cls.sponsor_id == organisation_id, cls.policyholder_id == organisation_id)


class SubsidyPayment(TenantScoped, HasId, HasCreatedAt, Base):
    """Money the programme paid: to an insurer or pool member (direct), or to a firm (reimbursement)."""

    __tablename__ = "subsidy_payments"
    __table_args__ = (
        UniqueConstraint("sponsor_id", "idempotency_key", "payee_id", "currency"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_programmes.id"), index=True)
    sponsor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    payee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    paid_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))

    @property
    def amount(self) -> Money:
        """The amount paid (invoice currency)."""
        return Money.from_minor(self.amount_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The paying sponsor and the payee."""
        return or_(cls.sponsor_id == organisation_id, cls.payee_id == organisation_id)


class SubsidyCommitment(TenantScoped, HasId, HasCreatedAt, Base):
    """A programme's share of one premium invoice: what it takes of the budget and where it stands."""

    __tablename__ = "subsidy_commitments"
    __table_args__ = (
        UniqueConstraint("invoice_id", "programme_id"),
        UniqueConstraint("sponsor_id", "decision_key"),
        CheckConstraint("premium_minor >= 0", name="premium"),
        CheckConstraint("amount_minor >= 0 AND amount_minor <= requested_minor", name="amount"),
        CheckConstraint("amount_programme_minor >= 0", name="amount_programme"),
        Index("ix_subsidy_commitments_programme_year", "programme_id", "year"),
        Index("ix_subsidy_commitments_holder_programme_year", "policyholder_id", "programme_id", "year"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_programmes.id"))
    sponsor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    # The policy's insurer (a pool's organisation for a pool policy).
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    # The premium invoice (premiums area); a plain id so the two areas' tables stay independent.
    invoice_id: Mapped[uuid.UUID] = mapped_column(index=True)
    product_kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    committed_on: Mapped[dt.date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    requested_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # Programme currency units per invoice currency unit on the invoice date (reference FX table).
    fx_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    programme_currency: Mapped[str] = mapped_column(String(3))
    amount_programme_minor: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    explanation: Mapped[str] = mapped_column(String(500))
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus), default=CommitmentStatus.COMMITTED
    )
    premium_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    applied_on: Mapped[dt.date | None] = mapped_column(Date)
    applied_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    decision_key: Mapped[str | None] = mapped_column(String(200))
    released_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    @property
    def premium(self) -> Money:
        """The invoice's premium the share was taken of."""
        return Money.from_minor(self.premium_minor, self.currency)

    @property
    def requested(self) -> Money:
        """Premium × rate, before the cap and the budget."""
        return Money.from_minor(self.requested_minor, self.currency)

    @property
    def amount(self) -> Money:
        """The programme's share (invoice currency)."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def amount_in_programme(self) -> Money:
        """The share in the programme currency: what it takes of budget and cap."""
        return Money.from_minor(self.amount_programme_minor, self.programme_currency)

    @property
    def reference(self) -> str:
        """A short reference: 'SC-1A2B3C4D'."""
        return f"SC-{self.id.hex[:8].upper()}"

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The sponsor, the firm, and the insurer of the invoiced policy (each member of a pool's)."""
        return or_(
            cls.sponsor_id == organisation_id,
            cls.policyholder_id == organisation_id,
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
        )


class SubsidyPaymentLine(TenantScoped, Base):
    """The part of one commitment a payment paid (a pool member gets its apportioned part)."""

    __tablename__ = "subsidy_payment_lines"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subsidy_payments.id"), primary_key=True)
    commitment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subsidy_commitments.id"), primary_key=True, index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the payment sees its lines."""
        return cls.payment_id.in_(
            select(SubsidyPayment.id).where(
                or_(SubsidyPayment.sponsor_id == organisation_id, SubsidyPayment.payee_id == organisation_id)
            )
        )
