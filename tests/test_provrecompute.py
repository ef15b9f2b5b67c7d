"""Forged provenance records (the JSON rewritten, its digest and length recomputed) are caught:
by the default checks where they derive from the text cheaply, by --deep otherwise."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provpack.provrecompute import realign, recompute, reextract
from provpack.verify import verify

SEEDS = Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz"


def _members(data: bytes) -> list[bytes]:
    found, pos = [], 0
    while pos < len(data):
        inflater = zlib.decompressobj(31)
        found.append(inflater.decompress(data[pos:]))
        pos = len(data) - len(inflater.unused_data)
    return found


MEMBERS = _members(SEEDS.read_bytes())
TEXT = MEMBERS[1].split(b"\r\n\r\n", 1)[1][:-4].decode("utf-8")
HEAD, _, BLOCK = MEMBERS[2].partition(b"\r\n\r\n")
DOC: dict[str, Any] = json.loads(BLOCK[:-4])


def _forged(doc: dict[str, Any], folder: Path, *, software: str | None = None) -> Path:
    """The seed archive with its provenance record replaced by `doc`, digest and Content-Length made to fit (and
    its warcinfo's software made `software`, when given)."""
    record = _with_block(HEAD, json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())
    info = MEMBERS[0]
    if software is not None:
        head, _, block = info.partition(b"\r\n\r\n")
        info = _with_block(head, re.sub(rb"software: [^\r]*", f"software: {software}".encode(), block[:-4]))
    path = folder / "forged.warc.gz"
    path.write_bytes(b"".join(_gzip(member) for member in (info, MEMBERS[1], record)))
    return path


def _with_block(head: bytes, block: bytes) -> bytes:
    """A record of this header and block, its WARC-Block-Digest and Content-Length made to fit."""
    lines = []
    for line in head.split(b"\r\n"):
        if line.startswith(b"WARC-Block-Digest:"):
            line = b"WARC-Block-Digest: sha256:" + hashlib.sha256(block).hexdigest().encode("ascii")
        elif line.startswith(b"Content-Length:"):
            line = b"Content-Length: %d" % len(block)
        lines.append(line)
    return b"\r\n".join(lines) + b"\r\n\r\n" + block + b"\r\n\r\n"


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def _no_elisions(doc: dict[str, Any]) -> None:
    doc["elisions"], doc["segments"] = [], []


def _word_as_elision(doc: dict[str, Any]) -> None:
    elision = doc["elisions"][0]
    start = TEXT.index("Tehran")
    byte_start = len(TEXT[:start].encode("utf-8"))
    elision.update(start=start, end=start + 6, byte_start=byte_start, byte_end=byte_start + 6, marker="Tehran",
                   line=TEXT.count("\n", 0, start) + 1, column=start - TEXT.rfind("\n", 0, start))
    elision["@id"] = elision["@id"].rsplit("-", 1)[0] + f"-{start}"
    position, quote = elision["oa:hasTarget"]["oa:hasSelector"]
    position.update({"oa:start": start, "oa:end": start + 6})
    quote.update({"oa:exact": "Tehran", "oa:prefix": TEXT[start - 32:start], "oa:suffix": TEXT[start + 6:start + 38]})


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split("/")]
        parent = doc
        for key in keys[:-1]:
            parent = parent[key]
        parent[keys[-1]] = value
    return change


def _shrunk_segment(doc: dict[str, Any]) -> None:
    segment = doc["segments"][0]
    segment["end"], segment["byte_end"] = segment["start"] + 10, segment["byte_start"] + 10
    raw = TEXT.encode("utf-8")
    segment["sha256"] = hashlib.sha256(raw[segment["byte_start"]:segment["byte_end"]]).hexdigest()


def _duplicated(doc: dict[str, Any]) -> None:
    doc["elisions"].insert(0, copy.deepcopy(doc["elisions"][0]))


def _one_selector(doc: dict[str, Any]) -> None:
    del doc["elisions"][0]["oa:hasTarget"]["oa:hasSelector"][1]


