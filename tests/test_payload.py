"""Block and payload hashing: in memory and streamed give the same digests; chunked bodies both ways."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.payload import (
    DECHUNKED,
    HTTP_HEAD_LIMIT,
    RAW,
    BlockSink,
    Dechunker,
    digest_block,
    http_block,
    http_payload,
)

from warcbuild import http_response


def dechunk(data: bytes, splits: list[int] | None = None) -> bytes | None:
    """The decoded body by sha256, or None when the chunked body is incomplete or malformed."""
    decoder = Dechunker(("sha256",))
    cuts = sorted({0, len(data), *(s % (len(data) + 1) for s in (splits or []))})
    for start, end in zip(cuts, cuts[1:]):
        decoder.feed(data, start, end)
    return decoder.digests()["sha256"] if decoder.complete else None


def test_dechunker_decodes() -> None:
    """Chunk sizes in hex, extensions and trailers are handled; the body is what is hashed."""
    body = b"Hello, chunked world! " * 20
    _, sent = http_response(body, chunked=True, chunk_size=13)
    assert dechunk(sent) == hashlib.sha256(body).digest()
    assert dechunk(b"5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n") == hashlib.sha256(b"hello").digest()
    assert dechunk(b"A\r\n0123456789\r\n0\r\n") == hashlib.sha256(b"0123456789").digest()  # no last CRLF


@pytest.mark.parametrize("bad", [
    b"5\r\nhello\r\n",            # no terminating chunk
    b"zz\r\nhello\r\n0\r\n\r\n",  # size is not hex
    b"5\r\nhelloXX0\r\n\r\n",     # data not followed by CRLF
    b"-5\r\nhello\r\n0\r\n\r\n",  # negative size
    b"5\r\nhel",                  # cut off
])
def test_dechunker_rejects(bad: bytes) -> None:
    """Malformed or incomplete chunked bodies give no de-chunked reading."""
    assert dechunk(bad) is None


@given(st.binary(max_size=300), st.integers(1, 40), st.lists(st.integers(0, 2000), max_size=6))
def test_dechunker_any_split(body: bytes, chunk_size: int, splits: list[int]) -> None:
    """However the chunked bytes arrive, the decoded body is the same."""
    _, sent = http_response(body, chunked=True, chunk_size=chunk_size)
    assert dechunk(sent, splits) == hashlib.sha256(body).digest()


def streamed(block: bytes, splits: list[int], block_algs: tuple[str, ...], payload_algs: tuple[str, ...],
             http: bool, truncated: bool = False) -> tuple[dict[str, bytes], object, bool]:
    sink = BlockSink(block_algs, payload_algs, http=http, keep=True, truncated=truncated)
    cuts = sorted({0, len(block), *(s % (len(block) + 1) for s in splits)})
    for start, end in zip(cuts, cuts[1:]):
        sink.feed(block, start, end)
    assert sink.block() == block
    return sink.block_digests(), sink.payload_digests() if payload_algs else None, sink.chunked


blocks = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda body, chunked, size: http_response(body, chunked=chunked, chunk_size=size)[0],
              st.binary(max_size=300), st.booleans(), st.integers(1, 50)),
)


@given(blocks, st.lists(st.integers(0, 1000), max_size=8), st.booleans(), st.booleans(), st.integers(0, 400))
def test_streamed_equals_in_memory(block: bytes, splits: list[int], http: bool, truncated: bool, cut: int) -> None:
    """BlockSink fed in any pieces gives exactly what digest_block gives for the whole block (or, for a record
    marked WARC-Truncated, for a block cut anywhere)."""
    algs = ("sha1",), ("sha256", "md5")
    if truncated:
        block = block[:cut]
    padded = b"xx" + block + b"yy"
    in_memory = digest_block(padded, 2, 2 + len(block), *algs, http=http, truncated=truncated)
    assert streamed(block, splits, *algs, http, truncated) == in_memory


@pytest.mark.parametrize("sent, body", [
    (b"5\r\n<html\r\nd\r\n>hel", b"<html>hel"),  # cut inside a chunk's data
    (b"5\r\n<html\r\nd", b"<html"),  # inside a size line
    (b"5\r\n<html\r", b"<html"),  # before the CRLF after a chunk's data
    (b"5\r\n<html\r\n0\r\n\r\n", b"<html"),  # (complete: no matter)
    (b"", b""),
])
def test_a_truncated_record_has_the_de_chunked_prefix(sent: bytes, body: bytes) -> None:
    """With WARC-Truncated a chunked body cut off before its last chunk is read de-chunked as far as it goes (the
    payload "with any transfer-encoding removed", truncated at the same place); without it, it has no such
    reading; a malformed one has none either way."""
    block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + sent
    complete = sent.endswith(b"0\r\n\r\n")
    for truncated in (True, False):
        _, readings, chunked = digest_block(block, 0, len(block), ("sha1",), ("sha1",), http=True, truncated=truncated)
        assert chunked and readings is not None and readings[RAW]["sha1"] == hashlib.sha1(sent).digest()
        if truncated or complete:
            assert readings[DECHUNKED]["sha1"] == hashlib.sha1(body).digest()
        else:
            assert DECHUNKED not in readings
    bad = block.replace(b"5\r\n", b"z\r\n")
    _, readings, _ = digest_block(bad, 0, len(bad), ("sha1",), ("sha1",), http=True, truncated=True)
    assert readings is not None and (DECHUNKED not in readings or not sent)


@pytest.mark.parametrize("content_type, target, block, http", [
    (b"application/http; msgtype=response", None, b"anything", True),
    (b"Message/HTTP", None, b"anything", True),
    (b"text/html", b"https://example.org/", b"HTTP/1.1 200 OK\r\n\r\n", False),
    (b"", b"https://example.org/", b"HTTP/1.1 200 OK\r\n\r\n", False),
    (None, b"https://example.org/", b"HTTP/1.1 200 OK\r\n\r\nbody", True),
    (None, b"HTTP://example.org/", b"HTTP/1.0 404 Not Found\r\n\r\n", True),
    (None, b"http://example.org/", b"HTTP/2 200\r\n\r\n", True),
    (None, b"http://example.org/x", b"POST /x HTTP/1.1\r\nHost: example.org\r\n\r\na=b", True),
    (None, b"http://example.org/", b"GET /x HTTP/1.1\nHost: example.org\n\n", True),
    (None, b"urn:x", b"HTTP/1.1 200 OK\r\n\r\n", False),
    (None, b"ftp://example.org/", b"HTTP/1.1 200 OK\r\n\r\n", False),
    (None, None, b"HTTP/1.1 200 OK\r\n\r\n", False),
    (None, b"http://example.org/", b"<html>HTTP/1.1 200 OK\r\n\r\n", False),
    (None, b"http://example.org/", b"GET /" + b"x" * 9000 + b" HTTP/1.1\r\n\r\n", False),
    (None, b"http://example.org/", b"HTTP/1.1 2000 OK\r\n\r\n", False),
])
def test_which_blocks_are_http_messages(content_type: bytes | None, target: bytes | None, block: bytes,
                                        http: bool) -> None:
    """application/http or message/http, or no Content-Type, an http(s) target and an HTTP/1.x first line."""
    padded = b"xx" + block + b"yy"
    assert http_block(content_type, target, padded, 2, 2 + len(block)) is http


def test_http_payload_is_the_body_after_the_header() -> None:
    """For HTTP the payload is what follows the blank line; chunked bodies get both readings."""
    body = b"<html>hello</html>"
    block, sent = http_response(body)
    _, readings, chunked = digest_block(block, 0, len(block), (), ("sha1",), http=True)
    assert readings == {RAW: {"sha1": hashlib.sha1(body).digest()}} and not chunked
    block, sent = http_response(body, chunked=True)
    _, readings, chunked = digest_block(block, 0, len(block), (), ("sha1",), http=True)
    assert chunked and readings is not None
    assert readings[RAW]["sha1"] == hashlib.sha1(sent).digest()
    assert readings[DECHUNKED]["sha1"] == hashlib.sha1(body).digest()


def test_http_header_without_blank_line_has_empty_payload() -> None:
    """A block that is all HTTP header has an empty payload."""
    block = b"GET / HTTP/1.1\r\nHost: example.com\r\n"
    _, readings, _ = digest_block(block, 0, len(block), (), ("sha1",), http=True)
    assert readings == {RAW: {"sha1": hashlib.sha1(b"").digest()}}
    _, readings, _ = streamed(block, [5], (), ("sha1",), True)
    assert readings == {RAW: {"sha1": hashlib.sha1(b"").digest()}}


def test_non_http_payload_is_the_block() -> None:
    """For resource-like records the payload is the whole block."""
    block = b"some text\r\n\r\nmore"
    digests, readings, _ = digest_block(block, 0, len(block), ("sha256",), ("sha256",), http=False)
    assert readings == {RAW: {"sha256": hashlib.sha256(block).digest()}} == {RAW: digests}


def test_http_header_limit() -> None:
    """An HTTP header block longer than the limit leaves the payload unknown, in memory and streamed."""
    block = b"HTTP/1.1 200 OK\r\nX: " + b"a" * (HTTP_HEAD_LIMIT + 10) + b"\r\n\r\nbody"
    _, readings, _ = digest_block(block, 0, len(block), (), ("sha1",), http=True)
    assert readings is None
    _, readings, _ = streamed(block, [100, 70000], (), ("sha1",), True)
    assert readings is None
    short = b"HTTP/1.1 200 OK\r\n\r\n" + b"b" * (HTTP_HEAD_LIMIT + 10)
    _, readings, _ = digest_block(short, 0, len(short), (), ("sha1",), http=True)
    assert readings == {RAW: {"sha1": hashlib.sha1(b"b" * (HTTP_HEAD_LIMIT + 10)).digest()}}


@pytest.mark.parametrize(("head", "chunked"), [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", False),
    (b"HTTP/1.1 200 OK\nContent-Length: 4\n\n", False),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 4\n\r\n", False),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", True),
    (b"HTTP/1.1 200 OK\r\ntransfer-encoding:chunked\r\n\r\n", True),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n\r\n", False),
    (b"HTTP/1.1 200 OK\r\nX-Transfer-Encoding: chunked\r\n\r\n", False),
])
def test_http_payload_finds_the_end_of_the_header(head: bytes, chunked: bool) -> None:
    """Where the payload starts (after the first blank line, CRLF or bare LF) and whether the header says chunked,
    for a message anywhere in a buffer."""
    buf = b"WARC header\r\n\r\n" + head + b"body\r\n\r\n"
    assert http_payload(buf, 15, len(buf) - 4) == (15 + len(head), chunked)


def test_http_payload_without_the_end_of_the_header() -> None:
    """No blank line: an empty payload in a short message, none found past the limit."""
    head = b"GET / HTTP/1.1\r\nHost: example.org\r\n"
    assert http_payload(head, 0, len(head)) == (len(head), False)
    assert http_payload(head + b"\r\n", 0, len(head)) == (len(head), False)  # (the blank line is past the end)
    long = b"HTTP/1.1 200 OK\r\nX: " + b"a" * HTTP_HEAD_LIMIT + b"\r\n\r\nbody"
    assert http_payload(long, 0, len(long)) is None
    assert http_payload(long[: HTTP_HEAD_LIMIT + 3], 0, HTTP_HEAD_LIMIT + 3) == (HTTP_HEAD_LIMIT + 3, False)
