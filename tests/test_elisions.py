"""Tests for provpack.elisions."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tracemalloc
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack import elisions
from provpack.document import parse_document
from provpack.elisions import (_ALTERATION, _SPACE, _overlaps, analyse, holds_bracketed_mark, is_cut,
                               possible_matches, wide_patterns)
from provpack.errors import InputError
from provpack.model import Document, Marker

from conftest import SEED_NAME, SEEDS
from strategies import MARKERS, excerpt_texts

_BRACKETED, _POSSIBLE = wide_patterns()


def analysed(text: str):  # type: ignore[no-untyped-def]
    return analyse(parse_document("doc", text.encode("utf-8")))


def test_seed_markers_at_documented_offsets() -> None:
    """The seed's two [...] markers are at the char and byte offsets the issue states."""
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    analysis = analyse(parse_document(SEED_NAME, raw))
    spans = [(e.marker.text, e.marker.span.start, e.marker.span.end, e.marker.span.byte_start,
              e.marker.span.byte_end, e.kind) for e in analysis.elisions]
    assert spans == [("[...]", 1019, 1024, 1029, 1034, "bracketed"), ("[...]", 1801, 1806, 1813, 1818, "bracketed")]
    assert [(e.marker.line, e.marker.column) for e in analysis.elisions] == [(5, 942), (7, 776)]
    assert len(analysis.segments) == 3


@pytest.mark.parametrize("marker", MARKERS + ["[\u2026\u2026]", "[ \u2026 ]", "[.\u00a0.\u00a0.]"])
def test_bracketed_variants(marker: str) -> None:
    """Every bracketed variant is a certain cut."""
    analysis = analysed(f"One two {marker} three four.")
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [(marker, "bracketed")]


PADDED = "a [\t...\t] b [\u200b...\u200b] c [\u2060\u2026] d [\u200a\u2026\u200a] e [\u3000...\u3000] f [\u2002...] g\n"


def test_markers_padded_by_a_tab_any_space_or_a_zero_width_space_are_cuts() -> None:
    """A tab, a hair, ideographic or en space, U+200B or U+2060 inside the brackets: certain cuts, where they were
    alterations hiding the ellipsis inside ("elisions: 0 bracketed, 0 possible"); in parentheses, possible ones."""
    analysis = analysed(PADDED)
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [
        ("[\t...\t]", "bracketed"), ("[\u200b...\u200b]", "bracketed"), ("[\u2060\u2026]", "bracketed"),
        ("[\u200a\u2026\u200a]", "bracketed"), ("[\u3000...\u3000]", "bracketed"), ("[\u2002...]", "bracketed")]
    assert analysis.alterations == ()
    assert len(analysis.segments) == 7
    analysis = analysed("a (\t...\t) b (\ufeff\u2026) c .\u2003.\u2003. d .\u200b.\u200b. e")
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [
        ("(\t...\t)", "possible"), ("(\ufeff\u2026)", "possible"), (".\u2003.\u2003.", "possible"),
        (".\u200b.\u200b.", "possible")]


# Unicode's Bidi_Control characters (written out: unicodedata does not give the property) but the overrides
DIRECTION = {"\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"}


def test_what_pads_a_marker_is_every_unicode_space_the_tab_three_zero_width_characters_and_the_direction_marks(
) -> None:
    """_SPACE holds exactly Zs, the tab, U+200B, U+2060, U+FEFF and the direction marks, isolates and embeddings
    (written out: Python's Unicode version may change, what is a marker may not); not line breaks, the joiners
    U+200C/U+200D, the soft hyphen, nor the overrides U+202D/U+202E."""
    pads = {chr(code) for code in range(0x110000) if re.fullmatch(_SPACE, chr(code))}
    spaces = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Zs"}
    assert pads == spaces | {"\t", "\u200b", "\u2060", "\ufeff"} | DIRECTION
    for text in ("a [\u200c...] b", "a [\u200d...] b", "a [\u00ad...] b", "a [\x0b...] b", "a [\u202d...] b",
                 "a [\u202e...] b"):
        analysis = analysed(text)
        assert (analysis.elisions, [a.text for a in analysis.alterations]) == ((), [text[2:8]])
    analysis = analysed("a [\r\n...] b")   # (a line break: not padding, and no alteration)
    assert ([(e.marker.text, e.kind) for e in analysis.elisions], analysis.alterations) == ([("...", "possible")], ())


