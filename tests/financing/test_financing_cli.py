"""`tradecover financing`: set up, assign, borrowing base, draw (refused above the base), repay, close."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from tests.cli.conftest import Cli
from tests.financing.conftest import new_bank, ship
from tests.limits.conftest import open_book, usd

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.financing.model import Facility
from tradecover.limits.decisions import request_limit
from tradecover.parties.model import User


def test_a_facility_is_run_from_the_command_line(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        book = open_book(session)
        request_limit(session, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
        ship(session, book, "INV-1", 60_000, credit_days=60)
        _, officer = new_bank(session)
        bank_email = session.get_one(User, officer.user_id).email
        exporter_email = session.get_one(User, book.exporter.user_id).email
        number = book.policy.number
    set_up = cli(
        "financing", "set-up", number, "--limit", "100000", "--rate", "0.8",
        "--starts", "2026-06-01", "--matures", "2027-05-31", "--as", bank_email,
    )  # fmt: skip
    assert set_up.exit_code == 0, set_up.output
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        reference = session.scalars(select(Facility)).one().reference
    assert cli("financing", "assign", reference, "--as", exporter_email).exit_code == 0
    base = cli("financing", "borrowing-base", reference, "--on", "2026-06-15")
    assert base.exit_code == 0, base.output
    assert "Borrowing base USD 48,000.00" in base.output
    refused = cli("financing", "draw", reference, "48000.01", "--on", "2026-06-15", "--as", bank_email)
    assert refused.exit_code == 2
    assert "borrowing base" in refused.output
    drawn = cli("financing", "draw", reference, "48000", "--on", "2026-06-15", "--as", bank_email)
    assert drawn.exit_code == 0, drawn.output
    assert "outstanding USD 48,000.00" in drawn.output
    assert cli("financing", "close", reference, "--as", bank_email).exit_code == 2
    assert (
        cli("financing", "repay", reference, "48000", "--on", "2026-06-15", "--as", bank_email).exit_code == 0
    )
    assert cli("financing", "close", reference, "--as", bank_email).exit_code == 0
    assert "closed" in cli("financing", "facilities").output
