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
   ``round(refractory/dt)`` steps;
5. **scatter** each spike into the ring-buffer row of step ``k + delay_steps``,
   so a target receives it at exactly ``t_spike + delay``; a silent target pushed
   over threshold by it spikes at exactly ``t_spike + delay``.

Consequences a student may meet: the recorded potential never shows the value
above threshold (the spike is stamped at the last sample below it and the next
sample is ``u_reset``), except when an arriving input alone lifts it above
threshold at ``t_k``; the minimum delay is one step.

This module holds the whole run loop, so that it can be compiled without touching
the rest of the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from . import connectivity as conn
from .inputs import FromArray, Sum, sample_current
from .network import Network, steps_for

#: Recording "auto" keeps potentials and currents up to this many bytes.
AUTO_RECORD_BYTES = 64 * 1024**2
#: Current values evaluated per chunk (steps x neurons), to bound memory.
CHUNK_VALUES = 1 << 20
#: Bytes a synapse costs while it is built (the index arrays and their sorted copies).
BUILD_BYTES_PER_SYNAPSE = 48


class SizeError(ValueError):
    """A network or a recording that would not fit in memory, refused before it is built."""


@dataclass
class Block:
    """One projection as arrays: CSR over all neurons by presynaptic (global) index."""

    indptr: np.ndarray  # (N + 1,) int64
    pre: np.ndarray  # (n_syn,) int32, global, sorted
    post: np.ndarray  # (n_syn,) int32, global
    weight: float | np.ndarray  # signed, mV: one number or one per synapse
    delay: int | np.ndarray  # steps: one number or one per synapse
    label: str

    @property
    def n_synapses(self) -> int:
        return int(self.post.size)


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
        self._neuron_arrays(pops)
        self._check_dt(pops)
        self._check_size()
        self.blocks = [self._build_projection(p) for p in network.projections]
        self.couplings = [self._build_coupling(c) for c in network.couplings]
        self.poisson = []
        for i, (pop, spec) in enumerate(network.poisson_inputs):
            lo, hi = self._slice(pop)
            lam = spec.rate * spec.n_sources * self.dt / 1000.0
            self.poisson.append(PoissonArrays(lo, hi, lam, spec.signed_weight, i))
        delays = [int(np.max(b.delay)) for b in self.blocks if b.n_synapses] + [c.delay for c in self.couplings]
        self.max_delay = max(delays, default=1)

    # -- build helpers -------------------------------------------------------------------------
    def _slice(self, pop):
        return int(self.offsets[pop.index]), int(self.offsets[pop.index + 1])

    def _ids(self, group) -> np.ndarray:
        return np.concatenate([np.arange(*self._slice(p), dtype=np.int64) for p in group])

    def _neuron_arrays(self, pops):
        def per_neuron(get, dtype=float):
            return np.concatenate([np.full(p.n, get(p), dtype=dtype) for p in pops])

        dt = self.dt
        self.u_init = per_neuron(lambda p: p.model.u_init)
        self.u_rest = per_neuron(lambda p: p.model.u_rest)
        self.resistance = per_neuron(lambda p: p.model.R)
        self.decay = per_neuron(lambda p: p.model.decay(dt))
        self.threshold = per_neuron(lambda p: p.model.threshold)
        self.u_reset = per_neuron(lambda p: p.model.u_reset)
        self.floor = per_neuron(lambda p: -np.inf if p.model.floor is None else p.model.floor)
        self.refractory_steps = per_neuron(lambda p: self._refractory_steps(p), dtype=np.int64)
        self.sign = per_neuron(lambda p: p.sign)

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
        need = total * BUILD_BYTES_PER_SYNAPSE
        avail = _available_memory()
        if avail is not None and need > 0.8 * avail:
            raise SizeError(
                f"Network.build: the projections would hold about {total:.3g} synapses, needing about "
                f"{_fmt_bytes(need)} to build, more than the {_fmt_bytes(avail)} of memory available; "
                "use fewer neurons or sparser connections"
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
        rule, kw = proj.rule, dict(proj.params)
        common = {"self_index": self_index, "autapses": proj.autapses}
        try:
            if rule == "all_to_all":
                pre, post = conn.all_to_all(n_pre, n_post, **common)
            elif rule == "one_to_one":
                pre, post = conn.one_to_one(n_pre, n_post, **common)
            elif rule == "fixed_probability":
                pre, post = conn.fixed_probability(n_pre, n_post, kw["p"], rng, **common)
            elif rule == "fixed_outdegree":
                pre, post = conn.fixed_outdegree(n_pre, n_post, kw["k"], rng, multapses=proj.multapses, **common)
            elif rule == "fixed_indegree":
                pre, post = conn.fixed_indegree(n_pre, n_post, kw["k"], rng, multapses=proj.multapses, **common)
            elif rule == "fixed_total_number":
                pre, post = conn.fixed_total_number(n_pre, n_post, kw["n_synapses"], rng,
                                                    multapses=proj.multapses, **common)
            elif rule == "pairs":
                pre, post = conn.pairs(kw["pairs"], n_pre, n_post, multapses=proj.multapses, **common)
            else:
                pre, post = conn.adjacency(kw["targets"], n_pre, n_post, multapses=proj.multapses, **common)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{owner}: {exc}") from None
        weight = conn.per_synapse(owner, "weight", proj.weight, pre, post, (n_pre, n_post), rng)
        if np.ndim(weight) and weight.size and weight.min() < 0:
            raise ValueError(
                f"{owner}.weight: drew {int(np.count_nonzero(weight < 0))} negative weights from "
                f"{proj.weight}; weights are magnitudes (>= 0 mV): use a smaller std or a Uniform"
            )
        delay_ms = self.dt if proj.delay is None else conn.per_synapse(
            owner, "delay", proj.delay, pre, post, (n_pre, n_post), rng)
        delay = steps_for(owner, delay_ms, self.dt, warn=True)
        delay = int(delay) if delay.ndim == 0 else delay.astype(np.int32)
        pre_g, post_g = pre_ids[pre], post_ids[post]
        signs = self.sign[pre_g]
        if np.ndim(weight) == 0 and (signs.size == 0 or np.all(signs == signs[0])):
            weight = float(weight) * (float(signs[0]) if signs.size else 1.0)
        else:
            weight = np.broadcast_to(weight, signs.shape) * signs
        order = np.argsort(pre_g, kind="stable")
        if not np.all(order == np.arange(order.size)):
            pre_g, post_g = pre_g[order], post_g[order]
            weight = weight if np.ndim(weight) == 0 else weight[order]
            delay = delay if np.ndim(delay) == 0 else delay[order]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(pre_g, minlength=self.n))]).astype(np.int64)
        return Block(indptr, pre_g.astype(np.int32), post_g.astype(np.int32), weight, delay, owner)

    def _build_coupling(self, c) -> CouplingArrays:
        lo, hi = self._slice(c.pre)
        delay = 1 if c.delay is None else int(steps_for("couple", c.delay, self.dt, warn=True))
        return CouplingArrays(lo, hi, self._ids(c.post), c.every, c.effect * c.pre.sign, delay)

    # -- run -----------------------------------------------------------------------------------
    def steps_for_duration(self, duration) -> int:
        duration = check.positive("run", "duration", duration, "ms")
        steps = int(np.rint(duration / self.dt))
        if steps < 1:
            raise ValueError(f"run.duration: must be at least one step, dt = {self.dt!r} ms (got {duration!r})")
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
                lo, hi = self._slice(pop)
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
                f"run.record: must be 'auto', 'all', None or a dict {{label: neuron indices}} (got {check._show(record)})"
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
        spike_steps, spike_ids, potentials, currents = _run_loop(self, steps, recorded)
        params = self.network.describe()
        params["duration"] = steps * self.dt
        return Result(
            dt=self.dt, steps=steps, labels=[p.label for p in self.populations],
            kinds=[p.kind for p in self.populations], sizes=self.sizes.copy(),
            models=[p.model for p in self.populations], spike_steps=spike_steps, spike_neurons=spike_ids,
            recorded=recorded, potentials=potentials, currents=currents, params=params,
            connections=[(b.pre, b.post, b.weight, b.delay) for b in self.blocks],
        )

    # -- inputs ----------------------------------------------------------------------------------
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
    steps = int(np.rint(refractory / dt))
    if abs(steps * dt - refractory) > 1e-9 * max(1.0, refractory):
        check.warn(
            f"{owner}.refractory: {refractory!r} ms is not a whole number of steps of dt = {dt!r} ms; "
            f"using {steps * dt:g} ms ({steps} steps)"
        )
    return steps


