"""Bodies for products, rate tables, quote requests, quotes and policies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.money import Money
from tradecover.policies.defaults import default_products
from tradecover.policies.model import (
    Policy,
    PolicyStatus,
    PolicyVersion,
    Product,
    Quote,
    QuoteRequest,
    QuoteRequestStatus,
    QuoteStatus,
    RateTable,
)
from tradecover.policies.terms import ProductKind

Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]
Note = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
ProductName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
DecimalText = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,6}(\.[0-9]{1,12})?$")]
Terms = dict[str, Any]

EXAMPLE_TERMS = default_products()[ProductKind.EXPORT_WHOLE_TURNOVER].terms.to_json()
TERMS_DESCRIPTION = (
    "Policy terms (see docs/policies.md): money as {amount, currency}, rates and percentages as decimal "
    "strings (0.90 = 90%). Every term is checked; an error names the term."
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _money(minor: int | None, currency: str) -> MoneyAmount | None:
    return None if minor is None else MoneyAmount.of(Money.from_minor(minor, currency))


# products ----------------------------------------------------------------------------------------
class ProductOut(BaseModel):
    """An insurer's product with its default terms."""

    id: uuid.UUID
    insurer_id: uuid.UUID
    kind: ProductKind
    name: str
    is_active: bool
    sends_quotes_automatically: bool
    terms: Terms
    created_at: dt.datetime
    updated_at: dt.datetime | None

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        """The wire form of a product."""
        return cls(
            id=product.id,
            insurer_id=product.insurer_id,
            kind=product.kind,
            name=product.name,
            is_active=product.is_active,
            sends_quotes_automatically=product.sends_quotes_automatically,
            terms=product.terms_json,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )


class ProductUpdate(BaseModel):
    """New default terms for a product (its insurer's admin); issued policies keep theirs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"terms": EXAMPLE_TERMS, "sends_quotes_automatically": True}]},
    )

    terms: Terms = Field(description=TERMS_DESCRIPTION)
    name: ProductName | None = None
    is_active: StrictBool | None = None
    sends_quotes_automatically: StrictBool | None = Field(
        default=None, description="Send quotes at once, or keep them as drafts for an underwriter."
    )


class RateCellOut(BaseModel):
    """One rate: buyer grades up to a bound, one country grade, credit periods up to a bound."""

    buyer_grade_to: int
    country_grade: int
    credit_days_to: int
    rate: str = Field(description="Exact fraction of turnover, e.g. `0.0035` = 0.35%.")


class RateTableOut(BaseModel):
    """A product's rate table and preferential discount."""

    id: uuid.UUID
    product_id: uuid.UUID
    name: str
    preferential_discount: str
    cells: list[RateCellOut]

    @classmethod
    def of(cls, table: RateTable) -> RateTableOut:
        """The wire form of a rate table."""
        return cls(
            id=table.id,
            product_id=table.product_id,
            name=table.name,
            preferential_discount=format(table.preferential_discount, "f"),
            cells=[
                RateCellOut(
                    buyer_grade_to=c.buyer_grade_to,
                    country_grade=c.country_grade,
                    credit_days_to=c.credit_days_to,
                    rate=format(c.rate, "f"),
                )
                for c in sorted(
                    table.cells, key=lambda c: (c.buyer_grade_to, c.country_grade, c.credit_days_to)
                )
            ],
        )


class RateCellIn(BaseModel):
    """One rate of a new table."""

    model_config = ConfigDict(extra="forbid")

    buyer_grade_to: int = Field(ge=1, le=9)
    country_grade: int = Field(ge=0, le=7)
    credit_days_to: int = Field(ge=1, le=720)
    rate: DecimalText


