"""Fixtures for the limit pages: the web test world (one user per role) with an export policy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.limits.conftest import issue_export_policy, new_buyer

# The web fixtures: sessions on the test's connection, the seeded world, a browser-like client.
from tests.web.conftest import World, client, sessions, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for


@dataclass(frozen=True)
class Cover:
    """The policyholder's export policy from the underwriter's insurer, and two buyers."""

    policy_id: uuid.UUID
    buyer_id: uuid.UUID
    other_buyer_id: uuid.UUID


@pytest.fixture
def cover(sessions: sessionmaker[Session], world: World) -> Cover:  # noqa: F811
    """Issue the policy and register the buyers, committed for the pages to see."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        admin = session.scalars(select(User).where(User.email == world.emails[Role.INSURER_ADMIN])).one()
        policy = issue_export_policy(
            session,
            actor_for(admin),
            world.organisations[Role.INSURER_ADMIN],
            world.organisations[Role.POLICYHOLDER],
        )
        return Cover(policy.id, new_buyer(session).id, new_buyer(session).id)
