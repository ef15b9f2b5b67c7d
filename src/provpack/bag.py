"""BagIt 1.0 bag (RFC 8493) of archive files, with sha256 and sha512 manifests.

    OUT/bagit.txt
    OUT/bag-info.txt              Bag-Software-Agent, Bagging-Date, Payload-Oxum
    OUT/data/<file>...            the payload, copied byte for byte
    OUT/manifest-sha256.txt       manifest-sha512.txt
    OUT/tagmanifest-sha256.txt    tagmanifest-sha512.txt

The bag is built in a temporary folder beside OUT and renamed into place, so
OUT holds a whole bag or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from stat import S_ISDIR, S_ISREG
from pathlib import Path

from ._version import __version__
from .arguments import PATH, require
from .arguments import paths as path_list
from .atomic import (TEMP_SUFFIX, check_name, folder_problem, fsync_folder, helper_stem, output_lock, reason,
                     remove_stale_temps, write_fix)
from .errors import ArchiveError, InputError
from .fsnames import text_name
from .package import run_date
from .written import note

__all__ = ["ALGORITHMS", "make_bag"]

log = logging.getLogger(__name__)

ALGORITHMS = ("sha256", "sha512")
HASH_BLOCK_SIZE = 512 * 1024
# bagit-python reads a manifest through a codecs reader, which ends a line where str.splitlines does, then strips
# the line's whitespace (str.strip) before splitting off the checksum: a name holding one of these line breaks is
# cut in two, and a name ending in whitespace loses it (whitespace before or inside a name is kept: "data/" comes
# first). Written out, not str.splitlines or str.isspace, so that the rule does not change with Python's Unicode
# version; the tests check the two sets against str.splitlines and str.isspace.
_LINE_BREAK = re.compile(r"[\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")
_SPACE_AT_END = re.compile(r"[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]\Z")


def make_bag(paths: Path | str | Iterable[Path | str], out_dir: Path | str) -> Path:
    """Bag the files `paths` (one path, or several: a collection or an iterator, read once) into the new
    folder `out_dir` and return it.

    `out_dir` must not exist or be empty. Bagging-Date, when the bag was made
    (RFC 8493), is SOURCE_DATE_EPOCH's date when set, else today (UTC).
    """
    given = path_list("paths", paths)   # (an iterator: read once, here)
    require((("out_dir", out_dir, PATH),))
    out = Path(out_dir)
    if out.name in ("", ".."):   # `-o .`, `-o ./`, `-o ..`: the folder by its own name (its lock is named after it)
        out = Path(os.path.abspath(out))
        if not out.name:
            raise InputError(str(out_dir), "is the root folder, which cannot be a bag",
                             fix="name a new or empty folder")
    sources = _payload(given)
    check_name(out)
    _require_room(out)
    bagging_date = _bagging_date()
    unusable = folder_problem(out.parent)   # a file on the way: said as such, not as mkdir's 'File exists'
    if unusable is not None:
        raise ArchiveError(out, unusable[0], fix=unusable[1])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(out, f"cannot write here: {exc.strerror or exc}") from exc
    # Held until the bag has its name: a second run on the same folder is refused at once,
    # and a build folder that a killed run left (.OUT.XXXXXXXX.tmp) can be removed as nobody's.
    with output_lock(out):
        _require_room(out)
        remove_stale_temps(out, folders=True)
        _build_in_place(out, sources, bagging_date)
    fsync_folder(out.parent)
    log.info("%s: bagged %d file(s)", out, len(sources))
    return out


def _require_room(out: Path) -> None:
    """Refuse an `out` that is a file, a folder with something in it, or a symbolic link (the bag, built beside,
    takes the name by a rename, which a link is in the way of, even one to an empty folder or to nothing)."""
    if out.is_symlink():
        from .sniff import quoted_text

        raise ArchiveError(out, f"is a symbolic link (to {quoted_text(os.readlink(out), 200)}), not a folder; the bag "
                                "is made under that name as a new folder", fix="name a new folder for the bag, or "
                                                                               "the folder the link points to")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchiveError(out, "already exists and is not an empty folder",
                           fix="name a new folder for the bag")


def _build_in_place(out: Path, sources: Sequence[Path], bagging_date: dt.date) -> None:
    """Build the bag in a temporary folder beside `out`, then give it `out`'s name."""
    try:
        build_dir = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{helper_stem(out)}.", suffix=TEMP_SUFFIX))
    except OSError as exc:
        raise ArchiveError(out, f"cannot write here: {exc.strerror or exc}") from exc
    try:
        _build(build_dir, sources, bagging_date)
        build_dir.chmod(0o755)
        os.rename(build_dir, out)  # replaces an empty folder; fails on a non-empty one
    except BaseException as exc:
        shutil.rmtree(build_dir, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, ArchiveError):
            raise ArchiveError(out, f"cannot write the bag: {reason(exc)}; nothing was changed",
                               fix=write_fix(exc)) from exc
        raise
    note(out)


