"""Checks of notebook 02's exercises: the report's group of excitatory and inhibitory neurons.

In the notebook::

    from snnlab.exercises import population as check
    check.report_pairs(report_pairs)            # 2.1 the report's connection rule
    check.build_group(build_group)              # 2.2 the 80/20 group from given pairs
    check.plot_group_raster(plot_group_raster)  # 2.3 its raster
    check.population_rate(population_rate)      # 2.4 the population rate from spike times

Each check runs the student's function on seeded random cases and edge cases and compares
with snnlab's reference (:mod:`snnlab.experiments.population`, :mod:`snnlab.analysis`) or
with properties the rule must have; it prints one line (see :mod:`snnlab.exercises._core`).

Units: time ms, potential mV, current nA, weights mV, rates Hz.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from .. import analysis
from ..experiments import population as ex
from ..inputs import Constant, Sine
from ..network import Network
from ..neurons import LIF
from ..results import Result
from ._core import Failure, call, exercise

NOTEBOOK = "02_population"

#: The group's fixed settings (the report's): time step, weight and delay of every synapse.
DT = 0.1  # ms
WEIGHT = 2.0  # mV
DELAY = 0.1  # ms, one step
DURATION = 100.0  # ms


def _load_kernels() -> None:
    """Run the smallest network once. A fresh process loads numba's compiled kernels on its first
    run (about a second): done here, at import (the notebook's setup cell), that second does not
    eat into a check's 2 s budget; in a notebook it was going to be paid by the first run anyway."""
    net = Network(dt=DT, seed=0)
    net.add_population("warm-up", 1)
    net.run(DT)


_load_kernels()


# -- references ---------------------------------------------------------------------------------------
def reference_degree(n: int, p: float) -> int:
    """Targets per source of the report's rule over ``n`` neurons: ``ceil(n*p)`` (on ``n*p``
    rounded to 9 decimals, as :func:`snnlab.experiments.population.report_degree`), capped at
    the ``n - 1`` other neurons, as :meth:`snnlab.Network.add_mixed_population` does."""
    return max(0, min(ex.report_degree(n, p), n - 1))


def reference_pairs(n_exc: int, n_inh: int, p_exc: float, p_inh: float, rng) -> np.ndarray:
    """One draw of the report's rule: ``(n_syn, 2)`` int64 (source, target) pairs over all
    ``N = n_exc + n_inh`` neurons (sources ``0 .. n_exc - 1`` excitatory), sorted."""
    n = n_exc + n_inh
    rows = []
    for source in range(n):  # build time, once per source
        k = reference_degree(n, p_exc if source < n_exc else p_inh)
        others = np.delete(np.arange(n), source)
        targets = np.sort(rng.choice(others, size=k, replace=False))
        rows.append(np.column_stack([np.full(k, source), targets]))
    return np.concatenate(rows).astype(np.int64) if rows else np.empty((0, 2), np.int64)


def reference_group(pairs, n_exc: int, n_inh: int, offsets) -> Network:
    """The report's group built from given pairs (what exercise 2.2 asks for): populations "E"
    and "I" (none when ``n_inh`` is 0), neuron i driven by ``sin(t/8) + offsets[i]`` nA (t in
    ms), the default LIF, dt 0.1 ms, every synapse 2 mV after 0.1 ms. The currents are built as
    :func:`snnlab.experiments.population.population` builds them."""
    offsets = np.asarray(offsets, dtype=float)
    net = Network(dt=DT, seed=0)
    wave = Sine(1.0, period=2 * math.pi * ex.SINE_SCALE)
    groups = [net.add_population("E", n_exc, "excitatory", wave + Constant(offsets[:n_exc]))]
    if n_inh:
        groups.append(net.add_population("I", n_inh, "inhibitory", wave + Constant(offsets[n_exc:])))
    net.connect(groups, groups, rule="pairs", pairs=np.asarray(pairs, dtype=np.int64).reshape(-1, 2),
                weight=WEIGHT, delay=DELAY)
    return net


def reference_rate(spike_steps, n_neurons: int, steps: int, bin_steps: int) -> np.ndarray:
    """Population rate, Hz per neuron, from whole spike steps (of dt = 0.1 ms) in bins of
    ``bin_steps`` steps: integer arithmetic, so no spike lands in the wrong bin by rounding."""
    counts = np.bincount(np.asarray(spike_steps, dtype=np.int64) // bin_steps, minlength=steps // bin_steps)
    return counts / n_neurons / (bin_steps * DT / 1000.0)


# -- helpers ------------------------------------------------------------------------------------------
def _int_pairs(value, *, what: str, case: str) -> np.ndarray:
    """The student's pairs as an (n_syn, 2) int64 array; an empty result of any shape is none."""
    try:
        out = np.asarray(value)
    except Exception:  # a ragged list
        out = None
    if out is None or out.dtype.kind not in "iufb":
        raise Failure(f"{what} should be an array of (source, target) pairs, got {type(value).__name__} "
                      f"on case {case}")
    if out.size == 0:
        return np.empty((0, 2), np.int64)
    if out.ndim != 2 or out.shape[1] != 2:
        raise Failure(f"{what} should have shape (n_syn, 2), one (source, target) row per synapse, "
                      f"got shape {out.shape} on case {case}")
    if out.dtype.kind not in "iu":
        raise Failure(f"{what} should hold integer neuron indices, got dtype {out.dtype} on case {case}. "
                      "Hint: indices are whole numbers; np.array(..., dtype=int)")
    return out.astype(np.int64)


def _count(n, noun: str) -> str:
    return f"{int(n)} {noun}" + ("" if int(n) == 1 else "s")


def _sorted(pairs: np.ndarray) -> np.ndarray:
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def _kind(i: int, n_exc: int) -> str:
    return "excitatory" if i < n_exc else "inhibitory"


def _name(i: int, n_exc: int) -> str:
    """A global index as the group's neuron: ``E 3`` or ``I 1``."""
    return f"E {i}" if i < n_exc else f"I {i - n_exc}"


# -- 2.1 the report's connection rule --------------------------------------------------------------------
def _rule_cases() -> list[tuple]:
    """(n_exc, n_inh, p_exc, p_inh, seed): edge cases first, then seeded random ones."""
    cases = [
        (80, 20, 0.01, 0.02, 1),    # the report's group
        (50, 50, 0.012, 0.1, 2),    # N p = 1.2 and 10: rounding up, not to nearest
        (93, 7, 0.07, 0.03, 3),     # 100 * 0.07 = 7.000000000000001 in floating point
        (10, 0, 0.3, 0.0, 4),       # no inhibitory neuron
        (7, 3, 0.0, 0.0, 5),        # p = 0: no synapse at all
        (6, 4, 1.0, 1.0, 6),        # p = 1: every other neuron, never itself
        (3, 1, 0.3, 0.6, 7),        # N = 4: ceil(2.4) = 3 = N - 1
        (12, 8, 0.5, 0.25, 8),      # half of the others: repeats would show
        (1, 0, 0.5, 0.5, 9),        # one neuron alone: nothing to connect to
    ]
    rng = np.random.default_rng(2002)
    for i in range(10):
        n_exc = int(rng.integers(1, 60))
        n_inh = int(rng.integers(0, 30))
        p_exc, p_inh = (round(float(x), 3) for x in rng.uniform(0.0, 0.4, size=2))
        cases.append((n_exc, n_inh, p_exc, p_inh, 100 + i))
    return cases


def _rule_case(n_exc, n_inh, p_exc, p_inh, seed=None) -> str:
    text = f"n_exc = {n_exc}, n_inh = {n_inh}, p_exc = {p_exc}, p_inh = {p_inh}"
    return text + (f", rng = np.random.default_rng({seed})" if seed is not None else "")


def _degree_hint(n, p, other_p, got, expected, own_kind) -> str:
    exact = n * p
    if got == own_kind - 1 < expected:
        return "targets are drawn among all N neurons, of both kinds"
    if got == expected + 1 and abs(exact - round(exact)) < 1e-9 and exact != round(exact):
        return (f"N·p = {n} * {p} is {exact!r} in floating point, a hair above the whole number it "
                "means; ceil of that goes one too far")
    if got == min(round(exact), n - 1) and got != expected:
        return "how is N·p turned into a whole number? The report rounds it up"
    if got == reference_degree(n, other_p) and got != expected:
        return "which probability belongs to a source of this kind?"
    if expected == n - 1 and got > expected:
        return "without autapses a neuron has only N - 1 possible targets"
    return "every source has ceil(N·p) targets, with N all the neurons and p by the source's kind"


def _check_draw(pairs, n_exc, n_inh, p_exc, p_inh, case) -> None:
    """Every property one draw of the rule must have."""
    n = n_exc + n_inh
    bad = np.flatnonzero((pairs < 0).any(axis=1) | (pairs >= n).any(axis=1))
    if bad.size:
        s, t = pairs[bad[0]]
        raise Failure(f"case {case}: pair ({s}, {t}) has an index outside 0 .. {n - 1}. Hint: neurons are "
                      "numbered 0 .. N - 1, the excitatory ones first")
    auto = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
    if auto.size:
        s = pairs[auto[0], 0]
        raise Failure(f"case {case}: pair ({s}, {s}) connects neuron {s} to itself (an autapse). "
                      "Hint: a neuron's targets are drawn among the other neurons")
    ordered = _sorted(pairs)
    dup = np.flatnonzero((np.diff(ordered, axis=0) == 0).all(axis=1))
    if dup.size:
        s, t = ordered[dup[0]]
        raise Failure(f"case {case}: pair ({s}, {t}) is drawn twice. Hint: a source's targets are distinct "
                      "(drawn without replacement)")
    degree = np.bincount(pairs[:, 0], minlength=n)
    for source in range(n):
        p, other = (p_exc, p_inh) if source < n_exc else (p_inh, p_exc)
        expected = reference_degree(n, p)
        if degree[source] != expected:
            own_kind = n_exc if source < n_exc else n_inh
            hint = _degree_hint(n, p, other, int(degree[source]), expected, own_kind)
            has = _count(degree[source], "target")
            raise Failure(f"case {case}: source {source} ({_kind(source, n_exc)}) has {has}, expected {expected}. "
                          f"Hint: {hint}")


def _check_uniform(student) -> None:
    """Targets spread evenly: over many draws every other neuron is about as often a target.
    A chi-square over the (source, target) counts, with a loose bound."""
    n_exc, n_inh, p_exc, p_inh = 6, 4, 0.2, 0.5  # 2 and 5 targets among 9 others
    n, draws = n_exc + n_inh, 200
    case = _rule_case(n_exc, n_inh, p_exc, p_inh) + f", {draws} draws with seeds 0 .. {draws - 1}"
    counts = np.zeros((n, n))
    for seed in range(draws):
        pairs = _int_pairs(call(student, n_exc, n_inh, p_exc, p_inh, np.random.default_rng(seed),
                                what="report_pairs(...)", case=case), what="report_pairs(...)", case=case)
        _check_draw(pairs, n_exc, n_inh, p_exc, p_inh, case)
        np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1)
    k = np.array([reference_degree(n, p_exc if s < n_exc else p_inh) for s in range(n)])
    expected = np.repeat(draws * k[:, None] / (n - 1), n, axis=1)
    np.fill_diagonal(expected, np.nan)
    # excitatory sources should reach inhibitory targets in n_inh / (N - 1) of their synapses
    for kind, rows, cols, other in (("excitatory", slice(0, n_exc), slice(n_exc, n), "inhibitory"),
                                    ("inhibitory", slice(n_exc, n), slice(0, n_exc), "excitatory")):
        got, want = counts[rows, cols].sum(), np.nansum(expected[rows, cols])
        total = counts[rows].sum()
        share = want / total
        if abs(got - want) > 6 * math.sqrt(total * share * (1 - share)) + 1:
            raise Failure(f"case {case}: {kind} sources chose {other} targets {int(got)} times, expected about "
                          f"{want:.0f}. Hint: targets are drawn among all N neurons, of both kinds")
    chi2 = float(np.nansum((counts - expected) ** 2 / expected))
    dof = n * (n - 2)
    if chi2 > dof + 8 * math.sqrt(2 * dof):
        ratio = counts / expected
        s, t = np.unravel_index(np.nanargmax(np.abs(ratio - 1)), ratio.shape)
        raise Failure(f"case {case}: the targets are not spread evenly (chi-square {chi2:.0f} for {dof} degrees "
                      f"of freedom): source {s} chose target {t} {int(counts[s, t])} times, expected about "
                      f"{expected[s, t]:.0f}. Hint: every other neuron should be equally likely")


@exercise(NOTEBOOK, "report_pairs", targets="report_pairs", title="The report's connection rule")
def report_pairs(student):
    """``report_pairs(n_exc, n_inh, p_exc, p_inh, rng) -> pairs``: ceil(N p) distinct targets per
    source among all N neurons (capped at N - 1), p by the source's kind, no autapses, every
    random number from ``rng``."""
    what = "report_pairs(n_exc, n_inh, p_exc, p_inh, rng)"
    cases = _rule_cases()
    for n_exc, n_inh, p_exc, p_inh, seed in cases:
        case = _rule_case(n_exc, n_inh, p_exc, p_inh, seed)
        pairs = _int_pairs(call(student, n_exc, n_inh, p_exc, p_inh, np.random.default_rng(seed), what=what,
                                case=case), what=what, case=case)
        _check_draw(pairs, n_exc, n_inh, p_exc, p_inh, case)
    # the generator: the same seed gives the same pairs, another seed other pairs
    n_exc, n_inh, p_exc, p_inh = 40, 10, 0.05, 0.1
    draws = []
    for seed in (11, 11, 12):
        case = _rule_case(n_exc, n_inh, p_exc, p_inh, seed)
        draws.append(_sorted(_int_pairs(call(student, n_exc, n_inh, p_exc, p_inh, np.random.default_rng(seed),
                                             what=what, case=case), what=what, case=case)))
    case = _rule_case(n_exc, n_inh, p_exc, p_inh)
    if not np.array_equal(draws[0], draws[1]):
        raise Failure(f"case {case}: two calls with np.random.default_rng(11) gave different pairs. Hint: draw "
                      "every random number from the rng you are given, not from np.random or random")
    if np.array_equal(draws[0], draws[2]):
        raise Failure(f"case {case}: np.random.default_rng(11) and np.random.default_rng(12) gave the same pairs. "
                      "Hint: draw the targets from the rng you are given")
    _check_uniform(student)
    return (f"{len(cases)} cases have ceil(N·p) distinct targets per source and no autapses (p = 0, p = 1, "
            "N·p whole, no inhibitory neuron, one neuron); the same seed gives the same pairs; "
            "targets spread evenly over 200 draws")


# -- 2.2 the group from pairs --------------------------------------------------------------------------------
def _group_cases() -> list[tuple]:
    """(title, pairs, n_exc, n_inh, offsets): a small hand-made group first (each kind of
    synapse once), then the report's group, one without inhibitory neurons, one without synapses."""
    small = np.array([(0, 1), (1, 2), (2, 3), (3, 0), (3, 4), (4, 0), (4, 2)])
    # neuron 0 fires by itself; its spikes reach E 1, which passes them on to E 2 and on to I 0 ...
    cases = [("a small group (3 E, 2 I)", small, 3, 2, np.array([1.5, 0.3, 0.3, 0.3, 0.3]))]
    rng = np.random.default_rng(2022)
    report = reference_pairs(80, 20, 0.01, 0.02, rng)
    cases.append(("the report's group (80 E, 20 I, its rule, seed 2022)", report, 80, 20,
                  0.3 + 0.5 * rng.standard_normal(100)))
    only_e = reference_pairs(12, 0, 0.1, 0.0, rng)
    cases.append(("12 E and no I", only_e, 12, 0, 0.3 + 0.8 * rng.standard_normal(12)))
    cases.append(("5 E, 5 I and no synapse", np.empty((0, 2), np.int64), 5, 5, 0.6 + 0.3 * rng.standard_normal(10)))
    return cases


def _run(net, what: str, case: str) -> Result:
    return call(lambda: net.run(DURATION, record="all"), what=what, case=case)


def _global(result: Result, label: str, local) -> np.ndarray:
    """Local indices of population ``label`` in the group's numbering: E first, then I."""
    return np.asarray(local, dtype=np.int64) + (0 if label == "E" else result.size("E"))


def _synapses(result: Result) -> dict:
    """Every synapse as {(pre, post): (weight, delay)} in the group's numbering (E, then I),
    whatever order the populations were added in."""
    c = result.connections()
    order = {label: result.offset(label) for label in result.labels}
    pre, post = np.empty_like(c["pre"]), np.empty_like(c["post"])
    for label, lo in order.items():
        hi = lo + result.size(label)
        for side, out in (("pre", pre), ("post", post)):
            inside = (c[side] >= lo) & (c[side] < hi)
            out[inside] = _global(result, label, c[side][inside] - lo)
    return {(int(a), int(b)): (float(w), float(d)) for a, b, w, d in zip(pre, post, c["weight"], c["delay"])}


def _compare_structure(net, expected_labels, n_exc, n_inh, case):
    if isinstance(net, Result):
        raise Failure(f"case {case}: build_group returned a Result: return the network itself, before "
                      "net.run(...); the check runs it")
    if not isinstance(net, Network):
        raise Failure(f"case {case}: build_group should return an sl.Network, got {type(net).__name__}")
    labels = list(net.populations)
    if sorted(labels) != sorted(expected_labels):
        extra = " (a group without inhibitory neurons has no population 'I')" if n_inh == 0 else ""
        raise Failure(f"case {case}: the network's populations are {labels}, expected {expected_labels}{extra}")
    if not math.isclose(net.dt, DT):
        raise Failure(f"case {case}: dt = {net.dt:g} ms, expected {DT:g} ms (the report's time step)")
    for label, n, kind in (("E", n_exc, "excitatory"), ("I", n_inh, "inhibitory")):
        if label not in expected_labels:
            continue
        pop = net.populations[label]
        if pop.n != n:
            raise Failure(f"case {case}: population {label} has {pop.n} neurons, expected {n}")
        if pop.kind != kind:
            raise Failure(f"case {case}: population {label} is {pop.kind}, expected {kind}. Hint: the kind gives "
                          "the sign of its spikes")
        want = LIF().as_dict()
        got = pop.model.as_dict()
        diff = [k for k in want if got.get(k) != want[k]]
        if diff:
            hint = ("the notebook's real LIF, not the report's clamped one" if "floor" in diff
                    else "the default sl.LIF(): the assignment's parameters, integrated exactly")
            shown = ", ".join(f"{k} = {got.get(k)!r} (expected {want[k]!r})" for k in diff)
            raise Failure(f"case {case}: population {label}'s neuron model differs from the default LIF(): "
                          f"{shown}. Hint: {hint}")


def _compare_synapses(got: dict, want: dict, n_exc: int, case: str):
    def show(pair):
        a, b = pair
        return f"{a} → {b} ({_name(a, n_exc)} → {_name(b, n_exc)})"

    missing = sorted(set(want) - set(got))
    if missing:
        raise Failure(f"case {case}: synapse {show(missing[0])} of the pairs is missing ({len(missing)} of "
                      f"{len(want)} missing). Hint: global index i >= n_exc is inhibitory neuron i - n_exc")
    extra = sorted(set(got) - set(want))
    if extra:
        raise Failure(f"case {case}: synapse {show(extra[0])} is not among the pairs ({len(extra)} extra). "
                      "Hint: connect exactly the given pairs, each once")
    for pair in sorted(want):
        (w, d), (w0, d0) = got[pair], want[pair]
        if not math.isclose(w, w0, abs_tol=1e-9):
            hint = ("weights are magnitudes (>= 0 mV): the sign comes from the source population's kind"
                    if math.isclose(abs(w), abs(w0)) else f"every synapse moves its target by {WEIGHT:g} mV")
            raise Failure(f"case {case}: synapse {show(pair)} has weight {w:+g} mV, expected {w0:+g} mV. "
                          f"Hint: {hint}")
        if not math.isclose(d, d0, abs_tol=1e-9):
            raise Failure(f"case {case}: synapse {show(pair)} has delay {d:g} ms, expected {d0:g} ms. Hint: the "
                          "report's delay = 1 counts time steps, and a step is 0.1 ms")


def _compare_currents(got: Result, want: Result, labels, case: str):
    for label in labels:
        a, b = np.asarray(got.current(label)), np.asarray(want.current(label))
        bad = np.argwhere(~np.isclose(a, b, rtol=1e-9, atol=1e-9))
        if bad.size:
            k, i = bad[0]
            raise Failure(f"case {case}: neuron {label} {i}'s current at t = {want.time[k]:g} ms is {a[k, i]:.6g} nA, "
                          f"expected {b[k, i]:.6g} nA. Hint: neuron i of the group (E first, then I) gets "
                          "sin(t/8) + offsets[i] nA, t in ms")


def _compare_spikes(got: Result, want: Result, labels, case: str):
    for label in labels:
        a, b = got.spike_trains(label), want.spike_trains(label)
        for i, (x, y) in enumerate(zip(a, b)):
            if x.size == y.size and np.allclose(x, y, atol=1e-9):
                continue
            m = min(x.size, y.size)
            differ = np.flatnonzero(~np.isclose(x[:m], y[:m], atol=1e-9))
            j = int(differ[0]) if differ.size else m
            mine = f"{x[j]:g} ms" if j < x.size else "none"
            theirs = f"{y[j]:g} ms" if j < y.size else "none"
            raise Failure(f"case {case}: neuron {label} {i}'s spike {j + 1} at {mine}, expected {theirs} "
                          f"({x.size} spikes, expected {y.size}). Hint: populations, synapses and currents agree, "
                          "so look for what else your network adds or changes")


@exercise(NOTEBOOK, "build_group", targets="build_group", title="The 80/20 group from pairs")
def build_group(student):
    """``build_group(pairs, n_exc, n_inh, offsets) -> sl.Network``: compared, run for 100 ms, with
    :func:`reference_group` built from the same pairs."""
    what = "build_group(pairs, n_exc, n_inh, offsets)"
    cases = _group_cases()
    for title, pairs, n_exc, n_inh, offsets in cases:
        case = f"{title}: build_group(pairs, {n_exc}, {n_inh}, offsets)"
        net = call(student, pairs.copy(), n_exc, n_inh, offsets.copy(), what=what, case=case)
        labels = ["E", "I"] if n_inh else ["E"]
        _compare_structure(net, labels, n_exc, n_inh, case)
        got = _run(net, "running the network you built", case)
        want = reference_group(pairs, n_exc, n_inh, offsets).run(DURATION, record="all")
        _compare_synapses(_synapses(got), _synapses(want), n_exc, case)
        _compare_currents(got, want, labels, case)
        _compare_spikes(got, want, labels, case)
    return (f"{len(cases)} groups (a small one, the report's 80/20, no inhibitory neuron, no synapse) have the "
            "reference's populations, synapses (weights, signs, delays) and currents, and the same spike trains "
            "over 100 ms")


# -- 2.3 the raster -------------------------------------------------------------------------------------------
def _colour(rgba) -> str:
    r, g, b, a = rgba
    if a == 0:
        return "invisible"
    if r >= 0.5 and g <= 0.4 and b <= 0.4:  # red, tab:red, crimson, darkred; not orange (C1)
        return "red"
    if b >= 0.5 and b - max(r, g) >= 0.2:
        return "blue"
    return "other"


def _drawn_points(ax) -> tuple[np.ndarray, list[str]]:
    """Every marker the axes hold, as (x, y) and a colour name: lines drawn with a marker,
    scatter points, and short segments (eventplot, vlines) by their midpoint."""
    xy, colours = [], []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " ") or line.get_xydata().size == 0:
            continue
        data = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)
        xy.append(data)
        colours += [_colour(to_rgba(line.get_color()))] * len(data)
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            data = np.asarray(coll.get_offsets(), dtype=float).reshape(-1, 2)
            face = coll.get_facecolors()
            rgba = face if len(face) and np.any(face[:, 3] > 0) else coll.get_edgecolors()
        elif isinstance(coll, LineCollection):
            segments = coll.get_segments()
            data = np.array([np.asarray(s, dtype=float).mean(axis=0) for s in segments]).reshape(-1, 2)
            rgba = coll.get_colors()
        else:
            continue
        if len(data) == 0:
            continue
        rgba = np.asarray(rgba).reshape(-1, 4)
        rgba = np.broadcast_to(rgba, (len(data), 4)) if len(rgba) == 1 else rgba[:len(data)]
        xy.append(data)
        colours += [_colour(c) for c in rgba]
    return (np.concatenate(xy) if xy else np.empty((0, 2))), colours


