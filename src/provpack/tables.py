"""Per-document tables that stay small for 100,000 documents: names and summaries in flat buffers.

A Python str and a dataclass per document cost some 400 bytes each; packaging
keeps one name (its characters plus 8 bytes) and one 73-byte row per document
instead, and builds the objects only when they are read.
"""

from __future__ import annotations

import itertools
import re
import struct
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, overload

from .model import DocumentSummary

# record uuid, sha256, length in bytes, elisions, possible elisions, original, omitted found, differences
_ROW = struct.Struct("<16s32sQIIBII")
_ORIGINALS: tuple[Literal["local", "fetched"] | None, ...] = (None, "local", "fetched")
_RECORD_ID = re.compile(r"<urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})>")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class NameList(Sequence[str]):
    """Strings stored as one str and the offsets where each ends."""

    __slots__ = ("_text", "_ends")

    def __init__(self, names: Iterable[str]) -> None:
        parts = list(names)
        self._text = "".join(parts)
        self._ends = array("Q", itertools.accumulate(len(part) for part in parts))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        end = self._ends[index]
        position = index % len(self._ends)
        start = self._ends[position - 1] if position else 0
        return self._text[start:end]


def pack_row(summary: DocumentSummary) -> bytes:
    """A summary as a table row (its name is kept apart); ValueError unless its ids are provpack's."""
    match = _RECORD_ID.fullmatch(summary.record_id)
    if match is None or _SHA256.fullmatch(summary.sha256) is None:
        raise ValueError(f"not a provpack record id and sha256: {summary.record_id!r}, {summary.sha256!r}")
    return _ROW.pack(bytes.fromhex("".join(match.groups())), bytes.fromhex(summary.sha256), summary.length_bytes,
                     summary.elisions, summary.possible_elisions, _ORIGINALS.index(summary.original),
                     summary.omitted_found, summary.differences)


class SummaryTable(Sequence[DocumentSummary]):
    """The summaries of the documents named in `names`, in that order, one packed row each."""

    __slots__ = ("_names", "_rows", "elisions", "possible_elisions", "text_bytes")

    def __init__(self, names: Sequence[str]) -> None:
        self._names = names
        self._rows = bytearray()
        self.elisions = 0
        self.possible_elisions = 0
        self.text_bytes = 0

    def extend(self, rows: bytes) -> None:
        """Add the rows (from `pack_row`) of the next documents."""
        if len(rows) % _ROW.size:
            raise ValueError(f"{len(rows)} bytes are not whole rows of {_ROW.size}")
        for _uuid, _digest, length_bytes, elisions, possible, *_rest in _ROW.iter_unpack(rows):
            self.elisions += elisions
            self.possible_elisions += possible
            self.text_bytes += length_bytes
        self._rows += rows

    def __len__(self) -> int:
        return len(self._rows) // _ROW.size

    @overload
    def __getitem__(self, index: int) -> DocumentSummary: ...

    @overload
    def __getitem__(self, index: slice) -> list[DocumentSummary]: ...

    def __getitem__(self, index: int | slice) -> DocumentSummary | list[DocumentSummary]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if not -count <= index < count:
            raise IndexError("document index out of range")
        index %= count
        return self._summary(index, _ROW.unpack_from(self._rows, index * _ROW.size))

    def __iter__(self) -> Iterator[DocumentSummary]:
        for index, row in enumerate(_ROW.iter_unpack(self._rows)):
            yield self._summary(index, row)

    def _summary(self, index: int, row: tuple[bytes, bytes, int, int, int, int, int, int]) -> DocumentSummary:
        uuid_bytes, digest, length_bytes, elisions, possible, original, omitted_found, differences = row
        hexed = uuid_bytes.hex()
        return DocumentSummary(
            name=self._names[index],
            record_id=f"<urn:uuid:{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}>",
            sha256=digest.hex(), length_bytes=length_bytes, elisions=elisions, possible_elisions=possible,
            original=_ORIGINALS[original], omitted_found=omitted_found, differences=differences)
