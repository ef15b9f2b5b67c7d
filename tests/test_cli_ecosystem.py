"""provpack index / wacz / bag, in-process, on the packaged seeds/ archive."""

from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from pathlib import Path

import bagit
import pytest

from provpack import package
from reference_tools import cdxj_indexer, wacz_validate

from conftest import SEED_EPOCH, SEED_NAME

pytest.importorskip("provpack.verify", reason="the CLI needs provpack.verify (not merged yet)")
from provpack.cli import main  # noqa: E402


@pytest.fixture
def seeds_archive(seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """seeds/ packaged by provpack, as `provpack package seeds/` writes it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SEED_EPOCH))
    result = package(seed_dir, out=tmp_path / "archive" / "seeds.warc.gz")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    return result.warc_path


def test_index_to_stdout_matches_cdxj_indexer(
    seeds_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`provpack index ARCHIVE` prints what `cdxj-indexer --sort` writes."""
    assert main(["index", str(seeds_archive)]) == 0
    printed = capsys.readouterr().out
    assert printed == cdxj_indexer(seeds_archive, tmp_path, "--sort")
    assert printed.count("\n") == 2


def test_index_options(seeds_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o writes a file once (then needs --force); --records and --unsorted follow cdxj-indexer."""
    out = tmp_path / "seeds.cdxj"
    assert main(["index", str(seeds_archive), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} (2 lines)\n"
    assert out.read_text(encoding="utf-8") == cdxj_indexer(seeds_archive, tmp_path, "--sort")
    assert main(["index", str(seeds_archive), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["-q", "index", str(seeds_archive), "-o", str(out), "--force", "--records", "all"]) == 0
    assert out.read_text(encoding="utf-8") == cdxj_indexer(seeds_archive, tmp_path, "--sort", "--records", "all")
    assert main(["index", str(seeds_archive), "--unsorted", "--records", "resource"]) == 0
    assert capsys.readouterr().out == cdxj_indexer(seeds_archive, tmp_path, "--records", "resource")


def test_index_records_order_and_post_append_follow_cdxj_indexer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--records in another order keeps warc-fields records, and --post-append keys POSTs, as cdxj-indexer."""
    from test_cdxj import write_post_warc
    from warcbuild import record, warc

    fields = tmp_path / "fields.warc.gz"
    fields.write_bytes(warc([record("metadata", b"a: b\r\n", content_type="application/warc-fields",
                                    headers=[("WARC-Target-URI", "metadata://example.org/f")])]))
    for order in ("metadata,resource,response,revisit", "response,revisit,resource,metadata"):
        assert main(["index", str(fields), "--records", order]) == 0
        assert capsys.readouterr().out == cdxj_indexer(fields, tmp_path, "--sort", "--records", order)
    posts = write_post_warc(tmp_path / "posts.warc.gz")
    assert main(["index", str(posts), "--post-append"]) == 0
    printed = capsys.readouterr().out
    assert printed == cdxj_indexer(posts, tmp_path, "--sort", "--post-append") and "__wb_method=post" in printed


def test_index_rejects_unknown_record_types(seeds_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt record type is an input error (exit 2) that lists the valid ones."""
    assert main(["index", str(seeds_archive), "--records", "resources"]) == 2
    assert "not WARC record types: resources" in capsys.readouterr().err


def test_wacz_of_the_seeds_passes_wacz_validate(seeds_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack wacz ARCHIVE` writes ARCHIVE's .wacz beside it, and py-wacz validates it."""
    assert main(["wacz", str(seeds_archive), "--title", "Seeds"]) == 0
    out = seeds_archive.with_name("seeds.wacz")
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    code, output = wacz_validate(out)
    assert code == 0, output
    with zipfile.ZipFile(out) as zf:
        pages = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert len(pages) == 2 and f'"id": "{SEED_NAME}"' in pages[1]
    assert main(["wacz", str(seeds_archive)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_wacz_with_output(seeds_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-o names the WACZ; --force replaces it with the same bytes (SOURCE_DATE_EPOCH: a WACZ is dated when made,
    and two runs a second apart gave other bytes)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SEED_EPOCH))
    out = tmp_path / "pkg" / "out.wacz"
    assert main(["-q", "wacz", str(seeds_archive), "-o", str(out)]) == 0
    first = out.read_bytes()
    assert main(["-q", "wacz", str(seeds_archive), "-o", str(out), "--force"]) == 0
    assert out.read_bytes() == first


def test_bag_of_the_seeds_validates(seeds_archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack bag ARCHIVE SHA256 -o DIR` makes a bag bagit-python validates, dated when it was made."""
    sidecar = seeds_archive.with_name(seeds_archive.name + ".sha256")
    out = tmp_path / "bag"
    days = [datetime.now(timezone.utc).date().isoformat()]
    assert main(["bag", str(seeds_archive), str(sidecar), "-o", str(out)]) == 0
    days.append(datetime.now(timezone.utc).date().isoformat())   # (the same but across midnight)
    assert capsys.readouterr().out == f"wrote bag {out} (2 files, sha256 and sha512 manifests)\n"
    bag = bagit.Bag(str(out))
    bag.validate()
    assert bag.info["Bagging-Date"] in days
    assert main(["bag", str(seeds_archive), "-o", str(out)]) == 2
    assert "not an empty folder" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["index"], ["wacz"], ["bag", "-o", "DIR"]])
def test_missing_archive_exits_2(command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each command names a missing archive and exits 2."""
    missing = tmp_path / "nope.warc.gz"
    argv = [command[0], str(missing), *[str(tmp_path / a) if a == "DIR" else a for a in command[1:]]]
    assert main(argv) == 2
    assert "nope.warc.gz" in capsys.readouterr().err


def test_bag_needs_an_output(seeds_archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """bag without -o is a usage error (exit 2)."""
    assert main(["bag", str(seeds_archive)]) == 2
    assert "-o/--output" in capsys.readouterr().err
