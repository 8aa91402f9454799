"""The invoices API: list and read as each party, pay with an Idempotency-Key, credit, invoicing runs."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.premiums.conftest import PremiumBook, open_premium_book


def world_book(db: Session, world: World) -> PremiumBook:
    """Insurer A's rated policy for policyholder A, with a May shipment, committed."""
    book = open_premium_book(
        db, insurer_id=world.insurer_a.organisation.id, exporter_id=world.policyholder_a.organisation.id
    )
    book.ship("API-1", "100000.00", dt.date(2026, 5, 4))
    db.commit()
    return book


def test_the_insurer_invoices_a_month_and_the_firm_reads_and_pays_it_once(
    db: Session, world: World, client: TestClient
) -> None:
    book = world_book(db, world)
    refused = client.post("/invoicing-runs", json={"month": "2026-05"}, headers=world.policyholder_a.headers)
    assert refused.status_code == 403
    run = client.post("/invoicing-runs", json={"month": "2026-05"}, headers=world.insurer_a.headers)
    assert run.status_code == 201, run.text
    (summary,) = run.json()["invoices"]
    assert summary["policy_id"] == str(book.policy.id)
    invoice_id = summary["id"]
    again = client.post("/invoicing-runs", json={"month": "2026-05"}, headers=world.insurer_a.headers)
    assert [i["id"] for i in again.json()["invoices"]] == [invoice_id]
    listed = client.get("/invoices", params={"month": "2026-05"}, headers=world.policyholder_a.headers)
    assert [i["id"] for i in listed.json()] == [invoice_id]
    read = client.get(f"/invoices/{invoice_id}", headers=world.policyholder_a.headers).json()
    (line,) = read["lines"]
    assert line["invoice_number"] == "API-1"
    assert {"buyer_grade_band", "country_grade", "credit_day_band", "rate"} <= set(line)
    assert read["firm_share"] == read["premium"]
    body = {"amount": read["firm_share"], "received_on": "2026-06-15"}
    headers = {**world.policyholder_a.headers, "Idempotency-Key": "may-premium"}
    first = client.post(f"/invoices/{invoice_id}/payments", json=body, headers=headers)
    second = client.post(f"/invoices/{invoice_id}/payments", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    paid = client.get(f"/invoices/{invoice_id}", headers=world.insurer_a.headers).json()
    assert paid["status"] == "paid"
    assert paid["paid"] == read["firm_share"]


def test_other_organisations_see_no_invoice_and_bad_input_is_a_422(
    db: Session, world: World, client: TestClient
) -> None:
    world_book(db, world)
    run = client.post("/invoicing-runs", json={"month": "2026-05"}, headers=world.insurer_a.headers).json()
    invoice_id = run["invoices"][0]["id"]
    for outsider in (world.insurer_b, world.policyholder_b):
        assert client.get(f"/invoices/{invoice_id}", headers=outsider.headers).status_code == 404
        assert client.get("/invoices", headers=outsider.headers).json() == []
    bad = client.post(
        f"/invoices/{invoice_id}/payments",
        json={"amount": {"amount": "-5.00", "currency": "USD"}},
        headers=world.policyholder_a.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "amount"
    month = client.post("/invoicing-runs", json={"month": "2026-6"}, headers=world.insurer_a.headers)
    assert month.status_code == 422


def test_the_insurer_credits_an_invoice_through_the_api(
    db: Session, world: World, client: TestClient
) -> None:
    world_book(db, world)
    run = client.post("/invoicing-runs", json={"month": "2026-05"}, headers=world.insurer_a.headers).json()
    invoice_id = run["invoices"][0]["id"]
    refused = client.post(
        f"/invoices/{invoice_id}/credit-notes", json={"reason": "no"}, headers=world.policyholder_a.headers
    )
    assert refused.status_code == 403
    note = client.post(
        f"/invoices/{invoice_id}/credit-notes",
        json={"reason": "wrong grade"},
        headers=world.insurer_a.headers,
    )
    assert note.status_code == 201, note.text
    assert note.json()["number"].startswith("CN-")
    credited = client.get(f"/invoices/{invoice_id}", headers=world.policyholder_a.headers).json()
    assert credited["status"] == "credited"
