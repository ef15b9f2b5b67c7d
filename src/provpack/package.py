"""Run the pipeline: inputs -> document -> elisions (+ metadata) -> records -> warcwriter.

Documents are independent until they are written, so with more than one job
they are encoded (parsed, described, serialised and compressed to gzip
members) in batches by worker processes and written in name order by this
one: the archive's bytes do not depend on the number of jobs. Very large
documents are encoded here, streaming, rather than copied between processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

from .arguments import FLAG, FUNCTION, INT, PATH, TEXT, described, paths, require
from .atomic import check_name
from .defaults import MAX_MARKERS, MAX_PROVENANCE_BYTES, MAX_TEXT_BYTES
from .document import parse_document
from .elisions import analyse
from .errors import CaptureError, InputError, ProvpackError, not_utf8, option, printable, require_utf8
from .fsnames import text_name
from .gzipper import Deflate, choose
from .inputs import ARCHIVE_SUFFIX, Listing, archive_name, list_sources, read_bytes
from .metadata import load_sidecar, merge, misspelt_keys, misspelt_warning
from .model import (Analysis, Document, DocumentSummary, FetchFailure, Metadata, PackageResult, RecordSpec,
                    UnalignedOriginal, UnmatchedOriginal)
from .parallel import OrderedPool, can_start_workers, default_jobs, usable_jobs
from .provenance import AlignedOriginal
from .records import document_records, warcinfo_record
from .replaykeys import MOST, ReplayKeys, Source, cdx_timestamp, replayable, warn_clashes, warn_unreplayable
from .urlkey import CONTENT_URN, urlkey
from .tables import SummaryTable, pack_row
from .warcwriter import encode, open_archive, warc_date, written

if TYPE_CHECKING:   # fetching, originals and alignment are imported only when a run needs them
    from .capture import Capture
    from .original import Original, TextlessOriginal

log = logging.getLogger(__name__)
_T = TypeVar("_T")

POOL_MIN_DOCUMENTS = 256          # fewer documents than this (and little text) are encoded in-process
POOL_MIN_BYTES = 8 << 20
BATCH_DOCUMENTS = 96              # documents per task sent to a worker ...
BATCH_BYTES = 2 << 20             # ... or fewer, when their texts add up to this
LOCAL_BYTES = 32 << 20            # texts at least this large are encoded here, streaming



def run_date(environ: dict[str, str] | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; whole seconds, UTC."""
    environ = dict(os.environ) if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    if not (epoch.isascii() and epoch.isdigit()):   # as `date +%s` prints it: int() also takes -1, " 1", 1_0, "\u0663"
        raise InputError("SOURCE_DATE_EPOCH", f"not a number of seconds since 1970: {epoch!r}",
                         fix="set it to an integer, e.g. 1510444800, or unset it")
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise InputError("SOURCE_DATE_EPOCH", f"{epoch} seconds since 1970 is after the year 9999",
                         fix="set it to an integer, e.g. 1510444800, or unset it") from exc


def archive_stamp(date: dt.datetime, given_as: str) -> str:
    """`date` as a WARC-Date, checked as `checked_date` checks it."""
    return warc_date(checked_date(date, given_as))


def checked_date(date: dt.datetime, given_as: str) -> dt.datetime:
    """`date` in UTC; an InputError naming `given_as` for a naive datetime or a UTC year outside 1000-9999
    (a WARC-Date, and a WACZ's `created`, is a W3C-DTF date: four-digit years)."""
    fix = "give a datetime with a time zone and a year from 1000 to 9999 (e.g. tzinfo=timezone.utc)"
    if not isinstance(date, dt.datetime):
        raise InputError(given_as, f"not a datetime: {type(date).__name__}", fix=fix)
    if date.utcoffset() is None:   # local time would make the archive depend on the machine's time zone
        raise InputError(given_as, f"{date.isoformat()} has no time zone", fix=fix)
    try:
        utc = date.astimezone(dt.timezone.utc)
    except OverflowError as exc:
        raise InputError(given_as, f"{date.isoformat()} is after the year 9999 in UTC", fix=fix) from exc
    if not 1000 <= utc.year <= 9999:   # WARC-Date is a W3C-DTF date: four-digit years
        raise InputError(given_as, f"{date.isoformat()} is not in the years 1000 to 9999 in UTC", fix=fix)
    return utc