def _payload(paths: Sequence[Path | str]) -> list[Path]:
    """The files to bag, each a regular file with a name no other one has."""
    if not paths:
        raise InputError("bag", "no files to bag", fix="name at least one archive")
    sources: list[Path] = []
    names: dict[str, Path] = {}
    folded: dict[str, Path] = {}   # names in canonical caseless form (Unicode 15, D145)
    for given in paths:
        path = Path(given)
        name = text_name(path.name)   # (as the manifests name it: its bytes as UTF-8, whatever the locale)
        try:
            info = path.stat()
        except OSError as exc:
            raise InputError.unreadable(path, exc) from exc
        if not S_ISREG(info.st_mode):
            problem = "is a folder" if S_ISDIR(info.st_mode) else "is not a regular file (a FIFO or device)"
            raise InputError(path, problem, fix="name the archive files to bag")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:   # bytes the file system gave that are not UTF-8 (surrogate escapes)
            raise InputError(path, "has a name that is not valid UTF-8, which BagIt manifests cannot name",
                             fix="rename the file") from None
        misread = _name_problem(name)
        if misread is not None:
            raise InputError(path, misread, fix="rename the file")
        if name in names:
            raise InputError(path, f"has the same name as {names[name]}",
                             fix="bag files with different names, or rename one")
        # Names one system keeps apart but another merges: bagit-python matches manifest lines to files
        # by their NFC form (café as é or as e + accent: one is then lost, and the bag fails or not by
        # directory order), macOS normalises names, and on macOS or Windows Doc and doc are one file.
        key = unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())
        twin = folded.get(key)
        if twin is not None:
            twin_name = text_name(twin.name)
            if unicodedata.normalize("NFC", twin_name) == unicodedata.normalize("NFC", name):
                how = ("Unicode normalisation (an accent as one character or as a letter and a combining mark): "
                       "BagIt validators such as bagit-python take them for one file")
            else:
                how = ("letter case" if twin_name.casefold() == name.casefold() else
                       "letter case and Unicode normalisation") + ": one file on macOS and Windows, where the bag " \
                      "would not validate"
            raise InputError(path, f"has a name that differs from {twin}'s only in {how}", fix="rename one of them")
        folded[key] = path
        names[name] = path
        sources.append(path)
    return sources


def _name_problem(name: str) -> str | None:
    """Why a manifest line cannot name `name` so that validators read it back as it is, or None when it can."""
    if any(char in name for char in "%\r\n"):
        return "has %, CR or LF in its name, which BagIt validators encode differently"
    broken = _LINE_BREAK.search(name)
    if broken is not None:
        return (f"has {_character(broken.group())} in its name, a line break to bagit-python, which would cut the "
                "file's manifest line in two")
    if _SPACE_AT_END.search(name):
        return f"has a name ending in whitespace, {_character(name[-1])}, which bagit-python strips from manifest lines"
    return None


def _character(char: str) -> str:
    """`char` as U+XXXX, with its Unicode name when it has one: "U+00A0 (NO-BREAK SPACE)"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _bagging_date() -> dt.date:
    """SOURCE_DATE_EPOCH's date, else today, in UTC: when the content was prepared for transfer (RFC 8493)."""
    return run_date().date()


def _build(bag: Path, sources: Sequence[Path], bagging_date: dt.date) -> None:
    """Write the payload, manifests and tag files into the folder `bag`."""
    data = bag / "data"
    data.mkdir()
    payload: dict[str, dict[str, str]] = {algorithm: {} for algorithm in ALGORITHMS}
    octets = 0
    for source in sources:
        relative = f"data/{text_name(source.name)}"   # (the manifests' UTF-8 text; the copy has the same bytes)
        digests, size = _copy_and_hash(source, data / source.name)
        octets += size
        for algorithm in ALGORITHMS:
            payload[algorithm][relative] = digests[algorithm]
    fsync_folder(data)

    tags: dict[str, dict[str, str]] = {algorithm: {} for algorithm in ALGORITHMS}

    def tag_file(name: str, text: str) -> None:
        raw = text.encode("utf-8")
        _write_synced(bag / name, raw)
        for algorithm in ALGORITHMS:
            tags[algorithm][name] = hashlib.new(algorithm, raw).hexdigest()

    tag_file("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    tag_file(
        "bag-info.txt",
        f"Bag-Software-Agent: provpack {__version__}\n"
        f"Bagging-Date: {bagging_date.isoformat()}\n"
        f"Payload-Oxum: {octets}.{len(sources)}\n",
    )
    for algorithm in ALGORITHMS:
        tag_file(f"manifest-{algorithm}.txt", _manifest(payload[algorithm]))
    for algorithm in ALGORITHMS:
        _write_synced(bag / f"tagmanifest-{algorithm}.txt", _manifest(tags[algorithm]).encode("utf-8"))
    fsync_folder(bag)


def _copy_and_hash(source: Path, target: Path) -> tuple[dict[str, str], int]:
    """Copy `source` to `target`, hashing it with every algorithm in the same single read."""
    hashers = {algorithm: hashlib.new(algorithm) for algorithm in ALGORITHMS}
    size = 0
    # Only reading errors name the source; a write that fails (disk full) propagates, for make_bag to report.
    try:
        src = open(source, "rb")
        stat = os.fstat(src.fileno())
    except OSError as exc:
        raise ArchiveError.unreadable(source, exc) from exc
    with src, open(target, "xb") as dst:
        while True:
            try:
                block = src.read(HASH_BLOCK_SIZE)
            except OSError as exc:
                raise ArchiveError.unreadable(source, exc) from exc
            if not block:
                break
            for hasher in hashers.values():
                hasher.update(block)
            dst.write(block)
            size += len(block)
        dst.flush()
        os.fsync(dst.fileno())
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return {algorithm: hasher.hexdigest() for algorithm, hasher in hashers.items()}, size


def _manifest(digests: dict[str, str]) -> str:
    """Manifest lines `<hex>  <path>`, sorted by path (names _name_problem refuses never get here)."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def _write_synced(path: Path, raw: bytes) -> None:
    """Write a new file and fsync it."""
    with open(path, "xb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
