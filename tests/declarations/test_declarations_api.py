"""The declarations API: shipments, payments, exposure, file imports; bad input is a 422 changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.limits.conftest import TODAY, issue_export_policy, new_buyer, usd

from tradecover.declarations.model import ImportBatch, Shipment
from tradecover.limits.decisions import request_limit
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy


@pytest.fixture
def setting(db: Session, world: World) -> dict[str, Any]:
    """Insurer A's export policy for policyholder A, a buyer with a limit of USD 100,000, another without."""
    policy: Policy = issue_export_policy(
        db,
        actor_for(world.insurer_a.user),
        world.insurer_a.organisation.id,
        world.policyholder_a.organisation.id,
    )
    buyer, other = new_buyer(db), new_buyer(db)
    request_limit(db, actor_for(world.policyholder_a.user), policy.id, buyer.id, usd(100_000))
    db.commit()
    return {"policy": policy, "buyer": buyer, "other": other}


def _shipment(setting: dict[str, Any], invoice: str, value: str, **changes: Any) -> dict[str, Any]:
    body = {
        "policy_id": str(setting["policy"].id),
        "buyer_id": str(setting["buyer"].id),
        "invoice_number": invoice,
        "amount": {"amount": value, "currency": "USD"},
        "shipment_date": TODAY.isoformat(),
        "due_date": "2026-09-13",
    }
    return body | changes


def test_a_policyholder_declares_shipments_and_payments_and_sees_exposure_per_buyer(
    client: TestClient, world: World, setting: dict[str, Any]
) -> None:
    headers = world.policyholder_a.headers
    first = client.post("/shipments", json=_shipment(setting, "INV-1", "70000.00"), headers=headers)
    assert first.status_code == 201, first.text
    second = client.post("/shipments", json=_shipment(setting, "INV-2", "50000.00"), headers=headers)
    body = second.json()
    assert body["insured"] == {"amount": "30000.00", "currency": "USD"}
    assert body["summary"].startswith("partly insured: USD 30,000.00 of 50,000.00 insured")
    assert [v["rule"] for v in body["verdicts"]] == [
        "credit_period",
        "stoppage",
        "deadline",
        "loss_event",
        "limit",
    ]
    payment = client.post(
        "/payments",
        json={
            "policy_id": str(setting["policy"].id),
            "buyer_id": str(setting["buyer"].id),
            "amount": {"amount": "70000.00", "currency": "USD"},
            "received_on": TODAY.isoformat(),
        },
        headers=headers,
    )
    assert payment.status_code == 201, payment.text
    assert [a["invoice_number"] for a in payment.json()["applications"]] == ["INV-1"]
    policy_id = setting["policy"].id
    exposure = client.get(f"/policies/{policy_id}/exposure", headers=headers).json()
    assert exposure == [
        {
            "buyer_id": str(setting["buyer"].id),
            "buyer_name": setting["buyer"].name,
            "buyer_country": "US",
            "limit": {"amount": "100000.00", "currency": "USD"},
            "exposure": {"amount": "30000.00", "currency": "USD"},
            "available": {"amount": "70000.00", "currency": "USD"},
            "overdue": {"amount": "0.00", "currency": "USD"},
        }
    ]
    listed = client.get(
        f"/policies/{policy_id}/shipments?page_size=1", headers=world.insurer_a.headers
    ).json()
    assert (listed["total"], len(listed["items"])) == (2, 1)
    one = client.get(f"/shipments/{first.json()['id']}", headers=headers)
    assert one.json()["paid"] == {"amount": "70000.00", "currency": "USD"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": {"amount": "0.00", "currency": "USD"}}, "amount"),
        ({"amount": {"amount": "-10.00", "currency": "USD"}}, "amount"),
        ({"amount": {"amount": "10.00", "currency": "XXQ"}}, "currency"),
        ({"amount": {"amount": "10.00", "currency": "EUR"}}, "currency"),
        ({"due_date": "2026-06-01"}, "due_date"),
        ({"due_date": "2027-12-31"}, "due_date"),
    ],
)
def test_bad_shipments_get_a_422_naming_the_field_and_change_nothing(
    client: TestClient,
    db: Session,
    world: World,
    setting: dict[str, Any],
    changes: dict[str, Any],
    field: str,
) -> None:
    response = client.post(
        "/shipments",
        json=_shipment(setting, "INV-9", "10.00", **changes),
        headers=world.policyholder_a.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].endswith(field)
    assert db.scalar(select(func.count()).select_from(Shipment)) == 0


def test_a_file_is_uploaded_imported_and_refused_the_second_time(
    client: TestClient, db: Session, world: World, setting: dict[str, Any]
) -> None:
    buyer = setting["buyer"]
    content = (
        "record,buyer_country,buyer_registration_number,invoice_number,amount,currency,shipment_date,due_date\n"
        f"shipment,{buyer.country},{buyer.registration_number},F-1,1000.00,USD,{TODAY},2026-08-14\n"
    ).encode()
    url = f"/policies/{setting['policy'].id}/declaration-imports"
    headers = world.policyholder_a.headers
    created = client.post(url, files={"file": ("june.csv", content, "text/csv")}, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["accepted"]) == ("imported", 1)
    again = client.post(url, files={"file": ("june.csv", content, "text/csv")}, headers=headers)
    assert again.status_code == 409
    bad = content.replace(b"1000.00", b"zero")
    rejected = client.post(url, files={"file": ("bad.csv", bad, "text/csv")}, headers=headers).json()
    assert rejected["status"] == "rejected"
    report = client.get(rejected["rejection_report"], headers=headers)
    assert report.headers["content-type"].startswith("text/csv")
    assert report.text.splitlines() == ["row,reason", "2,amount 'zero' is not a number"]
    assert client.get(f"/declaration-imports/{rejected['id']}", headers=headers).json()["rejected"] == 1


def test_a_malformed_upload_is_a_422_and_records_nothing(
    client: TestClient, db: Session, world: World, setting: dict[str, Any]
) -> None:
    url = f"/policies/{setting['policy'].id}/declaration-imports"
    headers = world.policyholder_a.headers
    for files in (
        {"file": ("x.csv", b"not,a,header\n1,2,3\n", "text/csv")},
        {"file": ("x.xlsx", b"PK", "application/zip")},
        None,
    ):
        response = client.post(url, files=files, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "file"
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0
