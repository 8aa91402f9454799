"""On a pool policy every member hears of a reported overdue, and the leader decides extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from tests.claims.conftest import ClaimsWorld, pool_world, report  # noqa: F401
from tests.limits.conftest import member

from tradecover.alerts.model import Alert
from tradecover.claims.overdue_model import OverdueStatus
from tradecover.claims.overdues import decide_extension, reported_overdue, request_extension
from tradecover.errors import PermissionDenied
from tradecover.parties.roles import Role


def test_each_pool_member_is_told_and_only_the_leader_decides(pool_world: ClaimsWorld) -> None:  # noqa: F811
    book = pool_world
    report(book, "INV-1")
    overdue = reported_overdue(book.db, book.shipments["INV-1"].id)
    assert overdue is not None
    for insurer_id in book.members:
        told = (
            select(func.count())
            .select_from(Alert)
            .where(Alert.organisation_id == insurer_id, Alert.kind == "overdue_reported")
        )
        assert book.db.scalar(told) == 1
    request_extension(book.db, book.exporter, overdue.id, overdue.due_date + dt.timedelta(days=90))
    follower = member(book.db, book.members[1], Role.CLAIMS_HANDLER)
    with pytest.raises(PermissionDenied):
        decide_extension(book.db, follower, overdue.id, approve=True)
    leader = member(book.db, book.members[0], Role.CLAIMS_HANDLER)
    assert decide_extension(book.db, leader, overdue.id, approve=True).status is OverdueStatus.EXTENDED
