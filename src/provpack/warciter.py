"""warcio's ArchiveIterator, with the warnings it prints or logs turned into provpack's log records, WARC
header blocks capped at MAX_HEADER_BYTES (see BoundedReader), and HTTP heads of any length read in bounded memory
(read_head).

warcio writes one warning to sys.stderr itself and logs another through its own logger
(`warcio.recordloader`), which, with no handler configured, logging's last-resort handler
prints raw (a target URI's escape sequences included). Both are raised here instead,
through provpack's logger, escaped and naming the file and offset: the library prints
nothing, and the command line shows them as its other warnings, honouring -q and -v.
zlib's error on a gzip member found damaged after its first block, which warcio also
writes to sys.stderr (and then reads on as though the file ended there), is not written:
the reader that stops there looks for the damage itself (sniff.check_end) and says it.

warcio's StatusAndHeadersParser holds every line of an HTTP head whole: a response whose head runs to a gigabyte
(a server that sent a Set-Cookie a million times, or a hostile record) would be held whole, as cdxj-indexer
holds it. read_head gives what that parser gives, field for field, for a head of up to MAX_HEADER_BYTES (its
lines, the status line first). Past that, lines are read a piece at a time and dropped, but for the first of each
of KEPT_FIELDS, the only fields read of a head (by cdxj), which is kept; a line longer than MAX_HEADER_BYTES (the
status line too) is kept to its first MAX_HEADER_BYTES bytes. So the index lines are cdxj-indexer's, and no more
than some 6 MiB of a head is held.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

from .defaults import MAX_HEADER_BYTES
from .sniff import SEVERAL_RECORDS, check_length, quoted_text

log = logging.getLogger(__name__)

_VERSION_LINES = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")

PIECE = 64 << 10  # bytes of an HTTP head's line read at a time (see read_head)
# The fields of an HTTP head kept past MAX_HEADER_BYTES (lower case): the media type (the index's mime), and what
# --post-append reads of a request (its body's type and length, and the encodings warcio undoes to read it).
KEPT_FIELDS = frozenset({"content-type", "content-length", "content-encoding", "transfer-encoding"})


class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """ArchiveIterator that says, rather than prints, a record not followed by the blank lines that end it.

    warcio formats INC_RECORD and writes it to sys.stderr itself; empty, it writes nothing,
    and the record is noted here instead (damaged_at, with a record whose block ends short),
    for the caller to say as verify finds it (check_length; the library never prints). A
    WARC header block over MAX_HEADER_BYTES is an ArchiveLoadFailed (see BoundedReader); an HTTP head of any
    length is read (read_head).
    """

    INC_RECORD = ""
    GZIP_ERR_MSG = SEVERAL_RECORDS   # (warcio formats it: no braces) said in words by sniff.unreadable_reason

    def __init__(self, fileobj: Any, *, source: object = "", verify_http: bool = False, arc2warc: bool = False,
                 plain: bool = False, **kwargs: Any) -> None:
        """`plain`: the file is no gzip data, and its header lines are looked at for a version line (see
        BoundedReader)."""
        super().__init__(fileobj, verify_http=verify_http, arc2warc=arc2warc, **kwargs)
        self._source = source
        # The offset of a record whose block is not where its Content-Length says (not followed by the blank lines
        # that end a record, or cut short by the end of its gzip member or of the file), which warcio reads on past:
        # for the caller to say (check_length).
        self.damaged_at: int | None = None
        self._unended = False   # (that record is not followed by the blank lines)
        self.loader = _QuietLoader(self, verify_http=verify_http, arc2warc=arc2warc)
        reader = PlainBoundedReader if plain else BoundedReader
        self.reader = reader(self.fh, block_size=self.reader.block_size)  # type: ignore[has-type]

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        """warcio's, step for step (the blank lines after a record, and the line that follows them), noting in
        damaged_at a WARC record whose block is not followed by CRLF CRLF at its declared end, as verify checks
        it: a Content-Length a few bytes off leaves blank-looking lines there (a block's own last LF, or the
        CRLFs that end it in part), which warcio reads past without a word. Its own steps, not a call to
        warcio's, whose lines are not seen from outside it."""
        record = self.record   # (its block read to its end: bytes still due when it ended short)
        short = record is not None and getattr(record.raw_stream, "limit", 0) > 0
        readline = self.reader.readline
        ended = b""   # the first two lines after the block: CRLF and CRLF in a sound WARC record
        empty_size = 0
        first_line = True
        while True:
            line = readline()
            if len(ended) < 4:
                ended += line
            if not line:
                result: tuple[bytes | None, int] = (None, empty_size)
                break
            if first_line or not line.rstrip():
                empty_size += len(line)
                if first_line and line.rstrip():   # warcio's INC_RECORD (empty here: nothing written)
                    self.err_count += 1
                first_line = False
                continue
            result = (line, empty_size)
            break
        if self.damaged_at is None and (short or not ended.startswith(b"\r\n\r\n")) and record is not None:
            if short or record.format == "warc":   # (an ARC record ends with one LF)
                self.damaged_at = int(self.offset)
                self._unended = not short
        return result

    def check_length(self, path: Path, stream: IO[bytes]) -> None:
        """When a record read so far is not where its Content-Length says (damaged_at), an IntegrityError naming it
        as verify finds it (sniff.check_length: damage, as show, extract and index say it); else, when it is not
        followed by the blank lines that end a record, a warning. The stream is left where it was."""
        at = self.damaged_at
        if at is None:
            return
        self.damaged_at = None
        check_length(path, stream, at)
        if self._unended:
            log.warning("%s: the record at byte %d is not followed by the blank lines that end a WARC record; "
                        "its Content-Length may be wrong (run 'provpack verify')", self._source, at)


