"""Describing a network: populations, projections, couplings and Poisson inputs.

These objects hold parameters and compute nothing; :meth:`Network.build` turns them
into flat arrays (see :mod:`snnlab.builder`) and :meth:`Network.run` simulates them
(:mod:`snnlab.engine`).

Units: time ms, potential mV, current nA, rates Hz. Weights are magnitudes in mV:
the sign comes from the presynaptic population's kind, so an excitatory spike
raises the target's potential by ``weight`` and an inhibitory one lowers it.

Example
-------
>>> import snnlab as sl
>>> net = sl.Network(dt=0.1, seed=0)
>>> a = net.add_population("A", n=1, kind="excitatory", current=4.0)
>>> b = net.add_population("B", n=1, kind="inhibitory", current=lambda t: 10.0)
>>> _ = net.connect(a, b, rule="all_to_all", weight=2.0, delay=1.0)
>>> res = net.run(100.0)
>>> res.spike_count("A").tolist(), res.spike_count("B").tolist()
([34], [103])
>>> res.spikes("B")[0][:3].round(1).tolist()   # ms: B's own 10 nA makes it fire every 1.1 ms
[1.0, 2.1, 3.2]
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from . import _checks as check
from . import connectivity as conn
from .engine import Simulation, build
from .inputs import Constant, Current, FromArray, PerNeuron, PoissonInput, Sum, as_current
from .neurons import LIF

KINDS = ("excitatory", "inhibitory")

#: Parameters each rule takes (besides autapses/multapses).
RULE_PARAMETERS = {
    "all_to_all": (),
    "one_to_one": (),
    "fixed_probability": ("p",),
    "fixed_outdegree": ("k",),
    "fixed_indegree": ("k",),
    "fixed_total_number": ("n_synapses",),
    "pairs": ("pairs",),
    "adjacency": ("targets",),
}


@dataclass(eq=False)
class Population:
    """``n`` LIF neurons of one kind, with one model and one external current.

    Made by :meth:`Network.add_population`; do not create it directly.
    """

    label: str
    n: int
    kind: str
    model: LIF
    current: Current
    network: Network = field(repr=False)
    index: int = field(repr=False)
    u_init: object = None  # None (the model's), a number, n numbers or a distribution, mV

    @property
    def sign(self) -> float:
        """+1 for excitatory, -1 for inhibitory: the sign of this population's spikes."""
        return 1.0 if self.kind == "excitatory" else -1.0

    def describe(self) -> dict:
        return {"label": self.label, "n": self.n, "kind": self.kind, "model": self.model.as_dict(),
                "current": self.current.describe(), "u_init": _describe_value(self.u_init)}


@dataclass(eq=False)
class Projection:
    """Neuron-to-neuron synapses from ``pre`` to ``post`` made by one rule (a description).

    ``pre`` and ``post`` are tuples of populations; their neurons are numbered one
    after the other (the first population's neurons first).
    """

    pre: tuple
    post: tuple
    rule: str
    weight: object
    delay: object
    params: dict
    autapses: bool
    multapses: bool
    index: int = field(repr=False)

    def describe(self) -> dict:
        out = {"pre": [p.label for p in self.pre], "post": [p.label for p in self.post], "rule": self.rule,
               "weight": _describe_value(self.weight), "delay": _describe_value(self.delay),
               "autapses": self.autapses, "multapses": self.multapses}
        for name, value in self.params.items():
            out[name] = _describe_value(value)
        return out


@dataclass(eq=False)
class Coupling:
    """The report's population-level coupling: every time ``pre`` has emitted ``every``
    spikes (counted together), every neuron of ``post`` receives ``effect`` mV (raised
    for an excitatory ``pre``, lowered for an inhibitory one) after ``delay`` ms."""

    pre: Population
    post: tuple
    every: int
    effect: float
    delay: float | None
    index: int = field(repr=False)

    def describe(self) -> dict:
        return {"pre": self.pre.label, "post": [p.label for p in self.post], "every": self.every,
                "effect": self.effect, "delay": self.delay}


def _describe_value(value):
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, conn.DISTRIBUTIONS):
        return value.describe()
    if isinstance(value, (list, tuple)) and not isinstance(value, np.ndarray):
        if len(value) <= 64:
            return [_describe_value(v) for v in value]
        return {"type": "list", "length": len(value)}
    array = np.asarray(value)
    if array.size <= 64:
        return array.tolist()
    return {"type": "array", "shape": list(array.shape)}


