"""Policies whose declarations, limits or dates changed since the oversight totals last read them.

Every service that writes a shipment, a limit event or a policy's cover dates marks the policy here in
its own transaction; the oversight layer rebuilds the marked policies' monthly totals from the stored
facts before it reads them (`oversight/totals_refresh.py`). The mark is an upsert that bumps a counter,
so a writer always holds the row's lock until it commits and a rebuild never drops a mark it has not
seen the facts of.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable

from sqlalchemy import Executable, ForeignKey, Integer, bindparam
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
    statement = _upsert(session.get_bind().dialect.name)
    # On the connection, not the session: the mark needs no flush of the pending objects first.
    rows = [{"policy_id": policy_id} for policy_id in ids]
    session.connection().execute(statement, rows[0] if len(rows) == 1 else rows)


@functools.cache
def _upsert(dialect: str) -> Executable:
    # Built once, on the table rather than the mapped class: a Core upsert skips the ORM's bulk
    # machinery and the statement's construction, which cost more than the upsert itself (every shipment,
    # payment and limit event marks its policy).
    table = StalePolicy.metadata.tables[StalePolicy.__tablename__]
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(policy_id=bindparam("policy_id"), changes=1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.policy_id], set_={"changes": table.c.changes + 1}
    )
