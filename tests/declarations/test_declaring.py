"""Declaring shipments and payments one by one: verdicts, revolving limits, exposure on any date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.limits.conftest import TODAY, Book, new_buyer, open_book, usd

from tradecover.buyers.grades import country_grade
from tradecover.clock import FixedClock
from tradecover.db.tenancy import set_tenant
from tradecover.declarations.model import Payment, Shipment
from tradecover.declarations.payments import PaymentDeclaration, applications_of, declare_payment
from tradecover.declarations.rules import CoverSource, Outcome, Rule
from tradecover.declarations.service import (
    ShipmentDeclaration,
    declare_shipment,
    exposure,
    exposure_by_buyer,
    list_shipments,
)
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import LimitStatus
from tradecover.money import Money, Rate
from tradecover.policies.model import Product
from tradecover.policies.products import rate_grid, rate_table_for
from tradecover.policies.rules import price_shipment
from tradecover.policies.service import issue_policy


def ship(
    book: Book,
    invoice: str,
    amount: int | str,
    *,
    shipped: dt.date = TODAY,
    credit_days: int = 90,
    buyer_id: object = None,
    currency: str = "USD",
) -> Shipment:
    """Declare a shipment on the book's buyer as its exporter."""
    return declare_shipment(
        book_session(book),
        book.exporter,
        book.policy.id,
        ShipmentDeclaration(
            buyer_id=buyer_id or book.buyer.id,  # type: ignore[arg-type]
            invoice_number=invoice,
            amount=Money.of(amount, currency),
            shipment_date=shipped,
            due_date=shipped + dt.timedelta(days=credit_days),
        ),
    )


_SESSIONS: dict[int, Session] = {}


def book_session(book: Book) -> Session:
    """The test session the book was opened in."""
    return _SESSIONS[id(book)]


@pytest.fixture
def limited(db: Session, book: Book) -> Book:
    """The book with a limit of USD 100,000 approved today on its buyer."""
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    assert limit.status is LimitStatus.APPROVED
    _SESSIONS[id(book)] = db
    return book


def test_a_shipment_within_the_limit_is_insured_in_full_and_its_verdict_reads_per_rule(
    db: Session, limited: Book
) -> None:
    shipment = ship(limited, "INV-1", "30000.00")
    assert shipment.insured == usd(30_000)
    assert shipment.cover_source is CoverSource.LIMIT
    assert shipment.deadline == dt.date(2026, 6, 22)
    verdict = shipment.verdict
    assert [v.outcome for v in verdict.verdicts] == [Outcome.PASSED] * 5
    assert verdict.verdicts[-1].text == (
        "USD 30,000.00 of 30,000.00 insured: available limit 100,000.00 = 100,000.00 less exposure 0.00"
    )


def test_limits_revolve_shipments_use_them_and_payments_free_them(
    db: Session, limited: Book, clock: FixedClock
) -> None:
    ship(limited, "INV-1", "60000.00")
    second = ship(limited, "INV-2", "50000.00")
    assert second.insured == usd(40_000)
    assert second.verdict.verdicts[-1].outcome is Outcome.PARTLY
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY) == usd(100_000)
    clock.advance(dt.timedelta(days=10))
    paid_on = TODAY + dt.timedelta(days=10)
    payment = declare_payment(
        db,
        limited.exporter,
        limited.policy.id,
        PaymentDeclaration(limited.buyer.id, usd(90_000), paid_on, "WIRE-7"),
    )
    # INV-1 (oldest: same shipment date, earlier invoice number) is settled, INV-2 gets the rest.
    applied = applications_of(db, payment.id)
    assert [(number, a.paid_minor, a.insured_released_minor) for a, number in applied] == [
        ("INV-1", 6_000_000, 6_000_000),
        ("INV-2", 3_000_000, 2_400_000),
    ]
    assert payment.unapplied.is_zero
    # Exposure on any date: before the payment it was the whole insured amount, after it what is left.
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY) == usd(100_000)
    assert exposure(db, limited.policy.id, limited.buyer.id, on=paid_on) == usd(16_000)
    assert exposure(db, limited.policy.id, limited.buyer.id, on=TODAY - dt.timedelta(days=1)) == usd(0)
    third = ship(limited, "INV-3", "100000.00", shipped=paid_on)
    assert third.insured == usd(84_000)
    rows = exposure_by_buyer(db, limited.exporter, limited.policy.id, on=paid_on)
    assert [(r.limit, r.exposure, r.available) for r in rows] == [(usd(100_000), usd(100_000), usd(0))]


def test_an_overdue_invoice_shows_in_the_exposure_table(
    db: Session, limited: Book, clock: FixedClock
) -> None:
    ship(limited, "INV-1", "10000.00", credit_days=30)
    clock.advance(dt.timedelta(days=45))
    rows = exposure_by_buyer(db, limited.exporter, limited.policy.id, on=TODAY + dt.timedelta(days=45))
    assert rows[0].overdue == usd(10_000)


def test_without_a_limit_the_dcl_needs_two_purchases_paid_on_time(
    db: Session, book: Book, clock: FixedClock
) -> None:
    _SESSIONS[id(book)] = db
    first = ship(book, "INV-1", "10000.00", shipped=dt.date(2026, 3, 2), credit_days=30)
    assert first.insured.is_zero
    assert first.cover_source is CoverSource.NONE
    ship(book, "INV-2", "10000.00", shipped=dt.date(2026, 3, 3), credit_days=30)
    declare_payment(
        db,
        book.exporter,
        book.policy.id,
        PaymentDeclaration(book.buyer.id, usd(20_000), dt.date(2026, 3, 20)),
    )
    third = ship(book, "INV-3", "80000.00")
    assert third.cover_source is CoverSource.DCL
    assert third.insured == usd(50_000)


