"""Record to record: sound archives walked, junk between records, truncation, resynchronisation after a wrong
Content-Length, and the offsets problems are reported at."""

from __future__ import annotations

import io
import re

import pytest

from provpack.problems import Problem
from provpack.rawreader import RawReader
from provpack.sniff import open_source
from provpack.warcheader import Header, HeaderParser
from provpack.warcscan import Scanner
from provpack.warcstream import PlainSource

from readback import check, kinds
from warcbuild import SAMPLE_TEXTS, gzip_member, provpack_records, record, warc


@pytest.mark.parametrize("gzip", [True, False])
def test_sound_archive(gzip: bool) -> None:
    """A provpack-style archive verifies: every record has a digest, provenance checks out."""
    report = check(warc(provpack_records(SAMPLE_TEXTS), gzip=gzip))
    assert report.ok and report.records == 5 and report.verified == 5 and report.unverified == 0
    assert "provpack provenance records checked: 2" in report.notes


@pytest.mark.parametrize("seekable", [True, False])
def test_content_length_too_small(seekable: bool) -> None:
    """A block longer than its Content-Length: bad-length and digest mismatch, the next record read."""
    bad = record("resource", b"0123456789", content_length=8)
    report = check(warc([bad, record("resource", b"next")], gzip=False), seekable=seekable)
    assert kinds(report) == ["bad-length", "digest-mismatch"]
    assert report.records == 2 and report.verified == 1


@pytest.mark.parametrize("gzip", [False, True])
@pytest.mark.parametrize("seekable", [True, False])
def test_content_length_too_large(seekable: bool, gzip: bool) -> None:
    """A Content-Length running into the next records: reported, and the next records still found."""
    following = [record("resource", b"next %d" % i) for i in range(3)]
    bad = record("resource", b"0123456789", content_length=40)
    report = check(warc([bad, *following], gzip=gzip), seekable=seekable)
    assert report.problems[0].kind == "bad-length" and report.problems[0].offset == 0
    if seekable:   # (gzip per record: from the next member start, where the record after it starts)
        assert report.records == 4 and report.verified == 3
    else:
        assert report.records == 3 + (not gzip) and report.verified == 2 + (not gzip)


def test_a_damaged_record_inside_a_block_that_runs_past_the_end_is_read() -> None:
    """A block that runs past the end of the file holds a record whose own Content-Length is wrong, then a sound
    one: read again from inside the block, both are read and the damaged one reported."""
    first = record("resource", b"first", content_length=10**9)
    report = check(first + record("resource", b"second", content_length=4) + record("resource", b"third"))
    assert kinds(report) == ["truncated", "bad-length", "digest-mismatch"]
    assert [p.offset for p in report.problems[1:]] == [len(first), len(first)]
    assert (report.records, report.verified) == (3, 1)


def test_huge_content_length_in_a_plain_file_is_resynchronised() -> None:
    """A Content-Length far past the end of a seekable plain file: truncated, then the records inside found."""
    following = [record("resource", b"next %d" % i) for i in range(3)]
    bad = record("resource", b"0123456789", content_length=10**9)
    report = check(warc([bad, *following], gzip=False))
    assert kinds(report) == ["truncated"] and report.records == 4 and report.verified == 3
    report = check(warc([bad, *following], gzip=False), seekable=False)
    assert kinds(report) == ["truncated"] and report.records == 1


def test_junk_between_and_after_records() -> None:
    """Bytes between or after records are junk, with offsets."""
    first, second = record("resource", b"a"), record("resource", b"b")
    report = check(first + b"GARBAGE\r\n" + second + b"\r\n")
    assert kinds(report) == ["junk", "junk"]
    assert report.problems[0].offset == len(first) and "9 bytes" in report.problems[0].message
    assert report.problems[1].offset == len(first) + 9 + len(second)
    assert report.verified == 2


@pytest.mark.parametrize("cut, kind", [(30, "truncated"), (-12, "truncated"), (-2, "truncated")])
def test_truncated_plain_file(cut: int, kind: str) -> None:
    """A plain file cut in the header, in the block or in the closing CRLFs is truncated."""
    data = record("resource", b"x" * 20)
    report = check(data[:cut])
    assert kinds(report) == [kind]


