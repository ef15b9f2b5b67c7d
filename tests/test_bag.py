"""provpack.bag: bags that bagit-python validates, and that fail when touched."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import os
import re
import shutil
import stat
import unicodedata
from pathlib import Path

import bagit
import pytest

import provpack.bag
from provpack.bag import make_bag
from provpack.errors import ArchiveError, InputError, printable
from provpack_warcs import write_provpack_warc
from conftest import ARCHIVE, C_LOCALE, locale_env, run_in, utf8_env

TAG_FILES = [
    "bag-info.txt",
    "bagit.txt",
    "manifest-sha256.txt",
    "manifest-sha512.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha512.txt",
]


@pytest.fixture
def archive(tmp_path: Path) -> list[Path]:
    """A provpack-style WARC and its .sha256 file."""
    source = tmp_path / "in"
    source.mkdir()
    warc = write_provpack_warc(source / "seeds.warc.gz", date="2017-11-12T10:20:30Z")
    sidecar = source / "seeds.warc.gz.sha256"
    sidecar.write_text(f"{hashlib.sha256(warc.read_bytes()).hexdigest()}  seeds.warc.gz\n")
    return [warc, sidecar]


def test_bag_validates_with_bagit(archive: list[Path], tmp_path: Path) -> None:
    """bagit-python reads the bag as BagIt 1.0 with both algorithms, and validates every file."""
    days = [dt.datetime.now(dt.timezone.utc).date().isoformat()]
    out = make_bag(archive, tmp_path / "bag")
    days.append(dt.datetime.now(dt.timezone.utc).date().isoformat())   # (the same but across midnight)
    bag = bagit.Bag(str(out))
    bag.validate()
    assert bag.version_info == (1, 0)
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    assert sorted(bag.payload_files()) == ["data/seeds.warc.gz", "data/seeds.warc.gz.sha256"]
    size = sum(p.stat().st_size for p in archive)
    assert bag.info["Payload-Oxum"] == f"{size}.2"
    assert bag.info["Bagging-Date"] in days   # when bagged (RFC 8493)
    assert bag.info["Bag-Software-Agent"].startswith("provpack ")
    for source in archive:
        assert (out / "data" / source.name).read_bytes() == source.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == sorted([*TAG_FILES, "data"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_manifests_hold_sha256_and_sha512(archive: list[Path], tmp_path: Path) -> None:
    """Each manifest line is `<hex>  data/<name>`, sorted, with the file's real digest."""
    out = make_bag(archive, tmp_path / "bag")
    for algorithm in ("sha256", "sha512"):
        lines = (out / f"manifest-{algorithm}.txt").read_text().splitlines()
        expected = [
            f"{hashlib.new(algorithm, p.read_bytes()).hexdigest()}  data/{p.name}"
            for p in sorted(archive, key=lambda p: p.name)
        ]
        assert lines == expected
        tag_lines = (out / f"tagmanifest-{algorithm}.txt").read_text().splitlines()
        assert [line.split("  ", 1)[1] for line in tag_lines] == [
            "bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt"
        ]


def test_tampered_payload_fails_validation(archive: list[Path], tmp_path: Path) -> None:
    """Changing one payload byte makes bagit report a checksum mismatch."""
    out = make_bag(archive, tmp_path / "bag")
    target = out / "data" / "seeds.warc.gz"
    raw = bytearray(target.read_bytes())
    raw[100] ^= 0x01
    target.write_bytes(bytes(raw))
    with pytest.raises(bagit.BagValidationError) as caught:
        bagit.Bag(str(out)).validate()
    mismatched = {(d.path, d.algorithm) for d in caught.value.details}
    assert mismatched == {("data/seeds.warc.gz", "sha256"), ("data/seeds.warc.gz", "sha512")}


