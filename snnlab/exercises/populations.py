"""Checks of notebook 03 (several connected populations, the report's Section 3).

* :func:`coupling_input`: the report's population-level coupling ("every ``every`` spikes of
  the source, ``effect`` mV to every neuron of the target") as a function of the source's
  spike count per step; compared with the engine's rule (:meth:`snnlab.Network.couple`).
* :func:`build_three_populations`: the report's three populations built with
  ``add_population``, ``connect`` and ``couple``; run and compared spike by spike with
  :func:`snnlab.experiments.populations.three_populations`.
* :func:`build_competition`: the competition (two excitatory populations and a shared
  inhibitory one) built with ``sl.Network``; compared spike by spike with
  :func:`snnlab.experiments.populations.competition` for three biases and seeds.
* :func:`decide`: the competition's winner and decision time read off the populations'
  sliding-window rates, by the rule of :func:`snnlab.decision`.

Units: time ms, potential mV, current nA, rates Hz.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import analysis
from ..experiments import populations as ex
from ..inputs import Noise
from ..network import Network
from ..neurons import LIF
from ..results import Result
from ._core import Failure, array, call, exercise, number

NOTEBOOK = "03_populations"


def _warm_up() -> None:
    """Run a tiny network once, at import, with the parts the checks below use (fixed out-degree
    and fixed probability projections, a coupling): a fresh process spends about a second
    loading the compiled kernels on its first run, which would otherwise eat a check's budget.
    In a notebook it costs nothing extra: the notebook's own first run would pay it."""
    net = Network(dt=0.1, seed=0)
    a = net.add_population("A", 10, "excitatory", current=2.0)
    b = net.add_population("B", 10, "inhibitory", current=Noise(0.0, 1.0) + 1.0)
    net.connect(a, a, rule="fixed_outdegree", k=1)
    net.connect(a, b, rule="fixed_probability", p=0.5)
    net.couple(a, b, every=2, effect=1.0)
    net.run(1.0, record=None)


_warm_up()


def _show_counts(counts) -> str:
    """A spike-count list for a message, shortened when long."""
    counts = [int(c) for c in counts]
    if len(counts) <= 16:
        return str(counts)
    return "[" + ", ".join(map(str, counts[:12])) + f", ... ({len(counts)} steps)]"


# -- 3.1 the report's population-level coupling ------------------------------------------------------


def reference_coupling_input(spike_counts, every: int, effect: float, sign: int, delay_steps: int) -> np.ndarray:
    """The input (mV) each target neuron receives at each step from a population-level coupling.

    The engine's rule (``run_steps`` in :mod:`snnlab._kernels`): after step k the source's
    running total S_k has passed ``floor(S_k / every) - floor(S_{k-1} / every)`` multiples of
    ``every`` (several when one step holds many spikes); each is one event of ``sign * effect``
    mV, delivered at step ``k + delay_steps`` (dropped when that is past the end).
    """
    counts = np.asarray(spike_counts, dtype=np.int64)
    total = np.cumsum(counts)
    before = np.concatenate([[0], total[:-1]])
    events = total // every - before // every
    out = np.zeros(counts.size)
    if delay_steps < counts.size:
        out[delay_steps:] = events[:counts.size - delay_steps] * (sign * effect)
    return out


def _coupling_cases() -> list[tuple]:
    """(spike_counts, every, effect, sign, delay_steps): edge cases first, then seeded random ones."""
    cases = [
        ([0, 0, 0, 0, 0], 20, 2.0, 1, 1),                       # no spikes: no input
        ([0, 20, 0, 0, 0], 20, 2.0, 1, 1),                      # exactly `every` in one step
        ([0, 0, 43, 0, 0, 0], 20, 2.0, 1, 1),                   # 2*every crossed in one step: two events
        ([7, 7, 7, 7, 7, 7, 0, 0], 20, 2.0, 1, 1),              # counts carry over from step to step
        ([0, 5, 0, 0, 0, 0, 0, 0], 5, 1.5, -1, 1),              # an inhibitory source lowers the target
        ([3, 0, 0, 0, 0, 0, 0, 0], 1, 2.0, 1, 4),               # every spike is an event; a longer delay
        ([25, 0, 0], 20, 2.0, 1, 3),                            # delivered past the end: dropped
        ([0], 20, 2.0, 1, 1),                                   # one step
        ([19, 1, 19, 1, 40, 0, 0], 20, 0.5, -1, 2),             # multiples reached in several ways
    ]
    rng = np.random.default_rng(31)
    for _ in range(60):
        length = int(rng.integers(2, 40))
        lam = float(rng.choice([0.5, 3.0, 12.0, 45.0]))
        cases.append((rng.poisson(lam, length).tolist(), int(rng.choice([1, 2, 5, 20])),
                      float(rng.choice([0.5, 1.25, 2.0])), int(rng.choice([1, -1])), int(rng.integers(1, 6))))
    return cases


