"""Networks that several test files run on more than one engine (snnlab, Brian2, NEST)."""

from __future__ import annotations

import math

import numpy as np

import snnlab as sl

DT = 0.1  # ms


def population_100(model: sl.LIF, seed: int = 1) -> sl.Network:
    """The report's 80/20 group: 80 excitatory and 20 inhibitory neurons, each projecting to
    ceil(N*p) random targets among all 100 (p = 0.1 and 0.2 here, so that they interact), with
    per-synapse weights (multiples of 1/8 mV, so sums are exact in any order) and delays of
    1..30 steps; currents base_i + sin(t/8) nA."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.6, 1.6, 100)
    net = sl.Network(dt=DT, seed=seed)
    e = net.add_population("E", 80, "excitatory", model=model,
                           current=lambda t: base[:80] + np.sin(np.asarray(t)[..., None] / 8))
    i = net.add_population("I", 20, "inhibitory", model=model,
                           current=lambda t: base[80:] + np.sin(np.asarray(t)[..., None] / 8))
    k_e, k_i = math.ceil(100 * 0.1), math.ceil(100 * 0.2)
    net.connect(e, [e, i], rule="fixed_outdegree", k=k_e, weight=rng.integers(1, 5, 80 * k_e) / 8,
                delay=rng.integers(1, 31, 80 * k_e) * DT)
    net.connect(i, [e, i], rule="fixed_outdegree", k=k_i, weight=rng.integers(4, 17, 20 * k_i) / 8,
                delay=rng.integers(1, 31, 20 * k_i) * DT)
    return net


def noisy_1000(seed: int = 2, steps: int = 2000) -> tuple[sl.Network, np.ndarray]:
    """800 excitatory and 200 inhibitory neurons (refractory 2 ms) driven by one pre-drawn noise
    array (nA, shape (steps, 1000)), fixed-probability connections with per-synapse delays of
    1..30 steps. Returns the network and its noise."""
    rng = np.random.default_rng(seed)
    n_e, n_i = 800, 200
    noise = 1.1 + 1.5 * rng.standard_normal((steps, n_e + n_i))  # nA, one value per neuron and step
    model = sl.LIF(refractory=2.0)
    net = sl.Network(dt=DT, seed=seed)
    e = net.add_population("E", n_e, "excitatory", current=sl.FromArray(noise[:, :n_e]), model=model)
    i = net.add_population("I", n_i, "inhibitory", current=sl.FromArray(noise[:, n_e:]), model=model)
    net.connect(e, [e, i], rule="fixed_probability", p=0.05, weight=0.25,
                delay=rng.integers(1, 31, (n_e, n_e + n_i)) * DT)
    net.connect(i, [e, i], rule="fixed_probability", p=0.1, weight=1.0,
                delay=rng.integers(1, 31, (n_i, n_e + n_i)) * DT)
    return net, noise
