"""The pool in the quote marketplace: it answers like an insurer; its leader reviews its drafts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.coinsurance.conftest import PoolBook, cny

from tradecover.clock import get_clock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import PermissionDenied
from tradecover.policies.model import Product, Quote, QuoteStatus
from tradecover.policies.products import update_product_terms
from tradecover.policies.quotes import (
    TurnoverLine,
    accept_quote,
    adjust_quote,
    send_quote,
    submit_quote_request,
)
from tradecover.policies.terms import ProductKind


def test_the_pool_quotes_like_an_insurer_and_only_its_leader_changes_the_draft(
    db: Session, pool_book: PoolBook
) -> None:
    product = db.scalars(select(Product).where(Product.insurer_id == pool_book.pool.id)).one()
    # The pool's underwriters review its quotes before they go out.
    update_product_terms(
        db, pool_book.leader.admin, product.id, terms=product.terms, sends_quotes_automatically=False
    )
    request = submit_quote_request(
        db,
        pool_book.exporter,
        product_kind=ProductKind.DOMESTIC_WHOLE_TURNOVER,
        currency="CNY",
        turnover=[TurnoverLine("CN", cny(20_000_000))],
        period_start=get_clock().today(),
    )
    quote = next(q for q in request.quotes if q.insurer_id == pool_book.pool.id)
    assert quote.status is QuoteStatus.DRAFT
    # Every member sees the pool's draft; an outsider does not.
    for insurer in pool_book.members:
        set_tenant(db, insurer.underwriter.tenant)
        assert db.scalar(select(Quote.id).where(Quote.id == quote.id)) == quote.id
    set_tenant(db, pool_book.outsider.underwriter.tenant)
    assert db.scalar(select(Quote.id).where(Quote.id == quote.id)) is None
    set_tenant(db, Tenant.unrestricted())
    with pytest.raises(PermissionDenied):
        adjust_quote(db, pool_book.members[1].underwriter, quote.id, rate_adjustment=Decimal("-0.1"))
    adjust_quote(db, pool_book.leader.underwriter, quote.id, rate_adjustment=Decimal("-0.1"))
    send_quote(db, pool_book.leader.underwriter, quote.id)
    policy = accept_quote(db, pool_book.exporter, quote.id)
    assert policy.insurer_id == pool_book.pool.id
