"""Insured turnover of a period by product, insurer or pool, region, buyer country and sector, firm size."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case
from sqlalchemy.orm import Session, aliased

from tradecover.buyers.model import Buyer
from tradecover.declarations.model import Shipment
from tradecover.errors import ValidationError
from tradecover.oversight.coverage import converted, growth, insured_rows, share
from tradecover.oversight.period import Period
from tradecover.oversight.scope import Scope
from tradecover.parties.model import Organisation
from tradecover.policies.model import Policy
from tradecover.policies.terms import PRODUCT_KIND_TITLES
from tradecover.reference.countries import country_name
from tradecover.reference.sectors import all_sectors

UNKNOWN = "unknown"


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


_holder = aliased(Organisation, name="holder")
_insurer = aliased(Organisation, name="insurer")
_to_policy = (Policy, Policy.id == Shipment.policy_id)
_to_buyer = (Buyer, Buyer.id == Shipment.buyer_id)


def _size_key() -> ColumnElement[str]:
    return case((_holder.is_sme.is_(True), "sme"), (_holder.is_sme.is_(False), "large"), else_=UNKNOWN)


def _query_of(dimension: Dimension) -> tuple[Any, Sequence[tuple[Any, Any]]]:
    """The grouping column and the joins from shipments it needs."""
    match dimension:
        case Dimension.PRODUCT:
            return Policy.product_kind, (_to_policy,)
        case Dimension.INSURER:
            return _insurer.name, (_to_policy, (_insurer, _insurer.id == Policy.insurer_id))
        case Dimension.REGION:
            return _holder.region, (_to_policy, (_holder, _holder.id == Policy.policyholder_id))
        case Dimension.COUNTRY:
            return Buyer.country, (_to_buyer,)
        case Dimension.SECTOR:
            return Buyer.sector, (_to_buyer,)
        case Dimension.SIZE:
            return _size_key(), (_to_policy, (_holder, _holder.id == Policy.policyholder_id))


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


def _totals(
    session: Session, scope: Scope, period: Period, currency: str, dimension: Dimension
) -> dict[str, Decimal]:
    column, joins = _query_of(dimension)
    sums = converted(insured_rows(session, scope, period.start, period.end, column, joins), currency)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (key, _), amount in sums.items():
        totals[_key(key)] += amount
    return totals


def breakdown(
    session: Session, scope: Scope, period: Period, currency: str, dimension: Dimension
) -> Breakdown:
    """Insured turnover of the period and a year earlier per group of `dimension`, largest first."""
    current = _totals(session, scope, period, currency, dimension)
    base = _totals(session, scope, period.year_earlier(), currency, dimension)
    total = sum(current.values(), Decimal(0))
    label = _labeller(dimension)
    rows = [
        BreakdownRow(
            key=key,
            label=label(key),
            insured=current.get(key, Decimal(0)),
            year_earlier=base.get(key, Decimal(0)),
            yoy=growth(current.get(key, Decimal(0)), base.get(key, Decimal(0))),
            share=share(current.get(key, Decimal(0)), total),
        )
        for key in set(current) | set(base)
    ]
    rows.sort(key=lambda row: (-row.insured, -row.year_earlier, row.label))
    return Breakdown(dimension, period, tuple(rows), total, sum(base.values(), Decimal(0)))
