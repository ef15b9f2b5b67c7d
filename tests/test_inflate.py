"""Gzip members: python-isal and zlib give the same reports; the header is checked as zlib checks it."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

import pytest

from provpack import inflate
from provpack.gzipsource import MAX_OUT, GzipSource
from provpack.rawreader import RawReader
from provpack.verify import FileReport, verify_stream

from conftest import INTEROP
from warcbuild import SAMPLE_TEXTS, archives, gzip_member, provpack_records, record, warc

needs_isal = pytest.mark.skipif(inflate.isal_zlib is None, reason="python-isal is not installed")


def both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[FileReport, FileReport]:
    """The report with python-isal (when installed), and with zlib alone."""
    fast = verify_stream(io.BytesIO(data), name="x")
    with monkeypatch.context() as patch:
        patch.setattr(inflate, "isal_zlib", None)
        slow = verify_stream(io.BytesIO(data), name="x")
    return fast, slow


def member(data: bytes, *, flags: int = 0, extra: bytes = b"", name: bytes = b"", comment: bytes = b"",
           header_crc: int | None = None) -> bytes:
    """A gzip member with the header fields asked for."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff"
    if flags & 0x04:
        header += struct.pack("<H", len(extra)) + extra
    if flags & 0x08:
        header += name + b"\0"
    if flags & 0x10:
        header += comment + b"\0"
    if flags & 0x02:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF if header_crc is None else header_crc)
    return header + deflated + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def test_zlib_alone_when_isal_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without python-isal (or on a stream that cannot seek back) zlib inflates everything."""
    monkeypatch.setattr(inflate, "isal_zlib", None)
    assert GzipSource(RawReader(io.BytesIO(b"")), b"", lambda *a: None)._fast is None


@needs_isal
def test_isal_is_used_on_seekable_input() -> None:
    """python-isal inflates members of a file or other seekable stream, not of a pipe."""
    assert GzipSource(RawReader(io.BytesIO(b"")), b"", lambda *a: None)._fast is inflate.isal_zlib

    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    assert GzipSource(RawReader(Pipe(b"")), b"", lambda *a: None)._fast is None


@pytest.mark.parametrize("name", sorted(archives()))
def test_same_report_either_way(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sound and broken archives: the same report with isal and with zlib."""
    fast, slow = both(archives()[name], monkeypatch)
    assert fast == slow


def test_same_report_for_every_byte_flip_and_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every byte of a small archive flipped, and the archive cut at every point: isal reports as zlib."""
    data = warc(provpack_records(SAMPLE_TEXTS[:1]))
    for offset in range(len(data)):
        changed = bytearray(data)
        changed[offset] ^= 0xFF
        fast, slow = both(bytes(changed), monkeypatch)
        assert fast == slow, offset
        fast, slow = both(data[:offset], monkeypatch) if offset else (fast, fast)
        assert fast == slow, offset


def large_member(size: int) -> tuple[bytes, int]:
    """A record of `size` bytes of varied text in one gzip member; and where its deflate data starts."""
    block = b"".join(b"line %d of a long block, %x\n" % (n, n * 7919) for n in range(size // 30))
    return gzip_member(record("resource", block), level=1), 10


@pytest.mark.parametrize("where", [0.05, 0.5, 0.9, 0.999])
def test_large_member_broken_in_the_middle(where: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member of many MiB damaged somewhere: isal passes on no more than zlib, and zlib finishes it."""
    data, start = large_member(5 * MAX_OUT)
    changed = bytearray(data + gzip_member(record("resource", b"after")))
    changed[start + int((len(data) - start - 8) * where)] ^= 0x55
    fast, slow = both(bytes(changed), monkeypatch)
    assert fast == slow and not fast.ok


