"""In a real browser, on a server over the hand-built oversight book: the regulator's page draws its charts
from the book (points and bars counted), a breakdown table filters, and its CSV matches its columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.oversight.book import CURRENT, open_oversight_book
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
from tradecover.parties.roles import Role

__all__ = ["browser_type_launch_args"]

pytestmark = pytest.mark.browser

PAGE = f"/oversight/regulator?date_from={CURRENT.start.isoformat()}&date_to={CURRENT.end.isoformat()}"


@pytest.fixture(scope="module")
def book_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a fresh SQLite file: the web world's users and the oversight book."""
    folder = tmp_path_factory.mktemp("oversight")
    engine, sessions = migrated_sqlite(folder, "oversight.db")
    world = seed_world(sessions)
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        open_oversight_book(session)
    with serving(folder, sessions, world) as server:
        yield server
    engine.dispose()


def test_the_regulator_sees_the_books_charts_and_exports_a_table(page: Page, book_server: LiveServer) -> None:
    sign_in_page(page, book_server, book_server.world.emails[Role.REGULATOR])
    page.goto(book_server.url + PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Market oversight")
    line = page.get_by_test_id("chart-coverage-by-month")
    expect(line.locator("circle.point")).to_have_count(9)  # three months: this period, a year earlier, growth
    expect(line.locator("path.line")).to_have_count(3)
    products = page.get_by_test_id("chart-coverage-by-product")
    expect(products.locator("rect.bar")).to_have_count(4)
    box = products.locator("rect.bar").first.bounding_box()
    assert box is not None
    assert box["height"] > 10
    countries = page.get_by_test_id("table-coverage-by-country")
    expect(countries.locator("tbody tr")).to_have_count(4)
    page.get_by_test_id("filter-coverage-by-country").fill("viet")
    expect(countries.locator("tbody tr:visible")).to_have_count(1)
    expect(countries.locator("tbody tr:visible td").first).to_have_text("Viet Nam")
    headers = page.get_by_test_id("table-coverage-by-product").locator("thead th").all_text_contents()
    with page.expect_download() as download:
        page.get_by_test_id("csv-coverage-by-product").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0] == headers
    assert {row[0]: row[1] for row in rows[1:]}["Domestic whole-turnover"] == "1000000.00"
