"""Fixtures for the declaration pages: the web test world with an export policy and a limit on a buyer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import issue_export_policy, new_buyer, usd

# The web fixtures: sessions on the test's connection, the seeded world, a browser-like client.
from tests.web.conftest import World, client, sessions, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.limits.decisions import request_limit
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for


@dataclass(frozen=True)
class Cover:
    """The policyholder's USD export policy, a buyer with a USD 100,000 limit, and its registry keys."""

    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    buyer_country: str
    buyer_registration: str


@pytest.fixture
def cover(sessions: sessionmaker[Session], world: World) -> Cover:  # noqa: F811
    """Issue the policy, register the buyer and approve its limit, committed for the pages to see."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:

        def user(role: Role) -> User:
            return session.scalars(select(User).where(User.email == world.emails[role])).one()

        policy = issue_export_policy(
            session,
            actor_for(user(Role.INSURER_ADMIN)),
            world.organisations[Role.INSURER_ADMIN],
            world.organisations[Role.POLICYHOLDER],
        )
        buyer = new_buyer(session)
        request_limit(session, actor_for(user(Role.POLICYHOLDER)), policy.id, buyer.id, usd(100_000))
        return Cover(policy.id, buyer.id, buyer.country, buyer.registration_number)
