"""The Brian2 side of the Brian2 backend: plain arrays in, spikes and potentials out.

This module imports nothing from snnlab (only numpy; ``brian2`` is passed in), because
``Network.export("brian2", ...)`` copies its source into the script it writes: the network
runs through the same lines in ``net.run(backend="brian2")`` and in the exported script.
:mod:`snnlab.backends.brian2` makes the arrays and explains the mapping.
"""

import contextlib
import gc
import os
import traceback

import numpy as np

#: The compiled simulation's report (Brian2's ``report=``: the body of ``report_progress(elapsed,
#: completed, start, duration)``, called every :data:`REPORT_PERIOD` of wall-clock time): one line
#: on stdout with the fraction simulated, the wall-clock seconds of the run so far and the
#: processor seconds of the process (all threads). Always compiled in, so that a run with and
#: one without a progress bar share main.cpp (nothing to recompile); a line costs microseconds.
REPORT = ('std::cout << "snnlab-progress " << completed << " " << elapsed << " " '
          '<< (double)std::clock() / CLOCKS_PER_SEC << std::endl;')
#: Wall-clock seconds between two reports.
REPORT_PERIOD = 0.1


@contextlib.contextmanager
def standalone(b2, directory, threads):
    """Brian2's C++ standalone device, fresh, with ``threads`` OpenMP threads; afterwards the
    runtime device and the preference as they were (standalone mode is process-wide)."""
    prefs = b2.prefs
    saved = prefs.devices.cpp_standalone.openmp_threads
    # a previous build's objects, if still alive (reference cycles), would make Brian2 rename
    # this build's code objects ("_1"), and so rewrite and recompile every file
    gc.collect()
    b2.set_device("cpp_standalone", build_on_run=False, directory=str(directory))
    device = b2.get_device()
    completed = False
    try:
        device.reinit()
        device.activate(build_on_run=False, directory=str(directory))
        prefs.devices.cpp_standalone.openmp_threads = threads
        yield device
        completed = True
    finally:
        prefs.devices.cpp_standalone.openmp_threads = saved
        device.reinit()
        b2.set_device("runtime")
        if completed:
            # (after an error or Ctrl-C the next build collects: skipping it here, a quarter of a
            # second with a network in memory, lets KeyboardInterrupt reach the caller at once)
            gc.collect()


def forget_other_threads(directory, threads):
    """Delete the compiled objects of a project built for another number of threads.

    Brian2 compiles the thread count into a header (``synapses_classes.h``) which its makefile
    does not list as a dependency of the code objects; rebuilt for another count, stale
    objects would read one thread's spike queue only and lose the other's spikes."""
    marker = os.path.join(str(directory), "snnlab_threads.txt")
    if os.path.exists(marker):
        with open(marker) as f:
            if f.read().strip() == str(threads):
                return
    for root, _, files in os.walk(str(directory)):
        for name in files:
            if name.endswith(".o"):
                os.remove(os.path.join(root, name))
    os.makedirs(str(directory), exist_ok=True)
    with open(marker, "w") as f:
        f.write(str(threads))


def groups_of(data):
    """Global neuron indices of each NeuronGroup (one per integration method), ascending."""
    return [np.flatnonzero(data["group_of"] == g) for g in range(len(data["methods"]))]


