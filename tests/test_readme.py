"""The README's Python examples run as written, each in a fresh interpreter, and print what the
README shows (a ```text block right after a ```python block is that block's expected output)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str | None]]:
    """(code, expected output or None) for every ```python block of the README, in order."""
    blocks = [(m.group(1), m.group(2), m.end(), m.start()) for m in BLOCK.finditer((ROOT / "README.md").read_text())]
    out = []
    for i, (lang, body, end, _) in enumerate(blocks):
        if lang != "python":
            continue
        expected = None
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            between = (ROOT / "README.md").read_text()[end:blocks[i + 1][3]]
            if not between.strip():
                expected = blocks[i + 1][1]
        out.append((body, expected))
    return out


def test_the_readme_has_examples_with_their_output():
    found = examples()
    assert len(found) >= 2
    assert all(expected for _, expected in found), "every Python example shows what it prints"


@pytest.mark.parametrize(("code", "expected"), examples(), ids=lambda v: (v or "").split("\n")[0][:40])
def test_readme_example_runs_in_a_fresh_interpreter_and_prints_what_it_shows(code, expected, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="error")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