def _check_allow_private(allow_private: bool, *, fetch: bool, fetcher: object) -> None:
    """An InputError when `allow_private` would change nothing (as the command's --allow-private without --fetch
    is a usage error): without `fetch`, or with a `fetcher` of the caller's, which `allow_private` is not passed to."""
    if allow_private and not fetch:
        raise InputError("allow_private", "changes nothing without fetch=True (it lets the fetch reach loopback and "
                         "private addresses; nothing else is fetched)", fix="pass fetch=True as well, or leave it out")
    if allow_private and fetcher is not None:
        raise InputError("allow_private", "changes nothing with a fetcher given (it lets provpack's own fetcher, "
                         "provpack.capture.capture, reach loopback and private addresses)",
                         fix="pass it to your fetcher itself (for capture: functools.partial(capture, "
                         "allow_private=True)), or leave it out")


def default_output(sources: Sequence[Path | str]) -> Path:
    """archive/<name of the first source>.warc.gz: the name as given (a symbolic link's own), the folder's real name
    only for one given as `.`, `..` or `/`, which name none."""
    first = Path(sources[0]) if sources else Path("seeds")
    stem = (first.name if first.name not in ("", "..") else first.resolve().name) if first.is_dir() else first.stem
    return Path("archive") / f"{stem or 'archive'}{ARCHIVE_SUFFIX}"


def output_path(out: Path | str | None, sources: Sequence[Path | str]) -> Path:
    """Where package writes: `out`, or the default name inside it when it is a folder, else `default_output`; an
    InputError for an `out` that ends in a slash (a folder) but is none, whose advice names the archive inside it
    (the command's -o and the API's out alike: Path() would drop the slash, and the advice be about the suffix)."""
    if out is None:
        return default_output(sources)
    given = os.fspath(out)
    output = Path(given)
    if os.path.isdir(output):   # (Path.is_dir raises on a name too long before 3.12)
        return output / default_output(sources).name
    if given.endswith(("/", os.sep, os.altsep or "/")):
        problem, fix = ("is not a folder", "give a folder") if os.path.lexists(output) else ("no such folder",
                                                                                         "create it first")
        raise InputError(given, problem,
                         fix=f"{fix}, or name the archive itself, e.g. {output / default_output(sources).name}")
    return output


