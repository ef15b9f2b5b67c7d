"""What each elision marker cut from an original, by alignment's rules, checked against the conversion text.

docs/format.md states the rules alignment follows. It cuts each segment at the markers inside it
(the `possible` ones: `...`) and places each piece with a word in the original's extracted text
or not; a segment's source span covers its pieces found, from the earliest start to the latest
end. A marker's neighbours are the nearest pieces with words before and after it (its
`omitted_scope`: `between` with both, `paragraph-end` with one before only, else
`paragraph-start`); a marker inside a segment is judged by those pieces' spans, one between
segments by their segments' spans. What it cut is the text between them (to the paragraph's end,
or from its start, stopping at a piece found there), white space trimmed: `omitted` when it holds
a word; else null, and null too, with its reason, for a marker in the title/header or the
trailer, without neighbours, next to one not found, or between two out of order (said to overlap
when they quote a word of the original both). One span follows another when it starts at or
after its end, or inside it with no letter or digit between. Markers with no piece of words between
them cut one passage: the first of them with one keeps it, each later one omits nothing (since provpack
0.6.0: `once`; before, each of them had it).

The record writes each segment's span, not its pieces': a rule is applied only when what it
needs is known. A segment not found has no piece found; a segment found with one piece of words
is that piece; of one with more, only the span they cover is known (so a marker between
segments is judged, and a marker inside such a segment is not). A piece's words are read from
the excerpt, where at hand; a letter inside an editorial bracket (`[sic]` is no word to alignment,
`[t]he` is) is not taken either way. Imports nothing of the writer (like origcheck, its caller,
which imports this module only when it meets a record aligned with an original).

Cost: one pass over the pieces, then a few lookups a marker; the conversion text is searched only
between the pieces next to a marker (once for markers side by side) and for a paragraph's ends.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, TypeGuard

SHOWN = 100  # characters of a text shown in a message
_WORD_CHARACTER = re.compile(r"[^\W_]")   # a letter or digit: every word of the alignment holds one
# A blank line or more: a line break, spaces, a line break, then white space up to its last line break. (The same as
# `(?:\r\n|\r(?!\n)|\n)(?:[^\S\r\n]*(?:\r\n|\r(?!\n)|\n))+`, without a group's repeat: re keeps a frame on its
# stack for each pass of one, and 2 million line breaks took 340 MB.)
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r(?!\n)|\n)[^\S\r\n]*(?:\r\n|\r(?!\n)|\n)(?:\s*[\r\n])?")
# An ellipsis alone (in folded text), in any brackets: `...`, `…`, the Chinese `……`, Taiwan's `⋯⋯`, `‥‥`, `．．．`
# (as align's); before ELLIPSIS_SINCE, one `…` or three or four dots only (_ELLIPSIS_BEFORE: records then).
_ELLIPSIS = re.compile(r"[\s(\[\uff08\uff3b\u3010\u3014]*(?:\u2026+|\u22ef+|\u2025\u2025+|\.(?:\s?\.){2,3}"
                       r"|\uff0e(?:\s?\uff0e){2,3}|\u00b7{3,}|\u30fb{3,})[\s)\]\uff09\uff3d\u3011\u3015]*")
# An omission word in brackets (`（略）`, `［中略］`), white space and invisible characters taken out (_UNPADDED),
# as align's: a marker of one, quoting the original's own, cut nothing (MARKER_ITSELF; such markers are 0.6.0's)
_OMISSION_MARK = re.compile("[(\\[\uff08\uff3b\u3010\u3014](\u4ee5\u4e0b\u7701\u7565|\u4ee5\u4e0b\u7565|\u4e2d\u7565|\u524d\u7565"
                            "|\u5f8c\u7565|\u540e\u7565|\u4e0a\u7565|\u4e0b\u7565|\u7701\u7565|\u7565|\uc911\ub7b5|\ud6c4\ub7b5"
                            "|\ud558\ub7b5|\uc0c1\ub7b5|\uc0dd\ub7b5)[)\\]\uff09\uff3d\u3011\u3015]")
_UNPADDED = re.compile("[\\s\u061c\u200b\u200e\u200f\u202a-\u202c\u2060\u2066-\u2069\ufeff]+")
_ELLIPSIS_BEFORE = re.compile(r"[\s(\[]*(?:\u2026|\.(?:\s?\.){2,3})[\s)\]]*")
ELLIPSIS_SINCE = (0, 6, 0)
_FOLD = str.maketrans({   # quote, dash and space variants as one, invisible characters dropped (as align's)
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u3000", " "),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff"),
})
_SCOPES = ("between", "paragraph-end", "paragraph-start")
# The beginnings of the reasons alignment gives for a marker that omits nothing (docs/format.md).
HEADER = "in the title/header, not in the quoted text"
TRAILER = "in the trailer, not in the quoted text"
ALONE = "no quoted segment next to the marker"
NOT_FOUND = "neighbouring segment not found in the original"
OUT_OF_ORDER = "segments out of order"
OVERLAP = "segments overlap"
TEXT_OUT_OF_ORDER = "text out of order"   # (the pieces either side of a possible marker inside a segment)
TEXT_OVERLAP = "text overlap"
NOTHING = "nothing omitted"   # (MARKER_ITSELF starts so too)
ELLIPSIS = "the original has the ellipsis itself"
REASONS = (HEADER, TRAILER, ALONE, NOT_FOUND, OUT_OF_ORDER, OVERLAP, TEXT_OUT_OF_ORDER, TEXT_OVERLAP, NOTHING,
           ELLIPSIS)   # every reason alignment gives
EMPTY = (NOTHING, ELLIPSIS)   # those of a possible marker with confirmed false (the others: null)
# The whole reasons of a marker with nothing between its neighbours, by omitted_scope, and of the ellipsis.
NOTHING_BY_SCOPE = {"between": "nothing omitted: the segments are adjacent in the original",
                    "paragraph-end": "nothing omitted before the end of the paragraph in the original",
                    "paragraph-start": "nothing omitted after the start of the paragraph in the original"}
ELLIPSIS_ITSELF = "the original has the ellipsis itself: not an elision"
# The whole reason of a marker whose passage an earlier marker with no word between them omits (since 0.6.0).
SHARED = "nothing omitted: a marker before it, with no word between them, omits the passage"
# The whole reason of a marker of an omission word whose neighbours the original has around the same word in brackets.
MARKER_ITSELF = "nothing omitted: the original has the marker itself"
UNKNOWN = -1   # a neighbour the record does not tell
# What the record tells of a segment's pieces in the original:
_EACH = 0   # each one's span (it was not found, or its one piece of words was, at its span)
_WHOLE = 1   # only the span they cover (found, with more than one piece that may hold words)
_NONE = 2   # nothing (its span is not of the shape written, or it is found without a piece of words)


class Piece(NamedTuple):
    """A segment's text between the markers inside it, as alignment cuts it."""

    start: int
    end: int
    segment: int   # the index of its segment
    words: bool | None   # it holds a word; None: not known


