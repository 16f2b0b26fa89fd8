"""Run an snnlab network in Brian2 2.9, as C++ standalone code with OpenMP threads.

``run(simulation, duration, threads=k)`` takes snnlab's built network (the flat arrays of
:class:`snnlab.engine.Simulation`), builds the same network in Brian2, compiles it as a C++
project (reused between runs: see *Project directory*), runs it on ``k`` OpenMP threads
and returns an :class:`snnlab.Result`, so every plot and analysis works on it unchanged.
Brian2 is imported only here, on first use (``pip install 'snnlab[brian2]'``).

The mapping
-----------
Deterministic networks give the same spike steps as snnlab (``tests/test_backend_brian2.py``
checks it). Brian2 orders the work inside a step differently from snnlab
(:mod:`snnlab.engine`), so the network is configured so that Brian2 computes what snnlab
computes, with Brian2's own machinery (``tests/brian2_models.py`` and docs/validation.md
derived and checked each part for the cross-check; this module is that mapping as a feature):

* **Units.** Potentials (mV), currents (nA) and resistances (MΩ) are plain numbers, so
  that 1 mV is the float it is in snnlab; time is in Brian2's seconds (``ms``).
* **Neurons.** ``dv/dt = (u_rest - v + R*I)/tau : 1 (unless refractory)``, threshold
  ``v >= theta``, reset ``v = u_reset``; every parameter per neuron, from snnlab's arrays.
* **Integration.** Each population's ``LIF.method`` is Brian2's ``method="exact"`` or
  ``"euler"``. One NeuronGroup integrates with one method, so a network whose populations
  use both gets one NeuronGroup per method (synapses, inputs and monitors follow).
  Brian2's arithmetic rounds differently from snnlab's ``u_inf + (u - u_inf)*a`` (and is
  compiled with ``-ffast-math``): potentials agree to ~1e-14 mV, and spike trains are
  identical unless a potential lands within that of the threshold (a floating-point tie).
* **Delivery.** snnlab adds the input arriving at ``t_k`` at the start of step k, before
  integrating; Brian2's synapses act after the threshold of step k-1. So ``on_pre`` only
  adds into an accumulator ``inbuf`` (snnlab's ring-buffer row), which an operation in the
  ``after_resets`` slot adds to ``v``: the same moment. Summing first also gives snnlab's
  ``u + (w1 + w2)`` rather than ``(u + w1) + w2``.
* **Delays.** snnlab's delay of d steps is Brian2's ``(d - 1)*dt`` (the accumulator is
  applied one step later than Brian2 would apply ``v_post += w``).
* **Refractoriness.** snnlab holds a neuron that spiked in step k for R steps
  (``R = round(refractory/dt)``) and integrates again in step k+R+1; Brian2's refractory
  period is ``(R + 1)*dt``. Input arriving during those R steps is discarded: the
  accumulator is added only where ``timestep(t - lastspike, dt) >= R``, by ``run_on_event``
  (Brian2 runs it as reset code, which its ``not_refractory`` guard does not suppress).
* **Floor.** snnlab clips at the floor after delivery and after integration; Brian2
  clips in the delivery code and in a ``run_regularly`` after the state update, so the
  floor maps exactly (unlike NEST's ``V_min``).
* **Currents.** snnlab evaluates every current itself (callables, noise, arrays, sums),
  chunk by chunk with the same random streams as its own run: currents constant in time
  become a per-neuron constant ``I``, the others a ``TimedArray`` whose row k holds over
  step k. Noise currents are therefore the same draws as in snnlab.
* **Poisson input.** Brian2's own generator: ``inbuf += weight*poisson(lam)`` per neuron
  and step in the ``synapses`` slot, with snnlab's ``lam = rate*n_sources*dt``: the same
  distribution (a Poisson count per step, as snnlab draws), not the same draws. Brian2's
  ``PoissonInput`` would draw a binomial count (at most one spike per source and step),
  a different distribution when ``rate*dt`` is not small. snnlab also delivers the counts
  drawn for step 0, which this mapping cannot (its first delivery is at the start of
  step 1): one step of input, of no statistical weight.
* **Seeds.** Brian2's ``seed()`` gets a 32-bit number derived from the network's seed
  (numpy's ``SeedSequence(seed, spawn_key=(5,))``): runs with one seed repeat exactly.
* **couple()** (the report's "every ``every`` spikes of ``pre``, each neuron of ``post``
  receives ``effect`` mV after ``delay``"): a counter neuron per coupling sums the spikes of
  ``pre`` in the step they are emitted (a summed variable scheduled right after the
  threshold, reading ``lastspike``), computes the number of events
  ``(total + n)//every - total//every``, and event neurons ``0 .. M-1`` with threshold
  ``events > i`` spike in that very step; they reach every neuron of ``post`` through
  ordinary synapses of weight ``effect`` and delay ``(delay - 1)*dt``. So the counting is
  exact, and an arrival is discarded by refractoriness like snnlab's. Several events in
  one step arrive as that many additions of ``effect`` where snnlab adds
  ``events*effect`` once: the same number when ``effect`` times a small integer is exact
  in floating point (2 mV, 0.5 mV, ...).
* **Threads.** ``prefs.devices.cpp_standalone.openmp_threads = threads``. Brian2 applies
  synaptic effects that write to a postsynaptic variable on one thread, in the order of
  its spike queues (one per thread): with several threads, inputs into one neuron may be
  summed in another order, which changes the last bit of the sum when the weights are not
  exact binary fractions. Spike trains of 1 and 2 threads are otherwise identical.
* **Recording.** ``u(t_k)`` is recorded by a StateMonitor in the ``start`` slot (after the
  delivery of step k-1's end, i.e. snnlab's "after delivery, before integration"); the
  currents are the values snnlab evaluated, so they are not recorded by Brian2.

Refused
-------
Nothing of snnlab's model is refused today. :func:`refuse_unmapped` is the one place that
names what this backend cannot map, before any Brian2 object is made; ``threads`` must be
a positive integer.

Project directory
-----------------
The C++ project goes to ``$SNNLAB_CACHE/brian2/<hash>`` (default ``~/.cache/snnlab``),
the hash taken over what Brian2 compiles into code (sizes, methods, the number of steps,
dt, threads, Poisson rates, seeds), not over values it reads from data files (parameters,
initial potentials, currents, weights, delays, connectivity). Brian2 rewrites only files
whose content changed, so a second run of the same structure, in this process or another,
compiles nothing (code generation and ``make`` take ~1-3 s; a first build 7-20 s). Two
processes must not build into one directory at the same time.

Brian2's global state: standalone mode is a process-wide device. Each run activates it,
re-initialises it, builds and runs, and then restores the runtime device and the
preferences it changed, so runtime-mode Brian2 code in the same process keeps working.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

from .. import backends

#: What this backend refuses, and why (see :func:`snnlab.backends.check_mapped`): nothing of
#: snnlab's model today; Euler integration, the floor, ``couple()`` and Poisson input all map.
REFUSED: dict = {}

OWNER = "run(backend='brian2')"

#: The most current values (steps x neurons) a TimedArray may hold, 8 bytes each (2 GiB).
MAX_TIMED_VALUES = 1 << 28


@contextlib.contextmanager
def _quiet():
    """Brian2 2.9 imports and parses equations with pyparsing names that pyparsing 3.3
    deprecates: not ours to fix, and not the user's to see (pytest turns them into errors)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"'\w+' deprecated - use '\w+'", DeprecationWarning)
        warnings.filterwarnings("ignore", r"'\w+' argument is deprecated, use '\w+'", DeprecationWarning)
        yield


