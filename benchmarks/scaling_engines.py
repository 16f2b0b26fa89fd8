"""How far each engine goes on one machine: Brunel networks of growing size on snnlab, NEST
and Brian2 standalone, side by side (issue 11, item 7).

    .venv/bin/python benchmarks/scaling_engines.py                       # the defaults below
    .venv/bin/python benchmarks/scaling_engines.py --sizes 12500,25000 --engines snnlab,nest-1 --max-gb 4

The network is case C of ``benchmarks/cases.py`` (Brunel's model A: 80 % excitatory, every
neuron receiving exactly 1,000 excitatory and 250 inhibitory synapses, J = 0.1 mV, g = 5,
Poisson drive at 2 nu_thr, seed 2026) with N neurons, so the synapses are 1,250 N: 15.6 M at
N = 12,500. Engines (each run in a subprocess of its own, one after the other):

* ``snnlab``: ``Network.build`` then ``Simulation.run``, one core;
* ``nest-1``, ``nest-2``: ``net.run(duration, backend="nest", threads=k)`` (NEST 3.10,
  ``local_num_threads = k``), snnlab's build handed to NEST;
* ``brian2-1``, ``brian2-2``: Brian2 C++ standalone with ``openmp_threads = k``: snnlab's
  ``backend="brian2"`` where it exists, else the standalone runner of ``benchmarks/compare.py``
  (the same network: snnlab's exported synapses, ``PoissonInput``).

Figures, per engine and size:

* **s per s**: seconds of the engine's simulation loop per simulated second (snnlab
  ``Simulation.run``; NEST ``Simulate``; Brian2's own timer of the binary's main loop);
  **whole** is the whole call (build, NEST's ``Connect``, Brian2's code generation and
  compilation included) per simulated second.
* **B/syn**: (peak resident memory of the run's process - that of the same engine's process
  running a 10-neuron network) / synapses. The peak is ``VmHWM`` of the process; for Brian2
  standalone it is the Python process's plus the compiled binary's (the Python process waits,
  holding its memory, while the binary runs). At a fixed in-degree the neurons grow with the
  synapses, so this includes each neuron's share (1/1,250 of a neuron per synapse).
* **growth**: the exponent a of a least-squares fit time ~ N**a over the sizes measured, and
  2**a, the factor per doubling of N.
* **largest N in 24 GiB** (extrapolated, not measured): the N at which the fitted line
  peak = a + b * synapses reaches 24 GiB.

Memory safety: before each run the peak is predicted from the engine's smaller runs (or from
a cautious prior before the first), and a size predicted above ``--max-gb`` is not started.
Figures only: nothing here fails because the machine is slow or busy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases as benchcases  # noqa: E402
import compare  # noqa: E402

ENGINES = ("snnlab", "nest-1", "nest-2", "brian2-1", "brian2-2")
#: Bytes per synapse assumed before an engine's first run, to predict its first peak
#: (about 1.5x the figures of compare.py's case C, to err on the safe side).
PRIOR_BYTES_PER_SYNAPSE = {"snnlab": 20.0, "nest": 130.0, "brian2": 100.0}
#: The machine's memory the extrapolation fills, bytes.
MACHINE_BYTES = 24 * 2**30
K_EXC, K_INH = 1000, 250


def case_for(n: int) -> benchcases.Case:
    """Case C's network with ``n`` neurons (n = 10: the baseline's 10-neuron network)."""
    c = benchcases.CASES["C"]
    n_exc = int(0.8 * n)
    k_exc, k_inh = (K_EXC, K_INH) if n >= 2 * K_EXC else (4, 1)
    return benchcases.Case(f"N{n}", n_exc=n_exc, n_inh=n - n_exc, duration=c.duration, rule=c.rule,
                           k_exc=k_exc, k_inh=k_inh, w_exc=c.w_exc, w_inh=c.w_inh, tau_m=c.tau_m,
                           threshold=c.threshold, u_reset=c.u_reset, poisson=c.poisson)


def family(engine: str) -> str:
    return engine.split("-")[0]


def threads_of(engine: str) -> int:
    return int(engine.split("-")[1]) if "-" in engine else 1


# -- workers: one engine, one size, in this process; print one JSON line ---------------------------------


def worker(engine: str, n: int, duration: float, data: str | None) -> dict:
    import snnlab.backends as backends

    case = case_for(n)
    threads = threads_of(engine)
    out = {"synapses": case.n * (case.k_exc + case.k_inh)}
    t0 = time.perf_counter()
    if engine == "snnlab":
        sim = benchcases.network(case).build()
        t1 = time.perf_counter()
        res = sim.run(duration, record=None)
        out["sim"] = time.perf_counter() - t1
        steps = res.spikes()[1]
    elif family(engine) == "nest":
        import snnlab.backends.nest as nest_backend

        nest, spent = nest_backend.load(), []

        class Timed:  # NEST, with its own loop timed apart from snnlab's build and NEST's Connect
            def __getattr__(self, name):
                return getattr(nest, name)

            def Simulate(self, t):  # NEST's name
                t1 = time.perf_counter()
                nest.Simulate(t)
                spent.append(time.perf_counter() - t1)

        nest_backend.load = Timed
        res = benchcases.network(case).run(duration, backend="nest", threads=threads, record=None)
        out["sim"] = sum(spent)
        steps = res.spikes()[1]
    elif "brian2" in backends.BACKENDS:  # snnlab's own Brian2 backend
        import brian2 as b2
        from brian2.devices.device import all_devices

        # run the binary through compare.py, which records its own peak (VmHWM); the rusage of
        # children will not do: Linux starts a child's maxrss at the parent's RSS when it forks
        rss_file = Path(tempfile.mkdtemp(prefix="snnlab-scaling-rss-")) / "binary_peak_mb"
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, str(HERE / "compare.py"), "--measure-rss",
                                                        str(rss_file), "./main"]
        res = benchcases.network(case).run(duration, backend="brian2", threads=threads, record=None)
        # Brian2's own timer of the binary's main loop (the backend restores the runtime device after)
        out["sim"] = float(getattr(all_devices["cpp_standalone"], "_last_run_time", math.nan))
        steps = res.spikes()[1]
        out["child_peak_mb"] = float(rss_file.read_text()) if rss_file.exists() else 0.0
    else:  # compare.py's standalone runner, on snnlab's exported synapses
        import brian2 as b2

        b2.prefs.devices.cpp_standalone.openmp_threads = threads
        b2.BrianLogger.suppress_name("cpp_standalone.device.openmp")
        run_case = benchcases.Case(**{**case.__dict__, "duration": duration})
        r = compare.worker_brian2(run_case, 1, data, standalone=True)
        out["sim"] = r["sim"][0]
        out["child_peak_mb"] = r.get("child_peak_mb", 0.0)
        out["spikes"] = r["spikes"]
        out["rate"] = r["spikes"] / case.n / (duration / 1000.0)
        steps = None
    out["whole"] = time.perf_counter() - t0
    if steps is not None:
        out["spikes"] = int(np.asarray(steps).size)
        out["rate"] = out["spikes"] / case.n / (duration / 1000.0)
    out["self_peak_mb"] = compare.peak_mb()
    return out


def run_worker(engine, n, duration, data, timeout) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--n", str(n),
           "--duration", str(duration)] + (["--data", str(data)] if data else [])
    t0 = time.time()
    loads = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while proc.poll() is None:  # sample the machine's load while the run goes on
            loads.append(os.getloadavg()[0])
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
            if time.time() - t0 > timeout:
                proc.kill()
                proc.wait()
                return {"error": f"timed out after {timeout:.0f} s"}
        stdout, stderr = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
    for line in stdout.splitlines()[::-1]:
        if line.startswith("RESULT "):
            out = json.loads(line[len("RESULT "):])
            out["wall"] = time.time() - t0
            out["load"] = loads
            return out
    tail = (stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": tail[:160]}


# -- analysis -----------------------------------------------------------------------------------------


def measured(r: dict) -> bool:
    """Whether a row is a finished run (not a failure, not a size refused by --max-gb, not a baseline)."""
    return "error" not in r and "refused" not in r and r["n"] >= 2 * K_EXC


def peak_of(r: dict) -> float:
    """The run's peak memory, MB: the Python process plus (Brian2) the compiled binary."""
    return r["self_peak_mb"] + r.get("child_peak_mb", 0.0)


