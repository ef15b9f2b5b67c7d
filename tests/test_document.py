"""Tests for provpack.document: strict decoding and the fields the layout gives."""

from __future__ import annotations

from pathlib import Path

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack import document
from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.errors import InputError
from provpack.model import Document, Span

from conftest import SEED_NAME, SEEDS


def fields(raw: bytes) -> dict[str, str]:
    return {f.name: f.value for f in parse_document("doc", raw).parsed}


def test_seed_fields_and_spans() -> None:
    """The seed's date, publication and title are found, each with the span it came from."""
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    found = {f.name: f for f in document.parsed}
    assert found["published"].value == "2017-11-12"
    assert document.text[found["published"].span.start:found["published"].span.end] == "12 November 2017"
    assert found["publication"].value == "The Atlantic"
    assert found["title"].value == "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help"
    title = found["title"].span
    assert raw[title.byte_start:title.byte_end].decode() == found["title"].value
    assert document.text[document.body.start:].startswith("Our research reveals")
    assert document.text[document.body.end - 20:document.body.end] == "encouraging a split."
    assert document.trailer is not None
    assert document.text[document.trailer.start:document.trailer.end] == "No comments:\n\nPost a Comment"
    assert document.newline == "LF" and not document.final_newline and not document.has_bom


def test_plain_quote_has_no_fields_and_whole_body() -> None:
    """A text of another shape still parses: no fields, the body is all of it."""
    raw = b"Four score and seven years ago [...] shall not perish from the earth.\n"
    document = parse_document("gettysburg", raw)
    assert document.parsed == ()
    assert document.header is None and document.trailer is None
    assert document.text[document.body.start:document.body.end] == raw.decode().strip()


@pytest.mark.parametrize("line, iso", [
    ("12 November 2017", "2017-11-12"),
    ("Sunday, November 12, 2017", "2017-11-12"),
    ("Sunday, 12 November 2017", "2017-11-12"),
    ("2017-11-12", "2017-11-12"),
    ("3 Sept. 1919", "1919-09-03"),
])
def test_date_line_forms(line: str, iso: str) -> None:
    """The common date-line forms give an ISO date."""
    assert fields(f"{line}\n\nSome quoted text.".encode())["published"] == iso


def test_invalid_date_is_not_a_field() -> None:
    """A date-shaped line that is no real date is left as text."""
    assert "published" not in fields(b"31 February 2017\n\nText.")


def test_sentence_with_colon_is_not_a_title() -> None:
    """'Note: a sentence.' in running text is not a publication and title."""
    assert fields(b"Note: this is a sentence that ends.\n\nMore.") == {}
    assert fields(b"He said: it was so\nand more") == {}


def test_crlf_bom_and_trailer() -> None:
    """CRLF lines, a BOM and a trailer are all handled; offsets count the BOM."""
    raw = "\ufeff12 November 2017\r\n\r\nThe Atlantic: A Title\r\n\r\nBody text.\r\n\r\n2 comments:\r\n".encode()
    document = parse_document("crlf", raw)
    assert document.has_bom and document.newline == "CRLF" and document.final_newline
    assert {f.name for f in document.parsed} == {"published", "publication", "title"}
    assert document.text[document.body.start:document.body.end] == "Body text."
    assert document.parsed[0].span.start == 1 and document.parsed[0].span.byte_start == 3


@pytest.mark.parametrize("line", [
    "Posted by the minister himself [...] on the day it passed.",
    "Labels: war, peace [\u2026] and more",
    "Labels: the ministr [sic]",
    "Share to Twitter [ . . . ]",
])
@pytest.mark.parametrize("after", ["", "\n\nNo comments:\n\nPost a Comment\n"])
def test_a_trailer_line_with_a_bracketed_mark_is_quoted(line: str, after: str) -> None:
    """A line that reads as blog boilerplate but holds a bracketed cut or alteration belongs to the body,
    so its mark is analysed; trailer lines after it still form the trailer."""
    text = f"The minister said [...] no change.\n\n{line}\n{after}"
    document = parse_document("a", text.encode("utf-8"))
    assert text[document.body.start:document.body.end].endswith(line)
    trailer = None if document.trailer is None else text[document.trailer.start:document.trailer.end]
    assert trailer == ("No comments:\n\nPost a Comment" if after else None)
    analysis = analyse(document)
    marks = [m.marker.text for m in analysis.elisions] + [m.text for m in analysis.alterations]
    assert len(marks) == 2 and all(text.count(mark) for mark in marks)


