"""What each elision marker cut from an original, by alignment's rules, checked against the conversion text.

docs/format.md states the rules alignment follows. It cuts each segment at the markers inside it
(the `possible` ones: `...`); each piece with a word is placed in the original's extracted text or
not found. A marker's neighbours are the nearest pieces with words before and after it (its
`omitted_scope`: `between` with both, `paragraph-end` with one before only, else `paragraph-start`),
and what it cut is the text between them (to the paragraph's end, or from its start, stopping at
another piece found there), white space trimmed: `omitted` when it holds a word; else null, and
null too, with its reason, for a marker in the title/header or the trailer, without neighbours,
next to a piece not found, or between pieces out of order. A piece is in order when it starts at
or after the end of the piece found before it, or inside it with no letter or digit between.

The record writes a segment's source span, not its pieces': what a rule needs is known when each
piece it looks at is known (a segment with one piece of words is that piece; a segment not found has
no piece found), and only then is it applied. A piece's words are read from the excerpt, where at
hand; a letter inside an editorial bracket (`[sic]` is no word to alignment, `[t]he` is) is not
taken either way. Imports nothing of the writer (like origcheck, its caller).

Cost: one pass over the pieces, then a few lookups a marker; the conversion text is searched only
between the pieces next to a marker (once for markers side by side) and for a paragraph's ends.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeGuard

SHOWN = 100  # characters of a text shown in a message
_WORD_CHARACTER = re.compile(r"[^\W_]")   # a letter or digit: every word of the alignment holds one
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?:[^\S\r\n]*(?:\r\n|\r(?!\n)|\n))+")   # a blank line or more
_SCOPES = ("between", "paragraph-end", "paragraph-start")
# The beginnings of the reasons alignment gives for a marker that omits nothing (docs/format.md).
HEADER = "in the title/header, not in the quoted text"
TRAILER = "in the trailer, not in the quoted text"
ALONE = "no quoted segment next to the marker"
NOT_FOUND = "neighbouring segment not found in the original"
OUT_OF_ORDER = "segments out of order"
NOTHING = "nothing omitted"
ELLIPSIS = "the original has the ellipsis itself"
REASONS = (HEADER, TRAILER, ALONE, NOT_FOUND, OUT_OF_ORDER, NOTHING, ELLIPSIS)   # every reason alignment gives
EMPTY = (NOTHING, ELLIPSIS)   # those of a possible marker with confirmed false (the others: null)
UNKNOWN = -1   # a neighbour (or a piece found before) the record does not tell


class Piece(NamedTuple):
    """A segment's text between the markers inside it, as alignment cuts it."""

    start: int
    end: int
    segment: int   # the index of its segment
    words: bool | None   # it holds a word; None: not known


class Cut(NamedTuple):
    """What alignment gives a marker, as the record and the conversion text tell it."""

    passage: tuple[int, int] | None   # the omitted passage's span; None: no passage
    reasons: tuple[str, ...]   # without a passage: the reasons alignment gives (their beginnings)
    why: Callable[[], str]   # why, in words, for a message (made only then)
    stretch: Callable[[], str] = str   # the text between the marker's neighbours, in words ("from ... to ...")
    trimmed: tuple[int, int] = (0, 0)   # that stretch, white space trimmed


_new_piece: Callable[[type[Piece], tuple[int, int, int, bool | None]], Piece] = tuple.__new__   # (without
# the Python-level __new__ of a NamedTuple: one is made for each piece of each record)


def _int(value: object) -> TypeGuard[int]:
    return type(value) is int


def _show(text: str, start: int, end: int) -> str:
    """repr() of text[start:end], a long one cut short."""
    if end - start > SHOWN:
        return repr(text[start:start + SHOWN]) + f" (... {end - start} characters)"
    return repr(text[start:end])


