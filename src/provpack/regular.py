"""Open a file only if it is a regular file, without waiting: a FIFO in its place must not hang a run."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path names a FIFO, a device, a socket or a folder, not a regular file."""


def open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the regular file at `path` and its fstat; NotRegularFile for anything else.

    O_NONBLOCK makes opening a FIFO return at once (a plain open waits for a writer, for ever);
    the fstat of the descriptor, not of the name, is what is checked, so a file swapped after
    a check is caught too. For a regular file O_NONBLOCK changes nothing.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info