def test_text_that_is_only_trailer_keeps_a_body() -> None:
    """When everything looks like trailer, nothing is cut away as trailer."""
    document = parse_document("t", b"Post a Comment")
    assert document.trailer is None
    assert document.text[document.body.start:document.body.end] == "Post a Comment"


@pytest.mark.parametrize("raw, offset, words", [
    (b"abc\xe2\x80 def", 3, "invalid UTF-8 (0xE2 0x80"),
    (b"ok\xff", 2, "invalid UTF-8 (0xFF"),
    (b"\xff\xfeh\x00i\x00", 0, "UTF-16"),
    ("\ufeffhi".encode("utf-32-le"), 0, "text is UTF-32"), ("\ufeffhi".encode("utf-32-be"), 0, "text is UTF-32"),
    (b"nul\x00byte", 3, "NUL byte"),
])
def test_bad_bytes_name_file_and_offset(raw: bytes, offset: int, words: str) -> None:
    """Undecodable text is refused with the file and byte offset of the first bad byte."""
    with pytest.raises(InputError) as caught:
        parse_document("x", raw, path=Path("seeds/x.txt"))
    assert caught.value.offset == offset
    assert f"seeds/x.txt: byte {offset}: " in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize("raw, words", [
    (b"", "file is empty"),
    (b"  \n\t\r\n", "file holds only white space"),
    ("\u3000\u00a0\n\u2028".encode(), "file holds only white space"),
    (b"\xef\xbb\xbf", "file holds only a byte order mark;"),
    (b"\xef\xbb\xbf \r\n\t", "file holds only a byte order mark and white space"),
    ("\ufeff\u3000\n".encode(), "file holds only a byte order mark and white space"),
])
def test_empty_text_is_refused(raw: bytes, words: str) -> None:
    """Empty and blank files get a clear error; a BOM, which the text shows nothing of, counts for nothing."""
    with pytest.raises(InputError, match=f"e.txt: {words}.* give the excerpt's text, or remove the file"):
        parse_document("x", raw, path=Path("e.txt"))


