"""The appetite and capacity API: an insurer admin keeps its own lines; others' are not found."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.limits.conftest import issue_export_policy, new_buyer, usd

from tradecover.audit.model import AuditEvent
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import Appetite, Capacity
from tradecover.parties.service import actor_for


def _usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def test_an_insurer_admin_lists_adds_changes_and_removes_appetite_rules(
    client: TestClient, db: Session, world: World
) -> None:
    headers = world.insurer_a.headers
    created = client.post(
        "/appetite",
        json={"kind": "country", "key": "us", "action": "decline", "max_total": _usd("400000.00")},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    line = created.json()
    assert {k: line[k] for k in ("kind", "key", "action", "max_total")} == {
        "kind": "country",
        "key": "US",
        "action": "decline",
        "max_total": _usd("400000.00"),
    }
    client.post(
        "/appetite", json={"kind": "sector", "key": "construction", "action": "refer"}, headers=headers
    )
    listed = client.get("/appetite", headers=headers).json()
    assert [(a["key"], a["action"], a["max_total"]) for a in listed] == [
        ("US", "decline", _usd("400000.00")),
        ("construction", "refer", None),
    ]
    twice = client.post(
        "/appetite", json={"kind": "country", "key": "US", "action": "refer"}, headers=headers
    )
    assert twice.status_code == 409
    changed = client.put(f"/appetite/{line['id']}", json={"action": "refer"}, headers=headers)
    assert (changed.json()["action"], changed.json()["max_total"]) == ("refer", None)
    assert client.delete(f"/appetite/{line['id']}", headers=headers).status_code == 204
    assert client.get(f"/appetite/{line['id']}", headers=headers).status_code == 404
    assert [a["key"] for a in client.get("/appetite", headers=headers).json()] == ["construction"]
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == line["id"]).order_by(AuditEvent.id)
    )
    assert list(actions) == ["appetite.added", "appetite.changed", "appetite.removed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "region", "key": "US", "action": "refer"}, "body.kind"),
        ({"kind": "country", "key": "XX", "action": "refer"}, "key"),
        ({"kind": "sector", "key": "knitting", "action": "refer"}, "key"),
        ({"kind": "country", "key": "US", "action": "ignore"}, "body.action"),
        ({"kind": "country", "key": "US", "action": "refer", "max_total": _usd("-1.00")}, "max_total"),
        (
            {
                "kind": "country",
                "key": "US",
                "action": "refer",
                "max_total": {"amount": "1", "currency": "EUR"},
            },
            "max_total",
        ),
        ({"kind": "country", "key": "US", "action": "refer", "colour": "red"}, "body.colour"),
    ],
)
def test_a_bad_appetite_rule_is_a_422_naming_the_field_and_saves_nothing(
    client: TestClient, db: Session, world: World, body: dict[str, Any], field: str
) -> None:
    refused = client.post("/appetite", json=body, headers=world.insurer_a.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == field
    assert db.scalar(select(func.count()).select_from(Appetite)) == 0


def test_capacity_is_kept_by_the_admin_and_never_set_below_what_limits_take(
    client: TestClient, db: Session, world: World
) -> None:
    insurer = world.insurer_a.organisation.id
    policy = issue_export_policy(
        db, actor_for(world.insurer_a.user), insurer, world.policyholder_a.organisation.id
    )
    request_limit(db, actor_for(world.policyholder_a.user), policy.id, new_buyer(db).id, usd(250_000))
    db.commit()
    headers = world.insurer_a.headers
    low = client.post(
        "/capacities", json={"scope": "country", "key": "US", "amount": _usd("200000.00")}, headers=headers
    )
    assert low.status_code == 422
    assert low.json()["errors"] == [
        {"field": "amount", "message": "must be at least 250,000.00 USD, what limits already take of it"}
    ]
    created = client.post(
        "/capacities", json={"scope": "country", "key": "US", "amount": _usd("1000000.00")}, headers=headers
    )
    assert created.status_code == 201, created.text
    capacity = created.json()
    assert (capacity["committed"], capacity["remaining"]) == (_usd("250000.00"), _usd("750000.00"))
    total = client.post("/capacities", json={"scope": "total", "amount": _usd("9000000.00")}, headers=headers)
    assert total.status_code == 201
    assert [(c["scope"], c["key"]) for c in client.get("/capacities", headers=headers).json()] == [
        ("total", ""),
        ("country", "US"),
    ]
    lowered = client.put(f"/capacities/{capacity['id']}", json={"amount": _usd("249999.99")}, headers=headers)
    assert (lowered.status_code, lowered.json()["errors"][0]["field"]) == (422, "amount")
    changed = client.put(f"/capacities/{capacity['id']}", json={"amount": _usd("300000.00")}, headers=headers)
    assert changed.json()["remaining"] == _usd("50000.00")
    bad = client.post("/capacities", json={"scope": "planet", "amount": _usd("1.00")}, headers=headers)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "body.scope")
    assert client.delete(f"/capacities/{capacity['id']}", headers=headers).status_code == 204
    assert db.scalar(select(func.count()).select_from(Capacity)) == 1


def test_another_insurer_never_sees_or_changes_the_lines_and_others_may_not_edit(
    client: TestClient, db: Session, world: World
) -> None:
    mine = world.insurer_a.headers
    line = client.post(
        "/appetite", json={"kind": "country", "key": "US", "action": "refer"}, headers=mine
    ).json()
    capacity = client.post(
        "/capacities", json={"scope": "total", "amount": _usd("1000.00")}, headers=mine
    ).json()
    theirs = world.insurer_b.headers
    assert client.get("/appetite", headers=theirs).json() == []
    assert client.get("/capacities", headers=theirs).json() == []
    for method, url, body in (
        ("GET", f"/appetite/{line['id']}", None),
        ("PUT", f"/appetite/{line['id']}", {"action": "decline"}),
        ("DELETE", f"/appetite/{line['id']}", None),
        ("GET", f"/capacities/{capacity['id']}", None),
        ("PUT", f"/capacities/{capacity['id']}", {"amount": _usd("1.00")}),
        ("DELETE", f"/capacities/{capacity['id']}", None),
    ):
        answer = client.request(method, url, json=body, headers=theirs)
        assert answer.status_code == 404, (method, url, answer.text)
    assert client.get("/appetite", headers=world.policyholder_a.headers).status_code == 403
    assert client.get("/capacities").status_code == 401
    assert client.get(f"/appetite/{line['id']}", headers=mine).json()["action"] == "refer"
    assert client.get(f"/capacities/{capacity['id']}", headers=mine).json()["amount"] == _usd("1000.00")
