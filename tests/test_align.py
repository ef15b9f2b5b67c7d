"""Tests for provpack.align: segments found, omitted passages, differences, order."""

from __future__ import annotations

import re
import sys
import tracemalloc
import unicodedata
from array import array
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import provpack.align as align_module
from provpack.align import _NUMBER_FORMS, Alignment, Passage, _Aligner, _tokenize, align
from provpack.combining import COMBINING_MARKS, UNICODE_VERSION
from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.htmltext import extract_text

ORIGINALS = Path(__file__).parent / "data" / "originals"
GETTYSBURG = (ORIGINALS / "gettysburg.txt").read_text(encoding="utf-8")
_MARKER_RE = re.compile(
    r"(?P<bracketed>\[\s*(?:\.\s*){3}\]|\[…\])|(?P<possible>\.{3,4}|…|\. \. \.)"
)


def quote(excerpt: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Segments and elisions of an excerpt, as provpack.elisions would report them."""
    elisions = [
        (m.start(), m.end(), "bracketed" if m.group("bracketed") else "possible")
        for m in _MARKER_RE.finditer(excerpt)
    ]
    cuts = [0] + [x for s, e, _ in elisions for x in (s, e)] + [len(excerpt)]
    segments = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    return [(s, e) for s, e in segments if excerpt[s:e].strip()], elisions


def run(excerpt: str, original: str = GETTYSBURG) -> Alignment:
    """Align an excerpt whose markers are found by the test's own regex."""
    segments, elisions = quote(excerpt)
    return align(excerpt, segments, elisions, original)


def omitted_texts(result: Alignment) -> list[str | None]:
    """The omitted text of each elision, or None."""
    return [None if e.omitted is None else e.omitted.text for e in result.elisions]


@pytest.mark.parametrize("marker", ["[...]", "[…]", "[. . .]", "[ ... ]"])
def test_every_bracketed_variant_reports_the_same_mid_sentence_cut(marker: str) -> None:
    """A mid-sentence marker of any bracketed form omits ', conceived in Liberty, and'."""
    result = run(f"a new nation {marker} dedicated to the proposition that all men are created equal.")
    (elision,) = result.elisions
    assert elision.omitted is not None
    assert elision.omitted.text == ", conceived in Liberty, and"
    assert GETTYSBURG[elision.omitted.start : elision.omitted.end] == elision.omitted.text
    assert elision.reason is None and elision.scope == "between"
    assert result.differences == ()


def test_marker_between_paragraphs_omits_the_opening_of_the_next() -> None:
    """A marker at a paragraph's end, before the next quoted paragraph, omits what lies between."""
    excerpt = (
        "Four score and seven years ago our fathers brought forth on this continent, a new nation, "
        "conceived in Liberty, and dedicated to the proposition that all men are created equal.\n\n"
        "[...] We are met on a great battle-field of that war."
    )
    result = run(excerpt)
    assert omitted_texts(result) == [
        "Now we are engaged in a great civil war, testing whether that nation, or any nation so "
        "conceived and so dedicated, can long endure."
    ]
    assert result.differences == ()


def test_cut_spanning_paragraphs_reports_the_whole_passage() -> None:
    """A cut from the end of paragraph 1 into paragraph 3 returns both halves and the break."""
    result = run("all men are created equal. [...] The brave men, living and dead, who struggled here")
    (text,) = omitted_texts(result)
    assert text is not None
    assert text.startswith("Now we are engaged in a great civil war")
    assert text.endswith("we can not hallow -- this ground.")
    assert "that we should do this.\n\nBut, in a larger sense" in text


def test_final_marker_omits_the_rest_of_the_paragraph() -> None:
    """A marker ending the quote omits the rest of the original's paragraph, scope paragraph-end."""
    result = run("Now we are engaged in a great civil war, testing whether that nation [...]")
    (elision,) = result.elisions
    assert elision.scope == "paragraph-end"
    assert elision.omitted is not None
    assert elision.omitted.text.startswith(", or any nation so conceived")
    assert elision.omitted.text.endswith("It is altogether fitting and proper that we should do this.")


def test_final_marker_at_the_paragraphs_end_omits_nothing_bounded() -> None:
    """When the quote already ends its paragraph, a final marker gets null and a reason."""
    result = run("all men are created equal. [...]")
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason == "nothing omitted before the end of the paragraph in the original"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("blank", ["", "  ", "\t"])
def test_paragraphs_are_found_with_any_line_ending(newline: str, blank: str) -> None:
    """A final or opening marker stops at a blank line (LF, CRLF or CR; white space on it is fine)."""
    lines = ["The ferry was late again on Monday. Passengers waited two hours in the rain,",
             "and some gave up and went home.", blank,
             "The operator blamed a broken engine part. A new one arrives on Friday, it said."]
    original = newline.join(lines) + newline
    result = run("The ferry was late again on Monday. Passengers waited two hours [...]", original)
    (elision,) = result.elisions
    assert elision.omitted is not None
    assert elision.omitted.text == f"in the rain,{newline}and some gave up and went home."
    result = run("[...] A new one arrives on Friday, it said.", original)
    (elision,) = result.elisions
    assert elision.omitted is not None
    assert elision.omitted.text == "The operator blamed a broken engine part."


def test_a_single_line_break_does_not_end_a_paragraph() -> None:
    """CRLF, CR or LF alone (one line end, however written) is not a paragraph break."""
    for newline in ("\n", "\r\n", "\r"):
        original = f"Passengers waited two hours in the rain,{newline}and some gave up and went home."
        (elision,) = run("Passengers waited two hours [...]", original).elisions
        assert elision.omitted is not None
        assert elision.omitted.text == f"in the rain,{newline}and some gave up and went home."


def test_leading_marker_omits_from_the_paragraphs_start() -> None:
    """A marker opening the quote omits the paragraph's start up to the first segment."""
    result = run("[...] we can not consecrate -- we can not hallow -- this ground.")
    (elision,) = result.elisions
    assert elision.scope == "paragraph-start"
    assert elision.omitted is not None
    assert elision.omitted.text == "But, in a larger sense, we can not dedicate --"


def test_adjacent_segments_omit_nothing() -> None:
    """A marker between text that is contiguous in the original omits nothing, with a reason."""
    result = run("Four score and seven years ago [...] our fathers brought forth on this continent")
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason == "nothing omitted: the segments are adjacent in the original"


_MAYOR = ("The mayor said no. Then the council voted on the budget for the new school. Later the mayor said no. "
          "The council adjourned at noon and everyone went home.")
_SHARED = "nothing omitted: a marker before it, with no word between them, omits the passage"


@pytest.mark.parametrize(("excerpt", "passage", "scope"), [
    ("The mayor said no. [...] [...] [...] everyone went home.", "The council adjourned at noon and", "between"),
    ("The mayor said no. [...][...] everyone went home.", "The council adjourned at noon and", "between"),
    ("The mayor said no. [...], [...]; [...] everyone went home.", "The council adjourned at noon and", "between"),
    ("[...] [...] Then the council voted on the budget.", "The mayor said no.", "paragraph-start"),
    ("Then the council voted on the budget [...] [...]",
     "for the new school. Later the mayor said no. The council adjourned at noon and everyone went home.",
     "paragraph-end"),
])
def test_markers_with_no_word_between_them_cut_one_passage(excerpt: str, passage: str, scope: str) -> None:
    """Markers side by side, or with only punctuation between, have the same neighbours: the first omits the
    passage, the others nothing (one Web Annotation for one cut, not one each)."""
    result = run(excerpt, _MAYOR)
    markers = len(result.elisions)
    assert omitted_texts(result) == [passage] + [None] * (markers - 1)
    assert [(e.reason, e.scope, e.confirmed) for e in result.elisions] == (
        [(None, scope, None)] + [(_SHARED, scope, None)] * (markers - 1))


def test_a_possible_and_a_bracketed_marker_side_by_side_cut_one_passage() -> None:
    """`... [...]`: the `...` first omits the passage (confirmed), the `[...]` nothing; `[...] ...`: the
    `[...]` omits it, and the `...` is confirmed false, nothing being left for it."""
    result = run("The mayor said no... [...] everyone went home.", _MAYOR)
    assert [(e.kind, None if e.omitted is None else e.omitted.text, e.reason, e.confirmed) for e in result.elisions] == [
        ("possible", ". The council adjourned at noon and", None, True), ("bracketed", None, _SHARED, None)]
    result = run("The mayor said no. [...] ... everyone went home.", _MAYOR)
    assert [(e.kind, None if e.omitted is None else e.omitted.text, e.reason, e.confirmed) for e in result.elisions] == [
        ("bracketed", "The council adjourned at noon and", None, None), ("possible", None, _SHARED, False)]


_BUDGET = ("The budget was approved on Monday. Critics objected strongly to the plan.\n\n"
           "The vote was close in the end.\n")
_CRITICS = Passage("Critics objected strongly to the plan.", 35, 73)


def analysed(excerpt: str, original: str) -> Alignment:
    """Align an excerpt whose segments and markers provpack.elisions finds, as package does."""
    document = parse_document("q.txt", excerpt.encode("utf-8"))
    analysis = analyse(document)
    return align(document.text, [(s.span.start, s.span.end) for s in analysis.segments],
                 [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions], original,
                 quoted=(document.body.start, document.body.end))


def cuts(result: Alignment) -> list[tuple[str, Passage | None, str | None, str, bool | None]]:
    return [(e.kind, e.omitted, e.reason, e.scope, e.confirmed) for e in result.elisions]


@pytest.mark.parametrize("marker", ["....", ". . . .", ". ...", ".....", ".\u200b.\u200b.\u200b."])
def test_a_four_dot_marker_after_a_sentence_quotes_its_full_stop(marker: str) -> None:
    """`Monday....` and `Monday. . . .`: the marker takes the sentence's full stop as its first dot (elisions),
    and that dot stands for the original's full stop: the omitted passage starts after it, as after
    `Monday. [...]`, and the full stop is no difference."""
    result = analysed(f"The budget was approved on Monday{marker} The vote was close in the end.\n", _BUDGET)
    assert [e.kind for e in result.elisions] == ["possible"]
    assert cuts(result) == [("possible", _CRITICS, None, "between", True)]
    assert result.differences == ()
    bracketed = analysed("The budget was approved on Monday. [...] The vote was close in the end.\n", _BUDGET)
    assert cuts(bracketed) == [("bracketed", _CRITICS, None, "between", None)]


def test_a_four_dot_marker_ending_the_quote_quotes_the_full_stop() -> None:
    """At the quote's end the segment's source takes the full stop in, and the passage to the paragraph's end
    starts after it."""
    result = analysed("The budget was approved on Monday....\n", _BUDGET)
    assert cuts(result) == [("possible", _CRITICS, None, "paragraph-end", True)]
    (segment,) = result.segments
    assert (segment.source_start, segment.source_end) == (0, 34)
    assert _BUDGET[segment.source_start:segment.source_end] == "The budget was approved on Monday."
    assert result.differences == ()


def test_a_four_dot_marker_before_a_bracketed_one_gives_their_passage_from_the_full_stop() -> None:
    """`Monday.... [...] The vote`: the first segment's source ends after the full stop, and the `....` (the first
    of the two) omits the passage after it; the `[...]` nothing."""
    result = analysed("The budget was approved on Monday.... [...] The vote was close in the end.\n", _BUDGET)
    assert cuts(result) == [("possible", _CRITICS, None, "between", True),
                            ("bracketed", None, _SHARED, "between", None)]
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 34), (75, 105)]


