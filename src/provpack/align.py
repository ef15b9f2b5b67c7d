"""Align a quote's segments with the original's text: what each elision cut, where the quote drifts.

Pure: no I/O. Both texts are cut into words (runs of letters and digits with their combining
marks, a point or comma between digits kept in the number, soft hyphens and zero-width characters
ignored, each Han or Kana character, and each Thai, Lao, Khmer or Burmese letter with its marks,
a word of its own, NFKC-folded, case-folded for matching), so punctuation, quote and dash styles, whitespace
and line wrapping never count as drift; words that match so but are spelled otherwise (`Masse` for `Maße`,
`102` for `10²`: `_word_kind`) are changed, only a difference of letter case is "case". Each segment is
anchored on word 5-grams that occur once in the original, the anchors are chained in order,
and the gaps between them are aligned word by word with difflib; a segment without such an
anchor falls back to shorter, repeated n-grams (each looked up by its rarest word, left out
when that word occurs more than 200 times) voted by diagonal; either way a segment with
fewer than half its words matched is not found. Editorial notes the
quoter added in square brackets (`[sic]`, `[emphasis added]`, `[citation omitted]`) are
not words of the quote and never count as added words. Offsets are code points into the
texts exactly as given, end exclusive.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Callable, Literal, overload

from .combining import COMBINING_MARKS

__all__ = [
    "Alignment",
    "Difference",
    "ElisionMatch",
    "Passage",
    "SegmentMatch",
    "align",
]

ANCHOR_WORDS = 5
"""Length of the word n-grams that anchor a segment when unique in the original."""

MIN_MATCHED_SHARE = 0.5
"""Share of a segment's words (of each piece between markers) that must equal the original's where it
is placed for the segment to count as found: a three-word phrase shared with a headline is not a match."""

SHARED_CUT = "nothing omitted: a marker before it, with no word between them, omits the passage"
"""The reason of a marker whose passage the first marker of its run (no word between them) omits."""

MARKER_ITSELF = "nothing omitted: the original has the marker itself"
"""The reason of a marker of an omission word (`（略）`, `［中略］`) whose neighbours the original has either side of
the same word in brackets: it quotes the original's own mark, `证明（略）。` against itself, and cut nothing."""

_FALLBACK_WORDS = 3
_MAX_HITS_PER_GRAM = 200
_MAX_ALIGNED_GAP = 2000
_SIMILAR_EDGE = 0.6
_SENTENCE_END_RE = re.compile(r"[.!?;:\u2026]")
# A character that goes on a word: a letter or digit, a soft hyphen or zero-width character, a combining mark (the
# marks' class is a long list of ranges, tried one by one: only a character past U+02FF is looked up in it), or a
# point or comma between two digits.
_GOES_ON = (r"[^\W_]|[\u00ad\u200b\u200c\u200d\u2060]|(?=[^\x00-\u02ff])[" + COMBINING_MARKS
            + r"]|[.,](?<=\d[.,])(?=\d)")
# A word is its letters and digits, then any character up to the first place where none goes on. (The same as
# `[^\W_](?:{_GOES_ON})*`, without a group's repeat: re keeps a frame on its stack for each pass of one, and a run
# of 2 million letters, or of `1.1.1`, took 232 MiB; a lazy repeat of one character keeps none. For match, search
# and finditer only: a fullmatch would take any characters up to the end.)
_WORD_RE = re.compile(r"(?:\[[^\W_]{1,3}\])?[^\W_]+(?s:.)*?(?!" + _GOES_ON + ")")
"""A run of letters and digits, with soft hyphens, zero-width characters and combining marks inside
(a vowel sign or virama does not end a Hindi word, nor a vowel point an Arabic one: combining.py);
a point or comma between two digits belongs to the number (`4.5`, `12,000` are one word each).
In Chinese and Japanese, written without spaces, each Han or Kana character is a word; in Thai,
Lao, Khmer and Burmese, also written without spaces, each letter with its marks (`_ideographs`)."""
_MARK_RE = re.compile(f"[{COMBINING_MARKS}]")
_WORD_END_RE = re.compile(f"[^\\W_]|[{COMBINING_MARKS}]")
"""A character a word may end in: a letter or digit, or a combining mark (`पा` of `पानी`, glued to a marker)."""
_IDEOGRAPHS = (r"\u3005-\u3007\u3021-\u3029\u3041-\u3096\u309d-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
               r"\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d\U00020000-\U0003134f")
# The letters of Thai, Lao, Khmer and Burmese (Myanmar, with its Extended-A and -B blocks): their blocks
# without digits and marks (each letter takes the marks after it) and punctuation (no word's).
_UNSPACED_LETTERS = (r"\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46\u0e81-\u0eb0\u0eb2\u0eb3\u0ebd-\u0ec6\u0edc-\u0edf"
                     r"\u1000-\u102a\u103f\u1050-\u1055\u105a-\u105d\u1061\u1065\u1066\u106e-\u1070\u1075-\u1081"
                     r"\u108e\u1780-\u17b3\u17d7\u17dc\ua9e0-\ua9e4\ua9e6-\ua9ef\ua9fa-\ua9fe\uaa60-\uaa76\uaa7a"
                     r"\uaa7e\uaa7f")
_MAYBE_IDEOGRAPH_RE = re.compile(   # a quick test before the full one
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005-\U0010ffff]")
_EDITORIAL_NOTE_RE = re.compile(
    r"\[\s*(?:sic|(?:emphas[ie]s|italics|underlining|bold)\s+(?:added|mine|supplied|removed|omitted|in\s+original)"
    r"|(?:internal\s+)?(?:citations?|footnotes?|quotation\s+marks|alterations?)\s+omitted)"
    r"\s*[.!]?\s*\]",
    re.IGNORECASE,
)
# The number characters (category No) that NFKC folds into digits, Unicode 14.0.0's (see combining.py): superscripts,
# subscripts, fractions, circled, parenthesized and full-stop numbers, and their ideographic kin.
_NUMBER_FORMS = (r"\u00b2\u00b3\u00b9\u00bc-\u00be\u2070\u2074-\u2079\u2080-\u2089\u2150-\u215f\u2189\u2460-\u249b"
                 r"\u24ea\u3192-\u3195\u3220-\u3229\u3251-\u325f\u3280-\u3289\u32b1-\u32bf\U0001f100-\U0001f10a")
_NUMBER_FORM_RE = re.compile(f"[{_NUMBER_FORMS}]")
_NUMBER_FORM_SPLIT_RE = re.compile(f"([{_NUMBER_FORMS}])")
_INVISIBLE_RE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_WORD_NOISE_RE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\u0640\[\]]")   # (U+0640: the Arabic tatweel)
# The vowel points of Arabic (harakat, shadda, sukun, the dagger alef, Quranic marks) and Hebrew (niqqud, dagesh,
# the shin and sin dots, cantillation): written or left out at the writer's choice, so not part of a word's key.
_POINTS = r"\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
_POINTS_RE = re.compile(f"[{_POINTS}]")
_MAYBE_POINTED_RE = re.compile("[\u0591-\u06ed]")   # a quick test before the full one
# A blank line or more (as cutcheck's, which says why it is written so)
_PARAGRAPH_BREAK_RE = re.compile(r"(?:\r\n|\r(?!\n)|\n)[^\S\r\n]*(?:\r\n|\r(?!\n)|\n)(?:\s*[\r\n])?")
# an ellipsis alone, in any brackets: `...`, `…`, the Chinese `……`, Taiwan's `⋯⋯`, `‥‥`, `．．．` (as cutcheck's)
_ELLIPSIS_RE = re.compile(r"[\s(\[（［【〔]*(?:…+|⋯+|‥‥+|\.(?:\s?\.){2,3}|．(?:\s?．){2,3}|···+|・・・+)[\s)\]）］】〕]*")
# An omission word in brackets (in folded text, white space and invisible characters taken out: _unpadded), and
# what is taken out: the characters that pad a marker (elisions._PAD) and any other white space (as cutcheck's)
_OMISSION_MARK_RE = re.compile(r"[(\[（［【〔](以下省略|以下略|中略|前略|後略|后略|上略|下略|省略|略|중략|후략|하략|상략|생략)"
                               r"[)\]）］】〕]")
