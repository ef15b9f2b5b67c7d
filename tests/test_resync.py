"""Finding where a WARC record seems to start: a split's starting point, and where reading resumes past damage."""

from __future__ import annotations

import gzip
import io

from provpack.resync import WINDOW, gzip_start, next_start, plain_start

from warcbuild import gzip_member, record


def _with_header_byte(member: bytes, at: int, value: int) -> bytes:
    return member[:at] + bytes([value]) + member[at + 1:]


def test_split_candidates_are_members_of_any_plausible_header() -> None:
    """A member whose header says any usual compression level (XFL 0, 2, 4) and system (OS 0-13, 255),
    with or without a file name, may start the second part; reserved flags, other XFL or OS values
    do not, nor bytes that only look like a gzip header at first."""
    member = gzip_member(record("resource", b"some text " * 20))
    for at, good, bad in [(8, (0, 2, 4), (1, 3, 6, 255)), (9, (0, 3, 13, 255), (14, 100, 254))]:
        for value in good:
            assert gzip_start(b"junk" + _with_header_byte(member, at, value)) == 4, (at, value)
        for value in bad:
            assert gzip_start(b"junk" + _with_header_byte(member, at, value)) is None, (at, value)
    named = io.BytesIO()
    with gzip.GzipFile(filename="a.warc", mode="wb", fileobj=named, mtime=0) as out:   # FNAME set, OS 255
        out.write(record("resource", b"named"))
    assert named.getvalue()[3] == 0x08 and gzip_start(b"xy" + named.getvalue()) == 2
    assert gzip_start(b"xy" + _with_header_byte(member, 3, 0x20)) is None
    false_start = b"\x1f\x8b\x08\x00" + bytes(20)   # a header with no WARC record in it, then a real member
    assert gzip_start(b"j" + false_start + member) == 1 + len(false_start)
    assert gzip_start(b"j" + member[:9]) is None


def test_plain_split_candidates_start_at_a_whole_warc_header() -> None:
    """In a plain WARC the second part starts at a `WARC/1.` line after a blank line, also at the very start
    of the window, and only where a whole, sound header follows."""
    one = record("resource", b"text")
    assert plain_start(b"\r\n\r\n" + one) == 4
    assert plain_start(b"xx\r\n\r\n" + one) == 6
    unsound = b"\r\n\r\nWARC/1.1\r\nno colon here\r\n\r\n"   # a header with issues is passed over
    assert plain_start(unsound + b"\r\n\r\n" + one) == len(unsound) + 4
    assert plain_start(b"\r\n\r\n" + one[:30]) is None


def test_past_damage_a_plain_header_may_follow_any_bytes() -> None:
    """Past bytes that are no record, a plain WARC's next record need not follow a blank line: a stray byte
    before it is enough to hide it from the split's search, not from the search past damage."""
    one = record("resource", b"text")
    assert plain_start(b"x" + one) is None
    assert plain_start(b"x" + one, after_record=False) == 1
    assert plain_start(b"WARC/1.1 but no header" + b"x" + one, after_record=False) == 23


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_next_start_finds_the_first_record_strictly_past_an_offset() -> None:
    """The first member holding a record past `after` (not at it), in gzip data or a plain WARC; None when
    none follows."""
    first, second = gzip_member(record("resource", b"one")), gzip_member(record("resource", b"two"))
    data = first + b"junk" + second
    assert next_start(_stream(data), -1, compressed=True) == 0
    assert next_start(_stream(data), 0, compressed=True) == len(first) + 4
    assert next_start(_stream(data), len(first) + 4, compressed=True) is None
    plain = record("resource", b"one") + b"?" + record("resource", b"two")
    assert next_start(_stream(plain), 0, compressed=False) == len(record("resource", b"one")) + 1
    assert next_start(_stream(plain), len(plain) - 10, compressed=False) is None


def test_next_start_reads_on_window_by_window() -> None:
    """A start two windows past `after`, and one that straddles a window's end, are found; memory holds a
    window (and a probe) at a time."""
    member = gzip_member(record("resource", b"far"))
    for gap in (2 * WINDOW + 5, WINDOW - 3, WINDOW - 1, WINDOW + 1):   # (searched from byte 1)
        data = bytes(gap) + member
        assert next_start(_stream(data), 0, compressed=True) == gap, gap
    plain = record("resource", b"far")
    for gap in (WINDOW - 2, WINDOW + 1):
        data = bytes(gap) + plain
        assert next_start(_stream(data), 0, compressed=False) == gap, gap
