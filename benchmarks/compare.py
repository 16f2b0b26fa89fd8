"""snnlab against NEST, Brian2 and the assignment's own design, side by side (issue 6).

    .venv/bin/python benchmarks/compare.py                              # A, B, C; every peer installed
    .venv/bin/python benchmarks/compare.py --cases A,B --repeats 5 --no-peers

The cases are defined in ``benchmarks/cases.py``. snnlab builds each one (seeded) and
exports its synapses and currents; NEST (1 thread, ``iaf_psc_delta``) and Brian2
(runtime ``cython`` and ``cpp_standalone``, synapses created in source order) are given
exactly that connectivity and those inputs. On case A the assignment's own design in
plain Python (``benchmarks/assignment_baseline.py``) runs too. Install the peers with
``pip install -e '.[bench]'``; a peer that is not installed is reported as such.

Every simulator runs in its own subprocess, one after the other, so that its peak
memory (the maximum resident set size, including Brian2's compiled binary) is its own.
Columns:

* **sim**: median over the repeats of the simulation alone: snnlab ``Simulation.run``
  on a built network; NEST ``Simulate``; Brian2's own timer of its run loop (runtime:
  the loop over steps; standalone: the compiled binary's main loop).
* **whole**: median of describe + build + simulate, with every repeat starting from
  nothing (NEST ``ResetKernel``, a new Brian2 network; Brian2's code generation and
  compilation included, with its caches warm after the first repeat).
* **peak**: peak resident memory of the subprocess (MB, 10**6 bytes), imports included
  (for Brian2's standalone mode, the larger of the Python process and the binary).
* **rate E / I**: mean firing rates (Hz), to show the simulators do the same thing.
* **x sim / x whole**: the peer's time divided by snnlab's (above 1: snnlab is faster).

Then the first run in a fresh Python process (import, build, compile or load the compiled
kernel, run case A), with numba's cache warm and cold. Figures only: nothing here fails
because a machine is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases as benchcases  # noqa: E402

SIMULATORS = ("snnlab", "nest", "brian2-cython", "brian2-standalone", "python")
PEERS = ("nest", "brian2-cython", "brian2-standalone")
#: The pure-Python design runs on case A only (it would take minutes on B and hours on C).
PYTHON_CASES = ("A",)


def peak_mb(pid="self") -> float:
    """Peak resident memory of a process, MB: ``VmHWM`` of its memory map. (``ru_maxrss`` will
    not do: Linux carries the parent's high-water mark over ``fork`` and ``exec``.)"""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6 if pid == "self" else 0.0


def rates(spike_neurons, case) -> tuple[float, float]:
    counts = np.bincount(np.asarray(spike_neurons, dtype=np.int64), minlength=case.n)
    seconds = case.duration / 1000.0
    return float(counts[:case.n_exc].mean() / seconds), float(counts[case.n_exc:].mean() / seconds)


# -- workers: each runs in its own process and prints one JSON line ---------------------------------------


def worker_snnlab(case, repeats, data):
    # load the compiled kernel from numba's cache once; the first run is measured separately
    benchcases.network(benchcases.CASES["A"]).run(1.0, record=None)
    sims, wholes = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sim = benchcases.network(case).build()
        t1 = time.perf_counter()
        res = sim.run(case.duration, record=None)
        t2 = time.perf_counter()
        sims.append(t2 - t1)
        wholes.append(t2 - t0)
        spikes = res.spikes()[1]
        del sim, res  # a result keeps its simulation (it computes connections() from it)
    return {"sim": sims, "whole": wholes, "rates": rates(spikes, case), "spikes": int(spikes.size)}


def worker_python(case, repeats, data):
    from assignment_baseline import Neuron, NeuronGroup

    steps = round(case.duration / benchcases.DT)
    ref = round(benchcases.REFRACTORY / benchcases.DT)
    delay = round(benchcases.DELAY / benchcases.DT)
    with np.load(data) as f:
        currents = f["currents"].tolist()
        pre = np.concatenate([f["exc_pre"], f["inh_pre"]])
        post = np.concatenate([f["exc_post"], f["inh_post"]])
    order = np.argsort(pre, kind="stable")
    targets = [[] for _ in range(case.n)]
    for i, j in zip(pre[order].tolist(), post[order].tolist()):
        targets[i].append(j)
    sims, wholes = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        neurons = [Neuron(currents[i], "excitatory" if i < case.n_exc else "inhibitory", case.tau_m,
                          case.threshold, case.u_reset, ref, benchcases.DT) for i in range(case.n)]
        group = NeuronGroup(neurons, targets, case.w_exc, case.w_inh, delay)
        t1 = time.perf_counter()
        spikes = group.action(steps)
        t2 = time.perf_counter()
        sims.append(t2 - t1)
        wholes.append(t2 - t0)
    ids = [i for _, i in spikes]
    return {"sim": sims, "whole": wholes, "rates": rates(ids, case), "spikes": len(ids)}


def worker_nest(case, repeats, data):
    import nest

    try:
        nest.verbosity = nest.VerbosityLevel.ERROR  # NEST >= 3.9
    except AttributeError:  # pragma: no cover - older NEST
        nest.set_verbosity("M_ERROR")
    with np.load(data) as f:
        arrays = {k: f[k] for k in f.files}
    sims, wholes = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": benchcases.DT, "local_num_threads": 1, "print_time": False})
        # R = 1 MOhm: C in nF equals tau_m in ms; NEST's units are pF and pA (both x 1000)
        params = {"C_m": 1000.0 * case.tau_m, "tau_m": case.tau_m, "t_ref": benchcases.REFRACTORY, "E_L": 0.0,
                  "V_reset": case.u_reset, "V_th": case.threshold, "V_m": 0.0, "refractory_input": False}
        nodes = nest.Create("iaf_psc_delta", case.n, params=params)
        if case.current is not None:
            nodes.I_e = (1000.0 * arrays["currents"]).tolist()
        for kind, weight in (("exc", case.w_exc), ("inh", -case.w_inh)):
            pre, post = arrays[f"{kind}_pre"], arrays[f"{kind}_post"]
            for start in range(0, pre.size, 1 << 20):  # in chunks, to bound the weight/delay arrays
                stop = min(pre.size, start + (1 << 20))
                nest.Connect(pre[start:stop].astype(np.int64) + 1, post[start:stop].astype(np.int64) + 1,
                             "one_to_one", syn_spec={"weight": np.full(stop - start, weight),
                                                     "delay": np.full(stop - start, benchcases.DELAY)})
        if case.poisson:
            drive = nest.Create("poisson_generator",
                                params={"rate": case.poisson["rate"] * case.poisson["n_sources"]})
            nest.Connect(drive, nodes, syn_spec={"weight": case.poisson["weight"], "delay": benchcases.DT})
        recorder = nest.Create("spike_recorder")
        nest.Connect(nodes, recorder)
        t1 = time.perf_counter()
        nest.Simulate(case.duration)
        t2 = time.perf_counter()
        sims.append(t2 - t1)
        wholes.append(t2 - t0)
        senders = recorder.get("events")["senders"]
    return {"sim": sims, "whole": wholes, "rates": rates(np.asarray(senders) - 1, case), "spikes": len(senders)}


def worker_brian2(case, repeats, data, standalone):
    import brian2 as b2

    b2.prefs.logging.console_log_level = "ERROR"
    with np.load(data) as f:
        arrays = {k: f[k] for k in f.files}
    directory = Path(tempfile.mkdtemp(prefix=f"snnlab-bench-brian2-{case.name}-"))
    rss_file = directory / "binary_peak_kb"
    if standalone:
        # run the binary through this script, which records the binary's own peak memory
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, str(Path(__file__).resolve()),
                                                        "--measure-rss", str(rss_file), "./main"]
    else:
        b2.prefs.codegen.target = "cython"
    sims, wholes = [], []
    try:
        for r in range(repeats):
            t0 = time.perf_counter()
            if standalone:
                if r:
                    b2.device.reinit()
                b2.set_device("cpp_standalone", directory=str(directory / "project"), build_on_run=False)
            b2.start_scope()
            b2.defaultclock.dt = benchcases.DT * b2.ms
            namespace = {"tau_m": case.tau_m * b2.ms, "theta": case.threshold * b2.mV,
                         "u_reset": case.u_reset * b2.mV}
            group = b2.NeuronGroup(
                case.n, "dv/dt = (RI - v) / tau_m : volt (unless refractory)\nRI : volt (constant)",
                threshold="v >= theta", reset="v = u_reset", refractory=benchcases.REFRACTORY * b2.ms,
                method="exact", namespace=namespace)
            group.RI = arrays["currents"] * b2.mV  # R = 1 MOhm: R*I in mV is I in nA
            synapses = []
            for kind, sign, weight in (("exc", "+", case.w_exc), ("inh", "-", case.w_inh)):
                # a refractory neuron discards its input, as in snnlab and NEST's iaf_psc_delta
                s = b2.Synapses(group, group, on_pre=f"v_post {sign}= w * int(not_refractory_post)",
                                delay=benchcases.DELAY * b2.ms, namespace={"w": weight * b2.mV})
                s.connect(i=arrays[f"{kind}_pre"], j=arrays[f"{kind}_post"])  # in source order
                synapses.append(s)
            objects = [group, *synapses]
            if case.poisson:
                objects.append(b2.PoissonInput(group, "v", N=case.poisson["n_sources"],
                                               rate=case.poisson["rate"] * b2.Hz,
                                               weight=f"{case.poisson['weight']}*mV*int(not_refractory)"))
            monitor = b2.SpikeMonitor(group)
            net = b2.Network(*objects, monitor)
            net.run(case.duration * b2.ms, namespace={})
            if standalone:
                b2.device.build(directory=str(directory / "project"), compile=True, run=True, with_output=False)
            t2 = time.perf_counter()
            sims.append(float(b2.device._last_run_time))
            wholes.append(t2 - t0)
            ids = np.asarray(monitor.i[:])
        out = {"sim": sims, "whole": wholes, "rates": rates(ids, case), "spikes": int(ids.size)}
        if standalone and rss_file.exists():
            out["child_peak_mb"] = float(rss_file.read_text())
        return out
    finally:
        shutil.rmtree(directory, ignore_errors=True)


