"""Benchmark: CreditRisk+ loss distribution and measures for 1,000,000 obligors in 10 sectors.

Run: ``.venv/bin/python benchmarks/creditriskplus.py [--obligors N] [--grid UNITS]``. Not part of the tests.
Times the FFT engine on the large book (distribution + VaR/ES at 99%, 99.5%, 99.9%), then on a smaller
book compares it with the slow reference (one Panjer recursion per sector, convolved), reporting the time
ratio and the largest CDF difference.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from tradecover.risk.creditriskplus import analytic_moments, credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.measures import risk_measures
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.reference import sector_by_sector

SECTORS = 10


def synthetic_book(obligors: int, seed: int) -> tuple[Portfolio, np.ndarray]:
    """A book of lognormal exposures, PDs 0.1%–5%, LGD 40–60%, 70% of weight on one of 10 sectors."""
    rng = np.random.default_rng(seed)
    exposure = rng.lognormal(mean=11.0, sigma=1.2, size=obligors)
    pd = rng.uniform(0.001, 0.05, size=obligors)
    lgd = rng.uniform(0.4, 0.6, size=obligors)
    weights = np.zeros((obligors, SECTORS))
    weights[np.arange(obligors), rng.integers(0, SECTORS, size=obligors)] = 0.7
    variances = rng.uniform(0.3, 1.5, size=SECTORS)
    book = Portfolio(
        ids=np.arange(obligors).astype(str),
        exposure=exposure,
        pd=pd,
        lgd=lgd,
        weights=weights,
        factor_names=tuple(f"s{k}" for k in range(SECTORS)),
    )
    return book, variances


def unit_for_grid(book: Portfolio, variances: np.ndarray, grid: int) -> float:
    """A loss unit that puts mean + 12 standard deviations of the loss at about ``grid`` units."""
    banding = discretise(book, 1.0)
    mean, std = analytic_moments(book, variances, banding)
    return (mean + 12 * std) / grid


def run_engine(book: Portfolio, variances: np.ndarray, unit: float) -> tuple[float, int, float, object]:
    """Time banding + FFT distribution + measures; returns (seconds, grid length, tail bound, measures)."""
    start = time.perf_counter()
    banding = discretise(book, unit, preserve_expected_loss=True)
    result = credit_risk_plus(book, variances, banding)
    measures = risk_measures(result.distribution)
    elapsed = time.perf_counter() - start
    return elapsed, result.distribution.probabilities.shape[0], result.distribution.tail_bound, measures


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--obligors", type=int, default=1_000_000)
    parser.add_argument("--grid", type=int, default=300_000)
    parser.add_argument("--small-obligors", type=int, default=2_000)
    parser.add_argument("--small-grid", type=int, default=3_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    console = Console(width=150)

    book, variances = synthetic_book(args.obligors, seed=1)
    unit = unit_for_grid(book, variances, args.grid)
    run_engine(book, variances, unit)  # warm the FFT plan caches
    timings = []
    for _ in range(args.repeats):
        elapsed, length, bound, measures = run_engine(book, variances, unit)
        timings.append(elapsed)

    small, small_variances = synthetic_book(args.small_obligors, seed=2)
    small_unit = unit_for_grid(small, small_variances, args.small_grid)
    banding = discretise(small, small_unit, preserve_expected_loss=True)
    start = time.perf_counter()
    fast = credit_risk_plus(small, small_variances, banding).distribution
    fast_seconds = time.perf_counter() - start
    start = time.perf_counter()
    slow = sector_by_sector(small, small_variances, banding, fast.probabilities.shape[0])
    slow_seconds = time.perf_counter() - start
    cdf_difference = float(np.max(np.abs(np.cumsum(slow) - np.cumsum(fast.probabilities))))

    table = Table(title="CreditRisk+ FFT engine")
    table.add_column("book")
    table.add_column("obligors", justify="right")
    table.add_column("sectors", justify="right")
    table.add_column("grid (units)", justify="right")
    table.add_column("time", justify="right")
    table.add_column("note")
    table.add_row(
        "large",
        f"{args.obligors:,}",
        str(SECTORS),
        f"{length:,}",
        f"{min(timings):.3f} s (median {np.median(timings):.3f} s)",
        f"tail bound {bound:.1e}; ES99.9 {measures.es[0.999]:,.0f}",  # type: ignore[attr-defined]
    )
    table.add_row(
        "small, FFT",
        f"{args.small_obligors:,}",
        str(SECTORS),
        f"{fast.probabilities.shape[0]:,}",
        f"{fast_seconds:.4f} s",
        "",
    )
    table.add_row(
        "small, reference",
        f"{args.small_obligors:,}",
        str(SECTORS),
        f"{fast.probabilities.shape[0]:,}",
        f"{slow_seconds:.3f} s",
        f"×{slow_seconds / fast_seconds:,.0f} slower; max |ΔCDF| {cdf_difference:.1e}",
    )
    console.print(table)


if __name__ == "__main__":
    main()