class Network:
    """A network of LIF populations: the description that :meth:`run` simulates.

    Parameters
    ----------
    dt : float
        Time step, ms, > 0. Default 0.1.
    seed : int, numpy.random.SeedSequence or None
        One seed for everything random (connectivity, noise currents, Poisson
        inputs). Each random element gets its own stream derived from this seed and
        its position, so adding a projection does not change the others. None: a
        fresh seed, stored in :attr:`seed` and in every result.
    """

    def __init__(self, dt: float = 0.1, seed=None):
        self.dt = check.positive("Network", "dt", dt, "ms")
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise TypeError(f"Network.seed: must be None or a non-negative integer (got {check._show(seed)})")
        self.seed = int(seed)
        self.populations: dict[str, Population] = {}
        self.projections: list[Projection] = []
        self.couplings: list[Coupling] = []
        self.poisson_inputs: list[tuple[Population, PoissonInput]] = []

    # -- random streams ----------------------------------------------------------------------
    def rng(self, purpose: int, index: int) -> np.random.Generator:
        """The generator for one random element: ``purpose`` 1 projections, 2 currents, 3
        Poisson inputs, 4 initial potentials; ``index`` its position. Independent of
        everything else added."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(purpose, index)))

    # -- populations -------------------------------------------------------------------------
    def add_population(self, label: str, n: int = 1, kind: str = "excitatory", current=0.0,
                       model: LIF | None = None, u_init=None) -> Population:
        """Add ``n`` neurons of one ``kind`` ("excitatory" or "inhibitory").

        Parameters
        ----------
        label : str
            A name, unique in this network ("A", "E", "inh", ...).
        n : int
            Number of neurons, >= 1.
        kind : {"excitatory", "inhibitory"}
            The sign of the population's outgoing spikes.
        current : number, callable, list, array or Current
            External current in nA (see :mod:`snnlab.inputs`): a number, ``f(t)`` with t
            in ms, a list of n callables, an array ``(n,)`` or ``(steps, n)``, or a
            :class:`~snnlab.inputs.Current`. Default 0.
        model : LIF or None
            Neuron parameters; default ``LIF()`` (the assignment's defaults, exact
            integration, no floor).
        u_init : None, float, n floats, or Normal/Uniform
            Membrane potential of each neuron at t = 0, mV, below the threshold (and not
            below the floor). Default None: the model's ``u_init`` (rest). A distribution is
            drawn per neuron from the network's seed: ``u_init=sl.Uniform(0.0, 1.0)`` starts
            a network without the synchronous first volley that identical starts give.
        """
        owner = "Network.add_population"
        if not isinstance(label, str) or not label:
            raise TypeError(f"{owner}.label: must be a non-empty string (got {check._show(label)})")
        if label in self.populations:
            raise ValueError(f"{owner}.label: {label!r} is used twice; each population needs its own label")
        n = check.integer(owner, "n", n, minimum=1)
        kind = check.choice(owner, "kind", kind, KINDS)
        if model is None:
            model = LIF()
        elif not isinstance(model, LIF):
            raise TypeError(f"{owner}.model: must be an snnlab.LIF (got {check._show(model)})")
        current = as_current(current, n, owner=f"population {label!r}: current")
        u_init = _check_u_init(f"{owner}.u_init", u_init, n, model)
        pop = Population(label, n, kind, model, current, self, len(self.populations), u_init)
        self.populations[label] = pop
        return pop

    def add_mixed_population(self, label: str, n_exc: int = 80, n_inh: int = 20, p_exc: float = 0.01,
                             p_inh: float = 0.02, current=0.0, weight: float = 2.0, delay: float | None = None,
                             model: LIF | None = None, autapses: bool = False, *, weight_exc: float | None = None,
                             weight_inh: float | None = None, u_init=None) -> tuple[Population, Population]:
        """The report's mixed group in one call: ``n_exc`` excitatory and ``n_inh`` inhibitory
        neurons where every neuron projects to ``ceil(N*p)`` random targets among all
        ``N = n_exc + n_inh`` neurons, ``p`` by the source's kind (a fixed out-degree).

        Adds populations ``label + "_E"`` and ``label + "_I"``; both get ``current``
        (a callable or Current is shared; a per-neuron list of N callables or array of N
        values, also inside a Current, is split between them), the same ``model`` and
        ``u_init``. ``weight`` (mV) is every synapse's; ``weight_exc`` / ``weight_inh`` set
        the excitatory / inhibitory sources' apart (the report's ``ex_weight`` and
        ``inh_weight``). Without autapses a neuron has N - 1 possible targets, so
        ``ceil(N*p)`` is capped there (with a warning) when p is near 1.

        Returns
        -------
        (Population, Population)
            The excitatory and the inhibitory population.
        """
        owner = "Network.add_mixed_population"
        n_exc = check.integer(owner, "n_exc", n_exc, minimum=1)
        n_inh = check.integer(owner, "n_inh", n_inh, minimum=1)
        p_exc = check.probability(owner, "p_exc", p_exc)
        p_inh = check.probability(owner, "p_inh", p_inh)
        if not isinstance(autapses, (bool, np.bool_)):  # read below, before connect would check it
            raise TypeError(f"{owner}.autapses: must be True or False (got {check._show(autapses)})")
        total = n_exc + n_inh
        weights = {"excitatory": weight if weight_exc is None else weight_exc,
                   "inhibitory": weight if weight_inh is None else weight_inh}
        cur_e, cur_i = _split_current(current, n_exc, n_inh, owner)
        init_e, init_i = _split_current(u_init, n_exc, n_inh, owner) if u_init is not None else (None, None)
        exc = self.add_population(f"{label}_E", n_exc, "excitatory", cur_e, model, u_init=init_e)
        inh = self.add_population(f"{label}_I", n_inh, "inhibitory", cur_i, model, u_init=init_i)
        possible = total if autapses else total - 1
        for source, p, name in ((exc, p_exc, "p_exc"), (inh, p_inh, "p_inh")):
            k = math.ceil(round(total * p, 9))  # 100 * 0.07 is 7.000000000000001: 7 targets, not 8
            if k > possible:
                check.warn(f"{owner}.{name}: ceil(N*p) = {k} targets, but a neuron has only {possible} possible "
                           f"targets without autapses; using {possible}")
                k = possible
            self.connect(source, [exc, inh], rule="fixed_outdegree", k=k, weight=weights[source.kind],
                         delay=delay, autapses=autapses)
        return exc, inh

    def population(self, label) -> Population:
        """The population with this label (or the population itself)."""
        if isinstance(label, Population):
            if label.network is not self:
                raise ValueError(f"population {label.label!r} belongs to another network")
            return label
        if isinstance(label, str):
            if label not in self.populations:
                known = ", ".join(repr(k) for k in self.populations) or "none yet"
                raise ValueError(f"no population labelled {label!r}; the labels are {known}")
            return self.populations[label]
        raise TypeError(f"expected a Population or its label (got {check._show(label)})")

    def _group(self, owner, name, value) -> tuple:
        items = value if isinstance(value, (list, tuple)) else [value]
        if not items:
            raise ValueError(f"{owner}.{name}: must name at least one population (got an empty list)")
        out = []
        for item in items:
            if isinstance(item, Population) and item.network is not self:
                raise ValueError(
                    f"{owner}.{name}: population {item.label!r} belongs to another network; "
                    f"connect only populations added to this one"
                )
            try:
                out.append(self.population(item))
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{owner}.{name}: {exc}") from None
        if len({p.label for p in out}) != len(out):
            raise ValueError(f"{owner}.{name}: lists a population twice")
        return tuple(out)

    # -- projections -------------------------------------------------------------------------
    def connect(self, pre, post, rule: str = "all_to_all", weight=2.0, delay=None, *, p=None, k=None,
                n_synapses=None, pairs=None, targets=None, autapses: bool = False,
                multapses: bool = False) -> Projection:
        """Connect neurons of ``pre`` to neurons of ``post`` by a rule.

        Parameters
        ----------
        pre, post : Population, label, or a list of them
            Sources and targets; a population may connect to itself. A list joins
            populations into one group numbered in order (the report's mixed group
            draws targets among all its neurons).
        rule : str
            ``"all_to_all"``, ``"one_to_one"``, ``"fixed_probability"`` (``p``),
            ``"fixed_outdegree"`` (``k`` targets per source), ``"fixed_indegree"`` (``k``
            sources per target), ``"fixed_total_number"`` (``n_synapses``), ``"pairs"``
            (``pairs=[(i, j), ...]``) or ``"adjacency"`` (``targets=[[1], [0]]``).
        weight : float, array or distribution
            Magnitude in mV, >= 0: a number, one value per synapse, an ``(n_pre, n_post)``
            matrix, or :class:`~snnlab.Normal` / :class:`~snnlab.Uniform`. The sign
            comes from each source's kind. Default 2. One value per synapse is in the
            order the synapses were listed for ``"pairs"`` and ``"adjacency"`` (``targets[0]``
            in its order, then ``targets[1]``, ...), and in the order of
            :meth:`Result.connections` (by source, then target) for the other rules.
        delay : float, array, distribution or None
            ms, at least one step (dt); rounded to whole steps (with a warning when
            that changes it; see :func:`snnlab._checks.whole_steps`). Default None: one
            step. Per synapse as ``weight``.
        autapses, multapses : bool
            Allow a neuron to connect to itself / the same pair twice. Default False.
        """
        owner = "connect"
        pre_g = self._group(owner, "pre", pre)
        post_g = self._group(owner, "post", post)
        rule = check.choice(owner, "rule", rule, conn.RULES)
        given = {"p": p, "k": k, "n_synapses": n_synapses, "pairs": pairs, "targets": targets}
        needed = RULE_PARAMETERS[rule]
        params = {}
        for name, value in given.items():
            if name in needed:
                if value is None:
                    raise TypeError(f"{owner}: rule {rule!r} needs {name}=... (got none)")
                params[name] = value
            elif value is not None:
                users = [r for r, names in RULE_PARAMETERS.items() if name in names]
                raise TypeError(
                    f"{owner}.{name}: is used by rule {' or '.join(repr(u) for u in users)}, not by {rule!r}"
                )
        if "p" in params:
            params["p"] = check.probability(owner, "p", params["p"])
        if "k" in params:
            params["k"] = check.integer(owner, "k", params["k"], minimum=0)
        if "n_synapses" in params:
            params["n_synapses"] = check.integer(owner, "n_synapses", params["n_synapses"], minimum=0)
        if "pairs" in params:
            params["pairs"] = _check_pairs(owner, params["pairs"])
        if "targets" in params:
            params["targets"] = _check_targets(owner, params["targets"])
        for name, flag in (("autapses", autapses), ("multapses", multapses)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{owner}.{name}: must be True or False (got {check._show(flag)})")
        _check_weight(owner, weight)
        _check_delay(owner, delay, self.dt)
        proj = Projection(pre_g, post_g, rule, weight, delay, params, bool(autapses), bool(multapses),
                          len(self.projections))
        self.projections.append(proj)
        return proj

    def couple(self, pre, post, every: int = 20, effect: float = 2.0, delay: float | None = None) -> Coupling:
        """The report's population-level coupling "after a certain number of spikes".

        Every time ``pre`` has emitted ``every`` spikes in total, each neuron of ``post``
        receives ``effect`` mV after ``delay`` ms (default one step), raised if ``pre``
        is excitatory, lowered if inhibitory. Defaults: the report's threshold 20 and
        effect 2.
        """
        owner = "couple"
        if isinstance(pre, (list, tuple)):
            raise TypeError(f"{owner}.pre: must be one population, whose spikes are counted (got a list)")
        (pre_pop,) = self._group(owner, "pre", pre)
        post_g = self._group(owner, "post", post)
        every = check.integer(owner, "every", every, minimum=1)
        if every > MAX_EVERY:
            raise ValueError(f"{owner}.every: must be at most {MAX_EVERY} spikes (got {every})")
        effect = check.non_negative(owner, "effect", effect, "mV")
        if delay is not None:
            delay = check.real(owner, "delay", delay, "ms")
            _check_delay(owner, delay, self.dt)
        c = Coupling(pre_pop, post_g, every, effect, delay, len(self.couplings))
        self.couplings.append(c)
        return c

    def add_poisson_input(self, target, rate: float, weight: float, n_sources: int = 1,
                          kind: str = "excitatory") -> PoissonInput:
        """Drive every neuron of ``target`` with ``n_sources`` independent Poisson trains of
        ``rate`` Hz; each input spike moves the membrane by ``weight`` mV (up for
        excitatory, down for inhibitory)."""
        if isinstance(target, (list, tuple)):
            raise TypeError(
                "add_poisson_input.target: must be one population (got a list); call it once per population"
            )
        (pop,) = self._group("add_poisson_input", "target", target)
        spec = PoissonInput(rate, weight, n_sources, kind)
        self.poisson_inputs.append((pop, spec))
        return spec

    # -- description, build, run -------------------------------------------------------------
    def describe(self) -> dict:
        """Everything that defines this network, JSON-friendly (saved with results)."""
        return {
            "dt": self.dt,
            "seed": self.seed,
            "populations": [p.describe() for p in self.populations.values()],
            "projections": [p.describe() for p in self.projections],
            "couplings": [c.describe() for c in self.couplings],
            "poisson_inputs": [dict(target=p.label, **s.describe()) for p, s in self.poisson_inputs],
        }

    @property
    def n(self) -> int:
        """Total number of neurons."""
        return sum(p.n for p in self.populations.values())

    def build(self) -> Simulation:
        """Turn the description into flat arrays (:mod:`snnlab.builder`), ready to run: a
        :class:`snnlab.Simulation`, which can run several times.

        All checks that involve several objects run here, before any step."""
        return build(self)

    def run(self, duration: float, record="auto", progress="auto", *, backend: str = "snnlab",
            threads: int | None = None):
        """Build and simulate ``duration`` ms from t = 0; return a :class:`snnlab.Result`.

        Parameters
        ----------
        duration : float
            ms, > 0; rounded to whole steps of dt (with a warning when that changes it).
        record : "auto", "all", None, or a dict {label: neuron indices}
            Which potentials and currents to keep (spikes are always kept). "auto"
            keeps all of them when they take at most 64 MB, and none otherwise, with a
            warning.
        progress : True, False or "auto"
            A progress bar (simulated time, speed in simulated ms per second, time left: a
            widget in JupyterLab, text on stderr in a terminal). "auto" shows it only when
            the run is expected to take more than about 2 s, judged from its first slice.
            Whatever the choice, Ctrl-C ("interrupt the kernel") stops a run within a
            fraction of a second, raising KeyboardInterrupt; the network stays usable.
            NEST runs in slices too (a bar, and Ctrl-C between slices). Brian2's compiled
            binary runs in one piece and reports its progress (a bar; Ctrl-C kills it at
            once); a bar over the C++ files shows while Brian2 compiles (always with True,
            with "auto" for a new network layout).
        backend : {"snnlab", "nest", "brian2"}
            The engine: snnlab's own (default), NEST (``pip install 'snnlab[nest]'``) or Brian2's
            C++ standalone mode (``pip install 'snnlab[brian2]'``, needs a C++ compiler), which
            build the same network and give the same spikes; see :mod:`snnlab.backends`,
            docs/backends.md and docs/backend-brian2.md for what is mapped and what is refused.
        threads : int or None
            Threads of a backend that has them (NEST's ``local_num_threads``, Brian2's OpenMP
            threads). Default None: one.
        """
        if isinstance(backend, str) and backend == "snnlab" and threads is None:
            return self.build().run(duration, record=record, progress=progress)
        from . import backends
        from ._progress import check_progress

        check_progress("run", progress)
        return backends.run(self, duration, backend=backend, threads=threads, record=record, progress=progress)

    def export(self, backend: str, path, duration: float):
        """Write a self-contained script that runs this network for ``duration`` ms on another
        engine, for a machine without snnlab (a cluster), and its data file.

        Parameters
        ----------
        backend : {"nest", "brian2"}
            The engine the script runs.
        path : str or Path
            The script, ending in ``.py``; the data go to the same name with ``.npz``.
        duration : float
            ms: time-varying currents are evaluated now, by snnlab, for this long.

        Returns
        -------
        (Path, Path)
            The script and the data file. ``python model.py [--threads K]`` (or ``mpirun -np P
            python model.py`` with a NEST built with MPI) saves the spikes in
            ``model_result.npz``, which :func:`snnlab.load` reads. See docs/backends.md.
        """
        from . import backends

        return backends.export(self, backend, path, duration)


def _split_current(current, n_exc, n_inh, owner):
    """Split a per-neuron current of n_exc + n_inh entries between the two populations; a
    current that is the same for every neuron is shared."""
    total = n_exc + n_inh
    if isinstance(current, (list, tuple)) and len(current) == total:
        return list(current[:n_exc]), list(current[n_exc:])
    if isinstance(current, np.ndarray) and 1 <= current.ndim <= 2 and current.shape[-1] == total:
        return current[..., :n_exc], current[..., n_exc:]
    if isinstance(current, Constant) and np.ndim(current.amplitude) == 1 and current.amplitude.size == total:
        return Constant(current.amplitude[:n_exc]), Constant(current.amplitude[n_exc:])
    if isinstance(current, FromArray) and current.values.shape[1] == total:
        return FromArray(current.values[:, :n_exc]), FromArray(current.values[:, n_exc:])
    if isinstance(current, PerNeuron) and len(current.functions) == total:
        return PerNeuron(current.functions[:n_exc]), PerNeuron(current.functions[n_exc:])
    if isinstance(current, Sum):
        halves = [_split_current(part, n_exc, n_inh, owner) for part in current.parts]
        return Sum(*(e for e, _ in halves)), Sum(*(i for _, i in halves))
    if isinstance(current, (list, tuple, np.ndarray)) and check.ndim(owner, "current", current) >= 1:
        raise ValueError(
            f"{owner}.current: a per-neuron current needs {total} entries (n_exc + n_inh) (got {len(current)})"
        )
    return current, current


def _check_u_init(owner, u_init, n, model):
    """None, a distribution, or the initial potentials as a float or (n,) array, checked
    against the model (below threshold, not below the floor)."""
    if u_init is None or isinstance(u_init, conn.DISTRIBUTIONS):
        return u_init
    if check.ndim(owner, "", u_init) == 0:
        values = np.array(check.real(owner.rpartition(".")[0], "u_init", u_init, "mV"))
    else:
        values = check.array(owner, "", u_init).astype(float)
        if values.shape != (n,):
            raise ValueError(f"{owner}: needs one value per neuron, {n} (got shape {values.shape})")
    check.initial_potentials(owner, values, model)
    return values.item() if values.ndim == 0 else values


def _check_weight(owner, weight):
    if isinstance(weight, conn.DISTRIBUTIONS):
        return
    if check.ndim(owner, "weight", weight) == 0:
        w = check.real(owner, "weight", weight, "mV")
        if w < 0:
            raise ValueError(
                f"{owner}.weight: must be >= 0 mV; weights are magnitudes and the sign comes from the "
                f"presynaptic kind (got {w!r})"
            )
        return
    array = check.array(owner, "weight", weight)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{owner}.weight: must be finite mV (got NaN or inf)")
    if np.any(array < 0):
        raise ValueError(
            f"{owner}.weight: must be >= 0 mV; weights are magnitudes and the sign comes from the "
            f"presynaptic kind (got a minimum of {array.min()!r})"
        )


def _check_delay(owner, delay, dt):
    if delay is None or isinstance(delay, conn.DISTRIBUTIONS):
        return
    if check.ndim(owner, "delay", delay) == 0:
        d = check.real(owner, "delay", delay, "ms")
        if d < 0:
            raise ValueError(f"{owner}.delay: must be >= one step, dt = {dt!r} ms (got {d!r})")
        check.delay_steps(owner, d, dt)
        return
    check.delay_steps(owner, check.array(owner, "delay", delay), dt)


#: The largest spike count a coupling waits for (its counter is a 64-bit integer).
MAX_EVERY = 2**62


def _check_pairs(owner, pairs):
    if not isinstance(pairs, (list, tuple, np.ndarray)) or check.ndim(owner, "pairs", pairs) == 0:
        raise TypeError(
            f"{owner}.pairs: must be a sequence of (source, target) integer pairs (got {check._show(pairs)})"
        )
    if len(pairs) == 0:
        return np.empty((0, 2), dtype=np.int64)
    array = check.array(owner, "pairs", pairs, kinds="iufb")
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise TypeError(
            f"{owner}.pairs: must be a sequence of (source, target) integer pairs (got {check._show(pairs)})"
        )
    return array


def _check_targets(owner, targets):
    if not isinstance(targets, (list, tuple, np.ndarray)) or (isinstance(targets, np.ndarray) and targets.ndim == 0):
        raise TypeError(
            f"{owner}.targets: must be a list of lists, one list of target indices per source "
            f"(got {check._show(targets)})"
        )
    rows = []
    for i, row in enumerate(targets):
        if isinstance(row, numbers.Integral) and not isinstance(row, bool):
            row = [row]
        if isinstance(row, (str, bytes, dict)) or not hasattr(row, "__len__"):
            raise TypeError(f"{owner}.targets[{i}]: must be a list of target indices (got {check._show(row)})")
        array = check.array(owner, f"targets[{i}]", row, kinds="iufb") if len(row) else np.empty(0, np.int64)
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise TypeError(f"{owner}.targets[{i}]: must be a list of integer target indices (got {check._show(row)})")
        rows.append(array.astype(np.int64))
    return rows
