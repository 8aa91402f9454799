"""Sections of the oversight views built from the claims, service-time, subsidy, financing, exposure, pool
and workload metrics. Each takes (session, scope, period, currency) and returns a `Section`.

The regulator and the programme officer get aggregates only: insurers, banks, programmes and countries are
named, never a policyholder, an invoice or a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.oversight.claims import claims_report
from tradecover.oversight.exposure import FOCUS_COUNTRY, exposure_by_country, stress_results
from tradecover.oversight.financing import financing_report
from tradecover.oversight.period import Period
from tradecover.oversight.pools import pool_report
from tradecover.oversight.scope import Audience, Scope
from tradecover.oversight.service_times import payment_days, service_times
from tradecover.oversight.subsidies import subsidy_report
from tradecover.oversight.view import Chart, ChartKind, Column, Figure, Kind, Section, Series, Table
from tradecover.oversight.workload import workload

TOP_COUNTRIES = 15


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def _columns(*specs: tuple[str, str, Kind]) -> tuple[Column, ...]:
    return tuple(Column(key, label, kind) for key, label, kind in specs)


def _series(label: str, points: Sequence[tuple[str, Decimal | int | None]]) -> Series:
    return Series(label, tuple(points))


def claims_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Claims filed, paid, outstanding, the claims ratio and recoveries, by month, insurer and country."""
    report = claims_report(session, scope, period, currency)
    t = report.totals
    figures = (
        Figure("claims-filed", "Claims filed", t.filed, Kind.COUNT),
        Figure("claims-paid", "Indemnity paid", t.paid_amount, Kind.MONEY),
        Figure(
            "claims-outstanding", f"Outstanding on {period.end.isoformat()}", t.outstanding_amount, Kind.MONEY
        ),
        Figure("claims-ratio", "Claims ratio (paid ÷ premium earned)", t.claims_ratio, Kind.PERCENT),
        Figure("recoveries", "Net recoveries to insurers", t.recoveries, Kind.MONEY),
    )
    by_month = Chart(
        "claims-by-month",
        "Claims filed and paid by month",
        ChartKind.LINE,
        Kind.MONEY,
        (
            _series("Amount claimed", [(_month(m.month), m.claimed) for m in report.months]),
            _series("Indemnity paid", [(_month(m.month), m.paid_amount) for m in report.months]),
        ),
    )
    top = report.countries[:TOP_COUNTRIES]
    by_country = Chart(
        "claims-by-country",
        "Claims by buyer country",
        ChartKind.HBAR,
        Kind.MONEY,
        (
            _series("Amount claimed", [(g.label, g.claimed) for g in top]),
            _series("Indemnity paid", [(g.label, g.paid_amount) for g in top]),
        ),
    )
    group_columns = (
        ("filed", "Claims filed", Kind.COUNT),
        ("claimed", "Amount claimed", Kind.MONEY),
        ("rejected", "Rejected", Kind.COUNT),
        ("paid", "Indemnity paid", Kind.MONEY),
    )
    tables = (
        Table(
            "claims-by-month",
            "Claims by month",
            _columns(
                ("month", "Month", Kind.MONTH),
                ("filed", "Claims filed", Kind.COUNT),
                ("claimed", "Amount claimed", Kind.MONEY),
                ("paid_claims", "Claims paid", Kind.COUNT),
                ("paid", "Indemnity paid", Kind.MONEY),
            ),
            tuple((m.month, m.filed, m.claimed, m.paid, m.paid_amount) for m in report.months),
        ),
        Table(
            "claims-by-insurer",
            "Claims by insurer",
            _columns(("insurer", "Insurer", Kind.TEXT), *group_columns),
            tuple((g.label, g.filed, g.claimed, g.rejected, g.paid_amount) for g in report.insurers),
            filters=("insurer",),
        ),
        Table(
            "claims-by-country",
            "Claims by buyer country",
            _columns(("country", "Country", Kind.TEXT), *group_columns),
            tuple((g.label, g.filed, g.claimed, g.rejected, g.paid_amount) for g in report.countries),
            filters=("country",),
        ),
    )
    note = (
        f"{t.decided} claims decided in the period, {t.rejected} rejected; {t.outstanding} open at its end. "
        "Paid counts each insurer's payment on its date; amount claimed is the unpaid amount of the invoices "
        "claimed, as filed."
    )
    return Section("claims", "Claims", figures, (by_month, by_country), tables, note)


