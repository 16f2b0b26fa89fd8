"""Plots of a run: raster, potentials, currents, population rate, connectivity, F–I curve.

Every function takes ``ax=None`` (a new figure and axes when None), draws on it and
returns it; none calls ``plt.show()``. They cope with populations that never spiked,
label their axes with units (time ms, potential mV, current nA, rate Hz, weight mV)
and draw reference lines from the actual parameters (the threshold line comes from the
population's model). Excitatory is red (:data:`EXC_COLOR`), inhibitory blue
(:data:`INH_COLOR`).

They add to the axes they are given, as matplotlib's own functions do (so that several
calls can share one axes). To draw a figure again and again, as a slider panel does, take
its axes from :func:`reuse_layout`: it builds them once and empties them before each later
drawing, which then gives the same picture as on new axes in much less time.

Examples
--------
>>> import snnlab as sl
>>> from snnlab import plotting
>>> net = sl.Network(dt=0.1, seed=0)
>>> _ = net.add_population("E", n=40, kind="excitatory", current=1.5)
>>> _ = net.add_population("I", n=10, kind="inhibitory", current=1.2)
>>> _ = net.connect("E", "I", rule="fixed_probability", p=0.1, weight=0.5)
>>> res = net.run(100.0)
>>> ax = plotting.plot_raster(res)
>>> ax.get_xlabel()
'time (ms)'
"""

from __future__ import annotations

import itertools

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import collections as mcollections
from matplotlib import legend as mlegend
from matplotlib import lines, offsetbox, patches, ticker, transforms

from . import _checks as check
from . import analysis
from ._dots import Dots
from .neurons import LIF
from .results import Result

__all__ = [
    "EXC_COLOR",
    "INH_COLOR",
    "MAX_MATRIX_NEURONS",
    "add_legend",
    "hline",
    "kind_color",
    "plot_connectivity",
    "plot_currents",
    "plot_degree_histogram",
    "plot_fi_curve",
    "plot_population_rate",
    "plot_potentials",
    "plot_raster",
    "reuse_layout",
    "round_limits",
    "set_limits",
    "vline",
]

#: Colour of excitatory neurons, spikes and weights.
EXC_COLOR = "tab:red"
#: Colour of inhibitory neurons, spikes and weights.
INH_COLOR = "tab:blue"
#: Largest population side plot_connectivity draws as a matrix (n x n pixels).
MAX_MATRIX_NEURONS = 5000
#: Line styles that tell apart populations of the same kind.
_LINESTYLES = ("-", "--", ":", "-.")
_BOUNDARY = {"color": "0.6", "linewidth": 0.6, "zorder": 0.5}


#: What of an artist decides its look in a legend entry (lines, patches, collections).
STYLE = ("get_color", "get_facecolor", "get_edgecolor", "get_linestyle", "get_linewidth", "get_marker",
         "get_markersize", "get_markerfacecolor", "get_markeredgecolor", "get_markeredgewidth", "get_alpha",
         "get_hatch", "get_sizes", "get_drawstyle", "get_dashes", "get_visible", "get_fillstyle")
#: Legends :func:`add_legend` remembers per axes or figure.
LEGENDS = 8


def style_key(artist) -> tuple:
    """What decides how ``artist`` looks as a legend entry: its type and style (and its marker's
    shape, for a scatter's collection)."""
    key = (type(artist), *(repr(getattr(artist, name)()) for name in STYLE if hasattr(artist, name)))
    if isinstance(artist, mcollections.PathCollection):
        key += tuple(path.vertices.tobytes() for path in artist.get_paths()[:1])
    return key


def add_legend(target, *args, **kwargs):
    """``target.legend(*args, **kwargs)`` (an Axes' or a Figure's), reusing the legend of an
    earlier drawing with the same entries, styles and arguments.

    A slider panel draws the same legends again on every update, and a legend is costly: built
    from its entries, then laid out (every row and column measured and packed) on every draw,
    as much as all of a panel's data. The legend :func:`reuse_layout` took away is put back
    instead of building another, and its layout is computed once per renderer and content
    (:func:`_frozen_layout`). Entries of other types than lines, patches and collections
    (containers, custom handlers) get a new legend each time."""
    on_axes = hasattr(target, "get_legend")
    handles, labels, extra = mlegend._parse_legend_args([target] if on_axes else target.axes, *args, **kwargs)
    if not all(isinstance(h, (lines.Line2D, patches.Patch, mcollections.Collection)) for h in handles):
        return target.legend(handles, labels, **extra)
    key = (tuple(labels), tuple(style_key(h) for h in handles), repr(sorted(extra.items())))
    if on_axes and target.get_legend() is not None:  # replaced (as Axes.legend would), and taken
        target.get_legend().remove()  # away, so that the next drawing can put it back
    kept = target.__dict__.setdefault("_snnlab_legends", {})
    old = kept.pop(key, None)
    if old is not None and old.axes is None and old.get_figure(root=False) is None:  # taken away, not shown
        if on_axes:  # as Axes.legend attaches a new one
            target.legend_ = old
            old._remove_method = target._remove_legend
            old.axes = target
            old.set_figure(target.get_figure(root=False))
        else:  # as Figure.legend does
            target.legends.append(old)
            old._remove_method = target.legends.remove
            old.set_figure(target)
        old.stale = True
        made = old
    else:
        made = target.legend(handles, labels, **extra)
        _frozen_layout(made)
    kept[key] = made
    while len(kept) > LEGENDS:
        del kept[next(iter(kept))]
    return made