def test_large_member_sound_and_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """A member of many MiB passes whole either way, and is cut off the same way."""
    data, _ = large_member(5 * MAX_OUT)
    fast, slow = both(data, monkeypatch)
    assert fast == slow and fast.ok and fast.verified == 1
    for cut in (len(data) // 3, len(data) - 9, len(data) - 1):
        fast, slow = both(data[:cut], monkeypatch)
        assert fast == slow and [p.kind for p in fast.problems] == ["truncated"]


@pytest.mark.skipif(not INTEROP.is_dir(), reason=f"{INTEROP} is missing")
def test_interop_files_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files other tools wrote: the same report with isal and with zlib."""
    for source in sorted(INTEROP.glob("*.warc*")):
        fast, slow = both(source.read_bytes(), monkeypatch)
        assert fast == slow, source.name


NEXT = gzip_member(record("resource", b"next", record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>"))


def header_cases() -> Iterator[tuple[str, bytes, str | None]]:
    """(case, archive, the bad-gzip message expected or None when sound): a member, then NEXT."""
    body = record("resource", b"hello")
    after = NEXT
    for bit in (0x20, 0x40, 0x80):
        yield f"reserved flag {bit:#x}", member(body, flags=bit) + after, "unknown header flags set"
    yield "FEXTRA", member(body, flags=0x04, extra=b"sl\x04\x00abcd") + after, None
    yield "FNAME and FCOMMENT", member(body, flags=0x18, name=b"a.warc", comment=b"hi") + after, None
    yield "FHCRC", member(body, flags=0x02 | 0x08, name=b"n") + after, None
    yield "bad FHCRC", member(body, flags=0x02, header_crc=0x1234) + after, "header crc mismatch"
    yield "FTEXT", member(body, flags=0x01) + after, None
    method = bytearray(member(body))
    method[2] = 7
    yield "method", bytes(method) + after, "unknown compression method"


@pytest.mark.parametrize("case", [c[0] for c in header_cases()])
def test_gzip_header_checks(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reserved FLG bits and a wrong header CRC are refused, with isal as with zlib, the member skipped unread from
    its start; optional fields are read."""
    _, data, expected = next(c for c in header_cases() if c[0] == case)
    fast, slow = both(data, monkeypatch)
    assert fast == slow
    bad = [(p.message, p.skipped) for p in fast.problems if p.kind == "bad-gzip"]
    if expected is None:
        assert fast.ok and fast.records == 2, fast.problems
    else:
        after = len(data) - len(NEXT)
        assert bad == [(f"gzip member is corrupt: {expected}; {after} bytes skipped unread, from offset 0 (its header)"
                        f" to the next gzip member, at offset {after}", (0, after))] and fast.records == 1


def test_header_length() -> None:
    """header_length reads every optional field, asks for more bytes when cut, refuses a runaway field."""
    data = member(b"x", flags=0x1E, extra=b"ab", name=b"n", comment=b"c")
    length = inflate.header_length(data, 0)
    assert length == 10 + 2 + 2 + 2 + 2 + 2
    assert all(inflate.header_length(data[:cut], 0) == 0 for cut in range(length))
    runaway = b"\x1f\x8b\x08\x08" + bytes(6) + b"n" * (inflate.HEADER_LIMIT + 1)
    with pytest.raises(inflate.GzipError, match="run on"):
        inflate.header_length(runaway, 0)


def test_highly_compressible_member_followed_by_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """A member whose few KB inflate to MiBs, then another member: both read (zlib keeps the bytes after a
    stream's end in unconsumed_tail as well as unused_data, and reading on from the tail never ended)."""
    data = gzip_member(record("resource", bytes(3 << 20))) + gzip_member(record("resource", b"after"))
    assert len(data) < 8192
    fast, slow = both(data, monkeypatch)
    assert fast == slow and fast.ok and fast.verified == 2


def test_header_length_of_a_plain_header() -> None:
    """A header with no optional field is its 10 fixed bytes, read once all 10 are there."""
    data = member(b"x")
    assert inflate.header_length(data[:10], 0) == 10
    assert inflate.header_length(data[:9], 0) == 0
    assert inflate.header_length(b"junk" + data, 4) == 10


def test_header_length_runaway_limit_is_exact() -> None:
    """A header field still open after exactly HEADER_LIMIT bytes asks for more; one byte more is refused."""
    start = b"\x1f\x8b\x08\x08" + bytes(6)
    assert inflate.header_length(start + b"n" * (inflate.HEADER_LIMIT - 10), 0) == 0
    with pytest.raises(inflate.GzipError) as caught:
        inflate.header_length(start + b"n" * (inflate.HEADER_LIMIT - 9), 0)
    assert str(caught.value) == f"header fields run on for more than {inflate.HEADER_LIMIT} bytes"


def test_header_length_fextra_lengths() -> None:
    """FEXTRA's two length bytes are little-endian; the field ends exactly where they say."""
    data = member(b"x", flags=0x04, extra=bytes(300))
    assert inflate.header_length(data, 0) == 10 + 2 + 300
    assert inflate.header_length(data[:10 + 2 + 299], 0) == 0
    assert inflate.header_length(data[:10 + 2 + 300], 0) == 10 + 2 + 300


def test_check_trailer() -> None:
    """The trailer's CRC-32 and length (modulo 2**32) are checked, each with zlib's message."""
    good = struct.pack("<II", 0xDEADBEEF, 5)
    inflate.check_trailer(b"ab" + good, 2, 0xDEADBEEF, 5)
    inflate.check_trailer(good, 0, 0xDEADBEEF, 5 + (1 << 32))
    for crc, size, message in ((0xDEADBEEE, 5, "incorrect data check"), (0xDEADBEEF, 4, "incorrect length check"),
                               (0xDEADBEEF, 6, "incorrect length check")):
        with pytest.raises(inflate.GzipError) as caught:
            inflate.check_trailer(good, 0, crc, size)
        assert str(caught.value) == message


def test_reason_drops_zlibs_prefix_only() -> None:
    """'Error -3 while decompressing data: invalid block type' reads 'invalid block type'; other text stays."""
    assert inflate.reason(zlib.error("Error -3 while decompressing data: invalid block type")) == "invalid block type"
    assert inflate.reason(zlib.error("Error -3 while decompressing data: a: b")) == "a: b"
    assert inflate.reason(inflate.GzipError("incorrect data check")) == "incorrect data check"


def test_errors_of_each_inflater() -> None:
    """zlib's errors and ours always; the fast inflater's own error class as well when there is one."""
    assert inflate.errors(None) == (zlib.error, inflate.GzipError)

    class Fast:
        error = KeyError

    assert inflate.errors(Fast) == (zlib.error, inflate.GzipError, KeyError)
    assert inflate.fast_inflater() is inflate.isal_zlib


def test_header_length_fields_ending_with_the_buffer() -> None:
    """An empty FEXTRA, or a header CRC, that ends exactly where the bytes do is whole."""
    empty_extra = member(b"x", flags=0x04, extra=b"")
    assert inflate.header_length(empty_extra[:12], 0) == 12
    assert inflate.header_length(empty_extra[:11], 0) == 0
    with_crc = member(b"x", flags=0x02)
    assert inflate.header_length(with_crc[:12], 0) == 12
    assert inflate.header_length(with_crc[:11], 0) == 0


@pytest.mark.parametrize("flags", [0x04, 0x08, 0x02 | 0x10])
def test_header_runaway_counts_from_the_header_not_the_buffer(flags: int) -> None:
    """The runaway limit counts the header's own bytes, however far into the buffer it starts."""
    prefix = b"j" * (inflate.HEADER_LIMIT // 2)
    header = b"\x1f\x8b\x08" + bytes([flags]) + bytes(6)
    if flags & 0x04:
        header += b"\xff\xff" + bytes(100)   # a long FEXTRA, its end not there yet
    else:
        header += b"n" * (inflate.HEADER_LIMIT // 2)   # a field still open
    assert inflate.header_length(prefix + header, len(prefix)) == 0
    if flags & 0x04:
        assert inflate.header_length(prefix + header[:11], len(prefix)) == 0   # FEXTRA's length itself cut
    if flags & 0x02:
        closed = prefix + header + b"\0"
        assert inflate.header_length(closed + b"\0", len(prefix)) == 0   # header CRC cut
