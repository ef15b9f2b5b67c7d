"""Tests for provpack.metadata: safe sidecar loading and merging with parsed fields."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import metadata
from provpack.errors import InputError
from provpack.metadata import load_sidecar, merge
from provpack.model import ParsedField, Span


def sidecar(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_types_become_json_and_unknown_keys_stay(tmp_path: Path) -> None:
    """Dates become ISO 8601, unknown keys are kept as given."""
    loaded = load_sidecar(sidecar(tmp_path, (
        "title: A Title\npublished: 2017-11-12\nretrieved: 2024-01-02 03:04:05\n"
        "tags: [a, b]\nrating: 3\nextra: {nested: true}\n")))
    assert loaded == {"title": "A Title", "published": "2017-11-12", "retrieved": "2024-01-02T03:04:05",
                      "tags": ["a", "b"], "rating": 3, "extra": {"nested": True}}


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    """A syntax error names the sidecar, line and column."""
    path = sidecar(tmp_path, "title: ok\nauthor: [unclosed\nother: x\n")
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert caught.value.line is not None and caught.value.line >= 2
    assert str(caught.value).startswith(f"{path}: line ")
    assert "malformed YAML" in str(caught.value)


@pytest.mark.parametrize("text, words", [
    ("- a\n- b\n", "must be a mapping"),
    ("title: [1, 2]\n", "'title' must be text"),
    ("author: {a: 1}\n", "'author' must be text"),
    ("url: not a uri\n", "'url' is not an absolute URI"),
    ("source_url: ftp://example.org/x\n", "must be an http or https"),
    ("title: !!python/object/apply:os.system ['echo hacked']\n", "malformed YAML"),
    ("notes: \"a\\x07b\"\n", "control characters"),
])
def test_bad_sidecars_are_refused(tmp_path: Path, text: str, words: str) -> None:
    """Wrong shapes, wrong types and Python tags are refused with a clear message."""
    with pytest.raises(InputError, match=words):
        load_sidecar(sidecar(tmp_path, text))


def test_billion_laughs_is_bounded(tmp_path: Path) -> None:
    """Alias expansion is capped, so a YAML bomb is an error, not an exhausted machine."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    with pytest.raises(InputError, match="more than"):
        load_sidecar(sidecar(tmp_path, "\n".join(lines) + "\n"))


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    """A self-referencing alias is refused instead of recursing forever."""
    with pytest.raises(InputError, match="recursive"):
        load_sidecar(sidecar(tmp_path, "a: &x [1, *x]\n"))


def test_empty_sidecar_is_empty_mapping(tmp_path: Path) -> None:
    """An empty sidecar adds nothing."""
    assert load_sidecar(sidecar(tmp_path, "")) == {}


def test_invalid_utf8_sidecar(tmp_path: Path) -> None:
    """A sidecar that is not UTF-8 names the byte offset."""
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(InputError, match="byte 10: invalid UTF-8"):
        load_sidecar(path)


def test_sidecar_wins_and_says_what_it_overrode() -> None:
    """Sidecar values replace parsed ones; each field records its origin."""
    parsed = (ParsedField("title", "Parsed", Span(0, 6, 0, 6)), ParsedField("publication", "Pub", Span(8, 11, 8, 11)))
    merged = merge(parsed, {"title": "Given", "author": ["A", "B"], "unknown": 1}, sidecar_name="doc.yaml")
    assert merged.fields["title"].value == "Given" and merged.fields["title"].origin == "sidecar"
    assert merged.fields["title"].overridden == "Parsed"
    assert merged.fields["publication"].origin == "text" and merged.fields["publication"].span == Span(8, 11, 8, 11)
    assert merged.fields["author"].value == ["A", "B"]
    assert "unknown" not in merged.fields and merged.sidecar == {"title": "Given", "author": ["A", "B"], "unknown": 1}


SCALARS = ["plain text", "yes", "No", "on", "~", "null", "", "1", "-0", "0x1F", "0o17", "017", "1_000", "1:20",
           "-1.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "2017-11-12", "2001-12-14t21:59:43.10-05:00",
           "2001-12-14 21:59:43", "2001-13-45", "'quoted'", '"caf\\u00e9 \\t"', "<<", "=", "!!str 3", "!!int 3",
           "!!binary aGVsbG8=", "!!float 1", "!foo x", "&anchor x", "*anchor", "'it''s'", "T\u00e9st \u2014 \U0001f600",
           "https://example.org/a?b=c", "a #comment", "123456789012345678901234567890"]
KEYS = ["title", "url", "1", "'1'", "true", "yes", "2017-01-01", "1.5", "~", "<<", "a", "A", "? k", "[x]", "&k key"]


@st.composite
def yaml_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """Sidecar-like YAML: mappings of tricky keys to scalars, flow and block lists and nested mappings."""
    indent = "  " * depth
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=0 if depth else 1, max_size=5)):
        shape = draw(st.sampled_from(["scalar", "scalar", "flow", "block", "mapping"] if depth < 3 else ["scalar"]))
        if shape == "scalar":
            lines.append(f"{indent}{key}: {draw(st.sampled_from(SCALARS))}")
        elif shape == "flow":
            items = draw(st.lists(st.sampled_from([s for s in SCALARS if s and s[0] not in "&*!'\"" and "#" not in s]),
                                  max_size=3))
            lines.append(f"{indent}{key}: [{', '.join(items)}]")
        elif shape == "block":
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {item}" for item in draw(st.lists(st.sampled_from(SCALARS), min_size=1,
                                                                          max_size=3)))
        else:
            nested = draw(yaml_texts(depth + 1))
            lines.append(f"{indent}{key}:" + ("\n" + nested if nested else " {}"))
    return "\n".join(lines)


def outcome(path: Path) -> object:
    """What load_sidecar gives: the value with its key order, or the error's message."""
    try:
        loaded = load_sidecar(path)
    except (InputError, ValueError, TypeError) as exc:
        return type(exc), str(exc)
    return repr(loaded)


@given(text=yaml_texts() | st.sampled_from(["", "---\na: 1\n---\nb: 2\n", "- a\n", "x", "a: &r [*r]\n",
                                              "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n", "s: !!set {a, b}\n",
                                              "1: a\n'1': b\n1: c\n", "a: 1\na: 2\n", "d: 2001-02-30\n",
                                              "a: .inf\nb: [-.inf, .nan]\n"]))
def test_quick_reader_agrees_with_the_reference(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    """libyaml's events read directly give what yaml.load and _jsonable give, or leave the sidecar to them."""
    path = tmp_path_factory.mktemp("quick") / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    quick = outcome(path)
    with mock.patch.object(metadata, "_quick_load", lambda source: None):
        assert quick == outcome(path)


def test_quick_reader_takes_plain_sidecars() -> None:
    """A sidecar as users write them is read by the quick reader, not handed to the reference."""
    text = ("title: \"A: Title\"\nurl: https://example.org/x\npublished: 2017-11-12\nretrieved: 2024-01-02T03:04:05Z\n"
            "author:\n  - One\n  - Two\ntags: [a, b]\nrating: 3.5\nlimit: .inf\nnotes: >\n  folded\n  text\n")
    assert metadata._quick_load(text) == {
        "title": "A: Title", "url": "https://example.org/x", "published": "2017-11-12",
        "retrieved": "2024-01-02T03:04:05+00:00", "author": ["One", "Two"], "tags": ["a", "b"], "rating": 3.5,
        "limit": "inf", "notes": "folded text\n"}