def _frozen_layout(legend) -> None:
    """Remember the layout of ``legend``'s rows and columns (its packers' boxes and offsets) per
    renderer, texts and sizes, instead of computing it on each of the three times a draw asks
    for it. Left as it is where matplotlib's packers have no such method."""
    boxes, todo = [], [getattr(legend, "_legend_box", None)]
    while todo:
        box = todo.pop()
        if isinstance(box, (offsetbox.HPacker, offsetbox.VPacker)):
            boxes.append(box)
            todo.extend(box.get_children())
    if not boxes or not all("_get_bbox_and_child_offsets" in type(b).__dict__ for b in boxes):
        return
    for box in boxes:
        box._get_bbox_and_child_offsets = _remembering(box._get_bbox_and_child_offsets, legend)


def _remembering(compute, legend):
    memory = {}

    def layout(renderer):
        key = (id(renderer), renderer.width, renderer.height, renderer.dpi,
               tuple((t.get_text(), t.get_fontsize(), t.get_visible()) for t in legend.texts),
               legend.get_title().get_text(), legend.get_title().get_visible())
        hit = memory.get(key)
        if hit is None:
            memory.clear()
            bbox, offsets = hit = memory[key] = compute(renderer)
        else:
            bbox, offsets = hit
        return transforms.Bbox(bbox.get_points().copy()), list(offsets)

    return layout


def set_limits(ax, axis: str, limits, auto: bool | None = False) -> None:
    """``ax.set_xlim(limits, auto=auto)`` (``axis="x"``) or ``set_ylim``, unless the axis has these
    limits and this autoscaling already. Setting limits tells the axes that share the axis, and
    makes them all draw again; a panel's drawing sets the same time axis from several places
    (four axes share it in notebook 01's figure), a sixth of its update."""
    setter = ax.set_xlim if axis == "x" else ax.set_ylim
    on = ax.get_autoscalex_on() if axis == "x" else ax.get_autoscaley_on()
    stale = getattr(ax, "_stale_viewlims", None)
    if (auto is not None and auto != on) or stale is None or (on and stale[axis]):  # autoscaling would move them
        setter(limits, auto=auto)
        return
    # the limits as they stand: the public viewLim would first autoscale every axes sharing this
    # one, work that a drawing still adding data does again later
    view = ax._viewLim
    current = (view.intervalx if axis == "x" else view.intervaly).tolist()
    if current != [float(limits[0]), float(limits[1])]:
        setter(limits, auto=auto)


def hline(ax, y: float, **kwargs):
    """``ax.axhline(y, **kwargs)`` (a line across the axes at height ``y``), for drawings that are
    repeated: ``axhline`` first asks for the current limits, which makes the axes autoscale
    there and then, and again after the next line; a panel's figure spent a seventh of its update
    on that. This line asks the y axis to autoscale (lazily, as a plotted line does), so it
    counts in the limits like any data."""
    return _across(ax, "y", y, kwargs)


def vline(ax, x: float, **kwargs):
    """``ax.axvline(x, **kwargs)`` the way :func:`hline` is ``axhline``."""
    return _across(ax, "x", x, kwargs)


def _across(ax, axis: str, value: float, style: dict):
    """A line across ``ax`` at ``value`` on ``axis`` (data there, axes coordinates across)."""
    ends, at = [0.0, 1.0], [value, value]
    if axis == "y":
        line = lines.Line2D(ends, at, transform=ax.get_yaxis_transform(which="grid"), **style)
    else:
        line = lines.Line2D(at, ends, transform=ax.get_xaxis_transform(which="grid"), **style)
    ax.add_line(line)
    line.get_path()._interpolation_steps = mpl.axis.GRIDLINE_INTERPOLATION_STEPS
    ax._request_autoscale_view(axis)
    return line


def kind_color(kind: str) -> str:
    """The colour of a kind: :data:`EXC_COLOR` for "excitatory", :data:`INH_COLOR` for "inhibitory"."""
    kind = check.choice("kind_color", "kind", kind, ("excitatory", "inhibitory"))
    return EXC_COLOR if kind == "excitatory" else INH_COLOR


# -- reusable layouts --------------------------------------------------------------------------
#: Attribute of a figure holding the layout :func:`reuse_layout` built in it.
_LAYOUT = "_snnlab_layout"


