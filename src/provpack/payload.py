"""Hash a record block as it streams past: the block itself, and the payload inside it.

For request/response records whose block is an HTTP message (see http_block) the payload
is the entity body after the HTTP header block, as transmitted. When the body is sent with
`Transfer-Encoding: chunked`, both readings are hashed: the raw chunked bytes and the
de-chunked body (complete, or as far as it goes in a record marked WARC-Truncated);
whichever the record's digest names is accepted (and reported).
"""

from __future__ import annotations

import re
from typing import Any

from .digests import FACTORIES, new_hasher

HTTP_HEAD_LIMIT = 1 << 20  # the blank line ending the HTTP header block must start within this many bytes
_BLANK_LINE = re.compile(rb"\n\r?\n")
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:[^\r\n]*\bchunked\b", re.IGNORECASE | re.MULTILINE)
_CHUNK_LINE_LIMIT = 4096
_HTTP_MEDIA_TYPES = (b"application/http", b"message/http")
_TOKEN_CHARS = b"!#$%&'*+.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-"
SNIFF_LIMIT = 8192  # a block's first line read for http_block must end within this many bytes

RAW = "raw"
DECHUNKED = "de-chunked"


class Dechunker:
    """Streaming HTTP/1.1 chunked-body decoder that hashes the decoded body."""

    _SIZE, _DATA, _DATA_END, _TRAILER, _DONE, _ERROR = range(6)

    def __init__(self, algorithms: tuple[str, ...]) -> None:
        self.hashers = {name: new_hasher(name) for name in algorithms}
        self._state = self._SIZE
        self._line = bytearray()
        self._remaining = 0

    @property
    def complete(self) -> bool:
        """True when the terminating zero-size chunk was seen and nothing went wrong."""
        return self._state in (self._TRAILER, self._DONE)

    @property
    def sound(self) -> bool:
        """True when nothing went wrong so far: the decoded body is a prefix of the body sent."""
        return self._state != self._ERROR

    def feed(self, buf: bytes, start: int, end: int) -> None:
        """Decode buf[start:end]."""
        view = memoryview(buf)
        pos = start
        while pos < end:
            state = self._state
            if state == self._DATA:
                take = min(self._remaining, end - pos)
                piece = view[pos : pos + take]
                for hasher in self.hashers.values():
                    hasher.update(piece)
                pos += take
                self._remaining -= take
                if not self._remaining:
                    self._state = self._DATA_END
                continue
            if state in (self._DONE, self._ERROR):
                return
            newline = buf.find(b"\n", pos, end)
            stop = end if newline < 0 else newline
            self._line += view[pos:stop]
            if len(self._line) > _CHUNK_LINE_LIMIT:
                self._state = self._ERROR
                return
            if newline < 0:
                return
            pos = newline + 1
            line = bytes(self._line).rstrip(b"\r")
            self._line.clear()
            self._end_of_line(line)

    def _end_of_line(self, line: bytes) -> None:
        if self._state == self._SIZE:
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                self._state = self._ERROR
                return
            if size < 0 or size_text.startswith((b"-", b"+", b"0x", b"0X")):
                self._state = self._ERROR
            elif size == 0:
                self._state = self._TRAILER
            else:
                self._remaining = size
                self._state = self._DATA
        elif self._state == self._DATA_END:
            self._state = self._SIZE if not line else self._ERROR
        elif self._state == self._TRAILER and not line:
            self._state = self._DONE

    def digests(self) -> dict[str, bytes]:
        """Digests of the decoded body (meaningful only when `complete`)."""
        return {name: hasher.digest() for name, hasher in self.hashers.items()}


Readings = dict[str, dict[str, bytes]]  # reading ("raw", "de-chunked") -> algorithm -> digest


