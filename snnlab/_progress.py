"""Long runs tell where they are, and stop when interrupted (issue 11, item 6).

Two small pieces, shared by snnlab's own runner (:mod:`snnlab.engine`) and by the
backends that hand a network to another engine (:mod:`snnlab.backends`):

* :class:`Pacer` cuts a run of ``steps`` steps into **slices** that take about
  :data:`SLICE_SECONDS` of wall-clock time each, adapting the slice length to the speed it
  measures. A compiled loop (numba, NEST) does not look at Python's
  signal flag, so Ctrl-C (SIGINT, "interrupt the kernel" in JupyterLab) raises
  :class:`KeyboardInterrupt` only when the loop returns: between slices, at most a slice
  after the signal. The pacer also drives the progress bar.
* The **progress bar** (``tqdm.auto``: a widget in JupyterLab, text on stderr in a terminal)
  shows the simulated time, the speed in simulated ms per wall-clock second and the time
  left. ``progress=True`` shows it from the start, ``False`` never, and ``"auto"`` (the
  default) only when, after a slice, the run is expected to take more than
  :data:`AUTO_SECONDS` of processor time in all (judged once :data:`AUTO_AFTER` seconds have
  been spent; a loaded machine does not inflate it): a short run never shows a bar
  (notebooks checked by nbval stay free of it) and pays a clock reading per slice.

An engine that runs in one piece and reports its own progress (the Brian2 backend's compiled
binary, :mod:`snnlab.backends.brian2`) moves a :class:`Progress` bar from its reports and
applies the same rule for "auto" (:func:`long_run`, on the engine's processor time).

For an engine that advances by a number of ms per call, :func:`run_in_slices` is the whole
loop::

    from snnlab._progress import run_in_slices
    run_in_slices(duration, dt, lambda t0, ms: nest.Run(ms), progress=progress, desc="NEST")

and for a loop of one's own, the pacer directly::

    with Pacer(steps, dt, progress, first=64) as pacer:
        done = 0
        while done < steps:
            count = pacer.next_steps(steps - done)
            engine.advance(count)          # the compiled part, about SLICE_SECONDS long
            pacer.done(count)              # times it, moves the bar
            done += count
"""

from __future__ import annotations

import functools
import math
import time
import warnings

#: A run expected to take longer than this (seconds of the processor's time, see
#: :meth:`Pacer.done`) shows a bar under progress="auto".
AUTO_SECONDS = 2.0
#: ... judged only once the run has taken this long (processor seconds): an estimate from a
#: few hundredths of a second is too rough.
AUTO_AFTER = 0.2
#: Wall-clock seconds a slice aims at: Ctrl-C is seen within about one slice.
SLICE_SECONDS = 0.1
#: A slice grows at most this many times over the previous one (speed can change as a network
#: starts firing; a cautious growth keeps every slice near SLICE_SECONDS).
GROWTH = 8


def long_run(elapsed: float, expected: float) -> bool:
    """Whether ``progress="auto"`` shows a bar: a run expected to take :data:`AUTO_SECONDS` of
    processor time or more in all (``expected``), judged once it has taken :data:`AUTO_AFTER`
    (``elapsed``). Shared by :class:`Pacer` and the engines that report their own progress
    (the Brian2 binary)."""
    return expected >= AUTO_SECONDS and elapsed >= AUTO_AFTER


def check_progress(owner: str, progress) -> object:
    """``progress`` if it is True, False or "auto"; otherwise a ValueError naming ``owner``."""
    if progress is True or progress is False or (isinstance(progress, str) and progress == "auto"):
        return progress
    raise ValueError(f"{owner}.progress: must be True, False or 'auto' (got {progress!r})")


@functools.cache
def _bar_class():
    """``tqdm.auto.tqdm`` without its monitor thread (a thread that could warn, or outlive a
    test) and with its import-time warnings silenced (``TqdmExperimentalWarning``, "IProgress
    not found" when ipywidgets is missing: then the text bar is used, which is right)."""
    from tqdm import TqdmExperimentalWarning, TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmExperimentalWarning)
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    return Bar


