"""The financing pages: facilities, a facility, the borrowing base, assigned policies; the insured's view."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.financing.pages.web_financing import seed_financing
from tests.web.conftest import World, client, csrf_of, sessions, sign_in, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.financing.model import FacilityMovement
from tradecover.parties.roles import Role


def test_the_bank_reads_the_base_draws_within_it_and_is_refused_above_it(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = seed_financing(sessions, world)
    sign_in(client, world.emails[Role.BANK_OFFICER])
    assert seeded.reference in client.get("/financing/facilities").text
    assert seeded.policy_number in client.get("/financing/policies").text
    base = client.get("/financing/borrowing-base").text
    assert "USD 72,000.00" in base
    assert base.count('data-testid="receivable-row"') == 2
    later = client.get(f"/financing/borrowing-base?facility_id={seeded.facility_id}&on=2026-08-20").text
    assert "Overdue" in later
    assert "USD 24,000.00" in later
    page = client.get(f"/financing/facilities/{seeded.facility_id}")
    assert page.status_code == 200
    token = csrf_of(page.text)
    refused = client.post(
        f"/financing/facilities/{seeded.facility_id}/draw",
        data={"csrf_token": token, "draw_amount": "72000.01"},
    )
    assert refused.status_code == 422
    assert "borrowing base" in refused.text
    drawn = client.post(
        f"/financing/facilities/{seeded.facility_id}/draw",
        data={"csrf_token": token, "draw_amount": "50,000"},
    )
    assert drawn.status_code == 303, drawn.text
    assert "USD 50,000.00" in client.get(f"/financing/facilities/{seeded.facility_id}").text
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        assert session.scalar(select(func.count()).select_from(FacilityMovement)) == 1
    # The policy page shows the endorsement to the bank too.
    assert "Loss payee" in client.get(f"/policies/{seeded.policy_id}").text


def test_the_insured_assigns_its_policy_and_the_insurer_sees_the_endorsement(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = seed_financing(sessions, world, assign=False)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    page = client.get(f"/financing/facilities/{seeded.facility_id}")
    assert "Awaiting assignment" in page.text
    done = client.post(
        f"/financing/facilities/{seeded.facility_id}/assign", data={"csrf_token": csrf_of(page.text)}
    )
    assert done.status_code == 303, done.text
    assert "Active" in client.get(f"/financing/facilities/{seeded.facility_id}").text
    client.cookies.clear()
    sign_in(client, world.emails[Role.UNDERWRITER])
    policy_page = client.get(f"/policies/{seeded.policy_id}").text
    assert "Loss payee" in policy_page
    assert seeded.reference in policy_page
    assert client.get(f"/financing/facilities/{seeded.facility_id}").status_code in (403, 404)


def test_another_organisation_finds_no_facility_page(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    sessions: sessionmaker[Session],  # noqa: F811
) -> None:
    seeded = seed_financing(sessions, world)
    sign_in(client, world.other_insurer_admin_email)
    assert client.get(f"/financing/facilities/{seeded.facility_id}").status_code in (403, 404)
    sign_in(client, world.emails[Role.POLICYHOLDER])
    assert seeded.reference in client.get("/financing/facilities").text
