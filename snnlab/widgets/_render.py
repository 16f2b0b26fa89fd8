"""An Agg canvas for slider panels that remembers the text it rasterised.

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
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag

try:  # the glyph interface of matplotlib >= 3.10
    from matplotlib.ft2font import RenderMode
except ImportError:  # pragma: no cover - older matplotlib: no cache
    RenderMode = None

#: Strings remembered per renderer (a panel's figure has 50-150 of them).
CACHE_SIZE = 2048


def _font_key(prop) -> tuple:
    """What of a FontProperties decides the glyphs (the fields of its own hash)."""
    return (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


class CachingRendererAgg(RendererAgg):
    """RendererAgg whose ``draw_text`` reuses the glyph bitmaps of an earlier, identical call."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._glyphs = OrderedDict()
        self.hits = 0
        self.misses = 0

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
    """FigureCanvasAgg with a :class:`CachingRendererAgg` (kept while the size and dpi stay)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = CachingRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
