"""Checks of notebook 05's exercises (scaling up): reading a benchmark, and comparing engines.

* 5.1 ``spikes_identical(steps_a, neurons_a, steps_b, neurons_b)``: whether two runs have the
  same spikes, step for step and neuron for neuron, against
  :func:`snnlab.experiments.scaling.spikes_identical`;
* 5.2 ``bytes_per_synapse(synapses, peak_bytes)``: the slope of a least-squares line through
  measured (synapses, peak memory) pairs, against :func:`snnlab.experiments.scaling.bytes_per_synapse`;
* 5.3 ``largest_network(memory_bytes, baseline_bytes, per_synapse, in_degree)``: the largest
  network that fits a memory, against :func:`snnlab.experiments.scaling.largest_network`;
* 5.4 ``speed(wall_seconds, duration_ms)``: seconds per simulated second and the speed-up of k
  threads over one, against :func:`snnlab.experiments.scaling.speed`.

Every case is plain numbers (no simulation), so a check answers in milliseconds.
Units: memory bytes, time s (wall clock) and ms (simulated).
"""

from __future__ import annotations

import functools

import numpy as np

from ..experiments import scaling as ex
from ._core import Failure, call, close, exercise, number

NOTEBOOK = "05_scaling_up"

GIB = 2**30


# -- 5.1 identical spike trains -------------------------------------------------------------------------------
@functools.cache
def _spike_cases() -> tuple:
    """(name, steps_a, neurons_a, steps_b, neurons_b, identical) of every case."""
    rng = np.random.default_rng(5_4)
    steps = np.sort(rng.integers(0, 5000, 400))
    neurons = rng.integers(0, 100, 400)
    keys = np.unique(steps * 100 + neurons)  # one spike per neuron and step, as engines make them
    steps, neurons = keys // 100, keys % 100
    cases = [("the same 400 spikes in the same order", steps, neurons, steps.copy(), neurons.copy(), True)]
    order = rng.permutation(steps.size)
    cases.append(("the same spikes, b in another order (as NEST's threads report them)", steps, neurons,
                  steps[order], neurons[order], True))
    late = steps.copy()
    late[150] += 1
    cases.append(("one spike of b a step later", steps, neurons, late, neurons.copy(), False))
    a_s, a_n = np.array([10, 20, 30]), np.array([1, 2, 3])
    cases.append(("neurons 1 and 2 swapped: a fires 1 at step 10 and 2 at step 20, b the other way round",
                  a_s, a_n, a_s.copy(), np.array([2, 1, 3]), False))
    other = neurons.copy()
    other[7] = (other[7] + 1) % 100
    cases.append(("one spike of b in another neuron, at the same step", steps, neurons, steps.copy(), other, False))
    cases.append(("b is missing its last spike", steps, neurons, steps[:-1], neurons[:-1], False))
    cases.append(("neuron 5 fires at steps 10 and 30 in a, neuron 6 at those steps in b "
                  "(the same count per step)", np.array([10, 20, 30]), np.array([5, 6, 5]),
                  np.array([10, 20, 30]), np.array([6, 5, 6]), False))
    cases.append(("no spikes in either", np.empty(0, int), np.empty(0, int), np.empty(0, int), np.empty(0, int),
                  True))
    return tuple(cases)


@exercise(NOTEBOOK, "spikes_identical", targets="spikes_identical", title="Are two spike trains identical?")
def spikes_identical(student):
    cases = _spike_cases()
    for name, sa, na, sb, nb, expected in cases:
        got = call(student, sa.copy(), na.copy(), sb.copy(), nb.copy(),
                   what="spikes_identical(steps_a, neurons_a, steps_b, neurons_b)", case=name)
        if not isinstance(got, (bool, np.bool_)):
            raise Failure(f"case {name}: expected True or False, got {type(got).__name__} {got!r:.60}")
        if bool(got) != expected:
            hint = ("compare the (step, neuron) pairs themselves, in any order, with no tolerance: the same "
                    "number of spikes, or the same steps and the same neurons taken apart, is not enough")
            raise Failure(f"case {name}: expected {expected}, got {bool(got)}. Hint: {hint}")
    return f"{len(cases)} cases agree (reordered, a step late, neurons swapped, a spike missing, empty)"


# -- 5.2 bytes per synapse ---------------------------------------------------------------------------------
@functools.cache
def _memory_cases() -> tuple:
    """(name, synapses, peak bytes) of every case, in the order they are tried."""
    rng = np.random.default_rng(5_1)
    s3 = np.array([15.625e6, 31.25e6, 62.5e6])
    cases = [("an exact line: 200 MB + 85 B per synapse, 3 runs", s3, 2e8 + 85.0 * s3),
             ("two runs only: 150 MB + 40 B per synapse", s3[:2], 1.5e8 + 40.0 * s3[:2])]
    s4 = np.array([15.625e6, 31.25e6, 62.5e6, 125e6])
    noisy = 3e8 + 12.0 * s4 + rng.normal(0.0, 2e7, s4.size)
    cases.append(("4 measured runs, with noise (12 B per synapse and a 300 MB interpreter)", s4, noisy))
    order = np.array([2, 0, 3, 1])
    cases.append(("the same 4 runs in another order", s4[order], noisy[order]))
    s5 = np.array([1e6, 2e6, 5e6, 1e7, 2e7])
    cases.append(("5 runs of a small engine (110 MB + 9 B per synapse, noise)", s5,
                  1.1e8 + 9.0 * s5 + rng.normal(0.0, 4e6, s5.size)))
    return tuple(cases)


