"""Tests for provpack.warciter: warcio's iterator, its warnings logged through provpack, never printed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

import provpack
from provpack.warciter import QuietArchiveIterator

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
