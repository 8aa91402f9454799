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

from sqlalchemy import ColumnElement, Date, case, extract, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tradecover.declarations.model import Shipment
from tradecover.limits.model import CreditLimit, LimitEvent
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.period import Period, month_end, month_start, years_earlier
from tradecover.oversight.scope import EXEMPT, Scope
from tradecover.policies.model import Policy

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


def month_key(day: Any) -> ColumnElement[Any]:
    """A date's calendar month as the number year × 100 + month (202501): a bucket both backends group by."""
    return extract("year", day) * 100 + extract("month", day)


def month_of(key: Any) -> dt.date:
    """The first day of the month a `month_key` value names."""
    number = int(key)
    return dt.date(number // 100, number % 100, 1)


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


Ranges = tuple[tuple[dt.date, dt.date], ...]
RowT = TypeVar("RowT", bound=Sequence[Any])


def within(column: Any, ranges: Ranges) -> ColumnElement[bool]:
    """The column falls in one of the ranges (each a BETWEEN, so an index range scan serves it)."""
    return or_(*(column.between(first, last) for first, last in ranges))


def with_base(fetch: Callable[[Ranges], list[RowT]], period: Period) -> tuple[list[RowT], list[RowT]]:
    """Rows (month_key first) of the period and of the same period a year earlier.

    When the base's months all come before the period's (any period up to a year), one query reads
    both and its month buckets tell them apart; otherwise each gets its own query.
    """
    base = period.year_earlier()
    if month_end(base.end) < period.start:
        rows = fetch(((base.start, base.end), (period.start, period.end)))
        first = month_start(period.start)
        return [r for r in rows if month_of(r[0]) >= first], [r for r in rows if month_of(r[0]) < first]
    return fetch(((period.start, period.end),)), fetch(((base.start, base.end),))


def insured_rows(
    session: Session, scope: Scope, ranges: Ranges, key: Any = None
) -> list[tuple[Any, str, Any, int]]:
    """Insured turnover of the shipments dated in the ranges: (month_key, currency, key, sum) rows."""
    ym = month_key(Shipment.shipment_date).label("ym")
    group_key = (literal("") if key is None else key).label("key")
    query = (
        select(ym, Shipment.currency, group_key, func.sum(Shipment.insured_minor))
        .where(within(Shipment.shipment_date, ranges), scope.restrict(Shipment.policy_id))
        .group_by(ym, Shipment.currency, group_key)
        .execution_options(**EXEMPT)
    )
    return [(row[0], row[1], row[2], int(row[3] or 0)) for row in session.execute(query)]


def _by_month(
    rows: list[tuple[Any, str, Any, int]], months: list[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    sums = converted(rows, currency)
    return {month: sums.get(("", month), Decimal(0)) for month in months}


def insured_by_month(session: Session, scope: Scope, period: Period, currency: str) -> dict[dt.date, Decimal]:
    """Insured declared turnover per month of the period (every month present, zero when empty)."""
    return _by_month(insured_rows(session, scope, ((period.start, period.end),)), period.months(), currency)


class _NextDay(FunctionElement[dt.date]):
    """The day after a date column, in each backend's own date arithmetic."""

    type = Date()
    inherit_cache = True
    name = "next_day"


@compiles(_NextDay)
def _next_day_default(element: _NextDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} + 1)"


@compiles(_NextDay, "sqlite")
def _next_day_sqlite(element: _NextDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day')"


def _limit_changes(session: Session, scope: Scope, cutoff: dt.date) -> list[tuple[Any, str, int]]:
    """Changes of the amount in force, summed per (month_key, currency), for days up to `cutoff`.

    An event that sets an amount holds it from its effective date until the effective date of any
    later-recorded amount event (a cancellation also voids a reduction still in its notice period),
    and only while the limit's policy gives cover (from its start, before its cancellation date, up to
    its last day). Each such interval is a +amount on its first day and a −amount on the day after.
    """
    superseded_on = func.min(LimitEvent.effective_on).over(
        partition_by=LimitEvent.limit_id, order_by=LimitEvent.sequence, rows=(1, None)
    )
    events = (
        select(
            LimitEvent.amount_minor.label("amount"),
            LimitEvent.effective_on.label("since"),
            superseded_on.label("superseded_on"),
            CreditLimit.currency.label("currency"),
            Policy.period_start.label("policy_start"),
            Policy.period_end.label("policy_end"),
            Policy.cancelled_on.label("cancelled_on"),
        )
        .join(CreditLimit, CreditLimit.id == LimitEvent.limit_id)
        .join(Policy, Policy.id == CreditLimit.policy_id)
        .where(
            LimitEvent.amount_minor.is_not(None),
            LimitEvent.effective_on <= cutoff,
            scope.restrict(CreditLimit.policy_id),
        )
        .subquery("amount_events")
    )
    start = case((events.c.since > events.c.policy_start, events.c.since), else_=events.c.policy_start)
    policy_stop = func.coalesce(events.c.cancelled_on, _NextDay(events.c.policy_end))
    until = case(
        (
            events.c.superseded_on.is_not(None) & (events.c.superseded_on < policy_stop),
            events.c.superseded_on,
        ),
        else_=policy_stop,
    )
    intervals = (
        select(start.label("start"), until.label("until"), events.c.currency, events.c.amount)
        .where(events.c.amount > 0)
        .subquery("intervals")
    )
    valid = intervals.c.start < intervals.c.until
    changes = union_all(
        select(intervals.c.start.label("day"), intervals.c.currency, intervals.c.amount.label("delta")).where(
            valid
        ),
        select(intervals.c.until, intervals.c.currency, -intervals.c.amount).where(valid),
    ).subquery("changes")
    ym = month_key(changes.c.day).label("ym")
    query = (
        select(ym, changes.c.currency, func.sum(changes.c.delta))
        .where(changes.c.day <= cutoff)
        .group_by(ym, changes.c.currency)
        .execution_options(**EXEMPT)
    )
    return [(row[0], row[1], int(row[2] or 0)) for row in session.execute(query)]


def _in_force_on(
    session: Session, scope: Scope, days: Sequence[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    """Limits in force on ascending days of which all but the last are month ends (one query)."""
    changes = sorted(_limit_changes(session, scope, days[-1]), key=lambda row: int(row[0]))
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
