"""Command line: ``python -m snnlab figures OUTDIR`` writes every notebook's main figures as
PNG files, for readers without JupyterLab."""

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
    args = parser.parse_args(argv)
    if args.command == "figures":
        figures(args.outdir, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
