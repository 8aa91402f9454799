"""Subsidy pages: an officer defines and budgets a programme and watches invoices use it; a firm sees why."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.subsidies.pages.conftest import invoice
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.parties.roles import Role
from tradecover.subsidies.model import (
    CommitmentStatus,
    ProgrammeBudget,
    SubsidyCommitment,
    SubsidyPayment,
    SubsidyProgramme,
)
from tradecover.subsidies.service import premium_paid

FORM = {
    "name": "Zhejiang export premium support",
    "currency": "CNY",
    "kind": "premium",
    "mode": "direct",
    "product_kinds": "export_whole_turnover",
    "rules": "region == Zhejiang",
    "tiers": "80",
    "cap": "200000",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}


def _define(client: TestClient, **changes: str) -> object:
    token = csrf_of(client.get("/programmes/new").text)
    return client.post("/programmes", data={**FORM, **changes, "csrf_token": token})


def _programme(sessions: sessionmaker[Session], name: str) -> SubsidyProgramme:
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    try:
        return session.scalars(select(SubsidyProgramme).where(SubsidyProgramme.name == name)).one()
    finally:
        session.close()


def test_an_officer_defines_a_programme_budgets_it_and_sees_the_budget_used_by_invoices(
    client: TestClient, world: World, sessions: sessionmaker[Session], policy_id: uuid.UUID
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    defined = _define(client)
    assert defined.status_code == 303, defined.text  # type: ignore[attr-defined]
    programme = _programme(sessions, FORM["name"])
    page = client.get(f"/programmes/{programme.id}")
    token = csrf_of(page.text)
    set_budget = client.post(
        f"/programmes/{programme.id}/budgets", data={"year": "2025", "amount": "1000", "csrf_token": token}
    )
    assert set_budget.status_code == 303
    invoice(sessions, world, policy_id, "100.00")
    page = client.get(f"/programmes/{programme.id}")
    assert "CNY 1,000.00" in page.text
    assert "80% of premium USD 100.00" in page.text
    refused = client.post(
        f"/programmes/{programme.id}/budgets", data={"year": "2025", "amount": "1", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "Budget 2025 cannot be CNY 1 — CNY" in refused.text
    assert "is already committed" in refused.text
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    budget = session.scalars(
        select(ProgrammeBudget).where(ProgrammeBudget.programme_id == programme.id)
    ).one()
    assert budget.amount_minor == 100_000  # unchanged by the refused form
    session.close()
    csv = client.get(f"/programmes/{programme.id}/commitments.csv")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].startswith("reference,committed_on,policyholder")
    assert len(csv.text.splitlines()) == 2
    assert "Yiwu Bright Lanterns" in client.get("/programmes/beneficiaries").text


def test_a_refused_programme_form_names_the_field_and_saves_nothing(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    refused = _define(client, tiers="-10")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "cannot be negative" in refused.text  # type: ignore[attr-defined]
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    assert session.scalars(select(SubsidyProgramme)).first() is None
    session.close()


def test_a_firm_sees_the_programmes_it_qualifies_for_and_why_not_the_others(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    _define(client)
    _define(client, name="Yiwu export credit insurance subsidy", rules="region == Yiwu")
    for name in (FORM["name"], "Yiwu export credit insurance subsidy"):
        programme = _programme(sessions, name)
        token = csrf_of(client.get(f"/programmes/{programme.id}").text)
        client.post(
            f"/programmes/{programme.id}/budgets",
            data={"year": "2025", "amount": "5000", "csrf_token": token},
        )
    client.cookies.clear()
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/subsidies")
    assert page.status_code == 200
    assert "Region Zhejiang, not Yiwu" in page.text
    assert page.text.count('badge badge-ok">eligible') == 1


def test_paying_insurers_from_the_page_twice_with_one_form_pays_once(
    client: TestClient, world: World, sessions: sessionmaker[Session], policy_id: uuid.UUID
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    _define(client)
    programme = _programme(sessions, FORM["name"])
    token = csrf_of(client.get(f"/programmes/{programme.id}").text)
    client.post(
        f"/programmes/{programme.id}/budgets", data={"year": "2025", "amount": "5000", "csrf_token": token}
    )
    invoice(sessions, world, policy_id, "100.00")
    page = client.get(f"/programmes/{programme.id}").text
    assert "Pay insurers (1 due)" in page
    key = re.search(r'name="key" value="(web-[^"]+)"', page)
    assert key is not None
    for _ in range(2):
        paid = client.post(
            f"/programmes/{programme.id}/pay", data={"key": key.group(1), "csrf_token": csrf_of(page)}
        )
        assert paid.status_code == 303
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    (payment,) = session.scalars(select(SubsidyPayment)).all()
    assert payment.payee_id == world.organisations[Role.INSURER_ADMIN]
    session.close()
    assert "Pay insurers (0 due)" in client.get(f"/programmes/{programme.id}").text


def test_the_officer_changes_a_programme_through_its_form(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    _define(client)
    programme = _programme(sessions, FORM["name"])
    form = client.get(f"/programmes/{programme.id}/edit").text
    assert "region == Zhejiang" in form
    changed = client.post(
        f"/programmes/{programme.id}/edit",
        data={**FORM, "tiers": "100 below 5000000\n80", "csrf_token": csrf_of(form)},
    )
    assert changed.status_code == 303
    assert "100% below USD 5,000,000, 80% above" in client.get(f"/programmes/{programme.id}").text
    refused = client.post(
        f"/programmes/{programme.id}/edit",
        data={**FORM, "tiers": "80 below 5000000\n100 below 1000\n50", "csrf_token": csrf_of(form)},
    )
    assert refused.status_code == 422
    assert "Tiers go up: USD 1,000 is not above USD 5,000,000" in refused.text
    assert _programme(sessions, FORM["name"]).tiers[0].exports_below_usd == 5_000_000


def test_a_firm_applies_for_its_reimbursement_and_the_officer_rejects_then_a_second_is_approved(
    client: TestClient, world: World, sessions: sessionmaker[Session], policy_id: uuid.UUID
) -> None:
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    _define(client, mode="reimbursement", tiers="50")
    programme = _programme(sessions, FORM["name"])
    token = csrf_of(client.get(f"/programmes/{programme.id}").text)
    client.post(
        f"/programmes/{programme.id}/budgets", data={"year": "2025", "amount": "5000", "csrf_token": token}
    )
    for _ in range(2):
        invoice(sessions, world, policy_id, "100.00")
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        for commitment in session.scalars(select(SubsidyCommitment)):
            premium_paid(session, invoice_id=commitment.invoice_id, on=commitment.committed_on)
    client.cookies.clear()
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/subsidies").text
    assert page.count("Apply for reimbursement") == 2
    for commitment_id in re.findall(r"/subsidies/commitments/([0-9a-f-]+)/apply", page):
        applied = client.post(
            f"/subsidies/commitments/{commitment_id}/apply", data={"csrf_token": csrf_of(page)}
        )
        assert applied.status_code == 303
    client.cookies.clear()
    sign_in(client, world.emails[Role.PROGRAMME_OFFICER])
    page = client.get(f"/programmes/{programme.id}").text
    first, second = re.findall(r"/subsidies/commitments/([0-9a-f-]+)/decision", page)[::2]
    refused = client.post(
        f"/subsidies/commitments/{first}/decision",
        data={"verdict": "reject", "reason": "", "csrf_token": csrf_of(page)},
    )
    assert refused.status_code == 422
    assert "Say why the application is rejected" in refused.text
    rejected = client.post(
        f"/subsidies/commitments/{first}/decision",
        data={"verdict": "reject", "reason": "invoice paid after the deadline", "csrf_token": csrf_of(page)},
    )
    assert rejected.status_code == 303
    approved = client.post(
        f"/subsidies/commitments/{second}/decision",
        data={"verdict": "approve", "key": f"approve-{second}", "csrf_token": csrf_of(page)},
    )
    assert approved.status_code == 303
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        statuses = {str(c.id): c.status for c in session.scalars(select(SubsidyCommitment))}
        assert statuses == {first: CommitmentStatus.REJECTED, second: CommitmentStatus.APPROVED}
        budget = session.scalars(select(ProgrammeBudget)).one()
        kept = session.scalars(
            select(SubsidyCommitment).where(SubsidyCommitment.id == uuid.UUID(second))
        ).one()
        assert budget.committed_minor == kept.amount_programme_minor  # the rejected one gave its part back
