"""Bodies for claims: filing, a claim with its invoices and stored breakdown, documents, decisions."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.claims.model import (
    Claim,
    ClaimDocument,
    ClaimInvoice,
    ClaimMemberShare,
    ClaimOutcome,
    ClaimStatus,
)
from tradecover.claims.queries import MAX_PAGE
from tradecover.money import Money
from tradecover.policies.terms import CauseOfLoss

Text = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
InvoiceNumber = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]


class CreditIn(BaseModel):
    """A payment or credit note received from the buyer, declared with the claim."""

    model_config = ConfigDict(extra="forbid")

    received_on: dt.date
    amount: MoneyAmount
    invoice_number: InvoiceNumber | None = Field(
        default=None, description="Set for a credit note tied to one claimed invoice."
    )


class ClaimCreate(BaseModel):
    """File a claim on reported overdue invoices of one buyer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": "6f1c2a3e-8d4b-4c1e-9a7f-2b5d8e0c1a93",
                    "cause": "protracted_default",
                    "shipment_ids": ["0a4e9b1c-7d2f-4e8a-b3c6-5f1d2e3a4b5c"],
                    "description": "The buyer has not paid since April.",
                }
            ]
        },
    )

    policy_id: uuid.UUID
    cause: CauseOfLoss
    shipment_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    insolvency_date: dt.date | None = None
    event_date: dt.date | None = None
    credits: list[CreditIn] = Field(default_factory=list, max_length=500)
    description: Text | None = None


class ClaimQuery(BaseModel):
    """Which claims to list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "filed"}]})

    status: ClaimStatus | None = None
    policy_id: uuid.UUID | None = None
    buyer_id: uuid.UUID | None = None
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class AssessmentIn(BaseModel):
    """`{"preview": true}` computes without deciding; otherwise the decision (amount for a partial one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"preview": True},
                {"outcome": "approved"},
                {
                    "outcome": "partly_approved",
                    "reason": "Goods partly returned",
                    "amount": {"amount": "1000.00", "currency": "USD"},
                },
                {"outcome": "rejected", "reason": "The overdue was reported late"},
            ]
        },
    )

    preview: bool = False
    outcome: ClaimOutcome | None = None
    reason: Text | None = None
    amount: MoneyAmount | None = None


class ApprovalIn(BaseModel):
    """The second claims handler's answer: approve (the default), or send the decision back with a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"approve": True}, {"approve": False, "reason": "Check the credit note"}]
        },
    )

    approve: bool = True
    reason: Text | None = None


class ClaimInvoiceOut(BaseModel):
    """A claimed invoice with its facts at filing and, once assessed, its unpaid insured amount."""

    shipment_id: uuid.UUID
    invoice_number: str
    shipment_date: dt.date
    due_date: dt.date
    amount: MoneyAmount
    insured: MoneyAmount
    unpaid_insured: MoneyAmount | None

    @classmethod
    def of(cls, invoice: ClaimInvoice) -> ClaimInvoiceOut:
        """The wire form of a claimed invoice."""
        unpaid = invoice.unpaid_insured_minor
        return cls(
            shipment_id=invoice.shipment_id,
            invoice_number=invoice.invoice_number,
            shipment_date=invoice.shipment_date,
            due_date=invoice.due_date,
            amount=MoneyAmount.of(invoice.amount),
            insured=MoneyAmount.of(invoice.insured),
            unpaid_insured=None
            if unpaid is None
            else MoneyAmount.of(Money.from_minor(unpaid, invoice.currency)),
        )


class MemberShareOut(BaseModel):
    """A member's part of the decided indemnity: to the bank, to the insured, paid or outstanding."""

    member_id: uuid.UUID
    position: int
    share: Decimal
    amount: MoneyAmount
    to_bank: MoneyAmount
    to_insured: MoneyAmount
    paid_on: dt.date | None

    @classmethod
    def of(cls, part: ClaimMemberShare) -> MemberShareOut:
        """The wire form of a member's share."""
        return cls(
            member_id=part.member_id,
            position=part.position,
            share=part.share,
            amount=MoneyAmount.of(part.amount),
            to_bank=MoneyAmount.of(part.money(part.to_bank_minor)),
            to_insured=MoneyAmount.of(part.money(part.to_insured_minor)),
            paid_on=part.paid_on,
        )


