"""Demo policyholders: exporters in Yiwu, Shenzhen and other Chinese cities, and a few domestic sellers.

Prior-year (2024) exports straddle the USD 8m line that subsidy programmes draw: some far below, some
above, a few right on it. The first policyholder is always a Yiwu SME exporter below the line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from tradecover.demo.catalogue import ExporterCity, exporter_cities, name_book
from tradecover.demo.shares import distinct, registration_number, split_by_weight
from tradecover.money import Money

SUBSIDY_EXPORT_LINE = Money.of(8_000_000, "USD")


@dataclass(frozen=True, slots=True)
class ExportBand:
    """A range of prior-year exports in whole USD thousands (inclusive)."""

    name: str
    low_thousands: int
    high_thousands: int
    weight: int


# In the order a small world takes them: the line's two sides and the line itself come first.
EXPORT_BANDS = (
    ExportBand("below_line", 3_000, 7_800, 20),
    ExportBand("above_line", 8_200, 30_000, 20),
    ExportBand("on_line", 8_000, 8_000, 10),
    ExportBand("domestic", 0, 0, 12),
    ExportBand("small", 150, 3_000, 28),
    ExportBand("large", 30_000, 250_000, 10),
)
# Amounts "exactly around" the line, taken in turn by the on_line band.
ON_LINE_EXPORTS = ("8000000.00", "7999999.99", "8000000.01", "7950000.00", "8050000.00")
LARGE_FIRM_EXPORTS = Money.of(20_000_000, "USD")


@dataclass(frozen=True, slots=True)
class PolicyholderPlan:
    """One demo policyholder as it will be registered."""

    name: str
    city: str
    registration_number: str
    sector: str
    is_sme: bool
    prior_year_exports: Money
    band: str

    @property
    def is_domestic_seller(self) -> bool:
        """True for a firm that sold nothing abroad in the prior year."""
        return self.prior_year_exports.is_zero


def _bands_for(count: int, rng: random.Random) -> list[ExportBand]:
    """One band per policyholder: the first always below the line, the rest shuffled."""
    if count <= len(EXPORT_BANDS):
        chosen = list(EXPORT_BANDS[:count])
    else:
        extra = split_by_weight(count - len(EXPORT_BANDS), [band.weight for band in EXPORT_BANDS])
        chosen = list(EXPORT_BANDS) + [
            band for band, n in zip(EXPORT_BANDS, extra, strict=True) for _ in range(n)
        ]
    first, rest = chosen[0], chosen[1:]
    rng.shuffle(rest)
    return [first, *rest]


def _cities_for(count: int, rng: random.Random) -> list[ExporterCity]:
    """One city per policyholder by weight; Yiwu first, Shenzhen second when there are two or more."""
    cities = exporter_cities()
    counts = split_by_weight(count, [city.weight for city in cities])
    if count >= 2 and counts[1] == 0:
        counts[1], counts[counts.index(max(counts))] = 1, max(counts) - 1
    chosen = [city for city, n in zip(cities, counts, strict=True) for _ in range(n)]
    rest = chosen[1:]
    rng.shuffle(rest)
    return [chosen[0], *rest]


def _exports(band: ExportBand, on_line_seen: int, rng: random.Random) -> Money:
    if band.name == "on_line":
        return Money.of(ON_LINE_EXPORTS[on_line_seen % len(ON_LINE_EXPORTS)], "USD")
    return Money.of(Decimal(rng.randint(band.low_thousands, band.high_thousands) * 1000), "USD")


def _exporter_name(rng: random.Random, city: str, sector: str) -> str:
    book = name_book()
    return f"{city} {rng.choice(book.stems['pinyin'])} {rng.choice(book.exporter_products[sector])} Co. Ltd"


def plan_policyholders(count: int, rng: random.Random) -> list[PolicyholderPlan]:
    """`count` policyholders, deterministic for the random generator's seed."""
    bands, cities = _bands_for(count, rng), _cities_for(count, rng)
    taken_names: set[str] = set()
    taken_numbers: set[str] = set()
    plans: list[PolicyholderPlan] = []
    on_line_seen = 0
    for band, city in zip(bands, cities, strict=True):
        sector = rng.choice(city.sectors)
        exports = _exports(band, on_line_seen, rng)
        on_line_seen += band.name == "on_line"
        name = distinct(partial(_exporter_name, rng, city.city, sector), taken_names)
        number = distinct(partial(registration_number, rng, f"91{city.area_code}@@@@@@@@@@"), taken_numbers)
        is_sme = exports < LARGE_FIRM_EXPORTS and (band.name != "domestic" or rng.randrange(5) > 0)
        plans.append(PolicyholderPlan(name, city.city, number, sector, is_sme, exports, band.name))
    return plans
