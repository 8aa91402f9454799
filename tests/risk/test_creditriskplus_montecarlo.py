"""CreditRisk+ by Monte Carlo against the analytic engine: zero variances, moments, the distribution."""

from __future__ import annotations

import numpy as np
import pytest
from tests.risk.mcbooks import whole_unit_book

from tradecover.risk.contributions import tail_contributions
from tradecover.risk.creditriskplus import analytic_moments, credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.mcmeasures import MonteCarloMeasures
from tradecover.risk.measures import LossDistribution, risk_measures
from tradecover.risk.montecarlo import simulate_credit_risk_plus
from tradecover.risk.reference import independent_poisson_convolution

LEVELS = (0.99, 0.999)


def within_3_se(result_measures: MonteCarloMeasures, exact: LossDistribution) -> None:
    truth = risk_measures(exact, LEVELS)
    pairs = [(result_measures.expected_loss, truth.expected_loss), (result_measures.std, truth.std)]
    pairs += [(result_measures.es[level], truth.es[level]) for level in LEVELS]
    for estimate, value in pairs:
        assert abs(estimate.value - value) <= 3 * estimate.standard_error, (estimate, value)


def test_with_zero_variances_monte_carlo_matches_the_independent_poisson_convolution() -> None:
    book = whole_unit_book(21, obligors=50, factors=2)
    banding = discretise(book, 1000.0)
    exact = LossDistribution(independent_poisson_convolution(banding.units, banding.pd, 600), 1000.0)
    result = simulate_credit_risk_plus(
        book, [0.0, 0.0], scenarios=40_000, seed=1, banding=banding, levels=LEVELS
    )
    within_3_se(result.measures, exact)


def test_monte_carlo_matches_the_analytic_moments_and_distribution() -> None:
    book = whole_unit_book(22, obligors=60, factors=2)
    banding = discretise(book, 1000.0)
    variances = [0.6, 1.5]
    mean, sd = analytic_moments(book, variances, banding)
    exact = credit_risk_plus(book, variances, banding).distribution
    assert risk_measures(exact).expected_loss == pytest.approx(mean)
    result = simulate_credit_risk_plus(
        book, variances, scenarios=60_000, seed=2, banding=banding, levels=LEVELS
    )
    within_3_se(result.measures, exact)
    assert abs(result.measures.std.value - sd) <= 3 * result.measures.std.standard_error


def test_bernoulli_defaults_never_count_an_obligor_twice_and_keep_the_expected_loss() -> None:
    book = whole_unit_book(23, obligors=20, factors=1)
    result = simulate_credit_risk_plus(
        book, [0.0], scenarios=20_000, seed=3, defaults="bernoulli", levels=LEVELS
    )
    assert result.losses.max() <= book.loss_given_default.sum()
    estimate = result.measures.expected_loss
    assert abs(estimate.value - book.expected_loss) <= 3 * estimate.standard_error
    poisson = simulate_credit_risk_plus(book, [0.0], scenarios=20_000, seed=3, levels=LEVELS)
    assert poisson.losses.max() > result.losses.max() or np.any(poisson.losses != result.losses)


def test_monte_carlo_euler_contributions_match_the_analytic_ones() -> None:
    book = whole_unit_book(24, obligors=40, factors=2)
    banding = discretise(book, 1000.0)
    variances = [0.6, 1.5]
    exact = credit_risk_plus(book, variances, banding)
    level = 0.99
    _, analytic = tail_contributions(book, variances, exact, level)
    result = simulate_credit_risk_plus(
        book, variances, scenarios=60_000, seed=5, banding=banding, levels=(level,), contributions=True
    )
    estimate = result.contributions[level].es
    # The Euler ES contributions add up to the estimated ES exactly, and are never negative.
    assert estimate.sum() == pytest.approx(result.measures.es[level].value, rel=1e-10)
    assert np.all(estimate >= 0)
    assert result.contributions[level].var.sum() == pytest.approx(result.measures.var[level].value, rel=1e-10)
    # Shares of ES: each obligor carrying over 4% of it within 15%, each sector within 5% of the analytic.
    main = analytic / analytic.sum() > 0.04
    assert main.sum() >= 5
    np.testing.assert_allclose(
        (estimate / estimate.sum())[main], (analytic / analytic.sum())[main], rtol=0.15
    )
    sectors = book.weights.argmax(axis=1)
    for k in range(2):
        share, truth = (
            estimate[sectors == k].sum() / estimate.sum(),
            analytic[sectors == k].sum() / analytic.sum(),
        )
        assert share == pytest.approx(truth, rel=0.05)


def test_monte_carlo_contributions_are_the_same_for_any_chunk_size() -> None:
    book = whole_unit_book(25, obligors=30, factors=2)
    banding = discretise(book, 1000.0)
    runs = [
        simulate_credit_risk_plus(
            book, [0.5, 1.0], scenarios=4_000, seed=6, banding=banding, levels=(0.99,), contributions=True,
            chunk_size=size,
        )
        for size in (64, 500, 4_000)
    ]  # fmt: skip
    for other in runs[1:]:
        np.testing.assert_array_equal(other.contributions[0.99].es, runs[0].contributions[0.99].es)
