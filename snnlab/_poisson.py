"""Poisson input's inversion tables and random streams (used by the build, drawn from in
:func:`snnlab._kernels.poisson_count`); see :mod:`snnlab.engine` for how a draw is made."""

from __future__ import annotations

import math

import numpy as np


def poisson_table(lam: float):
    """Inversion tables for Poisson(``lam``) counts drawn from 53-bit uniforms (the kernel's
    :func:`~snnlab._kernels.poisson_count`).

    Returns
    -------
    cdf : ndarray, int64
        ``cdf[x] = ceil(P(X <= xmin + x) * 2**53)`` over every count whose probability
        exceeds ~1e-30 (lam +- 13 standard deviations, and 30 more counts above); the last
        entry is ``2**53`` (certainty), so a search always stops.
    guide : ndarray, int64
        ``guide[g]`` is the first ``x`` with ``cdf[x] > g * 2**guide_shift``; it has 16
        times as many entries as ``cdf`` (rounded up to a power of 2), so a search almost
        always stops at its first comparison.
    guide_shift : int
        ``53 - log2(len(guide))``.
    xmin : int
        The smallest count in the table.
    """
    one = 2**53
    if lam <= 0.0:
        return np.array([one], dtype=np.int64), np.zeros(1, dtype=np.int64), 53, 0
    spread = 13.0 * math.sqrt(lam)
    xmin = max(0, math.floor(lam - spread))
    xmax = math.ceil(lam + spread) + 30
    x = np.arange(xmin, xmax + 1, dtype=np.float64)
    # log-space pmf: exp(-lam) underflows for lam > 745, lam**x / x! overflows long before
    log_pmf = -lam + x * math.log(lam) - np.array([math.lgamma(v + 1.0) for v in x])
    cdf = np.minimum(np.ceil(np.cumsum(np.exp(log_pmf)) * one), one).astype(np.int64)
    cdf[-1] = one
    bits = min(20, max(4, math.ceil(math.log2(16 * cdf.size))))
    guide = np.searchsorted(cdf, np.arange(2**bits, dtype=np.int64) << (53 - bits), side="right")
    return cdf, guide.astype(np.int64), 53 - bits, xmin


def poisson_stream(seed: int, index: int) -> np.ndarray:
    """Initial state (4 uint64) of the random stream of Poisson input ``index``: numpy's SFC64
    seeded with the network's SeedSequence for that input (``spawn_key=(3, index)``, as
    ``Network.rng(3, index)``), advanced in compiled code by :func:`snnlab._kernels.sfc64_next`."""
    bits = np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(3, index)))
    return np.array(bits.state["state"]["state"], dtype=np.uint64)
