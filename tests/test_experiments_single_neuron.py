"""Notebook 00's experiments (snnlab.experiments.single_neuron) against closed forms, and
what its panels (snnlab.widgets.single_neuron) show (test_widgets sweeps every control)."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from panel_checks import first_slider, one_step_right

import snnlab as sl
from snnlab.experiments import single_neuron as ex
from snnlab.widgets import all_panels
from snnlab.widgets import single_neuron as wd

DT = 0.1


# -- currents ----------------------------------------------------------------------------------
def current_of(result):
    return np.asarray(result.current("neuron"))[:, 0]


def test_input_currents_have_the_documented_shapes():
    t = np.arange(1000) * DT
    constant = current_of(ex.single_neuron(ex.input_current("constant", 2.5)))
    assert np.all(constant == 2.5)
    step = current_of(ex.single_neuron(ex.input_current("step", 3.0)))
    on = (t >= ex.STEP_ON[0]) & (t < ex.STEP_ON[1])
    assert np.all(step[on] == 3.0) and np.all(step[~on] == 0.0)
    sine = current_of(ex.single_neuron(ex.input_current("sine", 2.0, frequency=25.0)))
    np.testing.assert_allclose(sine, 2.0 * (np.sin(2 * np.pi * 25.0 * t / 1000.0) + 0.3), atol=1e-12)


def test_the_report_sine_frequency_is_sin_t_over_8():
    t = np.arange(1000) * DT
    sine = current_of(ex.single_neuron(ex.input_current("sine", 1.0, ex.REPORT_SINE_FREQUENCY)))
    np.testing.assert_allclose(sine, np.sin(t / 8.0) + 0.3, atol=1e-12)


def test_noise_current_is_seeded_with_the_requested_mean_and_spread():
    noise = ex.input_current("noise", amplitude=1.5, noise_std=2.0)
    a = current_of(ex.single_neuron(noise, duration=1000.0, seed=3))
    b = current_of(ex.single_neuron(noise, duration=1000.0, seed=3))
    c = current_of(ex.single_neuron(noise, duration=1000.0, seed=4))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # 10^4 draws: the mean is within 4 standard errors, the std within 5 %
    assert abs(a.mean() - 1.5) < 4 * 2.0 / math.sqrt(a.size)
    assert a.std() == pytest.approx(2.0, rel=0.05)


def test_input_current_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match=r"input_current\.kind: must be one of 'constant', 'step', 'sine', "
                                         r"'noise' \(got 'ramp'\)"):
        ex.input_current("ramp")


# -- the neuron against closed forms -------------------------------------------------------------
@pytest.mark.parametrize("current", [1.3, 2.2, 4.0])
def test_first_spike_is_stamped_at_the_start_of_the_crossing_step(current):
    result = ex.single_neuron(current)
    closed = sl.LIF().time_to_first_spike(current)
    first = result.spikes("neuron")[0][0]
    assert first < closed <= first + DT


@pytest.mark.parametrize("current", [1.3, 2.2, 4.0])
def test_exact_update_follows_the_closed_form_at_every_sample(current):
    result = ex.single_neuron(current, duration=20.0)
    t = np.asarray(result.time)
    first = result.spikes("neuron")[0][0]
    before = t <= first
    closed = current * (1.0 - np.exp(-t[before] / 10.0))
    np.testing.assert_allclose(result.potential("neuron")[before, 0], closed, atol=1e-12)


def test_clamp_holds_the_potential_at_rest_under_a_negative_current():
    real = ex.single_neuron(-2.0, duration=50.0)
    clamped = ex.single_neuron(-2.0, duration=50.0, clamp=True)
    assert np.all(clamped.potential("neuron") == 0.0)
    # the real membrane relaxes towards R*I = -2 mV
    assert real.potential("neuron")[-1, 0] == pytest.approx(-2.0 * (1 - math.exp(-49.9 / 10.0)), rel=1e-9)


def test_lif_model_refuses_a_clamp_that_is_not_a_bool():
    with pytest.raises(TypeError, match=r"lif_model\.clamp: must be True or False \(got 'yes'\)"):
        ex.lif_model(clamp="yes")


# -- F–I curve --------------------------------------------------------------------------------------
def test_fi_curve_matches_the_analytic_one_within_one_step_per_interval():
    fi = ex.fi_experiment(currents=[0.5, 1.0, 1.2, 1.7, 2.5, 4.0, 6.0], duration=1000.0)
    silent = fi.currents <= 1.0
    assert np.all(fi.simulated[silent] == 0.0) and np.all(fi.analytic[silent] == 0.0)
    firing = ~silent
    isi_sim = 1000.0 / fi.simulated[firing]
    isi_closed = 1000.0 / fi.analytic[firing]
    # the grid rounds every climb up to a whole number of steps: ISI in [T, T + dt)
    assert np.all(isi_sim >= isi_closed - 1e-9)
    assert np.all(isi_sim < isi_closed + DT)


def test_fi_curve_counts_a_neuron_that_fired_once():
    # 1.0001 nA: the climb takes tau*ln(10001) ≈ 92 ms, so one spike in 100 ms
    fi = ex.fi_experiment(currents=[1.0001], duration=100.0)
    assert fi.simulated[0] == pytest.approx(10.0)


# -- Euler against exact ---------------------------------------------------------------------------
def test_euler_runs_ahead_of_the_exact_membrane():
    comparison = ex.euler_vs_exact(1.25, dt=1.0)
    exact = comparison.exact.potential("neuron")[:16, 0]
    euler = comparison.euler.potential("neuron")[:16, 0]
    assert np.all(euler[1:] > exact[1:])
    assert comparison.first_spike("euler") < comparison.first_spike("exact")
    assert comparison.first_spike("exact") < comparison.closed_first_spike <= comparison.first_spike("exact") + 1.0


def test_euler_error_is_proportional_to_dt_and_the_exact_update_has_none():
    errors = ex.potential_error_by_dt(2.0, dts=(0.05, 0.1, 0.2, 0.4))
    assert np.all(errors["exact"] < 1e-12)
    ratios = errors["euler"][1:] / errors["euler"][:-1]
    np.testing.assert_allclose(ratios, 2.0, rtol=0.05)


def test_potential_error_by_dt_does_not_warn_about_the_coarse_steps_it_asks_for():
    errors = ex.potential_error_by_dt(2.0, dts=(2.0,))  # filterwarnings = error in pytest.ini
    assert errors["euler"][0] > errors["exact"][0]


def test_closed_form_potential_resets_at_each_spike():
    model = sl.LIF()
    t, u = ex.closed_form_potential(2.0, model, 30.0, points=30001)
    period = 1000.0 / model.firing_rate(2.0)
    assert u.max() < 1.0 + 1e-9
    assert u[np.searchsorted(t, period + 0.5)] == pytest.approx(2.0 * (1 - math.exp(-0.5 / 10.0)), abs=1e-3)


# -- figures -----------------------------------------------------------------------------------
def test_figures_have_labelled_axes():
    figures = ex.figures()
    assert set(figures) == {"potential_by_current", "fi_curve", "euler_vs_exact"}
    for fig in figures.values():
        assert all(ax.get_xlabel() or ax.get_ylabel() for ax in fig.get_axes())


# -- panels ------------------------------------------------------------------------------------
def test_panels_are_registered():
    panels = all_panels()
    assert panels["lif_neuron"] is wd.lif_neuron_panel
    assert panels["euler_vs_exact"] is wd.euler_vs_exact_panel


def test_lif_panel_summary_follows_its_sliders():
    panel = wd.lif_neuron_panel()
    _, _, base = panel.compute()
    assert base.startswith("14 spikes") and "closed form 6.93 ms" in base
    for change in ({"amplitude": 4.0}, {"R": 2.0}, {"C": 5.0}, {"threshold": 1.5}, {"dt": 0.5}):
        assert panel.compute(**change)[2] != base, change
    noisy = panel.compute(kind="noise")[2]
    assert panel.compute(kind="noise", seed=1)[2] != noisy


def test_lif_panel_shows_the_coarse_dt_warning_in_its_summary():
    _, _, text = wd.lif_neuron_panel().compute(dt=1.0, C=5.0)
    assert "note: Network.dt: 1.0 ms is not much smaller than tau_m = 5 ms" in text


def test_euler_panel_summary_follows_its_sliders():
    panel = wd.euler_vs_exact_panel()
    _, _, base = panel.compute()
    assert "Euler 15.00 ms" in base and "exact 16.00 ms" in base
    for change in ({"current": 2.0}, {"dt": 0.1}, {"C": 15.0}):
        assert panel.compute(**change)[2] != base, change


@pytest.mark.parametrize("factory", [wd.lif_neuron_panel, wd.euler_vs_exact_panel])
def test_first_slider_one_step_changes_the_summary(factory):
    # what the browser test does first: ArrowRight on the first slider
    panel = factory()
    name, control = first_slider(panel)
    assert panel.compute()[2] != panel.compute(**{name: one_step_right(control)})[2]
