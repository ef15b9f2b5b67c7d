"""Open a file only if it is a regular file, without waiting: a FIFO in its place must not hang a run."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePath

from .errors import InputError, option

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_A_LINK = (errno.ELOOP, errno.EMLINK)   # what open(O_NOFOLLOW) of a symbolic link gives (EMLINK: FreeBSD)


class NotRegularFile(OSError):
    """The path names a FIFO, a device, a socket or a folder, not a regular file."""


_SPECIAL = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
            (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def special_kind(mode: int) -> str | None:
    """What a file of this st_mode is when it is a device, FIFO or socket ("a named pipe (FIFO)"), else None."""
    for test, kind in _SPECIAL:
        if test(mode):
            return kind
    return None


def link_out(path: Path | str, target: Path | str) -> InputError:
    """The refusal of a symbolic link at `path` that leads out of its source folder, to `target`."""
    return InputError(path, f"symbolic link points outside the source folder (to {target})",
                      fix=f"copy the file in, or pass {option('--follow-symlinks', 'follow_symlinks=True')}")


def open_regular(path: Path | str, *, within: str | None = None) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the regular file at `path` and its fstat; NotRegularFile for anything else.

    O_NONBLOCK makes opening a FIFO return at once (a plain open waits for a writer, for ever);
    the fstat of the descriptor, not of the name, is what is checked, so a file swapped after
    a check is caught too. For a regular file O_NONBLOCK changes nothing.

    `within`: the folder the file must stay in. A symbolic link out of it is refused (an InputError,
    as the listing refuses it), and so is a file replaced while it was being checked: what is checked
    is the file opened, so a text swapped for a link after it was listed is not read. A file right
    in `within` is opened with O_NOFOLLOW (no extra system call); only a link, or a path through
    sub-folders, has its real path resolved and compared with the file opened.
    """
    if within is not None and _NOFOLLOW and _directly_in(os.fspath(path), within):
        try:
            return _checked(path, os.open(path, _FLAGS | _NOFOLLOW))
        except OSError as exc:
            if exc.errno not in _A_LINK:
                raise
    fd = os.open(path, _FLAGS)
    if within is not None:
        try:
            _check_within(path, fd, within)
        except BaseException:
            os.close(fd)
            raise
    return _checked(path, fd)


def _directly_in(path: str, folder: str) -> bool:
    """Whether `path` is FOLDER/NAME (string operations only: cheaper than os.path.dirname, per file)."""
    if not folder:
        return os.sep not in path
    end = len(folder)
    return path.startswith(folder) and path[end:end + 1] == os.sep and os.sep not in path[end + 1:]


def _checked(path: Path | str, fd: int) -> tuple[int, os.stat_result]:
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _check_within(path: Path | str, fd: int, within: str) -> None:
    """An InputError unless the file open as `fd` is the one `path` now resolves to, inside `within`."""
    real = os.path.realpath(path)
    if not PurePath(real).is_relative_to(os.path.realpath(within)):
        raise link_out(path, real)
    opened = os.fstat(fd)
    try:
        named = os.stat(real)
    except OSError:
        named = None
    if named is None or (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
        raise InputError(path, "it was replaced while packaging (a symbolic link changed)", fix="run again")
