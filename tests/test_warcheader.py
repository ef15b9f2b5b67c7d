"""One WARC header: fields, digests, Content-Length and what is wrong with them."""

from __future__ import annotations

import pytest

from provpack.warcheader import HeaderParser

GOOD = (b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"WARC-Date: 2017-11-12T00:00:00Z\r\nWARC-Block-Digest: sha1:AAAA\r\nContent-Length: 12\r\n")


def test_fields_and_length() -> None:
    """Names are case-insensitive keys; values are stripped; the length is an int."""
    header = HeaderParser().parse(GOOD.replace(b"WARC-Type: ", b"warc-type:   "))
    assert header.fields[b"warc-type"] == b"resource" and header.length == 12
    assert header.block_digests == [b"sha1:AAAA"] and header.payload_digests == [] and header.issues == []


def test_repeated_digests_and_folded_lines() -> None:
    """Every digest header counts; folded lines join the line before."""
    text = GOOD + b"WARC-Block-Digest: md5:BBBB\r\nX-Note: one\r\n two\r\n\tthree\r\n"
    header = HeaderParser().parse(text)
    assert header.block_digests == [b"sha1:AAAA", b"md5:BBBB"]
    assert header.fields[b"x-note"] == b"one two three" and header.issues == []


@pytest.mark.parametrize("text, kind", [
    (GOOD.replace(b"WARC/1.1", b"WARC/0.17"), "bad-version"),
    (GOOD + b"no colon here\r\n", "malformed-header"),
    (GOOD + b"Bad Name: x\r\n", "malformed-header"),
    (GOOD.replace(b"WARC-Type: resource", b"WARC-Type: res\rource"), "malformed-header"),
    (GOOD.replace(b"WARC-Date: 2017-11-12T00:00:00Z\r\n", b""), "missing-header"),
    (GOOD.replace(b"<urn:uuid:1>", b"urn:uuid:1"), "malformed-header"),
    (GOOD.replace(b"2017-11-12T00:00:00Z", b"2017-11-12 00:00:00"), "malformed-header"),
    (GOOD.replace(b"Content-Length: 12", b"Content-Length: -12"), "bad-length"),
    (GOOD.replace(b"Content-Length: 12", b"Content-Length: " + b"9" * 5000), "bad-length"),
    (GOOD + b"Content-Length: 3\r\n", "malformed-header"),
    (GOOD + b"WARC-Record-ID: <urn:uuid:2>\r\n", "malformed-header"),
    (GOOD + b"warc-type: resource\r\n", "malformed-header"),
])
def test_issues(text: bytes, kind: str) -> None:
    """Each break of the WARC grammar is one issue of the right kind."""
    header = HeaderParser().parse(text)
    assert [k for k, _ in header.issues] == [kind]


@pytest.mark.parametrize("date", [b"2017", b"2017-11", b"2017-11-12", b"2017-11-12T00:00Z",
                                  b"2020-11-13T01:39:01.712Z"])
