"""Policies whose declarations, limits or dates changed since the oversight totals last read them.

Every service that writes a shipment, a limit event or a policy's cover dates marks the policy here in
its own transaction; the oversight layer rebuilds the marked policies' monthly totals from the stored
facts before it reads them (`oversight/totals_refresh.py`). The mark is an upsert that bumps a counter,
so a writer always holds the row's lock until it commits and a rebuild never drops a mark it has not
seen the facts of.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from tradecover.db.base import Base


class StalePolicy(Base):
    """A policy whose monthly oversight totals must be rebuilt before they are read."""

    __tablename__ = "stale_policies"

    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    changes: Mapped[int] = mapped_column(Integer, default=1)  # marks since the last rebuild


def mark_stale(session: Session, policy_ids: Iterable[uuid.UUID]) -> None:
    """Mark the policies' oversight totals for rebuilding, in the caller's transaction."""
    # Sorted, so that writers marking several policies take the row locks in one order.
    ids = sorted(set(policy_ids))
    if not ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(StalePolicy).values([{"policy_id": policy_id, "changes": 1} for policy_id in ids])
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[StalePolicy.policy_id], set_={"changes": StalePolicy.changes + 1}
        )
    )