def _raster_cases() -> list[tuple]:
    """(title, result): a small group, the report's group with variety, one without inhibitory
    neurons, and a silent one (the report's own current)."""
    out = []
    for title, pairs, n_exc, n_inh, offsets in _group_cases()[:3]:
        out.append((title, reference_group(pairs, n_exc, n_inh, offsets).run(DURATION)))
    silent = reference_group(reference_pairs(8, 2, 0.1, 0.2, np.random.default_rng(5)), 8, 2, np.full(10, 0.3))
    out.append(("8 E, 2 I driven by the report's sin(t/8) + 0.3 nA: no spike", silent.run(DURATION)))
    return out


def _points_hint(points: np.ndarray, spikes: np.ndarray) -> str:
    if len(points) == len(spikes) and len(points):
        if np.allclose(np.sort(points[:, 0]), np.sort(spikes[:, 1])):
            return "x is the time (ms), y the neuron"
        if np.allclose(np.sort(points[:, 1]) - 1, np.sort(spikes[:, 1])):
            return "neuron numbers start at 0, as in Python"
        if np.allclose(np.sort(points[:, 0]), np.sort(spikes[:, 0])):
            return "the times are right: which row does each neuron get? E i at i, I i at n_exc + i"
        return "one point per spike, at (spike time in ms, the neuron's index in the group)"
    return "one point per spike of this population, in its kind's colour"


