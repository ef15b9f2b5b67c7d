"""Tests for provpack.document: strict decoding and the fields the layout gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import document
from provpack.document import parse_document
from provpack.errors import InputError

from conftest import SEED_NAME, SEEDS


def fields(raw: bytes) -> dict[str, str]:
    return {f.name: f.value for f in parse_document("doc", raw).parsed}


def test_seed_fields_and_spans() -> None:
    """The seed's date, publication and title are found, each with the span it came from."""
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    found = {f.name: f for f in document.parsed}
    assert found["published"].value == "2017-11-12"
    assert document.text[found["published"].span.start:found["published"].span.end] == "12 November 2017"
    assert found["publication"].value == "The Atlantic"
    assert found["title"].value == "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help"
    title = found["title"].span
    assert raw[title.byte_start:title.byte_end].decode() == found["title"].value
    assert document.text[document.body.start:].startswith("Our research reveals")
    assert document.text[document.body.end - 20:document.body.end] == "encouraging a split."
    assert document.trailer is not None
    assert document.text[document.trailer.start:document.trailer.end] == "No comments:\n\nPost a Comment"
    assert document.newline == "LF" and not document.final_newline and not document.has_bom


def test_plain_quote_has_no_fields_and_whole_body() -> None:
    """A text of another shape still parses: no fields, the body is all of it."""
    raw = b"Four score and seven years ago [...] shall not perish from the earth.\n"
    document = parse_document("gettysburg", raw)
    assert document.parsed == ()
    assert document.header is None and document.trailer is None
    assert document.text[document.body.start:document.body.end] == raw.decode().strip()


@pytest.mark.parametrize("line, iso", [
    ("12 November 2017", "2017-11-12"),
    ("Sunday, November 12, 2017", "2017-11-12"),
    ("Sunday, 12 November 2017", "2017-11-12"),
    ("2017-11-12", "2017-11-12"),
    ("3 Sept. 1919", "1919-09-03"),
])
def test_date_line_forms(line: str, iso: str) -> None:
    """The common date-line forms give an ISO date."""
    assert fields(f"{line}\n\nSome quoted text.".encode())["published"] == iso


def test_invalid_date_is_not_a_field() -> None:
    """A date-shaped line that is no real date is left as text."""
    assert "published" not in fields(b"31 February 2017\n\nText.")


def test_sentence_with_colon_is_not_a_title() -> None:
    """'Note: a sentence.' in running text is not a publication and title."""
    assert fields(b"Note: this is a sentence that ends.\n\nMore.") == {}
    assert fields(b"He said: it was so\nand more") == {}


def test_crlf_bom_and_trailer() -> None:
    """CRLF lines, a BOM and a trailer are all handled; offsets count the BOM."""
    raw = "\ufeff12 November 2017\r\n\r\nThe Atlantic: A Title\r\n\r\nBody text.\r\n\r\n2 comments:\r\n".encode()
    document = parse_document("crlf", raw)
    assert document.has_bom and document.newline == "CRLF" and document.final_newline
    assert {f.name for f in document.parsed} == {"published", "publication", "title"}
    assert document.text[document.body.start:document.body.end] == "Body text."
    assert document.parsed[0].span.start == 1 and document.parsed[0].span.byte_start == 3


def test_text_that_is_only_trailer_keeps_a_body() -> None:
    """When everything looks like trailer, nothing is cut away as trailer."""
    document = parse_document("t", b"Post a Comment")
    assert document.trailer is None
    assert document.text[document.body.start:document.body.end] == "Post a Comment"


@pytest.mark.parametrize("raw, offset, words", [
    (b"abc\xe2\x80 def", 3, "invalid UTF-8 (0xE2 0x80"),
    (b"ok\xff", 2, "invalid UTF-8 (0xFF"),
    (b"\xff\xfeh\x00i\x00", 0, "UTF-16"),
    (b"nul\x00byte", 3, "NUL byte"),
])
def test_bad_bytes_name_file_and_offset(raw: bytes, offset: int, words: str) -> None:
    """Undecodable text is refused with the file and byte offset of the first bad byte."""
    with pytest.raises(InputError) as caught:
        parse_document("x", raw, path=Path("seeds/x.txt"))
    assert caught.value.offset == offset
    assert f"seeds/x.txt: byte {offset}: " in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize("raw", [b"", b"  \n\t\r\n"])
def test_empty_text_is_refused(raw: bytes) -> None:
    """Empty and blank files get a clear error."""
    with pytest.raises(InputError, match="empty|white space"):
        parse_document("x", raw, path=Path("e.txt"))


@given(st.text(st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200b\u2028\u3000\ufeffa")), max_size=8))
def test_filled_pattern_sees_white_space_as_strip_does(line: str) -> None:
    """_FILLED finds nothing exactly when str.strip() leaves nothing."""
    assert (document._FILLED.search(line) is None) == (not line.strip())
