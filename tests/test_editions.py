"""The two editions from one source: the generator on small notebooks made here, the committed
student edition against its source (no leak, not stale), it running with every check "not done
yet", and the student's working copy that never overwrites the student's work."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from snnlab import exercises
from snnlab.editions import (
    BEGIN,
    END,
    MANIFEST,
    EditionError,
    dumps,
    is_instructor_only,
    solution_regions,
    student_notebook,
    sync_working_copy,
    write_student_edition,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
STUDENT = SOURCE / "student"
SOURCES = sorted(SOURCE.glob("[0-9][0-9]_*.ipynb"))

FUNCTION = '''\
import numpy as np

def lif_step(u, I, dt, model):
    """One Euler step (mV)."""
    # the leak pulls u towards rest
    # BEGIN SOLUTION
    du = dt / model.tau_m * (-(u - model.u_rest) + model.R * I)
    return u + du
    # END SOLUTION
'''


def fixture_notebook() -> nbformat.NotebookNode:
    """An instructor notebook with every kind of cell the generator treats."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python", "version": "3.11.2"},
                   "solution_notes": "the secret answer is 42"}
    cells = [
        nbformat.v4.new_markdown_cell("### Exercise 0.1: one step\nWrite `lif_step`."),
        nbformat.v4.new_code_cell(FUNCTION, execution_count=3, metadata={"tags": ["solution"],
                                                                          "execution": {"t": "x"}},
                                  outputs=[nbformat.v4.new_output("stream", text="secret output\n")]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\ncheck.lif_step(lif_step)", execution_count=4,
                                  outputs=[nbformat.v4.new_output("stream", text="✓ lif_step: 12 cases agree\n")]),
        nbformat.v4.new_markdown_cell("<!-- RUBRIC -->\nFull marks for `u + du`; rubric text here."),
        nbformat.v4.new_markdown_cell("**Think!** Why does the leak pull towards rest?"),
        nbformat.v4.new_markdown_cell("<!-- ANSWER -->\nBecause the answer text says so."),
        nbformat.v4.new_code_cell("# INSTRUCTOR ONLY\nprint('instructor demo')"),
        nbformat.v4.new_code_cell("%matplotlib inline\nclass Model:\n    def rate(self):\n        # BEGIN SOLUTION\n"
                                  "        return 1.0 / self.period\n        # END SOLUTION"),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    nb.cells = cells
    return nb


def test_the_student_edition_of_a_notebook():
    student = student_notebook(json.loads(nbformat.writes(fixture_notebook())), "00_x.ipynb")
    ids = [c["id"] for c in student["cells"]]
    assert ids == ["cell-0", "cell-1", "cell-2", "cell-4", "cell-7"]  # rubric, answer, instructor cell gone
    code = {c["id"]: "".join(c["source"]) for c in student["cells"]}
    assert code["cell-1"] == ('import numpy as np\n\ndef lif_step(u, I, dt, model):\n    """One Euler step (mV)."""\n'
                              "    # the leak pulls u towards rest\n"
                              '    raise NotImplementedError("Student exercise: complete lif_step")\n')
    assert code["cell-2"] == "check.lif_step(lif_step)"  # nbval's marker is CI's business
    assert code["cell-7"].endswith('        raise NotImplementedError("Student exercise: complete rate")')
    for cell in student["cells"]:
        assert cell["metadata"] == {}
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert student["metadata"] == {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                                  "name": "python3"}, "language_info": {"name": "python"}}
    nbformat.validate(nbformat.from_dict(student))  # still a valid notebook
    text = dumps(student)
    for secret in ("du = dt", "return u + du", "secret", "rubric", "answer text", "instructor demo", "solution",
                   "1.0 / self.period", "SOLUTION", "✓"):
        assert secret not in text


def test_instructor_only_cells_are_recognised_by_their_first_line():
    assert is_instructor_only({"cell_type": "markdown", "source": "<!--RUBRIC-->\nx"})
    assert is_instructor_only({"cell_type": "markdown", "source": ["<!-- ANSWER -->\n", "x"]})
    assert is_instructor_only({"cell_type": "code", "source": "# INSTRUCTOR ONLY: the figure\nx = 1"})
    assert not is_instructor_only({"cell_type": "markdown", "source": "Think! <!-- ANSWER --> later"})
    assert not is_instructor_only({"cell_type": "code", "source": "x = 1  # INSTRUCTOR ONLY"})


