"""Demo subsidy programmes, after the source article: Yiwu's premium subsidy, Shenzhen's unified cover
(a free platform policy for small exporters, who enrol) and a domestic-trade programme that reimburses.

Programmes are defined through the subsidies services by each bureau's officer (as the system), with
budgets for 2025. Some Shenzhen SMEs under the USD 8m line enrol in the unified cover, each issued its
own policy under the state insurer's platform product. Invoices (premiums) then draw on the budgets.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.clock import FixedClock, set_clock
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind
from tradecover.policies.model import Product
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.enrolments import enrol
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme, set_budget

YEAR = 2025
# The programmes run through 2026 (budgeted per year), so the served demo finds them open after its 2025 book.
LAST_DAY = dt.date(2026, 12, 31)
BUDGETS = {"yiwu": 5_000_000, "shenzhen": 2_000_000, "domestic": 1_000_000}
YIWU_BODY, SHENZHEN_BODY, PLATFORM_INSURER = "programme.yiwu", "programme.shenzhen", "insurer.state"
YIWU_PROGRAMME = "Yiwu export credit insurance premium subsidy"
SHENZHEN_PROGRAMME = "Shenzhen unified export credit cover"
DOMESTIC_PROGRAMME = "Yiwu domestic trade credit insurance support"
ENROL_DAY = dt.datetime(2025, 5, 12, 9, 0, tzinfo=dt.UTC)
SHENZHEN_ENROLMENTS = 4
# A Shenzhen SME under the USD 8m line left unenrolled (it has a demo user), so a person can enrol it.
SHENZHEN_POLICYHOLDER = "policyholder.shenzhen"


@dataclass(frozen=True, slots=True)
class DemoProgrammes:
    """The seeded programmes' ids and how many firms enrolled."""

    yiwu: uuid.UUID
    shenzhen: uuid.UUID
    domestic: uuid.UUID
    enrolled: int


def _yiwu() -> ProgrammeDraft:
    return ProgrammeDraft(
        name=YIWU_PROGRAMME,
        description=(
            "Up to 80% of the short-term export credit insurance premium of registered Yiwu exporters "
            "(10 measures for the private economy, April 2025)."
        ),
        region="Yiwu",
        currency="CNY",
        product_kinds=[ProductKind.EXPORT_WHOLE_TURNOVER.value, ProductKind.SINGLE_BUYER.value],
        rules=[{"fact": "region", "op": "==", "value": "Yiwu"}],
        tiers=[{"rate": "0.80"}],
        cap=Money.of(200_000, "CNY"),
        mode="direct",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=LAST_DAY,
    )


def _shenzhen(product_id: uuid.UUID) -> ProgrammeDraft:
    return ProgrammeDraft(
        name=SHENZHEN_PROGRAMME,
        description=(
            "Free export credit insurance for small and midsize exporters with prior-year exports of at most "
            "USD 8m: a government platform policy (80% indemnity, at most USD 150,000 per buyer)."
        ),
        region="Shenzhen",
        kind="platform_policy",
        currency="CNY",
        product_kinds=[ProductKind.PLATFORM.value],
        rules=[
            {"fact": "region", "op": "==", "value": "Shenzhen"},
            {"fact": "is_sme", "op": "==", "value": "true"},
            {"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"},
        ],
        tiers=[{"rate": "1"}],
        mode="direct",
        enrolment_required=True,
        starts_on=dt.date(YEAR, 5, 1),
        ends_on=LAST_DAY,
        platform_product_id=product_id,
    )


def _domestic() -> ProgrammeDraft:
    return ProgrammeDraft(
        name=DOMESTIC_PROGRAMME,
        description="Half the domestic credit insurance premium of Yiwu firms selling at home, reimbursed.",
        region="Yiwu",
        currency="CNY",
        product_kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER.value],
        rules=[{"fact": "region", "op": "==", "value": "Yiwu"}],
        tiers=[{"rate": "0.50"}],
        cap=Money.of(50_000, "CNY"),
        mode="reimbursement",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=LAST_DAY,
    )


def seed_demo_subsidies(session: Session, organisation_ids: Mapping[str, uuid.UUID]) -> DemoProgrammes:
    """Define the three programmes with budgets per year and enrol some Shenzhen SMEs in the unified cover."""
    system = Actor.system()
    yiwu_body, shenzhen_body = organisation_ids[YIWU_BODY], organisation_ids[SHENZHEN_BODY]
    yiwu = create_programme(session, system, _yiwu(), sponsor_id=yiwu_body)
    product = session.scalars(
        select(Product).where(
            Product.insurer_id == organisation_ids[PLATFORM_INSURER], Product.kind == ProductKind.PLATFORM
        )
    ).one()
    shenzhen = create_programme(session, system, _shenzhen(product.id), sponsor_id=shenzhen_body)
    domestic = create_programme(session, system, _domestic(), sponsor_id=yiwu_body)
    for key, programme in (("yiwu", yiwu), ("shenzhen", shenzhen), ("domestic", domestic)):
        for year in range(YEAR, LAST_DAY.year + 1):
            set_budget(session, system, programme.id, year, Money.of(BUDGETS[key], "CNY"))
    candidates = session.scalars(
        select(Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.POLICYHOLDER,
            Organisation.region == "Shenzhen",
            Organisation.is_sme.is_(True),
            Organisation.prior_year_exports_usd_minor > 0,
            Organisation.prior_year_exports_usd_minor <= 8_000_000_00,
            Organisation.id != organisation_ids.get(SHENZHEN_POLICYHOLDER, uuid.UUID(int=0)),
        )
        .order_by(Organisation.registration_number)
        .limit(SHENZHEN_ENROLMENTS)
    ).all()
    previous = set_clock(FixedClock(ENROL_DAY))
    try:
        for holder_id in candidates:
            enrol(session, system, shenzhen.id, ENROL_DAY.date(), policyholder_id=holder_id)
    finally:
        set_clock(previous)
    return DemoProgrammes(yiwu.id, shenzhen.id, domestic.id, len(candidates))
