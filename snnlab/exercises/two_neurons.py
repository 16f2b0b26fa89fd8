"""Checks of notebook 01's exercises: two connected neurons (the report's Section 1).

In the notebook::

    from snnlab.exercises import two_neurons as check
    check.build_ee(build_ee)            # Exercise 1.1: Example 1 built with Network/add_population/connect
    check.delayed_input(delayed_input)  # Exercise 1.2: the delayed-spike queue
    check.build_ei(build_ei)            # Exercise 1.3: Example 2 (an inhibitory neuron, a current in time)
    check.build_pair(build_pair)        # Exercise 1.4: any pair: kinds, currents, weight, delay, directions

The network checks run what the student built for 100 ms next to snnlab's reference set-up
(:func:`snnlab.experiments.two_neurons.report_example` and :func:`~snnlab.experiments.two_neurons.two_neurons`)
and name the first difference, in the order a student would look for it: the populations
(labels, sizes, kinds, neuron model), the synapses (which directions, weight, delay), the
currents at every step, and then every spike and every recorded potential. The queue check
compares ``delayed_input`` with an independent reference (``np.add.at``; the tests check that
reference against the engine's ring buffer) on edge cases and seeded random ones.

Units: time ms, potential and weights mV, current nA; steps are whole time steps of 0.1 ms.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..experiments import two_neurons as ex
from ..network import Network
from ..neurons import LIF
from ..results import Result
from ._core import REGISTRY, Failure, _describe, array, call, exercise

NOTEBOOK = "01_two_neurons"

#: The report's step and run length, ms: the check runs every network for this long.
DT = 0.1
DURATION = 100.0

_LABELS = ("A", "B")

#: Hint for a negative weight, which :meth:`snnlab.Network.connect` refuses.
_NEGATIVE_WEIGHT_HINT = (
    "Hint: many simulators write inhibition as a negative weight (and the report's code adds inh_weight with "
    "a plus sign); in snnlab a weight is a magnitude in mV, and whether a spike raises or lowers its target "
    "is decided by the population that sends it"
)
_DELAY_HINT = ("snnlab's delay is in ms, while the report's delay = 1 counts steps: one step of dt = 0.1 ms "
               "is delay=0.1")


def _prepared_by(prepare):
    """Run ``prepare()`` before the check's clock starts: the first snnlab run in a process loads
    (or, on a fresh install, compiles) the engine's numba kernel, which takes from half a second
    to several seconds and must not count against the student's budget, nor be taken for an
    endless loop in their code. Its results (the reference runs) are cached, so it costs nothing
    after the first check. The wrapped check replaces the plain one in :data:`REGISTRY`, so a
    grader calling ``grade_namespace`` gets it too."""
    def decorate(check):
        @functools.wraps(check)
        def run(*values, quiet: bool = False):
            try:
                prepare()
            except Exception:  # the check meets it again inside its budget, and reports it
                pass
            return check(*values, quiet=quiet)

        key = (check.exercise.notebook, check.exercise.name)
        REGISTRY[key] = dataclasses.replace(check.exercise, check=run)
        run.exercise = REGISTRY[key]
        return run

    return decorate


# -- network checks ---------------------------------------------------------------------------------------------


def _build(function, args: tuple, kwargs: dict, what: str, case: str) -> Network:
    """Call the student's builder and make sure it handed back a network description."""
    try:
        net = call(function, *args, what=what, case=case, **kwargs)
    except Failure as exc:
        text = str(exc)
        if "weight: must be >= 0" in text:
            raise Failure(f"{text}. {_NEGATIVE_WEIGHT_HINT}") from None
        raise
    if isinstance(net, Result):
        raise Failure(f"{what} returned the result of a run (an sl.Result){_on(case)}; return the network "
                      "itself, without calling run: the check runs it")
    if not isinstance(net, Network):
        raise Failure(f"{what} should return an sl.Network, got {_describe(net)}{_on(case)}")
    return net


