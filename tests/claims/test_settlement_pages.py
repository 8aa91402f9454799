"""The settlement pages: the insurer pays its part once even if the form is sent twice, records a
recovery and closes the claim; the recoveries list; the service-level dashboard; others find nothing."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.claims.conftest import open_claims_world
from tests.claims.test_settlement import approved
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world  # noqa: F401

from tradecover.claims.model import Claim, ClaimStatus, Recovery
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.ledger.model import JournalEntry
from tradecover.parties.roles import Role


def seed_approved_claim(factory: sessionmaker[Session], seeded: World) -> uuid.UUID:
    """An approved claim of the web world's policyholder on the web world's insurer, committed."""
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        book = open_claims_world(
            session,
            insurer_id=seeded.organisations[Role.INSURER_ADMIN],
            exporter_id=seeded.organisations[Role.POLICYHOLDER],
        )
        return approved(book).id


def _claim(factory: sessionmaker[Session], claim_id: uuid.UUID) -> Claim:
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        claim = session.get_one(Claim, claim_id)
        session.expunge(claim)
        return claim


def test_the_insurer_pays_once_records_a_recovery_and_closes(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    claim_id = seed_approved_claim(sessions, world)
    insurer_id = world.organisations[Role.CLAIMS_HANDLER]
    sign_in(client, world.emails[Role.CLAIMS_HANDLER])
    claim_page = client.get(f"/claims/{claim_id}").text
    assert 'data-testid="settlement"' in claim_page
    assert claim_page.count('data-testid="pay-form"') == 1
    assert "outstanding" in claim_page
    token = csrf_of(claim_page)
    form = {"csrf_token": token, "member_id": str(insurer_id), "paid_on": "", "idempotency_key": "page-1"}
    for _ in range(2):
        done = client.post(f"/claims/{claim_id}/payments", data=form)
        assert done.status_code == 303, done.text
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        paid = select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "claim.paid")
        assert session.scalar(paid) == 1
    assert _claim(sessions, claim_id).status is ClaimStatus.PAID
    assert 'data-testid="recovery-form"' in client.get(f"/claims/{claim_id}").text
    recovered = client.post(
        f"/claims/{claim_id}/recoveries",
        data={
            "csrf_token": token,
            "amount": "10,000.00",
            "costs": "1000",
            "received_on": "",
            "note": "Liquidator",
        },
    )
    assert recovered.status_code == 303, recovered.text
    listing = client.get("/claims/recoveries")
    assert listing.status_code == 200
    assert listing.text.count('data-testid="recovery-row"') == 1
    assert "8,100.00" in listing.text
    refused = client.post(f"/claims/{claim_id}/recoveries", data={"csrf_token": token, "amount": "abc"})
    assert refused.status_code == 303
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(Recovery)) == 1
    closed = client.post(f"/claims/{claim_id}/close", data={"csrf_token": token, "reason": "Done"})
    assert closed.status_code == 303
    assert _claim(sessions, claim_id).status is ClaimStatus.CLOSED
    levels = client.get("/claims/service-levels")
    assert levels.status_code == 200
    assert levels.text.count('data-testid="service-level-row"') == 1
    assert 'data-testid="service-level-chart"' in levels.text
    assert client.get("/claims/service-levels?date_from=someday").status_code == 422


def test_another_insurer_finds_nothing_and_the_insured_cannot_pay(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    claim_id = seed_approved_claim(sessions, world)
    insurer_id = world.organisations[Role.CLAIMS_HANDLER]
    sign_in(client, world.other_insurer_admin_email)
    token = csrf_of(client.get("/claims/service-levels").text)
    form = {"csrf_token": token, "member_id": str(insurer_id)}
    assert client.post(f"/claims/{claim_id}/payments", data=form).status_code == 404
    assert client.post(f"/claims/{claim_id}/recoveries", data={**form, "amount": "1"}).status_code == 404
    assert client.post(f"/claims/{claim_id}/close", data=form).status_code == 404
    assert 'data-testid="recovery-row"' not in client.get("/claims/recoveries").text
    assert 'data-testid="service-level-row"' not in client.get("/claims/service-levels").text
    client.cookies.clear()
    sign_in(client, world.emails[Role.POLICYHOLDER])
    token = csrf_of(client.get("/claims/service-levels").text)
    refused = client.post(
        f"/claims/{claim_id}/payments", data={"csrf_token": token, "member_id": str(insurer_id)}
    )
    assert refused.status_code == 403
    assert _claim(sessions, claim_id).status is ClaimStatus.ASSESSED