class DocumentOut(BaseModel):
    """A document on a claim (its content at its own address)."""

    id: uuid.UUID
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    description: str | None
    uploaded_at: dt.datetime

    @classmethod
    def of(cls, document: ClaimDocument) -> DocumentOut:
        """The wire form of a document's metadata."""
        return cls(
            id=document.id,
            file_name=document.file_name,
            content_type=document.content_type,
            size_bytes=document.size_bytes,
            sha256=document.sha256,
            description=document.description,
            uploaded_at=document.uploaded_at,
        )


def _money(claim: Claim, minor: int | None) -> MoneyAmount | None:
    money = claim.money(minor)
    return None if money is None else MoneyAmount.of(money)


class ClaimOut(BaseModel):
    """A claim: its facts, workflow dates, decision and the stored indemnity breakdown."""

    id: uuid.UUID
    number: str
    policy_id: uuid.UUID
    policyholder_id: uuid.UUID
    insurer_id: uuid.UUID
    buyer_id: uuid.UUID
    cause: CauseOfLoss
    date_of_loss: dt.date
    insolvency_date: dt.date | None
    event_date: dt.date | None
    currency: str
    policy_year_start: dt.date
    filed_on: dt.date
    filed_by_organisation_id: uuid.UUID
    description: str | None
    status: ClaimStatus
    outcome: ClaimOutcome | None
    decision_reason: str | None
    documents_complete_on: dt.date | None
    decision_deadline: dt.date | None
    decided_on: dt.date | None
    payment_deadline: dt.date | None
    paid_on: dt.date | None
    closed_on: dt.date | None
    insured_loss: MoneyAmount | None
    afl_used: MoneyAmount | None
    computed_indemnity: MoneyAmount | None
    indemnity: MoneyAmount | None
    credits: list[dict[str, Any]]
    invoices: list[ClaimInvoiceOut]
    members: list[MemberShareOut]
    breakdown: dict[str, Any] | None = Field(description="The stored step-by-step computation, once decided.")

    @classmethod
    def of(cls, claim: Claim) -> ClaimOut:
        """The wire form of a claim."""
        return cls(
            id=claim.id,
            number=claim.number,
            policy_id=claim.policy_id,
            policyholder_id=claim.policyholder_id,
            insurer_id=claim.insurer_id,
            buyer_id=claim.buyer_id,
            cause=claim.cause,
            date_of_loss=claim.date_of_loss,
            insolvency_date=claim.insolvency_date,
            event_date=claim.event_date,
            currency=claim.currency,
            policy_year_start=claim.policy_year_start,
            filed_on=claim.filed_on,
            filed_by_organisation_id=claim.filed_by_organisation_id,
            description=claim.description,
            status=claim.status,
            outcome=claim.outcome,
            decision_reason=claim.decision_reason,
            documents_complete_on=claim.documents_complete_on,
            decision_deadline=claim.decision_deadline,
            decided_on=claim.decided_on,
            payment_deadline=claim.payment_deadline,
            paid_on=claim.paid_on,
            closed_on=claim.closed_on,
            insured_loss=_money(claim, claim.insured_loss_minor),
            afl_used=_money(claim, claim.afl_used_minor),
            computed_indemnity=_money(claim, claim.computed_indemnity_minor),
            indemnity=_money(claim, claim.indemnity_minor),
            credits=list(claim.credits),
            invoices=[ClaimInvoiceOut.of(invoice) for invoice in claim.invoices],
            members=[MemberShareOut.of(part) for part in claim.members],
            breakdown=claim.breakdown_json,
        )


class QueueItemOut(BaseModel):
    """A claim in the handler's queue with its next service-level deadline."""

    claim: ClaimOut
    service_deadline: dt.date | None
    days_left: int | None
