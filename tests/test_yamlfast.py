"""Tests for provpack.yamlfast: the fast sidecar readers give what PyYAML's full path gives, or nothing."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack import metadata, yamlfast
from provpack.errors import InputError
from provpack.metadata import MAX_DEPTH, MAX_STRING, MAX_VALUES, load_sidecar

SCALARS = ["plain text", "yes", "No", "on", "~", "null", "", "1", "-0", "0x1F", "0o17", "017", "1_000", "1:20",
           "-1.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "2017-11-12", "2001-12-14t21:59:43.10-05:00",
           "2001-12-14 21:59:43", "2001-13-45", "'quoted'", '"caf\\u00e9 \\t"', '"plain dq"', "<<", "=", "!!str 3",
           "!!int 3", "!!binary aGVsbG8=", "!!float 1", "!foo x", "&anchor x", "*anchor", "'it''s'", "T\u00e9st \u2014 x",
           "https://example.org/a?b=c#frag", "a #comment", "a: b", "a:", "x:y", "123456789012345678901234567890",
           "-x", "- x", "? x", "%x", "@x", "`x", "#c", "!x", "|x", "a\u2028b", "a\tb", "trailing ", "[a, b]", "{a: b}", ">", "|",
           "> x", "a , b", "\u00e9t\u00e9", "\U0001f600 smile", "[a, 1, yes, ~]", "[]", "[ a ]", "[a, [b]]", "[a,]",
           "[a: b]", "[\"q\"]"]
KEYS = ["title", "url", "1", "'1'", "true", "yes", "on", "y", "null", "2017-01-01", "1.5", "~", "<<", "a", "A",
        "? k", "[x]", "&k key", "key ", "\"dq\"", "_x", "a1", "a-b"]
INDENTS = ["", " ", "  ", "    "]


@st.composite
def yaml_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """Sidecar-like YAML: tricky keys and scalars, flow and block lists, folded text and nested mappings."""
    indent = "  " * depth
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=0 if depth else 1, max_size=5)):
        shape = draw(st.sampled_from(["scalar", "scalar", "block", "folded", "mapping", "comment"]
                                     if depth < 3 else ["scalar"]))
        if shape == "scalar":
            lines.append(f"{indent}{key}:{draw(st.sampled_from([' ', '  ', '']))}{draw(st.sampled_from(SCALARS))}")
        elif shape == "block":
            lines.append(f"{indent}{key}:")
            item_indent = draw(st.sampled_from(INDENTS))
            lines.extend(f"{indent}{item_indent}- {item}" for item in draw(st.lists(st.sampled_from(SCALARS),
                                                                                   min_size=0, max_size=3)))
        elif shape == "folded":
            lines.append(f"{indent}{key}: >")
            block_indent = draw(st.sampled_from(INDENTS))
            lines.extend(f"{indent}{block_indent}{words}" for words in draw(st.lists(
                st.sampled_from(["some words", "more: words #", "", " deeper", "end ", "- x", "\u00e9"]),
                max_size=3)))
        elif shape == "comment":
            lines.append(draw(st.sampled_from(["# a comment", "", "   ", "  # indented comment", "---", "..."])))
        else:
            nested = draw(yaml_texts(depth + 1))
            lines.append(f"{indent}{key}:" + ("\n" + nested if nested else " {}"))
    return "\n".join(lines)


def outcome(path: Path) -> object:
    """What load_sidecar gives: the value with its key order, or the error's type and message."""
    try:
        loaded = load_sidecar(path)
    except (InputError, ValueError, TypeError) as exc:
        return type(exc), str(exc)
    return repr(loaded)