def test_tampered_tag_file_fails_validation(archive: list[Path], tmp_path: Path) -> None:
    """Editing bag-info.txt breaks the tag manifests."""
    out = make_bag(archive, tmp_path / "bag")
    with open(out / "bag-info.txt", "a", encoding="utf-8") as info:
        info.write("Source-Organization: someone else\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(out)).validate()


def test_source_date_epoch_sets_bagging_date(
    archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH sets Bagging-Date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = make_bag(archive, tmp_path / "bag")
    assert bagit.Bag(str(out)).info["Bagging-Date"] == "2023-11-14"


def test_same_files_give_the_same_tag_files(archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bagging twice gives byte-identical tag files and payload under one SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = make_bag(archive, tmp_path / "one")
    second = make_bag(archive, tmp_path / "two")
    for name in [*TAG_FILES, "data/seeds.warc.gz", "data/seeds.warc.gz.sha256"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize("name", ["100%.txt", "two\nlines.txt", "cr\r.txt"])
def test_names_validators_disagree_on_are_refused(name: str, tmp_path: Path) -> None:
    """RFC 8493 percent-encodes %, CR and LF in manifests; bagit-python decodes only CR/LF: refuse them."""
    odd = tmp_path / name
    odd.write_bytes(b"odd")
    with pytest.raises(InputError, match="rename"):
        make_bag([odd], tmp_path / "bag")
    assert not (tmp_path / "bag").exists()


def test_plain_odd_names_are_fine(tmp_path: Path) -> None:
    """Spaces, capitals, non-ASCII and a leading dot pass through manifests unchanged."""
    names = ["a b.txt", "caf\u00e9 \u2026.warc.gz", ".hidden", "X-Ray.WARC"]
    for name in names:
        (tmp_path / name).write_text(name)
    out = make_bag([tmp_path / name for name in names], tmp_path / "bag")
    bag = bagit.Bag(str(out))
    bag.validate()
    assert sorted(bag.payload_files()) == sorted(f"data/{name}" for name in names)


@pytest.mark.parametrize("name, problem", [
    ("b.warc.gz ", "has a name ending in whitespace, U+0020 (SPACE), which bagit-python strips from manifest lines"),
    ("b.warc.gz\u00a0", "has a name ending in whitespace, U+00A0 (NO-BREAK SPACE), which bagit-python strips from "
                        "manifest lines"),
    ("b.warc.gz\t", "has a name ending in whitespace, U+0009, which bagit-python strips from manifest lines"),
    ("b.warc.gz\x1f", "has a name ending in whitespace, U+001F, which bagit-python strips from manifest lines"),
    ("a\x0bb.warc.gz", "has U+000B in its name, a line break to bagit-python, which would cut the file's manifest "
                       "line in two"),
    ("a\u2028b.warc.gz", "has U+2028 (LINE SEPARATOR) in its name, a line break to bagit-python, which would cut the "
                         "file's manifest line in two"),
    ("a\u2029", "has U+2029 (PARAGRAPH SEPARATOR) in its name, a line break to bagit-python, which would cut the "
                "file's manifest line in two"),
])
def test_names_bagit_python_misreads_are_refused(name: str, problem: str, tmp_path: Path) -> None:
    """bagit-python ends a manifest line wherever str.splitlines does and strips the line's whitespace: a name with
    such a line break, or ending in whitespace, would be read as another name, and the bag would not validate."""
    odd = tmp_path / name
    odd.write_bytes(b"odd")
    with pytest.raises(InputError) as caught:
        make_bag([odd], tmp_path / "bag")
    assert str(caught.value) == f"{printable(str(odd))}: {problem}; rename the file"
    assert not (tmp_path / "bag").exists()


def test_a_name_ending_in_a_space_is_refused_on_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack bag 'b.warc.gz ' -o bag`: exit 2, the space named (a message cannot show it), nothing written."""
    from provpack.cli import main

    odd = tmp_path / "b.warc.gz "
    odd.write_bytes(b"x")
    assert main(["bag", str(odd), "-o", str(tmp_path / "bag")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {odd}: has a name ending in whitespace, U+0020 (SPACE), "
                                       "which bagit-python strips from manifest lines; rename the file\n")
    assert not (tmp_path / "bag").exists()


def test_the_name_rule_has_the_line_breaks_and_whitespace_of_str() -> None:
    """The written-out sets are those bagit-python's reader uses: str.splitlines' line breaks, str.isspace's spaces."""
    characters = [chr(code) for code in range(0x110000)]
    breaks = {char for char in characters if len(f"a{char}b".splitlines()) == 2}
    assert {char for char in characters if provpack.bag._LINE_BREAK.search(char)} == breaks
    assert {char for char in characters if provpack.bag._SPACE_AT_END.search(f"a{char}")} == \
           {char for char in characters if char.isspace()}
    assert not provpack.bag._SPACE_AT_END.search(" a")   # only at the end


@functools.cache
def _tricky_names() -> tuple[str, ...]:
    """Each control, format, space and line-break character, and a few others (`*`, which bagit-python strips
    before a path, `%`, `\\`, `~`, `#`, CR LF), first, inside and last in a name; and some names in full."""
    odd = [chr(code) for code in range(1, 0x110000) if chr(code) != "/" and (
        chr(code).isspace() or len(f"a{chr(code)}b".splitlines()) == 2
        or unicodedata.category(chr(code)) in ("Cc", "Cf", "Zs", "Zl", "Zp"))]
    odd += ["*", "%", "\\", "~", "#", ".", "-", ":", "\r\n"]
    names = [name for char in odd for name in (f"{char}a.warc", f"a{char}b.warc", f"a.warc{char}")]
    return (*names, " leading.warc.gz", "*star.warc.gz", "caf\u00e9.warc.gz", "cafe\u0301 2.warc.gz", "...", "..a",
            "%0A.warc", "a%0d.warc")


def _bagit_validates(bag: Path) -> bool:
    try:
        bagit.Bag(str(bag)).validate()
    except bagit.BagError:
        return False
    return True


def test_every_tricky_name_the_rule_accepts_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bagit-python validates a bag of every tricky name the rule lets through (it is not too loose)."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)   # (700 files: syncing each was most of the time)
    accepted = [name for name in _tricky_names() if provpack.bag._name_problem(name) is None]
    assert len(accepted) > 600 and " leading.warc.gz" in accepted and "a.warc\u200b" in accepted
    # Two bags: U+2000 and U+2001 are U+2002 and U+2003 in NFC, names one bag would refuse as twins.
    for part, names in enumerate(([n for n in accepted if unicodedata.is_normalized("NFC", n)],
                                  [n for n in accepted if not unicodedata.is_normalized("NFC", n)])):
        folder = tmp_path / f"in{part}"
        folder.mkdir()
        for name in names:
            (folder / name).write_text(name)
        bag = make_bag([folder / name for name in names], tmp_path / f"bag{part}")
        assert _bagit_validates(bag)
        assert sorted(bagit.Bag(str(bag)).payload_files()) == sorted(f"data/{name}" for name in names)


def test_every_tricky_name_the_rule_refuses_but_for_percent_fails_bagit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bagged anyway, each name the rule refuses makes a bag bagit-python rejects: the rule is not too strict for it
    either. (But names with %: RFC 8493 has % percent-encoded, as other validators read it; bagit-python decodes
    only %0D and %0A, and takes a name with `a%0d` or `100%` as it is.)"""
    refused = [name for name in _tricky_names() if provpack.bag._name_problem(name) is not None and "%" not in name]
    assert len(refused) > 40 and "a.warc " in refused and "a\u2028b.warc" in refused
    monkeypatch.setattr(provpack.bag, "_name_problem", lambda name: None)
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    for number, name in enumerate(refused):
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / name).write_bytes(b"x")
        assert not _bagit_validates(make_bag([folder / name], folder / "bag")), repr(name)


def test_existing_empty_folder_is_used(archive: list[Path], tmp_path: Path) -> None:
    """An empty destination folder is replaced by the bag."""
    (tmp_path / "bag").mkdir()
    bagit.Bag(str(make_bag(archive, tmp_path / "bag"))).validate()


def test_non_empty_folder_is_refused(archive: list[Path], tmp_path: Path) -> None:
    """A folder with anything in it is never overwritten."""
    out = tmp_path / "bag"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ArchiveError, match="not an empty folder"):
        make_bag(archive, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_file_in_the_way_is_refused(archive: list[Path], tmp_path: Path) -> None:
    """A file where the bag should go is an error, and is left alone."""
    out = tmp_path / "bag"
    out.write_text("file")
    with pytest.raises(ArchiveError):
        make_bag(archive, out)
    assert out.read_text() == "file"


def test_failure_while_building_leaves_nothing(
    archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error half-way removes the temporary folder and creates no bag."""

    def broken(digests: dict[str, str]) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(provpack.bag, "_manifest", broken)
    with pytest.raises(ArchiveError, match="disk full \\(no space left on device\\)"):
        make_bag(archive, tmp_path / "bag")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


@pytest.mark.parametrize("problem", ["missing", "folder", "duplicate", "none"])
def test_bad_inputs_are_input_errors(problem: str, archive: list[Path], tmp_path: Path) -> None:
    """Missing files, folders, clashing names and no files at all are refused before writing."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "seeds.warc.gz").write_bytes(b"x")
    paths = {
        "missing": [tmp_path / "nope.warc.gz"],
        "folder": [other],
        "duplicate": [archive[0], other / "seeds.warc.gz"],
        "none": [],
    }[problem]
    with pytest.raises(InputError):
        make_bag(paths, tmp_path / "bag")
    assert not (tmp_path / "bag").exists()


def test_unreadable_warc_falls_back_for_the_date(tmp_path: Path) -> None:
    """A .warc.gz that is not a WARC is still bagged; the date then comes from the clock."""
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"not a warc at all\n")
    out = make_bag([junk], tmp_path / "bag")
    bag = bagit.Bag(str(out))
    bag.validate()
    assert len(bag.info["Bagging-Date"]) == 10


def test_a_failed_write_is_not_blamed_on_the_source(tmp_path: Path) -> None:
    """A payload copy that cannot be written (here: over RLIMIT_FSIZE) names the bag, not the file being read."""
    resource = pytest.importorskip("resource")
    big = tmp_path / "in" / "big.warc.gz"
    big.parent.mkdir()
    big.write_bytes(bytes(3 << 20))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))   # Python ignores SIGXFSZ: writes fail with EFBIG
    try:
        with pytest.raises(ArchiveError) as caught:
            make_bag([big], tmp_path / "bag")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert caught.value.path == tmp_path / "bag"
    assert str(caught.value) == (
        f"{tmp_path / 'bag'}: cannot write the bag: the file-size limit was reached (ulimit -f, or the largest file "
        "this file system takes); nothing was changed; raise the file-size limit (ulimit -f) or write to another "
        "file system, then run again")
    assert "cannot read" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_a_build_folder_left_by_a_killed_run_is_removed(archive: list[Path], tmp_path: Path) -> None:
    """A run killed with kill -9 leaves its .OUT.XXXXXXXX.tmp build folder; the next run on OUT removes it,
    and leaves alone a look-alike that is not one of ours (another name, or a file)."""
    stale = tmp_path / ".bag.k2j_x9q0.tmp"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "seeds.warc.gz").write_bytes(b"half")
    other = tmp_path / ".bag2.k2j_x9q0.tmp"
    other.mkdir()
    lookalike = tmp_path / ".bag.abcdefgh.tmp.keep"
    lookalike.write_text("mine")
    make_bag(archive, tmp_path / "bag")
    assert not stale.exists()
    assert other.is_dir() and lookalike.read_text() == "mine"
    assert bagit.Bag(str(tmp_path / "bag")).is_valid()
    assert not list(tmp_path.glob(".bag*.lock"))


def test_a_second_run_on_the_same_folder_is_refused_while_the_first_builds(
    archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs bagging into one folder: the second is refused at once and the first's bag is whole."""
    out = tmp_path / "bag"
    build = provpack.bag._build
    refused: list[str] = []

    def build_then_try_again(bag: Path, sources: list[Path], date: object) -> None:
        with pytest.raises(ArchiveError) as second:
            make_bag(archive, out)
        refused.append(str(second.value))
        build(bag, sources, date)  # type: ignore[arg-type]

    monkeypatch.setattr(provpack.bag, "_build", build_then_try_again)
    make_bag(archive, out)
    assert refused and "another" in refused[0]
    assert bagit.Bag(str(out)).is_valid()


def test_a_wacz_named_like_a_warc_is_bagged_with_a_short_warning(
        archive: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A ZIP named x.warc.gz is bagged as it is: bag reads no payload's content (nor its date), so says nothing."""
    from provpack.wacz import make_wacz

    fake = tmp_path / "fake.warc.gz"
    make_wacz(archive[0], tmp_path / "a.wacz").rename(fake)
    with caplog.at_level("WARNING", logger="provpack"):
        make_bag([fake], tmp_path / "bag")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
    bagit.Bag(str(tmp_path / "bag")).validate()


def test_one_path_given_as_text_or_path_is_one_file(archive: list[Path], tmp_path: Path) -> None:
    """make_bag("x.warc.gz", out) bags that one file, as package and verify take one path; it is not read as
    a sequence of characters."""
    for number, one in enumerate((str(archive[0]), archive[0])):
        bag = make_bag(one, tmp_path / f"bag{number}")
        assert sorted(p.name for p in (bag / "data").iterdir()) == [archive[0].name]
        assert bagit.Bag(str(bag)).is_valid()


@pytest.mark.parametrize("one, two, how", [
    ("caf\u00e91.txt", "cafe\u03011.txt", "only in Unicode normalisation"),
    ("Doc.warc.gz", "doc.warc.gz", "only in letter case: "),
    ("CAF\u00c9.txt", "cafe\u0301.txt", "only in letter case and Unicode normalisation"),
])
def test_names_one_on_other_systems_are_refused(one: str, two: str, how: str, tmp_path: Path) -> None:
    """Names that differ only in normalisation (which bagit-python's validate merges, failing such a bag
    by directory order) or in case (one file on macOS and Windows) are refused, naming both."""
    for name in (one, two):
        (tmp_path / name).write_text(name)
    with pytest.raises(InputError, match=f"{tmp_path / two}: has a name that differs from {tmp_path / one}'s {how}"):
        make_bag([tmp_path / one, tmp_path / two], tmp_path / "bag")
    assert not (tmp_path / "bag").exists()
    bagit.Bag(str(make_bag([tmp_path / one], tmp_path / "bag"))).validate()   # each alone is fine


def test_a_name_that_is_not_utf8_is_refused_before_anything_is_copied(
        archive: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file name with bytes that are not UTF-8 is refused up front (exit 2, the byte escaped), no traceback."""
    from provpack.cli import main

    raw_name = os.fsdecode(b"bad\xff.warc")
    bad = tmp_path / raw_name
    try:
        bad.write_bytes(archive[0].read_bytes())
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take such a name")
    with pytest.raises(InputError, match="not valid UTF-8"):
        make_bag([bad], tmp_path / "bag")
    assert main(["bag", str(bad), "-o", str(tmp_path / "bag2")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("provpack: error: ") and "bad\\xff.warc: has a name that is not valid UTF-8" in err
    assert err.rstrip("\n").endswith("which BagIt manifests cannot name; rename the file")
    assert "Traceback" not in err
    assert not (tmp_path / "bag").exists() and not (tmp_path / "bag2").exists()


def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.bag import *` gives, and each name exists."""
    assert provpack.bag.__all__ == ["ALGORITHMS", "make_bag"]
    assert all(hasattr(provpack.bag, name) for name in provpack.bag.__all__)


def test_missing_parent_folders_are_made(archive: list[Path], tmp_path: Path) -> None:
    """`bag -o new/deeper/bag`: the folders above the bag are made first."""
    out = make_bag(archive, tmp_path / "new" / "deeper" / "bag")
    assert bagit.Bag(str(out)).is_valid()


def test_the_bag_folder_is_readable_by_all(archive: list[Path], tmp_path: Path) -> None:
    """The bag gets mode 755 (its build folder was mkdtemp's private 700), like the files the archive's readers need."""
    out = make_bag(archive, tmp_path / "bag")
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_the_bag_is_built_in_a_hidden_folder_beside_it(
        archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While it is built the bag is .OUT.XXXXXXXX.tmp beside OUT: the name a later run removes if this one is killed."""
    build = provpack.bag._build
    seen: list[Path] = []

    def watched(bag: Path, sources: list[Path], date: object) -> None:
        seen.append(bag)
        build(bag, sources, date)  # type: ignore[arg-type]

    monkeypatch.setattr(provpack.bag, "_build", watched)
    make_bag(archive, tmp_path / "bag")
    assert len(seen) == 1 and seen[0].parent == tmp_path
    assert re.fullmatch(r"\.bag\.[a-z0-9_]{8}\.tmp", seen[0].name)


def test_a_build_folder_removed_under_a_run_is_still_an_archive_error(
        archive: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails after the build folder went away is reported as the failed write, not as the clean-up's
    own failure (nothing to remove)."""

    def gone(bag: Path, sources: list[Path], date: object) -> None:
        shutil.rmtree(bag)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(provpack.bag, "_build", gone)
    with pytest.raises(ArchiveError, match="cannot write the bag: disk full"):
        make_bag(archive, tmp_path / "bag")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_paths_may_be_an_iterator(archive: list[Path], tmp_path: Path) -> None:
    """An iterator of paths is read once: its files are bagged, and an empty one is refused as an empty list is,
    not taken for a bag of nothing."""
    with pytest.raises(InputError) as caught:
        make_bag(iter([]), tmp_path / "none")
    assert str(caught.value) == "bag: no files to bag; name at least one archive"
    assert not (tmp_path / "none").exists()
    bag = make_bag(iter(archive), tmp_path / "bag")
    assert sorted(p.name for p in (bag / "data").iterdir()) == sorted(p.name for p in archive)


def test_refusals_say_what_to_do(archive: list[Path], tmp_path: Path) -> None:
    """Each refusal names the file, the problem and the fix."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "seeds.warc.gz").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        make_bag([], tmp_path / "bag")
    assert str(caught.value) == "bag: no files to bag; name at least one archive"
    with pytest.raises(InputError) as caught:
        make_bag([archive[0], other / "seeds.warc.gz"], tmp_path / "bag")
    assert str(caught.value) == (f"{other / 'seeds.warc.gz'}: has the same name as {archive[0]}; "
                                 "bag files with different names, or rename one")
    odd = tmp_path / "100%.txt"
    odd.write_bytes(b"odd")
    with pytest.raises(InputError) as caught:
        make_bag([odd], tmp_path / "bag")
    assert str(caught.value).endswith("validators encode differently; rename the file")
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ArchiveError) as caught:
        make_bag(archive, out)
    assert str(caught.value).endswith("already exists and is not an empty folder; name a new folder for the bag")
    assert not (tmp_path / "bag").exists()


@pytest.mark.parametrize("target", ["empty", "nowhere"])
def test_a_link_at_the_bag_name_is_refused_before_the_bag_is_built(archive: list[Path], tmp_path: Path,
                                                                   target: str) -> None:
    """bag -o LINK, a link to an empty folder or to nothing: refused up front, naming the link, with nothing
    written; it passed the check, the bag was built, then the rename failed ('a part of the path is a file')."""
    (tmp_path / "empty").mkdir()
    link = tmp_path / "bag"
    link.symlink_to(target)
    with pytest.raises(ArchiveError) as caught:
        make_bag(archive, link)
    assert str(caught.value) == (f"{link}: is a symbolic link (to '{target}'), not a folder; the bag is made under "
                                 "that name as a new folder; name a new folder for the bag, or the folder the link "
                                 "points to")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag", "empty", "in"]
    assert list((tmp_path / "empty").iterdir()) == []
    assert make_bag(archive, tmp_path / "empty") == tmp_path / "empty"   # the folder it points to, given itself


def test_a_file_on_the_way_to_the_bag_is_said_plainly(archive: list[Path], tmp_path: Path) -> None:
    """bag -o FILE/x: the file is named as not a folder (it said 'cannot write here: File exists')."""
    on_the_way = tmp_path / "a.warc.gz"
    on_the_way.write_bytes(b"x")
    with pytest.raises(ArchiveError) as caught:
        make_bag(archive, on_the_way / "x")
    assert str(caught.value) == f"{on_the_way / 'x'}: {on_the_way} is not a folder; choose another output path"
    assert on_the_way.read_bytes() == b"x"


def test_a_bag_name_too_long_is_refused_and_one_that_fits_is_made(archive: list[Path], tmp_path: Path) -> None:
    """A bag folder named to the file system's limit is built (its build folder's name is shortened); one byte
    more is refused before anything is made."""
    limit = int(os.pathconf(tmp_path, "PC_NAME_MAX"))
    fits = tmp_path / "out" / ("b" * limit)
    make_bag(archive, fits)
    assert sorted(p.name for p in fits.parent.iterdir()) == [fits.name]
    assert (fits / "bagit.txt").is_file()
    over = tmp_path / "new" / ("b" * (limit + 1))
    with pytest.raises(ArchiveError) as caught:
        make_bag(archive, over)
    assert str(caught.value) == (f"{over}: the name is too long for this file system: {limit + 1:,} bytes, "
                                 f"at most {limit:,}; choose a shorter name")
    assert not over.parent.exists()


def test_a_bag_made_in_the_empty_current_folder_named_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bag ARCHIVE -o .` in an empty folder: the bag is made there (its lock named after the folder), not a
    ValueError from a path with no name; `/` is refused."""
    source = tmp_path / "a.warc.gz"
    source.write_bytes(b"x")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert make_bag(source, ".") == here
    assert (here / "bagit.txt").is_file() and (here / "data" / "a.warc.gz").read_bytes() == b"x"
    with pytest.raises(InputError) as caught:
        make_bag(source, "/")
    assert str(caught.value) == "/: is the root folder, which cannot be a bag; name a new or empty folder"


def test_the_manifests_name_a_file_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names) `bag café.warc.gz` writes the bag a UTF-8 locale writes, the manifests
    naming data/café.warc.gz by its name's bytes read as UTF-8 (the file copied under those bytes), where it
    refused the name as not UTF-8 (and a Latin-1 locale wrote data/cafÃ©.warc.gz, a bag that does not validate)."""
    (tmp_path / "caf\u00e9.warc.gz").write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
    bags = []
    for env, out in ((utf8_env(), "u"), (locale_env(tmp_path, C_LOCALE), "c")):
        done = run_in(env, tmp_path, "-q", "bag", "caf\u00e9.warc.gz", "-o", out)
        assert (done.returncode, done.stderr) == (0, b"")
        bags.append(sorted((str(path.relative_to(tmp_path / out)), path.read_bytes())
                           for path in (tmp_path / out).rglob("*") if path.is_file()))
    assert bags[0] == bags[1]
    assert dict(bags[1])["manifest-sha256.txt"].endswith(b"  data/caf\xc3\xa9.warc.gz\n")
    assert bagit.Bag(str(tmp_path / "c")).is_valid()
