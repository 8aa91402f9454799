"""The pure credit-limit rules: decision order, reasons, capacity, amounts in force, the DCL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.limits.rules import (
    AmountChange,
    AppetiteAction,
    AppetiteKind,
    AppetiteLine,
    BuyerReach,
    CapacityLeft,
    CapacityScope,
    DecidingRule,
    DecisionPolicy,
    LimitRequest,
    Outcome,
    amount_in_force,
    check_reduction,
    check_second_approver,
    dcl_verdict,
    decide,
    effective_after_notice,
    most_within_usd,
    review_date,
    usd_equivalent,
)
from tradecover.money import Money

TERMS = DecisionPolicy(max_buyer_grade=8)


def usd(amount: int | str) -> Money:
    return Money.of(amount, "USD")


def request(
    amount: Money | None = None,
    *,
    grade: int = 4,
    country: str = "US",
    country_grade: int = 0,
    sector: str = "electronics",
    public: bool = False,
    rate: str = "1",
    existing: Money | None = None,
) -> LimitRequest:
    return LimitRequest(
        buyer_grade=grade,
        buyer_is_public_body=public,
        country=country,
        country_grade=country_grade,
        sector=sector,
        requested=amount or usd(200_000),
        usd_rate=Decimal(rate),
        existing_on_buyer_usd=existing or usd(0),
    )


def left(scope: CapacityScope, key: str, amount: int) -> CapacityLeft:
    return CapacityLeft(scope, key, usd(amount))


def test_a_request_within_every_rule_is_approved_as_asked() -> None:
    decision = decide(request(usd(200_000)), TERMS, [], [left(CapacityScope.TOTAL, "", 10_000_000)])
    assert decision.outcome is Outcome.APPROVED
    assert decision.amount == usd(200_000)
    assert decision.rule is DecidingRule.WITHIN_RULES
    assert decision.reason == "approved: USD 200,000"


def test_a_defaulted_buyer_is_declined_whatever_the_terms() -> None:
    decision = decide(request(grade=10), DecisionPolicy(max_buyer_grade=9), [], [])
    assert decision.outcome is Outcome.DECLINED
    assert decision.rule is DecidingRule.DEFAULTED_BUYER
    assert decision.amount.is_zero


def test_a_buyer_graded_above_the_products_maximum_is_declined_with_the_grades_in_the_reason() -> None:
    decision = decide(request(grade=9), TERMS, [], [])
    assert decision.outcome is Outcome.DECLINED
    assert decision.rule is DecidingRule.BUYER_GRADE
    assert decision.reason == "declined: buyer grade 9 exceeds the product's maximum grade 8"


def test_a_country_graded_above_the_products_maximum_is_declined() -> None:
    decision = decide(request(country="AR", country_grade=7), DecisionPolicy(max_country_grade=6), [], [])
    assert decision.rule is DecidingRule.COUNTRY_GRADE
    assert "country grade 7 of AR exceeds the product's maximum country grade 6" in decision.reason


def test_a_buyer_in_a_country_the_policy_refuses_is_declined() -> None:
    decision = decide(request(country="RU"), DecisionPolicy(refused_countries=frozenset({"RU"})), [], [])
    assert (decision.rule, decision.reason) == (
        DecidingRule.COUNTRY_REFUSED,
        "declined: the policy does not cover buyers in RU",
    )


def test_an_export_policy_declines_a_domestic_buyer_and_a_domestic_policy_a_foreign_one() -> None:
    export = DecisionPolicy(buyer_reach=BuyerReach.FOREIGN)
    domestic = DecisionPolicy(buyer_reach=BuyerReach.DOMESTIC)
    in_china = LimitRequest(4, False, "CN", 2, "electronics", usd(1000), Decimal(1), insured_country="CN")
    in_usa = LimitRequest(4, False, "US", 0, "electronics", usd(1000), Decimal(1), insured_country="CN")
    assert decide(in_china, export, [], []).rule is DecidingRule.BUYER_SCOPE
    assert decide(in_usa, export, [], []).outcome is Outcome.APPROVED
    assert decide(in_usa, domestic, [], []).rule is DecidingRule.BUYER_SCOPE
    assert decide(in_china, domestic, [], []).outcome is Outcome.APPROVED


def test_a_request_above_the_policys_maximum_per_buyer_is_partly_approved_with_the_maximum() -> None:
    platform = DecisionPolicy(per_buyer_maximum=usd(150_000))
    decision = decide(request(usd(2_000_000)), platform, [], [])
    assert decision.outcome is Outcome.PARTLY_APPROVED
    assert decision.amount == usd(150_000)
    assert decision.reason == "partly approved: USD 150,000 of 2,000,000 — the policy's maximum per buyer"
    tight = decide(request(usd(2_000_000)), platform, [], [left(CapacityScope.TOTAL, "", 100_000)])
    assert (tight.amount, tight.rule) == (usd(100_000), DecidingRule.CAPACITY)
    assert tight.reason == "partly approved: USD 100,000 of 2,000,000 — total capacity left"


def test_a_refused_sector_is_declined_and_a_referred_one_is_referred() -> None:
    refuse = AppetiteLine(AppetiteKind.SECTOR, "construction", AppetiteAction.DECLINE, None, usd(0))
    refer = AppetiteLine(AppetiteKind.SECTOR, "public_sector", AppetiteAction.REFER, None, usd(0))
    declined = decide(request(sector="construction"), TERMS, [refuse, refer], [])
    referred = decide(request(sector="public_sector"), TERMS, [refuse, refer], [])
    untouched = decide(request(sector="electronics"), TERMS, [refuse, refer], [])
    assert (declined.outcome, declined.rule) == (Outcome.DECLINED, DecidingRule.APPETITE_DECLINED)
    assert declined.reason == "declined: the insurer does not cover sector construction"
    assert (referred.outcome, referred.rule) == (Outcome.REFERRED, DecidingRule.APPETITE_REFERRED)
    assert referred.reason == "referred: the insurer refers sector public_sector"
    assert untouched.outcome is Outcome.APPROVED


def test_a_request_that_takes_a_country_beyond_the_insurers_maximum_is_referred() -> None:
    line = AppetiteLine(AppetiteKind.COUNTRY, "US", AppetiteAction.REFER, usd(50_000_000), usd(49_900_000))
    decision = decide(request(usd(200_000)), TERMS, [line], [])
    assert decision.outcome is Outcome.REFERRED
    assert (
        decision.reason
        == "referred: the request would take the insurer's total on country US above its maximum"
    )
    assert decide(request(usd(100_000)), TERMS, [line], []).outcome is Outcome.APPROVED


def test_requests_above_the_instant_band_are_referred_and_above_the_second_band_need_two_approvals() -> None:
    at_band = decide(request(usd(500_000)), TERMS, [], [])
    above = decide(request(usd(500_001)), TERMS, [], [])
    very_large = decide(request(usd(1_000_001)), TERMS, [], [])
    assert at_band.outcome is Outcome.APPROVED
    assert (above.outcome, above.two_approvals_needed) == (Outcome.REFERRED, False)
    assert above.reason == "referred: the request (USD 500,001) is above the instant band of USD 500,000"
    assert (very_large.outcome, very_large.two_approvals_needed) == (Outcome.REFERRED, True)
    assert very_large.rule is DecidingRule.AMOUNT_BAND


def test_the_band_counts_the_insurers_existing_exposure_on_the_buyer() -> None:
    decision = decide(request(usd(200_000), existing=usd(400_000)), TERMS, [], [])
    assert decision.outcome is Outcome.REFERRED
    assert decision.reason == (
        "referred: the insurer's exposure on the buyer with this request "
        "is above the instant band of USD 500,000"
    )


def test_bands_compare_the_usd_equivalent_of_a_request_in_another_currency() -> None:
    cny = Money.of(3_000_000, "CNY")
    decision = decide(request(cny, rate="0.14"), TERMS, [], [])  # USD 420,000
    assert decision.outcome is Outcome.APPROVED
    assert decision.amount_usd == usd(420_000)
    assert decide(request(Money.of(4_000_000, "CNY"), rate="0.14"), TERMS, [], []).outcome is Outcome.REFERRED


def test_a_request_over_the_remaining_country_capacity_is_partly_approved_with_what_is_left() -> None:
    capacities = [left(CapacityScope.TOTAL, "", 10_000_000), left(CapacityScope.COUNTRY, "US", 300_000)]
    decision = decide(request(usd(500_000)), TERMS, [], capacities)
    assert decision.outcome is Outcome.PARTLY_APPROVED
    assert decision.amount == usd(300_000)
    assert decision.rule is DecidingRule.CAPACITY
    assert decision.reason == "partly approved: USD 300,000 of 500,000 — country capacity for US left"


def test_no_capacity_left_declines_even_a_request_that_would_be_referred() -> None:
    decision = decide(request(usd(2_000_000)), TERMS, [], [left(CapacityScope.SECTOR, "electronics", 0)])
    assert decision.outcome is Outcome.DECLINED
    assert decision.rule is DecidingRule.CAPACITY_EXHAUSTED
    assert decision.reason == "declined: no sector capacity for electronics left"


def test_public_bodies_are_referred_only_when_the_product_says_so() -> None:
    strict = DecisionPolicy(refer_public_bodies=True)
    assert decide(request(public=True), strict, [], []).rule is DecidingRule.PUBLIC_BODY
    assert decide(request(public=True), TERMS, [], []).outcome is Outcome.APPROVED


def test_the_grade_rule_comes_before_appetite_and_capacity() -> None:
    refuse = AppetiteLine(AppetiteKind.COUNTRY, "US", AppetiteAction.DECLINE, None, usd(0))
    decision = decide(request(grade=9), TERMS, [refuse], [left(CapacityScope.TOTAL, "", 0)])
    assert decision.rule is DecidingRule.BUYER_GRADE


def test_a_request_of_zero_or_less_is_refused() -> None:
    with pytest.raises(ValidationError):
        request(usd(0))
    with pytest.raises(ValidationError):
        request(usd(-5))


def test_bands_out_of_order_are_refused() -> None:
    with pytest.raises(ValidationError):
        DecisionPolicy(referral_above_usd=usd(2_000_000), two_approvals_above_usd=usd(1_000_000))


def test_the_second_approver_must_not_be_the_first() -> None:
    check_second_approver("anna", "ben")
    with pytest.raises(BusinessRuleViolation):
        check_second_approver("anna", "anna")


def test_during_a_reductions_notice_period_the_old_amount_stays_in_force() -> None:
    changes = [
        AmountChange(dt.date(2026, 1, 10), 1, usd(500_000)),
        AmountChange(dt.date(2026, 3, 31), 2, usd(200_000)),  # notified 1 March, 30 days' notice
    ]
    assert amount_in_force(changes, dt.date(2026, 1, 9), "USD") == usd(0)
    assert amount_in_force(changes, dt.date(2026, 3, 1), "USD") == usd(500_000)
    assert amount_in_force(changes, dt.date(2026, 3, 30), "USD") == usd(500_000)
    assert amount_in_force(changes, dt.date(2026, 3, 31), "USD") == usd(200_000)


def test_a_later_change_on_the_same_day_wins() -> None:
    changes = [AmountChange(dt.date(2026, 1, 1), 2, usd(0)), AmountChange(dt.date(2026, 1, 1), 1, usd(9))]
    assert amount_in_force(changes, dt.date(2026, 1, 1), "USD") == usd(0)


def test_a_cancellation_during_a_reductions_notice_period_voids_the_pending_reduction() -> None:
    changes = [
        AmountChange(dt.date(2026, 1, 10), 1, usd(500_000)),
        AmountChange(dt.date(2026, 3, 31), 2, usd(200_000)),
        AmountChange(dt.date(2026, 3, 5), 3, usd(0)),
    ]
    assert amount_in_force(changes, dt.date(2026, 3, 4), "USD") == usd(500_000)
    assert amount_in_force(changes, dt.date(2026, 3, 5), "USD") == usd(0)
    assert amount_in_force(changes, dt.date(2026, 6, 1), "USD") == usd(0)


def test_notice_runs_from_the_notification_date_and_a_negative_notice_is_refused() -> None:
    assert effective_after_notice(dt.date(2026, 3, 1), 30) == dt.date(2026, 3, 31)
    with pytest.raises(ValidationError):
        effective_after_notice(dt.date(2026, 3, 1), -1)


def test_the_review_date_is_a_year_later_and_a_leap_day_reviews_on_28_february() -> None:
    assert review_date(dt.date(2026, 5, 4)) == dt.date(2027, 5, 4)
    assert review_date(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_a_reduction_must_lower_the_amount_and_stay_above_zero() -> None:
    check_reduction(usd(500), usd(100))
    with pytest.raises(BusinessRuleViolation):
        check_reduction(usd(500), usd(500))
    with pytest.raises(ValidationError):
        check_reduction(usd(500), usd(0))


def test_the_dcl_needs_two_purchases_paid_on_time_or_a_credit_report() -> None:
    dcl = Money.of(50_000, "EUR")
    assert dcl_verdict(
        dcl, barred_by_zero_limit=False, purchases_paid_on_time_12m=2, has_credit_report=False
    ).available
    assert dcl_verdict(
        dcl, barred_by_zero_limit=False, purchases_paid_on_time_12m=0, has_credit_report=True
    ).available
    unknown = dcl_verdict(
        dcl, barred_by_zero_limit=False, purchases_paid_on_time_12m=1, has_credit_report=False
    )
    assert not unknown.available
    assert "fewer than 2 purchases" in unknown.reason


def test_a_zero_limit_bars_the_dcl_even_for_a_known_buyer() -> None:
    verdict = dcl_verdict(
        Money.of(50_000, "EUR"),
        barred_by_zero_limit=True,
        purchases_paid_on_time_12m=9,
        has_credit_report=True,
    )
    assert not verdict.available
    assert verdict.amount == Money.zero("EUR")
    assert "bars" in verdict.reason


# properties ----------------------------------------------------------------------------------------
currencies = st.sampled_from(["USD", "CNY", "EUR", "JPY", "KWD"])
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5"), places=6)
amounts = st.integers(min_value=1, max_value=10**10)
capacity_lists = st.lists(
    st.builds(
        CapacityLeft,
        st.sampled_from(list(CapacityScope)),
        st.sampled_from(["", "US", "DE", "electronics"]),
        st.integers(min_value=-(10**6), max_value=10**9).map(lambda n: Money.from_minor(n, "USD")),
    ),
    max_size=4,
)


@st.composite
def requests(draw: st.DrawFn) -> LimitRequest:
    currency = draw(currencies)
    return LimitRequest(
        buyer_grade=draw(st.integers(1, 10)),
        buyer_is_public_body=draw(st.booleans()),
        country=draw(st.sampled_from(["US", "DE", "CN"])),
        country_grade=draw(st.integers(0, 7)),
        sector=draw(st.sampled_from(["electronics", "construction"])),
        requested=Money.from_minor(draw(amounts), currency),
        usd_rate=Decimal(1) if currency == "USD" else draw(rates),
        existing_on_buyer_usd=Money.from_minor(draw(st.integers(0, 10**8)), "USD"),
    )


@given(requests(), capacity_lists)
def test_the_amount_granted_never_exceeds_the_request_nor_any_remaining_capacity(
    limit_request: LimitRequest, capacities: list[CapacityLeft]
) -> None:
    decision = decide(limit_request, TERMS, [], capacities)
    if decision.grants_cover:
        assert decision.amount <= limit_request.requested
        assert decision.amount.is_positive
        assert decision.amount_usd == usd_equivalent(decision.amount, limit_request.usd_rate)
        for capacity in capacities:
            assert decision.amount_usd <= capacity.remaining_usd
    else:
        assert decision.outcome in (Outcome.DECLINED, Outcome.REFERRED)
    assert decision.amount.currency == limit_request.requested.currency


@given(requests(), capacity_lists)
def test_decisions_are_deterministic(limit_request: LimitRequest, capacities: list[CapacityLeft]) -> None:
    assert decide(limit_request, TERMS, [], capacities) == decide(limit_request, TERMS, [], list(capacities))


@given(currencies, st.integers(min_value=0, max_value=10**12), rates)
def test_the_most_within_a_usd_capacity_is_the_largest_amount_that_fits(
    currency: str, remaining_minor: int, rate: Decimal
) -> None:
    rate = Decimal(1) if currency == "USD" else rate
    remaining = Money.from_minor(remaining_minor, "USD")
    most = most_within_usd(currency, remaining, rate)
    assert usd_equivalent(most, rate) <= remaining
    assert most.amount * rate <= remaining.amount
    one_more = most + Money.from_minor(1, currency)
    assert one_more.amount * rate > remaining.amount
