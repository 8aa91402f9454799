"""Oversight sections of the book as it stands: exposure and stress, coinsurance pools, workloads."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.oversight.exposure import FOCUS_COUNTRY, exposure_by_country, stress_results
from tradecover.oversight.period import Period
from tradecover.oversight.pools import pool_report
from tradecover.oversight.scope import Audience, Scope
from tradecover.oversight.section_parts import TOP_COUNTRIES, series, table_columns
from tradecover.oversight.view import Chart, ChartKind, Figure, Kind, Section, Table
from tradecover.oversight.workload import workload


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
        (series("Exposure", [(c.name, c.exposure) for c in countries[:TOP_COUNTRIES]]),),
    )
    tables = [
        Table(
            "exposure-by-country",
            "Insured exposure by buyer country",
            table_columns(
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
                table_columns(
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
        Table("pools", "Coinsurance pools", table_columns(*columns), rows, filters=("pool",)),
        Table(
            "pool-members",
            "Pool members",
            table_columns(
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
            series("Capacity", [(p.name, p.capacity) for p in report.pools]),
            series("Used", [(p.name, p.used) for p in report.pools]),
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
        table_columns(
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
        (series("Waiting", [(q.label, q.waiting) for q in queues]),),
    )
    return Section("workload", "Workload", figures, (chart,), (table,))
