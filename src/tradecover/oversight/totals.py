"""Monthly sums of the declarations: whole months from the monthly totals, edge days from daily ones.

A date range is split into its whole calendar months, summed from the monthly totals of
`oversight/model.py` (rebuilt first for any policy marked stale), and the days left at its edges, summed
from the daily totals (by buyer for a programme's or bank's policies: from the shipments themselves).
Both halves give rows (month, currency, key, amount_minor) whose month is the first day of a calendar
month, so the callers cannot tell them apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select, Subquery

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.oversight.model import (
    DailyCarrierBuyerTurnover,
    DailyTurnover,
    MonthlyBuyerTurnover,
    MonthlyCarrierBuyerTurnover,
    MonthlyTurnover,
)
from tradecover.oversight.period import month_end, next_month
from tradecover.oversight.scope import EXEMPT, Audience, Scope
from tradecover.oversight.sql import Ranges, Unindexed, month_of_range, read_rows
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.policies.model import Policy

Measure = Literal["insured", "premium"]
KeyOf = Callable[[Any], ColumnElement[Any]]  # a group key built from a policy id column
Restrict = Callable[[Any], ColumnElement[bool]]  # a filter on a policy id column
MonthRow = tuple[dt.date, str, Any, int]


def split_months(ranges: Ranges) -> tuple[Ranges, Ranges]:
    """The ranges' whole calendar months (as ranges of month-first days) and the days left at their edges."""
    whole: list[tuple[dt.date, dt.date]] = []
    edges: list[tuple[dt.date, dt.date]] = []
    for first, last in ranges:
        from_month = first if first.day == 1 else next_month(first)
        # The first day of the month after the last whole month.
        to_month = next_month(last) if last == month_end(last) else last.replace(day=1)
        if from_month >= to_month:
            edges.append((first, last))
            continue
        whole.append((from_month, _previous_month(to_month)))
        if first < from_month:
            edges.append((first, from_month - dt.timedelta(days=1)))
        if to_month <= last:
            edges.append((to_month, last))
    return tuple(whole), tuple(edges)


def _previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _rows(session: Session, query: Any) -> list[MonthRow]:
    return [(row[0], row[1], row[2], int(row[3] or 0)) for row in read_rows(session, query)]


def turnover_parts(
    ranges: Ranges,
    restrict: Restrict,
    measures: tuple[Measure, ...] = ("insured",),
    key_of: KeyOf | None = None,
) -> Subquery:
    """Rows (month, currency, key, *measures) to be summed: per-policy monthly totals, daily at the edges.

    Each measure is a column of its own name.
    """
    whole, edges = split_months(ranges)
    parts: list[Select[Any]] = []
    totals = MonthlyTurnover
    amounts = [getattr(totals, f"{measure}_minor").label(measure) for measure in measures]
    key = (literal("") if key_of is None else key_of(totals.policy_id)).label("key")
    # One part per range of whole months, and below per run of edge days: a single range is what lets
    # the planner scan the month or day index (an OR of two ranges sent PostgreSQL through every row of
    # each policy in scope instead, and SQLite through a slow de-duplicating multi-index OR).
    for first, last in whole:
        parts.append(
            select(totals.month.label("month"), totals.currency.label("currency"), key, *amounts).where(
                totals.month.between(first, last), restrict(totals.policy_id)
            )
        )
    daily = DailyTurnover
    key = (literal("") if key_of is None else key_of(daily.policy_id)).label("key")
    sums = [func.sum(getattr(daily, f"{measure}_minor")).label(measure) for measure in measures]
    for first, last in edges:
        month, constant = month_of_range(daily.day, first, last)
        # Each run is summed per key on its own: a join to policies that follows then meets a row per
        # policy, not one per policy and day.
        groups: list[Any] = [daily.currency] if key_of is None else [daily.currency, key]
        if not constant:
            groups.insert(0, month)
        parts.append(
            select(month.label("month"), daily.currency.label("currency"), key, *sums)
            .where(daily.day.between(first, last), restrict(daily.policy_id))
            .group_by(*groups)
        )
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("turnover")