def _title_span(doc: dict[str, Any]) -> None:
    doc["fields"]["title"]["span"] = [32, 40]
    doc["fields"]["title"]["byte_span"] = [32, 40]
    doc["fields"]["title"]["value"] = TEXT[32:40]


# (name, change, caught without --deep: what needs no walk over the text; see provcheck.derived)
FORGERIES: list[tuple[str, Callable[[dict[str, Any]], None], bool]] = [
    ("no elisions or segments", _no_elisions, False),
    ("an ordinary word as an elision", _word_as_elision, True),
    ("entity @id", _set("@id", "urn:provpack:sha256:" + "0" * 64), True),
    ("oa:hasSource elsewhere", _set("elisions/0/oa:hasTarget/oa:hasSource/@id", "https://elsewhere.example/"), True),
    ("annotation without selectors", _set("elisions/1/oa:hasTarget/oa:hasSelector", []), True),
    ("annotation @id", _set("elisions/0/@id", "urn:uuid:x#elision-1"), True),
    ("segment shrunk to 10 bytes", _shrunk_segment, False),
    ("line", _set("elisions/0/line", 2), False),
    ("column", _set("elisions/1/column", 1), False),
    ("kind", _set("elisions/0/kind", "possible"), True),
    ("duplicated elision", _duplicated, True),
    ("one selector removed", _one_selector, True),
    ("fields.title value", _set("fields/title/value", "Another Title"), False),
    ("fields.title span", _title_span, False),
    ("parts spans", _set("parts/header", [0, 70]), False),
    ("text.newline", _set("text/newline", "CRLF"), False),
    ("text.bom", _set("text/bom", True), False),
    ("length_chars of a field's source", _set("dcterms:title", "Another Title"), False),
]


@pytest.mark.parametrize(("name", "change", "by_default"), FORGERIES, ids=[f[0] for f in FORGERIES])
def test_forged_provenance_is_caught(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None],
                                     by_default: bool) -> None:
    """Each forged record fails --deep; those the default checks cover fail without it too."""
    doc = copy.deepcopy(DOC)
    change(doc)
    path = _forged(doc, tmp_path)
    deep = verify(path, jobs=1, deep=True)
    assert not deep.ok and all(p.kind == "metadata-mismatch" for p in deep.files[0].problems), name
    default = verify(path, jobs=1)
    assert default.ok is not by_default, [p.message for p in default.files[0].problems]


def test_the_unchanged_record_passes_both_ways(tmp_path: Path) -> None:
    """The seed archive's record, rewritten unchanged, passes by default and with --deep."""
    path = _forged(copy.deepcopy(DOC), tmp_path)
    assert verify(path, jobs=1).ok and verify(path, jobs=1, deep=True).ok


def test_deep_names_the_key(tmp_path: Path) -> None:
    """A --deep disagreement names the key that differs."""
    doc = copy.deepcopy(DOC)
    doc["text"]["newline"] = "CRLF"
    messages = [p.message for p in verify(_forged(doc, tmp_path), jobs=1, deep=True).files[0].problems]
    assert any(m.startswith("--deep: text is ") for m in messages), messages


