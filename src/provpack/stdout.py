"""Standard output that is written whole or fails loudly: a full disk must not cut a listing short in silence;
and standard output or standard error that the shell closed (`>&-`, `2>&-`): what would go there goes nowhere.

Under `python -u` or PYTHONUNBUFFERED, `sys.stdout.buffer` is the raw file: its write()
may take only part of the bytes (a full disk, `ulimit -f`) and say so only in its return
value, which print() and shutil.copyfileobj ignore. The wrapper here writes the rest, so
the next write meets the error (ENOSPC, EFBIG), and turns that error into an OutputError.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

from .errors import ProvpackError


class OutputError(ProvpackError):
    """Standard output could not take all of the output (exit code 2)."""

    def __init__(self, problem: str, fix: str = "free some space (or send it elsewhere) and run again") -> None:
        super().__init__(f"could not write standard output: {problem}; the output is incomplete, {fix}")
        self.problem = problem

    def after(self, written: Sequence[Path]) -> str:
        """The message once the run had written the files `written` (each whole, under its final name): only what
        was printed is incomplete, and a run again is not wanted (it would meet those files: 'already exists', or
        with --force a new key pair in place of the one just made)."""
        if not written:
            return str(self)
        names = [str(path) for path in written]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return (f"could not write standard output: {self.problem}; only what was printed is incomplete: {listed} "
                f"{'was written and is' if len(names) == 1 else 'were written and are'} complete, so there is no "
                "need to run again")


class _WholeWriter(io.RawIOBase):
    """Writes every byte it is given to `target`, or raises OutputError; a closed pipe stays BrokenPipeError."""

    def __init__(self, target: BinaryIO) -> None:
        super().__init__()
        self._target = target
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return self._target.isatty()

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            with self._reported():
                written = self._target.write(view)
            if written is None or written <= 0:   # a non-blocking descriptor that is full, or a writer saying 0
                self.failed = True
                raise OutputError("it took no more bytes")
            view = view[written:]
        return total

    def flush(self) -> None:
        if self.failed or self.closed:   # reported once; at exit there is nothing more to say
            return
        with self._reported():
            self._target.flush()

    def close(self) -> None:
        """Leave the real standard output open: only this wrapper closes."""
        with contextlib.suppress(OSError, ValueError, ProvpackError):
            self.flush()
        super().close()

    @contextlib.contextmanager
    def _reported(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            self.failed = True
            raise
        except OSError as exc:
            from .atomic import reason

            self.failed = True
            if exc.errno == errno.EFBIG:
                raise OutputError(reason(exc), "raise the file-size limit (ulimit -f) or send it elsewhere, "
                                               "and run again") from exc
            raise OutputError(reason(exc)) from exc


def _escaped_or_spelled(error: UnicodeError) -> tuple[str | bytes, int]:
    """An encoding error handler: a surrogate that stands for an undecodable byte (surrogateescape's) as that byte,
    any other character the encoding lacks spelled as backslashreplace spells it."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chars = error.object[error.start:error.end]
    if not any("\udc80" <= char <= "\udcff" for char in chars):
        return codecs.backslashreplace_errors(error)   # (text, which the encoder then encodes)
    out = bytearray()
    for char in chars:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:
            out += char.encode("ascii", "backslashreplace")
    return bytes(out), error.end


_ESCAPED_OR_SPELLED = "provpack.escaped-or-spelled"
codecs.register_error(_ESCAPED_OR_SPELLED, _escaped_or_spelled)


@contextlib.contextmanager
def whole_stdout() -> Iterator[None]:
    """Replace sys.stdout for the block with one whose writes are complete or raise OutputError."""
    original = sys.stdout
    if original is None:   # closed by the shell (`>&-`): the output goes nowhere, as print() sends it, for every command
        with _null_for("stdout"):
            yield
        return
    target = getattr(original, "buffer", None)
    if target is None:   # a stand-in without bytes underneath (a test's StringIO): leave it be
        yield
        return
    writer = _WholeWriter(target)
    # A character the terminal's encoding lacks (PYTHONIOENCODING=ascii, a C locale) is spelled \xe9, not a crash;
    # in a C locale (errors surrogateescape) an undecodable byte of a file name still goes out as the byte it was.
    errors = {"strict": "backslashreplace", "surrogateescape": _ESCAPED_OR_SPELLED}.get(original.errors or "strict",
                                                                                    original.errors)
    text = io.TextIOWrapper(cast(BinaryIO, writer), encoding=original.encoding, errors=errors,
                            line_buffering=bool(original.line_buffering), write_through=True)
    sys.stdout = text
    try:
        yield
    finally:
        sys.stdout = original
        with contextlib.suppress(OSError, ValueError, ProvpackError):
            text.flush()
        with contextlib.suppress(OSError, ValueError, ProvpackError):
            text.detach()
        if writer.failed:
            _drop_the_rest(target)


@contextlib.contextmanager
def utf8_stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 text whatever the locale, for output meant for programs (a CDXJ index, which `-o FILE`
    writes in UTF-8 too): in a Latin-1 or C locale sys.stdout writes é as 0xE9 or \\xe9, and – as \\u2013. A
    character UTF-8 has no bytes for (a lone surrogate) is spelled as in a UTF-8 locale (\\udce9). sys.stdout as it
    is when it is UTF-8 already, or has no bytes underneath (a test's StringIO)."""
    original = sys.stdout
    target = getattr(original, "buffer", None)
    if target is None or codecs.lookup(original.encoding or "ascii").name == "utf-8":
        yield original
        return
    original.flush()   # (what it holds goes first)
    text = io.TextIOWrapper(target, encoding="utf-8", errors="backslashreplace",
                            line_buffering=bool(original.line_buffering), write_through=True)
    try:
        yield text
        text.flush()   # (through to the file: a full disk is said here, as the command's own failure)
    finally:
        with contextlib.suppress(OSError, ValueError, ProvpackError):
            text.detach()   # (the buffer is sys.stdout's: it stays open)


@contextlib.contextmanager
def present_stderr() -> Iterator[None]:
    """sys.stderr for the block; when the shell closed it (`2>&-`, Python's sys.stderr is None), /dev/null in its
    place: the messages go nowhere, not to standard output (where print(file=None) sends them), and a progress bar
    or a log handler finds a stream. When it is there but cannot be written (a reader gone, `2> >(true)`; a full
    disk, `2>/dev/full`), what is written to it is lost, not raised: an error's message failing to arrive must not
    turn its exit code into 0 (a broken pipe taken for `| head`) or 1 (a traceback). The exit code stays as it is."""
    original = sys.stderr
    if original is not None:
        sys.stderr = _LossyStream(original)
        try:
            yield
        finally:
            sys.stderr = original
        return
    # (the lowest free descriptor: 2 itself when only it was closed, which then no output file of the run can take)
    with _null_for("stderr"):
        yield


class _LossyStream:
    """A text stream whose writes and flushes that fail are dropped; anything else is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except (OSError, ValueError):   # (ValueError: the stream closed under us)
            return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:   # isatty, fileno, encoding, errors, buffer...: the stream's
        return getattr(self._stream, name)


@contextlib.contextmanager
def _null_for(stream: str) -> Iterator[None]:
    """sys.stdout or sys.stderr (`stream`), which the shell closed (None), as /dev/null for the block; None again
    after it."""
    with open(os.devnull, "w", encoding="utf-8") as null:
        setattr(sys, stream, null)
        try:
            yield
        finally:
            setattr(sys, stream, None)


def _drop_the_rest(target: BinaryIO) -> None:
    """Point a descriptor that failed at /dev/null, so that flushing what it still buffers at exit does not fail
    again (Python would print a traceback and exit 120): the output was already reported incomplete."""
    with contextlib.suppress(OSError, ValueError):
        descriptor = target.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, descriptor)
        finally:
            os.close(null)
