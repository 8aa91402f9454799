"""The demo world's grade history: US buyers downgraded in April–May 2025, by the demo underwriter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerGradeChange
from tradecover.demo.financing import INSOLVENCY_REASON
from tradecover.demo.grades import plan_grade_changes
from tradecover.demo.world import plan_demo_world, seed_demo_world
from tradecover.parties.model import User
from tradecover.parties.roles import Role


def test_the_plan_downgrades_only_us_buyers_in_april_and_may_2025_and_is_the_same_for_a_seed() -> None:
    plan = plan_demo_world(7, buyers=400, policyholders=3)
    changes = plan_grade_changes(plan.seed, plan.buyers)
    assert changes == plan_grade_changes(plan.seed, plan.buyers)
    assert len(changes) >= 3
    assert {plan.buyers[c.buyer_index].country for c in changes} == {"US"}
    assert all(dt.date(2025, 4, 1) <= c.effective_at.date() <= dt.date(2025, 5, 31) for c in changes)
    for change in changes:
        assert change.new_grade > plan.buyers[change.buyer_index].grade
        assert change.new_grade <= 9
    assert changes != plan_grade_changes(8, plan.buyers)


def test_a_seeded_demo_world_has_the_planned_downgrades_made_by_an_underwriter(db: Session) -> None:
    plan = plan_demo_world(7, buyers=400, policyholders=3)
    seed_demo_world(db, plan)
    planned = plan_grade_changes(plan.seed, plan.buyers)
    changes = db.scalars(select(BuyerGradeChange).order_by(BuyerGradeChange.effective_at)).all()
    # Besides the tariff downgrades, the financed pool policy's buyer goes bankrupt in December.
    made = [c for c in changes if c.reason != INSOLVENCY_REASON]
    (bankrupt,) = [c for c in changes if c.reason == INSOLVENCY_REASON]
    assert bankrupt.new_grade == 10
    assert [(c.new_grade, c.effective_at, c.reason) for c in made] == [
        (p.new_grade, p.effective_at, p.reason) for p in planned
    ]
    changer = db.get(User, made[0].changed_by_user_id)
    assert changer is not None
    assert Role.UNDERWRITER in changer.roles
    downgraded = db.get(Buyer, made[-1].buyer_id)
    assert downgraded is not None
    assert downgraded.country == "US"
    assert downgraded.grade == max(c.new_grade for c in made if c.buyer_id == downgraded.id)
