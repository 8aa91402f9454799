"""The buyer registry and grade endpoints, through HTTP with API keys."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.conftest import World, api, client, sessions, world

from tradecover.audit.model import AuditEvent

__all__ = ["api", "client", "sessions", "world"]  # fixtures used here

BUYER: dict[str, Any] = {
    "name": "Bluewater Retail Inc.",
    "country": "US",
    "registration_number": "12-3456789",
    "kind": "company",
    "sector": "retail_wholesale",
    "grade": 4,
}


def _register(client: TestClient, world: World, **changes: Any) -> dict[str, Any]:
    response = client.post("/buyers", json={**BUYER, **changes}, headers=world.policyholder_a.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_policyholder_registers_a_buyer_and_every_organisation_finds_it(
    client: TestClient, world: World
) -> None:
    buyer = _register(client, world)
    assert (buyer["grade"], buyer["country_grade"]) == (4, 0)
    found = client.get("/buyers", params={"name": "bluewater"}, headers=world.insurer_b.headers).json()
    assert [b["id"] for b in found["items"]] == [buyer["id"]]
    assert (found["total"], found["pages"]) == (1, 1)
    one = client.get(f"/buyers/{buyer['id']}", headers=world.policyholder_b.headers)
    assert one.json()["name"] == "Bluewater Retail Inc."


def test_the_same_buyer_twice_is_a_conflict(client: TestClient, world: World) -> None:
    _register(client, world)
    again = client.post("/buyers", json=BUYER, headers=world.insurer_a.headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "registration_number"


def test_search_filters_and_pages(client: TestClient, world: World) -> None:
    _register(client, world)
    _register(client, world, name="Gulf Coast Retail LLC", registration_number="98-7654321", grade=8)
    _register(client, world, name="Rhein Retail GmbH", country="DE", registration_number="HRB 1", grade=2)
    headers = world.insurer_a.headers
    page = client.get("/buyers", params={"page_size": 2, "page": 2}, headers=headers).json()
    assert ([b["name"] for b in page["items"]], page["total"], page["pages"]) == (["Rhein Retail GmbH"], 3, 2)
    graded = client.get("/buyers", params={"grade_min": 3, "country": "us"}, headers=headers).json()
    assert [b["name"] for b in graded["items"]] == ["Bluewater Retail Inc.", "Gulf Coast Retail LLC"]
    refused = client.get("/buyers", params={"grade_min": 6, "grade_max": 5}, headers=headers)
    assert refused.status_code == 422
    assert client.get("/buyers", params={"colour": "red"}, headers=headers).status_code == 422


def test_an_insurer_regrades_a_buyer_and_the_history_shows_who_and_why(
    client: TestClient, world: World, db: Session
) -> None:
    buyer = _register(client, world)
    change = client.post(
        f"/buyers/{buyer['id']}/grade",
        json={"grade": 6, "reason": "US tariffs: paying late"},
        headers=world.insurer_a.headers,
    )
    assert change.status_code == 201, change.text
    assert (change.json()["old_grade"], change.json()["new_grade"]) == (4, 6)
    history = client.get(f"/buyers/{buyer['id']}/grades", headers=world.policyholder_b.headers).json()
    assert [(h["new_grade"], h["reason"], h["changed_by_user_id"]) for h in history] == [
        (6, "US tariffs: paying late", str(world.insurer_a.user.id))
    ]
    assert client.get(f"/buyers/{buyer['id']}", headers=world.insurer_b.headers).json()["grade"] == 6
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == buyer["id"])).all()
    assert sorted(actions) == ["buyer.grade_changed", "buyer.registered"]


def test_a_regrade_without_a_reason_or_to_the_same_grade_is_refused_and_changes_nothing(
    client: TestClient, world: World
) -> None:
    buyer = _register(client, world)
    url, headers = f"/buyers/{buyer['id']}/grade", world.insurer_a.headers
    assert client.post(url, json={"grade": 6, "reason": ""}, headers=headers).status_code == 422
    assert client.post(url, json={"grade": 11, "reason": "x"}, headers=headers).status_code == 422
    assert client.post(url, json={"grade": 4, "reason": "x"}, headers=headers).status_code == 422
    assert (
        client.post(url, json={"grade": 6, "reason": "x"}, headers=world.policyholder_a.headers).status_code
        == 403
    )
    assert client.get(f"/buyers/{buyer['id']}/grades", headers=headers).json() == []


def test_a_country_is_regraded_and_its_grade_and_history_follow(client: TestClient, world: World) -> None:
    before = client.get("/countries/us/grades", headers=world.policyholder_a.headers).json()
    assert before == {"country": "US", "grade": 0, "reference_grade": 0, "history": []}
    change = client.post(
        "/countries/US/grade",
        json={"grade": 2, "reason": "tariff escalation"},
        headers=world.insurer_a.headers,
    )
    assert change.status_code == 201, change.text
    after = client.get("/countries/US/grades", headers=world.policyholder_b.headers).json()
    assert (after["grade"], after["reference_grade"], len(after["history"])) == (2, 0, 1)
    buyer = _register(client, world)
    assert buyer["country_grade"] == 2
    unknown = client.get("/countries/XX/grades", headers=world.insurer_a.headers)
    assert unknown.status_code == 422
