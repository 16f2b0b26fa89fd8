"""Ctrl-C in a test: run a script in its own Python process and send it SIGINT while it simulates.

The tests of snnlab's engine, the NEST backend and the Brian2 backend check the same promise
(issue 11, item 6: an interrupt stops a run within 0.5 s) the same way: the script prints
markers as it goes ("running", then e.g. "simulating"), the test sends SIGINT after the last one,
and the script prints ``interrupted at <time.perf_counter()>`` in its ``except KeyboardInterrupt``.
``perf_counter`` is one clock for both processes (CLOCK_MONOTONIC on Linux), so the difference
is the delay a JupyterLab user sees, without the interpreter's shutdown.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Interrupted:
    """What an interrupted script did: its output, its exit status, when SIGINT was sent
    (``time.perf_counter()``) and how long after that it exited (s)."""

    out: str
    err: str
    returncode: int
    sent: float
    exited: float

    @property
    def stopped(self) -> float:
        """Seconds from SIGINT to the script's ``interrupted at`` line."""
        assert "interrupted at" in self.out, self.err[-3000:]
        return float(self.out.split("interrupted at ")[1].split()[0]) - self.sent


def interrupt(script, markers=("running\n",), delay: float = 1.0, group: bool = False, env=None, cwd=None,
              timeout: float = 900.0) -> Interrupted:
    """Run ``script`` with this Python, wait for each line of ``markers`` on its stdout (in order,
    at most ``timeout`` s each), then ``delay`` s more, and send SIGINT: to the process alone, or
    with ``group`` to its process group (the script runs in a session of its own), as JupyterLab's
    "interrupt the kernel" and a terminal's Ctrl-C do, reaching the engine's child processes too."""
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=cwd, start_new_session=group)
    try:
        for expected in markers:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            assert ready and proc.stdout.readline() == expected, proc.stderr.read()[-3000:]
        time.sleep(delay)
        assert proc.poll() is None, "the script ended before it was interrupted"
        sent = time.perf_counter()
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=timeout)
        exited = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "finished" not in out, out
    return Interrupted(out, err, proc.returncode, sent, exited)
