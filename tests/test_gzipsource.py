"""Gzip members walked one by one, damage reported, reading resumed after it."""

from __future__ import annotations

import io
import random
import struct
import uuid
import zlib

import pytest

from provpack import gzipsource, inflate
from provpack.gzipsource import MAX_OUT, GzipSource, _after_http_head
from provpack.rawreader import RawReader
from provpack.sniff import open_source
from provpack.warcstream import GAP

from readback import RECORDS, Found, Unseekable, check, joined, read_all
from warcbuild import NAMESPACE, gzip_member, record


@pytest.mark.parametrize("read_size", [7, 100, 1 << 20])
def test_members_are_walked(read_size: int) -> None:
    """Per-record members decompress to the records, with each member's raw offset remembered."""
    members = [gzip_member(r) for r in RECORDS]
    source, chunks, found = read_all(b"".join(members), read_size)
    assert isinstance(source, GzipSource) and found == [] and GAP not in chunks
    assert joined(chunks) == b"".join(RECORDS)
    assert source.member_count == 3
    offsets = [0, len(members[0]), len(members[0]) + len(members[1])]
    starts = [0, len(RECORDS[0]), len(RECORDS[0]) + len(RECORDS[1])]
    assert [source.locate(u) for u in starts] == [(o, True) for o in offsets]
    assert source.locate(starts[2] + 5) == (offsets[2], False)


def test_one_member_for_many_records() -> None:
    """One member holding every record is read whole; the records all report offset 0."""
    source, chunks, found = read_all(gzip_member(b"".join(RECORDS)))
    assert found == [] and joined(chunks) == b"".join(RECORDS)
    assert source.locate(len(RECORDS[0])) == (0, False)


def test_fextra_and_fname_headers() -> None:
    """Members with FEXTRA and FNAME header fields are read (zlib parses the header)."""
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = raw.compress(RECORDS[0]) + raw.flush()
    extra = b"sl" + struct.pack("<H", 4) + b"\x00\x01\x02\x03"
    header = b"\x1f\x8b\x08\x0c" + b"\x00" * 4 + b"\x00\x03" + struct.pack("<H", len(extra)) + extra + b"a.warc\x00"
    trailer = struct.pack("<II", zlib.crc32(RECORDS[0]), len(RECORDS[0]))
    _, chunks, found = read_all(header + deflated + trailer)
    assert found == [] and joined(chunks) == RECORDS[0]


def test_cut_off_member_is_truncated() -> None:
    """A member without its end is reported as truncated at its offset, then a gap."""
    members = [gzip_member(r) for r in RECORDS]
    data = members[0] + members[1][:-5]
    _, chunks, found = read_all(data)
    assert found == [(len(members[0]), "truncated", found[0][2])]
    assert chunks[-1] is GAP


@pytest.mark.parametrize("seekable", [True, False])
@pytest.mark.parametrize("keep, missing", [(-5, "without its CRC-32 and length trailer"),
                                           (-8, "without its CRC-32 and length trailer"),
                                           (-12, "without its end-of-stream marker"), (6, "inside its header")])
def test_truncated_says_what_is_missing(keep: int, missing: str, seekable: bool) -> None:
    """A member cut in its 8-byte trailer is truncated with the trailer named; cut in its deflate data, the
    end-of-stream marker; cut in its header, the header (python-isal or zlib alike)."""
    members = [gzip_member(r) for r in RECORDS]
    report = check(members[0] + members[1][:keep], seekable=seekable)
    assert [(p.offset, p.kind) for p in report.problems] == [(len(members[0]), "truncated")]
    assert missing in report.problems[0].message


def test_a_last_member_damaged_near_its_end_is_not_said_to_be_cut_off() -> None:
    """A byte flipped near the end of the last member's deflate data, the file full length: its end-of-stream marker
    is not read, and the data runs on to the end of the file, as a cut would. That is `truncated` still, but the
    message says cut off or damaged (it said "the file is cut off", a guess stated as fact)."""
    members = [gzip_member(r) for r in RECORDS]
    last = bytearray(members[-1])
    last[-12] ^= 0x80   # (the last bytes of the deflate data, before the 8-byte trailer)
    data = b"".join(members[:-1]) + bytes(last)
    _, _, found = read_all(data)
    start = len(data) - len(last)
    assert found == [(start, "truncated", f"gzip member ends after {len(last)} bytes without its end-of-stream marker:"
                                          " the file is cut off, or the member's data is damaged")]


