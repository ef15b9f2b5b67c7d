"""Sources: plain files read as they are; any source read again from an offset."""

from __future__ import annotations

import io

from provpack.rawreader import RawReader
from provpack.warcstream import GAP, PlainSource

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


def test_plain_offsets_are_the_offsets_themselves() -> None:
    """In a plain file a decompressed offset is the raw offset, no gzip member starts anywhere, and a
    gap marker shows as GAP."""
    source, _, _ = read_all(b"".join(RECORDS))
    assert source.compressed is False
    assert source.member_offset(123) == 123
    assert not source.is_member_start(0) and not source.is_member_start(len(RECORDS[0]))
    assert repr(GAP) == "GAP"


def test_plain_boundary() -> None:
    """Before a split offset: 0 (go on); exactly at it: 1; past it: -1, whether or not data is held."""
    source, _, _ = read_all(b"".join(RECORDS))
    for empty in (True, False):
        assert source.boundary(100, 99, empty) == 0
        assert source.boundary(100, 0, empty) == 0
        assert source.boundary(100, 100, empty) == 1
        assert source.boundary(100, 101, empty) == -1
        assert source.boundary(0, 0, empty) == 1


def test_a_problem_is_reported_once() -> None:
    """The same kind at the same offset (a restart reading bytes again) is passed on once; others each time."""
    found: list[tuple[int, str, str, bool, tuple[int, int] | None]] = []
    source = PlainSource(RawReader(io.BytesIO(b"")), b"", lambda *problem: found.append(problem))
    source.report(5, "junk", "first")
    source.report(5, "junk", "again")
    source.report(5, "truncated", "other kind")
    source.report(6, "junk", "other offset")
    source.report(7, "bad-gzip", "cuts no record", cuts=False)
    source.report(8, "bad-gzip", "skips bytes", skipped=(20, 30))
    assert found == [(5, "junk", "first", True, None), (5, "truncated", "other kind", True, None),
                     (6, "junk", "other offset", True, None), (7, "bad-gzip", "cuts no record", False, None),
                     (8, "bad-gzip", "skips bytes", True, (20, 30))]
