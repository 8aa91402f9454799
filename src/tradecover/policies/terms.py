"""Policy terms as a frozen value (DESIGN §2 "Product", "Policy", "Credit limit"), checked and JSON-able.

Terms are pure data: a product holds its default terms, a quote the terms it offers, and each policy
version the terms frozen on it. Money travels as `{"amount": "…", "currency": "…"}`, rates and
percentages as decimal strings, so the JSON form is exact.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from tradecover.errors import DomainError, ValidationError
from tradecover.money import Money, Rate, minor_unit_exponent, to_decimal

_E = TypeVar("_E", bound=enum.StrEnum)

BEST_BUYER_GRADE = 1
WORST_COVERABLE_BUYER_GRADE = 9
HIGHEST_COUNTRY_GRADE = 7
MAX_CREDIT_PERIOD_DAYS = 720


class ProductKind(enum.StrEnum):
    """The four products of DESIGN §2."""

    EXPORT_WHOLE_TURNOVER = "export_whole_turnover"
    DOMESTIC_WHOLE_TURNOVER = "domestic_whole_turnover"
    SINGLE_BUYER = "single_buyer"
    PLATFORM = "platform"


PRODUCT_KIND_TITLES: dict[ProductKind, str] = {
    ProductKind.EXPORT_WHOLE_TURNOVER: "Export whole-turnover",
    ProductKind.DOMESTIC_WHOLE_TURNOVER: "Domestic whole-turnover",
    ProductKind.SINGLE_BUYER: "Single-buyer",
    ProductKind.PLATFORM: "Platform (cohort) policy",
}


class CauseOfLoss(enum.StrEnum):
    """Why a buyer did not pay."""

    INSOLVENCY = "insolvency"
    PROTRACTED_DEFAULT = "protracted_default"
    REPUDIATION = "repudiation"
    POLITICAL = "political"


class NonPaymentEffect(enum.StrEnum):
    """What the product does when a premium invoice stays unpaid past the dunning schedule."""

    NO_NEW_LIMITS = "no_new_limits"
    NONE = "none"


class BuyerScope(enum.StrEnum):
    """Which buyers a policy covers relative to the insured's own country."""

    FOREIGN = "foreign"
    DOMESTIC = "domestic"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class IndemnityPercentages:
    """The share of an insured loss the insurer pays, by cause of loss, and on public-body buyers."""

    insolvency: Rate
    protracted_default: Rate
    repudiation: Rate
    political: Rate
    public_body: Rate | None = None

    def for_cause(self, cause: CauseOfLoss, *, public_body: bool = False) -> Rate:
        """The percentage for a cause of loss; a public-body buyer gets its own percentage where set."""
        if public_body and self.public_body is not None and cause is not CauseOfLoss.POLITICAL:
            return self.public_body
        return {
            CauseOfLoss.INSOLVENCY: self.insolvency,
            CauseOfLoss.PROTRACTED_DEFAULT: self.protracted_default,
            CauseOfLoss.REPUDIATION: self.repudiation,
            CauseOfLoss.POLITICAL: self.political,
        }[cause]


@dataclass(frozen=True, slots=True)
class DclConditions:
    """When the insured may use its discretionary credit limit on a buyer without asking."""

    min_paid_purchases: int = 2
    lookback_months: int = 12
    credit_report_suffices: bool = True


@dataclass(frozen=True, slots=True)
class MaximumLiability:
    """The most the insurers pay in a policy year: a fixed amount, or a multiple of the year's premium."""

    amount: Money | None = None
    premium_multiple: Decimal | None = None

    def for_premium(self, premium: Money) -> Money:
        """The maximum liability given the year's premium."""
        if self.amount is not None:
            return self.amount
        assert self.premium_multiple is not None  # checked at construction
        return premium * self.premium_multiple

    def __str__(self) -> str:
        if self.amount is not None:
            return str(self.amount)
        return f"{self.premium_multiple} × premium"


