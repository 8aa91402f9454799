"""The risk runs API: an insurer runs its book, reads it back; the regulator runs the market; refusals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.limits.conftest import issue_export_policy, new_buyer

from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key
from tradecover.riskruns import service


def _headers(db: Session, organisation_id: Any, role: Role) -> dict[str, str]:
    user = create_user(
        db,
        Actor.system(),
        organisation_id=organisation_id,
        email=f"{role.value}.{organisation_id}@example.org",
        full_name="Api Person",
        roles=[role],
    )
    _, token = issue_api_key(db, actor_for(user), "risk test")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def regulator(db: Session, world: World) -> dict[str, str]:
    """Insurer A's book (two US limits of policyholder A), and a regulator's key."""
    policy = issue_export_policy(
        db,
        actor_for(world.insurer_a.user),
        world.insurer_a.organisation.id,
        world.policyholder_a.organisation.id,
    )
    holder = actor_for(world.policyholder_a.user)
    for grade, amount in ((4, "100000"), (6, "80000")):
        limit = request_limit(db, holder, policy.id, new_buyer(db, grade=grade).id, Money.of(amount, "USD"))
        assert limit.amount_minor > 0, limit.reason
    organisation = create_organisation(
        db, Actor.system(), name="Market Regulator", kind=OrganisationKind.REGULATOR, country="CN"
    )
    headers = _headers(db, organisation.id, Role.REGULATOR)
    db.commit()
    return headers


def test_an_insurer_runs_its_book_with_a_scenario_and_reads_it_back(
    client: TestClient, world: World, regulator: dict[str, str]
) -> None:
    body = {
        "scope": "insurer",
        "method": "creditriskplus",
        "scenario": "us-tariffs-145",
        "as_of": "2026-06-15",
    }
    created = client.post("/risk-runs", json=body, headers=world.insurer_a.headers)
    assert created.status_code == 201, created.text
    run = created.json()
    assert run["obligors"] == 2
    assert run["exposure"] == {"amount": "180000.00", "currency": "USD"}
    assert run["scope_label"] == world.insurer_a.organisation.name
    base = {(m["measure"], m["level"]): m["amount"] for m in run["measures"] if m["scenario"] is None}
    stressed = {
        (m["measure"], m["level"]): m["amount"] for m in run["measures"] if m["scenario"] == "us-tariffs-145"
    }
    assert set(base) == {("expected_loss", None), ("std", None)} | {
        (k, lv) for k in ("var", "es") for lv in ("0.99", "0.995", "0.999")
    }
    assert float(stressed["expected_loss", None]["amount"]) > float(base["expected_loss", None]["amount"])
    holders = [c for c in run["contributions"] if c["dimension"] == "policyholder" and c["scenario"] is None]
    assert [c["label"] for c in holders] == [world.policyholder_a.organisation.name]
    assert holders[0]["amount"] == base["es", "0.995"]
    listed = client.get("/risk-runs", headers=world.insurer_a.headers)
    assert [r["id"] for r in listed.json()] == [run["id"]]
    assert client.get("/risk-runs?offset=1", headers=world.insurer_a.headers).json() == []
    again = client.get(f"/risk-runs/{run['id']}", headers=world.insurer_a.headers)
    assert again.json()["measures"] == run["measures"]
    # Another insurer and the regulator find none of it.
    for headers in (world.insurer_b.headers, regulator):
        assert client.get(f"/risk-runs/{run['id']}", headers=headers).status_code == 404
        assert client.get("/risk-runs", headers=headers).json() == []


def test_the_regulator_runs_the_market_and_sees_aggregates_only(
    client: TestClient, world: World, regulator: dict[str, str]
) -> None:
    created = client.post("/risk-runs", json={"scope": "market", "as_of": "2026-06-15"}, headers=regulator)
    assert created.status_code == 201, created.text
    dimensions = {c["dimension"] for c in created.json()["contributions"]}
    assert dimensions == {"country", "sector", "insurer"}  # no policyholder, no buyer
    insurers = [c["label"] for c in created.json()["contributions"] if c["dimension"] == "insurer"]
    assert world.insurer_a.organisation.name in insurers


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("policyholder_a", {"scope": "insurer"}, 403, None),
        ("insurer_a", {"scope": "market"}, 403, None),
        ("insurer_b", {"scope": "insurer", "organisation_id": "INSURER_A"}, 404, "organisation_id"),
        ("insurer_a", {"scope": "insurer", "scenario": "meteor"}, 422, "scenario"),
        ("insurer_a", {"scope": "insurer", "method": "guess"}, 422, "body.method"),
        ("insurer_a", {"scope": "galaxy"}, 422, "body.scope"),
    ],
)
def test_refusals(
    client: TestClient, world: World, regulator: dict[str, str], who: str, body: dict[str, Any], status: int,
    field: str | None,
) -> None:  # fmt: skip
    if body.get("organisation_id") == "INSURER_A":
        body = {**body, "organisation_id": str(world.insurer_a.organisation.id)}
    answer = client.post("/risk-runs", json=body, headers=getattr(world, who).headers)
    assert answer.status_code == status, answer.text
    if field is not None:
        assert answer.json()["errors"][0]["field"] == field
    assert client.get("/risk-runs", headers=getattr(world, who).headers).json() == []


def test_the_insured_outstanding_basis_is_recorded_and_an_empty_book_has_no_measures(
    client: TestClient, world: World, regulator: dict[str, str]
) -> None:
    body = {"scope": "insurer", "exposure": "outstanding", "as_of": "2026-06-15"}
    created = client.post("/risk-runs", json=body, headers=world.insurer_a.headers)
    assert created.status_code == 201, created.text
    run = created.json()
    assert run["parameters"]["exposure"] == "outstanding"
    assert (run["status"], run["obligors"], run["measures"]) == ("empty", 0, [])


def test_a_background_run_answers_202_at_once_and_is_measured_after_the_answer(
    client: TestClient, world: World, regulator: dict[str, str]
) -> None:
    body = {"scope": "insurer", "scenario": "recession", "as_of": "2026-06-15"}
    queued = client.post("/risk-runs", json={**body, "background": True}, headers=world.insurer_a.headers)
    assert queued.status_code == 202, queued.text
    assert (queued.json()["status"], queued.json()["progress"], queued.json()["measures"]) == (
        "running",
        0,
        [],
    )
    # The test client returns once the background task has run.
    done = client.get(f"/risk-runs/{queued.json()['id']}", headers=world.insurer_a.headers).json()
    assert (done["status"], done["progress"], done["obligors"]) == ("succeeded", 100, 2)
    now = client.post("/risk-runs", json=body, headers=world.insurer_a.headers).json()
    assert done["measures"] == now["measures"]
    assert done["contributions"] == now["contributions"]


def test_a_background_run_that_fails_says_why_and_keeps_no_results(
    client: TestClient, world: World, regulator: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise ValueError("the grid of 9,999,999,999 units is too long")

    monkeypatch.setattr(service, "run_engine", refuse)
    body = {"scope": "insurer", "as_of": "2026-06-15", "background": True}
    queued = client.post("/risk-runs", json=body, headers=world.insurer_a.headers)
    assert queued.status_code == 202, queued.text
    failed = client.get(f"/risk-runs/{queued.json()['id']}", headers=world.insurer_a.headers).json()
    assert failed["status"] == "failed"
    assert failed["error"] == "the risk engine refused the book: the grid of 9,999,999,999 units is too long"
    assert (failed["measures"], failed["contributions"]) == ([], [])
