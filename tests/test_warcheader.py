"""One WARC header: fields, digests, Content-Length and what is wrong with them."""

from __future__ import annotations

import pytest

from provpack.warcheader import HeaderParser, show

GOOD = (b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Target-URI: urn:example:1\r\n"
        b"WARC-Date: 2017-11-12T00:00:00Z\r\nWARC-Block-Digest: sha1:AAAA\r\nContent-Length: 12\r\n")


def test_fields_and_length() -> None:
    """Names are case-insensitive keys; values are stripped; the length is an int."""
    header = HeaderParser().parse(GOOD.replace(b"WARC-Type: ", b"warc-type:   "))
    assert header.fields[b"warc-type"] == b"resource" and header.length == 12
    assert header.block_digests == [b"sha1:AAAA"] and header.payload_digests == [] and header.issues == []


def test_repeated_digests_and_folded_lines() -> None:
    """Every digest header counts (each is checked, though WARC 1.1 has each at most once); folded lines join the
    line before."""
    text = GOOD + b"WARC-Block-Digest: md5:BBBB\r\nX-Note: one\r\n two\r\n\tthree\r\n"
    header = HeaderParser().parse(text)
    assert header.block_digests == [b"sha1:AAAA", b"md5:BBBB"]
    assert header.fields[b"x-note"] == b"one two three"
    assert header.issues == [("malformed-header", "WARC-Block-Digest appears more than once (each value is checked)")]


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


@pytest.mark.parametrize("date", [b"2017-11-12T00:00:00Z", b"2020-11-13T01:39:01.712Z", b"2020-11-13T01:39:01.5Z",
                                  b"2020-11-13T01:39:01.123456789Z"])
def test_w3c_dates(date: bytes) -> None:
    """WARC 1.1 dates, to the second, with a fraction of a second or none, are accepted."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == []


@pytest.mark.parametrize("date", [b"2017", b"2017-11", b"2017-11-12", b"2017-11-12T00:00Z"])
def test_dates_short_of_the_second_are_malformed(date: bytes) -> None:
    """The W3C profile's shorter forms are no WARC-Date (WARC 1.1 section 5.4: date and time to the second):
    `index` and `wacz` refuse them, so verify reports them (it passed them)."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == [(
        "malformed-header", f"WARC-Date {date.decode()!r} is not a complete date and time: a WARC-Date gives both,"
        " to the second (YYYY-MM-DDThh:mm:ssZ, WARC 1.1 section 5.4)")]


