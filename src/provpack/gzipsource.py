"""Gzip WARC bytes -> decompressed chunks: the members walked one by one.

Reads in large blocks and never holds more than a few MiB. Every gzip member must end with a
correct CRC32 and length (zlib checks both); bytes between members that are not gzip are junk.
A member whose deflate data ends but whose CRC32 or length is wrong is reported, and all it
inflates to passed on: the records' digests tell whether more than the trailer is damaged.
A member that does not end properly (its deflate data corrupt, or running on to the end of the
file) is looked into for the next member: when one starts inside it, the member was cut short
there (a crashed writer resumed, or a partial download joined to another file) and reading
resumes there; only when none follows is the file cut off. After a corrupt member (or bytes
that are not gzip), reading resumes at the next member, whether it starts a record or not
(a file gzipped in pieces of its bytes): the reader of its output finds the next record start.
After bytes that are not gzip, a member that starts no record must also end soon after (see
starts_member): a gzip body in an uncompressed record is part of the junk, not a member; after a
damaged member, neither is one right after an HTTP head (see _after_http_head).
"""

from __future__ import annotations

import re
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
BACK = 4 << 20  # how far before the end of a damaged member's data a member cut short is looked for
HEAD_LOOK = 256  # bytes before a member start looked at for the end of an HTTP head (see _after_http_head)
_HTTP_BODY_START = re.compile(rb"\r\n(?:\r\n|[0-9A-Fa-f]{1,16}(?:;[^\r\n]*)?\r\n)\Z")


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
        self.member_end = -1  # (nothing of the member read again has been passed on yet: see boundary())
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
        seekable = raw.seekable()
        read_size = raw.read_size
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
                if buf[pos:] == GZIP_MAGIC[:1]:
                    self.report(base + pos, kinds.TRUNCATED,
                                "gzip member ends after 1 byte: the file is cut off")
                    yield GAP
                    return
            if not buf.startswith(GZIP_MAGIC, pos):
                # Not a member start: junk. Find the next good member.
                start = base + pos
                found, buf, base, pos = self._find_member(buf, base, pos, whole=True)
                end = base + pos if found else raw.offset
                what = "before the next gzip member" if found else "after the last gzip member"
                self.report(
                    start, kinds.JUNK, f"{end - start} bytes that are not gzip data {what}"
                )
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
                            found, buf, base, pos = self._find_member(buf, base, pos + 1)
                            if found:
                                self.report(member_start, kinds.BAD_GZIP, _cut_short(member_start, base + pos, True))
                                yield GAP
                                break
                            self.report(
                                member_start, kinds.TRUNCATED,
                                f"gzip member ends after {raw.offset - member_start} bytes, inside"
                                " its header: the file is cut off",
                            )
                            yield GAP
                            return
                        base += pos
                        buf = buf[pos:] + more
                        pos = 0
                        header = inflate.header_length(buf, pos)
                    if not header:
                        continue  # cut short inside its header: the next member is at pos
                except inflate.GzipError as exc:
                    # (A member starting inside its first 10 bytes, the part every header has, cut it short.)
                    found, buf, base, pos = self._find_member(buf, base, pos + 1)
                    if found and base + pos < member_start + 10:
                        self.report(member_start, kinds.BAD_GZIP, _cut_short(member_start, base + pos, True))
                    else:
                        said, skipped = _corrupt(str(exc), member_start, "its header", buf, base, pos, found)
                        self.report(member_start, kinds.BAD_GZIP, said, skipped=skipped)
                    yield GAP
                    if not found:
                        return
                    continue
            if view.obj is not buf:
                view = memoryview(buf)
            decomp = zlib.decompressobj(-15) if slow else fast.decompressobj(-15)  # type: ignore[union-attr]
            held = 0 if slow else HOLD * MAX_OUT  # output kept back from passing on while inflating
            pos += header
            feed = max(FIRST_FEED - header, 1)
            member_upos = upos
            crc = 0
            produced = 0  # bytes of output of this member so far
            passed = 0  # of which passed on (or skipped after a restart); a multiple of MAX_OUT
            pending: list[bytes] = []  # output from `passed` to `produced`
            outcome = ""  # "end", "truncated", "corrupt" or "bad trailer"
            message = ""
            stopped = -1  # "corrupt": the raw offset where inflating stopped (zlib's, however it was fed)
            behind: list[bytes | memoryview] = []  # earlier bytes of this member, from a stream that cannot seek
            behind_size = 0
            piece = view[pos:pos]
            try:
                while True:
                    # zlib's pieces end where blocks read from the member's start end (as when it inflates python-isal's
                    # member again), not where this read block does: the output that corrupt data loses (that of the
                    # call that fails) is the same however the file was read (a pipe, a second part, isal or not).
                    want = min(feed, read_size - (base + pos - member_start) % read_size) if slow else 1
                    if len(buf) - pos < want:
                        more = raw.read()
                        if more:
                            if not seekable:  # kept to look for a member start in, should this one be cut short
                                behind.append(memoryview(buf)[:pos])
                                behind_size += pos
                                while behind_size - len(behind[0]) >= BACK:
                                    behind_size -= len(behind.pop(0))
                            base += pos
                            buf = buf[pos:] + more if pos < len(buf) else more
                            pos = 0
                            view = memoryview(buf)
                            continue
                        if pos >= len(buf):
                            outcome = "truncated"
                            break
                    piece = view[pos : pos + (want if slow else feed)]
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
                # zlib leaves the input it had not taken when it failed in unconsumed_tail (of the piece, or of the
                # piece's tail fed last): it stops at the same byte however the deflate data was cut into pieces.
                stopped = base + pos + len(piece) - len(decomp.unconsumed_tail)
            if outcome == "end":
                if pos < 0:  # isal kept input of an earlier buffer: let zlib do this member
                    outcome = "truncated"
                elif len(buf) - pos < 8:
                    if not seekable:
                        behind.append(memoryview(buf)[:pos])
                        behind_size += pos
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
                # Its deflate data ended, but the trailer is wrong: cut short, and what inflated after the cut
                # happened to end as deflate data does? (Only when the members from the one starting inside it
                # on reach past its trailer, as a gzip file stored in a record would not.)
                trailer_at = base + pos
                data, data_base, lo = self._bytes_of(member_start, trailer_at + 8, buf, base, behind, behind_size)
                behind = []
                buf, base, pos = data, data_base, trailer_at - data_base
                view = memoryview(buf)
                after = _inner_member(data, member_start - data_base, header, pos) if lo == member_start else -1
                redone = None if after < 0 else _inflate_prefix(data, member_start - data_base, after, passed)
                if redone is not None:
                    pending, produced, in_header = redone
                    produced = max(produced, passed)
                    for out in _cut(pending, passed, produced, skip):
                        yield out
                    upos = member_upos + produced
                    skip = 0
                    self.report(member_start, kinds.BAD_GZIP, _cut_short(member_start, data_base + after, in_header))
                    yield GAP
                    pos = after
                    continue
            if outcome == "bad trailer":
                # Its deflate data ended, so all it inflates to is there: passed on whole (a piece at a time, as
                # ever), for the records' digests to tell whether more than the trailer is damaged. The problem is
                # the member's, said before the rest of its output and cutting no record (no bytes are lost), and
                # reading goes on after the trailer. Unless a member starting a WARC record begins inside the trailer:
                # this one was cut short there (in its trailer, or just after its deflate data), and after its output
                # a gap cuts the record being read, and reading resumes at that member.
                after = _member_in_trailer(buf, pos)
                if after < 0:
                    self.report(member_start, kinds.BAD_GZIP, f"gzip member is corrupt: {message}", cuts=False)
                    pos += 8
                    self.member_end = base + pos  # (before passing the output on: see boundary())
                for data in _cut(pending, passed, produced, skip):
                    yield data
                upos = member_upos + produced
                skip = 0
                if after >= 0:
                    self.report(member_start, kinds.BAD_GZIP, f"gzip member is corrupt: {message}")
                    yield GAP
                    pos = after
                continue
            if outcome == "end":
                pos += 8
                self.member_end = base + pos  # before passing the output on: see boundary()
                # Members like this one (up to QUICK_LIMIT) are tried whole at once from now on.
                if 2 * (self.member_end - member_start) <= QUICK_LIMIT:
                    quick_feed = max(quick_feed, 2 * (self.member_end - member_start))
            if outcome == "corrupt" or (outcome == "truncated" and not decomp.eof):
                # Does another member start inside this one (it was cut short there)? Looked for from its
                # start on, or from BACK bytes before where its data went wrong.
                # A member found before the last piece fed (or the end of the file) is taken when the members
                # from it on reach that far: a gzip file stored inside this member's record is not.
                fed_end = raw.offset if outcome == "truncated" else base + pos + len(piece)
                reach = fed_end if outcome == "truncated" else fed_end - len(piece)
                data, data_base, lo = self._bytes_of(member_start, fed_end, buf, base, behind, behind_size)
                behind = []
                buf, base, pos = data, data_base, lo + 1 - data_base
                while True:
                    found, buf, base, pos = self._find_member(buf, base, pos, floor=lo)
                    if not found or base + pos >= reach or _chain_reaches(buf, pos, reach - base):
                        break
                    pos += 1
                view = memoryview(buf)
                skipped = None
                if found:
                    after = base + pos
                    redone = None
                    if lo == member_start and after <= fed_end:
                        redone = _inflate_prefix(data, member_start - data_base, after - data_base, passed)
                    if redone is not None:
                        # Cut short: what its own bytes inflate to is passed on, not what inflating the next
                        # member's bytes as its continuation gave.
                        pending, produced, in_header = redone
                        produced = max(produced, passed)
                        message = _cut_short(member_start, after, in_header)
                    elif outcome == "truncated":  # (the member's start is out of reach: BACK)
                        message = _cut_short(member_start, after)
                    else:
                        message, skipped = _corrupt(message, stopped, "where inflating stopped", buf, base, pos, True)
                elif outcome == "corrupt":
                    message, skipped = _corrupt(message, stopped, "where inflating stopped", buf, base, pos, False)
                if found or outcome == "corrupt":
                    for out in _cut(pending, passed, produced, skip):
                        yield out
                    upos = member_upos + produced
                    skip = 0
                    self.report(member_start, kinds.BAD_GZIP, message, skipped=skipped)
                    yield GAP
                    if not found:
                        return
                    continue
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
                # Deflate data that runs on to the end of the file: cut off there, or damaged so that its end-of-stream
                # marker is not read as one (a byte flipped near its end), which the file's length alone cannot tell.
                missing = ("CRC-32 and length trailer: the file is cut off" if decomp.eof else
                           "end-of-stream marker: the file is cut off, or the member's data is damaged")
                self.report(
                    member_start, kinds.TRUNCATED,
                    f"gzip member ends after {raw.offset - member_start} bytes without its {missing}",
                )
                yield GAP
                return

    def _bytes_of(self, member_start: int, end: int, buf: bytes, base: int, behind: list[bytes | memoryview],
                  behind_size: int) -> tuple[bytes, int, int]:
        """The raw bytes of a damaged member, from its start or from BACK bytes before raw offset `end` (where
        its data went wrong) to PROBE bytes past `end` (or the end of the file): (data, raw offset of data[0],
        raw offset they are wanted from). From the buffer, the bytes held behind it (a stream that cannot
        seek), or read again; reading goes on after data[-1]."""
        raw = self.raw
        lo = max(member_start, end - BACK)
        if lo >= base:
            data, data_base = buf, base
        elif behind and base - behind_size <= lo:
            data, data_base = b"".join(behind) + buf, base - behind_size
        elif not raw.seekable():  # (not reached: such a stream holds BACK bytes behind the buffer)
            data, data_base, lo = buf, base, base
        else:
            raw.seek(lo)
            data, data_base = raw.read(), lo
        if data_base + len(data) < end + PROBE:
            parts = [data]
            size = len(data)
            while data_base + size < end + PROBE:
                more = raw.read()
                if not more:
                    break
                parts.append(more)
                size += len(more)
            data = b"".join(parts)
        return data, data_base, lo

    def _find_member(self, buf: bytes, base: int, pos: int, whole: bool = False,
                     floor: int = -1) -> tuple[bool, bytes, int, int]:
        """Skip to the next gzip member (see starts_member, and `whole` there: after junk); (found, buf, base, pos).
        With a `floor` (the raw offset a damaged member's bytes are looked into from), one that starts no record is
        not taken where the bytes from `floor` on before it end an HTTP head (see _after_http_head)."""
        raw = self.raw
        search = pos
        eof = False
        while True:
            idx = buf.find(b"\x1f\x8b\x08", search)
            if idx >= 0:
                if len(buf) - idx < PROBE and not eof:
                    more = raw.read()
                    if more:
                        keep = max(idx - HEAD_LOOK, 0)
                        base += keep
                        buf = buf[keep:] + more
                        search = idx - keep
                        continue
                    eof = True
                if starts_member(buf, idx, whole) and (
                        floor < 0 or not _after_http_head(buf, idx, max(floor - base, 0)) or starts_warc_member(buf, idx)):
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