def reuse_layout(fig, build, *args, **kwargs):
    """The axes ``build(fig, *args, **kwargs)`` makes in ``fig``: built on the first call, reused
    (emptied) on later calls with the same ``build`` and arguments.

    A figure that is drawn again and again (a slider panel's) spends most of its time building
    axes: their ticks, tick labels and spines. Start every drawing of such a figure with this
    function instead of adding axes: the first call builds the layout; a later call with the
    same ``build`` and equal arguments (the layout's key) returns the same axes after putting
    them back as ``build`` left them, so that the drawing code that follows runs exactly as on
    the fresh layout, and the picture is the same as if it had been built again. Other
    arguments (another layout) clear the figure and build the new layout.

    Putting back removes everything drawn after the build: the axes' artists (lines,
    collections, patches, texts, images), legends, containers and inset axes; axes added to
    the figure (colorbars, whose parent's position comes back too); the figure's legends,
    texts and other artists, suptitle included. It restores each axes' view limits and
    autoscaling, data limits, scales with their tick locators and formatters, aspect,
    title and axis-label texts, position in the grid, and restarts its colour cycle. It does
    not restore tick parameters (``tick_params``, grid lines), spines, axis visibility, axis
    units (dates, categories) or the style of titles and labels: drawing code that changes
    those must set them on every drawing, as the drawing code of snnlab's panels does.

    Parameters
    ----------
    fig : matplotlib Figure
    build : callable(fig, *args, **kwargs)
        Adds the axes (and may configure them) and returns them in any form (an Axes, a
        tuple, an array). Use a module-level function: its identity is part of the key.
    *args, **kwargs
        Passed to ``build``; compared with ``==`` to decide whether the layout is the same.

    Returns
    -------
    object
        What ``build`` returned (the same objects on every reuse).

    Examples
    --------
    >>> import matplotlib.figure
    >>> from snnlab import plotting
    >>> fig = matplotlib.figure.Figure()
    >>> def two_rows(fig):
    ...     return fig.subplots(2, 1, sharex=True)
    >>> top, bottom = plotting.reuse_layout(fig, two_rows)
    >>> _ = top.plot([0, 1], [0, 1])
    >>> again = plotting.reuse_layout(fig, two_rows)
    >>> again[0] is top, len(top.lines)
    (True, 0)
    """
    key = (build, args, kwargs)
    layout = getattr(fig, _LAYOUT, None)
    if layout is not None and _same(layout.key, key) and all(ax in fig.axes for ax in layout.axes):
        layout.put_back(fig)
        return layout.value
    if layout is not None:  # another layout: the old one goes
        fig.clear()
    before = list(fig.axes)
    value = build(fig, *args, **kwargs)
    setattr(fig, _LAYOUT, _Layout(key, value, fig, before))
    return value


def round_limits(ax, axis: str = "both", auto_only: bool = False):
    """Widen the limits of ``ax`` outward to round numbers, and return ``ax``.

    Limits drawn from the data (a rate axis up to 1.3 times the highest rate) move with every
    slider step, and with them every tick and tick label; rounded, they stay put until the data
    cross the next round number, so the axes stand still while the data move, and a slider
    panel can reuse the axes it rasterised (:class:`snnlab.widgets._render.PanelCanvas`).
    Linear axes with matplotlib's usual tick locator are rounded to multiples of half their
    tick step (the axis still ends within half a step of the data), unless the ticks of the
    wider axis would need more digits (0.25 apart instead of 0.2); logarithmic ones (base 10)
    to whole decades. Limits that already
    sit there (0 to the duration) do not change.

    Parameters
    ----------
    ax : matplotlib Axes
    axis : {"both", "x", "y"}
    auto_only : bool
        Round only the linear axes that autoscale (what a slider panel does after its plot
        function); limits the code set, and logarithmic axes, stay.

    Examples
    --------
    >>> import matplotlib.figure
    >>> ax = matplotlib.figure.Figure().add_subplot()
    >>> _ = ax.plot([0.0, 1.0], [0.0, 538.7])
    >>> _ = ax.set_ylim(0.0, 1.3 * 538.7)
    >>> [float(y) for y in round_limits(ax, "y").get_ylim()]
    [0.0, 750.0]
    """
    axis = check.choice("round_limits", "axis", axis, ("both", "x", "y"))
    pairs = []
    if axis in ("both", "x"):
        pairs.append((ax.xaxis, ax.get_autoscalex_on(), ax.get_xlim, ax.set_xlim))
    if axis in ("both", "y"):
        pairs.append((ax.yaxis, ax.get_autoscaley_on(), ax.get_ylim, ax.set_ylim))
    for which, auto, get, set_ in pairs:
        if auto_only and (not auto or which.get_scale() != "linear"):
            continue
        lo, hi = get()
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo == hi:
            continue
        flip = lo > hi
        lo, hi = sorted((lo, hi))
        new = _rounded(which, lo, hi)
        if new is not None:
            set_(*(new[::-1] if flip else new), auto=None)  # autoscaling stays as it was
    return ax


def _rounded(axis, lo: float, hi: float):
    """(lo, hi) widened to the ticks of a linear axis or to whole decades of a log axis, or None."""
    locator = axis.get_major_locator()
    if axis.get_scale() == "log":
        if lo <= 0 or getattr(locator, "_base", 10.0) != 10.0:
            return None
        return 10.0 ** np.floor(np.log10(lo)), 10.0 ** np.ceil(np.log10(hi))
    if axis.get_scale() != "linear" or not isinstance(locator, ticker.MaxNLocator):
        return None
    ticks = locator.tick_values(lo, hi)
    if ticks.size < 2:
        return None
    step = ticks[1] - ticks[0]
    grid = step / 2  # half a tick step: steadier than the data, not much wider
    new = grid * np.floor(lo / grid + 1e-9), grid * np.ceil(hi / grid - 1e-9)
    after = locator.tick_values(*new)
    if after.size < 2 or _decimals(after[1] - after[0]) > _decimals(step):
        return None  # its ticks would get longer labels (0.25 apart, not 0.2): keep the picture
    return new


