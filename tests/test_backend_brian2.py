"""The Brian2 backend (C++ standalone, OpenMP): the same networks give the same spikes as snnlab.

Deterministic networks must give identical spike trains, to the step, and potentials equal
to floating-point rounding; Brunel's network with Poisson drive (independent draws) must
give the same rates and irregularity. Every refusal is pinned. The mapping itself is in
:mod:`snnlab.backends.brian2`.

Brian2 compiles each network as a C++ project (7-20 s for a first build of a layout on two
busy cores) into a cache directory (``$SNNLAB_CACHE`` or ``~/.cache/snnlab``), where a
later run of a network of the same layout recompiles only the files whose code changed.
The tests are ordered so that networks of one layout follow each other.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys

import networks
import numpy as np
import pytest
from interrupting import interrupt

import snnlab as sl
from snnlab import backends
from snnlab.backends import brian2 as b2backend
from snnlab.experiments import balanced, two_neurons

HAVE_BRIAN2 = importlib.util.find_spec("brian2") is not None
brian2_only = pytest.mark.skipif(not HAVE_BRIAN2, reason="Brian2 cannot be imported (pip install 'snnlab[brian2]')")
DT = 0.1


def captured(make, *args, **kwargs):
    """Call an experiment and return (its snnlab result, the Network it ran, the duration)."""
    seen = {}
    original = sl.Network.run

    def spy(self, duration, *a, **kw):
        seen["net"], seen["duration"] = self, duration
        return original(self, duration, *a, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sl.Network, "run", spy)
        res = make(*args, **kwargs)
    return res, seen["net"], seen["duration"]


def on_brian2(net, duration, **kwargs) -> sl.Result:
    """Run on the backend, and check that Brian2's process-wide state is as it was."""
    brian2 = b2backend.load()  # quietly: Brian2's import raises pyparsing deprecations

    runtime = importlib.import_module("brian2.devices.device").runtime_device
    threads_before = brian2.prefs.devices.cpp_standalone.openmp_threads
    res = b2backend.run(net, duration, **kwargs)
    assert brian2.get_device() is runtime
    assert brian2.prefs.devices.cpp_standalone.openmp_threads == threads_before
    assert res.params["backend"]["name"] == "brian2"
    return res


def spike_train(res: sl.Result):
    times, neurons = res.spikes()
    return np.rint(np.asarray(times) / res.dt).astype(np.int64), np.asarray(neurons)


def potentials(res: sl.Result) -> np.ndarray:
    return np.column_stack([res.potential(label) for label in res.labels])


def assert_identical(ours: sl.Result, theirs: sl.Result, recorded: bool = True) -> int:
    """Identical spike steps and neurons; potentials (if recorded) equal to rounding. Returns the spike count."""
    (s1, n1), (s2, n2) = spike_train(ours), spike_train(theirs)
    if not (np.array_equal(s1, s2) and np.array_equal(n1, n2)):
        mine = set(zip(s1.tolist(), n1.tolist()))
        step, neuron = min(mine ^ set(zip(s2.tolist(), n2.tolist())))
        pytest.fail(f"spike trains differ ({s1.size} vs {s2.size} spikes); first at step {step}, neuron {neuron}, "
                    f"which spiked only in {'snnlab' if (step, neuron) in mine else 'Brian2'}")
    if recorded:
        np.testing.assert_allclose(potentials(theirs), potentials(ours), rtol=0, atol=1e-9)
        for label in ours.labels:
            np.testing.assert_array_equal(theirs.current(label), ours.current(label))
    for key, values in ours.connections().items():
        np.testing.assert_array_equal(theirs.connections()[key], values)
    return int(s1.size)


# -- refusals: before any Brian2 object (and before Brian2 is imported) ---------------------------

def two_cells() -> sl.Network:
    net = sl.Network(dt=DT, seed=0)
    a = net.add_population("A", 1, current=4.0)
    b = net.add_population("B", 1, current=lambda t: 3.0 + np.sin(np.asarray(t)))
    net.connect(a, b, weight=2.0)
    return net


