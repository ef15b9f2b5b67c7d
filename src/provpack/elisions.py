"""Document -> elision markers, editorial alterations and the quoted segments between cuts.

Bracketed markers (`[...]`, `[…]`, `[. . .]`, `[ ... ]`, `[....]`) are certain cuts.
Unbracketed ones (`...`, `…`, `. . .`, `....`, `(...)`, `(…)`) are only possible cuts:
they are often real ellipses, and only the original can tell. Other square-bracketed
text (`[sic]`, `[T]he`, `[emphasis added]`) is an editorial alteration, not a cut.

A marker's dots may be padded (inside its brackets) and spaced by _PAD: every space of Unicode
(category Zs: the space, no-break, thin, hair, en, em, ideographic spaces, ...), the tab, and the
invisible zero-width space, word joiner and zero-width no-break space (U+200B, U+2060, U+FEFF),
which word processors, web pages and PDF copies put around punctuation to steer line breaking.
All look like the marker without them: a reader sees `[...]`, so it is one. Line breaks are not
_PAD (a marker lies on one line), nor are the joiners U+200C and U+200D or the soft hyphen, which
belong between letters. provpack before 0.5.0 took only the space, U+00A0, U+2009 and U+202F,
and read the others in brackets as an alteration (provcheck checks its records by that rule).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator

from .errors import InputError
from .model import Analysis, Document, Elision, ElisionKind, Marker, Segment, Span
from .textindex import TextIndex

# (written out, not \s or str.isspace: what is a marker must not change with Python's Unicode version)
_PAD = "\t \u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
_SPACE = f"[{_PAD}]"
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
_WINDOW = 1 << 20   # characters whose candidate starts possible_matches gathers at once


def is_cut(marker: str) -> bool:
    """Whether a dotted marker stands for an ellipsis: three dots or more, or one '…'."""
    return "\u2026" in marker or marker.count(".") >= 3


def analyse(document: Document, *, path: str | None = None, max_markers: int | None = None) -> Analysis:
    """Every marker in the document's header and body, and the body's quoted segments.

    With `max_markers`, an InputError naming `path` (else the document) once the scan finds more
    markers than that, before any of them is described.
    """
    most = max_markers if max_markers is not None else len(document.text)   # (a marker takes a character)
    text = document.text
    limit = document.trailer.start if document.trailer is not None else len(text)
    # (start, end, marker, kind): kind None is an alteration
    found: list[tuple[int, int, str, ElisionKind | None]] = []
    find = text.find
    at = find("[", 0, limit)
    if at >= 0:
        # Both patterns start with '[' and hold no '[' or ']' inside, so their finditer matches are
        # their matches at each '[', and an alteration overlaps a cut only when both start at one '['.
        bracketed, alteration = _BRACKETED.match, _ALTERATION.match
        while at >= 0:
            match = bracketed(text, at, limit)
            if match is not None and is_cut(marker := match.group()):
                found.append((at, match.end(), marker, "bracketed"))
            else:
                match = alteration(text, at, limit)
                if match is not None:
                    found.append((at, match.end(), match.group(), None))
            at = find("[", at + 1, limit)
            if len(found) > most:
                raise _too_many(document, path, most)
    taken = [(start, end) for start, end, _, _ in found]
    possible: list[tuple[int, int, str, ElisionKind | None]] = []
    for match in possible_matches(text, limit):
        if is_cut(marker := match.group()) and not _overlaps(taken, match.start(), match.end()):
            possible.append((match.start(), match.end(), marker, "possible"))
            if len(found) + len(possible) > most:
                raise _too_many(document, path, most)
    if possible:
        found.extend(possible)
        found.sort()   # starts are distinct: a possible marker overlapping another is dropped
    elisions: list[Elision] = []
    alterations: list[Marker] = []
    if found:
        index = TextIndex(text, last=found[-1][0])
        # Each marker's bytes are found in the document's, from the end of the marker before: no text is
        # encoded but the markers. The first occurrence is the marker's own: markers do not overlap, and any
        # other occurrence of a marker's text outside the markers would be one (or lie in one); and in UTF-8
        # the first byte of '[', '(', '.' or '…' is never part of another character.
        find_bytes = document.raw.find
        byte_end = 0
        for start, end, marker, kind in found:
            encoded = marker.encode("utf-8", "surrogatepass")
            byte_start = find_bytes(encoded, byte_end)
            if byte_start < 0:   # (cannot happen: the text is the raw bytes decoded; never write a wrong offset)
                raise RuntimeError(f"marker {marker!r} at character {start} not found in the document's bytes")
            byte_end = byte_start + len(encoded)
            line, column = index.line_column(start)
            item = Marker(marker, Span(start, end, byte_start, byte_end), line, column)
            if kind is None:
                alterations.append(item)
            else:
                elisions.append(Elision(item, kind))
    return Analysis(
        elisions=tuple(elisions),
        alterations=tuple(alterations),
        segments=_segments(document, elisions),
    )


def holds_bracketed_mark(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a bracketed cut or an alteration, as `analyse` finds them (a line's worth)."""
    at = text.find("[", start, end)
    while at >= 0:
        match = _BRACKETED.match(text, at, end)
        if (match is not None and is_cut(match.group())) or _ALTERATION.match(text, at, end) is not None:
            return True
        at = text.find("[", at + 1, end)
    return False


