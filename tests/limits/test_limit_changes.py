"""Reductions and cancellations with notice, cover on a date, the DCL, and grade change alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tests.limits.conftest import TODAY, Book, new_buyer, open_book, usd

from tradecover.alerts.model import Alert
from tradecover.clock import FixedClock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import BusinessRuleViolation, PermissionDenied, ValidationError
from tradecover.limits.capacity import capacities_of, set_capacity
from tradecover.limits.changes import cancel_limit, cancel_limit_by_policyholder, reduce_limit
from tradecover.limits.decisions import request_limit
from tradecover.limits.history import limit_in_force
from tradecover.limits.model import LimitEvent, LimitStatus
from tradecover.limits.service import LimitFilter, cover_on, dcl_available, list_limits, regrade_buyer

NOTICE_ENDS = TODAY + dt.timedelta(days=30)


def test_during_a_reductions_notice_period_the_old_amount_stays_in_force(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(400_000))
    reduce_limit(db, book.underwriter, limit.id, usd(150_000), reason="buyer's accounts weaker")
    assert limit.status is LimitStatus.REDUCED
    assert limit.amount == usd(150_000)
    assert limit_in_force(db, limit.id, on=TODAY) == usd(400_000)
    assert limit_in_force(db, limit.id, on=NOTICE_ENDS - dt.timedelta(days=1)) == usd(400_000)
    assert limit_in_force(db, limit.id, on=NOTICE_ENDS) == usd(150_000)
    assert limit_in_force(db, limit.id, on=TODAY - dt.timedelta(days=1)) == usd(0)
    assert "reduced from USD 400,000 to USD 150,000 from 2026-07-15" in (limit.reason or "")


def test_a_reduction_alerts_the_policyholder_and_gives_back_capacity(db: Session, book: Book) -> None:
    set_capacity(db, book.insurer_admin, book.insurer_id, "total", "", usd(1_000_000))
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(400_000))
    reduce_limit(db, book.underwriter, limit.id, usd(100_000), reason="sector outlook", notice_days=10)
    assert capacities_of(db, book.insurer_id)[0].committed_usd == usd(100_000)
    assert limit_in_force(db, limit.id, on=TODAY + dt.timedelta(days=10)) == usd(100_000)
    alerts = db.scalars(select(Alert).where(Alert.subject_id == str(limit.id))).all()
    assert [a.organisation_id for a in alerts] == [book.policy.policyholder_id]


def test_a_reduction_must_lower_the_amount_and_comes_only_from_the_insurer(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(400_000))
    with pytest.raises(BusinessRuleViolation):
        reduce_limit(db, book.underwriter, limit.id, usd(400_000), reason="no change")
    with pytest.raises(ValidationError):
        reduce_limit(db, book.underwriter, limit.id, usd(0), reason="to nothing")
    with pytest.raises(PermissionDenied):
        reduce_limit(db, book.exporter, limit.id, usd(100), reason="mine")


def test_an_insurers_cancellation_takes_effect_after_notice_and_then_bars_the_dcl(
    db: Session, book: Book, clock: FixedClock
) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    cancel_limit(db, book.underwriter, limit.id, reason="insolvency rumours")
    assert limit.status is LimitStatus.CANCELLED
    assert limit_in_force(db, limit.id, on=NOTICE_ENDS - dt.timedelta(days=1)) == usd(300_000)
    assert limit_in_force(db, limit.id, on=NOTICE_ENDS) == usd(0)
    known = {"purchases_paid_on_time_12m": 3}
    assert dcl_available(db, book.policy.id, book.buyer.id, on=TODAY, **known).available
    after = dcl_available(db, book.policy.id, book.buyer.id, on=NOTICE_ENDS, **known)
    assert not after.available
    assert "bars" in after.reason


def test_a_policyholders_cancellation_is_immediate_and_does_not_bar_the_dcl(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    reduce_limit(db, book.underwriter, limit.id, usd(100_000), reason="cut")
    cancel_limit_by_policyholder(db, book.exporter, limit.id, reason="no longer selling to them")
    assert limit_in_force(db, limit.id, on=TODAY) == usd(0)
    assert limit_in_force(db, limit.id, on=NOTICE_ENDS + dt.timedelta(days=5)) == usd(0)
    assert dcl_available(db, book.policy.id, book.buyer.id, has_credit_report=True).available
    with pytest.raises(BusinessRuleViolation):
        cancel_limit(db, book.underwriter, limit.id, reason="too late")
    again = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(50_000))
    assert again.status is LimitStatus.APPROVED


def test_a_declined_limit_bars_the_dcl_and_an_unknown_buyer_gets_none(db: Session, book: Book) -> None:
    assert dcl_available(db, book.policy.id, book.buyer.id, purchases_paid_on_time_12m=2).amount == usd(
        50_000
    )
    assert not dcl_available(db, book.policy.id, book.buyer.id, purchases_paid_on_time_12m=1).available
    risky = new_buyer(db, grade=9)
    request_limit(db, book.exporter, book.policy.id, risky.id, usd(10_000))
    assert not dcl_available(db, book.policy.id, risky.id, has_credit_report=True).available


def test_cover_on_a_date_is_the_largest_amount_in_force_for_the_buyer(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    cancel_limit(db, book.underwriter, limit.id, reason="review")
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(100_000))
    assert cover_on(db, book.policy.id, book.buyer.id, on=TODAY) == usd(300_000)
    assert cover_on(db, book.policy.id, book.buyer.id, on=NOTICE_ENDS) == usd(100_000)


def test_the_history_of_a_limit_cannot_be_rewritten(db: Session, book: Book) -> None:
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    db.flush()
    with pytest.raises(DBAPIError), db.begin_nested():
        db.execute(text("UPDATE limit_events SET amount_minor = 1"))
    with pytest.raises(DBAPIError), db.begin_nested():
        db.execute(text("DELETE FROM limit_events"))
    assert db.scalars(select(LimitEvent)).first() is not None


def test_a_buyer_regrade_alerts_every_organisation_holding_a_limit_on_it(db: Session, book: Book) -> None:
    other = open_book(db)
    request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    request_limit(db, other.exporter, other.policy.id, book.buyer.id, usd(200_000))
    bystander = open_book(db)
    regrade_buyer(db, book.underwriter, book.buyer.id, grade=7, reason="late filings")
    alerts = db.scalars(select(Alert).where(Alert.kind == "buyer_grade_changed")).all()
    addressed = {a.organisation_id for a in alerts}
    assert addressed == {
        book.policy.policyholder_id,
        book.insurer_id,
        other.policy.policyholder_id,
        other.insurer_id,
    }
    assert bystander.insurer_id not in addressed
    assert all("downgraded from grade 4 to 7" in a.title for a in alerts)


def test_limits_are_listed_for_the_policyholder_and_the_insurer_only(db: Session, book: Book) -> None:
    limit = request_limit(db, book.exporter, book.policy.id, book.buyer.id, usd(300_000))
    other = open_book(db)
    for actor, expected in (
        (book.exporter, [limit.id]),
        (book.underwriter, [limit.id]),
        (other.exporter, []),
    ):
        set_tenant(db, actor.tenant)
        assert [x.id for x in list_limits(db, LimitFilter(policy_id=book.policy.id))] == expected
    set_tenant(db, Tenant.unrestricted())
    assert list_limits(db, LimitFilter(status=LimitStatus.DECLINED)) == []
