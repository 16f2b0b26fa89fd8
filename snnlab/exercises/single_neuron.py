"""Checks of notebook 00's exercises: one LIF neuron, written by the student.

Units as everywhere in snnlab: time ms, potential mV, current nA, resistance MΩ, capacitance nF,
rates Hz. Each check runs the student's function on fixed cases (edge cases first, then random
ones from a fixed seed, so every run tries the same cases) and compares it with snnlab's own
simulation or with a closed form:

* :func:`lif_step` -- one forward-Euler step of the membrane (no threshold, no reset), elementwise;
* :func:`first_spike_time` -- the closed-form time from rest to the first spike, ``math.inf`` when
  the neuron never fires;
* :func:`simulate_lif` -- the report's neuron loop: Euler steps, threshold, reset and refractory
  period, against snnlab's engine run with ``method="euler"``;
* :func:`fi_curve` -- firing rates (Hz) from the student's own runs, against snnlab's count.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..inputs import FromArray
from ..network import Network
from ..neurons import LIF
from ._core import Failure, NotDone, array, call, close, exercise, number

NOTEBOOK = "00_lif_neuron"

#: The time step of the F–I exercise, ms (the assignment's).
FI_DT = 0.1


def _model_text(model: LIF) -> str:
    """The parameters that matter to the exercises, in a line."""
    text = (f"LIF(u_rest={model.u_rest:g} mV, threshold={model.threshold:g} mV, R={model.R:g} MΩ, "
            f"C={model.C:g} nF")
    if model.u_reset != model.u_rest:
        text += f", u_reset={model.u_reset:g} mV"
    if model.refractory:
        text += f", refractory={model.refractory:g} ms"
    if model.u_init != model.u_rest:
        text += f", u_init={model.u_init:g} mV"
    return text + ")"


def _answered_call(function, *args, what: str, case: str, answered: bool, hint: str = ""):
    """:func:`call`, except that once the student's function has answered an earlier case, a
    ``None`` (or ``NotImplementedError``) on a later one is a mistake in that case, not a stub."""
    try:
        return call(function, *args, what=what, case=case)
    except NotDone as exc:
        if not answered:
            raise
        raise Failure(f"case {case}: {what} gave no answer ({exc}), although it answered the cases "
                      f"before." + (f" Hint: {hint}" if hint else "")) from None


def _quiet_run(net: Network, duration: float, record):
    # the checks' cases use coarse steps and exact-threshold currents on purpose: snnlab's warnings
    # about them are meant for a student's own runs, not for a reference inside a check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return net.run(duration, record=record)


# -- 0.1: one Euler step ---------------------------------------------------------------------------------

def _euler(u, current, dt, model):
    return u + dt / model.tau_m * (-(u - model.u_rest) + model.R * current)


def _exact(u, current, dt, model):
    u_inf = model.u_rest + model.R * current
    return u_inf + (u - u_inf) * np.exp(-dt / model.tau_m)


_STEP_HINT = ("forward Euler moves u by dt times du/dt, with du/dt taken from the LIF equation at the "
              "start of the step; check the sign of the leak, the factor R and that tau_m = R*C")


def _step_cases():
    """(name, u, I, dt, model, hint): edge cases first, then random ones."""
    base = LIF()
    shifted = LIF(u_rest=-65.0, threshold=-50.0, R=10.0, C=1.0)   # tau_m = 10 ms, a rest that is not 0
    odd = LIF(threshold=2.0, R=2.5, C=4.0)                        # R != 1, so R*C != C
    mixed = LIF(u_rest=0.5, threshold=2.0, R=2.5, C=4.0)          # both at once, for the random cases
    cases = [
        ("at rest, no current", 0.0, 0.0, 0.1, base, "with no current a membrane at rest stays at rest"),
        ("no current", 0.5, 0.0, 0.1, base, "with no current only the leak acts: u relaxes towards u_rest"),
        ("from rest", 0.0, 2.0, 0.1, base, _STEP_HINT),
        ("R != 1", 0.3, 1.2, 0.1, odd, "the current enters as R*I (mV), and tau_m = R*C"),
        ("rest not at 0", -60.0, 0.8, 0.1, shifted, "the leak pulls u towards u_rest, which is not 0 here"),
        ("below rest", -1.0, 0.0, 0.1, base,
         "a real LIF may sit below rest (a negative current or inhibition); no clamp at rest here"),
        ("above threshold", 1.5, 2.0, 0.1, base,
         "this exercise is the membrane only: no threshold or reset here (exercise 0.3 adds them)"),
        ("coarse step", 0.2, 1.5, 2.0, base, _STEP_HINT),
    ]
    rng = np.random.default_rng(2026_00_01)
    for model in (base, shifted, odd, mixed):
        n = 9
        u = model.u_rest + rng.uniform(-1.5, 1.5, n) * (model.threshold - model.u_rest)
        current = rng.uniform(-2.0, 4.0, n) * model.rheobase
        dt = float(rng.choice([0.05, 0.1, 0.25, 0.5]))
        cases.append(("random array", u, current, dt, model, "it must work elementwise on numpy arrays; " + _STEP_HINT))
    u = np.linspace(-0.5, 1.5, 5)
    cases.append(("array u, one current", u, 1.5, 0.1, base,
                  "a number I must work with an array u (numpy broadcasting does it for you)"))
    return cases


@exercise(NOTEBOOK, "lif_step", targets="lif_step", title="One forward-Euler step of the LIF membrane")
def lif_step(student):
    """Check ``student(u, I, dt, model) -> u_next`` (mV) against the Euler formula."""
    cases = _step_cases()
    for name, u, current, dt, model, hint in cases:
        expected = _euler(np.asarray(u, dtype=float), current, dt, model)
        many = np.ndim(expected) > 0
        text = f"{name}, u = {_show(u)} mV, I = {_show(current)} nA, dt = {dt:g} ms, {_model_text(model)}"
        # copies, so that a function that changes its arguments in place cannot change the cases
        got = call(student, np.copy(u) if many else u, np.copy(current) if np.ndim(current) else current, dt, model,
                   what="lif_step(u, I, dt, model)", case=text)
        if not many:
            got = number(got, what="lif_step(u, I, dt, model) with numbers u and I", case=text)
            close(got, float(expected), what="u after one step", case=text, unit="mV",
                  hint=_step_hint(got, float(expected), u, current, dt, model, hint))
            continue
        got = array(got, what="lif_step(u, I, dt, model) with arrays", shape=expected.shape, case=text)
        bad = ~np.isclose(got, expected, rtol=1e-9, atol=1e-9)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            one = np.broadcast_to(np.asarray(current, dtype=float), expected.shape)[i]
            text = (f"{name}, element {i}: u = {u[i]:.6g} mV, I = {one:.6g} nA, dt = {dt:g} ms, "
                    f"{_model_text(model)}")
            close(float(got[i]), float(expected[i]), what="u after one step", case=text, unit="mV",
                  hint=_step_hint(float(got[i]), float(expected[i]), u[i], one, dt, model, hint))
    return f"{len(cases)} cases agree (at rest, no current, R != 1, rest not at 0, below rest, above threshold, arrays)"


def _show(value) -> str:
    if np.ndim(value) == 0:
        return f"{float(value):.6g}"
    return "[" + ", ".join(f"{v:.3g}" for v in np.asarray(value, dtype=float).ravel()[:4]) + \
        (", ...]" if np.size(value) > 4 else "]")


def _step_hint(got, expected, u, current, dt, model, hint) -> str:
    """A sharper hint where the answer is a known slip; the case's own hint otherwise."""
    if math.isclose(got, float(_exact(u, current, dt, model)), rel_tol=1e-9, abs_tol=1e-12):
        return "that is the exact (exponential) update; this exercise asks for one forward-Euler step"
    if expected >= model.threshold and math.isclose(got, model.u_reset, abs_tol=1e-12):
        return "the step is the membrane only: it does not test the threshold or reset (that is exercise 0.3)"
    return hint