def starts_member(data: bytes, idx: int, whole: bool = False) -> bool:
    """True when a gzip member seems to start at data[idx] (`data` holds PROBE bytes past it, or ends where the
    file does): one that decompresses to a WARC record start; or else one with a whole header whose deflate data,
    in the PROBE bytes from `idx`, inflates without a fault and, when it ends there, is followed by its trailer
    and the next member or the end of the file. (A gzip file that a record holds as it is, in stored deflate
    blocks, is followed by other bytes, or cut by the blocks' own headers.) Looks only at those PROBE bytes,
    however many more `data` holds: how the file was read decides nothing.
    When `whole` (after bytes that are not gzip: an uncompressed WARC, say, whose records may hold gzip bodies
    longer than PROBE), a member that starts no record must end in those PROBE bytes, followed so: a gzip body
    in a record is followed by the record's own bytes, and is not taken for a member of the file."""
    if starts_warc_member(data, idx):
        return True
    window = data[idx : idx + PROBE]
    try:
        header = inflate.header_length(window, 0)
    except inflate.GzipError:
        return False
    if not header:
        return False
    trial = zlib.decompressobj(-15)
    try:
        trial.decompress(memoryview(window)[header:], MAX_OUT)
        while trial.unconsumed_tail and not trial.eof:
            trial.decompress(trial.unconsumed_tail, MAX_OUT)
    except zlib.error:
        return False
    if not trial.eof:
        return not whole
    return _MEMBER_START.startswith(trial.unused_data[8:11])


