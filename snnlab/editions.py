"""The two editions of the notebooks, made from one source, and the student's working copy.

``notebooks/`` holds the **instructor edition**: the solutions, the answers to the Think!
questions and a rubric for every exercise. :func:`write_student_edition` makes the **student
edition** from it (``notebooks/student/``, the same file names); ``python -m snnlab editions``
(``python3 tasks.py editions``) runs it. What it does to each notebook (:func:`student_notebook`):

* in a code cell, the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (markers included)
  become one line ``raise NotImplementedError("Student exercise: complete <function>")`` at the
  marker's indentation. A region must sit inside a function, so that the student edition runs
  top to bottom with every exercise a stub; a malformed region is refused, naming notebook and cell;
* a markdown cell whose first line is ``<!-- RUBRIC -->`` or ``<!-- ANSWER -->`` and a code cell
  whose first line is ``# INSTRUCTOR ONLY`` are left out;
* every output and execution count is cleared, cell metadata is dropped (it can carry anything:
  tags, execution times, collapsed outputs of the instructor's run), ``# NBVAL_…`` marker lines
  are removed, and the notebook metadata keeps only the kernel's name and language;
* the output is deterministic (cell ids kept, keys sorted), so re-running gives the same bytes.

:func:`sync_working_copy` keeps the student's own copy (``my-work/``, what ``python3 tasks.py lab``
opens) up to date without ever overwriting the student's work.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
INSTRUCTOR_CODE = "# INSTRUCTOR ONLY"
#: Markdown cells for the instructor only: their first line.
INSTRUCTOR_MARKDOWN = re.compile(r"^\s*<!--\s*(RUBRIC|ANSWER)\s*-->")
#: nbval's cell markers: instructions to CI, noise to a student.
NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")
#: The course's notebooks: ``NN_name.ipynb``.
PATTERN = "[0-9][0-9]_*.ipynb"
STUB = 'raise NotImplementedError("Student exercise: complete {function}")'


class EditionError(ValueError):
    """A source notebook that cannot be turned into a student edition; the message names the
    notebook, the cell and what is wrong."""


# -- one cell --------------------------------------------------------------------------------------------


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _first_line(text: str) -> str:
    return text.lstrip("\n").split("\n", 1)[0]


def is_instructor_only(cell: dict) -> bool:
    """A rubric, an answer, or an instructor-only code cell: left out of the student edition."""
    first = _first_line(_source(cell))
    if cell["cell_type"] == "markdown":
        return bool(INSTRUCTOR_MARKDOWN.match(first))
    if cell["cell_type"] == "code":
        return first.strip().startswith(INSTRUCTOR_CODE)
    return False


@dataclass(frozen=True)
class Region:
    """One solution region of a code cell: its lines (0-based, markers included) and indentation."""

    begin: int
    end: int
    indent: str


def solution_regions(source: str, where: str) -> list[Region]:
    """The solution regions of a code cell's ``source``; :class:`EditionError` (naming ``where``)
    for a marker without its partner or a region inside another."""
    regions, open_at = [], None
    for i, line in enumerate(source.split("\n")):
        marker = line.strip()
        if marker == BEGIN:
            if open_at is not None:
                raise EditionError(f"{where}: '{BEGIN}' on line {i + 1} inside the region opened on line "
                                   f"{open_at + 1}; regions cannot nest: close the first with '{END}'")
            open_at = i
        elif marker == END:
            if open_at is None:
                raise EditionError(f"{where}: '{END}' on line {i + 1} without a '{BEGIN}' before it")
            opening = source.split("\n")[open_at]
            regions.append(Region(open_at, i, opening[: len(opening) - len(opening.lstrip())]))
            open_at = None
        elif BEGIN in line or END in line:
            raise EditionError(f"{where}: line {i + 1} mentions '{BEGIN if BEGIN in line else END}' but is not "
                               "the marker alone on its line; write the marker on a line of its own")
    if open_at is not None:
        raise EditionError(f"{where}: '{BEGIN}' on line {open_at + 1} has no '{END}' after it")
    return regions


def _parsable(source: str) -> str:
    """``source`` with IPython's magics and shell escapes made plain Python (same line numbers)."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


def stub_source(source: str, where: str) -> str:
    """A code cell's source with every solution region replaced by its one-line stub.

    :class:`EditionError` (naming ``where``) when a region is malformed, or is not inside a
    function: there the stub would raise as soon as the student runs the cell."""
    regions = solution_regions(source, where)
    if not regions:
        return source
    lines = source.split("\n")
    out, stubs, previous = [], [], 0
    for region in regions:
        if region.end == region.begin + 1:
            raise EditionError(f"{where}: the solution region on lines {region.begin + 1}-{region.end + 1} is empty")
        out += lines[previous: region.begin]
        stubs.append(len(out))
        out.append(region.indent + "{stub}")
        previous = region.end + 1
    out += lines[previous:]
    try:
        tree = ast.parse(_parsable("\n".join(out).replace("{stub}", "raise NotImplementedError")))
    except SyntaxError as exc:
        raise EditionError(f"{where}: the cell is not valid Python once its solution is taken out "
                           f"(line {exc.lineno}: {exc.msg}); does a region cut a statement in two?") from None
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for index, region in zip(stubs, regions):
        line = index + 1  # ast counts from 1
        around = [f for f in functions if f.lineno < line <= f.end_lineno]
        if not around:
            raise EditionError(f"{where}: the solution region on lines {region.begin + 1}-{region.end + 1} is not "
                               "inside a function; the student edition would raise as soon as the cell runs. "
                               "Put the solution in the body of the function the student writes")
        innermost = max(around, key=lambda f: f.lineno)
        out[index] = region.indent + STUB.format(function=innermost.name)
    return "\n".join(out)


