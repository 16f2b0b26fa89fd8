"""The core's layers (issue 12, item 6): a description (network.py) is built into flat arrays by a
builder that knows no runner (builder.py), and a runner steps those arrays (engine.py) without
reaching back into the description module. Nothing imports back up the chain."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import snnlab as sl
from snnlab import builder
from snnlab.engine import Simulation

PACKAGE = Path(sl.__file__).parent


def relative_imports(module: str) -> set[str]:
    """The snnlab modules a module imports (``from .x import``, ``from . import x``)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_the_builder_imports_neither_the_runner_nor_the_description():
    assert not relative_imports("builder") & {"engine", "network", "results", "_kernels"}


def test_the_runner_does_not_import_the_description():
    assert "network" not in relative_imports("engine")


def small_network() -> sl.Network:
    net = sl.Network(dt=0.1, seed=3)
    e = net.add_population("E", 8, "excitatory", current=sl.Sine(1.0, period=20.0, offset=1.0))
    i = net.add_population("I", 2, "inhibitory", current=1.5)
    net.connect(e, [e, i], rule="fixed_probability", p=0.3, weight=sl.Uniform(0.2, 0.6), delay=0.3)
    net.connect(i, e, rule="all_to_all", weight=0.8, delay=0.5)
    net.couple(e, i, every=5, effect=0.5)
    return net


def test_a_build_is_flat_arrays_that_a_runner_steps_to_the_networks_own_spikes():
    net = small_network()
    built = builder.build(net)
    assert built.n == 10 and list(built.sizes) == [8, 2]
    for part in (built.neurons, built.synapses, built.couplings, built.poisson):
        assert all(isinstance(a, np.ndarray) for a in part.kernel_args())
    ours = Simulation(built).run(50.0)
    theirs = net.run(50.0)
    assert ours.spikes()[0].size > 0
    np.testing.assert_array_equal(ours.spikes()[0], theirs.spikes()[0])
    np.testing.assert_array_equal(ours.spikes()[1], theirs.spikes()[1])
