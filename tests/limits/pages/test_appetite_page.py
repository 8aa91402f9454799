"""The Appetite & capacity page: an insurer admin keeps its rules and capacities; others cannot."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import usd
from tests.limits.pages.conftest import Cover
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import Appetite, Capacity
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for


def _ids(sessions: sessionmaker[Session], cls: type[Appetite] | type[Capacity]) -> list[uuid.UUID]:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        return list(session.scalars(select(cls.id).order_by(cls.key)))


def test_an_insurer_admin_adds_changes_and_removes_appetite_rules(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    assert 'href="/appetite"' in client.get("/").text
    page = client.get("/appetite")
    assert page.status_code == 200
    assert "No rules: requests are decided by grades, amounts and capacity alone." in page.text
    token = csrf_of(page.text)
    bad = client.post(
        "/appetite/rules", data={"csrf_token": token, "kind": "country", "key": "XX", "action": "refer"}
    )
    assert bad.status_code == 422
    assert 'id="e-key"' in bad.text
    assert _ids(sessions, Appetite) == []
    added = client.post(
        "/appetite/rules",
        data={
            "csrf_token": token,
            "kind": "country",
            "key": "us",
            "action": "decline",
            "max_total": "400,000",
        },
    )
    assert added.status_code == 303, added.text
    shown = client.get("/appetite").text
    assert "United States (US)" in shown
    assert 'data-testid="rule-max">USD 400,000.00' in shown
    [rule_id] = _ids(sessions, Appetite)
    changed = client.post(
        f"/appetite/rules/{rule_id}", data={"csrf_token": token, "action": "refer", "max_total": ""}
    )
    assert changed.status_code == 303
    shown = client.get("/appetite").text
    assert 'data-testid="rule-action">Refer' in shown
    assert 'data-testid="rule-max">every request' in shown
    removed = client.post(f"/appetite/rules/{rule_id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert _ids(sessions, Appetite) == []


def test_a_capacity_below_what_limits_take_is_refused_on_the_page(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        holder = session.scalars(select(User).where(User.email == world.emails[Role.POLICYHOLDER])).one()
        request_limit(session, actor_for(holder), cover.policy_id, cover.buyer_id, usd(250_000))
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    token = csrf_of(client.get("/appetite").text)
    low = client.post(
        "/appetite/capacities",
        data={"csrf_token": token, "scope": "country", "capacity_key": "US", "capacity_amount": "100000"},
    )
    assert low.status_code == 422
    assert 'id="e-capacity_amount"' in low.text
    assert "Must be at least 250,000.00 USD, what limits already take of it" in low.text
    added = client.post(
        "/appetite/capacities",
        data={"csrf_token": token, "scope": "country", "capacity_key": "US", "capacity_amount": "1000000"},
    )
    assert added.status_code == 303, added.text
    shown = client.get("/appetite").text
    assert 'data-testid="capacity-committed">USD 250,000.00' in shown
    assert 'data-testid="capacity-left">USD 750,000.00' in shown
    [capacity_id] = _ids(sessions, Capacity)
    lowered = client.post(
        f"/appetite/capacities/{capacity_id}", data={"csrf_token": token, "amount": "200000"}
    )
    assert lowered.status_code == 422
    assert "The capacity was not changed: amount must be at least 250,000.00 USD" in lowered.text
    raised = client.post(
        f"/appetite/capacities/{capacity_id}", data={"csrf_token": token, "amount": "300000"}
    )
    assert raised.status_code == 303
    assert 'data-testid="capacity-left">USD 50,000.00' in client.get("/appetite").text


def test_other_insurers_and_other_roles_cannot_reach_the_lines(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    token = csrf_of(client.get("/appetite").text)
    client.post(
        "/appetite/capacities", data={"csrf_token": token, "scope": "total", "capacity_amount": "5000"}
    )
    [capacity_id] = _ids(sessions, Capacity)
    client.post("/sign-out", data={"csrf_token": token})
    client.cookies.clear()
    sign_in(client, world.other_insurer_admin_email)
    page = client.get("/appetite")
    assert page.status_code == 200
    assert "No capacity set" in page.text
    other_token = csrf_of(page.text)
    taken = client.post(
        f"/appetite/capacities/{capacity_id}", data={"csrf_token": other_token, "amount": "1"}
    )
    assert taken.status_code == 404
    gone = client.post(f"/appetite/capacities/{capacity_id}/remove", data={"csrf_token": other_token})
    assert gone.status_code == 404
    assert _ids(sessions, Capacity) == [capacity_id]
    client.cookies.clear()
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert client.get("/appetite").status_code == 403
