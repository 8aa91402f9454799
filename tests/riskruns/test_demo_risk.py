"""The demo world ends with risk runs: the lead insurer's book and the market, each with the tariff shock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.demo.world import AS_OF, plan_demo_world, seed_demo_world
from tradecover.riskruns.model import Dimension, RiskRun, RunStatus, ScopeKind


def test_a_small_demo_world_holds_an_insurer_run_and_a_market_run(db: Session) -> None:
    seed_demo_world(db, plan_demo_world(3, buyers=60, policyholders=6))
    runs = db.scalars(select(RiskRun).order_by(RiskRun.scope)).all()
    assert [(r.scope, r.scenario, r.as_of) for r in runs] == [
        (ScopeKind.INSURER, "us-tariffs-145", AS_OF),
        (ScopeKind.MARKET, "us-tariffs-145", AS_OF),
    ]
    insurer, market = runs
    assert insurer.status is RunStatus.SUCCEEDED
    assert market.exposure_minor >= insurer.exposure_minor > 0
    assert {m.scenario for m in market.measures} == {"", "us-tariffs-145"}
    assert Dimension.POLICYHOLDER not in {c.dimension for c in market.contributions}
