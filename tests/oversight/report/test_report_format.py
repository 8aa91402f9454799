"""Printed values: exact from Decimal, rounded half up, one rule per kind; chart ticks and categories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from tradecover.oversight.report import FRAME_WIDTH, column_widths
from tradecover.oversight.report_charts import axis_label, categories, drawable, nice_ticks
from tradecover.oversight.report_format import change, format_figure, format_value
from tradecover.oversight.view import Chart, ChartKind, Column, Kind, Series, Table


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("1234567.891"), Kind.MONEY, "1,234,567.89"),
        (Decimal("0.005"), Kind.MONEY, "0.01"),  # half up, not half even
        (Decimal("0.125"), Kind.MONEY, "0.13"),
        (Decimal("-0.004"), Kind.MONEY, "0.00"),  # never -0.00
        (Decimal("-2500"), Kind.MONEY, "-2,500.00"),
        # 2**53 + 1 is not a float: formatting through float would print ...992.00
        (Decimal(9007199254740993), Kind.MONEY, "9,007,199,254,740,993.00"),
        (Decimal("0.153"), Kind.PERCENT, "15.3%"),
        (Decimal("0.15349"), Kind.PERCENT, "15.3%"),
        (Decimal("0.0005"), Kind.PERCENT, "0.1%"),  # 0.05% half up
        (Decimal("0.00049"), Kind.PERCENT, "0.0%"),
        (Decimal("-0.0004"), Kind.PERCENT, "0.0%"),
        (Decimal("12.25"), Kind.DAYS, "12.3"),
        (1234567, Kind.COUNT, "1,234,567"),
        (dt.date(2025, 4, 1), Kind.MONTH, "2025-04"),
        (dt.date(2025, 4, 17), Kind.DATE, "2025-04-17"),
        ("Shenzhen", Kind.TEXT, "Shenzhen"),
        (None, Kind.MONEY, "–"),
    ],
)
def test_a_value_reads_by_its_kind(
    value: Decimal | int | str | dt.date | None, kind: Kind, text: str
) -> None:
    assert format_value(value, kind) == text


def test_a_headline_money_figure_carries_its_currency_and_days_their_unit() -> None:
    assert format_figure(Decimal("12345678.5"), Kind.MONEY, "CNY") == "CNY 12,345,678.50"
    assert format_figure(Decimal("21.04"), Kind.DAYS, "CNY") == "21.0 days"
    assert format_figure(None, Kind.MONEY, "CNY") == "–"


def test_a_change_is_signed_and_labelled() -> None:
    assert change(Decimal("0.153"), "year on year") == "+15.3% year on year"
    assert change(Decimal("-0.0421"), "month on month") == "-4.2% month on month"
    assert change(Decimal("0.00001"), "year on year") == "0.0% year on year"
    assert change(Decimal("1.5")) == "+150.0%"


def test_ticks_are_round_and_cover_the_values() -> None:
    assert nice_ticks(0, 9_224_000) == (0, 2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000)
    assert nice_ticks(-0.1, 0.153) == (-0.1, 0.0, 0.1, 0.2)  # a step of 0.0506 rounds up to 0.1
    assert nice_ticks(-0.02, 0.153) == (-0.05, 0.0, 0.05, 0.1, 0.15, 0.2)
    assert nice_ticks(0, 9) == (0, 2, 4, 6, 8, 10)
    assert nice_ticks(5, 5) == (0, 1, 2, 3, 4, 5)  # a single value still gets an axis from zero
    assert nice_ticks(0, 0) == (-1, -0.5, 0, 0.5, 1)


def test_axis_labels_are_compact() -> None:
    assert axis_label(2_500_000, Kind.MONEY, 500_000) == "2.5M"
    assert axis_label(4_000_000_000, Kind.MONEY, 1e9) == "4bn"
    assert axis_label(-0.025, Kind.PERCENT, 0.025) == "-2.5%"
    assert axis_label(0.1, Kind.PERCENT, 0.05) == "10%"
    assert axis_label(7.5, Kind.COUNT, 2.5) == "7.5"
    assert axis_label(12000, Kind.COUNT, 2000) == "12,000"


def test_categories_keep_first_seen_order_across_series() -> None:
    first = Series("a", (("2025-01", 1), ("2025-02", None)))
    second = Series("b", (("2024-12", 2), ("2025-02", 3), ("2025-03", 4)))
    assert categories((first, second)) == ["2025-01", "2025-02", "2024-12", "2025-03"]


def test_an_overlay_without_values_is_not_drawn() -> None:
    growth = Series("Year on year", (("2026-01", None), ("2026-02", None)))
    turnover = Series("Insured turnover", (("2026-01", Decimal(0)), ("2026-02", Decimal(150000))))
    chart = Chart(
        "c", "Insured turnover by month", ChartKind.LINE, Kind.MONEY, (turnover,), overlay=(growth,)
    )
    assert drawable(chart).overlay == ()
    assert drawable(chart).series == (turnover,)
    with_growth = Chart("c", "t", ChartKind.LINE, Kind.MONEY, (turnover,), overlay=(turnover,))
    assert drawable(with_growth) is with_growth


def test_wide_tables_wrap_headers_at_words_before_squeezing_cells() -> None:
    columns = tuple(Column(f"c{i}", f"Median days to decision {i}", Kind.DAYS) for i in range(8))
    table = Table(
        "t", "T", (Column("insurer", "Insurer", Kind.TEXT), *columns), (("All insurers", *[None] * 8),)
    )
    widths = column_widths(table, [["All insurers", *["–"] * 8]], "CNY")
    assert sum(widths) == pytest.approx(FRAME_WIDTH)
    # "All insurers" keeps its natural width (plus its share of what is left): it does not wrap.
    assert widths[0] >= stringWidth("All insurers", "Helvetica", 7.5) + 14
