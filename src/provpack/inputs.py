"""Find the texts to package (NAME.txt, with NAME.yaml or NAME.yml beside it) and read them."""

from __future__ import annotations

import errno
import heapq
import io
import itertools
import logging
import os
import shlex
import stat
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from .column import Column
from .defaults import MAX_TEXT_BYTES
from .errors import FORCE, InputError, as_seen, option
from .fsnames import NATIVE, os_name, text_name
from .model import SourceFile
from .regular import NotRegularFile, link_out, open_regular
from .spill import LISTING, discard, spilling, temporary_file
from .tables import NameList

log = logging.getLogger(__name__)

TEXT_SUFFIX = ".txt"
SIDECAR_SUFFIXES = (".yaml", ".yml")
_RUN = 8192   # names sorted per run while listing a folder
_PENDING_VALUES = 4096   # sizes and sidecar codes gathered before they go into their columns
_SPILL_READ = 16384   # bytes read at a time from each spilled run while merging them
_READ_CHUNK = 1 << 24   # a text up to this size is read with one read(); a larger one this much at a time
_WARN_LINES = 10   # warnings of one kind named one by one per folder; the rest are counted in one line
_NEAR_SHOWN = 3   # texts named in a warning of a sidecar whose name differs from theirs only in case or normalisation
ARCHIVE_SUFFIX = ".warc.gz"   # what package writes: a gzipped WARC, its suffix in lower case
_OUTPUT_SUFFIXES = (ARCHIVE_SUFFIX, ".warc")   # in any case: a source named so is likely the output, given without -o


@dataclass(frozen=True, slots=True)
class Listing:
    """The texts to package, sorted by name, each with its sidecar and size.

    Names are as the archive holds them, the file names' bytes read as UTF-8 whatever the locale, and sorted
    so; the paths made of them are the files' (fsnames.os_name). Past 16,384 documents each column moves to a temporary file (see column.py),
    so a listing of 100,000 texts holds almost nothing per document in memory.
    """

    folders: tuple[str, ...]
    names: NameList
    folder_index: Column     # per document: index into folders
    sidecars: Column         # per document: 0 none, else 1 + index into SIDECAR_SUFFIXES
    sizes: Column            # bytes, as listed
    named: frozenset[int] = frozenset()   # folders (indexes) of texts given by name: links anywhere (sidecars not)

    def __len__(self) -> int:
        return len(self.names)

    def text_path(self, index: int) -> str:
        """Where document `index`'s text is."""
        return os.path.join(self.folders[self.folder_index[index]], os_name(self.names[index]) + TEXT_SUFFIX)

    def sidecar_path(self, index: int) -> str | None:
        """Where its sidecar is, if it has one."""
        code = self.sidecars[index]
        if not code:
            return None
        return os.path.join(self.folders[self.folder_index[index]],
                            os_name(self.names[index]) + SIDECAR_SUFFIXES[code - 1])

    def part(self, start: int, stop: int) -> Listing:
        """Documents [start, stop) as a listing of their own, built from slices (what a worker is sent)."""
        return Listing(self.folders, self.names.part(start, stop), Column("H", self.folder_index.values(start, stop)),
                       Column("B", self.sidecars.values(start, stop)), Column("q", self.sizes.values(start, stop)),
                       self.named)

    def confined(self, start: int, stop: int) -> list[bool]:
        """Documents [start, stop): whether each text must stay in its folder (not if given by name as a source)."""
        if not self.named:
            return [True] * (stop - start)
        return [folder not in self.named for folder in self.folder_index.values(start, stop)]

    def source(self, index: int) -> SourceFile:
        """Document `index` as a SourceFile."""
        name = self.names[index]
        folder = self.folders[self.folder_index[index]]
        code = self.sidecars[index]
        file = os_name(name)
        return SourceFile(name=name, text_path=Path(folder, file + TEXT_SUFFIX),
                          sidecar_path=Path(folder, file + SIDECAR_SUFFIXES[code - 1]) if code else None)

    def paths(self, start: int, stop: int) -> list[tuple[str, str, str | None]]:
        """Documents [start, stop) as (name, text path, sidecar path or None), spelled as str(Path) spells them.

        Strings joined here cost a fraction of building a Path per file and formatting it
        when the file is opened (a worker opens each of its texts once).
        """
        folders = ["" if folder == "." else folder for folder in self.folders]   # Path(".") / "a" is "a"
        join = os.path.join
        found: list[tuple[str, str, str | None]] = []
        for name, folder, code in zip(self.names.part(start, stop), self.folder_index.values(start, stop),
                                      self.sidecars.values(start, stop)):
            base = folders[folder]
            file = name if NATIVE else os_name(name)   # (no call per name where it changes nothing)
            found.append((name, join(base, file + TEXT_SUFFIX),
                          join(base, file + SIDECAR_SUFFIXES[code - 1]) if code else None))
        return found

    def sources(self, start: int, stop: int) -> list[SourceFile]:
        """Documents [start, stop) as SourceFiles, as `source` gives them, each folder's path parsed once."""
        folder_paths = [Path(folder) for folder in self.folders]
        found = []
        for name, folder, code in zip(self.names.part(start, stop), self.folder_index.values(start, stop),
                                      self.sidecars.values(start, stop)):
            folder_path = folder_paths[folder]   # a name is one path component: joining it parses only the name
            file = os_name(name)
            found.append(SourceFile(name=name, text_path=folder_path / (file + TEXT_SUFFIX),
                                    sidecar_path=folder_path / (file + SIDECAR_SUFFIXES[code - 1]) if code else None))
        return found


