"""Tests for provpack.package: the whole pipeline, reproducibility, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import provpack
from provpack.errors import InputError
from provpack.package import run_date
from provpack.reader import extract, read_archive

from conftest import SEED_NAME, write_text
from strategies import excerpt_texts


def test_package_seed(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime) -> None:
    """The seed packages into warcinfo + resource + metadata, with its two elisions."""
    result = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=fixed_date)
    assert result.records == 3 and result.elisions == 2 and result.possible_elisions == 0
    assert [d.name for d in result.documents] == [SEED_NAME]
    assert result.sha256_path.exists()
    assert provpack.verify(result.warc_path).ok


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
