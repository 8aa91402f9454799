"""Bodies for premium invoices: lists and filters, one invoice, payments, credit notes, invoicing runs."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradecover.api.schemas.common import NO_NUL, MoneyAmount
from tradecover.money import Money
from tradecover.premiums.model import (
    CreditNote,
    InvoiceKind,
    InvoiceLine,
    InvoiceMemberSplit,
    InvoiceStatus,
    PaymentSource,
    PremiumInvoice,
    PremiumPayment,
)
from tradecover.premiums.rules import DunningLevel
from tradecover.premiums.service import MAX_LISTED

Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]


class InvoiceQuery(BaseModel):
    """Which invoices to list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "issued"}]})

    policy_id: uuid.UUID | None = None
    status: InvoiceStatus | None = None
    dunning_level: DunningLevel | None = None
    month: Month | None = None
    limit: int = Field(default=100, ge=1, le=MAX_LISTED)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class InvoiceLineOut(BaseModel):
    """One shipment's premium: its rate cell (buyer-grade band, country grade, credit-day band) and rate."""

    shipment_id: uuid.UUID
    buyer_id: uuid.UUID
    invoice_number: str
    shipment_date: dt.date
    buyer_grade: int
    buyer_grade_band: int
    country_grade: int
    credit_days: int
    credit_day_band: int
    rate: Decimal
    rate_adjustment: Decimal
    discount: Decimal
    insured: MoneyAmount
    premium: MoneyAmount

    @classmethod
    def of(cls, line: InvoiceLine) -> InvoiceLineOut:
        """The wire form of a line."""
        return cls(
            shipment_id=line.shipment_id,
            buyer_id=line.buyer_id,
            invoice_number=line.invoice_number,
            shipment_date=line.shipment_date,
            buyer_grade=line.buyer_grade,
            buyer_grade_band=line.buyer_grade_band,
            country_grade=line.country_grade,
            credit_days=line.credit_days,
            credit_day_band=line.credit_day_band,
            rate=line.rate,
            rate_adjustment=line.rate_adjustment,
            discount=line.discount,
            insured=MoneyAmount.of(line.insured),
            premium=MoneyAmount.of(line.premium),
        )


class SubsidyShareOut(BaseModel):
    """A programme's share of the invoice and why it is what it is."""

    programme_id: uuid.UUID
    programme_name: str
    mode: str
    rate: Decimal
    requested: MoneyAmount
    amount: MoneyAmount
    explanation: str

    @classmethod
    def of(cls, share: dict[str, Any], currency: str) -> SubsidyShareOut:
        """The wire form of a stored share."""
        return cls(
            programme_id=uuid.UUID(share["programme_id"]),
            programme_name=share["programme_name"],
            mode=share["mode"],
            rate=Decimal(share["rate"]),
            requested=MoneyAmount.of(Money.of(share["requested"], currency)),
            amount=MoneyAmount.of(Money.of(share["amount"], currency)),
            explanation=share["explanation"],
        )


class MemberSplitOut(BaseModel):
    """A pool member's part: premium, firm and programme parts, leadership commission, paid."""

    member_id: uuid.UUID
    position: int
    share: Decimal
    premium: MoneyAmount
    firm_share: MoneyAmount
    subsidy: MoneyAmount
    commission: MoneyAmount
    paid: MoneyAmount

    @classmethod
    def of(cls, split: InvoiceMemberSplit) -> MemberSplitOut:
        """The wire form of a member's split."""
        return cls(
            member_id=split.member_id,
            position=split.position,
            share=split.share,
            premium=MoneyAmount.of(split.money(split.premium_minor)),
            firm_share=MoneyAmount.of(split.money(split.firm_minor)),
            subsidy=MoneyAmount.of(split.money(split.subsidy_minor)),
            commission=MoneyAmount.of(split.money(split.commission_minor)),
            paid=MoneyAmount.of(split.money(split.paid_minor)),
        )


