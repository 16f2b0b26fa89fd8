"""Check that every pinned package of every extra has a wheel for every Python we promise.

    python3 tasks.py check-wheels            # every extra on Linux x86_64, the lab on Windows and
                                             # Apple-silicon macOS; every promised Python
    python3 requirements/check_wheels.py --extras lab --platforms win_amd64,macosx_14_0_arm64

For each (Python version, platform, extra) pip resolves what ``snnlab[extra]`` asks for against
``requirements/constraints.txt`` with ``--only-binary=:all:`` and ``--dry-run`` (so it reads
the wheels' metadata and downloads no wheel body): a pin without a wheel for that Python
fails the resolution, and the check names it. Needs the network (PyPI); about 10 s a line.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"

#: The Pythons the README promises (the oldest patch release the pins accept: soupsieve and
#: others need 3.11.5), and the ones checked on Linux; keep in step with README.md.
PROMISED = ("3.11.5", "3.12", "3.13")
EXTRAS = ("lab", "test", "bench")
#: Students' laptops: the lab extra must also install there (Intel Macs are left out: numba
#: 0.68 publishes no macOS x86_64 wheel).
STUDENT_PLATFORMS = ("win_amd64", "macosx_14_0_arm64")
LINUX = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64")


def requirements(extra: str) -> list[str]:
    """What ``snnlab[extra]`` asks for, from pyproject.toml, with ``snnlab[...]`` expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    out = list(project["dependencies"])
    todo, seen = [extra], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for req in project["optional-dependencies"][name]:
            nested = re.fullmatch(r"snnlab\[([\w,-]+)\]", req.replace(" ", ""))
            if nested:
                todo += nested.group(1).split(",")
            else:
                out.append(req)
    return out


def check(python: str, platform: str, extra: str) -> str | None:
    """None when every package ``snnlab[extra]`` needs has a wheel, else pip's complaint."""
    platforms = LINUX if platform == "linux" else (platform,)
    with tempfile.TemporaryDirectory() as target:
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                   "--only-binary=:all:", "--python-version", python, "--target", target,
                   "--report", str(Path(target) / "report.json"), "-c", str(CONSTRAINTS)]
        for p in platforms:
            command += ["--platform", p]
        done = subprocess.run([*command, *requirements(extra)], capture_output=True, text=True)
        if done.returncode == 0:
            report = json.loads((Path(target) / "report.json").read_text())
            return None if report.get("install") else "pip resolved nothing"
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
    return " / ".join(errors[-2:]) or done.stderr.strip()[-300:]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pythons", default=",".join(PROMISED))
    parser.add_argument("--platforms", default=None,
                        help="'linux' or pip platform tags, comma-separated (default: linux for every extra, "
                             f"and {', '.join(STUDENT_PLATFORMS)} for the lab)")
    parser.add_argument("--extras", default=",".join(EXTRAS))
    args = parser.parse_args(argv)
    extras = args.extras.split(",")
    if args.platforms is None:
        targets = [("linux", extras)] + [(p, [e for e in extras if e == "lab"]) for p in STUDENT_PLATFORMS]
    else:
        targets = [(p, extras) for p in args.platforms.split(",")]
    failures = 0
    for python in args.pythons.split(","):
        for platform, wanted in targets:
            for extra in wanted:
                problem = check(python, platform, extra)
                failures += problem is not None
                print(f"Python {python:7} {platform:22} snnlab[{extra}]: {'ok' if problem is None else problem}",
                      flush=True)
    print("every pinned package has a wheel" if not failures else f"{failures} combination(s) lack a wheel")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
