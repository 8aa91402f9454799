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
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.oversight.exposure_changes import exposure_changes
from tradecover.oversight.limit_changes import limit_changes
from tradecover.oversight.model import (
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
    """Rebuild the monthly and daily totals of every policy marked stale; the number of policies rebuilt."""
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
    return rebuilt


def _carrier_sources(session: Session, ids: list[uuid.UUID]) -> set[tuple[Any, ...]]:
    """The policies' rows of the tables the per-insurer ones sum, as (table, policy, period, …) tuples."""
    rows: set[tuple[Any, ...]] = set()
    for per_policy, _, period, *_ in CARRIER_TOTALS:
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
    for per_policy, _, period, *_ in CARRIER_TOTALS:
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
