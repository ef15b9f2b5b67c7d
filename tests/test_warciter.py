"""Tests for provpack.warciter: warcio's iterator, its warnings logged through provpack, never printed."""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

import provpack
from provpack.defaults import MAX_HEADER_BYTES
from provpack.warciter import QuietArchiveIterator, read_head

SPACED_URI = "http://example.com/a b \x1b[31mRED\x1b[0m"


def spaced_uri_warc(folder: Path) -> Path:
    """A plain WARC whose one record's WARC-Target-URI holds spaces and an escape sequence."""
    block = b"hello\n"
    header = (f"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
              f"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Target-URI: {SPACED_URI}\r\nContent-Type: text/plain\r\n"
              f"Content-Length: {len(block)}\r\n\r\n").encode("utf-8")
    path = folder / "sp.warc"
    path.write_bytes(header + block + b"\r\n\r\n")
    return path


def test_spaces_in_a_target_uri_are_logged_escaped_not_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """warcio's 'Replacing spaces' warning never reaches stderr from the library; provpack logs it, escaped."""
    path = spaced_uri_warc(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert provpack.read_archive(path) == ()
        assert [line.url for line in provpack.index(path)] == ["http://example.com/a%20b%20\x1b[31mRED\x1b[0m"]
    assert capfd.readouterr().err == ""
    assert [r.name for r in caplog.records] == ["provpack.warciter", "provpack.warciter"]
    message = caplog.records[0].getMessage()
    assert message == (f"{path}: the record at byte 0 has spaces in its WARC-Target-URI 'http://example.com/a b "
                       "\\x1b[31mRED\\x1b[0m', which a URI cannot hold; read with %20 in their place, as warcio (and "
                       "pywb, cdxj-indexer) reads it")   # (no `run 'provpack verify'`: verify does not check a URI)
    assert "\x1b" not in message


def test_the_repair_is_warcio_s() -> None:
    """The target URI is repaired as warcio repairs it: <brackets> dropped, spaces read as %20."""
    record = (b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: <http://x.test/a b>\r\n"
              b"Content-Length: 0\r\n\r\n\r\n\r\n")
    (read,) = list(QuietArchiveIterator(io.BytesIO(record)))
    assert read.rec_headers.get_header("WARC-Target-URI") == "http://x.test/a%20b"


def _off_by(records: list[bytes], at: int, delta: int) -> bytes:
    """records[at] with its Content-Length `delta` bytes off, the rest as they are."""
    head, _, rest = records[at].partition(b"\r\n\r\n")
    length = len(rest) - 4
    wrong = head.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + delta), 1)
    return wrong + b"\r\n\r\n" + rest


@pytest.mark.parametrize("delta", [-4, -3, -2, -1, 1, 2, 3, 4])
@pytest.mark.parametrize("kind", ["resource", "metadata", "response"])
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_content_length_a_few_bytes_off_is_said_as_verify_says_it(
        tmp_path: Path, delta: int, kind: str, gzipped: bool) -> None:
    """A Content-Length a few bytes too large (1 to 3 in a plain WARC, 4 in gzip, the block then ending with its
    member), or 1 too small on a block that ends in LF, leaves blank-looking lines after the block, which warcio
    reads past without a word: show and extract (read_archive) and index said nothing (exit 0). What verify finds
    there (bad-length: the block not followed by CRLF CRLF), they say, in its words, for every delta (a JSON block
    cut short too: not as JSON that does not parse). (The last record's block run on into the end of the file is
    verify's `truncated`, said so: another test's.)"""
    from warcbuild import http_response, provpack_records, record, texts, warc

    from provpack.cdxj import index
    from provpack.errors import IntegrityError
    from provpack.verify import verify

    records = provpack_records(texts(2))   # warcinfo, resource, metadata, resource, metadata
    records.insert(1, record("response", http_response(b"<html>a</html>")[0], target="http://example.com/",
                             content_type="application/http; msgtype=response"))   # (not last: see below)
    at = {"response": 1, "resource": 2, "metadata": 3}[kind]
    assert records[at].endswith(b">\r\n\r\n" if kind == "response" else b"\n\r\n\r\n")
    path = tmp_path / ("x.warc.gz" if gzipped else "x.warc")
    path.write_bytes(warc(records[:at] + [_off_by(records, at, delta)] + records[at + 1:], gzip=gzipped))
    (found,) = [(p.offset, p.message) for p in verify(path).files[0].problems if p.kind == "bad-length"]
    said = f"{path}: the record at byte {found[0]}: {found[1]}; `provpack verify` gives the full report"
    assert found[1].endswith(", not CRLF CRLF: Content-Length is wrong or the block was altered")
    with pytest.raises(IntegrityError) as caught:
        provpack.read_archive(path)
    assert (str(caught.value), caught.value.offset) == (said, found[0])
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(path, records=None, express=express))
        assert (str(caught.value), caught.value.offset) == (said, found[0]), express



