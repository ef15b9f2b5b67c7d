"""Record to record: sound archives walked, junk between records, truncation, resynchronisation after a wrong
Content-Length, and the offsets problems are reported at."""

from __future__ import annotations

import pytest

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
    if gzip:
        # Gzip per record: the wrong length is caught at the end of the member data.
        assert report.verified >= 2
    else:
        assert report.records == 4 and report.verified == 3


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
