"""Many markers of one colour drawn as one image of the pixels they cover (a dense raster).

Agg draws a line's markers one by one: it renders the marker once, then stamps it at every
point, each point's position rounded to a whole pixel, about 0.4 µs a stamp. A raster of a
network firing hard has over 100,000 spikes in a few hundred by a few hundred pixels (two and
more per pixel), and stamping them was most of a panel's drawing. Stamps of one colour at the
same place compose simply: over any background, stamps of coverage ``a1, a2, ...`` (0 to 1)
leave ``c + (background - c) * (1 - a1) * (1 - a2) * ...``. :class:`Dots` therefore counts the
points per pixel (rounded as Agg rounds them), adds up ``count * log(1 - a)`` over the marker's
pixels (the marker is rendered by Agg itself, once per style and resolution, so that it is
Agg's own stamp), and composites one image of ``1 - exp(sum)``. The picture is the same: the
same pixels covered, each within 5 levels of 255 and within one on average (Agg rounds after
every stamp and composites an image by another formula), ``tests/test_dots.py``; it costs
1-2 ms whatever the number of points (50,000 points: 1.9 ms, against 21 ms stamped).

Only where it gives Agg's picture: an Agg renderer (not a vector file, not a mixed renderer),
markers without a line, every point marked, one colour (face and edge alike), no path effects,
no clip path other than the axes' box, at least :data:`MIN_POINTS` points. Anything else is
drawn as the plain ``Line2D`` that :class:`Dots` is in every other way (data, legend, picking).
"""

from __future__ import annotations

import numpy as np
from matplotlib import artist, lines
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.transforms import IdentityTransform

#: Fewer points than this are stamped by Agg as usual: below it, stamping is the faster.
MIN_POINTS = 3000
#: Stamps remembered (one per style and resolution; a few in a course's figures).
STAMPS = 64
_STAMPS: dict = {}
_NOT_KEPT = object()
_SCRATCH = 32  # side of the scratch image a stamp is rendered in, px


class Dots(lines.Line2D):
    """A ``Line2D`` of markers only that Agg draws as one image of the pixels they cover (see the
    module docstring)."""

    @artist.allow_rasterization
    def draw(self, renderer):
        if not self.get_visible():
            return None
        stamp = self._stamp(renderer)
        if stamp is None:
            return super().draw(renderer)
        picture = self._picture(renderer, stamp)
        if picture is not None:
            image, left, bottom = picture
            gc = renderer.new_gc()
            self._set_gc_clip(gc)  # Agg clips the picture as it would clip the stamps
            gc.set_url(self.get_url())
            gc.set_gid(self.get_gid())
            renderer.draw_image(gc, left, bottom, image)
            gc.restore()
        self.stale = False
        return None

    def _stamp(self, renderer):
        """The marker's stamp (:func:`_stamp`) where one picture of them would be Agg's picture
        (see the module docstring), else None."""
        if (isinstance(renderer, RendererAgg) and not self.get_path_effects() and self.get_markevery() is None
                and self.get_linestyle() in ("None", "none", " ", "") and self._clippath is None
                and self.get_clip_on() and self.clipbox is not None and len(self.get_xydata()) >= MIN_POINTS):
            return _stamp(self, renderer)
        return None

    def _picture(self, renderer, stamp):
        """(RGBA image, its first row at the bottom; left, bottom in display pixels) of the
        markers, or None if none reaches the clip box."""
        rgb, weights, (top_off, left_off) = stamp
        kh, kw = weights.shape
        height = renderer.height
        points = self.get_transform().transform(self.get_xydata())
        # where Agg puts each stamp's centre: the point rounded half up, rows counted from the top
        rows = np.floor(height - points[:, 1] + 0.5)
        cols = np.floor(points[:, 0] + 0.5)
        # the clip box's pixels (and one more on each side: Agg clips the picture as the stamps)
        x0, y0, x1, y1 = self.clipbox.extents  # display px, from the bottom left
        box = (np.floor(height - y1) - 1, np.ceil(height - y0) + 1, np.floor(x0) - 1, np.ceil(x1) + 1)
        # stamps that reach it (NaN compares False: Agg skips those points too)
        keep = ((rows >= box[0] - top_off - kh + 1) & (rows <= box[1] - top_off)
                & (cols >= box[2] - left_off - kw + 1) & (cols <= box[3] - left_off))
        if not keep.any():
            return None
        rows, cols = rows[keep].astype(np.intp), cols[keep].astype(np.intp)
        # the picture: the pixels those stamps cover, within the box
        top, bottom = max(int(box[0]), rows.min() + top_off), min(int(box[1]), rows.max() + top_off + kh - 1)
        left, right = max(int(box[2]), cols.min() + left_off), min(int(box[3]), cols.max() + left_off + kw - 1)
        out_h, out_w = bottom - top + 1, right - left + 1
        # stamps per centre, on a grid from the centre of a stamp whose last pixel is the picture's
        # first; pixel (i, j) of the stamp centred at grid (r, c) is picture pixel
        # (r - (kh - 1) + i, c - (kw - 1) + j)
        grid_top, grid_left = top - top_off - (kh - 1), left - left_off - (kw - 1)
        grid_h, grid_w = out_h + kh - 1, out_w + kw - 1
        counts = np.bincount((rows - grid_top) * grid_w + (cols - grid_left), minlength=grid_h * grid_w)
        counts = counts.reshape(grid_h, grid_w).astype(np.float32)
        # log(1 - alpha) per pixel: log(1 - coverage) summed over the stamps that cover it
        total = np.zeros((out_h, out_w), np.float32)
        term = np.empty_like(total)
        for (i, j), weight in np.ndenumerate(weights):
            if weight:
                np.multiply(counts[kh - 1 - i:kh - 1 - i + out_h, kw - 1 - j:kw - 1 - j + out_w], weight, out=term)
                total += term
        alpha = np.exp(total[::-1])  # (1 - a1)(1 - a2)..., the picture's first row at the bottom
        alpha *= -255.0
        alpha += 255.5  # 255 (1 - ...), rounded by the cast below
        # RGBA pixels as little-endian 32-bit words: r | g << 8 | b << 16 | alpha << 24
        words = alpha.astype("<u4")
        words <<= 24
        words |= int(rgb[0]) | int(rgb[1]) << 8 | int(rgb[2]) << 16
        return words.view(np.uint8).reshape(out_h, out_w, 4), left, height - 1 - bottom


