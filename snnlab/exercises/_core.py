"""The machinery every exercise check shares: calling the student's code safely, and answering
in one line.

A check is a plain function of the student's code (a function they wrote, or what it returned),
decorated with :func:`exercise`. Its body runs the student's code through :func:`call` on many
cases and compares with snnlab's reference or a closed form; on the first disagreement it raises
:class:`Failure` with the case, the expected and the actual value and a hint (never the solution);
when everything agrees it returns what it checked, in a few words. The decorator turns that into
a :class:`Verdict`, prints it as one line and records it, so a grader can collect every verdict:

* ``✓ lif_step: 240 cases agree (zero current, at threshold, ...)``
* ``✗ lif_step: case u = 0.5 mV, I = 0 nA, dt = 0.1 ms: expected 0.495 mV, got 0.505 mV. Hint: ...``
* ``… lif_step: not done yet (replace the line raise NotImplementedError(...) with your code)``

A stub (code that raises ``NotImplementedError``, or returns ``None`` or ``...``) is "not done
yet", never a traceback; code that raises another error, runs longer than its time budget (an
endless loop) or returns the wrong type or shape gets a message that says so.
"""

from __future__ import annotations

import functools
import math
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Seconds a check may take in all (the student's calls included): a check answers at once.
BUDGET = 2.0

#: Every check's latest verdict in this process, by (notebook, exercise): what a grader reads.
RESULTS: dict[tuple[str, str], Verdict] = {}

#: Every exercise, by (notebook, exercise), in the order they were defined.
REGISTRY: dict[tuple[str, str], Exercise] = {}

SYMBOLS = {"passed": "✓", "failed": "✗", "not done": "…"}


class Failure(Exception):
    """Raised by a check's body: the student's answer is wrong; the message says where and why."""


class NotDone(Exception):
    """Raised by a check's body: the student has not written this part yet."""


class _OutOfTime(BaseException):
    """Raised inside the student's code when the budget runs out (a BaseException, so that a
    student's ``except Exception`` cannot swallow it)."""


@dataclass(frozen=True)
class Verdict:
    """The answer of one check: ``status`` is "passed", "failed" or "not done"."""

    notebook: str
    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def line(self) -> str:
        return f"{SYMBOLS[self.status]} {self.exercise}: {self.message}"

    def __str__(self) -> str:
        return self.line()

    def _ipython_display_(self) -> None:
        """Already printed by the check: showing the returned verdict again would say it twice."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its check, the notebook it belongs to, and the names in the student's
    notebook that the check is given (in order), which is how a grader calls it."""

    notebook: str
    name: str
    targets: tuple[str, ...]
    title: str
    check: Callable = field(repr=False, compare=False)


def exercise(notebook: str, name: str, targets: tuple[str, ...] | str, title: str):
    """Make ``body(*student_values)`` a check: it returns a short description of what was checked
    (passed), raises :class:`Failure` (failed) or :class:`NotDone` (not done yet). The check
    prints its one-line verdict, records it in :data:`RESULTS` and returns it. Its keyword
    ``quiet=True`` skips the printing (for graders and tests)."""
    targets = (targets,) if isinstance(targets, str) else tuple(targets)

    def decorate(body):
        @functools.wraps(body)
        def check(*values, quiet: bool = False):
            start = time.perf_counter()
            with _deadline(start + BUDGET):
                status, message = _judge(body, values)
            verdict = Verdict(notebook, name, status, message)
            RESULTS[(notebook, name)] = verdict
            if not quiet:
                print(verdict.line(), flush=True)
            return verdict

        REGISTRY[(notebook, name)] = Exercise(notebook, name, targets, title, check)
        check.exercise = REGISTRY[(notebook, name)]
        return check

    return decorate


def _judge(body, values) -> tuple[str, str]:
    try:
        for value in values:
            if value is None or value is Ellipsis:
                raise NotDone("the name is still None or ...")
        return "passed", str(body(*values))
    except NotDone as exc:
        return "not done", f"not done yet ({exc})" if str(exc) else "not done yet"
    except Failure as exc:
        return "failed", str(exc)
    except _OutOfTime:
        return "failed", (f"the check ran out of its {BUDGET:g} s: does your code loop forever, or do "
                          "much more work than the exercise needs?")
    except Exception as exc:  # a bug in the check itself: say so rather than blame the student
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "failed", (f"the check itself stopped with {type(exc).__name__}: {exc} "
                          f"(at {where.name}, line {where.lineno}); please tell your instructor")


class _deadline:
    """Raise :class:`_OutOfTime` in the main thread when ``until`` (perf_counter) passes.

    Uses SIGALRM, so an endless Python loop in the student's code is interrupted; where there is
    none (Windows, a thread that is not the main one) the check cannot interrupt and only reports
    the time taken."""

    def __init__(self, until: float):
        self.until = until
        self.armed = False

    def __enter__(self):
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            def _ring(signum, frame):
                raise _OutOfTime

            self.previous = signal.signal(signal.SIGALRM, _ring)
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, self.until - time.perf_counter()))
            self.armed = True
        return self

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


