"""Parameter checks shared by every description object.

Every message has one shape, ``Owner.parameter: what is allowed (got value)``,
so a student sees which object, which parameter, what to change and what they
passed. Checks run when a description is created (or, for checks that involve
several objects, when the network is built), never in the middle of a run.
"""

from __future__ import annotations

import numbers
import os
import sys
import warnings

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class SnnlabWarning(UserWarning):
    """Legal but suspicious input (a delay that rounds, a coarse dt, ...)."""


def warn(message: str) -> None:
    """Warn, pointing at the first caller outside snnlab (the student's line, not ours)."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, SnnlabWarning, stacklevel=level)


def all_finite(values) -> bool:
    """True when every value is finite. A sum is finite only if every term is, so one pass that
    makes no array of flags answers for almost every array; only a sum that overflows (finite
    values too large to add up) needs the value-by-value check."""
    values = np.asarray(values)
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(values, axis=None)):
            return True
    return bool(np.all(np.isfinite(values)))


def _show(value) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real(owner: str, name: str, value, unit: str = "", *, allow_inf: bool = False) -> float:
    """Return ``value`` as a float; reject bools, non-numbers, NaN (and inf unless allowed)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(
                f"{owner}.{name}: must be a number{_in(unit)} (got {_show(value)} of type "
                f"{type(value).__name__})"
            )
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{owner}.{name}: must be a finite number{_in(unit)} (got {value!r})")
    return value


def positive(owner: str, name: str, value, unit: str = "") -> float:
    value = real(owner, name, value, unit)
    if value <= 0:
        raise ValueError(f"{owner}.{name}: must be > 0{_unit(unit)} (got {value!r})")
    return value


def non_negative(owner: str, name: str, value, unit: str = "", *, allow_inf: bool = False) -> float:
    value = real(owner, name, value, unit, allow_inf=allow_inf)
    if value < 0:
        raise ValueError(f"{owner}.{name}: must be >= 0{_unit(unit)} (got {value!r})")
    return value + 0.0  # -0.0 is allowed and becomes 0.0 (numpy refuses a scale of -0.0)


def array(owner: str, name: str, value, kinds: str = "iuf") -> np.ndarray:
    """``value`` as a numpy array of numbers; a ragged list or non-numbers are refused by name."""
    where = f"{owner}.{name}" if name else owner
    try:
        result = np.asarray(value)
    except (ValueError, TypeError):
        raise TypeError(
            f"{where}: must be a number or a regular (not ragged) list or array of numbers (got {_show(value)})"
        ) from None
    if result.dtype.kind not in kinds:
        raise TypeError(f"{where}: must hold numbers (got {_show(value)})")
    return result


def ndim(owner: str, name: str, value) -> int:
    """Number of dimensions of ``value`` (0 for a number); ragged lists are refused by name."""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return 0
    try:
        return np.ndim(value)
    except (ValueError, TypeError):
        where = f"{owner}.{name}" if name else owner
        raise TypeError(
            f"{where}: must be a number or a regular (not ragged) list or array of numbers (got {_show(value)})"
        ) from None


#: The most steps a run, a delay or a refractory period can take (32-bit step counters).
MAX_STEPS = 2**31 - 1


#: Steps by which a duration may fall short of a half step and still round up (float error).
HALF_STEP_TOLERANCE = 1e-9


def whole_steps(value_ms, dt: float) -> np.ndarray:
    """Durations (ms) as whole steps of ``dt``: snnlab's one rounding rule.

    Every duration that becomes a number of steps is rounded here and only here: the
    refractory period, synaptic and coupling delays, the duration of a run, and the bins,
    windows and start times of :mod:`snnlab.analysis`. The rule is **the nearest whole
    number, a half step rounded up**::

        steps = floor(value_ms / dt + 1/2 + HALF_STEP_TOLERANCE)

    so at dt = 0.1 ms, 0.05 ms is 1 step, 0.15 ms is 2 and 0.25 ms is 3 (``numpy.rint`` of
    the ratio gives 0, 1 and 2: it rounds a half to even). The tolerance of 1e-9 step
    makes a half step that floating point puts just below one half round up all the same
    (0.15 / 0.1 is 1.4999999999999998). Where a duration changes in rounding, its owner
    warns, naming the steps it uses.

    Returns
    -------
    ndarray of float
        Whole numbers of steps, as floats (they may be too large for an integer; callers
        check against :data:`MAX_STEPS`).
    """
    return np.floor(np.asarray(value_ms, dtype=float) / dt + 0.5 + HALF_STEP_TOLERANCE)


def _steps_text(steps: int) -> str:
    return "1 step" if steps == 1 else f"{steps} steps"


def warn_if_rounded(owner: str, name: str, value_ms: float, steps: int, dt: float, *, doing: str = "using",
                    more: str = "") -> None:
    """Warn that a duration is not a whole number of steps, naming the steps used instead."""
    if abs(steps * dt - value_ms) > 1e-9 * max(1.0, abs(value_ms)):
        warn(
            f"{owner}.{name}: {value_ms!r} ms is not a whole number of steps of dt = {dt!r} ms; "
            f"{doing} {steps * dt:g} ms ({_steps_text(steps)}){more}"
        )


#: The longest delay, in steps (the engine keeps delays as 32-bit integers).
MAX_DELAY_STEPS = MAX_STEPS


