"""Products and their rate tables: an insurer's own, edited by its admin."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter

from tradecover.api.deps import CurrentActor, KeyFirstRoute, UnitOfWork
from tradecover.api.errors import error_responses
from tradecover.api.schemas.policies import ProductOut, ProductUpdate, RateTableOut, RateTableUpdate
from tradecover.money import Rate
from tradecover.policies import products as service
from tradecover.policies.rules import RateGrid
from tradecover.policies.terms import PolicyTerms, ProductKind

router = APIRouter(
    route_class=KeyFirstRoute, tags=["products"], responses=error_responses(400, 401, 403, 404, 422)
)


@router.get("/products", response_model=list[ProductOut], summary="List products")
def list_products(
    session: UnitOfWork, actor: CurrentActor, kind: ProductKind | None = None
) -> list[ProductOut]:
    """The caller's insurer's products (every insurer's for the platform admin)."""
    return [ProductOut.of(p) for p in service.list_products(session, actor, kind=kind)]


@router.get("/products/{product_id}", response_model=ProductOut, summary="One product")
def get_product(product_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> ProductOut:
    """One of the caller's insurer's products with its default terms."""
    return ProductOut.of(service.get_product(session, actor, product_id))


@router.put("/products/{product_id}", response_model=ProductOut, summary="Change a product's terms")
def update_product(
    product_id: uuid.UUID, body: ProductUpdate, session: UnitOfWork, actor: CurrentActor
) -> ProductOut:
    """Replace the default terms (insurer admin); policies already issued keep their terms."""
    product = service.update_product_terms(
        session,
        actor,
        product_id,
        terms=PolicyTerms.from_json(body.terms),
        name=body.name,
        is_active=body.is_active,
        sends_quotes_automatically=body.sends_quotes_automatically,
    )
    return ProductOut.of(product)


@router.get("/products/{product_id}/rate-table", response_model=RateTableOut, summary="A product's rates")
def get_rate_table(product_id: uuid.UUID, session: UnitOfWork, actor: CurrentActor) -> RateTableOut:
    """The rate table of one of the caller's insurer's products."""
    product = service.get_product(session, actor, product_id)
    return RateTableOut.of(service.rate_table_for(session, product))


@router.put(
    "/products/{product_id}/rate-table", response_model=RateTableOut, summary="Change a product's rates"
)
def update_rate_table(
    product_id: uuid.UUID, body: RateTableUpdate, session: UnitOfWork, actor: CurrentActor
) -> RateTableOut:
    """Replace the preferential discount and/or every rate (insurer admin); rates must rise with risk."""
    grid = None
    if body.cells is not None:
        rates = {(c.buyer_grade_to, c.country_grade, c.credit_days_to): Decimal(c.rate) for c in body.cells}
        grid = RateGrid(tuple(sorted({k[0] for k in rates})), tuple(sorted({k[2] for k in rates})), rates)
    discount = None if body.preferential_discount is None else Rate.of(body.preferential_discount)
    table = service.update_rate_table(session, actor, product_id, grid=grid, preferential_discount=discount)
    return RateTableOut.of(table)
