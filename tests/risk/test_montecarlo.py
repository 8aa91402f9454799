"""Monte Carlo against exact answers: independent obligors, the one-factor exact method, importance
sampling against plain sampling, contributions, and reproducibility for any chunking and executor."""

from __future__ import annotations

import itertools
import math
import tracemalloc

import numpy as np
import pytest
from scipy import integrate, special
from tests.risk.mcbooks import one_factor, two_factors, whole_unit_book

from tradecover.risk.copula import GaussianCopula, copula_from_weights
from tradecover.risk.discretisation import discretise
from tradecover.risk.execution import InProcessExecutor
from tradecover.risk.mcmeasures import MonteCarloMeasures, aggregate_by_label, sample_measures
from tradecover.risk.measures import LossDistribution, expected_shortfall, risk_measures, value_at_risk
from tradecover.risk.montecarlo import ImportanceSampling, plan_importance_sampling, simulate_gaussian
from tradecover.risk.onefactor import one_factor_contributions, one_factor_distribution
from tradecover.risk.reference import independent_bernoulli_convolution

LEVELS = (0.99, 0.999)


def assert_within_3_se(measures: MonteCarloMeasures, exact: LossDistribution) -> None:
    """EL, and ES and VaR at each level, within three batch-means standard errors of the exact values."""
    truth = risk_measures(exact, LEVELS)
    checks = [(measures.expected_loss, truth.expected_loss)]
    checks += [(measures.es[level], truth.es[level]) for level in LEVELS]
    for estimate, value in checks:
        assert abs(estimate.value - value) <= 3 * estimate.standard_error, (estimate, value)
    for level in LEVELS:
        # VaR is a grid point; allow one unit beyond the 3 SE band for the discreteness.
        estimate = measures.var[level]
        assert abs(estimate.value - truth.var[level]) <= 3 * estimate.standard_error + exact.unit


def test_the_one_factor_method_equals_brute_force_integration_over_the_factor() -> None:
    book = whole_unit_book(1, obligors=4)
    copula = GaussianCopula(np.eye(1), np.array([[0.3], [0.5], [0.6], [0.2]]), ("all",))
    banding = discretise(book, 1000.0)
    exact = one_factor_distribution(book, copula, banding, nodes=300)
    thresholds = special.ndtri(book.pd)
    loadings = copula.loadings[:, 0]
    reference = np.zeros(int(banding.units.sum()) + 1)
    for pattern in itertools.product([0, 1], repeat=4):
        d = np.array(pattern, dtype=bool)

        def density(z: float, d: np.ndarray = d) -> float:
            p = special.ndtr((thresholds - loadings * z) / np.sqrt(1 - loadings**2))
            return float(np.prod(np.where(d, p, 1 - p))) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

        reference[int(banding.units[d].sum())] += integrate.quad(density, -12, 12, epsabs=1e-14, limit=200)[0]
    np.testing.assert_allclose(exact.probabilities, reference, rtol=0, atol=1e-12)


def test_with_zero_loadings_the_one_factor_method_is_the_exact_independent_convolution() -> None:
    book = whole_unit_book(2, obligors=30)
    copula = GaussianCopula(np.eye(1), np.zeros((book.size, 1)), ("all",))
    banding = discretise(book, 1000.0)
    exact = one_factor_distribution(book, copula, banding)
    reference = independent_bernoulli_convolution(banding.units, book.pd, exact.probabilities.shape[0])
    np.testing.assert_allclose(exact.probabilities, reference, rtol=0, atol=1e-13)


def test_plain_monte_carlo_of_independent_obligors_matches_the_exact_convolution() -> None:
    book = whole_unit_book(3, obligors=60)
    copula = GaussianCopula(np.eye(1), np.zeros((book.size, 1)), ("all",))
    banding = discretise(book, 1000.0)
    exact = LossDistribution(
        independent_bernoulli_convolution(banding.units, book.pd, int(banding.units.sum()) + 1), 1000.0
    )
    result = simulate_gaussian(book, copula, scenarios=60_000, seed=1, importance=None, levels=LEVELS)
    assert_within_3_se(result.measures, exact)


@pytest.mark.parametrize("importance", [None, "auto"])
def test_one_factor_monte_carlo_is_within_3_standard_errors_of_the_exact_method(
    importance: str | None,
) -> None:
    book = whole_unit_book(4, obligors=80)
    copula = one_factor(book)
    exact = one_factor_distribution(book, copula, discretise(book, 1000.0))
    result = simulate_gaussian(book, copula, scenarios=40_000, seed=2, importance=importance, levels=LEVELS)  # type: ignore[arg-type]
    assert_within_3_se(result.measures, exact)


