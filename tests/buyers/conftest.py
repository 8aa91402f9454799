"""Fixtures for the buyer tests: members of organisations of each kind, and one registered buyer."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user

MemberFactory = Callable[[OrganisationKind, Role], Actor]


@pytest.fixture
def member_of(db: Session) -> MemberFactory:
    """Make a new organisation of a kind with one user holding a role; return that user's actor."""

    def make(kind: OrganisationKind, role: Role) -> Actor:
        system = Actor.system()
        organisation = create_organisation(db, system, name=f"{kind} {uuid.uuid4()}", kind=kind, country="CN")
        user = create_user(
            db,
            system,
            organisation_id=organisation.id,
            email=f"{uuid.uuid4().hex}@example.org",
            full_name="A Person",
            roles=[role],
        )
        return actor_for(user)

    return make


@pytest.fixture
def underwriter(member_of: MemberFactory) -> Actor:
    """An underwriter of an insurer."""
    return member_of(OrganisationKind.INSURER, Role.UNDERWRITER)


@pytest.fixture
def buyer(db: Session) -> Buyer:
    """A US retailer of grade 4."""
    return register_buyer(
        db,
        Actor.system(),
        name="Bluewater Retail Inc.",
        country="US",
        registration_number="12-3456789",
        kind=BuyerKind.COMPANY,
        sector="retail_wholesale",
        grade=4,
    )
