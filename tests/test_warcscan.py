"""Record by record: structure, digests, payload conventions, resynchronisation, provenance records."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack.verify import FileReport, verify_stream

from warcbuild import (
    SAMPLE_TEXTS,
    gzip_member,
    http_response,
    provenance,
    provpack_records,
    record,
    warc,
)


def check(data: bytes, *, seekable: bool = True) -> FileReport:
    stream: io.RawIOBase | io.BytesIO = io.BytesIO(data) if seekable else _Unseekable(data)
    return verify_stream(stream, name="t.warc")  # type: ignore[arg-type]


class _Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def kinds(report: FileReport) -> list[str]:
    return [p.kind for p in report.problems]


@pytest.mark.parametrize("gzip", [True, False])
def test_sound_archive(gzip: bool) -> None:
    """A provpack-style archive verifies: every record has a digest, provenance checks out."""
    report = check(warc(provpack_records(SAMPLE_TEXTS), gzip=gzip))
    assert report.ok and report.records == 5 and report.verified == 5 and report.unverified == 0
    assert "provpack provenance records checked: 2" in report.notes


def test_missing_and_unknown_digests_are_unverified() -> None:
    """No digest, or any digest of an unknown algorithm: unverified with a warning, not a problem."""
    report = check(warc([
        record("resource", b"a", block_digest=None),
        record("resource", b"b", block_digest="blake3:abcdef"),
        record("resource", b"c", block_digest="sha256", payload_digest="blake3:abcdef"),
    ]))
    assert report.ok and report.unverified == 3 and report.verified == 0
    assert [w.kind for w in report.warnings] == ["missing-digest", "unknown-digest", "unknown-digest"]
    assert any("unknown algorithm 'blake3'" in note for note in report.notes)


def test_digest_mismatches_say_which() -> None:
    """Block and payload mismatches name the header and the computed digest."""
    report = check(warc([
        record("resource", b"abc", block_digest="sha1:" + "A" * 32),
        record("resource", b"abc", payload_digest="md5:" + "0" * 32),
    ]))
    assert kinds(report) == ["digest-mismatch", "digest-mismatch"]
    assert "WARC-Block-Digest sha1:" in report.problems[0].message
    assert "WARC-Payload-Digest md5:" in report.problems[1].message
    assert hashlib.md5(b"abc").hexdigest() in report.problems[1].message
    assert report.verified == 0


@pytest.mark.parametrize("encoding, label", [("base32", "sha1"), ("base16", "SHA-1"), ("base64", "sha1"),
                                             ("base16", "sha-256"), ("base32", "sha512"), ("base16", "md5")])
def test_labels_and_encodings(encoding: str, label: str) -> None:
    """Digests in any label spelling and encoding are checked."""
    from warcbuild import digest_text
    algorithm = label.lower().replace("-", "")
    value = digest_text(algorithm, b"block", encoding, label=label)
    assert check(warc([record("resource", b"block", block_digest=value)])).verified == 1


def test_revisit_payload_digest_is_not_checked() -> None:
    """A revisit's payload digest names the original: never checked; its block digest is."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    report = check(warc([
        record("revisit", head, content_type="application/http; msgtype=response",
               payload_digest="sha1:" + "B" * 32),
        record("revisit", head, content_type="application/http; msgtype=response",
               block_digest=None, payload_digest="sha1:" + "B" * 32),
    ]))
    assert report.ok and report.verified == 1 and report.unverified == 1
    assert "only a WARC-Payload-Digest" in report.warnings[0].message


@pytest.mark.parametrize("digest_of, note", [("raw", "raw chunked body"), ("body", "de-chunked body")])
def test_chunked_payload_either_convention(digest_of: str, note: str) -> None:
    """A chunked HTTP body's payload digest may cover the raw chunks or the de-chunked body; the note says which."""
    body = b"<html>" + b"x" * 100 + b"</html>"
    block, sent = http_response(body, chunked=True)
    payload = sent if digest_of == "raw" else body
    report = check(warc([record("response", block, content_type="application/http; msgtype=response",
                                payload_digest="sha1", payload=payload)]))
    assert report.ok and report.verified == 1
    assert any(note in n for n in report.notes)
    wrong = check(warc([record("response", block, content_type="application/http; msgtype=response",
                               payload_digest="sha1", payload=b"other")]))
    assert kinds(wrong) == ["digest-mismatch"] and "neither" in wrong.problems[0].message


