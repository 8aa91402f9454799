"""Rebuild the monthly totals of the policies marked stale, from their shipments and limit events.

Run before the totals are read, in the reader's transaction: a few policies' rows after a day's
declarations, every policy's after a migration or a bulk load. On PostgreSQL the marks are taken
`FOR UPDATE SKIP LOCKED`: a mark still held by a writer's open transaction (whose facts the reader
cannot see yet) stays for a later rebuild, and two readers never rebuild the same policy at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.oversight.exposure_changes import exposure_changes
from tradecover.oversight.limit_changes import limit_changes
from tradecover.oversight.model import (
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
# insurer table, key columns besides month and currency, amount column).
CARRIER_TOTALS: tuple[tuple[Any, Any, tuple[str, ...], str], ...] = (
    (MonthlyBuyerTurnover, MonthlyCarrierBuyerTurnover, ("buyer_country", "buyer_sector"), "insured_minor"),
    (MonthlyExposureChange, MonthlyCarrierExposureChange, ("buyer_country",), "change_minor"),
)


def refresh_totals(session: Session) -> int:
    """Rebuild the monthly totals of every policy marked stale; the number of policies rebuilt."""
    rebuilt = 0
    carriers: set[uuid.UUID] = set()
    months: set[dt.date] = set()
    while True:
        query = select(StalePolicy.policy_id).order_by(StalePolicy.policy_id).limit(BATCH)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            break
        if len(ids) <= COMPARED:
            # A few policies (a day's declarations): only the months whose rows changed are summed again
            # per insurer, not every month the policies ever shipped in.
            before = _carrier_sources(session, ids)
            _rebuild(session, ids)
            months |= {row[2] for row in before ^ _carrier_sources(session, ids)}
        else:
            months |= _months(session, ids)
            _rebuild(session, ids)
            months |= _months(session, ids)
        carriers |= set(
            session.scalars(select(Policy.insurer_id).where(Policy.id.in_(ids)).execution_options(**EXEMPT))
        )
        session.execute(delete(StalePolicy).where(StalePolicy.policy_id.in_(ids)))
        rebuilt += len(ids)
    if carriers and months:
        for per_policy, per_carrier, keys, amount in CARRIER_TOTALS:
            _rebuild_carriers(session, carriers, months, per_policy, per_carrier, keys, amount)
    return rebuilt


def _carrier_sources(session: Session, ids: list[uuid.UUID]) -> set[tuple[Any, ...]]:
    """The policies' rows of the tables the per-insurer ones sum, as (table, policy, month, …) tuples."""
    rows: set[tuple[Any, ...]] = set()
    for per_policy, *_ in CARRIER_TOTALS:
        table = per_policy.__table__
        rows.update(
            (table.name, *row)
            for row in session.execute(
                select(
                    table.c.policy_id,
                    table.c.month,
                    *(c for c in table.c if c.name not in ("policy_id", "month")),
                ).where(table.c.policy_id.in_(ids))
            )
        )
    return rows


def _months(session: Session, ids: list[uuid.UUID]) -> set[dt.date]:
    months: set[dt.date] = set()
    for per_policy, *_ in CARRIER_TOTALS:
        months.update(
            session.scalars(select(per_policy.month).where(per_policy.policy_id.in_(ids)).distinct())
        )
    return months


def _rebuild(session: Session, ids: list[uuid.UUID]) -> None:
    """Replace the policies' rows of the per-policy tables by fresh sums over their facts."""
    for table in (MonthlyTurnover, MonthlyBuyerTurnover, MonthlyLimitChange, MonthlyExposureChange):
        session.execute(delete(table).where(table.policy_id.in_(ids)))
    month = month_key(Shipment.shipment_date)
    session.execute(
        insert(MonthlyTurnover).from_select(
            ["policy_id", "month", "currency", "insured_minor", "premium_minor"],
            select(
                Shipment.policy_id,
                month,
                Shipment.currency,
                func.sum(Shipment.insured_minor),
                func.coalesce(func.sum(Shipment.premium_minor), 0),
            )
            .where(Shipment.policy_id.in_(ids))
            .group_by(Shipment.policy_id, month, Shipment.currency),
        ),
        execution_options=EXEMPT,
    )
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
    change_month = month_key(changes.c.day)
    session.execute(
        insert(MonthlyLimitChange).from_select(
            ["policy_id", "month", "currency", "change_minor"],
            select(changes.c.policy_id, change_month, changes.c.currency, func.sum(changes.c.delta))
            .group_by(changes.c.policy_id, change_month, changes.c.currency)
            .having(func.sum(changes.c.delta) != 0),
        ),
        execution_options=EXEMPT,
    )
    moves = exposure_changes(lambda policy_id: policy_id.in_(ids))
    policy_id, month, currency, country, delta = (moves.c[i] for i in range(5))
    session.execute(
        insert(MonthlyExposureChange).from_select(
            ["policy_id", "month", "currency", "buyer_country", "change_minor"],
            select(policy_id, month, currency, country, func.sum(delta))
            .group_by(policy_id, month, currency, country)
            .having(func.sum(delta) != 0),
        ),
        execution_options=EXEMPT,
    )


def _rebuild_carriers(
    session: Session,
    carriers: set[uuid.UUID],
    months: set[dt.date],
    per_policy: Any,
    per_carrier: Any,
    keys: tuple[str, ...],
    amount: str,
) -> None:
    """Replace a per-insurer table's rows of the months by sums of its per-policy table's rows."""
    session.execute(
        delete(per_carrier).where(per_carrier.insurer_id.in_(carriers), per_carrier.month.in_(months))
    )
    columns = [getattr(per_policy, key) for key in ("month", "currency", *keys)]
    session.execute(
        insert(per_carrier).from_select(
            ["insurer_id", "month", "currency", *keys, amount],
            select(Policy.insurer_id, *columns, func.sum(getattr(per_policy, amount)))
            .join(Policy, Policy.id == per_policy.policy_id)
            .where(Policy.insurer_id.in_(carriers), per_policy.month.in_(months))
            .group_by(Policy.insurer_id, *columns),
        ),
        execution_options=EXEMPT,
    )
