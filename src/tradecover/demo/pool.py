"""The demo coinsurance pool: China's domestic trade credit coinsurance pool, as it started on 12 June 2025.

The three commercial insurers of the demo share it 40/35/25, the first leading for a 5% leadership
commission; its first-phase capacity of RMB 10bn is split among them by share, with capacity per buyer
and in China per member. The pool writes a domestic whole-turnover product with its own rate table, and
exporters turning to the home market hold a domestic policy of it from 12 June 2025, with limits on
Chinese buyers decided by the rules, each taking the members' capacity by share. One large request,
referred and approved by the leader's underwriter, meets the smallest member's capacity on its buyer and
is partly approved with the reason naming that member.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, get_clock, set_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.errors import DomainError
from tradecover.limits.decisions import approve_referral, request_limit
from tradecover.limits.model import LimitStatus
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation, User
from tradecover.parties.roles import OrganisationKind
from tradecover.parties.service import actor_for
from tradecover.policies.products import install_products, rate_table_for
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

POOL_NAME = "Domestic Trade Credit Coinsurance Pool (demo)"
POOL_STARTS = dt.date(2025, 6, 12)
POLICY_END = dt.date(2026, 6, 11)
MEMBERS = (
    ("insurer.jade", Decimal("0.40")),
    ("insurer.pearl", Decimal("0.35")),
    ("insurer.orient", Decimal("0.25")),
)
LEADER_COMMISSION = Decimal("0.05")
CAPACITY = Money.of(10_000_000_000, "CNY")
# Per member, by share: RMB 80m / 70m / 50m on any one buyer, RMB 9bn of the 10bn in China.
PER_BUYER = Money.of(200_000_000, "CNY")
IN_CHINA = Money.of(9_000_000_000, "CNY")
# The smallest member keeps less on any one buyer: the demo's partly approved referral meets it.
ORIENT_PER_BUYER = Money.of(1_000_000, "CNY")
POLICYHOLDERS = 8
LIMITS_EACH = 4
# Above the instant band (USD 500,000), below the two-approvals band (USD 1,000,000).
LARGE_REQUEST = Money.of(6_000_000, "CNY")
LEADER_UNDERWRITER = "underwriter.jade@demo.tradecover.org"


def _at(day: dt.date) -> None:
    set_clock(FixedClock(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)))


def _member_plans(organisation_ids: Mapping[str, uuid.UUID]) -> list[MemberPlan]:
    plans = []
    for key, share in MEMBERS:
        per_buyer = ORIENT_PER_BUYER if key == "insurer.orient" else PER_BUYER * share
        plans.append(MemberPlan(organisation_ids[key], share, CAPACITY * share, per_buyer, IN_CHINA * share))
    return plans


def seed_demo_pool(session: Session, seed: int, organisation_ids: Mapping[str, uuid.UUID]) -> int:
    """The pool, its product and rates, domestic policies for some exporters and their limits; how many."""
    system = Actor.system()
    leader_id = organisation_ids[MEMBERS[0][0]]
    pool = create_pool(
        session,
        system,
        name=POOL_NAME,
        country="CN",
        currency="CNY",
        leader_id=leader_id,
        leader_commission=LEADER_COMMISSION,
        members=_member_plans(organisation_ids),
        starts_on=POOL_STARTS,
    )
    (product,) = install_products(
        session,
        system,
        pool.id,
        kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER],
        rate_level=Decimal("0.9"),
        preferential_discount=Rate.percent(5),
    )
    table = rate_table_for(session, product)
    rng = random.Random(f"demo:{seed}:pool")
    holders = session.scalars(
        select(Organisation.id)
        .where(Organisation.kind == OrganisationKind.POLICYHOLDER)
        .order_by(Organisation.registration_number)
    ).all()
    others = [h for h in holders if h != organisation_ids.get("policyholder.flagship")]
    chosen = rng.sample(others, min(POLICYHOLDERS, len(others)))
    buyers = session.scalars(
        select(Buyer).where(Buyer.country == "CN", Buyer.grade <= 6).order_by(Buyer.registration_number)
    ).all()
    if not chosen or not buyers:
        return 0
    previous = get_clock()
    made = 0
    try:
        _at(POOL_STARTS)
        policies = [
            issue_policy(
                session,
                system,
                product=product,
                policyholder_id=holder_id,
                terms=product.terms,
                period_start=POOL_STARTS,
                period_end=POLICY_END,
                rate_table_id=table.id,
                preferential_discount=Rate(table.preferential_discount),
            )
            for holder_id in chosen
        ]
        used: set[uuid.UUID] = set()
        for n, policy in enumerate(policies):
            _at(POOL_STARTS + dt.timedelta(days=4 + n))
            for buyer in rng.sample(list(buyers), min(LIMITS_EACH, len(buyers))):
                used.add(buyer.id)
                amount = Money.of(rng.randrange(200, 3000) * 1000, "CNY")
                try:
                    with session.begin_nested():
                        request_limit(session, system, policy.id, buyer.id, amount)
                        made += 1
                except DomainError:
                    continue  # a rule refused the request itself (a live limit on that buyer already)
        fresh = next((b.id for b in buyers if b.id not in used), None)
        if fresh is not None:
            made += _large_referral(session, policies[0].id, fresh)
    finally:
        set_clock(previous)
    return made


def _large_referral(session: Session, policy_id: uuid.UUID, buyer_id: uuid.UUID) -> int:
    """A request above the instant band, referred, approved by the leader's underwriter within capacity."""
    _at(POOL_STARTS + dt.timedelta(days=14))
    try:
        with session.begin_nested():
            limit = request_limit(session, Actor.system(), policy_id, buyer_id, LARGE_REQUEST)
            underwriter = session.scalars(select(User).where(User.email == LEADER_UNDERWRITER)).first()
            if limit.status is LimitStatus.REFERRED and underwriter is not None:
                approve_referral(session, actor_for(underwriter), limit.id, note="pool capacity checked")
    except DomainError:
        return 0
    return 1
