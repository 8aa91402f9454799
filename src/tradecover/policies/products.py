"""Use cases for products and rate tables: install the defaults for an insurer, read and edit them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.audit.service import record
from tradecover.clock import utcnow
from tradecover.coinsurance.service import administers
from tradecover.errors import BusinessRuleViolation, NotFound, PermissionDenied, ValidationError
from tradecover.money import Rate
from tradecover.parties.actor import Actor
from tradecover.parties.model import Organisation
from tradecover.parties.roles import OrganisationKind, Role
from tradecover.policies.defaults import base_rate_grid, default_products
from tradecover.policies.model import Product, RateCell, RateTable
from tradecover.policies.rules import NO_DISCOUNT, RateGrid, check_discount
from tradecover.policies.terms import PolicyTerms, ProductKind

MAY_EDIT_PRODUCTS = (Role.INSURER_ADMIN, Role.PLATFORM_ADMIN)


def _audit(session: Session, actor: Actor, action: str, obj: Product | RateTable, **details: object) -> None:
    record(
        session,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        subject_organisation_id=obj.insurer_id,
        details=dict(details),
    )


def _check_may_edit(session: Session, actor: Actor, insurer_id: uuid.UUID) -> None:
    actor.require(*MAY_EDIT_PRODUCTS)
    if not actor.is_platform_admin and not administers(session, actor.organisation_id, insurer_id):
        raise PermissionDenied("only the insurer's own admin (or its pool's leader's) edits its products")


def _cells(grid: RateGrid) -> list[RateCell]:
    return [
        RateCell(buyer_grade_to=g, country_grade=c, credit_days_to=d, rate=rate)
        for (g, c, d), rate in sorted(grid.rates.items())
    ]


def install_products(
    session: Session,
    actor: Actor,
    insurer_id: uuid.UUID,
    *,
    kinds: Iterable[ProductKind] | None = None,
    rate_level: Decimal = Decimal(1),
    preferential_discount: Rate = NO_DISCOUNT,
    term_changes: Mapping[ProductKind, Mapping[str, object]] | None = None,
    manual_quotes: Iterable[ProductKind] = (),
) -> list[Product]:
    """Copy the default products (and the base rates × `rate_level`) for an insurer; kinds it has are kept."""
    _check_may_edit(session, actor, insurer_id)
    # A pool's leader installs the pool's products; it may not see the pool's organisation row itself.
    insurer = session.scalar(
        select(Organisation).where(Organisation.id == insurer_id).execution_options(tenant_exempt=True)
    )
    if insurer is None:
        raise NotFound("no such organisation")
    if insurer.kind not in (OrganisationKind.INSURER, OrganisationKind.POOL):
        raise ValidationError("products belong to insurers", field="insurer_id")
    if rate_level <= 0:
        raise ValidationError("must be more than zero", field="rate_level")
    check_discount(preferential_discount)
    existing = set(session.scalars(select(Product.kind).where(Product.insurer_id == insurer_id)))
    manual = set(manual_quotes)
    grid = base_rate_grid().scaled(rate_level)
    installed: list[Product] = []
    defaults = default_products()
    for kind in kinds if kinds is not None else list(ProductKind):
        if kind in existing:
            continue
        default = defaults[ProductKind(kind)]
        terms = default.terms.replace(**dict((term_changes or {}).get(kind, {})))
        product = Product(
            insurer_id=insurer_id,
            kind=kind,
            name=default.name,
            terms_json=terms.to_json(),
            is_active=True,
            sends_quotes_automatically=kind not in manual,
        )
        product.rate_table = RateTable(
            insurer_id=insurer_id,
            name=f"{default.name} rates",
            preferential_discount=preferential_discount.value,
            cells=_cells(grid),
        )
        session.add(product)
        session.flush()
        _audit(session, actor, "product.installed", product, kind=kind.value)
        installed.append(product)
    return installed


def list_products(session: Session, actor: Actor, *, kind: ProductKind | None = None) -> Sequence[Product]:
    """The products the actor's organisation may see (an insurer's own), by kind."""
    query = select(Product)
    if kind is not None:
        query = query.where(Product.kind == kind)
    return session.scalars(query.order_by(Product.insurer_id, Product.kind)).all()


def get_product(session: Session, actor: Actor, product_id: uuid.UUID) -> Product:
    """One product the actor may see; NotFound otherwise."""
    product = session.scalar(select(Product).where(Product.id == product_id))
    if product is None:
        raise NotFound("no such product")
    return product


def update_product_terms(
    session: Session,
    actor: Actor,
    product_id: uuid.UUID,
    *,
    terms: PolicyTerms,
    name: str | None = None,
    is_active: bool | None = None,
    sends_quotes_automatically: bool | None = None,
) -> Product:
    """Replace a product's default terms (its insurer's admin); policies already issued keep theirs."""
    product = get_product(session, actor, product_id)
    _check_may_edit(session, actor, product.insurer_id)
    if terms.kind is not product.kind:
        raise ValidationError(f"this is a {product.kind.value} product, not {terms.kind.value}", field="kind")
    before = product.terms_json
    product.terms_json = terms.to_json()
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 200:
            raise ValidationError("must have 1 to 200 characters", field="name")
        product.name = name
    if is_active is not None:
        product.is_active = is_active
    if sends_quotes_automatically is not None:
        product.sends_quotes_automatically = sends_quotes_automatically
    product.updated_at = utcnow()
    session.flush()
    changed = sorted(k for k, v in product.terms_json.items() if before.get(k) != v)
    _audit(session, actor, "product.terms_updated", product, changed=changed)
    return product


def rate_table_for(session: Session, product: Product) -> RateTable:
    """The rate table of a product (every product is installed with one)."""
    table = session.scalar(
        select(RateTable).where(RateTable.product_id == product.id).execution_options(tenant_exempt=True)
    )
    if table is None:
        raise BusinessRuleViolation(f"{product.name} has no rate table", field="product_id")
    return table


def rate_grid(table: RateTable) -> RateGrid:
    """The pure grid of a rate table's cells."""
    rates = {(c.buyer_grade_to, c.country_grade, c.credit_days_to): c.rate for c in table.cells}
    return RateGrid(tuple(sorted({k[0] for k in rates})), tuple(sorted({k[2] for k in rates})), rates)


def update_rate_table(
    session: Session,
    actor: Actor,
    product_id: uuid.UUID,
    *,
    grid: RateGrid | None = None,
    preferential_discount: Rate | None = None,
) -> RateTable:
    """Replace a product's rates and/or its preferential discount (its insurer's admin)."""
    product = get_product(session, actor, product_id)
    _check_may_edit(session, actor, product.insurer_id)
    table = rate_table_for(session, product)
    if preferential_discount is not None:
        table.preferential_discount = check_discount(preferential_discount).value
    if grid is not None:
        table.cells.clear()
        session.flush()
        table.cells.extend(_cells(grid))
    table.updated_at = utcnow()
    session.flush()
    _audit(
        session,
        actor,
        "rate_table.updated",
        table,
        rates_replaced=grid is not None,
        preferential_discount=format(table.preferential_discount, "f"),
    )
    return table