def test_http_payload_and_resource_payload() -> None:
    """Response payload = entity body after the HTTP header; resource payload = the block."""
    block, body = http_response(b"hello")
    report = check(warc([
        record("response", block, content_type="application/http;msgtype=response",
               payload_digest="sha1", payload=body),
        record("request", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", content_type="application/http; msgtype=request",
               payload_digest="sha1", payload=b""),
        record("resource", b"text", payload_digest="sha1"),
        record("response", b"raw dns answer", content_type="text/dns", payload_digest="sha1"),
    ]))
    assert report.ok and report.verified == 4


@pytest.mark.parametrize("version, ok", [("WARC/1.0", True), ("WARC/1.1", True), ("WARC/0.18", False),
                                         ("WARC/2.0", False)])
def test_version_line(version: str, ok: bool) -> None:
    """WARC/1.0 and WARC/1.1 are accepted; other versions are reported, and the record still read."""
    report = check(warc([record("resource", b"x", version=version), record("resource", b"y")]))
    assert report.ok == ok and report.records == 2
    if not ok:
        assert kinds(report) == ["bad-version"]


def test_missing_headers() -> None:
    """WARC-Record-ID, WARC-Date, WARC-Type and Content-Length are required."""
    good = record("resource", b"x")
    no_date = good.replace(b"WARC-Date: 2017-11-12T00:00:00Z\r\n", b"")
    no_length = record("resource", b"y").replace(b"Content-Length: 1\r\n", b"")
    report = check(warc([no_date, no_length, record("resource", b"z")], gzip=False))
    assert kinds(report)[:2] == ["missing-header", "missing-header"]
    assert "WARC-Date" in report.problems[0].message and "Content-Length" in report.problems[1].message
    assert report.records == 3 and report.verified == 1  # resynchronised after the record with no length


@pytest.mark.parametrize("change, kind", [
    ((b"WARC-Date: 2017-11-12T00:00:00Z", b"WARC-Date: 12 Nov 2017"), "malformed-header"),
    ((b"WARC-Date: 2017-11-12T00:00:00Z", b"WARC-Date: 2017-13-12T00:00:00Z"), "malformed-header"),
    ((b"WARC-Record-ID: <", b"WARC-Record-ID: "), "malformed-header"),
    ((b"Content-Type: application/octet-stream\r\n", b"Content-Type application/octet-stream\r\n"),
     "malformed-header"),
    ((b"Content-Type: application/octet-stream\r\n", b"Content-Type: application/\noctet-stream\r\n"),
     "malformed-header"),
    ((b"Content-Length: 1\r\n", b"Content-Length: one\r\n"), "bad-length"),
])
def test_malformed_headers(change: tuple[bytes, bytes], kind: str) -> None:
    """Header lines that break the WARC grammar are reported."""
    raw = record("resource", b"x").replace(*change)
    report = check(warc([raw, record("resource", b"y")], gzip=False))
    assert kind in kinds(report)


def test_folded_and_lower_case_headers_are_read() -> None:
    """Continuation lines and lower-case field names are valid WARC."""
    folded = record("resource", b"x", headers=[("X-Long", "first\r\n  second\r\n\tthird")])
    lower = record("resource", b"y").replace(b"WARC-Block-Digest", b"warc-block-digest").replace(
        b"Content-Length", b"CONTENT-LENGTH")
    report = check(warc([folded, lower], gzip=False))
    assert report.ok and report.verified == 2


def test_duplicate_record_ids() -> None:
    """Two records with one WARC-Record-ID are reported."""
    rid = "<urn:uuid:11111111-1111-5111-8111-111111111111>"
    report = check(warc([record("resource", b"a", record_id=rid), record("resource", b"b", record_id=rid)]))
    assert kinds(report) == ["duplicate-record-id"] and report.problems[0].record_id == rid


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


def provpack_with(doc_change: object = None, *, order: str = "normal") -> bytes:
    text = SAMPLE_TEXTS[0]
    records = provpack_records([text])
    if doc_change is not None:
        resource_id = "<" + records[1].split(b"WARC-Record-ID: <")[1].split(b">")[0].decode() + ">"
        doc = provenance(text, record_id=resource_id, target="urn:x")
        doc_change(doc)  # type: ignore[operator]
        records = provpack_records([text], docs=[doc])
    if order == "metadata first":
        records = [records[0], records[2], records[1]]
    return warc(records)


def test_metadata_mismatch() -> None:
    """A provenance record that disagrees with its excerpt is a metadata-mismatch, digests all fine."""
    report = check(provpack_with(lambda d: d["segments"][0].update(byte_end=d["segments"][0]["byte_end"] - 1)))
    assert kinds(report) == ["metadata-mismatch"] and report.verified == 2


def test_metadata_before_its_resource() -> None:
    """The resource may come after the provenance record that refers to it."""
    report = check(provpack_with(order="metadata first"))
    assert report.ok and "provpack provenance records checked: 1" in report.notes


