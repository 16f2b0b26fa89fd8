"""snnlab's step, rebuilt in Brian2, for the cross-check in ``test_brian2_crosscheck.py``.

Brian2 and snnlab both simulate LIF neurons with delta synapses on a fixed time grid,
but they order the work inside a step differently. This module configures a Brian2
network so that it computes what snnlab computes, with Brian2's own machinery for
everything that matters (its exact integrator, threshold, reset, refractoriness,
spike queue with delays, Poisson input, monitors). docs/validation.md explains each
choice; in short:

* **Potentials and currents are plain numbers** in snnlab's units (mV, nA, MΩ), time
  is in Brian2's seconds. Brian2's SI units would store 1 mV as 0.001 V, which is not
  a float that 1 mV is, and every threshold comparison would differ in the last bit.
* **Delivery**: snnlab adds the input that arrives at ``t_k`` at the start of step k,
  before integrating. Brian2 runs its synaptic pathways in the ``synapses`` slot,
  after the threshold of step k-1; that is the same moment if the effect is applied
  after the reset of step k-1. So ``on_pre`` only adds into an accumulator ``inbuf``
  (snnlab's ring-buffer row) and an operation in the ``after_resets`` slot adds it
  to ``v``. A spike of step k that snnlab delivers at the start of step ``k + d``
  therefore has Brian2 delay ``(d - 1) * dt``. Summing into ``inbuf`` first also
  reproduces snnlab's ``u + (w1 + w2)`` instead of Brian2's usual ``(u + w1) + w2``,
  and lets the floor act once on the sum.
* **Refractoriness**: snnlab holds a neuron that spiked at step k for the
  ``R = whole_steps(refractory, dt)`` steps k+1 .. k+R (snnlab's one rounding rule,
  :func:`snnlab._checks.whole_steps`: the nearest step, a half step up, which this module
  calls too, for refractory periods and delays) and integrates again at step k+R+1.
  Brian2's ``not_refractory = timestep(t - lastspike, dt) >= timestep(refractory, dt)``
  integrates again at step ``k + timestep(refractory)``, so Brian2 gets
  ``refractory = (R + 1) * dt`` (which for R = 0 is the same as none).
* **Input during refractoriness** is discarded by snnlab at the start of steps
  k+1 .. k+R, i.e. at the end of Brian2's steps k .. k+R-1: the accumulator is added
  only where ``timestep(t - lastspike, dt) >= R``. It is added by ``run_on_event``
  (Brian2 runs that code as a reset), because Brian2 makes every other write to a
  variable marked ``unless refractory`` conditional on ``not_refractory``, which at the
  end of step k+R is still False: one step stricter than snnlab.
* **Recording**: snnlab records ``u(t_k)`` after delivery and before integration:
  a StateMonitor in the ``start`` slot (Brian2's default). A second StateMonitor just
  before the threshold (``thresholds`` slot, order -1) sees the value the threshold
  tests, which is what decides a floating-point tie.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from dataclasses import dataclass

import numpy as np

from snnlab._checks import whole_steps

#: The brian2 module, once :func:`load` has imported it.
b2 = None


@contextlib.contextmanager
def _tempdir(path):
    """Make ``tempfile`` use ``path`` while Brian2 opens its log and script copies."""
    saved = tempfile.tempdir
    tempfile.tempdir = str(path)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def load(workdir, target: str = "numpy"):
    """Import and configure Brian2 for the tests; return the module.

    Brian2 opens a debug log and a copy of the running script in the temporary
    directory when it is imported (and deletes them at exit), and a cython target
    keeps compiled code in a cache: all of that goes to ``workdir``. Brian2's import
    raises pyparsing deprecation warnings, which are not ours to fix: they are
    silenced for the import only.
    """
    global b2
    with _tempdir(workdir), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import brian2
    b2 = brian2
    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    b2.prefs.logging.file_log = False
    b2.prefs.logging.save_script = False
    b2.prefs.logging.delete_log_on_exit = True
    b2.prefs.logging.std_redirection = False
    b2.prefs.codegen.runtime.cython.cache_dir = str(workdir) + "/cython"
    b2.prefs.codegen.runtime.cython.multiprocess_safe = False
    return b2


@dataclass
class Group:
    """A block of neurons with one model (an snnlab LIF) and one sign."""

    n: int
    model: object  # snnlab.LIF


@dataclass
class Poisson:
    """Independent Poisson trains into neurons lo .. hi-1: rate Hz, n_sources each, signed weight mV."""

    lo: int
    hi: int
    rate: float
    n_sources: int
    weight: float


@dataclass
class Brian2Result:
    """Spikes as whole steps (sorted by step, then neuron) and, when recorded, potentials."""

    dt: float
    steps: int
    spike_steps: np.ndarray
    spike_neurons: np.ndarray
    v: np.ndarray | None = None  # (steps, N): u(t_k), where snnlab records it
    v_tested: np.ndarray | None = None  # (steps, N): the value the threshold tests in step k


#: How snnlab's step maps onto Brian2's schedule (see the module docstring). The tests flip
#: each entry to Brian2's plain behaviour to show that the cross-check notices.
MAPPING = {"delay_offset": -1, "refractory_offset": 1, "deliver": "step_end"}


def run(groups, *, dt, steps, current=None, connections=None, poisson=(), record=False, seed=0,
        method="exact", mapping=None) -> Brian2Result:
    """Simulate in Brian2 what snnlab simulates.

    Parameters
    ----------
    groups : list of Group
        Neurons numbered one after the other, as snnlab numbers populations.
    dt : float
        ms.
    steps : int
    current : None, array (N,) or (steps, N)
        External current, nA: constant, or row k held over step k (a TimedArray).
    connections : dict or None
        ``pre``, ``post`` (global indices), ``weight`` (signed, mV) and ``delay`` (ms, at
        least one step; rounded to steps by snnlab's rule), e.g. from
        :meth:`snnlab.Result.connections`.
    poisson : list of Poisson
    record : bool
        Record ``v`` at the start of every step and just before every threshold.
    method : str
        Brian2's integration method: "exact" (snnlab's default) or "euler".
    mapping : dict or None
        Overrides of :data:`MAPPING`: ``delay_offset`` (steps added to snnlab's delay),
        ``refractory_offset`` (steps added to snnlab's refractory steps), ``deliver``
        ("step_end": into an accumulator applied after the reset; "on_pre": Brian2's usual
        ``v_post += w`` in the synapses slot).
    """
    mapping = {**MAPPING, **(mapping or {})}
    b2.start_scope()
    b2.seed(seed)
    n = sum(g.n for g in groups)
    ms = b2.ms

    def per_neuron(get):
        return np.concatenate([np.full(g.n, float(get(g.model))) for g in groups])

    ref_steps = np.concatenate([np.full(g.n, int(whole_steps(g.model.refractory, dt))) for g in groups])
    floors = per_neuron(lambda m: -np.inf if m.floor is None else m.floor)
    has_floor = bool(np.isfinite(floors).any())

    namespace = {}
    current = np.zeros(n) if current is None else np.asarray(current, dtype=float)
    if current.ndim == 1:
        input_eq = "I : 1 (constant)"
    else:
        if current.shape != (steps, n):
            raise ValueError(f"current must have shape {(steps, n)} (got {current.shape})")
        namespace["I_ext"] = b2.TimedArray(current, dt=dt * ms)
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
    group = b2.NeuronGroup(n, eqs, threshold="v >= theta", reset="v = u_reset", refractory="ref",
                           events={"step_end": "True"}, method=method, dt=dt * ms, namespace=namespace,
                           name="neurons")
    group.u_rest = per_neuron(lambda m: m.u_rest)
    group.R = per_neuron(lambda m: m.R)
    group.tau = per_neuron(lambda m: m.tau_m) * ms
    group.theta = per_neuron(lambda m: m.threshold)
    group.u_reset = per_neuron(lambda m: m.u_reset)
    group.u_floor = np.where(np.isfinite(floors), floors, 0.0)
    group.ref = (ref_steps + mapping["refractory_offset"]) * dt * ms
    group.ref_steps = ref_steps
    group.v = per_neuron(lambda m: m.u_init)
    if current.ndim == 1:
        group.I = current
    objects = [group]

    if has_floor:
        # snnlab applies the floor after integrating, and again after delivering
        group.run_regularly("v = clip(v, u_floor, inf)", when="after_groups", name="floor")
    if mapping["deliver"] == "step_end":
        accepted = "inbuf * int(timestep(t - lastspike, dt) >= ref_steps)"
        deliver = f"v = clip(v + {accepted}, u_floor, inf)" if has_floor else f"v += {accepted}"
        # run_on_event, not run_regularly: Brian2 makes every write to a variable marked
        # "unless refractory" conditional on not_refractory, except in reset code (which
        # run_on_event makes), and not_refractory is one step too strict here
        group.run_on_event("step_end", deliver + "\ninbuf = 0", when="after_resets")
        on_pre = "inbuf_post += w"
    else:
        on_pre = "v_post = clip(v_post + w, u_floor_post, inf)" if has_floor else "v_post += w"

    if connections is not None and np.size(connections["pre"]):
        syn = b2.Synapses(group, group, "w : 1", on_pre=on_pre, dt=dt * ms, name="synapses")
        syn.connect(i=np.asarray(connections["pre"]), j=np.asarray(connections["post"]))
        syn.w = np.asarray(connections["weight"], dtype=float)
        delay_steps = whole_steps(connections["delay"], dt).astype(np.int64)
        if delay_steps.size and delay_steps.min() < 1:
            raise ValueError("snnlab delays are at least one step")
        syn.delay = (delay_steps + mapping["delay_offset"]) * dt * ms
        objects.append(syn)
    target = "inbuf" if mapping["deliver"] == "step_end" else "v"
    for p in poisson:
        objects.append(b2.PoissonInput(group[p.lo:p.hi], target, N=p.n_sources, rate=p.rate * b2.Hz,
                                       weight=repr(float(p.weight))))

    spikes = b2.SpikeMonitor(group, name="spikes")
    objects.append(spikes)
    if record:
        at_start = b2.StateMonitor(group, "v", record=True, when="start", dt=dt * ms, name="v_start")
        tested = b2.StateMonitor(group, "v", record=True, when="thresholds", order=-1, dt=dt * ms,
                                 name="v_tested")
        objects += [at_start, tested]
    net = b2.Network(objects)
    net.run(steps * dt * ms, namespace={})
    # spike times are whole steps already: rint only undoes the float error of t = k*dt
    spike_steps = np.rint(np.asarray(spikes.t / ms) / dt).astype(np.int64)
    spike_neurons = np.asarray(spikes.i, dtype=np.int64)
    order = np.lexsort((spike_neurons, spike_steps))
    out = Brian2Result(dt, steps, spike_steps[order], spike_neurons[order])
    if record:
        out.v = np.asarray(at_start.v).T.copy()
        out.v_tested = np.asarray(tested.v).T.copy()
        if out.v.shape[0] != steps:
            raise RuntimeError(f"Brian2 recorded {out.v.shape[0]} steps, expected {steps}")
    return out
