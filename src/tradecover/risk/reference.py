"""Slow, simple reference computations of CreditRisk+ distributions, for tests and benchmarks only."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tradecover.risk.discretisation import Discretisation
from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]


def panjer_one_sector(
    units: NDArray[np.int64], intensities: FloatArray, variance: float, length: int
) -> FloatArray:
    """P(L = n), n < ``length``, for one sector by Panjer's recursion (plain Python loop, O(length·max ν)).

    The default count is negative binomial with shape r = 1/v and mean μ = Σ intensities (Poisson if
    v = 0), each default costing ν_A units with probability intensities_A/μ. With the (a, b, 0) class
    parameters a = q, b = (r − 1)q, q = vμ/(1 + vμ): g_n = Σ_{j=1..n} (a + b·j/n)·f_j·g_{n−j}.
    """
    units = np.asarray(units, dtype=np.int64)
    # A default that costs 0 units leaves the loss unchanged: dropping such obligors is exact, and Panjer's
    # recursion below assumes a severity without mass at 0.
    intensities = np.where(units > 0, np.asarray(intensities, dtype=np.float64), 0.0)
    mean = float(intensities.sum())
    result = np.zeros(length, dtype=np.float64)
    if mean <= 0:
        result[0] = 1.0
        return result
    severity = np.bincount(units, weights=intensities, minlength=length)[:length] / mean
    # a = q, b = (r − 1)q and g_0 = (1 − q)^r with r = 1/v, written so that v → 0 gives the Poisson
    # (a, b, g_0) = (0, μ, e^{−μ}) without dividing by v or raising 1 − q to a huge power.
    a = variance * mean / (1.0 + variance * mean)
    b = (1.0 - variance) * mean / (1.0 + variance * mean)
    # log(1 + vμ)/v, by its series where vμ is so small (even subnormal) that log1p(vμ) loses it.
    x = variance * mean
    rate = mean * (1.0 - x / 2.0 + x * x / 3.0) if x < 1e-6 else math.log1p(x) / variance
    result[0] = math.exp(-rate)
    for n in range(1, length):
        j = np.arange(1, n + 1)
        result[n] = float(np.sum((a + b * j / n) * severity[1 : n + 1] * result[n - 1 :: -1][:n]))
    return result


def sector_by_sector(
    portfolio: Portfolio, sector_variances: FloatArray, banding: Discretisation, length: int
) -> FloatArray:
    """The CreditRisk+ distribution as the convolution of one Panjer recursion per sector (specific first)."""
    variances = np.asarray(sector_variances, dtype=np.float64)
    result = panjer_one_sector(banding.units, banding.pd * portfolio.specific_weight, 0.0, length)
    for sector, variance in enumerate(variances):
        sector_loss = panjer_one_sector(
            banding.units, banding.pd * portfolio.weights[:, sector], float(variance), length
        )
        result = np.convolve(result, sector_loss)[:length]
    return result


def independent_poisson_convolution(
    units: NDArray[np.int64], intensities: FloatArray, length: int
) -> FloatArray:
    """P(L = n) for independent obligors, each losing ν_A units per default with Poisson(p_A) defaults.

    Built obligor by obligor: each obligor's loss distribution is the Poisson pmf placed on multiples
    of ν_A, convolved into the running total.
    """
    result = np.zeros(length, dtype=np.float64)
    result[0] = 1.0
    for nu, intensity in zip(np.asarray(units).tolist(), np.asarray(intensities).tolist(), strict=True):
        if nu == 0 or intensity == 0:
            continue
        counts = np.arange(0, (length - 1) // nu + 1)
        obligor = np.zeros(length, dtype=np.float64)
        log_pmf = counts * math.log(intensity) - intensity - np.array([math.lgamma(k + 1) for k in counts])
        obligor[counts * nu] = np.exp(log_pmf)
        result = np.convolve(result, obligor)[:length]
    return result


def independent_bernoulli_convolution(units: NDArray[np.int64], pd: FloatArray, length: int) -> FloatArray:
    """P(L = n) for independent obligors each losing ν_A units with probability p_A (at most once)."""
    result = np.zeros(length, dtype=np.float64)
    result[0] = 1.0
    for nu, probability in zip(np.asarray(units).tolist(), np.asarray(pd).tolist(), strict=True):
        shifted = np.zeros(length, dtype=np.float64)
        shifted[nu:] = result[: length - nu] if nu < length else 0.0
        result = (1.0 - probability) * result + probability * shifted
    return result
