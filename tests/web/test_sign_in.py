"""Signing in and out, the session re-check, and where a sign-in may send the browser."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import PASSWORD, World, csrf_of, sign_in

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import set_password
from tradecover.web.security import safe_next


def test_a_page_needs_sign_in_and_comes_back_after_it(client: TestClient, world: World) -> None:
    response = client.get("/account/api-keys")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Faccount%2Fapi-keys"
    page = client.get(response.headers["location"])
    token = csrf_of(page.text)
    assert 'name="next" value="/account/api-keys"' in page.text
    signed_in = client.post(
        "/sign-in",
        data={
            "email": world.emails[Role.POLICYHOLDER],
            "password": PASSWORD,
            "next": "/account/api-keys",
            "csrf_token": token,
        },
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account/api-keys"
    assert client.get("/account/api-keys").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient, world: World
) -> None:
    wrong_password = sign_in(client, world.emails[Role.REGULATOR], "not-the-password")
    unknown_email = sign_in(client, "nobody@example.com", PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert "The e-mail address or password is not right" in response.text
    assert client.get("/").status_code == 303


def test_signing_out_ends_the_session(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.BANK_OFFICER])
    home = client.get("/")
    assert home.status_code == 200
    response = client.post("/sign-out", data={"csrf_token": csrf_of(home.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert "You have signed out." in client.get("/sign-in").text
    assert client.get("/").status_code == 303


def test_a_changed_password_ends_the_other_sessions(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert client.get("/").status_code == 200
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        user = session.query(User).filter_by(email=world.emails[Role.UNDERWRITER]).one()
        set_password(session, Actor.system(), user.id, "another-long-password")
    assert client.get("/").status_code == 303


def test_a_deactivated_user_is_signed_out_at_the_next_request(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.CLAIMS_HANDLER])
    assert client.get("/").status_code == 200
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        session.query(User).filter_by(email=world.emails[Role.CLAIMS_HANDLER]).one().is_active = False
    assert client.get("/").status_code == 303


def test_sign_in_only_goes_on_to_local_paths() -> None:
    assert safe_next("/admin/organisations?x=1") == "/admin/organisations?x=1"
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(hostile) == "/"
