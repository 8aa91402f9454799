"""Credit notes: an invoice is corrected by cancelling it whole, never by editing it.

The credit note reverses the invoice's entry, gives the programmes back their budget (refused, naming
the programme, when a subsidy was already paid), frees the invoice's shipments to be invoiced again, and
turns what the firm had paid on the invoice into the firm's held credit — applied automatically to the
corrected invoice when it is issued.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import get_clock
from tradecover.errors import Conflict, NotFound, ValidationError
from tradecover.ledger.service import post_entry, reverse_entry
from tradecover.parties.actor import Actor
from tradecover.policies.model import Policy
from tradecover.premiums.books import (
    CREDIT_NOTE_DOCUMENT,
    Lines,
    to_credit_lines,
    underwriters_of,
    whole_books,
)
from tradecover.premiums.dunning import refresh_arrears
from tradecover.premiums.invoicing import check_insurer_side, next_number
from tradecover.premiums.model import CreditNote, InvoiceStatus
from tradecover.premiums.payments import get_invoice
from tradecover.subsidies.service import release_subsidy

MAX_REASON = 500


def credit_invoice(
    session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str, *, on: dt.date | None = None
) -> CreditNote:
    """Cancel an invoice in full with a credit note; its shipments may then be invoiced again."""
    day = get_clock().today() if on is None else on
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError(f"give a reason of 1 to {MAX_REASON} characters", field="reason")
    invoice = get_invoice(session, invoice_id, lock=True)
    policy = session.get_one(Policy, invoice.policy_id)
    who = underwriters_of(session, invoice.insurer_id)
    check_insurer_side(actor, policy, who)
    if invoice.status is InvoiceStatus.CREDITED:
        raise Conflict(f"invoice {invoice.number} has already been credited", field="invoice_id")
    if day < invoice.issued_on:
        raise ValidationError(f"must not be before the invoice date {invoice.issued_on}", field="on")
    credit_note_id = uuid.uuid4()
    with whole_books(session):
        release_subsidy(session, invoice_id=invoice.id, on=day)
        reverse_entry(
            session,
            invoice.entry_id,
            effective_date=day,
            reason=f"credit note for invoice {invoice.number}: {reason}"[:400],
            booked_by_user_id=actor.user_id,
            booked_by_organisation_id=actor.organisation_id,
        )
        paid = [
            (m.member_id, m.money(m.paid_minor)) for m in sorted(invoice.members, key=lambda m: m.position)
        ]
        number = next_number(session, "CN", CreditNote.number, day.year)
        if invoice.paid_minor:
            lines = Lines(session, invoice.currency)
            to_credit_lines(lines, who=who, policyholder_id=invoice.policyholder_id, member_paid=paid)
            post_entry(
                session,
                effective_date=day,
                kind="premium.credited",
                description=f"Credit note {number}: payments on invoice {invoice.number} held as credit",
                lines=lines.lines,
                document_type=CREDIT_NOTE_DOCUMENT,
                document_id=credit_note_id,
                booked_by_user_id=actor.user_id,
                booked_by_organisation_id=actor.organisation_id,
            )
        invoice.status = InvoiceStatus.CREDITED
        invoice.live_period_start = None
        for line in invoice.lines:
            line.live_shipment_id = None
        note = CreditNote(
            id=credit_note_id,
            number=number,
            invoice_id=invoice.id,
            policy_id=invoice.policy_id,
            policyholder_id=invoice.policyholder_id,
            insurer_id=invoice.insurer_id,
            issued_on=day,
            reason=reason,
            currency=invoice.currency,
            amount_minor=invoice.premium_minor,
            to_credit_minor=invoice.paid_minor,
            issued_by_user_id=actor.user_id,
        )
        session.add(note)
        session.flush()
        refresh_arrears(session, policy)
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action="premium.credited",
        object_type="premium_invoice",
        object_id=invoice.id,
        subject_organisation_id=invoice.policyholder_id,
        details={"number": invoice.number, "credit_note": number, "reason": reason},
    )
    return note


def credit_note_of(session: Session, invoice_id: uuid.UUID) -> CreditNote | None:
    """The credit note that cancelled an invoice, if any."""
    return session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice_id)).first()


def get_credit_note(session: Session, credit_note_id: uuid.UUID) -> CreditNote:
    """A credit note the session's organisation sees."""
    note = session.scalars(select(CreditNote).where(CreditNote.id == credit_note_id)).first()
    if note is None:
        raise NotFound(f"no such credit note: {credit_note_id}", field="credit_note_id")
    return note