def _coupling_hint(got, counts, every, effect, sign, delay) -> str:
    """A hint for the kind of mistake ``got`` looks like (never the rule itself)."""
    expected = reference_coupling_input(counts, every, effect, sign, delay)
    counts_arr = np.asarray(counts, dtype=np.int64)

    def same(candidate):
        return np.allclose(got, candidate, atol=1e-9)

    def shifted(d):
        return reference_coupling_input(counts, every, effect, sign, d) if d >= 0 else None

    per_step = np.zeros(len(counts))
    if delay < len(counts):
        per_step[delay:] = (counts_arr // every)[:len(counts) - delay] * sign * effect
    at_most_once = np.sign(expected) * (expected != 0) * effect
    if same(-expected):
        return "look at the sign: a spike of an inhibitory source (sign = -1) lowers the target's potential"
    if same(np.abs(expected)) and sign < 0:
        return "look at the sign: a spike of an inhibitory source (sign = -1) lowers the target's potential"
    for d in (delay - 1, delay + 1, 0):
        candidate = shifted(d)
        if candidate is not None and d != delay and same(candidate):
            return ("the events are right but arrive at the wrong step: an event caused by the spikes of step k "
                    "reaches the target delay_steps steps later")
    if same(per_step):
        return ("spikes carry over from step to step: count the source's spikes since the start, not each step's "
                "spikes on their own")
    if same(at_most_once):
        return "a step whose spikes carry the total past two multiples of every makes two events, not one"
    return ("count the source's spikes since the start; each time the total reaches another multiple of every, "
            "every target neuron gets sign * effect, delay_steps steps later")


@exercise(NOTEBOOK, "coupling_input", targets="coupling_input",
          title="The report's population-level coupling, step by step")
def coupling_input(student):
    """Check ``coupling_input(spike_counts, every, effect, sign, delay_steps)`` (mV per step)
    against :func:`reference_coupling_input` on edge cases and 60 seeded random spike trains."""
    cases = _coupling_cases()
    for counts, every, effect, sign, delay in cases:
        text = (f"spike_counts = {_show_counts(counts)}, every = {every}, effect = {effect:g} mV, "
                f"sign = {sign:+d}, delay_steps = {delay}")
        got = array(call(student, np.array(counts, dtype=np.int64), every, effect, sign, delay,
                         what="coupling_input(spike_counts, every, effect, sign, delay_steps)", case=text),
                    what="coupling_input's result", shape=(len(counts),), case=text)
        got = got.astype(float)
        expected = reference_coupling_input(counts, every, effect, sign, delay)
        wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-9, atol=1e-9))
        if wrong.size:
            k = int(wrong[0])
            raise Failure(f"case {text}: expected the input at step {k} = {expected[k]:g} mV, got {got[k]:g} mV. "
                          f"Hint: {_coupling_hint(got, counts, every, effect, sign, delay)}")
    return (f"{len(cases)} cases agree with snnlab's couple() (no spikes, exactly every in one step, two "
            "multiples in one step, counts carried over, inhibitory source, delays 1-5 steps)")


# -- 3.2 the three populations, built with couple -------------------------------------------------------

#: How long the check runs the student's network, ms (the report's 800 steps).
THREE_DURATION = ex.REPORT["duration"]


@functools.lru_cache(maxsize=1)
def _reference_three() -> Result:
    """The report's three populations as meant (seed 0), the set-up the student rebuilds."""
    return ex.three_populations(coupling="population", duration=THREE_DURATION, seed=0)