@pytest.mark.parametrize(("excerpt", "original", "passage"), [
    # the original has no full stop there: `?`, `!`, none
    ("The budget was approved on Monday.... The vote was close in the end.\n",
     _BUDGET.replace("Monday.", "Monday?"), Passage("? Critics objected strongly to the plan.", 33, 73)),
    ("The budget was approved on Monday. . . . The vote was close in the end.\n",
     _BUDGET.replace("Monday.", "Monday!"), Passage("! Critics objected strongly to the plan.", 33, 73)),
    ("The budget was approved on Monday.... The vote was close in the end.\n",
     _BUDGET.replace("Monday. Critics", "Monday and critics"),
     Passage("and critics objected strongly to the plan.", 34, 76)),
    # three dots hold no full stop
    ("The budget was approved on Monday... The vote was close in the end.\n", _BUDGET,
     Passage(". Critics objected strongly to the plan.", 33, 73)),
    ("The budget was approved on Monday. . . The vote was close in the end.\n", _BUDGET,
     Passage(". Critics objected strongly to the plan.", 33, 73)),
    # four dots after a space are not glued to the sentence
    ("The budget was approved on Monday .... The vote was close in the end.\n", _BUDGET,
     Passage(". Critics objected strongly to the plan.", 33, 73)),
    # the original's `.` is inside a word (a host name), no full stop: `example.com`
    ("The budget was approved on Monday.... The vote was close in the end.\n",
     _BUDGET.replace("Monday. Critics", "Monday.com and critics"),
     Passage(".com and critics objected strongly to the plan.", 33, 80)),
    # the original's `.` starts its own ellipsis: no full stop
    ("The budget was approved on Monday.... The vote was close in the end.\n",
     _BUDGET.replace("Monday.", "Monday..."), Passage("... Critics objected strongly to the plan.", 33, 75)),
])
def test_a_four_dot_marker_quotes_no_full_stop_the_original_has_not(excerpt: str, original: str,
                                                                    passage: Passage) -> None:
    """Without a full stop right after the quoted text (or without a marker that can hold one), the passage starts
    where the quoted text ends, as before."""
    assert cuts(analysed(excerpt, original)) == [("possible", passage, None, "between", True)]


@pytest.mark.parametrize("own", ["Monday...", "Monday....", "Monday. . . ."])
def test_a_four_dot_marker_against_the_originals_own_ellipsis(own: str) -> None:
    """`Monday....` where the original has its own ellipsis there (three dots, four, or a full stop and three):
    the original has the ellipsis itself, whatever the full stop."""
    original = f"The budget was approved on {own}\n\nThe vote was close in the end.\n"
    result = analysed("The budget was approved on Monday.... The vote was close in the end.\n", original)
    assert cuts(result) == [("possible", None, "the original has the ellipsis itself: not an elision", "between",
                             False)]


def test_the_first_of_markers_side_by_side_in_the_text_omits_the_passage_in_whatever_order_given() -> None:
    """Elisions given last first: still the first in the text omits the passage; the order given is kept."""
    excerpt = "The mayor said no. [...] [...] everyone went home."
    segments, elisions = quote(excerpt)
    result = align(excerpt, segments, elisions[::-1], _MAYOR)
    assert [(e.index, e.start, e.reason) for e in result.elisions] == [(0, 25, _SHARED), (1, 19, None)]
    assert omitted_texts(result) == [None, "The council adjourned at noon and"]


def test_punctuation_on_both_sides_of_a_marker_that_cut_nothing_is_not_out_of_order() -> None:
    """'continent, [...], a new nation': both segments take the one comma; nothing cut, order kept."""
    result = run("brought forth on this continent, [...], a new nation, conceived in Liberty")
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason == "nothing omitted: the segments are adjacent in the original"
    assert result.out_of_order == ()
    assert all(segment.in_order for segment in result.segments)


def test_possible_elision_confirmed_when_the_original_has_text_there() -> None:
    """An unbracketed ellipsis standing for real omitted text is confirmed."""
    result = run("Four score and seven years ago... all men are created equal.")
    (elision,) = result.elisions
    assert elision.kind == "possible" and elision.confirmed is True
    assert elision.omitted is not None
    assert elision.omitted.text.startswith("our fathers brought forth")
    assert elision.omitted.text.endswith("dedicated to the proposition that")


def test_ellipsis_that_is_in_the_original_is_not_an_elision() -> None:
    """An ellipsis the original itself has is not confirmed and omits nothing."""
    original = extract_text((ORIGINALS / "second-inaugural.html").read_bytes()).text
    result = run("Editor’s note: the speaker paused here… and the crowd was silent.", original)
    (elision,) = result.elisions
    assert elision.confirmed is False
    assert elision.omitted is None
    assert elision.reason == "the original has the ellipsis itself: not an elision"


@pytest.mark.parametrize("ellipsis", ["\u2026\u2026", "\u22ef\u22ef", "\u2025\u2025", "\uff0e\uff0e\uff0e",
                                      "\uff08\u2026\u2026\uff09", "\u3010\u2026\u3011", "\u2026\u2026\u2026"])
def test_an_east_asian_ellipsis_in_the_original_is_its_own(ellipsis: str) -> None:
    """The Chinese `……` (two U+2026), Taiwan's `⋯⋯`, `‥‥`, `．．．` and an ellipsis in full-width brackets, in the
    original where the quote has its possible marker, are the original's own ellipsis, as `...` is; `……` was
    "nothing omitted: the segments are adjacent"."""
    excerpt = "\u4ed6\u8bf4\u2026\u2026\u6211\u4e0d\u77e5\u9053\u3002"   # 他说……我不知道。
    original = "\u4ed6\u8bf4" + ellipsis + "\u6211\u4e0d\u77e5\u9053\u3002"
    (elision,) = align(excerpt, [(0, len(excerpt))], [(2, 4, "possible")], original).elisions
    assert (elision.omitted, elision.reason, elision.confirmed) == (
        None, "the original has the ellipsis itself: not an elision", False)


PROOF = ("\u8bc1\u660e", "\u3002\u4f8b4 \u6c42\u89e3\u3002")   # 证明 。例4 求解。


def _cut_alone(marker: str, kind: str, original: str) -> tuple[object, str | None, bool | None]:
    """(omitted text, reason, confirmed) of `marker` between PROOF's two halves, aligned with `original`: a
    bracketed one between two segments, a possible one inside one segment."""
    excerpt = PROOF[0] + marker + PROOF[1]
    at, after = len(PROOF[0]), len(PROOF[0]) + len(marker)
    segments = [(0, len(excerpt))] if kind == "possible" else [(0, at), (after, len(excerpt))]
    (elision,) = align(excerpt, segments, [(at, after, kind)], original).elisions
    return (None if elision.omitted is None else elision.omitted.text), elision.reason, elision.confirmed


@pytest.mark.parametrize("marker, own, kind", [
    ("\uff08\u7565\uff09", "\uff08\u7565\uff09", "possible"),                     # （略） quoted with the original's own
    ("(\uc0dd\ub7b5)", "( \uc0dd\ub7b5 )", "possible"),                              # (생략), spaced in the original
    ("\uff3b\u7565\uff3d", "\uff08\u7565\uff09", "bracketed"),                     # ［略］ for the original's （略）
    ("\u3010\u4e2d\u7565\u3011", "\uff08\u3000\u4e2d\u7565\u200f\uff09", "bracketed"),   # 【中略】, （　中略‏）
])
def test_an_omission_mark_in_the_original_is_its_own(marker: str, own: str, kind: str) -> None:
    """A marker of an omission word where the original has the same word in brackets quotes the original's own
    mark and cut nothing: `证明（略）。` against itself was a certain cut that "omitted" `（略）`."""
    assert _cut_alone(marker, kind, PROOF[0] + own + PROOF[1]) == (
        None, "nothing omitted: the original has the marker itself", False if kind == "possible" else None)


def test_another_omission_mark_or_text_in_the_original_is_omitted() -> None:
    """Another word in brackets, or the word with text beside it, is what the marker cut; the original's own
    `[...]` quoted with a `[...]` stays a cut of nothing, as before."""
    assert _cut_alone("\uff3b\u4e2d\u7565\uff3d", "bracketed", PROOF[0] + "\uff08\u7565\uff09" + PROOF[1]) == (
        "\uff08\u7565\uff09", None, None)
    assert _cut_alone("\uff08\u7565\uff09", "possible", PROOF[0] + "\uff08\u7565\uff09\u5982\u4e0b" + PROOF[1]) == (
        "\uff08\u7565\uff09\u5982\u4e0b", None, True)
    excerpt = "The pier [...] closes."
    (elision,) = align(excerpt, [(0, 8), (15, 22)], [(9, 14, "bracketed")], excerpt).elisions
    assert (elision.omitted, elision.reason) == (None, "nothing omitted: the segments are adjacent in the original")


@pytest.mark.parametrize("ellipsis", ["\u00b7\u00b7\u00b7", "\u30fb\u30fb\u30fb", "(\u00b7\u00b7\u00b7\u00b7)"])
def test_middle_dots_in_the_original_are_its_own_ellipsis(ellipsis: str) -> None:
    """Korea's `···` and Japan's `・・・`, where the quote has its possible marker, are the original's own ellipsis."""
    excerpt = "\u4ed6\u8bf4\u00b7\u00b7\u00b7\u6211\u4e0d\u77e5\u9053\u3002"   # 他说···我不知道。
    original = "\u4ed6\u8bf4" + ellipsis + "\u6211\u4e0d\u77e5\u9053\u3002"
    (elision,) = align(excerpt, [(0, len(excerpt))], [(2, 5, "possible")], original).elisions
    assert (elision.omitted, elision.reason, elision.confirmed) == (
        None, "the original has the ellipsis itself: not an elision", False)


