"""In a real browser: the firm opens its premium invoice, reads the lines and shares, and pays it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.premiums.pages.web_invoice import WebInvoice, seed_invoice
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def invoice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, WebInvoice]]:
    """A server over a fresh SQLite file: the web world plus a May premium invoice of its policyholder."""
    folder = tmp_path_factory.mktemp("invoice")
    engine, sessions = migrated_sqlite(folder, "invoice.db")
    world = seed_world(sessions)
    seeded = seed_invoice(sessions, world)
    with serving(folder, sessions, world) as server:
        yield server, seeded
    engine.dispose()


def test_the_firm_reads_its_invoice_and_pays_it_in_the_browser(
    page: Page, invoice_server: tuple[LiveServer, WebInvoice]
) -> None:
    server, seeded = invoice_server
    sign_in_page(page, server, server.world.emails[Role.POLICYHOLDER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Premium invoices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Premium invoices")
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    page.get_by_role("link", name=seeded.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(seeded.number)
    expect(page.get_by_test_id("premium")).to_have_text(seeded.premium)
    expect(page.get_by_test_id("firm-share")).to_have_text(seeded.premium)
    expect(page.get_by_test_id("line")).to_have_count(2)
    expect(page.get_by_test_id("rate-cell").first).to_contain_text("grade ≤4 (is 4)")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Issued")
    page.get_by_test_id("pay-button").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("payments")).to_contain_text(seeded.premium)
