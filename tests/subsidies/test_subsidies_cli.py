"""`tradecover subsidies`: list programmes, show budget use, explain eligibility, pay; refusals exit 2."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.cli.conftest import Cli
from tests.subsidies.conftest import TODAY, cny, new_exporter, open_bureau, usd

from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.model import Organisation, User
from tradecover.subsidies.model import SubsidyPayment
from tradecover.subsidies.service import commit_subsidy


def test_an_officer_reads_programmes_and_eligibility_and_pays_insurers_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli = Cli(f"sqlite:///{tmp_path / 'cli.db'}")
    assert cli("db", "upgrade").exit_code == 0
    engine = cli.engine()
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        bureau = open_bureau(session)
        bureau.programme(session, budget=cny(100_000))
        holder = new_exporter(session)
        too_big = new_exporter(session, exports_usd=9_100_000)
        policy = bureau.policy_for(session, holder)
        commit_subsidy(
            session,
            invoice_id=uuid.uuid4(),
            policy_id=policy.id,
            policyholder_id=holder,
            product_kind="export_whole_turnover",
            premium=usd(1000),
            on=TODAY,
        )
        officer_email = session.scalars(select(User.email).where(User.id == bureau.officer.user_id)).one()
        names = {
            org.id: org.name
            for org in session.scalars(select(Organisation).where(Organisation.id.in_([holder, too_big])))
        }

    listed = cli("subsidies", "programmes")
    assert listed.exit_code == 0, listed.output
    assert "Yiwu export credit insurance subsidy" in listed.output
    shown = cli("subsidies", "show", "Yiwu export credit insurance subsidy")
    assert shown.exit_code == 0, shown.output
    assert "1 commitments, 0 enrolments" in shown.output
    eligible = cli("subsidies", "eligibility", "--firm", names[holder], "--on", TODAY.isoformat())
    assert "eligible: Yiwu export credit insurance subsidy — 80% of premium" in eligible.output
    refused = cli("subsidies", "eligibility", "--firm", str(too_big), "--on", TODAY.isoformat())
    assert "prior-year exports USD 9,100,000 exceed the threshold USD 8,000,000" in refused.output
    paid = cli(
        "subsidies", "pay", "Yiwu export credit insurance subsidy", "--up-to", TODAY.isoformat(),
        "--as", officer_email, "--key", "june",
    )  # fmt: skip
    assert paid.exit_code == 0, paid.output
    assert "1 payment(s)" in paid.output
    again = cli(
        "subsidies", "pay", "Yiwu export credit insurance subsidy", "--up-to", TODAY.isoformat(),
        "--as", officer_email, "--key", "june",
    )  # fmt: skip
    assert again.exit_code == 0
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        assert len(session.scalars(select(SubsidyPayment)).all()) == 1
    bad = cli("subsidies", "pay", "Yiwu export credit insurance subsidy", "--up-to", "June")
    assert bad.exit_code == 2
    assert len(bad.output.strip().splitlines()) == 1
    assert cli("reconcile").exit_code == 0
