"""The synthetic multi-factor book used by the Monte Carlo benchmarks."""

from __future__ import annotations

import numpy as np

from tradecover.risk.copula import GaussianCopula
from tradecover.risk.portfolio import Portfolio

COUNTRIES = ("US", "DE", "GB", "JP", "AU")
PD_GRADES = np.array([0.002, 0.005, 0.01, 0.02, 0.05])
ASSET_CORRELATIONS = np.array([0.1, 0.2, 0.3])
COUNTRY_CORRELATION = 0.5


def benchmark_book(obligors: int, seed: int = 2025) -> tuple[Portfolio, GaussianCopula]:
    """``obligors`` buyers in 5 countries (one factor each, pairwise correlation 0.5), 5 PD grades,
    asset correlation 0.1/0.2/0.3, lognormal exposures (median 100,000, σ = 1), LGD 45%."""
    rng = np.random.default_rng(seed)
    country = rng.integers(0, len(COUNTRIES), size=obligors)
    loadings = np.zeros((obligors, len(COUNTRIES)))
    loadings[np.arange(obligors), country] = np.sqrt(rng.choice(ASSET_CORRELATIONS, size=obligors))
    correlation = np.full((len(COUNTRIES), len(COUNTRIES)), COUNTRY_CORRELATION)
    np.fill_diagonal(correlation, 1.0)
    book = Portfolio(
        ids=np.char.add("b", np.arange(obligors).astype(str)),
        exposure=100_000.0 * rng.lognormal(0.0, 1.0, size=obligors),
        pd=rng.choice(PD_GRADES, size=obligors),
        lgd=np.full(obligors, 0.45),
        weights=np.zeros((obligors, 0)),
        factor_names=(),
        countries=np.array(COUNTRIES)[country],
    )
    return book, GaussianCopula(correlation, loadings, COUNTRIES)
