"""Temporary files for what does not fit in memory (a long listing, the summaries, the replay keys), and the error
that names the temporary folder when it cannot hold them.

Such a file lives in the system's temporary folder (TMPDIR), not beside the output: a full or read-only
temporary folder is said as such, with what to do, and never taken for a failure to read an input or to write
the output (which may well have room).

What a PackageResult keeps (the summaries, the names of a long run) is a Spill: a named file that holds no
file descriptor once released, so that a program may keep any number of results (a process may hold only so
many files open: ulimit -n).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import weakref
from collections.abc import Iterator
from typing import IO

from .errors import ProvpackError, descriptors, printable

Held = tuple[str, str]   # what a temporary file holds, and why it is there (see no_room)
LISTING: Held = ("the list of texts", "a long list is kept there, not in memory")   # (column, tables, inputs)
_FULL = (errno.ENOSPC, errno.EDQUOT)
_PREAD = hasattr(os, "pread")   # (else a seek and a read: Windows)


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
    held, why = what
    limit = descriptors(exc)
    if limit is not None:   # (the process's limit, not the folder's doing)
        return ProvpackError(f"{printable(folder)}: cannot make a temporary file for {held} ({why}): {limit[0]}; "
                             f"{limit[1]}")
    fix = ("free space there, or set TMPDIR to another folder" if exc.errno in _FULL
           else "set TMPDIR to another folder")
    return ProvpackError(f"{printable(folder)}: cannot hold {held} in this temporary folder ({why}): {reason(exc)}; "
                         f"{fix}")


def discard(file: IO[bytes]) -> None:
    """Close a temporary file whose contents are no longer wanted: bytes a failed write left in its buffer are
    dropped, not written again (which would fail again, in a finalizer or over the error already raised)."""
    with contextlib.suppress(OSError):
        file.close()


class Spill:
    """Bytes appended to a temporary file, read back by offset; after `release` it holds no file descriptor.

    The file is named (provpack-XXXXXXXX in the temporary folder), open while it is written and read in a run;
    `release` closes it, and each later read opens it for that read only. It is removed once the Spill is
    collected, or when the interpreter exits (a process killed with SIGKILL leaves it behind).
    """

    __slots__ = ("_what", "_handle", "__weakref__")

    def __init__(self, what: Held) -> None:
        self._what = what
        with spilling(what):
            file = tempfile.NamedTemporaryFile(prefix="provpack-", delete=False)  # noqa: SIM115 - see _Handle
        self._handle = _Handle(file.name, file)
        weakref.finalize(self, self._handle.remove)

    @property
    def path(self) -> str:
        return self._handle.path

    def write(self, data: bytes | bytearray) -> None:
        """Append `data`, flushed to the file (a failure is said here, in the run, not when it is read back)."""
        handle = self._handle
        with spilling(self._what):
            if handle.file is None:   # (released, and written again: open until released again)
                handle.file = open(handle.path, "r+b")  # noqa: SIM115 - closed by release or remove
                handle.file.seek(0, os.SEEK_END)
            handle.file.write(data)
            handle.file.flush()

    def read(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes from `offset`; a released file is opened for this read only."""
        file = self._handle.file
        if file is not None:
            if _PREAD:
                return os.pread(file.fileno(), size, offset)
            file.seek(offset)
            data = file.read(size)
            file.seek(0, os.SEEK_END)
            return data
        try:
            with open(self._handle.path, "rb", buffering=0) as reopened:
                if _PREAD:
                    return os.pread(reopened.fileno(), size, offset)
                reopened.seek(offset)
                return reopened.read(size)
        except OSError as exc:
            raise lost(exc, self._handle.path, self._what) from exc

    def release(self) -> None:
        """Close the file (it stays, for later reads to open): nothing is held open until it is written again."""
        self._handle.close()



class _Handle:
    """What a Spill's finalizer needs (not the Spill itself, which it would keep alive): its path and its open file,
    and the process that made it: a worker forked from that process closes its copy but never removes the file."""

    __slots__ = ("path", "file", "_owner")

    def __init__(self, path: str, file: IO[bytes]) -> None:
        self.path = path
        self.file: IO[bytes] | None = file
        self._owner = os.getpid()

    def close(self) -> None:
        if self.file is not None:
            file, self.file = self.file, None
            discard(file)

    def remove(self) -> None:
        self.close()
        if os.getpid() == self._owner:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def lost(exc: OSError, path: str, what: Held) -> ProvpackError:
    """The error for a released Spill's file that cannot be read back: removed meanwhile (a cleaner of old
    temporary files), or no descriptor left to open it with."""
    from .atomic import reason

    held, why = what
    limit = descriptors(exc)
    if limit is not None:
        problem, fix = limit
    elif exc.errno == errno.ENOENT:
        problem, fix = ("the file is gone (removed meanwhile, e.g. by a cleaner of old temporary files)",
                        "package again, and keep the temporary folder's provpack- files while a result is in use")
    else:
        problem, fix = reason(exc), "check the temporary folder"
    return ProvpackError(f"{printable(path)}: cannot read back {held} from this temporary file ({why}): {problem}; "
                         f"{fix}")
