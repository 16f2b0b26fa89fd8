"""Poisson input's inversion tables and random streams (used by the build, drawn from in
:func:`snnlab._kernels.poisson_count`); see :mod:`snnlab.engine` for how a draw is made."""

from __future__ import annotations

import math

import numpy as np

#: ``log(n!) - log(sqrt(2 pi n) (n/e)**n)`` (the error of Stirling's formula) for n = 0 .. 30,
#: computed with mpmath at 40 digits and rounded to double (n = 0 is a placeholder: a count
#: of 0 has its own formula). Above 30 the asymptotic series below is exact to ~1e-19.
_STIRLING_ERROR = np.array([
    0.0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
    0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
    0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
    0.006408994188004207, 0.0059513701127588475, 0.005554733551962801, 0.0052076559196096404,
    0.004901395948434738, 0.004629153749334028, 0.004385560249232324, 0.004166319691996922,
    0.00396795421864086, 0.0037876180684444346, 0.0036229602246830948, 0.003472021382978767,
    0.003333155636728093, 0.003204970228055038, 0.0030862786826087773, 0.002976063983550409,
    0.0028734493623524663, 0.0027776749297526936,
])


def _stirling_error(n: np.ndarray) -> np.ndarray:
    """``log(n!) - log(sqrt(2 pi n) (n/e)**n)`` for whole numbers ``n >= 1`` (float array).

    The table below 31; above, the series 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7)
    + 1/(1188n^9), whose next term is below 1e-19 there (Loader 2000, R's ``stirlerr``)."""
    small = n <= 30
    m = np.where(small, 31.0, n)
    mm = m * m
    series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / mm) / mm) / mm) / mm) / m
    return np.where(small, _STIRLING_ERROR[np.minimum(n, 30).astype(np.int64)], series)


def _deviance(x: np.ndarray, lam: float) -> np.ndarray:
    """``x log(x/lam) + lam - x`` (the Poisson deviance term, >= 0) for counts ``x >= 1``,
    without the cancellation of the plain formula where ``x`` is close to ``lam``.

    Near ``lam`` (``|x - lam| < 0.1 (x + lam)``) it is the series in ``v = (x - lam)/(x + lam)``:
    ``(x - lam) v + 2 x (v**3/3 + v**5/5 + ...)``, whose terms shrink by ``v**2 < 0.01``, so 14
    terms are exact to double precision; there ``x - lam`` is exact (Sterbenz). Elsewhere the
    plain formula has no cancellation to speak of. (Loader 2000, R's ``bd0``.)"""
    near = np.abs(x - lam) < 0.1 * (x + lam)
    d = x - lam
    v = np.where(near, d / (x + lam), 0.0)
    v2 = v * v
    odd = np.zeros_like(x)
    for j in range(29, 1, -2):  # v**3/3 + v**5/5 + ... + v**29/29, by Horner in v**2
        odd = (odd + 1.0 / j) * v2
    series = d * v + 2.0 * x * v * odd
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        plain = x * np.log(x / lam) + lam - x
    return np.where(near, series, plain)


def _poisson_pmf(x: np.ndarray, lam: float) -> np.ndarray:
    """P(X = x) for X ~ Poisson(``lam``) and whole numbers ``x >= 0`` (float array), to a few
    units in the last place for every ``lam`` up to 1e6 and beyond.

    ``exp(-lam) lam**x / x!`` in logs (``-lam + x log(lam) - lgamma(x + 1)``) subtracts numbers
    of size ``x log x`` to get one of size 1, which loses 9 digits at ``lam = 1e6``. Loader's
    saddle-point form ``exp(-stirling_error(x) - deviance(x, lam)) / sqrt(2 pi x)`` computes
    only small, accurate terms (C. Loader, "Fast and accurate computation of binomial
    probabilities", 2000; R's ``dpois``)."""
    safe = np.maximum(x, 1.0)
    pmf = np.exp(-_stirling_error(safe) - _deviance(safe, lam)) / np.sqrt(2.0 * math.pi * safe)
    return np.where(x == 0, math.exp(-lam), pmf)