def test_records_split_across_members() -> None:
    """Gzip members that split records (header, body, tail) are sound; records inside members are noted."""
    raw = b"".join([record("resource", b"a" * 50), record("resource", b"b" * 50)])
    cuts = [0, 40, 120, len(raw) - 3, len(raw)]
    data = b"".join(gzip_member(raw[a:b]) for a, b in zip(cuts, cuts[1:]))
    report = check(data)
    assert report.ok and report.verified == 2
    assert any("start inside a gzip member" in note for note in report.notes)


def test_problem_offsets_are_member_offsets() -> None:
    """Problems name the raw offset of the gzip member the record starts in."""
    members = [gzip_member(record("resource", b"%d" % i, block_digest="sha256:" + "0" * 64)) for i in range(3)]
    report = check(b"".join(members))
    assert [p.offset for p in report.problems] == [0, len(members[0]), len(members[0]) + len(members[1])]


def scan(data: bytes, read_size: int) -> tuple[list[Problem], int, int, list[Problem]]:
    """Problems, records, verified records and warnings of `data` read `read_size` bytes at a time."""
    scanner: Scanner | None = None

    def report(offset: int, kind: str, message: str, cuts: bool, skipped: tuple[int, int] | None) -> None:
        assert scanner is not None
        scanner.source_problem(offset, kind, message, cuts, skipped)

    scanner = Scanner(open_source(RawReader(io.BytesIO(data), read_size=read_size), report))
    scanner.walk()
    scanner.finish()
    return scanner.problems, scanner.records, scanner.verified, scanner.warnings


STRAY = provpack_records(SAMPLE_TEXTS)  # warcinfo, then resource and provenance records


@pytest.mark.parametrize("stray", [b" ", b"\x00", b"x\r", b"GARBAGE "])
@pytest.mark.parametrize("layout", ["plain", "one member", "per record"])
def test_stray_bytes_before_a_record_are_junk_and_the_record_is_read(stray: bytes, layout: str) -> None:
    """Stray bytes before a sound record (not ending in a LF) are junk of their own length: the record
    after them is read, and its provenance record finds it."""
    records = list(STRAY)
    at = 1  # the first resource record
    if layout == "per record":
        data = warc(records[:at]) + gzip_member(stray + records[at]) + warc(records[at + 1 :])
    else:
        raw = b"".join(records[:at]) + stray + b"".join(records[at:])
        data = raw if layout == "plain" else gzip_member(raw)
    report = check(data)
    assert kinds(report) == ["junk"], report.problems
    noun = "byte" if len(stray) == 1 else "bytes"
    assert report.problems[0].message.startswith(f"{len(stray)} {noun} ")
    assert (report.records, report.verified) == (len(records), len(records))
    assert "provpack provenance records checked: 2" in report.notes
    if layout == "plain":
        assert report.problems[0].offset == len(records[0])


def test_stray_byte_report_does_not_depend_on_how_the_stream_is_cut() -> None:
    """Whatever the read size, a stray byte (and a version line in junk whose header is long or faulty)
    gives the same report."""
    first, second, third = (record("resource", b"block %d" % i) for i in range(3))
    faulty = b"see WARC/1.1\r\nWARC-Type: resource\r\n" + b"X-Long: " + b"y" * 300 + b"\r\nno colon\r\n\r\n"
    data = first + b" " + second + faulty + b"  " + third
    expected = scan(data, 1 << 20)
    problems = expected[0]
    assert [p.kind for p in problems] == ["junk", "junk"] and expected[1:3] == (3, 3)
    assert problems[0].message.startswith("1 byte ")
    assert problems[1].message.startswith(f"{len(faulty) + 2} bytes ")
    for size in [*range(1, 24), 50, 97, 128, 333, 512]:
        assert scan(data, size) == expected, size


