"""The buyer pages through a browser-like client: search, register, detail with history, regrade."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role

__all__ = ["client", "sessions", "world"]  # fixtures used here


def _buyer(
    sessions: sessionmaker[Session], name: str = "Bluewater Retail Inc.", number: str = "12-3456789"
) -> str:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        buyer = register_buyer(
            session,
            Actor.system(),
            name=name,
            country="US",
            registration_number=number,
            kind=BuyerKind.COMPANY,
            sector="retail_wholesale",
            grade=4,
        )
        return str(buyer.id)


def _grade_of(sessions: sessionmaker[Session], buyer_id: str) -> int:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        found = session.get(Buyer, uuid.UUID(buyer_id))
        assert found is not None
        return found.grade


def test_a_policyholder_searches_the_registry_and_opens_a_buyer(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    buyer_id = _buyer(sessions)
    _buyer(sessions, "Rhein Handel GmbH", "HRB 9")
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/buyers", params={"name": "bluewater"})
    assert page.status_code == 200
    assert re.search(r'data-testid="buyer-count">1 buyer<', page.text)
    assert f'href="/buyers/{buyer_id}"' in page.text
    assert "Rhein Handel" not in page.text
    detail = client.get(f"/buyers/{buyer_id}")
    assert detail.status_code == 200
    assert 'data-testid="buyer-grade">4<' in detail.text
    assert "The grade has not changed" in detail.text
    assert 'data-testid="regrade"' not in detail.text  # a policyholder may not regrade


def test_a_bad_search_shows_its_message_instead_of_results(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    page = client.get("/buyers", params={"grade_min": "7", "grade_max": "3"})
    assert page.status_code == 200
    assert "lowest grade 7 is above the highest 3" in page.text
    assert 'data-testid="buyers"' not in page.text


def test_an_underwriter_registers_a_buyer_through_the_form(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    token = csrf_of(client.get("/buyers").text)
    form = {
        "name": "Gulf Coast Retail LLC",
        "country": "us",
        "registration_number": "98-7654321",
        "kind": "company",
        "sector": "retail_wholesale",
        "grade": "5",
        "csrf_token": token,
    }
    created = client.post("/buyers", data=form)
    assert created.status_code == 303
    detail = client.get(created.headers["location"])
    assert "Gulf Coast Retail LLC was added to the buyer registry" in detail.text
    again = client.post("/buyers", data=form)
    assert again.status_code == 422
    assert "is registered" in again.text


def test_an_underwriter_regrades_a_buyer_and_the_history_shows_it(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    buyer_id = _buyer(sessions)
    sign_in(client, world.emails[Role.UNDERWRITER])
    token = csrf_of(client.get(f"/buyers/{buyer_id}").text)
    changed = client.post(
        f"/buyers/{buyer_id}/grade",
        data={"grade": "7", "reason": "Tariff shock: orders cut", "csrf_token": token},
    )
    assert changed.status_code == 303
    detail = client.get(changed.headers["location"])
    assert "is now grade 7 (was 4)" in detail.text
    history = detail.text[detail.text.index('data-testid="grade-history"') :]
    assert "Tariff shock: orders cut" in history
    assert "You" in history
    assert _grade_of(sessions, buyer_id) == 7


def test_a_regrade_without_a_reason_comes_back_with_its_message_and_changes_nothing(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    buyer_id = _buyer(sessions)
    sign_in(client, world.emails[Role.UNDERWRITER])
    token = csrf_of(client.get(f"/buyers/{buyer_id}").text)
    refused = client.post(
        f"/buyers/{buyer_id}/grade", data={"grade": "7", "reason": " ", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert '<p class="field-error" id="e-reason">Must not be empty</p>' in refused.text
    assert _grade_of(sessions, buyer_id) == 4


def test_a_policyholder_may_not_post_a_regrade(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    buyer_id = _buyer(sessions)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    token = csrf_of(client.get(f"/buyers/{buyer_id}").text)
    refused = client.post(
        f"/buyers/{buyer_id}/grade", data={"grade": "7", "reason": "x", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert _grade_of(sessions, buyer_id) == 4


def test_an_unknown_buyer_is_not_found(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert client.get("/buyers/00000000-0000-0000-0000-000000000000").status_code == 404


def test_the_underwriter_navigation_links_to_the_buyers_page(client: TestClient, world: World) -> None:
    sign_in(client, world.emails[Role.UNDERWRITER])
    home = client.get("/")
    assert 'href="/buyers"' in home.text
    assert 'href="/alerts"' in home.text
