"""Notebook 04: Brunel's (2000) sparse network of excitatory and inhibitory LIF neurons.

Model A of Brunel (2000, J Comput Neurosci 8:183): ``N_E`` excitatory and
``N_I = gamma * N_E`` inhibitory LIF neurons (``tau = 20`` ms, threshold
``theta = 20`` mV, reset ``V_r = 10`` mV, refractory period 2 ms, rest 0 mV). Every
neuron receives exactly ``C_E = epsilon * N_E`` excitatory and ``C_I = epsilon * N_I``
inhibitory synapses (fixed in-degree), of ``J`` and ``-g * J`` mV, all with delay
``D`` ms, and ``C_E`` independent external Poisson trains of ``nu_ext`` Hz, each spike
``J`` mV. The external rate is given relative to

.. math:: \\nu_{thr} = \\frac{\\theta}{J\\, C_E\\, \\tau},

the rate that brings the mean membrane to threshold without recurrent input. Brunel's
four states: synchronous regular (SR, excitation dominates, g < 4), asynchronous
irregular (AI), and synchronous irregular with fast (SI-fast) or slow (SI-slow)
population oscillations.

Units: time ms, potential mV, rates Hz. Everything random derives from ``seed``.

The notebook's map of the states at Brunel's size (N_E = 10 000, J = 0.1 mV) is saved in
``snnlab/data/brunel_state_map.json`` (:func:`load_state_map`); ``benchmarks/brunel_state_map.py``
regenerates it with :func:`state_map`.

Example
-------
A small network (1000 + 250 neurons) with ``J = 100 mV / C_E`` at Brunel's AI point, and the
state the saved full-size map gives there:

>>> from snnlab.experiments import balanced
>>> res = balanced.brunel(g=5.0, nu_ext_ratio=2.0, n_exc=1000, J=None, duration=200.0)
>>> state = balanced.measure_state(res)
>>> state.label, round(state.rate), round(state.cv, 1)
('AI', 59, 0.7)
>>> balanced.load_state_map().label_at(5.0, 2.0)
'AI'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .. import _checks as check
from .. import analysis
from ..connectivity import Uniform
from ..network import Network
from ..neurons import LIF
from ..plotting import add_legend, vline
from ..results import Result

__all__ = [
    "CV_IRREGULAR",
    "EXAMPLES",
    "EXAMPLE_N_EXC",
    "FAST_HZ",
    "MAP_FILE",
    "MAP_GS",
    "MAP_MEASURES",
    "MAP_N_EXC",
    "MAP_RATIOS",
    "MODULATION_SLOW",
    "MODULATION_SYNC",
    "PEAK_FRACTION_FAST",
    "QUIET_HZ",
    "RASTER_NEURONS",
    "SR_CYCLES",
    "STATES",
    "STATE_NAMES",
    "BrunelState",
    "StateMap",
    "brunel",
    "brunel_model",
    "classify_state",
    "coupling_numbers",
    "draw_cv_histogram",
    "draw_examples",
    "draw_state",
    "draw_state_map",
    "figures",
    "load_state_map",
    "measure_state",
    "nu_threshold",
    "save_state_map",
    "state_map",
    "zoom_window",
]

#: Brunel's model A: membrane time constant (ms), threshold, reset (mV), refractory period (ms).
TAU = 20.0
THETA = 20.0
V_RESET = 10.0
REFRACTORY = 2.0
#: Brunel's J * C_E (mV): 0.1 mV x 1000 synapses. ``brunel(J=None)`` keeps it at smaller sizes.
J_TIMES_C_E = 100.0

# -- the state criteria (documented in classify_state) --------------------------------------------
#: Below this mean rate (Hz) the network is called quiescent.
QUIET_HZ = 1.0
#: Mean CV of the ISIs at or above which single neurons count as irregular.
CV_IRREGULAR = 0.3
#: Excess modulation of the population rate at or above which a regular network is synchronous.
MODULATION_SYNC = 0.5
#: Excess modulation at or above which an oscillation below FAST_HZ is a slow synchronous state.
MODULATION_SLOW = 0.85
#: In SR every neuron fires in (nearly) every cycle: the rhythm is at most this many times the rate.
SR_CYCLES = 1.5
#: Fraction of the population rate's power near its spectral peak that makes an irregular state SI-fast.
PEAK_FRACTION_FAST = 0.6
#: Peak frequency (Hz) separating fast from slow population oscillations.
FAST_HZ = 100.0
#: The labels classify_state can return, in the order the map's colours use.
STATES = ("SR", "AR", "AI", "SI-fast", "SI-slow", "quiescent")
#: Colours of the states on the map: neither red nor blue, which mean excitatory and inhibitory
#: everywhere else in the course.
STATE_COLORS = {"SR": "#7b3294", "AR": "#c2a5cf", "AI": "#1a9641", "SI-fast": "#fdb863", "SI-slow": "#8c510a",
                "quiescent": "0.85"}
STATE_NAMES = {"SR": "synchronous regular", "AR": "asynchronous regular", "AI": "asynchronous irregular",
               "SI-fast": "synchronous irregular, fast", "SI-slow": "synchronous irregular, slow",
               "quiescent": "quiescent"}


# -- the network --------------------------------------------------------------------------------------
def brunel_model() -> LIF:
    """Brunel's neuron: tau = 20 ms (R = 1 MΩ, C = 20 nF), rest 0 mV, threshold 20 mV,
    reset 10 mV, refractory 2 ms, exact integration."""
    return LIF(u_rest=0.0, threshold=THETA, u_reset=V_RESET, R=1.0, C=TAU, refractory=REFRACTORY)


def nu_threshold(J: float, c_exc: int, tau: float = TAU, theta: float = THETA) -> float:
    """External rate per source (Hz) that brings the mean membrane to threshold:
    ``theta / (J * C_E * tau)``, with tau in ms converted to s."""
    return 1000.0 * theta / (J * c_exc * tau)


def coupling_numbers(n_exc: int = 10000, epsilon: float = 0.1, gamma: float = 0.25, J: float | None = None) -> dict:
    """Sizes and weights :func:`brunel` uses.

    Returns
    -------
    dict
        ``n_exc``, ``n_inh``, ``c_exc``, ``c_inh`` (synapses per neuron), ``J`` (mV) and
        ``nu_thr`` (Hz per external source).
    """
    owner = "brunel"
    n_exc = check.integer(owner, "n_exc", n_exc, minimum=4)
    epsilon = check.probability(owner, "epsilon", epsilon)
    gamma = check.positive(owner, "gamma", gamma, "")
    n_inh = max(1, round(gamma * n_exc))
    c_exc = round(epsilon * n_exc)
    c_inh = round(epsilon * n_inh)
    if c_exc < 1:
        raise ValueError(f"{owner}.epsilon: epsilon * n_exc must give at least one synapse (got {epsilon!r} * {n_exc})")
    if J is None:
        J = J_TIMES_C_E / c_exc
    J = check.positive(owner, "J", J, "mV")
    return {"n_exc": n_exc, "n_inh": n_inh, "c_exc": c_exc, "c_inh": c_inh, "J": J,
            "nu_thr": nu_threshold(J, c_exc)}


def brunel(g: float = 5.0, nu_ext_ratio: float = 2.0, n_exc: int = 10000, epsilon: float = 0.1,
           J: float | None = 0.1, D: float = 1.5, gamma: float = 0.25, duration: float = 300.0, seed: int = 0,
           dt: float = 0.1, random_start: bool = True, record=None) -> Result:
    """Brunel's (2000) model A, simulated for ``duration`` ms.

    Parameters
    ----------
    g : float
        Relative strength of inhibition: each inhibitory synapse is ``-g * J`` mV, >= 0.
        g = 4 balances excitation and inhibition when ``gamma = 0.25``. Default 5.
    nu_ext_ratio : float
        External rate per source in units of ``nu_thr = theta / (J * C_E * tau)``, >= 0.
        Default 2.
    n_exc : int
        Number of excitatory neurons ``N_E``; ``N_I = gamma * N_E``. Default 10000 (Brunel's).
    epsilon : float
        Connection probability: ``C_E = epsilon * N_E``, ``C_I = epsilon * N_I`` synapses
        per neuron, exactly (fixed in-degree, no autapses, no repeated pairs). Default 0.1.
    J : float or None
        Excitatory weight, mV. Default 0.1 (Brunel's). None: ``100 mV / C_E``, which keeps
        Brunel's ``J * C_E`` (the mean recurrent input per unit rate) in a smaller network.
    D : float
        Synaptic delay, ms (whole steps of dt). Default 1.5.
    gamma : float
        ``N_I / N_E``. Default 0.25.
    duration : float
        ms. Default 300. The first ~100 ms are a transient.
    seed : int
        Seed of the connectivity, the Poisson input and the initial potentials. Default 0.
    dt : float
        Time step, ms. Default 0.1.
    random_start : bool
        Start each neuron at a potential drawn uniformly between rest (0 mV) and 95 % of
        the threshold (``u_init=sl.Uniform(0, 19)``, from ``seed``). Default True.
        False: all start at rest, and their first spikes come in one synchronous volley.
    record : see :meth:`snnlab.Network.run`
        Default None: spikes only.

    Returns
    -------
    Result
        Populations "E" (excitatory) and "I" (inhibitory).
    """
    owner = "brunel"
    g = check.non_negative(owner, "g", g, "")
    nu_ext_ratio = check.non_negative(owner, "nu_ext_ratio", nu_ext_ratio, "")
    numbers = coupling_numbers(n_exc, epsilon, gamma, J)
    J = numbers["J"]
    model = brunel_model()
    net = Network(dt=dt, seed=seed)
    start = Uniform(0.0, 0.95 * THETA) if random_start else None
    exc = net.add_population("E", numbers["n_exc"], "excitatory", model=model, u_init=start)
    inh = net.add_population("I", numbers["n_inh"], "inhibitory", model=model, u_init=start)
    net.connect(exc, [exc, inh], rule="fixed_indegree", k=numbers["c_exc"], weight=J, delay=D)
    if numbers["c_inh"] > 0 and g > 0:
        net.connect(inh, [exc, inh], rule="fixed_indegree", k=numbers["c_inh"], weight=g * J, delay=D)
    rate = nu_ext_ratio * numbers["nu_thr"]
    if rate > 0:
        for pop in (exc, inh):
            net.add_poisson_input(pop, rate=rate, weight=J, n_sources=numbers["c_exc"])
    return net.run(duration, record=record)


# -- measuring the state --------------------------------------------------------------------------------
@dataclass(frozen=True)
class BrunelState:
    """Measures of the excitatory population after the transient, and the state they give.

    Attributes
    ----------
    rate : float
        Mean rate, Hz (spikes after ``start`` per neuron per second).
    cv : float
        Mean CV of the inter-spike intervals after ``start`` over the neurons with at least
        3 spikes there (NaN if none).
    fano : float
        Fano factor of the population spike count in 1-ms bins (:func:`snnlab.spike_synchrony`).
    modulation : float
        Excess modulation of the population rate, ``sqrt(max(F - 1, 0) / m)`` with m the mean
        count per bin: the standard deviation of the population rate over its mean, once
        the counting noise of independent neurons (variance = mean) is taken out. It does
        not grow with the network's size the way the Fano factor does: about 0.5 or less
        for asynchronous activity in these networks, 1 or more when the population fires
        in volleys.
    peak_frequency : float
        Frequency (Hz) of the largest peak of the population rate's power spectrum.
    peak_fraction : float
        Fraction of that spectrum's power within ±20 % of the peak frequency (a sharp,
        periodic oscillation puts most of its power there; broadband noise does not).
    label : str
        One of :data:`STATES` (see :func:`classify_state`).
    """

    rate: float
    cv: float
    fano: float
    modulation: float
    peak_frequency: float
    peak_fraction: float
    label: str


def classify_state(rate: float, cv: float, modulation: float, peak_frequency: float, peak_fraction: float) -> str:
    """The state label from the measures of :class:`BrunelState`, by these rules in order:

    1. ``rate < QUIET_HZ`` (1 Hz): "quiescent";
    2. "SR" if the neurons are regular (``cv < CV_IRREGULAR``, 0.3), the population rate
       is modulated (``modulation >= MODULATION_SYNC``, 0.5) and its rhythm is the neurons'
       own (``peak_frequency <= SR_CYCLES * rate``, 1.5: each neuron fires in most cycles);
    3. "SI-slow" if the population fires in strong volleys (``modulation >= MODULATION_SLOW``,
       0.85) at a slow rhythm (``peak_frequency < FAST_HZ``, 100 Hz); single neurons fire
       in few of the cycles, so their CV, from few spikes, is not used here;
    4. "SI-fast" if the neurons are irregular (``cv >= 0.3``) and the population rate has a
       sharp fast rhythm (``peak_fraction >= PEAK_FRACTION_FAST``, 0.6, and
       ``peak_frequency >= FAST_HZ``);
    5. "AR" if the neurons are regular (``cv < 0.3``) and nothing above applies;
    6. "AI" otherwise: irregular neurons, no strong or sharp population rhythm.
    """
    if not rate >= QUIET_HZ:
        return "quiescent"
    regular = math.isnan(cv) or cv < CV_IRREGULAR
    if regular and modulation >= MODULATION_SYNC and peak_frequency <= SR_CYCLES * rate:
        return "SR"
    if modulation >= MODULATION_SLOW and peak_frequency < FAST_HZ:
        return "SI-slow"
    if not regular and peak_fraction >= PEAK_FRACTION_FAST and peak_frequency >= FAST_HZ:
        return "SI-fast"
    return "AR" if regular else "AI"


def measure_state(result: Result, label: str = "E", start: float = 100.0) -> BrunelState:
    """Measure a Brunel run's excitatory population after ``start`` ms and classify it.

    Parameters
    ----------
    result : Result
        From :func:`brunel`.
    label : str
        Population to measure. Default "E".
    start : float
        Ignore everything before this time, ms (the transient from rest). Default 100;
        must leave at least 20 ms.

    Returns
    -------
    BrunelState
    """
    owner = "measure_state"
    start = check.non_negative(owner, "start", start, "ms")
    if result.duration - start < 20.0:
        raise ValueError(f"{owner}.start: must leave at least 20 ms of the {result.duration:g} ms run (got {start!r})")
    steps, _ = result.spike_steps(label)
    k0 = int(check.whole_steps(start, result.dt))  # snnlab's one rounding rule, as analysis does
    count = int(np.count_nonzero(np.asarray(steps) >= k0))
    rate = analysis.mean_rate(result, label, start=start)
    cv = analysis.mean_cv_isi(result, label, start=start)
    if count == 0:
        return BrunelState(rate, cv, math.nan, 0.0, math.nan, 0.0, classify_state(rate, cv, 0.0, math.nan, 0.0))
    fano = analysis.spike_synchrony(result, label, bin=1.0, start=start)
    bin_steps = int(check.whole_steps(1.0, result.dt))
    counts = np.bincount((np.asarray(steps)[np.asarray(steps) >= k0] - k0) // bin_steps,
                         minlength=(result.steps - k0) // bin_steps).astype(float)
    counts = counts[: (result.steps - k0) // bin_steps]
    mean = counts.mean()
    modulation = math.sqrt(max(fano - 1.0, 0.0) / mean) if mean > 0 and math.isfinite(fano) else 0.0
    x = counts - mean
    power = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, d=1e-3)
    power, freqs = power[1:], freqs[1:]
    if power.sum() > 0:
        peak = int(np.argmax(power))
        peak_frequency = float(freqs[peak])
        band = (freqs >= 0.8 * peak_frequency) & (freqs <= 1.2 * peak_frequency)
        peak_fraction = float(power[band].sum() / power.sum())
    else:
        peak_frequency, peak_fraction = math.nan, 0.0
    label_ = classify_state(rate, cv, modulation, peak_frequency, peak_fraction)
    return BrunelState(rate, cv, fano, modulation, peak_frequency, peak_fraction, label_)


#: The measures a :class:`StateMap` holds per cell (the label follows from them by :func:`classify_state`).
MAP_MEASURES = ("rate", "cv", "modulation", "peak_frequency", "peak_fraction")


@dataclass(frozen=True, eq=False)
class StateMap:
    """States of the Brunel network over a grid of (g, nu_ext_ratio) (made by :func:`state_map`,
    or read by :func:`load_state_map`).

    ``labels[i, j]`` and the measure arrays belong to ``gs[j]`` and ``ratios[i]`` (rows
    are external rates, columns g, as the map is drawn). The measures are those of
    :class:`BrunelState` (rate in Hz); ``n_exc``, ``J`` (mV; None: ``100 mV / C_E``),
    ``duration`` and ``start`` (ms) and ``seed`` are the runs' parameters.
    """

    gs: np.ndarray
    ratios: np.ndarray
    labels: np.ndarray
    rate: np.ndarray
    cv: np.ndarray
    modulation: np.ndarray
    peak_frequency: np.ndarray
    peak_fraction: np.ndarray
    n_exc: int
    duration: float
    start: float
    J: float | None = None
    seed: int = 0

    def cell(self, g: float, ratio: float) -> tuple:
        """Row and column ``(i, j)`` of the run at ``(g, ratio)``, which must be on the grid."""
        rows, = np.nonzero(np.isclose(self.ratios, ratio))
        columns, = np.nonzero(np.isclose(self.gs, g))
        if rows.size == 0 or columns.size == 0:
            raise ValueError(f"StateMap.cell: (g, ratio) must be on the map's grid, g in "
                             f"{[float(x) for x in self.gs]} and ratio in {[float(x) for x in self.ratios]} "
                             f"(got ({g!r}, {ratio!r}))")
        return int(rows[0]), int(columns[0])

    def label_at(self, g: float, ratio: float) -> str:
        """The state at ``(g, ratio)`` of the grid (see :meth:`cell`)."""
        return str(self.labels[self.cell(g, ratio)])


def state_map(gs, ratios, n_exc: int = 2000, epsilon: float = 0.1, J: float | None = None, D: float = 1.5,
              duration: float = 300.0, start: float = 100.0, seed: int = 0) -> StateMap:
    """Run :func:`brunel` at every (g, nu_ext_ratio) and classify each run.

    Parameters
    ----------
    gs, ratios : sequences of float
        Relative inhibition g and external rate in units of nu_thr.
    n_exc, epsilon, J, D, duration, seed
        As in :func:`brunel`; default a 2000 + 500 network with ``J = 100 mV / C_E``.
    start : float
        Transient to skip before measuring, ms. Default 100.

    Returns
    -------
    StateMap
    """
    gs = np.atleast_1d(np.asarray(gs, dtype=float))
    ratios = np.atleast_1d(np.asarray(ratios, dtype=float))
    shape = (ratios.size, gs.size)
    labels = np.empty(shape, dtype=object)
    arrays = {name: np.full(shape, math.nan) for name in MAP_MEASURES}
    for i, ratio in enumerate(ratios):
        for j, g in enumerate(gs):
            res = brunel(g=g, nu_ext_ratio=ratio, n_exc=n_exc, epsilon=epsilon, J=J, D=D, duration=duration,
                         seed=seed)
            state = measure_state(res, start=start)
            labels[i, j] = state.label
            for name in arrays:
                arrays[name][i, j] = getattr(state, name)
    return StateMap(gs, ratios, labels, n_exc=n_exc, duration=duration, start=start, J=J, seed=seed, **arrays)


def save_state_map(smap: StateMap, path) -> Path:
    """Write a :class:`StateMap`'s grid, measures and run parameters to a JSON file at ``path``.

    The labels are not stored: :func:`load_state_map` derives them from the measures with
    :func:`classify_state`, so the saved map always follows the current criteria. NaN
    measures (a CV without 3 spikes per neuron) are stored as null.
    """
    def column(values):
        return [[None if math.isnan(x) else float(x) for x in row] for row in np.asarray(values, dtype=float)]

    data = {"about": "Brunel (2000) model A over (g, nu_ext / nu_thr): measures of the excitatory population "
                     "(snnlab.experiments.balanced.measure_state); written by benchmarks/brunel_state_map.py",
            "n_exc": int(smap.n_exc), "J": smap.J, "duration": float(smap.duration), "start": float(smap.start),
            "seed": int(smap.seed), "gs": [float(g) for g in smap.gs], "ratios": [float(r) for r in smap.ratios]}
    data.update({name: column(getattr(smap, name)) for name in MAP_MEASURES})
    path = Path(path)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


#: The saved map at Brunel's size, in the package's data (``benchmarks/brunel_state_map.py`` writes it).
MAP_FILE = "brunel_state_map.json"


def load_state_map(path=None) -> StateMap:
    """Read a state map written by :func:`save_state_map`; default the saved map of the
    notebook (:data:`MAP_FILE`: N_E = 10 000, J = 0.1 mV, 300 ms from 100 ms, seed 0, over
    :data:`MAP_GS` x :data:`MAP_RATIOS`). The labels come from :func:`classify_state`."""
    if path is None:
        text = resources.files("snnlab").joinpath("data", MAP_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    arrays = {name: np.array([[math.nan if x is None else x for x in row] for row in data[name]], dtype=float)
              for name in MAP_MEASURES}
    labels = np.vectorize(classify_state, otypes=[object])(*(arrays[name] for name in MAP_MEASURES))
    return StateMap(np.array(data["gs"], dtype=float), np.array(data["ratios"], dtype=float), labels,
                    n_exc=data["n_exc"], duration=data["duration"], start=data["start"], J=data["J"],
                    seed=data["seed"], **arrays)


# -- drawing ----------------------------------------------------------------------------------------------
#: Brunel's (2000, Fig. 2) four example points: state -> (g, nu_ext / nu_thr).
EXAMPLES = {"SR": (3.0, 2.0), "SI-fast": (6.0, 4.0), "AI": (5.0, 2.0), "SI-slow": (4.5, 0.9)}
#: Network size of the example figure (N_E; N_I = N_E / 4, J = 100 mV / C_E): Brunel's own,
#: N_E = 10 000 with J = 0.1 mV. Smaller networks, with larger J, are noisier and can land
#: in another state (at N_E = 2000 the SI-fast point is AI).
EXAMPLE_N_EXC = 10000
#: The state map's grid (every example point is on it) and size (Brunel's, as the examples).
#: At this size the map takes about a minute, so the notebook loads it (:func:`load_state_map`).
MAP_GS = (3.0, 4.0, 4.5, 5.0, 6.0, 8.0)
MAP_RATIOS = (0.9, 2.0, 3.0, 4.0)
MAP_N_EXC = 10000
#: Neurons of each population shown in rasters.
RASTER_NEURONS = {"E": 80, "I": 20}


def draw_state(result: Result, ax_raster, ax_rate, state: BrunelState | None = None, start: float = 100.0,
               bin: float = 0.5, window: tuple | None = None) -> None:
    """A raster of a few neurons (:data:`RASTER_NEURONS`) and the population rates of a
    :func:`brunel` run.

    ``window`` (ms, ms) is the time range shown; default :func:`zoom_window` with a
    ``state``, from ``start`` (the measured part) to the end without.
    """
    from .. import plotting

    # no legend: the rate plot below names the colours, and the title needs the space
    plotting.plot_raster(result, ax=ax_raster, markersize=2.0, max_neurons=RASTER_NEURONS, legend=False)
    ax_raster.set_xlabel("")
    ax_raster.tick_params(labelbottom=False)
    ax_raster.set_ylabel("neuron")
    plotting.plot_population_rate(result, bin=bin, ax=ax_rate, legend=False)
    for line in ax_rate.get_lines():
        if line.get_label().startswith("I "):
            line.set_alpha(0.75)
    if window is None:
        window = zoom_window(result, state, start) if state is not None else (start, result.duration)
    lo, hi = window
    for ax in (ax_raster, ax_rate):
        ax.set_xlim(lo, hi)
    visible = [y[(x >= lo) & (x <= hi)] for x, y in (line.get_data() for line in ax_rate.get_lines())]
    highest = max([float(np.max(y, initial=0.0)) for y in visible] + [1.0])
    ax_rate.set_ylim(0.0, 1.3 * highest)  # room for the legend above the traces
    plotting.round_limits(ax_rate, "y")  # still while a slider moves the traces a little
    add_legend(ax_rate, loc="upper right", ncol=2, fontsize="small", framealpha=0.9)
    shown = f"first {RASTER_NEURONS['E']} of {result.size('E')} E, {RASTER_NEURONS['I']} of {result.size('I')} I"
    title = shown if state is None else (f"{state.label}: {state.rate:.0f} Hz, CV {state.cv:.2f}, "
                                         f"modulation {state.modulation:.2f} ({shown})")
    ax_raster.set_title(title, fontsize="small", loc="left")


def zoom_window(result: Result, state: BrunelState, start: float = 100.0) -> tuple:
    """The time range to show: the last 50 ms for a fast regular state (SR), whose rhythm
    would fill a longer window solid; from ``start`` to the end otherwise."""
    if state.label == "SR":
        return (max(start, result.duration - 50.0), result.duration)
    return (start, result.duration)


def draw_cv_histogram(result: Result, ax, start: float = 100.0) -> None:
    """Histogram of the single neurons' CV of ISIs (E red, I blue), after ``start`` ms."""
    from .. import plotting

    bins = np.linspace(0.0, 2.0, 41)
    for label in ("E", "I"):
        cv = analysis.cv_isi(result, label, start=start)
        cv = cv[np.isfinite(cv)]
        filled = label == "E"
        ax.hist(np.clip(cv, 0.0, 2.0), bins=bins, color=plotting.kind_color(result.kind(label)),
                alpha=0.5 if filled else 1.0, histtype="stepfilled" if filled else "step", linewidth=1.5,
                label=f"{label}: mean {cv.mean():.2f}" if cv.size else f"{label}: < 3 spikes")
    vline(ax, 1.0, color="black", linestyle=":", linewidth=1.0, label="Poisson (CV = 1)")
    ax.set_xlim(0.0, 2.0)
    plotting.round_limits(ax, "y")  # counts: still while a slider changes them a little
    ax.set_xlabel("CV of ISIs (after the transient)")
    ax.set_ylabel("number of neurons")
    add_legend(ax, loc="upper right", fontsize="small")


def draw_state_map(smap: StateMap, ax, point: tuple | None = None) -> None:
    """The states over (g, nu_ext / nu_thr): one coloured cell per run, with its label and
    mean rate; ``point`` marks a (g, ratio)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    index = np.vectorize(STATES.index)(smap.labels)
    cmap = ListedColormap([STATE_COLORS[s] for s in STATES])
    gs, ratios = np.asarray(smap.gs, dtype=float), np.asarray(smap.ratios, dtype=float)
    # each run's cell reaches halfway to its neighbours: both axes spaced by value
    ax.pcolormesh(_cell_edges(gs), _cell_edges(ratios), index, cmap=cmap, vmin=-0.5, vmax=len(STATES) - 0.5,
                  edgecolors="white", linewidth=0.5)
    for i, ratio in enumerate(ratios):
        for j, g in enumerate(gs):
            ax.text(g, ratio, f"{smap.labels[i, j]}\n{smap.rate[i, j]:.0f} Hz", ha="center", va="center",
                    fontsize="small", color="white" if smap.labels[i, j] in _DARK_STATES else "black")
    ax.set_xticks(gs, [f"{g:g}\n(balance)" if g == 4.0 else f"{g:g}" for g in gs])
    ax.set_yticks(ratios, [f"{r:g}" for r in ratios])
    if point is not None:
        ax.plot([point[0]], [point[1]], marker="o", markersize=10, markerfacecolor="none", markeredgecolor="black")
    ax.set_xlabel("relative inhibition g (g = 4: inhibition balances excitation)")
    ax.set_ylabel("external rate ν_ext / ν_thr")
    present = [s for s in STATES if np.any(smap.labels == s)]
    handles = [Patch(color=STATE_COLORS[s], label=f"{s}: {STATE_NAMES[s]}") for s in present]
    add_legend(ax, handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
    ax.set_title(f"N_E = {smap.n_exc}, {smap.duration:g} ms (measured after {smap.start:g} ms)", fontsize="medium")


#: States whose map colour is dark enough for white text.
_DARK_STATES = ("SR", "AI", "SI-slow")


def _cell_edges(values: np.ndarray) -> np.ndarray:
    """Edges of cells centred on sorted ``values``: halfway between neighbours, and as far
    again beyond the first and the last."""
    if values.size == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    mids = (values[:-1] + values[1:]) / 2.0
    return np.concatenate(([values[0] - (mids[0] - values[0])], mids, [values[-1] + (values[-1] - mids[-1])]))


def draw_examples(fig, runs: dict) -> None:
    """Brunel's example states in ``fig``, two per row (readable in a figure 10-11 inches wide,
    e.g. ``figsize=(11, 8)``): :func:`draw_state` of each run (raster above, population rates
    below), titled with its point of :data:`EXAMPLES` and the state measured.

    Parameters
    ----------
    fig : matplotlib Figure
    runs : dict of name -> (Result, BrunelState)
        Names of :data:`EXAMPLES`; runs of :func:`brunel` of one size, and their
        :func:`measure_state`.
    """
    from matplotlib.figure import Figure

    from .. import plotting

    columns = 2 if len(runs) > 1 else 1
    rows = 2 * math.ceil(len(runs) / columns)
    axes = plotting.reuse_layout(fig, Figure.subplots, rows, columns, squeeze=False,
                                 height_ratios=(1.4, 1.0) * (rows // 2))
    for k, (name, (res, state)) in enumerate(runs.items()):
        row, column = 2 * (k // columns), k % columns
        draw_state(res, axes[row, column], axes[row + 1, column], state)
        g, ratio = EXAMPLES[name]
        axes[row, column].set_title(f"Brunel's {name}: g = {g:g}, ν_ext = {ratio:g} ν_thr\nmeasured: {state.label}, "
                                    f"{state.rate:.0f} Hz, CV {state.cv:.2f}", fontsize="medium", loc="left")
    for k in range(len(runs), columns * rows // 2):  # an odd number of runs leaves one place empty
        for ax in axes[2 * (k // columns):2 * (k // columns) + 2, k % columns]:
            ax.set_visible(False)
    res = next(iter(runs.values()))[0]
    J = res.params["projections"][0]["weight"]  # E -> E and I
    fig.suptitle(f"N_E = {res.size('E')}, N_I = {res.size('I')}, J = {J:g} mV; rasters: the first "
                 f"{RASTER_NEURONS['E']} E and {RASTER_NEURONS['I']} I neurons", fontsize="medium")


def figures() -> dict:
    """The notebook's main figures: Brunel's four example states (raster, population rate)
    and the map of the states over (g, nu_ext / nu_thr)."""
    import matplotlib.pyplot as plt

    out = {}
    runs = {}
    for name, (g, ratio) in EXAMPLES.items():
        res = brunel(g=g, nu_ext_ratio=ratio, n_exc=EXAMPLE_N_EXC, J=None)
        runs[name] = (res, measure_state(res))
    out["states"] = plt.figure(figsize=(11, 8), layout="constrained")
    draw_examples(out["states"], runs)
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    draw_state_map(load_state_map(), ax)
    out["state_map"] = fig
    return out