WORKERS = {
    "snnlab": worker_snnlab,
    "python": worker_python,
    "nest": worker_nest,
    "brian2-cython": lambda case, repeats, data: worker_brian2(case, repeats, data, standalone=False),
    "brian2-standalone": lambda case, repeats, data: worker_brian2(case, repeats, data, standalone=True),
}


def measure_rss(argv):
    """``--measure-rss FILE CMD...``: run CMD, write its peak memory (MB) to FILE, exit with its code.

    Polls the child's ``VmHWM`` (a high-water mark, so polling loses nothing but the growth
    of its last few milliseconds)."""
    out, cmd = argv[0], argv[1:]
    proc = subprocess.Popen(cmd)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, peak_mb(proc.pid))
        time.sleep(0.005)
    Path(out).write_text(str(peak))
    sys.exit(proc.returncode)


def first_run_seconds(cold: bool) -> float:
    """Import snnlab, build and run case A in a fresh process; seconds, measured inside it."""
    code = ("import time; t = time.time(); import snnlab, cases; "
            "cases.network(cases.CASES['A']).run(cases.CASES['A'].duration); print(time.time() - t)")
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="snnlab-numba-cache-") as cache:
        if cold:
            env["NUMBA_CACHE_DIR"] = cache  # an empty cache: everything compiles
        out = subprocess.run([sys.executable, "-c", code], cwd=HERE, env=env, capture_output=True, text=True,
                             check=True)
    return float(out.stdout.strip().splitlines()[-1])