def test_w3c_dates(date: bytes) -> None:
    """WARC 1.1 dates of any W3C precision are accepted."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == []


@pytest.mark.parametrize("text, length", [
    (b"0" * 5000 + b"12", 12),
    (b"9" * 30, int("9" * 30)),
    (b"0", 0),
])
def test_long_content_lengths(text: bytes, length: int) -> None:
    """Leading zeros do not count against the digit limit; up to 30 digits a length is a number."""
    header = HeaderParser().parse(GOOD.replace(b"Content-Length: 12", b"Content-Length: " + text))
    assert header.length == length and header.issues == []


def test_repeatable_fields() -> None:
    """Digests and optional fields may repeat (every digest is checked); a required field may not."""
    text = GOOD + b"WARC-Concurrent-To: <urn:uuid:3>\r\nWARC-Concurrent-To: <urn:uuid:4>\r\nWARC-Block-Digest: md5:B\r\n"
    assert HeaderParser().parse(text).issues == []
    header = HeaderParser().parse(GOOD + b"Content-Length: 3\r\nWARC-Date: 2017-11-12T00:00:00Z\r\n")
    assert header.length == 12 and header.issues == [
        ("malformed-header", "Content-Length, WARC-Date appears more than once (the first is used)")]


def test_a_known_name_without_a_colon_is_malformed() -> None:
    """A line that is only a field name seen before (no colon) is as malformed as it was the first time."""
    parser = HeaderParser()
    assert parser.parse(GOOD + b"Content-Type: text/plain\r\n").issues == []
    header = parser.parse(GOOD + b"Content-Type\r\n")
    assert header.issues == [("malformed-header", "header line 'Content-Type' is not 'Name: value'")]


def test_an_empty_date_is_malformed_in_the_first_header_too() -> None:
    """An empty WARC-Date is malformed whether or not a valid date came before (it was passed when none had)."""
    empty = GOOD.replace(b"2017-11-12T00:00:00Z", b"")
    for parser in (HeaderParser(), HeaderParser()):
        assert [k for k, _ in parser.parse(empty).issues] == ["malformed-header"]
        assert parser.parse(GOOD).issues == []
        assert parser.parse(empty).issues == [("malformed-header", "WARC-Date '' is empty: it must be a W3C"
                                               " ISO 8601 UTC date")]


def test_an_empty_record_type_is_malformed() -> None:
    """`WARC-Type:` with no value names no type: malformed-header (an absent one is missing-header)."""
    for value in (b"", b"  "):
        header = HeaderParser().parse(GOOD.replace(b"WARC-Type: resource", b"WARC-Type:" + value))
        assert header.issues == [("malformed-header", "WARC-Type is empty: it names no record type")]


@pytest.mark.parametrize("date, words", [
    (b"2020-02-30T03:04:05Z", "its month has no such day"),
    (b"2021-02-29T03:04:05Z", "its month has no such day"),
    (b"2020-04-31", "its month has no such day"),
    (b"1900-02-29", "its month has no such day"),
    (b"2020-01-02T03:04:05+01:00", "has the UTC offset +01:00: WARC dates are in UTC and end in Z (convert it to"
                                   " UTC, end it with Z)"),
    (b"2020-01-02T03:04-05:30", "has the UTC offset -05:30: WARC dates are in UTC and end in Z"),
    (b"2020-01-02T03:04:05+00:00", "has the UTC offset +00:00: WARC dates end in Z (end it with Z instead)"),
    (b"2020-01-02T03:04:05.5-00:00", "has the UTC offset -00:00: WARC dates end in Z (end it with Z instead)"),
    (b"2020-01-02T03:04+00:00", "has the UTC offset +00:00: WARC dates end in Z"),
    (b"2020-01-02T03:04:05", "is not a W3C ISO 8601 UTC date"),
])
def test_dates_that_are_not_utc_or_not_days(date: bytes, words: str) -> None:
    """A day past the end of its month, or a time with any UTC offset (a zero one too: WARC 1.1's dates end in
    Z), is malformed, and says which."""
    parser = HeaderParser()
    parser.parse(GOOD)
    (issue,) = parser.parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues
    assert issue[0] == "malformed-header" and words in issue[1]


@pytest.mark.parametrize("date", [b"2020-02-29T03:04:05Z", b"2000-02-29", b"2020-01-31T00:00:00Z",
                                  b"2020-12-31T23:59:60Z", b"2020-01-02T03:04:05.5Z", b"2020-01-02T03:04Z"])
def test_leap_days_and_leap_seconds_are_valid(date: bytes) -> None:
    """29 February of a leap year, a leap second, a fraction of a second, and no seconds are valid WARC dates."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == []


@pytest.mark.parametrize("number, ok", [(b"1", True), (b"12", True), (b"007", True), (b"abc", False),
                                        (b"0", False), (b"-1", False), (b"1.5", False), (b"", False)])
def test_segment_numbers(number: bytes, ok: bool) -> None:
    """WARC-Segment-Number is a whole number of 1 or more; anything else is malformed-header."""
    issues = HeaderParser().parse(GOOD + b"WARC-Segment-Number: " + number + b"\r\n").issues
    assert issues == ([] if ok else [("malformed-header", f"WARC-Segment-Number {number.decode()!r} is not a"
                                      " whole number of 1 or more")])
