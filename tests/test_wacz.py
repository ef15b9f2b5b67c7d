"""provpack.wacz: packages that py-wacz validates, byte-reproducible, written atomically."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from provpack.cdxj import write_index
from provpack.cli import main
from provpack.errors import ArchiveError, InputError, IntegrityError
from provpack.wacz import WACZ_VERSION, make_wacz
from conftest import ARCHIVE, C_LOCALE, INTEROP, locale_env, run_in, utf8_env
from provpack_warcs import DOCS, Capture, write_provpack_warc
from reference_tools import py_wacz_pages, wacz_validate

POST_TEST = INTEROP / "post-test.warc.gz"
ENTRIES = [
    "archive/seeds.warc.gz",
    "indexes/index.cdx",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
]


@pytest.fixture
def warc(tmp_path: Path) -> Path:
    """A provpack-style WARC named as `provpack package` would."""
    capture = Capture("https://example.org/original", b"<html><title>Orig</title>Hi</html>")
    return write_provpack_warc(tmp_path / "seeds.warc.gz", captures=[capture])


def test_an_archive_path_without_a_file_name_or_empty_is_an_input_error(warc: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """make_wacz('.', out) names the folder (it raised pathlib's ValueError); '' names the argument."""
    monkeypatch.chdir(tmp_path)
    for given, out, said in ((".", "o.wacz", ".: is a folder, not a file; give a file"),
                             ("/", "o.wacz", "/: is a folder, not a file; give a file"),
                             ("", "o.wacz", "warc_path: empty path; give a path"),
                             (warc, "", "out_path: empty path; give a path")):
        with pytest.raises(InputError) as caught:
            make_wacz(given, out)
        assert str(caught.value) == said
    assert not (tmp_path / "o.wacz").exists()


def test_package_passes_wacz_validate(warc: Path, tmp_path: Path) -> None:
    """py-wacz's validator accepts the package, hashes and all."""
    out = make_wacz(warc, tmp_path / "seeds.wacz")
    code, output = wacz_validate(out)
    assert code == 0, output
    assert "Validation succeeded" in output


def test_tampered_package_fails_wacz_validate(
    warc: Path, tmp_path: Path
) -> None:
    """The validator we rely on does catch a wrong hash, so passing it means something."""
    good = make_wacz(warc, tmp_path / "good.wacz")
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "indexes/index.cdx":
                data = data.replace(b"text/plain", b"text/plaiN", 1)
            dst.writestr(info, data)
    code, output = wacz_validate(bad)
    assert code == 1, output


def test_layout_and_zip_entries(warc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries in spec order, all stored uncompressed, dated when the WACZ was made (SOURCE_DATE_EPOCH)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = make_wacz(warc, tmp_path / "seeds.wacz")
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
        assert [info.filename for info in infos] == ENTRIES
        assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}
        assert {info.date_time for info in infos} == {(2023, 11, 14, 22, 13, 20)}
        assert zf.read("archive/seeds.warc.gz") == warc.read_bytes()
        assert zf.testzip() is None


def test_index_is_our_sorted_cdxj(warc: Path, tmp_path: Path) -> None:
    """indexes/index.cdx is exactly `provpack index` of the WARC."""
    out = make_wacz(warc, tmp_path / "seeds.wacz")
    expected = tmp_path / "expected.cdxj"
    write_index(warc, expected)
    with zipfile.ZipFile(out) as zf:
        assert zf.read("indexes/index.cdx") == expected.read_bytes()


def test_an_http_head_over_1_mib_is_indexed_and_packaged(tmp_path: Path) -> None:
    """A WARC whose responses (and a POST request) have HTTP heads past 1 MiB is packaged, its index `provpack index
    --post-append`'s (which cdxj-indexer's is: tests/test_cdxj.py), and py-wacz's validator accepts it, where wacz
    stopped at the first such record (exit 2)."""
    from test_cdxj import long_head_records
    from warcbuild import warc

    path = tmp_path / "long.warc.gz"
    path.write_bytes(warc(long_head_records()))
    out = make_wacz(path, tmp_path / "long.wacz")
    expected = tmp_path / "expected.cdxj"
    write_index(path, expected, post_append=True)
    with zipfile.ZipFile(out) as zf:
        assert zf.read("indexes/index.cdx") == expected.read_bytes()
    assert expected.read_text(encoding="utf-8").count("\n") == 5 and "?__wb_method=post&a=1&b=two" in expected.read_text()
    code, output = wacz_validate(out)
    assert code == 0 and "Validation succeeded" in output, output


def test_pages_list_each_excerpt_with_its_title(warc: Path, tmp_path: Path) -> None:
    """One page per excerpt: dcterms:title first, then the parsed title, then the name."""
    out = make_wacz(warc, tmp_path / "seeds.wacz")
    with zipfile.ZipFile(out) as zf:
        lines = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = [json.loads(line) for line in lines[1:]]
    assert [page["id"] for page in pages] == [doc.name for doc in DOCS]
    assert [page["url"] for page in pages] == [doc.target for doc in DOCS]
    assert {page["ts"] for page in pages} == {"2017-11-12T00:00:00Z"}
    assert [page["title"] for page in pages] == [
        DOCS[0].field_title,
        DOCS[1].title,
        DOCS[2].name,
    ]


def test_datapackage_describes_every_file(warc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """datapackage.json lists each file with its sha256 and size; the digest file covers it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = make_wacz(warc, tmp_path / "seeds.wacz", title="Seeds", description="Quoted *excerpts*")
    with zipfile.ZipFile(out) as zf:
        raw = zf.read("datapackage.json")
        package = json.loads(raw)
        digest = json.loads(zf.read("datapackage-digest.json"))
        for resource in package["resources"]:
            data = zf.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
            assert resource["name"] == resource["path"].rsplit("/", 1)[-1]
    assert [r["path"] for r in package["resources"]] == ENTRIES[:3]
    assert package["profile"] == "data-package"
    assert package["wacz_version"] == WACZ_VERSION == "1.1.1"
    assert package["title"] == "Seeds" and package["description"] == "Quoted *excerpts*"
    assert package["created"] == package["modified"] == "2023-11-14T22:13:20Z"
    assert package["software"].startswith("provpack ")
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}


def test_same_warc_gives_the_same_bytes(warc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packaging twice, under other names and later, gives identical files under one SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = make_wacz(warc, tmp_path / "one.wacz")
    copy_dir = tmp_path / "elsewhere"
    copy_dir.mkdir()
    copy = shutil.copy2(warc, copy_dir / warc.name)
    second = make_wacz(copy, copy_dir / "two.wacz")
    assert first.read_bytes() == second.read_bytes()


def test_created_is_when_the_wacz_is_made_not_the_warcs_date(tmp_path: Path) -> None:
    """created/modified and the ZIP times say when the WACZ was made (WACZ 1.1.1): now, or the date given;
    never the WARC's first record date."""
    warc = write_provpack_warc(tmp_path / "old.warc.gz", date="2004-02-29T23:59:58Z")
    before = datetime.now(timezone.utc).replace(microsecond=0)
    out = make_wacz(warc, tmp_path / "now.wacz")
    after = datetime.now(timezone.utc)
    with zipfile.ZipFile(out) as zf:
        package = json.loads(zf.read("datapackage.json"))
    created = datetime.strptime(package["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= created <= after and package["modified"] == package["created"]
    given = make_wacz(warc, tmp_path / "given.wacz", created=datetime(2024, 2, 29, 23, 59, 58, tzinfo=timezone.utc))
    with zipfile.ZipFile(given) as zf:
        assert zf.getinfo("datapackage.json").date_time == (2024, 2, 29, 23, 59, 58)
        assert json.loads(zf.read("datapackage.json"))["created"] == "2024-02-29T23:59:58Z"
    with pytest.raises(InputError) as caught:
        make_wacz(warc, tmp_path / "naive.wacz", created=datetime(2024, 2, 29))
    assert str(caught.value) == ("created: 2024-02-29T00:00:00 has no time zone; give a datetime with a time zone and "
                                 "a year from 1000 to 9999 (e.g. tzinfo=timezone.utc)")


@pytest.mark.parametrize(("created", "problem"), [
    (datetime(1, 1, 1, tzinfo=timezone.utc), "0001-01-01T00:00:00+00:00 is not in the years 1000 to 9999 in UTC"),
    (datetime(999, 12, 31, 23, tzinfo=timezone.utc), "0999-12-31T23:00:00+00:00 is not in the years 1000 to 9999 in UTC"),
    (datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
     "9999-12-31T23:00:00-05:00 is after the year 9999 in UTC"),
    ("2024-02-29T00:00:00Z", "not a datetime: str"),
])
def test_created_is_checked_as_package_checks_its_date(created: Any, problem: str, tmp_path: Path) -> None:
    """`created` outside the four-digit years datapackage.json's W3C-DTF date holds (in UTC), or not a datetime,
    is refused as package's `date` is, before anything is written: not written as "1-01-01T00:00:00Z", nor an
    OverflowError."""
    warc = write_provpack_warc(tmp_path / "seeds.warc.gz")
    with pytest.raises(InputError) as caught:
        make_wacz(warc, tmp_path / "out.wacz", created=created)
    assert str(caught.value) == (f"created: {problem}; give a datetime with a time zone and a year from 1000 to 9999 "
                                 "(e.g. tzinfo=timezone.utc)")
    assert not (tmp_path / "out.wacz").exists()


def test_created_in_a_year_a_zip_cannot_date_is_the_nearest_year_there(tmp_path: Path) -> None:
    """A ZIP dates its entries only from 1980 to 2107: `created` keeps the year, the entries the nearest one."""
    warc = write_provpack_warc(tmp_path / "seeds.warc.gz")
    for year, zipped in ((1000, 1980), (9999, 2107)):
        out = make_wacz(warc, tmp_path / f"{year}.wacz", created=datetime(year, 6, 1, 12, tzinfo=timezone.utc))
        with zipfile.ZipFile(out) as zf:
            assert zf.getinfo("datapackage.json").date_time == (zipped, 6, 1, 12, 0, 0)
            assert json.loads(zf.read("datapackage.json"))["created"] == f"{year}-06-01T12:00:00Z"


def test_failure_leaves_existing_output_alone(tmp_path: Path) -> None:
    """A WARC that cannot be read (its first gzip member is no deflate data) is refused; the old
    output and no temp file remain."""
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    out = tmp_path / "out.wacz"
    out.write_bytes(b"previous")
    with pytest.raises(IntegrityError, match="bad.warc.gz: byte 0: bad-gzip"):
        make_wacz(bad, out, force=True)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.warc.gz", "out.wacz"]


def test_existing_output_needs_force(warc: Path, tmp_path: Path) -> None:
    """An existing file is replaced only with force=True."""
    out = tmp_path / "seeds.wacz"
    out.write_bytes(b"previous")
    with pytest.raises(ArchiveError, match="already exists"):
        make_wacz(warc, out)
    assert out.read_bytes() == b"previous"
    make_wacz(warc, out, force=True)
    assert zipfile.is_zipfile(out)


def test_gzip_named_plain_is_refused(warc: Path, tmp_path: Path) -> None:
    """WACZ wants gzipped WARCs named .warc.gz: a misnamed one is refused with a fix."""
    misnamed = shutil.copy(warc, tmp_path / "seeds.warc")
    with pytest.raises(ArchiveError, match=r"rename it to end in \.warc\.gz"):
        make_wacz(misnamed, tmp_path / "x.wacz")


@pytest.mark.parametrize("name", ["example.warc.gz", "example.warc"])
def test_interop_warcs_make_valid_packages(name: str, tmp_path: Path) -> None:
    """WARCs by other tools (read in place) package into valid WACZ files, with a page for the HTML page
    they hold (http://example.com/, then its revisit, which is no page)."""
    source = INTEROP / name
    if not source.is_file():
        pytest.skip("shared/interop not found beside the repository")
    out = make_wacz(source, tmp_path / "interop.wacz")
    code, output = wacz_validate(out)
    assert code == 0, output
    with zipfile.ZipFile(out) as zf:
        assert zf.read(f"archive/{name}") == source.read_bytes()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    assert [(page["url"], page["ts"]) for page in pages] == [("http://example.com/", "2017-03-06T04:02:06Z")]


def test_a_page_before_the_year_1000_is_dated_in_4_digits(tmp_path: Path) -> None:
    """A page of a record dated before the year 1000 (a WARC-Date verify passes) gets a `ts` of 4-digit year, as RFC
    3339 writes it: the year 0001 failed (the index's 13-digit timestamp, strptime's ValueError, a crash), and the
    year 0999 was dated `999-12-31T23:59:59Z` on Linux before Python 3.13."""
    from warcbuild import record, warc as records

    path = tmp_path / "early.warc"
    path.write_bytes(records([record("resource", b"<p>a</p>", content_type="text/html", target=f"https://e.org/{n}",
                                     date=date)
                              for n, date in enumerate(("0001-01-01T00:00:00Z", "0999-12-31T23:59:59Z"))], gzip=False))
    with zipfile.ZipFile(make_wacz(path, tmp_path / "early.wacz")) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    assert [(page["url"], page["ts"]) for page in pages] == [("https://e.org/0", "0001-01-01T00:00:00Z"),
                                                             ("https://e.org/1", "0999-12-31T23:59:59Z")]


WHOLE = ("is gzipped as a whole (its first gzip member holds more than one record), which warcio and replay tools"
         " cannot read record by record")


def test_whole_file_gzip_is_refused(tmp_path: Path) -> None:
    """A WARC gzipped as one member cannot be indexed for replay: ArchiveError, saying how to recompress it."""
    source = INTEROP / "example-bad-non-chunked.warc.gz"
    if not source.is_file():
        pytest.skip("shared/interop not found beside the repository")
    with pytest.raises(ArchiveError) as caught:
        make_wacz(source, tmp_path / "x.wacz")
    assert str(caught.value) == (f"{source}: {WHOLE}; run 'warcio recompress {source}"
                                 " example-bad-non-chunked-recompressed.warc.gz' (one gzip member a record) and make"
                                 " the WACZ of that")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["seeds.warc", "seeds.warc.gz.bad"])
def test_whole_file_gzip_misnamed_gets_both_fixes_at_once(warc: Path, tmp_path: Path, name: str) -> None:
    """Gzipped as a whole and not named .warc.gz (as warcio's example-bad.warc.gz.bad): told to rename it, it was
    refused again once renamed, to be recompressed; `warcio recompress` to a .warc.gz name does both."""
    whole = tmp_path / name
    whole.write_bytes(gzip.compress(gzip.decompress(warc.read_bytes()), mtime=0))   # (every member's output in one)
    with pytest.raises(ArchiveError) as caught:
        make_wacz(whole, tmp_path / "x.wacz")
    assert str(caught.value) == (f"{whole}: {WHOLE}, and a WACZ needs a gzipped WARC to be named NAME.warc.gz; run"
                                 f" 'warcio recompress {whole} seeds.warc.gz' (one gzip member a record, under a name a"
                                 " WACZ takes) and make the WACZ of that")
    assert not (tmp_path / "x.wacz").exists()


def test_a_misnamed_warc_of_one_record_a_member_is_only_told_to_rename(warc: Path, tmp_path: Path) -> None:
    """A provpack archive (its warcinfo alone in the first gzip member) is not taken for one gzipped as a whole."""
    misnamed = shutil.copy(warc, tmp_path / "seeds.warc.gz.bad")
    with pytest.raises(ArchiveError) as caught:
        make_wacz(misnamed, tmp_path / "x.wacz")
    assert str(caught.value) == (f"{misnamed}: a WACZ needs a gzipped WARC to be named NAME.warc.gz; rename it to end"
                                 " in .warc.gz")


def _members(data: bytes) -> list[int]:
    """Offsets of the gzip members of a WARC written one member per record."""
    return [at for at in range(len(data)) if data.startswith(b"\x1f\x8b\x08", at)]


def test_cut_off_warc_is_refused(warc: Path, tmp_path: Path) -> None:
    """A gzipped WARC cut inside its last member: IntegrityError (exit 1) naming that member; nothing written."""
    data = warc.read_bytes()
    last = _members(data)[-1]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:-12])
    out = tmp_path / "cut.wacz"
    with pytest.raises(IntegrityError, match=rf"cut\.warc\.gz: byte {last}: truncated: ") as caught:
        make_wacz(cut, out)
    assert caught.value.exit_code == 1
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["cut.warc.gz", "seeds.warc.gz"]


def test_corrupt_member_is_refused_and_output_kept(warc: Path, tmp_path: Path) -> None:
    """A member whose deflate data is damaged: refused, and an existing output is left as it was, even with force."""
    data = bytearray(warc.read_bytes())
    starts = _members(bytes(data))
    middle = starts[len(starts) // 2]
    for at in range(middle + 12, starts[len(starts) // 2 + 1] - 12):
        data[at] ^= 0x55
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    out = tmp_path / "bad.wacz"
    out.write_bytes(b"previous")
    with pytest.raises(IntegrityError, match=rf"byte {middle}: bad-gzip: "):
        make_wacz(bad, out, force=True)
    assert out.read_bytes() == b"previous"


def test_clipped_interop_warc_is_refused(tmp_path: Path) -> None:
    """resiliparse's clipped.warc.gz (one member, cut off), read in place: refused, where it used to give a
    WACZ that `wacz validate` rejects; the command exits 1."""
    source = INTEROP / "clipped.warc.gz"
    if not source.is_file():
        pytest.skip("shared/interop not found beside the repository")
    out = tmp_path / "clipped.wacz"
    with pytest.raises(IntegrityError, match="byte 0: truncated: gzip member ends after"):
        make_wacz(source, out)
    assert main(["wacz", str(source), "-o", str(out)]) == 1
    assert not list(tmp_path.iterdir())


def test_pages_read_json_orjson_refuses_as_the_standard_library_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Provenance JSON that orjson will not read (NaN, an integer past 64 bits, a lone surrogate escape)
    still gives its page, the same page as without orjson; a block that is not JSON gives none."""
    import provpack.provcheck
    from warcbuild import provenance_bytes, provpack_records, record, warc as warc_bytes

    texts = ["One [...] two.\n", "Three [...] four.\n", "Five [...] six.\n"]
    records = provpack_records(texts)
    meta = [i for i, raw in enumerate(records) if b"application/ld+json" in raw]
    odd = [b'"x":NaN,', b'"x":123456789012345678901234567890,', b'"x":"\\ud800",']
    for index, (at, extra) in enumerate(zip(meta, odd)):
        raw = records[at]
        head, _, block = raw.partition(b"\r\n\r\n")
        doc = json.loads(block.split(b"\r\n\r\n")[0])
        doc["dcterms:title"] = f"Title {index}"
        body = provenance_bytes(doc).replace(b"{", b"{" + extra, 1)
        records[at] = record("metadata", body, content_type="application/ld+json",
                             headers=[("WARC-Target-URI", doc["@id"])])
    records.append(record("metadata", b"{not json", content_type="application/ld+json"))
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(warc_bytes(records))

    def pages(out: Path) -> list[dict[str, str]]:
        with zipfile.ZipFile(make_wacz(path, out)) as zf:
            return [json.loads(line) for line in zf.read(PAGES).decode("utf-8").splitlines()[1:]]

    with_orjson = pages(tmp_path / "a.wacz")
    monkeypatch.setattr(provpack.provcheck, "orjson", None)
    assert pages(tmp_path / "b.wacz") == with_orjson
    assert [page["title"] for page in with_orjson] == ["Title 0", "Title 1", "Title 2"]


PAGES = "pages/pages.jsonl"


def test_pywb_adds_the_package_and_finds_every_excerpt(warc: Path, tmp_path: Path) -> None:
    """pywb's `wb-manager add --unpack-wacz` copies the WARC in and merges our index (it looks for
    *.cdx / *.cdx.gz entries only), and each excerpt's line then points into the copied WARC."""
    import subprocess
    import sys

    package = make_wacz(warc, tmp_path / "out.wacz")
    manager = [sys.executable, "-W", "ignore", "-c", "from pywb.manager.manager import main; main()"]
    for args in (["init", "col"], ["add", "--unpack-wacz", "col", str(package)]):
        done = subprocess.run(manager + args, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "does not contain" not in done.stderr, done.stderr
    copied = list((tmp_path / "collections" / "col" / "archive").iterdir())
    assert [p.name for p in copied] == ["out-0.warc.gz"] and copied[0].read_bytes() == warc.read_bytes()
    lines = (tmp_path / "collections" / "col" / "indexes" / "index.cdxj").read_text().splitlines()
    fields = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert {f["filename"] for f in fields} == {"out-0.warc.gz"}
    assert {f["url"] for f in fields if f.get("mime") == "text/plain"} >= {doc.target for doc in DOCS}


def test_a_wacz_named_like_a_warc_is_refused_as_not_a_warc(
        warc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A ZIP named x.warc.gz is no WARC (read from its first bytes), not a plain WARC to be renamed .warc."""
    fake = tmp_path / "fake.warc.gz"
    shutil.copyfile(make_wacz(warc, tmp_path / "real.wacz"), fake)
    with pytest.raises(ArchiveError, match=r"fake.warc.gz: not a WARC file: a ZIP file \(a WACZ\?\)"):
        make_wacz(fake, tmp_path / "out.wacz")
    assert main(["wacz", str(fake), "-o", str(tmp_path / "out.wacz")]) == 2
    err = capsys.readouterr().err
    assert err == (f"provpack: error: {fake}: not a WARC file: a ZIP file (a WACZ?); check a WACZ with "
                   "`wacz validate`, or unzip it and wacz archive/*.warc.gz\n")
    assert not (tmp_path / "out.wacz").exists()


def test_a_compressed_warc_is_refused_with_advice_naming_wacz(tmp_path: Path) -> None:
    """An xz-compressed file gets the advice to decompress it and give the result to `wacz`, not `package`."""
    xz = tmp_path / "s.warc.xz"
    xz.write_bytes(b"\xfd7zXZ\x00" + bytes(64))
    with pytest.raises(ArchiveError) as caught:
        make_wacz(xz, tmp_path / "out.wacz")
    assert str(caught.value).endswith("decompress it (unxz -k FILE) and wacz the WARC file it gives")


def test_compression_is_read_from_the_bytes(warc: Path, tmp_path: Path) -> None:
    """A gzipped WARC named .warc is told to be named .warc.gz, whatever its name says."""
    misnamed = tmp_path / "seeds.warc"
    shutil.copyfile(warc, misnamed)
    with pytest.raises(ArchiveError, match="a WACZ needs a gzipped WARC to be named NAME.warc.gz"):
        make_wacz(misnamed, tmp_path / "out.wacz")


AGAIN = ("package the excerpts again, each with a url of its own, one whose path or query differs from every other "
         "url's and source_url's by more than letter case (replay tools set aside a #fragment, http or https, a "
         "leading www., a trailing / and the order of query parameters), or none (an excerpt without url gets its "
         "urn:provpack:sha256 target)")


def one_capture(archive: Path, later: str, first: str, key: str, advice: str = AGAIN) -> str:
    """wacz's whole warning about two records replay tools cannot tell apart."""
    return (f"{archive}: {later} and {first} are one capture to replay tools (pywb and ReplayWeb.page find a record "
            f"by its URL's SURT and second, here {key} 20171112000000), so only one of the two replays: {advice}")


def _packaged(folder: Path, documents: dict[str, tuple[str, str | None]], out: Path, text: str | None = None) -> Path:
    """An archive of the excerpts NAME: (sidecar, original's HTML or None), each its own text unless `text` is
    given, made as before package warned of clashes."""
    import datetime as dt
    import logging

    from provpack.package import package

    folder.mkdir()
    for name, (sidecar, html) in documents.items():
        (folder / f"{name}.txt").write_text(text or f"Quote {name} [...] cut.\n", encoding="utf-8")
        if sidecar:
            (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
        if html is not None:
            (folder / "originals").mkdir(exist_ok=True)
            (folder / "originals" / f"{name}.html").write_text(html, encoding="utf-8")
    logging.getLogger("provpack").disabled = True
    try:
        return package(folder, out=out, date=dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)).warc_path
    finally:
        logging.getLogger("provpack").disabled = False


def test_records_replay_tools_cannot_tell_apart_are_named_by_their_pages(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """wacz keys the archive's records as its index does (the URL's SURT and the second): excerpts whose urls
    differ only in a #fragment or in http and www., two originals of one source_url, an excerpt whose url is its
    source_url, are each named by their pages."""
    page = "<html><body><p>Quote {} and more, cut.</p></body></html>"
    archive = _packaged(tmp_path / "s", {
        "a": ("url: https://blog.example.org/post#quote-1\n", None),
        "b": ("url: https://blog.example.org/post#quote-2\n", None),
        "c": ("url: http://www.blog.example.org/post\n", None),
        "d": ("url: https://news.example.org/d\nsource_url: https://news.example.org/d\noriginal: originals/d.html\n",
              page.format("d")),
        "e": ("source_url: https://news.example.org/art\noriginal: originals/e.html\n", page.format("e")),
        "f": ("source_url: https://news.example.org/art\noriginal: originals/f.html\n", page.format("f")),
    }, tmp_path / "s.warc.gz")
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    post = "org,example,blog)/post"
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        one_capture(archive, "page b: url https://blog.example.org/post#quote-2",
                    "page a's url https://blog.example.org/post#quote-1", post),
        one_capture(archive, "page c: url http://www.blog.example.org/post",
                    "page a's url https://blog.example.org/post#quote-1", post),
        one_capture(archive, "page d: original originals/d.html (source_url https://news.example.org/d)",
                    "its url https://news.example.org/d", "org,example,news)/d"),
        one_capture(archive, "page f: original originals/f.html (source_url https://news.example.org/art)",
                    "page e's original originals/e.html (source_url https://news.example.org/art)",
                    "org,example,news)/art", "the archive holds both; package excerpts whose originals differ but "
                    "share a source_url into separate archives to replay each")]


def test_a_page_replay_tools_cannot_replay_is_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An excerpt under a mailto: or data: url is no page (pywb cannot replay it: tests/test_replay.py), said by
    its page; an archive of such excerpts alone is still a provpack archive, not one whose HTML pages are its pages
    (here a local HTML original's)."""
    page = "<html><body><p>Quote {} and more, cut.</p></body></html>"
    archive = _packaged(tmp_path / "s", {
        "a": ("url: mailto:editor@example.org\n", None),
        "b": ("url: data:text/plain,quoted\nsource_url: https://news.example.org/b\noriginal: originals/b.html\n",
              page.format("b")),
        "c": ("url: https://news.example.org/c\n", None)}, tmp_path / "s.warc.gz")
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        out = make_wacz(archive, tmp_path / "s.wacz")
    fix = ("replay tools cannot replay it (pywb takes an address with no / after its scheme, but a urn:, for a host"
           " name, and refuses a data: URL), so it is no page of a WACZ: package the excerpt again with its web"
           " address as url, or none (an excerpt without url gets its urn:provpack:sha256 target, which replays)")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"{archive}: page a: url mailto:editor@example.org: {fix}",
        f"{archive}: page b: url data:text/plain,quoted: {fix}"]
    with zipfile.ZipFile(out) as zf:
        pages = [json.loads(line) for line in zf.read(PAGES).decode("utf-8").splitlines()[1:]]
    assert [page["id"] for page in pages] == ["c"]

    alone = _packaged(tmp_path / "t", {"b": ("url: mailto:editor@example.org\nsource_url: https://news.example.org/b\n"
                                             "original: originals/b.html\n", page.format("b"))}, tmp_path / "t.warc.gz")
    with zipfile.ZipFile(make_wacz(alone, tmp_path / "t.wacz")) as zf:
        assert zf.read(PAGES).decode("utf-8").splitlines()[1:] == []


def test_identical_texts_without_url_are_no_clash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Identical texts without url share one urn:provpack:sha256 target: replay loses nothing, wacz says nothing
    (as package says nothing)."""
    archive = _packaged(tmp_path / "s", {"a": ("title: A\n", None), "b": ("title: B\n", None), "c": ("", None)},
                        tmp_path / "s.warc.gz", text="The same words [...] thrice.\n")
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_a_text_filed_under_another_texts_content_urn_is_a_clash(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """A resource record of another text added under an excerpt's content URN (its digest is not the URN's):
    replay shows only one of the two, and wacz says so, as it would not for identical texts."""
    from warcbuild import gzip_member, record

    archive = _packaged(tmp_path / "s", {"a": ("", None)}, tmp_path / "s.warc.gz")
    text = "Quote a [...] cut.\n".encode("utf-8")
    urn = "urn:provpack:sha256:" + hashlib.sha256(text).hexdigest()
    offset = archive.stat().st_size
    forged = record("resource", b"Another quote.\n", content_type="text/plain; charset=utf-8", target=urn,
                    payload_digest="sha256")
    archive.write_bytes(archive.read_bytes() + gzip_member(forged))
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        one_capture(archive, f"the record at byte {offset}: url {urn}", f"page a's url {urn}", urn,
                    "a urn:provpack:sha256 target names the exact bytes of its record, and these two differ, so one "
                    "is not the text its URN names: run 'provpack verify' on the archive")]


@pytest.mark.parametrize("count, lines", [(10, 10), (11, 10)])
def test_clash_warnings_stop_at_ten_lines(count: int, lines: int, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """Ten excerpts sharing a url with the first get a line each; more get nine lines and one that counts the rest."""
    archive = _packaged(tmp_path / "s", {f"p{n:02d}": ("url: https://blog.example.org/post\n", None)
                                         for n in range(count + 1)}, tmp_path / "s.warc.gz")
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    messages = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    named = [one_capture(archive, f"page p{n:02d}: url https://blog.example.org/post",
                         "page p00's url https://blog.example.org/post", "org,example,blog)/post")
             for n in range(1, count + 1)]
    assert len(messages) == lines
    if count > 10:
        assert messages == [*named[:9], f"{archive}: {count - 9} more excerpts or originals are one capture with an "
                            f"earlier one to replay tools (page p10 among them): {AGAIN}"]
    else:
        assert messages == named


def test_a_redirect_to_the_same_key_is_no_clash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A capture redirected from /self to /self/ at one second is one capture (replay follows the redirect): wacz,
    reading the responses one after the other in the index, says nothing of it."""
    import datetime as dt
    import functools

    from localserver import serve

    from provpack.capture import capture
    from provpack.package import package

    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a.txt").write_text("Quote a [...] cut.\n", encoding="utf-8")
    date = dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)
    with serve() as server:
        (folder / "a.yaml").write_text(f"source_url: {server.url('/self')}\n", encoding="utf-8")
        archive = package(folder, out=tmp_path / "s.warc.gz", date=date, fetch=True,
                          fetcher=functools.partial(capture, allow_private=True, clock=lambda: date)).warc_path
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_a_fetch_is_said_redirected_by_its_exchanges_not_its_urls(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """An archive whose capture of one exchange has a final URL written otherwise than the URL asked for
    (`/page.html?`, `/page.html`: as capture once rebuilt it): wacz names the original without a redirect."""
    import datetime as dt
    from dataclasses import replace

    from localserver import serve

    from provpack.capture import Capture, capture
    from provpack.package import package

    date = dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)

    def rebuilt(url: str) -> Capture:
        return replace(capture(url.rstrip("?"), allow_private=True, clock=lambda: date), requested_url=url)

    folder = tmp_path / "s"
    folder.mkdir()
    with serve() as server:
        page = server.url("/page.html")
        for name, sidecar in (("a", f"source_url: {page}?\n"), ("b", f"url: {page}\n")):
            (folder / f"{name}.txt").write_text(f"Quote {name} [...] cut.\n", encoding="utf-8")
            (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
        archive = package(folder, out=tmp_path / "s.warc.gz", date=date, fetch=True, fetcher=rebuilt).warc_path
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(archive, tmp_path / "s.wacz")
    host = "1,0,0,127:" + page.split(":")[2].split("/")[0]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        one_capture(archive, f"page b: url {page}", f"page a's original fetched from {page}?", f"{host})/page.html")]


def test_records_of_another_tool_are_not_its_concern(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A WARC with no provpack page gets no such warning, whatever its records' keys (a crawler's http and https
    captures of one second are its own affair)."""
    from warcbuild import record, warc as build

    path = tmp_path / "crawl.warc"
    path.write_bytes(build([record("resource", b"one", content_type="text/plain", target="https://a.example/x"),
                            record("resource", b"two", content_type="text/plain", target="http://a.example/x")],
                           gzip=False))
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(path, tmp_path / "crawl.wacz")
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.wacz import *` gives, and each name exists."""
    import provpack.wacz

    assert provpack.wacz.__all__ == ["WACZ_VERSION", "make_wacz"]
    assert all(hasattr(provpack.wacz, name) for name in provpack.wacz.__all__)


@pytest.mark.parametrize("year, zip_year", [(1979, 1980), (1980, 1980), (2107, 2107), (2108, 2107)])
def test_zip_dates_are_kept_to_the_years_zip_can_hold(year: int, zip_year: int, warc: Path, tmp_path: Path) -> None:
    """A ZIP entry's date holds only the years 1980 to 2107: a `created` outside them is stored as the nearest
    one there, month to second kept; datapackage.json says the date as given."""
    created = datetime(year, 6, 15, 12, 30, 45, tzinfo=timezone.utc)
    out = make_wacz(warc, tmp_path / "seeds.wacz", created=created)
    with zipfile.ZipFile(out) as zf:
        assert {info.date_time for info in zf.infolist()} == {(zip_year, 6, 15, 12, 30, 44)}
        assert json.loads(zf.read("datapackage.json"))["created"] == f"{year}-06-15T12:30:45Z"


def test_post_exchanges_are_indexed_for_replay(tmp_path: Path) -> None:
    """The WACZ's index keys POST requests as `cdxj-indexer --post-append` (py-wacz) does, for pywb to replay them."""
    if not POST_TEST.is_file():
        pytest.skip("shared/interop not found beside the repository")
    out = make_wacz(POST_TEST, tmp_path / "post.wacz")
    expected = tmp_path / "expected.cdxj"
    write_index(POST_TEST, expected, post_append=True)
    with zipfile.ZipFile(out) as zf:
        index = zf.read("indexes/index.cdx")
    assert index == expected.read_bytes()
    assert b"__wb_method=post&" in index and b'"method": "POST"' in index


def test_plain_warc_named_gzipped_is_refused(warc: Path, tmp_path: Path) -> None:
    """A plain WARC named .warc.gz is told to be named .warc."""
    misnamed = tmp_path / "plain.warc.gz"
    misnamed.write_bytes(gzip.decompress(warc.read_bytes()))
    with pytest.raises(ArchiveError) as caught:
        make_wacz(misnamed, tmp_path / "x.wacz")
    assert str(caught.value) == (f"{misnamed}: a WACZ needs a plain WARC to be named NAME.warc; "
                                 "rename it to end in .warc")


def test_the_title_is_the_warcs_name_without_warc_or_gz(warc: Path, tmp_path: Path) -> None:
    """With no title given, datapackage.json's title is the WARC's name less .warc.gz or .warc."""
    plain = tmp_path / "plain" / "seeds.warc"
    plain.parent.mkdir()
    plain.write_bytes(gzip.decompress(warc.read_bytes()))
    for source in (warc, plain):
        with zipfile.ZipFile(make_wacz(source, tmp_path / f"{source.name}.wacz")) as zf:
            assert json.loads(zf.read("datapackage.json"))["title"] == "seeds"


def test_pages_are_the_same_without_a_fast_inflater(warc: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Provenance blocks are read with zlib when no faster inflater is installed: the same pages."""
    import provpack.wacz

    with zipfile.ZipFile(make_wacz(warc, tmp_path / "fast.wacz")) as zf:
        fast = zf.read("pages/pages.jsonl")
    monkeypatch.setattr(provpack.wacz, "fast_inflater", lambda: None)
    with zipfile.ZipFile(make_wacz(warc, tmp_path / "zlib.wacz")) as zf:
        assert zf.read("pages/pages.jsonl") == fast
    assert fast.count(b"\n") == 1 + len(DOCS)


def test_a_record_block_that_cannot_be_read_names_its_byte(tmp_path: Path) -> None:
    """A provenance record whose gzip member is damaged, or whose header has no Content-Length, is an ArchiveError
    naming the WARC and the record's byte."""
    from provpack.cdxj import CdxjLine
    from provpack.wacz import _record_block

    data = b"WARC/1.1\r\nWARC-Type: metadata\r\n\r\n{}" + b"\x1f\x8b" + bytes(20)
    source = tmp_path / "s.warc.gz"
    source.write_bytes(data)
    gzipped_at = data.index(b"\x1f\x8b")

    def line(offset: int, length: int) -> CdxjLine:
        return CdxjLine("k", "20171112000000", None, "application/ld+json", None, None, length, offset, "s.warc.gz",
                        "metadata")

    with open(source, "rb") as stream:
        with pytest.raises(ArchiveError, match=f"^{re.escape(str(source))}: byte 0: record has no Content-Length"):
            _record_block(source, stream, line(0, gzipped_at))
        with pytest.raises(ArchiveError, match=f"^{re.escape(str(source))}: byte {gzipped_at}: bad gzip member: "):
            _record_block(source, stream, line(gzipped_at, len(data) - gzipped_at))


@pytest.mark.parametrize("provenance, title", [
    ({"dcterms:title": "T", "fields": {"title": {"value": "F"}}, "name": "n"}, "T"),
    ({"dcterms:title": "", "fields": {"title": {"value": "F"}}, "name": "n"}, "F"),
    ({"dcterms:title": 7, "fields": {"title": {"value": ""}}, "name": "n"}, "n"),
    ({"fields": {"title": {"value": ["F"]}}, "name": "n"}, "n"),
    ({"fields": {"title": "F"}, "name": "n"}, "n"),
    ({"fields": ["title"]}, ""),
])
def test_page_titles_skip_empty_and_odd_values(provenance: dict[str, object], title: str) -> None:
    """A page's title is the first non-empty text of dcterms:title, then fields.title.value, else the name."""
    from provpack.wacz import _title

    assert _title(provenance) == title


def test_datapackage_json_is_indented_utf8(warc: Path, tmp_path: Path) -> None:
    """datapackage.json and its digest file are JSON indented by two, with a final newline, non-ASCII as UTF-8."""
    out = make_wacz(warc, tmp_path / "seeds.wacz", title="Caf\u00e9 \u2026")
    with zipfile.ZipFile(out) as zf:
        raw = zf.read("datapackage.json")
        digest = zf.read("datapackage-digest.json")
    assert raw.startswith(b'{\n  "profile": "data-package",\n  "wacz_version": "1.1.1",\n')
    assert '  "title": "Caf\u00e9 \u2026",\n'.encode("utf-8") in raw and raw.endswith(b"\n  ]\n}\n")
    assert digest == b'{\n  "path": "datapackage.json",\n  "hash": "sha256:' + hashlib.sha256(raw).hexdigest().encode() \
        + b'"\n}\n'


def test_entries_are_unix_files_readable_by_all(warc: Path, tmp_path: Path) -> None:
    """Each entry is made by Unix (3) with mode 0644, so unzip gives plain files anyone can read."""
    with zipfile.ZipFile(make_wacz(warc, tmp_path / "seeds.wacz")) as zf:
        assert {(info.create_system, info.external_attr >> 16) for info in zf.infolist()} == {(3, 0o100644)}


def _crawl_warc(path: Path) -> None:
    """A WARC as a crawler writes it: HTML pages and what is not one, in this order."""
    from warcbuild import record, warc

    body = b"<html><title>t</title></html>"
    records: list[bytes] = []

    def capture(url: str, date: str, status: str, mime: str, *, kind: str = "response",
                method: str | None = None) -> None:
        record_id = f"<urn:uuid:00000000-0000-4000-8000-{len(records):012d}>"
        if kind == "resource":
            records.append(record("resource", body, record_id=record_id, date=date, content_type=mime, target=url))
            return
        http = (f"HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        records.append(record("response", http + body, record_id=record_id, date=date, target=url,
                              content_type="application/http; msgtype=response"))
        if method is not None:   # the request after its response, naming it (as cdxj-indexer pairs them)
            request = f"{method} /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\na=1".encode()
            records.append(record("request", request, date=date, target=url,
                                  content_type="application/http; msgtype=request",
                                  headers=[("WARC-Concurrent-To", record_id)]))

    capture("http://example.com/", "2020-01-01T00:00:00Z", "200 OK", "text/html")
    capture("http://example.com/", "2020-01-02T00:00:00Z", "200 OK", "text/html")        # a second capture
    capture("http://example.com/missing", "2020-01-01T00:00:01Z", "404 Not Found", "text/html")
    capture("http://example.com/logo.png", "2020-01-01T00:00:02Z", "200 OK", "image/png")
    capture("http://example.com/form", "2020-01-01T00:00:03Z", "200 OK", "text/html", method="POST")
    capture("https://example.org/a", "2020-01-01T00:00:04Z", "200 OK", "application/xhtml+xml; charset=utf-8")
    capture("http://example.net/", "2020-01-01T00:00:05Z", "200 OK", "text/html", kind="resource")
    capture("urn:example:notes", "2020-01-01T00:00:06Z", "200 OK", "text/html", kind="resource")
    path.write_bytes(warc(records))


def _referred_warc(path: Path) -> None:
    """HTML pages, each fetched with a GET whose Referer names the page it was loaded from (or none)."""
    from warcbuild import record, warc

    body = b"<html><title>t</title></html>"
    records: list[bytes] = []
    for url, date, status, mime, referer in (
            ("http://example.com/", "2020-01-01T00:00:00Z", "200 OK", "text/html", None),
            ("http://example.com/missing", "2020-01-01T00:00:01Z", "404 Not Found", "text/html", "http://example.com/"),
            ("http://example.com/about", "2020-01-01T00:00:02Z", "200 OK", "text/html", "http://example.com/"),
            ("http://example.com/logo.png", "2020-01-01T00:00:03Z", "200 OK", "image/png",
             "http://example.com/missing"),
            ("http://example.com/", "2020-01-02T00:00:00Z", "200 OK", "text/html", None)):
        record_id = f"<urn:uuid:00000000-0000-4000-8000-{len(records):012d}>"
        http = (f"HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        records.append(record("response", http + body, record_id=record_id, date=date, target=url,
                              content_type="application/http; msgtype=response"))
        request = (f"GET /{url.split('/', 3)[3]} HTTP/1.1\r\nHost: example.com\r\n"
                   + (f"Referer: {referer}\r\n" if referer else "") + "\r\n").encode()
        records.append(record("request", request, date=date, target=url,
                              content_type="application/http; msgtype=request",
                              headers=[("WARC-Concurrent-To", record_id)]))
    path.write_bytes(warc(records))


def test_pages_of_another_tools_warc_against_py_wacz(tmp_path: Path) -> None:
    """What README says of py-wacz 0.6.0's `wacz create --detect-pages`, and how provpack's pages differ: py-wacz
    takes HTML responses (and resource and revisit records) of any status but a redirect, each URL once a second,
    and keeps only those whose URL a request in the file gives as its Referer (a page that other captures were
    loaded from): here the two captures of / and the 404 page, not /about. provpack takes each URL's first GET
    response with status 200 (or resource record) of an HTML type at an http(s) URL: / once, and /about."""
    source = tmp_path / "referred.warc.gz"
    _referred_warc(source)
    assert py_wacz_pages(source, tmp_path, "--detect-pages") == [
        ("http://example.com/", "2020-01-01T00:00:00Z"), ("http://example.com/missing", "2020-01-01T00:00:01Z"),
        ("http://example.com/", "2020-01-02T00:00:00Z")]
    with zipfile.ZipFile(make_wacz(source, tmp_path / "ours.wacz")) as zf:
        ours = [(page["url"], page["ts"]) for page in map(json.loads, zf.read(PAGES).decode("utf-8").splitlines()[1:])]
    assert ours == [("http://example.com/", "2020-01-01T00:00:00Z"),
                    ("http://example.com/about", "2020-01-01T00:00:02Z")]


@pytest.mark.skipif(not (INTEROP / "example-iana.org-chunked.warc").is_file(),
                    reason="shared interop WARCs not present")
def test_pages_of_interop_warcs_against_py_wacz(tmp_path: Path) -> None:
    """On pywb's and warcio's test WARCs (read in place): example.warc.gz's two pages in py-wacz (its capture of
    example.com and the revisit) are those its Webrecorder warcinfo lists (json-metadata `pages`), with or without
    --detect-pages; provpack lists the first capture. The iana.org page, whose request gives no Referer, is no page
    to py-wacz's --detect-pages, and one to provpack."""
    example, iana = INTEROP / "example.warc.gz", INTEROP / "example-iana.org-chunked.warc"
    listed = [("http://example.com/", "2017-03-06T04:03:48Z"), ("http://example.com/", "2017-03-06T04:02:06Z")]
    assert py_wacz_pages(example, tmp_path, "--detect-pages") == py_wacz_pages(example, tmp_path) == listed
    assert py_wacz_pages(iana, tmp_path, "--detect-pages") == []
    for warc, pages in ((example, [("http://example.com/", "2017-03-06T04:02:06Z")]),
                        (iana, [("http://www.iana.org/", "2017-03-06T16:54:09Z")])):
        with zipfile.ZipFile(make_wacz(warc, tmp_path / f"{warc.name}.wacz")) as zf:
            lines = zf.read(PAGES).decode("utf-8").splitlines()[1:]
        assert [(page["url"], page["ts"]) for page in map(json.loads, lines)] == pages


def test_a_crawl_warc_gets_a_page_per_html_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A WARC another tool wrote has no provpack documents: each URL's first GET capture that is an HTML page
    with status 200 (or an HTML resource record) at an http(s) URL is a page (not py-wacz's rule: below), in the
    order of the file; not a second capture, a 404, an image, a POST, or a URL replay tools do not serve.
    The package is valid and the same bytes when made again."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    source = tmp_path / "crawl.warc.gz"
    _crawl_warc(source)
    out = make_wacz(source, tmp_path / "crawl.wacz")
    code, output = wacz_validate(out)
    assert code == 0, output
    with zipfile.ZipFile(out) as zf:
        lines = zf.read(PAGES).decode("utf-8").splitlines()
        index_lines = zf.read("indexes/index.cdx").decode("utf-8").splitlines()
    offsets = {json.loads(line.split(" ", 2)[2])["url"]: json.loads(line.split(" ", 2)[2])["offset"]
               for line in reversed(index_lines)}   # (each URL's first line)
    pages = [json.loads(line) for line in lines[1:]]
    assert pages == [
        {"id": f"record-{offsets['http://example.com/']}", "url": "http://example.com/", "ts": "2020-01-01T00:00:00Z"},
        {"id": f"record-{offsets['https://example.org/a']}", "url": "https://example.org/a",
         "ts": "2020-01-01T00:00:04Z"},
        {"id": f"record-{offsets['http://example.net/']}", "url": "http://example.net/", "ts": "2020-01-01T00:00:05Z"},
    ]
    again = make_wacz(source, tmp_path / "again.wacz")
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("levels", [990, 3000])
def test_a_provenance_record_nested_too_deep_gets_no_page(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          levels: int) -> None:
    """JSON nested deeper than provpack reads (jsondepth) in d2's provenance record: a warning, no page for it, the
    other documents' pages, where json.loads raised RecursionError (past 1,024 levels, orjson's limit)."""
    from provpack.jsondepth import MAX_DEPTH
    from warcbuild import nested_in_d2

    data, start, _ = nested_in_d2(levels)
    archive = tmp_path / "deep.warc.gz"
    archive.write_bytes(data)
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        wacz = make_wacz(archive, tmp_path / "deep.wacz")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"{archive}: byte {start}: the metadata record's JSON does not parse: it nests arrays and objects "
        f"{levels + 1:,} levels deep, more than the {MAX_DEPTH} provpack reads; no page for it"]
    with zipfile.ZipFile(wacz) as bundle:
        pages = [json.loads(line) for line in bundle.read("pages/pages.jsonl").splitlines()[1:]]
    assert [page["id"] for page in pages] == ["d1", "d3"]


def test_a_failed_write_of_the_wacz_is_not_blamed_on_the_archive(warc: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The WACZ's disk refusing the archive's bytes (ENOSPC once; the ZIP's header and directory still written) is
    said of the WACZ, nothing changed; it was said of the archive it reads ("ARCHIVE: no space left on device; check
    the file"), whose disk was fine."""
    import errno
    import io
    import os

    from provpack import atomic

    real = atomic._open_temp

    class RefusesOnce(io.BufferedWriter):
        refused = False

        def write(self, data: Any) -> int:
            if len(data) > 1000 and not RefusesOnce.refused:
                RefusesOnce.refused = True
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return super().write(data)

    def open_temp(path: Path) -> tuple[Path, Any]:
        temp_path, handle = real(path)
        handle.close()
        return temp_path, RefusesOnce(io.FileIO(temp_path, "wb"))

    monkeypatch.setattr(atomic, "_open_temp", open_temp)
    out = tmp_path / "o.wacz"
    with pytest.raises(ArchiveError) as caught:
        make_wacz(warc, out)
    assert str(caught.value) == (f"{out}: disk full (no space left on device) while writing; nothing was changed; free "
                                 "some space, then run again")
    assert RefusesOnce.refused and not out.exists()


def test_the_wacz_names_the_archive_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names) `wacz café.warc.gz` writes the WACZ a UTF-8 locale writes, the archive
    as archive/café.warc.gz (its name's bytes read as UTF-8), where it refused the name as not UTF-8 (0xC3 0xA9)
    (and a Latin-1 locale wrote archive/cafÃ©.warc.gz)."""
    (tmp_path / "caf\u00e9.warc.gz").write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
    written = []
    for env, out in ((utf8_env(), "u.wacz"), (locale_env(tmp_path, C_LOCALE), "c.wacz")):
        done = run_in(env, tmp_path, "-q", "wacz", "caf\u00e9.warc.gz", "-o", out)
        assert (done.returncode, done.stderr) == (0, b"")
        written.append((tmp_path / out).read_bytes())
    assert written[0] == written[1]
    with zipfile.ZipFile(tmp_path / "c.wacz") as bundle:
        assert "archive/caf\u00e9.warc.gz" in bundle.namelist()
