"""Oversight sections of subsidies and financing: programme budgets against use, banks' lending on policies.

The regulator gets one row per bank and names no borrower.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tradecover.oversight.financing import financing_report
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience, Scope
from tradecover.oversight.section_parts import month_label, series, table_columns
from tradecover.oversight.subsidies import subsidy_report
from tradecover.oversight.view import Chart, ChartKind, Figure, Kind, Section, Table


def subsidy_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Programmes' budget, commitments and payments, enrolments, firms by tier and subsidy by month."""
    report = subsidy_report(session, scope, period, currency)
    figures = (
        Figure("subsidy-budget", "Budget for the period's years", report.budget, Kind.MONEY),
        Figure("subsidy-committed", "Subsidy committed", report.committed, Kind.MONEY),
        Figure("subsidy-paid", "Subsidy paid", report.paid, Kind.MONEY),
    )
    names = [p.name for p in report.programmes]
    chart = Chart(
        "subsidy-vs-budget",
        "Subsidy committed and paid against budget",
        ChartKind.BAR,
        Kind.MONEY,
        (
            series("Budget", list(zip(names, (p.budget for p in report.programmes), strict=True))),
            series("Committed", list(zip(names, (p.committed for p in report.programmes), strict=True))),
            series("Paid", list(zip(names, (p.paid for p in report.programmes), strict=True))),
        ),
    )
    tables = (
        Table(
            "programmes",
            "Programmes",
            table_columns(
                ("programme", "Programme", Kind.TEXT),
                ("region", "Region", Kind.TEXT),
                ("enrolled", "Firms enrolled", Kind.COUNT),
                ("new", "Enrolled in the period", Kind.COUNT),
                ("budget", "Budget", Kind.MONEY),
                ("committed", "Committed", Kind.MONEY),
                ("paid", "Paid", Kind.MONEY),
                ("remaining", "Budget remaining", Kind.MONEY),
            ),
            tuple(
                (p.name, p.region, p.enrolled, p.new_enrolments, p.budget, p.committed, p.paid, p.remaining)
                for p in report.programmes
            ),
            filters=("programme", "region"),
        ),
        Table(
            "firms-by-tier",
            "Firms subsidised by rate tier",
            table_columns(
                ("programme", "Programme", Kind.TEXT),
                ("tier", "Tier", Kind.TEXT),
                ("rate", "Rate", Kind.PERCENT),
                ("firms", "Firms", Kind.COUNT),
                ("committed", "Committed", Kind.MONEY),
            ),
            tuple((t.programme, t.tier, t.rate, t.firms, t.committed) for t in report.tiers),
            filters=("programme",),
        ),
        Table(
            "subsidy-by-month",
            "Subsidy by month",
            table_columns(
                ("month", "Month", Kind.MONTH),
                ("committed", "Committed", Kind.MONEY),
                ("paid", "Paid", Kind.MONEY),
            ),
            tuple((m.month, m.committed, m.paid) for m in report.months),
        ),
    )
    note = "" if report.programmes else "No subsidy programme in this view."
    return Section("subsidies", "Subsidies", figures, (chart,), tables, note)


def financing_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Facilities backed by assigned policies: limits, drawn, outstanding, borrowing base, and alerts."""
    report = financing_report(session, scope, period, currency)
    own = scope.audience is Audience.BANK
    figures = (
        Figure(
            "financing-outstanding",
            f"Outstanding on {period.end.isoformat()}",
            report.outstanding,
            Kind.MONEY,
        ),
        Figure("financing-drawn", "Drawn in the period", report.drawn, Kind.MONEY),
        Figure(
            "financing-facilities", "Facilities", sum(line.facilities for line in report.lines), Kind.COUNT
        ),
        Figure("financing-alerts", "Alerts on financed buyers", sum(n for _, n in report.alerts), Kind.COUNT),
    )
    columns = [
        ("facility", "Facility", Kind.TEXT) if own else ("bank", "Bank", Kind.TEXT),
        ("facilities", "Facilities", Kind.COUNT),
        ("policies", "Policies assigned", Kind.COUNT),
        ("limit", "Limits", Kind.MONEY),
        ("drawn", "Drawn in the period", Kind.MONEY),
        ("repaid", "Repaid in the period", Kind.MONEY),
        ("outstanding", "Outstanding at the end", Kind.MONEY),
    ]
    if own:
        columns += [("base", "Borrowing base", Kind.MONEY), ("available", "Available", Kind.MONEY)]
    rows = tuple(
        (
            line.label, line.facilities, line.policies_assigned, line.limit, line.drawn, line.repaid,
            line.outstanding, *((line.borrowing_base, line.available) if own else ()),
        )
        for line in report.lines
    )  # fmt: skip
    tables = (
        Table(
            "facilities",
            "Facilities" if own else "Facilities by bank",
            table_columns(*columns),
            rows,
            note="" if own else "Aggregated per bank: no borrower is named.",
            filters=("facility",) if own else ("bank",),
        ),
        Table(
            "financing-by-month",
            "Drawn and repaid by month",
            table_columns(
                ("month", "Month", Kind.MONTH),
                ("drawn", "Drawn", Kind.MONEY),
                ("repaid", "Repaid", Kind.MONEY),
            ),
            tuple((m.month, m.drawn, m.repaid) for m in report.months),
        ),
        Table(
            "financing-alerts",
            "Alerts on financed buyers in the period",
            table_columns(("alert", "Alert", Kind.TEXT), ("count", "Alerts", Kind.COUNT)),
            report.alerts,
        ),
    )
    chart = Chart(
        "financing-by-month",
        "Drawn and repaid by month",
        ChartKind.BAR,
        Kind.MONEY,
        (
            series("Drawn", [(month_label(m.month), m.drawn) for m in report.months]),
            series("Repaid", [(month_label(m.month), m.repaid) for m in report.months]),
        ),
    )
    return Section("financing", "Financing against policies", figures, (chart,), tables)
