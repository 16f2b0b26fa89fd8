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
The figure has no layout engine: a constrained layout costs about as much as drawing the
axes again, so plot functions place their axes with :func:`fixed_grid`.

A slider can take a network outside the physiological range (a potential hundreds of mV
below rest, rates of thousands of Hz, one spike enough to fire a neuron): the summary then
says so in words, with the reason (:mod:`snnlab.ranges`). A slider can also reach legal but
suspicious settings (a coarse dt, a delay that rounds to whole steps). The simulator warns
about them; inside a widget callback a warning would go to the kernel's log, where no
student sees it, so the panel catches snnlab's warnings and shows them under the figure,
after the summary.
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as w
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._checks import SnnlabWarning
from ..plotting import _has_layout
from ..ranges import out_of_range
from ..results import Result

#: Width of slider descriptions, so labels with units are not cut off.
DESCRIPTION_WIDTH = "13em"
#: Layout of every control.
CONTROL_LAYOUT = {"width": "32em"}


def _style():
    return {"description_width": DESCRIPTION_WIDTH}


def slider(name: str, description: str, value: float, min: float, max: float, step: float,
           continuous: bool = False, readout_format: str = ".2f") -> w.FloatSlider:
    """A float slider for parameter ``name`` (its class ``snnlab-<name>`` lets browser tests
    find it). ``continuous=False`` (default) updates on release or key press only, so a drag
    never queues a pile of simulations."""
    control = w.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                            continuous_update=continuous, readout_format=readout_format,
                            style=_style(), layout=CONTROL_LAYOUT)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def int_slider(name: str, description: str, value: int, min: int, max: int, step: int = 1,
               continuous: bool = False) -> w.IntSlider:
    control = w.IntSlider(value=value, min=min, max=max, step=step, description=description,
                          continuous_update=continuous, style=_style(), layout=CONTROL_LAYOUT)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def dropdown(name: str, description: str, options, value=None) -> w.Dropdown:
    control = w.Dropdown(options=options, value=value if value is not None else _first(options),
                         description=description, style=_style(), layout=CONTROL_LAYOUT)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def checkbox(name: str, description: str, value: bool = False) -> w.Checkbox:
    control = w.Checkbox(value=value, description=description, indent=False, layout=CONTROL_LAYOUT)
    control.add_class(f"snnlab-{name}")
    control.add_class("snnlab-control")
    return control


def seed_control(value: int = 0) -> w.BoundedIntText:
    """The seed of every random thing in a panel; change it to see which results are robust."""
    control = w.BoundedIntText(value=value, min=0, max=2**31 - 1, description="seed",
                               style=_style(), layout={"width": "18em"})
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
        Inches.
    """

    controls: dict
    simulate: Callable
    plot: Callable
    summary: Callable | None = None
    figsize: tuple = (9.0, 4.5)
    dpi: int = 80
    title: str | None = None
    figure: Figure = field(init=False, repr=False)
    last_seconds: float = field(init=False, default=math.nan)

    def __post_init__(self):
        self.figure = Figure(figsize=self.figsize, dpi=self.dpi)
        FigureCanvasAgg(self.figure)  # one canvas for all updates, not a new one per savefig
        self._image = None
        self._text = None

    def values(self, **changes) -> dict:
        """The controls' current values, with ``changes`` applied (names must exist)."""
        unknown = set(changes) - set(self.controls)
        if unknown:
            raise ValueError(f"Panel: no control named {sorted(unknown)}; the controls are {sorted(self.controls)}")
        values = {name: control.value for name, control in self.controls.items()}
        values.update(changes)
        return values

    def compute(self, **changes):
        """Simulate and draw for the current values with ``changes``; return (result, figure, text).

        This is everything a slider change does, minus showing the PNG. snnlab's warnings
        raised on the way end the text, one "note:" line each."""
        values = self.values(**changes)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SnnlabWarning)
            result = self.simulate(**values)
            if not _has_layout(self.figure):  # the plot function adds its own axes
                self.figure.clear()
            self.plot(result, self.figure, **values)
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

    def png(self) -> bytes:
        """The figure as PNG bytes. zlib level 1: a quarter of an update's time is the PNG
        encoding at the default level 6, for files only ~5 % smaller."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def update(self, **changes) -> tuple:
        """Compute, render to PNG and time it (seconds, in :attr:`last_seconds`)."""
        start = time.perf_counter()
        result, _, text = self.compute(**changes)
        image = self.png()
        self.last_seconds = time.perf_counter() - start
        return result, image, text

    def _refresh(self, _change=None):
        try:
            _, image, text = self.update()
        except (ValueError, TypeError) as exc:  # a combination the model refuses: say why
            self._text.value = f"<span style='color:#b00'>{_escape(str(exc))}</span>"
            return
        self._image.value = image
        self._text.value = _escape(text)

    def widget(self) -> w.VBox:
        """The controls above the figure and the summary; every change redraws."""
        self._image = w.Image(format="png", layout={"max_width": "100%"})
        self._image.add_class("snnlab-figure")
        self._text = w.HTML()
        self._text.add_class("snnlab-summary")
        for control in self.controls.values():
            control.observe(self._refresh, names="value")
        self._refresh()
        children = []
        if self.title:
            children.append(w.HTML(f"<b>{_escape(self.title)}</b>"))
        boxes = list(self.controls.values())
        half = (len(boxes) + 1) // 2
        children.append(w.HBox([w.VBox(boxes[:half]), w.VBox(boxes[half:])]))
        children += [self._image, self._text]
        box = w.VBox(children)
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
