"""The few things made through the services: institutions, products, the pool, programmes, users."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from oversight_book.market import INSURERS, POOL_SHARES, POOL_START, SYSTEM
from tradecover.clock import FixedClock, set_clock
from tradecover.coinsurance.service import MemberPlan, create_pool
from tradecover.db.session import session_factory, unit_of_work
from tradecover.db.tenancy import Tenant
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.parties.service import actor_for, create_organisation, create_user
from tradecover.policies.model import Product, RateTable
from tradecover.policies.products import install_products
from tradecover.policies.terms import ProductKind
from tradecover.subsidies.programmes import ProgrammeDraft, create_programme


@dataclass
class Setup:
    """Ids of the institutions and products made through the services."""

    regulator_id: uuid.UUID
    bank_id: uuid.UUID
    insurer_ids: list[uuid.UUID]
    pool_id: uuid.UUID
    sponsors: dict[str, uuid.UUID]
    programmes: dict[str, uuid.UUID]
    export_products: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, dict[str, Any]]]  # insurer → product, rates
    pool_product: tuple[uuid.UUID, uuid.UUID, dict[str, Any]]
    actors: dict[str, Actor]


def _org(session: Any, name: str, kind: OrganisationKind, number: str) -> uuid.UUID:
    return create_organisation(
        session, SYSTEM, name=name, kind=kind, country="CN", registration_number=number
    ).id


def _product(
    session: Any, insurer_id: uuid.UUID, kind: ProductKind
) -> tuple[uuid.UUID, uuid.UUID, dict[str, Any]]:
    product = session.scalars(
        select(Product).where(Product.insurer_id == insurer_id, Product.kind == kind)
    ).one()
    table = session.scalars(select(RateTable).where(RateTable.product_id == product.id)).one()
    return product.id, table.id, product.terms_json


def make_setup(engine: Engine) -> Setup:
    """Regulator, bank, insurers with products, the pool, two programme bodies and programmes, users."""
    set_clock(FixedClock(dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)))
    with unit_of_work(session_factory(engine), Tenant.unrestricted()) as session:
        regulator = _org(session, "Bench Market Regulator", OrganisationKind.REGULATOR, "BENCH-REG")
        bank = _org(session, "Bench Trade Bank", OrganisationKind.BANK, "BENCH-BANK")
        insurers = [
            _org(session, name, OrganisationKind.INSURER, f"BENCH-INS-{n}")
            for n, (name, _) in enumerate(INSURERS)
        ]
        for insurer in insurers:
            install_products(session, SYSTEM, insurer, kinds=[ProductKind.EXPORT_WHOLE_TURNOVER])
        pool = create_pool(
            session,
            SYSTEM,
            name="Bench Domestic Coinsurance Pool",
            country="CN",
            currency="CNY",
            leader_id=insurers[0],
            leader_commission=Decimal("0.05"),
            members=[
                MemberPlan(insurers[n], share, Money.of(10**10, "CNY") * share, None, None)
                for n, share in enumerate(POOL_SHARES)
            ],
            starts_on=POOL_START,
        )
        install_products(session, SYSTEM, pool.id, kinds=[ProductKind.DOMESTIC_WHOLE_TURNOVER])
        sponsors = {
            "yiwu": _org(session, "Bench Yiwu Commerce Bureau", OrganisationKind.PROGRAMME_BODY, "BENCH-YW"),
            "shenzhen": _org(
                session, "Bench Shenzhen Commerce Bureau", OrganisationKind.PROGRAMME_BODY, "BENCH-SZ"
            ),
        }
        programmes = {
            "yiwu": create_programme(
                session,
                SYSTEM,
                ProgrammeDraft(
                    name="Bench Yiwu premium subsidy",
                    currency="CNY",
                    product_kinds=[ProductKind.EXPORT_WHOLE_TURNOVER.value],
                    tiers=[{"rate": "0.80"}],
                    mode="direct",
                    starts_on=dt.date(2025, 1, 1),
                    ends_on=dt.date(2026, 12, 31),
                    rules=[{"fact": "region", "op": "==", "value": "Yiwu"}],
                    region="Yiwu",
                ),
                sponsor_id=sponsors["yiwu"],
            ).id,
            "shenzhen": create_programme(
                session,
                SYSTEM,
                ProgrammeDraft(
                    name="Bench Shenzhen SME premium support",
                    currency="CNY",
                    product_kinds=[ProductKind.EXPORT_WHOLE_TURNOVER.value],
                    tiers=[{"rate": "0.50"}],
                    mode="direct",
                    starts_on=dt.date(2025, 5, 1),
                    ends_on=dt.date(2026, 12, 31),
                    rules=[
                        {"fact": "region", "op": "==", "value": "Shenzhen"},
                        {"fact": "is_sme", "op": "==", "value": "true"},
                    ],
                    region="Shenzhen",
                    enrolment_required=True,
                ),
                sponsor_id=sponsors["shenzhen"],
            ).id,
        }
        users = {
            "regulator": (regulator, Role.REGULATOR),
            "insurer": (insurers[0], Role.UNDERWRITER),
            "programme": (sponsors["yiwu"], Role.PROGRAMME_OFFICER),
            "bank": (bank, Role.BANK_OFFICER),
        }
        actors = {
            key: actor_for(
                create_user(
                    session,
                    SYSTEM,
                    organisation_id=org,
                    email=f"{key}@bench.tradecover.org",
                    full_name=f"Bench {key}",
                    roles=[role],
                )
            )
            for key, (org, role) in users.items()
        }
        return Setup(
            regulator,
            bank,
            insurers,
            pool.id,
            sponsors,
            programmes,
            {i: _product(session, i, ProductKind.EXPORT_WHOLE_TURNOVER) for i in insurers},
            _product(session, pool.id, ProductKind.DOMESTIC_WHOLE_TURNOVER),
            actors,
        )