@pytest.mark.parametrize("junk", [
    b"text WARC/1.1\r\nnot a header\r\n\r\n",  # a version line mid-line, no header after it
    b"text WARC/1.1\r\nWARC-Type: resource\r\n\r\n",  # a header without its required fields
    b"text WARC/1.2\r\n",  # not a version this reader takes mid-line
    b"text WARC/1.1 more\r\n",  # not a version line
])
def test_a_version_line_mid_line_without_a_sound_header_stays_junk(junk: bytes) -> None:
    """In junk, a `WARC/` that is not at a line start begins a record only when a header with a
    Content-Length follows it."""
    first, second = record("resource", b"a"), record("resource", b"b")
    report = check(first + junk + second)
    assert kinds(report) == ["junk"] and report.problems[0].message.startswith(f"{len(junk)} bytes ")
    assert (report.records, report.verified) == (2, 2)


@pytest.mark.parametrize("fault", ["no WARC-Date", "a line without a colon"])
@pytest.mark.parametrize("stray", [b"x", b"junk"])
def test_a_stray_byte_before_a_faulty_record_does_not_swallow_it(fault: str, stray: bytes) -> None:
    """A record with a Content-Length but another fault, after stray bytes that end mid-line: it is read
    and its fault reported on it; a record quoted in its block stays part of the block."""
    quoted = record("resource", b"inner")
    second = record("resource", b"text\r\n" + quoted + b"more")
    if fault == "no WARC-Date":
        second = re.sub(rb"WARC-Date: [^\r]*\r\n", b"", second, count=1)
    else:
        second = second.replace(b"WARC-Type: resource\r\n", b"WARC-Type: resource\r\nno colon here\r\n", 1)
    first, third = record("resource", b"a"), record("resource", b"c")
    for read_size in (1 << 20, 7):
        problems, records, verified, _ = scan(first + stray + second + third, read_size)
        assert [p.kind for p in problems] == ["junk", "missing-header" if fault == "no WARC-Date"
                                              else "malformed-header"], problems
        assert problems[0].message.startswith(f"{len(stray)} byte")
        assert records == 3, read_size


def test_no_record_is_taken_mid_line_inside_a_block_whose_length_is_wrong() -> None:
    """After a wrong Content-Length the search from the block start skips bytes silently: there only a
    `WARC/` at a line start begins a record, never one mid-line inside the block."""
    inner = record("resource", b"inner")
    block = b"quoted: " + inner
    bad = record("resource", block, content_length=len(block) - 3)
    report = check(bad + record("resource", b"next"))
    assert kinds(report) == ["bad-length", "digest-mismatch"]
    assert (report.records, report.verified) == (2, 1)


QUOTING_ID = "<urn:uuid:00000000-0000-4000-8000-000000000001>"


def _a_warc_quoted_in_a_block(over: int) -> tuple[list[bytes], int]:
    """A record, a resource whose block is a WARC (application/warc: two records, one with the first record's
    id) with a Content-Length `over` bytes too large, and a last record; and the true block length."""
    quoted = record("resource", b"quoted one", record_id=QUOTING_ID) + record("resource", b"quoted two")
    outer = record("resource", quoted, content_type="application/warc", content_length=len(quoted) + over)
    return [record("resource", b"first", record_id=QUOTING_ID), outer, record("resource", b"last")], len(quoted)


@pytest.mark.parametrize("layout", ["plain", "one member", "per record"])
@pytest.mark.parametrize("over", [1, 3, 40, -3])
def test_records_quoted_in_a_block_whose_length_is_too_large_are_not_read(layout: str, over: int) -> None:
    """After a Content-Length too large (or a little too small), the search from the block start skips the
    records of a WARC stored in the block (they start at line starts, and their chain of records ends inside it):
    no record is counted twice, no id is a duplicate and the block's own closing CRLF CRLF is no junk; the record
    after it is read, however the stream comes in chunks."""
    records, length = _a_warc_quoted_in_a_block(over)
    data = warc(records, gzip=True) if layout == "per record" else b"".join(records)
    if layout == "one member":
        data = gzip_member(data)
    _reads_past_the_quoted_records(data, records, len(records[0]) + records[1].index(b"\r\n\r\n") + 4, length + over)