def test_importance_sampling_agrees_with_plain_sampling_and_is_far_more_precise_in_the_tail() -> None:
    book = whole_unit_book(5, obligors=80)
    copula = two_factors(book)
    plain = simulate_gaussian(
        book, copula, scenarios=100_000, seed=13, importance=None, levels=LEVELS
    ).measures
    tilted = simulate_gaussian(book, copula, scenarios=20_000, seed=14, levels=LEVELS).measures
    for level in LEVELS:
        a, b = plain.es[level], tilted.es[level]
        assert abs(a.value - b.value) <= 3 * math.hypot(a.standard_error, b.standard_error)
    assert tilted.es[0.999].standard_error < plain.es[0.999].standard_error / 3


def test_a_shift_and_twist_leave_the_probability_of_a_tail_event_unbiased() -> None:
    book = whole_unit_book(6, obligors=50)
    copula = two_factors(book, seed=1)
    plan = ImportanceSampling(shift=np.array([-1.0, -0.5]), target=40_000.0, twist=True)
    tilted = simulate_gaussian(book, copula, scenarios=20_000, seed=5, importance=plan, levels=LEVELS)
    plain = simulate_gaussian(book, copula, scenarios=20_000, seed=6, importance=None, levels=LEVELS)
    threshold = 30_000.0
    estimates = []
    for result in (tilted, plain):
        samples = result.weights * (result.losses > threshold)
        batches = samples.reshape(20, -1).mean(axis=1)
        estimates.append((samples.mean(), batches.std(ddof=1) / math.sqrt(20)))
    (a, sa), (b, sb) = estimates
    assert abs(a - b) <= 3 * math.hypot(sa, sb)
    assert b > 0.005


def test_the_planned_shift_points_towards_defaults() -> None:
    book = whole_unit_book(7, obligors=50)
    plan = plan_importance_sampling(book, two_factors(book), 0.999, seed=0)
    assert np.all(plan.shift < 0)  # default means a low latent variable
    assert plan.target > book.expected_loss


def test_contributions_sum_to_es_and_var_and_aggregate_by_any_label() -> None:
    book = whole_unit_book(8, obligors=60)
    result = simulate_gaussian(
        book, two_factors(book), scenarios=8_000, seed=7, levels=LEVELS, contributions=True
    )
    for level in LEVELS:
        tail = result.contributions[level]
        assert tail.es.sum() == pytest.approx(result.measures.es[level].value, rel=1e-10)
        assert tail.var.sum() == pytest.approx(result.measures.var[level].value, rel=1e-10)
        assert np.all(tail.es >= 0)
        assert book.countries is not None
        assert book.sectors is not None
        for labels in (
            book.countries,
            book.sectors,
            np.where(np.arange(book.size) % 2 == 0, "insurer-a", "insurer-b"),
        ):
            assert sum(aggregate_by_label(tail.es, labels).values()) == pytest.approx(
                tail.es.sum(), rel=1e-12
            )


def test_es_contributions_estimate_the_exact_conditional_expectation() -> None:
    # Independent obligors: E[L_i | L > x] can be computed exactly by convolving the others.
    book = whole_unit_book(9, obligors=12)
    copula = GaussianCopula(np.eye(1), np.zeros((book.size, 1)), ("all",))
    result = simulate_gaussian(
        book, copula, scenarios=100_000, seed=8, importance=None, levels=(0.99,), contributions=True
    )
    var_units = round(result.measures.var[0.99].value / 1000)
    units = (book.loss_given_default / 1000).astype(np.int64)
    length = int(units.sum()) + 1
    full = independent_bernoulli_convolution(units, book.pd, length)
    exact_tail = np.empty(book.size)
    for i in range(book.size):
        others = independent_bernoulli_convolution(np.delete(units, i), np.delete(book.pd, i), length)
        # P(D_i = 1, L > VaR) = p_i · P(L_others > VaR − ν_i).
        exact_tail[i] = book.pd[i] * others[max(var_units - units[i] + 1, 0) :].sum()
    beyond = full[var_units + 1 :].sum()
    estimate = result.contributions[0.99].es
    # Compare the part of ES above VaR, where the sample is plentiful: within 10% for the main names.
    main = book.loss_given_default * exact_tail / beyond > 0.05 * result.measures.es[0.99].value
    assert main.any()
    above = estimate / estimate.sum()
    truth = book.loss_given_default * exact_tail / np.dot(book.loss_given_default, exact_tail)
    np.testing.assert_allclose(above[main], truth[main], rtol=0.1)


def test_a_seed_gives_identical_results_for_any_chunk_size_and_number_of_threads() -> None:
    book = whole_unit_book(10, obligors=40)
    copula = two_factors(book)
    runs = [
        simulate_gaussian(
            book, copula, scenarios=5_000, seed=11, chunk_size=size, executor=executor, contributions=True
        )
        for size, executor in [(5_000, None), (317, None), (1_000, InProcessExecutor(workers=2))]
    ]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0].losses, other.losses)
        np.testing.assert_array_equal(runs[0].log_weights, other.log_weights)
        assert runs[0].measures == other.measures
        for level in runs[0].contributions:
            np.testing.assert_array_equal(runs[0].contributions[level].es, other.contributions[level].es)
            np.testing.assert_array_equal(runs[0].contributions[level].var, other.contributions[level].var)
    different = simulate_gaussian(book, copula, scenarios=5_000, seed=12)
    assert not np.array_equal(runs[0].losses, different.losses)