def _decimals(step: float) -> int:
    """Digits after the point that ticks ``step`` apart need (0.25: 2; 0.2: 1; 5: 0)."""
    text = np.format_float_positional(step, precision=8, trim="-")
    return len(text.split(".")[1]) if "." in text else 0


def _has_layout(fig) -> bool:
    """Whether ``fig`` holds a layout of :func:`reuse_layout`."""
    return getattr(fig, _LAYOUT, None) is not None


def _same(a, b) -> bool:
    """``a == b`` for layout keys, False where equality is not a plain bool (arrays)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


#: Figure-level artist lists put back by reuse_layout.
_FIGURE_ARTISTS = ("legends", "texts", "lines", "patches", "images", "artists")
#: Axes-level artist lists (together, every child of the axes).
_AXES_ARTISTS = ("lines", "collections", "patches", "texts", "images", "artists", "tables")
_TITLE_LOCATIONS = ("left", "center", "right")


class _AxesState:
    """What reuse_layout puts back in one axes: its state right after the build."""

    def __init__(self, ax):
        self.ax = ax
        # the objects are kept (not only their ids), so that no new artist can take an old id
        self.kept = [*(a for name in _AXES_ARTISTS for a in getattr(ax, name)), *ax.containers, *ax.child_axes]
        self.ids = {id(a) for a in self.kept}
        self.legend = ax.get_legend()
        self.spec = ax.get_subplotspec()
        self.scales = [ax.get_xscale(), ax.get_yscale()]
        self.tickers = [_tickers(ax.xaxis), _tickers(ax.yaxis)]
        self.aspect = (ax.get_aspect(), ax.get_adjustable(), ax.get_anchor())
        self.titles = [ax.get_title(loc) for loc in _TITLE_LOCATIONS]
        self.labels = (ax.get_xlabel(), ax.get_ylabel())
        self.limits = (ax.get_xlim(), ax.get_autoscalex_on(), ax.get_ylim(), ax.get_autoscaley_on())

    def put_back(self):
        ax = self.ax
        for container in [c for c in ax.containers if id(c) not in self.ids]:
            container.remove()
        legend = ax.get_legend()
        if legend is not None and legend is not self.legend:
            legend.remove()
        for child in [c for c in ax.child_axes if id(c) not in self.ids]:
            child.remove()
        for artist in [a for name in _AXES_ARTISTS for a in getattr(ax, name) if id(a) not in self.ids]:
            artist.remove()
        if self.spec is not None and ax.get_subplotspec() is not self.spec:
            ax.set_subplotspec(self.spec)
        for axis, set_scale, scale, tickers in zip((ax.xaxis, ax.yaxis), (ax.set_xscale, ax.set_yscale),
                                                   self.scales, self.tickers, strict=True):
            if axis.get_scale() != scale:
                set_scale(scale)
            if _tickers(axis) != tickers:
                _set_tickers(axis, tickers)
        if (ax.get_aspect(), ax.get_adjustable(), ax.get_anchor()) != self.aspect:
            ax.set_aspect(self.aspect[0], adjustable=self.aspect[1], anchor=self.aspect[2])
        for loc, title in zip(_TITLE_LOCATIONS, self.titles, strict=True):
            ax.set_title(title, loc=loc)  # also the title's default size and offset
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])
        ax.set_prop_cycle(None)
        ax.relim()
        xlim, autox, ylim, autoy = self.limits
        set_limits(ax, "x", xlim, auto=autox)
        set_limits(ax, "y", ylim, auto=autoy)


def _tickers(axis) -> tuple:
    """An axis' locators and formatters, and whether each is the scale's default."""
    return (axis.get_major_locator(), axis.get_minor_locator(), axis.get_major_formatter(),
            axis.get_minor_formatter(), axis.isDefault_majloc, axis.isDefault_minloc, axis.isDefault_majfmt,
            axis.isDefault_minfmt)


def _set_tickers(axis, tickers) -> None:
    major, minor, major_format, minor_format, *defaults = tickers
    axis.set_major_locator(major)
    axis.set_minor_locator(minor)
    axis.set_major_formatter(major_format)
    axis.set_minor_formatter(minor_format)
    axis.isDefault_majloc, axis.isDefault_minloc, axis.isDefault_majfmt, axis.isDefault_minfmt = defaults


class _Layout:
    """A layout built by reuse_layout: its key, what build returned, the axes it added (each
    with its state after the build), the axes that were there before, and the figure's
    artists after the build."""

    def __init__(self, key, value, fig, before):
        self.key = key
        self.value = value
        self.before = before
        self.axes = [ax for ax in fig.axes if ax not in before]
        self.states = [_AxesState(ax) for ax in self.axes]
        self.figure_artists = [a for name in _FIGURE_ARTISTS for a in getattr(fig, name)]
        self.figure_ids = {id(a) for a in self.figure_artists}

    def put_back(self, fig) -> None:
        kept = self.axes + self.before
        for ax in [ax for ax in fig.axes if ax not in kept]:  # first: a colorbar puts its parent back
            colorbar = getattr(ax, "_colorbar", None)
            if colorbar is not None:
                colorbar.remove()
            else:
                ax.remove()
        for artist in [a for name in _FIGURE_ARTISTS for a in getattr(fig, name) if id(a) not in self.figure_ids]:
            artist.remove()
            for name in ("_suptitle", "_supxlabel", "_supylabel"):  # as Figure.clear forgets them
                if getattr(fig, name, None) is artist:
                    setattr(fig, name, None)
        for state in self.states:
            state.put_back()


# -- helpers -----------------------------------------------------------------------------------
def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _result(owner: str, result) -> Result:
    if not isinstance(result, Result):
        raise TypeError(f"{owner}.result: must be an snnlab.Result from Network.run (got {check._show(result)})")
    return result


def _labels(owner: str, name: str, result: Result, labels) -> list[str]:
    """A list of population labels: all of them for None; one label or a list otherwise."""
    if labels is None:
        return list(result.labels)
    items = [labels] if isinstance(labels, str) or hasattr(labels, "label") else list(labels)
    if not items:
        raise ValueError(f"{owner}.{name}: must name at least one population (got an empty list)")
    out = []
    for item in items:
        result.size(item)  # raises for an unknown label, naming the known ones
        out.append(getattr(item, "label", item))
    if len(set(out)) != len(out):
        raise ValueError(f"{owner}.{name}: lists a population twice (got {out})")
    return out


def _one_label(owner: str, result: Result, label) -> str:
    if not (isinstance(label, str) or hasattr(label, "label")):
        raise TypeError(f"{owner}.label: must be one population label (got {check._show(label)})")
    result.size(label)  # raises for an unknown label, naming the known ones
    return getattr(label, "label", label)


def _neurons(result: Result, label: str, neurons, max_neurons: int, owner: str) -> np.ndarray:
    max_neurons = check.integer(owner, "max_neurons", max_neurons, minimum=1)
    if neurons is None:
        recorded = result.recorded_neurons(label)
        if recorded.size == 0:
            raise ValueError(
                f"{owner}: no potential of population {label!r} was recorded; run with "
                f"record={{{label!r}: 'all'}} or record='all'"
            )
        return np.asarray(recorded[:max_neurons])
    return np.atleast_1d(np.asarray(neurons))


def _styles(result: Result, labels: list[str]) -> dict:
    """Per population: its kind's colour, and a line style that differs between
    populations of the same kind."""
    seen: dict[str, int] = {}
    out = {}
    for label in labels:
        kind = result.kind(label)
        i = seen.get(kind, 0)
        seen[kind] = i + 1
        out[label] = {"color": kind_color(kind), "linestyle": _LINESTYLES[i % len(_LINESTYLES)]}
    return out


def _population_names(ax, labels, centres, axis: str) -> None:
    """Population labels just outside the right edge (axis "y") or the top edge (axis "x")."""
    if axis == "y":
        trans = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        for label, y in zip(labels, centres, strict=True):
            ax.text(1.01, y, label, transform=trans, ha="left", va="center", fontsize="small")
    else:
        trans = transforms.blended_transform_factory(ax.transData, ax.transAxes)
        for label, x in zip(labels, centres, strict=True):
            ax.text(x, 1.01, label, transform=trans, ha="center", va="bottom", fontsize="small")


# -- spikes ------------------------------------------------------------------------------------
def plot_raster(result: Result, ax=None, labels=None, markersize: float | None = None, marker: str | None = None,
                max_neurons=None, legend: bool = True):
    """Spike raster of all populations (or the listed ones), stacked from the bottom up.

    Each population's spikes are one line of markers in its kind's colour (a ``Line2D``,
    rasterised in vector files; thousands of them are drawn as one picture of the pixels
    they cover, see :mod:`snnlab._dots`); thin grey lines mark the population boundaries
    and the population labels stand at the right.

    Parameters
    ----------
    result : Result
    ax : matplotlib Axes or None
    labels : str, list of str or None
        Populations to draw, bottom to top; default all, in the order they were added.
    markersize : float or None
        Default: 4 for "|" ticks, 2 for dots.
    marker : str or None
        Default: "|" (vertical ticks) up to 100 neurons in total, "." above.
    max_neurons : int, dict {label: int} or None
        Show only the first neurons of each population (all of them where not given):
        a readable raster of a large network.
    legend : bool
        Draw the legend (one entry per kind) above the axes. Default True.

    Returns
    -------
    matplotlib Axes
        y is the neuron index in the stack: population ``labels[j]`` occupies
        ``[sum of the sizes shown below it, + its size shown)``.
    """
    owner = "plot_raster"
    result = _result(owner, result)
    labels = _labels(owner, "labels", result, labels)
    shown = _shown(owner, result, labels, max_neurons)
    ax = _axes(ax)
    total = sum(shown.values())
    if marker is None:
        marker = "|" if total <= 100 else "."
    if markersize is None:
        markersize = 4.0 if marker == "|" else 2.0
    offset = 0
    kinds_shown = set()
    centres = []
    for label in labels:
        kind = result.kind(label)
        times, neurons = result.spikes(label)
        size = shown[label]
        keep = neurons < size
        entry = kind if kind not in kinds_shown else "_nolegend_"
        kinds_shown.add(kind)
        ax.add_line(Dots(times[keep], neurons[keep] + offset, marker=marker, linestyle="none", markersize=markersize,
                         color=kind_color(kind), rasterized=True, label=entry))
        centres.append(offset + (size - 1) / 2.0)
        if offset:
            hline(ax, offset - 0.5, **_BOUNDARY)
        offset += size
    _population_names(ax, labels, centres, "y")
    set_limits(ax, "x", (0.0, result.duration))
    set_limits(ax, "y", (-0.5, total - 0.5))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if legend:  # above the axes: a dense raster leaves no free corner inside
        add_legend(ax, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False, fontsize="small",
                  markerscale=2 if marker == "." else 1)
    return ax


def _shown(owner: str, result: Result, labels: list[str], max_neurons) -> dict:
    """How many neurons of each population the raster shows."""
    if max_neurons is None:
        return {lb: result.size(lb) for lb in labels}
    if isinstance(max_neurons, dict):
        unknown = set(max_neurons) - set(labels)
        if unknown:
            raise ValueError(f"{owner}.max_neurons: names populations not drawn: {sorted(unknown)}")
        return {lb: min(result.size(lb), check.integer(owner, f"max_neurons[{lb!r}]", max_neurons.get(
            lb, result.size(lb)), minimum=1)) for lb in labels}
    k = check.integer(owner, "max_neurons", max_neurons, minimum=1)
    return {lb: min(result.size(lb), k) for lb in labels}


def _trace_colors(result: Result, label: str, count: int, color) -> list:
    """One colour per plotted neuron: the given one, or shades of the population's kind colour
    (red for excitatory, blue for inhibitory), darkest first."""
    if color is not None:
        return [color] * count
    if count == 1:
        return [kind_color(result.kind(label))]
    cmap = plt.get_cmap("Reds" if result.kind(label) == "excitatory" else "Blues")
    return [cmap(x) for x in np.linspace(0.9, 0.45, count)]


# -- potentials and currents -------------------------------------------------------------------
def plot_potentials(result: Result, label, neurons=None, ax=None, max_neurons: int = 5, color=None,
                    legend: bool = True, **line):
    """Membrane potentials (mV) of a few recorded neurons against time (ms).

    A dashed line marks the model's threshold, a dotted one its resting potential (and a
    dash-dotted one ``u_reset`` when it differs); each spike of a plotted neuron is a
    tick at the threshold level, in the neuron's colour (the recorded potential itself
    never shows the crossing: it is sampled before each step, see :mod:`snnlab.engine`).

    Parameters
    ----------
    result : Result
        Run with the population's potentials recorded.
    label : str or Population
    neurons : int or sequence of int or None
        Indices within the population; default the first ``max_neurons`` recorded ones.
    ax : matplotlib Axes or None
    max_neurons : int
        How many to draw when ``neurons`` is None. Default 5.
    color : matplotlib colour or None
        Colour of every trace; default the population's kind colour (shades of it for
        several neurons).
    legend : bool
        Draw the legend. Default True.
    **line
        Passed to ``ax.plot`` for the traces (``linestyle``, ``linewidth``, ``alpha``, ...).

    Returns
    -------
    matplotlib Axes
    """
    result = _result("plot_potentials", result)
    ax, label, chosen, colors = _traces("plot_potentials", result, label, neurons, max_neurons, ax, color, line,
                                        Result.potential)
    model = result.model(label)
    trains = result.spike_trains(label)
    spike_label = "spike"
    for color, neuron in zip(colors, chosen, strict=True):
        times = trains[int(neuron)]
        ax.plot(times, np.full(times.size, model.threshold), marker="|", markersize=10, linestyle="none",
                color=color, label=spike_label if times.size else "_nolegend_")
        if times.size:
            spike_label = "_nolegend_"
    hline(ax, model.threshold, color="black", linestyle="--", linewidth=1.0,
          label=f"threshold ({model.threshold:g} mV)")
    hline(ax, model.u_rest, color="0.4", linestyle=":", linewidth=1.0, label=f"u_rest ({model.u_rest:g} mV)")
    if model.u_reset != model.u_rest:
        hline(ax, model.u_reset, color="0.4", linestyle="-.", linewidth=1.0,
              label=f"u_reset ({model.u_reset:g} mV)")
    return _finish_traces(ax, result, label, "membrane potential (mV)", legend)


def _traces(owner, result, label, neurons, max_neurons, ax, color, line, values):
    """Draw ``values(result, label, neurons)`` (time-major) of the chosen neurons, one line
    each in the kind's shades (or ``color``); return the axes, label, neurons and colours."""
    label = _one_label(owner, result, label)
    chosen = _neurons(result, label, neurons, max_neurons, owner)
    data = values(result, label, chosen)
    ax = _axes(ax)
    colors = _trace_colors(result, label, len(chosen), color)
    style = {"linewidth": 1.0, **line}
    for column, neuron in enumerate(chosen):
        ax.plot(result.time, data[:, column], color=colors[column], label=f"neuron {int(neuron)}", **style)
    return ax, label, chosen, colors