def test_a_declined_limit_bars_the_dcl(db: Session, book: Book) -> None:
    _SESSIONS[id(book)] = db
    risky = new_buyer(db, grade=9)
    assert (
        request_limit(db, book.exporter, book.policy.id, risky.id, usd(50_000)).status is LimitStatus.DECLINED
    )
    shipment = ship(book, "INV-1", "1000.00", buyer_id=risky.id)
    assert shipment.insured.is_zero
    assert shipment.cover_source is CoverSource.NONE


def test_a_late_declaration_is_noted_but_insured(db: Session, limited: Book, clock: FixedClock) -> None:
    clock.advance(dt.timedelta(days=10))
    shipment = ship(limited, "INV-1", "1000.00")
    deadline = next(v for v in shipment.verdict.verdicts if v.rule is Rule.DEADLINE)
    assert deadline.text == "declared 2026-06-25, after the deadline 2026-06-22"
    assert shipment.insured == usd(1_000)


def test_a_stoppage_given_by_the_overdue_records_refuses_cover(db: Session, limited: Book) -> None:
    shipment = declare_shipment(
        db,
        limited.exporter,
        limited.policy.id,
        ShipmentDeclaration(limited.buyer.id, "INV-9", usd(1_000), TODAY, TODAY + dt.timedelta(days=60)),
        stopped_since=TODAY - dt.timedelta(days=3),
    )
    assert shipment.insured.is_zero
    assert shipment.verdict.summary.startswith(
        "not insured: shipped 2026-06-15 while the buyer was in stoppage"
    )


def test_an_invoice_number_is_declared_once_per_policy(db: Session, limited: Book) -> None:
    ship(limited, "INV-1", "1000.00")
    with pytest.raises(Conflict) as refused:
        ship(limited, "INV-1", "2000.00")
    assert refused.value.field == "invoice_number"


@pytest.mark.parametrize(
    ("amount", "currency", "shipped", "credit_days", "field"),
    [
        ("0.00", "USD", TODAY, 90, "amount"),
        ("-5.00", "USD", TODAY, 90, "amount"),
        ("100.00", "EUR", TODAY, 90, "currency"),
        ("100.00", "USD", TODAY - dt.timedelta(days=1), -3, "due_date"),
        ("100.00", "USD", TODAY - dt.timedelta(days=1), 400, "due_date"),
        ("100.00", "USD", TODAY + dt.timedelta(days=1), 30, "shipment_date"),
        ("100.00", "USD", dt.date(2025, 12, 30), 30, "shipment_date"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_changes_nothing(
    db: Session, limited: Book, amount: str, currency: str, shipped: dt.date, credit_days: int, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ship(limited, "INV-X", amount, shipped=shipped, credit_days=credit_days, currency=currency)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Shipment)) == 0


def test_a_zero_payment_or_one_in_the_future_is_refused(db: Session, limited: Book) -> None:
    for amount, day, field in (
        (usd(0), TODAY, "amount"),
        (usd(5), TODAY + dt.timedelta(days=1), "received_on"),
    ):
        with pytest.raises(ValidationError) as refused:
            declare_payment(
                db, limited.exporter, limited.policy.id, PaymentDeclaration(limited.buyer.id, amount, day)
            )
        assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Payment)) == 0


def test_only_the_insured_declares_and_other_organisations_see_nothing(db: Session, limited: Book) -> None:
    ship(limited, "INV-1", "1000.00")
    with pytest.raises(PermissionDenied):
        declare_shipment(
            db,
            limited.underwriter,
            limited.policy.id,
            ShipmentDeclaration(limited.buyer.id, "INV-2", usd(1), TODAY, TODAY),
        )
    other = open_book(db)
    set_tenant(db, other.exporter.tenant)
    with pytest.raises(NotFound):
        list_shipments(db, other.exporter, limited.policy.id)
    with pytest.raises(NotFound):
        declare_shipment(
            db,
            other.exporter,
            limited.policy.id,
            ShipmentDeclaration(limited.buyer.id, "INV-3", usd(1), TODAY, TODAY),
        )
    set_tenant(db, limited.underwriter.tenant)
    page = list_shipments(db, limited.underwriter, limited.policy.id)
    assert [s.invoice_number for s in page.items] == ["INV-1"]
    assert page.total == 1


def test_the_premium_is_the_policies_price_of_the_insured_part(db: Session, book: Book) -> None:
    product = db.scalars(select(Product).where(Product.insurer_id == book.insurer_id)).one()
    table = rate_table_for(db, product)
    policy = issue_policy(
        db,
        book.insurer_admin,
        product=product,
        policyholder_id=book.policy.policyholder_id,
        terms=product.terms,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=table.id,
        rate_adjustment=Decimal("0.1"),
        preferential_discount=Rate.percent(15),
    )
    request_limit(db, book.exporter, policy.id, book.buyer.id, usd(100_000))
    shipment = declare_shipment(
        db,
        book.exporter,
        policy.id,
        ShipmentDeclaration(book.buyer.id, "P-1", usd("123456.78"), TODAY, TODAY + dt.timedelta(days=75)),
    )
    expected = price_shipment(
        rate_grid(table),
        buyer_grade=book.buyer.grade,
        country_grade=country_grade(db, "US"),
        credit_days=75,
        amount=shipment.insured,
        discount=Rate.percent(15),
        adjustment=Decimal("0.1"),
    )
    assert shipment.insured == usd(100_000)
    assert shipment.premium == expected
    assert expected.is_positive
