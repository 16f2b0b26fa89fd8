"""The LIF description: defaults, validation, and its closed forms."""

import math

import numpy as np
import pytest

import snnlab as sl


def test_defaults_are_the_assignments():
    m = sl.LIF()
    assert (m.u_rest, m.threshold, m.R, m.C) == (0.0, 1.0, 1.0, 10.0)
    assert m.tau_m == 10.0
    assert m.u_reset == m.u_rest
    assert m.refractory == 0.0
    assert m.floor is None
    assert m.method == "exact"


def test_assignment_preset_is_euler_clamped_at_rest():
    m = sl.LIF.assignment(u_rest=-0.5, threshold=1.0)
    assert m.method == "euler"
    assert m.floor == -0.5
    assert sl.LIF.assignment(floor=None).floor is None


def test_replace_validates_again():
    m = sl.LIF().replace(C=20.0)
    assert m.tau_m == 20.0
    with pytest.raises(ValueError, match=r"LIF\.C: must be > 0 nF \(got -5\.0\)"):
        sl.LIF().replace(C=-5.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"C": -5.0}, ValueError, r"LIF\.C: must be > 0 nF \(got -5\.0\)"),
        ({"C": 0}, ValueError, r"LIF\.C: must be > 0 nF \(got 0\.0\)"),
        ({"R": 0.0}, ValueError, r"LIF\.R: must be > 0 MΩ \(got 0\.0\)"),
        ({"R": float("nan")}, ValueError, r"LIF\.R: must be a finite number in MΩ \(got nan\)"),
        ({"threshold": 0.0}, ValueError, r"LIF\.threshold: must be above u_reset = 0\.0 mV \(got 0\.0\)"),
        ({"u_reset": 2.0}, ValueError, r"LIF\.threshold: must be above u_reset = 2\.0 mV \(got 1\.0\)"),
        ({"refractory": -1}, ValueError, r"LIF\.refractory: must be >= 0 ms \(got -1\.0\)"),
        ({"method": "rk4"}, ValueError, r"LIF\.method: must be one of 'exact', 'euler' \(got 'rk4'\)"),
        ({"floor": 0.5}, ValueError, r"LIF\.floor: must be <= u_reset = 0\.0 mV"),
        ({"u_init": 1.0}, ValueError, r"LIF\.u_init: must be below threshold = 1\.0 mV \(got 1\.0\)"),
        ({"C": "10"}, TypeError, r"LIF\.C: must be a number in nF \(got '10' of type str\)"),
        ({"threshold": True}, TypeError, r"LIF\.threshold: must be a number in mV \(got True of type bool\)"),
    ],
)
def test_bad_parameters_are_refused_with_the_parameter_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        sl.LIF(**kwargs)


def test_lif_is_frozen():
    m = sl.LIF()
    with pytest.raises(AttributeError):
        m.C = 3.0


def test_time_to_first_spike_closed_form():
    m = sl.LIF(R=2.0, C=5.0, threshold=1.0)  # tau 10 ms
    current = 1.5  # R*I = 3 mV
    assert m.time_to_first_spike(current) == pytest.approx(10.0 * math.log(3.0 / 2.0))
    assert m.time_to_first_spike(0.4) == math.inf  # R*I = 0.8 mV < threshold


def test_firing_rate_closed_form_with_reset_and_refractory():
    m = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, R=1.0, C=20.0, refractory=2.0)
    current = 30.0  # R*I = 30 mV
    isi = 2.0 + 20.0 * math.log((30.0 - 10.0) / (30.0 - 20.0))
    assert m.firing_rate(current) == pytest.approx(1000.0 / isi)
    rates = m.firing_rate(np.array([10.0, 20.0, 30.0]))
    assert rates[0] == 0.0 and rates[1] == 0.0  # at or below the rheobase
    assert rates[2] == pytest.approx(1000.0 / isi)


def test_rheobase():
    assert sl.LIF(u_rest=-1.0, threshold=1.0, R=4.0).rheobase == pytest.approx(0.5)


def test_decay_factor_per_method():
    assert sl.LIF().decay(0.1) == pytest.approx(math.exp(-0.01))
    assert sl.LIF(method="euler").decay(0.1) == pytest.approx(0.99)
