"""Bodies for overdues: report one or many, extension, the insurer's decision, an overdue and its dates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.claims.overdues import MAX_FILE_ROWS, MAX_NOTE_LENGTH, MAX_OVERDUES_LISTED
from tradecover.claims.rules.deadlines import InvoiceDeadlines
from tradecover.declarations.rules import MAX_INVOICE_NUMBER_LENGTH
from tradecover.policies.terms import CauseOfLoss

InvoiceNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_INVOICE_NUMBER_LENGTH, pattern=NO_NUL)
]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH, pattern=NO_NUL)]
_POLICY = "3f1c2a9e-7b64-4c1e-9a57-0d2b8e6f4a11"


class OverdueCreate(BaseModel):
    """Report one invoice overdue (today, by the platform clock)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"policy_id": _POLICY, "invoice_number": "INV-2026-0042"}]},
    )

    policy_id: uuid.UUID
    invoice_number: InvoiceNumber


class OverdueBulkCreate(BaseModel):
    """Report many invoices overdue at once: all are reported, or none (the first bad row is named)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"policy_id": _POLICY, "invoice_numbers": ["INV-2026-0042", "INV-2026-0043"]}]
        },
    )

    policy_id: uuid.UUID
    invoice_numbers: list[InvoiceNumber] = Field(min_length=1, max_length=MAX_FILE_ROWS)


class ExtensionCreate(BaseModel):
    """Ask to extend the due date of an overdue invoice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"extended_due_date": "2026-10-30", "note": "buyer pays in instalments"}]
        },
    )

    extended_due_date: dt.date
    note: Note | None = None


class ExtensionDecision(BaseModel):
    """The insurer's decision on a referred extension."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"approve": True, "note": "agreed with the buyer"}]}
    )

    approve: bool
    note: Note | None = None


class OverdueQuery(BaseModel):
    """Which overdues to list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "reported"}]})

    policy_id: uuid.UUID | None = None
    status: OverdueStatus | None = None
    limit: int = Field(100, ge=1, le=MAX_OVERDUES_LISTED)
    offset: int = Field(0, ge=0)


class DeadlinesOut(BaseModel):
    """Every date of the invoice (date of loss for protracted default)."""

    declaration_deadline: dt.date
    latest_extension_without_consent: dt.date
    overdue_from: dt.date
    overdue_reporting_deadline: dt.date
    stoppage_date: dt.date
    date_of_loss: dt.date | None
    claim_filing_opens: dt.date | None
    claim_filing_closes: dt.date | None

    @classmethod
    def of(cls, dates: InvoiceDeadlines) -> DeadlinesOut:
        """The wire form of an invoice's dates."""
        return cls(
            declaration_deadline=dates.declaration_deadline,
            latest_extension_without_consent=dates.latest_extension_without_consent,
            overdue_from=dates.overdue_from,
            overdue_reporting_deadline=dates.overdue_reporting_deadline,
            stoppage_date=dates.stoppage_date,
            date_of_loss=dates.date_of_loss,
            claim_filing_opens=dates.claim_filing_opens,
            claim_filing_closes=dates.claim_filing_closes,
        )


class OverdueOut(BaseModel):
    """A reported overdue: the invoice, what was unpaid, its dates and where it stands."""

    id: uuid.UUID
    reference: str
    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    shipment_id: uuid.UUID
    invoice_number: str
    unpaid: MoneyAmount
    due_date: dt.date
    extended_due_date: dt.date | None
    requested_due_date: dt.date | None = Field(description="An extension awaiting the insurer's decision.")
    reported_on: dt.date
    reporting_deadline: dt.date
    reported_in_time: bool = Field(description="False: reported late, so the invoice is out of cover.")
    status: OverdueStatus
    extension_note: str | None
    withdrawn_on: dt.date | None
    claimed_on: dt.date | None
    deadlines: DeadlinesOut | None = Field(description="Null where the holiday calendar has no data yet.")

    @classmethod
    def of(cls, overdue: Overdue, dates: InvoiceDeadlines | None) -> OverdueOut:
        """The wire form of an overdue."""
        return cls(
            id=overdue.id,
            reference=overdue.reference,
            policy_id=overdue.policy_id,
            buyer_id=overdue.buyer_id,
            shipment_id=overdue.shipment_id,
            invoice_number=overdue.invoice_number,
            unpaid=MoneyAmount.of(overdue.unpaid),
            due_date=overdue.due_date,
            extended_due_date=overdue.extended_due_date,
            requested_due_date=overdue.requested_due_date,
            reported_on=overdue.reported_on,
            reporting_deadline=overdue.reporting_deadline,
            reported_in_time=overdue.reported_in_time,
            status=overdue.status,
            extension_note=overdue.extension_note,
            withdrawn_on=overdue.withdrawn_on,
            claimed_on=overdue.claimed_on,
            deadlines=None if dates is None else DeadlinesOut.of(dates),
        )


class DeadlinesQuery(BaseModel):
    """The cause of loss to date the loss by, and its insolvency or event date where it needs one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"cause": "insolvency", "insolvency_date": "2026-07-20"}]},
    )

    cause: CauseOfLoss = CauseOfLoss.PROTRACTED_DEFAULT
    insolvency_date: dt.date | None = None
    event_date: dt.date | None = None


class InvoiceDeadlinesOut(DeadlinesOut):
    """Every date of a declared invoice under its policy (null where it does not apply yet)."""

    shipment_date: dt.date
    due_date: dt.date
    extended_due_date: dt.date | None
    cause: CauseOfLoss
    decision_deadline: dt.date | None = Field(description="Set on the claim once documents are complete.")
    payment_deadline: dt.date | None = Field(description="Set on the claim once decided.")

    @classmethod
    def of_invoice(cls, dates: InvoiceDeadlines) -> InvoiceDeadlinesOut:
        """The wire form of every date of an invoice."""
        return cls(
            **DeadlinesOut.of(dates).model_dump(),
            shipment_date=dates.shipment_date,
            due_date=dates.due_date,
            extended_due_date=dates.extended_due_date,
            cause=dates.cause,
            decision_deadline=dates.decision_deadline,
            payment_deadline=dates.payment_deadline,
        )