class BoundedReader(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's decompressing reader, refusing header blocks over MAX_HEADER_BYTES (their lines and the blank line
    that ends them, as verify counts a WARC header).

    warcio reads headers line by line without a limit, so one compressed header
    line of a gigabyte would be held in memory whole; here it is an error. But for an HTTP head (while
    `capped` is False: see _QuietLoader.load_http_headers), which read_head reads a piece at a time,
    keeping a bounded part of it: a sound record, which verify passes (its payload digest unchecked past 1 MiB),
    and cdxj-indexer indexes.

    A header block that the data ends inside (the end of a gzip member, or of the file), before
    the blank line that ends it, sets `header_cut`: the header may be cut short there, another
    record's following (warcio reads the cut header as a record of its own, with no block); the
    reader asks verify whether it is. In a plain WARC, see PlainBoundedReader.
    """

    decompressor: Any   # (warcio's)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0
        self.header_cut = False
        self.capped = True   # False while an HTTP head is read

    def _decompress(self, data: bytes) -> bytes:
        """warcio's, step for step, but for the line it writes to sys.stderr when a member fails past its first
        block: there, as in warcio, the member gives nothing more (the reading ends, and the caller looks for the
        damage). Its own steps, not a call to warcio's, which would add a call to every block read."""
        if self.decompressor and data:
            try:
                data = self.decompressor.decompress(data)
            except Exception:   # (as warcio: whatever the decompressor raises)
                if self.num_block_read:
                    return b""
                if self.decomp_type == "deflate":   # a first block that fails: tried as raw deflate, then plain
                    self._init_decomp("deflate_alt")
                    return self._decompress(data)
                self.decompressor = None
        return data

    def read(self, length: int | None = None) -> bytes:
        self._header_bytes = 0
        data: bytes = DecompressingBufferedReader.read(self, length)   # (not super(): its lookup, each read)
        return data

    def readline(self, length: int | None = None) -> bytes:
        room = MAX_HEADER_BYTES - self._header_bytes + 1
        line: bytes = DecompressingBufferedReader.readline(self, room if length is None or length > room else length)
        size = self._header_bytes + len(line)   # (the blank line that ends a header block counted with it)
        if size > MAX_HEADER_BYTES:
            if self.capped:
                raise ArchiveLoadFailed(f"a header block is larger than {MAX_HEADER_BYTES} bytes")
            size = 1   # (an HTTP head, which read_head bounds: counted afresh, so that `room` stays a MiB)
        self._header_bytes = (size if line.strip(b"\r\n")
                              else 0 if line or not self._header_bytes else self._cut())
        return line

    def _cut(self) -> int:
        """0 (no header block is being read), noting that the data ended inside one."""
        self.header_cut = True
        return 0