def _finish_traces(ax, result, label, ylabel, legend):
    set_limits(ax, "x", (0.0, result.duration))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"population {label!r} ({result.kind(label)})", fontsize="medium")
    if legend:
        add_legend(ax, loc="best", fontsize="small")
    return ax


def plot_currents(result: Result, label, neurons=None, ax=None, max_neurons: int = 5, color=None,
                  legend: bool = True, **line):
    """External input currents (nA) of a few recorded neurons against time (ms).

    Synaptic and Poisson input is not included (see :meth:`Result.current`).

    Parameters
    ----------
    result : Result
        Run with the population's currents recorded (recorded with the potentials).
    label : str or Population
    neurons : int or sequence of int or None
        Indices within the population; default the first ``max_neurons`` recorded ones.
    ax : matplotlib Axes or None
    max_neurons : int
        How many to draw when ``neurons`` is None. Default 5.
    color, legend, **line
        As in :func:`plot_potentials`.

    Returns
    -------
    matplotlib Axes
    """
    result = _result("plot_currents", result)
    ax, label, _, _ = _traces("plot_currents", result, label, neurons, max_neurons, ax, color, line, Result.current)
    rheobase = result.model(label).rheobase
    hline(ax, rheobase, color="0.4", linestyle=":", linewidth=1.0, label=f"rheobase ({rheobase:g} nA)")
    return _finish_traces(ax, result, label, "input current (nA)", legend)


