"""`tradecover buyers search|show|regrade` against a private database of each backend."""

from __future__ import annotations

from tests.cli.conftest import Cli, _in_a_scratch_folder, cli_backend

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor

__all__ = ["_in_a_scratch_folder", "cli_backend"]  # fixtures used here


def _seeded(cli: Cli) -> str:
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    try:
        with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
            buyer = register_buyer(
                session,
                Actor.system(),
                name="Bluewater Retail Inc.",
                country="US",
                registration_number="12-3456789",
                kind=BuyerKind.COMPANY,
                sector="retail_wholesale",
                grade=4,
            )
            register_buyer(
                session,
                Actor.system(),
                name="Rhein Handel GmbH",
                country="DE",
                registration_number="HRB 9",
                kind=BuyerKind.COMPANY,
                sector="retail_wholesale",
                grade=2,
            )
            return str(buyer.id)
    finally:
        engine.dispose()


def _error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


def test_buyers_are_searched_shown_and_regraded(cli_backend: Cli) -> None:
    cli = cli_backend
    buyer_id = _seeded(cli)
    found = cli("buyers", "search", "--name", "blue", "--country", "us")
    assert found.exit_code == 0, found.output
    assert "1 found" in found.output
    assert buyer_id in found.output
    assert "Rhein" not in found.output
    regraded = cli("buyers", "regrade", buyer_id, "--grade", "6", "--reason", "US tariff shock")
    assert regraded.exit_code == 0, regraded.output
    assert "grade 4 → 6 (US tariff shock)" in regraded.output
    shown = cli("buyers", "show", buyer_id)
    assert shown.exit_code == 0, shown.output
    assert "US tariff shock" in shown.output
    assert cli("buyers", "search", "--grade-min", "6").output.count("Bluewater") == 1


def test_refusals_are_one_line_with_exit_code_2(cli_backend: Cli) -> None:
    cli = cli_backend
    buyer_id = _seeded(cli)
    for args, words in [
        (("buyers", "show", "not-an-id"), "is not a buyer id"),
        (("buyers", "show", "00000000-0000-0000-0000-000000000000"), "no such buyer"),
        (("buyers", "regrade", buyer_id, "--grade", "4", "--reason", "x"), "already 4"),
        (("buyers", "regrade", buyer_id, "--grade", "11", "--reason", "x"), "from 1 to 10"),
        (("buyers", "regrade", buyer_id, "--grade", "5", "--reason", " "), "must not be empty"),
        (("buyers", "search", "--grade-min", "7", "--grade-max", "2"), "above the highest"),
        (("buyers", "search", "--page-size", "0"), "page_size"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        line = _error_line(result.output)
        assert line.startswith("error: ")
        assert words in line, (args, line)
