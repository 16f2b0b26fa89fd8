"""A JupyterLab server over a temporary copy of a folder, with quiet, deterministic settings,
stopped with its kernels on the way out: the ``lab`` fixture of tests/browser/conftest.py and
benchmarks/browser_latency.py both start theirs here. Also the path and flags of Debian's
Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("SNNLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "running_lab"]


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



@contextlib.contextmanager
def running_lab(source: Path, timeout: float = 90.0):
    """Yield the URL of a JupyterLab serving a temporary copy of ``source`` (a folder of
    notebooks); stop it and its kernels on the way out."""
    base = Path(tempfile.mkdtemp(prefix="snnlab-lab-"))
    work = base / "notebooks"
    shutil.copytree(source, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        env[var] = str(base / sub)
        (base / sub).mkdir()
    _settings(base / "settings")
    env.pop("MPLBACKEND", None)
    port = _free_port()
    with open(base / "lab.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={port}", "--no-browser",
             "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=",
             "--ServerApp.disable_check_xsrf=True", "--LabApp.extension_manager=readonly",
             "--LabApp.news_url=None", f"--ServerApp.root_dir={work}"],
            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
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
                    raise RuntimeError(f"JupyterLab did not answer within {timeout:g} s; see {base / 'lab.log'}")
                time.sleep(0.25)
            yield url
        finally:
            _stop(server)
    shutil.rmtree(base, ignore_errors=True)


#: The figure style of the course's notebooks (their setup cell), which the panels are seen in.
STYLE = """%matplotlib inline
import matplotlib.pyplot as plt
from snnlab.widgets import all_panels
plt.rcParams.update({"figure.dpi": 90, "font.size": 10, "axes.spines.top": False, "axes.spines.right": False})"""


def panels_notebook(names) -> dict:
    """A notebook (nbformat 4, as a dict) that shows the panels ``names`` of
    ``snnlab.widgets.all_panels()``, one cell each, in the notebooks' style."""

    def cell(source):
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}

    cells = [cell(STYLE)] + [cell(f"panel_{name} = all_panels()[{name!r}]()\npanel_{name}.widget()")
                             for name in names]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}
