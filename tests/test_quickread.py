"""The quick path for sound records: the same report with it as without it, and taken when it should be."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack import quickread
from provpack.quickread import QuickReader
from provpack.recordcheck import OTHER_RECORD_PAYLOAD
from provpack.verify import FileReport

from conftest import benchmark_module
from readback import check
from warcbuild import SAMPLE_TEXTS, digest_text, provenance, provpack_records, record, warc


def three_readings(data: bytes) -> tuple[FileReport, FileReport, FileReport]:
    """The report with the quick path, with it but no header layouts learned, and from the full reader alone."""
    with pytest.MonkeyPatch.context() as patch:
        quick = check(data)
        patch.setattr(quickread, "LAYOUTS_KEPT", 0)
        without_layouts = check(data)
        patch.setattr(QuickReader, "_express", lambda self: False)
        full = check(data)
    return quick, without_layouts, full


def _both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[FileReport, FileReport]:
    """The report, and the report with the quick path for sound records turned off."""
    quick = check(data)
    with monkeypatch.context() as patch:
        patch.setattr(QuickReader, "_express", lambda self: False)
        full = check(data)
    return quick, full


@pytest.mark.parametrize("mask", [0x01, 0x20, 0xFF])
def test_quick_path_changes_no_report(mask: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every byte of an uncompressed archive flipped (chunked responses with digests of either reading too):
    the same report with and without the quick path (in a gzip archive a flip breaks the member first)."""
    records = provpack_records(SAMPLE_TEXTS[:1]) + [
        record("resource", b"sha1 block", block_digest="sha1", payload_digest="sha1"),
        record("metadata", b'{"a": 1}', content_type="application/json"),
        record("response", b"HTTP/1.1 200 OK\r\n\r\nbody", content_type="application/http; msgtype=response"),
    ] + [record("response", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
                content_type="application/http", block_digest="sha1", payload_digest=digest_text("sha1", payload))
         for payload in (b"abcd", b"3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n")]  # (de-chunked, raw)
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
    with_layouts, without_layouts, full = three_readings(warc(records, gzip=gzip))
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


# -- crawl records: response/request with application/http blocks, base32 and base64 digests ----------

_ALPHABETS = {"base16": "0123456789abcdef", "base32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
              "base64": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"}


def _chunked(body: bytes, size: int) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
                    for i in range(0, len(body), size)) + b"0\r\n\r\n"


@st.composite
def _digest(draw: st.DrawFn, data: bytes) -> str:
    """A digest header value of `data`: any algorithm, encoding, case and label, sometimes damaged."""
    algorithm = draw(st.sampled_from(["sha1", "sha256", "md5"]))
    encoding = draw(st.sampled_from(["base16", "base32", "base32", "base64"]))
    text = digest_text(algorithm, data, encoding).partition(":")[2]
    case = draw(st.sampled_from(["as is", "as is", "lower", "upper", "swap"]))
    text = {"as is": text, "lower": text.lower(), "upper": text.upper(), "swap": text.swapcase()}[case]
    damage = draw(st.sampled_from(["none", "none", "none", "char", "low bits", "padding", "cut", "space"]))
    stripped = text.rstrip("=")
    if damage == "char":
        at = draw(st.integers(0, len(stripped) - 1))
        alphabet = _ALPHABETS[encoding]
        text = stripped[:at] + draw(st.sampled_from(alphabet + "!-_")) + stripped[at + 1 :]
    elif damage == "low bits" and encoding == "base32":  # the unused low bits of the last character set
        last = _ALPHABETS["base32"].find(stripped[-1].upper())
        text = stripped[:-1] + _ALPHABETS["base32"][last ^ draw(st.integers(1, 3))]
    elif damage == "padding":
        text = stripped + "=" * draw(st.integers(0, 9))
    elif damage == "cut":
        text = text[:-1]
    elif damage == "space":
        text = " " + text + " "
    label = draw(st.sampled_from([algorithm, algorithm, algorithm.upper(), algorithm.replace("sha", "sha-"), "blake3"]))
    return f"{label}:{text}"


_CHUNK_TWISTS = [
    lambda sent: sent[: -len(b"0\r\n\r\n")],  # no last chunk: incomplete, the body is all there
    lambda sent: sent[:-2],  # the last chunk without the blank line after it (still complete)
    lambda sent: sent[:-4],
    lambda sent: sent[:-5] + b"\r\n",  # an empty size line for the last chunk
    lambda sent: sent[:-4] + b";ext=1\r\nExpires: 0\r\n\r\n",  # an extension and a trailer
    lambda sent: sent + b"after the end",
    lambda sent: sent.replace(b"0\r\n\r\n", b"00\r\n\r\n"),
    lambda sent: sent.replace(b"\r\n", b"\n"),  # bare LFs
    lambda sent: sent.replace(b"\r\n", b";x\r\n", 1),  # an extension on the first size line
    lambda sent: b"0" * 4100 + sent,  # a size line over the limit
    lambda sent: b" " + sent,
    lambda sent: b"+" + sent,
    lambda sent: b"0x" + sent,
    lambda sent: sent.upper(),
    lambda sent: sent.replace(b"\r\n", b"", 2),  # no CRLF after the first chunk's data
]