def cut_short_message(start: int, cut: int, where: str) -> str:
    return (f"gzip member is cut short: another gzip member starts {cut} bytes into it, {where}, at offset"
            f" {start + cut}: reading resumes there")


def read_unseekable(data: bytes, read_size: int) -> tuple[list[bytes | object], Found]:
    found: Found = []
    source = open_source(RawReader(Unseekable(data), read_size=read_size),
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message)))
    return list(source.chunks()), found


def read_saying_cuts(data: bytes, read_size: int = 1 << 20, *, seekable: bool = True,
                     ) -> tuple[list[bytes | object], list[tuple[int, str, str, bool]]]:
    """The chunks, and the problems with whether each cuts the record being read (a gap follows it)."""
    found: list[tuple[int, str, str, bool]] = []
    stream = io.BytesIO(data) if seekable else Unseekable(data)
    source = open_source(RawReader(stream, read_size=read_size),
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message, cuts)))
    return list(source.chunks()), found


@pytest.mark.parametrize("read_size", [64, 1 << 20])
@pytest.mark.parametrize("seekable", [True, False])
@pytest.mark.parametrize("cut", [3, 9, 10, 40, -9])  # in the header (10 bytes), in the deflate data
def test_a_member_cut_short_then_more_members(cut: int, seekable: bool, read_size: int) -> None:
    """A member cut short by another member (a crashed writer resumed, a partial download joined to another
    file): bad-gzip at its offset, saying where the next member starts; what its own bytes inflate to is
    passed on, then a gap, then the members after it, from a file or a pipe alike."""
    members = [gzip_member(r) for r in RECORDS]
    cut %= len(members[1])
    data = members[0] + members[1][:cut] + members[2] + members[0]
    if seekable:
        _, chunks, found = read_all(data, read_size)
    else:
        chunks, found = read_unseekable(data, read_size)
    where = "inside its header" if cut < 10 else "before its end-of-stream marker"
    assert found == [(len(members[0]), "bad-gzip", cut_short_message(len(members[0]), cut, where))]
    prefix = zlib.decompressobj(-15).decompress(members[1][10:cut]) if cut > 10 else b""
    assert RECORDS[1].startswith(prefix)
    gap = chunks.index(GAP)
    assert joined(chunks[:gap]) == RECORDS[0] + prefix
    assert joined(chunks[gap:]) == RECORDS[2] + RECORDS[0] and chunks.count(GAP) == 1


@pytest.mark.parametrize("seekable", [True, False])
def test_a_large_member_cut_short_then_more_members(seekable: bool) -> None:
    """A member of several MiB cut short in its last block, then another member: found the same way,
    from a file (read again) or a pipe (its last bytes held)."""
    block = record("resource", bytes(range(256)) * 12_000)  # about 3 MiB, stored: as many bytes compressed
    large = gzip_member(block, level=0)
    small = gzip_member(RECORDS[0])
    cut = len(large) - 1000
    data = small + large[:cut] + small
    if seekable:
        _, chunks, found = read_all(data, 1 << 16)
    else:
        chunks, found = read_unseekable(data, 1 << 16)
    assert found == [(len(small), "bad-gzip", cut_short_message(len(small), cut, "before its end-of-stream marker"))]
    gap = chunks.index(GAP)
    passed = joined(chunks[:gap])
    assert block.startswith(passed[len(RECORDS[0]) :]) and len(passed) > (2 << 20)
    assert joined(chunks[gap:]) == RECORDS[0]


