"""Grade a folder of submissions: run each student's notebooks in a fresh kernel, then every check.

``python -m snnlab grade SUBMISSIONS`` (``python3 tasks.py grade SUBMISSIONS``) expects one
subfolder per student, named by the student, holding that student's notebooks named as in the lab
(``00_lif_neuron.ipynb``, ...). For each student and notebook (:func:`grade_notebook`):

1. the notebook runs top to bottom in a fresh kernel, in the student's folder, with a limit on
   its total time (``timeout``, 300 s by default); a cell that raises does not stop the run, so
   an early exercise that crashes does not cost the later ones;
2. in the same kernel, a cell of the grader's runs every check of the notebook on the student's
   names (:func:`snnlab.exercises.grade_namespace`), so what counts is what the checks find, not
   what the notebook printed;
3. a notebook that is missing, is not a notebook, kills its kernel or runs out of time gets the
   rows of the exercises that could not be graded failed, with the reason. Nothing stops the grader.

It writes ``SUBMISSIONS/grades.csv`` (``student,notebook,exercise,passed,message``, one row per
student and exercise, sorted) and prints a summary.

The student's code runs with the grader's rights and could tamper with snnlab inside its own
kernel: grade on a machine or account you do not mind, as with any autograder without a sandbox.
"""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import exercises as _exercises

#: Seconds the grader's own cell may take beyond the checks' budgets (kernel round trips, imports).
GRADING_SLACK = 60.0
#: Marks the grader's line in its cell's output.
MARK = "SNNLAB-GRADES:"


class GradingError(ValueError):
    """The submissions folder itself is unusable (missing, or holding no student)."""


@dataclass(frozen=True, order=True)
class Row:
    """One line of grades.csv."""

    student: str
    notebook: str
    exercise: str
    passed: bool
    message: str

    def csv(self) -> list[str]:
        return [self.student, self.notebook, self.exercise, "1" if self.passed else "0", self.message]


def _grading_code(notebook: str, modules: Iterable[str]) -> str:
    imports = "".join(f"_snnlab_importlib.import_module({m!r})\n" for m in modules)
    return (
        "import importlib as _snnlab_importlib, json as _snnlab_json\n"
        f"{imports}"
        "import snnlab.exercises as _snnlab_exercises\n"
        "_snnlab_exercises.load_all()\n"
        f"print({MARK!r} + _snnlab_json.dumps([[v.exercise, v.status, v.message] for v in "
        f"_snnlab_exercises.grade_namespace({notebook!r}, globals())]))\n"
    )


