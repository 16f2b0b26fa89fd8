"""Slider panels of notebook 00 (one LIF neuron), over :mod:`snnlab.experiments.single_neuron`.

``lif_neuron_panel()``
    Current kind, amplitude, frequency, noise, R, C, threshold, dt and seed: the input
    and the membrane, and where this run sits on the analytic F–I curve.
``euler_vs_exact_panel()``
    Current, dt and C: the report's Euler update against the exact one and the closed
    form, and how the Euler error grows with dt.
"""

from __future__ import annotations

import math

import numpy as np

from ..analysis import lif_rate
from ..experiments import single_neuron as ex
from ..plotting import add_legend, reuse_layout, round_limits, vline
from ..results import Result
from ._panel import FIGURE_WIDTH, Panel, dropdown, fixed_grid, seed_control, slider

__all__ = ["INPUT_CONTROLS", "PANELS", "euler_vs_exact_panel", "lif_neuron_panel", "show_input_controls"]

_NEURON = "neuron"


# -- one neuron ------------------------------------------------------------------------------------
def simulate_lif_neuron(kind="constant", amplitude=2.0, frequency=20.0, noise_std=2.0, R=1.0, C=10.0,
                        threshold=1.0, dt=0.1, seed=0) -> Result:
    """One neuron under the chosen input (see :func:`snnlab.experiments.single_neuron.input_current`)."""
    current = ex.input_current(kind, amplitude, frequency, noise_std)
    return ex.single_neuron(current, R=R, C=C, threshold=threshold, dt=dt, seed=seed)


def _lif_neuron_axes(fig) -> tuple:
    """Current above the membrane (sharing time) on the left, the F–I curve on the right."""
    grid = fixed_grid(fig, 2, 2, bottom=0.25, width_ratios=(2.2, 1.0), height_ratios=(1.0, 2.0), wspace=0.28,
                      hspace=0.08)
    top = fig.add_subplot(grid[0, 0])
    return top, fig.add_subplot(grid[1, 0], sharex=top), fig.add_subplot(grid[:, 1])


