"""`tradecover overdues report FILE --policy NO` and `tradecover tick --on DATE`, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.cli.conftest import Cli, cli_backend  # noqa: F401
from tests.limits.conftest import open_book, usd

from tradecover.alerts.model import Alert
from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit

SHIPPED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The clock starts on the shipment date."""
    fixed = FixedClock(dt.datetime.combine(SHIPPED, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def test_overdues_are_reported_from_a_file_and_the_tick_runs_once_a_day(
    cli_backend: Cli,  # noqa: F811
    tmp_path: Path,
    clock: FixedClock,
) -> None:
    cli = cli_backend
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        book = open_book(session)
        request_limit(session, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
        for number in ("INV-1", "INV-2", "INV-3"):
            declaration = ShipmentDeclaration(book.buyer.id, number, usd(1_000), SHIPPED, DUE)
            declare_shipment(session, book.exporter, book.policy.id, declaration)
        number = book.policy.number
    clock.set(dt.datetime.combine(DUE + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC))
    bad = tmp_path / "bad.csv"
    bad.write_text("invoice_number\nINV-1\nINV-404\n")
    refused = cli("overdues", "report", str(bad), "--policy", number)
    assert refused.exit_code == 2
    expected = f"error: invoices: row 2: no invoice INV-404 is declared on policy {number}"
    assert refused.output.strip() == expected
    assert cli("overdues", "report", str(tmp_path / "none.csv"), "--policy", number).exit_code == 2
    good = tmp_path / "overdues.csv"
    good.write_text("invoice_number,comment\nINV-1,x\nINV-2,y\n")
    reported = cli("overdues", "report", str(good), "--policy", number)
    assert reported.exit_code == 0, reported.output
    assert f"2 overdue(s) reported on policy {number}" in reported.output
    listed = cli("overdues", "list", "--policy", number)
    assert "INV-1" in listed.output
    assert "INV-2" in listed.output
    assert cli("overdues", "list", "--status", "lost").exit_code == 2
    assert cli("tick", "--on", "yesterday").exit_code == 2

    first = cli("tick", "--on", (DUE + dt.timedelta(days=3)).isoformat())
    assert first.exit_code == 0, first.output
    assert "overdue not yet reported 1" in first.output
    again = cli("tick", "--on", (DUE + dt.timedelta(days=3)).isoformat())
    assert "overdue not yet reported 0" in again.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        statuses = set(session.scalars(select(Overdue.status)))
        assert statuses == {OverdueStatus.REPORTED}
        assert (
            session.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "overdue_to_report"))
            == 1
        )
    engine.dispose()