_UNPADDED_RE = re.compile(r"[\s\u061c\u200b\u200e\u200f\u202a-\u202c\u2060\u2066-\u2069\ufeff]+")
# The invisible characters that may pad a marker (elisions._PAD): a marker after them is glued to the text before
_INVISIBLE_PAD = "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u2060\u2066\u2067\u2068\u2069\ufeff"
# A dot after a full stop (one space at most between): the full stop starts a run of dots, an ellipsis
_DOT_AFTER_RE = re.compile(r"\s?\.")
_FOLD = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u3000", " "),
    }
)

ElisionKind = Literal["bracketed", "possible"]
Scope = Literal["between", "paragraph-start", "paragraph-end"]
DifferenceKind = Literal["changed", "added", "dropped", "case"]


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of the original's text and its code-point offsets."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        """The passage as {"text", "start", "end"}."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class SegmentMatch:
    """Where one quoted segment was found in the original (None when it was not)."""

    index: int
    start: int
    end: int
    source_start: int | None
    source_end: int | None
    words: int
    matched_words: int
    in_order: bool

    @property
    def found(self) -> bool:
        """True when the segment was located in the original."""
        return self.source_start is not None

    def to_json(self) -> dict[str, object]:
        """The match as plain JSON types."""
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "source_start": self.source_start,
            "source_end": self.source_end,
            "words": self.words,
            "matched_words": self.matched_words,
            "in_order": self.in_order,
        }


@dataclass(frozen=True, slots=True)
class ElisionMatch:
    """What the original has where the quote has an elision marker.

    `confirmed` applies to "possible" markers only: True when the original has text there,
    False when it has nothing or the ellipsis itself, None when that cannot be told.
    """

    index: int
    start: int
    end: int
    kind: ElisionKind
    omitted: Passage | None
    reason: str | None
    scope: Scope
    confirmed: bool | None

    def to_json(self) -> dict[str, object]:
        """The match as plain JSON types."""
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "omitted": None if self.omitted is None else self.omitted.to_json(),
            "reason": self.reason,
            "scope": self.scope,
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True, slots=True)
class Difference:
    """Words the quote changed, added or dropped without a marker, or whose case it changed."""

    excerpt: str
    source: str
    start: int
    end: int
    source_start: int
    source_end: int
    kind: DifferenceKind
    segment: int

    def to_json(self) -> dict[str, object]:
        """The difference as plain JSON types."""
        return {
            "excerpt": self.excerpt,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "source_start": self.source_start,
            "source_end": self.source_end,
            "kind": self.kind,
            "segment": self.segment,
        }


@dataclass(frozen=True, slots=True)
class Alignment:
    """Everything the original says about a quote: segments, elisions, differences."""

    segments: tuple[SegmentMatch, ...]
    elisions: tuple[ElisionMatch, ...]
    differences: tuple[Difference, ...]
    out_of_order: tuple[tuple[int, int], ...]

    def to_json(self) -> dict[str, object]:
        """The alignment as plain JSON types."""
        return {
            "segments": [s.to_json() for s in self.segments],
            "elisions": [e.to_json() for e in self.elisions],
            "differences": [d.to_json() for d in self.differences],
            "out_of_order": [list(pair) for pair in self.out_of_order],
        }


class _ExactForms:
    """The exact forms of a text's words (`_exact_form`), made when asked: alignment reads those of the few words it
    pairs, and a list of every word's would hold 8 bytes a word (80 MB for the 10 million words of 20 MB of `x>`)."""

    __slots__ = ("_text", "_starts", "_ends", "_made")

    def __init__(self, text: str, starts: array[int], ends: array[int]) -> None:
        self._text, self._starts, self._ends = text, starts, ends
        self._made: dict[str, str] = {}   # (by raw form: a word read again shares the string made first)

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self._form(k) for k in range(*at.indices(len(self._starts)))]
        return self._form(at)

    def __iter__(self) -> Iterator[str]:
        return (self._form(k) for k in range(len(self._starts)))

    def _form(self, k: int) -> str:
        raw = self._text[self._starts[k] : self._ends[k]]
        form = self._made.get(raw)
        if form is None:
            form = self._made[raw] = _exact_form(raw)
        return form


class _Keys:
    """The matching keys of a text's words, in order: each word's number in the list of the text's distinct keys
    (4 bytes a word, where a list would hold a pointer of 8)."""

    __slots__ = ("numbers", "vocabulary", "number_of")

    def __init__(self, code: str) -> None:
        self.numbers: array[int] = array(code)   # (the type of the text's offsets: no more keys than characters)
        self.vocabulary: list[str] = []   # (one string for each key, whatever forms it is met in: `The`, `the`)
        self.number_of: dict[str, int] = {}

    def number(self, key: str) -> int:
        """The number of `key`, given it if new."""
        number = self.number_of.get(key)
        if number is None:
            number = self.number_of[key] = len(self.vocabulary)
            self.vocabulary.append(key)
        return number

    def find(self, key: str) -> int | None:
        """The number of `key`; None when no word has it."""
        return self.number_of.get(key)

    def append(self, key: str) -> None:
        """Add a word of key `key`."""
        self.numbers.append(self.number(key))

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        vocabulary = self.vocabulary
        if isinstance(at, slice):
            return [vocabulary[number] for number in self.numbers[at]]
        return vocabulary[self.numbers[at]]

    def __iter__(self) -> Iterator[str]:
        vocabulary = self.vocabulary
        return (vocabulary[number] for number in self.numbers)


@dataclass(frozen=True, slots=True)
class _Words:
    """Words of a text: matching keys, exact forms (made when asked), raw offsets.

    A text of millions of words is held in some 12 bytes a word: its key's number and its offsets, 4-byte machine
    integers (8-byte ones for a text of 2**32 characters or more); 20 MB of `x>` is 10 million words.
    """

    text: str
    keys: _Keys
    exact: _ExactForms
    starts: array[int]   # (4 bytes each, where a list holds an int object of 32 bytes and a pointer)
    ends: array[int]

    def loose_initial(self, k: int) -> bool:
        """Whether word k's initial is a loose one in brackets (`[T]he`): its letter case may differ. (A word's
        only `[` is its first character: no other goes on a word.)"""
        return self.text[self.starts[k]] == "["


def _no_words(text: str) -> _Words:
    """Empty lists of the words of `text`, offsets as unsigned integers (whose append, unlike a signed one's, does
    not parse its argument): of 32 bits when the text's offsets fit, else of 64."""
    code = "I" if len(text) < 2**32 else "Q"
    starts, ends = array(code), array(code)
    return _Words(text, _Keys(code), _ExactForms(text, starts, ends), starts, ends)


@dataclass(frozen=True, slots=True)
class _Block:
    """A run of equal words: excerpt index, original index, length."""

    e: int
    o: int
    size: int


