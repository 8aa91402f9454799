"""Coverage: insured declared turnover by month and credit limits in force at each month end, with growth.

Every amount is summed in SQL per (month, currency[, dimension]) and each such sum is converted into
the reporting currency at the reference rate of its month's first day (`conversion.to_reporting`), so a
year-on-year change includes the change of exchange rates, as a reader of reporting-currency figures
expects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.model import DailyLimitChange, MonthlyLimitChange
from tradecover.oversight.period import Period, month_end, month_start, years_earlier
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.oversight.sql import Ranges, read_rows
from tradecover.oversight.totals import KeyOf, turnover_rows
from tradecover.oversight.totals_refresh import refresh_totals

GROWTH_PLACES = Decimal("0.0001")


def growth(current: Decimal | int, base: Decimal | int) -> Decimal | None:
    """(current − base) ÷ base as a fraction to four places; None when there is no base to grow from."""
    if not base:
        return None
    return ((Decimal(current) - Decimal(base)) / Decimal(base)).quantize(
        GROWTH_PLACES, rounding=ROUND_HALF_UP
    )


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole as a fraction to four places; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(GROWTH_PLACES, rounding=ROUND_HALF_UP)


def month_of(key: Any) -> dt.date:
    """The first day of the month a `month_key` value (a date, or the text of one) names."""
    if isinstance(key, dt.date):
        return key if key.day == 1 else key.replace(day=1)
    return dt.date.fromisoformat(str(key)[:10]).replace(day=1)


def year_earlier_month(month: dt.date) -> dt.date:
    """The same calendar month one year before."""
    return years_earlier(month)


def converted(rows: Iterable[Sequence[Any]], currency: str) -> dict[tuple[Hashable, dt.date], Decimal]:
    """Rows (month_key, currency, key, amount_minor) summed per (key, month) in the reporting currency.

    Each (month, currency, key) sum is converted once, at the rate of the month's first day.
    """
    grouped: dict[tuple[Hashable, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ym, code, key, amount in rows:
        grouped[(key, month_of(ym))][code] += int(amount or 0)
    return {
        (key, month): to_reporting(sorted(amounts.items()), currency, month)
        for (key, month), amounts in grouped.items()
    }


RowT = TypeVar("RowT", bound=Sequence[Any])


def with_base(fetch: Callable[[Ranges], list[RowT]], period: Period) -> tuple[list[RowT], list[RowT]]:
    """Rows (month_key first) of the period and of the same period a year earlier.

    When the base's months all come before the period's (any period up to a year), one query reads
    both and its month buckets tell them apart; otherwise each gets its own query.
    """
    base = period.year_earlier()
    if month_end(base.end) < period.start:
        first = month_start(period.start)
        current: list[RowT] = []
        earlier: list[RowT] = []
        for row in fetch(((base.start, base.end), (period.start, period.end))):
            (current if month_of(row[0]) >= first else earlier).append(row)
        return current, earlier
    return fetch(((period.start, period.end),)), fetch(((base.start, base.end),))


def insured_rows(
    session: Session, scope: Scope, ranges: Ranges, key_of: KeyOf | None = None
) -> list[tuple[Any, str, Any, int]]:
    """Insured turnover of the shipments dated in the ranges: (month, currency, key, sum) rows.

    `key_of` groups by an expression of the policy id column (none: one group "").
    """
    return turnover_rows(session, scope, ranges, "insured", key_of)


def _by_month(
    rows: list[tuple[Any, str, Any, int]], months: list[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    sums = converted(rows, currency)
    return {month: sums.get(("", month), Decimal(0)) for month in months}


def insured_by_month(session: Session, scope: Scope, period: Period, currency: str) -> dict[dt.date, Decimal]:
    """Insured declared turnover per month of the period (every month present, zero when empty)."""
    return _by_month(insured_rows(session, scope, ((period.start, period.end),)), period.months(), currency)


def _limit_changes(session: Session, scope: Scope, cutoff: dt.date) -> list[tuple[Any, str, int]]:
    """Changes of the amount in force summed per (month, currency), for days up to `cutoff`.

    The monthly totals hold every whole month; the days of the cutoff's month up to a cutoff that is
    not its last day are summed from the daily totals.
    """
    refresh_totals(session)
    first = month_start(cutoff)
    whole_up_to = cutoff if cutoff == month_end(cutoff) else first - dt.timedelta(days=1)
    totals = MonthlyLimitChange
    query = (
        select(totals.month, totals.currency, func.sum(totals.change_minor))
        .where(totals.month <= whole_up_to, scope.restrict(totals.policy_id))
        .group_by(totals.month, totals.currency)
        .execution_options(**EXEMPT)
    )
    found = [(row[0], row[1], int(row[2] or 0)) for row in read_rows(session, query)]
    if whole_up_to == cutoff:
        return found
    daily = DailyLimitChange
    days = (
        select(daily.currency, func.sum(daily.change_minor))
        .where(daily.day.between(first, cutoff), scope.restrict(daily.policy_id))
        .group_by(daily.currency)
        .execution_options(**EXEMPT)
    )
    return found + [(first, row[0], int(row[1] or 0)) for row in read_rows(session, days)]


def _in_force_on(
    session: Session, scope: Scope, days: Sequence[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    """Limits in force on ascending days of which all but the last are month ends (one query)."""
    changes = sorted(_limit_changes(session, scope, days[-1]), key=lambda row: month_of(row[0]))
    running: dict[str, int] = defaultdict(int)
    found: dict[dt.date, Decimal] = {}
    index = 0
    for day in days:
        # The changes are bucketed by month: a whole month is in when the day is its end (or the cutoff).
        while index < len(changes) and month_of(changes[index][0]) <= month_start(day):
            _, code, delta = changes[index]
            running[code] += delta
            index += 1
        found[day] = to_reporting(sorted(running.items()), currency, month_start(day))
    return found


def limits_in_force(
    session: Session, scope: Scope, days: Sequence[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    """The credit limits in force on each of the days, in the reporting currency.

    Each currency's total on a day is converted at the rate of the first day of that day's month. Month
    ends share one query; each other day closes a query of its own.
    """
    ordered = sorted(set(days))
    found: dict[dt.date, Decimal] = {}
    run: list[dt.date] = []
    for day in ordered:
        run.append(day)
        if day != month_end(day) or day == ordered[-1]:
            found.update(_in_force_on(session, scope, run, currency))
            run = []
    return found


def as_of_days(period: Period) -> list[dt.date]:
    """The day each month of the period is measured on: its last day, or the period's end if earlier."""
    return [min(month_end(month), period.end) for month in period.months()]