def package(
    sources: Path | str | Iterable[Path | str],
    *,
    out: Path | str | None = None,
    date: dt.datetime | None = None,
    description: str | None = None,
    operator: str | None = None,
    force: bool = False,
    follow_symlinks: bool = False,
    level: int | None = None,
    deflate: str | None = None,
    jobs: int | None = None,
    fetch: bool = False,
    allow_private: bool = False,
    fetcher: Callable[[str], Capture] | None = None,
    max_text_bytes: int = MAX_TEXT_BYTES,
    progress: Callable[[int, int, int], None] | None = None,
) -> PackageResult:
    """Package texts (folders or .txt files) into one WARC file and its .sha256; returns what was written.

    `deflate` names the gzip backend (isal where installed, else zlib) and `level`
    its level; `jobs` the worker processes (default: the CPUs available; none are started in a
    daemonic process, such as a multiprocessing.Pool's worker, which may start none: the documents
    are encoded in-process, as with jobs=1, into the same archive).
    With `fetch`, each document whose sidecar gives `source_url` (and no local `original`)
    has it fetched by `fetcher` (default: `capture`, refusing private addresses unless
    `allow_private`, keeping an error answer: `keep_errors`); a failed fetch is reported in the
    result (`fetch_failures`), not raised, and so is an original fetched with no text to align
    against or answered with an HTTP error (`unaligned`, archived all the same). A `fetcher` of the
    caller's signals a failed fetch by raising CaptureError; any other exception it raises is a
    failure too, said as raised by the fetcher given, and what it returns must be a Capture (else an
    InputError naming `fetcher`). `allow_private` without `fetch`, or with a `fetcher` given, would
    change nothing: an InputError. Without `fetch` nothing touches the network. Texts over `max_text_bytes` are refused.
    `progress(documents_done, documents_total, archive_bytes)` is called as the work advances.
    `date` (default: SOURCE_DATE_EPOCH, else now) must have a time zone and a year from 1000 to 9999 in UTC.
    """
    source_list = paths("sources", sources)
    require((("out", out, PATH.or_none), ("description", description, TEXT.or_none),
             ("operator", operator, TEXT.or_none), ("force", force, FLAG), ("follow_symlinks", follow_symlinks, FLAG),
             ("level", level, INT.or_none), ("deflate", deflate, TEXT.or_none), ("jobs", jobs, INT.or_none),
             ("fetch", fetch, FLAG), ("allow_private", allow_private, FLAG), ("fetcher", fetcher, FUNCTION.or_none),
             ("max_text_bytes", max_text_bytes, INT), ("progress", progress, FUNCTION.or_none)))
    _check_allow_private(allow_private, fetch=fetch, fetcher=fetcher)
    out_path = output_path(out, source_list)
    if not out_path.name.endswith(ARCHIVE_SUFFIX):
        known = archive_name(out_path.name)   # OUT.WARC.GZ, out.warc: the name to use is known
        if known is not None:
            raise InputError(out_path, known.why, fix=f"name it {known.name}")
        raise InputError(out_path, f"the archive name must end in {ARCHIVE_SUFFIX}",
                         fix=f"name it e.g. {out_path.name.split('.')[0] or 'archive'}{ARCHIVE_SUFFIX}")
    recorded = text_name(out_path.name)   # (its bytes as UTF-8 text, whatever the locale: WARC-Filename)
    bad = not_utf8(recorded)
    if bad is not None:
        raise InputError(out_path, f"the archive name is not UTF-8 ({bad})",
                         fix="name it in UTF-8 (the archive records its name, in WARC-Filename)")
    require_utf8(((option("--description"), description), (option("--operator"), operator)))
    check_name(out_path, companion=".sha256")   # before any work: open_archive checks it again
    compressor = choose(deflate, level)
    if max_text_bytes < 1:
        raise InputError(option("--max-text-bytes"),
                         f"the limit must be a positive number of bytes, not {max_text_bytes}")
    workers = default_jobs() if jobs is None else jobs
    if workers < 1:
        raise InputError(option("--jobs"), f"the number of jobs must be at least 1, not {workers}")
    # SOURCE_DATE_EPOCH (seconds since 1970, refused past 9999 by run_date) passes the same check as `date`.
    stamp = archive_stamp(*((date, "date") if date is not None else (run_date(), "SOURCE_DATE_EPOCH")))
    listing = list_sources(source_list, follow_symlinks=follow_symlinks)
    summaries = SummaryTable(listing.names)
    failures: list[FetchFailure] = []
    unaligned: list[UnalignedOriginal] = []
    unmatched: list[UnmatchedOriginal] = []
    unreplayable: list[tuple[str, str]] = []   # (sidecar, url) of the excerpts whose url replay tools cannot replay
    misspelt: list[tuple[str, str, tuple[str, ...]]] = []   # (sidecar, key, known keys it is written like)
    given_fetcher = fetcher is not None
    if fetch and fetcher is None:
        from .capture import capture   # requests and urllib3: only for runs that fetch
        fetcher = functools.partial(capture, allow_private=allow_private, keep_errors=True)
    originals = _Originals(fetch=fetch, fetcher=fetcher, given_fetcher=given_fetcher, follow_symlinks=follow_symlinks,
                           failures=failures, unaligned=unaligned)
    if fetch:
        workers = 1  # captures are shared between documents, and the fetcher may not travel to a worker
        # Every text and sidecar read and checked before the first request: a typo in the last sidecar must not
        # come out after the fetches of all the others (each run again hitting every server, and writing nothing).
        _check_inputs(listing, originals, max_text_bytes=max_text_bytes)
    written_originals: set[str] = set()
    replay = ReplayKeys()   # the keys replay tools find records by: two excerpts (or originals) must not share one
    batches = _encoded(listing, originals, date=stamp, deflate=compressor, jobs=workers,
                       max_text_bytes=max_text_bytes)
    with open_archive(out_path, force=force) as sink, contextlib.closing(batches), contextlib.closing(replay):
        info = warcinfo_record(recorded, description=description, operator=operator)
        sink.write(encode(info, date=stamp, deflate=compressor), records=1)
        for encoded in batches:
            fresh: set[str] = set()   # originals' records written from this batch
            for key, records, pieces in encoded.parts:
                if key is None or key not in written_originals:
                    sink.write(pieces, records=records)
                    if key is not None:
                        written_originals.add(key)
                        fresh.add(key)
            summaries.extend(encoded.rows)
            unmatched.extend(encoded.unmatched)
            unreplayable.extend(encoded.unreplayable)
            misspelt.extend(encoded.misspelt)
            for original_id, key, timestamp, source, chained in encoded.served:
                if original_id is not None:   # an original shared by excerpts: once, as it is written
                    if original_id not in fresh:
                        continue
                    fresh.discard(original_id)
                replay.add_key(key, timestamp, source, chained=chained)
            if progress is not None:
                progress(len(summaries), len(listing.names), sink.size)
        clashes = replay.clashes()
    archive = written(sink, out_path)
    _warn_misspelt(misspelt)
    warn_unreplayable(unreplayable)
    warn_clashes(clashes, replay.count)
    log.info("wrote %s (%d records, %d bytes)", archive.path, archive.records, archive.size_bytes)
    summaries.release()   # a result holds no file descriptor, however many are kept (the process has only so many)
    return PackageResult(
        warc_path=archive.path,
        sha256_path=archive.sha256_path,
        sha256=archive.sha256,
        size_bytes=archive.size_bytes,
        records=archive.records,
        documents=summaries,
        fetch_failures=tuple(failures),
        unaligned=tuple(unaligned),
        unmatched=tuple(unmatched),
        totals=summaries.totals(),
        removed_signatures=archive.removed_signatures,
    )


