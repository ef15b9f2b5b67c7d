"""Which source reads a stream: gzip or plain by content, damaged starts still read, other formats refused."""

from __future__ import annotations

import bz2
import io
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest

from provpack.gzipsource import GzipSource
from provpack.rawreader import RawReader
from provpack.sniff import NotWarcError, foreign_format, is_gzipped_warc, open_source, quoted, unreadable_reason
from provpack.warcstream import PlainSource

from readback import RECORDS, joined, read_all
from warcbuild import gzip_member, record


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"hello world, this is text\n" * 10, "neither gzip"),
    (gzip_member(b"just some gzipped text"), "it is gzip"),
    (gzip_member(b"just some gzipped text") + gzip_member(b"more"), "it is gzip"),
])
def test_not_a_warc(data: bytes, words: str) -> None:
    """Input with no WARC record anywhere in its first block is refused."""
    with pytest.raises(NotWarcError, match=words):
        open_source(RawReader(io.BytesIO(data)), lambda *a: None)


def test_damaged_or_partly_foreign_gzip_is_still_read() -> None:
    """Gzip whose first member is damaged, or followed by WARC members, is read as a WARC."""
    members = [gzip_member(r) for r in RECORDS]
    damaged = bytearray(members[0])
    damaged[12] ^= 0xFF
    assert isinstance(read_all(bytes(damaged) + members[1])[0], GzipSource)
    assert isinstance(read_all(gzip_member(b"preface") + members[1])[0], GzipSource)


def test_damaged_first_bytes_are_still_a_warc() -> None:
    """A WARC whose first bytes are damaged is read, and the damage reported as junk."""
    members = [gzip_member(r) for r in RECORDS]
    for index in (0, 1):
        data = bytearray(b"".join(members))
        data[index] ^= 0xFF
        source, chunks, found = read_all(bytes(data))
        assert isinstance(source, GzipSource)
        assert found[0][:2] == (0, "junk") and joined(chunks) == RECORDS[1] + RECORDS[2]
    single = bytearray(gzip_member(RECORDS[0]))
    single[0] ^= 0xFF
    _, _, found = read_all(bytes(single))
    assert [k for _, k, _ in found] == ["junk"]
    plain = bytearray(b"".join(RECORDS))
    plain[0] ^= 0xFF
    assert isinstance(read_all(bytes(plain))[0], PlainSource)


def _zip(data: bytes) -> bytes:
    """A ZIP storing `data` uncompressed, as a WACZ stores its WARC."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        if data:
            zf.writestr("archive/a.warc.gz", data)
    return out.getvalue()


def _tar(data: bytes) -> bytes:
    """A tar holding `data` as a.warc.gz."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo("a.warc.gz")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


GZIPPED = b"".join(gzip_member(r) for r in RECORDS)
PLAIN = b"".join(RECORDS)


@pytest.mark.parametrize("data, what, fix", [
    (_zip(GZIPPED), "a ZIP file (a WACZ?)", "check a WACZ with `wacz validate`, or unzip it and verify archive/"),
    (_zip(PLAIN), "a ZIP file (a WACZ?)", "unzip it"),
    (_zip(b""), "an empty ZIP file", ""),
    (_tar(GZIPPED), "a tar archive", "extract it (tar -xf FILE) and verify the WARC files in it"),
    (bz2.compress(PLAIN), "a bzip2-compressed file", "decompress it (bunzip2 -k FILE) and verify the WARC"),
    (bz2.compress(b""), "a bzip2-compressed file", "bunzip2"),
    (lzma.compress(PLAIN), "an xz-compressed file", "unxz -k FILE"),
    (b"\x28\xb5\x2f\xfd" + GZIPPED, "a zstd-compressed file", "zstd -d FILE"),
])
def test_other_formats_are_named(data: bytes, what: str, fix: str) -> None:
    """A ZIP (a WACZ), tar, or bzip2/xz/zstd file is named and refused, though it may hold a whole WARC."""
    with pytest.raises(NotWarcError) as caught:
        open_source(RawReader(io.BytesIO(data)), lambda *a: None)
    assert caught.value.what == what and str(caught.value) == what
    assert fix in caught.value.fix() and (fix == "") == (caught.value.fix() == "")
    assert "verify" not in caught.value.fix("index")


def test_warcs_are_not_taken_for_other_formats() -> None:
    """A WARC, plain or gzipped, damaged at its start or not, is named as no other format."""
    for data in (GZIPPED, PLAIN, b"PK" + PLAIN[2:], b"BZh" + GZIPPED[3:], _zip(GZIPPED)[4:]):
        assert foreign_format(data) is None


def test_ustar_at_byte_257_of_a_warc_is_no_tar() -> None:
    """A plain WARC (or an ARC file) whose URL puts "custard" at byte 257 has `ustar` where a tar's magic
    sits; without a tar header checksum it is not a tar. A real tar with a broken checksum is not one either."""
    pad = 257 - len(b"WARC/1.1\r\nWARC-Target-URI: http://example.com/") - 1
    head = b"WARC/1.1\r\nWARC-Target-URI: http://example.com/" + b"a" * pad + b"custard-tart\r\n"
    assert head[257:262] == b"ustar"
    assert foreign_format(head + b"x" * 300) is None
    assert foreign_format(b"filedesc://x" + head[12:] + b"x" * 300) is None
    tar = bytearray(_tar(GZIPPED))
    assert foreign_format(bytes(tar)) is not None
    tar[150] ^= 1
    assert foreign_format(bytes(tar)) is None


