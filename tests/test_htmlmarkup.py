"""Tests for provpack.htmlmarkup: html.parser's reading of comments and marked sections, in linear time."""

from __future__ import annotations

import _markupbase
import random
import re
from html.parser import HTMLParser

import pytest

from provpack import htmlmarkup
from provpack.htmlmarkup import MarkupReader

needs_known_parser = pytest.mark.skipif(
    not htmlmarkup._LINEAR, reason="this Python's html.parser reads comments otherwise: MarkupReader leaves them to it")

Event = tuple[object, ...]


def _recorder(base: type[HTMLParser]) -> type[HTMLParser]:
    class Recorder(base):   # type: ignore[valid-type,misc]
        """Every call of a handler, and where the parser says it is."""

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.events: list[Event] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.events.append(("start", tag, list(dict(attrs).items())))

        def handle_endtag(self, tag: str) -> None:
            self.events.append(("end", tag))

        def handle_data(self, data: str) -> None:
            self.events.append(("data", data, self.getpos()))

        def handle_comment(self, data: str) -> None:
            self.events.append(("comment", data, self.getpos()))

        def handle_decl(self, decl: str) -> None:
            self.events.append(("decl", decl))

        def handle_pi(self, data: str) -> None:
            self.events.append(("pi", data))

        def unknown_decl(self, data: str) -> None:
            self.events.append(("unknown_decl", data, self.getpos()))

    return Recorder


_REFERENCE = _recorder(HTMLParser)
_READER = _recorder(MarkupReader)


def _parse(parser_type: type[HTMLParser], chunks: list[str]) -> tuple[object, ...]:
    """The handler calls, what the parser keeps between feeds and after close, and where it ends."""
    parser = parser_type()
    for chunk in chunks:
        parser.feed(chunk)
    left = parser.rawdata
    parser.close()
    return parser.events, left, parser.rawdata, parser.getpos()   # type: ignore[attr-defined]


# Markup soup: comments and marked sections, closed, unclosed and cut, among tags and text.
_PIECES = ["<!--", "-->", "-- >", "--", "-", ">", "<!", "<![", "CDATA[", "cdata[", "if", "endif", "else", "temp", "]]>",
           "] ]>", "]>", "]", "[", " ", "\n", "x", "<p>", "</p>", "<a b='", "'", "<?", "<!DOCTYPE", "</", "&amp;", "<",
           "<script>", "</script>"]


def _soup(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30)))


def _html_parser_reads(chunks: list[str]) -> bool:
    """False where html.parser raises AssertionError (a marked section of a keyword it does not know, or none)."""
    try:
        _parse(_REFERENCE, chunks)
    except AssertionError:
        return False
    return True


@needs_known_parser
def test_generated_markup_is_read_as_html_parser_reads_it() -> None:
    """5,000 pages of comments, marked sections and tags, unclosed and cut anywhere, each fed whole and in three
    parts, give the handler calls, positions and leftover text of html.parser (where it does not raise)."""
    rng = random.Random(20250611)
    compared = 0
    for _ in range(5_000):
        page = _soup(rng)
        cuts = sorted(rng.sample(range(len(page) + 1), min(2, len(page) + 1)))
        for chunks in ([page], [page[:cuts[0]], page[cuts[0]:cuts[-1]], page[cuts[-1]:]]):
            if _html_parser_reads(chunks):
                assert _parse(_READER, chunks) == _parse(_REFERENCE, chunks), chunks
                compared += 1
    assert compared > 7_000, compared


@pytest.mark.parametrize(("page", "comment"), [
    ("<p>a</p><![foo[ x ]]><p>b</p>", "[foo[ x ]]"), ("a<![ x>b", "[ x"), ("a<![1]>b", "[1]"), ("a<![>b", "["),
    ("a<![-x>b", "[-x"), ("a<![if-not x>b", "[if-not x"),
])
def test_a_marked_section_html_parser_cannot_read_is_a_bogus_comment(page: str, comment: str) -> None:
    """`<![` with a keyword html.parser does not know, or none, made it raise AssertionError; it is a comment up to
    the next `>`, as browsers read it (their "bogus comment"), and the text around it is read on."""
    with pytest.raises(AssertionError):
        _parse(_REFERENCE, [page])
    events = _parse(_READER, [page])[0]
    assert [event[:2] for event in events if event[0] == "comment"] == [("comment", comment)]   # type: ignore[index]
    assert "".join(str(e[1]) for e in events if e[0] == "data") == re.sub(r"<[^>]*>", "", page)   # type: ignore[index]


def test_where_html_parser_reads_markup_otherwise_only_its_assertion_error_is_read_as_a_bogus_comment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the linear reading, html.parser reads comments and marked sections itself; a marked section it
    raises AssertionError for is a bogus comment, the position it moved before raising put back."""
    monkeypatch.setattr(htmlmarkup, "_LINEAR", False)
    page = ["<p>a</p>\n<![CDATA[x]]><!--c-->\n<![ x\n>b<![if y]>c", "<!--d-->"]
    expected = _parse(_REFERENCE, ["<p>a</p>\n<![CDATA[x]]><!--c-->\n<!x\n>b<![if y]>c", "<!--d-->"])
    assert _parse(_READER, page) == (
        [("comment", "[ x\n", (3, 0)) if event[:2] == ("comment", "x\n") else event   # type: ignore[index]
         for event in expected[0]],   # type: ignore[attr-defined]
        *expected[1:])


class _CountingPattern:
    """A pattern whose searches count the characters they may look at (from where they start to the end)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.searched = 0

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        self.searched += len(text) - pos
        return self.pattern.search(text, pos)


@pytest.mark.parametrize("unit", ["<!--x>", "<![CDATA[x>", "<![if x>"])
def test_comments_and_marked_sections_nothing_closes_are_searched_for_once(
        unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """html.parser read each comment or marked section nothing closes as text to the next `>`, and searched the
    rest of the page for its end each time (2,000 of them, 12 million characters; 200 KB of them took 7.6 s, 2 MB more
    than 120 s): the search is made once, and what they are read as is unchanged."""
    page = "<p>a</p>" + unit * 2_000 + "<p>b</p>"
    counters = {name: _CountingPattern(getattr(_markupbase, name))
                for name in ("_commentclose", "_markedsectionclose", "_msmarkedsectionclose")}
    expected = _parse(_REFERENCE, [page])
    for name, counter in counters.items():
        monkeypatch.setattr(_markupbase, name, counter)
    assert _parse(_READER, [page]) == expected
    assert sum(counter.searched for counter in counters.values()) < 2 * len(page)


def test_the_reading_is_linear_only_where_html_parser_reads_markup_as_it_was_made_equal_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest names _markupbase's patterns and what html.parser's methods reading comments and marked sections
    use: one changed (as Python's security releases after 3.13.0 change them) is another reading."""
    known = htmlmarkup._markup_reading()
    monkeypatch.setattr(_markupbase, "_commentclose", re.compile(r"--!?>"))
    assert htmlmarkup._markup_reading() != known
    monkeypatch.undo()
    monkeypatch.setattr(HTMLParser, "parse_html_declaration", lambda self, i: -1)
    assert htmlmarkup._markup_reading() != known
