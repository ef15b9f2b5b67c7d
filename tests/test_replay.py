"""Replay in pywb: our WARC plus our CDXJ, served on 127.0.0.1, give the excerpts back byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from localserver import PAGE, serve
from provpack.cdxj import index, write_index
from provpack.package import package
from provpack.replaykeys import replayable
from provpack.wacz import make_wacz
from conftest import INTEROP
from provpack_warcs import DATE, DOCS, Doc, write_provpack_warc

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pywb") is None,
    reason="pywb is not installed (pip install pywb) so replay cannot be tried",
)

TIMESTAMP = DATE.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
TEXT_ONLY = ("resource", "response", "revisit")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A pywb command running in a child process on a free 127.0.0.1 port."""

    def __init__(self, command: str, root: Path) -> None:
        self.port = free_port()
        self.log = root / f"{command}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", f"from pywb.apps.cli import {command}; {command}()",
                 "-p", str(self.port), "-b", "127.0.0.1"],
                cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_until_listening(self, timeout: float = 30.0) -> None:
        """Return once the port accepts connections; fail with pywb's log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"pywb did not start:\n{self.log.read_text(errors='replace')}")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of GET `path`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """Status and body of POST `path` with `body`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        """End the child process."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def add_collection(root: Path, name: str, warc: Path, records: tuple[str, ...] | None = None) -> None:
    """collections/NAME: the WARC in archive/, our index of it in indexes/."""
    (root / "collections" / name / "archive").mkdir(parents=True)
    (root / "collections" / name / "indexes").mkdir()
    shutil.copy(warc, root / "collections" / name / "archive" / warc.name)
    index_path = root / "collections" / name / "indexes" / "index.cdxj"
    if records is None:
        write_index(warc, index_path)
    else:
        write_index(warc, index_path, records=records)


@pytest.fixture(scope="module")
def pywb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pywb collections: `all` and `text` (text records only) of one provpack WARC, `fetched` of a real capture,
    `clash` of excerpts whose urls differ in a #fragment only, or in a query."""
    root = tmp_path_factory.mktemp("pywb")
    warc = write_provpack_warc(root / "seeds.warc.gz")
    add_collection(root, "all", warc)
    add_collection(root, "text", warc, TEXT_ONLY)
    source = root / "src"
    source.mkdir()
    (source / "quote.txt").write_text("We hold these truths [...] to be self-evident.\n", encoding="utf-8")
    with serve() as server:
        (source / "quote.yaml").write_text(f"source_url: {server.url('/redirect')}\n", encoding="utf-8")
        fetched = package(source, out=root / "fetched.warc.gz", fetch=True, allow_private=True).warc_path
    add_collection(root, "fetched", fetched)
    clash = root / "clash"
    for name, url in CLASH.items():
        (clash / f"{name}.txt").parent.mkdir(exist_ok=True)
        (clash / f"{name}.txt").write_text(f"Passage {name} [...] cut.\n", encoding="utf-8")
        (clash / f"{name}.yaml").write_text(f"url: {url}\n", encoding="utf-8")
    date = dt.datetime.strptime(DATE, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    add_collection(root, "clash", package(clash, out=root / "clash.warc.gz", date=date).warc_path)
    schemes = root / "schemes"
    schemes.mkdir()
    for number, url in enumerate(SCHEMES):
        (schemes / f"s{number}.txt").write_text(f"Passage {number} [...] cut.\n", encoding="utf-8")
        (schemes / f"s{number}.yaml").write_text(f"url: '{url}'\n", encoding="utf-8")
    add_collection(root, "schemes", package(schemes, out=root / "schemes.warc.gz", date=date).warc_path)
    return root


SCHEMES = ["mailto:editor@example.org", "data:text/plain,quoted", "tel:+15555550100", "tag:example.org,2020:q",
           "urn:isbn:0451450523", "ftp://example.org/notes.txt", "file:///notes.txt", "https://example.org/post"]
CLASH = {"a": "https://blog.example.org/post#quote-1", "b": "https://blog.example.org/post#quote-2",
         "c": "https://blog.example.org/post?quote=1", "d": "https://blog.example.org/post?quote=2"}


@pytest.fixture(scope="module")
def servers(pywb_root: Path) -> Iterator[dict[str, Server]]:
    """pywb's WARC-serving core (`warcserver`) and its full replay app (`wayback`), started together."""
    started = {name: Server(name, pywb_root) for name in ("warcserver", "wayback")}
    try:
        for server in started.values():
            server.wait_until_listening()
        yield started
    finally:
        for server in started.values():
            server.stop()


def record_block(record: bytes) -> bytes:
    """The block of one uncompressed WARC record, by its Content-Length."""
    head, _, rest = record.partition(b"\r\n\r\n")
    lengths = [line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    return rest[: int(lengths[0])]


def lookup_variants(doc: Doc) -> list[str]:
    """The target URI, and for http(s) a spelling that only matches through SURT canonicalisation."""
    variants = [doc.target]
    if doc.url and "?" in doc.url:
        base, query = doc.url.split("?", 1)
        variants.append(base.lower().replace("://www.", "://") + "?" + "&".join(sorted(query.split("&"))))
    return variants


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_warcserver_serves_the_excerpt_byte_exact(doc: Doc, servers: dict[str, Server]) -> None:
    """With our full index, pywb's warcserver finds the resource record and returns its exact bytes."""
    for url in lookup_variants(doc):
        query = urlencode({"url": url, "closest": TIMESTAMP, "filter": "mime:text/plain"})
        status, headers, body = servers["warcserver"].get(f"/all/resource?{query}")
        assert status == 200, body[:500]
        assert headers["warcserver-type"] == "warc"
        assert b"\r\nWARC-Type: resource\r\n" in body.split(b"\r\n\r\n", 1)[0]
        assert record_block(body) == doc.text


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_pywb_reads_our_index_lines(doc: Doc, servers: dict[str, Server]) -> None:
    """pywb's CDX API returns our line for the URL: the excerpt (its provenance record has no URL)."""
    query = urlencode({"url": doc.target, "output": "json"})
    status, _, body = servers["wayback"].get(f"/all/cdx?{query}")
    assert status == 200
    lines = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert [line["mime"] for line in lines] == ["text/plain"]
    assert {line["filename"] for line in lines} == {"seeds.warc.gz"}
    assert {line["timestamp"] for line in lines} == {TIMESTAMP}


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_wayback_replays_the_excerpt_byte_exact(doc: Doc, servers: dict[str, Server]) -> None:
    """With an index of text records only, wayback's raw replay (id_) returns the excerpt as archived."""
    status, headers, body = servers["wayback"].get(f"/text/{TIMESTAMP}id_/{quote(doc.target, safe=':/?&=')}")
    assert status == 200, body[:500]
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body == doc.text


def test_wayback_replays_the_excerpt_from_the_full_index(servers: dict[str, Server]) -> None:
    """With the cdxj-indexer-equal index, replaying the excerpt URL gives the excerpt, not its provenance."""
    doc = DOCS[2]
    status, _, body = servers["wayback"].get(f"/all/{TIMESTAMP}id_/{doc.target}")
    assert status == 200
    assert body == doc.text


def test_wayback_replays_a_fetched_original(pywb_root: Path, servers: dict[str, Server]) -> None:
    """An HTTP response captured by `provpack package --fetch` replays (id_) as the page's exact body."""
    warc = pywb_root / "collections" / "fetched" / "archive" / "fetched.warc.gz"
    (response,) = [line for line in index(warc) if line.record_type == "response" and line.status == "200"]
    assert response.url is not None
    status, headers, body = servers["wayback"].get(f"/fetched/{response.timestamp}id_/{response.url}")
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("text/html")
    assert body == PAGE


def test_a_fragment_does_not_part_two_excerpts_and_a_query_does(servers: dict[str, Server]) -> None:
    """What package's warning says, in pywb: excerpts at post#quote-1 and post#quote-2 are two index lines of one
    key, of which wayback replays one whatever is asked; at post?quote=1 and post?quote=2 (the advice) each replays."""
    wayback = servers["wayback"]
    query = urlencode({"url": "https://blog.example.org/post", "output": "json"})
    lines = [json.loads(line) for line in wayback.get(f"/clash/cdx?{query}")[2].decode("utf-8").splitlines()]
    assert sorted(line["url"] for line in lines) == [CLASH["a"], CLASH["b"]]
    replayed = {wayback.get(f"/clash/{TIMESTAMP}id_/{url}")[2]
                for url in ("https://blog.example.org/post", "http://www.blog.example.org/post")}
    assert len(replayed) == 1 and replayed <= {b"Passage a [...] cut.\n", b"Passage b [...] cut.\n"}
    for name in "cd":
        status, _, body = wayback.get(f"/clash/{TIMESTAMP}id_/{CLASH[name]}")
        assert (status, body) == (200, f"Passage {name} [...] cut.\n".encode())


MANAGER = [sys.executable, "-W", "ignore", "-c", "from pywb.manager.manager import main; main()"]
LATIN_1 = "Il a dit bien des choses \u00e9t\u00e9 que oui.\n".encode("latin-1")   # an original that is not UTF-8


@pytest.fixture(scope="module")
def managed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, tuple[str, bytes]]]]:
    """wayback over collection `m`, made as pywb's docs say: `wb-manager init`, then `wb-manager add` of provpack
    archives, indexed by pywb's own indexer, which indexes every record but request and warcinfo records (so
    conversions too, which `provpack index` and cdxj-indexer leave out). In it: a local original without source_url
    (Latin-1, so its text is other bytes) and a page fetched in a run dated 2017; and each one's URL and bytes."""
    root = tmp_path_factory.mktemp("managed")
    date = dt.datetime.strptime(DATE, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    local = root / "local"
    (local / "originals").mkdir(parents=True)
    (local / "q.txt").write_text("Il a dit [...] que oui.\n", encoding="utf-8")
    (local / "originals" / "orig.txt").write_bytes(LATIN_1)
    (local / "q.yaml").write_text("original: originals/orig.txt\n", encoding="utf-8")
    warcs = [package(local, out=root / "local.warc.gz", date=date).warc_path]
    fetched = root / "fetched"
    fetched.mkdir()
    (fetched / "quote.txt").write_text("We hold these truths [...] to be self-evident.\n", encoding="utf-8")
    with serve() as server:
        page = server.url("/page.html")
        (fetched / "quote.yaml").write_text(f"source_url: {page}\n", encoding="utf-8")
        warcs.append(package(fetched, out=root / "fetched.warc.gz", date=date, fetch=True,
                             allow_private=True).warc_path)
    for args in (["init", "m"], ["add", "m", *map(str, warcs)]):
        done = subprocess.run(MANAGER + args, cwd=root, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    wayback = Server("wayback", root)
    try:
        wayback.wait_until_listening()
        yield wayback, {"local": (f"urn:provpack:sha256:{hashlib.sha256(LATIN_1).hexdigest()}", LATIN_1),
                        "fetched": (page, PAGE)}
    finally:
        wayback.stop()


@pytest.mark.parametrize("timestamp", [TIMESTAMP, "29991231235959"], ids=["at-the-run", "latest"])
@pytest.mark.parametrize("original", ["local", "fetched"])
def test_wb_manager_add_replays_the_originals_not_their_text(
        managed: tuple[Server, dict[str, tuple[str, bytes]]], original: str, timestamp: str) -> None:
    """With pywb's own index, which holds the conversions, an original's URL replays the original's bytes, at the run's
    date and as the latest capture. A conversion filed under a local original's content URN (before 0.6.0) was
    another capture of one key and second, and pywb replayed the UTF-8 text, the first by digest; a fetched page's,
    dated as the run (2017), was a second memento of the page, which replayed as plain text at that date."""
    wayback, originals = managed
    url, data = originals[original]
    status, _, body = wayback.get(f"/m/{timestamp}id_/{url}")
    assert (status, body) == (200, data)


def test_wb_manager_add_lists_one_memento_of_a_fetched_page(
        managed: tuple[Server, dict[str, tuple[str, bytes]]]) -> None:
    """The fetched page's captures in pywb's index are all of the second it was fetched: its response, and its
    conversion, dated as that response (no memento at the run's date)."""
    wayback, originals = managed
    query = urlencode({"url": originals["fetched"][0], "output": "json"})
    lines = [json.loads(line) for line in wayback.get(f"/m/cdx?{query}")[2].decode("utf-8").splitlines()]
    assert sorted(line["mime"] for line in lines) == ["text/html", "text/plain"]
    assert len({line["timestamp"] for line in lines}) == 1 and TIMESTAMP not in {line["timestamp"] for line in lines}


@pytest.mark.parametrize("number", range(len(SCHEMES)), ids=lambda number: SCHEMES[number].split(":")[0])
def test_the_urls_package_warns_of_are_those_pywb_cannot_replay(number: int, servers: dict[str, Server]) -> None:
    """replaykeys.replayable, whose False makes package warn and wacz leave the page out, is what wayback does: an
    excerpt under mailto:, tel: or tag: is redirected to http://mailto:... (nowhere), one under data: refused (400);
    one under a urn: or an address with a / after its scheme replays."""
    status, headers, body = servers["wayback"].get(f"/schemes/{TIMESTAMP}id_/{SCHEMES[number]}")
    replays = (status, body) == (200, f"Passage {number} [...] cut.\n".encode())
    assert replays == replayable(SCHEMES[number]), (status, headers.get("location"))
    if SCHEMES[number].startswith(("mailto:", "data:")):
        assert (status, headers.get("location")) == ((307, f"http://127.0.0.1:{servers['wayback'].port}/schemes/"
                                                           f"{TIMESTAMP}id_/http://{SCHEMES[number]}/")
                                                     if SCHEMES[number].startswith("mailto:") else (400, None))


POST_TEST = INTEROP / "post-test.warc.gz"


@pytest.mark.skipif(not POST_TEST.is_file(), reason="shared interop WARCs not present")
def test_wayback_replays_a_post_from_our_wacz(tmp_path: Path) -> None:
    """A WACZ of pywb's post-test.warc.gz, added with `wb-manager add --unpack-wacz`, replays its form
    POST: the index keys it by method and body, as py-wacz and `wb-manager add` of the WARC do."""
    package_path = make_wacz(POST_TEST, tmp_path / "post.wacz")
    for args in (["init", "pp"], ["add", "--unpack-wacz", "pp", str(package_path)]):
        done = subprocess.run(MANAGER + args, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    wayback = Server("wayback", tmp_path)
    try:
        wayback.wait_until_listening()
        url = "/pp/20140610000859id_/http://httpbin.org/post"
        status, body = wayback.post(url, b"foo=bar&test=abc", "application/x-www-form-urlencoded")
        assert status == 200, body[:500]
        assert json.loads(body)["form"] == {"foo": "bar", "test": "abc"}
    finally:
        wayback.stop()
