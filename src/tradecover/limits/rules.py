"""Pure credit-limit rules: the instant decision, amounts in force over time, the DCL, review dates.

A request is decided by the rules below, tried in this order; the first that applies decides:

1. `defaulted_buyer`      a defaulted buyer (grade 10) is declined;
2. `buyer_grade`          a buyer grade above the product's maximum is declined;
3. `country_grade`        a country grade above the product's maximum is declined;
4. `country_refused`      a buyer in a country the policy refuses is declined;
5. `buyer_scope`          a domestic buyer on an export policy, or a foreign one on a domestic policy,
                          is declined;
6. `appetite_declined`    the insurer refuses the buyer's country or sector, or the request would take
                          its total there beyond a maximum whose excess it declines;
7. `capacity_exhausted`   nothing is left of the insurer's total, country or sector capacity: declined;
   — from here on the request counts at most the policy's maximum per buyer, when it has one —
8. `appetite_referred`    the insurer refers the buyer's country or sector, or the request would take
                          its total there beyond a maximum whose excess it refers;
9. `public_body`          the product refers limits on public bodies (when its terms say so);
10. `amount_band`         the insurer's exposure on the buyer with this request, in USD, is above the
                          instant band (referred), or above the second band (referred, two approvals);
11. `capacity`            the request is more than a remaining capacity: partly approved with the least
                          remaining capacity;
12. `per_buyer_maximum`   the request is more than the policy's maximum per buyer: partly approved
                          with that maximum;
13. `within_rules`        approved as requested.

Capacity and appetite are stated in USD; a request's USD equivalent is its amount × the USD rate of the
request date, rounded half up once. A partly approved amount is rounded *down* to the policy currency's
minor unit, so its USD equivalent never exceeds what is left.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.money import Money, minor_unit_exponent

DEFAULTED_GRADE = 10
USD = "USD"
INSTANT_BAND_USD = Money.of(500_000, USD)
TWO_APPROVALS_BAND_USD = Money.of(1_000_000, USD)
NO_USD = Money.zero(USD)


class Outcome(enum.StrEnum):
    """What a decision on a limit request says."""

    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    DECLINED = "declined"
    REFERRED = "referred"


class DecidingRule(enum.StrEnum):
    """The rule that decided a request (see the module docstring for their order)."""

    DEFAULTED_BUYER = "defaulted_buyer"
    BUYER_GRADE = "buyer_grade"
    COUNTRY_GRADE = "country_grade"
    COUNTRY_REFUSED = "country_refused"
    BUYER_SCOPE = "buyer_scope"
    APPETITE_DECLINED = "appetite_declined"
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    APPETITE_REFERRED = "appetite_referred"
    PUBLIC_BODY = "public_body"
    AMOUNT_BAND = "amount_band"
    CAPACITY = "capacity"
    PER_BUYER_MAXIMUM = "per_buyer_maximum"
    WITHIN_RULES = "within_rules"
    UNDERWRITER = "underwriter"


class AppetiteKind(enum.StrEnum):
    """What an appetite line is about."""

    COUNTRY = "country"
    SECTOR = "sector"


class AppetiteAction(enum.StrEnum):
    """What the insurer does with a request beyond its appetite."""

    REFER = "refer"
    DECLINE = "decline"


class BuyerReach(enum.StrEnum):
    """Which buyers a policy covers, relative to the insured's own country."""

    FOREIGN = "foreign"
    DOMESTIC = "domestic"
    ANY = "any"


