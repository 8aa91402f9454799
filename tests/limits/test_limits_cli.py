"""`tradecover limits`: request, list and decide from the command line; refusals are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from tests.cli.conftest import Cli
from tests.limits.conftest import issue_export_policy, member, new_buyer

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.model import CreditLimit
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation


def test_a_limit_is_requested_listed_and_approved_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        insurer = create_organisation(
            session, Actor.system(), name="Cli Insurer", kind=OrganisationKind.INSURER, country="CN"
        )
        holder = create_organisation(
            session, Actor.system(), name="Cli Exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        admin = member(session, insurer.id, Role.INSURER_ADMIN)
        underwriter = member(session, insurer.id, Role.UNDERWRITER)
        exporter = member(session, holder.id, Role.POLICYHOLDER)
        policy = issue_export_policy(session, admin, insurer.id, holder.id)
        buyer_id = new_buyer(session).id
        emails = {
            actor.user_id: session.scalars(select(User.email).where(User.id == actor.user_id)).one()
            for actor in (underwriter, exporter)
        }
        number = policy.number

    asked = cli(
        "limits",
        "request",
        "--policy",
        number,
        "--buyer",
        str(buyer_id),
        "--amount",
        "800000",
        "--as",
        emails[exporter.user_id],
    )
    assert asked.exit_code == 0, asked.output
    assert "referred" in asked.output
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        limit_id = session.scalars(select(CreditLimit.id)).one()
    listed = cli("limits", "list", "--status", "referred")
    assert str(limit_id) in listed.output
    decided = cli("limits", "decide", str(limit_id), "approve", "--as", emails[underwriter.user_id])
    assert decided.exit_code == 0, decided.output
    assert "approved" in decided.output

    refused = cli("limits", "request", "--policy", number, "--buyer", str(buyer_id), "--amount", "-5")
    assert refused.exit_code == 2
    assert len(refused.output.strip().splitlines()) == 1
    engine.dispose()
