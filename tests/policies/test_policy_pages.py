"""The quote, policy and product pages through the web client, on both databases."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world

from tradecover.clock import get_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.roles import Role
from tradecover.policies.products import install_products
from tradecover.policies.terms import ProductKind

__all__ = ["client", "sessions", "world"]  # fixtures used here


def _market(sessions: sessionmaker[Session], world: World) -> None:
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        install_products(session, Actor.system(), world.organisations[Role.INSURER_ADMIN])
        install_products(
            session,
            Actor.system(),
            world.other_insurer_id,
            rate_level=Decimal("0.9"),
            manual_quotes=[ProductKind.EXPORT_WHOLE_TURNOVER],
        )


def _ask(client: TestClient, **fields: str) -> Response:
    form = {
        "product_kind": "export_whole_turnover",
        "currency": "USD",
        "period_start": get_clock().today().isoformat(),
        "typical_credit_days": "90",
        "country_1": "US",
        "amount_1": "2,000,000",
        "country_2": "DE",
        "amount_2": "1000000",
        "csrf_token": csrf_of(client.get("/quotes/new").text),
    }
    form.update(fields)
    return client.post("/quotes/new", data=form)


def test_a_policyholder_gets_quotes_compares_them_and_accepts_one(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _market(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    home = client.get("/").text
    assert 'href="/quotes"' in home
    assert 'href="/policies"' in home
    answer = _ask(client)
    assert answer.status_code == 303
    compared = client.get(answer.headers["location"]).text
    assert "Harbour Credit Insurance" in compared
    assert "1 insurer still preparing a quote by hand" in compared
    assert "Other Mutual" not in compared  # its draft is not shown
    accept = re.search(r'action="(/quotes/[^"]+/accept)"', compared)
    assert accept
    issued = client.post(accept.group(1), data={"csrf_token": csrf_of(compared)})
    assert issued.status_code == 303
    policy = client.get(issued.headers["location"]).text
    assert 'data-testid="policy-status">In force' in policy
    assert "Export whole-turnover" in policy
    assert "Indemnity: insolvency" in policy
    listed = client.get("/policies").text
    assert re.search(r"TC-\d{4}-\d{6}", listed)


def test_a_refused_request_shows_the_form_again_with_the_message_and_saves_nothing(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _market(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    refused = _ask(client, amount_2="-5")
    assert refused.status_code == 422
    assert "Must be more than zero" in refused.text
    assert 'id="e-amount_2"' in refused.text
    assert "You have not asked for quotes yet" in client.get("/quotes").text


def test_an_underwriter_adjusts_and_sends_a_draft_from_the_queue(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _market(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    _ask(client)
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, world.other_insurer_admin_email)
    queue = client.get("/quotes").text
    link = re.search(r'href="(/quotes/requests/[^"]+)"', queue)
    assert link
    draft_page = client.get(link.group(1)).text
    assert "Your draft (version 1)" in draft_page
    adjust = re.search(r'action="(/quotes/[^"]+/adjust)"', draft_page)
    assert adjust
    adjusted = client.post(
        adjust.group(1),
        data={"rate_adjustment_percent": "-10", "note": "fine", "csrf_token": csrf_of(draft_page)},
    )
    assert adjusted.status_code == 303
    page = client.get(link.group(1)).text
    assert "Your draft (version 2)" in page
    send = re.search(r'action="(/quotes/[^"]+/send)"', page)
    assert send
    assert client.post(send.group(1), data={"csrf_token": csrf_of(page)}).status_code == 303
    assert "Offered" in client.get(link.group(1)).text


def test_the_insurer_admin_sees_its_products_and_rates_and_edits_the_terms(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _market(sessions, world)
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    assert 'href="/products"' in client.get("/").text
    listing = client.get("/products").text
    link = re.search(r'href="(/products/[^"]+)">Export whole-turnover', listing)
    assert link
    product = client.get(link.group(1)).text
    assert "Buyer grades up to 8" in product
    form = {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)"[^>]*?value="([^"]*)"', product)
        if name != "csrf_token"
    }
    form.update(minimum_premium="7500", sends_quotes_automatically="yes", csrf_token=csrf_of(product))
    saved = client.post(link.group(1), data=form)
    assert saved.status_code == 303, saved.text
    assert "USD 7,500.00" in client.get(link.group(1)).text
    form.update(indemnity_insolvency="120", csrf_token=csrf_of(product))
    refused = client.post(link.group(1), data=form)
    assert refused.status_code == 422
    assert 'id="e-indemnity_insolvency"' in refused.text