def test_deep_reports_the_same_in_two_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--deep with the file read in two processes gives the report of one serial read."""
    from provpack import verifysplit

    doc = copy.deepcopy(DOC)
    doc["elisions"][0]["line"] = 2
    path = _forged(doc, tmp_path)
    serial = verify(path, jobs=1, deep=True)
    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    split = verify(path, jobs=2, deep=True)
    assert not serial.ok and serial.to_json() == split.to_json()


def test_deep_reports_a_sidecar_address_with_no_uri_form(tmp_path: Path) -> None:
    """A record whose sidecar gives a source_url with a bad %-escape (which package refuses): --deep reports
    that provpack cannot describe it, with the reason, rather than stopping."""
    doc = copy.deepcopy(DOC)
    doc["sidecar"] = {**(doc.get("sidecar") or {}), "source_url": "https://ex.org/%zz"}
    report = verify(_forged(doc, tmp_path), jobs=1, deep=True)
    messages = [p.message for p in report.files[0].problems]
    assert any(m.startswith("--deep: provpack cannot read") and "'%zz' at character 16" in m for m in messages), \
        messages


def test_a_record_another_version_wrote_is_noted_not_compared(tmp_path: Path) -> None:
    """--deep compares with what this provpack writes: a record whose generator is another version (whose
    analyser may read the excerpt differently) is noted, not failed; every other check still runs on it."""
    from provpack.provcheck import WRITER

    doc = copy.deepcopy(DOC)
    assert doc["generator"] == WRITER   # (the committed archive is this version's)
    doc["text"]["newline"] = "CR"   # derivable only by --deep's reading
    assert not verify(_forged(doc, tmp_path), jobs=1, deep=True).ok
    doc["generator"] = "provpack 0.0.1"   # (an archive that version wrote: its warcinfo says so too)
    file = verify(_forged(doc, tmp_path, software="provpack/0.0.1"), jobs=1, deep=True).files[0]
    assert file.ok and not file.problems
    assert any(note.startswith("--deep: provpack provenance records written by another version than "
                               f"{WRITER}, not compared with its reading") and note.endswith(": 1")
               for note in file.notes), file.notes
    assert not any("another version" in note for note in verify(_forged(doc, tmp_path, software="provpack/0.0.1"),
                                                                jobs=1).files[0].notes)
    doc["segments"][0]["byte_start"] += 1   # what the default checks see is still caught
    assert [p.kind for p in verify(_forged(doc, tmp_path, software="provpack/0.0.1"), jobs=1,
                                   deep=True).files[0].problems] == ["metadata-mismatch"]


RECORD_ID = next(line.split(b": ", 1)[1].decode("ascii") for line in MEMBERS[1].split(b"\r\n")
                 if line.startswith(b"WARC-Record-ID: "))


def _recompute(doc: dict[str, Any], block: bytes = TEXT.encode("utf-8")) -> list[str]:
    return recompute(doc, block, record_id=RECORD_ID)


def test_recompute_of_the_seed_record_finds_nothing() -> None:
    """recompute called directly: the committed record is what provpack writes for its excerpt."""
    assert _recompute(copy.deepcopy(DOC)) == []


def test_keys_from_the_record_or_alignment_are_not_compared() -> None:
    """Keys the excerpt cannot give (generator, name, sidecar, original, alignment) are taken as written."""
    doc = copy.deepcopy(DOC)
    doc.update(generator="another tool", sidecar="not a mapping", sidecar_file=7, differences=[{"kind": "case"}],
               original={"how": "local"}, out_of_order=[[0, 1]])
    del doc["name"]
    for elision in doc["elisions"]:
        elision.update(omitted={"text": "x"}, omitted_reason="r", omitted_scope="between", confirmed=True)
    for segment in doc["segments"]:
        segment.update(source_start=1, source_end=2, in_order=False)
    assert _recompute(doc) == []


def test_unknown_missing_and_different_keys_are_each_named() -> None:
    """One message per key: one provpack does not write, one missing, one different (compact JSON, as is)."""
    doc = copy.deepcopy(DOC)
    doc["x-extra"] = 1
    doc["_private"] = 1   # (a leading underscore: someone's annotation, not provpack's)
    del doc["length_chars"]
    doc["dcterms:title"] = "Caf\u00e9"
    doc["text"]["newline"] = "CRLF"
    want = DOC["dcterms:title"]
    assert _recompute(doc) == [
        f'--deep: dcterms:title is "Caf\u00e9" but provpack reads the excerpt as "{want}"',
        f"--deep: length_chars is missing; provpack writes {DOC['length_chars']}",
        '--deep: text is {"bom":false,"encoding":"utf-8","final_newline":false,"newline":"CRLF"} but provpack '
        'reads the excerpt as {"bom":false,"encoding":"utf-8","final_newline":false,"newline":"LF"}',
        "--deep: x-extra is not a key provpack writes for this excerpt",
    ]


def test_elisions_that_are_no_list_are_reported_not_crashed_on() -> None:
    """Alignment keys are left out only of lists of elisions or segments; anything else is compared as is."""
    doc = copy.deepcopy(DOC)
    doc["elisions"], doc["alterations"] = 5, [1]
    messages = _recompute(doc)
    assert [m.split(" is ", 1)[0] for m in messages] == ["--deep: alterations", "--deep: elisions"]
    assert messages[1].startswith("--deep: elisions is 5 but provpack reads the excerpt as [{")
    shown = messages[1].split(" but provpack reads the excerpt as ", 1)[1]
    assert len(shown) == 160 and shown.endswith("...")   # a long value cut short


def test_an_unreadable_excerpt_is_named_by_the_record() -> None:
    """An excerpt provpack cannot parse: the message names it by the record's name, else 'excerpt'."""
    doc = copy.deepcopy(DOC)
    doc["name"] = "doc-7"
    assert _recompute(doc, b"ab\xffcd") == [
        "--deep: provpack cannot read the excerpt as an excerpt (doc-7: byte 2: invalid UTF-8 (0xFF 0x63 0x64); "
        "re-save the file as UTF-8)"]
    del doc["name"]
    assert _recompute(doc, b"ab\xffcd")[0].startswith("--deep: provpack cannot read the excerpt as an excerpt "
                                                      "(excerpt: byte 2:")


