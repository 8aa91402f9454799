"""A small hand-built book: one insurer, two exporters, limits on US, German and Chinese buyers."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

# The API fixtures and the limit tests' builders (clock at 15 June 2026, a policy for 2026).
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import TODAY, clock, issue_export_policy, member, new_buyer  # noqa: F401

from tradecover.buyers.model import Buyer, BuyerKind
from tradecover.limits.decisions import request_limit
from tradecover.limits.model import CreditLimit
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

__all__ = ["TODAY", "RiskBook", "risk_book"]


@dataclass
class RiskBook:
    """The insurer and its staff, two exporters with USD policies, a regulator, the buyers and limits."""

    insurer_id: uuid.UUID
    insurer_name: str
    admin: Actor
    underwriter: Actor
    other_insurer: Actor
    regulator: Actor
    exporter_a: Actor
    exporter_b: Actor
    policy_a: Policy
    policy_b: Policy
    policy_d: Policy
    us_buyer: Buyer
    de_buyer: Buyer
    cn_public: Buyer
    limits: list[CreditLimit]


def issue_policy_of_kind(
    db: Session, admin: Actor, insurer_id: uuid.UUID, holder_id: uuid.UUID, kind: ProductKind
) -> Policy:
    """A policy of the insurer's product of that kind for 2026, in the product's currency."""
    install_products(db, admin, insurer_id, kinds=[kind])
    product = db.scalars(select(Product).where(Product.insurer_id == insurer_id, Product.kind == kind)).one()
    return issue_policy(
        db,
        admin,
        product=product,
        policyholder_id=holder_id,
        terms=product.terms,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=None,
    )


def _limit(db: Session, holder: Actor, policy: Policy, buyer: Buyer, amount: str) -> CreditLimit:
    limit = request_limit(db, holder, policy.id, buyer.id, Money.of(amount, policy.currency))
    assert limit.amount_minor == Money.of(amount, policy.currency).minor_units, limit.reason
    return limit


def build_risk_book(db: Session) -> RiskBook:
    """The book: A has 100,000 on the US buyer and 50,000 on the German one; B 60,000 on the US buyer
    and, under a domestic policy, 40,000 on a Chinese local government."""
    system = Actor.system()
    insurer = create_organisation(
        db, system, name=f"Risk Insurer {uuid.uuid4().hex[:6]}", kind=OrganisationKind.INSURER, country="CN"
    )
    other = create_organisation(
        db, system, name=f"Other Insurer {uuid.uuid4().hex[:6]}", kind=OrganisationKind.INSURER, country="DE"
    )
    regulator = create_organisation(
        db, system, name=f"Regulator {uuid.uuid4().hex[:6]}", kind=OrganisationKind.REGULATOR, country="CN"
    )
    holders = [
        create_organisation(
            db, system, name=f"Exporter {x} {uuid.uuid4().hex[:6]}", kind=OrganisationKind.POLICYHOLDER,
            country="CN",
        )
        for x in ("A", "B")
    ]  # fmt: skip
    admin = member(db, insurer.id, Role.INSURER_ADMIN)
    exporter_a, exporter_b = (member(db, h.id, Role.POLICYHOLDER) for h in holders)
    policy_a = issue_export_policy(db, admin, insurer.id, holders[0].id)
    policy_b = issue_export_policy(db, admin, insurer.id, holders[1].id)
    policy_d = issue_policy_of_kind(db, admin, insurer.id, holders[1].id, ProductKind.DOMESTIC_WHOLE_TURNOVER)
    us = new_buyer(db, grade=4, country="US", sector="electronics")
    de = new_buyer(db, grade=2, country="DE", sector="machinery")
    cn = new_buyer(db, grade=3, country="CN", sector="construction", kind=BuyerKind.LOCAL_GOVERNMENT)
    limits = [
        _limit(db, exporter_a, policy_a, us, "100000"),
        _limit(db, exporter_a, policy_a, de, "50000"),
        _limit(db, exporter_b, policy_b, us, "60000"),
        _limit(db, exporter_b, policy_d, cn, "40000"),
    ]
    return RiskBook(
        insurer_id=insurer.id,
        insurer_name=insurer.name,
        admin=admin,
        underwriter=member(db, insurer.id, Role.UNDERWRITER),
        other_insurer=member(db, other.id, Role.INSURER_ADMIN),
        regulator=member(db, regulator.id, Role.REGULATOR),
        exporter_a=exporter_a,
        exporter_b=exporter_b,
        policy_a=policy_a,
        policy_b=policy_b,
        policy_d=policy_d,
        us_buyer=us,
        de_buyer=de,
        cn_public=cn,
        limits=limits,
    )


@pytest.fixture
def risk_book(db: Session) -> RiskBook:
    """The small book of `build_risk_book`."""
    return build_risk_book(db)
