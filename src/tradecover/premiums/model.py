"""Premium invoices and their lines, pool members' splits, credit notes and premium payments.

Documents are never edited once issued: a credit note cancels an invoice whole and the correction is a
new invoice. `live_*` columns hold a value only while the row is live (NULL once credited), so unique
constraints refuse a second live invoice for a policy's month and a shipment on two live invoices.
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
from tradecover.premiums.rules import DunningLevel


class InvoiceKind(enum.StrEnum):
    """A monthly invoice of declared turnover, or the minimum-premium true-up of a policy year."""

    MONTHLY = "monthly"
    TRUE_UP = "true_up"


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands (the firm's share paid or not; cancelled by a credit note)."""

    ISSUED = "issued"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CREDITED = "credited"


OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)


class PaymentSource(enum.StrEnum):
    """Money received from the firm, or the firm's held credit applied to an invoice."""

    RECEIVED = "received"
    CREDIT = "credit"


class _PolicyParties:
    """Seen by the insured, the insurer and, on a pool policy, each member of the pool."""

    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured, the insurer, and the members of a pool that is the insurer."""
        return or_(
            cls.policyholder_id == organisation_id,
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
        )


class PremiumInvoice(_PolicyParties, TenantScoped, HasId, HasCreatedAt, Base):
    """One premium invoice: the premium, the programmes' and the firm's shares, what is paid, dunning."""

    __tablename__ = "premium_invoices"
    __table_args__ = (
        UniqueConstraint("policy_id", "kind", "live_period_start"),
        CheckConstraint("premium_minor > 0", name="premium_positive"),
        CheckConstraint("subsidy_minor >= 0 AND subsidy_minor <= premium_minor", name="subsidy_range"),
        CheckConstraint("firm_share_minor = premium_minor - subsidy_minor", name="firm_share"),
        CheckConstraint("paid_minor >= 0 AND paid_minor <= firm_share_minor", name="paid_range"),
        CheckConstraint("due_date >= issued_on", name="due_after_issue"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    kind: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # The period start while the invoice is live; NULL once credited, so the period may be invoiced again.
    live_period_start: Mapped[dt.date | None] = mapped_column(Date)
    issued_on: Mapped[dt.date] = mapped_column(Date, index=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    # Direct-mode programme shares (they reduce what the firm pays); reimbursement shares are shown only.
    subsidy_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    firm_share_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[InvoiceStatus] = mapped_column(str_enum(InvoiceStatus), default=InvoiceStatus.ISSUED)
    dunning_level: Mapped[DunningLevel] = mapped_column(str_enum(DunningLevel), default=DunningLevel.NONE)
    dunned_on: Mapped[dt.date | None] = mapped_column(Date)
    # Per programme: commitment and programme ids, name, mode, rate, requested, amount, explanation.
    subsidies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    issued_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    # Loaded when read (an invoice may have thousands; paying it needs none of them).
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", lazy="select", order_by="InvoiceLine.id"
    )
    members: Mapped[list[InvoiceMemberSplit]] = relationship(
        back_populates="invoice", lazy="selectin", order_by="InvoiceMemberSplit.position"
    )

    def _money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def premium(self) -> Money:
        """The premium after preferential discount (the sum of the lines)."""
        return self._money(self.premium_minor)

    @property
    def subsidy(self) -> Money:
        """What the direct-mode programmes pay."""
        return self._money(self.subsidy_minor)

    @property
    def firm_share(self) -> Money:
        """What the policyholder pays."""
        return self._money(self.firm_share_minor)

    @property
    def paid(self) -> Money:
        """What is paid of the firm's share."""
        return self._money(self.paid_minor)

    @property
    def open(self) -> Money:
        """What the firm still owes (zero on a credited invoice)."""
        if self.status is InvoiceStatus.CREDITED:
            return self._money(0)
        return self._money(self.firm_share_minor - self.paid_minor)