@pytest.mark.parametrize(("source", "message"), [
    (f"def f():\n    {BEGIN}\n    return 1\n", f"'{BEGIN}' on line 2 has no '{END}' after it"),
    (f"def f():\n    return 1\n    {END}\n", f"'{END}' on line 3 without a '{BEGIN}' before it"),
    (f"def f():\n    {BEGIN}\n    {BEGIN}\n    return 1\n    {END}\n    {END}\n",
     "'# BEGIN SOLUTION' on line 3 inside the region opened on line 2; regions cannot nest"),
    (f"{BEGIN}\nx = 1\n{END}\n", "the solution region on lines 1-3 is not inside a function; the student edition "
                                 "would raise as soon as the cell runs"),
    (f"if True:\n    {BEGIN}\n    x = 1\n    {END}\n", "lines 2-4 is not inside a function"),
    (f"def f():\n    {BEGIN}\n    {END}\n", "the solution region on lines 2-3 is empty"),
    (f"def f():\n    return 1  {BEGIN}\n", "line 2 mentions '# BEGIN SOLUTION' but is not the marker alone"),
    (f"def f(x):\n    return [\n        {BEGIN}\n        x,\n        {END}\n    ]\n",
     "not valid Python once its solution is taken out"),
])
def test_a_malformed_source_is_refused_naming_notebook_and_cell(tmp_path, source, message):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("a") for _ in range(3)] + [nbformat.v4.new_code_cell(source)]
    nb.cells[3].id = "c"
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "07_bad.ipynb")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "07_bad.ipynb").write_text("the old edition")
    with pytest.raises(EditionError, match=r"^07_bad.ipynb, cell 3 \(id c\): .*" + message):
        write_student_edition(tmp_path / "src", tmp_path / "out")
    assert (tmp_path / "out" / "07_bad.ipynb").read_text() == "the old edition"  # nothing half-written


