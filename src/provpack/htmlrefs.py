"""html.parser's reading of character references in text, in flat memory.

`html.unescape` replaces the references of a text with one `re.sub`, which holds a string for each reference until
the text is read: a run of text of 2 MB of `&a` took 95 MiB, one of 20 MB of `&#x4e00;` 291 MiB. `unescape` reads a
long text a chunk at a time, cut just before an `&` (a reference is never cut: none holds a second `&`), to the same
text. html.parser unescapes each run of text with the `unescape` its module holds: `goahead` is its own, run with
this `unescape` in its place (its code as it is, with globals of its own: nothing of html.parser is changed).
"""

from __future__ import annotations

import html
import html.parser
import types
from collections.abc import Callable
from html.parser import HTMLParser

__all__ = ["goahead", "unescape"]

_CHUNK = 1 << 16   # characters unescaped at a time (and up to the next `&`)


def unescape(text: str) -> str:
    """`html.unescape(text)`, a chunk at a time."""
    if len(text) <= _CHUNK or "&" not in text:
        return html.unescape(text)
    parts: list[str] = []
    start = 0
    while start < len(text):
        cut = text.find("&", start + _CHUNK)
        cut = len(text) if cut < 0 else cut
        parts.append(html.unescape(text[start:cut]))
        start = cut
    return "".join(parts)


def _own_goahead() -> Callable[[HTMLParser, bool], None]:
    """HTMLParser.goahead, its `unescape` being this module's (html.parser's own where it holds a closure: no
    function of it can be run with other globals)."""
    method = HTMLParser.goahead
    code = method.__code__
    if code.co_freevars or "unescape" not in code.co_names:
        return method
    names = {**vars(html.parser), "unescape": unescape}
    function = types.FunctionType(code, names, method.__name__, method.__defaults__)
    function.__kwdefaults__ = method.__kwdefaults__
    return function


goahead = _own_goahead()