@pytest.mark.parametrize(("threads", "error", "match"), [
    (0, ValueError, r"run\(backend='brian2'\)\.threads: must be an integer >= 1 \(got 0\)"),
    ("2", TypeError, r"run\(backend='brian2'\)\.threads: must be None or an integer >= 1 \(got '2'\)"),
    (True, TypeError, r"run\(backend='brian2'\)\.threads: must be None or an integer >= 1 \(got True\)"),
])
def test_threads_are_refused_before_brian2_is_imported(monkeypatch, threads, error, match):
    monkeypatch.setitem(sys.modules, "brian2", None)  # importing it would fail: the check comes first
    with pytest.raises(error, match=match):
        b2backend.run(two_cells(), 10.0, threads=threads)


def test_without_brian2_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2", None)
    with pytest.raises(backends.EngineMissing, match=r"run\(backend='brian2'\): needs the Python module 'brian2'.*"
                                                     r"install it with pip install 'snnlab\[brian2\]'"):
        b2backend.run(two_cells(), 10.0)


def test_an_unknown_part_of_the_description_is_refused_by_name(monkeypatch):
    net = two_cells()
    described = net.describe()
    monkeypatch.setattr(net, "describe", lambda: {**described, "gap_junctions": [{"pre": "A", "post": "B"}]})
    monkeypatch.setitem(sys.modules, "brian2", None)
    with pytest.raises(backends.BackendError, match=r"run\(backend='brian2'\): the network's 'gap_junctions' is not "
                                                    r"mapped to brian2 yet .*; run it with backend='snnlab'"):
        b2backend.run(net, 10.0)


def test_nothing_of_snnlabs_model_is_refused():
    """Euler, the floor, couple() and Poisson input all map to Brian2 (the tests below run them)."""
    assert b2backend.REFUSED == {}
    net = two_cells()
    net.add_population("C", 3, "inhibitory", model=sl.LIF.assignment())
    net.couple("A", "C", every=2)
    net.add_poisson_input("C", rate=10.0, weight=0.5)
    b2backend.check_network(net)  # raises nothing


@brian2_only
def test_a_time_varying_current_too_long_for_a_timed_array_is_refused(monkeypatch):
    monkeypatch.setattr(b2backend, "MAX_TIMED_VALUES", 100)
    with pytest.raises(backends.BackendError, match=r"run\(backend='brian2'\)\.duration: a current that varies in "
                                                    r"time goes to Brian2 as a TimedArray of steps x neurons values, "
                                                    r"at most 100 \(got 100 x 2\)"):
        b2backend.run(two_cells(), 10.0)


# -- the report's two neurons -----------------------------------------------------------------------

@pytest.mark.slow
@brian2_only
@pytest.mark.parametrize("example", ["E-E", "E-I", "I-I"])
def test_report_two_neuron_examples_give_identical_spike_trains(example):
    ours, net, duration = captured(two_neurons.report_example, example)
    theirs = on_brian2(net, duration, record="all")
    count = assert_identical(ours, theirs)
    if example == "I-I":
        assert count == 0  # as in the report, neither reaches threshold in 100 ms
    else:
        assert count > 20
        # each spike reaches the partner one step later and moves it 2 mV up (E) or down (I),
        # in Brian2 as in snnlab (arrivals just after the partner's own spike are left out)
        measured = 0
        for sender in ("A", "B"):
            jumps = two_neurons.measured_jumps(theirs, sender)["jumps"]
            weight = theirs.connections(sender, "B" if sender == "A" else "A")["weight"][0]
            np.testing.assert_allclose(jumps, weight, rtol=0, atol=1e-9)
            measured += jumps.size
        assert measured > 10


# -- the 80/20 group: fixed out-degree, per-synapse delays and weights, refractoriness --------------

def population_100(model: sl.LIF, seed: int = 1, duration: float = 200.0) -> tuple[sl.Network, float]:
    """The report's 80/20 group, with per-synapse weights and delays (tests/networks.py)."""
    return networks.population_100(model, seed), duration


POPULATION_MODELS = {
    "exact, refractory 2 ms": sl.LIF(refractory=2.0),
    "exact, u_rest -0.5, u_reset -0.2, refractory 0.5 ms": sl.LIF(u_rest=-0.5, u_reset=-0.2, threshold=1.0,
                                                                 R=2.0, C=5.0, refractory=0.5),
    "report (euler, floor), refractory 1 ms": sl.LIF.assignment(refractory=1.0),
}