def test_crlf_and_bom_excerpt_gives_offsets_in_the_text_as_stored() -> None:
    """A BOM and CRLF line ends shift excerpt offsets but not what is found."""
    excerpt = (
        "\ufeffFour score and seven years ago our fathers brought forth on this continent, a new\r\n"
        "nation [...] dedicated to the proposition that all men are created equal.\r\n\r\n"
        "Now we are engaged in a great civil war [...]\r\n"
    )
    result = run(excerpt)
    assert omitted_texts(result)[0] == ", conceived in Liberty, and"
    assert result.differences == ()
    first = result.segments[0]
    assert first.start == 0 and first.source_start == 0


def test_blog_trailer_after_the_quote_is_reported_as_added_words() -> None:
    """Words after the quote that the original lacks are 'added'; the match itself stays exact."""
    excerpt = "shall not perish from the earth.\n\nNo comments:\n\nPost a Comment"
    result = align(excerpt, [(0, len(excerpt))], [], GETTYSBURG)
    (segment,) = result.segments
    assert segment.source_end == len(GETTYSBURG.rstrip("\n"))
    assert [(d.kind, d.excerpt) for d in result.differences] == [
        ("added", "No comments:\n\nPost a Comment")
    ]


def test_trailer_left_outside_the_segments_changes_nothing() -> None:
    """With segments covering only the quote's body, a trailer is ignored."""
    body = "Now we are engaged in a great civil war [...] We are met on a great battle-field of that war."
    excerpt = body + "\n\nNo comments:\n\nPost a Comment"
    segments, elisions = quote(body)
    result = align(excerpt, segments, elisions, GETTYSBURG)
    assert result.differences == ()
    assert omitted_texts(result)[0] == (
        ", testing whether that nation, or any nation so conceived and so dedicated, can long endure."
    )


def test_mistyped_proper_noun_is_a_changed_word() -> None:
    """'Liberthy' for 'Liberty' is one changed word with both offsets."""
    excerpt = "a new nation, conceived in Liberthy, and dedicated to the proposition"
    result = run(excerpt)
    (difference,) = result.differences
    assert (difference.kind, difference.excerpt, difference.source) == ("changed", "Liberthy", "Liberty")
    assert excerpt[difference.start : difference.end] == "Liberthy"
    assert GETTYSBURG[difference.source_start : difference.source_end] == "Liberty"


def test_mistyped_last_word_is_changed_not_added() -> None:
    """A typo in a segment's last word is 'changed', and the cut after it starts after that word."""
    result = run("all men are created equl. [...] We are met on a great battle-field of that war.")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", "equl", "equal")]
    assert omitted_texts(result)[0] == (
        "Now we are engaged in a great civil war, testing whether that nation, or any nation so "
        "conceived and so dedicated, can long endure."
    )


def test_silently_dropped_word_is_reported() -> None:
    """Leaving out 'poor' without a marker is a 'dropped' difference at the excerpt's gap."""
    excerpt = "have consecrated it, far above our power to add or detract."
    result = run(excerpt)
    (difference,) = result.differences
    assert (difference.kind, difference.excerpt, difference.source) == ("dropped", "", "poor")
    assert difference.start == difference.end == excerpt.index(" power")


def test_added_word_is_reported() -> None:
    """A word the original lacks is 'added' with an empty source span."""
    result = run("The world will little note, nor long remember what we say here today")
    (difference,) = result.differences
    assert (difference.kind, difference.excerpt, difference.source) == ("added", "today", "")
    assert difference.source_start == difference.source_end


@pytest.mark.parametrize("note", ["[sic]", "[sic!]", "[ Sic ]", "[emphasis added]", "[italics in original]",
                                  "[citation omitted]", "[internal quotation marks omitted]"])
def test_editorial_note_is_not_an_added_word(note: str) -> None:
    """A quoter's bracketed note (`[sic]`, `[emphasis added]`) is not a difference from the original."""
    result = run(f"The world will little note, nor long remember {note} what we say here")
    assert result.differences == ()
    (segment,) = result.segments
    assert segment.words == segment.matched_words


def test_bracketed_words_that_are_not_a_note_still_count() -> None:
    """Bracketed words that replace or add text ("[the fighters]") are still reported."""
    result = run("The world will little note, nor long remember [the fighters] what we say here")
    assert [(d.kind, d.excerpt) for d in result.differences] == [("added", "the fighters")]


def test_note_words_outside_brackets_are_still_words() -> None:
    """'sic' as a plain word the original lacks is an added word, not a note."""
    result = run("The world will little note, nor long remember sic what we say here")
    assert [(d.kind, d.excerpt) for d in result.differences] == [("added", "sic")]


def test_paragraphs_quoted_out_of_order_are_noted() -> None:
    """A later paragraph quoted first: both found, the pair noted, the marker gets a reason."""
    excerpt = (
        "The world will little note, nor long remember what we say here [...]\n\n"
        "Now we are engaged in a great civil war, testing whether that nation"
    )
    result = run(excerpt)
    assert all(s.found for s in result.segments)
    assert result.out_of_order == ((0, 1),)
    assert result.segments[1].in_order is False
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason is not None and elision.reason.startswith("segments out of order")


def test_no_elisions_at_all() -> None:
    """A quote without markers is one segment matched in full."""
    excerpt = "It is altogether fitting and proper that we should do this."
    result = align(excerpt, [(0, len(excerpt))], [], GETTYSBURG)
    assert result.elisions == () and result.differences == ()
    (segment,) = result.segments
    assert segment.source_start is not None and segment.source_end is not None
    assert GETTYSBURG[segment.source_start : segment.source_end] == excerpt


def test_normalisation_drift_is_not_a_difference() -> None:
    """Curly quotes, dashes, NBSP, soft hyphens, wrapping and an initial's case are ignored."""
    excerpt = (
        "we can not dedicate — we can\u00a0not conse\u00adcrate –\n  we can not hallow — this ground. "
        "The brave men, living and dead"
    )
    result = run("[...] " + excerpt.replace("we can not dedicate", "We can not dedicate", 1))
    assert result.differences == ()
    assert omitted_texts(result) == ["But, in a larger sense,"]


STADIUM = ("The new stadium will cost 45 million crowns, the mayor said on Monday, and will seat "
           "12,000 people when it opens in 2027. Building starts in 2019.")


@pytest.mark.parametrize(("quoted", "source"), [("4.5", "45"), ("1,2000", "12,000"), ("20.27", "2027"),
                                                ("12000", "12,000"), ("4,5", "45")])
def test_a_moved_or_added_point_or_comma_in_a_number_is_a_changed_word(quoted: str, source: str) -> None:
    """A number's inner point or comma counts: 4.5 million is not 45 million."""
    excerpt = STADIUM.replace(source, quoted, 1).replace(" Building starts in 2019.", "")
    result = run(excerpt, STADIUM)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", quoted, source)]
    (difference,) = result.differences
    assert STADIUM[difference.source_start : difference.source_end] == source


def test_numbers_quoted_as_written_are_not_differences() -> None:
    """Equal numbers are equal, and a sentence's full stop after a number is not part of it."""
    excerpt = "will seat 12,000 people when it opens in 2027 [...] Building starts in 2019"
    result = run(excerpt, STADIUM.replace("45 million", "4.5 million"))
    assert result.differences == ()
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason == "nothing omitted: the segments are adjacent in the original"
    assert run("The new stadium will cost 4.5 million crowns", STADIUM.replace("45", "4.5")).differences == ()


def test_case_change_inside_a_segment_is_a_difference() -> None:
    """Changing case mid-segment is reported as kind 'case'; the segment's first letter is not."""
    result = run("we are engaged in a Great civil war")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("case", "Great", "great")]


_ROOM = "Die Maße des Zimmers sind groß, sagte der Architekt an der Straße gestern."


@pytest.mark.parametrize(("quoted", "differences"), [
    ("Die Masse des Zimmers sind groß, sagte der Architekt an der Strasse gestern.",
     [("changed", "Masse", "Maße"), ("changed", "Strasse", "Straße")]),
    ("Die MASSE des Zimmers sind GROSS, sagte der Architekt an der STRAẞE gestern.",
     [("case", "MASSE", "Maße"), ("case", "GROSS", "groß"), ("case", "STRAẞE", "Straße")]),
    ("Die maße des Zimmers sind groß, sagte der Architekt an der Fußball-Straße gestern.",
     [("case", "maße", "Maße"), ("added", "Fußball", "")]),
])
def test_a_spelling_case_folding_hides_is_a_changed_word(quoted: str, differences: list[tuple[str, str, str]]) -> None:
    """`Masse` for `Maße` is another word (casefold makes `ß` `ss`): changed, not case; `MASSE`, the word upper-cased,
    and `STRAẞE`, with a capital `ẞ`, differ only in case."""
    result = run(quoted, _ROOM)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == differences


def test_a_compound_split_with_a_spelling_case_folding_hides_is_a_changed_word() -> None:
    """`Fuß-ball` for `Fußball` is a compound split, no difference; `Fuss-ball` changes its spelling too."""
    original = "Am Samstag spielten die Kinder im Park Fußball, bis es dunkel wurde und alle nach Hause gingen."
    assert run(original.replace("Fußball", "Fuß-ball"), original).differences == ()
    result = run(original.replace("Fußball", "Fuss-ball"), original)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", "Fuss-ball", "Fußball")]


@pytest.mark.parametrize(("quoted", "source"), [
    ("102", "10²"), ("10²", "102"), ("H2O", "H₂O"), ("11/2", "1½"), ("1", "①"), ("10³", "10²")])
def test_a_superscript_subscript_or_fraction_for_digits_is_a_changed_number(quoted: str, source: str) -> None:
    """NFKC makes `10²` `102`: the digits as written count (`102` for `10²` is changed, as `4.5` for `45` is)."""
    original = f"The survey counted {source} birds in the marsh north of the lake on the second day of the count."
    result = run(original.replace(source, quoted), original)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", quoted, source)]


@pytest.mark.skipif(unicodedata.unidata_version != UNICODE_VERSION,
                    reason=f"this Python has Unicode {unicodedata.unidata_version}, the class {UNICODE_VERSION}")
def test_the_number_forms_are_the_number_characters_nfkc_folds() -> None:
    """The number forms kept as written are exactly the characters of category No that NFKC changes."""
    forms = re.compile(f"[{_NUMBER_FORMS}]")
    assert {code for code in range(sys.maxunicode + 1) if forms.match(chr(code))} == {
        code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "No"
        and unicodedata.normalize("NFKC", chr(code)) != chr(code)}


