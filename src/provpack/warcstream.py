"""Decompressed WARC bytes: the Source every reader of a WARC stream offers, and the plain one.

A Source yields the decompressed bytes in order, with GAP where bytes were lost, and maps a
decompressed offset back to the raw offset to report. A plain (uncompressed) WARC is its raw
bytes as they are; gzip is gzipsource.py's, and which one a stream needs is sniff.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .rawreader import RawReader

# (offset, kind, message, cuts, skipped): `cuts` when bytes were lost there (a GAP follows), which cuts the record being
# read; not for a problem of a gzip member whose output was all passed on (a wrong trailer), which is no record's.
# `skipped`: the raw offsets [start, end) of the bytes that reading skipped unread after a corrupt gzip member, or None.
Report = Callable[[int, str, str, bool, tuple[int, int] | None], None]


class Gap:
    """Marks a break in the decompressed stream: bytes were lost to a corrupt or cut-off member."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "GAP"


GAP = Gap()


class Source:
    """Decompressed WARC bytes from a raw stream, with the raw offset of every member start."""

    compressed = False

    def __init__(self, raw: RawReader, first: bytes, report: Report) -> None:
        self.raw = raw
        self._first = first
        self._report = report
        self._reported: set[tuple[str, int]] = set()
        self.upos = 0  # decompressed offset of the next byte yielded

    def chunks(self) -> Iterator[bytes | Gap]:
        """Decompressed data in order; GAP where bytes were lost."""
        raise NotImplementedError

    def member_offset(self, upos: int) -> int:
        """The raw offset to report for a record starting at decompressed offset `upos`."""
        return upos

    def is_member_start(self, upos: int) -> bool:
        """True when a gzip member starts exactly at decompressed offset `upos`."""
        return False

    def locate(self, upos: int) -> tuple[int, bool]:
        """For a record starting at `upos`: (offset to report, starts a gzip member or is plain).

        Forgets everything before it: nothing earlier will be asked about again.
        """
        return upos, True

    def boundary(self, split: int, upos: int, empty: bool) -> int:
        """For a reader about to look for a record at decompressed offset `upos` (`empty`: it holds no
        unread data): 1 when everything before raw offset `split` has been read and nothing after it,
        -1 when reading has gone past `split`, else 0."""
        if upos == split:
            return 1
        return -1 if upos > split else 0

    def can_restart(self) -> bool:
        """True when reading can go back to an earlier decompressed offset."""
        return self.raw.seekable()

    def restart(self, upos: int) -> Iterator[bytes | Gap]:
        """Decompressed data again, from `upos` on (needs a seekable stream)."""
        raise NotImplementedError

    def report(self, offset: int, kind: str, message: str, cuts: bool = True,
               skipped: tuple[int, int] | None = None) -> None:
        """Pass a problem on once, even when a restart reads the same bytes again; `cuts`, `skipped`: see Report."""
        key = (kind, offset)
        if key not in self._reported:
            self._reported.add(key)
            self._report(offset, kind, message, cuts, skipped)


class PlainSource(Source):
    """An uncompressed WARC: the raw bytes themselves."""

    def chunks(self) -> Iterator[bytes | Gap]:
        """The raw stream in large blocks."""
        data = self._first
        self._first = b""
        while data:
            self.upos += len(data)
            yield data
            data = self.raw.read()

    def restart(self, upos: int) -> Iterator[bytes | Gap]:
        """The raw stream again from `upos`."""
        self.raw.seek(upos)
        self.upos = upos
        self._first = self.raw.read()
        return self.chunks()

