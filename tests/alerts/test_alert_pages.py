"""The alerts page and the unread badge in the top bar, through a browser-like client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world

from tradecover.alerts.service import raise_alerts
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.roles import Role

__all__ = ["client", "sessions", "world"]  # fixtures used here


def _alert(sessions: sessionmaker[Session], world: World, role: Role, title: str) -> str:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        (alert,) = raise_alerts(
            session,
            organisation_ids=[world.organisations[role]],
            kind="buyer_grade_changed",
            subject_type="Buyer",
            subject_id="00000000-0000-0000-0000-000000000007",
            title=title,
            message="Bluewater Retail Inc. (US) went from grade 4 to 6: US tariffs.",
        )
        return str(alert.id)


def _badge(html: str) -> str | None:
    match = re.search(r'data-testid="unread-alerts">(\d+)<', html)
    return match.group(1) if match else None


def test_the_top_bar_shows_the_unread_count_and_the_page_lists_the_alerts(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _alert(sessions, world, Role.POLICYHOLDER, "Bluewater Retail Inc. downgraded from 4 to 6")
    _alert(sessions, world, Role.POLICYHOLDER, "Second alert")
    sign_in(client, world.emails[Role.POLICYHOLDER])
    home = client.get("/")
    assert _badge(home.text) == "2"
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "Bluewater Retail Inc. downgraded from 4 to 6" in page.text
    assert 'href="/buyers/00000000-0000-0000-0000-000000000007"' in page.text
    assert 'data-testid="unread-count">2 unread<' in page.text


def test_marking_one_read_then_all_read_empties_the_badge(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    first = _alert(sessions, world, Role.BANK_OFFICER, "First")
    _alert(sessions, world, Role.BANK_OFFICER, "Second")
    sign_in(client, world.emails[Role.BANK_OFFICER])
    token = csrf_of(client.get("/alerts").text)
    assert client.post(f"/alerts/{first}/read", data={"csrf_token": token}).status_code == 303
    assert _badge(client.get("/alerts").text) == "1"
    assert client.post("/alerts/read-all", data={"csrf_token": token}).status_code == 303
    page = client.get("/alerts")
    assert _badge(page.text) is None
    assert "1 alert marked read." in page.text
    assert "No unread alerts." in client.get("/alerts", params={"unread": "1"}).text


def test_another_organisation_sees_no_badge_and_cannot_mark_the_alert(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    alert_id = _alert(sessions, world, Role.POLICYHOLDER, "For the exporter only")
    sign_in(client, world.emails[Role.UNDERWRITER])
    page = client.get("/alerts")
    assert "For the exporter only" not in page.text
    assert _badge(page.text) is None
    token = csrf_of(page.text)
    assert client.post(f"/alerts/{alert_id}/read", data={"csrf_token": token}).status_code == 404
