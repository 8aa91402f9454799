"""Sections of the oversight views built from the coverage, breakdown, firm and premium metrics.

Each takes (session, scope, period, currency) and returns a `Section`. Only sums and counts leave: the
breakdowns name products, insurers and pools, regions, countries, sectors and size classes, never a firm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.oversight.breakdowns import Breakdown, Dimension, breakdowns, monthly_sums, policy_cubes
from tradecover.oversight.coverage import coverage
from tradecover.oversight.firms import enrolled_vs_others, firms
from tradecover.oversight.period import Period
from tradecover.oversight.premium import premium
from tradecover.oversight.scope import Audience, Scope
from tradecover.oversight.view import Chart, ChartKind, Column, Figure, Kind, Section, Series, Table

TOP_COUNTRIES = 15
YOY = "year on year"

_BREAKDOWN_TABLES: tuple[tuple[Dimension, str, str, str], ...] = (
    (Dimension.COUNTRY, "coverage-by-country", "Insured turnover by buyer country", "Buyer country"),
    (Dimension.INSURER, "coverage-by-insurer", "Insured turnover by insurer or pool", "Insurer or pool"),
    (Dimension.REGION, "coverage-by-region", "Insured turnover by region of the policyholder", "Region"),
    (Dimension.SECTOR, "coverage-by-sector", "Insured turnover by buyer sector", "Buyer sector"),
    (Dimension.PRODUCT, "coverage-by-product", "Insured turnover by product", "Product"),
    (Dimension.SIZE, "coverage-by-size", "Insured turnover by firm size", "Firm size"),
)

COVERAGE_NOTE = (
    "Insured turnover: the insured part of the shipments declared with a shipment date in the period. "
    "Limits in force: the credit limit amounts in force on the day (the old amount during a reduction's "
    "notice period), under policies giving cover that day. Each month's sums are converted at the "
    "reference rate of the month's first day; growth compares with the same days a year earlier."
)
PREMIUM_NOTE = (
    "Written: premium invoices issued in the period less credit notes issued in it. Earned: the premium "
    "of the shipments dated in the period. Subsidy: the direct-mode programmes' part of the invoices "
    "issued (less that of the invoices credited); its share is of written premium."
)
SUBSIDISED_NOTE = (
    "Insured turnover of the firms enrolled in the programmes against all other insured firms of the "
    "market, month by month; sums only."
)


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def _columns(*specs: tuple[str, str, Kind]) -> tuple[Column, ...]:
    return tuple(Column(key, label, kind) for key, label, kind in specs)


def _series(label: str, points: Sequence[tuple[str, Decimal | int | None]]) -> Series:
    return Series(label, tuple(points))


def _breakdown_table(result: Breakdown, key: str, title: str, heading: str) -> Table:
    return Table(
        key,
        title,
        _columns(
            ("group", heading, Kind.TEXT),
            ("insured", "Insured turnover", Kind.MONEY),
            ("year_earlier", "A year earlier", Kind.MONEY),
            ("yoy", "Year on year", Kind.PERCENT),
            ("share", "Share", Kind.PERCENT),
        ),
        tuple((r.label, r.insured, r.year_earlier, r.yoy, r.share) for r in result.rows),
        filters=("group",),
    )


def coverage_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Insured turnover and limits in force with growth, insured and new firms, and the breakdowns."""
    cube = policy_cubes(session, scope, period)
    cover = coverage(session, scope, period, currency, insured=(monthly_sums(cube[0]), monthly_sums(cube[1])))
    counts = firms(session, scope, period)
    parts = breakdowns(session, scope, period, currency, policy_cube=cube)
    figures = (
        Figure("insured-turnover", "Insured turnover", cover.insured, Kind.MONEY, cover.insured_yoy, YOY),
        Figure(
            "limits-in-force",
            f"Limits in force on {period.end.isoformat()}",
            cover.limits,
            Kind.MONEY,
            cover.limits_yoy,
            YOY,
        ),
        Figure("insured-firms", "Insured firms", counts.insured, Kind.COUNT, counts.insured_yoy, YOY),
        Figure("new-firms", "New insured firms", counts.new, Kind.COUNT, counts.new_yoy, YOY),
    )
    months = [_month(m.month) for m in cover.months]
    by_month = Chart(
        "coverage-by-month",
        "Insured turnover by month",
        ChartKind.LINE,
        Kind.MONEY,
        (
            _series("Insured turnover", list(zip(months, (m.insured for m in cover.months), strict=True))),
            _series("A year earlier", list(zip(months, (m.year_earlier for m in cover.months), strict=True))),
        ),
        overlay=(_series("Year on year", list(zip(months, (m.yoy for m in cover.months), strict=True))),),
    )
    top = parts[Dimension.COUNTRY].rows[:TOP_COUNTRIES]
    by_country = Chart(
        "coverage-by-country",
        f"Insured turnover by buyer country (top {TOP_COUNTRIES})",
        ChartKind.HBAR,
        Kind.MONEY,
        (
            _series("Insured turnover", [(r.label, r.insured) for r in top]),
            _series("A year earlier", [(r.label, r.year_earlier) for r in top]),
        ),
    )
    products = parts[Dimension.PRODUCT].rows
    by_product = Chart(
        "coverage-by-product",
        "Insured turnover by product",
        ChartKind.BAR,
        Kind.MONEY,
        (
            _series("This period", [(r.label, r.insured) for r in products]),
            _series("A year earlier", [(r.label, r.year_earlier) for r in products]),
        ),
    )
    month_table = Table(
        "coverage-by-month",
        "Coverage by month",
        _columns(
            ("month", "Month", Kind.MONTH),
            ("insured", "Insured turnover", Kind.MONEY),
            ("yoy", "Year on year", Kind.PERCENT),
            ("mom", "Month on month", Kind.PERCENT),
            ("limits", "Limits in force at month end", Kind.MONEY),
        ),
        tuple((m.month, m.insured, m.yoy, m.mom, m.limits) for m in cover.months),
    )
    tables = (
        month_table,
        *(_breakdown_table(parts[d], key, title, heading) for d, key, title, heading in _BREAKDOWN_TABLES),
    )
    return Section(
        "coverage",
        "Coverage",
        figures,
        (by_month, by_country, by_product),
        tables,
        note=COVERAGE_NOTE,
    )