def test_a_value_of_just_160_characters_is_shown_whole() -> None:
    """Values are cut to 160 characters in messages: one of exactly 160 is shown as it is."""
    doc = copy.deepcopy(DOC)
    doc["dcterms:title"] = "a" * 158   # 160 with its quotes
    assert _recompute(doc)[0].startswith(f'--deep: dcterms:title is "{"a" * 158}" but provpack')


def test_two_long_values_are_shown_where_they_first_differ() -> None:
    """Two values whose JSON is over 160 characters and differs past the first 157: both are shown from 40
    characters before where they first differ, cut alike (cut at their start, they read the same); values that
    differ early, or that are short, as before."""
    from provpack.provrecompute import _differing

    common = "x" * 300
    assert _differing(common + "a" + "y" * 300, common + "b" + "z") == (
        f'...{"x" * 40}a{"y" * 113}...', f'...{"x" * 40}bz"')
    assert _differing("a" + "y" * 300, "b") == (f'"a{"y" * 155}...', '"b"')
    assert _differing([1, 2], [1, 3]) == ("[1,2]", "[1,3]")


HARBOUR_HTML = """<html><head><title>Harbour plans</title></head><body><nav>Home | News</nav>
<article><h1>Harbour plans unveiled</h1>
<p>The council met on Tuesday to discuss the harbour. Members argued for three hours about the cost of dredging
the channel, which engineers put at four million pounds.</p>
<p>Residents attended in large numbers. Several spoke against the plan, saying the noise would drive away visitors
in the summer months.</p>
<p>The mayor said a decision would come before the end of the year.</p>
</article><aside>Related: lighthouse repairs</aside></body></html>
"""
HARBOUR_TEXT = """3 March 2024

Local Paper: Harbour plans unveiled

The council met on Tuesday to discuss the harbour. [...] Residents attended in large numbers. Several spoke against \
the plan, saying the noise would drive away visitors. [...]

The Mayor said a decision would come before the end of the year.
"""


