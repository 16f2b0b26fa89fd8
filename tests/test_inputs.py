"""External currents: every form `current=` accepts, evaluated as the formulas say."""

import math
import random

import numpy as np
import pytest

import snnlab as sl
from snnlab._checks import all_finite
from snnlab.inputs import Sum, as_current, sample_current

DT = 0.1


def values(current, steps=1000, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return sample_current(as_current(current, n), np.arange(steps), DT, n, rng, "test")


def test_constant_number_and_per_neuron_values():
    np.testing.assert_array_equal(values(4.0), 4.0)
    v = values([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v[0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(v[-1], [1.0, 2.0, 3.0])


def test_finite_values_that_add_up_past_the_largest_float_are_finite_and_nan_or_inf_anywhere_is_not():
    # the check sums the values first: a finite sum proves every value finite, an overflowing
    # one is checked value by value
    assert all_finite(np.full((3, 4), 1e308))
    assert not all_finite(np.full((3, 4), 1e308) * [1, 1, 1, np.inf])
    for bad in (np.nan, np.inf, -np.inf):
        column = np.zeros(5)
        column[3] = bad
        assert not all_finite(column)
        assert not all_finite(np.broadcast_to(column, (1000, 5)))  # a constant current's view
    assert not all_finite([np.inf, -np.inf])  # a sum of nan
    np.testing.assert_array_equal(values([1e308, 1e308, 1e308]), 1e308)  # no CurrentError


def test_a_sum_of_currents_is_its_parts_added_in_order():
    noise, sine = sl.Noise(0.5, 2.0), sl.Sine(1.0, 10.0)
    alone = values(noise, seed=4) + values(sine, seed=4)
    np.testing.assert_array_equal(values(noise + sine, seed=4), alone)
    np.testing.assert_array_equal(values(Sum(), n=3), np.zeros((1000, 3)))


def test_step_ramp_and_sine_formulas():
    t = np.arange(1000) * DT
    step = values(sl.Step(2.0, start=20.0, stop=50.0, baseline=0.5))[:, 0]
    np.testing.assert_array_equal(step, np.where((t >= 20.0) & (t < 50.0), 2.5, 0.5))
    ramp = values(sl.Ramp(3.0, start=10.0, stop=40.0))[:, 0]
    np.testing.assert_allclose(ramp, 3.0 * np.clip((t - 10.0) / 30.0, 0, 1))
    sine = values(sl.Sine(amplitude=4.0, period=2 * np.pi * 5, offset=1.2, phase=0.3))[:, 0]
    np.testing.assert_allclose(sine, 1.2 + 4.0 * np.sin(t / 5 + 0.3), atol=1e-12)


def test_currents_add_up():
    t = np.arange(1000) * DT
    total = values(sl.Sine(1.0, 10.0) + 2.0)[:, 1]
    np.testing.assert_allclose(total, 2.0 + np.sin(2 * np.pi * t / 10.0), atol=1e-12)


def test_gaussian_noise_statistics_and_independence():
    v = values(sl.Noise(mean=1.5, std=0.5), steps=20000, n=4)
    assert v.mean() == pytest.approx(1.5, abs=0.01)
    assert v.std() == pytest.approx(0.5, abs=0.01)
    corr = np.corrcoef(v.T)
    assert np.all(np.abs(corr[np.triu_indices(4, 1)]) < 0.05)  # neurons get independent noise
    np.testing.assert_array_equal(v, values(sl.Noise(1.5, 0.5), steps=20000, n=4))  # seeded


def test_uniform_noise_is_the_reports_random_current_seeded():
    v = values(sl.UniformNoise(0.0, 5.5), steps=20000)
    assert v.min() >= 0.0 and v.max() < 5.5
    assert v.mean() == pytest.approx(2.75, abs=0.05)


def test_callable_vectorised_and_scalar_only_give_the_same_values():
    vectorised = values(lambda t: 4 * (np.sin(t / 5) + 0.3))
    scalar_only = values(lambda t: 4 * (math.sin(t / 5) + 0.3))  # math.sin fails on arrays
    np.testing.assert_allclose(vectorised, scalar_only, atol=1e-12)
    np.testing.assert_allclose(vectorised[:, 0], 4 * (np.sin(np.arange(1000) * DT / 5) + 0.3), atol=1e-12)


def test_callable_with_an_if_statement_is_evaluated_per_step():
    v = values(lambda t: 3.0 if t < 50 else 0.0)
    assert v[499, 0] == 3.0 and v[500, 0] == 0.0


def test_callable_returning_one_value_per_neuron():
    v = values(lambda t: np.array([1.0, 2.0, 3.0]) * t)
    np.testing.assert_allclose(v[10], [1.0, 2.0, 3.0])


def test_callable_drawing_random_numbers_is_redrawn_every_step():
    # the report's `lambda x: random.random() * 5.5` redraws at every call
    random.seed(1)
    v = values(lambda t: random.random() * 5.5, steps=200)
    assert np.unique(v[:, 0]).size == 200


def test_list_of_callables_one_per_neuron():
    fs = [lambda t, i=i: 3.0 * i + 0 * t for i in range(3)]
    v = values(fs)
    np.testing.assert_array_equal(v[5], [0.0, 3.0, 6.0])


def test_the_reports_late_binding_lambdas_all_give_the_last_value():
    # `for i in range(100): I = lambda x: 3*i` captures the last i: every neuron gets 3*99
    fs = []
    for i in range(3):
        fs.append(lambda x: 3 * i)  # noqa: B023 - the report's bug, reproduced on purpose
    np.testing.assert_array_equal(values(fs), 6.0)


def test_array_currents_time_major():
    array = np.arange(300.0).reshape(100, 3)
    np.testing.assert_array_equal(values(array, steps=100), array)
    col = np.arange(100.0)
    v = values(sl.FromArray(col), steps=100)
    np.testing.assert_array_equal(v[:, 2], col)


def test_array_longer_than_the_run_warns_that_rows_are_dropped():
    net = sl.Network(dt=DT)
    net.add_population("A", 1, current=np.ones((200, 1)))
    with pytest.warns(sl.SnnlabWarning, match=r"the current array has 200 rows; the run uses the first 100"):
        net.run(10.0)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: sl.Sine(1.0, period=0.0), ValueError, r"Sine\.period: must be > 0 ms \(got 0\.0\)"),
        (lambda: sl.Step(1.0, start=10.0, stop=5.0), ValueError, r"Step\.stop: must be after start = 10\.0 ms"),
        (lambda: sl.Noise(0.0, std=-1.0), ValueError, r"Noise\.std: must be >= 0 nA \(got -1\.0\)"),
        (lambda: sl.FromArray([[np.nan]]), ValueError, r"FromArray\.values: must be finite nA"),
        (lambda: sl.FromFunction(3.0), TypeError, r"FromFunction\.function: must be callable f\(t\)"),
        (lambda: sl.PerNeuron([]), ValueError, r"PerNeuron\.functions: must hold one callable per neuron"),
        (lambda: as_current(["a", "b"], 2, "pop"), TypeError, r"pop: a list must hold numbers"),
        (lambda: as_current(np.ones((2, 2, 2)), 2, "pop"), ValueError, r"pop: an array current must be 1-D"),
    ],
)
def test_bad_currents(make, error, message):
    with pytest.raises(error, match=message):
        make()


class Opaque:
    def __repr__(self):
        return "<Opaque>"


@pytest.mark.parametrize(
    ("returned", "named"),
    [
        ("high", r"str 'high'"),
        ("3", r"str '3'"),  # a number in quotes is still text: not read as 3 nA
        (None, r"None"),
        ({"I": 3.0}, r"dict \{'I': 3\.0\}"),
        (Opaque(), r"Opaque <Opaque>"),
        (1 + 2j, r"complex \(1\+2j\)"),
        (["3", "4"], r"list \['3', '4'\]"),
        ([1.0, [2.0, 3.0]], r"list \[1\.0, \[2\.0, 3\.0\]\]"),  # ragged
        (np.array(["3"]), r"an array of dtype <U1 and shape \(1,\)"),
    ],
)
def test_a_callable_returning_anything_but_numbers_is_refused_naming_its_type(returned, named):
    net = sl.Network()
    net.add_population("A", current=lambda t: returned)
    with pytest.raises(sl.CurrentError, match=r"population 'A': current: the current function must return numbers "
                                              rf"\(nA\); it returned {named} at t = 0\.0 ms"):
        net.run(1.0)


@pytest.mark.parametrize(("late", "named"), [("3", "str '3'"), (None, "None")])
def test_a_callable_that_returns_text_only_later_is_refused_at_that_time(late, named):
    """Numbers first, then not: the per-step calls are checked like the first one (before,
    "3" was silently read as 3 nA there)."""
    net = sl.Network(dt=0.1)
    net.add_population("A", current=lambda t: 1.0 if t < 0.5 else late)
    with pytest.raises(sl.CurrentError, match=rf"must return numbers \(nA\); it returned {named} at t = 0\.5 ms"):
        net.run(1.0)


def test_a_callable_that_changes_shape_later_is_refused_at_that_time():
    net = sl.Network(dt=0.1)
    net.add_population("A", 2, current=lambda t: 1.0 if t < 0.5 else [1.0, 2.0, 3.0])
    with pytest.raises(sl.CurrentError, match=r"population 'A': current: the current function must return a number "
                                              r"or an array of 2 values \(one per neuron\) \(got shape \(3,\) "
                                              r"at t = 0\.5 ms\)"):
        net.run(1.0)


def test_a_per_neuron_callable_returning_text_names_its_neuron():
    net = sl.Network()
    net.add_population("A", 2, current=[lambda t: 1.0, lambda t: "2"])
    with pytest.raises(sl.CurrentError, match=r"current, neuron 1: the current function must return numbers \(nA\); "
                                              r"it returned str '2'"):
        net.run(1.0)


def test_long_runs_evaluate_currents_in_chunks_with_the_same_values(monkeypatch):
    from snnlab import engine

    def run():
        net = sl.Network(dt=DT, seed=4)
        net.add_population("A", 4, current=sl.Noise(1.0, 1.0) + sl.Sine(1.0, 20.0))
        return net.run(50.0)

    whole = run()
    monkeypatch.setattr(engine, "CHUNK_VALUES", 4 * 7)  # 7 steps per chunk
    chunked = run()
    np.testing.assert_array_equal(whole.current("A"), chunked.current("A"))
    np.testing.assert_array_equal(whole.potential("A"), chunked.potential("A"))


@pytest.mark.parametrize(("current", "draw"), [
    (sl.Noise(0.3, 2.7), lambda rng, size: rng.normal(0.3, 2.7, size=size)),
    (sl.UniformNoise(-0.5, 5.5), lambda rng, size: rng.uniform(-0.5, 5.5, size=size)),
])
def test_remembered_noise_is_numpys_own_draw_and_leaves_the_generator_where_it_would(current, draw):
    from snnlab import inputs

    inputs.REMEMBERED_NOISE.clear()
    steps = np.arange(40, 340)
    expected_rng = np.random.default_rng(11)
    expected = draw(expected_rng, (steps.size, 6))
    after = expected_rng.random(4)
    for _ in range(2):  # drawn, then remembered
        rng = np.random.default_rng(11)
        got = current.sample(steps, 0.1, 6, rng)
        np.testing.assert_array_equal(got, expected)  # to the bit
        np.testing.assert_array_equal(rng.random(4), after)
    assert len(inputs.REMEMBERED_NOISE) == 1
    other = current.sample(steps, 0.1, 6, np.random.default_rng(12))  # another state: drawn again
    assert not np.array_equal(other, expected) and len(inputs.REMEMBERED_NOISE) == 2


def test_noise_of_another_std_reuses_the_remembered_draws():
    from snnlab import inputs

    inputs.REMEMBERED_NOISE.clear()
    steps = np.arange(200)
    small = sl.Noise(1.0, 0.5).sample(steps, 0.1, 3, np.random.default_rng(5))
    large = sl.Noise(1.0, 2.0).sample(steps, 0.1, 3, np.random.default_rng(5))
    np.testing.assert_allclose(large - 1.0, 4.0 * (small - 1.0))
    assert len(inputs.REMEMBERED_NOISE) == 1


def test_the_memory_of_draws_keeps_the_newest_within_its_bounds():
    from snnlab._remember import Remembered

    memory = Remembered(entries=3, largest=100, total=250)

    def make(size):
        return lambda rng: (rng.random(size),)

    for seed in range(4):
        memory.draw(("a", 80), np.random.default_rng(seed), make(80))
    assert len(memory) == 3  # at most 3 entries, 240 numbers
    memory.draw(("a", 95), np.random.default_rng(9), make(95))
    assert len(memory) == 2  # 335 and 255 numbers are too many: the two oldest go
    big = memory.draw(("a", 101), np.random.default_rng(9), make(101))[0]
    assert big.flags.writeable and len(memory) == 2  # too large to keep
    kept = memory.draw(("a", 95), np.random.default_rng(9), make(95))[0]
    assert not kept.flags.writeable and len(memory) == 2  # remembered, not drawn again
