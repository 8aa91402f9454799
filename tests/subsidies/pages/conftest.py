"""Fixtures for the subsidy pages: the web test world (one user per role) and an export policy."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

# The web fixtures: sessions on the test's connection, the seeded world, a browser-like client.
from tests.web.conftest import World, client, sessions, world  # noqa: F401

from tradecover.db.session import unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.money import Money
from tradecover.parties.model import User
from tradecover.parties.roles import Role
from tradecover.parties.service import actor_for
from tradecover.policies.model import Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.service import commit_subsidy


@pytest.fixture
def policy_id(sessions: sessionmaker[Session], world: World) -> uuid.UUID:  # noqa: F811
    """The policyholder's export policy for 2025 from the web world's insurer."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        admin = actor_for(
            session.scalars(select(User).where(User.email == world.emails[Role.INSURER_ADMIN])).one()
        )
        insurer_id = world.organisations[Role.INSURER_ADMIN]
        install_products(session, admin, insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        product = session.scalars(select(Product).where(Product.insurer_id == insurer_id)).one()
        return issue_policy(
            session,
            admin,
            product=product,
            policyholder_id=world.organisations[Role.POLICYHOLDER],
            terms=product.terms,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            rate_table_id=None,
        ).id


def invoice(sessions: sessionmaker[Session], world: World, policy_id: uuid.UUID, premium: str) -> None:  # noqa: F811
    """An invoice of the policyholder's premium (USD) commits the programmes' shares, as premiums does."""
    with unit_of_work(sessions, Tenant.unrestricted()) as session:
        commit_subsidy(
            session,
            invoice_id=uuid.uuid4(),
            policy_id=policy_id,
            policyholder_id=world.organisations[Role.POLICYHOLDER],
            product_kind="export_whole_turnover",
            premium=Money.of(premium, "USD"),
            on=dt.date(2025, 6, 16),
        )
