"""The quick path: a sound record of the usual kind read in one go, its header matched by a known layout.

A layout is learned from an earlier sound record's header; anything that is not plainly sound
is left, untouched, to the full reader (recordcheck.py), which says what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from binascii import hexlify
from typing import NamedTuple

from .digests import FACTORIES, LABELS, encoding_of, value_matches
from .payload import Dechunker, http_block, http_payload
from .origcheck import ORIGIN_TYPES, STATUS_PEEK, Record, response_status
from .provcheck import (CONTENT_URN, JSON_START, WARCINFO_LIMIT, ResourceFacts, content_urn, content_urn_fault,
                        may_hide)
from .recordcheck import (DECHUNKED_MATCHED, INSIDE_MEMBER, KEEP_LIMIT, MAX_HEADER, OTHER_RECORD_PAYLOAD,
                          PROVENANCE_LIMIT, RAW_MATCHED, UNREAD_JSON, RecordChecker)
from .warcheader import MAX_LENGTH_DIGITS, NOT_IN_ID, TYPE_REQUIRED, VERSIONS, date_fault, missing_for_type
from .warcstream import Source

# Types whose payload digest describes another record (counted, unchecked, as the full reader does).
_OTHER_PAYLOAD = frozenset({b"revisit", b"continuation"})
# Types whose payload is the HTTP entity body when the block is an HTTP message (payload.http_block).
_HTTP_TYPES = frozenset({b"response", b"request"})
_VERSION_LINES = tuple(version + b"\r\n" for version in VERSIONS)


# The fields the quick path reads, in this order (see Layout).
_QUICK_KEYS = (b"warc-record-id", b"content-length", b"warc-block-digest", b"warc-type", b"warc-date",
               b"warc-payload-digest", b"content-type", b"warc-refers-to", b"warc-segment-number", b"warc-target-uri")
LAYOUTS_KEPT = 8
_SEGMENT_TOTAL = b"warc-segment-total-length"


class Layout(NamedTuple):
    """The field names of a header, in order, as a pattern matching any header with exactly those
    names: `Name:value` lines, no LF in a value, the blank line after them. A CR in a value is
    not excluded by the pattern (`.` is quicker than `[^\r\n]`) but by counting: a header it
    matches has no bare CR when it holds exactly `crs` CRs, one for each line."""

    pattern: re.Pattern[bytes]
    groups: tuple[int, ...]  # the group of each of _QUICK_KEYS' values; an absent field's never matches
    crs: int  # the lines of the header, with the blank line that ends it
    complete: frozenset[bytes]  # the record types (of TYPE_REQUIRED) whose required fields it holds


def layout_of(version: bytes, names: list[bytes], keys: list[bytes]) -> Layout:
    """The layout of a header with this version line and these field names (lower case: `keys`)."""
    lines = b"".join(re.escape(name) + b":(.*)\r\n" for name in names)
    # A last group that never takes part in a match stands for every absent field (its value: None).
    pattern = re.escape(version) + b"\r\n" + lines + b"\r\n((?!))?"
    where = {key: index + 1 for index, key in enumerate(keys)}
    complete = frozenset(kind for kind in TYPE_REQUIRED if missing_for_type(kind, where) is None)
    return Layout(re.compile(pattern), tuple(where.get(key, len(keys) + 1) for key in _QUICK_KEYS), len(names) + 2,
                  complete)


class QuickReader(RecordChecker):
    """Reads sound records of the usual kind quickly; leaves every other record to RecordChecker._read_record."""

    def __init__(self, source: Source, *, segment: bool = False, deep: bool = False) -> None:
        super().__init__(source, segment=segment, deep=deep)
        self._names = self._headers.names  # (the same dict, kept up to date by the parser)
        self._layouts: list[Layout] = []  # of sound records' headers, tried first by _express
        # Which layout followed each one last time (resources and provenance records alternate):
        # tried first after it, so that the first pattern tried mostly matches.
        self._after: list[int] = []
        self._previous = -1  # the layout of the record before, when one matched it

    def _express(self) -> bool:
        """Read the record at the cursor when it is of the usual kind and sound: whole in the buffer,
        a header every name of which has been seen before, one block digest and at most one payload
        digest (of the block, or of the HTTP entity body of a response or request: for a chunked
        one, of the raw or the de-chunked body, counted as the full reader counts it), in any
        encoding the full reader accepts, both matching; a revisit's or continuation's payload
        digest, which describes another record, is counted and not checked, as the full reader
        does. False, having changed nothing, for anything else: then _read_record reads it, and
        says what is wrong.

        A header whose names come in the same order as an earlier sound record's is matched by
        that record's layout in one go; any other is split into lines here. (Which layout to try
        first is remembered even when the record then goes to the full reader: a hint, no state.)
        """
        buf, pos = self._buf, self._pos
        layouts = self._layouts
        previous = self._previous
        guess = self._after[previous] if previous >= 0 else 0
        match = layouts[guess].pattern.match(buf, pos) if guess < len(layouts) else None
        index = guess
        if match is None:
            for index, layout in enumerate(layouts):
                if index != guess:
                    match = layout.pattern.match(buf, pos)
                    if match is not None:
                        break
        learn: list[bytes] | None = None
        if match is not None:
            if previous >= 0:
                self._after[previous] = index
            self._previous = index
            layout = layouts[index]
            start = match.end()
            if buf.count(b"\r", pos, start) != layout.crs:  # a bare CR in a value
                return False
            values = match.group(*layout.groups)
            complete: frozenset[bytes] | None = layout.complete
        else:
            self._previous = -1
            complete = None
            if not buf.startswith(_VERSION_LINES, pos):
                return False
            end = self._find_end(pos)  # (not buf.find: a long stretch without CRLF CRLF is searched once)
            if end < 0:
                return False
            header = buf[pos : end + 2]
            lines = header.split(b"\r\n")
            names = self._names
            fields: dict[bytes, bytes] = {}
            for line in lines[1:-1]:
                name, sep, value = line.partition(b":")
                key = names.get(name)
                if key is None or key in fields or not sep:
                    return False
                fields[key] = value
            if _SEGMENT_TOTAL in fields:   # (its value is the full reader's to check; no layout learned has it)
                return False
            rest = b"".join(lines)  # a CR or LF that is not part of a CRLF (the parser's bare CR/LF check)
            if b"\r" in rest or b"\n" in rest:
                return False
            values = tuple(map(fields.get, _QUICK_KEYS))
            start = end + 4
            learn = lines
        if start - pos > MAX_HEADER:
            return False
        (record_id, length_text, block_value, warc_type, date, payload_value, content_type, refers, segment,
         target) = values
        if (record_id is None or length_text is None or block_value is None or warc_type is None
                or date is None or segment is not None):
            return False
        date = date.strip()
        new_date = date != self._headers.good_date
        if new_date and date_fault(date) is not None:
            return False
        record_id = record_id.strip()
        length_text = length_text.strip()
        if not length_text.isdigit() or len(length_text) > MAX_LENGTH_DIGITS:
            return False
        if not (record_id.startswith(b"<urn:") and record_id.endswith(b">") and len(record_id) > 6
                and len(record_id[5:-1].translate(None, NOT_IN_ID)) == len(record_id) - 6):
            return False
        warc_type = warc_type.strip().lower()
        if not warc_type:
            return False
        if warc_type in TYPE_REQUIRED and (warc_type not in complete if complete is not None
                                           else missing_for_type(warc_type, fields) is not None):
            return False   # (a field its type requires is missing: the full reader says which)
        reading = None  # the count of a payload digest: of another record's payload, or of a chunked reading
        if payload_value is not None and warc_type in _OTHER_PAYLOAD:
            # A revisit's or a continuation's payload digest: counted and not checked, as
            # RecordChecker._read_record does; the record is verified by its block digest alone. Its
            # label and the form of its value are checked: anything but a known algorithm's label and a
            # value in one of its encodings goes to the full reader, which says what is wrong.
            label, _, value = payload_value.strip().partition(b":")
            payload_algorithm = LABELS.get(label)
            if payload_algorithm is None or encoding_of(payload_algorithm, value.strip()) is None:
                return False
            payload_value = None
            reading = OTHER_RECORD_PAYLOAD
        label, _, value = block_value.strip().partition(b":")
        algorithm = LABELS.get(label)
        if algorithm is None:
            return False
        length = int(length_text)
        stop = start + length
        if stop + 4 > len(buf) or not buf.startswith(b"\r\n\r\n", stop):
            return False
        view = memoryview(buf)
        digest = FACTORIES[algorithm](view[start:stop]).digest()
        expected = hexlify(digest)
        value = value.strip()
        if value != expected and value.lower() != expected and not value_matches(algorithm, value, digest):
            return False
        if payload_value is not None:
            label, _, value = payload_value.strip().partition(b":")
            payload_algorithm = LABELS.get(label)
            if payload_algorithm is None:
                return False
            value = value.strip()
            if warc_type in _HTTP_TYPES and http_block(content_type, target, buf, start, stop):
                # As payload.digest_block: the payload is the entity body after the HTTP header
                # block; a chunked one has two readings, the raw body tried first, as in
                # RecordChecker._check_payload, which counts the one that matched.
                entity = http_payload(buf, start, stop)
                if entity is None:
                    return False
                payload_start, chunked = entity
                payload_digest = FACTORIES[payload_algorithm](view[payload_start:stop]).digest()
                if value_matches(payload_algorithm, value, payload_digest):
                    if chunked:
                        reading = RAW_MATCHED
                elif not chunked:
                    return False
                else:
                    dechunker = Dechunker((payload_algorithm,))
                    dechunker.feed(buf, payload_start, stop)
                    if not (dechunker.complete and value_matches(
                            payload_algorithm, value, dechunker.digests()[payload_algorithm])):
                        return False  # (a body cut off in a record marked WARC-Truncated too: the full reader's)
                    reading = DECHUNKED_MATCHED
            elif payload_algorithm == algorithm:
                if value != expected and value.lower() != expected and not value_matches(algorithm, value, digest):
                    return False
            elif not value_matches(payload_algorithm, value, FACTORIES[payload_algorithm](view[start:stop]).digest()):
                return False
        json_metadata = False
        if warc_type == b"resource":
            # A content URN names the block: its sha256. The usual one (this block's, with a sha256 digest) is seen
            # in one go: after at most 4 bytes (white space, <) the prefix and the hex (content_urn would find
            # the same: the prefix repeats no shorter piece of itself); a target that does not hold the prefix in
            # any case is none.
            if target is not None and not (algorithm == "sha256" and len(target) <= 88 and target.endswith(expected)
                                           and target[-84:-64] == CONTENT_URN) and (
                    target.lower().find(CONTENT_URN) >= 0):
                urn = content_urn(target)
                if urn is not None and content_urn_fault(urn, expected if algorithm == "sha256" else hexlify(
                        hashlib.sha256(view[start:stop]).digest())) is not None:
                    return False
            if stop > start and buf[start] in JSON_START and may_hide(buf, start, stop):
                return False   # (provpack provenance, perhaps, not in a JSON metadata record: provcheck.hidden's)
        elif warc_type == b"metadata":   # (find: as `in`, without its int attempt)
            json_metadata = content_type is not None and content_type.lower().find(b"json") >= 0
            if not json_metadata and stop > start and buf[start] in JSON_START and may_hide(buf, start, stop):
                return False
        elif stop > start and buf[start] in JSON_START and warc_type != b"warcinfo" and may_hide(buf, start, stop):
            return False   # (any other type: the same)
        if not self.seen_ids.add(hash(record_id)):  # (a repeated id: left unchanged, for _read_record to report)
            return False
        # A sound record: as _read_record would have read it.
        if new_date:
            self._headers.good_date = date
        if learn is not None and len(self._layouts) < LAYOUTS_KEPT:
            self._learn(learn)
        self.records += 1
        self._rec_offset, aligned = self.source.locate(self._base + pos)
        if not aligned:
            self.counts[INSIDE_MEMBER] += 1
        if reading is not None:
            self.counts[reading] += 1
        self._rec_failed = False
        self._rec_id = record_id.decode("utf-8", "replace")
        self._pos = stop + 4
        if warc_type == b"resource":  # (as _resource_done, with the digest at hand)
            block = buf[start:stop] if length <= KEEP_LIMIT else None
            facts = ResourceFacts(
                self._rec_id, length, expected.decode("ascii") if algorithm == "sha256" else
                None if block is None else hashlib.sha256(block).hexdigest(), block,
                None if target is None else target.strip().decode("utf-8", "replace"))
            found = self.provenance.resource(facts)
            if found:   # (problems of provenance records before it, which take them back: _late)
                self._late(found)
            if self.origins.pending:   # (a source record some provenance record waits for: origcheck)
                found = self.origins.record(
                    Record("resource", facts.record_id, facts.target, None, facts.sha256_hex, length, block))
                if found:
                    self._late(found)
        elif json_metadata:
            if length <= PROVENANCE_LIMIT:
                self._metadata_done(None if refers is None else refers.strip(), buf[start:stop])
                if self._rec_failed:
                    return True
            else:
                self.counts[UNREAD_JSON] += 1
        elif warc_type == b"warcinfo":   # (what the provenance records after it must say wrote them)
            self.provenance.warcinfo(buf[start:min(stop, start + WARCINFO_LIMIT + 1)])
        elif warc_type in ORIGIN_TYPES:   # (a record an original may be made of: origcheck)
            self._origin_done(warc_type, None if target is None else target.strip(),
                              None if refers is None else refers.strip(), expected.decode("ascii")
                              if algorithm == "sha256" else None, length,
                              buf[start:stop] if length <= KEEP_LIMIT and (warc_type == b"conversion" or (
                                  warc_type == b"response" and self.origins.wants(self._rec_id))) else None,
                              response_status(buf[start:min(stop, start + STATUS_PEEK)])
                              if warc_type == b"response" else None)
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
            self._after.append(len(self._after))
