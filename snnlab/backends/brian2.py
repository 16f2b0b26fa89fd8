"""Run an snnlab network in Brian2 2.9, as C++ standalone code with OpenMP threads.

``net.run(duration, backend="brian2", threads=k)`` (which calls :func:`run`) builds the
network with snnlab's own builder, hands its flat arrays (neuron parameters, synapses in CSR
order with delays in whole steps, refractory steps, the currents as snnlab evaluates them)
to Brian2, compiles a C++ project (reused between runs: see *Project directory*), runs it on
``k`` OpenMP threads and returns an :class:`snnlab.Result`, so every plot and analysis works
on it unchanged. Brian2 is imported only here, on first use (``pip install 'snnlab[brian2]'``).

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
  exact binary fractions. Spike trains of 1 and 2 threads are otherwise identical. Brian2
  compiles the thread count into a header its makefile does not track for the code objects,
  so a project rebuilt for another count would keep stale objects that read one thread's
  spike queue only (inputs lost: checked): the thread count is part of the project's
  layout, and a project built for another count has its objects deleted first.
* **Recording.** ``u(t_k)`` is recorded by a StateMonitor in the ``start`` slot (after the
  delivery of step k-1's end, i.e. snnlab's "after delivery, before integration"); the
  currents are the values snnlab evaluated, so they are not recorded by Brian2.

Refused
-------
Nothing of snnlab's model: :data:`REFUSED` is empty, and :func:`check_network` refuses (through
:func:`snnlab.backends.check_mapped`, before Brian2 is imported) only what no backend maps yet
(an element of the description or an LIF parameter it does not know). ``threads`` must be None
or an integer >= 1. A current that varies in time is handed over as a TimedArray of
steps x neurons values, refused above :data:`MAX_TIMED_VALUES` (2 GiB) before any Brian2 object
is made.

Project directory
-----------------
The C++ project goes to ``$SNNLAB_CACHE/brian2/<layout>`` (default ``~/.cache/snnlab``), where
the layout is a hash of the Brian2 objects the network needs (NeuronGroups per integration
method, Synapses between them, Poisson inputs, couplings, monitors), not of their sizes or
values. Brian2 rewrites only the files whose content changed and ``make`` recompiles only
those: values (parameters, initial potentials, currents, weights, per-synapse delays,
connectivity) are data files and recompile nothing; sizes and the number of steps touch
``objects.cpp`` and ``main.cpp``; a first build compiles some 30 files (7-8 s on two idle
cores, a minute or more on busy ones). Two processes must not build into one directory at
the same time; pass ``directory=`` to keep them apart.

Progress and Ctrl-C
-------------------
Brian2's ``device.build`` compiles with ``os.system("make")`` and runs the binary with
``subprocess.call``: nothing to show while they work, and a Ctrl-C that reaches Python alone is
lost during the compile (``system()`` ignores SIGINT) and leaves the killed binary unreaped
during the run. So :func:`build_and_run` lets Brian2 write the project and then runs both
itself (:func:`compile_project`, :func:`run_binary`), with ``progress`` as for the other
engines (:mod:`snnlab._progress`):

* **The compile** has a bar of its own, over the C++ files ``make`` recompiles (objects older
  than their source): compile time is not simulated time. ``progress=True`` shows it whenever
  something compiles; ``"auto"`` when more than :data:`AUTO_COMPILE_FILES` files do (a new
  layout or thread count: a minute or more on two busy cores), not for the ``main.cpp`` and
  ``objects.cpp`` that new sizes or a new duration recompile (seconds), so that notebooks
  checked by nbval stay free of bars once their layout is built.
* **The run**: the binary reports every 0.1 s of wall-clock time (a ``report=`` function
  compiled into ``main.cpp``, :data:`snnlab.backends._brian2_model.REPORT`: the fraction
  simulated and the processor time of all its threads), which move a bar over simulated time
  with speed and time left. ``"auto"`` shows it when the reports predict more than about 2 s of
  the binary's processor time, judged after 0.2 s (:func:`snnlab._progress.long_run`, the
  rule of snnlab's own runs). The report is compiled in whatever ``progress`` is, so switching
  the bar recompiles nothing.
* **Ctrl-C** ("interrupt the kernel", SIGINT) raises KeyboardInterrupt in the Python process,
  which kills the binary at once and waits for it (no zombie): measured 3-13 ms from the
  signal to the caller's ``except KeyboardInterrupt``, whether the signal reaches Python alone or
  its whole process group, as JupyterLab and a terminal send it. During the compile, ``make``
  runs in a process group of its own, which gets SIGTERM (``make`` deletes the objects its
  compilers were writing) and then SIGKILL: about 0.1 s. Either way the project directory
  stays usable: the next run recompiles what is missing and overwrites the results. (A binary
  that received SIGINT alone stops after the step under way, Brian2's handler: that too
  raises KeyboardInterrupt, not a truncated result.) The interrupted run's traceback, which
  JupyterLab keeps, lets go of the Brian2 objects, so the next build does not find their names
  taken and recompile every file under new ones. One limit: a kernel *restart* during a
  compile kills the kernel's process group, not ``make``'s, which finishes its files alone.

Brian2's global state: standalone mode is a process-wide device. Each run activates it,
re-initialises it, builds and runs, and then restores the runtime device and the
preferences it changed, so runtime-mode Brian2 code in the same process keeps working.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np

from .. import _progress, backends

#: What this backend refuses, and why (see :func:`snnlab.backends.check_mapped`): nothing of
#: snnlab's model today; Euler integration, the floor, ``couple()`` and Poisson input all map.
REFUSED: dict = {}

OWNER = "run(backend='brian2')"

#: The most current values (steps x neurons) a TimedArray may hold, 8 bytes each (2 GiB).
MAX_TIMED_VALUES = 1 << 28

#: Under progress="auto", a compile of more C++ files than this shows its bar: a new layout
#: (or thread count) compiles some 20-30 files, a minute or more on two busy cores; a network of
#: new sizes or a new duration recompiles only main.cpp and objects.cpp (about 10 s), quietly,
#: so that a notebook checked by nbval stays free of bars once its layout is built.
AUTO_COMPILE_FILES = 2
#: Seconds ``make`` and its compilers get to stop (and delete their half-written objects) after Ctrl-C.
MAKE_STOP_SECONDS = 10.0


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
    b2.BrianLogger.suppress_name("openmp")
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

class _Arrays:
    """The arrays of snnlab's build (``Simulation.built``, :mod:`snnlab.builder`) this backend reads."""

    def __init__(self, sim):
        built = sim.built
        neurons = built.neurons
        for name in ("u_init", "u_rest", "resistance", "threshold", "u_reset", "floor", "refractory_steps"):
            setattr(self, name, np.asarray(getattr(neurons, name)))
        self.n, self.dt = int(sim.n), float(sim.dt)
        self.offsets = np.concatenate([[0], np.cumsum([p.n for p in sim.populations])]).astype(np.int64)
        network = sim.network
        # Poisson inputs: (lo, hi, lam, signed weight), lam as snnlab's builder computes it
        self.poisson = []
        for pop, spec in network.poisson_inputs:
            lo, hi = self.offsets[pop.index], self.offsets[pop.index + 1]
            self.poisson.append((int(lo), int(hi), spec.rate * spec.n_sources * self.dt / 1000.0,
                                 float(spec.signed_weight)))
        # couplings: (lo, hi, every, signed effect, delay steps, post ids), from the build
        self.couplings = []
        arrays = built.couplings
        for c in range(arrays.lo.size):
            self.couplings.append((int(arrays.lo[c]), int(arrays.hi[c]), int(arrays.every[c]),
                                   float(arrays.effect[c]), int(arrays.delay[c]),
                                   np.asarray(arrays.post[arrays.ptr[c]:arrays.ptr[c + 1]], dtype=np.int64)))


