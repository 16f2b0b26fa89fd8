"""Notebook 03's experiments (snnlab.experiments.populations): the report's population-level
coupling against the membrane it drives, the report's inputs and their late-binding bug,
the competition through shared inhibition; and what its panels (snnlab.widgets.populations)
show."""

import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import snnlab as sl
from snnlab.experiments import populations as ex
from snnlab.widgets import all_panels
from snnlab.widgets import populations as wd

DT = 0.1


# -- the report's inputs -----------------------------------------------------------------------------
def test_report_currents_as_meant_and_as_written():
    meant = ex.report_currents()
    written = ex.report_currents(late_binding=True)
    np.testing.assert_array_equal(meant["E1"].amplitude, 3.0 * np.arange(100))
    # every lambda of the report's loop sees the last i: 3*99 nA for everyone
    np.testing.assert_array_equal(written["E1"].amplitude, np.full(100, 297.0))
    assert isinstance(meant["E2"], sl.UniformNoise) and (meant["E2"].low, meant["E2"].high) == (0.0, 5.5)
    assert meant["I"].amplitude == 3.0


def test_late_binding_makes_every_e1_neuron_fire_at_every_step():
    res = ex.three_populations(late_binding=True, within=False, duration=20.0)
    counts = np.asarray(res.spike_count("E1"))
    # 297 nA lifts the membrane over 1 mV within one step: one spike per step (after the first)
    assert np.all(counts >= res.steps - 2)
    meant = np.asarray(ex.three_populations(within=False, duration=20.0).spike_count("E1"))
    assert meant[0] == 0 and np.all(np.diff(meant) >= 0) and meant[1] < meant[-1]


def test_e2_noise_is_seeded_and_redrawn_every_step():
    a = np.asarray(ex.three_populations(seed=1, duration=10.0).current("E2"))
    b = np.asarray(ex.three_populations(seed=1, duration=10.0).current("E2"))
    c = np.asarray(ex.three_populations(seed=2, duration=10.0).current("E2"))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.min() >= 0.0 and a.max() < 5.5
    assert np.unique(a[:, 0]).size == a.shape[0]  # a new value at every step


# -- the population-level coupling ---------------------------------------------------------------------
def delivered(result, label):
    """The input that arrived at each step, from the recorded potentials of neurons that
    have no external current and never spike: u(t_k) = a * u(t_{k-1}) + arrival_k."""
    u = np.asarray(result.potential(label))
    a = math.exp(-DT / sl.LIF().tau_m)
    return np.vstack([u[:1], u[1:] - a * u[:-1]])


def expected_arrivals(result, every, effect, delay_steps):
    """effect mV at step k + delay for every time a source's count passed a multiple of every."""
    expected = np.zeros(result.steps)
    for label in ("E1", "E2"):
        steps, _ = result.spike_steps(label)
        event_steps = np.asarray(steps)[every - 1::every] + delay_steps
        np.add.at(expected, event_steps[event_steps < result.steps], effect)
    return expected


@pytest.mark.parametrize(("every", "delay"), [(20, 0.1), (7, 1.5)])
def test_population_coupling_gives_effect_to_every_target_once_per_every_source_spikes(every, delay):
    effect = 0.01  # small enough that I never reaches threshold
    res = ex.three_populations(coupling="population", every=every, effect=effect, delay=delay, e1_slope=0.03,
                               i_current=0.0, within=False)
    assert res.spike_count("I").sum() == 0
    got = delivered(res, "I")
    want = expected_arrivals(res, every, effect, round(delay / DT))
    assert np.count_nonzero(want) > 20
    # every target neuron receives exactly the same kicks, at the same steps
    np.testing.assert_allclose(got, np.repeat(want[:, None], 100, axis=1), atol=1e-12)
    total = res.spike_count("E1").sum() // every + res.spike_count("E2").sum() // every
    assert np.count_nonzero(want) <= total and want.sum() <= total * effect + 1e-12


