"""The quick path for sound records: the same report with it as without it, and taken when it should be."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack import quickread
from provpack.quickread import QuickReader
from provpack.verify import FileReport

from readback import check
from warcbuild import SAMPLE_TEXTS, provpack_records, record, warc


def _both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[FileReport, FileReport]:
    """The report, and the report with the quick path for sound records turned off."""
    quick = check(data)
    with monkeypatch.context() as patch:
        patch.setattr(QuickReader, "_express", lambda self: False)
        full = check(data)
    return quick, full


@pytest.mark.parametrize("mask", [0x01, 0x20, 0xFF])
def test_quick_path_changes_no_report(mask: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every byte of an uncompressed archive flipped: the same report with and without the quick
    path that reads sound records (in a gzip archive a flip breaks the member before any record)."""
    records = provpack_records(SAMPLE_TEXTS[:1]) + [
        record("resource", b"sha1 block", block_digest="sha1", payload_digest="sha1"),
        record("metadata", b'{"a": 1}', content_type="application/json"),
        record("response", b"HTTP/1.1 200 OK\r\n\r\nbody", content_type="application/http; msgtype=response"),
    ]
    data = b"".join(records)
    quick, full = _both_ways(data, monkeypatch)
    assert quick == full and quick.ok
    for offset in range(len(data)):
        changed = bytearray(data)
        changed[offset] ^= mask
        quick, full = _both_ways(bytes(changed), monkeypatch)
        assert quick == full, offset


def test_quick_path_on_odd_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headers the quick path must leave to the full reader: the same report either way."""
    body = b"block"
    cases = [
        record("resource", body, record_id="<urn:a b>"),
        record("resource", body, record_id="<urn:x:y>"),
        record("resource", body, record_id="<URN:x>"),
        record("resource", body, headers=[("WARC-Block-Digest", "sha256:" + "0" * 64)]),
        record("resource", body, headers=[("X-Folded", "a")]).replace(b"X-Folded: a\r\n", b"X-Folded: a\r\n  b\r\n"),
        record("resource", body, payload_digest="sha256", headers=[("WARC-Segment-Number", "1")]),
        record("revisit", body, payload_digest="sha256:" + "1" * 64),
        record("resource", body, date="2017-11-12T00:00:00"),
        record("resource", body, version="WARC/1.2"),
        record("resource", body, block_digest="sha256", payload_digest="sha1"),
        record("resource", body, block_digest="SHA-256"),
        record("resource", body, block_digest="sha256", content_length=4),
    ]
    for rec in cases:
        good = record("resource", b"before")
        for data in (good + rec + good, warc([good, rec, good])):
            quick, full = _both_ways(data, monkeypatch)
            assert quick == full, rec[:200]
    twice = record("resource", body, record_id="<urn:same>")
    quick, full = _both_ways(warc([twice, twice]), monkeypatch)
    assert quick == full and [p.kind for p in quick.problems] == ["duplicate-record-id"]


def test_quick_path_reads_sound_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the field names are known, sound records take the quick path."""
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    report = check(warc(provpack_records(SAMPLE_TEXTS) + [record("resource", b"x")]))
    assert report.ok and report.verified == 6 and taken.count(True) >= 3


_TWISTS = [
    lambda line: line.replace(b": ", b":", 1),  # no space
    lambda line: line.replace(b": ", b":  \t", 1),  # more white space before the value
    lambda line: line + b" ",  # after it
    lambda line: line + b"\x0b",
    lambda line: line.replace(b": ", b": \x0c", 1),
    lambda line: line.replace(b": ", b" : ", 1),  # white space in the name
    lambda line: line.lower(),
    lambda line: line.upper(),
    lambda line: line + b"\r",  # a bare CR
    lambda line: line + b"\nX-Other: 1",  # a bare LF
    lambda line: line.replace(b":", b"", 1),  # no colon
    lambda line: line + b"\r\n " + line,  # a continuation line
    lambda line: b"",  # an empty line
    lambda line: line.replace(b": ", b": <", 1),
    lambda line: line.replace(b">", b" x>", 1),
    lambda line: line.replace(b"sha256:", b"SHA256:", 1),
    lambda line: line.replace(b"sha256:", b"sha256: ", 1),
    lambda line: line + b"0",
    lambda line: line[:-1],
]


