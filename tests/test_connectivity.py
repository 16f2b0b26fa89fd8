"""Connection rules: exact counts and degrees, binomial statistics, autapses and multapses."""

import math

import numpy as np
import pytest

import snnlab as sl
from snnlab import connectivity as conn


def test_all_to_all_between_two_groups_and_onto_itself():
    pre, post = conn.all_to_all(3, 4)
    assert pre.size == 12
    assert set(zip(pre.tolist(), post.tolist())) == {(i, j) for i in range(3) for j in range(4)}
    pre, post = conn.all_to_all(5, 5, self_index=np.arange(5))
    assert pre.size == 20 and not np.any(pre == post)
    pre, post = conn.all_to_all(5, 5, self_index=np.arange(5), autapses=True)
    assert pre.size == 25


def test_one_to_one():
    pre, post = conn.one_to_one(4, 4)
    np.testing.assert_array_equal(pre, post)
    with pytest.raises(ValueError, match=r"one_to_one' needs as many targets as sources \(got 4 sources, 3 targets\)"):
        conn.one_to_one(4, 3)
    with pytest.raises(ValueError, match="makes only autapses; pass autapses=True"):
        conn.one_to_one(4, 4, self_index=np.arange(4))


def test_fixed_outdegree_gives_every_source_exactly_k_distinct_targets(rng):
    pre, post = conn.fixed_outdegree(50, 40, 7, rng)
    np.testing.assert_array_equal(np.bincount(pre, minlength=50), 7)
    pairs = set(zip(pre.tolist(), post.tolist()))
    assert len(pairs) == pre.size  # no multapses
    assert np.all(np.diff(pre) >= 0)  # CSR order


def test_fixed_outdegree_without_autapses_onto_itself(rng):
    n = 30
    pre, post = conn.fixed_outdegree(n, n, n - 1, rng, self_index=np.arange(n))
    assert not np.any(pre == post)
    np.testing.assert_array_equal(np.bincount(pre, minlength=n), n - 1)
    with pytest.raises(ValueError, match=r"connect\.k: must be <= 29, the number of possible targets per source"):
        conn.fixed_outdegree(n, n, n, rng, self_index=np.arange(n))


def test_fixed_outdegree_targets_are_uniform(rng):
    # each of 20 targets is chosen by each of 2000 sources with probability 5/20
    _pre, post = conn.fixed_outdegree(2000, 20, 5, rng)
    counts = np.bincount(post, minlength=20)
    expected = 2000 * 5 / 20
    sd = math.sqrt(2000 * 0.25 * 0.75)
    assert np.all(np.abs(counts - expected) < 5 * sd)


def test_fixed_outdegree_with_multapses_may_repeat_but_keeps_the_degree(rng):
    pre, post = conn.fixed_outdegree(200, 3, 6, rng, multapses=True, self_index=None)
    np.testing.assert_array_equal(np.bincount(pre), 6)
    assert len(set(zip(pre.tolist(), post.tolist()))) < pre.size


def test_fixed_outdegree_multapses_still_avoid_autapses(rng):
    pre, post = conn.fixed_outdegree(10, 10, 50, rng, self_index=np.arange(10), multapses=True)
    assert not np.any(pre == post)


def test_fixed_indegree_gives_every_target_exactly_k_sources(rng):
    pre, post = conn.fixed_indegree(40, 60, 9, rng)
    np.testing.assert_array_equal(np.bincount(post, minlength=60), 9)
    assert np.all(np.diff(pre) >= 0)
    with pytest.raises(ValueError, match=r"connect\.k: must be <= 40, the number of possible sources per target"):
        conn.fixed_indegree(40, 60, 41, rng)


def test_fixed_probability_count_is_binomial_and_has_no_autapses(rng):
    n, p = 300, 0.05
    pre, post = conn.fixed_probability(n, n, p, rng, self_index=np.arange(n))
    possible = n * (n - 1)
    mean, sd = possible * p, math.sqrt(possible * p * (1 - p))
    assert abs(pre.size - mean) < 4 * sd
    assert not np.any(pre == post)
    assert conn.fixed_probability(10, 10, 0.0, rng)[0].size == 0
    assert conn.fixed_probability(10, 10, 1.0, rng)[0].size == 100


def test_fixed_total_number_is_exact_and_distinct(rng):
    pre, post = conn.fixed_total_number(20, 20, 300, rng, self_index=np.arange(20))
    assert pre.size == 300
    assert len(set(zip(pre.tolist(), post.tolist()))) == 300
    assert not np.any(pre == post)
    # all possible pairs but the 20 autapses
    pre, post = conn.fixed_total_number(20, 20, 380, rng, self_index=np.arange(20))
    assert len(set(zip(pre.tolist(), post.tolist()))) == 380
    with pytest.raises(ValueError, match=r"connect\.n_synapses: must be <= 380"):
        conn.fixed_total_number(20, 20, 381, rng, self_index=np.arange(20))


