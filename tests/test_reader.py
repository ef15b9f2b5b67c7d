"""Tests for provpack.reader: reading documents back and extracting exact bytes."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import provpack
from provpack.errors import ArchiveError, InputError, IntegrityError
from provpack.jsondepth import MAX_DEPTH
from provpack import reader
from provpack.cli import main
from provpack.reader import ArchivedDocument, extract, find, read_archive
from provpack.verify import verify

from conftest import SEED_NAME, SEEDS


@pytest.fixture
def seed_archive(seed_dir: Path, tmp_path: Path, fixed_date: dt.datetime) -> Path:
    return provpack.package(seed_dir, out=tmp_path / "s.warc.gz", date=fixed_date).warc_path


def test_read_archive(seed_archive: Path) -> None:
    """Each document comes back with its provenance and the offset of its text."""
    (document,) = read_archive(seed_archive)
    assert document.name == SEED_NAME and document.length_bytes == 2865
    assert document.offset is not None and document.offset > 0
    assert [e["start"] for e in document.provenance["elisions"]] == [1019, 1801]


def test_extract_is_byte_exact(seed_archive: Path) -> None:
    """extract writes the very bytes that were packaged."""
    out = io.BytesIO()
    extract(seed_archive, SEED_NAME, out)
    assert out.getvalue() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()


def test_extract_detects_changed_text(seed_archive: Path, tmp_path: Path) -> None:
    """A text altered inside the archive is refused as an integrity problem (exit 1)."""
    import gzip
    import zlib

    data = seed_archive.read_bytes()
    members = []
    while data:
        d = zlib.decompressobj(31)
        members.append(d.decompress(data))
        data = d.unused_data
    members[1] = members[1].replace(b"Tehran was next", b"Tehran was last")
    tampered = tmp_path / "t.warc.gz"
    tampered.write_bytes(b"".join(gzip.compress(m, mtime=0) for m in members))
    with pytest.raises(IntegrityError) as caught:
        extract(tampered, SEED_NAME, io.BytesIO())
    assert caught.value.exit_code == 1
    with open(tmp_path / "back.txt", "wb") as out:   # the README's example: nothing reaches the file
        with pytest.raises(IntegrityError, match="nothing was written"):
            extract(tampered, SEED_NAME, out)
    assert (tmp_path / "back.txt").read_bytes() == b""


def test_extract_holds_a_large_text_in_a_temporary_file(seed_archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bytes held in memory the text is held on disk until checked, and comes back whole."""
    import importlib

    monkeypatch.setattr(importlib.import_module("provpack.reader"), "_HELD_IN_MEMORY", 100)
    out = io.BytesIO()
    extract(seed_archive, SEED_NAME, out)
    assert out.getvalue() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()


