"""Notebook 01's experiments (snnlab.experiments.two_neurons): what a spike does to the
partner, exactly when and by how much; and what its panel shows."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from panel_checks import first_slider, one_step_right, sweep_panel

import snnlab as sl
from snnlab.experiments import two_neurons as ex
from snnlab.widgets import all_panels
from snnlab.widgets import two_neurons as wd

DT = 0.1
DECAY = math.exp(-DT / 10.0)


def jumps(result, label):
    """The potential of ``label`` at each sample minus where the exact update of the
    previous sample (with its own external current) would have put it: the synaptic
    input that arrived at that sample. NaN after the neuron's own spikes (reset)."""
    u = np.asarray(result.potential(label))[:, 0]
    current = np.asarray(result.current(label))[:, 0]
    u_inf = result.model(label).R * current[:-1]
    expected = u_inf + (u[:-1] - u_inf) * DECAY
    out = u[1:] - expected
    steps, _ = result.spike_steps(label)
    out[steps[steps < out.size]] = np.nan  # the step after a spike starts from the reset
    return out


def test_report_currents_have_the_report_formulas():
    t = np.arange(1000) * DT
    for shape, amplitude, formula in (
        ("constant", 4.0, np.full_like(t, 4.0)),
        ("sin(t/5) + 0.3", 4.0, 4 * (np.sin(t / 5) + 0.3)),
        ("sin(t/8) + 0.3", 1.0, np.sin(t / 8) + 0.3),
        ("cos(t/24)", 1.0, np.cos(t / 24)),
    ):
        result = ex.two_neurons(ex.report_current(shape, amplitude), 0.0, a_to_b=False, b_to_a=False)
        np.testing.assert_allclose(result.current("A")[:, 0], formula, atol=1e-12, err_msg=shape)


def test_each_excitatory_spike_raises_the_partner_by_the_weight_one_delay_later():
    result = ex.two_neurons(1.5, 0.9, weight_ab=0.5, weight_ba=0.5, delay=2.0)
    for sender, receiver in (("A", "B"), ("B", "A")):
        arrive = np.rint((result.spikes(sender)[0] + 2.0) / DT).astype(int)
        arrive = arrive[arrive < result.steps]
        assert arrive.size >= 5
        jump = jumps(result, receiver)
        seen = jump[arrive - 1]
        np.testing.assert_allclose(seen[np.isfinite(seen)], 0.5, atol=1e-9)
        others = np.delete(jump, arrive - 1)
        np.testing.assert_allclose(others[np.isfinite(others)], 0.0, atol=1e-9)


def test_each_inhibitory_spike_lowers_the_partner_by_the_weight():
    result = ex.two_neurons(0.5, 3.0, kind_b="inhibitory", weight_ba=0.7, delay=1.5, a_to_b=False)
    arrive = np.rint((result.spikes("B")[0] + 1.5) / DT).astype(int)
    arrive = arrive[arrive < result.steps]
    jump = jumps(result, "A")
    np.testing.assert_allclose(jump[arrive - 1], -0.7, atol=1e-9)
    assert np.count_nonzero(np.abs(np.delete(jump, arrive - 1)) > 1e-9) == 0


def test_a_silent_neuron_fires_exactly_one_delay_after_its_partner():
    alone = ex.two_neurons(4.0, 0.0, a_to_b=False, b_to_a=False)
    assert alone.spike_count("B")[0] == 0
    driven = ex.two_neurons(4.0, 0.0, b_to_a=False, delay=2.0)
    a_times = driven.spikes("A")[0]
    expected = a_times[a_times + 2.0 < driven.duration - 1e-9] + 2.0
    np.testing.assert_allclose(driven.spikes("B")[0], expected, atol=1e-9)


def test_report_example_1_fires_back_and_forth_every_step():
    # the report's weight, 2 mV, is twice the 1 mV from rest to threshold: one spike fires the
    # partner whatever its potential, so after the first spike the pair alternates every delay
    result = ex.report_example("E-E")
    a, b = result.spikes("A")[0], result.spikes("B")[0]
    first = a[0]
    assert first == pytest.approx(sl.LIF().time_to_first_spike(4.0), abs=DT)
    np.testing.assert_allclose(np.diff(a), 2 * DT, atol=1e-9)
    np.testing.assert_allclose(b, a[: b.size] + DT, atol=1e-9)