def test_quoted_bytes_are_short_and_escaped() -> None:
    """Bytes shown in a message: at most `limit`, every control and non-ASCII byte escaped."""
    assert quoted(b"PK\x03\x04\x1b[2J\xff" + b"x" * 100) == "'PK\\x03\\x04\\x1b[2J\\xff" + "x" * 31 + "'..."
    assert quoted(b"abc") == "'abc'"
    assert all(32 <= ord(c) < 127 for c in quoted(bytes(range(256)), 256))


def test_is_gzipped_warc(tmp_path: Path) -> None:
    """Gzip or plain by content, not name; NotWarcError for a WACZ named like a WARC."""
    cases = {"a.warc": (GZIPPED, True), "b.warc.gz": (PLAIN, False)}
    for name, (data, gzipped) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert is_gzipped_warc(tmp_path / name) is gzipped
    (tmp_path / "c.warc.gz").write_bytes(_zip(GZIPPED))
    with pytest.raises(NotWarcError, match="a ZIP file"):
        is_gzipped_warc(tmp_path / "c.warc.gz")


def test_xz_fix_names_the_tool() -> None:
    """An xz file's advice names the command that decompresses it, for the verb asked."""
    error = foreign_format(lzma.compress(b"WARC/1.1\r\n"))
    assert error is not None and error.what == "an xz-compressed file"
    assert error.fix("check") == "decompress it (unxz -k FILE) and check the WARC file it gives"


def test_unreadable_reason_quotes_short() -> None:
    """warcio's messages shortened: a gzip member's content or the bytes there, the first line, the length cut."""
    held = gzip_member(b"hello, not a record " * 5)
    stream = io.BytesIO(b"x" * 7 + held)
    reason = unreadable_reason(ValueError("Unknown archive format, first line: junk"), stream, 7)
    assert reason == f"no WARC record starts there (its gzip member holds: {quoted(b'hello, not a record ' * 5)})"
    reason = unreadable_reason(ValueError("Unknown archive format"), io.BytesIO(b"\x00abc" * 20), 1)
    there = quoted((b"\x00abc" * 20)[1:42])
    assert there.endswith("...") and reason == f"no WARC record starts there (the bytes there: {there})"
    reason = unreadable_reason(ValueError("Invalid  WARC\trecord, first line: GET / \u00e9\r\n"), stream, 0)
    assert reason == "Invalid WARC record, first line: 'GET / \u00e9'"
    assert unreadable_reason(ValueError("bad \u00e9\n" + "z" * 300), stream, 0) == "bad \\xe9 " + "z" * 188 + "..."
    assert unreadable_reason(ValueError("z" * 200), stream, 0) == "z" * 200
    assert unreadable_reason(ValueError(""), stream, 0) == "ValueError"


@pytest.mark.parametrize("flip", [0, 1])
def test_damaged_magic_before_a_plain_header_is_gzip(flip: int) -> None:
    """A member whose magic bytes are damaged is still read as gzip when its deflate data holds a WARC record."""
    data = bytearray(gzip_member(RECORDS[0]))
    data[flip] ^= 0x40
    source, chunks, found = read_all(bytes(data))
    assert isinstance(source, GzipSource) and joined(chunks) == b""
    assert [(o, k) for o, k, _ in found] == [(0, "junk")]


def test_check_end_of_a_plain_warc_cut_off_in_its_first_record(tmp_path: Path) -> None:
    """A plain WARC whose first record is cut off, checked from its start: truncated at byte 0, the record's start.
    A whole file, and a cut-off file checked from its second record, pass or name that record's offset."""
    from provpack.errors import IntegrityError
    from provpack.sniff import check_end

    first = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n"
    whole = first + first.replace(b"abcd", b"wxyz")
    path = tmp_path / "cut.warc"
    path.write_bytes(whole[:30])
    with path.open("rb") as stream, pytest.raises(IntegrityError) as caught:
        check_end(path, stream, 0)
    assert str(caught.value).startswith(f"{path}: truncated at byte 0: ")
    path.write_bytes(whole)
    with path.open("rb") as stream:
        check_end(path, stream, 0)
    path.write_bytes(whole[:len(first) + 40])
    with path.open("rb") as stream, pytest.raises(IntegrityError) as caught:
        check_end(path, stream, len(first))
    assert str(caught.value).startswith(f"{path}: truncated at byte {len(first)}: ")


def test_check_end_from_after_a_record_says_junk_follows_the_last_record(tmp_path: Path) -> None:
    """Checked from an offset after records it has not read, bytes that are no record to the end are after the last
    record (not "with no record before or after them", as when read from the file's start); from byte 0, the same."""
    from provpack.errors import IntegrityError
    from provpack.sniff import check_end

    first = record("resource", b"abcd")
    lower = record("resource", b"abcd", version="warc/1.1")
    path = tmp_path / "lower.warc"
    path.write_bytes(first + lower)
    for start in (len(first), 0):
        with path.open("rb") as stream, pytest.raises(IntegrityError) as caught:
            check_end(path, stream, start, failed_at=len(first))
        assert str(caught.value) == (
            f"{path}: no WARC record starts at byte {len(first)} ({len(lower)} bytes that are not a WARC record after"
            " the last record; the bytes there: 'warc/1.1\\r\\nWARC-Type: resource\\r\\nWARC-Reco'...); `provpack"
            " verify` gives the full report")

