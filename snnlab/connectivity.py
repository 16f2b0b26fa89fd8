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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _checks as check

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

#: Random numbers drawn per block when a rule samples a matrix row by row.
_BLOCK = 1 << 22


def _sorted(pre: np.ndarray, post: np.ndarray):
    order = np.lexsort((post, pre))
    return pre[order].astype(np.int64, copy=False), post[order].astype(np.int64, copy=False)


def _excluded(n_pre, self_index, autapses):
    """self_index with -1 where no pair needs excluding (autapses allowed, or disjoint)."""
    if autapses or self_index is None:
        return np.full(n_pre, -1, dtype=np.int64)
    return np.asarray(self_index, dtype=np.int64)


def all_to_all(n_pre: int, n_post: int, *, self_index=None, autapses: bool = False):
    """Every source to every target (but itself unless ``autapses``)."""
    pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
    post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
    excl = _excluded(n_pre, self_index, autapses)
    keep = post != excl[pre]
    return pre[keep], post[keep]


def one_to_one(n_pre: int, n_post: int, *, self_index=None, autapses: bool = False):
    """Source i to target i; both groups must have the same size."""
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
    return pre[keep], pre[keep].copy()


def fixed_probability(n_pre: int, n_post: int, p: float, rng, *, self_index=None, autapses: bool = False):
    """Each possible pair independently with probability ``p`` (Bernoulli)."""
    excl = _excluded(n_pre, self_index, autapses)
    rows = max(1, _BLOCK // max(n_post, 1))
    pres, posts = [], []
    for start in range(0, n_pre, rows):  # blocks of rows, to bound memory at build time
        stop = min(n_pre, start + rows)
        hit = rng.random((stop - start, n_post)) < p
        r = np.arange(start, stop)
        has_self = excl[r] >= 0
        hit[np.flatnonzero(has_self), excl[r][has_self]] = False
        i, j = np.nonzero(hit)
        pres.append(i + start)
        posts.append(j)
    if not pres:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64)


def _available(n_post, excl):
    return n_post - (excl >= 0).astype(np.int64)


