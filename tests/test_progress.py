"""Long runs tell where they are, and stop when interrupted (issue 11, item 6).

The runner calls the compiled kernel in slices of about 0.1 s (see :mod:`snnlab._progress`):
slicing must change nothing, a bar shows simulated time and speed when asked (or when a run
is long), and Ctrl-C stops a run between two slices, leaving the network usable.
"""

import io
import os
import signal
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from interrupting import interrupt
from test_speed_equivalence import DATA, OLD_ENGINE, POISSON, _check, arrays, simulate

import snnlab as sl
from snnlab import _progress, engine

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = {**OLD_ENGINE, **POISSON}


def _small_network():
    net = sl.Network(dt=0.1, seed=3)
    e = net.add_population("E", 40, current=sl.Noise(1.2, 0.5))
    net.connect(e, e, rule="fixed_probability", p=0.1, weight=0.1, delay=1.0)
    return net


@pytest.fixture
def one_step_slices(monkeypatch):
    """Every slice one step long; returns the list of slice lengths the runner reported."""
    monkeypatch.setattr(engine, "FIRST_SLICE_SECONDS", 0.0)
    monkeypatch.setattr(_progress, "SLICE_SECONDS", 0.0)
    lengths = []
    done = _progress.Pacer.done

    def counting(self, steps):
        lengths.append(steps)
        return done(self, steps)

    monkeypatch.setattr(_progress.Pacer, "done", counting)
    return lengths


# -- slices change nothing ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_one_step_slices_reproduce_the_golden_runs(key, one_step_slices):
    # ring buffer, refractory counters, coupling totals, Poisson streams and the spike arrays
    # all cross each slice boundary: one kernel call per step must give the same run
    golden_file = "golden_engine.npz" if key in OLD_ENGINE else "golden_poisson.npz"
    with np.load(DATA / golden_file) as golden:
        _check(key, NETWORKS[key], golden)
    net, duration, _ = NETWORKS[key]()
    assert set(one_step_slices) == {1}
    assert len(one_step_slices) == round(duration / net.dt)


def test_first_slice_is_short_for_a_big_network_and_whole_for_a_small_one():
    small = _small_network().build()
    assert small._first_slice > 10_000  # 40 neurons: a whole short run is one slice
    net = sl.Network(seed=1)
    e = net.add_population("E", 5000, current=20.0)
    net.connect(e, e, rule="fixed_indegree", k=500, weight=0.1)
    net.add_poisson_input(e, rate=10.0, weight=0.1, n_sources=100)
    big = net.build()
    # 5000 neurons, 5000 Poisson draws and 2.5e6 synapses firing at the prior's 100 Hz per step:
    # 35,000 units of a nanosecond, so 0.03 s is 857 steps
    assert big._first_slice == int(engine.FIRST_SLICE_SECONDS / (engine.SECONDS_PER_UNIT * 35_000))


# -- the bar -----------------------------------------------------------------------------------------------

def test_progress_true_shows_simulated_time_and_speed(capsys):
    _small_network().run(50.0, progress=True)
    err = capsys.readouterr().err
    assert "50.0/50.0 ms simulated" in err
    assert "ms/s" in err  # the speed: simulated ms per wall-clock second
    assert "100%" in err


@pytest.mark.parametrize("progress", [False, "auto"])
def test_a_short_run_is_silent(capsys, progress):
    res = _small_network().run(50.0, progress=progress)
    out = capsys.readouterr()
    assert res.steps == 500
    assert out.err == "" and out.out == ""


def test_auto_shows_a_bar_once_a_slice_predicts_a_long_run(monkeypatch, capsys, one_step_slices):
    # with a threshold of 0 s, the first slice of a run of several slices predicts a long run
    monkeypatch.setattr(_progress, "AUTO_SECONDS", 0.0)
    monkeypatch.setattr(_progress, "AUTO_AFTER", 0.0)
    _small_network().run(20.0)
    err = capsys.readouterr().err
    assert "20.0/20.0 ms simulated" in err
    assert len(one_step_slices) == 200


def test_auto_never_shows_a_bar_for_a_run_of_one_slice(monkeypatch, capsys):
    # even when that slice was slow: the run is over before a bar could help
    monkeypatch.setattr(_progress, "AUTO_SECONDS", 0.0)
    monkeypatch.setattr(_progress, "AUTO_AFTER", 0.0)
    _small_network().run(20.0)
    assert capsys.readouterr().err == ""


def test_auto_waits_for_a_measure_of_the_speed(monkeypatch, capsys, one_step_slices):
    # a run predicted long but over before AUTO_AFTER has passed shows nothing
    monkeypatch.setattr(_progress, "AUTO_SECONDS", 0.0)
    monkeypatch.setattr(_progress, "AUTO_AFTER", 1e9)
    _small_network().run(20.0)
    assert capsys.readouterr().err == ""
    assert len(one_step_slices) == 200


