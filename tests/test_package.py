"""Tests for provpack.package: the whole pipeline, reproducibility, bad input."""

from __future__ import annotations

import copy
import datetime as dt
import errno
import functools
import gc
import hashlib
import importlib
import io
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

import provpack
from provpack import column, errors, gzipper, parallel, tables
from provpack.tables import SummaryTable
from provpack.errors import InputError
from provpack.package import run_date
from provpack.reader import extract, read_archive

from conftest import (BUILT_LOCALES, C_LOCALE, SEED_EPOCH, SEED_NAME, FullTemporaryFolder, locale_env, utf8_env,
                      write_text)
from strategies import excerpt_texts


def test_package_seed(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime) -> None:
    """The seed packages into warcinfo + resource + metadata, with its two elisions."""
    result = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=fixed_date)
    assert result.records == 3 and result.elisions == 2 and result.possible_elisions == 0
    assert [d.name for d in result.documents] == [SEED_NAME]
    assert result.sha256_path.exists()
    assert provpack.verify(result.warc_path).ok


def test_markers_padded_by_a_tab_or_an_invisible_space_are_packaged_as_cuts_and_verify(tmp_path: Path,
                                                                                      fixed_date: dt.datetime) -> None:
    """`[\\t...\\t]`, `[\\u200b...\\u200b]`, `[\\u2060…]`, ...: six certain cuts, where they were alterations
    ("elisions: 0 bracketed, 0 possible"); the archive passes verify and verify --deep (read again as written)."""
    text = "a [\t...\t] b [\u200b...\u200b] c [\u2060\u2026] d [\u200a\u2026\u200a] e [\u3000...\u3000] f [\u2002...] g\n"
    write_text(tmp_path / "src", "padded", text.encode("utf-8"))
    result = provpack.package(tmp_path / "src", out=tmp_path / "out" / "padded.warc.gz", date=fixed_date)
    assert (result.elisions, result.possible_elisions) == (6, 0)
    assert provpack.verify(result.warc_path).ok
    deep = provpack.verify(result.warc_path, deep=True)
    assert deep.ok and not any("another version" in note for note in deep.files[0].notes)   # (compared, not skipped)


def test_same_input_same_bytes(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime) -> None:
    """Packaging twice gives byte-identical archives."""
    first = provpack.package(seed_dir, out=tmp_path / "a" / "s.warc.gz", date=fixed_date)
    second = provpack.package(seed_dir, out=tmp_path / "b" / "s.warc.gz", date=fixed_date)
    assert first.warc_path.read_bytes() == second.warc_path.read_bytes()


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH sets the date; a bad value is an input error."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    assert run_date() == dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)
    assert run_date({"SOURCE_DATE_EPOCH": "0"}).year == 1970
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        run_date({"SOURCE_DATE_EPOCH": "yesterday"})


@pytest.mark.parametrize("data", [b"ok\xff\xfe", b""])
def test_bad_input_writes_nothing(tmp_path: Path, data: bytes) -> None:
    """A bad text stops the run before any archive appears, and names the file."""
    write_text(tmp_path / "src", "good", b"fine")
    write_text(tmp_path / "src", "zbad", data)
    out = tmp_path / "out" / "x.warc.gz"
    with pytest.raises(InputError, match="zbad.txt"):
        provpack.package(tmp_path / "src", out=out)
    assert not out.exists() and not out.with_name("x.warc.gz.sha256").exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_output_name_must_be_warc_gz(seed_dir: Path, tmp_path: Path) -> None:
    """The archive's name says what it is."""
    with pytest.raises(InputError, match="must end in .warc.gz"):
        provpack.package(seed_dir, out=tmp_path / "x.zip")


def test_out_a_folder_that_does_not_exist_is_advised_as_the_command_does(seed_dir: Path, tmp_path: Path) -> None:
    """out="newdir/" (a str ending in a slash, or an os.PathLike giving one) is a folder to write in: its advice
    names the archive inside it, as `-o newdir/` does (was "newdir: the archive name must end in .warc.gz; name it
    e.g. newdir.warc.gz"), and nothing is made; a file given as a folder is said to be none; an existing folder
    gets the default name inside it."""
    class Given:
        def __init__(self, path: str) -> None:
            self.path = path

        def __fspath__(self) -> str:
            return self.path

    newdir = f"{tmp_path / 'newdir'}/"
    for out in (newdir, Given(newdir)):
        with pytest.raises(InputError) as caught:
            provpack.package(seed_dir, out=out)   # type: ignore[arg-type]
        assert str(caught.value) == (f"{newdir}: no such folder; create it first, or name the archive itself, e.g. "
                                     f"{tmp_path / 'newdir' / 'seeds.warc.gz'}")
    assert not (tmp_path / "newdir").exists()
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(InputError) as caught:
        provpack.package(seed_dir, out=f"{tmp_path / 'file'}/")
    assert str(caught.value) == (f"{tmp_path / 'file'}/: is not a folder; give a folder, or name the archive itself, "
                                 f"e.g. {tmp_path / 'file' / 'seeds.warc.gz'}")
    (tmp_path / "newdir").mkdir()
    assert provpack.package(seed_dir, out=newdir).warc_path == tmp_path / "newdir" / "seeds.warc.gz"