class InvoiceLine(TenantScoped, Base):
    """One shipment's premium on an invoice: the insured amount, the rate cell, the rate and the premium."""

    __tablename__ = "premium_invoice_lines"
    __table_args__ = (
        CheckConstraint("insured_minor > 0", name="insured_positive"),
        CheckConstraint("premium_minor >= 0", name="premium_range"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("premium_invoices.id"), index=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    # The shipment while the line's invoice is live: a shipment is on one live invoice at most.
    live_shipment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"), unique=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    invoice_number: Mapped[str] = mapped_column(String(64))
    shipment_date: Mapped[dt.date] = mapped_column(Date)
    buyer_grade: Mapped[int] = mapped_column(SmallInteger)
    buyer_grade_band: Mapped[int] = mapped_column(SmallInteger)
    country_grade: Mapped[int] = mapped_column(SmallInteger)
    credit_days: Mapped[int] = mapped_column(Integer)
    credit_day_band: Mapped[int] = mapped_column(SmallInteger)
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    rate_adjustment: Mapped[Decimal] = mapped_column(ExactDecimal)
    discount: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)

    invoice: Mapped[PremiumInvoice] = relationship(back_populates="lines")

    @property
    def insured(self) -> Money:
        """The shipment's insured amount."""
        return Money.from_minor(self.insured_minor, self.currency)

    @property
    def premium(self) -> Money:
        """The line's premium."""
        return Money.from_minor(self.premium_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the invoice sees its lines."""
        return cls.invoice_id.in_(
            select(PremiumInvoice.id).where(PremiumInvoice.tenant_criteria(organisation_id))
        )


class InvoiceMemberSplit(TenantScoped, Base):
    """A pool member's part of an invoice: premium, firm and programme parts, commission, paid."""

    __tablename__ = "premium_invoice_members"
    __table_args__ = (
        UniqueConstraint("invoice_id", "member_id"),
        CheckConstraint("paid_minor >= 0 AND paid_minor <= firm_minor", name="paid_range"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("premium_invoices.id"), index=True)
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    leader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    position: Mapped[int] = mapped_column(SmallInteger)
    share: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    firm_minor: Mapped[int] = mapped_column(BigInteger)
    subsidy_minor: Mapped[int] = mapped_column(BigInteger)
    commission_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    invoice: Mapped[PremiumInvoice] = relationship(back_populates="members")

    def money(self, minor: int) -> Money:
        """An amount of this split in its currency."""
        return Money.from_minor(minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The member itself, the pool's leader (it administers the policy) and the insured."""
        return or_(
            cls.member_id == organisation_id,
            cls.leader_id == organisation_id,
            cls.policyholder_id == organisation_id,
        )


class CreditNote(_PolicyParties, TenantScoped, HasId, HasCreatedAt, Base):
    """Cancels one invoice in full; what the firm had paid on it becomes the firm's credit."""

    __tablename__ = "premium_credit_notes"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("premium_invoices.id"), unique=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    to_credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    issued_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def amount(self) -> Money:
        """The premium cancelled."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def to_credit(self) -> Money:
        """What the firm had paid on the invoice, now held as its credit."""
        return Money.from_minor(self.to_credit_minor, self.currency)


class PremiumPayment(_PolicyParties, TenantScoped, HasId, HasCreatedAt, Base):
    """Money from the firm for an invoice (or its held credit applied): applied part and overpayment."""

    __tablename__ = "premium_payments"
    __table_args__ = (
        UniqueConstraint("policyholder_id", "idempotency_key"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "applied_minor >= 0 AND over_minor >= 0 AND applied_minor + over_minor = amount_minor",
            name="parts",
        ),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("premium_invoices.id"), index=True)
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    source: Mapped[PaymentSource] = mapped_column(str_enum(PaymentSource))
    received_on: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    applied_minor: Mapped[int] = mapped_column(BigInteger)
    over_minor: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))

    @property
    def amount(self) -> Money:
        """The amount received (or credit applied)."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def applied(self) -> Money:
        """What settled the firm's share."""
        return Money.from_minor(self.applied_minor, self.currency)

    @property
    def over(self) -> Money:
        """What was more than the invoice's open share (held as the firm's credit)."""
        return Money.from_minor(self.over_minor, self.currency)
