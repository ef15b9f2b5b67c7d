"""RecordSpec list -> .warc.gz via warcio, one gzip member per record; atomic, with a .sha256 beside it.

warcio serialises each record (headers in a fixed order, digests we computed);
we compress each one as its own gzip member with no mtime and no file name, so
the bytes depend only on the records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.warcwriter import WARCWriter

from .atomic import atomic_files
from .model import RecordSpec

WARC_VERSION = "WARC/1.1"
DEFAULT_LEVEL = 6
_NO_PAYLOAD_DIGEST = ("warcinfo", "metadata", "revisit")
_HTTP_TYPES = ("request", "response")


@dataclass(frozen=True, slots=True)
class WrittenArchive:
    """What was written: the archive, its checksum file, and their digest."""

    path: Path
    sha256_path: Path
    sha256: str
    size_bytes: int
    records: int


class _Serializer(WARCWriter):  # type: ignore[misc]
    """warcio's writer, told not to add payload digests where WARC 1.1 has none."""

    NO_PAYLOAD_DIGEST_TYPES = _NO_PAYLOAD_DIGEST


def warc_date(moment: dt.datetime) -> str:
    """WARC-Date in whole seconds, UTC: 2017-11-12T00:00:00Z."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def serialize(spec: RecordSpec, *, date: str) -> bytes:
    """The uncompressed bytes of one record, headers in a fixed order."""
    block_sha256 = hashlib.sha256(spec.block).hexdigest()
    headers: dict[str, str] = {
        "WARC-Type": spec.warc_type,
        "WARC-Record-ID": spec.record_id,
        "WARC-Date": date,
    }
    if spec.target_uri is not None:
        headers["WARC-Target-URI"] = spec.target_uri
    headers.update(spec.extra_headers)
    headers["Content-Type"] = spec.content_type
    headers["WARC-Block-Digest"] = f"sha256:{block_sha256}"
    if spec.payload_digest:
        payload_sha256 = hashlib.sha256(spec.block[spec.payload_offset:]).hexdigest()
        headers["WARC-Payload-Digest"] = f"sha256:{payload_sha256}"
    buffer = io.BytesIO()
    writer = _Serializer(buffer, gzip=False, warc_version=WARC_VERSION)
    # Built as a resource record so that warcio does not parse and re-serialise the HTTP
    # head of request/response blocks (it would normalise it); the type is set after.
    record = writer.create_warc_record(
        spec.target_uri or "", "resource" if spec.warc_type in _HTTP_TYPES else spec.warc_type,
        payload=io.BytesIO(spec.block), length=len(spec.block),
        warc_content_type=spec.content_type, warc_headers_dict=headers,
    )
    if spec.warc_type in _HTTP_TYPES:
        record.rec_type = spec.warc_type
        record.rec_headers.replace_header("WARC-Type", spec.warc_type)
    writer.write_record(record)
    return buffer.getvalue()


def gzip_member(data: bytes, *, level: int = DEFAULT_LEVEL) -> bytes:
    """One gzip member holding `data`: mtime 0, no name, so bytes depend only on `data`."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def write_warc(
    records: Iterable[RecordSpec],
    path: Path,
    *,
    date: str,
    level: int = DEFAULT_LEVEL,
    force: bool = False,
) -> WrittenArchive:
    """Write the records to `path` atomically, then `path.sha256` in `sha256sum -c` format."""
    digest = hashlib.sha256()
    size = 0
    count = 0
    sha256_path = path.with_name(path.name + ".sha256")
    # Both files are staged under temp names and fsynced before either takes its
    # final name; the old .sha256 goes first, so a crash never pairs a new
    # archive with an old checksum (atomic_files commits in that order).
    with atomic_files(path, force=force) as staging:
        out = staging.open(path)
        for spec in records:
            member = gzip_member(serialize(spec, date=date), level=level)
            out.write(member)
            digest.update(member)
            size += len(member)
            count += 1
        hexdigest = digest.hexdigest()
        staging.open(sha256_path).write(f"{hexdigest}  {path.name}\n".encode("utf-8"))
    return WrittenArchive(path=path, sha256_path=sha256_path, sha256=hexdigest, size_bytes=size, records=count)
