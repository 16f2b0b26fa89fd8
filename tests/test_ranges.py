"""Notes on runs outside the physiological range (snnlab.ranges), and the panels that show them."""

from __future__ import annotations

import pytest

import snnlab as sl
from snnlab.experiments import population as ex
from snnlab.ranges import HIGHEST_RATE, LOWEST_BELOW_REST, out_of_range
from snnlab.widgets.population import population_panel


def inhibited(weight: float, rate_current: float = 20.0, refractory: float = 0.0):
    """A silent excitatory target T under a fast inhibitory sender S (a constant current)."""
    net = sl.Network(dt=0.1, seed=0)
    s = net.add_population("S", n=1, kind="inhibitory", current=rate_current, model=sl.LIF(refractory=refractory))
    t = net.add_population("T", n=1, kind="excitatory", current=0.0)
    net.connect(s, t, rule="all_to_all", weight=weight, delay=0.1)
    return net.run(100.0)


def test_a_physiological_run_has_no_note():
    res = inhibited(weight=0.05, rate_current=1.5)
    assert float(res.potential("T").min()) > -LOWEST_BELOW_REST
    assert out_of_range(res) == []


def test_a_potential_far_below_rest_is_named_with_its_depth_and_the_reason():
    res = inhibited(weight=9.0, rate_current=1.5)   # S fires every 11 ms: T dips about 14 mV, inside the range
    assert not any("below rest" in n for n in out_of_range(res))
    res = inhibited(weight=9.0, rate_current=20.0)  # S fires every 0.6 ms: T sinks about 150 mV below rest
    depth = -float(res.potential("T").min())
    assert depth > LOWEST_BELOW_REST
    (note,) = [n for n in out_of_range(res) if "below rest" in n]
    assert f"population T goes {depth:.0f} mV below rest" in note
    assert "reversal potential" in note


def test_a_rate_above_500_hz_or_one_over_the_refractory_period_is_named():
    fast = inhibited(weight=0.05, rate_current=20.0)
    rate = float(fast.firing_rate("S").max())
    assert rate > HIGHEST_RATE
    assert any(f"a neuron of S fires at {rate:.0f} Hz, above 500 Hz" in n for n in out_of_range(fast))
    # a refractory period of 4 ms caps the rate at 250 Hz: 240 Hz is inside, and says nothing
    slow = inhibited(weight=0.05, rate_current=20.0, refractory=4.0)
    assert float(slow.firing_rate("S").max()) <= 250.0
    assert not any("fires at" in n for n in out_of_range(slow))


def test_a_weight_larger_than_reset_to_threshold_is_named_only_for_excitation():
    res = ex.population(**ex.REPORT)                   # the report's 2 mV weights, threshold 1 mV above reset
    (note,) = [n for n in out_of_range(res) if "one spike alone" in n]
    assert "the weight 2 mV from E to" in note and "larger than the 1 mV from reset to threshold" in note
    small = ex.population(**dict(ex.REPORT, weight_exc=1.0, weight_inh=5.0))   # 1 mV: not larger; inhibition: never
    assert not any("one spike alone" in n for n in out_of_range(small))


@pytest.mark.parametrize(("n_exc", "expected"), [(80, 2), (81, 3)])
def test_the_population_panel_says_when_one_more_neuron_leaves_the_range(n_exc, expected):
    """The trap of notebook 02: 80 -> 81 excitatory neurons doubles the targets (ceil(N*p) from 1 to 2)."""
    _, _, text = population_panel().compute(n_exc=n_exc)
    notes = [line for line in text.split("\n") if line.startswith("⚠ ")]
    assert len(notes) == expected
    assert ("below rest" in text) is (n_exc == 81)
