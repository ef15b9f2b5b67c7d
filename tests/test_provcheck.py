"""Provenance records against their excerpt: every rule of docs/format.md "What provpack verify checks"."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from provpack import package, provcheck
from provpack.blockring import BlockRing
from provpack.errors import IntegrityError
from provpack.problems import Problem
from provpack.provshape import shape_problem
from provpack.provcheck import ProvenanceTracker, ResourceFacts, check_provenance, explain, is_provenance, parse
from provpack.provcheck import sound

from conftest import benchmark_module
from strategies import excerpt_texts
from warcbuild import PAD_0_5, PAD_BEFORE_0_5, SAMPLE_TEXTS, provenance

RID = "<urn:uuid:00000000-0000-5000-8000-000000000000>"


def load_corpus_module() -> ModuleType:
    """benchmarks/corpus.py, the benchmark's corpus generator."""
    return benchmark_module("corpus")


def facts_for(text: str, *, keep: bool = True) -> ResourceFacts:
    raw = text.encode("utf-8")
    return ResourceFacts(RID, len(raw), hashlib.sha256(raw).hexdigest(), raw if keep else None, "urn:x")


@pytest.mark.parametrize("text", SAMPLE_TEXTS)
def test_sound_provenance_passes(text: str) -> None:
    """A provenance document made by the format's rules has no disagreement."""
    doc = provenance(text, record_id=RID, target="urn:x")
    assert is_provenance(doc)
    assert check_provenance(doc, facts_for(text)) == ([], True)


@given(excerpt_texts())
def test_any_excerpt_passes(text: str) -> None:
    """Whatever the excerpt (BOM, CRLF, non-ASCII, markers), its own provenance checks out."""
    doc = provenance(text, record_id=RID, target="urn:x")
    assert check_provenance(doc, facts_for(text)) == ([], True)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _add(path: tuple[Any, ...], delta: int) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] += delta
    return change


def _as(path: tuple[Any, ...], kind: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = kind(target[path[-1]])
    return change


CHANGES = {
    "sha256": _set(("sha256",), "0" * 64),
    "length_bytes": _add(("length_bytes",), 1),
    "length_chars": _add(("length_chars",), -1),
    "length not int": _set(("length_bytes",), "12"),
    "segment sha256": _set(("segments", 0, "sha256"), "f" * 64),
    "segment byte_end": _add(("segments", 0, "byte_end"), -1),
    "segment chars": _add(("segments", 1, "start"), 1),
    "segment outside": _set(("segments", 0, "byte_end"), 10**6),
    "elision marker": _set(("elisions", 0, "marker"), "[…]"),
    "elision byte_start": _add(("elisions", 0, "byte_start"), 1),
    "elision start": _add(("elisions", 0, "start"), 1),
    "position selector": _add(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 0, "oa:start"), 1),
    "position selector float": _as(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 0, "oa:end"), float),
    "position selector string": _as(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 0, "oa:start"), str),
    "quote exact": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:exact"), "[..]"),
    "quote prefix": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:prefix"), "nope"),
    "quote suffix": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:suffix"), "nope"),
    "no selectors": _set(("elisions", 0, "oa:hasTarget"), {}),
    "record_id": _set(("record_id",), "<urn:uuid:other>"),
    "record_id missing": lambda doc: doc.__delitem__("record_id"),
    "segments not list": _set(("segments",), {}),
    "alteration": _set(("alterations",), [{"marker": "[sic]", "start": 0, "end": 5,
                                            "byte_start": 0, "byte_end": 5}]),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_disagreement_is_found(name: str) -> None:
    """Each change to a sound document is reported."""
    text = SAMPLE_TEXTS[0]
    doc = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    CHANGES[name](doc)
    messages, complete = check_provenance(doc, facts_for(text))
    assert messages and complete, name


def test_a_record_without_record_id_is_a_mismatch() -> None:
    """Every provpack wrote record_id (0.1.0 on), and show and extract find the excerpt by it: a provenance
    record without it is not sound, and says so (where it passed, and show then told the user to run verify)."""
    text = SAMPLE_TEXTS[0]
    doc = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    del doc["record_id"]
    assert not sound(doc, facts_for(text))
    assert check_provenance(doc, facts_for(text)) == ([f"record_id is missing (WARC-Refers-To names {RID})"], True)


def test_changed_block_is_found() -> None:
    """The same document against a different excerpt disagrees."""
    doc = provenance(SAMPLE_TEXTS[0], record_id=RID, target="urn:x")
    other = SAMPLE_TEXTS[0].replace("middle", "muddle")
    messages, _ = check_provenance(doc, facts_for(other))
    assert any("sha256" in m for m in messages)
    assert any("segments[1]" in m for m in messages)


def test_invalid_utf8_block() -> None:
    """A resource block that is not UTF-8 cannot be the excerpt."""
    doc = provenance("abc", record_id=RID, target="urn:x")
    facts = ResourceFacts(RID, 3, hashlib.sha256(b"a\xffc").hexdigest(), b"a\xffc")
    messages, _ = check_provenance(doc, facts)
    assert any("not valid UTF-8" in m for m in messages)


def test_without_the_block_only_totals_are_checked() -> None:
    """A resource too large to keep still has its sha256 and length checked."""
    text = SAMPLE_TEXTS[1]
    doc = provenance(text, record_id=RID, target="urn:x")
    assert check_provenance(doc, facts_for(text, keep=False)) == ([], False)
    doc["length_bytes"] = 1
    assert check_provenance(doc, facts_for(text, keep=False))[0]


def test_messages_are_capped() -> None:
    """A badly broken document gives at most ten messages, the last saying how many more."""
    text = "a [...] " * 40
    doc = provenance(text, record_id=RID, target="urn:x")
    for elision in doc["elisions"]:  # type: ignore[union-attr]
        elision["marker"] = "x"
    messages, _ = check_provenance(doc, facts_for(text))
    assert len(messages) == 10 and "more" in messages[-1]


def test_other_json_is_not_provenance() -> None:
    """Only documents that say "format": "provpack-provenance/1" are checked."""
    assert not is_provenance({"format": "something else"})
    assert not is_provenance([1, 2])


# -- the quick check (sound) and orjson against the reference (explain, json.loads) -------------

_POOL: list[Any] = [0, 1, -1, 2**63, 2**70, -(2**64), 1.0, 0.5, float("nan"), True, False, None, "", "x", "[...]",
                    "\u2026", "\ud800", [], {}, [1], {"start": 0}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (not the root)."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, path + (index,))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


_CHECKED = {"start", "end", "byte_start", "byte_end", "sha256", "marker", "oa:start", "oa:end", "oa:exact",
            "oa:prefix", "oa:suffix", "length_bytes", "length_chars", "record_id", "segments", "elisions",
            "alterations", "oa:hasTarget", "oa:hasSelector", "@type", "format"}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], ResourceFacts, bool]:
    """A sound provenance document for an excerpt, then maybe a few changes of any kind to it, mostly to
    what the check reads."""
    text = draw(excerpt_texts())
    if draw(st.booleans()):
        text += draw(st.sampled_from([" [...] end", " \u2026 tail [\u2026]", "[. . .]"]))
    if draw(st.booleans()):
        text = text.replace("the", "[T]he", 1).replace("word", "word [sic]", 1)
    doc: dict[str, Any] = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))   # ([T], [sic] listed)
    changes = draw(st.integers(0, 3))
    for _ in range(changes):
        paths = _paths(doc)
        checked = [p for p in paths if p[-1] in _CHECKED or isinstance(p[-1], int)]
        path = draw(st.sampled_from(checked if checked and draw(st.integers(0, 9)) else paths))
        parent, key = _at(doc, path[:-1]), path[-1]
        old = parent[key]
        how = draw(st.sampled_from(["pool", "shift", "shift", "delete", "duplicate", "swap"]))
        if how == "shift" and type(old) is int:
            parent[key] = old + draw(st.sampled_from([-3, -1, 1, 2, len(text)]))
        elif how == "shift" and isinstance(old, str):
            parent[key] = draw(st.sampled_from([old[1:], old[:-1], old + "x", "x" + old, old.upper()]))
        elif how == "delete" and isinstance(parent, dict):
            del parent[key]
        elif how == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(old))
        elif how == "swap" and isinstance(parent, list) and len(parent) > 1:
            other = draw(st.integers(0, len(parent) - 1))
            parent[key], parent[other] = parent[other], parent[key]
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(_POOL)))
    raw = text.encode("utf-8")
    if draw(st.integers(0, 4)) == 0 and raw:  # sometimes the block itself changes (a byte flipped)
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ draw(st.sampled_from([1, 0x40, 0x80, 0xFF]))]) + raw[at + 1:]
    facts = ResourceFacts(RID, len(raw), hashlib.sha256(raw).hexdigest(), raw, "urn:x")
    return doc, facts, changes == 0 and raw == text.encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(mutated())
