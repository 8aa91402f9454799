"""In a real browser (Debian's chromium, headless): sign in as each role and land on its home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import PASSWORD, LiveServer, sign_in_page

from tradecover.parties.roles import Role
from tradecover.web.workspaces import WORKSPACES

pytestmark = pytest.mark.browser

# A navigation entry only that role has (a link where the page exists, else marked "Soon").
ROLE_NAVIGATION: dict[Role, str] = {
    Role.POLICYHOLDER: "Buyer limits",
    Role.UNDERWRITER: "Referral queue",
    Role.CLAIMS_HANDLER: "Claims queue",
    Role.INSURER_ADMIN: "Users",
    Role.BANK_OFFICER: "Borrowing base",
    Role.PROGRAMME_OFFICER: "Budgets & commitments",
    Role.REGULATOR: "Coverage & growth",
    Role.PLATFORM_ADMIN: "Organisations",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_lands_on_its_home_page(
    page: Page, live_server: LiveServer, role: Role
) -> None:
    sign_in_page(page, live_server, live_server.world.emails[role])
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WORKSPACES[role].heading)
    expect(page.get_by_test_id("role-title")).to_have_text(WORKSPACES[role].role_title)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_text(ROLE_NAVIGATION[role], exact=False).first).to_be_visible()
    expect(page.get_by_test_id("roles")).to_have_text(WORKSPACES[role].role_title)


def test_a_wrong_password_shows_an_error(page: Page, live_server: LiveServer) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.REGULATOR], "not-the-password")
    expect(page.get_by_test_id("sign-in-error")).to_contain_text("e-mail address or password is not right")
    expect(page).to_have_url(live_server.url + "/sign-in")


def test_signing_out_returns_to_the_sign_in_page(page: Page, live_server: LiveServer) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.BANK_OFFICER])
    expect(page.get_by_role("heading", level=1)).to_have_text(WORKSPACES[Role.BANK_OFFICER].heading)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_a_page_needs_sign_in_and_opens_after_it(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/account/api-keys")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Faccount%2Fapi-keys$"))
    page.get_by_label("E-mail address").fill(live_server.world.emails[Role.UNDERWRITER])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/account/api-keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")


def test_an_api_key_is_issued_and_shown_once_in_the_browser(page: Page, live_server: LiveServer) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.POLICYHOLDER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("ERP export")
    page.get_by_role("button", name="Issue key").click()
    expect(page.get_by_test_id("new-token")).to_contain_text("tc_")
    page.goto(live_server.url + "/account/api-keys")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_test_id("api-keys")).to_contain_text("ERP export")
