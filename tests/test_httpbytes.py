"""Tests for provpack.httpbytes: heads, de-chunking, content decoding, record blocks."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeadersParser

from provpack.httpbytes import (
    Exchange,
    build_request_head,
    build_response_head,
    decode_body,
    dechunked_head,
    has_credentials,
    http_record_blocks,
    parse_head,
    split_message,
)

CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ntransfer-encoding:  chunked\r\n"
    b"X-Note: Transfer-Encoding stays in values\r\n\r\n"
)


def test_dechunked_head_renames_and_adds_content_length() -> None:
    """Transfer-Encoding becomes X-Crawler-Transfer-Encoding; Content-Length is appended."""
    assert dechunked_head(CHUNKED_HEAD, 42) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Crawler-transfer-encoding:  chunked\r\n"
        b"X-Note: Transfer-Encoding stays in values\r\nContent-Length: 42\r\n\r\n"
    )


def test_dechunked_head_keeps_a_stray_content_length_under_the_prefix() -> None:
    """A Content-Length sent alongside chunked (invalid) is kept as X-Crawler-Content-Length."""
    head = b"HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: chunked\n\n"
    assert dechunked_head(head, 7) == (
        b"HTTP/1.1 200 OK\nX-Crawler-Content-Length: 3\nX-Crawler-Transfer-Encoding: chunked\n"
        b"Content-Length: 7\n\n"
    )


def test_dechunked_message_parses_with_warcio() -> None:
    """warcio reads the rewritten head: the Content-Length it finds is the body's length."""
    head = dechunked_head(CHUNKED_HEAD, 5)
    parsed = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"]).parse(io.BytesIO(head))
    assert parsed.get_statuscode() == "200"
    assert parsed.get_header("Content-Length") == "5"
    assert parsed.get_header("Transfer-Encoding") is None


def test_parse_head_joins_folded_lines_and_keeps_order() -> None:
    """Obsolete line folding is joined; duplicates and order are kept."""
    start, headers = parse_head(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: two\r\n  parts\r\nA: 3\r\n\r\n")
    assert start == "HTTP/1.1 200 OK"
    assert headers == (("A", "1"), ("B", "two parts"), ("A", "3"))


def test_split_message() -> None:
    """The head ends at the first blank line; a bare-LF head works too; no head is an error."""
    assert split_message(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody\r\n\r\nmore") == (
        b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", b"body\r\n\r\nmore")
    assert split_message(b"HTTP/1.0 200 OK\nA: b\n\nbody") == (b"HTTP/1.0 200 OK\nA: b\n\n", b"body")
    with pytest.raises(ValueError, match="no blank line"):
        split_message(b"HTTP/1.1 200 OK\r\n")


def test_a_bare_lf_head_ends_at_its_blank_line_before_crlf_crlf_in_the_body() -> None:
    """The head ends at its first blank line in either form (LF LF, LF CRLF, CRLF CRLF), never at a CRLF CRLF of
    the body after a head in bare LFs (as http.client reads it: it accepts bare LFs)."""
    body = b"<p>a</p>\r\n\r\n<p>b</p>"
    assert split_message(b"HTTP/1.1 200 OK\nA: b\n\n" + body) == (b"HTTP/1.1 200 OK\nA: b\n\n", body)
    assert split_message(b"HTTP/1.1 200 OK\nA: b\n\r\n" + body) == (b"HTTP/1.1 200 OK\nA: b\n\r\n", body)
    assert split_message(b"HTTP/1.1 200 OK\r\nA: b\n\n" + body) == (b"HTTP/1.1 200 OK\r\nA: b\n\n", body)


def test_dechunked_head_with_mixed_line_ends_keeps_one_blank_line() -> None:
    """A head whose lines end in LF and whose blank line is CRLF: the rewritten head still has one blank line,
    at its end, each kept line with its own line end."""
    head = b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\r\nA: b\n\r\n"
    rewritten = dechunked_head(head, 5)
    assert rewritten == b"HTTP/1.1 200 OK\nX-Crawler-Transfer-Encoding: chunked\r\nA: b\nContent-Length: 5\n\r\n"
    assert split_message(rewritten + b"hello") == (rewritten, b"hello")


def test_built_heads() -> None:
    """Rebuilt heads are CRLF-terminated HTTP/1.1 messages."""
    assert build_request_head("GET", "/a?b", [("Host", "x"), ("Accept", "*/*")]) == (
        b"GET /a?b HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n")
    assert build_response_head("HTTP/1.1", 204, "", []) == b"HTTP/1.1 204\r\n\r\n"


@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=4))
def test_gzip_members_and_deflate_round_trip(data: bytes, members: int) -> None:
    """gzip (one or more members), zlib deflate and raw deflate all decode back."""
    pieces = [data[i::members] for i in range(members)]
    assert decode_body(b"".join(gzip.compress(p) for p in pieces), "gzip", max_bytes=10_000) == b"".join(pieces)
    assert decode_body(zlib.compress(data), "deflate", max_bytes=10_000) == data
    raw = zlib.compressobj(wbits=-15)
    assert decode_body(raw.compress(data) + raw.flush(), "Deflate", max_bytes=10_000) == data
    assert decode_body(data, "identity", max_bytes=10_000) == data
    assert decode_body(data, None, max_bytes=10_000) == data


