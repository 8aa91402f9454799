"""Overdues: report (one and many), stoppage, extensions, withdrawal, claims' hooks, and the daily tick."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import Book, member, open_book, usd

from tradecover.alerts.model import Alert
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.claims.overdues import (
    decide_extension,
    list_overdues,
    mark_claimed,
    read_overdue_file,
    record_loss_event,
    report_overdue,
    report_overdues,
    reported_overdue,
    request_extension,
    withdraw_overdue,
)
from tradecover.claims.tick import run_tick
from tradecover.clock import FixedClock, set_clock
from tradecover.declarations.events import LossEvent, open_stoppage
from tradecover.declarations.model import Shipment
from tradecover.declarations.payments import PaymentDeclaration, declare_payment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.errors import Conflict, PermissionDenied, ValidationError
from tradecover.limits.decisions import request_limit
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.terms import CauseOfLoss

DAY = dt.timedelta(days=1)
SHIPPED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 5, 1)  # USD policy: weekdays; 30 days later is Sun 31 May → deadline Mon 1 June
DEADLINE = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The clock starts at the shipment date; tests move it."""
    fixed = FixedClock(dt.datetime.combine(SHIPPED, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@dataclass
class Overdues:
    """A book with a limit, two invoices due 1 May 2026, a bank as loss payee, a claims handler."""

    book: Book
    bank_id: uuid.UUID
    handler: Actor
    first: Shipment
    second: Shipment


def _move(clock: FixedClock, day: dt.date) -> None:
    clock.set(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))


@pytest.fixture
def world_(db: Session, clock: FixedClock) -> Overdues:
    book = open_book(db)
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    shipments = [
        declare_shipment(
            db,
            book.exporter,
            book.policy.id,
            ShipmentDeclaration(book.buyer.id, number, usd(10_000), SHIPPED, DUE),
        )
        for number in ("INV-1", "INV-2")
    ]
    bank = create_organisation(
        db, Actor.system(), name=f"Bank {uuid.uuid4()}", kind=OrganisationKind.BANK, country="CN"
    )
    book.policy.loss_payee_id = bank.id
    db.flush()
    return Overdues(book, bank.id, member(db, book.insurer_id, Role.CLAIMS_HANDLER), *shipments)


def alerts(db: Session, organisation_id: uuid.UUID, kind: str) -> int:
    """How many alerts of a kind an organisation has."""
    query = (
        select(func.count())
        .select_from(Alert)
        .where(Alert.organisation_id == organisation_id, Alert.kind == kind)
    )
    return db.scalar(query) or 0


def test_an_overdue_reported_in_time_stops_cover_and_tells_the_insurer_and_the_bank(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DUE + 5 * DAY)
    overdue = report_overdue(db, book.exporter, book.policy.id, "INV-1")
    assert overdue.status is OverdueStatus.REPORTED
    assert overdue.reporting_deadline == DEADLINE
    assert overdue.reported_in_time
    assert overdue.unpaid == usd(10_000)
    assert reported_overdue(db, world_.first.id) is overdue
    assert world_.first.cover_lost_on is None
    stoppage = open_stoppage(db, book.policy.id, book.buyer.id)
    assert stoppage is not None
    assert stoppage.since == DUE + 5 * DAY
    assert alerts(db, book.insurer_id, "overdue_reported") == 1
    assert alerts(db, world_.bank_id, "overdue_reported") == 1
    # A new shipment to the buyer now is not insured.
    later = declare_shipment(
        db,
        book.exporter,
        book.policy.id,
        ShipmentDeclaration(book.buyer.id, "INV-3", usd(500), DUE + 5 * DAY, DUE + 60 * DAY),
    )
    assert later.insured.is_zero
    with pytest.raises(Conflict):
        report_overdue(db, book.exporter, book.policy.id, "INV-1")


def test_a_late_report_takes_the_invoice_out_of_cover(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    _move(clock, DEADLINE + DAY)
    overdue = report_overdue(db, world_.book.exporter, world_.book.policy.id, "INV-1")
    assert not overdue.reported_in_time
    assert world_.first.cover_lost_on == DEADLINE + DAY
    assert world_.first.claimable_insured_minor == 0
    assert "after the reporting deadline 2026-06-01" in world_.first.verdict.summary


@pytest.mark.parametrize(
    ("invoice", "day", "message"),
    [
        ("INV-1", DUE, "overdue only from the day after"),
        ("NOPE", DUE + DAY, "no invoice NOPE"),
        ("  ", DUE + DAY, "must not be blank"),
    ],
)
def test_a_report_that_is_no_overdue_is_refused_and_changes_nothing(
    db: Session, world_: Overdues, clock: FixedClock, invoice: str, day: dt.date, message: str
) -> None:
    _move(clock, day)
    with pytest.raises(ValidationError, match=message):
        report_overdue(db, world_.book.exporter, world_.book.policy.id, invoice)
    assert db.scalar(select(func.count()).select_from(Overdue)) == 0
    assert open_stoppage(db, world_.book.policy.id, world_.book.buyer.id) is None


def test_only_the_insured_reports(db: Session, world_: Overdues, clock: FixedClock) -> None:
    _move(clock, DUE + DAY)
    with pytest.raises(PermissionDenied):
        report_overdue(db, world_.handler, world_.book.policy.id, "INV-1")


def test_a_file_of_overdues_is_reported_whole_or_not_at_all(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DUE + DAY)
    numbers = read_overdue_file(b"invoice_number,note\nINV-1,x\nINV-9,y\n")
    with pytest.raises(ValidationError, match="row 2: no invoice INV-9"):
        report_overdues(db, book.exporter, book.policy.id, numbers)
    assert list_overdues(db) == []
    with pytest.raises(ValidationError, match="listed twice"):
        report_overdues(db, book.exporter, book.policy.id, ["INV-1", "INV-1"])
    reported = report_overdues(
        db, book.exporter, book.policy.id, read_overdue_file(b"invoice_number\nINV-1\nINV-2\n")
    )
    assert [o.invoice_number for o in reported] == ["INV-1", "INV-2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"number\nINV-1\n", "lacks the column 'invoice_number'"),
        (b"invoice_number\n", "no invoices"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_malformed_overdue_file_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        read_overdue_file(content)


def test_an_extension_within_60_days_is_granted_and_a_longer_one_is_referred(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DUE + DAY)
    overdue = report_overdue(db, book.exporter, book.policy.id, "INV-1")
    granted = request_extension(db, book.exporter, overdue.id, DUE + 60 * DAY)
    assert (granted.status, granted.extended_due_date) == (OverdueStatus.EXTENDED, DUE + 60 * DAY)
    referred = request_extension(db, book.exporter, overdue.id, DUE + 61 * DAY, note="buyer asks for time")
    assert referred.status is OverdueStatus.EXTENSION_REQUESTED
    assert overdue.extended_due_date == DUE + 60 * DAY
    assert alerts(db, book.insurer_id, "overdue_extension_referred") == 1
    with pytest.raises(PermissionDenied):
        decide_extension(db, book.exporter, overdue.id, approve=True)
    decide_extension(db, world_.handler, overdue.id, approve=False, note="no")
    assert overdue.status is OverdueStatus.EXTENDED
    assert overdue.extended_due_date == DUE + 60 * DAY
    request_extension(db, book.exporter, overdue.id, DUE + 90 * DAY)
    decide_extension(db, world_.handler, overdue.id, approve=True)
    assert overdue.extended_due_date == DUE + 90 * DAY
    assert alerts(db, book.policy.policyholder_id, "overdue_extension_decided") == 2
    with pytest.raises(Conflict):
        decide_extension(db, world_.handler, overdue.id, approve=True)
    with pytest.raises(ValidationError) as refused:
        request_extension(db, book.exporter, overdue.id, DUE + 90 * DAY)
    assert refused.value.field == "extended_due_date"


def test_withdrawal_needs_payment_and_lifts_the_stoppage_when_nothing_else_keeps_it(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DUE + DAY)
    first, second = report_overdues(db, book.exporter, book.policy.id, ["INV-1", "INV-2"])
    with pytest.raises(ValidationError, match=r"still has USD 10,000\.00 unpaid"):
        withdraw_overdue(db, book.exporter, first.id)
    declare_payment(
        db, book.exporter, book.policy.id, PaymentDeclaration(book.buyer.id, usd(10_000), DUE + DAY)
    )
    withdraw_overdue(db, book.exporter, first.id)
    assert first.status is OverdueStatus.WITHDRAWN
    assert open_stoppage(db, book.policy.id, book.buyer.id) is not None  # INV-2 still overdue
    declare_payment(
        db, book.exporter, book.policy.id, PaymentDeclaration(book.buyer.id, usd(10_000), DUE + DAY)
    )
    report = run_tick(db, DUE + 2 * DAY)  # the tick withdraws the paid one
    assert report.withdrawn == 1
    assert second.status is OverdueStatus.WITHDRAWN
    assert open_stoppage(db, book.policy.id, book.buyer.id) is None
    assert reported_overdue(db, world_.second.id) is None


def test_claims_mark_overdues_claimed_and_record_loss_events(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DUE + DAY)
    overdue = report_overdue(db, book.exporter, book.policy.id, "INV-1")
    mark_claimed(db, [overdue.id, overdue.id])
    assert overdue.status is OverdueStatus.CLAIMED
    assert reported_overdue(db, world_.first.id) is overdue
    with pytest.raises(Conflict):
        withdraw_overdue(db, book.exporter, overdue.id)
    event = record_loss_event(db, book.policy.id, book.buyer.id, CauseOfLoss.PROTRACTED_DEFAULT, DUE + DAY)
    assert db.get(LossEvent, event.id) is event


def test_the_tick_alerts_then_takes_unreported_invoices_out_of_cover_once(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    holder = book.policy.policyholder_id
    first = run_tick(db, DUE + DAY)
    assert first.unreported_alerts == 2
    assert run_tick(db, DUE + DAY).alerts == 0  # idempotent
    assert run_tick(db, DEADLINE - DAY).deadline_alerts == 2
    assert alerts(db, holder, "overdue_deadline_tomorrow") == 2
    _move(clock, DEADLINE)
    report_overdue(db, book.exporter, book.policy.id, "INV-1")  # the last day: in time
    lost = run_tick(db, DEADLINE + DAY)
    assert lost.out_of_cover == 1
    assert world_.second.cover_lost_on == DEADLINE + DAY
    assert world_.first.cover_lost_on is None
    assert run_tick(db, DEADLINE + DAY).out_of_cover == 0
    # Four months after the due date (export product), a claim may be filed on the reported one.
    assert run_tick(db, dt.date(2026, 8, 31)).loss_date_alerts == 0
    reached = run_tick(db, dt.date(2026, 9, 1))
    assert reached.loss_date_alerts == 2  # the insured and its bank
    assert alerts(db, world_.bank_id, "date_of_loss_reached") == 1
    assert run_tick(db, dt.date(2026, 9, 2)).alerts == 0
    # The filing window closes six months after the date of loss: a reminder the day before.
    assert run_tick(db, dt.date(2027, 2, 28)).deadline_alerts == 2
    assert alerts(db, holder, "claim_filing_deadline_tomorrow") == 1


def test_the_stoppage_for_an_unreported_overdue_lifts_once_the_invoice_is_paid(
    db: Session, world_: Overdues, clock: FixedClock
) -> None:
    book = world_.book
    _move(clock, DEADLINE + DAY)
    assert run_tick(db, DEADLINE + DAY).out_of_cover == 2
    stoppage = open_stoppage(db, book.policy.id, book.buyer.id)
    assert stoppage is not None
    assert stoppage.since == DEADLINE + DAY
    declare_payment(
        db, book.exporter, book.policy.id, PaymentDeclaration(book.buyer.id, usd(10_000), DEADLINE)
    )
    assert run_tick(db, DEADLINE + 2 * DAY).stoppages_lifted == 0  # INV-2 is still unpaid
    declare_payment(
        db, book.exporter, book.policy.id, PaymentDeclaration(book.buyer.id, usd(10_000), DEADLINE)
    )
    assert run_tick(db, DEADLINE + 3 * DAY).stoppages_lifted == 1
    assert open_stoppage(db, book.policy.id, book.buyer.id) is None
    assert stoppage.lifted_on == DEADLINE + 3 * DAY