@pytest.mark.parametrize("damage", ["crc", "cut off"])
def test_a_gzip_file_stored_in_a_damaged_member_is_not_read_as_members(damage: str) -> None:
    """A record holding a .warc.gz, stored as it is (level 0): when its member is damaged, the members
    inside it are not taken for the file's own (they end before the damaged member does); with only its
    CRC-32 wrong, the record is passed on whole."""
    inner = gzip_member(RECORDS[0]) + gzip_member(RECORDS[1])
    holder = record("resource", inner + b"x" * 300)
    outer = bytearray(gzip_member(holder, level=0))
    start = len(gzip_member(RECORDS[2]))
    if damage == "crc":
        outer[-8] ^= 0xFF
    data = gzip_member(RECORDS[2]) + (bytes(outer) if damage != "cut off" else bytes(outer[:-100]))
    _, chunks, found = read_all(data)
    message = {"crc": "gzip member is corrupt: incorrect data check",
               "cut off": f"gzip member ends after {len(outer) - 100} bytes without its end-of-stream marker:"
                          " the file is cut off, or the member's data is damaged"}[damage]
    kind = "truncated" if damage == "cut off" else "bad-gzip"
    assert found == [(start, kind, message)]
    if damage == "crc":
        assert chunks == [RECORDS[2], holder]
    else:
        assert chunks[0] == RECORDS[2] and all(chunk is GAP for chunk in chunks[chunks.index(GAP) :])


@pytest.mark.parametrize("seekable", [True, False])
@pytest.mark.parametrize("keep, check", [(-4, "length"), (-8, "data")])
def test_a_member_cut_in_its_trailer_then_more_members(keep: int, check: str, seekable: bool) -> None:
    """Cut in its trailer, or right after its deflate data: the trailer read is (partly) the next member's first
    bytes, a bad-gzip that cuts the record being read; all the member inflated to is passed on, then a gap, and
    the next member is read from its start."""
    members = [gzip_member(r) for r in RECORDS]
    data = members[0] + members[1][:keep] + members[2]
    chunks, found = read_saying_cuts(data, seekable=seekable)
    assert found == [(len(members[0]), "bad-gzip", f"gzip member is corrupt: incorrect {check} check", True)]
    assert chunks == [RECORDS[0], RECORDS[1], GAP, RECORDS[2]]


@pytest.mark.parametrize("seekable", [True, False])
@pytest.mark.parametrize("after", [b"", b"GARBAGE"])
def test_bad_crc_is_bad_gzip_and_reading_goes_on(after: bytes, seekable: bool) -> None:
    """A member whose CRC-32 alone is wrong: bad-gzip at its offset, cutting no record; all it inflated to is
    passed on, without a gap, and reading goes on right after its trailer: at the next member, or at bytes
    there that are not gzip, which are junk (they were skipped unsaid)."""
    members = [gzip_member(r) for r in RECORDS]
    broken = bytearray(members[1])
    broken[-8] ^= 0xFF  # CRC32 in the trailer
    chunks, found = read_saying_cuts(members[0] + bytes(broken) + after + members[2], seekable=seekable)
    bad = (len(members[0]), "bad-gzip", "gzip member is corrupt: incorrect data check", False)
    if after:
        assert found == [bad, (len(members[0]) + len(broken), "junk",
                               "7 bytes that are not gzip data before the next gzip member", True)]
        assert chunks == [RECORDS[0], RECORDS[1], GAP, RECORDS[2]]
    else:
        assert found == [bad] and chunks == RECORDS


@pytest.mark.parametrize("seekable", [True, False])
@pytest.mark.parametrize("damage, check", [(-8, "data"), (-1, "length")])
def test_a_large_member_with_a_wrong_trailer_is_passed_on_whole(damage: int, check: str, seekable: bool) -> None:
    """A member of several MiB, its deflate data sound and its stored CRC-32 or length wrong: all it inflates to is
    passed on (only its whole MiB pieces were), a piece of at most MAX_OUT bytes at a time, without a gap; bad-gzip
    at its offset, cutting no record; the member after it is read (python-isal or zlib alike)."""
    block = record("resource", bytes(range(256)) * 12_000)  # about 3 MiB: not a whole number of MiB
    large = bytearray(gzip_member(block))
    large[damage] ^= 1
    small = gzip_member(RECORDS[0])
    chunks, found = read_saying_cuts(small + bytes(large) + small, 1 << 16, seekable=seekable)
    assert found == [(len(small), "bad-gzip", f"gzip member is corrupt: incorrect {check} check", False)]
    assert GAP not in chunks and joined(chunks) == RECORDS[0] + block + RECORDS[0]
    assert max(len(chunk) for chunk in chunks if isinstance(chunk, bytes)) <= MAX_OUT


