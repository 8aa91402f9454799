"""In a real browser: an exporter asks for quotes, compares three insurers' answers, accepts one."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.products import install_products
from tradecover.policies.terms import ProductKind

__all__ = ["browser_type_launch_args"]  # the fixture that points Playwright at Debian's chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def market_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a fresh SQLite file: the web world plus three insurers writing export cover."""
    folder = tmp_path_factory.mktemp("quotes")
    engine, sessions = migrated_sqlite(folder, "quotes.db")
    world = seed_world(sessions)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        third = create_organisation(
            session,
            Actor.system(),
            name="Jade Harbour Insurance",
            kind=OrganisationKind.INSURER,
            country="CN",
        )
        refuse_us = {ProductKind.EXPORT_WHOLE_TURNOVER: {"refused_countries": ("US",)}}
        for insurer_id, level, changes in (
            (world.organisations[Role.INSURER_ADMIN], "1.0", {}),
            (world.other_insurer_id, "0.85", {}),
            (third.id, "1.2", refuse_us),
        ):
            install_products(
                session, Actor.system(), insurer_id, rate_level=Decimal(level), term_changes=changes
            )
    with serving(folder, sessions, world) as server:
        yield server
    engine.dispose()


def test_an_exporter_compares_three_insurers_quotes_accepts_one_and_sees_the_policy_in_force(
    page: Page, market_server: LiveServer
) -> None:
    sign_in_page(page, market_server, market_server.world.emails[Role.POLICYHOLDER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Get quotes").click()
    page.get_by_role("link", name="Get quotes").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get quotes")
    page.locator("#f-country_1").fill("US")
    page.locator("#f-amount_1").fill("2,000,000")
    page.locator("#f-country_2").fill("DE")
    page.locator("#f-amount_2").fill("1,500,000")
    page.get_by_role("button", name="Ask every insurer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quotes compared")
    rows = page.get_by_test_id("quote-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("quotes")).to_contain_text("Harbour Credit Insurance")
    expect(page.get_by_test_id("quotes")).to_contain_text("Other Mutual Insurance")
    expect(page.get_by_test_id("refusal")).to_contain_text(
        "Jade Harbour Insurance does not cover buyers in US"
    )
    expect(page.get_by_test_id("accept")).to_have_count(2)
    # The cheapest offer comes first: accept it.
    page.get_by_test_id("accept").first.click()
    expect(page.get_by_test_id("policy-status")).to_have_text("In force")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Policy TC-")
    expect(page.locator(".lede")).to_contain_text("Other Mutual Insurance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My policies").click()
    expect(page.get_by_test_id("policies")).to_contain_text("In force")
