"""Per-document tables that keep memory flat for 100,000 documents: names and summaries.

A Python str and a dataclass per document cost some 400 bytes each; packaging
keeps each name packed with the others (past 16,384 names, in a temporary file,
its end offset in a Column) and one 77-byte row per document instead (past 4,096
rows, in a temporary file too), and builds the objects only when they are read.
Those temporary files are Spills: released when `package` returns, they hold no
file descriptor however long its result is kept.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import os
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Literal, overload

from .column import Column
from .model import DocumentSummary, Totals
from .spill import LISTING, Held, Spill

# record uuid, sha256, length in bytes, elisions, possible elisions, original, omitted found, differences,
# segments not found
_ROW = struct.Struct("<16s32sQIIBIII")
_ORIGINALS: tuple[Literal["local", "fetched"] | None, ...] = (None, "local", "fetched")
_RECORD_ID = re.compile(r"<urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})>")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK_ROWS = 4096
_PACK = 4096
SPILL_AFTER = 16384   # names kept in memory before a NameList moves them to a temporary file
SPILL_ROWS = 4096     # summary rows (315 KB) kept in memory before a SummaryTable moves them to a temporary file
SUMMARIES: Held = ("the summaries of the documents packaged", "they are kept there, not in memory")
_CAN_SPILL = hasattr(os, "pread")


class NameList(Sequence[str]):
    """Strings stored as one str and the offsets where each ends.

    Past SPILL_AFTER names the characters go to a temporary file (a Spill) instead (as
    UTF-8, lone surrogates passed through), read back a name or a run of names at a time,
    and the ends are a Column, which spills too: a listing of 100,000 names then holds
    next to nothing per name in memory. Released, it holds no file descriptor either.
    """

    __slots__ = ("_text", "_ends", "_file", "__weakref__")

    def __init__(self, names: Iterable[str]) -> None:
        parts: list[str] = []
        self._ends = Column("Q")
        self._file: Spill | None = None
        end = 0
        names = iter(names)   # one pass: _spill takes the rest of it
        # Packed _PACK names at a time as they come: the names never all exist as objects at once.
        while chunk := list(itertools.islice(names, _PACK)):
            self._ends.extend(_running(map(len, chunk), end))
            end = self._ends[-1]
            parts.append("".join(chunk))
            if len(chunk) == _PACK and len(self._ends) >= SPILL_AFTER and _CAN_SPILL:
                self._spill(parts, names)
                return
        self._text = "".join(parts)

    def _spill(self, parts: list[str], rest: Iterator[str]) -> None:
        """Move what is packed so far, and every name still to come, to a temporary file."""
        spill = Spill(LISTING)   # removed when this list is collected
        self._file = spill
        self._text = ""
        ends = Column("Q")
        text = "".join(parts)
        parts.clear()
        data = _encode(text)
        if len(data) == len(text):   # ASCII: each name's bytes are its characters
            ends.extend(self._ends.values(0, len(self._ends)))
        else:   # character ends -> byte ends
            starts = itertools.chain((0,), self._ends)
            ends.extend(itertools.accumulate(len(_encode(text[start:end])) for start, end in zip(starts, self._ends)))
        spill.write(data)   # (an error of `rest`, which lists the folder, stays its own)
        del text, data
        offset = ends[-1] if len(ends) else 0
        while chunk := list(itertools.islice(rest, _PACK)):
            data = _encode("".join(chunk))
            lengths = map(len, chunk) if len(data) == sum(map(len, chunk)) else (len(_encode(name)) for name in chunk)
            ends.extend(_running(lengths, offset))
            offset = ends[-1]
            spill.write(data)
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    def __iter__(self) -> Iterator[str]:
        if self._file is not None:
            for first in range(0, len(self._ends), _PACK):
                yield from self._read(first, min(first + _PACK, len(self._ends)))
            return
        text = self._text
        start = 0
        for end in self._ends:
            yield text[start:end]
            start = end

    def _read(self, first: int, stop: int) -> list[str]:
        """Names [first, stop) of a spilled list."""
        spill = self._file
        if spill is None or stop <= first:
            return []
        ends = self._ends
        base = ends[first - 1] if first > 0 else 0
        raw = spill.read(base, ends[stop - 1] - base)
        names = []
        start = 0
        for end in ends[first:stop]:
            names.append(_decode(raw[start:end - base]))
            start = end - base
        return names

    def release(self) -> None:
        """Close its files, if it has any: it holds no file descriptor, and each later read opens them for itself."""
        if self._file is not None:
            self._file.release()
        self._ends.release()

    def part(self, start: int, stop: int) -> NameList:
        """Names [start, stop) as a NameList of their own: two slices, no str per name (cheap to pickle)."""
        if self._file is not None:
            return NameList(self._read(start, stop))
        first = self._ends[start - 1] if start > 0 else 0
        ends = self._ends[start:stop]
        part = NameList(())
        part._text = self._text[first:ends[-1]] if ends else ""
        part._ends = Column("Q", [end - first for end in ends] if first else ends)
        return part

    def __reduce__(self) -> tuple[Callable[[str, Column], NameList], tuple[str, Column]]:
        """Pickled as its packed text and ends (a spilled list's names are read for it: its file does not travel)."""
        if self._file is None:
            return _packed, (self._text, self._ends)
        names = self._read(0, len(self))   # packed here: a NameList of them would spill again
        return _packed, ("".join(names), Column("Q", itertools.accumulate(map(len, names))))

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        end = self._ends[index]
        position = index % len(self._ends)
        if self._file is not None:
            return self._read(position, position + 1)[0]
        start = self._ends[position - 1] if position else 0
        return self._text[start:end]


def _running(lengths: Iterable[int], start: int) -> Iterator[int]:
    """start + the running sums of `lengths`: the ends of pieces of those lengths laid after `start`."""
    return itertools.islice(itertools.accumulate(lengths, initial=start), 1, None)


def _encode(text: str) -> bytes:
    """Any str as bytes, lone surrogates included (file names may hold them)."""
    return text.encode("utf-8", "surrogatepass")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")


def _packed(text: str, ends: Column) -> NameList:
    """A NameList from its packed text and ends (unpickling)."""
    names = NameList(())
    names._text = text
    names._ends = ends
    return names


def pack_row(summary: DocumentSummary) -> bytes:
    """A summary as a table row (its name is kept apart); ValueError unless its ids are provpack's."""
    match = _RECORD_ID.fullmatch(summary.record_id)
    if match is None or _SHA256.fullmatch(summary.sha256) is None:
        raise ValueError(f"not a provpack record id and sha256: {summary.record_id!r}, {summary.sha256!r}")
    return _ROW.pack(bytes.fromhex("".join(match.groups())), bytes.fromhex(summary.sha256), summary.length_bytes,
                     summary.elisions, summary.possible_elisions, _ORIGINALS.index(summary.original),
                     summary.omitted_found, summary.differences, summary.segments_not_found)


class SummaryTable(Sequence[DocumentSummary]):
    """The summaries of the documents named in `names`, in that order.

    Rows are kept in memory up to SPILL_ROWS of them; past that they go to a temporary file (a Spill) as they
    come, so memory stays flat however many documents there are. `release` closes that file: the table then holds
    no file descriptor, and each later read opens it for itself. Reading a summary builds its DocumentSummary.

    Two tables are equal when they hold the same summaries (so two results of one run are), and hash alike
    then: both compare a sha256 of their rows and names, read a run at a time when first asked
    for (no DocumentSummary built) and kept until rows are added, which only `package` does, before it returns.
    """

    __slots__ = ("_names", "_rows", "_file", "_count", "_sums", "_digest", "__weakref__")

    def __init__(self, names: Sequence[str]) -> None:
        self._names = names
        self._rows = bytearray()   # the rows, until there are more than SPILL_ROWS
        self._file: Spill | None = None   # then the rows (removed when this table is collected)
        self._count = 0
        self._sums = [0] * 7   # text bytes, elisions, possible, with an original, omitted found, differences,
                               # segments not found
        self._digest: tuple[int, bytes] | None = None   # (rows it was taken over, sha256 of them and their names)

    def extend(self, rows: bytes) -> None:
        """Add the rows (from `pack_row`) of the next documents."""
        if len(rows) % _ROW.size:
            raise ValueError(f"{len(rows)} bytes are not whole rows of {_ROW.size}")
        sums = self._sums
        for _uuid, _digest, length_bytes, elisions, possible, original, omitted, differences, not_found in (
                _ROW.iter_unpack(rows)):
            sums[0] += length_bytes
            sums[1] += elisions
            sums[2] += possible
            sums[3] += original != 0
            sums[4] += omitted
            sums[5] += differences
            sums[6] += not_found
        if self._file is not None:
            self._file.write(rows)   # (flushed: a failure is said here, in the run, not when a summary is read back)
        elif len(self._rows) + len(rows) > SPILL_ROWS * _ROW.size:
            spill = Spill(SUMMARIES)
            spill.write(self._rows)
            spill.write(rows)
            self._file, self._rows = spill, bytearray()
        else:
            self._rows += rows
        self._count += len(rows) // _ROW.size

    def release(self) -> None:
        """Close its file, and its names' (a NameList's), if they have any: it holds no file descriptor, until rows
        are added again (`package` releases its table before it returns)."""
        if self._file is not None:
            self._file.release()
        if isinstance(self._names, NameList):
            self._names.release()

    def __len__(self) -> int:
        return self._count

    def totals(self) -> Totals:
        """Sums over the rows added so far, without reading them back."""
        return Totals(self._count, *self._sums)

    @overload
    def __getitem__(self, index: int) -> DocumentSummary: ...

    @overload
    def __getitem__(self, index: slice) -> list[DocumentSummary]: ...

    def __getitem__(self, index: int | slice) -> DocumentSummary | list[DocumentSummary]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -self._count <= index < self._count:
            raise IndexError("document index out of range")
        index %= self._count
        return _summary(self._names[index], _ROW.unpack(self._read(index, 1)))

    def __iter__(self) -> Iterator[DocumentSummary]:
        names = iter(self._names)   # a run of names at a time, not a lookup per row
        for start in range(0, self._count, _CHUNK_ROWS):
            chunk = self._read(start, min(_CHUNK_ROWS, self._count - start))
            for row, name in zip(_ROW.iter_unpack(chunk), names):   # rows first: zip then takes no name too many
                yield _summary(name, row)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SummaryTable):
            return NotImplemented
        return self is other or (self._count == other._count and self._content() == other._content())

    def __hash__(self) -> int:
        return hash(self._content())

    def _content(self) -> bytes:
        """A sha256 of the rows and of the names they summarise (each name's length in characters, then the
        names), computed once for the rows there are."""
        if self._digest is None or self._digest[0] != self._count:
            digest = hashlib.sha256()
            names = iter(self._names)
            for start in range(0, self._count, _CHUNK_ROWS):
                digest.update(self._read(start, min(_CHUNK_ROWS, self._count - start)))
            for start in range(0, self._count, _CHUNK_ROWS):
                chunk = list(itertools.islice(names, min(_CHUNK_ROWS, self._count - start)))
                digest.update(array.array("Q", map(len, chunk)).tobytes())
                digest.update(_encode("".join(chunk)))
            self._digest = (self._count, digest.digest())
        return self._digest[1]

    def __reduce__(self) -> tuple[Callable[[Sequence[str], bytes], SummaryTable], tuple[Sequence[str], bytes]]:
        """Pickled as its names and rows, and rebuilt as a table (equal to this one) with a file of its own."""
        names = self._names.part(0, self._count) if isinstance(self._names, NameList) else list(
            itertools.islice(self._names, self._count))
        return _table, (names, self._read(0, self._count))

    def _read(self, first: int, count: int) -> bytes:
        if self._file is None:
            return bytes(memoryview(self._rows)[first * _ROW.size:(first + count) * _ROW.size])
        return self._file.read(first * _ROW.size, count * _ROW.size)


def _table(names: Sequence[str], rows: bytes) -> SummaryTable:
    """A SummaryTable of `names` and their `rows` (unpickling)."""
    table = SummaryTable(names)
    table.extend(rows)
    table.release()
    return table


def _summary(name: str, row: tuple[bytes, bytes, int, int, int, int, int, int, int]) -> DocumentSummary:
    uuid_bytes, digest, length_bytes, elisions, possible, original, omitted_found, differences, not_found = row
    hexed = uuid_bytes.hex()
    return DocumentSummary(
        name=name,
        record_id=f"<urn:uuid:{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}>",
        sha256=digest.hex(), length_bytes=length_bytes, elisions=elisions, possible_elisions=possible,
        original=_ORIGINALS[original], omitted_found=omitted_found, differences=differences,
        segments_not_found=not_found)
