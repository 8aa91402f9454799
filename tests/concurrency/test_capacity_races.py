"""Racing limit requests never overcommit an insurer's capacity, on SQLite and on PostgreSQL.

Each request runs in its own thread, session, connection and committed transaction against a real
database made for the test (not the rolled-back `db` fixture), so the locks are the only thing that
keeps them apart.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import BACKENDS, own_database

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.capacity import set_capacity
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import COVERING_STATUSES, Capacity, CreditLimit, LimitStatus
from tradecover.limits.rules import DecidingRule
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

REQUESTS = 20
EACH = Money.of(150_000, "USD")
CAPACITY = Money.of(1_000_000, "USD")


@pytest.fixture(params=BACKENDS)
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of its own for one test, whose transactions really commit."""
    with own_database(request.param, tmp_path, "tradecover_race") as engine:
        yield engine


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """Mid-June 2026, for every thread."""
    previous = set_clock(FixedClock(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)))
    yield
    set_clock(previous)


@dataclass
class Race:
    """An exporter with a policy, and as many buyers as racing requests."""

    exporter: Actor
    policy_id: uuid.UUID
    insurer_id: uuid.UUID
    buyer_ids: list[uuid.UUID]


def _member(session: object, organisation_id: uuid.UUID, role: Role) -> Actor:
    user = create_user(
        session,  # type: ignore[arg-type]
        Actor.system(),
        organisation_id=organisation_id,
        email=f"{uuid.uuid4().hex}@example.org",
        full_name="A Person",
        roles=[role],
    )
    return actor_for(user)


def _prepare(engine: Engine) -> Race:
    factory = session_factory(engine)
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        system = Actor.system()
        insurer = create_organisation(
            session, system, name="Racing insurer", kind=OrganisationKind.INSURER, country="CN"
        )
        exporter = create_organisation(
            session, system, name="Racing exporter", kind=OrganisationKind.POLICYHOLDER, country="CN"
        )
        admin = _member(session, insurer.id, Role.INSURER_ADMIN)
        install_products(session, admin, insurer.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == insurer.id)).one()
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
        set_capacity(session, admin, insurer.id, "total", "", CAPACITY)
        buyer_ids = [
            register_buyer(
                session,
                system,
                name=f"Racing buyer {n}",
                country="US",
                registration_number=f"RACE-{n:03d}",
                kind=BuyerKind.COMPANY,
                sector="electronics",
                grade=3,
            ).id
            for n in range(REQUESTS)
        ]
        return Race(_member(session, exporter.id, Role.POLICYHOLDER), policy.id, insurer.id, buyer_ids)


def test_racing_requests_never_take_more_than_the_capacity(committed_engine: Engine) -> None:
    race = _prepare(committed_engine)
    factory = session_factory(committed_engine)
    start = threading.Barrier(REQUESTS)
    outcomes: dict[uuid.UUID, tuple[LimitStatus, DecidingRule | None, str | None, Money]] = {}
    failures: list[BaseException] = []

    def ask(buyer_id: uuid.UUID) -> None:
        try:
            start.wait()
            with unit_of_work(factory, race.exporter.tenant) as session:
                limit = request_limit(session, race.exporter, race.policy_id, buyer_id, EACH)
                outcomes[buyer_id] = (limit.status, limit.rule, limit.reason, limit.amount)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=ask, args=(buyer_id,)) for buyer_id in race.buyer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(outcomes) == REQUESTS
    granted = [amount for status, _, _, amount in outcomes.values() if status in COVERING_STATUSES]
    total = sum((amount for amount in granted), Money.zero("USD"))
    assert total <= CAPACITY
    # 6 × 150,000 fit whole; one more gets the 100,000 left; the rest find none.
    assert total == CAPACITY
    statuses = sorted(status.value for status, _, _, _ in outcomes.values())
    assert statuses.count("approved") == 6
    assert statuses.count("partly_approved") == 1
    assert statuses.count("declined") == REQUESTS - 7
    for status, rule, reason, _ in outcomes.values():
        if status is LimitStatus.PARTLY_APPROVED:
            assert reason == "partly approved: USD 100,000 of 150,000 — total capacity left"
        if status is LimitStatus.DECLINED:
            assert rule is DecidingRule.CAPACITY_EXHAUSTED
            assert reason == "declined: no total capacity left"
    with unit_of_work(factory, Tenant.unrestricted()) as session:
        committed = session.scalar(
            select(Capacity.committed_usd_minor).where(Capacity.insurer_id == race.insurer_id)
        )
        held = session.scalar(
            select(func.sum(CreditLimit.capacity_usd_minor)).where(CreditLimit.status.in_(COVERING_STATUSES))
        )
    assert committed == held == CAPACITY.minor_units
