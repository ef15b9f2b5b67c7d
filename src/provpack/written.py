"""The files a command has written so far (each under its final name, whole), for a message that must say them.

When standard output fails after a command wrote its files (`provpack package ... > /dev/full`),
"the output is incomplete, run again" would be untrue: the files are complete, and a run again
would meet them ("already exists"), or with --force replace them (a new key pair). The command
line notes them for the run (`noting`); the writers note each file as it takes its final name
(`note`); outside `noting` (the library called from Python) nothing is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

_WRITTEN: ContextVar[list[Path] | None] = ContextVar("provpack_written", default=None)


@contextlib.contextmanager
def noting() -> Iterator[list[Path]]:
    """Keep, for the block, the files written in it (in the order they took their names)."""
    written: list[Path] = []
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


def note(path: Path) -> None:
    """`path` has just taken its final name, whole (a file, or a bag's folder)."""
    written = _WRITTEN.get()
    if written is not None:
        written.append(path)


def so_far() -> tuple[Path, ...]:
    """The files written so far in the block of `noting` (none outside one)."""
    return tuple(_WRITTEN.get() or ())