def test_explicit_pairs_and_adjacency_lists():
    pre, post = conn.adjacency([[1], [0]], 2, 2, self_index=np.arange(2))
    assert list(zip(pre.tolist(), post.tolist())) == [(0, 1), (1, 0)]
    pre, post = conn.pairs([(2, 0), (0, 1)], 3, 2)
    assert list(zip(pre.tolist(), post.tolist())) == [(0, 1), (2, 0)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conn.pairs([(0, 5)], 2, 2), r"connect\.pairs\[0\]: target index must be in \[0, 1\] \(got 5\)"),
        (lambda: conn.pairs([(0, 0)], 2, 2, self_index=np.arange(2)),
         r"connects a neuron to itself; pass autapses=True"),
        (lambda: conn.pairs([(0, 1), (0, 1)], 2, 2), r"\(0, 1\) is listed twice; pass multapses=True"),
        (lambda: conn.adjacency([[1]], 2, 2), r"connect\.targets: must hold one list per source, 2 \(got 1\)"),
    ],
)
def test_explicit_connectivity_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pairs_must_be_integer_pairs():
    with pytest.raises(TypeError, match=r"connect\.pairs: must be a sequence of \(source, target\) integer pairs"):
        conn.pairs([(0.5, 1)], 2, 2)


def test_mixed_population_is_the_reports_fixed_out_degree_over_all_neurons():
    net = sl.Network(seed=0)
    _exc, _inh = net.add_mixed_population("G", n_exc=80, n_inh=20, p_exc=0.1, p_inh=0.25)
    res = net.run(1.0)
    c = res.connections()
    out_degree = np.bincount(c["pre"], minlength=100)
    np.testing.assert_array_equal(out_degree[:80], math.ceil(100 * 0.1))
    np.testing.assert_array_equal(out_degree[80:], math.ceil(100 * 0.25))
    assert not np.any(c["pre"] == c["post"])
    # targets among all N: both kinds are hit, and the sign follows the source
    assert np.any(c["post"] >= 80) and np.any(c["post"] < 80)
    np.testing.assert_array_equal(np.sign(c["weight"]), np.where(c["pre"] < 80, 1.0, -1.0))


def test_reports_probabilities_give_one_and_two_targets():
    net = sl.Network(seed=0)
    net.add_mixed_population("G", n_exc=80, n_inh=20, p_exc=0.01, p_inh=0.02)
    out_degree = np.bincount(net.run(1.0).connections()["pre"], minlength=100)
    assert out_degree[:80].tolist() == [1] * 80
    assert out_degree[80:].tolist() == [2] * 20


def test_connect_between_a_list_of_populations_numbers_them_in_order():
    net = sl.Network(seed=0)
    a = net.add_population("a", 2)
    b = net.add_population("b", 3, kind="inhibitory")
    net.connect(b, [a, b], rule="adjacency", targets=[[0, 4], [1], [2, 3]])
    c = net.run(1.0).connections()
    # local target 4 of the group [a, b] is b's neuron 2 (network-wide 4)
    assert sorted(zip(c["pre"].tolist(), c["post"].tolist())) == [(2, 0), (2, 4), (3, 1), (4, 2), (4, 3)]
    np.testing.assert_array_equal(c["weight"], -2.0)


def test_per_synapse_weights_from_a_distribution_and_a_matrix():
    net = sl.Network(seed=0)
    a = net.add_population("a", 3)
    b = net.add_population("b", 2)
    matrix = np.arange(6.0).reshape(3, 2)
    net.connect(a, b, rule="all_to_all", weight=matrix)
    net.connect(b, a, rule="all_to_all", weight=sl.Uniform(1.0, 2.0))
    res = net.run(1.0)
    ab = res.connections("a", "b")
    np.testing.assert_array_equal(ab["weight"], matrix[ab["pre"], ab["post"]])
    ba = res.connections("b", "a")
    assert np.all((ba["weight"] >= 1.0) & (ba["weight"] < 2.0)) and np.unique(ba["weight"]).size == 6


def test_negative_weights_drawn_from_a_normal_are_an_error_not_clipped():
    net = sl.Network(seed=0)
    a = net.add_population("a", 10)
    net.connect(a, a, weight=sl.Normal(0.1, 1.0))
    with pytest.raises(ValueError, match=r"weight: drew \d+ negative weights from Normal"):
        net.run(1.0)


def test_distribution_parameters_are_checked():
    with pytest.raises(ValueError, match=r"Normal\.std: must be >= 0 \(got -1\.0\)"):
        sl.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match=r"Uniform\.high: must be >= low = 2\.0 \(got 1\.0\)"):
        sl.Uniform(2.0, 1.0)


def test_mixed_population_weights_by_source_kind():
    net = sl.Network(seed=0)
    net.add_mixed_population("G", n_exc=8, n_inh=2, p_exc=0.3, p_inh=0.3, weight_exc=0.5, weight_inh=1.5)
    c = net.run(1.0).connections()
    np.testing.assert_array_equal(c["weight"], np.where(c["pre"] < 8, 0.5, -1.5))


def test_mixed_population_caps_k_at_the_possible_targets_with_a_warning():
    net = sl.Network(seed=0)
    with pytest.warns(sl.SnnlabWarning, match=r"p_exc: ceil\(N\*p\) = 10 targets, but a neuron has only 9 possible"):
        net.add_mixed_population("G", n_exc=8, n_inh=2, p_exc=1.0, p_inh=0.5)
    out_degree = np.bincount(net.run(1.0).connections()["pre"], minlength=10)
    assert out_degree.tolist() == [9] * 8 + [5] * 2


def test_mixed_population_refuses_an_autapses_flag_that_is_not_a_bool():
    with pytest.raises(TypeError, match=r"Network\.add_mixed_population\.autapses: must be True or False \(got "):
        sl.Network(seed=0).add_mixed_population("G", n_exc=8, n_inh=2, autapses=np.array([]))
