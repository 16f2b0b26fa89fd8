"""Exercises: the student writes the code the assignment asks for, and a check answers at once.

One module per notebook (the same names as :mod:`snnlab.experiments`); each defines its checks
with :func:`exercise` and the name of its notebook, ``NOTEBOOK``. In a notebook::

    from snnlab.exercises import single_neuron as check
    check.lif_step(lif_step)        # prints one line: ✓, ✗ with the failing case, or … not done yet

How a check is built, and how it answers: :mod:`snnlab.exercises._core`.
"""

from __future__ import annotations

import importlib

from ._core import BUDGET, REGISTRY, Exercise, Verdict, exercise, grade_namespace, verdicts

#: The notebook each module's exercises belong to, in the order of the course.
MODULES = {
    "00_lif_neuron": "single_neuron",
    "01_two_neurons": "two_neurons",
    "02_population": "population",
    "03_populations": "populations",
    "04_balanced_network": "balanced",
}


def load_all() -> dict[tuple[str, str], Exercise]:
    """Import every exercise module, so that :data:`REGISTRY` holds every exercise; returns it."""
    for module in MODULES.values():
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
    return REGISTRY


def exercises(notebook: str) -> list[Exercise]:
    """The exercises of one notebook (by its file name without ``.ipynb``), in order."""
    load_all()
    return [ex for (nb, _), ex in REGISTRY.items() if nb == notebook]


__all__ = ["BUDGET", "MODULES", "REGISTRY", "Exercise", "Verdict", "exercise", "exercises", "grade_namespace",
           "load_all", "verdicts"]
