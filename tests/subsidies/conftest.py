"""Fixtures for the subsidy tests: a commerce bureau with an officer, exporters with facts, an insurer."""

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
from tests.limits.conftest import member

from tradecover.clock import FixedClock, set_clock
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import create_organisation
from tradecover.policies.model import Policy, Product
from tradecover.policies.products import install_products
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.model import SubsidyProgramme
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget

TODAY = dt.date(2025, 6, 16)
YEAR = 2025


@pytest.fixture(autouse=True)
def clock() -> Iterator[FixedClock]:
    """The platform clock stands at noon on 16 June 2025 during each subsidy test."""
    fixed = FixedClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


def cny(amount: int | str) -> Money:
    """Renminbi."""
    return Money.of(amount, "CNY")


def usd(amount: int | str) -> Money:
    """US dollars."""
    return Money.of(amount, "USD")


def new_exporter(
    db: Session,
    *,
    region: str = "Yiwu",
    exports_usd: int | str | None = 3_000_000,
    is_sme: bool | None = True,
    sector: str | None = "toys_leisure",
) -> uuid.UUID:
    """A policyholder with the facts subsidy rules read."""
    return create_organisation(
        db,
        Actor.system(),
        name=f"Exporter {uuid.uuid4().hex[:8]}",
        kind=OrganisationKind.POLICYHOLDER,
        country="CN",
        region=region,
        is_sme=is_sme,
        prior_year_exports=None if exports_usd is None else usd(exports_usd),
        sector=sector,
    ).id


def yiwu_draft(**changes: object) -> ProgrammeDraft:
    """Yiwu's programme: 80% of export premium for Yiwu exporters, cap CNY 200,000 a year, direct."""
    values: dict[str, object] = {
        "name": "Yiwu export credit insurance subsidy",
        "currency": "CNY",
        "product_kinds": ["export_whole_turnover"],
        "tiers": [{"rate": "0.80"}],
        "rules": [
            {"fact": "region", "op": "==", "value": "Yiwu"},
            {"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"},
        ],
        "mode": "direct",
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
        "cap": cny(200_000),
        "region": "Yiwu",
    }
    values.update(changes)
    return ProgrammeDraft(**values)  # type: ignore[arg-type]


@dataclass
class Bureau:
    """A commerce bureau with an officer; an insurer with an export product that issues policies."""

    body_id: uuid.UUID
    officer: Actor
    insurer_id: uuid.UUID
    insurer_admin: Actor
    product: Product

    def policy_for(self, db: Session, holder_id: uuid.UUID, currency: str = "USD") -> Policy:
        """An export policy of the insurer for the holder, for 2025."""
        return issue_policy(
            db,
            self.insurer_admin,
            product=self.product,
            policyholder_id=holder_id,
            terms=self.product.terms,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            rate_table_id=None,
        )

    def programme(self, db: Session, budget: Money | None = None, **changes: object) -> SubsidyProgramme:
        """A programme of the bureau (Yiwu's terms unless changed) with a 2025 budget."""
        programme = create_programme(db, self.officer, yiwu_draft(**changes))
        set_budget(db, self.officer, programme.id, YEAR, budget or cny(5_000_000))
        return programme


def open_bureau(db: Session) -> Bureau:
    """A fresh bureau, officer, insurer and export product."""
    system = Actor.system()
    body = create_organisation(
        db, system, name=f"Bureau {uuid.uuid4().hex[:8]}", kind=OrganisationKind.PROGRAMME_BODY, country="CN"
    )
    insurer = create_organisation(
        db, system, name=f"Insurer {uuid.uuid4().hex[:8]}", kind=OrganisationKind.INSURER, country="CN"
    )
    admin = member(db, insurer.id, Role.INSURER_ADMIN)
    install_products(db, admin, insurer.id, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER, ProductKind.PLATFORM])
    product = db.scalars(
        select(Product).where(
            Product.insurer_id == insurer.id, Product.kind == ProductKind.EXPORT_WHOLE_TURNOVER
        )
    ).one()
    return Bureau(body.id, member(db, body.id, Role.PROGRAMME_OFFICER), insurer.id, admin, product)


@pytest.fixture
def bureau(db: Session) -> Bureau:
    """A commerce bureau with an officer and an insurer with an export product."""
    return open_bureau(db)