def test_coupling_events_are_every_nth_spike():
    res = ex.three_populations(e1_slope=0.03, within=False)
    times, _ = res.spikes("E2")
    events = ex.coupling_events(res, "E2", 20)
    assert events.size == times.size // 20
    np.testing.assert_array_equal(events, np.asarray(times)[19::20])


def test_the_figure_marks_the_events_of_the_coupling_each_run_had():
    runs = {coupling: ex.three_populations(coupling=coupling, every=7, effect=0.5, p=0.1, weight=0.3, **ex.SCALED)
            for coupling in ex.COUPLINGS}
    assert ex.coupling_title(runs["population"]) == "population coupling: every 7 spikes, 0.5 mV to every neuron of I"
    assert ex.coupling_title(runs["neurons"]) == "synapses: p = 0.1, 0.3 mV each"
    fig = Figure()
    ex.draw_couplings(fig, runs)
    coupled, synapses = fig.axes[:2]  # the rasters, left to right
    events = [line for line in coupled.lines if "event" in line.get_label()]
    assert [line.get_label() for line in events] == ["E1 event (each 7 spikes)", "E2 event (each 7 spikes)"]
    for line, label in zip(events, ("E1", "E2"), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), ex.coupling_events(runs["population"], label, 7))
    assert not any("event" in line.get_label() for line in synapses.lines)


def test_population_coupling_fires_the_whole_target_in_lockstep_and_synapses_do_not():
    # effect and weight 2 mV are twice the threshold: each event fires every I neuron at once
    together = ex.three_populations(coupling="population", e1_slope=0.03, within=False)
    steps, _ = together.spike_steps("I")
    per_step = np.bincount(np.asarray(steps))
    assert set(np.unique(per_step)) <= {0, 100}
    apart = ex.three_populations(coupling="neurons", e1_slope=0.03, within=False)
    steps, _ = apart.spike_steps("I")
    per_step = np.bincount(np.asarray(steps))
    assert np.count_nonzero((per_step > 0) & (per_step < 100)) > 100


def test_neuron_coupling_with_p_times_weight_equal_to_effect_over_every_gives_the_same_mean_drive():
    kw = {"e1_slope": 0.03, "i_current": 0.0, "within": False, "duration": 200.0}
    # effect / every = p * weight = 0.0015 mV per source spike, on average per target neuron
    coupled = ex.three_populations(coupling="population", every=20, effect=0.03, **kw)
    synapses = ex.three_populations(coupling="neurons", p=0.05, weight=0.03, **kw)
    assert coupled.spike_count("I").sum() == 0 and synapses.spike_count("I").sum() == 0
    mean_coupled = float(np.mean(coupled.potential("I")[1000:]))
    mean_synapses = float(np.mean(synapses.potential("I")[1000:]))
    assert mean_coupled > 0.1 and mean_coupled == pytest.approx(mean_synapses, rel=0.15)


def test_three_populations_refuses_an_unknown_coupling():
    with pytest.raises(ValueError, match=r"three_populations\.coupling: must be one of 'population', 'neurons' "
                                         r"\(got 'pairs'\)"):
        ex.three_populations(coupling="pairs")


# -- competition ----------------------------------------------------------------------------------------
def test_a_strong_bias_decides_for_the_favoured_population():
    wins = ex.win_fraction([-0.3, 0.3], seeds=range(4))
    assert wins.e2[0] >= 0.75 and wins.e1[1] >= 0.75
    np.testing.assert_allclose(wins.e1 + wins.e2 + wins.undecided, 1.0)


@pytest.mark.slow
def test_the_fraction_of_wins_grows_with_the_bias_and_decisions_are_slowest_at_zero():
    wins = ex.win_fraction([-0.15, 0.0, 0.15], seeds=range(12))
    assert wins.e1[0] < wins.e1[1] < wins.e1[2]
    assert wins.e2[0] > wins.e2[1] > wins.e2[2]
    assert wins.decision_time[1] > max(wins.decision_time[0], wins.decision_time[2])


