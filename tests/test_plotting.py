"""Tests of snnlab.plotting: what is drawn (artists, colours, reference lines, labels), not
how it looks."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import snnlab as sl
from snnlab import analysis as an
from snnlab import plotting as pl

RED, BLUE = to_rgba("tab:red"), to_rgba("tab:blue")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mixed():
    """40 excitatory and 10 inhibitory neurons, E -> I and I -> E, potentials recorded."""
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("E", n=40, kind="excitatory", current=sl.Noise(1.3, 2.0))
    net.add_population("I", n=10, kind="inhibitory", current=1.5)
    net.connect("E", "I", rule="fixed_outdegree", k=3, weight=0.5)
    net.connect("I", "E", rule="fixed_probability", p=0.2, weight=1.5)
    return net.run(200.0, record="all")


@pytest.fixture(scope="module")
def silent():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("E", n=3, kind="excitatory", current=0.0)
    net.add_population("I", n=2, kind="inhibitory", current=0.0)
    return net.run(50.0, record="all")


def spike_lines(ax):
    return [line for line in ax.lines if line.get_linestyle() == "None"]


def legend_texts(ax):
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# -- colours -----------------------------------------------------------------------------------
def test_kind_color():
    assert pl.kind_color("excitatory") == pl.EXC_COLOR == "tab:red"
    assert pl.kind_color("inhibitory") == pl.INH_COLOR == "tab:blue"
    with pytest.raises(ValueError, match=r"kind_color\.kind: must be one of 'excitatory', 'inhibitory' \(got 'exc'\)"):
        pl.kind_color("exc")


# -- raster ------------------------------------------------------------------------------------
def test_raster_colours_positions_and_labels(mixed):
    _fig, given = plt.subplots()
    ax = pl.plot_raster(mixed, ax=given)
    assert ax is given
    exc, inh = spike_lines(ax)
    assert to_rgba(exc.get_color()) == RED
    assert to_rgba(inh.get_color()) == BLUE
    times, neurons = mixed.spikes("I")
    assert times.size > 0
    np.testing.assert_array_equal(inh.get_xdata(), times)
    np.testing.assert_array_equal(inh.get_ydata(), neurons + 40)  # stacked above E
    assert exc.get_xdata().size == mixed.spikes("E")[0].size
    assert exc.get_rasterized()
    assert ax.get_xlim() == (0.0, 200.0)
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_ylabel() == "neuron"
    assert legend_texts(ax) == ["excitatory", "inhibitory"]
    assert {t.get_text() for t in ax.texts} == {"E", "I"}
    boundaries = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert [line.get_ydata()[0] for line in boundaries] == [39.5]


def test_raster_of_listed_populations(mixed):
    ax = pl.plot_raster(mixed, labels=["I"], markersize=7)
    (inh,) = spike_lines(ax)
    np.testing.assert_array_equal(inh.get_ydata(), mixed.spikes("I")[1])
    assert inh.get_markersize() == 7
    assert ax.get_ylim() == (-0.5, 9.5)
    assert legend_texts(ax) == ["inhibitory"]
    with pytest.raises(ValueError, match="no population labelled 'X'"):
        pl.plot_raster(mixed, labels=["X"])
    with pytest.raises(ValueError, match=r"plot_raster\.labels: lists a population twice"):
        pl.plot_raster(mixed, labels=["E", "E"])


def test_raster_with_zero_spikes(silent):
    ax = pl.plot_raster(silent)
    assert [line.get_xdata().size for line in spike_lines(ax)] == [0, 0]
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_ylabel() == "neuron"
    assert legend_texts(ax) == ["excitatory", "inhibitory"]
    plt.gcf().canvas.draw()  # really renders


def test_raster_two_populations_of_one_kind_get_one_legend_entry():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("A", n=2, kind="excitatory", current=2.0)
    net.add_population("B", n=2, kind="excitatory", current=3.0)
    ax = pl.plot_raster(net.run(30.0))
    assert [to_rgba(line.get_color()) for line in spike_lines(ax)] == [RED, RED]
    assert legend_texts(ax) == ["excitatory"]


# -- potentials and currents -------------------------------------------------------------------
def potential_result(threshold=1.5, u_reset=None):
    net = sl.Network(dt=0.1, seed=0)
    model = sl.LIF(threshold=threshold, u_reset=u_reset)
    net.add_population("A", n=8, kind="excitatory", current=np.linspace(1.0, 4.0, 8), model=model)
    return net.run(100.0, record="all")


def test_potentials_threshold_line_comes_from_the_model():
    res = potential_result(threshold=1.5)
    ax = pl.plot_potentials(res, "A")
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    np.testing.assert_array_equal(dashed[0].get_ydata(), [1.5, 1.5])
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    np.testing.assert_array_equal(dotted[0].get_ydata(), [0.0, 0.0])
    texts = legend_texts(ax)
    assert "threshold (1.5 mV)" in texts
    assert "u_rest (0 mV)" in texts
    assert "spike" in texts
    assert ax.get_xlabel() == "time (ms)"
    assert "(mV)" in ax.get_ylabel()


def test_potentials_draw_the_recorded_traces_and_the_spikes_of_those_neurons():
    res = potential_result()
    ax = pl.plot_potentials(res, "A", max_neurons=3)
    traces = [line for line in ax.lines if line.get_label().startswith("neuron")]
    assert [line.get_label() for line in traces] == ["neuron 0", "neuron 1", "neuron 2"]
    np.testing.assert_array_equal(traces[2].get_ydata(), res.potential("A")[:, 2])
    np.testing.assert_array_equal(traces[2].get_xdata(), res.time)
    markers = spike_lines(ax)
    assert sum(m.get_xdata().size for m in markers) == sum(res.spike_count("A")[:3])
    assert all(np.all(m.get_ydata() == 1.5) for m in markers)
    # each neuron's spikes in its own trace's colour
    assert [m.get_color() for m in markers] == [t.get_color() for t in traces]
    chosen = pl.plot_potentials(res, "A", neurons=[7, 5])
    assert [line.get_label() for line in chosen.lines[:2]] == ["neuron 7", "neuron 5"]


def test_potentials_draw_u_reset_when_it_differs_from_rest():
    ax = pl.plot_potentials(potential_result(u_reset=-0.5), "A", neurons=[0])
    assert "u_reset (-0.5 mV)" in legend_texts(ax)


def test_potentials_with_zero_spikes(silent):
    _fig, given = plt.subplots()
    ax = pl.plot_potentials(silent, "I", ax=given)
    assert ax is given
    assert sum(m.get_xdata().size for m in spike_lines(ax)) == 0
    assert "spike" not in legend_texts(ax)
    assert "threshold (1 mV)" in legend_texts(ax)
    assert "(mV)" in ax.get_ylabel()


def test_potentials_and_currents_need_recordings():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("A", n=2, kind="excitatory", current=2.0)
    res = net.run(10.0, record=None)
    with pytest.raises(ValueError, match=r"plot_potentials: no potential of population 'A' was recorded"):
        pl.plot_potentials(res, "A")
    with pytest.raises(ValueError, match=r"plot_currents: no potential of population 'A' was recorded"):
        pl.plot_currents(res, "A")
    with pytest.raises(ValueError, match=r"plot_potentials\.max_neurons: must be an integer >= 1 \(got 0\)"):
        pl.plot_potentials(potential_result(), "A", max_neurons=0)
    with pytest.raises(TypeError, match=r"plot_potentials\.label: must be one population label"):
        pl.plot_potentials(potential_result(), ["A"])


def test_currents(mixed):
    _fig, given = plt.subplots()
    ax = pl.plot_currents(mixed, "E", ax=given, max_neurons=2)
    assert ax is given
    traces = [line for line in ax.lines if line.get_label().startswith("neuron")]
    assert len(traces) == 2
    np.testing.assert_array_equal(traces[1].get_ydata(), mixed.current("E")[:, 1])
    assert ax.get_xlabel() == "time (ms)"
    assert "(nA)" in ax.get_ylabel()
    assert "rheobase (1 nA)" in legend_texts(ax)


# -- rates ------------------------------------------------------------------------------------
def test_population_rate_lines_by_kind():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("E1", n=5, kind="excitatory", current=2.0)
    net.add_population("I", n=5, kind="inhibitory", current=3.0)
    net.add_population("E2", n=5, kind="excitatory", current=0.0)
    res = net.run(100.0)
    _fig, given = plt.subplots()
    ax = pl.plot_population_rate(res, bin=2.0, smooth=4.0, ax=given)
    assert ax is given
    e1, i, e2 = ax.lines
    assert [to_rgba(line.get_color()) for line in (e1, i, e2)] == [RED, BLUE, RED]
    assert e1.get_linestyle() != e2.get_linestyle()
    t, rate = an.population_rate(res, "E1", bin=2.0, smooth=4.0)
    np.testing.assert_allclose(e1.get_xdata(), t)
    np.testing.assert_allclose(e1.get_ydata(), rate)
    assert np.all(e2.get_ydata() == 0.0)
    assert legend_texts(ax) == ["E1 (excitatory)", "I (inhibitory)", "E2 (excitatory)"]
    assert ax.get_xlabel() == "time (ms)"
    assert "(Hz)" in ax.get_ylabel()


def test_population_rate_of_one_population_and_errors(silent):
    ax = pl.plot_population_rate(silent, labels="I")
    (line,) = ax.lines
    assert np.all(line.get_ydata() == 0.0)
    with pytest.raises(ValueError, match=r"population_rate\.bin: must be >= dt"):
        pl.plot_population_rate(silent, bin=0.01)


def test_fi_curve_plot():
    model = sl.LIF(refractory=2.0)
    currents, rates = an.fi_curve(np.linspace(0.0, 4.0, 9), model, duration=200.0)
    _fig, given = plt.subplots()
    ax = pl.plot_fi_curve(currents, rates, analytic=model, ax=given)
    assert ax is given
    simulated, analytic, rheobase = ax.lines
    np.testing.assert_array_equal(simulated.get_ydata(), rates)
    np.testing.assert_allclose(analytic.get_ydata(), model.firing_rate(analytic.get_xdata()))
    np.testing.assert_array_equal(rheobase.get_xdata(), [1.0, 1.0])
    assert "(nA)" in ax.get_xlabel()
    assert "(Hz)" in ax.get_ylabel()
    assert legend_texts(ax) == ["simulated", "analytic (LIF)", "rheobase (1 nA)"]
    ax2 = pl.plot_fi_curve(currents, rates, analytic=an.lif_rate(currents, model))
    np.testing.assert_allclose(ax2.lines[1].get_ydata(), an.lif_rate(currents, model))
    with pytest.raises(ValueError, match=r"plot_fi_curve\.rates: must have one rate per current, 9 \(got 2\)"):
        pl.plot_fi_curve(currents, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"plot_fi_curve\.analytic: must be an snnlab\.LIF or one rate per current"):
        pl.plot_fi_curve(currents, rates, analytic=[1.0])


# -- connectivity -------------------------------------------------------------------------------
def test_connectivity_matrix_is_signed_with_symmetric_limits(mixed):
    _fig, given = plt.subplots()
    ax = pl.plot_connectivity(mixed, ax=given)
    assert ax is given
    (image,) = ax.images
    assert image.get_cmap().name == "RdBu_r"
    assert image.get_clim() == (-1.5, 1.5)
    matrix = np.asarray(image.get_array())
    assert matrix.shape == (50, 50)  # rows: post, columns: pre
    conn = mixed.connections()
    assert np.count_nonzero(matrix) == conn["pre"].size
    e_to_i = mixed.connections("E", "I")
    assert np.all(matrix[40 + e_to_i["post"], e_to_i["pre"]] == 0.5)
    i_to_e = mixed.connections("I", "E")
    assert np.all(matrix[i_to_e["post"], 40 + i_to_e["pre"]] == -1.5)
    assert "presynaptic" in ax.get_xlabel()
    assert "postsynaptic" in ax.get_ylabel()
    colorbar = image.colorbar
    assert colorbar.ax.get_ylabel() == "weight (mV)"
    assert [line.get_xdata()[0] for line in ax.lines if line.get_xdata()[0] == line.get_xdata()[1]] == [39.5]


def test_connectivity_of_chosen_populations_and_without_synapses(mixed, silent):
    ax = pl.plot_connectivity(mixed, pre="I", post="E")
    matrix = np.asarray(ax.images[0].get_array())
    assert matrix.shape == (40, 10)
    assert np.all(matrix <= 0)
    assert matrix.min() == -1.5
    ax = pl.plot_connectivity(silent)
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    assert np.all(np.asarray(ax.images[0].get_array()) == 0.0)


def test_connectivity_refuses_too_many_neurons():
    net = sl.Network(dt=0.1, seed=0)
    net.add_population("big", n=pl.MAX_MATRIX_NEURONS + 1, kind="excitatory")
    res = net.run(0.2, record=None)
    with pytest.raises(ValueError, match=r"plot_connectivity: 5001 x 5001 neurons is too many for a weight matrix.*"
                                         r"use plot_degree_histogram"):
        pl.plot_connectivity(res)
    ax = pl.plot_degree_histogram(res)  # the suggested alternative works at that size
    assert ax.get_ylabel() == "number of neurons"


def bar_heights(patch):
    """(left edge, height) of the tallest bar of a histogram patch."""
    vertices = patch.get_path().vertices
    top = vertices[:, 1].max()
    return vertices[vertices[:, 1] == top, 0].min(), top


def test_degree_histogram_out_degrees_by_kind(mixed):
    _fig, given = plt.subplots()
    ax = pl.plot_degree_histogram(mixed, ax=given, which="out", pre="E", post="I")
    assert ax is given
    (patch,) = ax.patches
    assert to_rgba(patch.get_facecolor())[:3] == RED[:3]
    assert bar_heights(patch) == (2.5, 40.0)  # every E neuron has out-degree k = 3 onto I
    assert legend_texts(ax) == ["excitatory, out-degree"]
    assert "out-degree" in ax.get_xlabel()
    assert "(synapses per neuron)" in ax.get_xlabel()


def test_degree_histogram_in_and_both(mixed):
    ax = pl.plot_degree_histogram(mixed, which="in", pre="E", post="I")
    (patch,) = ax.patches
    assert to_rgba(patch.get_edgecolor()) == BLUE
    assert legend_texts(ax) == ["inhibitory, in-degree"]
    # the outline's heights are the histogram of the I neurons' in-degrees from E
    degrees = np.bincount(mixed.connections("E", "I")["post"], minlength=10)
    counts, edges = np.histogram(degrees, bins=np.arange(-0.5, degrees.max() + 1.5))
    vertices = patch.get_path().vertices
    for left, count in zip(edges[:-1], counts, strict=True):
        assert count in vertices[np.isclose(vertices[:, 0], left), 1]
    # E neurons receive nothing from E: with post=None they form a bar at degree 0
    ax = pl.plot_degree_histogram(mixed, which="in", pre="E")
    exc, _ = ax.patches
    assert bar_heights(exc) == (-0.5, 40.0)
    ax = pl.plot_degree_histogram(mixed, which="both")
    assert legend_texts(ax) == ["excitatory, out-degree", "inhibitory, out-degree",
                                "excitatory, in-degree", "inhibitory, in-degree"]
    with pytest.raises(ValueError, match=r"plot_degree_histogram\.which: must be one of 'out', 'in', 'both' "
                                         r"\(got 'sideways'\)"):
        pl.plot_degree_histogram(mixed, which="sideways")


def test_raster_shows_only_the_first_neurons_asked_for(mixed):
    ax = pl.plot_raster(mixed, max_neurons={"E": 5})
    e_line, i_line = spike_lines(ax)
    assert e_line.get_ydata().max() < 5  # E's neurons 0..4 only
    np.testing.assert_array_equal(np.sort(i_line.get_ydata() - 5), np.sort(mixed.spikes("I")[1]))
    assert ax.get_ylim() == (-0.5, 14.5)
    with pytest.raises(ValueError, match=r"plot_raster\.max_neurons: names populations not drawn: \['X'\]"):
        pl.plot_raster(mixed, max_neurons={"X": 3})


def test_legends_can_be_left_out(mixed):
    for draw in (lambda ax: pl.plot_raster(mixed, ax=ax, legend=False),
                 lambda ax: pl.plot_potentials(mixed, "E", ax=ax, legend=False),
                 lambda ax: pl.plot_currents(mixed, "I", ax=ax, legend=False),
                 lambda ax: pl.plot_population_rate(mixed, ax=ax, legend=False)):
        _, ax = plt.subplots()
        assert draw(ax).get_legend() is None
    _, ax = plt.subplots()
    assert pl.plot_potentials(mixed, "E", ax=ax).get_legend() is not None


def test_traces_take_the_colour_of_their_kind(mixed):
    one_e = pl.plot_potentials(mixed, "E", neurons=[3])
    assert to_rgba(one_e.get_lines()[0].get_color()) == RED
    _, ax = plt.subplots()
    one_i = pl.plot_currents(mixed, "I", neurons=[0], ax=ax)
    assert to_rgba(one_i.get_lines()[0].get_color()) == BLUE
    _, ax = plt.subplots()
    several = pl.plot_potentials(mixed, "I", neurons=[0, 1, 2], ax=ax)
    shades = [to_rgba(line.get_color()) for line in several.get_lines()[:3]]
    assert len(set(shades)) == 3 and all(b > r and b > g for r, g, b, _ in shades)  # three blues
    _, ax = plt.subplots()
    black = pl.plot_potentials(mixed, "E", neurons=[0], ax=ax, color="black", linestyle="--")
    assert black.get_lines()[0].get_color() == "black" and black.get_lines()[0].get_linestyle() == "--"


# -- reusable layouts ---------------------------------------------------------------------------
def pixels(fig) -> np.ndarray:
    """The figure rendered to PNG and decoded: what a panel shows."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return matplotlib.image.imread(io.BytesIO(buffer.getvalue()))


