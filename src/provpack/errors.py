"""Errors provpack raises on purpose.

    ProvpackError            base; exit code 2 ("cannot go on")
    ├── InputError           input we cannot package (names the file and the position)
    ├── ArchiveError         an archive we cannot read or write (names the file)
    ├── CaptureError         an original we could not fetch (names the URL)
    └── IntegrityError       archived bytes that no longer match their digest (exit code 1)

A digest that does not match is not an exception: it is a finding in a
verification report (exit code 1).
"""

from __future__ import annotations

from pathlib import Path


class ProvpackError(Exception):
    """Base for every error provpack raises on purpose."""

    exit_code = 2


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
        where = str(path)
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


class ArchiveError(ProvpackError, OSError):
    """An archive we cannot read or write; names the file."""

    def __init__(self, path: Path | str, problem: str, *, fix: str = "") -> None:
        super().__init__(f"{path}: {problem}" + (f"; {fix}" if fix else ""))
        self.path = Path(path)
        self.problem = problem


class CaptureError(ProvpackError):
    """An original source we could not fetch; names the URL."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem


class IntegrityError(ProvpackError):
    """Archived bytes that do not match their recorded digest; exit code 1."""

    exit_code = 1

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem
