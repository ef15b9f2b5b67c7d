"""Tests for provpack.metadata: safe sidecar loading and merging with parsed fields."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import example, given, settings
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
    ("url: \"https://example.org/a\\u009bb\"\n", "'url' is not an absolute URI"),
    ("source_url: \"https://example.org/a\\x80b\"\n", "'source_url' is not an absolute URI"),
    ("source_url: ftp://example.org/x\n", "must be an http or https"),
    ("url: \"https://ex.org/a%zz\"\n", r"doc\.yaml: line 1, column 6: 'url': '%zz' at character 17 is not a "
                                       "percent-escape"),
    ("source_url: https://ex.org:99999/\n", "'source_url': the port '99999' is not a number from 0 to 65535"),
    ("url: \"https://ex.org{x}/a\"\n", "'url': the host 'ex.org{x}' holds '{', which no host name may"),
    ("title: yes\n", "'title: yes' reads as true in YAML, not as the text written; quote it: title: \"yes\""), ("publication: No\n", "line 1, column 14: 'publication: No' reads as false in YAML"),
    ("notes: off\n", "'notes: off' reads as false in YAML"),
    ("title: 007\n", "'title: 007' reads as the number 7 in YAML.*quote it: title: \"007\""),
    ("notes: 12:30\n", "'notes: 12:30' reads as the number 750"),
    ("a: 1\npublication: 0x1F  # hex\n", "'publication: 0x1F' reads as the number 31"),
    ("title: 1_000\n", "'title: 1_000' reads as the number 1000"),
    ("base: &b {title: 007}\n<<: *b\n", "'title: 007' reads as the number 7"),   # through a merge key
    ("<<: [{a: 1}, {notes: 0x1F}]\n", "'notes: 0x1F' reads as the number 31"),
    ("title: 1" + "0" * 5000 + "\n", "reads as a number of 5,001 digits in YAML, more than Python reads \\(4,300\\)"),
    ("notes: [1" + "0" * 5000 + "]\n", "line 1, column 9: .*reads as a number of 5,001 digits in YAML"),
    ("title: !!python/object/apply:os.system ['echo hacked']\n", "malformed YAML"),
    ("notes: \"a\\x07b\"\n", "control characters"),
])
def test_bad_sidecars_are_refused(tmp_path: Path, text: str, words: str) -> None:
    """Wrong shapes, wrong types and Python tags are refused with a clear message."""
    with pytest.raises(InputError, match=words):
        load_sidecar(sidecar(tmp_path, text))


@pytest.mark.parametrize("text, words", [
    ("true: x\nnull: y\n", "line 1, column 1: the key 'true' reads as a boolean in YAML, not as text"),
    ("null: y\n", "the key 'null' reads as null in YAML"),
    ("'1': a\n1: b\n", "line 2, column 1: the key '1' reads as a number in YAML"),

    ("a: [{1.0: x}]\n", "line 1, column 6: the key '1.0' reads as a number in YAML"),
    ("2020: x\n", "the key '2020' reads as a number in YAML, not as text"),
])
def test_keys_yaml_reads_as_other_things_are_refused(tmp_path: Path, text: str, words: str) -> None:
    """A key YAML reads as a boolean, null or number would be respelled (True, None, 7) or merged with
    another (true and 1 are one key to PyYAML, losing a value): refused, with how to write it."""
    with pytest.raises(InputError, match=re.escape(words) + ".*quote it: \""):
        load_sidecar(sidecar(tmp_path, text))


def test_quoted_keys_and_date_keys_are_kept(tmp_path: Path) -> None:
    """Quoted, the same keys are text; a date key becomes its ISO 8601 text, which is how it is written."""
    loaded = load_sidecar(sidecar(tmp_path, "'true': x\n'null': y\n'1': a\n2017-11-12: d\n"))
    assert loaded == {"true": "x", "null": "y", "1": "a", "2017-11-12": "d"}


def test_a_number_written_as_its_digits_is_kept(tmp_path: Path) -> None:
    """A text field YAML reads as a number loses nothing when the number is written plainly (title: 1984,
    published: 2017): kept as before; only a spelling YAML changes (007, 12:30, 0x1F) is refused."""
    loaded = load_sidecar(sidecar(tmp_path, "title: 1984\npublished: 2017\nnotes: -3\n"))
    assert loaded == {"title": 1984, "published": 2017, "notes": -3}
    with pytest.raises(InputError, match="line 2, column 1: duplicate key 'title' \\(first given on line 1\\)"):
        load_sidecar(sidecar(tmp_path, "title: 7\ntitle: 7\n"))


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


# The quick sidecar path (_quick_load) must give exactly what yaml.load and _jsonable give.

def outcome(path: Path) -> tuple[Any, ...]:
    """What load_sidecar does with `path`: its result's repr (so types count), or the error it raises."""
    try:
        return ("ok", repr(load_sidecar(path)))
    except InputError as exc:
        return ("InputError", str(exc), exc.line, exc.column)
    except Exception as exc:  # noqa: BLE001 - whatever PyYAML raises, both paths must raise the same
        return (type(exc).__name__, str(exc))


def both_outcomes(path: Path) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """load_sidecar's outcome, and its outcome with the quick path off (yaml.load, then _jsonable)."""
    quick = outcome(path)
    with mock.patch.object(metadata, "_quick_load", lambda source: None):
        reference = outcome(path)
    return quick, reference


@pytest.fixture(scope="module")
def sidecar_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quick") / "doc.yaml"


@pytest.fixture
def pure_python() -> Iterator[None]:
    """metadata reloaded as if PyYAML had no libyaml, restored afterwards."""
    with mock.patch.object(yaml, "CSafeLoader"):
        del yaml.CSafeLoader
        importlib.reload(metadata)
        assert metadata._SafeLoader is yaml.SafeLoader
        yield
    importlib.reload(metadata)


keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
plain_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.dates(),
    st.datetimes(timezones=st.none() | st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["yes", "No", "on", "OFF", "~", "null", "0o17", "0x1f", "1_000", "1:30", ".inf", "2001-12-14"]))
documents = st.dictionaries(keys, st.recursive(
    plain_values, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12), max_size=8)


@given(data=documents, flow=st.sampled_from([False, True, None]), unicode=st.booleans())
def test_quick_path_equals_yaml_load_on_dumped_documents(sidecar_file: Path, data: dict[str, Any],
                                                         flow: bool | None, unicode: bool) -> None:
    """Documents PyYAML dumps in block and flow styles load the same, and take the quick path."""
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode)
    sidecar_file.write_text(text, encoding="utf-8")
    quick, reference = both_outcomes(sidecar_file)
    assert quick == reference
    taken = metadata._quick_load(text)
    # what the full loader builds, the quick path builds; what it refuses (.inf, yes, 0o17...), the quick path leaves
    try:
        loaded = yaml.load(text, Loader=metadata._Loader)  # noqa: S506 - the safe loader, checked
        expected = repr(metadata._jsonable(loaded, sidecar_file, None, [10**6], 0, set()))
    except (metadata._Refused, InputError):
        expected = None
    assert (repr(taken) if taken is not None else None) == expected


TRICKY_SCALARS = [
    "0o17", "017", "0x1f", "0b101", "1_000", "+12", "-0", "1:30", "-1:30:00", "190:20:30.15", "1e3", "1.0e+3",
    "6.8523015e+5", "1_000.5", ".5", ".inf", "-.Inf", "+.INF", ".NaN", "~", "null", "Null", "NULL", "", "yes", "No",
    "on", "OFF", "y", "n", "True", "FALSE", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z", "2002-2-3 4:05:06", "2001-02-30", "'yes'", '"1"',
    "'2001-12-14'", "\"a\\tb\"", "\"a\\x07b\"", "!!str 12", "!!int '12'", "!!int abc", "!!float 1", "!!bool yes",
    "!!bool maybe", "!!null x", "!!timestamp 2001-01-01", "!!timestamp nope", "!!binary aGk=", "!custom x",
    "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1, a: 2]", "!!python/object/apply:os.system ['echo hacked']",
    "!!str [a]", "!!seq x", "!!map [a]", "&x 3", "<<", "=", "|\n  line\n", ">-\n  folded\n  text\n",
    "[a, 1, no, ~, 2001-01-01]", "{a: 1, b: [x, y]}", "-", "@at", "`tick", "%pct",
]
scalars = st.sampled_from(TRICKY_SCALARS)