class _Encoded(NamedTuple):
    """Consecutive documents encoded: parts of gzip members to write in order, and their summary rows.

    A part is (key, records, pieces): key None for the documents' own records; an
    original's record carries its record id as key and is written only once.
    `served`: the records replay tools find by URL (not by a content URN), in order: an
    excerpt's (original id None), or an original's (its id: taken only with its first part).
    """

    parts: list[tuple[str | None, int, Iterable[bytes]]]
    rows: bytes
    served: list[tuple[str | None, str, str, Source, bool]]   # (original id, URL key, 14-digit timestamp, who gave it,
                                                              # a redirect's next response)
    unmatched: list[UnmatchedOriginal]   # documents aligned with an original that has none of their segments
    unreplayable: list[tuple[str, str]]   # (sidecar, url): excerpts whose url replay tools cannot replay (mailto:)
    misspelt: list[tuple[str, str, tuple[str, ...]]]   # (sidecar, key, known keys): metadata.misspelt_keys


# What a worker gets: its documents as a listing of their own, then how to encode them.
_Task = tuple[Listing, str, Deflate, bool, int]


def _check_inputs(listing: Listing, originals: _Originals, *, max_text_bytes: int) -> None:
    """Read and check every document as packaging will (its text, its parse and markers, its sidecar and the fields
    merged from both), batch by batch, keeping nothing: what would fail raises here, the first document's error,
    before anything is fetched. A second pass over the inputs, taken only by runs that fetch (their time goes on
    the network)."""
    for start, stop, _local in _plan(listing.sizes):
        part = listing.part(start, stop)
        _documents(part.paths(0, len(part)), originals, max_text_bytes, part.confined(0, len(part)), check_only=True)


def _encoded(listing: Listing, originals: _Originals, *, date: str, deflate: Deflate, jobs: int,
             max_text_bytes: int) -> Generator[_Encoded, None, None]:
    """Every document encoded, in order: in worker processes when that pays and may be had, else here."""
    count = len(listing)
    plan = _plan(listing.sizes)
    if jobs == 1 or (count < POOL_MIN_DOCUMENTS and sum(listing.sizes) < POOL_MIN_BYTES) or not can_start_workers():
        for start, stop, local in plan:   # the batches a worker would take, taken here
            yield _encode(listing.part(start, stop), originals, date=date,
                          deflate=deflate, lazy=local, max_text_bytes=max_text_bytes)
        return
    tasks = (_task(listing, start, stop, date, deflate, originals.follow_symlinks, max_text_bytes)
             for start, stop, local in plan if not local)
    workers = usable_jobs(jobs, sum(1 for _start, _stop, local in plan if not local))
    with OrderedPool(_encode_task, jobs=workers) as pool:
        results = pool.map(tasks)
        for start, _stop, local in plan:
            if local:
                yield _encode(listing.part(start, start + 1), originals, date=date, deflate=deflate, lazy=True,
                              max_text_bytes=max_text_bytes)
            else:
                yield next(results)


def _plan(sizes: Sequence[int]) -> list[tuple[int, int, bool]]:
    """Documents [start, stop) in worker batches, in order; a very large one alone, marked for this process."""
    plan: list[tuple[int, int, bool]] = []
    start = 0
    batch_bytes = 0
    for index, size in enumerate(sizes):
        if size >= LOCAL_BYTES:
            if start < index:
                plan.append((start, index, False))
            plan.append((index, index + 1, True))
            start, batch_bytes = index + 1, 0
            continue
        if start < index and (index - start >= BATCH_DOCUMENTS or batch_bytes + size > BATCH_BYTES):
            plan.append((start, index, False))
            start, batch_bytes = index, 0
        batch_bytes += size
    if start < len(sizes):
        plan.append((start, len(sizes), False))
    return plan


def _task(listing: Listing, start: int, stop: int, date: str, deflate: Deflate, follow_symlinks: bool,
          max_text_bytes: int) -> _Task:
    return listing.part(start, stop), date, deflate, follow_symlinks, max_text_bytes


