"""The NEST backend: ``net.run(duration, backend="nest", threads=k)``.

Builds snnlab's network in NEST 3.10 (``pip install 'snnlab[nest]'``) with the model
``iaf_psc_delta`` and returns an :class:`snnlab.Result`. Deterministic networks give the
same spikes as snnlab, step for step and neuron for neuron; networks with Poisson input
give the same statistics. NEST is imported only when this backend runs. The mapping
below was checked spike for spike (tests/test_backend_nest.py); docs/backends.md says
the same at more length.

Parameters (units: snnlab mV, nA, MΩ, nF, ms; NEST mV, pA, pF, ms)
    ``E_L = u_rest``, ``V_th = threshold``, ``V_reset = u_reset``, ``C_m = 1000*C`` pF,
    ``tau_m = R*C`` ms, ``V_m = u_init`` (each neuron's, as snnlab drew it),
    ``t_ref = R_steps*dt`` with ``R_steps`` snnlab's own whole number of refractory steps
    (NEST rounds a period that is not a multiple of dt up, snnlab to the nearest step).
    Every parameter is set: NEST's defaults (C_m 250 pF, E_L -70 mV, t_ref 2 ms) are not
    snnlab's. Then ``tau_m/C_m * I_e`` is ``R*I`` in mV, with ``I_e = 1000*I`` pA.
Integration
    NEST's update of one step is exact, ``V <- P33*V + P30*(I_e + I_gen) + input`` with
    ``P33 = exp(-dt/tau_m)``: snnlab's ``method="exact"``. Euler is refused.
The step order, and why the weights are scaled
    snnlab adds the input arriving at ``t_k`` *before* integrating step k and tests the
    threshold after it; NEST integrates first and adds the input arriving in step k
    after, then tests. A spike of snnlab's step k is stamped ``k + 1`` by NEST (the end of
    the step); a NEST delay of ``d*dt`` adds it in the same step k + d in which snnlab
    delivers it. So each synapse gets ``delay = d*dt`` (snnlab's whole steps) and
    ``weight = w*exp(-dt/tau_m)`` of its target: the threshold test then sees in NEST what
    it sees in snnlab, ``a*(u + w) + (1 - a)*u_inf`` with ``a = exp(-dt/tau_m)``. Spike
    steps come back as the NEST step minus one.
Refractoriness
    snnlab holds a neuron that spiked in step k at ``u_reset`` for steps k+1 .. k+R and
    discards the input arriving then; NEST with ``t_ref = R*dt`` (and its default
    ``refractory_input=False``) does the same.
Currents
    A current constant in time is ``I_e``. Any other (a function of t, noise, an array) is
    evaluated by snnlab, step by step, from the network's seed, exactly as
    ``backend="snnlab"`` evaluates it, and handed to NEST as one ``step_current_generator``
    per neuron (values only where they change): a change at ``amplitude_times = (k-1)*dt``
    through a connection of delay dt acts in step k, for k >= 2; steps 0 and 1 come from
    ``I_e``, set before each of the first two one-step ``Simulate`` calls.
Poisson input
    ``add_poisson_input(rate, weight, n_sources)`` is one NEST ``poisson_generator`` of
    rate ``rate*n_sources`` Hz per input, connected to every neuron of the population with
    weight ``±weight*exp(-dt/tau_m)`` and delay dt: each neuron gets its own Poisson count
    per step, like snnlab's, but NEST draws them: same statistics, not the same draws.
Seeds
    NEST's ``rng_seed`` is ``seed mod (2**32 - 2) + 1`` of the network's seed (NEST needs
    1 .. 2**32 - 1). Connectivity, initial potentials and currents come from snnlab's build,
    so only NEST's Poisson draws depend on it. With Poisson input, NEST gives the same
    spikes only for the same seed *and* the same number of threads.
Threads and MPI
    ``threads=k`` sets ``local_num_threads``; without Poisson input 1 and 2 threads give
    the same spikes. MPI needs a NEST built with it, which the PyPI wheel is not: use
    :meth:`snnlab.Network.export` and ``mpirun`` (docs/backends.md).
Recording
    NEST's multimeter samples ``V_m(t_k)`` *before* the input arriving at ``t_k`` is added
    (and none at t = 0). snnlab records after it. The potentials in the result are NEST's
    samples plus the synaptic input snnlab adds at ``t_k`` (computed from NEST's spikes and
    the network's synapses; none while the neuron is refractory), with ``u(t_0) = u_init``:
    the same numbers as snnlab's up to rounding (within 3e-14 mV in the tests). With Poisson
    input the arrivals are NEST's own draws, which it does not report: ``record="auto"`` then keeps
    spikes only, and ``"all"`` or a dict is refused. Currents are snnlab's evaluated values.
Refused (before NEST is imported), each by name and why
    Euler integration (NEST is exact only); the floor (``LIF.floor``: NEST's ``V_min``
    clips once per step, after integration and input, snnlab also after the input, so the
    two differ whenever input pushes a membrane below the floor, as 5 of 6 floored networks
    checked did); ``couple()`` (NEST has no population-level "every k spikes" coupling
    without a custom model); a ``dt`` that is not a multiple of NEST's tic (0.001 ms); and
    anything in the description snnlab does not know how to map.
Ties
    NEST and snnlab round differently (by up to a few 1e-15 mV), so a potential that lands
    exactly on the threshold in one could miss it in the other. None occurred in the tests.
"""

