"""Uploading an Excel workbook of declarations through the API: imported once; malformed is a 422."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.declarations.workbooks import workbook
from tests.limits.conftest import TODAY, issue_export_policy, new_buyer, usd

from tradecover.declarations.model import ImportBatch, Shipment
from tradecover.limits.decisions import request_limit
from tradecover.parties.service import actor_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUE = TODAY + dt.timedelta(days=60)


@pytest.fixture
def setting(db: Session, world: World) -> dict[str, Any]:
    """Insurer A's export policy for policyholder A and a buyer with a limit of USD 100,000."""
    policy = issue_export_policy(
        db,
        actor_for(world.insurer_a.user),
        world.insurer_a.organisation.id,
        world.policyholder_a.organisation.id,
    )
    buyer = new_buyer(db)
    request_limit(db, actor_for(world.policyholder_a.user), policy.id, buyer.id, usd(100_000))
    db.commit()
    return {"policy": policy, "buyer": buyer}


def test_a_workbook_is_uploaded_once_and_a_malformed_one_is_a_422_naming_it(
    client: TestClient, db: Session, world: World, setting: dict[str, Any]
) -> None:
    buyer = setting["buyer"]
    content = workbook(
        {2: ["shipment", buyer.country, buyer.registration_number, "F-1", 1000.25, "USD", TODAY, DUE]}
    )
    url = f"/policies/{setting['policy'].id}/declaration-imports"
    headers = world.policyholder_a.headers
    created = client.post(url, files={"file": ("june.xlsx", content, XLSX)}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["accepted"], body["shipments"], body["file_name"]) == (
        "imported",
        1,
        1,
        "june.xlsx",
    )
    assert db.scalar(select(Shipment.amount_minor)) == 100_025
    again = client.post(url, files={"file": ("june.xlsx", content, XLSX)}, headers=headers)
    assert again.status_code == 409
    broken = client.post(url, files={"file": ("broken.xlsx", b"PK\x03\x04", XLSX)}, headers=headers)
    assert broken.status_code == 422, broken.text
    error = broken.json()["errors"][0]
    assert error["field"] == "file"
    assert "broken.xlsx is not a readable Excel workbook" in error["message"]
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 1
