"""Fixtures for the Risk pages: the web test world, with limits of its insurer in force."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import issue_export_policy, new_buyer

# The web fixtures: sessions on the test's connection, the seeded world, a browser-like client.
from tests.web.conftest import World, client, sessions, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.decisions import request_limit
from tradecover.money import Money
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for


def seed_book(session: Session, seeded: World) -> list[uuid.UUID]:
    """The world's insurer writes an export policy for the world's exporter, with limits on three buyers."""
    admin = session.scalars(select(User).where(User.email == seeded.emails[Role.INSURER_ADMIN])).one()
    holder = session.scalars(select(User).where(User.email == seeded.emails[Role.POLICYHOLDER])).one()
    policy = issue_export_policy(
        session,
        actor_for(admin),
        seeded.organisations[Role.INSURER_ADMIN],
        seeded.organisations[Role.POLICYHOLDER],
    )
    buyers = [
        new_buyer(session, grade=4, country="US", sector="consumer_goods"),
        new_buyer(session, grade=5, country="US", sector="machinery"),
        new_buyer(session, grade=3, country="DE", sector="electronics"),
    ]
    for buyer, amount in zip(buyers, ("250000", "120000", "90000"), strict=True):
        limit = request_limit(session, actor_for(holder), policy.id, buyer.id, Money.of(amount, "USD"))
        assert limit.amount_minor > 0, limit.reason
    return [b.id for b in buyers]


@pytest.fixture
def book(sessions: sessionmaker[Session], world: World) -> list[uuid.UUID]:  # noqa: F811
    """The insurer's book, committed for the pages to see."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        return seed_book(session, world)
