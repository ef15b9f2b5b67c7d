"""Tests for provpack.display: the show command's views."""

from __future__ import annotations

import io
from pathlib import Path

from provpack.display import print_documents, show_json
from provpack.reader import ArchivedDocument
from provpack.package import package
from provpack.reader import read_archive

from conftest import ARCHIVE, SEED_NAME


def test_plain_view_lists_fields_and_elisions_in_context() -> None:
    """Without a terminal the view is plain text with each elision in its context."""
    documents = read_archive(ARCHIVE / "seeds.warc.gz")
    out = io.StringIO()
    print_documents("seeds.warc.gz", documents, out)
    text = out.getvalue()
    assert "\x1b[" not in text
    assert SEED_NAME in text and "The Atlantic" in text
    assert "chars 1019-1024, bytes 1029-1034, line 5 col 942" in text
    assert "Tehran was next. [...] There is no evidence" in text


def test_colour_marks_the_marker() -> None:
    """With colour forced, the marker is highlighted."""
    out = io.StringIO()
    print_documents("x", read_archive(ARCHIVE / "seeds.warc.gz"), out, color=True)
    assert "\x1b[1;31m[...]" in out.getvalue()


def test_json_shape_is_stable() -> None:
    """show --json has exactly the documented keys."""
    (document,) = [show_json(d) for d in read_archive(ARCHIVE / "seeds.warc.gz")]
    assert set(document) == {"name", "record_id", "target_uri", "sha256", "length_bytes", "fields", "elisions",
                             "segments", "alterations", "original", "differences", "out_of_order"}
    assert set(document["elisions"][0]) == {"marker", "start", "end", "byte_start", "byte_end", "line", "column",
                                            "kind", "omitted", "omitted_reason", "confirmed"}


def test_readme_documents_the_json_shape() -> None:
    """Every key show --json gives is named where the README describes it."""
    readme = (ARCHIVE.parent / "README.md").read_text(encoding="utf-8")
    described = readme[readme.index("`--json` gives"):][:900]
    (document,) = [show_json(d) for d in read_archive(ARCHIVE / "seeds.warc.gz")]
    missing = [key for key in [*document, *document["elisions"][0]] if f'"{key}"' not in described]
    assert missing == []


def test_plain_view_has_no_trailing_spaces() -> None:
    """Piped, no line ends in the padding of rich's tables (the README's transcript has none)."""
    out = io.StringIO()
    print_documents("seeds.warc.gz", read_archive(ARCHIVE / "seeds.warc.gz"), out)
    lines = out.getvalue().split("\n")
    assert [line for line in lines if line != line.rstrip()] == []
    assert "record  <urn:uuid:36034ffd-15e0-5b81-bbea-631edd1d2129>" in lines


def test_control_characters_of_an_original_do_not_reach_the_terminal(tmp_path: Path) -> None:
    """An escape sequence in an original's omitted passage, or the quote's context, is shown escaped."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "page.html").write_bytes(b"<p>We hold these truths to be self-evident, that all \x1b]0;owned\x1b\\ "
                                       b"\x1b[2J men are created equal, that they are endowed by their Creator.</p>")
    (source / "a.txt").write_text("We hold these truths to be self-evident \x1b[31m[...] that they are endowed "
                                  "by their Creator.\n", encoding="utf-8")
    (source / "a.yaml").write_text("original: page.html\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    text = out.getvalue()
    assert "\x1b" not in text
    assert "cut 39-" in text and "\\x1b[2J men are created equal" in text
    assert "self-evident \\x1b[31m[...] that they" in text


def test_nothing_read_from_a_hostile_archive_reaches_the_terminal_raw() -> None:
    """Escape sequences anywhere a provenance record or record header puts them (name, ids, field names
    and values, markers, the original's description) are spelled out; line breaks in a value are kept."""
    evil = "\x1b]0;owned\x07\x1b[2J\r\x9b"
    document = ArchivedDocument(
        name=f"doc{evil}", record_id=f"<urn:uuid:{evil}>", target_uri=f"urn:x:{evil}", sha256=evil,
        length_bytes=3, offset=0,
        provenance={
            "length_chars": 3,
            "fields": {f"title{evil}": {"value": f"A{evil}\nB", "from": f"sidecar{evil}", "span": [0, 1]}},
            "elisions": [{"marker": f"[...]{evil}", "kind": "bracketed", "start": 0, "end": 1, "byte_start": 0,
                          "byte_end": 1, "line": 1, "column": 1, "omitted": None, "omitted_reason": f"why{evil}"}],
            "segments": [],
            "original": {"how": "fetched", "url": f"https://e.org/{evil}", "status": 200, "fetched_at": evil,
                         "final_url": f"https://e.org/{evil}", "length_chars": 1, "scope": evil,
                         "conversion_record_id": evil},
            "differences": [{"kind": evil, "start": 0, "end": 1, "excerpt": evil, "source": evil}],
        },
    )
    out = io.StringIO()
    print_documents("x.warc.gz", (document,), out)
    text = out.getvalue()
    assert not any(ch in text for ch in "\x1b\x07\r\x9b"), repr(text)
    assert "doc\\x1b]0;owned\\x07\\x1b[2J\\x9b" in text   # (the CR dropped, as rich drops CR, VT and FF)
    assert "A\\x1b" in text and "why\\x1b" in text and "https://e.org/\\x1b" in text


def test_a_crlf_excerpt_reads_as_text(tmp_path: Path) -> None:
    """CRLF line breaks around a marker show as spaces in its context, not as spelled-out \\x0d."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_bytes(b"First line of the quote\r\n[...]\r\nand the second line of it.\r\n")
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    text = out.getvalue()
    assert "First line of the quote [...] and the second" in text
    assert "\\x0d" not in text and "\r" not in text
