"""Walk the records of a decompressed WARC stream: find each record start, report junk, resynchronise.

An independent reader: it follows the WARC 1.0/1.1 rules and docs/format.md, and
imports nothing of provpack's writer.
"""

from __future__ import annotations

from . import problems as kinds
from .problems import Problem
from .quickread import QuickReader
from .recordcheck import MAX_HEADER
from .scanbuffer import PAST_END
from .warcstream import Gap, Source

_VERSION_LINES = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
_VERSION_LINE = 10  # the length of either
CHAIN_LIMIT = 1 << 20  # records followed this far past a record head inside a wrong block (see Scanner._chain_reaches)
DEAD_ENDS = 1 << 16  # record starts remembered as leading to a dead end (see Scanner._chain_reaches)


class Scanner(QuickReader):
    """Reads one WARC stream record by record and collects problems, warnings, counts and notes.

    The walk from record to record lives here: where each record starts, and what lies between
    records (junk) or is skipped to resynchronise. Each record is read by the quick path
    (quickread.py) when it can be, else by the full reader (recordcheck.py).
    """

    def __init__(self, source: Source, *, segment: bool = False, deep: bool = False,
                 after_records: bool = False) -> None:
        super().__init__(source, segment=segment, deep=deep)
        self._start = source.upos  # where reading began
        # Whether records may come before where reading began (a second part, or a read from a later offset): else
        # junk at the end with no record read before it is said to be all there is.
        self._after_records = segment or after_records
        # (problem index, start, end, last) of the junk found in a gzip stream, by decompressed offsets: a segment's
        # messages are rebased on them, and sniff.check_end's say the junk without them
        self.junk: list[tuple[int, int, int, bool]] = []
        self.starts_with_record = False
        self._searched = (-1, -1)  # (decompressed offset of a version line, how far its header end was looked for)
        # The record starts whose records, followed for the target _dead_for, come to a damaged record (True) or
        # end well followed by something else (False): each record is followed once, however many start before it.
        self._dead: dict[int, bool] = {}
        self._dead_for = -1

    # -- walking ----------------------------------------------------------------------------

    def walk(self, split: int | None = None) -> bool:
        """Read records to the end of the stream; or, given a raw offset `split`, stop when the next
        record starts there and nothing read so far runs on past it (True), or return False as soon
        as reading has gone past it."""
        first = self._segment
        while True:
            buf, pos = self._buf, self._pos
            if split is not None and not self._gap:
                where = self.source.boundary(split, self._base + pos, pos == len(buf))
                if where:
                    return where > 0
            if pos == len(buf):
                chunk = next(self._chunks, None) if not (self._eof or self._gap) else None
                if chunk is None:
                    if not self._gap:
                        self._eof = True
                        break  # clean end of the stream
                elif isinstance(chunk, Gap):
                    self._gap = True
                else:  # what _more() does, for an emptied buffer
                    self._base += pos
                    self._buf = chunk
                    self._pos = 0
            if not self._gap and self._buf.startswith(b"WARC/", self._pos):
                self._silent = False
                self._overrun = None
                self._endless = False
                if first:
                    self.starts_with_record = self._base + self._pos == self._start
            elif not self._find_record_start():
                break
            first = False
            if not self._express():
                self._read_record()
            self._rec_offset = None
            self._rec_id = None
            self._context = None
        return False

    @property
    def silent(self) -> bool:
        """True when bytes before the next record would be skipped without being called junk."""
        return self._silent

    @property
    def upos(self) -> int:
        """The decompressed offset of the next byte to read."""
        return self._base + self._pos

    def finish(self) -> None:
        """At the end of the file: provenance records whose resource, or whose original's records, never came."""
        self._late(self.provenance.finish())
        self._late(self.origins.finish())

    def _find_record_start(self) -> bool:
        """Move to the next record start; report what had to be skipped. False at the end."""
        junk_start: int | None = None
        undecided = False  # a record head whose verdict waits for more bytes (or for the end of the stream)
        retried = False
        resumed = False  # after a gap: reading may have resumed inside a record (see _next_candidate)
        while True:
            if self._gap:
                self._gap = False
                resumed = True
                self._drop_buffer()
                junk_start = None
                self._silent = True
                self._overrun = None
                self._endless = False
                self._tentative = -1
            buf, pos = self._buf, self._pos
            if len(buf) - pos >= 5:
                verdict = 0
                if junk_start is None:
                    # Where a record was due (or the first bytes after a gap, or the start of a block whose
                    # Content-Length was wrong, or a line or member start read again from inside it).
                    verdict = self._takes(pos) if buf.startswith(b"WARC/", pos) else 0
                    if verdict == 1:
                        self._silent = False
                        self._overrun = None
                        self._endless = False
                        self._tentative = -1
                        return True
                    if verdict == 2:
                        self._tentative = self._base + pos
                    if verdict >= 0:
                        junk_start = self._base + pos
                if verdict >= 0:
                    found, resume = self._next_candidate(pos + 1, resumed)
                    if found >= 0:
                        self._pos = found
                        self._end_junk(junk_start, self._base + found, last=False)
                        self._silent = False
                        self._overrun = None
                        self._endless = False
                        self._tentative = -1
                        return True
                    self._pos = resume
                    undecided = resume < len(buf) - 5
                else:
                    undecided = True
            if not self._more():
                if self._gap:
                    continue
                if undecided and self._eof and not retried:
                    retried = True  # (decided now that the end of the stream is known)
                    continue
                rest = self._buf[self._pos :]
                if junk_start is None and rest and b"WARC/".startswith(rest) and not self._silent:
                    self.problems.append(Problem(
                        self.source.member_offset(self._base + self._pos), None, kinds.TRUNCATED,
                        f"the file ends {len(rest)} bytes into a record: it is cut off",
                    ))
                    return False
                if rest and junk_start is None:
                    junk_start = self._base + self._pos
                self._end_junk(junk_start, self._base + len(self._buf), last=True)
                return False

    def _next_candidate(self, start: int, resumed: bool = False) -> tuple[int, int]:
        """The buffer index of the next record start from `start` on (-1: none yet), and the index to
        look again from (the byte before the next one to consider) once more bytes have come.

        A record starts at a `WARC/` at a line start or a gzip member start (see _takes); and at a
        version line `WARC/1.0` or `WARC/1.1` anywhere, when its header parses to a Content-Length,
        while junk is being reported (a stray byte before a record must not swallow the record); or,
        while the block of a record whose Content-Length was wrong is skipped silently, when its header
        also has a WARC-Record-ID and a WARC-Type and the records from it on, each followed at once by
        the next, reach past where that Content-Length ended (a record cut short must not swallow
        the next record; a record quoted in the block, which ends inside it, is not taken for one).
        A line start whose records come to a damaged one (the tentative start) is taken unless a sound
        start follows it before that point (and within CHAIN_LIMIT bytes): then it was a record quoted
        in the block, itself cut short with it.

        When `resumed` (after a gap, where reading may have resumed at a gzip member inside a record: a file
        gzipped in pieces of its bytes), a line start is taken only for a version line whose header parses
        to a Content-Length (see _sound_header_at): the rest of the record the gap cut may hold any text.
        """
        buf = self._buf
        base = self._base
        loose = not self._silent
        overrun = self._overrun
        endless = self._endless
        tentative = self._tentative - base if self._tentative >= 0 else -1
        idx = buf.find(b"WARC/", start)
        while idx >= 0:
            if tentative >= 0 and (base + idx >= (overrun or 0) or idx - tentative > CHAIN_LIMIT):
                return tentative, tentative
            if buf[idx - 1] == 10 or self.source.is_member_start(base + idx):
                verdict = 1 if overrun is None else self._takes(idx)
                if resumed and verdict == 1 and not self.source.is_member_start(base + idx):
                    verdict = self._sound_header_at(idx)
                if verdict == 1:
                    return idx, idx
                if verdict == 2 and tentative < 0:
                    tentative = idx
                    self._tentative = base + idx
                if verdict < 0:  # undecided until more bytes come (the tentative start kept)
                    return -1, tentative if tentative >= 0 else idx - 1
            elif loose or overrun is not None or endless:
                verdict = self._sound_header_at(idx, whole=not loose)
                if verdict > 0 and overrun is not None:
                    verdict = self._chain_reaches(idx, overrun)
                if verdict > 0:
                    return idx, idx
                if verdict < 0:
                    return -1, tentative if tentative >= 0 else idx - 1
            idx = buf.find(b"WARC/", idx + 1)
        if tentative >= 0:
            if self._eof or base + len(buf) >= (overrun or 0) + 5 or len(buf) - tentative > CHAIN_LIMIT:
                return tentative, tentative
            return -1, tentative
        return -1, max(start - 1, len(buf) - 5)

    def _takes(self, idx: int) -> int:
        """For a `WARC/` at a line start or a gzip member start at buffer index `idx`: 1 when a record starts
        there, 0 when not, 2 when one starts there unless a sound one follows (see _next_candidate), -1 when
        the buffer does not reach far enough to tell.

        Always, but while the block of a record whose Content-Length was wrong is skipped: then, before
        the point where that Content-Length ended, only at a gzip member start, or where the records
        from there on, each followed at once by the next, reach past that point, not where one of them
        ends well and something else follows (the records of a WARC stored in the block, which end inside
        it, are not taken for records of the file). Where they come to a record that cannot be followed,
        a record cut short must not swallow the next record, even a damaged one; but the last record
        of a stored WARC cut short with its block looks the same: 2 (when the block ran past the end of
        the file, 1)."""
        overrun = self._overrun
        at = self._base + idx
        if overrun is None or at >= overrun or self.source.is_member_start(at):
            return 1
        return self._chain_reaches(idx, overrun, damaged=1 if overrun == PAST_END else 2)

    def _sound_header_at(self, idx: int, *, whole: bool = False) -> int:
        """1 when a version line and a header with a Content-Length (`whole`: and a WARC-Record-ID and a
        WARC-Type) start at buffer index `idx`, 0 when not, -1 when the buffer does not reach far
        enough to tell (the answer never depends on how the stream was cut into chunks)."""
        buf = self._buf
        if len(buf) - idx < _VERSION_LINE:
            return -1
        if buf[idx : idx + _VERSION_LINE] not in _VERSION_LINES:
            return 0
        at = self._base + idx
        since = idx + _VERSION_LINE - 2
        if self._searched[0] == at:
            since = max(since, self._searched[1] - self._base - 3)
        end = buf.find(b"\r\n\r\n", since)
        if end < 0:
            if len(buf) - idx > MAX_HEADER:
                return 0
            self._searched = (at, self._base + len(buf))
            return -1
        if end + 4 - idx > MAX_HEADER:
            return 0
        header = self._headers.parse(buf[idx : end + 2])
        # A Content-Length is enough: the record's other faults (no WARC-Date, a line with no colon) are
        # reported on it, as for a record found at a line start, instead of swallowing it as junk.
        if header.length is None:
            return 0
        if whole and not (b"warc-record-id" in header.fields and b"warc-type" in header.fields):
            return 0
        return 1

    def _chain_reaches(self, idx: int, target: int, damaged: int = 0) -> int:
        """1 when the records from buffer index `idx` on, each followed at once by the next, reach decompressed
        offset `target`, the end of the stream, or CHAIN_LIMIT bytes past `idx`; 0 when one of them ends
        (with its CRLF CRLF) before it and something else follows; `damaged` when one of them cannot be
        followed (no end to its header within 1 MiB, no number for Content-Length, or its block not followed by
        CRLF CRLF); -1 when the buffer does not reach far enough to tell."""
        buf = self._buf
        base = self._base
        if self._dead_for != target:
            self._dead.clear()
            self._dead_for = target
        dead = self._dead
        followed: list[int] = []
        at = idx
        while base + at < target and at - idx <= CHAIN_LIMIT:
            known = dead.get(base + at)
            if known is not None:  # (followed from an earlier start)
                broken = known
                break
            if at >= len(buf):
                return 1 if self._eof else -1
            if not buf.startswith(b"WARC/", at):
                if self._eof and b"WARC/".startswith(buf[at:]):
                    return 1
                if not self._eof and len(buf) - at < 5:
                    return -1
                broken = False
                break
            followed.append(base + at)
            end = buf.find(b"\r\n\r\n", at)
            if end < 0:
                if len(buf) - at <= MAX_HEADER:
                    return 1 if self._eof else -1
                broken = True
                break
            if end + 4 - at > MAX_HEADER:
                broken = True
                break
            length = self._headers.parse(buf[at : end + 2]).length
            if length is None:
                broken = True
                break
            at = end + 4 + length + 4
            if at <= len(buf) and not buf.startswith(b"\r\n\r\n", at - 4):
                broken = True
                break
        else:
            return 1
        if len(dead) > DEAD_ENDS:
            dead.clear()
        for start in followed:
            dead[start] = broken
        return damaged if broken else 0

    def _end_junk(self, junk_start: int | None, end: int, *, last: bool) -> None:
        if junk_start is None or self._silent or end <= junk_start:
            return
        if self.source.compressed:
            self.junk.append((len(self.problems), junk_start, end, last))
        alone = last and not self.records and not self._after_records
        self.problems.append(Problem(
            self.source.member_offset(junk_start), None, kinds.JUNK,
            junk_message(junk_start, end, compressed=self.source.compressed, last=last, alone=alone),
        ))


def junk_message(start: int, end: int, *, compressed: bool, last: bool, alone: bool = False) -> str:
    """Words for junk from decompressed offset `start` to `end`: before the next record, after the last (`last`),
    or, `alone`, with no record before or after it (the file holds none that could be read)."""
    if alone:
        where = ", with no record before or after them"
    else:
        where = " after the last record" if last else " before the next record"
    at = f" (decompressed offset {start})" if compressed else ""
    count = end - start
    return f"{count} byte{'' if count == 1 else 's'}{at} that {'is' if count == 1 else 'are'} not a WARC record{where}"
