"""The result of a run: spikes, potentials, currents, rates, and saving them.

Every array handed out is a read-only numpy array (writing to it raises), in the
package's units: time ms, potential mV, current nA, rates Hz. Neurons are numbered
within their population (0 .. n-1) unless a method says otherwise.

Time grid: ``time[k] = k*dt`` for ``k = 0 .. steps-1``. ``potential(label)[k]`` is the
membrane at ``time[k]``, after the input arriving then and before the step from
``time[k]`` to ``time[k+1]``; a spike stamped ``time[k]`` crossed threshold during
that step (see :mod:`snnlab.engine`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import _checks as check
from .neurons import LIF

FORMAT_VERSION = 1


def _time_ordered(steps: np.ndarray, neurons: np.ndarray, n: int) -> bool:
    """True when spikes are sorted by step, then neuron (a linear check instead of a sort)."""
    if steps.size < 2:
        return True
    key = steps * n + neurons  # ordered like (step, neuron) for neurons in [0, n)
    return bool(np.all(key[1:] > key[:-1]))


def _frozen(array) -> np.ndarray:
    array = np.asarray(array)
    view = array.view()
    view.flags.writeable = False
    return view


class Result:
    """Spikes, potentials and currents of one run (made by :meth:`Network.run`).

    Examples
    --------
    >>> import snnlab as sl
    >>> net = sl.Network(dt=0.1, seed=0)
    >>> _ = net.add_population("A", n=3, kind="excitatory", current=[1.5, 2.0, 4.0])
    >>> res = net.run(100.0)
    >>> times, neurons = res.spikes("A")      # ms, and the neuron of each spike
    >>> times[:3].round(1).tolist(), neurons[:3].tolist()
    ([2.8, 5.7, 6.9], [2, 2, 1])
    >>> res.potential("A").shape              # (steps, n), time-major: u(t) at res.time
    (1000, 3)
    >>> res.firing_rate("A").tolist()         # Hz, one per neuron
    [90.0, 140.0, 340.0]
    """

    def __init__(self, *, dt, steps, labels, kinds, sizes, models, spike_steps, spike_neurons, recorded,
                 potentials, currents, params, connections=()):
        self.dt = float(dt)
        self.steps = int(steps)
        self.labels = list(labels)
        self._kinds = dict(zip(self.labels, kinds))
        self._sizes = dict(zip(self.labels, (int(s) for s in sizes)))
        self._models = dict(zip(self.labels, models))
        self._offsets = {}
        first = 0
        for lb in self.labels:
            self._offsets[lb] = (first, first + self._sizes[lb])
            first += self._sizes[lb]
        self.n = first
        spike_steps = np.asarray(spike_steps, dtype=np.int64)
        spike_neurons = np.asarray(spike_neurons, dtype=np.int64)
        if not _time_ordered(spike_steps, spike_neurons, max(self.n, 1)):  # the engine's are ordered
            order = np.lexsort((spike_neurons, spike_steps))
            spike_steps, spike_neurons = spike_steps[order], spike_neurons[order]
        self._spike_steps = _frozen(spike_steps)
        self._spike_neurons = _frozen(spike_neurons)
        self._recorded = _frozen(np.asarray(recorded, dtype=np.int64))
        self._potentials = _frozen(potentials)
        self._currents = _frozen(currents)
        self.params = params
        # a callable (the simulation's, which computes them from its CSR arrays on demand, so a
        # result holds no copy of the synapses) or the per-projection tuples themselves
        self._connections = connections if callable(connections) else [tuple(c) for c in connections]
        self.time = _frozen(np.arange(self.steps) * self.dt)

    def __getstate__(self):
        # a pickled result carries its synapses, not the simulation that computes them, nor the
        # spikes it sorted by population
        state = self.__dict__.copy()
        state["_connections"] = self._projections()
        state.pop("_by_population", None)
        return state

    # -- description -----------------------------------------------------------------------------
    @property
    def duration(self) -> float:
        """Simulated time, ms (``steps * dt``)."""
        return self.steps * self.dt

    def kind(self, label: str) -> str:
        return self._kinds[self._label(label)]

    def size(self, label: str) -> int:
        return self._sizes[self._label(label)]

    def model(self, label: str) -> LIF:
        """The neuron model of a population (for threshold lines and closed forms)."""
        return self._models[self._label(label)]

    def offset(self, label: str) -> int:
        """Index of the population's first neuron in the network-wide numbering."""
        return self._offsets[self._label(label)][0]

    def _label(self, label) -> str:
        label = getattr(label, "label", label)
        if not isinstance(label, str) or label not in self._sizes:
            known = ", ".join(repr(lb) for lb in self.labels)
            raise ValueError(f"Result: no population labelled {label!r}; the labels are {known}")
        return label

    def __repr__(self):
        pops = ", ".join(f"{lb}: {self._sizes[lb]} {self._kinds[lb][:3]}." for lb in self.labels)
        return f"<Result {self.duration:g} ms, dt={self.dt:g} ms, {self._spike_steps.size} spikes; {pops}>"

    # -- spikes ----------------------------------------------------------------------------------
    def spikes(self, label: str | None = None):
        """Spike times (ms) and neuron indices of one population, sorted by time.

        With no label: all spikes, with network-wide neuron indices.

        Returns
        -------
        times : ndarray (n_spikes,), ms
        neurons : ndarray (n_spikes,), int
        """
        if label is None:
            return _frozen(self._spike_steps * self.dt), self._spike_neurons
        _, times, neurons = self._population_spikes(label)
        return times, neurons

    def spike_steps(self, label: str):
        """Like :meth:`spikes` but with whole step numbers instead of times."""
        steps, _, neurons = self._population_spikes(label)
        return steps, neurons

    def _population_spikes(self, label: str) -> tuple:
        """(steps, times, neurons counted from the population's first) of one population's spikes,
        picked out of the network's once: a result does not change, and a panel's drawing and
        summary ask for the same population's spikes five to ten times (each a pass over all)."""
        label = self._label(label)
        kept = self.__dict__.setdefault("_by_population", {})
        found = kept.get(label)
        if found is None:
            lo, hi = self._offsets[label]
            mask = (self._spike_neurons >= lo) & (self._spike_neurons < hi)
            steps = self._spike_steps[mask]
            found = kept[label] = (_frozen(steps), _frozen(steps * self.dt), _frozen(self._spike_neurons[mask] - lo))
        return found

    def spike_trains(self, label: str) -> list[np.ndarray]:
        """One array of spike times (ms) per neuron of the population."""
        times, neurons = self.spikes(label)
        order = np.argsort(neurons, kind="stable")
        bounds = np.searchsorted(neurons[order], np.arange(self.size(label) + 1))
        sorted_times = times[order]
        return [_frozen(sorted_times[bounds[i]:bounds[i + 1]]) for i in range(self.size(label))]

    def spike_count(self, label: str) -> np.ndarray:
        """Number of spikes of each neuron, shape (n,)."""
        _, neurons = self.spikes(label)
        return _frozen(np.bincount(neurons, minlength=self.size(label)))

    def firing_rate(self, label: str) -> np.ndarray:
        """Mean firing rate of each neuron over the run, Hz, shape (n,)."""
        return _frozen(self.spike_count(label) / (self.duration / 1000.0))

    def mean_rate(self, label: str) -> float:
        """Mean firing rate of the population, Hz (spikes per neuron per second)."""
        return float(np.mean(self.firing_rate(label)))

    # -- potentials and currents -------------------------------------------------------------------
    def recorded_neurons(self, label: str) -> np.ndarray:
        """Indices (within the population) of the neurons whose potential was recorded."""
        lo, hi = self._offsets[self._label(label)]
        rec = self._recorded
        return _frozen(rec[(rec >= lo) & (rec < hi)] - lo)

    def _columns(self, label, neurons):
        label = self._label(label)
        lo, hi = self._offsets[label]
        rec = self._recorded
        if neurons is None:
            cols = np.flatnonzero((rec >= lo) & (rec < hi))
            if cols.size == 0:
                raise ValueError(
                    f"Result: no potential of population {label!r} was recorded; run with "
                    f"record={{{label!r}: 'all'}} or record='all'"
                )
            return cols
        wanted = np.atleast_1d(check.array("Result", "neurons", neurons, kinds="iufbUSO"))
        if wanted.dtype.kind not in "iu" or wanted.ndim != 1:
            raise TypeError(f"Result: neurons must be integer indices (got {check._show(neurons)})")
        glob = wanted.astype(np.int64) + lo
        bad = (wanted < 0) | (wanted >= hi - lo)
        if bad.any():
            raise ValueError(
                f"Result: neuron {int(wanted[bad][0])} is not in population {label!r} of {hi - lo} neurons"
            )
        cols = np.searchsorted(rec, glob)
        missing = (cols >= rec.size) | (rec[np.minimum(cols, rec.size - 1)] != glob) if rec.size else np.ones_like(bad)
        if np.any(missing):
            raise ValueError(
                f"Result: neuron {int(wanted[missing][0])} of population {label!r} was not recorded; the recorded "
                f"ones are {self.recorded_neurons(label).tolist()[:20]}"
            )
        return cols

    def potential(self, label: str, neurons=None) -> np.ndarray:
        """Membrane potentials, mV, time-major: shape (steps, n) (or (steps, len(neurons)));
        row k is ``u(time[k])``."""
        return _frozen(self._potentials[:, self._columns(label, neurons)])

    def current(self, label: str, neurons=None) -> np.ndarray:
        """External input currents, nA, shape like :meth:`potential` (synaptic input excluded)."""
        return _frozen(self._currents[:, self._columns(label, neurons)])

    # -- connectivity -------------------------------------------------------------------------------
    def _projections(self) -> list[tuple]:
        """Per projection ``(pre, post, weight, delay_steps)``, network-wide indices."""
        return self._connections() if callable(self._connections) else self._connections

    def connections(self, pre: str | None = None, post: str | None = None) -> dict:
        """All synapses as arrays: ``pre``, ``post`` (network-wide indices), ``weight`` (signed,
        mV), ``delay`` (ms); optionally only those from population ``pre`` to ``post``, with
        indices then within those populations."""
        parts = {"pre": [], "post": [], "weight": [], "delay": []}
        for p, q, w, d in self._projections():
            parts["pre"].append(np.asarray(p, dtype=np.int64))
            parts["post"].append(np.asarray(q, dtype=np.int64))
            parts["weight"].append(np.broadcast_to(np.asarray(w, dtype=float), np.shape(p)))
            parts["delay"].append(np.broadcast_to(np.asarray(d, dtype=float) * self.dt, np.shape(p)))
        out = {k: (np.concatenate(v) if v else np.empty(0)) for k, v in parts.items()}
        out["pre"] = out["pre"].astype(np.int64)
        out["post"] = out["post"].astype(np.int64)
        keep = np.ones(out["pre"].size, dtype=bool)
        for side in ("pre", "post"):
            label = pre if side == "pre" else post
            if label is not None:
                lo, hi = self._offsets[self._label(label)]
                keep &= (out[side] >= lo) & (out[side] < hi)
        for side in ("pre", "post"):
            label = pre if side == "pre" else post
            if label is not None:
                out[side] = out[side] - self._offsets[self._label(label)][0]
        return {k: _frozen(v[keep]) for k, v in out.items()}

    # -- saving ------------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Save everything (spikes, recordings, connectivity, the parameters that produced it)
        to one ``.npz`` file; :func:`snnlab.load` reads it back."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz")
        conn = self.connections()
        projections = self._projections()
        counts = np.array([np.size(c[1]) for c in projections], dtype=np.int64)
        # the delays as the engine holds them, whole steps (not recomputed from ms)
        delay_steps = [np.broadcast_to(np.asarray(c[3], dtype=np.int64), np.shape(c[1])) for c in projections]
        delay_steps = np.concatenate(delay_steps) if delay_steps else np.empty(0, np.int64)
        meta = {
            "format": FORMAT_VERSION, "dt": self.dt, "steps": self.steps, "labels": self.labels,
            "kinds": [self._kinds[lb] for lb in self.labels], "sizes": [self._sizes[lb] for lb in self.labels],
            "models": [self._models[lb].as_dict() for lb in self.labels], "params": self.params,
        }
        np.savez_compressed(
            path, meta=np.array(json.dumps(meta)), spike_steps=self._spike_steps,
            spike_neurons=self._spike_neurons, recorded=self._recorded, potentials=self._potentials,
            currents=self._currents, conn_counts=counts, conn_pre=conn["pre"], conn_post=conn["post"],
            conn_weight=conn["weight"], conn_delay_steps=delay_steps,
        )
        return path

    @classmethod
    def load(cls, path) -> Result:
        """Read a result written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"Result.load: {path} has format {meta.get('format')!r}, expected {FORMAT_VERSION}")
            bounds = np.concatenate([[0], np.cumsum(data["conn_counts"])])
            connections = [
                tuple(data[name][bounds[i]:bounds[i + 1]] for name in
                      ("conn_pre", "conn_post", "conn_weight", "conn_delay_steps"))
                for i in range(len(bounds) - 1)
            ]
            return cls(
                dt=meta["dt"], steps=meta["steps"], labels=meta["labels"], kinds=meta["kinds"],
                sizes=meta["sizes"], models=[LIF(**m) for m in meta["models"]],
                spike_steps=data["spike_steps"], spike_neurons=data["spike_neurons"], recorded=data["recorded"],
                potentials=data["potentials"], currents=data["currents"], params=meta["params"],
                connections=connections,
            )


def load(path) -> Result:
    """Read a :class:`Result` saved with :meth:`Result.save`."""
    return Result.load(path)
