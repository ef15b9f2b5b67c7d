"""Tests for provpack.warcwriter: one gzip member per record, readable by warcio, atomic."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from provpack.errors import ArchiveError
from provpack.model import RecordSpec
from provpack.warcwriter import write_warc

DATE = "2017-11-12T00:00:00Z"


def specs() -> list[RecordSpec]:
    return [
        RecordSpec("warcinfo", "<urn:uuid:00000000-0000-5000-8000-000000000001>", None,
                   "application/warc-fields", b"software: test\r\n", False),
        RecordSpec("resource", "<urn:uuid:00000000-0000-5000-8000-000000000002>", "urn:test:1",
                   "text/plain; charset=utf-8", "caf\u00e9 [...]\r\n".encode(), True),
        RecordSpec("metadata", "<urn:uuid:00000000-0000-5000-8000-000000000003>", "urn:test:1",
                   "application/ld+json", b"{}\n", False,
                   (("WARC-Refers-To", "<urn:uuid:00000000-0000-5000-8000-000000000002>"),)),
    ]


def members(data: bytes) -> list[bytes]:
    """Split a file into its gzip members."""
    out = []
    while data:
        decompressor = zlib.decompressobj(31)
        out.append(decompressor.decompress(data))
        assert decompressor.eof
        data = decompressor.unused_data
    return out


def test_records_read_back_with_sha256_digests(tmp_path: Path) -> None:
    """warcio reads every record back with our headers, digests and exact blocks."""
    path = tmp_path / "t.warc.gz"
    written = write_warc(specs(), path, date=DATE)
    assert written.records == 3 and written.size_bytes == path.stat().st_size
    with path.open("rb") as handle:
        records = list((r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(handle))
    for spec, (headers, block) in zip(specs(), records):
        assert block == spec.block
        assert headers.protocol == "WARC/1.1"
        assert headers.get_header("WARC-Record-ID") == spec.record_id
        assert headers.get_header("WARC-Date") == DATE
        assert headers.get_header("WARC-Block-Digest") == "sha256:" + hashlib.sha256(spec.block).hexdigest()
        assert (headers.get_header("WARC-Payload-Digest") is not None) == spec.payload_digest
        assert headers.get_header("Content-Type") == spec.content_type
    assert records[2][0].get_header("WARC-Refers-To") == specs()[1].record_id


def test_one_member_per_record_without_mtime(tmp_path: Path) -> None:
    """Each record is its own gzip member, and no member carries a time or a name."""
    path = tmp_path / "t.warc.gz"
    write_warc(specs(), path, date=DATE)
    data = path.read_bytes()
    parts = members(data)
    assert len(parts) == 3 and all(p.startswith(b"WARC/1.1\r\n") and p.endswith(b"\r\n\r\n") for p in parts)
    assert data[4:8] == b"\0\0\0\0" and data[3] & 0x08 == 0


def test_sha256_file_checks_with_sha256sum_format(tmp_path: Path) -> None:
    """OUT.sha256 holds '<hex>  <name>' for the whole file."""
    path = tmp_path / "t.warc.gz"
    written = write_warc(specs(), path, date=DATE)
    assert written.sha256_path.read_text() == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  t.warc.gz\n"


def test_failure_leaves_earlier_archive_untouched(tmp_path: Path) -> None:
    """A failure mid-write keeps the old archive and leaves no temp file."""
    path = tmp_path / "t.warc.gz"
    write_warc(specs(), path, date=DATE)
    before = path.read_bytes()

    def broken() -> Iterator[RecordSpec]:
        yield specs()[0]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_warc(broken(), path, date=DATE, force=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.warc.gz", "t.warc.gz.sha256"]


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing archive is never replaced silently."""
    path = tmp_path / "t.warc.gz"
    write_warc(specs(), path, date=DATE)
    with pytest.raises(ArchiveError, match="already exists"):
        write_warc(specs(), path, date=DATE)
    write_warc(specs(), path, date=DATE, force=True)
