"""Policy terms: the defaults of DESIGN §2, validation naming the field, exact JSON round trips."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from tradecover.errors import ValidationError
from tradecover.money import Money, Rate
from tradecover.policies.defaults import default_products
from tradecover.policies.terms import CauseOfLoss, PolicyTerms, ProductKind, terms_in_currency


def _export() -> PolicyTerms:
    return default_products()[ProductKind.EXPORT_WHOLE_TURNOVER].terms


def test_the_default_export_product_carries_the_terms_of_the_design() -> None:
    terms = _export()
    assert terms.max_credit_period_days == 180
    assert terms.max_credit_period_with_consent_days == 360
    assert terms.indemnity.for_cause(CauseOfLoss.INSOLVENCY) == Rate.percent(90)
    assert terms.indemnity.for_cause(CauseOfLoss.REPUDIATION) == Rate.percent(80)
    assert terms.indemnity.for_cause(CauseOfLoss.POLITICAL) == Rate.percent(90)
    assert terms.protracted_default_waiting_months == 4
    assert terms.declaration_deadline_working_days == 5
    assert terms.overdue_reporting_days == 30
    assert terms.extension_without_consent_days == 60
    assert terms.claim_filing_months == 6
    assert terms.limit_reduction_notice_days == 30
    assert terms.max_buyer_grade == 8
    assert terms.decision_bands.instant_up_to == Money.of("500000", "USD")
    assert terms.decision_bands.two_approvals_above == Money.of("1000000", "USD")
    assert terms.dcl_conditions.min_paid_purchases == 2


def test_the_domestic_product_pays_less_on_public_bodies_and_waits_six_months() -> None:
    terms = default_products()[ProductKind.DOMESTIC_WHOLE_TURNOVER].terms
    assert terms.max_credit_period_days == 360
    assert terms.protracted_default_waiting_months == 6
    assert terms.indemnity.for_cause(CauseOfLoss.INSOLVENCY, public_body=True) == Rate.percent(80)
    assert terms.indemnity.for_cause(CauseOfLoss.INSOLVENCY) == Rate.percent(90)


def test_single_buyer_has_no_first_loss_and_the_platform_policy_caps_each_buyer() -> None:
    assert not default_products()[ProductKind.SINGLE_BUYER].terms.has_aggregate_first_loss
    assert default_products()[ProductKind.SINGLE_BUYER].terms.named_buyer_required
    platform = default_products()[ProductKind.PLATFORM].terms
    assert platform.per_buyer_maximum == Money.of("150000", "USD")
    assert platform.indemnity.for_cause(CauseOfLoss.PROTRACTED_DEFAULT) == Rate.percent(80)


@pytest.mark.parametrize("kind", list(ProductKind))
def test_terms_survive_a_json_round_trip_exactly(kind: ProductKind) -> None:
    terms = default_products()[kind].terms
    assert PolicyTerms.from_json(terms.to_json()) == terms


def test_maximum_liability_as_a_multiple_of_premium_is_computed_from_the_premium() -> None:
    assert _export().maximum_liability.for_premium(Money.of("12345.67", "USD")) == Money.of(
        "370370.10", "USD"
    )


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("indemnity", "insolvency"), "1.2", "indemnity.insolvency"),
        (("indemnity", "repudiation"), "0", "indemnity.repudiation"),
        (("max_credit_period_days",), 0, "max_credit_period_days"),
        (("max_credit_period_with_consent_days",), 90, "max_credit_period_with_consent_days"),
        (("dcl",), {"amount": "-1.00", "currency": "USD"}, "dcl"),
        (("dcl",), {"amount": "10.00", "currency": "EUR"}, "dcl"),
        (("minimum_premium", "amount"), "abc", "minimum_premium.amount"),
        (("max_buyer_grade",), 10, "max_buyer_grade"),
        (("kind",), "marine", "kind"),
        (("maximum_liability", "amount"), {"amount": "5.00", "currency": "USD"}, "maximum_liability"),
        (("refused_countries",), ["usa"], "refused_countries"),
        (
            ("decision_bands", "two_approvals_above"),
            {"amount": "1.00", "currency": "USD"},
            "decision_bands.two_approvals_above",
        ),
    ],
)
def test_bad_terms_are_refused_naming_the_field(path: tuple[str, ...], value: Any, field: str) -> None:
    data = copy.deepcopy(_export().to_json())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as refused:
        PolicyTerms.from_json(data)
    assert refused.value.field == field


def test_a_missing_term_is_named() -> None:
    data = _export().to_json()
    del data["non_qualifying_loss"]
    with pytest.raises(ValidationError, match="required") as refused:
        PolicyTerms.from_json(data)
    assert refused.value.field == "non_qualifying_loss"


def test_a_single_buyer_policy_refuses_an_aggregate_first_loss() -> None:
    terms = default_products()[ProductKind.SINGLE_BUYER].terms
    with pytest.raises(ValidationError) as refused:
        terms.replace(aggregate_first_loss=Money.of("1000", "USD"))
    assert refused.value.field == "aggregate_first_loss"


def test_converting_terms_rounds_each_amount_once_and_keeps_the_bands_in_usd() -> None:
    converted = terms_in_currency(_export(), "CNY", Decimal("7.1234"))
    assert converted.currency == "CNY"
    assert converted.dcl == Money.of("356170.00", "CNY")
    assert converted.minimum_premium == Money.of("35617.00", "CNY")
    assert converted.decision_bands.instant_up_to.currency == "USD"
    assert converted.maximum_liability.premium_multiple == Decimal(30)
