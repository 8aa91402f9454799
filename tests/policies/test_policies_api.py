"""Products, quotes and policies through HTTP with API keys, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World, api, client, sessions, world

from tradecover.clock import get_clock
from tradecover.parties.actor import Actor
from tradecover.policies.model import QuoteRequest
from tradecover.policies.products import install_products
from tradecover.policies.terms import ProductKind

__all__ = ["api", "client", "sessions", "world"]  # fixtures used here


def _request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_kind": "export_whole_turnover",
        "currency": "USD",
        "turnover": [
            {"country": "US", "turnover": {"amount": "2000000.00", "currency": "USD"}},
            {"country": "DE", "turnover": {"amount": "1000000.00", "currency": "USD"}},
        ],
        "period_start": (get_clock().today() + dt.timedelta(days=10)).isoformat(),
        "typical_credit_days": 60,
    }
    body.update(changes)
    return body


def _market(db: Session, world: World) -> None:
    install_products(db, Actor.system(), world.insurer_a.organisation.id)
    install_products(
        db, Actor.system(), world.insurer_b.organisation.id, manual_quotes=[ProductKind.EXPORT_WHOLE_TURNOVER]
    )
    db.commit()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_policyholder_compares_quotes_an_underwriter_sends_a_draft_and_accepting_issues_the_policy(
    client: TestClient, world: World, db: Session
) -> None:
    _market(db, world)
    holder, a, b = world.policyholder_a, world.insurer_a, world.insurer_b
    request = _ok(client.post("/quote-requests", json=_request_body(), headers=holder.headers), 201)
    assert request["expected_turnover"] == {"amount": "3000000.00", "currency": "USD"}
    quotes_url = f"/quote-requests/{request['id']}/quotes"
    (sent,) = _ok(client.get(quotes_url, headers=holder.headers))
    assert sent["insurer_name"] == "A Credit Insurance"
    assert sent["status"] == "sent"
    assert sent["maximum_liability"] is not None
    assert sent["dcl"] == {"amount": "50000.00", "currency": "USD"}
    # Insurer B was invited: it sees the request and only its own draft, and sends it after adjusting.
    assert [r["id"] for r in _ok(client.get("/quote-requests", headers=b.headers))] == [request["id"]]
    (draft,) = _ok(client.get(quotes_url, headers=b.headers))
    assert draft["status"] == "draft"
    adjusted = _ok(
        client.post(f"/quotes/{draft['id']}/adjust", json={"rate_adjustment": "-0.25"}, headers=b.headers)
    )
    assert adjusted["version"] == 2
    assert Decimal(adjusted["estimated_premium"]["amount"]) < Decimal(draft["estimated_premium"]["amount"])
    _ok(client.post(f"/quotes/{draft['id']}/send", headers=b.headers))
    # Each insurer sees only its own quote.
    assert (
        _ok(client.get(f"/quotes/{draft['id']}", headers=a.headers), 404)["errors"][0]["message"]
        == "no such quote"
    )
    compared = _ok(client.get(quotes_url, headers=holder.headers))
    assert sorted(q["insurer_name"] for q in compared) == ["A Credit Insurance", "B Surety"]
    policy = _ok(client.post(f"/quotes/{draft['id']}/accept", headers=holder.headers), 201)
    assert policy["status"] == "in_force"
    assert policy["insurer_name"] == "B Surety"
    assert policy["rate_adjustment"] == "-0.25"
    statuses = {q["insurer_name"]: q["status"] for q in _ok(client.get(quotes_url, headers=holder.headers))}
    assert statuses == {"A Credit Insurance": "not_taken", "B Surety": "accepted"}
    assert [p["number"] for p in _ok(client.get("/policies", headers=b.headers))] == [policy["number"]]
    assert _ok(client.get("/policies", headers=a.headers)) == []
    assert _ok(client.get(f"/policies/{policy['id']}", headers=a.headers), 404)
    # Endorse (insurer B), then cancel (the policyholder); history kept.
    terms = dict(policy["terms"], dcl={"amount": "75000.00", "currency": "USD"})
    version = _ok(
        client.post(
            f"/policies/{policy['id']}/endorsements",
            json={"terms": terms, "effective_from": policy["period_start"], "reason": "more DCL"},
            headers=b.headers,
        ),
        201,
    )
    assert version["version"] == 2
    versions = _ok(client.get(f"/policies/{policy['id']}/versions", headers=holder.headers))
    assert [v["terms"]["dcl"]["amount"] for v in versions] == ["50000.00", "75000.00"]
    cancelled = _ok(
        client.post(
            f"/policies/{policy['id']}/cancellation",
            json={"effective_on": policy["period_end"], "reason": "moving to domestic sales"},
            headers=holder.headers,
        )
    )
    assert cancelled["status"] == "cancelled"


def test_bad_quote_requests_get_a_422_naming_the_field_and_change_nothing(
    client: TestClient, world: World, db: Session, sessions: Any
) -> None:
    _market(db, world)
    holder = world.policyholder_a
    bad = [
        (_request_body(currency="XYZ"), "currency"),
        (
            _request_body(turnover=[{"country": "US", "turnover": {"amount": "-5.00", "currency": "USD"}}]),
            "turnover.0.amount",
        ),
        (
            _request_body(turnover=[{"country": "ZZ", "turnover": {"amount": "5.00", "currency": "USD"}}]),
            "turnover.0.country",
        ),
        (_request_body(period_start="2001-01-01"), "period_start"),
        (_request_body(turnover=[]), "body.turnover"),
    ]
    for body, field in bad:
        response = client.post("/quote-requests", json=body, headers=holder.headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field
    session = sessions()
    assert (
        session.scalar(select(func.count()).select_from(QuoteRequest).execution_options(tenant_exempt=True))
        == 0
    )
    session.close()


def test_an_insurer_admin_reads_and_edits_its_products_and_rates_and_others_find_nothing(
    client: TestClient, world: World, db: Session
) -> None:
    _market(db, world)
    a = world.insurer_a
    products = _ok(client.get("/products", headers=a.headers))
    assert sorted(p["kind"] for p in products) == sorted(k.value for k in ProductKind)
    export = next(p for p in products if p["kind"] == "export_whole_turnover")
    terms = dict(export["terms"], minimum_premium={"amount": "6000.00", "currency": "USD"})
    updated = _ok(client.put(f"/products/{export['id']}", json={"terms": terms}, headers=a.headers))
    assert updated["terms"]["minimum_premium"]["amount"] == "6000.00"
    bad = dict(export["terms"], indemnity=dict(export["terms"]["indemnity"], insolvency="1.5"))
    refused = _ok(client.put(f"/products/{export['id']}", json={"terms": bad}, headers=a.headers), 422)
    assert refused["errors"][0]["field"] == "indemnity.insolvency"
    table = _ok(client.get(f"/products/{export['id']}/rate-table", headers=a.headers))
    assert len(table["cells"]) == 4 * 8 * 6
    changed = _ok(
        client.put(
            f"/products/{export['id']}/rate-table", json={"preferential_discount": "0.05"}, headers=a.headers
        )
    )
    assert changed["preferential_discount"] == "0.05"
    cells = [dict(c) for c in table["cells"]]
    cells[-1]["rate"] = "0.0001"
    falling = client.put(f"/products/{export['id']}/rate-table", json={"cells": cells}, headers=a.headers)
    assert falling.status_code == 422
    assert "must not fall" in falling.text
    assert _ok(client.get(f"/products/{export['id']}", headers=world.insurer_b.headers), 404)
    assert _ok(client.get("/products", headers=world.policyholder_a.headers)) == []