def test_the_winner_fires_more_and_the_loser_is_suppressed():
    res = ex.competition(bias=0.2, seed=0)
    outcome = ex.decide(res)
    assert outcome.winner == "E1" and outcome.decision_time is not None
    assert outcome.rate_a > 2 * outcome.rate_b
    # without inhibition back onto E the loser is not suppressed
    free = ex.decide(ex.competition(bias=0.2, seed=0, w_ie=0.0))
    assert free.rate_b > 2 * outcome.rate_b


def test_the_report_clamp_keeps_potentials_at_or_above_rest():
    real = ex.competition(duration=100.0)
    clamped = ex.competition(duration=100.0, clamp=True)
    assert np.asarray(real.potential("E2")).min() < -0.5
    assert np.asarray(clamped.potential("E2")).min() >= 0.0


def test_competition_inputs_are_input_plus_and_minus_half_the_bias():
    res = ex.competition(bias=0.4, input=1.2, noise=0.0, duration=5.0)
    e1, e2 = np.asarray(res.current("E1")), np.asarray(res.current("E2"))
    np.testing.assert_allclose(e1, 1.4)
    np.testing.assert_allclose(e2, 1.0)


def test_random_start_spreads_the_first_potentials_between_rest_and_threshold():
    res = ex.competition(bias=0.0, noise=0.0, input=0.0, input_inh=0.0, duration=1.0)
    for label in res.labels:
        u = np.asarray(res.potential(label))[0]  # at t = 0
        assert u.min() >= 0.0 and u.max() < 0.95 and u.std() > 0.2
    again = ex.competition(bias=0.0, noise=0.0, input=0.0, input_inh=0.0, duration=1.0)
    assert np.array_equal(again.potential("E1")[0], res.potential("E1")[0])
    other = ex.competition(bias=0.0, noise=0.0, input=0.0, input_inh=0.0, duration=1.0, seed=1)
    assert not np.array_equal(other.potential("E1")[0], res.potential("E1")[0])
    still = ex.competition(bias=0.0, noise=0.0, input=0.0, input_inh=0.0, random_start=False, duration=1.0)
    assert np.all(np.asarray(still.potential("E1")) == 0.0)


def test_win_fraction_needs_seeds():
    with pytest.raises(ValueError, match=r"win_fraction\.seeds: must hold at least one seed"):
        ex.win_fraction([0.0], seeds=[])


# -- panels -------------------------------------------------------------------------------------------------
def test_panels_are_registered():
    panels = all_panels()
    assert panels["three_populations"] is wd.three_populations_panel
    assert panels["competition"] is wd.competition_panel


def test_panel_controls_carry_their_css_class_and_update_on_release():
    for factory in wd.PANELS.values():
        for name, control in factory().controls.items():
            assert f"snnlab-{name}" in control._dom_classes or name == "seed"
            assert getattr(control, "continuous_update", False) is False


def test_three_populations_summary_follows_the_sliders():
    panel = wd.three_populations_panel()
    _, _, text = panel.compute()
    assert re.search(r"E1: \d+ spikes, [\d.]+ Hz; E2: .*; coupling events E1 -> I: \d+, E2 -> I: \d+", text)
    _, _, fewer = panel.compute(every=40)
    assert fewer != text
    _, _, synapses = panel.compute(coupling="neurons")
    assert "coupling events" not in synapses


def test_competition_summary_names_the_winner_the_bias_favours():
    panel = wd.competition_panel()
    _, _, e1 = panel.compute(bias=0.3)
    _, _, e2 = panel.compute(bias=-0.3)
    assert e1.startswith("winner E1 at") and e2.startswith("winner E2 at")
    assert re.search(r"mean rates E1 [\d.]+ Hz, E2 [\d.]+ Hz, I [\d.]+ Hz", e1)


@pytest.mark.slow
def test_figures_are_drawn():
    figs = ex.figures()
    assert set(figs) == {"report_inputs", "three_populations", "competition", "win_fraction"}
    for fig in figs.values():
        assert fig.get_axes() and all(ax.get_xlabel() or ax.get_ylabel() for ax in fig.get_axes())
    matplotlib.pyplot.close("all")