# -- rates ------------------------------------------------------------------------------------
def plot_population_rate(result: Result, labels=None, bin: float = 1.0, smooth: float | None = None, ax=None,
                         legend: bool = True):
    """Population rate (Hz) of each population against time (ms), see
    :func:`snnlab.analysis.population_rate` (values at bin centres).

    One line per population in its kind's colour; populations of the same kind get
    different line styles.

    Parameters
    ----------
    result : Result
    labels : str, list of str or None
        Default all populations.
    bin : float
        Bin width, ms. Default 1.
    smooth : float or None
        Gaussian smoothing std, ms. Default None.
    ax : matplotlib Axes or None
    legend : bool
        Draw the legend. Default True.

    Returns
    -------
    matplotlib Axes
    """
    owner = "plot_population_rate"
    result = _result(owner, result)
    labels = _labels(owner, "labels", result, labels)
    ax = _axes(ax)
    styles = _styles(result, labels)
    for label in labels:
        t, rate = analysis.population_rate(result, label, bin=bin, smooth=smooth)
        ax.plot(t, rate, linewidth=1.2, label=f"{label} ({result.kind(label)})", **styles[label])
    set_limits(ax, "x", (0.0, result.duration))
    ax.set_ylim(bottom=0.0)
    round_limits(ax, "y")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population rate (Hz)")
    if legend:
        add_legend(ax, loc="best", fontsize="small")
    return ax


