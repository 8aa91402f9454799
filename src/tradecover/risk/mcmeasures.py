"""Risk measures from weighted Monte Carlo samples, with batch-means standard errors.

Sample j has loss L_j and likelihood ratio w_j (1 without importance sampling); with N samples every
probability is estimated as (1/N)·Σ w_j 1{...} (not self-normalised, so tail probabilities stay unbiased).
On that weighted empirical distribution VaR_α is the smallest sampled loss x with P̂(L > x) ≤ 1 − α and

    ES_α = (Ê[L·1{L > VaR_α}] + VaR_α·(1 − α − P̂(L > VaR_α))) / (1 − α),

the Acerbi–Tasche expected shortfall with the atom at VaR split.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special  # scipy.stats would add over a second to every CLI start

FloatArray = NDArray[np.float64]

DEFAULT_BATCHES = 20
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class TailPoint:
    """Where a confidence level falls in a weighted sample: VaR, ES and how to split the VaR atom.

    Attributes
    ----------
    var, es : float
        Value at risk and expected shortfall in currency.
    above : float
        P̂(L > VaR).
    atom : float
        P̂(L = VaR).
    """

    var: float
    es: float
    above: float
    atom: float


def tail_points(losses: FloatArray, weights: FloatArray, levels: Sequence[float]) -> dict[float, TailPoint]:
    """VaR and ES at each level from samples ``losses`` (shape (N,)) with likelihood ratios ``weights``."""
    count = losses.shape[0]
    if count == 0:
        raise ValueError("no samples")
    for level in levels:
        if not 0.0 < level < 1.0:
            raise ValueError(f"a confidence level must lie strictly between 0 and 1, got {level}")
    order = np.argsort(losses, kind="stable")
    values, starts = np.unique(losses[order], return_index=True)
    mass = np.add.reduceat(weights[order], starts) / count
    # above[u] = P̂(L > values[u]); first[u] = Ê[L·1{L > values[u]}].
    above = np.concatenate([np.cumsum(mass[::-1])[::-1][1:], [0.0]])
    first = np.concatenate([np.cumsum((mass * values)[::-1])[::-1][1:], [0.0]])
    points = {}
    for level in levels:
        # above is non-increasing: the first index where it drops to 1 − α or below.
        u = int(np.argmax(above <= (1.0 - level) * (1.0 + 1e-12)))
        var = float(values[u])
        es = (float(first[u]) + var * (1.0 - level - float(above[u]))) / (1.0 - level)
        points[level] = TailPoint(var=var, es=es, above=float(above[u]), atom=float(mass[u]))
    return points


@dataclass(frozen=True)
class SampleMeasures:
    """Point estimates in currency from one weighted sample."""

    expected_loss: float
    std: float
    var: dict[float, float]
    es: dict[float, float]


def sample_measures(losses: FloatArray, weights: FloatArray, levels: Sequence[float]) -> SampleMeasures:
    """Expected loss, standard deviation, VaR and ES at ``levels`` of a weighted sample."""
    count = losses.shape[0]
    mean = float(np.dot(weights, losses)) / count
    second = float(np.dot(weights, losses * losses)) / count
    points = tail_points(losses, weights, levels)
    return SampleMeasures(
        expected_loss=mean,
        std=math.sqrt(max(second - mean * mean, 0.0)),
        var={level: point.var for level, point in points.items()},
        es={level: point.es for level, point in points.items()},
    )


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its batch-means standard error and confidence interval (currency)."""

    value: float
    standard_error: float
    low: float
    high: float

    @property
    def relative_standard_error(self) -> float:
        """standard_error / |value| (inf for a zero estimate)."""
        return self.standard_error / abs(self.value) if self.value else math.inf


@dataclass(frozen=True)
class MonteCarloMeasures:
    """Measures estimated from the whole sample, each with an error from ``batches`` batch means."""

    expected_loss: Estimate
    std: Estimate
    var: dict[float, Estimate]
    es: dict[float, Estimate]
    scenarios: int
    batches: int
    confidence: float


