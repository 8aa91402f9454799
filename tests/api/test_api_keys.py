"""The API key lifecycle: issued once, stored hashed, listed by prefix, used, revoked, refused."""

from __future__ import annotations

import hashlib
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.conftest import World

from tradecover.parties.model import ApiKey


def _issue(client: TestClient, world: World, name: str = "ERP export job") -> dict[str, str]:
    response = client.post("/api-keys", headers=world.policyholder_a.headers, json={"name": name})
    assert response.status_code == 201
    issued: dict[str, str] = response.json()
    return issued


def test_an_issued_key_shows_its_token_once_and_only_its_hash_is_stored(
    client: TestClient, world: World, fresh: Session
) -> None:
    issued = _issue(client, world)
    token = issued["token"]
    assert token.startswith(f"tc_{issued['prefix']}_")
    stored = fresh.scalar(select(ApiKey).where(ApiKey.id == uuid.UUID(issued["id"])))
    assert stored is not None
    assert stored.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.secret_hash, stored.prefix, stored.name}
    listing = client.get("/api-keys", headers=world.policyholder_a.headers)
    assert listing.status_code == 200
    assert token not in listing.text
    listed = {k["id"]: k for k in listing.json()}[issued["id"]]
    assert listed["prefix"] == issued["prefix"]
    assert listed["name"] == "ERP export job"
    assert "token" not in listed


def test_a_new_key_works_and_records_when_it_was_last_used(client: TestClient, world: World) -> None:
    issued = _issue(client, world)
    me = client.get("/me", headers={"Authorization": f"Bearer {issued['token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(world.policyholder_a.user.id)
    listed = {k["id"]: k for k in client.get("/api-keys", headers=world.policyholder_a.headers).json()}
    assert listed[issued["id"]]["last_used_at"] is not None


def test_a_revoked_api_key_is_refused(client: TestClient, world: World) -> None:
    issued = _issue(client, world)
    headers = {"Authorization": f"Bearer {issued['token']}"}
    revoked = client.delete(f"/api-keys/{issued['id']}", headers=world.policyholder_a.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"errors": [{"field": None, "message": "the API key is unknown or revoked"}]}


def test_a_key_can_revoke_itself(client: TestClient, world: World) -> None:
    key = world.policyholder_b
    assert client.delete(f"/api-keys/{key.key.id}", headers=key.headers).status_code == 200
    assert client.get("/me", headers=key.headers).status_code == 401


def test_a_wrong_token_is_refused(client: TestClient, world: World) -> None:
    real = world.policyholder_a.token
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    for token in (forged, "tc_00000000_nothing", "not-a-key", ""):
        response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_call_without_a_key_is_refused_with_a_bearer_challenge(client: TestClient, world: World) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["message"].startswith("send an API key")


def test_a_key_sent_with_another_scheme_is_refused(client: TestClient, world: World) -> None:
    response = client.get("/me", headers={"Authorization": f"Basic {world.policyholder_a.token}"})
    assert response.status_code == 401


def test_a_key_list_shows_only_the_callers_organisation(client: TestClient, world: World) -> None:
    for member in (world.admin, world.insurer_b):
        listed = client.get("/api-keys", headers=member.headers).json()
        assert [k["id"] for k in listed] == [str(member.key.id)]


def test_a_key_name_must_not_be_empty(client: TestClient, world: World) -> None:
    response = client.post("/api-keys", headers=world.policyholder_a.headers, json={"name": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"
