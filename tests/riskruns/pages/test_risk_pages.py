"""The Risk pages: an underwriter runs the book with a stress scenario; the regulator runs the market."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for
from tradecover.riskruns.book import Scope
from tradecover.riskruns.jobs import record_failure
from tradecover.riskruns.model import ScopeKind
from tradecover.riskruns.service import RunRequest, queue_risk_run


def _run(client: TestClient, **fields: str) -> str:
    page = client.get("/risk")
    assert page.status_code == 200
    response = client.post("/risk", data={"csrf_token": csrf_of(page.text), **fields})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


@pytest.mark.usefixtures("book")
def test_an_underwriter_runs_the_book_against_a_tariff_shock(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert 'href="/risk"' in client.get("/").text
    location = _run(client, scope="insurer", method="creditriskplus", scenario="us-tariffs-145", as_of="")
    page = client.get(location).text
    assert "Harbour Credit Insurance" in page
    assert page.count('data-testid="measure-row"') == 8
    assert "us-tariffs-145" in page
    assert 'data-testid="loss-chart"' in page
    assert 'data-testid="comparison-chart"' in page
    assert "VaR 99.5%" in page
    for dimension in ("country", "sector", "insurer", "policyholder", "buyer"):
        assert f'data-testid="contributions-{dimension}"' in page
    assert "Yiwu Bright Lanterns Co., Ltd." in page
    listing = client.get("/risk").text
    assert listing.count('data-testid="risk-run-row"') == 1


@pytest.mark.usefixtures("book")
def test_the_regulator_sees_the_market_without_policyholders(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    assert 'href="/risk"' in client.get("/").text
    page = client.get(_run(client, scope="market", method="creditriskplus", scenario="")).text
    assert 'data-testid="contributions-insurer"' in page
    assert 'data-testid="contributions-policyholder"' not in page
    assert "Yiwu Bright Lanterns" not in page


def test_bad_input_shows_the_form_again_and_others_cannot_run(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    page = client.get("/risk")
    refused = client.post(
        "/risk", data={"csrf_token": csrf_of(page.text), "scope": "insurer", "scenario": "meteor"}
    )
    assert refused.status_code == 422
    assert re.search(r"(?i)no such scenario &#39;meteor", refused.text)
    assert client.get("/risk").text.count('data-testid="risk-run-row"') == 0
    assert client.get(f"/risk/{uuid.uuid4()}").status_code == 404
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, world.emails[Role.POLICYHOLDER])
    assert client.get("/risk").status_code == 403


@pytest.mark.usefixtures("book")
def test_a_queued_run_shows_its_progress_and_a_failed_one_why(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        underwriter = session.scalars(select(User).where(User.email == world.emails[Role.UNDERWRITER])).one()
        run_id = queue_risk_run(session, actor_for(underwriter), RunRequest(Scope(ScopeKind.INSURER))).id
    sign_in(client, world.emails[Role.UNDERWRITER])
    page = client.get(f"/risk/{run_id}").text
    assert 'data-testid="run-progress"' in page
    assert 'http-equiv="refresh"' in page
    assert "running 0%" in client.get("/risk").text
    record_failure(sessions, run_id, "the engine stopped")
    failed = client.get(f"/risk/{run_id}").text
    assert "The run failed: the engine stopped" in failed
    assert 'http-equiv="refresh"' not in failed
