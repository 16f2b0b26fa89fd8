"""The Poisson drive: a true Poisson count per neuron and step, from its own seeded stream.

The engine draws counts by inversion of 53-bit uniforms against a table of the CDF
(:func:`snnlab._poisson.poisson_table`, :func:`snnlab._kernels.poisson_count`), the
uniforms coming from each input's own SFC64 stream, numpy's ``SFC64`` generator
stepped in compiled code (:func:`snnlab._kernels.sfc64_next`). These tests check the
generator against numpy's, the table against an exact CDF (mpmath at 40 digits), the sampler against the
exact inversion it stands for, and the counts the engine delivers against Poisson's
mean, variance and distribution, for means from far below one to far above 745 (where
``exp(-lam)`` underflows).
"""

import functools
import math

import mpmath
import numpy as np
import pytest

import snnlab as sl
from snnlab import _kernels
from snnlab._poisson import poisson_stream, poisson_table

LAMS = [0.002, 0.2, 2.0, 17.5, 900.0]
#: from far below one to the largest mean per step the engine accepts (engine.MAX_POISSON_PER_STEP)
EXACT_LAMS = [1e-3, 1.0, 30.0, 1e3, 1e4, 1e6]
ONE = 2**53


def pmf(lam, x):
    return math.exp(-lam + x * math.log(lam) - math.lgamma(x + 1))


def draw_counts(lam, raw):
    cdf, guide, shift, xmin = poisson_table(lam)
    return np.array([_kernels.poisson_count(r, cdf, guide, shift) + xmin for r in raw])


def test_compiled_generator_is_numpys_sfc64_bit_for_bit():
    state = [np.uint64(v) for v in poisson_stream(42, 3)]
    ours = []
    for _ in range(2000):
        # numba hands uint64 back to Python as possibly negative ints: keep them unsigned
        raw, *state = (np.uint64(int(v) & (2**64 - 1)) for v in _kernels.sfc64_next(*state))
        ours.append(raw)
    bits = np.random.SFC64(np.random.SeedSequence(42, spawn_key=(3, 3)))
    np.testing.assert_array_equal(np.array(ours, dtype=np.uint64), bits.random_raw(2000))


def test_engine_counts_are_the_inversion_of_the_inputs_own_stream():
    n, steps, lam = 20, 300, 1.7
    res = counting_network(lam, n=n, seed=9).run(steps * 0.1)
    counts = np.rint(np.diff(res.potential("P"), axis=0) / 0.5).astype(np.int64)
    bits = np.random.SFC64(np.random.SeedSequence(9, spawn_key=(3, 0)))
    expected = draw_counts(lam, bits.random_raw(steps * n)).reshape(steps, n)
    # the input drawn at step k shows in the potential at step k; the first step's is in row 1
    np.testing.assert_array_equal(counts, expected[1:])


@functools.cache
def exact_cdf(lam, xmin, size):
    """P(X <= x) for x = xmin - 1 .. xmin + size - 1, X ~ Poisson(lam), at 40 significant digits
    (mpmath): the probabilities by the recurrence p(x + 1) = p(x) lam / (x + 1) outward from the
    mode, P(X < xmin) as a regularised incomplete gamma function, both checked against that
    function (P(X <= x) = Q(x + 1, lam)) at a few counts. Returns mpmath numbers."""
    with mpmath.workdps(40):
        lam_ = mpmath.mpf(lam)
        mode = min(max(math.floor(lam), xmin), xmin + size - 1)
        p = {mode: mpmath.exp(-lam_ + mode * mpmath.log(lam_) - mpmath.loggamma(mode + 1))}
        for x in range(mode + 1, xmin + size):
            p[x] = p[x - 1] * lam_ / x
        for x in range(mode - 1, xmin - 1, -1):
            p[x] = p[x + 1] * (x + 1) / lam_
        cdf = [mpmath.gammainc(xmin, lam_, mpmath.inf, regularized=True) if xmin else mpmath.mpf(0)]
        for x in range(xmin, xmin + size):
            cdf.append(cdf[-1] + p[x])
        sd = math.sqrt(lam)
        for x in {xmin, mode, round(lam - 3 * sd), round(lam + 3 * sd), round(lam + 8 * sd)}:
            if xmin <= x < xmin + size:
                closed = mpmath.gammainc(x + 1, lam_, mpmath.inf, regularized=True)
                assert abs(cdf[x - xmin + 1] - closed) < mpmath.mpf(10) ** -30, (lam, x)
        return cdf