def discover(sources: Iterable[Path | str], *, follow_symlinks: bool = False) -> tuple[SourceFile, ...]:
    """Every NAME.txt in the given folders and files, sorted by name, with its sidecar."""
    listing = list_sources(sources, follow_symlinks=follow_symlinks)
    return tuple(listing.sources(0, len(listing)))


def list_sources(sources: Iterable[Path | str], *, follow_symlinks: bool = False) -> Listing:
    """What `discover` finds, listed compactly: one listing and one stat per text, no object per document.

    A folder source gives its NAME.txt files, each with NAME.yaml or NAME.yml when there is one.
    Hidden names (.NAME) are skipped silently; a sidecar with no text, a suffix in another case
    (NAME.TXT) and a sub-folder holding .txt files are skipped with a warning.
    """
    scans: list[_Scan] = []
    given: dict[str, Path] = {}
    for source in sources:
        root = Path(source)
        _require_searchable(root)
        real = os.path.realpath(root)
        if real in given:
            also = "" if str(given[real]) == str(root) else f" (also as {given[real]})"
            raise InputError(root, f"the {'folder' if root.is_dir() else 'file'} is given twice{also}",
                             fix="give each source once")
        given[real] = root
        if root.is_dir():
            scan = _scan_folder(root, follow_symlinks=follow_symlinks)
            if not scan.stems:
                raise InputError(root, "no .txt files in this folder", fix="put one NAME.txt per document in it")
        elif root.exists():
            if root.suffix != TEXT_SUFFIX:
                fix = _output_hint(root, also=f"and {FORCE} to replace it") or "name each document NAME.txt"
                raise InputError(root, f"not a {TEXT_SUFFIX} file", fix=fix)
            size = _require_regular(root)
            candidates = [path for path in (root.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES)
                          if os.path.lexists(path)]
            sidecar = _sidecar_of(root, candidates, root.parent, follow_symlinks=follow_symlinks)
            code = 0 if sidecar is None else 1 + SIDECAR_SUFFIXES.index(sidecar.suffix)
            scan = _Scan(str(root.parent), NameList([text_name(root.stem)]), Column("B", [code]), Column("q", [size]),
                         named=True)
        else:
            raise _missing(root)
        scans.append(scan)
    if not scans:
        raise InputError("sources", "no source given", fix="name a folder of .txt files or the files themselves")
    if any(scan.subfolders for scan in scans):
        _warn_subfolders(scans)
    listing = _merge(scans)
    _warn_twins(listing)
    return listing


