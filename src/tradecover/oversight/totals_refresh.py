"""Rebuild the monthly totals of the policies marked stale, from their shipments and limit events.

Run before the totals are read, in the reader's transaction: a few policies' rows after a day's
declarations, every policy's after a migration or a bulk load. On PostgreSQL the marks are taken
`FOR UPDATE SKIP LOCKED`: a mark still held by a writer's open transaction (whose facts the reader
cannot see yet) stays for a later rebuild, and two readers never rebuild the same policy at once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.oversight.limit_changes import limit_changes
from tradecover.oversight.model import (
    MonthlyBuyerTurnover,
    MonthlyCarrierBuyerTurnover,
    MonthlyLimitChange,
    MonthlyTurnover,
)
from tradecover.oversight.scope import EXEMPT
from tradecover.oversight.sql import month_key
from tradecover.policies.model import Policy
from tradecover.policies.stale import StalePolicy

BATCH = 500  # policies rebuilt per statement


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
        months |= _buyer_months(session, ids)
        _rebuild(session, ids)
        months |= _buyer_months(session, ids)
        carriers |= set(
            session.scalars(select(Policy.insurer_id).where(Policy.id.in_(ids)).execution_options(**EXEMPT))
        )
        session.execute(delete(StalePolicy).where(StalePolicy.policy_id.in_(ids)))
        rebuilt += len(ids)
    if carriers and months:
        _rebuild_carriers(session, carriers, months)
    return rebuilt


def _buyer_months(session: Session, ids: list[uuid.UUID]) -> set[dt.date]:
    return set(
        session.scalars(
            select(MonthlyBuyerTurnover.month).where(MonthlyBuyerTurnover.policy_id.in_(ids)).distinct()
        )
    )


def _rebuild(session: Session, ids: list[uuid.UUID]) -> None:
    """Replace the policies' rows of the per-policy tables by fresh sums over their facts."""
    for table in (MonthlyTurnover, MonthlyBuyerTurnover, MonthlyLimitChange):
        session.execute(delete(table).where(table.policy_id.in_(ids)))
    month = month_key(Shipment.shipment_date)
    session.execute(
        insert(MonthlyTurnover).from_select(
            ["policy_id", "month", "currency", "shipments", "insured_minor", "premium_minor"],
            select(
                Shipment.policy_id,
                month,
                Shipment.currency,
                func.count(),
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


def _rebuild_carriers(session: Session, carriers: set[uuid.UUID], months: set[dt.date]) -> None:
    """Replace the per-insurer buyer totals of the months by sums of the per-policy rows."""
    carrier = MonthlyCarrierBuyerTurnover
    session.execute(delete(carrier).where(carrier.insurer_id.in_(carriers), carrier.month.in_(months)))
    totals = MonthlyBuyerTurnover
    session.execute(
        insert(carrier).from_select(
            ["insurer_id", "month", "currency", "buyer_country", "buyer_sector", "insured_minor"],
            select(
                Policy.insurer_id,
                totals.month,
                totals.currency,
                totals.buyer_country,
                totals.buyer_sector,
                func.sum(totals.insured_minor),
            )
            .join(Policy, Policy.id == totals.policy_id)
            .where(Policy.insurer_id.in_(carriers), totals.month.in_(months))
            .group_by(
                Policy.insurer_id, totals.month, totals.currency, totals.buyer_country, totals.buyer_sector
            ),
        ),
        execution_options=EXEMPT,
    )
