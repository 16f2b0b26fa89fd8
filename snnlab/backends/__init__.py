"""Running an snnlab network on another simulator: ``net.run(duration, backend="nest")``.

snnlab runs a network on one core. A student whose network outgrows a laptop moves to an
engine that distributes (NEST: threads and MPI). A backend builds the *same* network in
that engine and returns an :class:`snnlab.Result`, so every plot, analysis function and
widget works on it unchanged.

How a backend works
-------------------
1. **Refuse what is not mapped, first.** :func:`check_mapped` names every feature of the
   description that the engine cannot reproduce faithfully (Euler integration, the floor,
   ``couple()`` on NEST), and why, before anything is built or imported; a description
   with something snnlab does not know to map (a new LIF parameter, a new kind of network
   element) is refused too, by name.
2. **snnlab's own build is the source of truth.** The backend reads the arrays of
   :meth:`snnlab.Network.build`: the neuron parameters, the synapses in CSR order with
   their signed weights and delays in whole steps, the refractory period in whole steps
   and the external currents as snnlab evaluates them (the same noise draws, the same
   chunks). So connectivity and currents are exactly snnlab's, whatever rule or current
   made them; only the dynamics run in the other engine.
3. **Spikes come back on snnlab's step grid** and go into a :class:`snnlab.Result` with
   the same populations, parameters (plus ``params["backend"]``: the engine, its version,
   threads and seed) and connections as snnlab's own result.

Backends: ``"snnlab"`` (the default, the compiled engine), ``"nest"`` (NEST 3.10,
:mod:`snnlab.backends.nest`, ``pip install 'snnlab[nest]'``) and ``"brian2"`` (Brian2 2.9,
C++ standalone with OpenMP threads, :mod:`snnlab.backends.brian2`, ``pip install 'snnlab[brian2]'``).
docs/backends.md has the mapping in full (docs/backend-brian2.md for Brian2).
"""

from __future__ import annotations

import copy
import importlib
import numbers
from dataclasses import fields

import numpy as np

from .. import _checks as check
from ..neurons import LIF

#: The engines ``Network.run(backend=...)`` accepts.
BACKENDS = ("snnlab", "nest", "brian2")

#: The pip extra that installs each engine.
EXTRAS = {"nest": "nest", "brian2": "brian2"}

#: The parts of ``Network.describe()`` that every backend knows how to map (or refuse).
KNOWN_DESCRIPTION = ("dt", "seed", "populations", "projections", "couplings", "poisson_inputs")

#: The LIF parameters every backend maps (or refuses). A parameter added to LIF later is
#: refused by name until its backend mapping is written, unless it keeps its default.
KNOWN_LIF = ("u_rest", "threshold", "R", "C", "u_reset", "refractory", "floor", "method", "u_init")


class BackendError(ValueError):
    """A feature the chosen engine cannot reproduce faithfully, refused before anything is built."""


class EngineMissing(ImportError):
    """The engine a backend needs is not installed; the message says which extra installs it."""


def check_threads(owner: str, threads) -> int | None:
    """None (the engine's default, one thread) or an integer >= 1."""
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral):
        raise TypeError(f"{owner}.threads: must be None or an integer >= 1 (got {check._show(threads)})")
    return check.integer(owner, "threads", threads, minimum=1)


def run(network, duration, backend: str = "snnlab", threads=None, record="auto", progress="auto"):
    """Simulate ``network`` for ``duration`` ms on ``backend``; see :meth:`snnlab.Network.run`."""
    backend = check.choice("run", "backend", backend, BACKENDS)
    threads = check_threads("run", threads)
    if backend == "snnlab":
        if threads not in (None, 1):
            raise ValueError(
                f"run.threads: must be None or 1 with backend='snnlab', which runs on one core (got {threads}); "
                "use backend='nest' to run on several threads"
            )
        return network.build().run(duration, record=record, progress=progress)
    return engine_module(backend).run(network, duration, threads=threads, record=record, progress=progress)


def export(network, backend: str, path, duration):
    """Write a script and its data file that run ``network`` on ``backend``; see :meth:`snnlab.Network.export`."""
    backend = check.choice("export", "backend", backend, tuple(b for b in BACKENDS if b != "snnlab"))
    return engine_module(backend).export(network, path, duration)


def engine_module(backend: str):
    """The module of one backend (``snnlab.backends.nest``); it imports its engine only when used."""
    return importlib.import_module(f"{__name__}.{backend}")