from __future__ import annotations

import os

import numpy as np

from .. import backends
from .._checks import whole_steps
from .._progress import Pacer
from . import _nest_model

#: NEST's time grid, ms (its default tics_per_ms = 1000): dt must be a multiple of it.
TIC = 0.001

#: The features NEST cannot reproduce, and why (see the module docstring).
REFUSED = {
    "euler": (
        "NEST's iaf_psc_delta integrates exactly only (its propagator exp(-dt/tau_m)), so Euler's spikes "
        "cannot be reproduced there; use LIF(method='exact') or backend='snnlab'"
    ),
    "floor": (
        "NEST's V_min clips the membrane once per step, after integration and input, while snnlab also clips "
        "right after the input arrives, so the two differ whenever input pushes a membrane below the floor "
        "(5 of 6 floored networks checked diverged); use floor=None or backend='snnlab'"
    ),
    "couple": (
        "NEST has no population-level coupling that acts every k spikes of a whole population without a custom "
        "model (NESTML); use connect() for neuron-to-neuron synapses, or backend='snnlab'"
    ),
}

OWNER = "run(backend='nest')"


def load():
    """Import PyNEST quietly (no banner, errors only), or say which extra installs it."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    nest = backends.import_engine("nest", "nest")
    nest.verbosity = nest.VerbosityLevel.ERROR
    return nest


def rng_seed(seed: int) -> int:
    """NEST's ``rng_seed`` (1 .. 2**32 - 1) for the network's seed."""
    return int(seed) % (2**32 - 2) + 1


def check_network(network) -> None:
    """Everything NEST cannot reproduce, refused before anything is built (see REFUSED)."""
    backends.check_mapped(network, "nest", REFUSED)
    ticks = network.dt / TIC
    if abs(ticks - round(ticks)) > 1e-6 * max(1.0, ticks):
        raise backends.BackendError(
            f"{OWNER}: Network.dt: must be a multiple of NEST's time grid, {TIC} ms (got {network.dt!r})"
        )


def recorded_neurons(sim, record, steps) -> np.ndarray:
    """The neurons whose potential is kept, as snnlab reads ``record``; with Poisson input
    none, since NEST does not report the Poisson spikes each neuron receives."""
    if sim.network.poisson_inputs:
        if record is None or record is False or (isinstance(record, str) and record == "auto"):
            return np.empty(0, dtype=np.int64)
        backends.recorded_neurons(sim, record, steps)  # snnlab's own checks of record come first
        raise backends.BackendError(
            f"{OWNER}.record: must be None or 'auto' for a network with Poisson input (got "
            f"{record!r}); NEST draws the Poisson input itself and does not report it, and its multimeter "
            "samples V_m before the input of each step arrives, so the potentials snnlab records cannot be "
            "rebuilt; use backend='snnlab' to record them"
        )
    return backends.recorded_neurons(sim, record, steps)


def nest_arrays(sim, steps: int, recorded: np.ndarray, currents: np.ndarray) -> dict:
    """The arrays :func:`snnlab.backends._nest_model.simulate` builds the network from (see there)."""
    dt = sim.dt
    pops = sim.populations

    def per_neuron(get):
        return np.concatenate([np.full(p.n, get(p), dtype=float) for p in pops])

    decay = per_neuron(lambda p: np.exp(-dt / p.model.tau_m))
    pre, post, weight, delay = backends.synapses(sim)
    neurons = sim.built.neurons
    data = {
        "dt": np.float64(dt), "steps": np.int64(steps), "rng_seed": np.int64(rng_seed(sim.network.seed)),
        "E_L": neurons.u_rest.astype(float), "V_th": neurons.threshold.astype(float),
        "V_reset": neurons.u_reset.astype(float),
        "C_m": per_neuron(lambda p: 1000.0 * p.model.C), "tau_m": per_neuron(lambda p: p.model.tau_m),
        "t_ref": neurons.refractory_steps * dt, "V_m": neurons.u_init.astype(float),
        "syn_pre": pre, "syn_post": post,
        # NEST adds an arrival after integrating its step, snnlab before: scale by the target's decay
        "syn_weight": weight * decay[post], "syn_delay": delay * dt,
        "record": np.asarray(recorded, dtype=np.int64),
    }
    # currents: constant columns as I_e, the others through one step_current_generator each
    changing = np.zeros(sim.n, dtype=bool)
    if currents.shape[0] > 1:
        changing = ~np.all(currents == currents[0], axis=0)
    gen = np.flatnonzero(changing)
    data["I_e"] = 1000.0 * currents[0]
    data["gen_neuron"] = gen.astype(np.int64)
    data["I_e0"] = 1000.0 * currents[0, gen]
    data["I_e1"] = 1000.0 * currents[min(1, currents.shape[0] - 1), gen]
    if gen.size and steps > 2:
        values = currents[2:, gen].T  # (generators, steps - 2): the currents of steps 2 .. steps-1
        change = np.ones(values.shape, dtype=bool)
        change[:, 1:] = values[:, 1:] != values[:, :-1]
        which, row = np.nonzero(change)  # by generator, then by step
        data["gen_ptr"] = np.concatenate([[0], np.cumsum(np.bincount(which, minlength=gen.size))]).astype(np.int64)
        data["gen_times"] = (row + 1) * dt  # step k = row + 2 needs amplitude_times (k - 1)*dt
        data["gen_values"] = 1000.0 * values[which, row]
    else:
        data["gen_ptr"] = np.zeros(gen.size + 1, dtype=np.int64)
        data["gen_times"] = np.empty(0)
        data["gen_values"] = np.empty(0)
    inputs = sim.network.poisson_inputs
    data["poisson_lo"] = np.array([sim.built.offsets[pop.index] for pop, _ in inputs], dtype=np.int64)
    data["poisson_hi"] = np.array([sim.built.offsets[pop.index + 1] for pop, _ in inputs], dtype=np.int64)
    data["poisson_rate"] = np.array([spec.rate * spec.n_sources for _, spec in inputs], dtype=float)
    data["poisson_weight"] = np.array([spec.signed_weight * np.exp(-dt / pop.model.tau_m) for pop, spec in inputs],
                                      dtype=float)
    return data


def potentials_from(sim, steps, data, out, spike_steps, spike_neurons) -> np.ndarray:
    """snnlab's recorded potentials, rebuilt from NEST's samples of V_m (see the module docstring)."""
    recorded = data["record"]
    potentials = np.empty((steps, recorded.size))
    if not recorded.size:
        return potentials
    potentials[0] = sim.built.neurons.u_init[recorded]
    times, column = out["v_times"], np.searchsorted(recorded, out["v_senders"])
    inside = times < steps
    if np.count_nonzero(inside) != (steps - 1) * recorded.size:
        raise RuntimeError(
            f"{OWNER}: NEST's multimeter returned {np.count_nonzero(inside)} samples, expected "
            f"{(steps - 1) * recorded.size}"
        )
    potentials[times[inside], column[inside]] = out["v_values"][inside]
    arriving = backends.arrivals(sim, steps, spike_steps, spike_neurons, recorded)
    refractory = backends.refractory_mask(sim, steps, spike_steps, spike_neurons, recorded)
    potentials += np.where(refractory, 0.0, arriving)
    return potentials


def run(network, duration, threads=None, record="auto", progress="auto"):
    """Simulate ``network`` for ``duration`` ms in NEST; see :meth:`snnlab.Network.run` and the module docstring."""
    threads = backends.check_threads(OWNER, threads)
    check_network(network)
    nest = load()
    sim = network.build()
    steps = backends.steps_for(sim, duration)
    recorded = recorded_neurons(sim, record, steps)
    currents = backends.evaluated_currents(sim, steps)
    data = nest_arrays(sim, steps, recorded, currents)
    threads = 1 if threads is None else threads
    # the run in slices of ~0.1 s, under one pacer for the whole run (the model simulates its first
    # two steps apart when it has current generators): a progress bar, and Ctrl-C seen between slices
    with Pacer(steps, sim.dt, progress, first=10, desc="NEST") as pacer:
        def advance(ms):
            left = int(whole_steps(ms, sim.dt))
            while left > 0:
                count = pacer.next_steps(left)
                nest.Simulate(count * sim.dt)
                pacer.done(count)
                left -= count

        out = _nest_model.simulate(nest, data, threads, advance=advance)
    spike_steps = out["spike_times"] - 1
    spike_neurons = out["spike_senders"]
    order = np.lexsort((spike_neurons, spike_steps))  # NEST's threads report in their own order
    spike_steps, spike_neurons = spike_steps[order], spike_neurons[order]
    potentials = potentials_from(sim, steps, data, out, spike_steps, spike_neurons)
    recorded_currents = np.array(np.broadcast_to(currents[:, recorded], (steps, recorded.size)))
    info = {"name": "nest", "version": str(getattr(nest, "__version__", "unknown")), "threads": threads,
            "rng_seed": int(data["rng_seed"])}
    return backends.make_result(sim, steps, spike_steps, spike_neurons, recorded, potentials, recorded_currents, info)


# -- export: a script for a cluster ---------------------------------------------------------------------

SCRIPT = '''#!/usr/bin/env python
"""{title}

