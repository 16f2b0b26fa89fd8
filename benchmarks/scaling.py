"""How snnlab's cost grows with neurons, synapses and simulated time (for docs/performance.md).

    .venv/bin/python benchmarks/scaling.py [--repeats 3]

Brunel-style networks (case C of ``benchmarks/cases.py``: 80 % excitatory, fixed in-degree
from each kind in the ratio 4:1, g = 5, Poisson drive at twice the threshold rate), varied
one factor at a time: the number of neurons N at a fixed in-degree (K = 100 + 25); the in-degree K at a
fixed N, with J = 100 mV / K_E so the mean recurrent input (and so the rate) stays
comparable; the simulated time T. Prints the median simulation time and build time over
the repeats, the synapse count, the spike count and the synaptic events delivered
(spikes x out-degree), and a least-squares fit

    simulation time = a * (neuron-steps) + b * (synaptic events)

over all rows, which is the model of the cost: every neuron is updated and drawn a Poisson
count at every step, and every spike is added to each of its targets.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import snnlab as sl


def brunel(n: int, k_exc: int, seed: int = 1):
    n_exc, n_inh = int(0.8 * n), n - int(0.8 * n)
    j = 100.0 / k_exc  # mV: J * K_E = 100 mV, Brunel's model A (J = 0.1 mV, K_E = 1000)
    net = sl.Network(dt=0.1, seed=seed)
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, R=1.0, C=20.0, refractory=2.0)
    e = net.add_population("E", n_exc, model=model)
    i = net.add_population("I", n_inh, kind="inhibitory", model=model)
    net.connect(e, [e, i], rule="fixed_indegree", k=k_exc, weight=j, delay=1.5)
    net.connect(i, [e, i], rule="fixed_indegree", k=k_exc // 4, weight=5 * j, delay=1.5)
    # 2x the threshold rate: nu_thr = theta / (J K_E tau) per source, K_E sources of weight J
    nu_ext = 2 * 20.0 / (j * k_exc * 20.0) * 1000.0  # Hz
    for pop in (e, i):
        net.add_poisson_input(pop, rate=nu_ext, weight=j, n_sources=k_exc)
    return net


def measure(n, k_exc, duration, repeats):
    net = brunel(n, k_exc)
    builds, sims = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sim = net.build()
        t1 = time.perf_counter()
        res = sim.run(duration, record=None)
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        sims.append(t2 - t1)
    synapses = sum(b.n_synapses for b in sim.blocks)
    spikes = res.spikes()[1]
    out_degree = np.zeros(sim.n)
    for b in sim.blocks:
        out_degree += np.diff(b.indptr)
    events = float(out_degree[np.asarray(spikes)].sum())
    steps = round(duration / 0.1)
    return {"n": n, "k": k_exc + k_exc // 4, "duration": duration, "build": statistics.median(builds),
            "sim": statistics.median(sims), "synapses": synapses, "spikes": spikes.size, "events": events,
            "neuron_steps": n * steps, "rate": spikes.size / n / (duration / 1000.0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sl.Network(seed=0).add_population("warm", 1).network.run(1.0)  # load the compiled kernel
    series = [("neurons", [(n, 100, 1000.0) for n in (1250, 2500, 5000, 12500, 25000, 50000)]),
              ("in-degree", [(12500, k, 1000.0) for k in (100, 200, 400, 800, 1000)]),
              ("time", [(12500, 1000, t) for t in (250.0, 500.0, 1000.0, 2000.0)])]
    rows = []
    print(f"{'vary':<10}{'N':>7}{'K':>6}{'T ms':>7}{'synapses':>11}{'rate Hz':>9}{'events':>10}"
          f"{'build s':>9}{'sim s':>8}{'ns/neuron-step':>16}{'ns/event':>10}")
    for name, points in series:
        for n, k, duration in points:
            r = measure(n, k, duration, args.repeats)
            rows.append(r)
            print(f"{name:<10}{r['n']:>7}{r['k']:>6}{r['duration']:>7.0f}{r['synapses']:>11.3g}{r['rate']:>9.1f}"
                  f"{r['events']:>10.3g}{r['build']:>9.3f}{r['sim']:>8.3f}"
                  f"{r['sim'] / r['neuron_steps'] * 1e9:>16.2f}{r['sim'] / max(r['events'], 1) * 1e9:>10.2f}",
                  flush=True)
    a = np.array([[r["neuron_steps"], r["events"]] for r in rows])
    t = np.array([r["sim"] for r in rows])
    (per_step, per_event), *_ = np.linalg.lstsq(a, t, rcond=None)
    print(f"\nfit: simulation time = {per_step * 1e9:.2f} ns per neuron-step + {per_event * 1e9:.2f} ns per "
          f"synaptic event (over {len(rows)} runs)")


if __name__ == "__main__":
    main()