def test_the_member_after_a_wrong_trailer_is_read_on_when_it_starts_no_record() -> None:
    """Records gzipped in pieces (a member need not start a record): the member after one whose CRC-32 is wrong
    is read on, as the rest of the record it continues, not skipped for a member that starts a record."""
    data = b"".join(RECORDS)
    cut = len(RECORDS[0]) + 100
    first = bytearray(gzip_member(data[:cut]))
    first[-8] ^= 1
    chunks, found = read_saying_cuts(bytes(first) + gzip_member(data[cut:]))
    assert found == [(0, "bad-gzip", "gzip member is corrupt: incorrect data check", False)]
    assert chunks == [data[:cut], data[cut:]]


def test_junk_between_and_after_members() -> None:
    """Bytes that are not gzip between or after members are junk, with their length."""
    members = [gzip_member(r) for r in RECORDS]
    data = members[0] + b"GARBAGE" + members[1] + b"\x00" * 9
    _, chunks, found = read_all(data)
    assert [(o, k) for o, k, _ in found] == [(len(members[0]), "junk"),
                                             (len(members[0]) + 7 + len(members[1]), "junk")]
    assert "7 bytes" in found[0][2] and "9 bytes" in found[1][2]
    assert joined(chunks) == RECORDS[0] + RECORDS[1]


def test_garbage_starting_like_gzip_is_one_bad_member() -> None:
    """Bytes that start with the gzip magic but are not gzip are one bad member; the next is read."""
    members = [gzip_member(r) for r in RECORDS]
    data = members[0] + b"\x1f\x8b\x08 not really \x1f\x8b\x08 either" + members[1]
    _, chunks, found = read_all(data)
    assert [(o, k) for o, k, _ in found] == [(len(members[0]), "bad-gzip")]
    assert joined(chunks) == RECORDS[0] + RECORDS[1]


@pytest.mark.parametrize("read_size", [64, 1 << 20])
def test_gzip_magic_inside_deflate_data_or_between_members(read_size: int) -> None:
    """The next gzip magic is only a hint of where a member ends: inside a member's (stored) deflate
    data, or in junk after it, it misleads nothing."""
    magic = b"\x1f\x8b\x08\x00" + b"\x00" * 6
    blocks = [record("resource", b"x" * n + magic + b"y" * 30) for n in (0, 1, 7, 8, 9, 40)]
    members = [gzip_member(r, level=0) for r in blocks]  # stored blocks: the magic is there as it is
    assert all(magic in m[10:-8] for m in members)
    source, chunks, found = read_all(b"".join(members), read_size)
    assert found == [] and joined(chunks) == b"".join(blocks) and source.member_count == len(blocks)
    assert [c for c in chunks if isinstance(c, bytes)] == blocks
    data = members[0] + magic[:3] + b"junk" + members[1] + magic + members[2]
    _, chunks, found = read_all(data, read_size)
    assert [(o, k) for o, k, _ in found] == [(len(members[0]), "bad-gzip"),
                                             (len(members[0]) + 7 + len(members[1]), "bad-gzip")]
    assert joined(chunks) == b"".join(blocks[:3])


@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_members_whatever_their_size_come_whole(level: int) -> None:
    """Members small and large, in any mix, each reach the scanner as one piece."""
    blocks = [record("resource", bytes(range(256)) * n) for n in (0, 1, 3, 200, 2, 1000, 1)]
    _, chunks, found = read_all(b"".join(gzip_member(b, level) for b in blocks))
    assert found == [] and chunks == blocks


@pytest.mark.parametrize("read_size", [1 << 16, 1 << 20])
def test_large_member_passed_on_in_mib_pieces(read_size: int) -> None:
    """A member whose output passes 1 MiB reaches the scanner cut at every MiB of it, nothing lost."""
    block = record("resource", bytes(range(256)) * 10_000)  # about 2.5 MiB
    _, chunks, found = read_all(gzip_member(block), read_size)
    assert found == [] and joined(chunks) == block
    assert [len(c) for c in chunks] == [1 << 20, 1 << 20, len(block) - (2 << 20)]