def _on(case: str) -> str:
    return f" on case {case}" if case else ""


def _where(case: str) -> str:
    return f"case {case}: " if case else ""


def _structure(net: Network, reference: Result, case: str) -> None:
    """Labels, sizes, kinds, model and initial potential of the two populations."""
    where = _where(case)
    if not np.isclose(net.dt, DT, rtol=0, atol=1e-12):
        raise Failure(f"{where}the network's dt is {net.dt:g} ms, expected {DT:g} ms. Hint: the report's time "
                      "step is 0.1 ms (sl.Network's default)")
    labels = tuple(net.populations)
    if sorted(labels) != sorted(_LABELS):
        shown = ", ".join(repr(label) for label in labels) or "none"
        raise Failure(f"{where}the network's populations are {shown}, expected exactly 'A' and 'B'. Hint: the "
                      "check finds the neurons by their labels, the first argument of add_population")
    for label in _LABELS:
        pop = net.populations[label]
        if pop.n != 1:
            raise Failure(f"{where}population {label!r} has {pop.n} neurons, expected 1. Hint: each of A and B is "
                          "one neuron (n=1)")
    for label in _LABELS:
        pop, kind = net.populations[label], reference.kind(label)
        if pop.kind != kind:
            other = "inhibitory" if kind == "excitatory" else "excitatory"
            raise Failure(
                f"{where}{label} is {pop.kind}, expected {kind}. Hint: the kind of a population is the sign of its "
                f"spikes at the partner; here {label}'s spikes should {'raise' if kind == 'excitatory' else 'lower'} "
                f"the partner's potential, not {'raise' if other == 'excitatory' else 'lower'} it"
            )
    for label in _LABELS:
        got, expected = net.populations[label].model, reference.model(label)
        if got != expected:
            field = next(f.name for f in dataclasses.fields(LIF) if getattr(got, f.name) != getattr(expected, f.name))
            hint = ("a floor at rest is the report's clamp; this exercise asks for a real LIF, which inhibition "
                    "can push below rest" if field == "floor" else
                    "the report's neuron is snnlab's default LIF(): leave model= out")
            raise Failure(f"{where}{label}'s model has {field} = {getattr(got, field)!r}, expected "
                          f"{getattr(expected, field)!r}. Hint: {hint}")
        init = net.populations[label].u_init
        if init is not None:  # None, or what the student gave add_population: a number, n numbers, a distribution
            try:
                values = np.asarray(init, dtype=float)
            except (TypeError, ValueError):
                values = None
            if values is None or not np.allclose(values, expected.u_init, rtol=0, atol=1e-12):
                raise Failure(f"{where}{label} starts at u_init = {init!r} mV, expected rest ({expected.u_init:g} mV). "
                              "Hint: the report's neurons start at rest: leave u_init out")


def _run(net: Network, what: str, case: str) -> Result:
    try:
        return net.run(DURATION, record="all")
    except Exception as exc:  # the student's network could not be built or run: say why
        raise Failure(f"running the network from {what} for {DURATION:g} ms raised {type(exc).__name__}: "
                      f"{exc}{_on(case)}") from None


