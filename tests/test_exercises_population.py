"""Notebook 02's exercise checks: the notebook's own solutions pass, stubs are "not done yet",
and plausible wrong solutions are each rejected with a message naming the failing case."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from exercise_contract import ExerciseContract

import snnlab as sl
from snnlab.exercises import population as check
from snnlab.experiments import population as ex

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_population.ipynb"
NAMES = ("report_pairs", "build_group", "plot_group_raster", "population_rate")


def _notebook_solutions() -> dict:
    """The instructor edition's exercise cells (those with a solution region), executed."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    namespace = {"np": np, "sl": sl, "ex": ex}
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "# BEGIN SOLUTION" in source:
            exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    return {name: namespace[name] for name in NAMES}


SOLUTIONS = _notebook_solutions()


def verdict(name, value):
    return getattr(check, name)(value, quiet=True)


# -- the reference -------------------------------------------------------------------------------------------
def test_reference_group_reproduces_the_experiment():
    """The check's reference, fed the synapses and offsets of ex.population, fires like it."""
    run = ex.population(**ex.VARIETY)
    c = run.connections()
    pairs = np.column_stack([c["pre"], c["post"]])
    rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(100,)))
    offsets = ex.VARIETY["offset"] + ex.VARIETY["spread"] * rng.standard_normal(100)
    again = check.reference_group(pairs, 80, 20, offsets).run(100.0)
    for label in ("E", "I"):
        assert np.array_equal(again.spike_steps(label)[0], run.spike_steps(label)[0])
        assert np.array_equal(again.spike_steps(label)[1], run.spike_steps(label)[1])
    assert run.spike_count("E").sum() > 100  # the comparison says something


@pytest.mark.parametrize(("n", "p", "k"), [(100, 0.01, 1), (100, 0.012, 2), (100, 0.07, 7), (10, 1.0, 9), (1, 0.5, 0),
                                     (4, 0.6, 3), (20, 0.0, 0)])
def test_reference_degree(n, p, k):
    assert check.reference_degree(n, p) == k


def test_reference_pairs_have_the_rule_s_degrees():
    pairs = check.reference_pairs(80, 20, 0.01, 0.02, np.random.default_rng(0))
    degree = np.bincount(pairs[:, 0], minlength=100)
    assert degree[:80].tolist() == [1] * 80 and degree[80:].tolist() == [2] * 20
    assert not np.any(pairs[:, 0] == pairs[:, 1])


def test_reference_rate_matches_snnlab_analysis():
    run = ex.population(**ex.VARIETY)
    steps, _ = run.spike_steps("E")
    _, rate = sl.analysis.population_rate(run, "E", bin=2.0)
    assert np.allclose(check.reference_rate(steps, 80, 1000, 20), rate)


# -- 2.1 report_pairs ---------------------------------------------------------------------------------------
def _degree(n, p):
    return min(math.ceil(round(n * p, 9)), n - 1)


def _pairs_from(draw):
    """A rule from ``draw(source, n, k, rng) -> targets``, with the right k per kind."""
    def report_pairs(n_exc, n_inh, p_exc, p_inh, rng):
        n = n_exc + n_inh
        rows = []
        for s in range(n):
            k = _degree(n, p_exc if s < n_exc else p_inh)
            rows += [(s, int(t)) for t in draw(s, n, k, rng, n_exc)]
        return np.array(rows, dtype=int).reshape(-1, 2)

    return report_pairs


def _others(s, n):
    return np.delete(np.arange(n), s)


def round_not_ceil(n_exc, n_inh, p_exc, p_inh, rng):
    n = n_exc + n_inh
    rows = []
    for s in range(n):
        k = min(round(n * (p_exc if s < n_exc else p_inh)), n - 1)
        rows += [(s, int(t)) for t in rng.choice(_others(s, n), size=k, replace=False)]
    return np.array(rows, dtype=int).reshape(-1, 2)


def ceil_without_rounding(n_exc, n_inh, p_exc, p_inh, rng):
    n = n_exc + n_inh
    rows = []
    for s in range(n):
        k = min(math.ceil(n * (p_exc if s < n_exc else p_inh)), n - 1)
        rows += [(s, int(t)) for t in rng.choice(_others(s, n), size=k, replace=False)]
    return np.array(rows, dtype=int).reshape(-1, 2)


