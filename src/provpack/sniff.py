"""First bytes -> the Source that reads them: gzip (known by its magic bytes, not the file name) or plain.

Formats a WARC is often mistaken for (a WACZ or other ZIP, a tar archive, a WARC compressed
with bzip2, xz or zstd) are named by their magic bytes and refused with what to do instead.
"""

from __future__ import annotations

import re
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .defaults import MAX_HEADER_BYTES
from .errors import ArchiveError
from .gzipsource import GZIP_MAGIC, PROBE, GzipSource, starts_warc_member
from .rawreader import RawReader
from .warcstream import PlainSource, Report, Source

if TYPE_CHECKING:
    from .problems import Problem


def refuse_stream(path: Path) -> None:
    """An ArchiveError when `path` is a FIFO, socket or character device: a stream a command that goes back to
    records by their offsets cannot read (opening a FIFO would wait for a writer). Anything else, also a path
    that cannot be looked at, is left to the opening that follows, which says what is wrong."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode):
        raise ArchiveError.not_seekable(path)


class NotWarcError(Exception):
    """The input is not a WARC: `what` it is instead, and what to do (`fix`, given the command's verb)."""

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self._fix = fix

    def fix(self, verb: str = "verify") -> str:
        """What to do instead, for a command that would `verb` the WARC ("" when there is no advice)."""
        return self._fix.format(verb=verb)


_DECOMPRESS = "decompress it ({tool} FILE) and {{verb}} the WARC file it gives"
# (magic bytes at the start, what the file is, what to do); a WARC file starts with neither
_FOREIGN = (
    (b"PK\x03\x04", "a ZIP file (a WACZ?)",
     "check a WACZ with `wacz validate`, or unzip it and {verb} archive/*.warc.gz"),
    (b"PK\x05\x06", "an empty ZIP file", ""),
    (b"\xfd7zXZ\x00", "an xz-compressed file", _DECOMPRESS.format(tool="unxz -k")),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file", _DECOMPRESS.format(tool="zstd -d")),
)
_BZIP2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")   # a bzip2 stream's first block, or its end when it is empty
_TAR_MAGIC_AT = 257   # "ustar" in a POSIX or GNU tar header


def foreign_format(first: bytes) -> NotWarcError | None:
    """The error naming what `first` (a file's first bytes) is, when its magic bytes say it is another format."""
    for magic, what, fix in _FOREIGN:
        if first.startswith(magic):
            return NotWarcError(what, fix)
    if first[:3] == b"BZh" and first[3:4] in b"123456789" and first[4:10] in _BZIP2_BLOCKS:
        return NotWarcError("a bzip2-compressed file", _DECOMPRESS.format(tool="bunzip2 -k"))
    if first[_TAR_MAGIC_AT:_TAR_MAGIC_AT + 5] == b"ustar" and _tar_header(first):
        return NotWarcError("a tar archive", "extract it (tar -xf FILE) and {verb} the WARC files in it")
    return None


def _tar_header(first: bytes) -> bool:
    """True when `first` opens with a tar header whose checksum holds: `ustar` at byte 257 alone is also a
    plain WARC whose URL says "custard" there."""
    if len(first) < 512 or first.startswith(b"WARC/"):
        return False
    try:
        stored = int(first[148:156].strip(b" \0").decode("ascii") or "x", 8)
    except ValueError:
        return False
    header = first[:148] + b" " * 8 + first[156:512]   # the checksum is taken with its own field as spaces
    return stored == sum(header)


QUOTED = 40   # file bytes quoted in a message
_GZIP_PEEK = 64 * 1024   # compressed bytes read to show what a member that is no WARC record holds
_MESSAGE_LIMIT = 200   # characters of a reader's error message kept in ours
# warcio's error for a gzip member that holds more than the record it read (warciter sets it, in place of
# warcio's own 400 characters, which ours cut short), and what a reader that seeks to records says of it.
SEVERAL_RECORDS = "several records in one gzip member"
_SEVERAL_WORDS = ("its gzip member holds more records than this one: the file is gzipped as a whole (or several "
                  "records to a member), and a reader that seeks to a record needs a member of its own for each")


def several_records(path: Path, at: int) -> ArchiveError:
    """The error of a reader that seeks to records (show, extract, index, wacz) for a WARC whose gzip member at
    `at` holds more records than the one there: warcio says so (SEVERAL_RECORDS), or, when the member ends in
    its read buffer with the next one's start, reads the rest as records at offsets that go back (even below 0)."""
    return ArchiveError(path, f"cannot read the record at byte {at}: {_SEVERAL_WORDS}",
                        fix="recompress it one record to a gzip member, as `package` writes it: `warcio recompress "
                            "FILE NEW.warc.gz` (`provpack verify` reads it as it is)")
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,19})[ \t]*\r\n", re.IGNORECASE)


