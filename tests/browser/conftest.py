"""A JupyterLab server over a temporary copy of the notebooks, and Debian's Chromium driven
by Playwright. Everything started here is stopped here, even when a test fails.

Run only these tests with ``pytest -m browser``; skip them with ``-m "not browser"``.
Chromium comes from Debian (``apt-get install -y chromium``), never from
``playwright install``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lab_server import CHROMIUM, CHROMIUM_ARGS, running_lab

ROOT = Path(__file__).resolve().parents[2]
#: The notebooks to serve (a developer may point this at a scratch folder).
SOURCE = Path(os.environ.get("SNNLAB_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
#: Where screenshots go: a folder the run prints (kept by CI runs as files, never committed).
SHOTS = Path(os.environ.get("SNNLAB_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def lab():
    """URL of a JupyterLab server whose root is a temporary copy of notebooks/ (JupyterLab
    saves files; the repository's notebooks are never touched)."""
    with running_lab(SOURCE, timeout=60.0) as url:
        yield url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {SHOTS}", flush=True)
    return SHOTS


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's: `sudo apt-get install -y chromium` "
            "(or set SNNLAB_CHROMIUM to its path). To run only the fast tests: "
            "python3 tasks.py test -m 'not browser'",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
