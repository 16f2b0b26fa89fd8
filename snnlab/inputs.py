"""External inputs: currents (nA) as functions of time, and Poisson spike trains.

A current is a description: it says what the input is and, when the engine asks,
returns its values for a chunk of time steps at once, an array broadcastable to
``(len(steps), n)``. The engine evaluates it at the start of each step,
``t_k = k * dt`` (ms), and holds it constant over the step.

Anything the ``current=`` argument of :meth:`snnlab.Network.add_population` accepts:

===========================================  ===========================================
``4.0``                                      :class:`Constant` (the same for every neuron)
``[1.0, 2.0, ...]`` or a 1-D array of n      :class:`Constant`, one value per neuron
``lambda t: 4*(np.sin(t/5) + 0.3)``          :class:`FromFunction`, f(t) -> a number or n numbers
``[f0, f1, ...]`` (n callables)              :class:`PerNeuron` (the assignment's ``Is``)
a 2-D array ``(steps, n)`` or ``(steps, 1)`` :class:`FromArray`
a :class:`Current` (Step, Ramp, Sine, ...)   itself; currents add up with ``+``
===========================================  ===========================================
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from ._remember import Remembered

__all__ = [
    "Constant",
    "Current",
    "FromArray",
    "FromFunction",
    "Noise",
    "PerNeuron",
    "PoissonInput",
    "Ramp",
    "Sine",
    "Step",
    "UniformNoise",
    "as_current",
]


class Current:
    """Base class of external currents (nA). Subclasses implement :meth:`sample`."""

    #: True when the values do not change with time (lets the engine skip re-evaluation).
    constant_in_time = False
    #: True when sampling draws random numbers (the network gives it its own stream).
    random = False

    def sample(self, steps: np.ndarray, dt: float, n: int, rng: np.random.Generator,
               owner: str = "current") -> np.ndarray:
        """Values at times ``steps * dt`` (ms) for ``n`` neurons, broadcastable to
        ``(len(steps), n)``, in nA. ``owner`` names the population in error messages."""
        raise NotImplementedError

    def check(self, n: int, owner: str) -> None:
        """Validate against the population size before any step runs."""

    def describe(self) -> dict:
        """A JSON-friendly description, saved with results."""
        return {"type": type(self).__name__}

    def __add__(self, other):
        return Sum(self, as_current(other, owner="current"))

    def __radd__(self, other):
        return Sum(as_current(other, owner="current"), self)


def _params(obj, *names) -> dict:
    out = {"type": type(obj).__name__}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.tolist() if isinstance(value, np.ndarray) else value
    return out


class Constant(Current):
    """A constant current, nA: one number for all neurons, or one per neuron (length n)."""

    constant_in_time = True

    def __init__(self, amplitude=0.0):
        if check.ndim("Constant", "amplitude", amplitude) == 0:
            self.amplitude = check.real("Constant", "amplitude", amplitude, "nA")
        else:
            values = check.array("Constant", "amplitude", amplitude, kinds="iufb")
            if values.ndim != 1 or values.dtype.kind not in "iuf":
                raise TypeError(
                    "Constant.amplitude: must be a number or a 1-D sequence of numbers, one per "
                    f"neuron (got {check._show(amplitude)})"
                )
            values = values.astype(float)
            if not np.all(np.isfinite(values)):
                raise ValueError("Constant.amplitude: every value must be finite nA (got NaN or inf)")
            self.amplitude = values

    def check(self, n, owner):
        if isinstance(self.amplitude, np.ndarray) and self.amplitude.shape != (n,):
            raise ValueError(
                f"{owner}: a per-neuron current needs one value per neuron, {n} values "
                f"(got {self.amplitude.shape[0]})"
            )

    def sample(self, steps, dt, n, rng, owner="current"):
        return np.broadcast_to(np.asarray(self.amplitude, dtype=float), (n,))[None, :]

    def describe(self):
        return _params(self, "amplitude")


class Step(Current):
    """``baseline + amplitude`` for ``start <= t < stop`` (ms), ``baseline`` otherwise (nA)."""

    def __init__(self, amplitude, start=0.0, stop=math.inf, baseline=0.0):
        self.amplitude = check.real("Step", "amplitude", amplitude, "nA")
        self.start = check.real("Step", "start", start, "ms")
        self.stop = check.real("Step", "stop", stop, "ms", allow_inf=True)
        self.baseline = check.real("Step", "baseline", baseline, "nA")
        if not self.stop > self.start:
            raise ValueError(f"Step.stop: must be after start = {self.start!r} ms (got {self.stop!r})")

    def sample(self, steps, dt, n, rng, owner="current"):
        t = steps * dt
        on = (t >= self.start) & (t < self.stop)
        return (self.baseline + self.amplitude * on)[:, None]

    def describe(self):
        return _params(self, "amplitude", "start", "stop", "baseline")


class Ramp(Current):
    """Rises linearly from ``baseline`` at ``start`` to ``baseline + amplitude`` at ``stop``
    (ms), then holds (nA)."""

    def __init__(self, amplitude, start=0.0, stop=100.0, baseline=0.0):
        self.amplitude = check.real("Ramp", "amplitude", amplitude, "nA")
        self.start = check.real("Ramp", "start", start, "ms")
        self.stop = check.real("Ramp", "stop", stop, "ms")
        self.baseline = check.real("Ramp", "baseline", baseline, "nA")
        if not self.stop > self.start:
            raise ValueError(f"Ramp.stop: must be after start = {self.start!r} ms (got {self.stop!r})")

    def sample(self, steps, dt, n, rng, owner="current"):
        t = steps * dt
        fraction = np.clip((t - self.start) / (self.stop - self.start), 0.0, 1.0)
        return (self.baseline + self.amplitude * fraction)[:, None]

    def describe(self):
        return _params(self, "amplitude", "start", "stop", "baseline")


class Sine(Current):
    """``offset + amplitude * sin(2*pi*t/period + phase)``, t and period in ms, phase in
    radians, amplitude and offset in nA.

    The report's ``sin(t/8)`` has period ``2*pi*8`` ≈ 50.3 ms.
    """

    def __init__(self, amplitude, period, offset=0.0, phase=0.0):
        self.amplitude = check.real("Sine", "amplitude", amplitude, "nA")
        self.period = check.positive("Sine", "period", period, "ms")
        self.offset = check.real("Sine", "offset", offset, "nA")
        self.phase = check.real("Sine", "phase", phase, "rad")

    def sample(self, steps, dt, n, rng, owner="current"):
        t = steps * dt
        return (self.offset + self.amplitude * np.sin(2 * np.pi * t / self.period + self.phase))[:, None]

    def describe(self):
        return _params(self, "amplitude", "period", "offset", "phase")


class Noise(Current):
    """Gaussian noise current: a fresh independent value ``N(mean, std**2)`` (nA) for every
    neuron at every step, from the network's seeded stream.

    The values are drawn per step, so the noise's effect on the membrane shrinks as dt
    shrinks (it is not a Wiener process scaled by sqrt(dt)).
    """

    random = True

    def __init__(self, mean=0.0, std=1.0):
        self.mean = check.real("Noise", "mean", mean, "nA")
        self.std = check.non_negative("Noise", "std", std, "nA")

    def sample(self, steps, dt, n, rng, owner="current"):
        # rng.normal(mean, std) is mean + std * a standard normal, to the bit: the standard normals
        # are remembered, so that another mean or std reuses them
        values = np.multiply(_remembered_draw("standard_normal", len(steps), n, rng), self.std)
        values += self.mean  # in place: the same bits as mean + std * z, one array fewer
        return values

    def describe(self):
        return _params(self, "mean", "std")


class UniformNoise(Current):
    """Uniform noise current in ``[low, high)`` (nA), a fresh value per neuron and step.

    The report's ``random.random() * 5.5`` is ``UniformNoise(0, 5.5)``, but seeded.
    """

    random = True

    def __init__(self, low=0.0, high=1.0):
        self.low = check.real("UniformNoise", "low", low, "nA")
        self.high = check.real("UniformNoise", "high", high, "nA")
        if not self.high >= self.low:
            raise ValueError(f"UniformNoise.high: must be >= low = {self.low!r} nA (got {self.high!r})")

    def sample(self, steps, dt, n, rng, owner="current"):
        # rng.uniform(low, high) is low + (high - low) * rng.random(), to the bit (see Noise.sample)
        values = np.multiply(_remembered_draw("random", len(steps), n, rng), self.high - self.low)
        values += self.low  # in place, the same bits
        return values

    def describe(self):
        return _params(self, "low", "high")


#: Noise remembered by :class:`Noise` and :class:`UniformNoise` with the generator's state (see
#: :mod:`snnlab._remember`): a slider panel runs the same noisy network again with another weight
#: or current on every change, and drawing its noise was over a third of that (17 of competition's
#: 46 ms). At most 4 Mi numbers (32 MB).
REMEMBERED_NOISE = Remembered(entries=32, largest=1 << 20, total=4 << 20)


def _remembered_draw(method: str, steps: int, n: int, rng) -> np.ndarray:
    """``getattr(rng, method)((steps, n))``, remembered (read-only) where ``rng`` is a numpy
    Generator (or the engine's lazy stand-in for one)."""
    if not isinstance(getattr(rng, "bit_generator", None), np.random.BitGenerator):
        return getattr(rng, method)((steps, n))
    return REMEMBERED_NOISE.draw((method, steps, n), rng, lambda rng: (getattr(rng, method)((steps, n)),))[0]


def _call(function, t: float, owner):
    """``function(t)`` at one time (ms), checked to be numbers: a float or int as it is
    (the common case, no array made), anything else as a numpy array."""
    try:
        value = function(t)
    except Exception as exc:  # a student's callable can raise anything; say whose it is
        raise CurrentError(
            f"{owner}: the current function raised {type(exc).__name__} at t = {t!r} ms: {exc}"
        ) from exc
    if isinstance(value, (float, int)):
        return value
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):  # a ragged list
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise CurrentError(
            f"{owner}: the current function must return numbers (nA); it returned {_returned(value)} at t = {t!r} ms"
        )
    return array


