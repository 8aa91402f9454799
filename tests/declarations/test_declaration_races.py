"""Racing declarations on one buyer never insure more than its limit, on SQLite and on PostgreSQL.

Each declaration runs in its own thread, session and committed transaction against a database made
for the test, so the policy's row lock (PostgreSQL) or the serial writers (SQLite) are all that keep
two declarations from using the same available limit.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import BACKENDS, own_database
from tests.limits.conftest import TODAY, open_book, usd

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.model import Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit

RACERS = 12


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for one test, whose transactions really commit."""
    with own_database(request.param, tmp_path, "tradecover_decl_race") as engine:
        yield engine


def test_racing_shipments_on_one_buyer_insure_at_most_its_limit(committed_engine: Engine) -> None:
    sessions = session_factory(committed_engine)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        book = open_book(session)
        request_limit(session, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    barrier = threading.Barrier(RACERS)
    failures: list[BaseException] = []

    def declare(n: int) -> None:
        try:
            barrier.wait()
            with unit_of_work(sessions, book.exporter.tenant) as session:
                declaration = ShipmentDeclaration(
                    book.buyer.id, f"R-{n:02d}", usd(30_000), TODAY, TODAY + dt.timedelta(days=60)
                )
                declare_shipment(session, book.exporter, book.policy.id, declaration)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=declare, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        insured = session.scalar(select(func.sum(Shipment.insured_minor)))
        declared = session.scalar(select(func.count()).select_from(Shipment))
    assert declared == RACERS
    assert insured == usd(100_000).minor_units
