"""Notebook 05's exercise checks: the reference solutions pass, stubs are "not done yet", and
plausible wrong solutions are each rejected with a message that names the failing case."""

import math
import re
import time

import numpy as np
import pytest
from exercise_contract import ExerciseContract, by_exercise

from snnlab.exercises import scaling as check


# -- reference solutions (the notebook's) -----------------------------------------------------------------
def bytes_per_synapse(synapses, peak_bytes):
    x = np.asarray(synapses, dtype=float)
    y = np.asarray(peak_bytes, dtype=float)
    slope, _intercept = np.polyfit(x, y, 1)
    return slope


def largest_network(memory_bytes, baseline_bytes, per_synapse, in_degree):
    if memory_bytes < baseline_bytes:
        return 0
    return int((memory_bytes - baseline_bytes) // (per_synapse * in_degree))


def speed(wall_seconds, duration_ms):
    seconds = duration_ms / 1000.0
    return {k: (t / seconds, wall_seconds[1] / t) for k, t in wall_seconds.items()}


def spikes_identical(steps_a, neurons_a, steps_b, neurons_b):
    a = sorted(zip(np.asarray(steps_a).tolist(), np.asarray(neurons_a).tolist()))
    b = sorted(zip(np.asarray(steps_b).tolist(), np.asarray(neurons_b).tolist()))
    return a == b


REFERENCE = {"spikes_identical": spikes_identical, "bytes_per_synapse": bytes_per_synapse,
             "largest_network": largest_network, "speed": speed}


# -- plausible wrong solutions ------------------------------------------------------------------------------
def bps_largest_ratio(synapses, peak_bytes):
    """Peak over synapses of the largest run: the interpreter's memory counted as synapses."""
    i = int(np.argmax(synapses))
    return peak_bytes[i] / synapses[i]


def bps_mean_ratio(synapses, peak_bytes):
    return float(np.mean(np.asarray(peak_bytes) / np.asarray(synapses)))


def bps_through_origin(synapses, peak_bytes):
    x, y = np.asarray(synapses, float), np.asarray(peak_bytes, float)
    return float(x @ y / (x @ x))


def bps_intercept(synapses, peak_bytes):
    return float(np.polyfit(synapses, peak_bytes, 1)[1])


def bps_first_last(synapses, peak_bytes):
    """The slope between the first and last run as given (not the least-squares line)."""
    return (peak_bytes[-1] - peak_bytes[0]) / (synapses[-1] - synapses[0])


def largest_no_baseline(memory_bytes, baseline_bytes, per_synapse, in_degree):
    return int(memory_bytes // (per_synapse * in_degree))


def largest_per_synapse(memory_bytes, baseline_bytes, per_synapse, in_degree):
    """Forgets that a neuron brings in_degree synapses."""
    return max(int((memory_bytes - baseline_bytes) // per_synapse), 0)


def largest_rounded(memory_bytes, baseline_bytes, per_synapse, in_degree):
    return max(round((memory_bytes - baseline_bytes) / (per_synapse * in_degree)), 0)


def largest_negative(memory_bytes, baseline_bytes, per_synapse, in_degree):
    return math.floor((memory_bytes - baseline_bytes) / (per_synapse * in_degree))


def speed_per_ms(wall_seconds, duration_ms):
    return {k: (t / duration_ms, wall_seconds[1] / t) for k, t in wall_seconds.items()}


def speed_inverted(wall_seconds, duration_ms):
    return {k: (t / (duration_ms / 1000.0), t / wall_seconds[1]) for k, t in wall_seconds.items()}


def speed_vs_fastest(wall_seconds, duration_ms):
    best = min(wall_seconds.values())
    return {k: (t / (duration_ms / 1000.0), best / t) for k, t in wall_seconds.items()}


def speed_ideal(wall_seconds, duration_ms):
    return {k: (t / (duration_ms / 1000.0), float(k)) for k, t in wall_seconds.items()}


def identical_counts(steps_a, neurons_a, steps_b, neurons_b):
    return len(steps_a) == len(steps_b)


def identical_apart(steps_a, neurons_a, steps_b, neurons_b):
    """Steps and neurons sorted separately: the pairing is lost."""
    return (np.array_equal(np.sort(steps_a), np.sort(steps_b))
            and np.array_equal(np.sort(neurons_a), np.sort(neurons_b)))


def identical_in_order(steps_a, neurons_a, steps_b, neurons_b):
    return np.array_equal(steps_a, steps_b) and np.array_equal(neurons_a, neurons_b)


def identical_per_neuron_counts(steps_a, neurons_a, steps_b, neurons_b):
    n = max(np.max(neurons_a, initial=0), np.max(neurons_b, initial=0)) + 1
    return np.array_equal(np.bincount(neurons_a, minlength=n), np.bincount(neurons_b, minlength=n))


def identical_close(steps_a, neurons_a, steps_b, neurons_b):
    """Times compared with a tolerance of a step: a spike a step late passes."""
    if len(steps_a) != len(steps_b):
        return False
    a, b = np.lexsort((neurons_a, steps_a)), np.lexsort((neurons_b, steps_b))
    return bool(np.allclose(np.asarray(steps_a)[a], np.asarray(steps_b)[b], atol=1.0)
                and np.array_equal(np.asarray(neurons_a)[a], np.asarray(neurons_b)[b]))


# (exercise, wrong solution, a regex the message must match: the failing case and what differs)
WRONG = [
    ("bytes_per_synapse", bps_largest_ratio, r"case an exact line: 200 MB \+ 85 B.*expected bytes per synapse = 85 "
                                             r"B, got 88\.2 B.*intercept"),
    ("bytes_per_synapse", bps_mean_ratio, r"case an exact line.*expected bytes per synapse = 85 B, got 92\.4667"),
    ("bytes_per_synapse", bps_through_origin, r"case an exact line.*expected bytes per synapse = 85 B.*least squares"),
    ("bytes_per_synapse", bps_intercept, r"case an exact line.*expected bytes per synapse = 85 B, got 2e\+08 B"),
    ("bytes_per_synapse", bps_first_last, r"case 4 measured runs, with noise.*expected bytes per synapse"),
    ("largest_network", largest_no_baseline, r"case 24 GiB, 200 MB baseline.*expected 240,656 neurons, got 242,539"),
    ("largest_network", largest_per_synapse, r"case 24 GiB.*expected 240,656 neurons, got 300,821,220.*N \* "
                                             r"in_degree"),
    ("largest_network", largest_rounded, r"case 24 GiB.*expected 240,656 neurons, got 240,657.*round down"),
    ("largest_network", largest_negative, r"case a memory smaller than the baseline.*expected 0 neurons, got -1,600"),
    ("speed", speed_per_ms, r"case 1 and 2 threads, 200 ms.*expected seconds per simulated second with 1 thread\(s\)"
                            r" = 150 s/s, got 0\.15 s/s.*in ms"),
    ("speed", speed_inverted, r"case 1 and 2 threads.*expected speed-up of 2 thread\(s\) = 1\.66667, got 0\.6"),
    ("speed", speed_vs_fastest, r"case 1 and 2 threads.*expected speed-up of 1 thread\(s\) = 1, got 0\.6.*against 1 "
                                r"thread"),
    ("speed", speed_ideal, r"case 1 and 2 threads.*expected speed-up of 2 thread\(s\) = 1\.66667, got 2"),
    ("spikes_identical", identical_counts, r"case one spike of b a step later: expected False, got True"),
    ("spikes_identical", identical_apart, r"case neurons 1 and 2 swapped.*expected False, got True.*taken apart"),
    ("spikes_identical", identical_in_order, r"case the same spikes, b in another order.*expected True, got False"),
    ("spikes_identical", identical_per_neuron_counts, r"case one spike of b a step later: expected False"),
    ("spikes_identical", identical_close, r"case one spike of b a step later: expected False.*no tolerance"),
]


def _run(name, function):
    return getattr(check, name)(function, quiet=True)


class TestEveryExercise(ExerciseContract):
    checks = check
    reference = REFERENCE
    wrong = by_exercise(WRONG)
    passed_says = "agree"


def test_the_reference_solutions_are_the_experiments_functions():
    from snnlab.experiments import scaling as ex

    for name in REFERENCE:
        assert _run(name, getattr(ex, name)).passed


@pytest.mark.parametrize(("name", "value", "message"), [
    ("bytes_per_synapse", "85", r"should be a number, got str"),
    ("largest_network", 240658.5, r"expected a whole number of neurons, got 240658\.5"),
    ("speed", [1.0, 2.0], r"expected a dict with one entry per thread count \[1, 2\], got list"),
    ("speed", {1: 150.0, 2: 90.0}, r"expected a pair \(seconds per simulated second, speed-up\) for 1 thread"),
    ("spikes_identical", "yes", r"expected True or False, got str"),
])
def test_wrong_type_gets_a_clear_message(name, value, message):
    verdict = _run(name, lambda *args, **kwargs: value)
    assert verdict.status == "failed"
    assert re.search(message, verdict.message), verdict.message


def test_a_check_answers_at_once():
    started = time.perf_counter()
    for name, function in REFERENCE.items():
        _run(name, function)
    assert time.perf_counter() - started < 2.0