def plot_fi_curve(currents, rates, analytic=None, ax=None):
    """Firing rate (Hz) against constant input current (nA).

    Parameters
    ----------
    currents, rates : array_like (m,)
        nA and Hz, e.g. from :func:`snnlab.analysis.fi_curve`; drawn as markers.
    analytic : LIF, array_like (m,) or None
        An :class:`~snnlab.LIF` draws its closed-form curve
        (:meth:`LIF.firing_rate`) on a fine grid over the current range, with a dotted
        line at its rheobase; an array draws those rates (Hz) at ``currents`` as a line.
    ax : matplotlib Axes or None

    Returns
    -------
    matplotlib Axes
    """
    owner = "plot_fi_curve"
    x = np.asarray(currents, dtype=float).ravel()
    y = np.asarray(rates, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"{owner}.rates: must have one rate per current, {x.size} (got {y.size})")
    ax = _axes(ax)
    ax.plot(x, y, marker="o", linestyle="none", markersize=4, color="black", label="simulated")
    if isinstance(analytic, LIF):
        lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 2 * analytic.rheobase)
        grid = np.linspace(lo, hi, 400)
        ax.plot(grid, analysis.lif_rate(grid, analytic), color=EXC_COLOR, linewidth=1.2, label="analytic (LIF)")
        vline(ax, analytic.rheobase, color="0.4", linestyle=":", linewidth=1.0,
              label=f"rheobase ({analytic.rheobase:g} nA)")
    elif analytic is not None:
        expected = np.asarray(analytic, dtype=float).ravel()
        if expected.shape != x.shape:
            raise ValueError(
                f"{owner}.analytic: must be an snnlab.LIF or one rate per current, {x.size} (got {expected.size})"
            )
        order = np.argsort(x)
        ax.plot(x[order], expected[order], color=EXC_COLOR, linewidth=1.2, label="analytic")
    ax.set_xlabel("input current (nA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_ylim(bottom=0.0)
    add_legend(ax, loc="best", fontsize="small")
    return ax


# -- connectivity -------------------------------------------------------------------------------
def _group(result: Result, labels):
    """Labels, their network-wide index ranges, and a map from global index to position
    in the group (-1 outside)."""
    lookup = np.full(result.n, -1, dtype=np.int64)
    bounds = [0]
    for label in labels:
        lo = result.offset(label)
        size = result.size(label)
        lookup[lo:lo + size] = bounds[-1] + np.arange(size)
        bounds.append(bounds[-1] + size)
    return lookup, bounds


def plot_connectivity(result: Result, ax=None, pre=None, post=None):
    """The signed weight matrix: rows are postsynaptic neurons, columns presynaptic ones.

    Excitatory weights are positive (red), inhibitory negative (blue), on the diverging
    map "RdBu_r" with limits symmetric around 0; absent synapses are 0 (white) and the
    weights of repeated pairs (multapses) add up. Grey lines mark population boundaries.

    Parameters
    ----------
    result : Result
    ax : matplotlib Axes or None
    pre, post : str, list of str or None
        Populations on each side; default all.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        Above :data:`MAX_MATRIX_NEURONS` neurons on a side: the matrix would be unreadable
        and large; use :func:`plot_degree_histogram`.
    """
    owner = "plot_connectivity"
    result = _result(owner, result)
    pre_labels = _labels(owner, "pre", result, pre)
    post_labels = _labels(owner, "post", result, post)
    pre_of, pre_bounds = _group(result, pre_labels)
    post_of, post_bounds = _group(result, post_labels)
    n_pre, n_post = pre_bounds[-1], post_bounds[-1]
    if max(n_pre, n_post) > MAX_MATRIX_NEURONS:
        raise ValueError(
            f"{owner}: {n_post} x {n_pre} neurons is too many for a weight matrix (at most {MAX_MATRIX_NEURONS} "
            "on a side); choose populations with pre=/post= or use plot_degree_histogram"
        )
    synapses = result.connections()
    i, j = post_of[synapses["post"]], pre_of[synapses["pre"]]
    keep = (i >= 0) & (j >= 0)
    matrix = np.zeros((n_post, n_pre), dtype=np.float32)  # 100 MB at the 5000 x 5000 limit
    np.add.at(matrix, (i[keep], j[keep]), synapses["weight"][keep])
    limit = float(np.abs(matrix).max()) if matrix.size else 0.0
    limit = limit if limit > 0 else 1.0
    ax = _axes(ax)
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit, origin="lower", aspect="auto",
                      interpolation="nearest", extent=(-0.5, n_pre - 0.5, -0.5, n_post - 0.5))
    ax.figure.colorbar(image, ax=ax, label="weight (mV)", pad=0.08)
    for edge in pre_bounds[1:-1]:
        vline(ax, edge - 0.5, **_BOUNDARY)
    for edge in post_bounds[1:-1]:
        hline(ax, edge - 0.5, **_BOUNDARY)
    _population_names(ax, pre_labels, [(a + b - 1) / 2 for a, b in itertools.pairwise(pre_bounds)], "x")
    _population_names(ax, post_labels, [(a + b - 1) / 2 for a, b in itertools.pairwise(post_bounds)], "y")
    ax.set_xlabel("presynaptic neuron (column)")
    ax.set_ylabel("postsynaptic neuron (row)")
    return ax


