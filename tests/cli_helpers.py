"""Run the ``sim`` command line in this process (no new Python: about 1.5 s saved per call).

:func:`sim_main` calls :func:`sim.cli.main` (the console script's entry point) with the
arguments, captures stdout and stderr, and turns its ``SystemExit`` into a return code, so a
test reads the same ``returncode``, ``stdout`` and ``stderr`` as from a subprocess. An exception
that escapes ``main`` (a traceback a user would see) is caught and written to ``stderr`` with
return code 1, so the tests' "no traceback" checks still fail on it. A handful of tests keep a
real subprocess for the entry point itself (``python -m sim`` and the console script).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Completed", "sim_main", "sim_subprocess"]


@dataclass
class Completed:
    """What one command printed and its exit status (like ``subprocess.CompletedProcess``)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def sim_main(*args: str | Path) -> Completed:
    """Run ``sim ARGS`` in this process and return its status and output."""
    from sim.cli import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    code: int
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            c = exc.code
            code = c if isinstance(c, int) else (0 if c is None else 1)
            if c is not None and not isinstance(c, int):
                print(c, file=sys.stderr)
        except Exception:  # noqa: BLE001 - what a user would see as a traceback
            traceback.print_exc(file=sys.stderr)
            code = 1
        else:  # main always exits; reaching here is a bug of the entry point
            code = 0
    return Completed(argv, code, out.getvalue(), err.getvalue())


def sim_subprocess(*args: str | Path, cwd: Path | None = None,
                   timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in a new process (for the entry point itself)."""
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)