def _connections(result: Result, case: str, directions: dict[tuple[str, str], str] | None = None,
                 reference: Result | None = None) -> None:
    """Which synapses exist, and their (signed) weights and delays, against the reference."""
    where = _where(case)
    for pre in _LABELS:
        for post in _LABELS:
            got, expected = result.connections(pre, post), reference.connections(pre, post)
            n_got, n_exp = got["pre"].size, expected["pre"].size
            if n_got == n_exp == 0:
                continue
            arrow = f"{pre} to {post}"
            if n_exp == 0:
                why = ("a neuron does not connect to itself here (an autapse)" if pre == post else
                       (directions or {}).get((pre, post), "this direction is not connected"))
                raise Failure(f"{where}there is a synapse from {arrow}, expected none. Hint: {why}")
            if n_got == 0:
                raise Failure(f"{where}there is no synapse from {arrow}, expected one. Hint: a connection goes one "
                              "way, from pre to post: each direction that exists needs its own connect")
            if n_got != n_exp:
                raise Failure(f"{where}there are {n_got} synapses from {arrow}, expected {n_exp}. Hint: is that "
                              "direction connected more than once?")
            w_got, w_exp = float(got["weight"][0]), float(expected["weight"][0])
            if not np.isclose(w_got, w_exp, rtol=1e-9, atol=1e-12):
                raise Failure(f"{where}the synapse from {arrow} moves {post} by {w_got:+g} mV per spike, expected "
                              f"{w_exp:+g} mV. Hint: the weight is a magnitude in mV; its sign comes from {pre}'s kind")
            d_got, d_exp = float(got["delay"][0]), float(expected["delay"][0])
            if not np.isclose(d_got, d_exp, rtol=1e-9, atol=1e-9):
                hint = (_DELAY_HINT if np.isclose(d_got, d_exp / DT, rtol=1e-9) else
                        f"the delay (ms) is the time from a spike of {pre} to its arrival at {post}, in whole "
                        f"steps of {DT:g} ms; check what your connect is given")
                raise Failure(f"{where}the synapse from {arrow} has a delay of {d_got:g} ms, expected {d_exp:g} ms. "
                              f"Hint: {hint}")


def _currents(result: Result, reference: Result, case: str, what_current: dict[str, str]) -> None:
    """The external current of A and B at every step."""
    where = _where(case)
    got = {label: np.asarray(result.current(label))[:, 0] for label in _LABELS}
    expected = {label: np.asarray(reference.current(label))[:, 0] for label in _LABELS}

    def same(x, y):
        return np.allclose(x, y, rtol=1e-9, atol=1e-9)

    if not same(got["A"], expected["A"]) and same(got["A"], expected["B"]) and same(got["B"], expected["A"]):
        raise Failure(f"{where}A has B's current and B has A's. Hint: the currents are swapped between A and B")
    time = np.arange(result.steps) * result.dt
    for label in _LABELS:
        bad = ~np.isclose(got[label], expected[label], rtol=1e-9, atol=1e-9)
        if bad.any():
            k = int(np.argmax(bad))
            raise Failure(
                f"{where}{label}'s current at t = {time[k]:.1f} ms is {got[label][k]:.6g} nA, expected "
                f"{expected[label][k]:.6g} nA. Hint: {label}'s current is {what_current[label]}"
                + (", with t in ms; a current that changes in time is a function of t"
                   if "t" in what_current[label].replace("nA", "") else "")
            )


def _spikes_and_potentials(result: Result, reference: Result, case: str) -> int:
    """Every spike time and every recorded potential; returns the number of spikes compared."""
    where = _where(case)
    total = 0
    for label in _LABELS:
        got, expected = result.spikes(label)[0], reference.spikes(label)[0]
        total += expected.size
        if got.size == expected.size and np.allclose(got, expected, rtol=0, atol=1e-9):
            continue
        common = min(got.size, expected.size)
        differ = np.flatnonzero(~np.isclose(got[:common], expected[:common], rtol=0, atol=1e-9))
        if differ.size:
            i = int(differ[0])
            raise Failure(f"{where}{label}'s spike {i + 1} is at {got[i]:.1f} ms, expected {expected[i]:.1f} ms. "
                          "Hint: the kinds, synapses and currents agree; check the neuron model and what else your "
                          "network adds")
        raise Failure(f"{where}{label} fires {got.size} spikes, expected {expected.size}. Hint: the kinds, synapses "
                      "and currents agree; check the neuron model and what else your network adds")
    for label in _LABELS:
        got, expected = np.asarray(result.potential(label))[:, 0], np.asarray(reference.potential(label))[:, 0]
        bad = ~np.isclose(got, expected, rtol=1e-9, atol=1e-9)
        if bad.any():
            k = int(np.argmax(bad))
            raise Failure(f"{where}{label}'s potential at t = {k * result.dt:.1f} ms is {got[k]:.6g} mV, expected "
                          f"{expected[k]:.6g} mV. Hint: the kinds, synapses and currents agree; check the neuron "
                          "model and what else your network adds")
    return total


