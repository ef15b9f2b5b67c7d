"""Tests for provpack.inputs."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import C_LOCALE, FullTemporaryFolder, locale_env, write_text
from hypothesis import given
from hypothesis import strategies as st

import provpack
from provpack import column, inputs, tables
from provpack.errors import InputError, ProvpackError
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


def test_a_source_given_twice_is_named_once(tmp_path: Path) -> None:
    """The same folder (or file) given twice says so, not that a file clashes with itself."""
    write_text(tmp_path / "x", "same", b"1")
    folder = tmp_path / "x"
    with pytest.raises(InputError, match=r"x: the folder is given twice; give each source once$"):
        list_sources([folder, folder])
    with pytest.raises(InputError, match=r"x/\.\./x: the folder is given twice \(also as .*x\); give each source once$"):
        list_sources([folder, folder / ".." / "x"])
    with pytest.raises(InputError, match=r"same.txt: the file is given twice; give each source once$"):
        list_sources([folder / "same.txt", folder / "same.txt"])
    with pytest.raises(InputError, match=r"x/same.txt: given twice: as a file and in its folder .*x; "
                                         r"give the folder or the file, not both$"):
        list_sources([folder, folder / "same.txt"])


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


def test_a_listing_the_temporary_folder_cannot_hold_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             full_tmpdir: FullTemporaryFolder) -> None:
    """Sorted runs that cannot go to the temporary file: an error naming the temporary folder and what to do, not
    "FOLDER: cannot list the folder: no space left on device; check the folder" (the folder was fine)."""
    monkeypatch.setattr(inputs, "_RUN", 2)
    for number in range(5):
        write_text(tmp_path / "texts", f"doc{number}", b"text")
    with pytest.raises(ProvpackError) as caught:
        list_sources([tmp_path / "texts"])
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold the list of texts in this temporary folder (a long list is kept there, not "
        "in memory): disk full (no space left on device); free space there, or set TMPDIR to another folder")
    assert full_tmpdir.made == 1


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


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]


def test_folder_of_good_files_logs_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Texts, their sidecars, hidden files, other files and a sub-folder without .txt give no warning."""
    write_text(tmp_path, "a", b"A", sidecar="title: A\n")
    write_text(tmp_path, "b", b"B")
    (tmp_path / "c.txt").write_bytes(b"C")
    (tmp_path / "c.yml").write_text("title: C\n")
    (tmp_path / ".hidden.txt").write_bytes(b"H")
    (tmp_path / ".hidden.yaml").write_text("title: H\n")
    (tmp_path / ".yaml").write_text("title: H\n")
    (tmp_path / "notes.md").write_text("notes")
    (tmp_path / "originals").mkdir()
    (tmp_path / "originals" / "a.html").write_text("<p>A</p>")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("not a source")
    caplog.set_level("DEBUG", logger="provpack")
    assert list(list_sources([tmp_path]).names) == ["a", "b", "c"]
    assert caplog.records == []


