"""Slider panel of notebook 02 (a mixed population), over :mod:`snnlab.experiments.population`.

``population_panel()``
    Counts, connection probability of each kind of source, weights, delay, the current
    (sine amplitude, offset, per-neuron spread), the connection rule, the report's clamp
    and the seed: the raster, the population rates and the degree histograms.
"""

from __future__ import annotations

import numpy as np

from ..experiments import population as ex
from ..plotting import reuse_layout
from ..results import Result
from ._panel import FIGURE_WIDTH, Panel, checkbox, dropdown, fixed_grid, int_slider, seed_control, slider

__all__ = ["PANELS", "population_panel", "simulate_population", "summarize_population"]


def simulate_population(n_exc=80, n_inh=20, p_exc=0.01, p_inh=0.02, weight_exc=2.0, weight_inh=2.0, delay=0.1,
                        amplitude=1.0, offset=0.3, spread=0.5, rule="report", clamp=False, seed=0) -> Result:
    """The report's group (see :func:`snnlab.experiments.population.population`)."""
    return ex.population(n_exc=n_exc, n_inh=n_inh, p_exc=p_exc, p_inh=p_inh, weight_exc=weight_exc,
                         weight_inh=weight_inh, delay=delay, amplitude=amplitude, offset=offset, spread=spread,
                         rule=rule, clamp=clamp, seed=seed)


def _population_axes(fig) -> tuple:
    """The raster across the top; rates (sharing time) and degrees below."""
    grid = fixed_grid(fig, 2, 2, left=0.07, right=0.96, bottom=0.09, top=0.93, hspace=0.32, wspace=0.22,
                      height_ratios=(1.5, 1.0))
    raster_ax = fig.add_subplot(grid[0, :])
    return raster_ax, fig.add_subplot(grid[1, 0], sharex=raster_ax), fig.add_subplot(grid[1, 1])


def plot_population(result: Result, fig, **_values) -> None:
    """Raster on top; population rates and degree histograms below."""
    ex.draw_population(result, *reuse_layout(fig, _population_axes))


def summarize_population(result: Result) -> str:
    """Spikes and mean rate per population, targets per neuron, lowest potential."""
    parts = [f"{label}: {int(result.spike_count(label).sum())} spikes ({result.mean_rate(label):.1f} Hz per neuron)"
             for label in result.labels]
    synapses = result.connections()
    out_degree = np.bincount(synapses["pre"], minlength=result.n)
    for label in result.labels:
        lo = result.offset(label)
        degrees = out_degree[lo:lo + result.size(label)]
        parts.append(f"targets per {label} neuron {degrees.min()}–{degrees.max()} (mean {degrees.mean():.2f})")
    lowest = min(float(np.min(result.potential(label))) for label in result.labels)
    parts.append(f"lowest potential {lowest:.2f} mV")
    return "; ".join(parts)


def population_panel() -> Panel:
    """The report's mixed group, with per-neuron variety (offset spread 0.5 nA) so it fires."""
    d = ex.VARIETY
    controls = {
        "n_exc": int_slider("n_exc", "N excitatory", d["n_exc"], 1, 200, tooltip="excitatory neurons"),
        "n_inh": int_slider("n_inh", "N inhibitory", d["n_inh"], 0, 50, tooltip="inhibitory neurons"),
        "p_exc": slider("p_exc", "p from E", d["p_exc"], 0.0, 0.1, 0.005, readout_format=".3f",
                        tooltip="connection probability of excitatory sources"),
        "p_inh": slider("p_inh", "p from I", d["p_inh"], 0.0, 0.1, 0.005, readout_format=".3f",
                        tooltip="connection probability of inhibitory sources"),
        "weight_exc": slider("weight_exc", "weight E (mV)", d["weight_exc"], 0.0, 5.0, 0.1,
                             tooltip="excitatory weight (mV)"),
        "weight_inh": slider("weight_inh", "weight I (mV)", d["weight_inh"], 0.0, 5.0, 0.1,
                             tooltip="inhibitory weight (mV)"),
        "delay": slider("delay", "delay (ms)", d["delay"], 0.1, 5.0, 0.1, readout_format=".1f"),
        "amplitude": slider("amplitude", "sine ampl. (nA)", d["amplitude"], 0.0, 3.0, 0.1,
                            tooltip="amplitude of the sine current (nA)"),
        "offset": slider("offset", "offset (nA)", d["offset"], -1.0, 2.0, 0.05),
        "spread": slider("spread", "spread (nA)", d["spread"], 0.0, 2.0, 0.05,
                         tooltip="spread of the offset across neurons, std (nA)"),
        "rule": dropdown("rule", "connections",
                         [("ceil(N·p) targets each (report)", "report"), ("each pair with probability p", "bernoulli")],
                         value="report"),
        "clamp": checkbox("clamp", "clamp at rest (the report's neuron)", False),
        "seed": seed_control(0),
    }
    return Panel(controls, simulate_population, plot_population, summarize_population, figsize=(FIGURE_WIDTH, 5.3),
                 title="A population of 80 excitatory and 20 inhibitory neurons (the report's Section 2)")


PANELS = {"population": population_panel}
