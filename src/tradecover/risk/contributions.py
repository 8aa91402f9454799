"""Risk contributions per obligor under CreditRisk+: Euler contributions to SD, VaR and ES, and CSFB's."""

from __future__ import annotations

import numpy as np
import scipy.fft  # SciPy ships no type stubs
from numpy.typing import NDArray

from tradecover.risk.creditriskplus import (
    CreditRiskPlusResult,
    check_sector_variances,
    log_pgf,
    shifted_generating_functions,
)
from tradecover.risk.discretisation import Discretisation
from tradecover.risk.measures import check_level
from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]


def standard_deviation_contributions(
    portfolio: Portfolio, sector_variances: NDArray[np.float64] | list[float], banding: Discretisation
) -> FloatArray:
    """Euler contributions to the analytic standard deviation in currency, shape (n,), summing to σ.

    RC_A = p_A ν_A L · (ν_A L + Σ_k v_k w_Ak EL_k) / σ with EL_k = Σ_B w_Bk p_B ν_B L (CSFB manual A13).
    """
    variances = check_sector_variances(portfolio, sector_variances)
    loss = banding.units * banding.unit
    expected = banding.pd * loss
    sector_expected = portfolio.weights.T @ expected
    raw = expected * (loss + portfolio.weights @ (variances * sector_expected))
    total = float(raw.sum())
    return raw / np.sqrt(total) if total > 0 else np.zeros_like(raw)


def csfb_risk_contributions(
    portfolio: Portfolio,
    sector_variances: NDArray[np.float64] | list[float],
    banding: Discretisation,
    percentile: float,
) -> FloatArray:
    """The CSFB workbook's risk contributions to a loss percentile in currency, shape (n,).

    RC_A = p_A E_A + (percentile − EL)·s_A / Σ s, where s_A = p_A ν_A L (ν_A L + Σ_k v_k w_Ak EL_k) is
    the standard-deviation contribution with the *unadjusted* PD p_A in front; they sum to ``percentile``.
    The workbook reports them against its interpolated 99th percentile.
    """
    variances = check_sector_variances(portfolio, sector_variances)
    loss = banding.units * banding.unit
    sector_expected = portfolio.weights.T @ (banding.pd * loss)
    shares = portfolio.pd * loss * (loss + portfolio.weights @ (variances * sector_expected))
    expected = portfolio.pd * portfolio.loss_given_default
    total = float(shares.sum())
    if total <= 0:
        return expected.copy()
    return expected + (percentile - float(expected.sum())) * shares / total


def _size_biased_distributions(result: CreditRiskPlusResult) -> FloatArray:
    """P(L⁽ʲ⁾ = n) for the Poisson part (j = 0: L itself) and each gamma sector, shape (1 + J, N).

    For a gamma sector, L⁽ʲ⁾ has generating function G(z)/(1 − v_j(Q_j(z) − μ_j)): the loss with that
    sector's factor size-biased, so that E[N_A 1{L = x}] = p_A Σ_j w_Aj P(L⁽ʲ⁾ = x − ν_A).
    """
    book = result.book
    length = result.distribution.probabilities.shape[0]
    shifted = shifted_generating_functions(book, length)
    pgf = np.exp(log_pgf(book, shifted))
    spectra = np.empty_like(shifted)
    spectra[0] = pgf
    for row, variance in enumerate(book.variances, start=1):
        spectra[row] = pgf / (1.0 - variance * shifted[row])
    biased: FloatArray = scipy.fft.irfft(spectra, n=length, axis=1, workers=-1)
    np.maximum(biased, 0.0, out=biased)
    return biased


def _component_shares(portfolio: Portfolio, variances: FloatArray) -> FloatArray:
    """Each obligor's weight on the Poisson part and on each positive-variance sector, shape (n, 1 + J)."""
    gamma = variances > 0
    poisson = portfolio.specific_weight + portfolio.weights[:, ~gamma].sum(axis=1)
    return np.column_stack([poisson, portfolio.weights[:, gamma]])


def tail_contributions(
    portfolio: Portfolio,
    sector_variances: NDArray[np.float64] | list[float],
    result: CreditRiskPlusResult,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """Euler contributions to VaR and to expected shortfall at ``level``, in currency, each shape (n,).

    VaR_A = E[L_A | L = VaR]; ES_A = (E[L_A; L > VaR] + E[L_A; L = VaR]·(F(VaR) − α)/P(L = VaR))/(1 − α),
    which split the atom at VaR as the Acerbi–Tasche ES does. They sum to the VaR and the ES of
    :mod:`tradecover.risk.measures` on the same distribution (up to the aliasing bound).
    """
    variances = check_sector_variances(portfolio, sector_variances)
    distribution = result.distribution
    cdf = check_level(distribution, level)
    var_units = int(np.searchsorted(cdf, level, side="left"))
    biased = _size_biased_distributions(result)
    # survival[j, y] = P(L⁽ʲ⁾ > y) for y = 0..N−1.
    survival = biased[:, ::-1].cumsum(axis=1)[:, ::-1] - biased
    units = result.banding.units
    shift = var_units - units
    inside = shift >= 0
    safe = np.where(inside, shift, 0)
    shares = _component_shares(portfolio, variances)
    rows = np.arange(shares.shape[1])
    at_var = np.where(inside, (shares * biased[rows[None, :], safe[:, None]]).sum(axis=1), 0.0)
    # With ν_A > VaR, every default of A puts the loss beyond VaR.
    beyond = np.where(
        inside, (shares * survival[rows[None, :], safe[:, None]]).sum(axis=1), shares.sum(axis=1)
    )
    scale = result.banding.pd * units * distribution.unit
    atom = float(distribution.probabilities[var_units])
    var_contribution = scale * at_var / atom if atom > 0 else np.zeros_like(scale)
    split = (float(cdf[var_units]) - level) / atom if atom > 0 else 0.0
    es_contribution = scale * (beyond + at_var * split) / (1.0 - level)
    return var_contribution, es_contribution