def test_sidecar_without_text_is_warned_of(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A sidecar named for no NAME.txt, before, between or after the texts, is named in a warning."""
    write_text(tmp_path, "m", b"M", sidecar="title: M\n")
    for name in ("a.yaml", "n.yml", "z.yaml", "m0.yaml"):
        (tmp_path / name).write_text("title: T\n")
    assert list(list_sources([tmp_path]).names) == ["m"]
    assert _warnings(caplog) == [f"{tmp_path / stem}{suffix}: describes no {stem}.txt; not used"
                                 for stem, suffix in (("a", ".yaml"), ("m0", ".yaml"), ("n", ".yml"), ("z", ".yaml"))]


def test_a_sidecar_whose_name_differs_from_a_texts_only_in_normalisation_or_case_names_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """café.yaml (NFD, as copied from a Mac) beside café.txt (NFC), doc.yaml beside Doc.txt: not paired (a sidecar
    describes the text of its exact name), and the warning names the text it may be for, spelled out where the
    two look alike, and the name to give it; where it named only a text that 'does not exist'."""
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    write_text(tmp_path, nfc, b"C")
    (tmp_path / f"{nfd}.yaml").write_text("title: C\n")
    write_text(tmp_path, "Doc", b"D")
    (tmp_path / "doc.yml").write_text("title: D\n")
    write_text(tmp_path, "Two", b"T")
    write_text(tmp_path, "TWO", b"T")
    (tmp_path / "two.yaml").write_text("title: T\n")
    (tmp_path / "lone.yaml").write_text("title: L\n")
    listing = list_sources([tmp_path])
    assert [listing.sidecar_path(index) for index in range(len(listing))] == [None] * 4
    assert _warnings(caplog)[:4] == [
        f"{tmp_path / nfd}.yaml: describes no {nfd}.txt, only {nfc}.txt, whose name differs in Unicode normalisation"
        f" ('cafe\\u0301.yaml' and 'caf\\xe9.txt'); not used: rename it {nfc}.yaml",
        f"{tmp_path}/doc.yml: describes no doc.txt, only Doc.txt, whose name differs in letter case; not used:"
        " rename it Doc.yml",
        f"{tmp_path}/lone.yaml: describes no lone.txt; not used",
        f"{tmp_path}/two.yaml: describes no two.txt, only TWO.txt, Two.txt, whose names differ in letter case;"
        " not used: rename it after the text it describes"]


def test_suffix_in_another_case_is_warned_of(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """NAME.TXT, NAME.YAML and NAME.Yml are not read, and each is named with the name to give it."""
    write_text(tmp_path, "ok", b"ok")
    (tmp_path / "UP.TXT").write_bytes(b"up")
    (tmp_path / "ok.YAML").write_text("title: W\n")
    (tmp_path / "x.Yml").write_text("title: X\n")
    (tmp_path / "y.tXt.bak").write_text("not a text")
    (tmp_path / ".H.TXT").write_text("hidden")
    assert list(list_sources([tmp_path]).names) == ["ok"]
    problem = "only lower-case .txt, .yaml, .yml are read; rename it to"
    assert _warnings(caplog) == [f"{tmp_path / name}: {problem} {to}"
                                 for name, to in (("UP.TXT", "UP.txt"), ("ok.YAML", "ok.yaml"), ("x.Yml", "x.yml"))]


def test_sub_folder_with_texts_is_warned_of_unless_given(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A sub-folder holding .txt files is named with the command that reads it; given as a source, it is not."""
    write_text(tmp_path, "a", b"A")
    for name in ("n1", "n2"):
        write_text(tmp_path / "sub", name, b"N")
    write_text(tmp_path / "one", "o", b"O")
    (tmp_path / "originals").mkdir()
    (tmp_path / "originals" / "a.html").write_text("<p>A</p>")
    (tmp_path / "sub" / "deeper").mkdir()
    write_text(tmp_path / "sub" / "deeper", "d", b"D")
    assert list(list_sources([tmp_path]).names) == ["a"]
    assert _warnings(caplog) == [
        f"{tmp_path / sub}: sub-folder with {files} is not read; give it as a source too "
        f"(provpack package {tmp_path} {tmp_path / sub}), unless they are originals a sidecar names"
        for sub, files in (("one", "1 .txt file"), ("sub", "2 .txt files"))]
    caplog.clear()   # sub/deeper was not looked into: one scandir per sub-folder, no recursion
    sub = tmp_path / "sub" / "deeper" / ".."   # a folder given is known however it is spelled
    assert list(list_sources([tmp_path, tmp_path / "one", sub, tmp_path / "sub" / "deeper"]).names) == [
        "a", "d", "n1", "n2", "o"]
    assert _warnings(caplog) == []


@pytest.mark.parametrize("kind", ["orphan", "case", "folder"])
def test_warnings_are_capped_per_folder(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Past ten lines of one kind in one folder, the rest are counted in one line, so a wrong folder cannot flood."""
    monkeypatch.setattr(inputs, "_RUN", 7)   # orphans met between texts, after them and across spilled runs
    for number in range(60):
        write_text(tmp_path, f"t{number:02}", b"T")
        if kind == "orphan":
            (tmp_path / f"t{number:02}x.yaml").write_text("title: T\n")
        elif kind == "case":
            (tmp_path / f"u{number:02}.TXT").write_bytes(b"U")
        else:
            write_text(tmp_path / f"s{number:02}", "n", b"N")
    assert len(list_sources([tmp_path])) == 60
    lines = _warnings(caplog)
    assert len(lines) == 11
    first = {"orphan": "t00x.yaml", "case": "u00.TXT", "folder": "s00"}[kind]
    tenth = {"orphan": "t09x.yaml", "case": "u09.TXT", "folder": "s09"}[kind]
    assert lines[0].startswith(f"{tmp_path / first}: ") and lines[9].startswith(f"{tmp_path / tenth}: ")
    assert lines[10].startswith(f"{tmp_path}: 50 more ")


@pytest.mark.parametrize("name", ["new.warc.gz", "dir/new.warc.gz"])
def test_missing_archive_name_as_source_suggests_o(tmp_path: Path, name: str) -> None:
    """A source that does not exist and is named like an archive is most likely the output given without -o."""
    write_text(tmp_path, "a", b"A")
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path, name])
    assert str(caught.value) == f"{name}: no such file or folder; to name the output, use -o {name} (out={name!r})"
    with pytest.raises(InputError, match="new.txt: no such file or folder; check the path$"):
        list_sources([tmp_path, "new.txt"])


@pytest.mark.parametrize("name, use, why", [
    ("out.warc", "out.warc.gz", "the archive name must end in .warc.gz (package writes gzipped WARCs)"),
    ("dir/out.WARC", "dir/out.warc.gz", "the archive name must end in .warc.gz (package writes gzipped WARCs)"),
    ("X.WARC.GZ", "X.warc.gz", "the archive name must end in lower-case .warc.gz"),
    ("x.Warc.gz", "x.warc.gz", "the archive name must end in lower-case .warc.gz"),
    (".warc", "archive.warc.gz", "the archive name must end in .warc.gz (package writes gzipped WARCs)")])
def test_the_o_suggested_is_a_name_package_takes(seed_dir: Path, tmp_path: Path, name: str, use: str,
                                                 why: str) -> None:
    """A .warc or an upper-case .WARC.GZ given as a source is told the -o that package takes, and why; that
    name is then packaged to, where the name given is refused, saying so."""
    with pytest.raises(InputError) as caught:
        list_sources([seed_dir, name])
    assert str(caught.value) == f"{name}: no such file or folder; to name the output, use -o {use} (out={use!r}): {why}"
    (tmp_path / "dir").mkdir()
    with pytest.raises(InputError) as refused:
        provpack.package(seed_dir, out=tmp_path / name)
    assert str(refused.value) == f"{tmp_path / name}: {why}; name it {Path(use).name}"
    assert provpack.package(seed_dir, out=tmp_path / use).warc_path == tmp_path / use


def test_existing_archive_as_source_suggests_o_and_force(tmp_path: Path) -> None:
    """An existing archive given as a source is told to use -o, with --force to replace it; an existing .warc
    is told the .warc.gz name to use, with --force only when a file of that name is there."""
    write_text(tmp_path, "a", b"A")
    (tmp_path / "old.warc.gz").write_bytes(b"")
    old = tmp_path / "old.warc.gz"
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path, old])
    assert str(caught.value) == (f"{old}: not a .txt file; to name the output, use -o {old} (out={str(old)!r}), and "
                                 "--force (force=True) to replace it")
    (tmp_path / "new.warc").write_bytes(b"")
    new = tmp_path / "new.warc.gz"
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path, tmp_path / "new.warc"])
    assert str(caught.value) == (f"{tmp_path / 'new.warc'}: not a .txt file; to name the output, use -o {new} "
                                 f"(out={str(new)!r}): the archive name must end in .warc.gz (package writes "
                                 "gzipped WARCs)")
    (tmp_path / "notes.md").write_text("")
    with pytest.raises(InputError, match="not a .txt file; name each document NAME.txt"):
        list_sources([tmp_path / "notes.md"])


def test_cli_prints_what_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack package` shows each warning on stderr, and the -o hint for an archive named as a source."""
    from provpack.cli import main

    folder = tmp_path / "x"
    write_text(folder, "ok", b"a [...]\n")
    (folder / "UP.TXT").write_bytes(b"b [...]\n")
    write_text(folder / "sub", "n", b"c [...]\n")
    (folder / ".h.txt").write_bytes(b"d [...]\n")
    (folder / "okk.yaml").write_text("title: T\n")
    (folder / "ok.YAML").write_text("title: W\n")
    monkeypatch.chdir(folder)
    assert main(["-q", "package", ".", "-o", str(tmp_path / "x.warc.gz")]) == 0
    assert capsys.readouterr().err == ""
    assert main(["package", ".", "-o", str(tmp_path / "x.warc.gz"), "--force"]) == 0
    err = capsys.readouterr().err
    for line in ("./UP.TXT: only lower-case .txt, .yaml, .yml are read; rename it to UP.txt",
                 "./ok.YAML: only lower-case .txt, .yaml, .yml are read; rename it to ok.yaml",
                 "./okk.yaml: describes no okk.txt; not used",
                 "./sub: sub-folder with 1 .txt file is not read; give it as a source too (provpack package . ./sub)"):
        assert f"provpack: warning: {line}" in err
    assert ".h.txt" not in err
    assert main(["package", ".", "new.warc.gz"]) == 2
    assert capsys.readouterr().err.endswith("\nprovpack: error: new.warc.gz: no such file or folder; to name the "
                                            "output, use -o new.warc.gz (out='new.warc.gz')\n")


def test_names_that_differ_only_in_case_or_normalisation_are_warned_of(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Doc/doc and an NFC/NFD pair are distinct files here, but one file on macOS or Windows: packaged, with a
    warning per pair; distinct names (and one name in two sources' folders, refused elsewhere) give none."""
    import unicodedata

    for name in ("Doc", "doc", "other", "Z\u00fcrich", unicodedata.normalize("NFD", "Z\u00fcrich"), "Unique"):
        (tmp_path / f"{name}.txt").write_bytes(b"A [...] B\n")
    caplog.set_level("WARNING", logger="provpack")
    assert len(list_sources([tmp_path])) == 6
    warned = _warnings(caplog)
    assert len(warned) == 2, warned
    assert warned == [   # in code point order; names that look the same are also given with escapes
        "Doc.txt and doc.txt differ only in letter case or Unicode normalisation: extracted on macOS or Windows, "
        "one would overwrite the other; rename one",
        "Zu\u0308rich.txt and Z\u00fcrich.txt differ only in letter case or Unicode normalisation "
        "('Zu\\u0308rich.txt' and 'Z\\xfcrich.txt'): extracted on macOS or Windows, one would overwrite the "
        "other; rename one"]


def test_names_that_differ_only_in_characters_that_show_as_nothing_are_warned_of(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`ab` and `a<LRM>b`, `x y` and `x<ZWSP> y` look the same in a listing: packaged, with a warning per pair;
    so do `Doc` and `d<ZWJ>oc`, which differ in letter case as well. A Persian name keeps its zero-width
    non-joiner and has no twin: no warning."""
    for name in ("ab", "a\u200eb", "x y", "x\u200b y", "Doc", "d\u200doc",
                 "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"):
        (tmp_path / f"{name}.txt").write_bytes(b"A [...] B\n")
    caplog.set_level("WARNING", logger="provpack")
    assert len(list_sources([tmp_path])) == 7
    assert _warnings(caplog) == [
        "Doc.txt and d\u200doc.txt differ only in characters that show as nothing, letter case or Unicode "
        "normalisation ('Doc.txt' and 'd\\u200doc.txt'): they look the same when listed; rename one",
        "ab.txt and a\u200eb.txt differ only in characters that show as nothing ('ab.txt' and 'a\\u200eb.txt'): "
        "they look the same when listed; rename one",
        "x y.txt and x\u200b y.txt differ only in characters that show as nothing ('x y.txt' and 'x\\u200b y.txt'): "
        "they look the same when listed; rename one"]


@pytest.mark.parametrize(("pairs", "more"), [(15, ["5 more names differ from another only so"]), (10, [])])
def test_many_twins_are_capped(tmp_path: Path, caplog: pytest.LogCaptureFixture, pairs: int, more: list[str]) -> None:
    """Past ten pairs, one line counts the rest; ten pairs fill the cap, with no '0 more' line."""
    for number in range(pairs):
        (tmp_path / f"n{number}.txt").write_bytes(b"x")
        (tmp_path / f"N{number}.txt").write_bytes(b"x")
    caplog.set_level("WARNING", logger="provpack")
    list_sources([tmp_path])
    warned = _warnings(caplog)
    assert all("differ only in letter case" in line for line in warned[:10]) and warned[10:] == more


def test_a_folder_that_cannot_be_listed_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source folder we may not list: permission denied, and check the folder's permissions."""
    import provpack.inputs as inputs_module

    write_text(tmp_path / "src", "a", b"A")

    def deny(path: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(inputs_module.os, "scandir", deny)
    with pytest.raises(InputError, match=r"src: cannot list the folder: permission denied; "
                                         r"check the folder's permissions \(or run as its owner\)$"):
        list_sources([tmp_path / "src"])


@pytest.mark.parametrize("given", ["folder", "text"])
def test_two_sidecars_are_refused_naming_the_second(tmp_path: Path, given: str) -> None:
    """NAME.yaml and NAME.yml beside one text, listed from its folder or given as the text itself, are refused."""
    text = write_text(tmp_path, "same", b"1", sidecar="a: 1\n")
    (tmp_path / "same.yml").write_text("a: 1\n")
    with pytest.raises(InputError) as caught:
        discover([tmp_path if given == "folder" else text])
    assert str(caught.value) == (f"{tmp_path / 'same.yml'}: both same.yaml and same.yml describe same.txt; "
                                 "keep one sidecar per document")


def test_a_special_file_given_as_the_text_is_refused(tmp_path: Path) -> None:
    """A FIFO named on the command line as NAME.txt is an error saying to give a plain file."""
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(InputError) as caught:
        discover([tmp_path / "pipe.txt"])
    assert str(caught.value) == f"{tmp_path / 'pipe.txt'}: not a regular file; give a plain .txt file"


def test_listing_is_frozen_names_its_paths_and_follows_no_outside_link_by_default(tmp_path: Path) -> None:
    """A Listing cannot be changed, gives each text's path; list_sources refuses an outside link unless told."""
    import dataclasses
    write_text(tmp_path / "src", "ok", b"ok")
    listing = list_sources([tmp_path / "src"])
    assert listing.text_path(0) == os.path.join(str(tmp_path / "src"), "ok.txt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        listing.folders = ()  # type: ignore[misc]
    os.symlink(write_text(tmp_path / "elsewhere", "secret", b"secret"), tmp_path / "src" / "link.txt")
    with pytest.raises(InputError, match="outside the source folder"):
        list_sources([tmp_path / "src"])
    assert len(list_sources([tmp_path / "src"], follow_symlinks=True)) == 2


def test_one_name_in_two_folders_is_refused_in_full(tmp_path: Path) -> None:
    """Two sources giving one document name: the second file, the first, and that names must be unique."""
    write_text(tmp_path / "one", "a", b"A")
    write_text(tmp_path / "two", "a", b"B")
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path / "one", tmp_path / "two"])
    assert str(caught.value) == (f"{tmp_path / 'two' / 'a.txt'}: a document named 'a' is already given by "
                                 f"{tmp_path / 'one' / 'a.txt'}; document names (file stems) must be unique")


def test_read_bytes_refusals_in_full(tmp_path: Path) -> None:
    """A text over the limit, and one swapped for a FIFO after it was listed: each message says what to do."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 11)
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(big, limit=10)
    assert str(caught.value) == (f"{big}: 11 bytes is more than the limit of 10 bytes; split the document, "
                                 "or raise the limit with --max-text-bytes (max_text_bytes)")
    fifo = tmp_path / "swapped.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(fifo)
    assert str(caught.value) == f"{fifo}: not a regular file (it changed while packaging); run again"


def test_a_dangling_link_is_refused_in_full(tmp_path: Path) -> None:
    """A text that is a symbolic link to nothing: named, said so, and what to do."""
    write_text(tmp_path, "a", b"A")
    (tmp_path / "b.txt").symlink_to(tmp_path / "missing.txt")
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path])
    assert str(caught.value) == f"{tmp_path / 'b.txt'}: symbolic link to a file that does not exist; fix or remove the link"


def test_a_link_loop_is_said_so_as_a_source_and_in_a_folder(tmp_path: Path) -> None:
    """A source that is a loop of symbolic links (l1 -> l2 -> l1) is said to loop, as one in a folder is (it was "no
    such file or folder; check the path"), in the same words on every Python version; a source link to nothing is
    said so."""
    (tmp_path / "l1").symlink_to("l2")
    (tmp_path / "l2").symlink_to("l1")
    (tmp_path / "l3.txt").symlink_to("l1")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x1.txt").symlink_to("x2.txt")
    (tmp_path / "d" / "x2.txt").symlink_to("x1.txt")
    (tmp_path / "nowhere").symlink_to("nothing")
    loop = "symbolic link cannot be followed: a loop of links (too many levels of symbolic links); fix or remove the link"
    for source, named in (("l1", "l1"), ("l3.txt", "l3.txt"), ("d", "d/x1.txt")):
        with pytest.raises(InputError) as caught:
            list_sources([tmp_path / source])
        assert str(caught.value) == f"{tmp_path / named}: {loop}"
    with pytest.raises(InputError) as caught:
        list_sources([tmp_path / "nowhere"])
    assert str(caught.value) == (f"{tmp_path / 'nowhere'}: symbolic link to a file or folder that does not exist; fix "
                                 "or remove the link")


def test_a_text_behind_a_folder_that_may_not_be_searched_says_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A text given by name in a folder without search (x) permission (simulated: tests run as root) is refused with
    what to do, not the bare "noread/a.txt: permission denied" of the PermissionError its stat raised."""
    import errno

    from provpack.cli import main

    text = write_text(tmp_path / "noread", "a", b"text [...]\n")
    real_stat = os.stat

    def refused(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path).startswith(str(text.parent) + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refused)
    assert main(["package", str(text), "-o", str(tmp_path / "o.warc.gz")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {text}: permission denied; check the permissions of the "
                                       "folders on its path (or run as their owner)\n")


def test_a_sub_folder_with_only_hidden_texts_is_not_warned_of(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Hidden texts (.NAME.txt) are skipped in a sub-folder as in a source: a sub-folder holding only those is quiet."""
    write_text(tmp_path, "a", b"A")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".hidden.txt").write_bytes(b"H")
    caplog.set_level("WARNING", logger="provpack")
    assert list(list_sources([tmp_path]).names) == ["a"]
    assert _warnings(caplog) == []


def test_a_text_that_grows_past_the_limit_while_read_is_refused_in_full(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A text listed at 5 bytes that holds 20 when read, against a limit of 10: refused, saying it grew."""
    text = tmp_path / "growing.txt"
    text.write_bytes(b"x" * 20)
    real_open = inputs.open_regular

    def stale(path: Any, *, within: str | None = None) -> Any:
        fd, info = real_open(path, within=within)
        return fd, os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_uid, info.st_gid,
                                   5, info.st_atime, info.st_mtime, info.st_ctime))

    monkeypatch.setattr(inputs, "open_regular", stale)
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(text, limit=10)
    assert str(caught.value) == (f"{text}: more than the limit of 10 bytes (the file grew while packaging); "
                                 "split the document, or raise the limit with --max-text-bytes (max_text_bytes)")


def _stale_size(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """open_regular's fstat says `size` bytes, whatever the file holds (it changed after the fstat)."""
    real_open = inputs.open_regular

    def stale(path: Any, *, within: str | None = None) -> Any:
        fd, info = real_open(path, within=within)
        return fd, os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_uid, info.st_gid,
                                   size, info.st_atime, info.st_mtime, info.st_ctime))

    monkeypatch.setattr(inputs, "open_regular", stale)


@pytest.mark.parametrize("chunk", [1 << 24, 8])   # one read() asked for the whole text; and 8 bytes at a time
def test_short_reads_are_read_on_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """read() giving at most 7 bytes a call (as Linux does past 0x7ffff000, and FUSE may): the whole text is read,
    returned as bytes, where one read() kept 7 bytes of 100."""
    text = tmp_path / "short.txt"
    text.write_bytes(bytes(range(100)))
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, count: real_read(fd, min(count, 7)))
    monkeypatch.setattr(inputs, "_READ_CHUNK", chunk)
    data = inputs.read_bytes(text, limit=100)
    assert type(data) is bytes and data == bytes(range(100))
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(text, limit=99)
    assert str(caught.value) == (f"{text}: 100 bytes is more than the limit of 99 bytes; split the document, "
                                 "or raise the limit with --max-text-bytes (max_text_bytes)")


@pytest.mark.parametrize("chunk", [1 << 24, 4])
@pytest.mark.parametrize(("listed", "held"), [(20, 8), (5, 8), (0, 3)])
def test_a_text_that_shrinks_or_grows_while_read_is_refused_in_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, listed: int, held: int) -> None:
    """A text whose fstat says one size and whose read gives another, within the limit: refused, to run again
    (its bytes may be half old, half new), where it was packaged as read."""
    text = tmp_path / "changing.txt"
    text.write_bytes(b"x" * held)
    _stale_size(monkeypatch, listed)
    monkeypatch.setattr(inputs, "_READ_CHUNK", chunk)
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(text, limit=30)
    assert str(caught.value) == (f"{text}: {listed:,} bytes when opened, {held:,} when read "
                                 "(the file changed while packaging); run again")


def test_a_text_read_in_chunks_that_grows_past_the_limit_is_refused_in_full(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Listed at 5 bytes, holding 50, read 4 bytes at a time, against a limit of 10: said to have grown past it."""
    text = tmp_path / "growing.txt"
    text.write_bytes(b"x" * 50)
    _stale_size(monkeypatch, 5)
    monkeypatch.setattr(inputs, "_READ_CHUNK", 4)
    with pytest.raises(InputError) as caught:
        inputs.read_bytes(text, limit=10)
    assert str(caught.value) == (f"{text}: more than the limit of 10 bytes (the file grew while packaging); "
                                 "split the document, or raise the limit with --max-text-bytes (max_text_bytes)")


def test_names_are_listed_as_utf8_text_in_a_c_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names, each byte past ASCII a lone surrogate) the documents are named by their
    bytes read as UTF-8, as in a UTF-8 locale, and sorted so; each one's path is still the file's, its sidecar's
    too (printed, its bytes as they are). They were 'caf\\udcc3\\udca9' and the like."""
    env = locale_env(tmp_path, C_LOCALE)
    write_text(tmp_path / "src", "\u0430", b"a\n")
    write_text(tmp_path / "src", "caf\u00e9", b"b\n", sidecar="title: T\n")
    write_text(tmp_path / "src", "\U0001f600", b"c\n")
    script = ("from provpack.inputs import discover\n"
              "for found in discover(['src']):\n"
              "    print(ascii(found.name), found.text_path.read_bytes(),"
              " found.sidecar_path and found.sidecar_path.name)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout.splitlines()) == (0, "", [
        "'caf\\xe9' b'b\\n' caf\u00e9.yaml", "'\\u0430' b'a\\n' None", "'\\U0001f600' b'c\\n' None"])


def test_warnings_name_files_as_the_locale_shows_their_names(tmp_path: Path) -> None:
    """In a C locale a warning names a file by its bytes (\\xc3\\xa9 for é, as in its path), also where it says
    what to rename it to, though the names are compared as UTF-8 text (Café.yaml is found to differ from café.txt
    in letter case only)."""
    env = locale_env(tmp_path, C_LOCALE)
    write_text(tmp_path / "src", "caf\u00e9", b"a [...] b\n")
    (tmp_path / "src" / "Caf\u00e9.yaml").write_text("title: T\n", encoding="utf-8")
    (tmp_path / "src" / "\u00e9t\u00e9.TXT").write_bytes(b"c\n")
    done = subprocess.run([sys.executable, "-m", "provpack", "package", "src", "-o", "o.warc.gz"],
                          capture_output=True, cwd=tmp_path, env=env, timeout=60)
    assert (done.returncode, done.stderr.decode("ascii").splitlines()) == (0, [
        "provpack: warning: src/\\xc3\\xa9t\\xc3\\xa9.TXT: only lower-case .txt, .yaml, .yml are read; rename it to "
        "\\xc3\\xa9t\\xc3\\xa9.txt",
        "provpack: warning: src/Caf\\xc3\\xa9.yaml: describes no Caf\\xc3\\xa9.txt, only caf\\xc3\\xa9.txt, whose name "
        "differs in letter case ('Caf\\xe9.yaml' and 'caf\\xe9.txt'); not used: rename it caf\\xc3\\xa9.yaml"])
