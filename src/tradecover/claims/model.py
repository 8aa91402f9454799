"""Claims and what hangs on them: claimed invoices, documents, pool members' shares, recoveries.

A claim is seen by its policyholder, its insurer (every member of a pool that is the insurer) and the
bank the policy is assigned to. Rows under a claim are seen by whoever sees the claim.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.coinsurance.model import insurer_ids_seen_by
from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, ExactDecimal, str_enum
from tradecover.money import Money
from tradecover.policies.model import Policy
from tradecover.policies.terms import CauseOfLoss


class ClaimStatus(enum.StrEnum):
    """Where a claim stands in its workflow."""

    FILED = "filed"
    DOCUMENTS_COMPLETE = "documents_complete"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    ASSESSED = "assessed"
    PAID = "paid"
    RECOVERING = "recovering"
    CLOSED = "closed"


OPEN_CLAIM_STATUSES = (
    ClaimStatus.FILED,
    ClaimStatus.DOCUMENTS_COMPLETE,
    ClaimStatus.AWAITING_SECOND_APPROVAL,
)


class ClaimOutcome(enum.StrEnum):
    """The claims handler's decision."""

    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"


def _policy_ids_assigned_to(organisation_id: uuid.UUID) -> Any:
    # Core columns: tenant criteria must not apply inside tenant criteria.
    policies = Policy.__table__.c
    return select(policies.id).where(policies.loss_payee_id == organisation_id)


class Claim(TenantScoped, HasId, HasCreatedAt, Base):
    """One claim on one buyer under one policy: the facts filed, the workflow dates, the decision."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("insured_loss_minor IS NULL OR insured_loss_minor >= 0", name="insured_loss_range"),
        CheckConstraint("afl_used_minor IS NULL OR afl_used_minor >= 0", name="afl_used_range"),
        CheckConstraint("indemnity_minor IS NULL OR indemnity_minor >= 0", name="indemnity_range"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"), index=True)
    cause: Mapped[CauseOfLoss] = mapped_column(str_enum(CauseOfLoss))
    date_of_loss: Mapped[dt.date] = mapped_column(Date)
    insolvency_date: Mapped[dt.date | None] = mapped_column(Date)
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    # The first day of the policy year the loss falls in (AFL and maximum liability are per year).
    policy_year_start: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    filed_at: Mapped[dt.datetime] = mapped_column()
    filed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The policyholder, or the bank the policy is assigned to.
    filed_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    # Credits received from the buyer declared at filing: [{"received_on", "amount_minor", "invoice_number"}].
    credits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[ClaimStatus] = mapped_column(str_enum(ClaimStatus), default=ClaimStatus.FILED)
    outcome: Mapped[ClaimOutcome | None] = mapped_column(str_enum(ClaimOutcome))
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    documents_complete_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_deadline: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    second_approver_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    payment_deadline: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    insured_loss_minor: Mapped[int | None] = mapped_column(BigInteger)
    afl_used_minor: Mapped[int | None] = mapped_column(BigInteger)
    # The computed indemnity (what the rules allow) and the amount decided (≤ computed; 0 when rejected).
    computed_indemnity_minor: Mapped[int | None] = mapped_column(BigInteger)
    indemnity_minor: Mapped[int | None] = mapped_column(BigInteger)
    # The stored IndemnityBreakdown.to_json() plus "members" and "payees" splits, as decided.
    breakdown_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))

    invoices: Mapped[list[ClaimInvoice]] = relationship(
        back_populates="claim", lazy="selectin", order_by="ClaimInvoice.position"
    )
    members: Mapped[list[ClaimMemberShare]] = relationship(
        back_populates="claim", lazy="selectin", order_by="ClaimMemberShare.position"
    )

    def money(self, minor: int | None) -> Money | None:
        """An amount of this claim in its currency (None stays None)."""
        return None if minor is None else Money.from_minor(minor, self.currency)

    @property
    def indemnity(self) -> Money | None:
        """The indemnity decided (None before the decision)."""
        return self.money(self.indemnity_minor)

    @property
    def service_deadline(self) -> dt.date | None:
        """The next service-level deadline: the decision's, then the payment's."""
        if self.status in OPEN_CLAIM_STATUSES:
            return self.decision_deadline
        if self.status is ClaimStatus.ASSESSED:
            return self.payment_deadline
        return None

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured, the insurer (and its pools' members), and the bank the policy is assigned to."""
        return or_(
            cls.policyholder_id == organisation_id,
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
            cls.policy_id.in_(_policy_ids_assigned_to(organisation_id)),
        )