class _Plan:
    """Everything Brian2 needs, as plain arrays (:func:`snnlab.backends._brian2_model.simulate`'s
    ``data``), computed from snnlab's build before Brian2 is touched."""

    def __init__(self, sim, steps: int, recorded: np.ndarray, seed: int, threads: int = 1):
        self.a = a = _Arrays(sim)
        self.sim, self.steps, self.recorded, self.dt, self.threads = sim, steps, recorded, a.dt, threads
        methods = list(dict.fromkeys(p.model.method for p in sim.populations))  # one NeuronGroup each
        group_of = np.concatenate([np.full(p.n, methods.index(p.model.method), dtype=np.int64)
                                   for p in sim.populations])
        local = np.empty(a.n, dtype=np.int64)
        for g in range(len(methods)):
            ids = np.flatnonzero(group_of == g)
            local[ids] = np.arange(ids.size)
        self.current, self.constant = self._currents()
        pre, post, weight, delay = backends.synapses(sim)
        couplings = a.couplings
        self.data = {
            "dt": np.float64(a.dt), "steps": np.int64(steps), "seed": np.int64(seed),
            "random": np.bool_(bool(a.poisson)), "methods": np.array(methods),
            "group_of": group_of, "local": local,
            "u_init": a.u_init, "u_rest": a.u_rest, "R": a.resistance,
            "tau": np.concatenate([np.full(p.n, p.model.tau_m) for p in sim.populations]),
            "theta": a.threshold, "u_reset": a.u_reset, "u_floor": a.floor, "ref_steps": a.refractory_steps,
            "constant": np.bool_(self.constant), "current": self.current,
            "syn_pre": pre, "syn_post": post, "syn_weight": weight, "syn_delay": delay,
            "poisson_lo": np.array([p[0] for p in a.poisson], dtype=np.int64),
            "poisson_hi": np.array([p[1] for p in a.poisson], dtype=np.int64),
            "poisson_lam": np.array([p[2] for p in a.poisson], dtype=np.float64),
            "poisson_weight": np.array([p[3] for p in a.poisson], dtype=np.float64),
            "c_lo": np.array([c[0] for c in couplings], dtype=np.int64),
            "c_hi": np.array([c[1] for c in couplings], dtype=np.int64),
            "c_every": np.array([c[2] for c in couplings], dtype=np.int64),
            "c_effect": np.array([c[3] for c in couplings], dtype=np.float64),
            "c_delay": np.array([c[4] for c in couplings], dtype=np.int64),
            "c_ptr": np.concatenate([[0], np.cumsum([c[5].size for c in couplings])]).astype(np.int64),
            "c_post": (np.concatenate([c[5] for c in couplings]) if couplings else np.empty(0)).astype(np.int64),
            "record": recorded.astype(np.int64),
        }

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

    def layout(self) -> str:
        """A hash of the Brian2 objects this network needs (their names and kinds), which names
        its project directory: networks of one layout share a directory, and a build there
        recompiles only the files whose code differs (see the module docstring)."""
        d = self.data
        group_of = d["group_of"]
        pairs = np.unique(group_of[d["syn_pre"]] * len(d["methods"]) + group_of[d["syn_post"]]).tolist()
        posts = [sorted(set(group_of[d["c_post"][d["c_ptr"][c]:d["c_ptr"][c + 1]]].tolist()))
                 for c in range(d["c_lo"].size)]
        # the thread count is compiled into a header (synapses_classes.h) that Brian2's makefile
        # does not list as a dependency of the code objects: a project built for one count must
        # not be rebuilt for another (stale objects would read one thread's spike queue only)
        parts = ["snnlab-brian2-1", self.threads, d["methods"].tolist(), pairs, group_of[d["poisson_lo"]].tolist(),
                 posts, sorted(set(group_of[d["record"]].tolist()))]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def run(network, duration: float, threads=None, record="auto", progress="auto", *, directory=None):
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
    progress : True, False or "auto"
        Progress bars (see *Progress and Ctrl-C* in the module docstring): the compile's, over
        C++ files, and the run's, over simulated time, from the compiled binary's reports.
        True shows them, False never, "auto" the run's when it is expected to take more than
        about 2 s of processor time and the compile's when it compiles more than
        :data:`AUTO_COMPILE_FILES` files.
    directory : str, Path or None
        The C++ project's directory; default a cache directory per network layout
        (see the module docstring).

    Returns
    -------
    snnlab.Result
        Spikes on snnlab's step grid, the recorded potentials and currents, the connections,
        and ``params["backend"]``: the engine, its version, threads, seed and directory.
    """
    from . import _brian2_model

    threads = backends.check_threads(OWNER, threads)
    threads = 1 if threads is None else threads
    progress = _progress.check_progress(OWNER, progress)
    check_network(network)
    with _quiet():
        b2 = load()
    sim = network.build()
    steps = backends.steps_for(sim, duration)
    recorded = backends.recorded_neurons(sim, record, steps)
    seed = brian2_seed(network.seed)
    plan = _Plan(sim, steps, recorded, seed, threads)
    directory = Path(directory) if directory is not None else cache_root() / plan.layout()
    def build(device, directory):
        build_and_run(b2, device, directory, steps * sim.dt, progress)

    with _quiet():
        out = _brian2_model.simulate(b2, plan.data, threads, directory, build=build)
    currents = np.array(np.broadcast_to(plan.current[:, recorded], (steps, recorded.size)))
    info = {"name": "brian2", "version": str(b2.__version__), "threads": threads, "seed": seed,
            "directory": str(directory)}
    return backends.make_result(sim, steps, out["spike_steps"], out["spike_neurons"], recorded, out["potentials"],
                                currents, info)


# -- compile and run, with progress bars and Ctrl-C ------------------------------------------------------

def build_and_run(b2, device, directory, total_ms: float, progress="auto") -> None:
    """Brian2's ``device.build(compile=True, run=True)`` in three steps, so that a long compile or
    run tells where it is and Ctrl-C stops it (see *Progress and Ctrl-C* in the module docstring):
    Brian2 writes the project, then :func:`compile_project` runs ``make`` and :func:`run_binary`
    the compiled simulation, each as a child process that a KeyboardInterrupt stops."""
    directory = str(directory)
    if os.name == "nt":  # MSVC's nmake: Brian2's own compile and run (no bar)
        device.build(directory=directory, compile=True, run=True, with_output=False)
        return
    device.build(directory=directory, compile=False, run=False, with_output=False)
    compile_project(b2, directory, progress)
    run_binary(b2, device, directory, total_ms, progress)


@contextlib.contextmanager
def _child(command, directory, group=False, stdout=subprocess.PIPE, env=None, shell=False):
    """A child process, its stdout and stderr going to ``stdout`` (default a pipe of text lines,
    which the caller must read as they come), waited for at the end.

    Whatever stops the caller early (KeyboardInterrupt: Ctrl-C, "interrupt the kernel"; an
    error) stops the child too, and the child is waited for: no zombie is left behind. A child
    alone (the compiled simulation) is killed at once. With ``group=True`` (``make``) the child
    leads a process group of its own, which gets SIGTERM: ``make`` runs each compiler through
    a shell, which would not pass a signal on, so the whole group is signalled; ``make`` deletes
    the objects its compilers were writing. Whatever remains once ``make`` has ended (or after
    :data:`MAKE_STOP_SECONDS`) is killed."""
    proc = subprocess.Popen(command, cwd=directory, env=env, shell=shell, stdout=stdout, stderr=subprocess.STDOUT,
                            text=True, errors="replace", start_new_session=group)
    try:
        yield proc
    except BaseException:
        if group:
            _stop_group(proc)
        proc.kill()  # nothing if it has ended
        raise
    finally:
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _stop_group(proc) -> None:
    """SIGTERM to the process group ``proc`` leads, and once ``proc`` has ended (or after
    :data:`MAKE_STOP_SECONDS`), SIGKILL to whatever is left of the group."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):  # the group is gone
            return
        if sig == signal.SIGTERM:
            try:
                proc.wait(MAKE_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass


def _compile_targets(directory) -> list[tuple[str, float | None]]:
    """The object files ``make`` will (re)compile, by what Brian2's makefile lists (``SRCS``) and
    the files' times: an object missing or older than its source, with its time now (None if
    missing). Only for the bar: a changed header makes ``make`` compile more, which the bar
    does not count."""
    sources = []
    with open(os.path.join(directory, "makefile")) as f:
        for line in f:
            if line.startswith("SRCS ="):
                sources = line.split("=", 1)[1].split()
    stale = []
    for source in sources:
        target = os.path.join(directory, os.path.splitext(source)[0] + ".o")
        made = os.path.getmtime(target) if os.path.exists(target) else None
        if made is None or os.path.getmtime(os.path.join(directory, source)) > made:
            stale.append((target, made))
    return stale


def compile_project(b2, directory, progress="auto") -> None:
    """Run ``make`` in the project written by Brian2 (its command and arguments from Brian2's
    preferences), with a bar over the files it compiles; Ctrl-C stops ``make`` and its compilers
    (the objects they were writing are deleted, so the next build redoes them)."""
    prefs = b2.prefs.devices.cpp_standalone
    stale = _compile_targets(directory)
    show = (progress is True and bool(stale)) or (progress == "auto" and len(stale) > AUTO_COMPILE_FILES)
    what = "once per network layout" if len(stale) > AUTO_COMPILE_FILES else "the files that changed"
    bar = _progress.Progress(len(stale), desc=f"Brian2: compiling the C++ project ({what})", unit="file",
                             bar_format="{desc}: {n:.0f}/{total:.0f} files [{elapsed}]")
    if show:
        bar.open()
    # the string Brian2 runs with os.system; exec: the shell becomes make, the process waited for
    command = "exec " + " ".join([prefs.make_cmd_unix, *prefs.extra_make_args_unix])
    log = os.path.join(directory, "snnlab_make.log")
    with bar, open(log, "w") as out, _child(command, directory, group=True, stdout=out, shell=True) as proc:
        while True:
            try:
                proc.wait(0.1)  # Ctrl-C raises here
                break
            except subprocess.TimeoutExpired:
                bar.moveto(sum(os.path.exists(t) and os.path.getmtime(t) != made for t, made in stale))
        if proc.returncode == 0:
            bar.moveto(len(stale))
    if proc.returncode != 0:
        with open(log, errors="replace") as f:
            output = f.read()
        raise RuntimeError(
            f"{OWNER}: compiling the C++ project in {directory} failed ({prefs.make_cmd_unix} exited with "
            f"{proc.returncode}); its output ({log}) ends:\n{output[-3000:]}"
        )


class _Reports:
    """The compiled simulation's progress reports (:data:`_brian2_model.REPORT`), moving a bar."""

    PREFIX = "snnlab-progress "

    def __init__(self, total_ms: float, progress, started: float):
        self.total_ms, self.progress, self.started = total_ms, progress, started
        self.bar = _progress.Progress(total_ms, desc="Brian2")
        self.cpu_start = None
        self.completed = 0.0
        if progress is True:
            self.bar.open(started=started)

    def update(self, line: str) -> None:
        """One report: the fraction simulated, wall-clock and processor seconds."""
        completed, _, cpu = (float(x) for x in line[len(self.PREFIX):].split())
        self.completed = completed
        if self.cpu_start is None:  # the first report, as the loop starts (after loading the network)
            self.cpu_start = cpu
        elif self.bar.bar is None and self.progress == "auto" and 0 < completed < 1:
            elapsed = cpu - self.cpu_start  # the binary's processor time: all its threads, as for NEST
            if _progress.long_run(elapsed, elapsed / completed):
                self.bar.open(started=self.started)
        self.bar.moveto(completed * self.total_ms)


def run_binary(b2, device, directory, total_ms: float, progress="auto") -> None:
    """Run the compiled simulation as Brian2's ``device.run`` does, reading its reports as they come
    (a bar over simulated time); Ctrl-C kills it at once and raises KeyboardInterrupt.

    The binary is started with the command, results directory and environment Brian2 would use,
    and afterwards the device is told that it has run, so that the monitors read its results."""
    prefs = b2.prefs.devices.cpp_standalone
    results = device.results_dir
    os.makedirs(results, exist_ok=True)
    for clock in device.clocks:  # as device.run: the clocks' times are read from the results
        device.array_cache[clock.variables["t"]] = None
    command = [prefs.run_cmd_unix] if isinstance(prefs.run_cmd_unix, str) else list(prefs.run_cmd_unix)
    env = {**os.environ, **prefs.run_environment_variables, **device.run_environment_variables}
    output = []  # the binary's own lines, kept in results/stdout.txt as Brian2 does
    reports = _Reports(total_ms, progress, time.perf_counter())
    with reports.bar, _child([*command, "--results_dir", results], directory, env=env) as proc:
        for line in proc.stdout:  # Ctrl-C raises here, between two lines
            if line.startswith(_Reports.PREFIX):
                reports.update(line)
            else:
                output.append(line)
    with open(os.path.join(results, "stdout.txt"), "w") as f:
        f.writelines(output)
    stopped = proc.returncode == 0 and reports.cpu_start is not None and reports.completed < 1.0
    if proc.returncode == -signal.SIGINT or stopped:
        # SIGINT reached the binary alone: it stopped early (Brian2's handler) or died
        raise KeyboardInterrupt(f"the Brian2 simulation in {directory} was interrupted after "
                                f"{reports.completed * total_ms:.1f} of {total_ms:.1f} ms")
    if proc.returncode != 0:
        raise RuntimeError(f"{OWNER}: the compiled simulation in {directory} failed (exit status "
                           f"{proc.returncode}); its output ends:\n{''.join(output)[-3000:]}")
    device.has_been_run = True


SCRIPT = '''#!/usr/bin/env python
"""{title}

Written by snnlab {version} (Network.export("brian2", ...)): runs the network of {data_name}
({n} neurons, {n_synapses} synapses, {steps} steps of {dt} ms) in Brian2 as C++ standalone
code with OpenMP threads, and saves its spikes where snnlab.load reads them (a result file
like Result.save writes). Nothing here imports snnlab; the mapping is snnlab's Brian2 backend
(snnlab.backends.brian2, docs/backend-brian2.md).

    python {script_name} [--threads K] [--out RESULT.npz] [--project DIR]

Then, anywhere snnlab is installed: res = snnlab.load("RESULT.npz").
"""

import argparse
import json
import os
import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Brian2 2.9's import: pyparsing deprecations
    import brian2

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, {data_name!r})


{model}


def main():
    parser = argparse.ArgumentParser(description="Run the exported snnlab network in Brian2 (C++ standalone).")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads (default 1)")
    parser.add_argument("--out", default=os.path.join(HERE, {result_name!r}), help="the result file (.npz)")
    parser.add_argument("--project", default=os.path.join(HERE, {project_name!r}),
                        help="the C++ project's directory (reused: a rerun with as many threads compiles nothing)")
    args = parser.parse_args()
    with np.load(DATA, allow_pickle=False) as f:
        data = {{key: f[key] for key in f.files}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        out = simulate(brian2, data, args.threads, args.project)
    meta = json.loads(str(data["result_meta"]))
    meta["params"]["backend"].update(threads=args.threads, version=str(brian2.__version__))
    steps = int(data["steps"])
    np.savez_compressed(
        args.out, meta=np.array(json.dumps(meta)), spike_steps=out["spike_steps"],
        spike_neurons=out["spike_neurons"], recorded=np.empty(0, dtype=np.int64), potentials=np.empty((steps, 0)),
        currents=np.empty((steps, 0)), conn_counts=data["conn_counts"], conn_pre=data["syn_pre"],
        conn_post=data["syn_post"], conn_weight=data["syn_weight"], conn_delay_steps=data["syn_delay"],
    )
    print(f"{{out['spike_steps'].size}} spikes saved in {{args.out}}")


if __name__ == "__main__":
    main()
'''


def export(network, path, duration) -> tuple:
    """Write ``path`` (a Python script) and its data file (``path`` with suffix ``.npz``) that
    run ``network`` for ``duration`` ms in Brian2 (C++ standalone); see :meth:`snnlab.Network.export`.

    The data are the arrays :func:`run` hands Brian2 (snnlab's build, currents evaluated for
    ``duration``), and the script runs them through the same module,
    :mod:`snnlab.backends._brian2_model`, whose source it contains. Brian2 need not be
    installed here. ``python model.py [--threads K]`` saves the spikes in
    ``model_result.npz``, which :func:`snnlab.load` reads. Returns the paths of the script
    and the data file.
    """
    import inspect
    import json

    from .. import __version__
    from ..results import FORMAT_VERSION
    from . import _brian2_model

    check_network(network)
    path = Path(path)
    if path.suffix != ".py":
        raise ValueError(f"export.path: must end in .py, the script's name (got {str(path)!r})")
    sim = network.build()
    steps = backends.steps_for(sim, duration)
    seed = brian2_seed(network.seed)
    plan = _Plan(sim, steps, np.empty(0, dtype=np.int64), seed)
    description = sim.built.description
    params = dict(description, duration=steps * sim.dt,
                  backend={"name": "brian2", "version": None, "threads": None, "seed": seed, "exported": path.name})
    meta = {"format": FORMAT_VERSION, "dt": sim.dt, "steps": steps, "labels": [p.label for p in sim.populations],
            "kinds": [p.kind for p in sim.populations], "sizes": [int(p.n) for p in sim.populations],
            "models": [p.model.as_dict() for p in sim.populations], "params": params}
    data_path = path.with_suffix(".npz")
    np.savez_compressed(data_path, **plan.data, result_meta=np.array(json.dumps(meta)),
                        conn_counts=np.array([np.size(c[1]) for c in sim.connections()], dtype=np.int64))
    model = inspect.getsource(_brian2_model).split('"""', 2)[2].strip()  # without its docstring
    labels = ", ".join(f"{p.label} ({p.n} {p.kind})" for p in sim.populations)
    script = SCRIPT.format(
        title=f"An snnlab network in Brian2: {labels}, {steps * sim.dt:g} ms.", version=__version__,
        data_name=data_path.name, result_name=f"{path.stem}_result.npz", project_name=f"{path.stem}_brian2",
        script_name=path.name, n=sim.n, n_synapses=plan.data["syn_pre"].size, steps=steps, dt=sim.dt, model=model,
    )
    path.write_text(script)
    return path, data_path