@pytest.mark.parametrize("layout", ["plain", "one member", "per record"])
@pytest.mark.parametrize("cut", [1, 10, 30])
def test_records_quoted_in_a_block_cut_short_are_not_read(layout: str, cut: int) -> None:
    """A block holding a WARC cut short at its end (Content-Length unchanged): the last record quoted in it is cut
    short too, so the records from the first quoted one on come to one that cannot be followed; the sound record
    after the block, before the point where the Content-Length ended, is taken instead of them."""
    records, length = _a_warc_quoted_in_a_block(0)
    head = records[1].index(b"\r\n\r\n") + 4
    records[1] = records[1][: head + length - cut] + b"\r\n\r\n"
    data = warc(records, gzip=True) if layout == "per record" else b"".join(records)
    if layout == "one member":
        data = gzip_member(data)
    _reads_past_the_quoted_records(data, records, len(records[0]) + head, length)


def _reads_past_the_quoted_records(data: bytes, records: list[bytes], block_start: int, declared: int) -> None:
    """The block of records[1] (starting at `block_start`, `declared` bytes long by its Content-Length) is said to
    be followed by what follows that length, and its digest to mismatch; the three real records are counted, the two
    sound ones verified; the same whatever the size of the reads."""
    end = block_start + declared
    follows = b"".join(records)[end : end + 4]
    expected = None
    for read_size in (1 << 20, 100, 7):
        problems, count, verified, _ = scan(data, read_size)
        assert [p.kind for p in problems] == ["bad-length", "digest-mismatch"], (read_size, problems)
        assert problems[0].message == (
            f"the {declared}-byte block (Content-Length) is followed by {follows.decode('ascii')!r}, not CRLF"
            " CRLF: Content-Length is wrong or the block was altered")
        assert (count, verified) == (3, 2)
        expected = expected or problems
        assert problems == expected, read_size


@pytest.mark.parametrize("over", [1, 10**9])
def test_each_record_quoted_in_a_block_is_followed_once(monkeypatch: pytest.MonkeyPatch, over: int) -> None:
    """Thousands of records quoted in a block whose Content-Length is wrong: the search for the next record follows
    the records from each quoted one, but remembers where they led, so that each header is read a few times in
    all, not once for every quoted record before it (which took seconds for a thousand)."""
    parse = HeaderParser.parse
    parsed = [0]

    def counting(self: HeaderParser, header: bytes) -> Header:
        parsed[0] += 1
        return parse(self, header)

    monkeypatch.setattr(HeaderParser, "parse", counting)
    quoted = b"".join(record("resource", b"q%d" % number, block_digest=None) for number in range(2000))
    stored = record("resource", quoted, content_type="application/warc", content_length=len(quoted) + over)
    report = check(record("resource", b"first") + stored + record("resource", b"last"))
    assert (report.records, report.verified) == (3, 2)
    assert parsed[0] < 3 * 2000


@pytest.mark.parametrize("gzip", [False, True])
@pytest.mark.parametrize("off", [1, -1, 3])
def test_a_writer_whose_every_content_length_is_wrong_loses_no_record(gzip: bool, off: int) -> None:
    """Every Content-Length a few bytes off: each record after a wrong one is read although its own length is
    wrong too (a chain of records that cannot be followed is no sign of a quoted WARC), and reported."""
    records = []
    for number in range(6):
        block = b"block %d " % number * 20
        records.append(record("resource", block, content_length=len(block) + off))
    report = check(warc(records, gzip=gzip))
    assert kinds(report) == ["bad-length", "digest-mismatch"] * 6
    assert (report.records, report.verified) == (6, 0)


@pytest.mark.parametrize("seekable", [True, False])
def test_records_quoted_in_a_block_that_runs_past_the_end_are_not_read(seekable: bool) -> None:
    """A block that runs past the end of the file holds a WARC: read again from inside it, the search skips the
    records quoted in the block and finds the last record (from a pipe, nothing is read again)."""
    records, length = _a_warc_quoted_in_a_block(1 << 10)
    report = check(b"".join(records), seekable=seekable)
    read = len(records[1]) + len(records[2]) - records[1].index(b"\r\n\r\n") - 4
    unread = "" if seekable else ("; a record may start inside what was read as the block, but a stream that"
                                  " cannot seek is not read again from there")
    assert [(p.kind, p.message) for p in report.problems] == [(
        "truncated", f"the block has {read} of the {length + (1 << 10)} bytes its Content-Length declares: the file"
                     f" is cut off, or Content-Length is too large{unread}")]
    assert (report.records, report.verified) == (3 if seekable else 2, 2 if seekable else 1)


