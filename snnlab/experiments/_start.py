"""Random initial membrane potentials, for the network experiments.

A network whose neurons all start at rest with the same input fires its first spikes
in one synchronous volley, and the recurrent loops can keep that synchrony for a long
time: an artefact of the start, not a property of the network. ``LIF.u_init`` is one
value per population, so :class:`RandomStart` spreads the start another way: a current
pulse during the first step only, drawn per neuron so that the step ends with the
membrane uniformly distributed in ``[low, high)`` mV (the exact solution of the LIF
equation over one step, whatever the integration method). From the second step on it
is 0.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from ..inputs import Current
from ..neurons import LIF


class RandomStart(Current):
    """A one-step current pulse that leaves each neuron at a uniform random potential.

    Parameters
    ----------
    model : LIF
        The population's neuron model (its u_rest, R, tau_m and integration method).
    dt : float
        The network's time step, ms.
    low, high : float
        Range of the potentials after the first step, mV; ``high`` must be below the
        threshold, so that nobody spikes from the pulse alone.

    Notes
    -----
    The pulse adds to the population's other currents; their own contribution to the
    first step (``R * I * (1 - a)``, about 0.01 mV per nA at dt = 0.1 ms, tau_m = 10 ms)
    comes on top.
    """

    random = True

    def __init__(self, model: LIF, dt: float, low: float, high: float):
        owner = "RandomStart"
        self.low = check.real(owner, "low", low, "mV")
        self.high = check.real(owner, "high", high, "mV")
        if not model.u_rest <= self.low <= self.high < model.threshold:
            raise ValueError(
                f"{owner}: needs u_rest = {model.u_rest!r} <= low <= high < threshold = {model.threshold!r} mV "
                f"(got low = {self.low!r}, high = {self.high!r})"
            )
        decay = model.decay(dt)
        # after one step from u_rest: u = u_rest + R * I * (1 - a), so I = (u - u_rest) / (R * (1 - a))
        self._per_mv = 1.0 / (model.R * (1.0 - decay))
        self._u_rest = model.u_rest

    def sample(self, steps, dt, n, rng, owner="current"):
        out = np.zeros((len(steps), n))
        first = np.flatnonzero(np.asarray(steps) == 0)
        if first.size:
            target = rng.uniform(self.low, self.high, size=n)
            out[first[0]] = (target - self._u_rest) * self._per_mv
        return out

    def describe(self):
        return {"type": "RandomStart", "low": self.low, "high": self.high}