@pytest.mark.slow
@brian2_only
@pytest.mark.parametrize("model", list(POPULATION_MODELS))
def test_population_of_100_gives_identical_spike_trains(model):
    net, duration = population_100(POPULATION_MODELS[model])
    ours = net.run(duration, record="all")
    theirs = on_brian2(net, duration, record="all")
    conn = theirs.connections()
    assert np.unique(conn["delay"]).size == 30 and conn["pre"].size == 80 * 10 + 20 * 20
    assert assert_identical(ours, theirs) > 500  # the network is active
    # the refractory period holds in Brian2 too: no two spikes of a neuron closer than R + 1 steps
    steps, neurons = spike_train(theirs)
    order = np.lexsort((steps, neurons))
    gaps = np.diff(steps[order])[np.diff(neurons[order]) == 0]
    assert gaps.min() > round(POPULATION_MODELS[model].refractory / DT)


# -- both methods in one network, the floor, couple() --------------------------------------------------

def mixed_with_couplings(couple: bool = True) -> sl.Network:
    """E (exact, no floor) and I (Euler, floored at rest): one NeuronGroup per method in Brian2,
    with synapses between them, and the report's population couplings both ways."""
    rng = np.random.default_rng(4)
    base = rng.uniform(0.8, 1.6, 60)
    net = sl.Network(dt=DT, seed=4)
    e = net.add_population("E", 40, "excitatory", model=sl.LIF(refractory=1.0), current=base[:40])
    i = net.add_population("I", 20, "inhibitory", model=sl.LIF.assignment(refractory=0.5),
                           current=lambda t: base[40:] + np.sin(np.asarray(t)[..., None] / 8))
    net.connect(e, [e, i], rule="fixed_outdegree", k=5, weight=0.5, delay=rng.integers(1, 20, 200) * DT)
    net.connect(i, e, rule="fixed_outdegree", k=5, weight=1.0, delay=0.3)
    if couple:
        net.couple(e, i, every=7, effect=0.5, delay=0.4)
        net.couple(i, e, every=3, effect=0.25)
    return net


@pytest.mark.slow
@brian2_only
def test_mixed_methods_floor_and_couplings_give_identical_spike_trains():
    net = mixed_with_couplings()
    ours = net.run(200.0, record="all")
    theirs = on_brian2(net, 200.0, record="all")
    assert assert_identical(ours, theirs) > 200
    # the couplings act (without them snnlab's spikes differ), and the floor holds in Brian2
    without = mixed_with_couplings(couple=False).run(200.0, record=None)
    assert not np.array_equal(spike_train(without)[0], spike_train(ours)[0])
    assert theirs.potential("I").min() >= 0.0 and theirs.potential("E").min() < 0.0


# -- 1,000 neurons, one pre-drawn noise array; 1 and 2 OpenMP threads ------------------------------------

@pytest.mark.slow
@brian2_only
def test_network_of_1000_gives_identical_spike_trains_on_1_and_2_threads():
    steps = 2000
    net, _ = networks.noisy_1000(seed=2, steps=steps)
    ours = net.run(steps * DT, record={"E": range(0, 800, 40), "I": [0, 199]})
    one = on_brian2(net, steps * DT, threads=1, record={"E": range(0, 800, 40), "I": [0, 199]})
    two = on_brian2(net, steps * DT, threads=2, record={"E": range(0, 800, 40), "I": [0, 199]})
    # one C++ project per thread count (see test_a_project_built_for_other_threads_is_recompiled)
    assert one.params["backend"]["directory"] != two.params["backend"]["directory"]
    assert (one.params["backend"]["threads"], two.params["backend"]["threads"]) == (1, 2)
    assert assert_identical(ours, one) > 5000
    assert assert_identical(ours, two) > 5000


def test_a_project_built_for_other_threads_is_recompiled(tmp_path):
    """Brian2 compiles the thread count into a header (synapses_classes.h) that its makefile
    does not list for the code objects: rebuilt for 2 threads, the 1-thread objects stayed and
    collected one thread's spike queue only (the network above fired 80,912 spikes instead of
    8,641). So the objects of a project built for another count are deleted first."""
    from snnlab.backends import _brian2_model

    (tmp_path / "code_objects").mkdir()
    stale = [tmp_path / "objects.o", tmp_path / "code_objects" / "synapses_pre_codeobject.o"]
    _brian2_model.forget_other_threads(tmp_path, 1)  # a project without a record: start afresh
    for path in stale:
        path.write_bytes(b"compiled")
    _brian2_model.forget_other_threads(tmp_path, 1)
    assert all(path.exists() for path in stale)  # the same count: nothing to recompile
    _brian2_model.forget_other_threads(tmp_path, 2)
    assert not any(path.exists() for path in stale)
    assert (tmp_path / "snnlab_threads.txt").read_text() == "2"


