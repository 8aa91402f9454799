"""CSRF: every form post of the web application must carry the session's token."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount
from tests.web.conftest import PASSWORD, World, csrf_of, sign_in

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.parties.model import ApiKey, Organisation
from tradecover.parties.roles import Role

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        set_tenant(session, Tenant.unrestricted())
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _web_routes(client: TestClient) -> list[tuple[str, str]]:
    app = client.app
    assert isinstance(app, FastAPI)
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.name == "web")
    web = mount.app
    assert isinstance(web, FastAPI)
    return [
        (method, str(route.path))
        for route in iter_route_contexts(web.routes)
        for method in sorted((route.methods or set()) & UNSAFE)
    ]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_form_post_without_the_sessions_token_is_refused(
    client: TestClient, world: World, token: str | None
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    routes = _web_routes(client)
    assert ("POST", "/sign-in") in routes
    assert ("POST", "/admin/organisations") in routes
    for method, path in routes:
        url = path.replace("{organisation_id}", str(world.organisations[Role.POLICYHOLDER]))
        # Any other id (typed `{claim_id:uuid}` or not): a well-formed one, so the route is the one tried.
        url = re.sub(r"\{[a-z_]+(:uuid)?\}", lambda _: str(uuid.uuid4()), url)
        data = {"name": "x"} if token is None else {"name": "x", "csrf_token": token}
        response = client.request(method, url, data=data)
        assert response.status_code == 403, (method, path)
        assert "valid security token" in response.text


def test_a_refused_post_changes_nothing(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    organisations, keys = _count(sessions, Organisation), _count(sessions, ApiKey)
    form = {"name": "Sneaky Trading Ltd", "kind": "policyholder", "country": "CN"}
    assert client.post("/admin/organisations", data=form).status_code == 403
    assert client.post("/admin/organisations", data={**form, "csrf_token": "wrong"}).status_code == 403
    assert client.post("/account/api-keys", data={"name": "ERP", "csrf_token": "wrong"}).status_code == 403
    assert (_count(sessions, Organisation), _count(sessions, ApiKey)) == (organisations, keys)


def test_the_sign_in_form_needs_the_anonymous_sessions_token(client: TestClient, world: World) -> None:
    form = {"email": world.emails[Role.REGULATOR], "password": PASSWORD}
    assert client.post("/sign-in", data=form).status_code == 403
    token = csrf_of(client.get("/sign-in").text)
    assert client.post("/sign-in", data={**form, "csrf_token": token}).status_code == 303


def test_a_token_from_another_session_is_refused(client: TestClient, world: World) -> None:
    other_token = csrf_of(client.get("/sign-in").text)
    client.cookies.clear()
    client.get("/sign-in")
    form = {"email": world.emails[Role.REGULATOR], "password": PASSWORD, "csrf_token": other_token}
    assert client.post("/sign-in", data=form).status_code == 403


def test_signing_in_replaces_the_anonymous_token(client: TestClient, world: World) -> None:
    anonymous = csrf_of(client.get("/sign-in").text)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    signed_in = csrf_of(client.get("/").text)
    assert signed_in != anonymous
    assert client.post("/account/api-keys", data={"name": "ERP", "csrf_token": anonymous}).status_code == 403