@given(values=st.lists(scalars, min_size=1, max_size=4), key=scalars, where=st.sampled_from(["map", "seq", "key"]))
def test_quick_path_equals_yaml_load_on_tricky_scalars(sidecar_file: Path, values: list[str], key: str,
                                                       where: str) -> None:
    """Ints, floats, bools, nulls, timestamps, quoting and explicit tags resolve as PyYAML resolves them."""
    if where == "map":
        text = "".join(f"k{n}: {value}\n" for n, value in enumerate(values))
    elif where == "seq":
        text = "items:\n" + "".join(f"  - {value}\n" for value in values)
    else:
        text = f"{key}: first\n" + "".join(f"k{n}: {value}\n" for n, value in enumerate(values))
    sidecar_file.write_text(text, encoding="utf-8")
    quick, reference = both_outcomes(sidecar_file)
    assert quick == reference


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n",                                # a node reached twice
    "a: &x 1\nb: *x\n",                                     # an aliased scalar: still PyYAML's
    "a: &x [1, *x]\n",                                      # recursive
    "base: &b {x: 1, y: 2}\nd: {<<: *b, y: 3}\n",           # merge key
    "d: {<<: [{x: 1}, {z: 2}], y: 3}\n",
    "=: value\n",                                           # a value key
    "s: !!set {a, b}\n", "o: !!omap [a: 1, b: 2]\n", "p: !!pairs [a: 1, a: 2]\n", "b: !!binary aGk=\n",
    "x: !!python/object:os.system {}\n", "x: !custom 1\n", "x: !!str [a]\n",
    "? [a, b]\n: c\n", "{a: 1}: c\n", "1: one\n1.0: float\ntrue: yes\n", "2017-11-12: date\n", "~: null key\n",
    "a: 1\na: 2\nb: 3\na: 4\n",                             # duplicate keys: refused
    "", "---\n", "# only a comment\n", "--- ~\n", "- a\n- b\n", "just text\n", "3\n", "!!map {a: 1}\n",
    "a: 1\n---\nb: 2\n", "a: [unclosed\n", "a: *undefined\n", "a: b: c\n", "\ta: 1\n",
    "x: " + "[" * 31 + "]" * 31 + "\n", "x: " + "[" * 32 + "]" * 32 + "\n", "x: " + "[" * 33 + "]" * 33 + "\n",
    "x: " + "[" * 31 + "1" + "]" * 31 + "\n", "x: " + "[" * 32 + "1" + "]" * 32 + "\n",
    "a: " + "y" * 65_536 + "\n", "a: " + "y" * 65_537 + "\n",
    "a: [" + ", ".join(["1"] * 9_999) + "]\n", "a: [" + ", ".join(["1"] * 10_000) + "]\n",
    "title: [1, 2]\n", "notes: \"a\\x07b\"\nother: \"\\x07\"\n", "other: \"\\x07\"\nnotes: \"a\\x07b\"\n",
    "x: .nan\ny: -.inf\n", "t: 2001-12-14 21:59:43.10 -5\nd: 2002-12-14\n",
])
def test_quick_path_equals_yaml_load_on_unusual_documents(sidecar_file: Path, text: str) -> None:
    """Aliases, merge keys, other tags, odd keys, odd documents and every limit give today's result or error."""
    sidecar_file.write_text(text, encoding="utf-8")
    quick, reference = both_outcomes(sidecar_file)
    assert quick == reference


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n", "d: {<<: {x: 1}, y: 3}\n", "=: v\n", "s: !!set {a}\n", "b: !!binary aGk=\n",
    "x: !custom 1\n", "x: !!int abc\n", "? [a]\n: c\n", "1: one\n", "- a\n", "x: " + "[" * 32 + "]" * 32 + "\n",
    "a: " + "y" * 65_537 + "\n", "a: [" + ", ".join(["1"] * 10_000) + "]\n",
])
def test_unusual_documents_leave_the_quick_path(text: str) -> None:
    """Whatever the quick path does not fully know goes to PyYAML's own constructor."""
    assert metadata._quick_load(text) is None


CORPUS_LIKE = ("title: \"A Title: With Colon\"\nurl: https://blog.example.org/2000/11/a.html\n"
               "published: 2000-11-22\nretrieved: 2001-11-22T12:00:00Z\nauthor:\n  - One Name\n  - Two Name\n"
               "tags: [vetind, til]\nrating: 3\nscore: 1.5\ndraft: false\nempty:\nnotes: >\n  Folded\n  text.\n")


def test_plain_sidecars_take_the_quick_path() -> None:
    """A sidecar like the corpus' is built by the quick path, with PyYAML's types."""
    assert metadata._quick_load(CORPUS_LIKE) == {
        "title": "A Title: With Colon", "url": "https://blog.example.org/2000/11/a.html", "published": "2000-11-22",
        "retrieved": "2001-11-22T12:00:00+00:00", "author": ["One Name", "Two Name"], "tags": ["vetind", "til"],
        "rating": 3, "score": 1.5, "draft": False, "empty": None, "notes": "Folded text.\n"}
    assert metadata._quick_load("") == {} and metadata._quick_load("# nothing\n") == {}


@pytest.mark.usefixtures("pure_python")
@pytest.mark.parametrize("text", [CORPUS_LIKE, "a: &x [1]\nb: *x\n", "x: !!python/object:os.system {}\n",
                                  "a: [unclosed\n", "1: one\ntrue: x\n", "x: " + "[" * 40 + "]" * 40 + "\n"])
def test_quick_path_without_libyaml(sidecar_file: Path, text: str) -> None:
    """With the pure-Python SafeLoader the quick path gives the same results and errors."""
    sidecar_file.write_text(text, encoding="utf-8")
    quick, reference = both_outcomes(sidecar_file)
    assert quick == reference
    if quick[0] == "ok":
        assert (metadata._quick_load(text) is not None) == (text == CORPUS_LIKE)


def test_safe_loader_has_no_path_resolvers() -> None:
    """The quick resolver leaves out path resolvers, which SafeLoader does not have."""
    assert not yaml.SafeLoader.yaml_path_resolvers and not metadata._SafeLoader.yaml_path_resolvers


# libyaml's loader (used when PyYAML has it) and PyYAML's own must give a sidecar one result or one refusal.

@pytest.fixture(scope="module")
def loaders() -> tuple[Any, Any]:
    """provpack.metadata reading with libyaml's loader, and a copy of it reading with PyYAML's own."""
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML is built without libyaml: there is one loader")
    spec = importlib.util.find_spec("provpack.metadata")
    assert spec is not None and spec.loader is not None
    pure = importlib.util.module_from_spec(spec)
    with mock.patch.object(yaml, "CSafeLoader"):
        del yaml.CSafeLoader
        spec.loader.exec_module(pure)
    assert metadata._SafeLoader is yaml.CSafeLoader and pure._SafeLoader is yaml.SafeLoader
    return metadata, pure


def read_with(module: Any, path: Path) -> tuple[str, str]:
    """("ok", the result's repr) or ("refused", the InputError's message): anything else raised is a bug."""
    try:
        loaded = module.load_sidecar(path)
    except InputError as exc:
        return "refused", str(exc)
    json.dumps(loaded, ensure_ascii=False).encode("utf-8")   # (no lone surrogate: it must be written as UTF-8)
    return "ok", repr(loaded)


def read_alike(loaders: tuple[Any, Any], path: Path, text: str) -> tuple[str, str]:
    """The outcome of `text` in `path` with both loaders, asserted never two results: one result, or one refusal, or
    a result with libyaml that PyYAML's own loader refuses (what only it refuses, tabs it does not take as spaces,
    a '?' in a plain value in [ ] or { }, is read where libyaml reads the sidecar, as it always was). What libyaml
    refuses, PyYAML's own must refuse too."""
    path.write_bytes(text.encode("utf-8"))
    with_libyaml, own = (read_with(module, path) for module in loaders)
    if own[0] == "ok":
        assert with_libyaml == own, (text, with_libyaml, own)
    return with_libyaml