# -- Brunel's network: Poisson input drawn by Brian2, compared by statistics --------------------------

@pytest.mark.slow
@brian2_only
def test_brunel_network_rates_within_3_percent_and_cv_within_0_05():
    """Brunel's model A, 4,000 + 1,000 neurons, J = 0.2 mV, g = 5, external drive twice the
    threshold rate (the asynchronous irregular state), 2 s. The Poisson inputs are
    independent draws (Brian2's ``poisson()``, the distribution snnlab draws from)."""
    ours, net, duration = captured(balanced.brunel, g=5.0, nu_ext_ratio=2.0, n_exc=4000, J=0.2, duration=2000.0,
                                   seed=3)
    theirs = on_brian2(net, duration, record=None)
    assert theirs.params["backend"]["seed"] == b2backend.brian2_seed(3)
    for label in ("E", "I"):
        a, b = balanced.measure_state(ours, label), balanced.measure_state(theirs, label)
        assert a.rate > 5.0 and a.cv > 0.3, (label, a)  # active and irregular
        assert abs(a.rate - b.rate) <= 0.03 * a.rate, (label, a.rate, b.rate)
        assert abs(a.cv - b.cv) <= 0.05, (label, a.cv, b.cv)
    # not the same draws: the spike trains differ
    assert not np.array_equal(spike_train(ours)[1][:100], spike_train(theirs)[1][:100])


# -- the export: a script and its data, for a machine without snnlab ------------------------------------

