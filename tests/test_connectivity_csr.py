"""The compressed (CSR) forms of the connection rules and their compiled samplers.

The engine keeps each projection as ``(indptr, post)``; the public rules expand that into
``(pre, post)``. Large blocks of random keys are selected in compiled code, small ones
with numpy: both must choose exactly the same synapses, so that a seed means the same
network whatever the size. Fixed degrees over more than ``_SPARSE_PAIRS`` possible pairs
draw their choices directly; their statistics are checked here.
"""

import math

import numpy as np
import pytest

from snnlab import connectivity as conn

CALLS = [
    ("fixed_outdegree", (300, 200, 17), {}),
    ("fixed_outdegree", (300, 300, 40), {"self_index": np.arange(300)}),
    ("fixed_outdegree", (50, 60, 9), {"multapses": True, "self_index": np.arange(50)}),
    ("fixed_indegree", (400, 250, 33), {}),
    ("fixed_indegree", (250, 250, 249), {"self_index": np.arange(250)}),
    ("fixed_probability", (500, 400, 0.07), {"self_index": np.arange(400).tolist() + [-1] * 100}),
    ("fixed_total_number", (40, 30, 500), {"self_index": np.arange(30).tolist() + [-1] * 10}),
]


@pytest.mark.parametrize(("rule", "args", "kw"), CALLS)
def test_compiled_and_numpy_paths_choose_the_same_synapses(rule, args, kw, monkeypatch):
    numpy_path = getattr(conn, rule)(*args, np.random.default_rng(11), **kw)
    monkeypatch.setattr(conn, "_COMPILED_KEYS", 0)  # every block in compiled code
    compiled = getattr(conn, rule)(*args, np.random.default_rng(11), **kw)
    for a, b in zip(numpy_path, compiled):
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.int64


@pytest.mark.parametrize(("rule", "args", "kw"), CALLS)
def test_csr_form_is_the_public_pairs_compressed(rule, args, kw):
    pre, post = getattr(conn, rule)(*args, np.random.default_rng(3), **kw)
    params = {"fixed_outdegree": "k", "fixed_indegree": "k", "fixed_probability": "p",
              "fixed_total_number": "n_synapses"}
    indptr, targets = conn.csr(rule, args[0], args[1], np.random.default_rng(3), **{params[rule]: args[2]}, **kw)
    assert indptr.dtype == np.int64 and targets.dtype == np.int32
    np.testing.assert_array_equal(np.diff(indptr), np.bincount(pre, minlength=args[0]))
    np.testing.assert_array_equal(targets, post)
    # CSR order: sources ascending, targets ascending within each source
    assert np.all(np.diff(pre) >= 0)
    assert np.all((np.diff(pre) > 0) | (np.diff(post) >= 0))


@pytest.fixture
def sparse(monkeypatch):
    monkeypatch.setattr(conn, "_SPARSE_PAIRS", 0)


def test_sparse_fixed_indegree_keeps_the_degree_distinct_sources_and_no_autapses(sparse):
    n = 3000
    pre, post = conn.fixed_indegree(n, n, 100, np.random.default_rng(1), self_index=np.arange(n))
    np.testing.assert_array_equal(np.bincount(post, minlength=n), 100)
    assert not np.any(pre == post)
    assert np.unique(pre * n + post).size == pre.size
    assert np.all(np.diff(pre) >= 0)


def test_sparse_fixed_outdegree_targets_are_uniform(sparse):
    # each of 200 targets is chosen by each of 20000 sources with probability 10/200
    pre, post = conn.fixed_outdegree(20000, 200, 10, np.random.default_rng(2))
    np.testing.assert_array_equal(np.bincount(pre, minlength=20000), 10)
    counts = np.bincount(post, minlength=200)
    expected = 20000 * 10 / 200
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 199 + 6 * math.sqrt(2 * 199)
    # and the pairs of targets chosen together are not favoured: neighbours as often as others
    rows = post.reshape(20000, 10)
    adjacent = np.count_nonzero(np.diff(rows, axis=1) == 1)
    expected_adjacent = 20000 * 10 * 9 / 200  # per row (n - 1) neighbour pairs, each chosen w.p. k(k-1)/(n(n-1))
    assert abs(adjacent - expected_adjacent) < 6 * math.sqrt(expected_adjacent)


def test_sparse_rule_is_reproducible_from_the_seed_and_differs_between_seeds(sparse):
    a = conn.fixed_indegree(500, 700, 20, np.random.default_rng(4))
    b = conn.fixed_indegree(500, 700, 20, np.random.default_rng(4))
    c = conn.fixed_indegree(500, 700, 20, np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(("rule", "params"), [("fixed_probability", {"p": 0.1}), ("fixed_indegree", {"k": 7}),
                                          ("fixed_outdegree", {"k": 5}), ("fixed_total_number", {"n_synapses": 300})])
def test_a_remembered_rule_gives_the_same_synapses_and_leaves_the_generator_where_drawing_would(rule, params):
    conn.REMEMBERED.clear()
    drawn_rng = np.random.default_rng(7)
    indptr, post = conn._csr(rule, 60, 50, drawn_rng, **params)  # without the memory
    after = drawn_rng.random(3)
    for _ in range(2):  # the first call draws and remembers, the second remembers
        rng = np.random.default_rng(7)
        got_indptr, got_post = conn.csr(rule, 60, 50, rng, **params)
        np.testing.assert_array_equal(got_indptr, indptr)
        np.testing.assert_array_equal(got_post, post)
        np.testing.assert_array_equal(rng.random(3), after)  # the next draws are the same
        assert not got_post.flags.writeable, "a remembered array must not be changed by its user"
    other = conn.csr(rule, 60, 50, np.random.default_rng(8), **params)[1]
    assert not np.array_equal(other, post) or other.size == 0  # another state: drawn again


def test_the_memory_holds_a_few_small_rules_only(monkeypatch):
    conn.REMEMBERED.clear()
    for seed in range(conn.REMEMBERED.entries + 3):
        conn.csr("fixed_probability", 40, 40, np.random.default_rng(seed), p=0.2)
    assert len(conn.REMEMBERED) == conn.REMEMBERED.entries
    monkeypatch.setattr(conn.REMEMBERED, "largest", 10)
    _, post = conn.csr("fixed_probability", 40, 40, np.random.default_rng(99), p=0.2)
    assert post.flags.writeable and len(conn.REMEMBERED) == conn.REMEMBERED.entries  # too large: not kept
