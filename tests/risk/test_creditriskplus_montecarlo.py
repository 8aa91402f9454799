"""CreditRisk+ by Monte Carlo against the analytic engine: zero variances, moments, the distribution."""

from __future__ import annotations

import numpy as np
import pytest
from tests.risk.mcbooks import whole_unit_book

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
