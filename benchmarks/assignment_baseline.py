"""The assignment's own design in plain Python: one object per neuron, lists of targets, and a
table of pending effects (its ``spikes_effect``), as students write it.

Used by ``benchmarks/compare.py`` on case A as the baseline students know. The maths is
snnlab's (exact integration, refractoriness that discards input, inhibition with a minus
sign) and so is the order of the updates, so it produces the same spikes; only the
structure is the assignment's: a Python loop over steps, over neurons, over targets.
"""

from __future__ import annotations

import math


class Neuron:
    """One LIF neuron (the assignment's ``Neuron`` class, with the report's bugs fixed)."""

    def __init__(self, current, kind, tau_m, threshold, u_reset, refractory_steps, dt, u_rest=0.0, R=1.0):
        self.current = current  # nA, constant
        self.kind = kind
        self.threshold = threshold
        self.u_reset = u_reset
        self.refractory_steps = refractory_steps
        self.u = u_rest
        self.u_inf = u_rest + R * current
        self.decay = math.exp(-dt / tau_m)
        self.refractory = 0

    def receive(self, amount):
        """Synaptic input arriving now; a refractory neuron discards it."""
        if self.refractory == 0:
            self.u += amount

    def step(self) -> bool:
        """Integrate one step; True when the neuron spikes."""
        if self.refractory:
            self.refractory -= 1
            return False
        self.u = self.u_inf + (self.u - self.u_inf) * self.decay
        if self.u >= self.threshold:
            self.u = self.u_reset
            self.refractory = self.refractory_steps
            return True
        return False


class NeuronGroup:
    """The assignment's group: neurons, their connections (a list of targets per neuron), a
    weight per kind and one delay, and the table of effects to come."""

    def __init__(self, neurons, connections, ex_weight, inh_weight, delay_steps):
        self.neurons = neurons
        self.connections = connections
        self.weight = {"excitatory": ex_weight, "inhibitory": -inh_weight}
        self.delay = delay_steps
        self.spikes = []  # (step, neuron)

    def action(self, steps):
        n = len(self.neurons)
        effect = [[0.0] * n for _ in range(steps + self.delay)]
        for t in range(steps):
            now = effect[t]
            for i, neuron in enumerate(self.neurons):
                neuron.receive(now[i])
            for i, neuron in enumerate(self.neurons):
                if neuron.step():
                    self.spikes.append((t, i))
                    w = self.weight[neuron.kind]
                    later = effect[t + self.delay]
                    for j in self.connections[i]:
                        later[j] += w
        return self.spikes
