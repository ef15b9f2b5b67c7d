"""Tests for provpack.original: the sidecar's path rules and the records of an original."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from localserver import ENCODED, PAGE, PDF, ServerState, serve
from provpack.capture import capture
from provpack.errors import InputError
from provpack.httpbytes import split_message
from provpack.original import TextlessOriginal, _content_type, fetched_original, local_original, original_path
from provpack.records import record_id

ORIGINALS = Path(__file__).parent / "data" / "originals"


@pytest.fixture
def server() -> Iterator[ServerState]:
    """The local test server."""
    with serve() as state:
        yield state


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A source folder with a sidecar and a local original."""
    source = tmp_path / "src"
    (source / "originals").mkdir(parents=True)
    shutil.copy(ORIGINALS / "declaration.html", source / "originals" / "decl.html")
    (source / "decl.yaml").write_text("original: originals/decl.html\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("value", ["../outside.html", "/etc/passwd", "originals/../../x.html", "", 3])
def test_original_path_must_stay_inside(folder: Path, value: object) -> None:
    """Absolute paths, '..' and non-strings are refused with the sidecar named."""
    with pytest.raises(InputError) as caught:
        original_path(folder / "decl.yaml", value)
    assert str(caught.value).startswith(str(folder / "decl.yaml"))


def test_symlink_escape_is_refused_unless_followed(folder: Path, tmp_path: Path) -> None:
    """A symbolic link out of the source folder is refused; --follow-symlinks allows it."""
    outside = tmp_path / "outside.html"
    outside.write_text("<p>x</p>", encoding="utf-8")
    (folder / "link.html").symlink_to(outside)
    with pytest.raises(InputError, match="symbolic link out of the source folder"):
        original_path(folder / "decl.yaml", "link.html")
    assert original_path(folder / "decl.yaml", "link.html", follow_symlinks=True) == folder / "link.html"


def test_missing_original_is_an_input_error(folder: Path) -> None:
    """A path to nothing names the sidecar and the value."""
    with pytest.raises(InputError, match="'originals/none.html': no such file"):
        original_path(folder / "decl.yaml", "originals/none.html")


@pytest.mark.parametrize(("on_disk", "given", "said"), [
    # a file copied from a Mac, its name in NFD, named in the sidecar in NFC (they look the same)
    ("o/cafe\u0301.txt", "o/caf\u00e9.txt",
     "'o/cafe\u0301.txt', whose name differs in Unicode normalisation ('o/caf\\xe9.txt' and 'o/cafe\\u0301.txt')"),
    ("Zu\u0308rich/a.html", "Z\u00fcrich/a.html", "'Zu\u0308rich/a.html', whose name differs in Unicode normalisation "
     "('Z\\xfcrich/a.html' and 'Zu\\u0308rich/a.html')"),   # a folder's name
    ("o/\uff21.html", "o/A.html", "'o/\uff21.html', whose name differs in Unicode normalisation ('o/A.html' and "
     "'o/\\uff21.html')"),   # a full-width letter
    ("Originals/Story.HTML", "originals/story.html", "'Originals/Story.HTML', whose name differs in letter case"),
    ("o/a\u200eb.html", "o/ab.html", "'o/a\\u200eb.html', whose name differs in characters that show as nothing "
     "('o/ab.html' and 'o/a\\u200eb.html')"),
])
def test_a_missing_original_names_a_file_whose_name_looks_the_same(tmp_path: Path, on_disk: str, given: str,
                                                                    said: str) -> None:
    """A path to nothing beside a file whose path differs only in letter case, Unicode normalisation or invisible
    characters names that file and says what to do; it is not taken in its place."""
    (tmp_path / on_disk).parent.mkdir(parents=True)
    (tmp_path / on_disk).write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        original_path(tmp_path / "a.yaml", given)
    assert str(caught.value) == (f"{tmp_path / 'a.yaml'}: 'original' {given!r}: no such file, only {said}; rename the "
                                 "file as the sidecar names it, or name it in the sidecar as it is")


def test_a_missing_original_names_each_file_whose_name_looks_the_same(tmp_path: Path) -> None:
    """Two files whose names differ from the path given only in letter case are both named; a folder whose name
    looks the same is not."""
    (tmp_path / "o").mkdir()
    for name in ("Doc.txt", "DOC.TXT"):
        (tmp_path / "o" / name).write_text("x", encoding="utf-8")
    (tmp_path / "o" / "doc.TxT").mkdir()
    with pytest.raises(InputError) as caught:
        original_path(tmp_path / "a.yaml", "o/doc.txt")
    assert str(caught.value) == (f"{tmp_path / 'a.yaml'}: 'original' 'o/doc.txt': no such file, only 'o/DOC.TXT', "
                                 "'o/Doc.txt', whose names differ in letter case; rename the file as the sidecar names "
                                 "it, or name it in the sidecar as it is")


def test_a_folder_as_original_is_named_a_folder(folder: Path) -> None:
    """A path to a folder says so, not 'no such file' (the folder is there)."""
    (folder / "originals").mkdir(exist_ok=True)
    with pytest.raises(InputError, match="'originals' is a folder; name the file in it"):
        original_path(folder / "decl.yaml", "originals")


def test_a_fifo_socket_or_device_as_original_is_named_as_such(folder: Path) -> None:
    """A path to a FIFO, a socket or a device says what it is and that a regular file is needed, not 'no such file;
    check the path' (it is there); a symbolic link to one (followed out of the folder) by what it leads to."""
    import os
    import socket

    os.mkfifo(folder / "originals" / "pipe.html")
    listening = socket.socket(socket.AF_UNIX)
    try:
        listening.bind(str(folder / "originals" / "sock"))
        (folder / "originals" / "null").symlink_to(os.devnull)
        for name, kind in (("pipe.html", "a named pipe (FIFO)"), ("sock", "a socket"), ("null", "a character device")):
            with pytest.raises(InputError) as caught:
                original_path(folder / "decl.yaml", f"originals/{name}", follow_symlinks=True)
            assert str(caught.value) == (f"{folder / 'decl.yaml'}: 'original' 'originals/{name}' is {kind}, not a "
                                         "regular file; name a regular file: a saved copy of the original")
    finally:
        listening.close()


def test_local_original_records(folder: Path) -> None:
    """A resource with the file's bytes, and a conversion referring to it with the text."""
    original = local_original(folder / "decl.yaml", "originals/decl.html",
                              source_url="https://www.archives.gov/founding-docs/declaration-transcript")
    resource, conversion = original.records
    assert (resource.warc_type, conversion.warc_type) == ("resource", "conversion")
    assert resource.block == (ORIGINALS / "declaration.html").read_bytes()
    assert resource.content_type == "text/html"
    assert resource.target_uri == conversion.target_uri == original.target_uri
    assert ("WARC-Refers-To", resource.record_id) in conversion.extra_headers
    assert conversion.block == original.text.encode("utf-8")
    assert original.text.startswith("In Congress, July 4, 1776\n\n")
    assert original.description["how"] == "local" and original.description["scope"] == "article"
    assert original.description["sha256"] == hashlib.sha256(resource.block).hexdigest()


def test_local_original_without_url_gets_a_content_urn(folder: Path) -> None:
    """Without source_url the target is a URN of the bytes, never a local path."""
    original = local_original(folder / "decl.yaml", "originals/decl.html")
    digest = hashlib.sha256((ORIGINALS / "declaration.html").read_bytes()).hexdigest()
    assert original.target_uri == f"urn:provpack:sha256:{digest}"


def test_the_conversion_of_a_content_urn_original_has_the_urn_of_its_own_text(folder: Path) -> None:
    """A content URN names its record's bytes: the conversion of an original without source_url is not filed under
    the original's URN (pywb's `wb-manager add` indexes conversions, and replayed the text for the original's
    bytes) but under the URN of its text; of an original with a source_url, it carries that URL, as WARC 1.1 says."""
    original = local_original(folder / "decl.yaml", "originals/decl.html")
    resource, conversion = original.records
    text_sha256 = hashlib.sha256(conversion.block).hexdigest()
    assert resource.target_uri == original.target_uri != conversion.target_uri
    assert conversion.target_uri == f"urn:provpack:sha256:{text_sha256}"
    assert conversion.record_id == record_id("conversion", resource.record_id, conversion.target_uri, text_sha256)
    assert ("WARC-Refers-To", resource.record_id) in conversion.extra_headers
    assert not any(name == "WARC-Date" for name, _ in conversion.extra_headers)   # dated as the run, as its source


def test_binary_original_is_refused(folder: Path) -> None:
    """An original with no text (a PDF) cannot be aligned against."""
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputError, match="no text to align against") as caught:
        local_original(folder / "decl.yaml", "paper.pdf")
    message = str(caught.value)
    assert message.endswith("paper.pdf: the original has no text to align against: cannot extract text from "
                            "application/pdf; give an HTML or plain-text copy that holds the text quoted")
    assert message.count("give") == 1   # the fix said once
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("name", "data", "why"), [
    ("empty.txt", b"", "it is empty (0 bytes)"),
    ("empty.html", b"", "it is empty (0 bytes)"),
    ("blank.txt", b" \n\t\r\n", "it holds no text (5 bytes, only white space)"),
    ("bom.txt", b"\xef\xbb\xbf", "it holds no text (3 bytes)"),
    ("app.html", b"<!doctype html><body><div id=app></div><script>draw()</script></body>",
     "its HTML holds no text outside the parts left out (script, style, nav, header, footer, aside, noscript, ad "
     "and related-link blocks; 69 bytes; a page its scripts fill in has none until they run)"),
])
def test_a_local_original_with_no_text_is_refused(folder: Path, name: str, data: bytes, why: str) -> None:
    """An empty local original, or one with nothing but white space once extracted, is an input error naming the
    file (exit 2), not an original aligned against nothing."""
    (folder / "originals" / name).write_bytes(data)
    with pytest.raises(InputError) as caught:
        local_original(folder / "decl.yaml", f"originals/{name}")
    assert str(caught.value) == (f"{folder / 'originals' / name}: the original has no text to align against: {why}; "
                                 "give an HTML or plain-text copy that holds the text quoted")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("path", "why"), [
    ("/status/204", "HTTP 204 No Content: the response has no body"),
    ("/status/205", "HTTP 205 Reset Content: the response has no body"),
    ("/empty", "HTTP 200 with an empty body"),
    ("/empty-gzip", "HTTP 200 with an empty body"),
    ("/blank", "it holds no text (4 bytes, only white space)"),
    ("/script-only", "its HTML holds no text outside the parts left out (script, style, nav, header, footer, aside, "
                     "noscript, ad and related-link blocks; 69 bytes; a page its scripts fill in has none until they "
                     "run)"),
])
def test_a_fetched_original_with_no_body_or_no_text_is_not_aligned(server: ServerState, path: str, why: str) -> None:
    """A response with no body (204, 205), an empty one or one with no text is archived without a conversion, and
    says why: not aligned against an empty text."""
    original = fetched_original(capture(server.url(path), allow_private=True))
    assert isinstance(original, TextlessOriginal)
    assert [record.warc_type for record in original.records] == ["request", "response"]
    assert original.reason == original.description["no_text"] == why


