"""Slider panels of notebook 03 (several populations), over :mod:`snnlab.experiments.populations`.

``three_populations_panel()``
    The report's three populations (E1, E2 -> I): coupling kind (the report's
    population-level coupling or neuron-to-neuron synapses), its parameters, the inputs,
    the report's within-population synapses, seed.
``competition_panel()``
    Two excitatory populations competing through a shared inhibitory one: inputs and
    bias, noise, the three weights, p, delay, the report's clamped LIF, seed.
"""

from __future__ import annotations

from ..experiments import populations as ex
from ..plotting import reuse_layout
from ..results import Result
from ._panel import FIGURE_WIDTH, Panel, checkbox, dropdown, fixed_grid, int_slider, seed_control, slider

__all__ = [
    "PANELS",
    "competition_panel",
    "plot_competition",
    "plot_three_populations",
    "replot_competition",
    "simulate_competition",
    "simulate_three_populations",
    "summarize_competition",
    "summarize_three_populations",
    "three_populations_panel",
]


# -- three populations --------------------------------------------------------------------------------
def simulate_three_populations(coupling="population", e1_slope=0.03, late_binding=False, e2_high=5.5, i_current=3.0,
                               every=20, effect=2.0, p=0.05, weight=2.0, delay=0.1, within=False, seed=0) -> Result:
    """:func:`snnlab.experiments.populations.three_populations` with these values."""
    return ex.three_populations(coupling=coupling, every=every, effect=effect, p=p, weight=weight, delay=delay,
                                e1_slope=e1_slope, late_binding=late_binding, e2_high=e2_high, i_current=i_current,
                                within=within, seed=seed)


def _three_populations_axes(fig) -> tuple:
    """The raster above the rates, sharing time."""
    grid = fixed_grid(fig, 2, 1, left=0.08, right=0.93, bottom=0.1, top=0.9, height_ratios=(1.5, 1.0), hspace=0.08)
    ax_raster = fig.add_subplot(grid[0])
    return ax_raster, fig.add_subplot(grid[1], sharex=ax_raster)


def plot_three_populations(result: Result, fig, **_values) -> None:
    """Raster (with the coupling's events under it) above the population rates."""
    ex.draw_three_populations(result, *reuse_layout(fig, _three_populations_axes))


def summarize_three_populations(result: Result) -> str:
    """Spike counts and mean rates per population, and the number of coupling events."""
    parts = [f"{label}: {int(result.spike_count(label).sum())} spikes, {result.mean_rate(label):.1f} Hz"
             for label in result.labels]
    couplings = result.params["couplings"]  # none when E -> I are synapses
    if couplings:
        events = ", ".join(f"{c['pre']} -> I: {ex.coupling_events(result, c['pre'], c['every']).size}"
                           for c in couplings)
        parts.append(f"coupling events {events}")
    return "; ".join(parts)


def three_populations_panel() -> Panel:
    """E1 and E2 drive I by the report's population coupling or by synapses."""
    controls = {
        "coupling": dropdown("coupling", "E -> I by", [("population coupling (report)", "population"),
                                                      ("neuron-to-neuron synapses", "neurons")]),
        "e1_slope": slider("e1_slope", "E1 (nA per i)", 0.03, 0.0, 3.0, 0.01, tooltip="E1: nA per index i"),
        "late_binding": checkbox("late_binding", "E1 late-bound (the report's code)",
                                 tooltip="E1 as the report's code runs it (late binding)"),
        "e2_high": slider("e2_high", "E2 max (nA)", 5.5, 0.0, 11.0, 0.1, readout_format=".1f",
                          tooltip="E2 noise max (nA)"),
        "i_current": slider("i_current", "I current (nA)", 3.0, 0.0, 6.0, 0.1, readout_format=".1f"),
        "within": checkbox("within", "synapses inside populations",
                           tooltip="the report's synapses inside each population"),
        "every": int_slider("every", "every (spikes)", 20, 1, 100),
        "effect": slider("effect", "effect (mV)", 2.0, 0.0, 5.0, 0.1, readout_format=".1f"),
        "p": slider("p", "p (synapses)", 0.05, 0.0, 1.0, 0.01),
        "weight": slider("weight", "weight (mV)", 2.0, 0.0, 5.0, 0.1, readout_format=".1f"),
        "delay": slider("delay", "delay (ms)", 0.1, 0.1, 5.0, 0.1, readout_format=".1f"),
        "seed": seed_control(0),
    }
    return Panel(controls, simulate_three_populations, plot_three_populations, summarize_three_populations,
                 figsize=(FIGURE_WIDTH, 4.9), title="Three populations: E1 and E2 drive I")


