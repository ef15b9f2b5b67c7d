"""Errors provpack raises on purpose.

    ProvpackError            base; exit code 2 ("cannot go on")
    ├── InputError           input we cannot package (names the file and the position)
    ├── ArchiveError         an archive we cannot read or write (names the file)
    ├── CaptureError         an original we could not fetch (names the URL)
    └── IntegrityError       archived bytes that no longer match their digest (exit code 1)

A digest that does not match is not an exception: it is a finding in a
verification report (exit code 1).

A message the library gives both the command line and the Python API names an option
both ways (`option`): `pass --force (force=True)`, `--jobs (jobs): ...`.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Any

# Characters that reorder or reshape the text around them without showing (a regular expression's class): the
# bidirectional controls (marks, embeddings, overrides, isolates: U+202E makes `report<U+202E>txt.exe.txt` look
# like "reportexe.txt"), the deprecated controls that swap brackets and digit shapes, interlinear annotations.
REORDERING = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u206f\ufff9-\ufffb"
# Characters that show as nothing, or whose effect is not shown (a regular expression's class): the line and
# paragraph separators (a name stays on one line), the REORDERING characters, and every other character
# Unicode 15.1 calls default-ignorable (zero-width space and joiners, soft hyphen, variation selectors, Hangul
# fillers, tags): `a<U+200B>b` would look like `ab`. Written out, not read from unicodedata, so that it is the
# same on every Python version.
INVISIBLE = (rf"\u2028\u2029{REORDERING}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d"
             r"\u2060-\u2065\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
             r"\U000e0000-\U000e0fff")
# What a message or a name shows spelled out: C0 and C1 controls and DEL (ESC opens a terminal's escape
# sequences, CR rewrites the line), the lone surrogates os.fsdecode makes of a file name's undecodable bytes
# (which a UTF-8 stream refuses), and the INVISIBLE characters.
_UNPRINTABLE = re.compile(rf"[\x00-\x1f\x7f-\x9f\ud800-\udfff{INVISIBLE}]")


def printable(text: str) -> str:
    """`text` for a message: control characters and the invisible ones spelled \\xNN, \\uNNNN or \\UNNNNNNNN (as
    Python spells them), an undecodable file-name byte as its \\xNN."""
    return _UNPRINTABLE.sub(spelled, text) if _UNPRINTABLE.search(text) else text


_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")


def as_seen(text: str) -> str:
    """`text` without its INVISIBLE characters: what a listing shows of a name (`a<U+200E>b` is seen `ab`)."""
    return _INVISIBLE_RE.sub("", text)


def spelled(match: re.Match[str]) -> str:
    """The character `match` found, spelled \\xNN, \\uNNNN or \\UNNNNNNNN (a file name's undecodable byte: \\xNN)."""
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:   # surrogateescape's stand-in for the byte code - 0xDC00
        code -= 0xDC00
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def not_utf8(text: str) -> str | None:
    """The bytes of `text` that were not UTF-8 (the lone surrogates os.fsdecode and the command line make of
    them), spelled "0xE9 0xFF", or None when it is all text a UTF-8 encoder takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        return " ".join(f"0x{ord(char) - 0xDC00:02X}" if 0xDC80 <= ord(char) <= 0xDCFF else f"U+{ord(char):04X}"
                        for char in bad)
    return None


def require_utf8(options: tuple[tuple[str, str | None], ...]) -> None:
    """An InputError naming the first (option, value) whose value is not UTF-8 text (None: not given)."""
    for option, value in options:
        bad = None if value is None else not_utf8(value)
        if bad is not None:
            raise InputError(option, f"not UTF-8 text ({bad})", fix="give it in UTF-8")


def option(flag: str, argument: str | None = None) -> str:
    """An option named as the command and the API both spell it, for a message the library gives either:
    option("--jobs") is "--jobs (jobs)", option("--force", "force=True") is "--force (force=True)"."""
    return f"{flag} ({argument if argument is not None else flag.lstrip('-').replace('-', '_')})"


FORCE = option("--force", "force=True")   # what replaces an existing output
EMPTY_PATH = ("empty path", "give a path")   # what a path given as '' is (pathlib reads it as '.'), and the fix


_PERMISSION = (errno.EACCES, errno.EPERM)


def descriptors(exc: OSError) -> tuple[str, str] | None:
    """EMFILE, ENFILE: the limit on open files was reached, the process's or the system's, which is no fault of the
    file being opened: (that limit, in words; what to do), else None."""
    if exc.errno == errno.EMFILE:
        limit = _open_files_limit()
        return (f"too many open files in this process{f' (its limit is {limit:,})' if limit else ''}",
                "raise the limit (ulimit -n), or close files this process holds open")
    if exc.errno == errno.ENFILE:
        return ("too many open files on this system (all processes together)",
                "close files or programs elsewhere, or raise the system's limit (fs.file-max)")
    return None


def _open_files_limit() -> int | None:
    """The most files this process may hold open (its soft RLIMIT_NOFILE), or None where that is not known."""
    try:
        import resource
    except ImportError:   # (Windows)
        return None
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


def unreadable(exc: OSError, what: str = "file") -> tuple[str, str]:
    """Why a `what` ("file", "folder") could not be opened or read, and what to do: ("no such file", "check the path")."""
    limit = descriptors(exc)
    if limit is not None:
        return limit
    if exc.errno == errno.ENOENT:
        return f"no such {what}", "check the path"
    if exc.errno in _PERMISSION:
        return "permission denied", f"check the {what}'s permissions (or run as its owner)"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file", "give a file"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder", "check the path"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links", "check the link"
    return (exc.strerror or str(exc) or type(exc).__name__).lower(), f"check the {what}"


class ProvpackError(Exception):
    """Base for every error provpack raises on purpose."""

    exit_code = 2

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle message and attributes, so that an error raised in a worker process arrives whole."""
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InputError(ProvpackError, ValueError):
    """Input we cannot package; names the file and the position in it."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        column: int | None = None,
        fix: str = "",
    ) -> None:
        where = printable(str(path))
        if line is not None:
            where += f": line {line}" + (f", column {column}" if column is not None else "")
        elif offset is not None:
            where += f": byte {offset}"
        super().__init__(f"{where}: {problem}" + (f"; {fix}" if fix else ""))
        self.path = Path(path)
        self.problem = problem
        self.offset = offset
        self.line = line
        self.column = column

    @classmethod
    def unreadable(cls, path: Path | str, exc: OSError, what: str = "file", doing: str = "") -> InputError:
        """The error for a `path` that could not be opened: "PATH: [doing: ]no such file; check the path"."""
        problem, fix = unreadable(exc, what)
        return cls(path, f"{doing}: {problem}" if doing else problem, fix=fix)


class ArchiveError(ProvpackError, OSError):
    """An archive we cannot read or write; names the file."""

    def __init__(self, path: Path | str, problem: str, *, fix: str = "") -> None:
        super().__init__(f"{printable(str(path))}: {problem}" + (f"; {fix}" if fix else ""))
        self.path = Path(path)
        self.problem = problem

    @classmethod
    def unreadable(cls, path: Path | str, exc: OSError, what: str = "file", doing: str = "") -> ArchiveError:
        """The error for a `path` that could not be opened: "PATH: [doing: ]no such file; check the path"."""
        problem, fix = unreadable(exc, what)
        return cls(path, f"{doing}: {problem}" if doing else problem, fix=fix)

    @classmethod
    def not_seekable(cls, path: Path | str) -> ArchiveError:
        """The error for a pipe (or another stream) given to a command that goes back to records by their offsets."""
        return cls(path, "is a pipe or another stream that cannot be read twice; this command goes back to records"
                   " by their offsets", fix="save it to a file first (`provpack verify` reads a pipe as it is)")


class CaptureError(ProvpackError):
    """An original source we could not fetch; names the URL."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{printable(url)}: {problem}")
        self.url = url
        self.problem = problem


class IntegrityError(ProvpackError):
    """Archived bytes that do not match their recorded digest; exit code 1."""

    exit_code = 1

    def __init__(self, path: Path | str, problem: str, *, offset: int | None = None) -> None:
        """`offset`: the byte of the file where the damage is, when it is damage to the file (not in the
        message: the problem says it in its own words)."""
        super().__init__(f"{printable(str(path))}: {problem}")
        self.path = Path(path)
        self.problem = problem
        self.offset = offset


def _rebuild(cls: type[ProvpackError], args: tuple[Any, ...], state: dict[str, Any]) -> ProvpackError:
    """An error of type `cls` with `args` and attributes `state`, without calling its __init__."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
