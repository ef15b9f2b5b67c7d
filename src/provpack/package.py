"""Run the pipeline: inputs -> document -> elisions (+ metadata) -> records -> warcwriter."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .document import parse_document
from .elisions import analyse
from .errors import InputError
from .inputs import MAX_TEXT_BYTES, discover, read_bytes
from .metadata import load_sidecar, merge
from .model import DocumentSummary, PackageResult, RecordSpec, SourceFile
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
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> PackageResult:
    """Package texts (folders or .txt files) into one WARC file and its .sha256; returns what was written."""
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

    def records() -> Iterator[RecordSpec]:
        yield warcinfo_record(out_path.name, description=description, operator=operator)
        for source in files:
            resource, provenance, summary = _document(source, max_text_bytes)
            summaries.append(summary)
            yield resource
            yield provenance

    written = write_warc(records(), out_path, date=warc_date(moment), level=level, force=force)
    log.info("wrote %s (%d records, %d bytes)", written.path, written.records, written.size_bytes)
    return PackageResult(
        warc_path=written.path,
        sha256_path=written.sha256_path,
        sha256=written.sha256,
        size_bytes=written.size_bytes,
        records=written.records,
        documents=tuple(summaries),
    )


def _document(source: SourceFile, max_text_bytes: int) -> tuple[RecordSpec, RecordSpec, DocumentSummary]:
    raw = read_bytes(source.text_path, limit=max_text_bytes)
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