@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("size", [1024 * 1024, 1024 * 1024 + 1, 1024 * 1024 + 2])
def test_the_1_mib_header_limit_counts_the_blank_line_as_verify_does(tmp_path: Path, size: int,
                                                                      gzipped: bool) -> None:
    """docs/verify.md: a WARC header of more than 1,048,576 bytes, counting the blank line that ends it, is
    malformed; show, extract and index (and wacz: warciter and recordwalk) take it for damage at the same size, in
    verify's words. Headers of 1,048,575 and 1,048,576 bytes without that blank line were read by them, while verify
    exited 1; one over the limit made them exit 2 ("not a readable WARC file"), where it is damage read past."""
    from warcbuild import record, warc

    from provpack.cdxj import index
    from provpack.errors import IntegrityError
    from provpack.verify import verify

    small, last = (record("resource", b"hello", target="http://example.com/") for _ in range(2))
    bare = record("resource", b"hello", target="http://example.com/", headers=[("X-Pad", "")])
    pad = size - (bare.index(b"\r\n\r\n") + 4)
    big = record("resource", b"hello", target="http://example.com/", headers=[("X-Pad", "x" * pad)])
    assert big.index(b"\r\n\r\n") + 4 == size
    path = tmp_path / ("x.warc.gz" if gzipped else "x.warc")
    path.write_bytes(warc([small, big, last], gzip=gzipped))
    at = len(warc([small], gzip=gzipped))
    problems = [(p.offset, p.kind, p.message) for p in verify(path).files[0].problems]
    if size <= 1024 * 1024:
        assert problems == []
        assert provpack.read_archive(path) == ()
        assert provpack.reader.read_listing(path).records == 3
        for express in (True, False):
            assert len(list(index(path, records=None, express=express))) == 3
        return
    assert problems == [(at, "malformed-header", "no blank line ends the header within 1048576 bytes")]
    said = (f"{path}: the record at byte {at}: no blank line ends the header within 1048576 bytes; `provpack verify` "
            "gives the full report")
    with pytest.raises(IntegrityError) as caught:
        provpack.read_archive(path)
    assert (str(caught.value), caught.value.offset) == (said, at)
    damage: list[IntegrityError] = []
    assert provpack.reader.read_listing(path, on_damage=damage.append).records == 2   # the two records around it
    assert [str(error) for error in damage] == [said]
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(path, records=None, express=express))
        assert (str(caught.value), caught.value.offset) == (said, at), express


# -- HTTP heads: read_head -------------------------------------------------------------------------------------------

RESPONSE = StatusAndHeadersParser(ArcWarcRecordLoader.HTTP_TYPES, verify=False)
REQUEST = StatusAndHeadersParser(ArcWarcRecordLoader.HTTP_VERBS, verify=False)


def both_heads(parser: StatusAndHeadersParser, data: bytes) -> tuple[Any, Any]:
    """What warcio's parser and read_head give for `data`: (protocol, status line, fields, length read, the bytes
    left), or the exception's type and text."""
    out: list[Any] = []
    for parse in (parser.parse, lambda stream: read_head(parser, stream)):
        stream = io.BytesIO(data)
        try:
            head = parse(stream)
        except (EOFError, StatusAndHeadersParserException) as exc:
            out.append((type(exc), str(exc)))
            continue
        out.append((head.protocol, head.statusline, head.headers, head.total_len, stream.read()))
    return out[0], out[1]


HEAD_LINES = st.lists(st.text(st.sampled_from(["a", "Z", ":", " ", "\t", "é", "\x85", "-", "1"]), max_size=12)
                      .map(lambda text: text.encode("latin-1" if "\x85" in text else "utf-8")), max_size=8)


@given(status=st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.0 404", b"GET /a HTTP/1.1", b"", b" ", b"junk"]),
       lines=HEAD_LINES, end=st.sampled_from([b"\r\n", b"\n", b"  \r\n", b""]))
def test_a_head_is_read_as_warcio_reads_it(status: bytes, lines: list[bytes], end: bytes) -> None:
    """Under MAX_HEADER_BYTES, read_head gives warcio's parser's fields, status line, protocol and length, leaves the
    stream where it does, and fails where it does: continuation lines, lines without a colon, a blank-looking line
    that ends the head, Latin-1 lines, a head the data ends inside (an empty head: EOFError)."""
    data = status + b"\r\n" + b"".join(line + b"\r\n" for line in lines) + end + b"body\r\n" if status else b""
    for parser in (RESPONSE, REQUEST, StatusAndHeadersParser(ArcWarcRecordLoader.HTTP_TYPES, verify=True)):
        warcio_head, ours = both_heads(parser, data)
        assert ours == warcio_head


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_a_head_of_1_mib_is_read_whole(pad: int) -> None:
    """A head whose lines end at byte 1,048,576 (or 1 and 2 bytes before), its last field right there: every field is
    warcio's, none dropped."""
    start = b"HTTP/1.1 200 OK\r\nX-Pad: "
    tail = b"\r\nContent-Type: text/html\r\nX-Last: 1\r\n"
    data = start + b"p" * (MAX_HEADER_BYTES - len(start) - len(tail) - pad) + tail
    assert len(data) == MAX_HEADER_BYTES - pad
    warcio_head, ours = both_heads(RESPONSE, data + b"\r\nbody")
    assert ours == warcio_head and ours[2][-1] == ("X-Last", "1")


