"""Notebook 03: several connected populations (the report's Section 3), then a competition.

Two set-ups:

* :func:`three_populations`: the report's three populations of 100 neurons, two
  excitatory (E1, E2) and one inhibitory (I), with the report's inputs, both excitatory
  populations projecting onto the inhibitory one, either by the report's
  population-level coupling ("every time E has emitted ``every`` spikes, every neuron of I
  receives ``effect`` mV") or by neuron-to-neuron synapses (probability ``p``, ``weight``).
* :func:`competition`: the step the report points at. Two excitatory populations excite
  themselves and a shared inhibitory population, which inhibits both; a small bias in
  their inputs decides which one wins. :func:`win_fraction` repeats it over seeds.

The report's inputs, and what its code does with them (DESIGN.md, "The assignment's
quirks"):

* E1: ``lambda x: 3*i`` inside ``for i in range(100)`` was meant to give neuron i a
  current of ``3*i`` nA. Python's closures bind ``i`` late, so every lambda returns
  ``3*99 = 297`` nA once the loop is over: :func:`report_currents` gives either
  (``late_binding=True`` for what the code does).
* E2: ``random.random()*5.5`` draws a new value at every call, i.e. at every step:
  uniform noise in [0, 5.5) nA, here the seeded :class:`snnlab.UniformNoise`.
* I: 3 nA.
* The prose says populations of 10 neurons; the code makes 100. We use 100.

Units: time ms, potential mV, current nA, weights mV, rates Hz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import _checks as check
from .. import analysis, plotting
from .._dots import Dots
from ..connectivity import Uniform
from ..inputs import Constant, Noise, UniformNoise
from ..network import Network
from ..neurons import LIF
from ..plotting import add_legend, hline, vline
from ..results import Result
from .population import report_degree

__all__ = [
    "E1_COLOR",
    "E2_COLOR",
    "REPORT",
    "SCALED",
    "WIN_BIASES",
    "WIN_SEEDS",
    "WinFraction",
    "competition",
    "coupling_events",
    "coupling_title",
    "decide",
    "draw_competition",
    "draw_competition_figure",
    "draw_couplings",
    "draw_currents",
    "draw_three_populations",
    "draw_trajectory",
    "draw_win_fraction",
    "figures",
    "report_currents",
    "three_populations",
    "unconnected",
    "update_competition_figure",
    "win_fraction",
]

#: Two shades of red for the two excitatory populations (inhibitory stays plotting.INH_COLOR).
E1_COLOR = "#a50f15"
E2_COLOR = "#fb6a4a"
POP_COLORS = {"E1": E1_COLOR, "E2": E2_COLOR, "I": plotting.INH_COLOR}

#: The report's Section 3 numbers: population size, inputs (E1 slope nA per neuron index,
#: E2 noise range nA, I current nA), within-population connection probabilities (out-degree
#: ceil(n*p), the report's rule), weights (mV), the coupling threshold and effect, the delay
#: of one step (ms) and 800 steps of 0.1 ms.
REPORT = {
    "n": 100, "e1_slope": 3.0, "e2_high": 5.5, "i_current": 3.0, "p_within_exc": 0.01, "p_within_inh": 0.1,
    "within_weight": 2.0, "every": 20, "effect": 2.0, "delay": 0.1, "duration": 80.0,
}

COUPLINGS = ("population", "neurons")
#: Time step of every run here, ms (the assignment's).
DT = 0.1


# -- the report's three populations --------------------------------------------------------------------
def report_currents(n: int = 100, e1_slope: float = 3.0, late_binding: bool = False, e2_high: float = 5.5,
                    i_current: float = 3.0) -> dict:
    """The report's input currents for populations E1, E2 and I.

    Parameters
    ----------
    n : int
        Neurons per population. Default 100.
    e1_slope : float
        nA per neuron index: neuron i of E1 gets ``e1_slope * i`` nA (the report: 3).
    late_binding : bool
        True: what the report's code does, ``e1_slope * (n - 1)`` nA for every neuron of E1
        (its lambdas all see the loop's last ``i``). Default False (what it meant).
    e2_high : float
        E2 gets uniform noise in ``[0, e2_high)`` nA, a new value per neuron and step
        (the report: 5.5).
    i_current : float
        Constant current of I, nA (the report: 3).

    Returns
    -------
    dict of label -> snnlab Current
    """
    owner = "report_currents"
    n = check.integer(owner, "n", n, minimum=1)
    e1_slope = check.real(owner, "e1_slope", e1_slope, "nA")
    index = np.full(n, n - 1.0) if late_binding else np.arange(n, dtype=float)
    return {"E1": Constant(e1_slope * index), "E2": UniformNoise(0.0, e2_high), "I": Constant(i_current)}


def three_populations(coupling: str = "population", every: int = 20, effect: float = 2.0, p: float = 0.05,
                      weight: float = 2.0, delay: float = 0.1, e1_slope: float = 3.0, late_binding: bool = False,
                      e2_high: float = 5.5, i_current: float = 3.0, within: bool = True, within_weight: float = 2.0,
                      n: int = 100, duration: float = 80.0, seed: int = 0) -> Result:
    """The report's three populations: E1 and E2 (excitatory) both drive I (inhibitory).

    Parameters
    ----------
    coupling : {"population", "neurons"}
        "population": the report's coupling; every time E1 (and, counted separately, E2)
        has emitted ``every`` spikes, every neuron of I receives ``effect`` mV.
        "neurons": synapses from each neuron of E1 and E2 to each neuron of I with
        probability ``p``, ``weight`` mV each. Default "population".
    every : int
        Spikes of a source population per coupling event, >= 1 (the report: 20).
    effect : float
        mV each neuron of I receives per event (the report: 2).
    p : float
        Connection probability of the neuron-to-neuron projections. Default 0.05, which with
        ``weight = 2`` gives each I neuron the same mean input per source spike as the
        population coupling: ``p * weight = effect / every = 0.1`` mV.
    weight : float
        mV per synapse of those projections. Default 2.
    delay : float
        ms, of the coupling and the projections (whole steps of 0.1 ms). Default 0.1 (one step).
    e1_slope, late_binding, e2_high, i_current
        The inputs, see :func:`report_currents`; defaults are the report's (as meant).
    within : bool
        Add the report's connections inside each population: every neuron projects to
        ``ceil(n * p)`` random others of its own population, p = 0.01 for E1 and E2 and 0.1
        for I, ``within_weight`` mV, one step of delay. Default True.
    within_weight : float
        mV. Default 2 (the report's weight).
    n : int
        Neurons per population. Default 100.
    duration : float
        ms. Default 80 (the report's 800 steps of 0.1 ms).
    seed : int
        Seed of the connectivity and the noise. Default 0.

    Returns
    -------
    Result
        Populations "E1", "E2", "I", with potentials and currents recorded.
    """
    owner = "three_populations"
    coupling = check.choice(owner, "coupling", coupling, COUPLINGS)
    currents = report_currents(n, e1_slope, late_binding, e2_high, i_current)
    net = Network(dt=DT, seed=seed)
    e1 = net.add_population("E1", n, "excitatory", current=currents["E1"])
    e2 = net.add_population("E2", n, "excitatory", current=currents["E2"])
    inh = net.add_population("I", n, "inhibitory", current=currents["I"])
    if within:
        for pop, p_within in ((e1, REPORT["p_within_exc"]), (e2, REPORT["p_within_exc"]),
                              (inh, REPORT["p_within_inh"])):
            k = min(pop.n - 1, report_degree(pop.n, p_within))
            net.connect(pop, pop, rule="fixed_outdegree", k=k, weight=within_weight)
    for source in (e1, e2):
        if coupling == "population":
            net.couple(source, inh, every=every, effect=effect, delay=delay)
        else:
            net.connect(source, inh, rule="fixed_probability", p=p, weight=weight, delay=delay)
    return net.run(duration, record="all")


def coupling_events(result: Result, label: str, every: int) -> np.ndarray:
    """Times (ms) at which a population-level coupling from ``label`` fires: the times of
    its ``every``-th, ``2*every``-th, ... spike (counting all its neurons together). Two
    events at the same time mean two deliveries in that step."""
    every = check.integer("coupling_events", "every", every, minimum=1)
    times, _ = result.spikes(label)
    return np.asarray(times[every - 1::every])


# -- competition -------------------------------------------------------------------------------------
def competition(bias: float = 0.05, input: float = 1.4, input_inh: float = 0.6, noise: float = 5.0,
                w_ee: float = 0.12, w_ei: float = 0.1, w_ie: float = 0.2, p: float = 0.2, delay: float = 1.0,
                n: int = 100, n_inh: int = 50, duration: float = 300.0, seed: int = 0, clamp: bool = False,
                random_start: bool = True, record="auto") -> Result:
    """Two excitatory populations competing through a shared inhibitory one.

    E1 and E2 (``n`` neurons each) excite themselves (``w_ee``) and the shared inhibitory
    population I (``n_inh`` neurons, ``w_ei``); I inhibits both (``w_ie``). All synapses
    are drawn with probability ``p`` and share one ``delay``. E1 gets ``input + bias/2``,
    E2 ``input - bias/2``, I ``input_inh``, and every neuron an independent Gaussian noise
    current. Whichever population gets ahead drives I harder, and I silences the other:
    the bias tilts the race, the noise makes it a gamble.

    The defaults put the network in an asynchronous, noise-driven regime (the mean
    inputs are close to the rheobase of 1 nA), where the winner emerges over tens of ms.
    With stronger excitation (w_ee) or weaker inhibitory drive the populations fire in
    synchronous volleys paced by the inhibition, and the first volley decides.

    Parameters
    ----------
    bias : float
        Input difference E1 - E2, nA. Default 0.05.
    input : float
        Mean input of E1 and E2, nA. Default 1.4.
    input_inh : float
        Mean input of I, nA. Default 0.6.
    noise : float
        Standard deviation of the noise current, nA, a new value per neuron and step of
        0.1 ms. Default 5.
    w_ee, w_ei, w_ie : float
        Weights, mV: within each excitatory population, E to I, and I to E (the sign comes
        from the source). Defaults 0.12, 0.1, 0.2 (the threshold is 1 mV).
    p : float
        Connection probability of every projection. Default 0.2.
    delay : float
        ms, >= 0.1 (one step). Default 1.
    n, n_inh : int
        Sizes of each excitatory population and of the inhibitory one. Defaults 100, 50.
    duration : float
        ms. Default 300.
    seed : int
        Seed of connectivity and noise. Default 0.
    clamp : bool
        Use the report's LIF (forward Euler, clamped at rest so inhibition cannot push
        below 0 mV) instead of the real one. Default False.
    random_start : bool
        Start every neuron at a potential drawn uniformly between rest and 95 % of the way
        to threshold (``u_init=sl.Uniform(...)``, from ``seed``) rather than all at rest,
        which would make the first spikes one synchronous volley. Default True.
    record : see :meth:`snnlab.Network.run`
        Default "auto".

    Returns
    -------
    Result
        Populations "E1", "E2" and "I".
    """
    owner = "competition"
    bias = check.real(owner, "bias", bias, "nA")
    input = check.real(owner, "input", input, "nA")
    model = LIF.assignment() if clamp else LIF()
    net = Network(dt=DT, seed=seed)
    start = Uniform(model.u_rest, model.u_rest + 0.95 * (model.threshold - model.u_rest)) if random_start else None

    def drive(mean):
        return Constant(mean) + Noise(0.0, noise)

    e1 = net.add_population("E1", n, "excitatory", current=drive(input + bias / 2), model=model, u_init=start)
    e2 = net.add_population("E2", n, "excitatory", current=drive(input - bias / 2), model=model, u_init=start)
    inh = net.add_population("I", n_inh, "inhibitory", current=drive(input_inh), model=model, u_init=start)
    for exc in (e1, e2):
        net.connect(exc, exc, rule="fixed_probability", p=p, weight=w_ee, delay=delay)
        net.connect(exc, inh, rule="fixed_probability", p=p, weight=w_ei, delay=delay)
        net.connect(inh, exc, rule="fixed_probability", p=p, weight=w_ie, delay=delay)
    return net.run(duration, record=record)


def decide(result: Result, window: float = 20.0, margin: float = 5.0) -> analysis.Decision:
    """Who won a :func:`competition`, and when: :func:`snnlab.decision` on E1 against E2
    (rates over a sliding ``window`` of ms; the winner ends ahead by ``margin`` Hz)."""
    return analysis.decision(result, "E1", "E2", window=window, margin=margin)


@dataclass(frozen=True, eq=False)
class WinFraction:
    """Outcomes of :func:`competition` over seeds, per bias (made by :func:`win_fraction`).

    Attributes
    ----------
    biases : ndarray (k,), nA
    n_seeds : int
    e1, e2, undecided : ndarray (k,)
        Fraction of the seeds in which E1 won, E2 won, neither.
    decision_time : ndarray (k,), ms
        Median decision time of the decided runs (NaN if none decided).
    """

    biases: np.ndarray
    n_seeds: int
    e1: np.ndarray
    e2: np.ndarray
    undecided: np.ndarray
    decision_time: np.ndarray


def win_fraction(biases, seeds=range(10), window: float = 20.0, margin: float = 5.0, **params) -> WinFraction:
    """Run :func:`competition` for every bias and seed; count who wins.

    Parameters
    ----------
    biases : sequence of float
        nA.
    seeds : sequence of int
        One run per seed and bias (the same seeds for every bias). Default 0..9.
    window, margin : float
        Passed to :func:`decide`.
    **params
        Any other parameter of :func:`competition` (input, noise, weights, p, delay, ...).

    Returns
    -------
    WinFraction
    """
    biases = np.atleast_1d(np.asarray(biases, dtype=float))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("win_fraction.seeds: must hold at least one seed (got none)")
    wins = np.zeros((biases.size, 3))
    times = np.full(biases.size, math.nan)
    for i, bias in enumerate(biases):
        decided = []
        for seed in seeds:
            outcome = decide(competition(bias=float(bias), seed=seed, record=None, **params), window, margin)
            wins[i, {"E1": 0, "E2": 1, None: 2}[outcome.winner]] += 1
            if outcome.decision_time is not None:
                decided.append(outcome.decision_time)
        if decided:
            times[i] = float(np.median(decided))
    wins /= len(seeds)
    return WinFraction(biases, len(seeds), wins[:, 0], wins[:, 1], wins[:, 2], times)


# -- drawing ----------------------------------------------------------------------------------------------
def unconnected(n: int = 100, e1_slope: float = 3.0, e2_high: float = 5.5, i_current: float = 3.0,
                duration: float = 80.0, seed: int = 0) -> Result:
    """The report's inputs on unconnected populations (no synapses, no coupling): E1 as its
    code runs it ("written", late binding) and as meant ("meant"), E2 and I, with their
    currents recorded, so each neuron's rate shows what its input alone does."""
    written = report_currents(n, e1_slope, True, e2_high, i_current)
    meant = report_currents(n, e1_slope, False, e2_high, i_current)
    net = Network(dt=DT, seed=seed)
    net.add_population("written", n, "excitatory", current=written["E1"])
    net.add_population("meant", n, "excitatory", current=meant["E1"])
    net.add_population("E2", n, "excitatory", current=meant["E2"])
    net.add_population("I", n, "inhibitory", current=meant["I"])
    return net.run(duration, record="all")


def draw_currents(axes, result: Result) -> None:
    """Two axes for an :func:`unconnected` run: the current each neuron gets (E1 as written
    and as meant, E2's range, I) and the firing rate each neuron reaches with it alone."""
    ax_i, ax_r = axes
    n = result.size("meant")
    index = np.arange(n)
    written, meant, i_current = (result.current(label)[0] for label in ("written", "meant", "I"))
    e2_high = next(p["current"]["high"] for p in result.params["populations"] if p["label"] == "E2")
    slope = meant[1] - meant[0] if n > 1 else meant[0]
    ax_i.plot(index, written, color=E1_COLOR, linestyle="--", linewidth=1.5,
              label=f"E1 as written: {slope:g}·{n - 1} = {written[0]:g} nA for all")
    ax_i.plot(index, meant, color=E1_COLOR, linewidth=1.5, label=f"E1 as meant: {slope:g}·i nA")
    ax_i.fill_between(index, 0.0, e2_high, color=E2_COLOR, alpha=0.35, linewidth=0,
                      label=f"E2: uniform in [0, {e2_high:g}) nA, redrawn every step")
    ax_i.plot(index, i_current, color=plotting.INH_COLOR, linewidth=1.5, label=f"I: {i_current[0]:g} nA")
    hline(ax_i, result.model("meant").rheobase, color="0.3", linestyle=":", linewidth=1.0, label="rheobase (1 nA)")
    ax_i.set_yscale("symlog", linthresh=1.0)
    ax_i.set_ylim(0.0, 3e4)
    ax_i.set_xlabel("neuron index i")
    ax_i.set_ylabel("input current (nA)")
    ax_i.set_title("the report's inputs", fontsize="medium")
    add_legend(ax_i, loc="upper center", ncol=2, fontsize="small", framealpha=0.95)
    ax_r.plot(index, result.firing_rate("written"), color=E1_COLOR, linestyle="--", linewidth=1.5,
              label="E1 as written")
    ax_r.plot(index, result.firing_rate("meant"), color=E1_COLOR, linewidth=1.5, label="E1 as meant")
    ax_r.plot(index, result.firing_rate("E2"), color=E2_COLOR, marker=".", linestyle="none", label="E2")
    ax_r.plot(index, result.firing_rate("I"), color=plotting.INH_COLOR, linewidth=1.5, label="I")
    hline(ax_r, 1000.0 / result.dt, color="0.3", linestyle=":", linewidth=1.0, label="one spike per step (1/dt)")
    ax_r.set_yscale("symlog", linthresh=10.0)
    ax_r.set_ylim(0.0, 3e5)
    ax_r.set_xlabel("neuron index i")
    ax_r.set_ylabel("firing rate (Hz)")
    ax_r.set_title("alone (no synapses), real LIF", fontsize="medium")
    add_legend(ax_r, loc="upper center", ncol=3, fontsize="small", framealpha=0.95)


def _recolor_rates(ax) -> None:
    """Give E1 and E2 their own shades of red in a plot_population_rate axes."""
    for line in ax.get_lines():
        label = line.get_label().split(" ")[0]
        if label in POP_COLORS:
            line.set_color(POP_COLORS[label])
    add_legend(ax, loc="upper right", fontsize="small")


def draw_three_populations(result: Result, ax_raster, ax_rate) -> None:
    """Raster and population rates (1-ms bins) of a :func:`three_populations` run; with the
    report's population coupling, ticks under the raster mark its events (from the couplings
    the result was run with)."""
    plotting.plot_raster(result, ax=ax_raster)
    ax_raster.set_xlabel("")
    ax_raster.tick_params(labelbottom=False)
    couplings = result.params["couplings"]
    for i, c in enumerate(couplings):
        label, every = c["pre"], c["every"]
        events = coupling_events(result, label, every)
        ax_raster.plot(events, np.full(events.size, -8.0 - 12.0 * i), marker="|", linestyle="none", markersize=7,
                       markeredgewidth=1.2, color=POP_COLORS[label], label=f"{label} event (each {every} spikes)")
    if couplings:
        add_legend(ax_raster, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, fontsize="small")
    ax_raster.set_ylim(-28.0, result.n - 0.5)
    ax_raster.set_yticks([t for t in ax_raster.get_yticks() if 0 <= t < result.n])
    plotting.plot_population_rate(result, bin=1.0, ax=ax_rate, legend=False)
    _recolor_rates(ax_rate)


def coupling_title(result: Result) -> str:
    """How E1 and E2 drive I in a :func:`three_populations` run, from its parameters."""
    if result.params["couplings"]:
        c = result.params["couplings"][0]
        return f"population coupling: every {c['every']} spikes, {c['effect']:g} mV to every neuron of I"
    p = next(p for p in result.params["projections"] if p["pre"] == ["E1"] and p["post"] == ["I"])
    return f"synapses: p = {p['p']:g}, {p['weight']:g} mV each"


def draw_couplings(fig, runs: dict) -> None:
    """:func:`draw_three_populations` of several runs side by side (rasters above, rates below),
    each titled by its coupling (:func:`coupling_title`); ``runs`` maps a name to a Result."""
    axes = plotting.reuse_layout(fig, Figure.subplots, 2, len(runs), sharex=True, squeeze=False,
                                 height_ratios=(1.6, 1.0))
    for column, result in enumerate(runs.values()):
        draw_three_populations(result, axes[0, column], axes[1, column])
        axes[1, column].set_title(coupling_title(result), fontsize="medium")


def draw_competition_figure(fig, result: Result, outcome: analysis.Decision | None = None,
                            **margins) -> analysis.Decision:
    """:func:`draw_competition` (left) and :func:`draw_trajectory` (right) of a
    :func:`competition` run in ``fig``; ``outcome`` defaults to :func:`decide`, and is returned.

    ``margins`` (``left``, ``right``, ``bottom``, ``top``, ``wspace``, ``hspace``, fractions of
    the figure) place the axes in a figure without a layout engine, a slider panel's (see
    :func:`snnlab.widgets.fixed_grid`); leave them out for a constrained-layout figure.
    :func:`update_competition_figure` puts another run of the same network into this drawing.
    """
    outcome = outcome if outcome is not None else decide(result)
    ax_raster, ax_rate, ax_trajectory = plotting.reuse_layout(fig, _competition_axes, **margins)
    draw_competition(result, outcome, ax_raster, ax_rate)
    draw_trajectory(outcome, ax_trajectory)
    fig._snnlab_competition = _CompetitionDrawing(result, outcome, ax_raster, ax_rate, ax_trajectory)
    return outcome


def update_competition_figure(fig, result: Result, outcome: analysis.Decision | None = None
                              ) -> analysis.Decision | None:
    """Put ``result`` into the drawing :func:`draw_competition_figure` left in ``fig``: the same
    picture as drawing it afresh, for a fraction of the time (a slider panel's frames: its lines
    get the new data, its legends the new decision time). Returns the outcome, or None where
    the drawing cannot take this run (none there, other populations or sizes, another duration or
    window): draw it afresh then."""
    drawing = getattr(fig, "_snnlab_competition", None)
    outcome = outcome if outcome is not None else decide(result)
    if drawing is None or not drawing.takes(result, outcome):
        return None
    ax_rate, ax = drawing.ax_rate, drawing.ax_trajectory
    top = _trajectory_top(outcome, ax)
    if top != drawing.top:  # the regions and the diagonal, to the new end of the axes
        drawing.top = top
        margin = outcome.margin
        drawing.e2_ahead.set_data([0, top], [margin, top + margin], top)
        drawing.e1_ahead.set_data([0, top], 0, [-margin, top - margin])
        drawing.diagonal.set_data([0, top], [0, top])
    offset = 0  # plot_raster's: populations stacked from the bottom, in the result's order
    for line, label in zip(drawing.raster_lines, result.labels, strict=True):
        times, neurons = result.spikes(label)
        line.set_data(times, neurons + offset)
        offset += result.size(label)
    for line, values in zip(drawing.rate_lines, _rate_traces(result, outcome), strict=True):
        line.set_data(outcome.time, values)
    drawing.decision_line = _decision_line(outcome, ax_rate, drawing.decision_line)
    _rate_limits(ax_rate)
    _replace_legend(ax_rate, loc="upper left", fontsize="small", ncol=4)
    a, b = np.asarray(outcome.smoothed_a), np.asarray(outcome.smoothed_b)
    drawing.path.set_data(a, b)
    drawing.start.set_data(a[:1], b[:1])
    drawing.end.set_data(a[-1:], b[-1:])
    drawing.star = _decision_star(outcome, ax, a, b, drawing.star)
    ax.set_ylim(0.0, top)
    _replace_legend(ax, loc="lower left", bbox_to_anchor=(0.0, 1.02), fontsize="small", frameon=False)
    drawing.result, drawing.outcome = result, outcome
    return outcome


def _competition_axes(fig, **margins) -> tuple:
    """Raster above rates (sharing time) on the left, the trajectory on the right."""
    grid = fig.add_gridspec(2, 2, width_ratios=(1.8, 1.0), height_ratios=(1.3, 1.0), **margins)
    ax_raster = fig.add_subplot(grid[0, 0])
    return ax_raster, fig.add_subplot(grid[1, 0], sharex=ax_raster), fig.add_subplot(grid[:, 1])


class _CompetitionDrawing:
    """The artists :func:`draw_competition_figure` drew, for :func:`update_competition_figure`."""

    def __init__(self, result, outcome, ax_raster, ax_rate, ax_trajectory):
        self.result, self.outcome = result, outcome
        self.ax_rate, self.ax_trajectory = ax_rate, ax_trajectory
        self.raster_lines = [line for line in ax_raster.lines if isinstance(line, Dots)]  # one per population
        self.rate_lines = ax_rate.lines[:3]
        self.decision_line = ax_rate.lines[3] if len(ax_rate.lines) > 3 else None
        self.e2_ahead, self.e1_ahead = ax_trajectory.collections[:2]  # the regions, then the lines:
        lines = ax_trajectory.lines  # the diagonal, the path, start, end, and the decision's star
        self.diagonal, self.path, self.start, self.end = lines[:4]
        self.star = lines[4] if len(lines) > 4 else None
        self.top = ax_trajectory.get_xlim()[1]

    def takes(self, result: Result, outcome) -> bool:
        """Whether a drawing of ``result`` would have these axes, lines and labels."""
        old = self.result
        artists = [*self.raster_lines, *self.rate_lines, self.e2_ahead, self.e1_ahead, self.diagonal, self.path,
                   self.start, self.end]
        return (result.labels == old.labels and all(result.size(lb) == old.size(lb) for lb in old.labels)
                and all(result.kind(lb) == old.kind(lb) for lb in old.labels)
                and result.duration == old.duration and len(self.raster_lines) == len(old.labels)
                and outcome.window == self.outcome.window and outcome.margin == self.outcome.margin
                and np.array_equal(outcome.time, self.outcome.time)
                and all(artist.axes is not None for artist in artists))


def draw_competition(result: Result, outcome: analysis.Decision, ax_raster, ax_rate) -> None:
    """Raster, and the smoothed population rates (the sliding window the decision uses)
    with the decision time."""
    plotting.plot_raster(result, ax=ax_raster)
    ax_raster.set_xlabel("")
    ax_raster.tick_params(labelbottom=False)
    a, b, i = _rate_traces(result, outcome)
    ax_rate.plot(outcome.time, a, color=E1_COLOR, linewidth=1.5, label="E1")
    ax_rate.plot(outcome.time, b, color=E2_COLOR, linewidth=1.5, linestyle="--", label="E2")
    ax_rate.plot(outcome.time, i, color=plotting.INH_COLOR, linewidth=1.0, label="I")
    _decision_line(outcome, ax_rate, None)
    ax_rate.set_xlim(0.0, result.duration)
    _rate_limits(ax_rate)
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel(f"rate, last {outcome.window:g} ms (Hz)")
    add_legend(ax_rate, loc="upper left", fontsize="small", ncol=4)


def _rate_traces(result: Result, outcome: analysis.Decision) -> tuple:
    """E1's, E2's and I's rates over the decision's sliding window (Hz)."""
    return outcome.smoothed_a, outcome.smoothed_b, analysis.sliding_rate(result, "I", outcome.window)


def _decision_line(outcome: analysis.Decision, ax, line):
    """The dotted line at the decision time (``line`` moved, or a new one, or none without a
    decision); returned."""
    if outcome.decision_time is None:
        if line is not None:
            line.remove()
        return None
    label = f"{outcome.winner} wins at {outcome.decision_time:.0f} ms"
    if line is None:
        return vline(ax, outcome.decision_time, color="black", linestyle=":", linewidth=1.2, label=label)
    line.set_xdata([outcome.decision_time, outcome.decision_time])
    line.set_label(label)
    return line


def _rate_limits(ax_rate) -> None:
    """Rates from 0 to 1.45 times the highest (room for the legend above the traces), rounded."""
    highest = max([float(np.max(line.get_ydata(), initial=0.0)) for line in ax_rate.get_lines()] + [10.0])
    ax_rate.set_ylim(0.0, 1.45 * highest)
    plotting.round_limits(ax_rate, "y")  # still while a slider moves the traces a little


def _replace_legend(ax, **kwargs) -> None:
    """The axes' legend made again for its lines' labels now (the same one, if they are the same)."""
    ax.get_legend().remove()
    add_legend(ax, **kwargs)


def draw_trajectory(outcome: analysis.Decision, ax) -> None:
    """E2's rate against E1's over the run (sliding-window rates), with the diagonal of
    equal rates and the regions where one population is ahead by the decision's margin."""
    a, b = np.asarray(outcome.smoothed_a), np.asarray(outcome.smoothed_b)
    top = _trajectory_top(outcome, ax)
    margin = outcome.margin
    ax.fill_between([0, top], [margin, top + margin], top, color=E2_COLOR, alpha=0.15, linewidth=0)
    ax.fill_between([0, top], 0, [-margin, top - margin], color=E1_COLOR, alpha=0.12, linewidth=0)
    ax.text(0.04, 0.96, f"E2 ahead by\n> {margin:g} Hz", transform=ax.transAxes, ha="left", va="top",
            fontsize="small", color=E2_COLOR)
    ax.text(0.97, 0.5, f"E1 ahead by\n> {margin:g} Hz", transform=ax.transAxes, ha="right", va="center",
            fontsize="small", color=E1_COLOR)
    ax.plot([0, top], [0, top], color="0.5", linestyle=":", linewidth=1.0)
    ax.plot(a, b, color="black", linewidth=0.8)
    ax.plot(a[:1], b[:1], marker="o", color="black", linestyle="none", label=f"start ({outcome.time[0]:g} ms)")
    ax.plot(a[-1:], b[-1:], marker="s", color="black", linestyle="none", label=f"end ({outcome.time[-1]:g} ms)")
    _decision_star(outcome, ax, a, b, None)
    ax.set_xlim(0.0, top)
    ax.set_ylim(0.0, top)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"E1 rate, last {outcome.window:g} ms (Hz)")
    ax.set_ylabel(f"E2 rate, last {outcome.window:g} ms (Hz)")
    # above the axes: every corner inside is a region's name or where a trajectory may run
    add_legend(ax, loc="lower left", bbox_to_anchor=(0.0, 1.02), fontsize="small", frameon=False)


def _trajectory_top(outcome: analysis.Decision, ax) -> float:
    """Both rate axes' end: 1.1 times the highest rate (at least 11 Hz), widened to a tick, so
    that a slider moving the path a little leaves it; the x axis is set to it."""
    a, b = np.asarray(outcome.smoothed_a), np.asarray(outcome.smoothed_b)
    ax.set_xlim(0.0, max(float(a.max(initial=0.0)), float(b.max(initial=0.0)), 10.0) * 1.1)
    return plotting.round_limits(ax, "x").get_xlim()[1]


def _decision_star(outcome: analysis.Decision, ax, a, b, star):
    """The star where the trajectory stands at the decision time (``star`` moved, or a new one,
    or none without a decision); returned."""
    if outcome.decision_time is None:
        if star is not None:
            star.remove()
        return None
    k = int(np.searchsorted(outcome.time, outcome.decision_time))
    label = f"decision ({outcome.decision_time:.0f} ms)"
    if star is None:
        return ax.plot(a[k:k + 1], b[k:k + 1], marker="*", markersize=13, color="gold", markeredgecolor="black",
                       linestyle="none", label=label)[0]
    star.set_data(a[k:k + 1], b[k:k + 1])
    star.set_label(label)
    return star


def draw_win_fraction(wins: WinFraction, ax_frac, ax_time=None) -> None:
    """Fraction of wins of E1 and E2 against the bias; optionally the median decision time."""
    ax_frac.plot(wins.biases, wins.e1, color=E1_COLOR, marker="o", linewidth=1.5, label="E1 wins")
    ax_frac.plot(wins.biases, wins.e2, color=E2_COLOR, marker="s", linestyle="--", linewidth=1.5, label="E2 wins")
    if np.any(wins.undecided > 0):
        ax_frac.plot(wins.biases, wins.undecided, color="0.5", marker=".", linestyle=":", label="undecided")
    vline(ax_frac, 0.0, color="0.6", linewidth=0.8)
    hline(ax_frac, 0.5, color="0.6", linewidth=0.8)
    ax_frac.set_ylim(-0.03, 1.03)
    ax_frac.set_xlabel("bias, input to E1 minus input to E2 (nA)")
    ax_frac.set_ylabel(f"fraction of {wins.n_seeds} seeds")
    add_legend(ax_frac, loc="center right", fontsize="small")
    if ax_time is not None:
        ax_time.plot(wins.biases, wins.decision_time, color="black", marker="o", linewidth=1.2,
                     label="median over decided seeds")
        vline(ax_time, 0.0, color="0.6", linewidth=0.8)
        ax_time.set_ylim(bottom=0.0)
        ax_time.set_xlabel("bias (nA)")
        ax_time.set_ylabel("decision time (ms)")
        add_legend(ax_time, loc="upper right", fontsize="small")


# -- the notebook's main figures ------------------------------------------------------------------------
#: The readable variant of the report's set-up used in the notebook's figures and panel.
SCALED = {"e1_slope": 0.03, "within": False}
#: Biases (nA) and seeds of the win-fraction figure.
WIN_BIASES = (-0.15, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15)
WIN_SEEDS = range(12)


def figures() -> dict:
    """The notebook's main figures: the report's inputs, the three populations under both
    couplings, one competition, and the fraction of wins against the bias."""
    import matplotlib.pyplot as plt

    out = {}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    draw_currents(axes, unconnected())
    out["report_inputs"] = fig

    fig = plt.figure(figsize=(12, 6.5), layout="constrained")
    draw_couplings(fig, {coupling: three_populations(coupling=coupling, **SCALED) for coupling in COUPLINGS})
    out["three_populations"] = fig

    fig = plt.figure(figsize=(12, 5.5), layout="constrained")
    draw_competition_figure(fig, competition())
    out["competition"] = fig

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), layout="constrained")
    draw_win_fraction(win_fraction(WIN_BIASES, WIN_SEEDS), axes[0], axes[1])
    out["win_fraction"] = fig
    return out
