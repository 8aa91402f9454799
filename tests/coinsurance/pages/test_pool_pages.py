"""The pool pages: a member sees the pool, its members' capacity and its own share; others see nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.coinsurance.pages.web_pool import OUTSIDER_EMAIL, seed_pool
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.parties.roles import Role


def _sign_out(client: TestClient) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})


def test_a_member_sees_the_pool_and_its_share_of_each_policy_and_limit(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    seeded = seed_pool(sessions, world)
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert 'href="/pools"' in client.get("/").text
    listed = client.get("/pools")
    assert listed.status_code == 200
    assert "Domestic Trade Credit Coinsurance Pool" in listed.text
    assert "You lead" in listed.text
    page = client.get(f"/pools/{seeded.pool_id}")
    assert page.status_code == 200, page.text
    assert seeded.policy_number in page.text
    assert seeded.buyer_name in page.text
    # 60% of CNY 1,000,000.01, the odd fen to the leader; the follower holds 400,000.00.
    assert "CNY 600,000.01" in page.text
    assert "Other Mutual Insurance" in page.text
    _sign_out(client)
    sign_in(client, OUTSIDER_EMAIL)
    assert client.get(f"/pools/{seeded.pool_id}").status_code == 404
    assert "Domestic Trade Credit" not in client.get("/pools").text


def test_the_following_member_sees_its_own_share(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    seeded = seed_pool(sessions, world)
    sign_in(client, world.other_insurer_admin_email)
    page = client.get(f"/pools/{seeded.pool_id}")
    assert page.status_code == 200
    assert "CNY 400,000.00" in page.text
    assert "40%" in page.text
