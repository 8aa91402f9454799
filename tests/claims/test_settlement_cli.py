"""`tradecover claims complete|pay|recover|service-levels|close`: a claim settled from the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from tests.claims.test_filing_cli import cli_claims

from tradecover.claims.model import Claim, ClaimStatus
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant


def test_a_claim_is_paid_recovered_and_closed_from_the_command_line(tmp_path: Path) -> None:
    setup = cli_claims(tmp_path)
    cli, engine = setup.cli, setup.engine
    policy, exporter, handler = setup.policy, setup.exporter, setup.handler
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.4 statement of account")
    filed = cli(
        "claims", "file", "--policy", policy, "--cause", "protracted_default", "--invoice", "INV-1",
        "--document", str(statement), "--as", exporter,
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        number = session.scalars(select(Claim.number)).one()

    early = cli("claims", "pay", number, "--as", handler)
    assert early.exit_code == 2
    assert len(early.output.strip().splitlines()) == 1
    completed = cli("claims", "complete", number, "--as", handler)
    assert completed.exit_code == 0, completed.output
    assert "decide by" in completed.output
    assert cli("claims", "assess", number, "--outcome", "approved", "--as", handler).exit_code == 0

    paid = cli("claims", "pay", number, "--as", handler, "--idempotency-key", "pay-1")
    assert paid.exit_code == 0, paid.output
    assert "claim paid" in paid.output
    again = cli("claims", "pay", number, "--as", handler, "--idempotency-key", "pay-1")
    assert again.exit_code == 0
    assert again.output == paid.output
    twice = cli("claims", "pay", number, "--as", handler)
    assert twice.exit_code == 2
    assert "already paid" in twice.output

    bad = cli("claims", "recover", number, "--amount", "-5", "--as", handler)
    assert bad.exit_code == 2
    recovered = cli("claims", "recover", number, "--amount", "10000", "--costs", "1000", "--as", handler)
    assert recovered.exit_code == 0, recovered.output
    assert "net USD 9,000.00" in recovered.output
    levels = cli("claims", "service-levels", "--from", "2025-01-01", "--to", "2026-12-31")
    assert levels.exit_code == 0, levels.output
    assert "median" in levels.output
    closed = cli("claims", "close", number, "--as", handler)
    assert closed.exit_code == 0, closed.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        assert session.scalars(select(Claim.status)).one() is ClaimStatus.CLOSED
    assert cli("reconcile").exit_code == 0
    engine.dispose()
