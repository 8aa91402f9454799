"""The /overdues page: the insured reports and asks for an extension, the claims handler decides it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import issue_export_policy, new_buyer, usd
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world  # noqa: F401

from tradecover.claims.overdue_model import Overdue, OverdueStatus
from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_by_email

SHIPPED = dt.date(2026, 3, 2)
DUE = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The clock starts on the shipment date."""
    fixed = FixedClock(dt.datetime.combine(SHIPPED, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture
def invoices(sessions: sessionmaker[Session], world: World, clock: FixedClock) -> None:  # noqa: F811
    """The policyholder's export policy with the insurer, two invoices due 1 May; today is 6 May."""
    with unit_of_work(sessions, Tenant.unrestricted()) as db:
        admin = actor_by_email(db, world.emails[Role.INSURER_ADMIN])
        holder = actor_by_email(db, world.emails[Role.POLICYHOLDER])
        policy = issue_export_policy(
            db, admin, world.organisations[Role.INSURER_ADMIN], world.organisations[Role.POLICYHOLDER]
        )
        buyer = new_buyer(db)
        request_limit(db, holder, policy.id, buyer.id, usd(100_000))
        for number in ("INV-1", "INV-2"):
            declaration = ShipmentDeclaration(buyer.id, number, usd(2_000), SHIPPED, DUE)
            declare_shipment(db, holder, policy.id, declaration)
    clock.set(dt.datetime.combine(DUE + dt.timedelta(days=5), dt.time(12), tzinfo=dt.UTC))


def overdues(sessions: sessionmaker[Session]) -> list[Overdue]:  # noqa: F811
    """Every overdue row."""
    with unit_of_work(sessions, Tenant.unrestricted()) as db:
        return list(db.scalars(select(Overdue).order_by(Overdue.invoice_number)))


@pytest.mark.usefixtures("invoices")
def test_the_insured_reports_and_extends_and_the_claims_handler_approves(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/overdues")
    assert page.status_code == 200
    assert "INV-1 · due 2026-05-01" in page.text
    token = csrf_of(page.text)
    blank = client.post("/overdues", data={"csrf_token": token, "policy_id": "", "invoice_number": "INV-1"})
    assert blank.status_code == 422
    assert overdues(sessions) == []
    policy_id = page.text.split('name="policy_id" value="')[1].split('"')[0]
    done = client.post(
        "/overdues", data={"csrf_token": token, "policy_id": policy_id, "invoice_number": "INV-1"}
    )
    assert done.status_code == 303
    (overdue,) = overdues(sessions)
    assert overdue.status is OverdueStatus.REPORTED
    listed = client.get("/overdues").text
    assert listed.count('data-testid="stoppage-row"') == 1
    assert "Overdue reported" in listed
    bad = client.post(
        f"/overdues/{overdue.id}/extension", data={"csrf_token": token, "extended_due_date": "soon"}
    )
    assert bad.status_code == 422
    assert "enter a date" in bad.text.lower()
    asked = client.post(
        f"/overdues/{overdue.id}/extension",
        data={"csrf_token": token, "extended_due_date": "2026-08-01", "note": "instalments"},
    )
    assert asked.status_code == 303
    assert overdues(sessions)[0].status is OverdueStatus.EXTENSION_REQUESTED

    sign_in(client, world.emails[Role.CLAIMS_HANDLER])
    handler = client.get("/overdues")
    assert handler.status_code == 200
    assert 'data-testid="approve"' in handler.text
    assert 'data-testid="report-overdue"' not in handler.text
    approved = client.post(
        f"/overdues/{overdue.id}/decision", data={"csrf_token": csrf_of(handler.text), "decision": "approve"}
    )
    assert approved.status_code == 303
    assert overdues(sessions)[0].extended_due_date == dt.date(2026, 8, 1)


@pytest.mark.usefixtures("invoices")
def test_other_organisations_see_none_of_the_overdues(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/overdues")
    policy_id = page.text.split('name="policy_id" value="')[1].split('"')[0]
    client.post(
        "/overdues",
        data={"csrf_token": csrf_of(page.text), "policy_id": policy_id, "invoice_number": "INV-2"},
    )
    (overdue,) = overdues(sessions)
    sign_in(client, world.other_insurer_admin_email)
    other = client.get("/overdues")
    assert other.status_code == 200
    assert "INV-2" not in other.text
    assert 'data-testid="stoppage-row"' not in other.text
    refused = client.post(
        f"/overdues/{overdue.id}/decision", data={"csrf_token": csrf_of(other.text), "decision": "approve"}
    )
    assert refused.status_code in (404, 422)
    with unit_of_work(sessions, Tenant.unrestricted()) as db:
        assert (
            db.scalar(
                select(func.count()).select_from(Overdue).where(Overdue.requested_due_date.is_not(None))
            )
            == 0
        )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_open_the_page(client: TestClient, world: World, role: Role) -> None:  # noqa: F811
    sign_in(client, world.emails[role])
    page = client.get("/overdues")
    assert page.status_code == 200
    assert ('data-testid="report-overdue"' in page.text) is (role is Role.POLICYHOLDER)


@pytest.mark.usefixtures("invoices")
def test_a_file_of_overdues_is_reported_whole_or_refused(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get("/overdues")
    form = {
        "csrf_token": csrf_of(page.text),
        "policy_id": page.text.split('name="policy_id" value="')[1].split('"')[0],
    }
    bad = client.post(
        "/overdues/file", data=form, files={"file": ("o.csv", b"invoice_number\nINV-1\nINV-9\n")}
    )
    assert bad.status_code == 422
    assert "ow 2: no invoice INV-9 is declared" in bad.text
    assert overdues(sessions) == []
    good = client.post(
        "/overdues/file", data=form, files={"file": ("o.csv", b"invoice_number\nINV-1\nINV-2\n")}
    )
    assert good.status_code == 303
    assert [o.invoice_number for o in overdues(sessions)] == ["INV-1", "INV-2"]
