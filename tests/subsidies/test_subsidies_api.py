"""The subsidies API: an officer defines and budgets a programme, a firm reads its eligibility and applies,
the officer decides and pays once per Idempotency-Key; bad input is a 422 naming its field, changing nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.conftest import World
from tests.subsidies.conftest import TODAY, usd

from tradecover.ledger.model import JournalEntry
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.service import commit_subsidy, premium_paid

PROGRAMME = {
    "name": "Domestic trade support",
    "currency": "CNY",
    "product_kinds": ["export_whole_turnover"],
    "rules": [{"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"}],
    "tiers": [{"rate": "0.5"}],
    "cap": {"amount": "50000.00", "currency": "CNY"},
    "mode": "reimbursement",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}


@pytest.fixture
def officer(db: Session, world: World) -> dict[str, str]:
    """The headers of a programme officer of a new commerce bureau."""
    body = create_organisation(
        db, Actor.system(), name="Api Commerce Bureau", kind=OrganisationKind.PROGRAMME_BODY, country="CN"
    )
    user = create_user(
        db,
        Actor.system(),
        organisation_id=body.id,
        email="officer@bureau.example",
        full_name="Api Officer",
        roles=[Role.PROGRAMME_OFFICER],
    )
    _, token = issue_api_key(db, actor_for(user), "subsidies test")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def _invoice(db: Session, world: World) -> uuid.UUID:
    """Insurer A invoices policyholder A USD 1,000 of premium; returns the invoice id."""
    insurer_id = world.insurer_a.organisation.id
    install_products(db, Actor.system(), insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
    product = db.scalars(select(Product).where(Product.insurer_id == insurer_id)).one()
    policy = issue_policy(
        db,
        Actor.system(),
        product=product,
        policyholder_id=world.policyholder_a.organisation.id,
        terms=product.terms,
        period_start=TODAY.replace(month=1, day=1),
        period_end=TODAY.replace(month=12, day=31),
        rate_table_id=None,
    )
    invoice_id = uuid.uuid4()
    commit_subsidy(
        db,
        invoice_id=invoice_id,
        policy_id=policy.id,
        policyholder_id=world.policyholder_a.organisation.id,
        product_kind="export_whole_turnover",
        premium=usd(1000),
        on=TODAY,
    )
    db.commit()
    return invoice_id


def _define(client: TestClient, officer: dict[str, str], **changes: Any) -> Any:
    return client.post("/programmes", json={**PROGRAMME, **changes}, headers=officer)


def test_a_reimbursement_programme_from_definition_to_payment(
    client: TestClient, db: Session, world: World, officer: dict[str, str]
) -> None:
    created = _define(client, officer)
    assert created.status_code == 201, created.text
    programme_id = created.json()["id"]
    budget = client.post(
        f"/programmes/{programme_id}/budgets",
        json={"year": 2025, "amount": {"amount": "100000.00", "currency": "CNY"}},
        headers=officer,
    )
    assert budget.status_code == 200
    assert budget.json()["remaining"] == {"amount": "100000.00", "currency": "CNY"}
    eligibility = client.get(
        "/eligibility", params={"on": "2025-06-16"}, headers=world.policyholder_a.headers
    )
    (answer,) = eligibility.json()
    assert answer["eligible"] is False
    assert answer["reasons"] == ["prior-year exports not on record"]
    # The firm's facts are on record once the operator registers them; here, straight in the database.
    holder = world.policyholder_a.organisation
    holder.prior_year_exports_usd_minor = 300_000_000
    db.commit()
    (answer,) = client.get("/eligibility", headers=world.policyholder_a.headers).json()
    assert answer["eligible"] is True
    assert answer["rate"] == "0.5"
    invoice_id = _invoice(db, world)
    (commitment,) = client.get(f"/programmes/{programme_id}/commitments", headers=officer).json()
    assert commitment["amount"] == {"amount": "500.00", "currency": "USD"}
    assert commitment["status"] == "committed"
    premium_paid(db, invoice_id=invoice_id, on=TODAY)
    db.commit()
    commitment_id = commitment["id"]
    assert (
        client.get(f"/subsidy-commitments/{commitment_id}", headers=world.insurer_a.headers).status_code
        == 200
    )
    applied = client.post(
        f"/subsidy-commitments/{commitment_id}/application", headers=world.policyholder_a.headers
    )
    assert applied.json()["status"] == "applied"
    key = {**officer, "Idempotency-Key": "decision-1"}
    for _ in range(2):
        decided = client.post(
            f"/subsidy-commitments/{commitment_id}/decision", json={"approve": True}, headers=key
        )
        assert decided.status_code == 200
        assert decided.json()["status"] == "approved"
    pay_key = {**officer, "Idempotency-Key": "payment-1"}
    paid = [client.post(f"/subsidy-commitments/{commitment_id}/payment", headers=pay_key) for _ in range(2)]
    assert [p.status_code for p in paid] == [201, 201]
    assert paid[0].json()["id"] == paid[1].json()["id"]
    entries = db.scalars(select(JournalEntry).where(JournalEntry.document_type.like("subsidy_%"))).all()
    assert len(entries) == 2  # one approval, one payment: the retries booked nothing
    csv = client.get(f"/programmes/{programme_id}/commitments.csv", headers=officer)
    assert csv.headers["content-type"].startswith("text/csv")
    assert ",paid," in csv.text
    assert len(client.get("/subsidy-commitments", headers=world.insurer_b.headers).json()) == 0
    assert client.get(f"/programmes/{programme_id}", headers=world.policyholder_a.headers).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tiers": [{"rate": "-0.5"}]}, "tiers[0].rate", "a subsidy rate cannot be negative (-50%)"),
        (
            {
                "tiers": [
                    {"rate": "1", "exports_below_usd": "5000000"},
                    {"rate": "0.8", "exports_below_usd": "1"},
                ]
            },
            "tiers[1]",
            "the last tier has no bound",
        ),
        ({"cap": {"amount": "5.00", "currency": "USD"}}, "cap", "programme currency CNY"),
    ],
)
def test_a_bad_programme_is_refused_with_its_field(
    client: TestClient, officer: dict[str, str], changes: dict[str, Any], field: str, message: str
) -> None:
    refused = _define(client, officer, **changes)
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == field
    assert message in error["message"]
    assert client.get("/programmes", headers=officer).json() == []


def test_a_budget_below_its_commitments_is_refused_and_unchanged(
    client: TestClient, db: Session, world: World, officer: dict[str, str]
) -> None:
    programme_id = _define(client, officer, rules=[]).json()["id"]
    client.post(
        f"/programmes/{programme_id}/budgets",
        json={"year": 2025, "amount": {"amount": "100000.00", "currency": "CNY"}},
        headers=officer,
    )
    _invoice(db, world)
    refused = client.post(
        f"/programmes/{programme_id}/budgets",
        json={"year": 2025, "amount": {"amount": "1000.00", "currency": "CNY"}},
        headers=officer,
    )
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "amount"
    assert error["message"].startswith("budget 2025 cannot be CNY 1,000 — CNY ")
    (budget,) = client.get(f"/programmes/{programme_id}/budgets", headers=officer).json()
    assert budget["amount"]["amount"] == "100000.00"


def test_a_firm_enrols_in_the_platform_cover_through_the_api(
    client: TestClient, db: Session, world: World, officer: dict[str, str]
) -> None:
    install_products(db, Actor.system(), world.insurer_a.organisation.id, kinds=[ProductKind.PLATFORM])
    product = db.scalars(select(Product).where(Product.insurer_id == world.insurer_a.organisation.id)).one()
    db.commit()
    platform = {
        **PROGRAMME,
        "name": "Unified cover",
        "kind": "platform_policy",
        "platform_product_id": str(product.id),
        "tiers": [{"rate": "1"}],
        "rules": [],
        "cap": None,
        "mode": "direct",
        "ends_on": "2026-12-31",
    }
    programme_id = client.post("/programmes", json=platform, headers=officer).json()["id"]
    enrolled = client.post(
        "/enrolments", json={"programme_id": programme_id}, headers=world.policyholder_a.headers
    )
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["policy_id"] is not None
    again = client.post(
        "/enrolments", json={"programme_id": programme_id}, headers=world.policyholder_a.headers
    )
    assert again.status_code == 409
    (listed,) = client.get(f"/programmes/{programme_id}/enrolments", headers=officer).json()
    assert listed["policyholder_id"] == str(world.policyholder_a.organisation.id)
    assert client.get("/enrolments", headers=world.policyholder_b.headers).json() == []