def test_member_offset_locate_boundary_and_restart() -> None:
    """The member holding an output offset, where a member's reading ends, and reading again from inside a member."""
    members = [gzip_member(r) for r in RECORDS]
    data = b"".join(members)
    offsets = [0, len(members[0]), len(members[0]) + len(members[1])]
    starts = [0, len(RECORDS[0]), len(RECORDS[0]) + len(RECORDS[1])]
    fresh, _, _ = read_all(data)
    fresh = type(fresh)(fresh.raw, b"", fresh.report)  # nothing read: no member known
    assert fresh.member_offset(5) == 0 and fresh.locate(5) == (0, False)
    with pytest.raises(ValueError, match="no gzip member known before decompressed offset 5"):
        fresh.restart(5)
    source, chunks, _ = read_all(data)
    assert [source.member_offset(u + 3) for u in starts] == offsets
    assert [source.is_member_start(u) for u in (starts[1], starts[1] + 1)] == [True, False]
    source.raw.seek(0)
    source = type(source)(source.raw, source.raw.read(), source.report)
    walk = source.chunks()
    assert next(walk) == RECORDS[0]
    assert source.member_end == offsets[1]
    assert source.boundary(offsets[1], starts[1], True) == 1
    assert source.boundary(offsets[1], starts[1], False) == 0
    assert source.boundary(offsets[0], starts[1], False) == -1
    again, _, _ = read_all(data)
    assert joined(list(again.restart(starts[1] + 5))) == RECORDS[1][5:] + RECORDS[2]
    assert again.member_count == 3


@pytest.mark.parametrize("junk", [1, 2, 3, 4, 5, 6, 7, 8, 13])
def test_member_after_junk_found_across_reads(junk: int) -> None:
    """Junk ending anywhere in a small read still lets the next member be found, whatever read cuts its magic."""
    members = [gzip_member(r) for r in RECORDS]
    data = members[0] + b"G" * junk + members[1] + members[2] + b"Z" * junk
    _, chunks, found = read_all(data, 7)
    assert found == [
        (len(members[0]), "junk", f"{junk} bytes that are not gzip data before the next gzip member"),
        (len(data) - junk, "junk", f"{junk} bytes that are not gzip data after the last gzip member"),
    ]
    assert joined(chunks) == b"".join(RECORDS)


def test_a_member_whose_inflated_bytes_end_with_the_member_inside_it() -> None:
    """A member cut short by a whole member, which its own deflate data (a stored block as long as it) takes in and
    ends with, then bytes that are not gzip: its "trailer" is wrong, the member inside it reaches that far, so it
    was cut short there; reading resumes at it, and the bytes after it are junk."""
    inner = gzip_member(RECORDS[1])

    def stored(data: bytes, final: bool) -> bytes:
        return bytes([final]) + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data

    outer = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + stored(RECORDS[0][:40], False) + stored(inner, True)[:5]
    data = outer + inner + b"JUNKJUNK" + gzip_member(RECORDS[2])
    _, chunks, found = read_all(data)
    assert found == [(0, "bad-gzip", cut_short_message(0, len(outer), "before its end-of-stream marker")),
                     (len(outer) + len(inner), "junk", "8 bytes that are not gzip data before the next gzip member")]
    assert chunks == [RECORDS[0][:40], GAP, RECORDS[1], GAP, RECORDS[2]]


CORRUPT_TAIL = 48   # (40 bytes after the block type's, then the trailer)
# (each record its own id: the default, a count of the records built so far, made these bytes, and so how much
# zlib gives back before a corrupt piece, depend on which test modules were collected first)
PIECES = b"".join(record("resource", b"block %d " % i * 40,
                         record_id=f"<urn:uuid:{uuid.uuid5(NAMESPACE, f'piece {i}')}>") for i in range(9))


def corrupt_member(data: bytes, good: int) -> bytes:
    """A gzip member for `data` whose deflate data goes wrong after its first `good` bytes: a block of the
    reserved type (whatever precedes it in the piece zlib is fed is lost with it). Inflating stops right after the
    byte that says that type: its last CORRUPT_TAIL bytes are not read."""
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflate.compress(data[:good]) + deflate.flush(zlib.Z_FULL_FLUSH) + b"\x07" + b"\x00" * 40
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + struct.pack("<II", zlib.crc32(data), len(data))


def pieces(*cuts: int) -> list[bytes]:
    """PIECES cut at these offsets (inside records, not at their starts), one gzip member each."""
    ends = [0, *cuts, len(PIECES)]
    return [gzip_member(PIECES[a:b]) for a, b in zip(ends, ends[1:])]


@pytest.mark.parametrize("read_size", [64, 1 << 20])
@pytest.mark.parametrize("seekable", [True, False])
def test_a_corrupt_member_then_members_that_start_no_record(seekable: bool, read_size: int) -> None:
    """Records gzipped in pieces of their bytes: after a member whose deflate data is corrupt, reading resumes at
    the next member though it starts inside a record (the message says so), and every member after it is read;
    only what the corrupt member held is lost. (Reading went on only at a member starting a record: none did, and
    the rest of the file went unread.)"""
    members = pieces(700, 1500, 3000)
    members[1] = corrupt_member(PIECES[700:1500], 300)
    data = b"".join(members)
    stream = io.BytesIO(data) if seekable else Unseekable(data)
    found: Found = []
    source = open_source(RawReader(stream, read_size=read_size),
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message)))
    chunks = list(source.chunks())
    resumed = len(members[0]) + len(members[1])
    assert found == [(len(members[0]), "bad-gzip", f"gzip member is corrupt: invalid block type; {CORRUPT_TAIL} bytes"
                      f" skipped unread, from offset {resumed - CORRUPT_TAIL} (where inflating stopped) to the next gzip"
                      f" member, at offset {resumed}; that member starts inside a record: reading resumes at the first"
                      " record start from there on")]
    gap = chunks.index(GAP)
    before = joined(chunks[:gap])   # (with small reads, zlib's pieces are small: less is lost with the one that fails)
    assert PIECES[:1000].startswith(before) and len(before) == (700 if read_size > len(data) else 913)
    assert joined(chunks[gap:]) == PIECES[1500:]
    assert chunks.count(GAP) == 1 and isinstance(source, GzipSource) and source.member_count == 4


def test_junk_between_members_that_start_no_record() -> None:
    """Bytes that are not gzip between members that start no record are junk of their own length, and the
    member after them is read (they were taken to run on to a member starting a record: here, to the end)."""
    members = pieces(700, 1500)
    data = members[0] + b"JUNK" + members[1] + members[2]
    _, chunks, found = read_all(data)
    assert found == [(len(members[0]), "junk", "4 bytes that are not gzip data before the next gzip member")]
    assert chunks == [PIECES[:700], GAP, PIECES[700:1500], PIECES[1500:]]


@pytest.mark.parametrize("seekable", [True, False])
def test_a_member_cut_in_its_trailer_then_a_member_that_starts_no_record(seekable: bool) -> None:
    """Cut in its trailer by a member that starts inside a record: the record being read is cut there, and
    reading resumes at that member (it was read as the trailer's last bytes, then its rest as junk)."""
    members = pieces(700, 1500)
    data = members[0] + members[1][:-4] + members[2]
    chunks, found = read_saying_cuts(data, seekable=seekable)
    assert found == [(len(members[0]), "bad-gzip", "gzip member is corrupt: incorrect length check", True)]
    assert chunks == [PIECES[:700], PIECES[700:1500], GAP, PIECES[1500:]]


def test_a_gzip_file_stored_after_the_damage_in_a_member_is_not_read_as_a_member() -> None:
    """A record holding a .gz file (of no WARC record), stored as it is, after the point where its member's deflate
    data goes wrong: it is followed by other bytes, not a member, so reading resumes at the next member."""
    stored = gzip_member(b"not a record " * 30)
    holder = record("resource", b"x" * 100 + stored + b"y" * 300)
    member = bytearray(gzip_member(holder, level=0))
    member[12] ^= 0xFF   # (the stored block's length: its check fails)
    data = gzip_member(RECORDS[0]) + bytes(member) + gzip_member(RECORDS[1])
    _, chunks, found = read_all(data)
    at = len(gzip_member(RECORDS[0]))
    stopped = at + 15   # (its 10-byte header, and the stored block's first byte, length and its complement, read)
    assert found == [(at, "bad-gzip", f"gzip member is corrupt: invalid stored block lengths; {len(member) - 15} bytes"
                      f" skipped unread, from offset {stopped} (where inflating stopped) to the next gzip member, at"
                      f" offset {at + len(member)}")]
    assert chunks == [RECORDS[0], GAP, RECORDS[1]]


