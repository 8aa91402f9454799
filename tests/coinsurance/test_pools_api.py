"""The pools API: create (refused whole on bad shares), read, members' capacity, a member's share view."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.coinsurance.conftest import PoolBook, cny, open_pool

from tradecover.limits.decisions import request_limit
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key


def _headers(db: Session, actor: Actor) -> dict[str, str]:
    _, token = issue_api_key(db, actor, "pools test")
    return {"Authorization": f"Bearer {token}"}


def _body(world: World, other_id: object, shares: tuple[str, str] = ("0.6", "0.4")) -> dict[str, Any]:
    a = str(world.insurer_a.organisation.id)
    return {
        "name": "Domestic Trade Credit Coinsurance Pool",
        "country": "CN",
        "currency": "CNY",
        "leader_id": a,
        "leader_commission": "0.05",
        "members": [
            {
                "insurer_id": a,
                "share": shares[0],
                "total_capacity": {"amount": "6000000000.00", "currency": "CNY"},
            },
            {"insurer_id": str(other_id), "share": shares[1]},
        ],
        "starts_on": "2025-06-12",
    }


def _pools(db: Session) -> int:
    query = select(func.count()).select_from(Organisation).where(Organisation.kind == OrganisationKind.POOL)
    return int(db.scalar(query) or 0)


def test_the_operator_creates_a_pool_and_its_members_read_it(
    client: TestClient, db: Session, world: World
) -> None:
    other = create_organisation(
        db, Actor.system(), name="C Mutual", kind=OrganisationKind.INSURER, country="CN"
    )
    db.commit()
    created = client.post("/pools", json=_body(world, other.id), headers=world.admin.headers)
    assert created.status_code == 201, created.text
    pool = created.json()
    assert [m["share"] for m in pool["members"]] == ["0.6", "0.4"]
    assert pool["members"][0]["is_leader"] is True
    assert pool["members"][0]["left"] == {"amount": "6000000000.00", "currency": "CNY"}
    assert pool["leader_name"] == "A Credit Insurance"
    listed = client.get("/pools", headers=world.insurer_a.headers)
    assert [p["id"] for p in listed.json()] == [pool["id"]]
    assert client.get(f"/pools/{pool['id']}", headers=world.insurer_a.headers).status_code == 200
    assert client.get("/pools", headers=world.insurer_b.headers).json() == []
    assert client.get(f"/pools/{pool['id']}", headers=world.insurer_b.headers).status_code == 404
    members = client.get(f"/pools/{pool['id']}/members", headers=world.insurer_a.headers).json()
    assert [m["name"] for m in members] == ["A Credit Insurance", "C Mutual"]


def test_shares_not_adding_up_are_refused_with_422_and_nothing_is_created(
    client: TestClient, db: Session, world: World
) -> None:
    other = create_organisation(
        db, Actor.system(), name="C Mutual", kind=OrganisationKind.INSURER, country="CN"
    )
    db.commit()
    before = _pools(db)
    refused = client.post(
        "/pools", json=_body(world, other.id, ("0.6", "0.395")), headers=world.admin.headers
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "errors": [{"field": "shares", "message": "shares must add up to exactly 100%; they add up to 99.5%"}]
    }
    assert _pools(db) == before
    denied = client.post("/pools", json=_body(world, other.id), headers=world.insurer_a.headers)
    assert denied.status_code == 403


def test_a_member_sets_its_capacity_and_sees_its_share_of_each_limit(
    client: TestClient, db: Session, pool_book: PoolBook
) -> None:
    limit = request_limit(db, pool_book.exporter, pool_book.policy.id, pool_book.buyer.id, cny("1000000.01"))
    ping_an = pool_book.members[1]
    ping_an_headers = _headers(db, ping_an.admin)
    outsider_headers = _headers(db, pool_book.outsider.admin)
    db.commit()
    pool_id = pool_book.pool.id
    answer = client.put(
        f"/pools/{pool_id}/members/{ping_an.id}",
        json={
            "total": {"amount": "5000000.00", "currency": "CNY"},
            "per_buyer": {"amount": "1.00", "currency": "USD"},
        },
        headers=ping_an_headers,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "per_buyer"
    answer = client.put(
        f"/pools/{pool_id}/members/{ping_an.id}",
        json={"total": {"amount": "5000000.00", "currency": "CNY"}},
        headers=ping_an_headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["used"] == {"amount": "350000.00", "currency": "CNY"}
    assert answer.json()["left"] == {"amount": "4650000.00", "currency": "CNY"}
    shares = client.get(f"/pools/{pool_id}/shares", headers=ping_an_headers)
    assert shares.status_code == 200, shares.text
    body = shares.json()
    assert body["share"] == "0.35"
    (line,) = body["limits"]
    assert line["limit_id"] == str(limit.id)
    assert line["my_part"] == {"amount": "350000.00", "currency": "CNY"}
    (policy,) = body["policies"]
    assert policy["number"] == pool_book.policy.number
    assert policy["my_part"] == {"amount": "350000.00", "currency": "CNY"}
    leader_view = client.get(
        f"/pools/{pool_id}/shares", params={"member_id": str(pool_book.leader.id)}, headers=ping_an_headers
    ).json()
    assert leader_view["limits"][0]["my_part"] == {"amount": "400000.01", "currency": "CNY"}
    assert client.get(f"/pools/{pool_id}/shares", headers=outsider_headers).status_code == 404


def test_a_member_does_not_set_another_members_capacity(client: TestClient, db: Session) -> None:
    book = open_pool(db)
    leader_headers = _headers(db, book.leader.admin)
    underwriter = actor_for(
        create_user(
            db,
            Actor.system(),
            organisation_id=book.members[2].id,
            email="uw@cpic.example",
            full_name="Uw",
            roles=[Role.UNDERWRITER],
        )
    )
    underwriter_headers = _headers(db, underwriter)
    db.commit()
    body = {"total": {"amount": "1.00", "currency": "CNY"}}
    url = f"/pools/{book.pool.id}/members/{book.members[1].id}"
    assert client.put(url, json=body, headers=leader_headers).status_code == 403
    assert (
        client.put(
            f"/pools/{book.pool.id}/members/{book.members[2].id}", json=body, headers=underwriter_headers
        ).status_code
        == 403
    )
