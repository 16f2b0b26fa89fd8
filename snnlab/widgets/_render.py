"""An Agg canvas for slider panels that remembers what it rasterised: text, and the static layer.

A panel draws the same figure again and again; between two updates most of its text (tick
labels, axis labels, legend entries, titles) stands at the same place with the same words.
Rasterising text is half of what Agg spends on a panel's figure (FreeType lays out each
string and renders each glyph, for every draw). :class:`PanelCanvas` keeps, per string and
exact position, the glyph bitmaps FreeType made, and on a later draw composites those
bitmaps again instead of asking FreeType: the pixels are the same, because the bitmaps,
their offsets and the compositing call are the same. Text that moves, or changes, is
rendered as before (and remembered for the next draw). Math text is left to matplotlib.

This relies on the private glyph interface of matplotlib's Agg renderer (``FT2Font._layout``,
``_render_glyph``, as in matplotlib 3.10-3.11); where it is missing, the canvas draws text
exactly as FigureCanvasAgg does.

Most of a panel's drawing time goes to what stands still between two updates: the axes'
frames, ticks, tick labels, axis labels and titles (matplotlib lays out every tick and its
label on every draw). :meth:`PanelCanvas.draw` therefore draws in two layers, as matplotlib's
own animation blitting does. The **static layer** is the figure with only those parts (and the
figure's and axes' backgrounds, but not the frames); it is kept as pixels, with a key that
says what decides it: for every axes its place, view limits, scales, tick locators and
formatters (their settings), tick settings, and the texts and style of its axis labels. The
**data layer** is everything else (lines, collections, patches, images, texts, titles,
legends, the figure's own legends and texts): on every draw the static layer's pixels are put
back, if its key is unchanged, and the data layer is drawn over them in the order a full
drawing would use (by zorder; the axes' frames belong to this layer, so that they cover a line
along them as in a full drawing). A legend (the figure's, or an axes' placed outside it) that
stands beside every axes joins the static layer (with its texts and handles in the key) once a
drawing has shown it overlaps none, and while it stays the same from one drawing to the next:
a legend costs as much to lay out and draw as all of a panel's data, but one that says a
slider's value would draw the static layer again on every step. A change of any
part of the key (new limits, another label) draws the static layer again. The picture is a
full drawing's, pixel for pixel, except where data drawn after the ticks touch them
(``tests/test_panel_updates.py`` compares the two for every panel and control).
Figures with subfigures or inset axes are drawn in full every time.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.legend import Legend

from ..plotting import style_key

try:  # the glyph interface of matplotlib >= 3.10
    from matplotlib.ft2font import RenderMode
except ImportError:  # pragma: no cover - older matplotlib: no cache
    RenderMode = None

#: Strings remembered per renderer (a panel's figure has 50-150 of them).
CACHE_SIZE = 2048
#: Static layers remembered per canvas (a drag back and forth revisits a few), ~1 MB each.
LAYERS = 6
#: Figure legends whose place (beside the axes or over them) a canvas remembers.
LEGENDS = 64


def _font_key(prop) -> tuple:
    """What of a FontProperties decides the glyphs (the fields of its own hash)."""
    return (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _font_height_metrics(prop, dpi) -> tuple:
    """(ascent, descent, line gap) in pixels from the font's OS/2 or hhea table, the way
    ``matplotlib.text.Text._get_layout`` reads them; (None, None, None) makes it measure instead."""
    try:
        font = get_font(fontManager._find_fonts_by_props(prop))
    except (AttributeError, TypeError):  # pragma: no cover - another matplotlib: let it measure
        return None, None, None
    for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                             ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class CachingRendererAgg(RendererAgg):
    """RendererAgg whose ``draw_text`` reuses the glyph bitmaps of an earlier, identical call."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._glyphs = OrderedDict()
        self._heights = {}
        self.hits = 0
        self.misses = 0

    def _get_font_height_metrics(self, prop):
        """The font's ascent, descent and line gap at this dpi, as ``Text._get_layout`` computes
        them when a renderer has no such method (matplotlib >= 3.11), remembered per font: the
        font lookup and its tables cost more than the rest of laying out a label."""
        key = _font_key(prop), self.dpi
        metrics = self._heights.get(key)
        if metrics is None:
            metrics = self._heights[key] = _font_height_metrics(prop, self.dpi)
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or RenderMode is None or not hasattr(self, "_prepare_font"):
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        features = _hashable(mtext.get_fontfeatures()) if mtext is not None else None
        language = _hashable(mtext.get_language()) if mtext is not None else None
        antialiased = bool(gc.get_antialiased())
        flags = get_hinting_flag()
        key = (s, _font_key(prop), float(angle), float(x), float(y), antialiased, features, language, flags)
        glyphs = self._glyphs.get(key)
        if glyphs is None:
            self.misses += 1
            glyphs = self._render(gc, x, y, s, prop, angle, features, language, antialiased, flags)
            self._glyphs[key] = glyphs
            if len(self._glyphs) > CACHE_SIZE:
                self._glyphs.popitem(last=False)
            return None
        self.hits += 1
        self._glyphs.move_to_end(key)
        height = int(self.height)
        for buffer, left, top in glyphs:
            self._renderer.draw_text_image(buffer, left, height - top + buffer.shape[0], 0, gc)
        return None

    def _render(self, gc, x, y, s, prop, angle, features, language, antialiased, flags) -> list:
        """RendererAgg's own glyph loop (``_draw_text_glyphs_and_boxes`` for plain text),
        keeping each glyph's bitmap and place."""
        font = self._prepare_font(prop)
        items = font._layout(s, flags=flags, features=features, language=language)
        size = prop.get_size_in_points()
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height = int(self.height)
        glyphs = []
        for item in items:
            font = item.ft_object
            dx, dy = item.x, item.y
            font.set_size(size, self.dpi)
            font._set_transform(
                (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int),
                [round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (self.height - y + dx * sin + dy * cos))])
            bitmap = font._render_glyph(item.glyph_index, flags, mode)
            buffer = np.array(bitmap.buffer, copy=True)
            if not antialiased:
                buffer *= 0xff
            self._renderer.draw_text_image(buffer, bitmap.left, height - bitmap.top + buffer.shape[0], 0, gc)
            glyphs.append((buffer, bitmap.left, bitmap.top))
        return glyphs


