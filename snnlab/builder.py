"""Build a network description into flat arrays: :func:`build` returns a :class:`Built`.

The builder is the half of the engine that runs once, before the first step (as Nengo's
builder is apart from its simulator); :mod:`snnlab.engine` steps what it builds. It
reads the description (:mod:`snnlab.network`) and computes nothing that depends on time.

What it makes
-------------
- **Neurons** (:class:`NeuronArrays`): one vector per parameter and the initial
  potentials, for all neurons, populations one after the other in the order they were
  added (the network-wide numbering).
- **Synapses** (:class:`SynapseArrays`): per projection, its synapses in CSR order by
  presynaptic neuron (``indptr`` over all neurons), all projections' targets in one
  array; the signed weight (mV) and the delay (whole steps) of each projection, either
  one number or one value per synapse. A value per synapse given by the user follows the
  order in which the synapses were listed (``pairs``, ``adjacency``) and is carried
  through every reordering: the rule's sort into CSR order, the permutation of whole rows
  when a group lists its populations out of network order, and the join of projections.
- **Couplings** and **Poisson inputs** (:class:`CouplingArrays`, :class:`PoissonArrays`):
  flat tables, one entry per coupling or input, with each Poisson input's inversion
  table and the seed state of its random stream.

Every check that involves several objects runs here: the memory a network would need
(first, before anything is allocated), dt against each tau_m, initial potentials drawn
from a distribution, delays and refractory periods rounded to whole steps (one rule for
every duration, :func:`snnlab._checks.whole_steps`), weights drawn negative, Poisson rates.

Memory
------
A synapse costs 2 bytes (a uint16 target, in networks of at most 65,536 neurons) or 4
(an int32 target); its source is implied by its CSR row. A per-synapse weight adds 8
bytes and a per-synapse delay 4, only in projections whose weight or delay is not one
number. All projections share one target array, and :class:`snnlab.Result` computes
``connections()`` from it on demand rather than holding a copy.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import numpy as np

from . import _checks as check
from . import connectivity as conn
from ._poisson import poisson_stream, poisson_table

#: Bytes a synapse costs at most while it is built (its target, the transposed copy a
#: fixed in-degree makes, a per-synapse weight and delay, and the joined target array).
BUILD_BYTES_PER_SYNAPSE = 24
#: The most input spikes a Poisson input may bring a neuron per step, on average (its
#: inversion table grows with the square root of this).
MAX_POISSON_PER_STEP = 1e6
#: Bytes a neuron costs in the state and parameter arrays (a dozen numbers), besides the ring buffer.
BYTES_PER_NEURON = 128
#: Networks of at most this many neurons store synapse targets as uint16, larger ones as int32.
UINT16_NEURONS = 1 << 16
#: Targets translated to network-wide indices per pass (bounds the temporary index array).
REMAP_CHUNK = 1 << 20


@dataclass
class Block:
    """One projection: CSR over all neurons by presynaptic (global) index.

    ``post`` is a view into the joined target array (no copy).
    """

    indptr: np.ndarray  # (N + 1,) int64, offsets into post
    post: np.ndarray  # (n_syn,) global target indices, row by row (uint16 or int32)
    weight: float | np.ndarray  # signed, mV: one number or one per synapse
    delay: int | np.ndarray  # steps: one number or one per synapse (int32)
    label: str

    @property
    def n_synapses(self) -> int:
        return int(self.post.size)

    @property
    def pre(self) -> np.ndarray:
        """Global source index of each synapse (int32), made on demand from ``indptr``."""
        return np.repeat(np.arange(self.indptr.size - 1, dtype=np.int32), np.diff(self.indptr))


@dataclass
class NeuronArrays:
    """One value per neuron (network-wide numbering); potentials mV, R MΩ."""

    u_init: np.ndarray  # potential at t = 0
    u_rest: np.ndarray
    resistance: np.ndarray
    decay: np.ndarray  # the factor a of one step, exp(-dt/tau_m) or 1 - dt/tau_m
    threshold: np.ndarray
    u_reset: np.ndarray
    floor: np.ndarray  # -inf where there is none
    refractory_steps: np.ndarray  # int64
    sign: np.ndarray  # +1 excitatory, -1 inhibitory

    def kernel_args(self) -> tuple:
        return self.decay, self.threshold, self.u_reset, self.floor, self.refractory_steps


@dataclass
class SynapseArrays:
    """All projections joined, as the kernel reads them.

    ``indptr`` (B, N+1) offsets into ``post``; per projection ``b`` a weight ``w_scalar[b]``
    or, where ``w_per[b]``, ``syn_weight[s + w_shift[b]]`` for synapse ``s``; delays alike
    (``d_scalar``, ``d_per``, ``syn_delay``, ``d_shift``). ``blocks`` are the projections,
    their arrays views into these.
    """

    indptr: np.ndarray
    post: np.ndarray
    w_scalar: np.ndarray
    w_per: np.ndarray
    w_shift: np.ndarray
    syn_weight: np.ndarray
    d_scalar: np.ndarray
    d_per: np.ndarray
    d_shift: np.ndarray
    syn_delay: np.ndarray
    blocks: list[Block] = field(default_factory=list)

    def kernel_args(self) -> tuple:
        return (self.indptr, self.post, self.w_scalar, self.w_per, self.w_shift, self.syn_weight,
                self.d_scalar, self.d_per, self.d_shift, self.syn_delay)


@dataclass
class CouplingArrays:
    """The report's population-level couplings: coupling ``c`` counts the spikes of neurons
    ``lo[c] .. hi[c]-1`` and every ``every[c]`` of them sends ``effect[c]`` mV (signed) to the
    neurons ``post[ptr[c]:ptr[c+1]]`` after ``delay[c]`` steps."""

    lo: np.ndarray
    hi: np.ndarray
    every: np.ndarray
    delay: np.ndarray
    effect: np.ndarray
    ptr: np.ndarray
    post: np.ndarray

    def kernel_args(self) -> tuple:
        return self.lo, self.hi, self.every, self.delay, self.effect, self.ptr, self.post


@dataclass
class PoissonArrays:
    """Poisson inputs: input ``p`` drives neurons ``lo[p] .. hi[p]-1`` with ``weight[p]`` mV
    (signed) per input spike, counts drawn by inversion of its table (``cdf``, ``guide``,
    ``xmin``, see :func:`snnlab._poisson.poisson_table`, concatenated with offsets) from
    the stream whose seed state is ``state[p]``."""

    lo: np.ndarray
    hi: np.ndarray
    weight: np.ndarray
    xmin: np.ndarray
    cdf: np.ndarray
    cdf_off: np.ndarray
    guide: np.ndarray
    guide_off: np.ndarray
    guide_shift: np.ndarray
    state: np.ndarray  # (P, 4) uint64: each run starts from a copy of it

    def kernel_args(self) -> tuple:
        """The tables, without the state (the runner passes its own copy after them)."""
        return (self.lo, self.hi, self.weight, self.xmin, self.cdf, self.cdf_off, self.guide, self.guide_off,
                self.guide_shift)


@dataclass
class Built:
    """A network as flat arrays: what :func:`build` makes and :class:`snnlab.Simulation` runs."""

    network: object  # the description it was built from (labels, currents, random streams)
    dt: float  # ms
    populations: list
    sizes: np.ndarray  # neurons per population
    offsets: np.ndarray  # first neuron of each population, and N at the end
    neurons: NeuronArrays
    synapses: SynapseArrays
    couplings: CouplingArrays
    poisson: PoissonArrays
    max_delay: int  # steps: the ring buffer has max_delay + 1 rows
    expected_synapses: float  # the estimate the memory check used
    description: dict  # network.describe() at build time
    pickled_description: bytes | None  # the same, pickled (None if it cannot be)

    @property
    def n(self) -> int:
        return int(self.offsets[-1])

    def slice(self, pop) -> tuple[int, int]:
        """Network-wide indices ``lo, hi`` of a population's neurons."""
        return _slice(self.offsets, pop)


