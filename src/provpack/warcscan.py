"""Walk the records of a decompressed WARC stream: find each record start, report junk, resynchronise.

An independent reader: it follows the WARC 1.0/1.1 rules and docs/format.md, and
imports nothing of provpack's writer.
"""

from __future__ import annotations

from . import problems as kinds
from .problems import Problem
from .quickread import QuickReader
from .warcstream import Gap, Source


class Scanner(QuickReader):
    """Reads one WARC stream record by record and collects problems, warnings, counts and notes.

    The walk from record to record lives here: where each record starts, and what lies between
    records (junk) or is skipped to resynchronise. Each record is read by the quick path
    (quickread.py) when it can be, else by the full reader (recordcheck.py).
    """

    def __init__(self, source: Source, *, segment: bool = False, deep: bool = False) -> None:
        super().__init__(source, segment=segment, deep=deep)
        self._start = source.upos  # where reading began
        self.junk: list[tuple[int, int, int, bool]] = []  # (problem index, start, end, last): gzip segment
        self.starts_with_record = False

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
        """At the end of the file: provenance records whose resource never came."""
        self.problems.extend(self.provenance.finish())

    def _find_record_start(self) -> bool:
        """Move to the next `WARC/` record start; report what had to be skipped. False at the end."""
        junk_start: int | None = None
        while True:
            if self._gap:
                self._gap = False
                self._drop_buffer()
                junk_start = None
                self._silent = True
            buf, pos = self._buf, self._pos
            if len(buf) - pos >= 5:
                if buf.startswith(b"WARC/", pos):
                    self._end_junk(junk_start, self._base + pos, last=False)
                    self._silent = False
                    return True
                if junk_start is None:
                    junk_start = self._base + pos
                found = self._next_candidate(pos + 1)
                if found >= 0:
                    self._pos = found
                    continue
                self._pos = max(pos + 1, len(buf) - 5)
            if not self._more():
                if self._gap:
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

    def _next_candidate(self, start: int) -> int:
        """Index in the buffer of the next `WARC/` at a line start or a gzip member start, or -1."""
        buf = self._buf
        idx = buf.find(b"WARC/", start)
        while idx >= 0:
            if (idx > 0 and buf[idx - 1] == 10) or self.source.is_member_start(self._base + idx):
                return idx
            idx = buf.find(b"WARC/", idx + 1)
        return -1

    def _end_junk(self, junk_start: int | None, end: int, *, last: bool) -> None:
        if junk_start is None or self._silent or end <= junk_start:
            return
        if self._segment and self.source.compressed:
            self.junk.append((len(self.problems), junk_start, end, last))  # decompressed offsets to rebase
        self.problems.append(Problem(
            self.source.member_offset(junk_start), None, kinds.JUNK,
            junk_message(junk_start, end, compressed=self.source.compressed, last=last),
        ))


def junk_message(start: int, end: int, *, compressed: bool, last: bool) -> str:
    where = "after the last record" if last else "before the next record"
    at = f" (decompressed offset {start})" if compressed else ""
    return f"{end - start} bytes{at} that are not a WARC record {where}"