def no_cap(n_exc, n_inh, p_exc, p_inh, rng):
    n = n_exc + n_inh
    rows = []
    for s in range(n):
        k = math.ceil(round(n * (p_exc if s < n_exc else p_inh), 9))
        rows += [(s, int(t)) for t in rng.choice(_others(s, n), size=k, replace=False)]
    return np.array(rows, dtype=int).reshape(-1, 2)


def wrong_kind(n_exc, n_inh, p_exc, p_inh, rng):
    return _pairs_from(lambda s, n, k, rng, ne: rng.choice(_others(s, n), size=k, replace=False))(
        n_exc, n_inh, p_inh, p_exc, rng)


def global_random(n_exc, n_inh, p_exc, p_inh, rng):
    return _pairs_from(lambda s, n, k, r, ne: np.random.choice(_others(s, n), size=k, replace=False))(  # noqa: NPY002
        n_exc, n_inh, p_exc, p_inh, rng)


def own_seed(n_exc, n_inh, p_exc, p_inh, rng):
    mine = np.random.default_rng(0)
    return _pairs_from(lambda s, n, k, r, ne: mine.choice(_others(s, n), size=k, replace=False))(
        n_exc, n_inh, p_exc, p_inh, rng)


def own_kind_only(s, n, k, rng, n_exc):
    same = np.arange(n_exc) if s < n_exc else np.arange(n_exc, n)
    same = same[same != s]
    return rng.choice(same, size=min(k, same.size), replace=False)


def own_kind_first(s, n, k, rng, n_exc):
    """Among the source's own kind, and among all only when its kind is too small."""
    same = np.arange(n_exc) if s < n_exc else np.arange(n_exc, n)
    same = same[same != s]
    pool = same if k <= same.size else _others(s, n)
    return rng.choice(pool, size=k, replace=False)


def next_neighbours(s, n, k, rng, n_exc):
    """Targets among the 2k neurons after the source: in range, distinct, no autapse, but not uniform."""
    window = (s + 1 + np.arange(min(2 * k, n - 1))) % n
    return rng.choice(window, size=k, replace=False)


REPORT_PAIRS_WRONG = {
    "round instead of ceil": (round_not_ceil, r"n_exc = 50, n_inh = 50.*source 0 \(excitatory\) has 1 target, "
                                              r"expected 2.*rounds it up"),
    "float error in ceil": (ceil_without_rounding, r"n_exc = 93, n_inh = 7, p_exc = 0.07.*expected 7.*"
                                                    r"7.000000000000001 in floating point"),
    "no cap at N - 1": (no_cap, r"raised ValueError.*p_exc = 1.0"),
    "autapses allowed": (_pairs_from(lambda s, n, k, rng, ne: rng.choice(n, size=k, replace=False)),
                         r"case n_exc = .*connects neuron \d+ to itself"),
    "multapses": (_pairs_from(lambda s, n, k, rng, ne: rng.choice(_others(s, n), size=k, replace=True)),
                  r"case n_exc = .*is drawn twice.*without replacement"),
    "own kind only": (_pairs_from(own_kind_only), r"p_exc = 1.0.*source 0 \(excitatory\) has 5 targets, expected 9.*"
                                                 r"among all N neurons, of both kinds"),
    "own kind when it can": (_pairs_from(own_kind_first), r"200 draws.*excitatory sources chose inhibitory targets "
                                                         r"0 times.*both kinds"),
    "p of the other kind": (wrong_kind, r"n_exc = 80, n_inh = 20.*source 0 \(excitatory\) has 2 targets, "
                                        r"expected 1.*which probability"),
    "global np.random": (global_random, r"default_rng\(11\) gave different pairs.*not from np.random"),
    "ignores rng": (own_seed, r"default_rng\(11\) and np.random.default_rng\(12\) gave the same pairs"),
    "not uniform": (_pairs_from(next_neighbours), r"200 draws.*not spread evenly.*equally likely"),
}


@pytest.mark.parametrize(("bad", "pattern"), [
    (lambda *a: SOLUTIONS["report_pairs"](*a).astype(float), r"integer neuron indices, got dtype float64"),
    (lambda *a: SOLUTIONS["report_pairs"](*a).T, r"shape \(n_syn, 2\).*got shape \(2, 120\) on case n_exc = 80"),
    (lambda *a: "pairs", r"should be an array of \(source, target\) pairs, got str"),
], ids=["floats", "transposed", "a string"])
def test_report_pairs_wrong_type_or_shape(bad, pattern):
    v = verdict("report_pairs", bad)
    assert v.status == "failed"
    assert re.search(pattern, v.message), v.message


