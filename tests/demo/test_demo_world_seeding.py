"""Seeding the demo world through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.claims.model import Claim
from tradecover.declarations.model import Shipment
from tradecover.demo.world import (
    DEMO_PASSWORD,
    demo_sign_ins,
    demo_world_exists,
    plan_demo_world,
    seed_demo_world,
)
from tradecover.limits.model import COVERING_STATUSES, CreditLimit
from tradecover.oversight.breakdowns import Dimension, breakdown
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Audience, scope_for
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation, User
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import authenticate
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.premiums.model import PremiumInvoice


def world_digest(db: Session) -> str:
    """A digest of every organisation's and buyer's facts (not their random ids or creation times)."""
    organisations = db.execute(
        select(
            Organisation.name,
            Organisation.kind,
            Organisation.country,
            Organisation.region,
            Organisation.registration_number,
            Organisation.is_sme,
            Organisation.prior_year_exports_usd_minor,
            Organisation.sector,
        ).order_by(Organisation.country, Organisation.registration_number)
    ).all()
    buyers = db.execute(
        select(
            Buyer.name,
            Buyer.country,
            Buyer.registration_number,
            Buyer.kind,
            Buyer.sector,
            Buyer.grade,
            Buyer.city,
            Buyer.annual_sales_usd_minor,
        ).order_by(Buyer.country, Buyer.registration_number)
    ).all()
    return hashlib.sha256(repr((organisations, buyers)).encode()).hexdigest()


def _seeded_digest(db: Session, seed: int) -> str:
    savepoint = db.begin_nested()
    seed_demo_world(db, plan_demo_world(seed, buyers=60, policyholders=6))
    digest = world_digest(db)
    savepoint.rollback()
    return digest


def test_a_seeded_demo_world_holds_the_plan_and_one_sign_in_per_role(db: Session) -> None:
    assert not demo_world_exists(db)
    summary = seed_demo_world(db, plan_demo_world(5, buyers=80, policyholders=6))
    assert (summary.organisations, summary.policyholders, summary.buyers) == (15, 6, 80)
    assert demo_world_exists(db)
    kinds = Counter(db.scalars(select(Organisation.kind)).all())
    assert kinds[OrganisationKind.POLICYHOLDER] == 6
    assert kinds[OrganisationKind.INSURER] == 4
    assert db.scalar(select(func.count()).select_from(Buyer)) == 80
    assert db.scalar(select(func.count()).select_from(User)) == summary.users
    sign_ins = demo_sign_ins(db)
    assert [s.role for s in sign_ins] == list(Role)
    assert all(s.password == DEMO_PASSWORD for s in sign_ins)
    for sign_in in sign_ins:
        user = authenticate(db, sign_in.email, sign_in.password)
        assert sign_in.role in user.roles
        assert user.organisation.name == sign_in.organisation
    policyholder = next(s for s in sign_ins if s.role is Role.POLICYHOLDER)
    organisation = authenticate(db, policyholder.email, DEMO_PASSWORD).organisation
    assert organisation.region == "Yiwu"
    assert organisation.is_sme


def test_the_same_seed_seeds_an_identical_world_and_another_seed_a_different_one(db: Session) -> None:
    first = _seeded_digest(db, 41)
    assert _seeded_digest(db, 41) == first
    assert _seeded_digest(db, 42) != first


@pytest.mark.slow
def test_the_default_demo_world_is_seeded_in_full(db: Session, backend: str) -> None:
    if backend != "sqlite":
        # `make demo` seeds SQLite; the smaller worlds above cover seeding on PostgreSQL, where the
        # full world alone took four minutes of the suite.
        pytest.skip("the full-size demo world is seeded on SQLite, the demo's database")
    summary = seed_demo_world(db, plan_demo_world())
    assert (summary.policyholders, summary.buyers) == (40, 2000)
    public_bodies = db.scalar(
        select(func.count())
        .select_from(Buyer)
        .where(Buyer.kind.in_([BuyerKind.LOCAL_GOVERNMENT, BuyerKind.STATE_OWNED_ENTERPRISE]))
    )
    assert (public_bodies or 0) >= 60
    line = 800_000_000
    exports = db.scalars(
        select(Organisation.prior_year_exports_usd_minor).where(
            Organisation.kind == OrganisationKind.POLICYHOLDER
        )
    ).all()
    assert any(0 < e < line for e in exports if e is not None)
    assert any(e > line for e in exports if e is not None)
    assert line in exports
    _the_story_shows(db)


def _growth(db: Session, start: dt.date, end: dt.date, dimension: Dimension, key: str) -> Decimal:
    rows = breakdown(
        db, scope_for(db, Actor.system(), Audience.REGULATOR), Period(start, end), "CNY", dimension
    ).rows
    found = next(row for row in rows if row.key == key)
    assert found.yoy is not None
    return found.yoy


def _the_story_shows(db: Session) -> None:
    """Two years shaped like the article: export cover up about 15%, the US dip, US claims after it."""
    year = _growth(db, dt.date(2025, 1, 1), dt.date(2025, 12, 31), Dimension.PRODUCT, "export_whole_turnover")
    assert Decimal("0.10") < year < Decimal("0.20")
    assert _growth(db, dt.date(2025, 4, 1), dt.date(2025, 5, 31), Dimension.COUNTRY, "US") < Decimal("-0.2")
    assert _growth(db, dt.date(2025, 7, 1), dt.date(2025, 12, 31), Dimension.COUNTRY, "US") > 0
    # The 2024 book is closed: policies expired, limits given up, every invoice and premium paid.
    prior = select(Policy.id).where(Policy.period_end == dt.date(2024, 12, 31))
    assert set(db.scalars(select(Policy.status).where(Policy.id.in_(prior)))) == {PolicyStatus.EXPIRED}
    assert not db.scalar(
        select(func.count()).where(
            CreditLimit.policy_id.in_(prior), CreditLimit.status.in_(COVERING_STATUSES)
        )
    )
    assert not db.scalar(
        select(func.count()).where(Shipment.policy_id.in_(prior), Shipment.paid_minor < Shipment.amount_minor)
    )
    assert not db.scalar(
        select(func.count()).where(
            PremiumInvoice.policy_id.in_(prior), PremiumInvoice.paid_minor < PremiumInvoice.firm_share_minor
        )
    )
    us_claims = db.scalars(
        select(Claim.filed_on).join(Buyer, Buyer.id == Claim.buyer_id).where(Buyer.country == "US")
    ).all()
    assert sum(day >= dt.date(2025, 6, 1) for day in us_claims) > sum(
        day < dt.date(2025, 6, 1) for day in us_claims
    )
