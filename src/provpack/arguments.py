"""The public functions' arguments, checked by type before any work.

A value of the wrong type is an InputError naming the argument and what it must be
(`jobs: must be an int or None, not str '2'`), not an AttributeError or TypeError from deep
inside, or from the end of a read (`extract` into a text stream). Only types are checked here,
cheaply (and of a stream that it is open, for writing: a closed one raised ValueError after the whole archive was
read), and of paths what no file name can hold (a NUL, a lone surrogate that stands for no byte),
which the os refuses with a bare ValueError, and two things no path may be: empty ('' is the current
folder to pathlib, which an unset shell variable does not mean), and, where a file is wanted, without a
file name ('.', '/', on which pathlib's with_name raises ValueError). Each function checks the other
values itself.
"""

from __future__ import annotations

import io
import os
import reprlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .errors import EMPTY_PATH, InputError

__all__ = ["FLAG", "FUNCTION", "INT", "NUMBER", "PATH", "TEXT", "Kind", "binary_stream", "described", "file_path",
           "path_flaw", "paths", "refuse_empty", "require", "text_stream"]


@dataclass(frozen=True, slots=True)
class Kind:
    """What an argument may be: a test of its value, and those words for the message."""

    accepts: Callable[[object], bool]
    what: str
    optional: bool = False
    flaw: Callable[[Any], str | None] | None = None   # what is wrong with a value it accepts, if anything
    path: bool = False   # a path: not an empty one either

    @property
    def or_none(self) -> Kind:
        """The same kind, or None."""
        return Kind(self.accepts, f"{self.what} or None", optional=True, flaw=self.flaw, path=self.path)


def _is_path(value: object) -> bool:
    """A str, or an os.PathLike whose os.fspath() is one (not bytes: Path() takes none)."""
    return isinstance(value, str) or isinstance(value, os.PathLike) and isinstance(_fspath(value), str)


def _fspath(value: os.PathLike[Any]) -> object:
    """What os.fspath() gives for `value`; None when it refuses what its __fspath__ gives (neither str nor bytes)."""
    try:
        return os.fspath(value)
    except TypeError:
        return None


def path_flaw(value: str | os.PathLike[str]) -> str | None:
    """What keeps a path (a str, or an os.PathLike giving one) from naming a file, with what to do, or None.

    The os refuses a NUL with a bare ValueError, and a lone surrogate other than the ones os.fsdecode
    makes of a file name's undecodable bytes (U+DC80 to U+DCFF, which name the file they came from)
    with a UnicodeEncodeError, wherever the path is first used.
    """
    text = os.fspath(value)
    if "\0" in text:
        return f"{text!r} holds a NUL character, which no file name can hold; check the path"
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        if 0xD800 <= code <= 0xDFFF:
            return (f"{text!r} holds U+{code:04X}, a lone surrogate, which no file name can hold (os.fsdecode "
                    "gives only U+DC80 to U+DCFF, for bytes that are not UTF-8); check the path")
        return (f"{text!r} holds U+{code:04X}, which file names cannot hold in this system's encoding "
                f"({sys.getfilesystemencoding()}); check the path")
    return None


PATH = Kind(_is_path, "a path (a str or a pathlib.Path)", flaw=path_flaw, path=True)
TEXT = Kind(lambda value: isinstance(value, str), "a str")
INT = Kind(lambda value: isinstance(value, int) and not isinstance(value, bool), "an int")
NUMBER = Kind(lambda value: isinstance(value, (int, float)) and not isinstance(value, bool), "a number (an int or a float)")
FLAG = Kind(lambda value: isinstance(value, bool), "True or False")
FUNCTION = Kind(callable, "a function")


def require(arguments: tuple[tuple[str, object, Kind], ...]) -> None:
    """An InputError naming the first (argument, value, kind) whose value is not of its kind."""
    for name, value, kind in arguments:
        if value is None and kind.optional:
            continue
        if not kind.accepts(value):
            raise InputError(name, f"must be {kind.what}, not {described(value)}")
        if kind.path:
            refuse_empty(name, value)
        flaw = None if kind.flaw is None else kind.flaw(value)
        if flaw is not None:
            raise InputError(name, flaw)


def refuse_empty(name: str, value: object) -> None:
    """An InputError naming the argument when `value` is an empty path (pathlib reads '' as '.')."""
    if _is_path(value) and os.fspath(cast("str | os.PathLike[str]", value)) == "":
        raise InputError(name, EMPTY_PATH[0], fix=EMPTY_PATH[1])


