"""Slider panels for the notebooks: each wraps pure functions of :mod:`snnlab.experiments`.

Every panel is a :class:`Panel`; ``panel.widget()`` shows it in a notebook, and
``panel.compute(**values)`` does everything a slider does without a browser (tests
sweep every control through it).
"""

from ._panel import Panel, checkbox, dropdown, int_slider, seed_control, slider, sweep_values

__all__ = ["Panel", "checkbox", "dropdown", "int_slider", "seed_control", "slider", "sweep_values"]