@pytest.fixture(scope="module")
def harbour(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], bytes, str]:
    """An excerpt packaged with a local HTML original: its provenance, its block and the conversion's text."""
    from provpack.package import package

    source = tmp_path_factory.mktemp("harbour")
    (source / "originals").mkdir()
    (source / "originals" / "story.html").write_text(HARBOUR_HTML, encoding="utf-8")
    (source / "harbour.txt").write_text(HARBOUR_TEXT, encoding="utf-8")
    (source / "harbour.yaml").write_text("source_url: https://example.org/harbour\noriginal: originals/story.html\n",
                                         encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "h.warc.gz"
    members = _members(package(source, out=out).warc_path.read_bytes())
    blocks = {}
    for member in members:
        head, _, rest = member.partition(b"\r\n\r\n")
        kind = head.split(b"WARC-Type: ", 1)[1].split(b"\r\n", 1)[0].decode()
        blocks.setdefault(kind, rest[:-4])
    return json.loads(blocks["metadata"]), blocks["resource"], blocks["conversion"].decode("utf-8")


def test_realign_agrees_with_the_packaged_alignment(harbour: tuple[dict[str, Any], bytes, str]) -> None:
    doc, block, text = harbour
    assert doc["original"]["how"] == "local" and len(doc["elisions"]) == 2
    assert [e["omitted"]["text"] for e in doc["elisions"]] == [
        "Members argued for three hours about the cost of dredging the channel, which engineers put at four million"
        " pounds.", "in the summer months."]
    assert [d["kind"] for d in doc["differences"]] == ["case"]
    assert realign(doc, block, text) == []


def _shown(value: Any) -> str:
    """A JSON value as --deep's messages show it: canonical JSON, cut to 160 characters."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= 160 else text[:157] + "..."


def test_realign_names_each_key_that_differs(harbour: tuple[dict[str, Any], bytes, str]) -> None:
    doc, block, text = harbour
    forged = copy.deepcopy(doc)
    forged["segments"][1]["source_start"] += 1
    forged["elisions"][0] = "cut"
    forged["elisions"][1]["omitted"] = None
    forged["differences"] = []
    forged["out_of_order"] = [[0, 1]]
    first, second = doc["elisions"]
    again = "aligning the excerpt with the original again gives"
    assert realign(forged, block, text) == [
        f"--deep: segments[1].source_start is {doc['segments'][1]['source_start'] + 1} but {again}"
        f" {doc['segments'][1]['source_start']}",
        f"--deep: elisions[0].omitted is missing; {again} {_shown(first['omitted'])}",
        f"--deep: elisions[0].omitted_reason is missing; {again} {_shown(first['omitted_reason'])}",
        f"--deep: elisions[0].omitted_scope is missing; {again} {_shown(first['omitted_scope'])}",
        f"--deep: elisions[0].confirmed is missing; {again} {_shown(first['confirmed'])}",
        f"--deep: elisions[1].omitted is null but {again} {_shown(second['omitted'])}",
        f"--deep: differences is [] but {again} {_shown(doc['differences'])}",
        f"--deep: out_of_order is [[0,1]] but {again} []",
    ]


def test_realign_against_another_text(harbour: tuple[dict[str, Any], bytes, str]) -> None:
    """Against a text the excerpt does not quote, nothing is found: every source and passage differs."""
    doc, block, _ = harbour
    found = realign(doc, block, "An unrelated text of a few words only.")
    again = "aligning the excerpt with the original again gives"
    sources = [f"--deep: segments[{index}].{key} is {segment[key]} but {again} null"
               for index, segment in enumerate(doc["segments"]) for key in ("source_start", "source_end")]
    assert found[:6] == sources
    assert [message.split(" is ")[0] for message in found[6:]] == [
        "--deep: elisions[0].omitted", "--deep: elisions[0].omitted_reason", "--deep: elisions[1].omitted",
        "--deep: elisions[1].omitted_reason", "--deep: differences"]
    assert found[-1] == f"--deep: differences is {_shown(doc['differences'])} but {again} []"


def test_reextract_as_package_extracts() -> None:
    """A local copy's bytes read as its content type; a fetched response's body after its head, its
    Content-Encoding undone; a body that cannot be undone, or a type with no text, says why."""
    import gzip

    page = (Path(__file__).parent / "data" / "originals" / "declaration.html").read_bytes()
    from provpack.htmltext import extract_text

    expected = extract_text(page, content_type="text/html")
    text, scope, charset = expected.text, expected.scope, expected.charset.to_json()
    assert reextract("local", page, "text/html", None) == (text, scope, charset)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
    assert reextract("fetched", head + gzip.compress(page, mtime=0), "text/html", "gzip") == (text, scope, charset)
    assert reextract("fetched", head + b"not gzip", "text/html", "gzip") == (
        "cannot undo Content-Encoding gzip: the body is not valid gzip (Error -3 while decompressing data: incorrect"
        " header check)")
    assert reextract("local", page, "application/pdf", None) == "cannot extract text from application/pdf"


def _retargeted(archive: Path, target: str, out: Path) -> Path:
    """`archive` with its excerpt's WARC-Target-URI, its provenance's @id and each annotation's oa:hasSource
    made `target`, the provenance record's digest and length made to fit (the sidecar and fields left as they are)."""
    rewritten = []
    for member in _members(archive.read_bytes()):
        head, _, rest = member.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        if b"WARC-Type: resource" in lines and b"Content-Type: text/plain; charset=utf-8" in lines:
            lines = [b"WARC-Target-URI: " + target.encode("ascii") if line.startswith(b"WARC-Target-URI: ") else line
                     for line in lines]
            member = b"\r\n".join(lines) + b"\r\n\r\n" + rest
        elif b"WARC-Type: metadata" in lines:
            doc = json.loads(rest[:-4])
            doc["@id"] = target
            for elision in doc["elisions"]:
                elision["oa:hasTarget"]["oa:hasSource"]["@id"] = target
            block = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
            lines = [b"WARC-Block-Digest: sha256:" + hashlib.sha256(block).hexdigest().encode("ascii")
                     if line.startswith(b"WARC-Block-Digest:") else b"Content-Length: %d" % len(block)
                     if line.startswith(b"Content-Length:") else line for line in lines]
            member = b"\r\n".join(lines) + b"\r\n\r\n" + block + b"\r\n\r\n"
        rewritten.append(_gzip(member))
    out.write_bytes(b"".join(rewritten))
    return out


def test_deep_derives_the_target_from_the_sidecar_url(tmp_path: Path) -> None:
    """--deep derives an excerpt's target as package does (the sidecar's `url`): a record whose @id, oa:hasSource
    and resource WARC-Target-URI all name another address, its sidecar's `url` unchanged, fails --deep, naming
    the @id and the annotations (the default checks, which see only that they agree, pass it)."""
    from provpack.package import package

    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Nobody expected the vote to pass. [...] It passed by one vote.\n", encoding="utf-8")
    (source / "a.yaml").write_text("url: https://blog.example.org/vote\n", encoding="utf-8")
    archive = package(source, out=tmp_path / "a.warc.gz").warc_path
    assert verify(archive, jobs=1, deep=True).ok
    forged = _retargeted(archive, "https://other.example.net/vote", tmp_path / "forged.warc.gz")
    assert verify(forged, jobs=1).ok
    messages = [p.message for p in verify(forged, jobs=1, deep=True).files[0].problems]
    compared = [{key: value for key, value in elision.items() if key != "omitted"}   # (alignment's: not compared)
                for elision in _doc_of(forged)["elisions"]]
    elisions = json.dumps(compared, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    at = elisions.index("other.example.net")   # (where the two values first differ: shown in both)
    assert len(elisions) > 160 and at > 157 and len(elisions) - at < 100
    assert messages == [
        '--deep: @id is "https://other.example.net/vote" but provpack reads the excerpt as'
        ' "https://blog.example.org/vote"',
        f"--deep: elisions is ...{elisions[at - 40:]} but provpack reads the excerpt as"
        f" ...{elisions.replace('other.example.net', 'blog.example.org')[at - 40:]}"]


def _doc_of(archive: Path) -> dict[str, Any]:
    block = next(member for member in _members(archive.read_bytes()) if b"WARC-Type: metadata" in member)
    doc: dict[str, Any] = json.loads(block.partition(b"\r\n\r\n")[2][:-4])
    return doc
