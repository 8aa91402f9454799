"""Fixtures for premium tests: an insurer, an exporter with a rated USD policy, a buyer with a limit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.conftest import api, client, sessions, world  # noqa: F401
from tests.limits.conftest import member, new_buyer

from tradecover.buyers.model import Buyer
from tradecover.clock import FixedClock, set_clock
from tradecover.declarations.model import Shipment
from tradecover.declarations.service import ShipmentDeclaration, declare_shipment
from tradecover.limits.decisions import request_limit
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products, rate_table_for
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 15 June 2026 during each premium test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def usd(amount: int | str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")


@dataclass
class PremiumBook:
    """An insurer (admin), an exporter with a rated USD export policy for 2026, a buyer with a limit."""

    db: Session
    insurer_id: uuid.UUID
    exporter_id: uuid.UUID
    insurer_admin: Actor
    exporter: Actor
    policy: Policy
    buyer: Buyer

    def ship(self, invoice: str, amount: int | str, shipped: dt.date, credit_days: int = 60) -> Shipment:
        """Declare a shipment on the book's buyer as the exporter."""
        return declare_shipment(
            self.db,
            self.exporter,
            self.policy.id,
            ShipmentDeclaration(
                buyer_id=self.buyer.id,
                invoice_number=invoice,
                amount=usd(amount),
                shipment_date=shipped,
                due_date=shipped + dt.timedelta(days=credit_days),
            ),
        )


def rated_policy(
    db: Session,
    admin: Actor,
    insurer_id: uuid.UUID,
    policyholder_id: uuid.UUID,
    *,
    discount: str = "0",
    minimum_premium: str | None = None,
) -> Policy:
    """An export policy for 2026 with the insurer's rate table and a preferential discount."""
    install_products(db, admin, insurer_id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
    product = db.scalars(
        select(Product).where(
            Product.insurer_id == insurer_id, Product.kind == ProductKind.EXPORT_WHOLE_TURNOVER
        )
    ).one()
    terms = product.terms
    if minimum_premium is not None:
        terms = terms.replace(minimum_premium=usd(minimum_premium))
    return issue_policy(
        db,
        admin,
        product=product,
        policyholder_id=policyholder_id,
        terms=terms,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        rate_table_id=rate_table_for(db, product).id,
        preferential_discount=Rate(Decimal(discount)),
    )


def open_premium_book(
    db: Session,
    *,
    discount: str = "0",
    minimum_premium: str | None = None,
    insurer_id: uuid.UUID | None = None,
    region: str | None = None,
    exports_usd: int | None = None,
    exporter_id: uuid.UUID | None = None,
) -> PremiumBook:
    """A fresh exporter with a rated policy of a fresh insurer (or of `insurer_id`, e.g. a pool) and a
    buyer (grade 4, US) with a USD 400,000 limit."""
    system = Actor.system()
    if insurer_id is None:
        insurer_id = create_organisation(
            db, system, name=f"Insurer {uuid.uuid4()}", kind=OrganisationKind.INSURER, country="CN"
        ).id
        admin = member(db, insurer_id, Role.INSURER_ADMIN)
    else:
        admin = system
    if exporter_id is None:
        exporter_id = create_organisation(
            db,
            system,
            name=f"Exporter {uuid.uuid4()}",
            kind=OrganisationKind.POLICYHOLDER,
            country="CN",
            region=region,
            is_sme=True if region else None,
            prior_year_exports=None if exports_usd is None else usd(exports_usd),
        ).id
    exporter_actor = member(db, exporter_id, Role.POLICYHOLDER)
    policy = rated_policy(
        db, admin, insurer_id, exporter_id, discount=discount, minimum_premium=minimum_premium
    )
    buyer = new_buyer(db)
    # The limit was approved at the start of the year, so that shipments of any month of it are covered.
    previous = set_clock(FixedClock(dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC)))
    try:
        request_limit(db, exporter_actor, policy.id, buyer.id, usd(400_000))
    finally:
        set_clock(previous)
    return PremiumBook(db, insurer_id, exporter_id, admin, exporter_actor, policy, buyer)


@pytest.fixture
def book(db: Session) -> PremiumBook:
    """A rated policy with a limited buyer."""
    return open_premium_book(db)
