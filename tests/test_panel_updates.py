"""How a panel follows the hand: changes during a drag are drawn by one thread, newest values
first, stale ones dropped; and the canvas that reuses rasterised text draws the same pixels."""

import threading
import time

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from test_widgets import assert_same_picture

import snnlab as sl
from snnlab.experiments import populations as ex
from snnlab.plotting import reuse_layout
from snnlab.widgets import Panel, all_panels, slider, sweep_values
from snnlab.widgets._panel import _escape
from snnlab.widgets._render import CachingRendererAgg, PanelCanvas


def slow_panel(delay: float = 0.02, **kwargs) -> Panel:
    """A one-neuron panel whose simulation takes at least ``delay`` s, so that a burst of
    changes arrives faster than it draws."""

    def simulate(amplitude, **_values):
        time.sleep(delay)
        net = sl.Network(dt=0.1, seed=0)
        net.add_population("A", 1, current=amplitude)
        return net.run(20.0)

    def plot(result, fig, **_values):
        sl.plot_potentials(result, "A", ax=fig.add_subplot())

    controls = {"amplitude": slider("amplitude", "current (nA)", 2.0, 0.0, 5.0, 0.1)}
    return Panel(controls, simulate, plot, summary=lambda r: f"{r.spike_count('A')[0]} spikes", **kwargs)


def test_a_burst_of_changes_draws_the_last_values_with_fewer_renders_than_changes():
    panel = slow_panel()
    panel.widget()
    first = panel.renders
    values = [round(1.0 + 0.1 * i, 1) for i in range(30)]
    for value in values:
        panel.controls["amplitude"].value = value  # as fast as a drag's messages come in
    assert panel.wait(30.0), "the drawing thread did not finish"
    drawn = panel.renders - first
    assert 1 <= drawn < len(values) / 2, f"{drawn} renders for {len(values)} changes: a backlog"
    _, expected, text = slow_panel(delay=0.0).update(amplitude=values[-1])
    assert_same_picture(panel._image.value, expected, "the figure after the burst")
    assert panel._text.value == text


def test_changes_during_a_drawing_are_drawn_after_it():
    panel = slow_panel(delay=0.2)
    panel.widget()
    panel.controls["amplitude"].value = 3.0
    time.sleep(0.05)  # the thread is drawing 3.0 now
    panel.controls["amplitude"].value = 4.0
    panel.controls["amplitude"].value = 4.5
    assert panel.wait(30.0)
    assert panel._image.value == slow_panel(delay=0.0).update(amplitude=4.5)[1]


def recording(panel) -> list:
    """Wrap ``panel.update``: every drawing's ``hold`` and the axes' limits it drew in."""
    drawn = []
    update = panel.update

    def recorded(hold=False, **changes):
        out = update(hold=hold, **changes)
        drawn.append((hold, [(ax.get_xlim(), ax.get_ylim()) for ax in panel.figure.axes]))
        return out

    panel.update = recorded
    return drawn


def test_a_drag_is_drawn_in_the_axes_last_limits_then_its_last_values_in_full():
    """Changes that come while a figure is drawn are a drag: its frames keep the axes (no ticks
    drawn again), and once the changes stop the last values are drawn in full, as a fresh panel
    draws them."""
    panel = all_panels()["lif_neuron"]()
    panel.widget()
    simulate = panel.simulate
    panel.simulate = lambda **values: (time.sleep(0.03), simulate(**values))[1]  # changes come faster
    drawn = recording(panel)
    static = panel.figure.canvas.static_draws
    for amplitude in np.arange(2.2, 6.01, 0.2):  # the current's axis would grow three times
        panel.controls["amplitude"].value = round(float(amplitude), 1)
        time.sleep(0.01)
    assert panel.wait(30.0)
    assert any(hold for hold, _ in drawn), [hold for hold, _ in drawn]
    for (hold, frame), (_, before) in zip(drawn[1:], drawn):
        assert not hold or frame == before, "a frame of the drag moved the axes"
    full = [frame for hold, frame in drawn if not hold]
    assert drawn[-1][0] is False and full[-1] != full[-2]  # the last values in full, the axes fitted
    assert panel.figure.canvas.static_draws - static <= 2  # the first change, and the last drawing
    _, expected, text = all_panels()["lif_neuron"]().update(amplitude=6.0)
    assert_same_picture(panel._image.value, expected, "the figure after the drag")
    assert panel._text.value == _escape(text)