class InvoiceOut(BaseModel):
    """A premium invoice: premium, programme and firm shares, paid, status and dunning; lines and splits."""

    id: uuid.UUID
    number: str
    policy_id: uuid.UUID
    kind: InvoiceKind
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    due_date: dt.date
    premium: MoneyAmount
    subsidy: MoneyAmount
    firm_share: MoneyAmount
    paid: MoneyAmount
    open: MoneyAmount
    status: InvoiceStatus
    dunning_level: DunningLevel
    subsidies: list[SubsidyShareOut]
    members: list[MemberSplitOut] = Field(description="Pool members' parts the caller may see.")
    lines: list[InvoiceLineOut]

    @classmethod
    def of(cls, invoice: PremiumInvoice, *, with_lines: bool = True) -> InvoiceOut:
        """The wire form of an invoice (lines left out of lists)."""
        return cls(
            id=invoice.id,
            number=invoice.number,
            policy_id=invoice.policy_id,
            kind=invoice.kind,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            issued_on=invoice.issued_on,
            due_date=invoice.due_date,
            premium=MoneyAmount.of(invoice.premium),
            subsidy=MoneyAmount.of(invoice.subsidy),
            firm_share=MoneyAmount.of(invoice.firm_share),
            paid=MoneyAmount.of(invoice.paid),
            open=MoneyAmount.of(invoice.open),
            status=invoice.status,
            dunning_level=invoice.dunning_level,
            subsidies=[SubsidyShareOut.of(s, invoice.currency) for s in invoice.subsidies],
            members=[MemberSplitOut.of(m) for m in invoice.members],
            lines=[InvoiceLineOut.of(line) for line in invoice.lines] if with_lines else [],
        )


class PaymentCreate(BaseModel):
    """Money received from the firm for an invoice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"amount": {"amount": "1250.40", "currency": "USD"}, "received_on": "2025-04-28"}]
        },
    )

    amount: MoneyAmount
    received_on: dt.date | None = Field(default=None, description="Default today.")


class PaymentOut(BaseModel):
    """A payment: what settled the firm's share and what was held as the firm's credit."""

    id: uuid.UUID
    invoice_id: uuid.UUID
    source: PaymentSource
    received_on: dt.date
    amount: MoneyAmount
    applied: MoneyAmount
    held_as_credit: MoneyAmount

    @classmethod
    def of(cls, payment: PremiumPayment) -> PaymentOut:
        """The wire form of a payment."""
        return cls(
            id=payment.id,
            invoice_id=payment.invoice_id,
            source=payment.source,
            received_on=payment.received_on,
            amount=MoneyAmount.of(payment.amount),
            applied=MoneyAmount.of(payment.applied),
            held_as_credit=MoneyAmount.of(payment.over),
        )


class CreditNoteCreate(BaseModel):
    """Cancel an invoice in full, with the reason."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "wrong buyer grade"}]}
    )

    reason: Reason


class CreditNoteOut(BaseModel):
    """A credit note: the invoice it cancelled, the premium, and what the firm had paid (now its credit)."""

    id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    issued_on: dt.date
    reason: str
    amount: MoneyAmount
    to_credit: MoneyAmount

    @classmethod
    def of(cls, note: CreditNote) -> CreditNoteOut:
        """The wire form of a credit note."""
        return cls(
            id=note.id,
            number=note.number,
            invoice_id=note.invoice_id,
            issued_on=note.issued_on,
            reason=note.reason,
            amount=MoneyAmount.of(note.amount),
            to_credit=MoneyAmount.of(note.to_credit),
        )


class InvoicingRunCreate(BaseModel):
    """Invoice a month for every policy the caller invoices (or one policy)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"month": "2025-03"}]})

    month: Month
    policy_id: uuid.UUID | None = None


class InvoicingRunOut(BaseModel):
    """The invoices a run issued (or found already issued) and the policies it skipped."""

    month: str
    invoices: list[InvoiceOut]
    skipped: list[str]
