"""Fixtures for the limit tests: an insurer with two underwriters, an exporter with a policy, buyers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

# The API fixtures (an app on the test's connection, a client, a world of organisations with keys).
from tests.api.conftest import api, client, sessions, world  # noqa: F401

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind, terms_in_currency
from tradecover.reference.fx import fx_rate

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 June 2026 during each limit test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def member(db: Session, organisation_id: uuid.UUID, role: Role) -> Actor:
    """A new user of the organisation with one role, as an actor."""
    user = create_user(
        db,
        Actor.system(),
        organisation_id=organisation_id,
        email=f"{uuid.uuid4().hex}@example.org",
        full_name="A Person",
        roles=[role],
    )
    return actor_for(user)


def new_buyer(
    db: Session,
    *,
    grade: int = 4,
    country: str = "US",
    sector: str = "electronics",
    kind: BuyerKind = BuyerKind.COMPANY,
) -> Buyer:
    """A newly registered buyer."""
    return register_buyer(
        db,
        Actor.system(),
        name=f"Buyer {uuid.uuid4().hex[:8]}",
        country=country,
        registration_number=uuid.uuid4().hex[:12].upper(),
        kind=kind,
        sector=sector,
        grade=grade,
    )


@dataclass
class Book:
    """An insurer (two underwriters, an admin), an exporter with an export policy in USD, one buyer."""

    insurer_id: uuid.UUID
    underwriter: Actor
    second_underwriter: Actor
    insurer_admin: Actor
    exporter: Actor
    policy: Policy
    buyer: Buyer


def issue_export_policy(
    db: Session, admin: Actor, insurer_id: uuid.UUID, policyholder_id: uuid.UUID, currency: str = "USD"
) -> Policy:
    """An export whole-turnover policy of the insurer's product for a year from 1 January 2026."""
    install_products(db, admin, insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
    product = db.scalars(
        select(Product).where(
            Product.insurer_id == insurer_id, Product.kind == ProductKind.EXPORT_WHOLE_TURNOVER
        )
    ).one()
    terms = product.terms
    if currency != terms.currency:
        terms = terms_in_currency(terms, currency, fx_rate(terms.currency, currency, TODAY))
    return issue_policy(
        db,
        admin,
        product=product,
        policyholder_id=policyholder_id,
        terms=terms,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=None,
    )


def open_book(db: Session) -> Book:
    """A fresh insurer, exporter, policy and buyer."""
    system = Actor.system()
    insurer = create_organisation(
        db, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
    )
    exporter = create_organisation(
        db, system, name=f"Exporter {uuid.uuid4()}", kind=OrganisationKind.POLICYHOLDER, country="CN"
    )
    admin = member(db, insurer.id, Role.INSURER_ADMIN)
    return Book(
        insurer_id=insurer.id,
        underwriter=member(db, insurer.id, Role.UNDERWRITER),
        second_underwriter=member(db, insurer.id, Role.UNDERWRITER),
        insurer_admin=admin,
        exporter=member(db, exporter.id, Role.POLICYHOLDER),
        policy=issue_export_policy(db, admin, insurer.id, exporter.id),
        buyer=new_buyer(db),
    )


@pytest.fixture
def book(db: Session) -> Book:
    """An insurer, an exporter with an export policy in USD, and a US buyer of grade 4."""
    return open_book(db)


def usd(amount: int | str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")
