"""The monthly and daily totals the views read agree with the same sums over the stored facts, on both
databases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session
from tests.oversight.book import OversightBook

from tradecover.buyers.model import Buyer
from tradecover.claims.model import Claim, ClaimInvoice
from tradecover.declarations.model import PaymentApplication, Shipment
from tradecover.oversight import totals_refresh
from tradecover.oversight.coverage import _limit_changes
from tradecover.oversight.exposure import exposure_parts
from tradecover.oversight.limit_changes import limit_changes
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
from tradecover.oversight.period import month_end, next_month
from tradecover.oversight.scope import Audience, Scope
from tradecover.oversight.sql import month_key
from tradecover.oversight.totals import buyer_rows, split_months, turnover_rows
from tradecover.oversight.totals_refresh import refresh_totals
from tradecover.policies.model import Policy
from tradecover.policies.stale import StalePolicy, mark_stale

d = dt.date
TABLES = (
    MonthlyTurnover,
    MonthlyBuyerTurnover,
    MonthlyCarrierBuyerTurnover,
    MonthlyLimitChange,
    MonthlyExposureChange,
    MonthlyCarrierExposureChange,
    DailyTurnover,
    DailyCarrierBuyerTurnover,
    DailyLimitChange,
    DailyExposureChange,
    DailyCarrierExposureChange,
)


def snapshot(db: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every monthly and daily totals table."""
    return {
        table.__tablename__: {tuple(row) for row in db.execute(select(*table.__table__.columns))}
        for table in TABLES
    }


def _per_insurer(db: Session, per_policy: Any) -> dict[tuple[Any, ...], int]:
    """A per-policy table's rows summed per (insurer or pool, period, currency, keys…), zeros left out."""
    insurer_of = {
        policy_id: insurer_id for policy_id, insurer_id in db.execute(select(Policy.id, Policy.insurer_id))
    }
    sums: dict[tuple[Any, ...], int] = defaultdict(int)
    for policy_id, *key, amount in db.execute(select(*per_policy.__table__.columns)):
        sums[(insurer_of[policy_id], *key)] += amount
    return {key: amount for key, amount in sums.items() if amount}


