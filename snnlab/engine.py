"""Build a network description into flat arrays, and run it.

Build
-----
One state vector per variable for all neurons (populations one after the other,
in the order they were added); per projection, its synapses in CSR order by
presynaptic neuron (``indptr`` over all neurons, target indices, and the signed
weight and the delay in whole steps, each either one number or one per synapse);
a ring buffer of pending input with ``max_delay_steps + 1`` rows. Every check that
involves several objects runs here, before the first step.

The step, and what a spike time means
-------------------------------------
Step k advances the network from ``t_k = k*dt`` to ``t_{k+1}``:

1. **deliver**: add to each membrane the synaptic and Poisson input that arrives
   at ``t_k`` (row ``k mod rows`` of the ring buffer), unless the neuron is
   refractory (then the input is discarded); apply the floor, if any;
2. **record** the potential ``u(t_k)`` (so row 0 is the initial state, and an
   arrival at ``t_k`` shows at ``t_k``) and the external current ``I(t_k)``;
3. **integrate** every non-refractory membrane over the step with ``I(t_k)`` held
   constant: ``u <- u_inf + (u - u_inf) * a`` with ``u_inf = u_rest + R*I`` and
   ``a = exp(-dt/tau_m)`` (exact) or ``1 - dt/tau_m`` (Euler); apply the floor;
4. **threshold, reset, refractory**: a neuron with ``u >= threshold`` spikes; its
   spike is stamped ``t_k`` (the start of the step in which it crossed, as in
   Brian2), ``u`` is set to ``u_reset`` and held there for the next
   ``whole_steps(refractory, dt)`` steps (the nearest whole number, a half step rounded
   up, as every duration: see :func:`snnlab._checks.whole_steps`);
5. **scatter** each spike into the ring-buffer row of step ``k + delay_steps``,
   so a target receives it at exactly ``t_spike + delay``; a silent target pushed
   over threshold by it spikes at exactly ``t_spike + delay`` (if the input lifts it
   above threshold by more than one step of leak takes away: the threshold is tested
   after the integration of (3), so an input that lifts it exactly to threshold is not
   enough, as in Brian2).

Consequences a student may meet: the recorded potential never shows the value
above threshold (the spike is stamped at the last sample below it and the next
sample is ``u_reset``), except when an arriving input alone lifts it above
threshold at ``t_k``; the minimum delay is one step.

Compiled, in chunks
-------------------
The steps run in one compiled function, :func:`snnlab._kernels.run_steps` (numba,
compiled on first use and cached on disk next to the module); there is no second,
pure-numpy loop that could drift apart from it. Python evaluates the external currents
(:mod:`snnlab.inputs`: callables, noise, arrays) a chunk of steps at a time, at most
:data:`CHUNK_VALUES` values, and hands each chunk to the kernel; currents constant in
time (and not random) are evaluated once per simulation. Within a step the kernel does
(1) and (3) in one branch-free pass over the neurons that the compiler vectorises (a
refractory neuron's result is discarded), then (4) and (5) for the neurons that crossed.

Poisson input is a Poisson count per neuron and step, ``lam = rate * n_sources * dt``
expected input spikes (a Poisson process of that rate, binned at dt), drawn by
inversion: the top 53 bits of a 64-bit word from the input's own random stream, a
uniform number in [0, 1), are looked up in a table of the Poisson CDF through a guide
table (:func:`poisson_table`), almost always one comparison per draw. The stream is
numpy's SFC64 generator seeded from the network's seed and the input's position
(:func:`poisson_stream`) and stepped inside the kernel, so a draw costs about a
nanosecond and no memory. The table holds every count whose probability exceeds ~1e-30
to double precision: the counts are Poisson distributed as far as 53-bit uniform
numbers can tell.

Memory
------
A synapse costs 2 bytes (a uint16 target, in networks of at most 65,536 neurons) or 4
(an int32 target); its source is implied by its CSR row. A per-synapse weight adds 8
bytes and a per-synapse delay 4, only in projections whose weight or delay is not one
number. All projections share one target array, and :class:`snnlab.Result` computes
``connections()`` from it on demand rather than holding a copy.
"""

