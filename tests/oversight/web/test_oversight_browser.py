"""In a real browser, on the hand-built view: the charts are drawn (points, lines, bars), a table sorts on a
header click and filters on typing, and its CSV link downloads a file headed by the table's columns."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.oversight.web.sample import sample_view
from tests.web.conftest import LiveServer, browser_type_launch_args, live_server, sign_in_page

from tradecover.oversight.period import Period
from tradecover.oversight.view import OversightView
from tradecover.parties.roles import Role
from tradecover.web.pages import oversight

__all__ = ["browser_type_launch_args", "live_server"]

pytestmark = pytest.mark.browser

PAGE = "/oversight/regulator?date_from=2025-01-01&date_to=2025-06-30"


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's requests get the sample view."""

    def fake(
        session: Any, actor: Any, audience: Any, period: Period, currency: str = "CNY", today: Any = None
    ) -> OversightView:
        return sample_view(audience.value, period, currency)

    monkeypatch.setattr(oversight, "build_view", fake)


def _cities(page: Page) -> list[str]:
    rows = page.get_by_test_id("table-coverage-by-region").locator("tbody tr:visible")
    return [row.locator("td").nth(1).inner_text() for row in rows.all()]


def test_the_charts_are_drawn_with_their_data(page: Page, live_server: LiveServer, sample: None) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.REGULATOR])
    page.goto(live_server.url + PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Market oversight")
    line = page.get_by_test_id("chart-coverage-by-month")
    expect(line.locator("path.line")).to_have_count(4)
    expect(line.locator("circle.point")).to_have_count(10)
    expect(page.get_by_test_id("chart-coverage-by-product").locator("rect.bar")).to_have_count(4)
    expect(page.get_by_test_id("chart-exposure-by-country").locator("rect.bar")).to_have_count(3)
    expect(page.get_by_test_id("chart-service-days").locator("rect.bar")).to_have_count(4)
    box = page.get_by_test_id("chart-coverage-by-product").locator("rect.bar").first.bounding_box()
    assert box is not None
    assert box["height"] > 10  # drawn, not just present
    expect(page.get_by_test_id("figure-insured-turnover")).to_contain_text("+15.3% year on year")


def test_a_table_sorts_on_click_and_filters_on_typing(
    page: Page, live_server: LiveServer, sample: None
) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.REGULATOR])
    page.goto(live_server.url + PAGE)
    table = page.get_by_test_id("table-coverage-by-region")
    assert _cities(page) == ["Yiwu", "Shenzhen", "Ningbo", "Suzhou"]
    table.get_by_role("button", name="Coverage").click()
    assert _cities(page) == ["Ningbo", "Suzhou", "Shenzhen", "Yiwu"]
    table.get_by_role("button", name="Coverage").click()
    assert _cities(page) == ["Yiwu", "Shenzhen", "Suzhou", "Ningbo"]
    table.get_by_role("button", name="Year on year").click()  # the empty growth goes last
    assert _cities(page) == ["Shenzhen", "Yiwu", "Ningbo", "Suzhou"]
    page.get_by_test_id("filter-coverage-by-region").fill("zhejiang")
    assert _cities(page) == ["Yiwu", "Ningbo"]
    expect(page.locator('[data-count-for="table-coverage-by-region"]')).to_have_text("2 of 4 rows")
    page.get_by_test_id("filter-coverage-by-region").fill("shen")
    assert _cities(page) == ["Shenzhen"]
    page.get_by_test_id("filter-coverage-by-region").fill("")
    assert len(_cities(page)) == 4


def test_the_csv_link_downloads_the_table(page: Page, live_server: LiveServer, sample: None) -> None:
    sign_in_page(page, live_server, live_server.world.emails[Role.REGULATOR])
    page.goto(live_server.url + PAGE)
    headers = page.get_by_test_id("table-coverage-by-region").locator("thead th").all_text_contents()
    with page.expect_download() as download:
        page.get_by_test_id("csv-coverage-by-region").click()
    assert download.value.suggested_filename == "regulator-coverage-by-region-2025-01-01-2025-06-30.csv"
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == [h.strip() for h in headers]
    assert rows[0] == ["Province", "City", "Coverage", "Year on year", "First month"]
    assert rows[1] == ["Zhejiang", "Yiwu", "5200000.25", "0.153", "2025-01"]
    assert len(rows) == 5