def predicted_peak_mb(engine: str, n: int, rows: list, baseline: float) -> float:
    """Peak memory predicted for N = n, MB: linear in synapses through the engine's largest run so far."""
    mine = [r for r in rows if r["engine"] == engine and measured(r)]
    synapses = n * (K_EXC + K_INH)
    if not mine:
        return baseline + PRIOR_BYTES_PER_SYNAPSE[family(engine)] * synapses / 1e6
    last = max(mine, key=lambda r: r["n"])
    per = max(peak_of(last) - baseline, 0.0) / last["synapses"]
    return baseline + 1.1 * per * synapses  # 10 % margin


def fit_memory(points: list[tuple[int, float]], baseline: float) -> tuple[float, float]:
    """Least-squares line peak = a + b * synapses (MB) over the baseline (0 synapses) and the runs."""
    x = np.array([0.0] + [s for s, _ in points])
    y = np.array([baseline] + [p for _, p in points])
    b, a = np.polyfit(x, y, 1)
    return float(a), float(b)


def growth_exponent(ns, times) -> float:
    if len(ns) < 2:
        return math.nan
    return float(np.polyfit(np.log(ns), np.log(times), 1)[0])


def summarise(rows: list, baselines: dict, engines) -> dict:
    out = {}
    for engine in engines:
        mine = sorted((r for r in rows if r["engine"] == engine and measured(r)), key=lambda r: r["n"])
        if not mine or engine not in baselines:
            continue
        base = baselines[engine]
        a, b = fit_memory([(r["synapses"], peak_of(r)) for r in mine], base)
        largest = (MACHINE_BYTES / 1e6 - a) / (b * (K_EXC + K_INH)) if b > 0 else math.inf
        ns = [r["n"] for r in mine]
        alpha = growth_exponent(ns, [r["sim"] for r in mine])
        out[engine] = {"baseline_mb": base, "fit_intercept_mb": a, "fit_bytes_per_synapse": b * 1e6,
                       "growth_exponent": alpha, "per_doubling": 2**alpha if not math.isnan(alpha) else math.nan,
                       "largest_n_24gib": int(largest // 100 * 100) if math.isfinite(largest) else None,
                       "largest_synapses_24gib": int(largest * (K_EXC + K_INH)) if math.isfinite(largest) else None}
    return out


def table(rows, duration) -> str:
    seconds = duration / 1000.0
    head = (f"{'engine':<10}{'N':>8}{'synapses':>10}{'rate Hz':>9}{'s per s':>9}{'whole/s':>9}{'peak MB':>9}"
            f"{'B/syn':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r or "refused" in r:
            lines.append(f"{r['engine']:<10}{r['n']:>8}  {r.get('refused') or 'failed: ' + r['error']}")
            continue
        lines.append(f"{r['engine']:<10}{r['n']:>8}{r['synapses'] / 1e6:>9.1f}M{r['rate']:>9.1f}"
                     f"{r['sim'] / seconds:>9.2f}{r['whole'] / seconds:>9.1f}{peak_of(r):>9.0f}"
                     f"{r['bytes_per_synapse']:>7.1f}")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12500,25000,50000,100000", help="neurons, comma-separated")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, from {', '.join(ENGINES)}")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms per run (default 1000)")
    parser.add_argument("--max-gb", type=float, default=6.0,
                        help="do not start a run whose predicted peak exceeds this, GB (default 6)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per run (default 1200)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in the --json file and run only the missing ones")
    parser.add_argument("--markdown", type=Path, help="print the tables of a saved --json file as markdown, and stop")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return
    if args.worker:
        print("RESULT " + json.dumps(worker(args.worker, args.n, args.duration, args.data)), flush=True)
        return

    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"--engines: must be among {', '.join(ENGINES)} (got {', '.join(unknown)})")
    if sizes and sizes[0] < 2 * K_EXC:
        parser.error(f"--sizes: each must be >= {2 * K_EXC} neurons (got {sizes[0]})")
    command = " ".join([Path(sys.executable).name, "benchmarks/scaling_engines.py", *argv])
    print(f"scaling benchmark: {compare.versions()}\ncommand: {command}\n", flush=True)
    start = time.time()
    load_start = os.getloadavg()
    rows, baselines = [], {}
    if args.resume and args.json and args.json.exists():
        old = json.loads(args.json.read_text())
        rows, baselines = [r for r in old["rows"] if "error" not in r], old["baselines_mb"]
        start -= old["elapsed_s"]
        command = f"{old['command']}; then, resumed: {command}"
        load_start = old["load_start"]
    with tempfile.TemporaryDirectory(prefix="snnlab-scaling-") as tmp:
        for engine in engines:
            if engine not in baselines:
                base = run_worker(engine, 10, args.duration, _data(engine, 10, tmp), args.timeout)
                if "error" in base:
                    print(f"  {engine}: baseline failed ({base['error']}); skipped", flush=True)
                    rows.append({"engine": engine, "n": 10, "error": base["error"]})
                    continue
                baselines[engine] = peak_of(base)
            print(f"  {engine}: baseline (10 neurons) {baselines[engine]:.0f} MB", flush=True)
            for n in sizes:
                if any(r["engine"] == engine and r["n"] == n for r in rows):
                    continue  # resumed: measured (or refused) before
                predicted = predicted_peak_mb(engine, n, rows, baselines[engine])
                if predicted > args.max_gb * 1000:
                    rows.append({"engine": engine, "n": n, "predicted_mb": predicted,
                                 "refused": f"not started: predicted peak {predicted / 1000:.1f} GB > --max-gb "
                                            f"{args.max_gb:g}"})
                    print(f"  {engine} N={n}: {rows[-1]['refused']}", flush=True)
                    continue
                print(f"  {engine} N={n} (predicted peak {predicted / 1000:.1f} GB) ...", end="", flush=True)
                r = run_worker(engine, n, args.duration, _data(engine, n, tmp), args.timeout)
                r.update(engine=engine, n=n, predicted_mb=predicted)
                if "error" not in r:
                    r["bytes_per_synapse"] = (peak_of(r) - baselines[engine]) * 1e6 / r["synapses"]
                    print(f" {r['wall']:.0f} s, sim {r['sim']:.2f} s, peak {peak_of(r):.0f} MB", flush=True)
                else:
                    print(f" failed: {r['error']}", flush=True)
                rows.append(r)
                report(rows, baselines, engines, args, command, start, load_start)
                if "error" in r:
                    break
    summary = report(rows, baselines, engines, args, command, start, load_start, final=True)
    for engine, s in summary.items():
        largest = f"{s['largest_n_24gib']:,} ({s['largest_synapses_24gib'] / 1e9:.2f} G synapses)" \
            if s["largest_n_24gib"] else "-"
        print(f"{engine:<10}{s['growth_exponent']:>20.2f}{s['per_doubling']:>16.2f}"
              f"{s['fit_bytes_per_synapse']:>11.1f}{largest:>36}")