def turnover_query(
    ranges: Ranges, restrict: Restrict, measure: Measure = "insured", key_of: KeyOf | None = None
) -> Select[Any]:
    """(month, currency, key, sum) of the shipments dated in the ranges whose policy passes `restrict`."""
    rows = turnover_parts(ranges, restrict, (measure,), key_of)
    return (
        select(rows.c.month, rows.c.currency, rows.c.key, func.sum(rows.c[measure]).label("amount"))
        .group_by(rows.c.month, rows.c.currency, rows.c.key)
        .execution_options(**EXEMPT)
    )


def turnover_rows(
    session: Session,
    scope: Scope,
    ranges: Ranges,
    measure: Measure = "insured",
    key_of: KeyOf | None = None,
    restrict: Restrict | None = None,
) -> list[MonthRow]:
    """Rows (month, currency, key, sum) of the scope's shipments dated in the ranges.

    `key_of` groups by an expression of the policy id (none: one group ""); `restrict` replaces the
    scope's filter on policies.
    """
    refresh_totals(session)
    return _rows(session, turnover_query(ranges, restrict or scope.restrict, measure, key_of))


def buyer_rows(session: Session, scope: Scope, ranges: Ranges) -> list[MonthRow]:
    """Rows (month, currency, (buyer country, buyer sector), insured sum) of the scope's shipments."""
    refresh_totals(session)
    whole, edges = split_months(ranges)
    parts: list[Any] = []
    if scope.audience in (Audience.REGULATOR, Audience.INSURER):
        # The market's and an insurer's views read the totals summed per insurer or pool.
        carriers = scope.insurer_ids
        monthly, daily = MonthlyCarrierBuyerTurnover, DailyCarrierBuyerTurnover
        for first, last in whole:  # one part per range, as in `turnover_parts`
            parts.append(
                select(
                    monthly.month,
                    monthly.currency,
                    monthly.buyer_country,
                    monthly.buyer_sector,
                    monthly.insured_minor,
                ).where(
                    monthly.month.between(first, last),
                    monthly.insurer_id.in_(carriers) if carriers is not None else literal(True),
                )
            )
        for first, last in edges:
            parts.append(
                select(
                    month_of_range(daily.day, first, last)[0],
                    daily.currency,
                    daily.buyer_country,
                    daily.buyer_sector,
                    daily.insured_minor,
                ).where(
                    daily.day.between(first, last),
                    daily.insurer_id.in_(carriers) if carriers is not None else literal(True),
                )
            )
    else:
        buyers = MonthlyBuyerTurnover
        for first, last in whole:
            parts.append(
                select(
                    buyers.month,
                    buyers.currency,
                    buyers.buyer_country,
                    buyers.buyer_sector,
                    buyers.insured_minor,
                ).where(buyers.month.between(first, last), scope.restrict(buyers.policy_id))
            )
        for first, last in edges:
            parts.append(
                select(
                    month_of_range(Shipment.shipment_date, first, last)[0],
                    Shipment.currency,
                    Buyer.country,
                    Buyer.sector,
                    Shipment.insured_minor,
                )
                .join(Buyer, Buyer.id == Shipment.buyer_id)
                # SQLite would read every shipment of each policy in scope through the (policy, buyer,
                # date) index; the days' entries of the covering date index are far fewer.
                .where(
                    Shipment.shipment_date.between(first, last),
                    scope.restrict(Unindexed(Shipment.policy_id)),
                )
            )
    union: Any = parts[0] if len(parts) == 1 else union_all(*parts)
    rows = union.subquery("buyer_turnover")
    keys = list(rows.c)[:4]
    query = select(*keys, func.sum(list(rows.c)[4])).group_by(*keys).execution_options(**EXEMPT)
    return [(row[0], row[1], (row[2], row[3]), int(row[4] or 0)) for row in read_rows(session, query)]


def policy_carrier(policy_id: Any) -> ColumnElement[Any]:
    """The insurer or pool of the policy a policy id column names (a group key for `turnover_rows`)."""
    return select(Policy.insurer_id).where(Policy.id == policy_id).scalar_subquery()
