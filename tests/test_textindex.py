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
    assert index.byte_offset(4095) == 8190


def test_lines_and_columns_with_mixed_breaks() -> None:
    """CRLF, CR and LF each end a line; columns count code points from 1."""
    text = "ab\r\ncd\ref\ngh"
    index = TextIndex(text)
    assert index.line_column(0) == (1, 1)
    assert index.line_column(5) == (2, 2)
    assert index.line_column(11) == (4, 2)


@given(st.text(st.sampled_from(list("ab\u00e9\u2014\U0001f600\n\r")), min_size=0, max_size=3000), st.data())
def test_byte_offsets_across_many_blocks(text: str, data: st.DataObject) -> None:
    """Byte offsets are right at any position of texts spanning several look-up blocks."""
    index = TextIndex(text)
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):
        assert index.byte_offset(offset) == len(text[:offset].encode("utf-8"))


@given(st.text(st.sampled_from(list("ab\r\n")), max_size=40), st.data())
def test_lines_looked_for_only_up_to_the_last_offset_asked(text: str, data: st.DataObject) -> None:
    """With `last`, lines and columns up to it are those of the whole text's index (a CR LF across it too)."""
    last = data.draw(st.integers(0, len(text)))
    whole, index = TextIndex(text), TextIndex(text, last=last)
    for offset in range(last + 1):
        assert index.line_column(offset) == whole.line_column(offset)
    if "\r" not in text:
        assert index._line_starts == [start for start in whole._line_starts if start <= last]


@given(st.text(st.sampled_from(list("ab\r\n")), max_size=40))
def test_line_starts_with_and_without_cr(text: str) -> None:
    """Lines and columns agree with splitting the text on CRLF, CR and LF."""
    index = TextIndex(text)
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    for offset in range(len(text) + 1):
        line = max(number for number, start in enumerate(starts, 1) if start <= offset)
        assert index.line_column(offset) == (line, offset - starts[line - 1] + 1)


@given(st.text(st.sampled_from(list("ab\u00e9\u2014\U0001f600\n\ud800")), min_size=0, max_size=3000), st.data())
def test_byte_offsets_counted_back_from_a_known_end(text: str, data: st.DataObject) -> None:
    """Given the text's byte length, look-ups in any order (near the end, far back, forward) stay right."""
    encoded = text.encode("utf-8", "surrogatepass")
    index = TextIndex(text, byte_length=len(encoded))
    for offset in data.draw(st.lists(st.integers(0, len(text)), max_size=20)):
        assert index.byte_offset(offset) == len(text[:offset].encode("utf-8", "surrogatepass"))
    assert index.byte_offset(len(text)) == len(encoded)


def test_lone_surrogates_count_three_bytes_in_every_block() -> None:
    """A lone surrogate (as surrogatepass encodes it) in an early block shifts the offsets of every later block."""
    text = "\ud800a" * 1500
    encoded = text.encode("utf-8", "surrogatepass")
    for index in (TextIndex(text), TextIndex(text, byte_length=len(encoded))):
        for offset in (1030, 2050, 10, 2999, 1500, 3000):
            assert index.byte_offset(offset) == len(text[:offset].encode("utf-8", "surrogatepass"))
