"""In a real browser, on a served demo world: the walk of issue 5, as the demo's people would do it.

The exporter reports its financed pool policy's two overdue invoices and files an insolvency claim with
a document; the pool leader's claims handler declares the documents complete, reads the indemnity step
by step and approves; each pool member pays its part; the bank sees its loan repaid from the proceeds;
the service-level page shows the claim's times; the ledger reconciles.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import (
    LiveServer,
    World,
    browser_type_launch_args,
    migrated_sqlite,
    serving,
    sign_in_page,
)

from tradecover.claims.model import Claim, ClaimStatus
from tradecover.clock import PinnedDateClock, get_clock, set_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.demo.world import DEMO_PASSWORD, DEMO_TODAY, plan_demo_world, seed_demo_world
from tradecover.financing.facilities import outstanding
from tradecover.financing.model import Facility
from tradecover.ledger.reconcile import find_violations
from tradecover.money import Money
from tradecover.policies.model import Policy

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO = "@demo.tradecover.org"


@pytest.fixture(scope="module")
def demo_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, sessionmaker[Session], Path]]:
    """A small demo world in a fresh SQLite file, served on the demo's date."""
    folder = tmp_path_factory.mktemp("demo-walk")
    engine, sessions = migrated_sqlite(folder, "demo.db")
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        seed_demo_world(session, plan_demo_world(2025, buyers=400, policyholders=8))
    previous = set_clock(PinnedDateClock(DEMO_TODAY))
    try:
        # The demo has its own people; the server needs no test world.
        with serving(folder, sessions, cast(World, None)) as server:
            yield server, sessions, folder
    finally:
        set_clock(previous)
        engine.dispose()


def _as(page: Page, server: LiveServer, who: str) -> None:
    page.context.clear_cookies()
    sign_in_page(page, server, who + DEMO, DEMO_PASSWORD)


def test_the_demo_walk_in_a_browser(
    page: Page, demo_server: tuple[LiveServer, sessionmaker[Session], Path]
) -> None:
    server, sessions, folder = demo_server
    assert get_clock().today() == DEMO_TODAY
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        policy = session.scalars(select(Policy).where(Policy.loss_payee_id.is_not(None))).one()
        policy_id = str(policy.id)

    # The exporter reports both overdue invoices.
    _as(page, server, "policyholder")
    for invoice in ("YW-D-2511-001", "YW-D-2511-002"):
        page.goto(f"{server.url}/overdues?policy_id={policy_id}")
        page.locator("select[name=invoice_number]").select_option(value=invoice)
        page.get_by_test_id("report").click()
        expect(page.get_by_text(invoice).first).to_be_visible()

    # It files an insolvency claim on both, with the court's notice.
    notice = folder / "bankruptcy-notice.pdf"
    notice.write_bytes(b"%PDF-1.4\n% Notice of acceptance of a bankruptcy application\n%%EOF\n")
    page.goto(f"{server.url}/claims/new?policy_id={policy_id}")
    page.get_by_test_id("invoice-YW-D-2511-001").check()
    page.get_by_test_id("invoice-YW-D-2511-002").check()
    page.locator("select[name=cause]").select_option("insolvency")
    page.locator("input[name=insolvency_date]").fill("2025-12-22")
    page.get_by_test_id("claim-file").set_input_files(str(notice))
    page.get_by_test_id("file-button").click()
    expect(page.get_by_test_id("claim-status")).to_contain_text("Filed")
    claim_url = page.url

    # The pool leader's claims handler finds it in the queue, completes the documents and approves.
    _as(page, server, "claims.jade")
    page.goto(f"{server.url}/claims/queue")
    page.get_by_role("link", name="CLM-").first.wait_for()
    page.goto(claim_url)
    page.get_by_test_id("complete").get_by_role("button").click()
    expect(page.get_by_test_id("indemnity-steps")).to_contain_text("675000.00")
    page.locator("select[name=outcome]").select_option("approved")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("claim-indemnity")).to_contain_text("675,000.00")

    # Each member pays its own part.
    for payer in ("claims.jade", "underwriter.pearl", "underwriter.orient"):
        _as(page, server, payer)
        page.goto(claim_url)
        page.get_by_test_id("pay-form").get_by_role("button").click()
        expect(page.get_by_test_id("settlement")).to_be_visible()
    expect(page.get_by_test_id("settlement-outstanding")).to_contain_text("0.00")

    # The bank's loan was repaid from the proceeds.
    _as(page, server, "bank")
    page.goto(f"{server.url}/financing/borrowing-base")
    claimed = page.get_by_test_id("receivable-row").filter(has_text="YW-D-2511-001")
    expect(claimed.get_by_test_id("eligibility")).to_contain_text("Under claim")
    # 80% of the one current receivable (CNY 260,000), all of it available: the loan was repaid.
    expect(page.get_by_test_id("borrowing-base")).to_contain_text("208,000.00")
    expect(page.get_by_test_id("available")).to_contain_text("208,000.00")

    # The service levels show the claim's times (filed, decided and paid today: 0 days).
    _as(page, server, "claims.jade")
    page.goto(f"{server.url}/claims/service-levels")
    expect(page.locator("body")).to_contain_text("Domestic Trade Credit Coinsurance Pool")

    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        claim = session.scalars(select(Claim).where(Claim.policy_id == policy.id)).one()
        assert claim.status is ClaimStatus.PAID
        facility = session.scalars(select(Facility).where(Facility.policy_id == policy.id)).one()
        assert outstanding(session, facility) == Money.zero("CNY")
        assert not find_violations(session)