def _after_http_head(data: bytes, idx: int, lo: int) -> bool:
    """True when data[lo:idx] ends where an HTTP body (or a chunk of one) starts: a gzip body (Content-Encoding:
    gzip) in an uncompressed record after the damage, not a member of the file (which follows a trailer)."""
    return _HTTP_BODY_START.search(data, max(idx - HEAD_LOOK, lo), idx) is not None


def _corrupt(reason: str, stopped: int, where: str, buf: bytes, base: int, pos: int,
             found: bool) -> tuple[str, tuple[int, int] | None]:
    """The message for a corrupt member whose reading stopped at raw offset `stopped` (`where`: what that is), after
    which reading resumes at the member at buf[pos] when `found` (else the file ends at base + pos); and the raw
    offsets [start, end) of the bytes skipped unread in between, None when none were (reading resumes no later)."""
    resume = base + pos
    skipped: tuple[int, int] | None = None
    if resume > stopped:
        to = "the next gzip member" if found else "the end of the file"
        said = (f"gzip member is corrupt: {reason}; {resume - stopped} bytes skipped unread, from offset {stopped}"
                f" ({where}) to {to}, at offset {resume}")
        skipped = (stopped, resume)
    elif found:   # (a member cut short, found past BACK bytes from its start: see chunks)
        said = (f"gzip member is corrupt: {reason}; no bytes skipped unread: reading resumes at the next gzip member,"
                f" at offset {resume}, not past offset {stopped} ({where})")
    else:
        said = f"gzip member is corrupt: {reason}; no bytes skipped unread: the file ends at offset {resume} ({where})"
    if found and not starts_warc_member(buf, pos):
        said += "; that member starts inside a record: reading resumes at the first record start from there on"
    return said, skipped


