"""One record read the long way: its header fields, digest claims, closing CRLF CRLF and provenance checked.

Block and payload digests are computed whatever the algorithm, encoding or payload convention
(HTTP entity, chunked or not); resource and metadata records go to the provpack provenance
check. An independent reader: it follows the WARC 1.0/1.1 rules and docs/format.md, and
imports nothing of provpack's writer.
"""

from __future__ import annotations

import functools
import hashlib
from binascii import hexlify

from . import problems as kinds
from .defaults import MAX_PROVENANCE_BYTES
from .digests import (
    FACTORIES,
    claim_from_bytes,
    describe,
    encoding_of,
    fault,
    fault_and_neighbours,
    quote,
    split_value,
    value_encoding,
    value_matches,
)
from .idset import IdSet
from .origcheck import ORIGIN_TYPES, STATUS_PEEK, OriginTracker, Record, response_status
from .payload import DECHUNKED, RAW, SNIFF_LIMIT, BlockSink, Readings, digest_block, http_block
from .problems import Problem
from .provcheck import (JSON_START, WARCINFO_LIMIT, Deferred, ProvenanceTracker, ResourceFacts, content_urn,
                        content_urn_fault, deep_realign, deep_reextract, may_hide)
from .scanbuffer import PAST_END, ScanBuffer
from .warcheader import HeaderParser, show
from .warcstream import Source

MAX_HEADER = 1 << 20  # a WARC header longer than this (with the blank line that ends it) is malformed
KEEP_LIMIT = 16 << 20  # resource blocks up to this size are kept for the provenance check
# JSON metadata blocks up to this size are read for it (every provenance record provpack writes); the
# count of larger ones, not read (the quick path counts them too).
PROVENANCE_LIMIT = MAX_PROVENANCE_BYTES
UNREAD_JSON = f"JSON metadata records not read: over {MAX_PROVENANCE_BYTES >> 20} MiB (provenance in them is not checked)"
# The counts of a chunked HTTP payload digest, by the reading it matched (the quick path counts them too).
RAW_MATCHED = "chunked HTTP payload digests matched the raw chunked body"
DECHUNKED_MATCHED = "chunked HTTP payload digests matched the de-chunked body"
# The count of records that do not start a gzip member of their own (the quick path counts them too).
INSIDE_MEMBER = "records that start inside a gzip member (not one member per record)"
# The count of payload digests left unchecked on a revisit, continuation or segment (the quick path counts it too).
OTHER_RECORD_PAYLOAD = "payload digests not checked: they describe another record (revisit, segment)"
# The count of response and request records verified by a WARC-Payload-Digest alone (Heritrix writes no block
# digest): the HTTP status line and headers before the entity body are covered by no digest. (The quick path
# takes only records with a block digest: it never reads one.)
HTTP_HEAD_UNCOVERED = "records whose HTTP headers no digest covers (only a WARC-Payload-Digest, no WARC-Block-Digest)"
MAX_WARNINGS = 1000  # unverified records listed per file (all are counted)
NOT_LISTED = "unverified records not listed"
# A header whose version line ends in a bare LF (as some broken writers produce): reported, the record skipped.
LF_ONLY = ("the header's lines end in LF, not CRLF as the WARC standard requires: the record is not read"
           " (its digests are not checked)")
_FIRST_LINE = 32  # bytes in which a version line's LF is looked for
_find = bytes.find  # (how _find_end searches: a test counts the bytes it is given)

_Claim = tuple[str | None, bytes, bytes]  # (algorithm or None, value, header value as written)
_BLOCK = "WARC-Block-Digest"
_PAYLOAD = "WARC-Payload-Digest"


def _by_provpack(provenance: ProvenanceTracker) -> bool | None:
    """Whether the warcinfo read last is provpack's (None: a segment before its first warcinfo). (Given the
    tracker, not the checker: no reference cycle keeps a file's checker alive.)"""
    return provenance.writer is not None if provenance.settled else None