@pytest.mark.parametrize("date, words", [
    (b"2016-12-31T23:59:60Z", "has the leap second 60"),
    (b"2016-12-31T23:59:60.5Z", "has the leap second 60"),
    (b"0000-01-01T00:00:00Z", "has the year 0000"),
])
def test_dates_python_cannot_represent_are_malformed(date: bytes, words: str) -> None:
    """A leap second, or the year 0, is a date no reader built on Python's datetime can take: `index` and `wacz`
    refuse it, so verify reports it (it passed it), saying why."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == [(
        "malformed-header", f"WARC-Date {date.decode()!r} {words}, which Python's datetime cannot represent: neither"
        " provpack's index and wacz nor warcio and cdxj-indexer can read it")]


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
    """WARC-Concurrent-To may repeat (WARC 1.1 section 5.7), and so may a field WARC does not define (its
    processing software ignores such fields); no other field WARC defines may (section 5.1), optional ones included:
    the first value is used, and every digest is checked."""
    text = (GOOD + b"WARC-Concurrent-To: <urn:uuid:3>\r\nWARC-Concurrent-To: <urn:uuid:4>\r\n"
            b"X-Protocol: a\r\nX-Protocol: b\r\n")
    assert HeaderParser().parse(text).issues == []
    header = HeaderParser().parse(GOOD + b"Content-Length: 3\r\nWARC-Date: 2017-11-12T00:00:00Z\r\n")
    assert header.length == 12 and header.issues == [
        ("malformed-header", "Content-Length, WARC-Date appears more than once (the first is used)")]
    header = HeaderParser().parse(GOOD + b"WARC-Target-URI: urn:example:2\r\nwarc-truncated: length\r\n"
                                  b"WARC-Truncated: time\r\nWARC-Block-Digest: md5:B\r\n")
    assert header.fields[b"warc-target-uri"] == b"urn:example:1" and header.block_digests == [b"sha1:AAAA", b"md5:B"]
    assert header.issues == [
        ("malformed-header", "WARC-Target-URI, WARC-Truncated appears more than once (the first is used)"),
        ("malformed-header", "WARC-Block-Digest appears more than once (each value is checked)")]


@pytest.mark.parametrize("name", ["WARC-Target-URI", "Content-Type", "WARC-Payload-Digest", "WARC-IP-Address",
                                  "WARC-Refers-To", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date",
                                  "WARC-Warcinfo-ID", "WARC-Filename", "WARC-Profile", "WARC-Identified-Payload-Type",
                                  "WARC-Segment-Number", "WARC-Segment-Origin-ID", "WARC-Segment-Total-Length"])
def test_every_field_warc_defines_but_concurrent_to_is_given_once(name: str) -> None:
    """Each optional field WARC 1.1 defines, given twice (with the same value or not), is malformed-header."""
    value = {"WARC-Segment-Number": "1", "WARC-Segment-Total-Length": "5"}.get(name, "<urn:x:1>")
    for second in (value, "<urn:x:2>"):
        issues = HeaderParser().parse(GOOD + f"{name}: {value}\r\n{name.lower()}: {second}\r\n".encode()).issues
        assert ("malformed-header", f"{name} appears more than once") in [(k, m.partition(" (")[0]) for k, m in issues]


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
    (b"2020-04-31T00:00:00Z", "its month has no such day"),
    (b"1900-02-29T00:00:00Z", "its month has no such day"),
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


@pytest.mark.parametrize("date", [b"2020-02-29T03:04:05Z", b"2000-02-29T00:00:00Z", b"2020-01-31T00:00:00Z",
                                  b"2020-12-31T23:59:59Z", b"2020-01-02T03:04:05.5Z"])
def test_leap_days_and_fractions_are_valid(date: bytes) -> None:
    """29 February of a leap year and a fraction of a second are valid WARC dates."""
    assert HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues == []


@pytest.mark.parametrize("number, ok", [(b"1", True), (b"12", True), (b"007", True), (b"abc", False),
                                        (b"0", False), (b"-1", False), (b"1.5", False), (b"", False)])
def test_segment_numbers(number: bytes, ok: bool) -> None:
    """WARC-Segment-Number is a whole number of 1 or more; anything else is malformed-header."""
    issues = HeaderParser().parse(GOOD + b"WARC-Segment-Number: " + number + b"\r\n").issues
    assert issues == ([] if ok else [("malformed-header", f"WARC-Segment-Number {number.decode()!r} is not a"
                                      " whole number of 1 or more")])


def test_warc_1_0_and_payload_digests() -> None:
    """A WARC/1.0 version line is valid too; every WARC-Payload-Digest is kept, in order (given twice, as WARC 1.0
    has it no more than WARC 1.1, malformed)."""
    text = GOOD.replace(b"WARC/1.1", b"WARC/1.0") + b"WARC-Payload-Digest: sha1:CCCC\r\n"
    header = HeaderParser().parse(text)
    assert header.issues == [] and header.payload_digests == [b"sha1:CCCC"]
    header = HeaderParser().parse(text + b"WARC-Payload-Digest: md5:DD\r\n")
    assert header.payload_digests == [b"sha1:CCCC", b"md5:DD"]
    assert header.issues == [("malformed-header", "WARC-Payload-Digest appears more than once (each value is checked)")]


def test_messages_name_the_value_and_what_is_wrong() -> None:
    """Each issue's message quotes the offending value (the version line, the id, the length)."""
    def issues(old: bytes, new: bytes) -> list[tuple[str, str]]:
        return HeaderParser().parse(GOOD.replace(old, new)).issues
    assert issues(b"WARC/1.1", b"WARC/0.17") == [("bad-version", "version line 'WARC/0.17' is neither WARC/1.0 nor"
                                                  " WARC/1.1")]
    assert issues(b"<urn:uuid:1>", b"urn:uuid:1") == [("malformed-header", "WARC-Record-ID 'urn:uuid:1' is not <uri>")]
    assert issues(b"Content-Length: 12", b"Content-Length: 1x") == [("bad-length", "Content-Length '1x' is not a number")]
    assert issues(b"Content-Length: 12", b"Content-Length: " + b"9" * 31) == [
        ("bad-length", f"Content-Length {'9' * 31!r} has 31 digits: larger than any file")]
    for total in (b"abc", b"-5", b"1.5", b""):
        assert issues(b"Content-Length: 12", b"Content-Length: 12\r\nWARC-Segment-Total-Length: " + total) == [
            ("malformed-header", f"WARC-Segment-Total-Length {show(total)} is not a whole number of 0 or more")]
    for total in (b"0", b"12", b" 7 "):
        assert issues(b"Content-Length: 12", b"Content-Length: 12\r\nWARC-Segment-Total-Length: " + total) == []