@pytest.mark.parametrize("read_size", [1000, 1 << 16])
def test_what_a_corrupt_member_loses_does_not_depend_on_how_it_was_read(
        read_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """zlib is fed pieces that end where blocks read from the member's start would, not where the blocks read
    from the file's start do: what corrupt data loses (the output of the call that fails) is the same from a file
    (python-isal, then zlib again from the member's start), a pipe or a file with zlib alone. (From a pipe or
    without python-isal, more or less was lost, by where the file's blocks happened to end.)"""
    block = random.Random(5).randbytes(300_000)   # (stored: as many bytes compressed)
    data = record("resource", block)
    first = gzip_member(RECORDS[0][:333])   # (the damaged member starts at no multiple of the read size)
    member = corrupt_member(data, 250_000)
    whole = first + member
    outputs = []
    for fast, seekable in ((True, True), (True, False), (False, True)):
        if not fast:
            monkeypatch.setattr(inflate, "fast_inflater", lambda: None)
        stream = io.BytesIO(whole) if seekable else Unseekable(whole)
        found: Found = []
        source = open_source(RawReader(stream, read_size=read_size),
                             lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message)))
        chunks = list(source.chunks())
        assert found == [(len(first), "bad-gzip", f"gzip member is corrupt: invalid block type; {CORRUPT_TAIL} bytes"
                          f" skipped unread, from offset {len(whole) - CORRUPT_TAIL} (where inflating stopped) to the"
                          f" end of the file, at offset {len(whole)}")]
        outputs.append(joined(chunks))
    assert outputs[0] == outputs[1] == outputs[2]
    assert data.startswith(outputs[0][333:]) and len(outputs[0]) > 333 + 100_000


def where_zlib_stops(deflate: bytes) -> int:
    """How many bytes of the deflate data zlib takes before it fails, fed them one at a time."""
    inflater = zlib.decompressobj(-15)
    for at in range(len(deflate)):
        try:
            inflater.decompress(deflate[at : at + 1])
        except zlib.error:
            return at + 1 - len(inflater.unconsumed_tail)
    raise AssertionError("the deflate data does not fail")


def word_text(rng: random.Random, count: int) -> bytes:
    return b" ".join(bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 9)))
                     for _ in range(count))


def far_back_member() -> tuple[bytes, bytes]:
    """A gzip member of three records, and its deflate data, made with a preset dictionary that only the second
    record's block (bytes 0x80 and up) matches, some 25 kB in: inflated without it, as any gzip reader does, it
    fails there, "invalid distance too far back", inside a Huffman-coded block, some 370 kB before its end."""
    rng = random.Random(7)
    letters = word_text(rng, 60_000)
    high = bytes(0x80 | (byte & 0x3F) for byte in word_text(rng, 40_000))
    data = record("resource", letters[:25_000]) + record("resource", high) + record("resource", letters)
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=high[:32_768])
    deflate = deflater.compress(data) + deflater.flush()
    member = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + deflate + struct.pack("<II", zlib.crc32(data), len(data))
    return member, deflate