def _tokenize(text: str, start: int = 0, end: int | None = None, *, skip_notes: bool = False) -> _Words:
    """Cut text[start:end] into words with their raw offsets (without editorial notes if asked)."""
    words = _no_words(text)
    notes = [(m.start(), m.end()) for m in _EDITORIAL_NOTE_RE.finditer(text)] if skip_notes and "[" in text else []
    limit = len(text) if end is None else end
    ideographs = False
    # Each word's key's number, by its raw form (a 30 MB original holds millions of words but a vocabulary of
    # thousands: each word is a number, not a string). An ASCII word spelled as a key is its own key (a key in ASCII
    # is case-folded already): found as one, and not held again in `forms` (an original of distinct words).
    forms: dict[str, int] = {}
    keys = words.keys
    own = keys.number_of
    for found in _WORD_RE.finditer(text, start, limit):
        match: re.Match[str] | None = found
        while notes and match is not None and (note_end := _end_of(notes, match.start())) >= 0:
            # A word starting in a note is the note's; one glued on after it ("[sic]what") is read on from its end.
            match = _WORD_RE.match(text, note_end, limit) if match.end() > note_end else None
        if match is None:
            continue
        raw = match.group()
        number = own.get(raw)
        if number is None or not raw.isascii():
            number = forms.get(raw)
        if number is None:
            if raw.isascii() and "[" not in raw:
                exact, key = raw, raw.casefold()
            else:
                exact = unicodedata.normalize("NFKC", _WORD_NOISE_RE.sub("", raw))
                key = _key(exact)
                ideographs = ideographs or _MAYBE_IDEOGRAPH_RE.search(raw) is not None
            number = keys.number(exact if key == exact else key)
            if key != raw or not raw.isascii():
                forms[raw] = number
        keys.numbers.append(number)
        words.starts.append(match.start())
        words.ends.append(match.end())
    return _split_ideographs(text, words) if ideographs else words


def _exact_form(raw: str) -> str:
    """The exact form of a word: without soft hyphens, zero-width characters and brackets, NFKC-folded but for its
    number forms (`_number_forms_kept`)."""
    if raw.isascii() and "[" not in raw and "]" not in raw:
        return raw
    exact = unicodedata.normalize("NFKC", _WORD_NOISE_RE.sub("", raw))
    return _number_forms_kept(raw) if exact != raw and _NUMBER_FORM_RE.search(raw) is not None else exact


def _forms(raw: str) -> tuple[str, str]:
    """The exact form of a word and its matching key: without soft hyphens, zero-width characters and brackets,
    NFKC-folded but for its number forms (`_number_forms_kept`), and the key all NFKC-folded and case-folded."""
    folded = unicodedata.normalize("NFKC", _WORD_NOISE_RE.sub("", raw))
    exact = folded if _NUMBER_FORM_RE.search(raw) is None else _number_forms_kept(raw)
    return exact, _key(folded)


def _key(folded: str) -> str:
    """The matching key of a word's NFKC-folded form: case-folded, without Arabic and Hebrew vowel points."""
    if _MAYBE_POINTED_RE.search(folded) is not None:
        folded = _POINTS_RE.sub("", folded)
    return folded.casefold()


def _number_forms_kept(raw: str) -> str:
    """The word without soft hyphens, zero-width characters and brackets, NFKC-folded but for its number forms
    (superscript `²`, subscript `₂`, fraction `½`, circled `①`), kept as written where NFKC would make them digits:
    `10²` is not `102` (the key, `102`, still matches them up)."""
    parts = _NUMBER_FORM_SPLIT_RE.split(_WORD_NOISE_RE.sub("", raw))
    return "".join(part if k % 2 else unicodedata.normalize("NFKC", part) for k, part in enumerate(parts))


@functools.cache
def _ideograph_re() -> re.Pattern[str]:
    """A Han or Kana character with any sound mark after it, a Thai, Lao, Khmer or Burmese letter with any
    combining marks after it, or a stretch of other characters (compiled once used: its character classes
    cost milliseconds to compile)."""
    return re.compile(rf"[{_IDEOGRAPHS}][\u3099\u309a\uff9e\uff9f]*|[{_UNSPACED_LETTERS}][{COMBINING_MARKS}]*"
                      rf"|[^{_IDEOGRAPHS}{_UNSPACED_LETTERS}]+")


def _split_ideographs(text: str, words: _Words) -> _Words:
    """The words with each Han or Kana character on its own, and each Thai, Lao, Khmer or Burmese letter with
    its marks, the letters and digits between such characters together (`2019年に` -> `2019`, `年`, `に`;
    `ที่นี่` -> `ที่`, `นี่`): Chinese, Japanese and those four are written without spaces."""
    split = _no_words(text)
    # A part met again shares the key of the first, as in _tokenize: a run of a million Thai letters is a million
    # parts but a few hundred forms (each part's own strings took some 150 bytes a letter).
    forms: dict[str, str] = {}
    for k, start in enumerate(words.starts):
        raw = text[start : words.ends[k]]
        if _MAYBE_IDEOGRAPH_RE.search(raw) is None:
            _append_word(split, start, raw, words.keys[k])
            continue
        for m in _ideograph_re().finditer(raw):   # (one at a time: no list of a long run's parts)
            part = m.group()
            if _WORD_RE.match(part):
                key = words.keys[k] if part is raw else forms.get(part)
                if key is None:
                    key = forms[part] = _forms(part)[1]
                _append_word(split, start + m.start(), part, key)
    return split


def _append_word(words: _Words, at: int, raw: str, key: str) -> None:
    """Add the word `raw` found at `at`, its key given, to `words`."""
    words.keys.append(key)
    words.starts.append(at)
    words.ends.append(at + len(raw))


def _end_of(spans: list[tuple[int, int]], pos: int) -> int:
    """The end of the one of the sorted, disjoint spans that pos lies in; -1 when it lies in none."""
    at = bisect.bisect_right(spans, (pos, pos)) - 1
    if at + 1 < len(spans) and spans[at + 1][0] == pos:
        at += 1
    return spans[at][1] if at >= 0 and spans[at][0] <= pos < spans[at][1] else -1


def _fold(text: str) -> str:
    """Fold quote, dash and space variants and drop invisible characters, char for char."""
    return _INVISIBLE_RE.sub("", text.translate(_FOLD))


