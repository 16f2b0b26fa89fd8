"""The compiled engine against golden runs: speed must not change results.

``tests/data/golden_engine.npz`` holds the spikes (and recorded potentials and
currents, every 4th step) of the seeded networks below without Poisson input, produced
by the plain numpy engine (``snnlab/engine.py`` of commit 4e8b56e, unchanged since the
core, 52491eb), before issue 6 compiled the run loop. The compiled engine must
reproduce them exactly: the same spike steps and neuron indices, potentials to 1e-12 mV.

The networks with Poisson input are in ``tests/data/golden_poisson.npz``, generated
with the compiled engine: issue 6 replaced the Poisson sampler (numpy's
``Generator.poisson`` by inversion of SFC64 draws against a table), which changes the
random stream. That file pins the new stream against accidental changes; the sampler's
statistics are tested in ``tests/test_poisson.py``.

Regenerate (only after a deliberate change of the results, and say so in the commit)::

    .venv/bin/python tests/test_speed_equivalence.py --write golden_poisson
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import snnlab as sl

DATA = Path(__file__).resolve().parent / "data"


# -- the networks -------------------------------------------------------------------------------------

def report_group():
    """The report's mixed group (fixed out-degree over all N), its Euler neuron clamped at rest,
    a vectorisable f(t); long enough that currents are evaluated in several chunks."""
    net = sl.Network(dt=0.1, seed=11)
    net.add_mixed_population("G", n_exc=160, n_inh=40, p_exc=0.05, p_inh=0.1,
                             current=lambda t: 0.9 * (np.sin(t / 8) + 0.3) + 0.55, weight=0.08, delay=1.5,
                             model=sl.LIF.assignment())
    return net, 600.0, {"G_E": [5], "G_I": [3]}


def noisy_e_i():
    """Noise currents, refractoriness, a floor, per-synapse weights (distribution, matrix, 1-D)
    and delays (distribution, array), lists of populations, and a coupling."""
    net = sl.Network(dt=0.1, seed=5)
    model_e = sl.LIF(u_rest=0.0, threshold=1.0, C=10.0, refractory=2.0, floor=-0.8)
    model_i = sl.LIF(u_rest=0.0, threshold=1.0, C=5.0, refractory=1.0, u_reset=-0.2)
    e = net.add_population("E", 40, current=sl.Noise(1.1, 0.8), model=model_e)
    i = net.add_population("I", 10, kind="inhibitory", current=sl.UniformNoise(0.5, 1.9), model=model_i)
    net.connect(e, [e, i], rule="fixed_probability", p=0.15, weight=sl.Uniform(0.05, 0.4),
                delay=sl.Uniform(0.1, 3.0))
    net.connect(i, e, rule="fixed_indegree", k=4, weight=np.linspace(0.01, 0.1, 10 * 40).reshape(10, 40),
                delay=0.7)
    net.connect(i, i, rule="pairs", pairs=[(0, 1), (1, 2), (2, 0), (3, 9), (9, 3)],
                weight=np.array([0.5, 0.6, 0.7, 0.8, 0.9]), delay=np.array([0.2, 0.3, 0.4, 0.5, 0.6]))
    net.couple(e, i, every=7, effect=0.15, delay=0.5)
    net.couple(i, [e], every=3, effect=0.05)
    return net, 300.0, {"E": [0, 39], "I": [2, 3]}


def every_current():
    """Scalar-only and per-neuron callables, Step + UniformNoise sums, an array current, a
    second dt; all_to_all with autapses, one_to_one, adjacency, multapses, fixed total number;
    Euler without a floor next to exact with one."""
    dt = 0.05
    steps = 4000
    net = sl.Network(dt=dt, seed=2026)
    a = net.add_population("A", 3, current=lambda t: 0.8 * (math.sin(t / 5) + 0.6) + 0.5,
                           model=sl.LIF(method="euler", refractory=2.5))
    b = net.add_population("B", 4, kind="inhibitory",
                           current=[lambda t, k=k: 0.9 + 0.1 * k + 0.2 * math.cos(t / 7) for k in range(4)])
    c = net.add_population("C", 6, current=sl.Step(0.5, start=20.0, stop=150.0, baseline=0.7)
                           + sl.UniformNoise(0.0, 0.6), model=sl.LIF(floor=-0.5, refractory=1.0))
    rng = np.random.default_rng(99)
    d = net.add_population("D", 5, current=rng.uniform(0.5, 1.6, size=(steps, 5)),
                           model=sl.LIF(C=20.0, u_reset=0.2, u_init=0.4))
    net.connect(a, a, rule="all_to_all", weight=0.1, delay=0.25, autapses=True)
    net.connect(a, [b, c], rule="fixed_outdegree", k=9, weight=0.15, delay=0.3, multapses=True)
    net.connect(b, b, rule="one_to_one", weight=0.3, autapses=True)
    net.connect(b, [c, d], rule="adjacency", targets=[[0, 10], [1, 1], [], [2, 3, 4, 5, 6]], multapses=True,
                weight=0.1, delay=1.0)
    net.connect([c, d], [d, a], rule="fixed_total_number", n_synapses=40, weight=sl.Normal(0.2, 0.05),
                delay=sl.Normal(2.0, 0.4))
    net.connect(d, c, rule="fixed_probability", p=0.3, weight=0.1)
    net.couple(d, [a, b], every=4, effect=0.1, delay=0.4)
    return net, steps * dt, {"A": [0], "B": [1], "C": [2], "D": [0, 4]}


def spikes_only():
    """A larger network, spikes only (nothing recorded): the fixed in-degree rule, two models."""
    net = sl.Network(dt=0.1, seed=77)
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=2.0)
    e = net.add_population("E", 400, current=sl.Noise(21.0, 4.0), model=model)
    i = net.add_population("I", 100, kind="inhibitory", current=sl.Noise(20.5, 4.0), model=model)
    net.connect(e, [e, i], rule="fixed_indegree", k=40, weight=0.5, delay=1.5)
    net.connect(i, [e, i], rule="fixed_indegree", k=10, weight=2.5, delay=1.5)
    return net, 400.0, None


def poisson_drive():
    """Two Poisson inputs (one inhibitory) on top of currents, a fixed out-degree network."""
    net = sl.Network(dt=0.1, seed=31)
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=2.0)
    e = net.add_population("E", 80, current=5.0, model=model)
    i = net.add_population("I", 20, kind="inhibitory", model=model)
    net.connect(e, [e, i], rule="fixed_outdegree", k=10, weight=0.4, delay=1.5)
    net.connect(i, [e, i], rule="fixed_outdegree", k=10, weight=2.0, delay=1.5)
    net.add_poisson_input(e, rate=15.0, weight=0.2, n_sources=800)
    net.add_poisson_input(e, rate=8.0, weight=0.4, n_sources=100, kind="inhibitory")
    net.add_poisson_input(i, rate=20.0, weight=0.2, n_sources=1000)
    return net, 500.0, {"E": [1, 2], "I": [0]}


def brunel_small():
    """Brunel (2000) model A, scaled down: external Poisson drive at twice the threshold rate."""
    net = sl.Network(dt=0.1, seed=4)
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=2.0)
    e = net.add_population("E", 800, model=model)
    i = net.add_population("I", 200, kind="inhibitory", model=model)
    net.connect(e, [e, i], rule="fixed_indegree", k=80, weight=0.1 * 1000 / 80, delay=1.5)
    net.connect(i, [e, i], rule="fixed_indegree", k=20, weight=0.5 * 1000 / 80, delay=1.5)
    net.add_poisson_input(e, rate=20.0, weight=0.1, n_sources=1000)
    net.add_poisson_input(i, rate=20.0, weight=0.1, n_sources=1000)
    return net, 300.0, {"E": [0], "I": [0]}


OLD_ENGINE = {"report_group": report_group, "noisy_e_i": noisy_e_i, "every_current": every_current,
              "spikes_only": spikes_only}
POISSON = {"poisson_drive": poisson_drive, "brunel_small": brunel_small}


def simulate(make):
    net, duration, record = make()
    with warnings.catch_warnings():
        # random delays are rarely whole steps; the warning about rounding is expected here
        warnings.simplefilter("ignore", sl.SnnlabWarning)
        return net.run(duration, record=record)


def arrays(res) -> dict:
    times, neurons = res.spikes()
    return {"spike_steps": np.rint(times / res.dt).astype(np.int64), "spike_neurons": np.asarray(neurons),
            # every 4th sample keeps the files small; the spikes pin the dynamics in between
            "recorded": np.asarray(res._recorded), "potentials": np.asarray(res._potentials)[::4],
            "currents": np.asarray(res._currents)[::4]}


def write(name: str) -> Path:
    networks = OLD_ENGINE if name == "golden_engine" else POISSON
    out = {}
    for key, make in networks.items():
        for field, value in arrays(simulate(make)).items():
            out[f"{key}/{field}"] = value
    path = DATA / f"{name}.npz"
    np.savez_compressed(path, **out)
    return path


# -- the tests -------------------------------------------------------------------------------------------

def _check(key, make, golden):
    got = arrays(simulate(make))
    assert got["spike_steps"].size > 50, f"{key}: too few spikes to be a useful check"
    np.testing.assert_array_equal(got["spike_steps"], golden[f"{key}/spike_steps"])
    np.testing.assert_array_equal(got["spike_neurons"], golden[f"{key}/spike_neurons"])
    np.testing.assert_array_equal(got["recorded"], golden[f"{key}/recorded"])
    np.testing.assert_allclose(got["potentials"], golden[f"{key}/potentials"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["currents"], golden[f"{key}/currents"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("key", sorted(OLD_ENGINE))
def test_compiled_engine_reproduces_the_numpy_engine_exactly(key):
    with np.load(DATA / "golden_engine.npz") as golden:
        _check(key, OLD_ENGINE[key], golden)


@pytest.mark.parametrize("key", sorted(POISSON))
def test_poisson_networks_reproduce_their_pinned_stream(key):
    with np.load(DATA / "golden_poisson.npz") as golden:
        _check(key, POISSON[key], golden)


@pytest.mark.parametrize("key", ["noisy_e_i", "every_current"])
def test_int32_targets_and_growing_spike_arrays_change_nothing(key, monkeypatch):
    from snnlab import engine

    # targets stored as int32 (as in networks of more than 65,536 neurons), and spike arrays
    # that start with room for one step and must grow again and again mid-chunk
    monkeypatch.setattr(engine, "UINT16_NEURONS", 0)
    monkeypatch.setattr(engine, "INITIAL_SPIKE_CAPACITY", 1)
    with np.load(DATA / "golden_engine.npz") as golden:
        _check(key, OLD_ENGINE[key], golden)


def test_synapses_are_stored_once_in_two_bytes_each():
    net = sl.Network(seed=0)
    e = net.add_population("E", 400, current=1.2)
    i = net.add_population("I", 100, kind="inhibitory", current=1.2)
    net.connect(e, [e, i], rule="fixed_indegree", k=40, weight=0.1)
    net.connect(i, [e, i], rule="fixed_indegree", k=10, weight=0.5)
    sim = net.build()
    assert sim.post.dtype == np.uint16 and sim.post.size == 500 * 50
    assert sim.syn_weight.size == 0 and sim.syn_delay.size == 0  # one weight, one delay per projection
    for block in sim.blocks:
        assert np.shares_memory(block.post, sim.post)
    res = sim.run(5.0)
    assert callable(res._connections)  # computed from the CSR arrays on demand, not copied
    assert res.connections()["pre"].size == 500 * 50


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--write" or sys.argv[2] not in ("golden_engine", "golden_poisson"):
        sys.exit("usage: test_speed_equivalence.py --write golden_engine|golden_poisson")
    print(write(sys.argv[2]))
