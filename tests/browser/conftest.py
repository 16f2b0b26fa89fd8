"""A JupyterLab server over a temporary copy of the notebooks, and Debian's Chromium driven
by Playwright. Everything started here is stopped here, even when a test fails.

Run only these tests with ``pytest -m browser``; skip them with ``-m "not browser"``.
Chromium comes from Debian (``apt-get install -y chromium``), never from
``playwright install``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The notebooks to serve (a developer may point this at a scratch folder).
SOURCE = Path(os.environ.get("SNNLAB_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
CHROMIUM = os.environ.get("SNNLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Where screenshots go: a folder the run prints (kept by CI runs as files, never committed).
SHOTS = Path(os.environ.get("SNNLAB_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(root: Path) -> None:
    """JupyterLab user settings that keep a headless session quiet and deterministic."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        # render every cell, so the test can reach all of them without scrolling tricks
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, value in settings.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {SHOTS}", flush=True)
    return SHOTS


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """URL of a JupyterLab server whose root is a temporary copy of notebooks/ (JupyterLab
    saves files; the repository's notebooks are never touched)."""
    base = tmp_path_factory.mktemp("lab")
    work = base / "notebooks"
    shutil.copytree(SOURCE, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[var] = str(base / sub)
        (base / sub).mkdir()
    _settings(base / "settings")
    env.pop("MPLBACKEND", None)  # the notebooks choose %matplotlib inline themselves
    port = _free_port()
    log = open(base / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={port}", "--no-browser",
         "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True",  # lets the fixture stop kernels over REST
         "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
         f"--ServerApp.root_dir={work}"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early; see {base / 'lab.log'}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within 60 s; see {base / 'lab.log'}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(server)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """SIGINT stops the server and its kernels (~1.5 s); escalate if it hangs."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


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
