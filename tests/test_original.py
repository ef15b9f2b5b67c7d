"""Tests for provpack.original: the sidecar's path rules and the records of an original."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from localserver import PAGE, PDF, ServerState, serve
from provpack.capture import capture
from provpack.errors import InputError
from provpack.httpbytes import split_message
from provpack.original import TextlessOriginal, fetched_original, local_original, original_path

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


def test_a_folder_as_original_is_named_a_folder(folder: Path) -> None:
    """A path to a folder says so, not 'no such file' (the folder is there)."""
    (folder / "originals").mkdir(exist_ok=True)
    with pytest.raises(InputError, match="'originals' is a folder; name the file in it"):
        original_path(folder / "decl.yaml", "originals")


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


def test_binary_original_is_refused(folder: Path) -> None:
    """An original with no text (a PDF) cannot be aligned against."""
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputError, match="no text to align against") as caught:
        local_original(folder / "decl.yaml", "paper.pdf")
    message = str(caught.value)
    assert message.endswith("paper.pdf: the original has no text to align against: cannot extract text from "
                            "application/pdf; give an HTML or plain-text original")
    assert message.count("give") == 1   # the fix said once
    assert caught.value.exit_code == 2


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