def build(network: Network) -> Simulation:
    return Simulation(network)


def _run_loop(sim: Simulation, steps: int, recorded: np.ndarray):
    """The simulation loop: one pass over time steps; every operation inside a step acts on
    all neurons (or all synapses of the spiking neurons) at once."""
    n = sim.n
    rows = sim.max_delay + 1
    buffer = np.zeros((rows, n))
    u = sim.u_init.copy()
    refractory = np.zeros(n, dtype=np.int64)
    decay, u_rest, resistance = sim.decay, sim.u_rest, sim.resistance
    threshold, u_reset, floor, ref_steps = sim.threshold, sim.u_reset, sim.floor, sim.refractory_steps
    has_floor = bool(np.isfinite(floor).any())
    potentials = np.empty((steps, recorded.size)) if recorded.size else np.empty((steps, 0))
    currents = np.empty((steps, recorded.size)) if recorded.size else np.empty((steps, 0))
    current_rngs = [sim.network.rng(2, p.index) for p in sim.populations]
    poisson_rngs = [sim.network.rng(3, p.index) for p in sim.poisson]
    coupling_totals = np.zeros(len(sim.couplings), dtype=np.int64)
    spike_steps, spike_ids = [], []
    chunk = int(min(steps, max(1, CHUNK_VALUES // n)))
    constant = all(p.current.constant_in_time for p in sim.populations)
    if constant:
        current = sim.currents(0, 1, current_rngs)
        u_inf_all = u_rest + resistance * current

    for start in range(0, steps, chunk):
        count = min(chunk, steps - start)
        if not constant:
            current = sim.currents(start, count, current_rngs)
            u_inf_all = u_rest + resistance * current
        for j in range(count):
            k = start + j
            row = k % rows
            incoming = buffer[row]
            for p, rng in zip(sim.poisson, poisson_rngs):
                incoming[p.lo:p.hi] += p.weight * rng.poisson(p.lam, p.hi - p.lo)
            # (1) deliver: refractory neurons discard their input
            active = refractory == 0
            u += np.where(active, incoming, 0.0)
            incoming[:] = 0.0
            if has_floor:
                np.maximum(u, floor, out=u)
            # (2) record u(t_k), I(t_k)
            jj = 0 if constant else j
            if recorded.size:
                potentials[k] = u[recorded]
                currents[k] = current[jj, recorded]
            # (3) integrate the non-refractory membranes over [t_k, t_k + dt]
            u_inf = u_inf_all[jj]
            np.copyto(u, u_inf + (u - u_inf) * decay, where=active)
            if has_floor:
                np.maximum(u, floor, out=u)
            refractory -= ~active
            # (4) threshold, reset, refractory
            fired = np.flatnonzero(active & (u >= threshold))
            if fired.size == 0:
                continue
            u[fired] = u_reset[fired]
            refractory[fired] = ref_steps[fired]
            spike_steps.append(np.full(fired.size, k, dtype=np.int64))
            spike_ids.append(fired)
            # (5) scatter into the rows of the steps at which the spikes arrive
            for b in sim.blocks:
                _scatter(b, fired, k, buffer, rows)
            for ci, c in enumerate(sim.couplings):
                emitted = np.searchsorted(fired, c.pre_hi) - np.searchsorted(fired, c.pre_lo)
                before = coupling_totals[ci]
                coupling_totals[ci] = before + emitted
                events = (before + emitted) // c.every - before // c.every
                if events:
                    buffer[(k + c.delay) % rows, c.post] += events * c.effect

    if spike_steps:
        return np.concatenate(spike_steps), np.concatenate(spike_ids), potentials, currents
    return np.empty(0, np.int64), np.empty(0, np.int64), potentials, currents


def _scatter(block: Block, fired: np.ndarray, k: int, buffer: np.ndarray, rows: int) -> None:
    starts = block.indptr[fired]
    counts = block.indptr[fired + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return
    # indices of all synapses of the fired neurons, range by range, without a Python loop
    synapses = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
    targets = block.post[synapses]
    weight = block.weight if np.ndim(block.weight) == 0 else block.weight[synapses]
    if np.ndim(block.delay) == 0:
        np.add.at(buffer[(k + block.delay) % rows], targets, weight)
    else:
        np.add.at(buffer, ((k + block.delay[synapses]) % rows, targets), weight)
