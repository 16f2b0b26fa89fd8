"""Notebook 05's experiments: the same network on several engines, compared without tolerance,
and the saved scaling benchmark read, drawn and summarised."""

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest

from snnlab.experiments import scaling as ex

os.environ.setdefault("PYNEST_QUIET", "1")


def test_demo_network_is_deterministic_with_fixed_out_degree():
    net = ex.demo_network(n=100, seed=3)
    a, b = net.run(200.0, record=None), ex.demo_network(n=100, seed=3).run(200.0, record=None)
    c = ex.compare_spikes(a, b)
    assert c.identical and c.first_difference is None
    assert c.count_a == c.count_b > 0
    pre = a.connections()["pre"]
    assert np.all(np.bincount(pre, minlength=100) == 10)  # ceil(0.1 n) targets each


def test_compare_spikes_finds_a_spike_one_step_late():
    res = ex.demo_network(n=100).run(100.0, record=None)
    times, neurons = res.spikes()
    steps = np.rint(times / res.dt).astype(int)
    late = steps.copy()
    late[5] += 1
    from snnlab.exercises.balanced import make_result

    a = make_result({"E": 80, "I": 20}, steps, neurons, res.steps)
    b = make_result({"E": 80, "I": 20}, late, neurons, res.steps)
    c = ex.compare_spikes(a, b)
    assert not c.identical
    assert c.count_a == c.count_b
    assert c.first_difference == (steps[5], neurons[5], "only in a")


def test_compare_spikes_refuses_different_networks():
    a = ex.demo_network(n=100).run(10.0, record=None)
    b = ex.demo_network(n=50).run(10.0, record=None)
    with pytest.raises(ValueError, match=r"compare_spikes: the runs must have the same neurons and dt "
                                         r"\(got 100 neurons, dt 0.1 ms and 50 neurons, dt 0.1 ms\)"):
        ex.compare_spikes(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["nest", "brian2"])
def test_the_other_engines_give_the_same_spikes_as_snnlab(engine):
    pytest.importorskip(engine, reason=f"{engine} is not installed: pip install 'snnlab[{engine}]'")
    assert engine in ex.available_engines()
    runs = ex.run_engines(ex.demo_network(n=200), 300.0, engines=("snnlab", engine))
    c = ex.compare_spikes(runs["snnlab"], runs[engine])
    assert c.identical, c
    assert c.count_a > 1000


def test_bytes_per_synapse_is_the_least_squares_slope():
    synapses = np.array([1e6, 2e6, 4e6])
    assert ex.bytes_per_synapse(synapses, 5e7 + 30.0 * synapses) == pytest.approx(30.0, rel=1e-9)
    # with noise: the closed form of the least-squares slope, cov(x, y) / var(x)
    peak = 5e7 + 30.0 * synapses + np.array([1e5, -2e5, 1e5])
    x, y = synapses, peak
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    assert ex.bytes_per_synapse(x, y) == pytest.approx(slope, rel=1e-12)


def test_largest_network_rounds_down_and_counts_the_baseline():
    assert ex.largest_network(1_000_100, 100, 10.0, 100) == 1000
    assert ex.largest_network(1_000_099, 100, 10.0, 100) == 999
    assert ex.largest_network(50, 100, 10.0, 100) == 0
    n = ex.largest_network(24 * 2**30, 2e8, 85.0, 1250)
    assert 2e8 + n * 1250 * 85.0 <= 24 * 2**30 < 2e8 + (n + 1) * 1250 * 85.0


def test_speed_is_against_one_thread():
    out = ex.speed({1: 30.0, 2: 18.0, 4: 20.0}, 200.0)
    assert out[1] == (150.0, 1.0)
    assert out[2] == pytest.approx((90.0, 30.0 / 18.0))
    assert out[4] == pytest.approx((100.0, 1.5))


def test_spikes_identical_compares_pairs_in_any_order():
    s, n = np.array([1, 2, 3]), np.array([4, 5, 6])
    assert ex.spikes_identical(s, n, s[::-1], n[::-1])
    assert not ex.spikes_identical(s, n, s, n[[1, 0, 2]])
    assert not ex.spikes_identical(s, n, s[:2], n[:2])


def test_saved_benchmark_has_every_engine_and_a_consistent_extrapolation():
    data = ex.load_scaling()
    rows = ex.scaling_rows(data)
    engines = {r["engine"] for r in rows}
    assert {"snnlab", "nest-1", "nest-2"} <= engines
    assert all(r["synapses"] == r["n"] * data["in_degree"] for r in rows)
    assert min(r["n"] for r in rows) == 12_500
    for engine, s in data["summary"].items():
        n = s["largest_n_24gib"]
        peak = s["fit_intercept_mb"] * 1e6 + s["fit_bytes_per_synapse"] * n * data["in_degree"]
        assert peak <= data["machine_bytes"]
        assert s["fit_intercept_mb"] * 1e6 + s["fit_bytes_per_synapse"] * (n + 100) * data["in_degree"] > \
            data["machine_bytes"], engine
        measured = max(r["n"] for r in rows if r["engine"] == engine)
        assert n > measured  # an extrapolation beyond what was run
    # no run was started above the benchmark's memory limit
    assert all(r["peak_gb"] <= data["max_gb"] for r in rows)


def test_draw_scaling_draws_each_engine_measured_and_extrapolated():
    data = ex.load_scaling()
    fig = plt.figure()
    ax_t, ax_m = ex.draw_scaling(fig, data)
    labels = [line.get_label() for line in ax_t.get_lines()]
    assert len(labels) == len(data["summary"])
    assert ax_t.get_xscale() == "log" and ax_m.get_yscale() == "log"
    assert any(math.isclose(line.get_ydata()[0], data["machine_bytes"] / 1e9) for line in ax_m.get_lines()
               if len(line.get_ydata()) == 2)
    plt.close(fig)
