"""The scanner's state: its window on a WARC stream's decompressed bytes, and what it has found so far."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .problems import Problem
from .warcstream import Gap, Source

PAST_END = 1 << 62  # the overrun of a block that runs past the end of the file (see ScanBuffer._overrun)


class ScanBuffer:
    """Decompressed bytes read chunk by chunk from a Source; the problems, warnings and counts found in them."""

    def __init__(self, source: Source, *, segment: bool = False) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.records = 0
        self.verified = 0
        self.unverified = 0
        self.counts: Counter[str] = Counter()
        self._chunks: Iterator[bytes | Gap] = source.chunks()
        self._buf = b""
        self._pos = 0
        self._base = source.upos  # decompressed offset of _buf[0]
        self._eof = False
        self._gap = False
        self._silent = False  # skip to the next record without calling the bytes junk
        # While skipping after a block whose Content-Length was wrong: the decompressed offset its declared
        # length (and CRLF CRLF) reached. A record head mid-line before it starts a record when the records
        # from there on reach past it (a record cut short), not when they end before it (a record quoted).
        self._overrun: int | None = None
        # While so skipping: the decompressed offset of a line start before the overrun whose records come to a
        # damaged one (-1: none), the record start unless a sound one follows before the overrun (warcscan).
        self._tentative = -1
        # While skipping after a record of a plain WARC whose header has no end within MAX_HEADER bytes: it has no
        # block, so a record head found past its start, at a line start or not, is the next record
        # (warcscan._next_candidate). (In gzip data the next record starts the next member, as the readers resume.)
        self._endless = False
        self._rec_offset: int | None = None
        self._rec_id: str | None = None
        self._rec_failed = False
        # A segment is the second part of a file verified in parallel (see verifysplit.absorb).
        self._segment = segment

    # -- problems ---------------------------------------------------------------------------

    def source_problem(self, offset: int, kind: str, message: str, cuts: bool,
                       skipped: tuple[int, int] | None = None) -> None:
        """A problem found by the stream reader (gzip level); tied to the record being read, if any, when it `cuts`
        it (bytes were lost there: a gap follows); else (a gzip member's wrong trailer) no record's. `skipped`: the
        raw offsets of the bytes skipped unread after it (see warcstream.Report)."""
        if cuts and self._rec_offset is not None:
            self._rec_failed = True
            self.problems.append(Problem(offset, self._rec_id, kind, message, skipped))
        else:
            self.problems.append(Problem(offset, None, kind, message, skipped))

    def _problem(self, kind: str, message: str) -> None:
        self._rec_failed = True
        self.problems.append(Problem(self._rec_offset, self._rec_id, kind, message))

    # -- buffer -----------------------------------------------------------------------------

    def _more(self) -> bool:
        """Append the next decompressed chunk; False at the end of the stream or at a gap."""
        if self._eof or self._gap:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            return False
        if isinstance(chunk, Gap):
            self._gap = True
            return False
        if self._pos:
            self._base += self._pos
            self._buf = self._buf[self._pos :] + chunk
            self._pos = 0
        elif self._buf:
            self._buf += chunk
        else:
            self._buf = chunk
        return True

    def _drop_buffer(self) -> None:
        self._base += len(self._buf)
        self._buf = b""
        self._pos = 0

    def _restart(self, upos: int) -> None:
        """Read again from decompressed offset `upos` (seekable input only)."""
        if not self.source.can_restart():
            return
        self._chunks = self.source.restart(upos)
        self._buf = b""
        self._pos = 0
        self._base = upos
        self._eof = False
        self._gap = False
