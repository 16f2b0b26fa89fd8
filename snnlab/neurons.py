"""The Leaky Integrate-and-Fire neuron: parameters, the update rule and its closed forms.

Units: time ms, potential mV, current nA, resistance MΩ, capacitance nF, so that
``tau_m = R * C`` is in ms and ``R * I`` is in mV.

Between spikes the membrane follows

.. math:: \\tau_m \\frac{du}{dt} = -(u - u_{rest}) + R\\,I(t)

and when ``u`` reaches ``threshold`` the neuron spikes, ``u`` is set to ``u_reset``
and held there for ``refractory`` ms.

Two integration methods, both of the linear form ``u <- a*u + (1 - a)*u_inf`` with
``u_inf = u_rest + R*I`` (the input is taken constant over a step, at its value at
the start of the step):

* ``"exact"`` (default): ``a = exp(-dt/tau_m)``, the exact solution for input that is
  constant over the step. It has no error of its own, whatever dt.
* ``"euler"``: ``a = 1 - dt/tau_m``, forward Euler, the assignment's formula. Its
  error grows with ``dt/tau_m``; notebook 00 shows by how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from . import _checks as check

METHODS = ("exact", "euler")


@dataclass(frozen=True)
class LIF:
    """Parameters of a Leaky Integrate-and-Fire neuron (a description: it computes nothing).

    Parameters
    ----------
    u_rest : float
        Resting potential, mV. Default 0.
    threshold : float
        Firing threshold, mV. Must be above ``u_reset``. Default 1.
    R : float
        Membrane resistance, MΩ, > 0. Default 1.
    C : float
        Membrane capacitance, nF, > 0. Default 10, so ``tau_m = R*C = 10`` ms.
    u_reset : float or None
        Potential after a spike, mV. Default (None): ``u_rest``.
    refractory : float
        Time the membrane is held at ``u_reset`` after a spike, ms, >= 0. Default 0.
        Input arriving during that time is discarded (as in NEST).
    floor : float or None
        Optional lower bound on the potential, mV. The assignment's neuron uses
        ``floor=u_rest`` (it resets to rest whenever it drops below rest, so inhibition
        cannot hyperpolarise it). Default None: no bound, as in a real LIF.
    method : {"exact", "euler"}
        Integration method, see the module docstring. Default "exact".
    u_init : float or None
        Potential at t = 0, mV. Default (None): ``u_rest``.

    Examples
    --------
    >>> LIF().tau_m
    10.0
    >>> LIF.assignment().floor
    0.0
    """

    u_rest: float = 0.0
    threshold: float = 1.0
    R: float = 1.0
    C: float = 10.0
    u_reset: float | None = None
    refractory: float = 0.0
    floor: float | None = None
    method: str = "exact"
    u_init: float | None = None

    def __post_init__(self):
        own = "LIF"
        set_ = object.__setattr__
        set_(self, "u_rest", check.real(own, "u_rest", self.u_rest, "mV"))
        set_(self, "threshold", check.real(own, "threshold", self.threshold, "mV"))
        set_(self, "R", check.positive(own, "R", self.R, "MΩ"))
        set_(self, "C", check.positive(own, "C", self.C, "nF"))
        reset = self.u_rest if self.u_reset is None else check.real(own, "u_reset", self.u_reset, "mV")
        set_(self, "u_reset", reset)
        set_(self, "refractory", check.non_negative(own, "refractory", self.refractory, "ms"))
        set_(self, "method", check.choice(own, "method", self.method, METHODS))
        if self.floor is not None:
            set_(self, "floor", check.real(own, "floor", self.floor, "mV"))
        init = self.u_rest if self.u_init is None else check.real(own, "u_init", self.u_init, "mV")
        set_(self, "u_init", init)
        if not self.threshold > self.u_reset:
            raise ValueError(
                f"LIF.threshold: must be above u_reset = {self.u_reset!r} mV (got {self.threshold!r})"
            )
        if self.floor is not None and self.floor > self.u_reset:
            raise ValueError(
                f"LIF.floor: must be <= u_reset = {self.u_reset!r} mV, or None for no floor "
                f"(got {self.floor!r})"
            )
        if self.floor is not None and self.u_init < self.floor:
            raise ValueError(f"LIF.u_init: must be >= floor = {self.floor!r} mV (got {self.u_init!r})")
        if not self.u_init < self.threshold:
            raise ValueError(
                f"LIF.u_init: must be below threshold = {self.threshold!r} mV (got {self.u_init!r})"
            )
        if self.floor is not None and self.floor > self.u_rest:
            raise ValueError(
                f"LIF.floor: must be <= u_rest = {self.u_rest!r} mV (got {self.floor!r})"
            )

    # -- presets ---------------------------------------------------------------------------
    @classmethod
    def assignment(cls, **changes) -> LIF:
        """The report's neuron: forward Euler, clamped at rest (``floor = u_rest``)."""
        params = {"method": "euler"}
        params.update(changes)
        if "floor" not in changes:
            params["floor"] = check.real("LIF", "u_rest", params.get("u_rest", 0.0), "mV")
        return cls(**params)

    # -- derived quantities -----------------------------------------------------------------
    @property
    def tau_m(self) -> float:
        """Membrane time constant ``R*C``, ms."""
        return self.R * self.C

    @property
    def rheobase(self) -> float:
        """Smallest constant current (nA) that makes the neuron fire: ``(threshold - u_rest)/R``."""
        return (self.threshold - self.u_rest) / self.R

    def replace(self, **changes) -> LIF:
        """A copy with some parameters changed (the copy is validated again)."""
        params = {f.name: getattr(self, f.name) for f in fields(self)}
        params.update(changes)
        return LIF(**params)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def decay(self, dt: float) -> float:
        """The factor ``a`` of the update ``u <- a*u + (1 - a)*u_inf`` for a step of ``dt`` ms."""
        if self.method == "exact":
            return math.exp(-dt / self.tau_m)
        return 1.0 - dt / self.tau_m

    # -- closed forms (continuous time) ---------------------------------------------------
    def time_to_first_spike(self, current) -> np.ndarray | float:
        """Time (ms) for the membrane to climb from ``u_init`` to threshold under a constant
        current (nA), in continuous time; ``inf`` where it never gets there."""
        return _climb_time(self, current, self.u_init)

    def firing_rate(self, current) -> np.ndarray | float:
        """Analytic firing rate (Hz) under a constant current (nA), continuous time:

        ``1000 / (refractory + tau_m * ln((R*I - (u_reset - u_rest)) / (R*I - (threshold - u_rest))))``
        above the rheobase, 0 below it.
        """
        climb = _climb_time(self, current, self.u_reset)
        with np.errstate(divide="ignore"):
            rate = np.where(np.isfinite(climb), 1000.0 / (self.refractory + climb), 0.0)
        return rate.item() if np.ndim(rate) == 0 else rate


def _climb_time(model: LIF, current, start: float):
    current = np.asarray(current, dtype=float)
    u_inf = model.u_rest + model.R * current
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (u_inf - start) / (u_inf - model.threshold)
        climb = np.where(u_inf > model.threshold, model.tau_m * np.log(ratio), np.inf)
    if start >= model.threshold:
        climb = np.zeros_like(climb)
    return climb.item() if climb.ndim == 0 else climb
