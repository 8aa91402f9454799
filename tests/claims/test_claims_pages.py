"""The claim pages: the insured files a claim with a document; the handler sees the indemnity step by
step, completes the documents and decides; the queue; another insurer finds nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.claims.conftest import WebClaims, seed_web_claims
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world  # noqa: F401

from tradecover.claims.model import Claim, ClaimDocument, ClaimStatus
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.roles import Role

PDF = b"%PDF-1.4 statement of account"


def _seed(factory: sessionmaker[Session], seeded: World) -> WebClaims:
    """The claims world on the web world's insurer and policyholder."""
    return seed_web_claims(
        factory, seeded.organisations[Role.INSURER_ADMIN], seeded.organisations[Role.POLICYHOLDER]
    )


def _claims(factory: sessionmaker[Session]) -> list[Claim]:
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        return list(session.scalars(select(Claim)).all())


def test_the_insured_files_and_the_handler_decides_on_the_pages(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = _seed(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    form_page = client.get(f"/claims/new?policy_id={seeded.policy_id}")
    assert form_page.status_code == 200
    assert "INV-1" in form_page.text
    assert "INV-2" in form_page.text
    data = {
        "csrf_token": csrf_of(form_page.text),
        "policy_id": str(seeded.policy_id),
        "cause": "protracted_default",
        "shipment_ids": [str(seeded.shipment_ids["INV-1"])],
        "description": "Unpaid since April",
    }
    filed = client.post("/claims/new", data=data, files={"file": ("statement.pdf", PDF, "application/pdf")})
    assert filed.status_code == 303, filed.text
    claim_url = filed.headers["location"]
    page = client.get(claim_url)
    assert page.status_code == 200
    assert "statement.pdf" in page.text
    assert 'data-testid="step-indemnity"' in page.text
    assert "90000.00" in page.text
    assert 'data-testid="decision"' not in page.text
    assert client.get("/claims").text.count('data-testid="claim-row"') == 1

    client.post("/sign-out", data={"csrf_token": csrf_of(page.text)})
    sign_in(client, world.emails[Role.CLAIMS_HANDLER])
    queue = client.get("/claims/queue")
    assert queue.status_code == 200
    assert 'data-testid="queue-row"' in queue.text
    page = client.get(claim_url)
    done = client.post(f"{claim_url}/documents-complete", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303, done.text
    page = client.get(claim_url)
    assert 'data-testid="decision"' in page.text
    bad = client.post(
        f"{claim_url}/assessment",
        data={
            "csrf_token": csrf_of(page.text),
            "outcome": "partly_approved",
            "amount": "90000.01",
            "reason": "x",
        },
    )
    assert bad.status_code == 422
    assert "above the computed indemnity" in bad.text
    decided = client.post(
        f"{claim_url}/assessment", data={"csrf_token": csrf_of(page.text), "outcome": "approved"}
    )
    assert decided.status_code == 303, decided.text
    (claim,) = _claims(sessions)
    assert claim.status is ClaimStatus.ASSESSED
    assert claim.indemnity_minor == 9_000_000
    assert 'data-testid="settlement"' in client.get(claim_url).text


def test_a_bad_filing_changes_nothing_and_another_insurer_finds_no_claim(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = _seed(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    form_page = client.get(f"/claims/new?policy_id={seeded.policy_id}")
    data = {
        "csrf_token": csrf_of(form_page.text),
        "policy_id": str(seeded.policy_id),
        "cause": "protracted_default",
    }
    refused = client.post("/claims/new", data=data)
    assert refused.status_code == 422
    assert "tick at least one" in refused.text.lower()
    exe = client.post(
        "/claims/new",
        data={**data, "shipment_ids": [str(seeded.shipment_ids["INV-1"])]},
        files={"file": ("tool.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert exe.status_code == 422
    assert "executable files are not accepted" in exe.text.lower()
    assert _claims(sessions) == []
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(ClaimDocument)) == 0
    filed = client.post("/claims/new", data={**data, "shipment_ids": [str(seeded.shipment_ids["INV-1"])]})
    assert filed.status_code == 303
    claim_url = filed.headers["location"]
    client.post("/sign-out", data={"csrf_token": csrf_of(form_page.text)})
    sign_in(client, world.other_insurer_admin_email)
    assert client.get(claim_url).status_code == 404
    assert 'data-testid="claim-row"' not in client.get("/claims").text