@dataclass(frozen=True, slots=True)
class DecisionBands:
    """Limit amounts decided instantly, referred to an underwriter, or needing two approvals (USD eq.)."""

    instant_up_to: Money
    two_approvals_above: Money


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """Every term of a policy (or a product's defaults); see DESIGN §2."""

    kind: ProductKind
    currency: str
    indemnity: IndemnityPercentages
    max_credit_period_days: int
    max_credit_period_with_consent_days: int
    protracted_default_waiting_months: int
    political_waiting_months: int
    dcl: Money
    non_qualifying_loss: Money
    aggregate_first_loss: Money
    maximum_liability: MaximumLiability
    minimum_premium: Money
    decision_bands: DecisionBands
    dcl_conditions: DclConditions = field(default_factory=DclConditions)
    declaration_deadline_working_days: int = 5
    overdue_reporting_days: int = 30
    extension_without_consent_days: int = 60
    claim_filing_months: int = 6
    # Service levels of a claim: decided within so many days of complete documents, paid within so many
    # days of the decision ("swift claims").
    claim_decision_days: int = 30
    claim_payment_days: int = 5
    limit_reduction_notice_days: int = 30
    max_buyer_grade: int = 8
    buyer_scope: BuyerScope = BuyerScope.ANY
    max_country_grade: int = HIGHEST_COUNTRY_GRADE
    refused_countries: tuple[str, ...] = ()
    per_buyer_maximum: Money | None = None
    quote_validity_days: int = 30
    premium_payment_days: int = 30
    premium_reminder_days: int = 1
    premium_second_reminder_days: int = 15
    premium_non_payment_days: int = 30
    non_payment_effect: NonPaymentEffect = NonPaymentEffect.NO_NEW_LIMITS

    def __post_init__(self) -> None:
        check_terms(self)

    def replace(self, **changes: Any) -> PolicyTerms:
        """A copy with some terms changed (checked again)."""
        return dataclasses.replace(self, **changes)

    @property
    def named_buyer_required(self) -> bool:
        """True for a single-buyer policy, which covers one named buyer."""
        return self.kind is ProductKind.SINGLE_BUYER

    @property
    def has_aggregate_first_loss(self) -> bool:
        """True when the insured bears a first loss each policy year."""
        return self.aggregate_first_loss.is_positive

    def to_json(self) -> dict[str, Any]:
        """The terms as exact JSON (money as amount/currency, rates as decimal strings)."""
        return terms_to_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PolicyTerms:
        """Terms from their JSON form; ValidationError names the field at fault."""
        return terms_from_json(data)