@exercise(NOTEBOOK, "bytes_per_synapse", targets="bytes_per_synapse", title="Bytes per synapse by least squares")
def bytes_per_synapse(student):
    cases = _memory_cases()
    for name, synapses, peak in cases:
        got = number(call(student, synapses.copy(), peak.copy(), what="bytes_per_synapse(synapses, peak_bytes)",
                          case=name), what="bytes_per_synapse(...)", case=name)
        close(got, ex.bytes_per_synapse(synapses, peak), what="bytes per synapse", case=name, unit="B",
              rtol=1e-6, atol=1e-6,
              hint="fit a straight line peak = a + b * synapses through all the runs (least squares, with "
                   "an intercept a: the interpreter and the engine take memory before the first synapse) "
                   "and return its slope b")
    return f"{len(cases)} cases agree (an exact line, two runs, noisy runs in any order)"


# -- 5.3 the largest network that fits ---------------------------------------------------------------------
CAPACITY_CASES = (
    # name, memory, baseline, bytes per synapse, in-degree
    ("24 GiB, 200 MB baseline, 85 B per synapse, 1250 synapses per neuron", 24 * GIB, 2e8, 85.0, 1250),
    ("16 GiB, 300 MB baseline, 12 B per synapse, 1250 synapses per neuron", 16 * GIB, 3e8, 12.0, 1250),
    ("an exact fit: 1,000,100 B, baseline 100 B, 10 B per synapse, 100 synapses per neuron "
     "(1000 neurons fill it to the byte)", 1_000_100, 100, 10.0, 100),
    ("one byte short of 1000 neurons: 1,000,099 B, baseline 100 B, 10 B per synapse, 100 per neuron",
     1_000_099, 100, 10.0, 100),
    ("8 GB, 1 GB baseline, 100 B per synapse, 10,000 synapses per neuron", 8e9, 1e9, 100.0, 10_000),
    ("a memory smaller than the baseline: 100 MB, baseline 200 MB", 1e8, 2e8, 50.0, 1250),
)


@exercise(NOTEBOOK, "largest_network", targets="largest_network", title="The largest network that fits")
def largest_network(student):
    for name, memory, base, per, k in CAPACITY_CASES:
        got = call(student, memory, base, per, k,
                   what="largest_network(memory_bytes, baseline_bytes, per_synapse, in_degree)", case=name)
        value = number(got, what="largest_network(...)", case=name)
        expected = ex.largest_network(memory, base, per, k)
        if not float(value).is_integer():
            raise Failure(f"case {name}: expected a whole number of neurons, got {value!r}")
        if value != expected:
            hint = ("the memory left after the baseline is shared by N * in_degree synapses; N is a whole "
                    "number of neurons that must fit, so round down, and 0 if the baseline does not fit")
            raise Failure(f"case {name}: expected {expected:,} neurons, got {value:,.0f}. Hint: {hint}")
    return f"{len(CAPACITY_CASES)} cases agree (24 GiB, an exact fit, one byte short, no room at all)"


# -- 5.4 seconds per simulated second and the speed-up of threads -------------------------------------------
SPEED_CASES = (
    ("1 and 2 threads, 200 ms simulated", {1: 30.0, 2: 18.0}, 200.0),
    ("1 s simulated on 1, 2 and 4 threads, 4 slower than 2 (a busy machine)", {1: 12.0, 2: 7.5, 4: 9.0}, 1000.0),
    ("threads given in the order 2, 1", {2: 3.0, 1: 5.0}, 500.0),
    ("2 s simulated, 1 thread only", {1: 1.2}, 2000.0),
)


@exercise(NOTEBOOK, "speed", targets="speed", title="Seconds per simulated second and the speed-up of threads")
def speed(student):
    for name, wall, duration in SPEED_CASES:
        got = call(student, dict(wall), duration, what="speed(wall_seconds, duration_ms)", case=name)
        if not isinstance(got, dict) or sorted(got) != sorted(wall):
            raise Failure(f"case {name}: expected a dict with one entry per thread count {sorted(wall)}, "
                          f"got {type(got).__name__} {got!r:.80}")
        expected = ex.speed(wall, duration)
        for k in sorted(wall):
            try:
                per_second, speed_up = got[k]
            except (TypeError, ValueError):
                raise Failure(f"case {name}: expected a pair (seconds per simulated second, speed-up) for "
                              f"{k} thread(s), got {got[k]!r:.60}") from None
            close(number(per_second, what="seconds per simulated second", case=name), expected[k][0],
                  what=f"seconds per simulated second with {k} thread(s)", case=name, unit="s/s",
                  hint="divide the wall-clock seconds by the simulated time in seconds (it is given in ms)")
            close(number(speed_up, what="speed-up", case=name), expected[k][1],
                  what=f"speed-up of {k} thread(s)", case=name,
                  hint="the speed-up of k threads is the time of 1 thread over the time of k threads "
                       "(above 1: faster), always against 1 thread")
    return f"{len(SPEED_CASES)} cases agree (1, 2 and 4 threads, ms turned into s)"
