"""Figures a new student reads (issue 10, item 5): A's and B's arrivals told apart, a state map
spaced by value in colours that are not excitatory red or inhibitory blue, the four example
states readable at notebook width, only the input controls that apply, room around the
current trace, and no text smaller than 8 px in any panel."""

import colorsys

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from snnlab.experiments import balanced, two_neurons
from snnlab.plotting import EXC_COLOR, INH_COLOR
from snnlab.widgets import all_panels
from snnlab.widgets.single_neuron import lif_neuron_panel


def test_arrivals_from_a_and_from_b_have_different_markers_in_the_e_e_example():
    fig = Figure(figsize=(10, 7), layout="constrained")
    axes = two_neurons.draw_two_neurons_figure(two_neurons.report_example("E-E"), fig)
    marks = {line.get_label().split(" (")[0]: line for ax in axes for line in ax.get_lines()
             if line.get_label().startswith("input from")}
    a, b = marks["input from A"], marks["input from B"]
    assert a.get_color() == b.get_color() == EXC_COLOR  # both excitatory: the colour cannot tell them apart
    assert (a.get_marker(), a.get_markerfacecolor()) != (b.get_marker(), b.get_markerfacecolor())
    legend = fig.legends[0]
    shown = {text.get_text().split(" (")[0]: handle for text, handle in zip(legend.texts, legend.legend_handles,
                                                                               strict=True)}
    assert shown["input from A"].get_markerfacecolor() != shown["input from B"].get_markerfacecolor()


def a_state_map() -> balanced.StateMap:
    gs = np.array(balanced.MAP_GS, dtype=float)
    ratios = np.array(balanced.MAP_RATIOS, dtype=float)
    states = np.array(balanced.STATES)[np.arange(gs.size * ratios.size).reshape(ratios.size, gs.size)
                                       % len(balanced.STATES)]
    grid = np.ones((ratios.size, gs.size))
    return balanced.StateMap(gs=gs, ratios=ratios, labels=states, rate=10 * grid, cv=grid, modulation=grid,
                             peak_frequency=grid, peak_fraction=grid, n_exc=2000, duration=300.0, start=100.0)


def test_the_state_map_is_spaced_by_value_on_both_axes():
    smap = a_state_map()
    ax = Figure().subplots()
    balanced.draw_state_map(smap, ax, point=(5.0, 2.0))
    assert np.allclose(ax.get_yticks(), smap.ratios)  # 0.9, 2, 3, 4 where they are, not equally spaced
    assert np.allclose(ax.get_xticks(), smap.gs)
    mesh = ax.collections[0]
    corners = mesh.get_coordinates()  # (rows + 1, columns + 1, 2)
    y_edges, x_edges = corners[:, 0, 1], corners[0, :, 0]
    # each run's cell holds its value and ends halfway to the next one
    for edges, values in ((y_edges, smap.ratios), (x_edges, smap.gs)):
        assert np.allclose(edges[1:-1], (values[:-1] + values[1:]) / 2)
        assert np.all((edges[:-1] < values) & (values < edges[1:]))
    first, last = ax.texts[0], ax.texts[-1]  # row by row from the lowest rate and g
    assert first.get_position() == (smap.gs[0], smap.ratios[0])
    assert first.get_text().startswith(f"{smap.labels[0, 0]}\n")
    assert last.get_position() == (smap.gs[-1], smap.ratios[-1])
    assert ax.get_lines()[0].get_xydata().tolist() == [[5.0, 2.0]]


def _hue_family(color) -> str:
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(color))
    if s < 0.35 or lightness > 0.9 or lightness < 0.1:
        return "grey"
    if h < 0.05 or h > 0.95:
        return "red"
    if 0.52 < h < 0.7:
        return "blue"
    return "other"


def test_the_state_colours_are_neither_excitatory_red_nor_inhibitory_blue():
    assert _hue_family(EXC_COLOR) == "red" and _hue_family(INH_COLOR) == "blue"  # the test tells them apart
    families = {state: _hue_family(color) for state, color in balanced.STATE_COLORS.items()}
    assert not {state for state, family in families.items() if family in ("red", "blue")}, families
    ax = Figure().subplots()
    balanced.draw_state_map(a_state_map(), ax)
    mesh = ax.collections[0]
    faces = mesh.cmap(mesh.norm(mesh.get_array().ravel()))
    assert all(_hue_family(face[:3]) not in ("red", "blue") for face in faces)


def test_the_four_states_stand_two_per_row_so_an_eleven_inch_figure_is_readable():
    runs = {}
    for name, (g, ratio) in balanced.EXAMPLES.items():
        res = balanced.brunel(g=g, nu_ext_ratio=ratio, n_exc=400, duration=150.0, seed=1)
        runs[name] = (res, balanced.measure_state(res))
    fig = Figure(figsize=(11, 8), layout="constrained")
    balanced.draw_examples(fig, runs)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 8
    lefts = sorted({round(ax.get_position().x0, 2) for ax in shown})
    assert len(lefts) == 2, lefts  # two columns, each about 5.5 inches wide
    # shown 11 inches at 90 dpi, shrunk to JupyterLab's ~870 px: the smallest text still 8 px tall
    scale = 870 / (11 * 90)
    assert min_text_px(fig, dpi=90) * scale >= 8.0


@pytest.mark.parametrize(("kind", "shown"), [("constant", set()), ("step", set()), ("sine", {"frequency"}),
                                         ("noise", {"noise_std", "seed"})])
def test_the_lif_panel_shows_only_the_input_controls_that_apply(kind, shown):
    panel = lif_neuron_panel()
    panel.controls["kind"].value = kind
    optional = {"frequency", "noise_std", "seed"}
    visible = {name for name in optional if panel.controls[name].layout.display != "none"}
    assert visible == shown
    assert panel.controls["amplitude"].layout.display != "none"
    panel.controls["kind"].value = "constant"  # and back
    assert all(panel.controls[name].layout.display == "none" for name in optional)


def test_a_panel_starting_on_noise_shows_its_noise_controls():
    panel = lif_neuron_panel(kind="noise")
    assert panel.controls["noise_std"].layout.display != "none"
    assert panel.controls["frequency"].layout.display == "none"


@pytest.mark.parametrize("amplitude", [2.0, -1.5, 8.0])
def test_the_current_trace_has_room_above_and_below(amplitude):
    panel = lif_neuron_panel()
    result, fig, _ = panel.compute(amplitude=amplitude)
    current_ax = fig.axes[0]
    assert current_ax.get_ylabel() == "current (nA)"
    lo, hi = current_ax.get_ylim()
    current = np.asarray(result.current("neuron"))[:, 0]
    assert hi - current.max() >= 0.1 * (hi - lo)
    assert current.min() - lo >= 0.1 * (hi - lo)


def min_text_px(fig, dpi: float) -> float:
    """Height in pixels of the smallest visible, non-empty text of ``fig`` drawn at ``dpi``."""
    fig.canvas.draw_idle() if fig.canvas is not None else None
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and all(parent.get_visible() for parent in _parents(t))]
    return min(sizes) * dpi / 72.0


def _parents(artist):
    while artist is not None:
        yield artist
        artist = getattr(artist, "axes", None) if getattr(artist, "axes", None) is not artist else None
        if artist is not None:
            yield artist
            return


@pytest.mark.parametrize("name", sorted(all_panels()))
def test_no_panel_text_is_smaller_than_8_px(name):
    panel = all_panels()[name]()
    _, fig, _ = panel.compute()
    fig.canvas.draw()
    assert min_text_px(fig, panel.dpi) >= 8.0