def test_quick_check_never_passes_what_the_reference_faults(case: tuple[dict[str, Any], ResourceFacts, bool]) -> None:
    """sound() is True only where the rule-by-rule check finds nothing, and True for every sound document."""
    doc, facts, untouched = case
    quick = sound(doc, facts)
    reference = explain(doc, facts)
    if quick:
        assert reference == ([], True)
    if untouched:
        assert quick
    assert check_provenance(doc, facts) == reference


def _variants(old: Any, text: str) -> list[Any]:
    """Values to put in place of `old`: of every JSON type, and near it."""
    found: list[Any] = list(_POOL)
    if type(old) is int:
        found += [old - 1, old + 1, old + 2, old - 3, old + len(text), float(old), old == 1]
    if isinstance(old, str):
        found += [old[1:], old[:-1], old + "x", "x" + old, old.upper(), old + "\u00e9"]
    if isinstance(old, list):
        found += [old[1:], old[:-1], old + old[:1], old[::-1]]
    return found


@pytest.mark.parametrize("text", [
    SAMPLE_TEXTS[0], SAMPLE_TEXTS[1], "\ufeff[...] caf\u00e9 [T]he word [sic] \u2026 end [\u2026]",
    "[...]", "abc [...] abc [...] abc",
])
def test_quick_check_against_every_single_change(text: str) -> None:
    """Each field of a sound document changed in each way: sound() passes only what the reference passes, and fails
    only what it faults (with --deep's check of the segments); what it passes is judged for shape as in full."""
    base: dict[str, Any] = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    for alteration in base["alterations"]:   # an alteration may have a target too: checked as well
        alteration["oa:hasTarget"] = {"oa:hasSelector": [{"@type": "oa:TextPositionSelector",
                                                          "oa:start": alteration["start"], "oa:end": alteration["end"]}]}
    raw = text.encode("utf-8")
    facts = ResourceFacts(RID, len(raw), hashlib.sha256(raw).hexdigest(), raw, "urn:x")
    assert sound(base, facts)
    tried = faulted = 0
    for path in _paths(base):
        old = _at(base, path)
        changes: list[Callable[[Any, Any], None]] = [
            lambda parent, key, value=value: parent.__setitem__(key, copy.deepcopy(value))
            for value in _variants(old, text)]
        changes.append(lambda parent, key: parent.__delitem__(key))
        changes.append(lambda parent, key: parent.insert(key, copy.deepcopy(parent[key]))
                       if isinstance(parent, list) else None)
        for change in changes:
            doc = copy.deepcopy(base)
            change(_at(doc, path[:-1]), path[-1])
            reference = explain(doc, facts)
            tried += 1
            faulted += reference != ([], True)
            if sound(doc, facts):
                assert reference == ([], True), (path, doc)
                # (verify then judges only the shape of what sound() does not read as provshape does)
                assert shape_problem(doc, sound=True) == shape_problem(doc), (path, doc)
            else:   # (and never stricter but on the segments, which only --deep checks in full)
                assert reference != ([], True) or explain(doc, facts, full=True) != ([], True), (path, doc)
            assert check_provenance(doc, facts) == reference
    assert faulted > tried // 3


@settings(max_examples=300, deadline=None)
@given(mutated(), st.sampled_from(["", "big", "float", "nan", "dup", "bom", "surrogate"]))
def test_orjson_reading_gives_the_reports_json_gives(case: tuple[dict[str, Any], ResourceFacts, bool],
                                                      twist: str) -> None:
    """The tracker reports the same with orjson as with the standard library alone, whatever the JSON holds."""
    doc, facts, _ = case
    data = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if twist == "big":
        data = data.replace(b'"length_chars": ', b'"length_chars": 1000000000000000000000', 1)
    elif twist == "float":
        data = data.replace(b'"start": 0', b'"start": 0.0', 1).replace(b'"oa:end": ', b'"oa:end": 1e0+', 1)
    elif twist == "nan":
        data = data.replace(b'"length_bytes": ', b'"length_bytes": NaN, "x": ', 1)
    elif twist == "dup":
        data = data.replace(b'{"byte_end": ', b'{"start": 1, "byte_end": ', 1)
    elif twist == "bom":
        data = b"\xef\xbb\xbf" + data
    elif twist == "surrogate":
        data = data.replace(b'"sha256": "', b'"sha256": "\\ud800', 1)

    def report() -> tuple[list[Problem], list[Problem], Counter[str]]:
        counts: Counter[str] = Counter()
        tracker = ProvenanceTracker(counts)
        tracker.resource(facts)
        found = tracker.metadata(7, "<urn:m>", data, RID.encode(), seen=())
        later = ProvenanceTracker(counts)  # the provenance record first, waiting for its resource
        waited = later.metadata(7, "<urn:m>", data, RID.encode(), seen=())
        waited += later.resource(facts)
        return found, waited, counts

    with_orjson = report()
    original = provcheck.orjson
    try:
        provcheck.orjson = None
        assert report() == with_orjson
    finally:
        provcheck.orjson = original


def test_packaged_documents_take_the_quick_check(tmp_path: Path) -> None:
    """Every provenance record provpack writes (elisions, alterations, segments, sidecars) passes sound()."""
    corpus = load_corpus_module()
    corpus.generate(tmp_path / "c", docs=60, seed=3)
    result = package(tmp_path / "c", out=tmp_path / "a.warc.gz")
    resources: dict[str, ResourceFacts] = {}
    checked = 0
    with open(result.warc_path, "rb") as stream:
        for record in ArchiveIterator(stream):
            rid = record.rec_headers.get_header("WARC-Record-ID")
            block = record.content_stream().read()
            if record.rec_type == "resource":
                resources[rid] = ResourceFacts(rid, len(block), hashlib.sha256(block).hexdigest(), block,
                                               record.rec_headers.get_header("WARC-Target-URI"))
            elif record.rec_type == "metadata":
                doc, quick = parse(block)
                assert quick == (provcheck.orjson is not None)
                facts = resources[record.rec_headers.get_header("WARC-Refers-To")]
                assert sound(doc, facts), doc.get("name")
                checked += 1
    assert checked == 60


def _moved_id(doc: dict[str, Any], facts: ResourceFacts) -> list[str]:
    """The excerpt's @id changed, and the source of each elision with it: only the @id rule is broken."""
    doc["@id"] = "urn:other"
    for elision in doc["elisions"]:
        elision["oa:hasTarget"]["oa:hasSource"]["@id"] = "urn:other"
    return [f"@id 'urn:other' but the resource record's WARC-Target-URI is {facts.target}"]


def _trailer_before_a_possible_elision(doc: dict[str, Any], facts: ResourceFacts) -> list[str]:
    """The body ends, and the trailer starts, where the first possible elision starts: it and the possible
    ones after it are no longer before the trailer (none said when there is none)."""
    possible = [(index, e) for index, e in enumerate(doc["elisions"]) if e["kind"] == "possible"]
    if not possible:
        return []
    start = possible[0][1]["start"]
    doc["parts"]["body"][1] = start
    doc["parts"]["trailer"] = [start, doc["length_chars"]]
    return [f"elisions[{index}]: {e['marker']!r} at {e['start']}-{e['end']} is not a possible elision marker"
            " ('...', '…', '. . .', '(...)', '(…)') before the trailer" for index, e in possible]


