"""A small market: three insurers with their own products and rates, an exporter and a domestic seller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tradecover.clock import get_clock
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.products import install_products
from tradecover.policies.quotes import TurnoverLine
from tradecover.policies.terms import ProductKind

SYSTEM = Actor.system()


@dataclass(frozen=True)
class Market:
    """Insurers (each with an underwriter and an admin) and policyholders, as actors."""

    insurers: list[Organisation]
    underwriters: list[Actor]
    admins: list[Actor]
    exporter: Organisation
    exporter_actor: Actor
    domestic: Organisation
    domestic_actor: Actor

    def start(self) -> dt.date:
        """A period start in the future (requests may not start in the past)."""
        return get_clock().today() + dt.timedelta(days=7)


def _user(db: Session, organisation: Organisation, email: str, role: Role) -> Actor:
    user = create_user(
        db, SYSTEM, organisation_id=organisation.id, email=email, full_name=email.split("@")[0], roles=[role]
    )
    return actor_for(user)


@pytest.fixture
def market(db: Session) -> Market:
    """Insurers at rate levels 1.0, 0.8 and 1.3; the third refuses the USA and reviews quotes by hand."""
    insurers, underwriters, admins = [], [], []
    for index, (name, level) in enumerate(
        (("Alpha Credit", "1.0"), ("Beta Surety", "0.8"), ("Gamma ECA", "1.3"))
    ):
        insurer = create_organisation(db, SYSTEM, name=name, kind=OrganisationKind.INSURER, country="CN")
        changes = {ProductKind.EXPORT_WHOLE_TURNOVER: {"refused_countries": ("US",)}} if index == 2 else {}
        install_products(
            db,
            SYSTEM,
            insurer.id,
            rate_level=Decimal(level),
            preferential_discount=Rate.percent("10") if index == 1 else Rate.of(0),
            term_changes=changes,
            manual_quotes=[ProductKind.DOMESTIC_WHOLE_TURNOVER] if index == 2 else [],
        )
        insurers.append(insurer)
        underwriters.append(_user(db, insurer, f"uw{index}@insurer.example", Role.UNDERWRITER))
        admins.append(_user(db, insurer, f"admin{index}@insurer.example", Role.INSURER_ADMIN))
    exporter = create_organisation(
        db, SYSTEM, name="Yiwu Lamps", kind=OrganisationKind.POLICYHOLDER, country="CN", region="Yiwu"
    )
    domestic = create_organisation(
        db, SYSTEM, name="Hangzhou Pumps", kind=OrganisationKind.POLICYHOLDER, country="CN"
    )
    return Market(
        insurers,
        underwriters,
        admins,
        exporter,
        _user(db, exporter, "owner@yiwu-lamps.example", Role.POLICYHOLDER),
        domestic,
        _user(db, domestic, "owner@hz-pumps.example", Role.POLICYHOLDER),
    )


def usd(amount: str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")


def export_book() -> list[TurnoverLine]:
    """USD 2m to the USA, USD 1m to Germany."""
    return [TurnoverLine("US", usd("2000000")), TurnoverLine("DE", usd("1000000"))]
