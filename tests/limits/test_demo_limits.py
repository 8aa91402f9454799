"""The demo's limits: a pure, seeded plan; seeded through the services into every decision state."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.demo.limits import BuyerFacts, PolicyFacts, plan_limits
from tradecover.demo.world import plan_demo_world, seed_demo_world
from tradecover.limits.model import COVERING_STATUSES, Appetite, Capacity, CreditLimit, LimitStatus

POLICIES = [PolicyFacts(uuid.UUID(int=n), domestic=n == 3) for n in range(5)]
BUYERS = [BuyerFacts(uuid.UUID(int=1000 + n), "CN" if n % 4 == 0 else "US") for n in range(200)]


def test_the_same_seed_plans_the_same_limits_and_another_seed_others() -> None:
    assert plan_limits(7, POLICIES, BUYERS, target=150) == plan_limits(7, POLICIES, BUYERS, target=150)
    assert plan_limits(7, POLICIES, BUYERS, target=150) != plan_limits(8, POLICIES, BUYERS, target=150)


def test_each_policy_asks_on_distinct_buyers_it_may_cover() -> None:
    plan = plan_limits(7, POLICIES, BUYERS, target=150)
    pairs = [(p.policy_index, p.buyer_index) for p in plan]
    assert len(pairs) == len(set(pairs)) == 150
    for planned in plan:
        domestic_buyer = BUYERS[planned.buyer_index].country == "CN"
        assert domestic_buyer == POLICIES[planned.policy_index].domestic


def test_a_seeded_demo_world_has_limits_in_every_state_and_capacity_that_adds_up(db: Session) -> None:
    seed_demo_world(db, plan_demo_world(11, buyers=600, policyholders=16))
    counts = dict(db.execute(select(CreditLimit.status, func.count()).group_by(CreditLimit.status)).all())
    assert set(counts) == set(LimitStatus) - {LimitStatus.REQUESTED}
    assert sum(counts.values()) >= 500
    assert db.scalar(select(func.count()).select_from(CreditLimit).where(CreditLimit.reason.is_(None))) == 0
    assert db.scalar(select(func.count()).select_from(Appetite)) == 11
    for capacity in db.scalars(select(Capacity)):
        held = select(func.coalesce(func.sum(CreditLimit.capacity_usd_minor), 0)).where(
            CreditLimit.insurer_id == capacity.insurer_id, CreditLimit.status.in_(COVERING_STATUSES)
        )
        if capacity.key:
            column = (
                CreditLimit.buyer_country if capacity.scope.value == "country" else CreditLimit.buyer_sector
            )
            held = held.where(column == capacity.key)
        assert capacity.committed_usd_minor == db.scalar(held)
        assert capacity.committed_usd_minor <= capacity.amount_usd_minor
