"""Tests for provpack.blockring: blocks come back as they were put, in a fixed space reused in turn."""

from __future__ import annotations

import os
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack.blockring import BlockRing

CAPACITY = 64

# Steps: put a block of a size (filled with a byte from its number), or drop the oldest block held,
# or drop one out of turn (the index among those held, from the newest).
STEPS = st.lists(st.one_of(st.tuples(st.just("put"), st.integers(0, 40)),
                           st.tuples(st.just("drop-oldest"), st.just(0)),
                           st.tuples(st.just("drop-any"), st.integers(0, 7))), max_size=120)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
def test_against_a_model(steps: list[tuple[str, int]]) -> None:
    """What comes back is what was put; space is refused exactly when the blocks from the oldest one
    held (dropped ones behind it included) and the new one would not fit."""
    ring = BlockRing(CAPACITY)
    held: OrderedDict[int, tuple[int, bytes]] = OrderedDict()   # number -> (start, data), in put order
    behind: list[tuple[int, bool]] = []   # (size, live) of every block put and not yet given back
    for number, (action, value) in enumerate(steps):
        if action == "put":
            data = bytes([number % 256]) * value
            occupied = sum(size for size, _ in behind)
            start = ring.put(data)
            if value == 0 or occupied + value > CAPACITY:
                assert start is None
            else:
                assert start is not None
                held[number] = (start, data)
                behind.append((value, True))
        elif held:
            keys = list(held)
            key = keys[0] if action == "drop-oldest" else keys[-1 - value % len(keys)]
            start, data = held.pop(key)
            ring.drop(start, len(data))
            position = sum(1 for k in keys if k < key)   # its place among the live ones...
            live = [i for i, (_, alive) in enumerate(behind) if alive]
            behind[live[position]] = (len(data), False)
            while behind and not behind[0][1]:
                behind.pop(0)
        assert ring.used == sum(size for size, _ in behind) <= CAPACITY
        for start, data in held.values():
            assert ring.get(start, len(data)) == data


def test_a_block_that_meets_the_end_wraps_round() -> None:
    """A block split across the end of the ring comes back whole, and the space behind it is reused."""
    ring = BlockRing(10)
    first = ring.put(b"abcdef")
    assert first == 0
    second = ring.put(b"gh")
    assert second == 6
    ring.drop(first, 6)
    third = ring.put(b"ijklmn")   # 2 bytes at the end, 4 at the start
    assert third == 8
    assert ring.get(third, 6) == b"ijklmn"
    assert ring.get(second, 2) == b"gh"
    assert ring.put(b"opq") is None   # 2 + 6 held, 2 free
    assert ring.put(b"op") == 4


def test_space_dropped_out_of_turn_comes_back_in_turn() -> None:
    """A block dropped before the ones put ahead of it frees its space only when they go."""
    ring = BlockRing(8)
    a, b = ring.put(b"aaaa"), ring.put(b"bbbb")
    assert a is not None and b is not None
    ring.drop(b, 4)
    assert ring.used == 8 and ring.put(b"c") is None
    ring.drop(a, 4)
    assert ring.used == 0
    assert ring.put(b"cccccccc") == 0   # empty again: from the start


def test_an_emptied_ring_starts_again_at_the_beginning() -> None:
    """Once every block is dropped, the next goes at offset 0, on pages already touched."""
    ring = BlockRing(10)
    start = ring.put(b"abc")
    assert start == 0
    ring.drop(start, 3)
    assert ring.put(b"de") == 0


def test_bad_use_is_refused() -> None:
    with pytest.raises(ValueError, match="positive capacity"):
        BlockRing(0)
    ring = BlockRing(8)
    with pytest.raises(ValueError, match="no block"):
        ring.get(0, 4)   # nothing was ever put
    ring.put(b"abcd")
    with pytest.raises(ValueError, match="no block"):
        ring.get(9, 1)
    ring.close()
    with pytest.raises(ValueError, match="no block"):
        ring.get(0, 4)


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads the resident size from /proc")
def test_pages_are_taken_only_as_they_are_written() -> None:
    """A ring of 256 MiB with one small block in it adds far less than 256 MiB to the resident size."""
    def resident() -> int:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    before = resident()
    ring = BlockRing(256 << 20)
    ring.put(b"x" * 10_000)
    assert resident() - before < 16 << 20
    ring.close()


def test_a_ring_that_cannot_be_mapped_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the mapping is refused (a memory limit), put says None: the caller keeps its blocks."""
    import mmap

    def refuse(*args: object) -> mmap.mmap:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refuse)
    ring = BlockRing(64)
    assert ring.put(b"abc") is None and ring.put(b"d") is None



def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.blockring import *` gives, and it exists."""
    from provpack import blockring

    assert blockring.__all__ == ["BlockRing"]
    assert all(hasattr(blockring, name) for name in blockring.__all__)


def test_the_smallest_ring_holds_one_byte() -> None:
    """A capacity of 1 is a ring: its byte is put, got back and its space reused; 0 or less is refused."""
    ring = BlockRing(1)
    assert ring.put(b"a") == 0 and ring.get(0, 1) == b"a" and ring.put(b"b") is None
    ring.drop(0, 1)
    assert ring.put(b"b") == 0 and ring.get(0, 1) == b"b"
    with pytest.raises(ValueError, match=r"^a ring needs a positive capacity, not -3$"):
        BlockRing(-3)


def test_a_block_as_large_as_the_ring() -> None:
    """A block ending exactly at the end of the ring, and one of exactly `capacity` bytes, come back whole."""
    ring = BlockRing(8)
    assert ring.put(b"ab") == 0 and ring.put(b"cdefgh") == 2
    assert ring.get(2, 6) == b"cdefgh"   # ends exactly at the end of the ring
    ring.drop(0, 2)
    ring.drop(2, 6)
    assert ring.put(b"12345678") == 0 and ring.get(0, 8) == b"12345678"
    assert ring.put(b"x") is None


def test_a_get_outside_the_ring_is_refused() -> None:
    """A start or a size outside the ring is a ValueError naming both, never bytes from elsewhere."""
    ring = BlockRing(8)
    ring.put(b"abcdefgh")
    assert ring.get(0, 8) == b"abcdefgh" and ring.get(7, 1) == b"h"
    for start, size in [(-1, 1), (8, 1), (0, 0), (0, -1), (0, 9)]:
        with pytest.raises(ValueError, match=rf"^no block of {size} bytes at {start} in the ring$"):
            ring.get(start, size)


def test_a_closed_ring_starts_again_empty() -> None:
    """After close nothing is held: the next block goes at offset 0 of a new mapping."""
    ring = BlockRing(8)
    ring.put(b"abc")
    ring.close()
    assert ring.used == 0
    assert ring.put(b"defgh") == 0 and ring.used == 5 and ring.get(0, 5) == b"defgh"