def test_two_identical_runs_give_equal_results(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """Results are values: two runs of the same texts into the same file compare equal and hash alike, also once
    copied (their `documents` compared by identity before), and a run of other texts gives an unequal one."""
    import copy
    import pickle

    for number in range(3):
        write_text(tmp_path / "src", f"d{number}", f"12 November 2017\n\nText {number} [...] more.\n".encode())
    out = tmp_path / "x.warc.gz"
    first = provpack.package(tmp_path / "src", out=out, date=fixed_date, force=True)
    second = provpack.package(tmp_path / "src", out=out, date=fixed_date, force=True)
    assert first == second and hash(first) == hash(second)
    assert pickle.loads(pickle.dumps(first)) == first == copy.deepcopy(first)
    (tmp_path / "src" / "d1.txt").write_bytes(b"12 November 2017\n\nText 1 [...] less.\n")
    third = provpack.package(tmp_path / "src", out=out, date=fixed_date, force=True)
    assert third.documents != first.documents and third != first


def test_sidecar_metadata_reaches_the_archive(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """Sidecar values win, unknown keys are kept, and url becomes the target URI."""
    write_text(tmp_path / "src", "post", b"12 November 2017\n\nPaper: Old Title\n\nText [...] more.\n",
               sidecar="title: New Title\nurl: https://blog.example.org/p\nmy_key: kept\n")
    result = provpack.package(tmp_path / "src", out=tmp_path / "p.warc.gz", date=fixed_date)
    (document,) = read_archive(result.warc_path)
    assert document.target_uri == "https://blog.example.org/p"
    fields = document.provenance["fields"]
    assert fields["title"] == {"value": "New Title", "from": "sidecar", "span": None, "byte_span": None,
                               "overridden": "Old Title"}
    assert fields["publication"]["from"] == "text"
    assert document.provenance["sidecar"]["my_key"] == "kept"
    assert document.provenance["sidecar_file"] == "post.yaml"


def test_a_sidecar_number_is_kept_in_the_sidecar_and_read_as_text_for_its_field(
    tmp_path: Path, fixed_date: dt.datetime
) -> None:
    """title: 1984 (as the README says): the record's sidecar keeps the number; the field and dcterms:title
    hold its text."""
    write_text(tmp_path / "src", "novel", b"Some text [...] here.\n", sidecar="title: 1984\n")
    result = provpack.package(tmp_path / "src", out=tmp_path / "n.warc.gz", date=fixed_date)
    (document,) = read_archive(result.warc_path)
    provenance = document.provenance
    assert provenance["sidecar"] == {"title": 1984}
    assert provenance["fields"]["title"] == {"value": "1984", "from": "sidecar", "span": None, "byte_span": None}
    assert provenance["dcterms:title"] == "1984"


@settings(max_examples=25)
@given(texts=st.lists(excerpt_texts(), min_size=1, max_size=3))
def test_round_trip_generated_texts(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    """extract(package(x)) == x, byte for byte, for CRLF, BOM and marker-edged texts."""
    folder = tmp_path_factory.mktemp("gen")
    for n, text in enumerate(texts):
        write_text(folder / "src", f"doc{n}", text.encode("utf-8"))
    result = provpack.package(folder / "src", out=folder / "g.warc.gz", date=dt.datetime(2020, 1, 1,
                                                                                         tzinfo=dt.timezone.utc))
    assert provpack.verify(result.warc_path).ok
    for n, text in enumerate(texts):
        out = folder / f"doc{n}.out"
        with out.open("wb") as handle:
            extract(result.warc_path, f"doc{n}", handle)
        assert out.read_bytes() == text.encode("utf-8")


package_module = importlib.import_module("provpack.package")
ORIGINAL_HTML = Path(__file__).parent / "data" / "originals" / "declaration.html"


def mixed_corpus(folder: Path, count: int = 40) -> Path:
    """Texts of every shape: markers, CRLF, BOM, non-ASCII, sidecars, a shared local original, a large one."""
    for number in range(count):
        words = " ".join(f"caf\u00e9{n} word{number}" for n in range(number % 7 + 3))
        text = f"12 November 2017\n\nPaper {number}: Title {number}\n\n{words} [...] {words}... the end.\n"
        if number % 5 == 1:
            text = text.replace("\n", "\r\n")
        if number % 9 == 2:
            text = "\ufeff" + text
        if number == 17:
            text = text * 400   # larger than the LOCAL_BYTES set by the tests: encoded in the parent
        sidecar = f"title: Doc {number}\nurl: https://blog.example.org/{number}\n" if number % 3 == 0 else None
        if number in (5, 6, 30):
            sidecar = "source_url: https://www.archives.gov/declaration\noriginal: decl.html\n"
        write_text(folder, f"doc{number:03d}", text.encode("utf-8"), sidecar=sidecar)
    shutil.copy(ORIGINAL_HTML, folder / "decl.html")
    return folder


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the worker pool even for a few small documents, in small batches, with one large one local."""
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(package_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(package_module, "BATCH_DOCUMENTS", 3)
    monkeypatch.setattr(package_module, "BATCH_BYTES", 4000)
    monkeypatch.setattr(package_module, "LOCAL_BYTES", 20000)


@pytest.mark.usefixtures("small_batches")
def test_output_does_not_depend_on_jobs(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """1, 2 or 3 jobs write the same bytes and the same summaries; a shared original is written once."""
    source = mixed_corpus(tmp_path / "src")
    results = [provpack.package(source, out=tmp_path / str(jobs) / "out.warc.gz", date=fixed_date, jobs=jobs)
               for jobs in (1, 2, 3)]
    first = results[0]
    for other in results[1:]:
        assert other.warc_path.read_bytes() == first.warc_path.read_bytes()
        assert other.sha256 == first.sha256 and other.records == first.records
        assert list(other.documents) == list(first.documents)
    assert provpack.verify(first.warc_path).ok
    assert first.records == 1 + 2 * 40 + 2
    assert [d.original for d in first.documents].count("local") == 3
    assert first.elisions == sum(d.elisions for d in first.documents) == 39 + 400


@pytest.mark.usefixtures("small_batches")
def test_error_in_a_worker_is_the_same_error(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """A bad text deep in the corpus stops the run with the InputError jobs=1 gives, and writes nothing."""
    source = mixed_corpus(tmp_path / "src")
    write_text(source, "doc025", b"fine so far \xff\xfe broken")
    errors = []
    for jobs in (1, 2):
        out = tmp_path / str(jobs) / "out.warc.gz"
        with pytest.raises(InputError) as caught:
            provpack.package(source, out=out, date=fixed_date, jobs=jobs)
        errors.append((type(caught.value), str(caught.value), caught.value.offset))
        assert not out.parent.exists() or list(out.parent.iterdir()) == []
        assert multiprocessing.active_children() == []
    assert errors[0] == errors[1]
    assert "doc025.txt: byte 12: invalid UTF-8" in errors[0][1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_document_that_fails_is_reported(tmp_path: Path, fixed_date: dt.datetime, jobs: int) -> None:
    """Documents go through the stages together, but the error is the one taking them in turn gives:
    the first document's (here a bad sidecar), not a later one's that fails at an earlier stage."""
    source = tmp_path / "src"
    write_text(source, "a", b"Fine [...] text.\n")
    write_text(source, "b", b"Also fine.\n", sidecar="title: [unclosed\n")
    write_text(source, "c", b"broken \xff here\n")
    write_text(source, "d", b"")
    with pytest.raises(InputError) as caught:
        provpack.package(source, out=tmp_path / "out.warc.gz", date=fixed_date, jobs=jobs)
    assert "b.yaml" in str(caught.value) and "malformed YAML" in str(caught.value)
    write_text(source, "b", b"Also fine.\n", sidecar="title: closed\n")
    with pytest.raises(InputError) as caught:
        provpack.package(source, out=tmp_path / "out.warc.gz", date=fixed_date, jobs=jobs)
    assert "c.txt: byte 7: invalid UTF-8" in str(caught.value)


@pytest.mark.usefixtures("small_batches")
def test_interrupt_leaves_no_partial_archive(tmp_path: Path, fixed_date: dt.datetime,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of a parallel run leaves neither archive, checksum nor temp file."""
    source = mixed_corpus(tmp_path / "src")
    calls = []
    original_extend = SummaryTable.extend

    def interrupted(self: SummaryTable, rows: bytes) -> None:
        calls.append(len(rows))
        if len(calls) == 4:
            raise KeyboardInterrupt
        original_extend(self, rows)

    monkeypatch.setattr(SummaryTable, "extend", interrupted)
    out = tmp_path / "out" / "x.warc.gz"
    with pytest.raises(KeyboardInterrupt):
        provpack.package(source, out=out, date=fixed_date, jobs=2)
    assert list(out.parent.iterdir()) == []
    assert multiprocessing.active_children() == []


def test_jobs_must_be_positive(seed_dir: Path, tmp_path: Path) -> None:
    """--jobs 0 is an input error."""
    with pytest.raises(InputError, match="at least 1"):
        provpack.package(seed_dir, out=tmp_path / "x.warc.gz", jobs=0)


def test_without_isal_zlib_archives_read_back(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Where isal is missing the default falls back to zlib: the --deflate zlib bytes, read back by warcio."""
    monkeypatch.setattr(gzipper, "_ISAL", None)
    fallback = provpack.package(seed_dir, out=tmp_path / "a" / "s.warc.gz", date=fixed_date)
    explicit = provpack.package(seed_dir, out=tmp_path / "b" / "s.warc.gz", date=fixed_date, deflate="zlib")
    assert fallback.warc_path.read_bytes() == explicit.warc_path.read_bytes()
    with fallback.warc_path.open("rb") as handle:
        assert [r.rec_type for r in ArchiveIterator(handle)] == ["warcinfo", "resource", "metadata"]


@pytest.mark.usefixtures("small_batches")
def test_spawned_workers_write_the_same_bytes(tmp_path: Path, fixed_date: dt.datetime,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started fresh (spawn, as on macOS and Windows) get everything they need and agree with fork."""
    source = mixed_corpus(tmp_path / "src", count=12)
    forked = provpack.package(source, out=tmp_path / "fork" / "o.warc.gz", date=fixed_date, jobs=2)
    started: list[str] = []

    def spawn() -> multiprocessing.context.BaseContext:
        started.append("spawn")
        return multiprocessing.get_context("spawn")

    monkeypatch.setattr(parallel, "_context", spawn)
    spawned = provpack.package(source, out=tmp_path / "spawn" / "o.warc.gz", date=fixed_date, jobs=2)
    assert started == ["spawn"]
    assert spawned.warc_path.read_bytes() == forked.warc_path.read_bytes()


def _package_with_two_jobs(source: Path, out: Path, date: dt.datetime) -> bytes:
    return provpack.package(source, out=out, date=date, jobs=2).warc_path.read_bytes()


@pytest.mark.usefixtures("small_batches")
def test_a_daemonic_process_packages_in_process(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """In a multiprocessing.Pool's worker, which may start no process (a daemon), jobs=2 encodes in-process, as
    jobs=1 does, into the same bytes; before, multiprocessing's AssertionError came out of package."""
    source = mixed_corpus(tmp_path / "src", count=12)
    here = provpack.package(source, out=tmp_path / "here" / "o.warc.gz", date=fixed_date, jobs=1)
    with multiprocessing.get_context("fork").Pool(1) as outer:
        there = outer.apply(_package_with_two_jobs, (source, tmp_path / "there" / "o.warc.gz", fixed_date))
    assert there == here.warc_path.read_bytes()


@pytest.mark.usefixtures("small_batches")
def test_no_more_workers_than_batches(tmp_path: Path, fixed_date: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs 100 over 4 batches starts 4 workers (a hundred forks hit the process limit), same bytes as --jobs 1."""
    source = mixed_corpus(tmp_path / "src", count=12)
    started: list[int] = []

    class Counted(parallel.OrderedPool):   # type: ignore[type-arg]
        def __init__(self, function: object, *, jobs: int) -> None:
            started.append(jobs)
            super().__init__(function, jobs=jobs)   # type: ignore[arg-type]

    monkeypatch.setattr(package_module, "OrderedPool", Counted)
    many = provpack.package(source, out=tmp_path / "many" / "o.warc.gz", date=fixed_date, jobs=100)
    one = provpack.package(source, out=tmp_path / "one" / "o.warc.gz", date=fixed_date, jobs=1)
    assert started == [min(4, parallel.JOBS_PER_CPU * parallel.default_jobs())]
    assert many.warc_path.read_bytes() == one.warc_path.read_bytes()


@pytest.mark.parametrize("epoch", ["-1", "+5", " 12 ", "1_000", "\u0663", "1.5", "abc", "0x10"])
def test_source_date_epoch_must_be_ascii_digits(epoch: str) -> None:
    """SOURCE_DATE_EPOCH is refused unless it is what `date +%s` prints (reproducible-builds.org): no sign, space, '_' or other digits."""
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH: not a number of seconds since 1970"):
        run_date({"SOURCE_DATE_EPOCH": epoch})


def test_source_date_epoch_past_year_9999_says_so() -> None:
    """A number too large for a WARC-Date is refused as too large, not as 'not a number'."""
    with pytest.raises(InputError, match="after the year 9999"):
        run_date({"SOURCE_DATE_EPOCH": "253402300800"})
    assert run_date({"SOURCE_DATE_EPOCH": "253402300799"}).year == 9999
    assert run_date({"SOURCE_DATE_EPOCH": "0"}).year == 1970


@pytest.mark.parametrize("jobs", [1, 2])
def test_file_name_not_utf8_is_an_input_error(tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name in Latin-1 bytes (caf\\xe9.txt) is refused naming the file, not a UnicodeEncodeError; nothing is written."""
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 2)
    src = tmp_path / "src"
    write_text(src, "good", b"fine [...] text\n")
    write_text(src, "later", b"more\n")
    (src / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"text [...]\n")
    with pytest.raises(InputError, match=r"file name is not UTF-8 \(0xE9\)") as caught:
        provpack.package(src, out=tmp_path / "o.warc.gz", jobs=jobs)
    assert caught.value.path.name == os.fsdecode(b"caf\xe9.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_the_library_prints_nothing_when_logging_is_not_configured(tmp_path: Path) -> None:
    """A warning (a FIFO skipped) in a program that set up no logging: nothing on stderr (NullHandler, not
    logging's last resort); with logging configured, the warning is there."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("A quoted [...] text.\n", encoding="utf-8")
    os.mkfifo(folder / "f.txt")
    script = (f"import provpack\nprovpack.package({str(folder)!r}, out={str(tmp_path / 'x.warc.gz')!r}, jobs=1)\n")
    quiet = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", quiet.stderr
    loud = subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig()\n"
                           + script.replace("x.warc.gz", "y.warc.gz")], capture_output=True, text=True, check=False)
    assert loud.returncode == 0 and "f.txt: not a regular file; skipped" in loud.stderr


@pytest.mark.parametrize("date, words", [
    (dt.datetime(999, 6, 1, tzinfo=dt.timezone.utc), "0999-06-01T00:00:00+00:00 is not in the years 1000 to 9999"),
    (dt.datetime(1000, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))), "not in the years 1000 to 9999 in UTC"),
    (dt.datetime(2020, 1, 1), "2020-01-01T00:00:00 has no time zone"),
    (dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "after the year 9999 in UTC"),
])
def test_a_date_warc_date_cannot_hold_is_an_input_error(
    seed_dir: Path, tmp_path: Path, date: dt.datetime, words: str
) -> None:
    """A naive date, or one whose UTC year has not four digits, is refused before anything is written."""
    out = tmp_path / "d.warc.gz"
    with pytest.raises(InputError) as caught:
        provpack.package(seed_dir, out=out, date=date)
    assert str(caught.value).startswith("date: ") and words in str(caught.value)
    assert "give a datetime with a time zone" in str(caught.value) and not out.exists()


def test_source_date_epoch_passes_the_same_date_check(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The date SOURCE_DATE_EPOCH gives goes through the check an explicit date does, named as its source."""
    package_module = importlib.import_module("provpack.package")
    monkeypatch.setattr(package_module, "run_date", lambda: dt.datetime(999, 1, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(InputError, match="^SOURCE_DATE_EPOCH: 0999-01-01"):
        provpack.package(seed_dir, out=tmp_path / "e.warc.gz")
    assert package_module.archive_stamp(dt.datetime(1000, 1, 1, tzinfo=dt.timezone.utc), "date") == \
        "1000-01-01T00:00:00Z"


def test_a_text_with_too_many_markers_is_refused_before_it_is_described(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """The real limit: one marker past MAX_MARKERS is an InputError naming the file, and nothing is written."""
    from provpack.defaults import MAX_MARKERS
    source = tmp_path / "src"
    write_text(source, "a", b"Fine [...] text.\n")
    write_text(source, "many", b"T: x\n\n" + b"w [...] " * (MAX_MARKERS + 1))
    out = tmp_path / "out" / "x.warc.gz"
    with pytest.raises(InputError, match=rf"many\.txt: holds more than {MAX_MARKERS:,} elision markers.*split"):
        provpack.package(source, out=out, date=fixed_date, jobs=1)
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_a_provenance_record_over_the_limit_is_refused(
        tmp_path: Path, fixed_date: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document whose provenance JSON would pass MAX_PROVENANCE_BYTES (what readers take whole) is refused;
    one exactly at it is packaged and reads back."""
    source = tmp_path / "src"
    write_text(source, "a", b"Fine [...] text.\n")
    write_text(source, "b", b"T: x\n\n" + b"w [...] " * 12)
    first = provpack.package(source, out=tmp_path / "first.warc.gz", date=fixed_date, jobs=1)
    with open(first.warc_path, "rb") as stream:   # b's provenance block is the largest (12 cuts)
        largest = max(int(record.rec_headers.get_header("Content-Length")) for record in ArchiveIterator(stream)
                      if record.rec_type == "metadata")
    module = importlib.import_module("provpack.package")   # (provpack.package is the function)
    monkeypatch.setattr(module, "MAX_PROVENANCE_BYTES", largest)
    under = provpack.package(source, out=tmp_path / "under.warc.gz", date=fixed_date, jobs=1)
    assert {d.name for d in read_archive(under.warc_path)} == {"a", "b"}
    monkeypatch.setattr(module, "MAX_PROVENANCE_BYTES", largest - 1)
    out = tmp_path / "over" / "x.warc.gz"
    with pytest.raises(InputError, match=r"b\.txt: its provenance record would take [\d,]+ bytes, more than the"):
        provpack.package(source, out=out, date=fixed_date, jobs=1)
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def _excerpts_with_urls(folder: Path, urls: list[str]) -> Path:
    folder.mkdir()
    for number, url in enumerate(urls):
        (folder / f"e{number:02d}.txt").write_text(f"Quote {number} [...] cut.\n", encoding="utf-8")
        (folder / f"e{number:02d}.yaml").write_text(f"title: T{number}\nurl: {url}\n", encoding="utf-8")
    return folder


EXCERPT_ADVICE = ("give each excerpt a url of its own, one whose path or query differs from every other url's and "
                  "source_url's by more than letter case (replay tools set aside a #fragment, http or https, a "
                  "leading www., a trailing / and the order of query parameters), or leave url out so the excerpt "
                  "gets its urn:provpack:sha256 target")


def one_capture(later: str, first: str, key: str, advice: str = EXCERPT_ADVICE) -> str:
    """package's whole warning about two records replay tools cannot tell apart."""
    return (f"{later} and {first} are one capture to replay tools (pywb and ReplayWeb.page find a record by its "
            f"URL's SURT and second, here {key} 20171112000000), so only one of the two replays: {advice}")


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_excerpts_replay_tools_cannot_tell_apart_are_named_in_a_warning(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture, jobs: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay tools key a record by its URL's SURT and second: urls that differ only in a #fragment, http or https,
    www., letter case, a trailing / or the order of query parameters are one capture to them, of which one replays.
    Each is named with the first of its key (as the archive's own index keys them); distinct paths or queries
    (what the warning advises) are not."""
    from provpack.cdxj import index

    folder = _excerpts_with_urls(tmp_path / "s", [
        "https://blog.example.org/post#quote-1", "https://blog.example.org/post#quote-2",
        "http://www.blog.example.org/post", "https://Blog.Example.org/POST/", "https://blog.example.org/post?b=2&a=1",
        "https://blog.example.org/post?a=1&b=2", "https://blog.example.org/post?quote=1",
        "https://blog.example.org/other#quote-1"])
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 1)   # (jobs=2: the workers key the URLs)
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=jobs)
    e = {n: f"{folder / f'e{n:02d}.yaml'}" for n in range(8)}
    post, query = "org,example,blog)/post", "org,example,blog)/post?a=1&b=2"
    assert warnings_of(caplog) == [
        one_capture(f"{e[1]}: url https://blog.example.org/post#quote-2", f"{e[0]}'s url "
                    "https://blog.example.org/post#quote-1", post),
        one_capture(f"{e[2]}: url http://www.blog.example.org/post", f"{e[0]}'s url "
                    "https://blog.example.org/post#quote-1", post),
        one_capture(f"{e[3]}: url https://Blog.Example.org/POST/", f"{e[0]}'s url "
                    "https://blog.example.org/post#quote-1", post),
        one_capture(f"{e[5]}: url https://blog.example.org/post?a=1&b=2", f"{e[4]}'s url "
                    "https://blog.example.org/post?b=2&a=1", query)]
    keys = sorted(line.urlkey for line in index(result.warc_path) if line.record_type == "resource")
    assert keys == sorted([*[post] * 4, *[query] * 2, "org,example,blog)/other", "org,example,blog)/post?quote=1"])


UNREPLAYABLE = ("replay tools cannot replay it (pywb takes an address with no / after its scheme, but a urn:, for a"
                " host name, and refuses a data: URL), so it is no page of a WACZ: give the excerpt's web address as"
                " url, or leave url out (an excerpt without url gets its urn:provpack:sha256 target, which replays)")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_url_replay_tools_cannot_replay_is_named_in_a_warning(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture, jobs: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """pywb redirects mailto:a@b.org to http://mailto:a@b.org/ and refuses data: (tests/test_replay.py): an excerpt
    under such a url is packaged as given, with a warning naming its sidecar and key; a urn: and any address with
    a / after its scheme replay."""
    folder = _excerpts_with_urls(tmp_path / "s", [
        "mailto:editor@example.org", "data:text/plain,quoted", "https://example.org/post", "urn:isbn:0451450523",
        "ftp://example.org/notes.txt", "tel:+15555550100"])
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 1)
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=jobs)
    assert warnings_of(caplog) == [
        f"{folder / 'e00.yaml'}: url mailto:editor@example.org: {UNREPLAYABLE}",
        f"{folder / 'e01.yaml'}: url data:text/plain,quoted: {UNREPLAYABLE}",
        f"{folder / 'e05.yaml'}: url tel:+15555550100: {UNREPLAYABLE}"]
    assert len(result.documents) == 6


def test_urls_replay_tools_cannot_replay_are_said_in_ten_lines(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    folder = _excerpts_with_urls(tmp_path / "s", [f"mailto:e{number}@example.org" for number in range(12)])
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1)
    said = warnings_of(caplog)
    assert said[:9] == [f"{folder / f'e{n:02d}.yaml'}: url mailto:e{n}@example.org: {UNREPLAYABLE}" for n in range(9)]
    assert said[9:] == [f"3 more urls replay tools cannot replay ({folder / 'e09.yaml'} among them): give the excerpt's"
                        " web address as url, or leave url out (an excerpt without url gets its urn:provpack:sha256"
                        " target, which replays)"]


def _misspelt(key: str, meant: str) -> str:
    return (f"key '{key}' is not one provpack reads, so it is kept only in the record's copy of the sidecar (not as a"
            f" field); a typo of '{meant}'? If so, rename it {meant}")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sidecar_key_written_like_a_known_one_is_named_in_a_warning(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture, jobs: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A key one edit (or a swap, or letter case, '-' or '_') from a known one is kept as any key of one's own, in
    the sidecar's copy only, and named with the key it is written like; a key of one's own far from every known
    key, or a word of its own (publisher), is not."""
    folder = tmp_path / "s"
    folder.mkdir()
    keys = ["soruce_url: https://example.org/a", "Title: T", "source-url: https://example.org/a", "licence: CC0",
            "publisher: P", "isbn: x", "sourceurl: https://example.org/a"]
    for number, line in enumerate(keys):
        (folder / f"e{number}.txt").write_text(f"Quote {number} [...] cut.\n", encoding="utf-8")
        (folder / f"e{number}.yaml").write_text(f"{line}\n", encoding="utf-8")
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 1)
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=jobs)
    assert warnings_of(caplog) == [
        f"{folder / 'e0.yaml'}: {_misspelt('soruce_url', 'source_url')}",
        f"{folder / 'e1.yaml'}: {_misspelt('Title', 'title')}",
        f"{folder / 'e2.yaml'}: {_misspelt('source-url', 'source_url')}",
        f"{folder / 'e3.yaml'}: {_misspelt('licence', 'license')}",
        f"{folder / 'e6.yaml'}: {_misspelt('sourceurl', 'source_url')}"]
    first = read_archive(result.warc_path)[0].provenance
    assert first["sidecar"] == {"soruce_url": "https://example.org/a"} and "source_url" not in first["fields"]


def test_sidecar_keys_written_like_known_ones_are_said_in_ten_lines(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    for number in range(12):
        (folder / f"e{number:02d}.txt").write_text(f"Quote {number} [...] cut.\n", encoding="utf-8")
        (folder / f"e{number:02d}.yaml").write_text("titel: T\nulr: x\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1)
    said = warnings_of(caplog)
    assert said[:9] == [f"{folder / 'e00.yaml'}: {_misspelt('titel', 'title')}",
                        f"{folder / 'e00.yaml'}: {_misspelt('ulr', 'url')}",
                        *(f"{folder / f'e{n // 2:02d}.yaml'}: {_misspelt(*(('titel', 'title'), ('ulr', 'url'))[n % 2])}"
                          for n in range(2, 9))]
    assert said[9:] == [f"15 more sidecar keys are not ones provpack reads but are written like one"
                        f" ({folder / 'e04.yaml'} among them): rename each to the key meant"]


def test_identical_texts_without_url_share_a_target_and_no_warning(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """Two identical texts without url get one urn:provpack:sha256 target: what replays is the same text, nothing
    is lost, nothing is said (as `wacz` says nothing)."""
    folder = tmp_path / "s"
    for name in ("a", "b", "c"):
        write_text(folder, name, b"The same words [...] twice.\n")
    (folder / "c.yaml").write_text("title: With a sidecar but no url\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1)
    assert warnings_of(caplog) == []


def _with_original(folder: Path, name: str, sidecar: str, html: bytes | None = None) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(f"Quote {name} [...] cut.\n", encoding="utf-8")
    (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    if html is not None:
        (folder / "originals").mkdir(exist_ok=True)
        (folder / "originals" / f"{name}.html").write_bytes(html)


def test_originals_replay_tools_cannot_tell_apart_are_named_in_a_warning(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """Two local originals given one source_url are two resource records of one key and second: named, with advice
    for originals; one original shared by two excerpts is one record, and an excerpt whose url is its source_url
    clashes with its own original."""
    folder = tmp_path / "s"
    for name, version in (("a", b"one"), ("b", b"two")):
        _with_original(folder, name, f"source_url: https://news.example.org/art\noriginal: originals/{name}.html\n",
                       b"<html><body><p>Quote %s and version %s, cut.</p></body></html>" % (name.encode(), version))
    _with_original(folder, "c", "source_url: https://news.example.org/c\noriginal: originals/c.html\n",
                   b"<html><body><p>Quote c and d, cut.</p></body></html>")
    _with_original(folder, "d", "source_url: https://news.example.org/c\noriginal: originals/c.html\n")
    _with_original(folder, "e", "url: https://news.example.org/e\nsource_url: https://news.example.org/e#top\n"
                   "original: originals/e.html\n", b"<html><body><p>Quote e and more, cut.</p></body></html>")
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1)
    assert warnings_of(caplog) == [
        one_capture(f"{folder / 'b.yaml'}: original originals/b.html (source_url https://news.example.org/art)",
                    f"{folder / 'a.yaml'}'s original originals/a.html (source_url https://news.example.org/art)",
                    "org,example,news)/art", "the archive holds both; package excerpts whose originals differ but "
                    "share a source_url into separate archives to replay each"),
        one_capture(f"{folder / 'e.yaml'}: original originals/e.html (source_url https://news.example.org/e#top)",
                    "its url https://news.example.org/e", "org,example,news)/e")]


def test_a_fetched_original_is_keyed_by_each_response(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """A capture's responses (its redirect, then the page) replay at the URLs fetched, at the second of the fetch:
    excerpts given those urls (fetched at their date here) are named with the original."""
    from localserver import serve

    from provpack.capture import capture

    folder = tmp_path / "s"
    with serve() as server:
        page, moved = server.url("/page.html"), server.url("/redirect")
        _with_original(folder, "a", f"source_url: {moved}\n")
        _with_original(folder, "b", f"url: {page}\n")
        _with_original(folder, "c", f"url: {moved}\n")
        with caplog.at_level("WARNING", logger="provpack"):
            provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1, fetch=True,
                             fetcher=functools.partial(capture, allow_private=True, clock=lambda: fixed_date))
    host = "1,0,0,127:" + page.split(":")[2].split("/")[0]
    original = f"{folder / 'a.yaml'}'s original fetched from {moved} (redirected to {page})"
    assert warnings_of(caplog) == [one_capture(f"{folder / 'b.yaml'}: url {page}", original, f"{host})/page.html"),
                                   one_capture(f"{folder / 'c.yaml'}: url {moved}", original, f"{host})/redirect")]


def test_a_fetch_is_said_redirected_by_its_exchanges_not_its_urls(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """A capture of one exchange whose final URL is written otherwise than the URL asked for (`/page.html?` and
    `/page.html`, as capture once rebuilt it) was no redirect: the warning names the original without one."""
    from dataclasses import replace

    from localserver import serve

    from provpack.capture import Capture, capture

    def rebuilt(url: str) -> Capture:   # (the URL asked for, the final one written without its empty `?`)
        return replace(capture(url.rstrip("?"), allow_private=True, clock=lambda: fixed_date), requested_url=url)

    folder = tmp_path / "s"
    with serve() as server:
        page = server.url("/page.html")
        _with_original(folder, "a", f"source_url: {page}?\n")
        _with_original(folder, "b", f"url: {page}\n")
        with caplog.at_level("WARNING", logger="provpack"):
            provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1, fetch=True, fetcher=rebuilt)
    host = "1,0,0,127:" + page.split(":")[2].split("/")[0]
    assert warnings_of(caplog) == [one_capture(f"{folder / 'b.yaml'}: url {page}",
                                               f"{folder / 'a.yaml'}'s original fetched from {page}?",
                                               f"{host})/page.html")]


def test_a_redirect_to_the_same_key_is_no_clash(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """A capture redirected from /self to /self/ (one key to replay tools, which follow such a redirect) is one
    capture, not two records of which one replays."""
    from localserver import serve

    from provpack.capture import capture

    folder = tmp_path / "s"
    with serve() as server:
        _with_original(folder, "a", f"source_url: {server.url('/self')}\n")
        with caplog.at_level("WARNING", logger="provpack"):
            result = provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1, fetch=True,
                                      fetcher=functools.partial(capture, allow_private=True, clock=lambda: fixed_date))
    assert warnings_of(caplog) == [] and result.records == 8   # warcinfo, excerpt, provenance, 2 exchanges, conversion


def test_the_readme_clash_transcript_is_what_package_warns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's example of excerpts replay tools cannot tell apart, run as written, warns as it shows."""
    from provpack.cli import main

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    transcript = readme[readme.index("```console\n$ SOURCE_DATE_EPOCH=1510444800 provpack package src -o r1") +
                        len("```console\n$ "):]
    command, *shown = transcript[:transcript.index("```")].rstrip("\n").split("\n")
    epoch, program, *arguments, quiet = command.split()
    assert (epoch, program, quiet) == ("SOURCE_DATE_EPOCH=1510444800", "provpack", ">/dev/null")
    for name, url in (("a", "https://blog.example.org/post#quote-1"), ("b", "https://blog.example.org/post#quote-2"),
                      ("c", "http://www.blog.example.org/post")):
        write_text(tmp_path / "src", name, f"Passage {name} [...] cut.\n".encode())
        (tmp_path / "src" / f"{name}.yaml").write_text(f"url: {url}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    assert main(arguments) == 0
    assert capsys.readouterr().err.split("\n") == [*shown, ""]


def test_many_clashes_take_at_most_ten_warning_lines(
        tmp_path: Path, fixed_date: dt.datetime, caplog: pytest.LogCaptureFixture) -> None:
    """Twenty excerpts of one url give nine warning lines and one counting the rest; distinct urls give none."""
    folder = _excerpts_with_urls(tmp_path / "s", ["https://example.org/same"] * 20)
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(folder, out=tmp_path / "s.warc.gz", date=fixed_date, jobs=1)
    messages = warnings_of(caplog)
    assert len(messages) == 10 and messages[:9] == [
        one_capture(f"{folder / f'e{n:02d}.yaml'}: url https://example.org/same",
                    f"{folder / 'e00.yaml'}'s url https://example.org/same", "org,example)/same") for n in range(1, 10)]
    assert messages[9] == (f"10 more excerpts or originals are one capture with an earlier one to replay tools "
                           f"({folder / 'e10.yaml'} among them): {EXCERPT_ADVICE}")
    caplog.clear()
    other = _excerpts_with_urls(tmp_path / "t", [f"https://example.org/{n}" for n in range(3)])
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(other, out=tmp_path / "t.warc.gz", date=fixed_date, jobs=1)
    assert warnings_of(caplog) == []


def test_a_date_that_is_not_a_datetime_is_an_input_error(seed_dir: Path, tmp_path: Path) -> None:
    """A date given as text (or anything but a datetime) is refused, named, before anything is written."""
    out = tmp_path / "d.warc.gz"
    with pytest.raises(InputError, match=r"^date: not a datetime: str; give a datetime with a time zone"):
        provpack.package(seed_dir, out=out, date="2017-11-12")  # type: ignore[arg-type]
    assert not out.exists()


def test_the_last_second_of_year_9999_is_a_warc_date() -> None:
    """The upper bound is inclusive: 9999-12-31T23:59:59Z is a four-digit year."""
    from provpack.package import archive_stamp
    assert archive_stamp(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc), "date") == \
        "9999-12-31T23:59:59Z"


def test_default_output_is_named_after_the_first_source(tmp_path: Path) -> None:
    """archive/<folder name>.warc.gz, <text stem> for a file, seeds with no source, archive for a nameless folder."""
    from provpack.package import default_output
    folder = tmp_path / "texts"
    folder.mkdir()
    assert default_output([folder, tmp_path]) == Path("archive/texts.warc.gz")
    assert default_output([tmp_path / "one.txt"]) == Path("archive/one.warc.gz")
    assert default_output([]) == Path("archive/seeds.warc.gz")
    assert default_output([Path(tmp_path.anchor)]) == Path("archive/archive.warc.gz")


@pytest.mark.parametrize("name, suggested", [("x.zip", "x.warc.gz"), (".zip", "archive.warc.gz"),
                                             ("my.archive.tar", "my.warc.gz")])
def test_a_wrong_archive_name_comes_with_a_name_to_use(seed_dir: Path, tmp_path: Path, name: str,
                                                       suggested: str) -> None:
    """The refusal suggests the name up to its first dot, with .warc.gz (archive.warc.gz when that is empty)."""
    with pytest.raises(InputError) as caught:
        provpack.package(seed_dir, out=tmp_path / name)
    assert str(caught.value).endswith(f": the archive name must end in .warc.gz; name it e.g. {suggested}")


def test_an_existing_archive_is_kept_unless_force_is_given(seed_dir: Path, tmp_path: Path,
                                                           fixed_date: dt.datetime) -> None:
    """The library refuses to replace an archive by default, as the command does; force=True replaces it."""
    out = tmp_path / "s.warc.gz"
    out.write_bytes(b"an earlier archive")
    with pytest.raises(provpack.ProvpackError, match="--force"):
        provpack.package(seed_dir, out=out, date=fixed_date)
    assert out.read_bytes() == b"an earlier archive"
    provpack.package(seed_dir, out=out, date=fixed_date, force=True)
    assert out.read_bytes().startswith(b"\x1f\x8b")


def test_a_one_byte_text_limit_is_a_limit(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """max_text_bytes=1 is the least limit: a one-byte text passes it, a two-byte text does not; 0 is refused."""
    write_text(tmp_path / "one", "a", b"x")
    result = provpack.package(tmp_path / "one", out=tmp_path / "one.warc.gz", date=fixed_date, max_text_bytes=1)
    assert [d.length_bytes for d in result.documents] == [1]
    write_text(tmp_path / "two", "b", b"xy")
    with pytest.raises(InputError, match="b.txt"):
        provpack.package(tmp_path / "two", out=tmp_path / "two.warc.gz", date=fixed_date, max_text_bytes=1)
    with pytest.raises(InputError, match="positive number of bytes, not 0"):
        provpack.package(tmp_path / "one", out=tmp_path / "zero.warc.gz", date=fixed_date, max_text_bytes=0)


def test_possible_elisions_are_counted_apart_from_cuts(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """A document's summary counts bracketed cuts and possible (unbracketed) ones separately."""
    write_text(tmp_path / "src", "a", b"T: Title\n\nOne [...] two... three \xe2\x80\xa6 four (...) five.\n")
    result = provpack.package(tmp_path / "src", out=tmp_path / "a.warc.gz", date=fixed_date)
    (summary,) = result.documents
    assert (summary.elisions, summary.possible_elisions) == (1, 3)
    assert (result.elisions, result.possible_elisions) == (1, 3)


def test_fetching_keeps_every_document_in_this_process(tmp_path: Path, fixed_date: dt.datetime,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With fetch, documents are encoded where the fetcher is (it need not be picklable), whatever jobs says:
    enough documents for the pool, and each one's fetch is tried and reported."""
    package_module = importlib.import_module("provpack.package")
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 2)
    from provpack.errors import CaptureError
    calls: list[str] = []

    def fetcher(url: str) -> object:   # a closure: no worker process could be sent it
        calls.append(url)
        raise CaptureError(url, "refused in this test")

    for number in range(4):
        write_text(tmp_path / "src", f"d{number}", b"T: Title\n\nText [...] here.\n",
                   sidecar=f"source_url: https://example.org/{number}\n")
    result = provpack.package(tmp_path / "src", out=tmp_path / "f.warc.gz", date=fixed_date, jobs=2,
                              fetch=True, fetcher=fetcher)  # type: ignore[arg-type]
    assert calls == [f"https://example.org/{number}" for number in range(4)]
    assert [failure.name for failure in result.fetch_failures] == ["d0", "d1", "d2", "d3"]


def test_documents_are_planned_in_batches_of_bounded_count_and_bytes() -> None:
    """At most BATCH_DOCUMENTS documents and BATCH_BYTES bytes a batch (a batch of exactly BATCH_BYTES
    is whole; one document larger is a batch alone), a text of LOCAL_BYTES or more alone and marked
    for this process; nothing for no documents."""
    from provpack.package import BATCH_BYTES, BATCH_DOCUMENTS, LOCAL_BYTES, _plan
    half = BATCH_BYTES // 2
    assert _plan([]) == []
    assert _plan([1] * (BATCH_DOCUMENTS + 1)) == [(0, BATCH_DOCUMENTS, False),
                                                   (BATCH_DOCUMENTS, BATCH_DOCUMENTS + 1, False)]
    assert _plan([half, half]) == [(0, 2, False)]
    assert _plan([half, half + 1]) == [(0, 1, False), (1, 2, False)]
    assert _plan([BATCH_BYTES, half, half]) == [(0, 1, False), (1, 3, False)]
    assert _plan([BATCH_BYTES * 3, 1]) == [(0, 1, False), (1, 2, False)]
    assert _plan([5, LOCAL_BYTES - 1, LOCAL_BYTES, 5]) == [(0, 1, False), (1, 2, False), (2, 3, True),
                                                           (3, 4, False)]


def test_the_library_refuses_a_link_out_of_the_folder_unless_told_to_follow(tmp_path: Path,
                                                                            fixed_date: dt.datetime) -> None:
    """package() does not follow a symlink that leaves the source folder by default, as the command does not."""
    write_text(tmp_path / "src", "ok", b"Inside.\n")
    os.symlink(write_text(tmp_path / "elsewhere", "secret", b"Secret.\n"), tmp_path / "src" / "link.txt")
    with pytest.raises(InputError, match="link.txt.*--follow-symlinks"):
        provpack.package(tmp_path / "src", out=tmp_path / "a.warc.gz", date=fixed_date)
    result = provpack.package(tmp_path / "src", out=tmp_path / "b.warc.gz", date=fixed_date, follow_symlinks=True)
    assert [d.name for d in result.documents] == ["link", "ok"]


def test_a_full_temporary_folder_is_named_not_the_output(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime,
                                                         full_tmpdir: FullTemporaryFolder,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The summaries go to a temporary file while the archive is written (past SPILL_ROWS of them: here, from the
    first): when the temporary folder is full, the error names it and says to free space there or set TMPDIR
    elsewhere; it said "OUT: disk full ... while writing", blaming the output's disk, which had room. The archive
    there before is left as it was."""
    from provpack.cli import main

    monkeypatch.setattr(tables, "SPILL_ROWS", 0)

    full_tmpdir.room = 1 << 30
    out = tmp_path / "out" / "seeds.warc.gz"
    provpack.package(seed_dir, out=out, date=fixed_date)
    before = sorted((path.name, path.read_bytes()) for path in out.parent.iterdir())
    full_tmpdir.room = 0
    assert main(["package", str(seed_dir), "-o", str(out), "--force"]) == 2
    assert capsys.readouterr().err == (
        f"provpack: error: {full_tmpdir.folder}: cannot hold the summaries of the documents packaged in this temporary "
        "folder (they are kept there, not in memory): disk full (no space left on device); free space there, or set "
        "TMPDIR to another folder\n")
    assert sorted((path.name, path.read_bytes()) for path in out.parent.iterdir()) == before


def _package_in(env: dict[str, str], cwd: Path, out: str) -> tuple[bytes, bytes]:
    """`provpack package src -o OUT --deflate zlib` run in `env` from `cwd`: the archive's bytes and its .sha256's."""
    done = subprocess.run([sys.executable, "-m", "provpack", "-q", "package", "src", "-o", out, "--deflate", "zlib"],
                          capture_output=True, cwd=cwd, env={**env, "SOURCE_DATE_EPOCH": str(SEED_EPOCH)},
                          timeout=120)
    assert (done.returncode, done.stderr) == (0, b"")
    return (cwd / out).read_bytes(), (cwd / f"{out}.sha256").read_bytes()


@pytest.mark.parametrize("locale", [C_LOCALE, *BUILT_LOCALES])
def test_the_archive_is_the_same_in_a_locale_whose_file_system_encoding_is_not_utf8(tmp_path: Path,
                                                                                    locale: str) -> None:
    """The names the archive records are the files' bytes read as UTF-8, whatever the locale: in C (ASCII), Latin-1
    or Turkish (ISO-8859-9) the archive is byte for byte the one a UTF-8 locale gives, where C refused café as
    not UTF-8 and Latin-1 wrote cafÃ© (its document names, its sidecar's, its WARC-Filename, the name in the
    .sha256); an original a sidecar names in UTF-8 is found, where it was no such file; and the documents are in
    the order of their names as UTF-8 text (а before р, U+0430 and U+0440, which ISO-8859-9 reads as Ğ° and Ñ)."""
    env = locale_env(tmp_path, locale)
    src = tmp_path / "src"
    write_text(src, "café", b"x [...] y\n", sidecar="title: T\noriginal: originals/p\u00e2ge.html\n")
    (src / "originals").mkdir()
    (src / "originals" / "p\u00e2ge.html").write_bytes(b"<p>x hello world y</p>")
    for name in ("\u0440", "\u0430", "stra\u00dfe"):
        write_text(src, name, b"a [...] b\n")
    archive, sha256 = _package_in(env, tmp_path, "o/caf\u00e9.warc.gz")
    assert (archive, sha256) == _package_in(utf8_env(), tmp_path, "u/caf\u00e9.warc.gz")
    assert sha256 == f"{hashlib.sha256(archive).hexdigest()}  caf\u00e9.warc.gz\n".encode()   # (as sha256sum writes)
    records = list(ArchiveIterator(io.BytesIO(archive)))
    assert records[0].rec_headers.get_header("WARC-Filename") == "caf\u00e9.warc.gz"
    documents = read_archive(tmp_path / "o" / "caf\u00e9.warc.gz")
    assert [(d.name, d.provenance["sidecar_file"]) for d in documents] == [
        ("caf\u00e9", "caf\u00e9.yaml"), ("stra\u00dfe", None), ("\u0430", None), ("\u0440", None)]


def test_a_name_that_is_utf8_is_not_refused_as_not_utf8_in_a_c_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names) a-straße.txt, whose name is UTF-8, is packaged: the name that is not
    (b\\xe9.txt, Latin-1) is the one refused, with the words a UTF-8 locale gives it; a-straße.txt was refused as
    "not UTF-8 (0xC3 0x9F)" (its bytes as the locale read them)."""
    env = locale_env(tmp_path, C_LOCALE)
    src = tmp_path / "src"
    write_text(src, "a-stra\u00dfe", b"a [...] b\n")
    (src / os.fsdecode(b"b\xe9.txt")).write_bytes(b"a [...] b\n")
    done = subprocess.run([sys.executable, "-m", "provpack", "package", "src", "-o", "o.warc.gz"], capture_output=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, b"", b"provpack: error: src/b\\xe9.txt: the file name is not UTF-8 (0xE9); rename the file in UTF-8 (the "
                b"archive holds document names as UTF-8)\n")


def test_the_default_output_is_named_after_a_link_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`provpack package mylink` with mylink -> corp writes archive/mylink.warc.gz, as documented
    (<first source>), not archive/corp.warc.gz; `.` and `..`, which name no folder, are named by the folder's own
    name, and so is `corp/..`."""
    from provpack.package import default_output
    corp = tmp_path / "work" / "corp"
    corp.mkdir(parents=True)
    (tmp_path / "work" / "mylink").symlink_to("corp")
    monkeypatch.chdir(corp)
    assert default_output(["../mylink"]) == Path("archive/mylink.warc.gz")
    assert default_output(["../mylink/"]) == Path("archive/mylink.warc.gz")
    assert default_output(["."]) == Path("archive/corp.warc.gz")
    assert default_output([".."]) == Path("archive/work.warc.gz")
    assert default_output(["../corp/.."]) == Path("archive/work.warc.gz")


@pytest.mark.usefixtures("small_batches")
def test_a_result_holds_no_file_descriptor(tmp_path: Path, fixed_date: dt.datetime,
                                           monkeypatch: pytest.MonkeyPatch, descriptors: Callable[[], int]) -> None:
    """Each PackageResult kept a temporary file open (its summaries) for as long as it lived, even of one document:
    a program keeping its results failed after some ulimit -n of them, on an input text said to be at fault. A
    result now holds none, also that of a long run whose summaries, names and names' ends went to temporary
    files (the thresholds made small here), with --jobs 1 or 2; such a result reads back the summaries of a short
    run, is equal across jobs, and pickles and deep-copies equal, none of which opens a file for good."""
    source = mixed_corpus(tmp_path / "src", count=12)
    short = provpack.package(source, out=tmp_path / "short" / "o.warc.gz", date=fixed_date)
    gc.collect()
    before = descriptors()
    kept = [provpack.package(source, out=tmp_path / f"{number}" / "o.warc.gz", date=fixed_date) for number in range(3)]
    assert descriptors() == before and all(result.documents == short.documents for result in kept)
    monkeypatch.setattr(tables, "SPILL_AFTER", 3)
    monkeypatch.setattr(tables, "SPILL_ROWS", 3)
    monkeypatch.setattr(tables, "_PACK", 2)
    monkeypatch.setattr(column, "SPILL_AFTER", 3)
    monkeypatch.setattr(column, "BLOCK", 2)
    long = {jobs: provpack.package(source, out=tmp_path / f"jobs{jobs}" / "o.warc.gz", date=fixed_date, jobs=jobs)
            for jobs in (1, 2)}
    gc.collect()
    assert descriptors() == before
    documents = long[1].documents
    assert isinstance(documents, SummaryTable) and documents._file is not None   # (spilled: rows, names, ends)
    assert documents._names._file is not None and documents._names._ends._file is not None
    assert list(documents) == list(short.documents) and documents == long[2].documents == short.documents
    assert long[1].totals == long[2].totals == short.totals
    for result in long.values():
        assert pickle.loads(pickle.dumps(result)) == result == copy.deepcopy(result)
    gc.collect()
    assert descriptors() == before


def test_the_open_files_limit_is_said_as_the_process_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A text that cannot be opened because the process holds as many files as it may (EMFILE) was said "too many
    open files; check the file", as though the text were at fault: the limit is said as the process's, with what
    to do."""
    from provpack import inputs
    from provpack.cli import main

    text = write_text(tmp_path / "src", "a", b"12 November 2017\n\nText [...] more.\n")
    real_open = os.open

    def no_descriptor_left(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == text:
            raise OSError(errno.EMFILE, os.strerror(errno.EMFILE), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "open", no_descriptor_left)
    monkeypatch.setattr(errors, "_open_files_limit", lambda: 1024)
    assert main(["package", str(tmp_path / "src"), "-o", str(tmp_path / "o.warc.gz")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {text}: too many open files in this process (its limit is "
                                       "1,024); raise the limit (ulimit -n), or close files this process holds open\n")
