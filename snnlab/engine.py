"""Run a built network: step its arrays and hand out the results.

:mod:`snnlab.builder` turns a description into flat arrays once (every check, the
synapses in CSR order, delays in whole steps, the Poisson tables); this module holds the
other half, as Nengo keeps its simulator apart from its builder: :class:`Simulation`
keeps a :class:`snnlab.builder.Built` and, in each :meth:`Simulation.run`, evaluates the
external currents chunk by chunk, calls the compiled step, records, and returns a
:class:`snnlab.Result`. A simulation can run many times; each run starts from t = 0
and the same initial state.

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
table (:func:`snnlab._poisson.poisson_table`, made by the builder; its accuracy is
described there), almost always one comparison per draw. The stream is numpy's SFC64
generator seeded from the network's seed and the input's position
(:func:`snnlab._poisson.poisson_stream`) and stepped inside the kernel, so a draw costs
about a nanosecond and no memory.

In slices, so that a long run tells where it is and stops when asked
---------------------------------------------------------------------
Within a chunk, the kernel is called on slices of steps that take about 0.1 s of wall-clock
time each (:class:`snnlab._progress.Pacer`: the first slice from a prior of the work per
step, :meth:`Simulation._first_slice`, the next ones from the measured speed). Python sees
Ctrl-C (SIGINT, "interrupt the kernel") only between two calls of compiled code, so a run
stops within about a slice, raising :class:`KeyboardInterrupt`; each run makes its own
state, so the simulation stays usable. The kernel's whole state (potentials, refractory
counters, ring buffer, coupling totals, Poisson streams, spike arrays) lives in arrays it
updates in place, so slice boundaries change no result. Between slices a progress bar
(``tqdm.auto``) moves: ``progress=True`` shows it, ``False`` never, ``"auto"`` when a slice
predicts a run of more than about 2 s.
"""

from __future__ import annotations

import copy
import functools
import pickle

import numpy as np

from . import _checks as check
from . import _progress, builder
from .builder import UINT16_NEURONS, Built
from .inputs import CurrentError, FromArray, Sum, sample_current
from .results import Result

SizeError = check.SizeError  # snnlab.SizeError: refused before building, or before recording
# UINT16_NEURONS (from the builder) is the runner's choice of target type, read at each
# build: networks of at most this many neurons get uint16 targets, larger ones int32 (a
# test lowers it to run small networks on int32 targets)

#: Recording "auto" keeps potentials and currents up to this many bytes.
AUTO_RECORD_BYTES = 64 * 1024**2
#: Current values evaluated per chunk (steps x neurons), to bound memory.
CHUNK_VALUES = 1 << 20
#: Spikes the output arrays hold at most at first (they double when full).
INITIAL_SPIKE_CAPACITY = 1 << 18
#: Wall-clock seconds the first slice of a run is meant to take, by the prior of
#: :meth:`Simulation._first_slice` (later slices follow the measured speed, see :mod:`snnlab._progress`).
FIRST_SLICE_SECONDS = 0.03
#: The prior: seconds per unit of work (a neuron updated, a Poisson count drawn, a synapse of a
#: spiking neuron delivered), about what the kernel takes on one core of a laptop.
SECONDS_PER_UNIT = 1e-9
#: The prior's firing rate (Hz) for the synapses' share of the work: high, so the guess is short.
PRIOR_RATE_HZ = 100.0

# The synapse target types (uint16, int32) whose kernel is compiled or loaded in this process:
# the first run of each calls it once on no steps, so that compiling does not count as a slow slice.
_LOADED: set = set()


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


def build(network) -> Simulation:
    """Build ``network`` (see :mod:`snnlab.builder`) into a :class:`Simulation`, ready to run."""
    return Simulation(network)


