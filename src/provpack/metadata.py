"""Sidecar YAML -> JSON-ready values; merge them with the fields parsed from the text.

Sidecars are read with the safe loader only (the C one when PyYAML has it), so no
tag can construct a Python object; plain ones are built straight from its node tree. Every value is made JSON-ready here, with
limits on size, nesting and alias expansion so that no sidecar can exhaust memory.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .iri import as_uri
from .model import FieldValue, Metadata, ParsedField

try:
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader

MAX_SIDECAR_BYTES = 1024 * 1024
MAX_VALUES = 10_000
MAX_DEPTH = 32
MAX_STRING = 64 * 1024

KNOWN_TEXT_KEYS = ("title", "publication", "published", "source_url", "url", "retrieved",
                   "license", "notes", "original", "description")
KNOWN_KEYS = KNOWN_TEXT_KEYS + ("author",)
FIELD_KEYS = ("title", "publication", "author", "published", "source_url", "url", "retrieved", "license")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f-\x9f]+")   # \s holds U+2028/9; C1 as records' headers
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def load_sidecar(path: Path | str) -> dict[str, Any]:
    """The sidecar's mapping, made JSON-ready and checked; an InputError naming file and line if not."""
    try:
        with open(path, "rb") as file:   # a str path needs no Path built and formatted per sidecar
            raw = file.read()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}", fix="check its permissions") from exc
    if len(raw) > MAX_SIDECAR_BYTES:
        raise InputError(path, f"sidecar is larger than {MAX_SIDECAR_BYTES} bytes", fix="keep sidecars small")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "invalid UTF-8", offset=exc.start, fix="re-save the sidecar as UTF-8") from exc
    try:
        quick = _quick_load(source)
        loaded = yaml.load(source, Loader=_SafeLoader) if quick is None else None  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if mark is None:
            raise InputError(path, f"malformed YAML: {problem}", fix="fix the YAML syntax") from exc
        raise InputError(path, f"malformed YAML: {problem}", line=mark.line + 1, column=mark.column + 1,
                         fix="fix the YAML syntax") from exc
    except yaml.YAMLError as exc:
        raise InputError(path, f"malformed YAML: {exc}", fix="fix the YAML syntax") from exc
    except RecursionError as exc:  # the pure-Python loader, without libyaml's own depth limit
        raise InputError(path, "malformed YAML: nested too deeply", fix="flatten it") from exc
    except ValueError as exc:  # a number int() will not read (over 4,300 digits)
        raise InputError(path, f"a value YAML reads as a number cannot be read: {str(exc)[:120]}",
                         fix="quote it, or shorten it") from exc
    if quick is not None:
        sidecar = quick
    elif loaded is None:
        return {}
    elif not isinstance(loaded, dict):
        raise InputError(path, f"sidecar must be a mapping of keys to values, not a {type(loaded).__name__}",
                         fix="write it as 'key: value' lines")
    else:
        sidecar = _jsonable(loaded, path, None, [MAX_VALUES], 0, set())
    _check_known(sidecar, path, source)
    return sidecar


