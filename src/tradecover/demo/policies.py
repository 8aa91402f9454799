"""Demo products, rate levels and policies: every insurer's own products, policies for most policyholders.

Each demo insurer gets the default products with its own rate level, preferential discount and appetite
(`data/insurer_products.csv`), so quotes differ. Every policyholder but the flagship exporter holds a
policy for the calendar year of the demo (export whole-turnover for exporters, domestic for domestic
sellers): a third of them through the quote flow (request, every insurer answers, the cheapest offer
accepted), the rest issued directly by an insurer. The flagship exporter (the demo's policyholder
sign-in) takes its export policy through the quote flow too, so its invoices show the Yiwu programme's
share; a new user can still walk the quote flow for domestic cover from the pool and the insurers.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.clock import FixedClock, set_clock
from tradecover.demo.exporters import PolicyholderPlan
from tradecover.money import Money, Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.policies.model import Product, QuoteStatus
from tradecover.policies.products import install_products, rate_table_for
from tradecover.policies.quotes import TurnoverLine, accept_quote, list_quotes, submit_quote_request
from tradecover.policies.service import issue_policy
from tradecover.policies.terms import ProductKind
from tradecover.reference.table import read_rows

POLICY_YEAR_START = dt.date(2025, 1, 1)
POLICY_YEAR_END = dt.date(2025, 12, 31)
# Quotes are asked for a month before the policy year starts.
QUOTE_DAY = dt.datetime(2024, 12, 2, 9, 0, tzinfo=dt.UTC)
EXPORT_MARKETS = (("US", 40), ("DE", 20), ("GB", 10), ("VN", 10), ("JP", 10), ("AE", 10))


@dataclass(frozen=True, slots=True)
class InsurerProducts:
    """One demo insurer's rate level, discount, appetite and which quotes its underwriters review."""

    insurer: str
    rate_level: Decimal
    preferential_discount: Rate
    reviewed: tuple[ProductKind, ...]
    refused_countries: tuple[str, ...]
    max_country_grade: int


def insurer_products() -> list[InsurerProducts]:
    """The demo insurers' product settings, from `data/insurer_products.csv`."""
    _, rows = read_rows(
        resources.files("tradecover.demo").joinpath("data", "insurer_products.csv"),
        (
            "insurer",
            "rate_level",
            "preferential_discount_percent",
            "quotes_reviewed",
            "refused_countries",
            "max_country_grade",
        ),
    )
    return [
        InsurerProducts(
            insurer=row.text("insurer"),
            rate_level=row.decimal("rate_level"),
            preferential_discount=Rate.percent(row.decimal("preferential_discount_percent")),
            reviewed=tuple(ProductKind(k) for k in row.text("quotes_reviewed").split("|") if k != "none"),
            refused_countries=tuple(row.text("refused_countries").split("|")),
            max_country_grade=row.integer("max_country_grade"),
        )
        for row in rows
    ]


def _holder_actor(organisation_id: uuid.UUID) -> Actor:
    # The seeder acts for the policyholder (demo policyholders other than the flagship have no users).
    return Actor(None, organisation_id, OrganisationKind.POLICYHOLDER, frozenset({Role.POLICYHOLDER}))


def _turnover(plan: PolicyholderPlan, rng: random.Random) -> tuple[ProductKind, str, list[TurnoverLine]]:
    if plan.is_domestic_seller:
        amount = Money.of(rng.randrange(5_000, 80_000) * 1000, "CNY")
        return ProductKind.DOMESTIC_WHOLE_TURNOVER, "CNY", [TurnoverLine("CN", amount)]
    total = plan.prior_year_exports
    parts = total.allocate([weight for _, weight in EXPORT_MARKETS])
    lines = [TurnoverLine(country, part) for (country, _), part in zip(EXPORT_MARKETS, parts, strict=True)]
    return ProductKind.EXPORT_WHOLE_TURNOVER, "USD", [line for line in lines if line.amount.is_positive]


def _through_quotes(
    session: Session, holder_id: uuid.UUID, kind: ProductKind, currency: str, lines: list[TurnoverLine]
) -> bool:
    actor = _holder_actor(holder_id)
    request = submit_quote_request(
        session,
        actor,
        product_kind=kind,
        currency=currency,
        turnover=lines,
        period_start=POLICY_YEAR_START,
        period_end=POLICY_YEAR_END,
    )
    offers = [q for q in list_quotes(session, actor, request.id) if q.status is QuoteStatus.SENT]
    if not offers:
        return False
    cheapest = min(offers, key=lambda q: (q.estimated_premium_minor or 0, str(q.insurer_id)))
    accept_quote(session, actor, cheapest.id)
    return True


def seed_demo_policies(
    session: Session,
    seed: int,
    organisation_ids: Mapping[str, uuid.UUID],
    policyholders: Sequence[PolicyholderPlan],
) -> int:
    """Install every demo insurer's products and issue a policy to every policyholder; how many."""
    system = Actor.system()
    settings = insurer_products()
    for entry in settings:
        changes = {
            kind: {"refused_countries": entry.refused_countries, "max_country_grade": entry.max_country_grade}
            for kind in (ProductKind.EXPORT_WHOLE_TURNOVER, ProductKind.SINGLE_BUYER)
        }
        install_products(
            session,
            system,
            organisation_ids[entry.insurer],
            rate_level=entry.rate_level,
            preferential_discount=entry.preferential_discount,
            term_changes=changes,
            manual_quotes=entry.reviewed,
        )
    rng = random.Random(f"demo:{seed}:policies")
    insurers = [organisation_ids[entry.insurer] for entry in settings]
    issued = 0
    previous = set_clock(FixedClock(QUOTE_DAY))
    try:
        for plan in policyholders[1:]:
            holder_id = _holder_id(session, plan)
            kind, currency, lines = _turnover(plan, rng)
            if rng.random() < 1 / 3 and _through_quotes(session, holder_id, kind, currency, lines):
                issued += 1
                continue
            insurer_id = rng.choice(insurers)
            product = session.scalar(
                select(Product).where(Product.insurer_id == insurer_id, Product.kind == kind)
            )
            assert product is not None  # installed above
            table = rate_table_for(session, product)
            issue_policy(
                session,
                system,
                product=product,
                policyholder_id=holder_id,
                terms=product.terms,
                period_start=POLICY_YEAR_START,
                period_end=POLICY_YEAR_END,
                rate_table_id=table.id,
                preferential_discount=Rate(table.preferential_discount),
            )
            issued += 1
        if policyholders:
            # Its own random stream: the other policyholders' policies stay as they were without it.
            flagship = policyholders[0]
            kind, currency, lines = _turnover(flagship, random.Random(f"demo:{seed}:flagship"))
            if _through_quotes(session, _holder_id(session, flagship), kind, currency, lines):
                issued += 1
    finally:
        set_clock(previous)
    return issued


def _holder_id(session: Session, plan: PolicyholderPlan) -> uuid.UUID:
    holder_id = session.scalar(
        select(Organisation.id)
        .where(Organisation.country == "CN", Organisation.registration_number == plan.registration_number)
        .execution_options(tenant_exempt=True)
    )
    assert holder_id is not None  # registered by seed_demo_world just before
    return holder_id
