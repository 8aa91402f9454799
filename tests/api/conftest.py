"""An API on the test's rolled-back connection, and a small world of organisations, users and keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from tradecover.api.app import create_api
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.parties.actor import Actor
from tradecover.parties.model import ApiKey, Organisation, User
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user, issue_api_key


@dataclass(frozen=True)
class Member:
    """A seeded user with its organisation and a working API key."""

    organisation: Organisation
    user: User
    key: ApiKey
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of this member's key."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class World:
    """The platform admin, and for each of organisations A and B an insurer admin and a policyholder."""

    admin: Member
    insurer_a: Member
    policyholder_a: Member
    insurer_b: Member
    policyholder_b: Member


def _member(db: Session, organisation: Organisation, email: str, role: Role) -> Member:
    user = create_user(
        db,
        Actor.system(),
        organisation_id=organisation.id,
        email=email,
        full_name=email.split("@")[0].replace(".", " ").title(),
        roles=[role],
    )
    key, token = issue_api_key(db, actor_for(user), f"{email} test key")
    return Member(organisation, user, key, token)


def _organisation(db: Session, name: str, kind: OrganisationKind, country: str = "CN") -> Organisation:
    return create_organisation(db, Actor.system(), name=name, kind=kind, country=country)


@pytest.fixture
def world(db: Session) -> World:
    """Seed the world through the services and commit it (a savepoint on the test's connection)."""
    operator = _organisation(db, "Platform operator", OrganisationKind.PLATFORM_OPERATOR)
    insurer_a = _organisation(db, "A Credit Insurance", OrganisationKind.INSURER)
    holder_a = _organisation(db, "A Exports Yiwu", OrganisationKind.POLICYHOLDER)
    insurer_b = _organisation(db, "B Surety", OrganisationKind.INSURER, "DE")
    holder_b = _organisation(db, "B Trading Shenzhen", OrganisationKind.POLICYHOLDER)
    seeded = World(
        admin=_member(db, operator, "admin@platform.example", Role.PLATFORM_ADMIN),
        insurer_a=_member(db, insurer_a, "admin@a-insurance.example", Role.INSURER_ADMIN),
        policyholder_a=_member(db, holder_a, "owner@a-exports.example", Role.POLICYHOLDER),
        insurer_b=_member(db, insurer_b, "admin@b-surety.example", Role.INSURER_ADMIN),
        policyholder_b=_member(db, holder_b, "owner@b-trading.example", Role.POLICYHOLDER),
    )
    db.commit()
    return seeded


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions on the test's connection: their commits release savepoints, the test rolls all back."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def api(sessions: sessionmaker[Session]) -> FastAPI:
    """The API application on the test's connection."""
    return create_api(sessions)


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the API (server errors come back as 500 answers, as a client sees them)."""
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def fresh(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A new unrestricted session to read what the API left in the database."""
    session = sessions()
    set_tenant(session, Tenant.unrestricted())
    yield session
    session.close()
