"""snnlab against Brian2 where Brian2 does the work itself: its own connection rules, its own
evaluation of the assignment's current formulas, its own integrator per population.

``test_brian2_crosscheck.py`` feeds Brian2 snnlab's connectivity (``Result.connections()``)
and the currents snnlab recorded, so it checks the dynamics but neither the connection
rules nor the evaluation of the user's callables. Here:

* **Connectivity**: Brian2 draws with ``Synapses.connect`` (``p=``, and its generator syntax
  ``j='... for k in sample(N_post - 1, size=K)'`` / ``i='...'`` for fixed out- and in-degree),
  snnlab with its rules, each from its own seed. What a rule fixes is compared exactly
  (every source has K targets, no autapses, no multapses); what it draws is compared by a
  chi-square test of the two degree histograms (significance level ``ALPHA``, fixed seeds,
  so the outcome is deterministic); ``test_the_degree_comparison_notices_a_different_p``
  shows the test rejects a 10 % larger p. A recurrent network built each side with its own
  draws must fire at the same mean rate, within ``RATE_TOLERANCE``, over several seeds.
* **Currents**: Brian2 computes the assignment's formulas from its own expression strings
  (``sin(t/(8*ms)) + 0.3``) while snnlab calls the Python callables
  (``lambda t: math.sin(t/8) + 0.3``): the same currents to 1e-12 nA and the same spikes.
* **Mixed networks**: one population integrated exactly, another by forward Euler with a
  floor, different parameters, connected both ways with delays: Brian2 integrates each
  ``NeuronGroup`` with its own ``method``; spike for spike.

The Brian2 model is built here (one ``NeuronGroup`` per population, each with its own
method and parameters; ``brian2_models.py`` makes one group with one method), with the
step mapping of ``brian2_models.py`` and docs/validation.md: input into an accumulator
applied after the reset, Brian2 delay ``(d - 1) dt``, Brian2 refractory ``(R + 1) dt``, input
accepted from ``timestep(t - lastspike) >= R``. Refractory periods here are whole steps, so
no rounding rule is involved.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

import snnlab as sl

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("brian2") is None, reason="Brian2 is not installed"),
    # pyparsing 3.3 deprecates the camelCase names Brian2 2.9 still parses its equations with
    pytest.mark.filterwarnings(r"ignore:'\w+' deprecated - use '\w+':DeprecationWarning"),
    pytest.mark.filterwarnings(r"ignore:'\w+' argument is deprecated, use '\w+':DeprecationWarning"),
]

DT = 0.1
#: significance level of each chi-square comparison of degree histograms
ALPHA = 1e-3
#: largest relative difference of the mean rates (over seeds) of independently drawn networks
RATE_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def b2(tmp_path_factory):
    """The brian2 module, configured by brian2_models.load (runtime mode, numpy target; its log
    and caches in a temporary directory)."""
    import brian2_models

    brian2 = brian2_models.load(tmp_path_factory.mktemp("brian2_independent"))
    # the groups that only draw synapses (brian2_synapses) are never run, on purpose: Brian2
    # would log a warning for each when it is garbage-collected
    brian2.BrianLogger.suppress_name("unused_brian_object")
    return brian2


# -- statistics ------------------------------------------------------------------------------------

def chi2_same_distribution(a, b, min_count: int = 10) -> tuple[float, int, float]:
    """Chi-square test that two samples of whole numbers (degrees) come from one distribution.

    The 2 x B contingency table of their histograms, with neighbouring values pooled until each
    bin holds at least ``min_count`` of the two samples together (so that every expected count
    is about 5 or more with equal sample sizes). Returns (chi2, degrees of freedom, p-value);
    the p-value is the regularised upper incomplete gamma function (mpmath).
    """
    import mpmath

    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    lo = min(a.min(), b.min())
    size = max(a.max(), b.max()) - lo + 1
    ha, hb = np.bincount(a - lo, minlength=size), np.bincount(b - lo, minlength=size)
    bins, start, total = [], 0, 0
    for x in range(size):
        total += ha[x] + hb[x]
        if total >= min_count:
            bins.append((start, x + 1))
            start, total = x + 1, 0
    if total:  # a short last bin joins the one before it
        bins[-1] = (bins[-1][0], size)
    table = np.array([[h[s:e].sum() for s, e in bins] for h in (ha, hb)], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    chi2 = float(np.sum((table - expected) ** 2 / expected))
    df = len(bins) - 1
    p = float(mpmath.gammainc(df / 2, chi2 / 2, mpmath.inf, regularized=True)) if df else 1.0
    return chi2, df, p


def assert_same_distribution(a, b, what: str):
    chi2, df, p = chi2_same_distribution(a, b)
    assert df >= 3, f"{what}: too few bins ({df + 1}) for a test"
    assert p > ALPHA, f"{what}: chi2 = {chi2:.1f} with {df} degrees of freedom, p = {p:.2g} < {ALPHA}"


def snnlab_synapses(net: sl.Network) -> dict:
    """The synapses snnlab draws for ``net`` (network-wide indices), from a one-step run."""
    return net.run(DT, record=None).connections()


def brian2_synapses(b2, n_pre: int, n_post: int, connects, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The synapses Brian2 draws: ``connects`` is a list of (source slice, connect keywords), each
    made by one Synapses object from that slice of one group of ``n_pre`` onto one of ``n_post``
    (the same group if ``n_post`` is None). Returns network-wide (i, j)."""
    b2.start_scope()
    b2.seed(seed)
    pre = b2.NeuronGroup(n_pre, "v : 1", name="pre")
    post = pre if n_post is None else b2.NeuronGroup(n_post, "v : 1", name="post")
    i_all, j_all = [], []
    for k, (sources, kwargs) in enumerate(connects):
        syn = b2.Synapses(pre[sources], post, name=f"synapses_{k}")
        syn.connect(**kwargs)
        i_all.append(np.asarray(syn.i, dtype=np.int64) + (sources.start or 0))
        j_all.append(np.asarray(syn.j, dtype=np.int64))
    return np.concatenate(i_all), np.concatenate(j_all)