class RateTableUpdate(BaseModel):
    """A new preferential discount and/or a whole new set of rates (every cell, rising with risk)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"preferential_discount": "0.05"}]}
    )

    preferential_discount: DecimalText | None = Field(default=None, description="Fraction off, e.g. `0.10`.")
    cells: list[RateCellIn] | None = Field(default=None, max_length=2000)


# quote requests ----------------------------------------------------------------------------------
class TurnoverIn(BaseModel):
    """Expected annual turnover on buyers of one country."""

    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    turnover: MoneyAmount


class QuoteRequestCreate(BaseModel):
    """One request for quotes, answered by every insurer that writes the product kind."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "product_kind": "export_whole_turnover",
                    "currency": "USD",
                    "turnover": [
                        {"country": "US", "turnover": {"amount": "2000000.00", "currency": "USD"}},
                        {"country": "DE", "turnover": {"amount": "1000000.00", "currency": "USD"}},
                    ],
                    "period_start": "2027-01-01",
                    "typical_credit_days": 90,
                    "named_buyer_ids": [],
                }
            ]
        },
    )

    product_kind: ProductKind
    currency: CurrencyCode
    turnover: list[TurnoverIn] = Field(min_length=1, max_length=100)
    period_start: dt.date
    period_end: dt.date | None = Field(default=None, description="Last day covered; one year by default.")
    typical_credit_days: int = Field(default=90, ge=1, le=720)
    named_buyer_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class TurnoverOut(BaseModel):
    """A line of expected turnover."""

    country: str
    turnover: MoneyAmount


class QuoteRequestOut(BaseModel):
    """A quote request as its policyholder or an invited insurer sees it."""

    id: uuid.UUID
    policyholder_id: uuid.UUID
    policyholder_name: str | None
    product_kind: ProductKind
    currency: str
    period_start: dt.date
    period_end: dt.date
    typical_credit_days: int
    turnover: list[TurnoverOut]
    expected_turnover: MoneyAmount
    named_buyer_ids: list[uuid.UUID]
    status: QuoteRequestStatus
    submitted_on: dt.date
    created_at: dt.datetime

    @classmethod
    def of(cls, request: QuoteRequest, names: dict[uuid.UUID, str]) -> QuoteRequestOut:
        """The wire form of a request."""
        return cls(
            id=request.id,
            policyholder_id=request.policyholder_id,
            policyholder_name=names.get(request.policyholder_id),
            product_kind=request.product_kind,
            currency=request.currency,
            period_start=request.period_start,
            period_end=request.period_end,
            typical_credit_days=request.typical_credit_days,
            turnover=[
                TurnoverOut(
                    country=line["country"],
                    turnover=MoneyAmount.of(Money.of(line["amount"], request.currency)),
                )
                for line in request.turnover_lines
            ],
            expected_turnover=MoneyAmount.of(request.expected_turnover),
            named_buyer_ids=[uuid.UUID(b) for b in request.named_buyer_ids],
            status=request.status,
            submitted_on=request.submitted_on,
            created_at=request.created_at,
        )


# quotes ------------------------------------------------------------------------------------------
class QuoteOut(BaseModel):
    """One insurer's answer: the offered terms and estimated premium, or why it refused."""

    id: uuid.UUID
    request_id: uuid.UUID
    insurer_id: uuid.UUID
    insurer_name: str | None
    status: QuoteStatus
    version: int
    currency: str
    average_rate: str | None = Field(description="Premium ÷ turnover before the minimum premium.")
    rate_adjustment: str = Field(description="The underwriter's loading (+) or reduction (−) on the rates.")
    preferential_discount: str
    premium: MoneyAmount | None = Field(description="The book's premium, before the minimum premium.")
    estimated_premium: MoneyAmount | None = Field(description="At least the minimum premium.")
    indemnity_insolvency: str | None
    maximum_liability: MoneyAmount | None = Field(description="For the estimated premium.")
    dcl: MoneyAmount | None
    minimum_premium: MoneyAmount | None
    terms: Terms | None
    breakdown: list[dict[str, Any]]
    refusal_reason: str | None
    underwriter_note: str | None
    valid_until: dt.date | None
    sent_at: dt.datetime | None
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, quote: Quote, names: dict[uuid.UUID, str]) -> QuoteOut:
        """The wire form of a quote."""
        terms = quote.terms
        estimated = quote.estimated_premium
        return cls(
            id=quote.id,
            request_id=quote.request_id,
            insurer_id=quote.insurer_id,
            insurer_name=names.get(quote.insurer_id),
            status=quote.status,
            version=quote.version,
            currency=quote.currency,
            average_rate=_text(quote.average_rate),
            rate_adjustment=format(quote.rate_adjustment, "f"),
            preferential_discount=format(quote.preferential_discount, "f"),
            premium=_money(quote.premium_minor, quote.currency),
            estimated_premium=None if estimated is None else MoneyAmount.of(estimated),
            indemnity_insolvency=None if terms is None else format(terms.indemnity.insolvency.value, "f"),
            maximum_liability=(
                None
                if terms is None or estimated is None
                else MoneyAmount.of(terms.maximum_liability.for_premium(estimated))
            ),
            dcl=None if terms is None else MoneyAmount.of(terms.dcl),
            minimum_premium=None if terms is None else MoneyAmount.of(terms.minimum_premium),
            terms=quote.terms_json,
            breakdown=quote.breakdown,
            refusal_reason=quote.refusal_reason,
            underwriter_note=quote.underwriter_note,
            valid_until=quote.valid_until,
            sent_at=quote.sent_at,
            decided_at=quote.decided_at,
        )