def test_missing_required_fields_are_named_in_order() -> None:
    """A header without the required fields names each one missing, in the standard's order."""
    header = HeaderParser().parse(b"WARC/1.1\r\nX-Other: 1\r\n")
    assert header.issues == [("missing-header", "no WARC-Record-ID, WARC-Date, WARC-Type, Content-Length header")]
    header = HeaderParser().parse(GOOD + b"WARC-Record-ID: <urn:uuid:2>\r\nWARC-Type: response\r\n")
    assert header.issues == [("malformed-header", "WARC-Record-ID, WARC-Type appears more than once (the first is used)")]


@pytest.mark.parametrize("record_id, ok", [
    (b"<http://example.org/record/1>", True), (b"<tag:example.org,2020:x>", True), (b"<urn:x>", True),
    (b"<urn:>", False), (b"<urn:a b>", False), (b"<1urn:x>", False),
])
def test_record_ids(record_id: bytes, ok: bool) -> None:
    """Any absolute URI in angle brackets is a record id (not only urn:); an empty or spaced one is not."""
    issues = HeaderParser().parse(GOOD.replace(b"<urn:uuid:1>", record_id)).issues
    assert issues == ([] if ok else [("malformed-header", f"WARC-Record-ID {record_id.decode()!r} is not <uri>")])


@pytest.mark.parametrize("fold", [b" ", b"\t", b"  \t"])
def test_a_line_folded_by_a_space_or_a_tab_joins_the_line_before(fold: bytes) -> None:
    """A continuation line starting with a space alone, or a tab alone, is folded into the line before."""
    header = HeaderParser().parse(GOOD + b"X-Note: one\r\n" + fold + b"two\r\n")
    assert header.fields[b"x-note"] == b"one two" and header.issues == []


def test_a_bare_lf_in_a_header_line_is_malformed() -> None:
    """A line feed without its carriage return inside a header line is malformed, as a bare CR is."""
    header = HeaderParser().parse(GOOD.replace(b"WARC-Type: resource", b"WARC-Type: res\nource"))
    assert header.issues == [("malformed-header", "a header line contains a bare CR or LF")]


@pytest.mark.parametrize("date, ok", [
    (b"2024-02-29", True), (b"2025-02-29", False), (b"2400-02-29", True), (b"2100-02-29", False),
    (b"2020-04-31", False), (b"2020-06-31T00:00:00Z", False), (b"2020-09-31T12:00:00Z", False), (b"2020-11-31", False),
    (b"2020-03-31T00:00:00Z", True), (b"2020-05-31", True), (b"2020-07-31", True), (b"2020-08-31", True),
    (b"2020-10-31", True), (b"2020-12-31", True), (b"2020-06-30T00:00:00Z", True), (b"2020-02-28", True),
])
def test_days_past_the_end_of_their_month(date: bytes, ok: bool) -> None:
    """The 31st of April, June, September and November, and 29 February outside leap years, are malformed."""
    if len(date) == 10:
        date += b"T00:00:00Z"
    issues = HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", date)).issues
    assert issues == ([] if ok else [("malformed-header", f"WARC-Date {date.decode()!r} is not a W3C ISO 8601 UTC"
                                      " date: its month has no such day")])


def test_an_offset_that_is_not_digits_is_no_utc_offset() -> None:
    """Only `+hh:mm` or `-hh:mm` reads as a UTC offset: `+a1:00` makes the date simply malformed."""
    header = HeaderParser().parse(GOOD.replace(b"2017-11-12T00:00:00Z", b"2020-01-02T03:04+a1:00"))
    assert header.issues == [("malformed-header", "WARC-Date '2020-01-02T03:04+a1:00' is not a W3C ISO 8601 UTC date")]


@pytest.mark.parametrize("value, shown", [(b"a" * 59, "a" * 59), (b"a" * 60, "a" * 60), (b"a" * 61, "a" * 60 + "..."),
                                          (b"\xff", "\\xff")])
