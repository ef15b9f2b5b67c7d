"""Tests for provpack.tables: compact per-document tables read back as what went in."""

from __future__ import annotations

import gc
import pickle
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.errors import ProvpackError
from provpack.model import DocumentSummary, Totals
from provpack import column, tables
from provpack.tables import NameList, SummaryTable, pack_row
from conftest import FullTemporaryFolder

NAMES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(names=st.lists(NAMES, max_size=30))
def test_name_list_reads_back(names: list[str]) -> None:
    """Every name, by positive or negative index and by slice."""
    table = NameList(names)
    assert list(table) == names and len(table) == len(names)
    assert [table[-n] for n in range(1, len(names) + 1)] == [names[-n] for n in range(1, len(names) + 1)]
    assert table[1:4] == names[1:4]
    with pytest.raises(IndexError):
        table[len(names)]


summaries = st.builds(
    DocumentSummary,
    name=st.just(""),
    record_id=st.uuids().map(lambda u: f"<urn:uuid:{u}>"),
    sha256=st.binary(min_size=32, max_size=32).map(bytes.hex),
    length_bytes=st.integers(0, 2**40),
    elisions=st.integers(0, 2**31),
    possible_elisions=st.integers(0, 2**31),
    original=st.sampled_from([None, "local", "fetched"]),
    omitted_found=st.integers(0, 2**31),
    differences=st.integers(0, 2**31),
    segments_not_found=st.integers(0, 2**31),
)


@given(rows=st.lists(summaries, max_size=20), chunk=st.integers(1, 8), in_memory=st.sampled_from([0, 3, 4096]))
def test_summary_table_reads_back(rows: list[DocumentSummary], chunk: int, in_memory: int) -> None:
    """Packed rows come back as equal DocumentSummary objects, with their names, read in runs of
    any length, and the totals kept as rows are added equal those of the summaries; whether the
    rows are in memory, in a temporary file, or moved there between two extends."""
    names = [f"doc{n}" for n in range(len(rows))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "SPILL_ROWS", in_memory)
        _reads_back(SummaryTable(NameList(names)), names, rows, chunk)


