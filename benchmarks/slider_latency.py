"""How long each notebook's slider takes to answer (issue 6, item 3).

    .venv/bin/python benchmarks/slider_latency.py [--repeats 7]

For every panel of every notebook (``snnlab.widgets.all_panels()``), at its default
values, with the Agg backend: one warm-up update, then the median over the repeats of

* **update**: what a slider change costs in the kernel, ``Panel.update()``: simulate,
  draw the figure, render it to PNG (the browser then only swaps the image);
* **simulate**: the panel's simulate function alone;
* **draw**: the rest (plotting and PNG rendering);
* **first**: the first update of a fresh panel, the one that builds the figure's layout
  (axes, ticks, legends) that later updates reuse.

The goal is 100 ms for notebooks 00-03 and 300 ms for 04. As a baseline measured in the
same run, the time to render an empty figure of the same size to PNG is printed, and
each update as a multiple of it, so runs on machines of different speed compare.
Figures only: nothing here fails because a machine is slow.
"""

from __future__ import annotations

import argparse
import importlib
import io
import pkgutil
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import snnlab.widgets

NOTEBOOKS = {"single_neuron": "00_lif_neuron", "two_neurons": "01_two_neurons", "population": "02_population",
             "populations": "03_populations", "balanced": "04_balanced_network"}
GOAL_MS = {"04_balanced_network": 300.0}


def panels_by_notebook():
    for info in pkgutil.iter_modules(snnlab.widgets.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"snnlab.widgets.{info.name}")
        for name, factory in getattr(module, "PANELS", {}).items():
            yield NOTEBOOKS.get(info.name, info.name), name, factory


def median_ms(fn, repeats, setup=None):
    """Median wall time of ``fn()`` (of ``fn(setup())`` with ``setup``, untimed), ms."""
    times = []
    for _ in range(repeats):
        args = (setup(),) if setup is not None else ()
        start = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def blank_png(figsize, dpi):
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    fig.add_subplot()

    def render():
        fig.savefig(io.BytesIO(), format="png", dpi=dpi)

    return render


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'notebook':<22} {'panel':<18} {'update':>9} {'simulate':>9} {'draw':>9} {'first':>9} {'goal':>7}  "
          f"{'x blank':>7}  met")
    for notebook, name, factory in panels_by_notebook():
        panel = factory()
        values = panel.values()
        panel.update()  # warm-up: compiled kernel loaded, caches filled
        update = median_ms(panel.update, args.repeats)
        simulate = median_ms(lambda panel=panel, values=values: panel.simulate(**values), args.repeats)
        first = median_ms(lambda fresh: fresh.update(), args.repeats, setup=factory)
        blank = median_ms(blank_png(panel.figsize, panel.dpi), args.repeats)
        goal = GOAL_MS.get(notebook, 100.0)
        print(f"{notebook:<22} {name:<18} {update:6.1f} ms {simulate:6.1f} ms {update - simulate:6.1f} ms "
              f"{first:6.1f} ms {goal:4.0f} ms  {update / blank:7.1f}  {'yes' if update <= goal else 'NO'}")
    print(f"(medians of {args.repeats}; 'x blank' = update / rendering an empty figure of the panel's size)")


if __name__ == "__main__":
    main()
