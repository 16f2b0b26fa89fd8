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
