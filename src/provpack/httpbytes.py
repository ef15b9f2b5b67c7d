"""HTTP messages as bytes: heads, de-chunked bodies, content decoding, WARC record blocks.

Pure: no I/O. A captured exchange is stored as WARC `request` and `response` records whose
blocks are the HTTP messages (`application/http; msgtype=...`). The response body is kept
as transmitted (a gzip Content-Encoding stays gzip), except that chunked transfer framing,
which requests/urllib3 remove while reading, is gone: the stored head then says so the way
Common Crawl does, `Transfer-Encoding: chunked` becomes `X-Crawler-Transfer-Encoding: chunked`
and a `Content-Length` of the de-chunked body is added, so the block is a valid message
whose payload (the entity body, per WARC 1.1 and iipc/warc-specifications#22) is exactly
the bytes after the head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "REQUEST_CONTENT_TYPE",
    "RESPONSE_CONTENT_TYPE",
    "Exchange",
    "HttpRecordBlocks",
    "build_request_head",
    "build_response_head",
    "decode_body",
    "dechunked_head",
    "has_credentials",
    "http_record_blocks",
    "is_error_status",
    "parse_head",
    "redirected",
    "split_message",
]

REQUEST_CONTENT_TYPE = "application/http; msgtype=request"
RESPONSE_CONTENT_TYPE = "application/http; msgtype=response"
ORIGINAL_HEADER_PREFIX = "X-Crawler-"
_BLANK_LINE = re.compile(rb"\n\r?\n")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request and its response, as bytes on the wire (see `exact`)."""

    url: str   # as given, or as the Location before it gave it
    sent_url: str   # as requested on the wire (requests' form: percent-encoded, IDNA host): WARC-Target-URI
    method: str
    request_head: bytes
    request_body: bytes
    response_head: bytes
    body: bytes
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    peer_address: str | None
    fetched_at: dt.datetime
    exact: bool
    dechunked: bool

    @property
    def request_block(self) -> bytes:
        """The request message: request line, headers, blank line, body."""
        return self.request_head + self.request_body

    @property
    def response_block(self) -> bytes:
        """The response message as stored: status line, headers, blank line, body."""
        return self.response_head + self.body

    def header(self, name: str) -> str | None:
        """The first response header with this name (any case), as received."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class HttpRecordBlocks:
    """Blocks and payloads of the WARC request and response records for one exchange."""

    target_uri: str
    request: bytes
    request_payload: bytes
    response: bytes
    response_payload: bytes
    peer_address: str | None

    @property
    def request_payload_digest(self) -> str:
        """WARC-Payload-Digest of the request record."""
        return "sha256:" + hashlib.sha256(self.request_payload).hexdigest()

    @property
    def response_payload_digest(self) -> str:
        """WARC-Payload-Digest of the response record: the entity body as transmitted."""
        return "sha256:" + hashlib.sha256(self.response_payload).hexdigest()


def http_record_blocks(exchange: Exchange) -> HttpRecordBlocks:
    """The exact bytes of an exchange's WARC request and response blocks, and their payloads."""
    return HttpRecordBlocks(
        target_uri=exchange.url,
        request=exchange.request_block,
        request_payload=exchange.request_body,
        response=exchange.response_block,
        response_payload=exchange.body,
        peer_address=exchange.peer_address,
    )


