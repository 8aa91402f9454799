"""Premium invoices: list, read, pay (Idempotency-Key), credit, and monthly invoicing runs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.invoices import (
    CreditNoteCreate,
    CreditNoteOut,
    InvoiceOut,
    InvoiceQuery,
    InvoicingRunCreate,
    InvoicingRunOut,
    PaymentCreate,
    PaymentOut,
)
from tradecover.clock import get_clock
from tradecover.premiums import credit_notes, invoicing, payments, service

router = APIRouter(
    route_class=KeyFirstRoute, tags=["invoices"], responses=error_responses(400, 401, 403, 404, 409, 422)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="A retry with the same key returns the first payment and books nothing again.",
    ),
]


def _today() -> dt.date:
    return get_clock().today()


@router.get("/invoices", response_model=list[InvoiceOut], summary="List premium invoices")
def list_invoices(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[InvoiceQuery, Query()]
) -> list[InvoiceOut]:
    """The invoices of the caller's policies (insured, insurer, pool member), newest first, without lines."""
    where = service.InvoiceFilter(
        policy_id=query.policy_id, status=query.status, dunning_level=query.dunning_level, month=query.month
    )
    found = service.list_invoices(session, where, limit=query.limit, offset=query.offset)
    return [InvoiceOut.of(invoice, with_lines=False) for invoice in found]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, summary="One premium invoice")
def get_invoice(invoice_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> InvoiceOut:
    """An invoice with its lines (shipment, rate cell, rate, premium), programme shares and member parts."""
    return InvoiceOut.of(payments.get_invoice(session, invoice_id))


@router.post(
    "/invoices/{invoice_id}/payments",
    response_model=PaymentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment",
)
def record_payment(
    invoice_id: uuid.UUID,
    body: PaymentCreate,
    session: UnitOfWork,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> PaymentOut:
    """Money from the firm: settles the open firm share; more than that is held as the firm's credit."""
    payment = payments.record_premium_payment(
        session, actor, invoice_id, body.amount.to_money(), body.received_on or _today(), idempotency_key
    )
    return PaymentOut.of(payment)


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response_model=CreditNoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Credit an invoice",
)
def credit_invoice(
    invoice_id: uuid.UUID, body: CreditNoteCreate, session: UnitOfWork, actor: CurrentActor
) -> CreditNoteOut:
    """Cancel an invoice in full (the insurer); its shipments are invoiced again on the next run."""
    return CreditNoteOut.of(credit_notes.credit_invoice(session, actor, invoice_id, body.reason))


@router.post(
    "/invoicing-runs",
    response_model=InvoicingRunOut,
    status_code=status.HTTP_201_CREATED,
    summary="Invoice a month",
)
def run_invoicing(body: InvoicingRunCreate, session: UnitOfWork, actor: CurrentActor) -> InvoicingRunOut:
    """Invoice a month's insured turnover for every policy the caller invoices (or one); idempotent."""
    if body.policy_id is not None:
        invoice = invoicing.issue_invoice(session, actor, body.policy_id, body.month)
        return InvoicingRunOut(
            month=body.month, invoices=[InvoiceOut.of(invoice)] if invoice else [], skipped=[]
        )
    run = invoicing.issue_invoices(session, actor, body.month)
    return InvoicingRunOut(
        month=run.month,
        invoices=[InvoiceOut.of(invoice, with_lines=False) for invoice in run.invoices],
        skipped=list(run.skipped),
    )
