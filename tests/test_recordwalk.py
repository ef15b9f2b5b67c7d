"""provpack.recordwalk: the quick walk reads records exactly as warcio does, or stops where warcio must go on."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from provpack import recordwalk
from provpack.recordwalk import RecordWalk
from provpack_warcs import Capture, write_provpack_warc

CAPTURES = (Capture("https://example.org/a?x=1", b"<html>Hi</html>"),
            Capture("http://example.net/gone", b"not here", content_type="text/plain", status="404 Not Found"))
NAMES = ("WARC-Type", "WARC-Date", "WARC-Target-URI", "Content-Type", "Content-Length", "WARC-Payload-Digest", "X-Other")


Read = tuple[int, int, tuple[str | None, ...], bytes]


def walked(path: Path) -> tuple[list[Read], int | None]:
    """(offset, length, header fields, block) of each record the walk reads, and where it stops."""
    with open(path, "rb") as stream:
        walk = RecordWalk(stream)
        found = [(r.offset, r.length, tuple(r.header(n.lower()) for n in NAMES), r.data[r.block_start:r.block_end])
                 for r in walk]
    return found, walk.resume_at


def warcio_records(path: Path) -> list[Read]:
    """The same, as warcio reads them (every record, no HTTP parsing)."""
    out = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream, no_record_parse=True)
        for record in iterator:
            block = record.raw_stream.read()
            out.append((iterator.get_record_offset(), iterator.get_record_length(),
                        tuple(record.rec_headers.get_header(n) for n in NAMES), block))
    return out


def record(headers: list[bytes], block: bytes, *, version: bytes = b"WARC/1.1") -> bytes:
    """A raw WARC record: status line, header lines as given, block, two CRLFs."""
    return version + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + block + b"\r\n\r\n"


def fields(rec_type: str = "resource", block: bytes = b"hello", **extra: str) -> list[bytes]:
    """Usual header lines of a record."""
    lines = [f"WARC-Type: {rec_type}", "WARC-Date: 2017-11-12T00:00:00Z",
             "WARC-Target-URI: http://example.com/", f"Content-Length: {len(block)}"]
    lines += [f"{name}: {value}" for name, value in extra.items()]
    return [line.encode() for line in lines]


def members(*records: bytes) -> bytes:
    """Each record in its own gzip member."""
    return b"".join(gzip.compress(r, mtime=0) for r in records)


def test_provpack_archive_read_whole_as_warcio_reads_it(tmp_path: Path) -> None:
    """Every record of a provpack archive (HTTP ones too) is read, at warcio's offsets and lengths."""
    path = write_provpack_warc(tmp_path / "a.warc.gz", captures=CAPTURES)
    found, resume_at = walked(path)
    assert resume_at is None
    assert found == warcio_records(path)
    assert found[-1][0] + found[-1][1] == path.stat().st_size


def test_plain_warc_lengths_leave_out_the_crlfs(tmp_path: Path) -> None:
    """In a plain WARC a record's length is its header and block, as warcio counts it."""
    path = tmp_path / "a.warc"
    path.write_bytes(gzip.decompress(write_provpack_warc(tmp_path / "a.warc.gz").read_bytes()))
    found, resume_at = walked(path)
    assert resume_at is None and found == warcio_records(path)
    assert found[1][0] == found[0][1] + 4


