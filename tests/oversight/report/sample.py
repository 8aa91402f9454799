"""A hand-built oversight view with every chart kind, an empty chart, a long and an empty table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradecover.oversight.period import Period
from tradecover.oversight.view import (
    Chart,
    ChartKind,
    Column,
    Figure,
    Kind,
    OversightView,
    Section,
    Series,
    Table,
)

MONTHS = tuple(dt.date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(1, 25))
LONG_ROWS = 150
REGIONS = ("Yiwu", "Shenzhen", "Ningbo")


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def coverage_section() -> Section:
    """Headline figures, the monthly line with its year-on-year overlay (a gap in March 2024), a bar."""
    turnover = tuple(
        (_month(m), None if m == dt.date(2024, 3, 1) else Decimal(1_000_000 + 25_000 * i) + Decimal("0.37"))
        for i, m in enumerate(MONTHS)
    )
    growth = tuple(
        (_month(m), None if m.year == 2024 else Decimal("0.153") - Decimal("0.01") * i)
        for i, m in enumerate(MONTHS)
    )
    line = Chart(
        "coverage-by-month",
        "Insured turnover by month",
        ChartKind.LINE,
        Kind.MONEY,
        (
            Series("Insured turnover", turnover),
            Series("Limits in force", tuple((k, None if v is None else v * 2) for k, v in turnover)),
        ),
        overlay=(Series("Year on year", growth),),
    )
    bars = Chart(
        "coverage-by-product",
        "Coverage by product",
        ChartKind.BAR,
        Kind.MONEY,
        (
            Series("2024", (("Export", Decimal("8000000")), ("Domestic", Decimal("2500000.50")))),
            Series("2025", (("Export", Decimal("9224000")), ("Domestic", Decimal("3100000")))),
        ),
    )
    figures = (
        Figure(
            "insured-turnover",
            "Insured turnover",
            Decimal("12345678.5"),
            Kind.MONEY,
            Decimal("0.153"),
            "year on year",
        ),
        Figure("insured-firms", "Insured firms", 42, Kind.COUNT, Decimal("-0.05"), "month on month"),
        Figure("claims-ratio", "Claims ratio", Decimal("0.4125"), Kind.PERCENT),
    )
    return Section(
        "coverage", "Coverage and growth", figures, (line, bars), note="Insured declared turnover."
    )


def exposure_section() -> Section:
    """A ranked HBAR of 40 countries, a service-days histogram and an empty chart."""
    countries = tuple((f"Country {i:02d}", Decimal(4_000_000 - 90_000 * i)) for i in range(40))
    hbar = Chart(
        "exposure-by-country",
        "Exposure by buyer country",
        ChartKind.HBAR,
        Kind.MONEY,
        (Series("Exposure", countries),),
    )
    buckets = (("0-10", 4), ("11-20", 9), ("21-30", 6), ("31-60", 2), ("over 60", 1))
    histogram = Chart(
        "service-days",
        "Days from filing to payment",
        ChartKind.HISTOGRAM,
        Kind.COUNT,
        (Series("Claims", buckets),),
    )
    empty = Chart(
        "recoveries-by-month",
        "Recoveries by month",
        ChartKind.LINE,
        Kind.MONEY,
        (Series("Recoveries", tuple((_month(m), None) for m in MONTHS[:3])),),
    )
    return Section("exposure", "Exposure and claims service", charts=(hbar, histogram, empty))


def long_table() -> Table:
    """LONG_ROWS rows; row 7 has coverage 1,234,567.89 (from 1234567.891) and share 15.3%."""
    rows = []
    for i in range(LONG_ROWS):
        coverage = Decimal("1234567.891") if i == 7 else Decimal(10_000 * i) + Decimal("0.5")
        share = Decimal("0.1534") if i == 7 else Decimal(i) / Decimal(1000)
        rows.append((MONTHS[i % 24], REGIONS[i % 3], coverage, share, i, Decimal(i) / Decimal(4)))
    return Table(
        "coverage-by-region",
        "Coverage by month and region",
        (
            Column("month", "Month", Kind.MONTH),
            Column("region", "Region", Kind.TEXT),
            Column("coverage", "Coverage", Kind.MONEY),
            Column("share", "Share", Kind.PERCENT),
            Column("firms", "Firms", Kind.COUNT),
            Column("days", "Mean days", Kind.DAYS),
        ),
        tuple(rows),
        note="Regions of the policyholders.",
        filters=("region",),
    )


def tables_section() -> Section:
    """The long table and an empty one."""
    empty = Table(
        "claims-open",
        "Open claims",
        (Column("insurer", "Insurer", Kind.TEXT), Column("amount", "Amount", Kind.MONEY)),
        (),
    )
    return Section("regions", "Regions", tables=(long_table(), empty))


def sample_view() -> OversightView:
    """The regulator's view of 2025 built by hand."""
    return OversightView(
        audience="regulator",
        title="Market oversight",
        viewer="Financial Supervisory Authority",
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        currency="CNY",
        generated_on=dt.date(2026, 1, 15),
        sections=(coverage_section(), exposure_section(), tables_section()),
    )
