"""Tests for provpack.textindex."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from provpack.textindex import TextIndex


@given(st.text(max_size=9000), st.data())
def test_byte_offsets_match_encoding(text: str, data: st.DataObject) -> None:
    """Every code-point offset maps to the byte length of the text before it."""
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    index = TextIndex(text)
    offset = data.draw(st.integers(0, len(text)))
    assert index.byte_offset(offset) == len(text[:offset].encode("utf-8"))


def test_long_non_ascii_text_crosses_blocks() -> None:
    """Offsets stay right past the internal block size."""
    text = "\u00e9" * 10000 + "x"
    index = TextIndex(text)
    assert index.byte_offset(10000) == 20000
    assert index.byte_offset(10001) == 20001
    assert index.span(4095, 4097).byte_start == 8190


def test_lines_and_columns_with_mixed_breaks() -> None:
    """CRLF, CR and LF each end a line; columns count code points from 1."""
    text = "ab\r\ncd\ref\ngh"
    index = TextIndex(text)
    assert index.lines() == [(0, 2), (4, 6), (7, 9), (10, 12)]
    assert index.line_column(0) == (1, 1)
    assert index.line_column(5) == (2, 2)
    assert index.line_column(11) == (4, 2)


@given(st.text(st.sampled_from(list("ab\u00e9\u2014\U0001f600\n\r")), min_size=0, max_size=3000), st.data())
def test_byte_offsets_across_many_blocks(text: str, data: st.DataObject) -> None:
    """Byte offsets are right at any position of texts spanning several look-up blocks."""
    index = TextIndex(text)
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):
        assert index.byte_offset(offset) == len(text[:offset].encode("utf-8"))


def test_of_reuses_the_index_of_the_same_string() -> None:
    """TextIndex.of builds once per string object, and never mixes up equal-looking strings."""
    text = "caf\u00e9\nline two\n" * 10
    assert TextIndex.of(text) is TextIndex.of(text)
    other = "".join(["caf\u00e9\nline two\n"] * 10)
    assert other == text and TextIndex.of(other) is not TextIndex.of(text)
    assert TextIndex.of(other).lines() == TextIndex(text).lines()


@given(st.text(st.sampled_from(list("ab\r\n")), max_size=40))
def test_line_starts_with_and_without_cr(text: str) -> None:
    """Line look-ups agree with splitting the text on CRLF, CR and LF."""
    index = TextIndex(text)
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    assert [start for start, _ in index.lines()] == starts


@given(st.text(st.sampled_from(list("ab\u00e9\u2014\U0001f600\n\ud800")), min_size=0, max_size=3000), st.data())
def test_byte_offsets_counted_back_from_a_known_end(text: str, data: st.DataObject) -> None:
    """Given the text's byte length, look-ups in any order (near the end, far back, forward) stay right."""
    encoded = text.encode("utf-8", "surrogatepass")
    index = TextIndex(text, byte_length=len(encoded))
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):
        assert index.byte_offset(offset) == len(text[:offset].encode("utf-8", "surrogatepass"))
    assert index.byte_offset(len(text)) == len(encoded)
