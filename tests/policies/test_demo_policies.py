"""The demo world's products and policies, seeded through the services on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecover.coinsurance.model import Pool
from tradecover.demo.world import plan_demo_world, seed_demo_world
from tradecover.parties.model import Organisation
from tradecover.policies.model import Policy, PolicyStatus, Product, Quote, QuoteStatus, RateTable
from tradecover.policies.products import rate_grid
from tradecover.policies.terms import ProductKind


def test_every_demo_policyholder_holds_a_policy_of_its_kind_the_flagship_and_some_others_through_quotes(
    db: Session,
) -> None:
    plan = plan_demo_world(7, buyers=40, policyholders=15)
    seed_demo_world(db, plan)
    # The demo pool's domestic policies (demo/pool.py, tests/coinsurance) come on top of these.
    issued = db.scalars(select(Policy).where(Policy.insurer_id.not_in(select(Pool.id)))).all()
    policies = [p for p in issued if p.period_start == dt.date(2025, 1, 1)]
    assert len(policies) == 15
    assert all(p.status is PolicyStatus.IN_FORCE for p in policies)
    # Each renewed a 2024 policy of the same insurer and product, expired since (demo/history.py).
    prior = {(p.policyholder_id, p.product_id): p for p in issued if p.period_start == dt.date(2024, 1, 1)}
    assert len(prior) == len(issued) - len(policies) == 15
    assert all(p.status is PolicyStatus.EXPIRED for p in prior.values())
    assert {(p.policyholder_id, p.product_id) for p in policies} == set(prior)
    by_holder = {p.policyholder_id: p for p in policies}
    for number, holder in enumerate(plan.policyholders):
        organisation = db.scalar(
            select(Organisation).where(Organisation.registration_number == holder.registration_number)
        )
        assert organisation is not None
        if number == 0:
            # The flagship (the demo's policyholder sign-in) took the cheapest quote for its export cover.
            assert by_holder[organisation.id].quote_id is not None
        expected = (
            ProductKind.DOMESTIC_WHOLE_TURNOVER
            if holder.is_domestic_seller
            else ProductKind.EXPORT_WHOLE_TURNOVER
        )
        assert by_holder[organisation.id].product_kind is expected
    assert any(p.quote_id is not None for p in policies)
    accepted = db.scalars(select(Quote).where(Quote.status == QuoteStatus.ACCEPTED)).all()
    assert len(accepted) == sum(p.quote_id is not None for p in policies)


def test_each_demo_insurer_has_its_own_products_and_rate_level(db: Session) -> None:
    seed_demo_world(db, plan_demo_world(7, buyers=10, policyholders=2))
    products = db.scalars(select(Product).where(Product.kind == ProductKind.EXPORT_WHOLE_TURNOVER)).all()
    assert len(products) == 4
    rates = set()
    for product in products:
        table = db.scalar(select(RateTable).where(RateTable.product_id == product.id))
        assert table is not None
        rates.add(rate_grid(table).rate_for(5, 1, 90))
    assert len(rates) == 4
    reviewed = [p for p in products if not p.sends_quotes_automatically]
    assert len(reviewed) == 1
