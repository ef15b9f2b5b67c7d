"""Parse and check one WARC record header (version line and named fields), fast on the common case."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import NamedTuple

from . import problems as kinds

VERSIONS = (b"WARC/1.0", b"WARC/1.1")
_REQUIRED = (b"warc-record-id", b"warc-date", b"warc-type", b"content-length")
_REQUIRED_SET = frozenset(_REQUIRED)
# The fields WARC 1.1 defines (sections 4 and 5), which a record holds at most once each (section 5.1: named fields
# are not repeated, except WARC-Concurrent-To, section 5.7), by lower-case name. WARC 1.0 has the same rule.
_ONCE = {name.lower().encode(): name for name in (
    "WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type", "Content-Type", "WARC-Block-Digest",
    "WARC-Payload-Digest", "WARC-IP-Address", "WARC-Refers-To", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date",
    "WARC-Target-URI", "WARC-Truncated", "WARC-Warcinfo-ID", "WARC-Filename", "WARC-Profile",
    "WARC-Identified-Payload-Type", "WARC-Segment-Number", "WARC-Segment-Origin-ID", "WARC-Segment-Total-Length")}
_REQUIRED_NAMES = {key: _ONCE[key] for key in _REQUIRED}
# Fields WARC 1.0 and 1.1 require on records of one type (WARC 1.1 sections 5.6, 5.14, 5.17, 5.18), in order:
# a target URI on every type but warcinfo and metadata, a profile on a revisit, the segment fields on a continuation.
_TARGET = (b"warc-target-uri", "WARC-Target-URI")
TYPE_REQUIRED: dict[bytes, tuple[tuple[bytes, str], ...]] = {
    b"response": (_TARGET,), b"resource": (_TARGET,), b"request": (_TARGET,), b"conversion": (_TARGET,),
    b"revisit": (_TARGET, (b"warc-profile", "WARC-Profile")),
    b"continuation": (_TARGET, (b"warc-segment-origin-id", "WARC-Segment-Origin-ID"),
                      (b"warc-segment-number", "WARC-Segment-Number")),
}
_FOLDED = re.compile(rb"\r\n[ \t]+")
_BLOCK_KEY = b"warc-block-digest"
_PAYLOAD_KEY = b"warc-payload-digest"
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_NAMES_KEPT = 4096
# A Content-Length with more digits than this (leading zeros aside) is larger than any file could
# be: reported, not converted (int() refuses more than 4,300 digits, and no block is that long).
MAX_LENGTH_DIGITS = 30
# A WARC-Date as WARC 1.1 has it (section 5.4): a UTC timestamp in the W3C profile of ISO 8601, a complete
# date with hours, minutes and seconds (`YYYY-MM-DDThh:mm:ssZ`), the seconds with a fraction of 1 to 9
# digits or none. The profile's shorter forms (a year, a month, a day, hh:mm) are not allowed, nor an
# offset, even a zero one (`+00:00`): a time ends in `Z`. One rule for verify (both readers) and for
# index and wacz (cdxj._timestamp), so that verify passes exactly the dates the index takes: date_fault.
# A day of 29 to 31 is checked against its month by bad_day (a regex for it would be slow).
DATE = re.compile(
    rb"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z"
)
# The W3C profile's shorter forms, which WARC-Date does not allow: said so by date_fault.
_REDUCED = re.compile(
    rb"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3]):[0-5]\dZ)?)?)?"
)
_RECORD_ID = re.compile(rb"<[A-Za-z][A-Za-z0-9+.-]*:[^<>\s]+>")
NOT_IN_ID = b"<> \t\n\r\x0b\x0c"  # what [^<>\s] excludes


class Header(NamedTuple):
    """A parsed header: fields by lower-case name (first value), digest values, length, problems."""

    fields: dict[bytes, bytes]
    block_digests: list[bytes]
    payload_digests: list[bytes]
    length: int | None  # None when Content-Length is missing or not a number
    issues: list[tuple[str, str]]  # (problem kind, message)


class HeaderParser:
    """Parses headers; remembers valid field names and the last valid date, which repeat across records."""

    def __init__(self) -> None:
        self.names: dict[bytes, bytes] = {}  # field names seen and found valid -> lower case
        self.good_date: bytes | None = None  # the last WARC-Date found valid (None: none yet)

    def parse(self, header: bytes) -> Header:
        """Parse `header` (each line ending in CRLF, without the blank line that ends it)."""
        lines = header.split(b"\r\n")
        fields, repeated, bad_line = self._fields(lines)
        # A continuation line (starting with a space or tab) never reads as `Name: value`: only
        # then is it worth looking for one.
        if bad_line is not None and (b"\r\n " in header or b"\r\n\t" in header):
            header = _FOLDED.sub(b" ", header)  # continuation lines belong to the line before
            lines = header.split(b"\r\n")
            fields, repeated, bad_line = self._fields(lines)
        block_digests = [fields[_BLOCK_KEY]] if _BLOCK_KEY in fields else []
        payload_digests = [fields[_PAYLOAD_KEY]] if _PAYLOAD_KEY in fields else []
        twice: dict[bytes, None] = {}  # defined fields given more than once (digests aside)
        digests_twice: dict[bytes, None] = {}
        for key, value in repeated:
            if key == _BLOCK_KEY:
                block_digests.append(value)
                digests_twice[key] = None
            elif key == _PAYLOAD_KEY:
                payload_digests.append(value)
                digests_twice[key] = None
            elif key in _ONCE:
                twice[key] = None
        parsed = self._check(header, lines, fields, block_digests, payload_digests, bad_line)
        if twice:
            # WARC 1.1 section 5.1: named fields are not repeated (WARC-Concurrent-To aside); readers that take
            # the last value would frame, name or date the record differently, or send it to another URI.
            names = ", ".join(_ONCE[key] for key in twice)
            parsed.issues.append((kinds.MALFORMED_HEADER, f"{names} appears more than once (the first is used)"))
        if digests_twice:
            names = ", ".join(_ONCE[key] for key in digests_twice)
            parsed.issues.append((kinds.MALFORMED_HEADER, f"{names} appears more than once (each value is checked)"))
        return parsed

    def _fields(self, lines: list[bytes]) -> tuple[dict[bytes, bytes], list[tuple[bytes, bytes]], bytes | None]:
        """Fields (first value of each name), repeated fields, and the first line that is not `Name: value`."""
        fields: dict[bytes, bytes] = {}
        repeated: list[tuple[bytes, bytes]] = []
        names = self.names
        bad_line: bytes | None = None
        for line in lines[1:-1]:
            name, sep, value = line.partition(b":")
            key = names.get(name) if sep else None  # (a line that is only a known name is no field)
            if key is None:
                if not sep or _TOKEN.fullmatch(name) is None:
                    if bad_line is None:
                        bad_line = line
                    continue
                key = name.lower()
                if len(names) < _NAMES_KEPT:
                    names[name] = key
            if key in fields:
                repeated.append((key, value.strip()))
            else:
                fields[key] = value.strip()
        return fields, repeated, bad_line

    def _check(self, header: bytes, lines: list[bytes], fields: dict[bytes, bytes], block_digests: list[bytes],
               payload_digests: list[bytes], bad_line: bytes | None) -> Header:
        """The parsed header with what is wrong in it."""
        issues: list[tuple[str, str]] = []
        if lines[0] not in VERSIONS:
            issues.append((kinds.BAD_VERSION, f"version line {show(lines[0])} is neither WARC/1.0 nor WARC/1.1"))
        if bad_line is not None:
            issues.append((kinds.MALFORMED_HEADER, f"header line {show(bad_line)} is not 'Name: value'"))
        elif header.count(b"\n") >= len(lines) or header.count(b"\r") >= len(lines):
            issues.append((kinds.MALFORMED_HEADER, "a header line contains a bare CR or LF"))
        if not _REQUIRED_SET.issubset(fields):
            missing = [_REQUIRED_NAMES[key] for key in _REQUIRED if key not in fields]
            issues.append((kinds.MISSING_HEADER, "no " + ", ".join(missing) + " header"))
        record_id = fields.get(b"warc-record-id")
        if record_id is not None and not (
            record_id.startswith(b"<urn:") and record_id.endswith(b">") and len(record_id) > 6
            and len(record_id[5:-1].translate(None, NOT_IN_ID)) == len(record_id) - 6
        ) and _RECORD_ID.fullmatch(record_id) is None:  # (the check before the regex is the usual case, quicker)
            issues.append((kinds.MALFORMED_HEADER, f"WARC-Record-ID {show(record_id)} is not <uri>"))
        date = fields.get(b"warc-date")
        if date is not None and date != self.good_date:
            wrong = date_fault(date)
            if wrong is not None:
                issues.append((kinds.MALFORMED_HEADER, f"WARC-Date {show(date)} {wrong}"))
            else:
                self.good_date = date
        warc_type = fields.get(b"warc-type")
        if warc_type is not None and not warc_type:
            issues.append((kinds.MALFORMED_HEADER, "WARC-Type is empty: it names no record type"))
        elif warc_type is not None:
            absent = missing_for_type(warc_type, fields)
            if absent:
                issues.append((kinds.MISSING_HEADER, absent))
        segment = fields.get(b"warc-segment-number")
        if segment is not None and not (segment.isdigit() and int(segment[:MAX_LENGTH_DIGITS]) > 0):
            issues.append((kinds.MALFORMED_HEADER, f"WARC-Segment-Number {show(segment)} is not a whole number"
                           " of 1 or more"))
        total = fields.get(b"warc-segment-total-length")
        if total is not None and not total.isdigit():   # (WARC 1.1: 1*DIGIT)
            issues.append((kinds.MALFORMED_HEADER, f"WARC-Segment-Total-Length {show(total)} is not a whole number"
                           " of 0 or more"))
        length_text = fields.get(b"content-length")
        length: int | None = None
        if length_text is not None:
            if length_text.isdigit():
                digits = length_text.lstrip(b"0") or b"0"
                if len(digits) <= MAX_LENGTH_DIGITS:
                    length = int(digits)
                else:
                    message = f"Content-Length {show(length_text)} has {len(digits)} digits: larger than any file"
                    issues.append((kinds.BAD_LENGTH, message))
            else:
                issues.append((kinds.BAD_LENGTH, f"Content-Length {show(length_text)} is not a number"))
        return Header(fields, block_digests, payload_digests, length, issues)


def missing_for_type(warc_type: bytes, fields: Container[bytes]) -> str | None:
    """What a record of `warc_type` lacks of the fields the WARC standard requires on that type (field
    names in lower case), in words; None when it lacks none, and for types that require none."""
    required = TYPE_REQUIRED.get(warc_type.lower())
    if required is None:
        return None
    absent = [name for key, name in required if key not in fields]
    if not absent:
        return None
    names, them = (f"{absent[0]} header", "it") if len(absent) == 1 else (f"{', '.join(absent)} headers", "them")
    return f"no {names}: the WARC standard requires {them} on {warc_type.lower().decode()} records"


def bad_day(date: bytes) -> bool:
    """True when a date that DATE matches has a day past the end of its month (2021-02-29, 2020-04-31)."""
    if len(date) < 10 or date[8:10] <= b"28":
        return False
    year, month = int(date[:4]), int(date[5:7])
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return int(date[8:10]) > (29 if leap else 28)
    return date[8:10] == b"31" and month in (4, 6, 9, 11)


def date_fault(date: bytes) -> str | None:
    """What is wrong with a WARC-Date value (to follow the quoted value in a message), or None."""
    if DATE.fullmatch(date) is None:
        offset = date[-6:]
        if (offset[:1] in (b"+", b"-") and offset[1:3].isdigit() and offset[3:4] == b":" and offset[4:].isdigit()
                and len(date) > 6 and (DATE.fullmatch(date[:-6] + b"Z") is not None
                                       or _REDUCED.fullmatch(date[:-6] + b"Z") is not None)):
            zone = offset.decode("ascii")
            if zone[1:] == "00:00":
                return f"has the UTC offset {zone}: WARC dates end in Z (end it with Z instead)"
            return f"has the UTC offset {zone}: WARC dates are in UTC and end in Z (convert it to UTC, end it with Z)"
        if not date:
            return "is empty: it must be a W3C ISO 8601 UTC date"
        if date[17:19] == b"60" and DATE.fullmatch(date[:17] + b"59" + date[19:]) is not None:
            return ("has the leap second 60, which Python's datetime cannot represent: neither provpack's index"
                    " and wacz nor warcio and cdxj-indexer can read it")
        if _REDUCED.fullmatch(date) is not None:
            return ("is not a complete date and time: a WARC-Date gives both, to the second"
                    " (YYYY-MM-DDThh:mm:ssZ, WARC 1.1 section 5.4)")
        return "is not a W3C ISO 8601 UTC date"
    if bad_day(date):
        return "is not a W3C ISO 8601 UTC date: its month has no such day"
    if date.startswith(b"0000"):
        return ("has the year 0000, which Python's datetime cannot represent: neither provpack's index and wacz"
                " nor warcio and cdxj-indexer can read it")
    return None


def show(value: bytes) -> str:
    """Bytes for a message: short, printable."""
    text = value[:60].decode("utf-8", "backslashreplace")
    return repr(text + ("..." if len(value) > 60 else ""))