def _delay_ms(value, dt):
    return dt if value is None else value


def _same_number(a, b) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9)


def _network_hints(net: Network, reference: dict) -> list[str]:
    """Where the student's network differs from the reference description (first first)."""
    hints = []
    dt = reference["dt"]
    pops = {p.label: p for p in net.populations.values()}
    steps = np.arange(round(THREE_DURATION / dt))
    for ref in reference["populations"]:
        pop = pops[ref["label"]]
        start = pop.describe()["u_init"]
        if not (start is None or _close_values(start, 0.0) or _close_values(start, [0.0] * pop.n)):
            hints.append(f"{ref['label']}'s neurons should start at rest (the default)")
        if ref["current"]["type"] == "UniformNoise":
            if pop.current.describe() != ref["current"]:
                hints.append(f"{ref['label']}'s current is not the seeded uniform noise of the exercise "
                             f"(sl.UniformNoise from {ref['current']['low']:g} to {ref['current']['high']:g} nA)")
            continue
        try:
            values = np.broadcast_to(pop.current.sample(steps, dt, pop.n, np.random.default_rng(0)),
                                     (steps.size, pop.n))
        except Exception:  # the student's current cannot be evaluated alone: say so, let the run say more
            hints.append(f"{ref['label']}'s current could not be evaluated on its own")
            continue
        amplitude = np.broadcast_to(np.asarray(ref["current"]["amplitude"], dtype=float), (pop.n,))
        bad = np.flatnonzero(~np.all(np.isclose(values, amplitude[None, :]), axis=0))
        if bad.size:
            i = int(bad[0])
            hints.append(f"{ref['label']}'s current differs: neuron {i} gets {values[0, i]:g} nA at t = 0, expected "
                         f"{amplitude[i]:g} nA (remember the report's lambda inside a loop)")
    mine_c = sorted((c["pre"], tuple(c["post"]), c["every"], c["effect"], _delay_ms(c["delay"], dt))
                    for c in (c.describe() for c in net.couplings))
    theirs_c = sorted((c["pre"], tuple(c["post"]), c["every"], c["effect"], _delay_ms(c["delay"], dt))
                      for c in reference["couplings"])
    if len(mine_c) != len(theirs_c) or [c[:2] for c in mine_c] != [c[:2] for c in theirs_c]:
        got = ", ".join(f"{c[0]}->{'+'.join(c[1])}" for c in mine_c) or "none"
        hints.append(f"your couple() calls link {got}; the report couples each excitatory population to I")
    else:
        for a, b in zip(mine_c, theirs_c):
            for name, x, y, unit in (("every", a[2], b[2], "spikes"), ("effect", a[3], b[3], "mV"),
                                     ("delay", a[4], b[4], "ms")):
                if not _same_number(x, y):
                    hints.append(f"the coupling {a[0]}->I has {name} = {x:g} {unit}, not the report's value")
                    break
    mine = [p.describe() for p in net.projections]
    theirs = reference["projections"]

    def key(d):
        return (tuple(d["pre"]), tuple(d["post"]), d["rule"], d["weight"], _delay_ms(d["delay"], dt), d.get("k"),
                d.get("p"), d["autapses"], d["multapses"])

    if len(mine) != len(theirs):
        hints.append(f"your network has {len(mine)} connect() projection(s), expected {len(theirs)} (one inside "
                     "each population)")
    else:
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if key(a) != key(b):
                if sorted(map(repr, map(key, mine))) == sorted(map(repr, map(key, theirs))):
                    hints.append("the same connect() calls in another order: each projection draws its random "
                                 "targets from its position, so make them in the order of the exercise")
                else:
                    hints.append(f"connect() call {i + 1} ({'->'.join([a['pre'][0], a['post'][0]])}) differs from "
                                 f"the exercise's: check its rule, k, weight and delay")
                break
    return hints