@pytest.mark.parametrize(("path", "why"), [
    ("/missing", "HTTP 404 Not Found: the server answered with an error, not the page"),
    ("/status/410", "HTTP 410 Gone: the server answered with an error, not the page"),
    ("/status/451", "HTTP 451 Unavailable For Legal Reasons: the server answered with an error, not the page"),
    ("/error", "HTTP 500 Internal Server Error: the server answered with an error, not the page"),
    ("/no-reason", "HTTP 410: the server answered with an error, not the page"),
    ("/long-reason", f"HTTP 404 {'z' * 200}... (5,000 characters): the server answered with an error, not the page"),
    ("/utf8-reason", "HTTP 404 Не найдено: the server answered with an error, not the page"),   # (read as UTF-8)
    ("/latin1-reason", "HTTP 404 Non trouvé: the server answered with an error, not the page"),  # (not UTF-8)
])
def test_an_error_answer_is_archived_as_received_not_aligned(server: ServerState, path: str, why: str) -> None:
    """A final 4xx or 5xx is archived as received, without a conversion even when its body holds the page's text
    (a 410 served with it): `no_text` gives the status and the reason phrase as the server sent it (cut at 200
    characters, none when it sent none) and says it is an error answer."""
    found = capture(server.url(path), allow_private=True, keep_errors=True, sleep=lambda seconds: None)
    original = fetched_original(found)
    assert isinstance(original, TextlessOriginal)
    request, response = original.records
    assert [request.warc_type, response.warc_type] == ["request", "response"]
    assert response.block == found.response.response_head + found.response.body
    assert original.reason == original.description["no_text"] == why
    assert original.description["status"] == found.status and original.description["conversion_record_id"] is None
    assert original.source_record_id == response.record_id and original.target_uri == server.url(path)