def report(rows, baselines, engines, args, command, start, load_start, final=False) -> dict:
    """Print the table (when ``final``) and write the JSON file (after every run, so that an
    interrupted benchmark leaves what it measured)."""
    elapsed = time.time() - start
    loads = [x for r in rows for x in r.get("load", [])]
    summary = summarise(rows, baselines, engines)
    load_text = (f"load average (1 min) during the runs: mean {np.mean(loads):.1f}, max {np.max(loads):.1f} "
                 f"on {os.cpu_count()} cores" if loads else "")
    if final:
        print()
        print(table(rows, args.duration))
        print(f"\nwhole benchmark: {elapsed / 60:.1f} min; {load_text}\n")
        print(f"{'engine':<10}{'growth: time ~ N^a':>20}{'x per doubling':>16}{'fit B/syn':>11}"
              f"{'largest N in 24 GiB (extrapolated)':>36}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "command": command, "versions": compare.versions(), "platform": platform.platform(),
            "duration_ms": args.duration, "max_gb": args.max_gb, "machine_bytes": MACHINE_BYTES,
            "in_degree": K_EXC + K_INH, "elapsed_s": elapsed, "finished": final, "load_start": load_start,
            "load_mean": float(np.mean(loads)) if loads else None, "load_max": float(np.max(loads)) if loads else None,
            "baselines_mb": baselines, "rows": rows,
            "summary": summary}, indent=1) + "\n")
    return summary