def test_the_generator_is_deterministic_and_removes_editions_without_a_source(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    nbformat.write(fixture_notebook(), src / "00_x.ipynb")
    out.mkdir()
    (out / "05_gone.ipynb").write_text("{}")
    (out / "notes.txt").write_text("not a notebook: kept")
    first = [p.read_bytes() for p in write_student_edition(src, out)]
    second = [p.read_bytes() for p in write_student_edition(src, out)]
    assert first == second
    assert sorted(p.name for p in out.iterdir()) == ["00_x.ipynb", "notes.txt"]
    # what nbformat would write for the same notebook: JupyterLab's save changes nothing else
    assert first[0].decode() == nbformat.writes(nbformat.reads(first[0].decode(), as_version=4)) + "\n"


def test_the_editions_command_writes_and_refuses(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(fixture_notebook(), src / "00_x.ipynb")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "snnlab", "editions", "--source", str(src)], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(src / "student" / "00_x.ipynb")]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"{BEGIN}\nx = 1")]), src / "01_y.ipynb")
    done = subprocess.run([sys.executable, "-m", "snnlab", "editions", "--source", str(src)], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 1
    assert re.search(r"editions: 01_y.ipynb, cell 0 \(id .*\): '# BEGIN SOLUTION' on line 1 has no", done.stderr)


# -- the committed student edition ------------------------------------------------------------------------


def test_the_committed_student_edition_is_up_to_date(tmp_path):
    assert STUDENT.is_dir(), "notebooks/student/ is missing: make it with python3 tasks.py editions, and commit it"
    write_student_edition(SOURCE, tmp_path)
    fresh = {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")}
    committed = {p.name: p.read_bytes() for p in STUDENT.glob("*.ipynb")}
    assert sorted(committed) == sorted(fresh) == [p.name for p in SOURCES]
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"notebooks/student/ is out of date for {stale}: run python3 tasks.py editions, and commit"


def _secret_lines(nb: dict) -> tuple[list[str], list[str]]:
    """The solution lines (each non-trivial line of every region) and the instructor-only texts."""
    solutions, texts = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if is_instructor_only(cell):
            texts += [line.strip() for line in source.split("\n")[1:] if len(line.strip()) > 12]
            continue
        if cell["cell_type"] != "code":
            continue
        lines = source.split("\n")
        for region in solution_regions(source, "?"):
            solutions += [line.strip() for line in lines[region.begin + 1: region.end]
                          if line.strip() and not line.strip().startswith("#")
                          and line.strip() not in ("return", "pass", "else:", "try:", "continue", "break",
                                                   ")", "]", "}", "return out", "return result")]
    return solutions, texts


def leaks(instructor: dict, student: dict) -> list[str]:
    """Solution lines in the student edition's code, rubric and answer lines anywhere in it (prose
    may quote a line of the solution on purpose, as a hint; answers and rubrics it may not)."""
    solutions, texts = _secret_lines(instructor)
    code = "\n".join("".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code")
    everything = "\n".join("".join(c["source"]) for c in student["cells"]) + json.dumps(student, ensure_ascii=False)
    return [line for line in solutions if line in code] + [line for line in texts if line in everything]


def test_the_leak_finder_finds_what_the_generator_must_take_out():
    instructor = json.loads(nbformat.writes(fixture_notebook()))
    assert leaks(instructor, instructor) == ["du = dt / model.tau_m * (-(u - model.u_rest) + model.R * I)",
                                             "return u + du", "return 1.0 / self.period",
                                             "Full marks for `u + du`; rubric text here.",
                                             "Because the answer text says so.", "print('instructor demo')"]
    assert leaks(instructor, student_notebook(instructor, "00_x.ipynb")) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_no_solution_answer_or_output_leaks_into_the_student_edition(path):
    student = STUDENT / path.name
    assert student.exists(), f"{student} is missing: run python3 tasks.py editions"
    text = student.read_text(encoding="utf-8")
    nb = json.loads(text)
    leaked = leaks(json.loads(path.read_text(encoding="utf-8")), nb)
    assert not leaked, f"{path.name}: instructor-only lines in the student edition: {leaked[:5]}"
    for marker in (BEGIN, END, "<!-- RUBRIC", "<!-- ANSWER", "# INSTRUCTOR ONLY"):
        assert marker not in text
    for cell in nb["cells"]:
        assert cell["metadata"] == {}
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
    assert set(nb["metadata"]) == {"kernelspec", "language_info"}
    assert "solution" not in json.dumps(nb["metadata"]).lower()


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_the_student_edition_runs_and_every_check_says_not_done_yet(path):
    from nbclient import NotebookClient

    nb = nbformat.read(STUDENT / path.name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(STUDENT)}}).execute()  # raises at a cell error
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    expected = [ex.name for ex in exercises.exercises(path.stem)]
    said = re.findall(r"^… (\S+): not done yet", printed, flags=re.MULTILINE)
    # one line per exercise (in the notebook's order, which need not be the module's)
    assert sorted(said) == sorted(expected), f"{path.name}: 'not done yet' from {said}, the exercises {expected}"
    assert not re.search(r"^[✓✗] ", printed, flags=re.MULTILINE)


# -- the student's working copy ---------------------------------------------------------------------------


def _edition(folder: Path, **notebooks: str) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in notebooks.items():
        (folder / f"{name}.ipynb").write_text(text)


def test_the_working_copy_copies_once_and_never_overwrites_the_students_work(tmp_path):
    edition, work = tmp_path / "student", tmp_path / "my-work"
    _edition(edition, **{"00_a": "edition 1 of a", "01_b": "edition 1 of b"})
    assert sync_working_copy(edition, work) == ["00_a.ipynb: copied", "01_b.ipynb: copied"]
    assert (work / "00_a.ipynb").read_text() == "edition 1 of a"

    (work / "00_a.ipynb").write_text("my answer")  # the student works
    (work / "01_b.ipynb").unlink()                  # and throws one away
    assert sync_working_copy(edition, work) == ["00_a.ipynb: yours, kept", "01_b.ipynb: copied"]
    assert (work / "00_a.ipynb").read_text() == "my answer"

    _edition(edition, **{"00_a": "edition 2 of a", "02_c": "edition 1 of c"})  # the repository is updated
    said = sync_working_copy(edition, work)
    assert said == ["00_a.ipynb: yours, kept; the edition changed since you copied it: the new one is 00_a.new.ipynb",
                    "01_b.ipynb: yours, kept", "02_c.ipynb: copied"]
    assert (work / "00_a.ipynb").read_text() == "my answer"
    assert (work / "00_a.new.ipynb").read_text() == "edition 2 of a"
    assert sync_working_copy(edition, work)[0] == "00_a.ipynb: yours, kept; the new edition is in 00_a.new.ipynb"

    _edition(edition, **{"00_a": "edition 3 of a"})  # an untouched .new is replaced by a newer one ...
    sync_working_copy(edition, work)
    assert (work / "00_a.new.ipynb").read_text() == "edition 3 of a"
    (work / "00_a.new.ipynb").write_text("my work in the new one")  # ... one the student works in is not
    _edition(edition, **{"00_a": "edition 4 of a"})
    assert "has your changes, so it was not replaced" in sync_working_copy(edition, work)[0]
    assert (work / "00_a.new.ipynb").read_text() == "my work in the new one"
    assert (work / "00_a.ipynb").read_text() == "my answer"
    assert set(json.loads((work / MANIFEST).read_text())) == {"copied", "new"}


def test_the_working_copy_keeps_a_file_it_has_no_record_of_and_needs_an_edition(tmp_path):
    edition, work = tmp_path / "student", tmp_path / "my-work"
    _edition(edition, **{"00_a": "edition 1"})
    work.mkdir()
    (work / "00_a.ipynb").write_text("mine, from before")
    assert sync_working_copy(edition, work) == ["00_a.ipynb: yours, kept"]
    assert (work / "00_a.ipynb").read_text() == "mine, from before"
    with pytest.raises(EditionError, match=r"lab: no student edition in .*empty \(make it with: python3 tasks.py "):
        sync_working_copy(tmp_path / "empty", work)


def test_nbval_runs_the_instructor_edition_only():
    """The student edition has no outputs to compare: nbval over it would only run the notebooks a
    second time; test_the_student_edition_runs_... executes it instead."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("snnlab_tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    assert "notebooks" in tasks.TEST_COMMAND and "--ignore=notebooks/student" in tasks.TEST_COMMAND
    assert "/my-work/" in (ROOT / ".gitignore").read_text().split()
