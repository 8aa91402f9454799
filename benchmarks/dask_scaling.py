"""Dask scaling: the same Monte Carlo run on a local cluster of 1 worker and of 2 workers (processes, one
thread each); prints both times and the speed-up, and checks that the results are identical.

    .venv/bin/python benchmarks/dask_scaling.py [--obligors 10000] [--scenarios 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import distributed
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mcbook import benchmark_book

from tradecover.risk.executors import DaskExecutor
from tradecover.risk.montecarlo import plan_importance_sampling, simulate_gaussian

LEVEL = 0.999


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--obligors", type=int, default=10_000)
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=2_000)
    args = parser.parse_args()
    book, copula = benchmark_book(args.obligors)
    plan = plan_importance_sampling(book, copula, LEVEL, seed=1)
    times: dict[int, float] = {}
    losses: dict[int, np.ndarray] = {}
    start = time.perf_counter()
    simulate_gaussian(
        book, copula, scenarios=args.scenarios, seed=1, importance=plan, chunk_size=args.chunk_size
    )
    print(f"in process (calling thread): {time.perf_counter() - start:.2f} s")
    for workers in (1, 2):
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            executor = DaskExecutor(client=client)
            # Warm-up: load the compiled kernels in every worker.
            simulate_gaussian(
                book,
                copula,
                scenarios=4 * workers * 100,
                seed=0,
                importance=plan,
                chunk_size=100,
                executor=executor,
            )
            start = time.perf_counter()
            result = simulate_gaussian(
                book, copula, scenarios=args.scenarios, seed=1, importance=plan, chunk_size=args.chunk_size,
                executor=executor,
            )  # fmt: skip
            times[workers] = time.perf_counter() - start
            losses[workers] = result.losses
            es = result.measures.es[LEVEL]
            print(
                f"{workers} worker(s): {args.scenarios:,} scenarios × {book.size:,} obligors"
                f" in {times[workers]:.2f} s;"
                f" ES99.9 {es.value:,.0f} (RSE {es.relative_standard_error:.4f})"
            )
    assert np.array_equal(losses[1], losses[2]), "results differ between 1 and 2 workers"
    print(f"speed-up 2 vs 1 worker: ×{times[1] / times[2]:.2f} (identical losses)")


if __name__ == "__main__":
    main()