def assert_insurer_sums(db: Session) -> None:
    """The per-insurer tables hold the sums of the per-policy ones and of the shipments."""
    for per_policy, per_carrier in (
        (MonthlyBuyerTurnover, MonthlyCarrierBuyerTurnover),
        (MonthlyExposureChange, MonthlyCarrierExposureChange),
        (DailyExposureChange, DailyCarrierExposureChange),
    ):
        rows = db.execute(select(*per_carrier.__table__.columns)).all()
        assert {tuple(row[:-1]): row[-1] for row in rows if row[-1]} == _per_insurer(db, per_policy)
        assert rows
    keys = (Policy.insurer_id, Shipment.shipment_date, Shipment.currency, Buyer.country, Buyer.sector)
    facts = db.execute(
        select(*keys, func.sum(Shipment.insured_minor))
        .join(Policy, Policy.id == Shipment.policy_id)
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .group_by(*keys)
    ).all()
    daily = db.execute(select(*DailyCarrierBuyerTurnover.__table__.columns)).all()
    assert {tuple(row[:-1]): row[-1] for row in daily if row[-1]} == {
        tuple(row[:-1]): row[-1] for row in facts if row[-1]
    }
    assert daily


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of each month from `first`'s to `last`'s."""
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month_end(month))
        month = next_month(month)
    return found


def scopes(book: OversightBook) -> list[Scope]:
    """One scope of each audience on the book."""
    return [
        book.scope(Audience.REGULATOR),
        book.scope(Audience.INSURER, book.alpha),
        book.scope(Audience.PROGRAMME, book.bureau),
        book.scope(Audience.BANK, book.bank),
    ]


@pytest.mark.parametrize(
    ("first", "last", "whole", "edges"),
    [
        (d(2025, 1, 1), d(2025, 12, 31), ((d(2025, 1, 1), d(2025, 12, 1)),), ()),
        (
            d(2025, 1, 15),
            d(2025, 4, 10),
            ((d(2025, 2, 1), d(2025, 3, 1)),),
            ((d(2025, 1, 15), d(2025, 1, 31)), (d(2025, 4, 1), d(2025, 4, 10))),
        ),
        (d(2025, 2, 3), d(2025, 2, 27), (), ((d(2025, 2, 3), d(2025, 2, 27)),)),
        (d(2024, 2, 1), d(2024, 2, 29), ((d(2024, 2, 1), d(2024, 2, 1)),), ()),
        (d(2025, 1, 31), d(2025, 2, 1), (), ((d(2025, 1, 31), d(2025, 2, 1)),)),
        (
            d(2024, 12, 2),
            d(2025, 1, 31),
            ((d(2025, 1, 1), d(2025, 1, 1)),),
            ((d(2024, 12, 2), d(2024, 12, 31)),),
        ),
    ],
)
def test_a_range_splits_into_whole_months_and_edge_days(
    first: dt.date, last: dt.date, whole: tuple[Any, ...], edges: tuple[Any, ...]
) -> None:
    assert split_months(((first, last),)) == (whole, edges)


def test_the_per_policy_totals_are_the_sums_of_the_shipments(db: Session, book: OversightBook) -> None:
    refresh_totals(db)
    month = month_key(Shipment.shipment_date)
    facts = db.execute(
        select(
            Shipment.policy_id,
            month,
            Shipment.currency,
            func.sum(Shipment.insured_minor),
            func.coalesce(func.sum(Shipment.premium_minor), 0),
        ).group_by(Shipment.policy_id, month, Shipment.currency)
    ).all()
    totals = db.execute(select(*MonthlyTurnover.__table__.columns)).all()
    assert sorted(map(tuple, totals)) == sorted(map(tuple, facts))
    assert len(totals) > 10
    by_day = db.execute(
        select(
            Shipment.policy_id,
            Shipment.shipment_date,
            Shipment.currency,
            func.sum(Shipment.insured_minor),
            func.coalesce(func.sum(Shipment.premium_minor), 0),
        ).group_by(Shipment.policy_id, Shipment.shipment_date, Shipment.currency)
    ).all()
    daily = db.execute(select(*DailyTurnover.__table__.columns)).all()
    assert sorted(map(tuple, daily)) == sorted(map(tuple, by_day))
    assert len(daily) > len(totals)
    by_buyer = db.execute(
        select(
            Shipment.policy_id,
            month,
            Shipment.currency,
            Buyer.country,
            Buyer.sector,
            func.sum(Shipment.insured_minor),
        )
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .group_by(Shipment.policy_id, month, Shipment.currency, Buyer.country, Buyer.sector)
    ).all()
    assert sorted(map(tuple, db.execute(select(*MonthlyBuyerTurnover.__table__.columns)).all())) == sorted(
        map(tuple, by_buyer)
    )
    assert_insurer_sums(db)


def test_a_period_of_part_months_reads_its_edge_days_from_the_daily_totals(
    db: Session, book: OversightBook
) -> None:
    # Two ranges (a period and its base), each with a whole month between two part months.
    ranges = ((d(2024, 1, 10), d(2024, 3, 20)), (d(2024, 12, 10), d(2025, 2, 20)))
    market = book.scope(Audience.REGULATOR)
    month = month_key(Shipment.shipment_date)
    for measure in ("insured", "premium"):
        found: dict[tuple[dt.date, str], int] = defaultdict(int)
        for m, code, _, amount in turnover_rows(db, market, ranges, measure):
            found[(m, code)] += amount
        facts = db.execute(
            select(month, Shipment.currency, func.sum(getattr(Shipment, f"{measure}_minor")))
            .where(Shipment.shipment_date.between(*ranges[0]) | Shipment.shipment_date.between(*ranges[1]))
            .group_by(month, Shipment.currency)
        ).all()
        assert {key: amount for key, amount in found.items() if amount} == {
            (m, code): int(amount) for m, code, amount in facts if amount
        }, measure
    assert {m for m, _ in found} >= {d(2024, 12, 1), d(2025, 1, 1), d(2025, 2, 1)}  # edges and a whole month
    by_buyer: dict[tuple[dt.date, str, Any], int] = defaultdict(int)
    for m, code, key, amount in buyer_rows(db, market, ranges):
        by_buyer[(m, code, key)] += amount
    facts = db.execute(
        select(month, Shipment.currency, Buyer.country, Buyer.sector, func.sum(Shipment.insured_minor))
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(Shipment.shipment_date.between(*ranges[0]) | Shipment.shipment_date.between(*ranges[1]))
        .group_by(month, Shipment.currency, Buyer.country, Buyer.sector)
    ).all()
    assert {key: amount for key, amount in by_buyer.items() if amount} == {
        (m, code, (country, sector)): int(amount) for m, code, country, sector, amount in facts if amount
    }


def _raw_limit_months(db: Session, scope: Scope, cutoff: dt.date) -> dict[tuple[dt.date, str], int]:
    changes = limit_changes(scope.restrict)
    month = month_key(changes.c.day)
    rows = db.execute(
        select(month, changes.c.currency, func.sum(changes.c.delta))
        .where(changes.c.day <= cutoff)
        .group_by(month, changes.c.currency)
    ).all()
    return {(m, code): int(amount) for m, code, amount in rows if amount}


def test_limits_in_force_from_the_totals_equal_the_limit_events(db: Session, book: OversightBook) -> None:
    compared = 0
    for scope in scopes(book):
        for end in month_ends(d(2024, 11, 1), d(2026, 2, 1)):
            # A month's last day reads the totals alone; its 1st and 15th add the days of the month so far.
            for cutoff in (end, end.replace(day=1), end.replace(day=15)):
                changes = _limit_changes(db, scope, cutoff)
                totals = {(m, code): amount for m, code, amount in changes if amount}
                assert totals == _raw_limit_months(db, scope, cutoff), (scope.audience, cutoff)
                compared += bool(totals)
    assert compared > 30


def _nonzero(parts: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for country, values in parts.items():
        for code, amount in values:
            found[(country, code)] += amount
    return {key: amount for key, amount in found.items() if amount}


def _live_parts(db: Session, scope: Scope, day: dt.date) -> dict[str, list[tuple[str, int]]]:
    """Exposure per (country, currency) summed over the shipments live at the day's end."""
    paid_claim = exists().where(
        ClaimInvoice.shipment_id == Shipment.id,
        Claim.id == ClaimInvoice.claim_id,
        Claim.paid_on.is_not(None),
        Claim.paid_on <= day,
    )
    live = (
        Shipment.shipment_date <= day,
        or_(Shipment.settled_on.is_(None), Shipment.settled_on > day),
        or_(Shipment.cover_lost_on.is_(None), Shipment.cover_lost_on > day),
        ~paid_claim,
        Shipment.insured_minor > 0,
        scope.restrict(Shipment.policy_id),
    )
    insured = db.execute(
        select(Buyer.country, Shipment.currency, func.sum(Shipment.insured_minor))
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(*live)
        .group_by(Buyer.country, Shipment.currency)
    ).all()
    released = db.execute(
        select(Buyer.country, Shipment.currency, func.sum(PaymentApplication.insured_released_minor))
        .select_from(PaymentApplication)
        .join(Shipment, Shipment.id == PaymentApplication.shipment_id)
        .join(Buyer, Buyer.id == Shipment.buyer_id)
        .where(*live, PaymentApplication.received_on <= day)
        .group_by(Buyer.country, Shipment.currency)
    ).all()
    parts: dict[str, list[tuple[str, int]]] = {}
    for country, code, amount in insured:
        parts.setdefault(country, []).append((code, int(amount or 0)))
    for country, code, amount in released:
        parts.setdefault(country, []).append((code, -int(amount or 0)))
    return parts


