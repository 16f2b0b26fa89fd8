"""Notebook 05 (scaling up): the same network on snnlab, NEST and Brian2, and how far each
engine goes on one machine.

* :func:`demo_network` is a deterministic network (constant currents, no Poisson input) that
  every backend maps, so the engines must give the same spike steps, neuron for neuron;
  :func:`run_engines` runs it on each engine that is installed and :func:`compare_spikes`
  compares two runs without any tolerance.
* :func:`load_scaling` reads the figures of ``benchmarks/scaling_engines.py`` (saved with the
  package, ``snnlab/data/scaling.json``), :func:`scaling_rows` and :func:`draw_scaling`
  show them; nothing is re-measured in the notebook.
* :func:`bytes_per_synapse`, :func:`largest_network`, :func:`speed` and :func:`spikes_identical`
  are the reference answers of the notebook's exercises.

Units: time ms (durations), s (wall-clock seconds), memory bytes unless a name says MB or GB.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..network import Network
from ..neurons import LIF

#: The saved benchmark figures (written by ``benchmarks/scaling_engines.py --json``), in ``snnlab/data``.
DATA_FILE = "scaling.json"

#: The engines of the comparison, in the order they are run and drawn.
ENGINES = ("snnlab", "nest", "brian2")

#: Colours and labels of the benchmark's engines in :func:`draw_scaling`.
STYLE = {"snnlab": ("black", "snnlab (1 core)"), "nest-1": ("tab:blue", "NEST, 1 thread"),
         "nest-2": ("tab:cyan", "NEST, 2 threads"), "brian2-1": ("tab:red", "Brian2 standalone, 1 thread"),
         "brian2-2": ("tab:orange", "Brian2 standalone, 2 threads")}


# -- the same network three ways ------------------------------------------------------------------------
def demo_network(n: int = 1000, seed: int = 0) -> Network:
    """A deterministic 80/20 network every backend maps: ``n`` neurons of the course's LIF
    (tau_m = 10 ms, threshold 1 mV, reset 0 mV, refractory 2 ms, exact integration), each
    projecting to ceil(0.1 n) random targets (weights 0.1 mV excitatory, 0.5 mV inhibitory,
    delays 1.5 ms), driven by a constant current per neuron drawn once from U(1.0, 1.4) nA
    (just above the rheobase of 1 nA). No Poisson input: the engines get exactly the same input.

    Parameters
    ----------
    n : int
        Neurons (80 % excitatory).
    seed : int
        Seeds the currents and the connectivity.
    """
    n_exc = int(0.8 * n)
    current = np.random.default_rng(seed).uniform(1.0, 1.4, n)
    model = LIF(u_rest=0.0, threshold=1.0, u_reset=0.0, R=1.0, C=10.0, refractory=2.0, method="exact")
    net = Network(dt=0.1, seed=seed)
    e = net.add_population("E", n_exc, current=current[:n_exc], model=model)
    i = net.add_population("I", n - n_exc, kind="inhibitory", current=current[n_exc:], model=model)
    k = math.ceil(0.1 * n)
    net.connect(e, [e, i], rule="fixed_outdegree", k=k, weight=0.1, delay=1.5)
    net.connect(i, [e, i], rule="fixed_outdegree", k=k, weight=0.5, delay=1.5)
    return net


def available_engines() -> tuple[str, ...]:
    """The engines of :data:`ENGINES` that ``Network.run(backend=...)`` offers here and whose
    simulator can be imported."""
    import importlib.util

    from .. import backends

    modules = {"nest": "nest", "brian2": "brian2"}
    return tuple(e for e in ENGINES if e == "snnlab"
                 or (e in backends.BACKENDS and importlib.util.find_spec(modules[e]) is not None))


def run_engines(network: Network, duration: float, engines=None, progress=False) -> dict:
    """Run ``network`` for ``duration`` ms on each engine (default: :func:`available_engines`),
    spikes only; returns {engine: :class:`snnlab.Result`}. ``progress`` goes to every run:
    False by default, so that what the notebook's checked cell prints does not depend on
    whether Brian2 has compiled this layout before (its compile bar would show otherwise)."""
    engines = available_engines() if engines is None else tuple(engines)
    return {e: network.run(duration, record=None, backend=e, progress=progress) for e in engines}


@dataclass(frozen=True)
class SpikeComparison:
    """Two runs' spike trains compared: the spike counts, whether every (step, neuron) pair is the
    same, and the first pair (in time order) that only one run has, if any."""

    count_a: int
    count_b: int
    identical: bool
    first_difference: tuple | None  # (step, neuron, "only in a" or "only in b")


def _pairs(result) -> np.ndarray:
    """(step, neuron) of every spike, sorted by step then neuron, as one int64 key per spike."""
    times, neurons = result.spikes()
    steps = np.rint(np.asarray(times) / result.dt).astype(np.int64)
    return np.sort(steps * max(result.n, 1) + np.asarray(neurons, dtype=np.int64))


def compare_spikes(a, b) -> SpikeComparison:
    """Compare the spikes of two :class:`snnlab.Result` of the same network, step for step and
    neuron for neuron: no tolerance (a spike one step late is a difference)."""
    if a.n != b.n or a.dt != b.dt:
        raise ValueError(f"compare_spikes: the runs must have the same neurons and dt "
                         f"(got {a.n} neurons, dt {a.dt} ms and {b.n} neurons, dt {b.dt} ms)")
    ka, kb = _pairs(a), _pairs(b)
    only_a, only_b = np.setdiff1d(ka, kb), np.setdiff1d(kb, ka)
    first = None
    if only_a.size or only_b.size:
        key, side = min((int(x[0]), s) for x, s in ((only_a, "only in a"), (only_b, "only in b")) if x.size)
        first = (key // a.n, key % a.n, side)
    identical = first is None and ka.size == kb.size
    return SpikeComparison(int(ka.size), int(kb.size), identical, first)


# -- the benchmark's figures ------------------------------------------------------------------------------
def load_scaling(path=None) -> dict:
    """The figures saved by ``benchmarks/scaling_engines.py --json`` (default: the package's copy)."""
    if path is None:
        return json.loads(resources.files("snnlab").joinpath("data", DATA_FILE).read_text(encoding="utf-8"))
    return json.loads(Path(path).read_text(encoding="utf-8"))


def scaling_rows(data: dict) -> list[dict]:
    """The measured runs of ``data``, one dict per engine and size: ``engine``, ``n``,
    ``synapses``, ``s_per_s`` (simulation seconds per simulated second), ``whole_per_s``
    (the whole call, build included), ``peak_gb`` (10**9 bytes) and ``bytes_per_synapse``."""
    seconds = data["duration_ms"] / 1000.0
    rows = []
    for r in data["rows"]:
        if "error" in r or "refused" in r or r["n"] < 1000:
            continue
        peak = r["self_peak_mb"] + r.get("child_peak_mb", 0.0)
        rows.append({"engine": r["engine"], "n": r["n"], "synapses": r["synapses"], "s_per_s": r["sim"] / seconds,
                     "whole_per_s": r["whole"] / seconds, "peak_gb": peak / 1000.0,
                     "bytes_per_synapse": r["bytes_per_synapse"]})
    return rows


def draw_scaling(fig, data: dict):
    """Two panels against the number of neurons N: simulation seconds per simulated second, and
    the peak memory, measured (markers) and extrapolated along the fitted line (dashed) up to the
    machine's memory (grey line). Returns the two axes."""
    ax_t, ax_m = fig.subplots(1, 2)
    rows = scaling_rows(data)
    limit = data["machine_bytes"] / 1e9
    for engine, s in data["summary"].items():
        colour, label = STYLE.get(engine, ("grey", engine))
        mine = sorted((r for r in rows if r["engine"] == engine), key=lambda r: r["n"])
        ns = [r["n"] for r in mine]
        ax_t.plot(ns, [r["s_per_s"] for r in mine], "o-", color=colour, label=label)
        ax_m.plot(ns, [r["peak_gb"] for r in mine], "o-", color=colour, label=label)
        if s.get("largest_n_24gib"):
            n_max = s["largest_n_24gib"]
            grid = np.geomspace(ns[-1], n_max, 20)
            peak = (s["fit_intercept_mb"] + s["fit_bytes_per_synapse"] / 1e6 * grid * data["in_degree"]) / 1000.0
            ax_m.plot(grid, peak, "--", color=colour, lw=1)
            ax_m.plot([n_max], [limit], "x", color=colour, ms=8)
    ax_m.axhline(limit, color="grey", lw=1)
    ax_m.text(12_000, limit * 1.08, f"this machine: {data['machine_bytes'] / 2**30:.0f} GiB", color="grey",
              fontsize=9)
    for ax in (ax_t, ax_m):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(f"neurons N ({data['in_degree']} synapses each)")
    ax_t.set_ylabel("seconds per simulated second")
    ax_t.set_title(f"time ({data['duration_ms']:g} ms simulated per run)")
    ax_m.set_ylabel("peak memory (GB)")
    ax_m.set_title("memory: measured (o), extrapolated (--) to 24 GiB (x)")
    ax_t.legend(fontsize=8)
    return ax_t, ax_m


# -- the exercises' reference answers ---------------------------------------------------------------------
def bytes_per_synapse(synapses, peak_bytes) -> float:
    """The slope b of the least-squares line peak = a + b * synapses, bytes per synapse.

    Parameters
    ----------
    synapses, peak_bytes : array_like (m,), m >= 2
        Synapse counts of m runs and their peak memory, bytes.
    """
    x = np.asarray(synapses, dtype=float)
    y = np.asarray(peak_bytes, dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def largest_network(memory_bytes: float, baseline_bytes: float, per_synapse: float, in_degree: int) -> int:
    """The largest N whose predicted peak, baseline + N * in_degree * per_synapse bytes, fits
    ``memory_bytes``; 0 when not even the baseline fits."""
    if memory_bytes < baseline_bytes:
        return 0
    return int((memory_bytes - baseline_bytes) // (per_synapse * in_degree))


def speed(wall_seconds: dict, duration_ms: float) -> dict:
    """{threads: (seconds per simulated second, speed-up over 1 thread)} from the wall-clock
    seconds of runs of ``duration_ms`` ms on 1, 2, ... threads (``wall_seconds[1]`` must be given)."""
    seconds = duration_ms / 1000.0
    return {k: (t / seconds, wall_seconds[1] / t) for k, t in wall_seconds.items()}


def spikes_identical(steps_a, neurons_a, steps_b, neurons_b) -> bool:
    """Whether two runs have exactly the same spikes, (step, neuron) pair for pair, in any order."""
    a = sorted(zip(np.asarray(steps_a).tolist(), np.asarray(neurons_a).tolist()))
    b = sorted(zip(np.asarray(steps_b).tolist(), np.asarray(neurons_b).tolist()))
    return a == b


def figures() -> dict:
    """The notebook's main figure: time and memory against network size, from the saved data."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 4.5), layout="constrained")
    draw_scaling(fig, load_scaling())
    return {"scaling": fig}