class PlainBoundedReader(BoundedReader):
    """BoundedReader of a plain WARC, where a header cut short may run on into the next record's: a line of a
    header block, past its first, that ends in a WARC version line sets `header_cut` too (warcio reads the two
    as one record, a line without a colon dropped). A test of each header line, so not done in gzip data, whose
    records are in members of their own (there, a header cut short ends with its member)."""

    def readline(self, length: int | None = None) -> bytes:
        room = MAX_HEADER_BYTES - self._header_bytes + 1
        line: bytes = DecompressingBufferedReader.readline(self, room if length is None or length > room else length)
        if line[-4:-3] == b"." and self._header_bytes and line.endswith(_VERSION_LINES):
            self.header_cut = True   # (a byte tested first: a method call for each line costs 1% of a reading)
        size = self._header_bytes + len(line)   # (the blank line that ends a header block counted with it)
        if size > MAX_HEADER_BYTES:
            if self.capped:
                raise ArchiveLoadFailed(f"a header block is larger than {MAX_HEADER_BYTES} bytes")
            size = 1   # (an HTTP head, which read_head bounds: counted afresh, so that `room` stays a MiB)
        self._header_bytes = (size if line.strip(b"\r\n")
                              else 0 if line or not self._header_bytes else self._cut())
        return line