def http_block(content_type: bytes | None, target: bytes | None, buf: bytes, start: int, end: int) -> bool:
    """Whether the block buf[start:end] of a response or request record is an HTTP message, whose payload is
    its entity body (WARC 1.1 section 6.3.2, whatever the Content-Type): when the Content-Type is
    `application/http` or `message/http`; with none, when WARC-Target-URI `target` is http(s) and the block
    starts with an HTTP/1.x status or request line (ending within SNIFF_LIMIT bytes)."""
    if content_type is not None:
        return content_type.split(b";", 1)[0].strip().lower() in _HTTP_MEDIA_TYPES
    if target is None or not target.lstrip(b" \t")[:8].lower().startswith((b"http://", b"https://")):
        return False
    stop = buf.find(b"\n", start, min(end, start + SNIFF_LIMIT))
    if stop < 0:
        return False
    parts = buf[start:stop].rstrip(b"\r").split(b" ")
    if parts[0].startswith(b"HTTP/"):  # a status line: HTTP/1.1 200 OK (HTTP/2 200)
        return (len(parts) >= 2 and _is_version(parts[0], minor=False)
                and len(parts[1]) == 3 and parts[1].isdigit())
    # A request line: GET /x HTTP/1.1
    return (len(parts) == 3 and parts[0] != b"" and not parts[0].translate(None, _TOKEN_CHARS)
            and parts[1] != b"" and _is_version(parts[2], minor=True))


def _is_version(text: bytes, *, minor: bool) -> bool:
    """`HTTP/d.d` (or, unless `minor`, also `HTTP/d`)."""
    number = text[5:]
    return text.startswith(b"HTTP/") and (
        (len(number) == 3 and number[:1].isdigit() and number[1:2] == b"." and number[2:].isdigit())
        or (not minor and len(number) == 1 and number.isdigit()))


def http_payload(buf: bytes, start: int, end: int) -> tuple[int, bool] | None:
    """Where the payload of the HTTP message buf[start:end] starts, and whether its header says chunked.

    None when no blank line ends the HTTP header block within HTTP_HEAD_LIMIT bytes; (end, False)
    when the header block runs to the end of a shorter message (the payload is empty).
    """
    match = _BLANK_LINE.search(buf, start, min(end, start + HTTP_HEAD_LIMIT + 3))
    if match is None or match.start() - start > HTTP_HEAD_LIMIT:
        if match is None and end - start <= HTTP_HEAD_LIMIT + 3:
            return end, False
        return None
    return match.end(), _CHUNKED.search(buf[start : match.start()]) is not None


def digest_block(
    buf: bytes, start: int, end: int, block_algorithms: tuple[str, ...],
    payload_algorithms: tuple[str, ...], *, http: bool, truncated: bool = False,
) -> tuple[dict[str, bytes], Readings | None, bool]:
    """Digests of a block held in memory at buf[start:end]: (block digests, payload readings, chunked).

    Gives the same results as feeding the block to a BlockSink piece by piece. `truncated`: the record
    says WARC-Truncated, so a chunked body cut off before its last chunk has a de-chunked reading too.
    """
    view = memoryview(buf)[start:end]
    if http or not payload_algorithms or payload_algorithms == block_algorithms:
        names = block_algorithms
    else:
        names = tuple(dict.fromkeys(block_algorithms + payload_algorithms))
    block = {name: FACTORIES[name](view).digest() for name in names}
    if not payload_algorithms:
        return block, None, False
    if not http:
        return block, {RAW: {name: block[name] for name in payload_algorithms}}, False
    found = http_payload(buf, start, end)
    if found is None:
        return block, None, False
    payload_start, chunked = found
    payload = view[payload_start - start :]
    readings: Readings = {RAW: {name: FACTORIES[name](payload).digest() for name in payload_algorithms}}
    if chunked:
        dechunker = Dechunker(payload_algorithms)
        dechunker.feed(buf, payload_start, end)
        if dechunker.complete or (truncated and dechunker.sound):
            readings[DECHUNKED] = dechunker.digests()
    return block, readings, chunked


