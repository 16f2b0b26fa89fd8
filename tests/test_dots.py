"""snnlab._dots.Dots: many markers of one colour drawn as one picture of the pixels Agg would
stamp, checked against Agg's own stamps (plain Line2D) pixel by pixel."""

import io

import numpy as np
import pytest
from matplotlib import lines
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke

from snnlab import _dots
from snnlab._dots import Dots

#: Agg rounds after every stamp, the picture once: a pixel under n stamps may differ by about
#: n/2 levels of 255 (a raster's pixel is under a few; ticks overlap more)
LEVELS = 5


def _points(n, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-5.0 * spread, 85.0 * spread, n), rng.uniform(-10.0 * spread, 110.0 * spread, n)


def _picture(kind, x, y, dpi=80, **style):
    """The pixels of a figure with one line of markers, and how many markers Agg stamped (the
    ticks' too)."""
    fig = Figure(figsize=(4, 3), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.add_line(kind(x, y, **{"linestyle": "none", "marker": ".", "markersize": 2, "color": "tab:red", **style}))
    ax.set_xlim(0.0, 80.0)
    ax.set_ylim(-0.5, 99.5)
    renderer = fig.canvas.get_renderer()  # the one the drawing uses (same size)
    stamped = []
    original = renderer.draw_markers  # Agg's, bound to the renderer

    def counting(gc, marker_path, marker_trans, path, *args, **kwargs):
        stamped.append(len(path.vertices))
        return original(gc, marker_path, marker_trans, path, *args, **kwargs)

    renderer.draw_markers = counting
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(int), sum(stamped)


CASES = {
    "dense": (lambda: _points(40000, spread=0.3), {}),
    "sparse": (lambda: _points(3500), {}),
    "beyond the axes on every side": (lambda: _points(6000, spread=1.6), {}),
    "with NaN": (lambda: tuple(np.where(np.arange(8000) % 7 == 0, np.nan, v) for v in _points(8000)), {}),
    "half transparent": (lambda: _points(5000), {"alpha": 0.5}),
    "round markers": (lambda: _points(5000), {"marker": "o", "markersize": 4}),
    "ticks (a small raster's marker)": (lambda: _points(5000), {"marker": "|", "markersize": 4}),
    "high resolution": (lambda: _points(20000), {"dpi": 200}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_many_dots_are_one_picture_of_the_pixels_agg_would_stamp(case):
    make, style = CASES[case]
    x, y = make()
    assert x.size >= _dots.MIN_POINTS
    stamps, stamped = _picture(lines.Line2D, x, y, **style)
    picture, stamped_by_dots = _picture(Dots, x, y, **style)
    assert stamped - stamped_by_dots == x.size, "the dots are one picture, not stamps (the ticks are)"
    background = np.array([255, 255, 255, 255])
    covered = (stamps != background).any(axis=2)
    assert covered.sum() > 1000
    assert np.array_equal((picture != background).any(axis=2), covered), "a dot is missing, or one too many"
    differ = np.abs(picture - stamps).max(axis=2)
    assert differ.max() <= LEVELS
    assert differ[covered].mean() < 1.0  # on average within a level: the compositing differs, not the dots


@pytest.mark.parametrize("why", ["few points", "two colours", "a line between them", "path effects", "markevery"])
def test_dots_that_one_picture_cannot_draw_are_stamped_by_agg(why):
    x, y = _points(_dots.MIN_POINTS - 1 if why == "few points" else 5000)
    style = {"two colours": {"marker": "o", "markersize": 5, "markerfacecolor": "white"},
             "a line between them": {"linestyle": "-"},
             "path effects": {"path_effects": [withStroke(linewidth=2, foreground="k")]},
             "markevery": {"markevery": 3}}.get(why, {})
    stamps, stamped = _picture(lines.Line2D, x, y, **style)
    picture, stamped_by_dots = _picture(Dots, x, y, **style)
    assert stamped_by_dots == stamped
    assert np.array_equal(picture, stamps)


def test_a_vector_file_gets_every_marker():
    x, y = _points(4000, spread=0.5)
    markers = []
    for kind in (Dots, lines.Line2D):
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.add_line(kind(x, y, linestyle="none", marker=".", color="tab:blue"))
        ax.set_xlim(-10.0, 90.0)
        ax.set_ylim(-10.0, 120.0)
        svg = io.StringIO()
        fig.savefig(svg, format="svg")
        markers.append(svg.getvalue().count("<use "))  # each marker, and each tick
    assert markers[0] == markers[1] >= x.size
