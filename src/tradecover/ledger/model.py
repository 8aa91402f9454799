"""Accounts, journal entries and postings. Entries are immutable: corrections are reversals."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.clock import utcnow
from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import BigIntPK, str_enum
from tradecover.ledger.rules import AccountType as AccountType


class Account(TenantScoped, HasId, HasCreatedAt, Base):
    """An account of one organisation in one currency (e.g. an insurer's premium receivable in CNY)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("organisation_id", "code", "currency"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[AccountType] = mapped_column(str_enum(AccountType))
    currency: Mapped[str] = mapped_column(String(3))

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees its own accounts."""
        return cls.organisation_id == organisation_id


class JournalEntry(TenantScoped, Base):
    """A balanced set of postings: per currency they sum to zero; at least two postings."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    booked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    document_type: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    booked_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    booked_by_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))

    postings: Mapped[list[Posting]] = relationship(
        back_populates="entry", lazy="selectin", order_by="Posting.id"
    )

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees the entries that post to any of its accounts."""
        return exists(
            select(Posting.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Posting.entry_id == cls.id, Account.organisation_id == organisation_id)
        )


class Posting(TenantScoped, Base):
    """One line of an entry: a signed amount in minor units on one account (debit +, credit −)."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str | None] = mapped_column(String(200))

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship(lazy="joined")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees the postings on its own accounts."""
        return cls.account_id.in_(select(Account.id).where(Account.organisation_id == organisation_id))