def _compare_points(points, spikes, colour, label, case, other_spikes):
    def key(a):
        return np.round(a, 6)[np.lexsort((np.round(a[:, 1], 6), np.round(a[:, 0], 6)))]

    if len(points) != len(spikes) or not np.allclose(key(points), key(spikes), atol=1e-6):
        first = ""
        if len(spikes):
            t, y = key(spikes)[0]
            first = f"; its first spike is at ({t:g} ms, neuron {int(y)})"
        swapped = len(points) == len(other_spikes) != len(spikes) and (
            len(points) == 0 or np.allclose(key(points), key(other_spikes), atol=1e-6))
        hint = "excitatory spikes red, inhibitory blue: which is which?" if swapped else _points_hint(points, spikes)
        raise Failure(f"case {case}: {len(points)} {colour} points, expected {len(spikes)} at the spikes of "
                      f"{label}{first}. Hint: {hint}")


@exercise(NOTEBOOK, "plot_group_raster", targets="plot_group_raster", title="The group's raster")
def plot_group_raster(student):
    """``plot_group_raster(result, ax) -> ax``: one point per spike at (time ms, group index),
    excitatory red and inhibitory blue, axis labels with units."""
    what = "plot_group_raster(result, ax)"
    cases = _raster_cases()
    for title, result in cases:
        case = title
        ax = Figure().subplots()
        got = call(student, result, ax, what=what, case=case)
        if got is not ax:
            raise Failure(f"case {case}: plot_group_raster should return the axes it was given, got "
                          f"{type(got).__name__}")
        points, colours = _drawn_points(ax)
        colours = np.array(colours, dtype=object)
        other = np.flatnonzero((colours != "red") & (colours != "blue"))
        if other.size:
            raise Failure(f"case {case}: {other.size} of {len(points)} points are neither red nor blue, the first at "
                          f"({points[other[0], 0]:g}, {points[other[0], 1]:g}). Hint: excitatory spikes red, "
                          "inhibitory blue")
        spikes = {}
        for label in ("E", "I"):
            if label in result.labels:
                times, neurons = result.spikes(label)
                spikes[label] = np.column_stack([times, _global(result, label, neurons)]).astype(float)
            else:
                spikes[label] = np.empty((0, 2))
        for label, colour, other in (("E", "red", "I"), ("I", "blue", "E")):
            _compare_points(points[colours == colour], spikes[label], colour, label, case, spikes[other])
        xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
        if "ms" not in xlabel:
            raise Failure(f"case {case}: the x axis is labelled {xlabel!r}. Hint: say what it shows and its unit, "
                          "in parentheses")
        if not ylabel.strip():
            raise Failure(f"case {case}: the y axis has no label. Hint: what does a row of the raster stand for?")
    return (f"{len(cases)} rasters (a small group, the report's 80/20, no inhibitory neuron, no spike) have one "
            "point per spike at (time, neuron), excitatory red, inhibitory blue, and labelled axes")


