"""In a real browser, the path of issue 3's "done means", as a new user walks it.

A demo exporter asks for quotes, compares three insurers' answers and accepts one; asks for three buyer
limits (one approved at once, one referred and then approved by an underwriter from the queue, one
declined with its reason); declares shipments and a payment one by one and a shipment by file; and reads
exposure and availability per buyer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import get_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.products import install_products

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser

BUYERS = (
    ("Bluewater Retail Inc.", "US", "11-1111111", 4),
    ("Rheinhafen Handels GmbH", "DE", "HRB 22222", 4),
    ("Shaky Imports LLC", "US", "33-3333333", 9),
)


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a fresh SQLite file: the web world, three insurers writing export cover, three buyers."""
    folder = tmp_path_factory.mktemp("journey")
    engine, sessions = migrated_sqlite(folder, "journey.db")
    world = seed_world(sessions)
    system = Actor.system()
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        third = create_organisation(
            session, system, name="Jade Harbour Insurance", kind=OrganisationKind.INSURER, country="CN"
        )
        for insurer_id, level in (
            (world.organisations[Role.INSURER_ADMIN], "1.0"),
            (world.other_insurer_id, "0.85"),
            (third.id, "1.2"),
        ):
            install_products(session, system, insurer_id, rate_level=Decimal(level))
        for name, country, registration, grade in BUYERS:
            register_buyer(
                session,
                system,
                name=name,
                country=country,
                registration_number=registration,
                kind=BuyerKind.COMPANY,
                sector="retail_wholesale",
                grade=grade,
            )
    with serving(folder, sessions, world) as server:
        yield server
    engine.dispose()


def _sign_in(page: Page, server: LiveServer, role: Role) -> None:
    sign_in_page(page, server, server.world.emails[role])


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def _request_limit(page: Page, buyer: str, amount: str) -> None:
    _nav(page, "Buyer limits")
    form = page.get_by_test_id("request-limit")
    form.locator("select[name=buyer_id]").select_option(label=buyer)
    form.locator("input[name=amount]").fill(amount)
    form.locator("select[name=currency]").select_option("USD")
    page.get_by_test_id("request").click()


def test_an_exporter_gets_cover_asks_for_limits_declares_and_sees_exposure_per_buyer(
    page: Page, browser: Browser, journey_server: LiveServer
) -> None:
    today = get_clock().today()
    _sign_in(page, journey_server, Role.POLICYHOLDER)
    # Quotes from every insurer, compared side by side; take Harbour's (its underwriters work our referrals).
    _nav(page, "Get quotes")
    page.get_by_role("link", name="Get quotes").last.click()
    page.locator("#f-period_start").fill(today.isoformat())
    page.locator("#f-country_1").fill("US")
    page.locator("#f-amount_1").fill("2,000,000")
    page.locator("#f-country_2").fill("DE")
    page.locator("#f-amount_2").fill("1,500,000")
    page.get_by_role("button", name="Ask every insurer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quotes compared")
    expect(page.get_by_test_id("quote-row")).to_have_count(3)
    page.get_by_test_id("quote-row").filter(has_text="Harbour Credit Insurance").get_by_test_id(
        "accept"
    ).click()
    expect(page.get_by_test_id("policy-status")).to_have_text("In force")

    # Three limits: approved at once, referred, declined with the rule's reason.
    _request_limit(page, "Bluewater Retail Inc. · US · grade 4", "200000")
    expect(page.get_by_test_id("limit-status")).to_have_text("Approved")
    _request_limit(page, "Rheinhafen Handels GmbH · DE · grade 4", "800000")
    expect(page.get_by_test_id("limit-status")).to_have_text("Referred")
    _request_limit(page, "Shaky Imports LLC · US · grade 9", "50000")
    expect(page.get_by_test_id("limit-status")).to_have_text("Declined")
    expect(page.get_by_test_id("limit-reason")).to_contain_text("buyer grade 9 exceeds")

    # An underwriter of the insurer approves the referral from the queue.
    underwriter = browser.new_context().new_page()
    _sign_in(underwriter, journey_server, Role.UNDERWRITER)
    _nav(underwriter, "Referral queue")
    underwriter.get_by_test_id("referral-row").filter(has_text="Rheinhafen").get_by_test_id("approve").click()
    expect(underwriter.get_by_test_id("referral-row")).to_have_count(0)
    underwriter.context.close()
    _nav(page, "Buyer limits")
    expect(page.get_by_test_id("limit-row").filter(has_text="Rheinhafen")).to_contain_text("Approved")

    # Shipments one by one: the first within the limit, the second only partly.
    due = (today + dt.timedelta(days=60)).isoformat()
    for invoice, amount in (("INV-1", "150000"), ("INV-2", "80000")):
        _nav(page, "Shipments & payments")
        form = page.get_by_test_id("declare-shipment")
        form.locator("select[name=buyer_id]").select_option(label="Bluewater Retail Inc. · US")
        form.locator("input[name=invoice_number]").fill(invoice)
        form.locator("input[name=amount]").fill(amount)
        form.locator("input[name=due_date]").fill(due)
        page.get_by_test_id("declare").click()
        expect(page.get_by_test_id("verdicts")).to_be_visible()
    expect(page.get_by_test_id("verdict-summary")).to_contain_text("USD 50,000.00 of 80,000.00 insured")

    # A payment settles the oldest invoice and frees its part of the limit.
    _nav(page, "Shipments & payments")
    form = page.get_by_test_id("declare-payment")
    form.locator("select[name=payer_id]").select_option(label="Bluewater Retail Inc. · US")
    form.locator("input[name=paid_amount]").fill("150000")
    page.get_by_test_id("pay").click()

    # A shipment by file.
    content = (
        "record,buyer_country,buyer_registration_number,invoice_number,amount,currency,shipment_date,due_date\n"
        f"shipment,DE,HRB 22222,INV-3,300000.00,USD,{today.isoformat()},{due}\n"
    )
    page.locator("#f-file").set_input_files(
        files=[{"name": "week.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("Imported whole: 1 shipments")

    # A file with a bad row is refused whole, with the row and the reason, and a report to download.
    _nav(page, "Shipments & payments")
    page.locator("#f-file").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": content.replace("INV-3", "INV-4").replace("300000.00", "-1").encode(),
            }
        ]
    )
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("Rejected: 1 of 1 rows")
    expect(page.get_by_test_id("rejections")).to_contain_text("Amount must be more than zero")
    expect(page.get_by_test_id("rejection-report")).to_be_visible()

    # A workbook is refused with the advice to save it as CSV, on the form itself.
    _nav(page, "Shipments & payments")
    page.locator("#f-file").set_input_files(
        files=[{"name": "book.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK"}]
    )
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("upload")).to_contain_text("save the sheet as CSV")

    # Exposure and availability per buyer.
    _nav(page, "Shipments & payments")
    bluewater = page.get_by_test_id("exposure-row").filter(has_text="Bluewater")
    expect(bluewater.get_by_test_id("exposure-limit")).to_have_text("USD 200,000.00")
    expect(bluewater.get_by_test_id("exposure-exposure")).to_have_text("USD 50,000.00")
    expect(bluewater.get_by_test_id("exposure-available")).to_have_text("USD 150,000.00")
    rheinhafen = page.get_by_test_id("exposure-row").filter(has_text="Rheinhafen")
    expect(rheinhafen.get_by_test_id("exposure-available")).to_have_text("USD 500,000.00")
    shaky = page.get_by_test_id("exposure-row").filter(has_text="Shaky")
    expect(shaky.get_by_test_id("exposure-available")).to_have_text("USD 0.00")
