"""html.parser's reading of comments and marked sections, in time linear in the page, and without a crash.

The standard library's `html.parser` (of Python 3.10 to 3.13.0) reads a comment (`<!--`) or a marked section
(`<![CDATA[`, `<![if ...]`) that nothing closes as text up to the next `>` when the page is closed, and reads on
from there; each such comment searched the rest of the page for a `-->` again, and each such section for its
`]]>` or `]>`: a page of 200 KB of `<!--x>` took 7.6 s, one of 2 MB more than 120 s. `MarkupReader` reads them as
that html.parser does, call for call, but remembers, while it reads one text, from where it knows a closing pattern
is nowhere to be found, and answers a search from there or later at once.

A marked section whose keyword html.parser does not know (`<![foo[`) or that has none (`<![ `) made it raise
AssertionError (in _markupbase): it is read as browsers read it, as a bogus comment up to the next `>`.

It reads them itself only where the running html.parser reads comments and marked sections as the one it was made
equal to (`_reads_markup_as_known`); elsewhere (the security releases after 3.13.0 change this reading) html.parser
does, and only its AssertionError is read as a bogus comment.
"""

from __future__ import annotations

import _markupbase
import hashlib
import re
from html.parser import HTMLParser

from . import htmlrefs
from .htmltags import TagReader

__all__ = ["MarkupReader"]

# The keywords of marked sections html.parser reads, and the pattern that closes each kind.
_SGML_SECTIONS = frozenset({"temp", "cdata", "ignore", "include", "rcdata"})
_WORD_SECTIONS = frozenset({"if", "else", "endif"})

# The patterns of _markupbase and what html.parser's methods that read comments and marked sections use (names and
# constants; a set constant as a sorted tuple, its order being the hash seed's), hashed, as Python 3.10 to 3.13.0
# read them.
_PATTERN_NAMES = ("_commentclose", "_markedsectionclose", "_msmarkedsectionclose")
_METHODS = ((_markupbase.ParserBase, "parse_comment"), (_markupbase.ParserBase, "parse_marked_section"),
            (_markupbase.ParserBase, "_scan_name"), (HTMLParser, "parse_html_declaration"),
            (HTMLParser, "goahead"))
_KNOWN_MARKUP_READING = frozenset({
    "7d6e191dc467dec39723323cf5336af9c4e71ee1786a3eef9eea8c8af6b2a719",   # 3.10 to 3.13.0 (3.10.13, 3.11.7, 3.12.1, 3.13.0)
})


def _constant(value: object) -> object:
    if isinstance(value, frozenset):
        return tuple(sorted(map(repr, value)))
    if isinstance(value, tuple):
        return tuple(_constant(item) for item in value)
    return value


def _markup_reading() -> str:
    """A digest of how the running html.parser reads comments and marked sections: _markupbase's patterns, and
    the names and constants of the methods that read them."""
    found = [getattr(_markupbase, name, None) for name in _PATTERN_NAMES]
    found.append(getattr(getattr(_markupbase, "_declname_match", None), "__self__", None))
    patterns = [(getattr(pattern, "pattern", None), getattr(pattern, "flags", None)) for pattern in found]
    methods = []
    for owner, name in _METHODS:
        code = getattr(getattr(owner, name, None), "__code__", None)
        methods.append((name, None if code is None else (code.co_names, _constant(code.co_consts))))
    return hashlib.sha256(repr((patterns, methods)).encode("utf-8")).hexdigest()


# True when the running html.parser reads comments and marked sections as MarkupReader was made equal to.
_LINEAR = _markup_reading() in _KNOWN_MARKUP_READING


class MarkupReader(TagReader):
    """A TagReader that reads comments and marked sections in linear time (where `_LINEAR`), and a marked section
    html.parser cannot read as a bogus comment."""

    def __init__(self, *, convert_charrefs: bool = True) -> None:
        self._searched: str | None = None   # the text the searches below were made in
        self._absent: dict[re.Pattern[str], int] = {}   # closing pattern -> a position from which it is not found
        super().__init__(convert_charrefs=convert_charrefs)

    def goahead(self, end: bool) -> None:
        try:
            htmlrefs.goahead(self, end)   # (html.parser's, unescaping text in flat memory)
        finally:
            self._searched, self._absent = None, {}   # (holding no text past its reading)

    def _search(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        """pattern.search(self.rawdata, pos): None at once where a search of the same text found none from `pos`
        or before it."""
        rawdata = self.rawdata
        if rawdata is not self._searched:
            self._searched, self._absent = rawdata, {}
        absent = self._absent.get(pattern)
        if absent is not None and pos >= absent:
            return None
        found = pattern.search(rawdata, pos)
        if found is None:
            self._absent[pattern] = pos if absent is None else min(pos, absent)
        return found

    def parse_comment(self, i: int, report: bool = True) -> int:
        """Read the comment at `i` as html.parser does; its end, or -1 when nothing closes it (yet)."""
        if not _LINEAR:
            return super().parse_comment(i, report)
        rawdata = self.rawdata
        if rawdata[i:i + 4] != "<!--":
            raise AssertionError("unexpected call to parse_comment()")
        found = self._search(_markupbase._commentclose, i + 4)   # type: ignore[attr-defined]
        if found is None:
            return -1
        if report:
            self.handle_comment(rawdata[i + 4:found.start()])
        return found.end()

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """Read the marked section at `i` as html.parser does, one it cannot read as a bogus comment; its end, or -1
        when nothing closes it (yet)."""
        if not _LINEAR:
            position = self.getpos()
            try:
                return super().parse_marked_section(i, report)
            except AssertionError:   # (an unknown keyword, or none)
                self.lineno, self.offset = position
                return self.parse_bogus_comment(i)
        rawdata = self.rawdata
        if i + 3 == len(rawdata):
            return -1
        name = _markupbase._declname_match(rawdata, i + 3)   # type: ignore[attr-defined]
        if name is None:
            return self.parse_bogus_comment(i)
        if name.end() == len(rawdata):
            return -1
        keyword = name.group().strip().lower()
        if keyword in _SGML_SECTIONS:
            found = self._search(_markupbase._markedsectionclose, i + 3)   # type: ignore[attr-defined]
        elif keyword in _WORD_SECTIONS:
            found = self._search(_markupbase._msmarkedsectionclose, i + 3)   # type: ignore[attr-defined]
        else:
            return self.parse_bogus_comment(i)
        if found is None:
            return -1
        if report:
            self.unknown_decl(rawdata[i + 3:found.start()])
        return found.end()