class CapacityScope(enum.StrEnum):
    """The reach of a capacity: the insurer's whole book, one country, one sector."""

    TOTAL = "total"
    COUNTRY = "country"
    SECTOR = "sector"


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """The product terms that bear on a limit decision: grade ceilings and amount bands (USD)."""

    max_buyer_grade: int = 8
    max_country_grade: int | None = None
    referral_above_usd: Money = INSTANT_BAND_USD
    two_approvals_above_usd: Money = TWO_APPROVALS_BAND_USD
    refer_public_bodies: bool = False
    refused_countries: frozenset[str] = frozenset()
    buyer_reach: BuyerReach = BuyerReach.ANY
    per_buyer_maximum: Money | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_buyer_grade <= 9:
            raise ValidationError("must be from 1 to 9", field="max_buyer_grade")
        if self.max_country_grade is not None and not 0 <= self.max_country_grade <= 7:
            raise ValidationError("must be from 0 to 7", field="max_country_grade")
        for name in ("referral_above_usd", "two_approvals_above_usd"):
            band: Money = getattr(self, name)
            if band.currency != USD or band.is_negative:
                raise ValidationError("must be a USD amount of at least zero", field=name)
        if self.per_buyer_maximum is not None and not self.per_buyer_maximum.is_positive:
            raise ValidationError("must be more than zero", field="per_buyer_maximum")
        if self.two_approvals_above_usd < self.referral_above_usd:
            raise ValidationError("must not be below the referral band", field="two_approvals_above_usd")


@dataclass(frozen=True, slots=True)
class AppetiteLine:
    """One line of an insurer's appetite, with the insurer's present total there (USD)."""

    kind: AppetiteKind
    key: str
    action: AppetiteAction
    max_total_usd: Money | None
    committed_usd: Money

    def applies_to(self, request: LimitRequest) -> bool:
        """True when the line is about the request's country or sector."""
        subject = request.country if self.kind is AppetiteKind.COUNTRY else request.sector
        return self.key == subject

    def is_exceeded_by(self, amount_usd: Money) -> bool:
        """True when the line refuses everything, or its maximum would be passed by `amount_usd`."""
        return self.max_total_usd is None or self.committed_usd + amount_usd > self.max_total_usd

    def describe(self) -> str:
        """Words for a reason: 'country US' or 'sector construction'."""
        return f"{self.kind.value} {self.key}"


