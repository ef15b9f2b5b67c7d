"""Find the texts to package (NAME.txt, with NAME.yaml or NAME.yml beside it) and read them."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .model import SourceFile

log = logging.getLogger(__name__)

TEXT_SUFFIX = ".txt"
SIDECAR_SUFFIXES = (".yaml", ".yml")
# An excerpt needs about 8 times its size in memory while it is packaged (measured:
# 30 MiB of text with 30,000 elisions peaked at 230 MiB), so 64 MiB keeps a run under
# about half a GiB; --max-text-bytes raises it for machines that have the room.
MAX_TEXT_BYTES = 64 * 1024 * 1024


def discover(sources: Iterable[Path | str], *, follow_symlinks: bool = False) -> tuple[SourceFile, ...]:
    """Every NAME.txt in the given folders and files, sorted by name, with its sidecar."""
    found: dict[str, SourceFile] = {}
    for source in sources:
        root = Path(source)
        if root.is_dir():
            texts = _texts_in(root, follow_symlinks=follow_symlinks)
            if not texts:
                raise InputError(root, "no .txt files in this folder", fix="put one NAME.txt per document in it")
        elif root.exists():
            if root.suffix != TEXT_SUFFIX:
                raise InputError(root, f"not a {TEXT_SUFFIX} file", fix="name each document NAME.txt")
            _require_regular(root)
            folder = root.parent
            sidecars = [path for path in (root.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES)
                        if os.path.lexists(path)]
            texts = [(root, _sidecar_of(root, sidecars, folder, follow_symlinks=follow_symlinks))]
        else:
            raise InputError(root, "no such file or folder")
        for text_path, sidecar_path in texts:
            item = SourceFile(name=text_path.stem, text_path=text_path, sidecar_path=sidecar_path)
            if item.name in found:
                other = found[item.name].text_path
                raise InputError(text_path, f"a document named {item.name!r} is already given by {other}",
                                 fix="document names (file stems) must be unique")
            found[item.name] = item
    if not found:
        raise InputError(Path("."), "no source given", fix="name a folder of .txt files or the files themselves")
    return tuple(found[name] for name in sorted(found))


def read_bytes(path: Path, *, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The file's exact bytes; an InputError naming the file when it cannot be read or is too large."""
    try:
        # O_NONBLOCK: a file swapped for a FIFO after discovery must not hang the run.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise InputError(path, "the file disappeared while packaging", fix="run again") from exc
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}", fix="check its permissions") from exc
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise InputError(path, "not a regular file (it changed while packaging)", fix="run again")
            if info.st_size > limit:
                raise InputError(path, f"{info.st_size:,} bytes is more than the limit of {limit:,} bytes",
                                 fix="split the document, or raise the limit with --max-text-bytes")
            data = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}", fix="check the file") from exc
    if len(data) > limit:
        raise InputError(path, f"more than the limit of {limit:,} bytes (the file grew while packaging)",
                         fix="split the document, or raise the limit with --max-text-bytes")
    return data


def _texts_in(root: Path, *, follow_symlinks: bool) -> list[tuple[Path, Path | None]]:
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(root, f"cannot list the folder: {exc.strerror or exc}") from exc
    names = {entry.name for entry in entries}
    texts: list[tuple[Path, Path | None]] = []
    for entry in entries:
        if not entry.name.endswith(TEXT_SUFFIX) or entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            _check_link(path, root, follow_symlinks=follow_symlinks)
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
            except OSError as exc:
                raise InputError(path, f"cannot read: {exc.strerror or exc}", fix="check the link") from exc
        else:
            regular = entry.is_file(follow_symlinks=False)  # from the directory listing: no stat per file
        if not regular:
            log.warning("%s: not a regular file; skipped", path)
            continue
        stem = entry.name[:-len(TEXT_SUFFIX)]
        sidecars = [root / f"{stem}{suffix}" for suffix in SIDECAR_SUFFIXES if f"{stem}{suffix}" in names]
        texts.append((path, _sidecar_of(path, sidecars, root, follow_symlinks=follow_symlinks)))
    return texts


def _check_link(path: Path, root: Path, *, follow_symlinks: bool) -> None:
    """Refuse a symbolic link that loops, or leads out of `root` unless links may be followed."""
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(root.resolve(strict=True))
    except FileNotFoundError as exc:
        raise InputError(path, "symbolic link to a file that does not exist", fix="fix or remove the link") from exc
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, before Python 3.13
        raise InputError(path, f"symbolic link cannot be followed: {exc}", fix="fix or remove the link") from exc
    if not follow_symlinks and not inside:
        raise InputError(path, f"symbolic link points outside the source folder (to {target})",
                         fix="copy the file in, or pass --follow-symlinks")


def _require_regular(path: Path) -> None:
    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(path, "not a regular file", fix="give a plain .txt file")


def _sidecar_of(text_path: Path, candidates: list[Path], root: Path, *, follow_symlinks: bool) -> Path | None:
    present = []
    for path in candidates:
        if path.is_symlink():
            _check_link(path, root, follow_symlinks=follow_symlinks)
        if path.is_file():
            present.append(path)
        else:
            log.warning("%s: not a regular file; not read as the sidecar of %s", path, text_path.name)
    if len(present) > 1:
        raise InputError(present[1], f"both {present[0].name} and {present[1].name} describe {text_path.name}",
                         fix="keep one sidecar per document")
    return present[0] if present else None