def holds_several_records(stream: IO[bytes], at: int, peek: int) -> bool:
    """True when the gzip member at `at` goes on past its first record (a WARC gzipped as a whole, or several
    records a member), as its first `peek` bytes inflated show; False when it ends with the record, or when that
    cannot be told (a first record over `peek` bytes, damaged data: said by what reads it)."""
    inflater = zlib.decompressobj(wbits=31)
    head = bytearray()   # the inflated bytes up to the first record's header end, then only counted
    produced = 0
    end = -1   # where the first record ends (its header, block and CRLF CRLF), once its header is read
    try:
        stream.seek(at)
        while produced <= peek and not inflater.eof:
            data = inflater.unconsumed_tail or stream.read(1 << 16)
            if not data:
                break
            out = inflater.decompress(data, min(peek + 1 - produced, 1 << 20))
            produced += len(out)
            if end < 0:
                head += out
                head_end = head.find(b"\r\n\r\n")
                if head_end >= 0:
                    length = _CONTENT_LENGTH.search(head, 0, head_end + 2)
                    if length is None:
                        return False
                    end = head_end + 4 + int(length.group(1)) + 4
                    head = bytearray()
            if 0 <= end < produced:
                return True
    except (OSError, ValueError, zlib.error):
        return False
    return False


_FIRST_LINE = ", first line: "   # warcio's messages quote the line it could not parse after this
_LINE_END = "\r\n"


def quoted(data: bytes, limit: int = QUOTED) -> str:
    """`data` for a message: its first `limit` bytes, non-ASCII and control bytes escaped, "..." when cut."""
    return repr(data[:limit])[1:] + ("..." if len(data) > limit else "")


def quoted_text(text: str, limit: int = QUOTED) -> str:
    """`text` for a message: its first `limit` characters in quotes, unprintable ones escaped, "..." when cut."""
    return repr(text[:limit]) + ("..." if len(text) > limit else "")


