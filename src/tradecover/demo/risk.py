"""Demo risk runs: the lead insurer's book and the market against the US tariff shock, on the demo date."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.riskruns.book import Scope
from tradecover.riskruns.model import RiskMethod, RiskRun, ScopeKind
from tradecover.riskruns.service import RunRequest, start_risk_run

DEMO_INSURER = "insurer.state"
DEMO_REGULATOR = "regulator.nfra"
DEMO_SCENARIO = "us-tariffs-145"


def seed_demo_risk_runs(
    session: Session, organisation_ids: dict[str, uuid.UUID], as_of: dt.date
) -> list[RiskRun]:
    """A CreditRisk+ run of the lead insurer's book and one of the market (by the regulator), each with
    the US tariff shock beside the base, so the Risk pages open on results."""
    insurer = Actor(
        None, organisation_ids[DEMO_INSURER], OrganisationKind.INSURER, frozenset({Role.INSURER_ADMIN})
    )
    regulator = Actor(
        None, organisation_ids[DEMO_REGULATOR], OrganisationKind.REGULATOR, frozenset({Role.REGULATOR})
    )
    return [
        start_risk_run(
            session,
            actor,
            RunRequest(Scope(scope), RiskMethod.CREDITRISKPLUS, DEMO_SCENARIO, as_of),
        )
        for actor, scope in ((insurer, ScopeKind.INSURER), (regulator, ScopeKind.MARKET))
    ]