class QuoteAdjustment(BaseModel):
    """An underwriter's change to a draft quote."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"rate_adjustment": "-0.10", "note": "long payment record"}]},
    )

    rate_adjustment: DecimalText | None = Field(
        default=None, description="Fraction added to the rates: `-0.10` is 10% off, `0.25` a 25% loading."
    )
    terms: Terms | None = Field(default=None, description=TERMS_DESCRIPTION)
    note: Note | None = None


class QuoteRefusal(BaseModel):
    """Why the insurer declines to quote."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "sector outside appetite"}]}
    )

    reason: Reason


# policies ----------------------------------------------------------------------------------------
class PolicyVersionOut(BaseModel):
    """The terms of a policy from an effective date."""

    version: int
    effective_from: dt.date
    reason: str
    terms: Terms
    created_at: dt.datetime

    @classmethod
    def of(cls, version: PolicyVersion) -> PolicyVersionOut:
        """The wire form of a version."""
        return cls(
            version=version.version,
            effective_from=version.effective_from,
            reason=version.reason,
            terms=version.terms_json,
            created_at=version.created_at,
        )


class PolicyOut(BaseModel):
    """A policy as its insured or its insurer sees it, with its current terms."""

    id: uuid.UUID
    number: str
    status: PolicyStatus
    product_kind: ProductKind
    policyholder_id: uuid.UUID
    policyholder_name: str | None
    insurer_id: uuid.UUID
    insurer_name: str | None
    currency: str
    period_start: dt.date
    period_end: dt.date
    issued_at: dt.datetime
    quote_id: uuid.UUID | None
    named_buyer_id: uuid.UUID | None
    rate_adjustment: str
    preferential_discount: str
    cancelled_on: dt.date | None
    cancellation_reason: str | None
    expired_on: dt.date | None
    version: int
    terms: Terms

    @classmethod
    def of(cls, policy: Policy, names: dict[uuid.UUID, str]) -> PolicyOut:
        """The wire form of a policy."""
        current = policy.current_version
        return cls(
            id=policy.id,
            number=policy.number,
            status=policy.status,
            product_kind=policy.product_kind,
            policyholder_id=policy.policyholder_id,
            policyholder_name=names.get(policy.policyholder_id),
            insurer_id=policy.insurer_id,
            insurer_name=names.get(policy.insurer_id),
            currency=policy.currency,
            period_start=policy.period_start,
            period_end=policy.period_end,
            issued_at=policy.issued_at,
            quote_id=policy.quote_id,
            named_buyer_id=policy.named_buyer_id,
            rate_adjustment=format(policy.rate_adjustment, "f"),
            preferential_discount=format(policy.preferential_discount, "f"),
            cancelled_on=policy.cancelled_on,
            cancellation_reason=policy.cancellation_reason,
            expired_on=policy.expired_on,
            version=current.version,
            terms=current.terms_json,
        )


class EndorsementCreate(BaseModel):
    """New terms from an effective date (the policy's insurer)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"terms": EXAMPLE_TERMS, "effective_from": "2027-04-01", "reason": "higher DCL"}]
        },
    )

    terms: Terms = Field(description=TERMS_DESCRIPTION)
    effective_from: dt.date
    reason: Reason


class CancellationCreate(BaseModel):
    """Cancel a policy: no cover from `effective_on`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"effective_on": "2027-06-30", "reason": "business sold"}]},
    )

    effective_on: dt.date
    reason: Reason