def _encode_task(task: _Task) -> _Encoded:
    """Run in a worker: encode a batch of documents."""
    documents, date, deflate, follow_symlinks, max_text_bytes = task
    originals = _Originals(fetch=False, fetcher=None, given_fetcher=False, follow_symlinks=follow_symlinks, failures=[],
                           unaligned=[])
    return _encode(documents, originals, date=date, deflate=deflate, lazy=False,
                   max_text_bytes=max_text_bytes)


def _encode(documents: Listing, originals: _Originals, *, date: str, deflate: Deflate,
            lazy: bool, max_text_bytes: int) -> _Encoded:
    """Documents' records as gzip members; `lazy`: large blocks deflated only as they are written."""
    parts: list[tuple[str | None, int, Iterable[bytes]]] = []
    own: list[RecordSpec] = []
    rows = bytearray()
    served: list[tuple[str | None, str, str, Source, bool]] = []
    unmatched: list[UnmatchedOriginal] = []
    unreplayable: list[tuple[str, str]] = []
    misspelt: list[tuple[str, str, tuple[str, ...]]] = []

    def flush() -> None:
        if own:
            pieces = _members(list(own), date=date, deflate=deflate)
            parts.append((None, len(own), pieces if lazy else (b"".join(pieces),)))
            own.clear()

    files = documents.paths(0, len(documents))
    for number, (resource, provenance, summary, original, unfound, typos) in enumerate(
            _documents(files, originals, max_text_bytes, documents.confined(0, len(documents)))):
        own.extend((resource, provenance))
        sidecar = files[number][2]
        if sidecar is not None:   # (only a sidecar gives a url, or an original)
            served.extend(_served(sidecar, resource, original, date))   # (keyed here, in the worker)
            if resource.target_uri is not None and not replayable(resource.target_uri):
                unreplayable.append((sidecar, resource.target_uri))
            misspelt.extend((sidecar, key, near) for key, near in typos)
        rows += pack_row(summary)
        if unfound is not None:
            unmatched.append(unfound)
        if original is not None:
            flush()
            for spec in original.records:
                pieces = _members((spec,), date=date, deflate=deflate)
                parts.append((spec.record_id, 1, pieces if lazy else (b"".join(pieces),)))
    flush()
    return _Encoded(parts, bytes(rows), served, unmatched, unreplayable, misspelt)


def _warn_misspelt(given: Sequence[tuple[str, str, tuple[str, ...]]]) -> None:
    """Warn, in at most MOST lines, of each sidecar key written like a known one (metadata.misspelt_keys)."""
    shown = given[: MOST if len(given) <= MOST else MOST - 1]
    for sidecar, key, near in shown:
        log.warning("%s: %s", sidecar, misspelt_warning(key, near))
    if len(shown) < len(given):
        log.warning("%d more sidecar keys are not ones provpack reads but are written like one (%s among them): "
                    "rename each to the key meant", len(given) - len(shown), given[len(shown)][0])


def _served(sidecar: str, resource: RecordSpec, original: Original | TextlessOriginal | None,
            date: str) -> Iterator[tuple[str | None, str, str, Source, bool]]:
    """The records of an excerpt and of its original that replay tools find by URL: the excerpt's resource, and
    the original's resource or its capture's responses (each redirect, then the last one), each with its
    CDXJ key (computed here, in the worker, not in the parent that writes: SURT costs some 140k instructions
    a URL); content URNs are left out."""
    for original_id, url, timestamp, source, chained in _served_urls(sidecar, resource, original, date):
        if not CONTENT_URN.fullmatch(url):   # (ReplayKeys leaves content URNs out; surt loads only for a URL)
            yield original_id, urlkey(url), timestamp, source, chained


def _served_urls(sidecar: str, resource: RecordSpec, original: Original | TextlessOriginal | None,
                 date: str) -> Iterator[tuple[str | None, str, str, Source, bool]]:
    """_served's records, each with its URL (its WARC-Target-URI)."""
    if resource.target_uri is not None:
        yield (None, resource.target_uri, cdx_timestamp(date), Source(sidecar, f"url {resource.target_uri}", True),
               False)
    if original is None:
        return
    description = original.description
    if description["how"] == "local":
        spec = next(spec for spec in original.records if spec.record_id == original.source_record_id)
        if spec.target_uri is not None:
            source = Source(sidecar, f"original {description['path']} (source_url {spec.target_uri})", False)
            yield spec.record_id, spec.target_uri, cdx_timestamp(date), source, False
        return
    from .httpbytes import redirected   # (only for a fetched original: its import is some 10M instructions of start-up)

    fetched = f"original fetched from {description['url']}"
    if redirected(description):
        fetched += f" (redirected to {description['final_url']})"
    responses = [(spec, spec.target_uri) for spec in original.records if spec.warc_type == "response"]
    for number, (spec, url) in enumerate(responses):
        if url is not None:
            dated = dict(spec.extra_headers).get("WARC-Date", date)
            yield spec.record_id, url, cdx_timestamp(dated), Source(sidecar, fetched, False), number > 0