def plot_degree_histogram(result: Result, ax=None, which: str = "out", pre=None, post=None):
    """Histogram of the number of synapses per neuron, one per kind.

    The out-degree of a neuron counts its synapses onto ``post``, its in-degree the
    synapses it receives from ``pre``; neurons are grouped by their own kind (red
    excitatory, blue inhibitory). Usable at any size, unlike :func:`plot_connectivity`.

    Parameters
    ----------
    result : Result
    ax : matplotlib Axes or None
    which : {"out", "in", "both"}
        Out-degrees of the ``pre`` neurons, in-degrees of the ``post`` neurons, or both
        (out-degree filled, in-degree outlined). Default "out".
    pre, post : str, list of str or None
        Populations on each side; default all.

    Returns
    -------
    matplotlib Axes
    """
    owner = "plot_degree_histogram"
    result = _result(owner, result)
    which = check.choice(owner, "which", which, ("out", "in", "both"))
    pre_labels = _labels(owner, "pre", result, pre)
    post_labels = _labels(owner, "post", result, post)
    pre_of, _ = _group(result, pre_labels)
    post_of, _ = _group(result, post_labels)
    synapses = result.connections()
    keep = (pre_of[synapses["pre"]] >= 0) & (post_of[synapses["post"]] >= 0)
    out_degree = np.bincount(synapses["pre"][keep], minlength=result.n)
    in_degree = np.bincount(synapses["post"][keep], minlength=result.n)
    groups = []  # (kind, direction, degrees)
    directions = [("out", out_degree, pre_labels), ("in", in_degree, post_labels)]
    for direction, degree, labels in directions:
        if which not in (direction, "both"):
            continue
        for kind in ("excitatory", "inhibitory"):
            members = [lb for lb in labels if result.kind(lb) == kind]
            if members:
                ids = np.concatenate([np.arange(result.offset(lb), result.offset(lb) + result.size(lb))
                                      for lb in members])
                groups.append((kind, direction, degree[ids]))
    everything = np.concatenate([g[2] for g in groups])
    top = int(everything.max()) if everything.size else 0
    # integer-centred bins while they stay readable, else numpy's choice over the common range
    bins = np.arange(-0.5, top + 1.5) if top <= 60 else np.histogram_bin_edges(everything, bins="auto")
    ax = _axes(ax)
    for kind, direction, degrees in groups:
        filled = direction == "out"
        ax.hist(degrees, bins=bins, color=kind_color(kind), histtype="stepfilled" if filled else "step",
                alpha=0.5 if filled else 1.0, linewidth=1.5, label=f"{kind}, {direction}-degree")
    label = {"out": "out-degree", "in": "in-degree", "both": "degree"}[which]
    round_limits(ax, "y")  # counts: still while a slider changes them a little
    ax.set_xlabel(f"{label} (synapses per neuron)")
    ax.set_ylabel("number of neurons")
    add_legend(ax, loc="best", fontsize="small")
    return ax
