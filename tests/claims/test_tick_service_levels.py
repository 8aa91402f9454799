"""The tick warns the insurer of a claim whose decision is due within two days, once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from tests.claims.conftest import ClaimsWorld, claims_world, filed_claim  # noqa: F401

from tradecover.alerts.model import Alert
from tradecover.claims.tick import run_tick


def _alerts(world: ClaimsWorld, kind: str) -> int:
    query = select(func.count()).select_from(Alert).where(Alert.kind == kind)
    return world.db.scalar(query.where(Alert.organisation_id == world.policy.insurer_id)) or 0


def test_a_claim_whose_decision_is_due_within_two_days_alerts_the_insurer_once(
    claims_world: ClaimsWorld,  # noqa: F811
) -> None:
    claim = filed_claim(claims_world)
    claim.decision_deadline = claim.filed_on + dt.timedelta(days=30)
    claims_world.db.flush()
    assert run_tick(claims_world.db, claim.filed_on + dt.timedelta(days=27)).service_level_alerts == 0
    warned = run_tick(claims_world.db, claim.filed_on + dt.timedelta(days=28))
    assert warned.service_level_alerts == 1
    assert _alerts(claims_world, "claim_decision_due") == 1
    assert run_tick(claims_world.db, claim.filed_on + dt.timedelta(days=29)).service_level_alerts == 0
