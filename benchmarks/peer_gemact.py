"""Peer side of ``creditriskplus.py``: gemact's FFT and Panjer recursion on a one-sector CreditRisk+ book.

Run by ``creditriskplus.py`` in a separate interpreter that has ``gemact`` (not a dependency of this project):

    PYTHON peer_gemact.py BOOK.npz REPEATS

``BOOK.npz`` holds ``intensity`` (expected defaults by loss unit j = 0, 1, …; unit 0 empty), ``variance``
(the sector's gamma variance; 1/variance must be an integer, as gemact's ``NegBinom`` truncates its size to
an int) and ``length`` (grid length in units). The book is the compound negative binomial
N ~ NB(n = 1/variance, p = 1/(1 + λ·variance)), λ = Σ intensity, with severity P(X = j) = intensity_j / λ,
given to gemact as a ``pwc`` (piecewise-constant CDF) severity on the integer nodes and discretised with
``lowerdiscretization`` at step 1, which returns P(X = j) exactly. Prints JSON: per method the best of
``REPEATS`` times and the probabilities (LossModel construction, discretisation and aggregation timed).
"""

import json
import sys
import time

import numpy as np
from gemact import Frequency, LossModel, Severity  # type: ignore[import-not-found]


def main() -> None:
    data = np.load(sys.argv[1])
    repeats = int(sys.argv[2])
    intensity = np.asarray(data["intensity"], dtype=np.float64)
    variance = float(data["variance"])
    length = int(data["length"])
    size = round(1.0 / variance)
    if abs(size * variance - 1.0) > 1e-12:
        raise SystemExit("gemact's NegBinom takes an integer size: 1/variance must be an integer")
    total = float(intensity.sum())
    units = np.nonzero(intensity)[0]
    cumprobs = np.minimum(np.cumsum(intensity[units]) / total, 1.0)
    cumprobs[-1] = 1.0  # gemact requires exactly 1; the sum differs from it by round-off only
    out: dict[str, object] = {}
    for method in ("fft", "recursion"):
        best = float("inf")
        cdf = None
        for _ in range(repeats):
            start = time.perf_counter()
            frequency = Frequency(dist="nbinom", par={"n": size, "p": 1.0 / (1.0 + total * variance)})
            severity = Severity(dist="pwc", par={"nodes": units.astype(np.float64), "cumprobs": cumprobs})
            model = LossModel(
                frequency=frequency,
                severity=severity,
                aggr_loss_dist_method=method,
                sev_discr_method="lowerdiscretization",
                sev_discr_step=1.0,
                n_sev_discr_nodes=int(units.max()) + 1,
                n_aggr_dist_nodes=length,
            )
            cdf = np.asarray(model.dist[0].cumprobs, dtype=np.float64)
            best = min(best, time.perf_counter() - start)
        out[method] = {"seconds": best, "cdf": cdf.tolist() if cdf is not None else []}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