class BlockSink:
    """Receives a block piece by piece; hashes block and payload, keeps the block when asked."""

    def __init__(
        self,
        block_algorithms: tuple[str, ...],
        payload_algorithms: tuple[str, ...],
        *,
        http: bool,
        keep: bool,
        truncated: bool = False,
    ) -> None:
        self.http = http
        self._truncated = truncated  # WARC-Truncated: a chunked body cut off has a de-chunked reading too
        names = set(block_algorithms)
        if not http:
            names.update(payload_algorithms)
        self.block_hashers = {name: new_hasher(name) for name in sorted(names)}
        self._hashers = tuple(self.block_hashers.values())
        self._payload_algorithms = payload_algorithms
        self.kept: list[bytes] | None = [] if keep else None
        # HTTP state: the header block is gathered until its blank line, then the payload hashed.
        self._head: bytearray | None = bytearray() if http else None
        self._head_searched = 0
        self.http_head_found = False
        self.http_head_too_long = False
        self.chunked = False
        self._payload_hashers: dict[str, Any] = {}
        self._dechunker: Dechunker | None = None

    def feed(self, buf: bytes, start: int, end: int) -> None:
        """Take buf[start:end] as the next part of the block."""
        piece = memoryview(buf)[start:end]
        for hasher in self._hashers:
            hasher.update(piece)
        if self.kept is not None:
            self.kept.append(buf[start:end])
        if self._head is not None:
            self._feed_head(buf, start, end)
        elif self.http_head_found:
            self._feed_payload(buf, start, end)

    def _feed_head(self, buf: bytes, start: int, end: int) -> None:
        head = self._head
        if head is None:
            return
        head += memoryview(buf)[start:end]
        match = _BLANK_LINE.search(head, max(0, self._head_searched - 2))
        if match is None or match.start() > HTTP_HEAD_LIMIT:
            self._head_searched = len(head)
            if match is not None or len(head) > HTTP_HEAD_LIMIT + 3:
                self.http_head_too_long = True
                self._head = None
            return
        self._head = None
        self.http_head_found = True
        header = bytes(head[: match.start()])
        self.chunked = _CHUNKED.search(header) is not None
        self._payload_hashers = {name: new_hasher(name) for name in self._payload_algorithms}
        if self.chunked:
            self._dechunker = Dechunker(self._payload_algorithms)
        rest = bytes(head[match.end() :])
        self._feed_payload(rest, 0, len(rest))

    def _feed_payload(self, buf: bytes, start: int, end: int) -> None:
        piece = memoryview(buf)[start:end]
        for hasher in self._payload_hashers.values():
            hasher.update(piece)
        if self._dechunker is not None:
            self._dechunker.feed(buf, start, end)

    def block_digests(self) -> dict[str, bytes]:
        """Digest of the whole block for each algorithm asked for."""
        return {name: hasher.digest() for name, hasher in self.block_hashers.items()}

    def payload_digests(self) -> Readings | None:
        """Payload digests per reading ("raw", "de-chunked"); None when the payload could not be found."""
        if not self.http:
            digests = self.block_digests()
            return {RAW: {name: digests[name] for name in self._payload_algorithms}}
        if self.http_head_too_long:
            return None
        if not self.http_head_found:
            # The HTTP header block runs to the end of the record block: the payload is empty.
            return {RAW: {name: new_hasher(name).digest() for name in self._payload_algorithms}}
        readings: Readings = {RAW: {name: h.digest() for name, h in self._payload_hashers.items()}}
        dechunker = self._dechunker
        if dechunker is not None and (dechunker.complete or (self._truncated and dechunker.sound)):
            readings[DECHUNKED] = dechunker.digests()
        return readings

    def block(self) -> bytes | None:
        """The whole block, when it was kept."""
        return None if self.kept is None else b"".join(self.kept)
