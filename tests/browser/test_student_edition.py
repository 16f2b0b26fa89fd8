"""The student edition in JupyterLab, as a student works in it: for one exercise per notebook,
type a correct solution into the stub, run it and its check, and see ✓; then type a wrong one and
see ✗ with the failing case.

The correct solution is the instructor notebook's solution region; the wrong one is that solution
with one deliberate mistake from :data:`MISTAKES` (a plausible slip, per notebook), or, for a
notebook not in the table (or whose solution no longer holds the text to change), a body that
raises. The server is the session's (``conftest.lab``),
which serves a copy of ``notebooks/`` and so ``student/`` inside it.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from test_lab import SHOTS, SOURCE, TIMEOUT, menu, problems, wait_idle

from snnlab import exercises
from snnlab.editions import solution_regions

NOTEBOOKS = sorted(p.stem for p in SOURCE.glob("[0-9][0-9]_*.ipynb"))

#: One deliberate mistake per notebook: (exercise, text in its solution, what it becomes).
MISTAKES = {
    "00_lif_neuron": ("lif_step", "-(u - model.u_rest)", "(u - model.u_rest)"),  # the leak's sign
    "01_two_neurons": ("build_ee", "delay=0.1)", "delay=0.2)"),                    # a delay off by one step
    "02_population": ("report_pairs", "int(np.ceil(round(n * p, 9)))", "int(round(n * p))"),  # round, not ceil
    "03_populations": ("coupling_input", "received[k + delay_steps] +=",                # one step early
                       "received[k + delay_steps - 1] +="),
    "04_balanced_network": ("cv_isi", "intervals.std() / intervals.mean()",        # variance for spread
                            "intervals.var() / intervals.mean()"),
}
#: For a notebook without an entry: a body that fails on the first case.
RAISES = 'raise ValueError("a deliberate mistake")'


def _source(cell) -> str:
    return "".join(cell["source"])


def pick(name: str):
    """The first exercise of notebook ``name`` whose function has a solution region: the exercise,
    the instructor's cell source, the student edition's cell index and source, and the index of
    its check cell."""
    instructor = json.loads((SOURCE / f"{name}.ipynb").read_text())["cells"]
    student = json.loads((SOURCE / "student" / f"{name}.ipynb").read_text())["cells"]
    by_id = {c.get("id"): c for c in instructor}
    wanted = MISTAKES.get(name, (None,))[0]
    # the exercise the table names first, else the first that fits
    for ex in sorted(exercises.exercises(name), key=lambda ex: ex.name != wanted):
        for index, cell in enumerate(student):
            source = _source(cell)
            if cell["cell_type"] != "code" or not re.search(rf"^\s*def {ex.targets[0]}\(", source, re.MULTILINE):
                continue
            original = _source(by_id[cell.get("id")])
            if not solution_regions(original, name):
                continue
            call = re.compile(rf"\.{ex.check.__name__}\(")
            checks = [i for i in range(index + 1, len(student))
                      if student[i]["cell_type"] == "code" and call.search(_source(student[i]))]
            if checks:
                return ex, original, index, source, checks[0]
    return None


def solved(original: str, mistake: tuple[str, str] | None) -> tuple[str, str]:
    """The cell with its solution (the markers taken out), and the cell with a mistake in it."""
    lines = original.split("\n")
    regions = solution_regions(original, "?")
    keep = [i for i in range(len(lines)) if not any(i in (r.begin, r.end) for r in regions)]
    right = "\n".join(lines[i] for i in keep)
    if mistake and mistake[0] in right:
        return right, right.replace(mistake[0], mistake[1], 1)
    if mistake:  # the solution was rewritten since the table was: still test a wrong body, and say so
        print(f"MISTAKES: {mistake[0]!r} is no longer in the solution; typing a body that raises instead")
    first = regions[0]
    wrong = [*lines[:first.begin], first.indent + RAISES, *lines[first.end + 1:]]
    return right, "\n".join(line for line in wrong if "SOLUTION" not in line)


def replace_cell(page, cell, text: str) -> None:
    """Replace a code cell's text as a student would (select all in its editor, type), and run it."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)  # inserted as typed text, without the editor's auto-indent
    assert cell.locator(".cm-content").inner_text().split("\n")[0] == text.split("\n")[0]


