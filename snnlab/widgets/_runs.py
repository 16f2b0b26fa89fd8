"""What the notebook panels' ``simulate`` functions return: the value and the warnings.

A slider can reach legal but suspicious settings (a coarse dt, a delay that rounds to
whole steps). The simulator warns about them; inside a widget callback a warning would
go to the kernel's log, where no student sees it. :func:`quietly` catches the warnings
of :mod:`snnlab` and keeps their text, so the panel's summary line can show it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg

from .._checks import SnnlabWarning


@dataclass(frozen=True, eq=False)
class Run:
    """A panel's computed value and the snnlab warnings raised while computing it."""

    value: object
    warnings: tuple = ()

    def note(self) -> str:
        """The warnings as text for a summary line ('' when there were none)."""
        return "".join(f"\nnote: {text}" for text in dict.fromkeys(self.warnings))


def quietly(function, *args, **kwargs) -> Run:
    """Call ``function(*args, **kwargs)``; return its value and the text of every
    :class:`snnlab.SnnlabWarning` it raised (other warnings pass through)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnnlabWarning)
        value = function(*args, **kwargs)
    texts = []
    for item in caught:
        if issubclass(item.category, SnnlabWarning):
            texts.append(str(item.message))
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return Run(value, tuple(texts))


def fixed_grid(fig, nrows: int, ncols: int, left: float = 0.07, right: float = 0.98, bottom: float = 0.12,
               top: float = 0.92, **kwargs):
    """A GridSpec with fixed margins (fractions of the figure) on a figure without a layout
    engine.

    Panels redraw on every slider change. With any layout engine set (even "none", a
    placeholder), ``savefig`` draws the whole figure twice, once to lay it out; the
    constrained layout the panel's figure starts with also costs about a draw. So panel
    plots remove the engine (``None``) and place their axes with margins chosen for the
    panel's size. The figure also gets an Agg canvas of its own: without one, every
    ``savefig`` makes a new canvas and renderer and lays out every text again.
    """
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.set_layout_engine(None)
    return fig.add_gridspec(nrows, ncols, left=left, right=right, bottom=bottom, top=top, **kwargs)
