"""verify checks what a provenance record says of its alignment with an original against the archive (origcheck).

Each test packages excerpts with originals, edits one thing (recomputing every digest, so that only the
alignment check can tell), and pins the whole report: read in one go, and in two parts split at every record.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import provpack.align as align_module
from provpack import origcheck, provcheck, quickread, recordcheck, verifysplit, warcscan
from provpack.package import package
from provpack.verify import FileReport, _verify_path

from localserver import ServerState, serve

ORIGINALS = Path(__file__).parent / "data" / "originals"
DATE = dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)
DECLARATION = "https://www.archives.gov/declaration"
# a: two cuts between segments and a possible marker; its original's records come after its provenance
A_TEXT = (
    "When in the Course of human events, it becomes necessary for one people to dissolve the political "
    "bands which have connected them with another [...] a decent respect to the opinions of mankind "
    "requires that they should declare the causes which impel them to the separation.\n\n"
    "We hold these truths to be self-evident, that all men are created equal [\u2026] \u2014That to secure "
    "these rights, Governments are instituted among Men...\n"
)
# b: a plain-text original of its own
B_TEXT = ("Four score and seven years ago our fathers brought forth on this continent, a new nation [...] "
          "dedicated to the proposition that all men are created equal.\n")
# d: the same original as a, whose records come before it; a changed word (a difference) and a cut at the end
D_TEXT = ("We hold these truths to be self-evident, that all men are created equal, that they are endowed by their "
          "Creator with certain unalienable Rights [...] Governments are instituted among People, deriving their just "
          "powers from the consent of the governed [...]\n")
CAN_SPLIT = hasattr(os, "fork") and sys.platform != "darwin"   # (two-part reading forks: not on macOS)


def members(data: bytes) -> list[bytes]:
    """The decompressed records of a per-record gzip archive."""
    out = []
    while data:
        inflater = zlib.decompressobj(31)
        out.append(inflater.decompress(data))
        data = inflater.unused_data
    return out


def split_record(raw: bytes) -> tuple[bytes, bytes]:
    head, _, rest = raw.partition(b"\r\n\r\n")
    return head, rest[: int(re.search(rb"Content-Length: (\d+)", head).group(1))]   # type: ignore[union-attr]


def join_record(head: bytes, block: bytes) -> bytes:
    """A record with this block, its length and digests made to agree with it."""
    digest = b"sha256:" + hashlib.sha256(block).hexdigest().encode()
    head = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(block), head)
    head = re.sub(rb"WARC-Block-Digest: \S+", b"WARC-Block-Digest: " + digest, head)
    if b"WARC-Type: request" not in head and b"WARC-Type: response" not in head:
        head = re.sub(rb"WARC-Payload-Digest: \S+", b"WARC-Payload-Digest: " + digest, head)
    return head + b"\r\n\r\n" + block + b"\r\n\r\n"


def header(raw: bytes, name: str) -> str:
    found = re.search(rb"\r\n" + name.encode() + rb": ([^\r]*)", raw)
    assert found is not None
    return found.group(1).decode()


class Archive:
    """A packaged archive's records, to edit and write out."""

    def __init__(self, data: bytes) -> None:
        self.records = members(data)

    def doc(self, name: str) -> dict[str, Any]:
        for raw in self.records:
            if b"WARC-Type: metadata" in raw:
                doc = json.loads(split_record(raw)[1])
                if doc["name"] == name:
                    return dict(doc)
        raise KeyError(name)

    def edit_doc(self, name: str, change: Callable[[dict[str, Any]], None]) -> Archive:
        for index, raw in enumerate(self.records):
            head, block = split_record(raw)
            if b"WARC-Type: metadata" in head and json.loads(block)["name"] == name:
                doc = json.loads(block)
                change(doc)
                block = (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
                self.records[index] = join_record(head, block)
                return self
        raise KeyError(name)

    def edit_record(self, warc_type: str, target: str, change: Callable[[bytes, bytes], tuple[bytes, bytes]]) -> Archive:
        for index, raw in enumerate(self.records):
            head, block = split_record(raw)
            if f"WARC-Type: {warc_type}\r".encode() in head and f"WARC-Target-URI: {target}\r".encode() in head:
                self.records[index] = join_record(*change(head, block))
                return self
        raise KeyError(warc_type)

    def software(self, software: str) -> Archive:
        """The warcinfo record's `software` made `software` (the records' generators are held to provpack's)."""
        for index, raw in enumerate(self.records):
            head, block = split_record(raw)
            if b"WARC-Type: warcinfo" in head:
                block = re.sub(rb"software: [^\r]*", b"software: " + software.encode(), block)
                self.records[index] = join_record(head, block)
                return self
        raise KeyError("warcinfo")

    def record(self, warc_type: str, target: str) -> bytes:
        for raw in self.records:
            if f"WARC-Type: {warc_type}\r".encode() in raw and f"WARC-Target-URI: {target}\r".encode() in raw:
                return raw
        raise KeyError(warc_type)

    def data(self) -> bytes:
        return b"".join(gzip.compress(raw, mtime=0) for raw in self.records)

    def offset(self, name: str) -> int:
        """The offset of the provenance record of document `name` in data()."""
        at = 0
        for raw in self.records:
            head, block = split_record(raw)
            if b"WARC-Type: metadata" in head and json.loads(block)["name"] == name:
                return at
            at += len(gzip.compress(raw, mtime=0))
        raise KeyError(name)

    def metadata_id(self, name: str) -> str:
        for raw in self.records:
            head, block = split_record(raw)
            if b"WARC-Type: metadata" in head and json.loads(block)["name"] == name:
                return header(raw, "WARC-Record-ID")
        raise KeyError(name)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """a, b and d with a local original each (a and d the same one), c without one."""
    source = tmp_path_factory.mktemp("source")
    (source / "originals").mkdir()
    shutil.copy(ORIGINALS / "declaration.html", source / "originals" / "decl.html")
    shutil.copy(ORIGINALS / "gettysburg.txt", source / "originals" / "gettysburg.txt")
    for name, text, sidecar in (
            ("a", A_TEXT, f"source_url: {DECLARATION}\noriginal: originals/decl.html\n"),
            ("b", B_TEXT, "original: originals/gettysburg.txt\n"),
            ("c", "A text without an original [...] and its end.\n", None),
            ("d", D_TEXT, f"source_url: {DECLARATION}\noriginal: originals/decl.html\n")):
        (source / f"{name}.txt").write_text(text, encoding="utf-8")
        if sidecar is not None:
            (source / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "o.warc.gz"
    return package(source, out=out, date=DATE).warc_path.read_bytes()


@pytest.fixture
def archive(packaged: bytes) -> Archive:
    return Archive(packaged)


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Splitting allowed for any size; the outcome of every merge attempt is recorded."""
    outcomes: list[bool] = []
    absorb = verifysplit.absorb

    def recording(scanner: warcscan.Scanner, part: verifysplit.Segment) -> bool:
        merged = absorb(scanner, part)
        outcomes.append(merged)
        return merged

    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)   # threads other tests may leave
    monkeypatch.setattr(verifysplit, "absorb", recording)
    yield outcomes


def report(archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FileReport:
    """The report of one read, checked to be that of a two-part read split at every record."""
    data = archive.data()
    path = tmp_path / "o.warc.gz"
    path.write_bytes(data)
    serial = _verify_path(path, jobs=1)
    if CAN_SPLIT:
        for split in [i for i in range(1, len(data)) if data.startswith(b"\x1f\x8b\x08\x00", i)]:
            monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
            assert _verify_path(path, jobs=2) == serial, split
    return serial


def problems(found: FileReport) -> list[tuple[int | None, str | None, str, str]]:
    return [(p.offset, p.record_id, p.kind, p.message) for p in found.problems]


def show(text: str) -> str:
    """A text as messages show it: in full up to 100 characters, else its first 100 and its length."""
    return repr(text) if len(text) <= 100 else f"{text[:100]!r} (... {len(text)} characters)"


def mismatches(archive: Archive, name: str, *messages: str) -> list[tuple[int | None, str | None, str, str]]:
    """The problems `messages` of the provenance record of document `name`, as verify reports them."""
    return [(archive.offset(name), archive.metadata_id(name), "metadata-mismatch", m) for m in messages]


def conversion_text(archive: Archive, target: str = DECLARATION) -> str:
    return split_record(archive.record("conversion", target))[1].decode("utf-8")


def moved_after(archive: Archive, name: str, to: int | None = None) -> Archive:
    """The excerpt record of document `name` moved from before its provenance record to just after it (`to` None),
    or to index `to` of the records after its removal."""
    records = archive.records
    at = next(i for i, raw in enumerate(records) if b"WARC-Type: metadata" in raw
              and json.loads(split_record(raw)[1])["name"] == name)
    excerpt = records.pop(at - 1)
    records.insert(at if to is None else to, excerpt)
    return archive


# -- the archive as packaged ----------------------------------------------------------------------


def test_the_packaged_archive_is_sound_in_either_order(archive: Archive, tmp_path: Path, merges: list[bool],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """a's original comes after it, d's before it: both checked, and the split reads merge or fall back."""
    order = [header(raw, "WARC-Type") for raw in archive.records]
    assert order == ["warcinfo", "resource", "metadata", "resource", "conversion", "resource", "metadata", "resource",
                     "conversion", "resource", "metadata", "resource", "metadata"]
    found = report(archive, tmp_path, monkeypatch)
    assert found.problems == () and found.records == 13 and found.verified == 13
    assert f"{origcheck.CHECKED}: 3" in found.notes
    assert not CAN_SPLIT or (True in merges and False in merges)


# -- what the record and its excerpt tell ------------------------------------------------------------


def test_alignment_keys_without_an_original(archive: Archive, tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["segments"][0].update(source_start=1, source_end=5, in_order=True)
        doc["elisions"][0].update(omitted={"text": "cut", "start": 1, "end": 4}, omitted_reason=None)
        doc["differences"] = [{"kind": "added"}]
        doc["out_of_order"] = []

    found = report(archive.edit_doc("c", change), tmp_path, monkeypatch)
    why = "original is null"
    assert problems(found) == mismatches(
        archive, "c",
        f"segments[0] has in_order, source_end, source_start, but {why}",
        f"elisions[0].omitted is {{'end': 4, 'start': 1, 'text': 'cut'}}, not null: {why}",
        f"elisions[0] has omitted_reason, but {why}",
        f"differences is [{{'kind': 'added'}}], not []: {why}",
        f"out_of_order is given, but {why}")


def test_an_original_of_the_wrong_shape_without_text(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A record without an original given an original that is not an object; one with `no_text` and a text."""
    found = report(archive.edit_doc("c", lambda doc: doc.update(original="decl.html")), tmp_path, monkeypatch)
    assert problems(found) == mismatches(archive, "c", "original is 'decl.html', not an object or null")
    original = dict(archive.doc("a")["original"], no_text="cannot extract text from application/pdf")
    found = report(Archive(packaged).edit_doc("c", lambda doc: doc.update(original=original)), tmp_path,
                   monkeypatch)
    conversion = original["conversion_record_id"]
    assert problems(found) == mismatches(
        archive, "c", *(f"original.{key} is {original[key]!r}, not null: original.no_text says it has no text"
                        for key in ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset")))
    assert conversion not in str(found.problems[-1])


def test_an_aligned_original_of_the_wrong_shape(packaged: bytes, archive: Archive, tmp_path: Path,
                                                merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    found = report(archive.edit_doc("a", lambda doc: doc["original"].update(how="copied")), tmp_path, monkeypatch)
    original = archive.doc("a")["original"]
    assert problems(found) == mismatches(
        archive, "a", "original.how 'copied' is not 'local' or 'fetched'",
        f"original.record_id {original['record_id']} names a resource record, not a response record")

    def change(doc: dict[str, Any]) -> None:
        doc["original"].update(length_chars=-1, text_sha256=5)
        doc["differences"] = {}

    found = report(Archive(packaged).edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        "original.text_sha256 5 is missing or not a string",
        "original.length_chars -1 is not a count of characters",
        "differences {} is not a list",
        f"original.text_sha256 5 but the conversion record {original['conversion_record_id']} block hashes to"
        f" {original['text_sha256']}",
        f"original.length_chars -1 but the conversion record {original['conversion_record_id']} text has 1469"
        " characters")

    def local(doc: dict[str, Any]) -> None:
        doc["original"].update(length_bytes=None)
        doc["differences"][0]["segment"] = 2

    edited = Archive(packaged).edit_doc("d", local)
    found = report(edited, tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        edited, "d", "original.length_bytes None is not a count of bytes",
        "differences[0]: segment 2 is not the index of a segment",
        f"original.length_bytes None but the source record {original['record_id']} block has 2410 bytes")


def test_a_fake_original_names_records_that_are_not_there(archive: Archive, tmp_path: Path, merges: list[bool],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A document with no original given one, ids made up, the omitted passage consistent with it: the
    records it names are nowhere, and the alignment keys it lacks are said."""
    original = dict(archive.doc("a")["original"], record_id="<urn:uuid:made-up-1>",
                    conversion_record_id="<urn:uuid:made-up-2>")

    def change(doc: dict[str, Any]) -> None:
        doc["original"] = original
        doc["out_of_order"] = []
        for segment in doc["segments"]:
            segment.update(source_start=None, source_end=None, in_order=True)
        doc["elisions"][0].update(omitted_reason="neighbouring segment not found in the original",
                                  omitted_scope="between", confirmed=None)

    found = report(archive.edit_doc("c", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "c",
        "original.record_id <urn:uuid:made-up-1> names no resource record in this file",
        "original.conversion_record_id <urn:uuid:made-up-2> names no conversion record in this file")


def test_omitted_text_changed(archive: Archive, tmp_path: Path, merges: list[bool],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The passage's text alone changed: its own selector and the archived text disagree with it."""
    passage = archive.doc("a")["elisions"][0]["omitted"]
    text = passage["text"].replace("powers", "rulers")
    found = report(archive.edit_doc("a", lambda doc: doc["elisions"][0]["omitted"].update(text=text)), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"elisions[0].omitted: TextQuoteSelector exact {show(passage['text'])} is not the"
        f" omitted text {show(text)}",
        f"elisions[0].omitted: text {show(text)} but characters 238-377 of the conversion"
        f" text are {show(passage['text'])}")


def test_omitted_text_and_selector_changed(archive: Archive, tmp_path: Path, merges: list[bool],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Text and quote selector changed together: only the archived text tells (here for d, whose original
    came before it)."""
    passage = archive.doc("d")["elisions"][0]["omitted"]
    text = passage["text"].replace("Liberty", "Freedom")

    def change(doc: dict[str, Any]) -> None:
        doc["elisions"][0]["omitted"]["text"] = text
        doc["elisions"][0]["omitted"]["oa:hasSelector"][1]["oa:exact"] = text

    found = report(archive.edit_doc("d", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "d", f"elisions[0].omitted: text {show(text)} but characters 647-742 of the conversion text are"
                      f" {show(passage['text'])}")


def test_omitted_start_changed(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """start alone, and start with the position selector: the span is not the text's, nor its own selector's."""
    conversion = conversion_text(archive)
    passage = archive.doc("a")["elisions"][0]["omitted"]
    found = report(Archive(packaged).edit_doc(
        "a", lambda doc: doc["elisions"][0]["omitted"].update(start=237)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"elisions[0].omitted: text {show(passage['text'])} is not the 140 characters"
        " 237-377, trimmed of white space",
        "elisions[0].omitted: TextPositionSelector 238-377 disagrees with start/end 237-377",
        f"elisions[0].omitted: text {show(passage['text'])} but characters 237-377 of the"
        f" conversion text are {show(conversion[237:377])}",
        f"elisions[0].omitted: TextQuoteSelector prefix {conversion[206:238]!r} is not the 32 characters of the"
        f" conversion text before character 237 ({conversion[205:237]!r})",
        "elisions[0].omitted: characters 237-377, but the conversion text from the end of segments[0] (238) to the"
        " start of segments[1] (378), white space trimmed, is 238-377")


def test_omitted_moved_to_another_passage(archive: Archive, tmp_path: Path, merges: list[bool],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The passage moved, consistently, to other words of the original: not the text between its segments."""
    conversion = conversion_text(archive)
    start = conversion.index("that among these")
    end = start + len("that among these are Life")

    def change(doc: dict[str, Any]) -> None:
        passage = doc["elisions"][0]["omitted"]
        passage.update(text=conversion[start:end], start=start, end=end)
        passage["oa:hasSelector"] = [
            {"@type": "oa:TextPositionSelector", "oa:start": start, "oa:end": end},
            {"@type": "oa:TextQuoteSelector", "oa:exact": conversion[start:end],
             "oa:prefix": conversion[start - 32:start], "oa:suffix": conversion[end:end + 32]}]

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0].omitted: characters {start}-{end}, but the conversion text from the end of"
                      " segments[0] (238) to the start of segments[1] (378), white space trimmed, is 238-377")


def test_a_problem_found_when_the_original_comes_takes_the_record_back_from_the_verified(
        packaged: bytes, tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """a's original comes after its provenance record: a problem found then makes it not verified (docs/verify.md:
    verified when no problem was found in it), read by the quick path or the full reader, verified or unverified
    (its warning withdrawn), in one read and in two parts."""
    conversion = conversion_text(Archive(packaged))

    def shortened(doc: dict[str, Any]) -> None:
        passage = doc["elisions"][0]["omitted"]
        passage.update(text=passage["text"][:-5].rstrip(), end=passage["start"] + len(passage["text"][:-5].rstrip()))
        passage["oa:hasSelector"] = [
            {"@type": "oa:TextPositionSelector", "oa:start": passage["start"], "oa:end": passage["end"]},
            {"@type": "oa:TextQuoteSelector", "oa:exact": passage["text"],
             "oa:prefix": conversion[passage["start"] - 32:passage["start"]],
             "oa:suffix": conversion[passage["end"]:passage["end"] + 32]}]

    def a_at(archive: Archive) -> int:
        return next(at for at, raw in enumerate(archive.records) if b"WARC-Type: metadata" in raw
                    and json.loads(split_record(raw)[1])["name"] == "a")

    def without_digests(archive: Archive) -> Archive:
        at = a_at(archive)
        archive.records[at] = re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", archive.records[at])
        return archive

    def new_field(archive: Archive) -> Archive:   # (a field never seen before: the quick path leaves it)
        at = a_at(archive)
        archive.records[at] = archive.records[at].replace(b"\r\nContent-Length", b"\r\nX-Note: n\r\nContent-Length", 1)
        return archive

    archive = Archive(packaged).edit_doc("a", shortened)
    found = report(archive, tmp_path, monkeypatch)
    passage = Archive(packaged).edit_doc("a", shortened).doc("a")["elisions"][0]["omitted"]
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0].omitted: characters {passage['start']}-{passage['end']}, but the conversion text"
                      " from the end of segments[0] (238) to the start of segments[1] (378), white space trimmed, is"
                      " 238-377")
    assert (found.records, found.verified, found.unverified, found.warnings) == (13, 12, 0, ())
    for edited in (new_field(Archive(packaged).edit_doc("a", shortened)),
                   without_digests(Archive(packaged).edit_doc("a", shortened))):
        again = report(edited, tmp_path, monkeypatch)
        assert again.problems == found.problems
        assert (again.records, again.verified, again.unverified, again.warnings) == (13, 12, 0, ())
    sound = report(without_digests(Archive(packaged)), tmp_path, monkeypatch)   # (unverified, and listed)
    assert (sound.records, sound.verified, sound.unverified, len(sound.warnings), sound.problems) == (13, 12, 1, 1, ())


def test_omitted_at_a_paragraph_end_moved(archive: Archive, tmp_path: Path, merges: list[bool],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut that ends the quote starts where the segment before it ends (white space skipped)."""
    conversion = conversion_text(archive)
    passage = archive.doc("d")["elisions"][1]["omitted"]
    assert archive.doc("d")["elisions"][1]["omitted_scope"] == "paragraph-end"
    start, end = passage["start"] + 2, passage["end"]

    def change(doc: dict[str, Any]) -> None:
        moved = doc["elisions"][1]["omitted"]
        moved.update(text=conversion[start:end], start=start, end=end)
        moved["oa:hasSelector"] = [
            {"@type": "oa:TextPositionSelector", "oa:start": start, "oa:end": end},
            {"@type": "oa:TextQuoteSelector", "oa:exact": conversion[start:end],
             "oa:prefix": conversion[start - 32:start], "oa:suffix": conversion[end:end + 32]}]

    found = report(archive.edit_doc("d", change), tmp_path, monkeypatch)
    source_end = archive.doc("d")["segments"][1]["source_end"]
    assert problems(found) == mismatches(
        archive, "d", f"elisions[1].omitted: characters {start}-{end}, but the conversion text from the end of"
                      f" segments[1] ({source_end}) to the end of its paragraph ({len(conversion)}), white space"
                      f" trimmed, is {start - 2}-{end}")


def test_omitted_selectors_and_links(archive: Archive, tmp_path: Path, merges: list[bool],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Prefix, suffix, the record id and source of the passage, and its selectors' kinds."""
    conversion = conversion_text(archive)

    def change(doc: dict[str, Any]) -> None:
        first = doc["elisions"][0]["omitted"]
        first["oa:hasSelector"][1].update({"oa:prefix": "another", "oa:suffix": " a decent"})
        first["record_id"] = doc["original"]["record_id"]
        first["oa:hasSource"] = {"@id": "https://example.org/"}
        doc["elisions"][1]["omitted"]["oa:hasSelector"].pop()

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    original = archive.doc("a")["original"]
    assert problems(found) == mismatches(
        archive, "a",
        f"elisions[0].omitted: record_id {original['record_id']!r} is not original.conversion_record_id"
        f" {original['conversion_record_id']!r}",
        "elisions[0].omitted: oa:hasSource {'@id': 'https://example.org/'} is not original.target_uri"
        f" '{DECLARATION}'",
        "elisions[1].omitted: oa:hasSelector holds ['oa:TextPositionSelector'], not one oa:TextPositionSelector"
        " and one oa:TextQuoteSelector",
        f"elisions[0].omitted: TextQuoteSelector prefix 'another' is not the 32 characters of the conversion text"
        f" before character 238 ({conversion[206:238]!r})",
        f"elisions[0].omitted: TextQuoteSelector suffix ' a decent' is not the 32 characters of the conversion text"
        f" after character 377 ({conversion[377:409]!r})")


def test_omitted_reason_scope_and_confirmed(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["elisions"][0].update(omitted_reason="nothing omitted", confirmed=True)
        doc["elisions"][1].update(omitted_scope="elsewhere")
        doc["elisions"][2].update(confirmed=None)   # the possible marker, whose passage was found
        del doc["elisions"][1]["confirmed"]

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        "elisions[0]: omitted_reason 'nothing omitted', but a passage is omitted (expected null)",
        "elisions[0]: confirmed True, but a bracketed elision with an omitted passage has null",
        "elisions[1] has no confirmed (an aligned original gives each elision them)",
        "elisions[2]: confirmed None, but a possible elision with an omitted passage has true")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][1].update(
        omitted_scope="elsewhere")), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "elisions[1]: omitted_scope 'elsewhere' is not one of between, paragraph-end, paragraph-start")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][1].update(
        omitted=None)), tmp_path, monkeypatch)
    passage = conversion_text(archive)[575:713]
    assert problems(found) == mismatches(
        archive, "a", "elisions[1]: omitted is null, but omitted_reason None gives no reason",
        "elisions[1]: omitted is null (omitted_reason None), but characters 575-713 of the conversion text, from the"
        f" end of segments[1] (575) to the start of segments[2] (713), white space trimmed, hold words: {show(passage)}")


