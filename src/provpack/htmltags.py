"""html.parser's reading of start and end tags, in flat memory.

The standard library's `html.parser` (of Python 3.10 to 3.13.0) finds where a start tag ends with one regular
expression that repeats a group for each attribute, and reads the spaces after a tag's or attribute's name with a
group repeated for each space; each pass of a repeated group takes a frame of the regular-expression engine's
stack, kept until the match ends: a start tag of 1 million attributes (`<a a a ...>`, 2 MB) took 0.5 GB, 2 million
spaces after a name 0.25 GB. `TagReader` reads tags as that html.parser does, call for call, with patterns that
repeat single characters only, or a group 64 times at most (the attributes, matched again from where they stop), and folds
a tag's attributes into one dict as it reads them, keeping only the names the subclass asks for: the handlers get
what `dict(attrs)` of html.parser's list would hold of them, in its order (the first place a name is, its last
value). tests/test_htmltags.py compares it with html.parser on generated tag soup.

It does so only where the running Python's html.parser reads tags as the one it was made equal to (its patterns
and what its tag methods use, `_reads_tags_as_known`); elsewhere (a Python whose html.parser was changed, as
security releases after 3.13.0 change it) html.parser reads tags itself, as it did before, and the names kept
are picked from its list.
"""

from __future__ import annotations

import hashlib
import html.parser
import re
from html.parser import HTMLParser

from .htmlrefs import unescape

__all__ = ["TagReader"]

