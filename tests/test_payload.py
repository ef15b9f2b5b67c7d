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
    b"+5\r\nhello\r\n0\r\n\r\n",  # a sign is no hex digit
    b"0x5\r\nhello\r\n0\r\n\r\n", # nor is a 0x prefix
    b"0X5\r\nhello\r\n0\r\n\r\n",
    b"-0\r\n\r\n",                # a negative zero is no last chunk
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
    (None, b" \thttp://example.org/", b"HTTP/1.1 200 OK\r\n\r\n", True),
    (None, b"Xhttp://example.org/", b"HTTP/1.1 200 OK\r\n\r\n", False),
    (None, b"http://example.org/", b"HTTP/1.1 200 OK", False),
    (None, b"http://example.org/", b"GET /x HTTP/1.1X\r\n\r\n", False),
    (None, b"http://example.org/", b" /x HTTP/1.1\r\n\r\n", False),
    (None, b"http://example.org/", b"GET  HTTP/1.1\r\n\r\n", False),
    (None, b"http://example.org/", b"GET /x HTTQ/1.1\r\n\r\n", False),
    (None, b"http://example.org/", b"GET /x HTTP/1\r\n\r\n", False),
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


ONE_MIB = 1 << 20  # docs/verify.md: an HTTP header block must end within 1 MiB for its payload to be checked


@pytest.mark.parametrize("extension, ok", [(4093, True), (4094, False)])
def test_a_chunk_size_line_is_limited_to_4096_bytes(extension: int, ok: bool) -> None:
    """A chunk-size line (extensions and CR included) of up to 4096 bytes is read; a longer one makes the body
    malformed, so memory stays bounded."""
    sent = b"5;" + b"x" * extension + b"\r\nhello\r\n0\r\n\r\n"
    assert dechunk(sent) == (hashlib.sha256(b"hello").digest() if ok else None)


def test_bytes_after_the_last_chunk_change_nothing() -> None:
    """Whatever follows the end of a chunked body (however long, with or without newlines) is not read."""
    assert dechunk(b"0\r\n\r\n" + b"x" * 5000) == hashlib.sha256(b"").digest()
    assert dechunk(b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n" + b"y" * 5000) == hashlib.sha256(b"hello").digest()


def test_a_piece_may_start_with_the_newline_that_ends_a_line() -> None:
    """A piece beginning with the LF that ends the line before (a separate buffer, from its offset 0) is read."""
    decoder = Dechunker(("sha256",))
    decoder.feed(b"5\r\nhello", 0, 8)
    decoder.feed(b"\n0\r\n\r\n", 0, 7)
    assert decoder.complete and decoder.digests()["sha256"] == hashlib.sha256(b"hello").digest()


@pytest.mark.parametrize("found", [True, False])
def test_an_http_header_block_may_end_at_one_mib(found: bool) -> None:
    """The blank line ending an HTTP header block may start at byte 1 MiB, no later, in memory and streamed."""
    prefix = b"HTTP/1.1 200 OK\r\nX: "
    block = prefix + b"a" * (ONE_MIB - 1 - len(prefix) + (0 if found else 1)) + b"\r\n\r\nbody"
    expected = {RAW: {"sha1": hashlib.sha1(b"body").digest()}} if found else None
    assert http_payload(block, 0, len(block)) == ((len(block) - 4, False) if found else None)
    assert digest_block(block, 0, len(block), (), ("sha1",), http=True)[1] == expected
    assert streamed(block, [100, 70000, ONE_MIB], (), ("sha1",), True)[1] == expected


@pytest.mark.parametrize("size, empty", [(ONE_MIB + 3, True), (ONE_MIB + 4, False)])
def test_an_http_header_block_without_its_end(size: int, empty: bool) -> None:
    """A block that is HTTP header without a blank line has an empty payload up to 1 MiB and 3 bytes (room for the
    blank line), and an unknown one past that, in memory and streamed."""
    block = (b"HTTP/1.1 200 OK\r\nX: " + b"a" * ONE_MIB)[:size]
    expected = {RAW: {"sha1": hashlib.sha1(b"").digest()}} if empty else None
    assert http_payload(block, 0, size) == ((size, False) if empty else None)
    assert digest_block(block, 0, size, (), ("sha1",), http=True)[1] == expected
    assert streamed(block, [1000], (), ("sha1",), True)[1] == expected


def test_digest_block_says_chunked_only_with_a_payload_read() -> None:
    """No payload algorithms, or a header block too long, give no readings and chunked False; a chunked body cut
    off has no de-chunked reading unless the record is marked truncated (it is not, by default)."""
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    block = head + b"\r\n5\r\nhel"
    assert digest_block(block, 0, len(block), ("sha1",), (), http=True) == (
        {"sha1": hashlib.sha1(block).digest()}, None, False)
    assert digest_block(block, 0, len(block), (), ("sha1",), http=True) == (
        {}, {RAW: {"sha1": hashlib.sha1(b"5\r\nhel").digest()}}, True)
    long = head + b"X: " + b"a" * (ONE_MIB + 10) + b"\r\n\r\n0\r\n\r\n"
    assert digest_block(long, 0, len(long), (), ("sha1",), http=True) == ({}, None, False)


@pytest.mark.parametrize("block", [b"\n\r\nbody", b"\n\nbody"])
def test_an_http_message_with_no_header_lines(block: bytes) -> None:
    """A block starting with its blank line has the rest as its payload, in memory and streamed."""
    expected = {RAW: {"sha1": hashlib.sha1(b"body").digest()}}
    assert digest_block(block, 0, len(block), (), ("sha1",), http=True)[1] == expected
    assert streamed(block, [], (), ("sha1",), True)[1] == expected
