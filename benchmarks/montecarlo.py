"""Monte Carlo benchmark: ES 99.9% precision per unit of work, ours (plain and importance sampling) against
creditriskengine's multi-factor simulation on the same 10,000-obligor, 5-country-factor book; then ours alone
on a large book until ES 99.9% has 1% relative standard error (time and peak memory).

    .venv/bin/python benchmarks/montecarlo.py [--part compare|large|all] [--obligors 10000]
        [--plain 100000] [--importance 20000] [--peer-python /tmp/peer/bin/python] [--peer 100000]
        [--large-obligors 1000000] [--target-rse 0.01]

The peer is not a dependency: it runs in a subprocess from a separate virtual environment when
``--peer-python`` points at one with ``creditriskengine`` installed, and is reported as not run otherwise.
Cost = wall time × RSE² (lower is better; RSE by 20 batch means for every engine).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mcbook import benchmark_book

from tradecover.risk.copula import GaussianCopula
from tradecover.risk.montecarlo import plan_importance_sampling, simulate_gaussian
from tradecover.risk.portfolio import Portfolio

LEVEL = 0.999
BATCHES = 20
PEER_SCRIPT = """
import json, sys, time
import numpy as np
from creditriskengine.portfolio.copula import simulate_multi_factor, expected_shortfall
data = np.load(sys.argv[1])
scenarios, batches = int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
values = [
    expected_shortfall(
        simulate_multi_factor(
            data["pd"], data["lgd"], data["ead"], data["loadings"], scenarios // batches, seed=b
        ),
        0.999,
    )
    for b in range(batches)
]
print(json.dumps({"seconds": time.perf_counter() - start, "es": values}))
"""


def ours(
    book: Portfolio, copula: GaussianCopula, scenarios: int, importance: bool, seed: int = 1
) -> dict[str, float]:
    """Time one run (importance sampling planned inside the timing) and its ES 99.9% and RSE."""
    start = time.perf_counter()
    result = simulate_gaussian(
        book, copula, scenarios=scenarios, seed=seed, levels=(LEVEL,),
        importance="auto" if importance else None, batches=BATCHES,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    es = result.measures.es[LEVEL]
    return {"seconds": seconds, "es": es.value, "rse": es.relative_standard_error, "scenarios": scenarios}


def peer(python: str, book: Portfolio, copula: GaussianCopula, scenarios: int) -> dict[str, float] | None:
    """creditriskengine's simulate_multi_factor in BATCHES calls (same book, independent-factor loadings)."""
    if not Path(python).exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "book.npz"
        np.savez(data, pd=book.pd, lgd=book.lgd, ead=book.exposure, loadings=copula.independent_loadings)
        script = Path(folder) / "peer.py"
        script.write_text(PEER_SCRIPT)
        # The interpreter is the one the person running the benchmark named on the command line.
        command = [python, str(script), str(data), str(scenarios), str(BATCHES)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        print(f"peer failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    out = json.loads(done.stdout)
    values = np.array(out["es"])
    mean = float(values.mean())
    rse = float(values.std(ddof=1) / math.sqrt(BATCHES) / mean)
    return {"seconds": out["seconds"], "es": mean, "rse": rse, "scenarios": scenarios}


def line(name: str, figures: dict[str, float]) -> str:
    cost = figures["seconds"] * figures["rse"] ** 2
    return (
        f"{name:<40} {figures['scenarios']:>9,} scen {figures['seconds']:8.2f} s"
        f"  ES99.9 {figures['es']:>14,.0f}  RSE {figures['rse']:7.4f}  cost {cost:.3e}"
    )


def compare(args: argparse.Namespace) -> None:
    book, copula = benchmark_book(args.obligors)
    simulate_gaussian(book, copula, scenarios=400, seed=0, levels=(LEVEL,))  # compile the kernels
    plain = ours(book, copula, args.plain, importance=False)
    tilted = ours(book, copula, args.importance, importance=True)
    print(f"book: {book.size:,} obligors, 5 country factors, EL {book.expected_loss:,.0f}")
    print(line("ours, plain", plain))
    print(line("ours, importance sampling", tilted))
    cost = {name: f["seconds"] * f["rse"] ** 2 for name, f in (("plain", plain), ("is", tilted))}
    print(f"importance sampling vs plain: cost ×{cost['plain'] / cost['is']:.0f} lower")
    other = peer(args.peer_python, book, copula, args.peer)
    if other is None:
        print(f"creditriskengine: not run (no interpreter with it at {args.peer_python})")
        return
    print(line("creditriskengine simulate_multi_factor", other))
    peer_cost = other["seconds"] * other["rse"] ** 2
    ratio_plain, ratio_is = peer_cost / cost["plain"], peer_cost / cost["is"]
    print(f"cost ratio creditriskengine / ours: plain ×{ratio_plain:.1f}, IS ×{ratio_is:.0f}")


def large(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    book, copula = benchmark_book(args.large_obligors)
    built = time.perf_counter() - start
    simulate_gaussian(book, copula, scenarios=40, seed=0, levels=(LEVEL,), importance=None)  # compile
    plan = plan_importance_sampling(book, copula, LEVEL, seed=1, twist=args.twist)
    scenarios, rounds, spent = args.first_round, 0, 0.0
    while True:
        rounds += 1
        begin = time.perf_counter()
        result = simulate_gaussian(
            book, copula, scenarios=scenarios, seed=1, levels=(LEVEL,), importance=plan, batches=BATCHES
        )
        seconds = time.perf_counter() - begin
        spent += seconds
        rse = result.measures.es[LEVEL].relative_standard_error
        es = result.measures.es[LEVEL].value
        print(f"  round {rounds}: {scenarios:,} scenarios, {seconds:.1f} s, ES99.9 {es:,.0f}, RSE {rse:.4f}")
        if rse <= args.target_rse or rounds == 4:
            break
        scenarios = math.ceil(scenarios * (rse / args.target_rse) ** 2 * 1.15)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"large book: {book.size:,} obligors (built in {built:.1f} s); "
        f"twist {'on' if plan.twist else 'off'}; "
        f"final run {scenarios:,} scenarios in {seconds:.1f} s (all rounds {spent:.1f} s); "
        f"ES99.9 RSE {rse:.4f}; peak memory {peak:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("compare", "large", "all"), default="all")
    parser.add_argument("--obligors", type=int, default=10_000)
    parser.add_argument("--plain", type=int, default=100_000)
    parser.add_argument("--importance", type=int, default=20_000)
    parser.add_argument("--peer-python", default=str(Path(tempfile.gettempdir()) / "peer" / "bin" / "python"))
    parser.add_argument("--peer", type=int, default=100_000)
    parser.add_argument("--large-obligors", type=int, default=1_000_000)
    parser.add_argument("--first-round", type=int, default=400)
    parser.add_argument("--target-rse", type=float, default=0.01)
    # Default: let the planner decide (it twists only when the book is concentrated enough to gain).
    parser.add_argument("--twist", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args()
    if args.part in ("compare", "all"):
        compare(args)
    if args.part in ("large", "all"):
        large(args)


if __name__ == "__main__":
    main()
