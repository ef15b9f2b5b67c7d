"""Gzip WARC bytes -> decompressed chunks: the members walked one by one.

Reads in large blocks and never holds more than a few MiB. Every gzip member must end with a
correct CRC32 and length (zlib checks both); a member cut off by the end of the file is reported
as truncated, bytes between members that are not gzip as junk, and after a corrupt member
reading resumes at the next member that starts a WARC record.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterator

from . import inflate
from . import problems as kinds
from .rawreader import RawReader
from .warcstream import GAP, Gap, Report, Source

GZIP_MAGIC = b"\x1f\x8b"
_MEMBER_START = GZIP_MAGIC + b"\x08"  # magic and deflate: how (nearly) every gzip member starts
FIRST_FEED = 4096  # compressed bytes fed for a new member; doubles up to MAX_FEED
MAX_FEED = 256 << 10
QUICK_LIMIT = 128 << 10  # the most compressed bytes tried at once for a member (see quick_feed)
MAX_OUT = 1 << 20  # decompressed bytes per zlib call, and per piece of a large member passed on
HOLD = 2  # pieces of a member's output held back with python-isal (see GzipSource)
PROBE = 64 << 10  # compressed bytes tried when testing whether a member holds a WARC record


class GzipSource(Source):
    """A gzip WARC: one member per record, one member for the whole file, or anything between.

    A member's output is passed on whole when it is under MAX_OUT bytes (so that a record in
    its own member reaches the scanner in one piece), else cut at every MAX_OUT bytes of it.
    With python-isal (seekable input only), a member that does not end cleanly is inflated
    again by zlib from its start, so that the report is the same byte for byte either way;
    isal holds back HOLD pieces so that it never passes on more than zlib would.
    """

    compressed = True

    def __init__(self, raw: RawReader, first: bytes, report: Report) -> None:
        super().__init__(raw, first, report)
        self._members: deque[tuple[int, int]] = deque()  # (decompressed start, raw offset)
        self._skip = 0
        self.member_count = 0
        self._last_member = -1  # raw offset of the last member counted
        self.member_end = -1  # raw offset where the member whose last output was just passed on ends
        self._fast = inflate.fast_inflater() if raw.seekable() else None

    def member_offset(self, upos: int) -> int:
        """Raw offset of the member holding decompressed offset `upos` (the last that starts at or before it)."""
        for ustart, coffset in reversed(self._members):
            if ustart <= upos:
                return coffset
        return self._members[0][1] if self._members else 0

    def is_member_start(self, upos: int) -> bool:
        """True when a member's data starts at `upos`."""
        return any(ustart == upos for ustart, _ in self._members)

    def locate(self, upos: int) -> tuple[int, bool]:
        """Raw offset of the member holding `upos`, and whether the member starts there."""
        members = self._members
        while len(members) > 1 and members[1][0] <= upos:
            members.popleft()
        if not members:
            return 0, False
        ustart, coffset = members[0]
        return coffset, ustart == upos

    def boundary(self, split: int, upos: int, empty: bool) -> int:
        """1 when the member that ends at raw offset `split` has been read whole, and nothing after it."""
        if empty and self.member_end == split:
            return 1
        return -1 if self._last_member >= split else 0

    def restart(self, upos: int) -> Iterator[bytes | Gap]:
        """Seek back to the member holding `upos` and skip to it."""
        for ustart, coffset in reversed(self._members):
            if ustart <= upos:
                break
        else:
            raise ValueError(f"no gzip member known before decompressed offset {upos}")
        while self._members and self._members[-1][0] >= ustart:
            self._members.pop()
        self.raw.seek(coffset)
        self.upos = ustart
        self._skip = upos - ustart
        self._first = self.raw.read()
        return self.chunks()

    def chunks(self) -> Iterator[bytes | Gap]:
        """Walk the members, yielding their decompressed bytes."""
        raw = self.raw
        buf = self._first
        self._first = b""
        base = raw.offset - len(buf)  # raw offset of buf[0]
        pos = 0
        upos = self.upos
        skip = self._skip
        self._skip = 0
        members_append = self._members.append
        fast = self._fast
        crc32 = zlib.crc32 if fast is None else fast.crc32
        new_inflater = zlib.decompressobj if fast is None else fast.decompressobj
        bad_data = inflate.errors(fast)
        trailer = inflate.TRAILER.unpack_from
        view = memoryview(buf)
        resync = False
        redo = -1  # raw offset of a member to inflate again with zlib
        quick_feed = FIRST_FEED  # compressed bytes tried at once for a member: twice the largest so far
        while True:
            if len(buf) - pos < 2:
                more = raw.read()
                if more:
                    base += pos
                    buf = buf[pos:] + more
                    pos = 0
                    continue
                if pos >= len(buf):
                    return
                if buf[pos:] == GZIP_MAGIC[:1] and not resync:
                    self.report(base + pos, kinds.TRUNCATED,
                                "gzip member ends after 1 byte: the file is cut off")
                    yield GAP
                    return
            if resync or not buf.startswith(GZIP_MAGIC, pos):
                # Not a member start: junk, or the rest of a corrupt member. Find the next good member.
                start = base + pos
                found, buf, base, pos = self._find_member(buf, base, pos)
                if not resync:
                    end = base + pos if found else raw.offset
                    what = "before the next gzip member" if found else "after the last gzip member"
                    self.report(
                        start, kinds.JUNK, f"{end - start} bytes that are not gzip data {what}"
                    )
                resync = False
                yield GAP
                if not found:
                    return
                continue
            member_start = base + pos
            if (not skip and member_start != redo and len(buf) - pos > 18 and buf[pos + 3] == 0
                    and buf[pos + 2] == 8):
                # The usual case, tried first: a plain header, and the whole member in the first
                # piece fed. Anything else is left to the full walk below, which starts afresh.
                if view.obj is not buf:
                    view = memoryview(buf)
                # Feed up to the trailer before the next gzip magic: when the member ends there (the
                # usual case), the inflater copies no unused input. Else (the magic was inside the
                # deflate data, or there is none in the buffer), feed quick_feed bytes.
                stop = buf.find(_MEMBER_START, pos + 20) - 8
                out = b""
                quick = new_inflater(-15)
                if stop >= 0:
                    try:
                        out = quick.decompress(view[pos + 10 : stop], MAX_OUT)
                    except bad_data:
                        pass
                if not quick.eof:
                    stop = min(len(buf), pos + quick_feed)
                    quick = new_inflater(-15)
                    try:
                        out = quick.decompress(view[pos + 10 : stop], MAX_OUT)
                    except bad_data:
                        out = b""
                if quick.eof and out:
                    end = stop - len(quick.unused_data)
                    if end + 8 <= len(buf) and trailer(buf, end) == (crc32(out), len(out)):
                        members_append((upos, member_start))
                        if member_start > self._last_member:
                            self._last_member = member_start
                            self.member_count += 1
                        pos = end + 8
                        self.member_end = base + pos
                        upos += len(out)
                        yield out
                        continue
            slow = fast is None or member_start == redo
            if member_start != redo:
                members_append((upos, member_start))
                if member_start > self._last_member:
                    self._last_member = member_start
                    self.member_count += 1
            self.member_end = -1
            if len(buf) - pos >= 10 and buf[pos + 3] == 0 and buf[pos + 2] == 8:
                header = 10
            else:
                try:
                    header = inflate.header_length(buf, pos)
                    while not header:
                        more = raw.read()
                        if not more:
                            self.report(
                                member_start, kinds.TRUNCATED,
                                f"gzip member ends after {base + len(buf) - member_start} bytes, inside"
                                " its header: the file is cut off",
                            )
                            yield GAP
                            return
                        base += pos
                        buf = buf[pos:] + more
                        pos = 0
                        header = inflate.header_length(buf, pos)
                except inflate.GzipError as exc:
                    self.report(member_start, kinds.BAD_GZIP, f"gzip member is corrupt: {exc}")
                    resync = True
                    yield GAP
                    pos = min(pos + 1, len(buf))
                    continue
            if view.obj is not buf:
                view = memoryview(buf)
            decomp = zlib.decompressobj(-15) if slow else fast.decompressobj(-15)  # type: ignore[union-attr]
            held = 0 if slow else HOLD * MAX_OUT  # output kept back from passing on while inflating
            resume = pos  # buffer index of the last piece fed (the first counts from the member start)
            pos += header
            feed = max(FIRST_FEED - header, 1)
            first = True
            member_upos = upos
            crc = 0
            produced = 0  # bytes of output of this member so far
            passed = 0  # of which passed on (or skipped after a restart); a multiple of MAX_OUT
            pending: list[bytes] = []  # output from `passed` to `produced`
            outcome = ""  # "end", "truncated", "corrupt" or "bad trailer"
            message = ""
            try:
                while True:
                    if pos >= len(buf):
                        more = raw.read()
                        if not more:
                            outcome = "truncated"
                            break
                        base += len(buf)
                        buf = more
                        pos = resume = 0
                        view = memoryview(buf)
                    if not first:
                        resume = pos
                    first = False
                    piece = view[pos : pos + feed]
                    out = decomp.decompress(piece, MAX_OUT)
                    while True:
                        if out:
                            crc = crc32(out, crc)
                            produced += len(out)
                            pending.append(out)
                            if produced - passed >= MAX_OUT + held:
                                upto = _boundary(produced - held, passed)
                                for data in _cut(pending, passed, upto, skip):
                                    yield data
                                passed = upto
                        if decomp.eof or not decomp.unconsumed_tail:
                            break  # (at the end, zlib leaves what follows in unused_data and in unconsumed_tail)
                        out = decomp.decompress(decomp.unconsumed_tail, MAX_OUT)
                    if decomp.eof:
                        pos += len(piece) - len(decomp.unused_data)
                        outcome = "end"
                        break
                    pos += len(piece)
                    if feed < MAX_FEED:
                        feed *= 2
            except bad_data as exc:
                outcome = "corrupt"
                message = inflate.reason(exc)
            if outcome == "end":
                if pos < 0:  # isal kept input of an earlier buffer: let zlib do this member
                    outcome = "truncated"
                elif len(buf) - pos < 8:
                    base += pos
                    buf = buf[pos:]
                    pos = 0
                    while len(buf) < 8:
                        more = raw.read()
                        if not more:
                            outcome = "truncated"
                            break
                        buf += more
                    view = memoryview(buf)
                if outcome == "end" and trailer(buf, pos) != (crc, produced & 0xFFFFFFFF):
                    try:
                        inflate.check_trailer(buf, pos, crc, produced)
                    except inflate.GzipError as exc:
                        outcome = "bad trailer"
                        message = str(exc)
            if outcome != "end" and not slow:
                # isal stopped short, or the member is bad: inflate it again with zlib from its start,
                # passing on only what isal did not, so that the report is zlib's.
                redo = member_start
                skip = max(skip, passed)
                upos = member_upos
                if member_start >= base:
                    pos = member_start - base
                else:
                    raw.seek(member_start)
                    base = member_start
                    buf = raw.read()
                    pos = 0
                continue
            redo = -1
            if outcome == "bad trailer":
                # The member's data is suspect: only whole MAX_OUT pieces already complete are passed on.
                upto = _boundary(produced, passed)
                for data in _cut(pending, passed, upto, skip):
                    yield data
                upos = member_upos + upto
                skip = 0
                self.report(member_start, kinds.BAD_GZIP, f"gzip member is corrupt: {message}")
                resync = True
                yield GAP
                continue
            if outcome == "end":
                pos += 8
                self.member_end = base + pos  # before passing the output on: see boundary()
                # Members like this one (up to QUICK_LIMIT) are tried whole at once from now on.
                if 2 * (self.member_end - member_start) <= QUICK_LIMIT:
                    quick_feed = max(quick_feed, 2 * (self.member_end - member_start))
            if len(pending) == 1 and not skip and produced <= MAX_OUT:
                yield pending[0]  # the usual case: a small member's whole output
            else:
                for data in _cut(pending, passed, produced, skip):
                    yield data
            upos = member_upos + produced
            skip = 0
            if outcome == "end":
                continue
            if outcome == "truncated":
                missing = "CRC-32 and length trailer" if decomp.eof else "end-of-stream marker"
                self.report(
                    member_start, kinds.TRUNCATED,
                    f"gzip member ends after {raw.offset - member_start} bytes without"
                    f" its {missing}: the file is cut off",
                )
                yield GAP
                return
            self.report(member_start, kinds.BAD_GZIP, f"gzip member is corrupt: {message}")
            resync = True
            yield GAP
            # Resume after the start of the last piece fed: the next member begins there or later.
            pos = min(resume + 1, len(buf))

    def _find_member(self, buf: bytes, base: int, pos: int) -> tuple[bool, bytes, int, int]:
        """Skip to the next gzip member that decompresses to a WARC record start; (found, buf, base, pos)."""
        raw = self.raw
        search = pos
        eof = False
        while True:
            idx = buf.find(b"\x1f\x8b\x08", search)
            if idx >= 0:
                if len(buf) - idx < PROBE and not eof:
                    more = raw.read()
                    if more:
                        base += idx
                        buf = buf[idx:] + more
                        search = 0
                        continue
                    eof = True
                if starts_warc_member(buf, idx):
                    return True, buf, base, idx
                search = idx + 1
                continue
            if eof:
                return False, b"", raw.offset, 0
            keep = max(search, len(buf) - 2)
            more = raw.read()
            if not more:
                return False, b"", raw.offset, 0
            base += keep
            buf = buf[keep:] + more
            search = 0