def _returned(value) -> str:
    """What a current function returned, named by its type: "str '3'", "None", "dict {...}"."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {check._show(value)}"


class CurrentError(ValueError):
    """A current callable raised, or returned NaN/inf or the wrong shape."""


def _evaluate_function(function, t: np.ndarray, n: int | None, owner: str) -> np.ndarray:
    """Evaluate f(t) over a chunk of times, vectorised when f allows it.

    Returns shape ``(len(t),)`` for a scalar function, ``(len(t), n)`` for one returning n
    values. f is first called with one float; it is then called with the whole array,
    and that result is kept only if it has the expected shape and agrees with the
    first call (a function that draws random numbers, or that only works on floats,
    falls back to one call per step).
    """
    allowed = "a number" if n is None else f"a number or an array of {n} values (one per neuron)"

    def wrong_shape(value, when):
        return CurrentError(f"{owner}: the current function must return {allowed} (got shape {value.shape}{when})")

    first = np.asarray(_call(function, float(t[0]), owner))
    if first.ndim == 0:
        shape = ()
    elif n is not None and first.shape == (n,):
        shape = (n,)
    else:
        raise wrong_shape(first, "")
    try:
        with np.errstate(all="ignore"):
            whole = np.asarray(function(t))
    except Exception:
        whole = None
    if (
        whole is not None
        and whole.dtype.kind in "biuf"  # not text that a conversion to float would read as numbers
        and whole.shape == (len(t), *shape)
        and np.array_equal(whole[0], first.astype(float), equal_nan=True)
    ):
        return whole.astype(float, copy=False)
    values = np.empty((len(t), *shape))
    values[0] = first
    for i in range(1, len(t)):  # loop over time steps of one chunk, only for non-vectorisable f
        value = np.asarray(_call(function, float(t[i]), owner), dtype=float)
        if value.shape != shape:
            raise wrong_shape(value, f" at t = {float(t[i])!r} ms")
        values[i] = value
    return values


class FromFunction(Current):
    """A current given by a callable ``f(t)`` (t in ms) returning a number, the same for every
    neuron, or an array of n numbers, one per neuron (the assignment's ``i_func``).

    ``f`` is called on a whole array of times when it allows it (numpy functions), and
    once per step otherwise (``math.sin``, ``if`` statements, random draws).
    """

    def __init__(self, function):
        if not callable(function):
            raise TypeError(f"FromFunction.function: must be callable f(t) (got {check._show(function)})")
        self.function = function

    def sample(self, steps, dt, n, rng, owner="current"):
        values = _evaluate_function(self.function, steps * dt, n, owner)
        return values[:, None] if values.ndim == 1 else values

    def describe(self):
        return {"type": "FromFunction", "function": _name(self.function)}


class PerNeuron(Current):
    """One callable ``f_i(t)`` per neuron, each returning a number (the assignment's ``Is``)."""

    def __init__(self, functions):
        try:
            if isinstance(functions, (str, bytes)):
                raise TypeError
            functions = list(functions)
        except TypeError:
            raise TypeError(
                f"PerNeuron.functions: must be a list of callables f(t), one per neuron (got {check._show(functions)})"
            ) from None
        for i, f in enumerate(functions):
            if not callable(f):
                raise TypeError(f"PerNeuron.functions[{i}]: must be callable f(t) (got {check._show(f)})")
        if not functions:
            raise ValueError("PerNeuron.functions: must hold one callable per neuron (got an empty list)")
        self.functions = functions

    def check(self, n, owner):
        if len(self.functions) != n:
            raise ValueError(f"{owner}: needs one current function per neuron, {n} (got {len(self.functions)})")

    def sample(self, steps, dt, n, rng, owner="current"):
        t = steps * dt
        out = np.empty((len(t), n))
        cache: dict[int, np.ndarray] = {}
        for i, f in enumerate(self.functions):  # once per chunk, not per step
            key = id(f)
            if key not in cache:
                cache[key] = _evaluate_function(f, t, None, f"{owner}, neuron {i}")
            out[:, i] = cache[key]
        return out

    def describe(self):
        return {"type": "PerNeuron", "functions": [_name(f) for f in self.functions]}


class FromArray(Current):
    """Recorded or precomputed values, time-major: shape ``(steps, n)``, or ``(steps,)`` /
    ``(steps, 1)`` for the same value in every neuron. Row k is the current at ``k*dt``."""

    def __init__(self, values):
        array = check.array("FromArray", "values", values, kinds="iufb")
        if array.dtype.kind not in "iuf" or array.ndim not in (1, 2):
            raise TypeError(
                f"FromArray.values: must be a 1-D or 2-D array of numbers, time-major (got {check._show(values)})"
            )
        array = array.astype(float)
        if array.ndim == 1:
            array = array[:, None]
        if not np.all(np.isfinite(array)):
            bad = np.argwhere(~np.isfinite(array))[0]
            raise ValueError(
                f"FromArray.values: must be finite nA (row {bad[0]}, column {bad[1]} is {array[tuple(bad)]})"
            )
        if array.shape[0] == 0:
            raise ValueError("FromArray.values: must have at least one row (got 0)")
        self.values = array

    def check(self, n, owner):
        if self.values.shape[1] not in (1, n):
            raise ValueError(
                f"{owner}: a current array needs {n} columns (one per neuron) or 1 (got shape {self.values.shape})"
            )

    def check_steps(self, steps: int, owner: str):
        rows = self.values.shape[0]
        if rows < steps:
            raise ValueError(f"{owner}: the current array has {rows} rows but the run has {steps} steps")
        if rows > steps:
            check.warn(f"{owner}: the current array has {rows} rows; the run uses the first {steps}")

    def sample(self, steps, dt, n, rng, owner="current"):
        return self.values[steps]

    def describe(self):
        return {"type": "FromArray", "shape": list(self.values.shape)}


class Sum(Current):
    """The sum of several currents (made by ``a + b``)."""

    def __init__(self, *parts):
        self.parts = []
        for part in parts:
            self.parts.extend(part.parts if isinstance(part, Sum) else [part])

    @property
    def constant_in_time(self):
        return all(p.constant_in_time for p in self.parts)

    @property
    def random(self):
        return any(p.random for p in self.parts)

    def check(self, n, owner):
        for part in self.parts:
            part.check(n, owner)

    def check_steps(self, steps, owner):
        for part in self.parts:
            if hasattr(part, "check_steps"):
                part.check_steps(steps, owner)

    def sample(self, steps, dt, n, rng, owner="current"):
        if not self.parts:
            return np.zeros((len(steps), n))
        first, *rest = self.parts  # the first part's values copied, not added to zeros: one pass fewer
        total = sample_current(first, steps, dt, n, rng, owner).copy()
        for part in rest:
            total += sample_current(part, steps, dt, n, rng, owner)
        return total

    def describe(self):
        return {"type": "Sum", "parts": [p.describe() for p in self.parts]}


def sample_current(current: Current, steps, dt, n, rng, owner) -> np.ndarray:
    """Sample a current over a chunk and check the result: finite, the right shape."""
    values = np.asarray(current.sample(steps, dt, n, rng, owner=owner), dtype=float)
    try:
        values = np.broadcast_to(values, (len(steps), n))
    except ValueError:
        raise CurrentError(f"{owner}: the current has shape {values.shape}, expected ({len(steps)}, {n})") from None
    if not check.all_finite(values):
        row = int(np.argwhere(~np.all(np.isfinite(values), axis=1))[0, 0])
        raise CurrentError(
            f"{owner}: the current is NaN or infinite at t = {float(steps[row] * dt)!r} ms; currents must be finite nA"
        )
    return values


def _name(function) -> str:
    return getattr(function, "__qualname__", None) or repr(function)


def as_current(value, n: int | None = None, owner: str = "current") -> Current:
    """Turn anything ``current=`` accepts into a :class:`Current` (see the module docstring)."""
    if isinstance(value, Current):
        current = value
    elif isinstance(value, bool):
        raise TypeError(
            f"{owner}: must be a number (nA), a callable f(t), a list or array, or a Current (got {value!r})"
        )
    elif isinstance(value, numbers.Real):
        current = Constant(value)
    elif callable(value):
        current = FromFunction(value)
    elif isinstance(value, (list, tuple)) and value and all(callable(v) for v in value):
        current = PerNeuron(value)
    elif isinstance(value, (list, tuple, np.ndarray)):
        array = check.array(owner, "", value, kinds="iufbUSOc") if not isinstance(value, np.ndarray) else value
        if array.dtype.kind not in "iuf":
            raise TypeError(
                f"{owner}: a list must hold numbers (one per neuron) or callables f(t), one per neuron "
                f"(got {check._show(value)})"
            )
        if array.ndim == 0:
            current = Constant(array.item())
        elif array.ndim == 1:
            current = Constant(array)
        elif array.ndim == 2:
            current = FromArray(array)
        else:
            raise ValueError(
                f"{owner}: an array current must be 1-D (one value per neuron) or 2-D (steps, n) "
                f"(got {array.ndim}-D)"
            )
    else:
        raise TypeError(
            f"{owner}: must be a number (nA), a callable f(t), a list of n callables, an array "
            f"(n,) or (steps, n), or a Current (got {check._show(value)} of type {type(value).__name__})"
        )
    if n is not None:
        current.check(n, owner)
    return current


@dataclass(frozen=True)
class PoissonInput:
    """Independent Poisson spike trains arriving at every neuron of a population.

    Each neuron receives its own ``n_sources`` independent trains of ``rate`` Hz; every
    input spike moves the membrane by ``weight`` mV, up for ``kind="excitatory"`` and
    down for ``"inhibitory"``. Spikes arriving during a step are delivered at its start
    (as synaptic input is), from the network's seeded stream for this input.
    """

    rate: float
    weight: float
    n_sources: int = 1
    kind: str = "excitatory"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "rate", check.non_negative("PoissonInput", "rate", self.rate, "Hz"))
        set_(self, "weight", check.non_negative("PoissonInput", "weight", self.weight, "mV"))
        set_(self, "n_sources", check.integer("PoissonInput", "n_sources", self.n_sources, minimum=1))
        set_(self, "kind", check.choice("PoissonInput", "kind", self.kind, ("excitatory", "inhibitory")))

    @property
    def signed_weight(self) -> float:
        return self.weight if self.kind == "excitatory" else -self.weight

    def describe(self) -> dict:
        return {"type": "PoissonInput", "rate": self.rate, "weight": self.weight,
                "n_sources": self.n_sources, "kind": self.kind}
