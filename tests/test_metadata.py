"""Tests for provpack.metadata: safe sidecar loading and merging with parsed fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("text, words", [
    ("a:\n  b:\n    - x\n    - " + "y" * 70_000 + "\n", "value of a.b[1] is longer than 65536 characters"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels at x[0][0]"),
    ("a:\n  - &x [1, *x]\n", "recursive YAML alias at a[0][1]"),
    ("deep: {list: [1, {k: !!binary aGk=}]}\n", "value of deep.list[1].k has a type JSON cannot hold (bytes)"),
    ("2017-11-12: {k: !!binary aGk=}\n", "value of 2017-11-12.k has a type"),
])
def test_refusals_name_where_the_value_sits(tmp_path: Path, text: str, words: str) -> None:
    """Errors about one value give its place as a path of keys and list positions."""
    with pytest.raises(InputError, match=re.escape(words)):
        load_sidecar(sidecar(tmp_path, text))


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