def test_full_width_digits_and_superscripts_quoted_as_written_are_no_differences() -> None:
    """`２０１９` is `2019` (full-width digits are digits), and `10²` quoted as `10²` is equal."""
    original = "In ２０１９ the survey counted 10² birds in the marsh north of the lake on the second day."
    assert run(original.replace("２０１９", "2019"), original).differences == ()
    words = _tokenize("10² H₂O ½ ２０")
    assert (words.exact[:], words.keys[:]) == (["10²", "H₂O", "½", "20"], ["102", "h2o", "1\u20442", "20"])


def test_bracketed_initial_is_not_a_case_difference() -> None:
    """'[t]he' for 'The' is an editorial alteration, not drift."""
    result = run("we can not hallow -- this ground, [t]he brave men, living and dead")
    assert result.differences == ()


def test_segment_absent_from_the_original_gives_reasons() -> None:
    """A segment the original lacks is not found, and its neighbouring marker says so."""
    excerpt = "Four score and seven years ago [...] Zebras quietly graze beneath purple skies"
    result = run(excerpt)
    assert [s.found for s in result.segments] == [True, False]
    (elision,) = result.elisions
    assert elision.omitted is None
    assert elision.reason == (
        "neighbouring segment not found in the original: the segment after it "
        f"(chars {excerpt.index('[...]') + 5}-{len(excerpt)})"
    )


def test_html_original_with_boilerplate_and_entities() -> None:
    """Quoting the Declaration page: entities decoded, boilerplate gone, cut found exactly."""
    original = extract_text((ORIGINALS / "declaration.html").read_bytes()).text
    excerpt = (
        "When in the Course of human events, it becomes necessary for one people to dissolve the "
        "political bands which have connected them with another [...] a decent respect to the "
        "opinions of mankind requires that they should declare the causes which impel them to the "
        "separation.\n\nWe hold these truths to be self-evident, that all men are created equal "
        "[…] --That to secure these rights, Governments are instituted among Men"
    )
    result = run(excerpt, original)
    assert omitted_texts(result) == [
        ", and to assume among the powers of the earth, the separate and equal station to which "
        "the Laws of Nature and of Nature's God entitle them,",
        ", that they are endowed by their Creator with certain unalienable Rights, that among "
        "these are Life, Liberty and the pursuit of Happiness.",
    ]
    assert result.differences == ()


def test_short_repeated_segment_prefers_the_place_after_the_previous_one() -> None:
    """A short segment that occurs often is taken after the previous segment's match."""
    result = run("It is rather for us to be here dedicated [...] the people, by the people")
    second = result.segments[1]
    assert second.source_start == GETTYSBURG.index("the people, by the people")
    assert omitted_texts(result)[0] is not None


MILL = "In the spring the mill closed for good. Two hundred workers were told on a Monday that there would be no shift."


@pytest.mark.parametrize(("marker", "kind"), [("[...]", "bracketed"), ("...", "possible")])
def test_marker_outside_the_quoted_text_cuts_nothing(marker: str, kind: str) -> None:
    """Markers in a title line or a trailer, outside `quoted`, get omitted None and say where they are."""
    title = f"Westmarsh Gazette: The mill {marker} closes\n\n"
    body = "Two hundred workers were told on a Monday that there would be no shift."
    trailer = f"\n\nPosted by a reader {marker} more soon"
    excerpt = title + body + trailer
    body_start, body_end = len(title), len(title) + len(body)
    elisions = [(m.start(), m.end(), kind) for m in re.finditer(re.escape(marker), excerpt)]
    result = align(excerpt, [(body_start, body_end)], elisions, MILL, quoted=(body_start, body_end))
    header, tail = result.elisions
    assert (header.omitted, header.reason, header.confirmed) == (
        None, "in the title/header, not in the quoted text", None)
    assert (tail.omitted, tail.reason, tail.confirmed) == (None, "in the trailer, not in the quoted text", None)
    assert header.scope == "paragraph-start"
    assert result.segments[0].source_start == MILL.index("Two hundred")
    without = align(excerpt, [(body_start, body_end)], elisions, MILL)
    assert without.elisions[0].omitted is not None   # without `quoted`, the whole excerpt counts as quoted


def test_repeated_passage_is_taken_where_it_precedes_the_next_segment() -> None:
    """A sentence the original repeats is matched at the copy that leaves the smallest cut before the next one."""
    original = ("The river rose again last night. Farmers moved their cattle.\n\n"
                "Officials said the dam held. The river rose again last night. "
                "By noon the mayor ordered the lower town cleared.\n")
    result = run("The river rose again last night. [...] the mayor ordered the lower town cleared.\n", original)
    assert omitted_texts(result) == ["By noon"]
    assert result.segments[0].source_start == original.rindex("The river rose")
    assert result.out_of_order == ()


def test_repeated_passage_between_two_segments_stays_between_them() -> None:
    """Of three copies, the one after the previous segment and last before the next is taken."""
    original = ("Rain fell. The bridge was closed at dawn. Alpha beta gamma delta epsilon zeta. "
                "The bridge was closed at dawn. Eta theta iota kappa lambda mu. "
                "The bridge was closed at dawn. Nu xi omicron pi rho sigma.")
    result = run("Alpha beta gamma delta epsilon zeta. [...] The bridge was closed at dawn. [...] "
                 "Nu xi omicron pi rho sigma.", original)
    assert omitted_texts(result) == [
        "The bridge was closed at dawn. Eta theta iota kappa lambda mu.", None]
    assert result.elisions[1].reason == "nothing omitted: the segments are adjacent in the original"


_FILLER = [f"f{i}q" for i in range(120)]


@settings(max_examples=40, deadline=None)
@given(
    filler=st.permutations(_FILLER),
    places=st.lists(st.integers(min_value=1, max_value=110), min_size=2, max_size=4, unique=True),
    tail=st.integers(min_value=0, max_value=100),
)
def test_repeated_sentence_leaves_the_smallest_cut(filler: list[str], places: list[int], tail: int) -> None:
    """Quoting a repeated sentence, a marker and a later passage cuts from the copy nearest before that passage."""
    sentence = "the river rose again last night"
    words: list[str] = []
    copies: list[int] = []
    for k, word in enumerate(filler):
        if k in places:
            copies.append(len(words))
            words.extend(sentence.split())
        words.append(word)
    later = [w for w in range(len(words) - 5) if words[w] in filler and
             any(c < w for c in copies) and not any(w <= c < w + 6 for c in copies)]
    start = later[tail % len(later)]
    original = " ".join(words)
    excerpt = f"{sentence} [...] " + " ".join(words[start : start + 6])
    nearest = max(c for c in copies if c + 6 <= start)
    expected = " ".join(words[nearest + 6 : start])
    assert omitted_texts(run(excerpt, original)) == [expected or None]


LIGHTHOUSE = ("The lighthouse keeper retired after forty years on the rock. His daughter took over the lamp "
              "and kept it burning through the great storm of that winter.\n")


def test_paragraph_end_cut_stops_at_a_segment_quoted_earlier() -> None:
    """After segments quoted out of order, a final marker's cut ends where the other quoted segment begins."""
    result = run("His daughter took over the lamp and kept it burning [...] "
                 "The lighthouse keeper retired after forty years [...]", LIGHTHOUSE)
    assert result.out_of_order == ((0, 1),)
    assert omitted_texts(result) == [None, "on the rock."]
    assert result.elisions[1].scope == "paragraph-end"


def test_paragraph_start_cut_starts_after_a_segment_quoted_later() -> None:
    """A leading marker's cut starts where a segment the quote has later ends, not at the paragraph's start."""
    result = run("[...] through the great storm of that winter. [...] "
                 "The lighthouse keeper retired after forty years", LIGHTHOUSE)
    assert result.out_of_order == ((0, 1),)
    assert omitted_texts(result) == ["on the rock. His daughter took over the lamp and kept it burning", None]
    assert result.elisions[0].scope == "paragraph-start"


def test_rejects_spans_outside_the_excerpt() -> None:
    """Spans that do not fit the excerpt are a ValueError naming them."""
    with pytest.raises(ValueError, match=r"segment \(0, 99\) is outside"):
        align("short", [(0, 99)], [], GETTYSBURG)
    with pytest.raises(ValueError, match="kind 'odd'"):
        align("short", [(0, 5)], [(0, 1, "odd")], GETTYSBURG)
    with pytest.raises(ValueError, match=r"segment \(0, 5\) is outside the quoted text \(1, 5\)"):
        align("short", [(0, 5)], [], GETTYSBURG, quoted=(1, 5))
    with pytest.raises(ValueError, match=r"quoted text \(0, 9\) is outside"):
        align("short", [(0, 5)], [], GETTYSBURG, quoted=(0, 9))
    with pytest.raises(ValueError, match=r"^segment \(1, 3\) overlaps or precedes the one before it$"):
        align("short", [(0, 2), (1, 3)], [], GETTYSBURG)
    with pytest.raises(ValueError, match=r"^elision \(3, 7\) is outside the excerpt \(0, 5\)$"):
        align("short", [(0, 5)], [(3, 7, "bracketed")], GETTYSBURG)


_WORDS = [f"w{i}x" for i in range(400)]


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(_WORDS),
    cuts=st.lists(st.integers(min_value=1, max_value=398), min_size=4, max_size=4, unique=True),
    marker=st.sampled_from(["[...]", "[…]", "[. . .]", "[ ... ]"]),
)
def test_reported_cut_is_exactly_what_was_left_out(order: list[str], cuts: list[int], marker: str) -> None:
    """Quoting original[a:b] + marker + original[c:d] reports original[b:c] (stripped) as omitted."""
    a, b, c, d = sorted(cuts)
    original = " ".join(order[:200]) + ".\n\n" + " ".join(order[200:]) + "."
    words = list(re.finditer(r"\S+", original))
    first = original[words[a].start() : words[b - 1].end()]
    second = original[words[c].start() : words[d - 1].end()]
    excerpt = f"{first} {marker} {second}"
    result = run(excerpt, original)
    (elision,) = result.elisions
    assert elision.omitted is not None
    expected = original[words[b - 1].end() : words[c].start()].strip()
    assert elision.omitted.text == expected
    assert original[elision.omitted.start : elision.omitted.end] == expected
    assert result.differences == ()


