"""Checks of notebook 04's exercises (Brunel's balanced network): measuring a network's state.

* 4.1 ``cv_isi(spike_times, spike_neurons, n_neurons)``: the CV of each neuron's inter-spike
  intervals, against :func:`snnlab.analysis.cv_isi`;
* 4.2 ``modulation(spike_times, start, stop, bin=1.0)``: the excess modulation of the population
  rate, against :func:`snnlab.analysis.spike_synchrony` (its Fano factor) and
  :func:`snnlab.experiments.balanced.measure_state`;
* 4.3 ``classify_state(rate, cv, modulation, peak_frequency, peak_fraction)``: the state label,
  against :func:`snnlab.experiments.balanced.classify_state`;
* 4.4 ``measure_state(result, start=100.0)``: (rate, CV, modulation) of a run's excitatory
  population, against :func:`snnlab.experiments.balanced.measure_state`.

Every case is built here from seeded spike trains on the time grid (a :class:`snnlab.Result`
made directly from its spikes, no simulation), so a check needs no compiled kernel and answers
in milliseconds even in a fresh process. Units: time ms, rates Hz.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import analysis
from ..experiments import balanced as ex
from ..results import Result
from ._core import Failure, array, call, exercise, number

NOTEBOOK = "04_balanced_network"

#: The time step of every case, ms (the notebook's).
DT = 0.1

#: The measures of the notebook's runs: section 2's four examples and section 4's map at Brunel's
#: size (N_E = 10 000, J = 0.1 mV, from snnlab/data/brunel_state_map.json), and the panel's smaller
#: network (N_E = 2000) at the SI-fast point, rounded: (rate Hz, CV, modulation, peak Hz, peak
#: fraction). Inputs of the classify_state check only; the expected labels come from snnlab's
#: classify_state.
NOTEBOOK_MEASURES = {
    "example SR (g = 3, 2 nu_thr)": (332.36, 0.0008, 0.7129, 335.0, 1.0),
    "example SI-fast (g = 6, 4 nu_thr)": (58.953, 0.6264, 0.8413, 180.0, 0.7831),
    "example AI (g = 5, 2 nu_thr)": (38.227, 0.3531, 0.5859, 115.0, 0.4366),
    "example SI-slow (g = 4.5, 0.9 nu_thr)": (5.533, 0.2232, 1.77, 20.0, 0.1315),
    "map g = 4, 0.9 nu_thr": (14.191, 0.1758, 1.8576, 15.0, 0.2018),
    "map g = 8, 0.9 nu_thr": (0.947, 0.1601, 0.5825, 25.0, 0.3377),
    "map g = 4.5, 2 nu_thr": (56.48, 0.2932, 0.494, 120.0, 0.3338),
    "map g = 4, 4 nu_thr": (202.62, 0.1367, 0.331, 185.0, 0.8261),
    "map g = 5, 4 nu_thr": (94.005, 0.3886, 0.6506, 205.0, 0.7653),
    "panel N_E = 2000, g = 6, 4 nu_thr": (64.435, 0.992, 0.4213, 150.0, 0.5254),
    "a quiet run (g = 5, 0.5 nu_thr)": (0.0, math.nan, 0.0, math.nan, 0.0),
}


# -- building cases ------------------------------------------------------------------------------------
def make_result(sizes: dict, steps, neurons, n_steps: int, dt: float = DT) -> Result:
    """A :class:`snnlab.Result` holding only spikes, built without a simulation.

    Parameters
    ----------
    sizes : dict label -> n
        Populations in order; "I..." labels are inhibitory, the others excitatory.
    steps, neurons : array_like (n_spikes,), int
        Spike steps (time = step * dt) and network-wide neuron indices, in any order.
    n_steps : int
        Steps of the run (duration = n_steps * dt).
    dt : float
        Time step, ms.
    """
    labels = list(sizes)
    kinds = ["inhibitory" if lb.startswith("I") else "excitatory" for lb in labels]
    return Result(dt=dt, steps=n_steps, labels=labels, kinds=kinds, sizes=[sizes[lb] for lb in labels],
                  models=[ex.brunel_model()] * len(labels), spike_steps=np.asarray(steps, dtype=np.int64),
                  spike_neurons=np.asarray(neurons, dtype=np.int64), recorded=np.empty(0, dtype=np.int64),
                  potentials=np.empty((0, 0)), currents=np.empty((0, 0)),
                  params={"duration": n_steps * dt})


def _poisson_like(rng, n: int, rate: float, n_steps: int, first: int = 0):
    """Independent irregular trains: each neuron a random count (mean rate Hz) of distinct steps."""
    span = n_steps - first
    counts = rng.poisson(rate * span * DT / 1000.0, size=n).clip(0, span)
    steps = [first + rng.choice(span, size=c, replace=False) for c in counts]
    neurons = [np.full(c, i) for i, c in enumerate(counts)]
    return np.concatenate([*steps, np.empty(0, int)]), np.concatenate([*neurons, np.empty(0, int)])


def _clocks(n: int, period: int, n_steps: int, phases, first: int = 0, jitter=None):
    """Regular trains: neuron i fires every ``period`` steps from ``first + phases[i]``,
    each spike moved by ``jitter`` steps (an array of the right length) if given."""
    ticks = np.arange(first, n_steps, period)
    steps = (ticks[None, :] + np.asarray(phases)[:, None]).ravel()
    neurons = np.repeat(np.arange(n), ticks.size)
    if jitter is not None:
        steps = steps + jitter(steps.size)
    keep = (steps >= 0) & (steps < n_steps)
    return steps[keep], neurons[keep]


def _volleys(rng, n: int, period: int, p: float, spread: int, n_steps: int, first: int = 0):
    """Population volleys every ``period`` steps; each neuron joins each volley with
    probability ``p``, at a random offset within ``spread`` steps (one spike per neuron and step)."""
    ticks = np.arange(first, n_steps, period)
    join = rng.random((n, ticks.size)) < p
    neurons, which = np.nonzero(join)
    steps = ticks[which] + rng.integers(0, spread, size=which.size)
    keep = steps < n_steps
    return steps[keep], neurons[keep]


def _join(*parts):
    steps = np.concatenate([s for s, _ in parts])
    neurons = np.concatenate([n for _, n in parts])
    # at most one spike per neuron and step, as the simulator makes them
    _, first = np.unique(steps * 1_000_003 + neurons, return_index=True)
    return steps[first], neurons[first]


def _shuffled(rng, steps, neurons):
    order = rng.permutation(steps.size)
    return steps[order], neurons[order]


def _show_times(times, limit: int = 6) -> str:
    times = np.sort(np.asarray(times, dtype=float))
    shown = ", ".join(f"{t:g}" for t in times[:limit])
    if times.size > limit:
        shown += f", ... ({times.size} spikes)"
    return f"spikes at [{shown}] ms" if times.size else "no spikes"


# -- 4.1 the CV of ISIs ----------------------------------------------------------------------------------
@functools.cache
def _cv_cases() -> tuple:
    """(name, n_neurons, spike steps, neuron indices) of every case, in the order they are tried."""
    rng = np.random.default_rng(4_1)
    cases = []
    s = np.arange(50, 2000, 250)
    cases.append(("one regular neuron (every 25 ms)", 1, s, np.zeros(s.size, int)))
    s = np.sort(rng.choice(20000, size=400, replace=False))
    cases.append(("one Poisson-like neuron (400 spikes in 2 s)", 1, s, np.zeros(s.size, int)))
    cases.append(("four neurons with 0, 1, 2 and 3 spikes", 4, np.array([700, 200, 450, 50, 250, 600]),
                  np.array([1, 2, 2, 3, 3, 3])))
    cases.append(("three silent neurons (no spikes at all)", 3, np.empty(0, int), np.empty(0, int)))
    cases.append(("an empty population (n_neurons = 0)", 0, np.empty(0, int), np.empty(0, int)))
    s, n = _clocks(2, 100, 1000, [0, 30])
    cases.append(("two regular neurons, out of phase", 2, s, n))
    s, n = _clocks(3, 40, 600, [0, 7, 19], jitter=lambda k: rng.integers(0, 15, size=k))
    cases.append(("three neurons, spikes in reverse time order", 3, s[::-1], n[::-1]))
    s, n = _poisson_like(rng, 6, 80.0, 2000)
    cases.append(("six neurons, spikes sorted by neuron (not time)", 6, s, n))
    s, n = _poisson_like(rng, 5, 60.0, 3000)
    cases.append(("ten neurons, the last five silent", 10, *_shuffled(rng, s, n)))
    for k in range(8):
        n_neurons = int(rng.integers(2, 60))
        parts = [_poisson_like(rng, n_neurons, float(rng.uniform(5, 120)), 3000)]
        m = int(rng.integers(1, n_neurons + 1))
        clock = _clocks(m, int(rng.integers(30, 200)), 3000, rng.integers(0, 30, size=m),
                        jitter=lambda size: rng.integers(0, 5, size=size))
        parts.append((clock[0], rng.permutation(n_neurons)[:m][clock[1]]))
        s, n = _join(*parts)
        cases.append((f"random {k + 1} (mixed regular and irregular neurons)", n_neurons, *_shuffled(rng, s, n)))
    return tuple(cases)


def _cv_reference(n_neurons: int, steps, neurons) -> np.ndarray:
    n_steps = int(np.max(steps, initial=0)) + 1
    return analysis.cv_isi(make_result({"P": n_neurons}, steps, neurons, n_steps), "P")


def _cv_hint(times, expected: float, got: float) -> str:
    intervals = np.diff(np.sort(times))
    unsorted = np.diff(times)
    guesses = [
        (intervals.std(ddof=1) / intervals.mean() if intervals.size > 1 else math.nan,
         "that is the sample standard deviation (ddof=1); use the population one (ddof=0), as snnlab does"),
        (np.std(times) / np.mean(times), "that is std/mean of the spike times themselves, not of the intervals "
                                          "between consecutive spikes"),
        (np.std(unsorted) / np.mean(unsorted) if unsorted.size else math.nan,
         "were the neuron's spike times in time order before you took differences?"),
    ]
    for value, hint in guesses:
        if math.isfinite(value) and math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9):
            return hint
    return ("each neuron's CV comes from its own intervals only (not from the intervals of all neurons' "
            "spikes together), as standard deviation over mean")


@exercise(NOTEBOOK, "cv_isi", targets="cv_isi", title="The CV of each neuron's inter-spike intervals")
def cv_isi(student_cv_isi):
    """Check ``cv_isi(spike_times, spike_neurons, n_neurons) -> ndarray (n_neurons,)``."""
    cases = _cv_cases()
    for name, n_neurons, steps, neurons in cases:
        expected = _cv_reference(n_neurons, steps, neurons)
        times = steps * DT
        case = f"'{name}' (n_neurons = {n_neurons}, {steps.size} spikes)"
        got = call(student_cv_isi, times.copy(), neurons.copy(), n_neurons,
                   what="cv_isi(spike_times, spike_neurons, n_neurons)", case=case)
        got = array(got, what="cv_isi's result", shape=(n_neurons,), case=case).astype(float)
        for i in range(n_neurons):
            mine = times[neurons == i]
            where = f"case {case}, neuron {i} ({_show_times(mine)})"
            if math.isnan(expected[i]):
                if not math.isnan(got[i]):
                    raise Failure(f"{where}: expected CV = NaN (not measurable), got {got[i]:.6g}. Hint: a neuron "
                                  "with fewer than 3 spikes has fewer than 2 intervals; its CV is NaN, not a number "
                                  "that would pull the mean CV down")
            elif math.isnan(got[i]):
                raise Failure(f"{where}: expected CV = {expected[i]:.6g}, got NaN. Hint: {mine.size} spikes are "
                              "enough (3 or more spikes give a CV)")
            elif not math.isclose(got[i], expected[i], rel_tol=1e-6, abs_tol=1e-9):
                raise Failure(f"{where}: expected CV = {expected[i]:.6g}, got {got[i]:.6g}. "
                              f"Hint: {_cv_hint(mine, expected[i], got[i])}")
    return (f"{len(cases)} cases agree with snnlab.analysis.cv_isi (regular trains give 0, Poisson-like about 1; "
            "0, 1 or 2 spikes give NaN; silent and empty populations; unsorted spikes)")


# -- 4.2 the modulation of the population rate ----------------------------------------------------------
@functools.cache
def _modulation_cases() -> tuple:
    """(name, n, steps, neurons, n_steps, start ms, bin ms) of every case, in order."""
    rng = np.random.default_rng(4_2)
    cases = []
    s, n = _poisson_like(rng, 200, 30.0, 3000)
    cases.append(("independent irregular neurons", 200, s, n, 3000, 100.0, 1.0))
    s, n = _volleys(rng, 200, 250, 0.5, 20, 3000)
    cases.append(("volleys every 25 ms", 200, s, n, 3000, 100.0, 1.0))
    s, n = _clocks(100, 100, 3000, np.arange(100))
    cases.append(("regular staggered clocks (fewer fluctuations than counting noise)", 100, s, n, 3000, 100.0, 1.0))
    cases.append(("a silent population", 50, np.empty(0, int), np.empty(0, int), 3000, 100.0, 1.0))
    s, n = _join(_volleys(rng, 100, 50, 0.9, 3, 1000), _poisson_like(rng, 100, 20.0, 3000, first=1000))
    cases.append(("volleys before start, irregular after", 100, s, n, 3000, 100.0, 1.0))
    s, n = _join(_poisson_like(rng, 100, 40.0, 2505), (np.full(100, 2503), np.arange(100)))
    cases.append(("a volley in the last, partial millisecond of a 250.5 ms run", 100, s, n, 2505, 150.0, 1.0))
    s, n = _join(_poisson_like(rng, 100, 40.0, 2000), (np.full(80, 1000), np.arange(80)),
                 (np.full(80, 999), np.arange(20, 100)))
    cases.append(("a volley exactly at start and one a step before it", 100, s, n, 2000, 100.0, 1.0))
    s, n = _volleys(rng, 150, 170, 0.3, 10, 3000)
    cases.append(("volleys every 17 ms, 2 ms bins", 150, s, n, 3000, 100.0, 2.0))
    s, n = _poisson_like(rng, 300, 50.0, 3000)
    cases.append(("independent irregular neurons, 0.5 ms bins", 300, s, n, 3000, 100.0, 0.5))
    for k in range(6):
        size = int(rng.integers(20, 400))
        period = int(rng.integers(40, 400))
        parts = [_poisson_like(rng, size, float(rng.uniform(1, 60)), 3000),
                 _volleys(rng, size, period, float(rng.uniform(0, 0.4)), int(rng.integers(1, 40)), 3000)]
        start = float(rng.choice([0.0, 50.0, 100.0]))
        cases.append((f"random {k + 1} (irregular neurons and volleys every {period * DT:g} ms)", size,
                      *_shuffled(rng, *_join(*parts)), 3000, start, 1.0))
    return tuple(cases)


def _modulation_reference(n: int, steps, neurons, n_steps: int, start: float, bin: float) -> float:
    """sqrt(max(F - 1, 0) / mean count) over the whole bins from start, F from snnlab."""
    res = make_result({"P": n}, steps, neurons, n_steps)
    fano = analysis.spike_synchrony(res, "P", bin=bin, start=start)
    k0, b = round(start / DT), round(bin / DT)
    n_bins = (n_steps - k0) // b
    inside = np.count_nonzero((steps >= k0) & ((steps - k0) // b < n_bins))
    mean = inside / n_bins
    return math.sqrt(max(fano - 1.0, 0.0) / mean) if mean > 0 and math.isfinite(fano) else 0.0


def _modulation_hint(times, start: float, stop: float, bin: float, got: float) -> str:
    def counts_from(origin, keep=None):
        n_bins = math.floor(round((stop - origin) / bin, 9))
        edges = origin + bin * np.arange(n_bins + 1)
        return np.histogram(times if keep is None else times[keep], bins=edges)[0].astype(float)

    def excess(counts, ddof=1):
        mean = counts.mean()
        return math.sqrt(max(counts.var(ddof=ddof) / mean - 1.0, 0.0) / mean) if mean > 0 else 0.0

    counts = counts_from(start)
    mean = counts.mean()
    guesses = [
        (excess(counts_from(start, times > start)), "a spike exactly at start counts (t >= start)"),
        (excess(counts_from(0.0)), "the bins start at `start`, not at 0: the spikes before start are the "
                                   "transient, left out"),
        (excess(counts * 1000.0 / bin), "use the spike counts per bin, not rates"),
        (excess(counts, ddof=0), "use the sample variance (ddof=1), as snnlab.spike_synchrony does"),
    ]
    if mean > 0:
        guesses += [
            (math.sqrt(counts.var(ddof=1)) / mean, "the counting noise of independent neurons is not taken out: "
                                                  "subtract 1 from the Fano factor first"),
            (counts.var(ddof=1) / mean, "that is the Fano factor F itself; the modulation is computed from it"),
        ]
    for value, hint in guesses:
        if math.isfinite(value) and math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9):
            return hint
    if math.isnan(got):
        return "when F < 1 (fluctuations smaller than counting noise) the modulation is 0, not the root of a negative"
    return ("count the spikes in whole bins of `bin` ms from `start` (a spike exactly at start counts; spikes "
            "before start and in a last, partial bin do not)")


@exercise(NOTEBOOK, "modulation", targets="modulation", title="The modulation of the population rate")
def modulation(student_modulation):
    """Check ``modulation(spike_times, start, stop, bin=1.0) -> float``."""
    cases = _modulation_cases()
    for name, n, steps, neurons, n_steps, start, bin in cases:
        expected = _modulation_reference(n, steps, neurons, n_steps, start, bin)
        times = steps * DT
        stop = n_steps * DT
        case = (f"'{name}' ({steps.size} spikes of {n} neurons, start = {start:g} ms, stop = {stop:g} ms, "
                f"bin = {bin:g} ms)")
        got = call(student_modulation, times.copy(), start, stop, bin,
                   what="modulation(spike_times, start, stop, bin)", case=case)
        got = number(got, what="modulation's result", case=case)
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            raise Failure(f"case {case}: expected modulation = {expected:.6g}, got {got:.6g}. "
                          f"Hint: {_modulation_hint(times, start, stop, bin, got)}")
    return (f"{len(cases)} cases agree with snnlab's modulation (irregular, volleys, F < 1, silent, spikes before "
            "start and in a partial last bin, 0.5 and 2 ms bins)")


# -- 4.3 classifying the state ------------------------------------------------------------------------------
def _threshold_grid():
    rates = (0.0, 0.999, 1.0, 8.5, 40.0, 66.0, 200.0, 335.0)
    cvs = (math.nan, 0.0, 0.299, 0.3, 0.77, 1.2)
    modulations = (0.0, 0.499, 0.5, 0.6, 0.849, 0.85, 1.33)
    peaks = (30.0, 60.0, 99.9, 100.0, 170.0, 300.0, 335.0)
    fractions = (0.0, 0.599, 0.6, 0.95)
    for r in rates:
        for c in cvs:
            for m in modulations:
                for f in peaks:
                    for q in fractions:
                        yield (r, c, m, f, q)


@functools.cache
def _state_cases() -> tuple:
    cases = [(name, values) for name, values in NOTEBOOK_MEASURES.items()]
    edges = [
        ("at the quiet boundary", (1.0, 0.8, 0.2, 50.0, 0.1)),
        ("just below the quiet boundary", (0.9999, 0.8, 0.2, 50.0, 0.1)),
        ("CV not measurable (NaN), modulated", (40.0, math.nan, 0.6, 40.0, 0.9)),
        ("CV exactly at the irregular boundary", (40.0, 0.3, 0.3, 120.0, 0.2)),
        ("modulation exactly at the synchrony boundary", (200.0, 0.1, 0.5, 300.0, 0.9)),
        ("peak exactly 1.5 times the rate", (200.0, 0.1, 0.7, 300.0, 0.9)),
        ("modulation exactly at the slow-volley boundary", (20.0, 0.8, 0.85, 40.0, 0.3)),
        ("regular, strong slow volleys at the neurons' own rhythm", (40.0, 0.1, 0.9, 40.0, 0.5)),
        ("peak exactly at the fast boundary", (60.0, 0.8, 0.6, 100.0, 0.8)),
        ("peak fraction exactly at the sharp-rhythm boundary", (60.0, 0.8, 0.6, 170.0, 0.6)),
    ]
    cases += edges
    cases += [("grid", values) for values in _threshold_grid()]
    return tuple(cases)


def _state_hint(values, got) -> str:
    rate, cv, mod, peak, fraction = values
    at = [rate == ex.QUIET_HZ, cv == ex.CV_IRREGULAR, mod in (ex.MODULATION_SYNC, ex.MODULATION_SLOW),
          peak in (ex.FAST_HZ, ex.SR_CYCLES * rate), fraction == ex.PEAK_FRACTION_FAST]
    if got == "quiescent" and rate >= ex.QUIET_HZ:
        return "the rate is given in Hz (spikes per second)"
    if math.isnan(cv):
        return "a CV of NaN (too few spikes to measure it) counts as regular, as in snnlab"
    if any(at):
        return "this case sits exactly on a threshold: check which side of each rule includes the boundary (≥ or <)"
    return "go through the rules in the table's order, and use the first that applies"


@exercise(NOTEBOOK, "classify_state", targets="classify_state", title="Classifying the network's state")
def classify_state(student_classify_state):
    """Check ``classify_state(rate, cv, modulation, peak_frequency, peak_fraction) -> str``."""
    cases = _state_cases()
    for name, values in cases:
        expected = ex.classify_state(*values)
        rate, cv, mod, peak, fraction = values
        shown = (f"rate = {rate:g} Hz, cv = {cv:g}, modulation = {mod:g}, peak_frequency = {peak:g} Hz, "
                 f"peak_fraction = {fraction:g}")
        case = f"{name}: {shown}" if name != "grid" else shown
        got = call(student_classify_state, *values, what="classify_state(...)", case=case)
        if not isinstance(got, str) or got not in ex.STATES:
            labels = ", ".join(repr(s) for s in ex.STATES)
            raise Failure(f"case {case}: classify_state should return one of {labels}, got {got!r}")
        if got != expected:
            raise Failure(f"case {case}: expected {expected!r}, got {got!r}. "
                          f"Hint: {_state_hint(values, got)}")
    return (f"{len(cases)} cases agree with snnlab's classify_state (the notebook's measured examples, every "
            "threshold exactly, a grid around them, NaN CV)")


# -- 4.4 measuring a run ----------------------------------------------------------------------------------
@functools.cache
def _measure_cases() -> tuple:
    """(name, Result, start ms) of every case, in order: E and I populations, network-wide indices."""
    rng = np.random.default_rng(4_4)

    def network(n_e, n_i, e_parts, i_parts, n_steps, dt=DT):
        s_e, n_e_ = _join(*e_parts) if e_parts else (np.empty(0, int), np.empty(0, int))
        s_i, n_i_ = _join(*i_parts) if i_parts else (np.empty(0, int), np.empty(0, int))
        steps = np.concatenate([s_e, s_i])
        neurons = np.concatenate([n_e_, n_i_ + n_e])
        return make_result({"E": n_e, "I": n_i}, steps, neurons, n_steps, dt)

    cases = []
    cases.append(("AI-like: independent irregular neurons",
                  network(200, 50, [_poisson_like(rng, 200, 30.0, 3000)], [_poisson_like(rng, 50, 30.0, 3000)],
                          3000), 100.0))
    jitter = lambda size: rng.integers(0, 3, size=size)  # noqa: E731
    cases.append(("SR-like: every neuron in every 3-ms cycle",
                  network(100, 25, [_clocks(100, 30, 3000, np.zeros(100, int), jitter=jitter)],
                          [_clocks(25, 30, 3000, np.zeros(25, int), jitter=jitter)], 3000), 100.0))
    cases.append(("SI-slow-like: sparse volleys every 33 ms",
                  network(200, 50, [_volleys(rng, 200, 330, 0.3, 20, 3000)], [_volleys(rng, 50, 330, 0.3, 20, 3000)],
                          3000), 100.0))
    cases.append(("a strong transient before start, few spikes after",
                  network(150, 40, [_volleys(rng, 150, 60, 0.8, 5, 1000), _poisson_like(rng, 150, 8.0, 3000, 1000)],
                          [_poisson_like(rng, 40, 200.0, 3000)], 3000), 100.0))
    cases.append(("silent after start (quiescent)",
                  network(100, 25, [_volleys(rng, 100, 80, 0.9, 5, 900)], [_poisson_like(rng, 25, 50.0, 900)], 3000),
                  100.0))
    cases.append(("no spikes at all", network(80, 20, [], [], 3000), 100.0))
    cases.append(("start = 150 ms in a 250.5 ms run",
                  network(120, 30, [_poisson_like(rng, 120, 40.0, 2505), _volleys(rng, 120, 200, 0.3, 10, 2505)],
                          [_poisson_like(rng, 30, 40.0, 2505)], 2505), 150.0))
    cases.append(("dt = 0.05 ms, start = 50 ms",
                  network(100, 25, [_poisson_like(rng, 100, 25.0, 4000)], [_poisson_like(rng, 25, 25.0, 4000)], 4000,
                          dt=0.05), 50.0))
    return tuple(cases)


def _measure_hint(quantity: str, result: Result, start: float, got: float, expected) -> str:
    if quantity == "rate":
        whole = analysis.mean_rate(result, "E")
        both = (result.spikes("E")[0] >= start).sum() + (result.spikes("I")[0] >= start).sum()
        if math.isclose(got, expected.rate / 1000.0, rel_tol=1e-6, abs_tol=1e-12) and expected.rate:
            return "rates are in Hz, spikes per second; times are in ms"
        if math.isclose(got, whole, rel_tol=1e-6) and whole != expected.rate:
            return "count only the spikes at or after start, over the time from start to the end of the run"
        if math.isclose(got, both * 1000.0 / (result.size("E") * (result.duration - start)), rel_tol=1e-6):
            return "measure the excitatory population E only"
        return "spikes of E at or after start, per neuron of E, per second from start to the end of the run"
    if quantity == "cv":
        return ("the mean of your cv_isi over E's neurons with a measurable CV (NaN left out; NaN if none), from E's "
                "spikes at or after start only")
    return "your modulation of E's spike times at or after start, from start to the end of the run (result.duration)"


@exercise(NOTEBOOK, "measure_state", targets="measure_state", title="Measuring a run's state")
def measure_state(student_measure_state):
    """Check ``measure_state(result, start=100.0) -> (rate Hz, cv, modulation)``."""
    cases = _measure_cases()
    for name, result, start in cases:
        expected = ex.measure_state(result, start=start)
        case = (f"'{name}' (N_E = {result.size('E')}, N_I = {result.size('I')}, {result.duration:g} ms, "
                f"dt = {result.dt:g} ms, start = {start:g} ms)")
        got = call(student_measure_state, result, start, what="measure_state(result, start)", case=case)
        got = array(got, what="measure_state's result (rate, cv, modulation)", shape=(3,), case=case).astype(float)
        for quantity, value, unit in zip(("rate", "cv", "modulation"), got, (" Hz", "", "")):
            want = getattr(expected, quantity)
            same = (math.isnan(want) and math.isnan(value)) or math.isclose(value, want, rel_tol=1e-6, abs_tol=1e-9)
            if not same:
                raise Failure(f"case {case}: expected {quantity} = {want:.6g}{unit}, got {value:.6g}{unit}. "
                              f"Hint: {_measure_hint(quantity, result, start, value, expected)}")
    return (f"{len(cases)} runs agree with snnlab's measure_state (irregular, synchronous, volleys, a transient, "
            "quiescent, no spikes, a partial last bin, dt = 0.05 ms)")