@st.composite
def _chunk_damage(draw: st.DrawFn, sent: bytes) -> bytes:
    """A chunked body, sometimes changed: cut, a byte flipped, odd size lines, extensions, trailers."""
    how = draw(st.sampled_from(["none", "none", "none", "twist", "twist", "flip", "cut"]))
    if how == "twist":
        return bytes(draw(st.sampled_from(_CHUNK_TWISTS))(sent))
    if how == "flip":
        at = draw(st.integers(0, len(sent) - 1))
        return sent[:at] + bytes([sent[at] ^ draw(st.sampled_from([0x01, 0x20, 0x0F, 0xFF]))]) + sent[at + 1 :]
    if how == "cut":
        return sent[: draw(st.integers(0, len(sent) - 1))]
    return sent


@st.composite
def crawl_records(draw: st.DrawFn) -> bytes:
    """A response or request record, chunked or not (a chunked body sometimes malformed), its payload digest
    over the entity body (raw or de-chunked), the block or nothing, in any encoding, sometimes damaged;
    odd types and heads too."""
    body = draw(st.binary(max_size=300) | st.sampled_from([b"", b"<html>page</html>", b"0\r\n\r\n"]))
    chunked_body = draw(st.booleans())
    sent = _chunked(body, draw(st.integers(1, 40))) if chunked_body else body
    if chunked_body:
        sent = draw(_chunk_damage(sent))
    head = [b"HTTP/1.1 200 OK", b"Content-Type: text/html"]
    coding = draw(st.sampled_from([None, "chunked", "chunked", "gzip, CHUNKED", "identity", "chunkedx"]))
    if coding is not None:
        head.append(b"Transfer-Encoding: " + coding.encode())
    else:
        head.append(b"Content-Length: %d" % len(sent))
    if draw(st.integers(0, 4)) == 0:
        head.append(b"Content-Encoding: gzip")
    end = draw(st.sampled_from([b"\r\n\r\n"] * 6 + [b"\n\n", b"\n\r\n", b"\r\n", b""]))
    newline = draw(st.sampled_from([b"\r\n"] * 5 + [b"\n"]))
    block = newline.join(head) + end + sent
    warc_type = draw(st.sampled_from(["response", "response", "request", "Response", "resource", "revisit"]))
    content_type = draw(st.sampled_from(["application/http; msgtype=response", "application/http; msgtype=response",
                                         "Application/HTTP ;msgtype=request", "application/http",
                                         "text/plain", "application/httpx", None, None, "message/http"]))
    covered = draw(st.sampled_from(["sent", "sent", "body", "block", "empty", "none"]))
    payload = {"sent": sent, "body": body, "block": block, "empty": b"", "none": None}[covered]
    block_digest = draw(_digest(block))
    payload_digest = None if payload is None else draw(_digest(payload))
    date = draw(st.sampled_from(["2021-03-04T05:06:07Z", "2021-03-04T05:06:08Z", "2021-03-04", "2021-13-04",
                                 "2021-03-04T05:06:07.123456Z"]))
    target = draw(st.sampled_from(["https://example.org/", "https://example.org/", "urn:x"]))
    headers = [("WARC-Target-URI", target)] + ([("WARC-Truncated", "length")] if draw(st.integers(0, 3)) == 0 else [])
    return record(warc_type, block, content_type=content_type, block_digest=block_digest,
                  payload_digest=payload_digest, date=date, headers=headers)


_PROFILES = ["http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
             "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
             "http://netpreserve.org/warc/1.0/revisit/uri-agnostic-identical-payload-digest",
             "http://netpreserve.org/warc/1.1/revisit/server-not-modified", "urn:not-a-profile", ""]
# The optional fields of a revisit, in the order warcio writes them.
_REVISIT_FIELDS = ["WARC-Target-URI", "WARC-Profile", "WARC-Refers-To", "WARC-Refers-To-Target-URI",
                   "WARC-Refers-To-Date", "WARC-Truncated", "WARC-Segment-Number"]


@st.composite
def revisit_records(draw: st.DrawFn, fields: tuple[str, ...]) -> bytes:
    """A revisit (or continuation) record with these optional fields: an empty block, an HTTP header block
    or more, its block digest sound or damaged, a payload digest of anything or none, a profile of WARC 1.0
    or 1.1 under either version line."""
    block = draw(st.sampled_from([b"", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
                                  b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
                                  b"HTTP/1.1 200 OK\r\n\r\n<html>truncated</html>"]) | st.binary(max_size=40))
    warc_type = draw(st.sampled_from(["revisit", "revisit", "revisit", "Revisit", "continuation", "response"]))
    payload_digest = draw(st.sampled_from([None, "", "sha1:", "sha9:XYZ", "nolabel"]) | _digest(block)
                          | _digest(b"the original payload"))
    values = {"WARC-Target-URI": "https://example.org/", "WARC-Profile": draw(st.sampled_from(_PROFILES)),
              "WARC-Refers-To": draw(st.sampled_from(["<urn:uuid:1>", "urn:uuid:1", ""])),
              "WARC-Refers-To-Target-URI": "https://example.org/",
              "WARC-Refers-To-Date": draw(st.sampled_from(["2021-03-04T05:06:07Z", "yesterday"])),
              "WARC-Truncated": "length", "WARC-Segment-Number": "1"}
    content_type = draw(st.sampled_from(["application/http; msgtype=response", "application/http", None]))
    headers = [(name, values[name]) for name in fields]
    if payload_digest is not None and ":" not in payload_digest:  # (record() reads it as an algorithm)
        headers.append(("WARC-Payload-Digest", payload_digest))
        payload_digest = None
    return record(warc_type, block, version=draw(st.sampled_from(["WARC/1.1", "WARC/1.1", "WARC/1.0"])),
                  content_type=content_type, block_digest=draw(_digest(block)), payload_digest=payload_digest,
                  date=draw(st.sampled_from(["2021-03-04T05:06:07Z", "2021-03-04T05:06:09Z", "2021-13-04"])),
                  headers=headers)