@pytest.mark.slow
@brian2_only
def test_export_script_gives_the_spikes_of_backend_brian2_in_a_file_sl_load_reads(tmp_path):
    net = mixed_with_couplings()
    theirs = on_brian2(net, 200.0, record=None)
    script, data = b2backend.export(net, tmp_path / "model.py", 200.0)
    assert (script.name, data.name) == ("model.py", "model.npz")
    assert "import snnlab" not in script.read_text()
    # the project directory of the backend's own run (1 thread): the same code, nothing recompiles
    done = subprocess.run([sys.executable, str(script), "--threads", "1", "--project",
                           theirs.params["backend"]["directory"]], cwd=tmp_path, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    exported = sl.load(tmp_path / "model_result.npz")
    assert exported.params["backend"]["name"] == "brian2" and exported.params["backend"]["threads"] == 1
    assert assert_identical(theirs, exported, recorded=False) > 200
    assert exported.labels == theirs.labels and exported.duration == 200.0


def test_export_path_must_be_a_python_script(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2", None)  # the export does not need Brian2
    with pytest.raises(ValueError, match=r"export\.path: must end in \.py, the script's name \(got '.*model\.txt'\)"):
        b2backend.export(two_cells(), tmp_path / "model.txt", 10.0)


# -- long runs: progress bars and Ctrl-C ----------------------------------------------------------------

def test_progress_must_be_true_false_or_auto_before_brian2_is_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2", None)
    with pytest.raises(ValueError, match=r"run\(backend='brian2'\)\.progress: must be True, False or 'auto' "
                                         r"\(got 'yes'\)"):
        b2backend.run(two_cells(), 10.0, progress="yes")


def report(completed: float, cpu: float) -> str:
    """A line of the compiled simulation's report (_brian2_model.REPORT): fraction, wall and CPU seconds."""
    return f"snnlab-progress {completed} {cpu} {cpu}\n"


def test_auto_shows_the_bar_once_the_binarys_reports_predict_a_long_run(capsys):
    """progress="auto" judges the binary's processor time (its reports), as the Pacer judges
    snnlab's: more than 2 s expected, once 0.2 s have been spent."""
    import time

    reports = b2backend._Reports(500.0, "auto", time.perf_counter())
    reports.update(report(0.0, 3.0))  # the loop starts (after 3 s of loading the network)
    reports.update(report(0.05, 3.1))  # 2 s expected, but only 0.1 s spent: too early to judge
    assert reports.bar.bar is None
    reports.update(report(0.1, 3.25))  # 2.5 s expected
    assert reports.bar.bar is not None and reports.bar.bar.n == 50.0  # opened where the run is
    reports.update(report(1.0, 5.5))
    reports.bar.close()
    err = capsys.readouterr().err
    assert "Brian2: 100%" in err and "500.0/500.0 ms simulated" in err


@pytest.mark.parametrize("progress", ["auto", False])
def test_a_short_or_silenced_run_shows_no_bar(capsys, progress):
    import time

    reports = b2backend._Reports(500.0, progress, time.perf_counter())
    for completed, cpu in [(0.0, 0.0), (0.5, 0.9), (1.0, 1.8)]:  # 1.8 s in all: short
        reports.update(report(completed, cpu))
    reports.bar.close()
    assert reports.bar.bar is None and capsys.readouterr().err == ""
    assert reports.completed == 1.0


@pytest.mark.slow
@brian2_only
def test_progress_true_shows_the_simulated_time_false_nothing_and_the_spikes_are_the_same(capsys):
    net, duration = population_100(POPULATION_MODELS["exact, refractory 2 ms"])
    ours = net.run(duration, record="all")
    capsys.readouterr()
    silent = on_brian2(net, duration, record="all", progress=False)  # compiles what changed, quietly
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    shown = on_brian2(net, duration, record="all", progress=True)
    err = capsys.readouterr().err
    assert "Brian2:   0%" in err and "0.0/200.0 ms simulated" in err  # shown from the start
    assert "Brian2: 100%" in err and "200.0/200.0 ms simulated" in err and "ms/s" in err  # speed, to the end
    # a compile, if any (Brian2 2.9 writes main.cpp's clock lines in an order that can change
    # from run to run), has its own bar, done before the run's opens at 0 ms
    assert err.rfind("files [") < err.index("0.0/200.0 ms simulated")
    assert assert_identical(ours, silent) > 500
    assert assert_identical(silent, shown) > 500


@pytest.mark.slow
@brian2_only
def test_a_compile_has_its_own_bar_before_the_runs(capsys):
    """The compile is not simulated time: its bar counts C++ files, and the run's starts at 0 ms
    after it. Under "auto" a compile of a file or two (new sizes or a new duration) is quiet."""
    import os
    from pathlib import Path

    net, duration = population_100(POPULATION_MODELS["exact, refractory 2 ms"])  # the project of the tests above
    directory = Path(on_brian2(net, duration, record="all", progress=False).params["backend"]["directory"])
    capsys.readouterr()

    def touch_main():  # main.o older than main.cpp: make recompiles that file
        made = os.path.getmtime(directory / "main.o")
        os.utime(directory / "main.cpp", (made + 10, made + 10))

    touch_main()
    on_brian2(net, duration, record="all", progress=True)
    err = capsys.readouterr().err
    compile_bar = "Brian2: compiling the C++ project (the files that changed): 1/1 files"
    assert compile_bar in err and "0/1 files" in err
    assert err.index(compile_bar) < err.index("Brian2:   0%|")  # done before the run's bar opens
    for progress in ("auto", False):
        touch_main()
        res = on_brian2(net, duration, record="all", progress=progress)
        assert capsys.readouterr().err == ""
        assert res.spikes()[0].size > 500


SIGINT_CHILD = """
import os
import subprocess
import sys
import time

import numpy as np

from snnlab.backends import brian2 as b2backend
from snnlab.experiments import scaling

started = []  # the child processes the backend starts (make, the compiled simulation)


class Recorded(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        started.append(self.pid)


subprocess.Popen = Recorded
update = b2backend._Reports.update


def announce(self, line):  # say once that the binary simulates (not compiles, not loads)
    update(self, line)
    if self.completed > 0 and not announce.said:
        announce.said = True
        print("simulating", flush=True)


announce.said = False
b2backend._Reports.update = announce
net = scaling.demo_network(n=1000, seed=0)  # the layout of notebook 05's network: cached
print("running", flush=True)
try:
    net.run(300_000.0, record=None, backend="brian2", progress=False)  # minutes on any machine
    print("finished", flush=True)
except KeyboardInterrupt as exc:
    print("interrupted at", time.perf_counter(), flush=True)
    sys.last_traceback = exc.__traceback__  # kept, as JupyterLab keeps it
gone = [pid for pid in started if not os.path.exists(f"/proc/{pid}")]  # a zombie keeps its entry
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child process remains", flush=True)
except ChildProcessError:
    print("no child process", flush=True)
print("gone:", len(gone), "of", len(started), flush=True)
again = net.run(50.0, record=None, backend="brian2", progress=False)  # the same project directory
ours = net.run(50.0, record=None)
same = np.array_equal(again.spikes()[0], ours.spikes()[0]) and np.array_equal(again.spikes()[1], ours.spikes()[1])
print("again:", ours.spikes()[0].size, "spikes, identical:", same, flush=True)
with open(os.path.join(again.params["backend"]["directory"], "makefile")) as f:
    print("renamed code objects:", "_codeobject_1." in f.read(), flush=True)
"""


@pytest.mark.slow
@brian2_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the test looks for processes in /proc")
@pytest.mark.parametrize("group", [False, True], ids=["process", "process group"])
def test_sigint_stops_a_brian2_run_within_half_a_second(tmp_path, group):
    """Ctrl-C while the compiled simulation runs: the binary is killed at once and waited for
    (no zombie), KeyboardInterrupt reaches the caller, and the next run in the same project
    directory gives snnlab's spikes, without recompiling everything although the interrupted
    run's traceback is kept."""
    script = tmp_path / "long_brian2_run.py"
    script.write_text(SIGINT_CHILD)
    done = interrupt(script, ("running\n", "simulating\n"), delay=1.0, group=group)
    out = done.out
    assert 0 <= done.stopped < 0.5, f"the Brian2 run stopped {done.stopped:.2f} s after SIGINT"
    assert "no child process" in out, out
    count, total = (int(x) for x in out.split("gone: ")[1].split()[::2][:2])
    assert count == total >= 2, out  # make and the binary, both ended and reaped
    assert "identical: True" in out, out
    assert int(out.split("again: ")[1].split()[0]) > 100
    assert "renamed code objects: False" in out  # the interrupted run's objects were let go of


COMPILE_CHILD = """
import os
import sys
import time

import numpy as np

sys.path.insert(0, {tests!r})
import networks  # noqa: E402
import snnlab as sl  # noqa: E402
from snnlab.backends import brian2 as b2backend  # noqa: E402

net = networks.population_100(sl.LIF(refractory=2.0))
directory = b2backend.run(net, 200.0, record="all", progress=False).params["backend"]["directory"]
for name in ("main", "objects"):  # seconds of compiling: make recompiles both files
    made = os.path.getmtime(os.path.join(directory, name + ".o"))
    os.utime(os.path.join(directory, name + ".cpp"), (made + 10, made + 10))
compile_project = b2backend.compile_project


def announce(*args, **kwargs):
    print("compiling", flush=True)
    return compile_project(*args, **kwargs)


b2backend.compile_project = announce
print("running", flush=True)
try:
    b2backend.run(net, 200.0, record="all", progress=True)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted at", time.perf_counter(), flush=True)


def compilers():  # processes still working in the project directory
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{{pid}}/cwd") == directory:
                found.append(open(f"/proc/{{pid}}/comm").read().strip())
        except OSError:
            pass
    return found


until = time.monotonic() + 10  # killed, they may take a moment to exit on a busy machine
while compilers() and time.monotonic() < until:
    time.sleep(0.1)
print("compilers left:", compilers(), flush=True)
b2backend.compile_project = compile_project
again = b2backend.run(net, 200.0, record="all", progress=False)
ours = net.run(200.0, record="all")
same = np.array_equal(again.spikes()[0], ours.spikes()[0]) and np.array_equal(again.spikes()[1], ours.spikes()[1])
print("again:", ours.spikes()[0].size, "spikes, identical:", same, flush=True)
"""


@pytest.mark.slow
@brian2_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the test looks for processes in /proc")
def test_sigint_stops_a_compile_and_the_next_run_compiles_what_it_left(tmp_path):
    """Ctrl-C while make compiles (sent to the Python process only: make and its compilers,
    in a process group of their own, are stopped by snnlab): KeyboardInterrupt at once, no
    compiler left, no half-written object (make deletes them), and the next run builds and
    gives snnlab's spikes."""
    from pathlib import Path

    script = tmp_path / "interrupted_compile.py"
    script.write_text(COMPILE_CHILD.format(tests=str(Path(__file__).parent)))
    done = interrupt(script, ("running\n", "compiling\n"), delay=1.0)
    out = done.out
    assert 0 <= done.stopped < 0.5, f"the compile stopped {done.stopped:.2f} s after SIGINT"
    assert "compiling the C++ project" in done.err  # progress=True: the compile's bar was showing
    assert "compilers left: []" in out, out
    assert "identical: True" in out, out