def load():
    """Import Brian2 (quietly), or say which extra installs it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b2 = backends.import_engine("brian2", "brian2")
    # Brian2 warns at every OpenMP build that its OpenMP code "is not yet well tested": this
    # backend's tests check 1 and 2 threads against each other and against snnlab instead
    b2.BrianLogger.suppress_name("cpp_standalone.device.openmp")
    return b2


def check_network(network) -> None:
    """Everything Brian2 cannot reproduce, refused before anything is built (see REFUSED)."""
    backends.check_mapped(network, "brian2", REFUSED)


def cache_root() -> Path:
    """Where the C++ projects live: ``$SNNLAB_CACHE/brian2`` or ``~/.cache/snnlab/brian2``."""
    base = os.environ.get("SNNLAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "snnlab")
    return Path(base) / "brian2"


def brian2_seed(seed: int) -> int:
    """A 32-bit seed for Brian2 (numpy's legacy seeding), derived from the network's seed."""
    return int(np.random.SeedSequence(seed, spawn_key=(5,)).generate_state(1)[0])


# -- the network, as arrays on Brian2's side ---------------------------------------------------------

class _Plan:
    """Everything the Brian2 build needs, computed from the Simulation before Brian2 is touched."""

    def __init__(self, sim, steps: int, threads: int, recorded: np.ndarray):
        self.sim, self.steps, self.threads, self.recorded = sim, steps, threads, recorded
        self.dt = sim.dt
        n = sim.n
        methods = [p.model.method for p in sim.populations]
        self.methods = list(dict.fromkeys(methods))  # one NeuronGroup per method, in order of appearance
        self.group_of = np.empty(n, dtype=np.int64)
        self.local = np.empty(n, dtype=np.int64)
        self.ids = []
        for g, method in enumerate(self.methods):
            ids = np.concatenate([np.arange(*sim._slice(p)) for p in sim.populations if p.model.method == method])
            self.group_of[ids] = g
            self.local[ids] = np.arange(ids.size)
            self.ids.append(ids)
        self.tau = np.concatenate([np.full(p.n, p.model.tau_m) for p in sim.populations])
        self.current, self.constant = self._currents()
        self.synapses = self._synapses()
        self.has_floor = [bool(np.isfinite(sim.floor[ids]).any()) for ids in self.ids]
        self.random = bool(sim.poisson)

    def _currents(self):
        """External currents as snnlab's run evaluates them: (1, N) when constant in time,
        else (steps, N); refused when a TimedArray of them would not fit."""
        sim, steps = self.sim, self.steps
        constant = all(p.current.constant_in_time for p in sim.populations)
        if not constant and steps * sim.n > MAX_TIMED_VALUES:
            raise backends.BackendError(
                f"{OWNER}.duration: a current that varies in time goes to Brian2 as a TimedArray of steps x "
                f"neurons values, at most {MAX_TIMED_VALUES} (got {steps} x {sim.n}); simulate a shorter time, "
                "use currents constant in time, or backend='snnlab'"
            )
        return backends.evaluated_currents(sim, steps), constant

    def _synapses(self):
        """All projections' synapses as (pre, post, weight, delay steps), split by group pair
        (local indices within each NeuronGroup)."""
        pre, post, weight, delay = backends.synapses(self.sim)
        out = {}
        if not pre.size:
            return out
        pairs = self.group_of[pre] * len(self.methods) + self.group_of[post]
        for key in np.unique(pairs):
            keep = pairs == key
            out[divmod(int(key), len(self.methods))] = (
                self.local[pre[keep]], self.local[post[keep]], weight[keep], delay[keep])
        return out

    def layout(self) -> str:
        """A hash of the Brian2 objects this network needs (their names and kinds), which names
        its project directory: networks of one layout share a directory, and a build there
        recompiles only the files whose code differs (see the module docstring)."""
        sim = self.sim
        parts = [
            "snnlab-brian2-1", self.methods, sorted(self.synapses),
            [int(self.group_of[p.lo]) for p in sim.poisson],
            [sorted({int(g) for g in self.group_of[c.post]}) for c in sim.couplings],
            [bool(np.any(self.group_of[self.recorded] == g)) for g in range(len(self.methods))],
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


@contextlib.contextmanager
def _standalone(b2, directory: Path, threads: int):
    """Brian2's standalone device, fresh, with ``threads`` OpenMP threads; afterwards the
    runtime device and the preferences as they were."""
    import gc

    prefs = b2.prefs
    saved = prefs.devices.cpp_standalone.openmp_threads
    # a previous build's objects, if still alive (reference cycles), would make Brian2 rename
    # this build's code objects ("_1"), and so rewrite and recompile every file
    gc.collect()
    b2.set_device("cpp_standalone", build_on_run=False, directory=str(directory))
    device = b2.get_device()
    try:
        device.reinit()
        device.activate(build_on_run=False, directory=str(directory))
        prefs.devices.cpp_standalone.openmp_threads = threads
        yield device
    finally:
        prefs.devices.cpp_standalone.openmp_threads = saved
        device.reinit()
        b2.set_device("runtime")
        gc.collect()


def _build(b2, plan: _Plan):
    """Make the Brian2 objects; return (objects, spike monitors, state monitors)."""
    sim, dt = plan.sim, plan.dt
    ms = b2.ms
    clock_dt = dt * ms
    groups, spikes, states, objects = [], [], [], []
    for g, (method, ids) in enumerate(zip(plan.methods, plan.ids)):
        namespace = {}
        if plan.constant:
            input_eq = "I : 1 (constant)"
        else:
            namespace["I_ext"] = b2.TimedArray(np.ascontiguousarray(plan.current[:, ids]), dt=clock_dt)
            input_eq = "I = I_ext(t, i) : 1"
        eqs = f"""
        dv/dt = (u_rest - v + R*I)/tau : 1 (unless refractory)
        {input_eq}
        u_rest : 1 (constant)
        R : 1 (constant)
        tau : second (constant)
        theta : 1 (constant)
        u_reset : 1 (constant)
        u_floor : 1 (constant)
        ref : second (constant)
        ref_steps : integer (constant)
        inbuf : 1
        """
        group = b2.NeuronGroup(ids.size, eqs, threshold="v >= theta", reset="v = u_reset", refractory="ref",
                               events={"step_end": "True"}, method=method, dt=clock_dt, namespace=namespace,
                               name=f"neurons_{g}")
        group.u_rest = sim.u_rest[ids]
        group.R = sim.resistance[ids]
        group.tau = plan.tau[ids] * ms
        group.theta = sim.threshold[ids]
        group.u_reset = sim.u_reset[ids]
        floors = sim.floor[ids]
        group.u_floor = np.where(np.isfinite(floors), floors, 0.0)
        ref_steps = np.minimum(sim.refractory_steps[ids], plan.steps + 1)  # longer is the same: to the end
        group.ref = (ref_steps + 1) * clock_dt
        group.ref_steps = ref_steps
        group.v = sim.u_init[ids]
        if plan.constant:
            group.I = plan.current[0, ids]
        if plan.has_floor[g]:
            # snnlab applies the floor after integrating, and again after delivering
            group.run_regularly("v = clip(v, u_floor, inf)", when="after_groups", name=f"floor_{g}")
        accepted = "inbuf * int(timestep(t - lastspike, dt) >= ref_steps)"
        deliver = f"v = clip(v + {accepted}, u_floor, inf)" if plan.has_floor[g] else f"v += {accepted}"
        group.run_on_event("step_end", deliver + "\ninbuf = 0", when="after_resets")
        groups.append(group)
        objects.append(group)
        spikes.append(b2.SpikeMonitor(group, name=f"spikes_{g}"))
        rec = plan.local[plan.recorded[plan.group_of[plan.recorded] == g]]
        states.append(b2.StateMonitor(group, "v", record=rec, when="start", dt=clock_dt, name=f"v_{g}")
                      if rec.size else None)

    for (gp, gq), (pre, post, weight, delay) in sorted(plan.synapses.items()):
        homogeneous = bool(np.all(delay == delay[0]))
        extra = {"delay": (int(delay[0]) - 1) * clock_dt} if homogeneous else {}
        syn = b2.Synapses(groups[gp], groups[gq], "w : 1", on_pre="inbuf_post += w", dt=clock_dt,
                          name=f"synapses_{gp}_{gq}", **extra)
        syn.connect(i=pre, j=post)
        syn.w = weight
        if not homogeneous:
            syn.delay = (delay - 1) * clock_dt
        objects.append(syn)

    for p in sim.poisson:
        g = int(plan.group_of[p.lo])
        lo = int(plan.local[p.lo])
        objects.append(groups[g][lo:lo + (p.hi - p.lo)].run_regularly(
            f"inbuf += {p.weight!r} * poisson({p.lam!r})", when="synapses", dt=clock_dt, name=f"poisson_{p.index}"))

    for c_index, c in enumerate(sim.couplings):
        objects += _coupling(b2, plan, groups, c_index, c)
    objects += [m for m in spikes] + [m for m in states if m is not None]
    return objects, spikes, states


def _coupling(b2, plan: _Plan, groups, index: int, c) -> list:
    """The report's population coupling (see the module docstring)."""
    clock_dt = plan.dt * b2.ms
    g = int(plan.group_of[c.pre_lo])
    lo = int(plan.local[c.pre_lo])
    source = groups[g][lo:lo + (c.pre_hi - c.pre_lo)]
    # the most events one step can bring: the counter just below a multiple, every source spiking
    m = (c.every - 1 + (c.pre_hi - c.pre_lo)) // c.every
    counter = b2.NeuronGroup(1, """
        emitted : 1
        total : 1
        events : 1
        """, dt=clock_dt, name=f"coupling_{index}_counter")
    # counts as exact integers in doubles (up to 2**53 spikes); floor((a)/every) of integers
    # below 2**53 is exact
    count = b2.Synapses(source, counter, "emitted_post = int(lastspike_pre == t) : 1 (summed)", dt=clock_dt,
                        name=f"coupling_{index}_count")
    count.connect()
    updater = count.summed_updaters["emitted_post"]
    updater.when, updater.order = "thresholds", 1
    events = counter.run_regularly(
        f"events = floor((total + emitted) / {c.every}.0) - floor(total / {c.every}.0)\n"
        "total += emitted", when="thresholds", order=2, dt=clock_dt, name=f"coupling_{index}_events")
    emitters = b2.NeuronGroup(m, "events_now : 1 (linked)", threshold="events_now > i", reset="", dt=clock_dt,
                              name=f"coupling_{index}_emitters")
    emitters.events_now = b2.linked_var(counter, "events", index=np.zeros(m, dtype=np.int64))
    emitters.thresholder["spike"].when, emitters.thresholder["spike"].order = "thresholds", 3
    objects = [counter, count, events, emitters]
    posts = c.post
    for gq in np.unique(plan.group_of[posts]):
        targets = plan.local[posts[plan.group_of[posts] == gq]]
        syn = b2.Synapses(emitters, groups[int(gq)], on_pre=f"inbuf_post += {c.effect!r}",
                          delay=(c.delay - 1) * clock_dt, dt=clock_dt, name=f"coupling_{index}_effect_{gq}")
        syn.connect(i=np.repeat(np.arange(m), targets.size), j=np.tile(targets, m))
        objects.append(syn)
    return objects


def run(network, duration: float, threads=None, record="auto", *, directory=None):
    """Simulate ``network`` for ``duration`` ms in Brian2 (C++ standalone) and return an
    :class:`snnlab.Result`; see :meth:`snnlab.Network.run` and the module docstring.

    Parameters
    ----------
    network : snnlab.Network
    duration : float
        ms, rounded to whole steps of dt as :meth:`snnlab.Network.run` does.
    threads : int or None
        OpenMP threads of the compiled simulation, >= 1. Default None: one.
    record : see :meth:`snnlab.Network.run`
        Potentials are recorded by Brian2; the currents are those snnlab evaluated.
    directory : str, Path or None
        The C++ project's directory; default a cache directory per network structure
        (see the module docstring).

    Returns
    -------
    snnlab.Result
        Spikes on snnlab's step grid, the recorded potentials and currents, the connections,
        and ``params["backend"]``: the engine, its version, threads, seed and directory.
    """
    threads = backends.check_threads(OWNER, threads)
    threads = 1 if threads is None else threads
    check_network(network)
    with _quiet():
        b2 = load()
    sim = network.build()
    steps = backends.steps_for(sim, duration)
    recorded = backends.recorded_neurons(sim, record, steps)
    plan = _Plan(sim, steps, threads, recorded)
    seed = brian2_seed(network.seed)
    directory = Path(directory) if directory is not None else cache_root() / plan.layout()
    with _quiet(), _standalone(b2, directory, threads) as device:
        if plan.random:  # compiled into main.cpp: only where it matters
            b2.seed(seed)
        objects, spike_mons, state_mons = _build(b2, plan)
        b2.Network(objects).run(steps * plan.dt * b2.ms, namespace={})
        device.build(directory=str(directory), compile=True, run=True, with_output=False)
        spike_steps, spike_neurons = [], []
        for ids, mon in zip(plan.ids, spike_mons):
            spike_steps.append(np.rint(np.asarray(mon.t_) * (1000.0 / plan.dt)).astype(np.int64))
            spike_neurons.append(ids[np.asarray(mon.i, dtype=np.int64)])
        potentials = np.empty((steps, recorded.size))
        for g, mon in enumerate(state_mons):
            if mon is None:
                continue
            values = np.asarray(mon.v).T
            if values.shape[0] != steps:
                raise RuntimeError(f"{OWNER}: Brian2 recorded {values.shape[0]} steps, expected {steps}")
            potentials[:, plan.group_of[recorded] == g] = values
    spike_steps, spike_neurons = np.concatenate(spike_steps), np.concatenate(spike_neurons)
    order = np.lexsort((spike_neurons, spike_steps))
    currents = np.array(np.broadcast_to(plan.current[:, recorded], (steps, recorded.size)))
    info = {"name": "brian2", "version": str(b2.__version__), "threads": threads, "seed": seed,
            "directory": str(directory)}
    return backends.make_result(sim, steps, spike_steps[order], spike_neurons[order], recorded, potentials,
                                currents, info)
