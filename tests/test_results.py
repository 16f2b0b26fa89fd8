"""The Result object: named accessors, read-only arrays, selection, and save/load."""

import json
import pickle

import numpy as np
import pytest

import snnlab as sl


@pytest.fixture
def result():
    net = sl.Network(dt=0.1, seed=7)
    _e, i = net.add_mixed_population("G", n_exc=16, n_inh=4, p_exc=0.2, p_inh=0.4,
                                    current=sl.Noise(1.4, 1.0), weight=0.3, delay=1.0)
    net.add_poisson_input(i, rate=100.0, weight=0.4)
    return net.run(100.0)


def test_spikes_are_named_and_consistent(result):
    times, neurons = result.spikes("G_E")
    assert np.all(np.diff(times) >= 0)
    assert neurons.max() < 16
    counts = result.spike_count("G_E")
    assert counts.sum() == times.size  # a count per raster point
    trains = result.spike_trains("G_E")
    assert [t.size for t in trains] == counts.tolist()
    np.testing.assert_allclose(result.firing_rate("G_E"), counts / 0.1)
    all_times, all_neurons = result.spikes()
    assert all_times.size == result.spike_count("G_E").sum() + result.spike_count("G_I").sum()
    assert set(all_neurons[all_neurons >= 16] - 16) == set(result.spikes("G_I")[1])


def test_a_populations_spikes_are_picked_once_and_a_pickle_carries_only_the_networks(result):
    times, neurons = result.spikes("G_I")
    assert result.spikes("G_I")[0] is times and result.spike_steps("G_I")[1] is neurons  # picked once
    all_times, all_neurons = result.spikes()
    mine = (all_neurons >= 16) & (all_neurons < 20)
    np.testing.assert_array_equal(times, all_times[mine])
    np.testing.assert_array_equal(neurons, all_neurons[mine] - 16)
    np.testing.assert_array_equal(result.spike_steps("G_I")[0] * result.dt, times)
    assert "_by_population" not in result.__getstate__()
    again = pickle.loads(pickle.dumps(result))
    np.testing.assert_array_equal(again.spikes("G_I")[0], times)
    np.testing.assert_array_equal(again.spikes("G_E")[1], result.spikes("G_E")[1])


def test_arrays_are_read_only(result):
    times, _ = result.spikes("G_E")
    with pytest.raises(ValueError, match="read-only"):
        times[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        result.potential("G_E")[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        result.time[0] = 1.0


def test_potential_selection(result):
    assert result.potential("G_E").shape == (1000, 16)
    np.testing.assert_array_equal(result.potential("G_E", [3, 5]), result.potential("G_E")[:, [3, 5]])
    with pytest.raises(ValueError, match=r"Result: neuron 16 is not in population 'G_E' of 16 neurons"):
        result.potential("G_E", [16])
    with pytest.raises(ValueError, match=r"Result: no population labelled 'E'; the labels are 'G_E', 'G_I'"):
        result.potential("E")


def test_record_only_some_neurons():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("A", 10, current=2.0)
    res = net.run(20.0, record={"A": [2, 7]})
    assert res.potential("A").shape == (200, 2)
    assert res.recorded_neurons("A").tolist() == [2, 7]
    with pytest.raises(ValueError, match=r"neuron 3 of population 'A' was not recorded; "
                                         r"the recorded ones are \[2, 7\]"):
        res.potential("A", [3])
    assert res.spike_count("A").sum() > 0  # spikes are kept for every neuron


def test_save_and_load_round_trip_exactly(result, tmp_path):
    path = result.save(tmp_path / "run")
    assert path.suffix == ".npz"
    back = sl.load(path)
    for label in ("G_E", "G_I"):
        for a, b in zip(result.spikes(label), back.spikes(label)):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(result.potential(label), back.potential(label))
        np.testing.assert_array_equal(result.current(label), back.current(label))
        assert result.model(label) == back.model(label)
        assert result.kind(label) == back.kind(label)
    for key in ("pre", "post", "weight", "delay"):
        np.testing.assert_array_equal(result.connections()[key], back.connections()[key])
    assert back.params == json.loads(json.dumps(result.params))
    assert back.params["seed"] == 7 and back.params["duration"] == pytest.approx(100.0)
    np.testing.assert_array_equal(result.time, back.time)


def test_params_describe_the_network(result):
    p = result.params
    assert [pop["label"] for pop in p["populations"]] == ["G_E", "G_I"]
    assert p["populations"][0]["current"] == {"type": "Noise", "mean": 1.4, "std": 1.0}
    assert p["projections"][0]["rule"] == "fixed_outdegree" and p["projections"][0]["k"] == 4
    assert p["poisson_inputs"][0]["rate"] == 100.0
    json.dumps(p)  # JSON-friendly


def test_the_network_rebuilt_from_the_saved_seed_reproduces_the_spikes(result, tmp_path):
    back = sl.load(result.save(tmp_path / "r.npz"))
    net = sl.Network(dt=back.params["dt"], seed=back.params["seed"])
    _e, i = net.add_mixed_population("G", n_exc=16, n_inh=4, p_exc=0.2, p_inh=0.4,
                                    current=sl.Noise(1.4, 1.0), weight=0.3, delay=1.0)
    net.add_poisson_input(i, rate=100.0, weight=0.4)
    again = net.run(back.params["duration"])
    np.testing.assert_array_equal(again.spikes()[0], back.spikes()[0])
