"""Run the pipeline: inputs -> document -> elisions (+ metadata) -> records -> warcwriter."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .align import align
from .capture import Capture, capture
from .document import parse_document
from .elisions import analyse
from .errors import CaptureError, InputError
from .inputs import MAX_TEXT_BYTES, discover, read_bytes
from .metadata import load_sidecar, merge
from .model import Analysis, Document, DocumentSummary, FetchFailure, PackageResult, RecordSpec, SourceFile
from .original import Original, fetched_original, local_original
from .provenance import AlignedOriginal
from .records import document_records, warcinfo_record
from .warcwriter import DEFAULT_LEVEL, warc_date, write_warc

log = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".warc.gz"


def run_date(environ: dict[str, str] | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; whole seconds, UTC."""
    environ = dict(os.environ) if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise InputError("SOURCE_DATE_EPOCH", f"not a number of seconds since 1970: {epoch!r}",
                         fix="set it to an integer, e.g. 1510444800, or unset it") from exc


def default_output(sources: Sequence[Path | str]) -> Path:
    """archive/<name of the first source>.warc.gz."""
    first = Path(sources[0]) if sources else Path("seeds")
    stem = first.resolve().name if first.is_dir() else first.stem
    return Path("archive") / f"{stem or 'archive'}{ARCHIVE_SUFFIX}"


