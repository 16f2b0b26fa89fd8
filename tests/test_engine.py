"""The run loop against closed forms: first spike, rates, relaxation, refractoriness,
delays, signs, the floor, couplings and Poisson input."""

import math

import numpy as np
import pytest

import snnlab as sl

DT = 0.1


def single(current, model=None, duration=200.0, dt=DT, record="all"):
    net = sl.Network(dt=dt, seed=0)
    net.add_population("A", 1, current=current, model=model)
    return net.run(duration, record=record)


def steps_to_reach(model, current, start, dt):
    """Whole steps from `start` to threshold under a constant current, computed from the
    discrete update u_{j+1} = u_inf + (u_j - u_inf) * a, i.e. (u_j - u_inf) = (start - u_inf) a^j."""
    u_inf = model.u_rest + model.R * current
    a = model.decay(dt)
    return math.ceil(math.log((model.threshold - u_inf) / (start - u_inf)) / math.log(a))


# Currents whose climbing time is not within 1e-6 steps of a whole number (no float ties).
CURRENTS = [1.3, 1.5, 2.2, 4.0, 7.3]


@pytest.mark.parametrize("current", CURRENTS)
def test_first_spike_exact_method_matches_continuous_time(current):
    model = sl.LIF()
    t_first = model.time_to_first_spike(current)
    times, _ = single(current).spikes("A")
    # the spike is stamped at the start of the step in which u crossed threshold
    assert times[0] < t_first <= times[0] + DT
    assert times[0] == pytest.approx((math.ceil(t_first / DT) - 1) * DT)


@pytest.mark.parametrize("current", CURRENTS)
def test_first_spike_euler_matches_discrete_closed_form(current):
    model = sl.LIF(method="euler")
    j = steps_to_reach(model, current, model.u_init, DT)
    times, _ = single(current, model).spikes("A")
    assert times[0] == pytest.approx((j - 1) * DT)
    # and Euler is slower or faster than the exact solution, but by a bounded amount
    assert abs(times[0] - sl.LIF().time_to_first_spike(current)) < 0.05 * times[0] + DT


@pytest.mark.parametrize("method", ["exact", "euler"])
@pytest.mark.parametrize("refractory", [0.0, 0.3, 2.0])
def test_interspike_interval_is_refractory_plus_climb_in_whole_steps(method, refractory):
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=refractory, method=method)
    current = 33.0
    times, _ = single(current, model, duration=300.0).spikes("A")
    isi = np.diff(times)
    climb = steps_to_reach(model, current, model.u_reset, DT)
    expected = (round(refractory / DT) + climb) * DT
    np.testing.assert_allclose(isi, expected, atol=1e-9)
    if method == "exact":
        # the discrete climb is the continuous one rounded up to whole steps: never shorter
        assert 1000.0 / expected <= model.firing_rate(current) * (1 + 1e-12)
    else:
        # Euler's recurrence u <- u + dt*(u_rest - u + R*I)/tau_m, iterated by hand from u_reset
        u, by_hand = model.u_reset, 0
        while u < model.threshold:
            u += DT * (model.u_rest - u + model.R * current) / model.tau_m
            by_hand += 1
        assert climb == by_hand == 114
        # 1 - dt/tau_m < exp(-dt/tau_m): Euler moves towards u_inf faster, so it climbs in fewer steps
        exact = sl.LIF(**{**model.as_dict(), "method": "exact"})
        assert climb < steps_to_reach(exact, current, model.u_reset, DT)
    # and the continuous-time rate is within one step per interval of it
    assert abs(expected - 1000.0 / model.firing_rate(current)) < DT + 0.05 * expected


def test_rate_under_constant_current_matches_analytic_rate_as_dt_shrinks():
    model = sl.LIF(refractory=1.0)
    current = 3.0
    analytic = model.firing_rate(current)
    for dt in (0.1, 0.01):
        times, _ = single(current, model, duration=500.0, dt=dt, record=None).spikes("A")
        measured = 1000.0 / np.mean(np.diff(times))
        # the discrete ISI is longer than the continuous one by less than one step
        isi_true = 1000.0 / analytic
        assert isi_true <= 1000.0 / measured < isi_true + dt + 1e-9


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_relaxation_below_threshold(method):
    model = sl.LIF(method=method, R=2.0, C=5.0)  # tau 10 ms
    current = 0.4  # R*I = 0.8 mV, below threshold
    res = single(current, model, duration=100.0)
    u = res.potential("A")[:, 0]
    k = np.arange(u.size)
    if method == "exact":
        expected = 0.8 * (1 - np.exp(-k * DT / 10.0))
    else:
        expected = 0.8 * (1 - (1 - DT / 10.0) ** k)
    np.testing.assert_allclose(u, expected, rtol=1e-12, atol=1e-12)
    assert res.spike_count("A")[0] == 0


