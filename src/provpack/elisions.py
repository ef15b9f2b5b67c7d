"""Document -> elision markers, editorial alterations and the quoted segments between cuts.

Bracketed markers (`[...]`, `[…]`, `[. . .]`, `[ ... ]`, `[....]`) are certain cuts.
Unbracketed ones (`...`, `…`, `. . .`, `....`, `(...)`, `(…)`) are only possible cuts:
they are often real ellipses, and only the original can tell. Other square-bracketed
text (`[sic]`, `[T]he`, `[emphasis added]`) is an editorial alteration, not a cut.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator

from .model import Analysis, Document, Elision, Marker, Segment, Span
from .textindex import TextIndex

_SPACE = "[ \u00a0\u2009\u202f]"
_BRACKETED = re.compile(rf"\[{_SPACE}*(?:[.\u2026]{_SPACE}*)+\]")
# One leading character class, then the branch it selects: the same matches as
# `\(...\)|\.(?: ?\.){2,}|…+`, found several times faster (re skips to candidates).
_POSSIBLE = re.compile(
    r"[(.\u2026]"
    rf"(?:(?<=\(){_SPACE}*(?:[.\u2026]{_SPACE}*)+\)"    # (...) (…)
    rf"|(?<=\.)(?:{_SPACE}?\.){{2,}}"                   # ... . . . ....
    r"|(?<=\u2026)\u2026*)"                             # …
)
_ALTERATION = re.compile(r"\[[^\[\]\r\n]{1,80}\]")
_DOT_PAIR = re.compile(rf"\.(?={_SPACE}?\.)")   # where a dotted possible elision can start (re finds '.' fast)


def is_cut(marker: str) -> bool:
    """Whether a dotted marker stands for an ellipsis: three dots or more, or one '…'."""
    return "\u2026" in marker or marker.count(".") >= 3


def analyse(document: Document) -> Analysis:
    """Every marker in the document's header and body, and the body's quoted segments."""
    text = document.text
    index = TextIndex.of(text)
    limit = document.trailer.start if document.trailer is not None else len(text)
    taken: list[tuple[int, int]] = []
    elisions: list[Elision] = []

    for match in _BRACKETED.finditer(text, 0, limit):
        if is_cut(match.group()):
            elisions.append(Elision(_marker(index, match.start(), match.end(), match.group()), "bracketed"))
            taken.append((match.start(), match.end()))
    alterations = [
        _marker(index, match.start(), match.end(), match.group())
        for match in _ALTERATION.finditer(text, 0, limit)
        if not _overlaps(taken, match.start(), match.end())
    ]
    taken.extend((a.span.start, a.span.end) for a in alterations)
    taken.sort()
    for match in possible_matches(text, limit):
        if is_cut(match.group()) and not _overlaps(taken, match.start(), match.end()):
            elisions.append(Elision(_marker(index, match.start(), match.end(), match.group()), "possible"))
    elisions.sort(key=lambda e: e.marker.span.start)
    return Analysis(
        elisions=tuple(elisions),
        alterations=tuple(alterations),
        segments=_segments(document, elisions),
    )


def possible_matches(text: str, limit: int) -> Iterator[re.Match[str]]:
    """What `_POSSIBLE.finditer(text, 0, limit)` finds, trying the pattern only where a match can start.

    A match starts with '(', '…', or a '.' followed by another, with or without
    one space between them; str.find and a pattern that starts with a literal
    '.' skip to those far faster than re's scan for a set of characters.
    """
    find = text.find
    starts: list[int] = []
    for needle in "(\u2026":
        at = find(needle, 0, limit)
        while at >= 0:
            starts.append(at)
            at = find(needle, at + 1, limit)
    starts.extend(match.start() for match in _DOT_PAIR.finditer(text, 0, limit))
    starts.sort()
    end = 0
    for at in starts:
        if at >= end:
            match = _POSSIBLE.match(text, at, limit)
            if match is not None:
                yield match
                end = match.end()


def _marker(index: TextIndex, start: int, end: int, text: str) -> Marker:
    line, column = index.line_column(start)
    return Marker(text=text, span=index.span(start, end), line=line, column=column)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint ranges in `taken`."""
    at = bisect.bisect_right(taken, (start, end))
    # the range before starts at or before `start`, the one after at or after it (ranges are never empty)
    return (at > 0 and start < taken[at - 1][1]) or (at < len(taken) and taken[at][0] < end)


def _segments(document: Document, elisions: list[Elision]) -> tuple[Segment, ...]:
    """The body split at its bracketed markers, each piece trimmed of surrounding white space.

    Each piece lies between two known spans (the body's ends, the cuts), so its
    byte offsets come from theirs plus the white space trimmed: no look-up.
    """
    text = document.text
    raw = memoryview(document.raw)
    body = document.body
    cuts = [e.marker.span for e in elisions
            if e.kind == "bracketed" and body.start <= e.marker.span.start and e.marker.span.end <= body.end]
    # (start, byte_start) after each cut and (end, byte_end) before the next, body ends included
    opens = [(body.start, body.byte_start)] + [(cut.end, cut.byte_end) for cut in cuts]
    closes = [(cut.start, cut.byte_start) for cut in cuts] + [(body.end, body.byte_end)]
    segments: list[Segment] = []
    for (start, byte_start), (end, byte_end) in zip(opens, closes):
        trimmed_start, trimmed_end = start, end
        while trimmed_start < trimmed_end and text[trimmed_start].isspace():
            trimmed_start += 1
        while trimmed_end > trimmed_start and text[trimmed_end - 1].isspace():
            trimmed_end -= 1
        if trimmed_start == trimmed_end:
            continue
        if trimmed_start > start:
            byte_start += len(text[start:trimmed_start].encode("utf-8", "surrogatepass"))
        if trimmed_end < end:
            byte_end -= len(text[trimmed_end:end].encode("utf-8", "surrogatepass"))
        span = Span(trimmed_start, trimmed_end, byte_start, byte_end)
        digest = hashlib.sha256(raw[byte_start:byte_end]).hexdigest()
        segments.append(Segment(index=len(segments), span=span, sha256=digest))
    return tuple(segments)
