"""Slider panel of notebook 01 (two connected neurons), over :mod:`snnlab.experiments.two_neurons`.

``two_neurons_panel(example="E-I")``
    Each neuron's kind and current (one of the report's shapes times an amplitude), the
    weight of each direction, the delay, which directions exist, a noise current and its
    seed, and the report's clamp at rest. Starts from one of the report's examples.
"""

from __future__ import annotations

from ..experiments import two_neurons as ex
from ..network import KINDS
from ..results import Result
from ._panel import FIGURE_WIDTH, Panel, checkbox, dropdown, seed_control, slider

__all__ = ["PANELS", "simulate_two_neurons", "summarize_two_neurons", "two_neurons_panel"]


def simulate_two_neurons(kind_a="excitatory", shape_a="constant", amplitude_a=4.0, a_to_b=True, weight_ab=2.0,
                         delay=0.1, noise=0.0, kind_b="excitatory", shape_b="constant", amplitude_b=3.0,
                         b_to_a=True, weight_ba=2.0, clamp=False, seed=0) -> Result:
    """Two neurons with the report's current shapes (see
    :func:`snnlab.experiments.two_neurons.two_neurons`)."""
    return ex.two_neurons(ex.report_current(shape_a, amplitude_a), ex.report_current(shape_b, amplitude_b),
                          kind_a=kind_a, kind_b=kind_b, weight_ab=weight_ab, weight_ba=weight_ba, delay=delay,
                          a_to_b=a_to_b, b_to_a=b_to_a, noise=noise, clamp=clamp, seed=seed)


def plot_two_neurons(result: Result, fig, **_values) -> None:
    """Currents, the potential of A and of B (with spikes and arrivals), and the raster."""
    ex.draw_two_neurons_figure(result, fig, left=0.09, right=0.75, bottom=0.09, top=0.97, hspace=0.12)


def _describe(result, label) -> str:
    times, _ = result.spikes(label)
    text = f"{label} ({result.kind(label)}): {times.size} spikes"
    if times.size:
        text += f", first at {times[0]:.1f} ms"
    return text + f", lowest potential {float(result.potential(label).min()):.2f} mV"


def summarize_two_neurons(result: Result) -> str:
    """Spike counts, first spikes and lowest potentials of A and B."""
    return f"{_describe(result, 'A')}; {_describe(result, 'B')}"


def two_neurons_panel(example: str = "E-I") -> Panel:
    """Two connected neurons, starting from one of the report's examples ("E-E", "E-I",
    "I-I") with its weights (2 mV) and delay (one step, 0.1 ms)."""
    spec = ex.REPORT_EXAMPLES[example]
    shapes = list(ex.REPORT_SHAPES)
    controls = {
        "kind_a": dropdown("kind_a", "A: kind", list(KINDS), value=spec["kind_a"], tooltip="kind of A"),
        "shape_a": dropdown("shape_a", "A: shape", shapes, value=spec["shape_a"],
                            tooltip="shape of A's current"),
        "amplitude_a": slider("amplitude_a", "A: current (nA)", spec["amplitude_a"], 0.0, 12.0, 0.1,
                              tooltip="amplitude of A's current (nA)"),
        "a_to_b": checkbox("a_to_b", "A → B connected", True),
        "weight_ab": slider("weight_ab", "w A → B (mV)", 2.0, 0.0, 5.0, 0.1, tooltip="weight A → B (mV)"),
        "delay": slider("delay", "delay (ms)", 0.1, 0.1, 10.0, 0.1, readout_format=".1f"),
        "noise": slider("noise", "noise std (nA)", 0.0, 0.0, 3.0, 0.1),
        "kind_b": dropdown("kind_b", "B: kind", list(KINDS), value=spec["kind_b"], tooltip="kind of B"),
        "shape_b": dropdown("shape_b", "B: shape", shapes, value=spec["shape_b"],
                            tooltip="shape of B's current"),
        "amplitude_b": slider("amplitude_b", "B: current (nA)", spec["amplitude_b"], 0.0, 12.0, 0.1,
                              tooltip="amplitude of B's current (nA)"),
        "b_to_a": checkbox("b_to_a", "B → A connected", True),
        "weight_ba": slider("weight_ba", "w B → A (mV)", 2.0, 0.0, 5.0, 0.1, tooltip="weight B → A (mV)"),
        "clamp": checkbox("clamp", "clamp at rest (the report's neuron)", False),
        "seed": seed_control(0),
    }
    return Panel(controls, simulate_two_neurons, plot_two_neurons, summarize_two_neurons, figsize=(FIGURE_WIDTH, 5.6),
                 title=f"Two neurons (starting from the report's {example} example)")


PANELS = {"two_neurons": two_neurons_panel}