def _compare(net: Network, reference: Result, what: str, case: str, what_current: dict[str, str],
             directions: dict | None = None) -> int:
    _structure(net, reference, case)
    result = _run(net, what, case)
    _connections(result, case, directions, reference)
    _currents(result, reference, case, what_current)
    return _spikes_and_potentials(result, reference, case)


@functools.cache
def _report_example(name: str) -> Result:
    """The report's example, run once per process (a Result's arrays are read-only)."""
    return ex.report_example(name)


_EXAMPLE_CURRENTS = {
    "E-E": {"A": "4 nA", "B": "3 nA"},
    "E-I": {"A": "4 (sin(t/5) + 0.3) nA", "B": "10 nA"},
}


def _check_example(function, name: str, what: str) -> str:
    reference = _report_example(name)
    net = _build(function, (), {}, what, "")
    spikes = _compare(net, reference, what, "", _EXAMPLE_CURRENTS[name])
    number = {"E-E": 1, "E-I": 2}[name]
    return (f"your network is the report's Example {number}: kinds, model, both synapses (weight, delay), "
            f"the currents at all {reference.steps} steps, all {spikes} spikes and every potential agree")


@_prepared_by(lambda: _report_example("E-E"))
@exercise(NOTEBOOK, "build_ee", targets="build_ee", title="Example 1 built with Network, add_population and connect")
def build_ee(student_build_ee):
    """Exercise 1.1: ``build_ee()`` returns the report's Example 1 as an ``sl.Network``."""
    return _check_example(student_build_ee, "E-E", "build_ee()")


@_prepared_by(lambda: _report_example("E-I"))
@exercise(NOTEBOOK, "build_ei", targets="build_ei", title="Example 2: an excitatory and an inhibitory neuron")
def build_ei(student_build_ei):
    """Exercise 1.3: ``build_ei()`` returns the report's Example 2 as an ``sl.Network``."""
    return _check_example(student_build_ei, "E-I", "build_ei()")


@dataclasses.dataclass(frozen=True)
class _PairCase:
    """One call of ``build_pair``: its arguments, and the words a message shows for them."""

    name: str
    kind_a: str
    kind_b: str
    current_a: object  # a number or an sl.Current, nA
    current_b: object
    text_a: str
    text_b: str
    weight: float
    delay: float
    a_to_b: bool
    b_to_a: bool

    def describe(self) -> str:
        links = [arrow for arrow, on in (("A → B", self.a_to_b), ("B → A", self.b_to_a)) if on]
        return (f"{self.name!r} (A {self.kind_a} with {self.text_a}, B {self.kind_b} with {self.text_b}, "
                f"weight={self.weight:g} mV, delay={self.delay:g} ms, a_to_b={self.a_to_b}, b_to_a={self.b_to_a}: "
                f"{' and '.join(links) or 'not connected'})")


