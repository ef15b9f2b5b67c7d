"""Walk the records of a decompressed WARC stream: check structure, digests and provpack provenance.

An independent reader: it follows the WARC 1.0/1.1 rules and docs/format.md, and
imports nothing of provpack's writer.
"""

from __future__ import annotations

import hashlib
import re
from binascii import hexlify
from collections import Counter
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any, NamedTuple

from . import problems as kinds
from .digests import claim_from_bytes, describe, split_value, value_encoding, value_matches
from .digests import FACTORIES, LABELS
from .idset import IdSet
from .payload import DECHUNKED, RAW, BlockSink, Readings, digest_block
from .problems import Problem
from .provcheck import Deferred, ProvenanceTracker, ResourceFacts
from .warcheader import NOT_IN_ID, VERSIONS, HeaderParser, show
from .warcstream import Gap, Source

MAX_HEADER = 1 << 20  # a WARC header longer than this is treated as malformed
KEEP_LIMIT = 16 << 20  # resource/metadata blocks up to this size are kept for the provenance check
MAX_WARNINGS = 1000  # unverified records listed per file (all are counted)

_Claim = tuple[str | None, bytes, bytes]  # (algorithm or None, value, header value as written)
_BLOCK = "WARC-Block-Digest"
# Types whose payload digest is not simply of the block (another record's, or maybe an HTTP entity's).
_OWN_PAYLOAD_UNKNOWN = frozenset({b"revisit", b"continuation", b"response", b"request"})
_PAYLOAD = "WARC-Payload-Digest"


# The fields the quick path reads, in this order (see Layout).
_QUICK_KEYS = (b"warc-record-id", b"content-length", b"warc-block-digest", b"warc-type", b"warc-date",
               b"warc-payload-digest", b"content-type", b"warc-refers-to", b"warc-segment-number")
LAYOUTS_KEPT = 8


class Layout(NamedTuple):
    """The field names of a header, in order, as a pattern matching any header with exactly those
    names: `Name:value` lines, no CR or LF in a value, the blank line after them."""

    pattern: re.Pattern[bytes]
    fields: Callable[[tuple[Any, ...]], tuple[bytes | None, ...]]  # the _QUICK_KEYS values (None: absent)


def layout_of(version: bytes, names: list[bytes], keys: list[bytes]) -> Layout:
    """The layout of a header with this version line and these field names (lower case: `keys`)."""
    lines = b"".join(re.escape(name) + b":([^\r\n]*)\r\n" for name in names)
    pattern = re.escape(version) + b"\r\n" + lines + b"\r\n"
    where = {key: index for index, key in enumerate(keys)}
    # Group values, then None for an absent field.
    pick = itemgetter(*(where.get(key, len(keys)) for key in _QUICK_KEYS))
    return Layout(re.compile(pattern), lambda groups: pick(groups + (None,)))


def _algorithms(claims: list[_Claim]) -> tuple[str, ...]:
    """The known algorithms of some digest claims, each once, in order."""
    if len(claims) == 1:
        algorithm = claims[0][0]
        return () if algorithm is None else (algorithm,)
    return tuple({c[0]: None for c in claims if c[0] is not None})


