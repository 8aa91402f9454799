"""Pure subsidy rules: eligibility over policyholder facts with reasons, rate tiers, and the share.

A programme's eligibility rules are data: `{"fact": "prior_year_exports_usd", "op": "<=", "value":
"8000000"}`. Each rule is checked against the policyholder's facts (region, SME flag, prior-year
exports in USD, sector); every failed rule gives a reason a firm can read.

The programme's share of an invoice (DESIGN §2, Subsidy programme):

1. the tier's rate: the first tier whose `exports_below_usd` the firm's prior-year exports are below,
   otherwise the last tier (which has no bound);
2. requested = premium × rate, rounded half up to the invoice currency's minor unit;
3. its value in the programme's currency (budget and cap) = requested × the reference FX rate of the
   invoice date, rounded half up;
4. capped by what is left of the firm's cap for the year and of the year's budget: if the value does
   not fit, the programme commits exactly what is left (in its currency) and the invoice amount is that
   divided by the FX rate, rounded half up, never more than requested. The firm pays the rest.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tradecover.errors import ValidationError
from tradecover.money import Money, Rate, to_decimal


class Fact(enum.StrEnum):
    """A policyholder fact that eligibility rules may read (held on its Organisation)."""

    REGION = "region"
    IS_SME = "is_sme"
    PRIOR_YEAR_EXPORTS_USD = "prior_year_exports_usd"
    SECTOR = "sector"


FACT_TITLES: dict[Fact, str] = {
    Fact.REGION: "region",
    Fact.IS_SME: "SME status",
    Fact.PRIOR_YEAR_EXPORTS_USD: "prior-year exports",
    Fact.SECTOR: "sector",
}


class Op(enum.StrEnum):
    """How a rule compares a fact with its value."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"


NUMERIC_OPS = (Op.LT, Op.LE, Op.GT, Op.GE)
SET_OPS = (Op.IN, Op.NOT_IN)


class Mode(enum.StrEnum):
    """Who receives the programme's share: the insurer at invoicing, or the firm after it paid."""

    DIRECT = "direct"
    REIMBURSEMENT = "reimbursement"


class ProgrammeKind(enum.StrEnum):
    """A premium subsidy on the firm's own policies, or a platform (cohort) policy the firm enrols in."""

    PREMIUM = "premium"
    PLATFORM_POLICY = "platform_policy"


@dataclass(frozen=True, slots=True)
class Facts:
    """What eligibility reads about a policyholder; None where it is not on record."""

    region: str | None
    is_sme: bool | None
    prior_year_exports_usd: Decimal | None
    sector: str | None

    def value(self, fact: Fact) -> str | bool | Decimal | None:
        """The value of one fact."""
        return {
            Fact.REGION: self.region,
            Fact.IS_SME: self.is_sme,
            Fact.PRIOR_YEAR_EXPORTS_USD: self.prior_year_exports_usd,
            Fact.SECTOR: self.sector,
        }[fact]


@dataclass(frozen=True, slots=True)
class Rule:
    """One eligibility rule: fact, comparison, value (a number, text, true/false, or a list for in)."""

    fact: Fact
    op: Op
    value: str

    def to_json(self) -> dict[str, str]:
        """The rule as stored."""
        return {"fact": self.fact.value, "op": self.op.value, "value": self.value}


@dataclass(frozen=True, slots=True)
class RateTier:
    """A subsidy rate for firms whose prior-year exports are below a bound (None: the rest)."""

    rate: Decimal
    exports_below_usd: Decimal | None = None

    def to_json(self) -> dict[str, str | None]:
        """The tier as stored."""
        bound = None if self.exports_below_usd is None else format(self.exports_below_usd, "f")
        return {"rate": format(self.rate, "f"), "exports_below_usd": bound}


def usd_text(amount: Decimal) -> str:
    """'USD 9,100,000' for whole dollars, 'USD 7,999,999.99' otherwise."""
    if amount == amount.to_integral_value():
        return f"USD {amount:,.0f}"
    return f"USD {amount:,.2f}"


def money_text(money: Money) -> str:
    """'CNY 4,200' for whole units, 'CNY 4,200.50' otherwise."""
    amount = money.amount
    if amount == amount.to_integral_value():
        return f"{money.currency} {amount:,.0f}"
    return str(money)


def percent_text(rate: Decimal) -> str:
    """'80%' for 0.8, '12.5%' for 0.125."""
    return f"{(rate * 100).normalize():f}%"


# checking rules and tiers as data ------------------------------------------------------------------
def _list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "|").split("|") if part.strip()]