def _pair_cases() -> list[_PairCase]:
    """Example 3 first, then the cases where a builder that hard-codes anything goes wrong, then
    seeded random ones (the same every time)."""
    sin8, cos24 = ex.report_current("sin(t/8) + 0.3", 1.0), ex.report_current("cos(t/24)", 1.0)
    sin5 = ex.report_current("sin(t/5) + 0.3", 4.0)
    inh, exc = "inhibitory", "excitatory"
    cases = [
        _PairCase("Example 3", inh, inh, sin8, cos24, "sin(t/8) + 0.3 nA", "cos(t/24) nA", 2.0, 0.1, True, True),
        _PairCase("Example 3, currents x3", inh, inh, ex.report_current("sin(t/8) + 0.3", 3.0),
                  ex.report_current("cos(t/24)", 3.0), "3 (sin(t/8) + 0.3) nA", "3 cos(t/24) nA", 2.0, 0.1, True, True),
        _PairCase("Example 2, A → B only", exc, inh, sin5, 10.0, "4 (sin(t/5) + 0.3) nA", "10 nA", 2.0, 0.1,
                  True, False),
        _PairCase("slow motion", exc, exc, 1.5, 0.9, "1.5 nA", "0.9 nA", 0.5, 2.0, True, True),
        _PairCase("B → A only", inh, exc, 5.0, 2.5, "5 nA", "2.5 nA", 1.0, 0.5, False, True),
        _PairCase("A inhibits B", inh, exc, 3.0, 4.0, "3 nA", "4 nA", 1.5, 0.3, True, True),
        _PairCase("not connected", exc, exc, 2.0, 1.2, "2 nA", "1.2 nA", 2.0, 0.1, False, False),
        _PairCase("weight 0", exc, inh, 3.0, 6.0, "3 nA", "6 nA", 0.0, 0.1, True, True),
    ]
    rng = np.random.default_rng(101)
    for i in range(6):
        kinds = rng.choice([exc, inh], size=2)
        amps = np.round(rng.uniform(0.0, 6.0, size=2), 1)
        links = rng.random(2) < 0.75
        cases.append(_PairCase(
            f"random {i + 1}", str(kinds[0]), str(kinds[1]), float(amps[0]), float(amps[1]), f"{amps[0]:g} nA",
            f"{amps[1]:g} nA", round(float(rng.uniform(0.0, 3.0)), 1), round(int(rng.integers(1, 31)) * DT, 1),
            bool(links[0]), bool(links[1]),
        ))
    return cases


@functools.cache
def _pair_references() -> tuple:
    """Each case with its reference run (once per process)."""
    out = []
    for case in _pair_cases():
        result = ex.two_neurons(case.current_a, case.current_b, kind_a=case.kind_a, kind_b=case.kind_b,
                                weight_ab=case.weight, weight_ba=case.weight, delay=case.delay, a_to_b=case.a_to_b,
                                b_to_a=case.b_to_a)
        out.append((case, result))
    return tuple(out)


@_prepared_by(_pair_references)
@exercise(NOTEBOOK, "build_pair", targets="build_pair",
          title="Any pair of neurons: kinds, currents, weight, delay and directions")
def build_pair(student_build_pair):
    """Exercise 1.4: ``build_pair(kind_a, kind_b, current_a, current_b, weight, delay, a_to_b, b_to_a)``."""
    what = "build_pair(kind_a, kind_b, current_a, current_b, weight=..., delay=..., a_to_b=..., b_to_a=...)"
    spikes = 0
    references = _pair_references()
    for case, reference in references:
        text = case.describe()
        net = _build(student_build_pair, (case.kind_a, case.kind_b, case.current_a, case.current_b),
                     {"weight": case.weight, "delay": case.delay, "a_to_b": case.a_to_b, "b_to_a": case.b_to_a},
                     what, text)
        directions = {("A", "B"): "a_to_b=False: A is not connected to B",
                      ("B", "A"): "b_to_a=False: B is not connected to A"}
        spikes += _compare(net, reference, what, text, {"A": case.text_a, "B": case.text_b}, directions)
    return (f"{len(references)} pairs agree with snnlab's two_neurons (Example 3 and x3, one direction only, "
            f"not connected, weight 0, slow motion, random): kinds, synapses, currents, all {spikes} spikes")


# -- the delayed-spike queue ------------------------------------------------------------------------------------