def assert_simple(pre, post, what: str):
    """No autapses and no multapses (both simulators' default in a recurrent group)."""
    assert not np.any(pre == post), f"{what}: autapses"
    assert np.unique(pre * (post.max() + 1) + post).size == pre.size, f"{what}: multapses"


# -- connectivity: each simulator draws with its own rules -------------------------------------

N = 1000


def test_fixed_probability_degrees_match_brian2s_connect_p(b2):
    """snnlab's rule="fixed_probability" and Brian2's connect(p=..., condition="i != j"): both
    in- and out-degrees are Binomial(N - 1, p); the histograms must not differ significantly."""
    p = 0.1
    net = sl.Network(dt=DT, seed=1)
    pop = net.add_population("P", N)
    net.connect(pop, pop, rule="fixed_probability", p=p)
    ours = snnlab_synapses(net)
    i, j = brian2_synapses(b2, N, None, [(slice(0, N), {"p": p, "condition": "i != j"})], seed=1)
    for pre, post, who in ((ours["pre"], ours["post"], "snnlab"), (i, j, "Brian2")):
        assert_simple(pre, post, who)
        # the total is Binomial(N (N - 1), p): within 5 standard deviations
        assert abs(pre.size - p * N * (N - 1)) < 5 * math.sqrt(N * (N - 1) * p * (1 - p)), who
    assert_same_distribution(np.bincount(ours["pre"], minlength=N), np.bincount(i, minlength=N), "out-degree")
    assert_same_distribution(np.bincount(ours["post"], minlength=N), np.bincount(j, minlength=N), "in-degree")


