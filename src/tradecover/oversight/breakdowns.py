"""Insured turnover of a period by product, insurer or pool, region, buyer country and sector, firm size."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from tradecover.errors import ValidationError
from tradecover.oversight.conversion import to_reporting
from tradecover.oversight.coverage import growth, month_of, share, with_base
from tradecover.oversight.period import Period
from tradecover.oversight.policy_cube import UNKNOWN, Cube, policy_cube
from tradecover.oversight.scope import Scope
from tradecover.oversight.sql import Ranges
from tradecover.oversight.totals import buyer_rows
from tradecover.policies.terms import PRODUCT_KIND_TITLES
from tradecover.reference.countries import country_name
from tradecover.reference.sectors import all_sectors


class Dimension(enum.StrEnum):
    """What insured turnover is broken down by."""

    PRODUCT = "product"
    INSURER = "insurer"  # the policy's insurer: an insurer or a coinsurance pool
    REGION = "region"  # the policyholder's region
    COUNTRY = "country"  # the buyer's country
    SECTOR = "sector"  # the buyer's sector
    SIZE = "size"  # the policyholder: SME, large or unknown


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One group: its key and label, insured turnover now and a year earlier, growth and share of total."""

    key: str
    label: str
    insured: Decimal
    year_earlier: Decimal
    yoy: Decimal | None
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Insured turnover of a period by one dimension, largest first."""

    dimension: Dimension
    period: Period
    rows: tuple[BreakdownRow, ...]
    total: Decimal
    total_year_earlier: Decimal


# The dimensions read from the policy (and its parties) and those read from the buyer, in cube order.
POLICY_DIMENSIONS = (Dimension.PRODUCT, Dimension.INSURER, Dimension.REGION, Dimension.SIZE)
BUYER_DIMENSIONS = (Dimension.COUNTRY, Dimension.SECTOR)


def _policy_cube(session: Session, scope: Scope, ranges: Ranges) -> Cube:
    """Insured turnover per (month, currency, product, insurer, region, size)."""
    return policy_cube(session, scope, ranges).insured


def _buyer_cube(session: Session, scope: Scope, ranges: Ranges) -> Cube:
    """Insured turnover per (month, currency, buyer country, buyer sector)."""
    return buyer_rows(session, scope, ranges)


_SIZE_LABELS = {"sme": "SME", "large": "Large", UNKNOWN: "Unknown"}


def _country_label(code: str) -> str:
    try:
        return country_name(code)
    except ValidationError:
        return code


def _labeller(dimension: Dimension) -> Callable[[str], str]:
    match dimension:
        case Dimension.PRODUCT:
            titles = {kind.value: title for kind, title in PRODUCT_KIND_TITLES.items()}
            return lambda key: titles.get(key, key)
        case Dimension.COUNTRY:
            return _country_label
        case Dimension.SECTOR:
            names = {sector.code: sector.name for sector in all_sectors()}
            return lambda key: names.get(key, key)
        case Dimension.SIZE:
            return lambda key: _SIZE_LABELS.get(key, key)
        case _:
            return lambda key: key


def _key(value: Hashable) -> str:
    if value is None or value == "":
        return UNKNOWN
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def _totals(cube: Cube, position: int, currency: str) -> dict[str, Decimal]:
    """Each group's total over the period: its (month, currency) sums converted once each, then added."""
    sums: dict[tuple[Any, Any, str], int] = defaultdict(int)
    for month, code, values, amount in cube:
        sums[(values[position], month, code)] += amount
    # Several values may share a key (None and "" are both unknown): collect by key before converting.
    grouped: dict[tuple[str, Any], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    keys: dict[Hashable, str] = {}
    for (value, month, code), amount in sums.items():
        key = keys.get(value)
        if key is None:
            key = keys[value] = _key(value)
        grouped[(key, month)][code] += amount
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (key, month), amounts in grouped.items():
        totals[key] += to_reporting(sorted(amounts.items()), currency, month_of(month))
    return totals


def _breakdown(
    dimension: Dimension, period: Period, current: dict[str, Decimal], base: dict[str, Decimal]
) -> Breakdown:
    total = sum(current.values(), Decimal(0))
    label = _labeller(dimension)
    zero = Decimal(0)
    rows = [
        BreakdownRow(
            key=key,
            label=label(key),
            insured=current.get(key, zero),
            year_earlier=base.get(key, zero),
            yoy=growth(current.get(key, zero), base.get(key, zero)),
            share=share(current.get(key, zero), total),
        )
        for key in set(current) | set(base)
    ]
    rows.sort(key=lambda row: (-row.insured, -row.year_earlier, row.label))
    return Breakdown(dimension, period, tuple(rows), total, sum(base.values(), zero))


def policy_cubes(session: Session, scope: Scope, period: Period) -> tuple[Cube, Cube]:
    """The policy-dimension cube of the period and of its year-earlier base (also coverage's monthly sums)."""
    return with_base(partial(_policy_cube, session, scope), period)


def monthly_sums(cube: Cube) -> list[tuple[Any, str, Any, int]]:
    """A cube summed over its dimensions: the (month_key, currency, "", amount_minor) rows of coverage."""
    sums: dict[tuple[Any, str], int] = defaultdict(int)
    for ym, code, _, amount in cube:
        sums[(month_of(ym), code)] += amount
    return [(ym, code, "", amount) for (ym, code), amount in sums.items()]


def breakdowns(
    session: Session,
    scope: Scope,
    period: Period,
    currency: str,
    dimensions: Sequence[Dimension] = tuple(Dimension),
    *,
    policy_cube: tuple[Cube, Cube] | None = None,
) -> dict[Dimension, Breakdown]:
    """Insured turnover of the period and a year earlier by each dimension asked for, largest first.

    Two GROUP BY queries at most: one over the policy's dimensions (none when `policy_cube` is given,
    as read by `policy_cubes`), one over the buyer's.
    """
    found: dict[Dimension, Breakdown] = {}
    for group, cube_of in ((POLICY_DIMENSIONS, _policy_cube), (BUYER_DIMENSIONS, _buyer_cube)):
        wanted = [d for d in group if d in dimensions]
        if not wanted:
            continue
        if cube_of is _policy_cube and policy_cube is not None:
            current, base = policy_cube
        else:
            current, base = with_base(partial(cube_of, session, scope), period)
        for dimension in wanted:
            position = group.index(dimension)
            found[dimension] = _breakdown(
                dimension, period, _totals(current, position, currency), _totals(base, position, currency)
            )
    return {dimension: found[dimension] for dimension in dimensions}


def breakdown(
    session: Session, scope: Scope, period: Period, currency: str, dimension: Dimension
) -> Breakdown:
    """Insured turnover of the period and a year earlier per group of `dimension`, largest first."""
    return breakdowns(session, scope, period, currency, (dimension,))[dimension]
