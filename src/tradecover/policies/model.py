"""Products, rate tables, quote requests, quotes, policies and their versions."""

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
from tradecover.db.types import ExactDecimal, str_enum
from tradecover.money import Money
from tradecover.policies.terms import PolicyTerms, ProductKind


class QuoteRequestStatus(enum.StrEnum):
    """Open while insurers answer; accepted when the policyholder took a quote; withdrawn otherwise."""

    OPEN = "open"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class QuoteStatus(enum.StrEnum):
    """A quote's life: draft (the insurer works on it) → sent → accepted or not taken; or refused."""

    DRAFT = "draft"
    SENT = "sent"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    NOT_TAKEN = "not_taken"


class PolicyStatus(enum.StrEnum):
    """In force from issue until expiry or cancellation."""

    IN_FORCE = "in_force"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Product(TenantScoped, HasId, HasCreatedAt, Base):
    """One insurer's product: a template of policy terms it edits, one per product kind."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("insurer_id", "kind"),)

    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind))
    name: Mapped[str] = mapped_column(String(200))
    terms_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Quotes within the standard terms go out at once; otherwise they wait for an underwriter as drafts.
    sends_quotes_automatically: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column()

    rate_table: Mapped[RateTable | None] = relationship(back_populates="product", uselist=False)

    @property
    def terms(self) -> PolicyTerms:
        """The product's default terms."""
        return PolicyTerms.from_json(self.terms_json)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An insurer sees its own products and its pools' (others see terms through quotes and policies)."""
        return cls.insurer_id.in_(insurer_ids_seen_by(organisation_id))


class RateTable(TenantScoped, HasId, HasCreatedAt, Base):
    """An insurer's premium rates for one product, with its preferential discount."""

    __tablename__ = "rate_tables"
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    preferential_discount: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    updated_at: Mapped[dt.datetime | None] = mapped_column()

    product: Mapped[Product] = relationship(back_populates="rate_table")
    cells: Mapped[list[RateCell]] = relationship(
        back_populates="table", lazy="selectin", cascade="all, delete-orphan"
    )

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An insurer sees its own rate tables and its pools'."""
        return cls.insurer_id.in_(insurer_ids_seen_by(organisation_id))


