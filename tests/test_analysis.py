"""Tests of snnlab.analysis: closed forms of the LIF on the simulation grid, hand-made
spike trains with known statistics, and error messages."""

import math
import warnings

import numpy as np
import pytest

import snnlab as sl
from snnlab import analysis as an

DT = 0.1


def grid_period(model: sl.LIF, current: float, dt: float = DT) -> int:
    """Steps between two spikes of a regular neuron on the grid (see snnlab.engine):
    the refractory steps plus the whole steps needed to climb from u_reset to threshold."""
    climb = model.tau_m * math.log((model.R * current - (model.u_reset - model.u_rest))
                                   / (model.R * current - (model.threshold - model.u_rest)))
    fraction = climb / dt - math.floor(climb / dt)
    assert 1e-6 < fraction < 1 - 1e-6, "choose a current whose climb time is not a whole number of steps"
    return round(model.refractory / dt) + math.ceil(climb / dt)


def fake_result(spike_steps, spike_neurons, n, steps, dt=DT, kind="excitatory", model=None):
    """A one-population Result with given spikes (no recordings)."""
    return sl.Result(
        dt=dt, steps=steps, labels=["A"], kinds=[kind], sizes=[n], models=[model or sl.LIF()],
        spike_steps=np.asarray(spike_steps, dtype=np.int64), spike_neurons=np.asarray(spike_neurons, dtype=np.int64),
        recorded=np.empty(0, np.int64), potentials=np.empty((steps, 0)), currents=np.empty((steps, 0)), params={},
    )


def regular_result(n=10, current=2.0, model=None, duration=900.0, record=None):
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", n=n, kind="excitatory", current=current, model=model or sl.LIF(refractory=2.0))
    return net.run(duration, record=record)


def poisson_result(n=50, rate=50.0, duration=5000.0, record=None):
    """Neurons each driven by its own Poisson train of 2 mV kicks: every kick lifts the membrane
    from rest above the 1 mV threshold, so each neuron's output is a (thinned) Poisson train."""
    net = sl.Network(dt=DT, seed=1)
    net.add_population("P", n=n, kind="excitatory", current=0.0)
    net.add_poisson_input("P", rate=rate, weight=2.0)
    return net.run(duration, record=record)


# -- rates -------------------------------------------------------------------------------------
def test_firing_rate_is_spike_count_over_duration():
    res = regular_result(n=3, current=np.array([0.5, 2.0, 5.0]), duration=200.0)
    counts = np.array([len(t) for t in res.spike_trains("A")])
    np.testing.assert_allclose(an.firing_rate(res, "A"), counts / 0.2)
    assert an.mean_rate(res, "A") == pytest.approx(counts.sum() / 3 / 0.2)
    assert an.firing_rate(res, "A")[0] == 0.0  # below the rheobase of 1 nA


def test_rate_functions_refuse_something_that_is_not_a_result():
    with pytest.raises(TypeError, match=r"firing_rate\.result: must be an snnlab\.Result from Network\.run"):
        an.firing_rate({"A": []}, "A")
    with pytest.raises(ValueError, match="no population labelled 'B'; the labels are 'A'"):
        an.mean_rate(regular_result(n=1, duration=10.0), "B")


# -- ISI and CV ----------------------------------------------------------------------------------
def test_isi_of_one_train():
    np.testing.assert_allclose(an.isi([1.0, 3.5, 4.0]), [2.5, 0.5])
    np.testing.assert_allclose(an.isi(np.array([4.0, 1.0, 3.5])), [2.5, 0.5])  # sorted first
    assert an.isi([2.0]).shape == (0,)
    assert an.isi(np.empty(0)).shape == (0,)


def test_isi_errors():
    with pytest.raises(TypeError, match=r"isi\.spike_times: must be a 1-D array of spike times in ms"):
        an.isi(["a", "b"])
    with pytest.raises(TypeError, match=r"isi\.spike_times: must be a 1-D array"):
        an.isi(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"isi\.spike_times: must be finite ms \(got NaN or inf\)"):
        an.isi([1.0, np.nan])