def _lis(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of points increasing in both coordinates (points sorted by the first)."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(points)
    for i, (_, o) in enumerate(points):
        k = bisect.bisect_left(tails, o)
        if k == len(tails):
            tails.append(o)
            tail_index.append(i)
        else:
            tails[k] = o
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        chain.append(points[i])
        i = previous[i]
    return chain[::-1]


def _blocks(hits: list[tuple[int, int]], size: int) -> list[_Block]:
    """Chain n-gram hits in order and merge them into non-overlapping runs of equal words."""
    blocks: list[_Block] = []
    for e, o in _lis(sorted(set(hits))):
        if blocks:
            last = blocks[-1]
            if e - last.e == o - last.o and e <= last.e + last.size:
                blocks[-1] = _Block(last.e, last.o, e + size - last.e)
                continue
            if e < last.e + last.size or o < last.o + last.size:
                continue
        blocks.append(_Block(e, o, size))
    return blocks


class _Aligner:
    """Holds both texts' words and the indexes built over the original."""

    def __init__(self, excerpt: str, original: str, wanted: set[str]) -> None:
        self.excerpt = excerpt
        self.original = original
        self.source = _tokenize(original)
        self._wanted = wanted
        self._positions: dict[str, array[int]] | None = None

    def positions(self) -> dict[str, array[int]]:
        """Where each word key of the excerpt's (`wanted`) occurs in the original (built on first use; the other
        keys of the original are never looked up, and an original of millions of distinct words would hold an
        array for each)."""
        if self._positions is None:
            code = self.source.starts.typecode   # (no more words than characters)
            source = self.source.keys
            wanted = {number for key in self._wanted if (number := source.find(key)) is not None}
            table: defaultdict[int, array[int]] = defaultdict(lambda: array(code))
            for i, number in enumerate(source.numbers):
                if number in wanted:
                    table[number].append(i)
            self._positions = {source.vocabulary[number]: found for number, found in table.items()}
        return self._positions

    def whole_words(self, words: _Words, first: int, last: int, glued: tuple[bool, bool]) -> tuple[int, int]:
        """The piece's words first..last without a word cut by a marker glued to it (`vot[...]`) that is no
        word of the original, as long as other words are left: those to look the piece up by."""
        positions = self.positions()
        if glued[0] and last - first > 1 and words.keys[first] not in positions:
            first += 1
        if glued[1] and last - first > 1 and words.keys[last - 1] not in positions:
            last -= 1
        return first, last

    def unique_anchors(self, wanted: set[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        """Positions of the wanted n-grams that occur exactly once in the original."""
        n = ANCHOR_WORDS
        source = self.source.keys
        # looked for as the numbers of their keys (a gram with a word the original lacks is not in it), the original's
        # grams read in C (zip of its numbers from each of n places on: no copy)
        grams: dict[tuple[int | None, ...], tuple[str, ...]] = {}
        for gram in wanted:
            numbers = tuple(map(source.number_of.get, gram))
            if None not in numbers:
                grams[numbers] = gram
        seen: dict[tuple[int, ...], int] = {}
        for i, found in enumerate(zip(*(itertools.islice(source.numbers, k, None) for k in range(n)))):
            if found in grams:
                seen[found] = -1 if found in seen else i
        return {grams[found]: i for found, i in seen.items() if i >= 0}

    def voted_bands(
        self, keys: list[str], offset: int, after: int
    ) -> list[list[tuple[int, int]]]:
        """Hits of short n-grams grouped by diagonal: the densest bands, best first (first after `after`).

        Bands as dense as the best are all returned, so that a segment repeated in the
        original can later be moved to the copy its neighbours point at.
        """
        n = min(_FALLBACK_WORDS, len(keys))
        source = self.source.keys
        positions = self.positions()
        hits: list[tuple[int, int]] = []
        for i in range(len(keys) - n + 1):
            gram = keys[i : i + n]
            # looked up by its rarest word, so that a frequent first word ("the") does not hide it
            at = min(range(n), key=lambda k: len(positions.get(gram[k], ())))
            found = positions.get(gram[at], ())
            if len(found) > _MAX_HITS_PER_GRAM:
                continue
            for p in found:
                if p >= at and source[p - at : p - at + n] == gram:
                    hits.append((offset + i, p - at))
        if not hits:
            return []
        tolerance = max(3, len(keys) // 5)
        hits.sort(key=lambda h: (h[1] - h[0], h[0]))
        bands: list[list[tuple[int, int]]] = [[hits[0]]]
        for hit in hits[1:]:
            prev = bands[-1][-1]
            if (hit[1] - hit[0]) - (prev[1] - prev[0]) <= tolerance:
                bands[-1].append(hit)
            else:
                bands.append([hit])

        def rank(band: list[tuple[int, int]]) -> tuple[int, int, int]:
            first = min(o for _, o in band)
            return (-len({e for e, _ in band}), 0 if first >= after else 1, first)

        ranked = sorted((rank(band), k) for k, band in enumerate(bands))
        densest = ranked[0][0][0]
        return [bands[k] for key, k in ranked if key[0] == densest]


def _gap_ops(
    e_keys: list[str], o_keys: list[str]
) -> list[tuple[str, int, int, int, int]]:
    """Word-level opcodes between two gaps; one coarse replace when a side is too long."""
    if not e_keys and not o_keys:
        return []
    if not e_keys:
        return [("insert", 0, 0, 0, len(o_keys))]
    if not o_keys:
        return [("delete", 0, len(e_keys), 0, 0)]
    if len(o_keys) > _MAX_ALIGNED_GAP or len(e_keys) > _MAX_ALIGNED_GAP:
        return [("replace", 0, len(e_keys), 0, len(o_keys))]
    matcher = difflib.SequenceMatcher(None, e_keys, o_keys, autojunk=False)
    return [op for op in matcher.get_opcodes()]


def _similar(e_keys: list[str], o_keys: list[str]) -> bool:
    """True when two runs of words look like one mistyped as the other."""
    matcher = difflib.SequenceMatcher(None, " ".join(e_keys), " ".join(o_keys), autojunk=False)
    return matcher.ratio() >= _SIMILAR_EDGE


def _is_number(word: str) -> bool:
    """True when a word holds a digit (`30`, `4.2`, `1990s`)."""
    return any(c.isdigit() for c in word)


def _edge_ops(
    e_keys: list[str], o_keys: list[str], e_exact: Callable[[int], str], o_exact: Callable[[int], str],
    apart: Callable[[int], bool],
) -> list[tuple[str, int, int, int, int]]:
    """Align the words of a segment's edge with the original's words next to its anchor.

    Both lists (and the exact forms beside them, `e_exact(i)`, `o_exact(j)`: made when read) run outward from
    the anchor. Original words past the segment's last word are not part of the quote, so alignment stops when the
    excerpt's words run out, and an outermost changed word counts as changed only when it
    looks like a typo or is a number put for a number (`35` for `30`), else as added. A number
    the original parts from the anchor by sentence punctuation (`apart(j)`: `1999.` before
    `Roads`) ends another sentence, so a number put there is added, not changed.
    """
    if not e_keys:
        return []
    kept: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in _gap_ops(e_keys, o_keys):
        if i1 >= len(e_keys):
            break
        if i2 == len(e_keys) and tag == "replace":
            j2 = j1 + min(j2 - j1, i2 - i1)
            one_for_one = (i2 - i1 == 1 and _is_number(e_exact(i1)) and _is_number(o_exact(j1))
                           and not apart(j1))
            if not one_for_one and not _similar(e_keys[i1:i2], o_keys[j1:j2]):
                tag, j2 = "delete", j1
        kept.append((tag, i1, i2, j1, j2))
    return kept


def _fragment_cut(raw: str, key: str, *, suffix: bool) -> int | None:
    """Where, in the original's word `raw`, a part of it with the matching key `key` ends (its start) or starts
    (its end, `suffix`); None when `key` is no such part. Words over 100 characters are not cut, nor a letter
    from its combining marks (a key leaves out Arabic vowel points: `ونُشر` is cut `ونُ`, `شر`, never `ون`, `ُشر`)."""
    if len(raw) > 100:
        return None
    cuts = range(1, len(raw))
    for k in reversed(cuts) if not suffix else cuts:
        if _MARK_RE.match(raw, k) is not None:
            continue
        part = raw[k:] if suffix else raw[:k]
        if (part.casefold() if part.isascii() else _key(unicodedata.normalize("NFKC", _WORD_NOISE_RE.sub("", part)))
                ) == key:
            return k
    return None


def _glued(
    excerpt: str, pieces: list[tuple[int, int, int]], elisions: tuple[tuple[int, int, str], ...]
) -> list[tuple[bool, bool]]:
    """For each piece, whether a marker is glued to a word at its start and at its end (`[...]day`, `vot[...]`)."""
    ends = {end for _, end, _ in elisions}
    starts = {start for start, _, _ in elisions}
    return [
        (start in ends and start < end and _WORD_RE.match(excerpt, start) is not None,
         end in starts and start < end and _WORD_END_RE.match(excerpt[end - 1]) is not None)
        for start, end, _ in pieces
    ]


def _full_stops(
    excerpt: str, pieces: list[tuple[int, int, int]], elisions: tuple[tuple[int, int, str], ...]
) -> list[bool]:
    """For each piece, whether it ends where a possible marker of four dots or more starts (`Monday....`,
    `Monday. . . .`: elisions' dot run, which takes the sentence's full stop as its first dot), glued to the
    piece's text (no white space between, invisible characters aside): that first dot may be the full stop."""
    dotted = {start for start, end, kind in elisions
              if kind == "possible" and excerpt[start:start + 1] == "." and excerpt.count(".", start, end) >= 4}
    out = []
    for start, end, _ in pieces:
        at = end
        while at > start and excerpt[at - 1] in _INVISIBLE_PAD:
            at -= 1
        out.append(end in dotted and at > start and not excerpt[at - 1].isspace())
    return out


def _apostrophes(text: str, words: _Words, first: int, last: int) -> tuple[int, ...]:
    """Where in the words first..last run together an apostrophe joins two of them (`we're`: (2,)).

    Words put together the same but for apostrophes are other words (`were` for `we're`, `its` for
    `it's`), unlike a compound split otherwise.
    """
    joins: list[int] = []
    length = 0
    for k in range(first, last - 1):
        length += len(words.keys[k])
        if _fold(text[words.ends[k] : words.starts[k + 1]]) == "'":
            joins.append(length)
    return tuple(joins)


def _edge_window(words: int) -> int:
    """How many original words next to an anchor may match a segment edge of this many words."""
    return words + 2 + words // 2


def _word_kind(excerpt_word: str, source_word: str, loose_initial: bool) -> DifferenceKind | None:
    """How two words with the same key differ (their exact forms): None when they do not (the initial's case
    may be loose), "case" when only in letter case (`Maße`, `MASSE` as `Maße` upper-cased), "changed" when in a
    spelling the key hides (`Masse` for `Maße`, casefold making `ß` `ss`; `102` for `10²`, kept apart in the exact
    form)."""
    if excerpt_word == source_word:
        return None
    if loose_initial and excerpt_word[1:] == source_word[1:]:
        return None
    if _POINTS_RE.search(excerpt_word) is not None or _POINTS_RE.search(source_word) is not None:   # (points in one)
        return _pointing_kind(excerpt_word, source_word)
    if (excerpt_word.lower() == source_word.lower() or excerpt_word.upper() == source_word
            or excerpt_word == source_word.upper()):
        return "case"
    return "changed"


def _pointing_kind(excerpt_word: str, source_word: str) -> DifferenceKind | None:
    """How two Arabic or Hebrew words with the same key differ: "changed" when a letter both point carries
    other points (`كَتَبَ`, he wrote, for `كُتِبَ`, it was written), None when they differ only in points one
    of them leaves out (`كتب` for `كُتِبَ`; a quote that points a word its original leaves bare, or the other
    way round); other differences are those of any word (_word_kind)."""
    bare_excerpt, bare_source = _POINTS_RE.sub("", excerpt_word), _POINTS_RE.sub("", source_word)
    if bare_excerpt != bare_source:
        return _word_kind(bare_excerpt, bare_source, False)
    for excerpt_points, source_points in zip(_letter_points(excerpt_word), _letter_points(source_word)):
        if excerpt_points and source_points and excerpt_points != source_points:
            return "changed"
    return None


def _letter_points(word: str) -> list[str]:
    """The points written on each letter of a word, in order ("" for a bare letter); a letter's points gathered
    in a list and joined once (`+=` on the list's last string copied it for each point: quadratic in them)."""
    letters: list[list[str]] = []
    for char in word:
        if _POINTS_RE.match(char) is None:
            letters.append([])
        elif letters:
            letters[-1].append(char)
    return ["".join(points) for points in letters]


@dataclass(frozen=True, slots=True)
class _Placed:
    """One piece located in the original: its span there, its first and last word there, what differs."""

    span: tuple[int, int]
    o_first: int
    o_last: int
    matched_words: int
    differences: list[Difference]


class _SegmentAligner:
    """Aligns one segment's words and records its differences."""

    def __init__(self, aligner: _Aligner, words: _Words, index: int, first: int, last: int) -> None:
        self.aligner = aligner
        self.words = words
        self.index = index
        self.first = first
        self.last = last
        self.pairs: list[tuple[int, int]] = []
        self.differences: list[Difference] = []
        self.fragments: set[int] = set()

    def emit(self, tag: str, e1: int, e2: int, o1: int, o2: int) -> None:
        """Record one opcode in absolute word indexes."""
        if tag == "equal":
            for k in range(e2 - e1):
                self.pairs.append((e1 + k, o1 + k))
                self._check_case(e1 + k, o1 + k)
            return
        for k in range(min(e2 - e1, o2 - o1)):
            self.pairs.append((e1 + k, o1 + k))
        source = self.aligner.source
        if tag == "replace" and "".join(self.words.keys[e1:e2]) == "".join(source.keys[o1:o2]) and (
            _apostrophes(self.aligner.excerpt, self.words, e1, e2)
            == _apostrophes(self.aligner.original, source, o1, o2)
        ) and _word_kind("".join(self.words.exact[e1:e2]), "".join(source.exact[o1:o2]), False) != "changed":
            return   # a compound split otherwise (`battle-field`, `battle field`, `battlefield`; its case aside)
        kind: DifferenceKind = (
            "changed" if tag == "replace" else ("added" if tag == "delete" else "dropped")
        )
        self.differences.append(self._difference(kind, e1, e2, o1, o2))

    def fragment(self, e: int, *, at_end: bool) -> int | None:
        """Take word e, which a marker glued to it cut, as the start (at_end) or the end of the original's word
        it stands against: drop the difference it got and return where the cut falls in the original (None
        when it is no such fragment, or the original's word is not the piece's last (first) one there)."""
        words, source = self.words, self.aligner.source
        paired = dict(self.pairs)
        neighbour = e - 1 if at_end else e + 1
        if e in paired:
            o = paired[e]
        elif neighbour in paired and self.first <= neighbour < self.last:
            o = paired[neighbour] + (1 if at_end else -1)
        else:
            return None
        others = [p for d, p in self.pairs if d != e]
        if not 0 <= o < len(source.keys) or source.keys[o] == words.keys[e] or any(
                (p >= o) if at_end else (p <= o) for p in others):
            return None
        raw = self.aligner.original[source.starts[o] : source.ends[o]]
        cut = _fragment_cut(raw, words.keys[e], suffix=not at_end)
        start, end = words.starts[e], words.ends[e]
        touching = [d for d in self.differences if d.start < end and start < d.end]
        if cut is None or any((d.start, d.end) != (start, end) or d.kind not in ("changed", "added")
                              or (d.kind == "changed" and (d.source_start, d.source_end)
                                  != (source.starts[o], source.ends[o])) for d in touching):
            return None
        self.differences = [d for d in self.differences if d not in touching]
        if e not in paired:
            self.pairs.append((e, o))
        self.fragments.add(e)
        return source.starts[o] + cut

    def _check_case(self, e: int, o: int) -> None:
        words, source = self.words, self.aligner.source
        loose = words.loose_initial(e) or e == self.first
        kind = _word_kind(words.exact[e], source.exact[o], loose)
        if kind is not None:
            self.differences.append(self._difference(kind, e, e + 1, o, o + 1))

    def _difference(self, kind: DifferenceKind, e1: int, e2: int, o1: int, o2: int) -> Difference:
        words, source = self.words, self.aligner.source
        if e2 > e1:
            start, end = words.starts[e1], words.ends[e2 - 1]
        else:
            start = end = words.ends[e1 - 1] if e1 > self.first else words.starts[self.first]
        if o2 > o1:
            source_start, source_end = source.starts[o1], source.ends[o2 - 1]
        elif not self.pairs and o1 < len(source.starts):
            # before the piece's first matched word: at that word, not inside the cut before it
            source_start = source_end = source.starts[o1]
        else:
            source_start = source_end = source.ends[o1 - 1] if o1 > 0 else 0
        return Difference(
            excerpt=self.aligner.excerpt[start:end],
            source=self.aligner.original[source_start:source_end],
            start=start,
            end=end,
            source_start=source_start,
            source_end=source_end,
            kind=kind,
            segment=self.index,
        )

    def run(self, blocks: list[_Block]) -> None:
        """Align the lead edge, the gaps between blocks, the blocks and the tail edge."""
        e_keys, o_keys = self.words.keys, self.aligner.source.keys
        e_exact, o_exact = self.words.exact, self.aligner.source.exact
        head = blocks[0]
        lead_e = e_keys[self.first : head.e][::-1]
        lead_o_start = max(0, head.o - _edge_window(len(lead_e)))
        lead_o = o_keys[lead_o_start : head.o][::-1]
        source = self.aligner.source
        text = self.aligner.original

        def lead_apart(j: int) -> bool:
            return _SENTENCE_END_RE.search(text, source.ends[head.o - 1 - j], source.starts[head.o]) is not None

        lead_ops = _edge_ops(lead_e, lead_o, lambda i: e_exact[head.e - 1 - i], lambda j: o_exact[head.o - 1 - j],
                             lead_apart)
        for tag, i1, i2, j1, j2 in reversed(lead_ops):
            self.emit(tag, head.e - i2, head.e - i1, head.o - j2, head.o - j1)
        for k, block in enumerate(blocks):
            self.emit("equal", block.e, block.e + block.size, block.o, block.o + block.size)
            e_from, o_from = block.e + block.size, block.o + block.size
            if k + 1 < len(blocks):
                nxt = blocks[k + 1]
                for tag, i1, i2, j1, j2 in _gap_ops(e_keys[e_from : nxt.e], o_keys[o_from : nxt.o]):
                    self.emit(tag, e_from + i1, e_from + i2, o_from + j1, o_from + j2)
        tail = blocks[-1]
        e_from, o_from = tail.e + tail.size, tail.o + tail.size
        tail_e = e_keys[e_from : self.last]
        o_to = o_from + _edge_window(len(tail_e))
        tail_o = o_keys[o_from:o_to]

        def tail_apart(j: int) -> bool:
            return _SENTENCE_END_RE.search(text, source.ends[o_from - 1], source.starts[o_from + j]) is not None

        tail_ops = _edge_ops(tail_e, tail_o, lambda i: e_exact[e_from + i], lambda j: o_exact[o_from + j], tail_apart)
        for tag, i1, i2, j1, j2 in tail_ops:
            self.emit(tag, e_from + i1, e_from + i2, o_from + j1, o_from + j2)
        self.differences.sort(key=lambda d: (d.start, d.source_start))


def _extend_over_punctuation(excerpt_edge: str, source: str, pos: int, step: int) -> int:
    """Move pos over original punctuation that the excerpt also has at this segment edge."""
    wanted = [c for c in _fold(excerpt_edge if step > 0 else excerpt_edge[::-1]) if not c.isspace()]
    i, best, k = pos, pos, 0
    while k < len(wanted):
        j = i if step > 0 else i - 1
        if not 0 <= j < len(source):
            break
        c = _fold(source[j])
        if c == "" or c.isspace():
            i += step
            continue
        if c != wanted[k]:
            break
        k += 1
        i += step
        best = i
    return best


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) of text to exclude surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _word_range(words: _Words, start: int, end: int) -> tuple[int, int]:
    """Indexes of the first and one past the last word lying wholly inside [start, end)."""
    first = bisect.bisect_left(words.starts, start)
    last = bisect.bisect_left(words.starts, end)
    while last > first and words.ends[last - 1] > end:
        last -= 1
    return first, last


def _check_inputs(
    excerpt: str,
    segments: tuple[tuple[int, int], ...],
    elisions: tuple[tuple[int, int, str], ...],
    quoted: tuple[int, int],
) -> None:
    """Reject spans outside the excerpt or the quoted text, unsorted segments and unknown elision kinds."""
    if not 0 <= quoted[0] <= quoted[1] <= len(excerpt):
        raise ValueError(f"quoted text {quoted} is outside the excerpt (0, {len(excerpt)})")
    previous_end = 0
    for start, end in segments:
        if not 0 <= start <= end <= len(excerpt):
            raise ValueError(f"segment ({start}, {end}) is outside the excerpt (0, {len(excerpt)})")
        if not quoted[0] <= start <= end <= quoted[1]:
            raise ValueError(f"segment ({start}, {end}) is outside the quoted text {quoted}")
        if start < previous_end:
            raise ValueError(f"segment ({start}, {end}) overlaps or precedes the one before it")
        previous_end = end
    for start, end, kind in elisions:
        if not 0 <= start <= end <= len(excerpt):
            raise ValueError(f"elision ({start}, {end}) is outside the excerpt (0, {len(excerpt)})")
        if kind not in ("bracketed", "possible"):
            raise ValueError(f"elision ({start}, {end}) has kind {kind!r}; expected 'bracketed' or 'possible'")


def align(
    excerpt: str,
    segments: tuple[tuple[int, int], ...] | list[tuple[int, int]],
    elisions: tuple[tuple[int, int, str], ...] | list[tuple[int, int, str]],
    original: str,
    *,
    quoted: tuple[int, int] | None = None,
) -> Alignment:
    """Align each quoted segment with the original and say what each elision marker cut.

    `quoted` is the span of the excerpt that quotes the original (a document's body; the
    whole excerpt when None): a marker outside it, in a title or header line or a trailer,
    cut nothing from the original and gets no omitted passage.
    """
    segments, elisions = tuple(segments), tuple(elisions)
    quoted = (0, len(excerpt)) if quoted is None else quoted
    _check_inputs(excerpt, segments, elisions, quoted)
    words = _tokenize(excerpt, skip_notes=True)
    aligner = _Aligner(excerpt, original, set(words.keys.vocabulary))
    keys = words.keys[:]   # (a list: read 5 at a time at each word)
    pieces = _pieces(segments, elisions)
    bounds = [_word_range(words, start, end) for start, end, _ in pieces]
    glued = _glued(excerpt, pieces, elisions)
    stops = _full_stops(excerpt, pieces, elisions)
    n = ANCHOR_WORDS
    wanted = {
        tuple(keys[i : i + n])
        for first, last in bounds
        for i in range(first, last - n + 1)
    }
    unique = aligner.unique_anchors(wanted)
    placed: list[_Placed | None] = []
    repeated: dict[int, tuple[list[list[tuple[int, int]]], int]] = {}
    after = 0
    for number, (first, last) in enumerate(bounds):
        hits = [
            (i, unique[gram])
            for i in range(first, last - n + 1)
            if (gram := tuple(keys[i : i + n])) in unique
        ]
        size = n
        if not hits and last > first:
            low, high = aligner.whole_words(words, first, last, glued[number])
            bands = aligner.voted_bands(keys[low:high], low, after)
            size = min(_FALLBACK_WORDS, high - low)
            hits = bands[0] if bands else []
            if len(bands) > 1:
                repeated[number] = (bands, size)
        located = _place(aligner, words, pieces[number], bounds[number], hits, size, glued[number],
                         stops[number]) if hits else None
        if located is None or not _enough(located, last - first):
            placed.append(None)
            repeated.pop(number, None)
            continue
        after = located.o_last + 1
        placed.append(located)
    for number in sorted(repeated, reverse=True):
        bands, size = repeated[number]
        closer = _closer_band(bands, size, placed, number)
        if closer is not None:
            moved = _place(aligner, words, pieces[number], bounds[number], closer, size, glued[number],
                           stops[number])
            if _enough(moved, bounds[number][1] - bounds[number][0]):
                placed[number] = moved
    spans = [None if piece is None else piece.span for piece in placed]
    owners = [index for _, _, index in pieces]
    owned: list[list[int]] = [[] for _ in segments]
    for number, owner in enumerate(owners):
        owned[owner].append(number)
    covers: list[tuple[int, int] | None] = []
    found: list[SegmentMatch] = []
    previous: tuple[int, int] | None = None
    for index, (start, end) in enumerate(segments):
        cover = _cover([span for number in owned[index] if (span := spans[number]) is not None])
        covers.append(cover)
        in_order = cover is None or previous is None or _follows(previous, cover, original)
        found.append(SegmentMatch(
            index, start, end, None if cover is None else cover[0], None if cover is None else cover[1],
            sum(bounds[number][1] - bounds[number][0] for number in owned[index]),
            sum(piece.matched_words for number in owned[index] if (piece := placed[number]) is not None),
            in_order,
        ))
        previous = cover if cover is not None else previous
    matched = [m for m in found if m.found]
    out_of_order = tuple((a.index, b.index) for a, b in zip(matched, matched[1:]) if not b.in_order)
    text_around = _Around([(start, end) for start, end, _ in pieces], [last > first for first, last in bounds],
                          spans, owners, list(segments), covers)
    return Alignment(
        segments=tuple(found),
        elisions=_one_cut_per_run(
            [_elision(index, elision, text_around, original, quoted, excerpt[elision[0]:elision[1]])
             for index, elision in enumerate(elisions)],
            text_around,
        ),
        differences=tuple(d for piece in placed if piece is not None for d in piece.differences),
        out_of_order=out_of_order,
    )


def _place(
    aligner: _Aligner,
    words: _Words,
    piece: tuple[int, int, int],
    bounds: tuple[int, int],
    hits: list[tuple[int, int]],
    size: int,
    glued: tuple[bool, bool],
    full_stop: bool,
) -> _Placed:
    """Align one piece's words around its n-gram hits and find its span in the original.

    A word cut by a marker glued to it (`vot[...]`, `[...]day`) that is the start or the end of
    the original's word there is that much of it: no difference, and the piece's span ends or
    starts inside the original's word. A piece before a marker of four dots or more glued to it
    (`full_stop`: `Monday....`, `Monday. . . .`) quotes the original's full stop after its last
    word, where it has one (a `.` that starts no run of dots): the marker's first dot stands for it,
    so the piece's span takes it in, as it takes in `Monday.` before `[...]`.
    """
    start, end, index = piece
    first, last = bounds
    excerpt, original, source = aligner.excerpt, aligner.original, aligner.source
    segment = _SegmentAligner(aligner, words, index, first, last)
    segment.run(_blocks(hits, size))
    cut_end = segment.fragment(last - 1, at_end=True) if glued[1] and last > first else None
    one_word = last - first == 1 and cut_end is not None
    cut_start = segment.fragment(first, at_end=False) if glued[0] and last > first and not one_word else None
    o_first = min(o for _, o in segment.pairs)
    o_last = max(o for _, o in segment.pairs)
    e_first = min(e for e, o in segment.pairs if o == o_first)
    e_last = max(e for e, o in segment.pairs if o == o_last)
    lead_from = words.ends[e_first - 1] if e_first > first else start
    tail_to = words.starts[e_last + 1] if e_last + 1 < last else end
    source_start = cut_start if cut_start is not None else _extend_over_punctuation(
        excerpt[lead_from : words.starts[e_first]], original, source.starts[o_first], -1
    )
    source_end = cut_end if cut_end is not None else _extend_over_punctuation(
        excerpt[words.ends[e_last] : tail_to], original, source.ends[o_last], 1
    )
    if full_stop and cut_end is None and tail_to == end:
        stop = _extend_over_punctuation(excerpt[words.ends[e_last] : end] + ".", original, source.ends[o_last], 1)
        if stop > source_end and _DOT_AFTER_RE.match(original, stop) is None and not original[stop:stop + 1].isalnum():
            source_end = stop   # (a full stop: not a dot starting an ellipsis, nor one inside a word, `example.com`)
    equal = sum(1 for e, o in segment.pairs if source.keys[o] == words.keys[e] or e in segment.fragments)
    return _Placed((source_start, source_end), o_first, o_last, equal, segment.differences)


def _enough(located: _Placed, words: int) -> bool:
    """True when at least half a piece's words equal the original's where it was placed (else: not found)."""
    return located.matched_words >= words * MIN_MATCHED_SHARE


def _closer_band(
    bands: list[list[tuple[int, int]]], size: int, placed: list[_Placed | None], number: int
) -> list[tuple[int, int]] | None:
    """Of equally dense bands, the last copy between the neighbouring pieces, if not the one taken.

    A passage repeated in the original is taken where the cuts around it are smallest
    and in order: after the previous piece and as close before the next one as it goes.
    Without a located next piece, or when no copy fits between, the first choice stays.
    """
    following = next((p for p in placed[number + 1 :] if p is not None), None)
    if following is None:
        return None
    preceding = next((p for p in reversed(placed[:number]) if p is not None), None)
    low = 0 if preceding is None else preceding.o_last + 1
    fitting = [
        band for band in bands
        if min(o for _, o in band) >= low and max(o for _, o in band) + size <= following.o_first
    ]
    if not fitting:
        return None
    closest = max(fitting, key=lambda band: min(o for _, o in band))
    return None if closest is bands[0] else closest


def _pieces(
    segments: tuple[tuple[int, int], ...], elisions: tuple[tuple[int, int, str], ...]
) -> list[tuple[int, int, int]]:
    """Segments cut at any marker inside them (a segment may hold "possible" markers): start, end, segment."""
    pieces: list[tuple[int, int, int]] = []
    for index, (start, end) in enumerate(segments):
        position = start
        for cut_start, cut_end, _ in sorted(elisions):
            if start <= cut_start and cut_end <= end and cut_start >= position:
                pieces.append((position, cut_start, index))
                position = cut_end
        pieces.append((position, end, index))
    return pieces


def _cover(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The smallest span holding all the given ones (a segment's pieces, in whatever order); None for none."""
    if not spans:
        return None
    return min(start for start, _ in spans), max(end for _, end in spans)


def _follows(earlier: tuple[int, int], later: tuple[int, int], original: str) -> bool:
    """True when `later` starts where `earlier` ends or after it (sharing only punctuation is fine)."""
    if later[0] >= earlier[1]:
        return True
    return later[0] >= earlier[0] and _WORD_RE.search(original, later[0], earlier[1]) is None


def _paragraph_end(text: str, pos: int) -> int:
    """End of the paragraph (blank-line separated; LF, CRLF or CR line ends) containing pos."""
    found = _PARAGRAPH_BREAK_RE.search(text, pos)
    return len(text) if found is None else found.start()


def _paragraph_start(text: str, pos: int) -> int:
    """Start of the paragraph (blank-line separated; LF, CRLF or CR line ends) containing pos."""
    start = 0
    for found in _PARAGRAPH_BREAK_RE.finditer(text, 0, pos):
        start = found.end()
    return start


class _Around:
    """What lies around the markers: the pieces (segments cut at possible markers) and the segments, each
    with its span in the excerpt and in the original (None when not found; a segment's covers its pieces).

    Pieces and segments come in excerpt order, so the ones next to a marker are found by bisection.
    """

    def __init__(self, pieces: list[tuple[int, int]], has_words: list[bool], piece_spans: list[tuple[int, int] | None],
                 owners: list[int], segments: list[tuple[int, int]], covers: list[tuple[int, int] | None]) -> None:
        self.pieces, self.piece_spans, self.owners = pieces, piece_spans, owners
        self.segments, self.covers = segments, covers
        self._wordful = [i for i, words in enumerate(has_words) if words]
        self._wordful_starts = [pieces[i][0] for i in self._wordful]
        self._wordful_ends = [pieces[i][1] for i in self._wordful]
        self._segment_starts = [start for start, _ in segments]
        self._found_starts = sorted(span[0] for span in piece_spans if span is not None)
        self._found_ends = sorted(span[1] for span in piece_spans if span is not None)
        self._owned: list[list[tuple[int, int]]] = [[] for _ in segments]
        for span, owner in zip(piece_spans, owners):
            if span is not None:
                self._owned[owner].append(span)

    def neighbours(self, start: int, end: int) -> tuple[int | None, int | None]:
        """The last piece with words ending before `start` and the first starting after `end` (None: none)."""
        at = bisect.bisect_right(self._wordful_ends, start)
        before = self._wordful[at - 1] if at else None
        at = bisect.bisect_left(self._wordful_starts, end)
        after = self._wordful[at] if at < len(self._wordful) else None
        return before, after

    def inside(self, start: int, end: int) -> bool:
        """True when [start, end) lies within a segment."""
        at = bisect.bisect_right(self._segment_starts, start) - 1
        return at >= 0 and end <= self.segments[at][1]

    def parts(self, number: int, inside: bool) -> list[tuple[int, int]]:
        """The spans in the original of piece `number` (inside a segment) or of segment `number`'s pieces."""
        if inside:
            span = self.piece_spans[number]
            return [] if span is None else [span]
        return self._owned[number]

    def first_start_from(self, pos: int, default: int) -> int:
        """The first start of a found piece at or after `pos` in the original, if before `default`."""
        at = bisect.bisect_left(self._found_starts, pos)
        return min(default, self._found_starts[at]) if at < len(self._found_starts) else default

    def last_end_to(self, pos: int, default: int) -> int:
        """The last end of a found piece at or before `pos` in the original, if after `default`."""
        at = bisect.bisect_right(self._found_ends, pos)
        return max(default, self._found_ends[at - 1]) if at else default


def _one_cut_per_run(matches: list[ElisionMatch], around: _Around) -> tuple[ElisionMatch, ...]:
    """The matches with each passage given once: markers with no word between them (`[...] [...]`, `... [...]`:
    the same pieces on either side) cut one passage, which the first of them (in text order) that omits one
    keeps; each later one gets omitted null and SHARED_CUT (confirmed false: nothing is left for it)."""
    run: tuple[int | None, int | None] | None = None
    given = False
    for number, match in sorted(enumerate(matches), key=lambda item: (item[1].start, item[1].end)):
        neighbours = around.neighbours(match.start, match.end)
        if neighbours != run:
            run, given = neighbours, False
        if match.omitted is None:
            continue
        if given:
            matches[number] = replace(match, omitted=None, reason=SHARED_CUT,
                                       confirmed=False if match.kind == "possible" else None)
        given = True
    return tuple(matches)


def _same_omission_mark(marker: str, text: str) -> bool:
    """Whether `marker` is an omission word in brackets and `text` (the original's, between the marker's
    neighbours) the same word in brackets, white space, invisible characters and the brackets' kind aside."""
    if "\u7565" not in marker and "\ub7b5" not in marker:   # (略, 략: every omission word ends so)
        return False
    own = _OMISSION_MARK_RE.fullmatch(_UNPADDED_RE.sub("", marker))
    if own is None:
        return False
    theirs = _OMISSION_MARK_RE.fullmatch(_UNPADDED_RE.sub("", _fold(text)))
    return theirs is not None and theirs.group(1) == own.group(1)


def _order_reason(earlier: list[tuple[int, int]], later: list[tuple[int, int]], original: str, inside: bool) -> str:
    """Why nothing is omitted between two quoted stretches (each as its pieces' spans) the original has out of order."""
    what, which, one = ("text", "text", "the text") if inside else ("segments", "segment", "the one")
    for a in earlier:
        for b in later:
            low, high = max(a[0], b[0]), min(a[1], b[1])
            if low < high and _WORD_RE.search(original, low, high) is not None:
                return (f"{what} overlap: the {which} after the marker quotes words of the original that {one} "
                        "before it quotes too")
    where = "" if min(b[0] for b in later) < min(a[0] for a in earlier) else "the end of "
    return f"{what} out of order: the {which} after the marker comes before {where}{one} preceding it in the original"


def _elision(
    index: int,
    elision: tuple[int, int, str],
    around: _Around,
    original: str,
    quoted: tuple[int, int],
    marker: str,
) -> ElisionMatch:
    """What the original has between the quoted text around one elision marker (`marker`, its text).

    A marker inside a segment (a possible one) is judged by the pieces on either side of it, one
    between segments by the segments' spans in the original, which cover all their pieces.
    """
    start, end, kind_name = elision
    kind: ElisionKind = "possible" if kind_name == "possible" else "bracketed"
    before, after = around.neighbours(start, end)
    inside = around.inside(start, end)
    segments, spans = (around.pieces, around.piece_spans) if inside else (around.segments, around.covers)
    if not inside:
        before = None if before is None else around.owners[before]
        after = None if after is None else around.owners[after]

    def result(omitted: Passage | None, reason: str | None, scope: Scope, confirmed: bool | None) -> ElisionMatch:
        return ElisionMatch(index, start, end, kind, omitted, reason, scope,
                            confirmed if kind == "possible" else None)

    scope: Scope = "between" if before is not None and after is not None else (
        "paragraph-end" if before is not None else "paragraph-start")
    missing = [
        f"the segment {'before' if i == before else 'after'} it "
        f"(chars {segments[i][0]}-{segments[i][1]})"
        for i in (before, after) if i is not None and spans[i] is None
    ]
    if start < quoted[0]:
        return result(None, "in the title/header, not in the quoted text", scope, None)
    if end > quoted[1]:
        return result(None, "in the trailer, not in the quoted text", scope, None)
    if before is None and after is None:
        return result(None, "no quoted segment next to the marker", scope, None)
    if missing:
        return result(None, f"neighbouring segment not found in the original: {' and '.join(missing)}",
                      scope, None)
    if before is not None and after is not None:
        prev_span, next_span = spans[before], spans[after]
        if prev_span is None or next_span is None:
            return result(None, "neighbouring segment not found in the original", scope, None)
        if not _follows(prev_span, next_span, original):
            return result(None, _order_reason(around.parts(before, inside), around.parts(after, inside), original,
                                              inside), scope, None)
        gap_start, gap_end = prev_span[1], max(prev_span[1], next_span[0])
    elif before is not None:
        span = spans[before]
        if span is None:
            return result(None, "neighbouring segment not found in the original", scope, None)
        # up to the paragraph's end, or to a segment the quote has elsewhere (quoted out of order)
        gap_start = span[1]
        gap_end = around.first_start_from(gap_start, _paragraph_end(original, gap_start))
    else:
        span = spans[after] if after is not None else None
        if span is None:
            return result(None, "neighbouring segment not found in the original", scope, None)
        gap_end = span[0]
        gap_start = around.last_end_to(gap_end, _paragraph_start(original, gap_end))
    gap_start, gap_end = _strip_span(original, gap_start, gap_end)
    text = original[gap_start:gap_end]
    if kind == "possible" and text and _ELLIPSIS_RE.fullmatch(_fold(text)):
        return result(None, "the original has the ellipsis itself: not an elision", scope, False)
    if text and _same_omission_mark(marker, text):
        return result(None, MARKER_ITSELF, scope, False)
    if not _WORD_RE.search(text):
        if scope == "between":
            reason = "nothing omitted: the segments are adjacent in the original"
        elif scope == "paragraph-end":
            reason = "nothing omitted before the end of the paragraph in the original"
        else:
            reason = "nothing omitted after the start of the paragraph in the original"
        return result(None, reason, scope, False)
    return result(Passage(text, gap_start, gap_end), None, scope, True)