def premium_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Premium written and earned with growth, the subsidy and its share, by month."""
    result = premium(session, scope, period, currency)
    totals = result.totals
    figures = (
        Figure("premium-written", "Premium written", totals.written, Kind.MONEY, result.written_yoy, YOY),
        Figure("premium-earned", "Premium earned", totals.earned, Kind.MONEY, result.earned_yoy, YOY),
        Figure("subsidy", "Subsidy", totals.subsidy, Kind.MONEY),
        Figure("subsidy-share", "Subsidy share of written premium", totals.subsidy_share, Kind.PERCENT),
    )
    chart = Chart(
        "premium-by-month",
        "Premium by month",
        ChartKind.BAR,
        Kind.MONEY,
        (
            _series("Written", [(_month(m.month), m.written) for m in result.months]),
            _series("Earned", [(_month(m.month), m.earned) for m in result.months]),
        ),
    )
    table = Table(
        "premium-by-month",
        "Premium by month",
        _columns(
            ("month", "Month", Kind.MONTH),
            ("written", "Written", Kind.MONEY),
            ("earned", "Earned", Kind.MONEY),
            ("subsidy", "Subsidy", Kind.MONEY),
            ("subsidy_share", "Subsidy share", Kind.PERCENT),
        ),
        tuple((m.month, m.written, m.earned, m.subsidy, m.subsidy_share) for m in result.months),
    )
    return Section("premium", "Premium", figures, (chart,), (table,), note=PREMIUM_NOTE)


def subsidised_firms_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Coverage growth of the firms enrolled in the programmes against all other firms (sums only)."""
    result = enrolled_vs_others(session, scope, period, currency)
    enrolled = "Enrolled firms" if scope.audience is Audience.PROGRAMME else "Firms enrolled in a programme"
    figures = (
        Figure(
            "enrolled-insured",
            f"{enrolled}: insured turnover",
            result.enrolled,
            Kind.MONEY,
            result.enrolled_yoy,
            YOY,
        ),
        Figure(
            "others-insured",
            "Other firms: insured turnover",
            result.others,
            Kind.MONEY,
            result.others_yoy,
            YOY,
        ),
    )
    months = [_month(m.month) for m in result.months]
    chart = Chart(
        "subsidised-vs-others",
        "Insured turnover: enrolled firms and all others",
        ChartKind.LINE,
        Kind.MONEY,
        (
            _series(enrolled, list(zip(months, (m.enrolled for m in result.months), strict=True))),
            _series("Other firms", list(zip(months, (m.others for m in result.months), strict=True))),
        ),
        overlay=(
            _series(
                f"{enrolled}, year on year",
                list(zip(months, (m.enrolled_yoy for m in result.months), strict=True)),
            ),
            _series(
                "Other firms, year on year",
                list(zip(months, (m.others_yoy for m in result.months), strict=True)),
            ),
        ),
    )
    table = Table(
        "subsidised-vs-others",
        "Enrolled firms and all others by month",
        _columns(
            ("month", "Month", Kind.MONTH),
            ("enrolled", enrolled, Kind.MONEY),
            ("enrolled_yoy", "Year on year", Kind.PERCENT),
            ("others", "Other firms", Kind.MONEY),
            ("others_yoy", "Year on year (others)", Kind.PERCENT),
        ),
        tuple((m.month, m.enrolled, m.enrolled_yoy, m.others, m.others_yoy) for m in result.months),
    )
    return Section(
        "subsidised-firms",
        "Subsidised firms and the rest of the market",
        figures,
        (chart,),
        (table,),
        note=SUBSIDISED_NOTE,
    )