def _members(specs: Iterable[RecordSpec], *, date: str, deflate: Deflate) -> Iterator[bytes]:
    """The records' gzip members in pieces, compressed only as they are consumed."""
    for spec in specs:
        yield from encode(spec, date=date, deflate=deflate)


class _Originals:
    """Finds each document's original: the sidecar's local copy, or a capture (once per URL).

    A failed fetch goes into `failures`, a capture with no text into `unaligned`, once per document.
    `given_fetcher`: the fetcher is the caller's (package's `fetcher`), not `capture`: an exception it raises is
    a failure saying so, not a bug of provpack's, and what it returns must be a Capture (else an InputError).
    """

    def __init__(self, *, fetch: bool, fetcher: Callable[[str], Capture] | None, given_fetcher: bool,
                 follow_symlinks: bool, failures: list[FetchFailure], unaligned: list[UnalignedOriginal]) -> None:
        self.fetch = fetch
        self.fetcher = fetcher
        self.given_fetcher = given_fetcher
        self.follow_symlinks = follow_symlinks
        self.failures = failures
        self.unaligned = unaligned
        self.captured: dict[str, Original | TextlessOriginal | CaptureError] = {}

    def check(self, sidecar_path: str | None, sidecar: dict[str, object] | None) -> None:
        """What `find` would raise finding and opening a local original, without reading it (nor fetching)."""
        if sidecar is not None and sidecar_path is not None and sidecar.get("original") is not None:
            from .original import check_local_original
            check_local_original(Path(sidecar_path), sidecar["original"], follow_symlinks=self.follow_symlinks)

    def find(self, name: str, sidecar_path: str | None,
             sidecar: dict[str, object] | None) -> Original | TextlessOriginal | None:
        """The original for one document, or None (not given, not fetching, or the fetch failed)."""
        if sidecar is None or sidecar_path is None:
            return None
        source_url = sidecar.get("source_url")
        url = source_url if isinstance(source_url, str) else None
        if sidecar.get("original") is not None:
            from .original import local_original
            try:
                return local_original(Path(sidecar_path), sidecar["original"], source_url=url,
                                      follow_symlinks=self.follow_symlinks)
            except ProvpackError:
                raise
            except Exception as exc:   # a bug must not end the run in a traceback: an error naming the file
                raise InputError(sidecar_path, f"its original {sidecar['original']!r} could not be read: "
                                 f"{_unexpected(exc)}", fix="leave `original` out of the sidecar to package "
                                 "the text without it, and report this as a bug") from exc
        if not self.fetch or url is None or self.fetcher is None:
            return None
        page = url.split("#", 1)[0]   # what is fetched and recorded: a #fragment names a part of the page
        if page not in self.captured:
            self.captured[page] = self._fetched(name, page, self.fetcher)
        found = self.captured[page]
        if isinstance(found, CaptureError):
            self.failures.append(FetchFailure(name=name, url=url, message=f"{found}; {_NOT_FETCHED_FIX}"))
            return None
        from .original import TextlessOriginal
        if isinstance(found, TextlessOriginal):
            log.info("%s: fetched %s but not aligned: %s", name, url, found.reason)
            self.unaligned.append(UnalignedOriginal(name=name, url=url, reason=found.reason,
                                                    status=found.description["status"]))
        return found


    def _fetched(self, name: str, page: str,
                 fetcher: Callable[[str], Capture]) -> Original | TextlessOriginal | CaptureError:
        """The original `fetcher` fetched at `page`, or the CaptureError saying why there is none."""
        try:
            capture = fetcher(page)
        except Exception as exc:  # noqa: BLE001 - one original's failure must not end the run: a failed fetch
            return _failed(name, page, exc, by_fetcher=self.given_fetcher)
        if self.given_fetcher:
            _check_capture(capture, page)
        from .original import fetched_original
        try:
            return fetched_original(capture)
        except Exception as exc:  # noqa: BLE001 - as above
            return _failed(name, page, exc, by_fetcher=False)


