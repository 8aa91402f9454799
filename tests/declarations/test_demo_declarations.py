"""The demo's declarations: deterministic rows, a year of shipments and payments, some invoices overdue."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.declarations.model import ImportBatch, ImportStatus, Payment, Shipment
from tradecover.demo.declarations import CoveredBuyer, plan_declarations
from tradecover.demo.world import plan_demo_world, seed_demo_world

BUYERS = [
    CoveredBuyer(
        uuid.UUID(int=n), "USD", "US", f"R{n}", 10_000_000, dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )
    for n in range(20)
]


def test_the_plan_is_the_same_for_the_same_seed_and_covers_the_year() -> None:
    rows = plan_declarations(3, BUYERS)
    assert rows == plan_declarations(3, BUYERS)
    assert rows != plan_declarations(4, BUYERS)
    shipments = [r for r in rows if r.line.startswith("shipment,")]
    assert min(r.day for r in shipments) < dt.date(2025, 2, 1)
    assert max(r.day for r in shipments) > dt.date(2025, 11, 30)
    # Some buyers stop paying: fewer payments than shipments.
    assert len(rows) - len(shipments) < len(shipments)


def test_the_seeded_world_has_insured_shipments_payments_and_overdue_invoices(db: Session) -> None:
    seed_demo_world(db, plan_demo_world(5, buyers=80, policyholders=6))
    assert (
        db.scalar(
            select(func.count()).select_from(ImportBatch).where(ImportBatch.status != ImportStatus.IMPORTED)
        )
        == 0
    )
    assert (db.scalar(select(func.count()).select_from(Shipment).where(Shipment.insured_minor > 0)) or 0) > 50
    assert (db.scalar(select(func.count()).select_from(Payment)) or 0) > 50
    overdue = (
        select(func.count())
        .select_from(Shipment)
        .where(Shipment.paid_minor < Shipment.amount_minor, Shipment.due_date < dt.date(2025, 12, 1))
    )
    assert (db.scalar(overdue) or 0) > 0
