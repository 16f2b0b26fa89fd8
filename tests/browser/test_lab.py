"""Every notebook as a student sees it: opened in JupyterLab, run top to bottom in a fresh
kernel, its sliders moved in a real Chromium.

For each notebook: no error or stderr output anywhere, and no widget that failed to
render; every ``panel.widget()`` call in the notebook rendered a panel with its
controls; in every panel, the first slider moved with the keyboard (ArrowRight) and
then dragged with the mouse changes the figure (its pixels) and the summary line, and
taking it to both ends (End, Home) shows no error. A screenshot of each demo after its
slider moved (``NAME_demoI.png``, the slider back at its minimum) and of the notebook's
window goes to the folder printed at the start of the run.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SNNLAB_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
SOURCE = Path(os.environ.get("SNNLAB_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
NOTEBOOKS = sorted(p.name for p in SOURCE.glob("[0-9][0-9]_*.ipynb"))
TIMEOUT = 180_000  # ms, for the kernel to start and the notebook to run (generous: CI machines are shared)


def widget_calls(name: str) -> int:
    """How many interactive demos the notebook shows: calls of ``.widget()`` in its code cells."""
    cells = json.loads((SOURCE / name).read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return len(re.findall(r"\.widget\(\)", code))


def menu(page, top: str, item: str) -> None:
    page.locator("#jp-MainMenu").get_by_text(top, exact=True).click()
    page.locator(".lm-Menu-content").get_by_text(item, exact=True).first.click()


def wait_idle(page, timeout=TIMEOUT) -> None:
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=timeout)


def run_all(page, lab: str, name: str) -> None:
    # ?reset: a fresh workspace, so the previous test's notebook tab is not restored with it
    page.goto(f"{lab}/lab/tree/{name}?reset")
    wait_idle(page)
    # stored outputs show on open: clear them, so what we check is what this kernel made
    menu(page, "Edit", "Clear Outputs of All Cells")
    menu(page, "Run", "Run All Cells")
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        texts = prompts.all_inner_texts()
        if texts and all(re.search(r"\[\d+\]", t) for t in texts):
            break
        found = problems(page)
        if found:  # Run All stops at an error: say what it was
            pytest.fail(f"{name}: {found}")
        if time.monotonic() > deadline:
            shot = SHOTS / f"{Path(name).stem}_timeout.png"
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            pytest.fail(f"{name}: not every cell ran within {TIMEOUT / 1000:.0f} s (screenshot {shot}): "
                        f"prompts {texts}")
        time.sleep(0.25)
    wait_idle(page)


def problems(page) -> list[str]:
    """Error tracebacks, stderr output, widgets that failed to render, panel errors."""
    found = []
    for selector, what in (
        (".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "stderr output"),
        (".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']", "an error"),
        (".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']", "an error"),
    ):
        for text in page.locator(selector).all_inner_texts():
            found.append(f"{what}: {text[:300]}")
    for text in page.locator(".jp-OutputArea-output").all_inner_texts():
        if "Error displaying widget" in text or "Failed to load model" in text:
            found.append(f"a widget failed to render: {text[:200]}")
    for html in page.locator(".snnlab-summary").evaluate_all("els => els.map(e => e.innerHTML)"):
        if "color:#b00" in html:
            found.append(f"a panel refused its values: {html[:300]}")
    return found


def settled(panel, before: bytes, timeout: float = 60.0) -> bytes:
    """Wait until the panel's figure differs from ``before``; return its new pixels."""
    figure = panel.locator("img.snnlab-figure")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = figure.screenshot()
        if now != before:
            time.sleep(0.3)  # let the summary follow; it is set right after the image
            return figure.screenshot()
        time.sleep(0.2)
    raise AssertionError("the figure did not change")


def slider_name(slider) -> str:
    classes = slider.get_attribute("class") or ""
    names = [c[len("snnlab-"):] for c in classes.split() if c.startswith("snnlab-") and c != "snnlab-control"]
    return names[0] if names else "?"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_its_sliders_answer_in_jupyterlab(lab, page, name, screenshot_dir):
    run_all(page, lab, name)
    assert problems(page) == [], f"{name} after Run All"

    panels = page.locator(".snnlab-panel")
    expected = widget_calls(name)
    assert panels.count() == expected, f"{name}: {expected} demos in the code, {panels.count()} rendered"
    moved = []
    for i in range(expected):
        panel = panels.nth(i)
        panel.scroll_into_view_if_needed()
        assert panel.locator(".snnlab-control").count() >= 1, f"{name}: demo {i} shows no control"
        sliders = panel.locator(".widget-slider.snnlab-control")
        assert sliders.count() >= 1, f"{name}: demo {i} has no slider"
        slider = sliders.first
        handle = slider.locator(".noUi-handle")
        summary = panel.locator(".snnlab-summary")
        figure = panel.locator("img.snnlab-figure")
        figure.wait_for(timeout=TIMEOUT)
        pixels, text = figure.screenshot(), summary.inner_text()

        # keyboard: one step to the right
        handle.focus()
        handle.press("ArrowRight")
        pixels_key = settled(panel, pixels)
        text_key = summary.inner_text()
        assert text_key != text, f"{name}: demo {i}: the summary did not change after ArrowRight ({text!r})"

        # mouse: drag the handle a fifth of the track to the left
        box = handle.bounding_box()
        track = slider.locator(".noUi-base, .noUi-target").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 - track["width"] / 5, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        settled(panel, pixels_key)
        assert summary.inner_text() != text_key, f"{name}: demo {i}: the summary did not change after a drag"

        # both ends: the slider gets there, and nothing complains
        for key, end in (("End", "aria-valuemax"), ("Home", "aria-valuemin")):
            before = figure.screenshot()
            handle.focus()
            handle.press(key)
            assert handle.get_attribute("aria-valuenow") == handle.get_attribute(end)
            settled(panel, before)
            wait_idle(page)
        assert problems(page) == [], f"{name}: demo {i} at the ends of {slider_name(slider)}"
        moved.append(slider_name(slider))
        panel.screenshot(path=str(screenshot_dir / f"{Path(name).stem}_demo{i}.png"))

    page.screenshot(path=str(screenshot_dir / f"{Path(name).stem}.png"))
    print(f"{name}: moved {moved}")


@pytest.fixture(autouse=True)
def _shut_down_sessions(lab):
    """Each test leaves a session (a notebook and its kernel) behind; end it, so the next
    notebook has the CPU and nothing of the last one is restored."""
    yield
    with urllib.request.urlopen(f"{lab}/api/sessions") as r:
        sessions = json.loads(r.read())
    for session in sessions:
        request = urllib.request.Request(f"{lab}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request).close()