@pytest.mark.parametrize("lam", EXACT_LAMS)
def test_table_is_the_exact_poisson_cdf_to_1e_15(lam):
    """Issue 12: the float64 log-pmf and an unnormalised sum were 8e-10 off at lam = 1e6."""
    cdf, guide, shift, xmin = poisson_table(lam)
    assert cdf[-1] == ONE and np.all(np.diff(cdf) >= 0)
    exact = exact_cdf(lam, xmin, cdf.size)
    with mpmath.workdps(40):
        # cdf / 2**53 is what the sampler draws with: P(count <= xmin + x) = cdf[x] / 2**53 exactly
        error = np.array([float(mpmath.mpf(int(c)) / ONE - e) for c, e in zip(cdf, exact[1:])])
    # 1e-15 includes the ceiling to whole units of 2**-53 (1.1e-16)
    assert np.abs(error).max() <= 1e-15, (np.abs(error).max(), xmin + np.abs(error).argmax())
    # the table covers all but a negligible mass on both sides
    assert exact[0] < 1e-25 and 1 - exact[-1] < 1e-25
    # the guide table points at the first CDF entry above the start of its bucket
    starts = np.arange(guide.size, dtype=np.int64) << shift
    np.testing.assert_array_equal(guide, np.searchsorted(cdf, starts, side="right"))
    assert guide.size >= 16 * cdf.size or guide.size == 2**20


@pytest.mark.parametrize("lam", EXACT_LAMS)
def test_tail_counts_are_drawn_with_their_probability(lam):
    """Every count whose tail probability a 53-bit uniform can resolve is drawn, with that
    tail probability; counts far beyond are never drawn (at lam = 1e4 the former table could
    not draw anything above lam + 6.8 sd, at lam = 1e6 it drew lam + 13 sd with p = 8e-10)."""
    cdf, _, _, xmin = poisson_table(lam)
    exact = exact_cdf(lam, xmin, cdf.size)
    with mpmath.workdps(40):
        lower_exact = np.array([float(e) for e in exact[1:]])  # P(X <= x)
        upper_exact = np.array([float(1 - e) for e in exact[:-1]])  # P(X >= x)
    drawn_lower = cdf / ONE  # P(count <= x), exact in float64
    drawn_upper = 1.0 - np.concatenate([[0], cdf[:-1]]) / ONE  # P(count >= x), exact too
    # tails above 1e-10 are drawn to 1e-5 of their probability (the 1e-15 of the CDF, relative)
    for drawn, want in ((drawn_lower, lower_exact), (drawn_upper, upper_exact)):
        resolved = want > 1e-10
        np.testing.assert_allclose(drawn[resolved], want[resolved], rtol=1e-5)
    # reachable: counts as far out as a tail probability of 1e-14, on either side (a single
    # count out there may be less likely than 2**-53 and never drawn, but the tail beyond it is)
    assert np.all(drawn_upper[upper_exact > 1e-14] > 0) and np.all(drawn_lower[lower_exact > 1e-14] > 0)
    # unreachable: upper tails below 2**-55, far below one unit of the uniform; lower tails hold
    # one unit at most, the uniform 0, which inversion maps to the first count of the table
    assert np.all(drawn_upper[upper_exact < 2.0**-55] == 0)
    assert np.all(drawn_lower[lower_exact < 2.0**-55] <= 2.0**-53)
    # the first and the last count of the table are covered: the table's ends hold the exact tails
    assert abs(drawn_lower[0] - lower_exact[0]) <= 2.0**-53
    assert drawn_upper[-1] <= 2.0**-53 and upper_exact[-1] < 1e-25


@pytest.mark.parametrize("lam", LAMS)
def test_sampler_is_exact_inversion_of_the_uniform_numpy_would_make(lam):
    rng = np.random.default_rng(1)
    raw = rng.bit_generator.random_raw(20000)
    raw[:4] = [0, 2**64 - 1, 2**63, 2**11]  # the extremes of [0, 1)
    uniform = np.random.default_rng(1).random(20000)
    uniform[:4] = (raw[:4] >> np.uint64(11)) * 2.0**-53
    cdf, _, _, xmin = poisson_table(lam)
    expected = np.searchsorted(cdf / 2.0**53, uniform, side="right") + xmin
    np.testing.assert_array_equal(draw_counts(lam, raw), expected)


