"""Map code-point offsets of a text to UTF-8 byte offsets, lines and columns."""

from __future__ import annotations

import bisect
import re
from array import array

_BLOCK = 1024   # a look-up encodes at most this many code points
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class TextIndex:
    """Offsets into one text, computed once so that each look-up is cheap."""

    __slots__ = ("_text", "_ascii", "_block_bytes", "_line_starts", "_at", "_at_byte", "_byte_length")

    def __init__(self, text: str, *, byte_length: int | None = None, last: int | None = None) -> None:
        """`byte_length`, when the caller knows it (the text's UTF-8 length), lets look-ups near the end count back.

        `last`: the greatest offset `line_column` will be asked about; the lines after it are not looked for.
        """
        self._text = text
        self._ascii = text.isascii()
        self._at = 0          # the last offset looked up, and its byte offset: look-ups mostly go forward
        self._at_byte = 0
        self._byte_length = -1 if byte_length is None else byte_length
        self._block_bytes = array("q", [0])   # byte offset of each block start, extended as look-ups need
        self._line_starts = _line_starts(text, len(text) if last is None else last)

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

    def line_column(self, char_offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a code-point offset."""
        line = bisect.bisect_right(self._line_starts, char_offset)
        return line, char_offset - self._line_starts[line - 1] + 1


def _line_starts(text: str, last: int) -> list[int]:
    """Where each line starts, up to the line holding offset `last` (and perhaps the next); str.find when
    there is no CR, several times faster than the regex.

    A list, not an array: appending and bisecting are quicker, and it lives only while one text is analysed.
    """
    starts = [0]
    if "\r" in text:   # (a CR LF across `last + 1` is found whole, as it ends past it)
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text, 0, last + 1))
        return starts
    find = text.find
    at = find("\n", 0, last)
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1, last)
    return starts