def test_report_pairs_accepts_any_empty_array_and_any_order():
    def reversed_order(*args):
        pairs = SOLUTIONS["report_pairs"](*args)
        return pairs[::-1] if pairs.size else np.array([])

    assert verdict("report_pairs", reversed_order).passed


# -- 2.2 build_group ----------------------------------------------------------------------------------------
def _group(kind_i="inhibitory", delay=0.1, model=None, i_offsets=None, wave=None, weight=2.0, skip_empty_i=True,
           run=False):
    def build_group(pairs, n_exc, n_inh, offsets):
        net = sl.Network(dt=0.1)
        current = wave or sl.Sine(1.0, period=2 * np.pi * 8)
        groups = [net.add_population("E", n_exc, "excitatory", current + offsets[:n_exc], model)]
        if n_inh or not skip_empty_i:
            mine = offsets[n_exc:] if i_offsets is None else i_offsets(offsets, n_exc, n_inh)
            groups.append(net.add_population("I", n_inh, kind_i, current + mine, model))
        net.connect(groups, groups, rule="pairs", pairs=pairs, weight=weight, delay=delay)
        return net.run(100.0) if run else net

    return build_group


def e_local_pairs(pairs, n_exc, n_inh, offsets):
    net = sl.Network(dt=0.1)
    e = net.add_population("E", n_exc, "excitatory", lambda t: np.sin(t / 8) + offsets[:n_exc])
    i = net.add_population("I", n_inh, "inhibitory", lambda t: np.sin(t / 8) + offsets[n_exc:])
    net.connect(e, i, rule="pairs", pairs=pairs)
    return net


def signed_weights(pairs, n_exc, n_inh, offsets):
    net = sl.Network(dt=0.1)
    groups = [net.add_population("E", n_exc, "excitatory", sl.Sine(1.0, 2 * np.pi * 8) + offsets[:n_exc])]
    if n_inh:
        groups.append(net.add_population("I", n_inh, "inhibitory", sl.Sine(1.0, 2 * np.pi * 8) + offsets[n_exc:]))
    from_e = pairs[pairs[:, 0] < n_exc]
    from_i = pairs[pairs[:, 0] >= n_exc]
    net.connect(groups, groups, rule="pairs", pairs=from_e, weight=2.0, delay=0.1)
    net.connect(groups, groups, rule="pairs", pairs=from_i, weight=-2.0, delay=0.1)
    return net


def drops_i_to_i(pairs, n_exc, n_inh, offsets):
    """Four projections with local indices, but the I→I one forgotten."""
    net = sl.Network(dt=0.1)
    wave = sl.Sine(1.0, 2 * np.pi * 8)
    e = net.add_population("E", n_exc, "excitatory", wave + offsets[:n_exc])
    i = net.add_population("I", n_inh, "inhibitory", wave + offsets[n_exc:]) if n_inh else None
    for pre, post, lo_pre, lo_post in ((e, e, 0, 0), (e, i, 0, n_exc), (i, e, n_exc, 0)):
        if pre is None or post is None:
            continue
        keep = ((pairs[:, 0] >= lo_pre) & (pairs[:, 0] < lo_pre + pre.n)
                & (pairs[:, 1] >= lo_post) & (pairs[:, 1] < lo_post + post.n))
        net.connect(pre, post, rule="pairs", pairs=pairs[keep] - [lo_pre, lo_post], weight=2.0, delay=0.1)
    return net