@dataclass(frozen=True, slots=True)
class CoverageMonth:
    """One month: insured turnover, the same month a year earlier, growth, limits in force at its end."""

    month: dt.date
    insured: Decimal
    year_earlier: Decimal
    yoy: Decimal | None
    mom: Decimal | None
    limits: Decimal


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage of a period: per month and in total, against the same period a year earlier."""

    period: Period
    months: tuple[CoverageMonth, ...]
    insured: Decimal
    insured_year_earlier: Decimal
    limits: Decimal  # in force on the period's last day
    limits_year_earlier: Decimal  # in force on the same day a year earlier

    @property
    def insured_yoy(self) -> Decimal | None:
        """Year-on-year growth of insured turnover."""
        return growth(self.insured, self.insured_year_earlier)

    @property
    def limits_yoy(self) -> Decimal | None:
        """Year-on-year growth of the limits in force at the period's end."""
        return growth(self.limits, self.limits_year_earlier)


InsuredRows = list[tuple[Any, str, Any, int]]


def coverage(
    session: Session,
    scope: Scope,
    period: Period,
    currency: str,
    *,
    insured: tuple[InsuredRows, InsuredRows] | None = None,
) -> Coverage:
    """Insured turnover per month with YoY and MoM growth, and limits in force at each month's end.

    `insured`: the period's and its base's (month_key, currency, "", sum) rows when already read.
    """
    base_period = period.year_earlier()
    if insured is None:
        insured = with_base(lambda ranges: insured_rows(session, scope, ranges), period)
    rows, base_rows = insured
    current = _by_month(rows, period.months(), currency)
    base = _by_month(base_rows, base_period.months(), currency)
    days = as_of_days(period)
    limits = limits_in_force(session, scope, [*days, base_period.end], currency)
    months: list[CoverageMonth] = []
    previous: Decimal | None = None
    for month, day in zip(period.months(), days, strict=True):
        amount = current[month]
        earlier = base.get(year_earlier_month(month), Decimal(0))
        months.append(
            CoverageMonth(
                month=month,
                insured=amount,
                year_earlier=earlier,
                yoy=growth(amount, earlier),
                mom=None if previous is None else growth(amount, previous),
                limits=limits[day],
            )
        )
        previous = amount
    return Coverage(
        period=period,
        months=tuple(months),
        insured=sum(current.values(), Decimal(0)),
        insured_year_earlier=sum(base.values(), Decimal(0)),
        limits=limits[days[-1]],
        limits_year_earlier=limits[base_period.end],
    )