def _fold(name: str) -> str:
    """The name as a case-insensitive, normalising file system (macOS, Windows) compares it."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFC", name).casefold()


def _look_alike(name: str) -> str:
    """The name as a case-insensitive, normalising file system (macOS, Windows) compares it, and without the
    characters that show as nothing (a bidirectional mark, a zero-width space): how it looks in a listing."""
    return name.lower() if name.isascii() else _fold(as_seen(name))


def _warn_twins(listing: Listing) -> None:
    """Warn of names that differ only in letter case or Unicode normalisation (extracted into one folder on
    macOS or Windows, one would overwrite the other) or in characters that show as nothing (`ab` and
    `a<U+200E>b` look the same). Only names that fold to something else are kept (none in a corpus of lower-case
    names), so this costs one pass and no memory per name."""
    folded: dict[str, str] = {}
    clashes: list[tuple[str, str]] = []
    for name in listing.names:
        key = _look_alike(name)
        if key != name:
            first = folded.setdefault(key, name)
            if first is not name:
                clashes.append((first, name))
    if not folded:
        return
    for name in listing.names:   # a name that is its own fold (all lower case) against the others
        if name in folded:
            clashes.append((name, folded[name]))
    for first, second in sorted(tuple(sorted(pair)) for pair in clashes)[:_WARN_LINES]:
        spelled = "" if (first + second).isascii() else f" ({ascii(first + '.txt')} and {ascii(second + '.txt')})"
        if _fold(first) == _fold(second):
            log.warning("%s.txt and %s.txt differ only in letter case or Unicode normalisation%s: extracted on "
                        "macOS or Windows, one would overwrite the other; rename one", os_name(first), os_name(second),
                        spelled)
        else:
            how = ("characters that show as nothing" if as_seen(first) == as_seen(second)
                   else "characters that show as nothing, letter case or Unicode normalisation")
            log.warning("%s.txt and %s.txt differ only in %s%s: they look the same when listed; rename one",
                        os_name(first), os_name(second), how, spelled)
    if len(clashes) > _WARN_LINES:
        log.warning("%d more names differ from another only so", len(clashes) - _WARN_LINES)


class ArchiveName(NamedTuple):
    """The name package takes for a name that ends in .warc.gz or .warc in any letter case, and why it is another."""

    name: str     # "x.warc.gz" for "x.WARC.GZ", "x.warc" or "x.warc.gz"
    why: str      # "" when it is the name given


def archive_name(given: str) -> ArchiveName | None:
    """What to name an archive given as `given` (see ArchiveName), or None for a name that is not a WARC's."""
    for suffix in _OUTPUT_SUFFIXES:
        tail = given[len(given) - len(suffix):]
        if len(given) >= len(suffix) and tail.isascii() and tail.lower() == suffix:
            name = (given[:len(given) - len(suffix)] or "archive") + ARCHIVE_SUFFIX
            if name == given:
                return ArchiveName(name, "")
            why = (f"the archive name must end in lower-case {ARCHIVE_SUFFIX}" if suffix == ARCHIVE_SUFFIX
                   else f"the archive name must end in {ARCHIVE_SUFFIX} (package writes gzipped WARCs)")
            return ArchiveName(name, why)
    return None


def _output_hint(source: Path, *, also: str = "") -> str:
    """The fix for an archive name given as a source (the output without -o), or "".

    The name suggested is one package takes ("out.warc" and "OUT.WARC.GZ" are "out.warc.gz" and "OUT.warc.gz");
    `also` (the --force to replace it) is added when a file of that name is there."""
    known = archive_name(source.name)
    if known is None:
        return ""
    out = source.with_name(known.name)
    hint = f"to name the output, use {option(f'-o {shlex.quote(str(out))}', f'out={str(out)!r}')}"
    if also and os.path.lexists(out):
        hint += f", {also}"
    return hint + (f": {known.why}" if known.why else "")


def _warn_subfolders(scans: list[_Scan]) -> None:
    """Warn of each sub-folder holding .txt files that is not itself a source (a few per folder, then a count)."""
    given = {os.path.realpath(scan.folder) for scan in scans}
    for scan in scans:
        unread = [(name, count) for name, count in scan.subfolders
                  if os.path.realpath(os.path.join(scan.folder, name)) not in given]
        for name, count in unread[:_WARN_LINES]:
            path = os.path.join(scan.folder, name)
            files = "1 .txt file" if count == 1 else f"{count:,} .txt files"
            log.warning("%s: sub-folder with %s is not read; give it as a source too (provpack package %s %s), "
                        "unless they are originals a sidecar names", path, files,
                        shlex.quote(scan.folder), shlex.quote(path))
        if len(unread) > _WARN_LINES:
            log.warning("%s: %d more sub-folders with .txt files are not read", scan.folder,
                        len(unread) - _WARN_LINES)


