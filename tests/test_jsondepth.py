"""Tests for provpack.jsondepth: how deep a JSON text nests, found without parsing it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.jsondepth import MAX_DEPTH, TooDeep, check, depth, loads


def nested(levels: int, inner: object = 1) -> object:
    """`inner` in `levels` arrays and objects, taken in turn (built without recursion)."""
    value = inner
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


def _deepest(value: object) -> int:
    """How deep a parsed JSON value nests (for values shallow enough to recurse into)."""
    if isinstance(value, dict):
        return 1 + max(map(_deepest, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_deepest, value), default=0)
    return 0


@pytest.mark.parametrize(("text", "levels"), [
    (b"1", 0), (b"[]", 1), (b"{}", 1), (b'"[[{"', 0), (b"[[1],[[2]],{}]", 3),
    (b'["[[[[", {"a\\"[{": [[]]}]', 4),   # brackets in strings, an escaped quote before them
    (b'["\\\\", [[]]]', 3),   # an escaped backslash ends the string
    (b'["unterminated [[[[', 1), (b'["a\\', 1),   # a string the text ends in: json.loads stops there
    (b"]]][[", 0), (b"\xef\xbb\xbf[[]]", 2),
])
def test_depth_counts_the_arrays_and_objects_around_the_deepest_value(text: bytes, levels: int) -> None:
    assert depth(text) == depth(bytearray(text)) == levels


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32-be"])
def test_json_in_utf16_or_utf32_is_read_as_json_loads_reads_it(encoding: str) -> None:
    """json.loads takes UTF-16 and -32: their brackets and quotes are two or four bytes, a quote escaped too."""
    text = json.dumps([[["\"[[[["]], {"a": [[[]]]}]).encode(encoding)
    assert depth(text) == 5


@given(st.recursive(st.none() | st.integers() | st.text(), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=30))
def test_depth_is_the_nesting_json_loads_reads(value: object) -> None:
    """Any JSON value, its strings full of brackets, quotes and backslashes or not, as json.dumps writes it."""
    for ascii_only in (True, False):
        assert depth(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")) == _deepest(value)


def test_json_nested_past_the_limit_is_too_deep_at_any_depth() -> None:
    """MAX_DEPTH levels are read; one more is TooDeep, a ValueError (as json.loads's errors) saying how deep, where
    json.loads raises RecursionError (some 1,000 levels down) and orjson refuses only past 1,024."""
    assert loads(json.dumps(nested(MAX_DEPTH)).encode()) == nested(MAX_DEPTH)
    for levels in (MAX_DEPTH + 1, 990, 100_000):
        text = json.dumps(nested(levels)).encode() if levels < 900 else b"[" * levels + b"]" * levels
        with pytest.raises(TooDeep) as caught:
            check(text)
        assert isinstance(caught.value, ValueError) and caught.value.depth == levels
        assert str(caught.value) == (f"it nests arrays and objects {levels:,} levels deep, more than the "
                                     f"{MAX_DEPTH} provpack reads")
        with pytest.raises(TooDeep):
            loads(text)


@pytest.mark.parametrize("side", [0, 3 * MAX_DEPTH])
@pytest.mark.parametrize("inner", ["", "[{[", "\\\"[[{"])
def test_the_limit_is_the_same_with_few_brackets_or_many(side: int, inner: str) -> None:
    """MAX_DEPTH levels pass and one more is TooDeep whether the text holds few brackets (told by their number
    alone) or many beside the deepest ones (`side`: its depth read), and brackets in strings count for nothing."""
    for levels, deep in ((MAX_DEPTH, False), (MAX_DEPTH + 1, True)):
        value = [nested(levels - 2, [inner]), *([[index] for index in range(side)])]   # (in two lists)
        text = json.dumps(value).encode()
        assert depth(text) == levels
        if deep:
            with pytest.raises(TooDeep):
                check(text)
        else:
            check(text)
            assert loads(text) == value


def test_text_that_is_not_json_is_left_to_json_loads() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads(b"{not json")


def _depth_by_reading(text: bytes) -> int:
    """The depth read character by character as a JSON reader walks it: in a string or not, escapes skipped."""
    deepest = level = 0
    in_string = escaped = False
    for byte in text:
        char = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


@given(st.text(alphabet='[]{}"a,', max_size=60))
def test_depth_leaves_out_brackets_in_strings_as_a_reader_walking_the_text_does(text: str) -> None:
    """Strings (to their closing quote; one the text ends in runs to its end) hold no brackets: the depth is a
    walking reader's, in any text of brackets and quotes (escapes: the tests above)."""
    data = text.encode("ascii")
    assert depth(data) == _depth_by_reading(data)


def test_many_short_strings_cost_no_memory_per_string() -> None:
    """Millions of strings ("", "", ...) past the brackets' quick test: read by split, not one match object each
    (10 MB of them took 420 MB)."""
    import tracemalloc

    text = b"[" * (MAX_DEPTH + 1) + b'"",' * 1_000_000 + b"]" * (MAX_DEPTH + 1)
    tracemalloc.start()
    try:
        assert depth(text) == MAX_DEPTH + 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * len(text)