def simulate(b2, data, threads=1, directory="brian2_project", build=None):
    """Build the network of ``data`` in Brian2 (C++ standalone), run it, return what it saw.

    Parameters
    ----------
    b2 : module
        brian2, imported by the caller.
    data : mapping of str to numpy arrays
        ``dt`` (ms), ``steps``, ``seed`` and ``random`` (call Brian2's seed), ``methods`` (one
        NeuronGroup each) and per neuron ``group_of``, ``local`` (index in its group),
        ``u_init``, ``u_rest``, ``R``, ``tau`` (ms), ``theta``, ``u_reset``, ``u_floor``
        (``-inf`` for none), ``ref_steps``; ``constant`` and ``current`` (nA, (1, N) or
        (steps, N)); synapses ``syn_pre``, ``syn_post``, ``syn_weight`` (signed mV),
        ``syn_delay`` (snnlab's steps); Poisson inputs ``poisson_lo``, ``poisson_hi``,
        ``poisson_lam`` (expected counts per step), ``poisson_weight``; couplings ``c_lo``,
        ``c_hi``, ``c_every``, ``c_effect`` (signed mV), ``c_delay`` (steps), ``c_ptr``,
        ``c_post``; ``record`` (neurons whose potential is kept).
    threads : int
        OpenMP threads.
    directory : str or Path
        The C++ project's directory (a build there recompiles only what changed).
    build : callable, optional
        ``build(device, directory)`` compiles and runs the project; default Brian2's own
        ``device.build`` (the binary's reports go to ``results/stdout.txt``). snnlab passes one
        that shows a progress bar from the reports and stops the binary on Ctrl-C.

    Returns
    -------
    dict
        ``spike_steps``, ``spike_neurons`` (sorted by step, then neuron) and ``potentials``
        (steps, len(record)), mV.
    """
    dt, steps = float(data["dt"]), int(data["steps"])
    forget_other_threads(directory, threads)
    with standalone(b2, directory, threads) as device:
        try:
            if bool(data["random"]):  # compiled into main.cpp: only where it matters
                b2.seed(int(data["seed"]))
            objects, spikes, states = _build(b2, data)
            b2.Network(objects).run(steps * dt * b2.ms, namespace={}, report=REPORT,
                                    report_period=REPORT_PERIOD * b2.second)
            if build is None:
                device.build(directory=str(directory), compile=True, run=True, with_output=False)
            else:
                build(device, directory)
            ids = groups_of(data)
            record = np.asarray(data["record"], dtype=np.int64)
            spike_steps = np.concatenate([np.rint(np.asarray(m.t_) * (1000.0 / dt)).astype(np.int64)
                                          for m in spikes])
            spike_neurons = np.concatenate([ids[g][np.asarray(m.i, dtype=np.int64)] for g, m in enumerate(spikes)])
            potentials = np.empty((steps, record.size))
            for g, mon in enumerate(states):
                if mon is not None:
                    values = np.asarray(mon.v).T
                    if values.shape[0] != steps:
                        raise RuntimeError(f"Brian2 recorded {values.shape[0]} steps, expected {steps}")
                    potentials[:, data["group_of"][record] == g] = values
        except BaseException as exc:
            # an interrupted run's traceback (Jupyter keeps the last one) must not keep this build's
            # Brian2 objects alive: the next build would find their names taken, rename its code
            # objects ("_1"), change the makefile and so recompile every file. So the frames of the
            # traceback let go of their locals (a post-mortem debugger sees them empty).
            traceback.clear_frames(exc.__traceback__.tb_next)
            objects = spikes = states = mon = None
            raise
    order = np.lexsort((spike_neurons, spike_steps))
    return {"spike_steps": spike_steps[order], "spike_neurons": spike_neurons[order], "potentials": potentials}


def _build(b2, data):
    """Make the Brian2 objects; return (objects, spike monitors, state monitors)."""
    ms = b2.ms
    clock_dt = float(data["dt"]) * ms
    steps = int(data["steps"])
    group_of, local = data["group_of"], data["local"]
    constant = bool(data["constant"])
    record = np.asarray(data["record"], dtype=np.int64)
    groups, spikes, states, objects = [], [], [], []
    for g, ids in enumerate(groups_of(data)):
        method = str(data["methods"][g])
        namespace = {}
        if constant:
            input_eq = "I : 1 (constant)"
        else:
            # row k holds over step k
            namespace["I_ext"] = b2.TimedArray(np.ascontiguousarray(data["current"][:, ids]), dt=clock_dt)
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
        group.u_rest = data["u_rest"][ids]
        group.R = data["R"][ids]
        group.tau = data["tau"][ids] * ms
        group.theta = data["theta"][ids]
        group.u_reset = data["u_reset"][ids]
        floors = data["u_floor"][ids]
        has_floor = bool(np.isfinite(floors).any())
        group.u_floor = np.where(np.isfinite(floors), floors, 0.0)
        # held R steps after a spike, integrating again R + 1 steps after it
        ref_steps = np.minimum(data["ref_steps"][ids], steps + 1)
        group.ref = (ref_steps + 1) * clock_dt
        group.ref_steps = ref_steps
        group.v = data["u_init"][ids]
        if constant:
            group.I = data["current"][0, ids]
        if has_floor:
            # snnlab applies the floor after integrating, and again after delivering
            group.run_regularly("v = clip(v, u_floor, inf)", when="after_groups", name=f"floor_{g}")
        # the input of the step (synapses, Poisson, couplings) arrives at its end, unless the
        # neuron is (still) refractory at the start of the next: run_on_event runs as reset
        # code, which Brian2's not_refractory guard leaves alone
        accepted = "inbuf * int(timestep(t - lastspike, dt) >= ref_steps)"
        deliver = f"v = clip(v + {accepted}, u_floor, inf)" if has_floor else f"v += {accepted}"
        group.run_on_event("step_end", deliver + "\ninbuf = 0", when="after_resets")
        groups.append(group)
        objects.append(group)
        spikes.append(b2.SpikeMonitor(group, name=f"spikes_{g}"))
        mine = local[record[group_of[record] == g]]
        states.append(b2.StateMonitor(group, "v", record=mine, when="start", dt=clock_dt, name=f"v_{g}")
                      if mine.size else None)

    pre, post = data["syn_pre"], data["syn_post"]
    pairs = group_of[pre] * len(groups) + group_of[post]
    for key in np.unique(pairs):
        gp, gq = divmod(int(key), len(groups))
        keep = pairs == key
        delay = data["syn_delay"][keep]
        # snnlab's d steps are Brian2's d - 1: the accumulator is applied one step after on_pre
        homogeneous = bool(np.all(delay == delay[0]))
        extra = {"delay": (int(delay[0]) - 1) * clock_dt} if homogeneous else {}
        syn = b2.Synapses(groups[gp], groups[gq], "w : 1", on_pre="inbuf_post += w", dt=clock_dt,
                          name=f"synapses_{gp}_{gq}", **extra)
        syn.connect(i=local[pre[keep]], j=local[post[keep]])
        syn.w = data["syn_weight"][keep]
        if not homogeneous:
            syn.delay = (delay - 1) * clock_dt
        objects.append(syn)

    for p in range(np.size(data["poisson_lo"])):
        lo, hi = int(data["poisson_lo"][p]), int(data["poisson_hi"][p])
        lam, weight = float(data["poisson_lam"][p]), float(data["poisson_weight"][p])
        first = int(local[lo])
        objects.append(groups[int(group_of[lo])][first:first + (hi - lo)].run_regularly(
            f"inbuf += {weight!r} * poisson({lam!r})", when="synapses", dt=clock_dt, name=f"poisson_{p}"))

    for c in range(np.size(data["c_lo"])):
        objects += _coupling(b2, data, groups, c)
    objects += spikes + [m for m in states if m is not None]
    return objects, spikes, states