def long_head(lines: int, fields: bytes) -> bytes:
    """A response head of `lines` Set-Cookie lines of 100 bytes, then `fields`, a blank line, and a body."""
    return (b"HTTP/1.1 404 Not Found\r\n" + (b"Set-Cookie: c=" + b"x" * 84 + b"\r\n") * lines + fields
            + b"\r\nbody")


KEPT = [b"Content-Type: image/png; q=1", b"content-length: 4", b"Transfer-Encoding: chunked",
        b"Content-Encoding: gzip"]


@pytest.mark.parametrize("before", [0, 12_000])
def test_past_1_mib_the_first_of_the_fields_read_is_kept(before: int) -> None:
    """A head over MAX_HEADER_BYTES (12,000 lines of 100 bytes before the fields, or after them): the status line and
    the first of each of KEPT_FIELDS are warcio's (a second Content-Type, and a continued one, after them change
    nothing), the head's length and where the stream is left too; the other fields past the MiB are dropped."""
    fields = b"".join(line + b"\r\n" for line in KEPT) + b"Content-Type: text/plain\r\n Continued\r\nX-After: 1\r\n"
    data = long_head(before, fields) if before else long_head(0, fields)[:-6] + (
        b"Set-Cookie: c=" + b"x" * 84 + b"\r\n") * 12_000 + b"\r\nbody"
    for parser in (RESPONSE, REQUEST):
        warcio_head, ours = both_heads(parser, data)
        protocol, status, found, total, left = ours
        assert (protocol, status, total, left) == (warcio_head[0], warcio_head[1], warcio_head[3], warcio_head[4])
        assert left == b"body" and total == len(data) - 4
        warcio_fields = warcio_head[2]
        for name in ("Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding"):
            assert (StatusAndHeaders("", found).get_header(name)
                    == StatusAndHeaders("", warcio_fields).get_header(name)), name
        kept = [(name, value) for name, value in warcio_fields if name.lower() != "set-cookie"]
        cookies = [(name, value) for name, value in found if name == "Set-Cookie"]
        # (the Set-Cookie lines that end within the MiB, and, past it, the first of each of KEPT_FIELDS; or, the
        # fields first, all of them)
        assert [(name, value) for name, value in found if name != "Set-Cookie"] == (kept[:4] if before else kept)
        assert len(cookies) == (MAX_HEADER_BYTES - 24 - (0 if before else len(fields))) // 100


def test_a_line_over_1_mib_is_kept_to_its_first_mib() -> None:
    """A status line, or a Content-Type, of 3 MiB: kept to its first MiB (warcio's, to there); the head's length
    and the stream's position are warcio's."""
    reason = b"R" * (3 << 20)
    data = b"HTTP/1.1 200 " + reason + b"\r\nContent-Type: text/" + b"h" * (3 << 20) + b"\r\n\r\nbody"
    warcio_head, ours = both_heads(RESPONSE, data)
    protocol, status, found, total, left = ours
    assert (protocol, total, left) == ("HTTP/1.1", len(data) - 4, b"body") and total == warcio_head[3]
    line = (b"HTTP/1.1 200 " + reason)[:MAX_HEADER_BYTES].decode()
    assert status == line.split(" ", 1)[1] and warcio_head[1].startswith(status)
    content_type = ("Content-Type: text/" + "h" * (3 << 20))[:MAX_HEADER_BYTES].split(": ", 1)[1]
    assert found == [("Content-Type", content_type)]


class Generated:
    """A stream whose bytes are `parts` (any iterable of bytes), made as they are read: no copy of the whole held."""

    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = iter(parts)
        self._held = b""

    def readline(self, length: int = -1) -> bytes:
        while b"\n" not in self._held and (length < 0 or len(self._held) < length):
            part = next(self._parts, None)
            if part is None:
                break
            self._held += part
        end = self._held.find(b"\n") + 1 or len(self._held)
        if 0 <= length < end:
            end = length
        line, self._held = self._held[:end], self._held[end:]
        return line


@pytest.mark.parametrize("lines", [
    [b"X-Big: ", *itertools.repeat(b"a" * (1 << 20), 64), b"\r\n"],   # (one line of 64 MiB)
    itertools.repeat(b"X-L: " + b"a" * 93 + b"\r\n", 400_000),   # (40 MB in 400,000 lines)
], ids=["one line", "many lines"])
def test_a_head_of_any_length_is_read_in_bounded_memory(lines: Iterable[bytes]) -> None:
    """A head of 64 MiB in one line, or of 40 MB in 400,000 lines: read_head holds no more than a few MiB of it at
    once (warcio's parser holds it whole, and twice: as bytes and as text), and finds the Content-Type after it."""
    import tracemalloc

    stream = Generated(itertools.chain([b"HTTP/1.1 200 OK\r\n"], lines, [b"Content-Type: text/html\r\n\r\nbody"]))
    tracemalloc.start()
    try:
        head = read_head(RESPONSE, stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert head.get_header("Content-Type") == "text/html" and head.get_statuscode() == "200"
    assert stream.readline() == b"body" and peak < (8 << 20), peak
