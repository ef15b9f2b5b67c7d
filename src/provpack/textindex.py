"""Map code-point offsets of a text to UTF-8 byte offsets, lines and columns."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence
from typing import overload

from .model import Span

_BLOCK = 1024   # a look-up encodes at most this many code points
_SHORT = 128    # ranges up to this long get their end by encoding them
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


_last: TextIndex | None = None   # parse_document and analyse index the same text, one after the other


class TextIndex:
    """Offsets into one text, computed once so that each look-up is cheap."""

    __slots__ = ("_text", "_ascii", "_block_bytes", "_line_starts", "_at", "_at_byte", "_byte_length")

    def __init__(self, text: str, *, byte_length: int | None = None) -> None:
        """`byte_length`, when the caller knows it (the text's UTF-8 length), lets look-ups near the end count back."""
        self._text = text
        self._ascii = text.isascii()
        self._at = 0          # the last offset looked up, and its byte offset: look-ups mostly go forward
        self._at_byte = 0
        self._byte_length = -1 if byte_length is None else byte_length
        self._block_bytes = array("q", [0])   # byte offset of each block start, extended as look-ups need
        self._line_starts = _line_starts(text)

    @classmethod
    def of(cls, text: str, *, byte_length: int | None = None) -> TextIndex:
        """The index of `text`, reusing the last one built when it is for this very string object."""
        global _last
        last = _last
        if last is not None and last._text is text:
            if byte_length is not None:
                last._byte_length = byte_length
            return last
        index = cls(text, byte_length=byte_length)
        _last = index
        return index

    def byte_offset(self, char_offset: int) -> int:
        """The UTF-8 byte offset at which the code point `char_offset` starts."""
        if self._ascii:
            return char_offset
        text = self._text
        at = self._at
        block = char_offset // _BLOCK
        if block * _BLOCK < at <= char_offset:   # nearer than the block's start: encode from there
            offset = self._at_byte + len(text[at:char_offset].encode("utf-8", "surrogatepass"))
        elif self._byte_length >= 0 and len(text) - char_offset < char_offset - block * _BLOCK:
            offset = self._byte_length - len(text[char_offset:].encode("utf-8", "surrogatepass"))
        else:
            blocks = self._block_bytes
            while len(blocks) <= block:   # the table grows only as far as look-ups reach
                done = len(blocks)
                blocks.append(blocks[-1] + len(text[(done - 1) * _BLOCK:done * _BLOCK].encode("utf-8", "surrogatepass")))
            offset = blocks[block] + len(text[block * _BLOCK:char_offset].encode("utf-8", "surrogatepass"))
        self._at, self._at_byte = char_offset, offset
        return offset

    def span(self, start: int, end: int) -> Span:
        """A Span for the half-open code-point range [start, end)."""
        if self._ascii:
            return Span(start, end, start, end)
        byte_start = self.byte_offset(start)
        if end - start <= _SHORT:   # encode a short range rather than look its end up
            return Span(start, end, byte_start, byte_start + len(self._text[start:end].encode("utf-8", "surrogatepass")))
        return Span(start, end, byte_start, self.byte_offset(end))

    def line_column(self, char_offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a code-point offset."""
        line = bisect.bisect_right(self._line_starts, char_offset)
        return line, char_offset - self._line_starts[line - 1] + 1

    def lines(self) -> Lines:
        """(start, end) of every line, without its line break."""
        return Lines(self._text, self._line_starts, crlf=len(self._line_starts) > 1 and "\r" in self._text)


class Lines(Sequence[tuple[int, int]]):
    """(start, end) of each line, without its line break; computed when asked for, so a text of
    millions of lines costs no list of millions of tuples."""

    __slots__ = ("_text", "_starts", "_crlf")

    def __init__(self, text: str, starts: array[int], *, crlf: bool = True) -> None:
        self._text = text
        self._starts = starts
        self._crlf = crlf   # False: no line ends in CR LF, so every break is one character

    def __len__(self) -> int:
        return len(self._starts)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same (start, end) pairs, a list included."""
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    @overload
    def __getitem__(self, number: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, number: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, number: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(number, slice):
            return [self[n] for n in range(*number.indices(len(self)))]
        starts = self._starts
        start = starts[number]   # IndexError when out of range, as a list
        following = (number if number >= 0 else number + len(starts)) + 1
        if following < len(starts):
            nxt = starts[following]
            return start, nxt - (2 if self._crlf and self._text[nxt - 2:nxt] == "\r\n" else 1)
        return start, len(self._text)


def _line_starts(text: str) -> array[int]:
    """Where each line starts; str.find when there is no CR, several times faster than the regex."""
    starts = array("q", [0])
    if "\r" in text:
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        return starts
    find = text.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts
