"""`tradecover premiums`: invoice a month, pay (idempotent), dun and true up from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from tests.cli.conftest import Cli
from tests.premiums.conftest import open_premium_book

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.premiums.model import PremiumInvoice, PremiumPayment


def test_a_month_is_invoiced_paid_and_dunned_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        book = open_premium_book(session, minimum_premium="5000.00")
        book.ship("C-1", "100000.00", dt.date(2026, 4, 6))
        book.ship("C-2", "50000.00", dt.date(2026, 5, 6))
        number = book.policy.number

    may = cli("premiums", "invoice", "--month", "2026-04", "--policy", number)
    assert may.exit_code == 0, may.output
    assert "1 invoice(s) for 2026-04" in may.output
    everything = cli("premiums", "invoice", "--month", "2026-05")
    assert everything.exit_code == 0, everything.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        april, may_invoice = session.scalars(
            select(PremiumInvoice).order_by(PremiumInvoice.period_start)
        ).all()
        numbers, amount = (april.number, may_invoice.number), str(april.firm_share.amount)
    listed = cli("premiums", "list", "--policy", number)
    assert all(n in listed.output for n in numbers)

    for _ in range(2):
        paid = cli("premiums", "pay", numbers[0], amount, "--on", "2026-06-15", "--idempotency-key", "k-1")
        assert paid.exit_code == 0, paid.output
    dunned = cli("premiums", "dunning", "--on", "2026-08-20")
    assert dunned.exit_code == 0, dunned.output
    assert f"{number}: no new limits" in dunned.output
    trued = cli("premiums", "true-up", "--policy", number, "--on", "2026-12-31")
    assert trued.exit_code == 0, trued.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(PremiumPayment)) == 1
        assert session.scalar(select(func.count()).select_from(PremiumInvoice)) == 3

    refused = cli("premiums", "pay", numbers[1], "-5", "--on", "2026-06-15")
    assert refused.exit_code == 2
    assert len(refused.output.strip().splitlines()) == 1
    assert cli("reconcile").exit_code == 0
    engine.dispose()