def _reads_back(table: SummaryTable, names: list[str], rows: list[DocumentSummary], chunk: int) -> None:
    half = len(rows) // 2
    expected = [DocumentSummary(name, *(getattr(row, field) for field in DocumentSummary.__slots__[1:]))
                for name, row in zip(names, rows)]
    table.extend(b"".join(pack_row(row) for row in rows[:half]))
    assert table.totals() == Totals.of(rows[:half])
    assert list(table) == expected[:half]   # read between two extends: the next rows still go at the end
    table.extend(b"".join(pack_row(row) for row in rows[half:]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "_CHUNK_ROWS", chunk)
        assert list(table) == expected and len(table) == len(rows)
    assert [table[n] for n in range(-len(rows), len(rows))] == expected + expected
    assert table.totals() == Totals.of(expected)
    assert table[1:4] == expected[1:4] and table[::-1] == expected[::-1]
    for index in (len(rows), -len(rows) - 1):
        with pytest.raises(IndexError, match="^document index out of range$"):
            table[index]


def test_totals_count_what_they_name() -> None:
    """Totals.of sums each field of the summaries, and counts those with an original."""
    rows = [DocumentSummary("a", "<urn:uuid:x>", "", 10, 2, 1, "local", 2, 3, 1),
            DocumentSummary("b", "<urn:uuid:y>", "", 5, 0, 4),
            DocumentSummary("c", "<urn:uuid:z>", "", 1, 1, 0, "fetched", 0, 1, 4)]
    assert Totals.of(rows) == Totals(documents=3, text_bytes=16, elisions=3, possible_elisions=5,
                                     with_original=2, omitted_found=2, differences=4, segments_not_found=5)
    assert Totals.of([]) == Totals()


def test_only_provpack_ids_pack() -> None:
    """A record id or digest of another form is refused rather than stored wrongly."""
    good = DocumentSummary("a", f"<urn:uuid:{uuid.uuid4()}>", "ab" * 32, 1, 0, 0)
    pack_row(good)
    with pytest.raises(ValueError, match=r"^not a provpack record id and sha256: '<urn:other:1>', 'abab"):
        pack_row(DocumentSummary("a", "<urn:other:1>", "ab" * 32, 1, 0, 0))
    with pytest.raises(ValueError):
        pack_row(DocumentSummary("a", good.record_id, "AB" * 32, 1, 0, 0))
    with pytest.raises(ValueError, match=r"^7 bytes are not whole rows of 77$"):
        SummaryTable([]).extend(b"\0" * 7)


def test_summary_table_pickles_as_a_table_equal_to_it() -> None:
    """A table travels (pickled, deep-copied) as its names and rows, and arrives as a table of its own, equal to it
    (it was the tuple of its summaries: a copied PackageResult did not equal the result), with only the names of
    the rows added."""
    import copy

    row = DocumentSummary("", f"<urn:uuid:{uuid.UUID(int=5)}>", "cd" * 32, 3, 1, 0, "local", 1, 2, 3)
    for names in (NameList(["a", "b", "c"]), ["a", "b", "c"]):
        table = SummaryTable(names)
        table.extend(pack_row(row) * 2)
        for copied in (pickle.loads(pickle.dumps(table)), copy.deepcopy(table)):
            assert isinstance(copied, SummaryTable) and copied == table and hash(copied) == hash(table)
            assert [s.name for s in copied] == ["a", "b"] and copied.totals() == table.totals()
            assert copied[1] == DocumentSummary("b", row.record_id, row.sha256, 3, 1, 0, "local", 1, 2, 3)
            assert copied.totals() == Totals(documents=2, text_bytes=6, elisions=2, possible_elisions=0,
                                             with_original=2, omitted_found=2, differences=4, segments_not_found=6)
            assert list(copied._names) == ["a", "b"]


def _table(names: list[str], rows: list[DocumentSummary]) -> SummaryTable:
    table = SummaryTable(NameList(names))
    table.extend(b"".join(map(pack_row, rows)))
    return table


def test_summary_tables_of_the_same_summaries_are_equal_and_hash_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tables are equal, and hash alike, when they hold the same summaries, however their names are kept (in
    memory, spilled, a list); a row or a name that differs, or a row more, makes them unequal; rows added after a
    comparison count in the next. A table is no tuple (as a list is none). Comparing and hashing build no
    DocumentSummary: they read the rows and names a run at a time."""
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "SPILL_ROWS", 4)
    monkeypatch.setattr(tables, "_PACK", 2)
    monkeypatch.setattr(tables, "_CHUNK_ROWS", 2)
    rows = [DocumentSummary("", f"<urn:uuid:{uuid.UUID(int=n)}>", f"{n:02x}" * 32, n, n % 3, 0) for n in range(9)]
    names = [f"doc{n}" for n in range(8)] + ["caf\udce9"]
    table = _table(names, rows)
    assert table._names._file is not None and table._file is not None   # (spilled)
    same = SummaryTable(list(names))
    same.extend(b"".join(map(pack_row, rows[:4])))
    assert same != table and same._file is None   # (in memory)
    same.extend(b"".join(map(pack_row, rows[4:])))
    table.release()   # (read from a file it opens for each read)

    def built(*args: object) -> DocumentSummary:
        raise AssertionError("a DocumentSummary was built")

    monkeypatch.setattr(tables, "_summary", built)
    assert table == same and hash(table) == hash(same) and table == table
    assert len({table, same}) == 1
    other = rows[:5] + [DocumentSummary("", rows[5].record_id, rows[5].sha256, 6, 2, 0)] + rows[6:]
    assert table != _table(names, other)
    assert table != _table(names[:4] + ["doc40"] + names[5:], rows)
    assert table != _table(["doc0d", "oc1"] + names[2:], rows)   # (the same characters, split elsewhere)
    assert table != _table(names + ["more"], rows + rows[:1])
    assert SummaryTable(NameList(names)) == SummaryTable(["x"])   # (no rows: no summaries)
    assert (table == tuple(rows)) is False and table != list(rows)


@given(names=st.lists(st.text(max_size=6), max_size=30), data=st.data())
def test_part_holds_the_names_of_its_range(names: list[str], data: st.DataObject) -> None:
    """NameList.part(start, stop) is the names [start, stop), also once pickled (as a worker gets it)."""
    start = data.draw(st.integers(0, len(names)))
    stop = data.draw(st.integers(start, len(names)))
    part = NameList(names).part(start, stop)
    assert list(part) == names[start:stop] and len(part) == stop - start
    assert list(pickle.loads(pickle.dumps(part))) == names[start:stop]


@given(names=st.lists(st.text(max_size=6), max_size=40), data=st.data())
def test_spilled_name_list_is_the_same_list(names: list[str], data: st.DataObject) -> None:
    """Past SPILL_AFTER names the list lives in a temporary file; every way of reading it agrees."""
    saved = tables.SPILL_AFTER, tables._PACK
    tables.SPILL_AFTER, tables._PACK = 3, 2
    try:
        table = NameList(iter(names))
        from_list = NameList(names)
    finally:
        tables.SPILL_AFTER, tables._PACK = saved
    assert (table._file is not None) == (len(names) >= 4)
    for built in (table, from_list):
        assert list(built) == names and len(built) == len(names)
        assert [built[i] for i in range(-len(names), len(names))] == names + names
        assert built[1:5] == names[1:5]
        start = data.draw(st.integers(0, len(names)))
        stop = data.draw(st.integers(start, len(names)))
        assert list(built.part(start, stop)) == names[start:stop]
        assert list(pickle.loads(pickle.dumps(built))) == names
    with pytest.raises(IndexError):
        table[len(names)]


def test_large_listing_holds_no_names_in_memory() -> None:
    """20,000 names of 40 characters: the spilled list's memory is its offsets, not its text."""
    import tracemalloc

    tracemalloc.start()
    table = NameList(f"{n:08d}-a-fairly-long-document-name-xx" for n in range(20_000))
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert table[12_345] == "00012345-a-fairly-long-document-name-xx"
    assert held < 20_000 * 20, held   # 8 bytes of offset a name, not 40 + 8


def test_pickled_name_list_past_spill_after_keeps_its_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list that would spill again when rebuilt (more than SPILL_AFTER names) pickles whole."""
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "_PACK", 2)
    names = [f"name{number}" for number in range(9)] + ["", "é-日本"]
    table = NameList(names)
    assert table._file is not None
    copied = pickle.loads(pickle.dumps(table))
    assert list(copied) == names and copied[3] == "name3"


def test_spilled_names_with_lone_surrogates_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """File names may hold lone surrogates (undecodable bytes): spilled to the file and read back, they are intact."""
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "_PACK", 2)
    names = ["caf\udce9", "plain", "\udcff\udcfe", "日本", "x\ud800y", "last"]
    for table in (NameList(names), NameList(iter(names))):
        assert table._file is not None
        assert list(table) == names and [table[i] for i in range(len(names))] == names
        assert list(table.part(1, 5)) == names[1:5] and list(pickle.loads(pickle.dumps(table))) == names


def test_a_name_list_the_temporary_folder_cannot_hold_names_it(monkeypatch: pytest.MonkeyPatch,
                                                               full_tmpdir: FullTemporaryFolder) -> None:
    """Names past SPILL_AFTER that cannot go to the temporary file (its writes buffered: the failure comes when
    they are flushed): an error naming the temporary folder and what to do, not a bare OSError."""
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "_PACK", 2)
    full_tmpdir.room = 20
    with pytest.raises(ProvpackError) as caught:
        NameList(f"name{number}" for number in range(9))
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold the list of texts in this temporary folder (a long list is kept there, not "
        "in memory): disk full (no space left on device); free space there, or set TMPDIR to another folder")


def test_summaries_the_temporary_folder_cannot_hold_name_it(full_tmpdir: FullTemporaryFolder,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Summary rows that cannot go to the temporary file fail when they are added (flushed there, not when read
    back later): an error naming the temporary folder, not a bare OSError that packaging blamed on its output.
    Rows up to SPILL_ROWS stay in memory: no temporary file yet."""
    monkeypatch.setattr(tables, "SPILL_ROWS", 1)
    table = SummaryTable(["a", "b"])
    row = pack_row(DocumentSummary("a", f"<urn:uuid:{uuid.UUID(int=5)}>", "cd" * 32, 3, 1, 0))
    table.extend(row)
    assert full_tmpdir.made == 0
    with pytest.raises(ProvpackError) as caught:
        table.extend(row)
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold the summaries of the documents packaged in this temporary folder (they are "
        "kept there, not in memory): disk full (no space left on device); free space there, or set TMPDIR to another "
        "folder")


def test_a_released_table_holds_no_file_descriptor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   descriptors: Callable[[], int]) -> None:
    """Every table held an open temporary file for as long as it lived, even of one row: a program keeping the
    results of many runs ran out of descriptors (ulimit -n). A table of a few rows has no file; released, a table
    whose rows, names and names' ends went to temporary files holds none open, reads back and compares as before,
    and arrives pickled or deep-copied holding none either. Its files go when it is collected."""
    import copy

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    row = DocumentSummary("", f"<urn:uuid:{uuid.UUID(int=5)}>", "cd" * 32, 3, 1, 0, "local", 1, 2, 3)
    names = [f"name{number}" for number in range(9)]
    before = descriptors()
    small = SummaryTable(NameList(names))
    small.extend(pack_row(row) * 9)
    assert descriptors() == before and list(tmp_path.iterdir()) == []
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "SPILL_ROWS", 3)
    monkeypatch.setattr(tables, "_PACK", 2)
    monkeypatch.setattr(column, "SPILL_AFTER", 3)
    monkeypatch.setattr(column, "BLOCK", 2)
    table = SummaryTable(NameList(names))
    table.extend(pack_row(row) * 9)
    assert descriptors() == before + 3 and len(list(tmp_path.iterdir())) == 3   # rows, names, names' ends
    table.release()
    assert descriptors() == before
    assert list(table) == list(small) and table[7] == small[7] and table == small and hash(table) == hash(small)
    copies = [pickle.loads(pickle.dumps(table)), copy.deepcopy(table)]
    assert copies == [small, small] and descriptors() == before
    del table, copies
    gc.collect()
    assert list(tmp_path.iterdir()) == []