# -- 0.2: the first spike, in closed form ------------------------------------------------------------------

_CLOSED_HINT = ("from rest the membrane climbs as u_rest + R*I*(1 - exp(-t/tau_m)); solve u(T) = threshold "
                "for T")


def _closed_cases():
    """(name, current, model, hint); every model starts at rest."""
    base = LIF()
    shifted = LIF(u_rest=-65.0, threshold=-50.0, R=10.0, C=1.0)
    odd = LIF(threshold=2.0, R=2.5, C=4.0)
    mixed = LIF(u_rest=0.5, threshold=2.0, R=2.5, C=4.0)
    never = "below the rheobase (threshold - u_rest)/R the neuron never fires: return math.inf"
    cases = [
        ("the notebook's 2 nA", 2.0, base, _CLOSED_HINT),
        ("far above the rheobase", 10.0, base, _CLOSED_HINT),
        ("R != 1", 1.0, odd, "R*I is the drive in mV and tau_m = R*C"),
        ("rest not at 0", 2.5, shifted, "the membrane must climb from u_rest to threshold: threshold - u_rest mV"),
        ("just above the rheobase", 1.001, base, _CLOSED_HINT),
        ("zero current", 0.0, base, never),
        ("below the rheobase", 0.5, base, never),
        ("a negative current", -1.0, base, never),
        ("exactly at the rheobase", 1.0, base,
         "at the rheobase u only approaches threshold (u_inf = threshold): it never gets there, so math.inf"),
        ("exactly at the rheobase, R != 1", odd.rheobase, odd, never),
    ]
    rng = np.random.default_rng(2026_00_02)
    for model in (base, shifted, odd, mixed):
        for current in rng.uniform(0.2, 5.0, 4) * model.rheobase:
            cases.append(("random", float(current), model, _CLOSED_HINT if current > model.rheobase else never))
    return cases