def _failed(name: str, page: str, exc: Exception, *, by_fetcher: bool) -> CaptureError:
    """The CaptureError for `exc`, met fetching `page` for the document `name` or making its records: a CaptureError
    as it is; another exception raised by the caller's fetcher (`by_fetcher`: a ConnectionError of its own, or its
    bug) said as the fetcher's; any other, provpack's bug (`capture` raises only CaptureError and InputError)."""
    # (info, not warning: a failure goes into the result's fetch_failures, which the command prints)
    if isinstance(exc, CaptureError):
        log.info("%s: %s", name, exc)
        return exc
    if isinstance(exc, InputError):
        log.info("%s: %s", name, exc)
        return CaptureError(page, exc.problem)
    log.info("%s: %s", name, exc, exc_info=True)
    if by_fetcher:
        return CaptureError(page, f"could not be fetched: the fetcher given raised {_unexpected(exc)}")
    return CaptureError(page, f"could not be archived: {_unexpected(exc)} (report this as a bug)")


def _check_capture(capture: object, page: str) -> None:
    """An InputError naming `fetcher` when what the caller's fetcher returned for `page` is no Capture (every fetch
    would fail the same way: a bug of the caller's, not a page that could not be fetched)."""
    from .capture import Capture

    if not isinstance(capture, Capture):
        raise InputError("fetcher", f"returned {described(capture)} for {printable(page)}, not a "
                         "provpack.capture.Capture", fix="return what provpack.capture.capture returns, or raise "
                         "CaptureError when the page cannot be fetched")


_NOT_FETCHED_FIX = ("check the URL or try again later, or save the page and name the copy with `original:` in the "
                    "sidecar")