def test_the_degree_comparison_notices_a_different_p(b2):
    """The chi-square comparison has power: p = 0.1 against p = 0.11 is rejected, far below ALPHA."""
    net = sl.Network(dt=DT, seed=1)
    pop = net.add_population("P", N)
    net.connect(pop, pop, rule="fixed_probability", p=0.1)
    ours = snnlab_synapses(net)
    _, j = brian2_synapses(b2, N, None, [(slice(0, N), {"p": 0.11, "condition": "i != j"})], seed=1)
    _, _, p_value = chi2_same_distribution(np.bincount(ours["post"], minlength=N), np.bincount(j, minlength=N))
    assert p_value < 1e-6


def test_fixed_outdegree_matches_brian2s_sample_without_replacement(b2):
    """snnlab's rule="fixed_outdegree" and Brian2's j='k + int(k >= i) for k in sample(N_post - 1,
    size=K)' (K distinct targets among the N - 1 other neurons): every source has exactly K
    targets; the in-degree histograms must not differ significantly."""
    k = 50
    net = sl.Network(dt=DT, seed=2)
    pop = net.add_population("P", N)
    net.connect(pop, pop, rule="fixed_outdegree", k=k)
    ours = snnlab_synapses(net)
    gen = {"j": "k + int(k >= i) for k in sample(N_post - 1, size=K)", "namespace": {"K": k}}
    i, j = brian2_synapses(b2, N, None, [(slice(0, N), gen)], seed=2)
    for pre, post, who in ((ours["pre"], ours["post"], "snnlab"), (i, j, "Brian2")):
        assert_simple(pre, post, who)
        np.testing.assert_array_equal(np.bincount(pre, minlength=N), k, err_msg=who)
    assert_same_distribution(np.bincount(ours["post"], minlength=N), np.bincount(j, minlength=N), "in-degree")


def test_fixed_indegree_matches_brian2s_sample_over_sources(b2):
    """snnlab's rule="fixed_indegree" between two populations and Brian2's i='k for k in
    sample(N_pre, size=K)' (K distinct sources for each target): every target has exactly K
    sources; the out-degree histograms must not differ significantly."""
    k, n_pre, n_post = 40, 800, 600
    net = sl.Network(dt=DT, seed=3)
    a = net.add_population("A", n_pre)
    b = net.add_population("B", n_post)
    net.connect(a, b, rule="fixed_indegree", k=k)
    ours = snnlab_synapses(net)
    pre, post = ours["pre"], ours["post"] - n_pre
    gen = {"i": "k for k in sample(N_pre, size=K)", "namespace": {"K": k}}
    i, j = brian2_synapses(b2, n_pre, n_post, [(slice(0, n_pre), gen)], seed=3)
    for p_, q_, who in ((pre, post, "snnlab"), (i, j, "Brian2")):
        assert np.unique(p_ * n_post + q_).size == p_.size, f"{who}: multapses"
        np.testing.assert_array_equal(np.bincount(q_, minlength=n_post), k, err_msg=who)
    assert_same_distribution(np.bincount(pre, minlength=n_pre), np.bincount(i, minlength=n_pre), "out-degree")


def test_report_mixed_population_rule_matches_brian2(b2):
    """The report's rule (add_mixed_population): each neuron projects to ceil(N p) random targets
    among the other N - 1, p by the source's kind. In Brian2, one Synapses object per kind,
    from a slice of the group: j='k + int(k >= i + offset) for k in sample(N_post - 1, size=K)'.
    Exact out-degrees per kind; the in-degrees received from each kind must not differ."""
    n_exc, n_inh, p_exc, p_inh = 800, 200, 0.05, 0.1
    k_exc, k_inh = math.ceil(N * p_exc), math.ceil(N * p_inh)
    net = sl.Network(dt=DT, seed=4)
    net.add_mixed_population("G", n_exc=n_exc, n_inh=n_inh, p_exc=p_exc, p_inh=p_inh)
    ours = snnlab_synapses(net)
    gen = "k + int(k >= i + offset) for k in sample(N_post - 1, size=K)"
    i, j = brian2_synapses(b2, N, None, [
        (slice(0, n_exc), {"j": gen, "namespace": {"K": k_exc, "offset": 0}}),
        (slice(n_exc, N), {"j": gen, "namespace": {"K": k_inh, "offset": n_exc}}),
    ], seed=4)
    expected_out = np.r_[np.full(n_exc, k_exc), np.full(n_inh, k_inh)]
    for pre, post, who in ((ours["pre"], ours["post"], "snnlab"), (i, j, "Brian2")):
        assert_simple(pre, post, who)
        np.testing.assert_array_equal(np.bincount(pre, minlength=N), expected_out, err_msg=who)
    for kind, from_kind_ours, from_kind_b2 in (("excitatory", ours["pre"] < n_exc, i < n_exc),
                                               ("inhibitory", ours["pre"] >= n_exc, i >= n_exc)):
        assert_same_distribution(np.bincount(ours["post"][from_kind_ours], minlength=N),
                                 np.bincount(j[from_kind_b2], minlength=N), f"in-degree from {kind} sources")


