"""The oversight API on a hand-built view: the view as JSON, a table as CSV, the report as PDF; refusals
with field names (422), the wrong role (403), an unknown table (404), no key (401)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import World, api, client, sessions, world  # noqa: F401
from tests.oversight.book import CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.period import Period


def test_the_view_as_json(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    answer = client.get(
        "/oversight/regulator?date_from=2025-01-01&date_to=2025-06-30&currency=EUR",
        headers=world.admin.headers,
    )
    assert answer.status_code == 200, answer.text
    assert asked[-1]["period"] == Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert asked[-1]["currency"] == "EUR"
    body = answer.json()
    assert body["period"] == {"date_from": "2025-01-01", "date_to": "2025-06-30"}
    assert body["currency"] == "EUR"
    coverage = body["sections"][0]
    assert coverage["figures"][0] == {
        "key": "insured-turnover",
        "label": "Insured turnover",
        "value": "12345678.5",
        "kind": "money",
        "change": "0.153",
        "change_label": "year on year",
    }
    assert coverage["figures"][1]["value"] == 42
    line = coverage["charts"][0]
    assert line["kind"] == "line"
    assert line["series"][0]["points"][2] == ["2025-03", None]
    assert line["overlay"][0]["points"][3] == ["2025-04", "-0.05"]
    table = coverage["tables"][0]
    assert table["rows"][0] == ["Zhejiang", "Yiwu", "5200000.25", "0.153", "2025-01-01"]
    assert table["filters"] == ["province", "city"]


def test_the_period_defaults_to_the_year_to_date(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    assert client.get("/oversight/regulator", headers=world.admin.headers).status_code == 200
    assert asked[-1]["period"] == Period(dt.date(2025, 1, 1), dt.date(2025, 7, 15))
    assert asked[-1]["currency"] == "CNY"


def test_a_table_as_csv_and_the_report_as_pdf(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    query = "?date_from=2025-01-01&date_to=2025-06-30"
    answer = client.get(
        f"/oversight/insurer/tables/exposure-countries.csv{query}", headers=world.insurer_a.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == (
        'attachment; filename="insurer-exposure-countries-2025-01-01-2025-06-30.csv"'
    )
    assert list(csv.reader(io.StringIO(answer.text))) == [
        ["Country", "Exposure", "Buyers", "Median days"],
        ["United States", "3000000", "12", "21.5"],
        ["Germany", "1500000", "4", "9"],
        ["Viet Nam", "750000", "30", ""],
    ]
    missing = client.get(f"/oversight/insurer/tables/nothing.csv{query}", headers=world.insurer_a.headers)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "key"
    pdf = client.get(f"/oversight/insurer/report.pdf{query}", headers=world.insurer_a.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2025-13-01", "query.date_from"),
        ("date_to=0", "query.date_to"),
        ("date_from=2025-06-01&date_to=2025-05-31", "query.date_to"),
        ("date_from=2015-01-01&date_to=2025-12-31", "query.date_to"),
        ("currency=usd", "query.currency"),
        ("currency=XYZ", "query.currency"),
        ("since=2025-01-01", "query.since"),
    ],
)
def test_bad_queries_are_refused_with_the_field(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
    query: str,
    field: str,
) -> None:
    for path in ("", "/tables/coverage-by-region.csv", "/report.pdf"):
        answer = client.get(f"/oversight/regulator{path}?{query}", headers=world.admin.headers)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["errors"][0]["field"] == field
    assert asked == []


def test_the_wrong_role_is_forbidden_and_no_key_is_unauthorised(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    asked: list[dict[str, Any]],
) -> None:
    for path in ("", "/tables/coverage-by-region.csv", "/report.pdf"):
        assert (
            client.get(f"/oversight/regulator{path}", headers=world.policyholder_a.headers).status_code == 403
        )
        assert client.get(f"/oversight/regulator{path}", headers=world.insurer_a.headers).status_code == 403
        assert client.get(f"/oversight/bank{path}", headers=world.admin.headers).status_code == 403
        assert client.get(f"/oversight/regulator{path}").status_code == 401
    assert client.get("/oversight/everyone", headers=world.admin.headers).status_code == 422
    assert asked == []


def test_the_regulators_view_of_the_book_as_json(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    book: OversightBook,
) -> None:
    answer = client.get(
        f"/oversight/regulator?date_from={CURRENT.start}&date_to={CURRENT.end}", headers=world.admin.headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["title"] == "Market oversight"
    coverage = next(s for s in body["sections"] if s["key"] == "coverage")
    # P1b USD 120,000 (Dec) and 80,000 (Feb), P3 EUR 10,000 (Dec), P4 CNY 300,000, P2 CNY 1,000,000.
    december, february = dt.date(2025, 12, 1), dt.date(2026, 2, 1)
    export = usd_cny("120000", december) + usd_cny("80000", february) + eur_cny("10000", december) + 300_000
    turnover = next(f for f in coverage["figures"] if f["key"] == "insured-turnover")
    assert turnover["value"] == f"{export + 1_000_000:f}"
    products = next(t for t in coverage["tables"] if t["key"] == "coverage-by-product")
    rows = {row[0]: row[1:4] for row in products["rows"]}
    assert rows["Domestic whole-turnover"] == ["1000000.00", "700000.00", "0.4286"]
    assert rows["Export whole-turnover"][0] == f"{export:f}"
