"""Pure coinsurance rules: shares, exact apportionment, the premium split and the pool capacity decision.

A pool's members hold exact shares that add up to exactly 1. Every amount of a pool policy (premium,
limit, indemnity) is split among them by `apportion`: the largest-remainder method of
`tradecover.money.allocate`, so the parts always add up to the whole; equal remainders go to the
earlier member in the pool's order, the leader first.

The leader earns a leadership commission on every other member's premium part: the part × the
commission rate, rounded half up once. As the rate is below 1, the commission never exceeds the part.

A limit on a pool policy takes each member's capacity by its share. `fit_by_share` answers the largest
amount whose parts fit what every member has left (in total, on the buyer, in the country) and names
the member(s) and capacity that bound it.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from tradecover.errors import ValidationError
from tradecover.money import Money, allocate, minor_unit_exponent


@dataclass(frozen=True, slots=True)
class MemberShare:
    """One member of a pool: the insurer, its exact share and its place (0 = leader)."""

    insurer_id: uuid.UUID
    share: Decimal
    position: int


@dataclass(frozen=True, slots=True)
class PoolTerms:
    """A pool's terms as the premium, subsidy and claim rules need them; members leader first."""

    pool_id: uuid.UUID
    leader_id: uuid.UUID
    leader_commission: Decimal
    members: tuple[MemberShare, ...]

    def share_of(self, insurer_id: uuid.UUID) -> Decimal:
        """The share of one member (zero for an insurer that is not a member)."""
        return next((m.share for m in self.members if m.insurer_id == insurer_id), Decimal(0))


@dataclass(frozen=True, slots=True)
class PremiumSplit:
    """One member's part of a premium and the leadership commission it pays the leader out of it."""

    insurer_id: uuid.UUID
    share: Decimal
    premium: Money
    commission: Money


def percent(value: Decimal) -> str:
    """A share or rate as people write it: Decimal('0.995') → '99.5%'."""
    number = (value * 100).normalize()
    return f"{number:f}%"


def check_shares(shares: Sequence[Decimal]) -> None:
    """Refuse shares unless each is an exact decimal above zero and they add up to exactly 1 (100%)."""
    if not shares:
        raise ValidationError("a pool needs at least one member", field="shares")
    for share in shares:
        if not isinstance(share, Decimal) or not share.is_finite():
            raise ValidationError("shares must be exact decimal numbers", field="shares")
        if share <= 0:
            raise ValidationError(f"each share must be above 0%; {percent(share)} is not", field="shares")
        if share > 1:
            raise ValidationError(f"a share cannot pass 100%; {percent(share)} does", field="shares")
    total = sum(shares, Decimal(0))
    if total != 1:
        raise ValidationError(
            f"shares must add up to exactly 100%; they add up to {percent(total)}", field="shares"
        )


def check_commission(rate: Decimal) -> None:
    """Refuse a leadership commission rate outside 0 ≤ rate < 1."""
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise ValidationError("must be an exact decimal number", field="leader_commission")
    if not 0 <= rate < 1:
        raise ValidationError(
            f"must be at least 0% and below 100%; {percent(rate)} is not", field="leader_commission"
        )


def apportion(total: Money, members: Sequence[MemberShare]) -> list[Money]:
    """Split `total` by the members' shares, in the given order, so that the parts add up exactly."""
    if not members:
        raise ValidationError("a pool needs at least one member", field="members")
    return allocate(total, [member.share for member in members])


def split_premium(premium: Money, terms: PoolTerms) -> list[PremiumSplit]:
    """Each member's part of a premium (leader first) and the commission it owes the leader on it."""
    parts = apportion(premium, terms.members)
    zero = Money.zero(premium.currency)
    return [
        PremiumSplit(
            insurer_id=member.insurer_id,
            share=member.share,
            premium=part,
            commission=zero if member.insurer_id == terms.leader_id else part * terms.leader_commission,
        )
        for member, part in zip(terms.members, parts, strict=True)
    ]


# capacity --------------------------------------------------------------------------------------------
class MemberScope(enum.StrEnum):
    """Which of a member's capacities bounds a request."""

    TOTAL = "total"
    BUYER = "buyer"
    COUNTRY = "country"


