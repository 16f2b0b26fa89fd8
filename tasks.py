#!/usr/bin/env python3
"""Set up snnlab and run it: the README's commands. Needs only Python (3.11.5+, 3.12 or 3.13) and pip.

    python3 tasks.py lab        set up .venv and open JupyterLab on your working copy my-work/ (the student
                                edition, copied there once; your work is saved there and never overwritten)
    python3 tasks.py lab --instructor   ... open JupyterLab on notebooks/ (the instructor edition) instead
    python3 tasks.py test       set up .venv and run every test (package, notebooks, browser)
    python3 tasks.py test -m "not slow"   ... only the fast ones (any pytest arguments pass through)
    python3 tasks.py setup      only set up .venv (the package, editable, with its test tools)
    python3 tasks.py bench      set up .venv with NEST and Brian2, run the benchmarks (arguments go to
                                benchmarks/compare.py, e.g. --cases A,B --no-peers), then time every slider
    python3 tasks.py figures DIR   write every notebook's main figures as PNG files into DIR
    python3 tasks.py editions   write the student edition notebooks/student/ from notebooks/ (commit it)
    python3 tasks.py grade DIR  grade DIR (one subfolder per student, holding their notebooks): run every
                                notebook and every check, write DIR/grades.csv (--timeout S per notebook)
    python3 tasks.py check-wheels   check that every pinned package of every extra has a wheel for every
                                Python the README promises (needs PyPI; about 2 minutes)

The virtual environment lives in .venv next to this file. Installs use the pinned
versions in requirements/constraints.txt, the set CI tests; the install is redone
only when pyproject.toml or the constraints change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
#: nbval runs the instructor edition with its checked outputs; the student edition (no outputs to
#: compare) is executed by tests/test_editions.py, which also checks every exercise says "not done yet"
TEST_COMMAND = ["-m", "pytest", "--nbval-lax", "--nbval-current-env", "tests", "notebooks",
                "--ignore=notebooks/student"]
#: The Pythons the README promises: 3.11.5 is the oldest the pins accept; on 3.14 the lab's packages
#: have wheels, but the tests' Brian2 2.9.0 and the benchmarks' NEST 3.10.0 do not (yet).
OLDEST, NEWEST_TESTED = (3, 11, 5), (3, 13)
#: The student's working copy of the student edition: JupyterLab saves the student's work here.
WORK = ROOT / "my-work"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*args, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def setup(extra: str = "test") -> Path:
    this = sys.version.split()[0]
    if sys.version_info < OLDEST:
        sys.exit(f"snnlab needs Python 3.11.5 or newer (this is {this}): some pinned packages need it")
    if sys.version_info[:2] > NEWEST_TESTED:
        if extra != "lab":
            sys.exit(f"snnlab's tests and benchmarks need Python 3.11.5 to 3.13 (this is {this}): Brian2 2.9.0 and "
                     "NEST 3.10.0 publish no wheels for it yet. Use 3.13 (e.g. with pyenv or uv), or `lab` alone")
        print(f"note: snnlab is tested on Python 3.11.5 to 3.13; on {this} the lab's packages install, but "
              "the tests cannot run", flush=True)
    python = venv_python()
    if not python.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes() + extra.encode()
    ).hexdigest()
    stamp = VENV / f".snnlab-installed-{extra}"
    if not stamp.exists() or stamp.read_text() != digest:
        # -qq: pip then prints errors only. Without it, a current pip shows setuptools' note that
        # every editable install gets ("be careful with folders named like your package"), which
        # reads like a problem to a student and is not one here.
        run(python, "-m", "pip", "install", "-qq", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "-qq", "-c", CONSTRAINTS, "-e", f"{ROOT}[{extra}]")
        stamp.write_text(digest)
    return python


def lab(args) -> None:
    python = setup("lab")
    if "--instructor" in args:
        args = [a for a in args if a != "--instructor"]
        folder = ROOT / "notebooks"
    else:
        # copy what is not there yet; a student's file is never overwritten (a newer edition goes beside it)
        run(python, "-m", "snnlab", "workcopy", "--edition", ROOT / "notebooks" / "student", "--to", WORK, cwd=ROOT)
        folder = WORK
    command = [python, "-m", "jupyter", "lab", str(folder), *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        command.append("--allow-root")  # containers often run as root; JupyterLab refuses otherwise
    run(*command, cwd=ROOT)


def test(args) -> None:
    python = setup("test")
    env = dict(os.environ, MPLBACKEND="Agg")
    completed = subprocess.run([str(python), *TEST_COMMAND, *args], cwd=ROOT, env=env)
    sys.exit(completed.returncode)


def bench(args) -> None:
    python = setup("test,bench")
    env = dict(os.environ, MPLBACKEND="Agg")
    for script, script_args in (("compare.py", args), ("slider_latency.py", [])):
        completed = subprocess.run([str(python), str(ROOT / "benchmarks" / script), *script_args], cwd=ROOT, env=env)
        if completed.returncode:
            sys.exit(completed.returncode)


def figures(args) -> None:
    python = setup("lab")
    if len(args) != 1:
        sys.exit("usage: python3 tasks.py figures OUTDIR")
    run(python, "-m", "snnlab", "figures", args[0], cwd=ROOT)


def editions(args) -> None:
    python = setup("lab")
    run(python, "-m", "snnlab", "editions", "--source", ROOT / "notebooks", *args, cwd=ROOT)


def grade(args) -> None:
    python = setup("lab")
    if not args or args[0].startswith("-"):
        sys.exit("usage: python3 tasks.py grade SUBMISSIONS_DIR [--timeout SECONDS] [--notebooks NAME ...]")
    completed = subprocess.run([str(python), "-m", "snnlab", "grade", *args], env=dict(os.environ, MPLBACKEND="Agg"))
    sys.exit(completed.returncode)


def check_wheels(args) -> None:
    completed = subprocess.run([sys.executable, str(ROOT / "requirements" / "check_wheels.py"), *args], cwd=ROOT)
    sys.exit(completed.returncode)


def main(argv: list[str]) -> None:
    tasks = {"lab": lab, "test": test, "bench": bench, "figures": figures, "editions": editions, "grade": grade,
             "check-wheels": check_wheels, "setup": lambda args: setup("test")}
    if not argv or argv[0] not in tasks:
        print(__doc__)
        sys.exit(2)
    tasks[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