def test_refers_to_nothing_or_the_wrong_record() -> None:
    """WARC-Refers-To must name a resource record in the file."""
    records = provpack_records([SAMPLE_TEXTS[0]])
    info_id = records[0].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0]
    resource_id = records[1].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0]
    nowhere = records[2].replace(b"WARC-Refers-To: " + resource_id, b"WARC-Refers-To: <urn:uuid:nowhere>")
    report = check(warc([records[0], records[1], nowhere]))
    assert kinds(report) == ["metadata-mismatch"] and "names no record" in report.problems[0].message
    to_info = records[2].replace(b"WARC-Refers-To: " + resource_id, b"WARC-Refers-To: " + info_id)
    report = check(warc([records[0], records[1], to_info]))
    assert kinds(report) == ["metadata-mismatch"] and "not a resource record" in report.problems[0].message


def test_provenance_that_does_not_parse() -> None:
    """A provenance record that claims the format but is not JSON is a metadata-mismatch."""
    bad = b'{"format": "provpack-provenance/1", '
    report = check(warc([record("metadata", bad, content_type="application/ld+json")]))
    assert kinds(report) == ["metadata-mismatch"]


def test_other_metadata_is_left_alone() -> None:
    """JSON metadata of other tools is not checked against anything."""
    block = json.dumps({"format": "something-else/1"}).encode()
    report = check(warc([record("metadata", block, content_type="application/json")]))
    assert report.ok and report.verified == 1


@pytest.mark.parametrize("gzip", [False, True])
def test_large_records_straddling_read_blocks(gzip: bool) -> None:
    """Records larger than a read block are streamed: digests, chunked payloads and trailers still checked."""
    records = []
    for i in range(4):
        body = bytes([65 + i]) * (700_000 + i)
        block, sent = http_response(body, chunked=True, chunk_size=65_536)
        records.append(record("response", block, content_type="application/http; msgtype=response",
                              payload_digest="sha256", payload=body if i % 2 else sent))
    records.append(record("resource", b"z" * 2_500_000, payload_digest="md5"))
    report = check(warc(records, gzip=gzip))
    assert report.ok and report.verified == 5, report.problems
    notes = " ".join(report.notes)
    assert "raw chunked body: 2" in notes and "de-chunked body: 2" in notes
    broken = bytearray(warc(records, gzip=False))
    broken[1_500_000] ^= 0x01
    report = check(bytes(broken))
    assert kinds(report) == ["digest-mismatch", "digest-mismatch"] and report.records == 5


def test_payload_behind_a_huge_http_header_is_unverified() -> None:
    """A payload digest that cannot be checked leaves the record unverified, even with a good block digest."""
    from provpack.payload import HTTP_HEAD_LIMIT
    block = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (HTTP_HEAD_LIMIT + 10) + b"\r\n\r\nbody"
    report = check(warc([record("response", block, content_type="application/http; msgtype=response",
                                payload_digest="sha1", payload=b"body")], gzip=False))
    assert report.ok and report.unverified == 1 and report.warnings[0].kind == "unknown-digest"


def _both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[FileReport, FileReport]:
    """The report, and the report with the quick path for sound records turned off."""
    from provpack.warcscan import Scanner

    quick = check(data)
    with monkeypatch.context() as patch:
        patch.setattr(Scanner, "_express", lambda self: False)
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
    from provpack.warcscan import Scanner

    taken: list[bool] = []
    express = Scanner._express
    monkeypatch.setattr(Scanner, "_express", lambda self: taken.append(express(self)) or taken[-1])
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
    from provpack import warcscan
    from provpack.warcscan import Scanner

    data = warc(records, gzip=gzip)
    with pytest.MonkeyPatch.context() as patch:
        with_layouts = check(data)
        patch.setattr(warcscan, "LAYOUTS_KEPT", 0)
        without_layouts = check(data)
        patch.setattr(Scanner, "_express", lambda self: False)
        full = check(data)
    assert with_layouts == without_layouts == full


def test_sound_records_are_matched_by_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first sound record of a kind read by the quick path, the next ones are matched by its layout
    (the quick path learns a layout only from a header it had to split itself)."""
    from provpack.warcscan import Scanner

    learned: list[int] = []
    learn = Scanner._learn
    monkeypatch.setattr(Scanner, "_learn", lambda self, lines: learned.append(1) or learn(self, lines))
    taken: list[bool] = []
    express = Scanner._express
    monkeypatch.setattr(Scanner, "_express", lambda self: taken.append(express(self)) or taken[-1])
    report = check(warc(provpack_records(SAMPLE_TEXTS * 3)))
    assert report.ok and report.verified == 13
    assert taken.count(True) == 10 and len(learned) == 2  # the second resource and metadata records