def _coupling(b2, data, groups, c):
    """The report's population coupling ``c``: every ``every`` spikes of neurons lo..hi-1, each
    neuron of its post receives ``effect`` after ``delay`` steps (see snnlab.backends.brian2)."""
    clock_dt = float(data["dt"]) * b2.ms
    group_of, local = data["group_of"], data["local"]
    lo, hi, every = int(data["c_lo"][c]), int(data["c_hi"][c]), int(data["c_every"][c])
    effect, delay = float(data["c_effect"][c]), int(data["c_delay"][c])
    posts = data["c_post"][data["c_ptr"][c]:data["c_ptr"][c + 1]]
    first = int(local[lo])
    source = groups[int(group_of[lo])][first:first + (hi - lo)]
    # the most events one step can bring: the count just below a multiple, every source spiking
    m = (every - 1 + (hi - lo)) // every
    counter = b2.NeuronGroup(1, "emitted : 1\ntotal : 1\nevents : 1", dt=clock_dt, name=f"coupling_{c}_counter")
    # the spikes of this step, summed right after the threshold; counts are whole numbers in
    # doubles, exact up to 2**53, and so is floor(a / every) of them
    count = b2.Synapses(source, counter, "emitted_post = int(lastspike_pre == t) : 1 (summed)", dt=clock_dt,
                        name=f"coupling_{c}_count")
    count.connect()
    updater = count.summed_updaters["emitted_post"]
    updater.when, updater.order = "thresholds", 1
    events = counter.run_regularly(
        f"events = floor((total + emitted) / {every}.0) - floor(total / {every}.0)\ntotal += emitted",
        when="thresholds", order=2, dt=clock_dt, name=f"coupling_{c}_events")
    # emitter i spikes in this very step when there are more than i events
    emitters = b2.NeuronGroup(m, "events_now : 1 (linked)", threshold="events_now > i", reset="", dt=clock_dt,
                              name=f"coupling_{c}_emitters")
    emitters.events_now = b2.linked_var(counter, "events", index=np.zeros(m, dtype=np.int64))
    emitters.thresholder["spike"].when, emitters.thresholder["spike"].order = "thresholds", 3
    objects = [counter, count, events, emitters]
    for gq in np.unique(group_of[posts]):
        targets = local[posts[group_of[posts] == gq]]
        syn = b2.Synapses(emitters, groups[int(gq)], on_pre=f"inbuf_post += {effect!r}",
                          delay=(delay - 1) * clock_dt, dt=clock_dt, name=f"coupling_{c}_effect_{gq}")
        syn.connect(i=np.repeat(np.arange(m), targets.size), j=np.tile(targets, m))
        objects.append(syn)
    return objects
