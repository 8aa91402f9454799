"""CreditRisk+ with gamma sector factors: the exact loss distribution by FFT of its generating function.

With sector factors S_k ~ Gamma(mean 1, variance v_k) and obligor A defaulting as Poisson with intensity
p_A·(w_A0 + Σ_k w_Ak·S_k) (w_A0 the specific share), the loss in units has the generating function

    G(z) = exp(Q_0(z) − μ_0) · Π_k (1 − v_k·(Q_k(z) − μ_k))^(−1/v_k),   Q_k(z) = Σ_A w_Ak p_A z^ν_A,

with μ_k = Q_k(1); a sector with v_k = 0 joins the Poisson term. G is evaluated on the N-th roots of unity
and inverted by one real FFT; the result is the distribution folded modulo N, so N is chosen by a Chernoff
bound P(L ≥ N) ≤ min_t G(t)·t^(−N) to make the folded (aliased) mass negligible, and that bound is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.fft  # SciPy ships no type stubs
from numpy.typing import NDArray

from tradecover.risk.discretisation import Discretisation
from tradecover.risk.kernels import band_intensities
from tradecover.risk.measures import LossDistribution
from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]

DEFAULT_TAIL_TOLERANCE = 1e-12
# Chernoff exponents s = log t tried, as fractions of the largest exponent that cannot overflow.
_EXPONENT_FRACTIONS = np.logspace(-7, 0, 90)
_LARGEST_SAFE_EXPONENT = 600.0


@dataclass(frozen=True)
class BandedBook:
    """Default intensities aggregated by loss unit: the coefficients of the Q_k polynomials.

    Attributes
    ----------
    poisson : ndarray of float64, shape (m,)
        Σ over the specific share and the zero-variance sectors of w·p for obligors of ν units.
    gamma : ndarray of float64, shape (J, m)
        The same for each sector with positive variance.
    variances : ndarray of float64, shape (J,)
        Their factor variances v_k > 0.
    """

    poisson: FloatArray
    gamma: FloatArray
    variances: FloatArray

    @property
    def length(self) -> int:
        """m: one more than the largest loss in units."""
        return int(self.poisson.shape[0])


def check_sector_variances(
    portfolio: Portfolio, sector_variances: NDArray[np.float64] | list[float]
) -> FloatArray:
    """Return the sector variances as an array of shape (K,), or raise ValueError."""
    variances = np.asarray(sector_variances, dtype=np.float64)
    if variances.shape != (portfolio.factor_count,):
        raise ValueError(
            f"expected {portfolio.factor_count} sector variances (one per factor), "
            f"got shape {variances.shape}"
        )
    if not np.all(np.isfinite(variances)) or np.any(variances < 0):
        raise ValueError("sector variances must be finite and non-negative")
    return variances


def band_book(portfolio: Portfolio, banding: Discretisation, sector_variances: FloatArray) -> BandedBook:
    """Aggregate w·p by loss unit for the Poisson part and each positive-variance sector."""
    variances = check_sector_variances(portfolio, sector_variances)
    length = int(banding.units.max(initial=0)) + 1
    gamma_sectors = variances > 0
    gamma_row = np.where(gamma_sectors, np.cumsum(gamma_sectors), 0).astype(np.int64)
    bands = band_intensities(banding.units, banding.pd, portfolio.weights, gamma_row, length)
    # Zero-loss obligors cannot change the loss; dropping unit 0 keeps Q_k(z) − μ_k exact.
    bands[:, 0] = 0.0
    return BandedBook(poisson=bands[0], gamma=bands[1:], variances=variances[gamma_sectors])


# Below this |v·(Q − μ)|, −log(1 − v·x)/v is summed as its series x + v x²/2 + v² x³/3 (error ~ (v x)³):
# the closed form would lose v·x to underflow or cancellation for tiny variances.
_SERIES_THRESHOLD = 1e-6


def _gamma_log_series(variance: float, x: NDArray[Any]) -> NDArray[Any]:
    series: NDArray[Any] = x * (1.0 + variance * x * (0.5 + variance * x / 3.0))
    return series


def log_pgf(book: BandedBook, shifted: ComplexArray) -> ComplexArray:
    """log G from the values of Q_k(z) − μ_k, given as an array of shape (1 + J, F) (Poisson row first)."""
    real = shifted[0].real.copy()
    imag = shifted[0].imag.copy()
    for row, variance in enumerate(book.variances, start=1):
        if variance * 2.0 * float(book.gamma[row - 1].sum()) < _SERIES_THRESHOLD:
            series = _gamma_log_series(float(variance), shifted[row])
            real += series.real
            imag += series.imag
            continue
        a = -variance * shifted[row].real
        b = -variance * shifted[row].imag
        # log(1 + a + ib) in real arithmetic (complex log1p is several times slower); accurate near 1.
        real -= 0.5 * np.log1p(a * (2.0 + a) + b * b) / variance
        imag -= np.arctan2(b, 1.0 + a) / variance
    result: ComplexArray = real + 1j * imag
    return result


def chernoff_log_tail(book: BandedBook, exponents: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log G(e^s) for each exponent s, with +inf where G(e^s) diverges; returns (exponents, log G)."""
    support = np.flatnonzero(book.poisson + book.gamma.sum(axis=0) > 0)
    coefficients = np.vstack([book.poisson[support], book.gamma[:, support]])
    growth = np.expm1(np.outer(support.astype(np.float64), exponents))
    shifted = coefficients @ growth  # Q_k(e^s) − μ_k, shape (1 + J, S)
    log_g = shifted[0].copy()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for row, variance in enumerate(book.variances, start=1):
            inner = -variance * shifted[row]
            closed = -np.log1p(np.maximum(inner, -1.0 + 1e-300)) / variance
            term = np.where(
                np.abs(inner) < _SERIES_THRESHOLD, _gamma_log_series(float(variance), shifted[row]), closed
            )
            log_g = np.where(inner > -1.0, log_g + term, np.inf)
    return exponents, log_g


