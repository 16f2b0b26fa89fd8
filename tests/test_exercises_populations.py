"""Notebook 03's exercise checks: the reference solutions pass, stubs are "not done", and
plausible wrong solutions are each rejected with a message naming the failing case."""

import math
import random

import numpy as np
import pytest
from exercise_contract import ExerciseContract

import snnlab as sl
from snnlab.exercises import grade_namespace
from snnlab.exercises import populations as check
from snnlab.experiments import populations as ex

# -- reference solutions (as a student would write them; the notebook's solutions are the same) -------


def coupling_input(spike_counts, every, effect, sign, delay_steps):
    spike_counts = np.asarray(spike_counts)
    n_steps = len(spike_counts)
    received = np.zeros(n_steps)
    total = 0
    for k in range(n_steps):
        before = total
        total += spike_counts[k]
        events = total // every - before // every
        if k + delay_steps < n_steps:
            received[k + delay_steps] += sign * effect * events
    return received


def build_three_populations():
    n = 100
    net = sl.Network(dt=0.1, seed=0)
    e1 = net.add_population("E1", n, "excitatory", current=3.0 * np.arange(n))
    e2 = net.add_population("E2", n, "excitatory", current=sl.UniformNoise(0.0, 5.5))
    inh = net.add_population("I", n, "inhibitory", current=3.0)
    net.connect(e1, e1, rule="fixed_outdegree", k=math.ceil(n * 0.01), weight=2.0)
    net.connect(e2, e2, rule="fixed_outdegree", k=math.ceil(n * 0.01), weight=2.0)
    net.connect(inh, inh, rule="fixed_outdegree", k=math.ceil(n * 0.1), weight=2.0)
    net.couple(e1, inh, every=20, effect=2.0, delay=0.1)
    net.couple(e2, inh, every=20, effect=2.0, delay=0.1)
    return net


def build_competition(bias, seed):
    net = sl.Network(dt=0.1, seed=seed)
    start = sl.Uniform(0.0, 0.95)
    e1 = net.add_population("E1", 100, "excitatory", current=sl.Constant(1.4 + bias / 2) + sl.Noise(0.0, 5.0),
                            u_init=start)
    e2 = net.add_population("E2", 100, "excitatory", current=sl.Constant(1.4 - bias / 2) + sl.Noise(0.0, 5.0),
                            u_init=start)
    inh = net.add_population("I", 50, "inhibitory", current=sl.Constant(0.6) + sl.Noise(0.0, 5.0), u_init=start)
    for exc in (e1, e2):
        net.connect(exc, exc, rule="fixed_probability", p=0.2, weight=0.12, delay=1.0)
        net.connect(exc, inh, rule="fixed_probability", p=0.2, weight=0.1, delay=1.0)
        net.connect(inh, exc, rule="fixed_probability", p=0.2, weight=0.2, delay=1.0)
    return net


def _rates(result, window):
    """Sliding-window rates (Hz) of E1 and E2 over the window ending at each step, and the times."""
    w = round(window / result.dt)
    rates = {}
    for label in ("E1", "E2"):
        steps, _ = result.spike_steps(label)
        per_step = np.bincount(steps, minlength=result.steps)
        in_window = np.convolve(per_step, np.ones(w), mode="valid")
        rates[label] = in_window / (result.size(label) * window / 1000.0)
    return rates, np.arange(w, result.steps + 1) * result.dt


def decide(result, window=20.0, margin=5.0):
    rates, times = _rates(result, window)
    difference = rates["E1"] - rates["E2"]
    for label, ahead in (("E1", difference >= margin), ("E2", -difference >= margin)):
        if ahead[-1]:
            behind = np.flatnonzero(~ahead)
            first = behind[-1] + 1 if behind.size else 0
            return label, float(times[first])
    return None, None


REFERENCE = {"coupling_input": coupling_input, "build_three_populations": build_three_populations,
             "build_competition": build_competition, "decide": decide}
CHECKS = {"coupling_input": check.coupling_input, "build_three_populations": check.build_three_populations,
          "build_competition": check.build_competition, "decide": check.decide}


def verdict_of(name, function):
    return CHECKS[name](function, quiet=True)


# -- 3.1 coupling_input ----------------------------------------------------------------------------------


