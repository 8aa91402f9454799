"""Monte Carlo loss distributions: the multi-factor Gaussian copula (with Glasserman–Li importance
sampling) and CreditRisk+, chunked and streaming, on any executor.

Memory holds the obligor arrays, one loss and one log likelihood ratio per scenario, and per chunk only
O(obligors) scratch: never an array of scenarios × obligors. Euler contributions are a second pass that
re-simulates just the scenarios that carry weight (each scenario's stream can be recomputed on its own)
and sums them block by block in scenario order, so that they too are the same for any chunking.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special  # SciPy ships no type stubs

from tradecover.risk.copula import CopulaClasses, GaussianCopula, copula_classes
from tradecover.risk.creditriskplus import check_sector_variances
from tradecover.risk.discretisation import Discretisation
from tradecover.risk.execution import Executor, InProcessExecutor, Progress
from tradecover.risk.mckernels import (
    creditriskplus_chunk,
    creditriskplus_contributions,
    gaussian_chunk,
    gaussian_contributions,
)
from tradecover.risk.mcmeasures import (
    DEFAULT_BATCHES,
    DEFAULT_CONFIDENCE,
    MonteCarloMeasures,
    batch_means,
    contribution_coefficients,
)
from tradecover.risk.measures import STANDARD_LEVELS
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.streams import STREAM_BLOCK, pilot_generator, scenario_keys

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# A chunk holds about this many obligor draws (scenarios × obligors), a few tenths of a second of work.
_DRAWS_PER_CHUNK = 20_000_000
_PROGRESS_STEPS = 50
_PILOT_DRAWS = 4_000
# The pilot evaluates (draws × groups) conditional PDs; beyond this it uses fewer draws.
_PILOT_WORK = 50_000_000
# Elements of conditional-PD scratch (draws × groups) evaluated at once in the pilot.
_MOMENT_SCRATCH = 1_000_000
# Twist when the conditional SD of the loss at the shift is above this share of the target loss.
TWIST_WORTHWHILE = 0.1


@dataclass(frozen=True)
class ImportanceSampling:
    """Glasserman–Li importance sampling: factor mean shift and conditional exponential twist.

    Attributes
    ----------
    shift : ndarray of float64, shape (F,)
        Mean μ of the independent factors Y under the sampling measure.
    target : float
        Loss level x in currency: where the conditional mean is below it, defaults are twisted so that it
        reaches x; the shift is the mode of the normal-approximation zero-variance density for L > x.
    twist : bool
        Whether to twist the conditional default probabilities.
    """

    shift: FloatArray
    target: float
    twist: bool = True


@dataclass(frozen=True)
class TailContributions:
    """Euler contributions per obligor in currency at one level, shape (n,) each.

    ``es`` sums to the ES estimate exactly; ``var`` (kernel estimator) is scaled to sum to VaR.
    """

    var: FloatArray
    es: FloatArray


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-scenario losses and likelihood ratios, the measures with errors, and contributions.

    Attributes
    ----------
    losses : ndarray of float64, shape (N,)
        Portfolio loss of each scenario in currency, in scenario order.
    log_weights : ndarray of float64, shape (N,)
        log likelihood ratio of each scenario (all 0 without importance sampling).
    measures : MonteCarloMeasures
    contributions : dict of float to TailContributions
        By confidence level (empty unless requested).
    importance : ImportanceSampling or None
    """

    losses: FloatArray
    log_weights: FloatArray
    measures: MonteCarloMeasures
    contributions: dict[float, TailContributions]
    importance: ImportanceSampling | None

    @property
    def weights(self) -> FloatArray:
        """Likelihood ratios, shape (N,)."""
        result: FloatArray = np.exp(self.log_weights)
        return result


def _chunks(scenarios: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk_size, scenarios)) for start in range(0, scenarios, chunk_size)]