def unreadable_reason(exc: BaseException, stream: IO[bytes], offset: int) -> str:
    """Why warcio could not read at `offset`, on one line; file bytes quoted short and escaped, never dumped."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if text.startswith("Unknown archive format"):   # warcio quotes the whole first "line": maybe kilobytes of binary
        try:
            stream.seek(offset)
            found = stream.read(_GZIP_PEEK)
        except (OSError, ValueError):
            return "no WARC record starts there"
        if found.startswith(b"\x1f\x8b"):   # a gzip member: what it holds tells the reader something
            try:
                inflated = zlib.decompressobj(wbits=31).decompress(found, QUOTED + 1)
            except zlib.error:
                inflated = b""
            if inflated:
                return f"no WARC record starts there (its gzip member holds: {quoted(inflated, QUOTED)})"
        return f"no WARC record starts there (the bytes there: {quoted(found[:QUOTED + 1], QUOTED)})"
    message = str(exc)
    if message == SEVERAL_RECORDS:
        return _SEVERAL_WORDS
    if _FIRST_LINE in message:   # "Invalid WARC record, first line: <the line, raw>": quote the line short
        head, line = message.split(_FIRST_LINE, 1)
        what = ascii(" ".join(head.split()))[1:-1]
        return f"{what}{_FIRST_LINE}{quoted_text(line.rstrip(_LINE_END))}"
    text = ascii(text)[1:-1]   # control and non-ASCII characters escaped
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


GZIP_OF_NO_WARC = "it is gzip, but what it holds does not start with a WARC record (WARC/)"


def inflates_to_nothing(stream: IO[bytes]) -> bool:
    """Whether the gzip data from the stream's position to its end inflates to no byte at all: members of nothing
    (gzip.compress(b"")), no record to any reader, which warcio reads as no record without a word (open_source
    calls it gzip of no WARC record: GZIP_OF_NO_WARC)."""
    data = b""
    while True:
        if len(data) < _GZIP_PEEK:
            data += stream.read(_GZIP_PEEK)
        if not data:
            return True
        inflater = zlib.decompressobj(wbits=31)
        try:
            if inflater.decompress(data, 1):
                return False
        except zlib.error:   # (damage: the readers say it)
            return False
        if not inflater.eof:   # a member cut off
            return False
        data = inflater.unused_data


def is_gzipped_warc(path: Path) -> bool:
    """True for a gzipped WARC, False for a plain one, read from its first bytes; NotWarcError for anything else.

    OSError when the file cannot be read.
    """
    with open(path, "rb") as stream:
        return open_source(RawReader(stream), lambda offset, kind, message, cuts, skipped: None).compressed


def open_source(raw: RawReader, report: Report) -> Source:
    """Look at the first bytes and pick the reader; NotWarcError when nothing in them looks like a WARC.

    A WARC whose first bytes are damaged is still read (the damage is reported as junk or a bad
    gzip member) when a WARC record, a gzip member holding one, or WARC header fields appear in
    the first block.
    """
    first = b""
    while len(first) < 5:
        more = raw.read()
        if not more:
            break
        first += more
    if first == GZIP_MAGIC[:1]:
        return GzipSource(raw, first, report)
    if first.startswith(GZIP_MAGIC):
        if _gzip_of_something_else(first):
            raise NotWarcError(GZIP_OF_NO_WARC)
        return GzipSource(raw, first, report)
    if first.startswith(b"WARC/") or (first and b"WARC/".startswith(first)):
        return PlainSource(raw, first, report)
    if not first:
        raise NotWarcError("the file is empty")
    foreign = foreign_format(first)
    if foreign is not None:   # before the searches below: a ZIP or tar may store a WARC uncompressed
        raise foreign
    if _damaged_gzip_header(first) or any(
        starts_warc_member(first, idx) for idx in _all(first, b"\x1f\x8b\x08")
    ):
        return GzipSource(raw, first, report)
    if any(mark in first for mark in (b"\nWARC/1.", b"\r\nWARC-Record-ID:", b"\r\nWARC-Type:")):
        return PlainSource(raw, first, report)
    shown = first[:16].hex(" ")
    raise NotWarcError(
        f"starts with bytes {shown} ({quoted(first, 16)}), neither gzip (1f 8b) nor a WARC record (WARC/),"
        " and no WARC record follows in the first MiB",
        "give a .warc or .warc.gz file",
    )


def _gzip_of_something_else(data: bytes) -> bool:
    """True when the first member decompresses cleanly to something that is not a WARC record,
    and no member in `data` holds one; a damaged first member is a damaged WARC, not another format."""
    trial = zlib.decompressobj(31)
    try:
        out = trial.decompress(data[:PROBE], 5)
    except zlib.error:
        return False
    if out == b"WARC/" or len(out) < 5 and not trial.eof:
        return False
    return not any(starts_warc_member(data, idx) for idx in _all(data, b"\x1f\x8b\x08"))


def _damaged_gzip_header(data: bytes) -> bool:
    """True when a plain 10-byte gzip header with a damaged magic is followed by deflate data of a WARC record."""
    if len(data) < 11 or data[2] != 8:
        return False
    trial = zlib.decompressobj(-15)
    try:
        return trial.decompress(data[10 : 10 + PROBE], 5) == b"WARC/"
    except zlib.error:
        return False


def _all(data: bytes, needle: bytes) -> Iterator[int]:
    """Every index of `needle` in `data`."""
    idx = data.find(needle)
    while idx >= 0:
        yield idx
        idx = data.find(needle, idx + 1)



def check_end(path: Path, stream: IO[bytes], start: int, *, failed_at: int | None = None,
              ended: bool = False) -> None:
    """An IntegrityError when the end of the file cuts off a gzip member, at or after the member at `start`.

    warcio reads a cut-off last member as far as it goes and stops without a word (or fails on what
    follows): this reads the members from `start` (where one begins, or 0) to the end with verify's gzip
    reader; a plain WARC's records from `start` as verify reads them. Nothing when every member and block
    ends whole; other damage is `provpack verify`'s. With `ended` (warcio's reading ended: `start` is where
    the last record it gave starts), a gzip member from `start` on that is corrupt, and bytes between
    members that are not gzip data, are said too: warcio also stops without a word at a member that fails
    past its first 16 KiB, as though the file ended there (for a sound file, the members from `start` are
    its last: the cost is the same). Given `failed_at`, where warcio failed, damage at or before it is
    said too, which warcio fails on in words about what it read instead (a "first line" of
    gzip bytes, or of bytes that are no record): a gzip member that is corrupt, bytes between members that
    are not gzip data, and bytes where a record should start that are not one (junk, to verify), found by
    reading the records from `start` as verify reads them, up to the first past `failed_at`; a header block
    over 1 MiB (the blank line counted) of the record at `failed_at`, which warciter.BoundedReader refuses; and,
    before `failed_at`, a header that cannot delimit its record (no Content-Length, or its blank line damaged).
    """
    from .errors import IntegrityError
    from .problems import BAD_GZIP, BAD_LENGTH, BAD_VERSION, JUNK, MALFORMED_HEADER, TRUNCATED, Problem

    found: list[tuple[int, str, str]] = []
    forward: Report | None = None   # to the scanner, once there is one

    def report(offset: int, kind: str, message: str, cuts: bool, skipped: tuple[int, int] | None) -> None:
        if kind == TRUNCATED or (kind in (BAD_GZIP, JUNK)
                                 and (ended or (failed_at is not None and offset <= failed_at))):
            found.append((offset, kind, message))
        if forward is not None:   # (so that a record the gzip damage cuts is not also said to be wrong)
            forward(offset, kind, message, cuts, skipped)

    start = max(start, 0)
    stream.seek(start)
    raw = RawReader(stream)   # type: ignore[arg-type]
    raw.offset = start
    records = True   # whether records are read: not in gzip data whose first member holds none
    try:
        source: Source = open_source(raw, report)
    except NotWarcError:   # (a gzip member whose damaged output no longer starts with WARC/ is read on)
        stream.seek(start)
        raw = RawReader(stream)   # type: ignore[arg-type]
        raw.offset = start
        head = raw.read()
        if failed_at is None or not head.startswith(GZIP_MAGIC):
            return
        source = GzipSource(raw, head, report)
        records = False
    first: Problem | None = None   # the first thing verify finds in the records
    problems: list[Problem] = []   # and all it finds there
    junk: tuple[int, int, int, bool] | None = None   # and when that is junk in gzip data, the scanner's entry
    if source.compressed and (failed_at is None or not records):   # the gzip data alone
        for _ in source.chunks():
            if found:
                break
    else:   # the records from `start` read as verify reads them, up to the first thing wrong
        from .warcscan import Scanner

        if not source.compressed:
            source.upos = start   # (offsets in the file, as verify's second part of a split file counts them)
        scanner = Scanner(source, after_records=start > 0)
        forward = scanner.source_problem
        scanner.walk(None if failed_at is None else failed_at + 1)   # (past `failed_at`, nothing is said)
        problems = scanner.problems
        first = min(problems, key=lambda problem: problem.offset or 0, default=None)
        junk = next((entry for entry in scanner.junk if first is scanner.problems[entry[0]]), None)
    if found:
        offset, kind, message = found[0]
        what = {TRUNCATED: "truncated", BAD_GZIP: "damaged gzip member", JUNK: "damaged gzip data"}[kind]
        raise IntegrityError(path, f"{what} at byte {offset}: {message}; `provpack verify` gives the full report",
                             offset=offset)
    # Only the first thing verify finds is said, and only when it is this (junk before a cut-off end is what
    # is wrong there; what else it finds is verify's to say).
    if first is not None and first.kind == TRUNCATED:
        raise IntegrityError(path, f"truncated at byte {first.offset}: {first.message}; "
                             "`provpack verify` gives the full report", offset=first.offset)
    if (first is not None and first.kind == BAD_VERSION and failed_at is not None and (first.offset or 0) <= failed_at
            and _OTHER_VERSION.match(first.message)):
        # A record of another WARC version (not bytes that only start with WARC/): warcio reads only WARC/1.0 and
        # 1.1, in words about a "first line"; verify says it and reads the record on.
        raise IntegrityError(path, f"the record at byte {first.offset or 0}: {first.message}; "
                             "`provpack verify` gives the full report", offset=first.offset or 0)
    if first is not None and first.kind == JUNK and failed_at is not None and (first.offset or 0) <= failed_at:
        raise IntegrityError(path, f"{_no_record(stream, first.offset or 0, first.message, junk)}; "
                             "`provpack verify` gives the full report", offset=first.offset or 0)
    if (first is not None and first.kind == MALFORMED_HEADER and failed_at is not None
            and (first.offset or 0) <= failed_at and first.message.startswith(_CUT_HEADER)):
        # A header cut short, another record's following: warcio reads the two as one record (or, the cut at a
        # gzip member's end, the cut header as a record with no block).
        raise IntegrityError(path, f"the record at byte {first.offset or 0}: "
                             f"{first.message.removesuffix(_RESUMES)}; `provpack verify` gives the full report",
                             offset=first.offset or 0)
    if first is not None and first.kind == BAD_LENGTH and failed_at is not None and (first.offset or 0) < failed_at:
        # A Content-Length too large: warcio reads the next record's first bytes as the block, then fails after it,
        # on the rest of that header as on a "first line"; verify says the block is not followed by CRLF CRLF.
        raise IntegrityError(path, f"the record at byte {first.offset or 0}: {first.message}; "
                             "`provpack verify` gives the full report", offset=first.offset or 0)
    if (first is not None and first.kind == MALFORMED_HEADER and failed_at is not None
            and first.offset == failed_at and first.message.startswith(_NO_HEADER_END)):
        # A header block over 1 MiB (the blank line that ends it counted), which warciter.BoundedReader refuses
        # where warcio would hold it whole: verify reports it and reads on. A record of several in a gzip member
        # (verify names it by the member's offset) is in a file a reader that seeks cannot read anyway: said so.
        if source.compressed and _first_header_ends(stream, failed_at):
            raise several_records(path, failed_at)
        raise IntegrityError(path, f"the record at byte {failed_at}: {first.message}; "
                             "`provpack verify` gives the full report", offset=failed_at)
    if first is None or failed_at is None:
        return
    # A header that cannot delimit its record: no Content-Length, or a line that is no field (its blank line
    # damaged, the header runs on into the block). warcio reads the block to the end of the gzip member or, in a
    # plain WARC, of the file, or as far as a Content-Length it finds further on says, then fails after it or reads
    # on; verify reports the record and reads on at the next record start. Said in verify's words, at the record,
    # when nothing above was found first (the record warcio failed at, `failed_at`, is said as warcio failed on it).
    unread = next((problem for problem in problems if (problem.offset or 0) < failed_at and _undelimited(problem)),
                  None)
    if unread is not None:
        raise IntegrityError(path, f"the record at byte {unread.offset or 0}: {unread.message}; "
                             "`provpack verify` gives the full report", offset=unread.offset or 0)


def _undelimited(problem: Problem) -> bool:
    """Whether `problem` (verify's) is a WARC header that does not say where its record ends: no Content-Length, or a
    line that is no `Name: value` field or holds a bare CR or LF (the blank line that ends the header damaged)."""
    from .problems import MALFORMED_HEADER, MISSING_HEADER

    if problem.kind == MISSING_HEADER:
        return _NO_CONTENT_LENGTH.match(problem.message) is not None
    return problem.kind == MALFORMED_HEADER and problem.message.startswith(_NOT_A_FIELD)


def _first_header_ends(stream: IO[bytes], at: int) -> bool:
    """True when the first record of the gzip member at `at` has a header block of at most MAX_HEADER_BYTES (the
    blank line counted): an oversize one verify finds there is then a later record's (the stream left where it
    was)."""
    where = stream.tell()
    inflater = zlib.decompressobj(wbits=31)
    head = bytearray()
    try:
        stream.seek(at)
        while len(head) < MAX_HEADER_BYTES and not inflater.eof:
            data = inflater.unconsumed_tail or stream.read(1 << 16)
            if not data:
                break
            head += inflater.decompress(data, MAX_HEADER_BYTES - len(head))
    except (OSError, ValueError, zlib.error):
        return False
    finally:
        stream.seek(where)
    return head.find(b"\r\n\r\n") >= 0


def check_length(path: Path, stream: IO[bytes], at: int) -> None:
    """An IntegrityError when verify finds the Content-Length of the record at `at` wrong (a block not followed by
    CRLF CRLF, a length larger than any file, a block cut off by the end of the file, a header with no Content-Length
    or whose blank line is damaged), which warcio read on past
    (warciter.QuietArchiveIterator.damaged_at); the stream is left where it was, for warcio to read on."""
    position = stream.tell()
    try:
        check_end(path, stream, at, failed_at=at + 1)
    finally:
        stream.seek(position)


_CUT_HEADER = "the header is cut short: "   # (verify's words: recordcheck.py)
_NO_HEADER_END = "no blank line ends the header within "   # (verify's words: recordcheck.py)
_RESUMES = ": reading resumes there"   # (verify's, where it reads on: not every reader here does)
_OTHER_VERSION = re.compile(r"version line 'WARC/[0-9]{1,4}\.[0-9]{1,4}' ")   # (verify's words: warcheader.py)
_NO_CONTENT_LENGTH = re.compile(r"no (?:[A-Za-z-]+, )*Content-Length(?:, [A-Za-z-]+)* header\Z")   # (warcheader.py)
_NOT_A_FIELD = ("header line ", "a header line contains a bare CR or LF")   # (verify's words: warcheader.py)


def _no_record(stream: IO[bytes], offset: int, message: str, junk: tuple[int, int, int, bool] | None) -> str:
    """Bytes at `offset` where a WARC record should start that are not one, in words: verify's `message` and what
    is there (a plain WARC's bytes, or what the gzip member there holds). `junk` is the scanner's (index, start,
    end, last) in a gzip stream: its decompressed offsets count from where check_end began, not from the file's
    start, so the words are verify's without them."""
    stream.seek(offset)
    found = stream.read(_GZIP_PEEK)
    if junk is None:   # a plain WARC
        return f"no WARC record starts at byte {offset} ({message}; the bytes there: {quoted(found[:QUOTED + 1])})"
    from .warcscan import junk_message

    said = junk_message(junk[1], junk[2], compressed=False, last=junk[3])
    try:
        inflated = zlib.decompressobj(wbits=31).decompress(found, QUOTED + 1)
    except zlib.error:
        inflated = b""
    if inflated.startswith(b"WARC/"):   # a record, then the junk, in one member
        return f"no WARC record follows a record in the gzip member at byte {offset} ({said})"
    return f"no WARC record starts at byte {offset} ({said}; its gzip member holds: {quoted(inflated)})"