Written by snnlab {version} (Network.export("nest", ...)): runs the network of {data_name}
({n} neurons, {n_synapses} synapses, {steps} steps of {dt} ms) in NEST with iaf_psc_delta and
saves its spikes where snnlab.load reads them (a result file like Result.save writes).
Nothing here imports snnlab; the mapping is snnlab's NEST backend (docs/backends.md).

    python {script_name} [--threads K] [--out RESULT.npz]
    mpirun -np P python {script_name} --threads K      # a NEST built with MPI

Then, anywhere snnlab is installed: res = snnlab.load("RESULT.npz").
Under MPI every process saves its own spikes next to RESULT.npz, and process 0 joins them
(the processes must share that folder).
"""

import argparse
import json
import os

import numpy as np

os.environ.setdefault("PYNEST_QUIET", "1")
import nest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, {data_name!r})


{simulate}

def save_result(path, data, meta, steps, neurons):
    """Write spikes in snnlab's Result.save format (no potentials: record=None)."""
    order = np.lexsort((neurons, steps))
    n_steps = int(data["steps"])
    np.savez_compressed(
        path, meta=np.array(json.dumps(meta)), spike_steps=steps[order], spike_neurons=neurons[order],
        recorded=np.empty(0, dtype=np.int64), potentials=np.empty((n_steps, 0)), currents=np.empty((n_steps, 0)),
        conn_counts=data["conn_counts"], conn_pre=data["conn_pre"], conn_post=data["conn_post"],
        conn_weight=data["conn_weight"], conn_delay_steps=data["conn_delay_steps"],
    )


