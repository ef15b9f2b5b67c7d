"""A caller's stream the library writes to (extract's `dest`, write_index's `out`): a write that fails is an error
naming the stream.

A full disk (`open("/dev/full", "wb")`), a file-size limit or an I/O error is an ArchiveError (an OSError, as
the write's own error was) naming the stream's file, or the argument for a stream with no file name (BytesIO,
a descriptor), and saying that the output is incomplete, as the command line says it of standard output. A pipe
whose reader has gone stays BrokenPipeError, as print() raises it (and as the command line's standard output
keeps it, for `| head`); an error the stream raises on purpose (a ProvpackError) passes as it is.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import IO, AnyStr

from .errors import ArchiveError, ProvpackError

_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)   # what an output file's fix says (write_fix)


def writer(stream: IO[AnyStr], argument: str, what: str) -> Callable[[AnyStr], object]:
    """`stream.write`, whose failure is an ArchiveError naming the stream (its file name, else `argument`), what was
    being written (`what`: "the index") and the reason."""

    def write(data: AnyStr) -> object:
        try:
            return stream.write(data)
        except (BrokenPipeError, ProvpackError):
            raise
        except OSError as exc:
            raise _failed(stream, argument, what, exc) from exc

    return write


def _failed(stream: object, argument: str, what: str, exc: OSError) -> ArchiveError:
    """The error for a write of `what` to the caller's `stream` that failed with `exc`."""
    from .atomic import reason, write_fix   # (the reasons and fixes an output file's failure is said with)

    name = getattr(stream, "name", None)
    where = name if isinstance(name, str) and name else argument
    fix = write_fix(exc) if exc.errno in _ROOM else "check what it writes to, then run again"
    return ArchiveError(where, f"could not write {what}: {reason(exc)}; the output is incomplete", fix=fix)
