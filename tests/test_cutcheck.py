"""cutcheck applies alignment's rules for what a marker cut to a record and the conversion text: wherever the
record tells what a rule needs, it gives what alignment gave; elsewhere it says it cannot tell.

The property tests write records as provpack writes them (parse, analyse, describe, align: the writer, which
cutcheck does not import) for quotes made of an original's words, cut, reordered and changed."""

from __future__ import annotations

import json
import re
import tracemalloc
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack import cutcheck, origcheck
from provpack.align import align
from provpack.cutcheck import Cuts, Piece, pieces
from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.metadata import merge
from provpack.provenance import AlignedOriginal, add_alignment, describe

VOCABULARY = ["harbour", "council", "voted", "Tuesday", "night", "close", "old", "pier", "citing", "serious",
              "concerns", "engineers", "found", "wooden", "piles", "rotted", "repairs", "cost", "million", "fenced",
              "Monday", "town", "ninety", "years", "fishermen", "tourists", "the", "and", "of", "to"]
WORDS = re.compile(r"[^\W_]+")
SEPARATORS = [" [...] ", " ... ", " \u2026 ", " (...) ", " [...]\n\n", " [\u2026] ", "... [...] ", " [sic] ", " ",
              "[...]", "...", " [...]", "[...] "]   # (the last ones glued to the word cut on either side)


def written(excerpt: str, original: str) -> tuple[dict[str, Any], str]:
    """The provenance record provpack writes for `excerpt` aligned with `original`, as a reader sees it, and
    the excerpt's text."""
    document = parse_document("x", excerpt.encode("utf-8"))
    analysis = analyse(document)
    doc = describe(document, analysis, merge(document.parsed, None), target_uri="urn:x", record_id="<urn:uuid:x>",
                   sha256="0" * 64)
    alignment = align(document.text, [(s.span.start, s.span.end) for s in analysis.segments],
                      [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions], original,
                      quoted=(document.body.start, document.body.end))
    add_alignment(doc, AlignedOriginal(description={"how": "local"}, text=original, target_uri="urn:o",
                                       conversion_record_id="<urn:uuid:c>", alignment=alignment))
    return json.loads(json.dumps(doc)), document.text


