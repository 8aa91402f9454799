"""Organisations and users through the administration pages; other organisations are not found."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.parties.model import Organisation, User
from tradecover.parties.roles import Role


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        set_tenant(session, Tenant.unrestricted())
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="e-{field}">([^<]+)</p>', html)
    assert match, f"no message on {field}"
    return match.group(1)


def test_the_platform_admin_registers_an_organisation_and_its_first_user(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    token = csrf_of(client.get("/admin/organisations").text)
    created = client.post(
        "/admin/organisations",
        data={
            "name": "Shenzhen Circuit Exports",
            "kind": "policyholder",
            "country": "cn",
            "region": "Shenzhen",
            "registration_number": "91440300MA5F",
            "is_sme": "yes",
            "prior_year_exports": "7,500,000.00",
            "csrf_token": token,
        },
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"])
    assert page.status_code == 200
    assert "Shenzhen Circuit Exports was registered" in page.text
    assert 'value="policyholder"' in page.text
    assert 'value="underwriter"' not in page.text  # only roles the kind allows are offered
    added = client.post(
        created.headers["location"] + "/users",
        data={
            "full_name": "Li Wei",
            "email": "li.wei@circuit.example.com",
            "roles": "policyholder",
            "password": "a-long-first-password",
            "csrf_token": token,
        },
    )
    assert added.status_code == 303
    assert "li.wei@circuit.example.com" in client.get(created.headers["location"]).text
    client.cookies.clear()
    assert sign_in(client, "li.wei@circuit.example.com", "a-long-first-password").status_code == 303
    assert "Shenzhen Circuit Exports" in client.get("/").text


def test_a_refused_organisation_comes_back_with_field_messages_and_nothing_saved(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    token = csrf_of(client.get("/admin/organisations").text)
    before = _count(sessions, Organisation)
    cases = {
        "name": {"name": " ", "kind": "bank", "country": "CN"},
        "kind": {"name": "Nameless Bank", "kind": "", "country": "CN"},
        "country": {"name": "Atlantis Bank", "kind": "bank", "country": "XX"},
        "prior_year_exports": {
            "name": "Exporter",
            "kind": "policyholder",
            "country": "CN",
            "prior_year_exports": "lots",
        },
    }
    for field, form in cases.items():
        response = client.post("/admin/organisations", data={**form, "csrf_token": token})
        assert response.status_code == 422, field
        assert _field_error(response.text, field)
        assert f'value="{form["name"]}"' in response.text  # what was typed is kept
    assert _count(sessions, Organisation) == before


def test_a_refused_user_comes_back_with_field_messages_and_nothing_saved(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    insurer = world.organisations[Role.UNDERWRITER]
    page = client.get(f"/admin/organisations/{insurer}")
    token = csrf_of(page.text)
    before = _count(sessions, User)
    good = {"full_name": "Wang Fang", "email": "wang.fang@example.com", "password": "a-long-password!"}
    cases = {
        "email": ({**good, "email": "not-an-address", "roles": "underwriter"}),
        "full_name": ({**good, "full_name": "", "roles": "underwriter"}),
        "roles": ({**good, "roles": "bank_officer"}),
        "password": ({**good, "password": "short", "roles": "underwriter"}),
    }
    for field, form in cases.items():
        response = client.post(f"/admin/organisations/{insurer}/users", data={**form, "csrf_token": token})
        assert response.status_code == 422, field
        assert _field_error(response.text, field)
    taken = client.post(
        f"/admin/organisations/{insurer}/users",
        data={**good, "email": world.emails[Role.POLICYHOLDER], "roles": "underwriter", "csrf_token": token},
    )
    assert taken.status_code == 422
    assert "exists" in _field_error(taken.text, "email")
    assert _count(sessions, User) == before


def test_the_insurer_admin_manages_its_own_users_but_not_another_organisations(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    own = client.get(f"/admin/organisations/{world.organisations[Role.INSURER_ADMIN]}")
    assert own.status_code == 200
    assert world.emails[Role.UNDERWRITER] in own.text
    other = client.get(f"/admin/organisations/{world.other_insurer_id}")
    assert other.status_code == 404
    assert "Page not found" in other.text
    posted = client.post(
        f"/admin/organisations/{world.other_insurer_id}/users",
        data={
            "full_name": "Mole",
            "email": "mole@example.com",
            "roles": "insurer_admin",
            "password": "a-long-password!",
            "csrf_token": csrf_of(own.text),
        },
    )
    assert posted.status_code == 404


def test_only_the_platform_admin_sees_the_organisations_list(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    assert client.get("/admin/organisations").status_code == 403
    client.cookies.clear()
    sign_in(client, world.emails[Role.POLICYHOLDER])
    assert client.get(f"/admin/organisations/{world.organisations[Role.POLICYHOLDER]}").status_code == 403
    assert client.get(f"/admin/organisations/{world.other_insurer_id}").status_code == 404


def test_a_fields_extra_attributes_reach_the_browser_as_attributes(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    page = client.get("/admin/organisations").text
    country = re.search(r'<input[^>]*name="country"[^>]*>', page)
    assert country, "no country field"
    assert 'maxlength="2"' in country.group(0)
    assert "&#34;" not in country.group(0)