TRICKY_SIDECARS = [
    # a byte order mark: skipped by both at the start; past it, libyaml skips it at a line's start (nesting the
    # key under the one before), PyYAML's own keeps it as a character of the key
    "\ufefftitle: A\n", "\ufeff# c\n---\ntitle: A\n", "title: A\nextra:\n\ufeffauthor: Jane\n",
    "title: A\n\ufeffauthor: Jane\n", "---\n\ufefftitle: A\n", "\ufeff\ufefftitle: A\n", "title: \"a\ufeffb\"\n",
    'title: "\\ufeff"\n',
    # tabs: libyaml takes them as spaces where PyYAML's own refuses them, and refuses one in a block scalar's
    # indentation that PyYAML's own keeps as text
    "title:\tA\n", "t: [a,\tb]\n", "title: A\t\n", "t: 2017-11-12\t10:00:00\n", "title: A\t# c\n", "a: 1\n \t\nb: 2\n",
    "a:\n\tb: 1\n", "t: |\t# c\n  x\n", "t: |\n \tx\n", "t: >\n \tx\n y\n", "t: |\n  \n \tx\n", "t: |2\n  \tx\n",
    "t: |2\n \tx\n", "t: |\n  a\n  \tb\n", "t: \"a\tb\"\n", "t: 'a\t\n\tb'\n", "t: \"a\n\t  b\"\n", "# a\tb\nt: x\n",
    "t: x # \t\n", 't: "\\\tx"\n', "t: |\n  a\n\tb\n",
    # directives: libyaml reads %YAML 1.1 and 1.2 and %TAG only; PyYAML's own any %YAML 1.x, and skips others
    "%YAML 1.3\n---\ntitle: A\n", "%YAML 1.0\n---\ntitle: A\n", "%YAML 1.1\n---\ntitle: A\n", "%YAML 1.2\n---\nt: A\n",
    "%YAML 1.0000000001\n---\nt: A\n", "%YAML 2.0\n---\nt: A\n", "%FOO bar\n---\nt: A\n", "# c\n\n%FOO\n---\nt: A\n",
    "%TAG !e! tag:yaml.org,2002:\n---\nt: !e!int 1\n", "t: '\n%x'\n", "t: a\n%YAML 1.1\n", "t: |\n%x\n",
    # escapes of no character: libyaml refuses them, PyYAML's own failed on one (a traceback) and kept the others
    'notes: "\\U00110000"\n', 'notes: "\\uD83D\\uDE00"\n', 'notes: "\\ud800"\n', 'notes: "\\uDC00x"\n',
    'notes: "\\U0000D800"\n', 'notes: "\\\\ud800"\n', "notes: '\\ud800'\n", "notes: a\\ud800\n",
    'notes: "\\U0010FFFF"\n', 'notes: "\\U0001F600 \\U000E0041 \\u00e9"\n', '"\\ud800": a\n',
    # in [ ] and { }: a '?' in a plain value (libyaml's; PyYAML's own reads a key and refuses it), a ':' right
    # before , [ ] { } (libyaml refuses it), tags (libyaml ends one at , [ ] { }; the tag '!' on nothing)
    "links: [https://example.org/?p=1]\n", "k: [a ?b]\n", "k: {a: b?}\n", "k: {a?b: c}\n", "k: [a\n  ?b]\n",
    "k: [a, ?b]\n", "k: [? a]\n", "k: ['a?']\n", "k: {a: [x, {y: z?}]}\n", "a: &x [b?]\nc: *x\n", "k: [a:]\n",
    "k: {a:}\n", "k: { a :, b: c}\n", "k: {a:b}\n", '{"a":[1]}\n', '{"a":}\n', "k: [a #c\n  :]\n", "k: !\n",
    "k: [!]\n", "k: [! , a]\n", "k: {a: !}\n", "k: [?!  ]\n", "k: !<!>\n", "k: ! a\n", "k: [!!str, a]\n",
    "k: [!!str]\n", "k: [!a, b]\n", "k: !!str\n", "! {a: 1}\n", "{&x ! : a}\n",
    # a block scalar's header with a comment and no space before it (libyaml takes it, PyYAML's own refuses it)
    "k: |#c\n  x\n", "k: >-#c\n  x\n", "k: | #c\n  x\n",
    # empty explicit numbers (a traceback with either loader)
    "t: !!float\n", "t: !!int ''\n", "t: [!!int ]\n",
    # what both read alike, for contrast
    CORPUS_LIKE, "t: 2017-01-01 10:00:00+01:00\n", "s: !!set {b, a}\n", "t: \"a\\tb\\u00e9\"\n", "t: |\n  a\tb\n",
    "x: {a: [1, {b: c}], d: 'e'}\n", "title: Why? Because!\ntags: [a, b]\n",
]


@pytest.mark.parametrize("text", TRICKY_SIDECARS)
def test_both_loaders_give_one_result_or_one_refusal(loaders: tuple[Any, Any], sidecar_file: Path,
                                                     text: str) -> None:
    """Each tricky sidecar loads to the same value with libyaml's loader and PyYAML's own, or both refuse it: it
    cannot be packaged one way here and another on a machine whose PyYAML lacks libyaml."""
    read_alike(loaders, sidecar_file, text)


ATOMS = ["a", "b", "1", " ", " ", "  ", "\t", " \t", "\n", "\n ", "\n  ", "\n\t", ": ", ":", "- ", "-", '"', "'", "\\",
         " #c", "#", "[", "]", "{", "}", ", ", ",", "|", ">", "|-", "|2", "&x ", "*x", "!", "! ", "!!str ", "? ", "?",
         "\ufeff", "2017-01-01", "10:00:00", "%", "%YAML 1.3\n", "%FOO\n", "---", "...", "\\t", "\\ud800",
         "\\U00110000", "\\uD83D\\uDE00", "\r\n", "\u2028", "\x85"]


@given(start=st.sampled_from(["k: ", "k:\n  ", "- ", "k: [", "k: {", "k: |\n", "k: \"", "k: '", "? ", ""]),
       atoms=st.lists(st.sampled_from(ATOMS), min_size=1, max_size=10),
       end=st.sampled_from(["\n", "", "]\n", "}\n", "\"\n", "'\n", "\nz: 1\n"]))
@settings(max_examples=400, deadline=None)
def test_both_loaders_agree_on_generated_sidecars(loaders: tuple[Any, Any], sidecar_file: Path, start: str,
                                                  atoms: list[str], end: str) -> None:
    """Small sidecars made of YAML's indicators, tabs, byte order marks, directives and escapes: one result or
    one refusal with either loader."""
    read_alike(loaders, sidecar_file, start + "".join(atoms) + end)


@pytest.mark.parametrize("text, expected", [
    # escapes of characters, past the basic plane too (U+E0041 a tag character), in \u or \U or \x
    ('notes: "\\U000E0041 \\U0001F600 \\U0010FFFF \\U0000FFFF \\U000000E9 \\uD7FF \\uE000 \\x41 \\\\ud800"\n',
     {"notes": "\U000e0041 \U0001f600 \U0010ffff \uffff \xe9 \ud7ff \ue000 A \\ud800"}),
    ("notes: '\\ud800'\nraw: a\\uD83D\\uDE00\n", {"notes": "\\ud800", "raw": "a\\uD83D\\uDE00"}),
    # a byte order mark at the start; tabs in quoted and block values and in comments; %YAML 1.1 and 1.2, %TAG
    ("\ufefftitle: A\n", {"title": "A"}),
    ("# by\thand\nt: \"a\tb\"\nu: 'c\t\n  \td'\nv: |\n  e\tf\n  \tg\nw: |2\n  \th\nx: y # z\t\n",
     {"t": "a\tb", "u": "c d", "v": "e\tf\n\tg\n", "w": "\th\n", "x": "y"}),
    ("%YAML 1.1\n---\nt: a\n", {"t": "a"}), ("# c\n%YAML 1.2\n---\nt: a\n", {"t": "a"}),
    ("%TAG !e! tag:yaml.org,2002:\n---\nt: !e!str 1\n", {"t": "1"}), ("t: '\n%x'\n", {"t": " %x"}),
    # '?' and ':' where both read them alike; tags with a space after them; the text of a '!' in prose
    ("k: [a, ? b, 'c?', \"d?\"]\nl: {\"a\":[1], b: 'c?d'}\nm: a?b\nn: {x: [1]}\n",
     {"k": ["a", {"b": None}, "c?", "d?"], "l": {"a": [1], "b": "c?d"}, "m": "a?b", "n": {"x": [1]}}),
    ("k: ! a\nl: [!!str , a]\nm: !!str\nn: Wow! [see below] !\no: 'x !'\n",
     {"k": "a", "l": ["", "a"], "m": "", "n": "Wow! [see below] !", "o": "x !"}),
    ("k: | #c\n  x\nl: >-\n  y # z\n", {"k": "x\n", "l": "y # z"}),
])
def test_what_both_loaders_read_alike_is_kept(loaders: tuple[Any, Any], sidecar_file: Path, text: str,
                                              expected: dict[str, Any]) -> None:
    """The checks refuse only what the loaders read differently: escapes of characters, tabs where both read them,
    directives both read, and '?', ':' and tags both read alike load as before, with either loader."""
    assert read_alike(loaders, sidecar_file, text) == ("ok", repr(expected))


