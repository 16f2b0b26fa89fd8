"""The README's commands, CI and the two dependency lists stay in agreement."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(requirement: str) -> str:
    return requirement.strip()[len(_name(requirement)):].replace(" ", "")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if name != "bench":  # the benchmark's peers are not part of the environment
            wanted += [r for r in extra if not r.startswith("snnlab")]
    text = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    conda = [
        line.strip()[2:] for line in text.splitlines()
        if re.match(r"^  - [a-zA-Z][^:]*$", line) and _name(line.strip()[2:]) not in ("python", "pip")
    ]
    assert {_name(r): _spec(r) for r in conda} == {_name(r): _spec(r) for r in wanted}


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(python3 tasks\.py \w+)", readme, flags=re.MULTILINE)
    assert commands[:2] == ["python3 tasks.py lab", "python3 tasks.py test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in ci.splitlines()


def test_constraints_pin_every_dependency_exactly():
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    for requirement in direct:
        if not requirement.startswith("snnlab"):
            assert _name(requirement) in pins, f"{requirement} is not pinned in requirements/constraints.txt"


def test_the_code_is_lint_clean():
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "snnlab", "tests",
                                "benchmarks", "tasks.py"], cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