# -- 2.4 the population rate ----------------------------------------------------------------------------------
def _rate_cases() -> list[tuple]:
    """(title, spike_steps, n_neurons, steps, bin_steps): dt = 0.1 ms grid, bin widths chosen so
    that t / bin_width never rounds across a bin edge."""
    cases = [
        ("no spike", np.empty(0, np.int64), 10, 1000, 50),
        ("one spike exactly at a bin edge, t = 5 ms", np.array([50]), 4, 200, 50),
        ("spikes at t = 0 and in the last step of the last bin", np.array([0, 999, 999]), 3, 1000, 100),
        ("one bin as wide as the run", np.array([3, 400, 999]), 2, 1000, 1000),
        ("one neuron, bins of 0.5 ms", np.array([1, 4, 5, 9, 10, 19]), 1, 20, 5),
    ]
    rng = np.random.default_rng(2024)
    widths = (5, 10, 20, 25, 40, 50, 100, 125, 200)
    for i in range(8):
        bin_steps = int(rng.choice(widths))
        steps = bin_steps * int(rng.integers(1, 40))
        n = int(rng.integers(1, 200))
        count = int(rng.poisson(n * steps * DT / 1000 * rng.uniform(1, 60)))
        cases.append((f"random spikes {i + 1}", np.sort(rng.integers(0, steps, size=count)), n, steps, bin_steps))
    return cases