# -- competition ------------------------------------------------------------------------------------------
def simulate_competition(bias=0.05, input=1.4, input_inh=0.6, noise=5.0, w_ee=0.12, w_ei=0.1, w_ie=0.2, p=0.2,
                         delay=1.0, clamp=False, seed=0) -> Result:
    """:func:`snnlab.experiments.populations.competition` with these values (spikes only)."""
    return ex.competition(bias=bias, input=input, input_inh=input_inh, noise=noise, w_ee=w_ee, w_ei=w_ei, w_ie=w_ie,
                          p=p, delay=delay, clamp=clamp, seed=seed, record=None)


def plot_competition(result: Result, fig, **_values) -> None:
    """Raster and sliding-window rates on the left, the rate-against-rate trajectory on the right."""
    ex.draw_competition_figure(fig, result, left=0.08, right=0.97, bottom=0.11, top=0.91, wspace=0.3, hspace=0.1)


def replot_competition(result: Result, fig, **_values) -> bool:
    """:func:`plot_competition`'s picture, put into the artists it drew last time (a frame of a
    drag); False where that drawing cannot take this run."""
    return ex.update_competition_figure(fig, result) is not None


def summarize_competition(result: Result) -> str:
    """The winner (:func:`snnlab.experiments.populations.decide`) and the decision time, and
    the mean rates."""
    outcome = ex.decide(result)
    if outcome.winner is None:
        text = f"no winner: neither population ends {outcome.margin:g} Hz ahead"
    else:
        text = f"winner {outcome.winner} at {outcome.decision_time:.1f} ms"
    rates = ", ".join(f"{label} {result.mean_rate(label):.1f} Hz" for label in result.labels)
    return f"{text}; mean rates {rates}"


def competition_panel() -> Panel:
    """Two excitatory populations and a shared inhibitory one: who wins, and when."""
    controls = {
        "bias": slider("bias", "bias E1 - E2 (nA)", 0.05, -0.3, 0.3, 0.01),
        "input": slider("input", "input E1, E2 (nA)", 1.4, 0.0, 3.0, 0.05),
        "input_inh": slider("input_inh", "input I (nA)", 0.6, 0.0, 2.0, 0.05),
        "noise": slider("noise", "noise std (nA)", 5.0, 0.0, 10.0, 0.1, readout_format=".1f"),
        "clamp": checkbox("clamp", "report's LIF (clamped at rest)"),
        "w_ee": slider("w_ee", "w E -> E (mV)", 0.12, 0.0, 0.5, 0.01, tooltip="weight E -> same E (mV)"),
        "w_ei": slider("w_ei", "w E -> I (mV)", 0.1, 0.0, 0.5, 0.01),
        "w_ie": slider("w_ie", "w I -> E (mV)", 0.2, 0.0, 1.0, 0.01),
        "p": slider("p", "p (all)", 0.2, 0.0, 1.0, 0.01, tooltip="p of every projection"),
        "delay": slider("delay", "delay (ms)", 1.0, 0.1, 5.0, 0.1, readout_format=".1f"),
        "seed": seed_control(0),
    }
    return Panel(controls, simulate_competition, plot_competition, summarize_competition, figsize=(FIGURE_WIDTH, 4.8),
                 title="Competition through shared inhibition", replot=replot_competition)


PANELS = {"three_populations": three_populations_panel, "competition": competition_panel}