@exercise(NOTEBOOK, "first_spike_time", targets="first_spike_time",
          title="The time to the first spike, in closed form")
def first_spike_time(student):
    """Check ``student(current, model) -> T`` (ms, ``math.inf`` when it never fires)."""
    cases = _closed_cases()
    answered = False
    for name, current, model, hint in cases:
        text = f"{name}, I = {current:.6g} nA, {_model_text(model)}"
        got = _answered_call(student, current, model, what="first_spike_time(current, model)", case=text,
                             answered=answered, hint=hint)
        answered = True
        got = number(got, what="first_spike_time(current, model)", case=text)
        expected = float(model.time_to_first_spike(current))
        if math.isinf(expected) and not math.isinf(got):
            raise Failure(f"case {text}: expected math.inf (the neuron never fires), got {got:.6g}. Hint: {hint}")
        close(got, expected, what="the first spike time", case=text, unit="ms", hint=hint, rtol=1e-6)
    return f"{len(cases)} cases agree with the closed form (R != 1, rest not at 0, at and below the rheobase)"


# -- 0.3: the neuron's loop ---------------------------------------------------------------------------------

def _reference_run(current: np.ndarray, model: LIF, dt: float):
    """snnlab's engine on the same neuron, integrated by Euler: (potential (steps,), spike times (k,))."""
    net = Network(dt=dt, seed=0)
    net.add_population("neuron", n=1, kind="excitatory", current=FromArray(current),
                       model=model.replace(method="euler"))
    run = _quiet_run(net, current.size * dt, record="all")
    return run.potential("neuron")[:, 0], run.spikes("neuron")[0]


