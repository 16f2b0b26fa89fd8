"""Brunel's (2000) state map at the paper's own size, saved for notebook 04 (issue 10, item 4).

    .venv/bin/python benchmarks/brunel_state_map.py [--out PATH] [--check]

Runs :func:`snnlab.experiments.balanced.state_map` over ``MAP_GS`` x ``MAP_RATIOS`` (every one
of Brunel's four example points is on the grid) with N_E = 10 000, N_I = 2 500, J = 0.1 mV,
300 ms each, measured from 100 ms, seed 0 (the notebook's example runs, exactly), prints the
labels, the rates and CVs and how long it took, and writes the measures to
``snnlab/data/brunel_state_map.json`` (:func:`~snnlab.experiments.balanced.save_state_map`),
which the notebook loads because the map takes about a minute on an idle machine.

Rerun it after any change to the engine, to ``brunel`` or to ``measure_state``;
``--check`` compares with the saved file instead of writing it (exit status 1 if they differ).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from snnlab.experiments import balanced as ex

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "snnlab" / "data" / ex.MAP_FILE


def table(smap) -> str:
    lines = ["nu_ext/nu_thr | g = " + "  ".join(f"{g:>15g}" for g in smap.gs)]
    for i in range(smap.ratios.size - 1, -1, -1):
        cells = (f"{smap.labels[i, j]:>7s} {smap.rate[i, j]:3.0f}/{smap.cv[i, j]:.2f}" for j in range(smap.gs.size))
        lines.append(f"{smap.ratios[i]:13g} |     " + "  ".join(cells))
    lines.append("(each cell: label, rate in Hz / mean CV of the excitatory neurons)")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write (default {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true", help="compare with the file at --out, do not write")
    args = parser.parse_args()
    ex.brunel(n_exc=100, J=None, duration=10.0)  # load (or compile) the kernel once, untimed
    begin = time.perf_counter()
    smap = ex.state_map(ex.MAP_GS, ex.MAP_RATIOS, n_exc=ex.MAP_N_EXC, J=0.1, duration=300.0, start=100.0, seed=0)
    took = time.perf_counter() - begin
    print(table(smap))
    print(f"{smap.labels.size} runs of N_E = {smap.n_exc}, J = {smap.J} mV, 300 ms: {took:.1f} s "
          f"({took / smap.labels.size:.2f} s per run)")
    for name, (g, ratio) in ex.EXAMPLES.items():
        print(f"Brunel's {name} at g = {g:g}, nu_ext = {ratio:g} nu_thr: {smap.label_at(g, ratio)}")
    if args.check:
        saved = ex.load_state_map(args.out)
        same = all(np.allclose(getattr(saved, name), getattr(smap, name), rtol=1e-9, equal_nan=True)
                   for name in ex.MAP_MEASURES) and np.array_equal(saved.labels, smap.labels)
        print(f"{args.out}: {'the same' if same else 'DIFFERENT: rerun without --check to update it'}")
        sys.exit(0 if same else 1)
    ex.save_state_map(smap, args.out)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