def test_a_record_that_ends_well_must_be_followed_by_a_record_start() -> None:
    """After a record's closing CRLF CRLF, a record that starts one byte later is still one junk byte away."""
    first, second = record("resource", b"a"), record("resource", b"b")
    report = check(first + b"\t" + second)
    assert kinds(report) == ["junk"] and report.problems[0].offset == len(first)


@pytest.mark.parametrize("version", ["WARC/1.0", "WARC/1.1"])
def test_a_stray_byte_before_a_record_of_either_version(version: str) -> None:
    """A version line of WARC 1.0 or 1.1 after a stray byte begins a record: one byte of junk, both read."""
    first, second = record("resource", b"a"), record("resource", b"b", version=version)
    report = check(first + b"x" + second)
    assert kinds(report) == ["junk"] and report.problems[0].message.startswith("1 byte ")
    assert (report.records, report.verified) == (2, 2)


@pytest.mark.parametrize("tail, message", [
    (b"x", "1 byte that is not a WARC record after the last record"),
    (b"GARBAGE TAIL", "12 bytes that are not a WARC record after the last record"),
    (b"xWARC/1.1\r\nnot a header\r\n\r\nmore", "31 bytes that are not a WARC record after the last record"),
])
def test_junk_after_the_last_record_is_counted_from_its_first_byte(tail: bytes, message: str) -> None:
    """Junk at the end of a file is one problem at its first byte, counting every byte to the end."""
    first = record("resource", b"a")
    for read_size in (1 << 20, 5):
        problems, records, verified, _ = scan(first + tail, read_size)
        assert [(p.kind, p.offset, p.message) for p in problems] == [("junk", len(first), message)], read_size
        assert (records, verified) == (1, 1)


def test_junk_with_no_record_before_or_after_it_says_so() -> None:
    """A file whose records all have a lower-case version line (`warc/1.1`, found by its WARC header fields) holds
    no record that can be read: its bytes are junk, not "after the last record", for there is none."""
    lower = [record("resource", b"x", version="warc/1.1"), record("resource", b"y", version="warc/1.1")]
    for data in (lower[0], b"".join(lower)):
        report = check(data)
        assert [(p.kind, p.offset, p.message) for p in report.problems] == [
            ("junk", 0, f"{len(data)} bytes that are not a WARC record, with no record before or after them")]
        assert report.records == 0


def test_junk_in_a_gzip_file_names_its_decompressed_offset() -> None:
    """In a gzip file junk is reported at its member, with the decompressed offset where it starts."""
    first, second = record("resource", b"a"), record("resource", b"b")
    data = gzip_member(first + b"GARBAGE") + gzip_member(second)
    report = check(data)
    assert [(p.kind, p.offset, p.message) for p in report.problems] == [
        ("junk", 0, f"7 bytes (decompressed offset {len(first)}) that are not a WARC record before the next record")]


@pytest.mark.parametrize("cut", [1, 3, 4])
def test_a_file_ending_in_the_start_of_a_version_line_is_cut_off(cut: int) -> None:
    """After the last record, the first bytes of `WARC/` and nothing else: the file is cut off there."""
    first, second = record("resource", b"a"), record("resource", b"b")
    report = check(first + second[:cut])
    assert [(p.kind, p.offset, p.message) for p in report.problems] == [
        ("truncated", len(first), f"the file ends {cut} bytes into a record: it is cut off")]
    assert (report.records, report.verified) == (1, 1)


def test_a_segment_says_whether_it_starts_with_a_record() -> None:
    """A second part of a plain file (a segment) notes whether a record starts at its very first byte."""
    records = [record("resource", b"a"), record("resource", b"b")]
    for data, starts in [(b"".join(records), True), (b"x" + b"".join(records), False),
                         (b"\r\n" + b"".join(records), False)]:
        raw = RawReader(io.BytesIO(data))
        source = PlainSource(raw, raw.read(), lambda *problem: None)
        scanner = Scanner(source, segment=True)
        scanner.walk()
        assert scanner.starts_with_record is starts and scanner.records == 2, data[:3]


