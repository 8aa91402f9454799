"""A hand-built oversight view for the renderers: two sections, every chart kind, text/money/percent/month
columns, a gap in a series, a negative growth month and an empty chart."""

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

MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
COVERAGE = (
    Decimal("1000000.00"),
    Decimal("1100000.00"),
    None,  # a gap: no declarations that month
    Decimal("900000.50"),
    Decimal("1200000.00"),
    Decimal("1300000.00"),
)
GROWTH = (Decimal("0.153"), Decimal("0.12"), None, Decimal("-0.05"), Decimal("0.10"), Decimal("0.2"))
REGIONS = (
    ("Zhejiang", "Yiwu", Decimal("5200000.25"), Decimal("0.153"), dt.date(2025, 1, 1)),
    ("Guangdong", "Shenzhen", Decimal("4100000"), Decimal("-0.021"), dt.date(2025, 2, 1)),
    ("Zhejiang", "Ningbo", Decimal("880000.1"), Decimal("0.4"), dt.date(2025, 3, 1)),
    ("Jiangsu", "Suzhou", Decimal("1999999.99"), None, dt.date(2025, 4, 1)),
)


def _coverage() -> Section:
    line = Chart(
        "coverage-by-month",
        "Insured turnover by month",
        ChartKind.LINE,
        Kind.MONEY,
        (Series("Insured turnover", tuple(zip(MONTHS, COVERAGE, strict=True))),),
        overlay=(Series("Year on year", tuple(zip(MONTHS, GROWTH, strict=True))),),
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
    regions = Table(
        "coverage-by-region",
        "Coverage by region",
        (
            Column("province", "Province", Kind.TEXT),
            Column("city", "City", Kind.TEXT),
            Column("coverage", "Coverage", Kind.MONEY),
            Column("growth", "Year on year", Kind.PERCENT),
            Column("since", "First month", Kind.MONTH),
        ),
        REGIONS,
        note="Insured declared turnover by the policyholder's region.",
        filters=("province", "city"),
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
    return Section("coverage", "Coverage and growth", figures, (line, bars), (regions,), "Declared turnover.")


def _exposure() -> Section:
    countries = Chart(
        "exposure-by-country",
        "Exposure by buyer country",
        ChartKind.HBAR,
        Kind.MONEY,
        (
            Series(
                "Exposure",
                (
                    ("United States", Decimal("3000000")),
                    ("Germany", Decimal("1500000")),
                    ("Viet Nam", Decimal("750000")),
                ),
            ),
        ),
    )
    days = Chart(
        "service-days",
        "Days from filing to payment",
        ChartKind.HISTOGRAM,
        Kind.COUNT,
        (Series("Claims", (("0-10", 2), ("11-20", 5), ("21-30", 3), ("31-60", 1))),),
    )
    nothing = Chart(
        "stress-losses", "Stress losses", ChartKind.BAR, Kind.MONEY, (Series("Loss", (("A", None),)),)
    )
    table = Table(
        "exposure-countries",
        "Exposure by country",
        (
            Column("country", "Country", Kind.TEXT),
            Column("exposure", "Exposure", Kind.MONEY),
            Column("buyers", "Buyers", Kind.COUNT),
            Column("days", "Median days", Kind.DAYS),
        ),
        (
            ("United States", Decimal("3000000"), 12, Decimal("21.5")),
            ("Germany", Decimal("1500000"), 4, Decimal("9")),
            ("Viet Nam", Decimal("750000"), 30, None),
        ),
        filters=("country",),
    )
    empty = Table("no-claims", "Claims paid", (Column("claim", "Claim", Kind.TEXT),), ())
    return Section("exposure", "Exposures", (), (countries, days, nothing), (table, empty))


def sample_view(
    audience: str = "regulator", period: Period | None = None, currency: str = "CNY"
) -> OversightView:
    """The sample view for an audience and period."""
    return OversightView(
        audience,
        "Market oversight",
        "Financial Supervisory Authority",
        period or Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        currency,
        dt.date(2025, 7, 1),
        (_coverage(), _exposure()),
    )