def test_a_change_after_the_figure_stands_is_drawn_in_full_at_once():
    panel = all_panels()["lif_neuron"]()
    panel.widget()
    drawn = recording(panel)
    for amplitude in (6.0, 2.0):  # each a key press, after the last figure was drawn
        panel.controls["amplitude"].value = amplitude
        assert panel.wait(30.0)
    assert [hold for hold, _ in drawn] == [False, False]


def test_a_held_frame_draws_the_new_data_in_the_old_limits():
    panel = all_panels()["lif_neuron"]()
    panel.update(amplitude=2.0)
    top = panel.figure.axes[0]
    before = top.get_ylim()
    panel.update(hold=True, amplitude=6.0)
    assert top.get_ylim() == before and max(top.lines[0].get_ydata()) == pytest.approx(6.0)
    panel.update(amplitude=6.0)
    assert top.get_ylim()[1] >= 6.0


def test_one_drawing_thread_per_panel_and_it_survives_an_error():
    panel = slow_panel(delay=0.0)
    panel.widget()
    before = threading.active_count()
    for value in (1.5, 2.5, 3.5):
        panel.controls["amplitude"].value = value
        assert panel.wait(30.0)
    assert threading.active_count() <= before + 1

    def broken(**_values):
        raise RuntimeError("no current")

    simulate, panel.simulate = panel.simulate, broken
    panel.controls["amplitude"].value = 1.0
    assert panel.wait(30.0)
    assert "color:#b00" in panel._text.value and "RuntimeError: no current" in panel._text.value
    panel.simulate = simulate
    panel.controls["amplitude"].value = 4.0
    assert panel.wait(30.0)
    assert panel._text.value.endswith("spikes")


def test_sliders_follow_the_drag_where_the_panel_is_cheap_and_not_in_brunel():
    for name, factory in all_panels().items():
        panel = factory()
        sliders = [c for c in panel.controls.values() if hasattr(c, "continuous_update")]
        panel.widget()
        assert all(c.continuous_update == panel.continuous for c in sliders), name
        assert panel.continuous == (name != "brunel"), name


@pytest.mark.parametrize("name", ["lif_neuron", "two_neurons", "competition"])
def test_the_caching_canvas_draws_the_pixels_of_matplotlibs_own_and_reuses_text(name):
    panel = all_panels()[name]()
    panel.compute()
    FigureCanvasAgg(panel.figure)
    panel.figure.canvas.draw()
    plain = np.asarray(panel.figure.canvas.buffer_rgba()).copy()
    canvas = PanelCanvas(panel.figure)
    # layered: the static layer drawn, drawn again with the figure legends found beside the axes,
    # then reused; then in full
    for blit in (True, True, True, False, False):
        canvas.blit = blit
        canvas.draw()
        assert np.array_equal(np.asarray(canvas.buffer_rgba()), plain), f"blit={blit}"
    assert canvas.static_draws <= 2 and canvas.layer_draws >= 1, (canvas.static_draws, canvas.layer_draws)
    renderer = canvas.get_renderer()
    assert isinstance(renderer, CachingRendererAgg)
    assert renderer.hits >= renderer.misses > 0  # the drawing in full reused every string


def plain_pixels(fig) -> np.ndarray:
    """``fig`` drawn in full by matplotlib's own Agg canvas (the panel's canvas is put back)."""
    mine = fig.canvas
    plain = FigureCanvasAgg(fig)
    plain.draw()
    pixels = np.asarray(plain.buffer_rgba()).copy()
    fig.set_canvas(mine)
    return pixels


#: Pixels where a layered drawing may differ from a full one: data drawn after the ticks where
#: they touch them at the frame (a full drawing draws ticks over data of lower zorder).
TOUCHING = 4


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(all_panels()))
def test_a_panel_drawn_in_layers_shows_what_matplotlib_draws_in_full(name):
    """Every control one step up and back, and to its ends: small steps reuse the static layer
    (the axes stand still), larger ones draw it again; every picture is matplotlib's own."""
    panel = all_panels()[name]()
    canvas = panel.figure.canvas
    defaults = panel.values()
    for control_name, control in panel.controls.items():
        step = getattr(control, "step", None)
        values = [defaults[control_name]]
        if isinstance(step, (int, float)) and not isinstance(control.value, bool):
            up = defaults[control_name] + step
            values += [up if up <= control.max else defaults[control_name] - step, defaults[control_name]]
        values += [sweep_values(control)[-1], defaults[control_name]]
        for value in values:
            panel.update(**{control_name: value})
            layered = np.asarray(canvas.buffer_rgba()).copy()
            differ = int(np.count_nonzero(np.any(layered != plain_pixels(panel.figure), axis=-1)))
            assert differ <= TOUCHING, f"{name} with {control_name}={value}: {differ} pixels differ"
    assert canvas.layer_draws > canvas.static_draws, (canvas.layer_draws, canvas.static_draws)


