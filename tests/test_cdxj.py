"""provpack.cdxj: our index against cdxj-indexer's, and the offsets against the file."""

from __future__ import annotations

import base64
import gc
import hashlib
import io
import json
import re
import warnings
import zlib
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provpack import cdxj
from provpack.cdxj import DEFAULT_RECORDS, CdxjLine, archive_date, index, write_index
from provpack.errors import ArchiveError, InputError, IntegrityError, ProvpackError
from conftest import ARCHIVE, C_LOCALE, INTEROP, FullTemporaryFolder, locale_env, run_in, utf8_env
from provpack_warcs import DOCS, Capture, Doc, write_provpack_warc
from reference_tools import cdxj_indexer

EXPECTED = json.loads((INTEROP / "EXPECTED.json").read_text()) if INTEROP.is_dir() else {}
LINE = re.compile(r"^(\S+) (\d{14}) (\{.*\})$")
CAPTURES = (
    Capture("https://example.org/original?x=1&a=2", b"<html><title>Orig</title>Hi</html>"),
    Capture("http://example.net/gone", b"not here", content_type="text/plain", status="404 Not Found"),
)


def ours(warc: Path, **options: object) -> str:
    """What provpack.cdxj writes for `warc`, as text."""
    buffer = io.StringIO()
    write_index(warc, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.fixture
def provpack_warc(tmp_path: Path) -> Path:
    """A provpack-style WARC with URN and http(s) targets plus one HTTP capture."""
    return write_provpack_warc(tmp_path / "seeds.warc.gz", captures=CAPTURES)


def test_sorted_index_matches_cdxj_indexer_byte_for_byte(provpack_warc: Path, tmp_path: Path) -> None:
    """Sorted output equals `cdxj-indexer --sort` on a provpack archive."""
    expected = cdxj_indexer(provpack_warc, tmp_path, "--sort")
    assert ours(provpack_warc) == expected
    assert "urn:provpack:sha256:" in expected and "https://www.Example.org/" in expected


def test_file_order_index_matches_cdxj_indexer(provpack_warc: Path, tmp_path: Path) -> None:
    """Unsorted output equals plain `cdxj-indexer`, line for line in file order."""
    assert ours(provpack_warc, sort=False) == cdxj_indexer(provpack_warc, tmp_path)


def test_all_records_match_cdxj_indexer(provpack_warc: Path, tmp_path: Path) -> None:
    """With records=None every record is indexed, as `cdxj-indexer --records all`."""
    expected = cdxj_indexer(provpack_warc, tmp_path, "--records", "all")
    got = "".join(f"{line}\n" for line in index(provpack_warc, records=None))
    assert got == expected
    assert got.count("\n") == 1 + 2 * len(DOCS) + 3 * len(CAPTURES)


def test_fields_of_provpack_records(provpack_warc: Path) -> None:
    """Resource and metadata lines carry the fields pywb needs, status only on the response."""
    lines = list(index(provpack_warc))
    by_type: dict[str, list[CdxjLine]] = {}
    for line in lines:
        by_type.setdefault(line.record_type, []).append(line)
    assert sorted(by_type) == ["metadata", "resource", "response"]
    resource = by_type["resource"][0]
    assert resource.mime == "text/plain" and resource.status is None
    assert resource.digest == "sha256:" + __import__("hashlib").sha256(DOCS[0].text).hexdigest()
    assert resource.urlkey == DOCS[0].target  # a URN has no SURT form: kept as is
    assert by_type["resource"][1].urlkey == "org,example)/articles/2017/quote?a=1&b=2"
    assert by_type["metadata"][0].mime == "application/ld+json"
    assert by_type["metadata"][0].digest is not None and by_type["metadata"][0].digest.startswith("sha1:")
    assert [line.status for line in by_type["response"]] == ["200", "404"]
    for line in lines:
        match = LINE.match(str(line))
        assert match, str(line)
        assert match[2] == "20171112000000"
        assert list(json.loads(match[3])) == list(line.fields())


def test_offsets_and_lengths_are_gzip_members(provpack_warc: Path) -> None:
    """Each record's offset/length is one whole gzip member, and the members tile the file."""
    data = provpack_warc.read_bytes()
    lines = list(index(provpack_warc, records=None))
    position = 0
    for line in lines:
        assert line.offset == position
        member = data[line.offset : line.offset + line.length]
        inflater = zlib.decompressobj(wbits=31)
        record = inflater.decompress(member)
        assert inflater.eof and inflater.unused_data == b""
        assert record.startswith(b"WARC/1.1\r\n")
        assert f"WARC-Type: {line.record_type}\r\n".encode() in record
        position += line.length
    assert position == len(data)


def test_filename_is_the_basename_unless_given(provpack_warc: Path) -> None:
    """`filename` defaults to the file's name and can be set for a WACZ or collection."""
    assert {line.filename for line in index(provpack_warc)} == {"seeds.warc.gz"}
    assert {line.filename for line in index(provpack_warc, filename="x/y.warc.gz")} == {"x/y.warc.gz"}


def test_an_empty_filename_is_refused(provpack_warc: Path, tmp_path: Path) -> None:
    """filename="" gave lines that name no file (`"filename": ""`), which a replay tool cannot open: refused at the
    call, by index and write_index, before anything is written."""
    out = tmp_path / "index.cdxj"
    for call in (lambda: index(provpack_warc, filename=""), lambda: write_index(provpack_warc, out, filename="")):
        with pytest.raises(InputError) as caught:
            call()
        assert str(caught.value) == ("filename: empty, but each CDXJ line names the archive's file by it; give the "
                                     "file's name as the index's readers find it, or None for its own")
    assert not out.exists()


def test_a_file_name_that_is_not_utf8_is_refused_as_make_wacz_refuses_it(provpack_warc: Path, tmp_path: Path) -> None:
    """A file name whose bytes are not UTF-8 has no spelling in a CDXJ line's JSON "filename" (it was written as
    the escape of a lone surrogate, "\\udcfe.warc.gz", naming no file); index and write_index refuse it at the
    call, before anything is written, with make_wacz's words, and refuse a `filename` that is not UTF-8 text;
    a UTF-8 `filename` indexes the file."""
    import os

    archive = tmp_path / os.fsdecode(b"\xfe.warc.gz")
    provpack_warc.rename(archive)
    said = (f"{tmp_path}/\\xfe.warc.gz: the archive's file name is not UTF-8 (0xFE); rename the file in UTF-8 (each "
            "CDXJ line names it, in JSON text)")
    out = tmp_path / "index.cdxj"
    for call in (lambda: index(archive), lambda: write_index(archive, out), lambda: write_index(archive, io.StringIO())):
        with pytest.raises(InputError) as caught:
            call()
        assert str(caught.value) == said
    assert not out.exists()
    for name, bad in (("x\udcff.warc.gz", "0xFF"), ("x\ud800.warc.gz", "U+D800")):
        with pytest.raises(InputError) as caught:
            index(archive, filename=name)
        assert str(caught.value) == f"filename: not UTF-8 text ({bad}); give it in UTF-8"
    assert {line.filename for line in index(archive, filename="seeds.warc.gz")} == {"seeds.warc.gz"}


def test_write_index_to_a_path(provpack_warc: Path, tmp_path: Path) -> None:
    """Writing to a path leaves the sorted index and no temporary file."""
    out = tmp_path / "out" / "index.cdxj"
    out.parent.mkdir()
    count = write_index(provpack_warc, out)
    text = out.read_text(encoding="utf-8")
    assert count == text.count("\n") == 2 * len(DOCS) + len(CAPTURES)
    assert text.splitlines() == sorted(text.splitlines())
    assert [p.name for p in out.parent.iterdir()] == ["index.cdxj"]


class _FullText(io.StringIO):
    """A text stream named like a file whose writes fail as on a full disk."""

    name = "/mnt/full/index.cdxj"

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_a_write_to_out_that_fails_is_an_archive_error_naming_it(provpack_warc: Path) -> None:
    """A write to the caller's text stream that fails (a full disk) is an ArchiveError (an OSError still) naming the
    stream, by its file name or else the argument (was the write's bare OSError); a pipe whose reader has gone stays
    BrokenPipeError."""
    with pytest.raises(ArchiveError) as caught:
        write_index(provpack_warc, _FullText())
    assert str(caught.value) == ("/mnt/full/index.cdxj: could not write the index: disk full (no space left on "
                                 "device); the output is incomplete; free some space, then run again")
    assert isinstance(caught.value, OSError)

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        write_index(provpack_warc, Gone())


def test_write_index_replaces_a_file_only_when_forced(provpack_warc: Path, tmp_path: Path) -> None:
    """An existing index is an ArchiveError naming it, unless force=True."""
    out = tmp_path / "index.cdxj"
    out.write_text("old\n")
    with pytest.raises(ArchiveError, match="index.cdxj: already exists"):
        write_index(provpack_warc, out)
    assert out.read_text() == "old\n"
    write_index(provpack_warc, out, force=True)
    assert out.read_text(encoding="utf-8") == ours(provpack_warc)


def test_archive_date_is_the_warcinfo_date(tmp_path: Path) -> None:
    """archive_date reads the warcinfo record's WARC-Date."""
    warc = write_provpack_warc(tmp_path / "a.warc.gz", date="2021-03-04T05:06:07Z")
    assert archive_date(warc) == datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def test_missing_file_is_an_archive_error(tmp_path: Path) -> None:
    """A path that does not exist raises ArchiveError naming it."""
    with pytest.raises(ArchiveError, match="nope.warc.gz: no such file; check the path$"):
        list(index(tmp_path / "nope.warc.gz"))


def test_not_a_warc_is_an_archive_error(tmp_path: Path) -> None:
    """Bytes that are no WARC raise ArchiveError rather than a warcio exception."""
    path = tmp_path / "junk.warc"
    path.write_bytes(b"<!doctype html>\n<p>hello</p>\n")
    with pytest.raises(ArchiveError, match="junk.warc: not a WARC file: starts with bytes 3c 21 .*; give a .warc or"):
        list(index(path))


@pytest.mark.skipif(not EXPECTED, reason="shared/interop not found beside the repository")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_interop_files_match_cdxj_indexer(name: str, tmp_path: Path) -> None:
    """On WARCs by other tools we index exactly what cdxj-indexer does, or both refuse; a file cut off
    (which cdxj-indexer indexes as far as it goes, without a word) we refuse, saying where; a record whose
    Content-Length is wrong (on which cdxj-indexer fails, or which it reads on past: too small) is said as
    verify finds it (damage, exit 1)."""
    path = INTEROP / name
    expected = cdxj_indexer(path, tmp_path, "--records", "all")
    try:
        got: str | None = "".join(f"{line}\n" for line in index(path, records=None))
    except IntegrityError as exc:
        if "Truncated gzip" in EXPECTED[name]["reason"]:
            assert "truncated at byte 0: " in str(exc)
        else:
            assert EXPECTED[name]["verdict"] == "invalid"
            assert "bad Content-Length" in EXPECTED[name]["reason"]
            assert re.search(r": the record at byte \d+: the \d+-byte block \(Content-Length\) is followed by ", str(exc))
            assert str(exc).endswith("Content-Length is wrong or the block was altered; `provpack verify` gives the "
                                     "full report")
        return
    except ArchiveError as exc:
        assert name in str(exc)
        got = None
    assert got == expected
    if expected is not None:
        assert ours(path) == cdxj_indexer(path, tmp_path, "--sort")


urls = st.one_of(
    st.none(),
    st.builds(
        lambda scheme, host, path, query: f"{scheme}://{host}/{path}" + (f"?{query}" if query else ""),
        st.sampled_from(["http", "https"]),
        st.sampled_from(["example.com", "www.Example.org", "sub.example.co.uk:8080", "xn--caf-dma.fr"]),
        st.text(st.characters(codec="ascii", categories=("L", "N"), include_characters="-_./~%"), max_size=20),
        st.text(st.characters(codec="ascii", categories=("L", "N"), include_characters="=&"), max_size=15),
    ),
)
docs = st.lists(
    st.builds(
        Doc,
        name=st.text("abcdef0123456789_", min_size=1, max_size=12),
        text=st.text(min_size=0, max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
        url=urls,
        title=st.none() | st.text(max_size=20),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda doc: doc.name,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=docs)
def test_any_provpack_archive_matches_cdxj_indexer(docs: list[Doc], tmp_path: Path) -> None:
    """For any excerpts and target URIs, our sorted index equals cdxj-indexer's."""
    warc = write_provpack_warc(tmp_path / "any.warc.gz", docs)
    assert ours(warc) == cdxj_indexer(warc, tmp_path, "--sort")


def _seed_records() -> bytes:
    """The committed archive's records, uncompressed (a plain WARC)."""
    import gzip

    from conftest import ARCHIVE

    return gzip.decompress((ARCHIVE / "seeds.warc.gz").read_bytes())


def test_whole_file_gzip_error_names_a_real_offset(tmp_path: Path) -> None:
    """A WARC gzipped as a whole is refused with an offset in the file, never a negative one, and in words (where
    warcio's 400 characters were cut at 200), as show and extract say it: a member of its own for each record is
    what a reader that seeks needs, and `warcio recompress` makes it; a member holding several records after
    sound ones is named by its offset."""
    import gzip

    path = tmp_path / "whole.warc.gz"
    records = _seed_records()
    second = records.index(b"WARC/1.1", 1)
    for data, at in ((gzip.compress(records, mtime=0), 0),
                     (gzip.compress(records[:second], mtime=0) + gzip.compress(records[second:], mtime=0),
                      len(gzip.compress(records[:second], mtime=0)))):
        path.write_bytes(data)
        with pytest.raises(ArchiveError) as caught:
            list(index(path))
        assert str(caught.value) == (
            f"{path}: cannot read the record at byte {at}: its gzip member holds more records than this one: the "
            "file is gzipped as a whole (or several records to a member), and a reader that seeks to a record needs "
            "a member of its own for each; recompress it one record to a gzip member, as `package` writes it: "
            "`warcio recompress FILE NEW.warc.gz` (`provpack verify` reads it as it is)")


def test_bad_content_length_is_said_as_damage_not_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """warcio's warning about a record not followed by a blank line is not written to stderr: the record's
    Content-Length, too small, is said as verify finds it (docs/robustness.md: damage, exit 1), in place of it."""
    data = _seed_records()
    length = int(re.search(rb"Content-Length: (\d+)", data).group(1))  # type: ignore[union-attr]
    path = tmp_path / "short.warc"
    path.write_bytes(data.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length - 10), 1))
    with caplog.at_level("WARNING", logger="provpack"):
        with pytest.raises(IntegrityError) as caught:
            list(index(path, records=None))
    tail = data[data.index(b"\r\n\r\n") + 4 + length - 10:][:4]
    assert str(caught.value) == (f"{path}: the record at byte 0: the {length - 10}-byte block (Content-Length) is"
                                 f" followed by {tail.decode()!r}, not CRLF CRLF: Content-Length is wrong or the block"
                                 " was altered; `provpack verify` gives the full report")
    assert capfd.readouterr().err == "" and caplog.records == []


def test_a_wrong_content_length_warcio_reads_on_past_is_damage(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """docs/robustness.md: damage is said by index as verify finds it (exit 1, naming the file and the record's
    offset), also a Content-Length warcio reads on past: 2 bytes too small (a plain WARC), 31 digits (the block run
    to the end of the file), too large in a member a record (the block cut at the member's end)."""
    from provpack.cli import main
    from warcbuild import archives, provpack_records, record, texts, warc

    records = provpack_records(texts(3))
    length = len(records[3]) - records[3].index(b"\r\n\r\n") - 8
    short = records[3].replace(b"Content-Length: %d\r\n" % length, b"Content-Length: %d\r\n" % (length - 2), 1)
    huge = record("resource", b"hello world", content_length=int("1" * 31))
    too_large = archives()["content length too large"]
    at = len(warc(records[:3], gzip=False))
    tail = (texts(3)[1].encode()[-2:] + b"\r\n").decode()   # (what follows the block as it is declared)
    for name, data, said in (
            ("short.warc", warc(records[:3] + [short] + records[4:], gzip=False),
             f"the record at byte {at}: the {length - 2}-byte block (Content-Length) is followed by"
             f" {tail!r}, not CRLF CRLF: Content-Length is wrong or the"
             " block was altered"),
            ("huge.warc", huge, f"the record at byte 0: Content-Length '{'1' * 31}' has 31 digits: larger than any file"),
            ("large.warc.gz", too_large, None)):
        path = tmp_path / name
        path.write_bytes(data)
        for express in (True, False):
            with pytest.raises(IntegrityError) as caught:
                list(index(path, records=None, express=express))
            if said is not None:
                assert str(caught.value) == f"{path}: {said}; `provpack verify` gives the full report", express
            assert re.search(r": the record at byte \d+: ", str(caught.value)), express
        assert main(["index", str(path), "-o", str(tmp_path / "out.cdxj")]) == 1
        assert capsys.readouterr().err.endswith(f"provpack: error: {caught.value}\n")
        assert not (tmp_path / "out.cdxj").exists()


def test_a_wacz_named_like_a_warc_is_named_not_dumped(
        provpack_warc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`index` on a ZIP named x.warc.gz says what it is (exit 2), quoting none of its bytes."""
    from provpack.cli import main
    from provpack.wacz import make_wacz

    fake = tmp_path / "fake.warc.gz"
    make_wacz(provpack_warc, tmp_path / "a.wacz").rename(fake)
    with pytest.raises(ArchiveError, match="not a WARC file: a ZIP file"):
        archive_date(fake)
    assert main(["index", str(fake)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        f"provpack: error: {fake}: not a WARC file: a ZIP file (a WACZ?); check a WACZ with `wacz validate`, "
        "or unzip it and index archive/*.warc.gz\n")


def test_bytes_that_are_no_record_are_quoted_short_and_escaped(tmp_path: Path) -> None:
    """Where warcio finds no record, at most 40 bytes are quoted, escaped: no binary dump, no escape sequences.
    Bytes before a record are damage (exit 1), as verify finds them; a version line no WARC has is warcio's to
    refuse (exit 2), without the advice for a WARC gzipped as a whole, which a plain file is not."""
    path = tmp_path / "junk.warc"
    path.write_bytes(b"\x1b[2J\xff\x00binary" * 200 + b"\nWARC/1.1\r\n")   # a record follows: warcio reads
    with pytest.raises(IntegrityError) as damaged:
        list(index(path))
    assert str(damaged.value) == (
        f"{path}: no WARC record starts at byte 0 (2401 bytes that are not a WARC record before the next record; "
        "the bytes there: '\\x1b[2J\\xff\\x00binary\\x1b[2J\\xff\\x00binary\\x1b[2J\\xff\\x00binary\\x1b[2J'...); "
        "`provpack verify` gives the full report")   # was 2 KB of mangled binary
    path.write_bytes(b"WARC/\x1b[2J\xff\x00binary" * 200 + b"\r\n\r\nWARC/1.1\r\n")
    with pytest.raises(ArchiveError) as caught:
        list(index(path))
    assert str(caught.value) == (
        f"{path}: cannot read the record at or after byte 0: no WARC record starts there (the bytes there: "
        "'WARC/\\x1b[2J\\xff\\x00binaryWARC/\\x1b[2J\\xff\\x00binaryWARC/\\x1b'...); check it with `provpack verify`")


def test_a_gzip_member_that_is_no_record_is_quoted_inflated(tmp_path: Path) -> None:
    """In a gzipped WARC the bytes on disk say nothing: the message quotes what the member holds."""
    import gzip

    path = tmp_path / "html.warc.gz"
    path.write_bytes(gzip.compress(b"<!doctype html>\n<html>\x1b[2J" + b"x" * 5000))
    with pytest.raises(ArchiveError) as caught:
        list(index(path))
    message = str(caught.value)
    assert "no WARC record starts there (its gzip member holds: '<!doctype html>\\n<html>\\x1b[2J" in message
    assert all(32 <= ord(c) < 127 for c in message)


# The quick walk (express) against warcio: the same lines, or the same error, whatever the file.

def both(warc: Path, **options: object) -> tuple[object, object]:
    """index() with the quick walk and with warcio only: the lines (or the error message) of each."""
    def run(express: bool) -> object:
        try:
            return list(index(warc, express=express, **options))  # type: ignore[arg-type]
        except ArchiveError as exc:
            return str(exc)
        except Exception as exc:  # what warcio lets through (an HTTP record without a target URI)
            return f"{type(exc).__name__}: {exc}"
    return run(True), run(False)


def assert_same(warc: Path) -> None:
    """Express and warcio agree with every record indexed and with the default types."""
    for records in (None, DEFAULT_RECORDS, frozenset({"resource", "conversion", "warcinfo"})):
        express, warcio = both(warc, records=records)
        assert express == warcio, records


class NoWarcio(Exception):
    """Raised where warcio would start reading."""


@pytest.fixture
def warcio_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Offsets at which index() hands a file to warcio (recorded, then warcio goes on as usual)."""
    from provpack import warciter

    starts: list[int] = []
    original = warciter.QuietArchiveIterator.__init__

    def spy(self: object, stream: io.BufferedReader, *args: object, **kwargs: object) -> None:
        starts.append(stream.tell())
        original(self, stream, *args, **kwargs)

    monkeypatch.setattr(warciter.QuietArchiveIterator, "__init__", spy)
    return starts


def test_express_path_reads_the_committed_archive_without_warcio(warcio_starts: list[int]) -> None:
    """A provpack archive is indexed by the quick walk alone, to the same lines warcio gives."""
    from conftest import ARCHIVE

    warc = ARCHIVE / "seeds.warc.gz"
    lines = list(index(warc, records=None))
    assert warcio_starts == [] and len(lines) == 3
    assert_same(warc)


@pytest.mark.parametrize("trailer", [bytes(512), b"trailing junk\n"])
def test_bytes_after_the_last_member_are_damaged_gzip_data(tmp_path: Path, trailer: bytes,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Zero padding or junk after the last gzip member of an archive the quick walk reads whole: index says
    what show, extract and verify say there (damaged gzip data, exit 1), as warcio alone does, not that no
    record starts there and a WARC gzipped as a whole needs recompressing (exit 2)."""
    from conftest import ARCHIVE
    from provpack.cli import main

    data = (ARCHIVE / "seeds.warc.gz").read_bytes()
    padded = tmp_path / "padded.warc.gz"
    padded.write_bytes(data + trailer)
    said = (f"{padded}: damaged gzip data at byte {len(data)}: {len(trailer)} bytes that are not gzip data after "
            "the last gzip member; `provpack verify` gives the full report")
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(padded, express=express))
        assert str(caught.value) == said, express
    assert main(["index", str(padded)]) == 1
    assert capsys.readouterr().err == f"provpack: error: {said}\n"


@pytest.mark.parametrize("lines", [["X-Big: " + "a" * (2 << 20)], ["X-L: " + "a" * 95] * 12_000])
def test_a_header_over_1_mib_is_refused_naming_the_file_and_offset(lines: list[str], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """docs/robustness.md: index (and wacz) take a WARC header block over 1 MiB for damage, as verify and show do,
    naming the file and the record's offset in verify's words (exit 1; one 2 MiB line, or 12,000 lines of 100 bytes;
    plain, a member a record, or gzipped as a whole, where the header is what is wrong), where they said "cannot
    read the record at or after byte N: a header block is larger than 1048576 bytes" (exit 2)."""
    import gzip

    from provpack.cli import main
    from provpack.wacz import make_wacz
    from warcbuild import record

    small = record("resource", b"hello", target="http://example.com/")
    fields = [(name, value) for name, _, value in (line.partition(": ") for line in lines)]
    big = record("resource", b"hello", target="http://example.com/", headers=fields)
    for name, data, at in (
            ("plain.warc", small + big + small, len(small)),
            ("members.warc.gz", b"".join(gzip.compress(r, mtime=0) for r in (small, big, small)),
             len(gzip.compress(small, mtime=0))),
            ("one.warc.gz", gzip.compress(big, mtime=0), 0),
            ("whole.warc.gz", gzip.compress(big + small, mtime=0), 0)):
        path = tmp_path / name
        path.write_bytes(data)
        said = (f"{path}: the record at byte {at}: no blank line ends the header within 1048576 bytes; "
                "`provpack verify` gives the full report")
        for express in (True, False):
            with pytest.raises(IntegrityError) as caught:
                list(index(path, express=express))
            assert (str(caught.value), caught.value.offset) == (said, at), (name, express)
        assert main(["index", str(path), "-o", str(tmp_path / "out.cdxj")]) == 1
        assert capsys.readouterr().err == f"provpack: error: {said}\n" and not (tmp_path / "out.cdxj").exists()
        with pytest.raises(IntegrityError) as caught:
            make_wacz(path, tmp_path / "out.wacz")
        assert str(caught.value) == said, name


COOKIES = b"".join(b"Set-Cookie: c%05d=" % number + b"x" * 80 + b"\r\n" for number in range(12_000))   # (1.2 MB)


def long_head_records() -> list[bytes]:
    """Records whose HTTP heads run past 1 MiB, between small ones: a response with a 2 MiB line (no payload digest:
    computed from what follows the head), a 404 whose Content-Type follows 1.2 MB of Set-Cookie lines, and a POST
    request so (its form body's type and length past the MiB) and its response."""
    def http(kind: str, number: int, head: bytes, body: bytes, **fields: Any) -> bytes:
        msgtype = "request" if kind == "request" else "response"
        return record(kind, head + b"\r\n" + body, record_id=f"<urn:uuid:00000000-0000-4000-8000-{msgtype[:3]}{number:09d}>"
                      .replace("req", "000").replace("res", "001"), target=f"http://example.com/{number}",
                      content_type=f"application/http; msgtype={msgtype}", **fields)

    from warcbuild import record

    small = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    form = b"a=1&b=two"
    return [
        http("response", 1, small, b"<p>before</p>", payload_digest="sha1", payload=b"<p>before</p>"),
        http("response", 2, b"HTTP/1.1 200 OK\r\nX-Big: " + b"b" * (2 << 20) + b"\r\nContent-Type: text/css\r\n",
             b"p { }"),
        http("response", 3, b"HTTP/1.1 404 Not Found\r\n" + COOKIES + b"Content-Type: image/png; q=1\r\n"
             b"Content-Type: text/plain\r\n", b"png", payload_digest="sha1", payload=b"png"),
        http("request", 4, b"POST /4 HTTP/1.1\r\nHost: example.com\r\n" + COOKIES
             + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n" % len(form), form),
        http("response", 4, small, b"posted", payload_digest="sha1", payload=b"posted",
             headers=[("WARC-Concurrent-To", "<urn:uuid:00000000-0000-4000-8000-000000000004>")]),   # (the request)
        http("response", 5, small, b"<p>after</p>", payload_digest="sha1", payload=b"<p>after</p>"),
    ]


@pytest.mark.parametrize("gzipped", [True, False])
def test_an_http_head_over_1_mib_is_indexed_as_cdxj_indexer_indexes_it(gzipped: bool, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A response or request whose HTTP head runs past 1 MiB is a sound record (verify passes it, its payload digest
    unchecked): index and wacz index it as cdxj-indexer does, line for line (its media type and status found past
    the MiB, its payload hashed from where the head ends), also with --post-append and every record type, where they
    stopped at it (exit 2, "cannot read the record at or after byte N: a header block is larger than 1048576
    bytes"). A record a member, or plain."""
    from warcbuild import warc

    from provpack.verify import verify

    path = tmp_path / ("long.warc.gz" if gzipped else "long.warc")
    path.write_bytes(warc(long_head_records(), gzip=gzipped))
    assert verify(path).ok
    payload = "sha1:" + base64.b32encode(hashlib.sha1(b"p { }").digest()).decode()
    for options, args in (({}, ["--sort"]), ({"records": None}, ["--sort", "--records", "all"]),
                          ({"post_append": True}, ["--sort", "--post-append"])):
        expected = cdxj_indexer(path, tmp_path, *args)
        assert expected is not None, options
        if options.get("post_append"):   # (the README's one difference: there, the sha1 of an empty payload)
            expected = expected.replace(f"sha1:{base64.b32encode(hashlib.sha1(b'').digest()).decode()}", payload)
        assert ours(path, **options) == expected, options
    lines = {line.url: line for line in index(path, express=False)}
    assert lines == {line.url: line for line in index(path)}
    assert [(lines[f"http://example.com/{n}"].mime, lines[f"http://example.com/{n}"].status) for n in (2, 3)] == [
        ("text/css", "200"), ("image/png", "404")]
    assert lines["http://example.com/2"].digest == payload
    assert "__wb_method=post&a=1&b=two" in ours(path, post_append=True)
    from provpack.cli import main

    assert main(["index", str(path), "-o", str(tmp_path / "out.cdxj")]) == 0
    assert (tmp_path / "out.cdxj").read_text(encoding="utf-8") == ours(path)
    capsys.readouterr()


def test_express_path_reads_a_plain_warc_without_warcio(tmp_path: Path, warcio_starts: list[int]) -> None:
    """An uncompressed WARC is walked too, its lengths as warcio counts them (no trailing CRLFs)."""
    plain = tmp_path / "seeds.warc"
    plain.write_bytes(_seed_records())
    lines = list(index(plain, records=None))
    assert warcio_starts == [] and lines[0].offset == 0
    assert_same(plain)
    gz = write_provpack_warc(tmp_path / "docs.warc.gz")
    plain.write_bytes(__import__("gzip").decompress(gz.read_bytes()))
    assert_same(plain)


def test_http_records_hand_over_to_warcio_mid_file(provpack_warc: Path, warcio_starts: list[int]) -> None:
    """At the first response the walk stops and warcio reads on from that record; the lines are warcio's."""
    lines = list(index(provpack_warc, records=None))
    first_http = next(line for line in lines if line.record_type in ("response", "request"))
    assert warcio_starts == [first_http.offset] and first_http.offset > 0
    assert_same(provpack_warc)


def test_unindexed_requests_are_walked_past(tmp_path: Path, warcio_starts: list[int]) -> None:
    """A request record is not indexed by default: the walk goes past it, warcio is not needed for it."""
    warc = write_provpack_warc(tmp_path / "a.warc.gz", captures=CAPTURES)
    lines = list(index(warc, records=frozenset({"resource", "conversion"})))
    assert warcio_starts == [] and {line.record_type for line in lines} == {"resource", "conversion"}
    assert_same(warc)


def test_archives_with_originals(tmp_path: Path) -> None:
    """Archives with a local original (conversion records) and with a fetched one (HTTP exchanges)."""
    import shutil

    from localserver import ORIGINALS, serve
    from provpack.package import package

    source = tmp_path / "src"
    source.mkdir()
    (source / "decl.txt").write_text("When in the Course [...] of human events.\n", encoding="utf-8")
    (source / "decl.yaml").write_text("source_url: https://www.archives.gov/declaration\noriginal: decl.html\n",
                                      encoding="utf-8")
    shutil.copy(ORIGINALS / "declaration.html", source / "decl.html")
    local = package(source, out=tmp_path / "local.warc.gz").warc_path
    assert_same(local)
    (source / "decl.html").unlink()
    with serve() as state:
        (source / "decl.yaml").write_text(f"source_url: {state.url('/redirect')}\n", encoding="utf-8")
        fetched = package(source, out=tmp_path / "fetched.warc.gz", fetch=True, allow_private=True).warc_path
    assert_same(fetched)
    assert ours(local) == cdxj_indexer(local, tmp_path, "--sort")
    assert ours(fetched) == cdxj_indexer(fetched, tmp_path, "--sort")


@pytest.mark.skipif(not EXPECTED, reason="shared/interop not found beside the repository")
@pytest.mark.parametrize("name", sorted(p.name for p in INTEROP.iterdir() if ".warc" in p.name)
                         if INTEROP.is_dir() else [])
def test_interop_files_express_equals_warcio(name: str) -> None:
    """Every interop file (read in place): the quick walk and warcio give the same lines or the same error."""
    assert_same(INTEROP / name)


def _odd_headers(tmp_path: Path) -> list[Path]:
    """Provpack archives whose records carry what the walk must leave to warcio or read just as warcio does."""
    import gzip

    data = _seed_records()
    swaps = [
        (b"WARC-Date: ", b"WARC-Date:   "),                      # blanks warcio strips
        (b"Content-Type: text/plain", b"content-type:text/plain"),
        (b"WARC-Type: resource\r\n", b"WARC-Type: resource\r\nWARC-Type: metadata\r\n"),   # first wins
        (b"WARC-Target-URI: urn:", b"WARC-Target-URI: <urn:"),
        (rb"(WARC-Target-URI: )(urn:[^\r]*)", rb"\1<\2>"),   # warcio strips the <>
        (rb"(WARC-Target-URI: urn:)([^\r]*)", rb"\1a b"),   # warcio writes %20
        (b"WARC-Type: metadata", b"WARC-Type: request"),   # no target URI: warcio fails
        (b"WARC-Type: metadata\r\n", b"WARC-Type: metadata\r\nX-Note: a\r\n b\r\n"),
        (b"WARC-Date: 2017", b"WARC-Date: 1017"),
        (b"WARC-Date: 2017-11-12T00:00:00Z", b"WARC-Date: yesterday"),
        (b"WARC-Payload-Digest: sha256:", b"X-Payload-Digest: sha256:"),   # warcio computes sha1
        (b"WARC-Type: metadata", b"WARC-Type: metadata\r\nWARC-Payload-Digest: "),
        (b"WARC/1.1\r\nWARC-Type: metadata", b"WARC/1.0\r\nWARC-Type: metadata"),
    ]
    paths = []
    for number, (old, new) in enumerate(swaps):
        changed = re.sub(old, new, data, count=1) if b"(" in old else data.replace(old, new, 1)
        assert changed != data, old
        records = [part for part in re.split(rb"(?=WARC/1\.[01]\r\nWARC-Type)", changed) if part]
        assert len(records) == 3
        plain = tmp_path / f"odd{number}.warc"
        plain.write_bytes(changed)
        gz = tmp_path / f"odd{number}.warc.gz"
        gz.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))
        paths += [plain, gz]
    return paths


def test_odd_headers_express_equals_warcio(tmp_path: Path) -> None:
    """Blanks, case, duplicate fields, <URI>, continuation lines, bad dates, missing payload digests, WARC/1.0."""
    for path in _odd_headers(tmp_path):
        assert_same(path)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=docs, captured=st.booleans(), plain=st.booleans())
def test_any_archive_express_equals_warcio(docs: list[Doc], captured: bool, plain: bool, tmp_path: Path) -> None:
    """For any excerpts, with or without HTTP captures, gzipped or plain: the quick walk's lines are warcio's."""
    import gzip

    warc = write_provpack_warc(tmp_path / "any.warc.gz", docs, captures=CAPTURES if captured else ())
    if plain:
        warc.with_suffix("").write_bytes(gzip.decompress(warc.read_bytes()))
        warc = warc.with_suffix("")
    assert_same(warc)


@settings(max_examples=200, deadline=None)
@given(digest=st.text("0123456789abcdef", min_size=64, max_size=64),
       other=st.sampled_from(["", "A", "0", "/", "%41", ":"]))
def test_content_urns_are_their_own_surt(digest: str, other: str) -> None:
    """The shortcut for provpack content URNs gives what surt gives, and near-misses still go to surt."""
    import surt

    from provpack.cdxj import _urlkey

    for url in (f"urn:provpack:sha256:{digest}", f"urn:provpack:sha256:{digest}{other}",
                f"urn:provpack:sha256:{other}{digest[1:]}", f"URN:provpack:sha256:{digest}"):
        _urlkey.cache_clear()
        assert _urlkey(url) == surt.surt(url), url


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.none() | st.text(max_size=8), min_size=5, max_size=5),
       numbers=st.tuples(st.integers(0, 2**40), st.integers(0, 2**40)))
def test_line_json_is_json_dumps(values: list[str | None], numbers: tuple[int, int]) -> None:
    """A line's JSON is byte for byte what json.dumps writes for its fields (as cdxj-indexer writes it)."""
    url, mime, status, digest, filename = values
    line = CdxjLine("key", "20170101000000", url, mime, status, digest, numbers[0], numbers[1],
                    filename or "a.warc.gz", "resource")
    assert str(line) == f"key 20170101000000 {json.dumps(line.fields())}"


@given(digest=st.binary(min_size=0, max_size=24))
def test_base32_is_b32encode(digest: bytes) -> None:
    """The digest's base32 is base64.b32encode's, for a sha1 digest and any other length."""
    import base64

    from provpack.cdxj import _base32

    assert _base32(digest) == base64.b32encode(digest).decode("ascii")


def test_an_http_record_without_a_target_uri_is_an_archive_error(tmp_path: Path) -> None:
    """warcio raises AttributeError on a response with no WARC-Target-URI: said as the record's fault, no
    traceback, by both readers."""
    from warcbuild import http_response, record, warc

    _, block = http_response(b"hello")
    path = tmp_path / "nourl.warc"
    path.write_bytes(warc([record("response", block, content_type="application/http; msgtype=response",
                                  target=None)]))
    express, warcio = both(path)
    assert express == warcio
    assert isinstance(express, str) and "an HTTP record with no WARC-Target-URI does this" in express
    assert express.endswith("an HTTP record with no WARC-Target-URI does this; check it with `provpack verify`")


def test_an_empty_file_is_not_a_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """index calls an empty file "not a WARC" (exit 2), as verify, show and wacz do; it printed nothing, exit 0."""
    from provpack.cli import main

    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    with pytest.raises(ArchiveError, match="empty.warc.gz: not a WARC file: the file is empty"):
        list(index(empty))
    for command in ("index", "verify", "show", "wacz"):
        assert main([command, str(empty)]) == 2, command
        assert "not a WARC file: the file is empty" in capsys.readouterr().err, command


POST_TEST = INTEROP / "post-test.warc.gz"
_BOUNDARY = "----provpackBoundary7MA4YWxk"
_MULTIPART = (
    f"--{_BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\ncaf\u00e9 & more\r\n"
    f"--{_BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
    f"Content-Type: application/octet-stream\r\n\r\n\x00\x01 ok\r\n--{_BOUNDARY}--\r\n"
).encode("utf-8")
POSTS = (   # (method, URL, Content-Type, body, request first)
    ("POST", "https://api.example.org/items?page=2", "application/json",
     b'{"name": "x", "tags": ["a", "b"], "nested": {"name": "y", "n": 3}}', True),
    ("POST", "https://forms.example.org/upload", f"multipart/form-data; boundary={_BOUNDARY}", _MULTIPART, False),
    ("POST", "http://forms.example.org/login", "application/x-www-form-urlencoded", b"user=ann+b&pw=%26x", True),
    ("PUT", "https://api.example.org/blob", "application/octet-stream", bytes(range(256)), False),
    ("POST", "https://api.example.org/text", "text/plain", b"just words", True),
    ("POST", "https://api.example.org/lines", "application/json", b'{"a": 1}\n{"a": 2}', False),
    ("GET", "https://www.example.org/page", None, b"", True),
)


def write_post_warc(path: Path, posts: Sequence[tuple[str, str, str | None, bytes, bool]] = POSTS) -> Path:
    """A WARC of request/response pairs in both orders (by default: JSON, multipart, form, binary and text bodies)."""
    with warnings.catch_warnings():   # warcio's writer leaves the spool file it digests a record into unclosed
        warnings.simplefilter("ignore", ResourceWarning)
        _write_pairs(path, posts)
        gc.collect()
    return path


def _write_pairs(path: Path, posts: Sequence[tuple[str, str, str | None, bytes, bool]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for number, (method, url, content_type, body, request_first) in enumerate(posts):
            date = f"2020-01-02T03:04:{number:02d}Z"
            request_headers = [("Host", url.split("/")[2])]
            if content_type is not None:
                request_headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            target = "/" + url.split("/", 3)[3]
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(body),
                http_headers=StatusAndHeaders(f"{method} {target} HTTP/1.1", request_headers, is_http_request=True),
                warc_headers_dict={"WARC-Date": date})
            answer = f"answer {number}".encode()
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(answer),
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/plain"),
                                                         ("Content-Length", str(len(answer)))],
                                              protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": date})
            first, second = (request, response) if request_first else (response, request)
            second.rec_headers.add_header("WARC-Concurrent-To", first.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(first)
            writer.write_record(second)


@pytest.mark.skipif(not POST_TEST.is_file(), reason="shared interop WARCs not present")
@pytest.mark.parametrize("sort", [True, False])
def test_post_append_matches_cdxj_indexer_on_post_test(sort: bool, tmp_path: Path) -> None:
    """post_append keys the POST of pywb's post-test.warc.gz as `cdxj-indexer --post-append` does."""
    expected = cdxj_indexer(POST_TEST, tmp_path, "--post-append", *(["--sort"] if sort else []))
    got = ours(POST_TEST, sort=sort, post_append=True)
    assert got == expected
    assert "__wb_method=post&foo=bar&test=abc" in got and '"method": "POST"' in got


@pytest.mark.parametrize("records", [None, ("response", "request"), ("response", "revisit", "resource", "metadata")])
def test_post_append_matches_cdxj_indexer_on_json_multipart_and_binary(
    records: tuple[str, ...] | None, tmp_path: Path
) -> None:
    """JSON, multipart, form, text and binary POST/PUT bodies give cdxj-indexer --post-append's keys,
    whichever of the request and the response comes first."""
    warc = write_post_warc(tmp_path / "posts.warc.gz")
    option = ["--records", "all" if records is None else ",".join(records)]
    expected = cdxj_indexer(warc, tmp_path, "--post-append", "--sort", *option)
    got = ours(warc, post_append=True, records=records)
    assert got == expected
    assert "__wb_method=put&__wb_post_data=" in got and "name=x&tags=a&tags.2_=b" in got
    assert "\"requestBody\": \"note=caf%C3%A9+%26+more&file=%00%01+ok\"" in got and "__wb_method=get" not in got


def test_a_post_body_the_temporary_folder_cannot_hold_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               full_tmpdir: FullTemporaryFolder) -> None:
    """A POST body past the spool's size goes to a temporary file, as cdxj-indexer's does: one that cannot be written
    is said of the temporary folder, with what to do, not as a bare OSError (nor as the archive's)."""
    full_tmpdir.room = 1 << 30   # (while the archive is written)
    warc = write_post_warc(tmp_path / "posts.warc.gz", POSTS[:1])
    full_tmpdir.room = 0
    monkeypatch.setattr(cdxj, "_SPOOL_SIZE", 8)
    with pytest.raises(ProvpackError) as caught:
        ours(warc, post_append=True)
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold a POST or PUT request's body in this temporary folder (past 64 KiB it is "
        "kept there, as cdxj-indexer does): disk full (no space left on device); free space there, or set TMPDIR to "
        "another folder")


def test_post_append_changes_nothing_without_posts(provpack_warc: Path) -> None:
    """An archive with no POST or PUT exchange gets the same index with or without post_append."""
    assert ours(provpack_warc, post_append=True) == ours(provpack_warc)
    assert ours(provpack_warc, post_append=True, records=None) == ours(provpack_warc, records=None)


def test_records_default_only_in_cdxj_indexers_order(tmp_path: Path) -> None:
    """warc-fields records are skipped only for the default list in cdxj-indexer's order, as it does."""
    from warcbuild import record, warc

    path = tmp_path / "fields.warc.gz"
    path.write_bytes(warc([
        record("metadata", b"software: x\r\n", content_type="application/warc-fields",
               headers=[("WARC-Target-URI", "metadata://example.org/fields")]),
        record("resource", b"text", content_type="text/plain", headers=[("WARC-Target-URI", "https://example.org/t")]),
    ]))
    counts = []
    for order in ("response,revisit,resource,metadata", "metadata,resource,response,revisit"):
        expected = cdxj_indexer(path, tmp_path, "--sort", "--records", order)
        assert ours(path, records=tuple(order.split(","))) == expected, order
        counts.append(expected.count("\n") if expected else None)
    assert counts == [1, 2]
    assert ours(path, records=DEFAULT_RECORDS) == cdxj_indexer(path, tmp_path, "--sort")


@pytest.mark.parametrize("express", [True, False])
def test_an_archive_cut_off_is_said_to_be_truncated(tmp_path: Path, express: bool,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Cut inside a member's header, block or trailer: index (quick walk or warcio) says where, writes nothing."""
    import provpack
    from provpack.cli import main

    source = tmp_path / "src"
    source.mkdir()
    for number in (1, 2, 3):
        (source / f"d{number}.txt").write_text(f"doc {number} text " * 200, encoding="utf-8")
    warc = provpack.package(source, out=tmp_path / "a.warc.gz").warc_path
    data = warc.read_bytes()
    whole = list(index(warc, records=None))
    cut = tmp_path / "cut.warc.gz"
    out = tmp_path / "cut.cdxj"
    for member in whole[3:5]:   # doc 2's text and its provenance
        start, length = member.offset, member.length
        for end in (start + 1, start + 5, start + 50, start + 85, start + length // 2, start + length - 4,
                    start + length - 1):
            cut.write_bytes(data[:end])
            said = f"truncated at byte {start}: gzip member ends after {end - start} byte"
            for records in (None, DEFAULT_RECORDS):
                with pytest.raises(IntegrityError, match=said):
                    list(index(cut, records=records, express=express))
            if express:
                capsys.readouterr()
                assert main(["index", str(cut), "-o", str(out)]) == 1
                assert said in capsys.readouterr().err and not out.exists()
    cut.write_bytes(data)
    assert list(index(cut, filename=warc.name, records=None, express=express)) == whole


def test_all_names_the_public_api() -> None:
    """__all__ names what `from provpack.cdxj import *` gives, and each name exists."""
    import provpack.cdxj

    assert provpack.cdxj.__all__ == ["DEFAULT_RECORDS", "RECORD_TYPES", "CdxjLine", "archive_date", "cdxj_text",
                                     "check_record_types", "index", "write_index"]
    assert all(hasattr(provpack.cdxj, name) for name in provpack.cdxj.__all__)


@pytest.mark.parametrize("body", [None, "", "a=1&b=caf\u00e9"])
def test_a_post_responses_json_is_json_dumps(body: str | None) -> None:
    """A line with a method (a POST response with post_append) ends in requestBody, null when unknown, and method."""
    line = CdxjLine("key", "20170101000000", "https://example.org/", "text/html", "200", "sha1:AB", 5, 7,
                    "a.warc.gz", "response", method="POST", request_body=body)
    assert str(line) == f"key 20170101000000 {json.dumps(line.fields())}"
    assert str(line).endswith(f'"requestBody": {json.dumps(body)}, "method": "POST"}}')



def _raw_post_warc(path: Path, body: bytes, content_length: int) -> Path:
    """A POST request (its Content-Length as given) and its response, neither with a WARC-Payload-Digest."""
    from warcbuild import http_response, record, warc

    url = "https://forms.example.org/login"
    request = (b"POST /login HTTP/1.1\r\nHost: forms.example.org\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s" % (content_length, body))
    _, response = http_response(b"hello")
    path.write_bytes(warc([
        record("request", request, record_id="<urn:uuid:1>", content_type="application/http; msgtype=request",
               headers=[("WARC-Target-URI", url)]),
        record("response", response, content_type="application/http; msgtype=response",
               headers=[("WARC-Target-URI", url), ("WARC-Concurrent-To", "<urn:uuid:1>")]),
    ]))
    return path


def test_post_append_reads_the_body_to_its_content_length(tmp_path: Path) -> None:
    """The query is made of the request body up to its Content-Length, as cdxj-indexer --post-append makes it."""
    path = _raw_post_warc(tmp_path / "post.warc.gz", b"user=ann+b&pw=%26x", 10)
    got = ours(path, post_append=True)
    assert got == cdxj_indexer(path, tmp_path, "--post-append", "--sort")
    assert '"requestBody": "user=ann b", "method": "POST"' in got


def test_post_append_digests_a_request_without_a_payload_digest(tmp_path: Path) -> None:
    """A POST request with no WARC-Payload-Digest gets the digest it gets without post_append (its block read again
    after it was turned into a query): the one documented difference from cdxj-indexer --post-append, which gives
    the sha1 of an empty block there."""
    body = b"user=ann+b&pw=%26x"
    path = _raw_post_warc(tmp_path / "post.warc.gz", body, len(body))

    def digests(text: str) -> list[str]:
        return [json.loads(line.split(" ", 2)[2])["digest"] for line in text.splitlines()]

    got = ours(path, post_append=True, records=None, sort=False)
    assert digests(got) == digests(ours(path, records=None, sort=False))
    assert digests(got)[0] == "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    reference = cdxj_indexer(path, tmp_path, "--post-append", "--records", "all")
    empty = "sha1:" + base64.b32encode(hashlib.sha1(b"").digest()).decode()
    assert digests(reference)[0] == empty
    assert got == reference.replace(empty, digests(got)[0], 1)


@pytest.mark.parametrize("members", [1, 100])
def test_gzip_of_nothing_is_not_a_warc_but_a_gzipped_arc_is_indexed(tmp_path: Path, members: int) -> None:
    """Gzip members of nothing, which warcio reads as no record (index gave no line, exit 0): not a WARC file, as
    verify says it; an ARC file's gzip members are indexed still, as cdxj-indexer indexes them."""
    import gzip

    path = tmp_path / "x.warc.gz"
    path.write_bytes(gzip.compress(b"", mtime=0) * members)
    with pytest.raises(ArchiveError) as caught:
        list(index(path))
    assert str(caught.value) == (f"{path}: not a WARC file: it is gzip, but what it holds does not start with a WARC "
                                 "record (WARC/)")
    body = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    payload = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\nhello"
    arc = tmp_path / "t.arc.gz"
    arc.write_bytes(gzip.compress(b"filedesc://t.arc 0.0.0.0 20200101000000 text/plain %d\n%b\n" % (len(body), body),
                                  mtime=0)
                    + gzip.compress(b"http://example.org/ 1.2.3.4 20200101000000 text/html %d\n%b\n"
                                    % (len(payload), payload), mtime=0))
    assert [str(line) for line in index(arc)] == [
        'org,example)/ 20200101000000 {"url": "http://example.org/", "mime": "text/html", "status": "200", "digest": '
        '"sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N", "length": "112", "offset": "122", "filename": "t.arc.gz"}']


def test_archive_date_of_gzip_of_nothing_is_refused(tmp_path: Path) -> None:
    """A .warc.gz holding only an empty gzip member is not a WARC file: index refuses it, as verify does (it gave no
    line, so no date, and wacz refused it for that)."""
    import gzip

    path = tmp_path / "empty.warc.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(ArchiveError, match="not a WARC file: it is gzip, but what it holds does not start"):
        archive_date(path)


@pytest.mark.parametrize("date", ["2020", "2020-01", "2020-01-02", "2020-01-02T03:04Z", "2016-12-31T23:59:60Z",
                                  "2020-01-02T03:04:05+00:00", "2020-01-02T03:04:05", "0000-01-01T00:00:00Z",
                                  "2020-02-30T00:00:00Z", "2020-01-02T03:04:05Z", "2020-01-02T03:04:05.123456789Z",
                                  "2016-12-31T23:59:59.5Z", "99999999999999999999-01-01T00:00:00Z"])
@pytest.mark.parametrize("express", [True, False])
def test_index_refuses_only_dates_verify_reports(date: str, express: bool, tmp_path: Path) -> None:
    """`index` (and so `wacz`) reads a WARC-Date as warcio does, keys as cdxj-indexer's; a date it cannot read
    is refused saying why, in verify's words (warcheader.date_fault), and verify reports every such date (it
    passed `2020`, `2020-01` and a leap second, which index refused). A date warcio reads that WARC 1.1 does not
    allow (no seconds, no Z) is indexed, and reported by verify. A year too large for a C long (warcio's
    OverflowError) is refused too (it was that OverflowError, a crash)."""
    from readback import check
    from warcbuild import record, warc

    from provpack.warcheader import date_fault

    path = tmp_path / "dated.warc"
    first = record("resource", b"text", content_type="text/plain", target="https://example.org/t")
    second = record("resource", b"more", content_type="text/plain", target="https://example.org/u", date=date)
    path.write_bytes(warc([first, second], gzip=False))
    fault = date_fault(date.encode())
    assert (fault is None) == (date in ("2020-01-02T03:04:05Z", "2020-01-02T03:04:05.123456789Z",
                                        "2016-12-31T23:59:59.5Z"))
    report = check(path.read_bytes())
    if fault is None:
        assert report.ok and len(list(index(path, express=express))) == 2
        return
    assert [(p.offset, p.kind, p.message) for p in report.problems] == [
        (len(first), "malformed-header", f"WARC-Date {date!r} {fault}")]
    read = {"2020-01-02": "20200102000000", "2020-01-02T03:04Z": "20200102030400",
            "2020-01-02T03:04:05": "20200102030405"}   # what warcio makes of them
    if date in read:
        assert [line.timestamp for line in index(path, express=express)][1] == read[date]
        return
    with pytest.raises(ArchiveError) as caught:
        list(index(path, express=express))
    assert str(caught.value) == f"{path}: the record at byte {len(first)} has a bad WARC-Date {date!r}: it {fault}"


@pytest.mark.parametrize("express", [True, False])
def test_a_year_before_1000_is_keyed_in_14_digits(express: bool, tmp_path: Path) -> None:
    """A WARC-Date before the year 1000, which verify passes, is keyed in 14 digits, its year in 4: warcio's strftime
    gave 13 or fewer on Linux before Python 3.13 (`9991231235959`), which sorted after the year 2020, archive_date
    read as the year 9990, and for the year 0001 (`10101000000`) failed on with strptime's ValueError, a crash."""
    from readback import check
    from warcbuild import record, warc

    path = tmp_path / "early.warc"
    records = [record("resource", b"text", content_type="text/plain", target="https://example.org/t", date=date)
               for date in ("0001-01-01T00:00:00Z", "0999-12-31T23:59:59Z", "2020-01-02T03:04:05Z")]
    path.write_bytes(warc(records, gzip=False))
    assert check(path.read_bytes()).ok
    assert [line.timestamp for line in index(path, express=express)] == [
        "00010101000000", "09991231235959", "20200102030405"]
    assert [line.split(" ")[1] for line in ours(path).splitlines()] == [
        "00010101000000", "09991231235959", "20200102030405"]
    assert archive_date(path) == datetime(1, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("express", [True, False])
def test_a_record_without_a_date_is_named(express: bool, tmp_path: Path) -> None:
    """A record with no WARC-Date cannot be indexed: said with its type and byte, by both readers."""
    from warcbuild import record, warc

    path = tmp_path / "nodate.warc"
    first = record("resource", b"text", content_type="text/plain", headers=[("WARC-Target-URI", "https://example.org/t")])
    second = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n"
    path.write_bytes(warc([first], gzip=False) + second)
    with pytest.raises(ArchiveError) as caught:
        list(index(path, express=express))
    assert str(caught.value) == (f"{path}: the resource record at byte {len(warc([first], gzip=False))} "
                                 "has no WARC-Date; a WARC record needs one to be indexed")
    path.write_bytes(warc([first], gzip=False) + second.replace(b"WARC-Type: resource\r\n", b""))
    with pytest.raises(ArchiveError) as caught:
        list(index(path, express=express, records=None))
    assert str(caught.value) == (f"{path}: the record at byte {len(warc([first], gzip=False))} "
                                 "has no WARC-Date; a WARC record needs one to be indexed")


@pytest.mark.parametrize("express", [True, False])
def test_a_record_without_a_date_is_named_before_later_damage(express: bool, tmp_path: Path) -> None:
    """The same in a gzipped WARC with bytes that are not gzip data after a later member: the record warcio cannot
    index is said (exit 2), not the damage further on, which the index never reached."""
    from warcbuild import gzip_member, record, warc

    path = tmp_path / "nodate.warc.gz"
    first = record("resource", b"text", content_type="text/plain", headers=[("WARC-Target-URI", "https://example.org/t")])
    second = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n"
    third = record("resource", b"more", content_type="text/plain", headers=[("WARC-Target-URI", "https://example.org/u")])
    path.write_bytes(warc([first]) + gzip_member(second) + warc([third]) + b"junk" + warc([third]))
    with pytest.raises(ArchiveError) as caught:
        list(index(path, express=express))
    assert str(caught.value) == (f"{path}: the resource record at byte {len(warc([first]))} "
                                 "has no WARC-Date; a WARC record needs one to be indexed")


_TYPES = "continuation,conversion,metadata,request,resource,response,revisit,warcinfo"


@pytest.mark.parametrize(("records", "message"), [
    ("resource", "records: not a collection of WARC record types: str 'resource'; give ['resource'] for one type, "
                 "a list of names, or None"),
    (5, "records: not a collection of WARC record types: int 5; give a list of names, or None"),
    ((), f"records: no WARC record type given; use None or some of {_TYPES}"),
    (["resource", "page", "Response"], f"records: not WARC record types: Response, page; use None or some of {_TYPES}"),
    ([b"resource"], f"records: not WARC record types: b'resource'; use None or some of {_TYPES}"),
])
def test_records_that_name_no_record_type_are_refused(records: object, message: str, provpack_warc: Path,
                                                      tmp_path: Path) -> None:
    """A bare str (whose letters are no types), no type, or a name that is no WARC-Type is an InputError at
    the call, as the command refuses them, not an index of nothing; write_index writes no file."""
    with pytest.raises(InputError) as caught:
        index(provpack_warc, records=records)  # type: ignore[arg-type]
    assert str(caught.value) == message
    with pytest.raises(InputError) as caught:
        write_index(provpack_warc, tmp_path / "out.cdxj", records=records)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert not (tmp_path / "out.cdxj").exists()



@pytest.mark.parametrize("express", [True, False])
def test_an_empty_payload_digest_is_computed_where_cdxj_indexer_writes_it_empty(express: bool, tmp_path: Path) -> None:
    """A record whose WARC-Payload-Digest is there but empty gets the sha1 of its payload, as one without the
    header gets it (and as pywb needs to pair a revisit with it): the documented difference from cdxj-indexer,
    which appends the digest warcio computes but writes the first, empty, header; the rest is the same."""
    from warcbuild import record, warc

    from provpack.cdxj import cdxj_text, index

    body = b"hello world\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n" + body
    path = tmp_path / "empty-digest.warc.gz"
    path.write_bytes(warc([
        record("resource", body, content_type="text/plain", target="http://example.com/x",
               headers=[("WARC-Payload-Digest", "")]),
        record("response", http, content_type="application/http; msgtype=response", target="http://example.com/y",
               headers=[("WARC-Payload-Digest", "")]),
    ]))
    sha1 = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
    got = cdxj_text(index(path, express=express))
    assert [json.loads(line.split(" ", 2)[2])["digest"] for line in got.splitlines()] == [sha1, sha1]
    assert cdxj_indexer(path, tmp_path, "--sort") == got.replace(sha1, "")


def test_the_index_names_the_archive_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names) `index café.warc.gz` writes the lines a UTF-8 locale writes, "filename"
    the name's bytes read as UTF-8, where it refused the name as not UTF-8 (0xC3 0xA9) (and a Latin-1 locale wrote
    "caf\\u00c3\\u00a9.warc.gz")."""
    (tmp_path / "caf\u00e9.warc.gz").write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
    written = []
    for env, out in ((utf8_env(), "u.cdxj"), (locale_env(tmp_path, C_LOCALE), "c.cdxj")):
        done = run_in(env, tmp_path, "-q", "index", "caf\u00e9.warc.gz", "-o", out)
        assert (done.returncode, done.stderr) == (0, b"")
        written.append((tmp_path / out).read_bytes())
    assert written[0] == written[1] and written[0].count(b'"filename": "caf\\u00e9.warc.gz"') == 2
