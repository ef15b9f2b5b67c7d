"""Provenance records against their excerpt: every rule of docs/format.md "What provpack verify checks"."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from provpack.provcheck import ResourceFacts, check_provenance, is_provenance

from strategies import excerpt_texts
from warcbuild import SAMPLE_TEXTS, provenance

RID = "<urn:uuid:00000000-0000-5000-8000-000000000000>"


def facts_for(text: str, *, keep: bool = True) -> ResourceFacts:
    raw = text.encode("utf-8")
    return ResourceFacts(RID, len(raw), hashlib.sha256(raw).hexdigest(), raw if keep else None)


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
    "quote exact": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:exact"), "[..]"),
    "quote prefix": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:prefix"), "nope"),
    "quote suffix": _set(("elisions", 0, "oa:hasTarget", "oa:hasSelector", 1, "oa:suffix"), "nope"),
    "no selectors": _set(("elisions", 0, "oa:hasTarget"), {}),
    "record_id": _set(("record_id",), "<urn:uuid:other>"),
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
