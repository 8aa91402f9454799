"""The pages and the API on the views composed from the hand-built oversight book (tests/oversight/book.py):
the regulator's charts are drawn from the book's facts, and its tables download with the same values.

Worked from the book: domestic insured turnover is P2's CNY 1,000,000 (2026-02-20) against CNY 700,000 a
year earlier (2025-02-20), growth 3/7 = 0.4286; export is P1b's USD 120,000 (December, 7.1067) and
USD 80,000 (February, 7.0933), P3's EUR 10,000 (December, crossed through USD) and P4's CNY 300,000.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from fastapi.testclient import TestClient
from tests.oversight.book import CURRENT, OversightBook, eur_cny, usd_cny
from tests.web.conftest import World, client, sessions, sign_in, world  # noqa: F401

from tradecover.parties.roles import Role

DECEMBER, FEBRUARY = dt.date(2025, 12, 1), dt.date(2026, 2, 1)
QUERY = f"date_from={CURRENT.start.isoformat()}&date_to={CURRENT.end.isoformat()}"


def _export() -> str:
    total = usd_cny("120000", DECEMBER) + usd_cny("80000", FEBRUARY) + eur_cny("10000", DECEMBER) + 300_000
    return f"{total:f}"


def _svg(html: str, key: str) -> str:
    match = re.search(rf'<svg[^>]*data-testid="chart-{key}".*?</svg>', html, re.S)
    assert match, f"no chart {key}"
    return match.group(0)


def test_the_regulator_page_draws_the_books_coverage(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    book: OversightBook,
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    page = client.get(f"/oversight/regulator?{QUERY}")
    assert page.status_code == 200, page.text
    html = page.text
    # Three months (January 2026 is empty: a zero, drawn) for this period, a year earlier and the growth.
    line = _svg(html, "coverage-by-month")
    assert line.count('class="point"') == 9
    assert line.count("<path") == 3
    products = _svg(html, "coverage-by-product")
    assert products.count('class="bar"') == 4
    assert "This period · Domestic whole-turnover: 1,000,000.00 CNY" in products
    assert "A year earlier · Domestic whole-turnover: 700,000.00 CNY" in products
    export = f"{Decimal(_export()):,.2f}"
    assert f"This period · Export whole-turnover: {export} CNY" in products
    assert _svg(html, "coverage-by-country").count('class="bar"') > 0
    for section in ("coverage", "premium", "claims", "service-times", "exposure"):
        assert f'data-testid="section-{section}"' in html


def test_the_regulators_table_downloads_with_the_books_values(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    book: OversightBook,
) -> None:
    sign_in(client, world.emails[Role.REGULATOR])
    answer = client.get(f"/oversight/regulator/tables/coverage-by-product.csv?{QUERY}")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["Product", "Insured turnover", "A year earlier", "Year on year", "Share"]
    by_product = {row[0]: row[1:4] for row in rows[1:]}
    assert by_product["Domestic whole-turnover"] == ["1000000.00", "700000.00", "0.4286"]
    assert by_product["Export whole-turnover"][0] == _export()


def test_the_insurers_view_is_its_own_book_only(
    client: TestClient,  # noqa: F811
    world: World,  # noqa: F811
    book: OversightBook,
) -> None:
    sign_in(client, world.emails[Role.INSURER_ADMIN])
    page = client.get(f"/oversight/insurer?{QUERY}")
    assert page.status_code == 200
    # Harbour Credit Insurance holds none of the book's policies: nothing of the book shows.
    assert "Domestic whole-turnover" not in page.text
    assert "Exporter One" not in page.text
