"""Bodies for the buyer registry and buyer and country grade changes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.buyers.model import Buyer, BuyerGradeChange, BuyerKind, CountryGrade
from tradecover.buyers.service import MAX_PAGE_SIZE, BuyerPage
from tradecover.money import Money

# Bounds follow the column sizes in tradecover.buyers.model.
BuyerName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
City = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
RegistrationNumber = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Sector = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]


class BuyerCreate(BaseModel):
    """A buyer to add to the shared registry."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Bluewater Retail Inc.",
                    "country": "US",
                    "registration_number": "12-3456789",
                    "kind": "company",
                    "sector": "retail_wholesale",
                    "grade": 4,
                    "city": "Newark",
                    "annual_sales": {"amount": "45000000.00", "currency": "USD"},
                }
            ]
        },
    )

    name: BuyerName
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code.")
    registration_number: RegistrationNumber
    kind: BuyerKind
    sector: Sector = Field(description="A sector code of the reference data, e.g. `retail_wholesale`.")
    grade: StrictInt = Field(description="Buyer grade 1 (best) … 9 (worst), 10 = defaulted.")
    city: City | None = None
    annual_sales: MoneyAmount | None = Field(default=None, description="Annual sales, in USD.")


class BuyerOut(BaseModel):
    """A buyer of the registry with its grade and its country's grade in force today."""

    id: uuid.UUID
    name: str
    country: str
    registration_number: str
    kind: BuyerKind
    sector: str
    grade: int
    country_grade: int
    city: str | None
    annual_sales: MoneyAmount | None
    created_at: dt.datetime

    @classmethod
    def of(cls, buyer: Buyer, country_grade: int) -> BuyerOut:
        """The wire form of a buyer, given its country's grade."""
        sales = buyer.annual_sales_usd_minor
        return cls(
            id=buyer.id,
            name=buyer.name,
            country=buyer.country,
            registration_number=buyer.registration_number,
            kind=buyer.kind,
            sector=buyer.sector,
            grade=buyer.grade,
            country_grade=country_grade,
            city=buyer.city,
            annual_sales=MoneyAmount.of(Money.from_minor(sales, "USD")) if sales is not None else None,
            created_at=buyer.created_at,
        )


class BuyerPageOut(BaseModel):
    """One page of a buyer search, with how many buyers matched in all."""

    items: list[BuyerOut]
    total: int
    page: int
    page_size: int
    pages: int

    @classmethod
    def of(cls, page: BuyerPage, country_grades: dict[str, int]) -> BuyerPageOut:
        """The wire form of a page of buyers."""
        return cls(
            items=[BuyerOut.of(b, country_grades[b.country]) for b in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class BuyerGradeChangeIn(BaseModel):
    """A new grade for a buyer and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"grade": 6, "reason": "US tariff shock: margins squeezed, paying late"}]
        },
    )

    grade: StrictInt = Field(description="The new buyer grade, 1 … 10.")
    reason: Reason = Field(description="Why the grade changes (required).")


class BuyerGradeChangeOut(BaseModel):
    """One change of a buyer's grade."""

    id: int
    buyer_id: uuid.UUID
    old_grade: int
    new_grade: int
    effective_at: dt.datetime
    changed_by_user_id: uuid.UUID | None
    changed_by_organisation_id: uuid.UUID | None
    reason: str

    @classmethod
    def of(cls, change: BuyerGradeChange) -> BuyerGradeChangeOut:
        """The wire form of a buyer grade change."""
        return cls(
            id=change.id,
            buyer_id=change.buyer_id,
            old_grade=change.old_grade,
            new_grade=change.new_grade,
            effective_at=change.effective_at,
            changed_by_user_id=change.changed_by_user_id,
            changed_by_organisation_id=change.changed_by_organisation_id,
            reason=change.reason,
        )


class CountryGradeChangeIn(BaseModel):
    """A new grade for a country, in force from a date (default today), and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"grade": 2, "reason": "Tariff escalation raises transfer risk", "effective_from": None}
            ]
        },
    )

    grade: StrictInt = Field(description="The new country grade, 0 … 7.")
    reason: Reason = Field(description="Why the grade changes (required).")
    effective_from: dt.date | None = Field(
        default=None, description="In force from this date (not in the future, not before the last change)."
    )


class CountryGradeOut(BaseModel):
    """One change of a country's grade."""

    id: int
    country: str
    old_grade: int
    grade: int
    effective_from: dt.date
    changed_by_user_id: uuid.UUID | None
    changed_by_organisation_id: uuid.UUID | None
    reason: str
    created_at: dt.datetime

    @classmethod
    def of(cls, change: CountryGrade) -> CountryGradeOut:
        """The wire form of a country grade change."""
        return cls(
            id=change.id,
            country=change.country,
            old_grade=change.old_grade,
            grade=change.grade,
            effective_from=change.effective_from,
            changed_by_user_id=change.changed_by_user_id,
            changed_by_organisation_id=change.changed_by_organisation_id,
            reason=change.reason,
            created_at=change.created_at,
        )


class CountryGradesOut(BaseModel):
    """A country's grade in force today, from the reference data or the latest change, and its history."""

    country: str
    grade: int
    reference_grade: int
    history: list[CountryGradeOut]


class BuyerQuery(BaseModel):
    """Search criteria for the registry (every one given must hold) and the page wanted."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "retail", "country": "US", "grade_min": 5}]}
    )

    name: str | None = Field(
        default=None, max_length=200, pattern=NO_NUL, description="Part of the name, any case."
    )
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2 code.")
    registration_number: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    kind: BuyerKind | None = None
    grade_min: int | None = Field(default=None, ge=1, le=10)
    grade_max: int | None = Field(default=None, ge=1, le=10)
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
