"""Rebuild the monthly and daily totals of the policies marked stale, from their shipments and limits.

Run before the totals are read, in the reader's transaction: a few policies' rows after a day's
declarations, every policy's after a migration or a bulk load. On PostgreSQL the marks are taken
`FOR UPDATE SKIP LOCKED`: a mark still held by a writer's open transaction (whose facts the reader
cannot see yet) stays for a later rebuild, and two readers never rebuild the same policy at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from functools import partial
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.oversight.exposure_changes import exposure_changes
from tradecover.oversight.limit_changes import limit_changes
from tradecover.oversight.memo import in_view, memoised
from tradecover.oversight.model import (
    DailyCarrierBuyerTurnover,
    DailyCarrierExposureChange,
    DailyExposureChange,
    DailyLimitChange,
    DailyTurnover,
    MonthlyBuyerTurnover,
    MonthlyCarrierBuyerTurnover,
    MonthlyCarrierExposureChange,
    MonthlyExposureChange,
    MonthlyLimitChange,
    MonthlyTurnover,
)
from tradecover.oversight.period import month_end
from tradecover.oversight.scope import EXEMPT
from tradecover.oversight.sql import month_key
from tradecover.policies.model import Policy
from tradecover.policies.stale import StalePolicy

BATCH = 500  # policies rebuilt per statement
COMPARED = 50  # up to this many policies in a batch, their old and new rows are compared

# Per-policy tables and the per-insurer sums the market's and insurers' views read: (policy table,
# insurer table, the period column (month or day), key columns besides it and currency, amount column).
CARRIER_TOTALS: tuple[tuple[Any, Any, str, tuple[str, ...], str], ...] = (
    (
        MonthlyBuyerTurnover,
        MonthlyCarrierBuyerTurnover,
        "month",
        ("buyer_country", "buyer_sector"),
        "insured_minor",
    ),
    (MonthlyExposureChange, MonthlyCarrierExposureChange, "month", ("buyer_country",), "change_minor"),
    (DailyExposureChange, DailyCarrierExposureChange, "day", ("buyer_country",), "change_minor"),
)
# Per-policy tables whose changed months or days a rebuild of a few policies finds by comparing their
# rows: (table, period column). Daily turnover is there for the per-insurer daily buyer turnover.
TRACKED: tuple[tuple[Any, str], ...] = (
    *((row[0], row[2]) for row in CARRIER_TOTALS),
    (DailyTurnover, "day"),
)
PER_POLICY = (
    DailyTurnover,
    MonthlyTurnover,
    MonthlyBuyerTurnover,
    DailyLimitChange,
    MonthlyLimitChange,
    DailyExposureChange,
    MonthlyExposureChange,
)

Periods = dict[str, set[dt.date]]  # per-policy table name → the months or days whose sums changed


def refresh_totals(session: Session) -> int:
    """Rebuild the monthly and daily totals of every policy marked stale; the number of policies rebuilt.

    In a view only its first call looks: the view reads the totals as they stood when it began.
    """
    if in_view(session):
        return memoised(session, "refresh_totals", partial(_refresh_totals, session))
    return _refresh_totals(session)


def _refresh_totals(session: Session) -> int:
    rebuilt = 0
    carriers: set[uuid.UUID] = set()
    periods: Periods = defaultdict(set)
    while True:
        query = select(StalePolicy.policy_id).order_by(StalePolicy.policy_id).limit(BATCH)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            break
        if len(ids) <= COMPARED:
            # A few policies (a day's declarations): only the periods whose rows changed are summed again
            # per insurer, not every period the policies ever shipped in.
            before = _carrier_sources(session, ids)
            _rebuild(session, ids)
            for row in before ^ _carrier_sources(session, ids):
                periods[row[0]].add(row[2])
        else:
            _add_periods(session, ids, periods)
            _rebuild(session, ids)
            _add_periods(session, ids, periods)
        carriers |= set(
            session.scalars(select(Policy.insurer_id).where(Policy.id.in_(ids)).execution_options(**EXEMPT))
        )
        session.execute(delete(StalePolicy).where(StalePolicy.policy_id.in_(ids)))
        rebuilt += len(ids)
    if carriers:
        for per_policy, per_carrier, period, keys, amount in CARRIER_TOTALS:
            changed = periods.get(per_policy.__tablename__)
            if changed:
                _rebuild_carriers(session, carriers, changed, per_policy, per_carrier, period, keys, amount)
        days = _buyer_days(periods)
        for first, last in _runs(days):
            _rebuild_carrier_buyer_days(session, carriers, first, last)
    return rebuilt


def settle_totals(engine: Engine) -> None:
    """After a rebuild of many policies, refresh the planner's statistics of the totals tables.

    On PostgreSQL a VACUUM also marks their new pages all-visible, without which the covering indexes
    cannot be read alone (autovacuum would do it too, some time later).
    """
    carrier_tables = [*(row[1] for row in CARRIER_TOTALS), DailyCarrierBuyerTurnover]
    names = [table.__tablename__ for table in (*PER_POLICY, *carrier_tables)]
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(names)}")
    else:
        with engine.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"ANALYZE {name}")


def _carrier_sources(session: Session, ids: list[uuid.UUID]) -> set[tuple[Any, ...]]:
    """The policies' rows of the tracked tables, as (table, policy, period, …) tuples."""
    rows: set[tuple[Any, ...]] = set()
    for per_policy, period in TRACKED:
        table = per_policy.__table__
        rows.update(
            (table.name, *row)
            for row in session.execute(
                select(
                    table.c.policy_id,
                    table.c[period],
                    *(c for c in table.c if c.name not in ("policy_id", period)),
                ).where(table.c.policy_id.in_(ids))
            )
        )
    return rows