@pytest.mark.parametrize("text, message", [
    ("title: A\nextra:\n\ufeffauthor: Jane\n",
     "line 3, column 1: a byte order mark (U+FEFF) past the start of the sidecar, which YAML readers take differently"
     " (libyaml skips it at a line's start, PyYAML's own keeps it as text); remove it (to keep the character in a"
     " value, write it \"\\uFEFF\" in double quotes)"),
    ("title: \"a\ufeffb\"\n", "line 1, column 10: a byte order mark (U+FEFF) past the start of the sidecar, which YAML"
     " readers take differently (libyaml skips it at a line's start, PyYAML's own keeps it as text); remove it (to"
     " keep the character in a value, write it \"\\uFEFF\" in double quotes)"),
    ("notes: |\n \tcode\n", "line 2, column 2: a tab where a block value's (| or >) indentation is being found, which"
     " YAML readers take differently (libyaml refuses it, PyYAML's own keeps it as text); indent with spaces, or give"
     " the indentation after the | or > (|2 for 2 spaces)"),
    ("%YAML 1.3\n---\ntitle: A\n", "line 1, column 1: '%YAML 1.3': a YAML version other than 1.1 and 1.2, which YAML"
     " readers take differently (libyaml refuses it, PyYAML's own reads it as 1.1); write %YAML 1.1, or remove the"
     " line"),
    ("# made by hand\n%FOO bar\n---\ntitle: A\n", "line 2, column 1: '%FOO bar': a directive other than %YAML and %TAG,"
     " which YAML readers take differently (libyaml refuses it, PyYAML's own skips it); remove the line"),
    ('title: A\nnotes: "\\U00110000"\n', "line 2, column 9: '\\U00110000' in double quotes: the escape of no character"
     " (past U+10FFFF), which YAML readers take differently (libyaml refuses it, PyYAML's own fails on it); write the"
     " character meant, or its escape"),
    ('notes: "\\uD83D\\uDE00"\n', "line 1, column 9: '\\uD83D\\uDE00' in double quotes: a UTF-16 surrogate pair, whose"
     " escapes are of no character (libyaml refuses them, PyYAML's own keeps two halves of one that no UTF-8 text can"
     " hold); write the character's own escape, \\U0001F600"),
    ('notes: "ok \\\\ud800 \\ud800"\n', "line 1, column 20: '\\ud800' in double quotes: the escape of a UTF-16"
     " surrogate, no character, which YAML readers take differently (libyaml refuses it, PyYAML's own keeps it, and"
     " no UTF-8 text can hold it); write the character meant, or its escape"),
    ("k: [a, b]\nl: [x:]\n", "line 2, column 6: a ':' right before , ? [ ] { } after a plain value in [ ] or { },"
     " which YAML readers take differently (libyaml refuses it, PyYAML's own reads a key); put a space after the ':',"
     " or quote the value"),
    ("k: {a:{b: c}}\n", "line 1, column 6: a ':' right before , ? [ ] { } after a plain value in [ ] or { }, which"
     " YAML readers take differently (libyaml refuses it, PyYAML's own reads a key); put a space after the ':', or"
     " quote the value"),
    ("k: !\n", "line 1, column 4: the tag '!', which YAML readers take differently (on an empty value, libyaml reads"
     " text, PyYAML's own null); remove it (to keep a value as text, quote it)"),
    ("k: [a, ! , b]\n", "line 1, column 8: the tag '!', which YAML readers take differently (on an empty value,"
     " libyaml reads text, PyYAML's own null); remove it (to keep a value as text, quote it)"),
    ("{&x ! : a}\n", "line 1, column 5: the tag '!', which YAML readers take differently (on an empty value, libyaml"
     " reads text, PyYAML's own null); remove it (to keep a value as text, quote it)"),
])
def test_what_the_loaders_read_differently_is_refused_alike(loaders: tuple[Any, Any], sidecar_file: Path,
                                                            text: str, message: str) -> None:
    """Text libyaml and PyYAML's own loader read differently is refused with the same message by both, naming the
    sidecar, the line and column, and what to write instead."""
    sidecar_file.write_text(text, encoding="utf-8")
    assert [read_with(module, sidecar_file) for module in loaders] == [("refused", f"{sidecar_file}: {message}")] * 2


@pytest.mark.parametrize(("text", "message", "with_libyaml"), [
    ("title:\tA\n", "line 1, column 7: a tab outside quoted and block (| or >) values and comments, where YAML"
     " readers differ (libyaml reads it as a space, PyYAML's own refuses it); write spaces instead", {"title": "A"}),
    ("t: 2017-11-12\t10:00:00\n", "line 1, column 14: a tab outside quoted and block (| or >) values and comments,"
     " where YAML readers differ (libyaml reads it as a space, PyYAML's own refuses it); write spaces instead",
     {"t": "2017-11-12T10:00:00"}),
    ("t: [a,\tb]\n", "line 1, column 7: a tab outside quoted and block (| or >) values and comments, where YAML"
     " readers differ (libyaml reads it as a space, PyYAML's own refuses it); write spaces instead", {"t": ["a", "b"]}),
    ("notes: |\n  one\n\ttwo\n", "line 3, column 1: a tab outside quoted and block (| or >) values and comments, where"
     " YAML readers differ (libyaml reads it as a space, PyYAML's own refuses it); write spaces instead", None),
    ("k: |#c\n  x\n", "line 1, column 5: malformed YAML: expected chomping or indentation indicators, but found '#';"
     " fix the YAML syntax", {"k": "x\n"}),
])
def test_what_only_pyyamls_own_loader_refuses_is_read_with_libyaml(loaders: tuple[Any, Any], sidecar_file: Path,
                                                                  text: str, message: str,
                                                                  with_libyaml: dict[str, Any] | None) -> None:
    """Tabs PyYAML's own loader does not take as spaces, and a block header with a comment right after it: refused by
    it, naming the place and what to write instead; read with libyaml, as they always were (or refused in libyaml's
    own words), never into another result."""
    sidecar_file.write_text(text, encoding="utf-8")
    assert read_with(loaders[1], sidecar_file) == ("refused", f"{sidecar_file}: {message}")
    assert read_with(loaders[0], sidecar_file)[0] == ("refused" if with_libyaml is None else "ok")
    if with_libyaml is not None:
        assert loaders[0].load_sidecar(sidecar_file) == with_libyaml


def test_a_tag_running_into_a_comma_is_refused(loaders: tuple[Any, Any], sidecar_file: Path) -> None:
    """`[!!str, a]`: libyaml reads the tag !!str on an empty value, PyYAML's own the tag `!!str,` (which it has no
    constructor for): refused with libyaml too, saying to put a space after the tag."""
    sidecar_file.write_text("k: [!!str, a]\n", encoding="utf-8")
    assert read_with(loaders[0], sidecar_file) == ("refused", (
        f"{sidecar_file}: line 1, column 5: the tag '!!str,', which YAML readers take differently (in [ ] or {{ }},"
        " libyaml ends it at the , [ ] { } that PyYAML's own takes into it); put a space after the tag"))
    assert read_with(loaders[1], sidecar_file)[0] == "refused"
    assert read_alike(loaders, sidecar_file, "k: [!!str , a]\n") == ("ok", repr({"k": ["", "a"]}))