def test_sample_measures_equal_the_grid_measures_of_the_empirical_distribution() -> None:
    rng = np.random.default_rng(0)
    losses = rng.poisson(3.0, size=999).astype(np.float64)  # many ties: atoms at every VaR
    grid = LossDistribution(np.bincount(losses.astype(np.int64)) / losses.shape[0], unit=1.0)
    truth = risk_measures(grid, (0.9, 0.99, 0.995))
    estimate = sample_measures(losses, np.ones_like(losses), (0.9, 0.99, 0.995))
    assert estimate.var == truth.var
    for level in truth.es:
        assert estimate.es[level] == pytest.approx(truth.es[level], rel=1e-12)
    assert estimate.expected_loss == pytest.approx(truth.expected_loss, rel=1e-12)


def test_a_copula_refuses_a_correlation_matrix_that_is_not_positive_semi_definite() -> None:
    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(ValueError, match="positive semi-definite"):
        GaussianCopula(bad, np.zeros((2, 3)), ("a", "b", "c"))
    with pytest.raises(ValueError, match="symmetric"):
        GaussianCopula(np.array([[1.0, 0.2], [0.1, 1.0]]), np.zeros((2, 2)), ("a", "b"))
    with pytest.raises(ValueError, match="below 1"):
        GaussianCopula(np.eye(2), np.array([[0.8, 0.7]]), ("a", "b"))


def test_scaling_weights_to_an_asset_correlation_gives_that_systematic_share() -> None:
    book = whole_unit_book(11, obligors=10, factors=3)
    correlation = np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]])
    copula = copula_from_weights(book, correlation, asset_correlation=0.25)
    np.testing.assert_allclose(copula.systematic_share, 0.25)


def test_memory_does_not_grow_with_scenarios_times_obligors() -> None:
    book = whole_unit_book(12, obligors=2_000)
    copula = two_factors(book)
    simulate_gaussian(book, copula, scenarios=200, seed=0)  # compile and warm caches first
    # The planner's pilot scratch is bounded by a constant (about 8 MB per array); measure the simulation.
    plan = plan_importance_sampling(book, copula, 0.999, seed=1)
    tracemalloc.start()
    try:
        simulate_gaussian(book, copula, scenarios=20_000, seed=1, importance=plan, contributions=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A dense scenarios × obligors array of booleans alone would take 40 MB.
    assert peak < 10_000_000


def test_one_factor_contributions_equal_brute_force_integration_and_add_up_to_var_and_es() -> None:
    book = whole_unit_book(1, obligors=4)
    copula = GaussianCopula(np.eye(1), np.array([[0.3], [0.5], [0.6], [0.2]]), ("all",))
    banding = discretise(book, 1000.0)
    level = 0.99
    var, es = one_factor_contributions(book, copula, banding, level, nodes=300)
    exact = one_factor_distribution(book, copula, banding, nodes=300)
    assert es.sum() == pytest.approx(expected_shortfall(exact, level), rel=1e-9)
    assert var.sum() == pytest.approx(value_at_risk(exact, level), rel=1e-9)
    # E[D_i·1{L = x}] by integrating every default pattern over the factor.
    thresholds = special.ndtri(book.pd)
    loadings = copula.loadings[:, 0]
    length = int(banding.units.sum()) + 1
    joint = np.zeros((book.size, length))
    for pattern in itertools.product([0, 1], repeat=4):
        d = np.array(pattern, dtype=bool)

        def density(z: float, d: np.ndarray = d) -> float:
            p = special.ndtr((thresholds - loadings * z) / np.sqrt(1 - loadings**2))
            return float(np.prod(np.where(d, p, 1 - p))) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

        mass = integrate.quad(density, -12, 12, epsabs=1e-14, limit=200)[0]
        joint[d, int(banding.units[d].sum())] += mass
    cdf = np.cumsum(exact.probabilities)
    v = int(np.searchsorted(cdf, level, side="left"))
    split = (cdf[v] - level) / exact.probabilities[v]
    loss = banding.units * banding.unit
    expected_es = loss * (joint[:, v + 1 :].sum(axis=1) + joint[:, v] * split) / (1 - level)
    np.testing.assert_allclose(es, expected_es, rtol=1e-8, atol=1e-6)
    np.testing.assert_allclose(var, loss * joint[:, v] / exact.probabilities[v], rtol=1e-8, atol=1e-6)
