"""warcio's ArchiveIterator, with the warnings it prints or logs turned into provpack's log records, WARC
header blocks capped at MAX_HEADER_BYTES (see BoundedReader), and an HTTP header block read in bounded memory
however long it runs on (see _HttpParser).

warcio writes one warning to sys.stderr itself and logs another through its own logger
(`warcio.recordloader`), which, with no handler configured, logging's last-resort handler
prints raw (a target URI's escape sequences included). Both are raised here instead,
through provpack's logger, escaped and naming the file and offset: the library prints
nothing, and the command line shows them as its other warnings, honouring -q and -v.
zlib's error on a gzip member found damaged after its first block, which warcio also
writes to sys.stderr (and then reads on as though the file ended there), is not written:
the reader that stops there looks for the damage itself (sniff.check_end) and says it.
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
_PIECE = 64 << 10   # bytes of an HTTP header line read at a time past the first MAX_HEADER_BYTES of its block
_LATIN1_SPACE = bytes(byte for byte in range(256) if chr(byte).isspace())   # (what str.rstrip strips, in Latin-1)


class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """ArchiveIterator that says, rather than prints, a record not followed by the blank lines that end it.

    warcio formats INC_RECORD and writes it to sys.stderr itself; empty, it writes nothing,
    and the record is noted here instead (damaged_at, with a record whose block ends short),
    for the caller to say as verify finds it (check_length; the library never prints). A
    WARC header block over MAX_HEADER_BYTES is an ArchiveLoadFailed (see BoundedReader); an HTTP
    header block that long is read by its first MAX_HEADER_BYTES, with a warning (see _HttpParser).
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
    line of a gigabyte would be held in memory whole; here it is an error.

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
        # While _HttpParser reads an HTTP header block, which it reads in bounded pieces of its own: no cap here.
        self.http_block = False

    def http_block_read(self) -> None:
        """Back to capping header blocks, an HTTP header block read (to its blank line, or to the record's end:
        either way, no header block goes on)."""
        self.http_block = False
        self._header_bytes = 0

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
        if self.http_block:   # (_HttpParser bounds its lines itself)
            room = length if length is not None else room
        line: bytes = DecompressingBufferedReader.readline(self, room if length is None else min(length, room))
        size = self._header_bytes + len(line)   # (the blank line that ends a header block counted with it)
        if size > MAX_HEADER_BYTES and not self.http_block:
            raise ArchiveLoadFailed(f"a header block is larger than {MAX_HEADER_BYTES} bytes")
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
        if self.http_block:   # (_HttpParser bounds its lines itself)
            room = length if length is not None else room
        line: bytes = DecompressingBufferedReader.readline(self, room if length is None else min(length, room))
        if line[-4:-3] == b"." and self._header_bytes and line.endswith(_VERSION_LINES):
            self.header_cut = True   # (a byte tested first: a method call for each line costs 1% of a reading)
        size = self._header_bytes + len(line)   # (the blank line that ends a header block counted with it)
        if size > MAX_HEADER_BYTES and not self.http_block:
            raise ArchiveLoadFailed(f"a header block is larger than {MAX_HEADER_BYTES} bytes")
        self._header_bytes = (size if line.strip(b"\r\n")
                              else 0 if line or not self._header_bytes else self._cut())
        return line