class PanelCanvas(FigureCanvasAgg):
    """FigureCanvasAgg with a :class:`CachingRendererAgg` (kept while the size and dpi stay),
    which keeps the static layer of the last drawing (see the module docstring).

    Attributes
    ----------
    blit : bool
        Reuse the static layer when its key is unchanged (default True); False draws in full.
    static_draws, layer_draws : int
        How many drawings drew the static layer, and how many reused it.
    """

    blit = True

    def __init__(self, figure=None):
        super().__init__(figure)
        self._layers = OrderedDict()  # static key -> pixels, most recent last
        self._aside = {}  # legend key -> whether that legend overlaps no axes
        self._shown = set()  # keys of the legends of the last drawing
        self.static_draws = 0
        self.layer_draws = 0

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = CachingRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
            self._layers.clear()
        return self.renderer

    def draw(self):
        with _asked_once(self.figure):
            self._draw()

    def _draw(self):
        fig = self.figure
        key = static_key(fig) if self.blit else None
        if key is None:
            return super().draw()
        renderer = self.get_renderer()
        found = [*fig.legends, *(legend for ax in fig.axes if ax.get_visible()
                                 for legend in (ax.get_legend(), *ax.artists) if isinstance(legend, Legend))]
        legends = {id(legend): (legend, _legend_key(legend)) for legend in found
                   if legend.get_visible()}
        # beside every axes, and unchanged since the last drawing (a legend that says a slider's
        # value changes with every step: kept as pixels, it would draw the static layer every time)
        aside = [legend for legend, lkey in legends.values() if self._aside.get(lkey) and lkey in self._shown]
        self._shown = {lkey for _, lkey in legends.values()}
        key += tuple(legends[id(legend)][1] for legend in aside)
        layers = data_layer(fig, static=aside)
        background = self._layers.get(key)
        if background is None:
            with _hidden([artist for _, artists in layers for artist in artists]):
                super().draw()  # (FigureCanvasAgg.draw: not while saving, when animated artists are drawn)
            self._layers[key] = self.copy_from_bbox(fig.bbox)
            if len(self._layers) > LAYERS:
                self._layers.popitem(last=False)
            self.static_draws += 1
            for legend, lkey in legends.values():  # which legends stand beside every axes
                if lkey not in self._aside:
                    box = legend.get_window_extent(renderer)
                    self._aside[lkey] = not any(box.overlaps(ax.bbox) for ax in fig.axes if ax.get_visible())
                    if len(self._aside) > LEGENDS:  # legends that say a slider's value are many
                        del self._aside[next(iter(self._aside))]
        else:
            self._layers.move_to_end(key)
            self.restore_region(background)
            self.layer_draws += 1
        for _, artists in layers:
            for artist in artists:
                artist.draw(renderer)
        fig.stale = False


