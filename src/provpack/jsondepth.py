"""How deep a JSON text nests its arrays and objects, found without parsing it, so that one nested too deep is
refused before a parser, or code walking what it gives, recurses into it.

json.loads recurses once a level and raises RecursionError (no ValueError) some 1,000 levels down, fewer the
deeper the stack it is called from; orjson refuses past 1,024 levels, and what it takes json.loads (verify's
reports), `show --json` and the display then recurse into. provpack's provenance nests some 35 levels at most
(a sidecar's YAML, kept in it, nests 32 at most): any text of more than MAX_DEPTH is refused as one that does
not parse (TooDeep, a ValueError), by verify, show, extract, read_archive and make_wacz alike. MAX_DEPTH leaves
json.loads, json.dumps and repr some 700 levels of stack for their callers.
"""

from __future__ import annotations

import json
from itertools import accumulate, repeat
from operator import mul, sub, xor
from typing import Any

MAX_DEPTH = 256

_KEPT = b'"[]{}'   # what a string's ends and the brackets are, once escaped quotes and backslashes are out
_NOT_KEPT = bytes(sorted(set(range(256)) - set(_KEPT)))
_LEVELS = bytes.maketrans(b'[{]}"', b"\x02\x02\x00\x00\x01")   # each one more than its step (+1, -1, 0)
_QUOTES = bytes.maketrans(b'[{]}"', b"\x00\x00\x00\x00\x01")


class TooDeep(ValueError):
    """A JSON text that nests its arrays and objects more than MAX_DEPTH levels deep."""

    def __init__(self, depth: int) -> None:
        super().__init__(f"it nests arrays and objects {depth:,} levels deep, more than the {MAX_DEPTH} "
                         "provpack reads")
        self.depth = depth


def check(text: bytes | bytearray) -> None:
    """TooDeep when `text` (JSON as json.loads takes it: UTF-8, -16 or -32) nests more than MAX_DEPTH levels."""
    # The usual case, told at memchr's speed (a count of the brackets takes some 4 instructions a byte, a tenth
    # of verify's whole cost of a provenance record): no more than MAX_DEPTH '[' and '{' in all, in strings
    # or not, so no deeper. Each '[' is made '{' (up to one more than MAX_DEPTH: one left means more), then
    # MAX_DEPTH '{' are made NUL: one left means more.
    merged = text.replace(b"[", b"{", MAX_DEPTH + 1)
    if merged.find(b"[") < 0 and merged.replace(b"{", b"\0", MAX_DEPTH).find(b"{") < 0:
        return
    found = depth(text)
    if found > MAX_DEPTH:
        raise TooDeep(found)


def depth(text: bytes | bytearray) -> int:
    """How many arrays and objects deep `text` nests at its deepest, brackets in strings left out: as json.loads
    reads it, or deeper (in text that is not JSON, from where json.loads stops on an error)."""
    encoding = json.detect_encoding(text)
    if not encoding.startswith("utf-8"):   # UTF-16 or -32: each bracket and quote is then more than a byte
        text = bytes(text).decode(encoding, "replace").encode("utf-8")
    if b"\\" in text:   # an escaped backslash or quote, taken out pair by pair from the left as JSON reads them
        text = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    # A bracket is in a string when an odd number of quotes come before it (a string the text ends in runs to
    # its end). Told by iterators over the kept bytes, not by taking the strings out: a regular expression's sub,
    # or a split and join, took some 85 bytes a string (10 MB of "" took 420 MB).
    kept = text.translate(None, _NOT_KEPT)
    outside = map(xor, accumulate(kept.translate(_QUOTES), xor), repeat(1))   # 1 outside a string, 0 in one
    steps = map(mul, map(sub, kept.translate(_LEVELS), repeat(1)), outside)
    return int(max(accumulate(steps, initial=0)))


def loads(text: bytes | bytearray) -> Any:
    """json.loads(text), a TooDeep error first when it nests more than MAX_DEPTH levels."""
    check(text)
    return json.loads(text)
