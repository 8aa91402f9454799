"""Declared shipments and payments, how payments were applied, and imported declaration files.

A shipment keeps the facts its verdict was judged on (the cover and exposure on the shipment date,
the deadline, the maximum credit period), so that the verdict per rule is recomputed exactly by
`declarations.rules.judge_shipment` whenever it is shown, without a text blob per row.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecover.coinsurance.model import insurer_ids_seen_by
from tradecover.db.base import Base, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, str_enum
from tradecover.declarations.rules import (
    CoverFacts,
    CoverSource,
    ShipmentFacts,
    ShipmentVerdict,
    judge_shipment,
)
from tradecover.money import Money
from tradecover.policies.model import Policy


class _PolicyParties:
    """Seen by the insured and the insurer of the policy (kept on the row, as on credit limits)."""

    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured and the insurer of the policy (every member of a pool that is the insurer)."""
        return or_(
            cls.policyholder_id == organisation_id, cls.insurer_id.in_(insurer_ids_seen_by(organisation_id))
        )


class _UnderPolicy:
    """Seen by whoever sees the policy (rows too many to carry the parties on each)."""

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured, the insurer (every member of a pool that is the insurer), the loss-payee bank."""
        return cls.policy_id.in_(  # type: ignore[attr-defined, no-any-return]
            select(Policy.id).where(
                or_(
                    Policy.policyholder_id == organisation_id,
                    Policy.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
                    Policy.loss_payee_id == organisation_id,
                )
            )
        )


class ImportStatus(enum.StrEnum):
    """A file is imported whole, or refused whole with its rejection report."""

    IMPORTED = "imported"
    REJECTED = "rejected"


class ImportBatch(_PolicyParties, TenantScoped, HasId, Base):
    """One declarations file: who sent it, its content hash, row counts and the rejection report."""

    __tablename__ = "declaration_imports"
    __table_args__ = (
        # Only an imported file blocks the same content again; a refused one may be sent again fixed or not.
        UniqueConstraint("policy_id", "imported_sha256"),
        CheckConstraint("accepted >= 0 AND rejected >= 0 AND rows = accepted + rejected", name="counts"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_sha256: Mapped[str] = mapped_column(String(64))
    imported_sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    shipments: Mapped[int] = mapped_column(Integer, default=0)
    payments: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus))
    # CSV: row,reason — one line per rejected row (empty when every row was accepted).
    report: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[dt.datetime] = mapped_column()
    imported_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def reference(self) -> str:
        """A short reference people can quote: 'IMP-1A2B3C4D'."""
        return f"IMP-{self.id.hex[:8].upper()}"


class Shipment(_UnderPolicy, TenantScoped, HasId, Base):
    """A declared shipment (an invoice on a buyer) with its insured amount and the facts of its verdict."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("policy_id", "invoice_number"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("insured_minor >= 0 AND insured_minor <= amount_minor", name="insured_range"),
        CheckConstraint("paid_minor >= 0 AND paid_minor <= amount_minor", name="paid_range"),
        CheckConstraint("due_date >= shipment_date", name="due_after_shipment"),
        Index("ix_shipments_policy_buyer_date", "policy_id", "buyer_id", "shipment_date"),
        # Oversight sums a date range per month, currency, policy and buyer from this index alone.
        Index(
            "ix_shipments_oversight",
            "shipment_date",
            "policy_id",
            "buyer_id",
            "currency",
            "insured_minor",
            "premium_minor",
        ),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    invoice_number: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    shipment_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    declared_on: Mapped[dt.date] = mapped_column(Date)
    declared_at: Mapped[dt.datetime] = mapped_column()
    declared_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    import_batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("declaration_imports.id"))
    insured_minor: Mapped[int] = mapped_column(BigInteger)
    # None when the policy has no rate table to price it with.
    premium_minor: Mapped[int | None] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_on: Mapped[dt.date | None] = mapped_column(Date)
    # The facts the verdict was judged on (see the module docstring).
    max_credit_days: Mapped[int] = mapped_column(SmallInteger)
    deadline: Mapped[dt.date] = mapped_column(Date)
    cover_source: Mapped[CoverSource] = mapped_column(str_enum(CoverSource))
    cover_minor: Mapped[int] = mapped_column(BigInteger)
    exposure_minor: Mapped[int] = mapped_column(BigInteger)
    stopped_since: Mapped[dt.date | None] = mapped_column(Date)
    loss_event_on: Mapped[dt.date | None] = mapped_column(Date)
    # Out of cover from this date (overdue reported late or never; see declarations.events).
    cover_lost_on: Mapped[dt.date | None] = mapped_column(Date)
    cover_lost_reason: Mapped[str | None] = mapped_column(String(200))

    @property
    def amount(self) -> Money:
        """The invoice amount."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def insured(self) -> Money:
        """The insured part."""
        return Money.from_minor(self.insured_minor, self.currency)

    @property
    def paid(self) -> Money:
        """What payments settled of it so far."""
        return Money.from_minor(self.paid_minor, self.currency)

    @property
    def premium(self) -> Money | None:
        """The premium on the insured part (None without a rate table)."""
        return None if self.premium_minor is None else Money.from_minor(self.premium_minor, self.currency)

    @property
    def claimable_insured_minor(self) -> int:
        """The insured amount a claim may count: zero once the invoice is out of cover."""
        return 0 if self.cover_lost_on is not None else self.insured_minor

    def is_overdue(self, on: dt.date) -> bool:
        """True when something is still unpaid after the due date."""
        return self.paid_minor < self.amount_minor and self.due_date < on

    @property
    def verdict(self) -> ShipmentVerdict:
        """The verdict per rule, recomputed from the stored facts."""
        facts = ShipmentFacts(
            self.invoice_number,
            self.currency,
            self.amount_minor,
            self.shipment_date,
            self.due_date,
            self.declared_on,
        )
        cover = CoverFacts(
            max_credit_days=self.max_credit_days,
            deadline=self.deadline,
            source=self.cover_source,
            cover_minor=self.cover_minor,
            exposure_minor=self.exposure_minor,
            stopped_since=self.stopped_since,
            loss_event_on=self.loss_event_on,
            cover_lost_on=self.cover_lost_on,
            cover_lost_reason=self.cover_lost_reason,
        )
        return judge_shipment(facts, cover)


class Payment(_PolicyParties, TenantScoped, HasId, Base):
    """A payment received from a buyer, applied to its open invoices oldest first."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("unapplied_minor >= 0 AND unapplied_minor <= amount_minor", name="unapplied_range"),
        Index("ix_payments_policy_buyer_date", "policy_id", "buyer_id", "received_on"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(64))
    # What found no open invoice (paid in advance or too much).
    unapplied_minor: Mapped[int] = mapped_column(BigInteger)
    declared_at: Mapped[dt.datetime] = mapped_column()
    declared_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    import_batch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("declaration_imports.id"), index=True
    )

    @property
    def amount(self) -> Money:
        """The amount received."""
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def unapplied(self) -> Money:
        """What found no open invoice."""
        return Money.from_minor(self.unapplied_minor, self.currency)


class PaymentApplication(_UnderPolicy, TenantScoped, Base):
    """Part of a payment applied to one shipment, and the insured outstanding it freed on that date."""

    __tablename__ = "payment_applications"
    __table_args__ = (
        CheckConstraint("paid_minor > 0", name="paid_positive"),
        CheckConstraint("insured_released_minor >= 0", name="released"),
        Index("ix_payment_applications_policy_buyer_date", "policy_id", "buyer_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), index=True)
    # Kept from the payment so that exposure on a date is two sums over one index each.
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("buyers.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    paid_minor: Mapped[int] = mapped_column(BigInteger)
    insured_released_minor: Mapped[int] = mapped_column(BigInteger)
