"""The error catalogue: every mistake a student can make through the API is refused before
any step runs, with a message naming the parameter, what is allowed and what was given."""

import numpy as np
import pytest

import snnlab as sl


def the_sketch():
    """The issue's sketch, exactly as written (minus the plots, tested in test_plotting)."""
    net = sl.Network(dt=0.1, seed=0)
    a = net.add_population("A", n=1, kind="excitatory", current=4.0)
    b = net.add_population("B", n=1, kind="inhibitory", current=lambda t: 10.0)
    net.connect(a, b, rule="all_to_all", weight=2.0, delay=1.0)
    net.connect(b, a, rule="all_to_all", weight=2.0, delay=1.0)
    res = net.run(100.0)
    return res


def test_the_sketch_runs_and_means_what_it_says():
    res = the_sketch()
    times, neurons = res.spikes("A")
    u = res.potential("B")
    t = res.time
    assert u.shape == (1000, 1) and t.shape == (1000,)
    assert t[1] - t[0] == pytest.approx(0.1)
    # B (10 nA, inhibitory) fires first, at ~1.05 ms, and every 1.1 ms; each of its spikes
    # lowers A by 2 mV one ms later, so A, which needs ~2.9 ms, never fires
    b_times, _ = res.spikes("B")
    assert b_times[0] == pytest.approx(1.0)
    assert times.size == 0 and neurons.size == 0
    assert res.potential("A").min() < -1.0


# -- Network and populations -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("dt", "error", "message"),
    [
        (0.0, ValueError, r"Network\.dt: must be > 0 ms \(got 0\.0\)"),
        (-0.1, ValueError, r"Network\.dt: must be > 0 ms \(got -0\.1\)"),
        (float("nan"), ValueError, r"Network\.dt: must be a finite number in ms \(got nan\)"),
        (float("inf"), ValueError, r"Network\.dt: must be a finite number in ms \(got inf\)"),
        ("0.1", TypeError, r"Network\.dt: must be a number in ms \(got '0\.1' of type str\)"),
    ],
)
def test_bad_dt(dt, error, message):
    with pytest.raises(error, match=message):
        sl.Network(dt=dt)


def test_bad_seed():
    with pytest.raises(TypeError, match=r"Network\.seed: must be None or a non-negative integer \(got -1\)"):
        sl.Network(seed=-1)


@pytest.mark.parametrize(
    ("n", "error", "message"),
    [
        (0, ValueError, r"Network\.add_population\.n: must be an integer >= 1 \(got 0\)"),
        (-3, ValueError, r"Network\.add_population\.n: must be an integer >= 1 \(got -3\)"),
        (2.5, TypeError, r"Network\.add_population\.n: must be an integer >= 1 \(got 2\.5 of type float\)"),
        (100.0, TypeError, r"Network\.add_population\.n: must be an integer >= 1 \(got 100\.0 of type float\)"),
    ],
)
def test_bad_population_size(n, error, message):
    with pytest.raises(error, match=message):
        sl.Network().add_population("A", n=n)


def test_unknown_kind_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"kind: must be one of 'excitatory', 'inhibitory' \(got 'exitatory'\)"):
        sl.Network().add_population("A", kind="exitatory")


def test_label_used_twice():
    net = sl.Network()
    net.add_population("A")
    with pytest.raises(ValueError, match=r"label: 'A' is used twice"):
        net.add_population("A")


def test_model_must_be_a_lif():
    with pytest.raises(TypeError, match=r"add_population\.model: must be an snnlab\.LIF \(got \{'C': 5\}\)"):
        sl.Network().add_population("A", model={"C": 5})


def test_euler_with_dt_above_tau_is_refused_at_build():
    net = sl.Network(dt=20.0)
    net.add_population("A", model=sl.LIF(method="euler"))
    with pytest.raises(ValueError, match=r"Network\.dt: must be smaller than tau_m = 10 ms of population 'A' "
                                         r"for Euler"):
        net.run(100.0)


def test_coarse_dt_warns():
    net = sl.Network(dt=2.0)
    net.add_population("A")
    with pytest.warns(sl.SnnlabWarning, match=r"Network\.dt: 2\.0 ms is not much smaller than tau_m = 10 ms"):
        net.run(100.0)


# -- connect -------------------------------------------------------------------------------------

@pytest.fixture
def two():
    net = sl.Network(dt=0.1, seed=0)
    return net, net.add_population("A", 10), net.add_population("B", 5, kind="inhibitory")


def test_unknown_rule_lists_the_valid_ones(two):
    net, a, b = two
    with pytest.raises(ValueError, match=r"connect\.rule: must be one of 'all_to_all', 'one_to_one', "
                                         r"'fixed_probability', .* \(got 'random'\)"):
        net.connect(a, b, rule="random")


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_outside_unit_interval(two, p):
    net, a, b = two
    with pytest.raises(ValueError, match=rf"connect\.p: must be in \[0, 1\] \(got {p}\)"):
        net.connect(a, b, rule="fixed_probability", p=p)


