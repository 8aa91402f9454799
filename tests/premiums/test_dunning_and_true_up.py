"""Dunning of unpaid invoices, the non-payment effect on limit requests, and the minimum-premium true-up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.limits.conftest import new_buyer
from tests.premiums.conftest import PremiumBook, open_premium_book, usd
from tests.premiums.test_payments import invoiced

from tradecover.errors import BusinessRuleViolation
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import LimitStatus
from tradecover.premiums.credit_notes import credit_invoice
from tradecover.premiums.dunning import run_dunning
from tradecover.premiums.invoicing import true_up_minimum_premium
from tradecover.premiums.model import InvoiceKind, InvoiceStatus
from tradecover.premiums.payments import record_premium_payment
from tradecover.premiums.rules import DunningLevel


def test_dunning_follows_the_days_past_due_on_the_products_schedule(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    due = invoice.due_date
    for days, level in (
        (0, DunningLevel.NONE),
        (1, DunningLevel.REMINDER),
        (14, DunningLevel.REMINDER),
        (15, DunningLevel.SECOND_REMINDER),
        (30, DunningLevel.NON_PAYMENT),
    ):
        run_dunning(db, due + dt.timedelta(days=days))
        assert invoice.dunning_level is level, days


def test_the_non_payment_effect_refuses_new_limits_until_the_invoice_is_paid(
    db: Session, book: PremiumBook
) -> None:
    invoice = invoiced(db, book)
    run = run_dunning(db, invoice.due_date + dt.timedelta(days=30))
    assert book.policy.number in run.policies_in_arrears
    assert book.policy.premium_arrears_since == invoice.due_date
    with pytest.raises(BusinessRuleViolation) as caught:
        request_limit(db, book.exporter, book.policy.id, new_buyer(db).id, usd(10_000))
    assert caught.value.message == (
        f"no new limits: premium invoice {invoice.number} unpaid since {invoice.due_date.isoformat()}"
    )
    record_premium_payment(
        db, book.exporter, invoice.id, invoice.open, invoice.due_date + dt.timedelta(days=31)
    )
    assert book.policy.premium_arrears_since is None
    limit = request_limit(db, book.exporter, book.policy.id, new_buyer(db).id, usd(10_000))
    assert limit.status is LimitStatus.APPROVED


def test_a_paid_or_credited_invoice_is_not_dunned(db: Session, book: PremiumBook) -> None:
    invoice = invoiced(db, book)
    credit_invoice(db, book.insurer_admin, invoice.id, "wrong month")
    run_dunning(db, invoice.due_date + dt.timedelta(days=40))
    assert invoice.dunning_level is DunningLevel.NONE
    assert book.policy.premium_arrears_since is None


def test_the_minimum_premium_is_trued_up_at_the_end_of_the_policy_year(db: Session) -> None:
    book = open_premium_book(db, minimum_premium="5000.00")
    invoice = invoiced(db, book)
    with pytest.raises(BusinessRuleViolation):
        true_up_minimum_premium(db, book.insurer_admin, book.policy.id)
    true_up = true_up_minimum_premium(db, book.insurer_admin, book.policy.id, on=dt.date(2026, 12, 31))
    assert true_up is not None
    assert true_up.kind is InvoiceKind.TRUE_UP
    assert true_up.premium == usd("5000.00") - invoice.premium
    assert true_up.lines == []
    again = true_up_minimum_premium(db, book.insurer_admin, book.policy.id, on=dt.date(2027, 1, 5))
    assert again is true_up


def test_no_true_up_when_the_year_reached_the_minimum(db: Session) -> None:
    book = open_premium_book(db, minimum_premium="1.00")
    invoiced(db, book)
    assert true_up_minimum_premium(db, book.insurer_admin, book.policy.id, on=dt.date(2026, 12, 31)) is None


def test_credited_invoices_do_not_count_towards_the_minimum(db: Session) -> None:
    book = open_premium_book(db, minimum_premium="5000.00")
    invoice = invoiced(db, book)
    credit_invoice(db, book.insurer_admin, invoice.id, "cancelled shipment")
    true_up = true_up_minimum_premium(db, book.insurer_admin, book.policy.id, on=dt.date(2026, 12, 31))
    assert true_up is not None
    assert true_up.premium == usd("5000.00")
    assert true_up.status is InvoiceStatus.ISSUED
