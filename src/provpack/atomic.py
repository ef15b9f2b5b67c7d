"""Write a file so that it appears whole or not at all: temp file beside it, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ArchiveError


@contextlib.contextmanager
def atomic_writer(path: Path, *, force: bool = False) -> Iterator[BinaryIO]:
    """Yield a temp file in `path`'s folder; on success it replaces `path`, on failure it vanishes."""
    if path.exists() and not force:
        raise ArchiveError(path, "already exists", fix="pass --force to replace it, or choose another name")
    if path.is_dir():
        raise ArchiveError(path, "is a folder", fix="name a file to write")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    except OSError as exc:
        raise ArchiveError(path, f"cannot write here: {exc.strerror or exc}", fix="check the folder") from exc
    temp_path = Path(handle.name)
    try:
        with handle:
            yield handle  # type: ignore[misc]
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_path, 0o644 & ~_umask())
        os.replace(temp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp_path.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, ArchiveError):
            raise ArchiveError(path, f"write failed: {exc.strerror or exc}; nothing was changed",
                               fix="free disk space or check permissions") from exc
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
