"""Command line.

* ``python -m snnlab figures OUTDIR``: every notebook's main figures as PNG files, for readers
  without JupyterLab;
* ``python -m snnlab editions``: the student edition ``notebooks/student/`` from ``notebooks/``;
* ``python -m snnlab workcopy``: copy the student edition into the student's working copy
  ``my-work/`` without overwriting anything (what ``python3 tasks.py lab`` does first);
* ``python -m snnlab grade SUBMISSIONS``: run every submitted notebook and every check, write
  ``SUBMISSIONS/grades.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def figures(outdir: Path, only: list[str] | None = None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from .experiments import figure_makers

    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    makers = figure_makers()
    unknown = sorted(set(only or ()) - set(makers))
    if unknown:
        raise SystemExit(f"figures: no notebook module named {unknown}; the modules are {sorted(makers)}")
    for module, make in sorted(makers.items()):
        if only and module not in only:
            continue
        for name, fig in make().items():
            path = outdir / f"{module}__{name}.png"
            fig.savefig(path, dpi=110)
            written.append(path)
            print(path, flush=True)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snnlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="write every notebook's main figures as PNG files")
    fig.add_argument("outdir", type=Path)
    fig.add_argument("--only", nargs="*", help="notebook modules to draw (default: all)")
    ed = sub.add_parser("editions", help="write the student edition of the notebooks")
    ed.add_argument("--source", type=Path, default=Path("notebooks"), help="the instructor edition (notebooks/)")
    ed.add_argument("--out", type=Path, default=None, help="where to write it (default: SOURCE/student)")
    wc = sub.add_parser("workcopy", help="copy the student edition into the student's working copy")
    wc.add_argument("--edition", type=Path, default=Path("notebooks/student"))
    wc.add_argument("--to", type=Path, default=Path("my-work"))
    gr = sub.add_parser("grade", help="grade a folder of submissions (one subfolder per student)")
    gr.add_argument("submissions", type=Path)
    gr.add_argument("--timeout", type=float, default=300.0, help="seconds each notebook may run in all (300)")
    gr.add_argument("--notebooks", nargs="*", help="grade only these notebooks (names without .ipynb)")
    args = parser.parse_args(argv)
    if args.command == "figures":
        figures(args.outdir, args.only)
    elif args.command == "editions":
        from .editions import EditionError, write_student_edition

        try:
            for path in write_student_edition(args.source, args.out or args.source / "student"):
                print(path, flush=True)
        except EditionError as exc:
            raise SystemExit(f"editions: {exc}") from None
    elif args.command == "workcopy":
        from .editions import EditionError, sync_working_copy

        try:
            lines = sync_working_copy(args.edition, args.to)
        except EditionError as exc:
            raise SystemExit(str(exc)) from None
        print(f"Your working copy is {args.to.resolve()}: your work is saved there, and never overwritten.")
        print("\n".join(f"  {line}" for line in lines), flush=True)
    elif args.command == "grade":
        from .grading import GradingError, grade_folder

        try:
            grade_folder(args.submissions, timeout=args.timeout, notebooks=args.notebooks)
        except GradingError as exc:
            raise SystemExit(f"grade: {exc}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