class _QuietLoader(ArcWarcRecordLoader):  # type: ignore[misc]
    """warcio's record loader, logging through provpack (escaped, with file and offset) what warcio logs raw."""

    def __init__(self, iterator: QuietArchiveIterator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._iterator = iterator
        verify_http = kwargs.get("verify_http", True)
        self.http_parser = _HttpParser(self.HTTP_TYPES, verify_http, iterator=iterator)
        self.http_req_parser = _HttpParser(self.HTTP_VERBS, verify_http, iterator=iterator)

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


# A line of an HTTP header block, as warcio's parser reads it (a plain tuple: one is made for every header line read):
# its text (decoded, UTF-8 else Latin-1, and right-stripped; of a line not held whole, its bytes held), its size in
# bytes (the line break included), its length as warcio's parser counts it (in characters, once decoded), whether it
# is blank (only white space, or nothing: it ends the block), folded (it starts with a space or a tab: a continuation
# of the line before), and cut (bytes of it past those held are not white space: the text lacks them).
_Line = tuple[str, int, int, bool, bool, bool]


def _read_line(stream: Any, keep: int, line: bytes) -> _Line:
    """The next line of an HTTP header block, of which at most `keep` bytes are held (the rest read _PIECE bytes at a
    time, and only looked at for white space and for being UTF-8, which decide what warcio's parser makes of it);
    `line` is what stream.readline(keep) gave (b"" when `keep` is 0)."""
    # (A read may end short of the line's end and of `length`: warcio's readline counts its length down by the line so
    # far, not by the piece read, once a line spans more than one of its 16 KiB buffers, and its parser takes such a
    # piece for a line. Here the line is read to its line break, or to the end of the data, in pieces.)
    pieces = [line] if line else []
    held = len(line)
    ended = not line and keep > 0
    while held < keep and not ended:
        piece: bytes = stream.readline(keep - held)
        if not piece:
            ended = True
            break
        pieces.append(piece)
        held += len(piece)
        if piece.endswith(b"\n"):
            ended = True
            break
    line = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    if ended:   # the whole line: warcio's reading of it
        decoded = StatusAndHeadersParser.decode_header(line)
        text = decoded.rstrip()
        return text, len(line), len(decoded), not text, text.startswith((" ", "\t")), False
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    size = len(line)
    first = line[:1]
    utf8 = True   # the line so far is UTF-8
    utf8_space = latin1_space = True   # it is white space only, read as UTF-8, as Latin-1
    cut = False
    chars = 0   # its characters read as UTF-8
    piece = line
    held = True   # (the piece is the line's bytes held)
    while True:
        if utf8:
            try:
                read = decoder.decode(piece)
                chars += len(read)
                utf8_space = utf8_space and (not read or read.isspace())
            except UnicodeDecodeError:
                utf8 = False
        spaces_only = not piece.translate(None, _LATIN1_SPACE)
        latin1_space = latin1_space and spaces_only
        cut = cut or not (held or spaces_only)
        if piece.endswith(b"\n"):
            break
        piece = stream.readline(_PIECE)
        if not piece:
            break
        held = False
        size += len(piece)
        first = first or piece[:1]
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8_space if utf8 else latin1_space:
        return "", size, chars if utf8 else size, True, False, False
    text = line.decode("utf-8", "ignore") if utf8 else line.decode("iso-8859-1")   # ("ignore": a character cut)
    return text.rstrip(), size, chars if utf8 else size, False, first in (b" ", b"\t"), cut


class _HttpParser(StatusAndHeadersParser):  # type: ignore[misc]
    """warcio's parser of an HTTP header block (StatusAndHeadersParser.parse, step for step), holding no more than its
    first MAX_HEADER_BYTES.

    A block (its status line, its headers and the blank line that ends it) over MAX_HEADER_BYTES is read by its
    lines in its first MAX_HEADER_BYTES (a line across that mark, by its bytes before it), and read past to its end
    (its blank line, or the record's end), a piece at a time, with a warning naming the record: warcio would hold it
    whole (a 100 MiB block cost cdxj-indexer 300 MB), and BoundedReader, which caps it as a WARC header, stopped
    `index` and `wacz` there, while verify reads such a record (leaving its payload digest unchecked). The record's
    payload is what follows the block, as for warcio.
    """

    def __init__(self, statuslist: list[str], verify: bool, *, iterator: QuietArchiveIterator) -> None:
        super().__init__(statuslist, verify)
        self._iterator = iterator

    def parse(self, stream: Any, full_statusline: str | None = None) -> StatusAndHeaders:
        if full_statusline is not None:   # (warcio's loader gives none for an HTTP block)
            return super().parse(stream, full_statusline)
        reader = self._iterator.reader
        bounded = isinstance(reader, BoundedReader)
        if bounded:
            reader.http_block = True
        try:
            return self._parse(stream)
        finally:
            if bounded:
                reader.http_block_read()

    def _parse(self, stream: Any) -> StatusAndHeaders:
        left = MAX_HEADER_BYTES   # bytes of the block still held
        total = 0   # (as warcio counts it: StatusAndHeaders.total_len)
        cut = False   # a line not held whole (white space aside)

        readline = stream.readline
        decode = self.decode_header

        def next_line() -> tuple[str, bool, bool]:
            """The next line's text, whether it is blank, whether it is folded."""
            nonlocal left, total, cut
            line: bytes = readline(left) if left > 0 else b""
            if line.endswith(b"\n"):   # (the usual line, read at once: warcio's reading of it)
                decoded = decode(line)
                text = decoded.rstrip()
                left -= len(line)
                total += len(decoded)
                return text, not text, text.startswith((" ", "\t"))
            text, size, counted, blank, folded, line_cut = _read_line(stream, left, line)
            left = max(left - size, 0)
            total += counted
            cut = cut or line_cut
            return text, blank, folded

        statusline, blank, _ = next_line()
        headers: list[tuple[str, str]] = []
        if total == 0:   # at the end of the stream
            raise EOFError()
        if blank:
            return StatusAndHeaders(statusline="", headers=headers, protocol="", total_len=total)
        if self.verify:
            protocol_status = self.split_prefix(statusline, self.statuslist)
            if not protocol_status:
                msg = f"Expected Status Line starting with {self.statuslist} - Found: {statusline}"
                raise StatusAndHeadersParserException(msg, statusline)
        else:
            protocol_status = statusline.split(" ", 1)
        text, blank, _ = next_line()
        while not blank:
            name, colon, value = text.partition(":")
            value_or_none = value.lstrip() if colon else None
            name = name.rstrip(" \t") if colon else name
            text, blank, folded = next_line()
            while not blank and folded:   # continuation lines
                if value_or_none is not None:
                    value_or_none += text
                text, blank, folded = next_line()
            if value_or_none is not None:
                headers.append((name, value_or_none))
        if cut:
            log.warning("%s: the record at byte %d: no blank line ends its HTTP header block within %d bytes; it is "
                        "read by the headers in them, the rest read past (cdxj-indexer reads it whole, the headers "
                        "past them too)", self._iterator._source, self._iterator.offset, MAX_HEADER_BYTES)
        return StatusAndHeaders(statusline=protocol_status[1].strip() if len(protocol_status) > 1 else "",
                                headers=headers, protocol=protocol_status[0], total_len=total)