class RateCell(TenantScoped, Base):
    """One rate: buyer grades up to a band bound, one country grade, credit periods up to a band bound."""

    __tablename__ = "rate_cells"

    rate_table_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rate_tables.id"), primary_key=True)
    buyer_grade_to: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    country_grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    credit_days_to: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)

    table: Mapped[RateTable] = relationship(back_populates="cells")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An insurer sees the cells of its own rate tables."""
        return cls.rate_table_id.in_(
            select(RateTable.id).where(RateTable.insurer_id.in_(insurer_ids_seen_by(organisation_id)))
        )


class QuoteRequest(TenantScoped, HasId, HasCreatedAt, Base):
    """A policyholder's one request for quotes, answered by every insurer that writes the product kind."""

    __tablename__ = "quote_requests"
    __table_args__ = (
        CheckConstraint("period_end > period_start", name="period_order"),
        CheckConstraint("typical_credit_days > 0", name="credit_days_positive"),
    )

    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    product_kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    typical_credit_days: Mapped[int] = mapped_column(SmallInteger)
    # [{"country": "US", "amount": "1000000.00"}] in the request currency.
    turnover_lines: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    named_buyer_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[QuoteRequestStatus] = mapped_column(
        str_enum(QuoteRequestStatus), default=QuoteRequestStatus.OPEN
    )
    submitted_on: Mapped[dt.date] = mapped_column(Date)

    quotes: Mapped[list[Quote]] = relationship(back_populates="request", order_by="Quote.created_at")

    @property
    def expected_turnover(self) -> Money:
        """The sum of the expected turnover lines."""
        total = Money.zero(self.currency)
        for line in self.turnover_lines:
            total = total + Money.of(line["amount"], self.currency)
        return total

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The requesting policyholder, and every insurer invited to quote (it has a quote on it)."""
        return or_(
            cls.policyholder_id == organisation_id,
            cls.id.in_(
                select(Quote.request_id).where(Quote.insurer_id.in_(insurer_ids_seen_by(organisation_id)))
            ),
        )


class Quote(TenantScoped, HasId, HasCreatedAt, Base):
    """One insurer's answer to a quote request: offered terms and an estimated premium, or a refusal."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("request_id", "insurer_id"),)

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quote_requests.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Kept here too so that the quote's visibility does not depend on reading the request.
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    rate_table_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rate_tables.id"))
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus))
    version: Mapped[int] = mapped_column(Integer, default=1)
    currency: Mapped[str] = mapped_column(String(3))
    terms_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    average_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    rate_adjustment: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    preferential_discount: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    premium_minor: Mapped[int | None] = mapped_column(BigInteger)
    estimated_premium_minor: Mapped[int | None] = mapped_column(BigInteger)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    underwriter_note: Mapped[str | None] = mapped_column(String(500))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    adjusted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[QuoteRequest] = relationship(back_populates="quotes")

    @property
    def terms(self) -> PolicyTerms | None:
        """The offered terms (None for a refusal)."""
        return None if self.terms_json is None else PolicyTerms.from_json(self.terms_json)

    @property
    def estimated_premium(self) -> Money | None:
        """The estimated premium for the year (at least the minimum premium)."""
        if self.estimated_premium_minor is None:
            return None
        return Money.from_minor(self.estimated_premium_minor, self.currency)

    @property
    def book_premium(self) -> Money | None:
        """The book's premium before the minimum premium applies."""
        return None if self.premium_minor is None else Money.from_minor(self.premium_minor, self.currency)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The quoting insurer and the requesting policyholder; never another insurer."""
        return or_(
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)), cls.policyholder_id == organisation_id
        )


class Policy(TenantScoped, HasId, HasCreatedAt, Base):
    """A policy: one insured, one insurer, one product, a period and a currency; terms in its versions."""

    __tablename__ = "policies"
    __table_args__ = (CheckConstraint("period_end > period_start", name="period_order"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    policyholder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    insurer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    product_kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind))
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quotes.id"), unique=True)
    # The one buyer a single-buyer policy covers.
    named_buyer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("buyers.id"))
    rate_table_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rate_tables.id"))
    rate_adjustment: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    preferential_discount: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[PolicyStatus] = mapped_column(str_enum(PolicyStatus), default=PolicyStatus.IN_FORCE)
    issued_at: Mapped[dt.datetime] = mapped_column()
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))
    expired_on: Mapped[dt.date | None] = mapped_column(Date)
    # Set and cleared by premiums' dunning: the non-payment effect of an unpaid premium invoice.
    premium_arrears_since: Mapped[dt.date | None] = mapped_column(Date)
    premium_arrears_invoice: Mapped[str | None] = mapped_column(String(32))
    # The loss-payee endorsement: the bank the indemnity is assigned to, from a date, under one facility
    # (financing keeps the facility; claims pay the bank first from it).
    loss_payee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    loss_payee_since: Mapped[dt.date | None] = mapped_column(Date)
    loss_payee_facility_id: Mapped[uuid.UUID | None] = mapped_column()

    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", lazy="selectin", order_by="PolicyVersion.version"
    )

    @property
    def current_version(self) -> PolicyVersion:
        """The latest version (the terms in force from its effective date on)."""
        return self.versions[-1]

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """The insured, the insurer, and the bank the policy is assigned to."""
        return or_(
            cls.policyholder_id == organisation_id,
            cls.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
            cls.loss_payee_id == organisation_id,
        )


class PolicyVersion(TenantScoped, HasId, HasCreatedAt, Base):
    """The terms of a policy from an effective date: v1 frozen at issue, each endorsement a new one."""

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("policy_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    terms_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    policy: Mapped[Policy] = relationship(back_populates="versions")

    @property
    def terms(self) -> PolicyTerms:
        """The terms of this version."""
        return PolicyTerms.from_json(self.terms_json)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Whoever sees the policy sees its versions (the loss-payee bank too)."""
        return cls.policy_id.in_(
            select(Policy.id).where(
                or_(
                    Policy.policyholder_id == organisation_id,
                    Policy.insurer_id.in_(insurer_ids_seen_by(organisation_id)),
                    Policy.loss_payee_id == organisation_id,
                )
            )
        )
