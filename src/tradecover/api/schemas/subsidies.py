"""Bodies for subsidy programmes: programmes, budgets, eligibility, enrolments, commitments and payments."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.subsidies.eligibility import ProgrammeEligibility
from tradecover.subsidies.model import (
    CommitmentStatus,
    Enrolment,
    PaymentKind,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyProgramme,
)
from tradecover.subsidies.programmes import ProgrammeDraft
from tradecover.subsidies.rules import Fact, Mode, Op, ProgrammeKind

Text = Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Reason = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
DecimalText = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,10})?$")]
ProductKindText = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]


class RuleIn(BaseModel):
    """One eligibility rule over a policyholder fact."""

    model_config = ConfigDict(extra="forbid")

    fact: Fact
    op: Op
    value: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)] = Field(
        description="A number (exports, USD), true/false (SME), text, or values separated by | for in."
    )


class TierIn(BaseModel):
    """A subsidy rate (ratio 0–1) for firms whose prior-year exports are below a bound (none: the rest)."""

    model_config = ConfigDict(extra="forbid")

    rate: DecimalText = Field(description='A ratio: "0.8" is 80%.')
    exports_below_usd: DecimalText | None = None


PROGRAMME_EXAMPLE: dict[str, Any] = {
    "name": "Yiwu export credit insurance subsidy",
    "description": "Up to 80% of short-term export credit insurance premium for registered Yiwu exporters.",
    "region": "Yiwu",
    "kind": "premium",
    "currency": "CNY",
    "product_kinds": ["export_whole_turnover"],
    "rules": [
        {"fact": "region", "op": "==", "value": "Yiwu"},
        {"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"},
    ],
    "tiers": [{"rate": "1.0", "exports_below_usd": "5000000"}, {"rate": "0.8", "exports_below_usd": None}],
    "cap": {"amount": "200000.00", "currency": "CNY"},
    "mode": "direct",
    "enrolment_required": False,
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}


class ProgrammeIn(BaseModel):
    """A programme as an officer defines it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROGRAMME_EXAMPLE]})

    name: Name
    description: Text = ""
    region: Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)] | None = None
    kind: ProgrammeKind = ProgrammeKind.PREMIUM
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    product_kinds: Annotated[list[ProductKindText], Field(max_length=10)] = []
    rules: Annotated[list[RuleIn], Field(max_length=20)] = []
    tiers: Annotated[list[TierIn], Field(min_length=1, max_length=10)]
    cap: MoneyAmount | None = None
    mode: Mode
    enrolment_required: bool = False
    starts_on: dt.date
    ends_on: dt.date
    platform_product_id: uuid.UUID | None = None
    is_active: bool = True
    sponsor_id: uuid.UUID | None = Field(
        default=None, description="The programme body (platform admin only)."
    )

    def to_draft(self) -> ProgrammeDraft:
        """The service's draft."""
        return ProgrammeDraft(
            name=self.name,
            description=self.description,
            region=self.region,
            kind=self.kind.value,
            currency=self.currency,
            product_kinds=list(self.product_kinds),
            rules=[rule.model_dump(mode="json") for rule in self.rules],
            tiers=[tier.model_dump() for tier in self.tiers],
            cap=None if self.cap is None else self.cap.to_money(),
            mode=self.mode.value,
            enrolment_required=self.enrolment_required,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            platform_product_id=self.platform_product_id,
            is_active=self.is_active,
        )


class BudgetIn(BaseModel):
    """A programme's budget for a calendar year, in the programme currency."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"year": 2025, "amount": {"amount": "5000000.00", "currency": "CNY"}}]
        },
    )

    year: Annotated[int, Field(ge=2000, le=2100)]
    amount: MoneyAmount


class BudgetOut(BaseModel):
    """A year's budget and its use."""

    year: int
    amount: MoneyAmount
    committed: MoneyAmount
    paid: MoneyAmount
    remaining: MoneyAmount

    @classmethod
    def of(cls, budget: ProgrammeBudget) -> BudgetOut:
        """The wire form."""
        return cls(
            year=budget.year,
            amount=MoneyAmount.of(budget.amount),
            committed=MoneyAmount.of(budget.committed),
            paid=MoneyAmount.of(budget.paid),
            remaining=MoneyAmount.of(budget.remaining),
        )


class ProgrammeOut(BaseModel):
    """A programme as its officers see it."""

    id: uuid.UUID
    sponsor_id: uuid.UUID
    name: str
    description: str
    region: str | None
    kind: ProgrammeKind
    currency: str
    product_kinds: list[str]
    rules: list[dict[str, str]]
    tiers: list[dict[str, str | None]]
    cap: MoneyAmount | None
    mode: Mode
    enrolment_required: bool
    starts_on: dt.date
    ends_on: dt.date
    platform_product_id: uuid.UUID | None
    is_active: bool

    @classmethod
    def of(cls, programme: SubsidyProgramme) -> ProgrammeOut:
        """The wire form."""
        return cls(
            id=programme.id,
            sponsor_id=programme.sponsor_id,
            name=programme.name,
            description=programme.description,
            region=programme.region,
            kind=programme.kind,
            currency=programme.currency,
            product_kinds=list(programme.product_kinds),
            rules=[rule.to_json() for rule in programme.rules],
            tiers=[tier.to_json() for tier in programme.tiers],
            cap=None if programme.cap is None else MoneyAmount.of(programme.cap),
            mode=programme.mode,
            enrolment_required=programme.enrolment_required,
            starts_on=programme.starts_on,
            ends_on=programme.ends_on,
            platform_product_id=programme.platform_product_id,
            is_active=programme.is_active,
        )


