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