def test_refractory_period_holds_the_membrane_for_exactly_that_many_steps():
    model = sl.LIF(refractory=1.5)
    res = single(10.0, model, duration=30.0)
    steps, _ = res.spike_steps("A")
    u = res.potential("A")[:, 0]
    held = round(1.5 / DT)
    for s in steps[:-1]:
        # rows s+1 .. s+held+1 are u_reset: the reset sample, then `held` steps not integrated
        np.testing.assert_array_equal(u[s + 1 : s + held + 2], 0.0)
        assert u[s + held + 2] > 0.0


def driven_pair(delay, weight=2.0, source_kind="excitatory", target_model=None, target_current=0.0,
                source_current=4.0, duration=60.0, **connect):
    net = sl.Network(dt=DT, seed=0)
    src = net.add_population("src", 1, kind=source_kind, current=source_current)
    tgt = net.add_population("tgt", 1, current=target_current, model=target_model)
    net.connect(src, tgt, weight=weight, delay=delay, **connect)
    return net.run(duration)


@pytest.mark.parametrize("delay", [0.1, 0.5, 1.0, 2.5, 7.3])
def test_silent_target_fires_exactly_one_delay_after_each_source_spike(delay):
    res = driven_pair(delay, weight=2.0)
    src_steps, _ = res.spike_steps("src")
    tgt_steps, _ = res.spike_steps("tgt")
    d = round(delay / DT)
    expected = src_steps[src_steps + d < res.steps] + d
    np.testing.assert_array_equal(tgt_steps, expected)


def test_per_synapse_delays_are_each_exact():
    net = sl.Network(dt=DT, seed=0)
    src = net.add_population("src", 1, current=4.0)
    tgt = net.add_population("tgt", 3)
    delays = np.array([0.3, 1.0, 2.2])
    net.connect(src, tgt, rule="all_to_all", weight=5.0, delay=delays)
    res = net.run(40.0)
    first_src = res.spike_steps("src")[0][0]
    trains = res.spike_trains("tgt")
    for i, d in enumerate(delays):
        assert trains[i][0] == pytest.approx((first_src + round(d / DT)) * DT)


@pytest.mark.parametrize(("kind", "sign"), [("excitatory", 1.0), ("inhibitory", -1.0)])
def test_the_sign_comes_from_the_source_kind(kind, sign):
    res = driven_pair(1.0, weight=0.3, source_kind=kind)
    first = res.spike_steps("src")[0][0]
    u = res.potential("tgt")[:, 0]
    arrival = first + 10
    assert u[arrival - 1] == 0.0
    assert u[arrival] == pytest.approx(sign * 0.3)  # the jump shows at the arrival time
    assert sign * (u[arrival + 1] - u[arrival]) < 0  # then it decays back towards rest


def test_inhibition_hyperpolarises_a_real_lif_but_not_the_assignments_clamped_one():
    real = driven_pair(1.0, weight=0.5, source_kind="inhibitory", duration=40.0)
    clamped = driven_pair(1.0, weight=0.5, source_kind="inhibitory", duration=40.0,
                          target_model=sl.LIF.assignment())
    assert real.potential("tgt").min() < -0.4
    assert clamped.potential("tgt").min() == 0.0


def test_floor_is_never_crossed_under_strong_inhibition():
    model = sl.LIF(floor=-0.2, method="exact")
    res = driven_pair(0.5, weight=3.0, source_kind="inhibitory", source_current=10.0,
                      target_model=model, target_current=0.5, duration=50.0)
    assert res.potential("tgt").min() == pytest.approx(-0.2)
    assert np.all(res.potential("tgt") >= -0.2)


def test_input_arriving_while_refractory_is_discarded():
    # the target fires from its own current; the source's spikes arrive while it is refractory
    target_model = sl.LIF(refractory=5.0)
    res = driven_pair(0.1, weight=0.5, source_current=4.0, target_model=target_model, target_current=10.0,
                      duration=20.0)
    tgt_steps, _ = res.spike_steps("tgt")
    u = res.potential("tgt")[:, 0]
    for s in tgt_steps[:-1]:
        np.testing.assert_array_equal(u[s + 1 : s + 52], 0.0)


