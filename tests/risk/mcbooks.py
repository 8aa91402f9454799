"""Small books and copulas shared by the Monte Carlo tests."""

from __future__ import annotations

import numpy as np

from tradecover.risk.copula import GaussianCopula
from tradecover.risk.portfolio import Portfolio


def whole_unit_book(seed: int, obligors: int = 60, factors: int = 0) -> Portfolio:
    """A book whose losses are whole thousands, so Monte Carlo losses lie on a 1,000 grid exactly."""
    rng = np.random.default_rng(seed)
    raw = rng.dirichlet(np.ones(factors + 1), size=obligors)[:, 1:] if factors else np.zeros((obligors, 0))
    return Portfolio(
        ids=np.array([f"o{i}" for i in range(obligors)]),
        exposure=1000.0 * rng.integers(1, 15, size=obligors),
        pd=rng.choice([0.003, 0.01, 0.03], size=obligors),
        lgd=np.ones(obligors),
        weights=raw,
        factor_names=tuple(f"s{k}" for k in range(factors)),
        countries=rng.choice(np.array(["US", "DE", "CN"]), size=obligors),
        sectors=rng.choice(np.array(["electronics", "toys_leisure"]), size=obligors),
    )


def one_factor(book: Portfolio, loading: float = 0.45) -> GaussianCopula:
    """Every obligor loads ``loading`` on one factor."""
    return GaussianCopula(np.eye(1), np.full((book.size, 1), loading), ("all",))


def two_factors(book: Portfolio, seed: int = 0) -> GaussianCopula:
    """Two correlated factors (ρ = 0.4), each obligor on one of them with loading 0.3–0.6."""
    rng = np.random.default_rng(seed)
    loadings = np.zeros((book.size, 2))
    loadings[np.arange(book.size), rng.integers(0, 2, size=book.size)] = rng.uniform(0.3, 0.6, size=book.size)
    return GaussianCopula(np.array([[1.0, 0.4], [0.4, 1.0]]), loadings, ("US", "CN"))
