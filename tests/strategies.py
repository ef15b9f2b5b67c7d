"""Hypothesis strategies: excerpt texts with markers, CRLF, BOM, non-ASCII, no trailing newline."""

from __future__ import annotations

from hypothesis import strategies as st

MARKERS = ["[...]", "[\u2026]", "[. . .]", "[ ... ]", "[....]"]
WORDS = ["al-Qaeda", "Tehran", "caf\u00e9", "na\u00efve", "\u201cquoted\u201d", "\u2014", "\u65e5\u672c",
         "\U0001f600", "word", "the", "and", "Iran\u2019s", "12", "Mr."]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
pieces = st.one_of(words, st.sampled_from(MARKERS))
newlines = st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"])


@st.composite
def excerpt_texts(draw: st.DrawFn) -> str:
    """A text of words and markers in paragraphs, maybe with a BOM and a final newline."""
    paragraphs = draw(st.lists(st.lists(pieces, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=5))
    text = draw(newlines).join(paragraphs)
    if draw(st.booleans()):
        text += draw(newlines)
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text
