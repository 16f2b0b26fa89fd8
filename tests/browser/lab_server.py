"""A JupyterLab server over a folder, outside pytest (for benchmarks/browser_latency.py), with
the settings and the stopping of tests/browser/conftest.py's ``lab`` fixture."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _settings, _stop

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "running_lab"]


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