def _keyed(stems: Iterable[str], number: int) -> Iterator[tuple[str, int, int]]:
    """(stem, scan number, position) for each stem of one scan, in order."""
    for position, stem in enumerate(stems):
        yield stem, number, position


class _Scan(NamedTuple):
    folder: str
    stems: NameList         # sorted
    sidecars: Column
    sizes: Column
    subfolders: tuple[tuple[str, int], ...] = ()   # (name, how many .txt) of each sub-folder holding some, sorted
    named: bool = False   # one text given by name (which may be a link anywhere), not a folder's


class _Few:
    """Names noted for a warning: how many, and the first _WARN_LINES of them in order (no more are kept)."""

    def __init__(self) -> None:
        self.count = 0
        self._names: list[str] = []

    def add(self, name: str) -> None:
        self.count += 1
        self._names.append(name)
        if len(self._names) >= 4 * _WARN_LINES:
            self._names.sort()
            del self._names[_WARN_LINES:]

    def kept(self) -> list[str]:
        """The names the warning names, in order."""
        return sorted(self._names)[:_WARN_LINES]

    def warn(self, folder: str, problem: Callable[[str], str], more: str) -> None:
        """Log one warning per name (the first _WARN_LINES of them), then one line counting the rest."""
        for name in self.kept():
            log.warning("%s: %s", os.path.join(folder, os_name(name)), problem(name))
        if self.count > _WARN_LINES:
            log.warning("%s: %d more %s", folder, self.count - _WARN_LINES, more)


def _merge(scans: list[_Scan]) -> Listing:
    """One listing sorted by name from per-source scans; a name given twice is an error."""
    if len(scans) == 1:
        only = scans[0]
        return Listing((only.folder,), only.stems, Column("H", itertools.repeat(0, len(only.stems))),
                       only.sidecars, only.sizes, frozenset({0}) if only.named else frozenset())
    folder_index = Column("H")
    sidecars = Column("B")
    sizes = Column("q")

    def merged() -> Iterator[str]:
        previous: tuple[str | None, int] = (None, 0)
        for stem, number, position in heapq.merge(*(_keyed(scan.stems, number) for number, scan in enumerate(scans))):
            if stem == previous[0]:
                first, second = scans[previous[1]], scans[number]
                file = os_name(stem) + TEXT_SUFFIX
                if os.path.realpath(first.folder) == os.path.realpath(second.folder):   # a folder and a file in it
                    raise InputError(os.path.join(second.folder, file),
                                     f"given twice: as a file and in its folder {first.folder}",
                                     fix="give the folder or the file, not both")
                raise InputError(os.path.join(second.folder, file),
                                 f"a document named {stem!r} is already given by {Path(first.folder, file)}",
                                 fix="document names (file stems) must be unique")
            previous = (stem, number)
            folder_index.append(number)
            sidecars.append(scans[number].sidecars[position])
            sizes.append(scans[number].sizes[position])
            yield stem

    names = NameList(merged())
    return Listing(tuple(scan.folder for scan in scans), names, folder_index, sidecars, sizes,
                   frozenset(number for number, scan in enumerate(scans) if scan.named))


_TEXT_TOO_LARGE = f"split the document, or raise the limit with {option('--max-text-bytes')}"


def read_bytes(path: Path | str, *, limit: int = MAX_TEXT_BYTES, too_large: str = _TEXT_TOO_LARGE,
               within: str | None = None) -> bytes:
    """The file's exact bytes; an InputError naming the file when it cannot be read or is too large (with
    `too_large` as what to do), or (`within` given) when it is reached by a symbolic link out of that folder."""
    fd, info = _opened(path, limit=limit, too_large=too_large, within=within)
    try:
        data, read = _read_all(fd, info.st_size, limit)
    except OSError as exc:
        raise InputError.unreadable(path, exc) from exc
    finally:
        os.close(fd)
    if read > limit:
        raise InputError(path, f"more than the limit of {limit:,} bytes (the file grew while packaging)",
                         fix=too_large)
    if data is None:
        raise InputError(path, f"{info.st_size:,} bytes when opened, {read:,} when read "
                         "(the file changed while packaging)", fix="run again")
    return data


