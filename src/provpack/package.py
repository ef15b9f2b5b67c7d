"""Run the pipeline: inputs -> document -> elisions (+ metadata) -> records -> warcwriter.

Documents are independent until they are written, so with more than one job
they are encoded (parsed, described, serialised and compressed to gzip
members) in batches by worker processes and written in name order by this
one: the archive's bytes do not depend on the number of jobs. Very large
documents are encoded here, streaming, rather than copied between processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from .document import parse_document
from .elisions import analyse
from .errors import InputError
from .inputs import Listing, list_sources, read_bytes
from .gzipper import Deflate, choose
from .metadata import load_sidecar, merge
from .model import DocumentSummary, PackageResult, RecordSpec, SourceFile
from .parallel import OrderedPool, default_jobs
from .records import document_records, warcinfo_record
from .tables import SummaryTable
from .warcwriter import encode, open_archive, warc_date, written

log = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".warc.gz"
POOL_MIN_DOCUMENTS = 256          # fewer documents than this (and little text) are encoded in-process
POOL_MIN_BYTES = 8 << 20
BATCH_DOCUMENTS = 48              # documents per task sent to a worker ...
BATCH_BYTES = 1 << 20             # ... or fewer, when their texts add up to this
LOCAL_BYTES = 32 << 20            # texts at least this large are encoded here, streaming

# One document's summary as it travels from a worker: record id, sha256, bytes, elisions, possible elisions.
_SummaryRow = tuple[str, str, int, int, int]


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
    deflate: str | None = None,
    jobs: int | None = None,
) -> PackageResult:
    """Package texts (folders or .txt files) into one WARC file and its .sha256; returns what was written.

    `deflate` names the gzip backend (isal where installed, else zlib) and `level`
    its level; `jobs` the worker processes (default: the CPUs available).
    """
    source_list: list[Path | str] = [sources] if isinstance(sources, (str, Path)) else list(sources)
    out_path = Path(out) if out is not None else default_output(source_list)
    if out_path.is_dir():
        out_path = out_path / default_output(source_list).name
    if not out_path.name.endswith(ARCHIVE_SUFFIX):
        raise InputError(out_path, f"the archive name must end in {ARCHIVE_SUFFIX}",
                         fix=f"name it e.g. {out_path.name.split('.')[0] or 'archive'}{ARCHIVE_SUFFIX}")
    compressor = choose(deflate, level)
    workers = default_jobs() if jobs is None else jobs
    if workers < 1:
        raise InputError("--jobs", f"the number of jobs must be at least 1, not {workers}")
    listing = list_sources(source_list, follow_symlinks=follow_symlinks)
    stamp = warc_date(date if date is not None else run_date())
    summaries = SummaryTable(listing.names)
    with open_archive(out_path, force=force) as sink:
        info = warcinfo_record(out_path.name, description=description, operator=operator)
        sink.write(encode(info, date=stamp, deflate=compressor), records=1)
        for batch in _encoded(listing, date=stamp, deflate=compressor, jobs=workers):
            sink.write(batch.pieces, records=batch.records)
            for row in batch.summaries:
                summaries.append(*row)
    archive = written(sink, out_path)
    log.info("wrote %s (%d records, %d bytes)", archive.path, archive.records, archive.size_bytes)
    return PackageResult(
        warc_path=archive.path,
        sha256_path=archive.sha256_path,
        sha256=archive.sha256,
        size_bytes=archive.size_bytes,
        records=archive.records,
        documents=summaries,
    )


class _Batch(NamedTuple):
    """Consecutive documents encoded: their gzip members in pieces, and a summary row for each."""

    pieces: Iterable[bytes]
    records: int
    summaries: list[_SummaryRow]


# What a worker gets: documents as (name, text path, sidecar path or None), the WARC-Date, the compressor.
_Task = tuple[tuple[tuple[str, str, str | None], ...], str, Deflate]


def _encoded(listing: Listing, *, date: str, deflate: Deflate, jobs: int) -> Iterator[_Batch]:
    """Every document encoded, in order: in worker processes when that pays, else here."""
    count = len(listing)
    if jobs == 1 or (count < POOL_MIN_DOCUMENTS and sum(listing.sizes) < POOL_MIN_BYTES):
        for index in range(count):
            yield _encode_local(listing.source(index), date=date, deflate=deflate)
        return
    plan = _plan(listing.sizes)
    tasks = (_task(listing, start, stop, date, deflate) for start, stop, local in plan if not local)
    with OrderedPool(_encode_task, jobs=jobs) as pool:
        results = pool.map(tasks)
        for start, _stop, local in plan:
            yield _encode_local(listing.source(start), date=date, deflate=deflate) if local else next(results)


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


def _task(listing: Listing, start: int, stop: int, date: str, deflate: Deflate) -> _Task:
    documents = tuple((listing.names[index], listing.text_path(index), listing.sidecar_path(index))
                      for index in range(start, stop))
    return documents, date, deflate


def _encode_task(task: _Task) -> _Batch:
    """Run in a worker: encode a batch of documents into one block of gzip members."""
    documents, date, deflate = task
    pieces: list[bytes] = []
    records = 0
    rows: list[_SummaryRow] = []
    for name, text_path, sidecar_path in documents:
        source = SourceFile(name, Path(text_path), None if sidecar_path is None else Path(sidecar_path))
        specs, row = _document_specs(source)
        for spec in specs:
            pieces.extend(encode(spec, date=date, deflate=deflate))
        records += len(specs)
        rows.append(row)
    return _Batch(pieces=(b"".join(pieces),), records=records, summaries=rows)


def _encode_local(source: SourceFile, *, date: str, deflate: Deflate) -> _Batch:
    specs, row = _document_specs(source)
    pieces = (piece for spec in specs for piece in encode(spec, date=date, deflate=deflate))
    return _Batch(pieces=pieces, records=len(specs), summaries=[row])


def _document_specs(source: SourceFile) -> tuple[tuple[RecordSpec, ...], _SummaryRow]:
    resource, provenance, summary = _document(source)
    row = (summary.record_id, summary.sha256, summary.length_bytes, summary.elisions, summary.possible_elisions)
    return (resource, provenance), row


def _document(source: SourceFile) -> tuple[RecordSpec, RecordSpec, DocumentSummary]:
    raw = read_bytes(source.text_path)
    document = parse_document(source.name, raw, path=source.text_path)
    analysis = analyse(document)
    sidecar = load_sidecar(source.sidecar_path) if source.sidecar_path is not None else None
    metadata = merge(document.parsed, sidecar,
                     sidecar_name=source.sidecar_path.name if source.sidecar_path is not None else None)
    resource, provenance = document_records(document, analysis, metadata)
    log.debug("%s: %d elisions", source.text_path, len(analysis.elisions))
    summary = DocumentSummary(
        name=source.name,
        record_id=resource.record_id,
        sha256=hashlib.sha256(raw).hexdigest(),
        length_bytes=len(raw),
        elisions=sum(1 for e in analysis.elisions if e.kind == "bracketed"),
        possible_elisions=sum(1 for e in analysis.elisions if e.kind == "possible"),
    )
    return resource, provenance, summary