class Progress:
    """A progress bar over simulated time, in ms, opened on demand.

    Parameters
    ----------
    total_ms : float
        The simulated time the run covers (ms).
    desc : str
        The bar's label.
    file : file-like, optional
        Where a text bar is written (default: stderr); for tests.
    unit, bar_format : str, optional
        For a bar over something else than simulated time (the files of a C++ compile, which
        must not count as simulated time): the unit and tqdm's ``bar_format``.
    """

    #: The bar over simulated time: percentage, ms simulated, elapsed < left, speed.
    BAR_FORMAT = ("{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} ms simulated "
                  "[{elapsed}<{remaining}, {rate_fmt}]")

    def __init__(self, total_ms: float, desc: str = "snnlab", file=None, unit: str = "ms", bar_format=None):
        self.total_ms = float(total_ms)
        self.desc = desc
        self.file = file
        self.unit = unit
        self.bar_format = self.BAR_FORMAT if bar_format is None else bar_format
        self.bar = None
        self.done_ms = 0.0

    def open(self, started: float | None = None) -> None:
        """Show the bar (once), with the time already simulated; ``started``: the run's start
        (``time.perf_counter()``), so that elapsed time and speed count from there."""
        if self.bar is not None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tqdm's own warnings must not become errors in a run
            self.bar = _bar_class()(
                total=self.total_ms, desc=self.desc, unit=self.unit, file=self.file, leave=True, dynamic_ncols=True,
                bar_format=self.bar_format,
            )
            if started is not None:
                # count elapsed time and speed from the run's start: tqdm keeps time.time(), we
                # perf_counter(); a duration moves from one clock to the other
                shift = time.perf_counter() - started
                self.bar.start_t -= shift
                self.bar.last_print_t -= shift
            if self.done_ms:
                self.bar.update(self.done_ms)

    def advance(self, ms: float) -> None:
        """``ms`` more of simulated time are done."""
        self.moveto(self.done_ms + ms)

    def moveto(self, ms: float) -> None:
        """``ms`` of simulated time are done in all (kept within the total, so that the time
        left never shows as negative after rounding)."""
        self.done_ms = min(float(ms), self.total_ms)
        if self.bar is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.bar.update(self.done_ms - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def progress(total_ms: float, enabled=True, desc: str = "snnlab", file=None) -> Progress:
    """A :class:`Progress` bar over ``total_ms`` of simulated time, shown now if ``enabled``
    is True (for "auto", use a :class:`Pacer`, which decides from the measured speed).

    Use it as ``with progress(total_ms, enabled) as bar: ... bar.advance(ms)``."""
    bar = Progress(total_ms, desc=desc, file=file)
    if enabled is True:
        bar.open()
    return bar


class Pacer:
    """Slices a run of ``steps`` steps of ``dt`` ms into pieces of about ``target`` wall-clock
    seconds, and drives the progress bar (see the module docstring).

    Parameters
    ----------
    steps : int
        Steps in the run.
    dt : float
        ms per step (the bar counts simulated ms).
    progress : True, False or "auto"
        Show the bar from the start, never, or when the run is expected to take more than
        :data:`AUTO_SECONDS`.
    first : int
        Length of the first slice, in steps: a guess that should take well under ``target``
        (the runner estimates it from the network's size); later slices follow the speed measured.
    target : float, optional
        Wall-clock seconds per slice (default :data:`SLICE_SECONDS`).
    desc, file
        The bar's label and, for a text bar, where it goes (default stderr).
    """

    __slots__ = ("_cpu_from", "_cpu_start", "_desc", "_file", "_next", "_start", "_t", "bar", "done_steps", "dt",
                 "progress", "steps", "target")

    def __init__(self, steps: int, dt: float, progress="auto", first: int = 1, target: float | None = None,
                 desc: str = "snnlab", file=None):
        self.steps = steps
        self.dt = dt
        self.progress = progress
        self.target = SLICE_SECONDS if target is None else target
        self._next = max(1, int(first))
        self.done_steps = 0
        self.bar = None  # a Progress, made when shown: a short run makes none
        self._desc, self._file = desc, file
        self._cpu_start = None
        self._start = self._t = time.perf_counter()
        if progress is True:
            self._show()

    def _show(self) -> None:
        self.bar = Progress(self.steps * self.dt, desc=self._desc, file=self._file)
        self.bar.moveto(self.done_steps * self.dt)
        self.bar.open(started=self._start)

    def next_steps(self, limit: int) -> int:
        """The length of the next slice, in steps (at most ``limit``, at least 1)."""
        return max(1, min(self._next, limit))

    def done(self, steps: int) -> None:
        """``steps`` more steps are simulated: time them, size the next slice, move the bar."""
        now = time.perf_counter()
        took = now - self._t
        self._t = now
        self.done_steps += steps
        if steps > 0:
            # steps that would take `target` at the speed just measured, growing by at most GROWTH
            fit = steps * self.target / took if took > 0 else math.inf
            self._next = max(1, int(min(fit, GROWTH * max(steps, self._next))))
        if self.bar is not None:
            self.bar.moveto(self.done_steps * self.dt)
        elif self.progress == "auto" and self.done_steps < self.steps:
            # the processor time this process has had, not the wall-clock time: the same on an
            # idle machine, but not inflated by a busy one (nbval'd notebooks must stay silent
            # on a loaded CI machine, where a wall-clock estimate of their short runs can
            # triple); the slices above follow the wall clock, as Ctrl-C does. The clock starts
            # after the first slice, so that a run of one slice never reads it.
            cpu = time.process_time()
            if self._cpu_start is None:
                self._cpu_start, self._cpu_from = cpu, self.done_steps
                return
            elapsed = cpu - self._cpu_start
            if long_run(elapsed, elapsed * self.steps / max(self.done_steps - self._cpu_from, 1)):
                self._show()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def run_in_slices(duration: float, dt: float, advance, progress="auto", first_ms: float | None = None,
                  target: float | None = None, desc: str = "snnlab", file=None) -> None:
    """Advance an engine over ``duration`` ms in slices of whole steps of ``dt``, each about
    ``target`` wall-clock seconds, with a progress bar; Ctrl-C stops it between two slices.

    Parameters
    ----------
    duration : float
        ms to simulate (rounded to whole steps of ``dt`` by :func:`snnlab._checks.whole_steps`).
    dt : float
        ms per step; every slice is a whole number of steps.
    advance : callable
        ``advance(t0, ms)`` simulates ``ms`` ms starting at ``t0`` ms (e.g. ``nest.Run(ms)``
        inside ``nest.RunManager()``, or a Brian2 ``net.run(ms * b2.ms)`` in runtime mode).
    progress : True, False or "auto"
        As :class:`Pacer`.
    first_ms : float, optional
        The first slice (ms); default 10 steps.
    target, desc, file
        As :class:`Pacer`.
    """
    from ._checks import whole_steps  # snnlab's one rounding rule

    steps = int(whole_steps(duration, dt))
    first = 10 if first_ms is None else max(1, int(whole_steps(first_ms, dt)))
    with Pacer(steps, dt, progress, first=first, target=target, desc=desc, file=file) as pacer:
        done = 0
        while done < steps:
            count = pacer.next_steps(steps - done)
            advance(done * dt, count * dt)
            pacer.done(count)
            done += count