def test_markers_padded_by_direction_marks_and_isolates_are_cuts() -> None:
    """The reviewer's Hebrew quote: `[\u200f...\u200f]` (RLM, as `&rlm;` gives) is a certain cut, where it was an
    alteration that hid the cut (the passage a silent drop); so are the isolates, ALM, LRM and the embeddings; in
    parentheses, possible ones."""
    text = "\u05d0\u05d1 \u05d2\u05d3 [\u200f...\u200f] \u05de\u05e0 \u05e1\u05e2\n"
    analysis = analysed(text)
    assert ([(e.marker.text, e.kind) for e in analysis.elisions], analysis.alterations) == (
        [("[\u200f...\u200f]", "bracketed")], ())
    assert [text[s.span.start:s.span.end] for s in analysis.segments] == [
        "\u05d0\u05d1 \u05d2\u05d3", "\u05de\u05e0 \u05e1\u05e2"]
    analysis = analysed("a [\u2067...\u2069] b [\u2066\u2026\u2069] c [\u061c...\u061c] d [\u200e\u2026] e"
                        " [\u202b...\u202c] f (\u200f...\u200f) g .\u200f.\u200f. h")
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [
        ("[\u2067...\u2069]", "bracketed"), ("[\u2066\u2026\u2069]", "bracketed"), ("[\u061c...\u061c]", "bracketed"),
        ("[\u200e\u2026]", "bracketed"), ("[\u202b...\u202c]", "bracketed"), ("(\u200f...\u200f)", "possible"),
        (".\u200f.\u200f.", "possible")]
    assert analysis.alterations == ()


JA = ("\u4eca\u65e5\u306f\u6674\u308c\u3002", "\u5915\u65b9\u306b\u5e30\u308b\u3002")   # 今日は晴れ。 夕方に帰る。


@pytest.mark.parametrize("marker", [
    "\uff3b\u4e2d\u7565\uff3d", "[\u4e2d\u7565]", "\u3014\u4e2d\u7565\u3015", "\u3010\u4e2d\u7565\u3011",   # ［中略］ [中略] 〔中略〕 【中略】
    "[\u524d\u7565]", "\uff3b\u5f8c\u7565\uff3d", "[\u540e\u7565]", "\u3010\u4e0a\u7565\u3011",
    "\uff3b\u4e0b\u7565\uff3d", "\uff3b\u4ee5\u4e0b\u7565\uff3d", "\u3014\u4ee5\u4e0b\u7701\u7565\u3015",
    "[\u7701\u7565]", "\u3010\u7565\u3011",   # 前略 後略 后略 上略 下略 以下略 以下省略 省略 略
    "[\uc911\ub7b5]", "[\ud6c4\ub7b5]", "[\ud558\ub7b5]", "[\uc0c1\ub7b5]", "[\uc0dd\ub7b5]",   # 중략 후략 하략 상략 생략
    "\uff3b\u3000\u4e2d\u7565\u3000\uff3d", "[ \u4e2d\u7565 ]",   # padded
    "\uff3b\u2026\u2026\uff3d", "\u3010\u2026\u2026\u3011", "\u3014\u2026\u3015", "\uff3b\uff0e\uff0e\uff0e\uff3d",
    "[\u22ef\u22ef]", "[\u2025\u2025]", "\u3010\u3000\u2026\u2026\u3011",   # ［……］ 【……】 〔…〕 ［．．．］ [⋯⋯] [‥‥]
    "[\u00b7\u00b7\u00b7]", "[ \u00b7\u00b7\u00b7\u00b7 ]", "\uff3b\u30fb\u30fb\u30fb\uff3d", "[\u30fb\u30fb\u30fb]",   # [···] ［・・・］
])
def test_east_asian_omission_marks_are_certain_cuts(marker: str) -> None:
    """A word for "left out" in square, lenticular or tortoise-shell brackets (Japanese 中略, 前略, 後略, ...,
    Korean 중략, ...) and an ellipsis in them (Korea's `···`, Japan's `・・・` too) are certain cuts that split the
    quote: they were recorded as the quoter's own words (a change '中略' for the passage) or left a possible '……'
    inside, the segments not split; `[···]` and `[・・・]` were alterations."""
    analysis = analysed(JA[0] + marker + JA[1])
    assert ([(e.marker.text, e.kind) for e in analysis.elisions], analysis.alterations) == ([(marker, "bracketed")], ())
    assert [s.span.start for s in analysis.segments] == [0, len(JA[0] + marker)]


@pytest.mark.parametrize("marker", [
    "\u2026\u2026", "\u22ef\u22ef", "\u22ef", "\u2025\u2025", "\u2025\u2025\u2025", "\uff0e\uff0e\uff0e",
    "\uff0e\u3000\uff0e\u3000\uff0e", "\uff08\u2026\uff09", "\uff08\u2026\u2026\uff09", "(\u22ef\u22ef)",
    "\uff08\uff0e\uff0e\uff0e\uff09",   # …… ⋯⋯ ⋯ ‥‥ ‥‥‥ ．．． ．　．　． （…） （……） (⋯⋯) （．．．）
    "\u00b7\u00b7\u00b7", "\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7", "(\u00b7\u00b7\u00b7)", "\u30fb\u30fb\u30fb",
    "\uff08\u30fb\u30fb\u30fb\uff09",   # ··· ······ (···) ・・・ （・・・）
    "\uff08\u4e2d\u7565\uff09", "(\u4e2d\u7565)", "\uff08\u524d\u7565\uff09", "(\u540e\u7565)",   # （中略） (中略) （前略） (后略)
    "\uff08\u4ee5\u4e0b\u7701\u7565\uff09", "\uff08\u7565\uff09", "(\uc911\ub7b5)", "(\uc0dd\ub7b5)",   # （以下省略） （略） (중략) (생략)
    "\uff08\u3000\u4e2d\u7565\u3000\uff09", "( \u00b7\u00b7\u00b7 )",   # padded
])
def test_east_asian_ellipses_are_possible_cuts(marker: str) -> None:
    """The Chinese, Japanese and Korean ellipses (and one in parentheses, like `(...)`) and an omission word in
    parentheses are possible cuts, as `...` is: often real ellipses, or words (`WHO（略）世界保健機関`, a
    glossary's "abbr."), which only the original tells apart. `⋯⋯`, `‥‥`, `．．．`, `···` and `・・・` were
    none, and `（中略）` a certain cut."""
    analysis = analysed(JA[0] + marker + JA[1])
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [(marker, "possible")]
    assert len(analysis.segments) == 1