from __future__ import annotations

import copy
import os
import pickle
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import connectivity as conn
from ._poisson import poisson_stream, poisson_table
from .inputs import CurrentError, FromArray, Sum, sample_current
from .network import Network, check_initial_potentials, steps_for

#: Recording "auto" keeps potentials and currents up to this many bytes.
AUTO_RECORD_BYTES = 64 * 1024**2
#: Current values evaluated per chunk (steps x neurons), to bound memory.
CHUNK_VALUES = 1 << 20
#: Bytes a synapse costs at most while it is built (its target, the transposed copy a
#: fixed in-degree makes, a per-synapse weight and delay, and the joined target array).
BUILD_BYTES_PER_SYNAPSE = 24
#: Spikes the output arrays hold at most at first (they double when full).
INITIAL_SPIKE_CAPACITY = 1 << 18
#: The most input spikes a Poisson input may bring a neuron per step, on average (its
#: inversion table grows with the square root of this).
MAX_POISSON_PER_STEP = 1e6
#: Bytes a neuron costs in the state and parameter arrays (a dozen numbers), besides the ring buffer.
BYTES_PER_NEURON = 128
#: Networks of at most this many neurons store synapse targets as uint16, larger ones as int32.
UINT16_NEURONS = 1 << 16


class _LazyGenerator:
    """``network.rng(purpose, index)``, made on first use: a current that draws no random
    numbers (most do not) then costs no SeedSequence and no generator, about 10 us each."""

    __slots__ = ("_args", "_rng")

    def __init__(self, network, purpose, index):
        self._args = (network, purpose, index)
        self._rng = None

    def __getattr__(self, name):
        if self._rng is None:
            network, purpose, index = self._args
            self._rng = network.rng(purpose, index)
        return getattr(self._rng, name)


class SizeError(ValueError):
    """A network or a recording that would not fit in memory, refused before it is built."""


