"""In a real browser: the bank reads its borrowing base, receivable by receivable, and draws within it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.financing.pages.web_financing import DAY, WebFacility, seed_financing
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.clock import PinnedDateClock, set_clock
from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bank_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, WebFacility]]:
    """A server on 15 June 2026 over a fresh SQLite file: the web world with a financed policy."""
    previous = set_clock(PinnedDateClock(DAY))
    folder = tmp_path_factory.mktemp("financing")
    engine, sessions = migrated_sqlite(folder, "financing.db")
    world = seed_world(sessions)
    seeded = seed_financing(sessions, world)
    try:
        with serving(folder, sessions, world) as server:
            yield server, seeded
    finally:
        engine.dispose()
        set_clock(previous)


def test_the_bank_reads_its_borrowing_base_and_draws_within_it(
    page: Page, bank_server: tuple[LiveServer, WebFacility]
) -> None:
    server, seeded = bank_server
    sign_in_page(page, server, server.world.emails[Role.BANK_OFFICER])
    page.goto(server.url + "/financing/borrowing-base")
    expect(page.get_by_role("heading", level=1)).to_have_text("Borrowing base")
    expect(page.get_by_test_id("eligible")).to_have_text("USD 90,000.00")
    expect(page.get_by_test_id("borrowing-base")).to_have_text("USD 72,000.00")
    expect(page.get_by_test_id("receivable-row")).to_have_count(2)
    page.get_by_label("On").fill("2026-08-20")
    page.get_by_test_id("show-base").click()
    expect(page.get_by_test_id("borrowing-base")).to_have_text("USD 24,000.00")
    expect(page.get_by_test_id("eligibility").first).to_have_text("Overdue")
    page.get_by_role("link", name="Draw or repay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facility {seeded.reference}")
    page.get_by_test_id("draw").get_by_label("Amount, USD").fill("72000.01")
    page.get_by_test_id("draw-submit").click()
    expect(page.get_by_test_id("draw")).to_contain_text("borrowing base")
    page.get_by_test_id("draw").get_by_label("Amount, USD").fill("40000")
    page.get_by_test_id("draw-submit").click()
    expect(page.get_by_test_id("outstanding")).to_have_text("USD 40,000.00")
    expect(page.get_by_test_id("available")).to_have_text("USD 32,000.00")