@contextlib.contextmanager
def _asked_once(fig):
    """Work out what a drawing asks for again and again once per drawing: each axis' ticks and
    their labels' boxes, and the place of each legend at loc "best". Matplotlib asks for ticks 4-5
    times per axis while drawing a figure (to draw them, to place the axis labels beside its own
    and its siblings' tick labels, for the spines' extents, for the titles' place), and for a
    "best" legend's place twice (its box, then its drawing), and computes them again each time
    (locator, formatter, every tick's label set and measured; every candidate place tried against
    all the data): nothing changes the figure while it is drawn, so the first answer holds."""
    asked = [(axis, "_update_ticks", lambda: ()) for ax in fig.axes for axis in ax._axis_map.values()]
    asked += [(axis, "_get_ticklabel_bboxes", lambda ticks, renderer: (id(ticks), id(renderer)))
              for axis, _, _ in asked]
    asked += [(legend, "_find_best_position", lambda width, height, renderer: (width, height, id(renderer)))
              for legend in (*fig.legends, *(item for ax in fig.axes for item in (ax.get_legend(), *ax.artists)))
              if isinstance(legend, Legend)]
    found = [vars(owner).get(name, _NONE) for owner, name, _ in asked]  # what the instances had
    for owner, name, key in asked:
        setattr(owner, name, _once(getattr(owner, name), key))
    try:
        yield
    finally:
        for (owner, name, _), before in zip(asked, found):
            if before is _NONE:
                delattr(owner, name)
            else:
                setattr(owner, name, before)


_NONE = object()


def _once(method, key):
    """``method`` remembering its answer per ``key(*args)`` (arguments kept alive with it)."""
    answers = {}

    def remembered(*args):
        k = key(*args)
        if k not in answers:
            answers[k] = (method(*args), args)
        return answers[k][0]

    return remembered


@contextlib.contextmanager
def _hidden(artists):
    """Leave ``artists`` out while the static layer is drawn. They are marked animated, as
    matplotlib's blitting does, not made invisible: an invisible title has no extent, and the
    axes would move it while placing its titles."""
    marked = [artist for artist in artists if not artist.get_animated()]
    for artist in marked:
        artist.set_animated(True)
    try:
        yield
    finally:
        for artist in marked:
            artist.set_animated(False)


def _static_parts(ax) -> list:
    """An axes' parts in the static layer: background and axes (ticks, tick labels, axis
    labels). The frame (spines) is drawn with the data, in its zorder: data drawn after it
    would cover it where a line runs along the frame. Titles are drawn with the data too: a
    panel's title often says the slider's value."""
    return [ax.patch, ax.xaxis, ax.yaxis]


def data_layer(fig, static=()) -> list:
    """``[(axes, artists), ..., (None, artists)]``: the visible artists of each axes that are
    not static parts (frame included), in the order a full drawing draws them, then the
    figure's own (legends, texts, lines, suptitle), except those in ``static``."""
    layers = []
    for ax in sorted(fig.axes, key=lambda a: a.get_zorder()):
        if not ax.get_visible():
            continue
        parts = {id(part) for part in _static_parts(ax)} | {id(a) for a in static}
        if not ax.axison:  # a full drawing leaves the frame out too
            parts.update(id(spine) for spine in ax.spines.values())
        mine = [a for a in ax.get_children() if id(a) not in parts and a.get_visible()]
        layers.append((ax, sorted(mine, key=lambda a: a.get_zorder())))
    skip = {id(ax) for ax in fig.axes} | {id(a) for a in static}
    own = [a for a in fig.get_children() if a is not fig.patch and id(a) not in skip and a.get_visible()]
    layers.append((None, sorted(own, key=lambda a: a.get_zorder())))
    return layers


