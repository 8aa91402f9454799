"""In a real browser: an underwriter runs the book against the US tariff shock and reads the run page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.riskruns.conftest import TODAY
from tests.riskruns.pages.conftest import seed_book
from tests.web.conftest import (
    LiveServer,
    browser_type_launch_args,
    migrated_sqlite,
    seed_world,
    serving,
    sign_in_page,
)

from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args"]  # fixtures used here

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def risk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The platform over a fresh SQLite file: the web world, and its insurer's limits on three buyers."""
    folder = tmp_path_factory.mktemp("risk-live")
    engine, sessions = migrated_sqlite(folder, "risk.db")
    world = seed_world(sessions)
    # Seeded on the date the tests' clock stands at (the autouse `clock` fixture of tests/riskruns).
    previous = set_clock(FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)))
    try:
        with unit_of_work(sessions, Tenant.unrestricted()) as session:
            seed_book(session, world)
    finally:
        set_clock(previous)
    with serving(folder, sessions, world) as server:
        yield server
    engine.dispose()


def test_an_underwriter_runs_the_tariff_shock_and_reads_measures_chart_and_contributions(
    page: Page, risk_server: LiveServer
) -> None:
    sign_in_page(page, risk_server, risk_server.world.emails[Role.UNDERWRITER])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio risk")
    form = page.get_by_test_id("start-run")
    form.get_by_label("Book").select_option("insurer")
    form.get_by_label("Method").select_option("creditriskplus")
    form.get_by_label("Stress scenario").select_option("us-tariffs-145")
    form.get_by_role("button", name="Run").click()
    expect(page.get_by_text("started")).to_be_visible()
    # Measured in the background: the page refreshes itself until the results are in.
    measures = page.get_by_test_id("measures")
    expect(measures.locator("thead")).to_contain_text("us-tariffs-145")
    expect(measures.get_by_test_id("measure-row")).to_have_count(8)
    expect(page.get_by_test_id("loss-chart")).to_be_visible()
    expect(page.get_by_test_id("contributions-country")).to_contain_text("United States")
    page.get_by_role("link", name="Portfolio risk").first.click()
    expect(page.get_by_test_id("risk-run-row")).to_have_count(1)
