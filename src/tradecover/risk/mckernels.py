"""Compiled Monte Carlo kernels (one scenario at a time, nothing of size scenarios × obligors), each
with a plain-NumPy twin that draws the same numbers and that tests compare it to.

Draw layout in a scenario's stream (see :mod:`tradecover.risk.streams`): systematic draws at counters
FACTOR_COUNTER + t, obligor i's draws at i·2²⁰ + r (r = 0 the default draw, r ≥ 1 extra Poisson pieces).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray
from scipy import special  # SciPy ships no type stubs

from tradecover.risk.streams import (
    FACTOR_COUNTER,
    OBLIGOR_SHIFT,
    normal,
    normals_numpy,
    uniform,
    uniforms_numpy,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
UIntArray = NDArray[np.uint64]
BoolArray = NDArray[np.bool_]

_TWIST_TOLERANCE = 1e-4
_TWIST_ITERATIONS = 60
_SQRT_HALF = math.sqrt(0.5)
# Poisson counts are drawn by inversion in pieces of at most this mean (e^−30 is far from underflow).
POISSON_PIECE = 30.0


# ---------------------------------------------------------------------------------------------------
# Gaussian copula with importance sampling


@numba.njit(inline="always", nogil=True)
def _twisted(p: float, loss: float, theta: float) -> tuple[float, float]:
    """(q, log(1 + p(e^{θℓ} − 1))) written to stay finite for any θℓ ≥ 0."""
    t = math.exp(-theta * loss)
    base = p + (1.0 - p) * t
    return p / base, theta * loss + math.log(base)


@numba.njit(nogil=True, cache=True)
def solve_twist(probabilities: FloatArray, loss: FloatArray, target: float) -> float:
    """θ ≥ 0 with Σ ℓ_i q_i(θ) = target (0 if the conditional mean already reaches it or never can)."""
    mean = 0.0
    top = 0.0
    for i in range(loss.shape[0]):
        mean += loss[i] * probabilities[i]
        if probabilities[i] > 0.0:
            top += loss[i]
    if mean >= target or target >= top:
        return 0.0
    theta, lo, hi = 0.0, 0.0, math.inf
    for _ in range(_TWIST_ITERATIONS):
        f = -target
        slope = 0.0
        for i in range(loss.shape[0]):
            p = probabilities[i]
            if p <= 0.0:
                continue
            q, _unused = _twisted(p, loss[i], theta)
            f += loss[i] * q
            slope += loss[i] * loss[i] * q * (1.0 - q)
        if abs(f) <= _TWIST_TOLERANCE * target:
            break
        if f < 0.0:
            lo = theta
        else:
            hi = theta
        step = theta - f / slope if slope > 0.0 else math.inf
        if not (lo < step < hi):
            step = 0.5 * (lo + hi) if hi < math.inf else 2.0 * theta + 1.0 / top
        theta = step
    return theta


@numba.njit(nogil=True)
def _gaussian_scenario(
    key: np.uint64,
    shift: FloatArray,
    thresholds: FloatArray,
    loadings: FloatArray,
    idiosyncratic_sd: FloatArray,
    obligor_class: IntArray,
    loss: FloatArray,
    target: float,
    twist: bool,
    factors: FloatArray,
    class_pd: FloatArray,
    obligor_pd: FloatArray,
    defaults: BoolArray,
) -> tuple[float, float]:
    log_weight = 0.0
    for f in range(shift.shape[0]):
        factors[f] = shift[f] + normal(key, FACTOR_COUNTER + np.uint64(2 * f))
        log_weight += -shift[f] * factors[f] + 0.5 * shift[f] * shift[f]
    for g in range(thresholds.shape[0]):
        z = thresholds[g]
        for f in range(shift.shape[0]):
            z -= loadings[g, f] * factors[f]
        class_pd[g] = 0.5 * math.erfc(-z * _SQRT_HALF / idiosyncratic_sd[g])
    if not twist:
        # Plain or shift-only: one pass, reading each obligor's group probability directly.
        total = 0.0
        for i in range(loss.shape[0]):
            hit = uniform(key, np.uint64(i) << OBLIGOR_SHIFT) < class_pd[obligor_class[i]]
            defaults[i] = hit
            if hit:
                total += loss[i]
        return total, log_weight
    for i in range(loss.shape[0]):
        obligor_pd[i] = class_pd[obligor_class[i]]
    theta = solve_twist(obligor_pd, loss, target)
    total = 0.0
    psi = 0.0
    for i in range(loss.shape[0]):
        q = obligor_pd[i]
        if theta > 0.0 and q > 0.0:
            q, log_term = _twisted(q, loss[i], theta)
            psi += log_term
        hit = uniform(key, np.uint64(i) << OBLIGOR_SHIFT) < q
        defaults[i] = hit
        if hit:
            total += loss[i]
    return total, log_weight - theta * total + psi


@numba.njit(nogil=True, cache=True)
def gaussian_chunk(
    keys: UIntArray,
    shift: FloatArray,
    thresholds: FloatArray,
    loadings: FloatArray,
    idiosyncratic_sd: FloatArray,
    obligor_class: IntArray,
    loss: FloatArray,
    target: float,
    twist: bool,
    losses: FloatArray,
    log_weights: FloatArray,
) -> None:
    """Simulate the scenarios of ``keys`` into ``losses`` and ``log_weights`` (each shape (m,)).

    The factors are drawn from N(shift, I); with ``twist`` the conditional default probabilities are
    tilted so that the conditional mean loss reaches ``target`` (Glasserman–Li). ``log_weights`` holds the
    log likelihood ratio log(dP/dQ) of each scenario (0 without shift and twist).
    """
    factors = np.empty(shift.shape[0])
    class_pd = np.empty(thresholds.shape[0])
    obligor_pd = np.empty(loss.shape[0])
    defaults = np.empty(loss.shape[0], dtype=np.bool_)
    for j in range(keys.shape[0]):
        losses[j], log_weights[j] = _gaussian_scenario(
            keys[j], shift, thresholds, loadings, idiosyncratic_sd, obligor_class, loss, target, twist,
            factors, class_pd, obligor_pd, defaults,
        )  # fmt: skip


@numba.njit(nogil=True, cache=True)
def gaussian_contributions(
    keys: UIntArray,
    coefficients: FloatArray,
    shift: FloatArray,
    thresholds: FloatArray,
    loadings: FloatArray,
    idiosyncratic_sd: FloatArray,
    obligor_class: IntArray,
    loss: FloatArray,
    target: float,
    twist: bool,
    out: FloatArray,
) -> None:
    """Re-simulate the scenarios of ``keys`` and add ℓ_i·D_ij·coefficients[j, c] to ``out[i, c]``."""
    factors = np.empty(shift.shape[0])
    class_pd = np.empty(thresholds.shape[0])
    obligor_pd = np.empty(loss.shape[0])
    defaults = np.empty(loss.shape[0], dtype=np.bool_)
    for j in range(keys.shape[0]):
        _gaussian_scenario(
            keys[j], shift, thresholds, loadings, idiosyncratic_sd, obligor_class, loss, target, twist,
            factors, class_pd, obligor_pd, defaults,
        )  # fmt: skip
        for i in range(loss.shape[0]):
            if defaults[i]:
                for c in range(coefficients.shape[1]):
                    out[i, c] += loss[i] * coefficients[j, c]


def _solve_twist_numpy(p: FloatArray, loss: FloatArray, target: float) -> float:
    mean = float(np.dot(loss, p))
    top = float(loss[p > 0].sum())
    if mean >= target or target >= top:
        return 0.0
    theta, lo, hi = 0.0, 0.0, np.inf
    live = p > 0
    p, loss = p[live], loss[live]
    for _ in range(_TWIST_ITERATIONS):
        q = p / (p + (1.0 - p) * np.exp(-theta * loss))
        f = float(np.dot(loss, q)) - target
        slope = float(np.dot(loss * loss, q * (1.0 - q)))
        if abs(f) <= _TWIST_TOLERANCE * target:
            break
        lo, hi = (theta, hi) if f < 0 else (lo, theta)
        step = theta - f / slope if slope > 0 else np.inf
        if not lo < step < hi:
            step = 0.5 * (lo + hi) if hi < np.inf else 2.0 * theta + 1.0 / top
        theta = step
    return theta


def gaussian_scenarios_numpy(
    keys: UIntArray,
    shift: FloatArray,
    thresholds: FloatArray,
    loadings: FloatArray,
    idiosyncratic_sd: FloatArray,
    obligor_class: IntArray,
    loss: FloatArray,
    target: float,
    twist: bool,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """NumPy twin of :func:`gaussian_chunk`; also returns the default indicators, shape (m, n)."""
    m, n, factor_count = keys.shape[0], loss.shape[0], shift.shape[0]
    losses, log_weights = np.empty(m), np.empty(m)
    defaults = np.empty((m, n), dtype=np.bool_)
    factor_counters = FACTOR_COUNTER + 2 * np.arange(factor_count, dtype=np.uint64)
    obligor_counters = np.arange(n, dtype=np.uint64) << OBLIGOR_SHIFT
    for j, key in enumerate(keys):
        y = shift + normals_numpy(key, factor_counters)
        log_weight = float(-shift @ y + 0.5 * shift @ shift)
        class_pd = special.ndtr((thresholds - loadings @ y) / idiosyncratic_sd)
        p = class_pd[obligor_class]
        theta = _solve_twist_numpy(p, loss, target) if twist else 0.0
        q, psi = p, 0.0
        if theta > 0:
            base = p + (1.0 - p) * np.exp(-theta * loss)
            q = np.where(p > 0, p / base, 0.0)
            psi = float(np.sum(np.where(p > 0, theta * loss + np.log(np.where(p > 0, base, 1.0)), 0.0)))
        hit = uniforms_numpy(key, obligor_counters) < q
        defaults[j] = hit
        losses[j] = float(np.sum(loss[hit]))
        log_weights[j] = log_weight - theta * losses[j] + psi
    return losses, log_weights, defaults


# ---------------------------------------------------------------------------------------------------
# CreditRisk+ (gamma factors, Poisson or Bernoulli defaults)


@numba.njit(nogil=True)
def _gamma(key: np.uint64, counter: np.uint64, shape: float) -> tuple[float, np.uint64]:
    """Gamma(shape, 1) by Marsaglia–Tsang (boosted below shape 1); returns (value, next counter)."""
    boost = 1.0
    if shape < 1.0:
        boost = uniform(key, counter) ** (1.0 / shape)
        counter += np.uint64(1)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(key, counter)
        counter += np.uint64(2)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(key, counter)
        counter += np.uint64(1)
        if math.log(1.0 - u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return boost * d * v, counter


@numba.njit(inline="always", nogil=True)
def _poisson_inverse(u: float, mean: float) -> int:
    k = 0
    term = math.exp(-mean)
    cumulative = term
    while u >= cumulative and term > 0.0:
        k += 1
        term *= mean / k
        cumulative += term
    return k


@numba.njit(nogil=True)
def _poisson(key: np.uint64, obligor: int, mean: float) -> int:
    pieces = math.ceil(mean / POISSON_PIECE) if mean > POISSON_PIECE else 1
    base = np.uint64(obligor) << OBLIGOR_SHIFT
    count = 0
    for r in range(pieces):
        count += _poisson_inverse(uniform(key, base + np.uint64(r)), mean / pieces)
    return count


@numba.njit(nogil=True)
def _creditriskplus_scenario(
    key: np.uint64,
    variances: FloatArray,
    poisson_share: FloatArray,
    gamma_weights: FloatArray,
    pd: FloatArray,
    loss: FloatArray,
    bernoulli: bool,
    factors: FloatArray,
    counts: FloatArray,
    record: bool,
) -> float:
    """One CreditRisk+ scenario's loss; with ``record`` also each obligor's default count in ``counts``."""
    sectors = variances.shape[0]
    counter = FACTOR_COUNTER
    for k in range(sectors):
        shape = 1.0 / variances[k]
        value, counter = _gamma(key, counter, shape)
        factors[k] = value * variances[k]
    total = 0.0
    for i in range(loss.shape[0]):
        if record:
            counts[i] = 0.0
        mix = poisson_share[i]
        for k in range(sectors):
            mix += gamma_weights[i, k] * factors[k]
        mean = pd[i] * mix
        if mean <= 0.0:
            continue
        if bernoulli:
            if uniform(key, np.uint64(i) << OBLIGOR_SHIFT) < min(mean, 1.0):
                total += loss[i]
                if record:
                    counts[i] = 1.0
        else:
            count = _poisson(key, i, mean)
            if count:
                total += loss[i] * count
                if record:
                    counts[i] = count
    return total


@numba.njit(nogil=True, cache=True)
def creditriskplus_chunk(
    keys: UIntArray,
    variances: FloatArray,
    poisson_share: FloatArray,
    gamma_weights: FloatArray,
    pd: FloatArray,
    loss: FloatArray,
    bernoulli: bool,
    losses: FloatArray,
) -> None:
    """CreditRisk+ scenarios: gamma factors S_k (mean 1, variance v_k), then per obligor a Poisson
    (or Bernoulli with probability min(λ, 1)) default count with λ_i = p_i(w_i0 + Σ_k w_ik S_k)."""
    factors = np.empty(variances.shape[0])
    counts = np.empty(0)
    for j in range(keys.shape[0]):
        losses[j] = _creditriskplus_scenario(
            keys[j], variances, poisson_share, gamma_weights, pd, loss, bernoulli, factors, counts, False
        )


@numba.njit(nogil=True, cache=True)
def creditriskplus_contributions(
    keys: UIntArray,
    coefficients: FloatArray,
    variances: FloatArray,
    poisson_share: FloatArray,
    gamma_weights: FloatArray,
    pd: FloatArray,
    loss: FloatArray,
    bernoulli: bool,
    out: FloatArray,
) -> None:
    """Re-simulate the scenarios of ``keys`` and add ℓ_i·N_ij·coefficients[j, c] to ``out[i, c]``."""
    factors = np.empty(variances.shape[0])
    counts = np.empty(loss.shape[0])
    for j in range(keys.shape[0]):
        _creditriskplus_scenario(
            keys[j], variances, poisson_share, gamma_weights, pd, loss, bernoulli, factors, counts, True
        )
        for i in range(loss.shape[0]):
            if counts[i] > 0.0:
                for c in range(coefficients.shape[1]):
                    out[i, c] += loss[i] * counts[i] * coefficients[j, c]


def creditriskplus_scenarios_numpy(
    keys: UIntArray,
    variances: FloatArray,
    poisson_share: FloatArray,
    gamma_weights: FloatArray,
    pd: FloatArray,
    loss: FloatArray,
    bernoulli: bool,
) -> FloatArray:
    """NumPy twin of :func:`creditriskplus_chunk` (the gamma draws reuse the compiled sampler)."""
    n = loss.shape[0]
    losses = np.empty(keys.shape[0])
    base = np.arange(n, dtype=np.uint64) << OBLIGOR_SHIFT
    for j, key in enumerate(keys):
        counter = FACTOR_COUNTER
        factors = np.empty(variances.shape[0])
        for k, variance in enumerate(variances):
            value, counter = _gamma(key, np.uint64(counter), 1.0 / variance)
            factors[k] = value * variance
        mean = pd * (poisson_share + gamma_weights @ factors)
        if bernoulli:
            counts = (uniforms_numpy(key, base) < np.minimum(mean, 1.0)).astype(np.float64)
        else:
            pieces = np.where(mean > POISSON_PIECE, np.ceil(mean / POISSON_PIECE), 1.0)
            counts = np.zeros(n)
            for r in range(int(pieces.max(initial=1))):
                active = (r < pieces) & (mean > 0)
                piece_mean = np.where(active, mean / pieces, 0.0)
                counts += np.where(
                    active, _poisson_inverse_numpy(uniforms_numpy(key, base + np.uint64(r)), piece_mean), 0
                )
        losses[j] = float(np.dot(loss, counts))
    return losses


def _poisson_inverse_numpy(u: FloatArray, mean: FloatArray) -> FloatArray:
    """The inversion of :func:`_poisson_inverse`, elementwise with the same arithmetic."""
    k = np.zeros_like(mean)
    term = np.exp(-mean)
    cumulative = term.copy()
    going = (u >= cumulative) & (term > 0)
    while going.any():
        k = np.where(going, k + 1, k)
        term = np.where(going, term * mean / np.maximum(k, 1), term)
        cumulative = np.where(going, cumulative + term, cumulative)
        going = going & (u >= cumulative) & (term > 0)
    return k