def test_report_example_2_inhibition_silences_the_excitatory_neuron():
    alone = ex.report_example("E-I", b_to_a=False)
    assert alone.spike_count("A")[0] > 5
    result = ex.report_example("E-I")
    assert result.spike_count("A")[0] == 0
    # A never fires, so B fires as if it were alone
    unconnected = ex.report_example("E-I", a_to_b=False, b_to_a=False)
    assert result.spike_count("B")[0] == unconnected.spike_count("B")[0] == 90
    # a real LIF is pushed far below rest; the report's neuron is held at rest
    assert result.potential("A").min() < -15.0
    clamped = ex.report_example("E-I", clamp=True)
    assert clamped.potential("A").min() == 0.0
    assert clamped.spike_count("A")[0] == 0


def test_report_example_3_is_silent_with_the_report_currents():
    # sin(t/8) + 0.3 peaks at 1.3 nA for too short a time, cos(t/24) never exceeds the
    # rheobase: neither neuron reaches threshold, so neither ever affects the other
    result = ex.report_example("I-I")
    assert result.spike_count("A")[0] == result.spike_count("B")[0] == 0
    assert result.potential("A").max() < 1.0 and result.potential("B").max() < 1.0
    louder = ex.report_example("I-I", amplitude_a=3.0, amplitude_b=3.0)
    assert louder.spike_count("A")[0] > 0 and louder.spike_count("B")[0] > 0


def test_arrivals_are_spike_times_plus_the_delay():
    result = ex.two_neurons(4.0, 0.5, kind_a="inhibitory", weight_ab=1.0, delay=3.0, b_to_a=False)
    info = ex.arrivals(result, "A")
    times = result.spikes("A")[0]
    np.testing.assert_allclose(info["times"], (times + 3.0)[times + 3.0 < 100.0 - 1e-9])
    assert np.all(info["weights"] == -1.0) and info["receiver"] == "B"
    assert ex.arrivals(result, "B")["times"].size == 0


def test_noise_is_seeded():
    a = ex.two_neurons(noise=1.0, seed=1)
    assert np.array_equal(a.potential("A"), ex.two_neurons(noise=1.0, seed=1).potential("A"))
    assert not np.array_equal(a.potential("A"), ex.two_neurons(noise=1.0, seed=2).potential("A"))


def test_two_neurons_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"two_neurons\.kind_b: must be one of 'excitatory', 'inhibitory' "
                                         r"\(got 'exc'\)"):
        ex.two_neurons(kind_b="exc")
    with pytest.raises(TypeError, match=r"two_neurons\.a_to_b: must be True or False \(got 1\)"):
        ex.two_neurons(a_to_b=1)
    with pytest.raises(ValueError, match=r"report_example\.name: must be one of 'E-E', 'E-I', 'I-I' "
                                         r"\(got 'E-X'\)"):
        ex.report_example("E-X")
    with pytest.raises(ValueError, match=r"report_current\.shape: must be one of"):
        ex.report_current("sin(t)")


def test_figures_have_labelled_axes():
    figures = ex.figures()
    assert {"example_E-E", "example_E-I", "example_I-I", "slow_motion"} <= set(figures)
    for fig in figures.values():
        assert all(ax.get_xlabel() or ax.get_ylabel() for ax in fig.get_axes())
        assert fig.legends, "one legend for the figure"


# -- panel ------------------------------------------------------------------------------------
def test_panel_is_registered():
    assert all_panels()["two_neurons"] is wd.two_neurons_panel


@pytest.mark.parametrize("example", ["E-E", "I-I"])  # E-I, the default, is swept in test_widgets
def test_every_control_sweeps_from_end_to_end_from_the_other_examples(example):
    assert sweep_panel(lambda: wd.two_neurons_panel(example)) > 20


def test_panel_summary_follows_its_sliders():
    panel = wd.two_neurons_panel("E-I")
    _, _, base = panel.compute()
    assert base.startswith("A (excitatory): 0 spikes") and "B (inhibitory): 90 spikes" in base
    for change in ({"b_to_a": False}, {"weight_ba": 0.5}, {"kind_b": "excitatory"}, {"delay": 5.0},
                   {"amplitude_b": 2.0}, {"clamp": True}, {"shape_a": "constant"}):
        assert panel.compute(**change)[2] != base, change
    noisy = panel.compute(noise=1.0)[2]
    assert panel.compute(noise=1.0, seed=1)[2] != noisy


@pytest.mark.parametrize("example", list(ex.REPORT_EXAMPLES))
def test_first_slider_one_step_changes_the_summary(example):
    panel = wd.two_neurons_panel(example)
    name, control = first_slider(panel)
    assert panel.compute()[2] != panel.compute(**{name: one_step_right(control)})[2]