class Cut(NamedTuple):
    """What alignment gives a marker, as the record and the conversion text tell it."""

    passage: tuple[int, int] | None   # the omitted passage's span; None: no passage
    reasons: tuple[str, ...]   # without a passage: the reasons alignment may give (whole)
    why: Callable[[], str]   # why, in words, for a message (made only then)
    stretch: Callable[[], str] = str   # the text between the marker's neighbours, in words ("from ... to ...")
    trimmed: tuple[int, int] = (0, 0)   # that stretch, white space trimmed
    shared: bool = False   # with a passage: a marker before it with no word between them may have it (not told)


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

    def __init__(self, found: list[Piece], segments: Sequence[Any], body: object, text: str, *,
                 once: bool = True, ellipsis_before: bool = False) -> None:
        """`ellipsis_before`: a record of a provpack before ELLIPSIS_SINCE, whose aligner took one `…` or three or
        four dots alone for the original's own ellipsis (`……` was "nothing omitted")."""
        # One pass to tell each segment's span (its cover) and what it tells of its pieces, and each piece
        # found (True, its span), not found (False, None), or not known (None, None), a segment at a time (its
        # pieces come together); one more each way to note, for each piece, the last piece up to it with words
        # (or not known to have none) and the last known to have them, and from the end the first ones from it
        # on. (Plain loops: it runs for every record.)
        self.text = text
        self._ellipsis = _ELLIPSIS_BEFORE if ellipsis_before else _ELLIPSIS
        count = len(found)
        found = list(found)
        starts: list[int] = []
        ends: list[int] = []
        located: list[tuple[bool | None, tuple[int, int] | None]] = [(False, None)] * count
        covers: list[tuple[int, int] | None] = [None] * len(segments)
        tells = [_NONE] * len(segments)
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
            if source_start is None and source_end is None:
                tells[index] = _EACH   # (not found: none of its pieces)
            elif (worded != -1 and type(source_start) is int and type(source_end) is int
                    and 0 <= source_start < source_end <= size
                    and not text[source_start].isspace() and not text[source_end - 1].isspace()):
                covers[index] = (source_start, source_end)
                if worded >= 0:
                    tells[index] = _EACH
                    located[worded] = (True, (source_start, source_end))
                    piece = found[worded]
                    found[worded] = _new_piece(Piece, (piece[0], piece[1], index, True))   # (found: it has words)
                else:
                    tells[index] = _WHOLE
                    for number in range(first, last):
                        if found[number][3] is not False:
                            located[number] = (None, None)
            else:
                for number in range(first, last):
                    located[number] = (None, None)
            first = last
        self.pieces, self.starts, self.ends, self.located = found, starts, ends, located
        self.covers, self.tells = covers, tells
        self.spans = [(segment["start"], segment["end"]) for segment in segments]   # (in the excerpt)
        self.segment_starts = [start for start, _ in self.spans]
        self.body = (body[0], body[1]) if (told and type(body) is list and len(body) == 2 and _int(body[0])
                                           and _int(body[1])) else None   # (None: nothing is told)
        self.last_worded: list[int | None] = [None] * count
        self.last_word: list[int | None] = [None] * count
        self.next_worded: list[int | None] = [None] * count
        self.next_word: list[int | None] = [None] * count
        _nearest(found, range(count), self.last_worded, self.last_word)
        _nearest(found, range(count - 1, -1, -1), self.next_worded, self.next_word)
        self._cuts: dict[tuple[bool, int | None, int | None, str], Cut | None] = {}   # by neighbours and kind
        # Markers with no word between them cut one passage, the first one's (`once`: provpack 0.6.0 and later;
        # before, each of them had it): the last marker asked about (its end, and the last piece up to it with
        # words or not known to have none, and with words), whether a marker of its run omits a passage (None:
        # not told) and which one (its start and end, when told).
        self.once = once
        self._last: tuple[int, int | None, int | None] | None = None
        self._given: bool | None = False
        self._giver: tuple[int, int] | None = None

    def _inside(self, start: int, end: int) -> bool:
        """True when a marker at start-end lies within a segment (as align's `_Around.inside`)."""
        at = bisect.bisect_right(self.segment_starts, start) - 1
        return at >= 0 and end <= self.spans[at][1]

    def _neighbour(self, start: int, end: int, before: bool, inside: bool) -> tuple[int | None, bool | None]:
        """The piece with words next to a marker at start-end on one side, or for a marker between segments
        its segment (None: none; UNKNOWN: not known), and whether there is one (None: not known)."""
        if before:
            at = bisect.bisect_right(self.ends, start) - 1   # (the last piece ending at or before the marker)
            worded, word = (self.last_worded[at], self.last_word[at]) if at >= 0 else (None, None)
        else:
            at = bisect.bisect_left(self.starts, end)   # (the first piece starting at or after its end)
            worded, word = (self.next_worded[at], self.next_word[at]) if at < len(self.pieces) else (None, None)
        if worded is None:
            return None, False
        piece = self.pieces[worded]
        if piece.words is True:
            return (worded if inside else piece.segment), True
        if not inside:
            # The segment is told when the piece known to have words is of it (the ones between are too), or
            # when it was found (so one of its pieces has words) and lies wholly on this side of the marker.
            segment, (segment_start, segment_end) = piece.segment, self.spans[piece.segment]
            apart = segment_end <= start if before else segment_start >= end
            if (word is not None and self.pieces[word].segment == segment) or (self.covers[segment] is not None
                                                                                and apart):
                return segment, True
        return UNKNOWN, True if word is not None else None

    def cut(self, start: int, end: int, kind: str, marker: str = "") -> tuple[str | None, Cut | None]:
        """The omitted_scope alignment gives a marker of `kind` at start-end, and what it cut (as align._elision
        and align._one_cut_per_run); each None when the record does not tell. Asked of the markers in text
        order (of markers out of order, what a run cut is not told). `marker`: its text, for an omission word
        whose passage would be the original's same word in brackets (MARKER_ITSELF)."""
        scope, cut = self._cut(start, end, kind)
        if cut is not None and cut.passage is not None and ("\u7565" in marker or "\ub7b5" in marker):
            cut = self._itself(marker, cut)
        return scope, self._once(start, end, cut) if self.once else cut

    def _itself(self, marker: str, cut: Cut) -> Cut:
        """`cut`, or none with MARKER_ITSELF when `marker` is an omission word in brackets and its passage the same
        word in brackets (as align._same_omission_mark)."""
        assert cut.passage is not None
        own = _OMISSION_MARK.fullmatch(_UNPADDED.sub("", marker))
        theirs = _OMISSION_MARK.fullmatch(_UNPADDED.sub("", self.text[cut.passage[0]:cut.passage[1]].translate(_FOLD)))
        if own is None or theirs is None or own.group(1) != theirs.group(1):
            return cut
        why = cut.why
        return Cut(None, (MARKER_ITSELF,), lambda: f"{why()}, the same omission mark as the marker {marker!r}",
                   cut.stretch, cut.trimmed)

    def _once(self, start: int, end: int, cut: Cut | None) -> Cut | None:
        """The cut of a marker once each passage is given to the first marker of its run that omits one (markers
        with no piece of words between them: the last piece up to each, with words or not known to have none,
        is the same)."""
        at = bisect.bisect_right(self.ends, start) - 1
        worded, word = (self.last_worded[at], self.last_word[at]) if at >= 0 else (None, None)
        last = self._last
        given: bool | None
        if last is None:
            given = False
        elif start < last[0]:
            given = None   # (not in text order: said by provcheck)
        elif worded == last[1]:
            given = self._given   # (the same run)
        elif word != last[2]:
            given = False   # (a piece with words lies between: another run)
        else:
            given = False if self._given is False else None   # (a piece not known to hold words lies between)
        self._last = (end, worded, word)
        if cut is None or cut.passage is None:
            self._given = given if cut is not None or given is True else None
            return cut
        self._given = True
        if given is None:
            self._giver = None
            return cut._replace(shared=True)   # (its passage, or none with SHARED)
        if not given:
            self._giver = (start, end)
            return cut
        giver, passage = self._giver, cut.trimmed
        return Cut(None, (SHARED,), lambda: (
            ("a marker before it" if giver is None else f"the marker at characters {giver[0]}-{giver[1]} before it")
            + f", with no word between them, omits the passage (characters {passage[0]}-{passage[1]} of the"
            " conversion text)"))

    def _cut(self, start: int, end: int, kind: str) -> tuple[str | None, Cut | None]:
        """The omitted_scope and cut of a marker by its neighbours alone (as align._elision)."""
        inside = self._inside(start, end)
        before, before_exists = self._neighbour(start, end, True, inside)
        after, after_exists = self._neighbour(start, end, False, inside)
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
        key = (inside, before, after, kind)
        if key not in self._cuts:   # (markers side by side share their neighbours)
            self._cuts[key] = self._between(inside, before, after, kind)
        return scope, self._cuts[key]

    def _source(self, number: int, inside: bool) -> tuple[bool | None, tuple[int, int] | None]:
        """The source span of piece `number` (inside a segment) or segment `number`: (True, span) when found,
        (False, None) when not, (None, None) when not told."""
        if inside:
            return self.located[number]
        if self.tells[number] == _NONE:
            return None, None
        cover = self.covers[number]
        return cover is not None, cover

    def _between(self, inside: bool, before: int | None, after: int | None, kind: str) -> Cut | None:
        """What alignment gives a marker of `kind` in the quoted text between the pieces (`inside` a segment) or
        segments `before` and `after`."""
        if before == UNKNOWN or after == UNKNOWN:
            return None
        if before is None and after is None:
            return Cut(None, (ALONE,), lambda: "no segment with words lies on either side of the marker")
        scope = "between" if before is not None and after is not None else (
            "paragraph-end" if before is not None else "paragraph-start")
        previous = following = None   # (the neighbours' source spans)
        missing: list[tuple[int, str]] = []
        for number, side in ((before, "before"), (after, "after")):
            if number is None:
                continue
            known, span = self._source(number, inside)
            if known is None:
                return None
            if span is None:
                missing.append((number, side))
            elif number == before:
                previous = span
            else:
                following = span
        pieces = self.pieces
        named_before = -1 if before is None else pieces[before].segment if inside else before
        named_after = -1 if after is None else pieces[after].segment if inside else after
        if missing:
            where = [(pieces[number][0], pieces[number][1]) if inside else self.spans[number] for number, _ in missing]
            reason = f"{NOT_FOUND}: " + " and ".join(
                f"the segment {side} it (chars {start}-{end})" for (_, side), (start, end) in zip(missing, where))
            named = [named_before if side == "before" else named_after for _, side in missing]
            return Cut(None, (reason,), lambda: (
                " and ".join(f"segments[{index}]" for index in named) + ", "
                + " and ".join(side for _, side in missing) + " the marker, "
                + ("were" if len(missing) > 1 else "was") + " not found in the original"))
        text = self.text
        if previous is not None and following is not None:
            if not follows(previous, following, text):
                assert before is not None and after is not None
                return Cut(None, self._order_reasons(inside, before, after, previous, following), lambda: (
                    f"segments[{named_after}] after the marker (source {following[0]}-{following[1]}) does not follow"
                    f" segments[{named_before}] before it (source {previous[0]}-{previous[1]}) in the original"))
            gap_start, gap_end = previous[1], max(previous[1], following[0])
            low, high = named_before, named_after   # (the segments the stretch runs between; -1: a paragraph's end)
        elif previous is not None:
            gap_start = previous[1]
            gap_end = self._paragraph_end(gap_start)
            low, high = named_before, -1
            for segment, cover in enumerate(self.covers):
                if self.tells[segment] == _NONE:
                    return None
                if cover is not None and gap_start <= cover[0] < gap_end:   # (the nearest piece found there)
                    gap_end, high = cover[0], segment
            for segment, cover in enumerate(self.covers):   # (a piece inside a segment's span may start there)
                if (cover is not None and self.tells[segment] == _WHOLE
                        and cover[0] < gap_start < min(cover[1], gap_end)):
                    return None
        else:
            assert following is not None
            gap_end = following[0]
            gap_start = self._paragraph_start(gap_end)
            low, high = -1, named_after
            for segment, cover in enumerate(self.covers):
                if self.tells[segment] == _NONE:
                    return None
                if cover is not None and gap_start < cover[1] <= gap_end:
                    gap_start, low = cover[1], segment
            for segment, cover in enumerate(self.covers):   # (a piece inside a segment's span may end there)
                if (cover is not None and self.tells[segment] == _WHOLE and cover[0] < gap_end < cover[1]
                        and gap_start < gap_end):
                    return None
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
        ellipsis = (kind == "possible" and gap_start < gap_end
                    and self._ellipsis.fullmatch(text[gap_start:gap_end].translate(_FOLD)) is not None)
        return Cut(None, (ELLIPSIS_ITSELF if ellipsis else NOTHING_BY_SCOPE[scope],), why, stretch,
                   (gap_start, gap_end))

    def _order_reasons(self, inside: bool, before: int, after: int, previous: tuple[int, int],
                       following: tuple[int, int]) -> tuple[str, ...]:
        """Why alignment cuts nothing between neighbours the original has out of order: they overlap when
        pieces of each quote a word of the original both do (told when each neighbour is its one piece), else
        the one after comes before (the end of) the one before."""
        what, which, one = ("text", "text", "the text") if inside else ("segments", "segment", "the one")
        where = "" if following[0] < previous[0] else "the end of "
        out_of_order = (f"{what} out of order: the {which} after the marker comes before {where}{one} preceding it"
                        " in the original")
        if not _overlap(previous, following, self.text):
            return (out_of_order,)
        overlap = (f"{what} overlap: the {which} after the marker quotes words of the original that {one} before it"
                   " quotes too")
        if inside or (self.tells[before] == _EACH and self.tells[after] == _EACH):
            return (overlap,)
        return (overlap, out_of_order)   # (the segments' spans share words; their pieces may not)

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


def follows(earlier: tuple[int, int], later: tuple[int, int], text: str) -> bool:
    """True when `later` starts at or after the end of `earlier`, or inside it with no letter or digit between."""
    if later[0] >= earlier[1]:
        return True
    return later[0] >= earlier[0] and _WORD_CHARACTER.search(text, later[0], earlier[1]) is None


def _overlap(one: tuple[int, int], other: tuple[int, int], text: str) -> bool:
    """True when two spans share a letter or digit of the text."""
    low, high = max(one[0], other[0]), min(one[1], other[1])
    return low < high and _WORD_CHARACTER.search(text, low, high) is not None


def _nearest(found: Sequence[Any], order: Iterable[int], worded: list[int | None], word: list[int | None]) -> None:
    """For each piece in `order`, the nearest one so far (itself included) with words (`worded`: its
    words entry is not False) and with words told (`word`: True), as indexes, or None."""
    last_worded = last_word = None
    for number in order:
        words = found[number][3]
        if words is not False:
            last_worded = number
            if words is True:
                last_word = number
        worded[number], word[number] = last_worded, last_word
