"""Policies on both databases: issue, terms frozen per version, endorsements, cancellation, expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.policies.conftest import Market, export_book

from tradecover.clock import FixedClock, set_clock
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import BusinessRuleViolation, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.defaults import base_rate_grid
from tradecover.policies.model import Policy, PolicyStatus
from tradecover.policies.products import list_products, update_product_terms
from tradecover.policies.quotes import accept_quote, list_quotes, submit_quote_request
from tradecover.policies.service import (
    cancel_policy,
    covers,
    endorse_policy,
    expire_policies,
    get_policy,
    list_policies,
    rate_grid_of,
    shipment_premium,
    terms_on,
)
from tradecover.policies.terms import ProductKind


def _policy(db: Session, market: Market) -> Policy:
    set_tenant(db, market.exporter_actor.tenant)
    request = submit_quote_request(
        db,
        market.exporter_actor,
        product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
        currency="USD",
        turnover=export_book(),
        period_start=market.start(),
    )
    alpha = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[0].id
    )
    return accept_quote(db, market.exporter_actor, alpha.id)


def test_an_endorsement_is_a_new_version_and_terms_on_a_date_follow_the_history(
    db: Session, market: Market
) -> None:
    policy = _policy(db, market)
    underwriter = market.underwriters[0]
    set_tenant(db, underwriter.tenant)
    original = policy.current_version.terms
    effective = policy.period_start + dt.timedelta(days=100)
    version = endorse_policy(
        db,
        underwriter,
        policy.id,
        terms=original.replace(dcl=Money.of("80000", "USD")),
        effective_from=effective,
        reason="higher DCL after a good first quarter",
    )
    assert version.version == 2
    assert terms_on(policy, effective - dt.timedelta(days=1)).dcl == Money.of("50000", "USD")
    assert terms_on(policy, effective).dcl == Money.of("80000", "USD")
    assert policy.versions[0].terms == original  # history is kept as it was
    with pytest.raises(ValidationError) as refused:
        endorse_policy(
            db,
            underwriter,
            policy.id,
            terms=original,
            effective_from=effective - dt.timedelta(days=1),
            reason="x",
        )
    assert refused.value.field == "effective_from"
    with pytest.raises(BusinessRuleViolation):
        terms_on(policy, policy.period_end + dt.timedelta(days=1))


def test_the_policyholder_cannot_endorse_and_another_insurer_cannot_find_the_policy(
    db: Session, market: Market
) -> None:
    policy = _policy(db, market)
    terms = policy.current_version.terms
    with pytest.raises(PermissionDenied):
        endorse_policy(
            db, market.exporter_actor, policy.id, terms=terms, effective_from=policy.period_start, reason="x"
        )
    beta = market.underwriters[1]
    set_tenant(db, beta.tenant)
    with pytest.raises(NotFound, match="no such policy"):
        get_policy(db, beta, policy.id)
    assert list_policies(db, beta) == []
    set_tenant(db, market.domestic_actor.tenant)
    assert list_policies(db, market.domestic_actor) == []


def test_an_endorsement_that_changes_the_currency_or_product_is_refused(db: Session, market: Market) -> None:
    policy = _policy(db, market)
    set_tenant(db, market.underwriters[0].tenant)
    terms = policy.current_version.terms
    converted = terms.replace(
        currency="EUR",
        dcl=Money.of("1", "EUR"),
        non_qualifying_loss=Money.of("1", "EUR"),
        aggregate_first_loss=Money.of("0", "EUR"),
        minimum_premium=Money.of("1", "EUR"),
    )
    with pytest.raises(ValidationError) as refused:
        endorse_policy(
            db,
            market.underwriters[0],
            policy.id,
            terms=converted,
            effective_from=policy.period_start,
            reason="x",
        )
    assert refused.value.field == "currency"


def test_cancellation_ends_cover_from_its_date_and_stops_further_changes(db: Session, market: Market) -> None:
    policy = _policy(db, market)
    cancel_on = policy.period_start + dt.timedelta(days=60)
    cancelled = cancel_policy(
        db, market.exporter_actor, policy.id, effective_on=cancel_on, reason="business sold"
    )
    assert cancelled.status is PolicyStatus.CANCELLED
    assert covers(policy, cancel_on - dt.timedelta(days=1))
    assert not covers(policy, cancel_on)
    set_tenant(db, market.underwriters[0].tenant)
    with pytest.raises(BusinessRuleViolation, match="cancelled"):
        endorse_policy(
            db,
            market.underwriters[0],
            policy.id,
            terms=policy.current_version.terms,
            effective_from=cancel_on,
            reason="x",
        )
    with pytest.raises(BusinessRuleViolation):
        cancel_policy(db, market.underwriters[0], policy.id, effective_on=cancel_on, reason="again")


def test_a_cancellation_date_outside_the_period_or_without_reason_is_refused(
    db: Session, market: Market
) -> None:
    policy = _policy(db, market)
    with pytest.raises(ValidationError) as refused:
        cancel_policy(
            db,
            market.exporter_actor,
            policy.id,
            effective_on=policy.period_end + dt.timedelta(days=1),
            reason="x",
        )
    assert refused.value.field == "effective_on"
    with pytest.raises(ValidationError) as refused:
        cancel_policy(db, market.exporter_actor, policy.id, effective_on=policy.period_start, reason=" ")
    assert refused.value.field == "reason"
    assert get_policy(db, market.exporter_actor, policy.id).status is PolicyStatus.IN_FORCE


def test_policies_past_their_period_expire_in_the_scheduled_run(db: Session, market: Market) -> None:
    policy = _policy(db, market)
    set_tenant(db, Tenant.unrestricted())
    assert expire_policies(db, policy.period_end) == 0
    assert expire_policies(db, policy.period_end + dt.timedelta(days=1)) == 1
    assert policy.status is PolicyStatus.EXPIRED
    assert policy.expired_on == policy.period_end + dt.timedelta(days=1)
    assert expire_policies(db, policy.period_end + dt.timedelta(days=2)) == 0


def test_policy_numbers_follow_on_within_a_year(db: Session, market: Market) -> None:
    first = _policy(db, market)
    second = _policy(db, market)
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1


def test_an_insurer_admin_edits_its_product_terms_and_issued_policies_keep_theirs(
    db: Session, market: Market
) -> None:
    policy = _policy(db, market)
    admin = market.admins[0]
    set_tenant(db, admin.tenant)
    product = next(p for p in list_products(db, admin) if p.kind is ProductKind.EXPORT_WHOLE_TURNOVER)
    updated = update_product_terms(
        db, admin, product.id, terms=product.terms.replace(minimum_premium=Money.of("7500", "USD"))
    )
    assert updated.terms.minimum_premium == Money.of("7500", "USD")
    assert policy.current_version.terms.minimum_premium == Money.of("5000", "USD")
    with pytest.raises(PermissionDenied):
        update_product_terms(db, market.underwriters[0], product.id, terms=product.terms)
    with pytest.raises(ValidationError) as refused:
        update_product_terms(
            db,
            admin,
            product.id,
            terms=next(p for p in list_products(db, admin) if p.kind is ProductKind.PLATFORM).terms,
        )
    assert refused.value.field == "kind"
    set_tenant(db, market.admins[1].tenant)
    assert product.id not in {p.id for p in list_products(db, market.admins[1])}
    assert len(list_products(db, market.admins[1])) == 4


def test_the_insurer_admin_of_another_insurer_cannot_edit_a_product_it_cannot_see(
    db: Session, market: Market
) -> None:
    set_tenant(db, Tenant.unrestricted())
    product = list_products(db, Actor.system())[0]
    other = next(a for a, i in zip(market.admins, market.insurers, strict=True) if i.id != product.insurer_id)
    set_tenant(db, other.tenant)
    with pytest.raises(NotFound):
        update_product_terms(db, other, product.id, terms=product.terms)


def test_a_shipment_under_a_policy_is_priced_with_its_table_adjustment_and_discount(
    db: Session, market: Market
) -> None:
    set_tenant(db, market.exporter_actor.tenant)
    request = submit_quote_request(
        db,
        market.exporter_actor,
        product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
        currency="USD",
        turnover=export_book(),
        period_start=market.start(),
    )
    beta = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[1].id
    )
    policy = accept_quote(db, market.exporter_actor, beta.id)
    grid = rate_grid_of(db, policy)
    premium = shipment_premium(
        policy, grid, buyer_grade=3, country_grade=1, credit_days=75, amount=Money.of("100000", "USD")
    )
    # Beta's rates are 0.8 × the base, with a 10% preferential discount.
    expected = Money.rounded(Decimal(100000) * grid.rate_for(3, 1, 75) * Decimal("0.9"), "USD")
    assert premium == expected
    assert grid.rate_for(3, 1, 75) == (base_rate_grid().rate_for(3, 1, 75) * Decimal("0.8")).quantize(
        Decimal("0.000001")
    )
    with pytest.raises(ValidationError):
        shipment_premium(
            policy, grid, buyer_grade=3, country_grade=1, credit_days=75, amount=Money.of("1", "EUR")
        )


def test_an_expired_quote_cannot_be_accepted(db: Session, market: Market) -> None:
    set_tenant(db, market.exporter_actor.tenant)
    request = submit_quote_request(
        db,
        market.exporter_actor,
        product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
        currency="USD",
        turnover=export_book(),
        period_start=market.start(),
    )
    alpha = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[0].id
    )
    assert alpha.valid_until is not None
    later = dt.datetime.combine(alpha.valid_until + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    previous = set_clock(FixedClock(later))
    try:
        with pytest.raises(BusinessRuleViolation, match="valid until"):
            accept_quote(db, market.exporter_actor, alpha.id)
    finally:
        set_clock(previous)