def test_population_coupling_fires_every_n_source_spikes():
    net = sl.Network(dt=DT, seed=0)
    src = net.add_population("src", 4, current=4.0)  # 4 neurons in lockstep
    tgt = net.add_population("tgt", 3, kind="excitatory")
    net.couple(src, tgt, every=6, effect=0.25, delay=0.5)
    res = net.run(30.0)
    steps, _ = res.spike_steps("src")
    counts = np.cumsum(np.bincount(steps, minlength=res.steps))
    events = np.diff(counts // 6, prepend=0)  # coupling events emitted at each step
    u = res.potential("tgt")[:, 0]
    jumps = np.flatnonzero(np.diff(u) > 0) + 1
    expected = np.flatnonzero(events) + 5
    np.testing.assert_array_equal(jumps, expected[expected < res.steps])
    # each event adds exactly `effect` to the decayed potential: u_j = a*u_{j-1} + 0.25
    a = sl.LIF().decay(DT)
    np.testing.assert_allclose(u[jumps] - a * u[jumps - 1], 0.25, atol=1e-12)
    # four spikes per volley, six per event: some volleys bring one event, some none
    assert 0 < jumps.size < steps.size / 4


def test_coupling_from_an_inhibitory_population_lowers_the_targets():
    net = sl.Network(dt=DT, seed=0)
    src = net.add_population("src", 2, kind="inhibitory", current=4.0)
    tgt = net.add_population("tgt", 2)
    net.couple(src, tgt, every=2, effect=0.5)
    res = net.run(10.0)
    first = res.spike_steps("src")[0][0]  # both fire together: one event, one step later
    u = res.potential("tgt")
    np.testing.assert_array_equal(u[: first + 1], 0.0)
    np.testing.assert_allclose(u[first + 1], -0.5)


def test_poisson_input_has_poisson_mean_and_variance_per_step():
    # no leak to speak of and an unreachable threshold: u counts the input spikes
    model = sl.LIF(C=1e9, threshold=1e9)
    net = sl.Network(dt=DT, seed=3)
    pop = net.add_population("P", 500, model=model)
    net.add_poisson_input(pop, rate=200.0, weight=0.5, n_sources=10)
    res = net.run(100.0)
    increments = np.diff(res.potential("P"), axis=0) / 0.5
    lam = 200.0 * 10 * DT / 1000.0  # 0.2 input spikes per step
    counts = np.rint(increments)
    np.testing.assert_allclose(increments, counts, atol=1e-6)
    n = counts.size
    assert abs(counts.mean() - lam) < 5 * math.sqrt(lam / n)
    assert abs(counts.var() - lam) < 0.02  # Poisson: variance equals mean
    assert np.all(counts >= 0)


def test_same_seed_gives_identical_spikes_and_another_seed_other_connectivity():
    def run(seed):
        net = sl.Network(dt=DT, seed=seed)
        _e, _i = net.add_mixed_population("G", current=sl.UniformNoise(0.0, 3.0), p_exc=0.1, p_inh=0.2)
        return net.run(100.0)

    a, b, c = run(5), run(5), run(6)
    np.testing.assert_array_equal(a.spikes()[0], b.spikes()[0])
    np.testing.assert_array_equal(a.spikes()[1], b.spikes()[1])
    assert not np.array_equal(a.connections()["post"], c.connections()["post"])
    assert not np.array_equal(a.current("G_E"), c.current("G_E"))


def test_running_twice_gives_the_same_result():
    net = sl.Network(dt=DT, seed=1)
    pop = net.add_population("P", 20, current=sl.Noise(1.2, 1.0))
    net.connect(pop, pop, rule="fixed_probability", p=0.2, weight=0.3)
    first, second = net.run(50.0), net.run(50.0)
    np.testing.assert_array_equal(first.potential("P"), second.potential("P"))


def test_one_population_is_independent_of_a_disconnected_neighbour():
    def isolated():
        net = sl.Network(dt=DT, seed=2)
        net.add_population("P", 5, current=sl.Noise(1.5, 2.0))
        return net.run(50.0)

    def with_neighbour():
        net = sl.Network(dt=DT, seed=2)
        net.add_population("P", 5, current=sl.Noise(1.5, 2.0))
        net.add_population("Q", 7, current=sl.Noise(3.0, 1.0))
        return net.run(50.0)

    np.testing.assert_array_equal(isolated().potential("P"), with_neighbour().potential("P"))


def test_mixed_currents_and_models_in_one_network():
    net = sl.Network(dt=DT, seed=0)
    net.add_population("fast", 1, current=3.0, model=sl.LIF(C=5.0))
    net.add_population("slow", 1, current=3.0, model=sl.LIF(C=20.0, method="euler"))
    res = net.run(100.0)
    fast = np.diff(res.spikes("fast")[0])
    slow = np.diff(res.spikes("slow")[0])
    assert fast[0] == pytest.approx(steps_to_reach(sl.LIF(C=5.0), 3.0, 0.0, DT) * DT)
    assert slow[0] == pytest.approx(steps_to_reach(sl.LIF(C=20.0, method="euler"), 3.0, 0.0, DT) * DT)


def test_recorded_current_is_the_input_at_each_step():
    res = single(lambda t: np.sin(t / 8) + 0.3, duration=20.0)
    np.testing.assert_allclose(res.current("A")[:, 0], np.sin(res.time / 8) + 0.3, rtol=0, atol=1e-15)