def test_reference_coupling_matches_the_engine(rng):
    """The check's rule is the engine's: a source with random spikes, a target that neither
    leaks nor fires, whose potential steps are exactly what the coupling delivers."""
    steps, n_source = 400, 100
    for every, delay, kind in ((7, 0.1, "excitatory"), (3, 0.5, "inhibitory"), (20, 1.0, "excitatory")):
        net = sl.Network(dt=0.1, seed=int(rng.integers(1000)))
        source = net.add_population("S", n_source, kind, current=sl.UniformNoise(0.0, 40.0))
        # tau_m = 10**9 ms: the target keeps what it receives; a threshold out of reach: it never fires
        target = net.add_population("T", 2, "excitatory", model=sl.LIF(C=1e9, threshold=1e9))
        net.couple(source, target, every=every, effect=1.5, delay=delay)
        res = net.run(steps * 0.1, record="all")
        counts = np.bincount(res.spike_steps("S")[0], minlength=steps)
        assert counts.max() >= 2 * every or every == 20  # some steps cross several multiples
        u = res.potential("T")[:, 0]
        received = np.diff(np.concatenate([[0.0], u]))
        sign = 1 if kind == "excitatory" else -1
        expected = check.reference_coupling_input(counts, every, 1.5, sign, round(delay / 0.1))
        np.testing.assert_allclose(received, expected, atol=1e-6)
        assert np.count_nonzero(expected) > 5


def test_reference_coupling_matches_coupling_events():
    res = ex.three_populations(coupling="population", e1_slope=0.03, within=False)
    counts = np.bincount(res.spike_steps("E2")[0], minlength=res.steps)
    events = ex.coupling_events(res, "E2", 20)
    received = check.reference_coupling_input(counts, 20, 2.0, 1, 1)
    assert received.sum() == pytest.approx(2.0 * np.sum(events < res.duration - 0.1 + 1e-9))
    first = round(events[0] / res.dt)
    assert np.all(received[:first + 1] == 0) and received[first + 1] > 0


