"""Benchmark: CreditRisk+ loss distribution and measures for 1,000,000 obligors in 10 sectors.

Run: ``.venv/bin/python benchmarks/creditriskplus.py [--obligors N] [--grid UNITS]
[--peer-python /tmp/gemact-venv/bin/python] [--peer-obligors 100000] [--peer-grid 40000]``.
Not part of the tests.
Times the FFT engine on the large book (distribution + VaR/ES at 99%, 99.5%, 99.9%), then on a smaller
book compares it with the slow reference (one Panjer recursion per sector, convolved), reporting the time
ratio and the largest CDF difference. Last, on a one-sector book (a compound negative binomial), compares
it with gemact's FFT and Panjer recursion, run by ``peer_gemact.py`` in the separate interpreter
``--peer-python`` (gemact is not a dependency; reported as not run when that interpreter is absent).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tradecover.risk.creditriskplus import analytic_moments, credit_risk_plus
from tradecover.risk.discretisation import discretise
from tradecover.risk.measures import risk_measures
from tradecover.risk.portfolio import Portfolio
from tradecover.risk.reference import sector_by_sector

SECTORS = 10
PEER_SCRIPT = Path(__file__).resolve().parent / "peer_gemact.py"
# gemact's NegBinom truncates its size 1/variance to an integer, so the one-sector variance is 1/2.
PEER_VARIANCE = 0.5


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


def one_sector_book(obligors: int, seed: int) -> Portfolio:
    """Exposures, PDs and LGDs as :func:`synthetic_book`, with all weight on one gamma sector."""
    book, _ = synthetic_book(obligors, seed)
    return Portfolio(
        ids=book.ids,
        exposure=book.exposure,
        pd=book.pd,
        lgd=book.lgd,
        weights=np.ones((obligors, 1)),
        factor_names=("s0",),
    )


def compare_gemact(args: argparse.Namespace, console: Console) -> None:
    """Ours against gemact's FFT and Panjer recursion on the same compound negative binomial (best of 3)."""
    if not Path(args.peer_python).exists():
        console.print(f"gemact: not run (no interpreter at {args.peer_python})")
        return
    book = one_sector_book(args.peer_obligors, seed=3)
    variances = np.array([PEER_VARIANCE])
    unit = unit_for_grid(book, variances, args.peer_grid)
    banding = discretise(book, unit, preserve_expected_loss=True)
    credit_risk_plus(book, variances, banding)  # warm the FFT plan caches
    ours = []
    for _ in range(3):
        start = time.perf_counter()
        distribution = credit_risk_plus(book, variances, banding).distribution
        ours.append(time.perf_counter() - start)
    length = distribution.probabilities.shape[0]
    # N ~ NB(1/v, 1/(1 + λv)) with λ = Σp; severity P(X = j) = Σ_{units = j} p / λ.
    intensity = np.bincount(banding.units, weights=banding.pd)
    intensity[0] = 0.0
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "book.npz"
        np.savez(data, intensity=intensity, variance=PEER_VARIANCE, length=length)
        # The interpreter is the one the person running the benchmark named on the command line.
        command = [args.peer_python, str(PEER_SCRIPT), str(data), "3"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        console.print(f"gemact: failed ({done.stderr.strip().splitlines()[-1:]})")
        return
    peer = json.loads(done.stdout)
    cdf = np.cumsum(distribution.probabilities)
    table = Table(title=f"One sector (variance {PEER_VARIANCE}), compound negative binomial, against gemact")
    table.add_column("engine")
    table.add_column("obligors", justify="right")
    table.add_column("grid (units)", justify="right")
    table.add_column("time (best of 3)", justify="right")
    table.add_column("gemact / ours", justify="right")
    table.add_column("max |ΔCDF| vs ours", justify="right")
    best = min(ours)
    table.add_row("ours, FFT", f"{args.peer_obligors:,}", f"{length:,}", f"{best:.4f} s", "", "")
    for method, name in (("fft", "gemact FFT"), ("recursion", "gemact Panjer recursion")):
        theirs = np.asarray(peer[method]["cdf"])
        difference = float(np.max(np.abs(theirs - cdf)))
        seconds = peer[method]["seconds"]
        table.add_row(
            name,
            "",
            f"{theirs.shape[0]:,}",
            f"{seconds:.4f} s",
            f"×{seconds / best:,.1f}",
            f"{difference:.1e}",
        )
    console.print(table)
    used = np.count_nonzero(intensity)
    console.print(
        f"one-sector book: λ = {intensity.sum():,.1f} expected defaults; loss unit {unit:,.0f}; "
        f"severity on {used:,} distinct units, largest {intensity.shape[0] - 1:,}"
    )


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--obligors", type=int, default=1_000_000)
    parser.add_argument("--grid", type=int, default=300_000)
    parser.add_argument("--small-obligors", type=int, default=2_000)
    parser.add_argument("--small-grid", type=int, default=3_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--peer-python", default=str(Path(tempfile.gettempdir()) / "gemact-venv" / "bin" / "python")
    )
    parser.add_argument("--peer-obligors", type=int, default=100_000)
    parser.add_argument("--peer-grid", type=int, default=40_000)
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
    compare_gemact(args, console)


if __name__ == "__main__":
    main()
