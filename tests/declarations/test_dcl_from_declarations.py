"""The DCL counts the buyer's purchases paid on time from the declarations: in full, by the due date,
shipped within the 12 months before the date."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.limits.conftest import TODAY, Book, usd

from tradecover.clock import utcnow
from tradecover.declarations.dcl import dcl_available, months_before, purchases_paid_on_time
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import CoverSource
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment

# The export product's DCL is USD 50,000 once two purchases were paid on time (DESIGN §2).
DCL = usd(50_000)


def purchase(
    db: Session, book: Book, invoice: str, shipped: dt.date, *, days: int = 30, paid_late_by: int | None = 0
) -> Shipment:
    """A hand-made USD 1,000 shipment on the book's buyer, paid in full `paid_late_by` days after its due
    date (negative: early; None: not paid in full)."""
    due = shipped + dt.timedelta(days=days)
    settled = None if paid_late_by is None else due + dt.timedelta(days=paid_late_by)
    shipment = Shipment(
        policy_id=book.policy.id,
        buyer_id=book.buyer.id,
        invoice_number=invoice,
        currency="USD",
        amount_minor=100_000,
        shipment_date=shipped,
        due_date=due,
        declared_on=shipped,
        declared_at=utcnow(),
        insured_minor=0,
        paid_minor=100_000 if settled is not None else 40_000,
        settled_on=settled,
        max_credit_days=180,
        deadline=shipped + dt.timedelta(days=7),
        cover_source=CoverSource.NONE,
        cover_minor=0,
        exposure_minor=0,
    )
    db.add(shipment)
    db.flush()
    return shipment


def standing(db: Session, book: Book) -> tuple[int, bool, object, str]:
    """The purchases counted, whether the DCL is available, its amount and the reason, today."""
    verdict = dcl_available(db, book.policy.id, book.buyer.id, on=TODAY)
    count = purchases_paid_on_time(db, book.policy.id, book.buyer.id, on=TODAY)
    return count, verdict.available, verdict.amount, verdict.reason


def test_one_purchase_paid_on_time_is_not_enough_when_two_are_needed(db: Session, book: Book) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    assert standing(db, book) == (
        1,
        False,
        usd(0),
        "fewer than 2 purchases paid on time in the last 12 months and no credit report",
    )


def test_two_purchases_paid_on_time_make_the_dcl_available(db: Session, book: Book) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    purchase(db, book, "P-2", dt.date(2025, 9, 1), paid_late_by=-10)
    assert standing(db, book) == (2, True, DCL, "2 purchases paid on time in the last 12 months")


def test_a_purchase_paid_late_or_not_in_full_does_not_count(db: Session, book: Book) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    purchase(db, book, "P-2", dt.date(2026, 3, 9), paid_late_by=1)
    purchase(db, book, "P-3", dt.date(2026, 4, 1), paid_late_by=None)
    assert standing(db, book)[:3] == (1, False, usd(0))


def test_a_purchase_older_than_twelve_months_does_not_count(db: Session, book: Book) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    # Shipped on 15 June 2025, exactly 12 months before today: outside the lookback.
    purchase(db, book, "P-2", dt.date(2025, 6, 15))
    assert standing(db, book)[:3] == (1, False, usd(0))
    purchase(db, book, "P-3", dt.date(2025, 6, 16))
    assert standing(db, book)[:3] == (2, True, DCL)


def test_a_payment_known_only_later_does_not_count_yet(db: Session, book: Book) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    purchase(db, book, "P-2", dt.date(2026, 5, 20), days=30)
    # P-2 was paid on its due date, 19 June: on the 15th it is not known as paid.
    assert standing(db, book)[:2] == (1, False)
    assert dcl_available(db, book.policy.id, book.buyer.id, on=dt.date(2026, 6, 19)).amount == DCL


def _declare(db: Session, book: Book, invoice: str) -> Shipment:
    due = TODAY + dt.timedelta(days=60)
    declaration = ShipmentDeclaration(book.buyer.id, invoice, usd(80_000), TODAY, due)
    return declare_shipment(db, book.exporter, book.policy.id, declaration)


def test_a_shipment_without_a_limit_is_covered_by_the_dcl_only_after_two_purchases_paid_on_time(
    db: Session, book: Book
) -> None:
    purchase(db, book, "P-1", dt.date(2026, 3, 2))
    purchase(db, book, "P-2", dt.date(2026, 3, 9), paid_late_by=3)
    purchase(db, book, "P-3", dt.date(2025, 5, 4))
    first = _declare(db, book, "S-1")
    assert (first.cover_source, first.insured) == (CoverSource.NONE, usd(0))
    purchase(db, book, "P-4", dt.date(2026, 4, 6))
    second = _declare(db, book, "S-2")
    # USD 80,000 shipped, USD 50,000 of it within the DCL.
    assert (second.cover_source, second.insured) == (CoverSource.DCL, usd(50_000))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 6, 15), 12, dt.date(2025, 6, 15)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 2, 29), 12, dt.date(2027, 2, 28)),
        (dt.date(2026, 1, 10), 2, dt.date(2025, 11, 10)),
    ],
)
def test_the_lookback_starts_the_same_day_months_before(day: dt.date, months: int, expected: dt.date) -> None:
    assert months_before(day, months) == expected
