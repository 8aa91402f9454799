"""Demo buyers: importers in the USA, the EU, ASEAN and other markets, and Chinese buyers including
local governments and state-owned enterprises; realistic grades and sectors, heavy-tailed sizes.
"""

from __future__ import annotations

import math
import random
from functools import partial

from tradecover.buyers.model import BuyerKind
from tradecover.buyers.service import BuyerRegistration
from tradecover.demo.catalogue import Market, markets, name_book
from tradecover.demo.shares import distinct, registration_number, split_by_weight
from tradecover.money import Money

# Buyer grade 1 (best) … 9 (worst), 10 defaulted: most buyers sit in 3–6, a handful have defaulted.
GRADE_WEIGHTS = {1: 15, 2: 40, 3: 160, 4: 240, 5: 220, 6: 150, 7: 90, 8: 45, 9: 25, 10: 5}
COMPANY_SECTOR_WEIGHTS = {
    "retail_wholesale": 20,
    "consumer_goods": 12,
    "electronics": 10,
    "machinery": 8,
    "textiles_apparel": 8,
    "furniture_home": 6,
    "automotive_parts": 6,
    "chemicals_plastics": 6,
    "toys_leisure": 5,
    "metals": 5,
    "construction": 4,
    "agri_food": 4,
    "pharma_medical": 3,
    "logistics": 3,
    "energy": 2,
}
STATE_OWNED_SECTOR_WEIGHTS = {"construction": 4, "energy": 3, "logistics": 2, "metals": 1, "public_sector": 2}
# Shares of Chinese buyers that are public bodies (their late payment is a named domestic risk).
CHINA_KIND_WEIGHTS = {
    BuyerKind.COMPANY: 70,
    BuyerKind.LOCAL_GOVERNMENT: 15,
    BuyerKind.STATE_OWNED_ENTERPRISE: 15,
}
# Median annual sales in USD and the spread of their logarithm: a lognormal, so a few buyers are huge.
SALES_MEDIAN_USD = {BuyerKind.COMPANY: 30_000_000, BuyerKind.STATE_OWNED_ENTERPRISE: 600_000_000}
SALES_LOG_SPREAD = {BuyerKind.COMPANY: 1.5, BuyerKind.STATE_OWNED_ENTERPRISE: 1.0}
SMALLEST_SALES_USD = 200_000


def _kinds_for(market: Market, count: int, rng: random.Random) -> list[BuyerKind]:
    if market.country != "CN":
        return [BuyerKind.COMPANY] * count
    kinds = list(CHINA_KIND_WEIGHTS)
    counts = split_by_weight(count, list(CHINA_KIND_WEIGHTS.values()))
    if count >= len(kinds):  # every kind of Chinese buyer shows up, however small the world
        for i in range(1, len(kinds)):
            if counts[i] == 0:
                counts[i], counts[0] = 1, counts[0] - 1
    chosen = [kind for kind, n in zip(kinds, counts, strict=True) for _ in range(n)]
    rng.shuffle(chosen)
    return chosen


def _sector(kind: BuyerKind, rng: random.Random) -> str:
    if kind is BuyerKind.LOCAL_GOVERNMENT:
        return "public_sector"
    weights = (
        STATE_OWNED_SECTOR_WEIGHTS if kind is BuyerKind.STATE_OWNED_ENTERPRISE else COMPANY_SECTOR_WEIGHTS
    )
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _grade(rng: random.Random) -> int:
    return rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]


def _annual_sales(kind: BuyerKind, rng: random.Random) -> Money | None:
    if kind is BuyerKind.LOCAL_GOVERNMENT:
        return None  # a public administration has a budget, not sales
    # The float is only a random draw; it becomes whole USD thousands before it is money.
    draw = rng.lognormvariate(math.log(SALES_MEDIAN_USD[kind]), SALES_LOG_SPREAD[kind])
    thousands = max(SMALLEST_SALES_USD // 1000, round(draw / 1000))
    return Money.of(thousands * 1000, "USD")


def _company_name(rng: random.Random, market: Market, sector: str) -> str:
    book = name_book()
    stem = rng.choice(book.stems[book.style_of(market.country)])
    return f"{stem} {rng.choice(book.trade_words[sector])} {rng.choice(market.legal_forms)}"


def _public_body_name(rng: random.Random, kind: BuyerKind, city: str) -> str:
    book = name_book()
    template = rng.choice(book.public_body_templates[kind.value])
    return template.format(city=city, district=rng.choice(book.districts))


def _number(rng: random.Random, market: Market, kind: BuyerKind) -> str:
    number = registration_number(rng, market.registration_pattern)
    # Chinese organs of state carry 11 where companies carry 91 in their unified social credit code.
    return "11" + number[2:] if kind is BuyerKind.LOCAL_GOVERNMENT else number


def plan_buyers(count: int, rng: random.Random) -> list[BuyerRegistration]:
    """`count` buyers across the markets by weight, deterministic for the random generator's seed."""
    book = markets()
    plans: list[BuyerRegistration] = []
    for market, market_count in zip(book, split_by_weight(count, [m.weight for m in book]), strict=True):
        names: set[str] = set()
        numbers: set[str] = set()
        for kind in _kinds_for(market, market_count, rng):
            sector = _sector(kind, rng)
            city = rng.choice(market.cities)
            if kind is BuyerKind.COMPANY:
                name = distinct(partial(_company_name, rng, market, sector), names)
            else:
                name = distinct(partial(_public_body_name, rng, kind, city), names)
            plans.append(
                BuyerRegistration(
                    name=name,
                    country=market.country,
                    registration_number=distinct(partial(_number, rng, market, kind), numbers),
                    kind=kind,
                    sector=sector,
                    grade=_grade(rng),
                    city=city,
                    annual_sales=_annual_sales(kind, rng),
                )
            )
    return plans
