"""Monthly premium invoices from insured declared turnover: lines traceable to shipments and rate cells."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.premiums.conftest import TODAY, PremiumBook, open_premium_book, usd

from tradecover.errors import PermissionDenied, ValidationError
from tradecover.ledger.chart import Chart
from tradecover.ledger.service import account_balance, entries_for_document, find_account
from tradecover.money import Money
from tradecover.policies.service import rate_grid_of
from tradecover.premiums.invoicing import issue_invoice, issue_invoices
from tradecover.premiums.model import InvoiceKind, InvoiceStatus


def test_a_month_is_invoiced_line_by_line_from_its_insured_shipments(db: Session, book: PremiumBook) -> None:
    first = book.ship("S-1", "100000.00", dt.date(2026, 5, 4))
    second = book.ship("S-2", "33333.33", dt.date(2026, 5, 20), credit_days=120)
    book.ship("S-3", "5000.00", dt.date(2026, 6, 2))  # June: not on May's invoice
    invoice = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert invoice is not None
    assert invoice.kind is InvoiceKind.MONTHLY
    assert (invoice.period_start, invoice.period_end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert invoice.issued_on == TODAY
    assert invoice.due_date == TODAY + dt.timedelta(days=30)
    grid = rate_grid_of(db, book.policy)
    assert [line.shipment_id for line in invoice.lines] == [first.id, second.id]
    for line, shipment in zip(invoice.lines, (first, second), strict=True):
        days = (shipment.due_date - shipment.shipment_date).days
        assert (line.buyer_grade, line.buyer_grade_band, line.country_grade) == (4, 4, line.country_grade)
        assert line.credit_day_band == grid.credit_day_band(days)
        assert line.rate == grid.rate_for(4, line.country_grade, days)
        assert line.insured == shipment.insured
        assert line.premium == Money.rounded(shipment.insured.amount * line.rate, "USD")
        assert line.premium == shipment.premium  # the same price the declaration showed
    assert invoice.premium == invoice.lines[0].premium + invoice.lines[1].premium
    assert invoice.firm_share == invoice.premium
    assert invoice.subsidy == usd(0)
    assert invoice.status is InvoiceStatus.ISSUED
    assert invoice.number.startswith("INV-2026-")


def test_the_invoice_books_one_balanced_entry_receivable_and_income(db: Session, book: PremiumBook) -> None:
    book.ship("S-1", "100000.00", dt.date(2026, 5, 4))
    invoice = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert invoice is not None
    (entry,) = entries_for_document(db, "premium_invoice", invoice.id)
    assert entry.kind == "premium.invoiced"
    receivable = find_account(
        db, organisation_id=book.insurer_id, code=Chart.PREMIUM_RECEIVABLE.code, currency="USD"
    )
    income = find_account(db, organisation_id=book.insurer_id, code=Chart.PREMIUM_INCOME.code, currency="USD")
    payable = find_account(
        db, organisation_id=book.exporter_id, code=Chart.PREMIUM_PAYABLE.code, currency="USD"
    )
    assert receivable
    assert income
    assert payable
    assert account_balance(db, receivable.id) == invoice.premium
    assert account_balance(db, income.id) == -invoice.premium
    assert account_balance(db, payable.id) == -invoice.premium


def test_invoicing_a_month_twice_returns_the_invoice_already_issued(db: Session, book: PremiumBook) -> None:
    book.ship("S-1", "100000.00", dt.date(2026, 5, 4))
    invoice = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    again = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert again is invoice
    assert len(entries_for_document(db, "premium_invoice", invoice.id)) == 1  # type: ignore[union-attr]


def test_a_late_declaration_for_a_past_month_lands_on_the_next_invoice(
    db: Session, book: PremiumBook
) -> None:
    book.ship("S-1", "100000.00", dt.date(2026, 4, 10))
    april = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-04", on=dt.date(2026, 5, 1))
    late = book.ship("S-2", "20000.00", dt.date(2026, 4, 25))
    may = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert april is not None
    assert may is not None
    assert [line.shipment_id for line in may.lines] == [late.id]


def test_a_month_without_insured_turnover_gets_no_invoice(db: Session, book: PremiumBook) -> None:
    assert issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05") is None


def test_a_month_not_over_yet_is_refused(db: Session, book: PremiumBook) -> None:
    with pytest.raises(ValidationError) as caught:
        issue_invoice(db, book.insurer_admin, book.policy.id, "2026-06")
    assert caught.value.field == "month"
    with pytest.raises(ValidationError):
        issue_invoice(db, book.insurer_admin, book.policy.id, "2026-13")


def test_the_preferential_discount_comes_off_each_line_once(db: Session) -> None:
    book = open_premium_book(db, discount="0.15")
    book.ship("S-1", "77777.77", dt.date(2026, 5, 4))
    invoice = issue_invoice(db, book.insurer_admin, book.policy.id, "2026-05")
    assert invoice is not None
    (line,) = invoice.lines
    assert line.discount == Money.of("0.15", "USD").amount
    assert line.premium == Money.rounded(line.insured.amount * line.rate * (1 - line.discount), "USD")


def test_only_the_insurer_invoices(db: Session, book: PremiumBook) -> None:
    book.ship("S-1", "100000.00", dt.date(2026, 5, 4))
    with pytest.raises(PermissionDenied):
        issue_invoice(db, book.exporter, book.policy.id, "2026-05")


def test_an_invoicing_run_invoices_every_policy_with_turnover(db: Session) -> None:
    books = [open_premium_book(db) for _ in range(2)]
    for index, b in enumerate(books):
        b.ship(f"R-{index}", "50000.00", dt.date(2026, 5, 4))
    from tradecover.parties.actor import Actor

    run = issue_invoices(db, Actor.system(), "2026-05")
    assert {i.policy_id for i in run.invoices} >= {b.policy.id for b in books}