def _written(source: str, key: str) -> str | None:
    """The top-level `key`'s scalar as written in the YAML `source` (composed again: only for the rare
    number in a text field), or None."""
    loader = _SafeLoader(source)   # noqa: S506 - safe loader; nodes, no objects built
    try:
        node = loader.get_single_node()
        if isinstance(node, yaml.MappingNode):
            loader.flatten_mapping(node)   # a merge key's pairs first, then the mapping's own, as loading does
    finally:
        loader.dispose()
    written = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:   # the last one given, as loading keeps the last
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                written = str(value_node.value) if isinstance(value_node, yaml.ScalarNode) else None
    return written


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))
_QUICK_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))
# SafeLoader's implicit resolvers by first character (plus any wildcard ones), as Resolver.resolve tries them.
_WILDCARD = tuple(_SafeLoader.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS = {first: tuple(resolvers) + _WILDCARD
              for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items() if first is not None}


class _Unusual(Exception):
    """The document needs PyYAML's whole constructor (aliases, merge keys, other tags, limits reached)."""


class _QuickLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader with Resolver.resolve as one table lookup; SafeLoader has no path resolvers."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _RESOLVERS.get(value[:1], _WILDCARD):  # type: ignore[index]
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        """Nothing to track: path resolvers are the only users of the path."""

    def ascend_resolver(self) -> None:
        """Nothing to track: path resolvers are the only users of the path."""


def _quick_load(source: str) -> dict[str, Any] | None:
    """The JSON-ready mapping of a plain sidecar, as yaml.load then _jsonable give it; None if unusual."""
    loader = _QuickLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            return None
        values = [1]
        try:
            mapping: dict[str, Any] = _quick_value(loader, node, 0, values, set())
        except _Unusual:
            return None
        return mapping if values[0] <= MAX_VALUES else None
    finally:
        loader.dispose()


def _quick_value(loader: Any, node: yaml.Node, depth: int, values: list[int], seen: set[int]) -> Any:
    """The JSON-ready value of `node`, counting values into `values`; _Unusual when PyYAML must decide."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            if len(node.value) > MAX_STRING:
                raise _Unusual
            return node.value
        if tag not in _QUICK_SCALAR_TAGS:
            raise _Unusual
        try:  # PyYAML's own rules for ints, floats, bools and timestamps; explicit tags may not fit them
            value = loader.yaml_constructors[tag](loader, node)
        except Exception as exc:
            raise _Unusual from exc
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    if id(node) in seen or depth >= MAX_DEPTH:  # an alias (maybe recursive), or nesting near the limit
        raise _Unusual
    seen.add(id(node))
    values[0] += len(node.value)
    if tag == _MAP and isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or not isinstance(key_node, yaml.ScalarNode):
                raise _Unusual
            mapping[key_node.value] = _quick_value(loader, value_node, depth + 1, values, seen)
        return mapping
    if tag == _SEQ and isinstance(node, yaml.SequenceNode):
        return [_quick_value(loader, item, depth + 1, values, seen) for item in node.value]
    raise _Unusual


# Where a value sits, built only for an error message: None at the top, else (parent, key or index).
_Where = tuple[Any, "str | int"] | None


def _where(where: _Where) -> str:
    """'a.b[2]' for the chain (((None, 'a'), 'b'), 2); '' for None."""
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}[{key}]" if isinstance(key, int) else f"{text}.{key}" if text else key
    return text


def _jsonable(value: Any, path: Path | str, where: _Where, budget: list[int], depth: int, active: set[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(path, f"more than {MAX_VALUES} values (YAML aliases can multiply them)",
                         fix="simplify the sidecar")
    if depth > MAX_DEPTH:
        raise InputError(path, f"nested deeper than {MAX_DEPTH} levels at {_where(where) or 'top'}", fix="flatten it")
    if isinstance(value, str):   # most values: tested first
        if len(value) > MAX_STRING:
            raise InputError(path, f"value of {_where(where)} is longer than {MAX_STRING} characters",
                             fix="shorten it")
        return value
    if isinstance(value, (dict, list, set)):
        if id(value) in active:
            raise InputError(path, f"recursive YAML alias at {_where(where) or 'top'}",
                             fix="remove the self-reference")
        active = active | {id(value)}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, (dt.date, dt.datetime)):
                name = key.isoformat()
            elif isinstance(key, str):
                name = key
            else:
                # YAML reads `true:`, `null:`, `007:` and `1.0:` as other things, and True, 1 and 1.0 as one
                # key: a value would be lost or its key respelled (True, None, 7), so it must be written as text.
                raise InputError(path, f"a key in {_where(where) or 'the top level'} reads as {_kind(key)} in "
                                 f"YAML ({key!r}), not as text", fix="quote the key, e.g. \"true\": ...")
            out[name] = _jsonable(item, path, (where, name), budget, depth + 1, active)
        return out
    if isinstance(value, (list, set)):
        items = sorted(value, key=str) if isinstance(value, set) else value
        return [_jsonable(item, path, (where, n), budget, depth + 1, active) for n, item in enumerate(items)]
    if isinstance(value, (bool, int)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise InputError(path, f"value of {_where(where)} has a type JSON cannot hold ({type(value).__name__})",
                     fix="write it as text")


def _kind(value: object) -> str:
    """What YAML made of a plain scalar, in words."""
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    return "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"


def _check_known(sidecar: dict[str, Any], path: Path | str, source: str) -> None:
    texts: list[str] = []
    for key in KNOWN_TEXT_KEYS:
        value = sidecar.get(key)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, bool):   # YAML 1.1 as PyYAML reads it: yes, no, on, off, true, false
            raise InputError(path, f"'{key}' reads as {str(value).lower()} in YAML, not as text",
                             fix=f"quote it: {key}: \"...\"")
        elif isinstance(value, int) and (written := _written(source, key)) not in (None, str(value)):
            # YAML 1.1 reads 007 as 7, 12:30 as 750, 0x1F as 31: the text as written would be lost
            raise InputError(path, f"'{key}: {written}' reads as the number {value} in YAML, not as the text",
                             fix=f"quote it: {key}: \"{written}\"")
        elif value is not None and not isinstance(value, int):
            raise InputError(path, f"'{key}' must be text, not {type(value).__name__}",
                             fix=f"write '{key}: ...' on one line")
    author = sidecar.get("author")
    if author is not None and not (isinstance(author, str) or
                                   (isinstance(author, list) and all(isinstance(a, str) for a in author))):
        raise InputError(path, "'author' must be text or a list of texts", fix="write 'author: Name'")
    for key in ("url", "source_url"):
        value = sidecar.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not _URI.fullmatch(value):
            raise InputError(path, f"'{key}' is not an absolute URI without spaces: {str(value)[:80]!r}",
                             fix="give the full address, e.g. https://example.org/post")
        if key == "source_url" and not value.lower().startswith(("http://", "https://")):
            raise InputError(path, "'source_url' must be an http or https address", fix="give the article's web address")
        if not value.isascii():   # an IRI: its URI form goes into WARC headers, so it must have one
            try:
                as_uri(value)
            except ValueError as exc:
                raise InputError(path, f"'{key}': {exc}", fix="check the address") from exc
    if not _CONTROL.search("".join(texts)):  # one scan for all; the loop names the first such key
        return
    for key, value in sidecar.items():
        if isinstance(value, str) and key in KNOWN_TEXT_KEYS and _CONTROL.search(value):
            raise InputError(path, f"'{key}' holds control characters", fix="remove them")


def merge(parsed: tuple[ParsedField, ...], sidecar: dict[str, Any] | None, *,
          sidecar_name: str | None = None) -> Metadata:
    """Fields from the text, overridden by the sidecar's; each says where it came from."""
    fields: dict[str, FieldValue] = {f.name: FieldValue(f.value, "text", f.span) for f in parsed}
    for key in FIELD_KEYS:
        if sidecar is None or sidecar.get(key) is None:
            continue
        value = sidecar[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        previous = fields.get(key)
        overridden = previous.value if previous is not None and previous.value != value else None
        fields[key] = FieldValue(value, "sidecar", None, overridden=overridden)
    return Metadata(fields=dict(sorted(fields.items())), sidecar=sidecar, sidecar_name=sidecar_name)