def _days(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def service_times_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Days from filing to decision and payment by insurer, and the distribution of days to payment."""
    del currency  # days, not money
    rows = service_times(session, scope, period)
    table = Table(
        "service-times",
        "Claim service times (claims filed in the period)",
        _columns(
            ("insurer", "Insurer", Kind.TEXT),
            ("claims", "Claims", Kind.COUNT),
            ("documents_median", "Median days to complete documents", Kind.DAYS),
            ("decision_median", "Median days to decision", Kind.DAYS),
            ("decision_p90", "90th percentile days to decision", Kind.DAYS),
            ("decision_within", "Decided within service level", Kind.PERCENT),
            ("payment_median", "Median days to payment", Kind.DAYS),
            ("payment_p90", "90th percentile days to payment", Kind.DAYS),
            ("payment_within", "Paid within service level", Kind.PERCENT),
        ),
        tuple(
            (
                r.insurer_name,
                r.summary.claims,
                _days(r.summary.to_documents.median_days),
                _days(r.summary.to_decision.median_days),
                _days(r.summary.to_decision.p90_days),
                r.summary.to_decision.within_share,
                _days(r.summary.to_payment.median_days),
                _days(r.summary.to_payment.p90_days),
                r.summary.to_payment.within_share,
            )
            for r in rows
        ),
        note="Days from filing; the service levels are a decision within 30 days of complete documents and "
        "payment within 5 days of the decision.",
        filters=("insurer",),
    )
    histogram = Chart(
        "payment-days",
        "Days from filing to payment (claims paid in the period)",
        ChartKind.HISTOGRAM,
        Kind.COUNT,
        (_series("Claims paid", list(payment_days(session, scope, period))),),
    )
    overall = rows[0].summary
    figures = (
        Figure(
            "median-days-to-payment",
            "Median days to payment",
            _days(overall.to_payment.median_days),
            Kind.DAYS,
        ),
        Figure(
            "paid-within-service-level",
            "Paid within service level",
            overall.to_payment.within_share,
            Kind.PERCENT,
        ),
    )
    return Section("service-times", "Claim service times", figures, (histogram,), (table,))


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
            _series("Budget", list(zip(names, (p.budget for p in report.programmes), strict=True))),
            _series("Committed", list(zip(names, (p.committed for p in report.programmes), strict=True))),
            _series("Paid", list(zip(names, (p.paid for p in report.programmes), strict=True))),
        ),
    )
    tables = (
        Table(
            "programmes",
            "Programmes",
            _columns(
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
            _columns(
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
            _columns(
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
            _columns(*columns),
            rows,
            note="" if own else "Aggregated per bank: no borrower is named.",
            filters=("facility",) if own else ("bank",),
        ),
        Table(
            "financing-by-month",
            "Drawn and repaid by month",
            _columns(
                ("month", "Month", Kind.MONTH),
                ("drawn", "Drawn", Kind.MONEY),
                ("repaid", "Repaid", Kind.MONEY),
            ),
            tuple((m.month, m.drawn, m.repaid) for m in report.months),
        ),
        Table(
            "financing-alerts",
            "Alerts on financed buyers in the period",
            _columns(("alert", "Alert", Kind.TEXT), ("count", "Alerts", Kind.COUNT)),
            report.alerts,
        ),
    )
    chart = Chart(
        "financing-by-month",
        "Drawn and repaid by month",
        ChartKind.BAR,
        Kind.MONEY,
        (
            _series("Drawn", [(_month(m.month), m.drawn) for m in report.months]),
            _series("Repaid", [(_month(m.month), m.repaid) for m in report.months]),
        ),
    )
    return Section("financing", "Financing against policies", figures, (chart,), tables)


def exposure_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Live insured exposure by buyer country with the USA's share, and the latest run's stress results."""
    countries = exposure_by_country(session, scope, period.end, currency)
    total = sum((c.exposure for c in countries), Decimal(0))
    focus = next((c for c in countries if c.country == FOCUS_COUNTRY), None)
    figures = (
        Figure("exposure-total", f"Insured exposure on {period.end.isoformat()}", total, Kind.MONEY),
        Figure("exposure-us", "Exposure to US buyers", focus.exposure if focus else Decimal(0), Kind.MONEY),
        Figure("exposure-us-share", "US share of exposure", focus.share if focus else None, Kind.PERCENT),
    )
    chart = Chart(
        "exposure-by-country",
        "Insured exposure by buyer country",
        ChartKind.HBAR,
        Kind.MONEY,
        (_series("Exposure", [(c.name, c.exposure) for c in countries[:TOP_COUNTRIES]]),),
    )
    tables = [
        Table(
            "exposure-by-country",
            "Insured exposure by buyer country",
            _columns(
                ("rank", "Rank", Kind.COUNT),
                ("code", "Code", Kind.TEXT),
                ("country", "Country", Kind.TEXT),
                ("exposure", "Exposure", Kind.MONEY),
                ("share", "Share", Kind.PERCENT),
            ),
            tuple((i, c.country, c.name, c.exposure, c.share) for i, c in enumerate(countries, start=1)),
            filters=("country",),
        )
    ]
    run = stress_results(session, scope, currency)
    if run is None:
        note = "No risk run yet."
    else:
        note = (
            f"Stress results of risk run {run.reference} ({run.label}, {run.method}) "
            f"as of {run.as_of.isoformat()}."
        )
        tables.append(
            Table(
                "stress-results",
                "Expected loss, VaR and ES at 99.5% per scenario",
                _columns(
                    ("scenario", "Scenario", Kind.TEXT),
                    ("expected_loss", "Expected loss", Kind.MONEY),
                    ("var", "VaR 99.5%", Kind.MONEY),
                    ("es", "ES 99.5%", Kind.MONEY),
                    ("us_contribution", "US contribution to ES", Kind.MONEY),
                    ("us_share", "US share of ES", Kind.PERCENT),
                ),
                tuple(
                    (r.scenario, r.expected_loss, r.var, r.es, r.focus_contribution, r.focus_share)
                    for r in run.results
                ),
            )
        )
    return Section("exposure", "Exposure and stress", figures, (chart,), tuple(tables), note)


def pool_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """Each pool's capacity and use, its members' shares, and an insurer's part of each pool."""
    report = pool_report(session, scope, period, currency)
    capacity = sum((p.capacity for p in report.pools), Decimal(0))
    used = sum((p.used for p in report.pools), Decimal(0))
    figures = (
        Figure("pool-capacity", "Pool capacity", capacity, Kind.MONEY),
        Figure("pool-used", "Capacity used by limits", used, Kind.MONEY),
        Figure(
            "pool-use",
            "Use of capacity",
            None if not capacity else (used / capacity).quantize(Decimal("0.0001")),
            Kind.PERCENT,
        ),
    )
    insurer = scope.audience is Audience.INSURER
    columns = [
        ("pool", "Pool", Kind.TEXT),
        ("members", "Members", Kind.COUNT),
        ("capacity", "Capacity", Kind.MONEY),
        ("used", "Used", Kind.MONEY),
        ("use", "Use of capacity", Kind.PERCENT),
    ]
    if insurer:
        columns += [
            ("own_share", "Our share", Kind.PERCENT),
            ("own_turnover", "Our share of insured turnover", Kind.MONEY),
            ("own_claims_paid", "Our claims paid", Kind.MONEY),
        ]
    rows = tuple(
        (
            p.name, p.members, p.capacity, p.used, p.use,
            *((p.own_share, p.own_turnover, p.own_claims_paid) if insurer else ()),
        )
        for p in report.pools
    )  # fmt: skip
    tables = (
        Table("pools", "Coinsurance pools", _columns(*columns), rows, filters=("pool",)),
        Table(
            "pool-members",
            "Pool members",
            _columns(
                ("pool", "Pool", Kind.TEXT),
                ("member", "Member", Kind.TEXT),
                ("role", "Role", Kind.TEXT),
                ("share", "Share", Kind.PERCENT),
                ("capacity", "Capacity", Kind.MONEY),
                ("used", "Used", Kind.MONEY),
                ("use", "Use of capacity", Kind.PERCENT),
            ),
            tuple(
                (m.pool, m.member, "leader" if m.leader else "member", m.share, m.capacity, m.used, m.use)
                for m in report.members
            ),
            filters=("pool", "member"),
        ),
    )
    chart = Chart(
        "pool-capacity",
        "Pool capacity and use",
        ChartKind.HBAR,
        Kind.MONEY,
        (
            _series("Capacity", [(p.name, p.capacity) for p in report.pools]),
            _series("Used", [(p.name, p.used) for p in report.pools]),
        ),
    )
    note = "Capacity and use as they stand now." if report.pools else "No coinsurance pool in this view."
    return Section("pools", "Coinsurance pools", figures, (chart,), tables, note)


def workload_section(session: Session, scope: Scope, period: Period, currency: str) -> Section:
    """An insurer's underwriting and claims queues: arrived in the period, waiting at its end."""
    del currency  # counts only
    if scope.audience is not Audience.INSURER:
        return Section("workload", "Workload", note="Workload is shown to insurers only.")
    queues = workload(session, scope, period)
    claims_waiting = sum(q.waiting for q in queues if q.key.startswith("claims"))
    figures = (
        *(Figure(f"waiting-{q.key}", q.label, q.waiting, Kind.COUNT) for q in queues[:2]),
        Figure("waiting-claims", "Claims waiting", claims_waiting, Kind.COUNT),
    )
    table = Table(
        "workload",
        "Underwriting and claims workload",
        _columns(
            ("queue", "Queue", Kind.TEXT),
            ("arrived", "Arrived in the period", Kind.COUNT),
            ("waiting", f"Waiting on {period.end.isoformat()}", Kind.COUNT),
        ),
        tuple((q.label, q.arrived, q.waiting) for q in queues),
    )
    chart = Chart(
        "workload",
        "Work waiting at the period's end",
        ChartKind.BAR,
        Kind.COUNT,
        (_series("Waiting", [(q.label, q.waiting) for q in queues]),),
    )
    return Section("workload", "Workload", figures, (chart,), (table,))