def _chernoff_exponents(book: BandedBook) -> FloatArray:
    largest_unit = max(book.length - 1, 1)
    return (_LARGEST_SAFE_EXPONENT / largest_unit) * _EXPONENT_FRACTIONS


def tail_bound(book: BandedBook, length: int) -> float:
    """Chernoff bound on P(loss ≥ length units): min over t > 1 of G(t)·t^(−length)."""
    exponents, log_g = chernoff_log_tail(book, _chernoff_exponents(book))
    return float(np.exp(np.min(log_g - length * exponents)).clip(max=1.0))


def grid_length(book: BandedBook, tail_tolerance: float = DEFAULT_TAIL_TOLERANCE, minimum: int = 0) -> int:
    """An FFT-friendly grid length N with Chernoff bound P(loss ≥ N units) ≤ ``tail_tolerance``."""
    if not 0.0 < tail_tolerance < 1.0:
        raise ValueError("the tail tolerance must lie strictly between 0 and 1")
    exponents, log_g = chernoff_log_tail(book, _chernoff_exponents(book))
    needed = np.min((log_g - np.log(tail_tolerance)) / exponents)
    if not np.isfinite(needed):
        raise ValueError("no finite grid bounds the tail; the sector variances are too large for the book")
    length = max(int(np.ceil(needed)), book.length, minimum, 2)
    return int(scipy.fft.next_fast_len(length, real=True))


def shifted_generating_functions(book: BandedBook, length: int) -> ComplexArray:
    """Q_k(z) − μ_k at z = e^{−2πij/N}, j = 0..N/2, shape (1 + J, N//2 + 1), Poisson row first."""
    coefficients = np.vstack([book.poisson, book.gamma])
    # rfft gives Σ_ν c_ν e^{−2πijν/N} = Q(ω^{-j}); inverting with irfft recovers P(L = n) mod N.
    transform: ComplexArray = scipy.fft.rfft(coefficients, n=length, axis=1, workers=-1)
    transform -= coefficients.sum(axis=1, keepdims=True)
    return transform


def _pgf_on_circle(book: BandedBook, length: int) -> ComplexArray:
    values: ComplexArray = np.exp(log_pgf(book, shifted_generating_functions(book, length)))
    return values