def pieces(doc: dict[str, Any], excerpt: str | None) -> list[Piece] | None:
    """The record's segments cut at the markers inside them, as alignment cuts them, each with whether it
    holds a word of `excerpt` (None when the excerpt is not at hand: only an empty piece is known to hold
    none); None when the lists are not of the shape written (said by origcheck)."""
    try:
        marks = sorted((e["start"], e["end"], e["kind"]) for e in doc["elisions"])
        brackets = sorted((a["start"], a["end"]) for a in doc.get("alterations", ()))
        segments = [(s["start"], s["end"]) for s in doc["segments"]]
    except (KeyError, TypeError, AttributeError):
        return None
    previous = 0
    for start, end in segments:   # (alignment is given segments in order, apart: align._check_inputs)
        if not (type(start) is int and type(end) is int and previous <= start <= end):
            return None
        previous = end
    for start, end, _ in marks:
        if not (type(start) is int and type(end) is int and start <= end):
            return None
    for start, end in brackets:
        if not (type(start) is int and type(end) is int and start <= end):
            return None
    firsts = [mark[0] for mark in marks]
    out: list[Piece] = []
    for index, (start, end) in enumerate(segments):   # (as align._pieces, looking only at the marks inside)
        position = start
        for cut_start, cut_end, _ in marks[bisect.bisect_left(firsts, start):bisect.bisect_right(firsts, end)]:
            if cut_end <= end and cut_start >= position:
                out.append(_new_piece(Piece, (position, cut_start, index,
                                              _holds_word(excerpt, position, cut_start, brackets))))
                position = cut_end
        out.append(_new_piece(Piece, (position, end, index, _holds_word(excerpt, position, end, brackets))))
    return out


def _holds_word(excerpt: str | None, start: int, end: int, brackets: list[tuple[int, int]]) -> bool | None:
    """True when excerpt[start:end] has a letter or digit outside the bracketed editorial marks, False when
    it has none at all; None when its only ones are in brackets (`[sic]` is not a word, `[t]` is) or the
    excerpt is not at hand."""
    if end <= start:
        return False
    if excerpt is None:
        return None
    if not brackets:
        return _WORD_CHARACTER.search(excerpt, start, end) is not None
    unsure = False
    position = start
    while (found := _WORD_CHARACTER.search(excerpt, position, end)) is not None:
        at = found.start()
        inside = bisect.bisect_right(brackets, (at, len(excerpt) + 1)) - 1
        if inside < 0 or brackets[inside][1] <= at:
            return True
        unsure = True
        position = brackets[inside][1]
    return None if unsure else False


