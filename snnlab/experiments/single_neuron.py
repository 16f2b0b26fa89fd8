"""Notebook 00: one LIF neuron (the course's previous assignment, recapped).

The membrane of a Leaky Integrate-and-Fire neuron follows

.. math:: \\tau_m \\frac{du}{dt} = -(u - u_{rest}) + R\\,I(t), \\qquad \\tau_m = R C,

and when ``u`` reaches ``threshold`` the neuron spikes and ``u`` is reset to rest.

Units: time ms, potential mV, current nA, resistance MΩ, capacitance nF, rates Hz.
The defaults are the assignment's: ``u_rest = 0``, ``threshold = 1``, ``R = 1``,
``C = 10`` (``tau_m = 10`` ms), ``dt = 0.1`` ms, 100 ms.

Functions
---------
:func:`input_current`
    The four input shapes of the notebook (constant, step, sine, noise) as a Current.
:func:`single_neuron`
    One neuron under one current: a :class:`snnlab.Result` with population ``"neuron"``.
:func:`fi_experiment`
    Simulated F–I curve next to the analytic one (:class:`FICurve`).
:func:`euler_vs_exact`
    The same neuron integrated by forward Euler and exactly, next to the closed form
    (:class:`MethodComparison`).
:func:`figures`
    The notebook's main figures, for ``python -m snnlab figures OUTDIR``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import _checks as check
from .._checks import SnnlabWarning
from ..analysis import fi_curve, lif_rate
from ..inputs import Constant, Current, Noise, Sine, Step
from ..network import Network
from ..neurons import LIF
from ..plotting import (
    add_legend,
    hline,
    plot_currents,
    plot_fi_curve,
    plot_potentials,
    reuse_layout,
    round_limits,
    vline,
)
from ..results import Result

__all__ = [
    "CURRENT_KINDS",
    "ERROR_DTS",
    "REPORT_SINE_FREQUENCY",
    "FICurve",
    "MethodComparison",
    "closed_form_potential",
    "draw_euler",
    "draw_euler_figure",
    "draw_fi",
    "draw_input_shapes",
    "draw_methods",
    "draw_neuron",
    "draw_potential_errors",
    "euler_vs_exact",
    "fi_experiment",
    "figures",
    "input_current",
    "lif_model",
    "potential_error_by_dt",
    "single_neuron",
]

#: The input shapes :func:`input_current` knows.
CURRENT_KINDS = ("constant", "step", "sine", "noise")
#: The report's ``sin(t/8)`` (t in ms) as a frequency: 1 / (2*pi*8 ms) ≈ 19.9 Hz.
REPORT_SINE_FREQUENCY = 1000.0 / (2.0 * math.pi * 8.0)
#: The step input is on from STEP_ON[0] to STEP_ON[1], ms.
STEP_ON = (20.0, 70.0)
#: Offset of the sine, as a fraction of its amplitude (the report's ``sin(t/8) + 0.3``).
SINE_OFFSET = 0.3
#: Time steps (ms) at which :func:`potential_error_by_dt` measures the error by default.
ERROR_DTS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)

_NEURON = "neuron"


def input_current(kind: str = "constant", amplitude: float = 2.0, frequency: float = REPORT_SINE_FREQUENCY,
                  noise_std: float = 2.0) -> Current:
    """One of the notebook's input currents.

    Parameters
    ----------
    kind : {"constant", "step", "sine", "noise"}
        ``"constant"``: ``I = amplitude``.
        ``"step"``: ``amplitude`` from 20 to 70 ms, 0 otherwise.
        ``"sine"``: ``I(t) = amplitude * (sin(2*pi*frequency*t) + 0.3)``, the shape of the
        report's ``sin(t/8) + 0.3`` (which is ``amplitude = 1`` nA, ``frequency`` ≈ 19.9 Hz).
        ``"noise"``: Gaussian white noise, mean ``amplitude``, standard deviation
        ``noise_std``, a fresh value every step (from the network's seed).
    amplitude : float
        nA. Default 2.
    frequency : float
        Hz, > 0 (used by ``"sine"``). Default :data:`REPORT_SINE_FREQUENCY`.
    noise_std : float
        nA, >= 0 (used by ``"noise"``). Default 2.

    Returns
    -------
    snnlab.Current
    """
    owner = "input_current"
    kind = check.choice(owner, "kind", kind, CURRENT_KINDS)
    amplitude = check.real(owner, "amplitude", amplitude, "nA")
    if kind == "constant":
        return Constant(amplitude)
    if kind == "step":
        return Step(amplitude, start=STEP_ON[0], stop=STEP_ON[1])
    if kind == "sine":
        frequency = check.positive(owner, "frequency", frequency, "Hz")
        return Sine(amplitude, period=1000.0 / frequency, offset=SINE_OFFSET * amplitude)
    noise_std = check.non_negative(owner, "noise_std", noise_std, "nA")
    return Noise(mean=amplitude, std=noise_std)


def lif_model(R: float = 1.0, C: float = 10.0, threshold: float = 1.0, u_rest: float = 0.0,
              method: str = "exact", clamp: bool = False) -> LIF:
    """The LIF parameters of this notebook as an :class:`snnlab.LIF`.

    ``clamp=True`` is the report's neuron: its potential is held at ``u_rest`` whenever it
    would drop below (``floor = u_rest``). Units: MΩ, nF, mV.
    """
    if not isinstance(clamp, (bool, np.bool_)):
        raise TypeError(f"lif_model.clamp: must be True or False (got {check._show(clamp)})")
    return LIF(u_rest=u_rest, threshold=threshold, R=R, C=C, method=method, floor=u_rest if clamp else None)


def single_neuron(current=2.0, R: float = 1.0, C: float = 10.0, threshold: float = 1.0, u_rest: float = 0.0,
                  method: str = "exact", clamp: bool = False, duration: float = 100.0, dt: float = 0.1,
                  seed: int = 0) -> Result:
    """Simulate one LIF neuron under one external current.

    Parameters
    ----------
    current : number, callable f(t), or Current
        nA (t in ms); see :func:`input_current` for the notebook's shapes. Default 2.
    R : float
        Membrane resistance, MΩ. Default 1.
    C : float
        Membrane capacitance, nF. Default 10 (so ``tau_m = R*C = 10`` ms).
    threshold, u_rest : float
        mV. Defaults 1 and 0.
    method : {"exact", "euler"}
        Integration: exact for input held over a step, or forward Euler (the report's).
    clamp : bool
        The report's clamp at rest (see :func:`lif_model`). Default False.
    duration, dt : float
        ms. Defaults 100 and 0.1.
    seed : int
        Seed of the noise current, if any. Default 0.

    Returns
    -------
    snnlab.Result
        One population, ``"neuron"`` (excitatory, 1 neuron), potential and current recorded.
    """
    model = lif_model(R, C, threshold, u_rest, method, clamp)
    net = Network(dt=dt, seed=seed)
    net.add_population(_NEURON, n=1, kind="excitatory", current=current, model=model)
    return net.run(duration, record="all")


# -- F–I curve ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FICurve:
    """A simulated F–I curve next to the analytic one (made by :func:`fi_experiment`).

    Attributes
    ----------
    currents : ndarray (m,), nA
    simulated : ndarray (m,), Hz
        ``1000 / mean inter-spike interval`` of a neuron under each current (the
        steady-state rate); the spike count over the run where a neuron fired only once;
        0 for a silent neuron.
    analytic : ndarray (m,), Hz
        :meth:`snnlab.LIF.firing_rate`: ``1000 / (tau_m ln(RI / (RI - theta)))`` above the
        rheobase, 0 below (continuous time).
    model : LIF
    dt, duration : float
        ms.
    """

    currents: np.ndarray
    simulated: np.ndarray
    analytic: np.ndarray
    model: LIF
    dt: float
    duration: float


def fi_experiment(currents=None, R: float = 1.0, C: float = 10.0, threshold: float = 1.0, u_rest: float = 0.0,
                  method: str = "exact", dt: float = 0.1, duration: float = 1000.0) -> FICurve:
    """Firing rate against constant current: simulated (one run, one neuron per current)
    and analytic.

    Parameters
    ----------
    currents : array_like (m,) or None
        nA. Default ``0, 0.25, ..., 6`` nA.
    R, C, threshold, u_rest, method
        The neuron, as in :func:`single_neuron` (MΩ, nF, mV).
    dt, duration : float
        ms. Defaults 0.1 and 1000.

    Returns
    -------
    FICurve
    """
    if currents is None:
        currents = np.linspace(0.0, 6.0, 25)
    model = lif_model(R, C, threshold, u_rest, method)
    values, by_isi = fi_curve(currents, model, duration=duration, dt=dt, measure="isi")
    _, by_count = fi_curve(values, model, duration=duration, dt=dt, measure="count")
    simulated = np.where(np.isnan(by_isi), by_count, by_isi)
    return FICurve(values, simulated, lif_rate(values, model), model, float(dt), float(duration))


# -- Euler against exact ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MethodComparison:
    """One neuron under a constant current, integrated two ways, and the closed form
    (made by :func:`euler_vs_exact`).

    Attributes
    ----------
    exact, euler : Result
        Population ``"neuron"`` in each.
    current : float
        nA.
    model : LIF
        The exact model (``euler`` used the same parameters with ``method="euler"``).
    closed_time : ndarray, ms
    closed_potential : ndarray, mV
        The continuous-time solution, reset at each analytic spike, on a fine grid.
    closed_first_spike : float
        ms, ``tau_m ln(RI / (RI - (threshold - u_rest)))`` (inf below the rheobase).
    closed_rate : float
        Hz, :meth:`LIF.firing_rate`.
    """

    exact: Result
    euler: Result
    current: float
    model: LIF
    closed_time: np.ndarray
    closed_potential: np.ndarray
    closed_first_spike: float
    closed_rate: float

    def first_spike(self, method: str) -> float:
        """First spike time of a method's run, ms (nan if it never fired)."""
        times, _ = getattr(self, check.choice("MethodComparison.first_spike", "method", method,
                                             ("exact", "euler"))).spikes(_NEURON)
        return float(times[0]) if times.size else math.nan

    def rate(self, method: str) -> float:
        """Steady-state rate of a method's run, Hz: 1000 / mean ISI (0 if fewer than 2 spikes)."""
        times, _ = getattr(self, check.choice("MethodComparison.rate", "method", method,
                                             ("exact", "euler"))).spikes(_NEURON)
        return 1000.0 / float(np.mean(np.diff(times))) if times.size >= 2 else 0.0


def closed_form_potential(current: float, model: LIF, duration: float, points: int = 2001):
    """The continuous-time LIF membrane under a constant current from ``u_init``, reset at
    each analytic spike: ``u(t) = u_inf + (u_0 - u_inf) exp(-t/tau_m)`` piece by piece.

    Returns
    -------
    t : ndarray (points,), ms
    u : ndarray (points,), mV
    """
    t = np.linspace(0.0, duration, points)
    u_inf = model.u_rest + model.R * current
    first = model.time_to_first_spike(current)
    period = 1000.0 / model.firing_rate(current) if np.isfinite(first) else math.inf
    since = t.copy()
    start = np.full_like(t, model.u_init)
    if np.isfinite(first):
        fired = t >= first
        since[fired] = np.mod(t[fired] - first, period)
        start[fired] = model.u_reset
    return t, u_inf + (start - u_inf) * np.exp(-since / model.tau_m)


def euler_vs_exact(current: float = 2.0, dt: float = 0.5, R: float = 1.0, C: float = 10.0,
                   threshold: float = 1.0, duration: float = 100.0) -> MethodComparison:
    """The same neuron under a constant current, integrated with forward Euler (the report's
    ``u += dt/tau (-(u - u_rest) + R I)``) and exactly (``u <- u_inf + (u - u_inf) e^{-dt/tau}``).

    Parameters
    ----------
    current : float
        Constant input, nA. Default 2.
    dt : float
        Time step, ms, smaller than ``tau_m`` (Euler is unstable otherwise). Default 0.5.
    R, C, threshold : float
        MΩ, nF, mV.
    duration : float
        ms. Default 100.

    Returns
    -------
    MethodComparison
    """
    current = check.real("euler_vs_exact", "current", current, "nA")
    runs = {m: single_neuron(current, R=R, C=C, threshold=threshold, method=m, duration=duration, dt=dt)
            for m in ("exact", "euler")}
    model = lif_model(R, C, threshold)
    t, u = closed_form_potential(current, model, runs["exact"].duration)
    return MethodComparison(runs["exact"], runs["euler"], current, model, t, u,
                            float(model.time_to_first_spike(current)), float(model.firing_rate(current)))


def potential_error_by_dt(current: float = 2.0, dts=ERROR_DTS, R: float = 1.0,
                          C: float = 10.0, threshold: float = 1.0) -> dict:
    """Largest distance between the simulated membrane and the closed form during the first
    climb (from rest to the first spike), per method and dt.

    Parameters
    ----------
    current : float
        Constant input, nA.
    dts : sequence of float
        Time steps, ms, each smaller than ``tau_m``.
    R, C, threshold : float
        MΩ, nF, mV.

    Returns
    -------
    dict
        ``{"dt": ndarray (ms), "exact": ndarray (mV), "euler": ndarray (mV)}``: the maximum
        of ``|u(t_k) - u_closed(t_k)|`` over the grid points before the first spike (the
        closed form's or the simulated one's, whichever comes first; over 100 ms when the
        neuron never fires).
    """
    dts = np.asarray(dts, dtype=float)
    model = lif_model(R, C, threshold)
    first = float(model.time_to_first_spike(current))
    with warnings.catch_warnings():
        # coarse steps are the point here: do not warn that dt is not much smaller than tau_m
        warnings.filterwarnings("ignore", message=r"Network\.dt: .* is not much smaller", category=SnnlabWarning)
        return _potential_errors(current, dts, model, first, R, C, threshold)


def _potential_errors(current, dts, model, first, R, C, threshold):
    out = {"dt": dts, "exact": np.empty(dts.size), "euler": np.empty(dts.size)}
    u_inf = model.u_rest + model.R * current
    for i, dt in enumerate(dts):
        span = first if np.isfinite(first) else 100.0
        steps = max(1, math.ceil(span / dt))
        for method in ("exact", "euler"):
            run = single_neuron(current, R=R, C=C, threshold=threshold, method=method, duration=steps * dt, dt=dt)
            t = run.time
            fired, _ = run.spikes(_NEURON)
            # a spike is stamped at the start of its step, whose recorded potential is still
            # before the crossing; the next sample is the reset value
            before = (t < first) & (t <= (fired[0] if fired.size else math.inf))
            closed = u_inf + (model.u_init - u_inf) * np.exp(-t[before] / model.tau_m)
            out[method][i] = float(np.max(np.abs(run.potential(_NEURON)[before, 0] - closed), initial=0.0))
    return out


# -- drawing (shared with the widgets) -----------------------------------------------------------------
METHOD_STYLE = {
    "closed": {"color": "black", "linewidth": 1.2, "label": "closed form (continuous time)"},
    # not red and blue: those mean excitatory and inhibitory everywhere in the course
    "exact": {"color": "tab:purple", "linewidth": 1.0, "linestyle": "--", "label": "exact update"},
    "euler": {"color": "tab:orange", "linewidth": 1.0, "linestyle": "-.", "label": "Euler update (report)"},
}


def draw_methods(comparison: MethodComparison, ax, until: float | None = None):
    """Potentials of the closed form and of both updates on one axes (mV against ms)."""
    ax.plot(comparison.closed_time, comparison.closed_potential, **METHOD_STYLE["closed"])
    for method, marker in (("exact", "o"), ("euler", "s")):
        run = getattr(comparison, method)
        # the samples u(t_k), joined by straight lines (the membrane between samples is not known)
        ax.plot(run.time, run.potential(_NEURON)[:, 0], marker=marker, markersize=2.5, **METHOD_STYLE[method])
    hline(ax, comparison.model.threshold, color="0.3", linestyle=":", linewidth=1.0,
          label=f"threshold ({comparison.model.threshold:g} mV)")
    ax.set_xlim(0.0, until if until is not None else comparison.exact.duration)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane potential (mV)")
    ax.set_title(f"constant {comparison.current:g} nA, dt = {comparison.exact.dt:g} ms", fontsize="medium")
    add_legend(ax, loc="lower right", fontsize="small", framealpha=0.95)
    return ax


def draw_neuron(result: Result, top, bottom, title: str | None = None, legend: str = "outside"):
    """Input current on ``top``, membrane potential on ``bottom`` (axes sharing time), with
    the threshold, rest, rheobase and spikes.

    ``legend``: "outside" (right of the axes), "inside" (best place inside) or "none"; the
    current's axes carries no legend, its rheobase line is labelled in place.
    """
    # one neuron of no particular kind: black, neither red nor blue
    plot_currents(result, _NEURON, ax=top, color="black", legend=False)
    plot_potentials(result, _NEURON, ax=bottom, color="black", legend=False)
    bottom.lines[0].set_label("membrane potential")
    rheobase = result.model(_NEURON).rheobase
    top.text(0.995, rheobase, f"rheobase {rheobase:.3g} nA", transform=top.get_yaxis_transform(), ha="right",
             va="bottom", fontsize="small", color="0.3")
    _current_margins(top, np.asarray(result.current(_NEURON))[:, 0], rheobase)
    top.set_xlabel("")
    top.tick_params(labelbottom=False)
    top.set_ylabel("current (nA)")
    bottom.set_ylabel("potential (mV)")
    top.set_title(title or "", fontsize="medium")
    bottom.set_title("")
    if legend != "none":
        where = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} if legend == "outside" else {"loc": "best"}
        add_legend(bottom, fontsize="small", frameon=legend != "outside", **where)
    return top, bottom


#: Room left above and below the current trace, as a fraction of the range it and the rheobase span.
CURRENT_MARGIN = 0.15


def _current_margins(ax, current, rheobase: float) -> None:
    """y limits for a current trace: from the lowest to the highest of the current, 0 and the
    rheobase, with :data:`CURRENT_MARGIN` of that range free above and below (a constant
    current would otherwise sit on the top edge of its axes), widened to the next ticks (so
    that a slider's step leaves them in place, :func:`~snnlab.plotting.round_limits`)."""
    lo = min(float(np.min(current, initial=0.0)), 0.0, rheobase)
    hi = max(float(np.max(current, initial=0.0)), 0.0, rheobase)
    span = hi - lo if hi > lo else 1.0
    ax.set_ylim(lo - CURRENT_MARGIN * span, hi + CURRENT_MARGIN * span)
    round_limits(ax, "y")


# -- the notebook's figures ----------------------------------------------------------------------------
def draw_input_shapes(fig, amplitude: float = 2.0, seed: int = 0) -> None:
    """The neuron under each of :data:`CURRENT_KINDS` (``amplitude`` nA), in a 2 x 2 grid of
    subfigures of ``fig`` (current above, potential below)."""
    for (top, bottom), kind in zip(reuse_layout(fig, _input_shapes_axes), CURRENT_KINDS, strict=True):
        result = single_neuron(input_current(kind, amplitude=amplitude), seed=seed)
        draw_neuron(result, top, bottom, title=f"{kind} input, amplitude {amplitude:g} nA")


def _input_shapes_axes(fig) -> list:
    """(current, potential) axes pairs in a 2 x 2 grid of subfigures."""
    return [sub.subplots(2, 1, sharex=True, height_ratios=(1, 2))
            for sub in fig.subfigures(2, 2, wspace=0.04, hspace=0.04).flat]


def draw_fi(fig, fi: FICurve | None = None) -> FICurve:
    """The simulated F–I curve against the analytic one on one axes of ``fig``."""
    fi = fi if fi is not None else fi_experiment()
    ax = reuse_layout(fig, Figure.subplots)
    plot_fi_curve(fi.currents, fi.simulated, analytic=fi.model, ax=ax)
    ax.set_title(f"F–I curve: simulated (dt = {fi.dt:g} ms, {fi.duration:g} ms per current) against analytic",
                 fontsize="medium")
    return fi


def draw_euler(fig, current: float = 1.25, dt: float = 1.0) -> MethodComparison:
    """Euler against exact at one ``dt`` (left) and the error of both against dt (right):
    :func:`euler_vs_exact` and :func:`potential_error_by_dt` drawn by :func:`draw_euler_figure`."""
    comparison = euler_vs_exact(current, dt=dt)
    draw_euler_figure(fig, comparison, potential_error_by_dt(current, sorted({*ERROR_DTS, dt})))
    return comparison


def draw_euler_figure(fig, comparison: MethodComparison, errors: dict, until: float = 60.0, **margins) -> None:
    """:func:`draw_methods` over the first ``until`` ms (left) and :func:`draw_potential_errors`
    with the step in use marked (right), side by side in ``fig``.

    ``margins`` (``left``, ``right``, ``bottom``, ``top``, ``wspace``, ``hspace``, fractions of the
    figure) place the axes in a figure without a layout engine, a slider panel's (see
    :func:`snnlab.widgets.fixed_grid`); leave them out for a constrained-layout figure.
    """
    left, right = reuse_layout(fig, _euler_axes, **margins)
    draw_methods(comparison, left, until=min(until, comparison.exact.duration))
    draw_potential_errors(errors, right, dt=comparison.exact.dt)


def _euler_axes(fig, **margins):
    return fig.add_gridspec(1, 2, width_ratios=(1.4, 1.0), **margins).subplots()


def figures() -> dict:
    """Notebook 00's main figures: the potential under each input shape, the F–I curve,
    and Euler against exact integration."""
    out = {"potential_by_current": Figure(figsize=(13, 7), layout="constrained"),
           "fi_curve": Figure(figsize=(6.5, 4.5), layout="constrained"),
           "euler_vs_exact": Figure(figsize=(11, 4.5), layout="constrained")}
    draw_input_shapes(out["potential_by_current"])
    draw_fi(out["fi_curve"])
    draw_euler(out["euler_vs_exact"])
    return out


def draw_potential_errors(errors: dict, ax, dt: float | None = None):
    """Largest potential error (mV) of each method against dt (ms), log-log, with a line
    proportional to dt for reference; ``dt`` marks the step in use."""
    floor = 1e-17  # the exact update is exact to rounding: draw its zeros at the bottom
    for method in ("exact", "euler"):
        style = dict(METHOD_STYLE[method])
        style["linestyle"] = "-"
        ax.plot(errors["dt"], np.maximum(errors[method], floor), marker="o", **style)
    euler = errors["euler"]
    if euler.size and euler[-1] > 0:
        ax.plot(errors["dt"], euler[-1] * errors["dt"] / errors["dt"][-1], color="0.5", linestyle=":",
                linewidth=1.0, label="proportional to dt")
    if dt is not None:
        vline(ax, dt, color="0.3", linewidth=0.8, linestyle="--", label=f"dt in use ({dt:g} ms)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor / 2)
    round_limits(ax, "y")  # whole decades: still while a slider moves the errors a little
    ax.set_xlabel("time step dt (ms)")
    ax.set_ylabel("largest potential error (mV)")
    ax.set_title("error before the first spike", fontsize="medium")
    add_legend(ax, loc="center right", fontsize="small")
    return ax