def _check_run(scenarios: int, chunk_size: int | None, obligors: int, batches: int) -> int:
    if scenarios < 2 * batches:
        raise ValueError(f"at least {2 * batches} scenarios are needed for {batches} batches")
    if chunk_size is None:
        # Bounded work per chunk, and at least ~_PROGRESS_STEPS chunks so that progress moves.
        return max(64, min(_DRAWS_PER_CHUNK // max(obligors, 1), -(-scenarios // _PROGRESS_STEPS)))
    if chunk_size < 1:
        raise ValueError("the chunk size must be at least 1")
    return chunk_size


# ---------------------------------------------------------------------------------------------------
# Gaussian copula


@dataclass(frozen=True)
class GaussianBook:
    """What each chunk task needs: the obligor groups and losses, the importance sampling, the seed."""

    classes: CopulaClasses
    loss: FloatArray
    shift: FloatArray
    target: float
    twist: bool
    seed: int


def gaussian_chunk_task(book: GaussianBook, span: tuple[int, int]) -> tuple[FloatArray, FloatArray]:
    """Losses and log likelihood ratios of scenarios ``span[0] .. span[1]−1``."""
    start, stop = span
    losses = np.empty(stop - start)
    log_weights = np.empty(stop - start)
    c = book.classes
    gaussian_chunk(
        scenario_keys(book.seed, start, stop), book.shift, c.thresholds, c.loadings, c.idiosyncratic_sd,
        c.obligor_class, book.loss, book.target, book.twist, losses, log_weights,
    )  # fmt: skip
    return losses, log_weights


def gaussian_contribution_task(book: GaussianBook, job: tuple[int, IntArray, FloatArray]) -> FloatArray:
    """Σ over the chosen scenarios of one stream block of ℓ_i·D_ij·coefficients[j], shape (n, C)."""
    block, offsets, coefficients = job
    keys = scenario_keys(book.seed, block * STREAM_BLOCK, (block + 1) * STREAM_BLOCK)[offsets]
    out = np.zeros((book.loss.shape[0], coefficients.shape[1]))
    c = book.classes
    gaussian_contributions(
        keys, coefficients, book.shift, c.thresholds, c.loadings, c.idiosyncratic_sd, c.obligor_class,
        book.loss, book.target, book.twist, out,
    )  # fmt: skip
    return out


def _conditional_moments(
    classes: CopulaClasses, class_loss: FloatArray, class_square: FloatArray, factors: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """E[L | Y] and Var[L | Y] for factor draws of shape (S, F), by obligor group; shapes (S,) each.

    Draws are taken a few at a time so that the (draws × groups) scratch stays near 8 MB per array.
    """
    groups = classes.thresholds.shape[0]
    step = max(1, _MOMENT_SCRATCH // max(groups, 1))
    means, variances = np.empty(factors.shape[0]), np.empty(factors.shape[0])
    for start in range(0, factors.shape[0], step):
        y = factors[start : start + step]
        p = special.ndtr((classes.thresholds[None, :] - y @ classes.loadings.T) / classes.idiosyncratic_sd)
        means[start : start + step] = p @ class_loss
        variances[start : start + step] = (p * (1.0 - p)) @ class_square
    return means, variances


def plan_importance_sampling(
    portfolio: Portfolio,
    copula: GaussianCopula,
    level: float = 0.999,
    seed: int = 0,
    *,
    twist: bool | None = None,
) -> ImportanceSampling:
    """Choose the target loss and the factor shift for tail level ``level``.

    The target x is the ``level`` quantile of the conditional mean loss E[L | Y] + Φ⁻¹(level)·√E[Var[L | Y]]
    over pilot draws of Y (a cheap VaR proxy that also covers idiosyncratic risk); the shift maximises
    −|y|²/2 + log P̃(L > x | y), P̃ the normal approximation to the conditional loss (the mode of the
    approximate zero-variance density), starting from the best pilot draw.

    ``twist=None`` twists only where it pays: when the conditional standard deviation of the loss at the
    shift exceeds :data:`TWIST_WORTHWHILE` of the target. In a granular book the loss given the factors is
    nearly certain, the twist removes little variance and costs a Newton solve over the obligors per
    scenario.
    """
    _check_copula(portfolio, copula)
    classes = copula_classes(portfolio.pd, copula)
    loss = portfolio.loss_given_default
    groups = classes.thresholds.shape[0]
    class_loss = np.bincount(classes.obligor_class, weights=loss, minlength=groups).astype(np.float64)
    class_square = np.bincount(classes.obligor_class, weights=loss * loss, minlength=groups).astype(
        np.float64
    )
    draws = max(200, min(_PILOT_DRAWS, _PILOT_WORK // max(groups, 1)))
    pilot = pilot_generator(seed).standard_normal((draws, copula.factor_count))
    mean, variance = _conditional_moments(classes, class_loss, class_square, pilot)
    spread = float(special.ndtri(level)) * math.sqrt(float(variance.mean()))
    target = float(np.quantile(mean, level)) + spread
    if target <= 0:
        return ImportanceSampling(shift=np.zeros(copula.factor_count), target=0.0, twist=False)

    def objective(y: FloatArray) -> float:
        m, v = _conditional_moments(classes, class_loss, class_square, y[None, :])
        z = (target - float(m[0])) / math.sqrt(float(v[0]) + 1e-300)
        return 0.5 * float(y @ y) - float(special.log_ndtr(-z))

    if copula.factor_count == 0:
        return ImportanceSampling(shift=np.zeros(0), target=target, twist=twist is not False)
    start = pilot[int(np.argmin([objective(y) for y in pilot[: min(draws, 500)]]))]
    found = optimize.minimize(objective, start, method="BFGS")
    shift = np.asarray(found.x if np.isfinite(found.fun) else start, dtype=np.float64)
    if twist is None:
        _, at_shift = _conditional_moments(classes, class_loss, class_square, shift[None, :])
        twist = math.sqrt(float(at_shift[0])) > TWIST_WORTHWHILE * target
    return ImportanceSampling(shift=shift, target=target, twist=twist)


def _check_copula(portfolio: Portfolio, copula: GaussianCopula) -> None:
    if copula.loadings.shape[0] != portfolio.size:
        raise ValueError(
            f"the copula has loadings for {copula.loadings.shape[0]} obligors, the book {portfolio.size}"
        )


def simulate_gaussian(
    portfolio: Portfolio,
    copula: GaussianCopula,
    *,
    scenarios: int,
    seed: int,
    importance: ImportanceSampling | Literal["auto"] | None = "auto",
    levels: Sequence[float] = STANDARD_LEVELS,
    contributions: bool = False,
    chunk_size: int | None = None,
    batches: int = DEFAULT_BATCHES,
    confidence: float = DEFAULT_CONFIDENCE,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Loss distribution of the book under the multi-factor Gaussian copula by Monte Carlo.

    Parameters
    ----------
    portfolio : Portfolio
        n obligors; loss on default is exposure × LGD (currency).
    copula : GaussianCopula
        Loadings of shape (n, F) and the F × F factor correlation.
    scenarios : int
        Number of scenarios N.
    seed : int
        The same seed gives the same result for any ``chunk_size``, executor and number of workers.
    importance : ImportanceSampling, "auto" or None
        "auto" plans it for the highest of ``levels`` (:func:`plan_importance_sampling`); None samples
        plainly.
    levels : sequence of float
        Confidence levels of VaR and ES.
    contributions : bool
        Also compute Euler contributions to VaR and ES per obligor at each level (a second pass).
    chunk_size : int, optional
        Scenarios per task; default about 2·10⁷ / n, and at most N/50 (but at least 64).
    batches, confidence : int, float
        Batch means for standard errors, and the confidence of the intervals.
    executor : Executor, optional
        Default: :class:`InProcessExecutor` on the calling thread.
    progress : callable, optional
        Called with the number of scenarios finished, as chunks complete.

    Returns
    -------
    MonteCarloResult
    """
    _check_copula(portfolio, copula)
    chunk_size = _check_run(scenarios, chunk_size, portfolio.size, batches)
    if importance == "auto":
        importance = plan_importance_sampling(portfolio, copula, max(levels), seed)
    plan = importance or ImportanceSampling(shift=np.zeros(copula.factor_count), target=0.0, twist=False)
    if plan.shift.shape != (copula.factor_count,):
        raise ValueError(f"the shift must have {copula.factor_count} entries")
    book = GaussianBook(
        classes=copula_classes(portfolio.pd, copula),
        loss=np.ascontiguousarray(portfolio.loss_given_default),
        shift=np.ascontiguousarray(plan.shift, dtype=np.float64),
        target=float(plan.target),
        twist=bool(plan.twist),
        seed=int(seed),
    )
    executor = executor or InProcessExecutor()
    spans = _chunks(scenarios, chunk_size)
    done = None if progress is None else _span_progress(progress, spans)
    parts = executor.map(gaussian_chunk_task, book, spans, done)
    losses = np.concatenate([part[0] for part in parts])
    log_weights = np.concatenate([part[1] for part in parts])
    weights = np.exp(log_weights)
    measures = batch_means(losses, weights, levels, batches, confidence)
    tail = _tail(losses, weights, levels, book, executor, gaussian_contribution_task) if contributions else {}
    return MonteCarloResult(losses, log_weights, measures, tail, importance)


def _span_progress(progress: Progress, spans: list[tuple[int, int]]) -> Progress:
    """Report scenarios rather than chunks (chunks finish in any order but have known sizes)."""
    sizes = iter([stop - start for start, stop in spans])
    return lambda _count: progress(next(sizes, 0))


def _contribution_pass(
    book: GaussianBook | CreditRiskPlusBook,
    coefficients: FloatArray,
    executor: Executor,
    task: Callable[[Any, tuple[int, IntArray, FloatArray]], FloatArray],
) -> FloatArray:
    """Σ_j ℓ_i D_ij c_j over scenarios with a non-zero coefficient, summed block by block in order."""
    chosen = np.flatnonzero(np.any(coefficients != 0.0, axis=1))
    blocks = chosen // STREAM_BLOCK
    jobs = [
        (
            int(block),
            chosen[blocks == block] - int(block) * STREAM_BLOCK,
            coefficients[chosen[blocks == block]],
        )
        for block in np.unique(blocks)
    ]
    total = np.zeros((book.loss.shape[0], coefficients.shape[1]))
    for part in executor.map(task, book, jobs):
        total += part
    return total


def _tail(
    losses: FloatArray, weights: FloatArray, levels: Sequence[float], book: GaussianBook | CreditRiskPlusBook,
    executor: Executor, task: Callable[[Any, tuple[int, IntArray, FloatArray]], FloatArray],
) -> dict[float, TailContributions]:  # fmt: skip
    """Euler contributions to VaR and ES at each level, from a second pass over the tail scenarios."""
    coefficients, _ = contribution_coefficients(losses, weights, levels)
    totals = _contribution_pass(book, coefficients, executor, task)
    return {
        level: TailContributions(var=totals[:, 2 * k + 1], es=totals[:, 2 * k])
        for k, level in enumerate(levels)
    }


# ---------------------------------------------------------------------------------------------------
# CreditRisk+


@dataclass(frozen=True)
class CreditRiskPlusBook:
    """What each CreditRisk+ chunk task needs."""

    variances: FloatArray
    poisson_share: FloatArray
    gamma_weights: FloatArray
    pd: FloatArray
    loss: FloatArray
    bernoulli: bool
    seed: int


def creditriskplus_chunk_task(book: CreditRiskPlusBook, span: tuple[int, int]) -> FloatArray:
    """Losses of CreditRisk+ scenarios ``span[0] .. span[1]−1``."""
    start, stop = span
    losses = np.empty(stop - start)
    creditriskplus_chunk(
        scenario_keys(book.seed, start, stop), book.variances, book.poisson_share, book.gamma_weights,
        book.pd, book.loss, book.bernoulli, losses,
    )  # fmt: skip
    return losses


def creditriskplus_contribution_task(
    book: CreditRiskPlusBook, job: tuple[int, IntArray, FloatArray]
) -> FloatArray:
    """Σ over the chosen scenarios of one stream block of ℓ_i·N_ij·coefficients[j], shape (n, C)."""
    block, offsets, coefficients = job
    keys = scenario_keys(book.seed, block * STREAM_BLOCK, (block + 1) * STREAM_BLOCK)[offsets]
    out = np.zeros((book.loss.shape[0], coefficients.shape[1]))
    creditriskplus_contributions(
        keys, coefficients, book.variances, book.poisson_share, book.gamma_weights, book.pd, book.loss,
        book.bernoulli, out,
    )  # fmt: skip
    return out


def simulate_credit_risk_plus(
    portfolio: Portfolio,
    sector_variances: NDArray[np.float64] | list[float],
    *,
    scenarios: int,
    seed: int,
    banding: Discretisation | None = None,
    defaults: Literal["poisson", "bernoulli"] = "poisson",
    levels: Sequence[float] = STANDARD_LEVELS,
    contributions: bool = False,
    chunk_size: int | None = None,
    batches: int = DEFAULT_BATCHES,
    confidence: float = DEFAULT_CONFIDENCE,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """CreditRisk+ by Monte Carlo: gamma sector factors, then Poisson (or Bernoulli) defaults.

    With ``banding`` the losses are ν_A·L and the intensities the banded ones, so the result estimates the
    same distribution as :func:`tradecover.risk.creditriskplus.credit_risk_plus`; otherwise loss =
    exposure × LGD and intensity = PD. Bernoulli defaults happen with probability min(λ, 1).
    With ``contributions`` a second pass re-simulates the tail scenarios and gives Euler contributions
    to VaR and ES per obligor at each level, Σ_j ℓ_i N_ij c_j with the coefficients of the Gaussian
    copula's (:func:`contribution_coefficients`); the ES ones sum to the estimated ES exactly.
    """
    variances = check_sector_variances(portfolio, sector_variances)
    if defaults not in ("poisson", "bernoulli"):
        raise ValueError("defaults must be 'poisson' or 'bernoulli'")
    chunk_size = _check_run(scenarios, chunk_size, portfolio.size, batches)
    gamma = variances > 0
    loss = portfolio.loss_given_default if banding is None else banding.units * banding.unit
    pd = portfolio.pd if banding is None else banding.pd
    book = CreditRiskPlusBook(
        variances=np.ascontiguousarray(variances[gamma]),
        poisson_share=np.ascontiguousarray(
            portfolio.specific_weight + portfolio.weights[:, ~gamma].sum(axis=1)
        ),
        gamma_weights=np.ascontiguousarray(portfolio.weights[:, gamma]),
        pd=np.ascontiguousarray(pd, dtype=np.float64),
        loss=np.ascontiguousarray(loss, dtype=np.float64),
        bernoulli=defaults == "bernoulli",
        seed=int(seed),
    )
    executor = executor or InProcessExecutor()
    spans = _chunks(scenarios, chunk_size)
    done = None if progress is None else _span_progress(progress, spans)
    losses = np.concatenate(executor.map(creditriskplus_chunk_task, book, spans, done))
    log_weights = np.zeros_like(losses)
    weights = np.ones_like(losses)
    measures = batch_means(losses, weights, levels, batches, confidence)
    tail = (
        _tail(losses, weights, levels, book, executor, creditriskplus_contribution_task)
        if contributions
        else {}
    )
    return MonteCarloResult(losses, log_weights, measures, tail, None)
