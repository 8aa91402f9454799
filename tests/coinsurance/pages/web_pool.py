"""A pool in the web test world: Harbour Credit Insurance leads (60%), Other Mutual Insurance follows
(40%); the world's exporter holds a domestic policy of the pool with one limit on a Chinese buyer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.conftest import PASSWORD, World

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import get_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import User
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy, one_year_from
from tradecover.policies.terms import ProductKind

OUTSIDER_EMAIL = "underwriter@outside-re.example.com"


@dataclass(frozen=True)
class WebPool:
    """What was seeded: the pool, its policy's number and the limit."""

    pool_id: uuid.UUID
    policy_number: str
    limit_id: uuid.UUID
    buyer_name: str


def seed_pool(sessions: sessionmaker[Session], world: World) -> WebPool:
    """The pool, its domestic product, a policy for the world's exporter and a CNY 1,000,000.01 limit."""
    system = Actor.system()
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        leader = world.organisations[Role.INSURER_ADMIN]
        pool = create_pool(
            session,
            system,
            name="Domestic Trade Credit Coinsurance Pool",
            country="CN",
            currency="CNY",
            leader_id=leader,
            leader_commission=Decimal("0.05"),
            members=[
                MemberPlan(leader, Decimal("0.6"), Money.of(6_000_000_000, "CNY")),
                MemberPlan(world.other_insurer_id, Decimal("0.4"), Money.of(4_000_000_000, "CNY")),
            ],
        )
        install_products(session, system, pool.id, kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == pool.id)).one()
        today = get_clock().today()
        policy = issue_policy(
            session,
            system,
            product=product,
            policyholder_id=world.organisations[Role.POLICYHOLDER],
            terms=product.terms,
            period_start=today,
            period_end=one_year_from(today),
            rate_table_id=None,
        )
        buyer = register_buyer(
            session,
            system,
            name="Hangzhou Lantern Wholesale Co.",
            country="CN",
            registration_number=f"91330100{uuid.uuid4().hex[:10].upper()}",
            kind=BuyerKind.COMPANY,
            sector="retail_wholesale",
            grade=3,
        )
        holder = session.scalars(select(User).where(User.email == world.emails[Role.POLICYHOLDER])).one()
        limit = request_limit(session, actor_for(holder), policy.id, buyer.id, Money.of("1000000.01", "CNY"))
        outsider = create_organisation(
            session, system, name="Outside Re", kind=OrganisationKind.INSURER, country="CN"
        )
        create_user(
            session,
            system,
            organisation_id=outsider.id,
            email=OUTSIDER_EMAIL,
            full_name="Outside Underwriter",
            roles=[Role.UNDERWRITER],
            password=PASSWORD,
        )
        return WebPool(pool.id, policy.number, limit.id, buyer.name)
