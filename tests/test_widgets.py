"""The slider panels: the Panel mechanics, and every control of every notebook's panel swept
from its minimum to its maximum through the pure functions (nothing raises, nothing is NaN,
every figure labelled with units)."""

import io
import warnings

import ipywidgets as w
import matplotlib.image
import numpy as np
import pytest
from panel_checks import sweep_panel

import snnlab as sl
from snnlab.plotting import reuse_layout
from snnlab.widgets import Panel, all_panels, checkbox, dropdown, int_slider, seed_control, slider, sweep_values

NOTEBOOK_PANELS = {"lif_neuron", "euler_vs_exact", "two_neurons", "population", "three_populations", "competition",
                   "brunel"}


def test_every_notebook_panel_is_registered():
    assert NOTEBOOK_PANELS <= set(all_panels())  # an instructor's new panel joins the sweeps below


@pytest.mark.parametrize("name", sorted(all_panels()))
def test_every_control_of_every_panel_from_minimum_to_maximum(name):
    assert sweep_panel(all_panels()[name]) >= 2 * len(all_panels()[name]().controls)


def steps(control, default) -> list:
    """Another value of a control, one of its extremes, and back to its default."""
    others = [value for value in sweep_values(control) if value != default]
    another = others[len(others) // 2]
    return [another, others[-1] if others[-1] != another else others[0], default]


def assert_same_picture(png, expected, what):
    """Equal PNG bytes, or else equal pixels (and how many differ, to say so)."""
    if png != expected:
        got, want = (matplotlib.image.imread(io.BytesIO(data)) for data in (png, expected))
        assert got.shape == want.shape, f"{what}: a picture of shape {got.shape}, not {want.shape}"
        differ = int(np.count_nonzero(np.any(got != want, axis=-1)))
        assert differ == 0, f"{what}: {differ} pixels differ from a fresh panel's"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(all_panels()))
def test_an_updated_panel_draws_what_a_fresh_panel_draws(name):
    """Every control of every panel goes to another value, an extreme and back, each update
    on the same panel (reusing its axes) against a fresh panel computed at those values: the
    same picture, so nothing of an earlier update survives."""
    factory = all_panels()[name]
    panel = factory()
    defaults = panel.values()
    fresh = {}

    def fresh_png(changes):
        key = repr(sorted(changes.items()))
        if key not in fresh:
            fresh[key] = factory().update(**changes)[1]
        return fresh[key]

    assert_same_picture(panel.update()[1], fresh_png({}), f"{name} at its defaults")
    axes = panel.figure.axes
    for control_name, control in panel.controls.items():
        for value in steps(control, defaults[control_name]):
            changes = {control_name: value}
            assert_same_picture(panel.update(**changes)[1], fresh_png(changes), f"{name} with {changes}")
    assert panel.figure.axes == axes  # one layout throughout: the axes were reused, not rebuilt


def test_a_control_that_changes_the_layout_builds_another_and_back():
    def plot(result, fig, rows, **_values):
        axes = reuse_layout(fig, rows_of, rows)
        for ax in axes:
            sl.plot_potentials(result, "A", ax=ax, legend=False)

    panel = toy(plot=plot, rows=dropdown("rows", "rows", [1, 2]))
    _, one, _ = panel.update()
    first = panel.figure.axes
    _, two, _ = panel.update(rows=2, amplitude=4.0)
    assert len(panel.figure.axes) == 2 and not set(panel.figure.axes) & set(first)
    assert_same_picture(two, toy(plot=plot, rows=dropdown("rows", "rows", [1, 2])).update(rows=2, amplitude=4.0)[1],
                        "two rows")
    assert_same_picture(panel.update()[1], one, "back to one row")
    assert len(panel.figure.axes) == 1


def rows_of(fig, rows):
    return fig.subplots(rows, 1, squeeze=False)[:, 0]


def test_a_plot_function_that_adds_its_own_axes_gets_a_cleared_figure():
    panel = toy()
    panel.update()
    _, png, _ = panel.update(amplitude=4.0)
    assert len(panel.figure.axes) == 1
    assert_same_picture(png, toy().update(amplitude=4.0)[1], "a toy panel")


