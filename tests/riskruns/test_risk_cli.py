"""`tradecover risk run --scope ...`: the platform book from the command line; refusals: one line, exit 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.cli.conftest import Cli, cli_backend  # noqa: F401
from tests.riskruns.conftest import build_risk_book

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.riskruns.model import RiskRun


@pytest.fixture
def seeded(cli_backend: Cli) -> tuple[Cli, str]:  # noqa: F811
    """A migrated database of the backend with the small risk book; the CLI and the insurer's name."""
    assert cli_backend("db", "upgrade").exit_code == 0
    engine = cli_backend.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        name = build_risk_book(session).insurer_name
    engine.dispose()
    return cli_backend, name


def test_an_insurers_book_is_run_stored_and_printed(seeded: tuple[Cli, str]) -> None:
    cli, name = seeded
    shown = cli("risk", "run", "--scope", f'insurer:"{name}"', "--scenario", "us-tariffs-145")
    assert shown.exit_code == 0, shown.output
    assert "expected loss" in shown.output
    assert "us-tariffs-145" in shown.output
    assert "Contribution to ES 99.5% by country" in shown.output
    as_json = cli("risk", "run", "--scope", f"insurer:{name}", "--as-of", "2026-06-15", "--json")
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert document["obligors"] == 3
    assert document["as_of"] == "2026-06-15"
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        runs = session.scalars(select(RiskRun).order_by(RiskRun.created_at)).all()
        assert len(runs) == 2
        stored = {(m.measure, m.level or None): m.amount_minor for m in runs[1].measures}
    engine.dispose()
    for row in document["measures"]:
        assert round(float(row["amount"]) * 100) == stored[row["measure"], row["level"]]
    market = cli("risk", "run", "--scope", "market", "--method", "montecarlo", "--simulations", "1000")
    assert market.exit_code == 0, market.output
    assert "std. error" in market.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", 'insurer:"Nobody"'], "no insurer named 'Nobody'"),
        (["--scope", "galaxy"], "--scope must be"),
        (["--scope", "market", "--method", "analytic"], "creditriskplus or montecarlo"),
        (["--scope", "market", "--unit", "100"], "--unit is for a CSV book"),
        (["--scope", "market", "--seed", "3"], "--method montecarlo"),
        (["--scope", "market", "--as-of", "June"], "--as-of must be a date"),
        (["--scope", "market", "--scenario", "meteor"], "no such scenario"),
        (["--as-of", "2026-06-15"], "--portfolio"),
        (["--scope", "market", "--exposure", "guess"], "--exposure must be limits or outstanding"),
        (["--scope", "market", "--as", "nobody@example.org"], "no user has the e-mail"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(seeded: tuple[Cli, str], args: list[str], message: str) -> None:
    cli, _ = seeded
    result = cli("risk", "run", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
