"""Slider panel of notebook 04 (Brunel's balanced network), over :mod:`snnlab.experiments.balanced`.

``brunel_panel()``
    Relative inhibition g, external rate (in units of nu_thr), network size and seed:
    a raster of a few neurons, the population rates, the single neurons' CV of ISIs,
    and the state the measures give.
"""

from __future__ import annotations

import math

from ..analysis import mean_rate
from ..experiments import balanced as ex
from ..plotting import reuse_layout
from ..results import Result
from ._panel import FIGURE_WIDTH, Panel, dropdown, fixed_grid, seed_control, slider

__all__ = ["PANELS", "brunel_panel", "plot_brunel", "simulate_brunel", "summarize_brunel"]

#: Simulated time of the panel, ms, and the transient left out of the measures.
DURATION = 300.0
START = 100.0


def simulate_brunel(g=5.0, nu_ext_ratio=2.0, n_exc=2000, seed=0) -> Result:
    """:func:`snnlab.experiments.balanced.brunel` with ``J = 100 mV / C_E``, spikes only."""
    return ex.brunel(g=g, nu_ext_ratio=nu_ext_ratio, n_exc=n_exc, J=None, duration=DURATION, seed=seed)


def _brunel_axes(fig) -> tuple:
    """Raster above rates (sharing time) on the left, the CV histogram on the right."""
    grid = fixed_grid(fig, 2, 2, left=0.08, right=0.97, bottom=0.11, top=0.92, width_ratios=(1.8, 1.0),
                      height_ratios=(1.3, 1.0), wspace=0.25, hspace=0.1)
    ax_raster = fig.add_subplot(grid[0, 0])
    return ax_raster, fig.add_subplot(grid[1, 0], sharex=ax_raster), fig.add_subplot(grid[:, 1])


def plot_brunel(result: Result, fig, **_values) -> None:
    """Raster and population rates on the left, the CV histogram on the right."""
    state = ex.measure_state(result, start=START)
    ax_raster, ax_rate, ax_cv = reuse_layout(fig, _brunel_axes)
    ex.draw_state(result, ax_raster, ax_rate, state, start=START)
    ex.draw_cv_histogram(result, ax_cv, start=START)


def summarize_brunel(result: Result) -> str:
    """The state (:func:`snnlab.experiments.balanced.measure_state`) and the measures that gave it."""
    s = ex.measure_state(result, start=START)
    inh = mean_rate(result, "I", start=START)
    cv = "CV not measurable (< 3 spikes per neuron)" if math.isnan(s.cv) else f"mean CV {s.cv:.2f}"
    peak = ("no spectral peak" if math.isnan(s.peak_frequency)
            else f"spectral peak {s.peak_frequency:.0f} Hz ({100 * s.peak_fraction:.0f} % of the power)")
    return (f"state {s.label} ({ex.STATE_NAMES[s.label]}): rates E {s.rate:.1f} Hz, I {inh:.1f} Hz, {cv}, "
            f"modulation {s.modulation:.2f}, {peak}; measured from {START:g} to {DURATION:g} ms")


def brunel_panel() -> Panel:
    """Brunel's network: g, external rate, size, seed."""
    controls = {
        "g": slider("g", "g (inhibition)", 5.0, 0.0, 8.0, 0.1, readout_format=".1f"),
        "nu_ext_ratio": slider("nu_ext_ratio", "ν_ext / ν_thr", 2.0, 0.0, 4.0, 0.1, readout_format=".1f"),
        "n_exc": dropdown("n_exc", "N_E", [("1000", 1000), ("2000", 2000), ("5000 (slow)", 5000)], 2000,
                          tooltip="N_E (N_I = N_E/4)"),
        "seed": seed_control(0),
    }
    # about 120 ms an update (spikes of 2500 neurons): redrawn when a slider is let go, not while it moves
    return Panel(controls, simulate_brunel, plot_brunel, summarize_brunel, figsize=(FIGURE_WIDTH, 4.8),
                 title="Brunel's sparse E/I network", continuous=False)


PANELS = {"brunel": brunel_panel}