@given(text=yaml_texts(), newline=st.sampled_from(["\n", "", "\n\n", "\r\n"]))
@example(text="a: .inf\nb: [-.inf, .nan]", newline="\n")
@example(text="1: a\n'1': b\n1: c", newline="\n")
@example(text="k:\n  1: a\n  true: b\n  1.0: c", newline="\n")
@example(text="yes: a\non: b", newline="\n")
@example(text="notes: >\n  one\n  two\nnext: x", newline="\n")
@example(text="tags:\n- a\n- 2017-11-12\nk: v", newline="\n")
def test_fast_readers_agree_with_the_full_path(tmp_path_factory: pytest.TempPathFactory, text: str,
                                               newline: str) -> None:
    """Whatever the fast readers return is what yaml.load and metadata's JSON conversion return."""
    path = tmp_path_factory.mktemp("quick") / "doc.yaml"
    path.write_bytes((text + newline).encode("utf-8"))
    fast = outcome(path)
    with mock.patch.object(metadata, "quick_load", lambda source, **limits: None):
        assert fast == outcome(path)


@pytest.mark.parametrize("form", ["k: {}\n", "k:  {}\n", "k:\n  - {}\n", "k:\n- {}\n", "k: [{}]\n", "k: [x, {}]\n",
                                  "{}: v\n", "k: >\n  {}\n"])
@pytest.mark.parametrize("scalar", SCALARS)
def test_fast_readers_agree_on_each_scalar(tmp_path: Path, form: str, scalar: str) -> None:
    """Every tricky scalar, as a value, a list item, a flow item, a key and folded text: the full path's answer."""
    path = tmp_path / "doc.yaml"
    path.write_text(form.replace("{}", scalar), encoding="utf-8")
    fast = outcome(path)
    with mock.patch.object(metadata, "quick_load", lambda source, **limits: None):
        assert fast == outcome(path)


@pytest.mark.parametrize("text", ["", "---\na: 1\n---\nb: 2\n", "- a\n", "x\n", "a: &r [*r]\n",
                                  "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n", "s: !!set {a, b}\n",
                                  "a: 1\na: 2\n", "d: 2001-02-30\n", "k: v\n" * 3])
def test_fast_readers_agree_on_unusual_sidecars(tmp_path: Path, text: str) -> None:
    """Anchors, aliases, merge keys, tags, several documents, duplicates and bad dates: the full path's answer."""
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    fast = outcome(path)
    with mock.patch.object(metadata, "quick_load", lambda source, **limits: None):
        assert fast == outcome(path)


SIDECAR = ("title: \"A: Title\"\nurl: https://example.org/x\npublished: 2017-11-12\nretrieved: 2024-01-02T03:04:05Z\n"
           "author:\n  - One\n  - Two\ntags: [a, b]\nrating: 3.5\nlimit: .inf\nnotes: >\n  folded\n  text\n")
EXPECTED = {"title": "A: Title", "url": "https://example.org/x", "published": "2017-11-12",
            "retrieved": "2024-01-02T03:04:05+00:00", "author": ["One", "Two"], "tags": ["a", "b"], "rating": 3.5,
            "limit": "inf", "notes": "folded text\n"}


def test_line_reader_takes_sidecars_as_users_write_them() -> None:
    """A typical sidecar is read line by line, and gives the full path's value."""
    assert yamlfast._read_lines(SIDECAR, max_values=MAX_VALUES, max_string=MAX_STRING) == EXPECTED


def test_event_reader_takes_what_the_line_reader_leaves() -> None:
    """A nested mapping and a comment after a value are left to libyaml's events, with the same result."""
    text = SIDECAR + "extra: {nested: [1, 2]}  # note\n"
    with pytest.raises(yamlfast._Undecided):
        yamlfast._read_lines(text, max_values=MAX_VALUES, max_string=MAX_STRING)
    expected = {**EXPECTED, "extra": {"nested": [1, 2]}}
    assert yamlfast.quick_load(text, max_values=MAX_VALUES, max_depth=MAX_DEPTH, max_string=MAX_STRING) == expected


@pytest.mark.parametrize("count", [MAX_VALUES - 2, MAX_VALUES - 1, MAX_VALUES])
def test_value_limit_counts_as_the_full_path(tmp_path: Path, count: int) -> None:
    """At and around the limit on values, the fast reader agrees with the full path on what is too many."""
    path = tmp_path / "doc.yaml"
    path.write_text("items:\n" + "  - x\n" * count, encoding="utf-8")
    fast = outcome(path)
    with mock.patch.object(metadata, "quick_load", lambda source, **limits: None):
        assert fast == outcome(path)
