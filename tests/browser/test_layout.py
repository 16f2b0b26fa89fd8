"""Every panel fits a student's laptop: at 1366 x 768, in JupyterLab's notebook area, each
panel of ``snnlab.widgets.all_panels()`` (shown by a generated notebook, one cell each, in
the course notebooks' style) is no taller than the area, its controls and its figure are on
the screen together once the panel is scrolled to the top, and its figure is shown at its
own size (not shrunk, so that its text keeps the size the figure was drawn with). A
screenshot of each panel goes to ``artifacts/layout/NAME.png``.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

from lab_server import panels_notebook
from test_lab import problems, run_all

from snnlab.widgets import all_panels

ROOT = Path(__file__).resolve().parents[2]
LAYOUT_SHOTS = Path(os.environ.get("SNNLAB_LAYOUT_SCREENSHOTS", ROOT / "artifacts" / "layout"))
LAPTOP = {"width": 1366, "height": 768}
NAME = "layout_panels.ipynb"

#: The notebook area (the scrolled part of the open notebook) and, per panel, the boxes of
#: the panel, of its figure and of each control, and the figure's natural and shown width.
MEASURE = """(i) => {
  const area = [...document.querySelectorAll('.jp-NotebookPanel .jp-WindowedPanel-outer')]
      .find(e => e.offsetParent !== null);
  const panel = document.querySelectorAll('.snnlab-panel')[i];
  panel.scrollIntoView({block: 'start'});
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
                                                                   right: r.right, height: r.height}; };
  const img = panel.querySelector('img.snnlab-figure');
  const shown = [...panel.querySelectorAll('.snnlab-control')].filter(e => e.offsetParent !== null);
  return {area: box(area), panel: box(panel), figure: box(img), natural: img.naturalWidth,
          width: img.getBoundingClientRect().width, controls: shown.map(box)};
}"""


def put_notebook(lab: str, notebook: dict) -> None:
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode()
    request = urllib.request.Request(f"{lab}/api/contents/{NAME}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).close()


def within(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return inner["top"] >= outer["top"] - slack and inner["bottom"] <= outer["bottom"] + slack


def test_every_panel_fits_a_1366x768_window_with_its_controls_beside_its_figure(lab, browser):
    names = sorted(all_panels())
    put_notebook(lab, panels_notebook(names))
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        run_all(page, lab, NAME)
        assert problems(page) == [], "after Run All"
        assert page.locator(".snnlab-panel").count() == len(names)
        LAYOUT_SHOTS.mkdir(parents=True, exist_ok=True)
        print(f"\nlayout screenshots: {LAYOUT_SHOTS}")
        failures = []
        for i, name in enumerate(names):
            page.locator(".snnlab-panel").nth(i).locator("img.snnlab-figure").wait_for()
            m = page.evaluate(MEASURE, i)
            page.wait_for_timeout(200)  # let the scroll settle before the picture
            m = page.evaluate(MEASURE, i)
            area = m["area"]
            print(f"{name}: panel {m['panel']['height']:.0f} px of {area['height']:.0f} px; figure "
                  f"{m['width']:.0f} px shown of {m['natural']} px")
            page.locator(".snnlab-panel").nth(i).screenshot(path=str(LAYOUT_SHOTS / f"{name}.png"))
            if m["panel"]["height"] > area["height"]:
                failures.append(f"{name}: {m['panel']['height']:.0f} px tall, the notebook area {area['height']:.0f}")
            hidden = [j for j, box in enumerate(m["controls"]) if not within(box, area)]
            if not within(m["figure"], area) or hidden:
                failures.append(f"{name}: not on the screen together: figure {m['figure']}, controls {hidden}")
            if m["figure"]["right"] > area["right"] + 1:
                failures.append(f"{name}: the figure runs {m['figure']['right'] - area['right']:.0f} px past the "
                                "right edge of the notebook")
            if m["width"] < m["natural"] - 1:
                failures.append(f"{name}: the figure is shrunk to {m['width']:.0f} px of {m['natural']} px")
        assert not failures, "\n".join(failures)
    finally:
        context.close()
