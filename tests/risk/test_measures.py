"""Discrete loss measures: lower-quantile VaR, ES with the VaR atom split, CSFB percentiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecover.risk.creditriskplus import analytic_moments, credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.measures import (
    LossDistribution,
    expected_loss,
    expected_shortfall,
    interpolated_percentile,
    standard_deviation,
    value_at_risk,
)
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.reference import sector_by_sector

# Loss 0 w.p. 0.9, 10 w.p. 0.095, 20 w.p. 0.005 (unit 10, grid 0..2).
THREE_POINT = LossDistribution(probabilities=np.array([0.9, 0.095, 0.005]), unit=10.0)


def test_var_is_the_lower_quantile_on_the_grid() -> None:
    assert value_at_risk(THREE_POINT, 0.9) == 0.0
    assert value_at_risk(THREE_POINT, 0.95) == 10.0
    assert value_at_risk(THREE_POINT, 0.995) == 10.0
    assert value_at_risk(THREE_POINT, 0.996) == 20.0


def test_es_splits_the_atom_at_var() -> None:
    # Worst 1%: 0.5% at 20 and 0.5% of the 9.5% atom at 10 → mean 15.
    assert expected_shortfall(THREE_POINT, 0.99) == pytest.approx(15.0)
    # Worst 10%: 0.5% at 20 and 9.5% at 10 → (0.1 + 0.95)/0.1 = 10.5.
    assert expected_shortfall(THREE_POINT, 0.9) == pytest.approx(10.5)
    assert expected_shortfall(THREE_POINT, 0.999) == pytest.approx(20.0)


def test_moments_of_a_known_distribution() -> None:
    assert expected_loss(THREE_POINT) == pytest.approx(1.05)
    assert standard_deviation(THREE_POINT) == pytest.approx(np.sqrt(0.095 * 100 + 0.005 * 400 - 1.05**2))


def test_the_interpolated_percentile_draws_a_line_between_grid_points() -> None:
    # F(0) = 0.9, F(1) = 0.995: level 0.95 lies 0.05/0.095 of the way from 0 to 1 unit.
    assert interpolated_percentile(THREE_POINT, 0.95) == pytest.approx(10.0 * 0.05 / 0.095)
    assert interpolated_percentile(THREE_POINT, 0.5) == 0.0


@pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5])
def test_levels_outside_the_open_unit_interval_are_refused(level: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        value_at_risk(THREE_POINT, level)


def test_a_level_beyond_the_grids_mass_is_refused() -> None:
    truncated = LossDistribution(probabilities=np.array([0.5, 0.3]), unit=1.0, tail_bound=0.2)
    with pytest.raises(ValueError, match="grid holds only"):
        expected_shortfall(truncated, 0.9)


books = st.builds(
    lambda seed, n, k: (np.random.default_rng(seed), n, k),
    st.integers(0, 2**32 - 1),
    st.integers(1, 12),
    st.integers(1, 3),
)


@settings(max_examples=25, deadline=None)
@given(books, st.lists(st.floats(0.0, 3.0), min_size=3, max_size=3))
def test_small_random_books_match_the_reference_and_the_analytic_moments(
    book: tuple[np.random.Generator, int, int], variances: list[float]
) -> None:
    rng, n, k = book
    raw = rng.dirichlet(np.ones(k + 1), size=n)
    portfolio = Portfolio(
        ids=np.array([str(i) for i in range(n)]),
        exposure=rng.uniform(1.0, 30.0, size=n),
        pd=rng.uniform(0.0, 0.3, size=n),
        lgd=rng.uniform(0.0, 1.0, size=n),
        weights=raw[:, 1:],
        factor_names=tuple(str(i) for i in range(k)),
    )
    sector_variances = np.array(variances[:k])
    banding = discretise(portfolio, 1.0, preserve_expected_loss=bool(rng.integers(2)))
    distribution = credit_risk_plus(portfolio, sector_variances, banding).distribution
    p = distribution.probabilities
    assert distribution.tail_bound <= 1e-12
    np.testing.assert_allclose(
        p, sector_by_sector(portfolio, sector_variances, banding, p.shape[0]), atol=1e-13
    )
    mean, std = analytic_moments(portfolio, sector_variances, banding)
    assert expected_loss(distribution) == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert standard_deviation(distribution) == pytest.approx(std, rel=1e-7, abs=1e-9)
    for level in (0.99, 0.999):
        assert expected_shortfall(distribution, level) >= value_at_risk(distribution, level) - 1e-9
