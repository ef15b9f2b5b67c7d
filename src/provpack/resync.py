"""Where a WARC record seems to start in raw bytes: a gzip member that holds one, or a plain WARC header.

Used to find a starting point near the middle of a file (verifysplit) and where reading may
resume past damage (reader). A start found here is only likely: the reader that starts
there still checks each record it reads.
"""

from __future__ import annotations

from typing import BinaryIO

from .gzipsource import PROBE, starts_warc_member
from .warcheader import VERSIONS, HeaderParser

__all__ = ["WINDOW", "gzip_start", "next_start", "plain_start"]

WINDOW = 1 << 20  # bytes searched at a time
_PLAUSIBLE_XFL = (0, 2, 4)
_MEMBER = b"\x1f\x8b\x08"


def gzip_start(data: bytes, limit: int = WINDOW) -> int | None:
    """The first index before `limit` where a gzip member starts that decompresses to a WARC record, or None.

    The header must be one a gzip writer gives (no reserved flag, a known XFL and OS byte); `data` should
    hold PROBE bytes past `limit` (or end where the file does) for the member to be tried."""
    idx = data.find(_MEMBER)
    while 0 <= idx < limit:
        if (len(data) - idx >= 10 and not data[idx + 3] & 0xE0 and data[idx + 8] in _PLAUSIBLE_XFL
                and (data[idx + 9] <= 13 or data[idx + 9] == 255) and starts_warc_member(data, idx)):
            return idx
        idx = data.find(_MEMBER, idx + 1)
    return None


def plain_start(data: bytes, limit: int = WINDOW, *, after_record: bool = True) -> int | None:
    """The first index before `limit` where a WARC header starts that parses with a Content-Length and nothing
    wrong, or None. With `after_record`, only right after a CRLF CRLF (where the record before ends): a
    starting point for a sound file; without, anywhere (past bytes that are no record)."""
    needle = b"\r\n\r\nWARC/1." if after_record else b"WARC/1."
    skip = 4 if after_record else 0
    idx = data.find(needle)
    while 0 <= idx < limit:
        start = idx + skip
        end = data.find(b"\r\n\r\n", start)
        if end > 0:
            header = HeaderParser().parse(data[start : end + 2])
            if data[start : start + 8] in VERSIONS and header.length is not None and not header.issues:
                return start
        idx = data.find(needle, idx + 1)
    return None


def next_start(stream: BinaryIO, after: int, *, compressed: bool) -> int | None:
    """The raw offset of the first likely record start past offset `after` in `stream` (gzip members when
    `compressed`, else plain headers anywhere), or None before the end; read a window at a time."""
    position = after + 1
    while True:
        stream.seek(position)
        data = stream.read(WINDOW + PROBE)
        if not data:
            return None
        limit = WINDOW if len(data) > WINDOW else len(data)
        found = gzip_start(data, limit) if compressed else plain_start(data, limit, after_record=False)
        if found is not None:
            return position + found
        if len(data) <= WINDOW:
            return None
        position += WINDOW