def test_a_file_ending_right_after_the_version_prefix_has_a_cut_header() -> None:
    """`WARC/` whole at the end of a file begins a record whose header the end of the file cuts off."""
    first, second = record("resource", b"a"), record("resource", b"b")
    report = check(first + second[:5])
    assert [(p.kind, p.offset, p.message) for p in report.problems] == [
        ("truncated", len(first), "the record header is cut off by the end of the file")]


def test_a_record_at_a_gzip_member_start_is_found_mid_line_while_skipping() -> None:
    """After a wrong Content-Length the bytes are skipped silently; a `WARC/` that starts a gzip member
    still begins a record there, even when the bytes before it do not end in a LF."""
    bad = record("resource", b"0123456789", content_length=7)
    second, third = record("resource", b"b"), record("resource", b"c")
    report = check(gzip_member(bad + b"xx") + gzip_member(second) + gzip_member(third))
    assert report.records == 3 and report.verified == 2, report.problems


def _endless_then(records: list[bytes], *, gzip: bool) -> tuple[bytes, int]:
    """records[0], then a header that never ends (its fields, then 1.2 MiB with no CRLF CRLF and no line break at
    its end), then the other records, the first of them right after it with no CRLF CRLF between (`gzip`: each in a
    member of its own): the file, and where the endless header starts."""
    lost = record("resource", b"lost")
    endless = lost[: lost.index(b"\r\n\r\n") + 2] + b"x" * (1200 << 10)
    parts = [records[0], endless + records[1], *records[2:]]
    if gzip:   # (each record in a member of its own: the next one starts a member)
        parts = [gzip_member(part) for part in [records[0], endless, *records[1:]]]
    return b"".join(parts), len(parts[0])


@pytest.mark.parametrize("gzip", [False, True])
@pytest.mark.parametrize("seekable", [True, False])
def test_a_record_right_after_a_header_that_never_ends_is_read(gzip: bool, seekable: bool) -> None:
    """A header with no end within 1 MiB is malformed-header; the record whose version line follows its last byte,
    not at a line start, is read (the damaged record has no block for it to lie in), as show and extract read it:
    in a plain WARC it was skipped to the next `WARC/` at a line start, and its provenance record said to name no
    record in the file."""
    records = provpack_records(SAMPLE_TEXTS)   # (a warcinfo, then each text's resource and provenance records)
    data, at = _endless_then(records, gzip=gzip)
    report = check(data, seekable=seekable)
    assert [(p.offset, p.kind, p.message) for p in report.problems] == [
        (at, "malformed-header", "no blank line ends the header within 1048576 bytes")]
    assert (report.records, report.verified) == (len(records) + 1, len(records))


def test_after_a_header_that_never_ends_a_version_line_needs_a_whole_record_head() -> None:
    """Past a header that never ends, a version line not at a line start starts a record only when its header has
    a WARC-Record-ID, a WARC-Type and a Content-Length (as inside a header cut short): else it is skipped with the
    damaged record, up to the next record start."""
    sound = record("resource", b"next")
    partial = b"WARC/1.1\r\nContent-Length: 4\r\n\r\nnext\r\n\r\n"
    data, at = _endless_then([record("resource", b"first"), partial, sound], gzip=False)
    report = check(data)
    assert [(p.offset, p.kind) for p in report.problems] == [(at, "malformed-header")]
    assert (report.records, report.verified) == (3, 2)


def test_in_gzip_data_a_record_inside_the_member_of_a_header_that_never_ends_is_not_read() -> None:
    """In gzip data, a record head inside the member of a header that never ends is skipped with it, to the next
    member, as show and extract resume at the next member: one record per member, as provpack writes them."""
    lost = record("resource", b"lost")
    endless = lost[: lost.index(b"\r\n\r\n") + 2] + b"x" * (1200 << 10)
    first, inner, last = record("resource", b"first"), record("resource", b"inner"), record("resource", b"last")
    data = gzip_member(first) + gzip_member(endless + inner) + gzip_member(last)
    report = check(data)
    assert [(p.offset, p.kind) for p in report.problems] == [(len(gzip_member(first)), "malformed-header")]
    assert (report.records, report.verified) == (3, 2)