def check_readable(path: Path | str, *, limit: int, too_large: str, within: str | None = None) -> None:
    """What `read_bytes` would raise on opening the file (not there, not regular, unreadable, too large, a link out of
    `within`), without reading it."""
    fd, _ = _opened(path, limit=limit, too_large=too_large, within=within)
    os.close(fd)


def _opened(path: Path | str, *, limit: int, too_large: str, within: str | None) -> tuple[int, os.stat_result]:
    """The file opened for `read_bytes`, and its fstat; an InputError as `read_bytes` says."""
    try:   # a file swapped for a FIFO, or for a link out, after discovery must not hang the run nor be read
        fd, info = open_regular(path, within=within)
    except FileNotFoundError as exc:
        raise InputError(path, "the file disappeared while packaging", fix="run again") from exc
    except NotRegularFile as exc:
        raise InputError(path, "not a regular file (it changed while packaging)", fix="run again") from exc
    except OSError as exc:
        raise InputError.unreadable(path, exc) from exc
    if info.st_size > limit:
        os.close(fd)
        raise InputError(path, f"{info.st_size:,} bytes is more than the limit of {limit:,} bytes", fix=too_large)
    return fd, info


def _read_all(fd: int, size: int, limit: int) -> tuple[bytes | None, int]:
    """The `size` bytes the file holds, read to its end, and how many were read; None for the bytes when
    that is not `size` (it changed since its fstat), counted on then up to `limit` + 1.

    One read() is not enough: Linux gives at most 0x7ffff000 bytes per call, and FUSE or network file
    systems may give fewer. A text up to _READ_CHUNK bytes takes one read() as a rule (sized by what the
    file holds: no file object, no buffer of `limit` bytes); past it, or after a short read, the rest goes
    into one buffer of `size` + 1 bytes whose bytes object is then returned as it is (not copied whole).
    """
    data = os.read(fd, size + 1) if size <= _READ_CHUNK else b""
    if len(data) == size:   # all that fstat said (what is written after is written after the read)
        return data, size
    buffer = io.BytesIO()
    buffer.seek(size)
    buffer.write(b"\0")   # size + 1 bytes, allocated once
    read = len(data)
    with buffer.getbuffer() as view:
        view[:read] = data
        del data
        while read <= size:
            with view[read:] as rest:
                chunk = os.read(fd, min(len(rest), _READ_CHUNK))
                if not chunk:
                    break
                rest[:len(chunk)] = chunk
            read += len(chunk)
    if read != size:
        while read <= limit:   # it grew: read on, to tell whether past the limit
            chunk = os.read(fd, min(limit + 1 - read, _READ_CHUNK))
            if not chunk:
                break
            read += len(chunk)
        return None, read
    buffer.truncate(size)
    return buffer.getvalue(), size   # (CPython hands over its buffer when no view of it is left)


def _scan_folder(root: Path, *, follow_symlinks: bool) -> _Scan:
    """The texts in one folder, sorted by name, with their sidecars and sizes."""
    texts = _SortedRuns()
    sidecar_stems = tuple(_SortedRuns() for _ in SIDECAR_SUFFIXES)
    try:
        return _scan_runs(root, texts, sidecar_stems, follow_symlinks=follow_symlinks)
    finally:   # (their temporary files, whatever happened: a full temporary folder, an interrupt)
        for runs in (texts, *sidecar_stems):
            runs.close()


