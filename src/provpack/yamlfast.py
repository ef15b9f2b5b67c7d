"""Plain sidecar YAML read fast, with exactly the result of `yaml.load` made JSON-ready by `metadata`.

Sidecars are nearly always a few `key: value` lines, a list or two and perhaps a
folded note. Building PyYAML's events, nodes and objects in Python costs far more
than the few bytes justify, so two readers come first, both giving None (the
full path decides) for anything they do not know to read exactly as PyYAML does:

- `key: value` lines, read line by line: plain and simply quoted scalars, flow
  lists of plain words, block lists, and folded (`>`) text;
- libyaml's events, for the rest of the plain sidecars: no anchors, aliases,
  explicit tags or merge keys.

Either way each scalar is resolved and constructed by PyYAML's own resolver and
safe constructor, so YAML 1.1 types (dates, `yes`, `0x1F`, `.inf`) come out the same.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import yaml

_RESOLVER: Any = yaml.resolver.Resolver()
_CONSTRUCTOR: Any = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_PLAIN = (True, False)   # the `implicit` of a plain scalar's event
_IMPLICIT_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)   # first characters the resolver tries patterns for
# Both readers need a resolver that looks at nothing but a scalar's first character; events need libyaml.
_RESOLVES_BY_FIRST = None not in _IMPLICIT_FIRST and not _RESOLVER.yaml_path_resolvers
_EVENTS = _RESOLVES_BY_FIRST and hasattr(yaml, "CSafeLoader")
_SCALARS = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(.*)")
_ITEM_LINE = re.compile(r"( *)- +(\S.*)")
# A plain scalar in block context starts with none of these (but '-' may start a number), has no ': ' or
# ' #' inside and no ':' at its end; lines are printable, so no other white space can start it.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_NUMBER_START = frozenset("0123456789.")
_FLOW_ITEM = re.compile(r"[A-Za-z0-9_\u00a0-\U0010ffff][A-Za-z0-9_ .\-\u00a0-\U0010ffff]*")
_KEYS: dict[str, Any] = {}   # plain keys already constructed: sidecars repeat the same few
_KEYS_KEPT = 1024
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')
_SINGLE_QUOTED = re.compile(r"'([^']*)'")


class _Undecided(Exception):
    """A fast reader leaves this sidecar to the full path."""


def quick_load(source: str, *, max_values: int, max_depth: int, max_string: int) -> dict[str, Any] | None:
    """The JSON-ready mapping PyYAML's full path makes of `source`, or None when only it can tell.

    None also for sidecars outside the limits (values, depth, string length) and
    for every malformed one: the full path reports those properly.
    """
    if not _RESOLVES_BY_FIRST:
        return None
    try:
        return _read_lines(source, max_values=max_values, max_string=max_string)
    except Exception:  # noqa: BLE001 - undecided, or a scalar PyYAML cannot construct: the full path tells which
        pass
    if not _EVENTS:
        return None
    try:
        return _read_events(source, max_values=max_values, max_depth=max_depth, max_string=max_string)
    except Exception:  # noqa: BLE001 - whatever went wrong, the full path reports it properly
        return None


def _read_lines(source: str, *, max_values: int, max_string: int) -> dict[str, Any]:
    """`key: value` lines, block and flow lists of scalars, folded text; _Undecided for anything else."""
    if not source.endswith("\n"):
        raise _Undecided
    lines = source.split("\n")
    lines.pop()
    if not all(map(str.isprintable, lines)):   # tabs, other breaks, controls, even no-break spaces: the full path
        raise _Undecided
    out: dict[str, Any] = {}
    keys: set[Any] = set()
    count = 0
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if not line.strip(" ") or line[0] == "#":
            continue
        match = _KEY_LINE.fullmatch(line)
        if match is None:
            raise _Undecided
        name = _key_name(match.group(1), keys)
        rest = match.group(2)
        written = rest.lstrip(" ")
        if name in out or (rest and rest[0] != " ") or written.endswith(" "):
            raise _Undecided
        value: Any
        if not written:
            value, number = _block_list(lines, number, max_string)
        elif written == ">":
            value, number = _folded(lines, number, max_string)
        elif written[0] == "[":
            value = _flow_list(written, max_string)
        else:
            value = _scalar(written, max_string)
        count += 1 + (len(value) if isinstance(value, list) else 0)
        out[name] = value
    if not out or count >= max_values:   # the mapping itself is a value too
        raise _Undecided
    return out


def _key_name(written: str, keys: set[Any]) -> str:
    """The JSON name of a plain key, as metadata makes it from the key PyYAML constructs.

    _Undecided when an equal key came before (1, 1.0 and True are one key to a
    dict, and which name survives is the full path's business).
    """
    key = _KEYS.get(written, _KEYS)
    if key is _KEYS:
        tag = _resolve(written, _PLAIN)
        key = written if tag == _STR else _construct(tag, written)
        if len(_KEYS) < _KEYS_KEPT:
            _KEYS[written] = key
    if key in keys:
        raise _Undecided
    keys.add(key)
    return key.isoformat() if isinstance(key, (dt.date, dt.datetime)) else str(key)


def _block_list(lines: list[str], number: int, max_string: int) -> tuple[list[Any] | None, int]:
    """The `- item` lines from `number` on, all at one indentation; None (YAML null) when there are none."""
    items: list[Any] = []
    indent = -1
    while number < len(lines):
        match = _ITEM_LINE.fullmatch(lines[number])
        if match is None:
            break
        if indent < 0:
            indent = len(match.group(1))
        elif len(match.group(1)) != indent:
            raise _Undecided
        written = match.group(2)
        if written.endswith(" ") or written[0] == "[":
            raise _Undecided
        items.append(_scalar(written, max_string))
        number += 1
    return (items if indent >= 0 else None), number


def _folded(lines: list[str], number: int, max_string: int) -> tuple[str, int]:
    """A `>` block: lines at one indentation joined by spaces, one final line break (clip)."""
    parts: list[str] = []
    indent = 0
    while number < len(lines) and lines[number].startswith(" "):
        line = lines[number]
        if not indent:
            indent = len(line) - len(line.lstrip(" "))
        if len(line) <= indent or line[indent] == " " or line[:indent].strip(" ") or line.endswith(" "):
            raise _Undecided   # blank, more indented, less indented, or trailing space: folding rules differ
        parts.append(line[indent:])
        number += 1
    if not parts:
        raise _Undecided
    text = " ".join(parts) + "\n"
    if len(text) > max_string:
        raise _Undecided
    return text, number


def _flow_list(written: str, max_string: int) -> list[Any]:
    """`[a, b, c]` of plain words."""
    if not written.endswith("]"):
        raise _Undecided
    inner = written[1:-1]
    if not inner.strip(" "):
        return []
    items = []
    for item in inner.split(","):
        word = item.strip(" ")
        if _FLOW_ITEM.fullmatch(word) is None or word.endswith(" "):
            raise _Undecided
        items.append(_plain(word, max_string))
    return items


def _scalar(written: str, max_string: int) -> Any:
    """A one-line scalar: plain, or quoted without escapes."""
    first = written[0]
    if first == '"' or first == "'":
        match = (_DOUBLE_QUOTED if first == '"' else _SINGLE_QUOTED).fullmatch(written)
        if match is None or len(match.group(1)) > max_string:
            raise _Undecided
        return match.group(1)
    if ((first in _INDICATORS and not (first == "-" and written[1:2] in _NUMBER_START))
            or ": " in written or " #" in written or written.endswith(":")):
        raise _Undecided
    if first not in _IMPLICIT_FIRST:   # text whatever follows: no pattern to try
        if len(written) > max_string:
            raise _Undecided
        return written
    return _plain(written, max_string)


def _plain(written: str, max_string: int) -> Any:
    """A plain scalar resolved and constructed as PyYAML does, made JSON-ready as metadata does."""
    tag = _resolve(written, _PLAIN)
    if tag == _STR:
        if len(written) > max_string:
            raise _Undecided
        return written
    value = _construct(tag, written)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """The scalar's tag, as the composer's resolver gives it; most text needs no pattern tried."""
    if not implicit[0] or (value and value[0] not in _IMPLICIT_FIRST):
        return _STR
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, implicit)
    return tag


def _construct(tag: str, text: str) -> Any:
    construct = _SCALARS.get(tag)
    if construct is None:
        raise _Undecided
    return construct(yaml.ScalarNode(tag, text))


def _read_events(source: str, *, max_values: int, max_depth: int, max_string: int) -> dict[str, Any] | None:
    """One document holding a mapping, read from libyaml's events; None for anything else."""
    parser = yaml.CSafeLoader(source)
    try:
        get = parser.get_event
        if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
            return None
        first = get()
        if type(first) is not yaml.MappingStartEvent:
            return None
        budget = [max_values]
        sidecar: dict[str, Any] = _event_value(get, first, budget, 0, max_depth, max_string)
        if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
            return None
        return sidecar
    finally:
        parser.dispose()


def _event_value(get: Any, event: Any, budget: list[int], depth: int, max_depth: int, max_string: int) -> Any:
    """The JSON-ready value that starts with `event`; _Undecided when the full path must decide."""
    budget[0] -= 1
    if budget[0] < 0 or depth > max_depth or event.anchor is not None or event.tag is not None:
        raise _Undecided
    kind = type(event)
    if kind is yaml.ScalarEvent:
        if event.implicit[0]:
            return _plain(event.value, max_string)
        if len(event.value) > max_string:
            raise _Undecided
        return event.value
    if kind is yaml.SequenceStartEvent:
        items = []
        item = get()
        while type(item) is not yaml.SequenceEndEvent:
            items.append(_event_value(get, item, budget, depth + 1, max_depth, max_string))
            item = get()
        return items
    if kind is yaml.MappingStartEvent:
        out: dict[str, Any] = {}
        keys: set[Any] = set()
        key = get()
        while type(key) is not yaml.MappingEndEvent:
            if type(key) is not yaml.ScalarEvent or key.anchor is not None or key.tag is not None:
                raise _Undecided
            if key.implicit[0]:
                name = _key_name(key.value, keys)
            elif key.value in keys:
                raise _Undecided
            else:
                name = key.value
                keys.add(name)
            if name in out:
                raise _Undecided
            out[name] = _event_value(get, get(), budget, depth + 1, max_depth, max_string)
            key = get()
        return out
    raise _Undecided
