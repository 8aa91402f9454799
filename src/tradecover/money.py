"""Exact money: `Money` in a currency's ISO 4217 minor units, `Rate` for exact percentages and shares.

No float is accepted anywhere here. Amounts of different currencies never mix; conversion is explicit
and dated (`tradecover.reference.fx`). Rounding happens in one function, `round_half_up`, and only where
a user sees an amount.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from iso4217 import Currency

from tradecover.errors import ValidationError

Number = Decimal | int | str


class CurrencyMismatch(ValidationError):
    """Two amounts of different currencies were combined without an explicit conversion."""


@functools.cache
def minor_unit_exponent(currency: str) -> int:
    """The number of decimal places of a currency's minor unit, from ISO 4217 (USD 2, JPY 0, KWD 3)."""
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        raise ValidationError(f"unknown ISO 4217 currency code {currency!r}", field="currency") from None
    if exponent is None:
        raise ValidationError(f"{currency} has no minor unit and is not money here", field="currency")
    return int(exponent)


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit_exponent(currency))


def to_decimal(value: Number, *, field: str = "amount") -> Decimal:
    """An exact Decimal from a Decimal, int or decimal string; a float is refused."""
    if isinstance(value, bool | float):
        raise TypeError(f"{field}: floats are not accepted for money; pass a Decimal or a string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise ValidationError(f"{value!r} is not a number", field=field) from None
    else:
        raise TypeError(f"{field}: expected Decimal, int or str, got {type(value).__name__}")
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a finite number", field=field)
    return result


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """Round an exact amount half up (away from zero on ties) to the currency's minor unit.

    This is the one rounding function of the platform.
    """
    try:
        return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # The result would need more digits than the decimal context holds: refuse, never approximate.
        raise ValidationError(
            f"{amount} has too many digits to be an exact amount of {currency}", field="amount"
        ) from None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, exact to that currency's minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount = to_decimal(self.amount)
        currency = str(self.currency).upper()
        exponent = minor_unit_exponent(currency)
        fitted = round_half_up(amount, currency)
        if amount != fitted:
            raise ValidationError(
                f"{amount} has more than {exponent} decimal places, the minor unit of {currency}",
                field="amount",
            )
        object.__setattr__(self, "amount", fitted + 0)
        object.__setattr__(self, "currency", currency)

    # construction -------------------------------------------------------------------------
    @classmethod
    def of(cls, amount: Number, currency: str) -> Money:
        """Money from an exact amount that already fits the currency's minor unit."""
        return cls(to_decimal(amount), currency)

    @classmethod
    def rounded(cls, amount: Number, currency: str) -> Money:
        """Money from any exact amount, rounded half up to the minor unit."""
        return cls(round_half_up(to_decimal(amount), currency.upper()), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in a currency."""
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Money from an integer count of minor units (how it is stored)."""
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("minor units must be an int")
        return cls(Decimal(minor).scaleb(-minor_unit_exponent(currency.upper())), currency)

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units (cents, fen, yen)."""
        return int(self.amount.scaleb(minor_unit_exponent(self.currency)))

    # arithmetic ---------------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency} without a dated conversion",
                field="currency",
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int | Rate) -> Money:
        """Multiply by an exact factor and round half up once."""
        value = factor.value if isinstance(factor, Rate) else to_decimal(factor, field="factor")
        return Money.rounded(self.amount * value, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def min(self, other: Money) -> Money:
        """The smaller of two amounts of one currency."""
        return self if self <= other else other

    def max(self, other: Money) -> Money:
        """The larger of two amounts of one currency."""
        return self if self >= other else other

    @property
    def is_zero(self) -> bool:
        """True for nothing."""
        return self.amount == 0

    @property
    def is_positive(self) -> bool:
        """True above zero."""
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        """True below zero."""
        return self.amount < 0

    def allocate(self, weights: Sequence[Decimal | Rate | int]) -> list[Money]:
        """Split by weights so that the parts add up exactly (see `allocate`)."""
        return allocate(self, weights)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


@dataclass(frozen=True, slots=True, order=True)
class Rate:
    """An exact ratio: a premium rate, an indemnity percentage, a share of a pool, a subsidy rate."""

    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, field="rate"))

    @classmethod
    def of(cls, value: Number) -> Rate:
        """A rate from a ratio: `Rate.of("0.0035")` is 0.35%."""
        return cls(to_decimal(value, field="rate"))

    @classmethod
    def percent(cls, value: Number) -> Rate:
        """A rate from a percentage: `Rate.percent("80")` is 0.8."""
        return cls(to_decimal(value, field="rate") / 100)

    @property
    def as_percent(self) -> Decimal:
        """The rate as a percentage number (0.8 → 80)."""
        return self.value * 100

    def complement(self) -> Rate:
        """One minus the rate (the insured's retention for an indemnity %, the rest after a discount)."""
        return Rate(1 - self.value)

    def __mul__(self, other: Rate | Decimal | int) -> Rate:
        value = other.value if isinstance(other, Rate) else to_decimal(other, field="rate")
        return Rate(self.value * value)

    def __str__(self) -> str:
        return f"{self.as_percent.normalize():f}%"


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: to_decimal refuses NaN and infinities
    return exponent


def _scaled_integer(value: Decimal, scale: int) -> int:
    """value × 10**scale as an exact int (Decimal arithmetic would round to the context precision)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude: int = int("".join(map(str, digits)) or "0") * 10 ** (exponent + scale)
    return -magnitude if sign else magnitude


def allocate(total: Money, weights: Sequence[Decimal | Rate | int]) -> list[Money]:
    """Split `total` by `weights` to the minor unit so that the parts add up exactly to `total`.

    Largest-remainder method: every part gets the floor of its exact quota; the minor units left over go
    one each to the parts with the largest remainders, equal remainders to the earlier part (the pool's
    order, leader first). Weights are exact and non-negative with a positive sum.
    """
    values = [w.value if isinstance(w, Rate) else to_decimal(w, field="weight") for w in weights]
    if not values:
        raise ValidationError("at least one weight is needed to allocate", field="weights")
    if any(v < 0 for v in values):
        raise ValidationError("weights must not be negative", field="weights")
    # Integer arithmetic throughout: exact for weights of any number of digits.
    scale = max(max(-_exponent(v) for v in values), 0)
    integer_weights = [_scaled_integer(v, scale) for v in values]
    weight_sum = sum(integer_weights)
    if weight_sum <= 0:
        raise ValidationError("weights must add up to more than zero", field="weights")
    sign = -1 if total.minor_units < 0 else 1
    units = abs(total.minor_units)
    shares = [divmod(units * w, weight_sum) for w in integer_weights]
    floors = [floor for floor, _ in shares]
    left = units - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-shares[i][1], i))
    for i in order[:left]:
        floors[i] += 1
    return [Money.from_minor(sign * f, total.currency) for f in floors]