def package(
    sources: Path | str | Sequence[Path | str],
    *,
    out: Path | str | None = None,
    date: dt.datetime | None = None,
    description: str | None = None,
    operator: str | None = None,
    force: bool = False,
    follow_symlinks: bool = False,
    level: int | None = None,
    fetch: bool = False,
    allow_private: bool = False,
    fetcher: Callable[[str], Capture] | None = None,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> PackageResult:
    """Package texts (folders or .txt files) into one WARC file and its .sha256; returns what was written.

    With `fetch`, each document whose sidecar gives `source_url` (and no local `original`)
    has it fetched by `fetcher` (default: `capture`, refusing private addresses unless
    `allow_private`); a failed fetch is reported in the result, not raised. Without
    `fetch` nothing touches the network. Texts over `max_text_bytes` are refused.
    """
    source_list: list[Path | str] = [sources] if isinstance(sources, (str, Path)) else list(sources)
    out_path = Path(out) if out is not None else default_output(source_list)
    if out_path.is_dir():
        out_path = out_path / default_output(source_list).name
    if not out_path.name.endswith(ARCHIVE_SUFFIX):
        raise InputError(out_path, f"the archive name must end in {ARCHIVE_SUFFIX}",
                         fix=f"name it e.g. {out_path.name.split('.')[0] or 'archive'}{ARCHIVE_SUFFIX}")
    level = DEFAULT_LEVEL if level is None else level
    if not 0 <= level <= 9:
        raise InputError("--level", f"compression level must be 0 to 9, not {level}")
    if max_text_bytes < 1:
        raise InputError("--max-text-bytes", f"the limit must be a positive number of bytes, not {max_text_bytes}")
    files = discover(source_list, follow_symlinks=follow_symlinks)
    moment = date if date is not None else run_date()
    summaries: list[DocumentSummary] = []
    failures: list[FetchFailure] = []
    chosen_fetcher = fetcher if fetcher is not None else functools.partial(capture, allow_private=allow_private)
    originals = _Originals(fetch=fetch, fetcher=chosen_fetcher, follow_symlinks=follow_symlinks, failures=failures)

    def records() -> Iterator[RecordSpec]:
        yield warcinfo_record(out_path.name, description=description, operator=operator)
        written: set[str] = set()
        for source in files:
            resource, provenance, summary, original = _document(source, originals, max_text_bytes)
            summaries.append(summary)
            yield resource
            yield provenance
            for spec in original.records if original is not None else ():
                if spec.record_id not in written:
                    written.add(spec.record_id)
                    yield spec

    written = write_warc(records(), out_path, date=warc_date(moment), level=level, force=force)
    log.info("wrote %s (%d records, %d bytes)", written.path, written.records, written.size_bytes)
    return PackageResult(
        warc_path=written.path,
        sha256_path=written.sha256_path,
        sha256=written.sha256,
        size_bytes=written.size_bytes,
        records=written.records,
        documents=tuple(summaries),
        fetch_failures=tuple(failures),
    )


class _Originals:
    """Finds each document's original: the sidecar's local copy, or a capture (once per URL)."""

    def __init__(self, *, fetch: bool, fetcher: Callable[[str], Capture], follow_symlinks: bool,
                 failures: list[FetchFailure]) -> None:
        self.fetch = fetch
        self.fetcher = fetcher
        self.follow_symlinks = follow_symlinks
        self.failures = failures
        self.captured: dict[str, Original | CaptureError] = {}

    def find(self, name: str, sidecar_path: Path | None, sidecar: dict[str, object] | None) -> Original | None:
        """The original for one document, or None (not given, not fetching, or the fetch failed)."""
        if sidecar is None or sidecar_path is None:
            return None
        source_url = sidecar.get("source_url")
        url = source_url if isinstance(source_url, str) else None
        if sidecar.get("original") is not None:
            return local_original(sidecar_path, sidecar["original"], source_url=url,
                                  follow_symlinks=self.follow_symlinks)
        if not self.fetch or url is None:
            return None
        if url not in self.captured:
            try:
                self.captured[url] = fetched_original(self.fetcher(url))
            except CaptureError as exc:
                log.warning("%s: %s", name, exc)
                self.captured[url] = exc
            except InputError as exc:
                log.warning("%s: %s", name, exc)
                self.captured[url] = CaptureError(url, exc.problem)
        found = self.captured[url]
        if isinstance(found, CaptureError):
            self.failures.append(FetchFailure(name=name, url=url, message=str(found)))
            return None
        return found


def _aligned(document: Document, analysis: Analysis, original: Original) -> AlignedOriginal:
    """Align the excerpt's segments with the original's extracted text."""
    alignment = align(
        document.text,
        [(s.span.start, s.span.end) for s in analysis.segments],
        [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions],
        original.text,
    )
    return AlignedOriginal(description=original.description, text=original.text, target_uri=original.target_uri,
                           conversion_record_id=original.conversion_record_id, alignment=alignment)


def _document(
    source: SourceFile, originals: _Originals, max_text_bytes: int
) -> tuple[RecordSpec, RecordSpec, DocumentSummary, Original | None]:
    raw = read_bytes(source.text_path, limit=max_text_bytes)
    document = parse_document(source.name, raw, path=source.text_path)
    analysis = analyse(document)
    sidecar = load_sidecar(source.sidecar_path) if source.sidecar_path is not None else None
    metadata = merge(document.parsed, sidecar,
                     sidecar_name=source.sidecar_path.name if source.sidecar_path is not None else None)
    original = originals.find(source.name, source.sidecar_path, sidecar)
    aligned = _aligned(document, analysis, original) if original is not None else None
    resource, provenance = document_records(document, analysis, metadata, original=aligned)
    log.debug("%s: %d elisions", source.text_path, len(analysis.elisions))
    summary = DocumentSummary(
        name=source.name,
        record_id=resource.record_id,
        sha256=hashlib.sha256(raw).hexdigest(),
        length_bytes=len(raw),
        elisions=sum(1 for e in analysis.elisions if e.kind == "bracketed"),
        possible_elisions=sum(1 for e in analysis.elisions if e.kind == "possible"),
        original=None if original is None else "local" if original.description["how"] == "local" else "fetched",
        omitted_found=0 if aligned is None else sum(1 for e in aligned.alignment.elisions if e.omitted),
        differences=0 if aligned is None else len(aligned.alignment.differences),
    )
    return resource, provenance, summary, original
