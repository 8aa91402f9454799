"""Overdues: report one or many, list, read, extension, the insurer's decision, withdrawal."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.overdues import (
    DeadlinesQuery,
    ExtensionCreate,
    ExtensionDecision,
    InvoiceDeadlinesOut,
    OverdueBulkCreate,
    OverdueCreate,
    OverdueOut,
    OverdueQuery,
)
from tradecover.claims import overdues
from tradecover.claims.overdue_model import Overdue

router = APIRouter(
    route_class=KeyFirstRoute, tags=["overdues"], responses=error_responses(400, 401, 403, 404, 409, 422)
)


def _out(session: Session, overdue: Overdue) -> OverdueOut:
    return OverdueOut.of(overdue, overdues.deadlines_of(session, overdue))


@router.post(
    "/overdues", response_model=OverdueOut, status_code=status.HTTP_201_CREATED, summary="Report an overdue"
)
def report_overdue(body: OverdueCreate, session: UnitOfWork, actor: CurrentActor) -> OverdueOut:
    """Report an invoice overdue: the buyer goes into stoppage; a report after the deadline loses cover."""
    return _out(session, overdues.report_overdue(session, actor, body.policy_id, body.invoice_number))


@router.post(
    "/overdue-reports",
    response_model=list[OverdueOut],
    status_code=status.HTTP_201_CREATED,
    summary="Report many overdues",
)
def report_overdues(body: OverdueBulkCreate, session: UnitOfWork, actor: CurrentActor) -> list[OverdueOut]:
    """Report many invoices overdue at once: all, or none with the first bad row named."""
    reported = overdues.report_overdues(session, actor, body.policy_id, body.invoice_numbers)
    return [_out(session, overdue) for overdue in reported]


@router.get("/overdues", response_model=list[OverdueOut], summary="Overdues")
def list_overdues(
    session: UnitOfWork, actor: CurrentActor, query: Annotated[OverdueQuery, Query()]
) -> list[OverdueOut]:
    """The overdues the caller's organisation sees, newest report first."""
    found = overdues.list_overdues(
        session, policy_id=query.policy_id, status=query.status, limit=query.limit, offset=query.offset
    )
    return [_out(session, overdue) for overdue in found]


@router.get("/overdues/{overdue_id}", response_model=OverdueOut, summary="One overdue")
def get_overdue(overdue_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> OverdueOut:
    """An overdue with every date of its invoice."""
    return _out(session, overdues.get_overdue(session, overdue_id))


@router.post("/overdues/{overdue_id}/extension", response_model=OverdueOut, summary="Ask for an extension")
def request_extension(
    overdue_id: uuid.UUID, body: ExtensionCreate, session: UnitOfWork, actor: CurrentActor
) -> OverdueOut:
    """Extend the due date: granted at once within the days without consent, else referred to the insurer."""
    overdue = overdues.request_extension(session, actor, overdue_id, body.extended_due_date, body.note)
    return _out(session, overdue)


@router.post(
    "/overdues/{overdue_id}/extension-decision", response_model=OverdueOut, summary="Decide an extension"
)
def decide_extension(
    overdue_id: uuid.UUID, body: ExtensionDecision, session: UnitOfWork, actor: CurrentActor
) -> OverdueOut:
    """The insurer approves or declines a referred extension."""
    overdue = overdues.decide_extension(session, actor, overdue_id, approve=body.approve, note=body.note)
    return _out(session, overdue)


@router.post("/overdues/{overdue_id}/withdrawal", response_model=OverdueOut, summary="Withdraw an overdue")
def withdraw_overdue(overdue_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> OverdueOut:
    """Withdraw a report once the invoice is paid; the stoppage lifts when nothing else keeps it."""
    return _out(session, overdues.withdraw_overdue(session, actor, overdue_id))


@router.get(
    "/shipments/{shipment_id}/deadlines",
    response_model=InvoiceDeadlinesOut,
    summary="Every date of an invoice",
)
def invoice_deadlines(
    shipment_id: uuid.UUID,
    session: UnitOfWork,
    actor: CurrentActor,
    query: Annotated[DeadlinesQuery, Query()],
) -> InvoiceDeadlinesOut:
    """Declaration deadline, due dates, reporting deadline, stoppage, date of loss, filing window."""
    dates = overdues.shipment_deadlines(
        session,
        shipment_id,
        cause=query.cause,
        insolvency_date=query.insolvency_date,
        event_date=query.event_date,
    )
    return InvoiceDeadlinesOut.of_invoice(dates)