def fixed_outdegree(n_pre: int, n_post: int, k: int, rng, *, self_index=None, autapses: bool = False,
                    multapses: bool = False):
    """Each source to exactly ``k`` targets drawn at random (the report's rule, with
    ``k = ceil(N*p)``). Without multapses the ``k`` targets are distinct."""
    excl = _excluded(n_pre, self_index, autapses)
    avail = _available(n_post, excl)
    if n_pre == 0 or k == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if multapses:
        if avail.min() < 1:
            raise ValueError("connect: k targets per source need at least one possible target (got none)")
        draw = rng.integers(0, avail[:, None], size=(n_pre, k))
        has_self = excl >= 0
        draw[has_self] += draw[has_self] >= excl[has_self, None]
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), k)
        return _sorted(pre, draw.ravel())
    if k > avail.min():
        raise ValueError(
            f"connect.k: must be <= {int(avail.min())}, the number of possible targets per source "
            f"without multapses (got {k}); lower k, or pass multapses=True"
        )
    rows = max(1, _BLOCK // max(n_post, 1))
    chosen = np.empty((n_pre, k), dtype=np.int64)
    for start in range(0, n_pre, rows):  # blocks of rows, to bound memory at build time
        stop = min(n_pre, start + rows)
        keys = rng.random((stop - start, n_post))
        r = np.arange(start, stop)
        has_self = excl[r] >= 0
        keys[np.flatnonzero(has_self), excl[r][has_self]] = 2.0  # never among the k smallest
        # the k smallest of n i.i.d. uniform keys are a uniformly random k-subset
        part = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n_post else np.argsort(keys, axis=1)
        chosen[start:stop] = part[:, :k]
    pre = np.repeat(np.arange(n_pre, dtype=np.int64), k)
    return _sorted(pre, chosen.ravel())


def _inverse(self_index, n_pre, n_post):
    if self_index is None:
        return None
    inv = np.full(n_post, -1, dtype=np.int64)
    si = np.asarray(self_index, dtype=np.int64)
    has = si >= 0
    inv[si[has]] = np.flatnonzero(has)
    return inv


def fixed_indegree(n_pre: int, n_post: int, k: int, rng, *, self_index=None, autapses: bool = False,
                   multapses: bool = False):
    """Each target from exactly ``k`` sources drawn at random."""
    try:
        post, pre = fixed_outdegree(n_post, n_pre, k, rng, self_index=_inverse(self_index, n_pre, n_post),
                                    autapses=autapses, multapses=multapses)
    except ValueError as exc:
        raise ValueError(str(exc).replace("targets per source", "sources per target")
                         .replace("possible target", "possible source")) from None
    return _sorted(pre, post)


def fixed_total_number(n_pre: int, n_post: int, n_synapses: int, rng, *, self_index=None,
                       autapses: bool = False, multapses: bool = False):
    """Exactly ``n_synapses`` synapses between random pairs."""
    excl = _excluded(n_pre, self_index, autapses)
    excluded_flat = np.sort(np.flatnonzero(excl >= 0) * n_post + excl[excl >= 0])
    possible = n_pre * n_post - excluded_flat.size
    if n_synapses == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
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
    return _sorted(flat // n_post, flat % n_post)


def pairs(pairs, n_pre: int, n_post: int, *, self_index=None, autapses: bool = False,
          multapses: bool = False):
    """Explicit ``(source, target)`` pairs, local indices."""
    array = np.asarray(pairs)
    if array.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise TypeError(
            f"connect.pairs: must be a sequence of (source, target) integer pairs (got {check._show(pairs)})"
        )
    pre, post = array[:, 0].astype(np.int64), array[:, 1].astype(np.int64)
    for name, idx, size in (("source", pre, n_pre), ("target", post, n_post)):
        bad = np.flatnonzero((idx < 0) | (idx >= size))
        if bad.size:
            raise ValueError(
                f"connect.pairs[{bad[0]}]: {name} index must be in [0, {size - 1}] (got {int(idx[bad[0]])})"
            )
    excl = _excluded(n_pre, self_index, autapses)
    auto = np.flatnonzero(post == excl[pre])
    if auto.size:
        i = auto[0]
        raise ValueError(
            f"connect.pairs[{i}]: ({pre[i]}, {post[i]}) connects a neuron to itself; pass autapses=True to allow it"
        )
    pre, post = _sorted(pre, post)
    if not multapses and pre.size > 1:
        dup = np.flatnonzero((pre[1:] == pre[:-1]) & (post[1:] == post[:-1]))
        if dup.size:
            i = dup[0]
            raise ValueError(
                f"connect.pairs: ({pre[i]}, {post[i]}) is listed twice; pass multapses=True to allow it"
            )
    return pre, post


def adjacency(targets, n_pre: int, n_post: int, *, self_index=None, autapses: bool = False,
              multapses: bool = False):
    """Adjacency lists: ``targets[i]`` lists the targets of source ``i`` (the report's
    ``connections = [[1], [0]]``)."""
    if isinstance(targets, (str, bytes)) or not hasattr(targets, "__len__"):
        raise TypeError(f"connect.targets: must be a list of lists, one per source (got {check._show(targets)})")
    if len(targets) != n_pre:
        raise ValueError(f"connect.targets: must hold one list per source, {n_pre} (got {len(targets)})")
    pre, post = [], []
    for i, row in enumerate(targets):  # build time: turns lists into arrays once
        row = np.asarray(row if np.ndim(row) else [row])
        if row.size and row.dtype.kind not in "iu":
            raise TypeError(f"connect.targets[{i}]: must hold integer target indices (got {check._show(row.tolist())})")
        pre.append(np.full(row.size, i, dtype=np.int64))
        post.append(row.astype(np.int64))
    array = np.stack([np.concatenate(pre), np.concatenate(post)], axis=1) if pre else np.empty((0, 2), np.int64)
    return pairs(array, n_pre, n_post, self_index=self_index, autapses=autapses, multapses=multapses)


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
    CSR order) or a 2-D ``(n_pre, n_post)`` matrix indexed by each synapse's pair.
    """
    if isinstance(value, DISTRIBUTIONS):
        return value.sample(rng, pre.size)
    if np.ndim(value) == 0:
        return check.real(owner, name, value)
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{owner}.{name}: must hold numbers (got {check._show(value)})")
    if array.ndim == 1:
        if array.size != pre.size:
            raise ValueError(
                f"{owner}.{name}: a 1-D array needs one value per synapse, {pre.size} (got {array.size})"
            )
        return array.astype(float)
    if array.ndim == 2:
        if array.shape != shape:
            raise ValueError(f"{owner}.{name}: a matrix must have shape (n_pre, n_post) = {shape} (got {array.shape})")
        return array[pre, post].astype(float)
    raise ValueError(f"{owner}.{name}: must be a number, a distribution, a 1-D or a 2-D array (got {array.ndim}-D)")
