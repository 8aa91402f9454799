"""An insurer's workload over CURRENT (2025-12-01 … 2026-02-28), seen by Alpha.

Limits referred (new US buyers): R1 on P4 referred 2026-01-10, undecided; R2 on P1b referred 2025-11-20,
decided 2026-01-05; R3 on P1b referred 2026-02-10, decided 2026-03-05; R4 on Beta's P2 referred
2026-01-15. Alpha: 2 referred in the period (R1, R3), 2 waiting at its end (R1, R3).
Quotes: Q1 Alpha draft asked 2026-02-01; Q2 Alpha asked 2026-01-10, sent 2026-01-20; Q3 Alpha asked
2026-02-20, sent 2026-03-10; Q4 Beta draft. Alpha: 3 asked, 2 waiting (Q1, Q3).
Claims (`test_claims_metrics`, Alpha sees K1, K2, K4, K5): filed in the period K1, K2, K4, of which K2 waits
for documents; documents complete in the period K1, K4, none waits for a decision; approved in the
period K1, K4, K5, of which K4 waits for Gamma's payment.
Overdues: O1 on P1b reported 2026-02-10, open; O2 on P1a reported 2025-03-01, withdrawn 2025-04-01;
O3 on P4 reported 2025-03-01, claimed 2026-01-10; O4 on Beta's P2 reported 2026-01-05.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import new_buyer
from tests.oversight.book import CURRENT, OversightBook, clock_at
from tests.oversight.test_claims_metrics import add_claims

from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.declarations.model import Shipment
from tradecover.limits.model import CreditLimit, LimitEvent, LimitEventKind, LimitStatus
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_book import workload_section
from tradecover.oversight.workload import workload
from tradecover.policies.model import Product, Quote, QuoteRequest, QuoteStatus
from tradecover.policies.terms import ProductKind

D = dt.date


def _referral(
    db: Session, book: OversightBook, policy: str, referred: dt.date, decided: dt.date | None
) -> None:
    row = book.policies[policy]
    buyer = new_buyer(db, country="US")
    limit = CreditLimit(
        policy_id=row.id, buyer_id=buyer.id, live_buyer_id=buyer.id, policyholder_id=row.policyholder_id,
        insurer_id=row.insurer_id, buyer_country="US", buyer_sector=buyer.sector, currency=row.currency,
        requested_minor=60_000_000, usd_rate=Decimal(1), requested_on=referred,
        status=LimitStatus.REFERRED if decided is None else LimitStatus.APPROVED,
        amount_minor=0 if decided is None else 60_000_000, decided_on=decided,
    )  # fmt: skip
    db.add(limit)
    db.flush()
    db.add(
        LimitEvent(
            limit_id=limit.id, sequence=1, kind=LimitEventKind.REFERRED, effective_on=referred, reason="large"
        )
    )


def _quote(
    db: Session, book: OversightBook, insurer: uuid.UUID, asked: dt.date, sent: dt.date | None
) -> None:
    product = db.scalars(select(Product).where(Product.insurer_id == insurer)).first()
    assert product is not None
    with clock_at(asked):
        request = QuoteRequest(
            policyholder_id=book.holders["H5"], product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
            currency="USD", period_start=D(2026, 6, 1), period_end=D(2027, 5, 31), typical_credit_days=60,
            turnover_lines=[], submitted_on=asked,
        )  # fmt: skip
        db.add(request)
        db.flush()
        db.add(
            Quote(
                request_id=request.id, insurer_id=insurer, policyholder_id=book.holders["H5"],
                product_id=product.id, status=QuoteStatus.DRAFT if sent is None else QuoteStatus.SENT,
                currency="USD",
                sent_at=None if sent is None else dt.datetime.combine(sent, dt.time(9), tzinfo=dt.UTC),
            )
        )  # fmt: skip
        db.flush()


def _overdue(db: Session, book: OversightBook, invoice: str, reported: dt.date, **ended: dt.date) -> None:
    shipment = db.scalars(select(Shipment).where(Shipment.invoice_number == invoice)).one()
    status = OverdueStatus.REPORTED
    if "withdrawn_on" in ended:
        status = OverdueStatus.WITHDRAWN
    if "claimed_on" in ended:
        status = OverdueStatus.CLAIMED
    db.add(
        Overdue(
            policy_id=shipment.policy_id, buyer_id=shipment.buyer_id, shipment_id=shipment.id,
            invoice_number=invoice, currency=shipment.currency, unpaid_minor=shipment.amount_minor,
            due_date=shipment.due_date, reported_on=reported, reporting_deadline=reported,
            reported_in_time=True, status=status, **ended,
        )
    )  # fmt: skip


def add_work(book: OversightBook) -> None:
    """Everything in the module docstring."""
    db = book.db
    _referral(db, book, "P4", D(2026, 1, 10), None)
    _referral(db, book, "P1b", D(2025, 11, 20), D(2026, 1, 5))
    _referral(db, book, "P1b", D(2026, 2, 10), D(2026, 3, 5))
    _referral(db, book, "P2", D(2026, 1, 15), None)
    _quote(db, book, book.alpha, D(2026, 2, 1), None)
    _quote(db, book, book.alpha, D(2026, 1, 10), D(2026, 1, 20))
    _quote(db, book, book.alpha, D(2026, 2, 20), D(2026, 3, 10))
    _quote(db, book, book.beta, D(2026, 1, 10), None)
    add_claims(book)
    _overdue(db, book, "B-1", D(2026, 2, 10))
    _overdue(db, book, "A-1", D(2025, 3, 1), withdrawn_on=D(2025, 4, 1))
    _overdue(db, book, "E-1", D(2025, 3, 1), claimed_on=D(2026, 1, 10))
    _overdue(db, book, "C-1", D(2026, 1, 5))
    db.flush()


def test_an_insurer_counts_what_arrived_and_what_waits(book: OversightBook) -> None:
    add_work(book)
    queues = workload(book.db, book.scope(Audience.INSURER, book.alpha), CURRENT)
    assert [(q.key, q.arrived, q.waiting) for q in queues] == [
        ("limits-referred", 2, 2),
        ("quotes", 3, 2),
        ("claims-documents", 3, 1),
        ("claims-decision", 2, 0),
        ("claims-payment", 3, 1),
        ("overdues", 1, 1),
    ]


def test_waiting_is_counted_at_the_end_of_any_period(book: OversightBook) -> None:
    add_work(book)
    december = Period(D(2025, 12, 1), D(2025, 12, 31))
    queues = {
        q.key: (q.arrived, q.waiting)
        for q in workload(book.db, book.scope(Audience.INSURER, book.alpha), december)
    }
    # R2 still waited on 31 December; K1 waited for its decision, K4 for documents; O3 was not claimed yet.
    assert queues["limits-referred"] == (0, 1)
    assert queues["claims-documents"] == (2, 1)
    assert queues["claims-decision"] == (1, 2)  # K1 and K5 complete, undecided
    assert queues["overdues"] == (0, 1)
    beta = {
        q.key: (q.arrived, q.waiting)
        for q in workload(book.db, book.scope(Audience.INSURER, book.beta), CURRENT)
    }
    assert beta["limits-referred"] == (1, 1)
    assert beta["quotes"] == (1, 1)
    assert beta["overdues"] == (1, 1)


def test_the_section_is_for_insurers_only(book: OversightBook) -> None:
    add_work(book)
    section = workload_section(book.db, book.scope(Audience.INSURER, book.alpha), CURRENT, "CNY")
    assert section.tables[0].key == "workload"
    figures = {f.key: f.value for f in section.figures}
    assert figures["waiting-claims"] == 2
    assert workload_section(book.db, book.scope(Audience.REGULATOR), CURRENT, "CNY").tables == ()
