"""provpack.provshape: the shape of a provenance record show and extract read, and verify judges by."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from provpack.provshape import shape_problem

from warcbuild import SAMPLE_TEXTS, provenance

SOUND = provenance(SAMPLE_TEXTS[0], record_id="<urn:uuid:1>", target="urn:x")


def test_a_record_provpack_writes_has_its_shape() -> None:
    assert SOUND["elisions"] and shape_problem(SOUND) is None


@pytest.mark.parametrize(("path", "value", "problem"), [
    (("name",), None, "'name' is missing or not text"),
    (("length_bytes",), True, "'length_bytes' is missing or not a count"),   # (a bool is no count)
    (("length_chars",), 3.0, "'length_chars' is missing or not a count"),
    (("segments",), [{}, []], "'segments' is not a list of objects"),
    (("sidecar",), "x", "'sidecar' is not an object"),
    (("original",), {"length_chars": -1}, "'original.length_chars' is not a count"),
    (("fields",), {"t\x1b": {"span": [1]}}, "field 't\\x1b' is not an object with a [start, end] span"),
    (("elisions", 0, "column"), -1, "elision 0 lacks its marker, kind, offsets or selectors"),
    (("elisions", 0, "oa:hasTarget"), {"oa:hasSelector": [1]},
     "elision 0 lacks its marker, kind, offsets or selectors"),
    (("elisions", 0, "omitted"), [], None),   # (an empty value counts as none)
    (("original",), {"length_chars": None}, None),   # (an original with no text)
])
def test_each_key_is_judged(path: tuple[Any, ...], value: Any, problem: str | None) -> None:
    doc = copy.deepcopy(SOUND)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert shape_problem(doc) == problem