@pytest.mark.parametrize("text", [
    "\u524d\u7565\u3001\u304a\u5143\u6c17\u3067\u3059\u304b",   # 前略、お元気ですか (a letter's opening: no brackets)
    "\u7565\u79f0 (\u7565\u79f0) \uff08\u7565\u8a9e\uff09",           # 略称 (略称) （略語）: not the words alone
    "\uac8c\uc784 (\uc804\ub7b5)",                                   # (전략): also 戰略, "strategy"
    "\u3010\u304a\u77e5\u3089\u305b\u3011 \uff3bsic\uff3d \u3008\u4e2d\u7565\u3009 \u300c\u4e2d\u7565\u300d",   # 【お知らせ】 ［sic］ 〈中略〉 「中略」
    "a \u2025 b \uff0e\uff0e c [\u2025] d",                           # ‥ ．． [‥]: two dots
    "\u4e2d\u7565 (\u4e2d\u7565\u3002) [\u4e2d\u7565\u306b]",          # 中略 (中略。) [中略に]
    "\u30b8\u30e7\u30f3\u30fb\u30b9\u30df\u30b9 \u30fb\u30fb l\u00b7l \u00b7\u00b7 \u00b7 \u00b7 \u00b7 [\u00b7\u00b7] [\u30fb]",   # ジョン・スミス ・・ l·l ·· · · · [··] [・]
    "\u3008\u4e2d\u7565\u3009 \u300a\u4e2d\u7565\u300b \uff1c\u4e2d\u7565\uff1e <\u4e2d\u7565>",   # 〈中略〉 《中略》 ＜中略＞ <中略>: angle brackets
])
def test_not_east_asian_omission_marks(text: str) -> None:
    """Omission words outside brackets, other words in brackets, a word that means something else too, other
    brackets, and two dots are no cuts (and only square brackets hold an alteration)."""
    analysis = analysed(text)
    assert analysis.elisions == ()
    assert [a.text for a in analysis.alterations] == [m.group() for m in re.finditer(r"\[[^\]]*\]", text)]


def test_an_omission_mark_inside_an_alteration_is_part_of_it() -> None:
    """`[注（中略）]`: the square brackets are the editor's; the mark inside them is part of the alteration."""
    analysis = analysed("a [\u6ce8\u3010\u4e2d\u7565\u3011] b \u3010\u4e2d\u7565\u3011 c")
    assert [a.text for a in analysis.alterations] == ["[\u6ce8\u3010\u4e2d\u7565\u3011]"]
    assert [(e.marker.text, e.marker.span.start) for e in analysis.elisions] == [("\u3010\u4e2d\u7565\u3011", 12)]


@pytest.mark.parametrize("marker", ["...", "\u2026", ". . .", "....", "(...)", "(\u2026)"])
def test_unbracketed_are_possible(marker: str) -> None:
    """Unbracketed ellipses are recorded as possible elisions only."""
    analysis = analysed(f"One two{marker} three four.")
    assert [(e.marker.text, e.kind) for e in analysis.elisions] == [(marker, "possible")]
    assert len(analysis.segments) == 1


@pytest.mark.parametrize("text", ["a [..] b", "a [sic] b", "a. b. c.", "a.. b"])
def test_not_elisions(text: str) -> None:
    """Two dots, editorial brackets and sentence stops are not elisions."""
    assert analysed(text).elisions == ()


def test_alterations_are_recorded_apart() -> None:
    """[sic], [T]he and [emphasis added] are alterations, not cuts."""
    analysis = analysed("[T]he minister [sic] said [...] it [emphasis added].")
    assert [a.text for a in analysis.alterations] == ["[T]", "[sic]", "[emphasis added]"]
    assert [e.marker.text for e in analysis.elisions] == ["[...]"]


def test_markers_at_start_and_end_give_no_empty_segments() -> None:
    """A marker at either end of the body leaves one non-empty segment."""
    analysis = analysed("[...] middle words [\u2026]")
    assert len(analysis.segments) == 1
    assert analysis.segments[0].span.start == 6


