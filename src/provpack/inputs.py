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
MAX_TEXT_BYTES = 512 * 1024 * 1024


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
            texts = [root]
        else:
            raise InputError(root, "no such file or folder")
        for text_path in texts:
            item = SourceFile(name=text_path.stem, text_path=text_path, sidecar_path=_sidecar_for(text_path))
            if item.name in found:
                other = found[item.name].text_path
                raise InputError(text_path, f"a document named {item.name!r} is already given by {other}",
                                 fix="document names (file stems) must be unique")
            found[item.name] = item
    if not found:
        raise InputError(Path("."), "no source given", fix="name a folder of .txt files or the files themselves")
    return tuple(found[name] for name in sorted(found))


def read_bytes(path: Path, *, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The file's exact bytes; an InputError naming the file when it cannot be read."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise InputError(path, "the file disappeared while packaging", fix="run again") from exc
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}", fix="check its permissions") from exc
    if len(data) > limit:
        raise InputError(path, f"larger than {limit} bytes", fix="split the document or raise the limit")
    return data


def _texts_in(root: Path, *, follow_symlinks: bool) -> list[Path]:
    resolved_root = root.resolve()
    texts: list[Path] = []
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(root, f"cannot list the folder: {exc.strerror or exc}") from exc
    for entry in entries:
        if not entry.name.endswith(TEXT_SUFFIX) or entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            target = path.resolve()
            if not follow_symlinks and not target.is_relative_to(resolved_root):
                raise InputError(path, f"symbolic link points outside the source folder (to {target})",
                                 fix="copy the file in, or pass --follow-symlinks")
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(mode):
            log.warning("%s: not a regular file; skipped", path)
            continue
        texts.append(path)
    return texts


def _require_regular(path: Path) -> None:
    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(path, "not a regular file", fix="give a plain .txt file")


def _sidecar_for(text_path: Path) -> Path | None:
    candidates = [text_path.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES]
    present = [path for path in candidates if path.is_file()]
    if len(present) > 1:
        raise InputError(present[1], f"both {present[0].name} and {present[1].name} describe {text_path.name}",
                         fix="keep one sidecar per document")
    return present[0] if present else None
