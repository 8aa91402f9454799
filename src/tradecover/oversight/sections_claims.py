"""Oversight sections of claims and claim service times: filed, paid, outstanding, ratio, days.

The regulator and the programme officer get aggregates only: insurers and countries are named, never a
policyholder, an invoice or a document.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from tradecover.oversight.claims import claims_report
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Scope
from tradecover.oversight.section_parts import TOP_COUNTRIES, month_label, series, table_columns
from tradecover.oversight.service_times import payment_days, service_times
from tradecover.oversight.view import Chart, ChartKind, Figure, Kind, Section, Table


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
            series("Amount claimed", [(month_label(m.month), m.claimed) for m in report.months]),
            series("Indemnity paid", [(month_label(m.month), m.paid_amount) for m in report.months]),
        ),
    )
    top = report.countries[:TOP_COUNTRIES]
    by_country = Chart(
        "claims-by-country",
        "Claims by buyer country",
        ChartKind.HBAR,
        Kind.MONEY,
        (
            series("Amount claimed", [(g.label, g.claimed) for g in top]),
            series("Indemnity paid", [(g.label, g.paid_amount) for g in top]),
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
            table_columns(
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
            table_columns(("insurer", "Insurer", Kind.TEXT), *group_columns),
            tuple((g.label, g.filed, g.claimed, g.rejected, g.paid_amount) for g in report.insurers),
            filters=("insurer",),
        ),
        Table(
            "claims-by-country",
            "Claims by buyer country",
            table_columns(("country", "Country", Kind.TEXT), *group_columns),
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
        table_columns(
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
        (series("Claims paid", list(payment_days(session, scope, period))),),
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
