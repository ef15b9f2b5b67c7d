"""Tests for provpack.column: integers kept in memory, then in a temporary file, read back as they went in."""

from __future__ import annotations

import pickle
import tracemalloc
from array import array
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import column
from provpack.column import Column
from provpack.errors import ProvpackError
from conftest import FullTemporaryFolder


@pytest.fixture()
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spill after 5 values, in blocks of 2: a few dozen values cross every boundary."""
    monkeypatch.setattr(column, "SPILL_AFTER", 5)
    monkeypatch.setattr(column, "BLOCK", 2)


@given(values=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40), data=st.data())
def test_reads_back_by_index_slice_and_in_order(values: list[int], data: st.DataObject) -> None:
    """Every value by positive and negative index, by slice, by values(), in order and once pickled."""
    with pytest.MonkeyPatch.context() as patch:   # (hypothesis runs the test many times: no fixture)
        patch.setattr(column, "SPILL_AFTER", 5)
        patch.setattr(column, "BLOCK", 2)
        built = Column("q", values)
        appended = Column("q")
        for value in values:
            appended.append(value)
        for col in (built, appended):
            assert (col._file is not None) == (len(values) >= 5)
            assert len(col) == len(values) and list(col) == values and col == values
            assert [col[i] for i in range(-len(values), len(values))] == values + values
            order = data.draw(st.permutations(range(len(values))))   # any order, not only forwards
            assert [col[i] for i in order] == [values[i] for i in order]
            start = data.draw(st.integers(0, len(values)))
            stop = data.draw(st.integers(start, len(values)))
            assert col.values(start, stop) == array("q", values[start:stop]) == col[start:stop]
            assert list(col[::3]) == values[::3]
            copy = pickle.loads(pickle.dumps(col))
            assert list(copy) == values and (copy._file is not None) == (len(values) >= 5)   # spilled as it was
            with pytest.raises(IndexError):
                col[len(values)]
            with pytest.raises(IndexError):
                col[-len(values) - 1]


def test_out_of_range_values_and_ranges_are_refused(small_blocks: None) -> None:
    """A value the type code cannot hold raises OverflowError; a range past the end IndexError."""
    col = Column("B", range(10))
    with pytest.raises(OverflowError):
        col.append(256)
    with pytest.raises(IndexError, match=r"^column range 3:11 out of 0:10$"):
        col.values(3, 11)
    with pytest.raises(IndexError):
        col.values(4, 3)
    with pytest.raises(IndexError, match=r"^column range -1:3 out of 0:10$"):
        col.values(-1, 3)
    for index in (10, -11):   # spilled: the column's own message, not the tail array's
        with pytest.raises(IndexError, match=r"^column index out of range$"):
            col[index]
    assert list(col) == list(range(10))


def test_repr_says_the_type_code_the_count_and_whether_spilled(small_blocks: None) -> None:
    """A column shows its type code and length, and that it lives in a file once it does."""
    assert repr(Column("q", [1, 2])) == "Column('q', 2 values)"
    assert repr(Column("B", range(10))) == "Column('B', 10 values, spilled)"


def test_a_pickled_spilled_column_stays_spilled() -> None:
    """A large column sent to another process spills there too, rather than landing in its memory."""
    col = pickle.loads(pickle.dumps(Column("H", (n % 65536 for n in range(column.SPILL_AFTER + 10)))))
    assert col._file is not None and col[column.SPILL_AFTER + 9] == (column.SPILL_AFTER + 9) % 65536


def test_a_large_column_holds_its_values_on_disk() -> None:
    """100,000 sizes: the column's memory is a block and a tail, not 8 bytes a value."""
    tracemalloc.start()
    col = Column("q", range(100_000))
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert col[54_321] == 54_321 and sum(col) == sum(range(100_000))
    assert held < 100_000, held   # in arrays it would be 800,000 bytes


@given(runs=st.lists(st.lists(st.integers(0, 2**16 - 1), max_size=12), max_size=6), as_array=st.booleans(),
       spill_after=st.integers(1, 6), block=st.integers(1, 6))
def test_extend_is_as_many_appends(runs: list[list[int]], as_array: bool, spill_after: int, block: int) -> None:
    """Extending (from a list, a generator or an array) leaves what the same appends leave, spill included,
    whatever the spill and block sizes (a block larger than the spill threshold too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(column, "SPILL_AFTER", spill_after)
        patch.setattr(column, "BLOCK", block)
        extended, appended = Column("H"), Column("H")
        for run in runs:
            extended.extend(array("H", run) if as_array else (value for value in run))
            for value in run:
                appended.append(value)
            assert (extended._stored, len(extended._tail)) == (appended._stored, len(appended._tail))
            assert list(extended) == list(appended)


def test_extend_keeps_the_values_before_one_that_does_not_fit(small_blocks: None) -> None:
    """As appends would: the values before the one too large are in, and the column still works."""
    col = Column("B", [1, 2])
    with pytest.raises(OverflowError):
        col.extend([3, 4, 5, 6, 7, 300, 8])
    assert list(col) == [1, 2, 3, 4, 5, 6, 7]
    col.extend(array("B", [9]))
    assert list(col) == [1, 2, 3, 4, 5, 6, 7, 9] and col._file is not None


def test_extending_from_a_long_generator_holds_a_block_at_a_time() -> None:
    """100,000 values from a generator never sit in memory at once (they would take 800,000 bytes)."""
    tracemalloc.start()
    col = Column("q")
    col.extend(iter(range(100_000)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(col) == 100_000 and col[99_999] == 99_999
    assert peak < 400_000, peak


def test_a_full_temporary_folder_is_named(small_blocks: None, full_tmpdir: FullTemporaryFolder) -> None:
    """Values that cannot go to the temporary file: an error naming the temporary folder and what to do, not a bare
    OSError (which packaging said as its output's disk being full)."""
    with pytest.raises(ProvpackError) as caught:
        Column("q", range(10))
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold the list of texts in this temporary folder (a long list is kept there, not "
        "in memory): disk full (no space left on device); free space there, or set TMPDIR to another folder")


def test_a_released_column_holds_no_file_descriptor(small_blocks: None, descriptors: Callable[[], int]) -> None:
    """Released, a spilled column keeps no file open (a result keeps its names' ends as one): it reads back the same,
    each read opening the file for itself; appended to, it goes on. One unpickled arrives released."""
    before = descriptors()
    col = Column("q", range(11))
    assert col._file is not None and descriptors() == before + 1
    col.release()
    assert descriptors() == before
    assert list(col) == list(range(11)) and col[3] == 3 and col.values(2, 9) == array("q", range(2, 9))
    copied = pickle.loads(pickle.dumps(col))
    assert copied._file is not None and list(copied) == list(range(11))
    assert descriptors() == before
    col.extend(range(11, 20))
    col.release()
    assert list(col) == list(range(20)) and descriptors() == before
