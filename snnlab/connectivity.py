"""Connection rules: small pure functions returning ``(pre, post)`` index arrays.

Every rule takes the sizes of the source and target groups and returns two int64
arrays of local indices, sorted by ``pre`` then ``post`` (CSR order). Random rules
take a ``numpy.random.Generator``.

``self_index`` tells a rule which pairs would be autapses (a neuron onto itself):
``self_index[i]`` is the target-side index of source neuron ``i`` when source and
target overlap, ``-1`` where it is not among the targets; ``None`` when they are
disjoint. Autapses are excluded unless ``autapses=True``; multapses (the same pair
twice) are excluded unless ``multapses=True``.

Weights and delays per synapse can be numbers, arrays, or the distributions
:class:`Normal` and :class:`Uniform`, drawn per synapse from the network's stream.

Memory
------
Each rule is computed in compressed sparse row form, ``(indptr, post)``: ``indptr``
(int64, ``n_pre + 1``) delimits each source's row and ``post`` (int32) lists the
targets, ascending within a row. The engine keeps only that (no source index per
synapse; :func:`csr` is its entry point); the public functions expand it into the
documented ``(pre, post)`` pairs. The random rules draw from the generator exactly what
they drew before the CSR form existed (the same uniform keys, block by block), so a seed
gives the same synapses as in earlier versions; large ones select in compiled code
(:mod:`snnlab._kernels`) instead of sorting. One exception: a fixed in- or out-degree
over more than 2**28 possible pairs (16,384 x 16,384; a Brunel network of more than
about 18,000 neurons) draws its k choices per row directly instead of one key per
possible pair, so that building grows with the number of synapses rather than with the
square of the number of neurons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from ._remember import Remembered

RULES = (
    "all_to_all",
    "one_to_one",
    "fixed_probability",
    "fixed_outdegree",
    "fixed_indegree",
    "fixed_total_number",
    "pairs",
    "adjacency",
)

#: Random numbers drawn per block when a rule samples a matrix row by row (8 MB; the draws
#: do not depend on it: the generator is consumed in the same order whatever the blocks).
_BLOCK = 1 << 20
#: Below this many keys a rule selects with numpy (no compiled code to load); above, compiled.
_COMPILED_KEYS = 1 << 16
#: A fixed in- or out-degree over more pairs than this (about 16,000 x 16,000 neurons) draws
#: its k sources or targets directly (:func:`snnlab._kernels.sample_k_rows`, work ~ k per
#: row) instead of one key per possible pair (work ~ n per row, as in the core's version).
_SPARSE_PAIRS = 1 << 28
#: Bit generators whose ``Generator.random()`` is ``(next_uint64 >> 11) * 2**-53``: their raw
#: output can be drawn in bulk (several times faster) and turned into the same doubles.
_RAW_DOUBLES = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)


def _kernels():
    from . import _kernels  # numba, imported on first use

    return _kernels


def _raw_keys(rng, size: int) -> np.ndarray:
    """``size`` uniform keys as uint64 whose ``(x >> 11) * 2**-53`` are exactly the values
    ``rng.random(size)`` would return, consuming the generator identically."""
    if type(rng.bit_generator) in _RAW_DOUBLES:
        return rng.bit_generator.random_raw(size)
    # every Generator double is a multiple of 2**-53 below 1, so this round trip is exact
    return (rng.random(size) * 2.0**53).astype(np.uint64) << np.uint64(11)


def _keys(rng, shape) -> np.ndarray:
    """``rng.random(shape)``; for small blocks, where the numpy path is used."""
    return rng.random(shape)


def _expand(indptr: np.ndarray, post: np.ndarray):
    """CSR to the public ``(pre, post)`` int64 pairs."""
    pre = np.repeat(np.arange(indptr.size - 1, dtype=np.int64), np.diff(indptr))
    return pre, post.astype(np.int64)


def _csr_from_pairs(pre: np.ndarray, post: np.ndarray, n_pre: int, *, is_sorted: bool = False):
    """CSR of ``(pre, post)`` pairs, sorted by ``pre`` then ``post``."""
    if not is_sorted:
        order = np.lexsort((post, pre))
        pre, post = pre[order], post[order]
    counts = np.bincount(pre, minlength=n_pre) if pre.size else np.zeros(n_pre, dtype=np.int64)
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, np.asarray(post).astype(np.int32)


def _empty(n_pre: int):
    return np.zeros(n_pre + 1, dtype=np.int64), np.empty(0, dtype=np.int32)


def _excluded(n_pre, self_index, autapses):
    """self_index with -1 where no pair needs excluding (autapses allowed, or disjoint)."""
    if autapses or self_index is None:
        return np.full(n_pre, -1, dtype=np.int64)
    return np.asarray(self_index, dtype=np.int64)


def _available(n_post, excl):
    return n_post - (excl >= 0).astype(np.int64)


def _inverse(self_index, n_pre, n_post):
    if self_index is None:
        return None
    inv = np.full(n_post, -1, dtype=np.int64)
    si = np.asarray(self_index, dtype=np.int64)
    has = si >= 0
    inv[si[has]] = np.flatnonzero(has)
    return inv


# -- the rules, in CSR form ------------------------------------------------------------------------------


def _all_to_all(n_pre, n_post, self_index, autapses):
    excl = _excluded(n_pre, self_index, autapses)
    post = np.tile(np.arange(n_post, dtype=np.int32), n_pre)
    counts = np.full(n_pre, n_post, dtype=np.int64)
    if np.any(excl >= 0):
        keep = np.ones((n_pre, n_post), dtype=bool)
        rows = np.flatnonzero(excl >= 0)
        keep[rows, excl[rows]] = False
        post = post[keep.ravel()]
        counts -= excl >= 0
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, post


def _one_to_one(n_pre, n_post, self_index, autapses):
    if n_pre != n_post:
        raise ValueError(
            f"connect: rule 'one_to_one' needs as many targets as sources (got {n_pre} sources, {n_post} targets)"
        )
    pre = np.arange(n_pre, dtype=np.int64)
    excl = _excluded(n_pre, self_index, autapses)
    keep = pre != excl
    if n_pre and not keep.any():
        raise ValueError(
            "connect: rule 'one_to_one' from a population onto itself makes only autapses; "
            "pass autapses=True to connect each neuron to itself"
        )
    return _csr_from_pairs(pre[keep], pre[keep], n_pre, is_sorted=True)


def _fixed_probability(n_pre, n_post, p, rng, self_index, autapses):
    excl = _excluded(n_pre, self_index, autapses)
    rows = max(1, _BLOCK // max(n_post, 1))
    counts = np.zeros(n_pre, dtype=np.int64)
    posts = []
    for start in range(0, n_pre, rows):  # blocks of rows, to bound memory at build time
        stop = min(n_pre, start + rows)
        size = (stop - start) * n_post
        if size < _COMPILED_KEYS:
            hit = _keys(rng, (stop - start, n_post)) < p
            r = np.arange(start, stop)
            has_self = excl[r] >= 0
            hit[np.flatnonzero(has_self), excl[r][has_self]] = False
            counts[start:stop] = hit.sum(axis=1)
            posts.append(np.nonzero(hit)[1].astype(np.int32))
        else:
            raw = _raw_keys(rng, size).reshape(stop - start, n_post)
            posts.append(_kernels().bernoulli_rows(raw, p, excl[start:stop], counts[start:stop]))
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    post = np.concatenate(posts) if posts else np.empty(0, dtype=np.int32)
    return indptr, post


def _check_degree(k, avail, multapses, per, among):
    if multapses:
        if avail.min() < 1:
            raise ValueError(f"connect: k {among}s per {per} need at least one possible {among} (got none)")
    elif k > avail.min():
        raise ValueError(
            f"connect.k: must be <= {int(avail.min())}, the number of possible {among}s per {per} "
            f"without multapses (got {k}); lower k, or pass multapses=True"
        )


def _choose_k(n_rows, n_cols, k, rng, excl, multapses):
    """For each of ``n_rows`` rows, ``k`` columns among ``n_cols`` (never ``excl[row]``):
    distinct ones (the k smallest of i.i.d. uniform keys: a uniformly random k-subset; in
    large sparse cases, repeated uniform draws until k distinct ones), or with repeats
    (uniform draws) when ``multapses``. Returns int32 (n_rows, k), each row ascending."""
    has_self = excl >= 0
    if multapses:
        draw = rng.integers(0, _available(n_cols, excl)[:, None], size=(n_rows, k))
        draw[has_self] += draw[has_self] >= excl[has_self, None]
        draw.sort(axis=1)
        return draw.astype(np.int32)
    chosen = np.empty((n_rows, k), dtype=np.int32)
    if n_rows * n_cols > _SPARSE_PAIRS and 4 * k <= n_cols:
        # its own SFC64 stream, seeded from the rule's generator
        seed = np.random.SeedSequence(rng.integers(0, 2**63, size=4))
        state = np.array(np.random.SFC64(seed).state["state"]["state"], dtype=np.uint64)
        _kernels().sample_k_rows(state, n_cols, k, excl, chosen)
        return chosen
    rows = max(1, _BLOCK // max(n_cols, 1))
    for start in range(0, n_rows, rows):  # blocks of rows, to bound memory at build time
        stop = min(n_rows, start + rows)
        size = (stop - start) * n_cols
        if size < _COMPILED_KEYS:
            keys = _keys(rng, (stop - start, n_cols))
            r = np.arange(start, stop)
            own = has_self[r]
            keys[np.flatnonzero(own), excl[r][own]] = 2.0  # never among the k smallest
            part = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n_cols else np.argsort(keys, axis=1)[:, :k]
            part.sort(axis=1)
            chosen[start:stop] = part
        else:
            raw = _raw_keys(rng, size).reshape(stop - start, n_cols)
            _kernels().k_smallest_rows(raw, k, excl[start:stop], chosen[start:stop])
    return chosen


def _fixed_outdegree(n_pre, n_post, k, rng, self_index, autapses, multapses):
    excl = _excluded(n_pre, self_index, autapses)
    if n_pre == 0 or k == 0:
        return _empty(n_pre)
    _check_degree(k, _available(n_post, excl), multapses, "source", "target")
    chosen = _choose_k(n_pre, n_post, k, rng, excl, multapses)
    return np.arange(n_pre + 1, dtype=np.int64) * k, chosen.reshape(-1)


def _fixed_indegree(n_pre, n_post, k, rng, self_index, autapses, multapses):
    excl = _excluded(n_post, _inverse(self_index, n_pre, n_post), autapses)
    if n_post == 0 or k == 0:
        return _empty(n_pre)
    _check_degree(k, _available(n_pre, excl), multapses, "target", "source")
    # the sources of each target (a fixed out-degree of the reversed graph), then turned
    # into rows by source: targets come out ascending within each row
    sources = _choose_k(n_post, n_pre, k, rng, excl, multapses)
    if sources.size < _COMPILED_KEYS:
        pre = sources.reshape(-1).astype(np.int64)
        post = np.repeat(np.arange(n_post, dtype=np.int64), k)
        order = np.argsort(pre, kind="stable")
        return _csr_from_pairs(pre[order], post[order], n_pre, is_sorted=True)
    indptr = np.empty(n_pre + 1, dtype=np.int64)
    post = _kernels().transpose_rows(sources, n_pre, indptr)
    return indptr, post


def _fixed_total_number(n_pre, n_post, n_synapses, rng, self_index, autapses, multapses):
    excl = _excluded(n_pre, self_index, autapses)
    excluded_flat = np.sort(np.flatnonzero(excl >= 0) * n_post + excl[excl >= 0])
    possible = n_pre * n_post - excluded_flat.size
    if n_synapses == 0:
        return _empty(n_pre)
    if multapses:
        if possible < 1:
            raise ValueError("connect: rule 'fixed_total_number' has no possible pair to connect")
        flat = rng.integers(0, possible, size=n_synapses)
    else:
        if n_synapses > possible:
            raise ValueError(
                f"connect.n_synapses: must be <= {possible}, the number of possible pairs without "
                f"multapses (got {n_synapses}); lower it, or pass multapses=True"
            )
        flat = rng.choice(possible, size=n_synapses, replace=False)
    # skip over the excluded (autapse) positions: x-th allowed position
    shifted = excluded_flat - np.arange(excluded_flat.size)
    flat = flat + np.searchsorted(shifted, flat, side="right")
    flat.sort()  # by pre, then post: the CSR order
    return _csr_from_pairs(flat // n_post, flat % n_post, n_pre, is_sorted=True)


def _pairs(pairs, n_pre, n_post, self_index, autapses, multapses, name="pairs"):
    """CSR of listed pairs, and ``listed``: ``listed[s]`` is the position in the user's listing
    of the synapse at CSR position ``s`` (so a per-synapse value ``v`` given in the listing's
    order is ``v[listed]`` in CSR order; multapses keep their listing order).

    ``name`` is the parameter the pairs came from: "pairs", or "targets" for adjacency lists
    (whose messages then point at the source's list, ``targets[i]``)."""
    array = check.array("connect", "pairs", pairs, kinds="iufb")
    if array.size == 0:
        return (*_empty(n_pre), np.empty(0, dtype=np.int64))
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise TypeError(
            f"connect.pairs: must be a sequence of (source, target) integer pairs (got {check._show(pairs)})"
        )
    pre, post = array[:, 0].astype(np.int64), array[:, 1].astype(np.int64)

    def where(i):
        return f"connect.{name}[{pre[i] if name == 'targets' else i}]"

    for side, idx, size in (("source", pre, n_pre), ("target", post, n_post)):
        bad = np.flatnonzero((idx < 0) | (idx >= size))
        if bad.size:
            raise ValueError(f"{where(bad[0])}: {side} index must be in [0, {size - 1}] (got {int(idx[bad[0]])})")
    excl = _excluded(n_pre, self_index, autapses)
    auto = np.flatnonzero(post == excl[pre])
    if auto.size:
        i = auto[0]
        raise ValueError(
            f"{where(i)}: ({pre[i]}, {post[i]}) connects a neuron to itself; pass autapses=True to allow it"
        )
    order = np.lexsort((post, pre))  # stable: listed multapses stay in their listing order
    pre, post = pre[order], post[order]
    if not multapses and pre.size > 1:
        dup = np.flatnonzero((pre[1:] == pre[:-1]) & (post[1:] == post[:-1]))
        if dup.size:
            i = dup[0]
            raise ValueError(
                f"connect.{name}: ({pre[i]}, {post[i]}) is listed twice; pass multapses=True to allow it"
            )
    return (*_csr_from_pairs(pre, post, n_pre, is_sorted=True), order)


def _adjacency(targets, n_pre, n_post, self_index, autapses, multapses):
    if isinstance(targets, (str, bytes)) or not hasattr(targets, "__len__"):
        raise TypeError(f"connect.targets: must be a list of lists, one per source (got {check._show(targets)})")
    if len(targets) != n_pre:
        raise ValueError(f"connect.targets: must hold one list per source, {n_pre} (got {len(targets)})")
    pre, post = [], []
    for i, row in enumerate(targets):  # build time: turns lists into arrays once
        row = check.array("connect", f"targets[{i}]", row if check.ndim("connect", f"targets[{i}]", row) else [row],
                          kinds="iufb")
        if row.size and row.dtype.kind not in "iu":
            raise TypeError(
                f"connect.targets[{i}]: must hold integer target indices (got {check._show(row.tolist())})"
            )
        pre.append(np.full(row.size, i, dtype=np.int64))
        post.append(row.astype(np.int64))
    array = np.stack([np.concatenate(pre), np.concatenate(post)], axis=1) if pre else np.empty((0, 2), np.int64)
    return _pairs(array, n_pre, n_post, self_index, autapses, multapses, name="targets")


#: Random connectivity remembered by :func:`csr`: the last 8 rules of up to 2,000,000 synapses each
#: (a slider panel builds the same network again with other weights or currents on every change,
#: and drawing its synapses is a third of that).
REMEMBERED = Remembered(entries=8, largest=2_000_000)


def csr(rule: str, n_pre: int, n_post: int, rng, *, self_index=None, autapses: bool = False,
        multapses: bool = False, p=None, k=None, n_synapses=None, pairs=None, targets=None):
    """Synapses of one rule in CSR form (what the engine keeps).

    A random rule's result is remembered with the generator's state before and after the
    draw (:data:`REMEMBERED`): the same rule, sizes and state give the same synapses and leave
    the generator where the draw would have, without drawing again. The arrays are read-only.

    Returns
    -------
    indptr : ndarray (n_pre + 1,), int64
        Row ``i`` (the targets of source ``i``) is ``post[indptr[i]:indptr[i + 1]]``.
    post : ndarray (n_synapses,), int32
        Target indices, ascending within each row.
    """
    if rule not in _RANDOM or not isinstance(rng, np.random.Generator):
        return _csr(rule, n_pre, n_post, rng, self_index=self_index, autapses=autapses, multapses=multapses,
                    p=p, k=k, n_synapses=n_synapses, pairs=pairs, targets=targets)
    key = (rule, n_pre, n_post, None if self_index is None else np.asarray(self_index).tobytes(), autapses,
           multapses, p, k, n_synapses)
    return REMEMBERED.draw(key, rng, lambda rng: _csr(rule, n_pre, n_post, rng, self_index=self_index,
                                                      autapses=autapses, multapses=multapses, p=p, k=k,
                                                      n_synapses=n_synapses))


_RANDOM = ("fixed_probability", "fixed_outdegree", "fixed_indegree", "fixed_total_number")


def _csr(rule: str, n_pre: int, n_post: int, rng, *, self_index=None, autapses: bool = False,
         multapses: bool = False, p=None, k=None, n_synapses=None, pairs=None, targets=None):
    """:func:`csr` without its memory."""
    if rule == "all_to_all":
        return _all_to_all(n_pre, n_post, self_index, autapses)
    if rule == "one_to_one":
        return _one_to_one(n_pre, n_post, self_index, autapses)
    if rule == "fixed_probability":
        return _fixed_probability(n_pre, n_post, p, rng, self_index, autapses)
    if rule == "fixed_outdegree":
        return _fixed_outdegree(n_pre, n_post, k, rng, self_index, autapses, multapses)
    if rule == "fixed_indegree":
        return _fixed_indegree(n_pre, n_post, k, rng, self_index, autapses, multapses)
    if rule == "fixed_total_number":
        return _fixed_total_number(n_pre, n_post, n_synapses, rng, self_index, autapses, multapses)
    if rule in LISTED_RULES:
        return csr_listed(rule, n_pre, n_post, self_index=self_index, autapses=autapses, multapses=multapses,
                          pairs=pairs, targets=targets)[:2]
    raise ValueError(f"connect.rule: must be one of {', '.join(repr(r) for r in RULES)} (got {check._show(rule)})")


#: Rules whose synapses the user lists, so that a value per synapse is given in the listing's order.
LISTED_RULES = ("pairs", "adjacency")


def csr_listed(rule: str, n_pre: int, n_post: int, *, self_index=None, autapses: bool = False,
               multapses: bool = False, pairs=None, targets=None):
    """:func:`csr` for a rule of :data:`LISTED_RULES`, and the order in which the user listed the synapses.

    Returns
    -------
    indptr, post
        As :func:`csr`.
    listed : ndarray (n_synapses,), int64
        The position in the user's listing of each synapse in CSR order (for ``"adjacency"``
        the listing is ``targets[0]`` in its order, then ``targets[1]``, ...): a value per
        synapse given in the listing's order is ``value[listed]`` in CSR order. Listed
        multapses keep their listing order.
    """
    if rule == "pairs":
        return _pairs(pairs, n_pre, n_post, self_index, autapses, multapses)
    return _adjacency(targets, n_pre, n_post, self_index, autapses, multapses)


# -- the rules, public: (pre, post) pairs -----------------------------------------------------------------


def all_to_all(n_pre: int, n_post: int, *, self_index=None, autapses: bool = False):
    """Every source to every target (but itself unless ``autapses``)."""
    return _expand(*_all_to_all(n_pre, n_post, self_index, autapses))


def one_to_one(n_pre: int, n_post: int, *, self_index=None, autapses: bool = False):
    """Source i to target i; both groups must have the same size."""
    return _expand(*_one_to_one(n_pre, n_post, self_index, autapses))


def fixed_probability(n_pre: int, n_post: int, p: float, rng, *, self_index=None, autapses: bool = False):
    """Each possible pair independently with probability ``p`` (Bernoulli)."""
    return _expand(*_fixed_probability(n_pre, n_post, p, rng, self_index, autapses))


def fixed_outdegree(n_pre: int, n_post: int, k: int, rng, *, self_index=None, autapses: bool = False,
                    multapses: bool = False):
    """Each source to exactly ``k`` targets drawn at random (the report's rule, with
    ``k = ceil(N*p)``). Without multapses the ``k`` targets are distinct."""
    return _expand(*_fixed_outdegree(n_pre, n_post, k, rng, self_index, autapses, multapses))


def fixed_indegree(n_pre: int, n_post: int, k: int, rng, *, self_index=None, autapses: bool = False,
                   multapses: bool = False):
    """Each target from exactly ``k`` sources drawn at random."""
    return _expand(*_fixed_indegree(n_pre, n_post, k, rng, self_index, autapses, multapses))


def fixed_total_number(n_pre: int, n_post: int, n_synapses: int, rng, *, self_index=None,
                       autapses: bool = False, multapses: bool = False):
    """Exactly ``n_synapses`` synapses between random pairs."""
    return _expand(*_fixed_total_number(n_pre, n_post, n_synapses, rng, self_index, autapses, multapses))


def pairs(pairs, n_pre: int, n_post: int, *, self_index=None, autapses: bool = False,
          multapses: bool = False):
    """Explicit ``(source, target)`` pairs, local indices.

    Returned, like every rule's, sorted by source then target (CSR order), not in the
    listing's order; :meth:`snnlab.Network.connect` gives a per-synapse weight or delay to
    the pair listed at the same position (see :func:`csr_listed`)."""
    return _expand(*_pairs(pairs, n_pre, n_post, self_index, autapses, multapses)[:2])


def adjacency(targets, n_pre: int, n_post: int, *, self_index=None, autapses: bool = False,
              multapses: bool = False):
    """Adjacency lists: ``targets[i]`` lists the targets of source ``i`` (the report's
    ``connections = [[1], [0]]``). Returned sorted by source then target, like :func:`pairs`."""
    return _expand(*_adjacency(targets, n_pre, n_post, self_index, autapses, multapses)[:2])


def expected_count(rule: str, n_pre: int, n_post: int, *, p=None, k=None, n_synapses=None, given=0) -> float:
    """Synapses a rule will make (an upper estimate for the random ones), before drawing them."""
    if rule == "all_to_all":
        return float(n_pre) * n_post
    if rule == "one_to_one":
        return float(n_pre)
    if rule == "fixed_probability":
        mean = p * n_pre * n_post
        return mean + 5 * math.sqrt(max(mean, 1.0))
    if rule == "fixed_outdegree":
        return float(n_pre) * k
    if rule == "fixed_indegree":
        return float(n_post) * k
    if rule == "fixed_total_number":
        return float(n_synapses)
    return float(given)


# -- per-synapse parameters ------------------------------------------------------------------


@dataclass(frozen=True)
class Normal:
    """Normal distribution ``N(mean, std**2)`` for per-synapse weights (mV) or delays (ms).
    A draw outside the allowed range (a negative weight, a delay under one step) is an
    error, never clipped."""

    mean: float
    std: float

    def __post_init__(self):
        object.__setattr__(self, "mean", check.real("Normal", "mean", self.mean))
        object.__setattr__(self, "std", check.non_negative("Normal", "std", self.std))

    def sample(self, rng, size):
        return rng.normal(self.mean, self.std, size)

    def describe(self):
        return {"type": "Normal", "mean": self.mean, "std": self.std}


@dataclass(frozen=True)
class Uniform:
    """Uniform distribution on ``[low, high)`` for per-synapse weights (mV) or delays (ms)."""

    low: float
    high: float

    def __post_init__(self):
        object.__setattr__(self, "low", check.real("Uniform", "low", self.low))
        object.__setattr__(self, "high", check.real("Uniform", "high", self.high))
        if not self.high >= self.low:
            raise ValueError(f"Uniform.high: must be >= low = {self.low!r} (got {self.high!r})")

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)

    def describe(self):
        return {"type": "Uniform", "low": self.low, "high": self.high}