def test_markers_in_trailer_are_ignored() -> None:
    """Boilerplate after the quote is not searched."""
    analysis = analysed("Quoted [...] text.\n\nLoading...")
    assert [e.marker.text for e in analysis.elisions] == ["[...]"]


@given(excerpt_texts())
def test_offsets_select_the_marker(text: str) -> None:
    """Char and byte offsets of every marker select its exact text; segments hash their bytes."""
    raw = text.encode("utf-8")
    analysis = analyse(parse_document("doc", raw))
    for elision in analysis.elisions:
        span = elision.marker.span
        assert text[span.start:span.end] == elision.marker.text
        assert raw[span.byte_start:span.byte_end] == elision.marker.text.encode("utf-8")
    for segment in analysis.segments:
        chunk = raw[segment.span.byte_start:segment.span.byte_end]
        assert chunk.decode("utf-8") == text[segment.span.start:segment.span.end]
        assert hashlib.sha256(chunk).hexdigest() == segment.sha256
        assert "[...]" not in text[segment.span.start:segment.span.end]
    bracketed = sum(text.count(m) for m in MARKERS)
    assert sum(1 for e in analysis.elisions if e.kind == "bracketed") == bracketed


@pytest.mark.parametrize("text, pieces", [
    ("caf\u00e9\u2003[...]\u00a0\u3000na\u00efve\u2009", ["caf\u00e9", "na\u00efve"]),
    ("\u3000\u00e9 [\u2026]\u2028\u00e9\u00a0", ["\u00e9", "\u00e9"]),
])
def test_segments_trimmed_of_multibyte_space(text: str, pieces: list[str]) -> None:
    """Segments trimmed of non-ASCII white space (2 and 3 bytes in UTF-8) still select their bytes."""
    raw = text.encode("utf-8")
    segments = analyse(parse_document("doc", raw)).segments
    assert [raw[s.span.byte_start:s.span.byte_end].decode("utf-8") for s in segments] == pieces
    assert [text[s.span.start:s.span.end] for s in segments] == pieces


_DOTS = rf"{_SPACE}*(?:[.\u2025\u2026\u22ef\uff0e]{_SPACE}*)+"
_WORDS = rf"{_SPACE}*(?:\u00b7{{3,}}|\u30fb{{3,}}|{'|'.join(elisions.OMISSION_WORDS)}){_SPACE}*"
_REFERENCE_POSSIBLE = re.compile(
    rf"\({_DOTS}\)|\({_WORDS}\)|\uff08{_DOTS}\uff09|\uff08{_WORDS}\uff09|\.(?:{_SPACE}?\.){{2,}}"
    rf"|\uff0e(?:{_SPACE}?\uff0e){{2,}}|\u2026+|\u22ef+|\u2025\u2025+|\u00b7{{3,}}|\u30fb{{3,}}"
)


@given(st.one_of(
    st.text(st.sampled_from(list("(). \u2026\u00a0\u2009\u202f\t\u200b\u3000a[]\n\uff08\uff09\uff0e\u22ef\u2025\u200f")),
            max_size=60),
    st.lists(st.sampled_from(["(", ")", "\uff08", "\uff09", " ", "\u3000", "\u00b7", "\u30fb", ".", "\u7565", "\u4e2d",
                              *elisions.OMISSION_WORDS]), max_size=20).map("".join)), st.data())
def test_possible_pattern_matches_its_plain_form(text: str, data: st.DataObject) -> None:
    """The fast _POSSIBLE finds exactly what the plain alternation finds, within any bounds."""
    end = data.draw(st.integers(0, len(text)))
    assert ([m.span() for m in _POSSIBLE.finditer(text, 0, end)]
            == [m.span() for m in _REFERENCE_POSSIBLE.finditer(text, 0, end)])


_REFERENCE_BRACKETED = re.compile("|".join(
    [rf"{re.escape(opener)}{_DOTS}{re.escape(closer)}" for opener, closer in ("[]", "\uff3b\uff3d", "\u3010\u3011", "\u3014\u3015")]
    + [rf"{re.escape(opener)}{_WORDS}{re.escape(closer)}"
       for opener, closer in ("[]", "\uff3b\uff3d", "\u3010\u3011", "\u3014\u3015")]))
BRACKETY = st.lists(st.sampled_from(["[", "]", "(", ")", "\uff08", "\uff09", "\uff3b", "\uff3d", "\u3010", "\u3011",
                                     "\u3014", "\u3015", ".", "\u2026", "\u22ef", "\u2025", "\uff0e", " ", "\u3000",
                                     "\u00b7", "\u30fb",
                                     "\u200f", "\u2067", "a", "\u4e2d", "\u7565", "\u4ee5\u4e0b", "\u7701", "\ud6c4\ub7b5",
                                     *elisions.OMISSION_WORDS]), max_size=20).map("".join)


