"""The demo's domestic trade credit coinsurance pool: three commercial insurers, 40/35/25, RMB capacity."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.coinsurance.capacity import capacity_use
from tradecover.coinsurance.model import Pool, PoolLimitTake
from tradecover.coinsurance.rules import apportion
from tradecover.coinsurance.service import get_pool, pool_terms_of
from tradecover.demo.catalogue import institutions
from tradecover.demo.pool import LEADER_UNDERWRITER, POOL_NAME, POOL_STARTS, seed_demo_pool
from tradecover.limits.model import COVERING_STATUSES, CreditLimit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation, create_user
from tradecover.policies.model import Policy
from tradecover.policies.terms import ProductKind


def _small_world(db: Session) -> dict[str, uuid.UUID]:
    """The demo's three commercial insurers (the leader with its underwriter), exporters, Chinese buyers."""
    system = Actor.system()
    ids: dict[str, uuid.UUID] = {}
    for institution in institutions():
        if institution.key in ("insurer.jade", "insurer.pearl", "insurer.orient"):
            ids[institution.key] = create_organisation(
                db, system, name=institution.name, kind=institution.kind, country="CN"
            ).id
    create_user(
        db,
        system,
        organisation_id=ids["insurer.jade"],
        email=LEADER_UNDERWRITER,
        full_name="Huang Tao",
        roles=[Role.UNDERWRITER],
    )
    for n in range(3):
        create_organisation(
            db, system, name=f"Exporter {n}", kind=OrganisationKind.POLICYHOLDER, country="CN",
            registration_number=f"91330782POOL{n:04d}",
        )  # fmt: skip
    for n in range(12):
        register_buyer(
            db, system, name=f"Buyer {n}", country="CN", registration_number=f"9131POOL{n:04d}",
            kind=BuyerKind.COMPANY, sector="electronics", grade=3,
        )  # fmt: skip
    return ids


def test_the_demo_pool_shares_its_policies_and_limits_by_share(db: Session) -> None:
    seed_demo_pool(db, 2025, _small_world(db))
    pool = db.scalars(select(Pool)).one()
    view = get_pool(db, Actor.system(), pool.id)
    assert view.name == POOL_NAME
    assert view.leader_name.startswith("Jade Harbour")
    assert [m.share for m in view.members] == [Decimal("0.40"), Decimal("0.35"), Decimal("0.25")]
    assert [m.total_capacity for m in view.members] == [
        Money.of(4_000_000_000, "CNY"),
        Money.of(3_500_000_000, "CNY"),
        Money.of(2_500_000_000, "CNY"),
    ]
    policies = db.scalars(select(Policy).where(Policy.insurer_id == pool.id)).all()
    assert policies
    assert {(p.product_kind, p.period_start, p.currency) for p in policies} == {
        (ProductKind.DOMESTIC_WHOLE_TURNOVER, POOL_STARTS, "CNY")
    }
    limits = db.scalars(
        select(CreditLimit).where(
            CreditLimit.insurer_id == pool.id, CreditLimit.status.in_(COVERING_STATUSES)
        )
    ).all()
    assert limits
    assert {limit.buyer_country for limit in limits} == {"CN"}
    terms = pool_terms_of(db, pool.id)
    assert terms is not None
    for limit in limits:
        taken = db.scalars(
            select(PoolLimitTake.amount_minor)
            .where(PoolLimitTake.limit_id == limit.id)
            .order_by(PoolLimitTake.insurer_id)
        ).all()
        expected = sorted(
            zip((m.insurer_id for m in terms.members), apportion(limit.amount, terms.members), strict=True)
        )
        assert list(taken) == [part.minor_units for _, part in expected]
    partly = [limit for limit in limits if "Orient Shield" in (limit.reason or "")]
    assert len(partly) == 1
    assert "share of the pool has CNY 1,000,000 left for buyer" in (partly[0].reason or "")
    used = sum((u.used for u in capacity_use(db, pool.id)), Money.zero("CNY"))
    assert used.minor_units == db.scalar(select(func.sum(PoolLimitTake.amount_minor)))
    assert all(not u.left.is_negative for u in capacity_use(db, pool.id))
    assert dt.date(2025, 6, 12) == POOL_STARTS
