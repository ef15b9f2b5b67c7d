"""Tests for provpack.warcwriter: one gzip member per record, readable by warcio, atomic."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.errors import ArchiveError
from provpack.gzipper import available_backends, choose
from provpack.metadata import merge
from provpack.model import RecordSpec
from provpack.records import document_records, warcinfo_record
from provpack import warcwriter
from provpack.warcwriter import ArchiveSink, encode, record_head, serialize, write_warc

from conftest import SEED_NAME, SEEDS

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


HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
HEADER_NAMES = st.sampled_from(["WARC-Refers-To", "WARC-Concurrent-To", "WARC-Filename", "X-Note", "warc-type",
                                "Content-Type", "content-length", "WARC-Target-URI", "WARC-Block-Digest"])


@st.composite
def record_specs(draw: st.DrawFn) -> RecordSpec:
    """Records of every type, with odd headers too: repeated, reserved, non-ASCII, empty."""
    block = draw(st.binary(max_size=300))
    return RecordSpec(
        warc_type=draw(st.sampled_from(["warcinfo", "resource", "metadata", "conversion", "request", "response",
                                        "revisit"])),
        record_id=f"<urn:uuid:{draw(st.uuids())}>",
        target_uri=draw(st.none() | st.sampled_from(["", "https://example.org/a?b=c", "urn:provpack:sha256:00"])
                        | HEADER_TEXT),
        content_type=draw(st.sampled_from(["text/plain; charset=utf-8", "application/ld+json", ""]) | HEADER_TEXT),
        block=block,
        payload_digest=draw(st.booleans()),
        extra_headers=tuple(draw(st.lists(st.tuples(HEADER_NAMES, HEADER_TEXT), max_size=3))),
        payload_offset=draw(st.integers(0, len(block))),
    )


@given(spec=record_specs())
def test_fast_head_is_byte_identical_to_warcio(spec: RecordSpec) -> None:
    """Where record_head builds the head itself, head + block + CRLFCRLF is exactly what warcio writes."""
    head = record_head(spec, date=DATE, block_sha256=hashlib.sha256(spec.block).hexdigest())
    if head is not None:
        assert head + spec.block + b"\r\n\r\n" == serialize(spec, date=DATE)


@given(spec=record_specs(), backend=st.sampled_from(available_backends()))
def test_encoded_member_holds_warcios_record(spec: RecordSpec, backend: str) -> None:
    """Every record, fast path or not, is one gzip member holding warcio's serialisation (or fails as warcio does)."""
    try:
        expected = serialize(spec, date=DATE)
    except Exception as exc:  # warcio refuses e.g. a revisit to an http URI whose block is not HTTP
        with pytest.raises(type(exc)):
            b"".join(encode(spec, date=DATE, deflate=choose(backend)))
        return
    member = b"".join(encode(spec, date=DATE, deflate=choose(backend)))
    assert gzip.decompress(member) == expected


def test_provpack_records_take_the_fast_path() -> None:
    """warcinfo, excerpt and provenance records never fall back to warcio's slower serialisation."""
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    resource, provenance = document_records(document, analyse(document), merge(document.parsed, None))
    for spec in (warcinfo_record("x.warc.gz"), resource, provenance):
        assert record_head(spec, date=DATE, block_sha256=hashlib.sha256(spec.block).hexdigest()) is not None


def test_http_records_take_the_fast_path_and_read_back(tmp_path: Path) -> None:
    """A response record with an HTTP head: fast path, payload digest after the head, warcio reads it back."""
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hi</p>"
    spec = RecordSpec("response", "<urn:uuid:00000000-0000-5000-8000-000000000009>", "https://example.org/",
                      "application/http; msgtype=response", block, True, payload_offset=block.index(b"<p>"))
    assert record_head(spec, date=DATE, block_sha256=hashlib.sha256(block).hexdigest()) is not None
    path = tmp_path / "r.warc.gz"
    write_warc([spec], path, date=DATE)
    with path.open("rb") as handle:
        records = [(r.rec_headers.get_header("WARC-Payload-Digest"), r.content_stream().read())
                   for r in ArchiveIterator(handle)]
    assert records == [("sha256:" + hashlib.sha256(b"<p>hi</p>").hexdigest(), b"<p>hi</p>")]


@pytest.mark.parametrize("backend", available_backends())
def test_each_backend_writes_what_warcio_reads(tmp_path: Path, backend: str) -> None:
    """The fallback zlib path and isal both give archives warcio reads back record for record."""
    path = tmp_path / f"{backend}.warc.gz"
    write_warc(specs(), path, date=DATE, backend=backend)
    with path.open("rb") as handle:
        blocks = [r.content_stream().read() for r in ArchiveIterator(handle)]
    assert blocks == [spec.block for spec in specs()]


@given(writes=st.lists(st.lists(st.binary(max_size=40), max_size=4), max_size=12))
def test_sink_writes_every_piece_in_order_and_hashes_them(writes: list[list[bytes]]) -> None:
    """Small pieces gathered, large ones (a quarter of the buffer or more) passed straight on: same bytes either way."""
    with pytest.MonkeyPatch.context() as patch:   # a 32-byte buffer: pieces of 0 to 40 bytes take every path
        patch.setattr(warcwriter, "WRITE_BUFFER", 32)
        out = io.BytesIO()
        sink = ArchiveSink(out)
        for number, pieces in enumerate(writes):
            sink.write(iter(pieces), records=number)
        sink.flush()
    expected = b"".join(b"".join(pieces) for pieces in writes)
    assert out.getvalue() == expected and sink.size == len(expected)
    assert sink.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert sink.records == sum(range(len(writes)))
    assert len(sink._buffer) == 32   # allocated once, never grown