@given(BRACKETY)
@example("[\u200f...\u200f] (\u4e2d\u7565) (...) \uff08\u2026\uff09 \uff3b\u4e2d\u7565\u3011 [\u4e2d\u7565\uff3d \u3010 \u2026 \u3011")
def test_bracketed_pattern_matches_its_plain_form(text: str) -> None:
    """_BRACKETED, written with conditionals (it compiles faster), finds exactly what plain alternatives find: an
    ellipsis (three middle dots too) or an omission word in square, lenticular or tortoise-shell brackets, none in
    parentheses."""
    assert ([m.span() for m in _BRACKETED.finditer(text)] == [m.span() for m in _REFERENCE_BRACKETED.finditer(text)])
    for start in range(len(text)):
        found, expected = _BRACKETED.match(text, start), _REFERENCE_BRACKETED.match(text, start)
        assert (found and found.span()) == (expected and expected.span())


DOTTY = st.lists(st.sampled_from([".", " .", "\u00a0.", "\u2009.", "\u202f.", "\t.", "\u200b.", "\ufeff.", "(", ")",
                                  "\u2026", " ", "a", "[", "]", "\uff0e", "\u3000\uff0e", "\u200f\uff0e", "\uff08",
                                  "\uff09", "\u22ef", "\u2025", "\u00b7", "\u30fb", "\u7565", "\u4e2d\u7565"]),
                   max_size=30).map("".join)


@given(DOTTY, st.integers(0, 60))
@example("a.\u202f.\u202f.", 60)
@example("a\uff0e\u3000\uff0e\uff0e \u2025\u2025 \u22ef (\u2025\u2025) \uff08\u2026\uff09", 60)
@example("a (. . .) b", 60)
@example("a . . . b", 60)
def test_possible_matches_are_the_pattern_scan(text: str, bound: int) -> None:
    """possible_matches, which tries _POSSIBLE only after str.find, finds what finditer finds, within any bound."""
    end = min(bound, len(text))
    assert [m.span() for m in possible_matches(text, end)] == [m.span() for m in _POSSIBLE.finditer(text, 0, end)]


@pytest.mark.parametrize("text, spans", [
    ("a ((...) b", [(3, 8)]),           # a '(' right after another still starts a candidate
    ("((\u2026)(. . .)", [(1, 4), (4, 11)]),
])
def test_possible_matches_try_each_opening_parenthesis(text: str, spans: list[tuple[int, int]]) -> None:
    """Every '(' is a candidate start, even one that directly follows another candidate."""
    assert [m.span() for m in possible_matches(text, len(text))] == spans


@given(DOTTY, st.integers(0, 60), st.integers(1, 7))
@example("a..", 3, 2)            # a dot pair across the window's edge
@example("a. .", 4, 2)           # ... with the space between them
@example("(. . .) ..", 10, 3)    # a match running past the window
@example("a\uff0e\uff0e", 3, 2)  # a full-width dot pair across the window's edge
def test_possible_matches_window_by_window(text: str, bound: int, window: int) -> None:
    """possible_matches gathers candidates a window at a time; no window edge loses or splits a match."""
    end = min(bound, len(text))
    with _window(window):
        found = [m.span() for m in possible_matches(text, end)]
    assert found == [m.span() for m in _POSSIBLE.finditer(text, 0, end)]


# Runs of the characters a marker is made of, repeated up to a few hundred times around other marks
RUNS = [".", ". ", "\u00a0.", ". .  ", "\u2026", "\u22ef", "\u2025", "\uff0e", "\u3000\uff0e", "\uff0e\u2026", "\u00b7",
        "\u30fb", " ", "\u3000", "\u200f", "\t.", "(", "[", "\uff3b", "\u4e2d\u7565"]
RUNNY = st.builds(lambda before, run, count, after: before + run * count + after,
                  DOTTY, st.sampled_from(RUNS), st.integers(0, 300), DOTTY)


@given(RUNNY, st.data())
@example("a" + "." * 300 + " b", None)
@example("(" + ". " * 150 + ")", None)
@example("\uff3b" + "\u3000\uff0e" * 200 + "\uff3d", None)
@example("[" + "." * 300, None)                   # never closed: the run is a possible cut
@example("." * 150 + "  " + "." * 150, None)      # two spaces end a run
@example(". " * 150, None)                        # ... as does a space at the end
def test_long_runs_are_matched_as_the_plain_forms_match_them(text: str, data: st.DataObject | None) -> None:
    """Runs of dots, ellipses, middle dots and spaces, at the text's edges and in brackets: at every start, within
    any bound, the patterns (each repeat of one character, not of a group: re's stack stays flat) match what the
    plain forms match, those without East Asian marks too where the text holds none."""
    end = len(text) if data is None else data.draw(st.integers(0, len(text)))
    plain = "".join(c for c in text if c not in elisions._WIDE_CHARACTERS)
    for pattern, reference, where in ((_BRACKETED, _REFERENCE_BRACKETED, text), (_POSSIBLE, _REFERENCE_POSSIBLE, text),
                                      (elisions.patterns(False)[0], _REFERENCE_BRACKETED, plain),
                                      (elisions.patterns(False)[1], _REFERENCE_POSSIBLE, plain)):
        bound = min(end, len(where))
        for at in range(bound + 1):
            found, expected = pattern.match(where, at, bound), reference.match(where, at, bound)
            assert (found and found.span()) == (expected and expected.span()), (where, at, bound)