def import_engine(backend: str, module: str):
    """Import an engine's Python module, or raise :class:`EngineMissing` naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EngineMissing(
            f"run(backend={backend!r}): needs the Python module {module!r}, which cannot be imported ({exc}); "
            f"install it with pip install 'snnlab[{EXTRAS[backend]}]'"
        ) from exc


# -- what is mapped ------------------------------------------------------------------------------

def check_mapped(network, backend: str, refused: dict) -> None:
    """Refuse, before anything is built, every feature of ``network`` that ``backend`` does not map.

    Parameters
    ----------
    network : snnlab.Network
    backend : str
        For the message.
    refused : dict
        The backend's refusals: ``"euler"``, ``"floor"``, ``"couple"`` and/or
        ``"poisson"`` mapped to the reason (one sentence: why the engine cannot do it).

    Raises
    ------
    BackendError
        Naming the first unmapped feature (owner and parameter), what is allowed, what was
        given, and why.
    """
    owner = f"run(backend={backend!r})"
    description = network.describe()
    unknown = [key for key in description if key not in KNOWN_DESCRIPTION and description[key]]
    if unknown:
        raise BackendError(
            f"{owner}: the network's {unknown[0]!r} is not mapped to {backend} yet "
            f"(got {check._show(description[unknown[0]])}); run it with backend='snnlab'"
        )
    defaults = LIF()
    for pop in network.populations.values():
        model = pop.model
        for f in fields(LIF):
            if f.name not in KNOWN_LIF and getattr(model, f.name) != getattr(defaults, f.name):
                raise BackendError(
                    f"{owner}: population {pop.label!r}: LIF.{f.name} is not mapped to {backend} yet "
                    f"(got {check._show(getattr(model, f.name))}); run it with backend='snnlab'"
                )
        if "euler" in refused and model.method == "euler":
            raise BackendError(
                f"{owner}: population {pop.label!r}: LIF.method: must be 'exact' (got 'euler'); {refused['euler']}"
            )
        if "floor" in refused and model.floor is not None:
            raise BackendError(
                f"{owner}: population {pop.label!r}: LIF.floor: must be None (got {model.floor!r}); {refused['floor']}"
            )
    if "couple" in refused and network.couplings:
        c = network.couplings[0]
        raise BackendError(
            f"{owner}: couple({c.pre.label} -> {'+'.join(p.label for p in c.post)}): must be absent "
            f"(got {len(network.couplings)} coupling{'' if len(network.couplings) == 1 else 's'}); {refused['couple']}"
        )
    if "poisson" in refused and network.poisson_inputs:
        pop, _ = network.poisson_inputs[0]
        raise BackendError(
            f"{owner}: add_poisson_input(target {pop.label!r}): must be absent (got "
            f"{len(network.poisson_inputs)}); {refused['poisson']}"
        )


# -- what the backends read from snnlab's build ------------------------------------------------------
# (kept in one place, so that a change to the engine's internals touches only these functions)

def steps_for(sim, duration) -> int:
    """The number of steps snnlab would simulate for ``duration`` ms, with snnlab's checks
    (a whole number of steps, array currents long enough)."""
    from ..inputs import FromArray, Sum

    steps = check.duration_steps("run", duration, sim.dt)
    for pop in sim.populations:
        if isinstance(pop.current, (FromArray, Sum)):
            pop.current.check_steps(steps, f"population {pop.label!r}: current")
    return steps


def recorded_neurons(sim, record, steps) -> np.ndarray:
    """Global indices of the neurons whose potential and current ``record`` keeps, as snnlab reads it."""
    return sim._recorded(record, steps)


def evaluated_currents(sim, steps: int) -> np.ndarray:
    """The external currents snnlab's own run uses, nA: shape (1, N) when every current is
    constant in time, else (steps, N). Evaluated population by population in snnlab's
    chunks, from fresh random streams of the network's seed, so that noise currents are
    the very values ``backend="snnlab"`` draws."""
    from ..engine import CHUNK_VALUES

    rngs = sim._current_rngs()
    if all(p.current.constant_in_time for p in sim.populations):
        if sim._constant_current is not None:
            return sim._constant_current[0]
        return sim.currents(0, 1, rngs)
    # the values, and the engine's copy of them (NEST's generators hold about twice as much)
    need = 3.0 * steps * sim.n * 8
    avail = check.available_memory()
    if avail is not None and need > 0.8 * avail:
        raise check.SizeError(
            f"run: the time-varying currents of {sim.n} neurons over {steps} steps need about {check.fmt_bytes(need)} "
            f"for another engine, more than the {check.fmt_bytes(avail)} of memory available; use currents constant "
            "in time, Poisson input, or a shorter run"
        )
    chunk = int(min(steps, max(1, CHUNK_VALUES // sim.n)))
    out = np.empty((steps, sim.n))
    for start in range(0, steps, chunk):
        count = min(chunk, steps - start)
        out[start:start + count] = sim.currents(start, count, rngs)
    return out


def synapses(sim) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All synapses of the build, projection after projection, in CSR order: global ``pre``
    and ``post`` (int64), signed weight (mV) and delay (whole steps, int64)."""
    parts = [], [], [], []
    for pre, post, weight, delay in sim.connections():
        parts[0].append(np.asarray(pre, dtype=np.int64))
        parts[1].append(np.asarray(post, dtype=np.int64))
        parts[2].append(np.broadcast_to(np.asarray(weight, dtype=float), np.shape(pre)))
        parts[3].append(np.broadcast_to(np.asarray(delay, dtype=np.int64), np.shape(pre)))
    empty = (np.int64, np.int64, float, np.int64)
    return tuple(np.concatenate(p) if p else np.empty(0, dtype=t) for p, t in zip(parts, empty))


