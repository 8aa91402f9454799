"""Premium written and earned, the subsidy programmes' part of it and its share, by month and in total.

Written: premium of the invoices issued in the period (monthly and minimum-premium true-ups), less the
premium of the credit notes issued in the period (a credit note cancels its invoice whole). Earned:
premium priced on the shipments dated in the period (declarations carry their premium), so the two
differ by the invoicing lag, by credited and re-issued invoices and by true-ups. Subsidy: the
direct-mode programmes' part of the invoices issued, less that of the invoices credited, by the same
dates as written premium.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.oversight.coverage import converted, growth, share, with_base
from tradecover.oversight.memo import in_view, memoised
from tradecover.oversight.period import Period
from tradecover.oversight.policy_cube import policy_cube
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.oversight.sql import Ranges, Unindexed, per_range, read_rows
from tradecover.oversight.totals import turnover_rows
from tradecover.premiums.model import CreditNote, PremiumInvoice

WRITTEN = "written"
SUBSIDY = "subsidy"
EARNED = "earned"


@dataclass(frozen=True, slots=True)
class PremiumTotals:
    """Premium of a period in the reporting currency; the subsidy share is of written premium."""

    written: Decimal
    earned: Decimal
    subsidy: Decimal
    subsidy_share: Decimal | None


@dataclass(frozen=True, slots=True)
class PremiumMonth:
    """One month's written and earned premium and subsidy."""

    month: dt.date
    written: Decimal
    earned: Decimal
    subsidy: Decimal

    @property
    def subsidy_share(self) -> Decimal | None:
        """Subsidy ÷ written premium (None without written premium)."""
        return share(self.subsidy, self.written)


@dataclass(frozen=True, slots=True)
class Premium:
    """Premium of a period per month, in total and in total a year earlier."""

    period: Period
    months: tuple[PremiumMonth, ...]
    totals: PremiumTotals
    year_earlier: PremiumTotals

    @property
    def written_yoy(self) -> Decimal | None:
        """Year-on-year growth of written premium."""
        return growth(self.totals.written, self.year_earlier.written)

    @property
    def earned_yoy(self) -> Decimal | None:
        """Year-on-year growth of earned premium."""
        return growth(self.totals.earned, self.year_earlier.earned)


def _rows(session: Session, scope: Scope, ranges: Ranges) -> list[tuple[Any, str, str, int]]:
    """(day or month, currency, measure, amount) of invoices, credit notes and shipments in the ranges."""
    rows: list[tuple[Any, str, str, int]] = []
    # Grouped by the day, bucketed by month afterwards: invoices go out on a few days a month, and a date
    # function on each of some 10⁴ invoices would cost PostgreSQL more than the sums. Not in index order:
    # SQLite would then read a bank's few policies' invoices through the date index, not the policy one.
    invoiced = Unindexed(PremiumInvoice.issued_on).label("ym")
    invoices = per_range(
        ranges,
        lambda first, last: (
            select(
                invoiced,
                PremiumInvoice.currency,
                func.sum(PremiumInvoice.premium_minor),
                func.sum(PremiumInvoice.subsidy_minor),
            )
            .where(PremiumInvoice.issued_on.between(first, last), scope.restrict(PremiumInvoice.policy_id))
            .group_by(invoiced, PremiumInvoice.currency)
        ),
    )
    for ym, code, premium, subsidy in read_rows(session, invoices.execution_options(**EXEMPT)):
        rows += [(ym, code, WRITTEN, int(premium)), (ym, code, SUBSIDY, int(subsidy))]
    credited = Unindexed(CreditNote.issued_on).label("ym")
    notes = per_range(
        ranges,
        lambda first, last: (
            select(
                credited,
                CreditNote.currency,
                func.sum(CreditNote.amount_minor),
                func.sum(PremiumInvoice.subsidy_minor),
            )
            .join(PremiumInvoice, PremiumInvoice.id == CreditNote.invoice_id)
            .where(CreditNote.issued_on.between(first, last), scope.restrict(CreditNote.policy_id))
            .group_by(credited, CreditNote.currency)
        ),
    )
    for ym, code, premium, subsidy in read_rows(session, notes.execution_options(**EXEMPT)):
        rows += [(ym, code, WRITTEN, -int(premium)), (ym, code, SUBSIDY, -int(subsidy))]
    # In a view, coverage reads the policy cube anyway: its premium column saves a second pass.
    if in_view(session):
        earned = policy_cube(session, scope, ranges).earned
    else:
        earned = turnover_rows(session, scope, ranges, "premium")
    for ym, code, _, premium in earned:
        rows.append((ym, code, EARNED, premium))
    return rows


def _months(rows: list[tuple[Any, str, str, int]], period: Period, currency: str) -> tuple[PremiumMonth, ...]:
    sums = converted(rows, currency)
    zero = Decimal(0)
    return tuple(
        PremiumMonth(
            month=month,
            written=sums.get((WRITTEN, month), zero),
            earned=sums.get((EARNED, month), zero),
            subsidy=sums.get((SUBSIDY, month), zero),
        )
        for month in period.months()
    )


def premium_by_month(
    session: Session, scope: Scope, period: Period, currency: str
) -> tuple[PremiumMonth, ...]:
    """Written and earned premium and subsidy of each month of the period (zero when empty)."""
    return _months(_rows(session, scope, ((period.start, period.end),)), period, currency)


def _totals(months: tuple[PremiumMonth, ...]) -> PremiumTotals:
    written = sum((m.written for m in months), Decimal(0))
    subsidy = sum((m.subsidy for m in months), Decimal(0))
    return PremiumTotals(
        written=written,
        earned=sum((m.earned for m in months), Decimal(0)),
        subsidy=subsidy,
        subsidy_share=share(subsidy, written),
    )


def premium_totals(session: Session, scope: Scope, period: Period, currency: str) -> PremiumTotals:
    """Written and earned premium, subsidy and the subsidy share of written premium for the period."""
    return premium(session, scope, period, currency).totals


def premium(session: Session, scope: Scope, period: Period, currency: str) -> Premium:
    """Premium of the period per month and in total, with the totals of the same period a year earlier.

    Read once per view: the claims section's claims ratio divides by the earned premium found here.
    """
    return memoised(
        session, ("premium", scope, period, currency), partial(_premium, session, scope, period, currency)
    )


def _premium(session: Session, scope: Scope, period: Period, currency: str) -> Premium:
    rows, base_rows = with_base(partial(_rows, session, scope), period)
    months = _months(rows, period, currency)
    return Premium(
        period=period,
        months=months,
        totals=_totals(months),
        year_earlier=_totals(_months(base_rows, period.year_earlier(), currency)),
    )