@pytest.mark.parametrize("read_size", [333, 4096, 1 << 16, 1 << 20])
def test_the_bytes_a_corrupt_member_skips_are_counted_however_it_was_read(
        read_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member whose deflate data fails inside a Huffman-coded block, some 370 kB before its end: the message says
    how many bytes are skipped unread, from where inflating stopped (where zlib fed a byte at a time stops) to the next
    member, and the problem gives their offsets; the same from a file (python-isal, then zlib again from the member's
    start), a pipe or a file with zlib alone, whatever the read size, though the output passed on before the fault
    differs with it. (The message said only "invalid distance too far back": 5 bytes lost or 370 kB, who could tell?)"""
    first = gzip_member(RECORDS[0])
    member, deflate = far_back_member()
    data = first + member + gzip_member(RECORDS[1]) + gzip_member(RECORDS[2])
    stopped = len(first) + 10 + where_zlib_stops(deflate)
    resumed = len(first) + len(member)
    assert len(first) + 25_000 // 4 < stopped < resumed - 300_000
    for fast, seekable in ((True, True), (True, False), (False, True)):
        if not fast:
            monkeypatch.setattr(inflate, "fast_inflater", lambda: None)
        stream: io.BytesIO | Unseekable = io.BytesIO(data) if seekable else Unseekable(data)
        found: list[tuple[int, str, str, tuple[int, int] | None]] = []
        source = open_source(RawReader(stream, read_size=read_size),   # type: ignore[arg-type]
                             lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message, skipped)))
        chunks: list[bytes | object] = list(source.chunks())
        assert found == [(len(first), "bad-gzip", f"gzip member is corrupt: invalid distance too far back;"
                          f" {resumed - stopped} bytes skipped unread, from offset {stopped} (where inflating stopped)"
                          f" to the next gzip member, at offset {resumed}", (stopped, resumed))], (fast, seekable)
        assert chunks.count(GAP) == 1 and joined(chunks[chunks.index(GAP) + 1 :]) == RECORDS[1] + RECORDS[2]


@pytest.mark.parametrize("seekable", [True, False])
def test_a_member_cut_short_far_from_its_start_skips_nothing(seekable: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member cut short more than BACK bytes into it (made 4 KiB here), then members: its data goes wrong a little
    after the cut, and reading resumes at the member that cuts it, before where inflating stopped; nothing is skipped
    unread, and the message says so (it does not count bytes back)."""
    monkeypatch.setattr(gzipsource, "BACK", 4096)
    big = gzip_member(record("resource", word_text(random.Random(7), 60_000)))
    first, cut = gzip_member(RECORDS[0]), big[: len(big) // 2]
    after = gzip_member(RECORDS[1]) + gzip_member(RECORDS[2])
    data = first + cut + after
    resumed = len(first) + len(cut)
    stopped = len(first) + 10 + where_zlib_stops(cut[10:] + after)
    assert resumed < stopped
    found: list[tuple[int, str, str, tuple[int, int] | None]] = []
    source = open_source(RawReader(io.BytesIO(data) if seekable else Unseekable(data)),   # type: ignore[arg-type]
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message, skipped)))
    chunks: list[bytes | object] = list(source.chunks())
    assert found == [(len(first), "bad-gzip", "gzip member is corrupt: invalid stored block lengths; no bytes skipped"
                      f" unread: reading resumes at the next gzip member, at offset {resumed}, not past offset {stopped}"
                      " (where inflating stopped)", None)]
    assert joined(chunks[chunks.index(GAP) + 1 :]) == RECORDS[1] + RECORDS[2]


@pytest.mark.parametrize("member, stop, message", [
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07" + bytes(30), 11,
     "invalid block type; 30 bytes skipped unread, from offset {stopped} (where inflating stopped) to the end of the"
     " file, at offset {end}"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07", 11,
     "invalid block type; no bytes skipped unread: the file ends at offset {end} (where inflating stopped)"),
    (b"\x1f\x8b\x08\x20\x00\x00\x00\x00\x00\xff" + bytes(30), 0,
     "unknown header flags set; 40 bytes skipped unread, from offset {stopped} (its header) to the end of the file, at"
     " offset {end}"),
])
def test_a_corrupt_last_member_skips_to_the_end_of_the_file(member: bytes, stop: int, message: str) -> None:
    """A corrupt member with none after it: the bytes from where inflating stopped (its start, for a bad header) to
    the end of the file are skipped unread, and counted; none when it stopped at the end."""
    first = gzip_member(RECORDS[0])
    found: list[tuple[int, str, str, tuple[int, int] | None]] = []
    source = open_source(RawReader(io.BytesIO(first + member)),
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message, skipped)))
    assert list(source.chunks()) == [RECORDS[0], GAP]
    stopped, end = len(first) + stop, len(first) + len(member)
    assert found == [(len(first), "bad-gzip", "gzip member is corrupt: " + message.format(stopped=stopped, end=end),
                      (stopped, end) if end > stopped else None)]


@pytest.mark.parametrize("before, skip, body", [
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n", 0, True),
    (b"Transfer-Encoding: chunked\r\n\r\n1f4a\r\n", 0, True),   # (a chunked body: its first chunk's size line)
    (b"Transfer-Encoding: chunked\r\n\r\n1F4A;name=value\r\n", 0, True),
    (b"block\r\n", 0, False),   # (a line of the damaged member's bytes)
    (b"HTTP/1.1 200 OK\r\n\r\n", 17, False),   # (only the bytes from `lo` on count: here "\n\r\n")
])
def test_what_ends_an_http_head_before_a_gzip_body(before: bytes, skip: int, body: bool) -> None:
    """After a damaged member, a member that starts no record right after an HTTP head (or a chunk size line) is a
    gzip body in an uncompressed record; only the bytes from `lo` on are looked at."""
    data = b"xx" + before + b"\x1f\x8b\x08"
    assert _after_http_head(data, len(data) - 3, 2 + skip) is body