def test_a_question_mark_in_a_plain_value_in_brackets_is_read_with_libyaml(loaders: tuple[Any, Any],
                                                                          sidecar_file: Path) -> None:
    """`links: [https://example.org/?p=1]`: libyaml reads the address, as it always did; PyYAML's own reads a key at
    the '?' and refuses it (so no sidecar gives two archives), wherever the list is; quoted, both read it."""
    for text, value in (("links: [https://example.org/?p=1]\n", {"links": ["https://example.org/?p=1"]}),
                        ("a: 1\nb: {c: [d, {e: 'f?', g: h?}]}\n", {"a": 1, "b": {"c": ["d", {"e": "f?", "g": "h?"}]}}),
                        ("a: &x [b, c?]\nd: *x\n", {"a": ["b", "c?"], "d": ["b", "c?"]}),
                        ("tags: [why?]\n", {"tags": ["why?"]})):
        sidecar_file.write_text(text, encoding="utf-8")
        assert loaders[0].load_sidecar(sidecar_file) == value
        assert read_with(loaders[1], sidecar_file)[0] == "refused"
    assert read_alike(loaders, sidecar_file, "links: ['https://example.org/?p=1']\n") == (
        "ok", repr({"links": ["https://example.org/?p=1"]}))


@pytest.mark.parametrize("loader", ["libyaml", "own"])
@pytest.mark.parametrize("escape, message", [
    ("\\U00110000", "line 1, column 9: '\\U00110000' in double quotes: the escape of no character (past U+10FFFF),"
                     " which YAML readers take differently (libyaml refuses it, PyYAML's own fails on it); write the"
                     " character meant, or its escape"),
    ("\\uD83D\\uDE00", "line 1, column 9: '\\uD83D\\uDE00' in double quotes: a UTF-16 surrogate pair, whose escapes are"
                         " of no character (libyaml refuses them, PyYAML's own keeps two halves of one that no UTF-8"
                         " text can hold); write the character's own escape, \\U0001F600"),
])
def test_package_refuses_an_escape_of_no_character_naming_the_sidecar(tmp_path: Path, loader: str, escape: str,
                                                                      message: str) -> None:
    """With PyYAML's own loader, `notes: "\\U00110000"` was a traceback (exit 1, an integrity problem) and
    `notes: "\\uD83D\\uDE00"` an error about a command-line value or file name not UTF-8; now with either loader an
    input error (exit 2) naming the sidecar, line and column."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text("Some text.\n", encoding="utf-8")
    (source / "a.yaml").write_text(f'notes: "{escape}"\n', encoding="utf-8")
    code = ("import sys, yaml\n" + ("del yaml.CSafeLoader\n" if loader == "own" else "") +
            "from provpack.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", code, "package", str(source), "-o", str(tmp_path / "a.warc.gz")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert f"{source / 'a.yaml'}: {message}" in done.stderr and "Traceback" not in done.stderr


def test_a_value_pyyaml_fails_on_is_an_input_error(tmp_path: Path) -> None:
    """A ValueError or OverflowError from PyYAML's code (none is known to reach here) names the sidecar: an input
    error, never a traceback."""
    path = sidecar(tmp_path, "title: A\n")
    for error in (ValueError("chr() arg not in range(0x110000)"), OverflowError("date value out of range")):
        with mock.patch.object(metadata, "_quick_load", side_effect=error), pytest.raises(InputError) as caught:
            load_sidecar(path)
        assert str(caught.value) == f"{path}: malformed YAML: a value cannot be read ({error}); fix the YAML syntax"


@pytest.mark.parametrize("text, at, written", [("t: !!float\n", "line 1, column 4", "t: "),
                                              ("t: !!int ''\n", "line 1, column 4", "t: "),
                                              ("t: [!!int +]\n", "line 1, column 5", "+")])
def test_an_explicit_number_of_no_digits_is_refused(tmp_path: Path, text: str, at: str, written: str) -> None:
    """`!!float` or `!!int` on nothing (or a sign) made PyYAML raise IndexError, a traceback with either loader."""
    path = sidecar(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    quoted = f't: "{written[3:]}"' if written.startswith("t: ") else f'"{written}"'
    assert str(caught.value) == (f"{path}: {at}: '{written}' is tagged as a number but holds no digits; "
                                 f"quote it: {quoted}")


def test_str_path_reads_and_fails_as_a_path(tmp_path: Path) -> None:
    """A sidecar named by a str loads as by its Path, and a failure names the file the same way."""
    sidecar = tmp_path / "a.yaml"
    sidecar.write_text("title: A\nauthor: [B, C]\n")
    assert load_sidecar(str(sidecar)) == load_sidecar(sidecar) == {"title": "A", "author": ["B", "C"]}
    messages = []
    for path in (tmp_path / "missing.yaml", str(tmp_path / "missing.yaml"), tmp_path, str(tmp_path)):
        with pytest.raises(InputError, match="(no such file; check the path|is a folder, not a file; give a file)$") \
                as caught:
            load_sidecar(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and messages[2] == messages[3]


@pytest.mark.parametrize("text, words", [
    ("isbn: 0123\n", "line 1, column 7: 'isbn: 0123' reads as the number 83 in YAML, not as the text written; "
                     "quote it: isbn: \"0123\""),
    ("time: 12:30\n", "'time: 12:30' reads as the number 750"),
    ("version: 1.10\n", "'version: 1.10' reads as the number 1.1"),
    ("flag: no\n", "'flag: no' reads as false in YAML"),
    ("big: 1.0e+3\n", "'big: 1.0e+3' reads as the number 1000.0"),
    ("plus: +5\n", "'plus: +5' reads as the number 5"),
    ("half: .5\n", "'half: .5' reads as the number 0.5"),
    ("money: 3.50\n", "'money: 3.50' reads as the number 3.5"),
    ("sep: 1_000\n", "'sep: 1_000' reads as the number 1000"),
    ("hex: 0x1F\n", "'hex: 0x1F' reads as the number 31"),
    ("far: .inf\n", "'far: .inf' reads as infinity"),
    ("odd: .nan\n", "'odd: .nan' reads as not-a-number"),
    ("tags: [a, on, b]\n", "line 1, column 11: 'on' reads as true in YAML"),
    ("extra:\n  inner:\n    - x\n    - 007\n", "line 4, column 7: '007' reads as the number 7"),
    ("extra: {007: a}\n", "line 1, column 9: the key '007' reads as a number in YAML"),
    ("published: 2017-02-30\n", "'published: 2017-02-30' reads as a date in YAML but is not a valid date"),
    ("retrieved: 2024-03-01T10:00:00.1234567Z\n", "'retrieved: 2024-03-01T10:00:00.1234567Z' reads as the date-time "
                                                  "2024-03-01T10:00:00.123456+00:00 in YAML"),
    ("extra: [2024-03-01 10:00:00.0000001]\n", "line 1, column 9: '2024-03-01 10:00:00.0000001' reads as the date-time"
                                               " 2024-03-01T10:00:00 in YAML"),
])
def test_any_value_yaml_would_respell_is_refused_where_it_is_written(tmp_path: Path, text: str, words: str) -> None:
    """The rule known keys follow holds for every key, at any depth: a plain scalar YAML reads as a number or a
    boolean that does not spell back to what was written is refused, naming its line and column and the quoted
    form, since the sidecar's own bytes are not archived and what was written would be lost."""
    with pytest.raises(InputError, match=re.escape(words)):
        load_sidecar(sidecar(tmp_path, text))


def test_a_long_number_in_another_form_is_refused_without_working_it_out(tmp_path: Path) -> None:
    """PyYAML's base 60 is quadratic: `title: 1:1:...` of 40,001 characters gave a traceback (its number, over
    4,300 digits, could not be written), and one of 1 MiB took some two minutes first. Past 40 characters a
    value not written as Python writes a number is refused without its number; past 80 it is shown clipped."""
    path = sidecar(tmp_path, "title: " + "1:" * 20_000 + "1\n")
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == (
        f"{path}: line 1, column 8: 'title: {'1:' * 40}... (40,001 characters)' reads as a number in YAML "
        "(written with a sign, leading zeros, underscores, colons, or in hex, octal or binary), not as the "
        "text written; put the value in double quotes")
    long_hex = "0x" + "1" * 39   # (41 characters: not worked out)
    with pytest.raises(InputError, match=re.escape(
            f"'hex: {long_hex}' reads as a number in YAML (written with a sign, leading zeros, underscores, colons, "
            f"or in hex, octal or binary), not as the text written; quote it: hex: \"{long_hex}\"")):
        load_sidecar(sidecar(tmp_path, f"hex: {long_hex}\n"))
    hex_40 = "0x" + "1" * 38   # (40 characters: its number is said)
    with pytest.raises(InputError, match=re.escape(f"'hex: {hex_40}' reads as the number {int(hex_40, 16)} in YAML")):
        load_sidecar(sidecar(tmp_path, f"hex: {hex_40}\n"))
    assert load_sidecar(sidecar(tmp_path, "count: " + "9" * 60 + "\n")) == {"count": int("9" * 60)}


