"""In a real browser: an underwriter registers a buyer, changes its grade and sees it in the history."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import LiveServer, browser_type_launch_args, live_server, sign_in_page

from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args", "live_server"]  # fixtures used here

pytestmark = pytest.mark.browser


def test_an_underwriter_changes_a_buyers_grade_and_sees_it_in_the_history(
    page: Page, live_server: LiveServer
) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.UNDERWRITER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Buyers & grades").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buyers")

    number = f"US-{uuid.uuid4().hex[:8].upper()}"
    form = page.get_by_test_id("register-buyer")
    form.get_by_label("Legal name").fill("Bluewater Retail Inc.")
    form.get_by_label("Country").fill("US")
    form.get_by_label("Registration number").fill(number)
    form.get_by_label("Kind").select_option("company")
    form.get_by_label("Sector").select_option("retail_wholesale")
    form.get_by_label("Grade").select_option("4")
    form.get_by_role("button", name="Register buyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bluewater Retail Inc.")
    expect(page.get_by_test_id("buyer-grade")).to_have_text("4")

    regrade = page.get_by_test_id("regrade")
    regrade.get_by_label("New grade").select_option("6")
    regrade.get_by_label("Reason").fill("US tariff shock: orders from China cut by half")
    regrade.get_by_role("button", name="Change grade").click()
    expect(page.get_by_text("is now grade 6 (was 4)")).to_be_visible()
    expect(page.get_by_test_id("buyer-grade")).to_have_text("6")
    history = page.get_by_test_id("grade-history")
    expect(history).to_contain_text("US tariff shock: orders from China cut by half")
    expect(history.locator("tbody tr")).to_have_count(1)
