"""The upload form takes an Excel workbook as it takes a CSV; a malformed one is refused on the form."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.declarations.pages.conftest import Cover
from tests.declarations.workbooks import workbook
from tests.limits.conftest import TODAY
from tests.web.conftest import World, csrf_of, sign_in

from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.declarations.model import ImportBatch, Shipment
from tradecover.parties.roles import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUE = TODAY + dt.timedelta(days=90)


def _count(sessions: sessionmaker[Session], cls: type) -> int:
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    found = session.scalar(select(func.count()).select_from(cls)) or 0
    session.close()
    return found


def test_a_workbook_is_uploaded_and_imported_and_a_bad_row_is_reported_by_its_sheet_row(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/declarations")
    assert 'accept=".csv,text/csv,.xlsx,' in page.text
    buyer = [cover.buyer_country, cover.buyer_registration]
    form = {"csrf_token": csrf_of(page.text), "policy_id": str(cover.policy_id)}
    bad = workbook(
        {
            2: ["shipment", *buyer, "W-1", 10.5, "USD", TODAY, DUE],
            4: ["shipment", *buyer, "W-2", "ten", "USD", TODAY, DUE],
        }
    )
    rejected = client.post("/declarations/imports", data=form, files={"file": ("bad.xlsx", bad, XLSX)})
    assert rejected.status_code == 303, rejected.text
    report = client.get(rejected.headers["location"] + "/rejections.csv")
    assert report.text.splitlines() == ["row,reason", "4,amount 'ten' is not a number"]
    good = workbook({2: ["shipment", *buyer, "W-1", 10.5, "USD", TODAY, DUE]})
    uploaded = client.post("/declarations/imports", data=form, files={"file": ("july.xlsx", good, XLSX)})
    assert uploaded.status_code == 303, uploaded.text
    assert "Imported whole: 1 shipments and 0 payments." in client.get(uploaded.headers["location"]).text
    assert _count(sessions, Shipment) == 1


def test_a_malformed_workbook_is_refused_on_the_form_naming_the_file(
    client: TestClient, world: World, cover: Cover, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/declarations")
    form = {"csrf_token": csrf_of(page.text), "policy_id": str(cover.policy_id)}
    sent = client.post("/declarations/imports", data=form, files={"file": ("book.xlsx", b"PK", XLSX)})
    assert sent.status_code == 422
    assert "Book.xlsx is not a readable Excel workbook (File is not a zip file)" in sent.text
    assert _count(sessions, ImportBatch) == 0
