"""The compiled Monte Carlo kernels against their NumPy twins, and the random streams they read."""

from __future__ import annotations

import numpy as np
import pytest
from tests.risk.mcbooks import two_factors, whole_unit_book

from tradecover.risk.copula import copula_classes
from tradecover.risk.mckernels import (
    creditriskplus_chunk,
    creditriskplus_scenarios_numpy,
    gaussian_chunk,
    gaussian_contributions,
    gaussian_scenarios_numpy,
    solve_twist,
)
from tradecover.risk.streams import (
    STREAM_BLOCK,
    normal,
    normals_numpy,
    scenario_keys,
    uniform,
    uniforms_numpy,
)


def test_compiled_and_numpy_draws_are_the_same_numbers() -> None:
    key = scenario_keys(11, 5, 6)[0]
    counters = np.arange(0, 2000, 2, dtype=np.uint64)
    compiled_u = np.array([uniform(key, c) for c in counters])
    compiled_z = np.array([normal(key, c) for c in counters])
    np.testing.assert_array_equal(compiled_u, uniforms_numpy(key, counters))
    np.testing.assert_allclose(compiled_z, normals_numpy(key, counters), rtol=1e-14, atol=1e-14)
    assert compiled_u.min() >= 0.0
    assert compiled_u.max() < 1.0


def test_scenario_keys_do_not_depend_on_how_the_range_is_split() -> None:
    whole = scenario_keys(7, 0, 3 * STREAM_BLOCK + 5)
    pieces = np.concatenate(
        [scenario_keys(7, a, b) for a, b in [(0, 10), (10, 4100), (4100, 3 * STREAM_BLOCK + 5)]]
    )
    np.testing.assert_array_equal(whole, pieces)
    assert len(np.unique(whole)) == whole.shape[0]
    assert not np.array_equal(whole[:100], scenario_keys(8, 0, 100))


def test_draws_look_uniform_and_normal() -> None:
    counters = np.arange(200_000, dtype=np.uint64) * np.uint64(2)
    u = uniforms_numpy(np.uint64(12345), counters)
    z = normals_numpy(np.uint64(12345), counters)
    assert abs(u.mean() - 0.5) < 0.003
    assert abs(u.var() - 1 / 12) < 0.002
    assert abs(z.mean()) < 0.01
    assert abs(z.std() - 1.0) < 0.01


@pytest.mark.parametrize("twist", [False, True])
def test_the_gaussian_kernel_matches_its_numpy_twin(twist: bool) -> None:
    book = whole_unit_book(3, obligors=40)
    classes = copula_classes(book.pd, two_factors(book))
    keys = scenario_keys(5, 0, 300)
    shift = np.array([-1.5, -0.7])
    target = 60_000.0
    losses, log_weights = np.empty(300), np.empty(300)
    args = (shift, classes.thresholds, classes.loadings, classes.idiosyncratic_sd, classes.obligor_class)
    gaussian_chunk(keys, *args, book.loss_given_default, target, twist, losses, log_weights)
    twin_losses, twin_log_weights, defaults = gaussian_scenarios_numpy(
        keys, *args, book.loss_given_default, target, twist
    )
    np.testing.assert_allclose(losses, twin_losses, rtol=1e-12)
    np.testing.assert_allclose(log_weights, twin_log_weights, rtol=1e-9, atol=1e-9)
    assert losses.max() > 0
    coefficients = np.column_stack([np.ones(300), np.linspace(0, 1, 300)])
    out = np.zeros((book.size, 2))
    gaussian_contributions(keys, coefficients, *args, book.loss_given_default, target, twist, out)
    expected = (defaults.T * book.loss_given_default[:, None]) @ coefficients
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_the_twist_reaches_its_target_mean() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.001, 0.05, size=500)
    loss = rng.uniform(1, 100, size=500)
    target = 3.0 * float(np.dot(p, loss))
    theta = solve_twist(p, loss, target)
    q = p * np.exp(theta * loss) / (1 + p * (np.exp(theta * loss) - 1))
    assert theta > 0
    assert float(np.dot(q, loss)) == pytest.approx(target, rel=1e-4)  # the solver stops at 1e-4
    assert solve_twist(p, loss, 0.5 * float(np.dot(p, loss))) == 0.0


@pytest.mark.parametrize("bernoulli", [False, True])
def test_the_creditriskplus_kernel_matches_its_numpy_twin(bernoulli: bool) -> None:
    book = whole_unit_book(4, obligors=50, factors=2)
    keys = scenario_keys(9, 0, 400)
    variances = np.array([0.8, 2.5])
    # Large intensities exercise the Poisson pieces beyond a mean of 30.
    pd = np.where(np.arange(book.size) < 3, 40.0, book.pd)
    losses = np.empty(400)
    args = (variances, book.specific_weight, book.weights, pd, book.loss_given_default, bernoulli)
    creditriskplus_chunk(keys, *args, losses)
    np.testing.assert_allclose(losses, creditriskplus_scenarios_numpy(keys, *args), rtol=1e-12)