@st.composite
def crawl_lists(draw: st.DrawFn) -> list[bytes]:
    """Responses, requests and revisits in any order; the revisits of one list share their optional fields
    (as one crawler writes them), so that the later ones are matched by a learned layout."""
    fields = tuple(draw(st.lists(st.sampled_from(_REVISIT_FIELDS), unique=True, max_size=4)))
    fields = tuple(name for name in _REVISIT_FIELDS if name in fields)  # (in one order)
    return draw(st.lists(crawl_records() | revisit_records(fields) | revisit_records(fields), min_size=1, max_size=7))


@settings(max_examples=300, deadline=None)
@given(crawl_lists(), st.booleans())
def test_crawl_records_change_no_report(records: list[bytes], gzip: bool) -> None:
    """Response, request and revisit records of every shape, sound or not: the same report from the quick
    path (matching by layout or splitting headers itself) as from the full reader."""
    quick, without_layouts, full = three_readings(warc(records, gzip=gzip))
    assert quick == without_layouts == full


def _crawl_pair(number: int, *, encoding: str = "base32", algorithm: str = "sha1", chunked: bool = False,
                dechunked: bool = False, sent: bytes | None = None,
                date: str | None = None, label: str | None = None, kind: str = "response") -> list[bytes]:
    """A response and its request as crawlers write them: sha1 base32 digests, a new WARC-Date; `chunked`:
    the payload digest of the raw chunked body (`sent`, else well-formed), or `dechunked`, of the body it was."""
    date = date or f"2021-03-04T05:06:{number:02d}Z"
    body = b"<html>page %d</html>" % number
    if chunked:
        encoded = _chunked(body, 5) if sent is None else sent
        response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + encoded
        body = body if dechunked else encoded
    else:
        response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    request = b"GET /page/%d HTTP/1.1\r\nHost: example.org\r\n\r\n" % number
    return [record(warc_type, block, date=date, content_type=f"application/http; msgtype={msgtype}",
                   block_digest=digest_text(algorithm, block, encoding, label),
                   payload_digest=digest_text(algorithm, payload, encoding, label),
                   headers=[("WARC-Target-URI", f"https://example.org/page/{number}")])
            for warc_type, msgtype, block, payload in ((kind, "response", response, body),
                                                       ("request", "request", request, b""))]


@pytest.mark.parametrize(("encoding", "algorithm"), [("base32", "sha1"), ("base16", "sha1"), ("base64", "sha256"),
                                                     ("base32", "md5")])