BUILD_GROUP_WRONG = {
    "I declared excitatory": (_group(kind_i="excitatory"), r"small group.*population I is excitatory, expected "
                                                           r"inhibitory"),
    "delay of 1 ms": (_group(delay=1.0), r"small group.*synapse 0 → 1 \(E 0 → E 1\) has delay 1 ms, expected 0.1 ms"
                                         r".*counts time steps"),
    "I's offsets not split": (_group(i_offsets=lambda o, ne, ni: o[:ni]), r"small group.*neuron I 0's current at "
                                                                          r"t = 0 ms is 1.5 nA, expected 0.3 nA"),
    "sin(t) instead of sin(t/8)": (_group(wave=sl.Sine(1.0, 2 * np.pi)), r"small group.*neuron E 0's current at "
                                                                         r"t = 0.1 ms"),
    "the report's clamped neuron": (_group(model=sl.LIF(floor=0.0)), r"small group.*model differs.*floor = 0.0"),
    "Euler": (_group(model=sl.LIF(method="euler")), r"model differs.*method = 'euler'.*integrated exactly"),
    "weight 1 mV": (_group(weight=1.0), r"synapse 0 → 1 \(E 0 → E 1\) has weight \+1 mV, expected \+2 mV"),
    "pairs as E-local indices": (e_local_pairs, r"running the network you built raised "
                                                 r"ValueError: .*connect.pairs\[\d+\]: .*on case a small group"),
    "negative inhibitory weight": (signed_weights, r"raised ValueError: connect.weight: must be >= 0 mV"),
    "no I population when n_inh is 0 forgotten": (_group(skip_empty_i=False), r"raised ValueError.*12 E and no I"),
    "I to I forgotten": (drops_i_to_i, r"small group.*synapse 3 → 4 \(I 0 → I 1\) of the pairs is missing"),
    "returns the result": (_group(run=True), r"returned a Result: return the network itself"),
}


def test_build_group_accepts_another_correct_build():
    """Four projections with local indices, populations added I first, currents as f(t)."""
    def four_projections(pairs, n_exc, n_inh, offsets):
        net = sl.Network(dt=0.1, seed=3)
        pops = {}
        if n_inh:
            pops["I"] = net.add_population("I", n_inh, "inhibitory", lambda t: np.sin(t / 8) + offsets[n_exc:])
        pops["E"] = net.add_population("E", n_exc, "excitatory", lambda t: np.sin(t / 8) + offsets[:n_exc])
        lo = {"E": 0, "I": n_exc}
        for a in pops:
            for b in pops:
                keep = ((pairs[:, 0] >= lo[a]) & (pairs[:, 0] < lo[a] + pops[a].n)
                        & (pairs[:, 1] >= lo[b]) & (pairs[:, 1] < lo[b] + pops[b].n))
                if keep.any():
                    net.connect(pops[a], pops[b], rule="pairs", pairs=pairs[keep] - [lo[a], lo[b]], delay=0.1)
        return net

    v = verdict("build_group", four_projections)
    assert v.passed, v.message


def test_build_group_not_a_network():
    v = verdict("build_group", lambda *a: {"E": 1})
    assert v.status == "failed" and "should return an sl.Network, got dict" in v.message


# -- 2.3 plot_group_raster ----------------------------------------------------------------------------------
def _raster(colours=("red", "blue"), offset=True, base=0, xlabel="time (ms)", ylabel="neuron", swap=False,
            all_labels=True, scatter=False):
    def plot_group_raster(result, ax):
        labels = result.labels if all_labels else ["E", "I"]
        for label, colour in zip(labels, colours):
            t, n = result.spikes(label)
            y = n + (result.offset(label) if offset else 0) + base
            x, y = (y, t) if swap else (t, y)
            if scatter:
                ax.scatter(x, y, color=colour, s=4)
            else:
                ax.plot(x, y, "|", color=colour)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return ax

    return plot_group_raster


PLOT_WRONG = {
    "colours swapped": (_raster(colours=("blue", "red")), r"small group.*4 red points, expected 12 at the spikes "
                                                          r"of E.*which is which"),
    "default colours": (_raster(colours=("C0", "C1")), r"neither red nor blue"),
    "I drawn over E": (_raster(offset=False), r"blue points, expected \d+ at the spikes of I.*which row"),
    "numbered from 1": (_raster(base=1), r"red points.*start at 0"),
    "axes swapped": (_raster(swap=True), r"red points.*x is the time"),
    "no unit on x": (_raster(xlabel="time"), r"the x axis is labelled 'time'.*unit"),
    "no y label": (_raster(ylabel=""), r"the y axis has no label"),
    "I assumed": (_raster(all_labels=False), r"raised ValueError.*on case 12 E and no I"),
    "returns the figure": (lambda result, ax: ax.figure, r"should return the axes it was given, got Figure"),
}


def test_plot_group_raster_that_draws_but_returns_nothing_is_not_done():
    v = verdict("plot_group_raster", lambda result, ax: ax.plot([], []) and None)
    assert v.status == "not done" and "returned None" in v.message, v.message


