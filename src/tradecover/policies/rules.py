"""Rating, pure: rate grids over buyer grade, country grade and credit period; shipment and book premiums.

A line's premium = turnover × rate × (1 + adjustment) × (1 − preferential discount), rounded half up
once to the currency's minor unit (DESIGN §2 "Premium"). Rates are exact decimals and never rounded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tradecover.errors import BusinessRuleViolation, ValidationError
from tradecover.money import Money, Rate
from tradecover.policies.terms import HIGHEST_COUNTRY_GRADE, WORST_COVERABLE_BUYER_GRADE

CREDIT_DAY_BANDS: tuple[int, ...] = (30, 60, 90, 120, 180, 360)
BUYER_GRADE_BANDS: tuple[int, ...] = (2, 4, 6, 8)
COUNTRY_GRADES: tuple[int, ...] = tuple(range(HIGHEST_COUNTRY_GRADE + 1))
# An average rate is shown to eight places; the premium itself is computed from the exact rates.
AVERAGE_RATE_QUANTUM = Decimal("0.00000001")
MAX_ADJUSTMENT = Decimal(2)
NO_DISCOUNT = Rate(Decimal(0))

CellKey = tuple[int, int, int]  # (buyer grade band upper bound, country grade, credit-day band upper bound)


@dataclass(frozen=True, slots=True)
class RateGrid:
    """Premium rates (fractions of turnover) by buyer-grade band, country grade and credit-period band."""

    buyer_grade_bands: tuple[int, ...]
    credit_day_bands: tuple[int, ...]
    rates: Mapping[CellKey, Decimal]

    def __post_init__(self) -> None:
        check_rate_grid(self)

    def buyer_grade_band(self, buyer_grade: int) -> int:
        """The upper bound of the band a buyer grade falls in; refused above the last band."""
        for upper in self.buyer_grade_bands:
            if buyer_grade <= upper:
                return upper
        raise BusinessRuleViolation(
            f"buyer grade {buyer_grade} is worse than the rate table's worst grade "
            f"{self.buyer_grade_bands[-1]}",
            field="buyer_grade",
        )

    def credit_day_band(self, credit_days: int) -> int:
        """The upper bound of the band a credit period falls in; refused beyond the last band."""
        for upper in self.credit_day_bands:
            if credit_days <= upper:
                return upper
        raise BusinessRuleViolation(
            f"a credit period of {credit_days} days is beyond the rate table's "
            f"{self.credit_day_bands[-1]} days",
            field="credit_days",
        )

    def rate_for(self, buyer_grade: int, country_grade: int, credit_days: int) -> Decimal:
        """The exact rate for a buyer grade, a country grade and a credit period."""
        _check_inputs(buyer_grade, country_grade, credit_days)
        key = (self.buyer_grade_band(buyer_grade), country_grade, self.credit_day_band(credit_days))
        return self.rates[key]

    def scaled(self, level: Decimal, places: int = 6) -> RateGrid:
        """Every rate × level, rounded half up to `places` decimals (a new insurer's copy of a base grid)."""
        quantum = Decimal(1).scaleb(-places)
        return RateGrid(
            self.buyer_grade_bands,
            self.credit_day_bands,
            {
                key: (rate * level).quantize(quantum, rounding=ROUND_HALF_UP)
                for key, rate in self.rates.items()
            },
        )


def _check_inputs(buyer_grade: int, country_grade: int, credit_days: int) -> None:
    for name, value, low, high in (
        ("buyer_grade", buyer_grade, 1, 10),
        ("country_grade", country_grade, 0, HIGHEST_COUNTRY_GRADE),
        ("credit_days", credit_days, 1, 10_000),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be a whole number", field=name)
        if not low <= value <= high:
            raise ValidationError(f"must be from {low} to {high}, not {value}", field=name)


def _ascending(values: Sequence[int], name: str) -> None:
    if not values or any(b <= a for a, b in itertools.pairwise(values)) or values[0] < 1:
        raise ValidationError("must be positive bounds in rising order", field=name)


def check_rate_grid(grid: RateGrid) -> None:
    """Refuse a grid with a missing cell, a rate outside (0, 1), or a rate that falls as risk rises."""
    _ascending(grid.buyer_grade_bands, "buyer_grade_bands")
    _ascending(grid.credit_day_bands, "credit_day_bands")
    if grid.buyer_grade_bands[-1] > WORST_COVERABLE_BUYER_GRADE:
        raise ValidationError(
            f"must stop at grade {WORST_COVERABLE_BUYER_GRADE} at most", field="buyer_grade_bands"
        )
    expected = {
        (g, c, d) for g in grid.buyer_grade_bands for c in COUNTRY_GRADES for d in grid.credit_day_bands
    }
    missing = sorted(expected - set(grid.rates))
    if missing:
        g, c, d = missing[0]
        raise ValidationError(
            f"no rate for buyer grades up to {g}, country grade {c}, up to {d} days "
            f"({len(missing)} cell(s) missing)",
            field="rates",
        )
    extra = sorted(set(grid.rates) - expected)
    if extra:
        raise ValidationError(f"rate for an unknown band {extra[0]}", field="rates")
    for (g, c, d), rate in grid.rates.items():
        if not isinstance(rate, Decimal) or not rate.is_finite() or not Decimal(0) < rate < Decimal(1):
            raise ValidationError(
                f"rate {rate} for grade ≤{g}, country grade {c}, ≤{d} days must be above 0 and below 1",
                field="rates",
            )
    _check_monotone(grid)


def _check_monotone(grid: RateGrid) -> None:
    gb, db = grid.buyer_grade_bands, grid.credit_day_bands
    for g_index, g in enumerate(gb):
        for c in COUNTRY_GRADES:
            for d_index, d in enumerate(db):
                rate = grid.rates[(g, c, d)]
                neighbours = []
                if g_index:
                    neighbours.append(((gb[g_index - 1], c, d), "buyer grade"))
                if c:
                    neighbours.append(((g, c - 1, d), "country grade"))
                if d_index:
                    neighbours.append(((g, c, db[d_index - 1]), "credit period"))
                for key, axis in neighbours:
                    if grid.rates[key] > rate:
                        raise ValidationError(
                            f"rate {rate} for grade ≤{g}, country grade {c}, ≤{d} days is below the rate "
                            f"for a lower {axis}; rates must not fall as risk rises",
                            field="rates",
                        )


def check_discount(discount: Rate) -> Rate:
    """A preferential discount is from 0% up to (not including) 100%."""
    if not Decimal(0) <= discount.value < Decimal(1):
        raise ValidationError(f"must be from 0% to below 100%, not {discount}", field="discount")
    return discount


def check_adjustment(adjustment: Decimal) -> Decimal:
    """An underwriter's rate adjustment: a fraction above −1 (−100%) and at most +200%."""
    if not Decimal(-1) < adjustment <= MAX_ADJUSTMENT:
        raise ValidationError(
            f"must be above -100% and at most +{MAX_ADJUSTMENT * 100:.0f}%", field="rate_adjustment"
        )
    return adjustment


def effective_rate(rate: Decimal, adjustment: Decimal = Decimal(0), discount: Rate = NO_DISCOUNT) -> Decimal:
    """Rate × (1 + adjustment) × (1 − discount), exact."""
    return rate * (1 + check_adjustment(adjustment)) * check_discount(discount).complement().value


def price_shipment(
    grid: RateGrid,
    *,
    buyer_grade: int,
    country_grade: int,
    credit_days: int,
    amount: Money,
    discount: Rate = NO_DISCOUNT,
    adjustment: Decimal = Decimal(0),
) -> Money:
    """One shipment's premium: amount × rate × (1 + adjustment) × (1 − discount), rounded half up once."""
    if amount.is_negative:
        raise ValidationError("must not be negative", field="amount")
    rate = grid.rate_for(buyer_grade, country_grade, credit_days)
    return Money.rounded(amount.amount * effective_rate(rate, adjustment, discount), amount.currency)


@dataclass(frozen=True, slots=True)
class BookLine:
    """Expected annual turnover on buyers of one country and grade, at a typical credit period."""

    country: str
    country_grade: int
    buyer_grade: int
    credit_days: int
    turnover: Money


@dataclass(frozen=True, slots=True)
class LinePrice:
    """One line of a priced book: the rate found and the line's premium."""

    line: BookLine
    rate: Decimal
    effective_rate: Decimal
    premium: Money


@dataclass(frozen=True, slots=True)
class BookPrice:
    """A priced book: per-line breakdown, the sum, the minimum premium and the estimate (the larger)."""

    lines: tuple[LinePrice, ...]
    turnover: Money
    premium: Money
    minimum_premium: Money
    estimated_premium: Money

    @property
    def average_rate(self) -> Decimal:
        """Premium before the minimum ÷ turnover, to eight places (for display and comparison)."""
        if self.turnover.is_zero:
            return Decimal(0)
        weighted = sum((lp.line.turnover.amount * lp.effective_rate for lp in self.lines), Decimal(0))
        return (weighted / self.turnover.amount).quantize(AVERAGE_RATE_QUANTUM, rounding=ROUND_HALF_UP)


def price_book(
    grid: RateGrid,
    lines: Iterable[BookLine],
    *,
    minimum_premium: Money,
    discount: Rate = NO_DISCOUNT,
    adjustment: Decimal = Decimal(0),
) -> BookPrice:
    """Price a book line by line (each line rounded once); the estimate is at least the minimum premium."""
    currency = minimum_premium.currency
    priced: list[LinePrice] = []
    for index, line in enumerate(lines):
        if line.turnover.currency != currency:
            raise ValidationError(
                f"must be in {currency}, not {line.turnover.currency}", field=f"lines.{index}"
            )
        if not line.turnover.is_positive:
            raise ValidationError("turnover must be more than zero", field=f"lines.{index}.turnover")
        rate = grid.rate_for(line.buyer_grade, line.country_grade, line.credit_days)
        effective = effective_rate(rate, adjustment, discount)
        premium = Money.rounded(line.turnover.amount * effective, currency)
        priced.append(LinePrice(line, rate, effective, premium))
    if not priced:
        raise ValidationError("give at least one line of expected turnover", field="lines")
    turnover = sum((lp.line.turnover for lp in priced), Money.zero(currency))
    premium = sum((lp.premium for lp in priced), Money.zero(currency))
    return BookPrice(tuple(priced), turnover, premium, minimum_premium, premium.max(minimum_premium))


def refusal_reason(
    *,
    insurer_name: str,
    max_country_grade: int,
    refused_countries: Sequence[str],
    lines: Sequence[BookLine],
    max_buyer_grade: int,
) -> str | None:
    """Why an insurer's appetite refuses a book (the first line it cannot cover), or None."""
    for line in lines:
        if line.country in refused_countries:
            return f"{insurer_name} does not cover buyers in {line.country}"
        if line.country_grade > max_country_grade:
            return (
                f"{insurer_name} covers countries up to grade {max_country_grade}; "
                f"{line.country} is graded {line.country_grade}"
            )
        if line.buyer_grade > max_buyer_grade:
            return f"buyer grade {line.buyer_grade} exceeds the product's maximum grade {max_buyer_grade}"
    return None