def toy(plot=None, **controls):
    """A panel whose simulate warns when asked to, to test the mechanics on something small;
    its plot function adds its own axes unless given another (and more controls)."""

    def simulate(amplitude, coarse, **_values):
        net = sl.Network(dt=2.0 if coarse else 0.1, seed=0)
        net.add_population("A", 1, current=amplitude)
        return net.run(20.0)

    def add_axes(result, fig, **_values):
        sl.plot_potentials(result, "A", ax=fig.add_subplot())

    controls = {"amplitude": slider("amplitude", "current (nA)", 2.0, 0.0, 5.0, 0.5),
                "coarse": checkbox("coarse", "coarse dt"), **controls}
    return Panel(controls, simulate, plot or add_axes, summary=lambda r: f"{r.spike_count('A')[0]} spikes")


def test_compute_uses_the_controls_and_the_changes():
    panel = toy()
    result, fig, text = panel.compute()
    assert text == f"{result.spike_count('A')[0]} spikes"
    assert result.spike_count("A")[0] > 0
    silent, _, silent_text = panel.compute(amplitude=0.5)  # below the 1 nA rheobase
    assert silent.spike_count("A")[0] == 0 and silent_text == "0 spikes"
    assert fig.get_axes()[0].get_ylabel() == "membrane potential (mV)"
    with pytest.raises(ValueError, match=r"Panel: no control named \['amp'\]; the controls are"):
        panel.compute(amp=1.0)


def test_snnlab_warnings_become_notes_under_the_summary_not_kernel_log_lines():
    panel = toy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape
        _, _, text = panel.compute(coarse=True)
    assert text.splitlines()[0].endswith("spikes")
    assert text.splitlines()[1].startswith("note: Network.dt: 2.0 ms is not much smaller than tau_m")


def test_update_renders_a_png_and_times_itself():
    panel = toy()
    _, png, _ = panel.update()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert 0.0 < panel.last_seconds < 60.0
    _, other, _ = panel.update(amplitude=4.0)
    assert other != png


def test_the_widget_redraws_when_a_control_changes_and_shows_refusals_in_red():
    panel = toy()
    box = panel.widget()
    assert "snnlab-panel" in box._dom_classes
    image = panel._image.value
    height, width = matplotlib.image.imread(io.BytesIO(image), format="png").shape[:2]
    assert (panel._image.width, panel._image.height) == (str(width), str(height))  # no layout when it changes
    panel.controls["amplitude"].value = 4.5
    assert panel.wait(), "the drawing thread did not finish"
    assert panel._image.value != image
    assert panel._text.value.endswith("spikes")

    def refuse(**values):
        raise ValueError("LIF.C: must be > 0 nF (got 0.0)")

    panel.simulate = refuse
    panel.controls["amplitude"].value = 1.0
    assert panel.wait(), "the drawing thread did not finish"
    assert "color:#b00" in panel._text.value and "LIF.C: must be &gt; 0 nF" in panel._text.value


def test_controls_carry_classes_the_browser_tests_find():
    for control, name in ((slider("gain", "g", 1.0, 0.0, 2.0, 0.1), "gain"), (int_slider("n", "n", 5, 1, 9), "n"),
                          (dropdown("rule", "rule", ["a", "b"]), "rule"), (checkbox("clamp", "clamp"), "clamp")):
        assert {f"snnlab-{name}", "snnlab-control"} <= set(control._dom_classes)
        assert control.continuous_update is False if hasattr(control, "continuous_update") else True
    assert "snnlab-seed" in seed_control()._dom_classes


def test_sweep_values_reach_both_ends():
    assert sweep_values(slider("a", "a", 1.0, 0.0, 2.0, 0.5)) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert sweep_values(int_slider("n", "n", 5, 1, 9)) == [1, 3, 5, 7, 9]
    assert sweep_values(checkbox("c", "c")) == [False, True]
    assert sweep_values(dropdown("d", "d", [("one", 1), ("two", 2)])) == [1, 2]
    seeds = sweep_values(seed_control())
    assert seeds[0] == 0 and len(set(seeds)) == len(seeds)
    with pytest.raises(TypeError, match="sweep_values: no sweep for Text"):
        sweep_values(w.Text())
    assert np.isfinite(sweep_values(slider("b", "b", 0.3, 0.1, 0.7, 0.3))).all()