@pytest.mark.skipif(not hasattr(sys, "get_int_max_str_digits"), reason="Python 3.10 reads numbers of any length")
def test_a_number_too_long_for_python_is_refused_in_words(tmp_path: Path) -> None:
    """Python 3.11 reads at most 4,300 digits: said so, not with Python's advice to raise the limit."""
    path = sidecar(tmp_path, "count: " + "1" * 5_000 + "\n")
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == (
        f"{path}: line 1, column 8: 'count: {'1' * 80}... (5,000 characters)' reads as a number of 5,000 digits in "
        "YAML, more than Python reads (4,300); put the value in double quotes")


def test_a_date_time_with_up_to_6_digits_of_a_second_is_kept(tmp_path: Path) -> None:
    """Microseconds, and fewer digits, are what a date-time holds: kept (as ISO 8601 text), not refused."""
    text = "a: 2024-03-01T10:00:00.123456Z\nb: 2024-03-01 10:00:00.5\nc: 2024-03-01T10:00:00.Z\nd: 2024-03-01\n"
    assert load_sidecar(sidecar(tmp_path, text)) == {
        "a": "2024-03-01T10:00:00.123456+00:00", "b": "2024-03-01T10:00:00.500000", "c": "2024-03-01T10:00:00+00:00",
        "d": "2024-03-01"}


def test_a_key_of_1024_characters_is_read(tmp_path: Path) -> None:
    """PyYAML's limit itself: a key of 1,024 characters is a key."""
    assert load_sidecar(sidecar(tmp_path, "k" * 1024 + ": v\n")) == {"k" * 1024: "v"}


# What comes before a key on its line, plainly: indentation, "- " each a pass of a group repeated, flow "{" or ","
# (provpack 0.6.0's: the reference for the pattern written without a group's repeat)
_PLAIN_KEY_AFTER = re.compile(r"[ \t]*(?:-[ \t]+)*(?:.*[{\[,][ \t]*)?")


@given(st.lists(st.sampled_from([" ", "\t", "-", "- ", "-\t", "--", "{", "[", ",", "k", ":", "\r", "\u3000", "\n"]),
                max_size=30).map("".join))
@example("  - - -\t -k, - - x")
@example("- -- - [- - ")
@example("-  \t- -")
def test_what_comes_before_a_key_is_the_plain_patterns(line: str) -> None:
    """The key's indentation and "- ", read without a group's repeat, end where the plain pattern's do, from any
    position."""
    for start in range(len(line) + 1):
        found, expected = metadata._KEY_AFTER.match(line, start), _PLAIN_KEY_AFTER.match(line, start)
        assert found is not None and expected is not None and found.span() == expected.span()


def test_a_line_of_200000_dashes_before_a_key_is_read_in_flat_memory() -> None:
    """A sidecar line of "- " 200,000 times before a long key is read without a frame of re's stack for each (1 MB
    took 58 MiB)."""
    line = "- " * 200_000 + "k" * 1100
    metadata._KEY_AFTER.match("- k")   # (compiled)
    tracemalloc.start()
    try:
        found = metadata._KEY_AFTER.match(line)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    after_flow = metadata._KEY_AFTER.match("- " * 100_000 + "-x, {k")
    assert found is not None and found.end() == 400_000
    assert after_flow is not None and after_flow.end() == 200_005
    assert peak < 100_000, peak


def test_values_that_spell_back_are_kept(tmp_path: Path) -> None:
    """Numbers and booleans written as JSON would write them load as before."""
    text = ("count: 12\nneg: -3\nzero: 0\nratio: 3.5\nwhole: 1.0\nsmall: -0.25\nyes_: true\nno_: False\n"
            "up: TRUE\nnothing: null\ntilde: ~\nempty:\nlist: [1, 2.5, false]\n")
    assert load_sidecar(sidecar(tmp_path, text)) == {
        "count": 12, "neg": -3, "zero": 0, "ratio": 3.5, "whole": 1.0, "small": -0.25, "yes_": True, "no_": False,
        "up": True, "nothing": None, "tilde": None, "empty": None, "list": [1, 2.5, False]}


@pytest.mark.parametrize("text, words", [
    ("title: A\ntitle: B\n", "line 2, column 1: duplicate key 'title' (first given on line 1)"),
    ("extra:\n  a: 1\n  b: 2\n  a: 3\n", "line 4, column 3: duplicate key 'a' (first given on line 2)"),
    ("x: [{k: 1, k: 2}]\n", "duplicate key 'k'"),
    ("base: &b {x: 1}\nd: {<<: *b, y: 2, y: 3}\n", "duplicate key 'y'"),
])
def test_duplicate_keys_are_refused(tmp_path: Path, text: str, words: str) -> None:
    """YAML requires unique keys; PyYAML silently kept the last value, losing the first."""
    with pytest.raises(InputError, match=re.escape(words)):
        load_sidecar(sidecar(tmp_path, text))


