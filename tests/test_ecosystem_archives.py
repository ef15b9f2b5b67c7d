"""index, wacz and bag on archives provpack.package writes: the seeds, a local original, a fetched one."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import bagit
import pytest

from provpack.bag import make_bag
from provpack.cdxj import index, write_index
from provpack.package import package
from provpack.wacz import make_wacz
from reference_tools import cdxj_indexer, wacz_validate

from conftest import SEED_EPOCH, SEED_NAME
from localserver import ORIGINALS, serve

DATE = dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc)
EXCERPT = (
    "When in the Course of human events, it becomes necessary for one people to dissolve the political "
    "bands which have connected them with another [...] a decent respect to the opinions of mankind "
    "requires that they should declare the causes which impel them to the separation.\n"
)


def with_original(folder: Path, sidecar: str, *, copy: bool) -> Path:
    """A source folder with one excerpt of the Declaration and its sidecar (and the local copy)."""
    folder.mkdir(parents=True)
    (folder / "decl.txt").write_text(EXCERPT, encoding="utf-8")
    (folder / "decl.yaml").write_text(sidecar, encoding="utf-8")
    if copy:
        shutil.copy(ORIGINALS / "declaration.html", folder / "decl.html")
    return folder


@pytest.fixture(params=["seeds", "local-original", "fetched-original"])
def archive(request: pytest.FixtureRequest, seed_dir: Path, tmp_path: Path) -> Path:
    """An archive as `provpack package` writes it, with or without an original."""
    out = tmp_path / "out" / "archive.warc.gz"
    if request.param == "seeds":
        return package(seed_dir, out=out, date=DATE).warc_path
    if request.param == "local-original":
        sidecar = ("title: The Declaration\nurl: https://example.org/quotes/decl\n"
                   "source_url: https://www.archives.gov/founding-docs/declaration-transcript\n"
                   "original: decl.html\n")
        return package(with_original(tmp_path / "src", sidecar, copy=True), out=out, date=DATE).warc_path
    with serve() as server:
        sidecar = f"source_url: {server.url('/redirect')}\n"
        source = with_original(tmp_path / "src", sidecar, copy=False)
        return package(source, out=out, date=DATE, fetch=True, allow_private=True).warc_path


def test_index_matches_cdxj_indexer(archive: Path, tmp_path: Path) -> None:
    """Sorted, in file order, and with every record: byte for byte what cdxj-indexer writes."""
    out = tmp_path / "index.cdxj"
    write_index(archive, out)
    assert out.read_text(encoding="utf-8") == cdxj_indexer(archive, tmp_path, "--sort")
    every = "".join(f"{line}\n" for line in index(archive, records=None))
    assert every == cdxj_indexer(archive, tmp_path, "--records", "all")


TITLES = {
    "seeds": (SEED_NAME, "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help"),
    "local-original": ("decl", "The Declaration"),
    "fetched-original": ("decl", "decl"),
}


def test_wacz_validates_and_lists_the_excerpts(
    archive: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """py-wacz validates the package; pages.jsonl has one page per excerpt (titled), none for originals."""
    out = make_wacz(archive, tmp_path / "archive.wacz")
    code, output = wacz_validate(out)
    assert code == 0, output
    with zipfile.ZipFile(out) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    (page,) = pages
    assert (page["id"], page["title"]) == TITLES[request.node.callspec.params["archive"]]
    assert page["ts"] == "2017-11-12T00:00:00Z"


def test_bag_validates(archive: Path, tmp_path: Path) -> None:
    """The archive and its .sha256 bag up into a bag bagit-python validates."""
    sidecar = archive.with_name(archive.name + ".sha256")
    out = make_bag([archive, sidecar], tmp_path / "bag")
    bagit.Bag(str(out)).validate()