# -- a Brian2 network with one NeuronGroup per population ---------------------------------------

@dataclass
class B2Population:
    """One snnlab population as a Brian2 NeuronGroup: its model, and its current either as a
    Brian2 expression in ``t`` and ``i`` (plain numbers in nA, evaluated by Brian2 at the start
    of every step) or as constant values (nA)."""

    label: str
    n: int
    model: sl.LIF
    current: str | float | np.ndarray = 0.0


@dataclass
class B2Projection:
    """Synapses from population ``pre`` onto ``post``: ``connect`` holds Brian2's
    ``Synapses.connect`` keywords (its own rule, or explicit ``i``, ``j``); ``weight`` is signed
    (mV), ``delay_steps`` snnlab's whole steps (>= 1)."""

    pre: str
    post: str
    connect: dict
    weight: float | np.ndarray
    delay_steps: int | np.ndarray


@dataclass
class B2Run:
    spikes: dict  # label -> (steps, neurons), sorted by step then neuron
    v: dict = field(default_factory=dict)  # label -> (steps, n) u(t_k), where snnlab records it
    current: dict = field(default_factory=dict)  # label -> (steps, n) I(t_k)
    synapses: dict = field(default_factory=dict)  # projection index -> (i, j) drawn by Brian2


def brian2_network(b2, pops, projections=(), *, steps: int, seed: int = 0, record: bool = False) -> B2Run:
    """Simulate in Brian2, one NeuronGroup per population with its own method, what snnlab
    simulates (the mapping is in the module docstring and brian2_models.py)."""
    b2.start_scope()
    b2.seed(seed)
    ms = b2.ms
    groups, objects = {}, []
    for pop in pops:
        m = pop.model
        ref_steps = round(m.refractory / DT)
        assert math.isclose(ref_steps * DT, m.refractory), "whole-step refractory periods only"
        namespace = {"u_rest": m.u_rest, "R_m": m.R, "tau": m.tau_m * ms, "theta": m.threshold,
                     "u_reset": m.u_reset, "ref_steps": ref_steps,
                     "u_floor": -np.inf if m.floor is None else m.floor}
        g = b2.NeuronGroup(pop.n, "dv/dt = (u_rest - v + R_m*I)/tau : 1 (unless refractory)\nI : 1\ninbuf : 1",
                           threshold="v >= theta", reset="v = u_reset", refractory=(ref_steps + 1) * DT * ms,
                           events={"step_end": "True"}, method=m.method, dt=DT * ms, namespace=namespace,
                           name=pop.label)
        g.v = m.u_init
        if isinstance(pop.current, str):
            # before the monitors (order 0) and the integration of this step: I(t_k) over step k
            g.run_regularly(f"I = {pop.current}", when="start", order=-1, name=f"{pop.label}_current")
        else:
            g.I = pop.current
        accepted = "inbuf * int(timestep(t - lastspike, dt) >= ref_steps)"
        if m.floor is None:
            deliver = f"v += {accepted}"
        else:
            deliver = f"v = clip(v + {accepted}, u_floor, inf)"
            g.run_regularly("v = clip(v, u_floor, inf)", when="after_groups", name=f"{pop.label}_floor")
        g.run_on_event("step_end", deliver + "\ninbuf = 0", when="after_resets")
        groups[pop.label] = g
        objects.append(g)
    syns = []
    for k, proj in enumerate(projections):
        syn = b2.Synapses(groups[proj.pre], groups[proj.post], "w : 1", on_pre="inbuf_post += w", dt=DT * ms,
                          name=f"synapses_{k}")
        syn.connect(**proj.connect)
        syn.w = proj.weight
        syn.delay = (np.asarray(proj.delay_steps) - 1) * DT * ms
        syns.append(syn)
    objects += syns
    monitors = {pop.label: b2.SpikeMonitor(groups[pop.label], name=f"{pop.label}_spikes") for pop in pops}
    objects += monitors.values()
    states = {}
    if record:
        states = {pop.label: b2.StateMonitor(groups[pop.label], ["v", "I"], record=True, when="start",
                                             name=f"{pop.label}_state") for pop in pops}
        objects += states.values()
    b2.Network(objects).run(steps * DT * ms, namespace={})
    out = B2Run({})
    for label, mon in monitors.items():
        s = np.rint(np.asarray(mon.t / ms) / DT).astype(np.int64)
        i = np.asarray(mon.i, dtype=np.int64)
        order = np.lexsort((i, s))
        out.spikes[label] = (s[order], i[order])
    for label, mon in states.items():
        out.v[label] = np.asarray(mon.v).T.copy()
        out.current[label] = np.asarray(mon.I).T.copy()
    out.synapses = {k: (np.asarray(s.i, dtype=np.int64), np.asarray(s.j, dtype=np.int64)) for k, s in enumerate(syns)}
    return out


