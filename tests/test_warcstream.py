"""Sources: plain files read as they are; any source read again from an offset."""

from __future__ import annotations

from provpack.warcstream import PlainSource

from readback import RECORDS, joined, read_all
from warcbuild import gzip_member


def test_plain_file() -> None:
    """A file starting with WARC/ is read as it is."""
    data = b"".join(RECORDS)
    source, chunks, found = read_all(data, read_size=64)
    assert isinstance(source, PlainSource) and joined(chunks) == data and found == []
    assert source.locate(10) == (10, True)


def test_restart_reads_again_from_an_offset() -> None:
    """A seekable source can go back to any decompressed offset since the last located record."""
    members = [gzip_member(r) for r in RECORDS]
    source, chunks, _ = read_all(b"".join(members))
    target = len(RECORDS[0]) + 11
    again = joined(list(source.restart(target)))
    assert again == b"".join(RECORDS)[target:]
    plain, _, _ = read_all(b"".join(RECORDS))
    assert joined(list(plain.restart(target))) == b"".join(RECORDS)[target:]