def test_sink_passes_a_large_piece_on_as_it_is_even_when_it_would_fit_the_buffer() -> None:
    """A piece of a quarter of the buffer or more is written itself, after what is buffered, never copied in."""
    class Recorder(io.BytesIO):
        def __init__(self) -> None:
            super().__init__()
            self.given: list[object] = []

        def write(self, data: object) -> int:
            self.given.append(data)
            return super().write(data)   # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warcwriter, "WRITE_BUFFER", 32)
        out = Recorder()
        sink = ArchiveSink(out)
        large = b"L" * 8
        sink.write([b"ab", large, b"cd"], records=1)
        sink.flush()
    assert out.getvalue() == b"abLLLLLLLLcd"
    assert len(out.given) == 3 and out.given[1] is large


_OWN = ["WARC-Type", "WARC-Record-ID", "WARC-Date", "WARC-Target-URI", "Content-Type", "WARC-Block-Digest",
        "WARC-Payload-Digest", "Content-Length"]


@pytest.mark.parametrize("name", _OWN + [name.lower() for name in _OWN])
def test_an_extra_header_repeating_one_of_ours_is_left_to_warcio_and_written_once(name: str) -> None:
    """An extra header named as one the writer sets (in any case) takes warcio's path and appears once."""
    spec = RecordSpec("resource", "<urn:uuid:00000000-0000-5000-8000-00000000000a>", "urn:test:1", "text/plain",
                      b"abc", True, ((name, "urn:test:2"),))
    assert record_head(spec, date=DATE, block_sha256=hashlib.sha256(spec.block).hexdigest()) is None
    record = gzip.decompress(b"".join(encode(spec, date=DATE, deflate=choose())))
    assert record == serialize(spec, date=DATE)
    if name in _OWN:   # a lower-case name is written beside warcio's own (provpack never uses one)
        head = record.split(b"\r\n\r\n", 1)[0].lower()
        assert head.count(b"\r\n" + name.lower().encode() + b":") == 1


@pytest.mark.parametrize("warc_type, block", [
    ("request", b"GET / HTTP/1.1\r\nhost:example.org\r\n\r\n"),
    ("response", b"HTTP/1.1 200 OK\r\ncontent-type:text/html\r\n\r\n<p>hi</p>"),
])
def test_http_blocks_are_kept_byte_for_byte_on_warcios_path(tmp_path: Path, warc_type: str,
                                                           block: bytes) -> None:
    """A request or response written by warcio (repeated extra headers) keeps its HTTP head as captured."""
    spec = RecordSpec(warc_type, "<urn:uuid:00000000-0000-5000-8000-00000000000b>", "https://example.org/",
                      f"application/http; msgtype={warc_type}", block, True,
                      (("WARC-Concurrent-To", "<urn:uuid:1>"), ("WARC-Concurrent-To", "<urn:uuid:2>")))
    assert record_head(spec, date=DATE, block_sha256=hashlib.sha256(block).hexdigest()) is None
    path = tmp_path / "h.warc.gz"
    write_warc([spec], path, date=DATE)
    with path.open("rb") as handle:
        records = [(r.rec_type, r.rec_headers.get_header("Content-Length"), r.raw_stream.read())
                   for r in ArchiveIterator(handle, no_record_parse=True)]
    assert records == [(warc_type, str(len(block)), block)]


def test_a_revisit_without_payload_digest_gets_none() -> None:
    """warcio adds no payload digest (a sha1 one, by default) to a revisit record that asks for none."""
    spec = RecordSpec("revisit", "<urn:uuid:00000000-0000-5000-8000-00000000000c>", "urn:test:1", "text/plain",
                      b"abc", False)
    assert b"WARC-Payload-Digest" not in serialize(spec, date=DATE)


def test_written_archive_is_frozen(tmp_path: Path) -> None:
    """What write_warc returns cannot be changed afterwards."""
    import dataclasses
    written = write_warc(specs(), tmp_path / "t.warc.gz", date=DATE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        written.records = 0  # type: ignore[misc]


def test_open_archive_refuses_an_existing_archive_by_default(tmp_path: Path) -> None:
    """open_archive without force leaves an existing archive alone."""
    path = tmp_path / "t.warc.gz"
    write_warc(specs(), path, date=DATE)
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="already exists"):
        with warcwriter.open_archive(path) as sink:
            sink.write([b"x"], records=1)
    assert path.read_bytes() == before


def test_a_folder_in_the_checksums_place_is_refused_before_writing(tmp_path: Path) -> None:
    """OUT.sha256 being a folder is an ArchiveError naming it, even with force; no archive is written."""
    path = tmp_path / "t.warc.gz"
    (tmp_path / "t.warc.gz.sha256").mkdir()
    with pytest.raises(ArchiveError) as caught:
        write_warc(specs(), path, date=DATE, force=True)
    assert str(caught.value) == f"{tmp_path / 't.warc.gz.sha256'}: is a folder; move it away, or choose another name"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.warc.gz.sha256"]
