"""Tests for provpack.htmltags: html.parser's reading of tags, call for call, in flat memory."""

from __future__ import annotations

import html.parser
import random
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path
from html.parser import HTMLParser

import pytest

from provpack import htmltags
from provpack.htmltags import TagReader

needs_known_parser = pytest.mark.skipif(
    not htmltags._FLAT, reason="this Python's html.parser reads tags otherwise: TagReader leaves them to it")

Event = tuple[object, ...]


def _recorder(base: type[HTMLParser]) -> type[HTMLParser]:
    class Recorder(base):   # type: ignore[valid-type,misc]
        """Every call of a handler, with the parser's state a tag leaves (attributes as `dict(attrs)` holds them)."""

        def __init__(self, convert_charrefs: bool) -> None:
            super().__init__(convert_charrefs=convert_charrefs)
            self.events: list[Event] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.events.append(("start", tag, list(dict(attrs).items()), self.lasttag))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.events.append(("startend", tag, list(dict(attrs).items()), self.lasttag))

        def handle_endtag(self, tag: str) -> None:
            self.events.append(("end", tag, self.cdata_elem))

        def handle_data(self, data: str) -> None:
            self.events.append(("data", data, self.cdata_elem))

        def handle_comment(self, data: str) -> None:
            self.events.append(("comment", data))

        def handle_decl(self, decl: str) -> None:
            self.events.append(("decl", decl))

        def handle_pi(self, data: str) -> None:
            self.events.append(("pi", data))

        def handle_charref(self, name: str) -> None:
            self.events.append(("charref", name))

        def handle_entityref(self, name: str) -> None:
            self.events.append(("entityref", name))

        def unknown_decl(self, data: str) -> None:
            self.events.append(("unknown_decl", data))

    return Recorder


_REFERENCE = _recorder(HTMLParser)
_READER = _recorder(TagReader)


def _parse(parser_type: type[HTMLParser], chunks: list[str], convert_charrefs: bool) -> tuple[object, ...]:
    """The handler calls, what the parser keeps between feeds and after close."""
    parser = parser_type(convert_charrefs)   # type: ignore[call-arg]
    for chunk in chunks:
        parser.feed(chunk)
    left = parser.rawdata
    parser.close()
    return parser.events, left, parser.rawdata, parser.lasttag   # type: ignore[attr-defined]


# Tag soup: the characters a tag's reading turns on (quotes, =, /, <, >, ASCII and Unicode white space, NUL), names,
# values, entities, comments, declarations, script and style, and long runs.
_PIECES = ["<", ">", "/", "=", '"', "'", " ", "\t", "\n", "\x0c", "\r", "\x0b", "\x00", "\xa0", "\x1c", "\u2028", "a",
           "b", "A", "Z", "x1", "-", "&amp;", "&", "#", ";", "!", "?", "<a", "<p ", "</", "</a", "<script>",
           "</script>", "<style>", "</style >", "style", "<br/>", "/>", "==", " / ", "<!--", "-->", "<!", "<?",
           "&#65;", "&lt", "\u00e9", "class", "id=", '"x"', "'y'", " " * 40, "/" * 5, "a " * 20, "=" * 6, "<a b",
           "<a b=", '<A HREF="', ">x<"]


def _soup(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40)))


_EXAMPLES = [
    '<a href="x">t</a>', "<a b c=d e='f' g=\"h\" / >", "<a/>", "<a / >", "<a b/>", "<a b=/>", "<a b=c/>",
    "<a\x00b>", "<a\xa0b=c>", "<a b = 'c>", "<a b=='c'>", "<a b=\"c\"d>", "<a 'b'=c>", "<a =b>", "<a b=>",
    "<a b", "<a b=", "<a b='", "<a b/", "<a /", "<a\n\nb\t=\r'c'\x0c>", "</a b>", "</a  >", "</ a>", "</>", "</",
    "</1>", "<script><a b></script ><p>", "<style>x</STYLE>", "</a" + " " * 1000 + "x>", "<a" + " a" * 1000 + ">",
    "<a b" + " " * 1000 + "c>", "<a" + "/" * 1000 + "b>", "<a b=&amp;&lt;>", "<a b='&#x41;&unknown;'>",
    "<a B=1 b=2 c b=3>",
]


