"""`tradecover claims`: file with a document, list, show step by step, assess from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from tests.claims.conftest import ClaimsWorld, open_claims_world, report
from tests.cli.conftest import Cli

from tradecover.claims.documents import mark_documents_complete
from tradecover.claims.model import Claim
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.model import User


@dataclass(frozen=True)
class CliClaims:
    """A migrated SQLite file with the claims world and INV-1 reported overdue, and who acts on it."""

    cli: Cli
    engine: Engine
    world: ClaimsWorld
    policy: str
    exporter: str
    handler: str


def cli_claims(tmp_path: Path) -> CliClaims:
    """The claims world in a fresh SQLite file for the command line, INV-1 reported overdue."""
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        world = open_claims_world(session)
        report(world, "INV-1")
        exporter = session.get_one(User, world.exporter.user_id).email
        handler = session.get_one(User, world.handler.user_id).email
        return CliClaims(cli, engine, world, world.policy.number, exporter, handler)


def test_a_claim_is_filed_shown_and_decided_from_the_command_line(tmp_path: Path) -> None:
    setup = cli_claims(tmp_path)
    cli, engine, world = setup.cli, setup.engine, setup.world
    policy, exporter, handler = setup.policy, setup.exporter, setup.handler
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(b"%PDF-1.4 statement")
    program = tmp_path / "run.exe"
    program.write_bytes(b"MZ\x90\x00")

    refused = cli(
        "claims", "file", "--policy", policy, "--cause", "protracted_default", "--invoice", "INV-1",
        "--document", str(program), "--as", exporter,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert len(refused.output.strip().splitlines()) == 1
    filed = cli(
        "claims", "file", "--policy", policy, "--cause", "protracted_default", "--invoice", "INV-1",
        "--document", str(statement), "--as", exporter,
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        (claim,) = session.scalars(select(Claim)).all()
        number, claim_id = claim.number, claim.id
    listed = cli("claims", "list")
    assert number in listed.output
    shown = cli("claims", "show", number)
    assert shown.exit_code == 0, shown.output
    assert "90000.00" in shown.output
    preview = cli("claims", "assess", number, "--preview", "--as", handler)
    assert preview.exit_code == 0, preview.output
    early = cli("claims", "assess", number, "--outcome", "approved", "--as", handler)
    assert early.exit_code == 2
    assert "complete documents" in early.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        mark_documents_complete(session, world.handler, claim_id)
    decided = cli("claims", "assess", number, "--outcome", "approved", "--as", handler)
    assert decided.exit_code == 0, decided.output
    assert "assessed" in decided.output
    assert cli("reconcile").exit_code == 0
    engine.dispose()