def _first_spike_difference(got: Result, expected: Result) -> tuple[float, str] | None:
    """The earliest step at which a population's spikes differ, as (time ms, description)."""
    first = None
    for label in expected.labels:
        a_steps, a_ids = expected.spike_steps(label)
        b_steps, b_ids = got.spike_steps(label)
        a_keys = a_steps * 10**6 + a_ids
        b_keys = b_steps * 10**6 + b_ids
        m = min(a_keys.size, b_keys.size)
        differ = np.flatnonzero(a_keys[:m] != b_keys[:m])
        if differ.size:
            i = int(differ[0])
            step = int(min(a_steps[i], b_steps[i]))
        elif a_keys.size != b_keys.size:
            step = int(a_steps[m]) if a_keys.size > m else int(b_steps[m])
        else:
            continue
        if first is None or step < first[0]:
            want = np.sort(a_ids[a_steps == step]).tolist()
            have = np.sort(b_ids[b_steps == step]).tolist()
            first = (step, label, want, have)
    if first is None:
        return None
    step, label, want, have = first

    def neurons(ids):
        if not ids:
            return "no spike"
        shown = ", ".join(map(str, ids[:5])) + (", ..." if len(ids) > 5 else "")
        return f"{len(ids)} spike(s) (neuron {shown})"

    t = step * expected.dt
    return t, f"at t = {t:.1f} ms population {label} fires {neurons(have)}, expected {neurons(want)}"


@exercise(NOTEBOOK, "build_three_populations", targets="build_three_populations",
          title="The report's three populations, built with couple")
def build_three_populations(student):
    """Check ``build_three_populations()`` (an unrun sl.Network): run it for 80 ms and compare
    every spike with :func:`snnlab.experiments.populations.three_populations`; on a difference,
    name the first differing spike and the part of the network that differs."""
    what = "build_three_populations()"
    net = call(student, what=what)
    if isinstance(net, Result):
        raise Failure(f"{what} returned a Result (a run): return the sl.Network itself, the check runs it")
    if not isinstance(net, Network):
        raise Failure(f"{what} should return an sl.Network, got {type(net).__name__}")
    expected = _reference_three()
    reference = expected.params
    if not math.isclose(net.dt, reference["dt"]) or net.seed != reference["seed"]:
        raise Failure(f"your network has dt = {net.dt:g} ms and seed = {net.seed}; the exercise asks for "
                      f"dt = {reference['dt']:g} ms and seed = {reference['seed']}")
    labels = [p["label"] for p in reference["populations"]]
    got_labels = list(net.populations)
    if got_labels != labels:
        hint = (" (the same populations in another order: each population's noise draws its stream from its "
                "position)" if sorted(got_labels) == sorted(labels) else "")
        raise Failure(f"your network's populations are {got_labels}, expected {labels}, in that order{hint}")
    for ref in reference["populations"]:
        pop = net.populations[ref["label"]]
        if pop.n != ref["n"] or pop.kind != ref["kind"]:
            raise Failure(f"population {ref['label']} has {pop.n} {pop.kind} neurons, expected {ref['n']} "
                          f"{ref['kind']} ones")
        if pop.model != LIF():
            raise Failure(f"population {ref['label']} should use the default neuron, sl.LIF()")
    hints = _network_hints(net, reference)
    got = call(lambda: net.run(THREE_DURATION, record=None), what=f"running your network for {THREE_DURATION:g} ms")
    difference = _first_spike_difference(got, expected)
    case = f"the report's three populations, {THREE_DURATION:g} ms, seed {reference['seed']}"
    if difference is not None:
        hint = hints[0] if hints else ("the parts look right: are they made in the order of the exercise (each "
                                       "random element draws its stream from its position)?")
        raise Failure(f"case {case}: {difference[1]}. Hint: {hint}")
    if hints:
        raise Failure(f"case {case}: the spikes agree, but {hints[0]}")
    counts = ", ".join(f"{lb} {expected.spike_steps(lb)[0].size}" for lb in labels)
    return f"all spikes agree with the reference over {THREE_DURATION:g} ms ({counts}); populations, currents, " \
           "connections and couplings match"


# -- 3.3 the competition, built with sl.Network ----------------------------------------------------------

#: How long the check runs each competition, ms (enough for most decisions; shorter than the
#: notebook's 300 ms so that the check answers at once).
COMPETITION_DURATION = 150.0
#: (bias nA, seed) of the competitions the check builds: E1 favoured, E2 favoured, no bias.
COMPETITION_CASES = ((0.05, 0), (-0.1, 1), (0.0, 2))


