"""The declaration pages: shipments and payments one by one and by file, the verdict, exposure per buyer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.declarations.pages.conftest import Cover
from tests.limits.conftest import TODAY
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.declarations.import_rows import COLUMNS
from tradecover.declarations.model import Shipment
from tradecover.parties.roles import Role


def _count(sessions: sessionmaker[Session]) -> int:
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    found = session.scalar(select(func.count()).select_from(Shipment)) or 0
    session.close()
    return found


def test_a_policyholder_declares_one_by_one_and_by_file_and_sees_exposure_per_buyer(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    home = client.get("/")
    assert 'href="/declarations"' in home.text
    page = client.get("/declarations")
    assert page.status_code == 200
    assert "USD 100,000.00" in page.text
    declared = client.post(
        "/declarations/shipments",
        data={
            "csrf_token": csrf_of(page.text),
            "policy_id": str(cover.policy_id),
            "buyer_id": str(cover.buyer_id),
            "invoice_number": "W-1",
            "amount": "70000.00",
            "shipment_date": TODAY.isoformat(),
            "due_date": "2026-09-13",
        },
    )
    assert declared.status_code == 303
    shipment = client.get(declared.headers["location"])
    assert "Verdict per rule" in shipment.text
    assert "USD 70,000.00 of 70,000.00 insured" in shipment.text
    paid = client.post(
        "/declarations/payments",
        data={
            "csrf_token": csrf_of(page.text),
            "policy_id": str(cover.policy_id),
            "payer_id": str(cover.buyer_id),
            "paid_amount": "20000.00",
            "received_on": TODAY.isoformat(),
        },
    )
    assert paid.status_code == 303
    header = ",".join(COLUMNS)
    buyer = f"{cover.buyer_country},{cover.buyer_registration}"
    content = f"{header}\nshipment,{buyer},W-2,60000.00,USD,{TODAY},2026-09-13,,\n"
    uploaded = client.post(
        "/declarations/imports",
        data={"csrf_token": csrf_of(page.text), "policy_id": str(cover.policy_id)},
        files={"file": ("july.csv", content.encode(), "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text
    result = client.get(uploaded.headers["location"])
    assert "Imported whole: 1 shipments and 0 payments." in result.text
    exposure = client.get("/declarations").text
    # 70,000 insured − 20,000 paid + 50,000 of W-2 (what was left of the limit) = 100,000; nothing available.
    assert 'data-testid="exposure-exposure">USD 100,000.00' in exposure
    assert 'data-testid="exposure-available">USD 0.00' in exposure
    assert _count(sessions) == 2


def test_a_file_with_bad_rows_is_rejected_with_a_downloadable_report_and_nothing_saved(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/declarations")
    buyer = f"{cover.buyer_country},{cover.buyer_registration}"
    content = f"{','.join(COLUMNS)}\nshipment,{buyer},W-1,-1,USD,{TODAY},2026-09-13,,\n"
    uploaded = client.post(
        "/declarations/imports",
        data={"csrf_token": csrf_of(page.text), "policy_id": str(cover.policy_id)},
        files={"file": ("bad.csv", content.encode(), "text/csv")},
    )
    result = client.get(uploaded.headers["location"])
    assert "Rejected: 1 of 1 rows have a problem" in result.text
    report = client.get(uploaded.headers["location"] + "/rejections.csv")
    assert report.text.splitlines() == ["row,reason", "2,amount must be more than zero"]
    assert _count(sessions) == 0


def test_a_bad_shipment_shows_the_form_again_with_the_field_marked_and_saves_nothing(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/declarations")
    response = client.post(
        "/declarations/shipments",
        data={
            "csrf_token": csrf_of(page.text),
            "policy_id": str(cover.policy_id),
            "buyer_id": str(cover.buyer_id),
            "invoice_number": "W-1",
            "amount": "100.00",
            "shipment_date": TODAY.isoformat(),
            "due_date": "2026-06-01",
        },
    )
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="e-due_date"' in response.text
    assert _count(sessions) == 0