@pytest.mark.parametrize("text, message", [
    # one instant at two offsets, or as Z and +00:00: PyYAML's dict kept one key with the last value ("first" lost)
    ("title: A\nlog:\n  2017-01-01 10:00:00+00:00: first\n  2017-01-01 11:00:00+01:00: second\n",
     "line 4, column 3: duplicate key '2017-01-01 11:00:00+01:00' (first given on line 3 as"
     " '2017-01-01 10:00:00+00:00'; both read as the date-time 2017-01-01T10:00:00+00:00): YAML keys must be unique;"
     " keep one of them"),
    ("log:\n  2017-01-01T10:00:00Z: first\n  2017-01-01 10:00:00+00:00: second\n",
     "line 3, column 3: duplicate key '2017-01-01 10:00:00+00:00' (first given on line 2 as '2017-01-01T10:00:00Z';"
     " both read as the date-time 2017-01-01T10:00:00+00:00): YAML keys must be unique; keep one of them"),
    ("log: {2017-01-01 00:00:00: a, 2017-1-1 0:00:00: b}\n",
     "line 1, column 31: duplicate key '2017-1-1 0:00:00' (first given on line 1 as '2017-01-01 00:00:00'; both read"
     " as the date-time 2017-01-01T00:00:00): YAML keys must be unique; keep one of them"),
    # a member of a set dropped so
    ("seen: !!set {2017-01-01T10:00:00Z, 2017-01-01 10:00:00+00:00}\n",
     "line 1, column 36: duplicate key '2017-01-01 10:00:00+00:00' (first given on line 1 as '2017-01-01T10:00:00Z';"
     " both read as the date-time 2017-01-01T10:00:00+00:00): YAML keys must be unique; keep one of them"),
    # a date and its ISO 8601 text: one key in the record's copy (refused there before, without the line), one member
    # twice in a set's list
    ("log: {2017-01-01: a, \"2017-01-01\": b}\n",
     "line 1, column 22: duplicate key '2017-01-01' (first given on line 1 as '2017-01-01'; a date and a text, both"
     " '2017-01-01' in the record's copy): YAML keys must be unique; keep one of them"),
    ("seen: !!set {'2017-01-01T10:00:00', 2017-01-01 10:00:00}\n",
     "line 1, column 37: duplicate key '2017-01-01 10:00:00' (first given on line 1 as '2017-01-01T10:00:00'; a"
     " date-time and a text, both '2017-01-01T10:00:00' in the record's copy): YAML keys must be unique; keep one of"
     " them"),
    # a key overriding a merged one of the same instant kept the merged key's spelling, with its own value
    ("log: {<<: {2017-01-01 10:00:00Z: a}, 2017-01-01 11:00:00+01:00: b}\n",
     "line 1, column 38: the key '2017-01-01 11:00:00+01:00' overrides the key '2017-01-01 10:00:00Z' merged in from"
     " line 1 (both read as the date-time 2017-01-01T10:00:00+00:00), whose spelling YAML would keep; spell them"
     " alike"),
    ("log: {<<: [{2017-01-01 10:00:00Z: a}, {2017-01-01 11:00:00+01:00: c}]}\n",
     "line 1, column 40: the key '2017-01-01 11:00:00+01:00' overrides the key '2017-01-01 10:00:00Z' merged in from"
     " line 1 (both read as the date-time 2017-01-01T10:00:00+00:00), whose spelling YAML would keep; spell them"
     " alike"),
    # keys equal once read as other things (1 == 1.0 == True in Python): refused as not text, the first of them
    ("log: {1: a, 1.0: b, true: c}\n", "line 1, column 7: the key '1' reads as a number in YAML, not as text; quote it:"
                                       " \"1\""),
    ("log: {0x1: a, 1: b}\n", "line 1, column 7: the key '0x1' reads as a number in YAML, not as text; quote it:"
                              " \"0x1\""),
    ("log: {null: a, ~: b}\n", "line 1, column 7: the key 'null' reads as null in YAML, not as text; quote it:"
                               " \"null\""),
    ("log: {true: a, True: b}\n", "line 1, column 7: the key 'true' reads as a boolean in YAML, not as text; quote"
                                  " it: \"true\""),
])
def test_keys_one_once_read_are_refused_as_duplicates(tmp_path: Path, text: str, message: str) -> None:
    """Keys spelled differently that PyYAML reads as one (date-times of one instant), or that the record's copy
    writes as one (a date and its ISO 8601 text), are a key given twice: refused with both spellings and the lines,
    where a value (or a set's member) was lost or kept under another spelling."""
    path = sidecar(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == f"{path}: {message}"


def test_keys_read_as_different_dates_are_kept(tmp_path: Path) -> None:
    """A date and a date-time at its midnight, or a date-time with and without an offset, are different keys (and
    written differently): kept; a merged key overridden by the same date-time spelled alike is merging."""
    loaded = load_sidecar(sidecar(tmp_path, "log: {2017-01-01: a, 2017-01-01 00:00:00: b, 2017-01-01 00:00:00Z: c}\n"
                                            "m: {<<: {2017-01-01 10:00:00Z: a}, 2017-01-01 10:00:00Z: b}\n"))
    assert loaded == {"log": {"2017-01-01": "a", "2017-01-01T00:00:00": "b", "2017-01-01T00:00:00+00:00": "c"},
                      "m": {"2017-01-01T10:00:00+00:00": "b"}}


def test_a_set_is_written_in_one_order_whatever_the_hash_seed(tmp_path: Path) -> None:
    """A set's members are sorted by their JSON text: sorted by str(), a date-time and the text it prints as tied,
    and took the set's order, which changes with PYTHONHASHSEED (the archive changed from run to run)."""
    path = sidecar(tmp_path, "seen: !!set {2017-01-01 10:00:00, \"2017-01-01 10:00:00\", 2017-01-01,"
                             " \"2017-01-01\\t\", b, \"a\\\"\", 2016-12-31 23:00:00-01:00}\n")
    expected = ["2016-12-31T23:00:00-01:00", "2017-01-01", "2017-01-01\t", "2017-01-01 10:00:00",
                "2017-01-01T10:00:00", "a\"", "b"]
    assert load_sidecar(path) == {"seen": expected}
    code = ("import json, sys; from provpack.metadata import load_sidecar; "
            "print(json.dumps(load_sidecar(sys.argv[1])))")
    outputs = {subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(8)}
    assert outputs == {json.dumps({"seen": expected}) + "\n"}


def test_a_merge_key_may_be_overridden(tmp_path: Path) -> None:
    """Keys a merge key brings in are overridden by the mapping's own: that is what merging means."""
    loaded = load_sidecar(sidecar(tmp_path, "base: &b {x: 1, y: 2}\nd: {<<: *b, y: 3}\n"))
    assert loaded["d"] == {"x": 1, "y": 3}


@pytest.mark.parametrize("text, at, spelled", [
    ("title: 1.5\n", "line 1, column 8", "title: 1.5"), ("a: 1\nnotes:   2.5  # x\n", "line 2, column 10", "notes: 2.5"),
    ("title: true\n", "line 1, column 8", "title: true"),
    ("base: &b {title: 1.5}\n<<: *b\n", "line 1, column 18", "title: 1.5"),   # through a merge key: where it is
    ("a: &a {title: 1.5}\nb: &b {title: 2.5}\n<<: [*a, *b]\n", "line 2, column 15", "title: 2.5"),   # the one loaded
])
def test_a_float_in_a_text_field_is_told_to_be_quoted(tmp_path: Path, text: str, at: str, spelled: str) -> None:
    """title: 1.5 reads as a number; the advice is the quoted form, not 'write it on one line', with the line and
    column title: yes gets."""
    path = sidecar(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    key, value = spelled.split(": ")
    what = value if value == "true" else f"the number {value}"
    assert str(caught.value) == (f"{path}: {at}: '{spelled}' reads as {what} in YAML, not as text; "
                                 f"quote it: {key}: \"{value}\"")


def test_sidecar_size_limit_is_exact(tmp_path: Path) -> None:
    """A sidecar of exactly MAX_SIDECAR_BYTES is read; one byte more is refused, naming the limit."""
    head = "title: ok\n# "
    path = sidecar(tmp_path, head + "x" * (metadata.MAX_SIDECAR_BYTES - len(head) - 1) + "\n")
    assert path.stat().st_size == metadata.MAX_SIDECAR_BYTES == 1024 * 1024
    assert load_sidecar(path) == {"title": "ok"}
    path.write_text(head + "x" * (metadata.MAX_SIDECAR_BYTES - len(head)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == f"{path}: sidecar is larger than 1048576 bytes; keep sidecars small"


@pytest.mark.parametrize("fits, too_many", [
    # 1 mapping + 1 list + 9998 items
    ("k: [" + ", ".join(["a"] * 9998) + "]\n", "k: [" + ", ".join(["a"] * 9999) + "]\n"),
    # aliased (PyYAML's whole loader): 1 mapping + 2 x (1 list + 4998 items) + 1 text, or + 1 list + 1 item
    ("k: &l [" + ", ".join(["a"] * 4998) + "]\nm: *l\nz: a\n",
     "k: &l [" + ", ".join(["a"] * 4998) + "]\nm: *l\nz: [a]\n"),
])
def test_value_count_limit_is_exact(tmp_path: Path, fits: str, too_many: str) -> None:
    """MAX_VALUES values (the mapping, lists and items, an alias's each time) are read; one more is refused."""
    assert metadata.MAX_VALUES == 10_000
    assert len(load_sidecar(sidecar(tmp_path, fits))["k"]) in (9998, 4998)
    path = sidecar(tmp_path, too_many)
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == (f"{path}: more than 10000 values (YAML aliases can multiply them); "
                                 "simplify the sidecar")


@pytest.mark.parametrize("key", metadata.KNOWN_TEXT_KEYS)
def test_every_known_text_key_refuses_a_boolean_or_a_float(tmp_path: Path, key: str) -> None:
    """Each known text key ('published', 'source_url', ...) refuses true and 1.5 as values YAML respells."""
    assert set(metadata.KNOWN_TEXT_KEYS) == {"title", "publication", "published", "source_url", "url", "retrieved",
                                             "license", "notes", "original", "description"}
    for written, reads in (("true", "true"), ("1.5", "the number 1.5")):
        path = sidecar(tmp_path, f"{key}: {written}\n")
        with pytest.raises(InputError) as caught:
            load_sidecar(path)
        assert str(caught.value) == (f"{path}: line 1, column {len(key) + 3}: '{key}: {written}' reads as {reads} "
                                     f"in YAML, not as text; quote it: {key}: \"{written}\"")


@pytest.mark.parametrize("key", metadata.FIELD_KEYS)
def test_every_field_key_is_taken_from_the_sidecar(key: str) -> None:
    """title, publication, author, published, source_url, url, retrieved and license become fields."""
    assert set(metadata.FIELD_KEYS) == {"title", "publication", "author", "published", "source_url", "url",
                                        "retrieved", "license"}
    merged = merge((), {key: "value", "notes": "not a field"})
    assert list(merged.fields) == [key] and merged.fields[key].value == "value"


def test_a_yaml_error_without_a_place_still_names_the_file(tmp_path: Path) -> None:
    """A YAML error that carries no mark, problem or context is still an InputError naming the sidecar."""
    path = sidecar(tmp_path, "title: ok\n")
    with mock.patch.object(metadata, "_quick_load", side_effect=yaml.MarkedYAMLError()):
        with pytest.raises(InputError) as caught:
            load_sidecar(path)
    assert str(caught.value) == f"{path}: malformed YAML: malformed YAML; fix the YAML syntax"
    assert caught.value.line is None


@pytest.mark.parametrize("text, message", [
    ("title: ok\nauthor: [unclosed\nother: x\n",
     "line 3, column 6: malformed YAML: did not find expected ',' or ']'; fix the YAML syntax"),
    ("n: !!int abc\n", "line 1, column 4: a value YAML reads as a number cannot be read ('n: abc'): invalid literal "
                       "for int() with base 10: 'abc'; quote it: n: \"abc\""),
    ("n: !!float abc\n", "line 1, column 4: a value YAML reads as a number cannot be read ('n: abc'): could not "
                         "convert string to float: 'abc'; quote it: n: \"abc\""),
    ("d: !!timestamp abc\n", "line 1, column 4: 'd: abc' reads as a date in YAML but is not a valid date (not written "
                             "YYYY-MM-DD); quote it: d: \"abc\""),
    # a date that does not exist: quoted it would be kept as text and recorded as it is, so correcting it comes first
    ("published: 2024-02-30\n", "line 1, column 12: 'published: 2024-02-30' reads as a date in YAML but is not a valid"
                                " date (day is out of range for month); correct the date (or, to keep it as text,"
                                " quote it: published: \"2024-02-30\")"),
    ("r: [2024-03-01 25:00:00]\n", "line 1, column 5: '2024-03-01 25:00:00' reads as a date in YAML but is not a valid"
                                   " date (hour must be in 0..23); correct the date (or, to keep it as text, quote it:"
                                   " \"2024-03-01 25:00:00\")"),
    # a date-time's fraction of a second past 6 digits, which PyYAML drops unsaid (.123456789 kept as .123456)
    ("retrieved: 2024-03-01T10:00:00.123456789Z\n",
     "line 1, column 12: 'retrieved: 2024-03-01T10:00:00.123456789Z' reads as the date-time"
     " 2024-03-01T10:00:00.123456+00:00 in YAML, its fraction of a second cut from 9 digits to 6, not as the text"
     " written; quote it: retrieved: \"2024-03-01T10:00:00.123456789Z\""),
    ("x: {2024-03-01 10:00:00.1234567: y}\n",
     "line 1, column 5: the key '2024-03-01 10:00:00.1234567' reads as the date-time 2024-03-01T10:00:00.123456 in"
     " YAML, its fraction of a second cut from 7 digits to 6, not as the text written; quote it:"
     " \"2024-03-01 10:00:00.1234567\""),
    # a key refused inside a merged mapping (checked while the mapping merging it is flattened) is still a key
    ("x: {<<: {true: 1}}\n", "line 1, column 10: the key 'true' reads as a boolean in YAML, not as text; "
                             "quote it: \"true\""),
    ("a: 1\na: 2\n", "line 2, column 1: duplicate key 'a' (first given on line 1): YAML keys must be unique; "
                     "keep one of them"),
    # '=' is the value key, which PyYAML turns into the text '=' when it flattens the mapping
    ("=: a\n'=': b\n", "line 2, column 1: duplicate key '=' (first given on line 1): YAML keys must be unique; "
                       "keep one of them"),
    ("k: !!binary aGVsbG8=\n", "value of k has a type JSON cannot hold (bytes); write it as text"),
    ("k: &v " + "x" * 70_000 + "\nm: *v\n", "value of k is longer than 65536 characters; shorten it"),
    # a key past PyYAML's 1,024 characters of a simple key, where it said "mapping values are not allowed in this
    # context" (or "could not find expected ':'"); a long value holding ': ' is still that
    ("k" * 1025 + ": v\n", "line 1, column 1: a key of 1,025 characters: YAML reads a key on one line of at most 1,024"
                           " (PyYAML's simple-key limit); shorten the key"),
    ("title: x\n" + "k" * 1100 + ": v\n", "line 2, column 1: a key of 1,100 characters: YAML reads a key on one line"
                                         " of at most 1,024 (PyYAML's simple-key limit); shorten the key"),
    ("extra:\n  - " + "k" * 1030 + ": v\n", "line 2, column 5: a key of 1,030 characters: YAML reads a key on one"
                                            " line of at most 1,024 (PyYAML's simple-key limit); shorten the key"),
    ("extra: {a: 1, '" + "k" * 1030 + "': 2}\n", "line 1, column 15: a key of 1,032 characters: YAML reads a key on"
                                                 " one line of at most 1,024 (PyYAML's simple-key limit); shorten the"
                                                 " key"),
    ("x: " + "k" * 1030 + ": v\n", "line 1, column 1034: malformed YAML: mapping values are not allowed in this"
                                   " context; fix the YAML syntax"),
    ("author: [a, 1]\n", "line 1, column 9: 'author' must be text or a list of texts; write 'author: Name'"),
    ("url: not a uri\n", "line 1, column 6: 'url' is not an absolute URI without spaces: 'not a uri'; give the full "
                         "address, e.g. https://example.org/post"),
    ("source_url: ftp://e.org/x\n", "line 1, column 13: 'source_url' must be an http or https address; give the "
                                    "article's web address"),
    ("url: \"https://ex.org/a%zz\"\n", "line 1, column 6: 'url': '%zz' at character 17 is not a percent-escape (% and "
                                       "two hex digits); write a % sign itself as %25; check the address"),
    # the first known text key holding control characters is named, not an unknown key before it
    ("extra: \"a\\x01\"\ntitle: \"b\\x02\"\n", "line 2, column 8: 'title' holds control characters; remove them"),
    ("title: [1, 2]\n", "line 1, column 8: 'title' must be text, not a list; write one text instead: title: \"...\""),
])
def test_refusals_in_full(tmp_path: Path, text: str, message: str) -> None:
    """Each refusal names the sidecar (and line and column where YAML has them), the problem and the fix."""
    path = sidecar(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_mapping_merged_twice_is_not_refused_as_repeating_its_merged_keys(tmp_path: Path) -> None:
    """A mapping with its own merge key, merged again elsewhere, has its keys checked once, before merging."""
    loaded = load_sidecar(sidecar(tmp_path, "base: &b {<<: {k: 1}, k: 2}\nx: {<<: *b}\n"))
    assert loaded["base"] == {"k": 2} and list(loaded["x"]) == ["k"]


@pytest.mark.parametrize("key", ["url", "source_url"])
def test_an_address_with_credentials_is_refused_without_repeating_them(tmp_path: Path, key: str) -> None:
    """A `url` or `source_url` holding user:password@ would be recorded in the archive (WARC-Target-URI,
    provenance, CDXJ): refused, naming the sidecar and key, never quoting the password."""
    path = sidecar(tmp_path, f"{key}: https://alice:s3cret@example.org/a\n")
    with pytest.raises(InputError) as caught:
        load_sidecar(path)
    fetched = " (and sent, fetched, as an Authorization header)" if key == "source_url" else ""
    login = "; for a page behind a login, save it and name the copy with `original:`" if key == "source_url" else ""
    assert str(caught.value) == (
        f"{path}: line 1, column {len(key) + 3}: '{key}' holds a user name or password (user:password@host): archives are meant to be published, "
        f"and it would be recorded in them{fetched}; remove the user:password@ part{login}")
    assert "s3cret" not in str(caught.value)


def test_an_at_sign_elsewhere_in_an_address_is_kept(tmp_path: Path) -> None:
    """An @ in the path or query (a Mastodon handle, a mail address in a query) is no user name."""
    loaded = load_sidecar(sidecar(tmp_path, "url: https://example.social/@alice?to=a@b.org\n"))
    assert loaded == {"url": "https://example.social/@alice?to=a@b.org"}


def test_a_key_one_edit_from_a_short_known_key_is_a_typo_only_as_a_swap_or_by_case() -> None:
    """url, title and notes are short: a key one letter from them is often a word of its own (uri, purl, noted,
    votes, note1); only the same but for case, '-' and '_', or two letters swapped, is taken for their typo. A key
    one edit from a longer known key (originals, licence) is."""
    from provpack.metadata import misspelt_keys

    sidecar = {key: "x" for key in ("uri", "purl", "curl", "urls", "noted", "votes", "note1", "titles", "ulr", "titel",
                                    "URL", "Notes", "licence", "originals", "sorce_url")}
    assert misspelt_keys(sidecar) == (("ulr", ("url",)), ("titel", ("title",)), ("URL", ("url",)),
                                      ("Notes", ("notes",)), ("licence", ("license",)), ("originals", ("original",)),
                                      ("sorce_url", ("source_url",)))