def markdown(data: dict) -> str:
    """The measured runs and the per-engine summary of a saved benchmark, as markdown tables."""
    seconds = data["duration_ms"] / 1000.0
    lines = ["| engine | N | synapses | rate (Hz) | s per simulated s | whole call per simulated s | peak (MB) | "
             "bytes per synapse |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in data["rows"]:
        if r["n"] < 2 * K_EXC:
            continue
        if "refused" in r or "error" in r:
            lines.append(f"| {r['engine']} | {r['n']:,} | {r['n'] * (K_EXC + K_INH) / 1e6:.1f} M | "
                         f"{r.get('refused') or 'failed: ' + r['error']} | | | | |")
            continue
        lines.append(f"| {r['engine']} | {r['n']:,} | {r['synapses'] / 1e6:.1f} M | {r['rate']:.1f} | "
                     f"{r['sim'] / seconds:.1f} | {r['whole'] / seconds:.0f} | {peak_of(r):,.0f} | "
                     f"{r['bytes_per_synapse']:.0f} |")
    lines += ["", "| engine | baseline (MB) | fitted bytes per synapse | time x per doubling of N | "
              "largest N in 24 GiB (extrapolated) |", "|---|---:|---:|---:|---:|"]
    for engine, s in data["summary"].items():
        largest = f"{s['largest_n_24gib']:,} ({s['largest_synapses_24gib'] / 1e9:.2f} G synapses)"
        lines.append(f"| {engine} | {s['baseline_mb']:.0f} | {s['fit_bytes_per_synapse']:.0f} | "
                     f"{s['per_doubling']:.2f} | {largest} |")
    return "\n".join(lines)


def _data(engine: str, n: int, tmp: str) -> str | None:
    """compare.py's Brian2 runner reads snnlab's synapses from a file; the other engines build them."""
    import snnlab.backends as backends

    if family(engine) != "brian2" or "brian2" in backends.BACKENDS:
        return None
    path = Path(tmp) / f"N{n}.npz"
    if not path.exists():
        for old in Path(tmp).glob("N*.npz"):
            old.unlink()
        benchcases.export(case_for(n), path)
    return str(path)


if __name__ == "__main__":
    main()