def _scan_runs(root: Path, texts: _SortedRuns, sidecar_stems: tuple[_SortedRuns, ...], *,
               follow_symlinks: bool) -> _Scan:
    """_scan_folder's work, the folder's texts and sidecars gathered in these runs (the caller closes them)."""
    folder = str(root)
    linked: set[str] = set()
    unusual: set[str] = set()   # sidecar names that are links or not regular files: checked one by one
    orphans = _Few()            # sidecars whose NAME.txt is not there
    miscased = _Few()           # NAME.TXT, NAME.Yaml, ...: not read
    subfolders: list[str] = []
    try:
        with os.scandir(root) as listing:
            for entry in listing:
                name = entry.name
                if name.endswith(TEXT_SUFFIX):
                    if not name.startswith("."):
                        stem = name[:-len(TEXT_SUFFIX)]
                        texts.add(stem if NATIVE else text_name(stem))
                        if entry.is_symlink():
                            linked.add(name)
                    continue
                for number, suffix in enumerate(SIDECAR_SUFFIXES):
                    if name.endswith(suffix):
                        sidecar_stems[number].add(text_name(name[:-len(suffix)]))
                        if not entry.is_file(follow_symlinks=False):
                            unusual.add(name)
                        break
                else:   # neither a text nor a sidecar: hidden, a sub-folder, a suffix in another case, or ignored
                    if name.startswith("."):
                        continue
                    if _is_folder(entry):
                        subfolders.append(name)
                    elif _lower_case_name(name) is not None:
                        miscased.add(text_name(name))
    except OSError as exc:
        raise InputError.unreadable(root, exc, "folder", doing="cannot list the folder") from exc
    sidecar_iters = [iter(stems) for stems in sidecar_stems]
    sidecar_heads = [next(stems, None) for stems in sidecar_iters]
    sidecars = Column("B")
    sizes = Column("q")
    # Each text's sidecar code and size, gathered here and added to the columns a block at a time.
    codes_pending = array("B")
    sizes_pending = array("q")

    def flush() -> None:
        sidecars.extend(codes_pending)
        sizes.extend(sizes_pending)
        del codes_pending[:], sizes_pending[:]

    def orphan(name: str) -> None:
        if not name.startswith("."):   # hidden: skipped silently, as hidden texts are
            orphans.add(name)

    def kept(folder_fd: int | None) -> Iterator[str]:
        for stem in kept_unflushed(folder_fd):
            if len(codes_pending) >= _PENDING_VALUES:
                flush()
            yield stem
        flush()

    def kept_unflushed(folder_fd: int | None) -> Iterator[str]:
        for stem in texts:   # sorted (as UTF-8 text); each sidecar stream is walked alongside
            file = stem if NATIVE else os_name(stem)   # (as the os names it)
            file_name = file + TEXT_SUFFIX
            if file_name in linked:
                _check_link(Path(folder, file_name), root, follow_symlinks=follow_symlinks)
            try:   # by name in the open folder: no path to join and walk for each text
                info = os.stat(file_name, dir_fd=folder_fd) if folder_fd is not None else os.stat(
                    os.path.join(folder, file_name))
            except OSError as exc:
                path = os.path.join(folder, file_name)
                raise InputError.unreadable(path, exc) from exc
            present = []
            for number, stems in enumerate(sidecar_iters):
                head = sidecar_heads[number]
                while head is not None and head < stem:   # a sidecar no text is named for
                    orphan(head + SIDECAR_SUFFIXES[number])
                    head = next(stems, None)
                if head == stem:
                    present.append(number)
                    head = next(stems, None)
                sidecar_heads[number] = head
            if not stat.S_ISREG(info.st_mode):
                log.warning("%s: not a regular file; skipped", os.path.join(folder, file_name))
                continue
            if not present:
                codes_pending.append(0)
                sizes_pending.append(info.st_size)
                yield stem
                continue
            path = os.path.join(folder, file_name)
            names = [file + SIDECAR_SUFFIXES[number] for number in present]
            if any(name in unusual for name in names):
                sidecar = _sidecar_of(Path(path), [root / name for name in names], root,
                                      follow_symlinks=follow_symlinks)
                present = [] if sidecar is None else [SIDECAR_SUFFIXES.index(sidecar.suffix)]
            elif len(names) > 1:
                raise InputError(root / names[1], f"both {names[0]} and {names[1]} describe {file_name}",
                                 fix="keep one sidecar per document")
            codes_pending.append(1 + present[0] if present else 0)
            sizes_pending.append(info.st_size)
            yield stem
        for number, stems in enumerate(sidecar_iters):   # sidecars named after the last text
            head = sidecar_heads[number]
            while head is not None:
                orphan(head + SIDECAR_SUFFIXES[number])
                head = next(stems, None)

    folder_fd = _open_folder(folder)
    try:
        names = NameList(kept(folder_fd))
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
    miscased.warn(folder, lambda name: f"only lower-case {TEXT_SUFFIX}, {', '.join(SIDECAR_SUFFIXES)} are read; "
                  f"rename it to {os_name(_lower_case_name(name) or name)}",
                  "files whose suffix is not in lower case are not read; rename them")
    near = _near_texts(orphans.kept(), names) if orphans.count else {}
    orphans.warn(folder, lambda name: _orphan_problem(name, near),
                 f"sidecars describe no {TEXT_SUFFIX} file beside them and are not used")
    counted = ((name, _texts_in(os.path.join(folder, name))) for name in sorted(subfolders))
    return _Scan(folder, names, sidecars, sizes, tuple((name, count) for name, count in counted if count))


