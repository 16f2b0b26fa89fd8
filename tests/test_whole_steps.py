"""snnlab's one rounding rule for durations: the nearest whole number of steps, a half step
rounded up (``snnlab._checks.whole_steps``), pinned at half steps for every duration that
becomes steps: the refractory period, synaptic and coupling delays, the run's duration,
and the bins and start times of the analysis functions.

At dt = 0.1 ms, 0.05, 0.15 and 0.25 ms are 1, 2 and 3 steps. ``numpy.rint`` of the ratio
(half to even; 0.15 / 0.1 is 1.4999999999999998) would give 0, 1 and 2, and Brian2's
``timestep`` (truncation) 0, 1 and 2: each case below tells the rules apart."""

import math

import numpy as np
import pytest

import snnlab as sl
from snnlab import _checks as check

DT = 0.1
HALF_STEPS = [(0.05, 1), (0.15, 2), (0.25, 3)]


def test_the_rule_rounds_half_steps_up_and_the_rest_to_the_nearest():
    values = np.array([0.05, 0.15, 0.25, 0.35, 0.45, 2.55, 0.149, 0.151, 0.3, 1.0])
    np.testing.assert_array_equal(check.whole_steps(values, DT), [1, 2, 3, 4, 5, 26, 1, 2, 3, 10])
    # what numpy's rint would have said, so the half steps above do test the tie-breaking
    assert np.rint(values[:3] / DT).tolist() == [0.0, 1.0, 2.0]  # 0.15 / 0.1 is 1.4999999999999998


@pytest.mark.parametrize(("refractory", "steps"), HALF_STEPS)
def test_refractory_period_at_half_steps(refractory, steps):
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=refractory)
    current = 33.0
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", 1, current=current, model=model)
    with pytest.warns(sl.SnnlabWarning, match=rf"LIF\.refractory: {refractory} ms is not a whole number of steps "
                                              rf"of dt = 0\.1 ms; using {steps * DT:g} ms \({steps} steps?\)"):
        res = net.run(100.0)
    u_inf = model.R * current
    climb = math.ceil(math.log((model.threshold - u_inf) / (model.u_reset - u_inf)) / math.log(model.decay(DT)))
    isi_steps = np.diff(res.spike_steps("A")[0])
    assert isi_steps.size > 5
    np.testing.assert_array_equal(isi_steps, steps + climb)
    # held at u_reset through steps k+1 .. k+R, so recorded there at k+1 .. k+R+1 (the sample
    # of step k+R+1 is taken before it integrates again), and not one sample longer
    first = int(res.spike_steps("A")[0][0])
    u = res.potential("A")[:, 0]
    np.testing.assert_array_equal(u[first + 1:first + 2 + steps], model.u_reset)
    assert u[first + 2 + steps] > model.u_reset


@pytest.mark.parametrize(("delay", "steps"), HALF_STEPS)
def test_synaptic_delay_at_half_steps(delay, steps):
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", 1, current=sl.Step(200.0, start=0.0, stop=DT / 2))  # one spike, at t = 0
    net.add_population("B", 1, model=sl.LIF(threshold=100.0))
    net.connect("A", "B", weight=1.0, delay=delay)
    with pytest.warns(sl.SnnlabWarning, match=rf"delay: {delay} ms is not a whole number of steps of dt = 0\.1 ms; "
                                              rf"using {steps * DT:g} ms \({steps} steps?\)"):
        res = net.run(1.0)
    assert res.spikes("A")[0].tolist() == [0.0]
    u = res.potential("B")[:, 0]
    assert np.flatnonzero(u).tolist()[0] == steps  # the spike of t = 0 arrives `steps` steps later
    assert res.connections()["delay"].tolist() == [pytest.approx(steps * DT)]


@pytest.mark.parametrize(("delay", "steps"), HALF_STEPS)
def test_coupling_delay_at_half_steps(delay, steps):
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", 1, current=sl.Step(200.0, start=0.0, stop=DT / 2))
    net.add_population("B", 1, model=sl.LIF(threshold=100.0))
    net.couple("A", "B", every=1, effect=1.0, delay=delay)
    with pytest.warns(sl.SnnlabWarning, match=rf"couple\.delay: {delay} ms is not a whole number of steps"):
        res = net.run(1.0)
    assert np.flatnonzero(res.potential("B")[:, 0]).tolist()[0] == steps


@pytest.mark.parametrize(("duration", "steps"), HALF_STEPS)
def test_run_duration_at_half_steps(duration, steps):
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", 1)
    with pytest.warns(sl.SnnlabWarning, match=rf"run\.duration: {duration} ms is not a whole number of steps "
                                              rf"of dt = 0\.1 ms; simulating {steps * DT:g} ms \({steps} steps?\)"):
        res = net.run(duration)
    assert res.steps == steps and res.potential("A").shape == (steps, 1)


def three_spikes():
    """A neuron that spikes at steps 0, 1 and 2 only, in a run of 10 steps."""
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", 1, current=sl.Step(200.0, start=0.0, stop=0.25))
    res = net.run(1.0)
    assert res.spike_steps("A")[0].tolist() == [0, 1, 2]
    return res


@pytest.mark.parametrize(("bin_ms", "steps"), [(0.15, 2), (0.25, 3), (0.35, 4)])
def test_population_rate_bins_at_half_steps(bin_ms, steps):
    res = three_spikes()
    with pytest.warns(sl.SnnlabWarning, match=rf"population_rate\.bin: {bin_ms} ms is not a whole number of steps "
                                              rf"of dt = 0\.1 ms; using {steps * DT:g} ms \({steps} steps\)"):
        t, rate = sl.analysis.population_rate(res, "A", bin=bin_ms)
    assert t[0] == pytest.approx(steps * DT / 2)  # the first bin's centre
    # the first bin holds min(steps, 3) of the three spikes
    assert rate[0] == pytest.approx(min(steps, 3) / (steps * DT / 1000.0))


@pytest.mark.parametrize(("start", "steps"), HALF_STEPS)
def test_analysis_start_at_half_steps(start, steps):
    res = three_spikes()
    rate = sl.analysis.firing_rate(res, "A", start=start)
    # spikes at steps >= `steps`, over the (10 - steps) steps after it
    assert rate.tolist() == [pytest.approx((3 - steps) / ((10 - steps) * DT / 1000.0))]