# -- the orchestra ---------------------------------------------------------------------------------------


def run_worker(simulator, case_name, repeats, data, timeout):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", simulator, "--case", case_name,
           "--repeats", str(repeats), "--data", str(data)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": tail[:100]}


def fmt_time(seconds):
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def table(results, cases):
    head = (f"{'case':<5}{'simulator':<19}{'sim':>10}{'whole':>10}{'peak MB':>9}{'rate E':>8}{'rate I':>8}"
            f"{'x sim':>8}{'x whole':>9}")
    lines = [head, "-" * len(head)]
    for name in cases:
        base = results.get((name, "snnlab"), {})
        for simulator in SIMULATORS:
            r = results.get((name, simulator))
            if r is None:
                continue
            if "error" in r:
                lines.append(f"{name:<5}{simulator:<19}  not run: {r['error']}")
                continue
            sim, whole = statistics.median(r["sim"]), statistics.median(r["whole"])
            ratio_sim = ratio_whole = ""
            if simulator != "snnlab" and "sim" in base:
                ratio_sim = f"{sim / statistics.median(base['sim']):.1f}x"
                ratio_whole = f"{whole / statistics.median(base['whole']):.1f}x"
            lines.append(f"{name:<5}{simulator:<19}{fmt_time(sim):>10}{fmt_time(whole):>10}{r['peak_mb']:>9.0f}"
                         f"{r['rates'][0]:>8.1f}{r['rates'][1]:>8.1f}{ratio_sim:>8}{ratio_whole:>9}")
    return "\n".join(lines)