@dataclass(frozen=True, slots=True)
class MemberCapacityLeft:
    """What one member has left for a request, in the pool currency (None: no such capacity set)."""

    member: MemberShare
    name: str
    total_left: Money
    buyer_left: Money | None = None
    country_left: Money | None = None

    def bounds(self) -> list[tuple[MemberScope, Money]]:
        """The member's capacities that apply, total first."""
        found = [(MemberScope.TOTAL, self.total_left)]
        if self.buyer_left is not None:
            found.append((MemberScope.BUYER, self.buyer_left))
        if self.country_left is not None:
            found.append((MemberScope.COUNTRY, self.country_left))
        return found


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A member's capacity that stops a request from fitting whole."""

    insurer_id: uuid.UUID
    name: str
    scope: MemberScope
    left: Money

    def describe(self, buyer: str, country: str) -> str:
        """Words for a reason: "Ping An's share of the pool has CNY 1,200,000 left for buyer X"."""
        where = {
            MemberScope.TOTAL: "in total",
            MemberScope.BUYER: f"for buyer {buyer}",
            MemberScope.COUNTRY: f"in {country}",
        }[self.scope]
        left = self.left.max(Money.zero(self.left.currency))
        return f"{self.name}'s share of the pool has {show(left)} left {where}"


@dataclass(frozen=True, slots=True)
class CapacityFit:
    """The largest amount that fits every member by share, its parts, and what bounds it."""

    requested: Money
    amount: Money
    parts: tuple[Money, ...]
    bottlenecks: tuple[Bottleneck, ...]

    @property
    def fits_whole(self) -> bool:
        """True when the whole request fits."""
        return self.amount == self.requested

    def why(self, buyer: str, country: str) -> str:
        """The member(s) that bound the amount, in words ("" when the whole request fits)."""
        return "; ".join(b.describe(buyer, country) for b in self.bottlenecks)


def show(money: Money) -> str:
    """An amount as a reason shows it: 'CNY 1,200,000' (minor units only when there are any)."""
    amount = money.amount
    return f"{money.currency} {amount:,.0f}" if amount == amount.to_integral_value() else f"{money}"


def _fits(parts: Sequence[Money], members: Sequence[MemberCapacityLeft]) -> bool:
    return all(part <= left for part, m in zip(parts, members, strict=True) for _, left in m.bounds())


def fit_by_share(requested: Money, members: Sequence[MemberCapacityLeft]) -> CapacityFit:
    """The largest amount up to `requested` whose parts by share fit every member's capacity left.

    `members` come in the pool's order (leader first) and the parts are `apportion`'s, so what the
    decision takes is exactly what each member is later charged. A member with nothing left of one of
    its capacities stops the whole request (amount zero).
    """
    if not members:
        raise ValidationError("a pool needs at least one member", field="members")
    if not requested.is_positive:
        raise ValidationError("must be more than zero", field="amount")
    currency = requested.currency
    shares = [m.member for m in members]
    parts = apportion(requested, shares)
    if _fits(parts, members):
        return CapacityFit(requested, requested, tuple(parts), ())
    # A part is at least the floor of amount × share (in minor units), so an amount fits a capacity
    # with L units left only while amount × share < L + 1: that bounds the search from above. Below
    # the bound the largest remainder may still give a member one unit too many, so step down.
    ceilings: list[tuple[int, Bottleneck, bool]] = []
    for m, part in zip(members, parts, strict=True):
        for scope, left in m.bounds():
            units = left.minor_units
            most = -1 if units <= 0 else math.ceil(Fraction(units + 1) / Fraction(m.member.share)) - 1
            ceilings.append((most, Bottleneck(m.member.insurer_id, m.name, scope, left), part > left))
    lowest = min(most for most, _, _ in ceilings)
    # What bounds it: of the capacities the whole request passes, those that allow the least.
    passed = [(most, b) for most, b, exceeded in ceilings if exceeded]
    tightest = min(most for most, _ in passed)
    bottlenecks = tuple(b for most, b in passed if most == tightest)
    units = max(0, min(lowest, requested.minor_units))
    amount = Money.from_minor(units, currency)
    parts = apportion(amount, shares)
    while units > 0 and not _fits(parts, members):
        units -= 1
        amount = Money.from_minor(units, currency)
        parts = apportion(amount, shares)
    return CapacityFit(requested, amount, tuple(parts), bottlenecks)


def convert(amount: Money, rate: Decimal, currency: str) -> Money:
    """`amount` in `currency` at `rate` (units of `currency` per unit), rounded half up once."""
    if amount.currency == currency:
        return amount
    return Money.rounded(amount.amount * rate, currency)


def most_within(currency: str, limit: Money, rate: Decimal) -> Money:
    """The largest amount of `currency` whose conversion at `rate` is within `limit` (rounded down)."""
    if limit.amount <= 0:
        return Money.zero(currency)
    if currency == limit.currency:
        return limit
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    amount = Money.of((limit.amount / rate).quantize(quantum, rounding=ROUND_FLOOR), currency)
    while amount.is_positive and convert(amount, rate, limit.currency) > limit:
        amount = amount - Money.of(quantum, currency)
    return amount