def test_isi_all_of_regular_neurons_is_the_grid_period():
    model = sl.LIF(refractory=2.0)
    res = regular_result(n=4, current=2.0, model=model, duration=300.0)
    period = grid_period(model, 2.0) * DT  # 20 + 70 steps = 9 ms
    intervals = an.isi_all(res, "A")
    assert len(intervals) == 4
    for each in intervals:
        assert each.size == 32  # first spike at 6.9 ms, then every 9 ms up to 299.9 ms
        np.testing.assert_allclose(each, period)


def test_cv_isi_of_known_trains():
    # neuron 0: intervals 1 ms and 2 ms -> CV = 0.5/1.5; neuron 1: two spikes; neuron 2: silent
    res = fake_result([0, 10, 30, 5, 25], [0, 0, 0, 1, 1], n=3, steps=100)
    cv = an.cv_isi(res, "A")
    assert cv[0] == pytest.approx(1 / 3)
    assert np.isnan(cv[1])
    assert np.isnan(cv[2])
    cv2 = an.cv_isi(res, "A", min_spikes=2)
    assert cv2[1] == 0.0
    assert np.isnan(cv2[2])
    assert an.mean_cv_isi(res, "A") == pytest.approx(1 / 3)
    assert an.mean_cv_isi(res, "A", min_spikes=2) == pytest.approx(1 / 6)


def test_cv_isi_of_a_regular_neuron_is_zero():
    res = regular_result(n=5, current=3.0, duration=500.0)
    np.testing.assert_allclose(an.cv_isi(res, "A"), 0.0, atol=1e-12)


def test_cv_isi_of_a_poisson_driven_neuron_is_about_one():
    res = poisson_result()
    assert an.mean_rate(res, "P") == pytest.approx(50.0, rel=0.05)
    cv = an.cv_isi(res, "P")
    assert np.all(np.isfinite(cv))
    assert 0.9 < np.mean(cv) < 1.1
    assert np.all((cv > 0.7) & (cv < 1.3))


