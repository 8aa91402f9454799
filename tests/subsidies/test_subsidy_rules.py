"""The pure subsidy rules: eligibility reasons, tiers, the share with its rounding, cap, budget and FX."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecover.errors import ValidationError
from tradecover.money import Money
from tradecover.subsidies.rules import (
    Facts,
    Share,
    check_rules,
    check_tiers,
    compute_share,
    failed_rules,
    tier_rate,
    tiers_text,
)

SMALL_YIWU = Facts(
    region="Yiwu", is_sme=True, prior_year_exports_usd=Decimal("3000000"), sector="toys_leisure"
)
YIWU_RULES = check_rules(
    [
        {"fact": "region", "op": "==", "value": "Yiwu"},
        {"fact": "prior_year_exports_usd", "op": "<=", "value": "8000000"},
        {"fact": "is_sme", "op": "==", "value": "yes"},
        {"fact": "sector", "op": "in", "value": "toys_leisure|consumer_goods"},
    ]
)


def _share(
    premium: str, rate: str = "0.8", *, cap: str | None = None, budget: str = "1000000", fx: str = "1"
) -> Share:
    return compute_share(
        premium=Money.of(premium, "CNY"),
        rate=Decimal(rate),
        fx_rate=Decimal(fx),
        programme_currency="CNY",
        cap_left=None if cap is None else Money.of(cap, "CNY"),
        budget_left=Money.of(budget, "CNY"),
        year=2025,
        programme_name="Yiwu",
    )


def test_a_firm_meeting_every_rule_is_eligible() -> None:
    assert failed_rules(YIWU_RULES, SMALL_YIWU) == []


def test_each_failed_rule_gives_its_reason_in_order() -> None:
    facts = Facts(
        region="Shenzhen", is_sme=False, prior_year_exports_usd=Decimal("9100000"), sector="electronics"
    )
    assert failed_rules(YIWU_RULES, facts) == [
        "region Shenzhen, not Yiwu",
        "prior-year exports USD 9,100,000 exceed the threshold USD 8,000,000",
        "not an SME",
        "sector electronics is not one of toys_leisure, consumer_goods",
    ]


def test_a_fact_not_on_record_fails_its_rule_and_says_so() -> None:
    facts = Facts(region=None, is_sme=None, prior_year_exports_usd=None, sector=None)
    assert failed_rules(YIWU_RULES[:2], facts) == ["region not on record", "prior-year exports not on record"]


def test_exports_exactly_on_the_threshold_qualify_and_a_cent_above_does_not() -> None:
    rule = check_rules([{"fact": "prior_year_exports_usd", "op": "<=", "value": "8,000,000"}])
    on_line = Facts("Yiwu", True, Decimal("8000000.00"), None)
    above = Facts("Yiwu", True, Decimal("8000000.01"), None)
    assert failed_rules(rule, on_line) == []
    assert failed_rules(rule, above) == [
        "prior-year exports USD 8,000,000.01 exceed the threshold USD 8,000,000"
    ]


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({"fact": "turnover", "op": "<=", "value": "1"}, "rules[0]", "is not a fact"),
        ({"fact": "region", "op": "<", "value": "Yiwu"}, "rules[0]", "is text"),
        ({"fact": "is_sme", "op": "==", "value": "maybe"}, "rules[0]", "not true or false"),
        ({"fact": "prior_year_exports_usd", "op": "<=", "value": "-5"}, "rules[0]", "cannot be negative"),
        ({"fact": "prior_year_exports_usd", "op": "in", "value": "1|2"}, "rules[0]", "compare exports"),
        ({"fact": "region", "op": "==", "value": " "}, "rules[0]", "needs a value"),
    ],
)
def test_a_bad_rule_is_refused_naming_it(rule: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        check_rules([rule])
    assert refused.value.field == field


def test_tiers_choose_by_prior_year_exports_with_the_last_taking_the_rest() -> None:
    tiers = check_tiers([{"rate": "1", "exports_below_usd": "5000000"}, {"rate": "0.8"}])
    assert tier_rate(tiers, Decimal("4999999.99")) == Decimal(1)
    assert tier_rate(tiers, Decimal("5000000")) == Decimal("0.8")
    assert tier_rate(tiers, None) == Decimal("0.8")
    assert tiers_text(tiers) == "100% below USD 5,000,000, 80% above (prior-year exports)"


@pytest.mark.parametrize(
    ("tiers", "field", "message"),
    [
        ([{"rate": "-0.1"}], "tiers[0].rate", "cannot be negative"),
        ([{"rate": "1.01"}], "tiers[0].rate", "at most 100%"),
        ([], "tiers", "at least one"),
        ([{"rate": "1", "exports_below_usd": "5000000"}], "tiers[0]", "last tier has no bound"),
        ([{"rate": "1"}, {"rate": "0.8"}], "tiers[0]", "only the last tier"),
        (
            [
                {"rate": "1", "exports_below_usd": "5000000"},
                {"rate": "0.9", "exports_below_usd": "3000000"},
                {"rate": "0.8"},
            ],
            "tiers[1].exports_below_usd",
            "tiers go up",
        ),
    ],
)
def test_bad_tiers_are_refused_naming_the_field(
    tiers: list[dict[str, str]], field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        check_tiers(tiers)
    assert refused.value.field == field


def test_the_share_is_premium_times_rate_rounded_half_up_once() -> None:
    share = _share("0.05", "0.5")  # 0.025 → 0.03
    assert share.amount == Money.of("0.03", "CNY")
    assert share.capped_by is None


def test_the_cap_then_the_budget_limit_the_share_and_the_explanation_says_which() -> None:
    capped = _share("1000", cap="300", budget="500")
    assert capped.amount == Money.of("300", "CNY")
    assert capped.capped_by == "cap"
    assert "left of the firm's cap for 2025 — firm pays the rest" in capped.explanation
    short = _share("1000", cap="600", budget="500")
    assert short.amount == Money.of("500", "CNY")
    assert short.capped_by == "budget"
    exhausted = _share("1000", budget="0")
    assert exhausted.amount.is_zero
    assert exhausted.explanation.endswith("capped: budget for 2025 exhausted — firm pays the rest")


def test_a_foreign_currency_invoice_is_capped_in_the_programme_currency_and_stores_both() -> None:
    share = compute_share(
        premium=Money.of("1000.00", "USD"),
        rate=Decimal("0.8"),
        fx_rate=Decimal("7.1"),
        programme_currency="CNY",
        cap_left=None,
        budget_left=Money.of("1000.00", "CNY"),
        year=2025,
        programme_name="Yiwu",
    )
    assert share.requested == Money.of("800.00", "USD")
    assert share.requested_in_programme == Money.of("5680.00", "CNY")
    assert share.amount_in_programme == Money.of("1000.00", "CNY")
    assert share.amount == Money.of("140.85", "USD")  # 1000 / 7.1 = 140.845… half up


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2).map(str)
rates = st.decimals(min_value=0, max_value=1, places=4)


@given(premium=amounts, rate=rates, cap=st.none() | amounts, budget=amounts)
def test_the_share_is_never_negative_nor_above_the_premium_cap_or_budget(
    premium: str, rate: Decimal, cap: str | None, budget: str
) -> None:
    share = _share(premium, str(rate), cap=cap, budget=budget)
    assert Money.zero("CNY") <= share.amount <= Money.of(premium, "CNY")
    assert share.amount <= share.requested
    assert share.amount_in_programme <= Money.of(budget, "CNY")
    if cap is not None:
        assert share.amount_in_programme <= Money.of(cap, "CNY")


@given(premiums=st.lists(amounts, min_size=1, max_size=30), rate=rates, budget=amounts)
def test_invoices_committed_in_turn_never_take_more_than_the_budget(
    premiums: list[str], rate: Decimal, budget: str
) -> None:
    left = Money.of(budget, "CNY")
    committed = Money.zero("CNY")
    for premium in premiums:
        share = _share(premium, str(rate), budget=format(left.amount, "f"))
        committed = committed + share.amount_in_programme
        left = left - share.amount_in_programme
        assert not left.is_negative
    assert committed <= Money.of(budget, "CNY")
