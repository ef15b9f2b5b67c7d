"""Tests for provpack.inputs."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from conftest import write_text
from hypothesis import given
from hypothesis import strategies as st

from provpack import column, inputs, tables
from provpack.errors import InputError
from provpack.inputs import discover, list_sources


def test_folder_sorted_with_sidecars(tmp_path: Path) -> None:
    """Texts come sorted by name, each with its .yaml or .yml sidecar."""
    write_text(tmp_path, "b", b"B", sidecar="title: B\n")
    write_text(tmp_path, "a", b"A")
    (tmp_path / "c.txt").write_bytes(b"C")
    (tmp_path / "c.yml").write_text("title: C\n")
    (tmp_path / "notes.md").write_text("ignored")
    found = discover([tmp_path])
    assert [f.name for f in found] == ["a", "b", "c"]
    assert found[0].sidecar_path is None
    assert found[1].sidecar_path == tmp_path / "b.yaml"
    assert found[2].sidecar_path == tmp_path / "c.yml"


def test_empty_folder_and_missing_source(tmp_path: Path) -> None:
    """A folder without .txt files and a missing path are errors naming them."""
    with pytest.raises(InputError, match="no .txt files"):
        discover([tmp_path])
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "missing"])


def test_duplicate_names_and_two_sidecars(tmp_path: Path) -> None:
    """Two documents with one name, or one document with two sidecars, are refused."""
    write_text(tmp_path / "x", "same", b"1")
    write_text(tmp_path / "y", "same", b"2")
    with pytest.raises(InputError, match="already given"):
        discover([tmp_path / "x", tmp_path / "y"])
    (tmp_path / "x" / "same.yaml").write_text("a: 1")
    (tmp_path / "x" / "same.yml").write_text("a: 1")
    with pytest.raises(InputError, match="keep one sidecar"):
        discover([tmp_path / "x"])


def test_symlink_outside_is_refused_unless_followed(tmp_path: Path) -> None:
    """A link that leaves the source folder needs --follow-symlinks."""
    outside = write_text(tmp_path / "elsewhere", "secret", b"secret")
    folder = tmp_path / "src"
    write_text(folder, "ok", b"ok")
    os.symlink(outside, folder / "link.txt")
    with pytest.raises(InputError, match="outside the source folder"):
        discover([folder])
    assert [f.name for f in discover([folder], follow_symlinks=True)] == ["link", "ok"]


def test_fifo_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Special files are skipped with a warning."""
    write_text(tmp_path, "ok", b"ok")
    os.mkfifo(tmp_path / "pipe.txt")
    assert [f.name for f in discover([tmp_path])] == ["ok"]
    assert "not a regular file" in caplog.text


def test_listing_sorts_by_name_across_sources(tmp_path: Path) -> None:
    """Names sort by stem ("a" before "a-b"), across folders and single files, with sizes and sidecars."""
    write_text(tmp_path / "x", "a-b", b"12345", sidecar="title: AB\n")
    write_text(tmp_path / "y", "a", b"1")
    single = write_text(tmp_path / "z", "c", b"123", sidecar="title: C\n")
    (tmp_path / "x" / ".hidden.txt").write_bytes(b"no")
    (tmp_path / "x" / "dir.yaml").mkdir()
    write_text(tmp_path / "x", "dir", b"12")
    listing = list_sources([tmp_path / "x", tmp_path / "y", single])
    assert list(listing.names) == ["a", "a-b", "c", "dir"]
    assert list(listing.sizes) == [1, 5, 3, 2]
    assert [listing.sidecar_path(n) for n in range(4)] == [
        None, str(tmp_path / "x" / "a-b.yaml"), str(tmp_path / "z" / "c.yaml"), None]
    assert [s.text_path for s in discover([tmp_path / "x", tmp_path / "y", single])] == [
        tmp_path / "y" / "a.txt", tmp_path / "x" / "a-b.txt", single, tmp_path / "x" / "dir.txt"]


def test_duplicate_across_sources_names_both(tmp_path: Path) -> None:
    """The later file is named, and the earlier one it clashes with."""
    write_text(tmp_path / "x", "same", b"1")
    write_text(tmp_path / "y", "same", b"2")
    with pytest.raises(InputError, match=r"y/same.txt: a document named 'same' is already given by .*x/same.txt"):
        list_sources([tmp_path / "x", tmp_path / "y"])


def test_listing_in_small_sorted_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names gathered in many sorted runs come out in one order, each with its own sidecar."""
    monkeypatch.setattr(inputs, "_RUN", 3)
    stems = [f"{letter}{number}" for number in range(5) for letter in "zyxab-"]
    for position, stem in enumerate(stems):
        sidecar = f"title: {stem}\n" if position % 4 == 0 else None
        write_text(tmp_path, stem, stem.encode(), sidecar=sidecar)
        if position % 7 == 3 and sidecar is None:
            (tmp_path / f"{stem}.yml").write_text("title: yml\n")
    listing = list_sources([tmp_path])
    assert list(listing.names) == sorted(stems)
    for index, stem in enumerate(listing.names):
        position = stems.index(stem)
        expected = ".yaml" if position % 4 == 0 else ".yml" if position % 7 == 3 else None
        assert listing.sidecar_path(index) == (None if expected is None else str(tmp_path / f"{stem}{expected}"))
        assert listing.sizes[index] == len(stem)


def test_spilled_runs_keep_unusual_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs spilled to disk and read back in pieces smaller than a name keep every name exactly."""
    monkeypatch.setattr(inputs, "_RUN", 2)
    monkeypatch.setattr(inputs, "_SPILL_READ", 3)
    stems = ["é-accent", "日本語の名前", "space name", "z", "a" * 40, os.fsdecode(b"bytes-\xff-name"), "ÿ", "0"]
    for stem in stems:
        (tmp_path / (stem + ".txt")).write_bytes(os.fsencode(stem))
    listing = list_sources([tmp_path])
    assert list(listing.names) == sorted(stems)
    assert [listing.sizes[i] for i in range(len(stems))] == [len(os.fsencode(s)) for s in sorted(stems)]