def test_exposure_from_the_totals_equals_the_live_shipments(db: Session, book: OversightBook) -> None:
    compared = 0
    for scope in scopes(book):
        for end in month_ends(d(2024, 11, 1), d(2026, 2, 1)):
            # A month's last day reads the monthly totals alone; its 1st and 15th add the daily ones.
            for day in (end, end.replace(day=1), end.replace(day=15)):
                totals = _nonzero(exposure_parts(db, scope, day))
                assert totals == _nonzero(_live_parts(db, scope, day)), (scope.audience, day)
                compared += bool(totals)
    assert compared > 30


def test_the_daily_changes_sum_to_the_monthly_ones(db: Session, book: OversightBook) -> None:
    refresh_totals(db)
    for daily, monthly in (
        (DailyLimitChange, MonthlyLimitChange),
        (DailyExposureChange, MonthlyExposureChange),
        (DailyCarrierExposureChange, MonthlyCarrierExposureChange),
    ):
        sums: dict[tuple[Any, ...], int] = defaultdict(int)
        for owner, day, *key, amount in db.execute(select(*daily.__table__.columns)):
            sums[(owner, day.replace(day=1), *key)] += amount
        rows = {tuple(row[:-1]): row[-1] for row in db.execute(select(*monthly.__table__.columns))}
        assert {key: amount for key, amount in sums.items() if amount} == rows
        assert len(rows) > 5