def one_axes(fig):
    return fig.add_subplot()


def children(fig) -> list:
    """How many artists each axes holds, and the figure's own artists."""
    return [len(ax.get_children()) for ax in fig.axes] + [len(fig.get_children())]


DRAWINGS = {
    "raster": lambda res, ax: pl.plot_raster(res, ax=ax),
    "potentials": lambda res, ax: pl.plot_potentials(res, "I", ax=ax),
    "currents": lambda res, ax: pl.plot_currents(res, "E", ax=ax, max_neurons=3),
    "population_rate": lambda res, ax: pl.plot_population_rate(res, ax=ax, smooth=2.0),
    "connectivity": lambda res, ax: pl.plot_connectivity(res, ax=ax),  # adds a colorbar axes
    "degree_histogram": lambda res, ax: pl.plot_degree_histogram(res, ax=ax, which="both"),
    "fi_curve": lambda res, ax: pl.plot_fi_curve([0.0, 1.0, 2.0, 3.0][:res.size("I") + 1],
                                                 [0.0, 5.0, 20.0, 40.0][:res.size("I") + 1], analytic=sl.LIF(),
                                                 ax=ax),
}


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_a_reused_layout_draws_what_a_fresh_one_draws(name, mixed, silent):
    draw = DRAWINGS[name]
    reused = Figure(figsize=(4, 3))
    ax = pl.reuse_layout(reused, one_axes)
    draw(mixed, ax)
    again = pl.reuse_layout(reused, one_axes)
    assert again is ax
    draw(silent, again)  # other sizes, no spikes: other artists, other limits
    fresh = Figure(figsize=(4, 3))
    draw(silent, pl.reuse_layout(fresh, one_axes))
    assert children(reused) == children(fresh)
    np.testing.assert_array_equal(pixels(reused), pixels(fresh))
    draw(mixed, pl.reuse_layout(reused, one_axes))  # and back
    first = Figure(figsize=(4, 3))
    draw(mixed, first.add_subplot())
    np.testing.assert_array_equal(pixels(reused), pixels(first))