def test_large_members_across_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members larger than a read, and a read ending inside a member, change nothing."""
    monkeypatch.setattr(recordwalk, "READ_SIZE", 1000)
    big = bytes(range(256)) * 40 + b"\x1f\x8b\x08" * 50   # the gzip magic inside the data too
    path = tmp_path / "big.warc.gz"
    path.write_bytes(members(*(record(fields(block=big[: n * 997]), big[: n * 997]) for n in range(1, 8))))
    found, resume_at = walked(path)
    assert resume_at is None and found == warcio_records(path)
    plain = tmp_path / "big.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert walked(plain) == (warcio_records(plain), None)


def test_a_record_larger_than_the_limit_is_left_to_warcio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk holds no record larger than MAX_RECORD: it stops there."""
    monkeypatch.setattr(recordwalk, "MAX_RECORD", 4096)
    monkeypatch.setattr(recordwalk, "READ_SIZE", 1024)
    small, large = record(fields(), b"hello"), record(fields(block=b"x" * 9000), b"x" * 9000)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(members(small, large, small))
    assert walked(path) == (warcio_records(path)[:1], len(gzip.compress(small, mtime=0)))
    path.write_bytes(small + large + small)
    assert walked(path) == (warcio_records(path)[:1], len(small))


@pytest.mark.parametrize("lines", [[b"X-Big: " + b"a" * (2 << 20)], [b"X-L: " + b"a" * 95] * 12_000])
def test_a_header_warcio_refuses_is_left_to_it(lines: list[bytes], tmp_path: Path) -> None:
    """A header block over defaults.MAX_HEADER_BYTES (one 2 MiB line, or 12,000 lines of 100 bytes), which warcio
    refuses (warciter.BoundedReader), stops the walk there; one of exactly that size, its blank line counted (as
    verify counts it), is read, as warcio reads it."""
    from provpack.defaults import MAX_HEADER_BYTES

    small = record(fields(), b"hello")
    big = record(fields() + lines, b"hello")
    path = tmp_path / "a.warc.gz"
    path.write_bytes(members(small, big, small))
    assert walked(path) == (warcio_records(path)[:1], len(gzip.compress(small, mtime=0)))
    path.write_bytes(small + big + small)
    assert walked(path) == (warcio_records(path)[:1], len(small))
    pad = MAX_HEADER_BYTES - (record(fields() + [b"X-Pad: "], b"hello").index(b"\r\n\r\n") + 4)
    for extra in (0, 1):
        most = record(fields() + [b"X-Pad: " + b"p" * (pad + extra)], b"hello")
        assert most.index(b"\r\n\r\n") + 4 == MAX_HEADER_BYTES + extra
        path.write_bytes(members(small, most, small))
        found, resume_at = walked(path)
        assert (len(found), resume_at) == ((3, None) if not extra else (1, len(gzip.compress(small, mtime=0))))
        if not extra:
            assert found == warcio_records(path)


@pytest.mark.parametrize(("name", "data"), [
    ("continuation line", record(fields() + [b"X-Note: a", b" continued"], b"hello")),
    ("blank-looking line", record(fields()[:2] + [b"  ", *fields()[2:]], b"hello")),
    ("lone LF", record([fields()[0] + b"\nX: y", *fields()[1:]], b"hello")),
    ("ISO-8859-1 header", record(fields() + [b"X-Name: caf\xe9"], b"hello")),
    ("signed length", record(fields()[:3] + [b"Content-Length: +5"], b"hello")),
    ("no length", record(fields()[:3], b"hello")),
    ("short length", record(fields()[:3] + [b"Content-Length: 4"], b"hello")),
    ("long length", record(fields()[:3] + [b"Content-Length: 6"], b"hello")),
    ("old version", record(fields(), b"hello", version=b"WARC/0.18")),
    ("one CRLF after", record(fields(), b"hello")[:-2]),
    ("three CRLFs after", record(fields(), b"hello") + b"\r\n"),
])
def test_odd_records_stop_the_walk(name: str, data: bytes, tmp_path: Path) -> None:
    """A record warcio might read otherwise is never read by the walk, gzipped or plain."""
    good = record(fields(), b"hello")
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(members(good, data, good))
    assert walked(path)[1] == len(gzip.compress(good, mtime=0)), name
    plain = tmp_path / "odd.warc"
    plain.write_bytes(good + data + good)
    # In a plain WARC a record is read only when the next starts `WARC/1.0` or `WARC/1.1`.
    assert walked(plain)[1] == (0 if name == "old version" else len(good)), name