def test_possible_marker_inside_a_segment_is_cut_there() -> None:
    """Segments that run through an unbracketed marker (as provpack.elisions gives them) work alike."""
    excerpt = "Four score and seven years ago... all men are created equal.\n\nNow we are engaged in a great civil war..."
    ellipses = [(m.start(), m.end(), "possible") for m in re.finditer(r"\.\.\.", excerpt)]
    result = align(excerpt, [(0, len(excerpt))], ellipses, GETTYSBURG)
    first, last = result.elisions
    assert first.confirmed is True and first.omitted is not None
    assert first.omitted.text.startswith("our fathers brought forth")
    assert last.scope == "paragraph-end" and last.confirmed is True
    assert last.omitted is not None and last.omitted.text.startswith(", testing whether that nation")
    assert last.omitted.text.endswith("It is altogether fitting and proper that we should do this.")
    (segment,) = result.segments
    assert segment.source_start == 0 and segment.in_order


_P1 = ("Officials in Dunmore said on Friday that the town's water treatment plant would be closed for six weeks "
       "while a new filtration system is installed.")
_P2 = ("Residents will receive water from a temporary supply line connected to the neighbouring town of "
       "Ashcombe, the utility said.")


def test_a_segment_sharing_only_a_short_phrase_with_the_original_is_not_found() -> None:
    """A dek the original lacks, sharing one three-word phrase, is not found: no invented changes, no false order."""
    excerpt = f"Dunmore residents face six weeks on a temporary supply. [...] {_P2}"
    result = run(excerpt, f"Plant to close\n\n{_P1}\n\n{_P2}\n")
    assert [s.found for s in result.segments] == [False, True]
    assert result.differences == () and result.out_of_order == ()
    (elision,) = result.elisions
    assert elision.omitted is None and elision.reason is not None
    assert elision.reason.startswith("neighbouring segment not found in the original: the segment before it")


def test_a_headline_sharing_a_five_word_phrase_is_not_the_match() -> None:
    """A page whose visible text is only a headline: a quote sharing five words with it is not found there."""
    excerpt = ("The city library board voted on Thursday to close two branch libraries at the end of June. [...] "
               "rising repair costs left it no choice.\n")
    result = run(excerpt, "Library board votes to close two branch libraries\n")
    assert [s.found for s in result.segments] == [False, False]
    assert result.differences == ()


def test_a_segment_with_half_its_words_matched_is_found() -> None:
    """A segment counts as found when at least half its words (MIN_MATCHED_SHARE) equal the original's."""
    result = run("that nation might live. It is altogether fitting and proper that we should eat cake and drink wine")
    (segment,) = result.segments
    assert segment.found and segment.matched_words * 2 >= segment.words
    assert [d.kind for d in result.differences] == ["added"]


@pytest.mark.parametrize(("excerpt", "original", "changed", "cut"), [
    ("The state grant would cover only 35 [...] of the total cost of the project, leaving the town to borrow.",
     "The state grant would cover only 30 percent of the total cost of the project, leaving the town to borrow.",
     ("35", "30"), "percent"),
    ("The upgrade, which will cost about 4.2 [...] tests last spring found elevated levels of manganese.",
     "The upgrade, which will cost about 2.4 million dollars, follows tests last spring found elevated levels "
     "of manganese.", ("4.2", "2.4"), "million dollars, follows"),
    ("The dam was finished in 1949 [...] the flood of that spring washed it away.",
     "The dam was finished in 1951. Nobody expected the flood of that spring washed it away.",
     ("1949", "1951"), ". Nobody expected"),
])
def test_a_number_for_a_number_next_to_a_cut_is_changed(
    excerpt: str, original: str, changed: tuple[str, str], cut: str
) -> None:
    """A number for a number at a cut's edge is changed, and the cut excludes it."""
    result = run(excerpt, original)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", *changed)]
    assert omitted_texts(result) == [cut]


def test_a_lowercase_word_next_to_a_cut_is_still_added() -> None:
    """A lowercase word the quoter put before a cut ('and'), unlike the original's, is added, not changed."""
    result = run("It rained for days and [...] the river rose over its banks at last.",
                 "It rained for days without pause; the river rose over its banks at last.")
    assert [(d.kind, d.excerpt) for d in result.differences] == [("added", "and")]
    assert omitted_texts(result) == ["without pause;"]


_STORM = ("The storm reached the coast late on Tuesday night and damaged hundreds of homes in Brighton. Roads across "
          "the county were closed for two days while crews cleared fallen trees.")


@pytest.mark.parametrize(("excerpt", "original", "added", "cut"), [
    ("The storm reached the coast late on Tuesday night [...] Meanwhile roads across the county were closed for "
     "two days.", _STORM, "Meanwhile", "and damaged hundreds of homes in Brighton."),
    ("Opponents countered that the estimate had risen twice [...] Citizens simply cannot afford it, said Haddad.",
     "Opponents countered that the estimate had risen twice. The mayor agreed. We simply cannot afford it, "
     "said Haddad.", "Citizens", ". The mayor agreed. We"),
    ("The bridge over the river was opened in 1999. [...] 2000 roads across the county were closed for repairs.",
     "The bridge over the river was opened in 1999. By 1999. Roads across the county were closed for repairs.",
     "2000", "By 1999."),
    ("The bridge over the river was opened in 1999. [...] 2000 roads across the county were closed for repairs.",
     "The bridge over the river was opened in 1999. Fifty years on, in 2024! Roads across the county were closed "
     "for repairs.", "2000", "Fifty years on, in 2024!"),
])
def test_a_word_put_before_a_new_sentence_at_a_cut_is_added(excerpt: str, original: str, added: str, cut: str) -> None:
    """A capitalised word for one, or a number for a number that ends a sentence in the original, is added at a
    cut's edge, and the cut keeps the original's word."""
    result = run(excerpt, original)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences if d.kind != "case"] == [("added", added, "")]
    assert omitted_texts(result) == [cut]


def test_every_name_in_all_is_defined() -> None:
    """`from provpack.align import *` gives every name __all__ lists."""
    import provpack.align as module

    assert all(hasattr(module, name) for name in module.__all__)


def test_results_are_frozen_and_serialise_with_their_field_names() -> None:
    """Alignment results are frozen value objects whose to_json keys are their field names."""
    import dataclasses

    result = run("The world will little note, nor long remember what we say here today [...] "
                 "It is for us the living")
    for value in (result, result.segments[0], result.elisions[0], result.differences[0],
                  result.elisions[0].omitted):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, None)
    for value in (result.segments[0], result.elisions[0], result.differences[0]):
        assert set(value.to_json()) == {f.name for f in dataclasses.fields(value)}


def test_words_changed_at_a_segments_start_align_before_its_anchor() -> None:
    """A mistyped second word leaves the first five-word anchor later: the words before it still align."""
    result = run("Four scor and seven years ago our fathers brought forth")
    (segment,) = result.segments
    assert (segment.source_start, segment.words, segment.matched_words) == (0, 10, 9)
    assert [(d.kind, d.excerpt, d.source, d.source_start, d.source_end) for d in result.differences] == [
        ("changed", "scor", "score", 5, 10)]


def test_a_word_added_before_the_originals_first_word_sits_at_offset_zero() -> None:
    """An added word before the original's first word has the empty source span (0, 0)."""
    result = run("Indeed four score and seven years ago our fathers")
    assert [(d.kind, d.excerpt, d.source_start, d.source_end) for d in result.differences] == [
        ("added", "Indeed", 0, 0), ("case", "four", 0, 4)]


def test_an_added_word_sits_right_after_the_original_word_before_it() -> None:
    """The empty source span of an added word is at the end of the original word it follows."""
    result = run("The world will little note, nor long remember what we say here today")
    (difference,) = result.differences
    at = GETTYSBURG.index("what we say here") + len("what we say here")
    assert (difference.source_start, difference.source_end) == (at, at)


def test_a_number_put_at_a_segments_end_before_a_new_sentence_is_added() -> None:
    """At a segment's end, a number for one the original parts from it by a full stop is added, not changed."""
    result = run("The storm reached the coast late on Tuesday 2001 [...] crews cleared fallen trees.",
                 "The storm reached the coast late on Tuesday. 1998 was worse, said crews who cleared fallen trees.")
    assert [(d.kind, d.excerpt) for d in result.differences] == [("added", "2001"), ("dropped", "")]
    assert omitted_texts(result) == [". 1998 was worse, said"]


def test_two_editorial_notes_in_one_segment_are_both_left_out() -> None:
    """Each of several bracketed notes in a segment is skipped, not only the last."""
    result = run("The world will little note [sic], nor long remember [emphasis added] what we say here")
    assert result.differences == ()
    (segment,) = result.segments
    assert segment.words == segment.matched_words == 12


def test_segment_edges_take_in_all_the_punctuation_both_texts_share() -> None:
    """A segment's span in the original takes in punctuation the excerpt has too, across spaces, up to the
    original's ends."""
    result = run('"(Four score and seven years ago', 'He said "(Four score and seven years ago')
    assert result.segments[0].source_start == len("He said ")
    original = "shall not perish from the earth ."
    result = run("from the earth.", original)
    assert result.segments[0].source_end == len(original)
    original = "shall not perish from the earth"
    result = run("the earth.", original)
    assert (result.segments[0].source_start, result.segments[0].source_end) == (original.index("the"), len(original))


def test_a_segment_without_words_counts_none() -> None:
    """A segment of punctuation only (a dash before a marker) has no words and is not found."""
    result = run("\u2014 [...] we can not dedicate")
    assert [(s.words, s.matched_words, s.found) for s in result.segments] == [(0, 0, False), (4, 4, True)]


def test_a_segment_not_found_matched_no_words() -> None:
    """A segment the original lacks reports its words and zero matched."""
    (segment,) = run("Zebras quietly graze beneath purple skies").segments
    assert (segment.found, segment.words, segment.matched_words) == (False, 6, 0)


def test_a_segment_with_exactly_half_its_words_matched_is_found() -> None:
    """Exactly MIN_MATCHED_SHARE of a segment's words matched is enough."""
    (segment,) = run("It is altogether fitting and zebras eat purple cake happily").segments
    assert segment.found and (segment.words, segment.matched_words) == (10, 5)


def test_a_segment_without_a_five_word_anchor_is_found_by_three_word_phrases() -> None:
    """With a word added every few words, no five-word phrase matches, and three-word ones still place it."""
    original = "We hold that all men are created equal, that they are endowed"
    result = run("all men are surely created equal that", original)
    (segment,) = result.segments
    assert (segment.source_start, segment.source_end) == (original.index("all"), original.index(" they"))
    assert [(d.kind, d.excerpt) for d in result.differences] == [("added", "surely")]