@st.composite
def quotes(draw: st.DrawFn) -> tuple[str, str]:
    """An original of paragraphs of sentences, and a quote of runs of its words: cut (maybe inside their edge
    words), maybe reordered, repeated or changed, with markers between and at its ends, and maybe a header with
    a marker in its title."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        sentences = [" ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=10))).capitalize()
                     + draw(st.sampled_from([".", ",", " ...", "."])) for _ in range(draw(st.integers(1, 4)))]
        paragraphs.append(" ".join(sentences))
    original = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n"])).join(paragraphs) + "\n"
    bounds = [(m.start(), m.end()) for m in WORDS.finditer(original)]
    runs = []
    for _ in range(draw(st.integers(1, 5))):
        first = draw(st.integers(0, len(bounds) - 1))
        last = min(len(bounds) - 1, first + draw(st.integers(0, 8)))
        run = original[bounds[first][0]:bounds[last][1]]
        if draw(st.integers(0, 4)) == 0:
            run = run.replace(original[slice(*bounds[first])], draw(st.sampled_from(VOCABULARY)), 1)
        if draw(st.integers(0, 3)) == 0:   # letters cut off its edge words
            words = list(WORDS.finditer(run))
            head = draw(st.integers(0, words[0].end() - 1))
            tail = draw(st.integers(0, len(run) - words[-1].start() - 1))
            run = run[head:len(run) - tail] if head < len(run) - tail else run
        runs.append((first, run))
    if draw(st.booleans()):
        runs.sort()
    text = draw(st.sampled_from(["", "[...] ", "... ", "\u2026 "])) + runs[0][1]
    for _, run in runs[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + run
    text += draw(st.sampled_from(["", " [...]", "...", " (\u2026)"]))
    if draw(st.booleans()):
        text = "12 November 2017\n\nThe Harbour Times: The pier [...] closes\n\n" + text
    return text + "\n", original


def expected(doc: dict[str, Any], excerpt: str | None, original: str) -> tuple[Cuts, list[tuple[str | None, Any]]]:
    cuts = Cuts(pieces(doc, excerpt) or [], doc["segments"], doc["parts"]["body"], original)
    return cuts, [cuts.cut(e["start"], e["end"], e["kind"], e["marker"]) for e in doc["elisions"]]


@given(quotes())
def test_what_the_rules_tell_is_what_alignment_gave(quote: tuple[str, str]) -> None:
    """Each scope, passage and reason cutcheck tells is the one the writer wrote (with the excerpt's words at
    hand, or not), and a cut between segments with words on both sides is always told when they are (the
    record gives each segment's span, which alignment judges it by); in_order is whether a segment follows
    the segment found before it."""
    doc, excerpt = written(*quote)
    original = quote[1]
    for words in (excerpt, None):
        _, cuts_of = expected(doc, words, original)
        for elision, (scope, cut) in zip(doc["elisions"], cuts_of):
            assert scope is None or scope == elision["omitted_scope"]
            if cut is None:
                assert not (scope == "between" and elision["kind"] == "bracketed" and not doc["alterations"]
                            and words is not None), elision
                continue
            omitted = elision["omitted"]
            if cut.passage is not None and omitted is None:
                assert cut.shared and elision["omitted_reason"] == cutcheck.SHARED, (elision, cut)
            elif cut.passage is not None:
                assert (omitted["start"], omitted["end"]) == cut.passage
            else:
                assert omitted is None and elision["omitted_reason"] in cut.reasons, (elision, cut)
    previous = None
    for segment in doc["segments"]:
        if segment["source_start"] is not None:
            span = (segment["source_start"], segment["source_end"])
            assert segment["in_order"] == (previous is None or cutcheck.follows(previous, span, original))
            previous = span


def told(cut: cutcheck.Cut | None) -> tuple[Any, ...] | None:
    """A cut's passage, reasons and why, in words."""
    return None if cut is None else (cut.passage, cut.reasons, cut.why())


def test_a_possible_marker_inside_a_segment_is_not_told() -> None:
    """Words on both sides of a `...` inside a segment: the record gives only the segment's whole span, so
    what the marker cut is not told; a cut after that segment is (alignment judges it by that span)."""
    original = "The harbour council voted on Tuesday night to close the old pier, citing concerns.\n"
    doc, excerpt = written("The harbour council voted on Tuesday night ... citing concerns. [...]\n", original)
    assert [e["kind"] for e in doc["elisions"]] == ["possible", "bracketed"]
    assert doc["elisions"][0]["omitted"]["text"] == "to close the old pier,"
    _, [(scope, inside), (end_scope, end)] = expected(doc, excerpt, original)
    assert (scope, inside) == ("between", None)
    assert doc["elisions"][1]["omitted_reason"] == "nothing omitted before the end of the paragraph in the original"
    assert end_scope == "paragraph-end" and told(end) == (
        None, ("nothing omitted before the end of the paragraph in the original",), "characters 83-83 of the"
        " conversion text, from the end of segments[0] (82) to the end of its paragraph (83), white space trimmed,"
        " hold no words: ''")


def test_a_possible_marker_at_a_segment_end_is_told() -> None:
    """A `...` ending the quote: its segment's one piece of words is the segment, so the cut to the
    paragraph's end is told."""
    original = "The harbour council voted on Tuesday.\n\nAnother paragraph.\n"
    doc, excerpt = written("The harbour council voted...\n", original)
    _, [(scope, cut)] = expected(doc, excerpt, original)
    assert scope == "paragraph-end" and told(cut) == (
        (26, 37), (), "characters 26-37 of the conversion text, from the end of segments[0] (25) to the end of its"
        " paragraph (37), white space trimmed, hold words: 'on Tuesday.'")
    assert doc["elisions"][0]["omitted"]["text"] == "on Tuesday."


def test_a_marker_in_the_title_and_one_with_no_segment() -> None:
    """A marker in the header cuts nothing (its scope paragraph-start); a quote of markers only has no
    neighbours. (A header line holds no bracketed cut: such a line is quoted text, document.py.)"""
    original = "The pier closes. Engineers found rot.\n"
    doc, excerpt = written("12 November 2017\n\nThe Harbour Times: The pier ... closes\n\nEngineers found rot.\n",
                           original)
    _, [(scope, cut)] = expected(doc, excerpt, original)
    assert doc["elisions"][0]["omitted_reason"] == cutcheck.HEADER
    assert scope == "paragraph-start" and told(cut) == (
        None, (cutcheck.HEADER,), "the marker is in the title/header, before the quoted text (parts.body 58-78)")
    doc, excerpt = written("[...] ... [...]\n", original)
    _, cuts_of = expected(doc, excerpt, original)
    assert [e["omitted_reason"] for e in doc["elisions"]] == [cutcheck.ALONE] * 3
    assert [told(cut) for _, cut in cuts_of] == [
        (None, (cutcheck.ALONE,), "no segment with words lies on either side of the marker")] * 3


def test_an_omission_mark_quoting_the_originals_own_cuts_nothing() -> None:
    """`［略］` where the original has `（略）` (the same word in brackets) quotes the original's own mark: nothing
    omitted, MARKER_ITSELF, as alignment gives; the passage `（略）` this session's first reading gave, or another
    reason, is said. `［中略］` there cut the `（略）`."""
    original = "\u8bc1\u660e\uff08\u7565\uff09\u3002\u4f8b4 \u6c42\u89e3\u3002\n"   # 证明（略）。例4 求解。
    doc, excerpt = written("\u8bc1\u660e\uff3b\u7565\uff3d\u3002\u4f8b4 \u6c42\u89e3\u3002\n", original)
    (elision,) = doc["elisions"]
    assert (elision["kind"], elision["omitted"], elision["omitted_reason"]) == (
        "bracketed", None, cutcheck.MARKER_ITSELF)
    _, [(scope, cut)] = expected(doc, excerpt, original)
    assert scope == "between" and told(cut) == (None, (cutcheck.MARKER_ITSELF,), (
        "characters 2-5 of the conversion text, from the end of segments[0] (2) to the start of segments[1] (5),"
        " white space trimmed, hold words: '\uff08\u7565\uff09', the same omission mark as the marker"
        " '\uff3b\u7565\uff3d'"))

    def said(record: dict[str, Any]) -> list[str]:
        origcheck._rules()   # (origcheck imports cutcheck when first needed)
        cuts = Cuts(pieces(doc, excerpt) or [], doc["segments"], doc["parts"]["body"], original)
        return origcheck._cut_messages("elisions[0]", record, cuts, original, [])

    assert said(elision) == []
    why = ("characters 2-5 of the conversion text, from the end of segments[0] (2) to the start of segments[1] (5),"
           " white space trimmed, hold words: '\uff08\u7565\uff09', the same omission mark as the marker"
           " '\uff3b\u7565\uff3d'")
    passage = {"text": "\uff08\u7565\uff09", "start": 2, "end": 5}
    assert said({**elision, "omitted": passage, "omitted_reason": None}) == [
        f"elisions[0].omitted: a passage is omitted (between), but {why}"]
    nothing = cutcheck.NOTHING_BY_SCOPE["between"]
    assert said({**elision, "omitted_reason": nothing}) == [
        f"elisions[0]: omitted_reason {nothing!r}, but {why}: alignment gives {cutcheck.MARKER_ITSELF!r}"]
    doc, excerpt = written("\u8bc1\u660e\uff3b\u4e2d\u7565\uff3d\u3002\u4f8b4 \u6c42\u89e3\u3002\n", original)
    assert doc["elisions"][0]["omitted"]["text"] == "\uff08\u7565\uff09"
    _, [(_, cut)] = expected(doc, excerpt, original)
    assert cut is not None and cut.passage == (2, 5)


def test_a_cut_from_a_paragraph_start_stops_at_a_segment_found_there() -> None:
    """Segments quoted out of order: the cut opening the quote runs from the end of the segment found before
    its neighbour, not from the paragraph's start; the cut between them omits nothing."""
    original = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu.\n"
    doc, excerpt = written("[...] Iota kappa lambda mu. [...] Alpha beta gamma delta.\n", original)
    _, [(_, first), (_, second)] = expected(doc, excerpt, original)
    assert doc["elisions"][0]["omitted"]["text"] == "Epsilon zeta eta theta."
    assert first is not None and first.passage == (24, 47)
    assert first.stretch() == "from the end of segments[1] (23) to the start of segments[0] (48)"
    out_of_order = ("segments out of order: the segment after the marker comes before the one preceding it in the"
                    " original")
    assert doc["elisions"][1]["omitted_reason"] == out_of_order
    assert told(second) == (None, (out_of_order,), "segments[1] after the marker (source 0-23) does not"
                            " follow segments[0] before it (source 48-69) in the original")


OVERLAP = ("segments overlap: the segment after the marker quotes words of the original that the one before it"
           " quotes too")


def test_a_segment_quoting_words_the_one_before_it_quotes_overlaps() -> None:
    """A passage quoted twice: the cut between omits nothing, the segments overlap (each is its one piece)."""
    original = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu.\n"
    doc, excerpt = written("Alpha beta gamma delta. [...] Gamma delta. Epsilon zeta.\n", original)
    assert [(s["source_start"], s["source_end"], s["in_order"]) for s in doc["segments"]] == [
        (0, 23, True), (11, 36, False)]
    _, [(scope, cut)] = expected(doc, excerpt, original)
    assert doc["elisions"][0]["omitted_reason"] == OVERLAP
    assert scope == "between" and told(cut) == (None, (OVERLAP,), "segments[1] after the marker (source 11-36) does"
                                                " not follow segments[0] before it (source 0-23) in the original")


def test_a_segment_in_pieces_around_another() -> None:
    """segments[1] quotes text before and after segments[0] on either side of a `...`: its span covers both
    pieces and so segments[0]'s, and whether two pieces overlap is not told (either reason passes); a cut
    from the paragraph's start to segments[0] stops at a piece's end inside segments[1]'s span: not told."""
    original = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu.\n"
    doc, excerpt = written("[...] Epsilon zeta eta theta. [...] Alpha beta gamma delta. ... Iota kappa lambda mu.\n",
                           original)
    assert [(s["source_start"], s["source_end"], s["in_order"]) for s in doc["segments"]] == [
        (24, 47, True), (0, 69, False)]
    _, [(first_scope, first), (scope, between), (_, inside)] = expected(doc, excerpt, original)
    assert doc["elisions"][0]["omitted_reason"] == "nothing omitted after the start of the paragraph in the original"
    assert (first_scope, first) == ("paragraph-start", None)
    out_of_order = ("segments out of order: the segment after the marker comes before the one preceding it in the"
                    " original")
    assert doc["elisions"][1]["omitted_reason"] == out_of_order
    assert scope == "between" and told(between) == (
        None, (OVERLAP, out_of_order), "segments[1] after the marker (source 0-69) does not follow segments[0]"
        " before it (source 24-47) in the original")
    assert inside is None


def test_pieces_and_their_words() -> None:
    """Segments cut at the markers inside them; a piece whose letters are all in editorial brackets is not
    told (`[sic]` is no word to alignment); without the excerpt, only an empty piece is told."""
    excerpt = "Alpha [sic] ... beta...\n"
    doc: dict[str, Any] = {
        "segments": [{"start": 0, "end": 22}],
        "elisions": [{"start": 12, "end": 15, "kind": "possible"}, {"start": 19, "end": 22, "kind": "possible"}],
        "alterations": [{"start": 6, "end": 11}]}
    assert pieces(doc, excerpt) == [Piece(0, 12, 0, True), Piece(15, 19, 0, True), Piece(22, 22, 0, False)]
    doc["segments"][0]["start"] = 6
    assert pieces(doc, excerpt) == [Piece(6, 12, 0, None), Piece(15, 19, 0, True), Piece(22, 22, 0, False)]
    assert pieces(doc, None) == [Piece(6, 12, 0, None), Piece(15, 19, 0, None), Piece(22, 22, 0, False)]
    doc["segments"].append({"start": 20, "end": 22})
    assert pieces(doc, excerpt) is None   # (segments overlapping: not what alignment is given)
    assert pieces({"segments": [{"start": "0", "end": 22}], "elisions": []}, excerpt) is None


@pytest.mark.parametrize(("segments", "elisions", "alterations"), [
    ([(0, "22")], [], []), ([(5, 3)], [], []), ([(0, 10), (9.0, 22)], [], []), ([(-1, 22)], [], []),
    ([(0, 22)], [("12", 15)], []), ([(0, 22)], [(12, "15")], []), ([(0, 22)], [(15, 12)], []),
    ([(0, 22)], [(12, 15)], [("6", 11)]), ([(0, 22)], [(12, 15)], [(6, "11")]), ([(0, 22)], [(12, 15)], [(11, 6)])])
def test_pieces_of_lists_not_of_the_shape_written(segments: list[tuple[Any, Any]], elisions: list[tuple[Any, Any]],
                                                   alterations: list[tuple[Any, Any]]) -> None:
    """A segment, marker or bracket whose start or end is not a number of characters, or that ends before it starts
    (or a segment that starts before the one before it ends): no pieces (said by origcheck and provcheck)."""
    doc = {"segments": [{"start": start, "end": end} for start, end in segments],
           "elisions": [{"start": start, "end": end, "kind": "possible"} for start, end in elisions],
           "alterations": [{"start": start, "end": end} for start, end in alterations]}
    assert pieces(doc, "Alpha [sic] ... beta...\n") is None


def test_pieces_of_lists_without_their_fields() -> None:
    """A marker without its kind, a segment without its end, no list of elisions: no pieces."""
    excerpt = "Alpha beta\n"
    assert pieces({"segments": [{"start": 0, "end": 10}], "elisions": [{"start": 5, "end": 6}]}, excerpt) is None
    assert pieces({"segments": [{"start": 0}], "elisions": []}, excerpt) is None
    assert pieces({"segments": [{"start": 0, "end": 10}], "elisions": 5}, excerpt) is None


def test_pieces_of_empty_and_adjacent_spans() -> None:
    """Empty segments, markers and brackets, and a segment starting where the one before it ends, are of the shape
    written; a marker reaching past its segment's end, or starting inside the marker before it, cuts nothing."""
    excerpt = "Alpha beta gamma delta\n"
    doc: dict[str, Any] = {
        "segments": [{"start": 0, "end": 5}, {"start": 5, "end": 5}, {"start": 5, "end": 16}],
        "elisions": [{"start": 6, "end": 6, "kind": "possible"}, {"start": 10, "end": 12, "kind": "possible"},
                     {"start": 11, "end": 13, "kind": "possible"}, {"start": 15, "end": 18, "kind": "possible"}],
        "alterations": [{"start": 3, "end": 3}]}
    assert pieces(doc, excerpt) == [Piece(0, 5, 0, True), Piece(5, 5, 1, False), Piece(5, 6, 2, False),
                                    Piece(6, 10, 2, True), Piece(12, 16, 2, True)]


def test_follows() -> None:
    text = "one, two three"
    assert cutcheck.follows((0, 4), (4, 8), text) and cutcheck.follows((0, 4), (3, 8), text)
    assert not cutcheck.follows((0, 8), (5, 14), text) and not cutcheck.follows((5, 8), (0, 4), text)


MAYOR = ("The mayor said no. Then the council voted on the budget for the new school. Later the mayor said no. "
         "The council adjourned at noon and everyone went home.\n")


def test_markers_with_no_word_between_them_cut_one_passage() -> None:
    """`[...] [...] [...]`: the three have the same neighbours; the first omits the passage, the others nothing,
    told with the excerpt's words at hand or not. Before 0.6.0 (`once` false) each of them omitted it."""
    doc, excerpt = written("The mayor said no. [...] [...] [...] everyone went home.\n", MAYOR)
    assert [e["omitted_reason"] for e in doc["elisions"]] == [None, cutcheck.SHARED, cutcheck.SHARED]
    passage = ((101, 134), (), "characters 101-134 of the conversion text, from the end of segments[0] (100) to the"
               " start of segments[1] (135), white space trimmed, hold words: 'The council adjourned at noon and'")
    shared = (None, (cutcheck.SHARED,), "the marker at characters 19-24 before it, with no word between them, omits"
              " the passage (characters 101-134 of the conversion text)")
    for words in (excerpt, None):
        cuts, cuts_of = expected(doc, words, MAYOR)
        assert [(scope, told(cut)) for scope, cut in cuts_of] == [("between", passage)] + [("between", shared)] * 2
        again = cuts.cut(25, 30, "bracketed")   # (asked out of text order: its passage, or none for another's)
        assert again[0] == "between" and again[1] is not None and (again[1].passage, again[1].shared) == (
            (101, 134), True)
    cuts = Cuts(pieces(doc, excerpt) or [], doc["segments"], doc["parts"]["body"], MAYOR, once=False)
    assert [told(cuts.cut(e["start"], e["end"], e["kind"])[1]) for e in doc["elisions"]] == [passage] * 3


def test_a_marker_after_a_word_cuts_a_passage_of_its_own() -> None:
    """A word between two markers (`no. [...] Later [...] everyone`): two runs, each marker omits its own passage."""
    doc, excerpt = written("The mayor said no. [...] Later [...] everyone went home.\n", MAYOR)
    _, cuts_of = expected(doc, excerpt, MAYOR)
    assert [cut is not None and cut.passage for _, cut in cuts_of] == [(19, 75), (82, 134)]
    assert [e["omitted"]["text"] for e in doc["elisions"]] == [MAYOR[19:75], MAYOR[82:134]]


def test_after_a_marker_not_told_a_marker_of_its_run_may_have_lost_its_passage_to_it() -> None:
    """`said no... [...]` in a segment of two pieces: what the `...` cut is not told (its piece's span is not), so
    the `[...]` beside it omits its passage or nothing, the `...` having it (`shared`): either passes."""
    doc, excerpt = written("The mayor ... said no... [...] everyone went home.\n", MAYOR)
    assert [(e["omitted"] and e["omitted"]["start"], e["omitted_reason"]) for e in doc["elisions"]] == [
        (None, "nothing omitted: the segments are adjacent in the original"), (99, None), (None, cutcheck.SHARED)]
    _, cuts_of = expected(doc, excerpt, MAYOR)
    assert [cut for _, cut in cuts_of[:2]] == [None, None]
    last = cuts_of[2][1]
    assert last is not None and (last.passage, last.reasons, last.shared) == ((99, 134), (), True)


TOLD = ("characters 2-4 of the conversion text, from the end of segments[0] (2) to the end of its paragraph (4), white"
        " space trimmed, hold no words: '\u2026\u2026'")


def test_a_two_character_ellipsis_in_the_original_is_its_own() -> None:
    """A `……` (two U+2026) ending the quote where the original's paragraph ends with one: the original's own
    ellipsis by this aligner's rule, as the writer says; a record of a provpack before 0.6.0, whose aligner took
    one `…` only, is judged by that rule ("nothing omitted before the end of the paragraph")."""
    original = "\u4ed6\u8bf4\u2026\u2026\n\n\u4e0b\u4e00\u6bb5\u3002\n"   # 他说……  下一段。
    doc, excerpt = written("\u4ed6\u8bf4\u2026\u2026\n", original)
    assert doc["elisions"][0]["omitted_reason"] == cutcheck.ELLIPSIS_ITSELF
    _, [(scope, cut)] = expected(doc, excerpt, original)
    assert scope == "paragraph-end" and told(cut) == (None, (cutcheck.ELLIPSIS_ITSELF,), TOLD)
    before = Cuts(pieces(doc, excerpt) or [], doc["segments"], doc["parts"]["body"], original, ellipsis_before=True)
    assert told(before.cut(2, 4, "possible")[1]) == (
        None, ("nothing omitted before the end of the paragraph in the original",), TOLD)


@given(st.lists(st.sampled_from([".", " ", "\u2026", "\u22ef", "\u2025", "\uff0e", "(", ")", "[", "]", "\uff08", "\uff09",
                                 "\uff3b", "\uff3d", "\u3010", "\u3011", "\u3014", "\u3015", "\n", "a"]),
                max_size=10).map("".join))
def test_the_originals_own_ellipsis_is_alignments(text: str) -> None:
    """cutcheck's rule of the original's own ellipsis is the aligner's (it checks alignment's claims)."""
    from provpack import align as aligner

    assert (aligner._ELLIPSIS_RE.fullmatch(text) is None) == (cutcheck._ELLIPSIS.fullmatch(text) is None)


# A blank line or more, plainly: a line break, then spaces and a line break, once or more (a group repeated)
_PLAIN_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?:[^\S\r\n]*(?:\r\n|\r(?!\n)|\n))+")


