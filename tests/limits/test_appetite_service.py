"""Appetite rules and capacities as an insurer admin's data: listed, added, changed, removed, own only."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.limits.conftest import Book, new_buyer, open_book, usd

from tradecover.audit.model import AuditEvent
from tradecover.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tradecover.limits.appetite import (
    add_appetite,
    add_capacity,
    change_appetite,
    change_capacity,
    list_appetite,
    list_capacities,
    remove_appetite,
    remove_capacity,
)
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import Appetite, Capacity, LimitStatus
from tradecover.limits.rules import AppetiteAction, AppetiteKind, CapacityScope
from tradecover.money import Money


def _actions(db: Session, object_id: object) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(object_id)).order_by(AuditEvent.id)
        )
    )


def test_an_admin_adds_changes_and_removes_appetite_rules_and_decisions_follow_them(
    db: Session, book: Book
) -> None:
    refer = add_appetite(db, book.insurer_admin, "sector", " Construction ", "refer")
    usa = add_appetite(db, book.insurer_admin, AppetiteKind.COUNTRY, "us", "decline", usd(400_000))
    listed = [(a.kind, a.key, a.action, a.max_total_usd_minor) for a in list_appetite(db, book.insurer_admin)]
    assert listed == [
        (AppetiteKind.COUNTRY, "US", AppetiteAction.DECLINE, 40_000_000),
        (AppetiteKind.SECTOR, "construction", AppetiteAction.REFER, None),
    ]
    builder = new_buyer(db, sector="construction")
    referred = request_limit(db, book.exporter, book.policy.id, builder.id, usd(10_000))
    assert referred.status is LimitStatus.REFERRED
    # Declining past USD 400,000 becomes referring past USD 100,000.
    change_appetite(db, book.insurer_admin, usa.id, "refer", usd(100_000))
    assert (usa.action, usa.max_total_usd_minor) == (AppetiteAction.REFER, 10_000_000)
    remove_appetite(db, book.insurer_admin, refer.id)
    assert db.get(Appetite, refer.id) is None
    again = new_buyer(db, sector="construction", country="DE")
    assert (
        request_limit(db, book.exporter, book.policy.id, again.id, usd(10_000)).status is LimitStatus.APPROVED
    )
    assert _actions(db, usa.id) == ["appetite.added", "appetite.changed"]
    assert _actions(db, refer.id) == ["appetite.added", "appetite.removed"]
    changed = db.scalars(select(AuditEvent).where(AuditEvent.action == "appetite.changed")).one()
    assert changed.details["before"]["max_total_usd_minor"] == 40_000_000
    assert changed.details["after"] == {
        "kind": "country",
        "key": "US",
        "action": "refer",
        "max_total_usd_minor": 10_000_000,
    }


@pytest.mark.parametrize(
    ("kind", "key", "action", "maximum", "field"),
    [
        ("region", "US", "refer", None, "kind"),
        ("country", "XX", "refer", None, "key"),
        ("sector", "knitting", "refer", None, "key"),
        ("country", "US", "ignore", None, "action"),
        ("country", "US", "refer", Money.of("5", "EUR"), "max_total"),
        ("country", "US", "refer", usd(-5), "max_total"),
    ],
)
def test_a_bad_appetite_rule_is_refused_naming_the_field(
    db: Session, book: Book, kind: str, key: str, action: str, maximum: Money | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        add_appetite(db, book.insurer_admin, kind, key, action, maximum)
    assert refused.value.field == field
    assert db.scalars(select(Appetite)).first() is None


def test_a_capacity_is_never_set_below_what_limits_already_take(db: Session, book: Book) -> None:
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(250_000))
    with pytest.raises(ValidationError) as low:
        add_capacity(db, book.insurer_admin, "country", "US", usd(200_000))
    assert (low.value.field, low.value.message) == (
        "amount",
        "must be at least 250,000.00 USD, what limits already take of it",
    )
    us = add_capacity(db, book.insurer_admin, "country", "US", usd(1_000_000))
    total = add_capacity(db, book.insurer_admin, CapacityScope.TOTAL, "", usd(5_000_000))
    assert (us.committed_usd_minor, total.committed_usd_minor) == (25_000_000, 25_000_000)
    with pytest.raises(Conflict):
        add_capacity(db, book.insurer_admin, "country", "us", usd(2_000_000))
    with pytest.raises(ValidationError) as lowered:
        change_capacity(db, book.insurer_admin, us.id, Money.of("249999.99", "USD"))
    assert lowered.value.field == "amount"
    assert change_capacity(db, book.insurer_admin, us.id, usd(250_000)).amount_usd_minor == 25_000_000
    assert [(c.scope, c.key) for c in list_capacities(db, book.insurer_admin)] == [
        (CapacityScope.TOTAL, ""),
        (CapacityScope.COUNTRY, "US"),
    ]
    # Nothing of the US capacity is left: a further US limit is declined.
    second = request_limit(db, book.exporter, book.policy.id, new_buyer(db).id, usd(10_000))
    assert (second.status, second.amount, second.reason) == (
        LimitStatus.DECLINED,
        usd(0),
        "declined: no country capacity for US left",
    )
    remove_capacity(db, book.insurer_admin, us.id)
    assert db.get(Capacity, us.id) is None
    assert _actions(db, us.id) == ["capacity.added", "capacity.changed", "capacity.removed"]


def test_an_insurer_never_sees_or_changes_anothers_lines(db: Session, book: Book) -> None:
    line = add_appetite(db, book.insurer_admin, "country", "US", "refer")
    capacity = add_capacity(db, book.insurer_admin, "total", "", usd(1_000_000))
    other = open_book(db)
    assert list_appetite(db, other.insurer_admin) == []
    assert list_capacities(db, other.insurer_admin) == []
    for attempt in (
        lambda: change_appetite(db, other.insurer_admin, line.id, "decline"),
        lambda: remove_appetite(db, other.insurer_admin, line.id),
        lambda: change_capacity(db, other.insurer_admin, capacity.id, usd(1)),
        lambda: remove_capacity(db, other.insurer_admin, capacity.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    # The other insurer's own rule for the same country is its own line.
    assert add_appetite(db, other.insurer_admin, "country", "US", "decline").id != line.id
    for actor in (book.underwriter, book.exporter):
        with pytest.raises(PermissionDenied):
            list_appetite(db, actor)
    assert (line.action, capacity.amount_usd_minor) == (AppetiteAction.REFER, 100_000_000)
