"""``python -m snnlab figures OUTDIR``: every notebook's main figures as PNG files, without Jupyter."""

import os
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest

from snnlab.experiments import figure_makers


def draw(tmp_path, *only):
    command = [sys.executable, "-m", "snnlab", "figures", str(tmp_path)]
    if only:
        command += ["--only", *only]
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    assert completed.returncode == 0, completed.stderr
    return completed


@pytest.mark.slow
def test_figures_writes_a_non_empty_picture_for_every_notebook_figure(tmp_path):
    completed = draw(tmp_path)
    written = sorted(tmp_path.glob("*.png"))
    modules = {path.name.split("__")[0] for path in written}
    assert modules == set(figure_makers()) == {"single_neuron", "two_neurons", "population", "populations", "balanced",
                                                     "scaling"}
    assert set(completed.stdout.split()) == {str(path) for path in written}  # it says what it wrote
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        image = mpimg.imread(path)
        assert image.shape[0] > 200 and image.shape[1] > 300, path
        assert np.std(image[..., :3]) > 0.05, f"{path.name} is blank"  # something is drawn


def test_figures_of_one_notebook_and_an_unknown_name(tmp_path):
    draw(tmp_path, "two_neurons")
    names = {path.name for path in tmp_path.glob("*.png")}
    assert names and all(name.startswith("two_neurons__") for name in names)
    completed = subprocess.run([sys.executable, "-m", "snnlab", "figures", str(tmp_path), "--only", "three"],
                               capture_output=True, text=True)
    assert completed.returncode != 0
    assert "figures: no notebook module named ['three']; the modules are" in completed.stderr