def _rate_hint(got, want, n_neurons) -> str:
    mask = want != 0
    if mask.any():
        ratio = got[mask] / want[mask]
        if np.allclose(ratio, ratio[0]) and ratio[0] != 0:
            r = ratio[0]
            if math.isclose(r, 1e-3):
                return "rates in Hz are spikes per second, and the bins are in ms"
            if math.isclose(r, n_neurons):
                return "per neuron: the rate of the population is the rate of an average neuron"
            return f"every bin is {r:.6g} times the expected value: check the units and what you divide by"
    return "a spike at t belongs to the bin [j·w, (j+1)·w) with j·w <= t"


@exercise(NOTEBOOK, "population_rate", targets="population_rate", title="The population rate from spike times")
def population_rate(student):
    """``population_rate(spike_times, n_neurons, duration, bin_width) -> rate``: Hz per neuron in
    consecutive bins from 0; against integer binning and :func:`snnlab.analysis.population_rate`."""
    what = "population_rate(spike_times, n_neurons, duration, bin_width)"
    checked = []
    for title, steps_, n, steps, bin_steps in _rate_cases():
        checked.append((title, steps_ * DT, n, steps * DT, bin_steps * DT,
                        reference_rate(steps_, n, steps, bin_steps)))
    group = ex.population(**ex.VARIETY)
    for label in group.labels:
        for width in (1.0, 5.0):
            _, want = analysis.population_rate(group, label, bin=width)
            times, _ = group.spikes(label)
            checked.append((f"population {label} of the report's group with variety (notebook's section 3), "
                            f"against snnlab.analysis.population_rate", np.array(times), group.size(label),
                            group.duration, width, np.asarray(want)))
    for title, times, n, duration, width, want in checked:
        case = (f"{title}: population_rate(spike_times, n_neurons={n}, duration={duration:g}, "
                f"bin_width={width:g}), {_count(len(times), 'spike')}")
        got = call(student, times.copy(), n, duration, width, what=what, case=case)
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Failure(f"{what} should return an array of numbers, got {type(got).__name__} "
                          f"on case {case}") from None
        if got.shape != want.shape:
            hint = ("return the rates only, not the bins' times as well" if got.ndim == 2 and 2 in got.shape
                    else "is a bin missing, or one too many?")
            raise Failure(f"case {case}: the rate has shape {got.shape}, expected {want.shape}: one value per bin of "
                          f"{width:g} ms from 0 to {duration:g} ms. Hint: {hint}")
        bad = np.flatnonzero(~np.isclose(got, want, rtol=1e-9, atol=1e-9))
        if bad.size:
            j = int(bad[0])
            raise Failure(f"case {case}: bin {j} [{j * width:g}, {(j + 1) * width:g}) ms: expected {want[j]:.6g} Hz, "
                          f"got {got[j]:.6g} Hz. Hint: {_rate_hint(got, want, n)}")
    return (f"{len(checked)} cases agree (no spike, a spike at a bin edge, the last bin, one bin, one neuron, random "
            "spikes, and snnlab.analysis.population_rate on the report's group)")
