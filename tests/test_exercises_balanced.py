"""Notebook 04's exercise checks: the reference solutions pass, stubs are "not done yet", and
plausible wrong solutions are each rejected with a message that names the failing case."""

import math

import numpy as np
import pytest
from exercise_contract import ExerciseContract, by_exercise

from snnlab import analysis
from snnlab.exercises import balanced as check
from snnlab.experiments import balanced as ex


# -- reference solutions (the notebook's) -----------------------------------------------------------------
def cv_isi(spike_times, spike_neurons, n_neurons):
    times = np.asarray(spike_times, dtype=float)
    neurons = np.asarray(spike_neurons)
    cv = np.full(n_neurons, np.nan)
    for i in range(n_neurons):
        intervals = np.diff(np.sort(times[neurons == i]))
        if intervals.size >= 2:
            cv[i] = intervals.std() / intervals.mean()
    return cv


def modulation(spike_times, start, stop, bin=1.0):
    times = np.asarray(spike_times, dtype=float)
    n_bins = int((stop - start) // bin)
    index = np.floor((times - start) / bin).astype(int)
    counts = np.bincount(index[(index >= 0) & (index < n_bins)], minlength=n_bins)
    mean = counts.mean()
    if mean == 0:
        return 0.0
    fano = counts.var(ddof=1) / mean
    return math.sqrt(max(fano - 1.0, 0.0) / mean)


def classify_state(rate, cv, modulation, peak_frequency, peak_fraction):
    if rate < 1.0:
        return "quiescent"
    regular = math.isnan(cv) or cv < 0.3
    if regular and modulation >= 0.5 and peak_frequency <= 1.5 * rate:
        return "SR"
    if modulation >= 0.85 and peak_frequency < 100.0:
        return "SI-slow"
    if not regular and peak_fraction >= 0.6 and peak_frequency >= 100.0:
        return "SI-fast"
    return "AR" if regular else "AI"


def measure_state(result, start=100.0):
    times, neurons = result.spikes("E")
    after = times >= start
    n = result.size("E")
    rate = np.count_nonzero(after) / n / ((result.duration - start) / 1000.0)
    cvs = cv_isi(times[after], neurons[after], n)
    cvs = cvs[~np.isnan(cvs)]
    cv = cvs.mean() if cvs.size else math.nan
    return rate, cv, modulation(times[after], start, result.duration)


REFERENCE = {"cv_isi": cv_isi, "modulation": modulation, "classify_state": classify_state,
             "measure_state": measure_state}


# -- plausible wrong solutions ------------------------------------------------------------------------------
def _intervals(times, neurons, i):
    return np.diff(np.sort(np.asarray(times, dtype=float)[np.asarray(neurons) == i]))


def cv_pooled(spike_times, spike_neurons, n_neurons):
    """The CV of the merged train of all neurons, given to every measurable neuron."""
    merged = np.diff(np.sort(np.asarray(spike_times, dtype=float)))
    pooled = merged.std() / merged.mean() if merged.size > 1 else np.nan
    counts = np.bincount(np.asarray(spike_neurons, dtype=int), minlength=n_neurons)
    return np.where(counts >= 3, pooled, np.nan)


def cv_of_times(spike_times, spike_neurons, n_neurons):
    out = np.full(n_neurons, np.nan)
    for i in range(n_neurons):
        t = np.asarray(spike_times, dtype=float)[np.asarray(spike_neurons) == i]
        if t.size >= 3:
            out[i] = t.std() / t.mean()
    return out


def cv_sample_std(spike_times, spike_neurons, n_neurons):
    out = np.full(n_neurons, np.nan)
    for i in range(n_neurons):
        d = _intervals(spike_times, spike_neurons, i)
        if d.size >= 2:
            out[i] = d.std(ddof=1) / d.mean()
    return out


def cv_few_spikes_zero(spike_times, spike_neurons, n_neurons):
    out = np.zeros(n_neurons)
    for i in range(n_neurons):
        d = _intervals(spike_times, spike_neurons, i)
        if d.size >= 2:
            out[i] = d.std() / d.mean()
    return out


def cv_unsorted(spike_times, spike_neurons, n_neurons):
    out = np.full(n_neurons, np.nan)
    for i in range(n_neurons):
        d = np.diff(np.asarray(spike_times, dtype=float)[np.asarray(spike_neurons) == i])
        if d.size >= 2:
            out[i] = d.std() / d.mean()
    return out


def cv_two_spikes_enough(spike_times, spike_neurons, n_neurons):
    out = np.full(n_neurons, np.nan)
    for i in range(n_neurons):
        d = _intervals(spike_times, spike_neurons, i)
        if d.size >= 1:
            out[i] = d.std() / d.mean()
    return out


def cv_mean_only(spike_times, spike_neurons, n_neurons):
    return float(np.nanmean(cv_isi(spike_times, spike_neurons, n_neurons)))


def cv_bincount_no_minlength(spike_times, spike_neurons, n_neurons):
    """Vectorised, but sized by the highest neuron that fired, not by n_neurons."""
    times = np.asarray(spike_times, dtype=float)
    neurons = np.asarray(spike_neurons, dtype=int)
    order = np.lexsort((times, neurons))
    times, neurons = times[order], neurons[order]
    same = neurons[1:] == neurons[:-1]
    d, who = np.diff(times)[same], neurons[1:][same]
    k = np.bincount(who).astype(float)
    if k.size == 0:
        return np.full(n_neurons, np.nan)
    mean = np.bincount(who, weights=d) / np.maximum(k, 1)
    var = np.bincount(who, weights=(d - mean[who]) ** 2) / np.maximum(k, 1)
    return np.where(k >= 2, np.sqrt(var) / np.where(k > 0, mean, 1), np.nan)


def _counts(spike_times, start, stop, bin, *, whole=True, from_zero=False, after=False):
    times = np.asarray(spike_times, dtype=float)
    origin = 0.0 if from_zero else start
    span = (stop - origin) / bin
    n_bins = int(span // 1) if whole else math.ceil(span)
    index = np.floor((times - origin) / bin).astype(int)
    keep = (index >= 0) & (index < n_bins)
    if after:
        keep &= times > start
    return np.bincount(index[keep], minlength=n_bins).astype(float)


def _excess(counts, ddof=1):
    mean = counts.mean()
    if mean == 0:
        return 0.0
    return math.sqrt(max(counts.var(ddof=ddof) / mean - 1.0, 0.0) / mean)


def modulation_no_minus_one(spike_times, start, stop, bin=1.0):
    counts = _counts(spike_times, start, stop, bin)
    return counts.std(ddof=1) / counts.mean() if counts.mean() else 0.0


def modulation_ddof0(spike_times, start, stop, bin=1.0):
    return _excess(_counts(spike_times, start, stop, bin), ddof=0)


def modulation_from_zero(spike_times, start, stop, bin=1.0):
    return _excess(_counts(spike_times, start, stop, bin, from_zero=True))


def modulation_partial_bin(spike_times, start, stop, bin=1.0):
    return _excess(_counts(spike_times, start, stop, bin, whole=False))


def modulation_not_clipped(spike_times, start, stop, bin=1.0):
    counts = _counts(spike_times, start, stop, bin)
    mean = counts.mean()
    return math.sqrt((counts.var(ddof=1) / mean - 1.0) / mean) if mean else 0.0


def modulation_rates(spike_times, start, stop, bin=1.0):
    """The population rate (spikes per second) in place of the counts."""
    return _excess(_counts(spike_times, start, stop, bin) * 1000.0 / bin)


def modulation_after_start(spike_times, start, stop, bin=1.0):
    return _excess(_counts(spike_times, start, stop, bin, after=True))


def modulation_fano(spike_times, start, stop, bin=1.0):
    counts = _counts(spike_times, start, stop, bin)
    return counts.var(ddof=1) / counts.mean() if counts.mean() else 0.0


def _rules(rate, cv, mod, peak, fraction, *, sync=0.5, slow=0.85, irregular=lambda cv: cv >= 0.3,
           quiet=lambda rate: rate < 1.0, slow_first=False, strict=False, nan_regular=True):
    if quiet(rate):
        return "quiescent"
    regular = (nan_regular and math.isnan(cv)) or (not math.isnan(cv) and not irregular(cv))
    ge = (lambda a, b: a > b) if strict else (lambda a, b: a >= b)
    sr = regular and ge(mod, sync) and peak <= 1.5 * rate
    si_slow = ge(mod, slow) and peak < 100.0
    if slow_first and si_slow:
        return "SI-slow"
    if sr:
        return "SR"
    if si_slow:
        return "SI-slow"
    if not regular and ge(fraction, 0.6) and ge(peak, 100.0):
        return "SI-fast"
    return "AR" if regular else "AI"


def classify_swapped(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, sync=0.85, slow=0.5)


def classify_cv_inverted(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, irregular=lambda cv: cv < 0.3)


def classify_rate_per_ms(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, quiet=lambda rate: rate / 1000.0 < 1.0)


def classify_out_of_order(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, slow_first=True)


def classify_strict(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, strict=True)


def classify_nan_irregular(rate, cv, modulation, peak_frequency, peak_fraction):
    return _rules(rate, cv, modulation, peak_frequency, peak_fraction, nan_regular=False)


def classify_long_names(rate, cv, modulation, peak_frequency, peak_fraction):
    return ex.STATE_NAMES[classify_state(rate, cv, modulation, peak_frequency, peak_fraction)]


def _measure(result, start, *, label="E", per_ms=False, whole=False, pooled=False, nan_zero=False,
             mod_start=None, both=False):
    times, neurons = result.spikes(label)
    n = result.size(label)
    if both:
        t_i, n_i = result.spikes("I")
        times, neurons = np.concatenate([times, t_i]), np.concatenate([neurons, n_i + n])
        n_all = n + result.size("I")
    first = 0.0 if whole else start
    after = times >= first
    rate = np.count_nonzero(after) / n / ((result.duration - first) / 1000.0)
    if per_ms:
        rate /= 1000.0
    after = times >= start
    if pooled:
        merged = np.diff(np.sort(times[after]))
        cv = merged.std() / merged.mean() if merged.size > 1 else math.nan
    else:
        cvs = cv_isi(times[after], neurons[after], n_all if both else n)
        if nan_zero:
            cvs = np.nan_to_num(cvs)
        cvs = cvs[~np.isnan(cvs)]
        cv = cvs.mean() if cvs.size else math.nan
    m0 = start if mod_start is None else mod_start
    return rate, cv, modulation(times[times >= m0], m0, result.duration)


def measure_per_ms(result, start=100.0):
    return _measure(result, start, per_ms=True)


def measure_whole_run_rate(result, start=100.0):
    return _measure(result, start, whole=True)


def measure_pooled_cv(result, start=100.0):
    return _measure(result, start, pooled=True)


def measure_nan_as_zero(result, start=100.0):
    return _measure(result, start, nan_zero=True)


def measure_modulation_from_zero(result, start=100.0):
    return _measure(result, start, mod_start=0.0)


def measure_e_and_i(result, start=100.0):
    return _measure(result, start, both=True)


def measure_two_values(result, start=100.0):
    return _measure(result, start)[:2]


# (exercise, wrong solution, a regex the message must match: the failing case and what differs)
WRONG = [
    ("cv_isi", cv_pooled, r"case 'four neurons with 0, 1, 2 and 3 spikes'.*neuron 3 .*expected CV = 0\.272727, got "
                          r"0\.392232.*own intervals only"),
    ("cv_isi", cv_of_times, r"case 'one regular neuron.*expected CV = 0, got .*spike times themselves"),
    ("cv_isi", cv_sample_std, r"case 'one Poisson-like neuron.*expected CV = 1\.0.*ddof=1"),
    ("cv_isi", cv_few_spikes_zero, r"case 'four neurons with 0, 1, 2 and 3 spikes'.*neuron 0 \(no spikes\): "
                                   r"expected CV = NaN"),
    ("cv_isi", cv_unsorted, r"case 'three neurons, spikes in reverse time order'.*time order"),
    ("cv_isi", cv_two_spikes_enough, r"case 'four neurons.*neuron 2 \(spikes at \[20, 45\] ms\): expected CV = NaN"),
    ("cv_isi", cv_mean_only, r"cv_isi's result should have shape \(1\), got shape \(\) on case 'one regular"),
    ("cv_isi", cv_bincount_no_minlength, r"shape \(10\), got shape \(5,\) on case 'ten neurons, the last five silent'"),
    ("modulation", modulation_no_minus_one, r"case 'independent irregular neurons' .*expected modulation = 0, got "
                                            r".*counting noise"),
    ("modulation", modulation_ddof0, r"case 'volleys every 25 ms'.*sample variance \(ddof=1\)"),
    ("modulation", modulation_from_zero, r"case 'volleys every 25 ms'.*bins start at `start`, not at 0"),
    ("modulation", modulation_partial_bin, r"case 'a volley in the last, partial millisecond.*stop = 250\.5 ms"),
    ("modulation", modulation_not_clipped, r"raised ValueError: math domain error on case 'independent irregular"),
    ("modulation", modulation_rates, r"case 'independent irregular neurons'.*counts per bin, not rates"),
    ("modulation", modulation_after_start, r"case 'volleys every 25 ms'.*exactly at start counts"),
    ("modulation", modulation_fano, r"case 'independent irregular neurons'.*Fano factor F itself"),
    ("classify_state", classify_swapped, r"case example SR .*expected 'SR', got 'AR'"),
    ("classify_state", classify_cv_inverted, r"case example SR .*expected 'SR', got 'SI-fast'"),
    ("classify_state", classify_rate_per_ms, r"case example SR .*expected 'SR', got 'quiescent'.*in Hz"),
    # the map's g = 4, 0.9 nu_thr: regular neurons in slow volleys at their own rhythm
    ("classify_state", classify_out_of_order, r"case map g = 4, 0\.9 nu_thr:.*expected 'SR', got 'SI-slow'"),
    ("classify_state", classify_strict, r"case modulation exactly at the synchrony boundary.*exactly on a threshold"),
    ("classify_state", classify_nan_irregular, r"case CV not measurable \(NaN\), modulated.*expected 'SR'.*NaN.*"
                                               r"counts as regular"),
    ("classify_state", classify_long_names, r"should return one of 'SR', 'AR'.*got 'synchronous regular'"),
    ("measure_state", measure_per_ms, r"case 'AI-like.*expected rate = 29\.85 Hz, got 0\.02985 Hz.*in Hz"),
    ("measure_state", measure_whole_run_rate, r"case 'AI-like.*expected rate = 29\.85 Hz, got 29\.55 Hz.*at or "
                                              r"after start"),
    ("measure_state", measure_pooled_cv, r"case 'AI-like.*expected cv = 0\.76.*mean of your cv_isi"),
    ("measure_state", measure_nan_as_zero, r"case 'AI-like.*expected cv = 0\.766259, got 0\.72.*NaN left out"),
    ("measure_state", measure_modulation_from_zero, r"case 'AI-like.*expected modulation = 0\.085452"),
    ("measure_state", measure_e_and_i, r"case 'AI-like.*expected rate.*E only"),
    ("measure_state", measure_two_values, r"should have shape \(3\), got shape \(2,\) on case 'AI-like"),
]


def _run(name, function):
    return getattr(check, name)(function, quiet=True)


class TestEveryExercise(ExerciseContract):
    checks = check
    reference = REFERENCE
    wrong = by_exercise(WRONG)
    passed_says = "agree"


@pytest.mark.parametrize(("name", "wrong", "value"), [
    ("cv_isi", "cv_isi", [0.5, 0.5]),
    ("modulation", "modulation", np.zeros(3)),
    ("classify_state", "classify_state", 3),
    ("measure_state", "measure_state", "AI"),
])
def test_wrong_type_or_shape_gets_a_clear_message(name, wrong, value):
    verdict = _run(name, lambda *args, **kwargs: value)
    assert verdict.status == "failed"
    assert "should" in verdict.message and "got" in verdict.message
    assert "case" in verdict.message


# -- the checks' own references agree with snnlab -----------------------------------------------------------
def test_modulation_reference_is_measure_states():
    """The 4.2 reference (from snnlab.spike_synchrony) is measure_state's modulation for 1-ms bins."""
    for _name, n, steps, neurons, n_steps, start, bin in check._modulation_cases():
        if bin != 1.0 or (n_steps * check.DT - start) < 20.0:
            continue
        res = check.make_result({"E": n}, steps, neurons, n_steps)
        expected = ex.measure_state(res, start=start).modulation
        assert check._modulation_reference(n, steps, neurons, n_steps, start, bin) == pytest.approx(expected, abs=1e-12)


def test_cases_cover_the_edges_they_claim():
    cv_cases = {name: (n, steps, neurons) for name, n, steps, neurons in check._cv_cases()}
    regular = check._cv_reference(*cv_cases["one regular neuron (every 25 ms)"])
    poisson = check._cv_reference(*cv_cases["one Poisson-like neuron (400 spikes in 2 s)"])
    few = check._cv_reference(*cv_cases["four neurons with 0, 1, 2 and 3 spikes"])
    assert regular[0] == pytest.approx(0.0, abs=1e-12)
    assert 0.9 < poisson[0] < 1.1
    assert np.isnan(few[:3]).all() and np.isfinite(few[3])
    mods = {c[0]: check._modulation_reference(*c[1:]) for c in check._modulation_cases()}
    assert mods["volleys every 25 ms"] > 1.0
    assert mods["regular staggered clocks (fewer fluctuations than counting noise)"] == 0.0
    labels = {name: ex.measure_state(res, start=start).label for name, res, start in check._measure_cases()}
    assert {"AI", "SR", "SI-slow", "quiescent"} <= set(labels.values())


def test_notebook_measures_give_the_notebooks_labels():
    """The stored measures are the notebook's printed runs: they give the labels it prints."""
    expected = {"example SR (g = 3, 2 nu_thr)": "SR", "example SI-fast (g = 6, 4 nu_thr)": "SI-fast",
                "example AI (g = 5, 2 nu_thr)": "AI", "example SI-slow (g = 4.5, 0.9 nu_thr)": "SI-slow",
                "map g = 4, 0.9 nu_thr": "SR", "map g = 8, 0.9 nu_thr": "quiescent", "map g = 4.5, 2 nu_thr": "AR",
                "map g = 4, 4 nu_thr": "AR", "map g = 5, 4 nu_thr": "SI-fast",
                "panel N_E = 2000, g = 6, 4 nu_thr": "AI", "a quiet run (g = 5, 0.5 nu_thr)": "quiescent"}
    assert set(expected) == set(check.NOTEBOOK_MEASURES)
    for name, label in expected.items():
        assert ex.classify_state(*check.NOTEBOOK_MEASURES[name]) == label, name
    # and they are the saved map's measures, rounded
    smap = ex.load_state_map()
    for name, (g, ratio) in ex.EXAMPLES.items():
        cell = smap.cell(g, ratio)
        stored = check.NOTEBOOK_MEASURES[f"example {name} (g = {g:g}, {ratio:g} nu_thr)"]
        assert stored == pytest.approx([getattr(smap, m)[cell] for m in ex.MAP_MEASURES], rel=1e-3, abs=1e-3), name


def test_make_result_matches_a_simulated_result():
    """A Result built from a run's spikes measures like the run itself."""
    res = ex.brunel(g=5.0, nu_ext_ratio=2.0, n_exc=200, J=None, duration=200.0, seed=3)
    steps, neurons = res.spike_steps("E")
    s_i, n_i = res.spike_steps("I")
    built = check.make_result({"E": 200, "I": 50}, np.concatenate([steps, s_i]), np.concatenate([neurons, n_i + 200]),
                              res.steps)
    a, b = ex.measure_state(res), ex.measure_state(built)
    assert (a.rate, a.modulation, a.label) == (b.rate, b.modulation, b.label)
    assert a.cv == pytest.approx(b.cv, rel=1e-12)
    np.testing.assert_array_equal(analysis.cv_isi(res, "I"), analysis.cv_isi(built, "I"))


@pytest.mark.parametrize(("g", "ratio"), [(5.0, 2.0), (3.0, 2.0), (4.5, 0.9), (5.0, 0.3)])
def test_the_exercises_definitions_measure_real_runs_like_snnlab(g, ratio):
    """The reference solution of 4.4 (built on 4.1 and 4.2) measures small simulated Brunel runs as
    snnlab does, so the check's synthetic runs test the same definitions."""
    res = ex.brunel(g=g, nu_ext_ratio=ratio, n_exc=400, J=None, duration=300.0, seed=7)
    state = ex.measure_state(res)
    rate, cv, mod = measure_state(res)
    assert rate == pytest.approx(state.rate, rel=1e-12)
    assert mod == pytest.approx(state.modulation, rel=1e-9, abs=1e-12)
    if math.isnan(state.cv):
        assert math.isnan(cv)
    else:
        assert cv == pytest.approx(state.cv, rel=1e-9)
    assert classify_state(state.rate, state.cv, state.modulation, state.peak_frequency,
                          state.peak_fraction) == state.label