def _stamp(line: lines.Line2D, renderer):
    """(rgb, log(1 - coverage) per pixel, (top, left) offset from the stamp's centre) of one of
    ``line``'s markers as Agg stamps it at ``renderer``'s resolution, or None when the marker
    has more than one colour."""
    key = (renderer.dpi, line.get_marker(), line.get_markersize(), line.get_markeredgewidth(),
           line.get_fillstyle(), repr(line.get_markerfacecolor()), repr(line.get_markeredgecolor()),
           repr(line.get_markerfacecoloralt()), line.get_alpha(), line.get_antialiased())
    kept = _STAMPS.get(key, _NOT_KEPT)  # one lookup: a panel's thread may clear the memory meanwhile
    if kept is not _NOT_KEPT:
        return kept
    scratch = RendererAgg(_SCRATCH, _SCRATCH, renderer.dpi)
    probe = lines.Line2D([_SCRATCH / 2], [_SCRATCH / 2])
    probe.update_from(line)  # its style, and also its transform and clip box, set again below
    probe.set_transform(IdentityTransform())
    probe.set_linestyle("none")
    probe.set_clip_on(False)
    probe.set_path_effects([])
    probe.draw(scratch)
    pixels = np.asarray(scratch.buffer_rgba())
    covered = pixels[..., 3] > 0
    result = None
    if covered.any() and not covered[0].any() and not covered[-1].any() and not covered[:, 0].any() \
            and not covered[:, -1].any():  # the whole stamp inside the scratch image
        colours = np.unique(pixels[covered][:, :3], axis=0)
        if len(colours) == 1:
            rows, cols = np.nonzero(covered)
            top, left = rows.min(), cols.min()
            cover = pixels[top:rows.max() + 1, left:cols.max() + 1, 3] / 255.0
            with np.errstate(divide="ignore"):
                weights = np.maximum(np.log1p(-cover), -50.0).astype(np.float32)  # full: (1 - 1)**n as e**-50
            # the centre Agg rounds the probe's point to (see Dots._picture)
            row, col = np.floor(_SCRATCH - _SCRATCH / 2 + 0.5), np.floor(_SCRATCH / 2 + 0.5)
            result = (colours[0], weights, (int(top - row), int(left - col)))
    if len(_STAMPS) >= STAMPS:
        _STAMPS.clear()
    _STAMPS[key] = result
    return result