def arrivals(sim, steps, spike_steps, spike_neurons, recorded) -> np.ndarray:
    """The synaptic input snnlab would add to each recorded neuron at the start of each step,
    given the spikes: shape (steps, len(recorded)), mV (refractoriness not applied)."""
    column = np.full(sim.n, -1, dtype=np.int64)
    column[recorded] = np.arange(recorded.size)
    out = np.zeros((steps, recorded.size))
    if not recorded.size or not spike_steps.size:
        return out
    for pre, post, weight, delay in sim.connections():
        post = np.asarray(post, dtype=np.int64)
        keep = column[post] >= 0
        if not np.any(keep):
            continue
        pre = np.asarray(pre, dtype=np.int64)[keep]
        weight = np.broadcast_to(np.asarray(weight, dtype=float), keep.shape)[keep]
        delay = np.broadcast_to(np.asarray(delay, dtype=np.int64), keep.shape)[keep]
        post = post[keep]
        counts = np.bincount(pre, minlength=sim.n)
        starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
        # every (spike, kept synapse of its neuron), without a loop over spikes
        per_spike = counts[spike_neurons]
        first = np.repeat(starts[spike_neurons] - np.cumsum(per_spike) + per_spike, per_spike)
        index = first + np.arange(first.size)
        when = np.repeat(spike_steps, per_spike) + delay[index]
        inside = when < steps
        np.add.at(out, (when[inside], column[post[index[inside]]]), weight[index[inside]])
    return out


def refractory_mask(sim, steps, spike_steps, spike_neurons, recorded) -> np.ndarray:
    """True where a recorded neuron is refractory at the start of a step (it discards its
    input there): the ``R`` steps after each of its spikes. Shape (steps, len(recorded))."""
    column = np.full(sim.n, -1, dtype=np.int64)
    column[recorded] = np.arange(recorded.size)
    count = np.zeros((steps + 1, recorded.size), dtype=np.int64)
    mine = column[spike_neurons] >= 0
    s, i = spike_steps[mine], spike_neurons[mine]
    length = np.minimum(sim.built.neurons.refractory_steps[i], steps)
    np.add.at(count, (np.minimum(s + 1, steps), column[i]), 1)
    np.add.at(count, (np.minimum(s + 1 + length, steps), column[i]), -1)
    return np.cumsum(count, axis=0)[:steps] > 0


def make_result(sim, steps, spike_steps, spike_neurons, recorded, potentials, currents, backend: dict):
    """An :class:`snnlab.Result` of a run on another engine, made like snnlab's own."""
    from ..results import Result

    params = copy.deepcopy(sim.built.description)
    params["duration"] = steps * sim.dt
    params["backend"] = backend
    return Result(
        dt=sim.dt, steps=steps, labels=[p.label for p in sim.populations],
        kinds=[p.kind for p in sim.populations], sizes=sim.built.sizes.copy(),
        models=[p.model for p in sim.populations], spike_steps=spike_steps, spike_neurons=spike_neurons,
        recorded=recorded, potentials=potentials, currents=currents, params=params,
        connections=sim.connections,
    )
