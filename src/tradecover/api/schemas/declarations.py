"""Bodies for declarations: shipments with their verdict per rule, payments, exposure, imported files."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.declarations.model import ImportBatch, ImportStatus, Payment, PaymentApplication, Shipment
from tradecover.declarations.rules import MAX_INVOICE_NUMBER_LENGTH, CoverSource, Outcome, Rule
from tradecover.declarations.service import MAX_PAGE_SIZE, BuyerExposure
from tradecover.money import Money

InvoiceNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_INVOICE_NUMBER_LENGTH, pattern=NO_NUL)
]
Reference = Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)]


class ShipmentCreate(BaseModel):
    """A shipment declared by the insured: buyer, invoice, amount in the policy currency, dates."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                    "buyer_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80",
                    "invoice_number": "INV-2026-0042",
                    "amount": {"amount": "40000.00", "currency": "USD"},
                    "shipment_date": "2026-06-15",
                    "due_date": "2026-09-13",
                }
            ]
        },
    )

    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    invoice_number: InvoiceNumber
    amount: MoneyAmount
    shipment_date: dt.date
    due_date: dt.date


class PaymentCreate(BaseModel):
    """A payment received from a buyer; it settles the buyer's open invoices oldest first."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_id": "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11",
                    "buyer_id": "8d0e5b7c-2f43-4a9b-b6e1-5c7a9d3f2e80",
                    "amount": {"amount": "25000.00", "currency": "USD"},
                    "received_on": "2026-06-15",
                    "reference": "SWIFT 0615-77",
                }
            ]
        },
    )

    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    amount: MoneyAmount
    received_on: dt.date
    reference: Reference | None = None


class ShipmentQuery(BaseModel):
    """Which shipments of a policy to list, a page at a time."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"page": 1, "page_size": 50}]})

    buyer_id: uuid.UUID | None = None
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class VerdictOut(BaseModel):
    """One rule's verdict in words."""

    rule: Rule
    outcome: Outcome
    text: str


class ShipmentOut(BaseModel):
    """A declared shipment: what is insured, its premium, what is paid, and the verdict per rule."""

    id: uuid.UUID
    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    invoice_number: str
    amount: MoneyAmount
    insured: MoneyAmount
    premium: MoneyAmount | None = Field(
        description="On the insured part; null when the rate table cannot rate it."
    )
    paid: MoneyAmount
    shipment_date: dt.date
    due_date: dt.date
    declared_on: dt.date
    deadline: dt.date
    cover_source: CoverSource
    settled_on: dt.date | None
    import_batch_id: uuid.UUID | None
    summary: str
    verdicts: list[VerdictOut]

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentOut:
        """The wire form of a shipment."""
        verdict = shipment.verdict
        return cls(
            id=shipment.id,
            policy_id=shipment.policy_id,
            buyer_id=shipment.buyer_id,
            invoice_number=shipment.invoice_number,
            amount=MoneyAmount.of(shipment.amount),
            insured=MoneyAmount.of(shipment.insured),
            premium=None if shipment.premium is None else MoneyAmount.of(shipment.premium),
            paid=MoneyAmount.of(shipment.paid),
            shipment_date=shipment.shipment_date,
            due_date=shipment.due_date,
            declared_on=shipment.declared_on,
            deadline=shipment.deadline,
            cover_source=shipment.cover_source,
            settled_on=shipment.settled_on,
            import_batch_id=shipment.import_batch_id,
            summary=verdict.summary,
            verdicts=[VerdictOut(rule=v.rule, outcome=v.outcome, text=v.text) for v in verdict.verdicts],
        )


class ShipmentPageOut(BaseModel):
    """One page of a policy's shipments, newest first."""

    items: list[ShipmentOut]
    total: int
    page: int
    page_size: int


class ApplicationOut(BaseModel):
    """Part of a payment applied to one invoice, and the insured outstanding it freed."""

    shipment_id: uuid.UUID
    invoice_number: str
    paid: MoneyAmount
    insured_released: MoneyAmount


class PaymentOut(BaseModel):
    """A declared payment and how it was applied, oldest invoice first."""

    id: uuid.UUID
    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    amount: MoneyAmount
    received_on: dt.date
    reference: str | None
    unapplied: MoneyAmount = Field(description="What found no open invoice.")
    applications: list[ApplicationOut]

    @classmethod
    def of(cls, payment: Payment, applications: list[tuple[PaymentApplication, str]]) -> PaymentOut:
        """The wire form of a payment with its applications."""
        currency = payment.currency
        return cls(
            id=payment.id,
            policy_id=payment.policy_id,
            buyer_id=payment.buyer_id,
            amount=MoneyAmount.of(payment.amount),
            received_on=payment.received_on,
            reference=payment.reference,
            unapplied=MoneyAmount.of(payment.unapplied),
            applications=[
                ApplicationOut(
                    shipment_id=a.shipment_id,
                    invoice_number=number,
                    paid=MoneyAmount.of(Money.from_minor(a.paid_minor, currency)),
                    insured_released=MoneyAmount.of(Money.from_minor(a.insured_released_minor, currency)),
                )
                for a, number in applications
            ],
        )


class BuyerExposureOut(BaseModel):
    """A buyer under a policy on a date: limit in force, exposure (insured outstanding), available."""

    buyer_id: uuid.UUID
    buyer_name: str
    buyer_country: str
    limit: MoneyAmount
    exposure: MoneyAmount
    available: MoneyAmount
    overdue: MoneyAmount

    @classmethod
    def of(cls, row: BuyerExposure) -> BuyerExposureOut:
        """The wire form of one row."""
        return cls(
            buyer_id=row.buyer_id,
            buyer_name=row.buyer_name,
            buyer_country=row.buyer_country,
            limit=MoneyAmount.of(row.limit),
            exposure=MoneyAmount.of(row.exposure),
            available=MoneyAmount.of(row.available),
            overdue=MoneyAmount.of(row.overdue),
        )


class ImportBatchOut(BaseModel):
    """An imported declarations file: imported whole, or rejected whole with its report."""

    id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    file_name: str
    content_sha256: str
    status: ImportStatus
    rows: int
    accepted: int
    rejected: int
    shipments: int
    payments: int
    imported_at: dt.datetime
    rejection_report: str = Field(description="Path of the rejection report (CSV: row,reason).")

    @classmethod
    def of(cls, batch: ImportBatch) -> ImportBatchOut:
        """The wire form of a batch."""
        return cls(
            id=batch.id,
            reference=batch.reference,
            policy_id=batch.policy_id,
            file_name=batch.file_name,
            content_sha256=batch.content_sha256,
            status=batch.status,
            rows=batch.rows,
            accepted=batch.accepted,
            rejected=batch.rejected,
            shipments=batch.shipments,
            payments=batch.payments,
            imported_at=batch.imported_at,
            rejection_report=f"/declaration-imports/{batch.id}/rejections",
        )