def test_mean_cv_isi_is_nan_without_warning_when_no_neuron_qualifies():
    res = fake_result([3], [0], n=2, steps=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(an.mean_cv_isi(res, "A"))
    assert np.all(np.isnan(an.cv_isi(res, "A")))


def test_cv_isi_min_spikes_errors():
    res = fake_result([], [], n=1, steps=10)
    with pytest.raises(ValueError, match=r"cv_isi\.min_spikes: must be an integer >= 2 \(got 1\)"):
        an.cv_isi(res, "A", min_spikes=1)
    with pytest.raises(TypeError, match=r"cv_isi\.min_spikes: must be an integer >= 2 \(got 2\.5 of type float\)"):
        an.mean_cv_isi(res, "A", min_spikes=2.5)


# -- population rate -----------------------------------------------------------------------------
def test_population_rate_of_regular_neurons_is_the_grid_rate_in_every_bin():
    model = sl.LIF(refractory=2.0)
    period = grid_period(model, 2.0)  # 90 steps
    res = regular_result(n=10, current=2.0, model=model, duration=100 * period * DT)
    # a bin of exactly one period holds exactly one spike of every neuron
    t, rate = an.population_rate(res, "A", bin=period * DT)
    assert t.size == 100
    np.testing.assert_allclose(t[:3], [4.5, 13.5, 22.5])  # bin centres
    np.testing.assert_allclose(rate, 1000.0 / (period * DT))
    # within one step of the continuous-time rate of the model
    assert model.firing_rate(2.0) >= rate[0] > 1000.0 / (1000.0 / model.firing_rate(2.0) + DT)


def test_population_rate_smoothing_keeps_a_constant_rate_constant_up_to_the_edges():
    model = sl.LIF(refractory=2.0)
    period = grid_period(model, 2.0)
    res = regular_result(n=10, current=2.0, model=model, duration=50 * period * DT)
    _, rate = an.population_rate(res, "A", bin=period * DT, smooth=30.0)
    np.testing.assert_allclose(rate, 1000.0 / (period * DT), rtol=1e-12)


def test_population_rate_smoothing_spreads_one_spike_as_a_normalised_gaussian():
    res = fake_result([505], [0], n=4, steps=1000)  # one spike at 50.5 ms among 4 neurons
    t, raw = an.population_rate(res, "A", bin=1.0)
    assert raw[50] == pytest.approx(1000.0 / 4)
    assert np.count_nonzero(raw) == 1
    t, rate = an.population_rate(res, "A", bin=1.0, smooth=2.0)
    x = t - t[50]
    kernel = np.exp(-0.5 * (x / 2.0) ** 2) * (np.abs(x) <= 8.0)
    np.testing.assert_allclose(rate, 1000.0 / 4 * kernel / kernel.sum(), atol=1e-12)
    # the spike's mass is kept: sum(rate * bin) = 1000 * spikes / n
    assert rate.sum() * 1.0 == pytest.approx(1000.0 / 4)


def test_population_rate_mean_is_the_mean_rate_and_last_bin_may_be_short():
    res = poisson_result(n=20, duration=1005.0)
    t, rate = an.population_rate(res, "P", bin=10.0)
    assert t.size == 101
    assert t[-1] == pytest.approx(1002.5)  # centre of the 5 ms bin [1000, 1005)
    widths = np.r_[np.full(100, 10.0), 5.0]
    assert np.sum(rate * widths) / 1005.0 == pytest.approx(an.mean_rate(res, "P"))
    _, zero = an.population_rate(res, "P", bin=10.0, smooth=0.0)  # 0: no smoothing
    np.testing.assert_array_equal(zero, rate)


def test_population_rate_smoothing_extremes():
    res = poisson_result(n=5, duration=500.0)
    # a very wide kernel weighs every bin alike: the mean rate everywhere, computed quickly
    _, wide = an.population_rate(res, "P", bin=1.0, smooth=1e9)
    np.testing.assert_allclose(wide, an.mean_rate(res, "P"))
    # a very narrow one changes nothing
    _, raw = an.population_rate(res, "P", bin=1.0)
    _, narrow = an.population_rate(res, "P", bin=1.0, smooth=1e-6)
    np.testing.assert_allclose(narrow, raw)


def test_population_rate_of_a_silent_population_is_zero():
    t, rate = an.population_rate(fake_result([], [], n=3, steps=100), "A", bin=2.0, smooth=4.0)
    assert t.size == 5
    assert np.all(rate == 0.0)


def test_population_rate_argument_errors():
    res = fake_result([], [], n=1, steps=100)
    with pytest.raises(ValueError, match=r"population_rate\.bin: must be >= dt = 0\.1 ms \(got 0\.05\)"):
        an.population_rate(res, "A", bin=0.05)
    with pytest.raises(ValueError, match=r"population_rate\.bin: must be > 0 ms \(got -1\.0\)"):
        an.population_rate(res, "A", bin=-1)
    with pytest.raises(TypeError, match=r"population_rate\.bin: must be a number in ms"):
        an.population_rate(res, "A", bin="1")
    with pytest.raises(ValueError, match=r"population_rate\.smooth: must be >= 0 ms \(got -2\.0\)"):
        an.population_rate(res, "A", smooth=-2.0)
    with pytest.warns(sl.SnnlabWarning, match=r"population_rate\.bin: 0\.25 ms is not a whole number of steps"):
        t, _ = an.population_rate(res, "A", bin=0.25)
    assert t[1] - t[0] == pytest.approx(0.3)  # 2.5 steps round half up, as delays do


# -- F–I curve ----------------------------------------------------------------------------------
def test_fi_curve_isi_rate_is_the_grid_rate_within_one_step_of_the_closed_form():
    model = sl.LIF(refractory=2.0)
    currents = np.array([0.0, 0.9, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0])
    out_currents, rates = an.fi_curve(currents, model, duration=1000.0, measure="isi")
    np.testing.assert_array_equal(out_currents, currents)
    analytic = an.lif_rate(currents, model)
    assert rates[0] == 0.0
    assert rates[1] == 0.0
    assert analytic[1] == 0.0
    for current, rate, exact in zip(currents[2:], rates[2:], analytic[2:], strict=True):
        assert rate == pytest.approx(1000.0 / (grid_period(model, current) * DT), rel=1e-12)
        # the grid rounds the climb up to whole steps: at most one step's worth slower
        assert exact >= rate > 1000.0 / (1000.0 / exact + DT)


def test_fi_curve_count_rate_counts_the_spikes_of_the_run():
    model = sl.LIF(refractory=2.0)
    currents = np.array([0.5, 1.2, 2.0, 7.0])
    steps = 5000
    _, rates = an.fi_curve(currents, model, duration=steps * DT)
    assert rates[0] == 0.0
    for current, rate in zip(currents[1:], rates[1:], strict=True):
        period = grid_period(model, current)
        first = period - round(model.refractory / DT) - 1  # u_init = u_reset: the first climb, stamped a step early
        count = (steps - 1 - first) // period + 1
        assert rate == pytest.approx(count / (steps * DT / 1000.0))


def test_fi_curve_is_one_network_run(monkeypatch):
    calls = []
    run = sl.Network.run

    def counting_run(self, *args, **kwargs):
        calls.append(self.n)
        return run(self, *args, **kwargs)

    monkeypatch.setattr(sl.Network, "run", counting_run)
    an.fi_curve(np.linspace(0.0, 5.0, 11), duration=50.0)
    assert calls == [11]


def test_fi_curve_isi_rate_of_a_single_spike_is_nan():
    # 1.003 nA climbs for ~58 ms: one spike in 100 ms, no interval to measure
    _, rates = an.fi_curve([0.0, 1.003], duration=100.0, measure="isi")
    assert rates[0] == 0.0
    assert np.isnan(rates[1])
    _, counted = an.fi_curve([1.003], duration=100.0)
    assert counted[0] == pytest.approx(10.0)


def test_fi_curve_errors():
    with pytest.raises(ValueError, match=r"fi_curve\.currents: must hold at least one current"):
        an.fi_curve([])
    with pytest.raises(TypeError, match=r"fi_curve\.currents: must be a number or a 1-D array of currents in nA"):
        an.fi_curve([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"fi_curve\.currents: must be finite nA"):
        an.fi_curve([1.0, np.inf])
    with pytest.raises(ValueError, match=r"fi_curve\.measure: must be one of 'count', 'isi' \(got 'mean'\)"):
        an.fi_curve([1.0], measure="mean")
    with pytest.raises(TypeError, match=r"fi_curve\.model: must be an snnlab\.LIF or None"):
        an.fi_curve([1.0], model="lif")
    with pytest.raises(ValueError, match=r"fi_curve\.duration: must be > 0 ms \(got 0\.0\)"):
        an.fi_curve([1.0], duration=0)


def test_lif_rate_delegates_to_the_model():
    model = sl.LIF(R=2.0, refractory=1.0)
    currents = np.array([[0.1, 0.6], [1.0, 4.0]])
    rates = an.lif_rate(currents, model)
    assert rates.shape == (2, 2)
    np.testing.assert_allclose(rates, model.firing_rate(currents))
    assert rates[0, 0] == 0.0
    assert rates[1, 1] > rates[0, 1] > 0.0
    assert float(an.lif_rate(2.0)) == pytest.approx(1000.0 / (10.0 * math.log(2.0)))
    with pytest.raises(TypeError, match=r"lif_rate\.currents: must be numbers in nA"):
        an.lif_rate("2 nA")


# -- synchrony ---------------------------------------------------------------------------------
def test_synchrony_of_identical_neurons_is_one():
    res = regular_result(n=10, current=2.0, duration=200.0, record="all")
    assert an.synchrony(res, "A") == pytest.approx(1.0, abs=1e-9)


def test_synchrony_of_independent_noisy_neurons_is_about_one_over_sqrt_n():
    net = sl.Network(dt=DT, seed=2)
    net.add_population("A", n=100, kind="excitatory", current=sl.Noise(1.5, 3.0))
    res = net.run(1000.0, record="all")
    chi = an.synchrony(res, "A", start=50.0)
    assert 0.05 < chi < 0.2  # 1/sqrt(100) = 0.1


def test_synchrony_needs_recorded_potentials():
    res = regular_result(n=3, duration=20.0, record=None)
    with pytest.raises(ValueError, match=r"synchrony: needs the recorded potentials of at least 2 neurons of "
                                         r"population 'A' \(got 0\); run with record="):
        an.synchrony(res, "A")
    single = regular_result(n=3, duration=20.0, record={"A": [1]})
    with pytest.raises(ValueError, match=r"\(got 1\)"):
        an.synchrony(single, "A")
    with pytest.raises(ValueError, match=r"synchrony\.start: must be before the end of the run, 20 ms"):
        an.synchrony(regular_result(n=3, duration=20.0, record="all"), "A", start=20.0)


def test_synchrony_of_a_silent_population_at_rest_is_nan():
    res = regular_result(n=3, current=0.0, duration=20.0, record="all")
    assert math.isnan(an.synchrony(res, "A"))


def test_spike_synchrony_of_synchronous_and_independent_neurons():
    model = sl.LIF(refractory=2.0)
    res = regular_result(n=20, current=2.0, model=model, duration=900.0)
    # all 20 fire in the same step, once every 9 bins of 1 ms: count 20 or 0
    p = 1 / grid_period(model, 2.0) * 10
    assert an.spike_synchrony(res, "A", bin=1.0) == pytest.approx(20 * (1 - p), rel=0.02)
    fano = an.spike_synchrony(poisson_result(), "P", bin=2.0)
    assert 0.85 < fano < 1.15


def test_spike_synchrony_is_the_fano_factor_of_the_binned_count():
    # counts 2, 0, 2, 0 in bins of 1 ms: mean 1, sample variance 4/3
    res = fake_result([1, 3, 21, 25], [0, 1, 0, 1], n=2, steps=40)
    assert an.spike_synchrony(res, "A", bin=1.0) == pytest.approx(4 / 3)


def test_spike_synchrony_edge_cases():
    assert math.isnan(an.spike_synchrony(fake_result([], [], n=2, steps=100), "A"))
    res = fake_result([3], [0], n=2, steps=100)
    with pytest.raises(ValueError, match=r"spike_synchrony\.bin: must fit at least twice in the analysed 10 ms "
                                         r"\(got 6\.0\)"):
        an.spike_synchrony(res, "A", bin=6.0)
    # start drops the spike at 0.3 ms
    assert math.isnan(an.spike_synchrony(res, "A", bin=1.0, start=1.0))


# -- decision ----------------------------------------------------------------------------------
def competition(current_a, current_b, duration=300.0):
    net = sl.Network(dt=DT, seed=0)
    net.add_population("A", n=10, kind="excitatory", current=current_a)
    net.add_population("B", n=10, kind="excitatory", current=current_b)
    return net.run(duration, record=None)


def test_decision_for_a_population_that_leads_from_the_start():
    res = competition(2.0, 0.0)
    d = an.decision(res, "A", "B", window=20.0, margin=5.0)
    assert d.winner == "A"
    assert d.decision_time == pytest.approx(20.0)  # the end of the first full window
    assert d.rate_a == pytest.approx(an.mean_rate(res, "A"))
    assert d.rate_b == 0.0
    assert d.time[0] == pytest.approx(20.0)
    assert d.time[-1] == pytest.approx(300.0)
    assert d.smoothed_a.shape == d.time.shape == d.smoothed_b.shape
    assert np.mean(d.smoothed_a) == pytest.approx(an.lif_rate(2.0), rel=0.05)
    swapped = an.decision(res, "B", "A")
    assert swapped.winner == "A"
    assert swapped.label_a == "B"


def test_decision_is_the_time_from_which_the_winner_stays_ahead():
    res = competition(sl.Step(2.0, 0.0, 100.0), sl.Step(2.0, 100.0))
    d = an.decision(res, "A", "B", window=20.0, margin=5.0)
    assert d.winner == "B"
    assert 100.0 < d.decision_time <= 130.0
    k = int(np.argmin(np.abs(d.time - d.decision_time)))
    assert d.smoothed_b[k] - d.smoothed_a[k] >= 5.0
    assert d.smoothed_b[k - 1] - d.smoothed_a[k - 1] < 5.0
    assert np.all(d.smoothed_b[k:] - d.smoothed_a[k:] >= 5.0)
    assert np.any(d.smoothed_a[:k] - d.smoothed_b[:k] >= 5.0)  # A led before


def test_decision_ignores_a_lead_that_is_lost_again():
    # B leads in the first window, A from ~40 ms to 100 ms, B for good from ~134 ms
    res = competition(sl.Step(2.0, 30.0, 100.0), sl.Step(2.0, 0.0, 15.0) + sl.Step(2.0, 120.0))
    d = an.decision(res, "A", "B", window=20.0, margin=5.0)
    assert d.smoothed_b[0] - d.smoothed_a[0] >= 5.0
    assert d.winner == "B"
    assert 120.0 < d.decision_time <= 150.0


def test_decision_without_a_winner():
    d = an.decision(competition(2.0, 2.0), "A", "B")
    assert d.winner is None
    assert d.decision_time is None
    assert d.rate_a == d.rate_b > 0


def test_decision_is_frozen_and_read_only():
    d = an.decision(competition(2.0, 0.0, duration=50.0), "A", "B")
    with pytest.raises(AttributeError):
        d.winner = "B"
    with pytest.raises(ValueError, match="read-only"):
        d.smoothed_a[0] = 1.0


def test_decision_errors():
    res = competition(2.0, 0.0, duration=50.0)
    with pytest.raises(ValueError, match=r"decision\.label_b: must differ from label_a = 'A' \(got 'A'\)"):
        an.decision(res, "A", "A")
    with pytest.raises(ValueError, match=r"decision\.window: must be <= the run's duration, 50 ms \(got 60\.0\)"):
        an.decision(res, "A", "B", window=60.0)
    with pytest.raises(ValueError, match=r"decision\.margin: must be > 0 Hz \(got 0\.0\)"):
        an.decision(res, "A", "B", margin=0.0)
    with pytest.raises(ValueError, match=r"decision\.window: must be >= dt = 0\.1 ms \(got 0\.01\)"):
        an.decision(res, "A", "B", window=0.01)
    with pytest.raises(ValueError, match="no population labelled 'C'"):
        an.decision(res, "A", "C")


def test_cv_isi_after_a_start_time_ignores_the_transient():
    # a neuron with a long first interval, then regular: its CV is 0 once the first spike is skipped
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("A", 1, current=sl.Step(3.0, start=0.0, stop=5.0) + sl.Step(3.0, start=40.0))
    res = net.run(200.0)
    times = res.spikes("A")[0]
    assert an.cv_isi(res, "A")[0] > 0.5
    assert an.cv_isi(res, "A", start=30.0)[0] == pytest.approx(0.0, abs=1e-9)
    assert an.mean_cv_isi(res, "A", start=30.0) == pytest.approx(0.0, abs=1e-9)
    assert times[0] < 30.0 < times[1]
    with pytest.raises(ValueError, match=r"cv_isi\.start: must be before the end of the run, 200 ms"):
        an.cv_isi(res, "A", start=300.0)


def _hand_made(steps, neurons):
    """Two neurons, 200 ms at dt 0.1, spikes at the given steps."""
    return sl.Result(dt=0.1, steps=2000, labels=["E"], kinds=["excitatory"], sizes=[2], models=[sl.LIF()],
                     spike_steps=np.array(steps), spike_neurons=np.array(neurons), recorded=np.empty(0, np.int64),
                     potentials=np.empty((2000, 0)), currents=np.empty((2000, 0)), params={})


def test_rates_after_a_start_time_ignore_the_transient():
    res = _hand_made([100, 500, 1000, 1100, 1200, 1300, 1500, 1900], [0, 0, 0, 0, 0, 0, 1, 1])
    assert an.mean_rate(res, "E") == pytest.approx(8 / (2 * 0.2))  # 8 spikes, 2 neurons, 200 ms
    assert an.mean_rate(res, "E", start=100.0) == pytest.approx(6 / (2 * 0.1))  # 6 spikes, 2 neurons, 100 ms
    np.testing.assert_allclose(an.firing_rate(res, "E", start=100.0), [4 / 0.1, 2 / 0.1])


def test_sliding_rate_counts_the_window_ending_at_each_time():
    res = _hand_made([0, 5, 10, 30], [0, 1, 0, 0])
    rate = an.sliding_rate(res, "E", window=1.0)  # 10 steps
    assert rate.size == 2000 - 10 + 1
    # steps 0..9 hold 2 spikes of 2 neurons in 1 ms: 1000 Hz; steps 10..19 one spike: 500 Hz
    assert rate[0] == pytest.approx(1000.0) and rate[10] == pytest.approx(500.0) and rate[31] == 0.0
    with pytest.raises(ValueError, match=r"sliding_rate\.window: must be <= the run's duration, 200 ms"):
        an.sliding_rate(res, "E", window=300.0)
