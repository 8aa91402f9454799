"""The overdues API: report one and many, dates, extension, decision, withdrawal; bad input: no change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.limits.conftest import issue_export_policy, new_buyer, usd

from tradecover.claims.overdue_model import Overdue
from tradecover.clock import FixedClock, set_clock
from tradecover.declarations.model import Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit
from tradecover.parties.service import actor_for

SHIPPED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The clock starts on the shipment date."""
    fixed = FixedClock(dt.datetime.combine(SHIPPED, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture
def setting(db: Session, world: World, clock: FixedClock) -> dict[str, Any]:
    """Policyholder A's export policy with insurer A, a limit and two invoices due 1 May; today 6 May."""
    holder = actor_for(world.policyholder_a.user)
    policy = issue_export_policy(
        db,
        actor_for(world.insurer_a.user),
        world.insurer_a.organisation.id,
        world.policyholder_a.organisation.id,
    )
    buyer = new_buyer(db)
    request_limit(db, holder, policy.id, buyer.id, usd(100_000))
    for number in ("INV-1", "INV-2"):
        declare_shipment(
            db, holder, policy.id, ShipmentDeclaration(buyer.id, number, usd(5_000), SHIPPED, DUE)
        )
    db.commit()
    clock.set(dt.datetime.combine(DUE + dt.timedelta(days=5), dt.time(12), tzinfo=dt.UTC))
    return {"policy": str(policy.id)}


def count(db: Session) -> int:
    """Overdue rows."""
    return db.scalar(select(func.count()).select_from(Overdue)) or 0


def test_the_insured_reports_an_overdue_and_sees_every_date_of_the_invoice(
    client: TestClient, world: World, setting: dict[str, Any]
) -> None:
    headers = world.policyholder_a.headers
    answer = client.post(
        "/overdues", json={"policy_id": setting["policy"], "invoice_number": "INV-1"}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "reported"
    assert body["unpaid"] == {"amount": "5000.00", "currency": "USD"}
    assert body["reporting_deadline"] == "2026-06-01"
    assert body["reported_in_time"] is True
    assert body["deadlines"]["date_of_loss"] == "2026-09-01"
    assert body["deadlines"]["claim_filing_closes"] == "2027-03-01"
    assert body["deadlines"]["stoppage_date"] == "2026-05-06"
    listed = client.get("/overdues", params={"policy_id": setting["policy"]}, headers=headers).json()
    assert [o["invoice_number"] for o in listed] == ["INV-1"]
    insurer = client.get(f"/overdues/{body['id']}", headers=world.insurer_a.headers)
    assert insurer.status_code == 200
    assert client.get("/overdues", headers=world.policyholder_b.headers).json() == []
    extended = client.post(
        f"/overdues/{body['id']}/extension", json={"extended_due_date": "2026-08-01"}, headers=headers
    ).json()
    assert extended["status"] == "extension_requested"
    decided = client.post(
        f"/overdues/{body['id']}/extension-decision", json={"approve": True}, headers=world.insurer_a.headers
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["extended_due_date"] == "2026-08-01"
    assert decided.json()["deadlines"]["date_of_loss"] == "2026-12-01"
    refused = client.post(f"/overdues/{body['id']}/withdrawal", headers=headers)
    assert refused.status_code == 422
    assert "unpaid" in refused.json()["errors"][0]["message"]


def test_many_overdues_are_reported_together_or_not_at_all(
    client: TestClient, world: World, setting: dict[str, Any], db: Session
) -> None:
    headers = world.policyholder_a.headers
    bad = client.post(
        "/overdue-reports",
        json={"policy_id": setting["policy"], "invoice_numbers": ["INV-1", "INV-X"]},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["message"].startswith("row 2: no invoice INV-X is declared on policy")
    assert count(db) == 0
    good = client.post(
        "/overdue-reports",
        json={"policy_id": setting["policy"], "invoice_numbers": ["INV-1", "INV-2"]},
        headers=headers,
    )
    assert good.status_code == 201, good.text
    assert [o["invoice_number"] for o in good.json()] == ["INV-1", "INV-2"]


@pytest.mark.parametrize(
    "body",
    [
        {"invoice_number": "INV-1"},
        {"policy_id": "not-a-uuid", "invoice_number": "INV-1"},
        {"policy_id": None, "invoice_number": ""},
        {"policy_id": None, "invoice_number": "INV-1", "extra": 1},
        {"policy_id": None, "invoice_number": "INV-404"},
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(
    client: TestClient, world: World, setting: dict[str, Any], db: Session, body: dict[str, Any]
) -> None:
    if "policy_id" in body and body["policy_id"] is None:
        body = body | {"policy_id": setting["policy"]}
    answer = client.post("/overdues", json=body, headers=world.policyholder_a.headers)
    assert answer.status_code == 422, answer.text
    assert count(db) == 0


def test_another_organisation_cannot_report_on_the_policy(
    client: TestClient, world: World, setting: dict[str, Any], db: Session
) -> None:
    body = {"policy_id": setting["policy"], "invoice_number": "INV-1"}
    assert client.post("/overdues", json=body, headers=world.policyholder_b.headers).status_code == 404
    assert client.post("/overdues", json=body, headers=world.insurer_a.headers).status_code == 403
    assert count(db) == 0


def test_every_date_of_an_invoice_by_cause(
    client: TestClient, world: World, setting: dict[str, Any], db: Session
) -> None:
    shipment_id = db.scalar(select(Shipment.id).where(Shipment.invoice_number == "INV-1"))
    path = f"/shipments/{shipment_id}/deadlines"
    dates = client.get(path, headers=world.policyholder_a.headers)
    assert dates.status_code == 200, dates.text
    assert dates.json()["overdue_reporting_deadline"] == "2026-06-01"
    assert dates.json()["date_of_loss"] == "2026-09-01"
    insolvent = client.get(
        path, params={"cause": "insolvency", "insolvency_date": "2026-05-20"}, headers=world.insurer_a.headers
    ).json()
    assert (insolvent["date_of_loss"], insolvent["claim_filing_closes"]) == ("2026-05-20", "2026-11-20")
    assert client.get(path, params={"cause": "fire"}, headers=world.policyholder_a.headers).status_code == 422
    assert client.get(path, headers=world.policyholder_b.headers).status_code == 404
