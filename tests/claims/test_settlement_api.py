"""The settlement API: payments (idempotent), recoveries, closing, service levels, tenant isolation."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.claims.conftest import ClaimsWorld, open_claims_world
from tests.claims.test_settlement import approved
from tests.limits.conftest import member

from tradecover.claims.model import Claim
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation, issue_api_key


def headers(db: Session, actor: Actor, key: str | None = None) -> dict[str, str]:
    """An API key for the actor as headers (with an Idempotency-Key when given)."""
    _, token = issue_api_key(db, actor, f"test key {uuid.uuid4().hex[:6]}")
    found = {"Authorization": f"Bearer {token}"}
    if key is not None:
        found["Idempotency-Key"] = key
    return found


def handler_of(world: ClaimsWorld, organisation_id: uuid.UUID) -> dict[str, str]:
    """Headers of a new claims handler of the organisation."""
    return headers(world.db, member(world.db, organisation_id, Role.CLAIMS_HANDLER))


def pool_claim(db: Session) -> tuple[ClaimsWorld, Claim]:
    """An approved claim on a pool policy, committed for the API."""
    world = open_claims_world(db, pool=True)
    claim = approved(world)
    return world, claim


def test_members_pay_once_each_then_recover_and_close(db: Session, client: TestClient) -> None:
    world, claim = pool_claim(db)
    leader, second, third = world.members
    leader_headers = handler_of(world, leader)
    handler = headers(db, world.handler)
    db.commit()
    path = f"/claims/{claim.id}/payments"
    first = client.post(path, json={}, headers={**leader_headers, "Idempotency-Key": "leader-pays"})
    assert first.status_code == 201, first.text
    again = client.post(path, json={}, headers={**leader_headers, "Idempotency-Key": "leader-pays"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["amount"] == {"amount": "36000.00", "currency": "USD"}
    assert first.json()["claim_status"] == "assessed"
    settlement = client.get(f"/claims/{claim.id}/settlement", headers=handler).json()
    assert settlement["paid"]["amount"] == "36000.00"
    assert settlement["outstanding"]["amount"] == "54000.00"
    assert [m["paid_on"] is not None for m in settlement["members"]] == [True, False, False]
    refused = client.post(path, json={"member_id": str(second)}, headers=leader_headers)
    assert refused.status_code == 403
    early = client.post(
        f"/claims/{claim.id}/recoveries",
        json={"amount": {"amount": "10.00", "currency": "USD"}},
        headers=handler,
    )
    assert early.status_code == 422
    for member_id in (second, third):
        paid = client.post(path, json={}, headers=handler_of(world, member_id))
        assert paid.status_code == 201, paid.text
    assert paid.json()["claim_status"] == "paid"
    recovery = client.post(
        f"/claims/{claim.id}/recoveries",
        json={
            "amount": {"amount": "10000.00", "currency": "USD"},
            "costs": {"amount": "1000.00", "currency": "USD"},
            "note": "Paid by the buyer's liquidator",
        },
        headers={**handler, "Idempotency-Key": "recovery-1"},
    )
    assert recovery.status_code == 201, recovery.text
    body = recovery.json()
    # 9,000 × 90% = 8,100: 3,240 / 2,835 / 2,025; the insured keeps 900
    assert body["insurers"]["amount"] == "8100.00"
    assert body["insured"]["amount"] == "900.00"
    assert [s["amount"]["amount"] for s in body["shares"]] == ["3240.00", "2835.00", "2025.00"]
    listed = client.get(f"/claims/{claim.id}/recoveries", headers=headers(db, world.exporter)).json()
    assert [r["id"] for r in listed] == [body["id"]]
    closed = client.post(f"/claims/{claim.id}/close", json={"reason": "Done"}, headers=handler)
    assert closed.status_code == 200, closed.text
    assert closed.json()["claim_status"] == "closed"
    levels = client.get(
        "/claim-service-levels", params={"insurer_id": str(world.insurer_id)}, headers=handler
    )
    assert levels.status_code == 200, levels.text
    rows = levels.json()
    assert rows[0]["claims"] == 1
    assert rows[0]["to_payment"]["count"] == 1
    assert rows[0]["to_payment"]["within_share"] == "1.0000"


def test_bad_input_is_a_422(db: Session, client: TestClient) -> None:
    world, claim = pool_claim(db)
    leader_headers = handler_of(world, world.members[0])
    db.commit()
    path = f"/claims/{claim.id}/payments"
    assert client.post(path, json={"paid_on": "someday"}, headers=leader_headers).status_code == 422
    assert client.post(path, json={"paid_on": "2030-01-01"}, headers=leader_headers).status_code == 422
    assert client.post(path, json={"extra": 1}, headers=leader_headers).status_code == 422
    levels = client.get(
        "/claim-service-levels",
        params={"date_from": "2026-09-01", "date_to": "2026-08-01"},
        headers=leader_headers,
    )
    assert levels.status_code == 422
    # A number is no date (pydantic alone would read it as a Unix timestamp).
    timestamp = client.get("/claim-service-levels", params={"date_to": "0"}, headers=leader_headers)
    assert timestamp.status_code == 422
    assert "YYYY-MM-DD" in timestamp.text


def test_other_organisations_see_nothing(db: Session, client: TestClient) -> None:
    world, claim = pool_claim(db)
    outsider = create_organisation(
        db, Actor.system(), name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
    )
    other_holder = create_organisation(
        db, Actor.system(), name=f"Exporter {uuid.uuid4()}", kind=OrganisationKind.POLICYHOLDER, country="CN"
    )
    stranger = handler_of(world, outsider.id)
    stranger_holder = headers(db, member(db, other_holder.id, Role.POLICYHOLDER))
    db.commit()
    money = {"amount": {"amount": "10.00", "currency": "USD"}}
    for who in (stranger, stranger_holder):
        assert client.get(f"/claims/{claim.id}/settlement", headers=who).status_code == 404
        assert client.post(f"/claims/{claim.id}/payments", json={}, headers=who).status_code == 404
        assert client.get(f"/claims/{claim.id}/recoveries", headers=who).status_code == 404
        assert client.post(f"/claims/{claim.id}/recoveries", json=money, headers=who).status_code == 404
        assert client.post(f"/claims/{claim.id}/close", json={}, headers=who).status_code == 404
        levels = client.get("/claim-service-levels", params={"date_from": "2026-01-01"}, headers=who)
        assert levels.status_code == 200
        assert levels.json() == []
    # without a key
    assert client.get(f"/claims/{claim.id}/settlement").status_code == 401
    # the insured and the pool members see it
    assert (
        client.get(f"/claims/{claim.id}/settlement", headers=headers(db, world.exporter)).status_code == 200
    )
