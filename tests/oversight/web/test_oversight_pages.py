"""The oversight pages on a hand-built view: figures, every chart kind drawn, tables with sort keys, the
CSV of a table, the default period, refusals (403 wrong role, 422 bad dates, 404 unknown table)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import World, client, sessions, sign_in, world  # noqa: F401

from tradecover.oversight.period import Period
from tradecover.parties.roles import Role

TODAY = dt.date(2025, 7, 15)


def test_the_regulator_page_shows_figures_charts_and_tables(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    page = client.get("/oversight/regulator?date_from=2025-01-01&date_to=2025-06-30&currency=USD")
    assert page.status_code == 200, page.text
    assert asked[-1]["period"] == Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert asked[-1]["currency"] == "USD"
    assert asked[-1]["today"] == TODAY
    html = page.text
    # Figures: money with the currency, the change with its arrow and label.
    assert "USD 12,345,678.50" in html
    assert "+15.3% year on year" in html
    assert "-5.0% month on month" in html
    assert "41.3%" in html  # 0.4125 half up
    # Charts: the line has two segments around the gap and five points plus five overlay points.
    line = _svg(html, "coverage-by-month")
    assert line.count("<path") == 4  # two segments of the series, two of the overlay
    assert line.count("<circle") == 10
    assert "Year on year · 2025-04: -5.0%" in line
    assert _svg(html, "coverage-by-product").count('class="bar"') == 4
    assert _svg(html, "exposure-by-country").count('class="bar"') == 3
    assert _svg(html, "service-days").count('class="bar"') == 4
    assert 'data-testid="chart-stress-losses" data-empty="1"' in html
    # Tables: display text and exact sort keys; the CSV link keeps the period and currency.
    assert 'data-sort="5200000.25">5,200,000.25</td>' in html
    assert 'data-sort="0.153">15.3%</td>' in html
    assert 'data-sort="2025-01-01">2025-01</td>' in html
    assert (
        "/oversight/regulator/tables/coverage-by-region.csv?date_from=2025-01-01&amp;date_to=2025-06-30&amp;currency=USD"
        in html
    )
    assert (
        "/oversight/regulator/report.pdf?date_from=2025-01-01&amp;date_to=2025-06-30&amp;currency=USD" in html
    )
    assert 'data-testid="filter-coverage-by-region"' in html
    assert 'data-testid="filter-no-claims"' not in html  # no rows, nothing to filter
    assert 'data-testid="table-no-claims-empty"' in html


def _svg(html: str, key: str) -> str:
    match = re.search(rf'<svg[^>]*data-testid="chart-{key}".*?</svg>', html, re.S)
    assert match, f"no chart {key}"
    return match.group(0)


def test_the_period_defaults_to_the_calendar_year_to_date_in_cny(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    assert client.get("/oversight/regulator").status_code == 200
    assert asked[-1]["period"] == Period(dt.date(2025, 1, 1), TODAY)
    assert asked[-1]["currency"] == "CNY"
    client.get("/oversight/regulator?date_to=2024-03-31")
    assert asked[-1]["period"] == Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31))


def test_a_table_downloads_as_csv_with_exact_values(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    answer = client.get(
        "/oversight/regulator/tables/coverage-by-region.csv?date_from=2025-01-01&date_to=2025-06-30"
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="regulator-coverage-by-region-2025-01-01-2025-06-30.csv"'
    )
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [
        ["Province", "City", "Coverage", "Year on year", "First month"],
        ["Zhejiang", "Yiwu", "5200000.25", "0.153", "2025-01"],
        ["Guangdong", "Shenzhen", "4100000", "-0.021", "2025-02"],
        ["Zhejiang", "Ningbo", "880000.1", "0.4", "2025-03"],
        ["Jiangsu", "Suzhou", "1999999.99", "", "2025-04"],
    ]


def test_an_unknown_table_is_not_found(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    assert client.get("/oversight/regulator/tables/nothing-here.csv").status_code == 404


@pytest.mark.parametrize(
    ("role", "audience"),
    [
        (Role.POLICYHOLDER, "regulator"),
        (Role.UNDERWRITER, "regulator"),
        (Role.REGULATOR, "insurer"),
        (Role.BANK_OFFICER, "programme"),
        (Role.PROGRAMME_OFFICER, "bank"),
    ],
)
def test_a_user_without_the_audiences_role_is_refused(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
    role: Role,
    audience: str,
) -> None:
    sign_in(client, world.emails[role])
    for path in ("", "/tables/coverage-by-region.csv", "/report.pdf"):
        answer = client.get(f"/oversight/{audience}{path}")
        assert answer.status_code == 403, path
        assert "Not allowed" in answer.text
    assert asked == []


@pytest.mark.parametrize(
    ("role", "audience"),
    [
        (Role.REGULATOR, "regulator"),
        (Role.PLATFORM_ADMIN, "regulator"),
        (Role.UNDERWRITER, "insurer"),
        (Role.CLAIMS_HANDLER, "insurer"),
        (Role.INSURER_ADMIN, "insurer"),
        (Role.PROGRAMME_OFFICER, "programme"),
        (Role.BANK_OFFICER, "bank"),
    ],
)
def test_each_audience_opens_for_its_roles(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
    role: Role,
    audience: str,
) -> None:
    sign_in(client, world.emails[role])
    assert client.get(f"/oversight/{audience}").status_code == 200
    assert asked[-1]["audience"].value == audience


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=2025-13-01", "date_from", "Enter a date as YYYY-MM-DD"),
        ("date_to=yesterday", "date_to", "Enter a date as YYYY-MM-DD"),
        ("date_from=2025-06-01&date_to=2025-05-31", "date_to", "Must not be before date_from 2025-06-01"),
        ("currency=XYZ", "currency", "is not a currency traded on the platform"),
    ],
)
def test_bad_dates_and_currencies_are_refused_readably(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
    query: str,
    field: str,
    message: str,
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    page = client.get(f"/oversight/regulator?{query}")
    assert page.status_code == 422
    assert f'id="e-{field}"' in page.text
    assert message in page.text
    assert asked == []
    download = client.get(f"/oversight/regulator/tables/coverage-by-region.csv?{query}")
    assert download.status_code == 422
    assert message.lower() in download.text.lower()


def test_an_unknown_audience_is_not_found(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    assert client.get("/oversight/everyone").status_code == 404


def test_the_report_downloads_as_a_pdf(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    answer = client.get("/oversight/regulator/report.pdf?date_from=2025-01-01&date_to=2025-06-30")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="regulator-report-2025-01-01-2025-06-30.pdf"'
    )
    assert answer.content.startswith(b"%PDF-")


def test_the_platform_admins_home_links_to_the_market_view(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    sign_in(client, world.emails[Role.PLATFORM_ADMIN])
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/oversight/regulator"' in home.text
    assert client.get("/oversight/regulator").status_code == 200
    assert asked[-1]["audience"].value == "regulator"
