"""Racing limit requests on a pool policy never take a member's capacity below zero (SQLite and PostgreSQL).

Each request runs in its own thread, session, connection and committed transaction against a database
made for the test, so the locks on the pool's member rows are the only thing that keeps them apart.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from tests.concurrency.test_capacity_races import committed_engine  # noqa: F401

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.model import PoolLimitTake, PoolMember
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import COVERING_STATUSES, CreditLimit, LimitStatus
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

REQUESTS = 12
EACH = Money.of(1_000_000, "CNY")
SHARES = (Decimal("0.4"), Decimal("0.35"), Decimal("0.25"))
# The second member's capacity is the tightest: CNY 1,400,000 = its 35% of CNY 4,000,000.
CAPACITIES = (Money.of(10_000_000, "CNY"), Money.of(1_400_000, "CNY"), Money.of(10_000_000, "CNY"))


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """Mid-June 2026, for every thread."""
    previous = set_clock(FixedClock(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)))
    yield
    set_clock(previous)


def _user(session: object, organisation_id: uuid.UUID, role: Role) -> Actor:
    user = create_user(
        session,  # type: ignore[arg-type]
        Actor.system(),
        organisation_id=organisation_id,
        email=f"{uuid.uuid4().hex}@example.org",
        full_name="A Person",
        roles=[role],
    )
    return actor_for(user)


def _prepare(engine: Engine) -> tuple[Actor, uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        system = Actor.system()
        insurers = [
            create_organisation(
                session, system, name=f"Member {n}", kind=OrganisationKind.INSURER, country="CN"
            )
            for n in range(3)
        ]
        pool = create_pool(
            session,
            system,
            name="Racing pool",
            country="CN",
            currency="CNY",
            leader_id=insurers[0].id,
            leader_commission=Decimal("0.05"),
            members=[
                MemberPlan(i.id, share, capacity)
                for i, share, capacity in zip(insurers, SHARES, CAPACITIES, strict=True)
            ],
        )
        admin = _user(session, insurers[0].id, Role.INSURER_ADMIN)
        install_products(session, admin, pool.id, kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == pool.id)).one()
        exporter = create_organisation(
            session, system, name="Racing exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        policy = issue_policy(
            session,
            admin,
            product=product,
            policyholder_id=exporter.id,
            terms=product.terms,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            rate_table_id=None,
        )
        buyers = [
            register_buyer(
                session,
                system,
                name=f"Racing buyer {n}",
                country="CN",
                registration_number=f"POOLRACE-{n:03d}",
                kind=BuyerKind.COMPANY,
                sector="electronics",
                grade=3,
            ).id
            for n in range(REQUESTS)
        ]
        return _user(session, exporter.id, Role.POLICYHOLDER), policy.id, pool.id, buyers


def test_racing_requests_never_take_a_members_capacity_below_zero(committed_engine: Engine) -> None:  # noqa: F811
    exporter, policy_id, pool_id, buyer_ids = _prepare(committed_engine)
    factory = session_factory(committed_engine)
    start = threading.Barrier(REQUESTS)
    outcomes: dict[uuid.UUID, tuple[LimitStatus, str | None, Money]] = {}
    failures: list[BaseException] = []

    def ask(buyer_id: uuid.UUID) -> None:
        try:
            start.wait()
            with unit_of_work(factory, exporter.tenant) as session:
                limit = request_limit(session, exporter, policy_id, buyer_id, EACH)
                outcomes[buyer_id] = (limit.status, limit.reason, limit.amount)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=ask, args=(buyer_id,)) for buyer_id in buyer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(outcomes) == REQUESTS
    statuses = sorted(status.value for status, _, _ in outcomes.values())
    # Four requests of CNY 1,000,000 fit whole (Ping An's 35% of each: 350,000 × 4 = 1,400,000).
    assert statuses.count("approved") == 4
    assert statuses.count("declined") == REQUESTS - 4
    for status, reason, _ in outcomes.values():
        if status is LimitStatus.DECLINED:
            assert reason == "declined: Member 1's share of the pool has CNY 0 left in total"
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        members = session.scalars(select(PoolMember).where(PoolMember.pool_id == pool_id)).all()
        for m in members:
            used = session.scalar(
                select(func.coalesce(func.sum(PoolLimitTake.amount_minor), 0)).where(
                    PoolLimitTake.insurer_id == m.insurer_id
                )
            )
            assert 0 <= int(used or 0) <= m.total_capacity_minor
        granted = session.scalar(
            select(func.sum(CreditLimit.amount_minor)).where(CreditLimit.status.in_(COVERING_STATUSES))
        )
        taken = session.scalar(select(func.sum(PoolLimitTake.amount_minor)))
    assert granted == taken == 4 * EACH.minor_units
