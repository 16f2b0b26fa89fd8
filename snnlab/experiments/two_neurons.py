"""Notebook 01: two connected LIF neurons (the report's Section 1).

Neuron A and neuron B each get their own external current; each may project to the
other. A spike of a neuron reaches its partner ``delay`` ms later and moves the
partner's membrane by ``weight`` mV, up if the sender is excitatory and down if it is
inhibitory (the report's code adds inhibitory weights with a plus sign; its text, and
snnlab, lower the potential).

Units: time ms, potential mV, current nA, weights mV, rates Hz. The defaults are the
report's: threshold 1 mV, rest 0 mV, R = 1 MΩ, C = 10 nF, dt = 0.1 ms, 100 ms, weights
2 mV, delay one step (0.1 ms).

Functions
---------
:func:`report_current`
    The report's currents, ``amplitude * shape(t)`` for its four shapes.
:func:`two_neurons`
    The two-neuron set-up with plain parameters; a Result with populations "A" and "B".
:func:`report_example`
    One of the report's three examples (:data:`REPORT_EXAMPLES`), with optional changes.
:func:`arrivals`
    When each neuron's spikes reach its partner, and by how much they move it.
:func:`figures`
    The notebook's main figures, for ``python -m snnlab figures OUTDIR``.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .. import _checks as check
from ..inputs import Constant, Current, Noise, Sine, as_current
from ..network import KINDS, Network
from ..neurons import LIF
from ..plotting import (
    add_legend,
    kind_color,
    plot_currents,
    plot_potentials,
    plot_raster,
    reuse_layout,
    round_limits,
)
from ..results import Result

__all__ = [
    "REPORT_EXAMPLES",
    "REPORT_SHAPES",
    "SLOW_MOTION",
    "arrivals",
    "draw_two_neurons",
    "draw_two_neurons_figure",
    "example_arguments",
    "figures",
    "legend_entries",
    "measured_jumps",
    "report_current",
    "report_example",
    "two_neurons",
]

#: The shapes of the report's Section 1 currents, ``shape(t)`` with t in ms (nA per nA of
#: amplitude): its currents are ``amplitude * shape(t)``.
REPORT_SHAPES = {
    "constant": "1",
    "sin(t/5) + 0.3": "sin(t/5) + 0.3",
    "sin(t/8) + 0.3": "sin(t/8) + 0.3",
    "cos(t/24)": "cos(t/24)",
}

#: The report's three examples: kinds, and each neuron's current as (shape, amplitude in nA).
REPORT_EXAMPLES = {
    "E-E": {
        "title": "Example 1: two excitatory neurons, 4 nA and 3 nA",
        "kind_a": "excitatory", "shape_a": "constant", "amplitude_a": 4.0,
        "kind_b": "excitatory", "shape_b": "constant", "amplitude_b": 3.0,
    },
    "E-I": {
        "title": "Example 2: A excitatory, 4(sin(t/5) + 0.3) nA; B inhibitory, 10 nA",
        "kind_a": "excitatory", "shape_a": "sin(t/5) + 0.3", "amplitude_a": 4.0,
        "kind_b": "inhibitory", "shape_b": "constant", "amplitude_b": 10.0,
    },
    "I-I": {
        "title": "Example 3: two inhibitory neurons, sin(t/8) + 0.3 nA and cos(t/24) nA",
        "kind_a": "inhibitory", "shape_a": "sin(t/8) + 0.3", "amplitude_a": 1.0,
        "kind_b": "inhibitory", "shape_b": "cos(t/24)", "amplitude_b": 1.0,
    },
}

_LABELS = ("A", "B")

#: Two excitatory neurons where each arrival shows: A fires by itself (1.5 nA), B stays
#: below threshold by itself (0.9 nA, under the rheobase of 1 nA); weights 0.5 mV, delay 2 ms.
SLOW_MOTION = {"current_a": 1.5, "current_b": 0.9, "weight_ab": 0.5, "weight_ba": 0.5, "delay": 2.0}
SLOW_MOTION_TITLE = "A at 1.5 nA drives B at 0.9 nA (below rheobase): weights 0.5 mV, delay 2 ms"


def report_current(shape: str = "constant", amplitude: float = 1.0) -> Current:
    """``amplitude * shape(t)`` nA, t in ms, for one of :data:`REPORT_SHAPES`.

    ``"constant"`` is ``amplitude``; ``"sin(t/5) + 0.3"`` is ``amplitude * (sin(t/5) + 0.3)``
    (a sine of period ``2*pi*5`` ≈ 31.4 ms); ``"cos(t/24)"`` is ``amplitude * cos(t/24)``.
    Returned as :class:`snnlab.Constant` or :class:`snnlab.Sine`, so a result's parameters
    say exactly which current it had.
    """
    owner = "report_current"
    shape = check.choice(owner, "shape", shape, tuple(REPORT_SHAPES))
    amplitude = check.real(owner, "amplitude", amplitude, "nA")
    if shape == "constant" or amplitude == 0.0:
        return Constant(amplitude if shape == "constant" else 0.0)
    if shape == "cos(t/24)":
        return Sine(amplitude, period=2 * math.pi * 24.0, phase=math.pi / 2)
    scale = 5.0 if shape == "sin(t/5) + 0.3" else 8.0
    return Sine(amplitude, period=2 * math.pi * scale, offset=0.3 * amplitude)


def two_neurons(current_a=4.0, current_b=3.0, kind_a: str = "excitatory", kind_b: str = "excitatory",
                weight_ab: float = 2.0, weight_ba: float = 2.0, delay: float = 0.1, a_to_b: bool = True,
                b_to_a: bool = True, noise: float = 0.0, clamp: bool = False, duration: float = 100.0,
                dt: float = 0.1, model: LIF | None = None, seed: int = 0) -> Result:
    """Two LIF neurons, A and B, each with its own current, connected one way, both ways or
    not at all.

    Parameters
    ----------
    current_a, current_b : number, callable f(t), or Current
        External currents, nA (t in ms). Defaults 4 and 3 (the report's Example 1).
    kind_a, kind_b : {"excitatory", "inhibitory"}
        The sign of each neuron's spikes at its partner.
    weight_ab, weight_ba : float
        How far a spike of A moves B, and of B moves A, mV, >= 0 (the sign comes from the
        sender's kind). Defaults 2 (the report's ``ex_weight`` and ``inh_weight``).
    delay : float
        From a spike to its arrival at the partner, ms, at least one step. Default 0.1
        (the report's one step).
    a_to_b, b_to_a : bool
        Which synapses exist. Default both.
    noise : float
        Standard deviation of a Gaussian noise current added to both neurons, nA, drawn
        afresh every step from ``seed``. Default 0 (the report has none).
    clamp : bool
        The report's neuron: the potential is held at rest whenever it would drop below,
        so inhibition cannot hyperpolarise. Default False (a real LIF). Ignored when
        ``model`` is given.
    duration, dt : float
        ms. Defaults 100 and 0.1.
    model : LIF or None
        Neuron parameters for both; default ``LIF()`` (with ``floor = u_rest`` if ``clamp``).
    seed : int
        Seed of the noise. Default 0.

    Returns
    -------
    snnlab.Result
        Populations ``"A"`` and ``"B"``, one neuron each, potentials and currents recorded.

    Examples
    --------
    >>> res = two_neurons(4.0, 0.0, weight_ab=2.0, b_to_a=False)
    >>> (res.spikes("B")[0] - res.spikes("A")[0]).round(6).tolist()[:2]   # one delay later
    [0.1, 0.1]
    """
    owner = "two_neurons"
    for name, flag in (("a_to_b", a_to_b), ("b_to_a", b_to_a), ("clamp", clamp)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{owner}.{name}: must be True or False (got {check._show(flag)})")
    noise = check.non_negative(owner, "noise", noise, "nA")
    if model is None:
        model = LIF(floor=0.0) if clamp else LIF()
    net = Network(dt=dt, seed=seed)
    pops = []
    for label, kind, current in zip(_LABELS, (kind_a, kind_b), (current_a, current_b)):
        kind = check.choice(owner, f"kind_{label.lower()}", kind, KINDS)
        current = as_current(current, 1, owner=f"{owner}.current_{label.lower()}")
        if noise > 0:
            current = current + Noise(0.0, noise)
        pops.append(net.add_population(label, n=1, kind=kind, current=current, model=model))
    a, b = pops
    if a_to_b:
        net.connect(a, b, rule="all_to_all", weight=weight_ab, delay=delay)
    if b_to_a:
        net.connect(b, a, rule="all_to_all", weight=weight_ba, delay=delay)
    return net.run(duration, record="all")


def example_arguments(name: str, **changes) -> dict:
    """The keyword arguments of :func:`two_neurons` for one of :data:`REPORT_EXAMPLES`,
    with ``changes`` applied (``shape_a``/``amplitude_a``/... or any argument of two_neurons)."""
    owner = "report_example"
    name = check.choice(owner, "name", name, tuple(REPORT_EXAMPLES))
    spec = {k: v for k, v in REPORT_EXAMPLES[name].items() if k != "title"}
    spec.update(changes)
    args = {k: v for k, v in spec.items() if not k.startswith(("shape_", "amplitude_"))}
    for side in ("a", "b"):
        if f"current_{side}" not in args:
            args[f"current_{side}"] = report_current(spec[f"shape_{side}"], spec[f"amplitude_{side}"])
    return args


def report_example(name: str = "E-E", **changes) -> Result:
    """Run one of the report's examples ("E-E", "E-I" or "I-I") with its currents and the
    report's parameters (weights 2 mV, delay 0.1 ms, both directions, 100 ms).

    ``changes`` override anything: ``amplitude_a=3.0``, ``shape_b="constant"``, or any
    argument of :func:`two_neurons` (``weight_ab=0.5``, ``delay=2.0``, ``clamp=True``, ...).
    """
    return two_neurons(**example_arguments(name, **changes))


def arrivals(result: Result, sender: str = "A") -> dict:
    """When ``sender``'s spikes reach its partner, and the jump they cause there.

    Parameters
    ----------
    result : Result
        From :func:`two_neurons` (populations "A" and "B").
    sender : {"A", "B"}

    Returns
    -------
    dict
        ``times``: arrival times at the partner, ms (spike time + delay, within the run);
        ``weights``: the signed weight of the synapse, mV (empty if there is none);
        ``receiver``: the partner's label.
    """
    sender = check.choice("arrivals", "sender", sender, _LABELS)
    receiver = "B" if sender == "A" else "A"
    synapses = result.connections(sender, receiver)
    if synapses["pre"].size == 0:
        return {"times": np.empty(0), "weights": np.empty(0), "receiver": receiver}
    delay = float(synapses["delay"][0])
    times, _ = result.spikes(sender)
    arrive = times + delay
    arrive = arrive[arrive < result.duration - 1e-9]
    return {"times": arrive, "weights": np.full(arrive.size, float(synapses["weight"][0])), "receiver": receiver}


def measured_jumps(result: Result, sender: str = "A") -> dict:
    """How far each of ``sender``'s spikes moved its partner, read off the recorded potential.

    At each arrival step k the receiver's recorded potential is compared with where the
    exact update would have taken its previous sample without any synaptic input:
    ``u[k] - (u_inf + (u[k-1] - u_inf) exp(-dt/tau_m))``. Arrivals right after the
    receiver's own spike (whose sample starts from the reset) are left out.

    Returns
    -------
    dict
        ``times``: arrival times, ms; ``jumps``: the measured jumps, mV (``+weight`` from an
        excitatory sender, ``-weight`` from an inhibitory one).
    """
    info = arrivals(result, sender)
    receiver = info["receiver"]
    model = result.model(receiver)
    if model.method != "exact":
        raise ValueError("measured_jumps: needs a result of the exact update (method='exact')")
    u = np.asarray(result.potential(receiver))[:, 0]
    u_inf = model.u_rest + model.R * np.asarray(result.current(receiver))[:, 0]
    decay = model.decay(result.dt)
    k = np.rint(info["times"] / result.dt).astype(np.int64)
    own, _ = result.spike_steps(receiver)
    keep = (k >= 1) & ~np.isin(k - 1, own)
    k = k[keep]
    predicted = u_inf[k - 1] + (u[k - 1] - u_inf[k - 1]) * decay
    return {"times": info["times"][keep], "jumps": u[k] - predicted}


# -- drawing (shared with the widgets) -----------------------------------------------------------------
#: How the arrivals of each sender's spikes are marked: A's filled, B's hollow, so that two
#: senders of the same kind (same colour, same direction of the triangle) stay apart.
ARRIVAL_FILL = {"A": "full", "B": "none"}


def _mark_arrivals(result: Result, ax, sender: str) -> None:
    """Small triangles at the top of the receiver's axes where the sender's spikes arrive:
    pointing up for a positive weight, down for a negative one, in the sender's kind's
    colour, filled for A and hollow for B (:data:`ARRIVAL_FILL`)."""
    info = arrivals(result, sender)
    if info["times"].size == 0:
        return
    weight = info["weights"][0]
    color = kind_color(result.kind(sender))
    face = color if ARRIVAL_FILL.get(sender, "full") == "full" else "white"
    ax.plot(info["times"], np.full(info["times"].size, 0.97), transform=ax.get_xaxis_transform(),
            marker="v" if weight < 0 else "^", markersize=6, linestyle="none", color=color,
            markerfacecolor=face, markeredgecolor=color, markeredgewidth=1.0,
            label=f"input from {sender} ({weight:+g} mV)")


def draw_two_neurons(result: Result, axes, title: str | None = None, until: float | None = None):
    """Currents, both potentials (with spikes, and the arrivals of the partner's spikes)
    and, given a fourth axes, the raster of a :func:`two_neurons` result.

    Each neuron is drawn in its kind's colour (excitatory red, inhibitory blue); A solid,
    B dashed where they share an axes. The axes carry no legends: call
    :func:`legend_entries` for one legend of the whole figure.

    Parameters
    ----------
    result : Result
    axes : sequence of 3 or 4 matplotlib Axes sharing x
        Currents, potential of A, potential of B, and optionally the raster.
    title : str or None
    until : float or None
        Right end of the time axis, ms (default the whole run).
    """
    cur_ax, pot_a, pot_b = axes[:3]
    styles = {"A": "-", "B": "--"}
    for label in _LABELS:  # each in its kind's colour
        plot_currents(result, label, ax=cur_ax, linestyle=styles[label], legend=False)
        cur_ax.lines[-2].set_label(f"{label} ({result.kind(label)})")
        if label != _LABELS[-1]:
            cur_ax.lines[-1].remove()  # the rheobase line: both share one model, so keep only the last
    cur_ax.set_ylabel("current (nA)")
    cur_ax.set_title(title or "", fontsize="medium")
    for ax, label in ((pot_a, "A"), (pot_b, "B")):  # own axes: solid is clearest
        plot_potentials(result, label, ax=ax, legend=False)
        ax.lines[0].set_label(f"{label} ({result.kind(label)})")
        _mark_arrivals(result, ax, "B" if label == "A" else "A")
        ax.set_title("")
        ax.set_ylabel(f"u of {label} (mV)")
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + 0.15 * (high - low))  # room for the arrival marks
        round_limits(ax, "y")  # still while a slider moves the traces a little
    if len(axes) > 3:
        raster_ax = axes[3]
        plot_raster(result, ax=raster_ax, labels=["A", "B"], markersize=8, legend=False)
        raster_ax.set_yticks([0, 1], ["A", "B"])
        raster_ax.set_ylabel("neuron")
        for text in list(raster_ax.texts):  # A and B are already the tick labels
            text.remove()
        for line in raster_ax.lines:  # the colours are explained by the other axes' entries
            line.set_label("_nolegend_")
    for ax in axes:
        if ax is not axes[-1]:
            ax.set_xlabel("")
            ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("time (ms)")
    if until is not None:
        axes[-1].set_xlim(0.0, until)
    return axes


def legend_entries(axes) -> tuple[list, list]:
    """Handles and labels of every labelled artist of ``axes``, each label once (for
    ``fig.legend``)."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    return handles, labels


def draw_two_neurons_figure(result: Result, fig, title: str | None = None, until: float | None = None, **margins):
    """:func:`draw_two_neurons` in four stacked axes of ``fig``, with one legend at the right.

    ``margins`` (``left``, ``right``, ``bottom``, ``top``, ``hspace``, fractions of the figure)
    place the axes in a figure without a layout engine, a slider panel's (see
    :func:`snnlab.widgets.fixed_grid`), and the legend right of ``right``; leave them out
    for a constrained-layout figure, which puts the legend outside the axes by itself.
    """
    axes = reuse_layout(fig, _two_neurons_axes, **margins)
    draw_two_neurons(result, axes, title, until)
    if fig.get_layout_engine() is None:
        edges = axes[0].get_gridspec().get_subplot_params(fig)
        where = {"loc": "upper left", "bbox_to_anchor": (edges.right + 0.01, edges.top)}
    else:
        where = {"loc": "outside right upper"}
    add_legend(fig, *legend_entries(axes), fontsize="small", frameon=False, **where)
    return axes


def _two_neurons_axes(fig, **margins) -> list:
    """Four stacked axes sharing time: currents, potential of A, of B, raster."""
    grid = fig.add_gridspec(4, 1, height_ratios=(1.0, 1.5, 1.5, 0.6), **margins)
    first = fig.add_subplot(grid[0])
    return [first] + [fig.add_subplot(grid[i], sharex=first) for i in range(1, 4)]


# -- the notebook's figures ----------------------------------------------------------------------------
def figures() -> dict:
    """Notebook 01's main figures: the report's three examples with its parameters, a zoom
    on the start of Example 1, and the mechanism in slow motion (weights below threshold,
    a 2 ms delay), where each arrival shows as a jump."""
    out = {}
    for name in REPORT_EXAMPLES:
        fig = Figure(figsize=(10, 7), layout="constrained")
        draw_two_neurons_figure(report_example(name), fig, title=REPORT_EXAMPLES[name]["title"])
        out[f"example_{name}"] = fig
    fig = Figure(figsize=(10, 7), layout="constrained")
    draw_two_neurons_figure(report_example("E-E"), fig, title="Example 1, the first 6 ms", until=6.0)
    out["example_E-E_zoom"] = fig
    fig = Figure(figsize=(10, 7), layout="constrained")
    draw_two_neurons_figure(report_example("I-I", amplitude_a=3.0, amplitude_b=3.0), fig,
                            title="Example 3 with both currents three times larger")
    out["example_I-I_x3"] = fig
    fig = Figure(figsize=(10, 7), layout="constrained")
    draw_two_neurons_figure(two_neurons(**SLOW_MOTION), fig, title=SLOW_MOTION_TITLE)
    out["slow_motion"] = fig
    return out