def test_rule_parameter_missing_or_misplaced(two):
    net, a, b = two
    with pytest.raises(TypeError, match=r"connect: rule 'fixed_probability' needs p=\.\.\. \(got none\)"):
        net.connect(a, b, rule="fixed_probability")
    with pytest.raises(TypeError, match=r"connect\.p: is used by rule 'fixed_probability', not by 'all_to_all'"):
        net.connect(a, b, rule="all_to_all", p=0.3)


def test_degree_larger_than_possible_targets_is_refused_before_running(two):
    net, a, b = two
    net.connect(a, b, rule="fixed_outdegree", k=6)
    with pytest.raises(ValueError, match=r"connect\(A -> B\): connect\.k: must be <= 5, the number of possible "
                                         r"targets per source without multapses \(got 6\)"):
        net.run(10.0)


def test_negative_weight_explains_that_the_sign_comes_from_the_kind(two):
    net, a, b = two
    with pytest.raises(ValueError, match=r"connect\.weight: must be >= 0 mV; weights are magnitudes and the "
                                         r"sign comes from the presynaptic kind \(got -2\.0\)"):
        net.connect(b, a, weight=-2.0)


def test_negative_or_too_short_delay(two):
    net, a, b = two
    with pytest.raises(ValueError, match=r"connect\.delay: must be >= one step, dt = 0\.1 ms \(got -1\.0\)"):
        net.connect(a, b, delay=-1.0)
    with pytest.raises(ValueError, match=r"connect\.delay: must be at least one step, dt = 0\.1 ms, and finite "
                                         r"\(got 0\.0 ms\)"):
        net.connect(a, b, delay=0.0)
    with pytest.raises(ValueError, match=r"connect\.delay: must be a finite number in ms \(got nan\)"):
        net.connect(a, b, delay=float("nan"))


def test_delay_that_is_not_a_whole_number_of_steps_warns_with_the_delay_used(two):
    net, a, b = two
    net.connect(a, b, delay=0.15)  # 1.5 steps, and 1.4999999999999998 in floating point
    with pytest.warns(sl.SnnlabWarning, match=r"connect\(A -> B\)\.delay: 0\.15 ms is not a whole number of "
                                              r"steps of dt = 0\.1 ms; using 0\.2 ms \(2 steps\)") as record:
        net.run(10.0)
    assert record[0].filename == __file__  # the warning points at the student's line, not into snnlab


def test_connecting_populations_of_another_network(two):
    net, a, _ = two
    other = sl.Network()
    stranger = other.add_population("C")
    with pytest.raises(ValueError, match=r"connect\.post: population 'C' belongs to another network"):
        net.connect(a, stranger)


def test_connecting_an_unknown_label(two):
    net, a, _ = two
    with pytest.raises(ValueError, match=r"connect\.post: no population labelled 'Z'; the labels are 'A', 'B'"):
        net.connect(a, "Z")


def test_couple_checks_its_parameters(two):
    net, a, b = two
    with pytest.raises(ValueError, match=r"couple\.every: must be an integer >= 1 \(got 0\)"):
        net.couple(a, b, every=0)
    with pytest.raises(TypeError, match=r"couple\.pre: must be one population, whose spikes are counted"):
        net.couple([a, b], b)


def test_poisson_input_checks_its_parameters(two):
    net, a, _ = two
    with pytest.raises(ValueError, match=r"PoissonInput\.rate: must be >= 0 Hz \(got -5\.0\)"):
        net.add_poisson_input(a, rate=-5.0, weight=0.1)


# -- currents --------------------------------------------------------------------------------------

def test_current_with_the_wrong_number_of_values():
    with pytest.raises(ValueError, match=r"population 'A': current: a per-neuron current needs one value per "
                                         r"neuron, 3 values \(got 2\)"):
        sl.Network().add_population("A", 3, current=[1.0, 2.0])


def test_current_that_is_nan_or_inf():
    with pytest.raises(ValueError, match=r"Constant\.amplitude: must be a finite number in nA \(got nan\)"):
        sl.Network().add_population("A", current=float("nan"))
    net = sl.Network(dt=0.1)
    net.add_population("A", current=lambda t: np.inf if t > 5 else 1.0)
    with pytest.raises(sl.CurrentError, match=r"population 'A': current: the current is NaN or infinite at "
                                              r"t = 5\.1000000000000005 ms"):
        net.run(10.0)


def test_current_function_that_raises_names_the_population():
    net = sl.Network(dt=0.1)
    net.add_population("slow", current=lambda t: 1 / 0)
    with pytest.raises(sl.CurrentError, match=r"population 'slow': current: the current function raised "
                                              r"ZeroDivisionError at t = 0\.0 ms"):
        net.run(10.0)


def test_current_function_with_the_wrong_shape():
    net = sl.Network(dt=0.1)
    net.add_population("A", 3, current=lambda t: np.ones(2))
    with pytest.raises(sl.CurrentError, match=r"population 'A': current: the current function must return a number "
                                              r"or an array of 3 values \(one per neuron\) \(got shape \(2,\)\)"):
        net.run(10.0)


