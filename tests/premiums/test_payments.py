"""Paying premium invoices: in full, in part and too much; held credit; idempotent retries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.premiums.conftest import TODAY, PremiumBook, usd

from tradecover.errors import BusinessRuleViolation, Conflict, PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart
from tradecover.ledger.service import account_balance, entries_for_document, find_account
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.premiums.invoicing import issue_invoice
from tradecover.premiums.model import InvoiceStatus, PaymentSource, PremiumInvoice
from tradecover.premiums.payments import credit_balance, payments_of, record_premium_payment


def invoiced(
    db: Session, book: PremiumBook, month: str = "2026-05", amount: str = "100000.00"
) -> PremiumInvoice:
    """A shipment in the month and its invoice."""
    first = dt.date.fromisoformat(f"{month}-04")
    book.ship(f"S-{month}", amount, first)
    invoice = issue_invoice(db, book.insurer_admin, book.policy.id, month)
    assert invoice is not None
    return invoice


def balance(db: Session, organisation_id: object, chart: Chart) -> Money:
    """An organisation's USD balance on a standard account (zero when never opened)."""
    found = find_account(db, organisation_id=organisation_id, code=chart.code, currency="USD")  # type: ignore[arg-type]
    return account_balance(db, found.id) if found else usd(0)


def test_a_payment_in_full_settles_the_invoice_and_the_receivable(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    payment = record_premium_payment(db, book.exporter, invoice.id, invoice.firm_share, TODAY)
    assert payment.applied == invoice.firm_share
    assert payment.over == usd(0)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.open == usd(0)
    assert balance(db, book.insurer_id, Chart.PREMIUM_RECEIVABLE) == usd(0)
    assert balance(db, book.insurer_id, Chart.BANK) == invoice.premium
    assert balance(db, book.exporter_id, Chart.PREMIUM_PAYABLE) == usd(0)
    assert balance(db, book.exporter_id, Chart.BANK) == -invoice.premium
    (entry,) = entries_for_document(db, "premium_payment", payment.id)
    assert entry.kind == "premium.paid"


def test_a_partial_payment_leaves_the_rest_open(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    record_premium_payment(db, book.exporter, invoice.id, usd("100.00"), TODAY)
    assert invoice.status is InvoiceStatus.PARTLY_PAID
    assert invoice.open == invoice.firm_share - usd("100.00")
    assert balance(db, book.insurer_id, Chart.PREMIUM_RECEIVABLE) == invoice.open


def test_an_overpayment_is_held_as_credit_and_applied_to_the_next_invoice(
    db: Session, book: PremiumBook
) -> None:
    april = invoiced(db, book, "2026-04")
    record_premium_payment(db, book.exporter, april.id, april.firm_share + usd("50.00"), TODAY)
    assert april.status is InvoiceStatus.PAID
    assert credit_balance(db, book.policy.id, "USD") == usd("50.00")
    assert balance(db, book.insurer_id, Chart.POLICYHOLDER_CREDIT) == usd("-50.00")
    assert balance(db, book.exporter_id, Chart.PREMIUM_PAID_IN_ADVANCE) == usd("50.00")
    may = invoiced(db, book, "2026-05", "40000.00")
    assert may.paid == usd("50.00").min(may.firm_share)
    (applied,) = payments_of(db, may.id)
    assert applied.source is PaymentSource.CREDIT
    assert credit_balance(db, book.policy.id, "USD") == usd("50.00") - may.paid
    assert balance(db, book.insurer_id, Chart.POLICYHOLDER_CREDIT) == -credit_balance(
        db, book.policy.id, "USD"
    )


def test_a_retry_with_the_same_idempotency_key_posts_once(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    first = record_premium_payment(db, book.exporter, invoice.id, usd("10.00"), TODAY, "pay-1")
    again = record_premium_payment(db, book.exporter, invoice.id, usd("10.00"), TODAY, "pay-1")
    assert again.id == first.id
    assert invoice.paid == usd("10.00")
    assert len(payments_of(db, invoice.id)) == 1
    with pytest.raises(Conflict) as caught:
        record_premium_payment(db, book.exporter, invoice.id, usd("11.00"), TODAY, "pay-1")
    assert caught.value.field == "idempotency_key"


def test_bad_payments_are_refused_and_change_nothing(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    with pytest.raises(ValidationError) as caught:
        record_premium_payment(db, book.exporter, invoice.id, usd("0.00"), TODAY)
    assert caught.value.field == "amount"
    with pytest.raises(ValidationError):
        record_premium_payment(db, book.exporter, invoice.id, Money.of("5", "EUR"), TODAY)
    with pytest.raises(ValidationError) as caught:
        record_premium_payment(db, book.exporter, invoice.id, usd("5"), dt.date(2026, 1, 1))
    assert caught.value.field == "received_on"
    assert invoice.paid == usd(0)
    assert payments_of(db, invoice.id) == []


def test_another_firm_may_not_pay_and_a_credited_invoice_is_not_paid(db: Session, book: PremiumBook) -> None:
    from tests.premiums.conftest import open_premium_book

    from tradecover.premiums.credit_notes import credit_invoice

    invoice = invoiced(db, book)
    other = open_premium_book(db)
    with pytest.raises(PermissionDenied):
        record_premium_payment(db, other.exporter, invoice.id, usd("5"), TODAY)
    credit_invoice(db, book.insurer_admin, invoice.id, "wrong buyer grade")
    with pytest.raises(BusinessRuleViolation):
        record_premium_payment(db, book.exporter, invoice.id, usd("5"), TODAY)
    assert Actor.system().is_platform_admin
