"""The quote marketplace on both databases: one request, every insurer answers, accept one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.policies.conftest import Market, export_book, usd

from tradecover.audit.model import AuditEvent
from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import register_buyer
from tradecover.db.tenancy import Tenant, set_tenant
from tradecover.errors import BusinessRuleViolation, NotFound, PermissionDenied, ValidationError
from tradecover.money import Money
from tradecover.parties.actor import Actor
from tradecover.policies.defaults import base_rate_grid
from tradecover.policies.model import PolicyStatus, QuoteRequest, QuoteRequestStatus, QuoteStatus
from tradecover.policies.quotes import (
    TurnoverLine,
    accept_quote,
    adjust_quote,
    get_quote,
    get_quote_request,
    list_quote_requests,
    list_quotes,
    pending_quote_count,
    refuse_quote,
    send_quote,
    submit_quote_request,
    withdraw_quote_request,
)
from tradecover.policies.terms import ProductKind
from tradecover.reference.countries import get_country
from tradecover.reference.fx import fx_rate


def _as(db: Session, actor: Actor) -> Session:
    set_tenant(db, actor.tenant)
    return db


def _submit(db: Session, market: Market, **changes: object) -> QuoteRequest:
    values: dict[str, object] = {
        "product_kind": ProductKind.EXPORT_WHOLE_TURNOVER,
        "currency": "USD",
        "turnover": export_book(),
        "period_start": market.start(),
    }
    values.update(changes)
    return submit_quote_request(_as(db, market.exporter_actor), market.exporter_actor, **values)  # type: ignore[arg-type]


def test_every_insurer_that_writes_the_product_answers_with_its_own_price_or_a_reasoned_refusal(
    db: Session, market: Market
) -> None:
    request = _submit(db, market)
    quotes = {q.insurer_id: q for q in list_quotes(db, market.exporter_actor, request.id)}
    alpha, beta, gamma = (quotes[i.id] for i in market.insurers)
    assert alpha.status is QuoteStatus.SENT
    assert beta.status is QuoteStatus.SENT
    assert gamma.status is QuoteStatus.REFUSED
    assert gamma.refusal_reason == "Gamma ECA does not cover buyers in US"
    # Alpha at the base rates, no discount; an assumed buyer grade of 5 at 90 days.
    grid, us, de = base_rate_grid(), get_country("US").grade, get_country("DE").grade
    expected = usd("2000000") * grid.rate_for(5, us, 90) + usd("1000000") * grid.rate_for(5, de, 90)
    assert alpha.estimated_premium == expected
    # Beta: rates at 0.8 of the base, then 10% preferential discount: a cheaper quote.
    assert beta.estimated_premium is not None
    assert alpha.estimated_premium is not None
    assert beta.estimated_premium < alpha.estimated_premium
    assert [line["country"] for line in alpha.breakdown] == ["US", "DE"]
    assert alpha.valid_until == request.submitted_on + dt.timedelta(days=30)


def test_a_request_for_a_small_book_is_quoted_at_the_minimum_premium(db: Session, market: Market) -> None:
    request = _submit(db, market, turnover=[TurnoverLine("DE", usd("10000"))])
    alpha = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[0].id
    )
    assert alpha.estimated_premium == usd("5000.00")
    assert alpha.book_premium is not None
    assert alpha.book_premium < usd("5000")


def test_an_insurer_never_sees_another_insurers_quote_but_sees_the_request(
    db: Session, market: Market
) -> None:
    request = _submit(db, market)
    alpha_uw, _beta_uw = market.underwriters[0], market.underwriters[1]
    _as(db, alpha_uw)
    assert get_quote_request(db, alpha_uw, request.id).id == request.id
    seen = list_quotes(db, alpha_uw, request.id)
    assert [q.insurer_id for q in seen] == [market.insurers[0].id]
    set_tenant(db, Tenant.unrestricted())
    beta_quote = next(
        q for q in list_quotes(db, Actor.system(), request.id) if q.insurer_id == market.insurers[1].id
    )
    _as(db, alpha_uw)
    with pytest.raises(NotFound, match="no such quote"):
        get_quote(db, alpha_uw, beta_quote.id)
    # Another policyholder sees neither the request nor its quotes.
    _as(db, market.domestic_actor)
    with pytest.raises(NotFound, match="no such quote request"):
        get_quote_request(db, market.domestic_actor, request.id)
    with pytest.raises(NotFound):
        get_quote(db, market.domestic_actor, beta_quote.id)
    assert list_quote_requests(db, market.domestic_actor) == []


def test_accepting_a_quote_issues_the_policy_and_closes_the_others_as_not_taken(
    db: Session, market: Market
) -> None:
    request = _submit(db, market)
    quotes = list_quotes(db, market.exporter_actor, request.id)
    beta = next(q for q in quotes if q.insurer_id == market.insurers[1].id)
    policy = accept_quote(db, market.exporter_actor, beta.id)
    assert policy.status is PolicyStatus.IN_FORCE
    assert policy.insurer_id == market.insurers[1].id
    assert policy.policyholder_id == market.exporter.id
    assert policy.number.startswith(f"TC-{market.start().year}-")
    assert policy.current_version.version == 1
    assert policy.current_version.terms == beta.terms
    assert policy.preferential_discount == Decimal("0.10")
    statuses = {q.insurer_id: q.status for q in list_quotes(db, market.exporter_actor, request.id)}
    assert statuses == {
        market.insurers[0].id: QuoteStatus.NOT_TAKEN,
        market.insurers[1].id: QuoteStatus.ACCEPTED,
        market.insurers[2].id: QuoteStatus.REFUSED,
    }
    assert get_quote_request(db, market.exporter_actor, request.id).status is QuoteRequestStatus.ACCEPTED
    with pytest.raises(BusinessRuleViolation, match="accepted"):
        accept_quote(db, market.exporter_actor, beta.id)


def test_a_refused_quote_cannot_be_accepted_nor_by_an_insurer(db: Session, market: Market) -> None:
    request = _submit(db, market)
    quotes = list_quotes(db, market.exporter_actor, request.id)
    gamma = next(q for q in quotes if q.insurer_id == market.insurers[2].id)
    with pytest.raises(BusinessRuleViolation, match="refused"):
        accept_quote(db, market.exporter_actor, gamma.id)
    alpha = next(q for q in quotes if q.insurer_id == market.insurers[0].id)
    _as(db, market.underwriters[0])
    with pytest.raises(PermissionDenied):
        accept_quote(db, market.underwriters[0], alpha.id)


def test_a_draft_waits_for_the_underwriter_who_adjusts_and_sends_it(db: Session, market: Market) -> None:
    request = submit_quote_request(
        _as(db, market.domestic_actor),
        market.domestic_actor,
        product_kind=ProductKind.DOMESTIC_WHOLE_TURNOVER,
        currency="CNY",
        turnover=[TurnoverLine("CN", Money.of("20000000", "CNY"))],
        period_start=market.start(),
        typical_credit_days=120,
    )
    # The policyholder sees two sent quotes; Gamma's draft is hidden but counted.
    visible = list_quotes(db, market.domestic_actor, request.id)
    assert {q.insurer_id for q in visible} == {market.insurers[0].id, market.insurers[1].id}
    assert pending_quote_count(db, request) == 1
    gamma_uw = market.underwriters[2]
    _as(db, gamma_uw)
    (draft,) = list_quotes(db, gamma_uw, request.id)
    assert draft.status is QuoteStatus.DRAFT
    before = draft.estimated_premium
    assert before is not None
    adjusted = adjust_quote(
        db, gamma_uw, draft.id, rate_adjustment=Decimal("-0.20"), note="good payer history"
    )
    assert adjusted.version == 2
    assert adjusted.estimated_premium is not None
    assert adjusted.estimated_premium < before
    terms = adjusted.terms
    assert terms is not None
    adjust_quote(db, gamma_uw, draft.id, terms=terms.replace(dcl=Money.of("500000", "CNY")))
    sent = send_quote(db, gamma_uw, draft.id)
    assert sent.status is QuoteStatus.SENT
    assert sent.valid_until is not None
    with pytest.raises(BusinessRuleViolation, match="only a draft"):
        adjust_quote(db, gamma_uw, draft.id, rate_adjustment=Decimal("0.1"))
    _as(db, market.domestic_actor)
    policy = accept_quote(db, market.domestic_actor, sent.id)
    assert policy.current_version.terms.dcl == Money.of("500000", "CNY")
    assert policy.rate_adjustment == Decimal("-0.20")
    set_tenant(db, Tenant.unrestricted())
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(draft.id))))
    assert {"quote.draft", "quote.adjusted", "quote.sent", "quote.accepted"} <= actions


def test_another_insurers_underwriter_cannot_touch_a_draft_and_a_refusal_needs_a_reason(
    db: Session, market: Market
) -> None:
    request = submit_quote_request(
        _as(db, market.domestic_actor),
        market.domestic_actor,
        product_kind=ProductKind.DOMESTIC_WHOLE_TURNOVER,
        currency="CNY",
        turnover=[TurnoverLine("CN", Money.of("1000000", "CNY"))],
        period_start=market.start(),
    )
    set_tenant(db, Tenant.unrestricted())
    draft = next(q for q in list_quotes(db, Actor.system(), request.id) if q.status is QuoteStatus.DRAFT)
    _as(db, market.underwriters[0])
    with pytest.raises(NotFound):
        adjust_quote(db, market.underwriters[0], draft.id, rate_adjustment=Decimal("0.5"))
    _as(db, market.underwriters[2])
    with pytest.raises(ValidationError, match="say why"):
        refuse_quote(db, market.underwriters[2], draft.id, reason="  ")
    refused = refuse_quote(db, market.underwriters[2], draft.id, reason="sector outside appetite")
    assert refused.status is QuoteStatus.REFUSED
    assert refused.refusal_reason == "sector outside appetite"
    _as(db, market.domestic_actor)
    assert get_quote(db, market.domestic_actor, draft.id).refusal_reason == "sector outside appetite"


def test_a_named_buyers_grade_rates_its_country_and_a_grade_beyond_the_product_is_refused(
    db: Session, market: Market
) -> None:
    buyer = register_buyer(
        db,
        Actor.system(),
        name="Shaky Imports LLC",
        country="US",
        registration_number="99-1234567",
        kind=BuyerKind.COMPANY,
        sector="retail_wholesale",
        grade=9,
    )
    request = _submit(db, market, named_buyer_ids=[buyer.id])
    answers = list_quotes(db, market.exporter_actor, request.id)
    alpha = next(q for q in answers if q.insurer_id == market.insurers[0].id)
    assert alpha.status is QuoteStatus.REFUSED
    assert alpha.refusal_reason == "buyer grade 9 exceeds the product's maximum grade 8"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"turnover": []}, "turnover"),
        ({"turnover": [TurnoverLine("US", Money.of("-5", "USD"))]}, "turnover.0.amount"),
        ({"turnover": [TurnoverLine("US", Money.of("0", "USD"))]}, "turnover.0.amount"),
        ({"turnover": [TurnoverLine("XX", Money.of("5", "USD"))]}, "turnover.0.country"),
        ({"turnover": [TurnoverLine("CN", Money.of("5", "USD"))]}, "turnover.0.country"),
        ({"turnover": [TurnoverLine("US", Money.of("5", "EUR"))]}, "turnover.0.amount"),
        ({"period_start": dt.date(2000, 1, 1)}, "period_start"),
        ({"typical_credit_days": 0}, "typical_credit_days"),
        ({"product_kind": ProductKind.SINGLE_BUYER}, "named_buyer_ids"),
    ],
)
def test_a_malformed_request_is_refused_naming_the_field_and_changes_nothing(
    db: Session, market: Market, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _submit(db, market, **changes)
    assert refused.value.field == field
    assert list_quote_requests(db, market.exporter_actor) == []


def test_only_a_policyholder_asks_for_quotes(db: Session, market: Market) -> None:
    _as(db, market.underwriters[0])
    with pytest.raises(PermissionDenied):
        submit_quote_request(
            db,
            market.underwriters[0],
            product_kind=ProductKind.EXPORT_WHOLE_TURNOVER,
            currency="USD",
            turnover=export_book(),
            period_start=market.start(),
        )


def test_a_request_in_another_currency_gets_terms_converted_at_the_dated_rate(
    db: Session, market: Market
) -> None:
    request = _submit(db, market, currency="EUR", turnover=[TurnoverLine("DE", Money.of("1000000", "EUR"))])
    alpha = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[0].id
    )
    terms = alpha.terms
    assert terms is not None
    assert terms.currency == "EUR"
    rate = fx_rate("USD", "EUR", request.submitted_on)
    assert terms.minimum_premium == Money.rounded(Decimal(5000) * rate, "EUR")
    assert terms.decision_bands.instant_up_to == usd("500000")


def test_a_withdrawn_request_closes_its_open_quotes_and_takes_no_acceptance(
    db: Session, market: Market
) -> None:
    request = _submit(db, market)
    alpha = next(
        q for q in list_quotes(db, market.exporter_actor, request.id) if q.insurer_id == market.insurers[0].id
    )
    _as(db, market.underwriters[0])
    with pytest.raises(PermissionDenied):
        withdraw_quote_request(db, market.underwriters[0], request.id)
    _as(db, market.exporter_actor)
    withdrawn = withdraw_quote_request(db, market.exporter_actor, request.id)
    assert withdrawn.status is QuoteRequestStatus.WITHDRAWN
    assert get_quote(db, market.exporter_actor, alpha.id).status is QuoteStatus.NOT_TAKEN
    with pytest.raises(BusinessRuleViolation, match="withdrawn"):
        accept_quote(db, market.exporter_actor, alpha.id)