@given(st.text(st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200b\u2028\u3000\ufeffa")), max_size=8))
def test_filled_pattern_sees_white_space_as_strip_does(line: str) -> None:
    """_FILLED finds nothing exactly when str.strip() leaves nothing."""
    assert (document._FILLED.search(line) is None) == (not line.strip())


# Lines whose role is known, to build texts whose layout a plain line-by-line reading gives.
DATE_LINES = {"12 November 2017": "2017-11-12", "Sunday, November 12, 2017": "2017-11-12", "2017-11-12": "2017-11-12",
              "3 Sept. 1919": "1919-09-03", "\u0661\u0662 November \u0662\u0660\u0661\u0667": "2017-11-12",
              "31 February 2017": None, "12 Nov 2017": "2017-11-12"}
TITLE_LINES = {"The Atlantic: Al-Qaeda Has Rebuilt": ("The Atlantic", "Al-Qaeda Has Rebuilt"),
               "Le Monde:\t\u00c9t\u00e9 \u00e0 Paris": ("Le Monde", "\u00c9t\u00e9 \u00e0 Paris"),
               "P" * 60 + ": Sixty": ("P" * 60, "Sixty"), "Q" * 61 + ": Too long": None,
               "Note: a sentence that ends.": None, "One two three four five six seven: x": None,
               "\u041f\u0440\u0430\u0432\u0434\u0430: \u0417\u0430\u0433\u043e\u043b\u043e\u0432\u043e\u043a": (
                   "\u041f\u0440\u0430\u0432\u0434\u0430", "\u0417\u0430\u0433\u043e\u043b\u043e\u0432\u043e\u043a"),   # Правда: Заголовок
               "\u671d\u65e5\u65b0\u805e: \u898b\u51fa\u3057": None,   # 朝日新聞: 見出し (a script without case)
               "\u0926\u0948\u0928\u093f\u0915: \u0935\u0939 \u0917\u092f\u093e\u0964": None}   # दैनिक: वह गया। (a sentence)
TRAILER_LINES = ["No comments:", "Post a Comment", "2 comments", "Newer Post  Older Post  Home", "Home",
                 "Posted by J\u00f6hn at 3:00", "Loading...", "Share this:"]
BODY_LINES = ["Body \u00fcn\u00efc\u00f6d\u00e9 \u2603 \U0001d11e text [...] more", "plain ascii body line",
              # trailer lines by their words, but holding a bracketed cut or alteration: quoted text
              "Posted by the minister himself [...] on the day it passed", "Labels: war [sic], peace.",
              "Posted by [\u2026]", "2 comments [. . .]:",   # (none of them a 'Publication: Title' line)
              "\u00e9" * 150, "x" * 300 + " \u00e9", "a\u2028b \u0085 c",
              "\u043c\u044b \u0441\u043a\u0430\u0437\u0430\u043b\u0438: \u043d\u0435\u0442"]   # мы сказали: нет (lower case)
BLANK_LINES = ["", " ", "\t", "\u00a0", "\u3000", "\u2028", "\x0b\x0c", "\x85", "\u2000 \u200a"]
SPACES = st.sampled_from(["", " ", "\u00a0", "\t", "\u3000"])
line_text = st.one_of(
    st.tuples(SPACES, st.sampled_from([*DATE_LINES, *TITLE_LINES, *TRAILER_LINES, *BODY_LINES]), SPACES).map("".join),
    st.sampled_from(BLANK_LINES),
)


@st.composite
def layout_texts(draw: st.DrawFn) -> str:
    """Lines of known roles in any order, with CR, CRLF or LF breaks, maybe a BOM."""
    lines = draw(st.lists(line_text, min_size=1, max_size=10))
    breaks = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + brk for line, brk in zip(lines, breaks))
    if draw(st.booleans()):
        text = text[:-len(breaks[-1])]
    if draw(st.booleans()):
        text = "\ufeff" + text
    # decode refuses empty and blank files (a BOM counts for nothing): give those a body line
    return text if re.search(r"\S", text.removeprefix("\ufeff")) else text + BODY_LINES[1]


def expected_layout(text: str) -> dict[str, object]:
    """The fields and char spans the layout gives, read line by line from the lines' known roles."""
    floor = 1 if text.startswith("\ufeff") else 0
    lines, start = [], 0
    for brk in re.finditer(r"\r\n|\r|\n", text):
        lines.append((start, brk.start()))
        start = brk.end()
    lines.append((start, len(text)))

    def content(number: int) -> str:
        return text[max(lines[number][0], floor):lines[number][1]].strip()

    filled = [number for number in range(len(lines)) if content(number)]
    fields: list[tuple[str, str]] = []
    header_end = None
    if filled and DATE_LINES.get(content(filled[0])):
        fields.append(("published", str(DATE_LINES[content(filled[0])])))
        header_end = lines[filled.pop(0)][1]
    if filled and TITLE_LINES.get(content(filled[0])):
        number = filled[0]
        if header_end is not None or (number + 1 < len(lines) and not content(number + 1)):
            publication, title = TITLE_LINES[content(number)]  # type: ignore[misc]
            fields += [("publication", publication), ("title", title)]
            header_end = lines[number][1]
    body_from = header_end if header_end is not None else floor
    trailer_start = None
    for start, end in reversed(lines):
        if end <= body_from:
            break
        if not text[max(start, floor):end].strip():
            continue
        if text[start:end].strip() not in TRAILER_LINES:
            break
        trailer_start = start

    def stripped(start: int, end: int) -> tuple[int, int]:
        part = text[start:end]
        if not part.strip():
            return end, end
        return start + len(part) - len(part.lstrip()), end - len(part) + len(part.rstrip())

    body = stripped(body_from, trailer_start if trailer_start is not None else len(text))
    trailer = None
    if body[0] >= body[1]:
        body = stripped(floor, len(text))
    elif trailer_start is not None:
        trailer = stripped(trailer_start, len(text))
    return {"fields": fields, "header": None if header_end is None else (floor, header_end),
            "body": body, "trailer": trailer}


def char_range(span: Span | None) -> tuple[int, int] | None:
    return None if span is None else (span.start, span.end)


def assert_spans_match_bytes(document: Document) -> None:
    spans = [field.span for field in document.parsed] + [document.header, document.body, document.trailer]
    for span in spans:
        if span is not None:
            assert document.raw[span.byte_start:span.byte_end] == document.text[span.start:span.end].encode()


@given(layout_texts())
@example("P" * 60 + ": Sixty\r\rBody text")             # the longest publication
@example("Body\rNo comments:\r\u3000\rPost a Comment\r")   # a trailer after CR breaks
@example("\ufeffNo comments:\r\nPost a Comment")           # the BOM's line is no trailer line
@example("Body\n\nLabels: war [sic], peace.\n")             # a trailer-like line holding a mark is body
def test_layout_matches_a_line_by_line_reading(text: str) -> None:
    """Fields, header, body and trailer are those a plain line-by-line reading of the layout gives."""
    document = parse_document("doc", text.encode())
    expected = expected_layout(text)
    assert [(field.name, field.value) for field in document.parsed] == expected["fields"]
    assert char_range(document.header) == expected["header"]
    assert char_range(document.body) == expected["body"]
    assert char_range(document.trailer) == expected["trailer"]
    for field in document.parsed:
        shown = document.text[field.span.start:field.span.end]
        assert shown == field.value or (field.name == "published" and DATE_LINES.get(shown) == field.value)


@given(layout_texts())
def test_every_span_covers_the_bytes_of_its_text(text: str) -> None:
    """Each span's byte range holds exactly the UTF-8 of its char range; header, body and trailer follow each other."""
    document = parse_document("doc", text.encode())
    assert_spans_match_bytes(document)
    if document.header is not None:
        # the body follows the header, or is the whole text when nothing but trailer follows it
        content = document.text[int(document.has_bom):]
        whole = (len(document.text) - len(content.lstrip()), len(document.text) - len(content) + len(content.rstrip()))
        assert document.header.end <= document.body.start or char_range(document.body) == whole
        assert all(document.header.start <= f.span.start <= f.span.end <= document.header.end for f in document.parsed)
    if document.trailer is not None:
        assert document.body.end <= document.trailer.start and document.trailer.end <= len(document.text)
        assert not document.text[document.body.end:document.trailer.start].strip()


_NOT_ASCII = {ord(c): "x" for c in "\u00fc\u00ef\u00f6\u00e9\u2603\U0001d11e\u00c9\u00e0"}
_NOT_ASCII.update({0x0660 + digit: str(digit) for digit in range(10)})


@given(layout_texts())
def test_char_spans_do_not_depend_on_non_ascii_letters(text: str) -> None:
    """Swapping non-ASCII letters and digits for ASCII ones one for one moves no char offset."""
    document = parse_document("doc", text.encode())
    plain = parse_document("doc", text.translate(_NOT_ASCII).encode())
    assert_spans_match_bytes(plain)
    assert [(f.name, f.value.translate(_NOT_ASCII), char_range(f.span)) for f in document.parsed] == [
        (f.name, f.value, char_range(f.span)) for f in plain.parsed]
    for part in ("header", "body", "trailer"):
        assert char_range(getattr(document, part)) == char_range(getattr(plain, part))


@pytest.mark.parametrize("month, number", [
    (spelling, number)
    for number, spellings in enumerate(
        [("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",), ("June", "Jun"),
         ("July", "Jul"), ("August", "Aug"), ("September", "Sep", "Sept"), ("October", "Oct"),
         ("November", "Nov"), ("December", "Dec")], start=1)
    for spelling in spellings
])
def test_every_month_name_and_abbreviation(month: str, number: int) -> None:
    """Each month's full name and its abbreviations give that month, in either date-line order."""
    assert fields(f"3 {month} 2017\n\nText.".encode())["published"] == f"2017-{number:02d}-03"
    assert fields(f"{month} 3, 2017\n\nText.".encode())["published"] == f"2017-{number:02d}-03"


@pytest.mark.parametrize("raw, message", [
    (b"abc\xe2\x80 def", "x.txt: byte 3: invalid UTF-8 (0xE2 0x80 0x20 0x64); re-save the file as UTF-8"),
    (b"ok\xf0\x9f\x98xyz", "x.txt: byte 2: invalid UTF-8 (0xF0 0x9F 0x98 0x78); re-save the file as UTF-8"),
    (b"\xfe\xff\x00h", "x.txt: byte 0: text is UTF-16 (it starts with a UTF-16 byte order mark); re-save the file as UTF-8"),
    (b"\x00\x00\xfe\xff\x00\x00\x00h",
     "x.txt: byte 0: text is UTF-32 (it starts with a UTF-32 byte order mark); re-save the file as UTF-8"),
    (b"nul\x00byte",
     "x.txt: byte 3: NUL byte in the text; this is not a plain-text file; give the excerpt as plain UTF-8 text"),
    # UTF-16 without a byte order mark, told by its NULs (of mostly Latin text: even with a character that is not)
    ("Hello, world\n".encode("utf-16-le"), "x.txt: byte 1: NUL byte in the text; it looks like UTF-16 (little-endian)"
                                           " without a byte order mark (a NUL in every other byte); re-save the file"
                                           " as UTF-8"),
    ("Hello, world\n".encode("utf-16-be"), "x.txt: byte 0: NUL byte in the text; it looks like UTF-16 (big-endian)"
                                           " without a byte order mark (a NUL in every other byte); re-save the file"
                                           " as UTF-8"),
    ("caf\u00e9 au lait\n".encode("utf-16-le"), "x.txt: byte 1: NUL byte in the text; it looks like UTF-16"
                                                 " (little-endian) without a byte order mark (a NUL in every other"
                                                 " byte); re-save the file as UTF-8"),
    # UTF-32 (NULs in three bytes of four) and a lone NUL are not UTF-16
    ("Hello\n".encode("utf-32-le"),
     "x.txt: byte 1: NUL byte in the text; this is not a plain-text file; give the excerpt as plain UTF-8 text"),
    (b"a\x00b\x00cdefgh",
     "x.txt: byte 1: NUL byte in the text; this is not a plain-text file; give the excerpt as plain UTF-8 text"),
])
def test_bad_bytes_messages_in_full(raw: bytes, message: str) -> None:
    """The whole message: the bad bytes shown (from the first, at most four) and what to do."""
    with pytest.raises(InputError) as caught:
        parse_document("x", raw, path=Path("x.txt"))
    assert str(caught.value) == message


@pytest.mark.parametrize("raw, body", [(b"x", "x"), (b"\xef\xbb\xbfx", "x"), (b"\xef\xbb\xbfx\n", "x")])
def test_one_character_after_the_bom_is_a_text(raw: bytes, body: str) -> None:
    """A text of a single character, with or without a BOM before it, is not blank."""
    document = parse_document("one", raw)
    assert document.text[document.body.start:document.body.end] == body


@pytest.mark.parametrize("raw, newline", [(b"one line", "none"), (b"a\rb\r", "CR"), (b"a\r\nb\r\n", "CRLF"),
                                          (b"a\nb\r\n", "mixed"), (b"a\nb", "LF")])
def test_newline_styles(raw: bytes, newline: str) -> None:
    """No line break, CR only, CRLF only, a mix, LF only."""
    assert parse_document("nl", raw).newline == newline


def test_a_crlf_title_line_needs_a_blank_line_after_it() -> None:
    """Without a date line, 'Publication: Title' is a header only when a blank line (CRLF here) follows it."""
    assert fields(b"The Atlantic: A Title\r\nThe quote goes on.\r\n") == {}
    assert fields(b"The Atlantic: A Title\r\n\r\nThe quote goes on.\r\n") == {"publication": "The Atlantic",
                                                                              "title": "A Title"}


@pytest.mark.parametrize("length, is_title", [(300, True), (301, False)])
def test_a_title_line_holds_at_most_300_characters(length: int, is_title: bool) -> None:
    """A 'Publication: Title' line of 300 characters is a header; a longer one is text."""
    line = "The Atlantic: " + "t" * (length - len("The Atlantic: "))
    assert len(line) == length
    assert ("title" in fields(f"{line}\n\nThe quote.".encode())) is is_title


@pytest.mark.parametrize("publication, is_title", [("One Two Three Four Five Six", True),
                                                   ("One Two Three Four Five Six Seven", False)])
def test_a_publication_has_at_most_six_words(publication: str, is_title: bool) -> None:
    """Six words before the colon can name a publication; seven are a sentence."""
    assert ("publication" in fields(f"{publication}: A Title\n\nThe quote.".encode())) is is_title


def test_trailer_found_across_lf_and_crlf_lines() -> None:
    """A trailer line ending in LF above a blank line ending in CRLF is still the trailer."""
    text = "Quoted words.\nPost a Comment\n  \r\n"
    document = parse_document("mixed", text.encode())
    assert document.newline == "mixed"
    assert document.trailer is not None
    assert text[document.trailer.start:document.trailer.end] == "Post a Comment"
    assert text[document.body.start:document.body.end] == "Quoted words."


@pytest.mark.parametrize("raw, header, body, trailer", [
    # the reviewer's case: blank lines before the date line are in the header
    (b"\n\n12 November 2017\n\nThe Atlantic: A Title\n\nBody [...] text.\n",
     "\n\n12 November 2017\n\nThe Atlantic: A Title", "Body [...] text.", None),
    # white space before the first header line and after the last is kept; body and trailer are trimmed
    (b" \t\r\n12 November 2017 \r\n\r\n  Body.  \r\n\r\n Labels: a \r\n",
     " \t\r\n12 November 2017 ", "Body.", "Labels: a"),
    # after a byte order mark: the header starts past it
    ("\ufeff\n12 November 2017\n\nBody.\n".encode(), "\n12 November 2017", "Body.", None),
])
def test_the_header_keeps_white_space_around_it_body_and_trailer_are_trimmed(
    raw: bytes, header: str, body: str, trailer: str | None
) -> None:
    """As docs/format.md says of `parts`: the header runs from the text's start (past a BOM) to the end of
    its last header line, white space and blank lines included; the body and trailer are trimmed."""
    document = parse_document("doc", raw)
    text = document.text
    assert document.header is not None
    assert document.header.start == (1 if text.startswith("\ufeff") else 0)
    assert text[document.header.start:document.header.end] == header
    assert text[document.body.start:document.body.end] == body
    assert (None if document.trailer is None else text[document.trailer.start:document.trailer.end]) == trailer


def test_a_text_of_header_lines_only_has_its_whole_text_trimmed_as_body() -> None:
    """All header: the body is the whole text trimmed of white space, overlapping the header, which is kept."""
    document = parse_document("doc", b"\n12 November 2017\n\nThe Atlantic: A Title\n\n")
    assert document.header is not None and document.trailer is None
    assert (document.header.start, document.header.end, document.body.start, document.body.end) == (0, 40, 1, 40)


@pytest.mark.parametrize("line, publication, title", [
    ("\u041f\u0440\u0430\u0432\u0434\u0430: \u0421\u043e\u0431\u044b\u0442\u0438\u044f \u0434\u043d\u044f",
     "\u041f\u0440\u0430\u0432\u0434\u0430", "\u0421\u043e\u0431\u044b\u0442\u0438\u044f \u0434\u043d\u044f"),   # Правда: События дня
    ("\u0397 \u039a\u03b1\u03b8\u03b7\u03bc\u03b5\u03c1\u03b9\u03bd\u03ae: \u03a4\u03af\u03c4\u03bb\u03bf\u03c2",
     "\u0397 \u039a\u03b1\u03b8\u03b7\u03bc\u03b5\u03c1\u03b9\u03bd\u03ae", "\u03a4\u03af\u03c4\u03bb\u03bf\u03c2"),   # Η Καθημερινή: Τίτλος
    ("\u00d6sterreich Heute: Ein Titel", "\u00d6sterreich Heute", "Ein Titel"),
    ("\u0531\u057c\u0561\u057e\u0578\u057f: \u054e\u0565\u0580\u0576\u0561\u0563\u056b\u0580",
     "\u0531\u057c\u0561\u057e\u0578\u057f", "\u054e\u0565\u0580\u0576\u0561\u0563\u056b\u0580"),   # Առավոտ: Վերնագիր (Armenian)
    ("\u1c90\u1cae\u1c90\u1cda\u1cd8: \u1ce1\u10d0\u10d7\u10d0\u10e3\u10e0\u10d8", "\u1c90\u1cae\u1c90\u1cda\u1cd8",
     "\u1ce1\u10d0\u10d7\u10d0\u10e3\u10e0\u10d8"),   # Georgian in Mtavruli capitals
    ("20 Minutes: Un titre", "20 Minutes", "Un titre"),   # digits first: the name's first letter counts
    ("2017: A Year in Review", "2017", "A Year in Review"),   # digits only: the title's first letter counts
])
def test_a_publication_line_in_any_script(line: str, publication: str, title: str) -> None:
    """A publication's name may start with an upper-case letter of any script with case, or with digits before
    one: `Правда: ...` was read as body, its publication and title lost."""
    assert fields(f"{line}\n\nThe quote.".encode()) == {"publication": publication, "title": title}


@pytest.mark.parametrize("line", [
    "\u043f\u0440\u0430\u0432\u0434\u0430: \u0441\u043e\u0431\u044b\u0442\u0438\u044f",   # правда: события (lower case)
    "\u03b7 \u03ba\u03b1\u03b8\u03b7\u03bc\u03b5\u03c1\u03b9\u03bd\u03ae: \u03c4\u03af\u03c4\u03bb\u03bf\u03c2",   # lower-case Greek
    "\u092e\u0902\u0924\u094d\u0930\u0940 \u0928\u0947 \u0915\u0939\u093e: \u0939\u092e \u091c\u093e\u090f\u0902\u0917\u0947\u0964",   # ends with a danda
    "\u4ed6\u8bf4: \u6211\u4eec\u8d70\u3002",                      # 他说: 我们走。 (an ideographic full stop)
    "\u0642\u0627\u0644 \u0627\u0644\u0648\u0632\u064a\u0631\u060c: \u0646\u0639\u0645",   # the publication ends with an Arabic comma
    "\u02bbOkina: a modifier letter",                                  # Lm: not a letter that starts a name
    "\u00abPravda\u00bb: quoted",                                      # punctuation first
    # a script without case: its sentences start as its names do (a header line in it is not read)
    "\u56fd\u52a1\u9662\u603b\u7406\u5728\u4f1a\u4e0a\u8868\u793a: \u7ecf\u6d4e\u4fdd\u6301\u7a33\u5b9a",   # 国务院总理在会上表示: 经济保持稳定
    "\u8a18\u8005: \u4eca\u56de\u306e\u6c7a\u5b9a\u306b\u3064\u3044\u3066",   # 記者: 今回の決定について (a transcript)
    "\uadf8\ub294 \ub9d0\ud588\ub2e4: \uc804\uc7c1\uc740 \ub05d\ub0ac\ub2e4",   # 그는 말했다: 전쟁은 끝났다
    "\u0642\u0627\u0644 \u0627\u0644\u0631\u0626\u064a\u0633: \u0625\u0646 \u0627\u0644\u062d\u0631\u0628",   # قال الرئيس: إن الحرب
    "\u0e19\u0e32\u0e22\u0e01\u0e01\u0e25\u0e48\u0e32\u0e27\u0e27\u0e48\u0e32: \u0e40\u0e28\u0e23\u0e29\u0e10\u0e01\u0e34\u0e08",   # Thai
    "\u0926\u0948\u0928\u093f\u0915 \u092d\u093e\u0938\u094d\u0915\u0930: \u0936\u0940\u0930\u094d\u0937\u0915",   # दैनिक भास्कर: शीर्षक
    "\u10d0\u10ee\u10d0\u10da\u10d8: \u10e1\u10d0\u10d7\u10d0\u10e3\u10e0\u10d8",   # Georgian in Mkhedruli (no case)
    "\u0662\u0664 \u0633\u0627\u0639\u0629: \u0639\u0646\u0648\u0627\u0646",   # ٢٤ ساعة: عنوان (digits, then no case)
    "1: \u9996\u5148\u8981\u8bf4\u660e",   # 1: 首先要说明 (digits, then no case)
    # a full stop inside closing quotes or brackets
    "He said: \"No.\"", "Le ministre: \u00ab Non. \u00bb", "Pravda: (Unsigned.)",
    "\u0420\u0435\u0434\u0430\u043a\u0442\u043e\u0440: \u201c\u041d\u0435\u0442.\u201d",   # Редактор: “Нет.”
    # a bracketed cut or alteration: quoted text someone edited
    "Pravda: Rebels [...] took the city", "The Times: Th[e] minister", "Asahi: Cabinet \uff3b\u2026\u2026\uff3d resigns",
])
def test_not_a_publication_line_in_any_script(line: str) -> None:
    """Lower case, a script without case, a sentence's full stop (inside closing quotes too) or comma in another
    script's form, a modifier letter or punctuation first, a bracketed mark: running text, as `Note: a
    sentence.` is."""
    assert fields(f"{line}\n\nThe quote.".encode()) == {}