def _loop_cases():
    """(name, current (steps,), model, dt, hint)."""
    base = LIF(method="euler")
    constant = "the notebook's neuron under a constant 2 nA, 100 ms"
    kick = np.zeros(20)
    kick[0] = 64.0  # dt/tau_m = 1/64 and R*I = 64 mV: Euler lands on u = 1 mV = threshold exactly
    step = np.where(np.arange(600) < 200, -1.0, 2.5)
    rng = np.random.default_rng(2026_00_03)
    shifted = LIF(u_rest=-65.0, threshold=-50.0, R=10.0, C=1.0, u_reset=-70.0, refractory=1.0, method="euler")
    return [
        (constant, np.full(1000, 2.0), base, 0.1,
         "record u(t_k) before step k, test the threshold after the step, and stamp a spike with t_k"),
        ("no current, starting above rest", np.zeros(300), LIF(u_init=0.5, method="euler"), 0.1,
         "without current the membrane only decays towards u_rest; no spike"),
        ("reaches threshold exactly", kick, LIF(C=8.0, method="euler"), 0.125,
         "the first step lands exactly on the threshold: a neuron fires when u >= threshold"),
        ("refractory 2 ms", np.full(600, 3.0), LIF(refractory=2.0, method="euler"), 0.1,
         "after a spike u is held at u_reset for refractory/dt steps, then the steps resume"),
        ("negative then positive current", step, base, 0.1,
         "a real LIF goes below rest under a negative current (no clamp at rest in this exercise)"),
        ("reset below rest", np.full(500, 2.0), LIF(u_reset=-0.5, method="euler"), 0.1,
         "after a spike the membrane starts again from u_reset, which is not u_rest here"),
        ("noisy current, rest at -65 mV", rng.normal(2.0, 3.0, 800), shifted, 0.05,
         "every parameter of the model counts: u_rest, threshold, R, C, u_reset and refractory"),
    ]


def _spike_hint(got: np.ndarray, expected: np.ndarray, dt: float, hint: str) -> str:
    if got.size == expected.size and got.size and np.allclose(got, expected + dt, atol=1e-9):
        return "every spike is one step late: a spike is stamped t_k, the start of the step in which u crossed"
    if got.size == expected.size and got.size and np.allclose(got * dt, expected, atol=1e-9):
        return "these look like step numbers k: return the spike times in ms"
    if got.size > expected.size and expected.size:
        return "more spikes than snnlab: is the reset applied, and is u held during the refractory period? " + hint
    return hint


@exercise(NOTEBOOK, "simulate_lif", targets="simulate_lif",
          title="The report's neuron loop: Euler steps, threshold, reset, refractory")
def simulate_lif(student):
    """Check ``student(I, model, dt) -> (potential, spike_times)`` against snnlab's Euler run."""
    cases = _loop_cases()
    for name, current, model, dt, hint in cases:
        steps = current.size
        text = f"{name} ({steps} steps of dt = {dt:g} ms, {_model_text(model)})"
        got = call(student, current.copy(), model, dt, what="simulate_lif(I, model, dt)", case=text)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"simulate_lif(I, model, dt) should return two things, (potential, spike_times), "
                          f"got {type(got).__name__} on case {text}")
        potential = array(got[0], what="the potential returned by simulate_lif", shape=(steps,), case=text)
        spikes = array(got[1], what="the spike times returned by simulate_lif", shape=(None,), case=text)
        want_u, want_spikes = _reference_run(current, model, dt)
        bad = ~np.isclose(potential, want_u, rtol=1e-9, atol=1e-9)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            if k == 0:
                hint = "the first sample is the state the run starts from, model.u_init"
            elif potential[k] >= model.threshold:
                hint = "u reached the threshold but was not reset; " + hint
            close(float(potential[k]), float(want_u[k]), case=f"{text}, at t = {k * dt:g} ms (step {k})",
                  what="the potential", unit="mV", atol=1e-9, rtol=1e-9, hint=hint)
        if spikes.size != want_spikes.size or not np.allclose(spikes, want_spikes, rtol=0, atol=1e-9):
            raise Failure(f"case {text}: expected {want_spikes.size} spikes at {_times(want_spikes)} ms, got "
                          f"{spikes.size} at {_times(spikes)} ms. Hint: {_spike_hint(spikes, want_spikes, dt, hint)}")
    return (f"{len(cases)} runs agree with snnlab's Euler run, step by step (exactly at threshold, refractory, "
            "reset below rest, negative current, noise)")


