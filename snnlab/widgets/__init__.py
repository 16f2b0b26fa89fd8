"""Slider panels for the notebooks: each wraps pure functions of :mod:`snnlab.experiments`.

Every panel is a :class:`Panel`; ``panel.widget()`` shows it in a notebook, and
``panel.compute(**values)`` does everything a slider does without a browser (tests
sweep every control through it). Each module here defines ``PANELS``, a dict of
name -> function returning a fresh Panel; :func:`all_panels` collects them. Their plot
functions take their axes from :func:`snnlab.plotting.reuse_layout`, so that an update
draws into the axes of the previous one instead of building new ones.
"""

import importlib
import pkgutil

from ._panel import FIGURE_WIDTH, Panel, checkbox, dropdown, fixed_grid, int_slider, seed_control, slider, sweep_values


def all_panels() -> dict:
    """Every panel factory of every notebook module, by name."""
    panels = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            panels.update(getattr(module, "PANELS", {}))
    return panels


__all__ = ["FIGURE_WIDTH", "Panel", "all_panels", "checkbox", "dropdown", "fixed_grid", "int_slider", "seed_control",
           "slider", "sweep_values"]
