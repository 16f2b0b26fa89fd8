"""The assignment's own population, timed (issue 2, item 9).

    .venv/bin/python benchmarks/report_population.py [--repeats 7]

The report's mixed group (80 % excitatory, 20 % inhibitory, each neuron projecting to
ceil(N*p) random targets among all N, p = 0.01 for excitatory and 0.02 for inhibitory
sources, weights 2 mV, delay one step) with 100 neurons for 100 ms and 1,000 neurons for
1 s, under the report's current sin(t/8) + 0.3 nA (which leaves it silent) and under its
uniform noise current (0 to 5.5 nA, which makes it fire). Medians over the repeats of
build + run and of the run alone; spikes only (no potentials recorded). The first,
untimed run loads the compiled kernel.
"""

import argparse
import statistics
import time

import numpy as np

import snnlab as sl

CURRENTS = {"sin(t/8)+0.3": lambda t: np.sin(t / 8) + 0.3, "UniformNoise(0, 5.5)": sl.UniformNoise(0.0, 5.5)}


def network(n, current):
    net = sl.Network(dt=0.1, seed=0)
    net.add_mixed_population("G", n_exc=int(0.8 * n), n_inh=n - int(0.8 * n), p_exc=0.01, p_inh=0.02,
                             current=current)
    return net


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    network(100, 1.0).run(10.0)  # load (or compile) the kernel once, untimed
    print(f"{'case':<48} {'build+run':>10} {'run':>9} {'spikes':>9}")
    for n, duration in ((100, 100.0), (1000, 1000.0)):
        for name, current in CURRENTS.items():
            whole, run = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                sim = network(n, current).build()
                built = time.perf_counter()
                result = sim.run(duration, record=None)
                end = time.perf_counter()
                whole.append(end - start)
                run.append(end - built)
            case = f"{n} neurons, {duration:g} ms, {name}"
            print(f"{case:<48} {statistics.median(whole) * 1e3:7.1f} ms {statistics.median(run) * 1e3:6.1f} ms "
                  f"{result.spikes()[0].size:9d}")
    print(f"(medians of {args.repeats})")


if __name__ == "__main__":
    main()
