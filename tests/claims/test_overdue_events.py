"""Stoppages and loss events on a buyer are honoured by single declarations and by imports alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.declarations.test_importing import HEADER, line
from tests.limits.conftest import TODAY, Book, open_book, usd

from tradecover.clock import FixedClock, set_clock
from tradecover.declarations.events import (
    StoppageReason,
    lift_stoppage,
    record_loss_event,
    start_stoppage,
    take_out_of_cover,
)
from tradecover.declarations.imports import import_declarations
from tradecover.declarations.model import Shipment
from tradecover.declarations.rules import Rule
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit
from tradecover.policies.terms import CauseOfLoss

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """Noon on 15 June 2026."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture
def limited(db: Session, clock: FixedClock) -> Book:
    """A book with a USD 100,000 limit on its buyer, approved 30 days ago."""
    book = open_book(db)
    clock.advance(-30 * DAY)
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    clock.advance(30 * DAY)
    return book


def declare(db: Session, book: Book, invoice: str, shipped: dt.date = TODAY) -> Shipment:
    """Declare USD 1,000 shipped on a date, due 60 days later."""
    declaration = ShipmentDeclaration(book.buyer.id, invoice, usd(1_000), shipped, shipped + 60 * DAY)
    return declare_shipment(db, book.exporter, book.policy.id, declaration)


def test_a_stoppage_refuses_cover_from_its_start_until_it_is_lifted(db: Session, limited: Book) -> None:
    start_stoppage(db, limited.policy.id, limited.buyer.id, TODAY - 3 * DAY, StoppageReason.OVERDUE_REPORTED)
    before = declare(db, limited, "INV-0", TODAY - 4 * DAY)
    during = declare(db, limited, "INV-1")
    assert before.insured == usd(1_000)
    assert during.insured.is_zero
    assert during.stopped_since == TODAY - 3 * DAY
    assert during.verdict.summary.startswith(
        "not insured: shipped 2026-06-15 while the buyer was in stoppage"
    )
    lift_stoppage(db, limited.policy.id, limited.buyer.id, TODAY)
    after = declare(db, limited, "INV-2")
    assert after.insured == usd(1_000)
    assert after.stopped_since is None


def test_an_import_honours_stoppage_and_a_loss_event_without_being_told(db: Session, limited: Book) -> None:
    other = open_book(db)  # an unrelated policy's events change nothing here
    record_loss_event(db, other.policy.id, limited.buyer.id, CauseOfLoss.INSOLVENCY, TODAY - 30 * DAY)
    start_stoppage(db, limited.policy.id, limited.buyer.id, TODAY - 2 * DAY, StoppageReason.OVERDUE_REPORTED)
    due = (TODAY + 60 * DAY).isoformat()
    content = (
        HEADER
        + line(limited, "shipment", "F-1", "100.00", (TODAY - 5 * DAY).isoformat(), due)
        + line(limited, "shipment", "F-2", "100.00", (TODAY - DAY).isoformat(), due)
    ).encode()
    import_declarations(db, limited.exporter, limited.policy.id, "june.csv", content)
    shipments = {s.invoice_number: s for s in db.query(Shipment).filter_by(policy_id=limited.policy.id)}
    assert shipments["F-1"].insured == usd(100)
    assert shipments["F-2"].insured.is_zero
    assert shipments["F-2"].stopped_since == TODAY - 2 * DAY


def test_a_late_declaration_after_a_loss_event_is_not_insured(
    db: Session, limited: Book, clock: FixedClock
) -> None:
    record_loss_event(db, limited.policy.id, limited.buyer.id, CauseOfLoss.INSOLVENCY, TODAY - 2 * DAY)
    again = record_loss_event(
        db, limited.policy.id, limited.buyer.id, CauseOfLoss.INSOLVENCY, TODAY - 2 * DAY
    )
    late = declare(db, limited, "INV-LATE", TODAY - 20 * DAY)
    assert late.insured.is_zero
    assert late.loss_event_on == again.event_on
    refusing = [v for v in late.verdict.verdicts if v.refuses_cover]
    assert refusing[0].rule is Rule.LOSS_EVENT


def test_an_invoice_taken_out_of_cover_shows_it_and_claims_count_nothing(db: Session, limited: Book) -> None:
    shipment = declare(db, limited, "INV-1", TODAY - 10 * DAY)
    take_out_of_cover(db, shipment, TODAY, "overdue not reported by 2026-06-14")
    take_out_of_cover(db, shipment, TODAY + DAY, "a second reason is ignored")
    assert shipment.insured == usd(1_000)  # the premium and limit history stand
    assert shipment.claimable_insured_minor == 0
    assert shipment.verdict.summary == (
        "not insured: out of cover from 2026-06-15: overdue not reported by 2026-06-14"
    )