class _QuietLoader(ArcWarcRecordLoader):  # type: ignore[misc]
    """warcio's record loader, logging through provpack (escaped, with file and offset) what warcio logs raw, and
    reading HTTP heads of any length in bounded memory."""

    def __init__(self, iterator: QuietArchiveIterator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._iterator = iterator

    def load_http_headers(self, rec_type: str, uri: Any, stream: Any, length: int | None) -> Any:
        """warcio's, step for step, but for the head read by read_head, with the reader's cap lifted: a
        head over MAX_HEADER_BYTES is read in bounded memory, where warcio holds it whole (and the reader refused
        it: index and wacz stopped at a sound record)."""
        if length == 0 or rec_type not in self.HTTP_RECORDS or not uri.startswith(self.HTTP_SCHEMES):
            return None   # (a record with no target URI fails on uri.startswith, as in warcio: cdxj says it)
        reader = self._iterator.reader
        reader.capped = False
        try:
            if rec_type == "request":
                return read_head(self.http_req_parser, stream)
            try:
                return read_head(self.http_parser, stream)
            except EOFError:
                if rec_type == "revisit":   # (an empty revisit, with no HTTP head, is ok)
                    return None
                raise
        finally:
            reader.capped = True

    def _ensure_target_uri_format(self, rec_headers: Any) -> str | None:
        """warcio's own repair of a WARC-Target-URI, word for word, its warning logged here."""
        uri: str | None = rec_headers.get_header("WARC-Target-URI")
        if uri is not None and uri.startswith("<") and uri.endswith(">"):   # Wget 1.19 wrote <URI>
            uri = uri[1:-1]
            rec_headers.replace_header("WARC-Target-URI", uri)
        if uri is not None and " " in uri:
            # (not "run 'provpack verify'": verify checks structure and digests, not a URI's syntax, and says nothing
            # of it; the record is read as warcio, and the replay tools built on it, read it)
            log.warning("%s: the record at byte %d has spaces in its WARC-Target-URI %s, which a URI cannot hold; "
                        "read with %%20 in their place, as warcio (and pywb, cdxj-indexer) reads it",
                        self._iterator._source, self._iterator.offset, quoted_text(uri, 80))
            uri = uri.replace(" ", "%20")
            rec_headers.replace_header("WARC-Target-URI", uri)
        return uri


def read_head(parser: StatusAndHeadersParser, stream: Any) -> StatusAndHeaders:
    """The HTTP head at the start of `stream` (a record's block), as `parser.parse(stream)` gives it (the same
    StatusAndHeaders, EOFError and StatusAndHeadersParserException), step for step, but in bounded memory (see the
    module); the stream is left where the head ends, as there. (Its total_len counts characters, as warcio's does,
    and, of a line kept in part, the bytes not kept.)"""
    readline = stream.readline
    decode = parser.decode_header
    limit = MAX_HEADER_BYTES
    raw: bytes = readline(PIECE)
    read = len(raw)   # bytes read
    if raw and raw[-1] != 10:   # (a line longer than a piece, ending in no LF: read on, keeping its first MiB)
        raw, read = _rest(readline, raw)
    full_statusline = decode(raw)
    statusline = full_statusline.rstrip()
    total = len(full_statusline) + read - len(raw)   # (as warcio counts)
    if total == 0:
        raise EOFError()
    if not statusline:
        return StatusAndHeaders(statusline=statusline, headers=[], protocol="", total_len=total)
    if parser.verify:
        protocol_status = parser.split_prefix(statusline, parser.statuslist)
        if not protocol_status:
            raise StatusAndHeadersParserException(
                f"Expected Status Line starting with {parser.statuslist} - Found: {statusline}", full_statusline)
    else:
        protocol_status = statusline.split(" ", 1)
    headers: list[tuple[str, str]] = []
    names: set[str] | None = None   # past MAX_HEADER_BYTES, the fields given so far (lower case)
    raw, length = _line(readline)
    read += length
    text = decode(raw)
    total += len(text) + length - len(raw)
    line = text.rstrip()
    while line:
        name, colon, value = line.partition(":")
        if colon:
            name = name.rstrip(" \t")
            value = value.lstrip()
            if read > limit:   # (past it, only the first of each of KEPT_FIELDS is kept)
                if names is None:
                    names = {given.lower() for given, _ in headers}
                if name.lower() in KEPT_FIELDS and name.lower() not in names:
                    names.add(name.lower())
                else:
                    colon = ""
        raw, length = _line(readline)
        read += length
        text = decode(raw)
        total += len(text) + length - len(raw)
        next_line = text.rstrip()
        while next_line and next_line.startswith((" ", "\t")):   # continuation lines
            if colon and len(value) < limit:
                value = (value + next_line)[:limit]
            raw, length = _line(readline)
            read += length
            text = decode(raw)
            total += len(text) + length - len(raw)
            next_line = text.rstrip()
        if colon:
            headers.append((name, value))
        line = next_line
    return StatusAndHeaders(statusline=protocol_status[1].strip() if len(protocol_status) > 1 else "",
                            headers=headers, protocol=protocol_status[0], total_len=total)


def _line(readline: Any) -> tuple[bytes, int]:
    """The next line read with `readline`, a piece at a time: its first MAX_HEADER_BYTES bytes, and its length."""
    raw: bytes = readline(PIECE)
    if raw and raw[-1] != 10:   # (longer than a piece, ending in no LF: read on)
        return _rest(readline, raw)
    return raw, len(raw)


def _rest(readline: Any, piece: bytes) -> tuple[bytes, int]:
    """A line whose first piece (ending in no LF: 10) is `piece`, read on to its LF or the end with `readline`: its first
    MAX_HEADER_BYTES bytes, and its length."""
    parts = [piece]
    kept = length = len(piece)
    while piece and piece[-1] != 10:
        piece = readline(PIECE)
        length += len(piece)
        if kept < MAX_HEADER_BYTES:
            parts.append(piece[: MAX_HEADER_BYTES - kept])
            kept += len(parts[-1])
    return b"".join(parts), length
