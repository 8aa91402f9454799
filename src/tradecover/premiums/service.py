"""Reading premium invoices: lists with filters, one invoice with what each party may see of it.

The use cases that change money live beside this module: `invoicing` (monthly invoices and the
minimum-premium true-up), `payments`, `credit_notes` and `dunning`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.errors import NotFound, ValidationError
from tradecover.parties.actor import Actor
from tradecover.premiums.model import InvoiceMemberSplit, InvoiceStatus, PremiumInvoice
from tradecover.premiums.rules import DunningLevel, month_bounds

MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    """What to list: one policy, a status, a dunning step, a month (any of them may be left open)."""

    policy_id: uuid.UUID | None = None
    status: InvoiceStatus | None = None
    dunning_level: DunningLevel | None = None
    month: str | None = None


def list_invoices(
    session: Session, where: InvoiceFilter | None = None, *, limit: int = 100, offset: int = 0
) -> Sequence[PremiumInvoice]:
    """The invoices the session's organisation has a part in, newest first."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
        raise ValidationError(f"must be a whole number from 1 to {MAX_LISTED}", field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("must be a whole number, zero or more", field="offset")
    where = where or InvoiceFilter()
    query = select(PremiumInvoice)
    if where.policy_id is not None:
        query = query.where(PremiumInvoice.policy_id == where.policy_id)
    if where.status is not None:
        query = query.where(PremiumInvoice.status == where.status)
    if where.dunning_level is not None:
        query = query.where(PremiumInvoice.dunning_level == where.dunning_level)
    if where.month is not None:
        first, _ = month_bounds(where.month)
        query = query.where(PremiumInvoice.period_start == first)
    query = query.order_by(PremiumInvoice.issued_on.desc(), PremiumInvoice.number.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()


def member_splits_seen(session: Session, actor: Actor, invoice: PremiumInvoice) -> list[InvoiceMemberSplit]:
    """The member splits the actor may see: its own as a pool member, all as leader, insured or operator."""
    rows = session.scalars(
        select(InvoiceMemberSplit)
        .where(InvoiceMemberSplit.invoice_id == invoice.id)
        .order_by(InvoiceMemberSplit.position)
    ).all()
    return list(rows)


def own_split(actor: Actor, invoice: PremiumInvoice) -> InvoiceMemberSplit | None:
    """A pool member's own part of an invoice (None for anyone else)."""
    if actor.organisation_id is None:
        return None
    return next((m for m in invoice.members if m.member_id == actor.organisation_id), None)


def days_past_due(invoice: PremiumInvoice, on: dt.date) -> int:
    """How many days an open invoice is past its due date (zero when not yet due or settled)."""
    if not invoice.open.is_positive:
        return 0
    return max((on - invoice.due_date).days, 0)


def find_invoice(session: Session, number_or_id: str) -> PremiumInvoice:
    """An invoice the session sees, by its number (INV-2025-000123) or its id; NotFound otherwise."""
    text = number_or_id.strip()
    try:
        query = select(PremiumInvoice).where(PremiumInvoice.id == uuid.UUID(text))
    except ValueError:
        query = select(PremiumInvoice).where(PremiumInvoice.number == text)
    invoice = session.scalars(query).first()
    if invoice is None:
        raise NotFound(f"no invoice has the number or id {text!r}", field="invoice")
    return invoice
