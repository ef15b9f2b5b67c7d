"""One record read whole: digests, payload conventions, header fields, large blocks, provenance records."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from provpack import recordcheck
from readback import check, kinds
from warcbuild import SAMPLE_TEXTS, gzip_member, http_response, provenance, provpack_records, record, warc


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


@pytest.mark.parametrize("value, words", [
    ("sha256;{hex}", "WARC-Block-Digest is not 'algorithm:value': there is no ':' (it starts 'sha256;"),
    ("she256:{hex}", "WARC-Block-Digest has the label 'she256', not a known algorithm; a damaged 'sha256'?"),
    ("sha265:{hex}", "a damaged 'sha256'?"),
    ("sha254:{hex}", "WARC-Block-Digest has the label 'sha254', not a known algorithm; a damaged 'sha224' or"
                     " 'sha256'?"),
    ("sah1:{b32}", "WARC-Block-Digest has the label 'sah1', not a known algorithm; a damaged 'sha1'?"),
    ("{b32}", "WARC-Block-Digest is not 'algorithm:value': there is no ':'"),
    ("", "WARC-Block-Digest is empty"),
    ("sha/256:{hex}", "WARC-Block-Digest has the label 'sha/256', which is not letters, digits"),
])
@pytest.mark.parametrize("gzip", [True, False])
def test_a_damaged_digest_label_fails_the_record(value: str, words: str, gzip: bool) -> None:
    """A digest value that is not `label:value`, or whose label is one edit from a known algorithm (and whose
    value is not that algorithm's digest), is a problem (digest-mismatch), never a warning; the message quotes
    the label, not the value."""
    block = b"block"
    hex_value = hashlib.sha256(b"not the block").hexdigest()
    b32 = base64.b32encode(hashlib.sha1(b"not the block").digest()).decode()
    damaged = value.format(hex=hex_value, b32=b32)
    report = check(warc([record("resource", block, block_digest=damaged if ":" in damaged else None,
                                headers=[] if ":" in damaged else [("WARC-Block-Digest", damaged)]),
                         record("resource", b"next")], gzip=gzip))
    assert kinds(report) == ["digest-mismatch"] and report.warnings == ()
    assert (report.records, report.verified, report.unverified) == (2, 1, 0)
    message = report.problems[0].message
    assert words in message and hex_value not in message and b32[12:] not in message
    assert not any("unknown algorithm" in note for note in report.notes)


@pytest.mark.parametrize("value", ["she256:{hex}", "SHA-265:{hex}", "sah1:{b32}", "sha2-257:{hex}"])
@pytest.mark.parametrize("which", ["block", "payload"])
def test_a_misspelt_label_with_the_right_value_is_not_damaged(value: str, which: str) -> None:
    """A label one edit from a known algorithm whose value is that algorithm's digest is misspelt, not damaged:
    the digest is left unchecked (an unknown-digest warning that names the algorithm the value fits)."""
    block = b"block"
    damaged = value.format(hex=hashlib.sha256(block).hexdigest(),
                           b32=base64.b32encode(hashlib.sha1(block).digest()).decode())
    rec = (record("resource", block, block_digest=damaged) if which == "block"
           else record("resource", block, block_digest="md5", payload_digest=damaged))
    for gzip in (True, False):
        report = check(warc([rec, record("resource", b"next")], gzip=gzip))
        assert report.problems == () and [w.kind for w in report.warnings] == ["unknown-digest"]
        near = "sha1" if "b32" in value else "sha256"
        assert f"(its value is the {near} digest)" in report.warnings[0].message
        assert (report.verified, report.unverified) == (1, 1)


@pytest.mark.parametrize("label, algorithm", [("sha254", "sha256"), ("sha254", "sha224"),
                                              ("sha3-254", "sha3-256"), ("sha3-254", "sha3-224")])
@pytest.mark.parametrize("which", ["block", "payload"])
def test_a_misspelt_label_near_two_algorithms_is_judged_against_each(label: str, algorithm: str,
                                                                      which: str) -> None:
    """A label one edit from two algorithms (sha254: sha224 and sha256) whose value is either one's digest is
    misspelt, not damaged: the warning names the algorithm the value fits."""
    block = b"block"
    damaged = f"{label}:{hashlib.new(algorithm.replace('-', '_'), block).hexdigest()}"
    rec = (record("resource", block, block_digest=damaged) if which == "block"
           else record("resource", block, block_digest="md5", payload_digest=damaged))
    for gzip in (True, False):
        report = check(warc([rec, record("resource", b"next")], gzip=gzip))
        assert report.problems == () and [w.kind for w in report.warnings] == ["unknown-digest"]
        assert f"(its value is the {algorithm} digest)" in report.warnings[0].message
        assert (report.verified, report.unverified) == (1, 1)


def test_a_misspelt_label_on_a_chunked_payload_matches_either_reading() -> None:
    """The payload digest under a misspelt label is compared with the raw and the de-chunked body."""
    body = b"3\r\nabc\r\n0\r\n\r\n"
    block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    for payload, kinds_found in ((body, []), (b"abc", []), (b"abcd", ["digest-mismatch"])):
        value = "sah1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode()
        report = check(warc([record("response", block, content_type="application/http", block_digest="sha1",
                                    payload_digest=value)]))
        assert kinds(report) == kinds_found


def test_a_damaged_payload_digest_label_fails_the_record() -> None:
    """The same for WARC-Payload-Digest, beside a good block digest."""
    report = check(warc([record("resource", b"x", block_digest="sha256", payload_digest="sha-265:" + "0" * 64)]))
    assert kinds(report) == ["digest-mismatch"] and report.warnings == ()
    assert report.problems[0].message == ("WARC-Payload-Digest has the label 'sha-265', not a known"
                                          " algorithm; a damaged 'sha256'?")


def test_unknown_algorithms_are_named_by_their_label_shortened() -> None:
    """An algorithm provpack does not know stays a warning; the warning and the note quote its label,
    shortened, not the value."""
    label = "blake3-with-a-long-name"
    report = check(warc([record("resource", b"x", block_digest=f"{label}:SECRETVALUE")]))
    assert report.ok and [w.kind for w in report.warnings] == ["unknown-digest"]
    assert report.warnings[0].message == ("resource record has digests that cannot be checked:"
                                          " WARC-Block-Digest of the unknown algorithm 'blake3-with-a-lo…'")
    assert "digests with an unknown algorithm 'blake3-with-a-lo…' not checked: 1" in report.notes
    assert not any("SECRETVALUE" in note for note in report.notes)


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


def provpack_with(doc_change: object = None, *, order: str = "normal") -> bytes:
    text = SAMPLE_TEXTS[0]
    records = provpack_records([text])
    if doc_change is not None:
        resource_id = "<" + records[1].split(b"WARC-Record-ID: <")[1].split(b">")[0].decode() + ">"
        target = records[1].split(b"WARC-Target-URI: ")[1].split(b"\r\n")[0].decode()
        doc = provenance(text, record_id=resource_id, target=target)
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


@pytest.mark.parametrize("value, words", [
    ("sha1:!!garbage!!", "WARC-Payload-Digest sha1:!!garbage!! is not a sha1 value in base32, base16 or base64"),
    ("sha1:AAAA", "is not a sha1 value in base32, base16 or base64"),
    ("sah1-not-a-digest", "WARC-Payload-Digest is not 'algorithm:value': there is no ':'"),
    ("sah1:" + "A" * 32, "WARC-Payload-Digest has the label 'sah1', not a known algorithm; a damaged 'sha1'?"),
    ("", "WARC-Payload-Digest is empty"),
    ("blake3:ABCDEF", None),
    ("sha1:" + "A" * 32, None),
])
@pytest.mark.parametrize("kind, extra", [("revisit", ()), ("continuation", ()),
                                         ("response", (("WARC-Segment-Number", "1"),))])
def test_a_payload_digest_of_another_record_is_still_well_formed(value: str, words: str | None, kind: str,
                                                                  extra: tuple[tuple[str, str], ...]) -> None:
    """A revisit's, continuation's or segment's payload digest is not checked against the block, but a damaged
    label or a value that is no digest of its algorithm fails the record (under --strict too, it passed)."""
    rec = record(kind, b"HTTP/1.1 200 OK\r\n\r\n", content_type="application/http", block_digest="sha1",
                 headers=[*extra, ("WARC-Payload-Digest", value)])
    report = check(warc([rec, record("resource", b"next")]))
    if words is None:
        assert report.ok and report.verified == 2
    else:
        assert kinds(report) == ["digest-mismatch"] and words in report.problems[0].message
        assert report.verified == 1
    assert "payload digests not checked: they describe another record (revisit, segment): 1" in report.notes


def test_a_bad_segment_number_is_reported() -> None:
    """`WARC-Segment-Number: abc` is malformed-header (its payload digest was silently left unchecked)."""
    rec = record("resource", b"<html>hello</html>", block_digest="sha1", payload_digest="sha1",
                 payload=b"nope", headers=[("WARC-Segment-Number", "abc")])
    report = check(warc([rec]))
    assert kinds(report) == ["malformed-header"]
    assert "WARC-Segment-Number 'abc' is not a whole number of 1 or more" in report.problems[0].message


@pytest.mark.parametrize("split", [0, 1, 2, 3, 4, 5])
def test_a_header_whose_end_straddles_a_read_block(split: int) -> None:
    """A record header whose closing CRLF CRLF is cut by the 1 MiB read-block boundary (at any of its bytes) is
    found whole: both records verify."""
    second = record("resource", b"second")
    head_end = second.index(b"\r\n\r\n")
    size = (1 << 20) - 2000
    first_len = len(record("resource", b"x" * size))
    size += (1 << 20) - split - (first_len + head_end)
    first = record("resource", b"x" * size)
    assert len(first) + head_end + split == 1 << 20
    report = check(first + second)
    assert report.ok and report.verified == 2 and report.problems == ()


def test_a_header_without_an_end_within_one_mib() -> None:
    """A header with no blank line within 1 MiB is malformed-header, and says so with the limit in bytes."""
    report = check(b"WARC/1.1\r\nX-Long: " + b"a" * ((1 << 20) + 100) + b"\r\n")
    assert report.problems[0].kind == "malformed-header"
    assert report.problems[0].message == "no blank line ends the header within 1048576 bytes"


def test_unverified_records_past_a_thousand_are_counted_not_listed() -> None:
    """At most 1000 unverified records are listed as warnings; the rest are counted."""
    report = check(b"".join(record("resource", b"%d" % n, block_digest=None) for n in range(1001)))
    assert report.ok and report.unverified == 1001 and len(report.warnings) == 1000
    assert any("unverified records not listed" in note for note in report.notes)


def test_unchecked_digests_are_each_named_in_the_warning() -> None:
    """Every digest that cannot be checked is named in the one warning, and counted in a note by its label."""
    report = check(warc([record("resource", b"x", block_digest="blake3:AB", payload_digest="crc32:CD")]))
    assert report.ok and [w.message for w in report.warnings] == [
        "resource record has digests that cannot be checked: WARC-Block-Digest of the unknown algorithm 'blake3',"
        " WARC-Payload-Digest of the unknown algorithm 'crc32'"]
    block = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * ((1 << 20) + 10) + b"\r\n\r\nbody"
    report = check(warc([record("response", block, content_type="application/http; msgtype=response",
                                payload_digest="sha1", payload=b"body")], gzip=False))
    assert [w.message for w in report.warnings] == [
        "response record has digests that cannot be checked: WARC-Payload-Digest 'sha1' (no end of the HTTP header"
        " within 1 MiB)"]
    assert "payload digests not checked: no end of the HTTP header within 1 MiB: 1" in report.notes


def test_a_misspelt_label_is_named_with_the_digest_its_value_is() -> None:
    """A misspelt label whose value is a known algorithm's digest is counted by its label, and the warning says
    which algorithm's digest the value is."""
    value = hashlib.sha256(b"x").hexdigest()
    report = check(warc([record("resource", b"x", block_digest="she256:" + value)]))
    assert report.ok and [w.message for w in report.warnings] == [
        "resource record has digests that cannot be checked: WARC-Block-Digest of the unknown algorithm 'she256'"
        " (its value is the sha256 digest)"]
    assert "digests with an unknown algorithm 'she256' not checked: 1" in report.notes


def test_a_value_in_no_encoding_is_described_as_such() -> None:
    """A block digest value that is no encoding of a digest says so, with the computed one in base32."""
    report = check(warc([record("resource", b"abc", block_digest="sha1:!!garbage!!")]))
    b32 = base64.b32encode(hashlib.sha1(b"abc").digest()).decode()
    assert [p.message for p in report.problems] == [
        f"WARC-Block-Digest sha1:!!garbage!! is not a sha1 value in base32, base16 or base64; the block is sha1:{b32}"]


def test_a_resource_payload_is_its_whole_block_whatever_its_content_type() -> None:
    """A resource record's payload is its block even when its Content-Type is application/http."""
    block = b"HTTP/1.1 200 OK\r\n\r\nbody"
    report = check(warc([record("resource", block, content_type="application/http", payload_digest="sha1")]))
    assert report.ok and report.verified == 1


def test_records_inside_one_gzip_member_are_counted() -> None:
    """Records after the first in one gzip member (not one member per record) are counted in a note."""
    import gzip as gz
    data = gz.compress(b"".join(record("resource", b"%d" % n) for n in range(3)))
    report = check(data)
    assert report.ok and report.verified == 3
    assert "records that start inside a gzip member (not one member per record): 2" in report.notes
    assert not any("inside a gzip member" in note for note in check(warc([record("resource", b"x")])).notes)


@pytest.mark.parametrize(("seekable", "read", "verified"), [(True, 3, 2), (False, 1, 0)])
def test_a_content_length_too_large_by_megabytes_resumes_at_the_record_inside(seekable: bool, read: int,
                                                                              verified: int) -> None:
    """A Content-Length that runs past the next record and megabytes into the one after: the block is streamed
    (it does not fit the read buffer) and the next record's start is noted on the way. From a file, reading
    goes back there, so the two records after it are verified; from a pipe it cannot go back (docs/verify.md).
    Either way the first record is reported, at its offset, for its length and its digest."""
    from readback import check as check_bytes

    second = record("resource", b"second block", headers=[("WARC-Target-URI", "urn:x:2")])
    third = record("resource", b"z" * (3 << 20), headers=[("WARC-Target-URI", "urn:x:3")])
    first = record("resource", b"first block", headers=[("WARC-Target-URI", "urn:x:1")],
                   content_length=len(b"first block") + len(second) + (2 << 20))
    report = check_bytes(first + second + third, seekable=seekable)
    assert [(problem.offset, problem.kind) for problem in report.problems] == [(0, "bad-length"),
                                                                                (0, "digest-mismatch")]
    assert (report.records, report.verified) == (read, verified)


LF_ONLY = ("malformed-header", "the header's lines end in LF, not CRLF as the WARC standard requires: the record is"
           " not read (its digests are not checked)")


@pytest.mark.parametrize("gzip", [False, True])
def test_a_header_of_lf_ended_lines_is_reported_once_per_record(gzip: bool) -> None:
    """Records whose header lines end in LF only (a broken writer's) are each reported where they start, once,
    and skipped; the sound record after them is read (it was 'cut off by the end of the file', or 'no blank
    line ends the header within 1048576 bytes' for each record start, rescanning a MiB each time)."""
    lf = [record("resource", b"x" * 500).replace(b"\r\n", b"\n") for _ in range(3)]
    sound = record("resource", b"sound")
    data = warc(lf + [sound], gzip=gzip)
    report = check(data)
    starts = [0]
    for member in (gzip_member(r) if gzip else r for r in lf):
        starts.append(starts[-1] + len(member))
    assert [(p.offset, p.kind, p.message) for p in report.problems] == [(at, *LF_ONLY) for at in starts[:3]]
    assert (report.records, report.verified, report.unverified) == (4, 1, 0)


def test_a_long_stretch_without_a_header_end_is_searched_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record starts in a stretch of MiBs without CRLF CRLF (LF-ended lines after a CRLF version line, or a
    version line ending in LF) do not each search a MiB for the header's end: the bytes searched stay within
    twice the file's size, where they were about a MiB per record start."""
    searched = [0]
    find = recordcheck._find

    def counting(buf: bytes, sub: bytes, start: int) -> int:
        end = find(buf, sub, start)
        searched[0] += (len(buf) if end < 0 else end + len(sub)) - start
        return end

    monkeypatch.setattr(recordcheck, "_find", counting)
    lf = record("resource", b"x" * 500).replace(b"\r\n", b"\n")
    mixed = lf.replace(b"WARC/1.1\n", b"WARC/1.1\r\n")
    for one, first in ((mixed, ("malformed-header", "no blank line ends the header within 1048576 bytes")),
                       (lf, LF_ONLY)):
        searched[0] = 0
        data = one * 3000
        report = check(data)
        assert 0 < searched[0] < 2 * len(data)
        assert (report.problems[0].offset, report.problems[0].kind, report.problems[0].message) == (0, *first)
        assert report.problems[1].offset == len(one)


UNCOVERED = "records whose HTTP headers no digest covers (only a WARC-Payload-Digest, no WARC-Block-Digest)"


def _payload_only(status: bytes = b"200 OK", *, block_digest: str | None = None) -> bytes:
    """A response as Heritrix writes it: a WARC-Payload-Digest of the entity body, and no WARC-Block-Digest."""
    block, payload = http_response(b"hello")
    return record("response", block.replace(b"200 OK", status), content_type="application/http; msgtype=response",
                  block_digest=block_digest, payload_digest="sha1", payload=payload,
                  target="http://example.org/")


@pytest.mark.parametrize("gzip", [False, True])
def test_http_headers_covered_by_no_digest_are_counted(gzip: bool) -> None:
    """A response with only a WARC-Payload-Digest is verified (it is standard), but its HTTP status line and headers
    are covered by no digest (a 200 changed to 404 passes): a note counts such records, and only those."""
    report = check(warc([_payload_only(b"404 Not Found"), _payload_only(),
                         _payload_only(block_digest="sha256"), record("resource", b"x", payload_digest="sha1")],
                        gzip=gzip))
    assert report.ok and (report.records, report.verified, report.unverified) == (4, 4, 0)
    assert f"{UNCOVERED}: 2" in report.notes
    assert UNCOVERED not in " ".join(check(warc([_payload_only(block_digest="sha256")], gzip=gzip)).notes)


def test_a_header_value_ending_in_a_version_is_not_a_header_cut_short() -> None:
    """A sound header whose value ends in `WARC/1.1`, the record's own fields after it: not taken for a
    record cut short in its header (only a header with a fault is looked into)."""
    first = record("resource", b"abc").replace(b"WARC/1.1\r\n", b"WARC/1.1\r\nX-Note: see WARC/1.1\r\n", 1)
    report = check(first + record("resource", b"d"))
    assert report.problems == () and (report.records, report.verified) == (2, 2)