class Cuts:
    """The rules alignment follows, applied to a record's pieces and the conversion `text`."""

    def __init__(self, found: list[Piece], segments: Sequence[Any], body: object, text: str) -> None:
        # One pass to tell each piece found (True, its span), not found (False, None), or not known (None,
        # None), a segment at a time (its pieces come together); one more each way to note, for each piece,
        # the last piece up to it with words (or not known to have none) and the last known to have them,
        # and from the end the first ones from it on. (Plain loops: it runs for every record.)
        self.text = text
        count = len(found)
        found = list(found)
        starts: list[int] = []
        ends: list[int] = []
        located: list[tuple[bool | None, tuple[int, int] | None]] = [(False, None)] * count
        told = True
        size = len(text)
        first = 0
        while first < count:
            index = found[first][2]
            last = first
            worded = -1   # the piece of words (-2: more than one)
            while last < count and found[last][2] == index:
                piece_start, piece_end, _, words = found[last]
                if starts and (piece_start < starts[-1] or piece_end < ends[-1]):
                    told = False
                starts.append(piece_start)
                ends.append(piece_end)
                if words is not False:
                    worded = last if worded == -1 else -2
                last += 1
            segment = segments[index]
            source_start, source_end = segment.get("source_start"), segment.get("source_end")
            if source_start is not None or source_end is not None:   # (else not found: none of its pieces)
                if (worded >= 0 and type(source_start) is int and type(source_end) is int
                        and 0 <= source_start < source_end <= size
                        and not text[source_start].isspace() and not text[source_end - 1].isspace()):
                    located[worded] = (True, (source_start, source_end))
                    piece = found[worded]
                    found[worded] = _new_piece(Piece, (piece[0], piece[1], index, True))   # (found: it has words)
                else:
                    for number in range(first, last):
                        if worded == -1 or found[number][3] is not False:
                            located[number] = (None, None)
            first = last
        self.pieces, self.starts, self.ends, self.located = found, starts, ends, located
        self.unknown = (None, None) in located
        self.body = (body[0], body[1]) if (told and type(body) is list and len(body) == 2 and _int(body[0])
                                           and _int(body[1])) else None   # (None: nothing is told)
        self.last_worded: list[int | None] = [None] * count
        self.last_word: list[int | None] = [None] * count
        self.next_worded: list[int | None] = [None] * count
        self.next_word: list[int | None] = [None] * count
        last_worded = last_word = None
        for number in range(count):
            words = found[number][3]
            if words is not False:
                last_worded = number
                if words is True:
                    last_word = number
            self.last_worded[number], self.last_word[number] = last_worded, last_word
        last_worded = last_word = None
        for number in range(count - 1, -1, -1):
            words = found[number][3]
            if words is not False:
                last_worded = number
                if words is True:
                    last_word = number
            self.next_worded[number], self.next_word[number] = last_worded, last_word
        self._cuts: dict[tuple[int | None, int | None, str], Cut | None] = {}   # by neighbours and kind

    def _found(self) -> list[tuple[tuple[int, int], int]]:
        """The source span of each piece found, and its segment."""
        return [(span, self.pieces[number].segment) for number, (known, span) in enumerate(self.located)
                if known and span is not None]

    def _neighbour(self, start: int, end: int, before: bool) -> tuple[int | None, bool | None]:
        """The piece with words next to a marker at start-end on one side (None: none; UNKNOWN: not
        known), and whether there is one (None: not known)."""
        if before:
            at = bisect.bisect_right(self.ends, start) - 1   # (the last piece ending at or before the marker)
            worded, word = (self.last_worded[at], self.last_word[at]) if at >= 0 else (None, None)
        else:
            at = bisect.bisect_left(self.starts, end)   # (the first piece starting at or after its end)
            worded, word = (self.next_worded[at], self.next_word[at]) if at < len(self.pieces) else (None, None)
        if worded is None:
            return None, False
        if self.pieces[worded].words is True:
            return worded, True
        return UNKNOWN, True if word is not None else None

    def cut(self, start: int, end: int, kind: str) -> tuple[str | None, Cut | None]:
        """The omitted_scope alignment gives a marker of `kind` at start-end, and what it cut (as
        align._elision); each None when the record does not tell."""
        before, before_exists = self._neighbour(start, end, True)
        after, after_exists = self._neighbour(start, end, False)
        scope = None if before_exists is None or after_exists is None else (
            "between" if before_exists and after_exists else "paragraph-end" if before_exists else "paragraph-start")
        body = self.body
        if body is None:
            return scope, None
        if start < body[0]:
            return scope, Cut(None, (HEADER,), lambda: f"the marker is in the title/header, before the quoted"
                                                       f" text (parts.body {body[0]}-{body[1]})")
        if end > body[1]:
            return scope, Cut(None, (TRAILER,), lambda: f"the marker is in the trailer, after the quoted text"
                                                        f" (parts.body {body[0]}-{body[1]})")
        if (before, after, kind) not in self._cuts:   # (markers side by side share their neighbours)
            self._cuts[(before, after, kind)] = self._between(before, after, kind)
        return scope, self._cuts[(before, after, kind)]

    def _between(self, before: int | None, after: int | None, kind: str) -> Cut | None:
        """What alignment gives a marker of `kind` in the quoted text between the pieces `before` and `after`."""
        if before == UNKNOWN or after == UNKNOWN:
            return None
        if before is None and after is None:
            return Cut(None, (ALONE,), lambda: "no segment with words lies on either side of the marker")
        located = self.located
        previous = following = None   # (the neighbours' source spans)
        missing: list[tuple[int, str]] = []
        for number, side in ((before, "before"), (after, "after")):
            if number is None:
                continue
            known, span = located[number]
            if known is None:
                return None
            if span is None:
                missing.append((self.pieces[number].segment, side))
            elif number == before:
                previous = span
            else:
                following = span
        if missing:
            return Cut(None, (NOT_FOUND,), lambda: (
                " and ".join(f"segments[{index}]" for index, _ in missing) + ", "
                + " and ".join(side for _, side in missing) + " the marker, "
                + ("were" if len(missing) > 1 else "was") + " not found in the original"))
        text = self.text
        named_before = -1 if before is None else self.pieces[before].segment
        named_after = -1 if after is None else self.pieces[after].segment
        if previous is not None and following is not None:
            if not follows(previous, following, text):
                return Cut(None, (OUT_OF_ORDER,), lambda: (
                    f"segments[{named_after}] after the marker (source {following[0]}-{following[1]}) does not follow"
                    f" segments[{named_before}] before it (source {previous[0]}-{previous[1]}) in the original"))
            gap_start, gap_end = previous[1], max(previous[1], following[0])
            low, high = named_before, named_after   # (the segments the stretch runs between; -1: a paragraph's end)
        elif self.unknown:
            return None   # (a cut to a paragraph's end or from its start stops at any piece found there)
        elif previous is not None:
            gap_start = previous[1]
            gap_end = self._paragraph_end(gap_start)
            low, high = named_before, -1
            for (source_start, _), segment in self._found():
                if gap_start <= source_start < gap_end:   # (the nearest piece found there)
                    gap_end, high = source_start, segment
        else:
            assert following is not None
            gap_end = following[0]
            gap_start = self._paragraph_start(gap_end)
            low, high = -1, named_after
            for (_, source_end), segment in self._found():
                if gap_start < source_end <= gap_end:
                    gap_start, low = source_end, segment
        stretch_start, stretch_end = gap_start, gap_end
        while gap_start < gap_end and text[gap_start].isspace():
            gap_start += 1
        while gap_end > gap_start and text[gap_end - 1].isspace():
            gap_end -= 1
        words = _WORD_CHARACTER.search(text, gap_start, gap_end) is not None

        def stretch() -> str:
            start = "the start of its paragraph" if low < 0 else f"the end of segments[{low}]"
            end = "the end of its paragraph" if high < 0 else f"the start of segments[{high}]"
            return f"from {start} ({stretch_start}) to {end} ({stretch_end})"

        def why() -> str:
            return (f"characters {gap_start}-{gap_end} of the conversion text, {stretch()}, white space trimmed,"
                    f" hold {'words' if words else 'no words'}: {_show(text, gap_start, gap_end)}")

        if words:
            return Cut((gap_start, gap_end), (), why, stretch, (gap_start, gap_end))
        return Cut(None, EMPTY if kind == "possible" else (NOTHING,), why, stretch, (gap_start, gap_end))

    def _paragraph_end(self, position: int) -> int:
        """The end of the paragraph holding `position`, which is not inside a blank line (as align's)."""
        found = _PARAGRAPH_BREAK.search(self.text, position)
        return len(self.text) if found is None else found.start()

    def _paragraph_start(self, position: int) -> int:
        """The start of the paragraph holding `position` (as align's: the end of the last blank line before it),
        looked for back from it, a window at a time (twice as large each time)."""
        text = self.text
        low, width = position, 256
        while True:
            low = max(0, low - width)
            while low > 0 and text[low - 1].isspace():
                low -= 1   # (no blank line runs across the window's start: the same ones as from the text's start)
            last = None
            for last in _PARAGRAPH_BREAK.finditer(text, low, position):
                pass
            if last is not None:
                return last.end()
            if low == 0:
                return 0
            width *= 2

    def previous_found(self) -> dict[int, tuple[int, int] | int | None]:
        """For each segment whose one piece of words was found: the source span of the piece found before
        that piece (None: none; UNKNOWN: not known)."""
        out: dict[int, tuple[int, int] | int | None] = {}
        previous: tuple[int, int] | int | None = None
        for piece, (known, span) in zip(self.pieces, self.located):
            if known is None:
                previous = UNKNOWN
            elif known and span is not None:
                out[piece.segment] = previous
                previous = span
        return out


def follows(earlier: tuple[int, int], later: tuple[int, int], text: str) -> bool:
    """True when `later` starts at or after the end of `earlier`, or inside it with no letter or digit between."""
    if later[0] >= earlier[1]:
        return True
    return later[0] >= earlier[0] and _WORD_CHARACTER.search(text, later[0], earlier[1]) is None
