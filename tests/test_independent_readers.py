"""warctools (Hanzo's parser, now the Internet Archive's), which shares no code with warcio, reads our archives."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from provpack.package import package

from conftest import ARCHIVE, SEED_EPOCH, benchmark_module
from localserver import ORIGINALS, serve

warctools: Any = pytest.importorskip("hanzo.warctools")
warctools_warc: Any = pytest.importorskip("hanzo.warctools.warc")

DATE = dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc)
EXCERPT = "When in the Course of human events [...] the causes which impel them to the separation.\n"
FETCHED = ("/redirect", "/gzip", "/chunked", "/odd-head")   # a redirect hop, gzip kept encoded, de-chunked, odd head


@dataclass(frozen=True)
class Read:
    """One record as a reader returned it."""

    offset: int | None
    type: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    block: bytes


@pytest.fixture(autouse=True)
def _knows_warc_1_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tell warctools 5.0.1 that WARC/1.1 exists: it knows 1.0, 0.18 and 0.17, and on 1.1 it crashes
    formatting its own error message (bytes into str.join)."""
    parser = warctools_warc.WarcParser
    monkeypatch.setattr(parser, "KNOWN_VERSIONS", parser.KNOWN_VERSIONS | {b"1.1"})


def read_warctools(path: Path, *, offset: int | None = None, limit: int | None = None) -> tuple[list[Read], list[Any]]:
    """Records warctools reads from `path` (from `offset`), and every error it reports."""
    records: list[Read] = []
    errors: list[Any] = []
    with path.open("rb") as raw:  # warctools' close() leaves a file it opened itself open
        raw.seek(offset or 0)
        stream = warctools.WarcRecord.open_archive(file_handle=raw, gzip="auto")
        try:
            for at, record, problems in stream.read_records(limit=limit):
                errors.extend(problems)
                if record is None:
                    continue
                errors.extend(record.errors)
                _, block = record.content
                records.append(Read(at, record.type, tuple(record.headers), block))
        except Exception as exc:  # warctools raises a bare Exception on a short block
            errors.append(repr(exc))
    return records, errors


def read_warcio(path: Path) -> list[Read]:
    """The same records as warcio reads them, with each record's offset in the file."""
    out: list[Read] = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream, no_record_parse=True)
        for record in records:
            block = record.raw_stream.read()
            headers = tuple((k.encode(), v.encode()) for k, v in record.rec_headers.headers)
            out.append(Read(records.get_record_offset(), record.rec_type.encode(), headers, block))
    return out


def sha256(data: bytes) -> bytes:
    """`sha256:<hex>`, as our digests are written."""
    return b"sha256:" + hashlib.sha256(data).hexdigest().encode()


def header(record: Read, name: bytes) -> bytes | None:
    """A header's value (names compared case-insensitively)."""
    return next((v for k, v in record.headers if k.lower() == name.lower()), None)


def payload(record: Read) -> bytes:
    """The payload: the entity body as transmitted for HTTP, else the block (WARC 1.1, 5.9)."""
    if (header(record, b"Content-Type") or b"").startswith(b"application/http"):
        return record.block.split(b"\r\n\r\n", 1)[1]
    return record.block


def check(path: Path) -> list[Read]:
    """warctools reads every record warcio does: no errors, same type and headers, digests that match."""
    records, errors = read_warctools(path)
    assert errors == []
    reference = read_warcio(path)
    assert [(r.type, r.headers, r.block) for r in records] == [(r.type, r.headers, r.block) for r in reference]
    for record in records:
        assert sha256(record.block) == header(record, b"WARC-Block-Digest")
        assert len(record.block) == int(header(record, b"Content-Length") or b"-1")
        expected = header(record, b"WARC-Payload-Digest")
        if expected is not None:
            assert sha256(payload(record)) == expected
    if path.suffix == ".gz":
        for want in reference:  # one gzip member per record: a reader can start at any record's offset
            assert want.offset is not None
            (got,), errors = read_warctools(path, offset=want.offset, limit=1)
            assert errors == [] and got.headers == want.headers and got.block == want.block
    return records


TYPES = {
    "committed": {b"warcinfo", b"resource", b"metadata"},
    "corpus": {b"warcinfo", b"resource", b"metadata"},
    "local-original": {b"warcinfo", b"resource", b"metadata", b"conversion"},
    "fetched": {b"warcinfo", b"resource", b"metadata", b"request", b"response", b"conversion"},
}


@pytest.fixture(params=list(TYPES))
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """The committed archive (read in place), a generated corpus, and archives with originals."""
    out = tmp_path / "out" / "archive.warc.gz"
    source = tmp_path / "src"
    kind: str = request.param
    if kind == "committed":
        return kind, ARCHIVE / "seeds.warc.gz"
    if kind == "corpus":
        benchmark_module("corpus").generate(source, docs=40, seed=1)
        return kind, package(source, out=out, date=DATE, jobs=1).warc_path
    source.mkdir()
    if kind == "local-original":
        (source / "decl.txt").write_text(EXCERPT, encoding="utf-8")
        (source / "decl.yaml").write_text("url: https://example.org/decl\noriginal: decl.html\n", encoding="utf-8")
        shutil.copy(ORIGINALS / "declaration.html", source / "decl.html")
        return kind, package(source, out=out, date=DATE, jobs=1).warc_path
    with serve() as server:
        for number, where in enumerate(FETCHED):
            (source / f"d{number}.txt").write_text(EXCERPT, encoding="utf-8")
            (source / f"d{number}.yaml").write_text(f"source_url: {server.url(where)}\n", encoding="utf-8")
        result = package(source, out=out, date=DATE, jobs=1, fetch=True, allow_private=True)
    assert result.fetch_failures == ()
    return kind, result.warc_path


def test_warctools_reads_every_record(archive: tuple[str, Path]) -> None:
    """Every record, its type, headers, block bytes and digests, as warcio reads them; no errors."""
    kind, path = archive
    records = check(path)
    assert records[0].type == b"warcinfo"
    assert {r.type for r in records} == TYPES[kind]


def test_warctools_reads_the_uncompressed_archive(archive: tuple[str, Path], tmp_path: Path) -> None:
    """The same archive gunzipped (as by `zcat`) reads the same."""
    _, path = archive
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert [(r.type, r.headers, r.block) for r in check(plain)] == [
        (r.type, r.headers, r.block) for r in read_warcio(path)]


@pytest.mark.parametrize("damage", ["junk after the last record", "LF for CRLF in a header", "truncated"])
def test_the_check_sees_damage(damage: str, tmp_path: Path) -> None:
    """warctools reports errors on a damaged copy, so its silence above means something."""
    data = gzip.decompress((ARCHIVE / "seeds.warc.gz").read_bytes())
    if damage == "junk after the last record":
        data += b"junk\r\n"
    elif damage == "LF for CRLF in a header":
        data = data.replace(b"WARC-Type: resource\r\n", b"WARC-Type: resource\n")
    else:
        data = data[:-100]
    broken = tmp_path / "broken.warc"
    broken.write_bytes(data)
    _, errors = read_warctools(broken)
    assert errors