def test_a_word_in_the_original_two_hundred_times_still_anchors_but_not_more() -> None:
    """A phrase whose rarest word the original has up to 200 times is looked up; more often, it is not."""
    assert run("word word word", "word " * 200).segments[0].found
    assert not run("word word word", "word " * 201).segments[0].found


_GAP = [f"w{i}q" for i in range(2001)]


def test_long_runs_the_quote_leaves_out_are_aligned_word_by_word_up_to_2000_words() -> None:
    """A run of up to 2000 original words between anchors is aligned word by word; with no excerpt words there,
    any length is one dropped run."""
    head, tail = "alpha beta gamma delta epsilon", "zeta eta theta iota kappa"
    result = run(f"{head} {tail}", f"{head} {' '.join(_GAP)} {tail}")
    assert [(d.kind, len(d.source.split())) for d in result.differences] == [("dropped", 2001)]
    result = run(f"{head} w7q {tail}", f"{head} {' '.join(_GAP[:2000])} {tail}")
    assert [(d.kind, len(d.source.split())) for d in result.differences] == [("dropped", 7), ("dropped", 1992)]


def test_a_leading_marker_in_the_first_paragraph_omits_from_the_texts_start() -> None:
    """With no paragraph break before it, a leading marker's cut starts at the original's first character."""
    result = run("[...] score and seven years ago")
    assert omitted_texts(result) == ["Four"]
    assert result.elisions[0].omitted is not None and result.elisions[0].omitted.start == 0


def test_a_segment_cut_by_possible_markers_spans_from_its_first_to_its_last_piece() -> None:
    """A segment split by unbracketed markers starts at its first piece's match and ends at its last's."""
    excerpt = "Four score and seven years ago... all men are created equal.\n\nNow we are engaged in a great civil war..."
    ellipses = [(m.start(), m.end(), "possible") for m in re.finditer(r"\.\.\.", excerpt)]
    (segment,) = align(excerpt, [(0, len(excerpt))], ellipses, GETTYSBURG).segments
    assert (segment.source_start, segment.source_end) == (0, GETTYSBURG.index("civil war") + len("civil war"))
    assert (segment.words, segment.matched_words) == (20, 20)


def test_a_marker_with_no_quoted_segment_beside_it_says_so() -> None:
    """A marker with no segment of words on either side cuts nothing and says there is no segment next to it."""
    (elision,) = align("[...]", [], [(0, 5, "bracketed")], GETTYSBURG).elisions
    assert (elision.omitted, elision.reason) == (None, "no quoted segment next to the marker")


def test_mistyped_last_words_are_changed_and_the_span_takes_the_full_stop() -> None:
    """Two mistyped words ending a segment are one changed run, and the segment's span ends after the full stop."""
    result = run("for those who here gave their lives that that nation migth liev.")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", "migth liev", "might live")]
    assert result.segments[0].source_end == GETTYSBURG.index("might live.") + len("might live.")


def test_last_words_unlike_the_originals_are_added_not_changed() -> None:
    """Words ending a segment that look too little like the original's ('write there' for 'say here') are added."""
    result = run("The world will little note, nor long remember what we write there")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("added", "write there", "")]


def test_last_words_barely_like_the_originals_are_changed() -> None:
    """Runs of words a little over the similarity edge ('next Tuesday' for 'last Thursday') are changed."""
    result = run("The council will meet again next Tuesday", "The council will meet again last Thursday, the clerk said.")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", "next Tuesday", "last Thursday")]


def test_a_word_changed_past_a_matched_one_before_the_anchor_has_its_own_source() -> None:
    """Before a segment's first anchor, a mistyped word beyond a matched one and an added one maps to its own
    original word."""
    result = run("Fuor score really and seven years ago our fathers")
    assert [(d.kind, d.excerpt, d.source, d.source_start, d.source_end) for d in result.differences] == [
        ("changed", "Fuor", "Four", 0, 4), ("added", "really", "", 10, 10)]


def test_a_number_for_a_number_beyond_matched_words_before_the_anchor_is_changed() -> None:
    """A segment's first word, a number put for the original's number two words out from the anchor, is changed."""
    result = run("1951 the really mill by the river was closed", "Since 1950 the old mill by the river was closed for good.")
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [
        ("changed", "1951", "1950"), ("changed", "really", "old")]


@pytest.mark.parametrize("glued", ["remember [sic]what we", "remember[sic] what we", "remember [sic][sic]what we",
                                   "remember [emphasis added]what we"])
def test_a_word_glued_to_an_editorial_note_is_still_a_word(glued: str) -> None:
    """A note written against the next word ("[sic]what") is left out, the word after it is not."""
    result = run(f"The world will little note, nor long {glued} say here")
    assert result.differences == ()
    (segment,) = result.segments
    assert segment.words == segment.matched_words == 12


_HARBOUR = ("First sentence here about the harbour plan.\n\nSecond paragraph tells of the storm damage.\n\n"
            "Third paragraph counts the cost of repairs to the pier.\n")


def test_a_segment_whose_pieces_the_original_has_in_reverse_covers_both_and_stays_in_order() -> None:
    """Pieces around a possible marker swapped against the original: the segment's source spans both (start
    before end), it is in order with itself, and the marker says the text around it is out of order."""
    excerpt = "Second paragraph tells of the storm damage... First sentence here about the harbour plan."
    result = align(excerpt, [(0, len(excerpt))], [(42, 45, "possible")], _HARBOUR)
    assert result.to_json() == {
        "segments": [{"index": 0, "start": 0, "end": 89, "source_start": 0, "source_end": 87, "words": 14,
                      "matched_words": 14, "in_order": True}],
        "elisions": [{"index": 0, "start": 42, "end": 45, "kind": "possible", "omitted": None,
                      "reason": "text out of order: the text after the marker comes before the text preceding it "
                                "in the original", "scope": "between", "confirmed": None}],
        "differences": [],
        "out_of_order": [],
    }


def test_a_cut_after_a_segment_with_swapped_pieces_starts_at_the_end_of_all_of_it() -> None:
    """A bracketed cut between segments runs from the end of the whole previous segment in the original
    (the latest of its pieces), as verify reads it, not from the end of its last piece."""
    excerpt = ("Second paragraph tells of the storm damage... First sentence here about the harbour plan. [...] "
               "the cost of repairs")
    result = align(excerpt, [(0, 89), (96, len(excerpt))], [(42, 45, "possible"), (90, 95, "bracketed")], _HARBOUR)
    assert [(s.source_start, s.source_end, s.in_order) for s in result.segments] == [(0, 87, True), (113, 132, True)]
    assert result.elisions[1].to_json() == {
        "index": 1, "start": 90, "end": 95, "kind": "bracketed",
        "omitted": {"text": ".\n\nThird paragraph counts", "start": 87, "end": 112},
        "reason": None, "scope": "between", "confirmed": None}
    assert result.out_of_order == ()


def test_a_segment_inside_the_span_of_the_one_before_it_is_out_of_order() -> None:
    """A segment the original has between the swapped pieces of the previous segment starts before that
    segment's end: out of order, and the cut between them says so."""
    excerpt = ("Third paragraph counts the cost... First sentence here about the harbour plan. [...] "
               "Second paragraph tells of the storm")
    result = align(excerpt, [(0, 78), (85, len(excerpt))], [(31, 34, "possible"), (79, 84, "bracketed")], _HARBOUR)
    assert [(s.source_start, s.source_end, s.in_order) for s in result.segments] == [(0, 121, True), (45, 80, False)]
    assert result.out_of_order == ((0, 1),)
    assert [e.reason for e in result.elisions] == [
        "text out of order: the text after the marker comes before the text preceding it in the original",
        "segments out of order: the segment after the marker comes before the end of the one preceding it in the "
        "original"]


def test_a_passage_quoted_twice_but_once_in_the_original_is_said_to_overlap() -> None:
    """Both copies of a repeated quote are placed on the original's one copy: the cut between says they
    quote the same words, not that the second comes first."""
    excerpt = "The storm damage was here. [...] The storm damage was here."
    result = align(excerpt, [(0, 26), (33, 59)], [(27, 32, "bracketed")],
                   "Intro words. The storm damage was here. Outro words.")
    assert [(s.source_start, s.source_end, s.in_order) for s in result.segments] == [(13, 39, True), (13, 39, False)]
    assert result.out_of_order == ((0, 1),)
    assert [e.reason for e in result.elisions] == [
        "segments overlap: the segment after the marker quotes words of the original that the one before it "
        "quotes too"]


def test_a_word_added_at_a_segments_leading_edge_sits_where_the_segment_starts_in_the_original() -> None:
    """An added word before a segment's first matched word has its empty source span at that word, the
    segment's start, not at the end of the original word before it, inside the cut."""
    result = run("The storm reached the coast late on Tuesday night [...] Meanwhile roads across the county were "
                 "closed for two days.", _STORM)
    at = _STORM.index("Roads")
    assert [(d.kind, d.excerpt, d.source, d.source_start, d.source_end) for d in result.differences] == [
        ("added", "Meanwhile", "", at, at), ("case", "roads", "Roads", at, at + 5)]
    assert result.segments[1].source_start == at


_COACH = ("The coach said we're not ready for the final, and he'll decide on Friday whether I'll play. "
          "The club's lawyers said its own review was too early to comment on.")


@pytest.mark.parametrize(("quoted", "changed"), [
    ("The coach said were not ready for the final, and hell decide on Friday whether ill play.",
     [("were", "we're"), ("hell", "he'll"), ("ill", "I'll")]),
    ("The clubs lawyers said it's own review was too early", [("clubs", "club's"), ("it's", "its")]),
    ("The coach said we\u2019re not ready for the final, and he\u2018ll decide", []),
])
def test_a_word_whose_apostrophe_the_quote_adds_or_drops_is_changed(
    quoted: str, changed: list[tuple[str, str]]
) -> None:
    """`were` for `we're`, `its` for `it's` are other words, though their letters run together the same;
    a curly apostrophe for a straight one is no change."""
    result = run(quoted, _COACH)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", *pair) for pair in changed]


@pytest.mark.parametrize("compound", ["battlefield", "battle field", "battle\u2014field"])
def test_a_compound_split_otherwise_is_no_difference(compound: str) -> None:
    """`battlefield` or `battle field` for the original's `battle-field` is the same word."""
    result = run(f"We are met on a great {compound} of that war.")
    assert result.differences == ()