@needs_known_parser
@pytest.mark.parametrize("page", _EXAMPLES)
def test_tags_are_read_as_html_parser_reads_them(page: str) -> None:
    """Hand-picked tags (bare, quoted and unterminated values, slashes, NUL, Unicode white space, an end tag with
    attributes, script and style, long runs) give the same handler calls as html.parser, whole or cut anywhere."""
    for convert_charrefs in (True, False):
        for cut in range(len(page) + 1) if len(page) < 100 else (0, len(page) // 2):
            chunks = [page[:cut], page[cut:]]
            assert _parse(_READER, chunks, convert_charrefs) == _parse(_REFERENCE, chunks, convert_charrefs), chunks


@needs_known_parser
def test_generated_tag_soup_is_read_as_html_parser_reads_it() -> None:
    """25,000 pages of tag soup, each fed whole and cut in three, with and without convert_charrefs (100,000
    parses), give the same handler calls as html.parser's (500,000 pages were compared when it was written)."""
    rng = random.Random(20240611)
    for _ in range(25_000):
        page = _soup(rng)
        cuts = sorted(rng.sample(range(len(page) + 1), min(2, len(page) + 1)))
        for chunks in ([page], [page[:cuts[0]], page[cuts[0]:cuts[-1]], page[cuts[-1]:]]):
            for convert_charrefs in (True, False):
                assert (_parse(_READER, chunks, convert_charrefs)
                        == _parse(_REFERENCE, chunks, convert_charrefs)), chunks


class _Kept(TagReader):
    kept_attributes = frozenset({"class", "id"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@needs_known_parser
def test_only_the_kept_attributes_reach_the_handler_each_once_with_its_last_value() -> None:
    parser = _Kept()
    parser.feed("<div ID=a title=t class='x' id=\"b\" data-x><p>")
    assert parser.tags == [("div", [("id", "b"), ("class", "x")]), ("p", [])]


_HOSTILE = {
    "a start tag of 100,000 attributes": "<a" + " a" * 100_000 + ">",
    "a start tag of 100,000 attributes of other names": "<a" + "".join(f" x{i}=1" for i in range(100_000)) + ">",
    "400,000 spaces after an attribute's name": "<a b" + " " * 400_000 + "c>",
    "400,000 slashes after a tag's name": "<a" + "/" * 400_000 + "b>",
    "400,000 spaces after an end tag's name": "</a" + " " * 400_000 + "x>",
}


@needs_known_parser
@pytest.mark.parametrize("tag", _HOSTILE.values(), ids=_HOSTILE.keys())
def test_a_tag_of_hundreds_of_thousands_of_parts_is_read_in_flat_memory(tag: str) -> None:
    """html.parser's patterns took a frame of the regular-expression engine's stack for each attribute, space or
    slash (1 million attributes: 0.5 GB); TagReader's repeat single characters, and keep none of the attributes."""
    page = f"<p>x</p>{tag}y"
    parser = _Kept()
    parser.feed("<a b>")   # (patterns compiled)
    tracemalloc.start()
    try:
        parser.feed(page)
        parser.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(page) + 100_000, peak


_PEAK_SCRIPT = """
from provpack.htmltext import extract_text
for tag in ("<a" + " a" * 1_000_000 + ">", "<a b" + " " * 2_000_000 + "c>", "</a" + " " * 2_000_000 + "x>"):
    page = f"<html><body><p>Four score.</p>{tag}and seven<p>years ago.</p></body></html>".encode()
    assert extract_text(page, content_type="text/html").text == "Four score.\\n\\nand seven\\n\\nyears ago.\\n"
    del page
print([line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0].split()[1])
"""


@needs_known_parser
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the peak is read from /proc (Linux)")
def test_extracting_pages_of_hostile_tags_peaks_in_flat_memory() -> None:
    """A page holding a start tag of 1 million attributes (2 MB), or 2 million spaces after an attribute's or an end
    tag's name, is extracted in a process that peaks under 100 MiB (they took 525, 314 and 300 MiB). The peak is
    the process's own (VmHWM): ru_maxrss keeps the RSS of the parent it was forked from, the test run's."""
    done = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT], capture_output=True, text=True, check=True)
    peak_kib = int(done.stdout)
    assert peak_kib < 100 * 1024, peak_kib


def test_the_reading_is_flat_only_where_html_parser_reads_tags_as_it_was_made_equal_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest names html.parser's tag patterns and what its tag methods use: a pattern changed (as Python's
    security releases after 3.13.0 change them) is another reading, which TagReader leaves to html.parser."""
    known = htmltags._tag_reading()
    monkeypatch.setattr(html.parser, "tagfind_tolerant", re.compile(r"([a-zA-Z][^\t\n\r\f />]*)"))
    assert htmltags._tag_reading() != known
    monkeypatch.undo()
    monkeypatch.setattr(HTMLParser, "check_for_whole_start_tag", lambda self, i: -1)
    assert htmltags._tag_reading() != known


def test_where_html_parser_reads_tags_otherwise_it_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the flat reading, html.parser's own methods read the tags (a page reads as html.parser reads it)."""
    monkeypatch.setattr(htmltags, "_FLAT", False)
    calls: list[int] = []
    original = HTMLParser.parse_starttag

    def counted(self: HTMLParser, i: int) -> int:
        calls.append(i)
        return original(self, i)

    monkeypatch.setattr(HTMLParser, "parse_starttag", counted)
    page = ["<p class=x>a</p><a b='c' />", "</a x>"]
    assert _parse(_READER, page, True) == _parse(_REFERENCE, page, True)
    assert calls == [0, 16, 0, 16]