def test_decode_body_refuses_bombs_broken_and_unknown_codings() -> None:
    """Output over the cap, a truncated stream and an unknown coding are ValueErrors."""
    bomb = gzip.compress(b"\0" * 1_000_000)
    with pytest.raises(ValueError, match=r"^cannot undo Content-Encoding gzip: the decoded body is larger than the "
                       r"cap of 1000 bytes$"):
        decode_body(bomb, "gzip", max_bytes=1000)
    with pytest.raises(ValueError, match=r"^cannot undo Content-Encoding gzip: the compressed body ends early$"):
        decode_body(gzip.compress(b"hello world" * 50)[:-12], "gzip", max_bytes=10_000)
    with pytest.raises(ValueError, match=r"^cannot undo Content-Encoding gzip: the body is not valid gzip \(Error -3 "):
        decode_body(b"not gzip at all", "gzip", max_bytes=10_000)
    with pytest.raises(ValueError, match=r"^cannot undo Content-Encoding br: provpack undoes only gzip, x-gzip, "
                       r"deflate and identity$"):
        decode_body(b"x", "br", max_bytes=10)
    with pytest.raises(ValueError, match=rf"^cannot undo Content-Encoding {'x' * 200}\.\.\. \(1,000 characters\): "):
        decode_body(b"x", "X" * 1000, max_bytes=10)   # a server's word quoted at most 200 characters


def test_record_blocks_and_payload_digests() -> None:
    """Blocks are head + body; the response payload digest covers the body as transmitted."""
    body = gzip.compress(b"<p>hi</p>", mtime=0)
    exchange = Exchange(
        url="http://example.org/", sent_url="http://example.org/", method="GET", request_head=b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n",
        request_body=b"", response_head=b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n", body=body,
        status=200, reason="OK", headers=(("Content-Encoding", "gzip"),), peer_address="93.184.216.34",
        fetched_at=dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc), exact=True, dechunked=False,
    )
    blocks = http_record_blocks(exchange)
    assert blocks.request == exchange.request_head
    assert blocks.response == exchange.response_head + body
    assert blocks.response_payload_digest == "sha256:" + hashlib.sha256(body).hexdigest()
    assert blocks.request_payload_digest == "sha256:" + hashlib.sha256(b"").hexdigest()
    assert split_message(blocks.response)[1] == blocks.response_payload
    assert exchange.header("content-encoding") == "gzip" and exchange.header("X-None") is None


@pytest.mark.parametrize(("status", "error"), [(200, False), (204, False), (206, False), (302, False), (399, False),
                                               (400, True), (404, True), (410, True), (451, True), (500, True),
                                               (599, True), (600, False), (999, False)])
def test_an_error_status_is_a_4xx_or_5xx(status: int, error: bool) -> None:
    """RFC 9110's client and server error classes; 600 and on are no class it defines."""
    from provpack.httpbytes import is_error_status

    assert is_error_status(status) is error


@pytest.mark.parametrize(("original", "redirected"), [
    ({"url": "http://a/q?", "final_url": "http://a/q", "exchanges": [{}]}, False),
    ({"url": "http://a/c", "final_url": "http://a/c", "exchanges": [{}, {}]}, True),   # (a cookie check: back to it)
    ({"url": "http://a/x", "final_url": "http://a/y"}, True),   # (no list of exchanges: the URLs tell)
    ({"url": "http://a/x", "final_url": "http://a/x", "exchanges": "?"}, False),
])
def test_a_redirect_is_read_from_the_exchanges(original: dict[str, object], redirected: bool) -> None:
    """More than one exchange is a redirect, whatever the URLs say; without a list of them, a final URL of its own."""
    from provpack.httpbytes import redirected as is_redirected

    assert is_redirected(original) is redirected