@dataclass(frozen=True, slots=True)
class CapacityLeft:
    """What is left of one of the insurer's capacities (USD)."""

    scope: CapacityScope
    key: str
    remaining_usd: Money

    def describe(self) -> str:
        """Words for a reason: 'total capacity', 'country capacity for US'."""
        if self.scope is CapacityScope.TOTAL:
            return "total capacity"
        return f"{self.scope.value} capacity for {self.key}"


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """The facts of a limit request, as plain values."""

    buyer_grade: int
    buyer_is_public_body: bool
    country: str
    country_grade: int
    sector: str
    requested: Money
    usd_rate: Decimal
    existing_on_buyer_usd: Money = NO_USD
    insured_country: str | None = None

    def __post_init__(self) -> None:
        if not self.requested.is_positive:
            raise ValidationError("must be more than zero", field="amount")
        if not self.usd_rate > 0:
            raise ValidationError("must be more than zero", field="usd_rate")
        if self.existing_on_buyer_usd.currency != USD:
            raise ValidationError("must be in USD", field="existing_on_buyer_usd")

    @property
    def requested_usd(self) -> Money:
        """The request's USD equivalent at the request date's rate, rounded half up once."""
        return usd_equivalent(self.requested, self.usd_rate)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to a request: outcome, the amount it grants, the rule that decided and why."""

    outcome: Outcome
    amount: Money
    amount_usd: Money
    rule: DecidingRule
    reason: str
    two_approvals_needed: bool = False

    @property
    def grants_cover(self) -> bool:
        """True when the decision puts an amount in force."""
        return self.outcome in (Outcome.APPROVED, Outcome.PARTLY_APPROVED)


def show(money: Money) -> str:
    """An amount as a reason shows it: 'USD 300,000' (minor units only when there are any)."""
    amount = money.amount
    return f"{money.currency} {amount:,.0f}" if amount == amount.to_integral_value() else f"{money}"


def _number(money: Money) -> str:
    return show(money).split(" ", 1)[1]


def usd_equivalent(amount: Money, usd_rate: Decimal) -> Money:
    """`amount` in USD at `usd_rate` (USD per unit), rounded half up once."""
    if amount.currency == USD:
        return amount
    return Money.rounded(amount.amount * usd_rate, USD)


def most_within_usd(currency: str, remaining_usd: Money, usd_rate: Decimal) -> Money:
    """The largest amount of `currency` whose exact USD value (amount × rate) is within `remaining_usd`.

    Its rounded USD equivalent is then within `remaining_usd` too, since rounding to the cent keeps order.
    """
    if remaining_usd.amount <= 0:
        return Money.zero(currency)
    if currency == USD:
        return remaining_usd
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    amount = Money.of((remaining_usd.amount / usd_rate).quantize(quantum, rounding=ROUND_FLOOR), currency)
    # The division is exact to the context's precision only; step down until the equivalent fits.
    while amount.amount * usd_rate > remaining_usd.amount:
        amount = amount - Money.of(quantum, currency)
    return amount


def _declined(request: LimitRequest, rule: DecidingRule, why: str) -> Decision:
    zero = Money.zero(request.requested.currency)
    return Decision(Outcome.DECLINED, zero, Money.zero(USD), rule, f"declined: {why}")


def _referred(
    asked: Money, usd_rate: Decimal, rule: DecidingRule, why: str, *, two: bool = False
) -> Decision:
    return Decision(
        Outcome.REFERRED,
        asked,
        usd_equivalent(asked, usd_rate),
        rule,
        f"referred: {why}",
        two_approvals_needed=two,
    )


def decide_on_capacity(
    requested: Money,
    usd_rate: Decimal,
    capacities: Sequence[CapacityLeft],
    *,
    rule: DecidingRule,
    of: Money | None = None,
) -> Decision:
    """Approve `requested`, or the most every capacity allows (partly approved), or decline when none is left.

    `rule` names what decided when the full amount fits (`within_rules` for an instant decision,
    `underwriter` for an approved referral); `of` is the amount first asked for, when more than `requested`.
    """
    requested_usd = usd_equivalent(requested, usd_rate)
    tightest = min(
        capacities, key=lambda c: (c.remaining_usd.amount, list(CapacityScope).index(c.scope)), default=None
    )
    if tightest is not None and tightest.remaining_usd.amount <= 0:
        zero = Money.zero(requested.currency)
        return Decision(
            Outcome.DECLINED,
            zero,
            Money.zero(USD),
            DecidingRule.CAPACITY_EXHAUSTED,
            f"declined: no {tightest.describe()} left",
        )
    if tightest is None or requested_usd <= tightest.remaining_usd:
        verb = "approved" if rule is DecidingRule.WITHIN_RULES else "approved by the underwriter"
        return Decision(Outcome.APPROVED, requested, requested_usd, rule, f"{verb}: {show(requested)}")
    granted = most_within_usd(requested.currency, tightest.remaining_usd, usd_rate)
    if not granted.is_positive:
        zero = Money.zero(requested.currency)
        return Decision(
            Outcome.DECLINED,
            zero,
            Money.zero(USD),
            DecidingRule.CAPACITY_EXHAUSTED,
            f"declined: less than one {requested.currency} minor unit of {tightest.describe()} left",
        )
    return Decision(
        Outcome.PARTLY_APPROVED,
        granted,
        usd_equivalent(granted, usd_rate),
        DecidingRule.CAPACITY,
        f"partly approved: {show(granted)} of {_number(of or requested)} — {tightest.describe()} left",
    )


def _scope_refusal(request: LimitRequest, policy: DecisionPolicy) -> str | None:
    if policy.buyer_reach is BuyerReach.ANY or request.insured_country is None:
        return None
    domestic = request.country == request.insured_country
    if policy.buyer_reach is BuyerReach.FOREIGN and domestic:
        return (
            f"the policy covers foreign buyers only, and this buyer is in {request.country} like the insured"
        )
    if policy.buyer_reach is BuyerReach.DOMESTIC and not domestic:
        return f"the policy covers buyers in {request.insured_country} only, not in {request.country}"
    return None


def _eligibility_refusal(request: LimitRequest, policy: DecisionPolicy) -> Decision | None:
    """Rules 1–5: the buyer and its country against the policy's terms."""
    if request.buyer_grade >= DEFAULTED_GRADE:
        return _declined(request, DecidingRule.DEFAULTED_BUYER, "the buyer has defaulted (grade 10)")
    if request.buyer_grade > policy.max_buyer_grade:
        return _declined(
            request,
            DecidingRule.BUYER_GRADE,
            f"buyer grade {request.buyer_grade} exceeds the product's maximum grade {policy.max_buyer_grade}",
        )
    if policy.max_country_grade is not None and request.country_grade > policy.max_country_grade:
        return _declined(
            request,
            DecidingRule.COUNTRY_GRADE,
            f"country grade {request.country_grade} of {request.country} exceeds the product's maximum "
            f"country grade {policy.max_country_grade}",
        )
    if request.country in policy.refused_countries:
        return _declined(
            request, DecidingRule.COUNTRY_REFUSED, f"the policy does not cover buyers in {request.country}"
        )
    scope = _scope_refusal(request, policy)
    if scope is not None:
        return _declined(request, DecidingRule.BUYER_SCOPE, scope)
    return None


