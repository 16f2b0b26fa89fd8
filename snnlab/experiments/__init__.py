"""The assignment's set-ups (and what goes beyond them) as functions the notebooks call.

Each function builds a :class:`snnlab.Network` from plain parameters, runs it and returns
the :class:`snnlab.Result` (or a small result object); plotting and widgets sit on top.
Each module here matches a notebook and defines ``figures()``, returning that notebook's
main figures by name; :func:`figure_makers` collects them (``python -m snnlab figures DIR``).

The functions that draw a whole figure (``draw_…(fig, …)``) take their axes from
:func:`snnlab.plotting.reuse_layout`: the first drawing builds them, drawing again into the
same figure reuses them, emptied, and gives the same picture as a fresh figure (what a slider
panel does on every update).
"""

import importlib
import pkgutil


def figure_makers() -> dict:
    """name of a notebook module -> its ``figures`` function."""
    makers = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "figures"):
                makers[info.name] = module.figures
    return makers