def versions():
    out = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for module in ("numba", "nest", "brian2"):
        try:
            from importlib.metadata import version

            out.append(f"{module} {version({'nest': 'nest-simulator'}.get(module, module))}")
        except Exception:  # not installed
            out.append(f"{module} not installed")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores; " + ", ".join(out)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--measure-rss"]:
        measure_rss(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="A,B,C", help="comma-separated, from A, B, C (default all)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per simulator and case (median; default 5)")
    parser.add_argument("--repeats-c", type=int, default=3, help="runs on case C, the slow one (default 3)")
    parser.add_argument("--no-peers", action="store_true", help="snnlab (and the assignment's design) only")
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated, from {', '.join(PEERS)}")
    parser.add_argument("--no-first-run", action="store_true", help="skip the fresh-process first-run timing")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per simulator and case")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--worker", choices=SIMULATORS, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:  # one simulator, one case, in this process
        case = benchcases.CASES[args.case]
        out = WORKERS[args.worker](case, args.repeats, args.data)
        out["peak_mb"] = max(peak_mb(), out.pop("child_peak_mb", 0.0))
        print("RESULT " + json.dumps(out))
        return

    names = [c.strip().upper() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in names if c not in benchcases.CASES]
    if unknown:
        parser.error(f"--cases: must be among A, B, C (got {', '.join(unknown)})")
    peers = [] if args.no_peers else [p.strip() for p in args.peers.split(",") if p.strip()]
    print(f"snnlab benchmark: {versions()}")
    print(f"command: {' '.join([Path(sys.executable).name, 'benchmarks/compare.py', *argv])}\n")
    results = {}
    with tempfile.TemporaryDirectory(prefix="snnlab-bench-") as tmp:
        for name in names:
            case = benchcases.CASES[name]
            repeats = args.repeats_c if name == "C" else args.repeats
            data = Path(tmp) / f"{name}.npz"
            benchcases.export(case, data)
            simulators = ["snnlab", *peers] + (["python"] if name in PYTHON_CASES else [])
            for simulator in simulators:
                print(f"  case {name}: {simulator} x {repeats} ...", end="", flush=True)
                t0 = time.time()
                results[(name, simulator)] = run_worker(simulator, name, repeats, data, args.timeout)
                print(f" {time.time() - t0:.0f} s", flush=True)
            data.unlink()
    print()
    print(table(results, names))
    first = {}
    if not args.no_first_run:
        for label, cold in (("warm", False), ("cold", True)):
            first[label] = [first_run_seconds(cold) for _ in range(5)]
        print(f"\nfirst run of case A in a fresh process (import snnlab, build, run), median of 5: "
              f"numba cache warm {statistics.median(first['warm']):.2f} s, "
              f"cold (compiling) {statistics.median(first['cold']):.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"versions": versions(), "first_run": first,
                                         "results": {f"{c}/{s}": r for (c, s), r in results.items()}}, indent=1))


if __name__ == "__main__":
    main()