# -- one notebook ----------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """A cell source as nbformat stores it: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def student_notebook(notebook: dict, name: str) -> dict:
    """The student edition of one instructor notebook (a notebook's JSON as a dict); ``name`` is
    used in error messages."""
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if is_instructor_only(cell):
            continue
        where = f"{name}, cell {index} (id {cell.get('id', '?')})"
        source = _source(cell)
        kept = {"cell_type": cell["cell_type"], "metadata": {}}
        if "id" in cell:
            kept["id"] = cell["id"]
        if cell["cell_type"] == "code":
            source = stub_source(source, where)
            if source.split("\n", 1)[0].strip() and NBVAL_MARKER.match(source.split("\n", 1)[0]):
                source = source.split("\n", 1)[1] if "\n" in source else ""
            kept["execution_count"] = None
            kept["outputs"] = []
        elif "attachments" in cell:  # images pasted into a markdown cell are part of its prose
            kept["attachments"] = cell["attachments"]
        kept["source"] = _lines(source)
        cells.append(kept)
    kernel = notebook.get("metadata", {}).get("kernelspec", {})
    metadata = {
        "kernelspec": {"display_name": kernel.get("display_name", "Python 3 (ipykernel)"),
                       "language": kernel.get("language", "python"), "name": kernel.get("name", "python3")},
        "language_info": {"name": notebook.get("metadata", {}).get("language_info", {}).get("name", "python")},
    }
    return {"cells": cells, "metadata": metadata, "nbformat": notebook.get("nbformat", 4),
            "nbformat_minor": notebook.get("nbformat_minor", 5)}


def dumps(notebook: dict) -> str:
    """A notebook as nbformat writes it (one-space indent, sorted keys, UTF-8), so a student
    edition saved by JupyterLab differs from the committed one only where the student wrote."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EditionError(f"{path.name}: not a notebook (JSON error on line {exc.lineno}: {exc.msg})") from None


def write_student_edition(source: Path, out: Path) -> list[Path]:
    """Write the student edition of every ``NN_name.ipynb`` in ``source`` into ``out`` (same names);
    remove notebooks in ``out`` whose source is gone. Every notebook is checked before anything is
    written, so a malformed source leaves ``out`` as it was. Returns the files written."""
    sources = sorted(Path(source).glob(PATTERN))
    if not sources:
        raise EditionError(f"editions: no notebooks named {PATTERN} in {source}")
    editions = {path.name: dumps(student_notebook(_read(path), path.name)) for path in sources}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in sorted(out.glob(PATTERN)):
        if stale.name not in editions:
            stale.unlink()
    written = []
    for name, text in editions.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# -- the student's working copy --------------------------------------------------------------------------

#: In the working copy: which edition each notebook was copied from (file name -> sha256).
MANIFEST = ".snnlab-editions.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sync_working_copy(edition: Path, work: Path) -> list[str]:
    """Bring the student's working copy ``work`` up to date with the student ``edition``, never
    overwriting the student's work. For each notebook of the edition:

    * not in ``work`` yet: copied;
    * in ``work``, and the edition is the one it was copied from: left alone (it is the student's);
    * in ``work``, and the edition changed since: the student's file is left alone, and the new
      edition is put beside it as ``NN_name.new.ipynb`` (replacing an older ``.new`` only if the
      student has not touched that one).

    Returns one line per notebook saying what was done. Which edition each file came from is kept
    in ``work/.snnlab-editions.json``."""
    edition, work = Path(edition), Path(work)
    sources = sorted(edition.glob(PATTERN))
    if not sources:
        raise EditionError(f"lab: no student edition in {edition} (make it with: python3 tasks.py editions)")
    work.mkdir(parents=True, exist_ok=True)
    manifest_path = work / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    except json.JSONDecodeError:
        manifest = {}
    copied, news = manifest.setdefault("copied", {}), manifest.setdefault("new", {})
    said = []
    for path in sources:
        data = path.read_bytes()
        digest = _digest(data)
        mine = work / path.name
        new = mine.with_suffix(".new.ipynb")
        if not mine.exists():
            mine.write_bytes(data)
            copied[path.name] = digest
            said.append(f"{path.name}: copied")
        elif path.name not in copied:
            # no record of where it came from: take it as made from this edition, and keep it
            copied[path.name] = digest
            said.append(f"{path.name}: yours, kept")
        elif copied[path.name] == digest:
            said.append(f"{path.name}: yours, kept")
        elif new.exists() and new.read_bytes() == data:
            said.append(f"{path.name}: yours, kept; the new edition is in {new.name}")
        elif new.exists() and _digest(new.read_bytes()) != news.get(path.name):
            said.append(f"{path.name}: yours, kept; a newer edition exists, but {new.name} has your changes, "
                        f"so it was not replaced either (rename it to get the newest edition)")
        else:
            new.write_bytes(data)
            news[path.name] = digest
            said.append(f"{path.name}: yours, kept; the edition changed since you copied it: "
                        f"the new one is {new.name}")
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return said
