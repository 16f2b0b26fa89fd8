"""The grader on a folder of three submissions made here: one complete, one partial, one broken
(a notebook that is not JSON, one whose cells raise, one that loops forever, one missing).

The exercises are a small fixture module (``gradefixture``, written into tmp_path and put on the
path of this process and of the kernels it starts), so the expected CSV does not move when the
course's exercises do."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from snnlab import exercises
from snnlab.grading import GradingError, grade, grade_folder, summary

FIXTURE = '''
"""Two fixture notebooks' exercises for the grader's test."""
from snnlab.exercises._core import Failure, call, close, exercise, number

@exercise("90_one", "double", targets="double", title="twice x")
def double(f):
    for x in (0.0, 1.5, -2.0):
        close(number(call(f, x, what="double(x)"), what="double(x)"), 2 * x, what="double(x)",
              case=f"x = {x}", hint="twice")
    return "3 cases agree"

@exercise("90_one", "square", targets="square", title="x squared")
def square(f):
    for x in (0.0, 3.0):
        close(number(call(f, x, what="square(x)"), what="square(x)"), x * x, what="square(x)",
              case=f"x = {x}", hint="x times x")
    return "2 cases agree"

@exercise("91_two", "answer", targets="answer", title="the answer")
def answer(value):
    if value != 42:
        raise Failure(f"expected 42, got {value!r}")
    return "it is 42"
'''

HEADER = "import gradefixture as check\n"
DOUBLE = "def double(x):\n    return 2 * x\n"
SQUARE = "def square(x):\n    return x * x\n"


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources]
    return nb


@pytest.fixture
def fixture_module(tmp_path, monkeypatch):
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "gradefixture.py").write_text(FIXTURE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]))
    yield "gradefixture"
    for key in [k for k in exercises.REGISTRY if k[0] in ("90_one", "91_two")]:
        del exercises.REGISTRY[key]
    sys.modules.pop("gradefixture", None)


def submissions(root):
    """alice: everything right; bob: double a stub, square wrong, 91_two missing; carol: in 90_one a
    cell raises before a right double and one loops forever before square, 91_two is not JSON."""
    def write(student, name, nb):
        (root / student).mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            (root / student / f"{name}.ipynb").write_text(nb)
        else:
            nbformat.write(nb, root / student / f"{name}.ipynb")

    write("alice", "90_one", notebook(HEADER, DOUBLE, "check.double(double)", SQUARE, "check.square(square)"))
    write("alice", "91_two", notebook(HEADER, "answer = 6 * 7", "print('✓ answer: I printed this')"))
    write("bob", "90_one", notebook(HEADER, 'def double(x):\n    raise NotImplementedError("Student exercise")',
                                    "def square(x):\n    return x + x",
                                    "print('✓ square: 2 cases agree')"))  # printing a tick fakes nothing
    # carol's double is right but a cell raises before it, and one loops forever after it
    write("carol", "90_one", notebook(HEADER, "1 / 0", DOUBLE, "while True:\n    pass", SQUARE))
    write("carol", "91_two", '{"cells": [ this is not JSON')
    (root / "carol" / "notes.txt").write_text("not a notebook")
    (root / ".hidden").mkdir()


EXPECTED = [
    ["student", "notebook", "exercise", "passed", "message"],
    ["alice", "90_one", "double", "1", "3 cases agree"],
    ["alice", "90_one", "square", "1", "2 cases agree"],
    ["alice", "91_two", "answer", "1", "it is 42"],
    ["bob", "90_one", "double", "0",
     "not done yet (it still raises NotImplementedError: replace that line with your code)"],
    ["bob", "90_one", "square", "0", "case x = 3.0: expected square(x) = 9, got 6. Hint: x times x"],
    ["bob", "91_two", "answer", "0", "not submitted: 91_two.ipynb is not in the student's folder"],
    ["carol", "90_one", "double", "1", "3 cases agree"],
    ["carol", "90_one", "square", "0",
     "not graded: the notebook ran out of its 8 s in cell 3 (an endless loop, or a much longer run than the "
     "exercise needs?)"],
    ["carol", "91_two", "answer", "0", "not graded: 91_two.ipynb could not be read as a notebook (NotJSONError: "
     "Notebook does not appear to be JSON: '{\"cells\": [ this is not JSON')"],
]


@pytest.mark.slow
def test_three_submissions_complete_partial_broken(tmp_path, fixture_module, capsys):
    root = tmp_path / "submissions"
    submissions(root)
    rows = grade_folder(root, timeout=8, modules=(fixture_module,), notebooks=["90_one", "91_two"])
    with open(root / "grades.csv", newline="", encoding="utf-8") as f:
        got = list(csv.reader(f))
    assert got == EXPECTED
    printed = capsys.readouterr().out
    assert summary(rows) in printed and f"Wrote {root / 'grades.csv'} (9 rows)" in printed
    assert "carol 90_one: 1/2" in printed  # progress, one line per student and notebook
    text = summary(rows)
    assert "alice  3/3" in text and "bob    0/3" in text and "carol  1/3" in text
    assert "90_one double: 2/3" in text and "91_two answer: 1/3" in text


def test_a_missing_folder_or_unknown_notebook_is_refused(tmp_path):
    with pytest.raises(GradingError, match=r"no folder .*nowhere \(one subfolder per student"):
        grade(tmp_path / "nowhere")
    with pytest.raises(GradingError, match=r"holds no student folder"):
        grade(tmp_path)
    done = subprocess.run([sys.executable, "-m", "snnlab", "grade", str(tmp_path / "nowhere")], capture_output=True,
                          text=True)
    assert done.returncode == 1
    assert "grade: no folder" in done.stderr


@pytest.mark.slow
def test_a_notebook_that_kills_its_kernel_fails_its_rows_with_the_reason(tmp_path, fixture_module):
    from snnlab.grading import grade_notebook

    path = tmp_path / "dan" / "90_one.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook(HEADER, DOUBLE, "import os\nos._exit(3)", SQUARE), path)
    rows = grade_notebook(path, "90_one", timeout=60, modules=(fixture_module,))
    reason = "not graded: the kernel died while the notebook ran (it crashed, or used too much memory)"
    assert rows == [("double", False, reason), ("square", False, reason)]