@given(st.lists(st.sampled_from(["\n", "\r", "\r\n", " ", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u3000", "a"]),
                max_size=30).map("".join), st.data())
@example("x\n \n\t\r\n\r\r \ny", None)
@example("\n\r", None)
def test_a_paragraph_break_is_the_plain_patterns(text: str, data: st.DataObject | None) -> None:
    """cutcheck's (and the aligner's) blank lines, written without a group's repeat, are where the plain pattern finds
    them, from any position to any bound."""
    from provpack import align as aligner

    for low in range(len(text) + 1):
        high = len(text) if data is None else data.draw(st.integers(low, len(text)))
        expected = [m.span() for m in _PLAIN_PARAGRAPH_BREAK.finditer(text, low, high)]
        assert [m.span() for m in cutcheck._PARAGRAPH_BREAK.finditer(text, low, high)] == expected
        assert [m.span() for m in aligner._PARAGRAPH_BREAK_RE.finditer(text, low, high)] == expected


def test_a_million_blank_lines_are_one_paragraph_break_in_flat_memory() -> None:
    """A conversion text with a million line breaks in a row (a hostile record's, or an original's) is one paragraph
    break, found without a frame of re's stack for each (2 million took 340 MB)."""
    from provpack import align as aligner

    text = "a" + "\n \r\n" * 500_000 + "b"
    for pattern in (cutcheck._PARAGRAPH_BREAK, aligner._PARAGRAPH_BREAK_RE):
        tracemalloc.start()
        try:
            found = pattern.search(text)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert found is not None and found.span() == (1, len(text) - 1)
        assert peak < 100_000, peak


def test_a_marker_in_the_trailer_and_one_without_the_body_told() -> None:
    """A marker after the quoted text (parts.body) is in the trailer: it omits nothing, for that reason; without
    the body told (no parts.body), what a marker cut is not told."""
    text = "Alpha beta gamma.\n"
    scope, cut = Cuts([], [], [0, 10], text).cut(12, 15, "bracketed")
    assert scope == "paragraph-start" and told(cut) == (
        None, (cutcheck.TRAILER,), "the marker is in the trailer, after the quoted text (parts.body 0-10)")
    assert Cuts([], [], None, text).cut(12, 15, "bracketed") == ("paragraph-start", None)
    assert Cuts([], [], [0, 20], text).cut(12, 15, "bracketed")[1] is not None


def test_without_the_excerpt_a_marker_inside_a_segment_has_no_scope_told() -> None:
    """Without the excerpt's words, the pieces either side of a `...` inside a segment may hold none: its scope is
    not told (with them, both hold words: between)."""
    original = "The harbour council voted on Tuesday night to close the old pier, citing concerns.\n"
    doc, excerpt = written("The harbour council voted on Tuesday night ... citing concerns. [...]\n", original)
    assert [scope for scope, _ in expected(doc, None, original)[1]] == [None, "paragraph-end"]
    assert [scope for scope, _ in expected(doc, excerpt, original)[1]] == ["between", "paragraph-end"]