def test_a_redirect_to_an_error_answer_keeps_both_exchanges(server: ServerState) -> None:
    """A redirect to a 404: the 302 and the 404, in order; the 404 is the original, not aligned."""
    url = server.url(f"/goto?to={server.url('/missing')}")
    original = fetched_original(capture(url, allow_private=True, keep_errors=True))
    assert isinstance(original, TextlessOriginal)
    assert [record.warc_type for record in original.records] == ["request", "response"] * 2
    assert [hop["status"] for hop in original.description["exchanges"]] == [302, 404]
    assert original.records[3].block.endswith(b"\r\n\r\nno such page")
    assert original.source_record_id == original.records[3].record_id
    assert original.description["no_text"] == "HTTP 404 Not Found: the server answered with an error, not the page"


def test_fetched_original_records(server: ServerState) -> None:
    """Each exchange gives request + response, Concurrent-To each other; the conversion refers to the last response."""
    original = fetched_original(capture(server.url("/redirect"), allow_private=True))
    kinds = [r.warc_type for r in original.records]
    assert kinds == ["request", "response", "request", "response", "conversion"]
    for request, response in (original.records[0:2], original.records[2:4]):
        assert ("WARC-Concurrent-To", response.record_id) in request.extra_headers
        assert ("WARC-Concurrent-To", request.record_id) in response.extra_headers
        assert ("WARC-IP-Address", "127.0.0.1") in response.extra_headers
        assert response.block[response.payload_offset:] == split_message(response.block)[1]
    final = original.records[3]
    assert final.block[final.payload_offset:] == PAGE
    assert final.target_uri == server.url("/page.html")
    conversion = original.records[4]
    assert ("WARC-Refers-To", final.record_id) in conversion.extra_headers
    assert conversion.target_uri == final.target_uri
    # Dated as the response it was extracted from: under the run's date it was one more capture of the page
    # to replay tools that index conversions (pywb's `wb-manager add`), replaying the text.
    assert ("WARC-Date", dict(final.extra_headers)["WARC-Date"]) in conversion.extra_headers
    assert original.source_record_id == final.record_id
    assert original.description["final_url"] == server.url("/page.html")
    assert [hop["status"] for hop in original.description["exchanges"]] == [302, 200]
    assert original.description["request_record_id"] == original.records[2].record_id
    assert "no_text" not in original.description


