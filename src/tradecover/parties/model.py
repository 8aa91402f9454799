"""Organisations, users, their roles and API keys."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tradecover.db.base import Base, HasCreatedAt, HasId
from tradecover.db.tenancy import TenantScoped
from tradecover.db.types import str_enum
from tradecover.parties.roles import OrganisationKind, Role


class Organisation(TenantScoped, HasId, HasCreatedAt, Base):
    """An insurer, policyholder, bank, programme body, regulator or the platform operator."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("country", "registration_number"),
        CheckConstraint(
            "prior_year_exports_usd_minor IS NULL OR prior_year_exports_usd_minor >= 0",
            name="exports_not_negative",
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    registration_number: Mapped[str | None] = mapped_column(String(64))
    # Policyholder facts that subsidy eligibility reads (DESIGN §2, Subsidy programme).
    is_sme: Mapped[bool | None] = mapped_column(Boolean)
    prior_year_exports_usd_minor: Mapped[int | None] = mapped_column(BigInteger)
    sector: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees itself."""
        return cls.id == organisation_id


class User(TenantScoped, HasId, HasCreatedAt, Base):
    """A person acting for one organisation with one or more roles."""

    __tablename__ = "users"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The user's roles."""
        return frozenset(grant.role for grant in self.role_grants)

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees its own users."""
        return cls.organisation_id == organisation_id


class UserRole(TenantScoped, Base):
    """One role granted to a user."""

    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_grants")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees the roles of its own users."""
        return cls.user_id.in_(select(User.id).where(User.organisation_id == organisation_id))


class ApiKey(TenantScoped, HasId, HasCreatedAt, Base):
    """A key for the API, acting as one user; only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="joined")

    @classmethod
    def tenant_criteria(cls, organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """An organisation sees its own keys."""
        return cls.organisation_id == organisation_id
