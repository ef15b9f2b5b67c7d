"""Map code-point offsets of a text to UTF-8 byte offsets, lines and columns."""

from __future__ import annotations

import bisect
import re

from .model import Span

_BLOCK = 4096
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class TextIndex:
    """Offsets into one text, computed once so that each look-up is cheap."""

    __slots__ = ("_text", "_ascii", "_block_bytes", "_line_starts")

    def __init__(self, text: str) -> None:
        self._text = text
        self._ascii = text.isascii()
        self._block_bytes: list[int] = []
        if not self._ascii:
            total = 0
            for start in range(0, len(text), _BLOCK):
                self._block_bytes.append(total)
                total += len(text[start:start + _BLOCK].encode("utf-8", "surrogatepass"))
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def byte_offset(self, char_offset: int) -> int:
        """The UTF-8 byte offset at which the code point `char_offset` starts."""
        if self._ascii:
            return char_offset
        block = char_offset // _BLOCK
        if block >= len(self._block_bytes):
            block = len(self._block_bytes) - 1
        head = self._text[block * _BLOCK:char_offset]
        return self._block_bytes[block] + len(head.encode("utf-8", "surrogatepass"))

    def span(self, start: int, end: int) -> Span:
        """A Span for the half-open code-point range [start, end)."""
        return Span(start, end, self.byte_offset(start), self.byte_offset(end))

    def line_column(self, char_offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a code-point offset."""
        line = bisect.bisect_right(self._line_starts, char_offset)
        return line, char_offset - self._line_starts[line - 1] + 1

    def lines(self) -> list[tuple[int, int]]:
        """(start, end) of every line, without its line break."""
        bounds = []
        starts = self._line_starts
        for number, start in enumerate(starts):
            if number + 1 < len(starts):
                nxt = starts[number + 1]
                end = nxt - (2 if self._text[nxt - 2:nxt] == "\r\n" else 1)
            else:
                end = len(self._text)
            bounds.append((start, end))
        return bounds