class _UnderClaim:
    """Seen by whoever sees the claim."""

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the claim."""
        return cls.claim_id.in_(  # type: ignore[attr-defined, no-any-return]
            select(Claim.id).where(Claim.tenant_criteria(organisation_id))
        )


class ClaimInvoice(_UnderClaim, TenantScoped, Base):
    """One claimed invoice (a shipment reported overdue) and its facts at filing and at assessment."""

    __tablename__ = "claim_invoices"
    __table_args__ = (
        UniqueConstraint("claim_id", "shipment_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("insured_minor >= 0 AND insured_minor <= amount_minor", name="insured_range"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    # The shipment while the claim is live (not rejected): a shipment is on one live claim at most.
    live_shipment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"), unique=True)
    # The overdue report it was claimed on (claims.overdue_model.Overdue), kept without a key.
    overdue_id: Mapped[uuid.UUID | None] = mapped_column()
    invoice_number: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    shipment_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Set at assessment from the breakdown.
    unpaid_insured_minor: Mapped[int | None] = mapped_column(BigInteger)

    claim: Mapped[Claim] = relationship(back_populates="invoices")

    @property
    def amount(self) -> Money:
        """The invoice amount."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def insured(self) -> Money:
        """The insured part (0 when out of cover)."""
        return Money.from_minor(self.insured_minor, self.currency)


class ClaimDocument(_UnderClaim, TenantScoped, HasId, Base):
    """A document filed with a claim, stored in the database with its content hash."""

    __tablename__ = "claim_documents"
    __table_args__ = (
        UniqueConstraint("claim_id", "sha256"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    description: Mapped[str | None] = mapped_column(String(500))
    uploaded_at: Mapped[dt.datetime] = mapped_column()
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))


class ClaimMemberShare(_UnderClaim, TenantScoped, Base):
    """A pool member's (or the single insurer's) part of a decided indemnity, its payee split and payment."""

    __tablename__ = "claim_member_shares"
    __table_args__ = (
        UniqueConstraint("claim_id", "member_id"),
        UniqueConstraint("claim_id", "idempotency_key"),
        CheckConstraint("amount_minor >= 0", name="amount_range"),
        CheckConstraint(
            "to_bank_minor >= 0 AND to_insured_minor >= 0"
            " AND to_bank_minor + to_insured_minor = amount_minor",
            name="payees",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    share: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    to_bank_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    to_insured_minor: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_at: Mapped[dt.datetime | None] = mapped_column()
    paid_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))

    claim: Mapped[Claim] = relationship(back_populates="members")

    def money(self, minor: int) -> Money:
        """An amount of this share in its currency."""
        return Money.from_minor(minor, self.currency)

    @property
    def amount(self) -> Money:
        """The member's part of the indemnity."""
        return self.money(self.amount_minor)

    @property
    def is_paid(self) -> bool:
        """True once the member has paid its part."""
        return self.paid_on is not None


class Recovery(_UnderClaim, TenantScoped, HasId, HasCreatedAt, Base):
    """Money recovered from the buyer after payment, net of collection costs, and who gets what."""

    __tablename__ = "recoveries"
    __table_args__ = (
        UniqueConstraint("claim_id", "idempotency_key"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("costs_minor >= 0", name="costs_range"),
        CheckConstraint("net_minor >= 0", name="net_range"),
        CheckConstraint(
            "insurers_minor >= 0 AND insured_minor >= 0 AND insurers_minor + insured_minor = net_minor",
            name="parts",
        ),
    )

    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[dt.date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    costs_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    insurers_minor: Mapped[int] = mapped_column(BigInteger)
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500))
    # The computation shown to people (steps, caps), as computed.
    breakdown_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))

    shares: Mapped[list[RecoveryShare]] = relationship(
        back_populates="recovery", lazy="selectin", order_by="RecoveryShare.position"
    )

    def money(self, minor: int) -> Money:
        """An amount of this recovery in its currency."""
        return Money.from_minor(minor, self.currency)


class RecoveryShare(_UnderClaim, TenantScoped, Base):
    """A pool member's (or the single insurer's) part of a recovery."""

    __tablename__ = "recovery_shares"
    __table_args__ = (
        UniqueConstraint("recovery_id", "member_id"),
        CheckConstraint("amount_minor >= 0", name="amount_range"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    recovery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recoveries.id"), index=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    share: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    recovery: Mapped[Recovery] = relationship(back_populates="shares")

    @property
    def amount(self) -> Money:
        """The member's part of the recovery."""
        return Money.from_minor(self.amount_minor, self.currency)