def main():
    parser = argparse.ArgumentParser(description="Run the exported snnlab network on NEST.")
    parser.add_argument("--threads", type=int, default=1, help="NEST's local_num_threads per process (default 1)")
    parser.add_argument("--out", default=os.path.join(HERE, {result_name!r}), help="the result file (.npz)")
    args = parser.parse_args()
    nest.verbosity = nest.VerbosityLevel.ERROR
    with np.load(DATA, allow_pickle=False) as f:
        data = {{key: f[key] for key in f.files}}
    out = simulate(nest, data, args.threads)
    steps, neurons = out["spike_times"] - 1, out["spike_senders"]
    meta = json.loads(str(data["result_meta"]))
    rank, size = nest.Rank(), nest.NumProcesses()
    meta["params"]["backend"].update(threads=args.threads, processes=size, version=str(nest.__version__))
    if size == 1:
        save_result(args.out, data, meta, steps, neurons)
        return
    part = f"{{args.out}}.rank{{rank}}.npz"
    np.savez(part, steps=steps, neurons=neurons)
    nest.SyncProcesses()
    if rank == 0:
        parts = [f"{{args.out}}.rank{{r}}.npz" for r in range(size)]
        loaded = [np.load(p) for p in parts]
        save_result(args.out, data, meta, np.concatenate([f["steps"] for f in loaded]),
                    np.concatenate([f["neurons"] for f in loaded]))
        for f, p in zip(loaded, parts):
            f.close()
            os.remove(p)