def _add_periods(session: Session, ids: list[uuid.UUID], periods: Periods) -> None:
    for per_policy, period in TRACKED:
        column = getattr(per_policy, period)
        periods[per_policy.__tablename__].update(
            session.scalars(select(column).where(per_policy.policy_id.in_(ids)).distinct())
        )


def _rebuild(session: Session, ids: list[uuid.UUID]) -> None:
    """Replace the policies' rows of the per-policy tables by fresh sums over their facts."""
    for table in PER_POLICY:
        session.execute(delete(table).where(table.policy_id.in_(ids)))
    session.execute(
        insert(DailyTurnover).from_select(
            ["policy_id", "day", "currency", "insured_minor", "premium_minor"],
            select(
                Shipment.policy_id,
                Shipment.shipment_date,
                Shipment.currency,
                func.sum(Shipment.insured_minor),
                func.coalesce(func.sum(Shipment.premium_minor), 0),
            )
            .where(Shipment.policy_id.in_(ids))
            .group_by(Shipment.policy_id, Shipment.shipment_date, Shipment.currency),
        ),
        execution_options=EXEMPT,
    )
    daily_month = month_key(DailyTurnover.day)
    session.execute(
        insert(MonthlyTurnover).from_select(
            ["policy_id", "month", "currency", "insured_minor", "premium_minor"],
            select(
                DailyTurnover.policy_id,
                daily_month,
                DailyTurnover.currency,
                func.sum(DailyTurnover.insured_minor),
                func.sum(DailyTurnover.premium_minor),
            )
            .where(DailyTurnover.policy_id.in_(ids))
            .group_by(DailyTurnover.policy_id, daily_month, DailyTurnover.currency),
        ),
        execution_options=EXEMPT,
    )
    month = month_key(Shipment.shipment_date)
    session.execute(
        insert(MonthlyBuyerTurnover).from_select(
            ["policy_id", "month", "currency", "buyer_country", "buyer_sector", "insured_minor"],
            select(
                Shipment.policy_id,
                month,
                Shipment.currency,
                Buyer.country,
                Buyer.sector,
                func.sum(Shipment.insured_minor),
            )
            .join(Buyer, Buyer.id == Shipment.buyer_id)
            .where(Shipment.policy_id.in_(ids))
            .group_by(Shipment.policy_id, month, Shipment.currency, Buyer.country, Buyer.sector),
        ),
        execution_options=EXEMPT,
    )
    changes = limit_changes(lambda policy_id: policy_id.in_(ids))
    _insert_daily(session, DailyLimitChange, changes)
    _insert_monthly(session, DailyLimitChange, MonthlyLimitChange, ids)
    moves = exposure_changes(lambda policy_id: policy_id.in_(ids))
    _insert_daily(session, DailyExposureChange, moves)
    _insert_monthly(session, DailyExposureChange, MonthlyExposureChange, ids)


