"""The claims API: filing, documents, documents complete, the assessment preview and decision, approval,
the queue; another organisation finds none of it; bad input is a 422 that changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.claims.conftest import TODAY, ClaimsWorld, open_claims_world, report, usd
from tests.limits.conftest import member

from tradecover.claims.model import Claim, ClaimDocument
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation, issue_api_key
from tradecover.policies.service import endorse_policy
from tradecover.policies.terms import DecisionBands

PDF = b"%PDF-1.4 statement of account"


def key(db: Session, actor: Actor) -> dict[str, str]:
    """An API key for the actor, as headers."""
    _, token = issue_api_key(db, actor, "test")
    return {"Authorization": f"Bearer {token}"}


class Keys:
    """Headers of the world's people and of another world's (a stranger insured and insurer)."""

    def __init__(self, db: Session, world: ClaimsWorld) -> None:
        other = open_claims_world(db, shipments=False)
        self.exporter = key(db, world.exporter)
        self.handler = key(db, world.handler)
        self.second = key(db, world.second_handler)
        self.stranger = key(db, other.exporter)
        self.stranger_insurer = key(db, other.handler)
        for invoice in ("INV-1", "INV-2"):
            report(world, invoice)
        db.commit()


@pytest.fixture
def keys(claims_world: ClaimsWorld) -> Keys:
    """API keys of the world's people, with both invoices reported overdue in time."""
    return Keys(claims_world.db, claims_world)


def file(client: TestClient, world: ClaimsWorld, keys: Keys, *invoices: str) -> dict[str, object]:
    """File a claim through the API on the invoices."""
    body = {
        "policy_id": str(world.policy.id),
        "cause": "protracted_default",
        "shipment_ids": [str(world.shipments[i].id) for i in invoices],
        "description": "The buyer stopped paying.",
    }
    answer = client.post("/claims", json=body, headers=keys.exporter)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def ready(client: TestClient, claim_id: object, keys: Keys) -> None:
    """Upload a document and mark the documents complete."""
    sent = client.post(
        f"/claims/{claim_id}/documents",
        files={"file": ("statement.pdf", PDF, "application/pdf")},
        data={"description": "Statement"},
        headers=keys.exporter,
    )
    assert sent.status_code == 201, sent.text
    done = client.post(f"/claims/{claim_id}/documents-complete", headers=keys.handler)
    assert done.status_code == 200, done.text


def count(fresh: Session, model: type) -> int:
    return int(fresh.scalar(select(func.count()).select_from(model)) or 0)


