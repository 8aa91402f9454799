"""The /facilities API: set-up, assignment, borrowing base, drawings, repayments, isolation, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.financing.conftest import MATURITY, START, new_bank, open_financed
from tests.limits.conftest import TODAY, member

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.financing.model import Facility, FacilityMovement
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.parties.service import issue_api_key


def headers(db: Session, actor: Actor) -> dict[str, str]:
    """An Authorization header for a new key of the actor."""
    set_tenant(db, Tenant.unrestricted())
    _, token = issue_api_key(db, actor, "test key")
    return {"Authorization": f"Bearer {token}"}


def usd(amount: str) -> dict[str, str]:
    """A wire amount in US dollars."""
    return {"amount": amount, "currency": "USD"}


@pytest.fixture
def parties(db: Session) -> dict[str, Any]:
    """A financed book (not yet assigned) and keys for its bank, its insured, its insurer and another bank."""
    financed = open_financed(db, assign=False)
    _, stranger = new_bank(db)
    keys = {
        "bank": headers(db, financed.officer),
        "insured": headers(db, financed.book.exporter),
        "insurer": headers(db, financed.book.underwriter),
        "stranger": headers(db, stranger),
    }
    db.commit()
    return {"financed": financed, **keys}


def test_a_bank_sets_up_a_facility_and_the_insured_assigns_its_policy(
    db: Session, client: TestClient, parties: dict[str, Any]
) -> None:
    financed = parties["financed"]
    body = {
        "policy_id": str(financed.book.policy.id),
        "limit": usd("150000.00"),
        "advance_rate": "0.75",
        "starts_on": START.isoformat(),
        "matures_on": MATURITY.isoformat(),
    }
    created = client.post("/facilities", json=body, headers=parties["bank"])
    assert created.status_code == 201, created.text
    facility = created.json()
    assert (facility["policy_number"], facility["advance_rate"], facility["assigned_on"]) == (
        financed.book.policy.number,
        "0.75",
        None,
    )
    assert client.post(f"/facilities/{facility['id']}/assignment", headers=parties["bank"]).status_code == 403
    assigned = client.post(f"/facilities/{facility['id']}/assignment", headers=parties["insured"])
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assigned_on"] == TODAY.isoformat()
    listed = client.get("/facilities", headers=parties["insured"]).json()
    assert {f["id"] for f in listed} == {facility["id"], str(financed.facility.id)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"advance_rate": "0.95"}, "advance_rate"),
        ({"advance_rate": "eighty"}, "advance_rate"),
        ({"limit": {"amount": "1000.00", "currency": "EUR"}}, "limit"),
        ({"matures_on": START.isoformat()}, "matures_on"),
        ({"limit": usd("-5.00")}, "limit"),
    ],
)
def test_bad_facility_terms_answer_422_and_create_nothing(
    db: Session, client: TestClient, parties: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    body = {
        "policy_id": str(parties["financed"].book.policy.id),
        "limit": usd("150000.00"),
        "advance_rate": "0.8",
        "starts_on": START.isoformat(),
        "matures_on": MATURITY.isoformat(),
    } | change
    before = db.scalar(select(func.count()).select_from(Facility))
    answer = client.post("/facilities", json=body, headers=parties["bank"])
    assert answer.status_code == 422
    assert field in answer.json()["errors"][0]["field"]
    assert db.scalar(select(func.count()).select_from(Facility)) == before


def test_the_bank_reads_the_base_draws_within_it_and_records_repayments(
    client: TestClient, parties: dict[str, Any]
) -> None:
    facility_id = parties["financed"].facility.id
    client.post(f"/facilities/{facility_id}/assignment", headers=parties["insured"])
    base = client.get(f"/facilities/{facility_id}/borrowing-base", headers=parties["bank"])
    assert base.status_code == 200, base.text
    assert (base.json()["eligible"], base.json()["borrowing_base"]) == (usd("90000.00"), usd("72000.00"))
    assert {r["invoice_number"]: r["eligibility"] for r in base.json()["receivables"]} == {
        "INV-1": "eligible",
        "INV-2": "eligible",
    }
    later = client.get(
        f"/facilities/{facility_id}/borrowing-base",
        params={"on": (TODAY + dt.timedelta(days=61)).isoformat()},
        headers=parties["bank"],
    ).json()
    assert later["borrowing_base"] == usd("24000.00")
    refused = client.post(
        f"/facilities/{facility_id}/drawings", json={"amount": usd("72000.01")}, headers=parties["bank"]
    )
    assert refused.status_code == 422
    assert "borrowing base" in refused.json()["errors"][0]["message"]
    drawn = client.post(
        f"/facilities/{facility_id}/drawings", json={"amount": usd("50000.00")}, headers=parties["bank"]
    )
    assert drawn.status_code == 201, drawn.text
    repaid = client.post(
        f"/facilities/{facility_id}/repayments", json={"amount": usd("20000.00")}, headers=parties["bank"]
    )
    assert repaid.status_code == 201, repaid.text
    seen_by_insured = client.get(f"/facilities/{facility_id}", headers=parties["insured"]).json()
    assert seen_by_insured["outstanding"] == usd("30000.00")
    movements = client.get(f"/facilities/{facility_id}/movements", headers=parties["insured"]).json()
    assert [(m["kind"], m["amount"]["amount"]) for m in movements] == [
        ("drawing", "50000.00"),
        ("repayment", "20000.00"),
    ]
    assert (
        client.post(
            f"/facilities/{facility_id}/drawings", json={"amount": usd("1.00")}, headers=parties["insured"]
        ).status_code
        == 403
    )


def test_bad_drawings_answer_422_and_book_nothing(
    db: Session, client: TestClient, parties: dict[str, Any]
) -> None:
    facility_id = parties["financed"].facility.id
    client.post(f"/facilities/{facility_id}/assignment", headers=parties["insured"])
    for body in (
        {"amount": usd("0.00")},
        {"amount": {"amount": "10.00", "currency": "EUR"}},
        {"amount": usd("10.001")},
        {"amount": usd("10.00"), "on": "2030-01-01"},
        {"amount": "10"},
    ):
        answer = client.post(f"/facilities/{facility_id}/drawings", json=body, headers=parties["bank"])
        assert answer.status_code == 422, body
    assert db.scalar(select(func.count()).select_from(FacilityMovement)) == 0


def test_nobody_else_finds_the_facility_and_a_bank_sees_only_assigned_policies(
    db: Session, client: TestClient, parties: dict[str, Any]
) -> None:
    financed = parties["financed"]
    facility_id = financed.facility.id
    other = open_financed(db)  # assigned to a different bank
    db.commit()
    client.post(f"/facilities/{facility_id}/assignment", headers=parties["insured"])
    for who in ("stranger", "insurer"):
        for method, path in (
            ("GET", f"/facilities/{facility_id}"),
            ("GET", f"/facilities/{facility_id}/borrowing-base"),
            ("GET", f"/facilities/{facility_id}/movements"),
            ("POST", f"/facilities/{facility_id}/assignment"),
            ("POST", f"/facilities/{facility_id}/close"),
        ):
            assert client.request(method, path, headers=parties[who]).status_code == 404, (who, path)
        for path in (f"/facilities/{facility_id}/drawings", f"/facilities/{facility_id}/repayments"):
            answer = client.post(path, json={"amount": usd("1.00")}, headers=parties[who])
            assert answer.status_code == 404, (who, path)
        assert client.get("/facilities", headers=parties[who]).json() == []
    assert client.get(f"/policies/{other.book.policy.id}", headers=parties["bank"]).status_code == 404
    assert client.get(f"/limits?policy_id={other.book.policy.id}", headers=parties["bank"]).json() == []
    assert client.get(f"/limits?policy_id={financed.book.policy.id}", headers=parties["bank"]).json() != []


def test_an_officer_of_another_kind_of_organisation_cannot_set_up_a_facility(
    db: Session, client: TestClient, parties: dict[str, Any]
) -> None:
    admin = headers(db, member(db, parties["financed"].book.insurer_id, Role.INSURER_ADMIN))
    db.commit()
    body = {
        "policy_id": str(parties["financed"].book.policy.id),
        "limit": usd("1000.00"),
        "advance_rate": "0.5",
        "starts_on": START.isoformat(),
        "matures_on": MATURITY.isoformat(),
    }
    assert client.post("/facilities", json=body, headers=admin).status_code == 403


def test_the_bank_reads_the_assigned_policy(client: TestClient, parties: dict[str, Any]) -> None:
    financed = parties["financed"]
    client.post(f"/facilities/{financed.facility.id}/assignment", headers=parties["insured"])
    answer = client.get(f"/policies/{financed.book.policy.id}", headers=parties["bank"])
    assert answer.status_code == 200, answer.text
