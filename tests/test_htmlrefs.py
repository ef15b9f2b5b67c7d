"""htmlrefs: html.unescape a chunk at a time, and html.parser's goahead using it."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import htmlrefs


@given(st.lists(st.sampled_from(["&", "&amp", "&amp;", "&#", "&#x4e00;", "&#1", "&notit;", "&notin", "a", " ",
                                 ";", "#", "x", "\n", "&a"]), max_size=80))
def test_a_text_is_unescaped_as_html_unescape_does_whatever_its_chunks(pieces: list[str]) -> None:
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        for chunk in (1, 3, 7):
            patch.setattr(htmlrefs, "_CHUNK", chunk)
            assert htmlrefs.unescape(text) == html.unescape(text)


def test_the_text_is_unescaped_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long text is unescaped in pieces of the chunk's length (up to the next `&`), not at once."""
    calls: list[int] = []
    real = html.unescape
    monkeypatch.setattr(html, "unescape", lambda text: calls.append(len(text)) or real(text))
    assert htmlrefs.unescape("&a" * 100_000) == "&a" * 100_000
    assert calls == [65_536] * 3 + [200_000 - 3 * 65_536]


def test_html_parser_reads_text_with_this_unescape() -> None:
    """goahead is html.parser's own code, calling this module's unescape; html.parser's module is unchanged."""
    import html.parser

    assert htmlrefs.goahead.__code__ is html.parser.HTMLParser.goahead.__code__
    assert htmlrefs.goahead.__globals__["unescape"] is htmlrefs.unescape
    assert html.parser.unescape is html.unescape