@pytest.mark.parametrize("text", [
    "." * 200_000, ". " * 100_000, ".\u00a0" * 100_000, "\uff0e" * 200_000, "\uff0e\u3000" * 100_000,
    "[" + "." * 200_000 + "]", "[" + "\u2026" * 200_000 + "x", "(" + ". " * 100_000 + ")", "(" + "\u2026" * 200_000,
    "\uff3b" + "\uff0e" * 200_000 + "\uff3d", "\u3010" + "\u2025 " * 100_000, "\uff08" + "\u22ef" * 200_000 + "\uff09",
    "[" + " " * 200_000 + "]", "(" + " " * 200_000 + "\u00b7" * 3, "\u00b7" * 200_000, "\u30fb" * 200_000,
])
def test_a_long_run_is_matched_in_flat_memory(text: str) -> None:
    """A run of 200,000 dots (ellipses, full-width dots, spaces) is matched without a frame of re's stack for each
    character: 16 MB of `.` took 2 GB, 120 to 190 bytes a character, when a repeat was of a group."""
    for wide in (False, True):
        bracketed, possible = elisions.patterns(wide)
        tracemalloc.start()
        try:
            bracketed.match(text)
            possible.match(text)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 100_000, peak


@pytest.mark.parametrize("text, markers", [
    ("a " + "." * 100_000 + " b", [(2, 100_002, "possible")]),
    ("[" + "." * 100_000 + "]", [(0, 100_002, "bracketed")]),
    ("[" + "." * 100_000, [(1, 100_001, "possible")]),                            # no ']': not a bracketed cut
    ("x " + ". " * 50_000 + "y", [(2, 100_001, "possible")]),
    ("x " + "." * 50_000 + "  " + "." * 50_000, [(2, 50_002, "possible"), (50_004, 100_004, "possible")]),
    ("x " + "\u2026" * 100_000 + "]", [(2, 100_002, "possible")]),
    ("x (" + "\u2026 " * 50_000 + ")", [(2, 100_004, "possible")]),
    ("x (" + "\u2026" * 100_000, [(3, 100_003, "possible")]),                   # no ')': the ellipses alone
    ("x \uff3b" + "\uff0e" * 100_000 + "\uff3d", [(2, 100_004, "bracketed")]),
    ("x \uff3b" + "\uff0e" * 100_000 + "]", [(3, 100_003, "possible")]),        # ］ closes ［, not ]
    ("x \u3010" + "\u00b7" * 100_000 + "\u3011", [(2, 100_004, "bracketed")]),
    ("x " + "\u30fb" * 100_000, [(2, 100_002, "possible")]),
    ("x \uff08" + "\u3000" * 100_000 + "\u4e2d\u7565\uff09", [(2, 100_006, "possible")]),
    ("x [" + "\u3000" * 100_000 + "\u4e2d\u7565]", [(2, 100_006, "bracketed")]),
])
def test_long_runs_are_the_markers_they_were(text: str, markers: list[tuple[int, int, str]]) -> None:
    """Runs of 100,000 marks: their markers, spans and kinds (pinned from provpack 0.6.0, whose patterns repeated
    groups: a run of a marker is one marker, up to two spaces, the closing bracket, or the end)."""
    assert [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysed(text).elisions] == markers


@contextlib.contextmanager
def _window(size: int) -> Iterator[None]:
    saved = elisions._WINDOW
    elisions._WINDOW = size
    try:
        yield
    finally:
        elisions._WINDOW = saved


def _many(count: int, marker: str = "[...]") -> Document:
    return parse_document("many", ("T: x\n\n" + f"w {marker} " * count).encode())


def test_marker_limit_refuses_a_text_with_one_marker_too_many() -> None:
    """max_markers: the limit itself is analysed, one more is an InputError naming the path; no limit, no error."""
    assert len(analyse(_many(50), max_markers=50).elisions) == 50
    with pytest.raises(InputError, match=r"seeds/many\.txt: holds more than 50 elision markers.*split the text"):
        analyse(_many(51), path="seeds/many.txt", max_markers=50)
    assert len(analyse(_many(51)).elisions) == 51


@pytest.mark.parametrize("marker", ["...", "[sic]"])
def test_marker_limit_counts_possible_elisions_and_alterations(marker: str) -> None:
    with pytest.raises(InputError, match="many: holds more than 20"):
        analyse(_many(21, marker), max_markers=20)
    analyse(_many(20, marker), max_markers=20)