def test_a_small_step_keeps_the_axes_and_reuses_their_pixels():
    panel = all_panels()["lif_neuron"]()
    canvas = panel.figure.canvas
    panel.update(amplitude=2.0)
    panel.update(amplitude=2.0)  # the figure legend is found beside the axes: drawn once more, with it
    limits = [ax.get_ylim() for ax in panel.figure.axes]
    static = canvas.static_draws
    for amplitude in (2.1, 2.0, 2.1):  # a step and back: the current's axis ends at 2.5 nA throughout
        panel.update(amplitude=amplitude)
        assert [ax.get_ylim() for ax in panel.figure.axes] == limits
    assert canvas.static_draws == static  # three updates, no drawing of ticks and labels
    panel.update(amplitude=6.0)  # the current's axis grows: its ticks are drawn again
    assert canvas.static_draws == static + 1


def test_each_axis_works_out_its_ticks_once_per_drawing_and_keeps_no_memory_of_it():
    panel = all_panels()["two_neurons"]()  # shared time axes: label places ask for the siblings' ticks
    panel.compute()
    fig = panel.figure
    axes = [axis for ax in fig.axes for axis in ax._axis_map.values()]
    calls = []
    for locator in {id(axis.get_major_locator()): axis.get_major_locator() for axis in axes}.values():
        def counted(vmin, vmax, original=locator.tick_values, locator=locator):  # (axes sharing x share it)
            calls.append(locator)
            return original(vmin, vmax)

        locator.tick_values = counted
    fig.canvas.blit = False
    for _ in range(2):  # and the next drawing asks again (the limits may have changed in between)
        calls.clear()
        fig.canvas.draw()
        asked = [axis for axis in axes if axis.get_visible()]
        assert len(calls) == len(asked), (len(calls), len(asked))  # without the memory: 4-5 times as many
        assert not any("_update_ticks" in vars(axis) or "_get_ticklabel_bboxes" in vars(axis) for axis in axes)


def test_a_best_placed_legend_is_placed_once_per_drawing():
    panel = all_panels()["population"]()  # the rates' and the degrees' legends are at loc "best"
    panel.compute()
    fig = panel.figure
    best = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None and ax.get_legend()._loc == 0]
    assert len(best) == 2
    placed = []

    def counted(self, width, height, renderer):
        placed.append(self)
        return type(self)._find_best_position(self, width, height, renderer)

    mine = [counted.__get__(legend) for legend in best]
    for legend, method in zip(best, mine):
        legend._find_best_position = method
    fig.canvas.draw()  # a full drawing asks twice per legend: its box, then its drawing
    assert [placed.count(legend) for legend in best] == [1, 1]
    assert [vars(legend)["_find_best_position"] for legend in best] == mine  # put back as found


def one_axes(fig):
    return fig.add_subplot()


def legends_panel() -> Panel:
    """A trace whose amplitude follows the slider, under fixed limits: a legend above the axes
    (steady), one over the data, and one above that says the amplitude."""

    def plot(result, fig, amplitude, **_values):
        ax = reuse_layout(fig, one_axes)
        line, = ax.plot(np.linspace(0.0, 1.0, 50), amplitude * np.sin(np.linspace(0.0, 6.0, 50)), color="red")
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-3.0, 3.0)
        ax.legend([line], ["trace"], loc="lower left", bbox_to_anchor=(0.0, 1.01), frameon=False)
        ax.add_artist(ax.get_legend())
        ax.legend([line], ["over the data"], loc="upper right")
        fig.legend([line], [f"amplitude {amplitude:.1f}"], loc="upper right", frameon=False)

    controls = {"amplitude": slider("amplitude", "amplitude", 1.0, 0.0, 2.0, 0.1)}
    return Panel(controls, lambda amplitude: amplitude, plot, figsize=(4.0, 3.0))


