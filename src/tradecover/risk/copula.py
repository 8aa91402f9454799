"""The multi-factor Gaussian copula: correlated systematic factors, a loading vector per obligor.

Obligor i's latent variable is X_i = b_i·Z + √(1 − b_iᵀΣb_i)·ε_i with Z ~ N(0, Σ) the systematic
factors (country, sector, ...) and ε_i independent standard normals; i defaults when X_i < Φ⁻¹(p_i).
With Σ = CCᵀ (Cholesky) and Z = CY for independent standard normals Y, the loadings on Y are a_i = Cᵀb_i,
so given Y the defaults are independent with P(default | Y) = Φ((Φ⁻¹(p_i) − a_i·Y) / √(1 − |a_i|²)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special  # SciPy ships no type stubs

from tradecover.risk.portfolio import Portfolio

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Symmetry and positive semi-definiteness are checked to this absolute tolerance.
_MATRIX_TOLERANCE = 1e-10
# A systematic share this close to 1 leaves no idiosyncratic noise to divide by.
_LARGEST_SYSTEMATIC_SHARE = 1.0 - 1e-9


@dataclass(frozen=True)
class GaussianCopula:
    """Factor correlations and obligor loadings of a multi-factor Gaussian copula.

    Parameters
    ----------
    correlation : ndarray of float64, shape (F, F)
        Correlation matrix Σ of the systematic factors: symmetric, unit diagonal, positive semi-definite.
    loadings : ndarray of float64, shape (n, F)
        b_i, the loading of each obligor on each factor; each obligor's systematic variance b_iᵀΣb_i
        (its asset correlation R²) must be below 1.
    factor_names : tuple of str, length F
    """

    correlation: FloatArray
    loadings: FloatArray
    factor_names: tuple[str, ...]

    def __post_init__(self) -> None:
        """Validate shapes, symmetry, unit diagonal, PSD and systematic shares below 1."""
        correlation = np.asarray(self.correlation, dtype=np.float64)
        loadings = np.asarray(self.loadings, dtype=np.float64)
        factors = len(self.factor_names)
        if correlation.shape != (factors, factors):
            raise ValueError(f"the correlation matrix must be {factors}×{factors}, got {correlation.shape}")
        if loadings.ndim != 2 or loadings.shape[1] != factors:
            raise ValueError(f"loadings must have shape (n, {factors}), got {loadings.shape}")
        if not (np.all(np.isfinite(correlation)) and np.all(np.isfinite(loadings))):
            raise ValueError("correlations and loadings must be finite")
        if not np.allclose(correlation, correlation.T, rtol=0, atol=_MATRIX_TOLERANCE):
            raise ValueError("the correlation matrix must be symmetric")
        if not np.allclose(np.diag(correlation), 1.0, rtol=0, atol=_MATRIX_TOLERANCE):
            raise ValueError("the correlation matrix must have a unit diagonal")
        if factors and np.linalg.eigvalsh(correlation).min() < -_MATRIX_TOLERANCE:
            raise ValueError("the correlation matrix must be positive semi-definite")
        object.__setattr__(self, "correlation", correlation)
        object.__setattr__(self, "loadings", loadings)
        if np.any(self.systematic_share >= _LARGEST_SYSTEMATIC_SHARE):
            raise ValueError("each obligor's systematic variance bᵀΣb must be below 1")

    @property
    def factor_count(self) -> int:
        """Number of systematic factors F."""
        return len(self.factor_names)

    @property
    def cholesky(self) -> FloatArray:
        """Lower-triangular C with CCᵀ = Σ (a tiny ridge makes a semi-definite Σ factorable)."""
        if self.factor_count == 0:
            return np.zeros((0, 0))
        ridge = max(0.0, -float(np.linalg.eigvalsh(self.correlation).min())) + 1e-12
        factor = np.linalg.cholesky(self.correlation + ridge * np.eye(self.factor_count))
        return np.asarray(factor, dtype=np.float64)

    @property
    def independent_loadings(self) -> FloatArray:
        """a_i = Cᵀb_i: loadings on independent standard normal factors, shape (n, F)."""
        result: FloatArray = self.loadings @ self.cholesky
        return result

    @property
    def systematic_share(self) -> FloatArray:
        """b_iᵀΣb_i per obligor, shape (n,)."""
        share: FloatArray = np.einsum("if,fg,ig->i", self.loadings, self.correlation, self.loadings)
        return share


def copula_from_weights(
    portfolio: Portfolio,
    correlation: NDArray[Any] | list[list[float]],
    asset_correlation: float | None = None,
) -> GaussianCopula:
    """A copula on the portfolio's factors, with loadings from its factor weights.

    Without ``asset_correlation`` the weights are the loadings b_i themselves. With it, each obligor's
    weight vector is scaled so that b_iᵀΣb_i = ``asset_correlation`` (obligors with no weight stay
    independent).
    """
    weights = portfolio.weights
    correlation = np.asarray(correlation, dtype=np.float64)
    if asset_correlation is None:
        return GaussianCopula(correlation, weights.copy(), portfolio.factor_names)
    if not 0.0 <= asset_correlation < 1.0:
        raise ValueError("the asset correlation must lie in [0, 1)")
    if correlation.shape != (portfolio.factor_count, portfolio.factor_count):
        raise ValueError(f"the correlation matrix must be {portfolio.factor_count}×{portfolio.factor_count}")
    variance = np.einsum("if,fg,ig->i", weights, correlation, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(variance > 0, np.sqrt(asset_correlation / variance), 0.0)
    return GaussianCopula(correlation, weights * scale[:, None], portfolio.factor_names)


def label_loadings(
    labels: list[NDArray[np.str_]], loadings: list[float]
) -> tuple[FloatArray, tuple[str, ...]]:
    """One factor per distinct label of each label array, obligors loading ``loadings[j]`` on their own.

    For example ``label_loadings([countries, sectors], [0.4, 0.3])`` gives country and sector factors
    named ``"<label>"``; returns the loadings of shape (n, F) and the factor names.
    """
    if len(labels) != len(loadings):
        raise ValueError("one loading per label array")
    columns: list[FloatArray] = []
    names: list[str] = []
    for values, loading in zip(labels, loadings, strict=True):
        values = np.asarray(values, dtype=np.str_)
        distinct, index = np.unique(values, return_inverse=True)
        block = np.zeros((values.shape[0], distinct.shape[0]))
        block[np.arange(values.shape[0]), index] = loading
        columns.append(block)
        names.extend(str(name) for name in distinct)
    return np.hstack(columns), tuple(names)


def conditional_default_probability(
    thresholds: FloatArray,
    independent_loadings: FloatArray,
    idiosyncratic_sd: FloatArray,
    factors: FloatArray,
) -> FloatArray:
    """Φ((c − a·y)/s) for factor draws ``factors`` of shape (S, F); returns shape (S, n)."""
    result: FloatArray = special.ndtr(
        (thresholds[None, :] - factors @ independent_loadings.T) / idiosyncratic_sd
    )
    return result


@dataclass(frozen=True)
class CopulaClasses:
    """Obligors grouped by identical (threshold, loadings): each group shares one conditional PD.

    Attributes
    ----------
    thresholds : ndarray, shape (G,)
        Φ⁻¹(p) of each group (−inf for p = 0, +inf for p = 1).
    loadings : ndarray, shape (G, F)
        Loadings on the independent factors Y.
    idiosyncratic_sd : ndarray, shape (G,)
        √(1 − |a|²).
    obligor_class : ndarray of int64, shape (n,)
        The group of each obligor.
    """

    thresholds: FloatArray
    loadings: FloatArray
    idiosyncratic_sd: FloatArray
    obligor_class: IntArray


def copula_classes(pd: FloatArray, copula: GaussianCopula) -> CopulaClasses:
    """Group obligors that share a conditional default probability."""
    independent = copula.independent_loadings
    thresholds = special.ndtri(np.asarray(pd, dtype=np.float64))
    table = np.column_stack([thresholds, independent])
    distinct, inverse = _unique_rows(table)
    shares = np.clip(1.0 - np.sum(distinct[:, 1:] ** 2, axis=1), 1e-18, 1.0)
    return CopulaClasses(
        thresholds=np.ascontiguousarray(distinct[:, 0]),
        loadings=np.ascontiguousarray(distinct[:, 1:]),
        idiosyncratic_sd=np.sqrt(shares),
        obligor_class=inverse.reshape(-1).astype(np.int64),
    )


def _unique_rows(table: FloatArray) -> tuple[FloatArray, IntArray]:
    """Distinct rows (sorted) and each row's index among them, fast for many rows and few distinct values.

    Each column is coded by its distinct values, the codes are combined into one integer per row, and only
    that integer column is sorted: much faster than ``np.unique(axis=0)`` on a million rows.
    """
    codes = np.zeros(table.shape[0], dtype=np.int64)
    radix = 1
    for column in range(table.shape[1]):
        values, code = np.unique(table[:, column], return_inverse=True)
        if radix * values.shape[0] >= 2**62:
            distinct, inverse = np.unique(table, axis=0, return_inverse=True)
            return distinct, inverse.reshape(-1).astype(np.int64)
        codes = codes * values.shape[0] + code.reshape(-1)
        radix *= values.shape[0]
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return table[first], inverse.reshape(-1).astype(np.int64)