@dataclass
class Block:
    """One projection: CSR over all neurons by presynaptic (global) index.

    ``post`` is a view into the simulation's joined target array (no copy).
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
class CouplingArrays:
    pre_lo: int
    pre_hi: int
    post: np.ndarray  # global indices of the receiving neurons
    every: int
    effect: float  # signed, mV
    delay: int  # steps


@dataclass
class PoissonArrays:
    lo: int
    hi: int
    lam: float  # expected input spikes per neuron per step
    weight: float  # signed, mV
    index: int
    cdf: np.ndarray  # int64, see poisson_table
    guide: np.ndarray  # int64, see poisson_table
    guide_shift: int
    xmin: int


def _longest_delay(delay, dt: float) -> float:
    """The longest delay (steps) a projection or coupling will have, known before it is built."""
    if delay is None:
        return 1.0
    if isinstance(delay, conn.Normal):
        return float(check.whole_steps(delay.mean + 8.0 * delay.std, dt))
    if isinstance(delay, conn.Uniform):
        return float(check.whole_steps(delay.high, dt))
    return float(np.max(check.whole_steps(delay, dt), initial=1.0))


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} TB"  # pragma: no cover


class Simulation:
    """A built network: flat arrays, ready to run (made by :meth:`Network.build`)."""

    def __init__(self, network: Network):
        self.network = network
        self.dt = network.dt
        pops = list(network.populations.values())
        if not pops:
            raise ValueError("Network.build: the network has no population; add one with add_population")
        self.populations = pops
        self.sizes = np.array([p.n for p in pops], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.n = int(self.offsets[-1])
        self._check_size()  # first: refuse what would not fit before allocating anything
        self._neuron_arrays(pops)
        self._check_dt(pops)
        self._join(self._build_projection(p) for p in network.projections)
        self.couplings = [self._build_coupling(c) for c in network.couplings]
        self._join_couplings()
        self.poisson = []
        for i, (pop, spec) in enumerate(network.poisson_inputs):
            lo, hi = self._slice(pop)
            lam = spec.rate * spec.n_sources * self.dt / 1000.0
            if not lam <= MAX_POISSON_PER_STEP:
                raise ValueError(
                    f"add_poisson_input(target {pop.label!r}).rate: rate * n_sources * dt = {lam:.3g} expected input "
                    f"spikes per neuron per step, more than {MAX_POISSON_PER_STEP:g}; lower rate or n_sources "
                    f"(got rate = {spec.rate!r} Hz, n_sources = {spec.n_sources})"
                )
            self.poisson.append(PoissonArrays(lo, hi, lam, spec.signed_weight, i, *poisson_table(lam)))
        self._join_poisson()
        delays = [int(np.max(b.delay)) for b in self.blocks if b.n_synapses] + [c.delay for c in self.couplings]
        self.max_delay = max(delays, default=1)
        # what was built, saved with every result (the network may change after the build);
        # kept pickled, so that each result gets its own copy in a few microseconds
        self.description = network.describe()
        try:
            self._description = pickle.dumps(self.description, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # a custom current's describe()
            self._description = None
        # currents constant in time and not random are the same in every run: sampled once,
        # here (like the neuron parameters), as (current, u_inf) for the kernel
        self._constant_current = None
        if all(p.current.constant_in_time and not p.current.random for p in pops):
            current = self.currents(0, 1, [_LazyGenerator(network, 2, p.index) for p in pops])
            self._constant_current = current, self.drive(current)

    # -- build helpers -------------------------------------------------------------------------
    def _slice(self, pop):
        return int(self.offsets[pop.index]), int(self.offsets[pop.index + 1])

    def _ids(self, group) -> np.ndarray:
        return np.concatenate([np.arange(*self._slice(p), dtype=np.int64) for p in group])

    def _neuron_arrays(self, pops):
        def per_neuron(get, dtype=float):
            return np.concatenate([np.full(p.n, get(p), dtype=dtype) for p in pops])

        dt = self.dt
        self.u_init = np.concatenate([self._initial(p) for p in pops])
        self.u_rest = per_neuron(lambda p: p.model.u_rest)
        self.resistance = per_neuron(lambda p: p.model.R)
        self.decay = per_neuron(lambda p: p.model.decay(dt))
        self.threshold = per_neuron(lambda p: p.model.threshold)
        self.u_reset = per_neuron(lambda p: p.model.u_reset)
        self.floor = per_neuron(lambda p: -np.inf if p.model.floor is None else p.model.floor)
        self.refractory_steps = per_neuron(lambda p: self._refractory_steps(p), dtype=np.int64)
        self.sign = per_neuron(lambda p: p.sign)

    def _initial(self, pop) -> np.ndarray:
        """Each neuron's potential at t = 0: the model's, or the population's ``u_init``."""
        if pop.u_init is None:
            return np.full(pop.n, pop.model.u_init)
        if isinstance(pop.u_init, conn.DISTRIBUTIONS):
            values = pop.u_init.sample(self.network.rng(4, pop.index), pop.n)
            check_initial_potentials(f"population {pop.label!r}: u_init", values, pop.model, pop.u_init)
            return values
        return np.broadcast_to(np.asarray(pop.u_init, dtype=float), (pop.n,)).copy()

    def _refractory_steps(self, pop):
        return int(steps_for_refractory(f"population {pop.label!r}: LIF", pop.model.refractory, self.dt))

    def _check_dt(self, pops):
        for pop in pops:
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

    def _check_size(self):
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
        avail = _available_memory()
        if avail is not None and need > 0.8 * avail:
            biggest = max(parts, key=parts.get)
            raise SizeError(
                f"Network.build: {biggest}, needing about {_fmt_bytes(need)} to build, more than the "
                f"{_fmt_bytes(avail)} of memory available; use fewer neurons, sparser connections or shorter delays"
            )
        self.expected_synapses = total

    def _build_projection(self, proj) -> Block:
        net = self.network
        owner = f"connect({'+'.join(p.label for p in proj.pre)} -> {'+'.join(p.label for p in proj.post)})"
        pre_ids, post_ids = self._ids(proj.pre), self._ids(proj.post)
        n_pre, n_post = pre_ids.size, post_ids.size
        lookup = np.full(self.n, -1, dtype=np.int64)
        lookup[post_ids] = np.arange(n_post)
        self_index = lookup[pre_ids]
        if not np.any(self_index >= 0):
            self_index = None
        rng = net.rng(1, proj.index)
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
        delay = steps_for(owner, delay_ms, self.dt, warn=True)
        delay = int(delay) if delay.ndim == 0 else delay.astype(np.int32)
        # the sign of each source's kind; one signed number when every synapse shares it
        counts = np.diff(indptr)
        signs = self.sign[pre_ids]
        used = signs[counts > 0]
        if np.ndim(weight) == 0 and (used.size == 0 or np.all(used == used[0])):
            weight = float(weight) * (float(used[0]) if used.size else 1.0)
        else:
            weight = np.broadcast_to(weight, post.shape) * np.repeat(signs, counts)
        # rows to network-wide sources: a group listed out of network order permutes whole rows
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
        if post_ids.size and np.array_equal(post_ids, np.arange(post_ids[0], post_ids[0] + n_post)):
            post += np.int32(post_ids[0])
        else:
            table = post_ids.astype(np.int32)
            for start in range(0, post.size, CHUNK_VALUES):
                post[start:start + CHUNK_VALUES] = table[post[start:start + CHUNK_VALUES]]
        return Block(global_indptr, post, weight, delay, owner)

    def _join(self, blocks) -> None:
        """One target array for all projections (the kernel's layout), blocks as views into it.

        Kernel arrays: ``indptr`` (B, N+1) offsets into ``post``; per projection a weight
        ``w_scalar[b]`` or, where ``w_per[b]``, ``syn_weight[s + w_shift[b]]`` for synapse
        ``s``; delays alike (``d_scalar``, ``d_per``, ``syn_delay``, ``d_shift``).
        """
        blocks = list(blocks)
        total = sum(b.n_synapses for b in blocks)
        # 2 bytes a target when the neurons can be numbered so: half the memory, and half the
        # memory traffic when the spikes are scattered (the kernel is compiled for both types)
        self.post = np.empty(total, dtype=np.uint16 if self.n <= UINT16_NEURONS else np.int32)
        self.indptr = np.empty((len(blocks), self.n + 1), dtype=np.int64)
        self.w_scalar = np.zeros(len(blocks))
        self.d_scalar = np.ones(len(blocks), dtype=np.int64)
        self.w_per = np.zeros(len(blocks), dtype=np.bool_)
        self.d_per = np.zeros(len(blocks), dtype=np.bool_)
        self.w_shift = np.zeros(len(blocks), dtype=np.int64)
        self.d_shift = np.zeros(len(blocks), dtype=np.int64)
        weights, delays = [], []
        n_weights = n_delays = base = 0
        for b, block in enumerate(blocks):
            size = block.n_synapses
            self.post[base:base + size] = block.post
            block.post = self.post[base:base + size]  # the block's own array is freed here
            self.indptr[b] = block.indptr + base
            block.indptr = self.indptr[b]
            if np.ndim(block.weight) == 0:
                self.w_scalar[b] = block.weight
            else:
                self.w_per[b], self.w_shift[b] = True, n_weights - base
                weights.append(block.weight)
                n_weights += size
            if np.ndim(block.delay) == 0:
                self.d_scalar[b] = block.delay
            else:
                self.d_per[b], self.d_shift[b] = True, n_delays - base
                delays.append(block.delay)
                n_delays += size
            base += size
        self.syn_weight = np.concatenate(weights).astype(np.float64) if weights else np.empty(0)
        self.syn_delay = np.concatenate(delays).astype(np.int32) if delays else np.empty(0, dtype=np.int32)
        self.blocks = blocks

    def _build_coupling(self, c) -> CouplingArrays:
        lo, hi = self._slice(c.pre)
        delay = 1 if c.delay is None else int(steps_for("couple", c.delay, self.dt, warn=True))
        return CouplingArrays(lo, hi, self._ids(c.post), c.every, c.effect * c.pre.sign, delay)

    def _join_couplings(self) -> None:
        cs = self.couplings
        self.c_lo = np.array([c.pre_lo for c in cs], dtype=np.int64)
        self.c_hi = np.array([c.pre_hi for c in cs], dtype=np.int64)
        self.c_every = np.array([c.every for c in cs], dtype=np.int64)
        self.c_delay = np.array([c.delay for c in cs], dtype=np.int64)
        self.c_effect = np.array([c.effect for c in cs], dtype=np.float64)
        self.c_ptr = np.concatenate([[0], np.cumsum([c.post.size for c in cs], dtype=np.int64)]).astype(np.int64)
        self.c_post = np.concatenate([c.post for c in cs]).astype(np.int64) if cs else np.empty(0, dtype=np.int64)

    def _join_poisson(self) -> None:
        ps = self.poisson

        def offsets(arrays):
            return np.concatenate([[0], np.cumsum([a.size for a in arrays])])[:-1].astype(np.int64)

        self.p_lo = np.array([p.lo for p in ps], dtype=np.int64)
        self.p_hi = np.array([p.hi for p in ps], dtype=np.int64)
        self.p_weight = np.array([p.weight for p in ps], dtype=np.float64)
        self.p_xmin = np.array([p.xmin for p in ps], dtype=np.int64)
        self.p_cdf = np.concatenate([p.cdf for p in ps]) if ps else np.empty(0, dtype=np.int64)
        self.p_cdf_off = offsets([p.cdf for p in ps])
        self.p_guide = np.concatenate([p.guide for p in ps]) if ps else np.empty(0, dtype=np.int64)
        self.p_guide_off = offsets([p.guide for p in ps])
        self.p_guide_shift = np.array([p.guide_shift for p in ps], dtype=np.int64)
        self.p_state = np.array([poisson_stream(self.network.seed, p.index) for p in ps],
                                dtype=np.uint64).reshape(len(ps), 4)

    # -- run -----------------------------------------------------------------------------------
    def steps_for_duration(self, duration) -> int:
        duration = check.positive("run", "duration", duration, "ms")
        steps = float(check.whole_steps(duration, self.dt))
        if steps < 1:
            raise ValueError(f"run.duration: must be at least one step, dt = {self.dt!r} ms (got {duration!r})")
        if steps > check.MAX_STEPS:
            raise ValueError(
                f"run.duration: must be at most {check.MAX_STEPS} steps of dt = {self.dt!r} ms "
                f"(got {duration!r} ms, {steps:.3g} steps)"
            )
        steps = int(steps)
        if abs(steps * self.dt - duration) > 1e-9 * max(1.0, duration):
            check.warn(
                f"run.duration: {duration!r} ms is not a whole number of steps of dt = {self.dt!r} ms; "
                f"simulating {steps * self.dt:g} ms ({steps} steps)"
            )
        return steps

    def _recorded(self, record, steps) -> np.ndarray:
        if isinstance(record, str) and record == "auto":
            need = steps * self.n * 16
            if need <= AUTO_RECORD_BYTES:
                return np.arange(self.n)
            check.warn(
                f"run.record: not recording potentials and currents, which would take {_fmt_bytes(need)} "
                f"({self.n} neurons x {steps} steps); pass record={{label: [indices]}} to keep some, "
                "or record='all'"
            )
            return np.empty(0, np.int64)
        if isinstance(record, str) and record == "all":
            ids = np.arange(self.n)
        elif record is None or record is False:
            return np.empty(0, np.int64)
        elif isinstance(record, dict):
            parts = []
            for label, which in record.items():
                try:
                    pop = self.network.population(label)
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"run.record: {exc}") from None
                lo, _ = self._slice(pop)
                if isinstance(which, str) and which == "all":
                    local = np.arange(pop.n)
                else:
                    local = np.unique(np.asarray(which if not isinstance(which, range) else list(which)))
                    if local.size and (local.dtype.kind not in "iu" or local.min() < 0 or local.max() >= pop.n):
                        raise ValueError(
                            f"run.record[{pop.label!r}]: must be 'all' or neuron indices in [0, {pop.n - 1}] "
                            f"(got {check._show(which)})"
                        )
                parts.append(lo + local.astype(np.int64))
            ids = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        else:
            raise TypeError(
                "run.record: must be 'auto', 'all', None or a dict {label: neuron indices} "
                f"(got {check._show(record)})"
            )
        need = steps * ids.size * 16
        avail = _available_memory()
        if avail is not None and need > 0.8 * avail:
            raise SizeError(
                f"run.record: recording {ids.size} neurons for {steps} steps needs {_fmt_bytes(need)}, more than "
                f"the {_fmt_bytes(avail)} of memory available; record fewer neurons"
            )
        return ids.astype(np.int64)

    def run(self, duration: float, record="auto"):
        """Simulate ``duration`` ms from t = 0 and return a :class:`snnlab.Result`."""
        from .results import Result

        steps = self.steps_for_duration(duration)
        for pop in self.populations:
            current = pop.current
            if isinstance(current, (FromArray, Sum)):
                current.check_steps(steps, f"population {pop.label!r}: current")
        recorded = self._recorded(record, steps)
        spike_steps, spike_ids, potentials, currents = self._simulate(steps, recorded)
        # each result owns its parameters
        params = copy.deepcopy(self.description) if self._description is None else pickle.loads(self._description)
        params["duration"] = steps * self.dt
        return Result(
            dt=self.dt, steps=steps, labels=[p.label for p in self.populations],
            kinds=[p.kind for p in self.populations], sizes=self.sizes.copy(),
            models=[p.model for p in self.populations], spike_steps=spike_steps, spike_neurons=spike_ids,
            recorded=recorded, potentials=potentials, currents=currents, params=params,
            connections=self.connections,
        )

    def connections(self) -> list[tuple]:
        """Per projection ``(pre, post, weight, delay)``: global indices, signed weight (mV, a number
        or one per synapse), delay in steps (a number or one per synapse). Made on demand."""
        return [(b.pre, b.post, b.weight, b.delay) for b in self.blocks]

    def _simulate(self, steps: int, recorded: np.ndarray):
        """Run the compiled kernel over all steps, chunk by chunk (see the module docstring)."""
        from . import _kernels

        n = self.n
        rows = self.max_delay + 1
        buffer = np.zeros((rows, n))
        u = self.u_init.copy()
        refractory = np.zeros(n, dtype=np.int64)
        coupling_totals = np.zeros(len(self.couplings), dtype=np.int64)
        potentials = np.empty((steps, recorded.size))
        currents = np.empty((steps, recorded.size))
        current_rngs = [_LazyGenerator(self.network, 2, p.index) for p in self.populations]
        poisson_state = self.p_state.copy()  # every run starts the Poisson streams from the seed
        # room for a rate of about 300 Hz at dt = 0.1 ms, at most INITIAL_SPIKE_CAPACITY spikes;
        # the arrays double when full (the kernel stops before a step that might not fit)
        capacity = n + min(n * steps, INITIAL_SPIKE_CAPACITY, max(4096, n * steps // 32))
        spike_step = np.empty(capacity, dtype=np.int64)
        spike_id = np.empty_like(spike_step)
        fired = np.empty(n, dtype=np.int64)
        n_spikes = 0
        chunk = int(min(steps, max(1, CHUNK_VALUES // n)))
        constant = all(p.current.constant_in_time for p in self.populations)
        if constant:
            if self._constant_current is not None:
                current, u_inf = self._constant_current
            else:  # constant in time but random: drawn anew in each run
                current = self.currents(0, 1, current_rngs)
                u_inf = self.drive(current)

        for start in range(0, steps, chunk):
            count = min(chunk, steps - start)
            if not constant:
                current = self.currents(start, count, current_rngs)
                u_inf = self.drive(current)
            j = 0
            while j < count:
                j, n_spikes = _kernels.run_steps(
                    start, j, count, rows,
                    u, refractory, buffer, coupling_totals,
                    self.decay, self.threshold, self.u_reset, self.floor, self.refractory_steps,
                    current, u_inf, 0 if constant else 1,
                    self.indptr, self.post, self.w_scalar, self.w_per, self.w_shift, self.syn_weight,
                    self.d_scalar, self.d_per, self.d_shift, self.syn_delay,
                    self.c_lo, self.c_hi, self.c_every, self.c_delay, self.c_effect, self.c_ptr, self.c_post,
                    self.p_lo, self.p_hi, self.p_weight, self.p_xmin, self.p_cdf, self.p_cdf_off,
                    self.p_guide, self.p_guide_off, self.p_guide_shift, poisson_state,
                    recorded, potentials, currents,
                    spike_step, spike_id, n_spikes, fired,
                )
                if j < count:  # the spike arrays are full: double them and carry on
                    spike_step = np.concatenate([spike_step, np.empty_like(spike_step)])
                    spike_id = np.concatenate([spike_id, np.empty_like(spike_id)])
        return spike_step[:n_spikes].copy(), spike_id[:n_spikes].copy(), potentials, currents

    # -- inputs ----------------------------------------------------------------------------------
    def drive(self, current: np.ndarray) -> np.ndarray:
        """``u_inf = u_rest + R*I``, the potential each current pulls its membrane to (mV); an
        overflow (a huge R times a huge I) is refused, naming the population, not left as NaN."""
        with np.errstate(over="ignore", invalid="ignore"):
            u_inf = self.u_rest + self.resistance * current
        if not np.all(np.isfinite(u_inf)):
            column = int(np.argwhere(~np.isfinite(u_inf))[0, 1])
            pop = self.populations[int(np.searchsorted(self.offsets, column, side="right")) - 1]
            raise CurrentError(
                f"population {pop.label!r}: current: u_rest + R*I overflows (R = {pop.model.R!r} MΩ, "
                f"I = {float(current.flat[column])!r} nA); use a smaller R or current"
            )
        return u_inf

    def currents(self, start: int, count: int, rngs) -> np.ndarray:
        """External currents for steps ``start .. start+count-1``, shape (count, N) or (1, N)
        when every current is constant in time."""
        constant = all(p.current.constant_in_time for p in self.populations)
        rows = 1 if constant else count
        out = np.empty((rows, self.n))
        steps = np.arange(start, start + rows)
        for pop, rng in zip(self.populations, rngs):
            lo, hi = self._slice(pop)
            out[:, lo:hi] = sample_current(pop.current, steps, self.dt, pop.n, rng,
                                           f"population {pop.label!r}: current")
        return out


def steps_for_refractory(owner, refractory, dt):
    steps = float(check.whole_steps(refractory, dt))
    if steps > check.MAX_STEPS:
        # longer than any run can be: the neuron stays refractory to the end either way
        return check.MAX_STEPS + 1
    steps = int(steps)
    if abs(steps * dt - refractory) > 1e-9 * max(1.0, refractory):
        check.warn(
            f"{owner}.refractory: {refractory!r} ms is not a whole number of steps of dt = {dt!r} ms; "
            f"using {steps * dt:g} ms ({steps} step{'' if steps == 1 else 's'})"
        )
    return steps


def build(network: Network) -> Simulation:
    return Simulation(network)