def starts_warc_member(buf: bytes, idx: int) -> bool:
    """True when the bytes at `idx` decompress (as gzip) to something starting with `WARC/`."""
    trial = zlib.decompressobj(31)
    try:
        out = trial.decompress(buf[idx : idx + PROBE], 5)
    except zlib.error:
        return False
    return out == b"WARC/"


def _cut(pending: list[bytes], passed: int, upto: int, skip: int) -> Iterator[bytes]:
    """Member output [passed, upto) from `pending` (which starts at `passed`), in pieces cut at every
    MAX_OUT bytes of the member; what follows `upto` stays in `pending`. Output before `skip` (the
    restart point) is dropped."""
    if len(pending) == 1 and upto - passed == len(pending[0]) and (upto - 1) // MAX_OUT == passed // MAX_OUT:
        data = pending.pop()  # the usual case: a member's whole output in one piece
        if skip > passed:
            data = data[skip - passed :]
        if data:
            yield data
        return
    joined = b"".join(pending)
    pending.clear()
    offset = passed
    while offset < upto:
        cut = min((offset // MAX_OUT + 1) * MAX_OUT, upto)
        piece = joined[offset - passed : cut - passed]
        if skip > offset:
            piece = piece[skip - offset :]
        if piece:
            yield piece
        offset = cut
    if upto - passed < len(joined):
        pending.append(joined[upto - passed :])


def _boundary(upto: int, passed: int) -> int:
    """Where passing on member output up to `upto` stops: the last MAX_OUT boundary, never before `passed`."""
    return max(passed, upto // MAX_OUT * MAX_OUT)