def _algorithms(claims: list[_Claim]) -> tuple[str, ...]:
    """The known algorithms of some digest claims, each once, in order."""
    if len(claims) == 1:
        algorithm = claims[0][0]
        return () if algorithm is None else (algorithm,)
    return tuple({c[0]: None for c in claims if c[0] is not None})


class RecordChecker(ScanBuffer):
    """Reads a record whole and checks it; what the quick path leaves, and everything it doubts, comes here."""

    def __init__(self, source: Source, *, segment: bool = False, deep: bool = False) -> None:
        super().__init__(source, segment=segment)
        self._candidate: int | None = None  # first `WARC/` line inside the block being streamed
        self._headers = HeaderParser()
        self.seen_ids = IdSet()  # hashes of the record ids read (about 10 bytes each)
        self.provenance = ProvenanceTracker(self.counts, segment=segment, deep=deep)
        self.origins = OriginTracker(self.counts, self.provenance.held,   # originals a provenance record names
                                     realign=deep_realign if deep else None,
                                     reextract=deep_reextract if deep else None, segment=segment,
                                     by_provpack=functools.partial(_by_provpack, self.provenance))
        self._context: Deferred | None = None  # the record being read waits for a record after it
        self.taken_back = 0   # unverified records taken back by a problem found after them (see _late)
        # What the last search for a header's end found, as decompressed offsets (from, found, to): the first
        # CRLF CRLF at or after `from` is at `found`; or (found -1) none starts before `to`. Any later search
        # from a later offset starts there, so that no byte is searched twice however many record starts
        # (`WARC/` at a line start) a long stretch without CRLF CRLF holds.
        self._ends = (0, -1, 0)

    def _find_end(self, pos: int) -> int:
        """The buffer index of the first CRLF CRLF at or after buffer index `pos`; -1 if none in the buffer."""
        base = self._base
        at = base + pos
        since = pos
        start, found, to = self._ends
        if start <= at:
            if found >= at:
                return found - base
            if found < 0 and to > at:
                since = to - base
        buf = self._buf
        end = _find(buf, b"\r\n\r\n", since)
        self._ends = (at, -1, base + max(since, len(buf) - 3)) if end < 0 else (at, base + end, 0)
        return end

    def _restart(self, upos: int) -> None:
        super()._restart(upos)
        self._ends = (0, -1, 0)

    def _lf_only(self) -> bool:
        """True when the version line at the cursor ends in a bare LF (the header's lines end in LF only)."""
        while len(self._buf) - self._pos < _FIRST_LINE and self._more():
            pass
        buf, pos = self._buf, self._pos
        newline = buf.find(b"\n", pos, pos + _FIRST_LINE)
        return newline > pos and buf[newline - 1] != 13

    def _read_header(self) -> bytes | None:
        """The header (version line and fields, each ending in CRLF) of the record at the cursor."""
        end = self._find_end(self._pos)
        while end < 0:
            have = len(self._buf) - self._pos
            if have > MAX_HEADER:
                self._problem(kinds.MALFORMED_HEADER, f"no blank line ends the header within {MAX_HEADER} bytes")
                self._pos += 5
                self._silent = True
                self._endless = not self.source.compressed
                return None
            if not self._more():
                if not self._gap:
                    self._problem(kinds.TRUNCATED, "the record header is cut off by the end of the file")
                    self._pos = len(self._buf)
                return None
            end = self._find_end(self._pos)
        header = self._buf[self._pos : end + 2]
        self._pos = end + 4
        return header

    def _read_record(self) -> None:
        """Read the record at the cursor the long way: every header field, digest and trailer checked."""
        buf, pos = self._buf, self._pos
        start = self._base + pos
        self.records += 1
        self._rec_offset, aligned = self.source.locate(start)
        self._rec_failed = False
        self._rec_id = None
        if not aligned:
            self.counts[INSIDE_MEMBER] += 1
        end = self._find_end(pos)
        newline = buf.find(b"\n", pos, pos + _FIRST_LINE)
        if end < 0 or (newline > pos and buf[newline - 1] != 13):
            # No header end in the buffer, or a version line ending in a bare LF: a header of LF-ended lines?
            # (Its CRLF CRLF, if any, lies in a later record's block: read as this header, it would hide records.)
            if self._lf_only():
                self._problem(kinds.MALFORMED_HEADER, LF_ONLY)
                self._pos += 5
                self._silent = True
                return
            buf, pos = self._buf, self._pos
            end = self._find_end(pos)
        if end >= 0:
            header = buf[pos : end + 2]
            self._pos = end + 4
        else:
            found = self._read_header()
            if found is None:
                return
            header = found
        if len(header) + 2 > MAX_HEADER:  # (with the blank line that ends it)
            self._problem(kinds.MALFORMED_HEADER, f"no blank line ends the header within {MAX_HEADER} bytes")
            self._pos -= len(header) - 3  # (5 bytes after the record start, as for a header that never ends)
            self._silent = True
            self._endless = not self.source.compressed
            return
        fields, block_values, payload_values, length, issues = self._headers.parse(header)
        if issues and b"WARC/1." in header[1:] and self._cut_in_header(header):
            return  # (a header sound as it is never is: a value may end in "WARC/1.1")
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
            # reassembled payload. Neither can be checked against this block, but a damaged label or a
            # value that is no digest of its algorithm is seen without it.
            self.counts[OTHER_RECORD_PAYLOAD] += 1
            for algorithm, value, raw in payload_claims:
                if algorithm is None:
                    damage = fault(raw)
                    if damage is not None:
                        self._problem(kinds.DIGEST_MISMATCH, f"{_PAYLOAD} {damage}")
                elif encoding_of(algorithm, value) is None:
                    claim = claim_from_bytes(_PAYLOAD, raw)
                    self._problem(kinds.DIGEST_MISMATCH, f"{_PAYLOAD} {claim.raw} is not a {algorithm} value in"
                                  " base32, base16 or base64 (it describes another record, not checked here)")
            payload_claims = []
        block_algorithms = _algorithms(block_claims)
        payload_algorithms = _algorithms(payload_claims) if payload_claims else ()
        unknown: list[str] = []  # the digests that cannot be checked, described for the warning
        # Labels one edit from known algorithms: (header, raw, those algorithms, fault), judged by the value.
        suspects: list[tuple[str, bytes, tuple[str, ...], str]] = []
        if len(block_algorithms) + len(payload_algorithms) < len(block_claims) + len(payload_claims):
            for which, claims in ((_BLOCK, block_claims), (_PAYLOAD, payload_claims)):
                for algorithm, _, raw in claims:
                    if algorithm is not None:
                        continue
                    damage, near = fault_and_neighbours(raw)
                    if near and damage is not None:
                        suspects.append((which, raw, near, damage))
                        continue
                    if damage is not None:  # a damaged label or value: the digest cannot be right
                        self._problem(kinds.DIGEST_MISMATCH, f"{which} {damage}")
                        continue
                    label = quote(raw.partition(b":")[0].strip())
                    self.counts[f"digests with an unknown algorithm {label} not checked"] += 1
                    unknown.append(f"{which} of the unknown algorithm {label}")
            block_claims = [c for c in block_claims if c[0] is not None]
            payload_claims = [c for c in payload_claims if c[0] is not None]
            if suspects:  # (their neighbours' digests are computed too, to compare their values with)
                block_algorithms = tuple(dict.fromkeys(block_algorithms + tuple(
                    algorithm for which, _, near, _ in suspects if which == _BLOCK for algorithm in near)))
                payload_algorithms = tuple(dict.fromkeys(payload_algorithms + tuple(
                    algorithm for which, _, near, _ in suspects if which == _PAYLOAD for algorithm in near)))
        urn = content_urn(fields.get(b"warc-target-uri")) if warc_type == b"resource" else None
        if urn is not None and "sha256" not in block_algorithms:   # (a content URN names the block: its sha256)
            block_algorithms += ("sha256",)
        http = False
        keep = False
        truncated = False
        if payload_algorithms and (warc_type == b"response" or warc_type == b"request"):
            content_type = fields.get(b"content-type")
            target = fields.get(b"warc-target-uri")
            if content_type is None and target is not None:  # (the block's first line is looked at)
                while len(self._buf) - self._pos < min(length, SNIFF_LIMIT) and self._more():
                    pass
            http = http_block(content_type, target, self._buf, self._pos, self._pos + length)
            truncated = b"warc-truncated" in fields
        json_metadata = False
        first = b""   # (a large warcinfo's first bytes)
        if warc_type == b"resource":
            keep = length <= KEEP_LIMIT
        elif warc_type == b"metadata" and b"json" in fields.get(b"content-type", b"").lower():
            keep = json_metadata = length <= PROVENANCE_LIMIT
            if not keep:
                self.counts[UNREAD_JSON] += 1
        elif warc_type == b"metadata":   # (provpack provenance in it all the same? provcheck.hidden)
            keep = length <= KEEP_LIMIT
        elif warc_type == b"warcinfo":
            keep = length <= WARCINFO_LIMIT
            if not keep:   # (its software is read from its first bytes: provcheck.software_writer)
                while len(self._buf) - self._pos <= WARCINFO_LIMIT and self._more():
                    pass
                first = self._buf[self._pos:self._pos + min(length, WARCINFO_LIMIT + 1)]
        elif warc_type == b"conversion":   # (an original's text: origcheck)
            keep = length <= KEEP_LIMIT
        elif warc_type == b"response" and self.origins.wants(self._rec_id):   # (--deep: its text extracted again)
            keep = length <= KEEP_LIMIT
        status = None   # a response's, from its status line (origcheck.response_status)
        if warc_type == b"response":
            while len(self._buf) - self._pos < min(length, STATUS_PEEK) and self._more():
                pass
            status = response_status(self._buf[self._pos:self._pos + min(length, STATUS_PEEK)])

        buf, pos = self._buf, self._pos
        end = pos + length
        block: bytes | None = None
        hidden: bytes | None = None   # a block not kept that may hold provenance (provcheck.may_hide)
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
                    buf, pos, end, block_algorithms, payload_algorithms, http=http, truncated=truncated
                )
            else:
                block_digests, readings, chunked = {}, None, False
            if keep:
                block = buf[pos:end]
            elif (end > pos and buf[pos] in JSON_START and warc_type != b"warcinfo"
                  and may_hide(buf, pos, end)
                  and not (warc_type == b"metadata" and b"json" in fields.get(b"content-type", b"").lower())):
                hidden = buf[pos:end]   # (provpack provenance in a record of another type? provcheck.hidden)
            if buf.startswith(b"\r\n\r\n", end):
                self._pos = end + 4
            else:
                self._pos = end
                self._check_trailer(length, pos)
        else:
            sink = BlockSink(block_algorithms, payload_algorithms, http=http, keep=keep, truncated=truncated)
            remaining = self._read_block(length, sink)
            if remaining:
                for which, _, _, damage in suspects:  # (no digest to compare their values with)
                    self._problem(kinds.DIGEST_MISMATCH, f"{which} {damage}")
                if not self._gap:
                    self._problem(
                        kinds.TRUNCATED,
                        f"the block has {length - remaining} of the {length} bytes its Content-Length"
                        f" declares: the file is cut off, or Content-Length is too large{self._unread()}",
                    )
                    if self._candidate is not None:
                        # A record starts inside what was read as this block: read on from there.
                        self._silent = True
                        self._overrun = PAST_END
                        self._restart(self._candidate)
                return
            block_digests = sink.block_digests()
            readings = sink.payload_digests() if payload_algorithms else None
            chunked = sink.chunked
            block = sink.block()
            self._check_trailer(length, None)

        if suspects:
            self._judge_suspects(suspects, block_digests, readings, unknown)
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
                unknown += [f"{_PAYLOAD} {quote(c[2].partition(b':')[0].strip())} (no end of the HTTP header"
                            " within 1 MiB)" for c in payload_claims]
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
            if urn is not None:
                wrong = content_urn_fault(urn, hexlify(block_digests["sha256"]))
                if wrong is not None:
                    self._problem(kinds.DIGEST_MISMATCH, wrong)
            if block is not None:
                self._hidden_done(warc_type, fields.get(b"content-type"), block)
            self._resource_done(block_digests, block, length, fields.get(b"warc-target-uri"))
        elif warc_type in ORIGIN_TYPES:
            if block is not None or hidden is not None:
                self._hidden_done(warc_type, fields.get(b"content-type"), block or hidden or b"")
            sha = block_digests.get("sha256")
            self._origin_done(warc_type, fields.get(b"warc-target-uri"), fields.get(b"warc-refers-to"),
                              None if sha is None else sha.hex(), length, block, status)
        elif warc_type == b"warcinfo":
            self.provenance.warcinfo(block if keep else first)
        elif json_metadata and block is not None:
            self._metadata_done(fields.get(b"warc-refers-to"), block)
        elif block is not None or hidden is not None:
            self._hidden_done(warc_type, fields.get(b"content-type"), block or hidden or b"")
        if self._rec_failed:
            return
        context = self._context
        if checked and not unknown:
            if http and not block_claims:
                self.counts[HTTP_HEAD_UNCOVERED] += 1
            self.verified += 1
            if context is not None:
                context.outcome = "verified"
            return
        self.unverified += 1
        if context is not None:
            context.outcome = "unverified"
        if len(self.warnings) >= MAX_WARNINGS:
            self.counts[NOT_LISTED] += 1
            return
        name = warc_type.decode("ascii", "replace") or "untyped"
        if unknown:
            kind = kinds.UNKNOWN_DIGEST
            message = f"{name} record has digests that cannot be checked: " + ", ".join(unknown)
        elif payload_values:
            kind = kinds.MISSING_DIGEST
            message = f"{name} record has only a WARC-Payload-Digest, which describes another record"
        else:
            kind = kinds.MISSING_DIGEST
            message = f"{name} record has no WARC-Block-Digest or WARC-Payload-Digest"
        warning = Problem(self._rec_offset, self._rec_id, kind, message)
        if context is not None:
            context.warning = warning
        self.warnings.append(warning)

    def _judge_suspects(self, suspects: list[tuple[str, bytes, tuple[str, ...], str]],
                        block_digests: dict[str, bytes], readings: Readings | None, unknown: list[str]) -> None:
        """A label one edit from known algorithms whose value is one of those algorithms' digest (of the block,
        or of a reading of the payload) is misspelt, not damaged: left unchecked (a warning); any other,
        damaged."""
        for which, raw, near, damage in suspects:
            value = raw.partition(b":")[2].strip()
            matched = None
            for algorithm in near:
                if which == _BLOCK:
                    digests = [block_digests[algorithm]]
                else:
                    digests = [reading[algorithm] for reading in (readings or {}).values()]
                if any(value_matches(algorithm, value, digest) for digest in digests):
                    matched = algorithm
                    break
            if matched is not None:
                label = quote(raw.partition(b":")[0].strip())
                self.counts[f"digests with an unknown algorithm {label} not checked"] += 1
                unknown.append(f"{which} of the unknown algorithm {label} (its value is the {matched} digest)")
            else:
                self._problem(kinds.DIGEST_MISMATCH, f"{which} {damage}")

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
                self._candidate = self._candidate_in(buf, pos, pos + take)
            pos += take
            remaining -= take
        if not remaining:
            self._pos = pos
        return remaining

    def _unread(self) -> str:
        """What a block too large to hold leaves unread when the stream cannot be read again (standard input)."""
        if self._candidate is None or self.source.can_restart():
            return ""
        return ("; a record may start inside what was read as the block, but a stream that cannot seek is not"
                " read again from there")

    def _cut_in_header(self, header: bytes) -> bool:
        """True when a whole record head (a version line, and fields with a WARC-Record-ID, a WARC-Type and a
        numeric Content-Length) starts inside `header`, the header just read (the cursor is after it): this
        record was cut short there. The problem is reported and reading resumes at that record."""
        for version in (b"WARC/1.0\r\n", b"WARC/1.1\r\n"):
            idx = header.find(version, 1)
            while idx >= 0:
                inner = self._headers.parse(header[idx:])
                if inner.length is not None and b"warc-record-id" in inner.fields and b"warc-type" in inner.fields:
                    fields = self._headers.parse(header[:idx] + b"\r\n").fields  # (this record's id, if it has one)
                    record_id = fields.get(b"warc-record-id")
                    if record_id is not None:
                        self._rec_id = record_id.decode("utf-8", "replace")
                    self._problem(
                        kinds.MALFORMED_HEADER,
                        f"the header is cut short: another record's version line ({show(version[:8])}) starts"
                        f" {idx} bytes into it: reading resumes there",
                    )
                    self._pos -= len(header) + 2 - idx
                    return True
                idx = header.find(version, idx + 1)
        return False

    def _candidate_in(self, buf: bytes, start: int, stop: int) -> int | None:
        """Where reading goes back to, should the block buf[start:stop] be part of turn out to hold the next
        record: the byte before the first `WARC/` at a line start or a gzip member start in it, or before the
        first version line (`WARC/1.0` or `WARC/1.1` and CRLF) elsewhere in it, from where the search for a
        record start (warcscan.py) decides whether a record starts there. (With one record per gzip member,
        each record starts at a member start, the first byte of the buffer that member's data came in.)"""
        idx = buf.find(b"WARC/", start, stop)
        while idx >= 0:
            if ((idx > 0 and buf[idx - 1] == 10) or self.source.is_member_start(self._base + idx)
                    or (idx > 0 and buf.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n"), idx))):
                return self._base + idx - 1
            idx = buf.find(b"WARC/", idx + 1, stop)
        return None

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
        self._overrun = self._base + self._pos + 4
        self._problem(
            kinds.BAD_LENGTH,
            f"the {length}-byte block (Content-Length) is followed by {show(tail)}, not CRLF CRLF:"
            f" Content-Length is wrong or the block was altered{'' if block_start is not None else self._unread()}",
        )
        # Look for the next record from the start of the block: with a Content-Length that is too
        # large, it lies inside what was read as this block. (From the LF before it, as from the byte before
        # a candidate: a `WARC/` there is judged by the search for a record start, which knows this record's
        # length was wrong, not taken at once as a record where one was due.)
        if block_start is not None:
            self._pos = block_start - 1
        elif self._candidate is not None and self._candidate < self._base + self._pos:
            self._restart(self._candidate)

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
                    self.counts[RAW_MATCHED] += 1
                continue
            dechunked = readings.get(DECHUNKED)
            if dechunked is not None and value_matches(algorithm, value, dechunked[algorithm]):
                self.counts[DECHUNKED_MATCHED] += 1
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

    def _resource_done(self, block_digests: dict[str, bytes], block: bytes | None, length: int,
                       target: bytes | None = None) -> None:
        """Remember a resource record for the provenance records that refer to it."""
        if self._rec_id is None:
            return
        sha = block_digests.get("sha256")
        if sha is None and block is not None:
            sha = hashlib.sha256(block).digest()
        facts = ResourceFacts(self._rec_id, length, sha.hex() if sha is not None else None, block,
                              None if target is None else target.decode("utf-8", "replace"))
        found = self.provenance.resource(facts)
        if found:
            self._late(found)
        if self.origins.pending:
            found = self.origins.record(
                Record("resource", facts.record_id, facts.target, None, facts.sha256_hex, facts.length, block))
            if found:
                self._late(found)

    def _hidden_done(self, warc_type: bytes, content_type: bytes | None, block: bytes) -> None:
        """A record that is not a JSON metadata record (nor a warcinfo): provpack provenance in it all the same is
        said."""
        found = self.provenance.hidden(self._rec_offset, self._rec_id, warc_type, content_type, block)
        if found:
            self._rec_failed = True
            self.problems.extend(found)

    def _origin_done(self, warc_type: bytes, target: bytes | None, refers: bytes | None, sha256_hex: str | None,
                     length: int, block: bytes | None, status: int | None = None) -> None:
        """Note a record an original may be made of (origcheck), for the provenance records that name it."""
        if self._rec_id is None:
            return
        if sha256_hex is None and block is not None:
            sha256_hex = hashlib.sha256(block).hexdigest()
        found = self.origins.record(Record(
            warc_type.decode("ascii"), self._rec_id, None if target is None else target.decode("utf-8", "replace"),
            None if refers is None else refers.decode("utf-8", "replace"), sha256_hex, length, block, status))
        if found:
            self._late(found)

    def _late(self, found: list[Problem]) -> None:
        """Problems of provenance records read before, found as a record after them came (or at the end of the
        file): each such record is taken back from the verified or unverified records it was counted in (a
        record is verified only when no problem is found in it: docs/verify.md), its warning withdrawn."""
        self.problems.extend(found)
        for late in (self.provenance.late, self.origins.late):
            for context in late:
                outcome = context.outcome
                context.outcome = "failed"   # (once: another problem of it takes nothing back)
                if outcome == "verified":
                    self.verified -= 1
                elif outcome == "unverified":
                    self.unverified -= 1
                    self.taken_back += 1
                    self._withdraw(context.warning)
            late.clear()

    def _withdraw(self, warning: Problem | None) -> None:
        """Take the warning of a record taken back off the list (or, not listed, off the count of those not)."""
        warnings = self.warnings
        if warning is None:
            self.counts[NOT_LISTED] -= 1
            if not self.counts[NOT_LISTED]:
                del self.counts[NOT_LISTED]
            return
        for index in range(len(warnings) - 1, -1, -1):   # (a late problem mostly comes soon after its record)
            if warnings[index] is warning:
                del warnings[index]
                return

    def _metadata_done(self, refers: bytes | None, block: bytes) -> None:
        """Check a provpack provenance record (WARC-Refers-To `refers`) against the resource it refers to."""
        found = self.provenance.metadata(
            self._rec_offset, self._rec_id, block, refers,
            seen=self.seen_ids,
            position=(self.records, len(self.problems)) if self._segment else None,
        )
        provenance = self.provenance
        self._context = provenance.deferred   # (None unless it waits for its resource)
        doc = provenance.parsed
        if doc is not None:
            writer = provenance.writer   # (its generator must be the warcinfo's: ProvenanceTracker.generator)
            if (writer is not None and doc.get("generator") != writer) or not provenance.settled:
                wrong = provenance.generator(self._rec_offset, self._rec_id, doc)
                if wrong is not None:
                    found = [*found, wrong]
            if doc.get("original") is not None:   # (an original's records named: origcheck)
                if self._context is None:   # (it may wait for them)
                    self._context = Deferred()
                found += self.origins.provenance(self._rec_offset, self._rec_id, doc, self.seen_ids, self._context)
        if found:
            self._rec_failed = True
            self.problems.extend(found)
