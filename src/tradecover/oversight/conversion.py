"""Sums in several currencies into one reporting currency, each at the reference rate of its month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from tradecover.money import Money
from tradecover.reference.fx import convert


def to_reporting(amounts: Iterable[tuple[str, int]], currency: str, on: dt.date) -> Decimal:
    """Minor-unit sums `(currency, amount_minor)` converted on a date and added, in `currency` major units."""
    total = Decimal(0)
    for code, amount_minor in amounts:
        if amount_minor:
            total += convert(Money.from_minor(int(amount_minor), code), currency, on).amount
    return total
