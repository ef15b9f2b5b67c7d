"""Tests for provpack.idset: the same answers as a set, in a fraction of the memory."""

from __future__ import annotations

import random
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provpack import idset
from provpack.idset import IdSet

INT64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)


@settings(max_examples=60, deadline=None)
@given(adds=st.lists(st.one_of(INT64, st.integers(-300, 300)), max_size=400),
       probes=st.lists(INT64, max_size=50))
def test_behaves_like_a_set(adds: list[int], probes: list[int]) -> None:
    """Membership, length and iteration agree with a set, across several merges."""
    saved, idset._PENDING = idset._PENDING, 5
    try:
        ours, model = IdSet(), set()
        for value in adds:
            assert ours.add(value) == (value not in model)
            model.add(value)
            assert value in ours
    finally:
        idset._PENDING = saved
    assert len(ours) == len(model)
    assert sorted(ours) == sorted(model)
    for value in probes + adds:
        assert (value in ours) == (value in model)


def test_many_values_and_repeats() -> None:
    """200,000 hash values, each added twice: every one found, none counted twice, strangers absent."""
    rng = random.Random(5)
    values = [rng.getrandbits(64) - (1 << 63) for _ in range(200_000)]
    ours = IdSet(values)
    assert not any(ours.add(v) for v in values[::3])
    assert len(ours) == len(set(values))
    assert all(v in ours for v in values[::97])
    assert sum(rng.getrandbits(64) - (1 << 63) in ours for _ in range(2000)) == 0
    assert "not an int" not in ours


def test_memory_is_a_fraction_of_a_sets() -> None:
    """200,000 entries (runs and filter) hold under a third of what a set of the same ints holds."""
    rng = random.Random(7)

    def held(build: type) -> int:
        tracemalloc.start()
        kept = build(iter(rng.getrandbits(64) - (1 << 63) for _ in range(200_000)))
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(kept) > 0
        return size

    ours, theirs = held(IdSet), held(set)
    assert ours * 3 < theirs, (ours, theirs)


def test_values_beyond_64_bits_are_refused_and_change_nothing() -> None:
    """A value outside int64 raises OverflowError and is not added."""
    ours = IdSet([1, 2])
    with pytest.raises(OverflowError, match="64 bits"):
        ours.add(1 << 63)
    with pytest.raises(OverflowError):
        ours.add(-(1 << 63) - 1)
    assert len(ours) == 2 and (1 << 63) not in ours and 2 in ours and 3 not in ours


def test_pickles_and_merges_like_a_set() -> None:
    """A pickled set (as the verifier's second process sends it) comes back equal; disjointness, update."""
    import pickle

    saved, idset._PENDING = idset._PENDING, 100
    try:
        first = IdSet(range(0, 1000, 2))
        second = pickle.loads(pickle.dumps(first))
        assert sorted(second) == list(range(0, 1000, 2)) and 998 in second and 999 not in second
        odd = IdSet(range(1, 1000, 2))
        assert first.isdisjoint(odd) and odd.isdisjoint(first)
        assert not first.isdisjoint(IdSet([7, 500]))
        second.update(odd)
        assert len(second) == 1000 and all(v in second for v in range(1000))
        second.add(5000)
        assert 5000 in second and 5000 not in first
    finally:
        idset._PENDING = saved


@settings(max_examples=80, deadline=None)
@given(left=st.lists(st.one_of(INT64, st.integers(-60, 60)), max_size=120),
       right=st.lists(st.one_of(INT64, st.integers(-60, 60)), max_size=120),
       plain=st.lists(st.integers(-60, 60), max_size=20),
       c_speed=st.sampled_from([0, 1, 10**9]),
       pickled=st.booleans())
def test_isdisjoint_and_update_agree_with_sets(left: list[int], right: list[int], plain: list[int],
                                               c_speed: int, pickled: bool) -> None:
    """isdisjoint (with an IdSet or a set, either way of comparing) and update give what sets give."""
    import pickle

    saved = idset._PENDING, idset._C_LOOKUPS_PER_STEP
    idset._PENDING, idset._C_LOOKUPS_PER_STEP = 7, c_speed
    try:
        ours, theirs = IdSet(left), IdSet(right)
        if pickled:
            theirs = pickle.loads(pickle.dumps(theirs))
        assert ours.isdisjoint(theirs) == set(left).isdisjoint(right) == theirs.isdisjoint(ours)
        assert ours.isdisjoint(set(plain)) == set(left).isdisjoint(plain)
        ours.update(theirs)
        model = set(left) | set(right)
        assert len(ours) == len(model) and sorted(ours) == sorted(model)
        for value in [*left, *right, *plain, 61, -61]:
            assert (value in ours) == (value in model)
            assert ours.add(value) == (value not in model)
            model.add(value)
        assert sorted(theirs) == sorted(set(right))   # the other set is left as it was
    finally:
        idset._PENDING, idset._C_LOOKUPS_PER_STEP = saved


def test_merging_two_parts_takes_no_step_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """Comparing and joining two large sets (the verifier's two parts) compares whole runs in C:
    no value is looked up or marked one at a time, neither in unpickling, isdisjoint nor update."""
    import pickle

    rng = random.Random(11)
    first = IdSet(rng.getrandbits(64) - (1 << 63) for _ in range(50_000))
    second = pickle.loads(pickle.dumps(IdSet(rng.getrandbits(64) - (1 << 63) for _ in range(50_000))))
    first._in_runs(0)   # (the first set's own bitmap is up to date, as after a walk)

    def refused(*args: object) -> None:
        raise AssertionError("a step per value")

    monkeypatch.setattr(IdSet, "__contains__", refused)
    monkeypatch.setattr(IdSet, "add", refused)
    monkeypatch.setattr(IdSet, "_mark", refused)
    assert first.isdisjoint(second) and second.isdisjoint(first)
    held = set(range(10_000))   # (as many as the provenance records' resources held at most)
    assert second.isdisjoint(held)
    held.add(next(iter(second)))
    assert not second.isdisjoint(held)
    first.update(second)
    monkeypatch.undo()
    assert len(first) == 100_000 and all(value in first for value in list(second)[::499])


def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.idset import *` gives, and it exists."""
    assert idset.__all__ == ["IdSet"]
    assert all(hasattr(idset, name) for name in idset.__all__)


def test_a_run_of_one_value_is_found() -> None:
    """With runs of a single value (the smallest), every value is found in them, and refused when added again."""
    saved, idset._PENDING = idset._PENDING, 1
    try:
        ours = IdSet([5])
        assert 5 in ours and 6 not in ours and len(ours) == 1 and list(ours) == [5]
        assert not ours.add(5)
        assert ours.add(-7) and -7 in ours and sorted(ours) == [-7, 5]
    finally:
        idset._PENDING = saved


def test_the_overflow_message_names_the_value() -> None:
    """The refusal names the value that does not fit."""
    with pytest.raises(OverflowError, match=r"^9223372036854775808 does not fit in 64 bits$"):
        IdSet().add(1 << 63)
