"""Checks shared by the tests of the notebook panels (imported by test_widgets.py and test_experiments_*.py)."""

from __future__ import annotations

import re

import numpy as np

import snnlab as sl
from snnlab.widgets import sweep_values

#: Axis labels that name a count, not a physical quantity, so carry no unit.
UNITLESS = {"neuron", "number of neurons"}
#: Quantities without a unit (ratios, coefficients of variation, fractions, counts).
DIMENSIONLESS = re.compile(r"\bCV\b|fraction|number of|count")
UNIT = re.compile(r"\((ms|mV|nA|Hz|MΩ|nF|% of [^)]*|synapses per neuron)\)|per neuron")


def results_of(value) -> list:
    """Every snnlab.Result inside a panel's computed value (a Result, or tuples, dicts and
    dataclasses holding some)."""
    if isinstance(value, sl.Result):
        return [value]
    if isinstance(value, dict):
        return [r for v in value.values() for r in results_of(v)]
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in results_of(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [r for name in value.__dataclass_fields__ for r in results_of(getattr(value, name))]
    return []


def arrays_of(value) -> list:
    """Every float array inside a panel's computed value (besides its Results)."""
    if isinstance(value, np.ndarray):
        return [value] if value.dtype.kind == "f" else []
    if isinstance(value, dict):
        return [a for v in value.values() for a in arrays_of(v)]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in arrays_of(v)]
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, sl.Result):
        return [a for name in value.__dataclass_fields__ for a in arrays_of(getattr(value, name))]
    return []


def assert_finite(value) -> None:
    """No NaN or inf anywhere in the potentials, currents, spike times and measures of what a
    panel's ``simulate`` returned."""
    results = results_of(value)
    assert results, "the panel computed no Result"
    for result in results:
        for label in result.labels:
            if result.recorded_neurons(label).size:  # large networks record spikes only
                assert np.all(np.isfinite(result.potential(label))), f"NaN potential in {label!r}"
                assert np.all(np.isfinite(result.current(label))), f"NaN current in {label!r}"
            assert np.all(np.isfinite(result.spikes(label)[0]))
    for array in arrays_of(value):
        assert np.all(np.isfinite(array)), "NaN in a computed measure"


def assert_labelled(fig) -> None:
    """Every axes names what it shows: a y label, and units on every label of a quantity;
    some axes shows time in ms."""
    axes = fig.get_axes()
    assert axes, "the figure has no axes"
    xlabels = []
    for ax in axes:
        if ax.get_label() == "<colorbar>":
            continue
        ylabel, xlabel = ax.get_ylabel(), ax.get_xlabel()
        assert ylabel, f"an axes without a y label (x label {xlabel!r})"
        for label in (ylabel, xlabel):
            if label and label not in UNITLESS and not DIMENSIONLESS.search(label):
                assert UNIT.search(label), f"axis label without a unit: {label!r}"
        xlabels.append(xlabel)
    assert any(x.startswith("time (ms)") or "(ms)" in x or "(nA)" in x for x in xlabels), xlabels


def sweep_panel(factory) -> int:
    """Take every control of a fresh panel from its minimum to its maximum (the others at
    their defaults); each value must compute without error, NaN, or an unlabelled figure.
    Returns how many values were tried."""
    panel = factory()
    tried = 0
    for name, control in panel.controls.items():
        for value in sweep_values(control):
            computed, fig, text = panel.compute(**{name: value})
            assert_finite(computed)
            assert_labelled(fig)
            assert isinstance(text, str) and text, f"{name}={value!r}: empty summary"
            assert not re.search(r"\bnan\b", text.lower()), f"{name}={value!r}: {text}"
            tried += 1
    return tried


def first_slider(panel):
    """The name and control of the first slider, the one the browser test moves."""
    for name, control in panel.controls.items():
        if "widget-slider" in control._dom_classes or type(control).__name__ in ("FloatSlider", "IntSlider"):
            return name, control
    raise AssertionError("the panel has no slider")


def one_step_right(control):
    """The value one keyboard step to the right of the control's default."""
    return min(control.max, control.value + control.step)