def _run(path: Path, notebook: str, names: list[str], timeout: float, modules: tuple[str, ...]):
    """Execute one notebook and its checks; returns ({exercise: (status, message)}, reason) where
    ``reason`` says why the run stopped early (None when every cell ran)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a student's notebook may lack cell ids and the like
            nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return {}, f"{path.name} could not be read as a notebook ({type(exc).__name__}: {str(exc)[:200]})"
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                            kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    reason = None
    verdicts = {}
    grading = nbformat.v4.new_code_cell(_grading_code(notebook, modules))
    deadline = time.monotonic() + timeout
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's start-up chatter, once per notebook
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    reason = (f"the notebook ran out of its {timeout:g} s before cell {index} "
                              "(an endless loop, or a much longer run than the exercise needs?)")
                    break
                client.timeout = max(1, int(left + 0.999))
                client.execute_cell(cell, index)
                if time.monotonic() >= deadline:
                    reason = (f"the notebook ran out of its {timeout:g} s in cell {index} "
                              "(an endless loop, or a much longer run than the exercise needs?)")
                    break
            nb.cells.append(grading)
            client.timeout = int(GRADING_SLACK + _exercises.BUDGET * len(names))
            client.execute_cell(grading, len(nb.cells) - 1)
        except DeadKernelError:
            return {}, reason or "the kernel died while the notebook ran (it crashed, or used too much memory)"
        for output in grading.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                for line in output.get("text", "").splitlines():
                    if line.startswith(MARK):
                        verdicts = {e: (s, m) for e, s, m in json.loads(line[len(MARK):])}
        if not verdicts:
            errors = [o for o in grading.get("outputs", []) if o.get("output_type") == "error"]
            why = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else "no answer"
            reason = reason or f"the checks could not be run in the notebook's kernel ({why})"
    return verdicts, reason


def grade_notebook(path: Path, notebook: str, *, timeout: float = 300.0,
                   modules: tuple[str, ...] = ()) -> list[tuple[str, bool, str]]:
    """Run ``path`` (a student's copy of ``notebook``) and every check of ``notebook`` in a fresh
    kernel; one ``(exercise, passed, message)`` per exercise of the notebook, in order.
    ``modules`` are imported in the kernel before the checks (exercise modules outside snnlab)."""
    for module in modules:
        importlib.import_module(module)
    names = [ex.name for ex in _exercises.exercises(notebook)]
    if not path.exists():
        return [(name, False, f"not submitted: {path.name} is not in the student's folder") for name in names]
    try:
        verdicts, reason = _run(path, notebook, names, timeout, modules)
    except Exception as exc:  # the grader goes on with the next notebook, whatever happened here
        verdicts, reason = {}, f"the notebook could not be run ({type(exc).__name__}: {str(exc)[:200]})"
    rows = []
    for name in names:
        status, message = verdicts.get(name, ("failed", None))
        if message is None or (reason and message.startswith("not found in the notebook")):
            message = f"not graded: {reason}"
        rows.append((name, status == "passed", message))
    return rows


def grade(submissions: Path, *, timeout: float = 300.0, notebooks: Iterable[str] | None = None,
          modules: tuple[str, ...] = (), progress=print) -> list[Row]:
    """Grade every student's folder in ``submissions``; the sorted rows of grades.csv."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingError(f"no folder {submissions} (one subfolder per student, holding their notebooks)")
    for module in modules:
        importlib.import_module(module)
    _exercises.load_all()
    every = list(dict.fromkeys(nb for nb, _ in _exercises.REGISTRY))
    wanted = list(notebooks) if notebooks else every
    unknown = sorted(set(wanted) - set(every))
    if unknown:
        raise GradingError(f"no exercises for the notebooks {unknown}; the notebooks with exercises are {every}")
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not students:
        raise GradingError(f"{submissions} holds no student folder (one subfolder per student)")
    rows = []
    for student in students:
        for notebook in wanted:
            started = time.monotonic()
            found = grade_notebook(student / f"{notebook}.ipynb", notebook, timeout=timeout, modules=modules)
            rows += [Row(student.name, notebook, name, passed, message) for name, passed, message in found]
            if progress:
                progress(f"{student.name} {notebook}: {sum(p for _, p, _ in found)}/{len(found)} "
                         f"({time.monotonic() - started:.0f} s)", flush=True)
    return sorted(rows)


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["student", "notebook", "exercise", "passed", "message"])
        writer.writerows(row.csv() for row in rows)


def summary(rows: list[Row]) -> str:
    """Per student: exercises passed out of all; per exercise: how many students passed it."""
    students = sorted({r.student for r in rows})
    exercises = list(dict.fromkeys((r.notebook, r.exercise) for r in rows))
    width = max(len(s) for s in students)
    lines = ["Per student (exercises passed):"]
    for s in students:
        mine = [r for r in rows if r.student == s]
        lines.append(f"  {s:<{width}}  {sum(r.passed for r in mine)}/{len(mine)}")
    lines.append("Per exercise (students who passed it):")
    for nb, ex in exercises:
        theirs = [r for r in rows if (r.notebook, r.exercise) == (nb, ex)]
        lines.append(f"  {nb} {ex}: {sum(r.passed for r in theirs)}/{len(theirs)}")
    return "\n".join(lines)


def grade_folder(submissions: Path, *, timeout: float = 300.0, notebooks: Iterable[str] | None = None,
                 modules: tuple[str, ...] = ()) -> list[Row]:
    """:func:`grade`, then write ``submissions/grades.csv`` and print the summary."""
    rows = grade(submissions, timeout=timeout, notebooks=notebooks, modules=modules)
    out = Path(submissions) / "grades.csv"
    write_csv(rows, out)
    print(summary(rows))
    print(f"Wrote {out} ({len(rows)} rows)", flush=True)
    return rows