def _times(times: np.ndarray) -> str:
    shown = ", ".join(f"{t:g}" for t in times[:4])
    return f"[{shown}{', ...' if times.size > 4 else ''}]"


# -- 0.4: the F–I curve ------------------------------------------------------------------------------------

def _reference_rates(currents: np.ndarray, model: LIF, duration: float) -> np.ndarray:
    net = Network(dt=FI_DT, seed=0)
    net.add_population("fi", n=currents.size, kind="excitatory", current=currents, model=model)
    run = _quiet_run(net, duration, record=None)
    return run.spike_count("fi") / (duration / 1000.0)


def _fi_cases():
    """(name, currents, model, duration ms, hint)."""
    rate_hint = "a rate in Hz is a number of spikes per second; the run lasts `duration` ms"
    rng = np.random.default_rng(2026_00_04)
    odd = LIF(u_rest=-1.0, threshold=0.5, R=2.0, C=5.0)
    return [
        ("the assignment's neuron", np.linspace(0.0, 6.0, 13), LIF(), 500.0, rate_hint),
        ("a shorter run", np.array([0.5, 1.5, 3.0, 5.0]), LIF(), 200.0, rate_hint),
        ("refractory 3 ms", np.array([0.5, 1.0, 2.0, 4.0, 8.0, 16.0]), LIF(refractory=3.0), 300.0,
         "run the model you are given: its refractory period caps the rate"),
        ("R, C, threshold and rest not the default", np.array([-1.0, 0.0, odd.rheobase, 1.0, 2.0, 4.0]), odd, 400.0,
         "run the model you are given, with all its parameters"),
        ("Euler neuron", rng.uniform(0.0, 8.0, 8), LIF(method="euler"), 250.0,
         "run the model you are given, integrated by its own method (model.method)"),
        ("one current", np.array([2.0]), LIF(), 100.0, rate_hint),
    ]


@exercise(NOTEBOOK, "fi_curve", targets="fi_curve", title="An F–I curve from your own runs")
def fi_curve(student):
    """Check ``student(currents, model, duration) -> rates`` (Hz) against snnlab's spike counts."""
    cases = _fi_cases()
    for name, currents, model, duration, hint in cases:
        text = f"{name}, duration = {duration:g} ms, {_model_text(model)}"
        got = call(student, currents.copy(), model, duration, what="fi_curve(currents, model, duration)",
                   case=text)
        rates = array(got, what="the rates returned by fi_curve", shape=(currents.size,), case=text)
        expected = _reference_rates(currents, model, duration)
        # one spike more or fewer is within counting error (a rate from intervals is fine too)
        slack = 1000.0 / duration + 1e-9
        bad = ~(np.abs(rates - expected) <= slack)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise Failure(f"case {text}, I = {currents[i]:.4g} nA: expected a rate of {expected[i]:.6g} Hz "
                          f"(within {slack:.3g} Hz, one spike in the run), got {rates[i]:.6g} Hz. Hint: {hint}")
    return (f"{len(cases)} curves agree with snnlab's spike counts within one spike (refractory, a non-default "
            "neuron, an Euler neuron, below and at the rheobase)")


def _warm_engine() -> None:
    """Load numba's compiled kernel now (about a second in a fresh process), so that a check's
    2 s budget is spent on the student's code, not on loading snnlab's."""
    _reference_run(np.ones(2), LIF(method="euler"), 0.1)


_warm_engine()

__all__ = ["NOTEBOOK", "fi_curve", "first_spike_time", "lif_step", "simulate_lif"]
