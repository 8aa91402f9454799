"""Credit notes: an invoice is cancelled whole, its shipments invoiced again, payments kept as credit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.premiums.conftest import TODAY, PremiumBook, usd
from tests.premiums.test_payments import balance, invoiced

from tradecover.errors import Conflict, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart
from tradecover.ledger.service import entries_for_document
from tradecover.premiums.credit_notes import credit_invoice, credit_note_of
from tradecover.premiums.invoicing import issue_invoice
from tradecover.premiums.model import InvoiceStatus
from tradecover.premiums.payments import credit_balance, record_premium_payment


def test_a_credit_note_reverses_the_invoice_and_frees_its_shipments(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    note = credit_invoice(db, book.insurer_admin, invoice.id, "rated at the wrong grade")
    assert invoice.status is InvoiceStatus.CREDITED
    assert note.amount == invoice.premium
    assert note.number.startswith("CN-2026-")
    assert credit_note_of(db, invoice.id) is note
    original, reversal = entries_for_document(db, "premium_invoice", invoice.id)
    assert reversal.reverses_id == original.id
    assert balance(db, book.insurer_id, Chart.PREMIUM_RECEIVABLE) == usd(0)
    assert balance(db, book.insurer_id, Chart.PREMIUM_INCOME) == usd(0)
    corrected = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert corrected is not None
    assert corrected.id != invoice.id
    assert [line.shipment_id for line in corrected.lines] == [line.shipment_id for line in invoice.lines]
    assert all(line.live_shipment_id is None for line in invoice.lines)


def test_what_was_paid_on_a_credited_invoice_becomes_credit_for_the_corrected_one(
    db: Session, book: PremiumBook
) -> None:
    invoice = invoiced(db, book)
    record_premium_payment(db, book.exporter, invoice.id, usd("100.00"), TODAY)
    note = credit_invoice(db, book.insurer_admin, invoice.id, "wrong amount declared")
    assert note.to_credit == usd("100.00")
    assert credit_balance(db, book.policy.id, "USD") == usd("100.00")
    assert balance(db, book.insurer_id, Chart.POLICYHOLDER_CREDIT) == usd("-100.00")
    assert balance(db, book.insurer_id, Chart.PREMIUM_RECEIVABLE) == usd(0)
    corrected = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert corrected is not None
    assert corrected.paid == usd("100.00")
    assert credit_balance(db, book.policy.id, "USD") == usd(0)


def test_an_invoice_is_credited_once_by_its_insurer_with_a_reason(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    with pytest.raises(ValidationError) as caught:
        credit_invoice(db, book.insurer_admin, invoice.id, "  ")
    assert caught.value.field == "reason"
    with pytest.raises(PermissionDenied):
        credit_invoice(db, book.exporter, invoice.id, "I would rather not pay")
    credit_invoice(db, book.insurer_admin, invoice.id, "duplicate")
    with pytest.raises(Conflict):
        credit_invoice(db, book.insurer_admin, invoice.id, "duplicate")