class Simulation:
    """A built network, ready to run (made by :meth:`Network.build`).

    Parameters
    ----------
    built : snnlab.builder.Built or Network
        The arrays to run; a :class:`Network` is built first, with uint16 targets in
        networks of at most :data:`UINT16_NEURONS` neurons (the kernel is compiled for
        uint16 and int32 targets).
    """

    def __init__(self, built):
        if not isinstance(built, Built):
            built = builder.build(built, uint16_neurons=UINT16_NEURONS)
        self.built = built
        self.network = built.network
        self.dt = built.dt
        self.populations = built.populations
        self.n = built.n
        # the synapses, as tests and benchmarks inspect them
        self.blocks = built.synapses.blocks
        self.post = built.synapses.post
        self.syn_weight = built.synapses.syn_weight
        self.syn_delay = built.synapses.syn_delay
        # currents constant in time (and not random) are the same in every run: sampled once,
        # here (like the neuron parameters), as (current, u_inf) for the kernel
        self._constant_current = None
        if all(p.current.constant_in_time and not p.current.random for p in self.populations):
            current = self.currents(0, 1, self._current_rngs())
            self._constant_current = current, self.drive(current)

    def _current_rngs(self) -> list:
        return [_LazyGenerator(self.network, 2, p.index) for p in self.populations]

    # -- run -----------------------------------------------------------------------------------
    def run(self, duration: float, record="auto", progress="auto"):
        """Simulate ``duration`` ms from t = 0 and return a :class:`snnlab.Result`.

        ``duration`` is rounded to whole steps by snnlab's one rule
        (:func:`snnlab._checks.whole_steps`), with a warning when that changes it; ``record``
        and ``progress`` as in :meth:`snnlab.Network.run`. The steps run in slices of about
        0.1 s of wall-clock time: Ctrl-C stops the run between two of them (raising
        KeyboardInterrupt; the simulation stays usable), and a run expected to take more than
        about 2 s shows a progress bar (see "Slices" in the module docstring).
        """
        built = self.built
        progress = _progress.check_progress("run", progress)
        steps = check.duration_steps("run", duration, self.dt)
        for pop in self.populations:
            current = pop.current
            if isinstance(current, (FromArray, Sum)):
                current.check_steps(steps, f"population {pop.label!r}: current")
        recorded = self._recorded(record, steps)
        spike_steps, spike_ids, potentials, currents = self._simulate(steps, recorded, progress)
        # each result owns its parameters
        if built.pickled_description is None:
            params = copy.deepcopy(built.description)
        else:
            params = pickle.loads(built.pickled_description)
        params["duration"] = steps * self.dt
        return Result(
            dt=self.dt, steps=steps, labels=[p.label for p in self.populations],
            kinds=[p.kind for p in self.populations], sizes=built.sizes.copy(),
            models=[p.model for p in self.populations], spike_steps=spike_steps, spike_neurons=spike_ids,
            recorded=recorded, potentials=potentials, currents=currents, params=params,
            connections=self.connections,
        )

    def connections(self) -> list[tuple]:
        """Per projection ``(pre, post, weight, delay)``: global indices, signed weight (mV, a number
        or one per synapse), delay in steps (a number or one per synapse). Made on demand."""
        return [(b.pre, b.post, b.weight, b.delay) for b in self.blocks]

    def _recorded(self, record, steps) -> np.ndarray:
        """The network-wide indices of the neurons whose potential and current are recorded."""
        if isinstance(record, str) and record == "auto":
            need = steps * self.n * 16
            if need <= AUTO_RECORD_BYTES:
                return np.arange(self.n)
            check.warn(
                f"run.record: not recording potentials and currents, which would take {check.fmt_bytes(need)} "
                f"({self.n} neurons x {steps} steps); pass record={{label: [indices]}} to keep some, "
                "or record='all'"
            )
            return np.empty(0, np.int64)
        if isinstance(record, str) and record == "all":
            ids = np.arange(self.n)
        elif record is None or record is False:
            return np.empty(0, np.int64)
        elif isinstance(record, dict):
            ids = self._recorded_by_label(record)
        else:
            raise TypeError(
                "run.record: must be 'auto', 'all', None or a dict {label: neuron indices} "
                f"(got {check._show(record)})"
            )
        need = steps * ids.size * 16
        avail = check.available_memory()
        if avail is not None and need > 0.8 * avail:
            raise SizeError(
                f"run.record: recording {ids.size} neurons for {steps} steps needs {check.fmt_bytes(need)}, more "
                f"than the {check.fmt_bytes(avail)} of memory available; record fewer neurons"
            )
        return ids.astype(np.int64)

    def _recorded_by_label(self, record: dict) -> np.ndarray:
        parts = []
        for label, which in record.items():
            try:
                pop = self.network.population(label)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"run.record: {exc}") from None
            lo, _ = self.built.slice(pop)
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
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)

    @functools.cached_property
    def _first_slice(self) -> int:
        """Steps in a run's first slice: about FIRST_SLICE_SECONDS by a prior of the work per step
        (neurons, Poisson draws, and the synapses of the neurons firing at PRIOR_RATE_HZ)."""
        built = self.built
        poisson_draws = int(np.sum(built.poisson.hi - built.poisson.lo)) if built.poisson.lo.size else 0
        firing = min(1.0, PRIOR_RATE_HZ * self.dt / 1000.0)
        work = self.n + poisson_draws + firing * built.synapses.post.size
        return max(1, int(FIRST_SLICE_SECONDS / (SECONDS_PER_UNIT * max(work, 1.0))))

    def _simulate(self, steps: int, recorded: np.ndarray, progress="auto"):
        """Run the compiled kernel over all steps, chunk by chunk and slice by slice (see the
        module docstring)."""
        from . import _kernels

        built, n = self.built, self.n
        rows = built.max_delay + 1
        buffer = np.zeros((rows, n))
        u = built.neurons.u_init.copy()
        refractory = np.zeros(n, dtype=np.int64)
        coupling_totals = np.zeros(built.couplings.lo.size, dtype=np.int64)
        potentials = np.empty((steps, recorded.size))
        currents = np.empty((steps, recorded.size))
        current_rngs = self._current_rngs()
        poisson_state = built.poisson.state.copy()  # every run starts the Poisson streams from the seed
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
        neurons = built.neurons.kernel_args()
        synapses = built.synapses.kernel_args()
        couplings = built.couplings.kernel_args()
        poisson = built.poisson.kernel_args()
        post_type = built.synapses.post.dtype

        args_before = (rows, u, refractory, buffer, coupling_totals, *neurons)
        args_after = (*synapses, *couplings, *poisson, poisson_state, recorded, potentials, currents)
        if post_type not in _LOADED:  # compile or load the kernel outside the timed slices
            idle = np.zeros((1, n))
            _kernels.run_steps(0, 0, 0, *args_before, idle, idle, 0, *args_after,
                               spike_step, spike_id, 0, fired)
            _LOADED.add(post_type)
        # slices of about SLICE_SECONDS: Ctrl-C raises KeyboardInterrupt when the compiled loop
        # returns, and the bar moves; the state lives in the arrays, so slicing changes nothing
        with _progress.Pacer(steps, self.dt, progress, first=self._first_slice, desc="snnlab run") as pacer:
            for start in range(0, steps, chunk):
                count = min(chunk, steps - start)
                if not constant:
                    current = self.currents(start, count, current_rngs)
                    u_inf = self.drive(current)
                j = 0
                while j < count:
                    end = j + pacer.next_steps(count - j)
                    j_new, n_spikes = _kernels.run_steps(
                        start, j, end, *args_before, current, u_inf, 0 if constant else 1, *args_after,
                        spike_step, spike_id, n_spikes, fired,
                    )
                    pacer.done(j_new - j)
                    j = j_new
                    if j < end:  # the spike arrays are full: double them and carry on
                        spike_step = np.concatenate([spike_step, np.empty_like(spike_step)])
                        spike_id = np.concatenate([spike_id, np.empty_like(spike_id)])
        return spike_step[:n_spikes].copy(), spike_id[:n_spikes].copy(), potentials, currents

    # -- inputs ----------------------------------------------------------------------------------
    def drive(self, current: np.ndarray) -> np.ndarray:
        """``u_inf = u_rest + R*I``, the potential each current pulls its membrane to (mV); an
        overflow (a huge R times a huge I) is refused, naming the population, not left as NaN."""
        neurons = self.built.neurons
        with np.errstate(over="ignore", invalid="ignore"):  # in place: a chunk is millions of values
            u_inf = np.multiply(neurons.resistance, current)
            u_inf += neurons.u_rest
        if not check.all_finite(u_inf):
            column = int(np.argwhere(~np.isfinite(u_inf))[0, 1])
            pop = self.populations[int(np.searchsorted(self.built.offsets, column, side="right")) - 1]
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
            lo, hi = self.built.slice(pop)
            out[:, lo:hi] = sample_current(pop.current, steps, self.dt, pop.n, rng,
                                           f"population {pop.label!r}: current")
        return out