def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.httpbytes import *` gives, and each name exists."""
    import provpack.httpbytes as module

    assert sorted(module.__all__) == sorted([
        "REQUEST_CONTENT_TYPE", "RESPONSE_CONTENT_TYPE", "Exchange", "HttpRecordBlocks", "build_request_head",
        "build_response_head", "decode_body", "dechunked_head", "has_credentials", "http_record_blocks",
        "is_error_status", "parse_head", "redirected", "split_message"])
    assert all(hasattr(module, name) for name in module.__all__)
    # the Content-Type WARC 1.1 gives request and response records (section 6.3.2)
    assert module.REQUEST_CONTENT_TYPE == "application/http; msgtype=request"
    assert module.RESPONSE_CONTENT_TYPE == "application/http; msgtype=response"


def test_an_exchange_is_frozen_and_slotted() -> None:
    """An Exchange cannot be changed after it is made, and carries no per-instance dict."""
    import dataclasses

    exchange = Exchange(
        url="http://a/", sent_url="http://a/", method="GET", request_head=b"", request_body=b"",
        response_head=b"", body=b"", status=200, reason="OK", headers=(), peer_address=None,
        fetched_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), exact=True, dechunked=False,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        exchange.status = 404  # type: ignore[misc]
    assert not hasattr(exchange, "__dict__")


def test_split_message_with_an_empty_head() -> None:
    """A blank line at the very start ends an empty head (CRLF or bare LF); the rest is the body;
    the error says what is missing."""
    assert split_message(b"\r\n\r\nbody") == (b"\r\n\r\n", b"body")
    assert split_message(b"\n\nbody") == (b"\n\n", b"body")
    assert split_message(b"X\n\n") == (b"X\n\n", b"")
    with pytest.raises(ValueError, match=r"^no blank line ends the HTTP head$"):
        split_message(b"\n")


def test_parse_head_start_line_and_single_space_folding() -> None:
    """The start line is never a header (even with a colon in it); a fold by one space or tab joins the
    line before; a header whose name is followed by a space is still a header."""
    start, headers = parse_head(b"GET http://example.org:8080/ HTTP/1.1\r\nA : 1\r\nB: two\r\n parts\r\n\tand more\r\n\r\n")
    assert start == "GET http://example.org:8080/ HTTP/1.1"
    assert headers == (("A", "1"), ("B", "two parts and more"))


def test_dechunked_head_keeps_folded_lines_as_they_are() -> None:
    """A continuation line (starting with a space or a tab) is never renamed, whatever it says."""
    head = b"HTTP/1.1 200 OK\r\nX-A: a\r\n content-length: 3\r\n\ttransfer-encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert dechunked_head(head, 9) == (
        b"HTTP/1.1 200 OK\r\nX-A: a\r\n content-length: 3\r\n\ttransfer-encoding: x\r\n"
        b"X-Crawler-Transfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n")


def test_decode_body_cap_is_exact() -> None:
    """A body decoding to exactly the cap is kept, one byte more is refused (gzip and deflate, in one
    member or several)."""
    data = bytes(range(256)) * 4   # 1024 bytes
    for coding, encoded in [("gzip", gzip.compress(data)), ("deflate", zlib.compress(data)),
                            ("gzip", gzip.compress(data[:1000]) + gzip.compress(data[1000:]))]:
        assert decode_body(encoded, coding, max_bytes=1024) == data
        with pytest.raises(ValueError, match=rf"^cannot undo Content-Encoding {coding}: the decoded body is larger "
                           r"than the cap of 1023 bytes$"):
            decode_body(encoded, coding, max_bytes=1023)
    with pytest.raises(ValueError, match=r"^cannot undo Content-Encoding gzip: the compressed body ends early$"):
        decode_body(gzip.compress(data)[:-12], "gzip", max_bytes=10_000)


def test_decode_body_codings_in_a_list_and_x_gzip() -> None:
    """Content-Encoding lists several codings, undone last first; x-gzip is gzip."""
    data = b"hello, codings " * 20
    assert decode_body(gzip.compress(data), "x-gzip", max_bytes=10_000) == data
    assert decode_body(gzip.compress(zlib.compress(data)), "deflate, gzip", max_bytes=10_000) == data
    assert decode_body(gzip.compress(data), "identity,gzip", max_bytes=10_000) == data


def test_decode_body_with_matches_far_back() -> None:
    """gzip with back-references as far as the 32 KiB window allows decodes (a smaller window would not)."""
    import random

    block = random.Random(3).randbytes(30_000)
    data = block + block
    assert decode_body(gzip.compress(data), "gzip", max_bytes=100_000) == data


@pytest.mark.parametrize("url, expected", [
    ("http://alice:s3cret@example.org/p", True), ("http://alice@example.org/", True),
    ("https://:pw@example.org/", True), ("http://example.org/a@b", False), ("http://example.org/?u=a@b", False),
    ("http://@example.org/", False), ("http://a:b@[::1/x", True), ("http://[::1/x@y", False),
])
def test_has_credentials(url: str, expected: bool) -> None:
    """A user name or password in the authority, never an @ in the path or query; a URL that does not parse is
    looked at by its authority."""
    assert has_credentials(url) is expected