def plot_lif_neuron(result: Result, fig, kind="constant", amplitude=2.0, **_values) -> None:
    """Input and membrane on the left; the analytic F–I curve of this model on the right,
    with this run's rate at its mean input current."""
    top, bottom, ax = reuse_layout(fig, _lif_neuron_axes)
    ex.draw_neuron(result, top, bottom, title=f"{kind} input", legend="none")
    model = result.model(_NEURON)
    top_current = max(3.0 * model.rheobase, abs(amplitude) * 1.3, 1.0)
    currents = np.linspace(0.0, top_current, 300)
    ax.plot(currents, lif_rate(currents, model), color="black", linewidth=1.2, label="analytic F–I curve")
    vline(ax, model.rheobase, color="0.4", linestyle=":", linewidth=1.0, label="rheobase")
    mean_current = float(np.mean(result.current(_NEURON)))
    ax.plot([mean_current], [float(result.firing_rate(_NEURON)[0])], marker="o", markersize=8, linestyle="none",
            color="tab:green", label="this run, at its mean current")
    # the right end and the top at ticks: the axes stand still while a slider moves the curve a little
    ax.set_xlim(0.0, top_current)
    top_current = round_limits(ax, "x").get_xlim()[1]
    ax.set_xlim(min(0.0, mean_current) - 0.05 * top_current, top_current)
    ax.set_ylim(bottom=0.0)
    round_limits(ax, "y")
    ax.set_xlabel("input current (nA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_title(f"F–I curve, tau_m = {model.tau_m:.3g} ms", fontsize="medium")
    # one legend under everything: inside the axes it would hide the membrane
    handles, labels = bottom.get_legend_handles_labels()
    more = ax.get_legend_handles_labels()
    add_legend(fig, handles + more[0], labels + more[1], loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=4,
               fontsize="small", frameon=False)


def summarize_lif_neuron(result: Result) -> str:
    """Spike count, first spike (with the closed form for a constant input) and rate."""
    model = result.model(_NEURON)
    times, _ = result.spikes(_NEURON)
    text = f"{times.size} spikes in {result.duration:g} ms ({float(result.firing_rate(_NEURON)[0]):.1f} Hz)"
    if times.size:
        text += f"; first spike at {times[0]:.1f} ms"
    current = np.asarray(result.current(_NEURON))[:, 0]
    if np.all(current == current[0]):
        closed = model.time_to_first_spike(float(current[0]))
        if math.isfinite(closed):
            text += f" (closed form {closed:.2f} ms, analytic rate {model.firing_rate(float(current[0])):.1f} Hz)"
        else:
            text += " (closed form: never, the current is at or below the rheobase)"
    return text + f"; tau_m = R*C = {model.tau_m:.3g} ms, rheobase {model.rheobase:.3g} nA"


def lif_neuron_panel(kind: str = "constant", amplitude: float = 2.0) -> Panel:
    """One LIF neuron: input kind and shape, R, C, threshold, dt, seed (the noise's)."""
    controls = {
        "kind": dropdown("kind", "input current", list(ex.CURRENT_KINDS), value=kind),
        "amplitude": slider("amplitude", "amplitude (nA)", amplitude, -2.0, 8.0, 0.1),
        "frequency": slider("frequency", "sine freq. (Hz)", 20.0, 1.0, 100.0, 1.0, readout_format=".0f",
                            tooltip="frequency of the sine input (Hz)"),
        "noise_std": slider("noise_std", "noise std (nA)", 2.0, 0.0, 6.0, 0.1),
        "R": slider("R", "R (MΩ)", 1.0, 0.5, 5.0, 0.1),
        "C": slider("C", "C (nF)", 10.0, 2.0, 20.0, 0.5),
        "threshold": slider("threshold", "threshold (mV)", 1.0, 0.5, 5.0, 0.1),
        "dt": slider("dt", "dt (ms)", 0.1, 0.05, 1.0, 0.05),
        "seed": seed_control(0),
    }
    controls["kind"].observe(lambda change: show_input_controls(controls, change["new"]), names="value")
    show_input_controls(controls, controls["kind"].value)
    return Panel(controls, simulate_lif_neuron, plot_lif_neuron, summarize_lif_neuron,
                 figsize=(FIGURE_WIDTH, 4.4), title="One LIF neuron")


#: The controls that only some kinds of input use (the seed draws the noise), and those kinds;
#: for the other kinds they change nothing, so they are hidden.
INPUT_CONTROLS = {"frequency": ("sine",), "noise_std": ("noise",), "seed": ("noise",)}


def show_input_controls(controls: dict, kind: str) -> None:
    """Show the controls that apply to an input of ``kind`` and hide the others
    (``layout.display``), so a student only meets sliders that change something."""
    for name, kinds in INPUT_CONTROLS.items():
        controls[name].layout.display = None if kind in kinds else "none"


# -- Euler against exact ---------------------------------------------------------------------------
def simulate_euler_vs_exact(current=1.25, dt=1.0, C=10.0) -> tuple:
    """The same neuron integrated by Euler and exactly (a
    :class:`~snnlab.experiments.single_neuron.MethodComparison`), and the error of both
    against dt (:func:`~snnlab.experiments.single_neuron.potential_error_by_dt`)."""
    comparison = ex.euler_vs_exact(current, dt=dt, C=C)
    errors = ex.potential_error_by_dt(current, sorted({*ex.ERROR_DTS, float(dt)}), C=C)
    return comparison, errors


def plot_euler_vs_exact(value: tuple, fig, **_values) -> None:
    comparison, errors = value
    ex.draw_euler_figure(fig, comparison, errors, left=0.07, right=0.98, bottom=0.12, top=0.92, wspace=0.25)


def summarize_euler_vs_exact(value: tuple) -> str:
    comparison, errors = value
    dt = comparison.exact.dt
    i = int(np.argmin(np.abs(errors["dt"] - dt)))
    first = comparison.closed_first_spike

    def when(value):
        return "never" if not math.isfinite(value) else f"{value:.2f} ms"

    return (f"dt = {dt:g} ms (dt/tau_m = {dt / comparison.model.tau_m:.3g}): first spike, closed form {when(first)}, "
            f"exact {when(comparison.first_spike('exact'))}, Euler {when(comparison.first_spike('euler'))}; "
            f"rate, closed form {comparison.closed_rate:.1f} Hz, exact {comparison.rate('exact'):.1f} Hz, "
            f"Euler {comparison.rate('euler'):.1f} Hz; largest potential error before the first spike, "
            f"exact {errors['exact'][i]:.1e} mV, Euler {errors['euler'][i]:.1e} mV")


def euler_vs_exact_panel(current: float = 1.25, dt: float = 1.0) -> Panel:
    """Euler against exact integration: current, dt, C (tau_m = C with R = 1 MΩ)."""
    controls = {
        "current": slider("current", "current (nA)", current, 0.0, 5.0, 0.05),
        "dt": slider("dt", "dt (ms)", dt, 0.05, 2.0, 0.05),
        "C": slider("C", "C (nF) = tau_m (ms)", 10.0, 5.0, 20.0, 0.5),
    }
    return Panel(controls, simulate_euler_vs_exact, plot_euler_vs_exact, summarize_euler_vs_exact,
                 figsize=(FIGURE_WIDTH, 4.0), title="Euler against exact integration")


PANELS = {"lif_neuron": lif_neuron_panel, "euler_vs_exact": euler_vs_exact_panel}