def test_packaged_documents_with_a_rule_of_derived_broken_fail_the_quick_check(tmp_path: Path) -> None:
    """sound() checks derived's rules itself: a real document that breaks only one of them does not pass it."""
    corpus = load_corpus_module()
    corpus.generate(tmp_path / "c", docs=20, seed=3)
    result = package(tmp_path / "c", out=tmp_path / "a.warc.gz")
    resources: dict[str, ResourceFacts] = {}
    broken: Counter[str] = Counter()
    with open(result.warc_path, "rb") as stream:
        for record in ArchiveIterator(stream):
            rid = record.rec_headers.get_header("WARC-Record-ID")
            block = record.content_stream().read()
            if record.rec_type == "resource":
                resources[rid] = ResourceFacts(rid, len(block), hashlib.sha256(block).hexdigest(), block,
                                               record.rec_headers.get_header("WARC-Target-URI"))
            elif record.rec_type == "metadata":
                facts = resources[record.rec_headers.get_header("WARC-Refers-To")]
                for change in (_moved_id, _trailer_before_a_possible_elision):
                    doc = json.loads(block)
                    expected = change(doc, facts)
                    if expected:
                        assert explain(doc, facts) == (expected, True)
                        assert not sound(doc, facts), (change.__name__, doc.get("name"))
                        broken[change.__name__] += 1
    assert broken["_moved_id"] == 20 and broken["_trailer_before_a_possible_elision"] >= 3, broken


@settings(max_examples=150, deadline=None)
@given(reads=st.lists(st.tuples(st.integers(0, 9), st.one_of(st.none(), st.integers(0, 40), st.sampled_from([63, 64, 65]))),
                    max_size=80))
def test_resources_held_follow_the_rule(reads: list[tuple[int, int | None]]) -> None:
    """The resources held, and their blocks, are those of the rule in docs/verify.md: each one read
    is added, then the oldest dropped while more than KEEP_RECORDS or KEEP_BUDGET bytes are held
    (ids read again, blocks not kept and blocks over the budget included)."""
    saved = provcheck.KEEP_RECORDS, provcheck.KEEP_BUDGET
    provcheck.KEEP_RECORDS, provcheck.KEEP_BUDGET = 4, 64
    try:
        tracker = ProvenanceTracker(Counter())
    finally:
        provcheck.KEEP_RECORDS, provcheck.KEEP_BUDGET = saved
    model: dict[str, ResourceFacts] = {}
    for number, (which, size) in enumerate(reads):
        record_id = f"<urn:x:{which}>"
        block = None if size is None else bytes([number % 256]) * size
        facts = ResourceFacts(record_id, size or 0, None, block)
        assert tracker.resource(facts) == []
        model.pop(record_id, None)
        model[record_id] = facts
        while len(model) > 4 or sum(len(f.block or b"") for f in model.values()) > 64:
            del model[next(iter(model))]
        for which_held in range(10):
            assert tracker.held(f"<urn:x:{which_held}>") == model.get(f"<urn:x:{which_held}>")


def test_the_resource_read_last_is_handed_back_without_the_ring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resource read last comes back as it was given, its block not read back from the ring;
    the one before it comes from the ring, and neither once a resource over the budget is read."""
    tracker = ProvenanceTracker(Counter())
    first = ResourceFacts("<urn:x:1>", 5, None, b"first")
    last = ResourceFacts("<urn:x:2>", 4, None, b"last")
    tracker.resource(first)
    tracker.resource(last)
    reads: list[tuple[int, int]] = []
    ring_get = BlockRing.get

    def get(ring: BlockRing, start: int, size: int) -> bytes:
        reads.append((start, size))
        return ring_get(ring, start, size)

    monkeypatch.setattr(BlockRing, "get", get)
    assert tracker.held("<urn:x:2>") is last and reads == []
    assert tracker.held("<urn:x:1>") == first and reads == [(0, 5)]
    assert tracker.held("<urn:x:3>") is None
    tracker.resource(ResourceFacts("<urn:x:2>", 4, None, b"LAST"))   # the same id again: the new block
    assert tracker.held("<urn:x:2>") == ResourceFacts("<urn:x:2>", 4, None, b"LAST")
    saved = provcheck.KEEP_BUDGET
    provcheck.KEEP_BUDGET = 16
    try:
        small = ProvenanceTracker(Counter())
    finally:
        provcheck.KEEP_BUDGET = saved
    small.resource(ResourceFacts("<urn:x:1>", 5, None, b"small"))
    small.resource(ResourceFacts("<urn:x:1>", 17, None, b"x" * 17))   # over the budget: nothing held
    assert small.held("<urn:x:1>") is None
    large = b"y" * (provcheck.LAST_BLOCK_LIMIT + 1)   # held, but not twice: read back from the ring
    tracker.resource(ResourceFacts("<urn:x:4>", len(large), None, large))
    reads.clear()
    facts = tracker.held("<urn:x:4>")
    assert facts == ResourceFacts("<urn:x:4>", len(large), None, large) and facts is not None
    assert facts.block is not large and len(reads) == 1


def test_blocks_held_do_not_fragment_the_heap() -> None:
    """Blocks are copied into the ring, not held as bytes objects: 20,000 of 3 KB leave little on the heap."""
    import tracemalloc
    tracker = ProvenanceTracker(Counter())
    tracemalloc.start()
    try:
        for number in range(20_000):
            block = b"%08d" % number * 400
            tracker.resource(ResourceFacts(f"<urn:x:{number}>", len(block), None, block))
        traced, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert traced < 8 << 20   # the blocks held are 30 MB; their ids and facts about 3 MB
    assert tracker.held("<urn:x:19999>") == ResourceFacts("<urn:x:19999>", 3200, None, b"00019999" * 400)


def test_finish_lets_the_resources_go() -> None:
    """At the end of a file the resources held are dropped and the ring unmapped."""
    tracker = ProvenanceTracker(Counter())
    tracker.resource(facts_for("some text"))
    assert tracker.held(RID) == facts_for("some text")
    assert tracker.finish() == []
    assert tracker.held(RID) is None and tracker._ring.used == 0 and tracker._ring._map is None


def test_the_tracker_keeps_blocks_itself_without_a_ring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance tracker whose ring cannot be mapped still holds each resource's block."""
    import mmap

    def refuse(*args: object) -> mmap.mmap:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refuse)
    tracker = ProvenanceTracker(Counter())
    facts = ResourceFacts("<urn:x:1>", 5, None, b"hello")
    tracker.resource(facts)
    assert tracker.held("<urn:x:1>") == facts


def _segment(text: str, start: int, end: int, index: int) -> dict[str, Any]:
    """A segments[] entry for characters start-end of `text`, its bytes and sha256 right."""
    raw = text.encode("utf-8")
    byte_start, byte_end = len(text[:start].encode("utf-8")), len(text[:end].encode("utf-8"))
    return {"index": index, "start": start, "end": end, "byte_start": byte_start, "byte_end": byte_end,
            "sha256": hashlib.sha256(raw[byte_start:byte_end]).hexdigest()}


def _drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        del _at(doc, path[:-1])[path[-1]]
    return change


def _reverse_elisions(doc: dict[str, Any]) -> None:
    doc["elisions"].reverse()


