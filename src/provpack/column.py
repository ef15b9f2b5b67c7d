"""A column of integers, one per document, that keeps memory flat: past SPILL_AFTER it lives in a file.

Listing 100,000 texts keeps each one's size, sidecar, folder and name's end; in
arrays that would be 19 bytes a document, 1.9 MB. A Column holds its first SPILL_AFTER
values in an array; past that they go to a temporary file (a Spill), and are
read back a block at a time, so that reading them in order (what packaging
does) costs one read a block. Values still being added wait in a short tail.
Released (`release`), a column holds no file descriptor: each later read opens
its file for that read.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

from .spill import LISTING, Spill

SPILL_AFTER = 16384   # values kept in memory before a Column moves them to a temporary file
BLOCK = 4096          # values written, and read back, at a time
_CAN_SPILL = hasattr(os, "pread")


class Column(Sequence[int]):
    """Integers of one array type code ('B', 'H', 'q', 'Q'...), appended in order, read by index or in order."""

    __slots__ = ("_code", "_tail", "_file", "_stored", "_cached_at", "_cached", "__weakref__")

    def __init__(self, code: str, values: Iterable[int] = ()) -> None:
        self._code = code
        self._tail = array(code)     # every value while in memory; once spilled, those not yet written
        self._file: Spill | None = None
        self._stored = 0             # values in the file
        self._cached_at = -1         # the block read last, and its values
        self._cached = array(code)
        self.extend(values)

    def append(self, value: int) -> None:
        """Add one value at the end (OverflowError when the type code cannot hold it)."""
        tail = self._tail
        tail.append(value)
        if len(tail) >= BLOCK and (self._file is not None or len(tail) >= SPILL_AFTER) and _CAN_SPILL:
            self._write_tail()

    def extend(self, values: Iterable[int]) -> None:
        """Add values at the end: as many appends, a block at a time in C (an array of the same type
        code is copied whole). Values before one the type code cannot hold are added, as by append."""
        if isinstance(values, array) and values.typecode == self._code and self._file is None and (
                len(self._tail) + len(values) < SPILL_AFTER or not _CAN_SPILL):
            self._tail.extend(values)   # (the usual case: a slice of another column, still in memory)
            return
        if not _CAN_SPILL:
            self._tail.extend(values)
            return
        values = iter(values)
        while True:
            tail = self._tail
            room = (BLOCK if self._file is not None else SPILL_AFTER) - len(tail)
            before = len(tail)
            tail.extend(itertools.islice(values, max(room, 1)))
            if len(tail) == before:
                return
            if len(tail) >= BLOCK and (self._file is not None or len(tail) >= SPILL_AFTER):
                self._write_tail()

    def _write_tail(self) -> None:
        if self._file is None:
            self._file = Spill(LISTING)   # removed when this column is collected
        self._file.write(self._tail.tobytes())
        self._stored += len(self._tail)
        self._tail = array(self._code)

    def __len__(self) -> int:
        return self._stored + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> array[int]: ...

    def __getitem__(self, index: int | slice) -> int | array[int]:
        if self._file is None and type(index) is int:   # all in memory: the array indexes it
            return self._tail[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return self.values(start, stop)
            return array(self._code, (self[i] for i in range(start, stop, step)))
        count = len(self)
        if not -count <= index < count:
            raise IndexError("column index out of range")
        if index < 0:
            index += count
        if index >= self._stored:
            return self._tail[index - self._stored]
        block = index // BLOCK
        if block != self._cached_at:
            self._cached = self._read(block * BLOCK, min((block + 1) * BLOCK, self._stored))
            self._cached_at = block
        return self._cached[index - block * BLOCK]

    def __iter__(self) -> Iterator[int]:
        for start in range(0, self._stored, BLOCK):
            yield from self._read(start, min(start + BLOCK, self._stored))
        yield from self._tail

    def values(self, start: int, stop: int) -> array[int]:
        """Values [start, stop) as an array (0 <= start <= stop <= len)."""
        if not 0 <= start <= stop <= len(self):
            raise IndexError(f"column range {start}:{stop} out of 0:{len(self)}")
        stored = self._stored
        if start >= stored:
            return self._tail[start - stored:stop - stored]
        found = self._read(start, min(stop, stored))
        if stop > stored:
            found.extend(self._tail[:stop - stored])
        return found

    def _read(self, start: int, stop: int) -> array[int]:
        """Stored values [start, stop), read from the file."""
        found = array(self._code)
        if self._file is None or stop <= start:
            return found
        size = found.itemsize
        data = self._file.read(start * size, (stop - start) * size)
        if len(data) != (stop - start) * size:
            raise OSError(f"a temporary file of the listing ended early at byte {start * size + len(data)}")
        found.frombytes(data)
        return found

    def release(self) -> None:
        """Close its file, if it has one: it holds no file descriptor until it is appended to again."""
        if self._file is not None:
            self._file.release()

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same integers (a list, an array, another Column)."""
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Column({self._code!r}, {len(self)} values{', spilled' if self._file is not None else ''})"

    def __reduce__(self) -> tuple[Callable[[str, array[int]], Column], tuple[str, array[int]]]:
        """Pickled as its values (a spilled column's are read for it: its file does not travel)."""
        return _unpickled, (self._code, self.values(0, len(self)))


def _unpickled(code: str, values: array[int]) -> Column:
    column = Column(code)
    if len(values) < SPILL_AFTER or not _CAN_SPILL:
        column._tail = values
    else:
        column.extend(values)
        column.release()
    return column
