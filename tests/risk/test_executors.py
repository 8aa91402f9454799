"""The Dask executor gives exactly the in-process numbers, with one worker or two."""

from __future__ import annotations

import distributed
import numpy as np
import pytest
from tests.risk.mcbooks import two_factors, whole_unit_book

from tradecover.risk.executors import DaskExecutor
from tradecover.risk.montecarlo import simulate_credit_risk_plus, simulate_gaussian


@pytest.mark.slow
def test_results_on_a_dask_cluster_do_not_depend_on_the_number_of_workers_or_processes() -> None:
    book = whole_unit_book(31, obligors=40, factors=2)
    copula = two_factors(book)
    local = simulate_gaussian(book, copula, scenarios=4_000, seed=5, contributions=True)
    crp_local = simulate_credit_risk_plus(book, [0.5, 1.0], scenarios=2_000, seed=5)
    # One in-process worker, then two worker processes (the tasks and the book travel pickled).
    for workers, processes in ((1, False), (2, True)):
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            executor = DaskExecutor(client=client)
            steps: list[int] = []
            remote = simulate_gaussian(
                book, copula, scenarios=4_000, seed=5, contributions=True, chunk_size=700,
                executor=executor, progress=steps.append,
            )  # fmt: skip
            crp = simulate_credit_risk_plus(
                book, [0.5, 1.0], scenarios=2_000, seed=5, chunk_size=333, executor=executor
            )
        np.testing.assert_array_equal(remote.losses, local.losses)
        np.testing.assert_array_equal(remote.log_weights, local.log_weights)
        assert remote.measures == local.measures
        np.testing.assert_array_equal(remote.contributions[0.999].es, local.contributions[0.999].es)
        np.testing.assert_array_equal(crp.losses, crp_local.losses)
        assert sum(steps) == 4_000


def test_a_dask_executor_needs_exactly_one_of_address_and_client() -> None:
    with pytest.raises(ValueError, match="either"):
        DaskExecutor()