def test_odd_gzip_stops_the_walk(tmp_path: Path) -> None:
    """A member with header fields, a bad CRC, a cut-off member, junk or a whole-file gzip: warcio's to read."""
    good = record(fields(), b"hello")
    first = gzip.compress(good, mtime=0)
    named = bytearray(gzip.compress(good, mtime=0))
    named[3] = 0x08   # FNAME
    named[10:10] = b"name\x00"
    bad_crc = bytearray(first)
    bad_crc[-8] ^= 1
    for rest in (bytes(named), bytes(bad_crc), first[:-3], b"junk" + first, b"\x00" * 10):
        path = tmp_path / "odd.warc.gz"
        path.write_bytes(first + rest)
        assert walked(path)[1] == len(first)
    path.write_bytes(gzip.compress(good * 3, mtime=0))
    assert walked(path) == ([], 0)
    path.write_bytes(b"filedesc://x.arc 0.0.0.0 20170101000000 text/plain 5\n")
    assert walked(path) == ([], 0)


def test_duplicate_and_odd_case_fields_are_read_as_warcio_reads_them(tmp_path: Path) -> None:
    """The first of two fields of a name wins, names are matched case-insensitively, a line without colon is dropped."""
    lines = [b"warc-type: resource", b"WARC-Type: metadata", b"Content-Length: 5", b"no colon here",
             b"WARC-Date:2017-11-12T00:00:00Z", b"X-Empty:", b"X-Spaces:   padded value"]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(members(record(lines, b"hello")))
    with open(path, "rb") as stream:
        (only,) = list(RecordWalk(stream))
    with open(path, "rb") as stream:
        theirs = next(iter(ArchiveIterator(stream))).rec_headers
    for name in ("WARC-Type", "warc-date", "X-Empty", "X-Spaces", "no colon here"):
        assert only.header(name.lower()) == theirs.get_header(name), name


@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize("line", [b"WARC-Type : metadata", b" Content-Type: x", b"Content-Type: x ", b"X-Other: v ",
                                  b"Content-Type:x", b"Content-Type:   x", b"content-TYPE: y", b"X-Other: a\r\n b",
                                  b"X-Other: a\r\n\tb", b"Content-Type: x\t", b"Content-Type:\tx", b"X-Other: caf\xc3\xa9",
                                  b"Content-Type", b"Content-Type: a:b", b"X-Other:", b"X-Other: "])
def test_each_odd_line_is_read_as_warcio_reads_it(line: bytes, position: int, tmp_path: Path) -> None:
    """A header line warcio strips, splits or joins otherwise is read just so, or the record is left to warcio."""
    lines = fields()
    lines.insert(position, line)
    for path in (tmp_path / "a.warc", tmp_path / "a.warc.gz"):
        data = record(lines, b"hello")
        path.write_bytes(members(data) if path.suffix == ".gz" else data)
        found, resume_at = walked(path)
        assert found == (warcio_records(path) if resume_at is None else []), (line, position)


header_names = st.sampled_from(["WARC-Type", "warc-type", "WARC-Date", "Content-Length", "content-length",
                                "Content-Type", "WARC-Target-URI", "WARC-Payload-Digest", "X-Other"])
header_values = st.one_of(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
                          st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=12))
header_lines = st.one_of(
    st.builds(lambda n, s, v: (n + s + v).encode("utf-8"), header_names, st.sampled_from([": ", ":", " : ", ":\t"]),
              header_values),
    st.sampled_from([b" continued", b"\tcontinued", b"", b"   ", b"no colon", b"X: caf\xe9", b"X: a\rb",
                     b"X: \x0bv\x1c"]),
)


