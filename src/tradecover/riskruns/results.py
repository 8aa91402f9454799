"""The boundary where the engine's floats become the platform's exact amounts.

Rounding, once per figure a user sees:

- A measure (expected loss, SD, VaR, ES, a standard error) in currency is read as the shortest decimal
  that round-trips the float (`repr`), then rounded half up to the reporting currency's minor unit.
- Contributions of one dimension (country, sector, insurer, policyholder, buyer) are ranked by the
  engine's sums; the top `TOP_N` groups and the rest as one row ("*") are split from the stored measure
  they explain (ES at 99.5%) by largest remainder (`money.allocate`) in proportion to the engine's
  contributions, so the stored rows add up exactly to the stored measure.
- Exposures are exact sums of minor units for the base book; a stressed book's exposure (floats after
  the scenario's cuts and shifts) is rounded like a measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from tradecover.money import Money, allocate

TOP_N = 20
REST_KEY = "*"


def to_minor(value: float, currency: str) -> int:
    """An engine amount in currency as minor units: its shortest decimal form, rounded half up once."""
    if not math.isfinite(value):
        raise ValueError(f"the engine returned a non-finite amount: {value}")
    return Money.rounded(Decimal(repr(float(value))), currency).minor_units


def probability_text(value: float) -> str:
    """A probability for the record: six significant digits as a decimal string."""
    return format(Decimal(f"{max(value, 0.0):.6g}"), "f")


@dataclass(frozen=True, slots=True)
class Group:
    """One stored contribution row before it is saved."""

    key: str
    label: str
    rank: int
    amount_minor: int
    exposure_minor: int


def grouped(
    values: NDArray[np.float64],
    labels: NDArray[np.str_],
    exposure: NDArray[np.int64] | NDArray[np.float64],
    total_minor: int,
    currency: str,
    names: dict[str, str] | None = None,
) -> list[Group]:
    """Contributions summed by label, split exactly from `total_minor`, largest first, top N then the rest.

    `exposure` is per obligor: exact minor units (int64), or currency floats (a stressed book).
    """
    keys, index = np.unique(labels, return_inverse=True)
    sums = np.bincount(index, weights=values, minlength=keys.shape[0])
    if np.issubdtype(exposure.dtype, np.integer):
        exposures = np.zeros(keys.shape[0], dtype=np.int64)
        np.add.at(exposures, index, exposure)
    else:
        summed = np.bincount(index, weights=exposure, minlength=keys.shape[0])
        exposures = np.asarray([to_minor(float(x), currency) for x in summed], dtype=np.int64)
    # Rank by the engine's sums; only the top N and the rest as one are split, so a book of 100,000
    # buyers allocates 21 parts, not 100,000.
    clipped = np.maximum(sums, 0.0)
    order = sorted(range(keys.shape[0]), key=lambda i: (-clipped[i], str(keys[i])))
    top, rest = order[:TOP_N], order[TOP_N:]
    weights = [Decimal(repr(float(clipped[i]))) for i in top]
    if rest:
        weights.append(Decimal(repr(float(clipped[rest].sum()))))
    if total_minor > 0 and sum(weights) > 0:
        amounts = [part.minor_units for part in allocate(Money.from_minor(total_minor, currency), weights)]
    else:
        amounts = [0] * len(weights)
    groups = [
        Group(str(keys[i]), (names or {}).get(str(keys[i]), str(keys[i])), rank + 1, amounts[rank],
              int(exposures[i]))
        for rank, i in enumerate(top)
    ]  # fmt: skip
    if rest:
        groups.append(
            Group(REST_KEY, f"all {len(rest)} others", TOP_N + 1, amounts[-1], int(exposures[rest].sum()))
        )
    return groups