def grid_of(fig, nrows):
    return fig.subplots(nrows, 1, sharex=True, squeeze=False)[:, 0]


def decorate(fig, axes, scale):
    """Figure-level and axes-level state a drawing may set, some of it only sometimes."""
    axes[0].plot([1.0, 10.0], [1.0, scale])
    axes[0].set_yscale("log" if scale > 50 else "linear")
    axes[0].set_title(f"scale {scale:g}", loc="left", fontsize="small")
    axes[-1].set_aspect("equal" if scale > 50 else "auto")
    axes[-1].set_xlabel("time (ms)")
    if scale > 50:
        axes[-1].text(2.0, 0.5, "large")
        fig.suptitle("large")
        fig.legend(*axes[0].get_legend_handles_labels(), title="a figure legend")


def test_reuse_puts_back_figure_artists_scales_aspect_and_titles():
    fig = Figure(figsize=(4, 4))
    axes = pl.reuse_layout(fig, grid_of, 2)
    decorate(fig, axes, 100.0)
    assert pl.reuse_layout(fig, grid_of, 2) is axes
    decorate(fig, axes, 5.0)
    fresh = Figure(figsize=(4, 4))
    decorate(fresh, pl.reuse_layout(fresh, grid_of, 2), 5.0)
    assert fig.get_suptitle() == "" and not fig.legends and not axes[-1].texts
    assert axes[0].get_yscale() == "linear" and axes[-1].get_aspect() == "auto"
    assert children(fig) == children(fresh)
    np.testing.assert_array_equal(pixels(fig), pixels(fresh))