def test_marked_policies_are_rebuilt_and_unmarked_ones_left_alone(db: Session, book: OversightBook) -> None:
    refresh_totals(db)
    before = snapshot(db)
    policy = book.policies["P1b"]
    # A change written past the services is not seen until the policy is marked.
    shipment = db.scalars(select(Shipment).where(Shipment.policy_id == policy.id)).first()
    assert shipment is not None
    shipment.insured_minor -= 100
    db.flush()
    assert refresh_totals(db) == 0
    assert snapshot(db) == before
    mark_stale(db, [policy.id])
    mark_stale(db, [policy.id])
    assert db.scalar(select(StalePolicy.changes).where(StalePolicy.policy_id == policy.id)) == 2
    assert refresh_totals(db) == 1
    assert db.scalar(select(func.count()).select_from(StalePolicy)) == 0
    after = snapshot(db)
    assert after["monthly_turnover"] != before["monthly_turnover"]
    total = db.scalar(
        select(func.sum(MonthlyTurnover.insured_minor)).where(MonthlyTurnover.policy_id == policy.id)
    )
    facts = db.scalar(select(func.sum(Shipment.insured_minor)).where(Shipment.policy_id == policy.id))
    assert total == facts


def test_a_large_rebuild_sums_every_month_per_insurer_again(
    db: Session, book: OversightBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches above COMPARED policies re-sum every month they touch instead of comparing rows.
    monkeypatch.setattr(totals_refresh, "COMPARED", 0)
    refresh_totals(db)
    before = snapshot(db)
    mark_stale(db, (policy.id for policy in book.policies.values()))
    assert refresh_totals(db) == len(book.policies)
    assert snapshot(db) == before
    assert_insurer_sums(db)


def test_a_small_rebuild_sums_again_per_insurer_the_months_that_changed(
    db: Session, book: OversightBook
) -> None:
    refresh_totals(db)
    policy = book.policies["P1b"]
    shipment = db.scalars(
        select(Shipment).where(Shipment.policy_id == policy.id, Shipment.insured_minor > 100)
    ).first()
    assert shipment is not None
    shipment.insured_minor -= 100
    db.flush()
    mark_stale(db, [policy.id])
    before = snapshot(db)
    assert refresh_totals(db) == 1
    after = snapshot(db)
    for table in (
        "monthly_carrier_buyer_turnover",
        "daily_carrier_buyer_turnover",
        "daily_carrier_exposure_changes",
    ):
        assert after[table] != before[table], table
    assert_insurer_sums(db)


def test_a_shipment_moved_to_a_buyer_of_another_country_is_summed_again_per_insurer(
    db: Session, book: OversightBook
) -> None:
    # Its day's turnover is unchanged, so only the month's buyer turnover shows which days to re-sum.
    refresh_totals(db)
    policy = book.policies["P1b"]
    shipment = db.scalars(
        select(Shipment).where(Shipment.policy_id == policy.id, Shipment.insured_minor > 0)
    ).first()
    assert shipment is not None
    country = db.scalar(select(Buyer.country).where(Buyer.id == shipment.buyer_id))
    other = db.scalars(select(Buyer).where(Buyer.country != country)).first()
    assert other is not None
    before = snapshot(db)
    shipment.buyer_id = other.id
    db.flush()
    mark_stale(db, [policy.id])
    assert refresh_totals(db) == 1
    after = snapshot(db)
    assert after["daily_turnover"] == before["daily_turnover"]
    assert after["daily_carrier_buyer_turnover"] != before["daily_carrier_buyer_turnover"]
    assert_insurer_sums(db)