def test_file_upload_preview_and_approve_through_the_api(
    client: TestClient, claims_world: ClaimsWorld, keys: Keys, fresh: Session
) -> None:
    claim = file(client, claims_world, keys, "INV-1", "INV-2")
    assert claim["status"] == "filed"
    assert claim["date_of_loss"] == "2026-08-03"
    assert [i["invoice_number"] for i in claim["invoices"]] == ["INV-1", "INV-2"]
    ready(client, claim["id"], keys)
    documents = client.get(f"/claims/{claim['id']}/documents", headers=keys.handler).json()
    assert documents[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    content = client.get(f"/claims/{claim['id']}/documents/{documents[0]['id']}", headers=keys.handler)
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    preview = client.post(f"/claims/{claim['id']}/assessment", json={"preview": True}, headers=keys.handler)
    assert preview.status_code == 200, preview.text
    breakdown = preview.json()
    assert breakdown["insured_loss"] == "150000.00"
    assert breakdown["indemnity_rate"] == "0.90"
    assert breakdown["indemnity"] == "135000.00"
    assert breakdown["steps"][0]["key"] == "unpaid_insured"
    assert [line["unpaid_insured"] for line in breakdown["lines"]] == ["100000.00", "50000.00"]
    assert breakdown["members"][0]["amount"] == "135000.00"
    assert client.get(f"/claims/{claim['id']}", headers=keys.exporter).json()["breakdown"] is None
    decided = client.post(
        f"/claims/{claim['id']}/assessment", json={"outcome": "approved"}, headers=keys.handler
    )
    assert decided.status_code == 200, decided.text
    read = client.get(f"/claims/{claim['id']}", headers=keys.exporter).json()
    assert read["status"] == "assessed"
    assert read["indemnity"] == {"amount": "135000.00", "currency": "USD"}
    assert read["breakdown"]["steps"] == breakdown["steps"]
    assert read["members"][0]["to_insured"]["amount"] == "135000.00"
    assert read["payment_deadline"] is not None


def test_bad_input_is_a_422_and_changes_nothing(
    client: TestClient, claims_world: ClaimsWorld, keys: Keys, fresh: Session
) -> None:
    base = {"policy_id": str(claims_world.policy.id), "cause": "protracted_default"}
    before = count(fresh, Claim)
    for body in (
        {**base, "cause": "bad luck", "shipment_ids": [str(claims_world.shipments["INV-1"].id)]},
        {**base, "shipment_ids": []},
        {**base, "shipment_ids": ["not-a-uuid"]},
        {**base, "shipment_ids": [str(uuid.uuid4())]},
        {**base, "shipment_ids": [str(claims_world.shipments["INV-1"].id)], "insolvency_date": "2026-13-01"},
        {**base, "shipment_ids": [str(claims_world.shipments["INV-1"].id)], "extra": 1},
    ):
        answer = client.post("/claims", json=body, headers=keys.exporter)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"][0]["message"]
    assert count(fresh, Claim) == before
    claim = file(client, claims_world, keys, "INV-1")
    documents_before = count(fresh, ClaimDocument)
    refused = client.post(
        f"/claims/{claim['id']}/documents",
        files={"file": ("tool.pdf", b"MZ\x90\x00binary", "application/pdf")},
        headers=keys.exporter,
    )
    assert refused.status_code == 422
    assert "executable" in refused.json()["errors"][0]["message"]
    assert count(fresh, ClaimDocument) == documents_before
    ready(client, claim["id"], keys)
    for body in (
        {"outcome": "partly_approved", "reason": "x", "amount": {"amount": "90000.01", "currency": "USD"}},
        {"outcome": "rejected"},
        {"outcome": "maybe"},
        {},
        {"preview": True, "outcome": "approved"},
    ):
        answer = client.post(f"/claims/{claim['id']}/assessment", json=body, headers=keys.handler)
        assert answer.status_code == 422, (body, answer.text)
    assert client.get(f"/claims/{claim['id']}", headers=keys.handler).json()["status"] == "documents_complete"


def test_another_organisation_finds_none_of_the_claim(
    client: TestClient, claims_world: ClaimsWorld, keys: Keys
) -> None:
    claim = file(client, claims_world, keys, "INV-1")
    ready(client, claim["id"], keys)
    doc = client.get(f"/claims/{claim['id']}/documents", headers=keys.exporter).json()[0]["id"]
    base = f"/claims/{claim['id']}"
    for headers in (keys.stranger, keys.stranger_insurer):
        assert client.get(base, headers=headers).status_code == 404
        assert client.get(f"{base}/documents", headers=headers).status_code == 404
        assert client.get(f"{base}/documents/{doc}", headers=headers).status_code == 404
        sent = client.post(
            f"{base}/documents", files={"file": ("a.pdf", PDF, "application/pdf")}, headers=headers
        )
        assert sent.status_code == 404
        assert client.post(f"{base}/documents-complete", headers=headers).status_code == 404
        assert client.post(f"{base}/assessment", json={"preview": True}, headers=headers).status_code == 404
        assert (
            client.post(f"{base}/assessment", json={"outcome": "approved"}, headers=headers).status_code
            == 404
        )
        assert client.post(f"{base}/approval", headers=headers).status_code == 404
        assert claim["id"] not in [c["id"] for c in client.get("/claims", headers=headers).json()]
    queue = client.get("/claims-queue", headers=keys.stranger_insurer).json()
    assert claim["id"] not in [item["claim"]["id"] for item in queue]
    # Someone else's policy cannot be filed on either (not found, nothing said about it).
    body = {
        "policy_id": str(claims_world.policy.id),
        "cause": "protracted_default",
        "shipment_ids": [str(claims_world.shipments["INV-2"].id)],
    }
    assert client.post("/claims", json=body, headers=keys.stranger).status_code in (403, 404)


def test_a_large_claim_needs_a_second_handler_and_the_queue_shows_it_first(
    client: TestClient, claims_world: ClaimsWorld, keys: Keys, db: Session
) -> None:
    bands = DecisionBands(instant_up_to=usd(50_000), two_approvals_above=usd(1_000_000))
    terms = claims_world.policy.current_version.terms.replace(decision_bands=bands)
    endorse_policy(
        db, Actor.system(), claims_world.policy.id, terms=terms, effective_from=TODAY, reason="Bands"
    )
    db.commit()
    small = file(client, claims_world, keys, "INV-2")
    large = file(client, claims_world, keys, "INV-1")
    ready(client, large["id"], keys)
    queue = [item["claim"]["id"] for item in client.get("/claims-queue", headers=keys.handler).json()]
    assert queue[:2] == [large["id"], small["id"]]
    waiting = client.post(
        f"/claims/{large['id']}/assessment", json={"outcome": "approved"}, headers=keys.handler
    )
    assert waiting.json()["status"] == "awaiting_second_approval"
    assert client.post(f"/claims/{large['id']}/approval", headers=keys.handler).status_code == 403
    assert client.post(f"/claims/{large['id']}/approval", headers=keys.exporter).status_code == 403
    no_reason = client.post(f"/claims/{large['id']}/approval", json={"approve": False}, headers=keys.second)
    assert no_reason.status_code == 422
    approved = client.post(f"/claims/{large['id']}/approval", json={"approve": True}, headers=keys.second)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "assessed"
    assert approved.json()["decided_on"] == dt.date(2026, 9, 15).isoformat()


def test_the_loss_payee_bank_sees_and_files_the_claims_of_the_assigned_policy(
    client: TestClient, claims_world: ClaimsWorld, keys: Keys, db: Session
) -> None:
    claim = file(client, claims_world, keys, "INV-1")
    bank = create_organisation(
        db, Actor.system(), name="Payee Bank", kind=OrganisationKind.BANK, country="CN"
    )
    officer = key(db, member(db, bank.id, Role.BANK_OFFICER))
    db.commit()
    assert client.get(f"/claims/{claim['id']}", headers=officer).status_code == 404
    claims_world.policy.loss_payee_id = bank.id
    claims_world.policy.loss_payee_since = dt.date(2026, 1, 10)
    db.commit()
    assert client.get(f"/claims/{claim['id']}", headers=officer).status_code == 200
    body = {
        "policy_id": str(claims_world.policy.id),
        "cause": "protracted_default",
        "shipment_ids": [str(claims_world.shipments["INV-2"].id)],
    }
    filed = client.post("/claims", json=body, headers=officer)
    assert filed.status_code == 201, filed.text
    assert filed.json()["filed_by_organisation_id"] == str(bank.id)