# -- what a cut hid: alignment's rules applied to the archive (cutcheck) ----------------------------


def test_a_cut_said_to_omit_nothing(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A passage deleted with a reason that says nothing was cut: the words between the segments around the
    marker, found in order, are in the conversion text (a bracketed cut between segments, and a `...` ending
    the quote, whose passage runs to the paragraph's end)."""
    conversion = conversion_text(archive)
    nothing = "nothing omitted: the segments are adjacent in the original"
    found = report(archive.edit_doc("a", lambda doc: doc["elisions"][0].update(omitted=None, omitted_reason=nothing)),
                   tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0]: omitted is null (omitted_reason {nothing!r}), but characters 238-377 of the"
                      " conversion text, from the end of segments[0] (238) to the start of segments[1] (378), white"
                      f" space trimmed, hold words: {show(conversion[238:377])}")
    end_of_paragraph = "nothing omitted before the end of the paragraph in the original"
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][2].update(
        omitted=None, omitted_reason=end_of_paragraph, confirmed=False)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[2]: omitted is null (omitted_reason {end_of_paragraph!r}), but characters 779-1468 of"
                      " the conversion text, from the end of segments[2] (779) to the end of its paragraph (1469),"
                      f" white space trimmed, hold words: {show(conversion[779:1468])}")


def test_a_cut_said_to_omit_nothing_before_its_excerpt(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The provenance record before its excerpt: the pieces' words are read when it comes, and the cut is told as
    in package's order (the split reads whose second part lacks the excerpt read on)."""
    nothing = "nothing omitted: the segments are adjacent in the original"
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0].update(omitted=None,
                                                                                   omitted_reason=nothing))
    records = edited.records
    at = next(i for i, raw in enumerate(records) if b"WARC-Type: metadata" in raw
              and json.loads(split_record(raw)[1])["name"] == "a")
    records[at - 1], records[at] = records[at], records[at - 1]
    found = report(edited, tmp_path, monkeypatch)
    assert [p.message for p in found.problems] == [
        f"elisions[0]: omitted is null (omitted_reason {nothing!r}), but characters 238-377 of the conversion"
        " text, from the end of segments[0] (238) to the start of segments[1] (378), white space trimmed, hold"
        f" words: {show(conversion_text(edited)[238:377])}"]


def test_a_possible_marker_that_cut_words_said_to_confirm_nothing(
        packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """confirmed false with a made-up reason on the `...` that cut the rest of a paragraph: the reason is
    none alignment gives, and the words are there."""
    conversion = conversion_text(archive)
    reason = "the quoter marked no cut here"
    found = report(archive.edit_doc("a", lambda doc: doc["elisions"][2].update(
        omitted=None, omitted_reason=reason, confirmed=False)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[2]: omitted_reason {reason!r} is none of the reasons alignment gives (docs/format.md)",
        f"elisions[2]: omitted is null (omitted_reason {reason!r}), but characters 779-1468 of the conversion text,"
        " from the end of segments[2] (779) to the end of its paragraph (1469), white space trimmed, hold words:"
        f" {show(conversion[779:1468])}")
    not_found = "neighbouring segment not found in the original: the segment before it (chars 351-417)"
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][2].update(
        omitted=None, omitted_reason=not_found, confirmed=False)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[2]: confirmed False, but alignment gives null with omitted_reason {not_found!r}",
        f"elisions[2]: omitted is null (omitted_reason {not_found!r}), but characters 779-1468 of the conversion"
        " text, from the end of segments[2] (779) to the end of its paragraph (1469), white space trimmed, hold"
        f" words: {show(conversion[779:1468])}")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0].update(
        omitted=None, omitted_reason="the original has the ellipsis itself: not an elision")), tmp_path, monkeypatch)
    assert problems(found)[0] == mismatches(
        archive, "a", "elisions[0]: omitted_reason 'the original has the ellipsis itself: not an elision', but"
                      " alignment gives it only to a possible marker")[0]


def test_a_reason_that_is_not_why(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """segments[1] not found: the cuts on either side of it omit nothing because of that, not because the
    segments are adjacent."""
    nothing = "nothing omitted: the segments are adjacent in the original"

    def change(doc: dict[str, Any]) -> None:
        doc["segments"][1].update(source_start=None, source_end=None)
        for elision in doc["elisions"][:2]:
            elision.update(omitted=None, omitted_reason=nothing)

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0]: omitted_reason {nothing!r}, but segments[1], after the marker, was not found in"
                      " the original: alignment gives 'neighbouring segment not found in the original: the segment"
                      " after it (chars 149-346)'",
        f"elisions[1]: omitted_reason {nothing!r}, but segments[1], before the marker, was not found in the original:"
        " alignment gives 'neighbouring segment not found in the original: the segment before it (chars 149-346)'")


