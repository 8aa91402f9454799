"""The alerts endpoints: each organisation lists and marks read only the alerts addressed to it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.api.conftest import World, api, client, sessions, world

from tradecover.alerts.service import raise_alerts

__all__ = ["api", "client", "sessions", "world"]  # fixtures used here


def _alert(db: Session, world: World, title: str) -> str:
    (alert,) = raise_alerts(
        db,
        organisation_ids=[world.policyholder_a.organisation.id],
        kind="buyer_grade_changed",
        subject_type="Buyer",
        subject_id="b-1",
        title=title,
        message="Bluewater Retail Inc. went from grade 4 to 6.",
    )
    db.commit()
    return str(alert.id)


def test_the_addressee_lists_its_alerts_with_the_unread_count_and_marks_one_read(
    client: TestClient, world: World, db: Session
) -> None:
    alert_id = _alert(db, world, "Buyer downgraded")
    headers = world.policyholder_a.headers
    listed = client.get("/alerts", headers=headers).json()
    assert ([a["title"] for a in listed["items"]], listed["unread"]) == (["Buyer downgraded"], 1)
    read = client.post(f"/alerts/{alert_id}/read", headers=headers)
    assert read.status_code == 200
    assert read.json()["read_by_user_id"] == str(world.policyholder_a.user.id)
    after: dict[str, Any] = client.get("/alerts", params={"unread_only": True}, headers=headers).json()
    assert (after["items"], after["unread"]) == ([], 0)


def test_another_organisation_neither_lists_nor_marks_the_alert(
    client: TestClient, world: World, db: Session
) -> None:
    alert_id = _alert(db, world, "Buyer downgraded")
    assert client.get("/alerts", headers=world.policyholder_b.headers).json() == {"items": [], "unread": 0}
    assert client.post(f"/alerts/{alert_id}/read", headers=world.insurer_a.headers).status_code == 404
    assert client.get("/alerts", headers=world.policyholder_a.headers).json()["unread"] == 1


def test_the_platform_admin_may_not_mark_another_organisations_alert_read(
    client: TestClient, world: World, db: Session
) -> None:
    alert_id = _alert(db, world, "Buyer downgraded")
    assert client.post(f"/alerts/{alert_id}/read", headers=world.admin.headers).status_code == 403
    assert client.get("/alerts", headers=world.admin.headers).json()["items"] == []
