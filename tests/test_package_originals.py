"""Packaging with originals: a local copy (`original:`), --fetch, alignment in the provenance, show."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from warcio.archiveiterator import ArchiveIterator

from strategies import quoted_originals
from localserver import BLOB, ENCODED, LF_HEAD_BODY, PAGE, PDF, ServerState, serve, unused_port
import importlib
import socket
from provpack.capture import Capture, capture
from provpack.errors import CaptureError
from provpack.httpbytes import split_message
from provpack.model import UnalignedOriginal, UnmatchedOriginal
from provpack.package import BATCH_DOCUMENTS, package
from provpack.reader import read_archive
from provpack.verify import verify as verify_archive

ORIGINALS = Path(__file__).parent / "data" / "originals"
EXCERPT = (
    "When in the Course of human events, it becomes necessary for one people to dissolve the political "
    "bands which have connected them with another [...] a decent respect to the opinions of mankind "
    "requires that they should declare the causes which impel them to the separation.\n\n"
    "We hold these truths to be self-evident, that all men are created equal [\u2026] \u2014That to secure "
    "these rights, Governments are instituted among Men...\n"
)
FIRST_CUT = (", and to assume among the powers of the earth, the separate and equal station to which the "
             "Laws of Nature and of Nature's God entitle them,")


@pytest.fixture
def server() -> Iterator[ServerState]:
    """The local test server."""
    with serve() as state:
        yield state


def make_source(folder: Path, sidecar: str, *, name: str = "decl", with_copy: bool = True) -> Path:
    """A source folder with one excerpt, its sidecar and (optionally) a local original."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(EXCERPT, encoding="utf-8")
    (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    if with_copy:
        shutil.copy(ORIGINALS / "declaration.html", folder / "decl.html")
    return folder


def records(path: Path) -> list[tuple[dict[str, str], bytes]]:
    """Every record's WARC headers and block, without HTTP parsing."""
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, no_record_parse=True):
            out.append((dict(record.rec_headers.headers), record.raw_stream.read()))
    return out


def check_digests(path: Path) -> None:
    """Block digests cover the block; payload digests the body after any HTTP head."""
    for headers, block in records(path):
        assert headers["WARC-Block-Digest"] == "sha256:" + hashlib.sha256(block).hexdigest()
        if "WARC-Payload-Digest" in headers:
            payload = split_message(block)[1] if headers["WARC-Type"] in ("request", "response") else block
            assert headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(payload).hexdigest()


def provenance(path: Path) -> dict[str, Any]:
    """The first provenance JSON in the archive."""
    for headers, block in records(path):
        if headers["WARC-Type"] == "metadata":
            return dict(json.loads(block))
    raise AssertionError("no metadata record")


def test_local_original_is_archived_and_aligned(tmp_path: Path) -> None:
    """original: PATH gives resource + conversion records and the omitted passages."""
    source = make_source(tmp_path / "src", "source_url: https://www.archives.gov/declaration\noriginal: decl.html\n")
    result = package(source, out=tmp_path / "out.warc.gz", date=dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc))
    kinds = [(h["WARC-Type"], h.get("WARC-Target-URI")) for h, _ in records(result.warc_path)]
    assert [k for k, _ in kinds] == ["warcinfo", "resource", "metadata", "resource", "conversion"]
    assert kinds[3][1] == kinds[4][1] == "https://www.archives.gov/declaration"
    check_digests(result.warc_path)
    described = provenance(result.warc_path)
    (_, conversion_block) = records(result.warc_path)[4]
    text = conversion_block.decode("utf-8")
    first = described["elisions"][0]
    assert first["omitted"]["text"] == FIRST_CUT
    assert text[first["omitted"]["start"]:first["omitted"]["end"]] == FIRST_CUT
    selectors = first["omitted"]["oa:hasSelector"]
    assert selectors[0] == {"@type": "oa:TextPositionSelector", "oa:start": first["omitted"]["start"],
                            "oa:end": first["omitted"]["end"]}
    assert selectors[1]["oa:exact"] == FIRST_CUT
    assert first["omitted"]["record_id"] == records(result.warc_path)[4][0]["WARC-Record-ID"]
    possible = described["elisions"][2]
    assert possible["kind"] == "possible" and possible["confirmed"] is True
    assert described["original"]["how"] == "local"
    assert described["differences"] == []
    assert result.documents[0].original == "local" and result.documents[0].omitted_found == 3


