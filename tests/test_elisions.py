"""Tests for provpack.elisions."""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack import elisions
from provpack.document import parse_document
from provpack.elisions import (_ALTERATION, _BRACKETED, _POSSIBLE, _SPACE, _overlaps, analyse, holds_bracketed_mark,
                               is_cut, possible_matches)
from provpack.errors import InputError
from provpack.model import Document, Marker

from conftest import SEED_NAME, SEEDS
from strategies import MARKERS, excerpt_texts


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


def test_what_pads_a_marker_is_every_unicode_space_the_tab_and_three_zero_width_characters() -> None:
    """_SPACE holds exactly Zs, the tab, U+200B, U+2060 and U+FEFF (written out: Python's Unicode version may
    change, what is a marker may not); not line breaks, the joiners U+200C/U+200D nor the soft hyphen."""
    pads = {chr(code) for code in range(0x110000) if re.fullmatch(_SPACE, chr(code))}
    spaces = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Zs"}
    assert pads == spaces | {"\t", "\u200b", "\u2060", "\ufeff"}
    for text in ("a [\u200c...] b", "a [\u200d...] b", "a [\u00ad...] b", "a [\x0b...] b"):
        analysis = analysed(text)
        assert (analysis.elisions, [a.text for a in analysis.alterations]) == ((), [text[2:8]])
    analysis = analysed("a [\r\n...] b")   # (a line break: not padding, and no alteration)
    assert ([(e.marker.text, e.kind) for e in analysis.elisions], analysis.alterations) == ([("...", "possible")], ())


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


_REFERENCE_POSSIBLE = re.compile(
    rf"\({_SPACE}*(?:[.\u2026]{_SPACE}*)+\)|\.(?:{_SPACE}?\.){{2,}}|\u2026+"
)


@given(st.text(st.sampled_from(list("(). \u2026\u00a0\u2009\u202f\t\u200b\u3000a[]\n")), max_size=60), st.data())
def test_possible_pattern_matches_its_plain_form(text: str, data: st.DataObject) -> None:
    """The fast _POSSIBLE finds exactly what the plain alternation finds, within any bounds."""
    end = data.draw(st.integers(0, len(text)))
    assert ([m.span() for m in _POSSIBLE.finditer(text, 0, end)]
            == [m.span() for m in _REFERENCE_POSSIBLE.finditer(text, 0, end)])


DOTTY = st.lists(st.sampled_from([".", " .", "\u00a0.", "\u2009.", "\u202f.", "\t.", "\u200b.", "\ufeff.", "(", ")",
                                  "\u2026", " ", "a", "[", "]"]), max_size=30).map("".join)


@given(DOTTY, st.integers(0, 60))
@example("a.\u202f.\u202f.", 60)
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
def test_possible_matches_window_by_window(text: str, bound: int, window: int) -> None:
    """possible_matches gathers candidates a window at a time; no window edge loses or splits a match."""
    end = min(bound, len(text))
    with _window(window):
        found = [m.span() for m in possible_matches(text, end)]
    assert found == [m.span() for m in _POSSIBLE.finditer(text, 0, end)]


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
     "[...]", "[\u2026]", "[. . .]", "[sic]", "[T]", "...", ". . .", "(...)", "\n\nNo comments:\n\nPost a Comment\n"]),
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
    cut_spans = [m.span() for m in cuts]
    alterations = [m for m in _ALTERATION.finditer(text, 0, limit) if not overlaps(cut_spans, *m.span())]
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
def test_analysis_is_the_plain_algorithm(text: str) -> None:
    """analyse (each '[' tried once, byte offsets walked between markers) finds what the plain algorithm finds."""
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


def test_a_cut_in_the_title_is_recorded_but_does_not_split_the_body() -> None:
    """A bracketed cut in the header's title is an elision, but segments are cut from the body alone."""
    text = "The Atlantic: Al-Qaeda [...] Rebuilt\n\nBody text [...] more words."
    analysis = analysed(text)
    assert [(e.marker.span.start, e.kind) for e in analysis.elisions] == [(23, "bracketed"), (48, "bracketed")]
    assert [text[s.span.start:s.span.end] for s in analysis.segments] == ["Body text", "more words."]


@pytest.mark.parametrize("text, start, end, holds", [
    ("[...] x", 0, 7, True),          # a mark at offset 0
    ("[sic]", 0, 5, True),
    ("x [ y [...]", 0, 11, True),     # a '[' that starts nothing, then a cut
    ("x [ y", 0, 5, False),           # a '[' never closed
    ("[...] x", 1, 7, False),         # the mark starts before the range
    ("x [...]", 0, 6, False),         # ... or ends after it
])
def test_holds_bracketed_mark_within_its_range(text: str, start: int, end: int, holds: bool) -> None:
    """holds_bracketed_mark looks at every '[' in text[start:end], and only there."""
    assert holds_bracketed_mark(text, start, end) is holds
