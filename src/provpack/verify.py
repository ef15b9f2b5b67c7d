"""Verify any WARC file: structure, gzip integrity, digests, and provpack's own provenance and sidecar.

An independent reader: it imports nothing of provpack's writer, so a writer bug cannot
hide itself. Streams every file in large blocks; memory stays flat whatever the size.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import logging
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from . import problems as kinds
from . import provcheck, verifysplit
from .arguments import FLAG, FUNCTION, INT, PATH, require
from .arguments import paths as path_list
from .errors import ArchiveError, InputError, option, printable, unreadable
from .fsnames import text_name
from .gzipsource import GzipSource
from .problems import Problem
from .rawreader import RawReader
from .sniff import NotWarcError, open_source
from .warcscan import Scanner
from .warcstream import Source

__all__ = [
    "FileReport",
    "Problem",
    "Status",
    "VerifyReport",
    "render_text",
    "verify",
    "verify_stream",
]

logger = logging.getLogger(__name__)

_SIDECAR_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")
_UNCOVERED = "beside it: WARC header values"   # in the note a missing .sha256 gives, which a good signature closes


class Status(enum.Enum):
    """Outcome for a file or a whole run."""

    OK = "ok"
    FAILED = "failed"
    UNVERIFIED = "unverified"  # no problem, but some record had no digest to check
    ERROR = "error"  # not checked: the file is not a WARC (exit 2)


@dataclass(frozen=True, slots=True)
class FileReport:
    """What verifying one file found; `strict` (the VerifyReport's) counts unverified records as failures."""

    path: str
    records: int
    verified: int
    unverified: int
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())  # unverified records (the first 1000)
    error: str | None = None   # why the file was not checked at all (it is not a WARC), and what to do
    strict: bool = False

    @property
    def ok(self) -> bool:
        """True when the file was checked and no problem was found (unverified records are problems only
        when strict)."""
        return self.status in (Status.OK, Status.UNVERIFIED)

    @property
    def status(self) -> Status:
        """ERROR when not checked, FAILED with problems (or, when strict, unchecked records), UNVERIFIED
        with unchecked records, else OK."""
        return self._status(strict=False)

    def _status(self, *, strict: bool) -> Status:
        if self.error is not None:
            return Status.ERROR
        if self.problems or (self.unverified and (strict or self.strict)):
            return Status.FAILED
        return Status.UNVERIFIED if self.unverified else Status.OK

    def to_json(self, *, strict: bool = False) -> dict[str, Any]:
        """The report as a JSON-ready dict; under strict (the report's own, or given), as the text says it:
        the unverified records listed among the problems (none left among the warnings), and the status FAILED."""
        strict = strict or self.strict
        problems, warnings = self.problems, self.warnings
        if strict:
            problems, warnings = problems + warnings, ()
        return {
            "path": self.path,
            "status": self._status(strict=strict).value,
            "records": self.records,
            "verified": self.verified,
            "unverified": self.unverified,
            "problems": [p.to_json() for p in problems],
            "warnings": [w.to_json() for w in warnings],
            "notes": list(self.notes),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What verifying some files found; `strict` counts unverified records as failures."""

    files: tuple[FileReport, ...]
    strict: bool = False

    def __post_init__(self) -> None:
        # Each file's report is as strict as the run's, so that its ok and status say what the run's do.
        if any(file.strict != self.strict for file in self.files):
            object.__setattr__(self, "files", tuple(replace(file, strict=self.strict) for file in self.files))

    @property
    def problems(self) -> int:
        """Number of problems in all files (unverified records not counted, even when strict: see failures)."""
        return sum(len(f.problems) for f in self.files)

    def failures(self, *, strict: bool = False) -> int:
        """Number of problems in all files, counting every unverified record as one when strict."""
        return self.problems + (self.unverified if strict or self.strict else 0)

    @property
    def unverified(self) -> int:
        """Number of records without a checkable digest in all files."""
        return sum(f.unverified for f in self.files)

    @property
    def errors(self) -> int:
        """Number of files not checked because they are not WARC files."""
        return sum(f.error is not None for f in self.files)

    @property
    def ok(self) -> bool:
        """True when every file was checked and none has a problem (and, when strict, no record is unverified)."""
        return self.exit_code() == 0

    @property
    def status(self) -> Status:
        """ERROR when a file was not checked, FAILED with problems (or, when strict, unchecked records),
        UNVERIFIED with unchecked records, else OK."""
        if self.errors:
            return Status.ERROR
        if self.failures():
            return Status.FAILED
        return Status.UNVERIFIED if self.unverified else Status.OK

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when sound; 2 when a file is not a WARC; else 1 for any problem, or for unverified records under strict."""
        if self.errors:
            return 2
        return 1 if self.failures(strict=strict) else 0

    def to_json(self, *, strict: bool = False) -> dict[str, Any]:
        """The report as a JSON-ready dict, saying what render_text says (strict: as the report's own, or given)."""
        strict = strict or self.strict
        return {
            "ok": self.exit_code(strict=strict) == 0,
            "status": (Status.FAILED if strict and self.unverified and not self.errors else self.status).value,
            "strict": strict,
            "records": sum(f.records for f in self.files),
            "verified": sum(f.verified for f in self.files),
            "unverified": self.unverified,
            "problems": self.failures(strict=strict),
            "errors": self.errors,
            "files": [f.to_json(strict=strict) for f in self.files],
        }


def verify(paths: str | Path | Iterable[str | Path], *, strict: bool = False,
           key: str | Path | None = None, tsa_ca: str | Path | None = None,
           signature: str | Path | None = None, wacz: str | Path | None = None,
           jobs: int | None = None,
           progress: Callable[[int, int, int], None] | None = None, deep: bool = False) -> VerifyReport:
    """Verify one or more WARC files ("-" is standard input); ArchiveError when one is missing or cannot be read.

    `paths` is one path, or a collection or an iterator of them (read once: `Path("o").glob("*.warc.gz")`);
    none at all is an InputError.

    A file that is not a WARC (a WACZ, a text file, ...) gets a report with `error` set (exit code 2),
    and the other files are still checked; standard input that is not a WARC raises ArchiveError.
    A sidecar provpack writes (NAME.sha256, NAME.sig, NAME.sig.tsr) given together with NAME is
    checked with NAME: its own report only notes so. Given without NAME, it is an error naming NAME.

    `progress(files_done, files_total, bytes_read)` is called as the files are read.

    With `jobs` > 1 (default: the number of cores, unless other work keeps them busy), a file
    of 8 MiB or more is read in two parts at once (two processes); the report is the same as
    reading it in one go.

    With `key` (a public key file), each file's detached signature FILE.sig must be good
    for that key and those bytes: else a missing-signature or bad-signature problem.
    With `tsa_ca` (the CA certificates of a timestamping authority, PEM) as well,
    FILE.sig.tsr must be an RFC 3161 timestamp of FILE.sig by that TSA.
    `signature` (SIG instead of FILE.sig, and SIG.tsr instead of FILE.sig.tsr) and `wacz` (the
    signed WACZ, instead of the one the signature names beside FILE) need `key` and one file.

    With `deep`, each provpack provenance record is also compared, key by key, with what
    provpack itself writes for its excerpt (docs/verify.md, "--deep").
    """
    paths = path_list("paths", paths)   # an iterator is read once, here
    require((("strict", strict, FLAG), ("key", key, PATH.or_none), ("tsa_ca", tsa_ca, PATH.or_none),
             ("signature", signature, PATH.or_none), ("wacz", wacz, PATH.or_none), ("jobs", jobs, INT.or_none),
             ("progress", progress, FUNCTION.or_none), ("deep", deep, FLAG)))
    if not paths:
        raise InputError("paths", "no file given", fix="give a WARC file's path, or a list of them")
    if tsa_ca is not None and key is None:
        raise InputError(option("--tsa-ca"), f"a timestamp dates a signature: give {option('--key')} as well")
    _check_signature_options(paths, key=key, signature=signature, wacz=wacz)
    if jobs is not None and jobs < 1:
        raise InputError(option("--jobs"), f"the number of jobs must be at least 1, not {jobs}")
    for path in paths:
        if str(path) != "-":
            _check_readable(Path(path))
        elif key is not None:
            raise InputError("-", "a signature cannot be checked on standard input", fix="give the file's name")
        else:
            standard_input()   # closed: said before any file is read
    if key is not None:
        from . import signing  # cryptography is imported only when a signature is to be checked

        signing.load_public_key(key)  # a bad key or CA file stops the run before any file is read
    if tsa_ca is not None:
        from . import timestamp

        timestamp.load_certificates(tsa_ca)
    reports = []
    done_bytes = 0
    given = {Path(path).resolve() for path in paths if str(path) != "-"}
    for number, path in enumerate(paths):
        def on_read(offset: int, number: int = number, before: int = done_bytes) -> None:
            if progress is not None:
                progress(number, len(paths), before + offset)

        if str(path) == "-":
            reports.append(verify_stream(standard_input(), name="-", deep=deep))
            continue
        try:
            report = _verify_path(Path(path), jobs=jobs, on_read=on_read, deep=deep)
        except _NotWarc as exc:
            report = _not_warc(Path(path), exc, given, key=key is not None, tsa_ca=tsa_ca is not None)
        else:
            if key is not None:
                report = _with_signature(report, Path(path), Path(key), signature=signature, wacz=wacz)
            if tsa_ca is not None:
                report = _with_timestamp(report, Path(path), Path(tsa_ca), signature=signature)
            elif key is not None:
                report = _with_token_unchecked(report, Path(path), signature=signature)
            else:
                report = _with_signature_unchecked(report, Path(path))
        done_bytes += Path(path).stat().st_size
        if progress is not None:
            progress(number + 1, len(paths), done_bytes)
        reports.append(report)
    return VerifyReport(tuple(reports), strict=strict)


class _NotWarc(ArchiveError):
    """A file that is not a WARC at all: what it is, as the sniffer named it."""

    def __init__(self, path: str, found: NotWarcError) -> None:
        fix = found.fix("verify")
        super().__init__(path, f"not a WARC file: {found.what}", fix=fix)
        self.message = f"not a WARC file: {found.what}" + (f"; {fix}" if fix else "")   # without the path


# The files provpack writes beside an archive NAME: (suffix, what it is to NAME, the options that check it)
_SIDECARS = (
    (".sig.tsr", "the RFC 3161 timestamp of NAME.sig", f"{option('--key')} and {option('--tsa-ca')}"),
    (".sha256", "the .sha256 sidecar of NAME", ""),
    (".sig", "the signature of NAME", option("--key")),
)


def _not_warc(path: Path, exc: _NotWarc, given: set[Path], *, key: bool, tsa_ca: bool) -> FileReport:
    """The report of a file that is not a WARC: a note when it is the sidecar of an archive also given, else an error."""
    for suffix, role, options in _SIDECARS:
        if not path.name.endswith(suffix) or path.name == suffix:
            continue
        archive = path.with_name(path.name.removesuffix(suffix))
        role = role.replace("NAME", str(archive))
        if archive.resolve() not in given:
            there = "" if archive.exists() else f" ({archive} is not there)"
            return FileReport(str(path), 0, 0, 0, (), error=f"this is {role}{there}, not a WARC; name {archive} "
                              "instead" + (f" (with {options} to check it)" if options else ""))
        checked = key and tsa_ca if suffix == ".sig.tsr" else key if suffix == ".sig" else True
        note = f"checked as {role}" if checked else f"{role}: not checked; give {options} to check it"
        return FileReport(str(path), 0, 0, 0, (), notes=(note,))
    if path.suffix == ".wacz":   # `package --wacz` and `wacz` put NAME.wacz beside NAME.warc.gz
        for suffix in (".warc.gz", ".warc"):
            archive = path.with_name(path.stem + suffix)
            if archive.resolve() in given:
                return FileReport(str(path), 0, 0, 0, (), notes=(
                    f"the WACZ of {archive}: not checked here (its WARC is; check the package with "
                    "`wacz validate`)",))
    return FileReport(str(path), 0, 0, 0, (), error=exc.message)


# What --signature and --wacz name ("the" archive, or "one"), for the messages that refuse them without --key.
SIGNATURE_NAMES = "names the signature of {} archive"
WACZ_NAMES = "names the WACZ signed with {} archive"


def _check_signature_options(paths: Sequence[str | Path], *, key: str | Path | None,
                             signature: str | Path | None, wacz: str | Path | None) -> None:
    """--signature and --wacz name the files of one archive's signature: with --key and one FILE, and there."""
    for name, given, names in ((option("--signature"), signature, SIGNATURE_NAMES),
                               (option("--wacz"), wacz, WACZ_NAMES)):
        if given is None:
            continue
        if key is None:
            raise InputError(name, f"{names.format('the')}; only {option('--key')} checks a signature: give "
                             f"{option('--key')} as well")
        count = len(paths)
        if count != 1:
            raise InputError(name, f"{names.format('one')}, but {count} files were given, so which archive it "
                             "belongs to is unclear", fix="verify that archive alone with it")
        try:
            os.stat(given)
        except OSError as exc:
            raise InputError.unreadable(given, exc) from exc


def _with_signature(report: FileReport, path: Path, key: Path, *, signature: str | Path | None = None,
                    wacz: str | Path | None = None) -> FileReport:
    """The report with the signature check added: a note when good, a problem when missing or bad."""
    from . import signing

    check = signing.check_signature(path, key, signature_path=signature, wacz=wacz)
    if check.kind is None:   # the signature names the file's sha256: what a missing .sha256 left open is closed
        kept = tuple(note for note in report.notes if _UNCOVERED not in note)
        return replace(report, notes=kept + (f"signature: {check.message}",))
    return replace(report, problems=report.problems + (Problem(None, None, check.kind, check.message),))


def standard_input() -> BinaryIO:
    """The bytes of standard input, "-"; an ArchiveError when the shell closed it (`<&-`: Python's sys.stdin is None)."""
    if sys.stdin is None:
        raise ArchiveError("-", "standard input is closed", fix="send the archive into it (`provpack verify - < FILE`), "
                                "or give the file's name")
    return sys.stdin.buffer


def verify_stream(stream: BinaryIO, *, name: str, deep: bool = False) -> FileReport:
    """Verify a WARC read from a binary stream (no sidecar: for a provpack archive, a note says what is then
    unchecked; `name` "-" is standard input); ArchiveError when it is not a WARC at all."""
    return _verify(stream, name=name, sidecar=None, deep=deep)


def _with_timestamp(report: FileReport, path: Path, tsa_ca: Path, *,
                    signature: str | Path | None = None) -> FileReport:
    """The report with the RFC 3161 check of FILE.sig.tsr (or SIG.tsr) added."""
    from . import signing, timestamp

    check = timestamp.check_timestamp(Path(signature) if signature is not None else signing.signature_path_for(path),
                                      tsa_ca)
    if check.kind is None:
        return replace(report, notes=report.notes + (f"timestamp: {check.message}",))
    return replace(report, problems=report.problems + (Problem(None, None, check.kind, check.message),))


def _with_token_unchecked(report: FileReport, path: Path, *, signature: str | Path | None = None) -> FileReport:
    """The report with a note when FILE.sig.tsr (or SIG.tsr) is there, but no --tsa-ca was given to check it."""
    sig_path = Path(signature) if signature is not None else path.with_name(path.name + ".sig")
    token = sig_path.with_name(sig_path.name + ".tsr")
    if not os.path.lexists(token):
        return report
    return replace(report, notes=report.notes + (f"timestamp: {token}, the RFC 3161 timestamp of {sig_path}: not "
                                                 f"checked; give {option('--tsa-ca')} to check it",))


def _with_signature_unchecked(report: FileReport, path: Path) -> FileReport:
    """The report with a note when FILE.sig is there, but no --key was given to check it (a good verdict is then
    of the file's records, not of who signed it)."""
    sig_path = path.with_name(path.name + ".sig")
    if not os.path.lexists(sig_path):
        return report
    return replace(report, notes=report.notes + (f"signature: {sig_path}, the signature of {path}: not checked; "
                                                 f"give {option('--key')} to check it",))


def _check_readable(path: Path) -> None:
    if path.is_dir():   # (in the words every command uses for a folder given as a file)
        raise ArchiveError.unreadable(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ArchiveError.unreadable(path, exc) from exc


def _verify_path(path: Path, *, jobs: int | None = 1,
                 on_read: Callable[[int], None] | None = None, deep: bool = False) -> FileReport:
    sidecar = path.with_name(path.name + ".sha256")
    try:
        with path.open("rb", buffering=0) as stream:
            return _verify(stream, name=str(path), sidecar=sidecar if sidecar.is_file() else None,
                           path=path, jobs=jobs, on_read=on_read, deep=deep)
    except OSError as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError.unreadable(path, exc) from exc


def _verify(stream: BinaryIO, *, name: str, sidecar: Path | None, path: Path | None = None,
            jobs: int | None = 1, on_read: Callable[[int], None] | None = None, deep: bool = False) -> FileReport:
    logger.debug("verifying %s", name)
    problems: list[Problem] = []
    notes: list[str] = []
    expected: list[str] = []
    renamed: list[tuple[str, str]] = []   # the sidecar's one line, for another name: (that name, its sha256)
    if sidecar is not None:
        expected = _read_sidecar(sidecar, Path(name).name, problems, renamed)
    hasher = hashlib.sha256() if expected or renamed else None
    raw = RawReader(stream, hasher=hasher, on_read=on_read)
    reading: list[Scanner] = []   # the scanner, for `report`; emptied at the end (see below)

    def report(offset: int, kind: str, message: str, cuts: bool, skipped: tuple[int, int] | None) -> None:
        if reading:
            reading[0].source_problem(offset, kind, message, cuts, skipped)

    try:
        source = open_source(raw, report)
    except NotWarcError as exc:
        raise _NotWarc(name, exc) from None
    scanner = Scanner(source, deep=deep)
    reading.append(scanner)
    try:
        if path is None or not _walk_in_two_parts(path, raw, source, scanner, jobs, deep):
            scanner.walk()
            raw.drain()
        scanner.finish()
    finally:   # else the cycle scanner -> source -> report -> scanner keeps each file's buffers
        reading.clear()   # and blocks until the next garbage collection
    if isinstance(source, GzipSource):
        notes.append(f"gzip: {source.member_count} members")
    else:
        notes.append("uncompressed WARC")
    notes.extend(f"{what}: {count}" for what, count in sorted(scanner.counts.items()))
    if sidecar is not None and hasher is not None:
        actual = hasher.hexdigest()
        problems.extend(
            Problem(None, None, kinds.SIDECAR_MISMATCH,
                    f"{sidecar.name} says sha256 {value} but the file hashes to {actual}")
            for value in expected if value != actual
        )
        if expected == [actual]:
            notes.append(f"sidecar {sidecar.name} matches the file's sha256")
        if renamed:
            _renamed(sidecar.name, Path(name).name, *renamed[0], actual, problems, notes)
    elif sidecar is None and (scanner.provenance.by_provpack or any(scanner.counts.get(what)
                                                                    for what in provcheck.COUNTED)):
        # provpack writes ARCHIVE.sha256 beside each archive: one gone (deleted, or lost in a crash
        # between the two renames), or not looked for (a stream has no name to find it by), leaves the
        # bytes no record digest covers unchecked. A provpack archive: its warcinfo says so (software: provpack/...),
        # or a provenance record was checked; damage that left none of them checked does not take the note away.
        layer = "gzip headers, " if isinstance(source, GzipSource) else ""
        unchecked = (f"(WARC-Date and the like), {layer}the order of records and whether whole records were "
                     "removed are unchecked")
        if path is not None:
            notes.append(f"no {path.name}.sha256 {_UNCOVERED} {unchecked}")
        else:
            read = "standard input" if name == "-" else "a stream"
            notes.append(f"read from {read}, so no .sha256 is checked: WARC header values {unchecked}; verify "
                         "the file by its path, with its .sha256 beside it, to check them")
    return FileReport(
        path=name,
        records=scanner.records,
        verified=scanner.verified,
        unverified=scanner.unverified,
        problems=tuple(scanner.problems + problems),
        notes=tuple(notes),
        warnings=tuple(scanner.warnings),
    )


def _walk_in_two_parts(path: Path, raw: RawReader, source: Source, scanner: Scanner, jobs: int | None,
                       deep: bool = False) -> bool:
    """Read the whole file, in two parts at once when it is worth it; False (nothing read) when it is not."""
    descriptor = raw.fileno()
    size = os.fstat(descriptor).st_size if descriptor is not None else 0
    if not verifysplit.can_split(path, size, jobs):
        return False
    split = verifysplit.find_split(path, size, compressed=source.compressed)
    child = None if split is None else verifysplit.start(path, split, compressed=source.compressed, deep=deep)
    if split is None or child is None:
        return False
    # The sidecar's hash goes on in a thread (hashlib lets go of the GIL), off this process's
    # path: else this process would hash the second half after its own, while the child waits.
    handed = raw.hand_over_hashing()
    hashing = None if handed is None else verifysplit.HashRest(path, *handed)
    if raw.on_read is not None:
        raw.on_read = _both_parts(raw.on_read, split, child)
    try:
        if scanner.walk(split):
            on_read = raw.on_read
            if on_read is not None:   # the second part may take longer: its progress goes on being told
                child.wait(lambda: on_read(raw.offset))
            part = child.result()
            if part is not None and verifysplit.absorb(scanner, part):
                if isinstance(source, GzipSource):
                    source.member_count += part.members
                return True
            logger.debug("%s: the second part cannot be merged exactly; reading it here", path)
        child.cancel()  # reading ran on past the split, or the merge was refused: read on here
        scanner.walk()
        raw.drain()
        return True
    except BaseException:
        if hashing is not None:   # the read is abandoned: its hash is not needed
            hashing.cancel()
            hashing = None
        raise
    finally:
        child.cancel()
        if hashing is not None:
            hashing.join()   # raises what reading the file raised


def _both_parts(told: Callable[[int], None], split: int, child: verifysplit.Child) -> Callable[[int], None]:
    """A reader's progress callback for a two-part read: the bytes read in both parts, never going back.

    This process counts up to the split, the child from it on; once the child is reaped
    (its part merged, or left to this process to read on) this process's offset alone counts.
    """
    reported = 0

    def on_read(offset: int) -> None:
        nonlocal reported
        reported = max(reported, offset if child.done else min(offset, split) + child.read_so_far())
        told(reported)

    return on_read


def _read_sidecar(sidecar: Path, basename: str, problems: list[Problem],
                  renamed: list[tuple[str, str]]) -> list[str]:
    """The sha256 values the sidecar gives for `basename` (each once; as sha256sum -c, every line
    for it must match); empty (and a problem) when it is unusable. A sidecar of one line, for another
    name (the archive renamed, its sidecar with it), is no problem yet: (that name, its sha256) go into
    `renamed`, for the file's hash to say (see _renamed)."""
    try:
        text = sidecar.read_text(encoding="utf-8")
    except OSError as exc:
        problem, fix = unreadable(exc, "sidecar")
        problems.append(Problem(None, None, kinds.BAD_SIDECAR, f"{sidecar.name} cannot be read: {problem}; {fix}, "
                                                               "or remove it to check the archive without it"))
        return []
    except UnicodeDecodeError as exc:
        problems.append(Problem(None, None, kinds.BAD_SIDECAR, f"{sidecar.name} cannot be read: not UTF-8 text "
                                                               f"(byte {exc.start}); it is not a sha256sum file"))
        return []
    found: list[str] = []
    lines = text.splitlines()
    lone: tuple[str, str] | None = None
    wanted = text_name(basename)   # (the sidecar's UTF-8 text names the file's bytes, whatever the locale)
    for number, line in enumerate(lines, start=1):
        match = _SIDECAR_LINE.fullmatch(line)
        if match is None:
            problems.append(Problem(
                None, None, kinds.BAD_SIDECAR,
                f"{sidecar.name} line {number} is not '<64 hex digits>  <file name>' (sha256sum format)",
            ))
            return []
        value = match.group(1).lower()
        named = match.group(2)
        # The file's name, or a path to it, as `sha256sum d/a.warc.gz` writes it (sha256sum -c opens that path
        # from where it runs; beside the file, the name is what counts).
        if (named == wanted or named.rpartition("/")[2] == wanted) and value not in found:
            found.append(value)
        lone = (named, value) if len(lines) == 1 else None
    if not found and lone is not None:
        renamed.append(lone)
    elif not found:
        problems.append(Problem(
            None, None, kinds.BAD_SIDECAR, f"{sidecar.name} has no line for {basename}",
        ))
    return found


def _renamed(sidecar: str, basename: str, named: str, value: str, actual: str, problems: list[Problem],
             notes: list[str]) -> None:
    """What a sidecar whose one line names another file says of this one: a note when its sha256 is this
    file's (the archive was renamed, and its sidecar with it), else a problem naming both hashes."""
    again = f"sha256sum {shlex.quote(basename)} > {shlex.quote(sidecar)}"
    if value == actual:
        notes.append(f"sidecar {sidecar} names {named}, not {basename}, but its sha256 matches the file's "
                     f"(renamed?); to make them agree, run '{again}' in the file's folder")
        return
    problems.append(Problem(
        None, None, kinds.BAD_SIDECAR,
        f"{sidecar} has no line for {basename}; its one line names {named}, whose sha256 {value} is not the "
        f"file's ({actual}): if the file is {named} renamed, it has changed since the sidecar was written "
        f"(restore it from a copy); else the sidecar is another file's: remove it, or, once the file is known "
        f"to be sound, run '{again}' in its folder"))


def render_text(report: VerifyReport, *, strict: bool = False, quiet: bool = False) -> str:
    """Human output: one line per problem, warnings for unverified records, then a summary line (no final newline).

    A file that was not checked (not a WARC) has one line, `PATH: error: ...`, and the summary counts it.
    `quiet` (the command's -q): the problems alone (under strict, unverified records are problems too), and the
    errors; no warning, note or summary.
    """
    strict = strict or report.strict
    lines: list[str] = []
    for file in report.files:
        if file.error is not None:
            lines.append(f"{file.path}: error: {file.error}")
            continue
        lines.extend(_line(file.path, problem) for problem in file.problems)
        if quiet and not strict:
            continue
        prefix = "" if strict else "warning: "
        lines.extend(_line(file.path, warning, prefix) for warning in file.warnings)
        if file.unverified > len(file.warnings):
            lines.append(
                f"{file.path}: {prefix}{file.unverified - len(file.warnings)} more records without a"
                " checkable digest"
            )
        if quiet:
            continue
        lines.extend(f"{file.path}: note: {note}" for note in file.notes)
        if len(report.files) > 1:
            lines.append(f"{file.path}: " + _summary(file.records, file.verified, file.unverified,
                                                     len(file.problems) + (file.unverified if strict else 0)))
    if not quiet:
        records = sum(f.records for f in report.files)
        verified = sum(f.verified for f in report.files)
        not_checked = f", files not checked {report.errors} (not WARC files)" if report.errors else ""
        lines.append(_summary(records, verified, report.unverified, report.failures(strict=strict)) + not_checked)
    # Control characters: a hostile WARC's record ids and header values, quoted in a problem, must not
    # reach the terminal as escape sequences (which could, say, clear the screen and print a clean summary).
    return "\n".join(printable(line) for line in lines)


def _summary(records: int, verified: int, unverified: int, problems: int) -> str:
    return f"records {records}, verified {verified}, unverified {unverified}, problems {problems}"


def _line(path: str, problem: Problem, prefix: str = "") -> str:
    parts = [path]
    if problem.offset is not None:
        parts.append(f"offset {problem.offset}")
    if problem.record_id is not None:
        parts.append(f"record {problem.record_id}")
    parts.append(f"{prefix}{problem.kind}")
    parts.append(problem.message)
    return ": ".join(parts)