@st.composite
def header_twists(draw: st.DrawFn) -> list[bytes]:
    """Records of a few header layouts, the later ones maybe with a line changed, dropped, repeated or moved."""
    body = draw(st.sampled_from([b"block", b"", b"{\"format\": \"other\"}"]))
    kinds = [
        lambda: record("resource", body, payload_digest="sha256", headers=[("WARC-Target-URI", "urn:x")]),
        lambda: record("metadata", body, content_type="application/json",
                       headers=[("WARC-Refers-To", "<urn:uuid:0>")]),
        lambda: record("resource", body, block_digest="sha1"),
    ]
    records = [draw(st.sampled_from(kinds))() for _ in range(draw(st.integers(2, 6)))]
    for index in draw(st.lists(st.integers(1, len(records) - 1), max_size=3)):
        head, _, rest = records[index].partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["twist", "twist", "drop", "repeat", "move", "version"]))
        if how == "twist":
            lines[at] = draw(st.sampled_from(_TWISTS))(lines[at])
        elif how == "drop" and at:
            del lines[at]
        elif how == "repeat":
            lines.insert(at, lines[at])
        elif how == "move" and at:
            lines.insert(draw(st.integers(1, len(lines) - 1)), lines.pop(at))
        elif how == "version":
            lines[0] = draw(st.sampled_from([b"WARC/1.0", b"WARC/1.2", b"WARC/1.1 "]))
        records[index] = b"\r\n".join(lines) + b"\r\n\r\n" + rest
    return records


@settings(max_examples=300, deadline=None)
@given(header_twists(), st.booleans())
def test_header_layouts_change_no_report(records: list[bytes], gzip: bool) -> None:
    """Headers like and unlike earlier sound ones: the same report whether the quick path matches them
    by the layout of an earlier header, splits them itself, or leaves them all to the full reader."""
    data = warc(records, gzip=gzip)
    with pytest.MonkeyPatch.context() as patch:
        with_layouts = check(data)
        patch.setattr(quickread, "LAYOUTS_KEPT", 0)
        without_layouts = check(data)
        patch.setattr(QuickReader, "_express", lambda self: False)
        full = check(data)
    assert with_layouts == without_layouts == full


def test_sound_records_are_matched_by_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first sound record of a kind read by the quick path, the next ones are matched by its layout
    (the quick path learns a layout only from a header it had to split itself)."""
    learned: list[int] = []
    learn = QuickReader._learn
    monkeypatch.setattr(QuickReader, "_learn", lambda self, lines: learned.append(1) or learn(self, lines))
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    report = check(warc(provpack_records(SAMPLE_TEXTS * 3)))
    assert report.ok and report.verified == 13
    assert taken.count(True) == 10 and len(learned) == 2  # the second resource and metadata records


def test_the_layout_that_came_next_last_time_is_tried_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resources and provenance records alternate, so each layout is remembered as the one that follows
    the other, and tried first after it; the reports stay those of the full reader."""
    readers: list[QuickReader] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: readers.append(self) or express(self))
    data = warc(provpack_records(SAMPLE_TEXTS * 3))
    report = check(data)
    assert report.ok and report.verified == 13
    reader = readers[-1]
    assert len(reader._layouts) == 2 and reader._after == [1, 0]
    monkeypatch.setattr(quickread, "LAYOUTS_KEPT", 0)
    assert check(data) == report


@pytest.mark.parametrize("where", ["urn:x\r2", "urn:x2\r", "\rurn:x2"])
def test_a_bare_cr_in_a_header_matched_by_layout(where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A header of a learned layout with a bare CR in a value (which the layout's `.` lets through) goes
    to the full reader, which reports it; the sound records around it still take the quick path."""
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    records = [record("resource", b"block %d" % n, headers=[("WARC-Target-URI", "urn:x%d" % n)]) for n in range(4)]
    records[2] = records[2].replace(b"urn:x2", where.encode(), 1)  # (the first is read the long way,
    # the second split by the quick path, which learns its layout: the third is matched by it)
    for data in (b"".join(records), warc(records)):
        taken.clear()
        quick, full = _both_ways(data, monkeypatch)
        assert quick == full and [p.kind for p in quick.problems] == ["malformed-header"]
        assert taken == [False, True, False, True]
