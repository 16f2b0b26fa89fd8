"""Notebook 02: a population of excitatory and inhibitory LIF neurons (the report's Section 2).

The report's group: ``N = n_exc + n_inh`` neurons (80 excitatory and 20 inhibitory);
every neuron projects to ``ceil(N * p)`` random targets among all N, with ``p = p_exc =
0.01`` for an excitatory source and ``p = p_inh = 0.02`` for an inhibitory one (a fixed
out-degree: 1 and 2 targets). Every spike moves each target by 2 mV (up from an
excitatory source, down from an inhibitory one) one step (0.1 ms) later. Every neuron
gets the current ``sin(t/8) + 0.3`` nA.

That current alone never brings the assignment's neuron to threshold, so the group is
silent as the report wrote it; here each neuron can get its own constant offset
(``spread``), the per-neuron variety real neurons have.

Units: time ms, potential mV, current nA, weights mV, rates Hz.

Functions
---------
:func:`report_degree`
    ``ceil(N * p)``, the report's number of targets per neuron.
:func:`population`
    The group with plain parameters; a Result with populations "E" and "I".
:func:`clamp_comparison`
    The same group with the report's neuron (clamped at rest) and with a real LIF.
:func:`figures`
    The notebook's main figures, for ``python -m snnlab figures OUTDIR``.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .. import _checks as check
from ..inputs import Constant, Sine
from ..network import Network
from ..neurons import LIF
from ..plotting import (
    add_legend,
    plot_connectivity,
    plot_degree_histogram,
    plot_population_rate,
    plot_potentials,
    plot_raster,
    reuse_layout,
)
from ..results import Result

__all__ = [
    "REPORT",
    "RULES",
    "VARIETY",
    "clamp_comparison",
    "draw_activity",
    "draw_clamp_comparison",
    "draw_clamp_figure",
    "draw_connectivity",
    "draw_population",
    "figures",
    "lowest_neuron",
    "population",
    "report_degree",
]

#: Connection rules: the report's fixed out-degree, or independent pairs.
RULES = {
    "report": "every neuron has ceil(N*p) random targets among all N (the report's rule)",
    "bernoulli": "every ordered pair is connected independently with probability p",
}

#: The report's Section 2 example (the defaults of :func:`population`).
REPORT = {"n_exc": 80, "n_inh": 20, "p_exc": 0.01, "p_inh": 0.02, "weight_exc": 2.0, "weight_inh": 2.0,
          "delay": 0.1, "amplitude": 1.0, "offset": 0.3, "spread": 0.0, "rule": "report"}

#: The report's example with per-neuron variety: offsets spread by 0.5 nA around 0.3 nA.
VARIETY = dict(REPORT, spread=0.5)

#: Time scale of the report's current ``sin(t/8)``, ms (a period of 2*pi*8 ≈ 50.3 ms).
SINE_SCALE = 8.0


def report_degree(n: int, p: float) -> int:
    """The report's number of targets per neuron, ``ceil(n * p)``.

    The product is rounded to 9 decimals first: in floating point ``100 * 0.07`` is
    ``7.000000000000001``, whose ceiling (8) is not what the report means.
    """
    n = check.integer("report_degree", "n", n, minimum=0)
    p = check.probability("report_degree", "p", p)
    return math.ceil(round(n * p, 9))


def population(n_exc: int = 80, n_inh: int = 20, p_exc: float = 0.01, p_inh: float = 0.02,
               weight_exc: float = 2.0, weight_inh: float = 2.0, delay: float = 0.1, amplitude: float = 1.0,
               offset: float = 0.3, spread: float = 0.0, rule: str = "report", clamp: bool = False,
               method: str = "exact", duration: float = 100.0, dt: float = 0.1, seed: int = 0) -> Result:
    """The report's mixed group of excitatory and inhibitory neurons.

    Parameters
    ----------
    n_exc, n_inh : int
        Numbers of excitatory (>= 1) and inhibitory (>= 0) neurons. Defaults 80 and 20.
    p_exc, p_inh : float
        Connection probability of an excitatory / inhibitory source, in [0, 1]. Defaults
        0.01 and 0.02.
    weight_exc, weight_inh : float
        How far a spike of an excitatory source raises, and of an inhibitory source lowers,
        its targets' potential, mV, >= 0. Defaults 2 and 2.
    delay : float
        From a spike to its arrival, ms, at least one step. Default 0.1 (one step).
    amplitude, offset : float
        The current ``amplitude * sin(t/8) + offset`` nA (t in ms). Defaults 1 and 0.3, the
        report's ``sin(t/8) + 0.3``.
    spread : float
        Standard deviation of a constant offset drawn once per neuron (from ``seed``) and
        added to its current, nA, >= 0. Default 0 (every neuron the same, as in the report).
    rule : {"report", "bernoulli"}
        ``"report"``: each neuron gets ``ceil(N*p)`` distinct random targets among the
        other N - 1 neurons (at most N - 1; the report's ``random.sample`` could also pick
        the neuron itself, which a neuron's own synapse would be; none here).
        ``"bernoulli"``: each ordered pair of different neurons is connected with
        probability p.
    clamp : bool
        The report's neuron: the potential is held at rest whenever it would drop below,
        so inhibition cannot push it under rest. Default False (a real LIF).
    method : {"exact", "euler"}
        Integration (the report's is Euler). Default "exact".
    duration, dt : float
        ms. Defaults 100 and 0.1.
    seed : int
        Seeds the connectivity and the offsets. Default 0.

    Returns
    -------
    snnlab.Result
        Populations ``"E"`` (excitatory) and ``"I"`` (inhibitory, absent when ``n_inh`` is
        0), all potentials and currents recorded, the synapses in ``result.connections()``.
    """
    owner = "population"
    n_exc = check.integer(owner, "n_exc", n_exc, minimum=1)
    n_inh = check.integer(owner, "n_inh", n_inh, minimum=0)
    p_exc = check.probability(owner, "p_exc", p_exc)
    p_inh = check.probability(owner, "p_inh", p_inh)
    amplitude = check.real(owner, "amplitude", amplitude, "nA")
    offset = check.real(owner, "offset", offset, "nA")
    spread = check.non_negative(owner, "spread", spread, "nA")
    rule = check.choice(owner, "rule", rule, tuple(RULES))
    if not isinstance(clamp, (bool, np.bool_)):
        raise TypeError(f"{owner}.clamp: must be True or False (got {check._show(clamp)})")
    model = LIF(method=method, floor=0.0 if clamp else None)
    total = n_exc + n_inh
    net = Network(dt=dt, seed=seed)
    # the offsets' own stream, so that changing the connectivity leaves them alone
    offset_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(100,)))
    offsets = offset + spread * offset_rng.standard_normal(total)
    wave = Sine(amplitude, period=2 * math.pi * SINE_SCALE) if amplitude else Constant(0.0)
    groups = [net.add_population("E", n_exc, "excitatory", wave + Constant(offsets[:n_exc]), model)]
    if n_inh:
        groups.append(net.add_population("I", n_inh, "inhibitory", wave + Constant(offsets[n_exc:]), model))
    for source, p, weight in zip(groups, (p_exc, p_inh), (weight_exc, weight_inh)):
        if rule == "report":
            k = min(report_degree(total, p), total - 1)
            net.connect(source, groups, rule="fixed_outdegree", k=k, weight=weight, delay=delay)
        else:
            net.connect(source, groups, rule="fixed_probability", p=p, weight=weight, delay=delay)
    return net.run(duration, record="all")


def clamp_comparison(**parameters) -> dict:
    """The same group (same seed, same synapses, same currents) with the report's neuron,
    clamped at rest, and with a real LIF.

    Parameters
    ----------
    **parameters
        Anything :func:`population` takes except ``clamp``.

    Returns
    -------
    dict
        ``{"clamped": Result, "real": Result}``.
    """
    if "clamp" in parameters:
        raise TypeError("clamp_comparison: runs both clamp=True and clamp=False; do not pass clamp")
    return {"clamped": population(clamp=True, **parameters), "real": population(clamp=False, **parameters)}


def lowest_neuron(result: Result) -> tuple[str, int]:
    """The population and index of the neuron whose potential went lowest (the one most
    pushed down by inhibition)."""
    best = None
    for label in result.labels:
        u = np.asarray(result.potential(label))
        i = int(np.argmin(u.min(axis=0)))
        if best is None or u[:, i].min() < best[2]:
            best = (label, i, float(u[:, i].min()))
    return best[0], best[1]


# -- drawing (shared with the widgets) -----------------------------------------------------------------
def draw_population(result: Result, raster_ax, rate_ax, degree_ax=None, smooth: float = 2.0):
    """Raster, population rates (1 ms bins, Gaussian smoothing of ``smooth`` ms) and, given
    ``degree_ax``, the out- and in-degree histograms."""
    plot_raster(result, ax=raster_ax)
    plot_population_rate(result, bin=1.0, smooth=smooth, ax=rate_ax)
    rate_ax.set_ylabel("rate (Hz)")
    if degree_ax is not None:
        plot_degree_histogram(result, ax=degree_ax, which="both")
        degree_ax.set_xlabel("synapses per neuron")
    return raster_ax, rate_ax, degree_ax


def draw_clamp_comparison(runs: dict, axes, neuron: tuple[str, int] | None = None):
    """Rasters of the clamped and the real group (``axes[0]``, ``axes[1]``) and, on
    ``axes[2]``, the potential of one neuron in both (default the one that went lowest in
    the real group)."""
    clamped, real = runs["clamped"], runs["real"]
    for ax, result, name in ((axes[0], clamped, "clamped at rest (the report's neuron)"),
                             (axes[1], real, "real LIF")):
        plot_raster(result, ax=ax)
        ax.set_title(f"{name}\n{_spike_text(result)}", fontsize="medium", pad=20)
    label, index = neuron if neuron is not None else lowest_neuron(real)
    ax = axes[2]
    plot_potentials(real, label, neurons=[index], ax=ax, legend=False)  # in its kind's colour
    ax.lines[0].set_label("real LIF")
    ax.plot(clamped.time, clamped.potential(label, [index])[:, 0], color="0.35", linestyle="--", linewidth=1.0,
            label="clamped at rest")
    times = clamped.spike_trains(label)[index]
    ax.plot(times, np.full(times.size, real.model(label).threshold), marker="|", markersize=10, linestyle="none",
            color="0.35", label="spike, clamped" if times.size else "_nolegend_")
    ax.set_title(f"neuron {index} of {label!r} ({real.kind(label)})", fontsize="medium")
    add_legend(ax, loc="lower right", fontsize="small", ncol=2)
    return axes


def _spike_text(result: Result) -> str:
    return ", ".join(f"{label} {int(result.spike_count(label).sum())} spikes" for label in result.labels)


# -- the notebook's figures ----------------------------------------------------------------------------
def draw_connectivity(fig, result: Result, title: str | None = None) -> None:
    """The weight matrix (left) and the degree histograms (right) of a :func:`population` result."""
    left, right = reuse_layout(fig, Figure.subplots, 1, 2, width_ratios=(1.15, 1.0))
    plot_connectivity(result, ax=left)
    plot_degree_histogram(result, ax=right, which="both")
    if title:
        fig.suptitle(title, fontsize="medium")


def draw_activity(fig, result: Result, title: str | None = None) -> None:
    """Raster above, population rates below, of a :func:`population` result."""
    raster_ax, rate_ax = reuse_layout(fig, Figure.subplots, 2, 1, sharex=True, height_ratios=(2.0, 1.0))
    draw_population(result, raster_ax, rate_ax)
    raster_ax.set_xlabel("")
    if title:
        fig.suptitle(title, fontsize="medium")


def draw_clamp_figure(fig, runs: dict) -> None:
    """:func:`draw_clamp_comparison` on two rasters above one potential axes."""
    draw_clamp_comparison(runs, reuse_layout(fig, _clamp_axes))


def _clamp_axes(fig) -> list:
    """Two rasters side by side above one wide axes."""
    grid = fig.add_gridspec(2, 2, height_ratios=(1.4, 1.0))
    return [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])]


def figures() -> dict:
    """Notebook 02's main figures: the connectivity of the report's group, its activity with
    per-neuron variety (weights 2 mV and 0.5 mV), and the clamped neuron against the real one."""
    variety = population(**VARIETY)
    out = {"connectivity": Figure(figsize=(12, 4.8), layout="constrained"),
           "activity": Figure(figsize=(11, 6.5), layout="constrained"),
           "activity_weak_weights": Figure(figsize=(11, 6.5), layout="constrained"),
           "clamp_vs_real": Figure(figsize=(11, 7.5), layout="constrained")}
    draw_connectivity(out["connectivity"], variety, "The report's rule: ceil(N p) targets per neuron "
                      "(N = 100, p = 0.01 excitatory, 0.02 inhibitory)")
    draw_activity(out["activity"], variety, "sin(t/8) + 0.3 nA plus a per-neuron offset (std 0.5 nA); "
                  "weights 2 mV, delay 0.1 ms")
    draw_activity(out["activity_weak_weights"], population(**dict(VARIETY, weight_exc=0.5, weight_inh=0.5)),
                  "the same group with weights 0.5 mV, below the 1 mV from rest to threshold")
    draw_clamp_figure(out["clamp_vs_real"], clamp_comparison(**VARIETY))
    return out