# checks ------------------------------------------------------------------------------------------
def _whole(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be a whole number", field=name)
    if not low <= value <= high:
        raise ValidationError(f"must be from {low} to {high}, not {value}", field=name)


def _percentage(rate: Rate | None, name: str) -> None:
    if rate is None:
        return
    if not Decimal(0) < rate.value <= Decimal(1):
        raise ValidationError(f"must be more than 0% and at most 100%, not {rate}", field=name)


def _amount(money: Money | None, name: str, currency: str, *, positive: bool = False) -> None:
    if money is None:
        return
    if money.currency != currency:
        raise ValidationError(f"must be in the policy currency {currency}, not {money.currency}", field=name)
    if money.is_negative or (positive and money.is_zero):
        raise ValidationError("must be more than zero" if positive else "must not be negative", field=name)


def check_terms(terms: PolicyTerms) -> None:
    """Refuse inconsistent terms with the name of the field at fault."""
    if not isinstance(terms.kind, ProductKind):
        raise ValidationError("unknown product kind", field="kind")
    currency = terms.currency
    minor_unit_exponent(currency)
    for cause in ("insolvency", "protracted_default", "repudiation", "political", "public_body"):
        _percentage(getattr(terms.indemnity, cause), f"indemnity.{cause}")
    _whole(terms.max_credit_period_days, "max_credit_period_days", 1, MAX_CREDIT_PERIOD_DAYS)
    _whole(
        terms.max_credit_period_with_consent_days,
        "max_credit_period_with_consent_days",
        terms.max_credit_period_days,
        MAX_CREDIT_PERIOD_DAYS,
    )
    _whole(terms.protracted_default_waiting_months, "protracted_default_waiting_months", 1, 24)
    _whole(terms.political_waiting_months, "political_waiting_months", 0, 24)
    _whole(terms.declaration_deadline_working_days, "declaration_deadline_working_days", 1, 60)
    _whole(terms.overdue_reporting_days, "overdue_reporting_days", 1, 180)
    _whole(terms.extension_without_consent_days, "extension_without_consent_days", 0, 360)
    _whole(terms.claim_filing_months, "claim_filing_months", 1, 36)
    _whole(terms.claim_decision_days, "claim_decision_days", 1, 180)
    _whole(terms.claim_payment_days, "claim_payment_days", 1, 90)
    _whole(terms.limit_reduction_notice_days, "limit_reduction_notice_days", 0, 180)
    _whole(terms.max_buyer_grade, "max_buyer_grade", BEST_BUYER_GRADE, WORST_COVERABLE_BUYER_GRADE)
    _whole(terms.max_country_grade, "max_country_grade", 0, HIGHEST_COUNTRY_GRADE)
    _whole(terms.quote_validity_days, "quote_validity_days", 1, 180)
    _whole(terms.premium_payment_days, "premium_payment_days", 0, 365)
    _whole(terms.premium_reminder_days, "premium_reminder_days", 1, 365)
    _whole(
        terms.premium_second_reminder_days,
        "premium_second_reminder_days",
        terms.premium_reminder_days + 1,
        365,
    )
    _whole(
        terms.premium_non_payment_days,
        "premium_non_payment_days",
        terms.premium_second_reminder_days + 1,
        365,
    )
    if not isinstance(terms.non_payment_effect, NonPaymentEffect):
        raise ValidationError("unknown non-payment effect", field="non_payment_effect")
    _whole(terms.dcl_conditions.min_paid_purchases, "dcl_conditions.min_paid_purchases", 0, 100)
    _whole(terms.dcl_conditions.lookback_months, "dcl_conditions.lookback_months", 1, 60)
    _amount(terms.dcl, "dcl", currency)
    _amount(terms.non_qualifying_loss, "non_qualifying_loss", currency)
    _amount(terms.aggregate_first_loss, "aggregate_first_loss", currency)
    _amount(terms.minimum_premium, "minimum_premium", currency)
    _amount(terms.per_buyer_maximum, "per_buyer_maximum", currency, positive=True)
    liability = terms.maximum_liability
    if (liability.amount is None) == (liability.premium_multiple is None):
        raise ValidationError("give either an amount or a multiple of premium", field="maximum_liability")
    _amount(liability.amount, "maximum_liability.amount", currency, positive=True)
    if liability.premium_multiple is not None and not Decimal(0) < liability.premium_multiple <= 1000:
        raise ValidationError(
            "must be more than 0 and at most 1000", field="maximum_liability.premium_multiple"
        )
    bands = terms.decision_bands
    for name, band in (
        ("instant_up_to", bands.instant_up_to),
        ("two_approvals_above", bands.two_approvals_above),
    ):
        _amount(band, f"decision_bands.{name}", "USD", positive=True)
    if bands.two_approvals_above < bands.instant_up_to:
        raise ValidationError(
            "must not be below the instant-decision band", field="decision_bands.two_approvals_above"
        )
    if terms.kind is ProductKind.SINGLE_BUYER and terms.has_aggregate_first_loss:
        raise ValidationError(
            "a single-buyer policy has no aggregate first loss", field="aggregate_first_loss"
        )
    for code in terms.refused_countries:
        if not (isinstance(code, str) and len(code) == 2 and code.isalpha() and code.isupper()):
            raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 code", field="refused_countries")


# JSON --------------------------------------------------------------------------------------------
def _money_json(money: Money | None) -> dict[str, str] | None:
    return None if money is None else {"amount": format(money.amount, "f"), "currency": money.currency}


def _rate_json(rate: Rate | None) -> str | None:
    return None if rate is None else format(rate.value, "f")


def terms_to_json(terms: PolicyTerms) -> dict[str, Any]:
    """The JSON form of terms."""
    indemnity = terms.indemnity
    return {
        "kind": terms.kind.value,
        "currency": terms.currency,
        "indemnity": {
            "insolvency": _rate_json(indemnity.insolvency),
            "protracted_default": _rate_json(indemnity.protracted_default),
            "repudiation": _rate_json(indemnity.repudiation),
            "political": _rate_json(indemnity.political),
            "public_body": _rate_json(indemnity.public_body),
        },
        "max_credit_period_days": terms.max_credit_period_days,
        "max_credit_period_with_consent_days": terms.max_credit_period_with_consent_days,
        "protracted_default_waiting_months": terms.protracted_default_waiting_months,
        "political_waiting_months": terms.political_waiting_months,
        "dcl": _money_json(terms.dcl),
        "dcl_conditions": {
            "min_paid_purchases": terms.dcl_conditions.min_paid_purchases,
            "lookback_months": terms.dcl_conditions.lookback_months,
            "credit_report_suffices": terms.dcl_conditions.credit_report_suffices,
        },
        "non_qualifying_loss": _money_json(terms.non_qualifying_loss),
        "aggregate_first_loss": _money_json(terms.aggregate_first_loss),
        "maximum_liability": {
            "amount": _money_json(terms.maximum_liability.amount),
            "premium_multiple": (
                None
                if terms.maximum_liability.premium_multiple is None
                else format(terms.maximum_liability.premium_multiple, "f")
            ),
        },
        "minimum_premium": _money_json(terms.minimum_premium),
        "decision_bands": {
            "instant_up_to": _money_json(terms.decision_bands.instant_up_to),
            "two_approvals_above": _money_json(terms.decision_bands.two_approvals_above),
        },
        "declaration_deadline_working_days": terms.declaration_deadline_working_days,
        "overdue_reporting_days": terms.overdue_reporting_days,
        "extension_without_consent_days": terms.extension_without_consent_days,
        "claim_filing_months": terms.claim_filing_months,
        "claim_decision_days": terms.claim_decision_days,
        "claim_payment_days": terms.claim_payment_days,
        "limit_reduction_notice_days": terms.limit_reduction_notice_days,
        "max_buyer_grade": terms.max_buyer_grade,
        "buyer_scope": terms.buyer_scope.value,
        "max_country_grade": terms.max_country_grade,
        "refused_countries": list(terms.refused_countries),
        "per_buyer_maximum": _money_json(terms.per_buyer_maximum),
        "quote_validity_days": terms.quote_validity_days,
        "premium_payment_days": terms.premium_payment_days,
        "premium_reminder_days": terms.premium_reminder_days,
        "premium_second_reminder_days": terms.premium_second_reminder_days,
        "premium_non_payment_days": terms.premium_non_payment_days,
        "non_payment_effect": terms.non_payment_effect.value,
    }


class _Reader:
    """Reads one JSON object, naming the dotted field in every error."""

    def __init__(self, data: object, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise ValidationError("must be an object", field=prefix.rstrip(".") or None)
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        if key not in self.data or self.data[key] is None:
            raise ValidationError("is required", field=self.name(key))
        return self.data[key]

    def child(self, key: str) -> _Reader:
        return _Reader(self.raw(key), f"{self.name(key)}.")

    def integer(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be a whole number", field=self.name(key))
        return value

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise ValidationError("must be true or false", field=self.name(key))
        return value

    def decimal(self, key: str) -> Decimal:
        value = self.raw(key)
        if not isinstance(value, str):
            raise ValidationError("must be a decimal string", field=self.name(key))
        try:
            return to_decimal(value, field=self.name(key))
        except DomainError as error:
            raise ValidationError(error.message, field=self.name(key)) from None

    def rate(self, key: str) -> Rate:
        return Rate(self.decimal(key))

    def money(self, key: str) -> Money:
        inner = self.child(key)
        currency = inner.raw("currency")
        if not isinstance(currency, str):
            raise ValidationError("must be a currency code", field=inner.name("currency"))
        amount = inner.decimal("amount")
        try:
            return Money.of(amount, currency)
        except DomainError as error:
            raise ValidationError(error.message, field=self.name(key)) from None

    def choice(self, key: str, kind: type[_E]) -> _E:
        value = self.raw(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise ValidationError(f"{value!r} is not one of {allowed}", field=self.name(key)) from None


def terms_from_json(data: Mapping[str, Any]) -> PolicyTerms:
    """Terms from their JSON form; every missing or malformed term is named."""
    r = _Reader(data)
    indemnity = r.child("indemnity")
    conditions = r.child("dcl_conditions") if r.has("dcl_conditions") else None
    liability = r.child("maximum_liability")
    bands = r.child("decision_bands")
    refused = r.data.get("refused_countries") or []
    if not isinstance(refused, list) or not all(isinstance(code, str) for code in refused):
        raise ValidationError("must be a list of country codes", field="refused_countries")
    defaults = {f.name: f.default for f in dataclasses.fields(PolicyTerms) if isinstance(f.default, int)}

    def optional_int(key: str) -> int:
        return r.integer(key) if r.has(key) else defaults[key]

    currency = r.raw("currency")
    if not isinstance(currency, str):
        raise ValidationError("must be a currency code", field="currency")
    return PolicyTerms(
        kind=r.choice("kind", ProductKind),
        currency=currency.upper(),
        indemnity=IndemnityPercentages(
            insolvency=indemnity.rate("insolvency"),
            protracted_default=indemnity.rate("protracted_default"),
            repudiation=indemnity.rate("repudiation"),
            political=indemnity.rate("political"),
            public_body=indemnity.rate("public_body") if indemnity.has("public_body") else None,
        ),
        max_credit_period_days=r.integer("max_credit_period_days"),
        max_credit_period_with_consent_days=r.integer("max_credit_period_with_consent_days"),
        protracted_default_waiting_months=r.integer("protracted_default_waiting_months"),
        political_waiting_months=r.integer("political_waiting_months"),
        dcl=r.money("dcl"),
        dcl_conditions=(
            DclConditions()
            if conditions is None
            else DclConditions(
                min_paid_purchases=conditions.integer("min_paid_purchases"),
                lookback_months=conditions.integer("lookback_months"),
                credit_report_suffices=conditions.boolean("credit_report_suffices"),
            )
        ),
        non_qualifying_loss=r.money("non_qualifying_loss"),
        aggregate_first_loss=r.money("aggregate_first_loss"),
        maximum_liability=MaximumLiability(
            amount=liability.money("amount") if liability.has("amount") else None,
            premium_multiple=(
                liability.decimal("premium_multiple") if liability.has("premium_multiple") else None
            ),
        ),
        minimum_premium=r.money("minimum_premium"),
        decision_bands=DecisionBands(
            instant_up_to=bands.money("instant_up_to"),
            two_approvals_above=bands.money("two_approvals_above"),
        ),
        declaration_deadline_working_days=optional_int("declaration_deadline_working_days"),
        overdue_reporting_days=optional_int("overdue_reporting_days"),
        extension_without_consent_days=optional_int("extension_without_consent_days"),
        claim_filing_months=optional_int("claim_filing_months"),
        claim_decision_days=optional_int("claim_decision_days"),
        claim_payment_days=optional_int("claim_payment_days"),
        limit_reduction_notice_days=optional_int("limit_reduction_notice_days"),
        max_buyer_grade=optional_int("max_buyer_grade"),
        buyer_scope=r.choice("buyer_scope", BuyerScope) if r.has("buyer_scope") else BuyerScope.ANY,
        max_country_grade=optional_int("max_country_grade"),
        refused_countries=tuple(code.upper() for code in refused),
        per_buyer_maximum=r.money("per_buyer_maximum") if r.has("per_buyer_maximum") else None,
        quote_validity_days=optional_int("quote_validity_days"),
        premium_payment_days=optional_int("premium_payment_days"),
        premium_reminder_days=optional_int("premium_reminder_days"),
        premium_second_reminder_days=optional_int("premium_second_reminder_days"),
        premium_non_payment_days=optional_int("premium_non_payment_days"),
        non_payment_effect=(
            r.choice("non_payment_effect", NonPaymentEffect)
            if r.has("non_payment_effect")
            else NonPaymentEffect.NO_NEW_LIMITS
        ),
    )


def terms_in_currency(terms: PolicyTerms, currency: str, rate: Decimal) -> PolicyTerms:
    """The terms with every policy-currency amount converted at `rate` (units of `currency` per unit).

    Each amount is rounded half up once; the decision bands stay in USD.
    """
    if currency == terms.currency:
        return terms

    def converted(money: Money) -> Money:
        return Money.rounded(money.amount * rate, currency)

    def maybe(money: Money | None) -> Money | None:
        return None if money is None else converted(money)

    liability = terms.maximum_liability
    return dataclasses.replace(
        terms,
        currency=currency,
        dcl=converted(terms.dcl),
        non_qualifying_loss=converted(terms.non_qualifying_loss),
        aggregate_first_loss=converted(terms.aggregate_first_loss),
        minimum_premium=converted(terms.minimum_premium),
        per_buyer_maximum=maybe(terms.per_buyer_maximum),
        maximum_liability=MaximumLiability(maybe(liability.amount), liability.premium_multiple),
    )
