"""First bytes -> the Source that reads them: gzip (known by its magic bytes, not the file name) or plain."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from .gzipsource import GZIP_MAGIC, PROBE, GzipSource, starts_warc_member
from .rawreader import RawReader
from .warcstream import PlainSource, Report, Source


class NotWarcError(Exception):
    """The input starts with neither a gzip member nor `WARC/`."""


def open_source(raw: RawReader, report: Report) -> Source:
    """Look at the first bytes and pick the reader; NotWarcError when nothing in them looks like a WARC.

    A WARC whose first bytes are damaged is still read (the damage is reported as junk or a bad
    gzip member) when a WARC record, a gzip member holding one, or WARC header fields appear in
    the first block.
    """
    first = b""
    while len(first) < 5:
        more = raw.read()
        if not more:
            break
        first += more
    if first == GZIP_MAGIC[:1]:
        return GzipSource(raw, first, report)
    if first.startswith(GZIP_MAGIC):
        if _gzip_of_something_else(first):
            raise NotWarcError("it is gzip, but what it holds does not start with a WARC record (WARC/)")
        return GzipSource(raw, first, report)
    if first.startswith(b"WARC/") or (first and b"WARC/".startswith(first)):
        return PlainSource(raw, first, report)
    if not first:
        raise NotWarcError("the file is empty")
    if _damaged_gzip_header(first) or any(
        starts_warc_member(first, idx) for idx in _all(first, b"\x1f\x8b\x08")
    ):
        return GzipSource(raw, first, report)
    if any(mark in first for mark in (b"\nWARC/1.", b"\r\nWARC-Record-ID:", b"\r\nWARC-Type:")):
        return PlainSource(raw, first, report)
    shown = first[:16].hex(" ")
    raise NotWarcError(
        f"starts with bytes {shown}, neither gzip (1f 8b) nor a WARC record (WARC/),"
        " and no WARC record follows in the first MiB"
    )


def _gzip_of_something_else(data: bytes) -> bool:
    """True when the first member decompresses cleanly to something that is not a WARC record,
    and no member in `data` holds one; a damaged first member is a damaged WARC, not another format."""
    trial = zlib.decompressobj(31)
    try:
        out = trial.decompress(data[:PROBE], 5)
    except zlib.error:
        return False
    if out == b"WARC/" or len(out) < 5 and not trial.eof:
        return False
    return not any(starts_warc_member(data, idx) for idx in _all(data, b"\x1f\x8b\x08"))


def _damaged_gzip_header(data: bytes) -> bool:
    """True when a plain 10-byte gzip header with a damaged magic is followed by deflate data of a WARC record."""
    if len(data) < 11 or data[2] != 8:
        return False
    trial = zlib.decompressobj(-15)
    try:
        return trial.decompress(data[10 : 10 + PROBE], 5) == b"WARC/"
    except zlib.error:
        return False


def _all(data: bytes, needle: bytes) -> Iterator[int]:
    """Every index of `needle` in `data`."""
    idx = data.find(needle)
    while idx >= 0:
        yield idx
        idx = data.find(needle, idx + 1)
