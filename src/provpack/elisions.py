"""Document -> elision markers, editorial alterations and the quoted segments between cuts.

Bracketed markers are certain cuts: an ellipsis in square brackets (`[...]`, `[…]`, `[. . .]`,
`[ ... ]`, `[....]`, the full-width `［……］`, `【……】`, `〔……〕`, and three or more of Korea's
middle dots `[···]` or Japan's `［・・・］`), and a word for "left out" in square, lenticular or
tortoise-shell brackets (`［中略］`, `[前略]`, `【中略】`, `〔후략〕`: OMISSION_WORDS). Unbracketed ones
(`...`, `…`, `. . .`, `....`, `(...)`, `(…)`, the East Asian `……`, `⋯⋯`, `‥‥`, `．．．`, `（……）`,
`···`, `・・・` (three or more: one is common punctuation), and an omission word in parentheses,
`（中略）`, `(생략)`, which prose also writes: `WHO（略）世界保健機関`, `主语（省略）`) are only
possible cuts: they are often real ellipses or words, and only the original can tell. Angle
brackets (`〈中略〉`, `《中略》`, `＜中略＞`) hold no marker (a known limit). Other square-bracketed
text (`[sic]`, `[T]he`, `[emphasis added]`) is an editorial alteration, not a cut; a mark in other
brackets inside it is part of it.

A marker's dots (or word) may be padded (inside its brackets) and spaced by _PAD: every space of
Unicode (category Zs: the space, no-break, thin, hair, en, em, ideographic spaces, ...), the tab,
the invisible zero-width space, word joiner and zero-width no-break space (U+200B, U+2060, U+FEFF),
which word processors, web pages and PDF copies put around punctuation to steer line breaking, and
the invisible direction marks and isolates (U+200E, U+200F, U+061C, U+2066 to U+2069) and the
embeddings that came before isolates (U+202A, U+202B and their end U+202C), which Hebrew and Arabic
editors and web pages (`&rlm;`) put around punctuation to steer its direction: they change where
neutral characters such as dots go, never which are shown. All look like the marker without them:
a reader sees `[...]`, so it is one. Line breaks are not _PAD (a marker lies on one line), nor are
the joiners U+200C and U+200D or the soft hyphen, which belong between letters, nor the overrides
U+202D and U+202E, which show text in another order than it is written (the "Trojan Source" trick):
no editor puts them around punctuation. provpack before 0.5.0 took only the space, U+00A0, U+2009
and U+202F, and read the others in brackets as an alteration; 0.5.0 took the spaces, the tab and
the zero-width characters, but no direction mark, and knew none of the East Asian marks (provcheck
checks each version's records by its rule).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Iterator

from .errors import InputError
from .model import Analysis, Document, Elision, ElisionKind, Marker, Segment, Span
from .textindex import TextIndex

# (written out, not \s or str.isspace: what is a marker must not change with Python's Unicode version)
_PAD = ("\t \u00a0\u061c\u1680\u2000-\u200b\u200e\u200f\u202a-\u202c\u202f\u205f\u2060\u2066-\u2069\u3000"
        "\ufeff")
_SPACE = f"[{_PAD}]"
_DOT = "[.\u2025\u2026\u22ef\uff0e]"   # . ‥ (two dots) … ⋯ (the midline one, Taiwan's) ． (full width)
# What an ellipsis in brackets holds after the spaces before it: a dot, then spaces and dots (`_SPACE*(?:_DOT
# _SPACE*)+` all told). Every unbounded repeat in the patterns is of one character class, never of a group: re keeps
# a frame on its stack for each pass of a group's repeat (some 120 to 190 bytes), so 16 MB of `.` took 2 GB.
_DOTS = rf"{_DOT}[{_PAD}.\u2025\u2026\u22ef\uff0e]*"
# Three or more middle dots, Korea's `···` (U+00B7) or Japan's `・・・` (U+30FB), side by side: an ellipsis (one or
# two are common punctuation, `l·l`, `ジョン・スミス`)
_MIDDLE_DOTS = "\u00b7{3,}|\u30fb{3,}"
# Words for "left out" that, in brackets or parentheses, mark a cut in Japanese, Chinese and Korean quotations:
# 略 (omitted), 中略/前略/後略 (from the middle, start, end; 后略 simplified), 上略/下略 (above, below), 以下略 and
# 以下省略 (the rest), 省略 (omitted); Korean 중략/후략/하략/상략/생략 (the same words). Not 전략 (前略, but also
# 戰略, "strategy"). Each ends in 略 or 략, which is_cut looks for.
OMISSION_WORDS = ("中略", "前略", "後略", "后略", "上略", "下略", "以下略", "以下省略", "省略", "略",
                  "중략", "후략", "하략", "상략", "생략")
_WORDS = "|".join(OMISSION_WORDS)
_OTHER_OPENERS = ("\uff3b", "\u3010", "\u3014")   # where a bracketed cut not at '[' starts: ［ 【 〔
_OMISSION_ENDS = ("\u7565", "\ub7b5")   # 略 략: the last character of every omission word
_ALTERATION = re.compile(r"\[[^\[\]\r\n]{1,80}\]")
_DOT_PAIR = re.compile(rf"\.(?={_SPACE}?\.)")   # where a dotted possible elision can start (re finds '.' fast)
# The characters possible_matches looks for (made once: iterating a str makes each character past U+00FF anew)
_NEEDLES = ("(", "\u2026")
_WIDE_NEEDLES = (*_NEEDLES, "\uff08", "\uff0e", "\u22ef", "\u2025", "\u00b7", "\u30fb")   # (one character each: a
# needle found up to a window's end, see _starts)
_WINDOW = 1 << 20   # characters whose candidate starts possible_matches gathers at once
# The characters only East Asian marks hold: ⋯ ‥ · and the first bytes, in UTF-8, of （ ） ［ ］ ． (EF), 【 】 〔 〕
# ・ (E3), 略 (E7) and 략 (EB). A text without them holds no East Asian mark, and the patterns without those marks
# (_LATIN) find in it what the full ones (wide_patterns) would; they compile at a fifth of the cost, and match faster.
_WIDE_CHARACTERS = ("\u22ef", "\u2025", *_OTHER_OPENERS, "\uff08", "\uff09", "\uff3d", "\u3011", "\u3015",
                    "\uff0e", *_OMISSION_ENDS, "\u00b7", "\u30fb")


def _dot_run(dot: str) -> str:
    """`(?:_SPACE?DOT){2,}` (greedy: the longest run of `dot`, one space at most between two) without a group's
    repeat: two of them, then characters taken one by one up to the first place that `_SPACE?DOT` does not follow
    (before it, each character is a dot or a space before one: the run goes on). The pattern ends there, so a match
    is that run; fullmatch, made to go on, would take `...  .` (provcheck's whole markers are written otherwise)."""
    return rf"(?:{_SPACE}?{dot}){{2}}.*?(?!{_SPACE}?{dot})"


_DOT_RUN, _WIDE_DOT_RUN = _dot_run(r"\."), _dot_run("\uff0e")
_LATIN = (
    re.compile(rf"\[{_SPACE}*[.\u2026][{_PAD}.\u2026]*\]"),
    # One leading character class, then the branch it selects: the same matches as
    # `\(...\)|\.(?: ?\.){2,}|…+`, found several times faster (re skips to candidates).
    re.compile(r"[(.\u2026]"
               rf"(?:(?<=\(){_SPACE}*[.\u2026][{_PAD}.\u2026]*\)"    # (...) (…)
               rf"|(?<=\.){_DOT_RUN}"                                # ... . . . ....
               r"|(?<=\u2026)\u2026*)"),                             # …
)


@functools.cache
def wide_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r"""The bracketed and the possible cuts, East Asian marks and all (compiled when a text first needs them).

    Bracketed: an opening bracket (a group for each but the last, which the conditionals ask for), then an
    ellipsis or a word, then the bracket that closes the one it opened: `[...]` `［……］` `【……】` `〔…〕` `[···]`
    `［・・・］` `[中略]` `［中略］` `【中略】` `〔中略〕`. (Written so, each part once, it compiles faster than an
    alternative for each bracket: each _SPACE is most of re's work.)
    Possible: one leading character class, then the branch it selects: the same matches as
    `\((?:...|···|中略)\)|（...）|\.(?: ?\.){2,}|…+|．(?: ?．){2,}|⋯+|‥‥+|···+|・・・+` (with match, search and
    finditer: a run of dots stops at the first place no dot follows, which fullmatch would pass, see _dot_run).
    """
    return (
        re.compile(r"(?:(\[)|(\uff3b)|(\u3010)|\u3014)"
                   rf"{_SPACE}*(?:{_DOTS}|(?:{_MIDDLE_DOTS}|{_WORDS}){_SPACE}*)"
                   r"(?(1)\]|(?(2)\uff3d|(?(3)\u3011|\u3015)))"),
        re.compile(r"[(\uff08.\uff0e\u2026\u22ef\u2025\u00b7\u30fb]"
                   rf"(?:(?:(?<=(\())|(?<=\uff08)){_SPACE}*(?:{_DOTS}|(?:{_MIDDLE_DOTS}|{_WORDS}){_SPACE}*)"
                   r"(?(1)\)|\uff09)"                                         # (...) (…) （……） (···) （中略）
                   rf"|(?<=\.){_DOT_RUN}"                                     # ... . . . ....
                   r"|(?<=\u2026)\u2026*"                                      # … ……
                   rf"|(?<=\uff0e){_WIDE_DOT_RUN}"                            # ．．．
                   r"|(?<=\u22ef)\u22ef*"                                      # ⋯ ⋯⋯
                   r"|(?<=\u2025)\u2025+"                                      # ‥‥
                   r"|(?<=\u00b7)\u00b7{2,}|(?<=\u30fb)\u30fb{2,})"),          # ··· ・・・
    )


def patterns(wide: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The bracketed and the possible cuts: wide_patterns(), or for a text without _WIDE_CHARACTERS the patterns
    without East Asian marks (which find there what the full ones would)."""
    return wide_patterns() if wide else _LATIN


def east_asian(raw: bytes, text: str) -> bool:
    """Whether a text (`raw` its UTF-8 bytes) may hold an East Asian mark: one of _WIDE_CHARACTERS, looked for by
    the first bytes of most of them (`int in bytes` is one memchr, and most texts in other scripts have none of
    E3, EF, E7, EB) and the others in the text (found at once in a text of Latin-1 characters; str.isascii()
    costs nothing; `···` only after one `·`, which memchr finds)."""
    return not text.isascii() and (0xEF in raw or 0xE3 in raw or 0xE7 in raw or 0xEB in raw or "\u22ef" in text
                                   or "\u2025" in text or ("\u00b7" in text and "\u00b7\u00b7\u00b7" in text))


def is_cut(marker: str) -> bool:
    """Whether a marker (a match of a bracketed or possible pattern) stands for a cut: three dots or more ('.' and '．'
    one each, '‥' two), one '…' or '⋯', three middle dots side by side, or an omission word."""
    return ("\u2026" in marker or marker.count(".") >= 3 or "\u22ef" in marker
            or marker.count(".") + marker.count("\uff0e") + 2 * marker.count("\u2025") >= 3
            or "\u7565" in marker or "\ub7b5" in marker or "\u00b7\u00b7\u00b7" in marker
            or "\u30fb\u30fb\u30fb" in marker)


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
    wide = east_asian(document.raw, text)
    square, possible_pattern = patterns(wide)
    at = find("[", 0, limit)
    if at >= 0:
        # Both patterns, at a '[', hold no '[' or ']' inside, so their finditer matches there are their
        # matches at each '[', and an alteration overlaps a cut only when both start at one '['.
        bracketed, alteration = square.match, _ALTERATION.match
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
    other = _other_bracketed(text, 0, limit) if wide else []
    if other:
        # (one inside an alteration is part of it: `[注（中略）]`; none overlaps a cut at '[', nor another)
        marks = [(start, end) for start, end, _, _ in found]
        found.extend(cut for cut in other if not _overlaps(marks, cut[0], cut[1]))
        found.sort()
        if len(found) > most:
            raise _too_many(document, path, most)
    taken = [(start, end) for start, end, _, _ in found]
    possible: list[tuple[int, int, str, ElisionKind | None]] = []
    for match in _possible_matches(text, limit, possible_pattern, _WIDE_NEEDLES if wide else _NEEDLES):
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
        # the first byte of a character ('[', '(', '.', '…', '（', ...) is never part of another character.
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
    line = text[start:end]   # (a line: `in` on a copy is cheaper than calls of find; isascii() costs nothing)
    wide = not line.isascii() and any(character in line for character in _WIDE_CHARACTERS)
    bracketed = patterns(wide)[0].match
    at = text.find("[", start, end)
    while at >= 0:
        match = bracketed(text, at, end)
        if (match is not None and is_cut(match.group())) or _ALTERATION.match(text, at, end) is not None:
            return True
        at = text.find("[", at + 1, end)
    return wide and bool(_other_bracketed(text, start, end))   # (one inside an alteration: said above)


def _other_bracketed(text: str, start: int, limit: int) -> list[tuple[int, int, str, ElisionKind | None]]:
    """The bracketed cuts in text[start:limit] that do not start at '[' (`［……］`, `【中略】`), in order: at the
    East Asian square, lenticular and tortoise-shell brackets."""
    find = text.find
    starts: list[int] = []
    for opener in _OTHER_OPENERS:   # (a tuple: see _NEEDLES)
        at = find(opener, start, limit)
        while at >= 0:
            starts.append(at)
            at = find(opener, at + 1, limit)
    cuts: list[tuple[int, int, str, ElisionKind | None]] = []
    if starts:
        starts.sort()
        bracketed = wide_patterns()[0].match
        for at in starts:
            match = bracketed(text, at, limit)
            if match is not None and is_cut(marker := match.group()):
                cuts.append((at, match.end(), marker, "bracketed"))
    return cuts


def _too_many(document: Document, path: str | None, most: int) -> InputError:
    return InputError(path if path is not None else document.name,
                      f"holds more than {most:,} elision markers and editorial alterations, which provpack"
                      " does not package in one document",
                      fix="split the text into several files")


def possible_matches(text: str, limit: int) -> Iterator[re.Match[str]]:
    """What `wide_patterns()[1].finditer(text, 0, limit)` finds, trying the pattern only where a match can start.

    A match starts with '(', '…', '⋯', '‥', '（', '．', '·', '・', or a '.' followed by another,
    with or without one space between them; str.find and a pattern that starts with
    a literal '.' skip to those far faster than re's scan for a set of characters.
    """
    return _possible_matches(text, limit, wide_patterns()[1], _WIDE_NEEDLES)


def _possible_matches(text: str, limit: int, pattern: re.Pattern[str],
                      needles: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """possible_matches by `pattern`, whose matches start at `needles` or a '.' followed by another."""
    end = 0
    for window in range(0, limit, _WINDOW):   # (the candidates of one window at a time: memory stays flat)
        for at in _starts(text, window, min(window + _WINDOW, limit), limit, needles):
            if at >= end:
                match = pattern.match(text, at, limit)
                if match is not None:
                    yield match
                    end = match.end()


def _starts(text: str, start: int, stop: int, limit: int, needles: tuple[str, ...]) -> list[int]:
    """Where a possible elision may start in text[start:stop], in order: at each of `needles` (characters, which
    str.find looks for at memchr's speed), and at a '.' followed by another."""
    find = text.find
    starts: list[int] = []
    for needle in needles:
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