def test_fetched_original_with_no_text(server: ServerState) -> None:
    """A PDF reached by a redirect: both exchanges, no conversion, and the description says why."""
    original = fetched_original(capture(server.url("/to-pdf"), allow_private=True))
    assert isinstance(original, TextlessOriginal)
    assert [r.warc_type for r in original.records] == ["request", "response", "request", "response"]
    final = original.records[3]
    assert final.block[final.payload_offset:] == PDF
    assert original.source_record_id == final.record_id and original.target_uri == server.url("/paper.pdf")
    assert original.reason == original.description["no_text"] == "cannot extract text from application/pdf"
    assert original.description["request_record_id"] == original.records[2].record_id
    assert original.description["conversion_record_id"] is None and original.description["charset"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.reason = "changed"   # type: ignore[misc]


def test_fetched_original_whose_content_encoding_cannot_be_undone(server: ServerState) -> None:
    """Content-Encoding br: the exchange as received (the encoded body its payload), no conversion, and why."""
    original = fetched_original(capture(server.url("/br"), allow_private=True))
    assert isinstance(original, TextlessOriginal)
    request, response = original.records
    assert [request.warc_type, response.warc_type] == ["request", "response"]
    assert response.block[response.payload_offset:] == ENCODED["/br"][1]
    assert b"\r\nContent-Encoding: br\r\n" in response.block[:response.payload_offset]
    assert original.source_record_id == response.record_id and original.target_uri == server.url("/br")
    assert original.reason == original.description["no_text"] == (
        "cannot undo Content-Encoding br: provpack undoes only gzip, x-gzip, deflate and identity")
    assert original.description["content_encoding"] == "br"
    assert original.description["conversion_record_id"] is None and original.description["charset"] is None


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.html", b"x", "text/html"), ("a.HTM", b"x", "text/html"), ("a.xhtml", b"x", "application/xhtml+xml"),
    ("a.txt", b"<html>", "text/plain"), ("a.text", b"<html>", "text/plain"), ("a.md", b"<html>", "text/plain"),
    ("a.pdf", b"%PDF", "application/pdf"),
    ("a.dat", b"words\0", "application/octet-stream"),
    ("a.dat", b" " * 8191 + b"\0", "application/octet-stream"),   # the last byte sniffed for a NUL
    ("a.dat", b" " * 8192 + b"\0", "text/plain"),   # past it: not sniffed
    ("a", b"\n <!DOCTYPE HTML><p>x", "text/html"), ("a", b"<HTML lang=en>", "text/html"),
    ("a", b" " * 1019 + b"<html>", "text/html"),   # '<html' ends at the 1024th byte: sniffed
    ("a", b" " * 1020 + b"<html>", "text/plain"),   # one byte later: not
    ("a", b"plain words", "text/plain"),
])
def test_content_type_from_the_suffix_table_else_sniffed(folder: Path, name: str, data: bytes,
                                                          expected: str) -> None:
    """A local original's content type: the fixed suffix table, else NUL means binary, else <html> sniffed."""
    (folder / name).write_bytes(data)
    assert _content_type(folder / name, data) == expected