# Each pattern is html.parser's, with its repeated group `(?:\s|/(?!>))*` written `(?:[\s/]*(?:\s|/(?!>)))?`: the
# longest run of white space and slashes, less a last slash a `>` follows, as the group's greedy passes take.
_TAIL = r"(?:[\s/]*(?:\s|/(?!>)))?"
_TAG_NAME = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)" + _TAIL)
_ATTRIBUTE = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""" + _TAIL)
# Where a start tag's text ends: its name, white space and slashes, its attributes, up to 64 a match (a bounded
# repeat: 64 frames of re's stack at most), matched again from where they stop until none is left (html.parser's
# white space after them is the last attribute's, or the slashes' before them).
_ONE_ATTRIBUTE = r"""(?<=['"\s/])[^\s/>][^\s/=>]*(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?""" + _TAIL
_START_TAG = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*[\s/]*(?:" + _ONE_ATTRIBUTE + "){0,64}")
_MORE_ATTRIBUTES = re.compile(r"(?:" + _ONE_ATTRIBUTE + "){0,64}")
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_ENDS_BEFORE_VALUE = frozenset("abcdefghijklmnopqrstuvwxyz=/ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# The tag patterns of html.parser and what its three tag methods use (names and constants), hashed, as Python 3.10
# reads tags and as 3.11 to 3.13.0 do (3.10's parse_starttag also counts lines for an error it no longer raises).
_PATTERN_NAMES = ("tagfind_tolerant", "attrfind_tolerant", "locatestarttagend_tolerant", "endtagfind", "endendtag")
_TAG_METHODS = ("parse_starttag", "check_for_whole_start_tag", "parse_endtag")
_KNOWN_TAG_READING = frozenset({
    "38f0d6382ee25221c92bb2d73d2bc0d09a8b6206bbc761178d85107c25e904b5",   # 3.10 (3.10.13)
    "ae474bc0bd6e8c2668b0a755f1c52f36353ddeafc7d66184719b257b2e4f6c56",   # 3.11 to 3.13.0 (3.11.7, 3.12.1, 3.13.0)
})


def _tag_reading() -> str:
    """A digest of how the running html.parser reads tags: its tag patterns, and the names and constants its tag
    methods use."""
    patterns = [(getattr(found, "pattern", None), getattr(found, "flags", None))
                for found in (getattr(html.parser, name, None) for name in _PATTERN_NAMES)]
    methods = []
    for name in _TAG_METHODS:
        code = getattr(getattr(HTMLParser, name, None), "__code__", None)
        methods.append((name, None if code is None else (code.co_names, code.co_consts)))
    return hashlib.sha256(repr((patterns, methods)).encode("utf-8")).hexdigest()


# True when the running html.parser reads tags as the one TagReader was made equal to: else it reads them itself.
_FLAT = _tag_reading() in _KNOWN_TAG_READING


class TagReader(HTMLParser):
    """An HTMLParser that reads start and end tags in flat memory (where `_FLAT`), its handlers getting the
    attributes named in `kept_attributes` (all when None), each once: `dict(attrs)` is what html.parser's list
    would give of them. `get_starttag_text()` is not kept.
    """

    kept_attributes: frozenset[str] | None = None

    def parse_starttag(self, i: int) -> int:
        """Read the start tag at `i` as html.parser does; its end, or -1 when the text may go on."""
        if not _FLAT:
            return super().parse_starttag(i)
        rawdata = self.rawdata
        endpos = _start_tag_end(rawdata, i)
        if endpos < 0:
            return endpos
        found = _TAG_NAME.match(rawdata, i + 1)
        assert found is not None, "parse_starttag() called where no tag starts"
        k = found.end()
        self.lasttag = tag = found.group(1).lower()
        kept = self.kept_attributes
        attrs: dict[str, str | None] = {}
        while k < endpos:
            attribute = _ATTRIBUTE.match(rawdata, k)
            if attribute is None:
                break
            k = attribute.end()
            name, rest, value = attribute.group(1, 2, 3)
            name = name.lower()
            if kept is not None and name not in kept:
                continue
            if not rest:
                value = None
            elif value[:1] in ("'", '"'):   # (a value in quotes ends with its quote)
                value = value[1:-1]
            attrs[name] = unescape(value) if value else value
        end = rawdata[k:endpos].strip()
        if end not in (">", "/>"):
            self.handle_data(rawdata[i:endpos])
            return endpos
        if end.endswith("/>"):
            self.handle_startendtag(tag, list(attrs.items()))
        else:
            self.handle_starttag(tag, list(attrs.items()))
            if tag in self.CDATA_CONTENT_ELEMENTS:
                self.set_cdata_mode(tag)
        return endpos

    def parse_endtag(self, i: int) -> int:
        """Read the end tag at `i` as html.parser does; its end, or -1 when the text may go on."""
        if not _FLAT:
            return super().parse_endtag(i)
        rawdata = self.rawdata
        gtpos = rawdata.find(">", i + 1) + 1
        if gtpos == 0:
            return -1
        found = _END_TAG.match(rawdata, i)
        if found is None:
            if self.cdata_elem is not None:
                self.handle_data(rawdata[i:gtpos])
                return gtpos
            name = _TAG_NAME.match(rawdata, i + 2)
            if name is None:
                if rawdata.startswith("</>", i):
                    return i + 3
                return self.parse_bogus_comment(i)
            gtpos = rawdata.find(">", name.end())
            self.handle_endtag(name.group(1).lower())
            return gtpos + 1
        elem = found.group(1).lower()
        if self.cdata_elem is not None and elem != self.cdata_elem:
            self.handle_data(rawdata[i:gtpos])
            return gtpos
        self.handle_endtag(elem)
        self.clear_cdata_mode()
        return gtpos


def _start_tag_end(rawdata: str, i: int) -> int:
    """Where the start tag at `i` ends as html.parser's check_for_whole_start_tag says, or -1 when it may go on."""
    found = _START_TAG.match(rawdata, i)
    assert found is not None, "parse_starttag() called where no tag starts"
    j = found.end()
    while rawdata[j:j + 1] not in (">", "") and (more := _MORE_ATTRIBUTES.match(rawdata, j)) and more.end() > j:
        j = more.end()
    following = rawdata[j:j + 1]
    if following == ">":
        return j + 1
    if following == "/":
        return j + 2 if rawdata.startswith("/>", j) else -1
    if following == "" or following in _ENDS_BEFORE_VALUE:
        return -1
    return j if j > i else i + 1
