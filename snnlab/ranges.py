"""When a run leaves the physiological range: notes in words, with the reason.

The course's LIF is current-based: a synaptic spike adds its weight to the potential, whatever
the potential is. A real synapse drives the membrane towards its reversal potential, so real
inhibition cannot push a neuron much below rest (the inhibitory reversal potential is about
10–20 mV below rest), and the refractory period and the spike's own currents keep real rates
below a few hundred Hz. A slider can take a network far outside that range without anything
failing; :func:`out_of_range` says so (the slider panels show its notes under the figure).

Units: potential mV, rates Hz, weights mV.
"""

from __future__ import annotations

import numpy as np

#: A potential further below rest than this (mV) is outside physiology.
LOWEST_BELOW_REST = 100.0
#: A firing rate above this (Hz) is outside physiology (and above 1/refractory, where it is shorter).
HIGHEST_RATE = 500.0


def out_of_range(result) -> list[str]:
    """Notes, one sentence each, on what in ``result`` (a :class:`snnlab.Result`) is outside
    physiology: a potential more than :data:`LOWEST_BELOW_REST` below rest, a rate above
    :data:`HIGHEST_RATE` or 1/refractory, an excitatory weight larger than the distance from reset
    to threshold of its target (so one spike alone fires it). Empty when nothing is."""
    notes = []
    lows = []
    for label in result.labels:
        if result.recorded_neurons(label).size:
            lows.append((float(np.min(result.potential(label))) - result.model(label).u_rest, label))
    if lows:
        depth, label = min(lows)
        if -depth > LOWEST_BELOW_REST:
            notes.append(
                f"outside physiology: population {label} goes {-depth:.0f} mV below rest; a real membrane stops near "
                f"the reversal potential of inhibition, about 10–20 mV below rest, but these current-based synapses "
                f"have none, so every inhibitory spike subtracts its whole weight"
            )
    rates = []
    for label in result.labels:
        if result.size(label):
            model = result.model(label)
            limit = HIGHEST_RATE if model.refractory <= 0 else min(HIGHEST_RATE, 1000.0 / model.refractory)
            rates.append((float(np.max(result.firing_rate(label))), limit, label))
    over = [r for r in rates if r[0] > r[1]]
    if over:
        rate, limit, label = max(over)
        notes.append(
            f"outside physiology: a neuron of {label} fires at {rate:.0f} Hz, above {limit:.0f} Hz; real neurons "
            f"fire at most a few hundred Hz, held back by their refractory period"
        )
    worst = _largest_excess(result)
    if worst is not None:
        weight, gap, pre, post = worst
        notes.append(
            f"one spike alone fires its target: the weight {weight:g} mV from {pre} to {post} is "
            f"larger than the {gap:g} mV from reset to threshold, so activity can run away "
            f"(real synapses move the potential by about 0.1–1 mV, a small part of that distance)"
        )
    return notes


def _largest_excess(result):
    """(weight, gap, pre, post) of the synapse whose weight exceeds its target's distance from
    reset to threshold the most (the first such synapse in ``connections()`` order), or None.
    Projection by projection: a slider panel asks this on every update, and a Brunel network's
    whole synapse table costs more than the question."""
    gaps = np.concatenate([np.full(result.size(label), result.model(label).threshold - result.model(label).u_reset)
                           for label in result.labels]) if result.labels else np.empty(0)
    best = None
    for pre, post, weight, _delay in result._projections():
        post = np.asarray(post)
        if post.size == 0:
            continue
        weight = np.broadcast_to(np.asarray(weight, dtype=float), post.shape)
        excess = weight - gaps[post]
        i = int(np.argmax(excess))
        if excess[i] > 0 and (best is None or excess[i] > best[0]):
            best = (float(excess[i]), float(weight[i]), float(gaps[post[i]]), int(np.asarray(pre)[i]), int(post[i]))
    if best is None:
        return None
    _, weight, gap, pre, post = best
    return weight, gap, _population(result, pre), _population(result, post)


def _population(result, index: int) -> str:
    for label in result.labels:
        lo = result.offset(label)
        if lo <= index < lo + result.size(label):
            return label
    raise IndexError(index)  # pragma: no cover - indices come from the result itself