def queue_reference(spike_steps, weights, signs, delay_steps: int, n_steps: int) -> np.ndarray:
    """The input that arrives at one target at each step: the check's reference for Exercise 1.2.

    Spike i, emitted at step ``spike_steps[i]``, adds ``signs[i] * weights[i]`` at step
    ``spike_steps[i] + delay_steps``; arrivals at step ``n_steps`` or later fall after the run.
    This is what the engine's ring buffer delivers (``tests/test_exercises_two_neurons.py``
    checks the two against each other).

    Parameters
    ----------
    spike_steps : array of int, shape (n_spikes,)
        The step at which each spike was emitted, in any order, repeats allowed.
    weights : array of float, shape (n_spikes,)
        The weight of the synapse each spike crosses, mV (a magnitude).
    signs : array of float, shape (n_spikes,)
        +1 for an excitatory sender, -1 for an inhibitory one.
    delay_steps : int
        The delay of every synapse, steps (>= 1).
    n_steps : int
        The length of the run, steps.

    Returns
    -------
    numpy.ndarray, shape (n_steps,)
        The total input arriving at each step, mV.
    """
    spike_steps = np.asarray(spike_steps, dtype=np.int64)
    arrive = spike_steps + int(delay_steps)
    values = np.asarray(signs, dtype=float) * np.asarray(weights, dtype=float)
    inside = arrive < n_steps
    out = np.zeros(n_steps)
    np.add.at(out, arrive[inside], values[inside])  # unbuffered: arrivals on one step add up
    return out


def _variants(steps, weights, signs, delay, n) -> list[tuple[str, np.ndarray]]:
    """Plausible wrong answers for one case, each with the hint it deserves (none gives the code)."""
    steps = np.asarray(steps, dtype=np.int64)
    values = np.asarray(signs, dtype=float) * np.asarray(weights, dtype=float)

    def overwrite(order):
        out = np.zeros(n)
        for i in order:
            if steps[i] + delay < n:
                out[steps[i] + delay] = values[i]
        return out

    wrapped = np.zeros(n)
    if n:
        np.add.at(wrapped, (steps + delay) % n, values)
    return [
        ("the input arrives one step late: a spike at step s reaches its target at step s + delay_steps "
         "(delay_steps = 1 is the very next step)", queue_reference(steps, weights, signs, delay + 1, n)),
        ("the input arrives one step early: a spike at step s reaches its target at step s + delay_steps, "
         "not before", queue_reference(steps, weights, signs, delay - 1, n)),
        ("an inhibitory spike (sign -1) raises the input here. The report's code adds inh_weight with a plus "
         "sign; its text, and snnlab, lower the potential", queue_reference(steps, weights, np.abs(signs), delay, n)),
        ("the signs are the wrong way round: +1 (excitatory) raises the input, -1 (inhibitory) lowers it",
         queue_reference(steps, weights, -np.asarray(signs, dtype=float), delay, n)),
        ("each arrival moves the input by its sign times its weight (mV), not by its sign alone",
         queue_reference(steps, np.ones(len(steps)), signs, delay, n)),
        ("when several spikes arrive on the same step only one of them counts here; their inputs add up "
         "(beware: numpy's out[idx] += values counts a repeated index once)", overwrite(range(len(steps)))),
        ("when several spikes arrive on the same step only one of them counts here; their inputs add up",
         overwrite(range(len(steps) - 1, -1, -1))),
        ("an arrival at step n_steps or later comes after the run and should be left out; here it wraps "
         "around to the start", wrapped),
    ]


def _show(values) -> str:
    values = np.asarray(values)
    shown = ", ".join(f"{v:g}" for v in values[:8])
    return f"[{shown}{', ...' if values.size > 8 else ''}]" + (f" ({values.size} values)" if values.size > 8 else "")