@functools.lru_cache(maxsize=len(COMPETITION_CASES))
def _reference_competition(bias: float, seed: int) -> Result:
    return ex.competition(bias=bias, seed=seed, duration=COMPETITION_DURATION, record=None)


def _close_values(a, b) -> bool:
    """Two described values (numbers, lists, dicts) equal, numbers to rounding."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close_values(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close_values(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _competition_hints(net: Network, reference: dict) -> list[str]:
    """Where the student's competition differs from the reference description (first first),
    naming the part and the field, not the value."""
    hints = []
    dt = reference["dt"]
    for ref in reference["populations"]:
        mine = net.populations[ref["label"]].describe()
        for field, what in (("current", "current is not the exercise's (check its mean, the sign of the bias, "
                                         "the noise)"),
                            ("u_init", "starting potentials are not the exercise's"),
                            ("model", "neuron model is not the default one")):
            if not _close_values(mine[field], ref[field]):
                hints.append(f"population {ref['label']}'s {what}")
                break
    mine = [p.describe() for p in net.projections]
    theirs = reference["projections"]
    fields = ("rule", "p", "weight", "delay", "autapses", "multapses")

    def values(d):
        return [_delay_ms(d.get(f), dt) if f == "delay" else d.get(f) for f in fields]

    pairs = ", ".join(f"{'+'.join(d['pre'])}->{'+'.join(d['post'])}" for d in mine) or "none"
    if sorted((tuple(d["pre"]), tuple(d["post"])) for d in mine) != sorted(
            (tuple(d["pre"]), tuple(d["post"])) for d in theirs):
        hints.append(f"your connect() calls link {pairs}: compare them with the exercise's list (who excites "
                     "whom, who inhibits whom)")
    else:
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if (tuple(a["pre"]), tuple(a["post"])) != (tuple(b["pre"]), tuple(b["post"])):
                hints.append("the same connect() calls in another order: each projection draws its random "
                             "synapses from its position, so make them in the order of the exercise")
                break
            differ = [f for f, x, y in zip(fields, values(a), values(b)) if not _close_values(x, y)]
            if differ:
                hints.append(f"connect() call {i + 1} ({a['pre'][0]}->{a['post'][0]}) differs from the exercise's "
                             f"in its {', '.join(differ)}")
                break
    return hints


@exercise(NOTEBOOK, "build_competition", targets="build_competition",
          title="Two populations competing through shared inhibition, built with sl.Network")
def build_competition(student):
    """Check ``build_competition(bias, seed)`` (an unrun sl.Network) for each of
    :data:`COMPETITION_CASES`: run it for :data:`COMPETITION_DURATION` ms and compare every spike
    with :func:`snnlab.experiments.populations.competition`."""
    for bias, seed in COMPETITION_CASES:
        what = f"build_competition(bias={bias:g}, seed={seed})"
        net = call(student, bias, seed, what="build_competition(bias, seed)", case=f"bias = {bias:g}, seed = {seed}")
        if isinstance(net, Result):
            raise Failure(f"{what} returned a Result (a run): return the sl.Network itself, the check runs it")
        if not isinstance(net, Network):
            raise Failure(f"{what} should return an sl.Network, got {type(net).__name__}")
        expected = _reference_competition(bias, seed)
        reference = expected.params
        if not math.isclose(net.dt, reference["dt"]) or net.seed != seed:
            raise Failure(f"{what} has dt = {net.dt:g} ms and seed = {net.seed}; expected dt = "
                          f"{reference['dt']:g} ms and the seed it was given, {seed}")
        labels = [p["label"] for p in reference["populations"]]
        if list(net.populations) != labels:
            hint = (" (the same populations in another order: each draws its noise and starting potentials from "
                    "its position)" if sorted(net.populations) == sorted(labels) else "")
            raise Failure(f"{what}: your network's populations are {list(net.populations)}, expected {labels}, in "
                          f"that order{hint}")
        for ref in reference["populations"]:
            pop = net.populations[ref["label"]]
            if pop.n != ref["n"] or pop.kind != ref["kind"]:
                raise Failure(f"{what}: population {ref['label']} has {pop.n} {pop.kind} neurons, expected "
                              f"{ref['n']} {ref['kind']} ones")
        hints = _competition_hints(net, reference)
        got = call(lambda net=net: net.run(COMPETITION_DURATION, record=None),
                   what=f"running your network for {COMPETITION_DURATION:g} ms")
        difference = _first_spike_difference(got, expected)
        case = f"bias = {bias:g} nA, seed = {seed}, {COMPETITION_DURATION:g} ms"
        if difference is not None:
            hint = hints[0] if hints else ("the parts look right: are they made in the order of the exercise (each "
                                           "random element draws its stream from its position)?")
            raise Failure(f"case {case}: {difference[1]}. Hint: {hint}")
        if hints:
            raise Failure(f"case {case}: the spikes agree, but {hints[0]}")
    return (f"{len(COMPETITION_CASES)} competitions (E1 favoured, E2 favoured, no bias) agree spike for spike "
            f"with the reference over {COMPETITION_DURATION:g} ms")


# -- 3.4 the competition's winner and decision time ----------------------------------------------------


def reference_decide(result: Result, window: float = 20.0, margin: float = 5.0) -> tuple:
    """(winner, decision time in ms) of E1 against E2, by :func:`snnlab.decision`."""
    outcome = analysis.decision(result, "E1", "E2", window=window, margin=margin)
    return outcome.winner, outcome.decision_time


def _fake(e1: list, e2: list, n1: int = 10, n2: int = 10, steps: int = 1000, dt: float = 0.1) -> Result:
    """A two-population result with given spikes: ``e1``/``e2`` are lists of (step, neuron)."""
    pairs = [(s, i) for s, i in e1] + [(s, n1 + i) for s, i in e2]
    pairs.sort()
    spike_steps = np.array([p[0] for p in pairs], dtype=np.int64)
    spike_ids = np.array([p[1] for p in pairs], dtype=np.int64)
    return Result(dt=dt, steps=steps, labels=["E1", "E2"], kinds=["excitatory", "excitatory"], sizes=[n1, n2],
                  models=[LIF(), LIF()], spike_steps=spike_steps, spike_neurons=spike_ids,
                  recorded=np.empty(0, np.int64), potentials=np.empty((steps, 0)), currents=np.empty((steps, 0)),
                  params={})


def _regular(start: int, stop: int, every: int, n: int) -> list:
    """One spike every ``every`` steps from ``start`` to ``stop``, cycling through ``n`` neurons."""
    return [(s, j % n) for j, s in enumerate(range(start, stop, every))]


@functools.lru_cache(maxsize=1)
def _decide_cases() -> tuple:
    """(description, result, window, margin): made-up spike trains for the edge cases, then
    seeded competitions (E1 favoured, E2 favoured, no bias)."""
    # margins sit between the values a rate difference can take (multiples of 1000 / (n * window)
    # Hz), so that no case hangs on how a correct solution rounds an exact tie with the margin
    cases = [
        ("no spikes at all", _fake([], []), 20.0, 7.5),
        ("E1 and E2 fire the same spikes (a tie)", _fake(_regular(0, 1000, 7, 10), _regular(0, 1000, 7, 10)),
         20.0, 7.5),
        ("E1 ahead from the first window on", _fake(_regular(0, 1000, 10, 10), _regular(0, 1000, 40, 10)),
         20.0, 7.5),
        ("E1 ahead, then E2, then E1 again", _fake(_regular(0, 350, 5, 10) + _regular(600, 1000, 5, 10),
                                                    _regular(350, 600, 5, 10)), 20.0, 7.5),
        ("E1 fires most spikes, E2 ahead at the end", _fake(_regular(0, 700, 2, 10), _regular(650, 1000, 6, 10)),
         20.0, 7.5),
        ("E1 has 40 neurons, E2 has 5", _fake(_regular(0, 1000, 4, 40), _regular(0, 1000, 10, 5), n1=40, n2=5),
         20.0, 5.6),
        ("dt = 0.05 ms, window 10 ms", _fake(_regular(0, 800, 25, 10), _regular(300, 2000, 8, 10), steps=2000,
                                             dt=0.05), 10.0, 5.0),
        ("E1 ahead by less than the margin", _fake(_regular(0, 1000, 10, 10), _regular(0, 1000, 11, 10)),
         20.0, 22.5),
    ]
    for bias, seed in ((0.05, 0), (-0.1, 1), (0.0, 2), (0.1, 3), (0.05, 2)):
        res = ex.competition(bias=bias, seed=seed, duration=150.0, record=None)
        cases.append((f"competition(bias={bias:g}, seed={seed}, duration=150)", res, 20.0, 5.25))
    return tuple(cases)


def _decide_rates(result: Result, window: float) -> tuple:
    """((E1's, E2's) sliding-window rates in Hz, the times in ms they end at), as snnlab.decision has them."""
    outcome = analysis.decision(result, "E1", "E2", window=window, margin=1.0)
    return (outcome.smoothed_a, outcome.smoothed_b), outcome.time


def _decide_hint(result, window, margin, got, expected) -> str:
    w_winner, w_time = got
    e_winner, e_time = expected
    if e_winner is not None and w_winner == e_winner and w_time is not None and e_time is not None:
        if math.isclose(w_time, e_time / result.dt, rel_tol=1e-6):
            return "the decision time is asked in ms, not in steps"
        if math.isclose(w_time, e_time - window, abs_tol=1e-6):
            return "the rate at time t is measured over the window that ends at t, not the one that starts there"
        rates, times = _decide_rates(result, window)
        lead = rates[0] - rates[1] if e_winner == "E1" else rates[1] - rates[0]
        ahead = np.flatnonzero(lead >= margin)
        if ahead.size and math.isclose(w_time, times[ahead[0]], abs_tol=1e-6):
            return ("the winner must stay ahead by the margin from the decision time to the end of the run; "
                    "an earlier lead that was lost does not count")
        return ("the winner is right, the time is not: compare rates per neuron, in Hz, over the window that "
                "ends at each time, and find where the winner's final lead began")
    if e_winner is None and w_winner is not None:
        return ("neither population is ahead by the margin at the end of the run; there the answer is "
                "(None, None)")
    if e_winner is not None and w_winner is None:
        return "compare rates in Hz (spikes per neuron per second) with the margin in Hz"
    if e_winner is not None and w_winner != e_winner:
        return ("the winner is decided by the rates over the last window, per neuron, not by who fired more "
                "spikes in all")
    return "follow the rule in the exercise's text step by step, on a sliding window that ends at each time"


def _pair(winner, time) -> str:
    return f"({winner!r}, {'None' if time is None else f'{time:.6g} ms'})"


@exercise(NOTEBOOK, "decide", targets="decide", title="The competition's winner and decision time")
def decide(student):
    """Check ``decide(result, window, margin)`` -> (winner or None, decision time in ms or None)
    against :func:`snnlab.decision` on made-up spike trains and seeded competitions."""
    cases = _decide_cases()
    for description, result, window, margin in cases:
        text = f"{description}, window = {window:g} ms, margin = {margin:g} Hz"
        got = call(student, result, window, margin, what="decide(result, window, margin)", case=text)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"decide should return a pair (winner, decision time in ms), got {type(got).__name__} "
                          f"{got!r:.60} on case {text}")
        winner, time = got
        if winner is not None and not isinstance(winner, str):
            raise Failure(f"the winner should be a label, 'E1' or 'E2', or None, got {winner!r:.40} on case {text}")
        if time is not None:
            time = number(time, what="the decision time", case=text)
        e_winner, e_time = reference_decide(result, window, margin)
        right = winner == e_winner and (
            (time is None and e_time is None)
            or (time is not None and e_time is not None and math.isclose(time, e_time, rel_tol=1e-9, abs_tol=1e-6)))
        if not right:
            hint = _decide_hint(result, window, margin, (winner, time), (e_winner, e_time))
            raise Failure(f"case {text}: expected (winner, decision time) = {_pair(e_winner, e_time)}, got "
                          f"{_pair(winner, time)}. Hint: {hint}")
    return (f"{len(cases)} cases agree with snnlab.decision (no spikes, a tie, a decision at the first window, "
            "a lead lost and regained, populations of different sizes, dt = 0.05 ms, 5 seeded competitions)")