class Scanner:
    """Reads one WARC stream record by record and collects problems, warnings, counts and notes."""

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
        self._base = self._start = source.upos  # decompressed offset of _buf[0]; where reading began
        self._eof = False
        self._gap = False
        self._silent = False  # skip to the next record without calling the bytes junk
        self._candidate: int | None = None  # first `WARC/` line inside the block being streamed
        self._headers = HeaderParser()
        self._names = self._headers.names  # (the same dict, kept up to date by the parser)
        self._layouts: list[Layout] = []  # of sound records' headers, tried first by _express
        self._rec_offset: int | None = None
        self._rec_id: str | None = None
        self._rec_failed = False
        self.seen_ids = IdSet()  # hashes of the record ids read (about 10 bytes each)
        self.provenance = ProvenanceTracker(self.counts, segment=segment)
        # A segment is the second part of a file verified in parallel (see absorb).
        self._segment = segment
        self._context: Deferred | None = None  # the record being read waits for its resource
        self.junk: list[tuple[int, int, int, bool]] = []  # (problem index, start, end, last): gzip segment
        self.starts_with_record = False

    # -- problems ---------------------------------------------------------------------------

    def source_problem(self, offset: int, kind: str, message: str) -> None:
        """A problem found by the stream reader (gzip level); tied to the record being read, if any."""
        if self._rec_offset is not None:
            self._rec_failed = True
            self.problems.append(Problem(offset, self._rec_id, kind, message))
        else:
            self.problems.append(Problem(offset, None, kind, message))

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

    def _read_header(self) -> bytes | None:
        """The header (version line and fields, each ending in CRLF) of the record at the cursor."""
        end = self._buf.find(b"\r\n\r\n", self._pos)
        while end < 0:
            have = len(self._buf) - self._pos
            if have > MAX_HEADER:
                self._problem(kinds.MALFORMED_HEADER, f"no blank line ends the header within {MAX_HEADER} bytes")
                self._pos += 5
                self._silent = True
                return None
            if not self._more():
                if not self._gap:
                    self._problem(kinds.TRUNCATED, "the record header is cut off by the end of the file")
                    self._pos = len(self._buf)
                return None
            end = self._buf.find(b"\r\n\r\n", self._pos + max(0, have - 3))
        header = self._buf[self._pos : end + 2]
        self._pos = end + 4
        return header

    def _express(self) -> bool:
        """Read the record at the cursor when it is of the usual kind and sound: whole in the buffer,
        a header every name of which has been seen before, one block digest (and a payload digest
        of the same algorithm) in base16, both matching. False, having changed nothing, for
        anything else: then _read_record reads it, and says what is wrong.

        A header whose names come in the same order as an earlier sound record's is matched by
        that record's layout in one go; any other is split into lines here.
        """
        buf, pos = self._buf, self._pos
        for layout in self._layouts:
            match = layout.pattern.match(buf, pos)
            if match is not None:
                values = layout.fields(match.groups())
                start = match.end()
                learn: list[bytes] | None = None
                break
        else:
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                return False
            header = buf[pos : end + 2]
            lines = header.split(b"\r\n")
            if lines[0] not in VERSIONS:
                return False
            names = self._names
            fields: dict[bytes, bytes] = {}
            for line in lines[1:-1]:
                name, _, value = line.partition(b":")
                key = names.get(name)
                if key is None or key in fields:
                    return False
                fields[key] = value
            rest = b"".join(lines)  # a CR or LF that is not part of a CRLF (the parser's bare CR/LF check)
            if b"\r" in rest or b"\n" in rest:
                return False
            values = tuple(map(fields.get, _QUICK_KEYS))
            start = end + 4
            learn = lines
        record_id, length_text, block_value, warc_type, date, payload_value, content_type, refers, segment = values
        if (record_id is None or length_text is None or block_value is None or warc_type is None
                or date is None or date.strip() != self._headers.good_date or segment is not None):
            return False
        record_id = record_id.strip()
        length_text = length_text.strip()
        if not length_text.isdigit():
            return False
        if not (record_id.startswith(b"<urn:") and record_id.endswith(b">") and len(record_id) > 6
                and len(record_id[5:-1].translate(None, NOT_IN_ID)) == len(record_id) - 6):
            return False
        key_hash = hash(record_id)
        seen_ids = self.seen_ids
        if key_hash in seen_ids:
            return False
        warc_type = warc_type.strip().lower()
        if payload_value is not None and warc_type in _OWN_PAYLOAD_UNKNOWN:
            return False
        label, _, value = block_value.strip().partition(b":")
        algorithm = LABELS.get(label)
        if algorithm is None:
            return False
        length = int(length_text)
        stop = start + length
        if stop + 4 > len(buf) or not buf.startswith(b"\r\n\r\n", stop):
            return False
        digest = FACTORIES[algorithm](memoryview(buf)[start:stop]).digest()
        expected = hexlify(digest)
        value = value.strip()
        if value != expected and value.lower() != expected:
            return False
        if payload_value is not None:
            label, _, value = payload_value.strip().partition(b":")
            value = value.strip()
            if LABELS.get(label) != algorithm or (value != expected and value.lower() != expected):
                return False
        # A sound record: as _read_record would have read it.
        if learn is not None and len(self._layouts) < LAYOUTS_KEPT:
            self._learn(learn)
        self.records += 1
        self._rec_offset, aligned = self.source.locate(self._base + pos)
        if not aligned:
            self.counts["records that start inside a gzip member (not one member per record)"] += 1
        self._rec_failed = False
        self._rec_id = record_id.decode("utf-8", "replace")
        seen_ids.add(key_hash)
        self._pos = stop + 4
        if warc_type == b"resource":  # (as _resource_done, with the digest at hand)
            block = buf[start:stop] if length <= KEEP_LIMIT else None
            found = self.provenance.resource(ResourceFacts(
                self._rec_id, length, expected.decode("ascii") if algorithm == "sha256" else
                None if block is None else hashlib.sha256(block).hexdigest(), block))
            if found:
                self.problems.extend(found)
        elif warc_type == b"metadata" and length <= KEEP_LIMIT and content_type is not None and (
                b"json" in content_type.lower()):
            self._metadata_done(None if refers is None else refers.strip(), buf[start:stop])
            if self._rec_failed:
                return True
        self.verified += 1
        if self._context is not None:
            self._context.outcome = "verified"
        return True

    def _learn(self, lines: list[bytes]) -> None:
        """Keep the layout of a sound record's header (its lines), for the records after it."""
        names = [line.partition(b":")[0] for line in lines[1:-1]]
        layout = layout_of(lines[0], names, [self._names[name] for name in names])
        if all(known.pattern.pattern != layout.pattern.pattern for known in self._layouts):
            self._layouts.append(layout)

    def _read_record(self) -> None:
        if self._express():
            return
        buf, pos = self._buf, self._pos
        start = self._base + pos
        self.records += 1
        self._rec_offset, aligned = self.source.locate(start)
        self._rec_failed = False
        self._rec_id = None
        if not aligned:
            self.counts["records that start inside a gzip member (not one member per record)"] += 1
        end = buf.find(b"\r\n\r\n", pos)
        if end >= 0:
            header = buf[pos : end + 2]
            self._pos = end + 4
        else:
            found = self._read_header()
            if found is None:
                return
            header = found
        fields, block_values, payload_values, length, issues = self._headers.parse(header)
        record_id = fields.get(b"warc-record-id")
        if record_id is not None:
            self._rec_id = record_id.decode("utf-8", "replace")
            key_hash = hash(record_id)
            if key_hash in self.seen_ids:
                issues.append((kinds.DUPLICATE_RECORD_ID, "an earlier record in this file has the same WARC-Record-ID"))
            else:
                self.seen_ids.add(key_hash)
        for kind, message in issues:
            self._problem(kind, message)
        if length is None:
            self._silent = True
            return
        warc_type = fields.get(b"warc-type", b"").lower()

        # Claims: (algorithm or None, value, header value as written).
        block_claims = [split_value(raw) for raw in block_values]
        payload_claims = [split_value(raw) for raw in payload_values]
        if payload_claims and (warc_type == b"revisit" or warc_type == b"continuation"
                               or b"warc-segment-number" in fields):
            # A revisit's payload digest names the original capture; a segment's covers the whole
            # reassembled payload. Neither can be checked against this block.
            self.counts["payload digests not checked: they describe another record (revisit, segment)"] += 1
            payload_claims = []
        block_algorithms = _algorithms(block_claims)
        payload_algorithms = _algorithms(payload_claims) if payload_claims else ()
        unknown: list[bytes] = []
        if len(block_algorithms) + len(payload_algorithms) < len(block_claims) + len(payload_claims):
            unknown = [c[2] for c in block_claims + payload_claims if c[0] is None]
            for raw in unknown:
                label = raw.partition(b":")[0].decode("ascii", "replace")
                self.counts[f"digests with an unknown algorithm {label!r} not checked"] += 1
            block_claims = [c for c in block_claims if c[0] is not None]
            payload_claims = [c for c in payload_claims if c[0] is not None]
        http = False
        keep = False
        if payload_algorithms and (warc_type == b"response" or warc_type == b"request"):
            http = fields.get(b"content-type", b"").split(b";", 1)[0].strip().lower() == b"application/http"
        if warc_type == b"resource":
            keep = length <= KEEP_LIMIT
        elif warc_type == b"metadata":
            keep = length <= KEEP_LIMIT and b"json" in fields.get(b"content-type", b"").lower()

        buf, pos = self._buf, self._pos
        end = pos + length
        block: bytes | None = None
        if end + 4 <= len(buf):
            # The whole block is in memory (the usual case for records up to a few MiB).
            if not http and len(block_algorithms) == 1 and payload_algorithms in ((), block_algorithms):
                # The usual case: one algorithm, the payload is the block.
                name = block_algorithms[0]
                block_digests = {name: FACTORIES[name](memoryview(buf)[pos:end]).digest()}
                readings = {RAW: block_digests} if payload_algorithms else None
                chunked = False
            elif block_algorithms or payload_algorithms:
                block_digests, readings, chunked = digest_block(
                    buf, pos, end, block_algorithms, payload_algorithms, http=http
                )
            else:
                block_digests, readings, chunked = {}, None, False
            if keep:
                block = buf[pos:end]
            if buf.startswith(b"\r\n\r\n", end):
                self._pos = end + 4
            else:
                self._pos = end
                self._check_trailer(length, pos)
        else:
            sink = BlockSink(block_algorithms, payload_algorithms, http=http, keep=keep)
            remaining = self._read_block(length, sink)
            if remaining:
                if not self._gap:
                    self._problem(
                        kinds.TRUNCATED,
                        f"the block has {length - remaining} of the {length} bytes its Content-Length"
                        " declares: the file is cut off, or Content-Length is too large",
                    )
                    if self._candidate is not None:
                        # A record starts inside what was read as this block: read on from there.
                        self._silent = True
                        self._restart(self._candidate)
                return
            block_digests = sink.block_digests()
            readings = sink.payload_digests() if payload_algorithms else None
            chunked = sink.chunked
            block = sink.block()
            self._check_trailer(length, None)

        checked = 0
        if block_claims:
            for algorithm, value, _ in block_claims:
                digest = block_digests[algorithm or ""]
                if len(value) == 2 * len(digest) and value.lower() == hexlify(digest):
                    continue  # base16, the usual case
                if not value_matches(algorithm or "", value, digest):
                    self._check_block(block_claims, block_digests)  # reports each mismatch
                    break
            checked += len(block_claims)
        if payload_claims:
            if readings is None:
                self.counts["payload digests not checked: no end of the HTTP header within 1 MiB"] += 1
                unknown += [c[2] for c in payload_claims]
            elif chunked:
                checked += self._check_payload(payload_claims, readings, chunked, http)
            else:
                raw_digests = readings[RAW]
                for algorithm, value, _ in payload_claims:
                    digest = raw_digests[algorithm or ""]
                    if len(value) == 2 * len(digest) and value.lower() == hexlify(digest):
                        continue
                    if not value_matches(algorithm or "", value, digest):
                        self._check_payload(payload_claims, readings, chunked, http)  # reports each mismatch
                        break
                checked += len(payload_claims)
        if warc_type == b"resource":
            self._resource_done(block_digests, block, length)
        elif block is not None:
            self._metadata_done(fields.get(b"warc-refers-to"), block)
        if self._rec_failed:
            return
        context = self._context
        if checked and not unknown:
            self.verified += 1
            if context is not None:
                context.outcome = "verified"
            return
        self.unverified += 1
        if context is not None:
            context.outcome = "unverified"
        if len(self.warnings) >= MAX_WARNINGS:
            self.counts["unverified records not listed"] += 1
            return
        name = warc_type.decode("ascii", "replace") or "untyped"
        if unknown:
            kind = kinds.UNKNOWN_DIGEST
            message = f"{name} record has digests that cannot be checked: " + ", ".join(
                raw.decode("ascii", "replace") for raw in unknown)
        elif payload_values:
            kind = kinds.MISSING_DIGEST
            message = f"{name} record has only a WARC-Payload-Digest, which describes another record"
        else:
            kind = kinds.MISSING_DIGEST
            message = f"{name} record has no WARC-Block-Digest or WARC-Payload-Digest"
        if context is not None:
            context.warning_at = len(self.warnings)
        self.warnings.append(Problem(self._rec_offset, self._rec_id, kind, message))

    def _read_block(self, length: int, sink: BlockSink) -> int:
        """Feed `length` bytes to the sink; the number of bytes missing at the end of the stream.

        Also notes where the first line starting with `WARC/` inside the block is, in case the
        Content-Length turns out to be wrong and reading has to go back there.
        """
        remaining = length
        buf, pos = self._buf, self._pos
        self._candidate = None
        while remaining:
            avail = len(buf) - pos
            if not avail:
                self._drop_buffer()
                if not self._more():
                    break
                buf, pos = self._buf, 0
                continue
            take = avail if avail < remaining else remaining
            sink.feed(buf, pos, pos + take)
            if self._candidate is None:
                idx = buf.find(b"\nWARC/", max(pos - 1, 0), pos + take)
                if idx >= 0 and idx + 1 < pos + take:
                    self._candidate = self._base + idx + 1
            pos += take
            remaining -= take
        if not remaining:
            self._pos = pos
        return remaining

    def _check_trailer(self, length: int, block_start: int | None) -> None:
        """The block must be followed by CRLF CRLF; if not, resume at the next record start.

        `block_start` is the buffer index of the block when the whole block is still in memory.
        """
        while len(self._buf) - self._pos < 4 and self._more():
            pass
        tail = self._buf[self._pos : self._pos + 4]
        if tail == b"\r\n\r\n":
            self._pos += 4
            return
        self._silent = True
        if self._gap:
            return
        if self._eof and b"\r\n\r\n".startswith(tail):
            self._problem(kinds.TRUNCATED, "the record ends without the CRLF CRLF that closes it: the file is cut off")
            return
        self._problem(
            kinds.BAD_LENGTH,
            f"the {length}-byte block (Content-Length) is followed by {show(tail)}, not CRLF CRLF:"
            " Content-Length is wrong or the block was altered",
        )
        # Look for the next record from the start of the block: with a Content-Length that is too
        # large, it lies inside what was read as this block.
        if block_start is not None:
            self._pos = block_start
        elif self._candidate is not None and self._candidate < self._base + self._pos:
            self._restart(self._candidate)

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

    def _check_block(self, claims: list[_Claim], digests: dict[str, bytes]) -> int:
        """Compare block digest claims; the number checked."""
        for algorithm, value, raw in claims:
            digest = digests[algorithm or ""]
            if not value_matches(algorithm or "", value, digest):
                self._mismatch(_BLOCK, raw, digest, "the block")
        return len(claims)

    def _check_payload(self, claims: list[_Claim], readings: Readings, chunked: bool, http: bool) -> int:
        """Compare payload digest claims with each reading of the payload; the number checked."""
        for algorithm, value, raw in claims:
            algorithm = algorithm or ""
            if value_matches(algorithm, value, readings[RAW][algorithm]):
                if chunked:
                    self.counts["chunked HTTP payload digests matched the raw chunked body"] += 1
                continue
            dechunked = readings.get(DECHUNKED)
            if dechunked is not None and value_matches(algorithm, value, dechunked[algorithm]):
                self.counts["chunked HTTP payload digests matched the de-chunked body"] += 1
                continue
            if chunked:
                what = "the payload (neither the raw chunked body nor the de-chunked body)"
            elif http:
                what = "the payload (the HTTP entity body)"
            else:
                what = "the payload (the whole block)"
            self._mismatch(_PAYLOAD, raw, readings[RAW][algorithm], what)
        return len(claims)

    def _mismatch(self, header: str, raw: bytes, digest: bytes, what: str) -> None:
        claim = claim_from_bytes(header, raw)
        if value_encoding(claim) is None:
            self._problem(
                kinds.DIGEST_MISMATCH,
                f"{header} {claim.raw} is not a {claim.algorithm} value in base32, base16 or"
                f" base64; {what} is {describe(claim, digest)}",
            )
        else:
            self._problem(
                kinds.DIGEST_MISMATCH,
                f"{header} {claim.raw} does not match {what}: computed {describe(claim, digest)}",
            )

    # -- provpack provenance ----------------------------------------------------------------

    def _resource_done(self, block_digests: dict[str, bytes], block: bytes | None, length: int) -> None:
        """Remember a resource record for the provenance records that refer to it."""
        if self._rec_id is None:
            return
        sha = block_digests.get("sha256")
        if sha is None and block is not None:
            sha = hashlib.sha256(block).digest()
        found = self.provenance.resource(
            ResourceFacts(self._rec_id, length, sha.hex() if sha is not None else None, block))
        if found:
            self.problems.extend(found)

    def _metadata_done(self, refers: bytes | None, block: bytes) -> None:
        """Check a provpack provenance record (WARC-Refers-To `refers`) against the resource it refers to."""
        found = self.provenance.metadata(
            self._rec_offset, self._rec_id, block, refers,
            seen_earlier=refers is not None and hash(refers) in self.seen_ids,
            position=(self.records, len(self.problems)) if self._segment else None,
        )
        if self._segment:
            self._context = self.provenance.deferred
        if found:
            self._rec_failed = True
            self.problems.extend(found)


def junk_message(start: int, end: int, *, compressed: bool, last: bool) -> str:
    where = "after the last record" if last else "before the next record"
    at = f" (decompressed offset {start})" if compressed else ""
    return f"{end - start} bytes{at} that are not a WARC record {where}"
