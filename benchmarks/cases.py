"""The benchmark cases of issue 6, built in snnlab and exported for the peers.

Cases (dt = 0.1 ms, delays 1.5 ms, refractory 2 ms, every synapse a delta: a spike moves
the target's membrane by its weight, input arriving during the refractory period is
discarded, as in NEST's ``iaf_psc_delta``):

A
    100 neurons (80 excitatory, 20 inhibitory), each projecting to ceil(0.1 N) = 10
    distinct random targets among all N (no autapses), 100 ms. The course's neuron
    (tau_m = 10 ms, threshold 1 mV, rest and reset 0 mV, R = 1 MOhm, C = 10 nF), weights
    0.1 mV (excitatory) and 0.5 mV (inhibitory, g = 5). **Drive**: a constant current per
    neuron, drawn once from U(1.0, 1.4) nA (the rheobase is 1 nA), seeded: deterministic,
    so every simulator is given exactly the same input and the rates must agree closely
    (about 40-55 Hz).
B
    The same with 1,000 neurons (100 targets each), 1 s.
C
    Brunel (2000) model A: 10,000 excitatory and 2,500 inhibitory neurons, each
    receiving exactly 1,000 excitatory and 250 inhibitory synapses from distinct random
    sources (15.6 M synapses), J = 0.1 mV, g = 5, tau_m = 20 ms, theta = 20 mV, reset
    10 mV, 1 s; **drive**: 1,000 external Poisson sources per neuron at nu_ext = 2 nu_thr
    = 20 Hz each (weight J), i.e. a Poisson count of mean 2 per neuron and step. The
    peers draw their own Poisson spikes, so their rates agree only statistically
    (about 37 Hz).

The connectivity is snnlab's (seeded); :func:`export` writes it, with the currents, to
an ``.npz`` file that the peers read, so all simulate the same network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SEED = 2026
DT = 0.1  # ms
DELAY = 1.5  # ms
REFRACTORY = 2.0  # ms


@dataclass(frozen=True)
class Case:
    """One benchmark network."""

    name: str
    n_exc: int
    n_inh: int
    duration: float  # ms
    rule: str  # "fixed_outdegree" (A, B) or "fixed_indegree" (C)
    k_exc: int  # targets per source (out-degree) or excitatory sources per target (in-degree)
    k_inh: int
    w_exc: float  # mV
    w_inh: float  # mV, a magnitude
    tau_m: float  # ms (R = 1 MOhm, C = tau_m nF)
    threshold: float  # mV
    u_reset: float  # mV
    current: tuple | None = None  # (low, high) nA of the constant per-neuron currents
    poisson: dict = field(default_factory=dict)  # rate (Hz), n_sources, weight (mV)

    @property
    def n(self) -> int:
        return self.n_exc + self.n_inh

    def currents(self) -> np.ndarray:
        """The constant current of each neuron, nA (zeros when the drive is Poisson)."""
        if self.current is None:
            return np.zeros(self.n)
        return np.random.default_rng(SEED).uniform(*self.current, self.n)


def _ab(name, n, duration):
    return Case(name, n_exc=int(0.8 * n), n_inh=n - int(0.8 * n), duration=duration, rule="fixed_outdegree",
                k_exc=math.ceil(0.1 * n), k_inh=math.ceil(0.1 * n), w_exc=0.1, w_inh=0.5, tau_m=10.0,
                threshold=1.0, u_reset=0.0, current=(1.0, 1.4))


CASES = {
    "A": _ab("A", 100, 100.0),
    "B": _ab("B", 1000, 1000.0),
    "C": Case("C", n_exc=10_000, n_inh=2_500, duration=1000.0, rule="fixed_indegree", k_exc=1000, k_inh=250,
              w_exc=0.1, w_inh=0.5, tau_m=20.0, threshold=20.0, u_reset=10.0,
              poisson={"rate": 20.0, "n_sources": 1000, "weight": 0.1}),
}


def network(case: Case):
    """The case as an snnlab network description (populations "E" and "I")."""
    import snnlab as sl

    net = sl.Network(dt=DT, seed=SEED)
    model = sl.LIF(u_rest=0.0, threshold=case.threshold, u_reset=case.u_reset, R=1.0, C=case.tau_m,
                   refractory=REFRACTORY)
    current = case.currents()
    e = net.add_population("E", case.n_exc, current=current[:case.n_exc], model=model)
    i = net.add_population("I", case.n_inh, kind="inhibitory", current=current[case.n_exc:], model=model)
    net.connect(e, [e, i], rule=case.rule, k=case.k_exc, weight=case.w_exc, delay=DELAY)
    net.connect(i, [e, i], rule=case.rule, k=case.k_inh, weight=case.w_inh, delay=DELAY)
    if case.poisson:
        for pop in (e, i):
            net.add_poisson_input(pop, rate=case.poisson["rate"], weight=case.poisson["weight"],
                                  n_sources=case.poisson["n_sources"])
    return net


def export(case: Case, path) -> None:
    """Write the case's synapses (network-wide ``pre``/``post`` per projection, in source
    order), weights, delays and currents to ``path`` (.npz) for the peers."""
    sim = network(case).build()
    arrays = {"currents": case.currents()}
    for name, block in zip(("exc", "inh"), sim.blocks):
        arrays[f"{name}_pre"] = block.pre.astype(np.int32)
        arrays[f"{name}_post"] = block.post.astype(np.int32)
    np.savez(path, **arrays)