def _near_texts(sidecars: Iterable[str], stems: Iterable[str]) -> dict[str, list[str]]:
    """For each of these sidecar names (folded), the text stems whose names differ from its own only in letter
    case or Unicode normalisation (a few; in order): one pass over the stems, made only when a sidecar has no text.
    """
    near: dict[str, list[str]] = {_fold(name.rpartition(".")[0]): [] for name in sidecars}
    for stem in stems:
        found = near.get(_fold(stem))
        if found is not None and len(found) < _NEAR_SHOWN:
            found.append(stem)
    return near


def _orphan_problem(name: str, near: dict[str, list[str]]) -> str:
    """What a warning says of a sidecar NAME with no text of its name: not used, and the texts whose names differ
    from it only in letter case or Unicode normalisation, spelled out when that is not ASCII (the two look alike).

    Such a text is not paired with it: a sidecar describes the text of its exact name. A guess would put one
    text's metadata on another in the archive for good (on Linux Doc.txt and doc.txt are two documents), where
    renaming the sidecar is one step; the name suffixes in another case (NAME.TXT) are treated alike.
    """
    stem, _, suffix = name.rpartition(".")
    said = f"describes no {os_name(stem)}{TEXT_SUFFIX}"   # (names shown as the os gives them, as paths are)
    texts = near.get(_fold(stem))
    if not texts:
        return f"{said}; not used"
    ways = {"Unicode normalisation" if unicodedata.normalize("NFC", stem) == unicodedata.normalize("NFC", text)
            else "letter case" if stem.lower() == text.lower() else "letter case and Unicode normalisation"
            for text in texts}
    how = ways.pop() if len(ways) == 1 else "letter case or Unicode normalisation"
    shown = ", ".join(os_name(text) + TEXT_SUFFIX for text in texts)
    spelled = "" if (name + "".join(texts)).isascii() else (
        f" ({ascii(name)} and {', '.join(ascii(text + TEXT_SUFFIX) for text in texts)})")
    fix = f"rename it {os_name(texts[0])}.{suffix}" if len(texts) == 1 else "rename it after the text it describes"
    whose = "whose name differs" if len(texts) == 1 else "whose names differ"
    return f"{said}, only {shown}, {whose} in {how}{spelled}; not used: {fix}"


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a folder (or a link to one); False when that cannot be told."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _lower_case_name(name: str) -> str | None:
    """NAME.txt for NAME.TXT (NAME.yaml for NAME.Yaml, ...); None when the suffix is none of them in any case."""
    for suffix in (TEXT_SUFFIX, *SIDECAR_SUFFIXES):
        if name[-len(suffix):].lower() == suffix and len(name) > len(suffix):
            return name[:-len(suffix)] + suffix
    return None


def _texts_in(folder: str) -> int:
    """How many NAME.txt a folder holds directly, counted by name (0 when it cannot be listed)."""
    try:
        with os.scandir(folder) as listing:
            return sum(1 for entry in listing if entry.name.endswith(TEXT_SUFFIX) and not entry.name.startswith("."))
    except OSError:
        return 0


def _open_folder(folder: str) -> int | None:
    """A descriptor of the folder to stat its files by name, or None where the platform or the folder cannot."""
    if os.stat not in os.supports_dir_fd or not hasattr(os, "O_DIRECTORY"):
        return None
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


