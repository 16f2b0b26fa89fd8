"""Notebook 02's experiments (snnlab.experiments.population): the report's connection rule,
its current, per-neuron variety, the clamped neuron against the real one; and what its
panel shows."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from panel_checks import first_slider, one_step_right

from snnlab.experiments import population as ex
from snnlab.widgets import all_panels
from snnlab.widgets import population as wd


def out_degrees(result):
    synapses = result.connections()
    return np.bincount(synapses["pre"], minlength=result.n)


@pytest.mark.parametrize(("n", "p", "k"), [(100, 0.01, 1), (100, 0.02, 2), (100, 0.07, 7), (100, 0.015, 2),
                                           (80, 0.0, 0), (30, 0.1, 3), (7, 1.0, 7)])
def test_report_degree_is_the_ceiling_of_n_p(n, p, k):
    assert ex.report_degree(n, p) == k == math.ceil(round(n * p, 9))


@pytest.mark.parametrize(("p_exc", "p_inh"), [(0.01, 0.02), (0.05, 0.03), (0.0, 0.1)])
def test_report_rule_gives_every_neuron_ceil_n_p_targets_among_all(p_exc, p_inh):
    result = ex.population(p_exc=p_exc, p_inh=p_inh, duration=1.0, seed=5)
    degrees = out_degrees(result)
    assert np.all(degrees[:80] == ex.report_degree(100, p_exc))
    assert np.all(degrees[80:] == ex.report_degree(100, p_inh))
    synapses = result.connections()
    assert np.all(synapses["pre"] != synapses["post"]), "no neuron projects to itself"
    pairs = set(zip(synapses["pre"].tolist(), synapses["post"].tolist()))
    assert len(pairs) == synapses["pre"].size, "no pair twice"
    # signs from the source's kind, magnitudes the weights
    assert np.all(synapses["weight"][synapses["pre"] < 80] == 2.0)
    assert np.all(synapses["weight"][synapses["pre"] >= 80] == -2.0)


def test_report_rule_draws_targets_in_both_populations():
    result = ex.population(p_exc=0.05, p_inh=0.05, duration=1.0, seed=1)
    post = result.connections()["post"]
    assert np.any(post < 80) and np.any(post >= 80)


def test_report_rule_caps_the_degree_at_the_other_neurons():
    result = ex.population(n_exc=5, n_inh=2, p_exc=1.0, p_inh=1.0, duration=1.0)
    assert np.all(out_degrees(result) == 6)


def test_bernoulli_rule_connects_about_n_squared_p_pairs():
    result = ex.population(rule="bernoulli", p_exc=0.05, p_inh=0.05, duration=1.0, seed=2)
    count = result.connections()["pre"].size
    expected = 100 * 99 * 0.05
    assert abs(count - expected) < 4 * math.sqrt(expected)
    assert np.ptp(out_degrees(result)) > 3  # the degree varies from neuron to neuron


def test_report_current_alone_never_fires_a_neuron():
    # sin(t/8) + 0.3 nA peaks at 1.3 nA for about 13 ms: the membrane gets to about 0.95 mV
    result = ex.population(**ex.REPORT)
    assert result.spike_count("E").sum() == result.spike_count("I").sum() == 0
    u = np.concatenate([result.potential("E"), result.potential("I")], axis=1)
    assert 0.9 < u.max() < 1.0
    t = np.asarray(result.time)
    np.testing.assert_allclose(result.current("E")[:, 0], np.sin(t / 8) + 0.3, atol=1e-12)


def test_spread_gives_each_neuron_its_own_offset():
    result = ex.population(spread=0.5, duration=10.0, seed=3)
    start = np.concatenate([result.current("E")[0], result.current("I")[0]])  # sin(0) = 0: the offsets
    assert start.std() == pytest.approx(0.5, rel=0.25)
    assert start.mean() == pytest.approx(0.3, abs=0.15)
    again = ex.population(spread=0.5, duration=10.0, seed=3)
    assert np.array_equal(again.current("E"), result.current("E"))
    other = ex.population(spread=0.5, duration=10.0, seed=4)
    assert not np.array_equal(other.current("E"), result.current("E"))


def test_variety_fires_and_weights_above_threshold_sustain_loops():
    strong = ex.population(**ex.VARIETY)
    assert strong.spike_count("E").sum() > 1000
    # excitatory loops keep firing through the trough of the sine (t around 40 ms, where the
    # current is lowest) only when one spike is enough to fire the next neuron
    trough = (strong.spikes("E")[0] > 35) & (strong.spikes("E")[0] < 45)
    assert trough.sum() > 100
    weak = ex.population(**dict(ex.VARIETY, weight_exc=0.5, weight_inh=0.5))
    trough = (weak.spikes("E")[0] > 35) & (weak.spikes("E")[0] < 45)
    assert trough.sum() == 0


def test_clamped_neuron_never_goes_below_rest_while_the_real_one_does():
    runs = ex.clamp_comparison(**ex.VARIETY)
    for label in ("E", "I"):
        assert runs["clamped"].potential(label).min() == 0.0
    assert min(runs["real"].potential(label).min() for label in ("E", "I")) < -5.0
    label, index = ex.lowest_neuron(runs["real"])
    assert runs["real"].potential(label, [index]).min() < -5.0
    # the same synapses in both
    for key in ("pre", "post", "weight"):
        assert np.array_equal(runs["clamped"].connections()[key], runs["real"].connections()[key])


def test_population_without_inhibitory_neurons():
    result = ex.population(n_inh=0, spread=0.5, duration=20.0)
    assert result.labels == ["E"]
    assert np.all(out_degrees(result) == 1)  # ceil(80 * 0.01)


def test_population_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"population\.rule: must be one of 'report', 'bernoulli' \(got 'random'\)"):
        ex.population(rule="random")
    with pytest.raises(ValueError, match=r"population\.p_exc: must be in \[0, 1\] \(got 1\.5\)"):
        ex.population(p_exc=1.5)
    with pytest.raises(ValueError, match=r"population\.spread: must be >= 0 nA \(got -0\.1\)"):
        ex.population(spread=-0.1)
    with pytest.raises(TypeError, match=r"clamp_comparison: runs both"):
        ex.clamp_comparison(clamp=True)


def test_figures_have_labelled_axes():
    figures = ex.figures()
    assert {"connectivity", "activity", "clamp_vs_real"} <= set(figures)
    for fig in figures.values():
        assert all(ax.get_xlabel() or ax.get_ylabel() for ax in fig.get_axes())


# -- panel ------------------------------------------------------------------------------------
def test_panel_is_registered():
    assert all_panels()["population"] is wd.population_panel


def test_panel_summary_follows_its_sliders():
    panel = wd.population_panel()
    _, _, base = panel.compute()
    assert base.startswith("E: 2840 spikes (355.0 Hz per neuron); I: 64 spikes (32.0 Hz per neuron)")
    assert "targets per E neuron 1–1" in base and "targets per I neuron 2–2" in base
    for change in ({"seed": 1}, {"p_exc": 0.03}, {"weight_exc": 0.5}, {"clamp": True}, {"rule": "bernoulli"},
                   {"spread": 0.0}, {"delay": 1.0}, {"n_inh": 0}):
        assert panel.compute(**change)[2] != base, change


def test_first_slider_one_step_changes_the_summary():
    panel = wd.population_panel()
    name, control = first_slider(panel)
    assert panel.compute()[2] != panel.compute(**{name: one_step_right(control)})[2]