def counting(draw, name, drawn):
    """``draw``, noting ``name`` in ``drawn`` on every call."""

    def wrapper(renderer):
        drawn.append(name)
        return draw(renderer)

    return wrapper


def test_a_steady_legend_outside_every_axes_is_drawn_with_the_static_layer_only():
    panel = legends_panel()
    canvas = panel.figure.canvas
    for amplitude in (1.0, 1.0, 1.1):  # the second drawing knows which legends stand aside; the
        panel.update(amplitude=amplitude)  # third, which change (the static layer is drawn each time)
    static = canvas.static_draws
    for amplitude in (1.2, 1.1, 1.2):
        panel.compute(amplitude=amplitude)
        ax = panel.figure.axes[0]
        above, over = next(a for a in ax.artists if isinstance(a, Legend)), ax.get_legend()
        drawn = []
        for name, legend in (("above", above), ("over", over), ("says the value", panel.figure.legends[0])):
            legend.draw = counting(legend.draw, name, drawn)
        panel.png()
        assert drawn == ["over", "says the value"], drawn
        assert np.array_equal(np.asarray(canvas.buffer_rgba()), plain_pixels(panel.figure))
    assert canvas.static_draws == static, "a legend that changes drew the static layer again"


def test_a_panel_replots_in_place_where_it_can_and_plots_afresh_where_it_cannot():
    calls = []

    def plot(result, fig, **_values):
        calls.append("plot")
        reuse_layout(fig, one_axes).plot([0.0, 1.0], [0.0, result], color="red")

    def replot(result, fig, **_values):
        calls.append("replot")
        if not fig.axes or result > 1.5:  # nothing drawn yet, or a value its drawing cannot take
            return False
        fig.axes[0].lines[0].set_ydata([0.0, result])
        return True

    panel = Panel({"value": slider("value", "value", 1.0, 0.0, 2.0, 0.1)}, lambda value: value, plot, replot=replot)
    for value in (1.0, 1.2, 1.8, 0.5):
        panel.update(value=value)
        assert list(panel.figure.axes[0].lines[0].get_ydata()) == [0.0, value]
    assert calls == ["replot", "plot", "replot", "replot", "plot", "replot"]  # the first has nothing to replot
    assert (panel.renders, panel.replots) == (4, 2)


COMPETITION_CHANGES = ([{"bias": round(0.05 + 0.02 * k, 2)} for k in range(8)]  # a drag, then other controls
                       + [{"bias": round(0.2 - 0.05 * k, 2)} for k in range(10)]
                       + [{"noise": 0.0}, {"noise": 2.0}, {"clamp": True}, {"w_ie": 1.0}, {"input": 3.0},
                          {"input": 0.0}, {"p": 0.0}, {"seed": 5}, {"delay": 5.0}])


def test_competitions_frames_drawn_in_place_are_the_pixels_of_a_fresh_drawing():
    """A drag of the bias and every other kind of change: each frame the panel draws in place
    (new data in last frame's lines, new labels in its legends, regions grown with the axes, the
    decision's marks added and taken away) is, pixel for pixel, a new panel's first drawing."""
    panel = all_panels()["competition"]()
    panel.update()
    values, decisions = {}, set()
    for change in COMPETITION_CHANGES:
        values.update(change)
        _, image, text = panel.update(**values)
        decisions.add(text.startswith("winner"))
        assert_same_picture(image, all_panels()["competition"]().update(**values)[1], f"competition with {values}")
    assert decisions == {True, False}, "runs with and without a decision"
    assert panel.replots == len(COMPETITION_CHANGES)


def test_competitions_drawing_takes_only_runs_of_the_same_network():
    fig = Figure()
    assert ex.update_competition_figure(fig, ex.competition(duration=50.0)) is None  # nothing drawn yet
    ex.draw_competition_figure(fig, ex.competition(duration=50.0))
    assert ex.update_competition_figure(fig, ex.competition(duration=50.0, bias=0.2)) is not None
    assert ex.update_competition_figure(fig, ex.competition(duration=50.0, n=60)) is None  # other sizes
    assert ex.update_competition_figure(fig, ex.competition(duration=80.0)) is None  # another duration