def run_cell(page, cell) -> None:
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def verdict(cell, name: str, timeout: float = 60.0) -> str:
    """The verdict line the check cell printed for ``name``, once it has printed one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in cell.locator(".jp-OutputArea-output").all_inner_texts():
            for line in text.splitlines():
                if re.match(rf"^[✓✗…] {name}: ", line):
                    return line
        time.sleep(0.2)
    raise AssertionError(f"the check of {name} printed no verdict within {timeout:g} s")


def wait_ran(page, cells, indices: list[int]) -> None:
    """Wait until each of the code cells ``indices`` shows an execution number."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while time.monotonic() < deadline:
        texts = [cells.nth(i).locator(".jp-InputPrompt").inner_text() for i in indices]
        if all(re.search(r"\[\d+\]", t) for t in texts):
            return
        found = problems(page)
        if found:
            pytest.fail(f"a cell above the exercise failed: {found}")
        time.sleep(0.3)
    raise AssertionError(f"the cells {indices} did not all run within {TIMEOUT / 1000:.0f} s")


def _cases():
    """One per notebook; one without an exercise yet is skipped before JupyterLab starts for it."""
    for name in NOTEBOOKS:
        reason = f"{name} has no exercise with a solution region and a check cell yet"
        yield name if pick(name) else pytest.param(name, marks=pytest.mark.skip(reason=reason))


@pytest.mark.parametrize("name", list(_cases()))
def test_a_student_solves_one_exercise_and_the_check_answers(lab, page, name):
    found = pick(name)
    ex, original, index, _stub, check_index = found
    right, wrong = solved(original, MISTAKES[name][1:] if name in MISTAKES else None)
    student = json.loads((SOURCE / "student" / f"{name}.ipynb").read_text())["cells"]

    page.goto(f"{lab}/lab/tree/student/{name}.ipynb?reset")
    wait_idle(page)
    cells = page.locator(".jp-Notebook .jp-Cell")
    assert cells.count() == len(student)
    # run what the exercise needs, every cell above it (imports, set-ups), as a student would
    cells.nth(index).locator(".jp-InputPrompt").click()
    menu(page, "Run", "Run All Above Selected Cell")
    wait_ran(page, cells, [i for i in range(index) if student[i]["cell_type"] == "code"])
    wait_idle(page)
    check_cell = cells.nth(check_index)

    # the stub as it is: not done yet
    run_cell(page, cells.nth(index))
    run_cell(page, check_cell)
    assert verdict(check_cell, ex.name).startswith(f"… {ex.name}: not done yet")

    replace_cell(page, cells.nth(index), right)
    run_cell(page, cells.nth(index))
    wait_idle(page)
    run_cell(page, check_cell)
    wait_idle(page)
    line = verdict(check_cell, ex.name)
    assert line.startswith(f"✓ {ex.name}: "), f"{name}: the instructor's solution typed in: {line}"

    assert problems(page) == [], name
    replace_cell(page, cells.nth(index), wrong)
    run_cell(page, cells.nth(index))
    wait_idle(page)
    run_cell(page, check_cell)
    wait_idle(page)
    line = verdict(check_cell, ex.name)
    assert line.startswith(f"✗ {ex.name}: "), f"{name}: a wrong solution typed in: {line}"
    # the failing case: what was expected and what came, or what the student's code raised
    assert "expected" in line or f"raised ValueError: {RAISES[18:-2]}" in line, f"{name}: no failing case: {line}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    check_cell.screenshot(path=str(SHOTS / f"student_{name}_{ex.name}.png"))
    print(f"{name}: {ex.name}: ✓ then {line[:160]}")