# -- what check bodies use ---------------------------------------------------------------------------


def call(function, *args, what: str, case: str = "", **kwargs):
    """Call the student's ``function`` and return its result.

    Raises :class:`NotDone` for a stub (``NotImplementedError``, or a result that is ``None`` or
    ``...``) and :class:`Failure` for any other error, naming ``what`` was called and ``case``."""
    if not callable(function):
        raise Failure(f"expected a function for {what}, got {_describe(function)}; pass the function itself, "
                      "without calling it (no parentheses)")
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        raise NotDone("it still raises NotImplementedError: replace that line with your code") from None
    except _OutOfTime:
        raise
    except Exception as exc:
        where = f" on case {case}" if case else ""
        raise Failure(f"{what} raised {type(exc).__name__}: {exc}{where}") from None
    if result is None or result is Ellipsis:
        raise NotDone(f"{what} returned {result!r}: it has no return statement yet, or returns nothing")
    return result


def _describe(value) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def number(value, *, what: str, case: str = "") -> float:
    """``value`` as a float, or :class:`Failure` saying what came instead."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise Failure(f"{what} should be a number, got {_describe(value)}" + (f" on case {case}" if case else ""))
    return float(value)


def array(value, *, what: str, shape: tuple | None = None, case: str = "", kinds: str = "iuf") -> np.ndarray:
    """``value`` as a numpy array of numbers (of ``shape``, where given; ``None`` in it: any length),
    or :class:`Failure` saying what came instead."""
    try:
        out = np.asarray(value)
    except Exception:  # a ragged list, an object numpy refuses
        out = None
    where = f" on case {case}" if case else ""
    if out is None or out.dtype.kind not in kinds:
        raise Failure(f"{what} should be an array of numbers, got {_describe(value)}{where}")
    if shape is not None:
        ok = out.ndim == len(shape) and all(s is None or s == o for s, o in zip(shape, out.shape))
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise Failure(f"{what} should have shape {want}, got shape {out.shape}{where}")
    return out


def close(actual: float, expected: float, *, what: str, case: str, hint: str, unit: str = "",
          rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """:class:`Failure` unless ``actual`` is within tolerance of ``expected``."""
    if not math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol):
        unit = f" {unit}" if unit else ""
        raise Failure(f"case {case}: expected {what} = {_fmt(expected)}{unit}, got {_fmt(actual)}{unit}. "
                      f"Hint: {hint}")


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.6g}"
    return str(x)


def verdicts(notebook: str | None = None) -> list[Verdict]:
    """The latest verdict of every check run in this process (of one notebook, if given)."""
    return [v for (nb, _), v in RESULTS.items() if notebook is None or nb == notebook]


def grade_namespace(notebook: str, namespace: dict) -> list[Verdict]:
    """Run every check of ``notebook`` on the student's names in ``namespace`` (a notebook's
    globals), quietly; a name that is missing is "failed", saying which name to define."""
    out = []
    for (nb, name), ex in REGISTRY.items():
        if nb != notebook:
            continue
        missing = [t for t in ex.targets if t not in namespace]
        if missing:
            out.append(Verdict(nb, name, "failed", f"not found in the notebook: {', '.join(missing)} "
                                                   "(was the cell that defines it run, or renamed?)"))
            continue
        out.append(ex.check(*(namespace[t] for t in ex.targets), quiet=True))
    return out
