"""Compiled kernels of the risk engine, each with the plain-NumPy twin that tests compare it to."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def band_intensities_numpy(
    units: IntArray, pd: FloatArray, weights: FloatArray, gamma_row: IntArray, length: int
) -> FloatArray:
    """Σ of p_A·w_A by loss unit ν_A, per component, shape (1 + J, length): reference twin of the kernel.

    ``gamma_row[k]`` is the output row (1..J) of factor k, or 0 to pool it with the specific share in
    the Poisson row 0.
    """
    rows = int(gamma_row.max(initial=0)) + 1
    out = np.zeros((rows, length), dtype=np.float64)
    specific = np.clip(1.0 - weights.sum(axis=1), 0.0, 1.0)
    out[0] += np.bincount(units, weights=pd * specific, minlength=length)
    for factor in range(weights.shape[1]):
        out[gamma_row[factor]] += np.bincount(units, weights=pd * weights[:, factor], minlength=length)
    return out


@numba.njit(cache=True, nogil=True)
def _band_intensities_kernel(
    units: IntArray, pd: FloatArray, weights: FloatArray, gamma_row: IntArray, out: FloatArray
) -> None:
    for obligor in range(units.shape[0]):
        unit = units[obligor]
        intensity = pd[obligor]
        specific = 1.0
        for factor in range(weights.shape[1]):
            weight = weights[obligor, factor]
            specific -= weight
            out[gamma_row[factor], unit] += intensity * weight
        if specific > 0.0:
            out[0, unit] += intensity * min(specific, 1.0)


def band_intensities(
    units: IntArray, pd: FloatArray, weights: FloatArray, gamma_row: IntArray, length: int
) -> FloatArray:
    """Compiled, single pass over the obligors: same result as :func:`band_intensities_numpy`."""
    rows = int(gamma_row.max(initial=0)) + 1
    out = np.zeros((rows, length), dtype=np.float64)
    _band_intensities_kernel(
        np.ascontiguousarray(units, dtype=np.int64),
        np.ascontiguousarray(pd, dtype=np.float64),
        np.ascontiguousarray(weights, dtype=np.float64),
        np.ascontiguousarray(gamma_row, dtype=np.int64),
        out,
    )
    return out
