"""A slider panel over two pure functions: ``simulate(**values) -> result`` and
``plot(result, fig, **values)``.

Everything a slider does goes through :meth:`Panel.compute`, which needs no browser and
no kernel, so tests can sweep every control from its minimum to its maximum. The
widget itself (:meth:`Panel.widget`) shows the figure as a PNG in an
``ipywidgets.Image``, replaced in place on every change, and a one-line summary.

The figure is a plain ``matplotlib.figure.Figure`` (no pyplot) with its own Agg canvas,
created once per panel, so panels hold no global state and never pile up figures. Building
axes (their ticks, tick labels, spines) costs more than drawing into them, so a plot
function starts with :func:`snnlab.plotting.reuse_layout`: the first update builds the
axes, later ones get the same axes back, emptied, and run the same drawing code on them
(a plot function that adds its axes itself gets a cleared figure on every update instead).
A panel may also have a ``replot`` function, which puts the new result into the artists the
plot function drew last time (new data in its lines, new labels in its legends), the same
picture in less time: competition's drawing code was a third of its update.
The figure has no layout engine: a constrained layout costs about as much as drawing the
axes again, so plot functions place their axes with :func:`fixed_grid`.

A slider can take a network outside the physiological range (a potential hundreds of mV
below rest, rates of thousands of Hz, one spike enough to fire a neuron): the summary then
says so in words, with the reason (:mod:`snnlab.ranges`). A slider can also reach legal but
suspicious settings (a coarse dt, a delay that rounds to whole steps). The simulator warns
about them; inside a widget callback a warning would go to the kernel's log, where no
student sees it, so the panel catches snnlab's warnings and shows them under the figure,
after the summary.

In a notebook (:meth:`Panel.widget`) the controls stand in a narrow column left of the
figure, so that both fit a laptop's screen (1366 x 768) together. A panel whose update is
cheap (``continuous=True``, the default) redraws while a slider is dragged: a control's
change only records that the values changed and wakes the panel's one drawing thread, which
draws the newest values and drops the ones it had no time for, so the figure follows the
hand without a backlog and the last figure is the one for the last values. While a slider is
dragged (a change comes while the last one is being drawn, or just after a frame of the drag),
the axes hold still: each frame draws the new data in the limits of the last full drawing, so no
tick or label is drawn again, the slowest part of a drawing; once the changes stop for
:data:`SETTLE` s, the last values are drawn in full, with the axes fitted to them. Figures are
rendered by :class:`~snnlab.widgets._render.PanelCanvas`, which keeps the axes' ticks and
labels as pixels while they stand still and draws only the data over them (and reuses the
text it rasterised); after the plot function, the panel rounds the limits of axes that follow
the data (:func:`snnlab.plotting.round_limits`), so that a small step leaves them in place.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import imagecodecs
import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from .._checks import SnnlabWarning
from ..plotting import _has_layout, round_limits, set_limits
from ..ranges import out_of_range
from ..results import Result
from ._render import PanelCanvas

#: Width of slider descriptions: short labels with units (the full text is the tooltip).
DESCRIPTION_WIDTH = "8.5em"
#: Layout of every control: a narrow column left of the figure.
CONTROL_LAYOUT = {"width": "21.5em"}
#: Width of the column of controls.
COLUMN_WIDTH = "22em"
#: Width of a panel's figure, inches at the panel's 80 dpi: what is left of JupyterLab's notebook
#: area at 1366 x 768 (with its file browser open) beside the column of controls.
FIGURE_WIDTH = 7.9
#: Seconds without a change after which the last frame of a drag is drawn again in full (with the
#: axes fitted to its data); a drag brings a change every 50-100 ms.
SETTLE = 0.15
#: The summary's lines closer together than ipywidgets' 28 px, so that notes fit under the figure.
_STYLE = ("<style>.snnlab-summary .widget-html-content {line-height: 1.35; padding: 2px 0;}"
          ".snnlab-panel .snnlab-controls .widget-inline-hbox {margin-top: 1px; margin-bottom: 1px;}"
          ".snnlab-panel .snnlab-controls .widget-readout {min-width: 3em; width: 3.2em; margin-left: 6px;}</style>")


def _style():
    return {"description_width": DESCRIPTION_WIDTH}


def slider(name: str, description: str, value: float, min: float, max: float, step: float,
           continuous: bool = False, readout_format: str = ".2f", tooltip: str | None = None) -> w.FloatSlider:
    """A float slider for parameter ``name`` (its class ``snnlab-<name>`` lets browser tests
    find it). ``continuous=False`` (default) updates on release or key press only;
    :meth:`Panel.widget` turns continuous updates on for a ``continuous`` panel, whose drawing
    thread drops the values it has no time for, so a drag never queues a pile of simulations."""
    control = w.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                            continuous_update=continuous, readout_format=readout_format,
                            style=_style(), layout=CONTROL_LAYOUT, tooltip=tooltip or description)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def int_slider(name: str, description: str, value: int, min: int, max: int, step: int = 1,
               continuous: bool = False, tooltip: str | None = None) -> w.IntSlider:
    control = w.IntSlider(value=value, min=min, max=max, step=step, description=description,
                          continuous_update=continuous, style=_style(), layout=CONTROL_LAYOUT,
                          tooltip=tooltip or description)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def dropdown(name: str, description: str, options, value=None, tooltip: str | None = None) -> w.Dropdown:
    control = w.Dropdown(options=options, value=value if value is not None else _first(options),
                         description=description, style=_style(), layout=CONTROL_LAYOUT,
                         tooltip=tooltip or description)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def checkbox(name: str, description: str, value: bool = False, tooltip: str | None = None) -> w.Checkbox:
    control = w.Checkbox(value=value, description=description, indent=False, layout=CONTROL_LAYOUT,
                         tooltip=tooltip or description)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def seed_control(value: int = 0) -> w.BoundedIntText:
    """The seed of every random thing in a panel; change it to see which results are robust."""
    control = w.BoundedIntText(value=value, min=0, max=2**31 - 1, description="seed",
                               style=_style(), layout={"width": "16em"})
    control.add_class("snnlab-seed")
    control.add_class("snnlab-control")
    return control


def _first(options):
    if isinstance(options, dict):
        return next(iter(options.values()))
    first = next(iter(options))
    return first[1] if isinstance(first, tuple) else first


def fixed_grid(fig, nrows: int, ncols: int, left: float = 0.07, right: float = 0.98, bottom: float = 0.12,
               top: float = 0.92, **kwargs):
    """A GridSpec with fixed margins (fractions of the figure), for a panel's figure, which has
    no layout engine (see the module docstring); ``kwargs`` go to ``Figure.add_gridspec``."""
    return fig.add_gridspec(nrows, ncols, left=left, right=right, bottom=bottom, top=top, **kwargs)


def sweep_values(control: w.Widget, points: int = 5) -> list:
    """Values a test should try for a control: both ends and points between (every option of
    a dropdown, both states of a checkbox)."""
    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        lo, hi = control.min, control.max
        values = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
        if isinstance(control, w.IntSlider):
            values = sorted({round(v) for v in values})
        else:
            step = control.step
            values = [min(hi, max(lo, lo + round((v - lo) / step) * step)) for v in values]
        return values
    if isinstance(control, w.Checkbox):
        return [False, True]
    if isinstance(control, w.Dropdown):
        return [value for _, value in control.options] if control.options and isinstance(
            control.options[0], tuple) else list(control.options)
    if isinstance(control, w.BoundedIntText):
        return [control.min, min(control.max, 1), min(control.max, 12345)]
    raise TypeError(f"sweep_values: no sweep for {type(control).__name__}")


@dataclass
class Panel:
    """Controls, a simulate function, a plot function and a summary, wired together.

    Parameters
    ----------
    controls : dict of name -> ipywidgets control
        Each control's value is passed to ``simulate`` and ``plot`` as the keyword ``name``.
    simulate : callable(**values) -> result
        Pure: the same values give the same result.
    plot : callable(result, fig, **values) -> None
        Draws into the panel's ``matplotlib.figure.Figure``, starting with
        ``snnlab.plotting.reuse_layout(fig, build, ...)`` for its axes (or into an empty
        figure, if it adds its axes itself).
    summary : callable(result) -> str, optional
        One line of text shown under the figure (spike counts, rates, the winner).
    figsize : (float, float)
        Inches, at ``dpi`` (80) dots per inch; :data:`FIGURE_WIDTH` wide fits beside the controls
        at 1366 x 768.
    dpi : int
        Dots per inch of the PNG.
    title : str or None
        Bold line above the panel.
    continuous : bool
        Redraw while a slider moves (for panels whose update takes well under 100 ms);
        False redraws when it is let go. Default True.
    replot : callable(result, fig, **values) -> bool, optional
        Puts a result into the artists ``plot`` drew last time, in place (new data in the same
        lines), for the same picture as ``plot`` draws afresh, in less time; returns False where
        it cannot (then ``plot`` draws).

    Attributes
    ----------
    last_seconds : float
        Time of the last :meth:`update`, s.
    renders : int
        How many updates were drawn (a drag draws fewer than it sends changes).
    replots : int
        How many of them ``replot`` drew in place.
    """

    controls: dict
    simulate: Callable
    plot: Callable
    summary: Callable | None = None
    figsize: tuple = (9.0, 4.5)
    dpi: int = 80
    title: str | None = None
    continuous: bool = True
    replot: Callable | None = None
    figure: Figure = field(init=False, repr=False)
    last_seconds: float = field(init=False, default=math.nan)
    renders: int = field(init=False, default=0)
    replots: int = field(init=False, default=0)

    def __post_init__(self):
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi)
        PanelCanvas(self.figure)  # one canvas for all updates, which remembers its rasterised text
        self._image = None
        self._text = None
        self._lock = threading.RLock()  # one drawing at a time: the figure is not thread-safe
        self._wake = threading.Condition()
        self._pending = False  # values changed since the drawing thread last looked
        self._busy = False
        self._dragging = False  # the pending change came during a drawing, or just after a frame of a drag
        self._held = False  # the figure shown is a frame of a drag (the axes' limits held)
        self._limits = None  # [(axes, xlim, ylim)] of the last drawing in full
        self._worker = None

    def values(self, **changes) -> dict:
        """The controls' current values, with ``changes`` applied (names must exist)."""
        unknown = set(changes) - set(self.controls)
        if unknown:
            raise ValueError(f"Panel: no control named {sorted(unknown)}; the controls are {sorted(self.controls)}")
        values = {name: control.value for name, control in self.controls.items()}
        values.update(changes)
        return values

    def compute(self, hold: bool = False, **changes):
        """Simulate and draw for the current values with ``changes``; return (result, figure, text).

        This is everything a slider change does, minus showing the PNG. snnlab's warnings
        raised on the way end the text, one "note:" line each. ``hold=True`` draws a frame of a
        drag: the data for these values, in the axes' limits of the last drawing without ``hold``
        (see :meth:`widget`)."""
        values = self.values(**changes)
        with self._lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SnnlabWarning)
            result = self.simulate(**values)
            if self.replot is not None and self.replot(result, self.figure, **values):
                self.replots += 1
            else:
                if not _has_layout(self.figure):  # the plot function adds its own axes
                    self.figure.clear()
                self.plot(result, self.figure, **values)
            for ax in self.figure.axes:  # axes that follow the data stand still for small steps
                round_limits(ax, auto_only=True)
            self._hold_limits(hold)
            text = self.summary(result) if self.summary is not None else ""
        notes = []
        for item in caught:
            if issubclass(item.category, SnnlabWarning):
                notes.append(str(item.message))
            else:  # not ours to explain: let it through
                warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
        text += "".join(f"\n⚠ {note}" for note in physiology_notes(result))
        text += "".join(f"\nnote: {note}" for note in dict.fromkeys(notes))
        return result, self.figure, text

    def _hold_limits(self, hold: bool) -> None:
        """Put back the limits of the last drawing without ``hold`` (same axes only), or remember
        these as that drawing's."""
        axes = self.figure.axes
        if hold and self._limits is not None and [ax for ax, *_ in self._limits] == axes:
            for ax, xlim, ylim in self._limits:
                set_limits(ax, "x", xlim, auto=None)
                set_limits(ax, "y", ylim, auto=None)
        elif not hold:
            self._limits = [(ax, ax.get_xlim(), ax.get_ylim()) for ax in axes]

    def png(self) -> bytes:
        """The figure as PNG bytes, drawn by the panel's canvas (which reuses the static layer of
        an earlier drawing; ``savefig`` would draw everything again).

        Encoded by imagecodecs' libpng with zlib level 1 and every row filtered by "up" (each
        pixel minus the one above it): a figure is mostly rows equal to the row above, and
        choosing a filter per row, as Pillow and matplotlib do, takes three times longer for a
        file of the same size (about 3 ms against 10 for a panel's figure). An opaque figure
        goes without its alpha channel: a quarter less to compress, and to send."""
        with self._lock:
            canvas = self.figure.canvas
            canvas.draw()
            pixels = np.asarray(canvas.buffer_rgba())
            patch = self.figure.patch
            if patch.get_alpha() in (None, 1) and patch.get_facecolor()[3] == 1:
                pixels = np.ascontiguousarray(pixels[..., :3])
            return imagecodecs.png_encode(pixels, level=1, filter=imagecodecs.PNG.FILTER.UP)

    def update(self, hold: bool = False, **changes) -> tuple:
        """Compute (``hold``: a frame of a drag, see :meth:`compute`), render to PNG and time it
        (seconds, in :attr:`last_seconds`)."""
        with self._lock:
            start = time.perf_counter()
            result, _, text = self.compute(hold=hold, **changes)
            image = self.png()
            self.last_seconds = time.perf_counter() - start
            self.renders += 1
        return result, image, text

    def _refresh(self, _change=None, hold: bool = False) -> None:
        """Draw the controls' current values into the widget (in the calling thread)."""
        try:
            _, image, text = self.update(hold=hold)
        except (ValueError, TypeError) as exc:  # a combination the model refuses: say why
            self._text.value = f"<span style='color:#b00'>{_escape(str(exc))}</span>"
            return
        self._image.value = image
        self._text.value = _escape(text)

    def _changed(self, _change=None) -> None:
        """A control moved: note it and wake the drawing thread (never draw here, so that a
        drag's many changes cannot queue up behind one another)."""
        with self._wake:
            self._pending = True
            if self._busy or self._held:  # a change while the last one is drawn, or just after: a drag
                self._dragging = True
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._draw_loop, name="snnlab-panel", daemon=True)
                self._worker.start()
            self._wake.notify()

    def _draw_loop(self) -> None:
        """The drawing thread: draw the newest values while there are changes not yet drawn. The
        changes of a drag are drawn as frames in the axes' last limits (no new ticks to draw), and
        once no change has come for :data:`SETTLE` s, the last values are drawn again in full."""
        while True:
            with self._wake:
                while not self._pending:
                    if self._held and not self._wake.wait(SETTLE) and not self._pending:
                        break  # the drag has stopped: draw its last values in full
                    if not self._held:
                        self._wake.wait()
                hold = self._pending and self._dragging
                self._pending = self._dragging = False  # changes from now on ask for another drawing
                self._busy = True
            try:
                self._refresh(hold=hold)
            except Exception as exc:  # the thread must live on, and the student sees why
                self._text.value = f"<span style='color:#b00'>{_escape(f'{type(exc).__name__}: {exc}')}</span>"
            finally:
                with self._wake:
                    self._busy = False
                    self._held = hold
                    self._wake.notify_all()

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until every change of the controls is drawn; True if so within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._pending or self._busy or self._held:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def widget(self) -> w.VBox:
        """The controls in a column left of the figure and the summary; every change redraws
        (while a slider moves, for a ``continuous`` panel)."""
        self._image = w.Image(format="png", layout={"max_width": "none", "flex": "0 0 auto"})
        self._image.add_class("snnlab-figure")
        self._text = w.HTML()
        self._text.add_class("snnlab-summary")
        for control in self.controls.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = self.continuous
            control.observe(self._changed, names="value")
        self._refresh()  # the first figure is drawn before the widget shows
        # the image's size in pixels, as attributes: a new figure of the same size then needs no
        # new layout of the notebook around it
        self._image.width, self._image.height = map(str, self.figure.canvas.get_width_height(physical=True))
        title = f"<b>{_escape(self.title)}</b>" if self.title else ""
        column = w.VBox(list(self.controls.values()), layout={"width": COLUMN_WIDTH, "flex": "0 0 auto"})
        column.add_class("snnlab-controls")
        box = w.VBox([w.HTML(_STYLE + title), w.HBox([column, self._image]), self._text])
        box.add_class("snnlab-panel")
        return box


def physiology_notes(result) -> list[str]:
    """:func:`snnlab.ranges.out_of_range` of a panel's result (a Result, or a dict, list or tuple
    of them), each note once."""
    if isinstance(result, Result):
        return out_of_range(result)
    parts = result.values() if isinstance(result, dict) else result if isinstance(result, (list, tuple)) else ()
    notes = [note for part in parts if isinstance(part, Result) for note in out_of_range(part)]
    return list(dict.fromkeys(notes))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