@given(st.lists(st.integers(0, 60), max_size=16, unique=True), st.integers(0, 60), st.integers(1, 8))
@example([5, 8], 2, 3)
@example([5, 8], 8, 2)
def test_overlaps_agrees_with_checking_every_range(bounds: list[int], start: int, length: int) -> None:
    """_overlaps, which looks at two neighbours found by bisection, agrees with testing every taken range."""
    points = sorted(bounds)
    taken = list(zip(points[::2], points[1::2]))   # sorted, disjoint, never empty
    end = start + length
    assert _overlaps(taken, start, end) == any(start < t_end and t_start < end for t_start, t_end in taken)


MARKER_DENSE = st.lists(st.sampled_from(
    ["[", "]", ".", " ", "\u00a0", "(", ")", "\u2026", "sic", "caf\u00e9", "\u65e5", "\U0001f600", "\n", "\r\n",
     "[...]", "[\u2026]", "[. . .]", "[sic]", "[T]", "...", ". . .", "(...)", "\n\nNo comments:\n\nPost a Comment\n",
     "\u200f", "\uff08", "\uff09", "\uff3b", "\uff3d", "\u3010", "\u3011", "\u4e2d\u7565", "\u7565", "\ud6c4\ub7b5",
     "\uff08\u4e2d\u7565\uff09", "(\u7565)", "\uff3b\u2026\u2026\uff3d", "\u22ef\u22ef", "\uff0e\uff0e\uff0e",
     "[\u200f...\u200f]"]),
    min_size=1, max_size=40).map("".join)


def _reference_analysis(document: Document) -> tuple[list[tuple[object, ...]], ...]:
    """The plain algorithm: finditer per pattern, overlaps against every range, offsets from encoded prefixes."""
    text, raw = document.text, document.raw
    limit = document.trailer.start if document.trailer is not None else len(text)

    def at(offset: int) -> int:
        return len(text[:offset].encode("utf-8", "surrogatepass"))

    def line_column(offset: int) -> tuple[int, int]:
        breaks = [m.end() for m in re.finditer(r"\r\n|\r|\n", text[:offset])]
        return len(breaks) + 1, offset - (breaks[-1] if breaks else 0) + 1

    def overlaps(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
        return any(start < r_end and r_start < end for r_start, r_end in ranges)

    def row(match: re.Match[str], kind: str) -> tuple[object, ...]:
        return (match.start(), match.end(), at(match.start()), at(match.end()), match.group(),
                *line_column(match.start()), kind)

    cuts = [m for m in _BRACKETED.finditer(text, 0, limit) if is_cut(m.group())]
    square = [m for m in cuts if m.group().startswith("[")]
    cut_spans = [m.span() for m in square]
    alterations = [m for m in _ALTERATION.finditer(text, 0, limit) if not overlaps(cut_spans, *m.span())]
    edits = [m.span() for m in alterations]   # (a cut in other brackets inside an alteration is part of it)
    cuts = [m for m in cuts if m.group().startswith("[") or not overlaps(edits, *m.span())]
    taken = [m.span() for m in cuts + alterations]
    possible = [m for m in _POSSIBLE.finditer(text, 0, limit) if is_cut(m.group()) and not overlaps(taken, *m.span())]
    elisions = sorted([row(m, "bracketed") for m in cuts] + [row(m, "possible") for m in possible])
    body = document.body
    bounds = [body.start] + [x for m in cuts if body.start <= m.start() and m.end() <= body.end for x in m.span()]
    bounds.append(body.end)
    segments = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        piece = text[start:end]
        start, end = start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())
        if start < end:
            segments.append((start, end, at(start), at(end), hashlib.sha256(raw[at(start):at(end)]).hexdigest()))
    return elisions, [row(m, "alteration") for m in alterations], segments


@given(MARKER_DENSE)
@example("a [...] [sic] (...)\u2026 [. . .]\u00a0\u65e5 ...")
@example("[[...]] [.] [..] [[sic]]")
@example("[\uff08\u4e2d\u7565\uff09] (\u7565) \uff3b\u2026\u2026\uff3d\u22ef\u22ef [\u200f...\u200f] \u3010\u2026\u3011")
def test_analysis_is_the_plain_algorithm(text: str) -> None:
    """analyse (each '[' tried once, byte offsets walked between markers) finds what the plain algorithm finds."""
    _assert_plain_analysis(text)


@given(RUNNY.map(lambda text: f"T: x\n\n{text}"))
@example("T: x\n\n[" + ". " * 300 + "] \u3010" + "\u3000\uff0e" * 200 + "\u3011 (" + "\u2026" * 200)
def test_analysis_of_long_runs_is_the_plain_algorithm(text: str) -> None:
    """... for texts with runs of hundreds of dots, ellipses, middle dots or spaces too."""
    _assert_plain_analysis(text)


