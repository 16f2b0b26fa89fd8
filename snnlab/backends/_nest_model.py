"""The NEST side of the NEST backend: plain arrays in, NEST spikes and samples out.

This module imports nothing from snnlab (only numpy; ``nest`` is passed in), because
:meth:`snnlab.Network.export` copies its source into the script it writes: the network
runs through the same lines in ``net.run(backend="nest")`` and in the exported script.
:mod:`snnlab.backends.nest` makes the arrays (see :func:`snnlab.backends.nest.nest_arrays`)
and explains every number in them.
"""

import numpy as np


def simulate(nest, data, threads=1, advance=None):
    """Build the network of ``data`` in NEST's current kernel (after a reset), simulate it
    and return what the recorders saw.

    Parameters
    ----------
    nest : module
        PyNEST, imported (and made quiet) by the caller.
    advance : callable, optional
        ``advance(ms)`` simulates ``ms`` more ms; default ``nest.Simulate``. snnlab passes one
        that cuts a long run into slices, for its progress bar and so that Ctrl-C is seen
        between two slices.
    data : mapping of str to numpy arrays
        ``dt`` (ms), ``steps``, ``rng_seed``, neuron parameters one per neuron (``E_L``,
        ``V_th``, ``V_reset`` and ``V_m`` in mV, ``C_m`` pF, ``tau_m`` and ``t_ref`` ms),
        ``I_e`` pA per neuron for the whole run, ``I_e0`` and ``I_e1`` (pA, the currents of
        steps 0 and 1 of the neurons with a generator), synapses ``syn_pre``, ``syn_post``
        (0-based), ``syn_weight`` (mV, already scaled), ``syn_delay`` (ms), step current
        generators ``gen_neuron``, ``gen_ptr`` (offsets into ``gen_times`` and
        ``gen_values``, ms and pA), Poisson generators ``poisson_lo``, ``poisson_hi``,
        ``poisson_rate`` (Hz), ``poisson_weight`` (mV, scaled), and ``record`` (neurons
        whose V_m the multimeter samples every step).
    threads : int
        NEST's ``local_num_threads``.

    Returns
    -------
    dict
        ``spike_times`` (NEST steps: a spike of snnlab's step k is stamped k + 1) and
        ``spike_senders`` (0-based neurons) of this process's neurons; ``v_times`` (steps),
        ``v_senders`` (0-based) and ``v_values`` (mV) of the samples.
    """
    advance = nest.Simulate if advance is None else advance
    dt = float(data["dt"])
    steps = int(data["steps"])
    n = int(data["V_m"].size)
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": dt, "local_num_threads": int(threads), "rng_seed": int(data["rng_seed"])})
    nrn = nest.Create("iaf_psc_delta", n)
    # all parameters in one call: NEST stores V_th, V_reset and V_m relative to E_L, and sets
    # the absolute values given together with E_L after E_L
    nrn.set(E_L=data["E_L"].tolist(), C_m=data["C_m"].tolist(), tau_m=data["tau_m"].tolist(),
            t_ref=data["t_ref"].tolist(), V_th=data["V_th"].tolist(), V_reset=data["V_reset"].tolist(),
            V_m=data["V_m"].tolist(), I_e=data["I_e"].tolist())
    first = nrn[0].global_id
    if data["syn_pre"].size:
        nest.Connect(data["syn_pre"].astype(np.int64) + first, data["syn_post"].astype(np.int64) + first,
                     "one_to_one", syn_spec={"weight": data["syn_weight"], "delay": data["syn_delay"]})
    gen_neuron = data["gen_neuron"].astype(np.int64)
    if gen_neuron.size:
        # a change at amplitude_times T over a connection of delay dt acts from step T/dt + 1:
        # steps 0 and 1 come from I_e (set below), the generator carries step 2 onwards
        gens = nest.Create("step_current_generator", gen_neuron.size)
        ptr = data["gen_ptr"]
        gens.set([{"amplitude_times": data["gen_times"][ptr[j]:ptr[j + 1]],
                   "amplitude_values": data["gen_values"][ptr[j]:ptr[j + 1]]} for j in range(gen_neuron.size)])
        nest.Connect(gens, nrn[gen_neuron.tolist()], "one_to_one", syn_spec={"delay": dt})
    for lo, hi, rate, weight in zip(data["poisson_lo"], data["poisson_hi"], data["poisson_rate"],
                                    data["poisson_weight"]):
        pg = nest.Create("poisson_generator", params={"rate": float(rate)})
        nest.Connect(pg, nrn[int(lo):int(hi)], syn_spec={"weight": float(weight), "delay": dt})
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(nrn, recorder)
    record = data["record"].astype(np.int64)
    meter = None
    if record.size:
        meter = nest.Create("multimeter", params={"interval": dt, "record_from": ["V_m"], "time_in_steps": True})
        nest.Connect(meter, nrn[record.tolist()])
    if gen_neuron.size:
        parts = [1, 1, steps - 2] if steps > 2 else [1] * steps
        for i, part in enumerate(parts):
            if i < 2:
                nrn[gen_neuron.tolist()].set(I_e=data[f"I_e{i}"].tolist())
            elif i == 2:
                nrn[gen_neuron.tolist()].set(I_e=0.0)
            advance(part * dt)
    else:
        advance(steps * dt)
    spikes = recorder.get("events")
    out = {"spike_times": np.asarray(spikes["times"], dtype=np.int64),
           "spike_senders": np.asarray(spikes["senders"], dtype=np.int64) - first}
    if meter is not None:
        samples = meter.get("events")
        out.update(v_times=np.asarray(samples["times"], dtype=np.int64),
                   v_senders=np.asarray(samples["senders"], dtype=np.int64) - first,
                   v_values=np.asarray(samples["V_m"], dtype=float))
    return out
