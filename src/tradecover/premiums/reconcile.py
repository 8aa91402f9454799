"""Reconciliation of premium documents with the ledger (registered with `ledger.reconcile`).

For each invoice, the net of the entries booked for it (the invoice entry and, once credited, its
reversal) must show its premium, programme share and firm share — or nothing once credited; its paid
amount must be what its payments' entries settled; its members' parts must add up to it; and no shipment
may be on two live invoices.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.ledger.chart import Chart
from tradecover.ledger.model import Account, JournalEntry, Posting
from tradecover.ledger.reconcile import Violation, register_check
from tradecover.premiums.books import INVOICE_DOCUMENT, PAYMENT_DOCUMENT
from tradecover.premiums.model import (
    InvoiceLine,
    InvoiceMemberSplit,
    InvoiceStatus,
    PremiumInvoice,
    PremiumPayment,
)

CHECK = "premium invoice"


def _booked(session: Session, document_type: str) -> dict[tuple[str, str], int]:
    """Net postings per (document id, account code) over every entry of a document type."""
    rows = session.execute(
        select(JournalEntry.document_id, Account.code, func.sum(Posting.amount_minor))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(JournalEntry.document_type == document_type)
        .group_by(JournalEntry.document_id, Account.code)
    ).all()
    return {(str(document_id), code): int(total) for document_id, code, total in rows}


@register_check
def _invoices_match_the_ledger(session: Session) -> list[Violation]:
    """Each invoice's premium, programme and firm shares and paid amount agree with its entries."""
    booked = _booked(session, INVOICE_DOCUMENT)
    paid_booked: dict[str, int] = defaultdict(int)
    payments = _booked(session, PAYMENT_DOCUMENT)
    invoice_of_payment: dict[str, str] = {}
    applied_rows: dict[str, int] = defaultdict(int)
    for payment_id, invoice_id, applied in session.execute(
        select(PremiumPayment.id, PremiumPayment.invoice_id, PremiumPayment.applied_minor)
    ):
        invoice_of_payment[str(payment_id)] = str(invoice_id)
        applied_rows[str(invoice_id)] += applied
    for (document, code), total in payments.items():
        if code == Chart.PREMIUM_RECEIVABLE.code:
            paid_booked[invoice_of_payment.get(document, document)] -= total
    splits: dict[str, list[InvoiceMemberSplit]] = defaultdict(list)
    for split in session.scalars(select(InvoiceMemberSplit)):
        splits[str(split.invoice_id)].append(split)
    violations: list[Violation] = []
    for invoice in session.scalars(select(PremiumInvoice).order_by(PremiumInvoice.number)):
        key = str(invoice.id)
        live = invoice.status is not InvoiceStatus.CREDITED
        expected = {
            Chart.PREMIUM_INCOME.code: -invoice.premium_minor if live else 0,
            Chart.PREMIUM_RECEIVABLE.code: invoice.firm_share_minor if live else 0,
            Chart.SUBSIDY_RECEIVABLE.code: invoice.subsidy_minor if live else 0,
            Chart.PREMIUM_PAYABLE.code: -invoice.firm_share_minor if live else 0,
            Chart.SUBSIDY_EXPENSE.code: invoice.subsidy_minor if live else 0,
        }
        for code, amount in expected.items():
            found = booked.get((key, code), 0)
            if found != amount:
                violations.append(
                    Violation(
                        CHECK,
                        f"invoice {invoice.number}",
                        f"account {code}: expected {amount}, booked {found}",
                    )
                )
        if paid_booked.get(key, 0) != invoice.paid_minor or applied_rows.get(key, 0) != invoice.paid_minor:
            violations.append(
                Violation(
                    CHECK,
                    f"invoice {invoice.number}",
                    f"paid {invoice.paid_minor}, payments applied {applied_rows.get(key, 0)}, "
                    f"settled in the ledger {paid_booked.get(key, 0)}",
                )
            )
        parts = splits.get(key, [])
        sums = (
            sum(p.firm_minor for p in parts),
            sum(p.subsidy_minor for p in parts),
            sum(p.paid_minor for p in parts),
        )
        if sums != (invoice.firm_share_minor, invoice.subsidy_minor, invoice.paid_minor):
            violations.append(
                Violation(
                    CHECK,
                    f"invoice {invoice.number}",
                    f"members' parts (firm, programme, paid) sum to {sums}",
                )
            )
        if invoice.lines and sum(line.premium_minor for line in invoice.lines) != invoice.premium_minor:
            violations.append(
                Violation(CHECK, f"invoice {invoice.number}", "lines do not add up to the premium")
            )
    return violations


@register_check
def _shipments_on_one_live_invoice(session: Session) -> list[Violation]:
    """No shipment is on two live invoices."""
    rows = session.execute(
        select(InvoiceLine.shipment_id, func.count())
        .join(PremiumInvoice, PremiumInvoice.id == InvoiceLine.invoice_id)
        .where(PremiumInvoice.status != InvoiceStatus.CREDITED)
        .group_by(InvoiceLine.shipment_id)
        .having(func.count() > 1)
    ).all()
    return [
        Violation(CHECK, f"shipment {shipment_id}", f"on {count} live invoices")
        for shipment_id, count in rows
    ]