def _insert_daily(session: Session, daily: Any, changes: Subquery) -> None:
    """Insert the (policy, day, currency, …, delta) changes summed per day into a daily table."""
    *keys, delta = changes.c
    columns = [c.name for c in daily.__table__.c]
    session.execute(
        insert(daily).from_select(
            columns,
            select(*keys, func.sum(delta)).group_by(*keys).having(func.sum(delta) != 0),
        ),
        execution_options=EXEMPT,
    )


def _insert_monthly(session: Session, daily: Any, monthly: Any, ids: list[uuid.UUID]) -> None:
    """Insert the policies' daily changes summed per month into the monthly table."""
    table = daily.__table__
    month = month_key(table.c.day)
    keys = [month if c.name == "day" else c for c in table.c if c.name != "change_minor"]
    session.execute(
        insert(monthly).from_select(
            [c.name for c in monthly.__table__.c],
            select(*keys, func.sum(table.c.change_minor))
            .where(table.c.policy_id.in_(ids))
            .group_by(*keys)
            .having(func.sum(table.c.change_minor) != 0),
        ),
        execution_options=EXEMPT,
    )


def _rebuild_carriers(
    session: Session,
    carriers: set[uuid.UUID],
    periods: set[dt.date],
    per_policy: Any,
    per_carrier: Any,
    period: str,
    keys: tuple[str, ...],
    amount: str,
) -> None:
    """Replace a per-insurer table's rows of the periods by sums of its per-policy table's rows."""
    session.execute(
        delete(per_carrier).where(
            per_carrier.insurer_id.in_(carriers), getattr(per_carrier, period).in_(periods)
        )
    )
    columns = [getattr(per_policy, key) for key in (period, "currency", *keys)]
    session.execute(
        insert(per_carrier).from_select(
            ["insurer_id", period, "currency", *keys, amount],
            select(Policy.insurer_id, *columns, func.sum(getattr(per_policy, amount)))
            .join(Policy, Policy.id == per_policy.policy_id)
            .where(Policy.insurer_id.in_(carriers), getattr(per_policy, period).in_(periods))
            .group_by(Policy.insurer_id, *columns),
        ),
        execution_options=EXEMPT,
    )


def _buyer_days(periods: Periods) -> set[dt.date]:
    """The days whose per-insurer buyer turnover may have changed.

    Those on which a policy's daily turnover changed, and every day of a month whose buyer turnover
    changed with no such day: a shipment's buyer changed without its amount (the services never move
    a shipment to another buyer, but a rebuild must not miss it if one is).
    """
    days = set(periods.get(DailyTurnover.__tablename__, ()))
    months = {day.replace(day=1) for day in days}
    for month in periods.get(MonthlyBuyerTurnover.__tablename__, ()):
        if month not in months:
            day = month
            while day <= month_end(month):
                days.add(day)
                day += dt.timedelta(days=1)
    return days


def _runs(days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The days as runs of consecutive ones: (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _rebuild_carrier_buyer_days(
    session: Session, carriers: set[uuid.UUID], first: dt.date, last: dt.date
) -> None:
    """Replace the insurers' daily buyer turnover from `first` to `last` by sums over their shipments."""
    table = DailyCarrierBuyerTurnover
    session.execute(
        delete(table).where(table.insurer_id.in_(carriers), table.day.between(first, last)),
        execution_options=EXEMPT,
    )
    keys = (Policy.insurer_id, Shipment.shipment_date, Shipment.currency, Buyer.country, Buyer.sector)
    session.execute(
        insert(table).from_select(
            ["insurer_id", "day", "currency", "buyer_country", "buyer_sector", "insured_minor"],
            select(*keys, func.sum(Shipment.insured_minor))
            .join(Policy, Policy.id == Shipment.policy_id)
            .join(Buyer, Buyer.id == Shipment.buyer_id)
            .where(Policy.insurer_id.in_(carriers), Shipment.shipment_date.between(first, last))
            .group_by(*keys),
        ),
        execution_options=EXEMPT,
    )