@dataclass(frozen=True)
class CreditRiskPlusResult:
    """The loss distribution of a book under CreditRisk+ with what produced it.

    Attributes
    ----------
    distribution : LossDistribution
        Probabilities on the unit grid; ``distribution.tail_bound`` bounds the mass beyond the grid,
        which is also a bound on the aliasing error of every probability.
    banding : Discretisation
        Loss units and default intensities per obligor.
    book : BandedBook
        The aggregated intensities by unit.
    """

    distribution: LossDistribution
    banding: Discretisation
    book: BandedBook


def loss_distribution_fft(book: BandedBook, unit: float, length: int) -> LossDistribution:
    """The loss distribution on a grid of ``length`` units by inverse real FFT of the PGF."""
    if length < book.length:
        raise ValueError(f"the grid must hold the largest single loss: length ≥ {book.length}")
    probabilities = scipy.fft.irfft(_pgf_on_circle(book, length), n=length, workers=-1)
    # Round-off leaves values of order 1e-17 below zero where the true probability is 0.
    np.maximum(probabilities, 0.0, out=probabilities)
    return LossDistribution(probabilities=probabilities, unit=unit, tail_bound=tail_bound(book, length))


def credit_risk_plus(
    portfolio: Portfolio,
    sector_variances: NDArray[np.float64] | list[float],
    banding: Discretisation,
    *,
    tail_tolerance: float = DEFAULT_TAIL_TOLERANCE,
    grid_minimum: int = 0,
) -> CreditRiskPlusResult:
    """The CreditRisk+ loss distribution of ``portfolio`` on ``banding``'s unit grid.

    Parameters
    ----------
    portfolio : Portfolio
        n obligors with K factor weights.
    sector_variances : array_like of float, shape (K,)
        Variance of each gamma sector factor (mean 1); 0 makes the sector independent Poisson.
    banding : Discretisation
        From :func:`tradecover.risk.discretisation.discretise`.
    tail_tolerance : float
        Target bound on the probability mass beyond the grid (and so on the aliasing error).
    grid_minimum : int
        Smallest grid length in units to use.

    Returns
    -------
    CreditRiskPlusResult
    """
    book = band_book(portfolio, banding, np.asarray(sector_variances, dtype=np.float64))
    length = grid_length(book, tail_tolerance, grid_minimum)
    return CreditRiskPlusResult(
        distribution=loss_distribution_fft(book, banding.unit, length), banding=banding, book=book
    )


def analytic_moments(
    portfolio: Portfolio, sector_variances: NDArray[np.float64] | list[float], banding: Discretisation
) -> tuple[float, float]:
    """Exact mean and standard deviation in currency of the banded CreditRisk+ loss.

    mean = L·Σ p ν,  variance = L²·[Σ p ν² + Σ_k v_k (Σ_A w_Ak p_A ν_A)²].
    """
    variances = check_sector_variances(portfolio, sector_variances)
    expected = banding.pd * banding.units
    sector_means = portfolio.weights.T @ expected
    variance = float(np.dot(expected, banding.units)) + float(np.dot(variances, sector_means**2))
    return banding.unit * float(expected.sum()), banding.unit * float(np.sqrt(variance))


def sector_variances_from_pd_sd(
    portfolio: Portfolio, pd_sd: FloatArray, banding: Discretisation | None = None
) -> FloatArray:
    """CSFB sector variances (σ_k/μ_k)² with μ_k = Σ w_Ak p_A and σ_k = Σ w_Ak σ_A (manual eqs. 96–97).

    ``pd_sd`` (shape (n,)) is the standard deviation of each obligor's default rate. With ``banding``
    its rescaled intensities are used and each σ_A is rescaled by the same factor, as the workbook does.
    """
    pd_sd = np.asarray(pd_sd, dtype=np.float64)
    if pd_sd.shape != portfolio.pd.shape or np.any(pd_sd < 0) or not np.all(np.isfinite(pd_sd)):
        raise ValueError("pd_sd must be one finite non-negative value per obligor")
    pd = portfolio.pd if banding is None else banding.pd
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(portfolio.pd > 0, pd / portfolio.pd, 1.0)
    means = portfolio.weights.T @ pd
    deviations = portfolio.weights.T @ (pd_sd * scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(means > 0, (deviations / means) ** 2, 0.0)
