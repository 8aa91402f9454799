"""Each role's home page, the navigation it offers, and the error pages."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, csrf_of, sign_in, web_settings

from tradecover.parties.roles import Role
from tradecover.web.app import create_web
from tradecover.web.workspaces import WORKSPACES

HREF = re.compile(r'<a class="nav-item[^"]*" href="([^"]+)"')


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_with_links_only_to_pages_that_exist(
    client: TestClient, world: World, role: Role
) -> None:
    sign_in(client, world.emails[role])
    home = client.get("/")
    assert home.status_code == 200
    workspace = WORKSPACES[role]
    assert f"<h1>{workspace.heading}</h1>" in home.text
    for section in workspace.sections:
        assert section.label.replace("&", "&amp;") in home.text
    for href in set(HREF.findall(home.text)):
        assert client.get(href).status_code == 200, href
    assert "Not available yet" in home.text or all(s.available for s in workspace.sections)


def test_home_pages_are_distinct_per_role() -> None:
    assert len({w.heading for w in WORKSPACES.values()}) == len(Role)


def test_the_home_page_shows_the_organisation_and_its_recent_activity(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    home = client.get("/").text
    assert "Harbour Credit Insurance" in home
    assert world.emails[Role.CLAIMS_HANDLER] in home  # the admin sees its people
    assert "User added" in home
    assert "Other Mutual Insurance" not in home


def test_a_policyholder_does_not_see_its_organisations_users_list(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    home = client.get("/").text
    assert "Yiwu Bright Lanterns" in home
    assert "Manage users" not in home


def test_unknown_pages_and_malformed_ids_get_the_not_found_page(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    for path in ("/no-such-page", "/admin/organisations/not-an-id", f"/admin/organisations/{uuid.uuid4()}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text


def test_a_failure_shows_the_error_page_without_a_stack_trace(
    sessions: sessionmaker[Session], world: World, tmp_path: Path
) -> None:
    web = create_web(sessions, web_settings(tmp_path))

    def explode() -> None:
        raise RuntimeError("secret internals")

    web.add_api_route("/explode", explode)
    app = FastAPI()
    app.mount("/", web)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/explode")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


FORM = re.compile(r'<form method="post"[^>]*>(.*?)</form>', re.S)


def test_every_form_on_every_page_carries_the_csrf_token(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    pages = [
        "/",
        "/account/api-keys",
        "/account/password",
        "/admin/organisations",
        f"/admin/organisations/{world.organisations[Role.POLICYHOLDER]}",
    ]
    client.post("/account/api-keys", data={"name": "k", "csrf_token": csrf_of(client.get("/").text)})
    for path in pages:
        html = client.get(path).text
        token = csrf_of(html)
        forms = FORM.findall(html)
        assert forms, path
        for body in forms:
            assert f'name="csrf_token" value="{token}"' in body, path