def snnlab_spikes(res: sl.Result, label: str) -> tuple[np.ndarray, np.ndarray]:
    steps, neurons = (np.asarray(a) for a in res.spike_steps(label))
    order = np.lexsort((neurons, steps))
    return steps[order], neurons[order]


def assert_same_spikes(res: sl.Result, theirs: B2Run):
    """Identical spike trains, population by population; on failure, the first difference and
    the potentials both recorded at its step."""
    for label in res.labels:
        ours = snnlab_spikes(res, label)
        if np.array_equal(ours[0], theirs.spikes[label][0]) and np.array_equal(ours[1], theirs.spikes[label][1]):
            continue
        a, b = set(zip(*(x.tolist() for x in ours))), set(zip(*(x.tolist() for x in theirs.spikes[label])))
        step, neuron = min(a ^ b)
        detail = ""
        if label in theirs.v:
            detail = (f"; u(t_k) = {res.potential(label)[step, neuron]!r} in snnlab, "
                      f"{theirs.v[label][step, neuron]!r} in Brian2")
        raise AssertionError(f"{label}: first difference at step {step}, neuron {neuron}, spiked only in "
                             f"{'snnlab' if (step, neuron) in a else 'Brian2'}{detail}")


def population_of(res: sl.Result, label: str, current) -> B2Population:
    return B2Population(label, res.size(label), res.model(label), current)


# -- the rates of a recurrent network, each simulator drawing its own synapses ----------------------

#: rule -> (snnlab's connect keywords from E and from I, Brian2's connect keywords for a projection
#: within one population and between two, weights E and I in mV, seeds, tolerance on the mean rate)
RATE_CASES = {
    # in-degrees Binomial: one realisation's rate varies by 3 % (sd over 20 seeds), so 6 seeds
    "fixed_probability": (
        {"p": 0.1}, {"p": 0.1},
        {"p": 0.1, "condition": "i != j"}, {"p": 0.1},
        0.02, 0.08, [1, 2, 3, 4, 5, 6], 0.05),
    # in-degrees fixed: the rate varies by 0.8 % over seeds; 10 % more synapses raise it by 12 %
    "fixed_indegree": (
        {"k": 32}, {"k": 8},
        {"i": "k + int(k >= j) for k in sample(N_pre - 1, size=K)"}, {"i": "k for k in sample(N_pre, size=K)"},
        0.05, 0.2, [1, 2, 3, 4], 0.03),
}


