"""A set of 64-bit integers in about 10 bytes each, for the verifier's record-id hashes.

A Python set of ints costs about 75 bytes an entry (the int object and its slot): a WARC
of a million records would hold 75 MB just to notice a repeated WARC-Record-ID. Here the
first 16,384 entries are a plain set, as fast as one; then they are sorted into an
array of 8-byte values (a run), and so on for every 16,384. A bitmap of 8 to 16 bits a
value, grown as runs are added, answers most look-ups of absent values at once (about
15 in 16); the others search each run. The bitmap is brought up to date at the first
look-up after runs were added, so that a set only merged or compared (`update` and
`isdisjoint` with another IdSet, as the verifier does when it joins two parts of a file)
never spends a Python step per value on it: those compare whole runs at C speed.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator

__all__ = ["IdSet"]

_PENDING = 16384
_MIN_FILTER_BITS = 1 << 20
_LOW, _HIGH = -(1 << 63), 1 << 63
_C_LOOKUPS_PER_STEP = 40  # set look-ups done in C for the cost of one look-up through __contains__


class IdSet:
    """A set of ints in [-2**63, 2**63) (such as `hash()` values): add, in, len, iteration."""

    __slots__ = ("_runs", "_pending", "_held", "_filter", "_filter_mask", "_unmarked")

    def __init__(self, values: Iterable[int] = ()) -> None:
        self._runs: list[array[int]] = []  # each sorted; disjoint
        self._pending: set[int] = set()
        self._held = 0  # entries in the runs
        self._filter = bytearray(_MIN_FILTER_BITS // 8)  # bit (value >> 8) & mask: maybe in a run
        self._filter_mask = _MIN_FILTER_BITS - 1
        self._unmarked: list[array[int]] = []  # runs not yet marked in the filter
        for value in values:
            self.add(value)

    def add(self, value: int) -> bool:
        """Add one value; True when it was not there. OverflowError when it does not fit in 64 bits."""
        if not _LOW <= value < _HIGH:
            raise OverflowError(f"{value} does not fit in 64 bits")
        pending = self._pending
        if value in pending or (self._held and self._in_runs(value)):
            return False
        pending.add(value)
        if len(pending) >= _PENDING:
            self._flush()
        return True

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int) or not _LOW <= value < _HIGH:
            return False
        return value in self._pending or (self._held > 0 and self._in_runs(value))

    def __len__(self) -> int:
        return self._held + len(self._pending)

    def __iter__(self) -> Iterator[int]:
        for run in self._runs:
            yield from run
        yield from self._pending

    def update(self, values: Iterable[int]) -> None:
        """Add many values; another IdSet that shares none with this one is taken in whole runs."""
        if isinstance(values, IdSet) and values is not self and self.isdisjoint(values):
            for run in values._runs:   # runs are never changed once made: shared, not copied
                self._add_run(run)
            self._pending |= values._pending
            if len(self._pending) >= _PENDING:
                self._flush()
            return
        for value in values:
            self.add(value)

    def isdisjoint(self, other: IdSet | set[int] | frozenset[int]) -> bool:
        """True when no value is in both."""
        if isinstance(other, IdSet):
            small, large = (self, other) if len(self) <= len(other) else (other, self)
            chunks = len(small._runs) + 1
            if chunks * len(large) <= _C_LOOKUPS_PER_STEP * len(small):
                # each part of the smaller as a set, against every part of the larger, in C
                return not any(not part.isdisjoint(whole) for part in small._sets() for whole in large._parts())
            return not any(value in large for value in small)
        if len(other) * _C_LOOKUPS_PER_STEP < len(self):
            return not any(value in self for value in other)
        return all(other.isdisjoint(part) for part in self._parts())

    def _parts(self) -> list[array[int] | set[int]]:
        return [*self._runs, self._pending]

    def _sets(self) -> Iterator[set[int]]:
        for run in self._runs:
            yield set(run)
        yield self._pending

    def __getstate__(self) -> tuple[list[bytes], list[int]]:
        return [run.tobytes() for run in self._runs], list(self._pending)

    def __setstate__(self, state: tuple[list[bytes], list[int]]) -> None:
        runs, pending = state
        self._runs = []
        for raw in runs:
            run = array("q")
            run.frombytes(raw)
            self._runs.append(run)
        self._pending = set(pending)
        self._held = sum(len(run) for run in self._runs)
        self._filter = bytearray(_MIN_FILTER_BITS // 8)
        self._filter_mask = _MIN_FILTER_BITS - 1
        self._unmarked = list(self._runs)

    def _in_runs(self, value: int) -> bool:
        if self._unmarked:
            self._mark_runs()
        bit = (value >> 8) & self._filter_mask
        if not self._filter[bit >> 3] & (1 << (bit & 7)):
            return False
        for run in self._runs:
            at = bisect.bisect_left(run, value)
            if at < len(run) and run[at] == value:
                return True
        return False

    def _flush(self) -> None:
        """Turn the waiting values into a sorted run and mark them in the filter."""
        self._add_run(array("q", sorted(self._pending)))
        self._pending = set()

    def _add_run(self, run: array[int]) -> None:
        self._held += len(run)
        self._runs.append(run)
        self._unmarked.append(run)

    def _mark_runs(self) -> None:
        """Mark the runs added since the last look-up; first, when they are too many for the
        bitmap, a new one with 8 to 16 bits per value held (at least 1 Mbit), rebuilt from all runs."""
        bits = self._filter_mask + 1
        if self._held * 8 > bits:
            while self._held * 16 > bits:
                bits *= 2
            self._filter = bytearray(bits // 8)
            self._filter_mask = bits - 1
            self._unmarked = list(self._runs)
        for run in self._unmarked:
            self._mark(run)
        self._unmarked = []

    def _mark(self, values: Iterable[int]) -> None:
        seen, mask = self._filter, self._filter_mask
        for value in values:
            bit = (value >> 8) & mask
            seen[bit >> 3] |= 1 << (bit & 7)