def has_credentials(url: str) -> bool:
    """True when a URL's authority holds a user name or password (`user:password@host`), which a request sends as
    an Authorization header and an archive would record."""
    try:
        parts = urlsplit(url)
        return bool(parts.username or parts.password)
    except ValueError:   # (a port or IPv6 literal that does not parse: look at the authority itself)
        return "@" in url.split("//", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


def is_error_status(status: int) -> bool:
    """A client or server error (4xx, 5xx, RFC 9110 15.5 and 15.6): the server's answer, not the page asked for."""
    return 400 <= status < 600


def redirected(original: Mapping[str, Any]) -> bool:
    """Whether a fetched original's provenance description records a redirect: more than one exchange (a
    description without a list of them: a `final_url` other than its `url`). Not by comparing the URLs alone: a
    URL fetched as given is its own final URL, however it is written (`HTTP://host/q?`)."""
    exchanges = original.get("exchanges")
    if isinstance(exchanges, list):
        return len(exchanges) > 1
    return original.get("final_url") != original.get("url")


def split_message(block: bytes) -> tuple[bytes, bytes]:
    """Split an HTTP message into its head (through the blank line) and its body.

    The head ends at its first blank line, CRLF or bare LF alike (`\\n\\r?\\n`, as http.client reads a head and
    verify's payload does): a head in bare LFs ends there even when its body holds CRLF CRLF.
    """
    end = _BLANK_LINE.search(block)
    if end is None:
        raise ValueError("no blank line ends the HTTP head")
    return block[: end.end()], block[end.end() :]


def parse_head(head: bytes) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The start line and the (name, value) headers of an HTTP head, folded lines joined."""
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    start_line = lines[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            break
        if line[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip(), value.strip(" \t")))
    return start_line, tuple(headers)


def _head(start_line: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [start_line] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def build_request_head(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    """An HTTP/1.1 request head, for when the bytes sent could not be recorded."""
    return _head(f"{method} {target} HTTP/1.1", headers)


def build_response_head(version: str, status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    """A response head rebuilt from parsed parts, for when the bytes received were not recorded."""
    return _head(f"{version} {status} {reason}".rstrip(), headers)


def dechunked_head(head: bytes, body_length: int) -> bytes:
    """Rewrite a chunked response's head for its de-chunked body (Common Crawl's convention).

    `Transfer-Encoding` and any `Content-Length` lines keep their values under an
    `X-Crawler-` prefix, and `Content-Length: <body_length>` is added; other lines are
    kept byte for byte.
    """
    lines: list[bytes] = re.findall(rb"[^\n]*\n", split_message(head)[0])   # each with its own line end; the blank one last
    out = [lines[0]]
    for line in lines[1:-1]:
        name = line.split(b":", 1)[0].strip().lower()
        if name in (b"transfer-encoding", b"content-length") and not line.startswith((b" ", b"\t")):
            line = ORIGINAL_HEADER_PREFIX.encode("ascii") + line
        out.append(line)
    newline = b"\r\n" if lines[-2].endswith(b"\r\n") else b"\n"
    out.append(b"Content-Length: %d" % body_length + newline)
    return b"".join(out) + lines[-1]


def _inflate(data: bytes, wbits: int, max_bytes: int) -> bytes:
    """Decompress one zlib/gzip stream (and any gzip members after it), at most max_bytes out."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits)
        out += inflater.decompress(data, max_bytes + 1 - len(out))
        if len(out) > max_bytes:
            raise ValueError(f"the decoded body is larger than the cap of {max_bytes} bytes")
        if inflater.unconsumed_tail:
            raise ValueError(f"the decoded body is larger than the cap of {max_bytes} bytes")
        if not inflater.eof:
            raise ValueError("the compressed body ends early")
        is_gzip = wbits > zlib.MAX_WBITS
        data = inflater.unused_data if is_gzip and inflater.unused_data[:2] == b"\x1f\x8b" else b""
    return bytes(out)


def decode_body(body: bytes, content_encoding: str | None, *, max_bytes: int) -> bytes:
    """Undo the Content-Encoding (gzip, deflate, identity) of a body; ValueError otherwise, saying
    `cannot undo Content-Encoding CODING: WHY`."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    data = body
    for coding in reversed(codings):
        name = coding if len(coding) <= 200 else f"{coding[:200]}... ({len(coding):,} characters)"
        try:
            if coding == "identity":
                continue
            if coding in ("gzip", "x-gzip"):
                data = _inflate(data, 16 + zlib.MAX_WBITS, max_bytes)
            elif coding == "deflate":
                try:
                    data = _inflate(data, zlib.MAX_WBITS, max_bytes)
                except zlib.error:
                    data = _inflate(data, -zlib.MAX_WBITS, max_bytes)
            else:
                raise ValueError("provpack undoes only gzip, x-gzip, deflate and identity")
        except zlib.error as exc:
            raise ValueError(f"cannot undo Content-Encoding {name}: the body is not valid {coding} ({exc})") from exc
        except ValueError as exc:
            raise ValueError(f"cannot undo Content-Encoding {name}: {exc}") from exc
    return data


def reason_phrase(reason: str) -> str:
    """A status line's reason phrase as words: http.client reads the line as Latin-1, so a phrase whose bytes
    are UTF-8 (`404 Не найдено`) is read again as UTF-8; any other stays as read (the bytes themselves are
    archived as received, in the response record)."""
    try:
        return reason.encode("latin-1").decode("utf-8")
    except UnicodeError:   # (not UTF-8: Latin-1, as read; or not bytes read as Latin-1 at all)
        return reason