def test_a_short_segment_starting_with_a_frequent_word_is_found_by_its_rarer_words() -> None:
    """A three-word segment whose first word the original has 300 times is looked up by a rarer word of it."""
    filler = " ".join(f"The report number {i} went to the board." for i in range(150))
    original = f"In a surprise move on Monday, {filler} Then the auditors voted to suspend payments."
    excerpt = "In a surprise move [...] the auditors voted"
    result = run(excerpt, original)
    at = original.index("the auditors voted")
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 18), (at, at + 18)]
    assert omitted_texts(result) == [original[19 : at - 1]]


_PIER = ("The harbour council voted on Tuesday night to close the old pier, citing \u201cserious structural "
         "concerns\u201d raised by engineers last spring.")


def test_a_word_cut_in_two_by_a_marker_that_cut_nothing_is_adjacent_and_in_order() -> None:
    """`Tues[...]day`: the two pieces meet inside the original's `Tuesday`; nothing omitted, no differences."""
    result = run("The harbour council voted on Tues[...]day night to close the old pier.", _PIER)
    assert [(s.source_start, s.source_end, s.in_order) for s in result.segments] == [(0, 33, True), (33, 64, True)]
    assert result.out_of_order == () and result.differences == ()
    assert [e.reason for e in result.elisions] == ["nothing omitted: the segments are adjacent in the original"]


def test_a_word_cut_short_by_a_glued_marker_leaves_the_rest_of_it_in_the_cut() -> None:
    """`vot[...]`: the segment ends inside `voted`, and the cut starts with the `ed` left out."""
    result = run("The harbour council vot[...] the old pier, citing", _PIER)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 23), (52, 72)]
    assert result.differences == ()
    assert omitted_texts(result) == ["ed on Tuesday night to close"]


def test_a_short_segment_starting_inside_a_word_is_found() -> None:
    """`[...]ers last spring.`: looked up by its whole words, it starts inside `engineers`."""
    result = run("citing \u201cserious struc[...]ers last spring.", _PIER)
    at = _PIER.index("ers last")
    assert [(s.source_start, s.source_end) for s in result.segments] == [(66, 87), (at, len(_PIER))]
    assert result.differences == ()
    assert omitted_texts(result) == ["tural concerns\u201d raised by engine"]


@pytest.mark.parametrize(("excerpt", "changed"), [
    ("The harbour council vot [...] the old pier", ("vot", "voted")),
    ("The harbour council votes[...] the old pier", ("votes", "voted")),
])
def test_a_mistyped_word_beside_a_marker_not_glued_to_it_or_not_part_of_the_originals_is_changed(
    excerpt: str, changed: tuple[str, str]
) -> None:
    """Only a word a marker is glued to, and that is the start of the original's word, is a fragment of it."""
    result = run(excerpt, _PIER)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", *changed)]
    assert result.segments[0].source_end == _PIER.index(" on Tuesday")


_JA = "市議会は火曜日の夜、古い桟橋を閉鎖することを決めた。技術者は深刻な懸念を示した。修繕費は五百万ポンドを超えるという。"
_ZH = "市政府周二晚上决定关闭旧码头。工程师表示严重关切。维修费用将超过五百万英镑。"


def test_japanese_written_without_spaces_aligns_character_by_character() -> None:
    """Each Han or Kana character is a word: a cut inside a clause and a changed character are found."""
    result = run("市議会は火曜日の夜[...]閉鎖することを決めた。", _JA)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 9), (15, 26)]
    assert omitted_texts(result) == ["、古い桟橋を"] and result.differences == ()
    result = run("市議会は水曜日の夜、古い桟橋を閉鎖することを決めた。[...]修繕費は五百万ポンドを超えるという。", _JA)
    assert omitted_texts(result) == ["技術者は深刻な懸念を示した。"]
    assert [(d.kind, d.excerpt, d.source, d.source_start) for d in result.differences] == [("changed", "水", "火", 4)]


def test_chinese_written_without_spaces_gives_the_sentence_cut() -> None:
    """A sentence cut between two quoted ones of a Chinese text is the passage omitted."""
    result = run("市政府周二晚上决定关闭旧码头。[\u2026]维修费用将超过五百万英镑。", _ZH)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 15), (25, 38)]
    assert omitted_texts(result) == ["工程师表示严重关切。"] and result.differences == ()


def test_half_width_katakana_with_a_voiced_mark_is_the_full_width_letter() -> None:
    """`ｶﾞｽ` (half width, the voiced mark a character of its own) is `ガス`: NFKC folds them, one word each."""
    result = run("都市ガスの料金が上がった。", "今年、都市ｶﾞｽの料金が上がった。")
    assert [(s.source_start, s.source_end) for s in result.segments] == [(3, 17)]
    assert result.differences == ()


_HI = "कल रात दिल्ली में भारी बारिश हुई और कई सड़कों पर पानी भर गया। नगर निगम ने कहा कि नालों की सफाई जारी है।"
_TH = "สภาเมืองลงมติไม่ปิดท่าเรือเก่าเมื่อคืนวันอังคาร วิศวกรแสดงความกังวลอย่างมาก"
_AR = "قال المتحدث إن التقرير كُتِبَ في الأسبوع الماضي ونُشر أمس بعد مراجعة طويلة."


def test_a_hindi_word_goes_on_through_its_vowel_signs_and_viramas() -> None:
    """`भरी` for `भारी` (heavy) differs only in a vowel sign: a changed word, not two equal consonants."""
    result = run("कल रात दिल्ली में भरी बारिश हुई [...] नगर निगम ने कहा कि नालों की सफाई जारी है।", _HI)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 32), (62, 103)]
    assert omitted_texts(result) == ["और कई सड़कों पर पानी भर गया।"]
    assert [(d.kind, d.excerpt, d.source, d.source_start) for d in result.differences] == [
        ("changed", "भरी", "भारी", 18)]


def test_a_hindi_word_cut_after_its_vowel_sign_is_a_fragment_of_the_originals() -> None:
    """`पा[...]`, the marker glued to a vowel sign, cuts `पानी`: a fragment, as `struc[...]` is, not a changed word."""
    result = run("कल रात दिल्ली में भारी बारिश हुई और कई सड़कों पर पा[...] नगर निगम ने कहा कि नालों की सफाई जारी है।", _HI)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 51), (62, 103)]
    assert omitted_texts(result) == ["नी भर गया।"] and result.differences == ()


def test_vowel_points_are_part_of_an_arabic_word() -> None:
    """`كَتَبَ` (he wrote) for `كُتِبَ` (it was written) differ only in their vowel points: a changed word."""
    result = run("قال المتحدث إن التقرير كَتَبَ في الأسبوع الماضي [...] بعد مراجعة طويلة.", _AR)
    assert omitted_texts(result) == ["ونُشر أمس"]
    assert [(d.kind, d.excerpt, d.source, d.source_start) for d in result.differences] == [
        ("changed", "كَتَبَ", "كُتِبَ", 23)]


@pytest.mark.parametrize("excerpt", [
    "قال المتحدث إن التقرير كتب في الأسبوع الماضي [...] بعد مراجعة طويلة.",          # the quote leaves out the points
    "قال المتحدث إن التقرير كُتب في الأسبوع الماضي [...] بعد مراجعة طويلة.",         # some of them
    "قَالَ المُتَحَدِّثُ إِنَّ التقرير كُتِبَ في الأسبوع الماضي [...] بعد مراجعة طويلة.",  # points words the original leaves bare
    "قــال المتحدث إن التقرير كُتِبَ في الأسبوع الماضي [...] بعد مراجعة طويلة.",       # a tatweel stretches a word
])
def test_arabic_vowel_points_left_out_or_added_and_the_tatweel_are_no_difference(excerpt: str) -> None:
    """Points are written or left out at the writer's choice: only a letter both words point differently
    (`كَتَبَ` for `كُتِبَ`, above) makes a changed word; the tatweel only stretches a word."""
    result = run(excerpt, _AR)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 47), (58, 75)]
    assert omitted_texts(result) == ["ونُشر أمس"] and result.differences == ()


@pytest.mark.parametrize(("excerpt_word", "source_word"), [("م2", "م²"), ("Aكتب", "aكتب"), ("مَ2", "م²")])
def test_arabic_words_that_differ_otherwise_than_in_points_are_told_as_any_word(
        excerpt_word: str, source_word: str) -> None:
    """A word with Arabic letters (no points, or points only one has) that differs in a number form or a letter's
    case is told by the rules of any word; the pointed and bare checks called each other for ever."""
    from provpack.align import _word_kind

    assert _word_kind(excerpt_word, source_word, False) == ("case" if excerpt_word[0] == "A" else "changed")


def test_a_cut_after_a_pointed_letter_omits_the_letter_with_its_point() -> None:
    """The quote goes on at `شر` of `ونُشر`: the passage omitted ends with the damma on its `ن`
    (a key leaves the points out, so `ُشر` matched the fragment too, and the omitted passage lost its point)."""
    result = run("قال المتحدث إن [...]شر أمس بعد مراجعة طويلة.", _AR)
    assert omitted_texts(result) == ["التقرير كُتِبَ في الأسبوع الماضي ونُ"] and result.differences == ()


def test_hebrew_niqqud_left_out_is_no_difference_and_another_vowel_is_a_changed_word() -> None:
    original = "שָׁלוֹם עוֹלָם, אָמַר הַשַּׂר בַּבֹּקֶר וְהָלַךְ הַבַּיְתָה אַחֲרֵי הַיְשִׁיבָה."
    result = run("שלום עולם, אמר השר [...] הביתה אחרי הישיבה.", original)
    assert omitted_texts(result) == ["בַּבֹּקֶר וְהָלַךְ"] and result.differences == ()
    result = run("שָׁלוֹם עוֹלָם, אָמֵר הַשַּׂר [...] הַבַּיְתָה אַחֲרֵי הַיְשִׁיבָה.", original)
    assert [(d.kind, d.excerpt, d.source) for d in result.differences] == [("changed", "אָמֵר", "אָמַר")]


def test_thai_written_without_spaces_aligns_letter_by_letter_with_its_marks() -> None:
    """Each Thai letter with its vowel and tone marks is a word: a cut inside a run of letters is found,
    and `ไม้` (wood) for `ไม่` (not), a tone mark apart, is a changed word."""
    result = run("สภาเมืองลงมติไม่ปิดท่าเรือเก่า[...] วิศวกรแสดงความกังวลอย่างมาก", _TH)
    assert [(s.source_start, s.source_end) for s in result.segments] == [(0, 30), (48, 75)]
    assert omitted_texts(result) == ["เมื่อคืนวันอังคาร"] and result.differences == ()
    result = run("สภาเมืองลงมติไม้ปิดท่าเรือเก่า[...] วิศวกรแสดงความกังวลอย่างมาก", _TH)
    assert [(d.kind, d.excerpt, d.source, d.source_start) for d in result.differences] == [
        ("changed", "ม้", "ม่", 14)]