def test_the_bar_writes_where_it_is_told():
    out = io.StringIO()
    with _progress.progress(30.0, True, desc="NEST", file=out) as bar:
        bar.advance(10.0)
        bar.advance(25.0)  # past the total: kept at the total
    text = out.getvalue()
    assert text.startswith("\rNEST:   0%|")
    assert "30.0/30.0 ms simulated" in text and "<00:00" in text  # no negative time left
    assert bar.done_ms == 30.0


def test_progress_false_makes_no_bar_at_all():
    out = io.StringIO()
    with _progress.progress(30.0, False, file=out) as bar:
        bar.advance(10.0)
    assert out.getvalue() == "" and bar.bar is None


def test_progress_must_be_true_false_or_auto():
    with pytest.raises(ValueError, match=r"run\.progress: must be True, False or 'auto' \(got 'yes'\)"):
        _small_network().run(10.0, progress="yes")
    with pytest.raises(ValueError, match=r"run\.progress: must be True, False or 'auto' \(got 1\)"):
        _small_network().build().run(10.0, progress=1)


# -- a loop of one's own (the backends) --------------------------------------------------------------------

def test_run_in_slices_covers_the_run_in_whole_steps_growing_by_at_most_eight(monkeypatch):
    monkeypatch.setattr(_progress, "SLICE_SECONDS", 1e9)  # a slow target: growth is the only limit
    calls = []
    _progress.run_in_slices(100.0, 0.1, lambda t0, ms: calls.append((t0, ms)), progress=False, first_ms=0.5)
    steps = [round(ms / 0.1) for _, ms in calls]
    assert steps == [5, 40, 320, 635]  # 5 steps, then 8 times more, until the 1000 steps are done
    starts = [round(t0 / 0.1) for t0, _ in calls]
    assert starts == [0, 5, 45, 365]


def test_run_in_slices_stops_at_a_keyboard_interrupt():
    calls = []

    def advance(t0, ms):
        calls.append(t0)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _progress.run_in_slices(1000.0, 0.1, advance, progress=False, first_ms=1.0)
    assert len(calls) == 3


# -- interrupting ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["noisy_e_i", "brunel_small"])
def test_an_interrupt_between_slices_leaves_the_simulation_usable(key, monkeypatch, one_step_slices):
    net, duration, record = NETWORKS[key]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.SnnlabWarning)  # random delays rounded to whole steps
        sim = net.build()
    done = _progress.Pacer.done

    def interrupted(self, steps):
        done(self, steps)
        if self.done_steps == 7:
            raise KeyboardInterrupt

    monkeypatch.setattr(_progress.Pacer, "done", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sim.run(duration, record=record)
    monkeypatch.setattr(_progress.Pacer, "done", done)
    again = arrays(sim.run(duration, record=record))
    fresh = arrays(simulate(NETWORKS[key]))
    assert again["spike_steps"].size > 50
    for field, value in fresh.items():
        np.testing.assert_array_equal(again[field], value, err_msg=field)


CHILD = textwrap.dedent("""
    import time
    import snnlab as sl
    net = sl.Network(dt=0.1, seed=1)
    model = sl.LIF(u_rest=0.0, threshold=20.0, u_reset=10.0, C=20.0, refractory=2.0)
    e = net.add_population("E", 3200, model=model)
    i = net.add_population("I", 800, kind="inhibitory", model=model)
    net.connect(e, [e, i], rule="fixed_indegree", k=320, weight=0.1, delay=1.5)
    net.connect(i, [e, i], rule="fixed_indegree", k=80, weight=0.5, delay=1.5)
    for pop in (e, i):
        net.add_poisson_input(pop, rate=20.0, weight=0.1, n_sources=1000)
    sim = net.build()
    sim.run(1.0, record=None, progress=False)  # the compiled kernel is loaded before the clock starts
    print("running", flush=True)
    try:
        sim.run(200_000.0, record=None, progress=True)  # minutes on any machine
    except KeyboardInterrupt:
        print(f"interrupted at {time.perf_counter()!r}", flush=True)  # the same clock as the parent's
        raise
    print("finished", flush=True)
""")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT cannot be sent to one process on Windows")
def test_sigint_stops_a_long_run_within_half_a_second(tmp_path):
    script = tmp_path / "long_run.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = interrupt(script, delay=1.0, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == -signal.SIGINT  # Python's exit on an uncaught KeyboardInterrupt
    assert "KeyboardInterrupt" in done.err
    assert "ms simulated" in done.err  # the bar was showing
    # the run stops at the end of the slice under way (about 0.1 s), as a JupyterLab user sees it;
    # the process's exit adds the interpreter's shutdown, slow on a loaded machine: slack there
    assert 0 <= done.stopped < 0.5, f"the run stopped {done.stopped:.2f} s after SIGINT"
    assert done.exited < 3.0, f"the process exited {done.exited:.2f} s after SIGINT"
