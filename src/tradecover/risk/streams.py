"""Random streams for Monte Carlo: one 64-bit key per scenario, counter-based uniforms and normals.

A scenario's key comes from ``numpy.random.SeedSequence(seed, spawn_key=(1, block))`` — the child
stream of its block of :data:`STREAM_BLOCK` consecutive scenarios — so it depends on the seed and the
scenario's index only, never on how scenarios are split into chunks or which worker runs them. Inside a
scenario, draw number c is SplitMix64 applied to ``key + (c + 1)·γ`` (the SplitMix64 generator read at
position c), so any draw can be recomputed on its own: the contribution pass re-simulates just the tail
scenarios.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

UIntArray = NDArray[np.uint64]
FloatArray = NDArray[np.float64]

STREAM_BLOCK = 4096
_SCENARIO_DOMAIN = 1
_PILOT_DOMAIN = 0
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2⁻⁵³
# Counters of systematic draws (factors) are kept apart from the obligor counters i·2²⁰ + r.
FACTOR_COUNTER = np.uint64(1 << 62)
OBLIGOR_SHIFT = np.uint64(20)


def scenario_keys(seed: int, start: int, stop: int) -> UIntArray:
    """Keys of scenarios ``start .. stop−1`` (shape (stop − start,)), whatever the chunking."""
    if start < 0 or stop < start:
        raise ValueError("scenario range must satisfy 0 ≤ start ≤ stop")
    keys = np.empty(stop - start, dtype=np.uint64)
    first_block, last_block = start // STREAM_BLOCK, (stop - 1) // STREAM_BLOCK
    for block in range(first_block, last_block + 1 if stop > start else first_block):
        child = np.random.SeedSequence(seed, spawn_key=(_SCENARIO_DOMAIN, block))
        block_keys = child.generate_state(STREAM_BLOCK, dtype=np.uint64)
        lo = max(start, block * STREAM_BLOCK)
        hi = min(stop, (block + 1) * STREAM_BLOCK)
        keys[lo - start : hi - start] = block_keys[lo - block * STREAM_BLOCK : hi - block * STREAM_BLOCK]
    return keys


def pilot_generator(seed: int) -> np.random.Generator:
    """A generator for pilot draws (importance-sampling set-up), separate from every scenario stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_PILOT_DOMAIN,)))


@numba.njit(inline="always", nogil=True)
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(inline="always", nogil=True)
def uniform(key: np.uint64, counter: np.uint64) -> float:
    """Draw number ``counter`` of the stream ``key``: a uniform on [0, 1) with 53 random bits."""
    z = _mix(np.uint64(key) + (np.uint64(counter) + np.uint64(1)) * _GOLDEN)
    return float(z >> np.uint64(11)) * _TO_UNIT


@numba.njit(inline="always", nogil=True)
def normal(key: np.uint64, counter: np.uint64) -> float:
    """A standard normal from draws ``counter`` and ``counter + 1`` (Box–Muller, cosine branch)."""
    u1 = 1.0 - uniform(key, counter)  # in (0, 1]
    u2 = uniform(key, counter + np.uint64(1))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def uniforms_numpy(key: int | np.uint64, counters: NDArray[np.uint64]) -> FloatArray:
    """NumPy twin of :func:`uniform` for many counters of one stream, shape of ``counters``."""
    with np.errstate(over="ignore"):
        z = np.uint64(key) + (np.asarray(counters, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    result: FloatArray = (z >> np.uint64(11)).astype(np.float64) * _TO_UNIT
    return result


def normals_numpy(key: int | np.uint64, counters: NDArray[np.uint64]) -> FloatArray:
    """NumPy twin of :func:`normal` for many (even-spaced) counters of one stream."""
    counters = np.asarray(counters, dtype=np.uint64)
    u1 = 1.0 - uniforms_numpy(key, counters)
    u2 = uniforms_numpy(key, counters + np.uint64(1))
    result: FloatArray = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return result