def recurrent_network(seed, base, model, rule, kw_e, kw_i, w_e, w_i) -> sl.Network:
    net = sl.Network(dt=DT, seed=seed)
    e = net.add_population("E", 320, current=base[:320], model=model)
    i = net.add_population("I", 80, "inhibitory", current=base[320:], model=model)
    if rule is not None:
        net.connect(e, [e, i], rule=rule, weight=w_e, delay=1.5, **kw_e)
        net.connect(i, [e, i], rule=rule, weight=w_i, delay=1.5, **kw_i)
    return net


def network_rate(spike_count: int, steps: int) -> float:
    return spike_count / 400 / (steps * DT / 1000.0)


@pytest.mark.parametrize("rule", list(RATE_CASES))
def test_recurrent_network_rates_agree_with_independently_drawn_synapses(b2, rule):
    """320 E + 80 I neurons, connected by each simulator's own draw of ``rule`` (no autapses),
    constant currents (the same per-neuron values in both), delay 1.5 ms, refractory 2 ms,
    200 ms. A realisation's rate depends on its synapses, so the mean rates over several seeds
    are compared, within the stated tolerance (docs/validation.md gives the figures); the
    coupling moves the rate by far more than that tolerance, so a lost or doubled projection
    would show."""
    kw_e, kw_i, within, between, w_e, w_i, seeds, tolerance = RATE_CASES[rule]
    steps = 2000
    model = sl.LIF(refractory=2.0)
    base = np.random.default_rng(0).uniform(0.9, 1.5, 400)
    uncoupled = recurrent_network(0, base, model, None, kw_e, kw_i, w_e, w_i).run(steps * DT, record=None)
    rate_uncoupled = network_rate(uncoupled.spikes()[0].size, steps)
    rates = {"snnlab": [], "Brian2": []}
    for seed in seeds:
        res = recurrent_network(seed, base, model, rule, kw_e, kw_i, w_e, w_i).run(steps * DT, record=None)
        rates["snnlab"].append(network_rate(res.spikes()[0].size, steps))
        pops = [population_of(res, "E", base[:320]), population_of(res, "I", base[320:])]
        projections = []
        for pre, weight, kw in (("E", w_e, kw_e), ("I", -w_i, kw_i)):
            for post in ("E", "I"):
                connect = dict(within if pre == post else between)
                if "k" in kw:
                    connect["namespace"] = {"K": kw["k"]}
                projections.append(B2Projection(pre, post, connect, weight, 15))
        theirs = brian2_network(b2, pops, projections, steps=steps, seed=seed)
        rates["Brian2"].append(network_rate(sum(s[0].size for s in theirs.spikes.values()), steps))
        if "k" in kw_e:  # what the rule fixes, Brian2 fixes too
            for k, (pre, post) in enumerate([(a, b) for a in "EI" for b in "EI"]):
                n_post = 320 if post == "E" else 80
                k_expected = kw_e["k"] if pre == "E" else kw_i["k"]
                np.testing.assert_array_equal(np.bincount(theirs.synapses[k][1], minlength=n_post), k_expected)
    ours, theirs = np.mean(rates["snnlab"]), np.mean(rates["Brian2"])
    assert not np.allclose(rates["snnlab"], rates["Brian2"], rtol=1e-9), rates  # independent draws
    assert abs(ours - theirs) <= tolerance * theirs, rates
    assert abs(ours - rate_uncoupled) > 3 * tolerance * rate_uncoupled, (rate_uncoupled, rates)


# -- the assignment's currents, evaluated by Brian2 from its own expressions -----------------------

