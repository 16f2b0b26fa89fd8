"""Per-synapse weights and delays follow the order in which the user listed the synapses.

The engine keeps synapses in CSR order (sorted by source, then target); a weight or delay
given as one value per synapse must reach the synapse the user meant, whatever order the
pairs or adjacency lists were written in, whether a group lists its populations out of
network order, and after projections are joined, saved and loaded.

Each source neuron fires once, at t = 0 (a strong current for the first step only); the
targets have no current and a threshold out of reach, so their recorded potential is
``u[k] = a * u[k-1] + input(t_k)`` with ``a = exp(-dt/tau_m)``: the input arriving at each
step can be read back exactly, and with a distinct delay per synapse each synapse shows as
its own jump, at its own time.
"""

import numpy as np
import pytest

import snnlab as sl

DT = 0.1
STEPS = 40
QUIET = sl.LIF(threshold=100.0)  # targets never fire


def network(n_pre=3, n_post=3, pre_kind="excitatory"):
    net = sl.Network(dt=DT, seed=0)
    # 200 nA for one step lifts a neuron from rest over threshold: one spike, stamped t = 0
    net.add_population("A", n_pre, kind=pre_kind, current=sl.Step(200.0, start=0.0, stop=DT / 2))
    net.add_population("B", n_post, model=QUIET)
    return net


def arrivals(res, label="B"):
    """Input arriving at each target at each step, (STEPS, n): read back from the potential."""
    u = np.asarray(res.potential(label))
    a = res.model(label).decay(res.dt)
    inputs = np.empty_like(u)
    inputs[0] = u[0] - res.model(label).u_init
    inputs[1:] = u[1:] - a * u[:-1]
    return inputs


def expected_arrivals(synapses, n_post, sign=1.0):
    """synapses: (post, weight, delay ms) of spikes sent at t = 0."""
    out = np.zeros((STEPS, n_post))
    for post, weight, delay in synapses:
        out[round(delay / DT), post] += sign * weight
    return out


def check_sources_fired_once_at_zero(res, label="A"):
    times, _ = res.spikes(label)
    np.testing.assert_array_equal(res.spike_count(label), 1)
    np.testing.assert_array_equal(times, 0.0)


def connection_set(res, pre=None, post=None):
    c = res.connections(pre, post)
    return sorted(zip(c["pre"].tolist(), c["post"].tolist(), np.round(c["weight"], 12).tolist(),
                      np.round(c["delay"], 12).tolist()))


def test_the_issues_example_unsorted_pairs():
    net = network(1, 2)
    net.connect("A", "B", rule="pairs", pairs=[(0, 1), (0, 0)], weight=[1.0, 2.0], delay=[0.1, 0.5])
    res = net.run(STEPS * DT)
    check_sources_fired_once_at_zero(res)
    inputs = arrivals(res)
    # B1 gets +1 mV after one step, B0 +2 mV after five
    assert inputs[1, 1] == pytest.approx(1.0) and inputs[5, 0] == pytest.approx(2.0)
    np.testing.assert_allclose(inputs, expected_arrivals([(1, 1.0, 0.1), (0, 2.0, 0.5)], 2), atol=1e-12)
    assert connection_set(res, "A", "B") == [(0, 0, 2.0, 0.5), (0, 1, 1.0, 0.1)]


def test_the_issues_example_unsorted_adjacency_list():
    net = network(1, 3)
    net.connect("A", "B", rule="adjacency", targets=[[2, 0]], weight=[5, 1], delay=[0.3, 0.7])
    res = net.run(STEPS * DT)
    inputs = arrivals(res)
    np.testing.assert_allclose(inputs, expected_arrivals([(2, 5.0, 0.3), (0, 1.0, 0.7)], 3), atol=1e-12)
    assert connection_set(res, "A", "B") == [(0, 0, 1.0, 0.7), (0, 2, 5.0, 0.3)]


# several sources, listed in no order; distinct weights and delays so each synapse is its own jump
PAIRS = [(2, 0), (0, 1), (1, 2), (0, 0), (2, 1), (1, 0)]
WEIGHTS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
DELAYS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


@pytest.mark.parametrize("kind", ["excitatory", "inhibitory"])
def test_unsorted_pairs_from_several_sources(kind):
    net = network(3, 3, pre_kind=kind)
    net.connect("A", "B", rule="pairs", pairs=PAIRS, weight=WEIGHTS, delay=DELAYS)
    res = net.run(STEPS * DT)
    check_sources_fired_once_at_zero(res)
    sign = 1.0 if kind == "excitatory" else -1.0
    synapses = [(j, w, d) for (_, j), w, d in zip(PAIRS, WEIGHTS, DELAYS)]
    np.testing.assert_allclose(arrivals(res), expected_arrivals(synapses, 3, sign), atol=1e-12)
    assert connection_set(res, "A", "B") == sorted(
        (i, j, sign * w, d) for (i, j), w, d in zip(PAIRS, WEIGHTS, DELAYS))