def batch_means(
    losses: FloatArray,
    weights: FloatArray,
    levels: Sequence[float],
    batches: int = DEFAULT_BATCHES,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MonteCarloMeasures:
    """Estimates from all samples; standard errors sd(batch estimates)/√B over B consecutive batches.

    Batch b holds the samples with index in [bN/B, (b+1)N/B), so batches depend on the scenario index
    only. The interval is estimate ± t_{B−1}·SE at ``confidence``.
    """
    count = losses.shape[0]
    if batches < 2 or count < 2 * batches:
        raise ValueError(f"need at least 2 batches of 2 samples: {count} samples in {batches} batches")
    whole = sample_measures(losses, weights, levels)
    edges = (np.arange(batches + 1) * count) // batches
    parts = [sample_measures(losses[a:b], weights[a:b], levels) for a, b in itertools.pairwise(edges)]
    quantile = float(special.stdtrit(batches - 1, 0.5 + confidence / 2.0))  # Student-t quantile

    def estimate(value: float, samples: list[float]) -> Estimate:
        error = float(np.std(samples, ddof=1)) / math.sqrt(batches)
        return Estimate(
            value=value, standard_error=error, low=value - quantile * error, high=value + quantile * error
        )

    return MonteCarloMeasures(
        expected_loss=estimate(whole.expected_loss, [p.expected_loss for p in parts]),
        std=estimate(whole.std, [p.std for p in parts]),
        var={level: estimate(whole.var[level], [p.var[level] for p in parts]) for level in levels},
        es={level: estimate(whole.es[level], [p.es[level] for p in parts]) for level in levels},
        scenarios=count,
        batches=batches,
        confidence=confidence,
    )


def contribution_coefficients(
    losses: FloatArray, weights: FloatArray, levels: Sequence[float]
) -> tuple[FloatArray, dict[float, TailPoint]]:
    """Per-scenario c_j such that Σ_j ℓ_i D_ij c_j are Euler contributions; shape (N, 2·len(levels)).

    Column 2k (ES at levels[k]): w_j/(N(1−α)) where L_j > VaR, times (1 − α − P̂(L > VaR))/P̂(L = VaR)
    where L_j = VaR — the split atom — so the contributions sum to ES exactly. Column 2k + 1 (VaR): a
    Gaussian kernel estimate of E[L_i | L = VaR], weights w_j·K((L_j − VaR)/h) with Silverman's bandwidth
    h = 1.06·σ̂·N^(−1/5), cut at 4h, scaled so the contributions sum to VaR exactly.
    """
    count = losses.shape[0]
    points = tail_points(losses, weights, levels)
    mean = float(np.dot(weights, losses)) / count
    sigma = math.sqrt(max(float(np.dot(weights, losses * losses)) / count - mean * mean, 0.0))
    bandwidth = 1.06 * sigma * count ** (-0.2)
    coefficients = np.zeros((count, 2 * len(levels)))
    for k, level in enumerate(levels):
        point = points[level]
        scale = weights / (count * (1.0 - level))
        split = (1.0 - level - point.above) / point.atom if point.atom > 0 else 0.0
        coefficients[:, 2 * k] = np.where(
            losses > point.var, scale, np.where(losses == point.var, scale * split, 0.0)
        )
        if bandwidth > 0:
            distance = (losses - point.var) / bandwidth
            kernel = np.where(np.abs(distance) <= 4.0, weights * np.exp(-0.5 * distance * distance), 0.0)
        else:
            kernel = np.where(losses == point.var, weights, 0.0)
        mass = float(np.dot(kernel, losses))
        coefficients[:, 2 * k + 1] = kernel * (point.var / mass) if mass > 0 else 0.0
    return coefficients, points


def aggregate_by_label(contributions: FloatArray, labels: NDArray[np.str_]) -> dict[str, float]:
    """Sum per-obligor contributions (shape (n,)) by label (shape (n,)): {label: total}, labels sorted."""
    labels = np.asarray(labels, dtype=np.str_)
    if labels.shape != contributions.shape:
        raise ValueError("one label per obligor")
    distinct, index = np.unique(labels, return_inverse=True)
    totals = np.bincount(index.reshape(-1), weights=contributions, minlength=distinct.shape[0])
    return {str(label): float(total) for label, total in zip(distinct, totals, strict=True)}
