"""Time the engine on the assignment's population (issue 2, item 9).

    .venv/bin/python benchmarks/core_timing.py [--repeats 7]

Prints the median (and min/max) over several runs of build + run and of run alone, for
the report's 80/20 group of 100 neurons for 100 ms and the same rule with 1,000 neurons
for 1 s, each under the report's current sin(t/8)+0.3 and under the report's uniform noise current (0 to 5.5 nA), which makes them fire.
Potentials are not recorded (spikes only), to time the engine.
"""

import argparse
import statistics
import time

import numpy as np

import snnlab as sl


def network(n, current, seed=0):
    net = sl.Network(dt=0.1, seed=seed)
    net.add_mixed_population("G", n_exc=int(0.8 * n), n_inh=n - int(0.8 * n), p_exc=0.01, p_inh=0.02,
                             current=current, delay=1.0)
    return net


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    currents = {
        "report: sin(t/8)+0.3": lambda t: np.sin(t / 8) + 0.3,
        "report's noise: UniformNoise(0, 5.5)": sl.UniformNoise(0.0, 5.5),
    }
    print(f"{'case':<55} {'build+run median':>17} {'run median':>11}  {'spikes':>7}")
    for n, duration in ((100, 100.0), (1000, 1000.0)):
        for name, current in currents.items():
            whole = timed(lambda: network(n, current).run(duration, record=None), args.repeats)
            sim = network(n, current).build()
            run = timed(lambda: sim.run(duration, record=None), args.repeats)
            spikes = whole[3].spikes()[0].size
            label = f"{n} neurons, {duration:g} ms, {name}"
            print(f"{label:<55} {whole[0] * 1e3:14.1f} ms {run[0] * 1e3:8.1f} ms  {spikes:7d}"
                  f"   (run min {run[1] * 1e3:.1f}, max {run[2] * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