def _unexpected(exc: Exception) -> str:
    """An unexpected exception in words: its type and message, the message cut to 300 characters."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:300]}{'...' if len(text) > 300 else ''}"


def _aligned(document: Document, analysis: Analysis, original: Original) -> AlignedOriginal:
    """Align the excerpt's segments with the original's extracted text."""
    from .align import align
    alignment = align(
        document.text,
        [(s.span.start, s.span.end) for s in analysis.segments],
        [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions],
        original.text,
        quoted=(document.body.start, document.body.end),
    )
    return AlignedOriginal(description=original.description, text=original.text, target_uri=original.target_uri,
                           conversion_record_id=original.conversion_record_id, alignment=alignment)


_Encodable = tuple[RecordSpec, RecordSpec, DocumentSummary, "Original | TextlessOriginal | None",
                   UnmatchedOriginal | None, tuple[tuple[str, tuple[str, ...]], ...]]
_Files = tuple[str, str, "str | None"]   # a document's name, text path and sidecar path, as Listing.paths gives them


def _documents(
    files: Sequence[_Files], originals: _Originals, max_text_bytes: int, confined: Sequence[bool], *,
    check_only: bool = False,
) -> list[_Encodable]:
    """Each document's two records, summary and original, in order; `files` as `Listing.paths` gives them,
    `confined` as `Listing.confined` does (without --follow-symlinks, such a text is read only from its folder).
    With `check_only`, the stages up to the original (which would fetch it) and nothing back: what raises.

    The work goes stage by stage over all of them (read every text, then parse every
    one, ...): the interpreter's and the C libraries' caches stay warm, which costs
    about 13% less CPU than taking each document through every stage in turn. What
    fails is what taking them in turn would raise: the first document's error, from
    the first stage that failed for it (a stage only runs for the documents before
    the first one that failed so far).
    """
    failed: list[Exception] = []
    done = len(files)

    def stage(work: Callable[[int], _T]) -> list[_T]:
        nonlocal done
        results: list[_T] = []
        for number in range(done):
            try:
                results.append(work(number))
            except Exception as exc:  # noqa: BLE001 - raised below, once no earlier document can fail
                failed.append(exc)
                done = number
                break
        return results

    follow = originals.follow_symlinks
    raws = stage(lambda n: _read_text(files[n], max_text_bytes, confined=confined[n] and not follow))
    documents = stage(lambda n: parse_document(files[n][0], raws[n], path=files[n][1]))
    analyses = stage(lambda n: analyse(documents[n], path=files[n][1], max_markers=MAX_MARKERS))
    sidecars = stage(lambda n: _sidecar(files[n][2], follow_symlinks=follow))
    metadata = stage(lambda n: merge(documents[n].parsed, sidecars[n], sidecar_name=_sidecar_name(files[n][2])))
    if check_only:
        stage(lambda n: originals.check(files[n][2], sidecars[n]))
        if failed:
            raise failed[-1]
        return []
    found = stage(lambda n: originals.find(files[n][0], files[n][2], sidecars[n]))
    encodable = stage(lambda n: _records(files[n], raws[n], documents[n], analyses[n], metadata[n], found[n]))
    if failed:
        raise failed[-1]   # the last recorded is the earliest document's
    return encodable


def _read_text(files: _Files, max_text_bytes: int, *, confined: bool) -> bytes:
    """The text's bytes; an InputError first if its name, which the archive holds as UTF-8, is not UTF-8.

    `confined`: a symbolic link out of its folder is refused as the listing refuses it, checked again on the
    file opened: a text swapped for one after it was listed must not be read.
    """
    name, text_path, _ = files
    bad = None if name.isascii() else not_utf8(name)   # (the name's bytes read as UTF-8, whatever the locale)
    if bad is not None:
        raise InputError(text_path, f"the file name is not UTF-8 ({bad})",
                         fix="rename the file in UTF-8 (the archive holds document names as UTF-8)")
    return read_bytes(text_path, limit=max_text_bytes, within=os.path.dirname(text_path) if confined else None)


def _sidecar(sidecar_path: str | None, *, follow_symlinks: bool) -> dict[str, object] | None:
    """The sidecar's mapping; without `follow_symlinks`, read only if it is (still) in its text's folder."""
    if sidecar_path is None:
        return None
    return load_sidecar(sidecar_path, within=None if follow_symlinks else os.path.dirname(sidecar_path), listed=True)


def _sidecar_name(sidecar_path: str | None) -> str | None:
    return text_name(os.path.basename(sidecar_path)) if sidecar_path is not None else None


def _records(files: _Files, raw: bytes, document: Document, analysis: Analysis, metadata: Metadata,
             original: Original | TextlessOriginal | None) -> _Encodable:
    """One document's records and summary, from what the stages before found."""
    aligned = None
    unaligned = None
    if original is not None:
        from .original import TextlessOriginal
        if isinstance(original, TextlessOriginal):   # archived, described, nothing to align against
            unaligned = original.description
        else:
            aligned = _aligned(document, analysis, original)
    resource, provenance = document_records(document, analysis, metadata, original=aligned,
                                            unaligned_original=unaligned)
    name, text_path, _ = files
    if len(provenance.block) > MAX_PROVENANCE_BYTES:   # (what show, extract and verify read whole)
        omitted = sum(len(e.omitted.text) for e in aligned.alignment.elisions if e.omitted is not None) if (
            aligned is not None) else 0
        raise InputError(text_path, f"its provenance record would take {len(provenance.block):,} bytes, more than"
                         f" the {MAX_PROVENANCE_BYTES:,} provpack writes for one document"
                         + (f", {omitted:,} characters of it the passages its cuts omit from its original" if omitted
                            else ""),
                         fix="give the original only the part the excerpt quotes, or no original" if omitted * 4 >
                         len(provenance.block) else "split the text into several files")
    log.debug("%s: %d elisions", text_path, len(analysis.elisions))
    summary = DocumentSummary(
        name=name,
        record_id=resource.record_id,
        sha256=resource.block_sha256 or hashlib.sha256(raw).hexdigest(),
        length_bytes=len(raw),
        elisions=sum(1 for e in analysis.elisions if e.kind == "bracketed"),
        possible_elisions=sum(1 for e in analysis.elisions if e.kind == "possible"),
        original=None if original is None else "local" if original.description["how"] == "local" else "fetched",
        omitted_found=0 if aligned is None else sum(1 for e in aligned.alignment.elisions if e.omitted),
        differences=0 if aligned is None else len(aligned.alignment.differences),
        segments_not_found=0 if aligned is None else sum(1 for s in aligned.alignment.segments
                                                         if s.words and not s.found),
    )
    misspelt = () if metadata.sidecar is None else misspelt_keys(metadata.sidecar)
    return (resource, provenance, summary, original, None if aligned is None else _unmatched(name, aligned),
            misspelt)


def _unmatched(name: str, aligned: AlignedOriginal) -> UnmatchedOriginal | None:
    """The document, when it has segments with words and none of them was found in its original."""
    segments = aligned.alignment.segments
    if any(s.found for s in segments) or not any(s.words for s in segments):
        return None
    description = aligned.description
    where = str(description.get("path") or description.get("url"))
    count = sum(1 for s in segments if s.words)
    # (info, not warning: it goes into the result's unmatched, which the command prints)
    log.info("%s: none of its %d segments was found in its original %s", name, count, where)
    how: Literal["local", "fetched"] = "local" if description["how"] == "local" else "fetched"
    return UnmatchedOriginal(name=name, how=how, original=where, segments=count, charset=dict(description["charset"]))
