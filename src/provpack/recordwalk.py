"""WARC records walked quickly for the index: the usual, plainly sound records only, the rest left to warcio.

A record is passed on only when warcio would read it exactly so: a `WARC/1.0` or `WARC/1.1` record
in its own gzip member (plain 10-byte header, CRC-32 and length checked) or in a plain WARC, its
header lines plain `Name: value` pairs in UTF-8 (no continuation lines, no stray CR or LF), no more
bytes of them (the blank line too) than warcio takes (defaults.MAX_HEADER_BYTES), a decimal Content-Length, and
the block followed by exactly the two CRLFs that end a record (then, in a plain WARC, the next record or the
end of the file). At the first record that is anything else,
the walk stops and says where warcio has to take over (`RecordWalk.resume_at`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from . import inflate
from .defaults import MAX_HEADER_BYTES

__all__ = ["RecordWalk", "WalkedRecord"]

READ_SIZE = 4 << 20  # bytes read from the file at once
MAX_RECORD = 64 << 20  # a record (or gzip member's output) larger than this is left to warcio, which streams it
_MEMBER_START = b"\x1f\x8b\x08\x00"  # gzip magic, deflate, no header flags: a 10-byte header
_MEMBER_MAGIC = b"\x1f\x8b\x08"
_STATUS_LINES = (b"WARC/1.1\r\n", b"WARC/1.0\r\n")
_STATUS = len(_STATUS_LINES[0])
_VERSIONS = (b"WARC/1.1", b"WARC/1.0")
_END = b"\r\n\r\n"
_TRAILER = 8  # a gzip member's CRC-32 and length
_unpack_trailer = inflate.TRAILER.unpack_from
_SHORTEST_MEMBER = 10 + 2 + _TRAILER   # header, an empty deflate block, trailer
_PRINTABLE = bytes(range(0x20, 0x7F))   # the bytes of a plain header, with CRLFs


class WalkedRecord(NamedTuple):
    """One record read by the walk: where it is, as warcio counts it, and its header fields."""

    offset: int   # the gzip member's offset, or the record's in a plain WARC
    length: int   # the gzip member's length, or the header and block's in a plain WARC (no trailing CRLFs)
    headers: dict[str, str]   # lower-cased name -> value of its first occurrence, as warcio's get_header
    data: bytes   # the record's bytes (uncompressed), holding the block at [block_start, block_end)
    block_start: int
    block_end: int

    def header(self, name: str) -> str | None:
        """Value of the first header field of that (lower-case) name, as warcio's get_header gives it."""
        return self.headers.get(name)