def _too_many(document: Document, path: str | None, most: int) -> InputError:
    return InputError(path if path is not None else document.name,
                      f"holds more than {most:,} elision markers and editorial alterations, which provpack"
                      " does not package in one document",
                      fix="split the text into several files")


def possible_matches(text: str, limit: int) -> Iterator[re.Match[str]]:
    """What `_POSSIBLE.finditer(text, 0, limit)` finds, trying the pattern only where a match can start.

    A match starts with '(', '…', or a '.' followed by another, with or without
    one space between them; str.find and a pattern that starts with a literal
    '.' skip to those far faster than re's scan for a set of characters.
    """
    end = 0
    for window in range(0, limit, _WINDOW):   # (the candidates of one window at a time: memory stays flat)
        for at in _starts(text, window, min(window + _WINDOW, limit), limit):
            if at >= end:
                match = _POSSIBLE.match(text, at, limit)
                if match is not None:
                    yield match
                    end = match.end()


def _starts(text: str, start: int, stop: int, limit: int) -> list[int]:
    """Where a possible elision may start in text[start:stop], in order."""
    find = text.find
    starts: list[int] = []
    for needle in "(\u2026":
        at = find(needle, start, stop)
        while at >= 0:
            starts.append(at)
            at = find(needle, at + 1, stop)
    if stop == limit:
        starts.extend(match.start() for match in _DOT_PAIR.finditer(text, start, stop))
    else:   # (the pattern's look-ahead needs two characters past the window)
        starts.extend(match.start() for match in _DOT_PAIR.finditer(text, start, stop + 2) if match.start() < stop)
    starts.sort()
    return starts


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
    # (start, byte_start, end, byte_end) of each piece: from the body's start or a cut's end to the next
    pieces: list[tuple[int, int, int, int]] = []
    start, byte_start = body.start, body.byte_start
    for elision in elisions:
        if elision.kind == "bracketed":
            cut = elision.marker.span
            if body.start <= cut.start and cut.end <= body.end:
                pieces.append((start, byte_start, cut.start, cut.byte_start))
                start, byte_start = cut.end, cut.byte_end
    pieces.append((start, byte_start, body.end, body.byte_end))
    segments: list[Segment] = []
    sha256 = hashlib.sha256
    for start, byte_start, end, byte_end in pieces:
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
        segments.append(Segment(len(segments), Span(trimmed_start, trimmed_end, byte_start, byte_end),
                                sha256(raw[byte_start:byte_end]).hexdigest()))
    return tuple(segments)
