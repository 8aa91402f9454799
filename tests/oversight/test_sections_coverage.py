"""The coverage, premium and subsidised-firms sections: figures, charts and tables from the metrics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.oversight.book import CURRENT, OversightBook, eur_cny, usd_cny

from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience
from tradecover.oversight.sections_coverage import coverage_section, premium_section, subsidised_firms_section
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.oversight.view import ChartKind, Kind, OversightView, Section
from tradecover.parties.model import Organisation

DEC25, JAN26, FEB26 = dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)
DEC_INSURED = Decimal("1235603.72")  # see test_coverage: USD 120,000 + EUR 10,000 + CNY 300,000
FEB_INSURED = Decimal("1567464.00")  # USD 80,000 + CNY 1,000,000


def _view(section: Section) -> OversightView:
    return OversightView("regulator", "Market", "Operator", CURRENT, "CNY", dt.date(2026, 3, 1), (section,))


def test_the_coverage_section_has_figures_charts_and_tables(db: Session, book: OversightBook) -> None:
    section = coverage_section(db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    assert section.key == "coverage"
    figures = {f.key: (f.value, f.kind, f.change) for f in section.figures}
    assert figures == {
        "insured-turnover": (DEC_INSURED + FEB_INSURED, Kind.MONEY, Decimal("0.4116")),
        "limits-in-force": (Decimal("1121347.89"), Kind.MONEY, Decimal("-0.7167")),
        "insured-firms": (4, Kind.COUNT, Decimal("0.3333")),
        "new-firms": (1, Kind.COUNT, Decimal("-0.5000")),
    }
    charts = {c.key: c for c in section.charts}
    assert [(k, c.kind) for k, c in charts.items()] == [
        ("coverage-by-month", ChartKind.LINE),
        ("coverage-by-country", ChartKind.HBAR),
        ("coverage-by-product", ChartKind.BAR),
    ]
    line = charts["coverage-by-month"]
    assert line.series[0].points == (
        ("2025-12", DEC_INSURED),
        ("2026-01", Decimal(0)),
        ("2026-02", FEB_INSURED),
    )
    assert line.overlay[0].points == (
        ("2025-12", Decimal("0.3421")),
        ("2026-01", Decimal("-1.0000")),
        ("2026-02", Decimal("1.2392")),
    )
    countries = charts["coverage-by-country"].series[0].points
    assert [label for label, _ in countries] == ["United States", "China", "Viet Nam", "Germany"]
    assert countries[-1] == ("Germany", eur_cny("10000", DEC25))
    products = charts["coverage-by-product"]
    assert [s.label for s in products.series] == ["This period", "A year earlier"]
    assert products.series[1].points == (
        ("Export whole-turnover", Decimal("1285670.00")),
        ("Domestic whole-turnover", Decimal("700000")),
    )
    assert [t.key for t in section.tables] == [
        "coverage-by-month",
        "coverage-by-country",
        "coverage-by-insurer",
        "coverage-by-region",
        "coverage-by-sector",
        "coverage-by-product",
        "coverage-by-size",
    ]
    by_month = section.tables[0]
    assert by_month.rows == (
        (DEC25, DEC_INSURED, Decimal("0.3421"), None, Decimal("3980003.60")),
        (JAN26, Decimal(0), Decimal("-1.0000"), Decimal("-1.0000"), Decimal("3976832.95")),
        (FEB26, FEB_INSURED, Decimal("1.2392"), None, Decimal("1121347.89")),
    )
    assert [c.kind for c in by_month.columns] == [
        Kind.MONTH,
        Kind.MONEY,
        Kind.PERCENT,
        Kind.PERCENT,
        Kind.MONEY,
    ]
    sizes = section.tables[-1]
    assert sizes.filters == ("group",)
    assert sizes.as_dicts()[0] == {
        "group": "SME",
        "insured": usd_cny("120000", DEC25) + usd_cny("80000", FEB26) + Decimal("300000"),
        "year_earlier": Decimal("1285670.00"),
        "yoy": Decimal("0.3380"),
        "share": Decimal("0.6137"),
    }
    assert all(t.filters == ("group",) for t in section.tables[1:])


def test_the_market_view_names_no_firm(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    sections = [
        coverage_section(db, market, CURRENT, "CNY"),
        premium_section(db, market, CURRENT, "CNY"),
        subsidised_firms_section(db, market, CURRENT, "CNY"),
    ]
    text = json.dumps([_view(s).to_json() for s in sections])
    for holder in book.holders.values():
        assert db.get_one(Organisation, holder).name not in text
    # The insurers and the pool are named in the breakdown by insurer.
    assert db.get_one(Organisation, book.pool).name in text


def test_the_premium_section(db: Session, book: OversightBook) -> None:
    section = premium_section(db, book.scope(Audience.REGULATOR), CURRENT, "CNY")
    assert {f.key: (f.value, f.change) for f in section.figures} == {
        "premium-written": (Decimal("5760.00"), Decimal("0.2387")),
        "premium-earned": (Decimal("14015.34"), Decimal("0.4116")),
        "subsidy": (Decimal("1200"), None),
        "subsidy-share": (Decimal("0.2083"), None),
    }
    (chart,) = section.charts
    assert (chart.key, chart.kind) == ("premium-by-month", ChartKind.BAR)
    assert chart.series[0].points == (("2025-12", 0), ("2026-01", Decimal("5760.00")), ("2026-02", 0))
    (table,) = section.tables
    assert table.key == "premium-by-month"
    assert table.rows[1] == (JAN26, Decimal("5760.00"), 0, Decimal("1200"), Decimal("0.2083"))


def test_the_subsidised_firms_section_for_a_programme(db: Session, book: OversightBook) -> None:
    section = subsidised_firms_section(db, book.scope(Audience.PROGRAMME, book.bureau), CURRENT, "CNY")
    assert {f.key: (f.value, f.change) for f in section.figures} == {
        "enrolled-insured": (Decimal("300000"), Decimal("0.5000")),
        "others-insured": (Decimal("2503067.72"), Decimal("0.4018")),
    }
    (chart,) = section.charts
    assert (chart.key, chart.kind, len(chart.series), len(chart.overlay)) == (
        "subsidised-vs-others",
        ChartKind.LINE,
        2,
        2,
    )
    assert chart.series[0].points == (("2025-12", Decimal("300000")), ("2026-01", 0), ("2026-02", 0))
    (table,) = section.tables
    assert table.key == "subsidised-vs-others"
    assert table.rows[0] == (
        DEC25,
        Decimal("300000"),
        Decimal("0.5000"),
        Decimal("935603.72"),
        Decimal("0.2982"),
    )


def test_sections_of_an_empty_period_show_zeros_without_failing(db: Session, book: OversightBook) -> None:
    empty = Period(dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    market = book.scope(Audience.REGULATOR)
    cover = coverage_section(db, market, empty, "CNY")
    assert [(f.value, f.change) for f in cover.figures] == [(0, None), (0, None), (0, None), (0, None)]
    assert all(chart.is_empty or chart.key == "coverage-by-month" for chart in cover.charts)
    assert cover.tables[0].rows[0] == (dt.date(2023, 1, 1), 0, None, None, 0)
    assert all(table.rows == () for table in cover.tables[1:])
    money = premium_section(db, market, empty, "CNY")
    assert [f.value for f in money.figures] == [0, 0, 0, None]
    others = subsidised_firms_section(db, market, empty, "CNY")
    assert [(f.value, f.change) for f in others.figures] == [(0, None), (0, None)]


@contextmanager
def counted(db: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block, less the looks for stale
    policies that precede each read of the monthly totals (the totals are rebuilt before the block)."""
    refresh_totals(db)
    statements: list[str] = []
    connection = db.connection()

    def count(*args: object) -> None:
        if "stale_policies" not in str(args[2]):
            statements.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_sections_run_a_fixed_number_of_aggregate_queries(db: Session, book: OversightBook) -> None:
    market = book.scope(Audience.REGULATOR)
    year = Period(dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    with counted(db) as statements:
        coverage_section(db, market, year, "CNY")
    # Two cubes of insured turnover (by the policy's dimensions, which also give the monthly totals, and
    # by the buyer's) and the limits in force at every month end, each with a year earlier in the same
    # query; insured and new firms now and a year earlier (4): however many months, shipments or groups.
    assert len(statements) == 7
    with counted(db) as statements:
        premium_section(db, market, year, "CNY")
    assert len(statements) == 3  # invoices, credit notes and shipments, each with a year earlier
    programme = book.scope(Audience.PROGRAMME, book.bureau)
    with counted(db) as statements:
        subsidised_firms_section(db, programme, year, "CNY")
    assert len(statements) == 1
    # A period longer than a year overlaps its base: each is read on its own.
    two_years = Period(dt.date(2024, 3, 1), dt.date(2026, 2, 28))
    with counted(db) as statements:
        subsidised_firms_section(db, programme, two_years, "CNY")
    assert len(statements) == 2