class RecordWalk:
    """Iterates the records at the start of a WARC stream that can be read without warcio.

    When iteration ends, `resume_at` is None if the whole file was read, else the offset of the
    record (or gzip member) where warcio has to go on.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._buf = b""
        self._base = 0   # file offset of _buf[0]
        self._eof = False
        self.resume_at: int | None = 0
        self._fast: Any = inflate.fast_inflater()
        self._inflater: Any = self._fast if self._fast is not None else zlib
        self._errors = inflate.errors(self._fast)
        self._crc32: Any = self._fast.crc32 if self._fast is not None else zlib.crc32

    def __iter__(self) -> Iterator[WalkedRecord]:
        self._stream.seek(0)
        if not self._fill(0, _STATUS):
            return iter(())
        head = self._buf[:_STATUS]
        if head.startswith(_MEMBER_START):
            return self._members()
        if head in _STATUS_LINES:
            return self._plain()
        return iter(())   # an ARC file, another kind of gzip header, or no WARC: warcio's to read

    def _fill(self, offset: int, need: int) -> bool:
        """Have file bytes [offset, offset + need) in the buffer (offset never before the buffer's start);
        False when the file ends first."""
        have = self._base + len(self._buf) - offset
        if have >= need:
            return True
        if self._eof:
            return False
        pieces = [self._buf[offset - self._base:]]
        while have < need:
            more = self._stream.read(max(READ_SIZE, need - have))
            if not more:
                self._eof = True
                break
            pieces.append(more)
            have += len(more)
        self._buf = b"".join(pieces)
        self._base = offset
        return have >= need

    def _at_end(self, offset: int) -> bool:
        """True when the file ends at `offset`."""
        return not self._fill(offset, 1)

    def _members(self) -> Iterator[WalkedRecord]:
        """Records one per gzip member; stops (resume_at set) at the first member that is not plainly so."""
        offset = 0
        while True:
            self.resume_at = offset
            if not self._fill(offset, _SHORTEST_MEMBER):
                if self._at_end(offset):
                    self.resume_at = None
                return   # (else a few bytes that are no member: warcio's to read)
            found = self._member(offset)
            if found is None:
                return
            data, end = found
            record = _member_record(data, offset, end - offset)
            if record is None:
                return
            yield record
            offset = end

    def _member(self, offset: int) -> tuple[bytes, int] | None:
        """The output of the gzip member at `offset` and the offset where it ends, if it is whole and sound."""
        if not self._buf.startswith(_MEMBER_START, offset - self._base):   # (_fill done by the caller)
            return None
        buf = self._buf
        start = offset - self._base + 10
        view = memoryview(buf)
        # Usually the member ends just before the next one's magic: feed up to its trailer.
        stop = buf.find(_MEMBER_MAGIC, start + 2) - _TRAILER
        if stop > start:
            inflater = self._inflater.decompressobj(-15)
            try:
                out = inflater.decompress(view[start:stop], MAX_RECORD + 1)
            except self._errors:
                out = None
            if out is not None and inflater.eof and not inflater.unused_data:
                return self._checked(out, buf, stop)
        return self._long_member(offset)

    def _long_member(self, offset: int) -> tuple[bytes, int] | None:
        """The member at `offset` inflated as it is read, for one that runs past the buffer (or holds the magic)."""
        inflater = self._inflater.decompressobj(-15)
        pos = offset + 10   # file offset of the next byte to feed
        pieces: list[bytes] = []
        size = 0
        while True:
            if not self._fill(pos, 1):
                return None   # cut off: warcio says so
            piece = memoryview(self._buf)[pos - self._base:]
            try:
                out = inflater.decompress(piece, MAX_RECORD + 1 - size)
            except self._errors:
                return None
            pieces.append(out)
            size += len(out)
            if size > MAX_RECORD:
                return None   # (and the inflater stopped short of the piece's end)
            if inflater.eof:
                pos += len(piece) - len(inflater.unused_data)
                break
            pos += len(piece)
        if not self._fill(pos, _TRAILER):
            return None
        return self._checked(b"".join(pieces), self._buf, pos - self._base)

    def _checked(self, out: bytes, buf: bytes, trailer: int) -> tuple[bytes, int] | None:
        """`out` and the member's end, if the trailer at buf[trailer] holds its CRC-32 and length."""
        if len(buf) - trailer < _TRAILER:
            return None
        if _unpack_trailer(buf, trailer) != (self._crc32(out), len(out) & 0xFFFFFFFF):
            return None
        return out, self._base + trailer + _TRAILER

    def _plain(self) -> Iterator[WalkedRecord]:
        """Records of an uncompressed WARC; stops (resume_at set) at the first that is not plainly sound."""
        offset = 0
        while True:
            self.resume_at = offset
            record = self._plain_record(offset)
            if record is None:
                return
            yield record
            offset += record.length + len(_END)
            if self._at_end(offset):
                self.resume_at = None
                return

    def _plain_record(self, offset: int) -> WalkedRecord | None:
        """The record at `offset` of a plain WARC, if it is plainly sound and followed by a record or the end."""
        need = 4096
        while True:
            have = self._fill(offset, need)
            start = offset - self._base
            head_end = self._buf.find(_END, start + _STATUS - 2, start + need)
            if head_end >= 0:
                break
            if not have or need >= MAX_HEADER_BYTES:   # (no header end within it: warcio refuses the header)
                return None
            need = min(need * 4, MAX_HEADER_BYTES)
        parsed = _header(self._buf[start: head_end + len(_END)])
        if parsed is None:
            return None
        headers, head_length = parsed
        length = _content_length(headers)
        if length is None or head_length + length > MAX_RECORD:
            return None
        total = head_length + length
        if not self._fill(offset, total + len(_END) + _STATUS) and (
                not self._fill(offset, total + len(_END)) or not self._at_end(offset + total + len(_END))):
            return None   # neither the next record's start nor the end of the file after it
        start = offset - self._base
        after = self._buf[start + total: start + total + len(_END) + _STATUS]
        if after[: len(_END)] != _END or (len(after) > len(_END) and after[len(_END):] not in _STATUS_LINES):
            return None
        return WalkedRecord(offset, total, headers, self._buf[start: start + total], head_length, total)


def _content_length(headers: dict[str, str]) -> int | None:
    """The Content-Length, if it is a plain decimal number (as int() reads it, but no sign, blanks or _)."""
    value = headers.get("content-length")
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _header(data: bytes) -> tuple[dict[str, str], int] | None:
    """The header fields at the start of `data` and where the block starts, if warcio would read them just so."""
    if not data.startswith(_STATUS_LINES):
        return None
    head_end = data.find(_END, _STATUS - 2)
    if head_end < _STATUS:   # no header lines at all
        return None
    if head_end + len(_END) > MAX_HEADER_BYTES:   # (its lines and the blank line, as warciter.BoundedReader counts)
        return None   # warcio refuses it, naming the file and the record's offset
    head = data[_STATUS:head_end]
    if head.find(b"WARC/1.") >= 0 and (b"WARC/1.1\r\n" in head or b"WARC/1.0\r\n" in head
                                       or head.endswith(_VERSIONS)):   # (find first: `in` costs more)
        return None   # a version line inside: the header may be cut short there, another record's following
    if (len(head.translate(None, _PRINTABLE)) == 2 * head.count(b"\r\n")   # no byte but printable ASCII and CRLFs
            and b"\r\n " not in head and b" \r\n" not in head and b" :" not in head
            and not head.endswith(b" ")):
        # The usual case: lines that warcio splits at the first colon, stripping nothing but blanks
        # after it, dropping a line without colon; the first field of a name wins.
        lines = [line.partition(":") for line in head.decode("ascii").split("\r\n")]
        return {name.lower(): value.lstrip() for name, colon, value in reversed(lines) if colon}, head_end + len(_END)
    newlines = head.count(b"\n")
    if newlines != head.count(b"\r") or newlines != head.count(b"\r\n"):
        return None   # a lone CR or LF: warcio would split lines elsewhere
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None   # warcio would read such a line as ISO-8859-1
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        stripped = line.rstrip()
        if not stripped or line[0] in " \t":
            return None   # a blank-looking line ends warcio's header early; a leading blank continues a line
        name, colon, value = stripped.partition(":")
        if colon:   # warcio drops a line without a colon
            headers.setdefault(name.rstrip(" \t").lower(), value.lstrip())
    return headers, head_end + len(_END)


def _member_record(data: bytes, offset: int, length: int) -> WalkedRecord | None:
    """A gzip member's output as a WalkedRecord, if it holds exactly one record's header, block and two CRLFs."""
    parsed = _header(data)
    if parsed is None:
        return None
    headers, block_start = parsed
    size = headers.get("content-length")
    if size is None or not (size.isascii() and size.isdigit()):
        return None
    block_end = block_start + int(size)
    if len(data) != block_end + len(_END) or not data.endswith(_END):
        return None
    return WalkedRecord(offset, length, headers, data, block_start, block_end)