def test_local_original_larger_than_64_mib_is_refused_from_its_size(folder: Path) -> None:
    """The limit is 64 MiB, named in the message; a sparse file shows it without reading a byte."""
    with open(folder / "big.html", "wb") as handle:
        handle.truncate(64 * 1024 * 1024 + 1)
    with pytest.raises(InputError) as caught:
        local_original(folder / "decl.yaml", "big.html")
    assert str(caught.value) == (f"{folder / 'big.html'}: 67,108,865 bytes is more than the limit of 67,108,864 bytes;"
                                 " a local original is read up to this fixed limit: give a copy of the article alone,"
                                 " or leave `original` out of the sidecar")


def test_dot_dot_is_refused_even_with_follow_symlinks(folder: Path, tmp_path: Path) -> None:
    """'..' and absolute paths are refused before any link is looked at: --follow-symlinks does not allow them."""
    (tmp_path / "outside.html").write_text("<p>x</p>", encoding="utf-8")
    for value in ("../outside.html", "originals/../../outside.html", str(tmp_path / "outside.html")):
        with pytest.raises(InputError, match="'original' must stay inside the source folder"):
            original_path(folder / "decl.yaml", value, follow_symlinks=True)


def test_local_original_refuses_a_symlink_out_by_default(folder: Path, tmp_path: Path) -> None:
    """local_original follows no link out of the folder unless told to."""
    (tmp_path / "outside.txt").write_text("words\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(InputError, match="symbolic link out of the source folder"):
        local_original(folder / "decl.yaml", "link.txt")
    assert local_original(folder / "decl.yaml", "link.txt", follow_symlinks=True).text == "words\n"


def test_local_original_description_and_record_ids(folder: Path) -> None:
    """Every key docs/format.md lists for a local copy, and ids from the role, URL and content only (the
    conversion's from its source record's too)."""
    data = (ORIGINALS / "declaration.html").read_bytes()
    original = local_original(folder / "decl.yaml", "originals/decl.html")
    resource, conversion = original.records
    text_sha256 = hashlib.sha256(original.text.encode("utf-8")).hexdigest()
    target = original.target_uri
    assert resource.record_id == record_id("original", "", target, hashlib.sha256(data).hexdigest())
    assert conversion.record_id == record_id("conversion", resource.record_id, f"urn:provpack:sha256:{text_sha256}",
                                             text_sha256)
    charset = original.description["charset"]
    assert original.description == {
        "how": "local", "path": "originals/decl.html", "record_id": resource.record_id, "target_uri": target,
        "content_type": "text/html", "sha256": hashlib.sha256(data).hexdigest(), "length_bytes": len(data),
        "conversion_record_id": conversion.record_id, "text_sha256": text_sha256,
        "length_chars": len(original.text), "scope": "article", "charset": charset,
    }
    assert charset["encoding"] == "utf-8"


def test_fetched_original_description_and_record_ids(server: ServerState) -> None:
    """Every key docs/format.md lists for a fetched original, per hop too; WARC-Date on both records; ids from the
    role, URL, content and exchange (the date, the address, both blocks' sha256), the conversion's from its source."""
    original = fetched_original(capture(server.url("/gzip"), allow_private=True))
    request, response, conversion = original.records
    assert ("WARC-Date", original.description["fetched_at"]) in request.extra_headers
    assert ("WARC-Date", original.description["fetched_at"]) in response.extra_headers
    target = server.url("/gzip")
    request_sha256, response_sha256 = (hashlib.sha256(record.block).hexdigest() for record in (request, response))
    exchange = f"{original.description['fetched_at']} 127.0.0.1 {request_sha256} {response_sha256}"
    assert ("WARC-IP-Address", "127.0.0.1") in response.extra_headers
    assert response.record_id == record_id("response", exchange, target, response_sha256)
    assert request.record_id == record_id("request", exchange, target, request_sha256)
    assert conversion.record_id == record_id("conversion", response.record_id, target,
                                             hashlib.sha256(conversion.block).hexdigest())
    description = dict(original.description)
    assert description.pop("content_encoding") == "gzip" and description.pop("attempts") == 1
    assert description.pop("exchanges") == [{
        "url": target, "status": 200, "request_record_id": request.record_id,
        "response_record_id": response.record_id, "exact": True, "dechunked": False}]
    assert set(description) == {"how", "url", "final_url", "record_id", "request_record_id", "target_uri", "status",
                                "content_type", "fetched_at", "conversion_record_id", "text_sha256",
                                "length_chars", "scope", "charset"}
    assert description["text_sha256"] == hashlib.sha256(conversion.block).hexdigest()
    assert description["length_chars"] == len(original.text)


def test_fetched_original_hops_say_dechunked_and_attempts_count_retries(server: ServerState) -> None:
    """A chunked body is recorded dechunked; two 503s then a 200 are three attempts."""
    chunked = fetched_original(capture(server.url("/chunked"), allow_private=True))
    assert [(hop["exact"], hop["dechunked"]) for hop in chunked.description["exchanges"]] == [(True, True)]
    flaky = fetched_original(capture(server.url("/flaky"), allow_private=True, sleep=lambda seconds: None))
    assert flaky.description["attempts"] == 3


def test_a_response_head_not_followed_by_its_body_is_refused(server: ServerState) -> None:
    """An exchange whose stored head does not end where its body starts is a programming error, not archived."""
    captured = capture(server.url("/page.html"), allow_private=True)
    broken = dataclasses.replace(captured.response, response_head=captured.response.response_head + b"stray")
    with pytest.raises(ValueError, match="the stored response head is not followed by the body"):
        fetched_original(dataclasses.replace(captured, response=broken))