_SELECTORS_AT = ("elisions", 0, "oa:hasTarget", "oa:hasSelector")
_PARTS = "has no body [start, end] within the text (0-72), or a trailer that is not null or a [start, end] pair after it"
_SEGMENTS = "segments are not the body cut at its bracketed elisions (expected 0-28, 35-58, 63-71; listed "
# (name, change to SAMPLE_TEXTS[0]'s document, full (--deep), every message, word for word)
SAID: list[tuple[str, Callable[[dict[str, Any]], None], bool, list[str]]] = [
    ("selector not an object", _set(_SELECTORS_AT + (0,), "x"), False, [
        "elisions[0]: a selector is not an object",
        "elisions[0]: oa:hasSelector holds ['x', 'oa:TextQuoteSelector'], not one oa:TextPositionSelector and"
        " one oa:TextQuoteSelector"]),
    ("position selector", _set(_SELECTORS_AT + (0, "oa:start"), 30), False, [
        "elisions[0]: TextPositionSelector 30-34 disagrees with start/end 29-34"]),
    ("quote exact", _set(_SELECTORS_AT + (1, "oa:exact"), "[..]"), False, [
        "elisions[0]: TextQuoteSelector exact '[..]' is not the marker '[...]'"]),
    ("end outside the text", _set(("elisions", 0, "end"), 100), False, [
        "elisions[0]: characters 29-100 are outside the text (0-72)",
        "elisions[1] at 59-62 comes before the end of the one listed before it (100): each marker is listed once,"
        " in text order"]),
    ("start before the text", _set(("elisions", 0, "start"), -1), False, [
        "elisions[0]: characters -1-34 are outside the text (0-72)",
        f"elisions[0]: @id '{RID.strip('<>')}#elision-29' is not {RID.strip('<>')}#elision--1"]),
    ("byte end outside the block", _set(("elisions", 0, "byte_end"), 100), False, [
        "elisions[0]: bytes 29-100 are outside the block (0-76)"]),
    ("byte start before the block", _set(("elisions", 0, "byte_start"), -1), False, [
        "elisions[0]: bytes -1-34 are outside the block (0-76)"]),
    ("out of order", _reverse_elisions, False, [
        "elisions[1] at 29-34 comes before the end of the one listed before it (62): each marker is listed once,"
        " in text order"]),
    ("line", _set(("elisions", 0, "line"), 9), True, [
        "elisions[0]: line 9 column 12, but character 29 is at line 3 column 12"]),
    ("line past the text", _set(("elisions", 1, "start"), 100), True, [
        "elisions[1]: characters 100-62 are outside the text (0-72)",
        "elisions[1]: line 3 column 42, but character 100 is at line ? column ?",
        f"elisions[1]: @id '{RID.strip('<>')}#elision-59' is not {RID.strip('<>')}#elision-100",
        "elisions: the bracketed ones are not the text's bracketed cuts before the trailer (not listed: 59-62;"
        " listed but not a bracketed cut: 100-62)"]),
    ("alteration that is a cut", _set(("alterations",), [
        {"marker": "[...]", "start": 29, "end": 34, "byte_start": 29, "byte_end": 34}]), False, [
        "alterations[0]: '[...]' at 29-34 is not an editorial mark ('[sic]', '[T]he')"]),
    ("kind", _set(("elisions", 0, "kind"), "other"), False, [
        "elisions[0]: kind 'other' is not 'bracketed' or 'possible'"]),
    ("possible", _set(("elisions", 0, "kind"), "possible"), False, [
        "elisions[0]: '[...]' at 29-34 is not a possible elision marker ('...', '…', '. . .', '(...)', '(…)')"
        " before the trailer"]),
    ("annotation id", _set(("elisions", 0, "@id"), "urn:y#elision-29"), False, [
        f"elisions[0]: @id 'urn:y#elision-29' is not {RID.strip('<>')}#elision-29"]),
    ("source", _set(("elisions", 0, "oa:hasTarget", "oa:hasSource"), {"@id": "urn:y"}), False, [
        "elisions[0]: oa:hasSource 'urn:y' is not the excerpt's @id 'urn:x'"]),
    ("selector types", _set(_SELECTORS_AT, [{"@type": "oa:TextPositionSelector", "oa:start": 29, "oa:end": 34}]),
     False, ["elisions[0]: oa:hasSelector holds ['oa:TextPositionSelector'], not one oa:TextPositionSelector and"
             " one oa:TextQuoteSelector"]),
    ("@type a list", _set(_SELECTORS_AT + (0, "@type"), ["oa:TextPositionSelector"]), False, [   # (was a TypeError)
        "elisions[0]: oa:hasSelector holds [['oa:TextPositionSelector'], 'oa:TextQuoteSelector'], not one"
        " oa:TextPositionSelector and one oa:TextQuoteSelector"]),
    ("cut not listed", _drop(("elisions", 1)), True, [
        "elisions: the bracketed ones are not the text's bracketed cuts before the trailer (not listed: 59-62)"]),
    ("segment missing", _drop(("segments", 1)), True, [
        _SEGMENTS + "0-28, 63-71)", "segments[1]: index 2 is not 1"]),
    ("segment trimmed", _set(("segments", 0), _segment(SAMPLE_TEXTS[0], 1, 28, 0)), True, [
        _SEGMENTS + "1-28, 35-58, 63-71)"]),
    ("body past the text", _set(("parts", "body"), [0, 73]), False, [
        f"parts {{'header': None, 'body': [0, 73], 'trailer': None}} {_PARTS}"]),
    ("body reversed", _set(("parts", "body"), [5, 3]), False, [
        f"parts {{'header': None, 'body': [5, 3], 'trailer': None}} {_PARTS}"]),
    ("trailer inside the body", _set(("parts", "trailer"), [70, 72]), True, [
        f"parts {{'header': None, 'body': [0, 71], 'trailer': [70, 72]}} {_PARTS}"]),
    ("trailer at the end of the body", _set(("parts", "trailer"), [71, 72]), True, []),
]


@pytest.mark.parametrize(("name", "change", "full", "expected"), SAID, ids=[case[0] for case in SAID])
def test_each_disagreement_is_said_exactly(name: str, change: Callable[[dict[str, Any]], None], full: bool,
                                           expected: list[str]) -> None:
    """Each rule's message names the entry, the offsets and what the text holds instead, word for word."""
    text = SAMPLE_TEXTS[0]
    doc = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    change(doc)
    assert explain(doc, facts_for(text), full=full) == (expected, True)
    assert check_provenance(doc, facts_for(text), deep=full) == (expected, True)
    assert sound(doc, facts_for(text)) == (explain(doc, facts_for(text)) == ([], True))   # the quick check agrees


@pytest.mark.parametrize("text", [
    "[...] a\rb [...] c\r\nd\n[\u2026] e [sic]\r\r[. . .] f",   # CR, CRLF, LF and a marker at character 0
    "Ünïcödé first line\r\nsecond [...] third\r\n\r\n[T]hird [...]\r[...] x",
])
def test_the_full_check_passes_every_kind_of_line_break(text: str) -> None:
    """--deep's walks (every cut listed, lines and columns) agree with a sound record whatever the line breaks."""
    doc = provenance(text, record_id=RID, target="urn:x")
    assert explain(doc, facts_for(text), full=True) == ([], True)
    doc["elisions"][-1]["line"] += 1   # type: ignore[index]
    assert explain(doc, facts_for(text), full=True)[0][0].startswith(f"elisions[{len(doc['elisions']) - 1}]: line")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(excerpt_texts())
def test_any_excerpt_passes_the_full_check(text: str) -> None:
    """Whatever the excerpt, its own provenance passes --deep's walks over the text too."""
    doc = provenance(text, record_id=RID, target="urn:x")
    assert explain(doc, facts_for(text), full=True) == ([], True)


def test_a_cut_in_the_header_is_no_segment_boundary() -> None:
    """A bracketed cut before the body is listed, but the body's segments are cut only at the cuts inside it."""
    text = "Head [...] er\n\nBody one [...] body two\n"
    doc = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    assert doc["parts"]["body"] == [0, 38]   # type: ignore[index]
    doc["parts"]["body"] = [15, 38]   # type: ignore[index]
    doc["segments"] = [_segment(text, 15, 23, 0), _segment(text, 30, 38, 1)]
    assert explain(doc, facts_for(text), full=True) == ([], True)


def test_more_than_five_spans_are_cut_short() -> None:
    """A message lists the first five spans that differ, then '...'; the cap says how many more there are."""
    for count, more in ((5, ""), (6, " ...")):
        text = "a [...] " * count
        doc = provenance(text, record_id=RID, target="urn:x")
        doc["elisions"] = []
        messages, _ = explain(doc, facts_for(text), full=True)
        assert messages[0] == ("elisions: the bracketed ones are not the text's bracketed cuts before the trailer"
                               f" (not listed: 2-7, 10-15, 18-23, 26-31, 34-39{more})")
    text = "a [...] " * 40
    doc = provenance(text, record_id=RID, target="urn:x")
    for elision in doc["elisions"]:  # type: ignore[union-attr]
        elision["marker"] = "x"
    messages, _ = check_provenance(doc, facts_for(text))
    assert len(messages) == 10 and messages[-1] == "... and 71 more disagreements"   # (40 markers, each said twice: 80)


def test_the_keep_budget_is_32_mib() -> None:
    """A resource block of exactly 32 MiB is held for its provenance record (docs/verify.md); one byte more is not."""
    tracker = ProvenanceTracker(Counter())
    block = bytes(32 << 20)
    tracker.resource(ResourceFacts("<urn:x:1>", len(block), None, block))
    held = tracker.held("<urn:x:1>")
    assert held is not None and held.block == block
    tracker.resource(ResourceFacts("<urn:x:2>", len(block) + 1, None, block + b"x"))
    assert tracker.held("<urn:x:2>") is None and tracker.held("<urn:x:1>") is None
    tracker.finish()


def _provenance_block(text: str, record_id: str = RID) -> bytes:
    return json.dumps(provenance(text, record_id=record_id, target="urn:x")).encode()