def test_show_keeps_sixty_characters(value: bytes, shown: str) -> None:
    """A value in a message is cut after 60 bytes, with `...` saying so; undecodable bytes are escaped."""
    assert show(value) == repr(shown)


_NO_TARGET = GOOD.replace(b"WARC-Target-URI: urn:example:1\r\n", b"")


@pytest.mark.parametrize("warc_type", [b"response", b"resource", b"request", b"conversion", b"Response"])
def test_a_type_that_needs_a_target_uri_says_so_without_one(warc_type: bytes) -> None:
    """WARC 1.1 5.6: every response, resource, request, revisit, conversion and continuation record has a
    WARC-Target-URI (the type read in any case, as the quick path reads it)."""
    header = HeaderParser().parse(_NO_TARGET.replace(b"WARC-Type: resource", b"WARC-Type: " + warc_type))
    assert header.issues == [("missing-header", "no WARC-Target-URI header: the WARC standard requires it on "
                              f"{warc_type.decode().lower()} records")]


@pytest.mark.parametrize("warc_type", [b"warcinfo", b"metadata", b"x-custom", b"resources"])
def test_types_that_need_no_target_uri_pass_without_one(warc_type: bytes) -> None:
    """A warcinfo or metadata record needs no WARC-Target-URI; a type the standard does not define needs nothing."""
    assert HeaderParser().parse(_NO_TARGET.replace(b"WARC-Type: resource", b"WARC-Type: " + warc_type)).issues == []


@pytest.mark.parametrize("extra, missing", [
    (b"", "WARC-Profile header: the WARC standard requires it on revisit"),
    (b"WARC-Profile: urn:any\r\n", None),
])
def test_a_revisit_needs_a_profile(extra: bytes, missing: str | None) -> None:
    """WARC 1.1 5.14: WARC-Profile is mandatory on revisit records (any value: profiles are not checked)."""
    text = GOOD.replace(b"WARC-Type: resource", b"WARC-Type: revisit") + extra
    expected = [] if missing is None else [("missing-header", f"no {missing} records")]
    assert HeaderParser().parse(text).issues == expected


@pytest.mark.parametrize("extra, missing", [
    (b"", "WARC-Segment-Origin-ID, WARC-Segment-Number headers: the WARC standard requires them"),
    (b"WARC-Segment-Number: 2\r\n", "WARC-Segment-Origin-ID header: the WARC standard requires it"),
    (b"WARC-Segment-Origin-ID: <urn:uuid:0>\r\n", "WARC-Segment-Number header: the WARC standard requires it"),
    (b"WARC-Segment-Origin-ID: <urn:uuid:0>\r\nWARC-Segment-Number: 2\r\n", None),
])
def test_a_continuation_needs_its_origin_and_number(extra: bytes, missing: str | None) -> None:
    """WARC 1.1 5.17 and 5.18: a continuation record names its first segment and its own number; every field
    missing is named, in the standard's order, with the target URI first."""
    text = GOOD.replace(b"WARC-Type: resource", b"WARC-Type: continuation") + extra
    expected = [] if missing is None else [("missing-header", f"no {missing} on continuation records")]
    assert HeaderParser().parse(text).issues == expected
    issues = HeaderParser().parse(_NO_TARGET.replace(b"WARC-Type: resource", b"WARC-Type: continuation")).issues
    assert issues == [("missing-header", "no WARC-Target-URI, WARC-Segment-Origin-ID, WARC-Segment-Number headers:"
                       " the WARC standard requires them on continuation records")]


def test_a_record_id_without_its_closing_bracket_is_malformed() -> None:
    """`<urn:...` without the `>`: the quick check before the regex must not pass it, read alone or by verify."""
    from readback import check
    from warcbuild import record

    header = HeaderParser().parse(GOOD.replace(b"<urn:uuid:1>", b"<urn:uuid:12345678-aaaa"))
    assert header.issues == [("malformed-header", "WARC-Record-ID '<urn:uuid:12345678-aaaa' is not <uri>")]
    data = record("resource", b"one", content_type="text/plain", record_id="<urn:uuid:12345678-aaaa",
                  headers=[("WARC-Target-URI", "http://x/")])
    assert [(problem.kind, problem.message) for problem in check(data).problems] == [
        ("malformed-header", "WARC-Record-ID '<urn:uuid:12345678-aaaa' is not <uri>")]
