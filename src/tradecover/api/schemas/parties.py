"""Bodies for organisations, users, API keys and the signed-in caller."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.money import Money
from tradecover.parties.model import ApiKey, Organisation, User
from tradecover.parties.roles import OrganisationKind, Role

# Bounds follow the column sizes in tradecover.parties.model.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Region = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
RegistrationNumber = Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)]
Sector = Annotated[str, StringConstraints(max_length=32, pattern=NO_NUL)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Email = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=NO_NUL)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200, pattern=NO_NUL)]
KeyName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]


class OrganisationCreate(BaseModel):
    """A new organisation (platform admin only)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Yiwu Bright Lamps Co., Ltd.",
                    "kind": "policyholder",
                    "country": "CN",
                    "region": "Yiwu",
                    "registration_number": "91330782MA2EXAMPLE",
                    "is_sme": True,
                    "prior_year_exports": {"amount": "6500000.00", "currency": "USD"},
                    "sector": "C27",
                }
            ]
        },
    )

    name: Name
    kind: OrganisationKind
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code.")
    region: Region | None = None
    registration_number: RegistrationNumber | None = None
    is_sme: StrictBool | None = None
    prior_year_exports: MoneyAmount | None = Field(
        default=None, description="Exports of the previous year, in USD (subsidy eligibility reads it)."
    )
    sector: Sector | None = None


class OrganisationOut(BaseModel):
    """An organisation as the caller may see it."""

    id: uuid.UUID
    name: str
    kind: OrganisationKind
    country: str
    region: str | None
    registration_number: str | None
    is_sme: bool | None
    prior_year_exports: MoneyAmount | None
    sector: str | None
    is_active: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationOut:
        """The wire form of an organisation."""
        exports = organisation.prior_year_exports_usd_minor
        return cls(
            id=organisation.id,
            name=organisation.name,
            kind=organisation.kind,
            country=organisation.country,
            region=organisation.region,
            registration_number=organisation.registration_number,
            is_sme=organisation.is_sme,
            prior_year_exports=MoneyAmount.of(Money.from_minor(exports, "USD"))
            if exports is not None
            else None,
            sector=organisation.sector,
            is_active=organisation.is_active,
            created_at=organisation.created_at,
        )


class UserCreate(BaseModel):
    """A new user of an organisation, with roles its kind allows."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "li.wei@example.com",
                    "full_name": "Li Wei",
                    "roles": ["policyholder"],
                    "password": "a long passphrase",
                }
            ]
        },
    )

    email: Email
    full_name: Name
    roles: list[Role] = Field(min_length=1)
    password: Password | None = Field(default=None, description="For web sign-in; at least 10 characters.")


class UserOut(BaseModel):
    """A user as the caller may see it (never its password hash)."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    full_name: str
    roles: list[Role]
    is_active: bool
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """The wire form of a user."""
        return cls(
            id=user.id,
            organisation_id=user.organisation_id,
            email=user.email,
            full_name=user.full_name,
            roles=sorted(user.roles),
            is_active=user.is_active,
            created_at=user.created_at,
            last_sign_in_at=user.last_sign_in_at,
        )


class Me(BaseModel):
    """The caller: its user, its organisation and its roles."""

    user: UserOut
    organisation: OrganisationOut
    roles: list[Role]


class ApiKeyCreate(BaseModel):
    """A new API key for the caller."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "ERP export job"}]})

    name: KeyName


class ApiKeyOut(BaseModel):
    """An API key as listed: its visible prefix, never its secret."""

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        """The wire form of a key."""
        return cls(
            id=key.id,
            user_id=key.user_id,
            name=key.name,
            prefix=key.prefix,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class IssuedApiKey(ApiKeyOut):
    """A key just issued: the only answer that carries the whole token."""

    token: str = Field(description="The whole key. Shown this once; only a hash of it is kept.")