#: (snnlab callable of t in ms, the same formula as a Brian2 expression of t in seconds), in nA
REPORT_CURRENTS = {
    "E": [
        (lambda t: 4, "4"),  # example 1
        (lambda t: 3, "3"),
        (lambda t: 4 * (math.sin(t / 5) + 0.3), "4*(sin(t/(5*ms)) + 0.3)"),  # example 2
        (lambda t: math.sin(t / 8) + 0.3, "sin(t/(8*ms)) + 0.3"),  # the population's current
        (lambda t: np.sin(t / 8) + 0.3 + 0.5, "sin(t/(8*ms)) + 0.3 + 0.5"),  # numpy, vectorised
        (lambda t: 2.0 if 20.05 <= t < 60.05 else 0.5,  # a step, with an if (one call per step)
         "0.5 + 1.5*int(t >= 20.05*ms and t < 60.05*ms)"),
        (lambda t: 0.4 + 1.6 * np.clip((t - 10.0) / 80.0, 0.0, 1.0),  # a ramp from 10 to 90 ms
         "0.4 + 1.6*clip((t - 10*ms)/(80*ms), 0, 1)"),
        (lambda t: 3 * math.cos(t / 24), "3*cos(t/(24*ms))"),
    ],
    "I": [
        (lambda t: 10, "10"),  # example 2's inhibitory neuron
        (lambda t: math.sin(t / 8) + 0.3, "sin(t/(8*ms)) + 0.3"),  # example 3
        (lambda t: 3 * (np.sin(t / 8) + 0.3), "3*(sin(t/(8*ms)) + 0.3)"),  # example 3, tripled
        (lambda t: 3 * np.cos(t / 24), "3*cos(t/(24*ms))"),
    ],
}


def by_index(expressions: list[str]) -> str:
    """One Brian2 expression giving neuron i the i-th formula (a sum of the formula times
    ``int(i == k)``: exact, as adding 0.0 and multiplying by 1.0 are)."""
    return " + ".join(f"int(i == {k})*({e})" for k, e in enumerate(expressions))


REPORT_MODELS = {"exact, refractory 1 ms": sl.LIF(refractory=1.0),
                 "report (euler, floor)": sl.LIF.assignment()}


@pytest.mark.parametrize("model", list(REPORT_MODELS))
def test_report_currents_evaluated_by_brian2_give_the_same_spikes(b2, model):
    """The assignment's current formulas: snnlab calls the Python callables, Brian2 evaluates its
    own expression strings at the start of every step. All-to-all connections (Brian2's
    connect(condition="i != j") and connect()), weights 0.125 / 0.0625 mV (weak enough that the
    currents, not the volleys, set the spike times), delays 2 / 1 ms, 200 ms."""
    lif = REPORT_MODELS[model]
    steps = 2000
    net = sl.Network(dt=DT, seed=0)
    for label, kind in (("E", "excitatory"), ("I", "inhibitory")):
        net.add_population(label, len(REPORT_CURRENTS[label]), kind, model=lif,
                           current=[f for f, _ in REPORT_CURRENTS[label]])
    net.connect("E", ["E", "I"], weight=0.125, delay=2.0)
    net.connect("I", ["E", "I"], weight=0.0625, delay=1.0)
    res = net.run(steps * DT, record="all")
    pops = [population_of(res, label, by_index([e for _, e in REPORT_CURRENTS[label]])) for label in ("E", "I")]
    weights, delays = {"E": 0.125, "I": -0.0625}, {"E": 20, "I": 10}
    projections = [B2Projection(a, b, {"condition": "i != j"} if a == b else {}, weights[a], delays[a])
                   for a in ("E", "I") for b in ("E", "I")]
    theirs = brian2_network(b2, pops, projections, steps=steps, record=True)
    for label in ("E", "I"):
        np.testing.assert_allclose(res.current(label), theirs.current[label], rtol=0, atol=1e-12, err_msg=label)
    np.testing.assert_allclose(res.current("E")[[200, 201], 5], [0.5, 2.0])  # the step's edge, at 20.05 ms
    assert res.connections()["pre"].size == sum(s[0].size for s in theirs.synapses.values()) == 11 * 12
    assert_same_spikes(res, theirs)
    for label in ("E", "I"):
        np.testing.assert_allclose(res.potential(label), theirs.v[label], rtol=0, atol=1e-9, err_msg=label)
    for label in ("E", "I"):  # every neuron fires, so every formula decides spike times
        assert np.all(res.spike_count(label) >= 5), (label, res.spike_count(label))