@pytest.mark.parametrize("lam", [0.2, 2.0, 17.5])
def test_counts_follow_the_poisson_distribution(lam):
    raw = np.random.default_rng(7).bit_generator.random_raw(200_000)
    counts = draw_counts(lam, raw)
    n = counts.size
    assert abs(counts.mean() - lam) < 5 * math.sqrt(lam / n)
    assert abs(counts.var() - lam) < 5 * lam * math.sqrt(2 / n) * math.sqrt(1 + 1 / (2 * lam))
    # chi-square over the counts expected at least 20 times, the tails pooled
    observed = np.bincount(counts)
    expected = np.array([n * pmf(lam, x) for x in range(observed.size)])
    keep = expected >= 20
    obs = np.append(observed[keep], n - observed[keep].sum())
    exp = np.append(expected[keep], n - expected[keep].sum())
    chi2 = float(np.sum((obs - exp) ** 2 / exp))
    df = obs.size - 1
    assert chi2 < df + 6 * math.sqrt(2 * df) + 10, (chi2, df)


def counting_network(lam_per_step, n=400, seed=3, n_sources=10, dt=0.1):
    """u counts the input spikes: no leak to speak of and a threshold never reached."""
    model = sl.LIF(C=1e9, threshold=1e12)
    net = sl.Network(dt=dt, seed=seed)
    pop = net.add_population("P", n, model=model)
    rate = lam_per_step / (n_sources * dt / 1000.0)
    net.add_poisson_input(pop, rate=rate, weight=0.5, n_sources=n_sources)
    return net


@pytest.mark.parametrize("lam", [0.05, 1.5, 30.0])
def test_engine_delivers_poisson_counts_per_neuron_and_step(lam):
    res = counting_network(lam).run(50.0)
    increments = np.diff(res.potential("P"), axis=0) / 0.5
    counts = np.rint(increments)
    np.testing.assert_allclose(increments, counts, atol=1e-6)
    n = counts.size
    assert abs(counts.mean() - lam) < 5 * math.sqrt(lam / n)
    assert abs(counts.var() - lam) < 5 * lam * math.sqrt(2 / n) * math.sqrt(1 + 1 / (2 * lam))
    # independent across neurons and across steps
    centred = counts - counts.mean()
    across_neurons = np.mean(centred[:, 1:] * centred[:, :-1]) / counts.var()
    across_steps = np.mean(centred[1:] * centred[:-1]) / counts.var()
    assert abs(across_neurons) < 5 / math.sqrt(n) and abs(across_steps) < 5 / math.sqrt(n)


def test_poisson_streams_are_seeded_and_independent_of_the_rest_of_the_network():
    def run(seed, neighbour=False, second_input=False):
        net = counting_network(0.3, n=50, seed=seed)
        if neighbour:
            q = net.add_population("Q", 7, current=sl.Noise(0.0, 1.0))
            net.add_poisson_input(q, rate=100.0, weight=0.1)
        if second_input:
            net.add_poisson_input("P", rate=500.0, weight=0.0)
        return net.run(20.0).potential("P")

    first = run(4)
    np.testing.assert_array_equal(first, run(4))
    np.testing.assert_array_equal(first, run(4, neighbour=True))  # the first input keeps its stream
    np.testing.assert_array_equal(first, run(4, second_input=True))  # a silent weight adds nothing
    assert not np.array_equal(first, run(5))


def test_zero_rate_gives_no_input():
    silent = counting_network(0.0).run(5.0)
    np.testing.assert_array_equal(silent.potential("P"), 0.0)


def test_poisson_draws_do_not_depend_on_the_chunk_size(monkeypatch):
    from snnlab import engine

    whole = counting_network(0.7, n=30).run(30.0)
    monkeypatch.setattr(engine, "CHUNK_VALUES", 30 * 7)  # 7 steps per chunk
    chunked = counting_network(0.7, n=30).run(30.0)
    np.testing.assert_array_equal(whole.potential("P"), chunked.potential("P"))
