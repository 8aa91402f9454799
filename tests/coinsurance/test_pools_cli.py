"""`tradecover pools`: create, list and show from the command line; bad shares are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.cli.conftest import Cli

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import create_organisation


def _cli_with_insurers(tmp_path: Path) -> Cli:
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        for name in ("PICC", "Ping An", "CPIC"):
            create_organisation(
                session, Actor.system(), name=name, kind=OrganisationKind.INSURER, country="CN"
            )
    return cli


def _pools(cli: Cli) -> int:
    with unit_of_work(session_factory(cli.engine()), Tenant.unrestricted()) as session:
        query = (
            select(func.count()).select_from(Organisation).where(Organisation.kind == OrganisationKind.POOL)
        )
        return int(session.scalar(query) or 0)


def test_a_pool_is_created_listed_and_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli = _cli_with_insurers(tmp_path)
    created = cli(
        "pools", "create", "Domestic Pool",
        "--member", "PICC:40%", "--member", "Ping An:0.35", "--member", "CPIC:0.25",
        "--leader", "PICC", "--commission", "5%", "--currency", "CNY", "--capacity", "10000000000",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "PICC 40% (leader), Ping An 35%, CPIC 25%" in created.output
    listed = cli("pools", "list")
    assert listed.exit_code == 0, listed.output
    assert "Domestic Pool" in listed.output
    assert "5%" in listed.output
    shown = cli("pools", "show", "Domestic Pool")
    assert shown.exit_code == 0, shown.output
    assert "CNY 3,500,000,000" in shown.output
    assert "CNY 2,500,000,000" in shown.output


def test_shares_not_adding_up_exit_2_with_one_line_and_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli = _cli_with_insurers(tmp_path)
    refused = cli(
        "pools", "create", "Short Pool",
        "--member", "PICC:0.4", "--member", "Ping An:0.345", "--member", "CPIC:0.25",
        "--leader", "PICC", "--commission", "0.05", "--currency", "CNY",
    )  # fmt: skip
    assert refused.exit_code == 2
    assert refused.output.strip() == "error: shares: shares must add up to exactly 100%; they add up to 99.5%"
    assert _pools(cli) == 0
    malformed = cli(
        "pools",
        "create",
        "Odd Pool",
        "--member",
        "PICC",
        "--leader",
        "PICC",
        "--commission",
        "0",
        "--currency",
        "CNY",
    )
    assert malformed.exit_code == 2
    assert malformed.output.strip() == "error: member: 'PICC' is not NAME:SHARE"