def poisson_table(lam: float):
    """Inversion tables for Poisson(``lam``) counts drawn from 53-bit uniforms (the kernel's
    :func:`~snnlab._kernels.poisson_count`).

    Returns
    -------
    cdf : ndarray, int64
        ``cdf[x] = ceil(P(X <= xmin + x) * 2**53)`` over every count whose probability
        exceeds ~1e-30 (lam +- 13 standard deviations, and 30 more counts above); the last
        entry is ``2**53`` (certainty), so a search always stops. ``cdf / 2**53`` is within
        ~1.2e-16 of the exact CDF, the ceiling included, for every ``lam`` up to 1e6
        (``tests/test_poisson.py`` checks it against mpmath).
    guide : ndarray, int64
        ``guide[g]`` is the first ``x`` with ``cdf[x] > g * 2**guide_shift``; it has 16
        times as many entries as ``cdf`` (rounded up to a power of 2), so a search almost
        always stops at its first comparison.
    guide_shift : int
        ``53 - log2(len(guide))``.
    xmin : int
        The smallest count in the table.

    Notes
    -----
    Three steps keep the CDF exact to double precision. (1) Each probability is computed to a
    few units in its last place (:func:`_poisson_pmf`), not from a difference of large
    logarithms. (2) They are normalised to sum to 1 (the mass outside the table is below
    1e-30), so no rounding error accumulates into a total above or below 1. (3) The sums are
    exact: each probability times ``2**53`` splits exactly into its whole units and its
    fraction in units of ``2**-32``, both summed in int64. The CDF is accumulated from the left
    below the mode and as ``1 - (upper tail)`` from the right above it, so the first and the
    last counts get their own tiny probabilities, not the rounding error of a sum near 1.
    """
    one = 2**53
    if lam <= 0.0:
        return np.array([one], dtype=np.int64), np.zeros(1, dtype=np.int64), 53, 0
    spread = 13.0 * math.sqrt(lam)
    xmin = max(0, math.floor(lam - spread))
    xmax = math.ceil(lam + spread) + 30
    x = np.arange(xmin, xmax + 1, dtype=np.float64)
    pmf = _poisson_pmf(x, lam)
    scaled = pmf / math.fsum(pmf) * float(one)  # units of 2**-53; the product is exact
    whole = np.floor(scaled)
    frac = np.floor((scaled - whole) * 2.0**32)  # scaled - whole is exact; the rest is < 2**-85
    whole, frac = whole.astype(np.int64), frac.astype(np.int64)  # both sums stay below 2**63
    mode = int(np.argmax(pmf))
    cdf = np.empty(x.size, dtype=np.int64)
    # below the mode: ceil(sum of the units and fractions up to x)
    below_whole, below_frac = np.cumsum(whole[:mode]), np.cumsum(frac[:mode])
    cdf[:mode] = below_whole + ((below_frac + (2**32 - 1)) >> 32)
    # from the mode on: 1 - floor(sum above x), which is ceil(1 - upper tail)
    above_whole = np.cumsum(whole[:mode:-1])[::-1]
    above_frac = np.cumsum(frac[:mode:-1])[::-1]
    cdf[mode:-1] = one - (above_whole + (above_frac >> 32))
    cdf[-1] = one
    np.maximum.accumulate(cdf, out=cdf)  # the two halves meet within a unit or two at the mode
    np.minimum(cdf, one, out=cdf)
    bits = min(20, max(4, math.ceil(math.log2(16 * cdf.size))))
    guide = np.searchsorted(cdf, np.arange(2**bits, dtype=np.int64) << (53 - bits), side="right")
    return cdf, guide.astype(np.int64), 53 - bits, xmin


def poisson_stream(seed: int, index: int) -> np.ndarray:
    """Initial state (4 uint64) of the random stream of Poisson input ``index``: numpy's SFC64
    seeded with the network's SeedSequence for that input (``spawn_key=(3, index)``, as
    ``Network.rng(3, index)``), advanced in compiled code by :func:`snnlab._kernels.sfc64_next`."""
    bits = np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(3, index)))
    return np.array(bits.state["state"]["state"], dtype=np.uint64)
