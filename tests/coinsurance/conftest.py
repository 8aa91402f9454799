"""Fixtures for the pool tests: three insurers in a 40/35/25 pool in CNY, an outsider, an exporter
with a domestic policy from the pool, and Chinese buyers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

# The API fixtures (an app on the test's connection, a client, a world of organisations with keys).
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import member, new_buyer

from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.service import MemberPlan, PoolView, create_pool
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

TODAY = dt.date(2026, 6, 15)
SHARES = (Decimal("0.40"), Decimal("0.35"), Decimal("0.25"))
NAMES = ("PICC Property and Casualty", "Ping An Property and Casualty", "China Pacific Property")


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 June 2026 during each pool test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def cny(amount: int | str) -> Money:
    """Renminbi."""
    return Money.of(amount, "CNY")


AMPLE = cny(100_000_000)


@dataclass
class Insurer:
    """An insurer with an underwriter and an admin."""

    id: uuid.UUID
    name: str
    underwriter: Actor
    admin: Actor


@dataclass
class PoolBook:
    """A pool of three insurers (the first leads), an outsider insurer, an exporter with a pool policy."""

    pool: PoolView
    members: list[Insurer]
    outsider: Insurer
    exporter: Actor
    policy: Policy
    buyer: Buyer

    @property
    def leader(self) -> Insurer:
        """The leading member."""
        return self.members[0]


def new_insurer(db: Session, name: str) -> Insurer:
    """A new insurer with one underwriter and one admin."""
    org = create_organisation(
        db, Actor.system(), name=f"{name} {uuid.uuid4().hex[:6]}", kind=OrganisationKind.INSURER, country="CN"
    )
    return Insurer(
        org.id, org.name, member(db, org.id, Role.UNDERWRITER), member(db, org.id, Role.INSURER_ADMIN)
    )


def open_pool(
    db: Session,
    *,
    total: Money = AMPLE,
    per_buyer: tuple[Money | None, ...] = (None, None, None),
) -> PoolBook:
    """A fresh pool (members' total capacity `total` each), a domestic policy of it, and a CN buyer."""
    insurers = [new_insurer(db, name) for name in NAMES]
    outsider = new_insurer(db, "Outside Insurer")
    pool = create_pool(
        db,
        Actor.system(),
        name=f"Domestic Pool {uuid.uuid4().hex[:6]}",
        country="CN",
        currency="CNY",
        leader_id=insurers[0].id,
        leader_commission=Decimal("0.05"),
        members=[
            MemberPlan(i.id, share, total, buyer_cap)
            for i, share, buyer_cap in zip(insurers, SHARES, per_buyer, strict=True)
        ],
        starts_on=dt.date(2025, 6, 12),
    )
    leader_admin = insurers[0].admin
    install_products(db, leader_admin, pool.id, kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER])
    product = db.scalars(select(Product).where(Product.insurer_id == pool.id)).one()
    exporter_org = create_organisation(
        db,
        Actor.system(),
        name=f"Exporter {uuid.uuid4().hex[:6]}",
        kind=OrganisationKind.POLICYHOLDER,
        country="CN",
    )
    policy = issue_policy(
        db,
        leader_admin,
        product=product,
        policyholder_id=exporter_org.id,
        terms=product.terms,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=None,
    )
    return PoolBook(
        pool=pool,
        members=insurers,
        outsider=outsider,
        exporter=member(db, exporter_org.id, Role.POLICYHOLDER),
        policy=policy,
        buyer=new_buyer(db, country="CN", sector="electronics"),
    )


@pytest.fixture
def pool_book(db: Session) -> PoolBook:
    """A 40/35/25 pool with ample capacity and a domestic policy of it."""
    return open_pool(db)
