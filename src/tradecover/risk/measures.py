"""Risk measures of a discrete loss distribution: moments, VaR, expected shortfall, CSFB percentiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

STANDARD_LEVELS: tuple[float, ...] = (0.99, 0.995, 0.999)


@dataclass(frozen=True)
class LossDistribution:
    """Probabilities of the portfolio loss on the grid 0, L, 2L, ..., (m−1)L.

    Attributes
    ----------
    probabilities : ndarray of float64, shape (m,)
        ``probabilities[n]`` = P(loss = n·unit).
    unit : float
        Loss unit L in currency.
    tail_bound : float
        Upper bound on P(loss ≥ m·unit), the mass the grid does not hold (0 if the grid is exact).
    """

    probabilities: FloatArray
    unit: float
    tail_bound: float = 0.0

    @property
    def amounts(self) -> FloatArray:
        """Loss amounts of the grid points in currency, shape (m,)."""
        return np.arange(self.probabilities.shape[0], dtype=np.float64) * self.unit

    @cached_property
    def cdf(self) -> FloatArray:
        """P(loss ≤ n·unit) for each grid point n, shape (m,)."""
        return np.cumsum(self.probabilities)


def expected_loss(distribution: LossDistribution) -> float:
    """Mean loss in currency."""
    n = np.arange(distribution.probabilities.shape[0], dtype=np.float64)
    return distribution.unit * float(np.dot(n, distribution.probabilities))


def standard_deviation(distribution: LossDistribution) -> float:
    """Standard deviation of the loss in currency."""
    p = distribution.probabilities
    n = np.arange(p.shape[0], dtype=np.float64)
    mean = float(np.dot(n, p))
    variance = float(np.dot((n - mean) ** 2, p))
    return distribution.unit * float(np.sqrt(max(variance, 0.0)))


def check_level(distribution: LossDistribution, level: float) -> FloatArray:
    """Return the CDF, or raise ValueError if ``level`` is outside (0, 1) or beyond the grid's mass."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"a confidence level must lie strictly between 0 and 1, got {level}")
    cdf = distribution.cdf
    if cdf[-1] < level:
        raise ValueError(f"the grid holds only {cdf[-1]:.12f} of the mass, below the level {level}")
    return cdf


def value_at_risk_units(distribution: LossDistribution, level: float) -> int:
    """VaR in units: the smallest grid point n with P(loss ≤ n·unit) ≥ level."""
    cdf = check_level(distribution, level)
    return int(np.searchsorted(cdf, level, side="left"))


def value_at_risk(distribution: LossDistribution, level: float) -> float:
    """Value at risk in currency: the lower ``level`` quantile of the loss (a grid point)."""
    return distribution.unit * value_at_risk_units(distribution, level)


def expected_shortfall(distribution: LossDistribution, level: float) -> float:
    """Expected shortfall in currency, with the atom at VaR split (Acerbi–Tasche).

    ES_α = (E[L·1{L > VaR_α}] + VaR_α·(P(L ≤ VaR_α) − α)) / (1 − α), which is the mean of the
    worst (1 − α) share of outcomes even when VaR_α carries a probability atom.
    """
    cdf = check_level(distribution, level)
    var_units = int(np.searchsorted(cdf, level, side="left"))
    p = distribution.probabilities
    n = np.arange(p.shape[0], dtype=np.float64)
    beyond = float(np.dot(n[var_units + 1 :], p[var_units + 1 :]))
    at_var = var_units * (float(cdf[var_units]) - level)
    return distribution.unit * (beyond + at_var) / (1.0 - level)


def interpolated_percentile(distribution: LossDistribution, level: float) -> float:
    """The CSFB workbook's percentile in currency: linear interpolation of the CDF between grid points.

    If F(i−1) < level ≤ F(i), it is L·[(i−1) + (level − F(i−1)) / (F(i) − F(i−1))].
    """
    cdf = check_level(distribution, level)
    i = int(np.searchsorted(cdf, level, side="left"))
    if i == 0:
        return 0.0
    below = float(cdf[i - 1])
    return distribution.unit * ((i - 1) + (level - below) / (float(cdf[i]) - below))


@dataclass(frozen=True)
class RiskMeasures:
    """Summary of a loss distribution in currency: mean, SD, and VaR/ES by confidence level."""

    expected_loss: float
    std: float
    var: dict[float, float]
    es: dict[float, float]
    unit: float
    tail_bound: float


def risk_measures(distribution: LossDistribution, levels: Sequence[float] = STANDARD_LEVELS) -> RiskMeasures:
    """Expected loss, standard deviation, and VaR and ES at each of ``levels``."""
    return RiskMeasures(
        expected_loss=expected_loss(distribution),
        std=standard_deviation(distribution),
        var={level: value_at_risk(distribution, level) for level in levels},
        es={level: expected_shortfall(distribution, level) for level in levels},
        unit=distribution.unit,
        tail_bound=distribution.tail_bound,
    )