def test_a_reason_that_is_not_quite_why(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A reason alignment gives with other details than it gives: the wrong segment not found, segments said to
    overlap that do not."""
    wrong = "neighbouring segment not found in the original: the segment before it (chars 0-147)"

    def change(doc: dict[str, Any]) -> None:
        doc["segments"][1].update(source_start=None, source_end=None)
        doc["elisions"][0].update(omitted=None, omitted_reason=wrong)

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0]: omitted_reason {wrong!r}, but segments[1], after the marker, was not found in"
                      " the original: alignment gives 'neighbouring segment not found in the original: the segment"
                      " after it (chars 149-346)'",
        "elisions[1].omitted: a passage is omitted (between), but segments[1], before the marker, was not found in"
        " the original")
    overlap = ("segments overlap: the segment after the marker quotes words of the original that the one before it"
               " quotes too")

    def swap(doc: dict[str, Any]) -> None:
        first, second = doc["segments"][0], doc["segments"][1]
        first["source_start"], first["source_end"], second["source_start"], second["source_end"] = (
            second["source_start"], second["source_end"], first["source_start"], first["source_end"])
        second["in_order"] = False
        doc["out_of_order"] = [[0, 1]]
        doc["elisions"][0].update(omitted=None, omitted_reason=overlap)

    found = report(Archive(packaged).edit_doc("a", swap), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[0]: omitted_reason {show(overlap)}, but segments[1] after the marker (source"
                      " 96-238) does not follow segments[0] before it (source 378-575) in the original: alignment"
                      " gives 'segments out of order: the segment after the marker comes before the one preceding"
                      " it in the original'",
        "elisions[1].omitted: characters 575-713, but the conversion text from the end of segments[1] (238) to the"
        " start of segments[2] (713), white space trimmed, is 238-713")


def test_in_order_false_on_a_segment_in_order(archive: Archive, tmp_path: Path, merges: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """in_order false (out_of_order to match) on segments that follow the one found before them, or that have
    none found before them."""
    def change(doc: dict[str, Any]) -> None:
        doc["segments"][0]["in_order"] = doc["segments"][1]["in_order"] = False
        doc["out_of_order"] = [[0, 0], [0, 1]]

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "segments[0]: in_order is false, but no segment before it was found in the original",
        "segments[1]: in_order is false, but its source 378-575 starts at or after the end (238) of the segment"
        " found before it")


def test_a_scope_that_is_not_where_the_segments_are(packaged: bytes, archive: Archive, tmp_path: Path,
                                                    merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """paragraph-end on a cut with segments on both sides; between on the cut that ends the quote."""
    found = report(archive.edit_doc("a", lambda doc: doc["elisions"][0].update(omitted_scope="paragraph-end")),
                   tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "elisions[0]: omitted_scope 'paragraph-end', but segments with words lie on both sides of the"
                      " marker (expected 'between')")
    edited = Archive(packaged).edit_doc("d", lambda doc: doc["elisions"][1].update(omitted_scope="between"))
    found = report(edited, tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        edited, "d", "elisions[1]: omitted_scope 'between', but segments with words lie before the marker and none"
                      " after it (expected 'paragraph-end')")


@pytest.fixture(scope="module")
def midway(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """e: a `...` with words on both sides of it inside its segment."""
    source = tmp_path_factory.mktemp("midway")
    (source / "originals").mkdir()
    shutil.copy(ORIGINALS / "declaration.html", source / "originals" / "decl.html")
    (source / "e.txt").write_text("We hold these truths to be self-evident, that all men are created equal ... that"
                                  " among these are Life, Liberty and the pursuit of Happiness.\n", encoding="utf-8")
    (source / "e.yaml").write_text(f"source_url: {DECLARATION}\noriginal: originals/decl.html\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "e.warc.gz"
    return package(source, out=out, date=DATE).warc_path.read_bytes()


def test_a_possible_marker_inside_a_segment(midway: bytes, tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The record gives the segment's whole source, not its pieces': a `...` inside it said to cut nothing,
    with a reason alignment gives, passes the default check (a made-up reason does not); --deep finds it."""
    elision = Archive(midway).doc("e")["elisions"][0]
    assert elision["kind"] == "possible" and elision["omitted"]["text"].startswith(", that they are endowed")
    nothing = "nothing omitted: the segments are adjacent in the original"
    edited = Archive(midway).edit_doc("e", lambda doc: doc["elisions"][0].update(
        omitted=None, omitted_reason=nothing, confirmed=False))
    assert report(edited, tmp_path, monkeypatch).problems == ()
    found = deep_report(edited, tmp_path, monkeypatch)
    assert [p.message.split(" is ")[0] for p in found.problems] == [
        "--deep: elisions[0].omitted", "--deep: elisions[0].omitted_reason", "--deep: elisions[0].confirmed"]
    found = report(Archive(midway).edit_doc("e", lambda doc: doc["elisions"][0].update(
        omitted=None, omitted_reason="the quoter marked no cut here", confirmed=False)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        edited, "e", "elisions[0]: omitted_reason 'the quoter marked no cut here' is none of the reasons alignment"
                     " gives (docs/format.md)")


def test_in_order_false_on_a_segment_in_pieces(midway: bytes, tmp_path: Path, merges: list[bool],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment's span covers all its pieces, so whether it follows the segment found before it is told
    whatever the `...` inside it."""
    def change(doc: dict[str, Any]) -> None:
        doc["segments"][0]["in_order"] = False
        doc["out_of_order"] = [[0, 0]]

    edited = Archive(midway).edit_doc("e", change)
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "e", "segments[0]: in_order is false, but no segment before it was found in the original")


MAYOR = ("The mayor said no. Then the council voted on the budget for the new school. Later the mayor said no. "
         "The council adjourned at noon and everyone went home.\n")
SHARED = "nothing omitted: a marker before it, with no word between them, omits the passage"


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """f: three markers with no word between them (`no. [...] [...]... everyone`), the last a possible one."""
    source = tmp_path_factory.mktemp("side")
    (source / "originals").mkdir()
    (source / "originals" / "mayor.txt").write_text(MAYOR, encoding="utf-8")
    (source / "f.txt").write_text("The mayor said no. [...] [...]... everyone went home.\n", encoding="utf-8")
    (source / "f.yaml").write_text("original: originals/mayor.txt\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "f.warc.gz"
    return package(source, out=out, date=DATE).warc_path.read_bytes()


def claimed_twice(doc: dict[str, Any]) -> None:
    """Each marker after the first given the first one's passage, as provpack before 0.6.0 wrote it."""
    first = doc["elisions"][0]
    for elision in doc["elisions"][1:]:
        elision.update(omitted=first["omitted"], omitted_reason=None,
                       confirmed=True if elision["kind"] == "possible" else None)


def test_markers_side_by_side_cut_one_passage(side_by_side: bytes, tmp_path: Path, merges: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The first of markers with no word between them omits the passage, the others nothing: sound, by default
    and with --deep; each of them claiming it, as provpack before 0.6.0 wrote them, is found (--deep finds it
    as well)."""
    archive = Archive(side_by_side)
    elisions = archive.doc("f")["elisions"]
    assert [(e["kind"], e["omitted"] and e["omitted"]["text"], e["omitted_reason"], e["confirmed"])
            for e in elisions] == [("bracketed", "The council adjourned at noon and", None, None),
                                   ("bracketed", None, SHARED, None), ("possible", None, SHARED, False)]
    assert report(archive, tmp_path, monkeypatch).problems == ()
    assert deep_report(archive, tmp_path, monkeypatch).problems == ()
    edited = Archive(side_by_side).edit_doc("f", claimed_twice)
    why = ("but the marker at characters 19-24 before it, with no word between them, omits the passage (characters"
           " 101-134 of the conversion text)")
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "f", f"elisions[1].omitted: a passage is omitted (between), {why}",
        f"elisions[2].omitted: a passage is omitted (between), {why}")
    assert [p.message.split(" is ")[0] for p in deep_report(edited, tmp_path, monkeypatch).problems] == [
        "elisions[1].omitted: a passage", "elisions[2].omitted: a passage", "--deep: elisions[1].omitted",
        "--deep: elisions[1].omitted_reason", "--deep: elisions[2].omitted", "--deep: elisions[2].omitted_reason",
        "--deep: elisions[2].confirmed"]


def test_markers_around_a_dash_with_the_excerpt_moved(tmp_path: Path, merges: list[bool],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`no. [...] — [...] everyone`: the dash between the markers holds no word, which only the excerpt's text
    tells. With the excerpt after its provenance record, before the conversion or after it, its words are read
    when it comes: the second marker claiming the passage too is found as in package's order."""
    source = tmp_path / "source"
    (source / "originals").mkdir(parents=True)
    (source / "originals" / "mayor.txt").write_text(MAYOR, encoding="utf-8")
    (source / "h.txt").write_text("The mayor said no. [...] — [...] everyone went home.\n", encoding="utf-8")
    (source / "h.yaml").write_text("original: originals/mayor.txt\n", encoding="utf-8")
    packaged = package(source, out=tmp_path / "out" / "h.warc.gz", date=DATE).warc_path.read_bytes()
    assert Archive(packaged).doc("h")["elisions"][1]["omitted_reason"] == SHARED
    said = [p.message for p in report(Archive(packaged).edit_doc("h", claimed_twice), tmp_path, monkeypatch).problems]
    assert said == ["elisions[1].omitted: a passage is omitted (between), but the marker at characters 19-24 before"
                    " it, with no word between them, omits the passage (characters 101-134 of the conversion text)"]
    for to in (None, 4):
        edited = moved_after(Archive(packaged).edit_doc("h", claimed_twice), "h", to)
        assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(edited, "h", *said)
        assert report(moved_after(Archive(packaged), "h", to), tmp_path, monkeypatch).problems == ()


BUDGET = "The budget was approved on Monday. Critics objected strongly to the plan.\n\nThe vote was close in the end.\n"


def four_dots(tmp_path: Path) -> bytes:
    """g: `Monday.... [...] The vote`, the `....` taking the sentence's full stop as its first dot."""
    source = tmp_path / "source"
    (source / "originals").mkdir(parents=True, exist_ok=True)
    (source / "originals" / "budget.txt").write_text(BUDGET, encoding="utf-8")
    (source / "g.txt").write_text("The budget was approved on Monday.... [...] The vote was close in the end.\n",
                                  encoding="utf-8")
    (source / "g.yaml").write_text("original: originals/budget.txt\n", encoding="utf-8")
    return package(source, out=tmp_path / "out" / "g.warc.gz", date=DATE, force=True).warc_path.read_bytes()


def test_a_four_dot_marker_quotes_the_full_stop(tmp_path: Path, merges: list[bool],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The first segment's source takes the original's full stop in (the marker's first dot stands for it) and
    the passage starts after it: sound by default (which judges both markers, from the segments' spans) and with
    --deep. A record whose passage still starts with the full stop is found; one written by the rule before
    (the segment's source and the passage both before the full stop) verifies by default as it did."""
    archive = Archive(four_dots(tmp_path))
    doc = archive.doc("g")
    assert [(s["source_start"], s["source_end"]) for s in doc["segments"]] == [(0, 34), (75, 105)]
    assert [(e["kind"], e["omitted"] and (e["omitted"]["text"], e["omitted"]["start"], e["omitted"]["end"]),
             e["omitted_reason"]) for e in doc["elisions"]] == [
        ("possible", ("Critics objected strongly to the plan.", 35, 73), None), ("bracketed", None, SHARED)]
    assert report(archive, tmp_path, monkeypatch).problems == ()
    assert deep_report(archive, tmp_path, monkeypatch).problems == ()

    def full_stop_cut(doc: dict[str, Any]) -> None:
        omitted = doc["elisions"][0]["omitted"]
        omitted.update(text=". " + omitted["text"], start=33)
        omitted["oa:hasSelector"] = [{"@type": "oa:TextPositionSelector", "oa:end": 73, "oa:start": 33},
                                     {"@type": "oa:TextQuoteSelector", "oa:exact": omitted["text"],
                                      "oa:prefix": BUDGET[1:33], "oa:suffix": BUDGET[73:105]}]

    edited = Archive(four_dots(tmp_path)).edit_doc("g", full_stop_cut)
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "g", "elisions[0].omitted: characters 33-73, but the conversion text from the end of segments[0] (34)"
                     " to the start of segments[1] (75), white space trimmed, is 35-73")
    monkeypatch.setattr(align_module, "_full_stops", lambda excerpt, pieces, elisions: [False] * len(pieces))
    before = Archive(four_dots(tmp_path))
    assert [s["source_end"] for s in before.doc("g")["segments"]] == [33, 105]
    assert before.doc("g")["elisions"][0]["omitted"]["text"] == ". Critics objected strongly to the plan."
    assert report(before, tmp_path, monkeypatch).problems == ()


def test_markers_side_by_side_before_0_6_0_each_cut_the_passage(side_by_side: bytes, tmp_path: Path,
                                                                merges: list[bool],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A record provpack 0.5.0 wrote, each marker claiming the passage, verifies as it did; the same record with
    the passage given once is not what 0.5.0's aligner wrote."""
    def older(doc: dict[str, Any]) -> None:
        doc["generator"] = "provpack 0.5.0"

    edited = Archive(side_by_side).software("provpack/0.5.0").edit_doc("f", older).edit_doc("f", claimed_twice)
    assert report(edited, tmp_path, monkeypatch).problems == ()
    edited = Archive(side_by_side).software("provpack/0.5.0").edit_doc("f", older)
    passage = ("characters 101-134 of the conversion text, from the end of segments[0] (100) to the start of"
               " segments[1] (135), white space trimmed, hold words: 'The council adjourned at noon and'")
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "f", f"elisions[1]: omitted is null (omitted_reason {SHARED!r}), but {passage}",
        f"elisions[2]: omitted is null (omitted_reason {SHARED!r}), but {passage}")


def test_a_marker_beside_one_not_told(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """`said no... [...]`, the `...` inside a segment of two pieces (what it cut is not told): the `[...]` may omit
    nothing for the `...` has the passage, but no other reason passes."""
    source = tmp_path / "source"
    (source / "originals").mkdir(parents=True)
    (source / "originals" / "mayor.txt").write_text(MAYOR, encoding="utf-8")
    (source / "g.txt").write_text("The mayor ... said no... [...] everyone went home.\n", encoding="utf-8")
    (source / "g.yaml").write_text("original: originals/mayor.txt\n", encoding="utf-8")
    archive = Archive(package(source, out=tmp_path / "out" / "g.warc.gz", date=DATE).warc_path.read_bytes())
    assert archive.doc("g")["elisions"][2]["omitted_reason"] == SHARED
    assert report(archive, tmp_path, monkeypatch).problems == ()
    nothing = "nothing omitted: the segments are adjacent in the original"
    edited = Archive(archive.data()).edit_doc("g", lambda doc: doc["elisions"][2].update(omitted_reason=nothing))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "g", f"elisions[2]: omitted is null (omitted_reason {nothing!r}), but characters 99-134 of the"
                     " conversion text, from the end of segments[0] (99) to the start of segments[1] (135), white space"
                     " trimmed, hold words: '. The council adjourned at noon and'")


@pytest.mark.parametrize(("generator", "once"), [
    ("provpack 0.4.0", False), ("provpack 0.5.3", False), ("provpack 0.6.0", True), ("provpack 0.6.0.dev1", True),
    ("provpack 0.10.0", True), (None, True)])
def test_which_generators_give_a_passage_once(generator: str | None, once: bool) -> None:
    """Since 0.6.0 markers with no word between them cut one passage; a record naming no generator gets that rule."""
    assert origcheck._once(generator) is once


def moved(doc: dict[str, Any], index: int, text: str, start: int, end: int) -> None:
    """An elision's passage moved to text[start:end], its selectors to match."""
    passage = doc["elisions"][index]["omitted"]
    passage.update(text=text[start:end], start=start, end=end)
    passage["oa:hasSelector"] = [
        {"@type": "oa:TextPositionSelector", "oa:start": start, "oa:end": end},
        {"@type": "oa:TextQuoteSelector", "oa:exact": text[start:end],
         "oa:prefix": text[max(0, start - 32):start], "oa:suffix": text[end:end + 32]}]


def test_a_cut_to_a_paragraph_end_shortened(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The passage of a cut ending the quote made to stop early (a bracketed one, and a `...`): it runs to the
    end of the paragraph."""
    conversion = conversion_text(archive)
    found = report(archive.edit_doc("d", lambda doc: moved(doc, 1, conversion, 840, 899)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "d", "elisions[1].omitted: characters 840-899, but the conversion text from the end of segments[1]"
                      " (840) to the end of its paragraph (1469), white space trimmed, is 840-1468")
    found = report(Archive(packaged).edit_doc("a", lambda doc: moved(doc, 2, conversion, 781, 1468)), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "elisions[2].omitted: characters 781-1468, but the conversion text from the end of segments[2]"
                      " (779) to the end of its paragraph (1469), white space trimmed, is 779-1468")


def test_a_punctuation_passage_where_nothing_was_cut(archive: Archive, tmp_path: Path, merges: list[bool],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """segments[1] moved up to the comma after segments[0], the passage between made that comma: alignment
    gives no passage where there are no words."""
    conversion = conversion_text(archive)
    assert conversion[238] == ","

    def change(doc: dict[str, Any]) -> None:
        doc["segments"][1]["source_start"] = 240
        moved(doc, 0, conversion, 238, 239)

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "elisions[0].omitted: a passage is omitted (between), but characters 238-239 of the conversion"
                      " text, from the end of segments[0] (238) to the start of segments[1] (240), white space"
                      " trimmed, hold no words: ','")


def test_segment_sources(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A source span starting on white space, out of the text, not in order, of the wrong shape, missing."""
    conversion = conversion_text(archive)
    segments = archive.doc("a")["segments"]
    assert conversion[95] == "\n"
    found = report(archive.edit_doc("a", lambda doc: doc["segments"][0].update(source_start=95)), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"segments[0]: source 95-238 of the conversion text is {show(conversion[95:238])}, which starts"
                      " or ends with white space")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["segments"][1].update(
        source_end=len(conversion) + 1)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"segments[1]: source 378-1470 is outside the conversion text (0-{len(conversion)})",
        f"segments[2]: in_order is true, but its source 713-{segments[2]['source_end']} starts before the end (1470)"
        " of the segment found before it, with words between",
        "elisions[1].omitted: characters 575-713, but the conversion text from the end of segments[1] (1470) to the"
        " start of segments[2] (713), white space trimmed, is 1469-1469")
    course = conversion.index("Course")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["segments"][2].update(source_start=course)),
                   tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"segments[2]: in_order is true, but its source {course}-{segments[2]['source_end']} starts before the end"
        " (575) of the segment found before it, with words between",
        f"elisions[1].omitted: a passage is omitted (between), but segments[2] after the marker (source {course}-"
        f"{segments[2]['source_end']}) does not follow segments[1] before it (source 378-575) in the original")

    def shapes(doc: dict[str, Any]) -> None:
        doc["segments"][0].update(source_start=None)
        doc["segments"][1].update(in_order="yes")
        del doc["segments"][2]["source_end"]

    found = report(Archive(packaged).edit_doc("a", shapes), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        "segments[0]: source_start None and source_end 238 are not both null or a span of characters (start before"
        " end)",
        "segments[1]: in_order 'yes' is not true or false",
        "segments[2] has no source_end (an aligned original gives each segment them)",
        "elisions[0].omitted: a passage is omitted (between), but no segment before the marker was found in the"
        " original",
        "elisions[1].omitted: a passage is omitted (between), but no segment after the marker was found in the"
        " original")


def test_segment_moved_with_the_passages_next_to_it(archive: Archive, tmp_path: Path, merges: list[bool],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """segments[1] of a moved later: the passage before it is no longer what lies between it and segments[0]."""
    def change(doc: dict[str, Any]) -> None:
        doc["segments"][1]["source_start"] += 4

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "elisions[0].omitted: characters 238-377, but the conversion text from the end of segments[0]"
                      " (238) to the start of segments[1] (382), white space trimmed, is 238-382")


def test_out_of_order(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    found = report(archive.edit_doc("a", lambda doc: doc.update(out_of_order=[[0, 1]])), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "out_of_order names segments [1] as out of order, but those with in_order false are []")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc.update(out_of_order=[[0, 7]])), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "out_of_order [[0, 7]] is not a list of [earlier, later] segment indexes")

    def unfound(doc: dict[str, Any]) -> None:
        doc["segments"][2].update(source_start=None, source_end=None, in_order=False)
        doc["out_of_order"] = [[1, 2]]

    found = report(Archive(packaged).edit_doc("a", unfound), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", "segments[2]: in_order is false, but the segment was not found in the original",
        "elisions[1].omitted: a passage is omitted (between), but segments[2], after the marker, was not found in the"
        " original",
        "elisions[2].omitted: a passage is omitted (paragraph-end), but segments[2], before the marker, was not found"
        " in the original")


def test_differences(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    difference = archive.doc("d")["differences"][0]
    assert difference == {"excerpt": "People", "source": "Men", "start": 183, "end": 189, "source_start": 776,
                          "source_end": 779, "kind": "changed", "segment": 1}
    conversion = conversion_text(archive)

    def change(doc: dict[str, Any]) -> None:
        doc["differences"][0]["source_start"] = 775
        doc["differences"].append(dict(difference, excerpt="Persons", source="", kind="added"))
        doc["differences"].append(dict(difference, segment=0, kind="altered"))

    found = report(archive.edit_doc("d", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "d",
        "differences[0]: source 'Men' is not the 4 characters 775-779",
        "differences[1]: excerpt 'Persons' but characters 183-189 of the excerpt are 'People'",
        "differences[1]: source '' is not the 3 characters 776-779",
        "differences[2]: kind 'altered' is not one of changed, added, dropped, case",
        "differences[2]: characters 183-189 are not inside segments[0] (0-143)",
        f"differences[0]: source 'Men' but characters 775-779 of the conversion text are {conversion[775:779]!r}",
        "differences[1]: source '' but characters 776-779 of the conversion text are 'Men'")
    found = report(Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update(source="Man")), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "d", "differences[0]: source 'Man' but characters 776-779 of the conversion text are 'Men'")
    for kind, empty in (("added", "source"), ("dropped", "excerpt")):
        found = report(Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update(kind=kind)), tmp_path,
                       monkeypatch)
        value = difference[empty]
        assert problems(found) == mismatches(
            archive, "d", f"differences[0]: a {kind} difference with {empty} {value!r} (empty in one)")
    found = report(Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update(
        excerpt="", end=183)), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "d", "differences[0]: a changed difference with excerpt '' (not empty in one)")
    found = report(Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update(
        start=182, excerpt=" People")), tmp_path, monkeypatch)
    assert problems(found) == []   # (a word and the space before it, inside the segment: as the excerpt has them)
    found = report(Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update(start=-1)), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "d", "differences[0]: start -1, end 189, source_start 776, source_end 779, excerpt and source are not"
                      f" spans and their texts (the excerpt has {len(D_TEXT)} characters)")


def test_omitted_passages_and_differences_of_the_wrong_shape(packaged: bytes, archive: Archive, tmp_path: Path,
                                                             merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    conversion = conversion_text(archive)

    def change(doc: dict[str, Any]) -> None:
        doc["elisions"][0]["omitted"] = "cut"
        doc["elisions"][1]["omitted"].update(start="575")
        doc["elisions"][2]["omitted"]["oa:hasSelector"] = None
        doc["differences"] = ["changed"]

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    passage = archive.doc("a")["elisions"][1]["omitted"]["text"]
    assert problems(found) == mismatches(
        archive, "a", "elisions[0].omitted 'cut' is not an object or null",
        f"elisions[1].omitted: text {show(passage)}, start '575', end 713 are not a text and its span",
        "elisions[2].omitted: oa:hasSelector None is not a list of selectors",
        "differences[0] is not an object")
    end = len(conversion) + 5
    shifted = conversion[len(conversion) - 5:] + "     "

    def beyond(doc: dict[str, Any]) -> None:   # (its own selectors agree)
        doc["elisions"][2]["omitted"].update(text=shifted, start=len(conversion), end=end)
        doc["elisions"][2]["omitted"]["oa:hasSelector"][0].update({"oa:start": len(conversion), "oa:end": end})
        doc["elisions"][2]["omitted"]["oa:hasSelector"][1]["oa:exact"] = shifted

    found = report(Archive(packaged).edit_doc("a", beyond), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a", f"elisions[2].omitted: text {shifted!r} is not the 5 characters {len(conversion)}-{end},"
                      " trimmed of white space",
        f"elisions[2].omitted: characters {len(conversion)}-{end} are outside the conversion text"
        f" (0-{len(conversion)})")


def test_a_conversion_that_is_not_utf8(archive: Archive, tmp_path: Path, merges: list[bool],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    archive.edit_record("conversion", "urn:provpack:sha256:" + hashlib.sha256(
        (ORIGINALS / "gettysburg.txt").read_bytes()).hexdigest(), lambda head, block: (head, b"\xff" + block[1:]))
    found = report(archive, tmp_path, monkeypatch)
    original = archive.doc("b")["original"]
    actual = hashlib.sha256(b"\xff" + (ORIGINALS / "gettysburg.txt").read_bytes()[1:]).hexdigest()
    assert problems(found) == mismatches(
        archive, "b", f"original.text_sha256 {original['text_sha256']!r} but the conversion record"
                      f" {original['conversion_record_id']} block hashes to {actual}",
        f"the conversion record {original['conversion_record_id']} block is not valid UTF-8 at byte 0")


# -- the records original names ---------------------------------------------------------------------


def test_source_digest_and_length(archive: Archive, tmp_path: Path, merges: list[bool],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    original = archive.doc("a")["original"]

    def change(doc: dict[str, Any]) -> None:
        doc["original"].update(sha256="0" * 64, length_bytes=2411)

    found = report(archive.edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"original.sha256 '{'0' * 64}' but the source record {original['record_id']} block hashes to"
        f" {original['sha256']}",
        f"original.length_bytes 2411 but the source record {original['record_id']} block has 2410 bytes")


def test_text_digest_and_length(archive: Archive, tmp_path: Path, merges: list[bool],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    original = archive.doc("d")["original"]
    found = report(archive.edit_doc("d", lambda doc: doc["original"].update(text_sha256="1" * 64, length_chars=1470)),
                   tmp_path, monkeypatch)
    conversion = original["conversion_record_id"]
    assert problems(found) == mismatches(
        archive, "d",
        f"original.text_sha256 '{'1' * 64}' but the conversion record {conversion} block hashes to"
        f" {original['text_sha256']}",
        f"original.length_chars 1470 but the conversion record {conversion} text has 1469 characters")


def test_the_archived_original_edited(archive: Archive, tmp_path: Path, merges: list[bool],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The source record's bytes changed, its digests recomputed: both provenance records that name it say so."""
    archive.edit_record("resource", DECLARATION, lambda head, block: (head, block.replace(b"Course", b"course")))
    found = report(archive, tmp_path, monkeypatch)
    original = archive.doc("a")["original"]
    actual = hashlib.sha256(split_record(archive.record("resource", DECLARATION))[1]).hexdigest()
    message = (f"original.sha256 '{original['sha256']}' but the source record {original['record_id']} block"
               f" hashes to {actual}")
    assert problems(found) == mismatches(archive, "a", message) + mismatches(archive, "d", message)


def test_the_conversion_edited(archive: Archive, tmp_path: Path, merges: list[bool],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The extracted text changed (same length), digests recomputed: its digest and a passage say so."""
    archive.edit_record("conversion", DECLARATION, lambda head, block: (head, block.replace(b"powers", b"rulers")))
    found = report(archive, tmp_path, monkeypatch)
    original = archive.doc("a")["original"]
    actual = hashlib.sha256(split_record(archive.record("conversion", DECLARATION))[1]).hexdigest()
    passages = [archive.doc("a")["elisions"][0]["omitted"], archive.doc("a")["elisions"][2]["omitted"],
                archive.doc("d")["elisions"][1]["omitted"]]
    said = [f"elisions[{index}].omitted: text {show(passage['text'])} but characters {passage['start']}-"
            f"{passage['end']} of the conversion text are {show(passage['text'].replace('powers', 'rulers'))}"
            for index, passage in zip((0, 2, 1), passages)]
    digest = (f"original.text_sha256 '{original['text_sha256']}' but the conversion record"
              f" {original['conversion_record_id']} block hashes to {actual}")
    assert problems(found) == (mismatches(archive, "a", digest, said[0], said[1])
                               + mismatches(archive, "d", digest, said[2]))


def test_records_of_the_wrong_type_target_or_link(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    original = archive.doc("a")["original"]
    excerpt = header(archive.record("resource", "urn:provpack:sha256:" + hashlib.sha256(B_TEXT.encode()).hexdigest()),
                     "WARC-Record-ID")

    def change(doc: dict[str, Any]) -> None:   # (a's records come after it, d's before)
        doc["original"]["conversion_record_id"] = doc["original"]["record_id"]
        for elision in doc["elisions"]:
            if elision["omitted"] is not None:
                elision["omitted"]["record_id"] = doc["original"]["record_id"]
        doc["original"]["target_uri"] = "https://example.org/"
        for elision in doc["elisions"]:
            if elision["omitted"] is not None:
                elision["omitted"]["oa:hasSource"]["@id"] = "https://example.org/"

    edited = Archive(packaged).edit_doc("a", change).edit_doc("d", change)
    found = report(edited, tmp_path, monkeypatch)
    wrong = [f"original.target_uri 'https://example.org/' but the record original.record_id {original['record_id']}"
             f" names has WARC-Target-URI '{DECLARATION}'",
             f"original.conversion_record_id {original['record_id']} names a resource record, not a conversion"
             " record"]
    assert problems(found) == mismatches(edited, "a", *wrong) + mismatches(edited, "d", *wrong)

    found = report(Archive(packaged).edit_doc("d", lambda doc: doc["original"].update(record_id=excerpt)),
                   tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "d",
        f"original.target_uri '{DECLARATION}' but the record original.record_id {excerpt} names has WARC-Target-URI"
        f" 'urn:provpack:sha256:{hashlib.sha256(B_TEXT.encode()).hexdigest()}'",
        f"original.sha256 '{original['sha256']}' but the source record {excerpt} block hashes to"
        f" {hashlib.sha256(B_TEXT.encode()).hexdigest()}",
        f"original.length_bytes 2410 but the source record {excerpt} block has {len(B_TEXT.encode())} bytes",
        f"original.record_id {excerpt!r} but the conversion record {original['conversion_record_id']} has"
        f" WARC-Refers-To {original['record_id']!r}")


@pytest.mark.parametrize("generator", ["provpack 0.6.0", "provpack 0.5.2", "otherwriter 1.0", None])
def test_the_conversion_of_a_content_urn_original_has_the_urn_of_its_own_text(
        packaged: bytes, generator: str | None, tmp_path: Path, merges: list[bool],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """b's original has no source_url: since 0.6.0 its conversion is filed under the URN of its own text, not the
    original's (a content URN names its record's bytes; under the original's, pywb's `wb-manager add` replayed the
    text for the original's bytes). A provpack before 0.6.0 wrote the original's URN, which WARC 1.1 (a conversion's
    target is its source's) allows another writer, or a record that names no generator, too."""
    original = Archive(packaged).doc("b")["original"]
    own, source = f"urn:provpack:sha256:{original['text_sha256']}", original["target_uri"]

    def generated(doc: dict[str, Any]) -> None:
        if generator is None:
            del doc["generator"]
        else:
            doc["generator"] = generator

    def written(archive: Archive) -> Archive:   # (every record's generator, and the warcinfo's software, agree)
        archive.software({"provpack 0.6.0": "provpack/0.6.0", "provpack 0.5.2": "provpack/0.5.2"}.get(
            generator or "", "otherwriter/1.0"))
        for name in "abcd":
            archive.edit_doc(name, generated)
        return archive

    def retarget(target: str) -> Callable[[bytes, bytes], tuple[bytes, bytes]]:
        return lambda head, block: (head.replace(f"WARC-Target-URI: {own}\r".encode(),
                                                 f"WARC-Target-URI: {target}\r".encode()), block)

    as_packaged = written(Archive(packaged))
    assert header(as_packaged.record("conversion", own), "WARC-Refers-To") == original["record_id"]
    elsewhere = "https://example.org/"
    wrong = {target: f"original.target_uri '{source}' is a content URN, so the conversion record"
                     f" original.conversion_record_id {original['conversion_record_id']} names must have the URN of"
                     f" its own text, {own}, {{}} but has WARC-Target-URI '{target}'" for target in (source, elsewhere)}
    older = generator == "provpack 0.5.2"
    for target in (own, source, elsewhere):
        found = report(written(Archive(packaged)).edit_record("conversion", own, retarget(target)), tmp_path,
                       monkeypatch)
        if older:
            said = ([] if target == source else [
                f"original.target_uri '{source}' but the record original.conversion_record_id"
                f" {original['conversion_record_id']} names has WARC-Target-URI '{target}'"])
        elif generator == "provpack 0.6.0":
            said = [] if target == own else [wrong[target].format("(as provpack writes it since 0.6.0)")]
        else:
            said = [] if target in (own, source) else [wrong[target].format("or its source's (as WARC 1.1 says)")]
        assert problems(found) == mismatches(as_packaged, "b", *said), target


def test_a_named_record_that_is_another_kind_of_record(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A record id of the file that names no record of an original (here a provenance record's own)."""
    named = archive.metadata_id("a")
    found = report(archive.edit_doc("d", lambda doc: doc["original"].update(conversion_record_id=named)), tmp_path,
                   monkeypatch)
    assert problems(found)[-1:] == mismatches(
        archive, "d", f"original.conversion_record_id {named} names an earlier record that is not a conversion record"
                      f" (or is more than {origcheck.KEEP_RECORDS} such records back)")
    found = report(Archive(packaged).edit_doc("a", lambda doc: doc["original"].update(
        conversion_record_id=archive.metadata_id("d"))), tmp_path, monkeypatch)
    assert problems(found)[-1:] == mismatches(
        archive, "a", f"original.conversion_record_id {archive.metadata_id('d')} names no conversion record in this"
                      " file")


def test_the_conversion_refers_to_another_record(archive: Archive, tmp_path: Path, merges: list[bool],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    original = archive.doc("a")["original"]
    archive.edit_record("conversion", DECLARATION, lambda head, block: (
        head.replace(original["record_id"].encode(), b"<urn:uuid:elsewhere>"), block))
    found = report(archive, tmp_path, monkeypatch)
    message = (f"original.record_id {original['record_id']!r} but the conversion record"
               f" {original['conversion_record_id']} has WARC-Refers-To '<urn:uuid:elsewhere>'")
    assert problems(found) == mismatches(archive, "a", message) + mismatches(archive, "d", message)


# -- memory -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["KEEP_RECORDS", "KEEP_BUDGET"])
def test_records_of_originals_are_let_go_beyond_the_limits(limit: str, archive: Archive, tmp_path: Path,
                                                           merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Of the records that came, the last KEEP_RECORDS (texts up to KEEP_BUDGET bytes) are kept: with room
    for one, d finds a's conversion gone (b's came after it)."""
    monkeypatch.setattr(origcheck, limit, 1 if limit == "KEEP_RECORDS" else 2000)
    found = report(archive, tmp_path, monkeypatch)
    conversion = archive.doc("d")["original"]["conversion_record_id"]
    assert problems(found) == mismatches(
        archive, "d", f"original.conversion_record_id {conversion} names an earlier record that is not a conversion"
                      f" record (or is more than {origcheck.KEEP_RECORDS} such records back)")


def test_an_extracted_text_too_large_to_keep(archive: Archive, tmp_path: Path, merges: list[bool],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A conversion block over the keep limit: its digest and the source's are checked, its text not (counted)."""
    monkeypatch.setattr(recordcheck, "KEEP_LIMIT", 1000)
    monkeypatch.setattr(quickread, "KEEP_LIMIT", 1000)
    archive.edit_doc("d", lambda doc: doc["differences"][0].update(source="Man"))
    found = report(archive, tmp_path, monkeypatch)
    assert problems(found) == []
    assert f"{origcheck.CHECKED_PART}: 3" in found.notes


def test_nothing_is_kept_without_originals() -> None:
    """An archive without originals: no record noted, no provenance record waiting."""
    from collections import Counter

    tracker = origcheck.OriginTracker(Counter(), lambda record_id: None)
    assert tracker.provenance(0, "<urn:x>", {"original": None}, set()) == []
    assert tracker.provenance(0, "<urn:x>", None, set()) == []
    assert not tracker.pending and not tracker._records


# -- a fetched original ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """An excerpt of a page fetched through a redirect, one of a PDF (no text), one of the page sent gzip-encoded
    and one of a page sent chunked: the archive and the page's URL."""
    source = tmp_path_factory.mktemp("fetched")
    with serve() as server:
        (source / "a.txt").write_text(A_TEXT, encoding="utf-8")
        (source / "a.yaml").write_text(f"source_url: {server.url('/redirect')}\n", encoding="utf-8")
        (source / "p.txt").write_text("A paper [...] in a PDF.\n", encoding="utf-8")
        (source / "p.yaml").write_text(f"source_url: {server.url('/paper.pdf')}\n", encoding="utf-8")
        (source / "g.txt").write_text(D_TEXT, encoding="utf-8")   # (the page sent gzip-encoded)
        (source / "g.yaml").write_text(f"source_url: {server.url('/gzip')}\n", encoding="utf-8")
        (source / "k.txt").write_text("Four score and seven years ago [...] on this continent.\n", encoding="utf-8")
        (source / "k.yaml").write_text(f"source_url: {server.url('/chunked')}\n", encoding="utf-8")   # (de-chunked)
        out = tmp_path_factory.mktemp("out") / "f.warc.gz"
        result = package(source, out=out, date=DATE, fetch=True, allow_private=True)
        return result.warc_path.read_bytes(), server.url("/page.html")


def test_a_record_taken_back_once_across_the_split(fetched: tuple[bytes, str], tmp_path: Path, merges: list[bool],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """p (a PDF: no text) disagrees with its excerpt, and its original's response is gone: p is not verified, taken
    off once (a read split between p's excerpt and p settles the first problem as it merges; the second, at the end
    of the file, takes nothing more)."""
    archive = Archive(fetched[0])
    response = archive.doc("p")["original"]["record_id"]
    archive.records = [raw for raw in archive.records if header(raw, "WARC-Record-ID") != response]
    archive.edit_doc("p", lambda doc: doc.update(sha256="0" * 64))
    found = report(archive, tmp_path, monkeypatch)
    excerpt = archive.doc("p")["record_id"]
    sha256 = hashlib.sha256(split_record(next(raw for raw in archive.records
                                              if header(raw, "WARC-Record-ID") == excerpt))[1]).hexdigest()
    assert problems(found) == mismatches(
        archive, "p", f"sha256 {'0' * 64} but the resource block hashes to {sha256}",
        f"original.record_id {response} names no response record in this file")
    assert (found.records, found.verified, found.unverified) == (len(archive.records), len(archive.records) - 1, 0)
    assert not CAN_SPLIT or True in merges


def test_a_fetched_original(fetched: tuple[bytes, str], tmp_path: Path, merges: list[bool],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The final response, its request and the conversion; a PDF's alignment keys absent."""
    data, page = fetched
    archive = Archive(data)
    assert report(archive, tmp_path, monkeypatch).problems == ()
    original = archive.doc("a")["original"]
    first = original["exchanges"][0]

    def change(doc: dict[str, Any]) -> None:
        doc["original"].update(request_record_id=first["request_record_id"])
        doc["original"]["exchanges"][-1]["request_record_id"] = first["request_record_id"]
        doc["original"]["exchanges"][-1]["response_record_id"] = first["response_record_id"]

    found = report(Archive(data).edit_doc("a", change), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"original.exchanges[-1].response_record_id {first['response_record_id']!r} is not original.record_id"
        f" {original['record_id']!r}",
        f"original.target_uri '{page}' but the record original.request_record_id {first['request_record_id']} names"
        f" has WARC-Target-URI '{first['url']}'")
    found = report(Archive(data).edit_doc("a", lambda doc: doc["original"].update(
        request_record_id=original["record_id"])), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "a",
        f"original.exchanges[-1].request_record_id {original['request_record_id']!r} is not"
        f" original.request_record_id {original['record_id']!r}",
        f"original.request_record_id {original['record_id']} names a response record, not a request record")
    found = report(Archive(data).edit_doc("a", lambda doc: doc["original"].update(exchanges=[])), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(archive, "a", "original.exchanges [] is not a list of exchanges")
    found = report(Archive(data).edit_doc("p", lambda doc: doc.update(differences=[{"kind": "added"}])), tmp_path,
                   monkeypatch)
    assert problems(found) == mismatches(
        archive, "p", "differences is [{'kind': 'added'}], not []: original.no_text says it has no text")
    found = report(Archive(data).edit_doc("p", lambda doc: doc["original"].update(
        record_id=original["request_record_id"])), tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        archive, "p",
        f"original.exchanges[-1].response_record_id {archive.doc('p')['original']['record_id']!r} is not"
        f" original.record_id {original['request_record_id']!r}",
        f"original.record_id {original['request_record_id']} names a request record, not a response record")


@pytest.mark.parametrize("reader", ["quick", "full"])
def test_original_status_is_the_response_s_status_line(fetched: tuple[bytes, str], tmp_path: Path, reader: str,
                                                        merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """original.status is the status in the final response's status line (package has written it so since it wrote
    `status`: the status http.client read from that line, or the line rebuilt from it); an error answer (400 to
    599) has no conversion. An edited status (a's 200 as its redirect's 302, or as 404; p's, of a PDF with no text,
    as a string) passed verify, and show printed it. The response read by the quick path or the full reader."""
    data, _ = fetched
    archive = Archive(data)
    original, pdf = archive.doc("a")["original"], archive.doc("p")["original"]
    assert (original["status"], original["exchanges"][0]["status"], pdf["status"]) == (200, 302, 200)

    def read(edited: Archive) -> Archive:
        if reader == "full":   # (a field never seen before in the response records: the quick path leaves them)
            edited.records = [raw.replace(b"\r\nContent-Length", b"\r\nX-Note: n\r\nContent-Length", 1)
                              if b"WARC-Type: response" in raw else raw for raw in edited.records]
        return edited

    assert report(read(Archive(data)), tmp_path, monkeypatch).problems == ()
    response, other = original["record_id"], pdf["record_id"]
    edited = read(Archive(data).edit_doc("a", lambda doc: doc["original"].update(status=302)))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", f"original.status 302 but the response record {response} has status 200 in its status line")
    edited = read(Archive(data).edit_doc("a", lambda doc: doc["original"].update(status=404)))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "original.status 404 is an error answer (400 to 599), which package archives with no conversion"
                     " (original.no_text says why), but the original is aligned with one",
        f"original.status 404 but the response record {response} has status 200 in its status line")
    edited = read(Archive(data).edit_doc("p", lambda doc: doc["original"].update(status="200")))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "p", f"original.status '200' but the response record {other} has status 200 in its status line")


@pytest.mark.parametrize(("head", "status"), [
    (b"HTTP/1.1 404 Not Found\r\n", 404), (b"HTTP/1.0 200\r\n", 200), (b"HTTP/1.1  503  Busy\r\n", 503),
    (b"HTTP/1.1 999 x\r\n", 999), (b"HTTP/1.1 099 x\r\n", None), (b"HTTP/1.1 2000 x\r\n", None),
    (b"HTTP/1.1 +20 x\r\n", None), (b"GET / HTTP/1.1\r\n", None), (b"", None), (b"HTTP/1.1\r\n200 OK\r\n", None),
    (b"HTTP/1.1 " + b" " * 1100 + b"200 OK\r\n", None), (b"HTTP/1.1" + b" " * 1013 + b"2001 x\r\n", None),
    (b"HTTP/1.1" + b" " * 1012 + b"200\n", 200)])
def test_response_status_reads_the_status_line_as_http_client(head: bytes, status: int | None) -> None:
    """The status code as http.client reads it from the line (white space between, three digits, 100 to 999);
    None when there is no such line in the bytes read (a line running on past them is not guessed at)."""
    assert origcheck.response_status(head[:origcheck.STATUS_PEEK]) == status


def test_a_status_line_is_read_up_to_the_bytes_peeked() -> None:
    """A code that ends the STATUS_PEEK bytes read (with nothing after it on the line) may run on past them: not read;
    one that ends a line one byte shorter is."""
    assert len((b"HTTP/1.1" + b" " * 1013 + b"200")) == origcheck.STATUS_PEEK
    assert origcheck.response_status(b"HTTP/1.1" + b" " * 1013 + b"200") is None
    assert origcheck.response_status(b"HTTP/1.1" + b" " * 1012 + b"200") == 200


def test_messages_are_capped_at_ten() -> None:
    """Ten disagreements are all said; of eleven, nine and how many more."""
    ten = [f"m{i}" for i in range(origcheck.MAX_MESSAGES)]
    assert origcheck._capped(ten) == ten
    assert origcheck._capped([*ten, "m10"]) == [*ten[:9], "... and 2 more disagreements"]


def test_a_digest_not_computed_is_not_compared() -> None:
    """A source or conversion record whose sha256 was not computed (another digest, a block not kept): its digest is
    not said to differ; its length and links still are."""
    original = {"how": "local", "record_id": "<urn:uuid:s>", "target_uri": "urn:x", "sha256": "ab" * 32,
                "length_bytes": 5, "conversion_record_id": "<urn:uuid:c>", "text_sha256": "cd" * 32,
                "length_chars": 3}
    parts = {"original": original, "segments": [], "elisions": [], "differences": []}
    source = origcheck.Record("resource", "<urn:uuid:s>", "urn:x", None, None, 6, None)
    assert origcheck.record_messages("record_id", "resource", parts, source) == (
        ["original.length_bytes 5 but the source record <urn:uuid:s> block has 6 bytes"], True)
    conversion = origcheck.Record("conversion", "<urn:uuid:c>", "urn:x", "<urn:uuid:t>", None, 3, None)
    assert origcheck.record_messages("conversion_record_id", "conversion", parts, conversion) == (
        ["original.record_id '<urn:uuid:s>' but the conversion record <urn:uuid:c> has WARC-Refers-To '<urn:uuid:t>'"],
        False)


def test_deep_reports_the_same(archive: Archive, tmp_path: Path) -> None:
    """--deep checks the alignment as the default does (what it adds is the excerpt's own reading)."""
    archive.edit_doc("a", lambda doc: doc["original"].update(length_chars=1))
    path = tmp_path / "o.warc.gz"
    path.write_bytes(archive.data())
    deep = _verify_path(path, jobs=1, deep=True)
    assert [p.message for p in deep.problems] == [
        f"original.length_chars 1 but the conversion record {archive.doc('a')['original']['conversion_record_id']}"
        " text has 1469 characters"]


def deep_report(archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FileReport:
    """The --deep report of one read, checked to be that of a two-part read split at every record."""
    data = archive.data()
    path = tmp_path / "o.warc.gz"
    path.write_bytes(data)
    serial = _verify_path(path, jobs=1, deep=True)
    if CAN_SPLIT:
        for split in [i for i in range(1, len(data)) if data.startswith(b"\x1f\x8b\x08\x00", i)]:
            monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
            assert _verify_path(path, jobs=2, deep=True) == serial, split
    return serial


def test_deep_aligns_again(archive: Archive, tmp_path: Path, merges: list[bool],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """--deep aligns each excerpt with its original's text again: the packaged archive agrees."""
    found = deep_report(archive, tmp_path, monkeypatch)
    assert found.problems == ()
    assert f"{origcheck.REALIGNED}: 3" in found.notes and f"{origcheck.REEXTRACTED}: 3" in found.notes
    assert not any(note.startswith((origcheck.NOT_REALIGNED, origcheck.NOT_REEXTRACTED)) for note in found.notes)


def test_deep_finds_an_alignment_rewritten_consistently(packaged: bytes, archive: Archive, tmp_path: Path,
                                                        merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """An alignment edited so that the archive alone cannot tell passes the default check; --deep's second
    alignment finds each edit."""
    doc = archive.doc("d")
    difference = doc["differences"][0]

    edited = Archive(packaged).edit_doc("d", lambda doc: doc.update(differences=[]))
    assert problems(report(edited, tmp_path, monkeypatch)) == []
    found = deep_report(edited, tmp_path, monkeypatch)
    want = json.dumps([difference], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert problems(found) == mismatches(
        archive, "d", f"--deep: differences is [] but aligning the excerpt with the original again gives {want}")


def test_deep_leaves_another_versions_alignment(packaged: bytes, tmp_path: Path, merges: list[bool],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A record another provpack version wrote is not aligned again, nor its original's text extracted again (its
    aligner and extractor may differ): counted."""
    edited = Archive(packaged).software("otherwriter/1.0").edit_doc(
        "d", lambda doc: doc.update(generator="provpack 0.0.1", differences=[]))
    found = deep_report(edited, tmp_path, monkeypatch)
    assert found.problems == ()
    assert f"{origcheck.REALIGNED}: 2" in found.notes and f"{origcheck.NOT_REALIGNED}: 1" in found.notes
    assert f"{origcheck.REEXTRACTED}: 2" in found.notes and f"{origcheck.NOT_REEXTRACTED}: 1" in found.notes


def forge_conversion(archive: Archive, target: str, old: str, new: str, *names: str) -> Archive:
    """The conversion of `target` with each `old` made `new` (as long: no offset moves), and the provenance
    records of `names` made to match: text_sha256, and each omitted passage with its quote selector."""
    assert len(old) == len(new)
    archive.edit_record("conversion", target, lambda head, block: (head, block.replace(old.encode(), new.encode())))
    digest = hashlib.sha256(split_record(archive.record("conversion", target))[1]).hexdigest()

    def change(doc: dict[str, Any]) -> None:
        doc["original"]["text_sha256"] = digest
        for elision in doc["elisions"]:
            passage = elision["omitted"]
            if passage is not None:
                passage["text"] = passage["text"].replace(old, new)
                for selector in passage["oa:hasSelector"]:
                    for key in ("oa:exact", "oa:prefix", "oa:suffix"):
                        if key in selector:
                            selector[key] = selector[key].replace(old, new)

    for name in names:
        archive.edit_doc(name, change)
    return archive


def test_deep_extracts_the_conversion_again(packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A conversion with words changed, its digest and the passages cut from it made to match, passes the
    default check; --deep extracts the text from the archived HTML again and names where it first differs,
    for each record naming it (a and d); a scope and charset that are not what extraction gives."""
    conversion = conversion_text(archive)
    original = archive.doc("a")["original"]
    forged = forge_conversion(Archive(packaged), DECLARATION, "Liberty", "Freedom", "a", "d")
    assert report(forged, tmp_path, monkeypatch).problems == ()
    at = conversion.index("Liberty")
    changed = conversion.replace("Liberty", "Freedom")
    message = (f"--deep: the conversion record {original['conversion_record_id']} text differs from extracting the"
               f" source record {original['record_id']} again at character {at}: {changed[at:at + 40]!r} but"
               f" extracting again gives {conversion[at:at + 40]!r} (of 1469 and 1469 characters)")
    found = deep_report(forged, tmp_path, monkeypatch)
    assert problems(found) == mismatches(forged, "a", message) + mismatches(forged, "d", message)
    assert f"{origcheck.REEXTRACTED}: 3" in found.notes

    def described(doc: dict[str, Any]) -> None:
        doc["original"]["scope"] = "body"
        doc["original"]["charset"]["source"] = "http"

    edited = Archive(packaged).edit_doc("d", described)
    charset = json.dumps(original["charset"], sort_keys=True)
    said = json.dumps(dict(original["charset"], source="http"), sort_keys=True)
    assert problems(deep_report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "d", f"--deep: original.scope is \"body\" but extracting the source record {original['record_id']}"
                     ' again gives "article"',
        f"--deep: original.charset is {said} but extracting the source record {original['record_id']} again gives"
        f" {charset}")


def test_deep_extracts_the_conversion_again_with_the_source_after_it(
        packaged: bytes, archive: Archive, tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """The source record moved after its conversion: the conversion is held until it comes, then extracted again
    (a forged one is found, as in package's order)."""
    def source_last(edited: Archive) -> Archive:
        records = edited.records
        at = next(i for i, raw in enumerate(records) if b"WARC-Type: resource" in raw
                  and f"WARC-Target-URI: {DECLARATION}\r".encode() in raw)
        records.append(records.pop(at))
        return edited

    found = deep_report(source_last(Archive(packaged)), tmp_path, monkeypatch)
    assert found.problems == () and f"{origcheck.REEXTRACTED}: 3" in found.notes
    conversion = conversion_text(archive)
    original = archive.doc("a")["original"]
    forged = source_last(forge_conversion(Archive(packaged), DECLARATION, "Liberty", "Freedom", "a", "d"))
    at = conversion.index("Liberty")
    message = (f"--deep: the conversion record {original['conversion_record_id']} text differs from extracting the"
               f" source record {original['record_id']} again at character {at}:"
               f" {conversion.replace('Liberty', 'Freedom')[at:at + 40]!r} but extracting again gives"
               f" {conversion[at:at + 40]!r} (of 1469 and 1469 characters)")
    assert problems(deep_report(forged, tmp_path, monkeypatch)) == (mismatches(forged, "a", message)
                                                                     + mismatches(forged, "d", message))


def test_deep_extracts_a_fetched_page_again(fetched: tuple[bytes, str], tmp_path: Path, merges: list[bool],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The final response's body after its HTTP head, gzip undone, de-chunked as stored: extracted again as
    package did; a forged conversion of the gzip-encoded page is found; a response too large to keep is not
    extracted again (counted)."""
    data, _ = fetched
    archive = Archive(data)
    found = deep_report(archive, tmp_path, monkeypatch)
    assert found.problems == () and f"{origcheck.REEXTRACTED}: 3" in found.notes
    original = archive.doc("g")["original"]
    assert original["content_encoding"] == "gzip"
    conversion = split_record(archive.record("conversion", original["target_uri"]))[1].decode("utf-8")
    forged = forge_conversion(Archive(data), original["target_uri"], "Liberty", "Freedom", "g")
    at = conversion.index("Liberty")
    assert problems(deep_report(forged, tmp_path, monkeypatch)) == mismatches(
        forged, "g", f"--deep: the conversion record {original['conversion_record_id']} text differs from extracting"
                     f" the source record {original['record_id']} again at character {at}:"
                     f" {conversion.replace('Liberty', 'Freedom')[at:at + 40]!r} but extracting again gives"
                     f" {conversion[at:at + 40]!r} (of {len(conversion)} and {len(conversion)} characters)")
    monkeypatch.setattr(recordcheck, "KEEP_LIMIT", 2000)   # (the conversions are kept, the page sent plain not)
    monkeypatch.setattr(quickread, "KEEP_LIMIT", 2000)
    found = deep_report(archive, tmp_path, monkeypatch)
    assert f"{origcheck.REEXTRACTED}: 2" in found.notes and f"{origcheck.NOT_REEXTRACTED}: 1" in found.notes


def test_deep_with_the_excerpt_after_its_provenance(packaged: bytes, archive: Archive, tmp_path: Path,
                                                    merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance record that comes before its excerpt is aligned again when the excerpt has come: a's, whose
    conversion comes after the excerpt, and d's, whose conversion came before (held until then); a hidden
    difference is found so too."""
    found = deep_report(moved_after(moved_after(Archive(packaged), "a"), "d"), tmp_path, monkeypatch)
    assert found.problems == ()
    assert f"{origcheck.REALIGNED}: 3" in found.notes and f"{origcheck.REEXTRACTED}: 3" in found.notes
    assert not any(note.startswith((origcheck.NOT_REALIGNED, origcheck.NOT_REEXTRACTED)) for note in found.notes)
    difference = archive.doc("d")["differences"][0]
    want = json.dumps([difference], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    hidden = Archive(packaged).edit_doc("d", lambda doc: doc.update(differences=[]))
    first = Archive(packaged).edit_doc("d", lambda doc: doc.update(differences=[]))
    first.records[1:1] = [first.records.pop(-1), first.records.pop(-1)]   # (d's provenance, its excerpt, then a...)
    for edited in (moved_after(hidden, "d"), first):
        assert problems(deep_report(edited, tmp_path, monkeypatch)) == mismatches(
            edited, "d", f"--deep: differences is [] but aligning the excerpt with the original again gives {want}")


def test_a_conversion_held_for_an_excerpt_over_the_budget(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A conversion that comes before the excerpt its provenance record waits for, with no room left to hold it,
    is checked without it: a problem after a warcinfo of provpack's (package writes the excerpt first), else
    counted as not aligned again."""
    monkeypatch.setattr(origcheck, "HOLD_BUDGET", 100)
    original = Archive(packaged).doc("d")["original"]
    edited = moved_after(Archive(packaged), "d")
    found = deep_report(edited, tmp_path, monkeypatch)
    assert problems(found) == mismatches(
        edited, "d", f"the conversion record {original['conversion_record_id']} comes before the excerpt record"
                     f" {Archive(packaged).doc('d')['record_id']}, which comes after this provenance record: package"
                     " writes an excerpt before its provenance record and a source before its conversion; with more"
                     " than 100 bytes of conversion texts held for others already, it is checked without it (the"
                     " records were moved)")
    assert f"{origcheck.NOT_REALIGNED}: 1" in found.notes
    found = deep_report(moved_after(Archive(packaged).software("otherwriter/1.0"), "d"), tmp_path, monkeypatch)
    assert found.problems == () and f"{origcheck.NOT_REALIGNED}: 1" in found.notes


def test_conversions_held_on_both_sides_of_a_split(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Room for either conversion held, not both: a's excerpt gone (its conversion held to the end), b's excerpt
    after its conversion finds no room (d left out). A split read whose second part held b's conversion, which the whole read
    does not, reads on (report() compares each split with the whole read)."""
    archive = Archive(packaged)
    sizes = [len(split_record(archive.record("conversion", target))[1])
             for target in (DECLARATION, archive.doc("b")["original"]["target_uri"])]
    monkeypatch.setattr(origcheck, "HOLD_BUDGET", max(sizes))
    edited = Archive(packaged)
    del edited.records[1]   # (a's excerpt)
    del edited.records[-2:]   # (d, whose original's records come before it: a split read across them reads on)
    moved_after(edited, "b", 7)   # (after its conversion)
    found = report(edited, tmp_path, monkeypatch)
    assert [p.message.partition(": package")[0] for p in found.problems] == [
        f"the conversion record {archive.doc('b')['original']['conversion_record_id']} comes before the excerpt record"
        f" {archive.doc('b')['record_id']}, which comes after this provenance record",
        f"provenance WARC-Refers-To {archive.doc('a')['record_id']} names no record in this file"]
    assert not CAN_SPLIT or (True in merges and False in merges)


def test_provcheck_says_the_alignment_messages() -> None:
    """provcheck.derived takes origcheck's messages on the record's own JSON (its one hook)."""
    doc = {"original": None, "differences": [1], "elisions": [], "segments": []}
    assert origcheck.alignment_messages(doc, "") == ["differences is [1], not []: original is null"]
    assert provcheck is not None


# -- archives an earlier provpack wrote -----------------------------------------------------------

OLDER = Path(__file__).parent / "data" / "aligned-0.3.0.warc.gz"   # provpack 0.3.0's (tests/data/README.md)
OLDER_SOURCE = Path(__file__).parent / "data" / "aligned-0.3.0"
# What provpack 0.3.0's verify reports of it (0.3.0 wrote a segment whose pieces are the other way round in the
# original with source_start after source_end, a real fault both verifies find).
OLDER_REVERSED = ("segments[0]: source_start 241 and source_end 240 are not both null or a span of characters"
                  " (start before end)")


def test_an_archive_provpack_0_3_0_wrote_is_reported_as_its_verify_reported(tmp_path: Path) -> None:
    """The fields of a record provpack 0.3.0 aligned follow its aligner's rules (its reasons, in_order per piece): the
    checks alike under both aligners run, alignment's rules do not (counted), and only what 0.3.0's verify reported
    is reported."""
    path = tmp_path / OLDER.name
    shutil.copy(OLDER, path)
    found = _verify_path(path, jobs=1)
    assert problems(found) == [(10557, "<urn:uuid:e9b290aa-20b0-57f1-b28e-b2626e141412>", "metadata-mismatch",
                                OLDER_REVERSED)]
    assert found.notes == (
        "gzip: 13 members", f"{origcheck.CHECKED}: 5", f"{origcheck.OLDER_RULES}: 5",
        "provpack provenance records checked: 5",
        f"no {OLDER.name}.sha256 beside it: WARC header values (WARC-Date and the like), gzip headers, the order of"
        " records and whether whole records were removed are unchecked")
    assert (found.records, found.verified) == (13, 12)
    archive = Archive(OLDER.read_bytes())
    assert {archive.doc(name)["generator"] for name in ("a_order", "b_twice", "c_midword", "d_apostrophe",
                                                        "e_possible")} == {"provpack 0.3.0"}


def test_an_earlier_archive_read_in_two_parts(tmp_path: Path, merges: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in two parts, split at every record: the same report, the record counted once."""
    archive = Archive(OLDER.read_bytes())
    found = report(archive, tmp_path, monkeypatch)
    assert problems(found) == mismatches(archive, "e_possible", OLDER_REVERSED)
    assert f"{origcheck.OLDER_RULES}: 5" in found.notes


def test_the_earlier_records_said_to_be_of_this_version_are_judged_by_its_rules(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same records with generator provpack 0.4.0 are judged by alignment's rules: 0.3.0's reasons are not
    this aligner's (so the generator is what spares them)."""
    archive = Archive(OLDER.read_bytes()).software("provpack/0.4.0")
    for name in ("a_order", "b_twice", "c_midword", "d_apostrophe", "e_possible"):
        archive.edit_doc(name, lambda doc: doc.update(generator="provpack 0.4.0"))
    old_reason = "'segments out of order: the segment after the marker comes before the one preceding it in the origina' (... 101 characters)"
    overlap = ("'segments overlap: the segment after the marker quotes words of the original that the one before it"
               " quotes too'")
    found = report(archive, tmp_path, monkeypatch)
    assert problems(found) == [
        *mismatches(archive, "b_twice", f"elisions[0]: omitted_reason {old_reason}, but segments[1] after the marker"
                                        f" (source 91-137) does not follow segments[0] before it (source 23-121) in the"
                                        f" original: alignment gives {overlap}"),
        *mismatches(archive, "c_midword", f"elisions[0]: omitted_reason {old_reason}, but segments[1] after the marker"
                                          f" (source 52-90) does not follow segments[0] before it (source 23-59) in"
                                          f" the original: alignment gives {overlap}"),
        *mismatches(archive, "e_possible", OLDER_REVERSED)]
    assert not any(note.startswith((origcheck.OLDER_RULES, origcheck.OTHER_RULES)) for note in found.notes)


def test_records_without_a_generator_are_judged_by_alignments_rules(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """A record that names no generator gets the newest rules (as its markers do, provcheck._marker_rule), not
    an earlier provpack's laxer ones: deleting the generator (in a file whose warcinfo is not provpack's, which
    would hold it to its own) hides no reason alignment does not give."""
    from provpack.provcheck import _NEWEST, _marker_rule

    assert origcheck.other_rules({}) is None and _marker_rule(None) == _NEWEST
    archive = Archive(OLDER.read_bytes()).software("otherwriter/1.2.0")
    for name in ("a_order", "b_twice", "c_midword", "d_apostrophe", "e_possible"):
        archive.edit_doc(name, lambda doc: doc.pop("generator"))
    found = report(archive, tmp_path, monkeypatch)
    assert [problem.record_id for problem in found.problems] == [
        archive.metadata_id(name) for name in ("b_twice", "c_midword", "e_possible")]
    assert all(problem.message.startswith("elisions[0]: omitted_reason 'segments out of order: ")
               for problem in found.problems[:2])
    assert not any(note.startswith((origcheck.OLDER_RULES, origcheck.OTHER_RULES)) for note in found.notes)


@pytest.mark.parametrize("generator", ["otherwriter 1.2.0", "provpack", "provpack next"])
def test_records_of_another_writer_are_checked_without_alignments_rules(
        generator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record whose generator is not provpack (in a file another writer made) is checked as an earlier
    provpack's, counted apart."""
    archive = Archive(OLDER.read_bytes()).software("otherwriter/1.2.0")
    for name in ("a_order", "b_twice", "c_midword", "d_apostrophe", "e_possible"):
        archive.edit_doc(name, lambda doc: doc.update(generator=generator))
    found = report(archive, tmp_path, monkeypatch)
    assert problems(found) == mismatches(archive, "e_possible", OLDER_REVERSED)
    assert f"{origcheck.OTHER_RULES}: 5" in found.notes
    assert not any(note.startswith(origcheck.OLDER_RULES) for note in found.notes)


@pytest.mark.parametrize(("generator", "note"), [
    ("provpack 0.3.0", origcheck.OLDER_RULES), ("provpack 0.3.10", origcheck.OLDER_RULES),
    ("provpack 0.3", origcheck.OLDER_RULES), ("provpack 0.1.0", origcheck.OLDER_RULES),
    ("provpack 0.4.0", None), ("provpack 0.4", None), ("provpack 0.10.0", None), ("provpack 1.0.0", None),
    ("provpack 0.4.1.dev3", None), ("provpack 0.4.0+local", None),
    ("provpack 0.3.0 extra", origcheck.OTHER_RULES), ("Provpack 0.4.0", origcheck.OTHER_RULES),
    ("", origcheck.OTHER_RULES), (None, None), (4, None)])
def test_which_rules_a_generator_follows(generator: object, note: str | None) -> None:
    """The generator compared as a version (0.10.0 after 0.4.0), not as text; none (or one that is not text) gets
    the newest rules, as provcheck's markers do (_marker_rule)."""
    assert origcheck.other_rules({"generator": generator}) == note


def test_the_same_excerpts_packaged_now_follow_alignments_rules(tmp_path: Path, merges: list[bool],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's excerpts packaged by this version: judged by alignment's rules (nothing counted apart), and
    sound (the pieces of e_possible's segment the original has the other way round no longer give a reversed
    span)."""
    source = tmp_path / "source"
    shutil.copytree(OLDER_SOURCE, source)
    packaged = package(source, out=tmp_path / "out" / "n.warc.gz", date=DATE).warc_path.read_bytes()
    archive = Archive(packaged)
    assert archive.doc("e_possible")["elisions"][0]["omitted_reason"] == (
        "text out of order: the text after the marker comes before the text preceding it in the original")
    assert archive.doc("b_twice")["elisions"][0]["omitted_reason"] == (
        "segments overlap: the segment after the marker quotes words of the original that the one before it quotes"
        " too")
    found = report(archive, tmp_path, monkeypatch)
    assert found.problems == ()
    assert f"{origcheck.CHECKED}: 5" in found.notes
    assert not any(note.startswith((origcheck.OLDER_RULES, origcheck.OTHER_RULES)) for note in found.notes)


def test_deep_leaves_an_earlier_archives_alignments(tmp_path: Path, merges: list[bool],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """--deep aligns again, and extracts again, only this version's records: 0.3.0's are counted, not compared."""
    archive = Archive(OLDER.read_bytes())
    found = deep_report(archive, tmp_path, monkeypatch)
    assert problems(found) == mismatches(archive, "e_possible", OLDER_REVERSED)
    for note in (f"{origcheck.NOT_REALIGNED}: 5", f"{origcheck.NOT_REEXTRACTED}: 5", f"{origcheck.OLDER_RULES}: 5"):
        assert note in found.notes
    assert not any(note.startswith((origcheck.REALIGNED, origcheck.REEXTRACTED)) for note in found.notes)


@pytest.mark.parametrize("generator", [[], {}, ["provpack 0.6.0"], 0.6, None])
def test_a_generator_that_is_no_text_names_no_provpack_and_breaks_no_conversion_target_rule(generator: object) -> None:
    """A hostile record's generator may be any JSON value: none is a version, and a list (unhashable) is no error."""
    assert origcheck.provpack_version(generator) is None
    original = {"target_uri": "urn:provpack:sha256:" + "a" * 64, "text_sha256": "B" * 64}
    assert origcheck.conversion_target({"generator": generator}, original) == ("urn:provpack:sha256:" + "b" * 64, True)


_PLAIN_GENERATOR = re.compile(r"provpack (\d+)\.(\d+)(?:\.(\d+))?(?:[.+-]?[0-9A-Za-z]+)*")   # (0.6.0's)
_GENERATOR_PIECES = list("0123456789.+-aZ! _\u0663") + ["dev", "rc", ".dev3", "+local"]


@given(st.one_of(
    st.lists(st.sampled_from(_GENERATOR_PIECES), max_size=14).map(lambda pieces: "provpack " + "".join(pieces)),
    st.builds(lambda major, minor, patch, rest: f"provpack {major}.{minor}{patch}{''.join(rest)}",
              st.integers(0, 999), st.integers(0, 999), st.sampled_from(["", ".", ".0", ".12"]),
              st.lists(st.sampled_from(_GENERATOR_PIECES), max_size=10))))
@example("provpack 0.6.0.dev3+local")
@example("provpack 1.2.3-")
@example("provpack 1.2.34..5")
def test_a_generator_names_the_version_the_plain_pattern_names(generator: str) -> None:
    """The version of a generator, read by its longest "provpack X.Y.Z" and a suffix checked by one class and a
    look-ahead, is the one the plain pattern (a group repeated) reads: the same groups, or none."""
    plain = _PLAIN_GENERATOR.fullmatch(generator)
    expected = None if plain is None else (int(plain[1]), int(plain[2]), int(plain[3] or 0))
    assert origcheck.provpack_version(generator) == expected


def test_a_generator_with_a_long_suffix_is_read_in_linear_time() -> None:
    """A hostile record's generator "provpack 0.6.0", 100,000 letters and a "!" is no version, found at once (in a
    fresh process, killed after 60 s): the plain pattern tried each split of the letters (22: 0.66 s, 40: two days)."""
    import subprocess

    code = ("from provpack.origcheck import provpack_version as v; "
            "print(v('provpack 0.6.0' + 'a' * 100_000 + '!'), v('provpack 0.6.0' + '.a1' * 100_000))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "None (0, 6, 0)\n"), done.stderr


def test_the_originals_own_east_asian_ellipsis_is_judged_by_the_aligner_that_wrote_the_record(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """A `……` ending the quote where the original's paragraph ends with one: since 0.6.0 "the original has the
    ellipsis itself"; provpack 0.5.0's aligner took one `…` only and wrote "nothing omitted", and its record still
    verifies; either reason said by the other version is a problem, word for word."""
    source = tmp_path / "source"
    (source / "o").mkdir(parents=True)
    (source / "o" / "t.txt").write_text("\u4ed6\u8bf4\u2026\u2026\n\n\u4e0b\u4e00\u6bb5\u3002\n", encoding="utf-8")
    (source / "t.txt").write_text("\u4ed6\u8bf4\u2026\u2026\n", encoding="utf-8")
    (source / "t.yaml").write_text("original: o/t.txt\n", encoding="utf-8")
    packaged = package(source, out=tmp_path / "out" / "t.warc.gz", date=DATE).warc_path.read_bytes()
    ellipsis = "the original has the ellipsis itself: not an elision"
    nothing = "nothing omitted before the end of the paragraph in the original"
    archive = Archive(packaged)
    assert archive.doc("t")["elisions"][0]["omitted_reason"] == ellipsis
    assert problems(report(archive, tmp_path, monkeypatch)) == []
    told = ("characters 2-4 of the conversion text, from the end of segments[0] (2) to the end of its paragraph (4),"
            " white space trimmed, hold no words: '\u2026\u2026'")
    older = Archive(packaged).software("provpack/0.5.0").edit_doc(
        "t", lambda doc: doc.update(generator="provpack 0.5.0") or doc["elisions"][0].update(omitted_reason=nothing))
    assert problems(report(older, tmp_path, monkeypatch)) == []
    said_newer = Archive(packaged).edit_doc("t", lambda doc: doc["elisions"][0].update(omitted_reason=nothing))
    assert problems(report(said_newer, tmp_path, monkeypatch)) == mismatches(
        said_newer, "t", f"elisions[0]: omitted_reason {nothing!r}, but {told}: alignment gives {ellipsis!r}")
    said_older = Archive(packaged).software("provpack/0.5.0").edit_doc(
        "t", lambda doc: doc.update(generator="provpack 0.5.0"))
    assert problems(report(said_older, tmp_path, monkeypatch)) == mismatches(
        said_older, "t", f"elisions[0]: omitted_reason {ellipsis!r}, but {told}: alignment gives {nothing!r}")


def test_a_target_in_angle_brackets_is_the_target_within_them(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """WARC 1.0 put a WARC-Target-URI in angle brackets: the original's source and conversion records so written name
    original.target_uri all the same; brackets on one side only, or none but a `<`, are another target."""
    def bracket(target: str) -> Callable[[bytes, bytes], tuple[bytes, bytes]]:
        return lambda head, block: (head.replace(f"WARC-Target-URI: {DECLARATION}\r".encode(),
                                                 f"WARC-Target-URI: {target}\r".encode()), block)

    bracketed = Archive(packaged).edit_record("resource", DECLARATION, bracket(f"<{DECLARATION}>"))
    bracketed.edit_record("conversion", DECLARATION, bracket(f"<{DECLARATION}>"))
    assert problems(report(bracketed, tmp_path, monkeypatch)) == []
    original = Archive(packaged).doc("a")["original"]
    for target in (f"<{DECLARATION}", f"{DECLARATION}>"):
        edited = Archive(packaged).edit_record("conversion", DECLARATION, bracket(target))
        said = (f"original.target_uri '{DECLARATION}' but the record original.conversion_record_id"
                f" {original['conversion_record_id']} names has WARC-Target-URI '{target}'")
        assert problems(report(edited, tmp_path, monkeypatch)) == (
            mismatches(edited, "a", said) + mismatches(edited, "d", said)), target


def test_entries_that_are_not_objects_in_an_aligned_record(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment or elision that is not an object is said to be none (provcheck) and left out of the alignment's
    checks, not taken for a malformed alignment; without the pieces (a segment not an object), a cut's passage is
    checked between the segments found, and one of the wrong shape is said once (its span)."""
    def entries(doc: dict[str, Any]) -> None:
        doc["segments"][1] = 5
        doc["elisions"][1] = "x"

    edited = Archive(packaged).edit_doc("a", entries)
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "segments[1] is not an object", "elisions[1] is not an object",
        "elisions[0].omitted: characters 238-377, but the conversion text from the end of segments[0] (238) to the"
        " start of segments[2] (713), white space trimmed, is 238-713")

    def unspanned(doc: dict[str, Any]) -> None:
        doc["segments"][1] = 5
        doc["elisions"][0]["omitted"].update(end=None)

    edited = Archive(packaged).edit_doc("a", unspanned)
    passage = Archive(packaged).doc("a")["elisions"][0]["omitted"]["text"]
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "segments[1] is not an object",
        f"elisions[0].omitted: text {show(passage)}, start 238, end None are not a text and its span",
        "elisions[1].omitted: characters 575-713, but the conversion text from the end of segments[0] (238) to the"
        " start of segments[2] (713), white space trimmed, is 238-713")


def test_an_aligned_original_without_a_target(packaged: bytes, tmp_path: Path, merges: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """original.target_uri null: said, and each record's target said not to be it (no content URN to look for)."""
    edited = Archive(packaged).edit_doc("b", lambda doc: doc["original"].update(target_uri=None))
    original = Archive(packaged).doc("b")["original"]
    urn = original["target_uri"]
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "b", "original.target_uri None is missing or not a string",
        f"elisions[0].omitted: oa:hasSource {{'@id': {urn!r}}} is not original.target_uri None",
        f"original.target_uri None but the record original.record_id {original['record_id']} names has"
        f" WARC-Target-URI {urn!r}",
        f"original.target_uri None but the record original.conversion_record_id {original['conversion_record_id']}"
        f" names has WARC-Target-URI {urn!r}")


def test_a_marker_of_an_unknown_kind_is_not_judged_by_alignments_rules(packaged: bytes, tmp_path: Path,
                                                                       merges: list[bool],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """An elision whose kind is neither bracketed nor possible: said (provcheck), and what it cut not judged (its
    scope here would be 'between')."""
    edited = Archive(packaged).edit_doc(
        "a", lambda doc: doc["elisions"][0].update(kind="guessed", omitted_scope="paragraph-end"))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "elisions[0]: kind 'guessed' is not 'bracketed' or 'possible'")


def test_an_omitted_passage_without_its_text_or_end(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A passage without an end, or without its text (its start moved too): said once, of its shape; its span is
    not compared with what the marker cut."""
    passage = Archive(packaged).doc("a")["elisions"][0]["omitted"]["text"]
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0]["omitted"].update(end=None))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", f"elisions[0].omitted: text {show(passage)}, start 238, end None are not a text and its span")
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0]["omitted"].update(text=None, start=239))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "elisions[0].omitted: text None, start 239, end 377 are not a text and its span")


def test_an_original_without_text_names_no_conversion_to_check(packaged: bytes, archive: Archive, tmp_path: Path,
                                                               merges: list[bool],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """original.no_text with a conversion_record_id: said not to be null, and the record it names not looked for
    (here the source record, which is no conversion)."""
    original = dict(archive.doc("a")["original"], no_text="cannot extract text from application/pdf")
    original["conversion_record_id"] = original["record_id"]
    edited = Archive(packaged).edit_doc("c", lambda doc: doc.update(original=original))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "c", *(f"original.{key} is {original[key]!r}, not null: original.no_text says it has no text"
                       for key in ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset")))


def test_deep_holds_a_conversion_until_its_excerpt_and_its_source_have_both_come(
        packaged: bytes, tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """a's provenance record, then its conversion, its source and its excerpt (package writes them the other way):
    the conversion is held until the last of them has come, then aligned and extracted again (not checked when
    the source has come, without the excerpt)."""
    moved = Archive(packaged)
    warcinfo, excerpt, provenance, source, conversion = moved.records[:5]
    moved.records[:5] = [warcinfo, provenance, conversion, source, excerpt]
    found = deep_report(moved, tmp_path, monkeypatch)
    assert found.problems == ()
    assert f"{origcheck.REALIGNED}: 3" in found.notes and f"{origcheck.REEXTRACTED}: 3" in found.notes
    assert not any(note.startswith((origcheck.NOT_REALIGNED, origcheck.NOT_REEXTRACTED)) for note in found.notes)


def another_writers(packaged: bytes, change: Callable[[dict[str, Any]], None]) -> Archive:
    """The archive as another writer's (its warcinfo and every record's generator), `change` made to a's record."""
    archive = Archive(packaged).software("otherwriter/1.0")
    for name in "abcd":
        archive.edit_doc(name, lambda doc: doc.update(generator="otherwriter 1.0"))
    return archive.edit_doc("a", change)


def test_fields_of_the_wrong_type_are_said_so(packaged: bytes, fetched: tuple[bytes, str], tmp_path: Path,
                                              merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """An elision that is not an object without an original, a count of characters or a status that is a string or
    a float, a difference's end or excerpt null, a selector that is not an object: each said of its shape, not as
    a malformed alignment."""
    edited = Archive(packaged).edit_doc("c", lambda doc: doc["elisions"].__setitem__(0, "x"))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(edited, "c", "elisions[0] is not an object")
    original = Archive(packaged).doc("a")["original"]
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["original"].update(length_chars="1469"))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "original.length_chars '1469' is not a count of characters",
        f"original.length_chars '1469' but the conversion record {original['conversion_record_id']} text has 1469"
        " characters")
    for key in ("end", "excerpt"):
        edited = Archive(packaged).edit_doc("d", lambda doc: doc["differences"][0].update({key: None}))
        end = "None" if key == "end" else "189"
        assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
            edited, "d", f"differences[0]: start 183, end {end}, source_start 776, source_end 779, excerpt and source"
                         " are not spans and their texts (the excerpt has 257 characters)"), key
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0]["omitted"]["oa:hasSelector"].append(5))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "elisions[0].omitted: oa:hasSelector holds ['oa:TextPositionSelector', 'oa:TextQuoteSelector',"
                     " None], not one oa:TextPositionSelector and one oa:TextQuoteSelector")
    data, _ = fetched
    response = Archive(data).doc("a")["original"]["record_id"]
    edited = Archive(data).edit_doc("a", lambda doc: doc["original"].update(status=200.0))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", f"original.status 200.0 but the response record {response} has status 200 in its status line")


def test_a_reason_given_with_a_passage_or_by_another_writer(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A reason beside an omitted passage is said to be one, not judged as a reason; another writer's reason for
    omitting nothing is not held to alignment's reasons."""
    edited = Archive(packaged).edit_doc("a", lambda doc: doc["elisions"][0].update(omitted_reason="because"))
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "elisions[0]: omitted_reason 'because', but a passage is omitted (expected null)")
    edited = another_writers(packaged, lambda doc: doc["elisions"][0].update(omitted=None, omitted_reason="because"))
    assert problems(report(edited, tmp_path, monkeypatch)) == []


def test_a_passage_to_the_end_of_the_text_is_compared_with_the_cut(packaged: bytes, tmp_path: Path,
                                                                   merges: list[bool],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A passage ending where the conversion text ends is a span inside it: compared with what the marker cut."""
    text = conversion_text(Archive(packaged))
    size = len(text)

    def to_the_end(doc: dict[str, Any]) -> None:
        omitted = doc["elisions"][2]["omitted"]
        omitted.update(start=780, end=size, text=text[780:])
        omitted["oa:hasSelector"][0].update({"oa:start": 780, "oa:end": size})
        omitted["oa:hasSelector"][1]["oa:exact"] = text[780:]

    edited = Archive(packaged).edit_doc("a", to_the_end)
    prefix = Archive(packaged).doc("a")["elisions"][2]["omitted"]["oa:hasSelector"][1]["oa:prefix"]
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", f"elisions[2].omitted: text {show(text[780:])} is not the {size - 780} characters 780-{size},"
                     " trimmed of white space",
        f"elisions[2].omitted: TextQuoteSelector prefix {prefix!r} is not the 32 characters of the conversion text"
        f" before character 780 ({text[748:780]!r})",
        f"elisions[2].omitted: TextQuoteSelector suffix '\\n' is not the 0 characters of the conversion text after"
        f" character {size} ('')",
        f"elisions[2].omitted: characters 780-{size}, but the conversion text from the end of segments[2] (779) to the"
        f" end of its paragraph ({size}), white space trimmed, is 779-{size - 1}")


def test_another_writers_passage_said_to_start_a_paragraph(packaged: bytes, tmp_path: Path, merges: list[bool],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer's cut said to start a paragraph (paragraph-start) is checked from its passage's start to
    the segment after it, whatever segment lies before it."""
    text = conversion_text(Archive(packaged))

    def later(doc: dict[str, Any]) -> None:
        elision = doc["elisions"][0]
        elision["omitted_scope"] = "paragraph-start"
        elision["omitted"].update(start=240, text=text[240:377])
        elision["omitted"]["oa:hasSelector"][0]["oa:start"] = 240
        elision["omitted"]["oa:hasSelector"][1].update({"oa:exact": text[240:377], "oa:prefix": text[208:240]})

    assert problems(report(another_writers(packaged, later), tmp_path, monkeypatch)) == []


def test_in_order_false_on_a_segment_starting_inside_the_one_before(packaged: bytes, tmp_path: Path,
                                                                     merges: list[bool],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment said out of order whose source starts inside the source of the segment found before it, with no
    letter or digit between (a comma both quote): it follows it, said so; the cut between them has nothing."""
    def inside(doc: dict[str, Any]) -> None:
        doc["segments"][0]["source_end"] = 239
        doc["segments"][1].update(source_start=238, in_order=False)
        doc["out_of_order"] = [[0, 1]]

    edited = Archive(packaged).edit_doc("a", inside)
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", "segments[1]: in_order is false, but its source 238-575 starts inside the source 96-239 of the"
                     " segment found before it with no letter or digit between",
        "elisions[0].omitted: a passage is omitted (between), but characters 239-239 of the conversion text, from the"
        " end of segments[0] (239) to the start of segments[1] (239), white space trimmed, hold no words: ''")


def test_first_difference_past_a_block() -> None:
    """Texts that agree over a whole block (64 Ki characters) or more differ where they do; one that begins the
    other, at its end."""
    same = "a" * (1 << 16)
    assert origcheck._first_difference(same + "bc", same + "bd") == (1 << 16) + 1
    assert origcheck._first_difference(same, same + "x") == 1 << 16
    assert origcheck._first_difference(same + same + "x", same + same + "y") == 2 << 16
    assert origcheck._first_difference(same, same) is None


def test_a_conversion_text_check_that_meets_a_shape_no_rule_foresaw() -> None:
    """The checks against the conversion's text meet a shape alignment_messages would have said: said as a
    malformed alignment, with what the record's own checks found before it."""
    original = {"how": "local", "record_id": "<urn:uuid:s>", "target_uri": "urn:x",
                "conversion_record_id": "<urn:uuid:c>", "text_sha256": "ab" * 32, "length_chars": 3}
    parts = {"original": original, "segments": [], "elisions": [], "rules": origcheck.OTHER_RULES}
    conversion = origcheck.Record("conversion", "<urn:uuid:c>", "urn:x", "<urn:uuid:s>", None, 3, b"abc")
    assert origcheck.record_messages("conversion_record_id", "conversion", parts, conversion) == (
        ["the alignment with the original is malformed (KeyError: 'differences')"], True)


def test_another_writers_passage_between_segments_after_one_not_found(packaged: bytes, tmp_path: Path,
                                                                      merges: list[bool],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer's record whose first segment was not found: the cut after it has no segment found before it,
    and the next cut's passage (moved by a character) is checked between the segments on either side of it, named
    by their own indexes."""
    text = conversion_text(Archive(packaged))
    passage = Archive(packaged).doc("a")["elisions"][1]["omitted"]["text"]

    def change(doc: dict[str, Any]) -> None:
        doc["segments"][0].update(source_start=None, source_end=None)
        doc["elisions"][1]["omitted"].update(start=576)

    edited = another_writers(packaged, change)
    assert problems(report(edited, tmp_path, monkeypatch)) == mismatches(
        edited, "a", f"elisions[1].omitted: text {show(passage)} is not the 137 characters 576-713, trimmed of white"
                     " space",
        "elisions[1].omitted: TextPositionSelector 575-713 disagrees with start/end 576-713",
        "elisions[0].omitted: a passage is omitted (between), but no segment before the marker was found in the"
        " original",
        f"elisions[1].omitted: text {show(passage)} but characters 576-713 of the conversion text are"
        f" {show(text[576:713])}",
        f"elisions[1].omitted: TextQuoteSelector prefix {text[543:575]!r} is not the 32 characters of the conversion"
        f" text before character 576 ({text[544:576]!r})",
        "elisions[1].omitted: characters 576-713, but the conversion text from the end of segments[1] (575) to the"
        " start of segments[2] (713), white space trimmed, is 575-713")