def test_other_arguments_build_another_layout_and_axes_added_before_stay():
    fig = Figure(figsize=(4, 4))
    mine = fig.add_axes((0.0, 0.0, 0.1, 0.1))
    two = pl.reuse_layout(fig, grid_of, 2)
    assert fig.axes == [mine, *two]
    two[0].plot([0, 1])
    assert list(pl.reuse_layout(fig, grid_of, 2)) == list(two) and fig.axes == [mine, *two]
    three = pl.reuse_layout(fig, grid_of, 3)  # another layout: the figure starts again
    assert len(fig.axes) == 3 and not set(three) & set(two)
    # keys compare with ==; arrays in them, whose == is no plain bool, mean "build again"
    assert pl.reuse_layout(fig, grid_of, np.int64(3)) is three
    built = pl.reuse_layout(fig, rows_of, np.arange(2))
    assert pl.reuse_layout(fig, rows_of, np.arange(2)) is not built and len(fig.axes) == 2


def rows_of(fig, heights):
    return fig.subplots(len(heights), 1, height_ratios=heights + 1)


def _pixels(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("later", [True, False])
@pytest.mark.parametrize(("level", "orientation"), [(0.5, "h"), (7.0, "h"), (-3.0, "h"), (0.5, "v"), (12.0, "v")])
def test_hline_and_vline_draw_what_axhline_and_axvline_draw(level, orientation, later):
    """Inside the data, above or below it, with limits already computed before it and data
    plotted after it or not: the same line, and the limits grow to it alike. (Between the data
    and the margin they differ by design: hline counts as data, axhline does not.)"""
    pictures, limits = [], []
    for ours in (True, False):
        fig = Figure(figsize=(3, 2), dpi=50)
        ax = fig.add_subplot()
        ax.plot([0.0, 5.0], [0.0, 1.0], color="red")
        style = {"color": "black", "linestyle": "--", "linewidth": 1.0, "label": "level"}
        ax.get_xlim(), ax.get_ylim()  # computed now: only a new request can move them
        if orientation == "h":
            line = pl.hline(ax, level, **style) if ours else ax.axhline(level, **style)
        else:
            line = pl.vline(ax, level, **style) if ours else ax.axvline(level, **style)
        if later:  # the limits are computed again
            ax.plot([1.0, 2.0], [0.2, 0.3], color="blue")
        pictures.append(_pixels(fig))
        limits.append((ax.get_xlim(), ax.get_ylim(), line.get_label(), line.get_transform() == (
            ax.get_yaxis_transform("grid") if orientation == "h" else ax.get_xaxis_transform("grid"))))
    assert limits[0] == limits[1]
    assert limits[0][3], "the line is placed in axes coordinates across and data coordinates along"
    assert np.array_equal(pictures[0], pictures[1])


def test_set_limits_sets_shared_limits_once_and_only_when_they_change():
    fig = Figure()
    top = fig.add_subplot(2, 1, 1)
    bottom = fig.add_subplot(2, 1, 2, sharex=top)
    top.plot([0.0, 3.0], [0.0, 1.0])
    pl.set_limits(top, "x", (0.0, 10.0))
    assert bottom.get_xlim() == (0.0, 10.0) and not top.get_autoscalex_on() and not bottom.get_autoscalex_on()
    changes = []
    bottom.callbacks.connect("xlim_changed", lambda ax: changes.append(tuple(map(float, ax.get_xlim()))))
    pl.set_limits(bottom, "x", (0.0, 10.0))  # already so: nothing to tell
    pl.set_limits(top, "x", [0, 10])
    assert changes == []
    pl.set_limits(top, "x", (0.0, 12.0))
    assert changes == [(0.0, 12.0)]
    pl.set_limits(top, "x", (0.0, 12.0), auto=True)  # the same limits, but autoscaling again
    assert top.get_autoscalex_on() and len(changes) == 2
    pl.set_limits(top, "y", (-1.0, 2.0))
    assert top.get_ylim() == (-1.0, 2.0) and not top.get_autoscaley_on()


def _legend_figure(fig, label="rate", color="red", loc="upper right", bars=False):
    ax = pl.reuse_layout(fig, _one_subplot)
    ax.plot([0.0, 1.0, 2.0], [0.0, 2.0, 1.0], color=color, label=label)
    ax.plot([0.0, 2.0], [1.5, 1.5], color="blue", linestyle="--", label="level")
    if bars:
        ax.bar([0.5, 1.5], [1.0, 0.5], label="bars")
    return ax, pl.add_legend(ax, loc=loc, fontsize="small")


def _one_subplot(fig):
    return fig.add_subplot()


def test_add_legend_puts_back_the_same_legend_for_the_same_entries_and_draws_what_a_new_one_draws():
    fig = Figure(figsize=(3, 2), dpi=60)
    _, first = _legend_figure(fig)
    _pixels(fig)
    ax, again = _legend_figure(fig)  # the layout put back, the same entries: the same legend
    assert again is first and ax.get_legend() is first and first.axes is ax
    fresh = Figure(figsize=(3, 2), dpi=60)
    _legend_figure(fresh)
    assert np.array_equal(_pixels(fig), _pixels(fresh))
    for changes in ({"label": "other"}, {"color": "green"}, {"loc": "lower left"}):
        _, other = _legend_figure(fig, **changes)
        assert other is not first, changes
        fresh = Figure(figsize=(3, 2), dpi=60)
        _legend_figure(fresh, **changes)
        assert np.array_equal(_pixels(fig), _pixels(fresh)), changes
    _, back = _legend_figure(fig)
    assert back is first  # remembered while other legends were shown


def test_a_legend_replaced_within_a_drawing_is_put_back_in_the_next_and_only_the_last_shows():
    fig = Figure(figsize=(3, 2), dpi=60)
    legends = []
    for _ in range(3):  # as plot_raster's legend, replaced by one with more entries
        ax, first = _legend_figure(fig)
        ax.plot([0.0, 2.0], [0.5, 0.5], color="green", label="events")
        last = pl.add_legend(ax, loc="lower left", fontsize="small")
        legends.append((first, last))
        assert ax.get_legend() is last and first.axes is None  # the first is taken away
        assert [t.get_text() for t in last.get_texts()] == ["rate", "level", "events"]
    assert legends[0] == legends[1] == legends[2], "the same two legends on every drawing"
    fresh = Figure(figsize=(3, 2), dpi=60)
    ax, _ = _legend_figure(fresh)
    ax.plot([0.0, 2.0], [0.5, 0.5], color="green", label="events")
    ax.legend(loc="lower left", fontsize="small")
    assert np.array_equal(_pixels(fig), _pixels(fresh))


def test_add_legend_builds_a_new_legend_for_entries_it_cannot_compare():
    fig = Figure(figsize=(3, 2), dpi=60)
    _, first = _legend_figure(fig, bars=True)
    _, again = _legend_figure(fig, bars=True)
    assert again is not first and len(again.get_texts()) == 3


def test_a_legend_whose_text_changes_after_it_is_made_is_laid_out_again():
    fig = Figure(figsize=(3, 2), dpi=60)
    _, legend = _legend_figure(fig)
    canvas = FigureCanvasAgg(fig)  # one renderer for both drawings
    canvas.draw()
    legend.get_texts()[0].set_text("a much longer label than before")
    canvas.draw()
    changed = np.asarray(canvas.buffer_rgba()).copy()
    fresh = Figure(figsize=(3, 2), dpi=60)
    _legend_figure(fresh, label="a much longer label than before")
    assert np.array_equal(changed, _pixels(fresh))


def test_add_legend_on_a_figure_reuses_the_figure_legend():
    fig = Figure(figsize=(3, 2), dpi=60)

    def draw():
        ax = pl.reuse_layout(fig, _one_subplot)
        ax.plot([0.0, 1.0], [0.0, 1.0], color="red", label="A")
        return pl.add_legend(fig, loc="upper left", frameon=False)

    first = draw()
    second = draw()
    assert second is first and fig.legends == [first]