def decide(
    request: LimitRequest,
    policy: DecisionPolicy,
    appetite: Sequence[AppetiteLine],
    capacities: Sequence[CapacityLeft],
) -> Decision:
    """The instant decision on a limit request: the first rule of the documented order that applies."""
    refusal = _eligibility_refusal(request, policy)
    if refusal is not None:
        return refusal
    requested_usd = request.requested_usd
    lines = sorted(
        (line for line in appetite if line.applies_to(request)), key=lambda line: (line.kind, line.key)
    )
    for line in lines:
        if line.action is AppetiteAction.DECLINE and line.is_exceeded_by(requested_usd):
            return _declined(request, DecidingRule.APPETITE_DECLINED, _appetite_why(line))
    exhausted = [c for c in capacities if c.remaining_usd.amount <= 0]
    if exhausted:
        return decide_on_capacity(
            request.requested, request.usd_rate, exhausted, rule=DecidingRule.WITHIN_RULES
        )
    asked = request.requested
    if policy.per_buyer_maximum is not None and policy.per_buyer_maximum.currency == asked.currency:
        asked = asked.min(policy.per_buyer_maximum)
    asked_usd = usd_equivalent(asked, request.usd_rate)
    for line in lines:
        if line.action is AppetiteAction.REFER and line.is_exceeded_by(asked_usd):
            why = _appetite_why(line)
            return _referred(asked, request.usd_rate, DecidingRule.APPETITE_REFERRED, why)
    if policy.refer_public_bodies and request.buyer_is_public_body:
        why = "the product refers limits on public bodies"
        return _referred(asked, request.usd_rate, DecidingRule.PUBLIC_BODY, why)
    exposure = request.existing_on_buyer_usd + asked_usd
    if exposure > policy.two_approvals_above_usd:
        why = (
            f"{_exposure_words(request, exposure)} is above {show(policy.two_approvals_above_usd)}: "
            "two underwriters must approve"
        )
        return _referred(asked, request.usd_rate, DecidingRule.AMOUNT_BAND, why, two=True)
    if exposure > policy.referral_above_usd:
        band = show(policy.referral_above_usd)
        why = f"{_exposure_words(request, exposure)} is above the instant band of {band}"
        return _referred(asked, request.usd_rate, DecidingRule.AMOUNT_BAND, why)
    decision = decide_on_capacity(
        asked, request.usd_rate, capacities, rule=DecidingRule.WITHIN_RULES, of=request.requested
    )
    if decision.outcome is Outcome.APPROVED and asked != request.requested:
        of = _number(request.requested)
        return Decision(
            Outcome.PARTLY_APPROVED,
            decision.amount,
            decision.amount_usd,
            DecidingRule.PER_BUYER_MAXIMUM,
            f"partly approved: {show(asked)} of {of} — the policy's maximum per buyer",
        )
    return decision


def _exposure_words(request: LimitRequest, exposure: Money) -> str:
    # The insurer's exposure under other insureds' policies is theirs: the reason shows no figure of it.
    if request.existing_on_buyer_usd.is_zero:
        return f"the request ({show(exposure)})"
    return "the insurer's exposure on the buyer with this request"


def _appetite_why(line: AppetiteLine) -> str:
    if line.max_total_usd is None:
        verb = "refers" if line.action is AppetiteAction.REFER else "does not cover"
        return f"the insurer {verb} {line.describe()}"
    return f"the request would take the insurer's total on {line.describe()} above its maximum"