def delay_steps(owner: str, delay, dt: float, *, warn: bool = False) -> np.ndarray:
    """Delays (ms, a number or an array) as whole steps of dt (int64, same shape); a delay under
    one step or over MAX_DELAY_STEPS is an error, a delay that is not a whole number of steps
    is rounded by :func:`whole_steps` (with a warning when ``warn``)."""
    delay = np.asarray(delay, dtype=float)
    if not np.all(np.isfinite(delay)):
        raise ValueError(
            f"{owner}.delay: must be finite ms (got {float(delay[~np.isfinite(delay)].flat[0])!r} ms)"
        )
    ratio = whole_steps(delay, dt)
    if delay.size and ratio.min() < 1:
        raise ValueError(
            f"{owner}.delay: must be at least one step, dt = {dt!r} ms, and finite "
            f"(got {float(delay.flat[np.argmin(ratio)])!r} ms); snnlab delivers a spike at the earliest "
            "one step after it"
        )
    if delay.size and ratio.max() > MAX_DELAY_STEPS:
        raise ValueError(
            f"{owner}.delay: must be at most {MAX_DELAY_STEPS} steps of dt = {dt!r} ms "
            f"(got {float(delay.flat[np.argmax(ratio)])!r} ms)"
        )
    steps = ratio.astype(np.int64)
    if warn and delay.size:
        off = np.abs(steps * dt - delay)
        i = int(np.argmax(off))
        more = (f"; {int(np.count_nonzero(off > 1e-9))} delays rounded by up to {off.max():.3g} ms"
                if delay.size > 1 else "")
        # the worst-rounded delay stands for all of them (judged against the largest, like one delay)
        scale = max(1.0, float(np.abs(delay).max()))
        if off.max() > 1e-9 * scale:
            warn_if_rounded(owner, "delay", float(delay.flat[i]), int(steps.flat[i]), dt, more=more)
    return steps


def refractory_steps(owner: str, refractory: float, dt: float) -> int:
    """A refractory period (ms) as whole steps of dt (with a warning when rounded); longer than
    any run can be, it is MAX_STEPS + 1 (the neuron stays refractory to the end either way)."""
    steps = float(whole_steps(refractory, dt))
    if steps > MAX_STEPS:
        return MAX_STEPS + 1
    steps = int(steps)
    warn_if_rounded(owner, "refractory", refractory, steps, dt)
    return steps


def duration_steps(owner: str, duration, dt: float) -> int:
    """A run's duration (ms) as whole steps of dt, at least one and at most MAX_STEPS (with a
    warning when rounded)."""
    duration = positive(owner, "duration", duration, "ms")
    steps = float(whole_steps(duration, dt))
    if steps < 1:
        raise ValueError(f"{owner}.duration: must be at least one step, dt = {dt!r} ms (got {duration!r})")
    if steps > MAX_STEPS:
        raise ValueError(
            f"{owner}.duration: must be at most {MAX_STEPS} steps of dt = {dt!r} ms "
            f"(got {duration!r} ms, {steps:.3g} steps)"
        )
    steps = int(steps)
    warn_if_rounded(owner, "duration", duration, steps, dt, doing="simulating")
    return steps


def initial_potentials(owner: str, values, model, drawn_from=None) -> None:
    """Initial potentials must be finite, below threshold and not below the floor."""
    source = f" drawn from {drawn_from}" if drawn_from is not None else ""
    bad = ~np.isfinite(values)
    if np.any(bad):
        raise ValueError(f"{owner}: must be finite mV (got {float(values[bad].flat[0])!r})")
    if np.any(values >= model.threshold):
        raise ValueError(
            f"{owner}: must be below threshold = {model.threshold!r} mV (got {float(values.max())!r}{source})"
        )
    if model.floor is not None and np.any(values < model.floor):
        raise ValueError(f"{owner}: must be >= floor = {model.floor!r} mV (got {float(values.min())!r}{source})")


class SizeError(ValueError):
    """A network or a recording that would not fit in memory, refused before it is built."""


def available_memory() -> int | None:
    """Bytes of memory available now (None where the system does not say)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def fmt_bytes(n: float) -> str:
    """``1.23 MB``: bytes in decimal units, three significant digits."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} TB"  # pragma: no cover


def probability(owner: str, name: str, value) -> float:
    value = real(owner, name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{owner}.{name}: must be in [0, 1] (got {value!r})")
    return value


def integer(owner: str, name: str, value, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= ``minimum``; floats with an integer value are refused too,
    because ``n=100.5`` and ``n=100.0`` are usually a typo for something else."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
            value = value.item()
        else:
            raise TypeError(
                f"{owner}.{name}: must be an integer >= {minimum} (got {_show(value)} of type "
                f"{type(value).__name__})"
            )
    value = int(value)
    if value < minimum:
        raise ValueError(f"{owner}.{name}: must be an integer >= {minimum} (got {value})")
    if value > MAX_INTEGER:  # beyond any size or count snnlab can hold (64-bit counters)
        raise ValueError(f"{owner}.{name}: must be an integer <= {MAX_INTEGER} (got {value})")
    return value


#: The largest count or size any parameter may take.
MAX_INTEGER = 2**62


def choice(owner: str, name: str, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{owner}.{name}: must be one of {listed} (got {_show(value)})")
    return value


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _in(unit: str) -> str:
    return f" in {unit}" if unit else ""


def as_generator(seed, owner: str = "seed") -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a SeedSequence or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(
        f"{owner}: must be None, a non-negative integer or a numpy.random.Generator (got {_show(seed)})"
    )