class _SortedRuns:
    """Strings gathered in sorted runs of _RUN; iterating merges the runs in order.

    A folder of 100,000 texts is listed without ever holding 100,000 str objects, nor the
    names twice: past the first run, each sorted run goes to an unnamed temporary file and
    is read back in small pieces while the runs are merged.
    """

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._spill: IO[bytes] | None = None
        self._runs: list[tuple[int, int]] = []  # (offset, length) of each run in the spill file

    def add(self, item: str) -> None:
        self._pending.append(item)
        if len(self._pending) >= _RUN:
            self._write_run()

    def __iter__(self) -> Iterator[str]:
        if self._spill is None:
            self._pending.sort()
            return iter(self._pending)
        self._write_run()
        return heapq.merge(*(_read_run(self._spill, offset, length) for offset, length in self._runs))

    def _write_run(self) -> None:
        if not self._pending:
            return
        if self._spill is None:
            self._spill = temporary_file(LISTING)   # closed by close()
        self._pending.sort()
        data = ("\0".join(self._pending) + "\0").encode("utf-8", "surrogateescape")   # (each name NUL-ended)
        with spilling(LISTING):
            offset = self._spill.seek(0, os.SEEK_END)
            self._spill.write(data)
            self._spill.flush()   # (here, not when the runs are read back: a failure is the listing's)
        self._runs.append((offset, len(data)))
        self._pending = []

    def close(self) -> None:
        """Drop the temporary file, if there is one."""
        if self._spill is not None:
            discard(self._spill)


def _read_run(spill: IO[bytes], offset: int, length: int) -> Iterator[str]:
    """The names of one spilled run, read a piece at a time (file names hold no NUL; _write_run flushed them)."""
    fd = spill.fileno()
    end = offset + length
    rest = b""
    while offset < end:
        piece = os.pread(fd, min(_SPILL_READ, end - offset), offset)
        if not piece:
            raise OSError(f"the listing's temporary file ended early at byte {offset}")
        offset += len(piece)
        names, ended, rest = (rest + piece).rpartition(b"\0")
        if ended:   # whole names only (one may be empty), decoded together (as each name alone)
            yield from names.decode("utf-8", "surrogateescape").split("\0")


def _check_link(path: Path, root: Path, *, follow_symlinks: bool) -> None:
    """Refuse a symbolic link that loops, or leads out of `root` unless links may be followed."""
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(root.resolve(strict=True))
    except FileNotFoundError as exc:
        raise InputError(path, "symbolic link to a file that does not exist", fix="fix or remove the link") from exc
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, before Python 3.13
        said = _LOOP if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP else str(exc)
        raise InputError(path, f"symbolic link cannot be followed: {said}", fix="fix or remove the link") from exc
    if not follow_symlinks and not inside:
        raise link_out(path, target)


_LOOP = "a loop of links (too many levels of symbolic links)"   # (Python words it otherwise in each version)


def _require_searchable(source: Path) -> None:
    """An InputError for a source behind a folder that may not be searched (no x permission: its stat is refused),
    rather than the bare PermissionError that checking what it is would raise."""
    try:
        os.stat(source)
    except PermissionError as exc:
        raise InputError(source, "permission denied",
                         fix="check the permissions of the folders on its path (or run as their owner)") from exc
    except OSError:   # (no such file, a loop: said once it is known what the source is not)
        pass


def _missing(source: Path) -> InputError:
    """The error for a source that is neither a folder nor a file: a symbolic link that loops or leads nowhere is
    said so (a loop in a folder is, _check_link), else no such file or folder."""
    try:
        os.stat(source)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InputError(source, f"symbolic link cannot be followed: {_LOOP}", fix="fix or remove the link")
        if isinstance(exc, FileNotFoundError) and os.path.islink(source):
            return InputError(source, "symbolic link to a file or folder that does not exist",
                              fix="fix or remove the link")
    return InputError(source, "no such file or folder", fix=_output_hint(source) or "check the path")


def _require_regular(path: Path) -> int:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "not a regular file", fix="give a plain .txt file")
    return info.st_size


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