def _cut_short(start: int, after: int, in_header: bool = False) -> str:
    """The message for the member at raw offset `start` cut short by another member starting at `after`."""
    where = "inside its header" if in_header else "before its end-of-stream marker"
    return (f"gzip member is cut short: another gzip member starts {after - start} bytes into it, {where},"
            f" at offset {after}: reading resumes there")


def _member_in_trailer(data: bytes, pos: int) -> int:
    """The index of a member (see starts_member) starting inside the 8-byte trailer at data[pos] (the member before it
    was cut short there, in its trailer or just after its deflate data); -1 when none."""
    idx = data.find(_MEMBER_START, pos, pos + 10)
    while idx >= 0 and not starts_member(data, idx):
        idx = data.find(_MEMBER_START, idx + 1, pos + 10)
    return idx


def _inner_member(data: bytes, start: int, header: int, stop: int) -> int:
    """The index of the first member (see starts_member) starting inside the member at data[start] before data[stop]
    (its trailer) whose members reach the trailer (a gzip file stored in a record does not); -1 when none."""
    idx = data.find(_MEMBER_START, start + 1, stop + 2)
    while idx >= 0:
        if starts_member(data, idx) and (idx < start + header or _chain_reaches(data, idx, stop)):
            return idx
        idx = data.find(_MEMBER_START, idx + 1, stop + 2)
    return -1


