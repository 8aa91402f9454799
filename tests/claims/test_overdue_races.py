"""Racing reports of one overdue invoice leave exactly one live report, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import BACKENDS, own_database
from tests.limits.conftest import open_book, usd

from tradecover.claims.overdue_model import Overdue
from tradecover.claims.overdues import report_overdue
from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.errors import Conflict
from tradecover.limits.decisions import request_limit

RACERS = 6
SHIPPED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 5, 1)


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """The clock starts on the shipment date."""
    fixed = FixedClock(dt.datetime.combine(SHIPPED, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for one test, whose transactions really commit."""
    with own_database(request.param, tmp_path, "tradecover_overdue_race") as engine:
        yield engine


def test_racing_reports_of_one_invoice_leave_one_report(committed_engine: Engine, clock: FixedClock) -> None:
    sessions = session_factory(committed_engine)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        book = open_book(session)
        request_limit(session, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
        declaration = ShipmentDeclaration(book.buyer.id, "INV-1", usd(1_000), SHIPPED, DUE)
        declare_shipment(session, book.exporter, book.policy.id, declaration)
    clock.set(dt.datetime.combine(DUE + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC))
    barrier = threading.Barrier(RACERS)
    refused: list[Conflict] = []
    failures: list[BaseException] = []

    def report() -> None:
        try:
            barrier.wait()
            with unit_of_work(sessions, book.exporter.tenant) as session:
                report_overdue(session, book.exporter, book.policy.id, "INV-1")
        except Conflict as error:
            refused.append(error)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=report) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert len(refused) == RACERS - 1
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(Overdue)) == 1