def _bool(value: str, field: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValidationError(f"{value!r} is not true or false", field=field)


def check_rule(raw: Mapping[str, Any], field: str) -> Rule:
    """One rule from its stored or submitted form; ValidationError naming `field` otherwise."""
    if not isinstance(raw, Mapping):
        raise ValidationError("a rule is {fact, op, value}", field=field)
    try:
        fact = Fact(str(raw.get("fact", "")).strip())
    except ValueError:
        facts = ", ".join(f.value for f in Fact)
        raise ValidationError(f"{raw.get('fact')!r} is not a fact; use one of {facts}", field=field) from None
    try:
        op = Op(str(raw.get("op", "")).strip())
    except ValueError:
        ops = ", ".join(o.value for o in Op)
        raise ValidationError(
            f"{raw.get('op')!r} is not a comparison; use one of {ops}", field=field
        ) from None
    value = str(raw.get("value", "")).strip()
    if not value:
        raise ValidationError("a rule needs a value", field=field)
    if fact is Fact.PRIOR_YEAR_EXPORTS_USD:
        if op in SET_OPS:
            raise ValidationError("compare exports with <, <=, >, >=, == or !=", field=field)
        number = to_decimal(value, field=field)
        if number < 0:
            raise ValidationError("an exports threshold cannot be negative", field=field)
        value = (
            format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")
        )
    elif fact is Fact.IS_SME:
        if op not in (Op.EQ, Op.NE):
            raise ValidationError("SME status is compared with == or !=", field=field)
        value = "true" if _bool(value, field) else "false"
    else:
        if op in NUMERIC_OPS:
            raise ValidationError(f"{FACT_TITLES[fact]} is text: use ==, !=, in or not in", field=field)
        if op in SET_OPS:
            items = _list(value)
            if not items:
                raise ValidationError("list at least one value", field=field)
            value = "|".join(items)
    return Rule(fact, op, value)


def check_rules(raw: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Every rule checked; the first bad one is refused naming `rules[i]`."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise ValidationError("rules are a list of {fact, op, value}", field="rules")
    return [check_rule(item, f"rules[{i}]") for i, item in enumerate(raw)]


def check_rate(value: Decimal | str | int, field: str) -> Decimal:
    """A subsidy rate as a ratio between 0 and 1 (0–100%); a negative one is refused."""
    rate = value if isinstance(value, Decimal) else to_decimal(value, field=field)
    if rate < 0:
        raise ValidationError(f"a subsidy rate cannot be negative ({percent_text(rate)})", field=field)
    if rate > 1:
        raise ValidationError(f"a subsidy rate is at most 100% ({percent_text(rate)})", field=field)
    return rate


def check_tiers(raw: Sequence[Mapping[str, Any]]) -> list[RateTier]:
    """Rate tiers: at least one; bounds rising strictly; only the last has no bound (it is required)."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not raw:
        raise ValidationError("give at least one rate tier", field="tiers")
    tiers: list[RateTier] = []
    for i, item in enumerate(raw):
        field = f"tiers[{i}]"
        if not isinstance(item, Mapping):
            raise ValidationError("a tier is {rate, exports_below_usd}", field=field)
        rate = check_rate(item.get("rate", ""), f"{field}.rate")
        bound_raw = item.get("exports_below_usd")
        bound = None
        if bound_raw is not None and str(bound_raw).strip():
            bound = to_decimal(str(bound_raw), field=f"{field}.exports_below_usd")
            if bound <= 0:
                raise ValidationError("a tier bound must be above zero", field=f"{field}.exports_below_usd")
        last = i == len(raw) - 1
        if last and bound is not None:
            raise ValidationError("the last tier has no bound: it takes every firm above", field=field)
        if not last and bound is None:
            raise ValidationError("only the last tier may be without a bound", field=field)
        if tiers and bound is not None:
            previous = tiers[-1].exports_below_usd
            assert previous is not None
            if bound <= previous:
                raise ValidationError(
                    f"tiers go up: {usd_text(bound)} is not above {usd_text(previous)}",
                    field=f"{field}.exports_below_usd",
                )
        tiers.append(RateTier(rate, bound))
    return tiers


def rules_from_json(raw: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Stored rules back as Rule values."""
    return [Rule(Fact(r["fact"]), Op(r["op"]), str(r["value"])) for r in raw]


def tiers_from_json(raw: Sequence[Mapping[str, Any]]) -> list[RateTier]:
    """Stored tiers back as RateTier values."""
    return [
        RateTier(
            Decimal(str(t["rate"])),
            None if t.get("exports_below_usd") is None else Decimal(str(t["exports_below_usd"])),
        )
        for t in raw
    ]


# evaluating -------------------------------------------------------------------------------------
def _compare(actual: Decimal, op: Op, wanted: Decimal) -> bool:
    return {
        Op.EQ: actual == wanted,
        Op.NE: actual != wanted,
        Op.LT: actual < wanted,
        Op.LE: actual <= wanted,
        Op.GT: actual > wanted,
        Op.GE: actual >= wanted,
    }[op]


_EXPORT_FAILURES = {
    Op.LE: "exceed the threshold",
    Op.LT: "are not below the threshold",
    Op.GE: "are below the threshold",
    Op.GT: "do not exceed the threshold",
    Op.EQ: "are not",
    Op.NE: "are exactly",
}


def failure(rule: Rule, facts: Facts) -> str | None:
    """Why the facts break the rule (a sentence), or None when they meet it."""
    actual = facts.value(rule.fact)
    title = FACT_TITLES[rule.fact]
    if actual is None:
        return f"{title} not on record"
    if rule.fact is Fact.PRIOR_YEAR_EXPORTS_USD:
        assert isinstance(actual, Decimal)
        wanted = Decimal(rule.value)
        if _compare(actual, rule.op, wanted):
            return None
        return f"prior-year exports {usd_text(actual)} {_EXPORT_FAILURES[rule.op]} {usd_text(wanted)}"
    if rule.fact is Fact.IS_SME:
        wanted_sme = rule.value == "true"
        meets = (actual == wanted_sme) if rule.op is Op.EQ else (actual != wanted_sme)
        if meets:
            return None
        return "not an SME" if actual is False else "an SME (the programme is for larger firms)"
    text_value = str(actual)
    folded = text_value.strip().casefold()
    if rule.op in SET_OPS:
        items = _list(rule.value)
        inside = folded in {item.casefold() for item in items}
        if inside == (rule.op is Op.IN):
            return None
        if rule.op is Op.IN:
            return f"{title} {text_value} is not one of {', '.join(items)}"
        return f"{title} {text_value} is excluded"
    equal = folded == rule.value.strip().casefold()
    if equal == (rule.op is Op.EQ):
        return None
    if rule.op is Op.EQ:
        return f"{title} {text_value}, not {rule.value}"
    return f"{title} is {text_value}, which the programme excludes"


def failed_rules(rules: Sequence[Rule], facts: Facts) -> list[str]:
    """The reason of every rule the facts break, in the rules' order (empty: eligible)."""
    return [reason for rule in rules if (reason := failure(rule, facts)) is not None]


def tier_rate(tiers: Sequence[RateTier], exports_usd: Decimal | None) -> Decimal:
    """The rate of the first tier whose bound the exports are below; the last tier otherwise."""
    if not tiers:
        raise ValidationError("a programme needs at least one rate tier", field="tiers")
    if exports_usd is not None:
        for tier in tiers:
            if tier.exports_below_usd is not None and exports_usd < tier.exports_below_usd:
                return tier.rate
    return tiers[-1].rate


def tiers_text(tiers: Sequence[RateTier]) -> str:
    """'100% below USD 5,000,000 of prior-year exports, 80% above' or '80%'."""
    if len(tiers) == 1:
        return percent_text(tiers[0].rate)
    parts = []
    for tier in tiers:
        if tier.exports_below_usd is None:
            parts.append(f"{percent_text(tier.rate)} above")
        else:
            parts.append(f"{percent_text(tier.rate)} below {usd_text(tier.exports_below_usd)}")
    return ", ".join(parts) + " (prior-year exports)"


# the share --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Share:
    """A programme's share of one invoice, in the invoice's and in the programme's currency."""

    rate: Decimal
    requested: Money
    requested_in_programme: Money
    amount: Money
    amount_in_programme: Money
    capped_by: str | None  # None, "cap" or "budget"
    explanation: str


def compute_share(
    *,
    premium: Money,
    rate: Decimal,
    fx_rate: Decimal,
    programme_currency: str,
    cap_left: Money | None,
    budget_left: Money,
    year: int,
    programme_name: str,
) -> Share:
    """The programme's share of `premium` (module docstring); fx_rate: programme units per invoice unit."""
    check_rate(rate, "rate")
    if premium.is_negative:
        raise ValidationError("a premium cannot be negative", field="premium")
    if not fx_rate > 0:
        raise ValidationError("an FX rate must be above zero", field="fx_rate")
    requested = premium * Rate(rate)
    requested_prog = Money.rounded(requested.amount * fx_rate, programme_currency)
    zero = Money.zero(programme_currency)
    budget_room = budget_left.max(zero)
    room, capped_by = budget_room, "budget"
    if cap_left is not None and cap_left.max(zero) < budget_room:
        room, capped_by = cap_left.max(zero), "cap"
    base = f"{percent_text(rate)} of premium {premium} ({programme_name})"
    if requested_prog <= room:
        return Share(rate, requested, requested_prog, requested, requested_prog, None, base)
    amount = Money.rounded(room.amount / fx_rate, premium.currency).min(requested)
    if capped_by == "budget":
        if room.is_zero:
            why = f"capped: budget for {year} exhausted — firm pays the rest"
        else:
            why = f"capped at the {money_text(room)} left of the budget for {year} — firm pays the rest"
    elif room.is_zero:
        why = f"capped: the firm's cap for {year} is used up — firm pays the rest"
    else:
        why = f"capped at the {money_text(room)} left of the firm's cap for {year} — firm pays the rest"
    return Share(rate, requested, requested_prog, amount, room, capped_by, f"{base}; {why}")