@pytest.mark.parametrize("drawer", [
    _raster(scatter=True),
    _raster(colours=("tab:red", "tab:blue")),
], ids=["scatter", "tab-colours"])
def test_plot_group_raster_accepts_other_ways(drawer):
    v = verdict("plot_group_raster", drawer)
    assert v.passed, v.message


def test_plot_group_raster_accepts_snnlab_s_own_and_eventplot():
    def eventplot(result, ax):
        for label in result.labels:
            trains = result.spike_trains(label)
            colour = "red" if result.kind(label) == "excitatory" else "blue"
            ax.eventplot(trains, lineoffsets=result.offset(label) + np.arange(len(trains)), colors=colour)
        ax.set_xlabel("t (ms)")
        ax.set_ylabel("neuron index")
        return ax

    assert verdict("plot_group_raster", lambda result, ax: sl.plot_raster(result, ax=ax)).passed
    assert verdict("plot_group_raster", eventplot).passed


# -- 2.4 population_rate ------------------------------------------------------------------------------------
def _rate(scale=1000.0, per_neuron=True, binning="floor", divide_by="bin"):
    def population_rate(spike_times, n_neurons, duration, bin_width):
        n_bins = round(duration / bin_width)
        t = np.asarray(spike_times)
        if binning == "floor":
            index = np.floor(t / bin_width).astype(int)
        elif binning == "ceil-1":
            index = np.ceil(t / bin_width).astype(int) - 1
            index[index < 0] = 0
        elif binning == "round":
            index = np.round(t / bin_width).astype(int)
            index[index >= n_bins] = n_bins - 1
        counts = np.bincount(index, minlength=n_bins)[:n_bins]
        width = bin_width if divide_by == "bin" else duration
        return counts / (n_neurons if per_neuron else 1) / width * scale

    return population_rate


def histogram_drops_last_bin(spike_times, n_neurons, duration, bin_width):
    counts, _ = np.histogram(spike_times, bins=np.arange(0.0, duration, bin_width))
    return counts / n_neurons / bin_width * 1000.0


RATE_WRONG = {
    "spikes per ms": (_rate(scale=1.0), r"expected .* Hz, got .* Hz.*spikes per second"),
    "not per neuron": (_rate(per_neuron=False),
                       r"bin edge.*bin 1 \[5, 10\) ms: expected 50 Hz, got 200 Hz.*per neuron"),
    "last bin dropped": (histogram_drops_last_bin, r"no spike.*the rate has shape \(19,\), expected \(20,\).*missing"),
    "edge spike in the bin before": (_rate(binning="ceil-1"),
                                     r"exactly at a bin edge.*bin 0 \[0, 5\) ms: expected 0 Hz"),
    "nearest bin": (_rate(binning="round"),
                    r"bins of 0.5 ms.*bin 0 \[0, 0.5\) ms: expected 4000 Hz, got 2000 Hz.*the bin \["),
    "divided by the duration": (_rate(divide_by="duration"), r"times the expected value"),
}


WRONG = {"report_pairs": REPORT_PAIRS_WRONG, "build_group": BUILD_GROUP_WRONG, "plot_group_raster": PLOT_WRONG,
         "population_rate": RATE_WRONG}


class TestEveryExercise(ExerciseContract):
    checks = check
    reference = SOLUTIONS
    wrong = WRONG


def test_population_rate_with_the_times_too():
    def with_times(spike_times, n_neurons, duration, bin_width):
        rate = SOLUTIONS["population_rate"](spike_times, n_neurons, duration, bin_width)
        return (np.arange(rate.size) + 0.5) * bin_width, rate

    v = verdict("population_rate", with_times)
    assert v.status == "failed" and "shape (2, 20), expected (20,)" in v.message and "rates only" in v.message


def test_population_rate_not_numbers():
    v = verdict("population_rate", lambda *a: "fast")
    assert v.status == "failed" and "should return an array of numbers, got str" in v.message


def test_population_rate_accepts_histogram():
    def histogram(spike_times, n_neurons, duration, bin_width):
        n_bins = round(duration / bin_width)
        counts, _ = np.histogram(spike_times, bins=n_bins, range=(0.0, duration))
        return counts / n_neurons / (bin_width / 1000.0)

    assert verdict("population_rate", histogram).passed