# approvals -----------------------------------------------------------------------------------------
def check_second_approver(first_approver: object, second_approver: object) -> None:
    """Refuse a second approval by the underwriter who gave the first."""
    if first_approver == second_approver:
        raise BusinessRuleViolation(
            "the second approval must come from a different underwriter", field="approver"
        )


# amounts in force over time --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AmountChange:
    """From `effective_on` (inclusive) the amount is `amount`; `sequence` is the order of recording."""

    effective_on: dt.date
    sequence: int
    amount: Money


def amount_in_force(changes: Sequence[AmountChange], on: dt.date, currency: str) -> Money:
    """The amount in force on a date: that of the latest recorded change already effective (zero before any).

    A change overrides every earlier-recorded one from its effective date on; so a cancellation today
    also voids a reduction still in its notice period.
    """
    in_force = [c for c in changes if c.effective_on <= on]
    if not in_force:
        return Money.zero(currency)
    return max(in_force, key=lambda c: c.sequence).amount


def effective_after_notice(notified_on: dt.date, notice_days: int) -> dt.date:
    """The date a reduction or cancellation by the insurer takes effect: the notice date + notice days."""
    if isinstance(notice_days, bool) or not isinstance(notice_days, int) or notice_days < 0:
        raise ValidationError("must be a whole number of days, zero or more", field="notice_days")
    return notified_on + dt.timedelta(days=notice_days)


def review_date(decided_on: dt.date) -> dt.date:
    """The yearly review date: one year after the decision (28 February for a 29 February decision)."""
    try:
        return decided_on.replace(year=decided_on.year + 1)
    except ValueError:
        return decided_on.replace(year=decided_on.year + 1, day=28)


def check_reduction(current: Money, new_amount: Money) -> None:
    """A reduction lowers a positive amount to a smaller positive one (to end a limit, cancel it)."""
    if new_amount.currency != current.currency:
        raise ValidationError(f"must be in the limit's currency {current.currency}", field="new_amount")
    if not new_amount.is_positive:
        raise ValidationError("must be more than zero; cancel the limit to end it", field="new_amount")
    if new_amount >= current:
        raise BusinessRuleViolation(
            f"{show(new_amount)} is not below the amount in force {show(current)}", field="new_amount"
        )


# discretionary credit limit --------------------------------------------------------------------------
MIN_PURCHASES_PAID_ON_TIME = 2


@dataclass(frozen=True, slots=True)
class DclVerdict:
    """Whether the insured may cover a buyer under its DCL, how much, and why."""

    amount: Money
    reason: str

    @property
    def available(self) -> bool:
        """True when the DCL covers something."""
        return self.amount.is_positive


def dcl_verdict(
    dcl: Money | None,
    *,
    barred_by_zero_limit: bool,
    purchases_paid_on_time_12m: int,
    has_credit_report: bool,
    min_paid_purchases: int = MIN_PURCHASES_PAID_ON_TIME,
    credit_report_suffices: bool = True,
) -> DclVerdict:
    """The DCL on a buyer: the policy's DCL amount if the buyer is not barred and the insured knows it.

    The insured knows the buyer when it had at least `min_paid_purchases` (two by default) purchases paid
    on time in the last 12 months, or holds a credit report on it (where the terms accept one). A declined
    (zero) limit, or one the insurer cancelled, bars the DCL.
    """
    if dcl is None or not dcl.is_positive:
        return DclVerdict(Money.zero(dcl.currency if dcl else USD), "the policy has no discretionary limit")
    if barred_by_zero_limit:
        return DclVerdict(Money.zero(dcl.currency), "a zero limit on this buyer bars the discretionary limit")
    if purchases_paid_on_time_12m >= min_paid_purchases:
        return DclVerdict(dcl, f"{purchases_paid_on_time_12m} purchases paid on time in the last 12 months")
    if has_credit_report and credit_report_suffices:
        return DclVerdict(dcl, "a credit report on the buyer is held")
    report = "no credit report" if credit_report_suffices else "the terms do not accept a credit report"
    return DclVerdict(
        Money.zero(dcl.currency),
        f"fewer than {min_paid_purchases} purchases paid on time in the last 12 months and {report}",
    )
