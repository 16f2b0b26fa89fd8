"""Notebook 01's exercise checks: the reference solutions pass, stubs are "not done yet", and
plausible wrong solutions are each rejected with a message that names the failing case."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from exercise_contract import ExerciseContract

import snnlab as sl
from snnlab.exercises import two_neurons as check

# -- reference solutions (the notebook's) ---------------------------------------------------------------------


def build_ee():
    net = sl.Network(dt=0.1)
    a = net.add_population("A", n=1, kind="excitatory", current=4.0)
    b = net.add_population("B", n=1, kind="excitatory", current=3.0)
    net.connect(a, b, weight=2.0, delay=0.1)
    net.connect(b, a, weight=2.0, delay=0.1)
    return net


def build_ei():
    net = sl.Network(dt=0.1)
    a = net.add_population("A", n=1, kind="excitatory", current=lambda t: 4 * (np.sin(t / 5) + 0.3))
    b = net.add_population("B", n=1, kind="inhibitory", current=10.0)
    net.connect(a, b, weight=2.0, delay=0.1)
    net.connect(b, a, weight=2.0, delay=0.1)
    return net


def build_pair(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    net = sl.Network(dt=0.1)
    a = net.add_population("A", n=1, kind=kind_a, current=current_a)
    b = net.add_population("B", n=1, kind=kind_b, current=current_b)
    if a_to_b:
        net.connect(a, b, weight=weight, delay=delay)
    if b_to_a:
        net.connect(b, a, weight=weight, delay=delay)
    return net


def delayed_input(spike_steps, weights, signs, delay_steps, n_steps):
    arriving = np.zeros(n_steps)
    for step, weight, sign in zip(spike_steps, weights, signs):
        if step + delay_steps < n_steps:
            arriving[step + delay_steps] += sign * weight
    return arriving


REFERENCES = {"build_ee": build_ee, "build_ei": build_ei, "build_pair": build_pair, "delayed_input": delayed_input}
CHECKS = {"build_ee": check.build_ee, "build_ei": check.build_ei, "build_pair": check.build_pair,
          "delayed_input": check.delayed_input}


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    """Load numba's cached kernel and run the checks' reference set-ups once, so that no check
    below pays for them on a busy machine (a notebook has run snnlab before its first check; a
    fresh process pays about 0.7 s once for the kernel)."""
    check._report_example("E-E")
    check._report_example("E-I")
    check._pair_references()


def verdict_of(name, function):
    return CHECKS[name](function, quiet=True)


# -- what a builder returns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["build_ee", "build_ei", "build_pair"])
def test_a_builder_must_return_a_network(name):
    def returns_list(*args, **kwargs):
        return ["A", "B"]

    verdict = verdict_of(name, returns_list)
    assert verdict.status == "failed"
    assert "should return an sl.Network, got list" in verdict.message


@pytest.mark.parametrize("name", ["build_ee", "build_ei", "build_pair"])
def test_a_builder_that_runs_its_network_is_told_to_return_the_network(name):
    def runs(*args, **kwargs):
        return REFERENCES[name](*args, **kwargs).run(100.0)

    verdict = verdict_of(name, runs)
    assert verdict.status == "failed"
    assert "returned the result of a run" in verdict.message
    assert "without calling run" in verdict.message


def test_the_network_instead_of_its_builder_is_failed():
    verdict = check.build_ee(build_ee(), quiet=True)
    assert verdict.status == "failed"
    assert "expected a function" in verdict.message


@pytest.mark.parametrize(("result", "match"), [
    (lambda steps, w, s, d, n: np.zeros(n + 1), r"should have shape \(10\), got shape \(11,\) on case 'no spikes'"),
    (lambda steps, w, s, d, n: np.zeros((n, 1)), r"should have shape \(10\), got shape \(10, 1\) on case 'no spikes'"),
    (lambda *a: "0 mV", "should be an array of numbers, got str"),
])
def test_a_queue_of_the_wrong_shape_or_type_is_failed(result, match):
    verdict = check.delayed_input(result, quiet=True)
    assert verdict.status == "failed"
    assert re.search(match, verdict.message), verdict.message


# -- wrong networks: Example 1 ---------------------------------------------------------------------------------


def _pair_net(kind_a="excitatory", kind_b="excitatory", current_a=4.0, current_b=3.0, weight_ab=2.0,
              weight_ba=2.0, delay=0.1, a_to_b=True, b_to_a=True, model=None, labels=("A", "B"), dt=0.1, u_init=None,
              extra=None, seed=None):
    net = sl.Network(dt=dt, seed=seed)
    a = net.add_population(labels[0], n=1, kind=kind_a, current=current_a, model=model, u_init=u_init)
    b = net.add_population(labels[1], n=1, kind=kind_b, current=current_b, model=model)
    if a_to_b:
        net.connect(a, b, weight=weight_ab, delay=delay)
    if b_to_a:
        net.connect(b, a, weight=weight_ba, delay=delay)
    if extra:
        extra(net, a, b)
    return net


WRONG_EE = {
    "the report's delay = 1 read as 1 ms": (lambda: _pair_net(delay=1.0),
                                            "the synapse from A to B has a delay of 1 ms, expected 0.1 ms. Hint: "
                                            "snnlab's delay is in ms"),
    "delay off by one step": (lambda: _pair_net(delay=0.2),
                              "the synapse from A to B has a delay of 0.2 ms, expected 0.1 ms"),
    "B -> A missing": (lambda: _pair_net(b_to_a=False), "there is no synapse from B to A, expected one"),
    "A -> B missing": (lambda: _pair_net(a_to_b=False), "there is no synapse from A to B, expected one"),
    "currents swapped": (lambda: _pair_net(current_a=3.0, current_b=4.0),
                         "A has B's current and B has A's. Hint: the currents are swapped"),
    "B inhibitory": (lambda: _pair_net(kind_b="inhibitory"),
                     "B is inhibitory, expected excitatory. Hint: the kind of a population"),
    "weight 1 mV": (lambda: _pair_net(weight_ab=1.0),
                    r"the synapse from A to B moves B by \+1 mV per spike, expected \+2 mV"),
    "a current of 3 nA for both": (lambda: _pair_net(current_a=3.0),
                                   "A's current at t = 0.0 ms is 3 nA, expected 4 nA. Hint: A's current is 4 nA$"),
    "the report's clamp": (lambda: _pair_net(model=sl.LIF(floor=0.0)),
                           "A's model has floor = 0.0, expected None. Hint: a floor at rest is the report's clamp"),
    "Euler": (lambda: _pair_net(model=sl.LIF(method="euler")), "A's model has method = 'euler', expected 'exact'"),
    "labels lower case": (lambda: _pair_net(labels=("a", "b")),
                          "the network's populations are 'a', 'b', expected exactly 'A' and 'B'"),
    "dt 0.01 ms": (lambda: _pair_net(dt=0.01), "the network's dt is 0.01 ms, expected 0.1 ms"),
    "an autapse": (lambda: _pair_net(extra=lambda net, a, b: net.connect(a, a, weight=2.0, autapses=True)),
                   r"there is a synapse from A to A, expected none. Hint: .*autapse"),
    "connected twice": (lambda: _pair_net(extra=lambda net, a, b: net.connect(a, b, weight=2.0)),
                        "there are 2 synapses from A to B, expected 1"),
    "starts above rest": (lambda: _pair_net(u_init=0.5), "A starts at u_init = 0.5 mV, expected rest"),
    "starts at random": (lambda: _pair_net(u_init=sl.Uniform(0.0, 0.5)), "A starts at u_init = Uniform.*expected rest"),
    "a third population": (lambda: _pair_net(extra=lambda net, a, b: net.add_population("C", current=1.0)),
                           "populations are 'A', 'B', 'C', expected exactly 'A' and 'B'"),
}


def test_build_ee_accepts_what_only_restates_the_defaults():
    """An explicit model=sl.LIF(), u_init=0.0, delay=None (one step), rule="one_to_one" and a
    current given as a function are the same network."""
    def explicit():
        net = sl.Network(dt=0.1, seed=7)
        a = net.add_population("A", n=1, kind="excitatory", current=lambda t: 4.0, model=sl.LIF(), u_init=0.0)
        b = net.add_population("B", n=1, kind="excitatory", current=[3.0], u_init=[0.0])
        net.connect("A", "B", rule="one_to_one", weight=2.0)
        net.connect(b, a, weight=2, delay=None)
        return net

    verdict = check.build_ee(explicit, quiet=True)
    assert verdict.passed, verdict.message


def test_build_ee_names_the_first_different_spike_when_all_else_agrees():
    """Extra Poisson input on A (seeded): populations, synapses and currents agree, spikes do not."""
    def kicked():
        net = _pair_net(seed=3)
        net.add_poisson_input("A", rate=2000.0, weight=0.5)
        return net

    verdict = check.build_ee(kicked, quiet=True)
    assert verdict.status == "failed"
    assert re.search(r"^A's spike 1 is at [0-2]\.\d ms, expected 2\.8 ms\. Hint: the kinds, synapses and currents "
                     "agree", verdict.message), verdict.message


def test_build_ee_names_the_first_different_potential_when_the_spikes_agree():
    """A kick too small to move a spike still shows in the recorded potential."""
    def nudged():
        net = _pair_net(seed=0)
        net.add_poisson_input("B", rate=10.0, weight=0.01)
        return net

    verdict = check.build_ee(nudged, quiet=True)
    assert verdict.status == "failed"
    assert re.search(r"^B's potential at t = [\d.]+ ms is [\d.]+ mV, expected [\d.]+ mV", verdict.message), \
        verdict.message


# -- wrong networks: Example 2 ---------------------------------------------------------------------------------


def _sin5(t):
    return 4 * (np.sin(t / 5) + 0.3)


WRONG_EI = {
    "inhibition as a negative weight": (
        lambda: _pair_net("excitatory", "inhibitory", _sin5, 10.0, weight_ba=-2.0),
        r"raised ValueError: connect\.weight: must be >= 0 mV.*Hint: many simulators write inhibition as a negative "
        "weight"),
    "the report's plus sign: B excitatory": (
        lambda: _pair_net("excitatory", "excitatory", _sin5, 10.0),
        "B is excitatory, expected inhibitory. Hint: .*should lower the partner's potential"),
    "kinds swapped": (lambda: _pair_net("inhibitory", "excitatory", _sin5, 10.0),
                      "A is inhibitory, expected excitatory"),
    "the + 0.3 forgotten": (lambda: _pair_net("excitatory", "inhibitory", lambda t: 4 * np.sin(t / 5), 10.0),
                            r"A's current at t = 0\.0 ms is 0 nA, expected 1\.2 nA\. Hint: A's current is "
                            r"4 \(sin\(t/5\) \+ 0\.3\) nA"),
    "sin(5 t) for sin(t/5)": (lambda: _pair_net("excitatory", "inhibitory", lambda t: 4 * (np.sin(5 * t) + 0.3), 10.0),
                              r"A's current at t = 0\.1 ms is 3\.1177 nA, expected 1\.27999 nA"),
    "currents swapped": (lambda: _pair_net("excitatory", "inhibitory", 10.0, _sin5), "the currents are swapped"),
    "the report's clamp": (lambda: _pair_net("excitatory", "inhibitory", _sin5, 10.0, model=sl.LIF(floor=0.0)),
                           "A's model has floor = 0.0, expected None"),
    "delay in steps": (lambda: _pair_net("excitatory", "inhibitory", _sin5, 10.0, delay=1),
                       "a delay of 1 ms, expected 0.1 ms"),
    "one direction only": (lambda: _pair_net("excitatory", "inhibitory", _sin5, 10.0, b_to_a=False),
                           "there is no synapse from B to A, expected one"),
}


def test_build_ei_accepts_math_sin_and_a_callable_constant():
    """A current written with math.sin (called once per step) is the same current."""
    verdict = check.build_ei(lambda: _pair_net("excitatory", "inhibitory", lambda t: 4 * (math.sin(t / 5) + 0.3),
                                               lambda t: 10), quiet=True)
    assert verdict.passed, verdict.message


# -- wrong networks: any pair -----------------------------------------------------------------------------------


def _pair_ignores_b_to_a(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_a, current_b, weight, delay, a_to_b, True)


def _pair_flags_swapped(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_a, current_b, weight, delay, b_to_a, a_to_b)


def _pair_always_inhibitory(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair("inhibitory", "inhibitory", current_a, current_b, weight, delay, a_to_b, b_to_a)


def _pair_delay_in_steps(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_a, current_b, weight, round(delay / 0.1), a_to_b, b_to_a)


def _pair_weight_fixed(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_a, current_b, 2.0, delay, a_to_b, b_to_a)


def _pair_delay_fixed(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_a, current_b, weight, 0.1, a_to_b, b_to_a)


def _pair_signed_weight(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    net = sl.Network(dt=0.1)
    a = net.add_population("A", n=1, kind=kind_a, current=current_a)
    b = net.add_population("B", n=1, kind=kind_b, current=current_b)
    sign = {"excitatory": 1.0, "inhibitory": -1.0}
    if a_to_b:
        net.connect(a, b, weight=sign[kind_a] * weight, delay=delay)
    if b_to_a:
        net.connect(b, a, weight=sign[kind_b] * weight, delay=delay)
    return net


def _pair_currents_swapped(kind_a, kind_b, current_a, current_b, weight=2.0, delay=0.1, a_to_b=True, b_to_a=True):
    return build_pair(kind_a, kind_b, current_b, current_a, weight, delay, a_to_b, b_to_a)


WRONG_PAIR = {
    "b_to_a ignored": (_pair_ignores_b_to_a, "case 'Example 2, A → B only' .*there is a synapse from B to A, expected "
                                             "none. Hint: b_to_a=False"),
    "a_to_b and b_to_a swapped": (_pair_flags_swapped,
                                  "case 'Example 2, A → B only' .*there is no synapse from A to B"),
    "kinds copied from Example 3": (_pair_always_inhibitory,
                                    "case 'Example 2, A → B only' .*A is inhibitory, expected excitatory"),
    "delay given in steps": (_pair_delay_in_steps,
                             "case 'Example 3' .*a delay of 1 ms, expected 0.1 ms. Hint: snnlab's delay is in ms"),
    "weight fixed at 2 mV": (_pair_weight_fixed,
                             r"case 'slow motion' .*moves B by \+2 mV per spike, expected \+0\.5 mV"),
    "delay fixed at one step": (_pair_delay_fixed, "case 'slow motion' .*a delay of 0.1 ms, expected 2 ms. Hint: "
                                                   r"the delay \(ms\) is the time from a spike of A to its arrival"),
    "inhibition as a negative weight": (_pair_signed_weight, "raised ValueError: connect.weight: must be >= 0 mV.* on "
                                                             "case 'Example 3'.*Hint: many simulators"),
    "currents swapped": (_pair_currents_swapped, "case 'Example 3' .*the currents are swapped"),
}


def test_build_pair_cases_cover_what_the_wrong_solutions_need():
    """Every direction flag, both kinds on each side, several weights and delays, spikes to compare."""
    cases = [case for case, _ in check._pair_references()]
    assert {(c.a_to_b, c.b_to_a) for c in cases} == {(True, True), (True, False), (False, True), (False, False)}
    assert {c.kind_a for c in cases} == {c.kind_b for c in cases} == {"excitatory", "inhibitory"}
    assert len({c.weight for c in cases}) >= 5 and len({c.delay for c in cases}) >= 5
    assert all(r.spike_count("A")[0] + r.spike_count("B")[0] > 0 for _, r in check._pair_references()[1:])


# -- the delayed-spike queue ---------------------------------------------------------------------------------------


def _queue(arrive, value, overwrite=False, wrap=False, bounds=True):
    """A family of queues: ``arrive(step, delay)`` the arrival step, ``value(weight, sign)`` the input."""
    def delayed(spike_steps, weights, signs, delay_steps, n_steps):
        out = np.zeros(n_steps)
        for step, weight, sign in zip(spike_steps, weights, signs):
            k = arrive(step, delay_steps)
            if wrap:
                k %= n_steps
            elif bounds and not 0 <= k < n_steps:
                continue
            out[k] = value(weight, sign) if overwrite else out[k] + value(weight, sign)
        return out

    return delayed


def _queue_fancy_index(spike_steps, weights, signs, delay_steps, n_steps):
    out = np.zeros(n_steps)
    k = np.asarray(spike_steps) + delay_steps
    keep = k < n_steps
    out[k[keep]] += (np.asarray(signs) * np.asarray(weights))[keep]
    return out


WRONG_QUEUE = {
    "one step late": (_queue(lambda s, d: s + d + 1, lambda w, g: g * w),
                      "case 'one excitatory spike, delay 1' .*at step 4 expected 2 mV, got 0 mV. Hint: the input "
                      "arrives one step late"),
    "one step early": (_queue(lambda s, d: s + d - 1, lambda w, g: g * w),
                       "case 'one excitatory spike, delay 1' .*at step 3 expected 0 mV, got 2 mV. Hint: the input "
                       "arrives one step early"),
    "the report's plus sign": (_queue(lambda s, d: s + d, lambda w, g: w),
                               "case 'one inhibitory spike, delay 1' .*at step 4 expected -2 mV, got 2 mV. Hint: an "
                               "inhibitory spike .* raises the input"),
    "signs reversed": (_queue(lambda s, d: s + d, lambda w, g: -g * w),
                       "case 'one excitatory spike, delay 1' .*Hint: the signs are the wrong way round"),
    "weights forgotten": (_queue(lambda s, d: s + d, lambda w, g: g),
                          "case 'one excitatory spike, delay 1' .*expected 2 mV, got 1 mV. Hint: each arrival moves "
                          "the input by its sign times its weight"),
    "later arrivals overwrite": (_queue(lambda s, d: s + d, lambda w, g: g * w, overwrite=True),
                                 "case 'two spikes arriving on one step' .*at step 6 expected 2.5 mV, got 0.5 mV. "
                                 "Hint: when several spikes arrive on the same step only one of them counts"),
    "numpy fancy-index +=": (_queue_fancy_index,
                             "case 'two spikes arriving on one step' .*Hint: .*out\\[idx\\] \\+= values counts a "
                             "repeated index once"),
    "arrivals past the end wrap around": (_queue(lambda s, d: s + d, lambda w, g: g * w, wrap=True),
                                          "case 'an arrival just after the run' .*at step 0 expected 0 mV, got 1.5 mV. "
                                          "Hint: an arrival at step n_steps or later .* wraps around"),
    "no bound check": (_queue(lambda s, d: s + d, lambda w, g: g * w, bounds=False),
                       "raised IndexError: index 10 is out of bounds .* on case 'an arrival just after the run'.*"
                       "Hint: a spike whose arrival step is n_steps or later arrives after the run"),
    "delay ignored": (_queue(lambda s, d: s + 1, lambda w, g: g * w),
                      "case 'a spike at step 0, delay 4' .*at step 1 expected 0 mV, got 0.5 mV. Hint: spike i moves "
                      "its target by"),
}


WRONG = {"build_ee": WRONG_EE, "build_ei": WRONG_EI, "build_pair": WRONG_PAIR, "delayed_input": WRONG_QUEUE}


class TestEveryExercise(ExerciseContract):
    checks = check
    reference = REFERENCES
    wrong = WRONG


def test_delayed_input_accepts_a_vectorised_answer_and_a_list():
    def vectorised(spike_steps, weights, signs, delay_steps, n_steps):
        out = np.zeros(n_steps)
        k = np.asarray(spike_steps) + delay_steps
        np.add.at(out, k[k < n_steps], (np.asarray(signs) * weights)[k < n_steps])
        return out

    assert check.delayed_input(vectorised, quiet=True).passed
    assert check.delayed_input(lambda *a: delayed_input(*a).tolist(), quiet=True).passed


def _engine_arrivals(spike_steps, weights, signs, delay_steps, n_steps):
    """What snnlab's ring buffer delivers: one sender neuron per spike, made to fire at its step by
    a strong current in that step only, projecting to a target that never fires; the input
    arriving at step k is read off the target's recorded potential, ``u[k] - u[k-1] * decay``
    (its current is 0, so u_inf = 0)."""
    net = sl.Network(dt=0.1, seed=0)
    target = net.add_population("T", n=1, current=0.0, model=sl.LIF(threshold=1e6))
    for kind, sign in (("excitatory", 1.0), ("inhibitory", -1.0)):
        mine = np.flatnonzero(signs == sign)
        if mine.size == 0:
            continue
        drive = np.zeros((n_steps, mine.size))
        drive[spike_steps[mine], np.arange(mine.size)] = 1000.0  # crosses threshold within the step
        senders = net.add_population(kind, n=mine.size, kind=kind, current=drive)
        net.connect(senders, target, weight=weights[mine][:, None], delay=delay_steps * 0.1)
    res = net.run(n_steps * 0.1, record="all")
    assert res.steps == n_steps
    for kind, sign in (("excitatory", 1.0), ("inhibitory", -1.0)):  # the senders fired when told to, once
        if kind in net.populations:
            steps, ids = res.spike_steps(kind)
            mine = np.flatnonzero(signs == sign)
            assert sorted(zip(ids.tolist(), steps.tolist())) == sorted(enumerate(spike_steps[mine].tolist()))
    u = np.asarray(res.potential("T"))[:, 0]
    decay = np.exp(-0.1 / 10.0)
    return u - np.concatenate([[0.0], u[:-1] * decay])


@pytest.mark.parametrize("index", range(0, 43, 3))
def test_queue_reference_is_what_the_engine_delivers(index):
    """The check's reference (np.add.at) against the engine's own ring buffer, on the check's cases."""
    name, (steps, weights, signs, delay, n) = check._queue_cases()[index]
    expected = check.queue_reference(steps, weights, signs, delay, n)
    np.testing.assert_allclose(_engine_arrivals(steps, weights, signs, delay, n), expected, atol=1e-9,
                               err_msg=name)


def test_queue_cases_include_the_edges():
    cases = dict(check._queue_cases())
    assert len(cases) >= 40
    steps, _, _, delay, n = cases["arrivals past the end"]
    assert np.any(steps + delay >= n) and np.any(steps + delay < n)
    steps, _, signs, delay, _ = cases["three spikes on one step, mixed signs"]
    assert np.unique(steps).size == 1 and set(signs) == {-1.0, 1.0}
    crowded = [c for c in cases.values() if c[0].size != np.unique(c[0]).size]
    assert len(crowded) >= 10  # several spikes on one step, random ones included
