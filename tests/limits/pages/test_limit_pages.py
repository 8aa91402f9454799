"""The limit pages: a policyholder asks for limits and reads each decision; an underwriter works the queue."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.pages.conftest import Cover
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.limits.model import CreditLimit, LimitStatus
from tradecover.parties.roles import Role


def _ask(client: TestClient, cover: Cover, buyer_id: object, amount: str) -> str:
    page = client.get("/limits")
    assert page.status_code == 200
    response = client.post(
        "/limits",
        data={
            "csrf_token": csrf_of(page.text),
            "policy_id": str(cover.policy_id),
            "buyer_id": str(buyer_id),
            "amount": amount,
            "currency": "USD",
        },
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_policyholder_home_links_to_buyer_limits_and_the_underwriter_to_the_queue(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    assert 'href="/limits"' in client.get("/").text
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert 'href="/underwriting/referrals"' in client.get("/").text


def test_a_policyholder_sees_an_instant_approval_and_a_referral_that_an_underwriter_approves(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    approved = client.get(_ask(client, cover, cover.buyer_id, "200000"))
    assert "Approved" in approved.text
    assert "Approved: USD 200,000" in approved.text
    referred_url = _ask(client, cover, cover.other_buyer_id, "800000")
    assert "above the instant band of USD 500,000" in client.get(referred_url).text
    listing = client.get("/limits").text
    assert listing.count('data-testid="limit-row"') == 2

    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, world.emails[Role.UNDERWRITER])
    queue = client.get("/underwriting/referrals")
    assert queue.text.count('data-testid="referral-row"') == 1
    limit_id = referred_url.rsplit("/", 1)[1]
    done = client.post(
        f"/limits/{limit_id}/approve",
        data={"csrf_token": csrf_of(queue.text), "next": "/underwriting/referrals"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/underwriting/referrals"
    assert 'data-testid="referral-row"' not in client.get("/underwriting/referrals").text
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    statuses = sorted(s.value for s in session.scalars(select(CreditLimit.status)))
    session.close()
    assert statuses == [LimitStatus.APPROVED.value, LimitStatus.APPROVED.value]


def test_a_bad_amount_shows_the_form_again_with_the_field_marked_and_saves_nothing(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/limits")
    response = client.post(
        "/limits",
        data={
            "csrf_token": csrf_of(page.text),
            "policy_id": str(cover.policy_id),
            "buyer_id": str(cover.buyer_id),
            "amount": "-100",
            "currency": "USD",
        },
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    assert session.scalar(select(func.count()).select_from(CreditLimit)) == 0
    session.close()
