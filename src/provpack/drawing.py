"""Lines of `provpack show` written as rich would print them, without rich's cost per line.

rich lays out every line it prints (markup, wrapping, cropping, padding, styles): about 150 microseconds a line,
most of show's time on a large archive. Most of show's lines need little of it: one line each, narrower than
the console, of characters whose widths add up, in a table whose columns are as wide as their widest cell.
Those this writes itself, byte for byte as rich prints them, and a line wider than the console it has rich's
Text.wrap break as console.print would (tests/test_drawing.py checks all of it against rich over hostile
documents, piped and on terminals, with and without colour). rich prints every other line (a tab or a line
break in it, or controls; a zero-width joiner that would make rich crop it) and every table wider than the
console (whose columns rich shrinks and wraps), as before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from rich.box import HEAVY_HEAD
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["Drawing", "Piece"]

Piece = tuple[str, str]   # a line's text, and its style ("" for none)

# What rich lays out rather than writes as it is: control characters (tabs, line breaks; rich drops CR, VT and
# FF), and the line and paragraph separators (which str.splitlines, and so rich's measure of a table cell,
# breaks at).
_LAID_OUT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Characters whose width rich counts with a neighbour's (a zero-width joiner hides the next character, variation
# selector 16 widens the one before): a line with one is not as wide as its parts measured apart, as rich measures
# a line's styled pieces to crop it, and a cell's text before its padding.
_JOINED = re.compile("[\u200d\ufe0f]")


class Drawing:
    """What `console` would print, written to its file when it can be drawn here, else printed by `console`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.width = console.width
        self._codes: dict[str, tuple[str, str]] = {}
        self._box = HEAVY_HEAD.substitute(console.options, safe=console.safe_box)

    def line(self, pieces: Sequence[Piece], *, soft_wrap: bool = False) -> None:
        """console.print(text, soft_wrap=soft_wrap), `text` a Text with each of `pieces` appended in its style."""
        drawn = self._drawn(pieces, soft_wrap)
        if drawn is None:
            text = Text()
            for piece, style in pieces:
                text.append(piece, style or None)
            self.console.print(text, soft_wrap=soft_wrap)
        else:
            self.console.file.write(drawn)

    def plain(self, text: str, *, soft_wrap: bool = False) -> None:
        """console.print(Text(text), soft_wrap=soft_wrap): as it is, never read as console markup or :emoji: codes
        (an archive's URLs, paths and numbers are shown as they are: `[/x]` would make rich fail, `:smile:` an
        emoji)."""
        self.line(((text, ""),), soft_wrap=soft_wrap)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, fold: Collection[int] = ()) -> None:
        """console.print(Table(*header, show_edge=False, pad_edge=False)) with `rows` added, each cell as Text
        (folded where too wide in the columns `fold` numbers)."""
        drawn = self._table(header, rows)
        if drawn is None:
            table = Table(*header, show_edge=False, pad_edge=False)
            for row in rows:
                table.add_row(*(Text(cell, overflow="fold" if column in fold else None)
                                for column, cell in enumerate(row)))
            self.console.print(table)
        else:
            self.console.file.write(drawn)

    def _drawn(self, pieces: Sequence[Piece], soft_wrap: bool) -> str | None:
        """The line of `pieces` as rich prints it, with its line break (or the lines rich wraps it into); None
        when rich must lay it out."""
        plain = "".join(piece for piece, _ in pieces)
        if _LAID_OUT.search(plain):
            return None
        if soft_wrap or self._fits(plain, self.width):
            return "".join(self._styled(piece, style) if style else piece for piece, style in pieces) + "\n"
        # Too wide: wrapped by rich's Text.wrap, as console.print wraps it, each line then drawn here.
        text = Text()
        for piece, style in pieces:
            text.append(piece, style or None)
        drawn = []
        for line in text.wrap(self.console, self.width, justify="default", overflow="fold"):
            if not self._fits(line.plain, self.width):
                return None   # (what rich would crop)
            drawn.append(self._spanned(line))
        return "\n".join(drawn) + "\n"

    def _spanned(self, line: Text) -> str:
        """`line`, a piece of a Text made of pieces (no style of its own, its spans one after another), in the
        styles of its spans."""
        plain = line.plain
        drawn = []
        at = 0
        for start, end, style in line.spans:
            drawn.append(plain[at:start])
            drawn.append(self._styled(plain[start:end], str(style)))
            at = end
        drawn.append(plain[at:])
        return "".join(drawn)

    @staticmethod
    def _fits(plain: str, width: int) -> bool:
        """True when rich neither breaks, folds, crops nor strips `plain` in `width` cells: no character takes
        more than two cells; without joiners the widths of its words and pieces add up to the line's. rich strips
        the trailing white space of a line longer than the width in characters (not cells)."""
        if 2 * len(plain) <= width:
            return True
        return (not _JOINED.search(plain) and cell_len(plain) <= width
                and (len(plain) <= width or not plain[-1:].isspace()))

    def _table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str | None:
        """The table's lines as rich draws them, when each cell is one line of characters whose widths add up
        and the table fits the console's width; else None."""
        cells: list[Sequence[str]] = [header]
        for row in rows:
            for column, cell in enumerate(row):
                if _LAID_OUT.search(cell) or _JOINED.search(cell):
                    return None
            cells.append(row)
        widths = [max(cell_len(row[column]) for row in cells) for column in range(len(header))]
        last = len(header) - 1
        # each column padded with a space each side, but at the table's edges; a separator between columns
        if sum(widths) + 3 * last > self.width:
            return None
        for row in cells:
            for column, cell in enumerate(row):
                if len(cell) > widths[column] and cell[-1:].isspace():
                    return None   # rich strips trailing white space past the width in characters
        box = self._box
        pad = self._styled(" ", "table.header")
        lines = [(pad + box.head_vertical + pad).join(self._styled(cell + " " * (widths[column] - cell_len(cell)),
                                                                   "table.header")
                                                      for column, cell in enumerate(header)),
                 box.head_row_cross.join(box.head_row_horizontal * (width + (2 if 0 < column < last else 1))
                                         for column, width in enumerate(widths))]
        between = f" {box.mid_vertical} "
        for row in cells[1:]:
            lines.append(between.join(cell + " " * (widths[column] - cell_len(cell))
                                      for column, cell in enumerate(row)))
        lines.append("")
        return "\n".join(lines)

    def _styled(self, text: str, style: str) -> str:
        """`text` in `style` as the console writes it (as it is without colour)."""
        if not text:
            return ""
        codes = self._codes.get(style)
        if codes is None:
            with self.console.capture() as capture:
                self.console.print(Text("x", style=style), end="")
            before, _, after = capture.get().partition("x")
            codes = self._codes[style] = (before, after)
        return f"{codes[0]}{text}{codes[1]}" if codes[0] else text
