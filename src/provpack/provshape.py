"""The shape of a provenance record that readers rely on: the keys `show` and `extract` read, of the types they read
them as (docs/format.md).

A record of provpack's format that is not of this shape is damage to show and extract (read past, exit 1), and a
problem to verify (metadata-mismatch), which judges it by this same rule: verify passed a record whose `name` was
null, or whose elision's `line` was text, that show then called damaged.
"""

from __future__ import annotations

from typing import Any

from .sniff import quoted_text

_TEXT_KEYS = ("name", "record_id", "sha256")
_LISTS = ("elisions", "segments", "alterations", "differences")
_OBJECTS = ("fields", "sidecar", "original")
_ELISION_INTS = ("start", "end", "byte_start", "byte_end", "line", "column")
_OBJECT = frozenset((dict,))


def shape_problem(provenance: dict[str, Any], *, sound: bool = False) -> str | None:
    """What is wrong with the shape of a provenance record that readers rely on, or None.

    `provenance` is what a JSON parser gave (json.loads, or orjson): its values are exactly dict, list, str, int,
    float, bool or None, so that `type(value) is int` is a number that is not a bool. Written for speed (verify
    runs it on every provenance record): types compared, no generator per key. `sound`: provcheck.sound passed the
    record (verify's usual case), having read its record_id, sha256, lengths, segments, alterations and elisions as
    this reads them, so only the rest is looked at (a third of the time); the answer is the same."""
    get = provenance.get
    if sound:
        if type(get("name")) is not str:
            return "'name' is missing or not text"
        items = get("differences", [])
        if type(items) is not list or (items and not _OBJECT.issuperset(map(type, items))):
            return "'differences' is not a list of objects"
    else:
        for key in _TEXT_KEYS:
            if type(get(key)) is not str:
                return f"'{key}' is missing or not text"
        length_bytes, length_chars = get("length_bytes"), get("length_chars", 0)
        if type(length_bytes) is not int or length_bytes < 0:
            return "'length_bytes' is missing or not a count"
        if type(length_chars) is not int or length_chars < 0:
            return "'length_chars' is missing or not a count"
        for key in _LISTS:
            items = get(key, [])
            if type(items) is not list or (items and not _OBJECT.issuperset(map(type, items))):
                return f"'{key}' is not a list of objects"
    for key in _OBJECTS:
        if type(get(key) or {}) is not dict:
            return f"'{key}' is not an object"
    original_chars = (get("original") or {}).get("length_chars", 0)
    if original_chars is not None and not (type(original_chars) is int and original_chars >= 0):   # null: no text
        return "'original.length_chars' is not a count"
    for name, field in (get("fields") or {}).items():
        span = field.get("span") if type(field) is dict else None
        if type(field) is not dict or not (span is None or _is_span(span)):
            return f"field {quoted_text(str(name))} is not an object with a [start, end] span"
    for number, elision in enumerate(() if sound else get("elisions", [])):
        element = elision.get
        target = element("oa:hasTarget", {})
        selectors = target.get("oa:hasSelector", []) if type(target) is dict else None
        start, end, byte_start, byte_end, line, column = map(element, _ELISION_INTS)
        if (type(element("marker")) is not str or type(element("kind")) is not str
                or not (type(start) is type(end) is type(byte_start) is type(byte_end) is type(line) is type(column)
                        is int and min(start, end, byte_start, byte_end, line, column) >= 0)
                or type(selectors) is not list or (selectors and not _OBJECT.issuperset(map(type, selectors)))
                or type(element("omitted") or {}) is not dict):
            return f"elision {number} lacks its marker, kind, offsets or selectors"
    return None


def _is_span(value: Any) -> bool:
    return (type(value) is list and len(value) == 2 and type(value[0]) is type(value[1]) is int
            and value[0] >= 0 and value[1] >= 0)
