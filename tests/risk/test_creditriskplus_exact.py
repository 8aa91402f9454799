"""The FFT engine against exact answers: convolutions, Panjer recursions, analytic moments, tail bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from tradecover.risk.contributions import standard_deviation_contributions, tail_contributions
from tradecover.risk.creditriskplus import (
    analytic_moments,
    band_book,
    credit_risk_plus,
    loss_distribution_fft,
)
from tradecover.risk.discretisation import discretise
from tradecover.risk.kernels import band_intensities, band_intensities_numpy
from tradecover.risk.measures import expected_loss, expected_shortfall, standard_deviation, value_at_risk
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.reference import independent_poisson_convolution, panjer_one_sector, sector_by_sector


def random_book(seed: int, obligors: int = 40, sectors: int = 3) -> Portfolio:
    """A small book with fractional weights and a specific remainder."""
    rng = np.random.default_rng(seed)
    raw = rng.dirichlet(np.ones(sectors + 1), size=obligors)
    return Portfolio(
        ids=np.array([f"b{i}" for i in range(obligors)]),
        exposure=rng.uniform(1_000, 50_000, size=obligors),
        pd=rng.uniform(0.001, 0.2, size=obligors),
        lgd=rng.uniform(0.2, 1.0, size=obligors),
        weights=raw[:, 1:],
        factor_names=tuple(f"s{k}" for k in range(sectors)),
    )


def test_zero_variances_give_the_exact_convolution_of_independent_obligors() -> None:
    book = random_book(1)
    banding = discretise(book, 2_000.0)
    result = credit_risk_plus(book, [0.0, 0.0, 0.0], banding)
    length = result.distribution.probabilities.shape[0]
    exact = independent_poisson_convolution(banding.units, banding.pd, length)
    np.testing.assert_allclose(
        result.distribution.probabilities, exact, rtol=0, atol=1e-14
    )  # FFT round-off is a few ulp of the largest value


def test_zero_variances_equal_the_poisson_compound_by_panjer() -> None:
    book = random_book(2)
    banding = discretise(book, 1_500.0)
    result = credit_risk_plus(book, [0.0, 0.0, 0.0], banding)
    length = result.distribution.probabilities.shape[0]
    poisson = panjer_one_sector(banding.units, banding.pd, 0.0, length)
    np.testing.assert_allclose(
        result.distribution.probabilities, poisson, rtol=0, atol=1e-14
    )  # FFT round-off is a few ulp of the largest value


def test_a_vanishing_sector_variance_tends_to_the_poisson_model() -> None:
    book = random_book(3)
    banding = discretise(book, 1_500.0)
    poisson = credit_risk_plus(book, [0.0, 0.0, 0.0], banding).distribution.probabilities
    nearly = credit_risk_plus(book, [1e-9, 1e-9, 1e-9], banding, grid_minimum=poisson.shape[0])
    np.testing.assert_allclose(nearly.distribution.probabilities[: poisson.shape[0]], poisson, atol=1e-9)


def test_the_one_sector_panjer_reference_is_the_negative_binomial_for_unit_losses() -> None:
    units = np.ones(5, dtype=np.int64)
    intensities = np.array([0.1, 0.2, 0.3, 0.15, 0.05])
    variance = 0.7
    mean = intensities.sum()
    recursion = panjer_one_sector(units, intensities, variance, 60)
    shape = 1 / variance
    closed = stats.nbinom.pmf(np.arange(60), shape, 1 / (1 + variance * mean))
    np.testing.assert_allclose(recursion, closed, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("variances", [[0.25, 0.25, 0.25], [1.5, 0.0, 0.4], [4.0, 2.0, 0.01]])
def test_the_fft_matches_the_sector_by_sector_recursion(variances: list[float]) -> None:
    book = random_book(4)
    banding = discretise(book, 1_000.0, preserve_expected_loss=True)
    result = credit_risk_plus(book, variances, banding)
    probabilities = result.distribution.probabilities
    reference = sector_by_sector(book, np.array(variances), banding, probabilities.shape[0])
    np.testing.assert_allclose(probabilities, reference, rtol=0, atol=1e-14)


def test_the_distribution_has_the_analytic_mean_and_standard_deviation() -> None:
    book = random_book(5, obligors=60)
    variances = [0.8, 0.3, 1.2]
    banding = discretise(book, 800.0)
    distribution = credit_risk_plus(book, variances, banding).distribution
    mean, std = analytic_moments(book, variances, banding)
    assert expected_loss(distribution) == pytest.approx(mean, rel=1e-10)
    assert standard_deviation(distribution) == pytest.approx(std, rel=1e-9)


def test_the_grid_holds_all_but_the_reported_tail_bound() -> None:
    book = random_book(6)
    variances = np.array([2.0, 1.0, 0.5])
    banding = discretise(book, 1_000.0)
    tolerance = 1e-10
    result = credit_risk_plus(book, variances, banding, tail_tolerance=tolerance)
    probabilities = result.distribution.probabilities
    assert result.distribution.tail_bound <= tolerance
    long = loss_distribution_fft(result.book, banding.unit, 8 * probabilities.shape[0]).probabilities
    true_tail = long[probabilities.shape[0] :].sum()
    assert true_tail <= result.distribution.tail_bound
    # Aliasing folds exactly that tail back onto the grid; nothing else differs.
    assert np.max(np.abs(long[: probabilities.shape[0]] - probabilities)) <= result.distribution.tail_bound
    assert 1.0 - probabilities.sum() <= result.distribution.tail_bound + 1e-14


def test_a_tighter_tolerance_makes_a_longer_grid() -> None:
    book = random_book(7)
    banding = discretise(book, 1_000.0)
    loose = credit_risk_plus(book, [1.0, 1.0, 1.0], banding, tail_tolerance=1e-4)
    tight = credit_risk_plus(book, [1.0, 1.0, 1.0], banding, tail_tolerance=1e-14)
    assert tight.distribution.probabilities.shape[0] > loose.distribution.probabilities.shape[0]
    assert tight.distribution.tail_bound <= 1e-14 < loose.distribution.tail_bound


def test_half_up_banding_rounds_to_nearest_and_keeps_small_losses_at_one_unit() -> None:
    book = Portfolio(
        ids=np.array(["a", "b", "c", "d"]),
        exposure=np.array([250.0, 149.0, 10.0, 0.0]),
        pd=np.full(4, 0.1),
        lgd=np.ones(4),
        weights=np.zeros((4, 0)),
        factor_names=(),
    )
    banding = discretise(book, 100.0)
    assert banding.units.tolist() == [3, 1, 1, 0]
    assert discretise(book, 100.0, rounding="up").units.tolist() == [3, 2, 1, 0]


def test_rescaling_the_pd_preserves_the_expected_loss_exactly() -> None:
    book = random_book(8)
    banding = discretise(book, 3_333.0, preserve_expected_loss=True)
    assert banding.expected_loss == pytest.approx(book.expected_loss, rel=1e-13)
    assert discretise(book, 3_333.0).expected_loss != pytest.approx(book.expected_loss, rel=1e-6)


def test_the_compiled_banding_kernel_equals_its_numpy_twin() -> None:
    book = random_book(9, obligors=500, sectors=4)
    banding = discretise(book, 500.0)
    gamma_row = np.array([1, 0, 2, 3], dtype=np.int64)
    length = int(banding.units.max()) + 1
    compiled = band_intensities(banding.units, banding.pd, book.weights, gamma_row, length)
    twin = band_intensities_numpy(banding.units, banding.pd, book.weights, gamma_row, length)
    np.testing.assert_allclose(compiled, twin, rtol=1e-12, atol=1e-15)


def test_band_book_pools_zero_variance_sectors_with_the_specific_share() -> None:
    book = random_book(10)
    banding = discretise(book, 1_000.0)
    banded = band_book(book, banding, np.array([0.0, 0.5, 0.0]))
    assert banded.gamma.shape[0] == 1
    assert banded.poisson.sum() + banded.gamma.sum() == pytest.approx(banding.pd.sum(), rel=1e-12)


def test_contributions_add_up_to_the_standard_deviation_var_and_es() -> None:
    book = random_book(11)
    variances = [0.6, 0.0, 1.3]
    banding = discretise(book, 1_000.0)
    result = credit_risk_plus(book, variances, banding)
    distribution = result.distribution
    assert standard_deviation_contributions(book, variances, banding).sum() == pytest.approx(
        analytic_moments(book, variances, banding)[1], rel=1e-12
    )
    for level in (0.99, 0.995, 0.999):
        var_parts, es_parts = tail_contributions(book, variances, result, level)
        assert var_parts.sum() == pytest.approx(value_at_risk(distribution, level), rel=1e-9)
        assert es_parts.sum() == pytest.approx(expected_shortfall(distribution, level), rel=1e-9)
        assert np.all(es_parts >= 0)


def test_es_contributions_equal_conditional_expectations_from_a_brute_force_mixture() -> None:
    # One sector and two obligors: E[L_A | L ≥ x] by integrating the gamma factor numerically.
    book = Portfolio(
        ids=np.array(["a", "b"]),
        exposure=np.array([1.0, 2.0]),
        pd=np.array([0.3, 0.2]),
        lgd=np.ones(2),
        weights=np.array([[1.0], [0.5]]),
        factor_names=("s",),
    )
    variance = 0.5
    banding = discretise(book, 1.0)
    result = credit_risk_plus(book, [variance], banding, tail_tolerance=1e-14)
    length = result.distribution.probabilities.shape[0]
    level = 0.99
    _, es_parts = tail_contributions(book, [variance], result, level)
    nodes, node_weights = np.polynomial.laguerre.laggauss(150)
    shape = 1 / variance
    # Gamma(shape, scale=variance) density over Laguerre weight e^{-y}, with s = variance·y.
    factor = variance * nodes
    density = nodes ** (shape - 1) / math.gamma(shape)
    joint = np.zeros((2, length))  # E[N_A·1{L = x}] for each obligor
    total = np.zeros(length)
    for s, w in zip(factor, node_weights * density, strict=True):
        rates = banding.pd * (book.specific_weight + book.weights[:, 0] * s)
        conditional = independent_poisson_convolution(banding.units, rates, length)
        total += w * conditional
        for a in range(2):
            nu = int(banding.units[a])
            # For Poisson N_A: E[N_A·1{L = x}] = λ_A·P(L = x − ν_A).
            joint[a, nu:] += w * rates[a] * conditional[: length - nu]
    np.testing.assert_allclose(total, result.distribution.probabilities, atol=1e-10)
    cdf = np.cumsum(total)
    var_units = int(np.searchsorted(cdf, level))
    split = (cdf[var_units] - level) / total[var_units]
    expected = [
        banding.units[a] * (joint[a, var_units + 1 :].sum() + joint[a, var_units] * split) / (1 - level)
        for a in range(2)
    ]
    np.testing.assert_allclose(es_parts, expected, rtol=1e-7)


def test_an_obligor_with_no_loss_leaves_the_distribution_as_the_recursion_gives_it() -> None:
    # Found by Hypothesis: the reference recursion must not count zero-unit defaults as claims.
    book = Portfolio(
        ids=np.array(["a", "b"]),
        exposure=np.array([10.0, 2.0]),
        pd=np.array([0.2, 0.3]),
        lgd=np.array([0.0, 1.0]),
        weights=np.array([[0.7], [0.5]]),
        factor_names=("0",),
    )
    banding = discretise(book, 1.0)
    distribution = credit_risk_plus(book, [1.5], banding).distribution.probabilities
    reference = sector_by_sector(book, np.array([1.5]), banding, distribution.shape[0])
    np.testing.assert_allclose(distribution, reference, rtol=0, atol=1e-14)
    assert reference.sum() == pytest.approx(1.0, abs=1e-12)


def test_a_subnormal_sector_variance_gives_the_poisson_answer_in_the_reference_too() -> None:
    # Found by Hypothesis: log1p(v·μ)/v is 0 for v = 5e-324, so the reference needs the series.
    book = random_book(3, obligors=5, sectors=1)
    banding = discretise(book, 2_000.0)
    distribution = credit_risk_plus(book, [5e-324], banding).distribution.probabilities
    reference = sector_by_sector(book, np.array([5e-324]), banding, distribution.shape[0])
    np.testing.assert_allclose(distribution, reference, rtol=0, atol=1e-14)