def _chain_reaches(data: bytes, idx: int, reach: int) -> bool:
    """True when the gzip members following one another from data[idx] reach data[reach] (or the end of
    `data`, or a member that does not end), not ending before it at bytes that are not gzip."""
    view = memoryview(data)
    while idx < reach:
        if not data.startswith(_MEMBER_START, idx):
            return idx >= len(data)
        decomp = zlib.decompressobj(31)
        try:
            decomp.decompress(view[idx:], MAX_OUT)
            while decomp.unconsumed_tail and not decomp.eof:
                decomp.decompress(decomp.unconsumed_tail, MAX_OUT)
        except zlib.error:
            return True
        if not decomp.eof:
            return True
        idx = len(data) - len(decomp.unused_data)
    return True


def _inflate_prefix(data: bytes, start: int, stop: int, passed: int) -> tuple[list[bytes], int, bool] | None:
    """Inflate the member at data[start] as far as data[stop], where another member starts: its output
    from `passed` on, the length of all its output, and whether it ends inside the member's header;
    None when its deflate data is corrupt (or ends) before `stop`: then it was not cut short there."""
    try:
        header = inflate.header_length(data[start:stop], 0)
    except inflate.GzipError:
        return None
    if not header:
        return [], 0, True
    decomp = zlib.decompressobj(-15)
    kept: list[bytes] = []
    total = 0
    try:
        out = decomp.decompress(memoryview(data)[start + header : stop], MAX_OUT)
        while True:
            if total + len(out) > passed:
                kept.append(out[max(0, passed - total) :])
            total += len(out)
            if decomp.eof or not decomp.unconsumed_tail:
                break
            out = decomp.decompress(decomp.unconsumed_tail, MAX_OUT)
    except zlib.error:
        return None
    if decomp.eof:
        return None
    return kept, total, False


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

