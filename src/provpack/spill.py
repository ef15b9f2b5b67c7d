"""Temporary files for what does not fit in memory (a long listing, the summaries, the replay keys), and the error
that names the temporary folder when it cannot hold them.

Such a file lives in the system's temporary folder (TMPDIR), not beside the output: a full or read-only
temporary folder is said as such, with what to do, and never taken for a failure to read an input or to write
the output (which may well have room).
"""

from __future__ import annotations

import contextlib
import errno
import tempfile
from collections.abc import Iterator
from typing import IO

from .errors import ProvpackError, printable

Held = tuple[str, str]   # what a temporary file holds, and why it is there (see no_room)
LISTING: Held = ("the list of texts", "a long list is kept there, not in memory")   # (column, tables, inputs)
_FULL = (errno.ENOSPC, errno.EDQUOT)


def temporary_file(what: Held) -> IO[bytes]:
    """An anonymous temporary file to hold `what` (see `no_room`); no_room's error if it cannot be made."""
    with spilling(what):
        return tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it (see discard)


@contextlib.contextmanager
def spilling(what: Held) -> Iterator[None]:
    """Turn an OSError of the block (a write to a temporary file, or its making) into no_room's error."""
    try:
        yield
    except OSError as exc:
        raise no_room(exc, what) from exc


def no_room(exc: OSError, what: Held) -> ProvpackError:
    """The error for a temporary file that could not be made or written: it names the temporary folder and says
    to free space there or to set TMPDIR to another folder, as extract's held-back bytes do (reader.py)."""
    from .atomic import reason   # (atomic loads only when a write fails: verify does not import it)

    try:
        folder = tempfile.gettempdir()
    except OSError:   # (no usable temporary folder at all)
        folder = "the temporary folder"
    fix = ("free space there, or set TMPDIR to another folder" if exc.errno in _FULL
           else "set TMPDIR to another folder")
    held, why = what
    return ProvpackError(f"{printable(folder)}: cannot hold {held} in this temporary folder ({why}): {reason(exc)}; "
                         f"{fix}")


def discard(file: IO[bytes]) -> None:
    """Close a temporary file whose contents are no longer wanted: bytes a failed write left in its buffer are
    dropped, not written again (which would fail again, in a finalizer or over the error already raised)."""
    with contextlib.suppress(OSError):
        file.close()