def test_current_array_too_short_for_the_run():
    net = sl.Network(dt=0.1)
    net.add_population("A", 2, current=np.ones((50, 2)))
    with pytest.raises(ValueError, match=r"population 'A': current: the current array has 50 rows but the run has "
                                         r"100 steps"):
        net.run(10.0)


def test_current_of_an_unknown_type():
    with pytest.raises(TypeError, match=r"population 'A': current: must be a number \(nA\), a callable f\(t\)"):
        sl.Network().add_population("A", current="4 nA")


# -- run -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (0.0, r"run\.duration: must be > 0 ms \(got 0\.0\)"),
        (-10, r"run\.duration: must be > 0 ms \(got -10\.0\)"),
        (float("inf"), r"run\.duration: must be a finite number in ms \(got inf\)"),
        (0.01, r"run\.duration: must be at least one step, dt = 0\.1 ms \(got 0\.01\)"),
    ],
)
def test_bad_duration(duration, message):
    net = sl.Network(dt=0.1)
    net.add_population("A")
    with pytest.raises(ValueError, match=message):
        net.run(duration)


def test_duration_that_is_not_a_whole_number_of_steps_warns():
    net = sl.Network(dt=0.1)
    net.add_population("A")
    with pytest.warns(sl.SnnlabWarning, match=r"run\.duration: 10\.04 ms is not a whole number of steps"):
        res = net.run(10.04)
    assert res.steps == 100


def test_running_an_empty_network():
    with pytest.raises(ValueError, match=r"Network\.build: the network has no population"):
        sl.Network().run(10.0)


def test_a_network_too_large_for_memory_is_refused_up_front_with_its_size():
    net = sl.Network()
    pop = net.add_population("huge", 2_000_000)
    net.connect(pop, pop, rule="all_to_all")
    with pytest.raises(sl.SizeError, match=r"about 4e\+12 synapses, needing about .* to build, more than the .* "
                                           r"of memory available"):
        net.run(1.0)


def test_record_must_be_known():
    net = sl.Network()
    net.add_population("A", 3)
    with pytest.raises(ValueError, match=r"run\.record\['A'\]: must be 'all' or neuron indices in \[0, 2\]"):
        net.run(1.0, record={"A": [5]})
    with pytest.raises(TypeError, match=r"run\.record: must be 'auto', 'all', None or a dict"):
        net.run(1.0, record=["A"])


def test_auto_record_skips_large_recordings_with_a_warning():
    net = sl.Network()
    net.add_population("A", 5000)
    with pytest.warns(sl.SnnlabWarning, match=r"run\.record: not recording potentials and currents"):
        res = net.run(1000.0)
    with pytest.raises(ValueError, match=r"no potential of population 'A' was recorded"):
        res.potential("A")


# -- initial potentials ----------------------------------------------------------------------------

def test_initial_potentials_per_neuron():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("A", 3, u_init=[0.1, -0.4, 0.9])
    net.add_population("B", 2, u_init=0.5, model=sl.LIF(u_rest=0.2))
    res = net.run(1.0)
    np.testing.assert_array_equal(res.potential("A")[0], [0.1, -0.4, 0.9])
    np.testing.assert_array_equal(res.potential("B")[0], [0.5, 0.5])


def test_initial_potentials_drawn_from_a_distribution_follow_the_seed():
    def first_row(seed):
        net = sl.Network(dt=0.1, seed=seed)
        net.add_population("A", 500, u_init=sl.Uniform(0.2, 0.8))
        return net.run(1.0).potential("A")[0]

    a, b, c = first_row(1), first_row(1), first_row(2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.min() >= 0.2 and a.max() < 0.8
    assert abs(a.mean() - 0.5) < 0.05  # uniform: mean 0.5, sd of the mean 0.008


@pytest.mark.parametrize(
    ("u_init", "model", "error", "message"),
    [
        (1.0, None, ValueError, r"add_population\.u_init: must be below threshold = 1\.0 mV \(got 1\.0\)"),
        ([0.0, 0.5], None, ValueError, r"add_population\.u_init: needs one value per neuron, 3 \(got shape \(2,\)\)"),
        (-0.5, sl.LIF(floor=0.0), ValueError, r"add_population\.u_init: must be >= floor = 0\.0 mV \(got -0\.5\)"),
        ("rest", None, TypeError, r"add_population\.u_init: must be a number in mV \(got 'rest' of type str\)"),
    ],
)
def test_bad_initial_potentials(u_init, model, error, message):
    with pytest.raises(error, match=message):
        sl.Network().add_population("A", 3, u_init=u_init, model=model)


def test_initial_potentials_drawn_above_threshold_are_refused_before_running():
    net = sl.Network(seed=0)
    net.add_population("A", 10, u_init=sl.Uniform(0.5, 1.5))
    with pytest.raises(ValueError, match=r"population 'A': u_init: must be below threshold = 1\.0 mV \(got 1\.\d+ "
                                         r"drawn from Uniform\(low=0\.5, high=1\.5\)\)"):
        net.run(1.0)
