"""Sums in several currencies into one reporting currency, each at the reference rate of its month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from tradecover.money import minor_unit_exponent
from tradecover.reference.fx import convert_amount


@cache
def _exponent(currency: str) -> int:
    return minor_unit_exponent(currency)


def to_reporting(amounts: Iterable[tuple[str, int]], currency: str, on: dt.date) -> Decimal:
    """Minor-unit sums `(currency, amount_minor)` converted on a date and added, in `currency` major units."""
    total = Decimal(0)
    for code, amount_minor in amounts:
        if not amount_minor:
            continue
        amount = Decimal(int(amount_minor)).scaleb(-_exponent(code))
        # A view adds thousands of these: the amount is converted without building Money around it.
        total += amount if code == currency else convert_amount(amount, code, currency, on)
    return total