@st.composite
def raw_records(draw: st.DrawFn) -> bytes:
    """A WARC record with usual fields and maybe odd lines among them, its Content-Length maybe wrong."""
    block = draw(st.binary(max_size=40))
    lines = fields(draw(st.sampled_from(["resource", "metadata", "warcinfo", "response"])), block)
    for line in draw(st.lists(header_lines, max_size=3)):
        lines.insert(draw(st.integers(0, len(lines))), line)
    data = record(lines, block, version=draw(st.sampled_from([b"WARC/1.1", b"WARC/1.0", b"WARC/1.1 "])))
    return data + draw(st.sampled_from([b"", b"", b"", b"\r\n", b"x"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(raw_records(), min_size=1, max_size=4), gzipped=st.booleans())
def test_any_records_are_walked_as_warcio_reads_them_or_left_to_it(
        records: list[bytes], gzipped: bool, tmp_path: Path) -> None:
    """Whatever the walk reads, warcio reads the same: offsets, lengths, types, blocks and header fields."""
    path = tmp_path / "any.warc"
    path.write_bytes(members(*records) if gzipped else b"".join(records))
    found, resume_at = walked(path)
    if resume_at is None:
        assert found == warcio_records(path)
    else:
        partial = tmp_path / "head.warc"
        partial.write_bytes(path.read_bytes()[:resume_at])
        assert found == warcio_records(partial)


def test_the_public_names_are_there() -> None:
    """`from provpack.recordwalk import *` gives the walk and its records."""
    assert set(recordwalk.__all__) == {"RecordWalk", "WalkedRecord"}
    assert all(hasattr(recordwalk, name) for name in recordwalk.__all__)


def test_without_the_fast_inflater_zlib_walks_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where python-isal cannot be used, the walk inflates with zlib and reads the same records."""
    monkeypatch.setattr(recordwalk.inflate, "fast_inflater", lambda: None)
    path = write_provpack_warc(tmp_path / "a.warc.gz", captures=CAPTURES)
    bad_crc = bytearray(path.read_bytes())
    bad_crc[-8] ^= 1
    theirs = warcio_records(path)
    assert walked(path) == (theirs, None)
    path.write_bytes(bytes(bad_crc))   # the last member's CRC-32 wrong: left to warcio
    assert walked(path) == (theirs[:-1], theirs[-1][0])


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("byte", [b"x", b""], ids=["compressible", "random"])
def test_a_record_of_just_the_limit_is_walked_one_byte_more_is_not(
        gzipped: bool, byte: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_RECORD is the largest record (header and block, or a member's output) the walk holds: a member
    within one read, or (random bytes) running past it."""
    monkeypatch.setattr(recordwalk, "READ_SIZE", 1024)
    data = byte * 5001 if byte else random.Random(1).randbytes(5001)
    head = len(record(fields(block=data[:5000]), b""))   # header and the four bytes of two CRLFs
    size = 5000 + head - (0 if gzipped else 4)   # a member's output has the CRLFs; a plain record's length not
    monkeypatch.setattr(recordwalk, "MAX_RECORD", size)
    path = tmp_path / "a.warc"
    for block, walks in ((data[:5000], True), (data, False)):
        data = record(fields(block=block), block)
        path.write_bytes(members(data) if gzipped else data)
        assert walked(path) == ((warcio_records(path), None) if walks else ([], 0)), len(block)


def test_a_header_with_a_control_byte_is_read_as_warcio_reads_it(tmp_path: Path) -> None:
    """A value ending in a control byte Python calls whitespace (0x1F): warcio strips it, so does the walk."""
    for path in (tmp_path / "a.warc", tmp_path / "a.warc.gz"):
        data = record(fields() + [b"X-Other: v\x1f"], b"hello")
        path.write_bytes(members(data) if path.suffix == ".gz" else data)
        found, resume_at = walked(path)
        assert found == (warcio_records(path) if resume_at is None else []), path


def test_a_header_longer_than_the_first_look_is_walked(tmp_path: Path) -> None:
    """A header of more than 4096 bytes (a long URI) is looked for further, not left to warcio."""
    data = record(fields(**{"X-Other": "v" * 10000}), b"hello")
    path = tmp_path / "a.warc"
    path.write_bytes(data + data)
    assert walked(path) == (warcio_records(path), None)