# File names: any characters but NUL and '/', undecodable bytes included (as os.fsdecode gives them), or empty.
_NAMES = st.lists(st.one_of(st.text(st.characters(blacklist_characters="\x00/", blacklist_categories=("Cs",)),
                                    max_size=5),
                            st.binary(max_size=4).filter(lambda b: b"\0" not in b and b"/" not in b).map(os.fsdecode)),
                  max_size=30)


@given(names=_NAMES, run=st.integers(1, 5), read=st.integers(1, 7))
def test_sorted_runs_give_every_name_in_order(names: list[str], run: int, read: int) -> None:
    """Any names, the empty one too, spilled in runs and read back in pieces of any size, come out sorted."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs, "_RUN", run)
        patch.setattr(inputs, "_SPILL_READ", read)
        runs = inputs._SortedRuns()
        for name in names:
            runs.add(name)
        try:
            assert list(runs) == sorted(names)
        finally:
            runs.close()


def test_listing_part_gives_the_same_sources(tmp_path: Path) -> None:
    """A part of a listing, pickled as a worker receives it, names the same texts and sidecars."""
    for number in range(7):
        (tmp_path / f"doc{number}.txt").write_text("text\n", encoding="utf-8")
        if number % 3 == 0:
            (tmp_path / f"doc{number}.yaml").write_text("title: T\n", encoding="utf-8")
    listing = list_sources([tmp_path])
    for start, stop in ((0, 7), (2, 5), (4, 4), (6, 7)):
        part = pickle.loads(pickle.dumps(listing.part(start, stop)))
        assert [part.source(i) for i in range(len(part))] == [listing.source(i) for i in range(start, stop)]
        assert list(part.sizes) == list(listing.sizes[start:stop])


@pytest.mark.parametrize("spilled", [False, True])
def test_listing_sources_equal_source_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  spilled: bool) -> None:
    """`sources(start, stop)` gives what `source(i)` gives for each i, across folders and sidecar kinds."""
    if spilled:
        monkeypatch.setattr(tables, "SPILL_AFTER", 3)
        monkeypatch.setattr(tables, "_PACK", 2)
        monkeypatch.setattr(column, "SPILL_AFTER", 3)
        monkeypatch.setattr(column, "BLOCK", 2)
    for number in range(9):
        folder = tmp_path / ("one" if number % 2 else "two")
        sidecar = "title: T\n" if number % 3 == 0 else None
        write_text(folder, f"doc {number}", b"text\n", sidecar=sidecar)
        if number % 3 == 1:
            (folder / f"doc {number}.yml").write_text("title: T\n", encoding="utf-8")
    listing = list_sources([tmp_path / "one", tmp_path / "two"])
    assert (listing.names._file is not None) is spilled
    for start, stop in ((0, 9), (2, 5), (4, 4), (8, 9)):
        assert listing.sources(start, stop) == [listing.source(i) for i in range(start, stop)]
        part = pickle.loads(pickle.dumps(listing.part(start, stop)))
        assert part.sources(0, len(part)) == [listing.source(i) for i in range(start, stop)]
    assert [str(s.sidecar_path)[-4:] if s.sidecar_path else None for s in listing.sources(0, 3)] == [
        "yaml", ".yml", None]


@pytest.mark.parametrize("relative", [False, True])
def test_paths_spell_what_sources_give(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool) -> None:
    """Listing.paths gives each name, text and sidecar path exactly as str() of Listing.sources' Paths."""
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    for stem, sidecar in (("a", "title: A\n"), ("b", None), ("c", None)):
        write_text(folder, stem, stem.encode(), sidecar=sidecar)
    (folder / "c.yml").write_text("title: C\n")
    write_text(tmp_path, "single", b"S", sidecar="title: S\n")
    write_text(folder, "other", b"O")
    monkeypatch.chdir(tmp_path)
    sources: list[Path | str] = (["texts", "./single.txt", "texts/sub/../other.txt"] if relative
                                 else [folder, tmp_path / "single.txt"])
    listing = list_sources(sources[:2])
    if relative:   # a text named alone lies in ".": str(Path(".") / "single.txt") is "single.txt"
        other = list_sources([sources[2]])
        assert other.paths(0, 1) == [("other", "texts/sub/../other.txt", None)]
        assert ("single", "single.txt", "single.yaml") in listing.paths(0, len(listing))
    for start, stop in ((0, len(listing)), (1, 3), (2, 2)):
        expected = [(s.name, str(s.text_path), None if s.sidecar_path is None else str(s.sidecar_path))
                    for s in listing.sources(start, stop)]
        assert listing.paths(start, stop) == expected