DISTRIBUTIONS = (Normal, Uniform)


def per_synapse(owner: str, name: str, value, pre, post, shape, rng) -> np.ndarray | float:
    """Resolve a weight or delay into a number (shared by all synapses) or one value per synapse.

    ``value`` may be a number, a distribution, a 1-D array with one value per synapse (in
    the order of ``pre`` and ``post``) or a 2-D ``(n_pre, n_post)`` matrix indexed by each
    synapse's pair.
    """
    return _per_synapse(owner, name, value, np.size(pre), lambda: (pre, post), shape, rng)


def per_synapse_csr(owner: str, name: str, value, indptr, post, shape, rng, listed=None) -> np.ndarray | float:
    """:func:`per_synapse` for synapses in CSR form; source indices are made only for a matrix.

    ``listed`` (from :func:`csr_listed`) is given for synapses the user listed: a 1-D array
    then holds one value per synapse in the listing's order, and is returned in CSR order.
    """
    def pairs():
        return np.repeat(np.arange(indptr.size - 1, dtype=np.int32), np.diff(indptr)), post

    return _per_synapse(owner, name, value, post.size, pairs, shape, rng, listed)


def _per_synapse(owner, name, value, n_synapses, pairs, shape, rng, listed=None):
    if isinstance(value, DISTRIBUTIONS):
        return value.sample(rng, n_synapses)
    if np.ndim(value) == 0:
        return check.real(owner, name, value)
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{owner}.{name}: must hold numbers (got {check._show(value)})")
    if array.ndim == 1:
        if array.size != n_synapses:
            raise ValueError(
                f"{owner}.{name}: a 1-D array needs one value per synapse, {n_synapses} (got {array.size})"
            )
        return array.astype(float) if listed is None else array[listed].astype(float)
    if array.ndim == 2:
        if array.shape != shape:
            raise ValueError(
                f"{owner}.{name}: a matrix must have shape (n_pre, n_post) = {shape} (got {array.shape})"
            )
        pre, post = pairs()
        return array[pre, post].astype(float)
    raise ValueError(f"{owner}.{name}: must be a number, a distribution, a 1-D or a 2-D array (got {array.ndim}-D)")
