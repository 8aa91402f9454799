"""The demo's programmes: Yiwu's 80% subsidy, Shenzhen's unified cover with enrolled SMEs, a domestic one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.demo.subsidies import DOMESTIC_PROGRAMME, SHENZHEN_PROGRAMME, YIWU_PROGRAMME
from tradecover.demo.world import plan_demo_world, seed_demo_world
from tradecover.parties.model import Organisation, User
from tradecover.parties.service import actor_for
from tradecover.policies.model import Policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.enrolments import enrol
from tradecover.subsidies.model import Enrolment, ProgrammeBudget, SubsidyProgramme
from tradecover.subsidies.rules import Mode, ProgrammeKind


def test_the_demo_world_holds_the_three_programmes_with_budgets_and_enrolled_shenzhen_smes(
    db: Session,
) -> None:
    seed_demo_world(db, plan_demo_world(11, buyers=40, policyholders=24))
    programmes = {p.name: p for p in db.scalars(select(SubsidyProgramme))}
    assert set(programmes) == {YIWU_PROGRAMME, SHENZHEN_PROGRAMME, DOMESTIC_PROGRAMME}
    assert programmes[YIWU_PROGRAMME].mode is Mode.DIRECT
    assert programmes[DOMESTIC_PROGRAMME].mode is Mode.REIMBURSEMENT
    shenzhen = programmes[SHENZHEN_PROGRAMME]
    assert shenzhen.kind is ProgrammeKind.PLATFORM_POLICY
    assert db.scalars(select(ProgrammeBudget).where(ProgrammeBudget.year == 2025)).all()
    enrolments = db.scalars(select(Enrolment).where(Enrolment.programme_id == shenzhen.id)).all()
    assert enrolments
    for enrolment in enrolments:
        firm = db.get(Organisation, enrolment.policyholder_id)
        assert firm is not None
        assert firm.region == "Shenzhen"
        assert firm.prior_year_exports_usd_minor is not None
        assert firm.prior_year_exports_usd_minor <= 800_000_000
        policy = db.get(Policy, enrolment.policy_id)
        assert policy is not None
        assert policy.product_kind is ProductKind.PLATFORM
        assert policy.policyholder_id == firm.id


def test_the_demo_leaves_one_eligible_shenzhen_sme_unenrolled_whose_user_enrols_it(db: Session) -> None:
    seed_demo_world(db, plan_demo_world(11, buyers=40, policyholders=24))
    shenzhen = db.scalars(select(SubsidyProgramme).where(SubsidyProgramme.name == SHENZHEN_PROGRAMME)).one()
    user = db.scalars(select(User).where(User.email == "exporter.shenzhen@demo.tradecover.org")).one()
    enrolled = set(db.scalars(select(Enrolment.policyholder_id).where(Enrolment.programme_id == shenzhen.id)))
    assert user.organisation_id not in enrolled
    enrolment = enrol(db, actor_for(user), shenzhen.id, dt.date(2025, 6, 30))
    assert enrolment.policyholder_id == user.organisation_id
    policy = db.get(Policy, enrolment.policy_id)
    assert policy is not None
    assert policy.product_kind is ProductKind.PLATFORM
    assert policy.policyholder_id == user.organisation_id