def file_path(name: str, value: str | os.PathLike[str], *, fix: str = "give a file") -> Path:
    """`value` as a Path that names a file; an InputError naming the argument when it is empty, or naming the path
    when its last part names no file ('.', '/', '..': a folder), on which pathlib's with_name raises ValueError.
    `fix`: what to do then (for an output, "name a file to write")."""
    refuse_empty(name, value)
    path = Path(value)
    if path.name in ("", ".."):
        raise InputError(os.fspath(value), "is a folder, not a file", fix=fix)
    return path


def paths(name: str, value: object) -> list[str | Path]:
    """`value`, one path or an iterable of them (read once, here), as a list; an InputError naming the argument
    (or its item, `name[2]`) when it is not."""
    if _is_path(value):
        require(((name, value, PATH),))   # (empty, or what no file name can hold)
        return [cast("str | Path", value)]   # (or another os.PathLike: Path() takes it)
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Iterable):
        raise InputError(name, f"must be {PATH.what} or an iterable of them, not {described(value)}")
    if _is_file(value):   # (iterable: its lines, which were taken for paths, or a closed file's ValueError)
        raise InputError(name, f"must be {PATH.what} or an iterable of them, not {described(value)}: a file's "
                         "lines are not taken for paths", fix="pass the file's path, or a list of the paths in it")
    given: list[str | Path] = list(value)
    for number, item in enumerate(given):
        require(((f"{name}[{number}]", item, PATH),))
    return given


_BINARY = "a binary stream (open(PATH, 'wb'), io.BytesIO, sys.stdout.buffer)"
_TEXT = "a path or a text stream (open(PATH, 'w'), io.StringIO, sys.stdout)"


def binary_stream(name: str, value: object) -> None:
    """An InputError naming the argument unless `value` is a stream that takes bytes and is open for writing
    (checked before any read, not by the first write after it)."""
    if not callable(getattr(value, "write", None)) or _is_text(value) is True:
        raise InputError(name, f"must be {_BINARY}, not {described(value)}")
    _require_writable(name, value, "open(PATH, 'wb')")


def text_stream(name: str, value: object) -> None:
    """An InputError naming the argument unless `value` is a path or a stream that takes text and is open for
    writing."""
    if _is_path(value):
        require(((name, value, PATH),))   # (empty, or what no file name can hold)
    elif not callable(getattr(value, "write", None)) or _is_text(value) is False:
        raise InputError(name, f"must be {_TEXT}, not {described(value)}")
    else:
        _require_writable(name, value, "open(PATH, 'w')")


def _require_writable(name: str, stream: Any, example: str) -> None:
    """An InputError naming the argument when the stream says it is closed, or not open for writing (a file opened
    to read: `example` opens one to write); a stream that does not say (no `closed`, no `writable()`) passes."""
    if getattr(stream, "closed", False) is True:   # (writable() of a closed io stream raises ValueError)
        raise InputError(name, f"{described(stream)} is closed", fix=f"pass an open one ({example})")
    try:
        writable = stream.writable() if callable(getattr(stream, "writable", None)) else None
    except (OSError, ValueError):   # (a stream of another kind that cannot tell): its first write will say
        writable = None
    if writable is False:
        mode = getattr(stream, "mode", None)
        said = f" (mode {mode!r})" if isinstance(mode, str) else ""
        raise InputError(name, f"{described(stream)} is not open for writing{said}",
                         fix=f"pass one open for writing ({example})")


def _is_file(value: object) -> bool:
    """Whether `value` is an open (or closed) file or another stream to read: an io stream, or one with read()."""
    return isinstance(value, io.IOBase) or callable(getattr(value, "read", None))


def _is_text(stream: Any) -> bool | None:
    """Whether a stream takes text (True) or bytes (False); None when it does not say."""
    if isinstance(stream, io.TextIOBase):
        return True
    if isinstance(stream, (io.BufferedIOBase, io.RawIOBase)):
        return False
    mode = getattr(stream, "mode", None)   # a tempfile wrapper, and other file-likes that are no io class
    return ("b" not in mode) if isinstance(mode, str) else None


def described(value: object) -> str:
    """The value for a message: its type, and a short repr unless it is a stream (whose repr is an address)."""
    if value is None:
        return "None"
    kind = type(value).__name__
    if isinstance(value, os.PathLike) and not isinstance(path := _fspath(value), str):   # (its repr may not say)
        return f"{kind} whose os.fspath() is {'refused' if path is None else described(path)}"
    if callable(getattr(value, "write", None)):
        said = {True: "a text stream", False: "a binary stream", None: "a stream"}[_is_text(value)]
        return f"{said} ({kind})"
    return f"{kind} {reprlib.repr(value)}"
