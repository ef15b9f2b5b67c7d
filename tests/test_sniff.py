"""Which source reads a stream: gzip or plain by content, damaged starts still read, other formats refused."""

from __future__ import annotations

import io

import pytest

from provpack.gzipsource import GzipSource
from provpack.rawreader import RawReader
from provpack.sniff import NotWarcError, open_source
from provpack.warcstream import PlainSource

from readback import RECORDS, joined, read_all
from warcbuild import gzip_member


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