def _queue_cases() -> list[tuple[str, tuple]]:
    """(name, (spike_steps, weights, signs, delay_steps, n_steps)): edge cases, then seeded random ones."""
    def case(steps, weights, signs, delay, n):
        return (np.asarray(steps, dtype=np.int64), np.asarray(weights, dtype=float), np.asarray(signs, dtype=float),
                int(delay), int(n))

    cases = [
        ("no spikes", case([], [], [], 1, 10)),
        ("one excitatory spike, delay 1", case([3], [2.0], [1], 1, 10)),
        ("one inhibitory spike, delay 1", case([3], [2.0], [-1], 1, 10)),
        ("a spike at step 0, delay 4", case([0], [0.5], [1], 4, 10)),
        ("an arrival on the last step", case([6], [1.5], [-1], 3, 10)),
        ("an arrival just after the run", case([7], [1.5], [1], 3, 10)),
        ("arrivals past the end", case([2, 8, 9], [1.0, 2.0, 3.0], [1, 1, -1], 3, 10)),
        ("two spikes arriving on one step", case([4, 4], [2.0, 0.5], [1, 1], 2, 10)),
        ("an excitatory and an inhibitory spike on one step", case([5, 5], [2.0, 2.0], [1, -1], 1, 10)),
        ("three spikes on one step, mixed signs", case([2, 2, 2], [2.0, 1.0, 0.25], [-1, 1, -1], 5, 10)),
        ("spikes not in order of time", case([7, 1, 4, 1], [1.0, 2.0, 0.5, 0.25], [1, -1, 1, 1], 2, 12)),
        ("a delay longer than the run", case([0, 1], [2.0, 2.0], [1, -1], 20, 10)),
        ("a run of one step", case([0], [2.0], [1], 1, 1)),
    ]
    rng = np.random.default_rng(2024)
    for i in range(30):
        n = int(rng.integers(1, 120))
        n_spikes = int(rng.integers(0, 40))
        steps = rng.integers(0, max(1, n // 3) if i % 3 == 0 else n, size=n_spikes)  # every third: crowded
        weights = np.round(rng.uniform(0.0, 3.0, size=n_spikes), 2)
        signs = rng.choice([-1.0, 1.0], size=n_spikes)
        cases.append((f"random {i + 1}", case(steps, weights, signs, int(rng.integers(1, 25)), n)))
    return cases


@exercise(NOTEBOOK, "delayed_input", targets="delayed_input", title="The delayed-spike queue")
def delayed_input(student_delayed_input):
    """Exercise 1.2: ``delayed_input(spike_steps, weights, signs, delay_steps, n_steps)`` -> (n_steps,) mV."""
    what = "delayed_input(spike_steps, weights, signs, delay_steps, n_steps)"
    cases = _queue_cases()
    for name, (steps, weights, signs, delay, n) in cases:
        text = (f"{name!r} (spike_steps={_show(steps)}, weights={_show(weights)}, signs={_show(signs)}, "
                f"delay_steps={delay}, n_steps={n})")
        args = (steps.copy(), weights.copy(), signs.copy(), delay, n)
        try:
            got = call(student_delayed_input, *args, what=what, case=text)
        except Failure as exc:
            if "IndexError" in str(exc):
                raise Failure(f"{exc}. Hint: a spike whose arrival step is n_steps or later arrives after the run"
                              ) from None
            raise
        got = array(got, what=f"{what}'s result", shape=(n,), case=text)
        expected = queue_reference(steps, weights, signs, delay, n)
        bad = ~np.isclose(got, expected, rtol=1e-9, atol=1e-9)
        if bad.any():
            k = int(np.argmax(bad))
            hint = next((h for h, wrong in _variants(steps, weights, signs, delay, n)
                         if np.allclose(got, wrong, rtol=1e-9, atol=1e-9)),
                        "spike i moves its target by signs[i] * weights[i] mV, delay_steps steps after "
                        "spike_steps[i], if that step is inside the run")
            raise Failure(f"case {text}: at step {k} expected {expected[k]:g} mV, got {float(got[k]):g} mV. "
                          f"Hint: {hint}")
    return (f"{len(cases)} cases agree (no spikes, delay 1, arrivals on the last step and past the end, several "
            "spikes on one step with mixed signs, unsorted spikes, random ones)")
