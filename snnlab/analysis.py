"""Measures of a run: rates, inter-spike intervals, population rate, F–I curve, synchrony,
and the outcome of a two-population competition.

Units: time ms, rates Hz (spikes per neuron per second), currents nA, potentials mV.
Every function takes a :class:`snnlab.Result` (or spike times) and returns numbers or
numpy arrays; none of them plots (see :mod:`snnlab.plotting`).

Spike times are on the simulation grid: a spike stamped ``t_k = k*dt`` crossed
threshold during the step ``[t_k, t_k + dt)`` (see :mod:`snnlab.engine`). Binned
measures therefore work in whole steps: a bin that is not a whole number of steps is
rounded to one (with a warning), because bins holding different numbers of grid
points would show a rate modulation that is not in the network.

Examples
--------
>>> import snnlab as sl
>>> from snnlab import analysis
>>> net = sl.Network(dt=0.1, seed=0)
>>> _ = net.add_population("A", n=20, kind="excitatory", current=2.0)
>>> res = net.run(200.0)
>>> round(analysis.mean_rate(res, "A"), 1)
140.0
>>> t, rate = analysis.population_rate(res, "A", bin=5.0)
>>> t[:3].tolist()
[2.5, 7.5, 12.5]
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from .network import Network
from .neurons import LIF
from .results import Result

__all__ = [
    "Decision",
    "cv_isi",
    "decision",
    "fi_curve",
    "firing_rate",
    "isi",
    "isi_all",
    "lif_rate",
    "mean_cv_isi",
    "mean_rate",
    "population_rate",
    "spike_synchrony",
    "synchrony",
]


# -- helpers -----------------------------------------------------------------------------------
def _warn(message: str) -> None:
    # stacklevel 4 (_warn, the helper, the public function): the line that called the public function
    warnings.warn(message, check.SnnlabWarning, stacklevel=4)


def _result(owner: str, result) -> Result:
    if not isinstance(result, Result):
        raise TypeError(f"{owner}.result: must be an snnlab.Result from Network.run (got {check._show(result)})")
    return result


def _label(result: Result, label) -> str:
    """The label as a string (a Population is accepted too); Result raises for unknown ones."""
    result.size(label)
    return getattr(label, "label", label)


def _steps(owner: str, name: str, value, dt: float) -> int:
    """A duration (ms) >= dt as whole steps, with a warning when it had to be rounded."""
    value = check.positive(owner, name, value, "ms")
    if value < dt * (1 - 1e-9):
        raise ValueError(f"{owner}.{name}: must be >= dt = {dt!r} ms (got {value!r})")
    steps = float(check.whole_steps(value, dt))
    if steps > check.MAX_STEPS:
        raise ValueError(f"{owner}.{name}: must be at most {check.MAX_STEPS} steps of dt = {dt!r} ms (got {value!r})")
    steps = int(steps)
    if abs(steps * dt - value) > 1e-9 * max(1.0, value):
        _warn(
            f"{owner}.{name}: {value!r} ms is not a whole number of steps of dt = {dt!r} ms; "
            f"using {steps * dt:g} ms ({steps} steps)"
        )
    return steps


def _start_step(owner: str, start, result: Result) -> int:
    start = check.non_negative(owner, "start", start, "ms")
    k0 = float(check.whole_steps(start, result.dt))
    if k0 >= result.steps:
        raise ValueError(f"{owner}.start: must be before the end of the run, {result.duration:g} ms (got {start!r})")
    return int(k0)


def _bins(result: Result, label: str, bin_steps: int, start_step: int = 0):
    """Spike counts of a population in consecutive bins of ``bin_steps`` steps from
    ``start_step``; the last bin may be shorter. Returns counts, left and right edges in steps."""
    steps, _ = result.spike_steps(label)
    steps = steps[steps >= start_step] - start_step
    span = result.steps - start_step
    n_bins = -(-span // bin_steps)
    counts = np.bincount(steps // bin_steps, minlength=n_bins).astype(float)
    left = start_step + np.arange(n_bins) * bin_steps
    right = np.minimum(left + bin_steps, result.steps)
    return counts, left, right


# -- rates -------------------------------------------------------------------------------------
def firing_rate(result: Result, label, start: float = 0.0) -> np.ndarray:
    """Mean firing rate of each neuron of a population, from ``start`` to the end of the run.

    Parameters
    ----------
    result : Result
    label : str or Population
    start : float
        Only spikes at or after this time (ms) count, to skip an initial transient. Default 0.

    Returns
    -------
    ndarray (n,), Hz
        Spike count after ``start`` divided by the time after ``start``.
    """
    owner = "firing_rate"
    result = _result(owner, result)
    label = _label(result, label)
    first = _start_step(owner, start, result)
    if first == 0:
        return result.firing_rate(label)
    steps, neurons = result.spike_steps(label)
    counts = np.bincount(neurons[steps >= first], minlength=result.size(label))
    return counts / ((result.steps - first) * result.dt / 1000.0)


def mean_rate(result: Result, label, start: float = 0.0) -> float:
    """Mean firing rate of a population, Hz: spikes per neuron per second from ``start`` (ms)
    to the end of the run."""
    return float(np.mean(firing_rate(result, label, start)))


# -- inter-spike intervals -------------------------------------------------------------------------
def isi(spike_times) -> np.ndarray:
    """Inter-spike intervals of one spike train.

    Parameters
    ----------
    spike_times : array_like (n_spikes,), ms
        Spike times of one neuron (sorted here if they are not).

    Returns
    -------
    ndarray (max(n_spikes - 1, 0),), ms
        Differences of consecutive spike times; empty for fewer than two spikes.
    """
    times = np.asarray(spike_times)
    if times.dtype.kind not in "iuf" or times.ndim != 1:
        raise TypeError(f"isi.spike_times: must be a 1-D array of spike times in ms (got {check._show(spike_times)})")
    if not np.all(np.isfinite(times)):
        raise ValueError("isi.spike_times: must be finite ms (got NaN or inf)")
    return np.diff(np.sort(times.astype(float)))


def isi_all(result: Result, label) -> list[np.ndarray]:
    """Inter-spike intervals (ms) of every neuron of a population, one array per neuron."""
    result = _result("isi_all", result)
    return [isi(train) for train in result.spike_trains(label)]


def cv_isi(result: Result, label, min_spikes: int = 3, start: float = 0.0) -> np.ndarray:
    """Coefficient of variation of the inter-spike intervals of each neuron.

    ``CV = std(ISI) / mean(ISI)`` with the population standard deviation (``ddof=0``)
    of that neuron's intervals: 0 for a perfectly regular neuron, about 1 for a
    Poisson process.

    Parameters
    ----------
    result : Result
    label : str or Population
    min_spikes : int
        Neurons with fewer spikes (after ``start``) get NaN, >= 2. Default 3 (two intervals).
    start : float
        Only spikes at or after this time (ms) count, to skip an initial transient. Default 0.

    Returns
    -------
    ndarray (n,), dimensionless
    """
    owner = "cv_isi"
    result = _result(owner, result)
    label = _label(result, label)
    min_spikes = check.integer(owner, "min_spikes", min_spikes, minimum=2)
    n = result.size(label)
    steps, neurons = result.spike_steps(label)
    first = _start_step(owner, start, result)
    steps, neurons = steps[steps >= first], neurons[steps >= first]
    # sort by neuron, then time, so each neuron's intervals are consecutive differences
    order = np.lexsort((steps, neurons))
    steps, neurons = steps[order], neurons[order]
    same = neurons[1:] == neurons[:-1]
    intervals = (np.diff(steps)[same]) * result.dt
    whose = neurons[1:][same]
    k = np.bincount(whose, minlength=n).astype(float)
    mean = np.divide(np.bincount(whose, weights=intervals, minlength=n), k, out=np.zeros(n), where=k > 0)
    # two passes (mean, then squared deviations) to avoid cancellation in E[x^2] - E[x]^2
    squares = np.bincount(whose, weights=(intervals - mean[whose]) ** 2, minlength=n)
    var = np.divide(squares, k, out=np.zeros(n), where=k > 0)
    cv = np.full(n, np.nan)
    enough = np.bincount(neurons, minlength=n) >= min_spikes
    cv[enough] = np.sqrt(var[enough]) / mean[enough]
    return cv


def mean_cv_isi(result: Result, label, min_spikes: int = 3, start: float = 0.0) -> float:
    """Mean of :func:`cv_isi` over the neurons with at least ``min_spikes`` spikes after ``start``
    (ms); NaN if none has."""
    cv = cv_isi(result, label, min_spikes, start)
    valid = cv[np.isfinite(cv)]
    return float(valid.mean()) if valid.size else math.nan


# -- population rate ---------------------------------------------------------------------------
def population_rate(result: Result, label, bin: float = 1.0, smooth: float | None = None):
    """Population firing rate over time: spikes per neuron per second in consecutive bins.

    Bins start at t = 0 and are ``bin`` ms wide (rounded to whole steps of dt, with a
    warning when that changes it); when the run is not a whole number of bins the last
    bin is shorter and its rate is divided by its own width, so no spike is dropped.

    Parameters
    ----------
    result : Result
    label : str or Population
    bin : float
        Bin width, ms, >= dt. Default 1.
    smooth : float or None
        Standard deviation of a Gaussian kernel, ms, applied to the binned rate
        (truncated at 4 std, normalised to sum 1). Near the start and the end of the
        run the kernel is renormalised by its mass inside the run, so a constant rate
        stays constant up to the edges. None or 0: no smoothing.

    Returns
    -------
    t : ndarray (n_bins,), ms
        Bin **centres**.
    rate : ndarray (n_bins,), Hz
        Spikes per neuron per second in each bin (smoothed if ``smooth``).
    """
    owner = "population_rate"
    result = _result(owner, result)
    label = _label(result, label)
    bin_steps = _steps(owner, "bin", bin, result.dt)
    sigma = None
    if smooth is not None:
        sigma = check.non_negative(owner, "smooth", smooth, "ms")
    counts, left, right = _bins(result, label, bin_steps)
    width = (right - left) * result.dt  # ms
    t = (left + right) * (result.dt / 2.0)
    if sigma:
        sigma_bins = sigma / (bin_steps * result.dt)
        # beyond n - 1 bins the kernel never overlaps the run, and the ratio below does not
        # depend on the kernel's total mass: cap it, so that a huge smooth stays cheap
        half = max(1, min(math.ceil(4.0 * sigma_bins), counts.size - 1))
        x = np.arange(-half, half + 1)
        kernel = np.exp(-0.5 * (x / sigma_bins) ** 2)
        kernel /= kernel.sum()
        # "full" then the centred slice: "same" would return the kernel's length when it is the longer one
        spikes = np.convolve(counts, kernel, mode="full")[half:half + counts.size]
        # the kernel mass inside the run, weighted by bin width (the last bin may be short)
        exposure = np.convolve(width, kernel, mode="full")[half:half + counts.size]
    else:
        spikes, exposure = counts, width
    rate = spikes / exposure * (1000.0 / result.size(label))
    return t, rate


# -- F–I curve ----------------------------------------------------------------------------------
def _currents(owner: str, currents) -> np.ndarray:
    values = np.asarray(currents)
    if values.dtype.kind not in "iuf" or values.ndim > 1:
        raise TypeError(f"{owner}.currents: must be a number or a 1-D array of currents in nA (got "
                        f"{check._show(currents)})")
    values = np.atleast_1d(values).astype(float)
    if values.size == 0:
        raise ValueError(f"{owner}.currents: must hold at least one current (got an empty array)")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{owner}.currents: must be finite nA (got NaN or inf)")
    return values


def _model(owner: str, model) -> LIF:
    if model is None:
        return LIF()
    if not isinstance(model, LIF):
        raise TypeError(f"{owner}.model: must be an snnlab.LIF or None (got {check._show(model)})")
    return model


def fi_curve(currents, model: LIF | None = None, duration: float = 1000.0, dt: float = 0.1, *,
             measure: str = "count"):
    """Simulated F–I curve: the firing rate of a neuron under each constant current.

    One network run: a population of ``len(currents)`` unconnected neurons of ``model``,
    neuron i driven by ``currents[i]``.

    Parameters
    ----------
    currents : array_like (m,), nA
    model : LIF or None
        Default ``LIF()``.
    duration : float
        Simulated time, ms. Default 1000.
    dt : float
        Time step, ms. Default 0.1.
    measure : {"count", "isi"}
        ``"count"`` (default): spike count / duration, the rate an experimenter counts
        (it includes the climb from ``u_init`` to the first spike and the truncated last
        interval). ``"isi"``: ``1000 / mean ISI``, the steady-state rate, which converges
        to :func:`lif_rate` as dt -> 0; 0 for a silent neuron, NaN for a neuron with a
        single spike (no interval to measure).

    Returns
    -------
    currents : ndarray (m,), nA
    rates : ndarray (m,), Hz

    Notes
    -----
    On the simulation grid a regular neuron fires every
    ``R + ceil(T/dt)`` steps (``R`` the refractory period in whole steps, see
    :func:`snnlab._checks.whole_steps`), where ``T`` is the continuous climb
    time from ``u_reset`` to threshold, so the ISI-based rate is at most one step's worth
    below :meth:`LIF.firing_rate`.
    """
    owner = "fi_curve"
    values = _currents(owner, currents)
    model = _model(owner, model)
    measure = check.choice(owner, "measure", measure, ("count", "isi"))
    duration = check.positive(owner, "duration", duration, "ms")
    dt = check.positive(owner, "dt", dt, "ms")
    net = Network(dt=dt, seed=0)
    net.add_population("fi", n=values.size, kind="excitatory", current=values, model=model)
    result = net.run(duration, record=None)
    if measure == "count":
        return values, np.array(result.firing_rate("fi"))
    steps, neurons = result.spike_steps("fi")
    count = np.bincount(neurons, minlength=values.size)
    first = np.full(values.size, np.iinfo(np.int64).max)
    last = np.full(values.size, -1)
    np.minimum.at(first, neurons, steps)
    np.maximum.at(last, neurons, steps)
    rates = np.where(count == 0, 0.0, np.nan)
    many = count >= 2
    rates[many] = 1000.0 * (count[many] - 1) / ((last[many] - first[many]) * dt)
    return values, rates


def lif_rate(currents, model: LIF | None = None) -> np.ndarray:
    """Analytic (continuous-time) firing rate of ``model`` under constant currents.

    Delegates to :meth:`LIF.firing_rate`.

    Parameters
    ----------
    currents : float or array_like, nA
    model : LIF or None
        Default ``LIF()``.

    Returns
    -------
    ndarray, Hz
        Same shape as ``currents``; 0 at or below the rheobase.
    """
    owner = "lif_rate"
    values = np.asarray(currents)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{owner}.currents: must be numbers in nA (got {check._show(currents)})")
    model = _model(owner, model)
    return np.asarray(model.firing_rate(values.astype(float)), dtype=float)


# -- synchrony ---------------------------------------------------------------------------------
def synchrony(result: Result, label, start: float = 0.0) -> float:
    """Golomb's synchrony measure chi of a population, from its recorded potentials.

    ``chi**2 = Var_t(mean_i u_i(t)) / mean_i Var_t(u_i(t))``: the variance over time of
    the population-averaged potential, over the mean of the single neurons' variances.
    chi is 1 when all neurons follow the same trajectory and about ``1/sqrt(n)`` for n
    independent neurons (Golomb 2007, Scholarpedia 2(1):1347).

    Parameters
    ----------
    result : Result
        Run with the population's potentials recorded (``record="all"`` or
        ``{label: "all"}``); only the recorded neurons count, at least 2.
    label : str or Population
    start : float
        Ignore the potentials before this time, ms (to skip the transient from
        ``u_init``). Default 0.

    Returns
    -------
    float in [0, 1]
        NaN when no recorded potential varies at all.
    """
    owner = "synchrony"
    result = _result(owner, result)
    label = _label(result, label)
    k0 = _start_step(owner, start, result)
    recorded = result.recorded_neurons(label).size
    if recorded < 2:
        raise ValueError(
            f"{owner}: needs the recorded potentials of at least 2 neurons of population {label!r} (got "
            f"{recorded}); run with record={{{label!r}: 'all'}} or record='all'"
        )
    u = np.asarray(result.potential(label))[k0:]
    if u.shape[0] < 2:
        return math.nan
    each = float(u.var(axis=0).mean())
    if each == 0.0:
        return math.nan
    together = float(u.mean(axis=1).var())
    # Var(mean) <= mean(Var) by Cauchy–Schwarz; min() only removes rounding above 1
    return min(1.0, math.sqrt(together / each))


def spike_synchrony(result: Result, label, bin: float = 2.0, start: float = 0.0) -> float:
    """Synchrony from spikes: the Fano factor of the population spike count.

    The population's spikes are counted in consecutive bins of ``bin`` ms (only whole
    bins, from ``start``); the measure is ``var(count) / mean(count)`` (sample variance,
    ``ddof=1``). About 1 for independent Poisson neurons, below 1 for regular
    asynchronous firing, and up to about ``n`` (the population size) when all neurons
    fire together. Unlike :func:`synchrony` it needs no recorded potentials, but it
    depends on the bin width and the population size.

    Parameters
    ----------
    result : Result
    label : str or Population
    bin : float
        Bin width, ms, >= dt (rounded to whole steps). Default 2.
    start : float
        Ignore spikes before this time, ms. Default 0.

    Returns
    -------
    float, dimensionless, >= 0
        NaN when the population did not spike after ``start``.
    """
    owner = "spike_synchrony"
    result = _result(owner, result)
    label = _label(result, label)
    bin_steps = _steps(owner, "bin", bin, result.dt)
    k0 = _start_step(owner, start, result)
    counts, left, right = _bins(result, label, bin_steps, k0)
    counts = counts[(right - left) == bin_steps]
    if counts.size < 2:
        raise ValueError(
            f"{owner}.bin: must fit at least twice in the analysed {(result.steps - k0) * result.dt:g} ms "
            f"(got {bin!r})"
        )
    mean = counts.mean()
    if mean == 0.0:
        return math.nan
    return float(counts.var(ddof=1) / mean)


# -- decision ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Decision:
    """The outcome of a competition between two populations (made by :func:`decision`).

    Attributes
    ----------
    winner : str or None
        The label of the population that ends the run ahead by at least ``margin`` Hz
        and has stayed ahead since ``decision_time``; None when neither does.
    decision_time : float or None
        ms; the first time from which the winner stays ahead (the end of the first
        window that shows it), None without a winner.
    rate_a, rate_b : float
        Mean rates of the two populations over the whole run, Hz.
    label_a, label_b : str
    time : ndarray (k,), ms
        Ends of the sliding windows, from ``window`` to the duration in steps of dt.
    smoothed_a, smoothed_b : ndarray (k,), Hz
        Population rates over the window ending at each ``time``.
    window, margin : float
        The parameters used (ms, Hz).
    """

    winner: str | None
    decision_time: float | None
    rate_a: float
    rate_b: float
    label_a: str
    label_b: str
    time: np.ndarray
    smoothed_a: np.ndarray
    smoothed_b: np.ndarray
    window: float
    margin: float


def sliding_rate(result: Result, label, window: float) -> np.ndarray:
    """Population rate (Hz) over the ``window`` ms ending at each time from ``window`` on (a
    causal boxcar, the rate :func:`decision` compares): entry j is the rate over steps
    ``j .. j + w - 1``, i.e. up to time ``(j + w) * dt``, with ``w`` the window in steps."""
    owner = "sliding_rate"
    result = _result(owner, result)
    label = _label(result, label)
    w = _steps(owner, "window", window, result.dt)
    if w > result.steps:
        raise ValueError(f"{owner}.window: must be <= the run's duration, {result.duration:g} ms (got {window!r})")
    return _sliding_rate(result, label, w)


def _sliding_rate(result: Result, label: str, w: int) -> np.ndarray:
    """Rate (Hz) over the w steps ending with each step k >= w-1 (causal boxcar)."""
    steps, _ = result.spike_steps(label)
    cumulative = np.concatenate([[0], np.cumsum(np.bincount(steps, minlength=result.steps))])
    return (cumulative[w:] - cumulative[:-w]) * (1000.0 / (result.size(label) * w * result.dt))


def decision(result: Result, label_a, label_b, window: float = 20.0, margin: float = 5.0) -> Decision:
    """Which of two competing populations wins, and when.

    Each population's rate is measured over a sliding window of ``window`` ms that ends
    at time t (so it uses only the spikes up to t: a causal boxcar, evaluated every
    step from t = ``window`` on). Population A wins if its rate exceeds B's by at least
    ``margin`` Hz at the end of the run and has done so at every time since
    ``decision_time``; likewise for B.

    Parameters
    ----------
    result : Result
    label_a, label_b : str or Population
        Two different populations.
    window : float
        Width of the sliding window, ms, >= dt and <= the run's duration (rounded to
        whole steps). Default 20.
    margin : float
        How far ahead (Hz, > 0) the winner must be. Default 5.

    Returns
    -------
    Decision
        ``winner``, ``decision_time`` (ms or None), the mean rates and the smoothed rates.
    """
    owner = "decision"
    result = _result(owner, result)
    label_a = _label(result, label_a)
    label_b = _label(result, label_b)
    if label_a == label_b:
        raise ValueError(f"{owner}.label_b: must differ from label_a = {label_a!r} (got {label_b!r})")
    w = _steps(owner, "window", window, result.dt)
    if w > result.steps:
        raise ValueError(f"{owner}.window: must be <= the run's duration, {result.duration:g} ms (got {window!r})")
    margin = check.positive(owner, "margin", margin, "Hz")
    rate_a = _sliding_rate(result, label_a, w)
    rate_b = _sliding_rate(result, label_b, w)
    time = np.arange(w, result.steps + 1) * result.dt
    winner, decided = None, None
    difference = rate_a - rate_b
    for label, ahead in ((label_a, difference >= margin), (label_b, -difference >= margin)):
        if ahead[-1]:
            behind = np.flatnonzero(~ahead)
            first = int(behind[-1]) + 1 if behind.size else 0
            winner, decided = label, round(float(time[first]), 10)  # on the grid: 52.4, not 52.400000000000006
    for array in (time, rate_a, rate_b):
        array.flags.writeable = False
    return Decision(winner, decided, result.mean_rate(label_a), result.mean_rate(label_b), label_a, label_b,
                    time, rate_a, rate_b, w * result.dt, margin)