# -- one population exact, another Euler, connected both ways ------------------------------------

def test_mixed_exact_and_euler_populations_give_the_same_spikes(b2):
    """A: exact, tau 10 ms, threshold 1 mV, reset 0, refractory 2 ms, R 1 MΩ, excitatory.
    B: forward Euler with a floor, tau 8 ms (R 2 MΩ, C 4 nF), rest 0.2 mV, threshold 1.5 mV,
    reset -0.3 mV, refractory 1 ms, floor -0.5 mV, inhibitory. A -> A, A -> B, B -> A, B -> B
    with per-synapse weights (multiples of 1/8 mV) and delays of 1..20 steps; 300 ms. Brian2 gets
    snnlab's synapses and integrates each group with its own method."""
    rng = np.random.default_rng(12)
    n_a, n_b, steps = 60, 40, 3000
    model_a = sl.LIF(refractory=2.0)
    model_b = sl.LIF(method="euler", u_rest=0.2, threshold=1.5, R=2.0, C=4.0, u_reset=-0.3, refractory=1.0,
                     floor=-0.5)
    current_a, current_b = rng.uniform(1.0, 2.0, n_a), rng.uniform(0.5, 1.2, n_b)
    net = sl.Network(dt=DT, seed=12)
    a = net.add_population("A", n_a, current=current_a, model=model_a)
    b = net.add_population("B", n_b, "inhibitory", current=current_b, model=model_b)
    for pre, post, p, largest in ((a, a, 0.1, 5), (a, b, 0.2, 5), (b, a, 0.25, 2), (b, b, 0.2, 5)):
        # (n_pre, n_post) matrices: weights in multiples of 1/8 mV, so that any order of summing
        # arriving input is exact; delays of 1..20 steps
        shape = (pre.n, post.n)
        net.connect(pre, post, rule="fixed_probability", p=p, weight=rng.integers(1, largest + 1, shape) / 8,
                    delay=rng.integers(1, 21, shape) * DT)
    res = net.run(steps * DT, record="all")
    pops = [population_of(res, "A", current_a), population_of(res, "B", current_b)]
    projections = []
    for pre, post in (("A", "A"), ("A", "B"), ("B", "A"), ("B", "B")):
        c = res.connections(pre, post)
        assert np.unique(c["delay"]).size == 20 and np.unique(c["weight"]).size > 1
        projections.append(B2Projection(pre, post, {"i": np.asarray(c["pre"]), "j": np.asarray(c["post"])},
                                        np.asarray(c["weight"]), np.rint(np.asarray(c["delay"]) / DT).astype(np.int64)))
    theirs = brian2_network(b2, pops, projections, steps=steps, record=True)
    assert_same_spikes(res, theirs)
    for label in ("A", "B"):
        np.testing.assert_allclose(res.potential(label), theirs.v[label], rtol=0, atol=1e-9, err_msg=label)
    assert res.spike_steps("A")[0].size > 500 and res.spike_steps("B")[0].size > 500
    assert np.sum(res.potential("B") == -0.5) > 100  # the floor is reached, so it is checked
    # the comparison notices when Brian2 integrates B with A's method: each group's own counts
    pops[1] = population_of(res, "B", current_b)
    pops[1].model = model_b.replace(method="exact")
    one_method = brian2_network(b2, pops, projections, steps=steps)
    with pytest.raises(AssertionError, match="first difference"):
        assert_same_spikes(res, one_method)