def _assert_plain_analysis(text: str) -> None:
    try:
        document = parse_document("doc", text.encode("utf-8"))
    except InputError:
        return   # blank: nothing to analyse
    analysis = analyse(document)
    elisions, alterations, segments = _reference_analysis(document)

    def row(marker: Marker, kind: str) -> tuple[object, ...]:
        span = marker.span
        return (span.start, span.end, span.byte_start, span.byte_end, marker.text, marker.line, marker.column, kind)

    assert [row(e.marker, e.kind) for e in analysis.elisions] == elisions
    assert [row(m, "alteration") for m in analysis.alterations] == alterations
    spans = [s.span for s in analysis.segments]
    assert [(s.start, s.end, s.byte_start, s.byte_end) for s in spans] == [row[:4] for row in segments]
    assert [s.sha256 for s in analysis.segments] == [row[4] for row in segments]
    assert [s.index for s in analysis.segments] == list(range(len(segments)))


@given(MARKER_DENSE.map(lambda text: "".join(c for c in text if c not in elisions._WIDE_CHARACTERS)))
@example("a [\u200f...\u200f] (\u2026) [sic] \u3000 ... \u2026\u2026 [\u3000. . .]")
def test_a_text_without_east_asian_marks_is_read_by_the_plain_patterns_alike(text: str) -> None:
    """A text holding none of the characters only East Asian marks have may be read by the patterns without them
    (cheaper to compile and to match): they find what the full patterns find there."""
    try:
        document = parse_document("doc", text.encode("utf-8"))
    except InputError:
        return
    bracketed, possible = elisions.patterns(False)
    assert [m.span() for m in bracketed.finditer(text)] == [m.span() for m in _BRACKETED.finditer(text)]
    assert [m.span() for m in possible.finditer(text)] == [m.span() for m in _POSSIBLE.finditer(text)]
    assert _analysed_as(document, False) == _analysed_as(document, True)


def _analysed_as(document: Document, wide: bool) -> object:
    """analyse(document) as if it held East Asian marks (`wide`), or as if it held none."""
    saved = elisions.east_asian
    elisions.east_asian = lambda raw, text: wide   # type: ignore[assignment]
    try:
        return analyse(document)
    finally:
        elisions.east_asian = saved


@pytest.mark.parametrize("text", [
    "a \uff3b\u2026\u2026\uff3d b", "a (\u7565) b", "a [\u4e2d\u7565] b", "a \u22ef b", "a \u2025\u2025 b", "\u3010\u2026\u3011",
    "a \uff0e\uff0e\uff0e b", "a [\u00b7\u00b7\u00b7] b", "a \u00b7\u00b7\u00b7 b", "a \u30fb\u30fb\u30fb b",
    "He said it [\uc911\ub7b5] and then left."])   # (중략: of its bytes only 략's first, EB, is a gate's)
def test_a_text_with_an_east_asian_mark_is_read_by_the_full_patterns(text: str) -> None:
    """Each East Asian mark makes the text read by the full patterns (the gate sees its characters)."""
    document = parse_document("doc", text.encode("utf-8"))
    assert elisions.east_asian(document.raw, document.text)
    assert len(analyse(document).elisions) == 1


def test_a_cut_in_the_title_is_recorded_but_does_not_split_the_body() -> None:
    """A possible cut in the header's title is an elision, but segments are cut from the body alone; a line with a
    bracketed cut is never the header (document.py): quoted text, cut there."""
    text = "The Atlantic: Al-Qaeda ... Rebuilt\n\nBody text [...] more words."
    analysis = analysed(text)
    assert [(e.marker.span.start, e.kind) for e in analysis.elisions] == [(23, "possible"), (46, "bracketed")]
    assert [text[s.span.start:s.span.end] for s in analysis.segments] == ["Body text", "more words."]
    text = "The Atlantic: Al-Qaeda [...] Rebuilt\n\nBody text."
    assert [text[s.span.start:s.span.end] for s in analysed(text).segments] == [
        "The Atlantic: Al-Qaeda", "Rebuilt\n\nBody text."]


@pytest.mark.parametrize("text, start, end, holds", [
    ("[...] x", 0, 7, True),          # a mark at offset 0
    ("[sic]", 0, 5, True),
    ("x [ y [...]", 0, 11, True),     # a '[' that starts nothing, then a cut
    ("x [ y", 0, 5, False),           # a '[' never closed
    ("[...] x", 1, 7, False),         # the mark starts before the range
    ("x [...]", 0, 6, False),         # ... or ends after it
    ("x \u3010\u4e2d\u7565\u3011", 0, 6, True),    # 【中略】: a cut in other brackets
    ("x \uff08\u4e2d\u7565\uff09", 0, 6, False),   # （中略）, (略): possible cuts
    ("x (\u7565) y", 0, 7, False),
    ("x \uff3b\u2026\u2026\uff3d", 0, 6, True),    # ［……］
    ("x \u3010\u4e2d\u7565\u3011", 0, 5, False),   # ... that ends after the range
    ("x \uff08\u2026\uff09 \u22ef\u22ef", 0, 8, False),   # possible cuts only
])
def test_holds_bracketed_mark_within_its_range(text: str, start: int, end: int, holds: bool) -> None:
    """holds_bracketed_mark looks at every '[' in text[start:end], and only there."""
    assert holds_bracketed_mark(text, start, end) is holds