def _per_step(spike_counts, every, effect, sign, delay_steps):
    # the count starts again at every step: the remainder is lost
    counts = np.asarray(spike_counts)
    out = np.zeros(len(counts))
    for k in range(len(counts)):
        if k + delay_steps < len(counts):
            out[k + delay_steps] += sign * effect * (counts[k] // every)
    return out


def _counter_reset(spike_counts, every, effect, sign, delay_steps):
    # the report-like counter, but reset to 0 when it fires: a step with 43 spikes loses 23
    out = np.zeros(len(spike_counts))
    counter = 0
    for k, c in enumerate(spike_counts):
        counter += c
        if counter >= every:
            counter = 0
            if k + delay_steps < len(out):
                out[k + delay_steps] += sign * effect
    return out


def _no_sign(spike_counts, every, effect, sign, delay_steps):
    return np.abs(coupling_input(spike_counts, every, effect, sign, delay_steps))


def _delay_minus_one(spike_counts, every, effect, sign, delay_steps):
    return coupling_input(spike_counts, every, effect, sign, delay_steps - 1)


def _delay_plus_one(spike_counts, every, effect, sign, delay_steps):
    return coupling_input(spike_counts, every, effect, sign, delay_steps + 1)


def _once_per_step(spike_counts, every, effect, sign, delay_steps):
    got = coupling_input(spike_counts, every, effect, sign, delay_steps)
    return np.sign(got) * effect


def _wrong_length(spike_counts, every, effect, sign, delay_steps):
    return coupling_input(spike_counts, every, effect, sign, delay_steps)[:-1]


def _a_list_of_words(spike_counts, every, effect, sign, delay_steps):
    return ["no"] * len(spike_counts)


COUPLING_WRONG = {
    "the remainder lost at every step": (_per_step, r"case spike_counts = \[7, 7, 7, 7, 7, 7, 0, 0\].*Hint: spikes "
                                                    r"carry over from step to step"),
    "the counter reset to 0": (_counter_reset, r"case spike_counts = \[0, 0, 43, 0, 0, 0\].*step 3 = 4 mV, got 2 mV"),
    "the sign ignored": (_no_sign, r"case spike_counts = \[0, 5, 0, 0, 0, 0, 0, 0\], every = 5, effect = 1.5 mV, "
                                  r"sign = -1.*expected the input at step 2 = -1.5 mV, got 1.5 mV\. Hint: look at the "
                                  r"sign"),
    "one step early": (_delay_minus_one, r"case spike_counts = \[0, 20, 0, 0, 0\].*step 1 = 0 mV, got 2 mV.*wrong "
                                         r"step"),
    "one step late": (_delay_plus_one, r"case spike_counts = \[0, 20, 0, 0, 0\].*step 2 = 2 mV, got 0 mV.*wrong step"),
    "one event per step at most": (_once_per_step, r"case spike_counts = \[0, 0, 43, 0, 0, 0\].*step 3 = 4 mV, got "
                                                   r"2 mV.*two multiples"),
    "one step short": (_wrong_length, r"should have shape \(5\), got shape \(4,\) on case spike_counts = "
                                      r"\[0, 0, 0, 0, 0\]"),
    "a list of words": (_a_list_of_words, r"should be an array of numbers, got list"),
}


# -- 3.2 build_three_populations -------------------------------------------------------------------------


def _variant(e1_current=None, e2_current=None, couple_delay=0.1, inh_k=10, couple=("E1", "E2"), synapses=False,
             order=("E1", "E2", "I"), run=False, u_init=None):
    def build():
        n = 100
        net = sl.Network(dt=0.1, seed=0)
        currents = {"E1": 3.0 * np.arange(n) if e1_current is None else e1_current,
                    "E2": sl.UniformNoise(0.0, 5.5) if e2_current is None else e2_current, "I": 3.0}
        kinds = {"E1": "excitatory", "E2": "excitatory", "I": "inhibitory"}
        pops = {label: net.add_population(label, n, kinds[label], current=currents[label], u_init=u_init)
                for label in order}
        for label, k in (("E1", 1), ("E2", 1), ("I", inh_k)):
            net.connect(pops[label], pops[label], rule="fixed_outdegree", k=k, weight=2.0)
        for label in couple:
            if synapses:
                net.connect(pops[label], pops["I"], rule="fixed_probability", p=0.05, weight=2.0, delay=couple_delay)
            else:
                net.couple(pops[label], pops["I"], every=20, effect=2.0, delay=couple_delay)
        return net.run(80.0) if run else net

    return build


@pytest.mark.parametrize("build", [
    # the other ways to give each neuron its own current pass too
    _variant(e1_current=[lambda t, i=i: 3.0 * i for i in range(100)]),
    _variant(e1_current=sl.Constant(3.0 * np.arange(100))),
    _variant(couple_delay=None),
    _variant(u_init=0.0),
])
def test_equivalent_networks_pass(build):
    verdict = verdict_of("build_three_populations", build)
    assert verdict.passed, verdict.message


def _projections_swapped():
    net = build_three_populations()
    net.projections[0], net.projections[1] = net.projections[1], net.projections[0]
    for i, p in enumerate(net.projections):
        p.index = i
    return net


THREE_POPULATIONS_WRONG = {
    # the report's own bug: every lambda sees the loop's last i
    "the report's lambdas, all with the last i": (
        _variant(e1_current=[lambda t: 3.0 * i for i in range(100)]),  # noqa: B023 (the bug on purpose)
        r"case the report's three populations, 80 ms, seed 0: at t = 0\.0 ms population E1 fires 100 spike\(s\) "
        r"\(neuron 0, 1, 2.*expected 66 spike.*Hint: E1's current differs: neuron 0 gets 297 nA at t = 0, "
        r"expected 0 nA"),
    "E2's noise from random.random": (_variant(e2_current=lambda t: random.random() * 5.5),
                                      r"population E2 fires.*Hint: E2's current is not the seeded uniform noise"),
    "a coupling delay of 1 ms": (_variant(couple_delay=1.0), r"at t = 0.1 ms population I fires no spike, expected "
                                                             r"100.*Hint: the coupling E1->I has delay = 1 ms, not the "
                                                             r"report's"),
    "synapses instead of couple()": (_variant(synapses=True), r"population I fires 98 spike.*Hint: your couple\(\) "
                                                              r"calls link none; the report couples each excitatory"),
    "E1 coupled only": (_variant(couple=("E1",)), r"Hint: your couple\(\) calls link E1->I;"),
    "one I->I target": (_variant(inh_k=1), r"Hint: connect\(\) call 3 \(I->I\) differs"),
    "starts above rest": (_variant(u_init=0.5), r"population E1 fires .*Hint: E1's neurons should start at rest"),
    "populations in another order": (_variant(order=("E2", "E1", "I")),
                                     r"populations are \['E2', 'E1', 'I'\], expected \['E1', 'E2', 'I'\], in that "
                                     r"order \(the same populations in another order"),
    "projections in another order": (_projections_swapped, r"the same connect\(\) calls in another order"),
    "returns the run": (_variant(run=True), r"returned a Result \(a run\): return the sl.Network itself"),
    "returns a number": (lambda: 42, r"should return an sl.Network, got int"),
}


# -- 3.3 build_competition -------------------------------------------------------------------------------


def _competition(sign=1.0, shared_noise=False, feedback=("E1", "E2"), delay=1.0, start=True, order="per_population",
                 w_ie=0.2, run=False):
    def build(bias, seed):
        net = sl.Network(dt=0.1, seed=seed)
        u_init = sl.Uniform(0.0, 0.95) if start else None

        def drive(mean):
            return mean if shared_noise else sl.Constant(mean) + sl.Noise(0.0, 5.0)

        e1 = net.add_population("E1", 100, "excitatory", current=drive(1.4 + sign * bias / 2), u_init=u_init)
        e2 = net.add_population("E2", 100, "excitatory", current=drive(1.4 - sign * bias / 2), u_init=u_init)
        inh = net.add_population("I", 50, "inhibitory", current=drive(0.6), u_init=u_init)
        calls = []
        for exc in (e1, e2):
            calls += [(exc, exc, 0.12), (exc, inh, 0.1)]
            if exc.label in feedback:
                calls.append((inh, exc, w_ie))
        if order == "by_kind":  # all E->E first, then E->I, then I->E
            calls.sort(key=lambda c: (c[0].kind, c[1].kind != c[0].kind))
        for pre, post, weight in calls:
            net.connect(pre, post, rule="fixed_probability", p=0.2, weight=weight, delay=delay)
        return net.run(150.0) if run else net

    return build


def test_an_equivalent_competition_passes():
    def build(bias, seed):
        net = build_competition(bias, seed)
        return net

    def with_sums(bias, seed):  # a number plus a Noise is a Sum too
        net = sl.Network(dt=0.1, seed=seed)
        pops = [net.add_population(label, n, kind, current=mean + sl.Noise(0.0, 5.0), u_init=sl.Uniform(0.0, 0.95))
                for label, n, kind, mean in (("E1", 100, "excitatory", 1.4 + bias / 2),
                                             ("E2", 100, "excitatory", 1.4 - bias / 2),
                                             ("I", 50, "inhibitory", 0.6))]
        for exc in pops[:2]:
            for pre, post, weight in ((exc, exc, 0.12), (exc, pops[2], 0.1), (pops[2], exc, 0.2)):
                net.connect(pre, post, rule="fixed_probability", p=0.2, weight=weight, delay=1.0)
        return net

    for good in (build, with_sums):
        verdict = verdict_of("build_competition", good)
        assert verdict.passed, verdict.message


COMPETITION_WRONG = {
    "the bias given to the wrong population": (
        _competition(sign=-1.0), r"case bias = 0.05 nA, seed = 0, 150 ms: at t = .* ms population E\d fires .*Hint: "
                                 r"population E1's current is not the exercise's \(check its mean, the sign"),
    "no noise in the currents": (_competition(shared_noise=True),
                                 r"Hint: population E1's current is not the exercise's"),
    # inhibition onto the first population only: no competition
    "inhibition onto E1 only": (_competition(feedback=("E1",)), r"Hint: your connect\(\) calls link E1->E1, E1->I, "
                                                                r"I->E1, E2->E2, E2->I: compare them"),
    "delays of one step": (_competition(delay=0.1), r"Hint: connect\(\) call 1 \(E1->E1\) differs from the exercise's "
                                                    r"in its delay"),
    "an I->E weight of 2 mV": (_competition(w_ie=2.0), r"Hint: connect\(\) call 3 \(I->E1\) differs from the "
                                                       r"exercise's in its weight"),
    "starts at rest": (_competition(start=False), r"at t = .* ms population .* fires .*Hint: population E1.s starting "
                                                  r"potentials are not"),
    "connections grouped by kind": (_competition(order="by_kind"),
                                    r"Hint: the same connect\(\) calls in another order"),
    "returns the run": (_competition(run=True), r"build_competition\(bias=0.05, seed=0\) returned a Result"),
    "the seed ignored": (lambda bias, seed: build_competition(bias, 0),
                         r"build_competition\(bias=-0.1, seed=1\) has dt = 0.1 ms and seed = 0; expected dt = 0.1 ms "
                         r"and the seed it was given, 1"),
}


# -- 3.4 decide ------------------------------------------------------------------------------------------


def _per_ms(result, window=20.0, margin=5.0):
    rates, times = _rates(result, window)
    rates = {k: v / 1000.0 for k, v in rates.items()}  # spikes per neuron per ms
    difference = rates["E1"] - rates["E2"]
    for label, ahead in (("E1", difference >= margin), ("E2", -difference >= margin)):
        if ahead[-1]:
            behind = np.flatnonzero(~ahead)
            return label, float(times[behind[-1] + 1 if behind.size else 0])
    return None, None


def _first_crossing(result, window=20.0, margin=5.0):
    winner, _ = decide(result, window, margin)
    if winner is None:
        return None, None
    rates, times = _rates(result, window)
    difference = rates["E1"] - rates["E2"] if winner == "E1" else rates["E2"] - rates["E1"]
    return winner, float(times[np.flatnonzero(difference >= margin)[0]])


def _by_count(result, window=20.0, margin=5.0):
    winner, decided = decide(result, window, margin)
    if winner is None:
        return None, None
    counts = {label: result.spike_steps(label)[0].size for label in ("E1", "E2")}
    return max(counts, key=counts.get), decided


def _in_steps(result, window=20.0, margin=5.0):
    winner, decided = decide(result, window, margin)
    return winner, None if decided is None else round(decided / result.dt)


def _window_start(result, window=20.0, margin=5.0):
    winner, decided = decide(result, window, margin)
    return winner, None if decided is None else decided - window


def _population_counts(result, window=20.0, margin=5.0):
    # spikes per second of the whole population, not per neuron
    class Sized:
        def __init__(self, result):
            self.result = result

        def __getattr__(self, name):
            return getattr(self.result, name)

        def size(self, label):
            return 1

    return decide(Sized(result), window, margin)


def _decision_object(result, window=20.0, margin=5.0):
    return sl.decision(result, "E1", "E2", window=window, margin=margin)


DECIDE_WRONG = {
    "rates per ms": (_per_ms, r"case E1 ahead from the first window on, window = 20 ms, margin = 7.5 Hz: expected "
                              r"\(winner, decision time\) = \('E1', 20 ms\), got \(None, None\)\. Hint: compare rates "
                              r"in Hz"),
    "the first crossing": (_first_crossing, r"case E1 ahead, then E2, then E1 again.*= \('E1', 70.1 ms\), got "
                                            r"\('E1', 20 ms\)\. Hint: the winner must stay ahead"),
    "the winner by spike count": (_by_count, r"case E1 fires most spikes, E2 ahead at the end.*got \('E1', 83.9 ms\).*"
                                             r"not by who fired more"),
    "the time in steps": (_in_steps, r"case E1 ahead from the first window on.*got \('E1', 200 ms\)\. Hint: .*in ms, "
                                     r"not in steps"),
    "the time at the window's start": (_window_start, r"case E1 ahead from the first window on.*got \('E1', 0 ms\)\. "
                                                      r"Hint: .*window that ends"),
    "population rates, not per neuron": (_population_counts,
                                         r"case E1 fires most spikes, E2 ahead at the end.*expected "
                                         r".*\('E2', 83.9 ms\), got \('E2', 83.7 ms\)\. Hint: the winner is right, "
                                         r"the time is not"),
    "snnlab's Decision object": (_decision_object, r"should return a pair \(winner, decision time in ms\), got "
                                                   r"Decision"),
}


WRONG = {"coupling_input": COUPLING_WRONG, "build_three_populations": THREE_POPULATIONS_WRONG,
         "build_competition": COMPETITION_WRONG, "decide": DECIDE_WRONG}


class TestEveryExercise(ExerciseContract):
    checks = check
    reference = REFERENCE
    wrong = WRONG


def test_decide_cases_cover_every_outcome():
    outcomes = [check.reference_decide(r, w, m) for _, r, w, m in check._decide_cases()]
    winners = [o[0] for o in outcomes]
    assert {"E1", "E2", None} <= set(winners)
    assert ("E1", 20.0) in outcomes  # a decision at the first time there is a full window


def test_decide_margins_are_never_a_reachable_difference():
    """A margin equal to a reachable rate difference would make the verdict hang on rounding."""
    for _, result, window, margin in check._decide_cases():
        steps = window / result.dt
        step_sizes = [1000.0 / (result.size(label) * steps * result.dt) for label in ("E1", "E2")]
        grid = math.gcd(*(round(s * 1000) for s in step_sizes)) / 1000  # the differences' common step, Hz
        assert abs(margin / grid - round(margin / grid)) > 1e-6, (margin, grid)


def test_the_notebooks_own_solutions_pass():
    """The solutions written in the notebook (the instructor edition) pass their checks too."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / f"{check.NOTEBOOK}.ipynb"
    namespace = {"np": np, "sl": sl}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "# BEGIN SOLUTION" in source:
            exec(compile(source, str(path), "exec"), namespace)
    verdicts = grade_namespace(check.NOTEBOOK, namespace)
    assert len(verdicts) == 4
    assert all(v.passed for v in verdicts), [v.line() for v in verdicts]