if __name__ == "__main__":
    main()
'''


def export(network, path, duration) -> tuple:
    """Write ``path`` (a Python script) and its data file (``path`` with suffix ``.npz``) that
    run ``network`` for ``duration`` ms on NEST; see :meth:`snnlab.Network.export`.

    The data are the arrays :func:`run` hands NEST (snnlab's build, currents evaluated for
    ``duration``), and the script runs them through the same function,
    :func:`snnlab.backends._nest_model.simulate`, whose source it contains. NEST need not be
    installed here. Returns the paths of the script and the data file.
    """
    import inspect
    import json
    from pathlib import Path

    from .. import __version__
    from ..results import FORMAT_VERSION

    check_network(network)
    path = Path(path)
    if path.suffix != ".py":
        raise ValueError(f"export.path: must end in .py, the script's name (got {str(path)!r})")
    sim = network.build()
    steps = backends.steps_for(sim, duration)
    currents = backends.evaluated_currents(sim, steps)
    data = nest_arrays(sim, steps, np.empty(0, dtype=np.int64), currents)
    connections = sim.connections()
    pre, post, weight, delay = backends.synapses(sim)
    params = dict(sim.built.description, duration=steps * sim.dt,
                  backend={"name": "nest", "version": None, "threads": None, "rng_seed": int(data["rng_seed"]),
                           "exported": path.name})
    meta = {"format": FORMAT_VERSION, "dt": sim.dt, "steps": steps, "labels": [p.label for p in sim.populations],
            "kinds": [p.kind for p in sim.populations], "sizes": [int(p.n) for p in sim.populations],
            "models": [p.model.as_dict() for p in sim.populations], "params": params}
    data_path = path.with_suffix(".npz")
    np.savez_compressed(
        data_path, **data, result_meta=np.array(json.dumps(meta)),
        conn_counts=np.array([np.size(c[1]) for c in connections], dtype=np.int64),
        conn_pre=pre, conn_post=post, conn_weight=weight, conn_delay_steps=delay,
    )
    labels = ", ".join(f"{p.label} ({p.n} {p.kind})" for p in sim.populations)
    script = SCRIPT.format(
        title=f"An snnlab network on NEST: {labels}, {steps * sim.dt:g} ms.", version=__version__,
        data_name=data_path.name, result_name=f"{path.stem}_result.npz", script_name=path.name, n=sim.n,
        n_synapses=pre.size, steps=steps, dt=sim.dt, simulate=inspect.getsource(_nest_model.simulate),
    )
    path.write_text(script)
    return path, data_path