def test_a_temporary_folder_that_cannot_hold_the_text_is_named(seed_archive: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """When the text held back goes past memory and the temporary folder cannot take it, the error names that
    folder (not the output), exit 2, and nothing reaches `dest`; hold=False needs no temporary folder."""
    import importlib
    import tempfile

    monkeypatch.setattr(importlib.import_module("provpack.reader"), "_HELD_IN_MEMORY", 100)
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    out = io.BytesIO()
    with pytest.raises(provpack.ProvpackError) as caught:
        extract(seed_archive, SEED_NAME, out)
    assert caught.value.exit_code == 2 and out.getvalue() == b""
    message = str(caught.value)
    assert message.startswith(f"{missing}: cannot hold '{SEED_NAME}' in this temporary folder")
    assert "No such file or directory; nothing was written; free space there, or set TMPDIR" in message
    extract(seed_archive, SEED_NAME, out, hold=False)
    assert out.getvalue() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()


def test_extract_unheld_writes_as_it_reads_and_still_checks(seed_archive: Path, tmp_path: Path) -> None:
    """hold=False writes each byte to `dest` as it is read, and still raises IntegrityError on a changed text;
    the bytes are then cut off `dest` again where they are its end and it can be cut (a file, a BytesIO), and
    the error says "nothing was written" only then: where they stay (a pipe, bytes of the caller's after them), it
    says they were written, where it said "nothing was written" of bytes in `dest`."""
    import gzip
    import os

    plain = gzip.decompress(seed_archive.read_bytes())
    tampered = tmp_path / "t.warc"
    tampered.write_bytes(plain.replace(b"Tehran was next", b"Tehran was last"))
    (document,) = read_archive(tampered)
    text = (SEEDS / f"{SEED_NAME}.txt").read_bytes().replace(b"Tehran was next", b"Tehran was last")
    mismatch = (f"{tampered}: {SEED_NAME}: extracted bytes (sha256 {hashlib.sha256(text).hexdigest()}, {len(text)} "
                f"bytes) do not match the recorded sha256 {document.sha256}; ")

    def error(dest: object) -> str:
        with pytest.raises(IntegrityError) as caught:
            extract(tampered, SEED_NAME, dest, hold=False)  # type: ignore[arg-type]
        message = str(caught.value)
        assert message.startswith(mismatch)
        return message[len(mismatch):]

    out = io.BytesIO()
    out.write(b"caller's own bytes before")
    assert error(out) == "nothing was written; run 'provpack verify'"
    assert out.getvalue() == b"caller's own bytes before"
    with open(tmp_path / "back.txt", "wb") as file:
        assert error(file) == "nothing was written; run 'provpack verify'"
    assert (tmp_path / "back.txt").read_bytes() == b""
    longer = tmp_path / "longer.txt"
    longer.write_bytes(b"x" * 10_000)
    with open(longer, "r+b") as file:   # the caller's bytes after the text's: they are not cut
        assert error(file) == (f"its {document.length_bytes:,} bytes were written to the output as they were read "
                               "(hold=False), which cannot be cut back: throw it away; run 'provpack verify'")
    assert longer.read_bytes() == text + b"x" * (10_000 - len(text))
    exact = io.BytesIO(b"Z" * (2_000 + len(text)))   # the caller's bytes end where the text's would: not ours
    exact.seek(2_000)
    assert error(exact) == (f"its {document.length_bytes:,} bytes were written to the output as they were read "
                            "(hold=False), which cannot be cut back: throw it away; run 'provpack verify'")
    assert exact.getvalue() == b"Z" * 2_000 + text
    reading, writing = os.pipe()
    with open(writing, "wb", buffering=0) as pipe, open(reading, "rb") as back:
        assert error(pipe) == (f"its {document.length_bytes:,} bytes were written to the output as they were read "
                               "(hold=False), which cannot be cut back: throw it away; run 'provpack verify'")
        pipe.close()
        assert b"Tehran was last" in back.read()


class _Failing(io.RawIOBase):
    """A stream of no file name whose every write raises `error`."""

    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise self.error


@pytest.mark.parametrize("hold", [True, False], ids=["held", "unheld"])
def test_a_write_to_dest_that_fails_is_an_archive_error_naming_it(seed_archive: Path, hold: bool) -> None:
    """A write to the caller's stream that fails (a full disk) is an ArchiveError (an OSError still) naming the
    stream, by its file name or else the argument, and the document (was the write's bare OSError); a pipe whose
    reader has gone stays BrokenPipeError, as print() raises it."""
    import errno

    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(ArchiveError) as caught:
        extract(seed_archive, SEED_NAME, full, hold=hold)
    assert str(caught.value) == (f"/dev/full: could not write '{SEED_NAME}': disk full (no space left on device); the "
                                 "output is incomplete; free some space, then run again")
    assert isinstance(caught.value, OSError) and caught.value.exit_code == 2
    with pytest.raises(ArchiveError) as caught:
        extract(seed_archive, SEED_NAME, _Failing(OSError(errno.EIO, "Input/output error")),  # type: ignore[arg-type]
                hold=hold)
    assert str(caught.value) == (f"dest: could not write '{SEED_NAME}': Input/output error; the output is incomplete; "
                                 "check what it writes to, then run again")
    with pytest.raises(BrokenPipeError):
        extract(seed_archive, SEED_NAME, _Failing(BrokenPipeError(errno.EPIPE, "Broken pipe")),  # type: ignore[arg-type]
                hold=hold)


def test_extract_to_a_file_on_a_full_disk_names_the_output(seed_archive: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`extract -o FILE` on a full disk names FILE, not its temp file (whose failure the command says, not the
    library's extract), and leaves nothing."""
    from provpack import atomic

    opened = atomic._open_temp

    def open_temp(path: Path) -> tuple[Path, object]:
        temp_path, handle = opened(path)
        handle.close()
        return temp_path, open("/dev/full", "wb", buffering=0)

    monkeypatch.setattr(atomic, "_open_temp", open_temp)
    out = tmp_path / "back.txt"
    assert main(["extract", str(seed_archive), SEED_NAME, "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {out}: disk full (no space left on device) while writing; "
                                       "nothing was changed; free some space, then run again\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["s.warc.gz", "s.warc.gz.sha256", "seeds"]


def test_missing_and_foreign_files(tmp_path: Path) -> None:
    """A missing file or a non-WARC is an ArchiveError naming it."""
    with pytest.raises(ArchiveError, match="none.warc.gz: no such file; check the path$"):
        read_archive(tmp_path / "none.warc.gz")
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a warc file at all\n" * 10)
    with pytest.raises(ArchiveError, match="junk.warc.gz"):
        read_archive(junk)


def test_unknown_name_lists_documents(seed_archive: Path) -> None:
    """Asking for a name that is not there lists the names that are."""
    with pytest.raises(ArchiveError, match=SEED_NAME):
        extract(seed_archive, "nope", io.BytesIO())


def test_bad_content_length_is_said_as_damage_not_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """read_archive never prints: warcio's warning about a wrong Content-Length is not written to stderr; the
    Content-Length (too small) is damage as verify finds it, read past with on_damage."""
    import gzip
    import re

    from conftest import ARCHIVE

    data = gzip.decompress((ARCHIVE / "seeds.warc.gz").read_bytes())
    length = int(re.search(rb"Content-Length: (\d+)", data).group(1))  # type: ignore[union-attr]
    path = tmp_path / "short.warc"
    path.write_bytes(data.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length - 10), 1))
    with caplog.at_level("WARNING", logger="provpack"):
        with pytest.raises(IntegrityError) as caught:
            read_archive(path)
        damage: list[IntegrityError] = []
        (document,) = read_archive(path, on_damage=damage.append)
    assert document.name == SEED_NAME
    assert [str(error) for error in damage] == [str(caught.value)]
    assert str(caught.value).startswith(f"{path}: the record at byte 0: the {length - 10}-byte block (Content-Length)"
                                        " is followed by ")
    assert capfd.readouterr().err == "" and caplog.records == []


def test_unknown_name_in_a_large_archive_says_how_many_and_which_are_close(tmp_path: Path) -> None:
    """Past 20 documents the list is cut with a count of the rest, and names close to the one asked for come first."""
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(25):
        (folder / f"doc{number:02d}.txt").write_bytes(b"A [...] B %d\n" % number)
    warc = provpack.package(folder, out=tmp_path / "many.warc.gz", jobs=1).warc_path
    with pytest.raises(ArchiveError) as caught:
        extract(warc, "doc24.txt", io.BytesIO())
    message = str(caught.value)
    assert "similar: 'doc24'" in message and "and 5 more" in message
    with pytest.raises(ArchiveError) as caught:
        extract(warc, "zzz", io.BytesIO())
    assert "similar" not in str(caught.value) and "'doc00', 'doc01'" in str(caught.value)


def test_a_name_in_another_unicode_normalisation_is_found(tmp_path: Path) -> None:
    """'Zürich Café' typed in NFD (as macOS gives names) finds the NFC-named document; when two documents
    differ only in normalisation, an exact name still wins and any other spelling is an error naming both."""
    import unicodedata

    folder = tmp_path / "names"
    folder.mkdir()
    nfc = "Z\u00fcrich Caf\u00e9"
    nfd = unicodedata.normalize("NFD", nfc)
    mixed = "Z\u00fcrich Cafe\u0301"   # one letter composed, one not: equal to neither
    (folder / f"{nfc}.txt").write_bytes(b"A [...] B\n")
    (folder / "other.txt").write_bytes(b"C [...] D\n")
    warc = provpack.package(folder, out=tmp_path / "one.warc.gz", jobs=1).warc_path
    out = io.BytesIO()
    assert extract(warc, nfd, out).name == nfc and out.getvalue() == b"A [...] B\n"
    (folder / f"{nfd}.txt").write_bytes(b"E [...] F\n")
    warc = provpack.package(folder, out=tmp_path / "two.warc.gz", jobs=1).warc_path
    assert extract(warc, nfd, io.BytesIO()).name == nfd
    with pytest.raises(ArchiveError, match="2 names differ from it only in Unicode normalisation"):
        extract(warc, mixed, io.BytesIO())


def test_unreadable_record_is_quoted_short_and_escaped(seed_archive: Path, tmp_path: Path) -> None:
    """A line warcio cannot read is quoted in the error cut short, its escape sequences and CR LF escaped."""
    import gzip

    path = tmp_path / "evil.warc"   # (a version line no WARC has: bytes that are no record at all are junk, below)
    path.write_bytes(gzip.decompress(seed_archive.read_bytes())
                     + b"WARC/\x1b[31mEVIL\x1b]0;title\x07 " + b"x" * 500 + b"\r\n\r\n")
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    message = str(caught.value)
    assert "first line: 'WARC/\\x1b[31mEVIL\\x1b]0;title\\x07 xxx" in message
    assert not any(char in message for char in "\x1b\x07\r\n") and "x" * 60 not in message
    assert message.endswith("; run 'provpack verify' on it for details")


def test_junk_is_quoted_short_and_escaped(seed_archive: Path, tmp_path: Path) -> None:
    """Bytes that are no record after the last one are damage (exit 1), quoted cut short and escaped."""
    import gzip

    path = tmp_path / "junk.warc"
    path.write_bytes(gzip.decompress(seed_archive.read_bytes())
                     + b"\x1b[31mEVIL\x1b]0;title\x07 " + b"x" * 500 + b"\r\n\r\n")
    with pytest.raises(IntegrityError) as caught:
        read_archive(path)
    assert str(caught.value) == (
        f"{path}: no WARC record starts at byte {path.stat().st_size - 524} (524 bytes that are not a WARC record "
        "after the last record; the bytes there: '\\x1b[31mEVIL\\x1b]0;title\\x07 xxxxxxxxxxxxxxxxxxxx'...); "
        "`provpack verify` gives the full report")


def test_names_in_an_unknown_name_error_are_escaped(tmp_path: Path) -> None:
    """A document name holding an escape sequence is listed escaped, and so is the name asked for."""
    folder = tmp_path / "esc"
    folder.mkdir()
    (folder / "a\x1b[31mRED.txt").write_bytes(b"A [...] B\n")
    warc = provpack.package(folder, out=tmp_path / "esc.warc.gz", jobs=1).warc_path
    with pytest.raises(ArchiveError) as caught:
        extract(warc, "nope\x1b]0;x\x07", io.BytesIO())
    message = str(caught.value)
    assert "(documents: 'a\\x1b[31mRED')" in message and "'nope\\x1b]0;x\\x07'" in message
    assert "\x1b" not in message and "\x07" not in message


def test_extract_errors_escape_what_the_archive_gives(tmp_path: Path) -> None:
    """A document name holding an escape sequence (and a record id and digest from the provenance JSON) is spelled
    out in extract's IntegrityErrors, as show prints it (and the command's messages, which escape them whole):
    the library's raw text carried the terminal's escape sequences to a caller that prints it."""
    import dataclasses
    import zlib

    folder = tmp_path / "esc"
    folder.mkdir()
    (folder / "a\x1b[31mRED.txt").write_bytes(b"A [...] B\n")
    warc = provpack.package(folder, out=tmp_path / "esc.warc.gz", jobs=1).warc_path
    (document,) = read_archive(warc)
    assert document.offset is not None
    data = warc.read_bytes()
    members = []
    while data:
        inflater = zlib.decompressobj(31)
        members.append(inflater.decompress(data))
        data = inflater.unused_data
    shown = "a\\x1b[31mRED"
    cases: list[tuple[Path | str, object, str]] = []
    missing = tmp_path / "missing.warc.gz"
    missing.write_bytes(b"".join(gzip.compress(m, mtime=0) for m in (members[0], members[2])))
    cases.append((missing, document.name, f"{missing}: the provenance record at byte {len(gzip.compress(members[0], mtime=0))} names the resource record "
                  f"'{document.record_id}' as the text of '{shown}', and no resource record in the file has that "
                  "WARC-Record-ID; `provpack verify` gives the full report"))
    changed = tmp_path / "changed.warc.gz"
    changed.write_bytes(b"".join(gzip.compress(m.replace(b"A [...] B", b"A [...] C"), mtime=0) for m in members))
    cases.append((changed, document.name, f"{changed}: {shown}: extracted bytes (sha256 "
                  f"{hashlib.sha256(b'A [...] C' + bytes([10])).hexdigest()}, 10 bytes) do not match the recorded "
                  f"sha256 {document.sha256}; nothing was written; run 'provpack verify'"))
    info_id = members[0].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    cases.append((warc, dataclasses.replace(document, name=document.name + "\x07", offset=0),
                  f"{warc}: {shown}\\x07: the record at offset 0 is '{info_id}' (warcinfo), not its "
                  f"resource record '{document.record_id}'; nothing was written; the file changed since it was read, "
                  "or the document is another archive's: run 'provpack verify'"))
    for path, name, said in cases:
        with pytest.raises(IntegrityError) as caught:
            extract(path, name, io.BytesIO())  # type: ignore[arg-type]
        assert str(caught.value) == said
        assert not any(char in str(caught.value) for char in "\x1b\x07")


def test_a_name_as_show_prints_it_is_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'a\\x09b', as show prints a name holding a tab, finds that document; an exact name wins over another
    document shown so; two documents shown so are said, each escaped apart; the error lists names as show prints
    them, so a name it gives can be typed back."""
    folder = tmp_path / "tab"
    folder.mkdir()
    (folder / "a\tb.txt").write_bytes(b"A [...] B\n")
    (folder / "other.txt").write_bytes(b"C [...] D\n")
    warc = provpack.package(folder, out=tmp_path / "tab.warc.gz", jobs=1).warc_path
    assert main(["show", str(warc), "-q"]) == 0
    assert "\na\\x09b\n" in capsys.readouterr().out
    out = io.BytesIO()
    assert extract(warc, "a\\x09b", out).name == "a\tb" and out.getvalue() == b"A [...] B\n"
    assert find(warc, "a\\x09b").name == "a\tb"
    with pytest.raises(ArchiveError) as caught:
        extract(warc, "a\\x09c", io.BytesIO())
    assert str(caught.value) == (f"{warc}: no document named 'a\\x09c'; similar: 'a\\x09b' (documents: 'a\\x09b', "
                                 "'other'); use a name that 'provpack show' lists")
    (folder / "a\\x09b.txt").write_bytes(b"E [...] F\n")   # a name that is, letter for letter, how show prints the other
    warc = provpack.package(folder, out=tmp_path / "both.warc.gz", jobs=1).warc_path
    assert extract(warc, "a\\x09b", io.BytesIO()).name == "a\\x09b"
    assert extract(warc, "a\tb", io.BytesIO()).name == "a\tb"


def test_two_names_show_prints_alike_are_said(tmp_path: Path) -> None:
    """A C1 control and a file name's undecodable byte are both shown \\x85: the name as shown is then no one
    document's, and the error names both, escaped apart (an archive's names come from its provenance JSON)."""
    documents = tuple(ArchivedDocument(name, f"<urn:uuid:{number}>", "", "0" * 64, 0, 0, {})
                      for number, name in enumerate(["a\x85", "a\udc85"]))
    with pytest.raises(ArchiveError) as caught:
        reader._named(tmp_path / "x.warc.gz", documents, 2, "a\\x85")
    assert str(caught.value) == (f"{tmp_path / 'x.warc.gz'}: no document named 'a\\x85'; 2 names are shown so: "
                                 "'a\\x85', 'a\\udc85'; type the name exactly as 'provpack show --json' gives it")
    assert reader._named(tmp_path / "x.warc.gz", documents[1:], 1, "a\\x85") is documents[1]


def _documents(*names: str) -> tuple[ArchivedDocument, ...]:
    """Documents of these names, as an archive's listing gives them (only the names count here)."""
    return tuple(ArchivedDocument(name, f"<urn:uuid:{number}>", "", "0" * 64, 0, 0, {})
                 for number, name in enumerate(names))


@pytest.mark.parametrize("typed, name", [
    ("caf\\xe9", "caf\u00e9"),   # as show prints it where the locale has no é (a C locale)
    ("na\\xefve \\u2013 x", "na\u00efve \u2013 x"),   # as show prints it in Latin-1, and show --json there
    ("\\U0001f600 \\ud83d\\ude00", "\U0001f600 \U0001f600"),   # as ascii() and JSON spell past U+FFFF
    ("a\\tb\\\\c", "a\tb\\c"),   # as ascii() and JSON spell a tab and a backslash
])
def test_a_name_spelled_with_escapes_is_found(tmp_path: Path, typed: str, name: str) -> None:
    """A name typed as show prints what the locale cannot show, or as show --json and ascii() spell it, finds its
    document (it was 'no document named'); the escapes are read back as the characters they spell."""
    documents = _documents("other", name)
    assert reader.unescaped(typed) == name
    assert reader._named(tmp_path / "x.warc.gz", documents, 2, typed) is documents[1]


def test_an_escape_that_spells_no_character_is_kept() -> None:
    """Past U+10FFFF, or cut short, an escape is left as it is; a lone surrogate stays one."""
    assert reader.unescaped("a\\U00110000\\u12\\x4\\q") == "a\\U00110000\\u12\\x4\\q"
    assert reader.unescaped("\\udce9") == "\udce9"


@pytest.mark.parametrize("name, also, found", [
    ("caf\u00c3\u00a9", "caf\u00e9", 0),   # café's UTF-8 as Latin-1 reads it, and read as UTF-8
    ("caf\udcc3\udca9", "caf\u00e9", 0),   # ... as a C locale reads it (the locale's reading names nothing)
    ("cafe\u0301", None, 0),   # (in another normalisation)
    ("caf\u00c3\u00a9", "cafe\u0301", 0),   # (the UTF-8 reading in another normalisation)
    ("caf\u00e9", None, 0),   # café typed in a Latin-1 terminal: 0xE9, one reading
])
def test_a_name_is_looked_for_as_the_locale_reads_it_and_as_utf8(tmp_path: Path, name: str, also: str | None,
                                                                 found: int) -> None:
    """A name's two readings (the locale's, and its bytes read as UTF-8) are each looked for: the one that names a
    document gives it."""
    documents = _documents("caf\u00e9", "other")
    assert reader._named(tmp_path / "x.warc.gz", documents, 2, name, also) is documents[found]


def test_a_name_whose_two_readings_name_two_documents_is_refused(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """café's UTF-8 bytes in a Latin-1 locale are 'cafÃ©' there: with documents of both names, neither is taken, and
    the error gives a spelling of each that means the same in any locale (which finds it)."""
    monkeypatch.setattr(reader, "ENCODING", "iso8859-1")
    documents = _documents("caf\u00e9", "caf\u00c3\u00a9")
    with pytest.raises(ArchiveError) as caught:
        reader._named(tmp_path / "x.warc.gz", documents, 2, "caf\u00c3\u00a9", "caf\u00e9")
    assert str(caught.value) == (
        f"{tmp_path / 'x.warc.gz'}: 'caf\u00c3\u00a9' names two documents: 'caf\u00c3\u00a9' as this locale "
        "(iso8859-1) reads it, and 'caf\u00e9' as its bytes read as UTF-8; type 'caf\\xc3\\xa9' for the one or "
        "'caf\\xe9' for the other (escaped so, a name means the same in any locale)")
    assert reader._named(tmp_path / "x.warc.gz", documents, 2, "caf\\xc3\\xa9") is documents[1]
    assert reader._named(tmp_path / "x.warc.gz", documents, 2, "caf\\xe9") is documents[0]


def test_a_name_neither_reading_finds_is_said_with_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not found, a name is said as the locale read it and as UTF-8, with the names close to either."""
    monkeypatch.setattr(reader, "ENCODING", "iso8859-1")
    documents = _documents("caf\u00e9", "cafes", "other")
    with pytest.raises(ArchiveError) as caught:
        reader._named(tmp_path / "x.warc.gz", documents, 3, "caf\u00c3\u00a9s", "caf\u00e9s")
    assert str(caught.value) == (
        f"{tmp_path / 'x.warc.gz'}: no document named 'caf\u00c3\u00a9s' (as this locale, iso8859-1, reads it) or "
        "'caf\u00e9s' (its bytes read as UTF-8); similar: 'caf\u00e9', 'cafes' (documents: 'caf\u00e9', 'cafes', "
        "'other'); use a name that 'provpack show' lists")
    with pytest.raises(ArchiveError) as caught:
        reader._named(tmp_path / "x.warc.gz", (), 4, "caf\u00c3\u00a9s", "caf\u00e9s")
    assert str(caught.value) == (
        f"{tmp_path / 'x.warc.gz'}: no document named 'caf\u00c3\u00a9s' (as this locale, iso8859-1, reads it) or "
        "'caf\u00e9s' (its bytes read as UTF-8): the file holds no provpack documents (4 WARC records; 'provpack "
        "index' lists them); extract gives back the excerpts 'provpack package' archived")


@pytest.mark.parametrize("count", [1, 3])
def test_a_warc_with_no_provpack_documents_is_said_so(tmp_path: Path, count: int,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Another tool's WARC: show says it holds no provpack documents, how many records it has and what lists
    them (not '0 documents'), and extract says the same of any name (not 'use a name that show lists')."""
    from warcbuild import record, warc

    path = tmp_path / "other.warc.gz"
    path.write_bytes(warc([record("resource", b"bytes %d" % number) for number in range(count)]))
    records = "1 WARC record" if count == 1 else f"{count} WARC records"
    assert main(["show", str(path)]) == 0
    assert capsys.readouterr() == (f"{path}: holds no provpack documents ({records}; 'provpack index' lists them)\n",
                                   "")
    assert main(["extract", str(path), "foo"]) == 2
    assert capsys.readouterr() == ("", f"provpack: error: {path}: no document named 'foo': the file holds no provpack "
                                       f"documents ({records}; 'provpack index' lists them); extract gives back the "
                                       "excerpts 'provpack package' archived\n")
    with pytest.raises(ArchiveError):
        find(path, "foo")
    listing = reader.read_listing(path)
    assert read_archive(path) == () and (listing.documents, listing.records) == ((), count)


def cut_points(warc: Path, record: int) -> tuple[int, list[int]]:
    """Where the gzip member of the `record`-th record (0: warcinfo) starts, and cuts inside its header, block, trailer."""
    from provpack.cdxj import index

    lines = list(index(warc, records=None))
    start, length = lines[record].offset, lines[record].length
    return start, [start + 1, start + 5, start + 50, start + 85, start + length // 2, start + length - 4,
                   start + length - 1]


def record_start(warc: Path, record: int, kind: str = "gzip") -> int:
    """Where the `record`-th record (0: warcinfo) of the gzipped `warc` starts, or of it gunzipped (`kind` plain)."""
    from provpack.cdxj import index

    start = list(index(warc, records=None))[record].offset
    return start if kind == "gzip" else len(gzip.decompress(warc.read_bytes()[:start]))


def no_provenance(path: Path, offset: int, name: str) -> str:
    """What extract adds to "no document named NAME outside it" when the text record at `offset` was read but no
    provenance record names it (its own lies in the damage)."""
    return (f", but no provenance record read names the text record at byte {offset}: its provenance record, with its"
            f" document's name, lies in the damage (or is missing), so '{name}' may be that text; 'warcio extract"
            f" --payload {path} {offset}' gives its bytes (unchecked)")


@pytest.fixture
def three_docs(tmp_path: Path, fixed_date: dt.datetime) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    for number in (1, 2, 3):
        (source / f"d{number}.txt").write_text(f"doc {number} text " * 200, encoding="utf-8")
    return provpack.package(source, out=tmp_path / "a.warc.gz", date=fixed_date).warc_path


@pytest.mark.parametrize("record", [3, 4])   # doc 2's text (resource) and its provenance (metadata)
def test_an_archive_cut_off_is_said_to_be_truncated(three_docs: Path, tmp_path: Path, record: int,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Cut inside a member's header, block or trailer: show and extract say where the file is cut off (exit 1);
    show lists the document before the cut, and extract gives it (its sha256 checked), with a warning."""
    from provpack.cli import main

    start, cuts = cut_points(three_docs, record)
    data = three_docs.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    for end in cuts:
        cut.write_bytes(data[:end])
        said = f"truncated at byte {start}: gzip member ends after {end - start} byte"
        with pytest.raises(IntegrityError, match=said):
            read_archive(cut)
        with pytest.raises(IntegrityError, match=said):
            extract(cut, "d3", io.BytesIO())
        back = io.BytesIO()
        assert extract(cut, "d1", back).name == "d1" and back.getvalue() == b"doc 1 text " * 200
        capsys.readouterr()
        assert main(["show", str(cut)]) == 1
        shown = capsys.readouterr()
        damage: list[IntegrityError] = []
        before = [document.name for document in read_archive(cut, on_damage=damage.append)]
        assert before == (["d1", "d2"] if record == 4 and end in cuts[-2:] else ["d1"])   # cut in the trailer: d2 whole
        assert shown.err == f"provpack: error: {damage[0]}; " + (
            "the document read outside it is listed\n" if len(before) == 1
            else "the 2 documents read outside it are listed\n")
        assert said in shown.err and shown.out.startswith(f"{cut}: {len(before)} document")
        assert main(["extract", str(cut), "d3", "-o", str(tmp_path / "d3.txt")]) == 1
        err = capsys.readouterr().err
        # (d2's provenance record cut off: its text, read, is named by none, and d3 may be it as far as can be told)
        suffix = no_provenance(cut, record_start(three_docs, 3), "d3") if record == 4 and "d2" not in before else ""
        assert said in err and err.endswith(f"; no document named 'd3' outside it{suffix}\n")
        assert not (tmp_path / "d3.txt").exists()
        assert main(["-q", "extract", str(cut), "d1", "-o", str(tmp_path / "d1.txt"), "--force"]) == 0
        assert (tmp_path / "d1.txt").read_bytes() == b"doc 1 text " * 200
    cut.write_bytes(data)   # whole again: read as before
    assert [document.name for document in read_archive(cut)] == ["d1", "d2", "d3"]


@pytest.mark.parametrize("record", [3, 4])   # doc 2's text (resource) and its provenance (metadata)
def test_a_plain_warc_cut_off_is_said_to_be_truncated(three_docs: Path, tmp_path: Path, record: int,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The same in an uncompressed WARC, cut inside a record's header, block or closing CRLF CRLF: show, extract
    and index say where the record the end cuts short starts (exit 1); index had listed it with its full length."""
    from provpack.cdxj import index
    from provpack.cli import main

    data = gzip.decompress(three_docs.read_bytes())
    plain = tmp_path / "a.warc"
    plain.write_bytes(data)
    lines = list(index(plain, records=None))
    start, length = lines[record].offset, lines[record].length
    cut = tmp_path / "cut.warc"
    for end in (start + 1, start + 50, start + length // 2, start + length - 4, start + length - 1):
        cut.write_bytes(data[:end])
        said = f"truncated at byte {start}: "
        with pytest.raises(IntegrityError, match=said):
            read_archive(cut)
        with pytest.raises(IntegrityError, match=said):
            list(index(cut, records=None))
        capsys.readouterr()
        for command in (["show", str(cut)], ["extract", str(cut), "d3"], ["index", str(cut)]):
            assert main(command) == 1, command
            assert said in capsys.readouterr().err
        assert main(["extract", str(cut), "d1"]) == 0   # before the cut: given, with a warning
        given = capsys.readouterr()
        assert given.out == "doc 1 text " * 200
        assert given.err.startswith(f"provpack: warning: {cut}: {said}")
        assert given.err.endswith("; `provpack verify` gives the full report; 'd1' lies outside it: extracted, its "
                                  "sha256 checked\n")
        if end == start + 1:
            assert given.err == (f"provpack: warning: {cut}: {said}the file ends 1 bytes into a record: it is cut "
                                 "off; `provpack verify` gives the full report; 'd1' lies outside it: extracted, its "
                                 "sha256 checked\n")
    cut.write_bytes(data[:start])   # cut between records: a sound, shorter WARC
    assert len(list(index(cut, records=None))) == record


def test_extract_of_a_text_cut_off_says_truncated(three_docs: Path, tmp_path: Path) -> None:
    """Cut inside the last text: extract of it (which reads the provenance first) says where it is cut off."""
    start, cuts = cut_points(three_docs, 5)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(three_docs.read_bytes()[:cuts[4]])
    with pytest.raises(IntegrityError, match=f"truncated at byte {start}"):
        extract(cut, "d3", io.BytesIO())


def test_extract_of_a_document_read_before_reads_only_its_record(three_docs: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Given what read_archive gave, extract goes to the document's record and reads no more: each document of
    an archive is extracted in time of its own size, not of the archive's (by name, each call read it all)."""
    from provpack import reader

    documents = read_archive(three_docs)
    starts: list[int] = []
    records = reader._records

    def counted(archive: Path, *, start: int = 0) -> object:
        starts.append(start)
        return records(archive, start=start)

    monkeypatch.setattr(reader, "_records", counted)
    monkeypatch.setattr(reader, "read_archive", lambda *args, **kwargs: pytest.fail("the archive was read again"))
    for number, document in enumerate(documents, start=1):
        for hold in (True, False):
            out = io.BytesIO()
            assert extract(three_docs, document, out, hold=hold) is document
            assert out.getvalue() == f"doc {number} text ".encode() * 200
    assert starts == [document.offset for document in documents for _ in (True, False)]


def test_extract_of_another_archives_document_writes_nothing(three_docs: Path, tmp_path: Path,
                                                             fixed_date: dt.datetime) -> None:
    """A document of another archive (or of this file before it changed): the record at its offset is not its
    resource record, and that is said before a byte is written (exit 1)."""
    source = tmp_path / "other"
    source.mkdir()
    for number in (1, 2, 3):   # the same names and archive name: d1 at the same offset, another record
        (source / f"d{number}.txt").write_text(f"DOC {number} TEXT " * 200, encoding="utf-8")
    other = provpack.package(source, out=tmp_path / "elsewhere" / "a.warc.gz", date=fixed_date).warc_path
    theirs, ours = read_archive(other)[0], read_archive(three_docs)[0]
    assert theirs.offset == ours.offset and theirs.record_id != ours.record_id
    out = io.BytesIO()
    with pytest.raises(IntegrityError) as caught:
        extract(three_docs, theirs, out, hold=False)
    assert str(caught.value) == (
        f"{three_docs}: d1: the record at offset {ours.offset} is '{ours.record_id}' (resource), not its resource "
        f"record '{theirs.record_id}'; nothing was written; the file changed since it was read, or the document is "
        "another archive's: run 'provpack verify'")
    assert caught.value.exit_code == 1 and out.getvalue() == b""


def test_extract_at_an_offset_where_no_record_starts_writes_nothing(three_docs: Path, tmp_path: Path) -> None:
    """A document whose offset is no record start in this file (another archive's, or the file rewritten or cut
    since it was read), in a gzipped or a plain WARC, or past its end: an IntegrityError saying so (exit 1),
    as for another record there, not that the file is no WARC (exit 2); nothing written."""
    import dataclasses

    plain = tmp_path / "a.warc"
    plain.write_bytes(gzip.decompress(three_docs.read_bytes()))
    moved = ("; nothing was written; the file changed since it was read, or the document is another archive's: "
             "run 'provpack verify'")
    for warc in (three_docs, plain):
        document = read_archive(warc)[1]
        assert document.offset is not None
        size = warc.stat().st_size
        should = f"where its resource record '{document.record_id}' should be"
        for offset in (document.offset + 7, size - 3):
            shown = repr(warc.read_bytes()[offset:offset + 40])[1:]
            out = io.BytesIO()
            with pytest.raises(IntegrityError) as caught:
                extract(warc, dataclasses.replace(document, offset=offset), out)
            assert str(caught.value) == (f"{warc}: d2: no WARC record starts at offset {offset}, {should} "
                                         f"(the bytes there: {shown}{'...' if offset < size - 3 else ''}){moved}")
            assert out.getvalue() == b""
        for offset in (size, size + 10):
            with pytest.raises(IntegrityError) as caught:
                extract(warc, dataclasses.replace(document, offset=offset), io.BytesIO())
            assert str(caught.value) == (f"{warc}: d2: offset {offset}, {should}, is past the end of the file "
                                         f"({size:,} bytes){moved}")


@pytest.mark.parametrize(("field", "value", "said"), [
    ("offset", -3, "name.offset: must be a byte offset from 0, not -3; pass a document that read_archive gave for "
                   "this file"),
    ("offset", "5", "name.offset: must be an int or None, not str '5'"),
    ("offset", True, "name.offset: must be an int or None, not bool True"),
    ("length_bytes", 2.0, "name.length_bytes: must be an int, not float 2.0"),
    ("record_id", None, "name.record_id: must be a str, not None"),
    ("sha256", b"ab", "name.sha256: must be a str, not bytes b'ab'"),
    ("name", 5, "name.name: must be a str, not int 5"),
])
def test_extract_checks_the_fields_of_a_document(three_docs: Path, field: str, value: object, said: str) -> None:
    """An ArchivedDocument made by hand with a field extract cannot use is an InputError naming it (exit 2), before
    the archive is read, not an OSError or TypeError from the read."""
    import dataclasses

    with pytest.raises(InputError) as caught:
        extract(three_docs, dataclasses.replace(read_archive(three_docs)[1], **{field: value}), io.BytesIO())
    assert str(caught.value) == said


def _damaged(warc: Path, record: int, where: str, out: Path) -> tuple[int, str]:
    """A copy of `warc` at `out` with the gzip member of its `record`-th record (0: warcinfo) damaged, not cut
    off: a bit of its CRC-32 flipped, a byte of its deflate data flipped, or its magic byte; (the member's
    offset, the problem verify reports there)."""
    from provpack.cdxj import index
    from provpack.verify import verify

    lines = list(index(warc, records=None))
    start, length = lines[record].offset, lines[record].length
    data = bytearray(warc.read_bytes())
    data[{"crc": start + length - 8, "data": start + length // 2, "magic": start}[where]] ^= 0x01
    out.write_bytes(data)
    problems = [problem for problem in verify(out).files[0].problems if problem.kind in ("bad-gzip", "junk")]
    assert problems and problems[0].offset == start, problems
    return start, problems[0].message


@pytest.mark.parametrize("provenances", [(4,), (4, 6), (2, 4, 6)])   # d2's provenance record damaged; d2's and
def test_a_name_whose_provenance_record_is_damaged_points_to_the_texts_it_may_be(  # d3's; every document's
        three_docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], provenances: tuple[int, ...]) -> None:
    """d2's text record intact, its provenance record (which alone holds the name) in a corrupt gzip member: extract
    d2 said only "no document named 'd2' outside it". It now names the text records no provenance record read names
    (d2 may be one of them) and how to get their bytes, which that recipe gives; also when no provenance record at
    all was read (the archive is told provpack's by its warcinfo), where the hint was left out."""
    from warcio.cli import main as warcio_main

    bad = tmp_path / "bad.warc.gz"
    start, found = _damaged(three_docs, 4, "crc", bad)
    data = bytearray(bad.read_bytes())
    for record in set(provenances) - {4}:   # (the others too, as _damaged flips a bit of the CRC-32)
        end = len(data) if record == 6 else record_start(three_docs, record + 1)
        data[end - 8] ^= 0x01
    bad.write_bytes(data)
    first = min(record_start(three_docs, record) for record in provenances)
    if first != start:
        found = next(problem.message for problem in provpack.verify(bad).files[0].problems if problem.offset == first)
    said = f"{bad}: damaged gzip member at byte {first}: {found}; `provpack verify` gives the full report"
    texts = sorted(record_start(three_docs, record - 1) for record in provenances)
    assert main(["extract", str(bad), "d2"]) == 1
    if len(texts) == 3:
        assert capsys.readouterr() == ("", f"provpack: error: {said} (and 2 more damaged places); no document named "
                                           "'d2' outside them, but no provenance record read names the text records at"
                                           f" bytes {texts[0]}, {texts[1]}, {texts[2]}: theirs, with their documents'"
                                           " names, lie in the damage (or are missing), so 'd2' may be one of those "
                                           f"texts; 'warcio extract --payload {bad} OFFSET' gives one's bytes "
                                           "(unchecked)\n")
        warcio_main(["extract", "--payload", str(bad), str(texts[1])])
        assert capsys.readouterr().out == "doc 2 text " * 200
        return
    if len(texts) == 1:
        assert capsys.readouterr() == ("", f"provpack: error: {said}; no document named 'd2' outside it, but no "
                                           f"provenance record read names the text record at byte {texts[0]}: its "
                                           "provenance record, with its document's name, lies in the damage (or is "
                                           f"missing), so 'd2' may be that text; 'warcio extract --payload {bad} "
                                           f"{texts[0]}' gives its bytes (unchecked)\n")
    else:
        assert capsys.readouterr() == ("", f"provpack: error: {said} (and 1 more damaged place); no document named "
                                           "'d2' outside them, but no provenance record read names the text records at"
                                           f" bytes {texts[0]}, {texts[1]}: theirs, with their documents' names, lie in"
                                           " the damage (or are missing), so 'd2' may be one of those texts; 'warcio"
                                           f" extract --payload {bad} OFFSET' gives one's bytes (unchecked)\n")
    warcio_main(["extract", "--payload", str(bad), str(texts[0])])
    assert capsys.readouterr().out == "doc 2 text " * 200


def test_a_name_read_two_ways_that_is_not_outside_the_damage_is_said_both_ways(three_docs: Path,
                                                                               tmp_path: Path) -> None:
    """A name given with another reading (the command line's bytes read as UTF-8) that names no document read
    outside the damage is said both ways."""
    bad = tmp_path / "bad.warc.gz"
    start, found = _damaged(three_docs, 4, "crc", bad)
    text = record_start(three_docs, 3)
    with pytest.raises(IntegrityError) as caught:
        reader.extract_into(bad, "d\u00c3\u00a9", io.BytesIO(), hold=True, argument="dest", also="d\u00e9")
    assert str(caught.value) == (
        f"{bad}: damaged gzip member at byte {start}: {found}; `provpack verify` gives the full report; no document "
        f"named 'd\u00c3\u00a9' (or 'd\u00e9') outside it, but no provenance record read names the text record at byte "
        f"{text}: its provenance record, with its document's name, lies in the damage (or is missing), so "
        f"'d\u00c3\u00a9' may be that text; 'warcio extract --payload {bad} {text}' gives its bytes (unchecked)")


def _serves_around(bad: Path, said: str, capsys: pytest.CaptureFixture[str], *, lost: str | None) -> None:
    """show lists d1, d2 and d3, read past the damage `said` (exit 1), and names the document whose text lies in
    it (`lost`); extract gives the others, byte for byte, with a warning naming the damage, and refuses `lost`."""
    from provpack.cli import main

    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == (f"provpack: error: {said}; the 3 documents read outside it are listed"
                         + (f"; the text of '{lost}' lies in it" if lost else "") + "\n")
    assert shown.out.startswith(f"{bad}: 3 documents\n\nd1\n")
    assert "\nd2\n" in shown.out and "\nd3\n" in shown.out
    for number in (1, 2, 3):
        name = f"d{number}"
        if name == lost:
            assert main(["extract", str(bad), name]) == 1
            record_id = next(d.record_id for d in read_archive(bad, on_damage=lambda _: None) if d.name == name)
            assert capsys.readouterr() == ("", f"provpack: error: {said}; the text of '{name}' lies in it (its "
                                           f"resource record {record_id} could not be read)\n")
            continue
        assert main(["extract", str(bad), name]) == 0
        assert capsys.readouterr() == (f"doc {number} text " * 200, f"provpack: warning: {said}; '{name}' lies "
                                       "outside it: extracted, its sha256 checked\n")
    assert main(["extract", str(bad), "d9"]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}; no document named 'd9' outside it\n")


@pytest.mark.parametrize("where", ["crc", "data", "magic"])
def test_a_damaged_gzip_member_is_said_to_be_damaged(three_docs: Path, tmp_path: Path, where: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A member of doc 2's text damaged in the middle: read_archive, show, extract and index name the member and
    what verify finds there (exit 1), where warcio's words were about a first line of gzip bytes (exit 2) or a
    WARC gzipped as a whole; show and extract read on past it: d1 and d3 are given, and d2's text is said to
    lie in the damage."""
    from provpack.cdxj import index
    from provpack.cli import main

    bad = tmp_path / "bad.warc.gz"
    start, found = _damaged(three_docs, 3, where, bad)
    said = (f"{bad}: damaged gzip {'data' if where == 'magic' else 'member'} at byte {start}: {found}; "
            "`provpack verify` gives the full report")
    if where == "crc":
        assert found == "gzip member is corrupt: incorrect data check"
    if where == "magic":
        assert found.endswith(" bytes that are not gzip data before the next gzip member")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert str(caught.value) == said
    with pytest.raises(IntegrityError) as caught:
        list(index(bad, records=None))
    assert str(caught.value) == said
    capsys.readouterr()
    assert main(["index", str(bad), "-o", str(tmp_path / "bad.cdxj")]) == 1
    assert capsys.readouterr().err == f"provpack: error: {said}\n" and not (tmp_path / "bad.cdxj").exists()
    _serves_around(bad, said, capsys, lost="d2")


def test_a_damaged_first_member_is_read_past(three_docs: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The warcinfo record's member damaged so that what it holds no longer starts with WARC/: the documents
    after it are read, listed by show with the damage said (exit 1), and given by extract."""
    from provpack.cli import main

    bad = tmp_path / "bad.warc.gz"
    data = bytearray(three_docs.read_bytes())
    for at in range(12, 200):   # a flip in the first deflate block that still inflates, to other bytes
        data[at] ^= 0x40
        bad.write_bytes(data)
        try:
            read_archive(bad)
        except IntegrityError as exc:
            if "damaged gzip member at byte 0: gzip member is corrupt: incorrect data check" in str(exc):
                break
        data[at] ^= 0x40
    else:
        pytest.fail("no flip found")
    _serves_around(bad, f"{bad}: damaged gzip member at byte 0: gzip member is corrupt: incorrect data check; "
                   "`provpack verify` gives the full report", capsys, lost=None)


def test_a_damaged_last_member_leaves_the_documents_before_it(three_docs: Path, tmp_path: Path) -> None:
    """Only the last member (doc 3's provenance) damaged: read_archive with on_damage gives d1 and d2 and passes
    the damage on; without, raises it; extract gives d1 and d2, byte for byte."""
    bad = tmp_path / "bad.warc.gz"
    start, found = _damaged(three_docs, 6, "crc", bad)
    damage: list[IntegrityError] = []
    assert [d.name for d in read_archive(bad, on_damage=damage.append)] == ["d1", "d2"]
    assert [str(error) for error in damage] == [
        f"{bad}: damaged gzip member at byte {start}: {found}; `provpack verify` gives the full report"]
    with pytest.raises(IntegrityError):
        read_archive(bad)
    for number in (1, 2):
        out = io.BytesIO()
        extract(bad, f"d{number}", out)
        assert out.getvalue() == f"doc {number} text ".encode() * 200


def test_several_damaged_places_are_each_read_past(three_docs: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """d1's text and d3's provenance damaged: read_archive passes both on, in order, with their offsets, and
    gives d1 (without its text) and d2; show counts the second place; extract gives d2."""
    from provpack.cli import main

    first_only, bad = tmp_path / "first.warc.gz", tmp_path / "bad.warc.gz"
    first, found_first = _damaged(three_docs, 1, "crc", first_only)
    second, _ = _damaged(three_docs, 6, "magic", bad)
    data = bytearray(bad.read_bytes())
    data[first:second] = first_only.read_bytes()[first:second]   # both places damaged
    bad.write_bytes(data)
    damage: list[IntegrityError] = []
    documents = read_archive(bad, on_damage=damage.append)
    assert [(d.name, d.offset is None) for d in documents] == [("d1", True), ("d2", False)]
    assert [error.offset for error in damage] == [first, second]
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert caught.value.offset == first
    said = (f"{bad}: damaged gzip member at byte {first}: {found_first}; `provpack verify` gives the full report"
            " (and 1 more damaged place)")
    assert main(["show", str(bad)]) == 1
    assert capsys.readouterr().err == (f"provpack: error: {said}; the 2 documents read outside them are listed; "
                                       "the text of 'd1' lies in it\n")
    assert main(["extract", str(bad), "d2"]) == 0
    assert capsys.readouterr() == ("doc 2 text " * 200, f"provpack: warning: {said}; 'd2' lies outside them: "
                                   "extracted, its sha256 checked\n")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_record_of_an_unknown_warc_version_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record with the version line WARC/9.9: said in verify's words, as verify finds it (exit 1), where
    warcio's "Invalid WARC record, first line" made show and extract exit 2; the others are read past it."""
    from provpack.verify import verify

    def changed(member: bytes) -> bytes:
        assert member.startswith(b"WARC/1.1\r\n")
        return b"WARC/9.9" + member[8:]

    bad, start = _d2_text_changed(three_docs, tmp_path, kind, changed)
    version = "version line 'WARC/9.9' is neither WARC/1.0 nor WARC/1.1"
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems] == [(start, "bad-version", version)]
    said = f"{bad}: the record at byte {start}: {version}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_content_length_too_small_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record with a Content-Length 2 bytes too small, which warcio reads on past (it warned, exit 0): show
    and extract say it as verify finds it (exit 1), and read past it; d2's text lies in it."""
    from provpack.verify import verify

    length = len(("doc 2 text " * 200).encode())
    bad, start = _d2_text_changed(three_docs, tmp_path, kind, lambda member: member.replace(
        b"Content-Length: %d\r\n" % length, b"Content-Length: %d\r\n" % (length - 2), 1))
    message = (f"the {length - 2}-byte block (Content-Length) is followed by 't \\r\\n', not CRLF CRLF: Content-Length is"
               " wrong or the block was altered")
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (start, "bad-length", message)
    said = f"{bad}: the record at byte {start}: {message}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_header_with_no_content_length_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record with its Content-Length field's name damaged (Xontent-Length): a record that cannot be
    delimited. warcio took the rest of the file (plain) or of its gzip member as its block: show listed d1 alone
    (plain) or all three, with a warning, exit 0, and extract said "no document named" d3. It is the damage verify
    finds (exit 1), read past at the next record start as verify reads on: d2's text lies in it, d1 and d3 given."""
    from provpack.cdxj import index
    from provpack.verify import verify

    bad, start = _d2_text_changed(three_docs, tmp_path, kind,
                                  lambda member: member.replace(b"\r\nContent-Length:", b"\r\nXontent-Length:", 1))
    found = "no Content-Length header"
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (start, "missing-header", found)
    said = f"{bad}: the record at byte {start}: {found}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    damage: list[IntegrityError] = []
    documents = read_archive(bad, on_damage=damage.append)
    assert [(d.name, d.offset is not None) for d in documents] == [("d1", True), ("d2", False), ("d3", True)]
    assert [(str(error), error.offset) for error in damage] == [(said, start)]
    with pytest.raises(IntegrityError) as caught:
        list(index(bad, records=None))
    assert str(caught.value) == said
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
@pytest.mark.parametrize(("end", "line"), [(b"\r\n\r\r", "\\r\\r"), (b"\r\nX\n", "X\\n")])
def test_a_header_whose_blank_line_is_damaged_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                                  end: bytes, line: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record with the CRLF CRLF that ends its header damaged: the header runs on into the block, up to the
    CRLF CRLF after it. warcio took the next record's first bytes as its block and failed further on (plain: exit 2,
    nothing listed), or gave a block cut short by its gzip member's end (gzip: show listed all three, exit 0). It is
    the damage verify finds (exit 1), in its words, read past: d2's text lies in it, d1 and d3 given."""
    from provpack.cdxj import index
    from provpack.verify import verify

    def damaged(member: bytes) -> bytes:
        at = member.index(b"\r\n\r\n")
        return member[:at] + end + member[at + 4:]

    bad, start = _d2_text_changed(three_docs, tmp_path, kind, damaged)
    found = f"header line '{line}{'doc 2 text ' * 5}doc...' is not 'Name: value'"   # (cut short, as verify cuts it)
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (
        start, "malformed-header", found)
    said = f"{bad}: the record at byte {start}: {found}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    with pytest.raises(IntegrityError) as caught:
        list(index(bad, records=None))
    assert str(caught.value) == said
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_each_header_that_cannot_delimit_its_record_is_said_and_read_past(three_docs: Path, tmp_path: Path,
                                                                         kind: str) -> None:
    """Each record of three_docs in turn with its Content-Length field's name damaged, or one byte of the CRLF CRLF
    that ends its header: verify reports it, and reading says damage at that record (exit 1 in show) and gives every
    document whose two records lie outside it, byte for byte (many were read without a word, or not past the damage)."""
    import io

    from provpack.verify import verify

    def named(member: bytes) -> bytes:
        return member.replace(b"\r\nContent-Length:", b"\r\nXontent-Length:", 1)

    def ended(byte: int) -> Callable[[bytes], bytes]:
        def change(member: bytes) -> bytes:
            at = member.index(b"\r\n\r\n") + byte
            return member[:at] + b"X" + member[at + 1:]
        return change

    for record in range(7):   # (0: warcinfo; then each document's text and provenance records)
        owner = f"d{(record + 1) // 2}" if record else None
        for change in (named, ended(0), ended(1), ended(2), ended(3)):
            bad, start = _record_changed(three_docs, tmp_path, kind, record, change)
            assert verify(bad).exit_code() == 1
            damage: list[IntegrityError] = []
            documents = {d.name: d for d in read_archive(bad, on_damage=damage.append)}
            assert damage and damage[0].offset == start, (record, change, damage)
            for number in (1, 2, 3):
                name = f"d{number}"
                if name == owner:
                    continue
                assert documents[name].offset is not None, (record, change, name)
                out = io.BytesIO()
                extract(bad, documents[name], out)
                assert out.getvalue() == (f"doc {number} text " * 200).encode()


def _d2_text_changed(three_docs: Path, tmp_path: Path, kind: str,
                     change: Callable[[bytes], bytes]) -> tuple[Path, int]:
    """three_docs with d2's text record (its 4th) changed by `change`, gzipped per record or plain (`kind`): the
    file, and the offset of the record changed."""
    return _record_changed(three_docs, tmp_path, kind, 3, change)


def _record_changed(three_docs: Path, tmp_path: Path, kind: str, record: int,
                    change: Callable[[bytes], bytes]) -> tuple[Path, int]:
    """three_docs with its `record`-th record (0: warcinfo; 3: d2's text; 6, the last: d3's provenance) changed by
    `change`, gzipped per record or plain (`kind`): the file, and the offset of the record changed."""
    from provpack.cdxj import index

    lines = list(index(three_docs, records=None))
    data = three_docs.read_bytes()
    start, end = lines[record].offset, (lines[record + 1].offset if record + 1 < len(lines) else len(data))
    member = gzip.decompress(data[start:end])
    changed = change(member)
    if kind == "plain":
        bad = tmp_path / "bad.warc"
        plain = gzip.decompress(data)
        start = len(gzip.decompress(data[:start]))
        bad.write_bytes(plain[:start] + changed + plain[start + len(member):])
    else:
        bad = tmp_path / "bad.warc.gz"
        bad.write_bytes(data[:start] + gzip.compress(changed, mtime=0) + data[end:])
    return bad, start


def _no_record_at(three_docs: Path, tmp_path: Path, kind: str) -> tuple[Path, int, str]:
    """A copy of `three_docs` with bytes that are no WARC record just before doc 2's text (its 3rd record): a
    plain WARC with a stray byte there, or the gzipped one with a gzip member there that holds no record; (the
    copy, where the bytes start, what follows "no WARC record starts at byte N (" in the error)."""
    from provpack.cdxj import index

    start = list(index(three_docs, records=None))[3].offset
    data = three_docs.read_bytes()
    if kind == "plain":
        bad = tmp_path / "bad.warc"
        bad.write_bytes(data := gzip.decompress(data))
        start = list(index(bad, records=None))[3].offset
        bad.write_bytes(data[:start] + b"X" + data[start:])
        return bad, start, ("1 byte that is not a WARC record before the next record; the bytes there: "
                            "'XWARC/1.1\\r\\nWARC-Type: resource\\r\\nWARC-Rec'...")
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(data[:start] + gzip.compress(b"hello\n", mtime=0) + data[start:])
    return bad, start, "6 bytes that are not a WARC record before the next record; its gzip member holds: 'hello\\n'"


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_bytes_that_are_no_record_are_damage(three_docs: Path, tmp_path: Path, kind: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A stray byte before a record of a plain WARC, or a gzip member that holds no record: read_archive, show,
    extract and index say that no WARC record starts there, as verify finds it (exit 1), not that the file is
    no readable WARC (exit 2); show and extract read on past it, as past damaged gzip data: every document is
    listed and given, with a warning; read_archive passes it to on_damage."""
    from provpack.cdxj import index
    from provpack.cli import main
    from provpack.verify import verify

    bad, start, found = _no_record_at(three_docs, tmp_path, kind)
    said = f"{bad}: no WARC record starts at byte {start} ({found}); `provpack verify` gives the full report"
    assert [(problem.offset, problem.kind) for problem in verify(bad).files[0].problems] == [(start, "junk")]
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert str(caught.value) == said
    damage: list[IntegrityError] = []
    assert [d.name for d in read_archive(bad, on_damage=damage.append)] == ["d1", "d2", "d3"]
    assert [(str(error), error.offset) for error in damage] == [(said, start)]
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(bad, records=None, express=express))
        assert str(caught.value) == said
    capsys.readouterr()
    assert main(["index", str(bad)]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n")
    _serves_around(bad, said, capsys, lost=None)
    assert main(["verify", str(bad)]) == 1
    capsys.readouterr()
    assert main(["wacz", str(bad), "-o", str(tmp_path / "bad.wacz")]) == 1   # (its index is refused)
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n") and not (tmp_path / "bad.wacz").exists()


@pytest.mark.parametrize("kind", ["plain", "gzip"])
@pytest.mark.parametrize("record", [0, 3, 6])   # the warcinfo (the file's start), d2's text, d3's provenance (its end)
def test_a_header_block_over_1_mib_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str, record: int,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A record whose header block runs past 1 MiB (1,048,576 bytes, the blank line counted), at the start of the
    file, in the middle or at its end: verify reports it and reads on (exit 1), and so do read_archive, show and
    extract, in verify's words, where they exited 2 ("not a readable WARC file: at or after byte N: a header block is
    larger than 1048576 bytes") and listed nothing, not even the documents before it; index and wacz say it as
    damage too (exit 1, nothing written). extract of d2, whose text record it is, says its text lies in it."""
    from provpack.cdxj import index
    from provpack.verify import verify

    def padded(member: bytes) -> bytes:
        end = member.index(b"\r\n\r\n")
        return member[:end] + b"\r\nX-Pad: " + b"a" * (1 << 20) + member[end:]

    bad, start = _record_changed(three_docs, tmp_path, kind, record, padded)
    found = "no blank line ends the header within 1048576 bytes"
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (
        start, "malformed-header", found)   # (then, with d2's text lost, its provenance names no record)
    said = f"{bad}: the record at byte {start}: {found}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    damage: list[IntegrityError] = []
    names = ["d1", "d2"] if record == 6 else ["d1", "d2", "d3"]
    assert [d.name for d in read_archive(bad, on_damage=damage.append)] == names
    assert [(str(error), error.offset) for error in damage] == [(said, start)]
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(bad, records=None, express=express))
        assert (str(caught.value), caught.value.offset) == (said, start), express
    capsys.readouterr()
    assert main(["index", str(bad)]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n")
    assert main(["index", str(bad), "-o", str(tmp_path / "bad.cdxj")]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n") and not (tmp_path / "bad.cdxj").exists()
    assert main(["wacz", str(bad), "-o", str(tmp_path / "bad.wacz")]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n") and not (tmp_path / "bad.wacz").exists()
    if record != 6:
        _serves_around(bad, said, capsys, lost="d2" if record == 3 else None)
        return
    _d2_damage_read_past_to(bad, said, capsys, ["d1", "d2"])
    for number in (1, 2):
        assert main(["extract", str(bad), f"d{number}", "-o", str(tmp_path / f"d{number}.txt")]) == 0
        assert capsys.readouterr() == ("", f"provpack: warning: {said}; 'd{number}' lies outside it: extracted, its "
                                       f"sha256 checked\nwrote {tmp_path / f'd{number}.txt'} (2,200 bytes, sha256 "
                                       f"{hashlib.sha256(f'doc {number} text '.encode() * 200).hexdigest()})\n")
        assert (tmp_path / f"d{number}.txt").read_text() == f"doc {number} text " * 200
    assert main(["extract", str(bad), "d3", "-o", str(tmp_path / "d3.txt")]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}; no document named 'd3' outside it"
                                       f"{no_provenance(bad, record_start(three_docs, 5, kind), 'd3')}\n")
    assert not (tmp_path / "d3.txt").exists()


@pytest.mark.parametrize("record", [1, 4])   # the second record of the one member, and one after sound others
def test_a_header_over_1_mib_in_a_warc_gzipped_as_a_whole_is_said_as_such(three_docs: Path, tmp_path: Path, record: int,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A WARC gzipped as one member, one of whose later records has a header block over 1 MiB: show, extract and
    index say the file is gzipped as a whole and how to recompress it (exit 2), as for a sound one, not that the
    record at byte 0 (the sound warcinfo, verify's offset for every record of the member) has no header end, nor
    that a document before it is not in the file."""
    data = three_docs.read_bytes()
    starts = _members(data) + [len(data)]
    members = [gzip.decompress(data[start:end]) for start, end in zip(starts, starts[1:])]
    end = members[record].index(b"\r\n\r\n")
    members[record] = members[record][:end] + b"\r\nX-Pad: " + b"a" * (1 << 20) + members[record][end:]
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(b"".join(members), mtime=0))
    said = (f"{path}: cannot read the record at byte 0: its gzip member holds more records than this one: the "
            "file is gzipped as a whole (or several records to a member), and a reader that seeks to a record needs "
            "a member of its own for each; recompress it one record to a gzip member, as `package` writes it: "
            "`warcio recompress FILE NEW.warc.gz` (`provpack verify` reads it as it is)")
    for command in (["show", str(path)], ["extract", str(path), "d1"], ["index", str(path)]):
        assert main(command) == 2, command
        assert capsys.readouterr() == ("", f"provpack: error: {said}\n"), command


def _d2_damage_read_past_to(bad: Path, said: str, capsys: pytest.CaptureFixture[str], names: list[str]) -> None:
    """show lists `names` (exit 1), then names the damage `said`."""
    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == f"provpack: error: {said}; the {len(names)} documents read outside it are listed\n"
    assert shown.out.startswith(f"{bad}: {len(names)} documents\n\n{names[0]}\n")
    assert all(f"\n{name}\n" in shown.out for name in names) and "\nd3\n" not in shown.out


def test_bytes_after_a_record_in_its_gzip_member_are_damage(three_docs: Path, tmp_path: Path) -> None:
    """Bytes that are no record after the record in a gzip member (d1's text): said of that member, in verify's
    words but for the decompressed offset, which a read from the record before cannot know."""
    from provpack.cdxj import index

    lines = list(index(three_docs, records=None))
    start, end = lines[1].offset, lines[2].offset
    data = three_docs.read_bytes()
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(data[:start] + gzip.compress(gzip.decompress(data[start:end]) + b"junk here\r\n", mtime=0)
                    + data[end:])
    said = (f"{bad}: no WARC record follows a record in the gzip member at byte {start} (11 bytes that are not a "
            "WARC record before the next record); `provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert str(caught.value) == said
    with pytest.raises(IntegrityError) as caught:
        list(index(bad))
    assert str(caught.value) == said
    damage: list[IntegrityError] = []   # the record before the bytes is whole (its member's CRC holds): d1 is given
    documents = read_archive(bad, on_damage=damage.append)
    assert [d.name for d in documents] == ["d1", "d2", "d3"] and documents[0].offset == start
    assert [str(error) for error in damage] == [said]


def _shaped(tmp_path: Path, change: object) -> Path:
    """A hand-built archive of one text with an elision whose provenance `change(doc)` has altered."""
    from warcbuild import provenance, provpack_records, warc

    text = "A quote [...] and the rest.\n"
    doc = provenance(text, record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>", target="urn:x")
    assert callable(change)
    change(doc)
    path = tmp_path / "shaped.warc.gz"
    path.write_bytes(warc(provpack_records([text], docs=[doc])))
    return path


def _set(path: str, value: object) -> object:
    """A change to the provenance: the key at `path` (dotted; a digit indexes a list) set to `value`,
    or deleted when `value` is the DELETE marker."""
    keys = [int(key) if key.isdigit() else key for key in path.split(".")]

    def change(doc: dict[str, object]) -> None:
        target: object = doc
        for key in keys[:-1]:
            target = target[key]  # type: ignore[index]
        if value is DELETE:
            del target[keys[-1]]  # type: ignore[attr-defined]
        else:
            target[keys[-1]] = value  # type: ignore[index]
    return change


DELETE = object()


@pytest.mark.parametrize("key, value, problem", [
    ("name", DELETE, "'name' is missing or not text"),
    ("record_id", 5, "'record_id' is missing or not text"),
    ("sha256", None, "'sha256' is missing or not text"),
    ("length_bytes", -1, "'length_bytes' is missing or not a count"),
    ("length_bytes", True, "'length_bytes' is missing or not a count"),
    ("length_bytes", DELETE, "'length_bytes' is missing or not a count"),
    ("length_chars", "3", "'length_chars' is missing or not a count"),
    ("elisions", {}, "'elisions' is not a list of objects"),
    ("segments", [1], "'segments' is not a list of objects"),
    ("differences", "none", "'differences' is not a list of objects"),
    ("fields", ["title"], "'fields' is not an object"),
    ("sidecar", "x", "'sidecar' is not an object"),
    ("original", 3, "'original' is not an object"),
    ("original", {"length_chars": -1}, "'original.length_chars' is not a count"),
    ("fields", {"title": "x"}, "field 'title' is not an object with a [start, end] span"),
    ("fields", {"title": {"span": [1]}}, "field 'title' is not an object with a [start, end] span"),
    ("fields", {"title": {"span": [1, -2]}}, "field 'title' is not an object with a [start, end] span"),
    ("elisions.0.marker", DELETE, "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.kind", 1, "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.line", -1, "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.byte_end", None, "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.oa:hasTarget", "x", "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.oa:hasTarget.oa:hasSelector", {}, "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.oa:hasTarget.oa:hasSelector.1", "x", "elision 0 lacks its marker, kind, offsets or selectors"),
    ("elisions.0.omitted", "x", "elision 0 lacks its marker, kind, offsets or selectors"),
])
def test_a_provenance_record_of_the_wrong_shape_is_named(key: str, value: object, problem: str,
                                                         tmp_path: Path) -> None:
    """Each key readers rely on, missing or of the wrong type, is named in an IntegrityError (damage, docs/
    robustness.md) with its record's offset and id."""
    path = _shaped(tmp_path, _set(key, value))
    with pytest.raises(IntegrityError) as caught:
        read_archive(path)
    assert caught.value.problem.startswith("the metadata record at byte ")
    assert caught.value.problem.endswith(f") is damaged: its provenance JSON is not of the shape docs/format.md gives:"
                                         f" {problem}; `provpack verify` gives the full report"), caught.value.problem
    assert caught.value.offset is not None and f"byte {caught.value.offset} (" in caught.value.problem


def test_a_provenance_record_of_the_wrong_shape_is_damage_read_past(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """d2's provenance JSON parses, but its segments are "x": damage, as JSON that does not parse, read past (show
    exited 2 listing nothing, and extract of d1 or d3 exit 2): d1 and d3 listed and given (exit 1, and 0 with a
    warning), d2 not found outside it; verify names the same record."""
    from provpack.verify import verify
    from warcbuild import digest_text, provpack_records, warc

    records = provpack_records([f"doc {number} [...] text\n" for number in (1, 2, 3)])
    for at in (2, 4, 6):
        head, _, block = records[at].partition(b"\r\n\r\n")
        doc = json.loads(block[:-4])
        doc["name"] = f"d{at // 2}"
        if at == 4:
            doc["segments"] = "x"
        changed = (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode()
        head = head.replace(f"Content-Length: {len(block) - 4}".encode(), f"Content-Length: {len(changed)}".encode())
        head = head.replace(digest_text("sha256", block[:-4]).encode(), digest_text("sha256", changed).encode())
        records[at] = head + b"\r\n\r\n" + changed + b"\r\n\r\n"
    bad = tmp_path / "shape.warc.gz"
    bad.write_bytes(warc(records))
    start = len(warc(records[:4]))
    record_id = records[4].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    said = (f"{bad}: the metadata record at byte {start} ('{record_id}') is damaged: its provenance JSON is not of the"
            " shape docs/format.md gives: 'segments' is not a list of objects; `provpack verify` gives the full report")
    _d2_damage_read_past(bad, start, said, capsys)
    for number in (1, 3):
        assert main(["extract", str(bad), f"d{number}"]) == 0
        assert capsys.readouterr() == (f"doc {number} [...] text\n", f"provpack: warning: {said}; 'd{number}' lies"
                                       " outside it: extracted, its sha256 checked\n")
    assert main(["extract", str(bad), "d2"]) == 1
    assert capsys.readouterr().err == (f"provpack: error: {said}; no document named 'd2' outside it"
                                       f"{no_provenance(bad, len(warc(records[:3])), 'd2')}\n")
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems] == [
        (start, "metadata-mismatch", "segments is not a list")]


@pytest.mark.parametrize("key, value", [
    ("length_bytes", 0), ("length_chars", DELETE), ("length_chars", 0), ("original", None),
    ("original", {"length_chars": None}), ("original", {"length_chars": 0}), ("fields", {"title": {"span": None}}),
    ("fields", {"title": {"value": "x"}}), ("fields", {"title": {"span": [0, 0]}}), ("sidecar", None),
    ("elisions.0.omitted", None), ("elisions.0.omitted", {"words": 3}), ("elisions.0.line", 0),
])
def test_a_provenance_record_of_the_right_shape_is_read(key: str, value: object, tmp_path: Path) -> None:
    """Zero counts, null originals and omitted words, and fields without a span are all accepted."""
    (document,) = read_archive(_shaped(tmp_path, _set(key, value)))
    assert document.name == "doc" and document.target_uri == "urn:x"


def test_files_that_are_no_warc_say_what_they_are(tmp_path: Path) -> None:
    """An empty file, text, and an ARC record in a gzip member are each refused with what they are and what to do."""
    path = tmp_path / "x.warc"
    path.write_bytes(b"")
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert str(caught.value) == f"{path}: not a WARC file: the file is empty; give a .warc or .warc.gz file"
    path.write_bytes(b"hello there, not a warc\r\n")
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert str(caught.value) == (f"{path}: not a WARC file (the bytes at byte 0: 'hello there, not a warc\\r\\n'); "
                                 "give a .warc or .warc.gz file; 'provpack verify' says more")
    path.write_bytes(gzip.compress(b"filedesc://x.arc 0.0.0.0 20200101000000 text/plain 70\n1 0 test\n"
                                   b"URL IP-address Archive-date Content-type Archive-length\n\n"))
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert str(caught.value) == (f"{path}: not a WARC file: the record at offset 0 has no WARC/1.x header line; "
                                 "give a WARC file (.warc or .warc.gz)")


@pytest.mark.parametrize("members", [1, 2, 10_000])
def test_gzip_of_nothing_is_not_a_warc_file_to_every_command(tmp_path: Path, members: int,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Gzip members of nothing (gzip.compress(b"")), which warcio reads as no record at all: not a WARC file to
    read_archive, show, extract, index and wacz, in verify's words (exit 2), where read_archive gave (), show
    "holds no provpack documents (0 WARC records ...)" and index nothing, both exit 0."""
    path = tmp_path / "x.warc.gz"
    path.write_bytes(gzip.compress(b"", mtime=0) * members)
    what = "not a WARC file: it is gzip, but what it holds does not start with a WARC record (WARC/)"
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert str(caught.value) == f"{path}: {what}; give a .warc or .warc.gz file"
    with pytest.raises(ArchiveError):
        list(provpack.index(path))
    for command, fix in ((["verify"], ""), (["show"], "; give a .warc or .warc.gz file"),
                         (["extract", "-", "d"], "; give a .warc or .warc.gz file"), (["index"], ""),
                         (["wacz", "-", "-o", str(tmp_path / "x.wacz")], "")):
        argv = [command[0], str(path), *[part for part in command[1:] if part != "-"]]
        assert main(argv) == 2, argv
        assert capsys.readouterr().err == f"provpack: error: {path}: {what}{fix}\n", argv


def test_only_provpack_provenance_in_metadata_records_is_read(tmp_path: Path) -> None:
    """JSON in a record of another type, a metadata record of another content type, and JSON of another format
    are passed over: only the provpack provenance in a metadata record is a document."""
    import json

    from warcbuild import provenance, provpack_records, record, warc

    text = "A quote [...] and the rest.\n"
    stray = provenance(text, record_id="<urn:uuid:00000000-0000-4000-8000-000000000009>", target="urn:stray")
    stray["name"] = "stray"
    as_json = json.dumps(stray).encode()
    records = [*provpack_records([text]),
               record("response", as_json, content_type="application/json"),
               record("resource", as_json, content_type="application/ld+json"),
               record("metadata", b"not: json\r\n", content_type="application/warc-fields"),
               record("metadata", b"{not json either", content_type=None),
               record("metadata", json.dumps({"format": "other/1", "name": "x"}).encode(),
                      content_type="application/json; charset=utf-8")]
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(warc(records))
    assert [document.name for document in read_archive(path)] == ["doc"]


def test_a_warc_type_in_another_case_is_read_as_verify_reads_it(tmp_path: Path) -> None:
    """WARC-Type `Metadata` and `RESOURCE`: verify reads a record's type in any case and checks the provenance, so
    show lists the document and extract writes it (not "holds no provpack documents")."""
    from warcbuild import provpack_records, warc

    text = "A quote [...] and the rest.\n"
    records = [raw.replace(b"WARC-Type: metadata", b"WARC-Type: Metadata").replace(
        b"WARC-Type: resource", b"WARC-Type: RESOURCE") for raw in provpack_records([text])]
    assert b"WARC-Type: Metadata" in records[2] and b"WARC-Type: RESOURCE" in records[1]
    path = tmp_path / "cased.warc.gz"
    path.write_bytes(warc(records))
    assert [document.name for document in read_archive(path)] == ["doc"]
    out = io.BytesIO()
    extract(path, "doc", out)
    assert out.getvalue() == text.encode()
    report = provpack.verify([path], jobs=1).files[0]
    assert report.problems == () and "provpack provenance records checked: 1" in report.notes


def test_an_http_record_without_a_target_uri_does_not_stop_show(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A response record with no WARC-Target-URI (which warcio's HTTP parsing trips over with an AttributeError)
    is passed over like any other record that is no provenance: show lists the documents, as verify passes the file."""
    from warcbuild import provpack_records, record, warc

    from provpack.cli import main

    path = tmp_path / "http.warc.gz"
    path.write_bytes(warc([*provpack_records(["A [...] B\n"]),
                           record("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhi",
                                  content_type="application/http; msgtype=response")]))
    assert [document.name for document in read_archive(path)] == ["doc"]
    assert main(["show", str(path)]) == 0
    assert "doc" in capsys.readouterr().out
    assert main(["verify", str(path)]) == 0


def _members(data: bytes) -> list[int]:
    """Where each gzip member of `data` starts."""
    import zlib

    starts, at = [], 0
    while at < len(data):
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[at:])
        starts.append(at)
        at = len(data) - len(inflater.unused_data)
    return starts


def test_a_resource_record_after_its_provenance_record_is_found(three_docs: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Each document's provenance record moved before its resource record (an order docs/format.md allows, and
    verify takes): read_archive gives each document its resource record's offset and extract its bytes, where
    extract said "its resource record <urn:uuid:...> is missing" (exit 1) and the offset was None."""
    data = three_docs.read_bytes()
    starts = _members(data) + [len(data)]
    members = [data[start:end] for start, end in zip(starts, starts[1:])]
    assert len(members) == 7   # warcinfo, then a resource and its provenance per document
    swapped = [members[0]] + [member for at in (1, 3, 5) for member in (members[at + 1], members[at])]
    moved = tmp_path / "moved.warc.gz"
    moved.write_bytes(b"".join(swapped))
    assert provpack.verify(moved).ok
    before = {d.name: d.offset for d in read_archive(three_docs)}
    after = {d.name: d.offset for d in read_archive(moved)}
    offsets = [sum(map(len, swapped[:at])) for at in (2, 4, 6)]
    assert list(after.items()) == list(zip(["d1", "d2", "d3"], offsets)) and before != after
    for number in (1, 2, 3):
        out = io.BytesIO()
        assert extract(moved, f"d{number}", out).offset == offsets[number - 1]
        assert out.getvalue() == f"doc {number} text ".encode() * 200
    assert main(["extract", str(moved), "d2"]) == 0
    assert capsys.readouterr() == ("doc 2 text " * 200, "")


@pytest.mark.parametrize("whole", [True, False])
def test_a_warc_gzipped_as_a_whole_is_said_so_with_what_to_do(three_docs: Path, tmp_path: Path, whole: bool,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A sound archive gzipped as one member (or with d2's records in one member, after sound ones): verify reads
    it (a note); show, extract and read_archive, which seek to a record's member, say so in words and how to
    recompress it (exit 2), where warcio's message was cut at "To allow seek, a gzipped WARC must have each ..."
    and they sent to verify "for details" that verify does not give."""
    data = three_docs.read_bytes()
    starts = _members(data) + [len(data)]
    members = [gzip.decompress(data[start:end]) for start, end in zip(starts, starts[1:])]
    if whole:
        bad, at = gzip.compress(b"".join(members), mtime=0), 0
    else:
        at = starts[3]
        bad = data[:at] + gzip.compress(members[3] + members[4], mtime=0) + data[starts[5]:]
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(bad)
    assert provpack.verify(path).ok
    said = (f"{path}: cannot read the record at byte {at}: its gzip member holds more records than this one: the "
            "file is gzipped as a whole (or several records to a member), and a reader that seeks to a record needs "
            "a member of its own for each; recompress it one record to a gzip member, as `package` writes it: "
            "`warcio recompress FILE NEW.warc.gz` (`provpack verify` reads it as it is)")
    for call in (lambda: read_archive(path), lambda: read_archive(path, on_damage=list().append),
                 lambda: extract(path, "d1", io.BytesIO())):
        with pytest.raises(ArchiveError) as caught:
            call()
        assert str(caught.value) == said
    for command in (["show", str(path)], ["extract", str(path), "d1"], ["index", str(path)]):
        assert main(command) == 2
        assert capsys.readouterr() == ("", f"provpack: error: {said}\n")


@pytest.fixture
def large_docs(tmp_path: Path, fixed_date: dt.datetime) -> tuple[Path, dict[str, bytes]]:
    """An archive of three texts of 30,000 random letters (each gzip member of a text over 16 KiB), and the texts."""
    import random

    source = tmp_path / "large"
    source.mkdir()
    pick = random.Random(0)
    texts = {}
    for name in "abc":
        texts[name] = "".join(pick.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(30000)).encode()
        (source / f"{name}.txt").write_bytes(texts[name])
    return provpack.package(source, out=tmp_path / "large.warc.gz", date=fixed_date).warc_path, texts


def test_a_large_member_corrupt_past_its_first_block_is_damage(large_docs: tuple[Path, dict[str, bytes]],
                                                               tmp_path: Path,
                                                               capfd: pytest.CaptureFixture[str]) -> None:
    """A's text, in a gzip member of 19 KB, with a byte of its deflate data flipped: warcio reads its first 16 KiB,
    then wrote zlib's error to stderr and ended as though the file did (show, extract and index exit 0, b and c
    lost); it is the damaged member, as verify finds it (exit 1), and b and c are read past it and given."""
    from provpack.cdxj import index

    archive, texts = large_docs
    data = bytearray(archive.read_bytes())
    starts = _members(bytes(data))
    assert starts[2] - starts[1] > 16384
    data[(starts[1] + starts[2]) // 2] ^= 0xFF
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(data)
    said = (f"{bad}: damaged gzip member at byte {starts[1]}: gzip member is corrupt: incorrect data check; "
            "`provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, starts[1])
    damage: list[IntegrityError] = []
    assert [(d.name, d.offset is None) for d in read_archive(bad, on_damage=damage.append)] == [
        ("a", True), ("b", False), ("c", False)]
    assert [str(error) for error in damage] == [said]
    with pytest.raises(IntegrityError) as caught:
        list(index(bad, records=None))
    assert str(caught.value) == said
    assert capfd.readouterr() == ("", "")   # (warcio's "Error -3 while decompressing data" is not written)
    assert main(["show", str(bad)]) == 1
    assert capfd.readouterr().err == (f"provpack: error: {said}; the 3 documents read outside it are listed; "
                                      "the text of 'a' lies in it\n")
    assert main(["index", str(bad)]) == 1
    assert capfd.readouterr() == ("", f"provpack: error: {said}\n")
    assert main(["extract", str(bad), "a"]) == 1
    assert capfd.readouterr().err.startswith(f"provpack: error: {said}; the text of 'a' lies in it (its resource")
    for name in "bc":
        assert main(["extract", str(bad), name]) == 0
        assert capfd.readouterr() == (texts[name].decode(), f"provpack: warning: {said}; '{name}' lies outside it: "
                                      "extracted, its sha256 checked\n")


def test_random_damage_to_a_gzipped_archive_is_said_and_read_past(tmp_path: Path, fixed_date: dt.datetime) -> None:
    """Bytes flipped, inserted, deleted or the file cut off, one to three places at random, in an archive of texts
    of 1 to 60 KB: read_archive with on_damage either reads every document whole, or passes the damage on; each
    document it gives with an offset is extracted byte for byte (its sha256 checked) from the damaged file."""
    import random

    source = tmp_path / "src"
    source.mkdir()
    pick = random.Random(7)
    texts = {}
    for number in range(6):
        size = pick.randint(1000, 60000)
        texts[f"t{number}"] = "".join(pick.choice("abcdefghijklmnopqrstuvwxyz \n") for _ in range(size)).encode()
        (source / f"t{number}.txt").write_bytes(texts[f"t{number}"])
    sound = provpack.package(source, out=tmp_path / "a.warc.gz", date=fixed_date).warc_path.read_bytes()
    bad = tmp_path / "bad.warc.gz"
    damaged = 0
    for seed in range(120):
        pick = random.Random(seed)
        data = bytearray(sound)
        for _ in range(pick.randint(1, 3)):
            at = pick.randrange(len(data))
            kind = pick.choice(["flip", "flip", "flip", "insert", "delete", "cut"])
            if kind == "flip":
                data[at] ^= pick.randrange(1, 256)
            elif kind == "insert":
                data[at:at] = bytes(pick.randrange(256) for _ in range(pick.randint(1, 30)))
            elif kind == "delete":
                del data[at:at + pick.randint(1, 30)]
            else:
                del data[max(at, 1):]
        bad.write_bytes(data)
        damage: list[IntegrityError] = []
        documents = read_archive(bad, on_damage=damage.append)
        damaged += bool(damage)
        assert damage or sorted(d.name for d in documents) == sorted(texts), seed
        assert all(error.offset is not None for error in damage), seed
        for document in documents:
            assert document.offset is not None or damage, seed
            if document.offset is not None:
                out = io.BytesIO()
                extract(bad, document, out)
                assert out.getvalue() == texts[document.name], seed
    assert damaged > 100


def test_memory_stays_flat_however_many_places_are_damaged(tmp_path: Path, fixed_date: dt.datetime,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes that are no record before each of 300 gzip members: every damaged place passed to on_damage, kept in
    a list, holds no traceback (each kept the frames of its reading alive, and their buffers: about 1 MB a place),
    so the list holds next to nothing; show keeps the first place and a count."""
    import gc
    import tracemalloc

    source = tmp_path / "src"
    source.mkdir()
    for number in range(150):
        (source / f"d{number:03d}.txt").write_text(f"text {number} " * 50, encoding="utf-8")
    sound = provpack.package(source, out=tmp_path / "a.warc.gz", date=fixed_date).warc_path.read_bytes()
    starts = _members(sound) + [len(sound)]
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"junk\r\n".join(sound[start:end] for start, end in zip(starts, starts[1:])))
    tracemalloc.start()
    try:
        damage: list[IntegrityError] = []
        assert len(read_archive(bad, on_damage=damage.append)) == 150
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        del damage[1:]
        gc.collect()
        assert held - tracemalloc.get_traced_memory()[0] < 1_000_000   # (a few hundred bytes an error)
        assert damage[0].__traceback__ is None and damage[0].__context__ is None
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        assert main(["show", "--json", str(bad)]) == 1
        assert tracemalloc.get_traced_memory()[1] - before < 30_000_000
    finally:
        tracemalloc.stop()
    assert capsys.readouterr().err.endswith("(and 299 more damaged places); the 150 documents read outside them are "
                                            "listed\n")


@pytest.mark.parametrize("kind", ["gzip", "plain"])
def test_a_provenance_block_that_does_not_parse_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """d2's provenance record cut inside its own, intact gzip member, or in a plain WARC its Content-Length 10 short:
    its JSON no longer parses. That is damage to the record (exit 1), read past, where show said "is not valid JSON"
    and listed nothing (exit 2): d1 and d3 are listed and given, and d2 is said to be in no place outside it. The
    damage is said as verify finds it first, its block not followed by CRLF CRLF (bad-length), not as the JSON."""
    from provpack.verify import verify

    from provpack.cdxj import index

    lines = list(index(three_docs, records=None))
    start, end = lines[4].offset, lines[5].offset
    data = three_docs.read_bytes()
    member = gzip.decompress(data[start:end])
    length = int(member.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    block = member[len(member) - 4 - length:len(member) - 4]
    if kind == "gzip":
        bad = tmp_path / "bad.warc.gz"
        bad.write_bytes(data[:start] + gzip.compress(member[:len(member) - 4 - length // 2], mtime=0) + data[end:])
        block = block[:length - length // 2]
    else:
        bad = tmp_path / "bad.warc"
        plain = gzip.decompress(data)
        start = len(gzip.decompress(data[:start]))
        short = member.replace(f"Content-Length: {length}\r\n".encode(), f"Content-Length: {length - 10}\r\n".encode())
        bad.write_bytes(plain[:start] + short + plain[start + len(member):])
        block = block[:length - 10]
    with pytest.raises(ValueError):
        json.loads(block)
    first = verify(bad).files[0].problems[0]
    assert (first.offset, first.kind) == (start, "bad-length")
    said = f"{bad}: the record at byte {start}: {first.message}; `provpack verify` gives the full report"
    _d2_damage_read_past(bad, start, said, capsys)
    for number in (1, 3):
        assert main(["extract", str(bad), f"d{number}"]) == 0
        assert capsys.readouterr().out == f"doc {number} text " * 200
    assert main(["extract", str(bad), "d2"]) == 1
    assert capsys.readouterr().err == (f"provpack: error: {said}; no document named 'd2' outside it"
                                       f"{no_provenance(bad, record_start(three_docs, 3, kind), 'd2')}\n")


def _d2_damage_read_past(bad: Path, start: int, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """d2's provenance record at `start` is damage `said`: read_archive raises it, or reads past it to d1 and d3
    with on_damage; show lists them, names it and exits 1."""
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    damage: list[IntegrityError] = []
    assert [d.name for d in read_archive(bad, on_damage=damage.append)] == ["d1", "d3"]
    assert [str(error) for error in damage] == [said]
    assert main(["show", str(bad)]) == 1
    assert capsys.readouterr().err == f"provpack: error: {said}; the 2 documents read outside it are listed\n"


def _nested_in_d2(tmp_path: Path, levels: int) -> tuple[Path, int, str]:
    """warcbuild.nested_in_d2 written to a file: (the file, d2's provenance record's offset, that record's id)."""
    from warcbuild import nested_in_d2

    data, start, record_id = nested_in_d2(levels)
    path = tmp_path / "deep.warc.gz"
    path.write_bytes(data)
    return path, start, record_id


@pytest.mark.parametrize("levels", [MAX_DEPTH, 990, 3000])   # (in an object: one more)
def test_a_provenance_record_nested_too_deep_is_damage_read_past(tmp_path: Path, levels: int,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """JSON nested deeper than provpack reads (jsondepth) in d2's provenance record: json.loads's RecursionError
    came out of read_archive, show, extract and make_wacz as a traceback (past 1,024 levels), or orjson took it
    and verify found nothing while show crashed (990). It is damage, as provenance JSON that does not parse, read
    past: d1 and d3 listed and given; verify names the same record (exit 1)."""
    from provpack.verify import verify

    bad, start, record_id = _nested_in_d2(tmp_path, levels)
    exc = f"it nests arrays and objects {levels + 1:,} levels deep, more than the {MAX_DEPTH} provpack reads"
    said = (f"{bad}: the metadata record at byte {start} ('{record_id}') is damaged: its JSON does not parse: "
            f"{exc}; `provpack verify` gives the full report")
    _d2_damage_read_past(bad, start, said, capsys)
    assert main(["extract", str(bad), "d3"]) == 0
    assert capsys.readouterr() == ("doc 3 [...] text\n", f"provpack: warning: {said}; 'd3' lies outside it: "
                                   "extracted, its sha256 checked\n")
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems] == [
        (start, "metadata-mismatch", f"the JSON does not parse: {exc}; show and extract take this record for damage")]


@pytest.mark.parametrize("software", ["provpack/0.8.0", "other-tool/1.0"])
def test_another_tools_json_ld_that_does_not_parse_is_read_past_as_verify_reads_it(
        tmp_path: Path, software: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON-LD metadata record whose JSON does not parse and does not name provpack's format (another tool's, a
    provpack archive's or not) is not provpack's to judge: verify passes it, and read_archive, show and extract read
    past it to the documents after it. They took it for damage (`its JSON does not parse: Extra data`, show exit 1,
    `provpack verify` to give the full report) of a file verify found sound."""
    from warcbuild import provpack_records, record, warc

    info, *d1 = provpack_records(["doc 1 [...] text\n"], software=software, generators=[software.replace("/", " ")])
    other = record("metadata", b'{"a": 1}}', content_type="application/ld+json")
    path = tmp_path / "other.warc"
    path.write_bytes(warc([info, other, *d1], gzip=False))
    assert provpack.verify(path).ok
    assert [d.name for d in read_archive(path)] == ["doc"]
    assert main(["show", str(path)]) == 0
    capsys.readouterr()
    assert main(["extract", str(path), "doc"]) == 0
    assert capsys.readouterr() == ("doc 1 [...] text\n", "")
    marked = record("metadata", b'{"format": "provpack-provenance/1"}}', content_type="application/ld+json",
                    record_id="<urn:uuid:marked>")
    path.write_bytes(warc([info, marked, *d1], gzip=False))
    said = (f"{path}: the metadata record at byte {len(info)} ('<urn:uuid:marked>') is damaged: its JSON does not "
            "parse: Extra data: line 1 column 36 (char 35); `provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(path)
    assert str(caught.value) == said
    assert [p.message for p in provpack.verify(path).files[0].problems] == [
        "the provenance JSON does not parse: Extra data: line 1 column 36 (char 35)"]


def test_a_provenance_record_as_deep_as_provpack_reads_is_read(tmp_path: Path) -> None:
    path, _, _ = _nested_in_d2(tmp_path, MAX_DEPTH - 1)
    assert [d.name for d in read_archive(path)] == ["d1", "d2", "d3"]
    assert provpack.verify(path).ok


@pytest.mark.parametrize(("extra", "tail"), [(10, "'.1\\r\\n'"), (1, "'\\n\\r\\nW'")])
def test_a_content_length_too_large_in_a_plain_warc_is_damage_read_past(three_docs: Path, tmp_path: Path, extra: int,
                                                                        tail: str,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record in a plain WARC with a Content-Length 10 too large: warcio takes the next record's first
    10 bytes as its block and fails on the rest of that header ("Invalid WARC record, first line: 'WARC-Type:
    metadata'", exit 2, nothing listed); 1 too large, it takes the CR that ends the block and reads the LF CRLF
    after it as blank lines, without a word (exit 0, all listed). It is the damage verify finds there (exit 1),
    read past: d1, d2 and d3 are listed, d2's text said to lie in the damage, d1 and d3 given."""
    from provpack.verify import verify

    plain = gzip.decompress(three_docs.read_bytes())
    bad = tmp_path / "bad.warc"
    bad.write_bytes(plain)
    start = [d.offset for d in read_archive(bad)][1]
    assert start is not None
    head_end = plain.index(b"\r\n\r\n", start)
    length = int(plain[start:head_end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
    bad.write_bytes(plain[:start] + plain[start:head_end].replace(f"Content-Length: {length}".encode(),
                                                                  f"Content-Length: {length + extra}".encode())
                    + plain[head_end:])
    message = (f"the {length + extra}-byte block (Content-Length) is followed by {tail}, not CRLF CRLF: "
               "Content-Length is wrong or the block was altered")
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (start, "bad-length", message)
    said = f"{bad}: the record at byte {start}: {message}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    capsys.readouterr()   # (no warning that the record is not followed by the blank lines: the error says it)
    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == (f"provpack: error: {said}; the 3 documents read outside it are listed; the text of "
                         "'d2' lies in it\n")
    assert shown.out.startswith(f"{bad}: 3 documents\n\nd1\n") and "\nd3\n" in shown.out
    for number in (1, 3):
        assert main(["extract", str(bad), f"d{number}"]) == 0
        assert capsys.readouterr() == (f"doc {number} text " * 200, f"provpack: warning: {said}; "
                                       f"'d{number}' lies outside it: extracted, its sha256 checked\n")
    assert main(["extract", str(bad), "d2"]) == 1
    assert capsys.readouterr().err.startswith(f"provpack: error: {said}; the text of 'd2' lies in it")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_header_cut_short_by_the_next_record_is_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record cut in the middle of its header, d2's provenance record following: warcio read the two as
    one record (in a plain WARC; a line without a colon dropped) or the cut header as a record with no block (in
    its own gzip member), and show, extract and index said nothing (exit 0, d2 not listed, or listed with a text
    it does not have). It is the damage verify finds (exit 1), read past: d2's provenance is read, its text said
    to lie in the damage, d1 and d3 given."""
    from provpack.cdxj import index
    from provpack.verify import verify

    lines = list(index(three_docs, records=None))
    data = three_docs.read_bytes()
    records = [gzip.decompress(data[line.offset:after.offset]) for line, after in zip(lines, lines[1:])]
    records.append(gzip.decompress(data[lines[-1].offset:]))
    cut = records[3].index(b"\r\n\r\n") // 2
    records[3] = records[3][:cut]
    if kind == "plain":
        bad = tmp_path / "bad.warc"
        bad.write_bytes(b"".join(records))
        start = len(b"".join(records[:3]))
    else:
        bad = tmp_path / "bad.warc.gz"
        bad.write_bytes(b"".join(gzip.compress(record, mtime=0) for record in records))
        start = len(b"".join(gzip.compress(record, mtime=0) for record in records[:3]))
    found = f"the header is cut short: another record's version line ('WARC/1.1') starts {cut} bytes into it"
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (
        start, "malformed-header", f"{found}: reading resumes there")
    said = f"{bad}: the record at byte {start}: {found}; `provpack verify` gives the full report"
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    for express in (True, False):
        with pytest.raises(IntegrityError) as caught:
            list(index(bad, records=None, express=express))
        assert str(caught.value) == said
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_bytes_before_the_first_record_are_damage_read_past(three_docs: Path, tmp_path: Path, kind: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A stray byte before the first record of a plain WARC, or three before the first gzip member: show and extract
    said "not a WARC file" (exit 2) where verify reads on; they are damage, in verify's words (exit 1), read past:
    every document listed and given. A file in which no record follows stays "not a WARC file" (exit 2)."""
    data = three_docs.read_bytes()
    if kind == "plain":
        bad = tmp_path / "bad.warc"
        bad.write_bytes(b"X" + gzip.decompress(data))
        said = (f"{bad}: no WARC record starts at byte 0 (1 byte that is not a WARC record before the next record; "
                "the bytes there: 'XWARC/1.1\\r\\nWARC-Type: warcinfo\\r\\nWARC-Rec'...); `provpack verify` gives the full "
                "report")
    else:
        bad = tmp_path / "bad.warc.gz"
        bad.write_bytes(b"XYZ" + data)
        said = (f"{bad}: damaged gzip data at byte 0: 3 bytes that are not gzip data before the next gzip member; "
                "`provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, 0)
    _serves_around(bad, said, capsys, lost=None)
    bad.write_bytes(b"X" + b"no record here\n" * 100)
    assert main(["show", str(bad)]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {bad}: not a WARC file (the bytes at byte 0: 'Xno record "
                                       "here\\nno record here\\nno record'...); give a .warc or .warc.gz file; 'provpack "
                                       "verify' says more\n")


def test_damage_after_bytes_before_the_first_member_is_read_past_too(three_docs: Path, tmp_path: Path) -> None:
    """Bytes before the first gzip member, and bytes that are no gzip data before d2's text: both places are passed
    on, and every document read past them: the reading past the second one resumes in gzip data, where it looked for
    a plain WARC's headers (the file's first bytes are not gzip), found none, and d2 and d3 were lost unsaid."""
    from provpack.cdxj import index

    start = list(index(three_docs, records=None))[3].offset
    data = three_docs.read_bytes()
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"XYZ" + data[:start] + b"junk" + data[start:])
    damage: list[IntegrityError] = []
    assert [(d.name, d.offset is None) for d in read_archive(bad, on_damage=damage.append)] == [
        ("d1", False), ("d2", False), ("d3", False)]
    assert [error.offset for error in damage] == [0, start + 3]


# --- read_each, and show reading one document at a time -------------------------------------------------------

def _moved(three_docs: Path, tmp_path: Path) -> tuple[Path, list[bytes]]:
    """three_docs with each document's provenance record before its resource record (an order docs/format.md
    allows): the file, and its gzip members (warcinfo, then provenance and resource per document)."""
    data = three_docs.read_bytes()
    starts = _members(data) + [len(data)]
    members = [data[start:end] for start, end in zip(starts, starts[1:])]
    swapped = [members[0]] + [member for at in (1, 3, 5) for member in (members[at + 1], members[at])]
    moved = tmp_path / "moved.warc.gz"
    moved.write_bytes(b"".join(swapped))
    return moved, swapped


def test_read_each_hands_on_each_document_as_read_archive_gives_it(three_docs: Path, tmp_path: Path) -> None:
    """read_each hands each document to `each` once, in archive order, as read_archive gives it; one whose resource
    record follows its provenance record without its offset, which resource_offsets then gives."""
    handed: list[ArchivedDocument] = []
    read = reader.read_each(three_docs, handed.append)
    assert tuple(handed) == read_archive(three_docs) and read.records == 7
    assert all(document.offset is not None for document in handed)
    moved, _ = _moved(three_docs, tmp_path)
    handed.clear()
    read = reader.read_each(moved, handed.append)
    listed = read_archive(moved)
    assert [document.offset for document in handed] == [None, None, None]
    assert [replace(document, offset=read.resource_offsets[document.record_id]) for document in handed] == list(listed)


def _taken_back(three_docs: Path, tmp_path: Path) -> Path:
    """three_docs with d3's provenance record (the last) named e3, its WARC-Block-Digest left as it was, and the file
    cut off in the record's gzip trailer: warcio gives the record whole, and e3 is read; then the end of the file
    is found cut off there, and the record, not shown whole, is taken back with e3."""
    folder = tmp_path / "taken"
    folder.mkdir()
    bad, _ = _record_changed(three_docs, folder, "gzip", 6, lambda member: member.replace(b'"d3"', b'"e3"'))
    bad.write_bytes(bad.read_bytes()[:-1])
    return bad


def test_read_each_holds_back_a_document_damage_takes_back(three_docs: Path, tmp_path: Path) -> None:
    """A document read from the record read last, which damage found after it takes back, is never handed on (show,
    which draws each document as it comes, must not list it)."""
    bad = _taken_back(three_docs, tmp_path)
    damage: list[IntegrityError] = []
    handed: list[ArchivedDocument] = []
    read = reader.read_each(bad, handed.append, on_damage=damage.append)
    assert [document.name for document in handed] == ["d1", "d2"] and len(damage) == 1
    assert tuple(handed) == read_archive(bad, on_damage=lambda _: None) and read.records == 6


def test_an_integrity_error_each_raises_is_not_damage(three_docs: Path) -> None:
    """An IntegrityError that `each` raises stops the reading, raised as it is: never taken for damage to the file
    (passed to on_damage, the reading going on past it)."""
    mine = IntegrityError("elsewhere", "each's own")
    damage: list[IntegrityError] = []

    def each(document: ArchivedDocument) -> None:
        raise mine

    with pytest.raises(IntegrityError) as caught:
        reader.read_each(three_docs, each, on_damage=damage.append)
    assert caught.value is mine and damage == []


def _shown_before(path: Path, *, as_json: bool) -> tuple[int, str, str]:
    """What `provpack show [--json] PATH` printed when it held every document (read_listing's) until it printed
    them, with rich drawing them (test_drawing's reference): (exit code, stdout, stderr)."""
    import re
    import sys

    from test_drawing import reference_print_documents

    from provpack.display import show_json
    from provpack.errors import INVISIBLE, ProvpackError, printable

    damage = reader.DamageSeen()
    try:
        documents, records, _ = reader.read_listing(path, on_damage=damage)
        if damage.first is not None and not documents:
            raise IntegrityError(damage.first.path, damage.said())
    except ProvpackError as exc:
        return exc.exit_code, "", f"provpack: error: {printable(str(exc))}\n"
    out = io.StringIO()
    if as_json:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        text = json.dumps({"documents": [show_json(d) for d in documents]}, indent=2,
                          ensure_ascii=encoding not in ("utf8", "utf16", "utf32"))
        unsafe = re.compile(rf"[\x80-\x9f\ud800-\udfff{INVISIBLE}]")
        out.write(unsafe.sub(lambda match: json.dumps(match.group())[1:-1], text) + "\n")
    else:
        reference_print_documents(str(path), documents, out, records=records)
    if damage.first is None:
        return 0, out.getvalue(), ""
    listed = "the document" if len(documents) == 1 else f"the {len(documents):,} documents"
    said = (f"{printable(str(damage.first.path))}: {damage.said()}; {listed} read outside it "
            f"{'is' if len(documents) == 1 else 'are'} listed")
    textless = [document.name for document in documents if document.offset is None]
    if textless:
        names = ", ".join(reader.shown_name(name) for name in textless[:10])
        if len(textless) > 10:
            names += f", and {len(textless) - 10:,} more"
        said += f"; the text of {names} lies in it"
    return damage.first.exit_code, out.getvalue(), printable(f"provpack: error: {said}") + "\n"


def _flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def _cases(three_docs: Path, tmp_path: Path) -> dict[str, Path]:
    """Archives sound and damaged, every way show reads past, by what was done to three_docs."""
    from conftest import ARCHIVE

    cases = {"seeds": ARCHIVE / "seeds.warc.gz", "sound": three_docs}
    data = three_docs.read_bytes()
    ends = _members(data)[1:] + [len(data)]
    for record in (2, 3, 4, 6):   # d1's provenance (no document left), d2's text, d2's provenance, d3's provenance
        start, cuts = cut_points(three_docs, record)
        for number, cut in enumerate(cuts):   # the file cut off there; its member cut short, the others after it
            for rest, name in ((b"", "cut"), (data[ends[record]:], "short")):
                cases[f"{name} {record}.{number}"] = path = tmp_path / f"{name}-{record}-{number}.warc.gz"
                path.write_bytes(data[:cut] + rest)
    for where in ("crc", "data", "magic"):
        for record in (3, 4):
            cases[f"{where} {record}"] = path = tmp_path / f"{where}-{record}.warc.gz"
            _damaged(three_docs, record, where, path)
    for kind in ("gzip", "plain"):
        folder = tmp_path / kind
        folder.mkdir()
        cases[f"junk {kind}"] = _no_record_at(three_docs, folder, kind)[0]
        length = len(("doc 2 text " * 200).encode())
        (folder / "length").mkdir()
        cases[f"length {kind}"] = _d2_text_changed(three_docs, folder / "length", kind, lambda member: member.replace(
            b"Content-Length: %d\r\n" % length, b"Content-Length: %d\r\n" % (length - 2), 1))[0]
    moved, members = _moved(three_docs, tmp_path)
    cases["moved"] = moved
    for at, what in ((4, "data"), (6, "data"), (len(members) - 1, "cut")):   # d2's, d3's text damaged; d3's cut off
        changed = list(members)
        changed[at] = (changed[at][:len(changed[at]) // 2] if what == "cut"
                       else _flipped(changed[at], len(changed[at]) // 2))
        cases[f"moved {what} {at}"] = path = tmp_path / f"moved-{what}-{at}.warc.gz"
        path.write_bytes(b"".join(changed))
    cases["taken back"] = _taken_back(three_docs, tmp_path)
    cases["other tool's"] = other = tmp_path / "other.warc.gz"
    other.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: "
                                    b"2020-01-01T00:00:00Z\r\nWARC-Target-URI: http://example.com/\r\nContent-Type: "
                                    b"text/plain\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n", mtime=0))
    return cases


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_show_prints_what_it_printed_holding_every_document(three_docs: Path, tmp_path: Path, as_json: bool,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """show draws each document as read_each hands it on, and prints the count line first, then them: its output
    (stdout, stderr, exit code) is byte for byte what it was when it held them all (read_listing's tuple), on sound
    archives, on one of another tool's, and on every kind of damage it reads past: documents read past, one the
    damage takes back, the documents whose text lies in the damage (found late when their text follows them)."""
    seen = set()
    for what, path in _cases(three_docs, tmp_path).items():
        before = _shown_before(path, as_json=as_json)
        code = main(["show", *(["--json"] if as_json else []), str(path)])
        assert (code, *capsys.readouterr()) == before, what
        seen.add((before[0], before[2].count("lies in it"), "no provpack documents" in before[1]
                  or before[1] == '{\n  "documents": []\n}\n'))
    assert seen >= {(0, 0, False), (1, 0, False), (1, 1, False), (0, 0, True)}, seen   # (each kind was met)


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_header_that_never_ends_then_the_next_record_at_once(three_docs: Path, tmp_path: Path, kind: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """d1's provenance record cut after its header's fields, 1.2 MiB with no blank line put there, and d2's text
    record following its last byte: verify reports the header alone (it read d2's text record, not at a line start,
    as show and extract do; it said d2's provenance named no record in the file), and show and extract give d2 and
    d3, naming the damage."""
    from provpack.verify import verify

    def endless(member: bytes) -> bytes:
        return member[: member.index(b"\r\n\r\n") + 2] + b"x" * (1200 << 10)

    data = three_docs.read_bytes()
    starts = _members(data) + [len(data)]
    members = [gzip.decompress(data[start:end]) for start, end in zip(starts, starts[1:])]
    members[2] = endless(members[2])   # (in gzip data, d2's text record starts the next member)
    bad = tmp_path / ("bad.warc" if kind == "plain" else "bad.warc.gz")
    bad.write_bytes(b"".join(members) if kind == "plain" else b"".join(gzip.compress(m, mtime=0) for m in members))
    start = len(members[0]) + len(members[1]) if kind == "plain" else starts[2]
    found = "no blank line ends the header within 1048576 bytes"
    (file,) = verify(bad).files
    assert [(p.offset, p.kind, p.message) for p in file.problems] == [(start, "malformed-header", found)]
    said = f"{bad}: the record at byte {start}: {found}; `provpack verify` gives the full report"
    damage: list[IntegrityError] = []
    documents = read_archive(bad, on_damage=damage.append)
    assert [(d.name, d.offset is not None) for d in documents] == [("d2", True), ("d3", True)]
    assert [(str(error), error.offset) for error in damage] == [(said, start)]
    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == f"provpack: error: {said}; the 2 documents read outside it are listed\n"
    assert main(["extract", str(bad), "d2", "-o", str(tmp_path / "d2.txt")]) == 0
    assert (tmp_path / "d2.txt").read_text() == "doc 2 text " * 200


def test_each_text_lost_is_tied_to_the_damaged_place_before_its_provenance(
        tmp_path: Path, fixed_date: dt.datetime, capsys: pytest.CaptureFixture[str]) -> None:
    """Five documents, the gzip members of d1's text (its header) and d3's (its block, near the end) damaged: show
    and extract say d3's text lies in the second damaged place, not the first (as they said), and that the others
    lie outside both."""
    source = tmp_path / "src"
    source.mkdir()
    for number in range(1, 6):
        (source / f"d{number}.txt").write_text(f"doc {number} text " * 200, encoding="utf-8")
    data = bytearray(provpack.package(source, out=tmp_path / "a.warc.gz", date=fixed_date).warc_path.read_bytes())
    starts = _members(bytes(data)) + [len(data)]
    data[starts[1] + 12] ^= 0xFF   # d1's text: its header
    data[starts[6] - 30] ^= 0xFF   # d3's text: its block
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    damage: list[IntegrityError] = []
    assert [d.name for d in read_archive(bad, on_damage=damage.append)] == ["d1", "d2", "d3", "d4", "d5"]
    assert [error.offset for error in damage] == [starts[1], starts[5]]
    first = f"{damage[0].problem} (and 1 more damaged place)"
    second = f"{damage[1].problem} (and 1 more damaged place)"
    assert main(["show", str(bad)]) == 1
    assert capsys.readouterr().err == (
        f"provpack: error: {bad}: {first}; the 5 documents read outside them are listed; the text of 'd1' lies in it;"
        f" the text of 'd3' lies in the damaged place at byte {starts[5]}\n")
    records = {d.name: d.record_id for d in read_archive(bad, on_damage=lambda error: None)}
    for name, place in (("d1", first), ("d3", second)):
        assert main(["extract", str(bad), name, "-o", str(tmp_path / "out.txt")]) == 1
        assert capsys.readouterr().err == (f"provpack: error: {bad}: {place}; the text of '{name}' lies in it (its "
                                           f"resource record {records[name]} could not be read)\n")
    for name in ("d2", "d4", "d5"):
        assert main(["extract", str(bad), name, "-o", str(tmp_path / f"{name}.txt")]) == 0
        written = tmp_path / f"{name}.txt"
        assert capsys.readouterr().err == (
            f"provpack: warning: {bad}: {first}; '{name}' lies outside them: extracted, its sha256 checked\nwrote "
            f"{written} (2,200 bytes, sha256 {hashlib.sha256(written.read_bytes()).hexdigest()})\n")
        assert written.read_text() == f"doc {name[1]} text " * 200
    data[starts[1] + 12] ^= 0xFF   # d3's alone: it is the first damaged place
    bad.write_bytes(bytes(data))
    assert main(["show", str(bad)]) == 1
    assert capsys.readouterr().err == (f"provpack: error: {bad}: {damage[1].problem}; the 5 documents read outside "
                                       "it are listed; the text of 'd3' lies in it\n")


def _field_renamed(name: bytes) -> Callable[[bytes], bytes]:
    """A change for _record_changed: the header field `name` renamed, its first letter X (WARC-Type: XARC-Type)."""
    def change(member: bytes) -> bytes:
        assert b"\r\n" + name + b":" in member
        return member.replace(b"\r\n" + name + b":", b"\r\nX" + name[1:] + b":", 1)
    return change


@pytest.mark.parametrize("kind", ["plain", "gzip"])
@pytest.mark.parametrize("field", ["WARC-Type", "WARC-Record-ID"])
def test_a_text_record_with_no_type_or_id_is_damage_its_text_lies_in(three_docs: Path, tmp_path: Path, kind: str,
                                                                     field: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record with its WARC-Type or WARC-Record-ID field's name damaged: a record whose kind is unknown, or
    that no provenance record can name. show listed all three, exit 0, without a word, and extract of d2 said its
    resource record "is missing". It is damage, in verify's words (missing-header): d2's text lies in it."""
    from provpack.verify import verify

    record_id = next(d.record_id for d in read_archive(three_docs) if d.name == "d2")
    bad, start = _record_changed(three_docs, tmp_path, kind, 3, _field_renamed(field.encode()))
    found = f"no {field} header"
    assert [(p.offset, p.kind, p.message) for p in verify(bad).files[0].problems][0] == (start, "missing-header", found)
    said = (f"{bad}: the record at byte {start} ('{record_id}'): no WARC-Type header: what it holds is not read; "
            "`provpack verify` gives the full report" if field == "WARC-Type" else
            f"{bad}: the resource record at byte {start}: no WARC-Record-ID header: no provenance record can name "
            "it, and the text it holds is not read; `provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    _serves_around(bad, said, capsys, lost="d2")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
@pytest.mark.parametrize("field", ["WARC-Type", "Content-Type"])
def test_a_provenance_record_with_no_type_is_damage_its_document_lost_in(three_docs: Path, tmp_path: Path, kind: str,
                                                                         field: str,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """d2's provenance record with its WARC-Type or Content-Type field's name damaged: not read as a JSON metadata
    record. show listed d1 and d3, exit 0, without a word, and extract of d2 said "no document named 'd2'" (exit 2).
    It is damage, as verify says it (missing-header; a metadata-mismatch after provpack's warcinfo): d2 lies in it."""
    from provpack.cli import main
    from provpack.verify import verify

    record_id = _record_id(three_docs, 4)
    bad, start = _record_changed(three_docs, tmp_path, kind, 4, _field_renamed(field.encode()))
    assert verify(bad).exit_code() == 1
    said = (f"{bad}: the record at byte {start} ('{record_id}'): no WARC-Type header: what it holds is not read; "
            "`provpack verify` gives the full report" if field == "WARC-Type" else
            f"{bad}: the metadata record at byte {start} ('{record_id}'): the block is provpack provenance "
            "(\"format\": \"provpack-provenance/1\"), but the record's Content-Type is none, not JSON (package "
            "writes it as application/ld+json): its document is not read; `provpack verify` gives the full report")
    with pytest.raises(IntegrityError) as caught:
        read_archive(bad)
    assert (str(caught.value), caught.value.offset) == (said, start)
    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == f"provpack: error: {said}; the 2 documents read outside it are listed\n"
    assert shown.out.startswith(f"{bad}: 2 documents\n\nd1\n") and "\nd3\n" in shown.out and "\nd2\n" not in shown.out
    assert main(["extract", str(bad), "d2"]) == 1
    text_at = _record_offset(bad, 3)   # (d2's text: no provenance record read names it)
    assert capsys.readouterr() == ("", f"provpack: error: {said}; no document named 'd2' outside it, but no provenance "
                                       f"record read names the text record at byte {text_at}: its provenance record, "
                                       "with its document's name, lies in the damage (or is missing), so 'd2' may be "
                                       f"that text; 'warcio extract --payload {bad} {text_at}' gives its bytes "
                                       "(unchecked)\n")
    for number in (1, 3):
        assert main(["extract", str(bad), f"d{number}"]) == 0
        assert capsys.readouterr() == (f"doc {number} text " * 200, f"provpack: warning: {said}; 'd{number}' lies "
                                       "outside it: extracted, its sha256 checked\n")


def _record_offset(archive: Path, record: int) -> int:
    """The offset of the `record`-th record of `archive` (0: the warcinfo), the records before it sound."""
    from itertools import islice

    from provpack.cdxj import index

    return next(islice(index(archive, records=None), record, None)).offset


def _record_id(archive: Path, record: int) -> str:
    """The WARC-Record-ID of the `record`-th record of `archive` (0: the warcinfo)."""
    from provpack.cdxj import index

    start = list(index(archive, records=None))[record].offset
    with archive.open("rb") as handle:
        handle.seek(start)
        header = gzip.GzipFile(fileobj=handle).read(2048)
    return header.split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_text_not_in_the_file_is_said_by_show_and_extract(three_docs: Path, tmp_path: Path, kind: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """d2's text record taken out whole: no damage, but its provenance record names a resource record the file does
    not hold. show listed all three, exit 0, without a word; it says so now, as verify does ("names no record in this
    file"), naming the provenance record's byte (exit 1), and extract of d2 says the same."""
    from provpack.cli import main

    record_id = next(d.record_id for d in read_archive(three_docs) if d.name == "d2")
    bad, start = _record_changed(three_docs, tmp_path, kind, 3, lambda member: b"")
    if kind == "gzip":   # (no empty member in its place)
        data = bad.read_bytes()
        empty = gzip.compress(b"", mtime=0)
        bad.write_bytes(data[:start] + data[start + len(empty):])
    said = (f"{bad}: the provenance record at byte {start} names the resource record '{record_id}' as the text of "
            "'d2', and no resource record in the file has that WARC-Record-ID; `provpack verify` gives the full report")
    assert [d.offset is None for d in read_archive(bad)] == [False, True, False]
    assert main(["show", str(bad)]) == 1
    shown = capsys.readouterr()
    assert shown.err == f"provpack: error: {said}; the 3 documents are listed\n"
    assert shown.out.startswith(f"{bad}: 3 documents\n\nd1\n")
    assert main(["extract", str(bad), "d2"]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n")
    assert main(["extract", str(bad), "d3"]) == 0
    assert capsys.readouterr() == ("doc 3 text " * 200, "")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_field_that_loses_no_document_is_verifys_to_say(three_docs: Path, tmp_path: Path, kind: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A required field renamed where every document is still read (a WARC-Date, a text's WARC-Target-URI, a
    provenance record's WARC-Refers-To or WARC-Record-ID): verify reports it (exit 1); show lists all three, exit 0
    (docs/robustness.md: show says what loses a document or keeps it from being read, not every header's fault)."""
    from provpack.cli import main
    from provpack.verify import verify

    for record, field in ((0, b"WARC-Date"), (3, b"WARC-Date"), (3, b"WARC-Target-URI"), (4, b"WARC-Refers-To"),
                          (4, b"WARC-Record-ID")):
        bad, _ = _record_changed(three_docs, tmp_path, kind, record, _field_renamed(field))
        assert verify(bad).exit_code() == 1
        assert main(["show", str(bad)]) == 0, (record, field)
        assert capsys.readouterr().out.startswith(f"{bad}: 3 documents\n")


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_text_in_no_damaged_place_before_it_is_said_to_be_not_in_the_file(
        three_docs: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    """d1's text loses its Content-Length (damage) and d3's text record is taken out whole: d3's text is not in the
    damaged place, sound records lie between them, so show and extract say it is not in the file, as verify does
    ("names no record in this file"); they tied it to d1's damaged place (review)."""
    from provpack.cdxj import index

    lines = list(index(three_docs, records=None))
    data = three_docs.read_bytes()
    gone = tmp_path / "gone.warc.gz"
    gone.write_bytes(data[:lines[5].offset] + data[lines[6].offset:])
    d3_text = _record_id(three_docs, 5)
    bad, start = _record_changed(gone, tmp_path, kind, 1, lambda member: member.replace(b"Content-Length:",
                                                                                           b"Xontent-Length:", 1))
    found = verify(bad).files[0].problems
    at = next(problem.offset for problem in found if problem.message.endswith("names no record in this file"))
    not_in_file = (f"the provenance record at byte {at} names the resource record '{d3_text}' as the text of 'd3', "
                   "and no resource record in the file has that WARC-Record-ID; `provpack verify` gives the full "
                   "report")
    assert main(["show", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"provpack: error: {bad}: the record at byte {start}: no Content-Length header; ")
    assert err.endswith(f"; the 3 documents read outside it are listed; the text of 'd1' lies in it; {not_in_file}\n")
    assert main(["extract", str(bad), "d3"]) == 1
    assert capsys.readouterr().err == f"provpack: error: {bad}: {not_in_file}\n"


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_a_record_said_damaged_as_it_is_read_and_again_after_is_one_damaged_place(
        three_docs: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    """d1's text record without WARC-Type and Content-Length: said as the record is read (no WARC-Type), then found
    again where warcio fails on it; one damaged place, not two (review)."""
    bad, start = _record_changed(three_docs, tmp_path, kind, 1, lambda member: re.sub(
        rb"(WARC-Type|Content-Length): [^\r]*\r\n", b"", member))
    assert main(["show", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"the record at byte {start} (" in err and "more damaged place" not in err
    assert err.endswith("; the 3 documents read outside it are listed; the text of 'd1' lies in it\n")


class _FailingReads(io.BufferedReader):
    """An archive whose disk fails (EIO) after `reads` reads of it."""

    reads = 0

    def read(self, size: int | None = -1) -> bytes:
        if self.reads <= 0:
            raise OSError(5, "Input/output error")
        self.reads -= 1
        return super().read(size)


def _failing_reads(monkeypatch: pytest.MonkeyPatch, archive: Path, reads: int) -> None:
    real_open = Path.open

    def opened(path: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if path == archive:
            handle = _FailingReads(io.FileIO(str(path), "rb"))
            handle.reads = reads
            return handle
        return real_open(path, mode, *args, **kwargs)   # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", opened)


def test_an_archive_whose_reading_fails_is_named(seed_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A read of the archive that fails (EIO) is said of the archive with what to do: extract -o said it of its
    output ("OUT: Input/output error while writing; ... free some space ..."), to standard output it named nothing;
    nothing is written either way."""
    out = tmp_path / "x.txt"
    before = sorted(path.name for path in tmp_path.iterdir())
    _failing_reads(monkeypatch, seed_archive, 1)
    said = f"{seed_archive}: cannot read it: input/output error; check the file"
    with pytest.raises(ArchiveError) as caught:
        read_archive(seed_archive)
    assert str(caught.value) == said
    for args in (["-o", str(out)], []):
        assert main(["extract", str(seed_archive), SEED_NAME, *args]) == 2
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", f"provpack: error: {said}\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == before   # (no x.txt, nor a temp file of it)


@pytest.mark.parametrize("hold", [True, False])
def test_a_document_whose_bytes_cannot_be_read_names_the_archive(seed_archive: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 hold: bool) -> None:
    """A document's bytes that fail to read (EIO) once it is found: said of the archive and the document, with what
    became of the bytes written so far (cut off again), not as a bare OSError that extract -o said of its output."""
    (document,) = read_archive(seed_archive)
    _failing_reads(monkeypatch, seed_archive, 1)   # (its first bytes checked, then the record read)
    dest = io.BytesIO()
    with pytest.raises(ArchiveError) as caught:
        extract(seed_archive, document, dest, hold=hold)
    assert str(caught.value) == (f"{seed_archive}: {SEED_NAME}: cannot read its bytes: input/output error; nothing was "
                                 "written; check the file")
    assert dest.getvalue() == b""