def test_crawl_records_take_the_quick_path(encoding: str, algorithm: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Responses and requests with application/http blocks and digests in any encoding, each pair at a new
    WARC-Date, take the quick path once their field names are known (all but the first record)."""
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    records = [rec for number in range(5) for rec in _crawl_pair(number, encoding=encoding, algorithm=algorithm)]
    report = check(warc(records))
    assert report.ok and report.verified == 10 and report.notes == ("gzip: 10 members",)
    assert taken == [False] + [True] * 9


@pytest.mark.parametrize(("change", "note"), [
    ({"date": "2021-03-04T05:06:63Z"}, None),
    ({"label": "blake3"}, "digests with an unknown algorithm 'blake3' not checked: 2"),
])
def test_crawl_records_the_quick_path_leaves(change: dict[str, Any], note: str | None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad date, an unknown algorithm: left to the full reader, same report."""
    records = [rec for number in range(5) for rec in _crawl_pair(number)]
    records[6] = _crawl_pair(3, **change)[0]
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    quick, full = _both_ways(warc(records), monkeypatch)
    assert quick == full and taken[6] is False and taken.count(True) == 8
    assert (note in quick.notes) if note else quick.problems


def _revisit(number: int, *, kind: str = "revisit", block: bytes | None = None, block_digest: str | None = "sha1",
             payload_digest: str | None = None, profile: str = _PROFILES[1], refers: bool = True,
             version: str = "WARC/1.1", extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A revisit of page `number` as warcio writes one: its HTTP header block, a WARC-Profile, the original's
    id, URI and date, and its payload digest (that of the page, not of this block, unless given)."""
    if block is None:
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    if payload_digest is None:
        payload_digest = digest_text("sha1", b"<html>page %d</html>" % number, "base32")
    if block_digest == "bad":
        block_digest = digest_text("sha1", block + b"x", "base32")
    elif block_digest is not None:
        block_digest = digest_text(block_digest, block, "base32")
    headers = [("WARC-Target-URI", f"https://example.org/page/{number}")]
    if profile is not None:
        headers.append(("WARC-Profile", profile))
    if refers:
        headers += [("WARC-Refers-To", f"<urn:uuid:{number}>"),
                    ("WARC-Refers-To-Target-URI", f"https://example.org/page/{number}"),
                    ("WARC-Refers-To-Date", "2021-03-04T05:06:07Z")]
    return record(kind, block, date=f"2021-03-05T05:06:{number:02d}Z", version=version,
                  content_type="application/http; msgtype=response", block_digest=block_digest,
                  payload_digest=payload_digest or None, headers=headers + list(extra), target=None)


@pytest.mark.parametrize(("change", "taken", "kind"), [
    ({}, True, None),
    ({"payload_digest": ""}, True, None),  # (no payload digest: taken before too)
    ({"refers": False}, True, None),
    ({"block": b""}, True, None),
    ({"block": b"HTTP/1.1 200 OK\r\n\r\n<html>page 4</html>"}, True, None),
    # A revisit's payload digest is not checked, but its label and the form of its value are: a damaged label
    # (one edit from sha1), a value that is no sha1 in any encoding, fail; a label of another algorithm does not.
    ({"payload_digest": "sha9:NOTCHECKED"}, False, "digest-mismatch"),
    ({"payload_digest": "sha1:!!garbage!!"}, False, "digest-mismatch"),
    ({"payload_digest": "sha1:AAAA"}, False, "digest-mismatch"),
    ({"payload_digest": "blake3:NOTCHECKED"}, False, None),
    ({"payload_digest": digest_text("sha1", b"the original", "base16")}, True, None),
    ({"payload_digest": digest_text("sha256", b"", "base64")}, True, None),
    ({"profile": _PROFILES[0], "version": "WARC/1.0"}, True, None),
    ({"profile": _PROFILES[0]}, True, None),  # (a WARC 1.0 profile in a WARC/1.1 record: not checked)
    ({"profile": "urn:not-a-profile"}, True, None),
    # A continuation must name its origin and number (WARC 1.1 5.17, 5.18), a revisit its profile (5.14): without,
    # the full reader's missing-header.
    ({"kind": "continuation"}, False, "missing-header"),
    ({"kind": "continuation", "extra": (("WARC-Segment-Origin-ID", "<urn:uuid:3>"),)}, False, "missing-header"),
    ({"profile": None}, False, "missing-header"),
    ({"block_digest": "sha256"}, True, None),
    ({"block_digest": "bad"}, False, "digest-mismatch"),
    ({"block_digest": None}, False, "missing-digest"),  # (only a payload digest: unverified)
    ({"extra": (("WARC-Segment-Number", "1"),)}, False, None),
    ({"extra": (("WARC-Payload-Digest", digest_text("sha1", b"x", "base32")),)}, False, "malformed-header"),  # (two)
    ({"kind": "response"}, False, "digest-mismatch"),  # (a payload digest of another body)
])
def test_revisit_records_take_the_quick_path(change: dict[str, Any], taken: bool, kind: str | None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A sound revisit takes the quick path once its field names are known, its payload digest counted and not
    checked, as the full reader counts it; any other is left to the full reader, with the same report."""
    records = [rec for number in range(3) for rec in _crawl_pair(number)] + [_revisit(n) for n in range(3, 6)]
    records[7] = _revisit(4, **change)
    seen: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: seen.append(express(self)) or seen[-1])
    for data in (warc(records), warc(records, gzip=False)):
        seen.clear()
        quick, full = _both_ways(data, monkeypatch)
        assert quick == full
        assert seen[:9] == [False] + [True] * 5 + [False, taken, True]  # (the first revisit: new names)
        assert [p.kind for p in quick.problems] + [w.kind for w in quick.warnings] == ([kind] if kind else [])
        unchecked = 2 + (change.get("payload_digest") != "" and change.get("kind") != "response")
        assert f"{OTHER_RECORD_PAYLOAD}: {unchecked}" in quick.notes


def test_damaged_revisits_change_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every byte of a revisit flipped, and the file cut at every byte of it: the same report with and
    without the quick path (the revisit before it has taught the field names)."""
    records = [_revisit(1), _revisit(2), record("resource", b"after")]
    data = b"".join(records)
    start = len(records[0])
    quick, full = _both_ways(data, monkeypatch)
    assert quick == full and quick.ok
    for offset in range(start, start + len(records[1])):
        changed = bytearray(data)
        changed[offset] ^= 0x01
        quick, full = _both_ways(bytes(changed), monkeypatch)
        assert quick == full, offset
        quick, full = _both_ways(data[:offset], monkeypatch)
        assert quick == full, offset


_WHOLE = b"<html>page 3</html>"


@pytest.mark.parametrize(("change", "taken_note", "problem"), [
    ({}, "raw chunked body: 1", None),
    ({"dechunked": True}, "de-chunked body: 1", None),
    ({"encoding": "base16"}, "raw chunked body: 1", None),
    ({"dechunked": True, "encoding": "base64", "algorithm": "sha256"}, "de-chunked body: 1", None),
    ({"sent": _chunked(_WHOLE, 7)[:-4] + b";ext\r\nExpires: 0\r\n\r\n", "dechunked": True},
     "de-chunked body: 1", None),
    ({"sent": _chunked(_WHOLE, 7)[:-2], "dechunked": True}, "de-chunked body: 1", None),  # (no trailer's end)
    ({"sent": _chunked(_WHOLE, 7) + b"junk", "dechunked": True}, "de-chunked body: 1", None),
    ({"sent": _chunked(_WHOLE, 7)[:-5], "dechunked": True}, None, "digest-mismatch"),  # no last chunk
    ({"sent": _chunked(_WHOLE, 7)[:-5]}, "raw chunked body: 1", None),
    ({"sent": _chunked(_WHOLE, 7).replace(b"7\r\n", b"8\r\n", 1), "dechunked": True}, None, "digest-mismatch"),
    ({"sent": b"0x" + _chunked(_WHOLE, 7), "dechunked": True}, None, "digest-mismatch"),
    ({"sent": _chunked(_WHOLE, 7).replace(b"\r\n", b"\n"), "dechunked": True}, "de-chunked body: 1", None),
])
def test_chunked_responses_take_the_quick_path(change: dict[str, Any], taken_note: str | None, problem: str | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunked response whose payload digest is of the raw or the de-chunked body takes the quick path,
    counted as the full reader counts it; one of neither (an incomplete or malformed body) is left to it."""
    records = [rec for number in range(5) for rec in _crawl_pair(number)]
    records[6] = _crawl_pair(3, chunked=True, **change)[0]
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    quick, full = _both_ways(warc(records), monkeypatch)
    assert quick == full and taken[6] is (taken_note is not None) and taken.count(True) == 8 + taken[6]
    assert [p.kind for p in quick.problems] == ([problem] if problem else [])
    chunked_notes = [note for note in quick.notes if note.startswith("chunked")]
    assert chunked_notes == (["chunked HTTP payload digests matched the " + taken_note] if taken_note else [])


def _entity_record(warc_type: str, content_type: str | None, *, block_label: str = "sha1",
                   payload_label: str = "sha1", low_bits: str = "", of_block: bool = False,
                   target: str = "https://example.org/") -> bytes:
    """A record of an HTTP response whose payload digest is of the entity body; md5 in base32 with
    `low_bits` ("block" or "payload"), that value's unused low bits set (then it is not the digest);
    `of_block`: the payload digest is of the whole block instead."""
    body = b"<html>entity</html>"
    block = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    if low_bits:
        values = {"block": digest_text("md5", block, "base32").rstrip("="),
                  "payload": digest_text("md5", body, "base32").rstrip("=")}
        values[low_bits] = values[low_bits][:-1] + chr(ord(values[low_bits][-1]) + 1)  # (2 bits unused)
        block_value, payload_value = values["block"], values["payload"]
    else:
        block_value = digest_text("sha1", block, "base32", block_label)
        payload_value = digest_text("sha1", block if of_block else body, "base32", payload_label)
    return record(warc_type, block, content_type=content_type, block_digest=block_value,
                  payload_digest=payload_value, headers=[("WARC-Target-URI", target)])


def _unchunked_record(field: bytes, sent: bytes, payload: bytes) -> bytes:
    """A response with this HTTP header field and body, its payload digest of `payload`."""
    block = b"HTTP/1.1 200 OK\r\n" + field + b"\r\n\r\n" + sent
    return record("response", block, content_type="application/http; msgtype=response",
                  block_digest=digest_text("sha1", block, "base32"), payload_digest=digest_text("sha1", payload, "base32"),
                  headers=[("WARC-Target-URI", "https://example.org/")])


@pytest.mark.parametrize(("rec", "kind"), [
    (_entity_record("response", "text/plain"), "digest-mismatch"),  # (the payload is the block)
    (_entity_record("response", "application/httpx"), "digest-mismatch"),
    (_entity_record("response", "APPLICATION/HTTP ;msgtype=response", of_block=True), "digest-mismatch"),
    (_entity_record("response", "text/plain", of_block=True), None),
    (record("resource", b"block", block_digest="sha1", payload_digest="sha256"), None),  # (another algorithm)
    (record("resource", b"block", block_digest="sha1", payload_digest=digest_text("sha256", b"other", "base32")),
     "digest-mismatch"),
    (_entity_record("resource", "application/http; msgtype=response"), "digest-mismatch"),
    (_entity_record("response", "application/http", payload_label="blake3"), "unknown-digest"),
    # A revisit's payload digest is of another record's payload: not checked, even when it is the block's.
    (record("revisit", b"HTTP/1.1 200 OK\r\n\r\n", block_digest="sha1", payload_digest="sha1"), None),
    (record("continuation", b"rest of a payload", block_digest="sha1", payload_digest="sha1"), None),
    (_entity_record("response", "application/http", payload_label="SHA_1"), None),
    (_entity_record("request", "APPLICATION/HTTP;msgtype=request", low_bits="block"), "digest-mismatch"),
    (_entity_record("request", "APPLICATION/HTTP;msgtype=request", low_bits="payload"), "digest-mismatch"),
    # A body that is a chunked encoding, sent without Transfer-Encoding: chunked, has one reading only.
    (_unchunked_record(b"Transfer-Encoding: identity", _chunked(b"<html>page</html>", 4), b"<html>page</html>"),
     "digest-mismatch"),
    (_unchunked_record(b"Content-Length: 5", b"0\r\n\r\n", b""), "digest-mismatch"),
    (_unchunked_record(b"Content-Length: 5", b"0\r\n\r\n", b"0\r\n\r\n"), None),
    # An HTTP message is one whatever its Content-Type says (message/http), or with none (an http(s) target and
    # an HTTP first line): its payload is the entity body.
    (_entity_record("response", "message/http"), None),
    (_entity_record("response", "Message/HTTP; msgtype=response", of_block=True), "digest-mismatch"),
    (_entity_record("response", None), None),
    (_entity_record("request", None), None),
    (_entity_record("response", None, of_block=True), "digest-mismatch"),
    (_entity_record("response", None, target="urn:x"), "digest-mismatch"),  # (then the payload is the block)
    (_entity_record("response", None, target="urn:x", of_block=True), None),
    (_entity_record("resource", None), "digest-mismatch"),
])
def test_crawl_records_odd_cases(rec: bytes, kind: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Payload digests of the entity body on records whose payload is the block, an unknown or new payload
    label, base32 values with the unused low bits set: the full reader's report, with or without layouts."""
    good = [_entity_record("response", "application/http; msgtype=response") for _ in range(3)]
    for data in (warc([good[0], good[1], rec]), warc([good[0], rec, good[2]], gzip=False)):
        quick, full = _both_ways(data, monkeypatch)
        assert quick == full
        found = [p.kind for p in quick.problems] + [w.kind for w in quick.warnings]
        assert found == ([kind] if kind else [])


def _crawl_module() -> ModuleType:
    """benchmarks/crawl.py, the crawl-like WARC generator (warcio writes the records)."""
    return benchmark_module("crawl")


def test_a_crawl_written_by_warcio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's crawl WARC (warcio's records, sha1 base32, some chunked, gzip-encoded and revisited
    pages) is reproducible, sound, reads the same with and without the quick path, which takes all but two."""
    crawl = _crawl_module()
    first, second = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    assert crawl.generate(first, pages=200, seed=5) == crawl.generate(second, pages=200, seed=5) == 401
    assert first.read_bytes() == second.read_bytes()
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    quick, full = _both_ways(first.read_bytes(), monkeypatch)
    assert quick == full and quick.ok and quick.verified == 401
    assert "chunked HTTP payload digests matched the raw chunked body: 4" in quick.notes
    assert "payload digests not checked: they describe another record (revisit, segment): 1" in quick.notes
    assert taken[:401].count(False) == 1 + 1  # the first record, the revisit


@pytest.mark.parametrize("gzip", [False, True])
def test_content_length_of_thousands_of_digits(gzip: bool) -> None:
    """A Content-Length longer than int() converts, after a sound record of the same layout: a bad-length
    problem (not a crash), and the record after it still read, by both readers."""
    sound = record("resource", b"abc", record_id="<urn:uuid:a>")
    huge = record("resource", b"abc", record_id="<urn:uuid:b>").replace(b"Content-Length: 3", b"Content-Length: " + b"9" * 5000)
    after = record("resource", b"def", record_id="<urn:uuid:c>")
    for report in three_readings(warc([sound, huge, after], gzip=gzip)):
        assert [p.kind for p in report.problems] == ["bad-length"] and "5000 digits" in report.problems[0].message
        assert report.records == 3 and report.verified == 2


def test_a_known_name_without_a_colon() -> None:
    """A header line that is only a name seen in an earlier record: malformed-header, by both readers."""
    first = record("resource", b"abc", content_type="text/plain")
    second = record("resource", b"def", content_type="text/plain").replace(b"Content-Type: text/plain", b"Content-Type")
    for report in three_readings(warc([first, second], gzip=False)):
        assert [p.kind for p in report.problems] == ["malformed-header"] and report.verified == 1


@pytest.mark.parametrize(("date", "warc_type", "problems"), [
    ("", "resource", ["malformed-header"]),
    ("2020-02-30T03:04:05Z", "resource", ["malformed-header"]),
    ("2021-02-29", "resource", ["malformed-header"]),
    ("2020-01-02T03:04:05+01:00", "resource", ["malformed-header"]),
    ("2020-01-02T03:04:05+00:00", "resource", ["malformed-header"]),
    ("2020-01-02T03:04:05-00:00", "resource", ["malformed-header"]),
    ("2020-02-29T03:04:05Z", "resource", []),
    ("2016-12-31T23:59:60Z", "resource", ["malformed-header"]),
    ("2020", "resource", ["malformed-header"]),
    ("2020-01", "resource", ["malformed-header"]),
    ("2020-01-02T03:04Z", "resource", ["malformed-header"]),
    ("2020-01-02T03:04:05Z", "", ["malformed-header"]),
    ("", "", ["malformed-header", "malformed-header"]),
])
def test_empty_and_impossible_dates_and_types(date: str, warc_type: str, problems: list[str]) -> None:
    """An empty WARC-Date or WARC-Type, a day its month lacks, any UTC offset (WARC dates end in Z), a leap second
    or a date short of the second (which index refuses), after sound records of the same layout: the same problems from the quick path as from the full reader, in any position."""
    sound = [record("resource", b"before %d" % n, date="2020-01-02T03:04:05Z") for n in range(2)]
    odd = record(warc_type, b"odd", date=date)
    for records in ([sound[0], sound[1], odd], [odd, sound[0], sound[1]], [sound[0], odd, sound[1]]):
        for gzip in (False, True):
            for report in three_readings(warc(records, gzip=gzip)):
                assert [p.kind for p in report.problems] == problems
                assert report.verified == 3 - bool(problems)


@pytest.mark.parametrize(("sent", "payload", "truncated", "problem"), [
    (b"5\r\n<html\r\nd\r\n>hel", b"<html>hel", True, None),  # de-chunked as far as it goes
    (b"5\r\n<html\r\nd\r\n>hel", b"5\r\n<html\r\nd\r\n>hel", True, None),  # raw
    (b"5\r\n<html\r\nd\r\n>hel", b"<html>hel", False, "digest-mismatch"),  # not marked truncated
    (b"5\r\n<html\r\nd\r\n>hel", b"<html>he", True, "digest-mismatch"),
    (b"5\r\n<htmlXXd\r\n>hel", b"<html", True, "digest-mismatch"),  # malformed before the cut
    (b"5\r\n<html\r\nd\r\n>hello</html>\r\n0\r\n\r\n", b"<html>hello</html>", True, None),
])
def test_truncated_chunked_responses(sent: bytes, payload: bytes, truncated: bool, problem: str | None) -> None:
    """A chunked response cut off and marked WARC-Truncated: its payload digest may be of the de-chunked body
    present (the payload with the transfer encoding removed, cut at the same place); the same report from the
    quick path as from the full reader."""
    block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + sent
    headers = [("WARC-Target-URI", "http://example.org/")] + ([("WARC-Truncated", "length")] if truncated else [])
    cut = record("response", block, content_type="application/http; msgtype=response", block_digest="sha1",
                 payload_digest=digest_text("sha1", payload, "base32"), headers=headers)
    good = [_entity_record("response", "application/http; msgtype=response") for _ in range(2)]
    for data in (warc([good[0], good[1], cut]), warc([good[0], cut, good[1]], gzip=False)):
        for report in three_readings(data):
            assert [p.kind for p in report.problems] == ([problem] if problem else [])


def test_a_failed_provenance_record_on_the_quick_path_is_not_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance record the quick path reads (its layout learned) that disagrees with its excerpt fails and is
    not counted verified: the same report as the full reader's."""
    texts = list(SAMPLE_TEXTS * 3)
    docs = []
    for resource in provpack_records(texts)[1::2]:
        resource_id = "<" + resource.split(b"WARC-Record-ID: <")[1].split(b">")[0].decode() + ">"
        target = resource.split(b"WARC-Target-URI: ")[1].split(b"\r\n")[0].decode()
        docs.append(provenance(texts[len(docs)], record_id=resource_id, target=target))
    docs[-1]["segments"][0]["byte_end"] -= 1  # type: ignore[index]
    records = provpack_records(texts, docs=docs)
    taken: list[bool] = []
    express = QuickReader._express
    monkeypatch.setattr(QuickReader, "_express", lambda self: taken.append(express(self)) or taken[-1])
    quick, full = _both_ways(warc(records), monkeypatch)
    assert taken[-1] is True  # (the damaged record was read by the quick path)
    assert quick == full and [p.kind for p in quick.problems] == ["metadata-mismatch"]
    assert (quick.records, quick.verified) == (13, 12)


def _two_documents(kind: str, quick_path: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, int]:
    """Two documents' records, the quick path on or off, and the length of the second document's `kind` record
    (the shorter one of that kind: a limit set to it holds that record and not the first document's)."""
    records = provpack_records(SAMPLE_TEXTS[:2])
    if not quick_path:
        monkeypatch.setattr(QuickReader, "_express", lambda self: False)
    first, second = (int(records[n].split(b"Content-Length: ")[1].split(b"\r\n")[0])
                     for n in ((1, 3) if kind == "resource" else (2, 4)))
    assert second < first
    return b"".join(records), second


@pytest.mark.parametrize("quick_path", [True, False])
def test_a_resource_of_exactly_the_keep_limit_is_kept_for_its_provenance(quick_path: bool,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource block as long as KEEP_LIMIT is kept and its provenance checked; one byte over, it is not kept,
    and its provenance record is checked without it (on the quick path and in the full reader alike). The
    second document's records are the ones the quick path reads: the first ones bring header names it has
    not seen yet."""
    from provpack import recordcheck

    data, second = _two_documents("resource", quick_path, monkeypatch)
    baseline = check(data)
    assert baseline.ok and "provpack provenance records checked: 2" in baseline.notes
    for module in (quickread, recordcheck):
        monkeypatch.setattr(module, "KEEP_LIMIT", second)
    held = check(data)
    assert held.ok and "provpack provenance records checked: 1" in held.notes
    for module in (quickread, recordcheck):
        monkeypatch.setattr(module, "KEEP_LIMIT", second - 1)
    assert "provpack provenance records checked without their resource block (too large): 2" in check(data).notes


@pytest.mark.parametrize("quick_path", [True, False])
def test_a_json_record_of_exactly_the_provenance_limit_is_read(quick_path: bool,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON metadata record as long as PROVENANCE_LIMIT is read and checked; one byte over, it is counted as
    not read, with the limit in the note (the second document's records are the quick path's, as above)."""
    from provpack import recordcheck

    data, second = _two_documents("metadata", quick_path, monkeypatch)
    for module in (quickread, recordcheck):
        monkeypatch.setattr(module, "PROVENANCE_LIMIT", second)
    report = check(data)
    assert report.ok and "provpack provenance records checked: 1" in report.notes
    unread = "JSON metadata records not read: over 64 MiB (provenance in them is not checked)"
    assert f"{unread}: 1" in report.notes
    for module in (quickread, recordcheck):
        monkeypatch.setattr(module, "PROVENANCE_LIMIT", second - 1)
    assert f"{unread}: 2" in check(data).notes


@pytest.mark.parametrize("over", [0, 1])
def test_the_quick_path_takes_no_header_over_1_mib(over: int) -> None:
    """A header (with its blank line) of 1 MiB is read quickly; one byte more is left to the full reader,
    which says it is malformed, even when the whole record is in the buffer (a read of 8 MiB here)."""
    import io

    from provpack.rawreader import RawReader
    from provpack.recordcheck import MAX_HEADER
    from provpack.warcscan import Scanner
    from provpack.warcstream import PlainSource

    first = record("resource", b"first", target="urn:x:first")
    pad = MAX_HEADER + over - (record("resource", b"abc", target="urn:x:").index(b"\r\n\r\n") + 4)
    big = record("resource", b"abc", target="urn:x:" + "a" * pad)   # the same field names as `first`
    raw = RawReader(io.BytesIO(first + big + record("resource", b"last", target="urn:x:last")), read_size=8 << 20)
    scanner = Scanner(PlainSource(raw, raw.read(), lambda offset, kind, message, cuts, skipped: None))
    scanner.walk()
    assert [(p.offset, p.kind, p.message) for p in scanner.problems] == (
        [(len(first), "malformed-header", f"no blank line ends the header within {MAX_HEADER} bytes")] if over else [])
    assert (scanner.records, scanner.verified) == (3, 3 - over)


def test_a_segment_total_length_is_checked_by_the_full_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record with a WARC-Segment-Total-Length goes to the full reader, whose name the quick path knows from an
    earlier record: a value that is not a whole number is reported either way."""
    total = [("WARC-Segment-Total-Length", "5")]
    records = [record("resource", b"a", headers=total), record("resource", b"b", headers=total),
               record("resource", b"c", headers=[("WARC-Segment-Total-Length", "abc")])]
    quick, full = _both_ways(warc(records, gzip=False), monkeypatch)
    assert quick == full
    assert [(p.offset, p.kind, p.message) for p in quick.problems] == [
        (len(records[0]) + len(records[1]), "malformed-header",
         "WARC-Segment-Total-Length 'abc' is not a whole number of 0 or more")]


def test_a_field_given_twice_is_reported_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WARC-Target-URI given twice with different values (readers taking the last would index the record at
    another URI), after sound records with the same names: malformed-header, with or without the quick path."""
    target = b"WARC-Target-URI: urn:example:record\r\n"
    twice = record("resource", b"c").replace(target, target + b"WARC-Target-URI: urn:example:other\r\n")
    records = [record("resource", b"a"), record("resource", b"b"), twice]
    quick, full = _both_ways(warc(records, gzip=False), monkeypatch)
    assert quick == full and (quick.records, quick.verified) == (3, 2)
    assert [(p.offset, p.kind, p.message) for p in quick.problems] == [
        (len(records[0]) + len(records[1]), "malformed-header",
         "WARC-Target-URI appears more than once (the first is used)")]



@pytest.mark.parametrize("algorithm", ["sha256", "sha1"])
def test_content_urns_are_judged_alike_by_both_readers(algorithm: str) -> None:
    """The quick path sees the usual content URN (its block's, a sha256 digest) in one go; every other target holding
    the prefix (in <>, after spaces, in capitals, with more before or after the hex) is judged as the full reader
    judges it."""
    import hashlib

    block = b"one"
    hexed = hashlib.sha256(block).hexdigest()
    urn = f"urn:provpack:sha256:{hexed}"
    targets = [urn, f"<{urn}", f"<{urn}>", f"    {urn}", f"   <{urn}", f"URN:provpack:SHA256:{hexed.upper()}",
               f"urn:provpack:sha256:{urn}", f"x{urn}", f"urn:{urn}", f"urn:provpack:sha256:00{hexed}"]
    records = [record("resource", block, content_type="text/plain", target=target, block_digest=algorithm)
               for target in ["urn:x", *targets]]
    quick, without_layouts, full = three_readings(b"".join(records))
    assert quick == without_layouts == full
    assert [problem.offset for problem in quick.problems] == [sum(map(len, records[:index])) for index in (7, 10)]


def test_a_segment_number_sends_a_record_of_a_known_layout_to_the_full_reader() -> None:
    """Three records of one header layout whose WARC-Segment-Number is 1, 0 and x: the second and third, whose
    layout the quick path has seen, are said as the full reader says them, whichever way they are read."""
    records = [record("resource", body, content_type="text/plain",
                      headers=[("WARC-Target-URI", "http://x/"), ("WARC-Segment-Number", number)])
               for body, number in ((b"one", "1"), (b"two", "0"), (b"three", "x"))]
    for report in three_readings(b"".join(records)):
        assert [(problem.kind, problem.message) for problem in report.problems] == [
            ("malformed-header", "WARC-Segment-Number '0' is not a whole number of 1 or more"),
            ("malformed-header", "WARC-Segment-Number 'x' is not a whole number of 1 or more")]
