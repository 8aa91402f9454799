"""The invoice pages: the firm reads its invoice line by line and pays it; the insurer credits one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.premiums.pages.web_invoice import seed_invoice, seed_pool_invoice
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.roles import Role
from tradecover.premiums.model import InvoiceStatus, PremiumInvoice, PremiumPayment


def test_the_firm_reads_its_invoice_and_pays_it_once_even_if_the_form_is_sent_twice(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = seed_invoice(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    assert 'href="/invoices"' in client.get("/").text
    listing = client.get("/invoices").text
    assert seeded.number in listing
    page = client.get(f"/invoices/{seeded.invoice_id}")
    assert page.status_code == 200
    assert page.text.count('data-testid="line"') == 2
    assert "grade ≤4 (is 4)" in page.text
    assert seeded.premium.replace("USD ", "") in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "amount": seeded.premium.replace("USD ", "").replace(",", ""),
        "received_on": "2026-06-15",
        "idempotency_key": "form-1",
    }
    for _ in range(2):
        done = client.post(f"/invoices/{seeded.invoice_id}/payments", data=form)
        assert done.status_code == 303, done.text
    assert "Paid" in client.get(f"/invoices/{seeded.invoice_id}").text
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(PremiumPayment)) == 1
        invoice = session.get_one(PremiumInvoice, seeded.invoice_id)
        assert invoice.status is InvoiceStatus.PAID


def test_a_bad_amount_is_shown_on_the_form_and_the_insurer_credits_the_invoice(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = seed_invoice(sessions, world)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get(f"/invoices/{seeded.invoice_id}")
    bad = client.post(
        f"/invoices/{seeded.invoice_id}/payments", data={"csrf_token": csrf_of(page.text), "amount": "-3"}
    )
    assert bad.status_code == 422
    assert "more than zero" in bad.text
    assert 'data-testid="credit"' not in page.text
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    page = client.get(f"/invoices/{seeded.invoice_id}")
    assert 'data-testid="credit"' in page.text
    done = client.post(
        f"/invoices/{seeded.invoice_id}/credit-notes",
        data={"csrf_token": csrf_of(page.text), "reason": "wrong grade"},
    )
    assert done.status_code == 303, done.text
    assert "Credit note CN-" in client.get(f"/invoices/{seeded.invoice_id}").text
    assert seeded.number in client.get("/invoices?status=credited").text


def test_a_pool_member_sees_exactly_its_own_share_of_the_invoice(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded, my_part = seed_pool_invoice(sessions, world)
    sign_in(client, world.emails[Role.UNDERWRITER])
    assert seeded.number in client.get("/invoices").text
    page = client.get(f"/invoices/{seeded.invoice_id}").text
    assert 'data-testid="member-split"' in page
    assert page.count('data-testid="member-row"') == 1
    assert "Your share" in page
    assert my_part.replace("USD ", "") in page
    assert 'data-testid="pay"' not in page  # a following member neither records payments
    assert 'data-testid="credit"' not in page  # nor credits: the leader administers the policy
