"""API keys and password through the pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import PASSWORD, World, csrf_of, sign_in

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.errors import AuthenticationRequired
from tradecover.parties.roles import Role
from tradecover.parties.service import authenticate, authenticate_api_key

TOKEN = re.compile(r'<code class="token" id="new-token">([^<]+)</code>')


def _api_actor(sessions: sessionmaker[Session], token: str) -> object:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        return authenticate_api_key(session, token)


def test_an_api_key_is_shown_once_works_and_stops_working_when_revoked(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/account/api-keys")
    issued = client.post("/account/api-keys", data={"name": "ERP export", "csrf_token": csrf_of(page.text)})
    assert issued.status_code == 201
    match = TOKEN.search(issued.text)
    assert match
    token = match.group(1)
    _api_actor(sessions, token)

    listing = client.get("/account/api-keys")
    assert "ERP export" in listing.text
    assert token not in listing.text
    key_path = re.search(r'action="(/account/api-keys/[0-9a-f-]+/revoke)"', listing.text)
    assert key_path
    revoked = client.post(key_path.group(1), data={"csrf_token": csrf_of(listing.text)})
    assert revoked.status_code == 303
    assert "was revoked" in client.get("/account/api-keys").text
    try:
        _api_actor(sessions, token)
    except AuthenticationRequired:
        pass
    else:
        raise AssertionError("a revoked key still works")


def test_an_api_key_without_a_name_is_refused_with_a_field_message(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/account/api-keys")
    refused = client.post("/account/api-keys", data={"name": "  ", "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422
    assert 'class="field-error" id="e-name"' in refused.text
    assert "No API keys yet." in refused.text


def test_another_organisations_api_key_cannot_be_revoked(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.BANK_OFFICER])
    page = client.get("/account/api-keys")
    client.post("/account/api-keys", data={"name": "Bank feed", "csrf_token": csrf_of(page.text)})
    listing = client.get("/account/api-keys").text
    key_path = re.search(r'action="(/account/api-keys/[0-9a-f-]+/revoke)"', listing)
    assert key_path
    client.cookies.clear()
    sign_in(client, world.emails[Role.POLICYHOLDER])
    token = csrf_of(client.get("/").text)
    assert client.post(key_path.group(1), data={"csrf_token": token}).status_code == 404
    client.cookies.clear()
    sign_in(client, world.emails[Role.BANK_OFFICER])
    assert "Revoke</button>" in client.get("/account/api-keys").text


def test_changing_the_password_needs_the_current_one(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    email = world.emails[Role.PROGRAMME_OFFICER]
    sign_in(client, email)
    token = csrf_of(client.get("/account/password").text)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "guess-guess-guess",
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422
    assert 'id="e-current_password"' in wrong.text
    short = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": token,
        },
    )
    assert short.status_code == 422
    assert 'id="e-new_password"' in short.text
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm_password": "a-new-long-password",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 303
    assert client.get("/").status_code == 200  # this browser stays signed in
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        authenticate(session, email, "a-new-long-password")