def _slice(offsets, pop) -> tuple[int, int]:
    return int(offsets[pop.index]), int(offsets[pop.index + 1])


def build(network, *, uint16_neurons: int = UINT16_NEURONS) -> Built:
    """Turn a :class:`snnlab.Network` into flat arrays, running every check first.

    ``uint16_neurons``: networks of at most this many neurons store targets as uint16.
    """
    return _Builder(network).build(uint16_neurons)


class _Builder:
    """The state of one build: the network-wide numbering of the neurons."""

    def __init__(self, network):
        self.network = network
        self.dt = network.dt
        self.populations = list(network.populations.values())
        if not self.populations:
            raise ValueError("Network.build: the network has no population; add one with add_population")
        self.sizes = np.array([p.n for p in self.populations], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.n = int(self.offsets[-1])

    def build(self, uint16_neurons: int) -> Built:
        net = self.network
        expected = self._check_size()  # first: refuse what would not fit before allocating anything
        neurons = self._neuron_arrays()
        self._check_dt()
        synapses = self._join([self._build_projection(p, neurons.sign) for p in net.projections], uint16_neurons)
        couplings = self._couplings()
        poisson = self._poisson()
        delays = [int(np.max(b.delay)) for b in synapses.blocks if b.n_synapses] + couplings.delay.tolist()
        # what was built, saved with every result (the network may change after the build);
        # kept pickled, so that each result gets its own copy in a few microseconds
        description = net.describe()
        try:
            pickled = pickle.dumps(description, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # a custom current's describe()
            pickled = None
        return Built(net, self.dt, self.populations, self.sizes, self.offsets, neurons, synapses, couplings,
                     poisson, max(delays, default=1), expected, description, pickled)

    # -- numbering -------------------------------------------------------------------------------
    def _slice(self, pop):
        return _slice(self.offsets, pop)

    def _ids(self, group) -> np.ndarray:
        return np.concatenate([np.arange(*self._slice(p), dtype=np.int64) for p in group])

    # -- checks ------------------------------------------------------------------------------------
    def _check_size(self) -> float:
        """Refuse a network that would not fit in memory; return the synapses expected."""
        net = self.network
        total = 0.0
        for proj in net.projections:
            n_pre = sum(p.n for p in proj.pre)
            n_post = sum(p.n for p in proj.post)
            given = 0
            if proj.rule == "pairs":
                given = len(proj.params["pairs"])
            elif proj.rule == "adjacency":
                given = sum(np.size(t) for t in proj.params["targets"])
            total += conn.expected_count(proj.rule, n_pre, n_post, given=given, **{
                k: v for k, v in proj.params.items() if k in ("p", "k", "n_synapses")})
        longest = max([_longest_delay(p.delay, self.dt) for p in net.projections]
                      + [_longest_delay(c.delay, self.dt) for c in net.couplings], default=1.0)
        parts = {
            f"the projections would hold about {total:.3g} synapses": total * BUILD_BYTES_PER_SYNAPSE,
            f"the {self.n:.3g} neurons": float(self.n) * BYTES_PER_NEURON,
            f"the ring buffer for delays of up to {longest:.3g} steps": (longest + 1.0) * self.n * 8.0,
        }
        need = sum(parts.values())
        avail = check.available_memory()
        if avail is not None and need > 0.8 * avail:
            biggest = max(parts, key=parts.get)
            raise check.SizeError(
                f"Network.build: {biggest}, needing about {check.fmt_bytes(need)} to build, more than the "
                f"{check.fmt_bytes(avail)} of memory available; use fewer neurons, sparser connections or "
                "shorter delays"
            )
        return total

    def _check_dt(self):
        for pop in self.populations:
            tau = pop.model.tau_m
            if pop.model.method == "euler" and self.dt >= tau:
                raise ValueError(
                    f"Network.dt: must be smaller than tau_m = {tau:g} ms of population {pop.label!r} for "
                    f"Euler integration, which is unstable otherwise (got {self.dt!r}); use a smaller dt or "
                    "LIF(method='exact')"
                )
            if self.dt > tau / 10:
                check.warn(
                    f"Network.dt: {self.dt!r} ms is not much smaller than tau_m = {tau:g} ms of population "
                    f"{pop.label!r}; spike times are only resolved to one step (dt <= tau_m/10 is safer)"
                )

    # -- neurons ---------------------------------------------------------------------------------
    def _neuron_arrays(self) -> NeuronArrays:
        pops, dt = self.populations, self.dt

        def per_neuron(get, dtype=float):
            return np.concatenate([np.full(p.n, get(p), dtype=dtype) for p in pops])

        def refractory(p):
            return check.refractory_steps(f"population {p.label!r}: LIF", p.model.refractory, dt)

        return NeuronArrays(
            u_init=np.concatenate([self._initial(p) for p in pops]),
            u_rest=per_neuron(lambda p: p.model.u_rest),
            resistance=per_neuron(lambda p: p.model.R),
            decay=per_neuron(lambda p: p.model.decay(dt)),
            threshold=per_neuron(lambda p: p.model.threshold),
            u_reset=per_neuron(lambda p: p.model.u_reset),
            floor=per_neuron(lambda p: -np.inf if p.model.floor is None else p.model.floor),
            refractory_steps=per_neuron(refractory, dtype=np.int64),
            sign=per_neuron(lambda p: p.sign),
        )

    def _initial(self, pop) -> np.ndarray:
        """Each neuron's potential at t = 0: the model's, or the population's ``u_init``."""
        if pop.u_init is None:
            return np.full(pop.n, pop.model.u_init)
        if isinstance(pop.u_init, conn.DISTRIBUTIONS):
            values = pop.u_init.sample(self.network.rng(4, pop.index), pop.n)
            check.initial_potentials(f"population {pop.label!r}: u_init", values, pop.model, pop.u_init)
            return values
        return np.broadcast_to(np.asarray(pop.u_init, dtype=float), (pop.n,)).copy()

    # -- synapses --------------------------------------------------------------------------------
    def _build_projection(self, proj, sign) -> Block:
        owner = f"connect({'+'.join(p.label for p in proj.pre)} -> {'+'.join(p.label for p in proj.post)})"
        pre_ids, post_ids = self._ids(proj.pre), self._ids(proj.post)
        n_pre, n_post = pre_ids.size, post_ids.size
        lookup = np.full(self.n, -1, dtype=np.int64)
        lookup[post_ids] = np.arange(n_post)
        self_index = lookup[pre_ids]
        if not np.any(self_index >= 0):
            self_index = None
        rng = self.network.rng(1, proj.index)
        try:
            if proj.rule in conn.LISTED_RULES:
                # the user listed the synapses: a value per synapse follows the listing, not CSR order
                indptr, post, listed = conn.csr_listed(proj.rule, n_pre, n_post, self_index=self_index,
                                                       autapses=proj.autapses, multapses=proj.multapses,
                                                       **proj.params)
            else:
                listed = None
                indptr, post = conn.csr(proj.rule, n_pre, n_post, rng, self_index=self_index,
                                        autapses=proj.autapses, multapses=proj.multapses, **proj.params)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{owner}: {exc}") from None
        shape = (n_pre, n_post)
        weight = conn.per_synapse_csr(owner, "weight", proj.weight, indptr, post, shape, rng, listed)
        if np.ndim(weight) and weight.size and weight.min() < 0:
            raise ValueError(
                f"{owner}.weight: drew {int(np.count_nonzero(weight < 0))} negative weights from "
                f"{proj.weight}; weights are magnitudes (>= 0 mV): use a smaller std or a Uniform"
            )
        delay_ms = self.dt if proj.delay is None else conn.per_synapse_csr(
            owner, "delay", proj.delay, indptr, post, shape, rng, listed)
        delay = check.delay_steps(owner, delay_ms, self.dt, warn=True)
        delay = int(delay) if delay.ndim == 0 else delay.astype(np.int32)
        # the sign of each source's kind; one signed number when every synapse shares it
        counts = np.diff(indptr)
        signs = sign[pre_ids]
        used = signs[counts > 0]
        if np.ndim(weight) == 0 and (used.size == 0 or np.all(used == used[0])):
            weight = float(weight) * (float(used[0]) if used.size else 1.0)
        else:
            weight = np.broadcast_to(weight, post.shape) * np.repeat(signs, counts)
        # rows to network-wide sources: a group listed out of network order permutes whole rows
        # (and each synapse's weight and delay with its row)
        if np.any(np.diff(pre_ids) < 0):
            rows = np.argsort(pre_ids, kind="stable")
            lengths = counts[rows]
            order = np.repeat(indptr[rows] - np.cumsum(lengths) + lengths, lengths) + np.arange(post.size)
            post = post[order]
            weight = weight if np.ndim(weight) == 0 else weight[order]
            delay = delay if np.ndim(delay) == 0 else delay[order]
        global_counts = np.zeros(self.n, dtype=np.int64)
        global_counts[pre_ids] = counts
        global_indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(global_counts, out=global_indptr[1:])
        # targets to network-wide indices, in place (int32): a shift when the group is contiguous
        if not post.flags.writeable:  # connectivity.csr remembers (small) random rules: keep its copy intact
            post = post.copy()
        if post_ids.size and np.array_equal(post_ids, np.arange(post_ids[0], post_ids[0] + n_post)):
            post += np.int32(post_ids[0])
        else:
            table = post_ids.astype(np.int32)
            for start in range(0, post.size, REMAP_CHUNK):
                post[start:start + REMAP_CHUNK] = table[post[start:start + REMAP_CHUNK]]
        return Block(global_indptr, post, weight, delay, owner)

    def _join(self, blocks: list[Block], uint16_neurons: int) -> SynapseArrays:
        """One target array for all projections (the kernel's layout), blocks as views into it."""
        total = sum(b.n_synapses for b in blocks)
        n_blocks = len(blocks)
        # 2 bytes a target when the neurons can be numbered so: half the memory, and half the
        # memory traffic when the spikes are scattered (the kernel is compiled for both types)
        post = np.empty(total, dtype=np.uint16 if self.n <= uint16_neurons else np.int32)
        indptr = np.empty((n_blocks, self.n + 1), dtype=np.int64)
        base = 0
        for b, block in enumerate(blocks):
            size = block.n_synapses
            post[base:base + size] = block.post
            block.post = post[base:base + size]  # the block's own array is freed here
            indptr[b] = block.indptr + base
            block.indptr = indptr[b]
            base += size
        sizes = [b.n_synapses for b in blocks]
        weights = _join_values([b.weight for b in blocks], sizes, np.float64, 0.0)
        delays = _join_values([b.delay for b in blocks], sizes, np.int32, 1)
        return SynapseArrays(indptr, post, *weights, *delays, blocks)

    # -- couplings and Poisson inputs -----------------------------------------------------------
    def _couplings(self) -> CouplingArrays:
        cs = self.network.couplings
        delays = [1 if c.delay is None else int(check.delay_steps("couple", c.delay, self.dt, warn=True))
                  for c in cs]
        posts = [self._ids(c.post) for c in cs]
        return CouplingArrays(
            lo=np.array([self._slice(c.pre)[0] for c in cs], dtype=np.int64),
            hi=np.array([self._slice(c.pre)[1] for c in cs], dtype=np.int64),
            every=np.array([c.every for c in cs], dtype=np.int64),
            delay=np.array(delays, dtype=np.int64),
            effect=np.array([c.effect * c.pre.sign for c in cs], dtype=np.float64),
            ptr=np.concatenate([[0], np.cumsum([p.size for p in posts], dtype=np.int64)]).astype(np.int64),
            post=np.concatenate(posts).astype(np.int64) if cs else np.empty(0, dtype=np.int64),
        )

    def _poisson(self) -> PoissonArrays:
        inputs = self.network.poisson_inputs
        tables = []
        for pop, spec in inputs:
            lam = spec.rate * spec.n_sources * self.dt / 1000.0
            if not lam <= MAX_POISSON_PER_STEP:
                raise ValueError(
                    f"add_poisson_input(target {pop.label!r}).rate: rate * n_sources * dt = {lam:.3g} expected "
                    f"input spikes per neuron per step, more than {MAX_POISSON_PER_STEP:g}; lower rate or "
                    f"n_sources (got rate = {spec.rate!r} Hz, n_sources = {spec.n_sources})"
                )
            tables.append(poisson_table(lam))  # (cdf, guide, guide_shift, xmin)

        def joined(i, dtype=np.int64):
            return np.concatenate([t[i] for t in tables]) if tables else np.empty(0, dtype=dtype)

        def offsets(i):
            return np.concatenate([[0], np.cumsum([t[i].size for t in tables])])[:-1].astype(np.int64)

        return PoissonArrays(
            lo=np.array([self._slice(pop)[0] for pop, _ in inputs], dtype=np.int64),
            hi=np.array([self._slice(pop)[1] for pop, _ in inputs], dtype=np.int64),
            weight=np.array([spec.signed_weight for _, spec in inputs], dtype=np.float64),
            xmin=np.array([t[3] for t in tables], dtype=np.int64),
            cdf=joined(0), cdf_off=offsets(0), guide=joined(1), guide_off=offsets(1),
            guide_shift=np.array([t[2] for t in tables], dtype=np.int64),
            # each input's own stream, from the network's seed and the input's position
            state=np.array([poisson_stream(self.network.seed, i) for i in range(len(inputs))],
                           dtype=np.uint64).reshape(len(inputs), 4),
        )


def _join_values(values, sizes, dtype, default):
    """Each projection's weight (or delay), one number or one value per synapse, as the kernel
    reads them: ``(scalar, per, shift, joined)``, where synapse ``s`` (an index into the joined
    target array) of projection ``b`` has ``joined[s + shift[b]]`` if ``per[b]``, else
    ``scalar[b]``. A value per synapse stays with its synapse: the projections' values are
    joined in the order of their synapses."""
    n = len(values)
    scalar = np.full(n, default, dtype=np.float64 if dtype == np.float64 else np.int64)
    per = np.zeros(n, dtype=np.bool_)
    shift = np.zeros(n, dtype=np.int64)
    parts = []
    stored = base = 0
    for b, (value, size) in enumerate(zip(values, sizes)):
        if np.ndim(value) == 0:
            scalar[b] = value
        else:
            per[b], shift[b] = True, stored - base
            parts.append(value)
            stored += size
        base += size
    joined = np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)
    return scalar, per, shift, joined


def _longest_delay(delay, dt: float) -> float:
    """The longest delay (steps) a projection or coupling will have, known before it is built."""
    if delay is None:
        return 1.0
    if isinstance(delay, conn.Normal):
        return float(check.whole_steps(delay.mean + 8.0 * delay.std, dt))
    if isinstance(delay, conn.Uniform):
        return float(check.whole_steps(delay.high, dt))
    return float(np.max(check.whole_steps(delay, dt), initial=1.0))
