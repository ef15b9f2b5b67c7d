"""The `provpack` command's entry point, and how an interrupted run is reported.

`cli.main` turns Ctrl-C (and SIGTERM, SIGHUP) during a command into one line on standard error and
exit 130 (143, 129). Importing the CLI and building its parser come before that handler; Ctrl-C
then gave Python's traceback. `main` here gives the same line and code. What it cannot
cover is what runs before it: Python's start-up and the package's `__init__` (its logging
set-up), about 50 ms on the benchmark machine when it is idle, where Ctrl-C still shows Python's traceback.
"""

from __future__ import annotations

import signal
import sys


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (the terminal closed), raised where the program is, so it unwinds like Ctrl-C: temp files
    go, nothing half-written stays. `signum`: which."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = signum


def stopped_by(exc: KeyboardInterrupt) -> tuple[str, int]:
    """How the run was stopped, in words, and the exit code for it: ('interrupted', 130) for Ctrl-C,
    ('terminated (SIGTERM)', 143), ('terminated (SIGHUP)', 129)."""
    if isinstance(exc, Terminated):
        return f"terminated ({signal.Signals(exc.signum).name})", 128 + exc.signum
    return "interrupted", 130


def report_interrupt(exc: KeyboardInterrupt) -> int:
    """Say on standard error that the run was interrupted (Ctrl-C) or terminated (SIGTERM, SIGHUP); the exit code
    for it. A terminal that is gone (SIGHUP) cannot show it: that is no error of the run's."""
    what, code = stopped_by(exc)
    if sys.stderr is None:   # closed by the shell (`2>&-`): print(file=None) would write it to standard output
        return code
    # True at any moment: a file is renamed into place whole, and a commit once begun finishes (atomic.py)
    try:
        print(f"provpack: {what}; no partial output was left: each output file is complete or as it was before",
              file=sys.stderr)
    except (OSError, ValueError):   # (EIO from a closed terminal; a closed stream)
        pass
    return code


def main() -> int:
    """Run the command line; a KeyboardInterrupt that reaches here (before or after a command) is reported."""
    try:
        from .cli import main as run   # (the import itself may be interrupted)

        return run()
    except KeyboardInterrupt as exc:
        return report_interrupt(exc)