def _legend_key(legend) -> tuple:
    """What decides a figure legend's pixels: its place, texts, handles' styles and frame."""
    handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", ())
    anchor = legend.get_bbox_to_anchor()
    return (repr(legend._loc), tuple(anchor.bounds) if anchor is not None else None,
            getattr(legend, "_ncols", None), legend.get_frame_on(), _font_key(legend.prop),
            tuple((t.get_text(), str(t.get_color())) for t in legend.get_texts()),
            legend.get_title().get_text(), tuple(style_key(h) for h in handles if h is not None),
            style_key(legend.get_frame()))


def _label_key(text) -> tuple:
    """An axis label (its place follows from the tick labels, which the view limits decide)."""
    return (text.get_text(), text.get_visible(), str(text.get_color()), _font_key(text.get_fontproperties()),
            text.get_rotation(), text.get_horizontalalignment(), text.get_verticalalignment())


def _value_key(value):
    """A comparable stand-in for a locator's or formatter's setting (unknown objects by identity)."""
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    if isinstance(value, np.ndarray):
        return "array", value.shape, value.tobytes()
    if isinstance(value, (list, tuple)):
        return tuple(_value_key(item) for item in value)
    if isinstance(value, dict):
        return "dict", tuple(sorted((repr(k), _value_key(v)) for k, v in value.items()))
    if isinstance(value, functools.partial):
        return "partial", value.func, _value_key(value.args), _value_key(value.keywords)
    if callable(value):
        return value
    return type(value), id(value)


#: What a formatter computes from the ticks while drawing (ScalarFormatter, LogFormatter): it
#: follows from the view limits, which are in the key already.
_DRAWN = frozenset({"axis", "locs", "offset", "orderOfMagnitude", "format", "sublabels"})


def _ticker_key(item) -> tuple:
    """A locator or formatter by its type and settings, not its identity: plot functions make new
    ones on every drawing (``set_yscale("log")``, ``set_yticks``) with the same settings."""
    return type(item), tuple((name, _value_key(value)) for name, value in sorted(vars(item).items())
                             if name.lstrip("_") not in _DRAWN)


def _axis_key(axis) -> tuple:
    return (axis.get_visible(), _label_key(axis.label), axis.get_label_position(), axis.get_ticks_position(),
            _ticker_key(axis.get_major_locator()), _ticker_key(axis.get_major_formatter()),
            _ticker_key(axis.get_minor_locator()), _ticker_key(axis.get_minor_formatter()),
            repr(sorted(axis._major_tick_kw.items())), repr(sorted(axis._minor_tick_kw.items())),
            repr(getattr(getattr(axis, "units", None), "_mapping", None)), axis.get_scale())


def static_key(fig):
    """What decides the static layer of ``fig`` (see the module docstring), or None if the
    figure must be drawn in full (subfigures, inset axes)."""
    if getattr(fig, "subfigs", None):
        return None
    parts = [tuple(fig.bbox.bounds), fig.dpi, tuple(fig.patch.get_facecolor()), fig.patch.get_visible()]
    for ax in fig.axes:
        if ax.child_axes or ax.get_axes_locator() is not None:
            return None
        parts.append((id(ax), ax.get_visible(), ax.axison, ax.get_zorder(), tuple(ax.get_position().bounds),
                      tuple(ax.viewLim.bounds), tuple(ax.patch.get_facecolor()), ax.patch.get_visible(),
                      _axis_key(ax.xaxis), _axis_key(ax.yaxis),
                      tuple((name, spine.get_visible(), str(spine.get_edgecolor()), spine.get_linewidth(),
                             repr(spine.get_position())) for name, spine in ax.spines.items())))
    return tuple(parts)