@pytest.mark.parametrize("marker", ["..."])
def test_marker_in_the_title_line_cuts_nothing_from_the_original(tmp_path: Path, marker: str) -> None:
    """A marker in the header (outside the quoted body) gets no omitted passage, a reason, and no confirmation.
    (A line holding a bracketed cut, `[...]`, is never the header since 0.6.0: tests/test_document.py.)"""
    source = tmp_path / "src"
    source.mkdir()
    (source / "mill.txt").write_text(
        f"12 March 2019\n\nWestmarsh Gazette: The mill {marker} closes\n\n"
        "Two hundred workers were told on a Monday that there would be no shift.\n", encoding="utf-8")
    (source / "mill.yaml").write_text("original: mill.html\n", encoding="utf-8")
    (source / "mill.html").write_text(
        "<p>In the spring the mill closed for good. Two hundred workers were told on a Monday that there "
        "would be no shift.</p>", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz", date=dt.datetime(2019, 3, 12, tzinfo=dt.timezone.utc))
    described = provenance(result.warc_path)
    assert described["parts"]["header"] is not None
    (elision,) = described["elisions"]
    assert elision["marker"] == marker
    assert elision["start"] < described["parts"]["body"][0]
    assert elision["omitted"] is None
    assert elision["omitted_reason"] == "in the title/header, not in the quoted text"
    assert elision["confirmed"] is None
    assert result.documents[0].omitted_found == 0


def test_packaging_with_an_original_is_reproducible_and_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --fetch nothing fetches, even with source_url; the same input gives the same bytes."""
    def no_network(url: str, **options: object) -> Capture:
        raise AssertionError(f"tried to fetch {url}")

    def no_lookup(*args: object, **kwargs: object) -> object:
        raise AssertionError("tried to resolve a host name")

    monkeypatch.setattr(importlib.import_module("provpack.capture"), "capture", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    source = make_source(tmp_path / "src", "source_url: https://example.org/declaration\noriginal: decl.html\n")
    make_source(source, "source_url: https://example.org/declaration\n", name="other", with_copy=False)
    date = dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)
    first = package(source, out=tmp_path / "a" / "out.warc.gz", date=date)
    second = package(source, out=tmp_path / "b" / "out.warc.gz", date=date)
    assert first.warc_path.read_bytes() == second.warc_path.read_bytes()
    assert [d.original for d in first.documents] == ["local", None]


def test_fetch_stores_the_exchange_linked_to_the_excerpt(tmp_path: Path, server: ServerState) -> None:
    """--fetch: request/response Concurrent-To each other, conversion Refers-To the response."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/redirect')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    found = records(result.warc_path)
    kinds = [h["WARC-Type"] for h, _ in found]
    assert kinds == ["warcinfo", "resource", "metadata", "request", "response", "request", "response", "conversion"]
    check_digests(result.warc_path)
    by_id = {h["WARC-Record-ID"]: (h, b) for h, b in found}
    request, response = found[5][0], found[6][0]
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert response["WARC-Concurrent-To"] == request["WARC-Record-ID"]
    assert response["Content-Type"] == "application/http; msgtype=response"
    assert split_message(found[6][1])[1] == PAGE
    assert found[7][0]["WARC-Refers-To"] == response["WARC-Record-ID"]
    described = provenance(result.warc_path)
    assert described["original"]["record_id"] == response["WARC-Record-ID"]
    assert described["original"]["conversion_record_id"] in by_id
    assert described["original"]["final_url"] == server.url("/page.html")
    assert described["elisions"][0]["omitted"]["text"] == FIRST_CUT
    assert result.fetch_failures == ()


def test_a_url_fetched_as_given_is_no_redirect(tmp_path: Path, server: ServerState,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A source_url with an empty `?` or an upper-case scheme, answered 200: its final_url is the URL as given, and
    show says no redirect (urlunsplit rebuilt it: `.../page.html`, `http://...`, shown as `-> ...`)."""
    from provpack.cli import main

    given = {"decl": server.url("/page.html?"), "upper": f"HTTP://127.0.0.1:{server.port}/page.html?e"}
    source = make_source(tmp_path / "src", f"source_url: {given['decl']}\n", with_copy=False)
    make_source(source, f"source_url: {given['upper']}\n", name="upper", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    originals = [json.loads(block)["original"] for headers, block in records(result.warc_path)
                 if headers["WARC-Type"] == "metadata"]
    assert [(o["url"], o["final_url"], len(o["exchanges"])) for o in originals] == [
        (given["decl"], given["decl"], 1), (given["upper"], given["upper"], 1)]
    capsys.readouterr()
    assert main(["show", str(result.warc_path)]) == 0
    shown = capsys.readouterr().out
    assert "->" not in shown and shown.count(f"original: fetched ") == 2


@pytest.mark.parametrize("broken", ["sidecar", "text", "original", "large original"])
def test_an_input_error_comes_out_before_anything_is_fetched(tmp_path: Path, server: ServerState, broken: str) -> None:
    """With --fetch, every text and sidecar is read and checked before the first request: a bad sidecar (or a text
    not in UTF-8) of the last document was met after the others' originals were fetched, each run again. So is a
    local original the sidecar names: there, and not over the limit (a sparse file: the check does not read it)."""
    from provpack.errors import InputError
    from provpack.original import MAX_ORIGINAL_BYTES

    source = make_source(tmp_path / "src", f"source_url: {server.url('/page.html')}\n", name="a", with_copy=False)
    for number in range(BATCH_DOCUMENTS):   # (in another batch than the first document's too)
        make_source(source, f"source_url: {server.url('/visits')}?n={number}\n", name=f"m{number:03}", with_copy=False)
    make_source(source, "source_url: " + (server.url("/q?a=%zz") if broken == "sidecar" else server.url("/page.html"))
                + "\n" + ("original: z.html\n" if broken.endswith("original") else ""), name="z", with_copy=False)
    if broken == "text":
        (source / "z.txt").write_bytes(b"caf\xe9 [...] cut\n")
    if broken == "large original":
        with (source / "z.html").open("wb") as large:
            large.truncate(MAX_ORIGINAL_BYTES + 1)
    with pytest.raises(InputError) as caught:
        package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    said = {"sidecar": "z.yaml: line 1, column 13: 'source_url': '%zz'", "text": "z.txt: ",
            "original": "z.yaml: 'original' 'z.html': no such file",
            "large original": f"z.html: {MAX_ORIGINAL_BYTES + 1:,} bytes is more than the limit of "
                              f"{MAX_ORIGINAL_BYTES:,} bytes"}[broken]
    assert str(caught.value).startswith(str(source / said))
    assert server.requests == [] and not (tmp_path / "out.warc.gz").exists()


def test_cli_fetch_through_a_proxy_archives_and_verifies(tmp_path: Path, server: ServerState,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """package --fetch behind a proxy (HTTP_PROXY, with a password): the page is archived and aligned without
    --allow-private (the proxy is on loopback, the server's name is the proxy's to resolve), the password is in no
    record, and verify passes the archive, its request record's absolute URL included."""
    from localserver import serve_proxy

    from provpack.cli import main

    with serve_proxy(server.port) as proxy:
        proxy.credentials = "Basic dXNlcjpzZWNyZXQ="
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("://", "://user:secret@"))
        source = make_source(tmp_path / "src", "source_url: http://origin.invalid/page.html\n", with_copy=False)
        out = tmp_path / "out.warc.gz"
        assert main(["package", str(source), "-o", str(out), "--fetch"]) == 0
    assert "originals: 1 aligned (3 omitted passages found, 0 differences)" in capsys.readouterr().out
    found = records(out)
    request = next(block for headers, block in found if headers["WARC-Type"] == "request")
    assert request.startswith(b"GET http://origin.invalid/page.html HTTP/1.1\r\nHost: origin.invalid\r\n")
    whole = gzip.decompress(out.read_bytes())
    assert b"Proxy-Authorization" not in whole and b"dXNlcjpzZWNyZXQ" not in whole and b"secret" not in whole
    assert "WARC-IP-Address" not in next(headers for headers, _ in found if headers["WARC-Type"] == "response")
    assert main(["verify", "--deep", str(out)]) == 0


def test_a_sidecar_url_whose_host_browsers_read_as_loopback_is_not_fetched_through_a_proxy(
        tmp_path: Path, server: ServerState, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source_url whose host is `localhost` once its percent-escapes are decoded, as browsers and proxies decode
    them, is refused as loopback through a proxy (it was sent on, as `localhost.`, and archived), and one that names
    no host as they read it is malformed: each a fetch failure naming the document and the URL; nothing reaches the
    proxy."""
    from localserver import serve_proxy

    with serve_proxy(server.port) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        looped = f"http://localhost%2e:{server.port}/page.html"
        malformed = f"http://1.2.3.09:{server.port}/page.html"
        source = make_source(tmp_path / "src", f"source_url: {looped}\n", with_copy=False)
        make_source(source, f"source_url: {malformed}\n", name="other", with_copy=False)
        result = package(source, out=tmp_path / "out.warc.gz", fetch=True)
    assert proxy.seen == [] and server.requests == []
    assert [d.original for d in result.documents] == [None, None]
    fix = "check the URL or try again later, or save the page and name the copy with `original:` in the sidecar"
    assert [(f.name, f.url, f.message) for f in result.fetch_failures] == [
        ("decl", looped, f"{looped}: host 'localhost.' names this machine (loopback); refused (pass --allow-private "
                         f"(allow_private=True) to fetch it); {fix}"),
        ("other", malformed, f"{malformed}: the URL is malformed: the host '1.2.3.09' ends in a number but is not an "
                             "IPv4 address as browsers read one: '09' is not a number (decimal, octal after a leading "
                             f"0, hexadecimal after 0x); {fix}"),
    ]


def test_failed_fetch_is_reported_and_the_run_goes_on(tmp_path: Path, server: ServerState) -> None:
    """A failed fetch (a 206, part of a page) for one document does not stop the others; the result names the URL."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/status/206')}\n", with_copy=False)
    make_source(source, f"source_url: {server.url('/page.html')}\n", name="good", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    assert [d.original for d in result.documents] == [None, "fetched"]
    (failure,) = result.fetch_failures
    assert (failure.name, failure.url) == ("decl", server.url("/status/206"))
    assert failure.message == (f"{server.url('/status/206')}: HTTP 206 Partial Content: only part of the page (a byte "
                               "range, which was not asked for); check the URL or try again later, or save the page "
                               "and name the copy with `original:` in the sidecar")
    assert result.unaligned == ()


def test_a_bare_lf_head_with_crlf_crlf_in_the_body_is_archived(tmp_path: Path, server: ServerState) -> None:
    """A response head in bare LFs whose body holds CRLF CRLF: the head ends at its own blank line, the exchange
    is archived exactly and the page aligned (it used to end the run in a ValueError traceback)."""
    from provpack.verify import verify

    source = make_source(tmp_path / "src", f"source_url: {server.url('/lf-head')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    assert result.fetch_failures == () and result.documents[0].original == "fetched"
    response_block = records(result.warc_path)[4][1]
    assert split_message(response_block) == (
        b"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: %d\n\n" % len(LF_HEAD_BODY), LF_HEAD_BODY)
    assert provenance(result.warc_path)["elisions"][0]["omitted"]["text"] == FIRST_CUT
    assert verify(result.warc_path).ok


@pytest.mark.parametrize("given", [True, False], ids=["fetcher-given", "capture"])
def test_an_unexpected_error_in_one_original_is_a_warning_not_a_traceback(tmp_path: Path, given: bool,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong with one fetched original is a failure naming the document and the URL; the other
    documents are packaged. provpack's own fetcher raises only CaptureError: anything else from it is a bug of
    provpack's, said so."""
    import provpack.capture

    def fetcher(url: str, **options: object) -> Capture:   # (capture's options, as package passes them)
        raise RuntimeError("x" * 400)

    monkeypatch.setattr(provpack.capture, "capture", fetcher)
    source = make_source(tmp_path / "src", "source_url: https://example.org/a\n", with_copy=False)
    (source / "plain.txt").write_text("Just a text.\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher if given else None)
    assert [d.name for d in result.documents] == ["decl", "plain"]
    (failure,) = result.fetch_failures
    assert (failure.name, failure.url) == ("decl", "https://example.org/a")
    said = ("could not be fetched: the fetcher given raised RuntimeError: " + "x" * 300 + "..." if given else
            "could not be archived: RuntimeError: " + "x" * 300 + "... (report this as a bug)")
    assert failure.message == (f"https://example.org/a: {said}; check the URL or try again later, or save the page and "
                               "name the copy with `original:` in the sidecar")


@pytest.mark.parametrize("error", [ConnectionError("connection refused"), AttributeError("no such thing")],
                         ids=["network", "bug"])
def test_an_exception_a_given_fetcher_raises_is_said_as_its_own(tmp_path: Path, error: Exception) -> None:
    """An exception the caller's fetcher raises (its own network error, or its bug) is a failure said as raised by
    the fetcher given, not provpack's bug to report; the run goes on."""
    def fetcher(url: str) -> Capture:
        raise error

    source = make_source(tmp_path / "src", "source_url: https://example.org/a\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    (failure,) = result.fetch_failures
    assert failure.message == (f"https://example.org/a: could not be fetched: the fetcher given raised "
                               f"{type(error).__name__}: {error}; check the URL or try again later, or save the page "
                               "and name the copy with `original:` in the sidecar")


def test_a_given_fetcher_that_returns_no_capture_is_an_input_error(tmp_path: Path) -> None:
    """A fetcher of the caller's that returns something other than a Capture (None) is an InputError naming
    `fetcher`, and nothing is written: every fetch would fail the same way (it was a failure for each URL, an
    AttributeError from inside said as provpack's bug)."""
    from provpack.errors import InputError

    source = make_source(tmp_path / "src", "source_url: https://example.org/a\n", with_copy=False)
    with pytest.raises(InputError) as caught:
        package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=lambda url: None)  # type: ignore[arg-type,return-value]
    assert str(caught.value) == ("fetcher: returned None for https://example.org/a, not a provpack.capture.Capture; "
                                 "return what provpack.capture.capture returns, or raise CaptureError when the page "
                                 "cannot be fetched")
    assert not (tmp_path / "out.warc.gz").exists()


def test_a_bug_after_a_given_fetcher_returned_is_provpacks(tmp_path: Path, server: ServerState,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """What goes wrong once the caller's fetcher returned its Capture is provpack's: said as a bug to report."""
    import provpack.original

    def broken(capture: Capture) -> None:
        raise LookupError("no such thing")

    monkeypatch.setattr(provpack.original, "fetched_original", broken)
    source = make_source(tmp_path / "src", f"source_url: {server.url('/page.html')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True,
                     fetcher=functools.partial(capture, allow_private=True))
    (failure,) = result.fetch_failures
    assert failure.message == (f"{server.url('/page.html')}: could not be archived: LookupError: no such thing (report "
                               "this as a bug); check the URL or try again later, or save the page and name the copy "
                               "with `original:` in the sidecar")


def test_an_unexpected_error_in_a_local_original_is_an_error_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug met while reading a local original is an InputError naming the sidecar and the original, no
    traceback (a local original's problems are the user's to fix, as its having no text is)."""
    import provpack.original
    from provpack.errors import InputError

    def broken(data: bytes, *, content_type: str | None = None) -> None:
        raise LookupError("no such thing")

    monkeypatch.setattr(provpack.original, "extract_text", broken)
    source = make_source(tmp_path / "src", "original: decl.html\n")
    with pytest.raises(InputError) as info:
        package(source, out=tmp_path / "out.warc.gz")
    assert str(info.value) == (f"{source / 'decl.yaml'}: its original 'decl.html' could not be read: LookupError: "
                               "no such thing; leave `original` out of the sidecar to package the text without it, "
                               "and report this as a bug")
    assert not (tmp_path / "out.warc.gz").exists()


@pytest.mark.parametrize("fetch", [True, False])
def test_a_source_url_with_credentials_is_refused(tmp_path: Path, fetch: bool) -> None:
    """A source_url holding user:password@ is an error naming the sidecar, not repeating the password: archives
    are meant to be published."""
    from provpack.errors import InputError

    def fetcher(url: str) -> Capture:
        raise AssertionError("not fetched")

    source = make_source(tmp_path / "src", "source_url: https://alice:s3cret@example.org/a\n", with_copy=False)
    with pytest.raises(InputError) as info:
        package(source, out=tmp_path / "out.warc.gz", fetch=fetch, fetcher=fetcher if fetch else None)
    assert str(info.value) == (
        f"{source / 'decl.yaml'}: line 1, column 13: 'source_url' holds a user name or password (user:password@host): "
        "archives are meant to be published, and it would be recorded in them (and sent, fetched, as an Authorization header); "
        "remove the user:password@ part; for a page behind a login, save it and name the copy with `original:`")
    assert not (tmp_path / "out.warc.gz").exists()


def test_one_capture_per_url(tmp_path: Path) -> None:
    """Two excerpts of the same page: one fetch, one set of records."""
    calls: list[str] = []

    def fetcher(url: str) -> Capture:
        calls.append(url)
        raise CaptureError(url, "refused in this test")

    source = make_source(tmp_path / "src", "source_url: https://example.org/a\n", with_copy=False)
    make_source(source, "source_url: https://example.org/a\n", name="again", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    assert calls == ["https://example.org/a"]
    assert len(result.fetch_failures) == 2


def test_one_capture_per_url_whatever_its_fragment(tmp_path: Path) -> None:
    """page#a, page#b and page are one page: fetched once, without the fragment (as it is recorded); each
    failure still names its sidecar's URL."""
    calls: list[str] = []

    def fetcher(url: str) -> Capture:
        calls.append(url)
        raise CaptureError(url, "refused in this test")

    source = make_source(tmp_path / "src", "source_url: https://example.org/a#one\n", with_copy=False)
    make_source(source, "source_url: https://example.org/a#two\n", name="again", with_copy=False)
    make_source(source, "source_url: https://example.org/a\n", name="plain", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    assert calls == ["https://example.org/a"]
    assert [(f.name, f.url) for f in result.fetch_failures] == [
        ("again", "https://example.org/a#two"), ("decl", "https://example.org/a#one"), ("plain", "https://example.org/a")]


def test_cli_fetch_and_show(tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]) -> None:
    """provpack package --fetch prints the originals line; show prints cuts and differences."""
    pytest.importorskip("provpack.verify", reason="the CLI needs provpack.verify (not merged yet)")
    from provpack.cli import main

    source = make_source(tmp_path / "src", f"source_url: {server.url('/page.html')}\n", with_copy=False)
    make_source(source, f"source_url: {server.url('/status/206')}\n", name="broken", with_copy=False)
    out = tmp_path / "out.warc.gz"
    assert main(["package", str(source), "-o", str(out), "--fetch", "--allow-private"]) == 0
    printed = capsys.readouterr()
    assert "originals: 1 aligned (3 omitted passages found, 0 differences); 1 not fetched: " in printed.out
    assert f"broken: not fetched: {server.url('/status/206')}: HTTP 206" in printed.err
    assert printed.err.count(server.url("/status/206")) == 1   # said once, not also as a log warning
    assert main(["show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "- cut 238-377: , and to assume among the powers" in shown
    assert f"original: fetched {server.url('/page.html')} (HTTP 200" in shown
    assert "possible elision confirmed" in shown
    assert main(["show", "--json", str(out)]) == 0
    documents = json.loads(capsys.readouterr().out)["documents"]
    decl = next(d for d in documents if d["name"] == "decl")
    assert decl["elisions"][0]["omitted"] == {"text": FIRST_CUT, "start": 238, "end": 377}
    assert decl["differences"] == [] and decl["original"]["how"] == "fetched"


def test_cli_summary_names_ten_urls_of_a_list_then_counts_the_rest(
        tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]) -> None:
    """The originals line lists at most ten URLs not fetched, ten answered with an error, ten with no text, then
    `and N more` (each document is warned about apart): it listed every one, 500 URLs on one line."""
    from provpack.cli import main

    source = tmp_path / "src"
    kinds = {"gone": "/status/206", "missing": "/missing", "pdf": "/paper.pdf"}
    for kind, path in kinds.items():
        for number in range(12):
            make_source(source, f"source_url: {server.url(path)}?n={number:02}\n", name=f"{kind}{number:02}",
                        with_copy=False)
    assert main(["package", str(source), "-o", str(tmp_path / "out.warc.gz"), "--fetch", "--allow-private"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("originals: "))

    def listed(kind: str, status: str = "") -> str:
        return ", ".join(f"{server.url(kinds[kind])}?n={n:02}{status}" for n in range(10)) + ", and 2 more"

    assert line == ("originals: 0 aligned (0 omitted passages found, 0 differences); 12 archived but not aligned (no "
                    f"text): {listed('pdf')}; 12 answered with an HTTP error (archived, not aligned): "
                    f"{listed('missing', ' (HTTP 404)')}; 12 not fetched: {listed('gone')}")


@pytest.mark.parametrize(("path", "body", "mime"), [("/paper.pdf", PDF, "application/pdf"),
                                                    ("/blob", BLOB, "application/octet-stream")])
def test_fetched_original_without_text_is_archived_not_aligned(
    tmp_path: Path, server: ServerState, path: str, body: bytes, mime: str
) -> None:
    """A 200 with no text to extract keeps its exchange, gets no conversion, and is reported as not aligned."""
    from provpack.verify import verify

    source = make_source(tmp_path / "src", f"source_url: {server.url(path)}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    found = records(result.warc_path)
    assert [h["WARC-Type"] for h, _ in found] == ["warcinfo", "resource", "metadata", "request", "response"]
    check_digests(result.warc_path)
    (request, _), (response, response_block) = found[3], found[4]
    assert split_message(response_block)[1] == body
    assert response["WARC-Target-URI"] == server.url(path)
    reason = f"cannot extract text from {mime}"
    assert result.fetch_failures == ()
    assert result.unaligned == (UnalignedOriginal(name="decl", url=server.url(path), reason=reason, status=200),)
    assert result.documents[0].original == "fetched"
    assert (result.documents[0].omitted_found, result.documents[0].differences) == (0, 0)
    described = provenance(result.warc_path)
    original = described["original"]
    assert original["how"] == "fetched" and original["no_text"] == reason
    assert original["record_id"] == response["WARC-Record-ID"]
    assert original["request_record_id"] == request["WARC-Record-ID"]
    assert (original["status"], original["content_type"], original["final_url"]) == (200, mime, server.url(path))
    for key in ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset"):
        assert key in original and original[key] is None
    assert described["differences"] == [] and "out_of_order" not in described
    assert all("source_start" not in segment for segment in described["segments"])
    assert all("omitted_reason" not in e and "confirmed" not in e and e["omitted"] is None
               for e in described["elisions"])
    report = verify(result.warc_path)
    assert report.ok and report.problems == 0 and report.exit_code(strict=True) == 0


NOT_UNDONE = {
    "/br": "cannot undo Content-Encoding br: provpack undoes only gzip, x-gzip, deflate and identity",
    "/gzip-cut": "cannot undo Content-Encoding gzip: the compressed body ends early",
    "/gzip-bad": "cannot undo Content-Encoding gzip: the body is not valid gzip (Error -3 while decompressing data: "
                 "incorrect header check)",
}


@pytest.mark.parametrize("path", sorted(NOT_UNDONE))
def test_a_content_encoding_that_cannot_be_undone_is_archived_not_aligned(
    tmp_path: Path, server: ServerState, path: str
) -> None:
    """A response received in full whose Content-Encoding cannot be undone is archived as a PDF is: its exchange
    byte for byte (the encoded entity the payload), no conversion, `no_text` saying why; verify passes, index takes it."""
    from provpack.cdxj import write_index
    from provpack.verify import verify

    source = make_source(tmp_path / "src", f"source_url: {server.url(path)}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    found = records(result.warc_path)
    assert [h["WARC-Type"] for h, _ in found] == ["warcinfo", "resource", "metadata", "request", "response"]
    check_digests(result.warc_path)
    (request, _), (response, response_block) = found[3], found[4]
    coding, body = ENCODED[path]
    head, payload = split_message(response_block)
    assert payload == body and f"\r\nContent-Encoding: {coding}\r\n".encode() in head
    assert result.fetch_failures == ()
    assert result.unaligned == (UnalignedOriginal(name="decl", url=server.url(path), reason=NOT_UNDONE[path],
                                                  status=200),)
    assert result.documents[0].original == "fetched"
    original = provenance(result.warc_path)["original"]
    assert original["no_text"] == NOT_UNDONE[path] and original["content_encoding"] == coding
    assert (original["record_id"], original["request_record_id"]) == (response["WARC-Record-ID"],
                                                                      request["WARC-Record-ID"])
    for key in ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset"):
        assert original[key] is None
    report = verify(result.warc_path)
    assert report.ok and report.problems == 0 and report.exit_code(strict=True) == 0
    write_index(result.warc_path, tmp_path / "out.cdxj")
    assert f"/{path.lstrip('/')} " in (tmp_path / "out.cdxj").read_text(encoding="utf-8")


def test_no_response_at_all_is_still_not_fetched(tmp_path: Path, server: ServerState) -> None:
    """Connection refused and a read timeout received no response: not fetched, nothing archived for them."""
    refused = f"http://127.0.0.1:{unused_port()}/page.html"
    source = make_source(tmp_path / "src", f"source_url: {refused}\n", with_copy=False)
    make_source(source, f"source_url: {server.url('/slow')}\n", name="slow", with_copy=False)
    fetcher = functools.partial(capture, allow_private=True, retries=0, timeout=(1.0, 0.2))
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    assert [(f.name, f.url) for f in result.fetch_failures] == [("decl", refused), ("slow", server.url("/slow"))]
    assert result.fetch_failures[0].message.startswith(f"{refused}: could not connect: ")
    assert result.fetch_failures[1].message.startswith(
        f"{server.url('/slow')}: no response within the read timeout of 0.2 s")
    assert result.unaligned == ()
    assert [h["WARC-Type"] for h, _ in records(result.warc_path)] == ["warcinfo"] + ["resource", "metadata"] * 2


GONE = {"/missing": (404, "Not Found", b"no such page"), "/status/410": (410, "Gone", PAGE),
        "/status/451": (451, "Unavailable For Legal Reasons", PAGE)}


@pytest.mark.parametrize("path", sorted(GONE))
def test_an_error_answer_is_archived_as_received_not_aligned(tmp_path: Path, server: ServerState, path: str) -> None:
    """--fetch keeps a 404, 410 or 451 as the server sent it, as web archivers do ("at that time the URL answered
    410 Gone" is the evidence): its exchange, no conversion (a 410 served with the page's text is not the page), no
    alignment; not a fetch failure but an unaligned original with its status; verify and verify --deep pass it."""
    from provpack.verify import verify

    source = make_source(tmp_path / "src", f"source_url: {server.url(path)}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    status, phrase, body = GONE[path]
    found = records(result.warc_path)
    assert [h["WARC-Type"] for h, _ in found] == ["warcinfo", "resource", "metadata", "request", "response"]
    check_digests(result.warc_path)
    (request, _), (response, response_block) = found[3], found[4]
    assert response_block.startswith(f"HTTP/1.1 {status} {phrase}\r\n".encode())
    assert split_message(response_block)[1] == body and response["WARC-Target-URI"] == server.url(path)
    reason = f"HTTP {status} {phrase}: the server answered with an error, not the page"
    assert result.fetch_failures == ()
    assert result.unaligned == (UnalignedOriginal(name="decl", url=server.url(path), reason=reason, status=status),)
    assert result.documents[0].original == "fetched" and server.hits[path] == 1
    described = provenance(result.warc_path)
    original = described["original"]
    assert (original["status"], original["no_text"], original["attempts"]) == (status, reason, 1)
    assert (original["record_id"], original["request_record_id"]) == (response["WARC-Record-ID"],
                                                                      request["WARC-Record-ID"])
    for key in ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset"):
        assert original[key] is None
    assert described["differences"] == [] and all(e["omitted"] is None for e in described["elisions"])
    for deep in (False, True):
        report = verify(result.warc_path, deep=deep)
        assert report.ok and report.problems == 0 and report.exit_code(strict=True) == 0


def test_a_5xx_after_the_retries_and_a_redirect_to_a_404_are_archived(tmp_path: Path, server: ServerState) -> None:
    """A 500 once the retries give up (4 attempts, each kept by the server's count, the last one archived) and a
    302 to a 404 (both exchanges) are archived as the 404 is; a refused connection in the same run archives
    nothing: no HTTP answer, a fetch failure as before."""
    from provpack.verify import verify

    refused = f"http://127.0.0.1:{unused_port()}/page.html"
    redirect = server.url(f"/goto?to={server.url('/missing')}")
    source = make_source(tmp_path / "src", f"source_url: {server.url('/error')}\n", name="boom", with_copy=False)
    make_source(source, f"source_url: {redirect}\n", name="moved", with_copy=False)
    make_source(source, f"source_url: {refused}\n", name="refused", with_copy=False)
    sleeps: list[float] = []
    fetcher = functools.partial(capture, allow_private=True, keep_errors=True, sleep=sleeps.append,
                                timeout=(1.0, 1.0))
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    assert server.hits["/error"] == 4 and sleeps[:3] == [0.5, 1.0, 2.0]
    assert [(f.name, f.url) for f in result.fetch_failures] == [("refused", refused)]
    assert result.fetch_failures[0].message.startswith(f"{refused}: could not connect: ")
    error = "HTTP 500 Internal Server Error: the server answered with an error, not the page"
    missing = "HTTP 404 Not Found: the server answered with an error, not the page"
    assert result.unaligned == (UnalignedOriginal(name="boom", url=server.url("/error"), reason=error, status=500),
                                UnalignedOriginal(name="moved", url=redirect, reason=missing, status=404))
    found = records(result.warc_path)
    exchanges = [(h["WARC-Type"], h["WARC-Target-URI"]) for h, _ in found if h["WARC-Type"] in ("request", "response")]
    assert exchanges == [(kind, server.url("/error")) for kind in ("request", "response")] + [
        (kind, url) for url in (redirect, server.url("/missing")) for kind in ("request", "response")]
    assert not any(refused in h.get("WARC-Target-URI", "") for h, _ in found)
    described = {d["name"]: d["original"] for d in (json.loads(b) for h, b in found if h["WARC-Type"] == "metadata")}
    assert (described["boom"]["status"], described["boom"]["attempts"], described["boom"]["no_text"]) == (500, 4, error)
    assert [hop["status"] for hop in described["moved"]["exchanges"]] == [302, 404]
    assert (described["moved"]["final_url"], described["moved"]["no_text"]) == (server.url("/missing"), missing)
    assert described["refused"] is None
    for deep in (False, True):
        assert verify(result.warc_path, deep=deep).problems == 0


def test_redirect_to_a_pdf_keeps_both_exchanges(tmp_path: Path, server: ServerState) -> None:
    """A redirect to an original with no text: both request/response pairs are archived, in order."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/to-pdf')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    found = records(result.warc_path)
    assert [h["WARC-Type"] for h, _ in found[3:]] == ["request", "response", "request", "response"]
    assert [h["WARC-Target-URI"] for h, _ in found[3:]] == [server.url("/to-pdf")] * 2 + [server.url("/paper.pdf")] * 2
    assert split_message(found[4][1])[1] == b"see the PDF" and split_message(found[6][1])[1] == PDF
    original = provenance(result.warc_path)["original"]
    assert [hop["status"] for hop in original["exchanges"]] == [302, 200]
    assert [hop["response_record_id"] for hop in original["exchanges"]] == [found[4][0]["WARC-Record-ID"],
                                                                           found[6][0]["WARC-Record-ID"]]
    assert original["record_id"] == found[6][0]["WARC-Record-ID"]
    assert original["request_record_id"] == found[5][0]["WARC-Record-ID"]
    assert original["url"] == server.url("/to-pdf") and original["final_url"] == server.url("/paper.pdf")
    assert original["no_text"] == "cannot extract text from application/pdf"
    check_digests(result.warc_path)


def test_one_archive_of_a_textless_url_for_two_excerpts(tmp_path: Path, server: ServerState) -> None:
    """Two excerpts of one PDF: one fetch, one request/response pair, both described, both reported."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/paper.pdf')}\n", with_copy=False)
    make_source(source, f"source_url: {server.url('/paper.pdf')}\n", name="again", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    assert server.hits["/paper.pdf"] == 1
    kinds = [h["WARC-Type"] for h, _ in records(result.warc_path)]
    assert kinds == ["warcinfo", "resource", "metadata", "request", "response", "resource", "metadata"]
    described = [json.loads(b) for h, b in records(result.warc_path) if h["WARC-Type"] == "metadata"]
    assert described[0]["original"] == described[1]["original"]
    assert [u.name for u in result.unaligned] == ["again", "decl"]


def pairs(path: Path) -> list[tuple[str, str, int, int]]:
    """Each request record with the response it is Concurrent-To, checked to be one capture event: the two name
    each other (and nothing else), have one target and one date, and no record id is written twice; as (target,
    date, status of the response, position of the response among the records)."""
    found = records(path)
    ids = [headers["WARC-Record-ID"] for headers, _ in found]
    assert len(ids) == len(set(ids))
    by_id = {headers["WARC-Record-ID"]: (number, headers, block) for number, (headers, block) in enumerate(found)}
    out = []
    for headers, _ in found:
        if headers["WARC-Type"] == "request":
            number, response, block = by_id[headers["WARC-Concurrent-To"]]
            assert response["WARC-Type"] == "response"
            assert response["WARC-Concurrent-To"] == headers["WARC-Record-ID"]
            assert (response["WARC-Target-URI"], response["WARC-Date"]) == (headers["WARC-Target-URI"],
                                                                            headers["WARC-Date"])
            out.append((headers["WARC-Target-URI"], headers["WARC-Date"], int(block.split(b" ", 2)[1]), number))
    assert len(out) == sum(headers["WARC-Type"] == "response" for headers, _ in found)
    return out


def ticking(start: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock that says one second more each time it is read."""
    seconds = itertools.count()
    return lambda: start + dt.timedelta(seconds=next(seconds))


def test_an_error_answer_and_a_later_success_of_one_url_are_two_exchanges(
        tmp_path: Path, server: ServerState) -> None:
    """A URL answered 429 (kept: the server asks to wait longer than provpack does), then fetched again as another
    excerpt's redirect and answered 200, sent the same request bytes twice: two request records all the same, each
    Concurrent-To its own response, dated as it (one id for both, as ids over the request's bytes alone gave, wrote
    one request record Concurrent-To the 429, which the 200 named as its own). Each provenance names its own."""
    from provpack.verify import verify

    url = server.url("/retry-after?value=60")
    source = make_source(tmp_path / "src", f"source_url: {url}\n", name="a", with_copy=False)
    make_source(source, f"source_url: {server.url('/goto?to=' + quote(url, safe=''))}\n", name="b", with_copy=False)
    fetcher = functools.partial(capture, allow_private=True, keep_errors=True,
                                clock=ticking(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)))
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    assert server.hits["/retry-after?value=60"] == 2
    found = records(result.warc_path)
    assert [(url, date, status) for url, date, status, _ in pairs(result.warc_path)] == [
        (url, "2020-01-01T00:00:00Z", 429), (server.url("/goto?to=" + quote(url, safe="")), "2020-01-01T00:00:01Z", 302),
        (url, "2020-01-01T00:00:02Z", 200)]
    requests = {json.loads(b)["name"]: json.loads(b)["original"]["request_record_id"] for h, b in found
                if h["WARC-Type"] == "metadata"}
    named = {h["WARC-Record-ID"]: h["WARC-Date"] for h, _ in found if h["WARC-Type"] == "request"}
    assert [named[requests[name]] for name in ("a", "b")] == ["2020-01-01T00:00:00Z", "2020-01-01T00:00:02Z"]
    for deep in (False, True):
        assert verify(result.warc_path, deep=deep).problems == 0


def test_one_text_from_two_captures_of_a_url_is_two_conversions(tmp_path: Path, server: ServerState) -> None:
    """The same page fetched twice (directly, then by way of another excerpt's redirect), its two responses differing
    only in a header: the same text extracted from each is two conversion records, each referring to its own
    response (one id for both, as ids over the text alone gave, wrote one, referring to the first response, and
    verify found the second provenance's conversion referring to another response: an archive provpack wrote that
    its own verify failed)."""
    from provpack.verify import verify

    url = server.url("/visits")
    source = make_source(tmp_path / "src", f"source_url: {url}\n", name="a", with_copy=False)
    make_source(source, f"source_url: {server.url('/goto?to=' + quote(url, safe=''))}\n", name="b", with_copy=False)
    fetcher = functools.partial(capture, allow_private=True,
                                clock=ticking(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)))
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, fetcher=fetcher)
    found = records(result.warc_path)
    responses = [number for target, _, status, number in pairs(result.warc_path) if target == url]
    conversions = [h for h, _ in found if h["WARC-Type"] == "conversion"]
    assert [h["WARC-Refers-To"] for h in conversions] == [found[number][0]["WARC-Record-ID"] for number in responses]
    assert [h["WARC-Date"] for h in conversions] == ["2020-01-01T00:00:00Z", "2020-01-01T00:00:02Z"]
    assert len({block for h, block in found if h["WARC-Type"] == "conversion"}) == 1
    for deep in (False, True):
        assert verify(result.warc_path, deep=deep).problems == 0


def test_two_copies_with_one_source_url_and_one_text_are_two_conversions(tmp_path: Path) -> None:
    """Two local originals that differ in their bytes (not in their text) and give the same source_url: two
    resources, and two conversions of the one text, each referring to its own (with one id, the second excerpt's
    provenance named the first copy's conversion, which refers to the other copy: verify found it)."""
    from provpack.verify import verify

    source = make_source(tmp_path / "src", "source_url: https://example.org/declaration\noriginal: decl.html\n")
    make_source(source, "source_url: https://example.org/declaration\noriginal: copy.html\n", name="other",
                with_copy=False)
    (source / "copy.html").write_bytes((ORIGINALS / "declaration.html").read_bytes() + b"\n\n")
    result = package(source, out=tmp_path / "out.warc.gz", date=dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc))
    found = records(result.warc_path)
    resources = [h["WARC-Record-ID"] for h, _ in found if h["WARC-Type"] == "resource"
                 and h["WARC-Target-URI"] == "https://example.org/declaration"]
    conversions = [h for h, _ in found if h["WARC-Type"] == "conversion"]
    assert len(resources) == 2 and [h["WARC-Refers-To"] for h in conversions] == resources
    assert len({h["WARC-Record-ID"] for h in conversions}) == 2
    assert [json.loads(b)["original"]["conversion_record_id"] for h, b in found if h["WARC-Type"] == "metadata"] == [
        h["WARC-Record-ID"] for h in conversions]
    for deep in (False, True):
        assert verify(result.warc_path, deep=deep).problems == 0


def test_cli_reports_verifies_and_shows_a_textless_original(
    tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]
) -> None:
    """package warns 'fetched but not aligned' and exits 0; verify, show, show --json, index and wacz take it."""
    from provpack.cli import main

    source = make_source(tmp_path / "src", f"source_url: {server.url('/paper.pdf')}\n", with_copy=False)
    out = tmp_path / "out.warc.gz"
    assert main(["package", str(source), "-o", str(out), "--fetch", "--allow-private"]) == 0
    printed = capsys.readouterr()
    url = server.url("/paper.pdf")
    assert (f"provpack: warning: decl: fetched {url} but not aligned: cannot extract text from application/pdf\n"
            in printed.err)
    assert "not fetched" not in printed.err and "not fetched" not in printed.out
    assert printed.err.count(url) == 1
    assert f"originals: 0 aligned (0 omitted passages found, 0 differences); 1 archived but not aligned (no text): {url}" in printed.out
    assert main(["verify", str(out)]) == 0
    capsys.readouterr()
    assert main(["show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert (f"original: fetched {url} (HTTP 200, " in shown
            and "; archived, not aligned: no text to align against (cannot extract text from application/pdf)" in shown)
    assert "None" not in shown and "differences:" not in shown
    assert "(what it cut is not known: the original has no text to align against)" in shown
    assert main(["show", "--json", str(out)]) == 0
    (document,) = json.loads(capsys.readouterr().out)["documents"]
    assert document["original"]["no_text"] == "cannot extract text from application/pdf"
    assert document["original"]["length_chars"] is None and document["differences"] == []
    assert main(["index", str(out), "-o", str(tmp_path / "out.cdxj")]) == 0
    assert url.split("//")[1].split(":")[0] in (tmp_path / "out.cdxj").read_text(encoding="utf-8")
    assert main(["wacz", str(out), "-o", str(tmp_path / "out.wacz")]) == 0


def test_cli_reports_verifies_and_shows_an_error_answer(
    tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]
) -> None:
    """package warns of a 410 as fetched but not aligned, with why and what to do, and counts it apart from an
    original with no text; exits 0, as a fetch failure does; verify and verify --deep pass it, show says it is the
    server's error answer, index gives its status, wacz lists only the excerpts as pages, extract gives the text."""
    import zipfile

    from provpack.cli import main

    gone, pdf = server.url("/status/410"), server.url("/paper.pdf")
    source = make_source(tmp_path / "src", f"source_url: {gone}\n", with_copy=False)
    make_source(source, f"source_url: {pdf}\n", name="scan", with_copy=False)
    out = tmp_path / "out.warc.gz"
    assert main(["package", str(source), "-o", str(out), "--fetch", "--allow-private"]) == 0
    printed = capsys.readouterr()
    assert printed.err == (
        f"provpack: warning: decl: fetched {gone} but not aligned: HTTP 410 Gone: the server answered with an error, "
        "not the page; its answer is archived as received (to align the excerpt, check the URL or try again later, "
        "or save the page and name the copy with `original:` in the sidecar)\n"
        f"provpack: warning: scan: fetched {pdf} but not aligned: cannot extract text from application/pdf\n")
    assert (f"originals: 0 aligned (0 omitted passages found, 0 differences); 1 archived but not aligned (no text): "
            f"{pdf}; 1 answered with an HTTP error (archived, not aligned): {gone} (HTTP 410)\n") in printed.out
    assert "not fetched" not in printed.out
    for verify_options in ([], ["--deep"]):
        assert main(["verify", *verify_options, str(out)]) == 0
        assert capsys.readouterr().out.endswith("records 9, verified 9, unverified 0, problems 0\n")
    assert main(["show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert (f"original: fetched {gone} (HTTP 410, " in shown and "; archived, not aligned: HTTP 410 Gone: the server "
            "answered with an error, not the page\n" in shown)
    assert "(what it cut is not known: the original fetched is the server's error answer, not the page)" in shown
    assert "; archived, not aligned: no text to align against (cannot extract text from application/pdf)\n" in shown
    assert main(["show", "--json", str(out)]) == 0
    documents = {d["name"]: d for d in json.loads(capsys.readouterr().out)["documents"]}
    assert documents["decl"]["original"]["status"] == 410
    assert documents["decl"]["original"]["no_text"] == "HTTP 410 Gone: the server answered with an error, not the page"
    assert main(["index", str(out), "-o", str(tmp_path / "out.cdxj")]) == 0
    (line,) = [line for line in (tmp_path / "out.cdxj").read_text(encoding="utf-8").splitlines() if "/status/410" in line]
    assert json.loads(line.split(" ", 2)[2])["status"] == "410"
    assert main(["wacz", str(out), "-o", str(tmp_path / "out.wacz")]) == 0
    with zipfile.ZipFile(tmp_path / "out.wacz") as wacz:
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]]
    assert [page["id"] for page in pages] == ["decl", "scan"]
    assert all(page["url"].startswith("urn:provpack:sha256:") for page in pages)
    capsys.readouterr()
    assert main(["extract", str(out), "decl", "-o", "-"]) == 0
    assert capsys.readouterr().out == EXCERPT


def test_cli_warns_a_content_encoding_not_undone_as_archived_not_aligned(
    tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]
) -> None:
    """package warns 'fetched but not aligned' with why, counts it archived, exits 0; verify and index take it."""
    from provpack.cli import main

    source = make_source(tmp_path / "src", f"source_url: {server.url('/br')}\n", with_copy=False)
    out = tmp_path / "out.warc.gz"
    assert main(["package", str(source), "-o", str(out), "--fetch", "--allow-private"]) == 0
    printed = capsys.readouterr()
    url = server.url("/br")
    assert printed.err == (f"provpack: warning: decl: fetched {url} but not aligned: cannot undo Content-Encoding br: "
                           "provpack undoes only gzip, x-gzip, deflate and identity\n")
    assert "not fetched" not in printed.out
    assert (f"originals: 0 aligned (0 omitted passages found, 0 differences); 1 archived but not aligned (no text): "
            f"{url}\n") in printed.out
    assert main(["verify", str(out)]) == 0
    assert main(["index", str(out), "-o", str(tmp_path / "out.cdxj")]) == 0


def test_iri_addresses_are_written_as_uris(tmp_path: Path) -> None:
    """A sidecar url and source_url with a non-ASCII host and path: WARC-Target-URI takes their URI form
    (pywb refuses a header that is not Latin-1), the excerpt's quoted-from id and the original's target
    are one node, and the fields keep the address as written."""
    url, source = "https://\u4f8b\u3048.jp/\u8a18\u4e8b?x=1", "https://caf\u00e9.example/d\u00e9claration"
    folder = make_source(tmp_path / "src", f"url: {url}\nsource_url: {source}\noriginal: decl.html\n")
    result = package(folder, out=tmp_path / "out.warc.gz", date=dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc))
    targets = [h.get("WARC-Target-URI") for h, _ in records(result.warc_path)]
    assert targets == [None, "https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B?x=1", None,
                       "https://xn--caf-dma.example/d%C3%A9claration", "https://xn--caf-dma.example/d%C3%A9claration"]
    described = provenance(result.warc_path)
    assert described["@id"] == targets[1]
    assert described["prov:wasQuotedFrom"]["@id"] == described["original"]["target_uri"] == targets[3]
    assert described["elisions"][0]["omitted"]["oa:hasSource"] == {"@id": targets[3]}
    assert described["fields"]["url"]["value"] == url and described["fields"]["source_url"]["value"] == source


def test_a_url_whose_host_idna_refuses_is_an_input_error(tmp_path: Path) -> None:
    """A sidecar address with no URI form is refused naming the sidecar, before anything is written."""
    from provpack.errors import InputError

    folder = make_source(tmp_path / "src", "url: https://a..\u4f8b/x\n", with_copy=False)
    with pytest.raises(InputError, match="decl.yaml: line 1, column 6: 'url': the host 'a..\u4f8b' is not a valid"):
        package(folder, out=tmp_path / "out.warc.gz")
    assert not (tmp_path / "out.warc.gz").exists()


def test_a_fetched_iri_is_recorded_as_the_uri_sent(tmp_path: Path, server: ServerState) -> None:
    """A redirect to /café: the request and response records name the URL as it went on the wire."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/to-cafe')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    targets = [h["WARC-Target-URI"] for h, _ in records(result.warc_path) if h["WARC-Type"] != "warcinfo"
               and h["WARC-Type"] not in ("resource", "metadata")]
    assert targets[-3:] == [server.url("/caf%C3%A9/page")] * 3   # request, response, conversion
    assert provenance(result.warc_path)["original"]["target_uri"] == server.url("/caf%C3%A9/page")
    assert provenance(result.warc_path)["original"]["final_url"] == server.url("/caf\u00e9/page")


def test_a_redirect_to_a_bare_percent_is_recorded_as_the_url_sent(tmp_path: Path, server: ServerState) -> None:
    """A Location with a '%' that starts no escape: requests sends it as %25, and the request, response and
    conversion records name that URL; the fetched page is archived, not dropped."""
    source = make_source(tmp_path / "src", f"source_url: {server.url('/to-bare-percent')}\n", with_copy=False)
    result = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True)
    assert result.fetch_failures == () and [d.original for d in result.documents] == ["fetched"]
    assert server.requests[-1][0] == "GET /page.html?off=50%25 HTTP/1.1"
    found = records(result.warc_path)
    targets = [h["WARC-Target-URI"] for h, _ in found if h["WARC-Type"] in ("request", "response", "conversion")]
    sent = server.url("/page.html?off=50%25")
    assert targets == [server.url("/to-bare-percent")] * 2 + [sent] * 3
    described = provenance(result.warc_path)
    assert described["original"]["target_uri"] == sent
    assert described["original"]["final_url"] == server.url("/page.html?off=50%")   # as the Location gave it
    assert described["elisions"][0]["omitted"]["text"] == FIRST_CUT
    check_digests(result.warc_path)
    from provpack.verify import verify

    assert verify(result.warc_path).ok


_P1 = ("Officials in Dunmore said on Friday that the town's water treatment plant would be closed for six weeks "
       "while a new filtration system is installed.")
_P2 = ("Residents will receive water from a temporary supply line connected to the neighbouring town of "
       "Ashcombe, the utility said.")
_DEK = "Dunmore residents face six weeks on a temporary supply."
_STORY = ("The council voted on Tuesday to close the old library on Main Street, citing the rising cost of repairs "
          "and a falling number of visitors.",
          "Residents said they would fight the decision at the next meeting, and a petition had already gathered many "
          "signatures.",
          "The mayor said no final date had been set for the closure, but staff had been told to expect it before the "
          "end of the year.")


@pytest.mark.parametrize(("page", "excerpt", "differences", "omitted"), [
    (f"<body><main><div class=story><p>{_P1}</p><p>{_P2}</p></div><section><h2>Most read</h2>"
     "<article><h3>Ferry fares to rise by a fifth</h3></article></section></main></body>",
     f"{_P1} [...] {_P2}\n", [], [None]),
    (f"<body><article><header><h1>Plant to close</h1><p>{_DEK}</p></header><p>{_P1}</p><p>{_P2}</p></article></body>",
     f"{_DEK} [...] {_P2}\n", [], [_P1]),
    ("<body><article><p>The dam was completed that spring<sup>1</sup> and enlarged in 1971.<sup>2</sup> Neither "
     "project finished on time.<sup>[3]</sup></p></article></body>",
     "The dam was completed that spring and enlarged in 1971. Neither project finished on time.\n", [], []),
    ("<body><article><h1>Dating the past</h1><p>Scientists measured the ratio of radiocarbon (<sup>14</sup>C) in "
     "the bones, and found that the samples were far older than the museum had claimed for decades.</p><p>The team "
     "then compared the uranium isotope <sup>235</sup>U with lead in zircon crystals from the same layer, which "
     "confirmed the result independently.</p></article></body>",
     "Scientists measured the ratio of radiocarbon (14C) in the bones [...] The team then compared the uranium "
     "isotope 235U with lead in zircon crystals from the same layer.\n", [],
     [", and found that the samples were far older than the museum had claimed for decades."]),
    (f"<body><article><p>{_P1}</p><amp-ad type=x><div fallback>Advertisement</div></amp-ad><p>{_P2}</p>"
     f"<div class='inline-related'>Read more: <a href='/y'>Ashcombe mayor resigns</a></div><p>{_P1}</p></article></body>",
     f"{_P1}\n\n{_P2} ... {_P1}\n", [], [None]),
    ("<body><article><p>The state grant would cover only 30 percent of the total cost of the project, leaving "
     "the town to borrow the rest.</p></article></body>",
     "The state grant would cover only 35 [...] of the total cost of the project, leaving the town to borrow the rest.\n",
     [("changed", "35", "30")], ["percent"]),
    ("<body><article><h1>Library to close</h1><div class='story-body has-ads'>The council voted on Tuesday to close "
     "the old library on Main Street, citing the rising cost of repairs and a falling number of visitors.<br><br>"
     "Residents said they would fight the decision at the next meeting, and a petition had already gathered many "
     "signatures.<br><br>The mayor said no final date had been set for the closure.</div></article></body>",
     "The council voted on Tuesday to close the old library on Main Street [...] Residents said they would fight the "
     "decision at the next meeting.\n", [], [", citing the rising cost of repairs and a falling number of visitors."]),
    (f"<body><article><h1>Library to close</h1>{''.join(f'<p>{p}</p>' for p in _STORY)}</article>"
     "<section id=comments><h2>Comments</h2>"
     + "".join(f"<div class=comment><p>User{k} wrote: I cannot believe it. \"{_STORY[k % 3]}\" What a shame, this "
               "town keeps losing the places that made it a community worth living in.</p></div>" for k in range(6))
     + "</section></body>",
     "The council voted on Tuesday to close the old library [...] citing the rising cost of repairs. Residents said "
     "they would fight the decision [...] and a petition had already gathered many signatures.\n",
     [("dropped", "", "and a falling number of visitors")], ["on Main Street,", "at the next meeting,"]),
], ids=["teaser-card", "standfirst", "footnotes", "isotopes", "ads", "number-at-cut", "story-body-has-ads",
        "comments"])
def test_story_pages_align_without_invented_differences(
    tmp_path: Path, page: str, excerpt: str, differences: list[tuple[str, str, str]], omitted: list[str | None]
) -> None:
    """Teaser cards, a standfirst, footnote marks, ads and a number changed at a cut give what the quote really did."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "story.html").write_text(page, encoding="utf-8")
    (source / "story.txt").write_text(excerpt, encoding="utf-8")
    (source / "story.yaml").write_text("original: story.html\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz", date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    described = provenance(result.warc_path)
    assert [(d["kind"], d["excerpt"], d["source"]) for d in described["differences"]] == differences
    assert [None if e["omitted"] is None else e["omitted"]["text"] for e in described["elisions"]] == omitted
    assert all(e["omitted_reason"] is None or "not found" not in e["omitted_reason"] for e in described["elisions"])
    assert all(e["confirmed"] in (None, False) for e in described["elisions"] if e["kind"] == "possible")
    assert described["out_of_order"] == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quoted_originals())
def test_excerpts_cut_reordered_and_marked_any_way_package_into_an_archive_verify_passes(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, list[str]]
) -> None:
    """Whatever the quote does to the original (stretches cut mid-sentence, reordered, repeated, words put in,
    possible markers between stretches out of order), the alignment written passes verify's checks."""
    original, excerpts = case
    source = tmp_path_factory.mktemp("src")
    (source / "o.txt").write_text(original, encoding="utf-8")
    for number, excerpt in enumerate(excerpts):
        (source / f"q{number}.txt").write_text(excerpt, encoding="utf-8")
        (source / f"q{number}.yaml").write_text("original: o.txt\n", encoding="utf-8")
    result = package(source, out=source / "out.warc.gz", date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    report = verify_archive(result.warc_path)
    assert [f"{problem.kind}: {problem.message}" for file in report.files for problem in file.problems] == []


_KOI8 = "Городской совет во вторник вечером решил закрыть старый пирс. Ремонт обойдётся более чем в пять миллионов.\n"


def test_an_original_read_in_the_wrong_charset_is_warned_about_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A KOI8-R text read as windows-1252 has none of the quote's segments: package warns, naming the document,
    the original, its charset and note, and counts it; a document with a segment found is not warned about."""
    from provpack.cli import main

    source = tmp_path / "src"
    (source / "o").mkdir(parents=True)
    (source / "o" / "koi.txt").write_bytes(_KOI8.encode("koi8-r"))
    (source / "koi.txt").write_text("Городской совет во вторник вечером решил закрыть старый пирс. [...] Ремонт "
                                    "обойдётся более чем в пять миллионов.\n", encoding="utf-8")
    (source / "koi.yaml").write_text("original: o/koi.txt\n", encoding="utf-8")
    make_source(source, "original: decl.html\n")
    out = tmp_path / "out.warc.gz"
    assert main(["package", str(source), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.err.splitlines()[-1] + "\n" == (
        "provpack: warning: koi: none of its 2 segments was found in its original o/koi.txt, charset windows-1252 "
        "(fallback: not valid UTF-8 (byte 0); decoded as windows-1252); if the original is in another encoding, "
        "save it as UTF-8 or declare its charset (<meta charset> in HTML), else check that it is the text quoted\n")
    assert printed.err.count("was found in its original") == 1
    assert ("originals: 2 aligned (3 omitted passages found, 0 differences; 2 segments not found in the original); 1 "
            "with no segment found in the original\n") in printed.out
    result = package(source, out=out, force=True, date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    assert result.unmatched == (UnmatchedOriginal(
        name="koi", how="local", original="o/koi.txt", segments=2,
        charset={"encoding": "windows-1252", "source": "fallback", "declared_http": None, "declared_meta": None,
                 "note": "not valid UTF-8 (byte 0); decoded as windows-1252"}),)


def test_a_fetched_page_without_the_quote_is_warned_about(
    tmp_path: Path, server: ServerState, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fetched page that has none of the quote's segments: the warning says to save a copy in UTF-8."""
    from provpack.cli import main

    source = tmp_path / "src"
    source.mkdir()
    (source / "other.txt").write_text("Nothing of this quote is on the page at all, not a single phrase of it.\n",
                                      encoding="utf-8")
    (source / "other.yaml").write_text(f"source_url: {server.url('/page.html')}\n", encoding="utf-8")
    assert main(["package", str(source), "-o", str(tmp_path / "out.warc.gz"), "--fetch", "--allow-private"]) == 0
    assert capsys.readouterr().err == (
        f"provpack: warning: other: none of its 1 segment was found in its original {server.url('/page.html')}, "
        "charset utf-8 (http); if the page is in another encoding, save a copy as UTF-8 and name it with "
        "`original:` in the sidecar, else check that it is the text quoted\n")


def test_a_document_whose_segments_have_no_words_is_not_said_to_be_unmatched(tmp_path: Path) -> None:
    """A quote of punctuation only has nothing to find: no warning."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "o.text").write_text("Some words here.\n", encoding="utf-8")
    (source / "q.txt").write_text("\u2014 [...] !\n", encoding="utf-8")
    (source / "q.yaml").write_text("original: o.text\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz", date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    assert result.unmatched == () and result.documents[0].original == "local"


def test_a_provenance_record_too_large_for_the_passages_its_cuts_omit_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A short excerpt whose one cut omits most of a long original: its provenance holds that passage, and splitting
    the excerpt cannot help; the refusal says how much of it is omitted passages and what can."""
    from provpack.errors import InputError

    source = tmp_path / "src"
    source.mkdir()
    omitted = " ".join(f"word{number}" for number in range(3000))
    (source / "o.txt").write_text(f"The mayor said no. {omitted}. The council adjourned at noon.\n", encoding="utf-8")
    (source / "q.txt").write_text("The mayor said no. [...] The council adjourned at noon.\n", encoding="utf-8")
    (source / "q.yaml").write_text("original: o.txt\n", encoding="utf-8")
    module = importlib.import_module("provpack.package")   # (provpack.package is the function)
    monkeypatch.setattr(module, "MAX_PROVENANCE_BYTES", 20_000)
    with pytest.raises(InputError) as caught:
        module.package(source, out=tmp_path / "out.warc.gz", jobs=1)
    said = str(caught.value)
    assert said.startswith(f"{source / 'q.txt'}: its provenance record would take ")
    assert said.endswith(f" bytes, more than the 20,000 provpack writes for one document, {len(omitted) + 1:,}"
                         " characters of it the passages its cuts omit from its original; give the original only the"
                         " part the excerpt quotes, or no original")


def test_cli_counts_a_short_segment_with_a_word_dropped_as_not_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The segment `"We will raise taxes` before a marker, `not` dropped, shares no three-word phrase with the
    original: it is not found, and package's summary says so (it said a clean "0 differences"), as show does."""
    from provpack.cli import main

    source = tmp_path / "src"
    (source / "originals").mkdir(parents=True)
    (source / "originals" / "a.html").write_text(
        '<html><body><article><p>"We will not raise taxes in the coming fiscal year, nor the one after, this year," '
        "the mayor said.</p></article></body></html>\n", encoding="utf-8")
    (source / "m.yaml").write_text("original: originals/a.html\n", encoding="utf-8")
    (source / "m.txt").write_text('"We will raise taxes [...] this year," the mayor said.\n', encoding="utf-8")
    out = tmp_path / "t.warc.gz"
    assert main(["package", str(source), "-o", str(out)]) == 0
    assert ("originals: 1 aligned (0 omitted passages found, 0 differences; 1 segment not found in the original)\n"
            in capsys.readouterr().out)
    assert main(["show", str(out)]) == 0
    assert "\nsegments not found in the original: 1 of 2 (chars 0-20)\n" in capsys.readouterr().out
    assert main(["verify", "--deep", str(out)]) == 0


def test_a_sentence_the_original_lacks_sharing_only_word_pairs_with_it_is_not_found(tmp_path: Path) -> None:
    """`that the minister lied in the House` shares only `that the` and `in the` with the original: it is not placed
    (by two-word phrases it was, as a misquote of an unrelated sentence with invented cuts around it: review)."""
    source = tmp_path / "src"
    (source / "o").mkdir(parents=True)
    (source / "o" / "orig.md").write_text(
        "The minister said on Tuesday that the government would not raise taxes this year.\n\nCritics said that "
        "the plan had failed in the end because nobody had paid for it.\n", encoding="utf-8")
    (source / "q.yaml").write_text("title: B\noriginal: o/orig.md\n", encoding="utf-8")
    (source / "q.txt").write_text("The minister said on Tuesday [...] that the minister lied in the House [...] nobody "
                                  "had paid for it.\n", encoding="utf-8")
    result = package(source, out=tmp_path / "a.warc.gz", date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    assert [(d.segments_not_found, d.differences) for d in result.documents] == [(1, 0)]
    segments = read_archive(result.warc_path)[0].provenance["segments"]
    assert [segment["source_start"] is None for segment in segments] == [False, True, False]


def _partly_found(source: Path) -> Path:
    """A source whose one excerpt has a segment its original has and one it has not (the moon's cheese)."""
    (source / "originals").mkdir(parents=True)
    (source / "originals" / "a.html").write_text(
        "<html><body><article><p>The mayor said the budget would be balanced next year, and that no new taxes were "
        "planned.</p></article></body></html>\n", encoding="utf-8")
    (source / "m.yaml").write_text("original: originals/a.html\n", encoding="utf-8")
    (source / "m.txt").write_text("The mayor said the budget would be balanced [...] and the moon is made of green "
                                  "cheese entirely.\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_counts_the_segments_not_found_of_an_excerpt_partly_found(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """One segment of two is not in the original: the summary says so (it said a clean "0 differences"), as show
    does, with no warning (the document is not unmatched); the same through a worker (--jobs 2)."""
    from provpack.cli import main

    module = importlib.import_module("provpack.package")   # (provpack.package is the function)
    monkeypatch.setattr(module, "POOL_MIN_DOCUMENTS", 1)   # (a worker for one document: its row travels packed)
    monkeypatch.setattr(module, "POOL_MIN_BYTES", 0)
    source = _partly_found(tmp_path / "src")
    out = tmp_path / "t.warc.gz"
    assert main(["package", str(source), "-o", str(out), "--jobs", jobs]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    assert printed.out.splitlines()[:2] == [
        "packaged 1 document (97 bytes of text); elisions: 1 bracketed, 0 possible",
        "originals: 1 aligned (0 omitted passages found, 0 differences; 1 segment not found in the original)"]
    assert main(["show", str(out)]) == 0
    assert "\nsegments not found in the original: 1 of 2 (chars 50-96)\ndifferences: 0\n" in capsys.readouterr().out


@pytest.mark.parametrize("jobs", [1, 2])
def test_package_counts_the_segments_not_found_of_each_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """Each summary counts its segments with words not found in its original, those of a document none of whose
    segments was found too (it is also unmatched), none for punctuation or without an original; the totals add
    them up, as kept while rows come from the workers (batches of two documents) and as read back."""
    from provpack.model import Totals

    module = importlib.import_module("provpack.package")
    monkeypatch.setattr(module, "POOL_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(module, "BATCH_DOCUMENTS", 2)
    source = _partly_found(tmp_path / "src")
    for name, text in (("n", "Nothing here [...] at all matches this.\n"), ("p", "\u2014 [...] !\n"),
                       ("w", "The mayor said the budget would be balanced next year.\n")):
        (source / f"{name}.txt").write_text(text, encoding="utf-8")
        (source / f"{name}.yaml").write_text("original: originals/a.html\n", encoding="utf-8")
    (source / "x.txt").write_text("Not compared with anything [...] at all.\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz", jobs=jobs,
                     date=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc))
    assert [(d.name, d.segments_not_found) for d in result.documents] == [("m", 1), ("n", 2), ("p", 0), ("w", 0),
                                                                         ("x", 0)]
    assert [u.name for u in result.unmatched] == ["n"]
    assert result.summed() == Totals.of(result.documents) == Totals(
        documents=5, text_bytes=sum(d.length_bytes for d in result.documents), elisions=4, possible_elisions=0,
        with_original=4, omitted_found=0, differences=0, segments_not_found=3)
