"""Values as the page shows them and as the CSV writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.oversight.web.sample import sample_view

from tradecover.oversight.export_csv import cell, csv_file_name, report_file_name, table_csv
from tradecover.oversight.view import Kind
from tradecover.web.oversight_format import axis, change, display, sort_key


def test_display_rounds_half_up_and_groups_thousands() -> None:
    assert display(Decimal("1234567.895"), Kind.MONEY) == "1,234,567.90"
    assert display(Decimal("0.1535"), Kind.PERCENT) == "15.4%"
    assert display(Decimal("-0.0004"), Kind.PERCENT) == "0.0%"
    assert display(12345, Kind.COUNT) == "12,345"
    assert display(Decimal("21.50"), Kind.DAYS) == "21.5"
    assert display(Decimal("30"), Kind.DAYS) == "30"
    assert display(dt.date(2025, 4, 1), Kind.MONTH) == "2025-04"
    assert display(dt.date(2025, 4, 9), Kind.DATE) == "2025-04-09"
    assert display(None, Kind.MONEY) == "—"


def test_sort_keys_are_exact_and_changes_have_arrows() -> None:
    assert sort_key(Decimal("1E+3")) == "1000"
    assert sort_key(dt.date(2025, 4, 1)) == "2025-04-01"
    assert sort_key(None) == ""
    assert change(Decimal("0.153")) == ("▲", "+15.3%")
    assert change(Decimal("-0.04")) == ("▼", "-4.0%")
    assert change(Decimal("0.0001")) == ("▶", "0.0%")
    assert change(None) == ("", "")
    assert axis(Decimal("1500000"), Kind.MONEY) == "1.5M"
    assert axis(Decimal("0.05"), Kind.PERCENT) == "5%"
    assert axis(Decimal("2000000000"), Kind.MONEY) == "2bn"


def test_csv_cells_are_exact_and_formulas_are_defused() -> None:
    assert cell(Decimal("1234567.89"), Kind.MONEY) == "1234567.89"
    assert cell(Decimal("1E+3"), Kind.MONEY) == "1000"
    assert cell(Decimal("0.153"), Kind.PERCENT) == "0.153"
    assert cell(dt.date(2025, 4, 1), Kind.MONTH) == "2025-04"
    assert cell(dt.date(2025, 4, 1), Kind.DATE) == "2025-04-01"
    assert cell(None, Kind.COUNT) == ""
    assert cell("=HYPERLINK(1)", Kind.TEXT) == "'=HYPERLINK(1)"


def test_a_table_as_csv_and_the_file_names() -> None:
    view = sample_view()
    text = table_csv(view.table("exposure-countries"))
    assert text == (
        "Country,Exposure,Buyers,Median days\r\n"
        "United States,3000000,12,21.5\r\n"
        "Germany,1500000,4,9\r\n"
        "Viet Nam,750000,30,\r\n"
    )
    assert table_csv(view.table("no-claims")) == "Claim\r\n"
    assert csv_file_name(view, "no-claims") == "regulator-no-claims-2025-01-01-2025-06-30.csv"
    assert report_file_name(view) == "regulator-report-2025-01-01-2025-06-30.pdf"