@pytest.mark.parametrize(("text", "words"), [
    ("ພາສາລາວ", ["ພ", "າ", "ສ", "າ", "ລ", "າ", "ວ"]),
    ("ភាសាខ្មែរ", ["ភា", "សា", "ខ្", "មែ", "រ"]),
    ("မြန်မာဘာသာ", ["မြ", "န်", "မာ", "ဘာ", "သာ"]),
    ("ปี ๒๕๖๗ แล้ว", ["ปี", "๒๕๖๗", "แ", "ล้", "ว"]),
])
def test_lao_khmer_and_burmese_letters_are_words_with_their_marks_and_digits_stay_a_number(
    text: str, words: list[str]
) -> None:
    """Letters of the four scripts written without spaces are words one by one, each with the marks after it
    (a Khmer subscript's sign with the letter before it); their digits stay together, as a number does."""
    assert _tokenize(text).exact[:] == words


def test_a_word_met_again_shares_its_strings_and_offsets_are_machine_integers() -> None:
    """A large original is held lean: each word met again points at the key string of its first occurrence (one
    whatever forms it is met in), its exact form is made when read (and shared when read again), and offsets and
    positions are arrays of 4-byte machine integers, not lists of int objects (a 36 MB page took 1.6 GB), positions
    only of the excerpt's words."""
    text = "The cat saw the cat. Café café CAFÉ the" + " filler" * 300
    words = _tokenize(text)
    assert words.keys[1] is words.keys[4] and words.exact[1] == "cat"        # cat, cat
    assert words.keys[0] is words.keys[3] is words.keys[8] and words.exact[3] is words.exact[8]   # the
    assert words.keys[5] is words.keys[6] is words.keys[7] and words.exact[5] is not words.exact[6]  # café
    assert len({id(word) for word in words.exact[9:]}) == 1
    assert len({id(word) for word in words.keys[9:]}) == 1
    assert isinstance(words.starts, array) and isinstance(words.ends, array)
    assert words.starts.itemsize == words.ends.itemsize == words.keys.numbers.itemsize == 4
    assert words.keys.vocabulary == ["the", "cat", "saw", "café", "filler"]
    assert (list(words.starts[:3]), list(words.ends[:3])) == ([0, 4, 8], [3, 7, 11])
    aligner = _Aligner("the cat", text, {"the", "cat", "dog"})
    assert all(isinstance(found, array) and found.itemsize == 4 for found in aligner.positions().values())
    assert sorted(aligner.positions()) == ["cat", "the"]
    assert list(aligner.positions()["cat"]) == [1, 4]


# A word, plainly: a letter or digit, then its letters, digits, soft hyphens, zero-width characters, marks and points
# between digits, each a pass of a group repeated (provpack 0.6.0's, which took 120 bytes of re's stack a character:
# the reference for the word written without a group's repeat)
_PLAIN_WORD = re.compile(
    r"(?:\[[^\W_]{1,3}\])?[^\W_](?:[^\W_]|[\u00ad\u200b\u200c\u200d\u2060]|(?=[^\x00-\u02ff])[" + COMBINING_MARKS
    + r"]|[.,](?<=\d[.,])(?=\d))*")
# Pieces of text where a word goes on or ends: letters and digits of several scripts (Arabic-Indic, Devanagari and
# full-width digits, a mathematical digit past U+FFFF), points and commas, `_`, hyphens and apostrophes, soft hyphens
# and zero-width characters, combining marks (a Latin accent, Hindi vowel signs and virama, Thai and Burmese vowels
# and tones, Arabic and Hebrew points, one past U+FFFF), modifier letters below U+0300, number forms, Han and kana
# with a sound mark, the tatweel, brackets of a loose initial or a note, white space
_WORD_PIECES = [
    "a", "Z", "\u00e9", "1", ".", ",", "_", "-", "'", "\u2019", "\u2010", "[", "]", " ", "\n", "\u00ad", "\u200b",
    "\u200c", "\u200d", "\u2060", "\ufeff", "\u0640", "\u0301", "\u036f", "\u02b0", "\u02c6", "\u0915", "\u093f",
    "\u094d", "\u0966", "\u0e01", "\u0e34", "\u0e48", "\u0e51", "\u1000", "\u103a", "\u1780", "\u17b6",
    "\u0627", "\u064e", "\u0660", "\u066b", "\u05d0", "\u05b8", "\u4e2d", "\u3042", "\u3099", "\u00b2", "\u00bd",
    "\u2460", "\uff11", "\uff0e", "\U0001d7ce", "\U0001d167", "\U00020000", "[sic]", "[T]", "[ab1]", "[abcd]",
]


@given(st.lists(st.tuples(st.sampled_from(_WORD_PIECES), st.sampled_from([1, 1, 1, 2, 3, 60])), max_size=40)
       .map(lambda pieces: "".join(piece * count for piece, count in pieces)), st.data())
@example("4.5 12,000 1.2.3. 1..2 1,,2 .5 5. a.1 1.a \u0966.\u0967 1_2 co-op it\u2019s", None)
@example("\u0915\u093f\u0924\u093e\u092c \u0645\u064e\u0643\u0652\u062a\u064e\u0628 \u05e9\u05c1\u05b8\u05dc "
         "\u0e17\u0e35\u0e48\u0e19\u0e35\u0e48 a\u0301\u0302 \u02b0a a\u02b0", None)
@example("[T]he [sic]what [ab1]c [abcd]e [a] x\u00ady\u200bz\u200cw\u200dv\u2060u\ufeff 1\u00ad.2 "
         "\u4e2d\u6587\u3042\u3099 10\u00b2 a\u0640b", None)
def test_words_are_the_plain_patterns(text: str, data: st.DataObject | None) -> None:
    """The word pattern, its letters one class's repeat and the rest up to the first place where nothing goes on the
    word a lazy one, finds the words the plain pattern finds, from any position to any bound (match, search and
    finditer: how align uses it), and cuts a text into the same words (spans, forms, keys)."""
    for low in range(len(text) + 1):
        high = len(text) if data is None else data.draw(st.integers(low, len(text)))
        assert ([m.span() for m in align_module._WORD_RE.finditer(text, low, high)]
                == [m.span() for m in _PLAIN_WORD.finditer(text, low, high)])
        for found, expected in ((align_module._WORD_RE.match(text, low, high), _PLAIN_WORD.match(text, low, high)),
                                (align_module._WORD_RE.search(text, low, high), _PLAIN_WORD.search(text, low, high))):
            assert (found and found.span()) == (expected and expected.span())
    words = _tokenize(text, skip_notes=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(align_module, "_WORD_RE", _PLAIN_WORD)
        expected_words = _tokenize(text, skip_notes=True)
    assert ((words.exact[:], words.keys[:], list(words.starts), list(words.ends),
             [words.loose_initial(k) for k in range(len(words.keys))])
            == (expected_words.exact[:], expected_words.keys[:], list(expected_words.starts), list(expected_words.ends),
                [expected_words.loose_initial(k) for k in range(len(expected_words.keys))]))


_LONG_RUNS = {
    "letters": "a" * 200_000,
    "digits and points": "1." * 100_000 + "1",
    "digits and commas": "1," * 100_000 + "1",
    "Hindi letters and vowel signs": "\u0915\u093f" * 100_000,
    "soft hyphens": "a\u00ad" * 100_000 + "a",
    "Arabic letters and points": "\u0645\u064e" * 100_000,
}


@pytest.mark.parametrize("run", _LONG_RUNS.values(), ids=_LONG_RUNS.keys())
def test_a_word_of_200000_characters_is_one_word_in_flat_memory(run: str) -> None:
    """A run of 200,000 letters, digits with points or commas between them, or letters with their marks, in an
    original or a hostile record's conversion text, is one word, found without a frame of re's stack for each
    character (2 million letters, or `1.1.1`, took 232 MiB)."""
    text = f"x {run}. y"
    align_module._WORD_RE.search("a1.1")   # (compiled)
    tracemalloc.start()
    try:
        spans = [m.span() for m in align_module._WORD_RE.finditer(text)]
        found = align_module._WORD_RE.search(text, 2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert spans == [(0, 1), (2, 2 + len(run)), (len(text) - 1, len(text))]
    assert found is not None and found.span() == (2, 2 + len(run))
    assert peak < 100_000, peak


def test_long_runs_are_the_words_they_were() -> None:
    """Long runs are cut as they were: a number's last point or comma before no digit ends it, a mark after a word
    goes on it, and a Thai run is a word for each letter with its marks."""
    assert [m.span() for m in align_module._WORD_RE.finditer("1." * 50_000 + ". 2,3," * 2)] == [
        (0, 99_999), (100_002, 100_005), (100_008, 100_011)]
    assert [m.span() for m in align_module._WORD_RE.finditer("a" * 50_000 + "\u0301" * 50_000 + "_b")] == [
        (0, 100_000), (100_001, 100_002)]
    words = _tokenize("\u0e01\u0e34" * 20_000)
    assert len(words.exact) == 20_000 and set(words.exact) == {"\u0e01\u0e34"} and words.ends[-1] == 40_000


def test_a_run_of_thai_letters_is_split_in_memory_shared_by_its_repeated_letters() -> None:
    """A run of 100,000 Thai letters is 100,000 words held as pointers to a few strings, not each its own (a list
    of every part first and two strings a part took some 190 bytes a letter: 2 million Thai characters, 377 MiB),
    and the words are those of splitting the run part by part."""
    run = "".join(chr(0x0E01 + k % 40) + ("\u0e48" if k % 3 else "") for k in range(100_000))
    text = f"x {run}. y"
    _tokenize(text[:50])   # (the patterns compiled)
    tracemalloc.start()
    try:
        words = _tokenize(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    parts = [m for m in align_module._ideograph_re().finditer(run)]
    assert [(w, s, e) for w, s, e in zip(words.exact, words.starts, words.ends)][1:-1] == [
        (align_module._forms(m.group())[0], 2 + m.start(), 2 + m.end()) for m in parts]
    assert words.keys[1:-1] == [align_module._forms(m.group())[1] for m in parts]
    assert len({id(word) for word in words.exact}) <= 2 * 40 + 2   # (a string for each letter, with and without its mark)
    assert peak < 8_000_000, peak   # (the lists and arrays of 100,000 words: some 4.4 MB)