def test_unsorted_adjacency_lists_from_several_sources():
    targets = [[2, 0], [1], [0, 2, 1]]
    weights = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    delays = [0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    listed = [(i, j) for i, row in enumerate(targets) for j in row]
    net = network(3, 3)
    net.connect("A", "B", rule="adjacency", targets=targets, weight=weights, delay=delays)
    res = net.run(STEPS * DT)
    synapses = [(j, w, d) for (_, j), w, d in zip(listed, weights, delays)]
    np.testing.assert_allclose(arrivals(res), expected_arrivals(synapses, 3), atol=1e-12)
    assert connection_set(res, "A", "B") == sorted((i, j, w, d) for (i, j), w, d in zip(listed, weights, delays))


def test_multapses_keep_each_listed_weight_with_its_delay():
    net = network(1, 2)
    net.connect("A", "B", rule="pairs", pairs=[(0, 1), (0, 0), (0, 1)], weight=[1.0, 2.0, 3.0],
                delay=[0.6, 0.2, 0.3], multapses=True)
    res = net.run(STEPS * DT)
    expected = expected_arrivals([(1, 1.0, 0.6), (0, 2.0, 0.2), (1, 3.0, 0.3)], 2)
    np.testing.assert_allclose(arrivals(res), expected, atol=1e-12)
    assert connection_set(res, "A", "B") == [(0, 0, 2.0, 0.2), (0, 1, 1.0, 0.6), (0, 1, 3.0, 0.3)]


def test_groups_listed_out_of_network_order():
    """pre = [A2, A1] and post = [B2, B1]: local indices number A2's neurons first, and the
    engine permutes whole rows into network order; each synapse keeps its listed values."""
    net = sl.Network(dt=DT, seed=0)
    pulse = sl.Step(200.0, start=0.0, stop=DT / 2)
    net.add_population("A1", 2, current=pulse)
    net.add_population("A2", 2, kind="inhibitory", current=pulse)
    net.add_population("B1", 2, model=QUIET)
    net.add_population("B2", 1, model=QUIET)
    # local pre: 0, 1 = A2's neurons (network 2, 3); 2, 3 = A1's (network 0, 1)
    # local post: 0 = B2's neuron (network 6); 1, 2 = B1's (network 4, 5)
    pairs = [(3, 0), (0, 2), (2, 1), (1, 0), (0, 1), (3, 2)]
    weights = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    delays = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    net.connect(["A2", "A1"], ["B2", "B1"], rule="pairs", pairs=pairs, weight=weights, delay=delays)
    res = net.run(STEPS * DT)
    pre_global = [2, 3, 0, 1]
    post_global = [6, 4, 5]
    sign = {0: 1.0, 1: 1.0, 2: -1.0, 3: -1.0}
    expected = np.zeros((STEPS, 7))
    for (i, j), w, d in zip(pairs, weights, delays):
        expected[round(d / DT), post_global[j]] += sign[pre_global[i]] * w
    got = np.concatenate([arrivals(res, "B1"), arrivals(res, "B2")], axis=1)
    np.testing.assert_allclose(got, expected[:, 4:], atol=1e-12)
    assert connection_set(res) == sorted(
        (pre_global[i], post_global[j], sign[pre_global[i]] * w, d) for (i, j), w, d in zip(pairs, weights, delays))


def test_joined_projections_keep_their_own_per_synapse_values():
    """Three projections in one target array: per-synapse weight and scalar delay, scalar
    weight and per-synapse delay, both per synapse; each synapse keeps its own values."""
    net = network(3, 3)
    net.connect("A", "B", rule="pairs", pairs=[(1, 2), (0, 0)], weight=[1.0, 2.0], delay=0.3)
    net.connect("A", "B", rule="adjacency", targets=[[], [2, 1], []], weight=0.5, delay=[0.9, 0.4])
    net.connect("A", "B", rule="pairs", pairs=[(2, 2), (0, 1)], weight=[3.0, 4.0], delay=[1.2, 1.5])
    res = net.run(STEPS * DT)
    synapses = [(2, 1.0, 0.3), (0, 2.0, 0.3), (2, 0.5, 0.9), (1, 0.5, 0.4), (2, 3.0, 1.2), (1, 4.0, 1.5)]
    np.testing.assert_allclose(arrivals(res), expected_arrivals(synapses, 3), atol=1e-12)
    assert connection_set(res) == sorted([
        (1, 5, 1.0, 0.3), (0, 3, 2.0, 0.3), (1, 5, 0.5, 0.9), (1, 4, 0.5, 0.4), (2, 5, 3.0, 1.2), (0, 4, 4.0, 1.5)])


def test_a_matrix_weight_is_indexed_by_pair_whatever_the_listing_order():
    matrix = np.array([[1.0, 2.0], [3.0, 4.0]])
    net = network(2, 2)
    net.connect("A", "B", rule="pairs", pairs=[(1, 0), (0, 1), (1, 1)], weight=matrix, delay=[0.2, 0.5, 0.8])
    res = net.run(STEPS * DT)
    expected = expected_arrivals([(0, 3.0, 0.2), (1, 2.0, 0.5), (1, 4.0, 0.8)], 2)
    np.testing.assert_allclose(arrivals(res), expected, atol=1e-12)


def test_saved_and_loaded_results_keep_each_synapses_values(tmp_path):
    net = network(3, 3)
    net.connect("A", "B", rule="pairs", pairs=PAIRS, weight=WEIGHTS, delay=DELAYS)
    res = net.run(STEPS * DT)
    loaded = sl.load(res.save(tmp_path / "run"))
    assert connection_set(loaded) == connection_set(res)
    assert connection_set(loaded, "A", "B") == sorted((i, j, w, d) for (i, j), w, d in zip(PAIRS, WEIGHTS, DELAYS))
    # the description keeps the user's listing, pairs and values side by side
    projection = loaded.params["projections"][0]
    assert projection["pairs"] == [list(p) for p in PAIRS]
    assert projection["weight"] == WEIGHTS and projection["delay"] == DELAYS


def test_built_connections_match_the_description_after_the_network_changes():
    """The build is a snapshot: connections and description stay the user's listing."""
    net = network(3, 3)
    net.connect("A", "B", rule="pairs", pairs=PAIRS, weight=WEIGHTS, delay=DELAYS)
    sim = net.build()
    net.connect("A", "B", rule="all_to_all", weight=9.0)
    res = sim.run(STEPS * DT)
    assert connection_set(res) == sorted((i, 3 + j, w, d) for (i, j), w, d in zip(PAIRS, WEIGHTS, DELAYS))
    assert len(res.params["projections"]) == 1


def test_the_public_rules_return_csr_order_and_csr_listed_maps_the_listing_onto_it():
    listed_pairs = np.array([(2, 0), (0, 1), (0, 1), (1, 2), (0, 0)])
    pre, post = sl.connectivity.pairs(listed_pairs, 3, 3, multapses=True)
    assert list(zip(pre.tolist(), post.tolist())) == [(0, 0), (0, 1), (0, 1), (1, 2), (2, 0)]
    _, targets, listed = sl.connectivity.csr_listed("pairs", 3, 3, pairs=listed_pairs, multapses=True)
    np.testing.assert_array_equal(listed_pairs[listed], np.stack([pre, post], axis=1))
    assert listed.tolist() == [4, 1, 2, 3, 0]  # the two (0, 1) stay in their listing order
    np.testing.assert_array_equal(targets, post)
    pre, post = sl.connectivity.adjacency([[2, 0], [], [1, 0]], 3, 3)
    assert list(zip(pre.tolist(), post.tolist())) == [(0, 0), (0, 2), (2, 0), (2, 1)]
    _, _, listed = sl.connectivity.csr_listed("adjacency", 3, 3, targets=[[2, 0], [], [1, 0]])
    assert listed.tolist() == [1, 0, 3, 2]


@pytest.mark.parametrize(("rule", "params"), [("all_to_all", {}), ("fixed_indegree", {"k": 2}),
                                              ("fixed_probability", {"p": 0.5})])
def test_other_rules_take_values_per_synapse_in_the_order_of_connections(rule, params):
    """Rules that draw or enumerate their synapses have no listing: a value per synapse is in
    CSR order (by source, then target), which is the order of Result.connections()."""
    probe = network(3, 3)
    probe.connect("A", "B", rule=rule, **params)  # the same seed draws the same synapses
    n_synapses = probe.build().post.size
    assert n_synapses == {"all_to_all": 9, "fixed_indegree": 6}.get(rule, n_synapses) > 0
    weights = np.arange(1.0, n_synapses + 1)
    delays = np.round(np.arange(1, n_synapses + 1) * 0.2, 10)
    net = network(3, 3)
    net.connect("A", "B", rule=rule, weight=weights, delay=delays, **params)
    res = net.run(STEPS * DT)
    c = res.connections()
    assert np.all(np.diff(c["pre"] * 10 + c["post"]) >= 0)  # CSR order
    np.testing.assert_array_equal(c["weight"], weights)
    np.testing.assert_allclose(c["delay"], delays)
    synapses = [(j - 3, w, d) for j, w, d in zip(c["post"].tolist(), weights, delays)]
    np.testing.assert_allclose(arrivals(res), expected_arrivals(synapses, 3), atol=1e-12)