class EligibilityOut(BaseModel):
    """One active programme as a firm sees it: eligible at a rate with its cap left, or why not."""

    programme_id: uuid.UUID
    name: str
    sponsor: str
    kind: ProgrammeKind
    mode: Mode
    products: str
    rates: str
    eligible: bool
    reasons: list[str] = Field(description="Why not, one reason per failed rule.")
    rate: Decimal | None
    cap: MoneyAmount | None
    cap_left: MoneyAmount | None
    enrolment_required: bool
    enrolled: bool

    @classmethod
    def of(cls, answer: ProgrammeEligibility) -> EligibilityOut:
        """The wire form."""
        return cls(
            programme_id=answer.programme_id,
            name=answer.name,
            sponsor=answer.sponsor_name,
            kind=answer.kind,
            mode=answer.mode,
            products=answer.products,
            rates=answer.rates,
            eligible=answer.eligible,
            reasons=list(answer.reasons),
            rate=answer.rate,
            cap=None if answer.cap is None else MoneyAmount.of(answer.cap),
            cap_left=None if answer.cap_left is None else MoneyAmount.of(answer.cap_left),
            enrolment_required=answer.enrolment_required,
            enrolled=answer.enrolled,
        )


class EnrolmentIn(BaseModel):
    """Enrol in a programme: a firm enrols itself; the programme's officer names the firm."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"programme_id": "6a0c3e52-1d7f-4b8a-9e21-3c5d7f9b1a24"}]},
    )

    programme_id: uuid.UUID
    policyholder_id: uuid.UUID | None = None


class EnrolmentOut(BaseModel):
    """An enrolment, and the platform policy issued on it."""

    id: uuid.UUID
    programme_id: uuid.UUID
    policyholder_id: uuid.UUID
    policy_id: uuid.UUID | None
    enrolled_on: dt.date

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentOut:
        """The wire form."""
        return cls(
            id=enrolment.id,
            programme_id=enrolment.programme_id,
            policyholder_id=enrolment.policyholder_id,
            policy_id=enrolment.policy_id,
            enrolled_on=enrolment.enrolled_on,
        )


class CommitmentOut(BaseModel):
    """A programme's share of one invoice."""

    id: uuid.UUID
    reference: str
    programme_id: uuid.UUID
    policyholder_id: uuid.UUID
    insurer_id: uuid.UUID
    policy_id: uuid.UUID
    invoice_id: uuid.UUID
    committed_on: dt.date
    premium: MoneyAmount
    rate: Decimal
    requested: MoneyAmount
    amount: MoneyAmount
    amount_in_programme_currency: MoneyAmount
    fx_rate: Decimal
    mode: Mode
    status: CommitmentStatus
    explanation: str
    decision_reason: str | None
    paid_on: dt.date | None

    @classmethod
    def of(cls, commitment: SubsidyCommitment) -> CommitmentOut:
        """The wire form."""
        return cls(
            id=commitment.id,
            reference=commitment.reference,
            programme_id=commitment.programme_id,
            policyholder_id=commitment.policyholder_id,
            insurer_id=commitment.insurer_id,
            policy_id=commitment.policy_id,
            invoice_id=commitment.invoice_id,
            committed_on=commitment.committed_on,
            premium=MoneyAmount.of(commitment.premium),
            rate=commitment.rate,
            requested=MoneyAmount.of(commitment.requested),
            amount=MoneyAmount.of(commitment.amount),
            amount_in_programme_currency=MoneyAmount.of(commitment.amount_in_programme),
            fx_rate=commitment.fx_rate,
            mode=commitment.mode,
            status=commitment.status,
            explanation=commitment.explanation,
            decision_reason=commitment.decision_reason,
            paid_on=commitment.paid_on,
        )


class DecisionIn(BaseModel):
    """The officer's decision on a reimbursement application; a rejection says why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"approve": False, "reason": "invoice not paid in full"}]},
    )

    approve: bool
    reason: Reason | None = None


class DirectPaymentIn(BaseModel):
    """Pay the insurers every direct share committed up to a date."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"up_to": "2025-06-30"}]})

    up_to: dt.date
    paid_on: dt.date | None = Field(default=None, description="Default: today.")


class PaymentOut(BaseModel):
    """Money a programme paid."""

    id: uuid.UUID
    programme_id: uuid.UUID
    payee_id: uuid.UUID
    kind: PaymentKind
    amount: MoneyAmount
    paid_on: dt.date

    @classmethod
    def of(cls, payment: SubsidyPayment) -> PaymentOut:
        """The wire form."""
        return cls(
            id=payment.id,
            programme_id=payment.programme_id,
            payee_id=payment.payee_id,
            kind=payment.kind,
            amount=MoneyAmount.of(payment.amount),
            paid_on=payment.paid_on,
        )