def test_a_tracker_is_not_deep_unless_asked() -> None:
    """A tracker made without deep=True neither compares records with provpack's reading nor counts other writers'."""
    tracker = ProvenanceTracker(Counter())
    assert not tracker.deep
    tracker.resource(facts_for(SAMPLE_TEXTS[0]))
    doc = provenance(SAMPLE_TEXTS[0], record_id=RID, target="urn:x")
    doc["elisions"][0]["line"] = 9   # type: ignore[index]   (wrong, but only --deep looks)
    assert tracker.metadata(1, "<urn:m>", json.dumps(doc).encode(), RID.encode(), seen=set()) == []
    assert tracker.counts == Counter({provcheck._CHECKED: 1})


def test_a_metadata_block_naming_the_format_but_not_json_is_a_problem() -> None:
    """A metadata block that holds the format name anywhere, even first, but does not parse is reported."""
    tracker = ProvenanceTracker(Counter())
    for block in (b"provpack-provenance/1 is not JSON", b"{provpack-provenance/1"):
        [problem] = tracker.metadata(7, "<urn:m>", block, RID.encode(), seen=set())
        assert problem.offset == 7 and problem.message.startswith("the provenance JSON does not parse: ")


@pytest.mark.parametrize("mark", [True, False])
def test_a_metadata_block_nested_too_deep_is_a_problem_whatever_it_holds(mark: bool) -> None:
    """JSON nested deeper than provpack reads (jsondepth) is a problem, named by offset and record, whether it bears
    the format or not, where json.loads raised RecursionError: show and extract read past it as damage. Within
    orjson's 1,024 levels too, where verify said nothing of it and `show` and `verify --deep` crashed."""
    from provpack.jsondepth import MAX_DEPTH

    tracker = ProvenanceTracker(Counter())
    tracker.resource(facts_for(SAMPLE_TEXTS[0]))
    doc = provenance(SAMPLE_TEXTS[0], record_id=RID, target="urn:x") if mark else {}
    for levels in (MAX_DEPTH - 1, MAX_DEPTH, 990, 3000):   # in the object around them: one more
        block = json.dumps({**doc, "x": []}).encode().replace(b'"x": []', b'"x": ' + b"[" * levels + b"]" * levels)
        found = tracker.metadata(7, "<urn:m>", block, RID.encode(), seen=set())
        if levels < MAX_DEPTH:
            assert found == []
            continue
        assert found == [Problem(7, "<urn:m>", "metadata-mismatch", f"the JSON does not parse: it nests arrays and "
                                 f"objects {levels + 1:,} levels deep, more than the {MAX_DEPTH} provpack reads; show "
                                 "and extract take this record for damage")]


def test_a_refers_to_that_is_not_utf8_is_named_with_replacements() -> None:
    """A WARC-Refers-To of bytes that are not UTF-8 is named in the message, never raises."""
    tracker = ProvenanceTracker(Counter())
    [problem] = tracker.metadata(0, "<urn:m>", _provenance_block("abc"), b"<urn:\xff>", seen={hash(b"<urn:\xff>")})
    assert problem.message == provcheck._not_a_resource("<urn:\ufffd>")
    tracker.metadata(0, "<urn:m>", _provenance_block("abc"), b"<urn:\xfe>", seen=set())
    [problem] = tracker.finish()
    assert problem.message == "provenance WARC-Refers-To <urn:\ufffd> names no record in this file"


def test_a_deep_resolution_counts_another_writers_record() -> None:
    """--deep on a split file: a waiting record another version wrote, settled by the first part, is counted so."""
    first = ProvenanceTracker(Counter(), deep=True)
    first.resource(facts_for(SAMPLE_TEXTS[0]))
    segment = ProvenanceTracker(Counter(), segment=True, deep=True)
    assert segment.metadata(5, "<urn:m>", _provenance_block(SAMPLE_TEXTS[0]), RID.encode(), seen=set(),
                            position=(0, 0)) == []
    [resolution] = first.resolve(segment.pending(), set()) or []
    assert resolution.problems == [] and resolution.counted == provcheck._CHECKED
    assert first.counts == Counter({provcheck._OTHER_WRITER: 1})


PADDED = "a [\t...\t] b [\u200b...\u200b] c [\u2060\u2026] d [\u200a\u2026\u200a] e [\u3000...\u3000] f [\u2002...] g"
_NOT_CUT = "is not a bracketed elision marker ('[...]', '[…]', '[. . .]')"
_NOT_EDIT = "is not an editorial mark ('[sic]', '[T]he')"


@pytest.mark.parametrize("generator", ["warcbuild (tests)", "provpack 0.5.0", "provpack 0.5", "provpack 1.0.0"])
def test_markers_padded_by_a_tab_any_space_or_a_zero_width_space_pass(generator: str) -> None:
    """Cuts whose dots a tab, any Unicode space, U+200B, U+2060 or U+FEFF pads (as provpack 0.5.0 reads them)
    pass every check, by default and --deep, for a record of provpack 0.5.0 or later or of another writer."""
    doc = provenance(PADDED, record_id=RID, target="urn:x", generator=generator)
    assert (len(doc["elisions"]), doc["alterations"]) == (6, [])   # type: ignore[arg-type]
    for full in (False, True):
        assert explain(doc, facts_for(PADDED), full=full) == ([], True)
    assert sound(doc, facts_for(PADDED))


@pytest.mark.parametrize("generator", ["provpack 0.4.0", "provpack 0.3.0", "provpack 0.4.1.dev3"])
def test_a_record_of_provpack_before_0_5_is_checked_by_its_rule_of_padding(generator: str) -> None:
    """Before 0.5.0 provpack read `[\\t...\\t]` as an alteration: its records pass as written, and are not called
    wrong for what provpack now reads otherwise; the same record said to be 0.5.0's fails, word for word."""
    old = provenance(PADDED, record_id=RID, target="urn:x", generator=generator, pad=PAD_BEFORE_0_5)
    assert (old["elisions"], len(old["alterations"])) == ([], 6)   # type: ignore[arg-type]
    for full in (False, True):
        assert explain(old, facts_for(PADDED), full=full) == ([], True)
    assert sound(old, facts_for(PADDED))
    old["generator"] = "provpack 0.5.0"
    said = [f"alterations[{index}]: {a['marker']!r} at {a['start']}-{a['end']} {_NOT_EDIT}"
            for index, a in enumerate(old["alterations"])]   # type: ignore[attr-defined]
    assert explain(old, facts_for(PADDED)) == (said, True)
    assert not sound(old, facts_for(PADDED))
    assert explain(old, facts_for(PADDED), full=True) == ([*said, (
        "elisions: the bracketed ones are not the text's bracketed cuts before the trailer (not listed: 2-9, 12-19,"
        " 22-26, 29-34, 37-44 ...)"), (
        "alterations are not the text's bracketed editorial marks before the trailer (listed but not one: 2-9,"
        " 12-19, 22-26, 29-34, 37-44 ...)"), (
        "segments are not the body cut at its bracketed elisions (expected 0-1, 10-11, 20-21, 27-28, 35-36 ...;"
        " listed 0-55)")], True)
    new = provenance(PADDED, record_id=RID, target="urn:x", generator=generator)   # 0.5.0's reading, said 0.4.0's
    said = [f"elisions[{index}]: {e['marker']!r} at {e['start']}-{e['end']} {_NOT_CUT}"
            for index, e in enumerate(new["elisions"])]   # type: ignore[attr-defined]
    assert explain(new, facts_for(PADDED)) == (said, True)
    assert not sound(new, facts_for(PADDED))


# A Hebrew editor's `[\u200f...\u200f]` (RLM), isolates, a Japanese `[中略]` and `【中略】`, a `［……］`, a `⋯⋯`
MARKED = ("a [\u200f...\u200f] b [\u2067\u2026\u2069] c [\u4e2d\u7565] d \u3010\u4e2d\u7565\u3011 e \uff3b\u2026\u2026\uff3d f"
          " \u22ef\u22ef g")


