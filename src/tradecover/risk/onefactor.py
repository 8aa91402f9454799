"""The exact loss distribution of a one-factor Gaussian copula: quadrature over the factor.

Given the factor Z = z, obligors default independently with p_i(z) = Φ((Φ⁻¹(p_i) − a_i z)/√(1 − a_i²)),
so the conditional loss in units has the generating function Π_i (1 − p_i(z) + p_i(z)·s^{ν_i}). It is
evaluated on the N-th roots of unity with N = Σ ν_i + 1 (the largest possible loss fits, so there is no
aliasing at all), mixed over z with Gauss–Legendre weights times φ(z) on [−Z_MAX, Z_MAX], and inverted
by one real FFT: mixing is linear, so one inversion serves every node.
"""

from __future__ import annotations

import numpy as np
import scipy.fft  # SciPy ships no type stubs
from numpy.typing import NDArray
from scipy import special  # SciPy ships no type stubs

from tradecover.risk.copula import GaussianCopula, copula_classes
from tradecover.risk.discretisation import Discretisation
from tradecover.risk.measures import LossDistribution, check_level
from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]

Z_MAX = 9.0  # P(|Z| > 9) ≈ 2·10⁻¹⁹
DEFAULT_NODES = 400
_LARGEST_GRID = 1 << 22


def factor_quadrature(nodes: int = DEFAULT_NODES) -> tuple[FloatArray, FloatArray]:
    """Nodes z and weights (summing to 1 − P(|Z| > Z_MAX)) for E[f(Z)], Z standard normal."""
    if nodes < 2:
        raise ValueError("at least 2 quadrature nodes")
    x, w = np.polynomial.legendre.leggauss(nodes)
    z = Z_MAX * x
    weights: FloatArray = Z_MAX * w * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return z, weights


def one_factor_distribution(
    portfolio: Portfolio, copula: GaussianCopula, banding: Discretisation, nodes: int = DEFAULT_NODES
) -> LossDistribution:
    """The exact distribution of the banded loss under a one-factor Gaussian copula.

    Parameters
    ----------
    portfolio : Portfolio
        n obligors (PD used as given; losses are ``banding.units`` × ``banding.unit``).
    copula : GaussianCopula
        With exactly one factor; loadings of shape (n, 1).
    banding : Discretisation
        Loss units ν_i per obligor.
    nodes : int
        Gauss–Legendre nodes over the factor.

    Returns
    -------
    LossDistribution
        On the grid 0 .. Σν units; ``tail_bound`` is 0 (nothing lies beyond the grid).
    """
    if copula.factor_count != 1:
        raise ValueError(f"the exact method needs a one-factor copula, this one has {copula.factor_count}")
    if copula.loadings.shape[0] != portfolio.size:
        raise ValueError("the copula and the portfolio have different numbers of obligors")
    classes = copula_classes(portfolio.pd, copula)
    length = int(banding.units.sum()) + 1
    if length > _LARGEST_GRID:
        raise ValueError(f"the grid of {length} units is too long; use a larger loss unit")
    # Obligors sharing (group, ν) share their factor of the product: raise it to their count.
    pairs, counts = np.unique(
        np.column_stack([classes.obligor_class, banding.units]), axis=0, return_counts=True
    )
    lossy = pairs[:, 1] > 0
    pairs, counts = pairs[lossy], counts[lossy]
    frequencies = np.arange(length // 2 + 1)
    z, weights = factor_quadrature(nodes)
    spectrum = np.zeros(length // 2 + 1, dtype=np.complex128)
    for node, weight in zip(z, weights, strict=True):
        p = special.ndtr((classes.thresholds - classes.loadings[:, 0] * node) / classes.idiosyncratic_sd)[
            pairs[:, 0]
        ]
        product = np.ones_like(spectrum)
        for probability, units, count in zip(p, pairs[:, 1], counts, strict=True):
            factor = 1.0 - probability + probability * np.exp(-2j * np.pi * frequencies * units / length)
            product *= factor if count == 1 else factor**count
        spectrum += weight * product
    probabilities = scipy.fft.irfft(spectrum, n=length)
    np.maximum(probabilities, 0.0, out=probabilities)
    return LossDistribution(probabilities=probabilities, unit=banding.unit, tail_bound=0.0)


def one_factor_contributions(
    portfolio: Portfolio,
    copula: GaussianCopula,
    banding: Discretisation,
    level: float,
    nodes: int = DEFAULT_NODES,
) -> tuple[FloatArray, FloatArray]:
    """Exact Euler contributions to VaR and ES at ``level`` under a one-factor Gaussian copula, each (n,).

    For obligor i, E[D_i·1{L = x}] = ∫ p_i(z)·P(L₋ᵢ = x − ν_i | z) φ(z) dz: the generating function of the
    others given z is the product over every other (group, ν) pair, formed from prefix and suffix
    products (no division, so no loss of accuracy where a p_i(z) is near ½), mixed over the same
    quadrature as :func:`one_factor_distribution` and inverted by one real FFT per pair. As there,
    VaR_i = ℓ_i·E[D_i; L = VaR]/P(L = VaR) and ES_i splits the atom at VaR as ES does, so the
    contributions add up to that method's VaR and ES. Memory is pairs × grid complex numbers: meant, like
    the method itself, for books whose grid is short.
    """
    distribution = one_factor_distribution(portfolio, copula, banding, nodes)
    cdf = check_level(distribution, level)
    var_units = int(np.searchsorted(cdf, level, side="left"))
    atom = float(distribution.probabilities[var_units])
    classes = copula_classes(portfolio.pd, copula)
    length = distribution.probabilities.shape[0]
    pairs, inverse, counts = np.unique(
        np.column_stack([classes.obligor_class, banding.units]),
        axis=0,
        return_inverse=True,
        return_counts=True,
    )
    inverse = inverse.reshape(-1)
    frequencies = np.arange(length // 2 + 1)
    shifts = np.exp(-2j * np.pi * np.outer(pairs[:, 1], frequencies) / length)  # s^ν per pair, (P, F)
    z, weights = factor_quadrature(nodes)
    spectra = np.zeros((pairs.shape[0], frequencies.shape[0]), dtype=np.complex128)
    for node, weight in zip(z, weights, strict=True):
        p = special.ndtr((classes.thresholds - classes.loadings[:, 0] * node) / classes.idiosyncratic_sd)[
            pairs[:, 0]
        ]
        factors = 1.0 - p[:, None] + p[:, None] * shifts
        powered = factors ** counts[:, None]
        before = np.vstack([np.ones((1, frequencies.shape[0])), np.cumprod(powered, axis=0)[:-1]])
        after = np.vstack([np.cumprod(powered[::-1], axis=0)[::-1][1:], np.ones((1, frequencies.shape[0]))])
        others = before * after * factors ** (counts[:, None] - 1)
        spectra += weight * p[:, None] * shifts * others
    joint = scipy.fft.irfft(spectra, n=length, axis=1)  # E[D_i·1{L = x}] for one obligor of each pair
    np.maximum(joint, 0.0, out=joint)
    loss = pairs[:, 1] * banding.unit
    split = (float(cdf[var_units]) - level) / atom if atom > 0 else 0.0
    beyond = joint[:, var_units + 1 :].sum(axis=1)
    es_pair = loss * (beyond + joint[:, var_units] * split) / (1.0 - level)
    var_pair = loss * joint[:, var_units] / atom if atom > 0 else np.zeros_like(loss)
    return var_pair[inverse], es_pair[inverse]
