"""The limits API: request, queue, approve, history, reduce, withdraw; bad input is a 422 changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.limits.conftest import issue_export_policy, new_buyer

from tradecover.limits.model import CreditLimit
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for, create_user, issue_api_key
from tradecover.policies.model import Policy


def _headers(db: Session, organisation_id: object, role: Role) -> dict[str, str]:
    user = create_user(
        db,
        Actor.system(),
        organisation_id=organisation_id,  # type: ignore[arg-type]
        email=f"{role.value}.{organisation_id}@example.org",
        full_name="Api Person",
        roles=[role],
    )
    _, token = issue_api_key(db, actor_for(user), "limits test")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setting(db: Session, world: World) -> dict[str, Any]:
    """Insurer A's export policy for policyholder A, an underwriter's key, and two buyers."""
    admin = actor_for(world.insurer_a.user)
    policy: Policy = issue_export_policy(
        db, admin, world.insurer_a.organisation.id, world.policyholder_a.organisation.id
    )
    values = {
        "policy": policy,
        "underwriter": _headers(db, world.insurer_a.organisation.id, Role.UNDERWRITER),
        "buyer": new_buyer(db),
        "other_buyer": new_buyer(db),
    }
    db.commit()
    return values


def _ask(client: TestClient, world: World, setting: dict[str, Any], amount: str, buyer: str = "buyer") -> Any:
    body = {
        "policy_id": str(setting["policy"].id),
        "buyer_id": str(setting[buyer].id),
        "amount": {"amount": amount, "currency": "USD"},
    }
    return client.post("/limits", json=body, headers=world.policyholder_a.headers)


def test_a_policyholder_requests_limits_and_an_underwriter_works_the_queue(
    client: TestClient, world: World, setting: dict[str, Any]
) -> None:
    instant = _ask(client, world, setting, "200000.00")
    assert instant.status_code == 201, instant.text
    assert instant.json()["status"] == "approved"
    assert instant.json()["in_force"] == {"amount": "200000.00", "currency": "USD"}
    referred = _ask(client, world, setting, "800000.00", buyer="other_buyer")
    assert referred.json()["status"] == "referred"
    assert referred.json()["rule"] == "amount_band"
    limit_id = referred.json()["id"]
    queue = client.get("/underwriting/queue", headers=setting["underwriter"])
    assert [x["id"] for x in queue.json()] == [limit_id]
    refused = client.post(f"/limits/{limit_id}/approve", json={}, headers=world.policyholder_a.headers)
    assert refused.status_code == 403
    approved = client.post(f"/limits/{limit_id}/approve", json={"note": "ok"}, headers=setting["underwriter"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    history = client.get(f"/limits/{limit_id}/history", headers=world.policyholder_a.headers).json()
    assert [e["kind"] for e in history] == ["requested", "referred", "approved"]


def test_a_reduction_keeps_the_old_amount_in_force_until_the_notice_ends(
    client: TestClient, world: World, setting: dict[str, Any]
) -> None:
    limit_id = _ask(client, world, setting, "300000.00").json()["id"]
    body = {"new_amount": {"amount": "100000.00", "currency": "USD"}, "reason": "weaker", "notice_days": 30}
    reduced = client.post(f"/limits/{limit_id}/reduce", json=body, headers=setting["underwriter"])
    assert reduced.status_code == 200, reduced.text
    assert reduced.json()["in_force"]["amount"] == "300000.00"
    assert reduced.json()["amount"]["amount"] == "100000.00"
    later = client.get(
        f"/limits/{limit_id}", params={"on": "2099-01-01"}, headers=world.policyholder_a.headers
    ).json()
    assert later["in_force"]["amount"] == "100000.00"
    withdrawn = client.post(f"/limits/{limit_id}/withdraw", json={}, headers=world.policyholder_a.headers)
    assert withdrawn.json()["status"] == "cancelled"
    assert withdrawn.json()["in_force"]["amount"] == "0.00"


@pytest.mark.parametrize(
    "amount",
    [
        {"amount": "0", "currency": "USD"},
        {"amount": "-5.00", "currency": "USD"},
        {"amount": "100.00", "currency": "XXQ"},
        {"amount": "100.001", "currency": "USD"},
        {"amount": "100.00", "currency": "EUR"},
    ],
)
def test_a_bad_amount_is_a_422_that_changes_nothing(
    client: TestClient, world: World, setting: dict[str, Any], db: Session, amount: dict[str, str]
) -> None:
    body = {"policy_id": str(setting["policy"].id), "buyer_id": str(setting["buyer"].id), "amount": amount}
    response = client.post("/limits", json=body, headers=world.policyholder_a.headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["message"]
    assert db.scalar(select(func.count()).select_from(CreditLimit)) == 0