def _written(text: str) -> dict[str, Any]:
    """The provenance record this provpack writes for `text` (its markers by elisions.py), as a reader sees it."""
    from provpack.document import parse_document
    from provpack.elisions import analyse
    from provpack.metadata import merge
    from provpack.provenance import describe

    document = parse_document("x", text.encode("utf-8"))
    doc = describe(document, analyse(document), merge(document.parsed, None), target_uri="urn:x", record_id=RID,
                   sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return json.loads(json.dumps(doc))   # type: ignore[no-any-return]


@pytest.mark.parametrize("generator", ["provpack 0.5.0", "provpack 0.5", "provpack 0.5.3.dev1", "provpack 0.4.0"])
def test_a_record_of_provpack_before_0_6_is_checked_by_its_rule_of_markers(generator: str) -> None:
    """Before 0.6.0 provpack read `[\\u200f...\\u200f]` and `[中略]` as alterations and knew no `【中略】`, `［……］`
    or `⋯⋯`: its records pass as written; the same record said to be 0.6.0's fails, word for word."""
    old = provenance(MARKED, record_id=RID, target="urn:x", generator=generator, pad=PAD_0_5)
    assert (old["elisions"], [a["marker"] for a in old["alterations"]]) == (   # type: ignore[attr-defined]
        [], ["[\u200f...\u200f]", "[\u2067\u2026\u2069]", "[\u4e2d\u7565]"])
    for full in (False, True):
        assert explain(old, facts_for(MARKED), full=full) == ([], True)
    assert sound(old, facts_for(MARKED))
    old["generator"] = "provpack 0.6.0"
    said = [f"alterations[{index}]: {a['marker']!r} at {a['start']}-{a['end']} {_NOT_EDIT}"
            for index, a in enumerate(old["alterations"])]   # type: ignore[arg-type]
    assert explain(old, facts_for(MARKED)) == (said, True)
    assert not sound(old, facts_for(MARKED))
    assert explain(old, facts_for(MARKED), full=True) == ([*said, (
        "elisions: the bracketed ones are not the text's bracketed cuts before the trailer (not listed: 2-9, 12-17,"
        " 20-24, 27-31, 34-38)"), (
        "alterations are not the text's bracketed editorial marks before the trailer (listed but not one: 2-9,"
        " 12-17, 20-24)"), (
        "segments are not the body cut at its bracketed elisions (expected 0-1, 10-11, 18-19, 25-26, 32-33 ...;"
        " listed 0-45)")], True)


@pytest.mark.parametrize("generator", ["provpack 0.6.0", "provpack 0.6", "provpack 1.0.0", "warcbuild (tests)", None])
def test_markers_padded_by_direction_marks_and_east_asian_marks_pass(generator: str | None) -> None:
    """This provpack's reading of those markers (cuts, one possible) passes every check for a record of 0.6.0 or
    later, of another writer or of none; said to be 0.5.0's, each marker is not one of its kind then."""
    new = _written(MARKED)
    assert [(e["marker"], e["kind"]) for e in new["elisions"]] == [
        ("[\u200f...\u200f]", "bracketed"), ("[\u2067\u2026\u2069]", "bracketed"), ("[\u4e2d\u7565]", "bracketed"),
        ("\u3010\u4e2d\u7565\u3011", "bracketed"), ("\uff3b\u2026\u2026\uff3d", "bracketed"), ("\u22ef\u22ef", "possible")]
    new["generator"] = generator
    for full in (False, True):
        assert explain(new, facts_for(MARKED), full=full) == ([], True)
    assert sound(new, facts_for(MARKED))
    new["generator"] = "provpack 0.5.0"
    said = [f"elisions[{index}]: {e['marker']!r} at {e['start']}-{e['end']} {_NOT_CUT}"
            for index, e in enumerate(new["elisions"][:5])] + [
        "elisions[5]: '\u22ef\u22ef' at 41-43 is not a possible elision marker ('...', '\u2026', '. . .', '(...)',"
        " '(\u2026)') before the trailer"]
    assert explain(new, facts_for(MARKED)) == (said, True)
    assert not sound(new, facts_for(MARKED))


def test_a_mark_in_other_brackets_inside_an_alteration_is_no_cut_deep() -> None:
    """--deep: `【中略】` inside `[注【中略】]` is part of the alteration, as elisions.py reads it; listing it as a cut
    too is said."""
    text = "a [\u6ce8\u3010\u4e2d\u7565\u3011] b \u3010\u4e2d\u7565\u3011 c"
    doc = _written(text)
    assert ([e["marker"] for e in doc["elisions"]], [a["marker"] for a in doc["alterations"]]) == (
        ["\u3010\u4e2d\u7565\u3011"], ["[\u6ce8\u3010\u4e2d\u7565\u3011]"])
    assert explain(doc, facts_for(text), full=True) == ([], True)
    inner = copy.deepcopy(doc["elisions"][0])
    inner.update(marker="\u3010\u4e2d\u7565\u3011", start=4, end=8, byte_start=6, byte_end=18, column=5)
    inner["@id"] = f"{RID.strip('<>')}#elision-4"
    inner["oa:hasTarget"]["oa:hasSelector"] = [
        {"@type": "oa:TextPositionSelector", "oa:start": 4, "oa:end": 8},
        {"@type": "oa:TextQuoteSelector", "oa:exact": "\u3010\u4e2d\u7565\u3011", "oa:prefix": "a [\u6ce8",
         "oa:suffix": text[8:]}]
    doc["elisions"].insert(0, inner)
    assert explain(doc, facts_for(text), full=True) == ([
        "elisions: the bracketed ones are not the text's bracketed cuts before the trailer (listed but not a"
        " bracketed cut: 4-8)"], True)


# Since 0.6.0 too: an omission word in parentheses is a possible cut, three middle dots an ellipsis
MIDDLE = ("a \uff08\u4e2d\u7565\uff09 b (\uc0dd\ub7b5) c [\u00b7\u00b7\u00b7] d \uff3b\u30fb\u30fb\u30fb\uff3d e (\u00b7\u00b7\u00b7) f"
          " \u30fb\u30fb\u30fb g")


def test_an_omission_word_in_parentheses_is_a_possible_cut_and_middle_dots_an_ellipsis() -> None:
    """`（中略）` and `(생략)` are possible cuts (prose writes them: a glossary's `WHO（略）`), `[···]` and `［・・・］`
    bracketed ones, `(···)` and `・・・` possible: the record elisions.py writes passes; the same cuts said to be
    bracketed (as this session's first reading had `（中略）`), or `[···]` an alteration, are said."""
    doc = _written(MIDDLE)
    assert ([(e["marker"], e["kind"]) for e in doc["elisions"]], doc["alterations"]) == ([
        ("\uff08\u4e2d\u7565\uff09", "possible"), ("(\uc0dd\ub7b5)", "possible"), ("[\u00b7\u00b7\u00b7]", "bracketed"),
        ("\uff3b\u30fb\u30fb\u30fb\uff3d", "bracketed"), ("(\u00b7\u00b7\u00b7)", "possible"), ("\u30fb\u30fb\u30fb", "possible")], [])
    for full in (False, True):
        assert explain(doc, facts_for(MIDDLE), full=full) == ([], True)
    assert sound(doc, facts_for(MIDDLE))
    for index in (0, 1):
        wrong = copy.deepcopy(doc)
        wrong["elisions"][index]["kind"] = "bracketed"
        mark = wrong["elisions"][index]
        assert explain(wrong, facts_for(MIDDLE)) == ([
            f"elisions[{index}]: {mark['marker']!r} at {mark['start']}-{mark['end']} {_NOT_CUT}"], True)
        assert not sound(wrong, facts_for(MIDDLE))
    wrong = copy.deepcopy(doc)
    wrong["elisions"][2]["kind"] = "possible"
    assert explain(wrong, facts_for(MIDDLE)) == ([
        "elisions[2]: '[\u00b7\u00b7\u00b7]' at 16-21 is not a possible elision marker ('...', '\u2026', '. . .',"
        " '(...)', '(\u2026)') before the trailer"], True)
    old = copy.deepcopy(doc)
    old["generator"] = "provpack 0.5.0"   # (0.5.0 read `[···]` as an alteration and knew none of the others)
    assert not sound(old, facts_for(MIDDLE))


@given(st.lists(st.sampled_from(["[", "]", "(", ")", "\uff08", "\uff09", "\uff3b", "\uff3d", "\u3010", "\u3011", "\u3014",
                                 "\u3015", ".", "\u2026", "\u22ef", "\u2025", "\uff0e", " ", "\t", "\u3000", "\u200b",
                                 "\u200f", "\u2067", "\u202e", "\n", "a", "\u4e2d\u7565", "\u7565", "\ud6c4\ub7b5", "sic",
                                 "\u00b7", "\u30fb", "\u00b7\u00b7\u00b7", "\u30fb\u30fb"]),
                max_size=12).map("".join))
def test_the_verifiers_markers_are_the_writers(marker: str) -> None:
    """provcheck writes the rules of markers again (it imports nothing of the writer): by the newest rule each
    string has the shape elisions.py gives it."""
    from provpack import elisions

    bracketed, possible = elisions.wide_patterns()

    def whole(pattern: re.Pattern[str]) -> bool:   # (what analyse finds at the marker's start: all of it)
        match = pattern.match(marker)
        return match is not None and match.end() == len(marker)

    if whole(bracketed) and elisions.is_cut(marker):
        expected: str | None = "bracketed"
    elif whole(possible) and elisions.is_cut(marker):
        expected = "possible"
    else:
        expected = "alteration" if elisions._ALTERATION.fullmatch(marker) else None
    assert provcheck._shape_of(marker) == expected


def _plain_patterns(pad: str, wide: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The markers of one rule in their plain form, groups repeated (provpack 0.6.0's, which took 120 to 190 bytes of
    re's stack a character: the reference for those written without a group's repeat)."""
    gap = f"[{pad}]"
    if not wide:
        return (re.compile(rf"\[{gap}*(?:[.\u2026]{gap}*)+\]"),
                re.compile(rf"\({gap}*(?:[.\u2026]{gap}*)+\)|\.(?:{gap}?\.){{2,}}|\u2026+"))
    dots = rf"{gap}*(?:[.\u2025\u2026\u22ef\uff0e]{gap}*)+"
    words = rf"{gap}*(?:\u00b7{{3,}}|\u30fb{{3,}}|{'|'.join(provcheck._OMISSION_WORDS)}){gap}*"
    pairs = ("[]", "\uff3b\uff3d", "\u3010\u3011", "\u3014\u3015")
    return (re.compile("|".join(rf"{re.escape(a)}(?:{dots}|{words}){re.escape(b)}" for a, b in pairs)),
            re.compile(rf"\((?:{dots}|{words})\)|\uff08(?:{dots}|{words})\uff09|\.(?:{gap}?\.){{2,}}"
                       rf"|\uff0e(?:{gap}?\uff0e){{2,}}|\u2026+|\u22ef+|\u2025\u2025+|\u00b7{{3,}}|\u30fb{{3,}}"))


_RUN_PIECES = [".", ".", " ", "\u00a0", "\u2009", "\t", "\u200f", "\u3000", "\u2026", "\uff0e", "\u2025", "\u22ef",
               "\u00b7", "\u30fb", "\u4e2d\u7565", "a"]
_OPENERS = ["", "[", "(", "\uff3b", "\uff08", "\u3010", "\u3014"]
_CLOSERS = ["", "]", ")", "\uff3d", "\uff09", "\u3011", "\u3015"]


@given(st.sampled_from(_OPENERS), st.lists(st.sampled_from(_RUN_PIECES), max_size=12), st.sampled_from(_RUN_PIECES),
       st.integers(0, 300), st.lists(st.sampled_from(_RUN_PIECES), max_size=12), st.sampled_from(_CLOSERS))
@example("", [], ".", 100, [" ", " ", "."], "")                     # two spaces inside: no marker, however long
@example("", [".", " "], "\uff0e", 100, ["\u3000", "\u3000", "\uff0e"], "")
@example("", [], ". ", 100, [], "")                                 # a space at the end
@example("[", [], ". ", 100, [" "], "]")
@example("\uff08", ["\u3000"], "\u00b7", 100, ["\u3000"], "\uff09")
@example("", ["\uff0e", "\uff0e"], "\uff0e", 100, ["."], "")        # a full-width run, and a dot: no marker
@example("", [], ".", 100, ["a", "."], "")
def test_markers_with_long_runs_have_the_shapes_of_the_plain_patterns(
        opener: str, before: list[str], run: str, count: int, after: list[str], closer: str) -> None:
    """Markers of runs of dots, ellipses, middle dots and spaces, in brackets or not: by each rule, the patterns (each
    repeat of one character, re's stack flat) take a whole marker, and match one at its start, as the plain ones."""
    marker = opener + "".join(before) + run * count + "".join(after) + closer
    for pad, wide in provcheck._RULES:
        for flag in {False, wide}:
            (bracketed, possible), (plain_bracketed, plain_possible) = (provcheck._marker_patterns(pad, flag),
                                                                        _plain_patterns(pad, flag))
            assert bool(bracketed.fullmatch(marker)) == bool(plain_bracketed.fullmatch(marker))
            assert bool(possible.fullmatch(marker)) == bool(plain_possible.fullmatch(marker))
            found, expected = bracketed.match(marker), plain_bracketed.match(marker)
            assert (found and found.span()) == (expected and expected.span())


@pytest.mark.parametrize("marker", [
    "." * 200_000, ". " * 100_000 + ".", "\uff0e\u3000" * 100_000 + "\uff0e", "\u2026" * 200_000,
    "[" + "." * 200_000 + "]", "[" + ". " * 100_000 + "]", "(" + "\u2026" * 200_000 + ")",
    "\uff3b" + "\uff0e" * 200_000 + "\uff3d", "\u3010" + "\u2025 " * 100_000 + "\u3011",
    "\uff08" + "\u22ef" * 200_000 + "\uff09", "." * 200_000 + "  .", ". " * 100_000,
])
def test_a_marker_of_a_long_run_is_checked_in_flat_memory(marker: str) -> None:
    """A hostile record's marker of 200,000 dots (ellipses, spaces) gets its shape, by each rule, without a frame of
    re's stack for each character (a marker of 16 MB of `.` took 2 GB to check, 51 KB of archive)."""
    def shapes(marker: str, block: bytes) -> list[str | None]:
        provcheck._square_marks(marker, block, len(marker), provcheck._NEWEST)   # (--deep: the cuts at each '[')
        return [provcheck._shape_of(marker), *(provcheck._shape_by_rule(rule, marker) for rule in (0, 1))]

    shapes(marker[:9], marker[:9].encode())   # (the patterns compiled)
    block = marker.encode()
    tracemalloc.start()
    try:
        found = shapes(marker, block)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000, peak
    assert found[0] == (None if marker.endswith((" ", "  .")) else
                         "bracketed" if marker[0] in "[\uff3b\u3010" else "possible")


@pytest.mark.parametrize("generator", [["provpack 0.6.0"], {"v": 1}])
def test_a_generator_that_is_no_text_is_checked_by_the_newest_rules_not_a_type_error(generator: object) -> None:
    """A hostile record's generator may be any JSON value: a list (which a cached lookup cannot hash) is taken as
    none, the newest rules; no 'unhashable type' in a message, and the record's other checks still run."""
    doc = provenance(PADDED, record_id=RID, target="urn:x", generator="provpack 0.6.0")
    doc["generator"] = generator
    assert explain(doc, facts_for(PADDED)) == ([], True)
    assert sound(doc, facts_for(PADDED))


def _no_target(doc: dict[str, Any]) -> None:
    del doc["elisions"][0]["oa:hasTarget"]


def _elision_moved(doc: dict[str, Any]) -> None:
    """The elision's characters, @id and selectors moved together to 0-5; its bytes left at 4-9."""
    mark = doc["elisions"][0]
    mark["start"], mark["end"], mark["@id"] = 0, 5, f"{RID.strip('<>')}#elision-0"
    position, quote = mark["oa:hasTarget"]["oa:hasSelector"]
    position["oa:start"], position["oa:end"] = 0, 5
    quote["oa:prefix"] = quote["oa:suffix"] = ""


def _elision_bytes_moved(doc: dict[str, Any]) -> None:
    doc["elisions"][0]["byte_start"], doc["elisions"][0]["byte_end"] = 0, 5


def _segment_shifted(doc: dict[str, Any]) -> None:
    doc["segments"][1]["start"] -= 1
    doc["segments"][1]["end"] -= 1


def _alteration_bytes_before_the_block(doc: dict[str, Any]) -> None:
    doc["alterations"][0]["byte_start"] -= 13


def _alteration_quote_not_its_marker(doc: dict[str, Any]) -> None:
    doc["alterations"][0]["oa:hasTarget"] = {"oa:hasSelector": [
        {"@type": "oa:TextQuoteSelector", "oa:exact": "[SIC]", "oa:prefix": "abc "}]}


def _selector_type_damaged(doc: dict[str, Any]) -> None:
    selectors = doc["elisions"][0]["oa:hasTarget"]["oa:hasSelector"]
    selectors.reverse()
    selectors[1]["@type"] = "oa:TextPositionSelectorX"


def _no_id_no_source(doc: dict[str, Any]) -> None:
    del doc["@id"]
    doc["elisions"][0]["oa:hasTarget"]["oa:hasSource"] = None


# (name, text, change, the resource's WARC-Target-URI, every message): changes the quick check once let through
MISSED: list[tuple[str, str, Callable[[dict[str, Any]], None], str | None, list[str]]] = [
    ("elision without a target", "abc [...] def", _no_target, "urn:x", [
        "elisions[0]: oa:hasTarget has no oa:hasSelector list"]),
    ("elision moved", "abc [...] def", _elision_moved, "urn:x", [
        "elisions[0]: characters 0-5 and bytes 4-9 select different text"]),
    ("elision bytes moved", "abc [...] def", _elision_bytes_moved, "urn:x", [
        "elisions[0]: characters 4-9 and bytes 0-5 select different text"]),
    ("segment shifted", "abc [...] def", _segment_shifted, "urn:x", [
        "segments[1]: characters 9-12 and bytes 10-13 select different text"]),
    ("alteration bytes before the block", "abc def [sic]", _alteration_bytes_before_the_block, "urn:x", [
        "alterations[0]: bytes -5-13 are outside the block (0-13)"]),
    ("alteration quote not its marker", "abc [sic] def", _alteration_quote_not_its_marker, "urn:x", [
        "alterations[0]: TextQuoteSelector exact '[SIC]' is not the marker '[sic]'"]),
    ("selector type damaged", "abc [...] def", _selector_type_damaged, "urn:x", [
        "elisions[0]: oa:hasSelector holds ['oa:TextQuoteSelector', 'oa:TextPositionSelectorX'], not one"
        " oa:TextPositionSelector and one oa:TextQuoteSelector"]),
    ("no @id, no source, no target", "abc [...] def", _no_id_no_source, None, [
        "elisions[0]: oa:hasSource None is not the excerpt's @id None"]),
]


@pytest.mark.parametrize(("name", "text", "change", "target", "expected"), MISSED, ids=[case[0] for case in MISSED])
def test_changes_the_quick_check_could_miss_are_said(name: str, text: str, change: Callable[[dict[str, Any]], None],
                                                      target: str | None, expected: list[str]) -> None:
    """Each change fails sound() and is said word for word by the rule-by-rule check and by verify's tracker."""
    doc = copy.deepcopy(provenance(text, record_id=RID, target="urn:x"))
    change(doc)
    raw = text.encode("utf-8")
    facts = ResourceFacts(RID, len(raw), hashlib.sha256(raw).hexdigest(), raw, target)
    assert not sound(doc, facts)
    assert explain(doc, facts) == (expected, True)
    assert check_provenance(doc, facts) == (expected, True)
    tracker = ProvenanceTracker(Counter())
    tracker.resource(facts)
    problems = tracker.metadata(0, "<urn:m>", json.dumps(doc).encode(), RID.encode(), seen=set())
    assert [(problem.kind, problem.message) for problem in problems] == [("metadata-mismatch", message)
                                                                          for message in expected]


@pytest.mark.parametrize(("block", "searched"), [
    (b'{"format": "provpack-provenance/1"}', True),
    (b'{"format": "provpack\\u002dprovenance/1"}', True),   # an escape: the mark is not there, a \u is
    (b'\xef\xbb\xbf\r\n {"\\u0066ormat": 1}', True),   # a BOM, white space, then an object with an escape
    ('{"format": "provpack-provenance/1"}'.encode("utf-16-le"), True),   # UTF-16 and UTF-32: any object
    ('{"format": "provpack-provenance/1"}'.encode("utf-16"), True),
    ('{}'.encode("utf-32-be"), True),
    (' \r\n {"a": 1}'.encode("utf-16-be"), True),   # white space first: then an object
    (("\ufeff" + " " * 300 + "{}").encode("utf-32-le"), True),   # white space past the bytes looked at: taken
    (b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4, False),   # an MP4 (a NUL first, but no object)
    (b"\x00\x01\x00\x00\x00\x0e\x00\x80", False),   # a TrueType font
    ("plain text, in UTF-16".encode("utf-16"), False),   # a BOM, then no object
    ("[1, 2]".encode("utf-16-be"), False),   # an array
    (b'{"text": "a backslash \\\\ but no escape"}', False),
    (b'{"text": "plain"}', False),
    (b'\n\nprovpack-provenance/1 named in a text that starts with white space', False),   # no object: no search
    (b' [{"format": "provpack-provenance/1"}]', False),   # an array is no provenance document
])
def test_may_hide_takes_every_spelling_json_loads_reads_and_little_else(block: bytes, searched: bool) -> None:
    """may_hide says which blocks (whose first byte is in JSON_START) `hidden` parses: a JSON object in UTF-8 that
    holds the format's name or a \\u escape (which may spell it), any object in UTF-16 or UTF-32 (not a video or a
    font whose first bytes hold a NUL); not a text that only starts with white space, nor an object with neither. Whatever it takes, hidden decides on the parsed value,
    as show and extract do."""
    assert block[0] in provcheck.JSON_START
    assert provcheck.may_hide(block, 0, len(block)) is searched
    assert provcheck.may_hide(b"xx" + block + b"yy", 2, len(block) + 2) is searched
    if not searched:
        try:
            doc, _ = parse(block)
        except ValueError:
            return
        assert not is_provenance(doc)


@pytest.mark.parametrize(("path", "value", "problem", "deeper"), [
    (("name",), None, "'name' is missing or not text", None),
    (("sidecar",), "x", "'sidecar' is not an object", None),
    (("elisions", 0, "line"), "5", "elision 0 lacks its marker, kind, offsets or selectors",
     "elisions[0]: line '5' column 12, but character 29 is at line 3 column 12"),
    (("elisions", 0, "column"), 2**70, None,   # (orjson reads it as a float: judged by json.loads's reading, an int)
     f"elisions[0]: line 3 column {2**70}, but character 29 is at line 3 column 12"),
    (("fields",), {"title": {"span": [5, 2, 1]}}, "field 'title' is not an object with a [start, end] span", None),
])
@pytest.mark.parametrize("deep", [False, True])
def test_a_record_not_of_the_shape_readers_rely_on_is_a_problem(path: tuple[Any, ...], value: Any,
                                                                 problem: str | None, deeper: str | None, deep: bool,
                                                                 tmp_path: Path) -> None:
    """A provenance record of a shape show and extract take for damage (reader: exit 1, `provpack verify gives the
    full report`) is a problem to verify too, in the same words (provshape), where no other check finds one (else
    that one is said, `deeper` with --deep): verify, --deep too, passed a record whose name was null or whose sidecar
    was text, which its excerpt's rules do not look at, and without --deep one whose elision's line was text."""
    from warcbuild import provpack_records, warc

    from provpack import read_archive, verify

    text = SAMPLE_TEXTS[0]
    info, resource, _ = provpack_records([text])
    record_id = resource.split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    digest = hashlib.sha256(text.encode()).hexdigest()
    doc = provenance(text, record_id=record_id, target=f"urn:provpack:sha256:{digest}")
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    _, _, meta = provpack_records([text], docs=[doc])
    archive = tmp_path / "a.warc"
    archive.write_bytes(warc([info, resource, meta], gzip=False))
    at = len(info) + len(resource)
    meta_id = meta.split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    said = (deeper if deep and deeper is not None else None if problem is None else
            f"the provenance JSON is not of the shape docs/format.md gives: {problem}; show and extract take this "
            "record for damage")
    assert [(p.offset, p.kind, p.message) for p in verify(archive, deep=deep).files[0].problems] == (
        [] if said is None else [(at, "metadata-mismatch", said)])
    if problem is None:
        assert len(read_archive(archive)) == 1
        return
    with pytest.raises(IntegrityError) as caught:
        read_archive(archive)
    assert str(caught.value) == (f"{archive}: the metadata record at byte {at} ('{meta_id}') is damaged: its "
                                 f"provenance JSON is not of the shape docs/format.md gives: {problem}; `provpack "
                                 "verify` gives the full report")
