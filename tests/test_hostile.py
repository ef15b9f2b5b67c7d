"""Hostile and odd input, end to end through the command: a clear error (exit 2) or correct handling, never a trace."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import provpack
from provpack import inputs
from provpack.cli import main
from provpack.reader import read_archive

from conftest import write_text

package_module = importlib.import_module("provpack.package")   # (provpack.package is also the function)
original_module = importlib.import_module("provpack.original")


def package_exit(tmp_path: Path, *extra: str) -> int:
    """Run `provpack package tmp/src -o tmp/o.warc.gz EXTRA`; return the exit code."""
    return main(["package", str(tmp_path / "src"), "-o", str(tmp_path / "o.warc.gz"), *extra])


def no_output(tmp_path: Path) -> bool:
    return not any(p.name.startswith(("o.warc.gz", ".o.warc.gz")) for p in tmp_path.iterdir())


@pytest.mark.parametrize("data, words", [
    (b"caf\xc3( [...]", "byte 3: invalid UTF-8 (0xC3 0x28"),
    ("\ufeffUTF-16 text [...]".encode("utf-16-le"), "text is UTF-16"),
    ("UTF-16 [...]".encode("utf-16"), "text is UTF-16"),
    (b"text\x00with a NUL [...]", "byte 4: NUL byte in the text"),
    (b"", "file is empty"),
    (b" \n\t\r\n", "file holds only white space"),
    (b"\xef\xbb\xbf", "file holds only a byte order mark"),
    (b"\xef\xbb\xbf\n \n", "file holds only a byte order mark and white space"),
])
def test_bad_text_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, words: str) -> None:
    """Undecodable texts exit 2 naming file, byte and problem; nothing is written."""
    write_text(tmp_path / "src", "doc", data)
    assert package_exit(tmp_path) == 2
    err = capsys.readouterr().err
    assert "doc.txt" in err and words in err
    assert no_output(tmp_path)


def test_huge_file_refused_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 1 GiB (sparse) text is refused by its size at once, without being read."""
    path = write_text(tmp_path / "src", "huge", b"")
    with path.open("wb") as handle:
        handle.truncate(2**30)
    started = time.monotonic()
    assert package_exit(tmp_path) == 2
    assert time.monotonic() - started < 2
    err = capsys.readouterr().err
    assert "huge.txt: 1,073,741,824 bytes is more than the limit of" in err and "--max-text-bytes" in err


def test_text_limit_is_configurable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--max-text-bytes lowers (or raises) the limit; a bad value is a usage error."""
    write_text(tmp_path / "src", "doc", b"twenty bytes [...] x")
    assert package_exit(tmp_path, "--max-text-bytes", "19") == 2
    assert "20 bytes is more than the limit of 19 bytes" in capsys.readouterr().err
    assert package_exit(tmp_path, "--max-text-bytes", "1K") == 0
    for bad in ("0", "-5", "lots", "", "K"):
        assert package_exit(tmp_path, "--force", "--max-text-bytes", bad) == 2
    with pytest.raises(provpack.InputError, match="positive"):
        provpack.package(tmp_path / "src", out=tmp_path / "p.warc.gz", max_text_bytes=0)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (a file whose size says 0)")
def test_file_grown_past_the_limit_while_reading() -> None:
    """A file whose size said 'small' but which holds more is still refused."""
    with pytest.raises(provpack.InputError, match="grew while packaging"):
        inputs.read_bytes(Path("/proc/self/status"), limit=10)


def test_many_files_in_one_folder(tmp_path: Path) -> None:
    """Thousands of texts (the 100,000 case, scaled down): discovery is sorted, fast, and sidecars found."""
    folder = tmp_path / "src"
    folder.mkdir()
    count = 5000
    for n in range(count):
        (folder / f"d{n:06d}.txt").write_bytes(b"t")
    (folder / "d000007.yaml").write_text("title: seven\n")
    started = time.monotonic()
    found = inputs.discover([folder])
    elapsed = time.monotonic() - started
    assert [f.name for f in found] == [f"d{n:06d}" for n in range(count)]
    assert found[7].sidecar_path == folder / "d000007.yaml" and found[8].sidecar_path is None
    assert elapsed < 2.0, f"discovering {count} files took {elapsed:.2f}s"


def test_odd_names_stay_out_of_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Spaces, non-ASCII and a newline in file names package fine; the names reach the JSON only."""
    names = ["with space", "caf\u00e9 \u65e5\u672c", "line\nbreak", "tab\there"]
    for name in names:
        write_text(tmp_path / "src", name, f"Text of {name!r} [...] end.\n".encode())
    assert package_exit(tmp_path) == 0
    archive = tmp_path / "o.warc.gz"
    assert sorted(d.name for d in read_archive(archive)) == sorted(names)
    for member in split_members(archive.read_bytes()):
        head = member.split(b"\r\n\r\n", 1)[0]
        assert b"break" not in head and b"space" not in head and b"\t" not in head
    out = tmp_path / "back.txt"
    assert main(["extract", str(archive), "line\nbreak", "-o", str(out)]) == 0
    assert out.read_bytes() == (tmp_path / "src" / "line\nbreak.txt").read_bytes()


def test_output_name_with_newline_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An output file name with a line break never reaches the WARC-Filename header."""
    write_text(tmp_path / "src", "doc", b"text [...]\n")
    assert main(["package", str(tmp_path / "src"), "-o", str(tmp_path / "a\nb.warc.gz")]) == 2
    assert "control character in a WARC header value" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_file_vanishing_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """A text deleted after discovery but before reading: exit 2, named, nothing written."""
    write_text(tmp_path / "src", "a", b"first [...]\n")
    gone = write_text(tmp_path / "src", "b", b"second [...]\n")
    real = provpack.package.__globals__["list_sources"]

    def list_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        gone.unlink()
        return found

    monkeypatch.setitem(provpack.package.__globals__, "list_sources", list_then_delete)
    assert package_exit(tmp_path) == 2
    assert "b.txt: the file disappeared while packaging" in capsys.readouterr().err
    assert no_output(tmp_path)


def test_sidecar_vanishing_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A sidecar deleted after discovery but before reading is said as a text deleted so is (it was "no such file;
    check the path", as if the path given were wrong): exit 2, named, nothing written."""
    write_text(tmp_path / "src", "a", b"first [...]\n")
    write_text(tmp_path / "src", "b", b"second [...]\n", sidecar="title: B\n")
    real = provpack.package.__globals__["list_sources"]

    def list_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        (tmp_path / "src" / "b.yaml").unlink()
        return found

    monkeypatch.setitem(provpack.package.__globals__, "list_sources", list_then_delete)
    assert package_exit(tmp_path) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path / 'src' / 'b.yaml'}: the file disappeared while "
                                       "packaging; run again\n")
    assert no_output(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A text we may not read (chmod 000 as a normal user; simulated, as tests run as root): exit 2, named."""
    locked = write_text(tmp_path / "src", "locked", b"secret [...]\n")
    real_open = os.open

    def deny(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "open", deny)
    assert package_exit(tmp_path) == 2
    assert "locked.txt: permission denied; check the file's permissions (or run as its owner)\n" in capsys.readouterr().err
    assert no_output(tmp_path)


def test_symlinks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Links out of the folder are refused unless --follow-symlinks; loops and dangling links are named."""
    write_text(tmp_path / "outside", "secret", b"outside text [...]\n")
    write_text(tmp_path / "src", "inside", b"inside text [...]\n")
    (tmp_path / "src" / "ok.txt").symlink_to("inside.txt")
    (tmp_path / "src" / "out.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    assert package_exit(tmp_path) == 2
    assert "out.txt: symbolic link points outside the source folder" in capsys.readouterr().err
    assert package_exit(tmp_path, "--follow-symlinks") == 0
    assert sorted(d.name for d in read_archive(tmp_path / "o.warc.gz")) == ["inside", "ok", "out"]
    (tmp_path / "src" / "out.txt").unlink()
    (tmp_path / "src" / "loop.txt").symlink_to("loop.txt")
    assert package_exit(tmp_path, "--force") == 2
    assert "loop.txt: symbolic link cannot be followed" in capsys.readouterr().err
    (tmp_path / "src" / "loop.txt").unlink()
    (tmp_path / "src" / "dangling.txt").symlink_to("nothing.txt")
    assert package_exit(tmp_path, "--force") == 2
    assert "dangling.txt: symbolic link to a file that does not exist" in capsys.readouterr().err


def test_sidecar_link_outside_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sidecar linked to a file outside the folder is refused too: no reading /etc/* into an archive."""
    write_text(tmp_path / "outside", "x", b"", sidecar="title: from outside\n")
    write_text(tmp_path / "src", "doc", b"text [...]\n")
    (tmp_path / "src" / "doc.yaml").symlink_to(tmp_path / "outside" / "x.yaml")
    assert package_exit(tmp_path) == 2
    assert "doc.yaml: symbolic link points outside the source folder" in capsys.readouterr().err


@pytest.mark.parametrize("swapped, target, follow", [
    ("doc.txt", "secret.txt", False),
    ("doc.yaml", "x.yaml", False),
    ("page.html", "secret.txt", False),
    ("doc.txt", "secret.txt", True),
])
def test_a_file_swapped_for_a_link_out_after_listing_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        swapped: str, target: str, follow: bool) -> None:
    """A text, sidecar or local original replaced by a link out of the folder between listing and reading is
    refused as the listing refuses it (exit 2, nothing written), not read: the check is made on the file opened.
    With --follow-symlinks it is read, as such a link is."""
    outside = tmp_path / "outside"
    write_text(outside, "secret", b"root:x:0:0 [...]\n", sidecar="title: from outside\n")
    (outside / "x.yaml").write_text("title: from outside\n", encoding="utf-8")
    write_text(tmp_path / "src", "doc", b"text [...]\n", sidecar="title: Doc\noriginal: page.html\n")
    (tmp_path / "src" / "page.html").write_text("<html><body><p>text and more</p></body></html>", encoding="utf-8")
    # The listing checks texts and sidecars, original_path a local original: each is swapped after its check.
    module, checked = (original_module, "original_path") if swapped == "page.html" else (package_module, "list_sources")
    check = getattr(module, checked)

    def check_then_swap(*args: Any, **kwargs: Any) -> Any:
        found = check(*args, **kwargs)
        (tmp_path / "src" / swapped).unlink()
        (tmp_path / "src" / swapped).symlink_to(outside / target)
        return found

    monkeypatch.setattr(module, checked, check_then_swap)
    if follow:
        assert package_exit(tmp_path, "--follow-symlinks") == 0
        assert [d.sha256 for d in read_archive(tmp_path / "o.warc.gz")] == [
            hashlib.sha256(b"root:x:0:0 [...]\n").hexdigest()]
        return
    assert package_exit(tmp_path) == 2
    link = tmp_path / "src" / swapped
    assert capsys.readouterr().err == (f"provpack: error: {link}: symbolic link points outside the source folder "
                                       f"(to {outside / target}); copy the file in, or pass --follow-symlinks "
                                       "(follow_symlinks=True)\n")
    assert no_output(tmp_path)


def test_fifo_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO named like a text or a sidecar is skipped with a warning, never opened (it would block)."""
    write_text(tmp_path / "src", "doc", b"text [...]\n")
    os.mkfifo(tmp_path / "src" / "pipe.txt")
    os.mkfifo(tmp_path / "src" / "doc.yaml")
    assert package_exit(tmp_path) == 0
    err = capsys.readouterr().err
    assert "pipe.txt: not a regular file; skipped" in err and "doc.yaml: not a regular file" in err
    assert [d.name for d in read_archive(tmp_path / "o.warc.gz")] == ["doc"]


def test_fifo_swapped_in_after_discovery(tmp_path: Path) -> None:
    """A text replaced by a FIFO between discovery and reading is refused without blocking."""
    path = tmp_path / "f.txt"
    os.mkfifo(path)
    with pytest.raises(provpack.InputError, match="not a regular file"):
        inputs.read_bytes(path)


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
    f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n" for n in range(8))


@pytest.mark.parametrize("sidecar, words", [
    ("title: ok\n  bad: indent: here\n", "doc.yaml: line 2, column"),
    (BILLION_LAUGHS, "more than 10000 values (YAML aliases can multiply them)"),
    ("a: &a [*a]\n", "recursive YAML alias"),
    ("title: !!python/object/apply:os.system ['touch PWNED']\n", "malformed YAML"),
    ("!!python/name:os.system\n", "malformed YAML"),
    ("- a list\n- not a mapping\n", "sidecar must be a mapping of keys to values, not a list"),
    ("just a string\n", "not a str"),
    ("title: [1, 2]\n", "'title' must be text, not a list"),
    ("author: {name: x}\n", "'author' must be text or a list of texts"),
    ("url: not a url\n", "'url' is not an absolute URI"),
    ("source_url: ftp://example.org/x\n", "'source_url' must be an http or https address"),
    ("title: \"bell \\a here\"\n", "'title' holds control characters"),
    (f"title: {'x' * 70_000}\n", "longer than 65536 characters"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "malformed YAML"),
    ("x: 1\n" * 2 + "z: " + "y" * (1024 * 1024) + "\n", "larger than 1048576 bytes"),
])
def test_hostile_sidecars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                          sidecar: str, words: str) -> None:
    """Malformed, explosive, object-constructing, non-mapping, mistyped and oversized sidecars: exit 2, named."""
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "src", "doc", b"text [...]\n", sidecar=sidecar)
    assert package_exit(tmp_path) == 2
    err = capsys.readouterr().err
    assert "doc.yaml" in err and words in err, err
    assert not (tmp_path / "PWNED").exists()
    assert no_output(tmp_path)


def test_invalid_utf8_sidecar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sidecar in Latin-1 is named with the byte offset."""
    write_text(tmp_path / "src", "doc", b"text [...]\n")
    (tmp_path / "src" / "doc.yaml").write_bytes(b"title: caf\xe9\n")
    assert package_exit(tmp_path) == 2
    assert "doc.yaml: byte 10: invalid UTF-8" in capsys.readouterr().err


def split_members(data: bytes) -> list[bytes]:
    """The decompressed gzip members of a .warc.gz."""
    import zlib

    out = []
    while data:
        decompressor = zlib.decompressobj(31)
        out.append(decompressor.decompress(data))
        data = decompressor.unused_data
    return out


def warc_record(headers: list[tuple[str, str]], block: bytes, *, length: int | None = None) -> bytes:
    """One uncompressed WARC/1.1 record, Content-Length as given (default: the block's)."""
    lines = ["WARC/1.1", *(f"{k}: {v}" for k, v in headers),
             f"Content-Length: {len(block) if length is None else length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def resource(record_id: str, block: bytes) -> list[tuple[str, str]]:
    return [("WARC-Type", "resource"), ("WARC-Record-ID", record_id), ("WARC-Date", "2020-01-01T00:00:00Z"),
            ("WARC-Target-URI", "urn:x"), ("Content-Type", "text/plain")]


# Random bytes, the same each run: fresh ones (os.urandom) began with gzip's magic number, 1f 8b, in one run of
# 65,536, and were then a damaged gzip member (exit 1), not a file refused as no WARC (exit 2)
NOISE = random.Random(5).randbytes(3000)


@pytest.mark.parametrize("data, words", [
    (NOISE, "not a"),
    (b"%PDF-1.7\n" + NOISE[:500], "not a"),
])
def test_hostile_warcs_for_show(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, words: str) -> None:
    """Random bytes: show and extract exit 2 with a clear message (duplicate record ids, once here, are an
    integrity problem among provpack's kinds of record and none among another tool's: below)."""
    path = tmp_path / "h.warc.gz"
    path.write_bytes(data)
    assert main(["show", str(path)]) == 2
    assert words in capsys.readouterr().err
    assert main(["extract", str(path), "doc", "-o", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("data", [
    b"WARC/1.1\r\n" + b"X-Long: " + b"a" * (2 * 1024 * 1024) + b"\r\n\r\n",
    gzip.compress(b"WARC/1.1\r\n" + b"X: y\r\n" * 400_000 + b"\r\n"),
], ids=["plain, one 2 MiB line", "gzip, 400,000 lines"])
def test_a_megabyte_header_is_damage_to_show_and_extract(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         data: bytes) -> None:
    """A file of one record whose header runs past 1 MiB: damage, as verify reports it (exit 1, in its words), to show
    and extract too, which exited 2 ("not a readable WARC file"); extract writes nothing."""
    path = tmp_path / "h.warc.gz"
    path.write_bytes(data)
    said = (f"{path}: the record at byte 0: no blank line ends the header within 1048576 bytes; `provpack verify` "
            "gives the full report")
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"{path}: offset 0: malformed-header: no blank line ends the header "
                                              "within 1048576 bytes\n")
    assert main(["show", str(path)]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}\n")
    assert main(["extract", str(path), "doc", "-o", str(tmp_path / "x")]) == 1
    assert capsys.readouterr() == ("", f"provpack: error: {said}; no document named 'doc' outside it\n")
    assert not (tmp_path / "x").exists()


def request(record_id: str) -> list[tuple[str, str]]:
    return [("WARC-Type", "request"), ("WARC-Record-ID", record_id), ("WARC-Date", "2020-01-01T00:00:00Z"),
            ("WARC-Target-URI", "http://example.org/"), ("Content-Type", "application/http; msgtype=request")]


@pytest.mark.parametrize("second", ["resource", "metadata"])
def test_records_of_provpacks_kinds_sharing_an_id(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  second: str) -> None:
    """Documents are read from resource and JSON-LD metadata records, found by their ids: two of them with one id
    leave which a document names unknown. An integrity problem (exit 1, as verify's duplicate-record-id), not a usage
    error, and no reading on past it as past damage: show lists nothing, extract writes nothing."""
    block = b'{"format": 1}\n'
    records = [warc_record(resource("<urn:uuid:1>", b"abc"), b"abc")]
    records.append(warc_record(resource("<urn:uuid:1>", b"abd"), b"abd") if second == "resource" else warc_record(
        [("WARC-Type", "metadata"), ("WARC-Record-ID", "<urn:uuid:1>"), ("WARC-Date", "2020-01-01T00:00:00Z"),
         ("Content-Type", "application/ld+json")], block))
    path = tmp_path / "h.warc"
    path.write_bytes(b"".join(records))
    said = (f"provpack: error: {path}: the {second} record at byte {len(records[0])} has the WARC-Record-ID"
            " '<urn:uuid:1>' of the record at byte 0: which one a document names is unknown; `provpack verify`"
            " gives the full report\n")
    assert main(["show", str(path)]) == 1
    assert capsys.readouterr() == ("", said)
    assert main(["extract", str(path), "doc", "-o", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err == said
    assert not (tmp_path / "x").exists()


def test_provenance_records_without_ids_share_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two provenance records that lost their WARC-Record-ID: nothing can name either, so no id is shared (show and
    extract once said both had "the WARC-Record-ID ''" and stopped, exit 1). Both documents are read; the missing
    headers are verify's to report."""
    source = tmp_path / "src"
    write_text(source, "a", b"One text [...] here.\n")
    write_text(source, "b", b"Two text [...] there.\n")
    packed = provpack.package(source, out=tmp_path / "a.warc.gz").warc_path
    records = gzip.decompress(packed.read_bytes()).split(b"WARC/1.1\r\n")
    for index, record in enumerate(records):
        head, _, rest = record.partition(b"\r\n\r\n")
        if b"WARC-Type: metadata\r\n" in head:
            lines = [line for line in head.split(b"\r\n") if not line.startswith(b"WARC-Record-ID:")]
            records[index] = b"\r\n".join(lines) + b"\r\n\r\n" + rest
    path = tmp_path / "b.warc"
    path.write_bytes(b"WARC/1.1\r\n".join(records))
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.count(": missing-header: no WARC-Record-ID header\n") == 2
    assert [document.name for document in read_archive(path)] == ["a", "b"]
    assert main(["extract", str(path), "b", "-o", str(tmp_path / "b.txt")]) == 0
    assert (tmp_path / "b.txt").read_bytes() == b"Two text [...] there.\n"


def test_another_tools_records_may_share_an_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Requests repeating one id, as in warcio's example-digest.warc (records provpack never reads documents from):
    no provpack documents, said as for any such WARC (exit 0); the repeated id is verify's to report."""
    path = tmp_path / "h.warc"
    path.write_bytes(b"".join(warc_record(request("<urn:uuid:1>"), b"") for _ in range(4)))
    assert main(["show", str(path)]) == 0
    assert capsys.readouterr() == (f"{path}: holds no provpack documents (4 WARC records; 'provpack index' lists"
                                   " them)\n", "")
    assert main(["extract", str(path), "doc"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {path}: no document named 'doc': the file holds no provpack"
                                       " documents (4 WARC records; 'provpack index' lists them); extract gives back"
                                       " the excerpts 'provpack package' archived\n")


@pytest.mark.parametrize("length", ["-5", "99999999999999999999", "abc", "3.5"])
def test_odd_content_length(tmp_path: Path, capsys: pytest.CaptureFixture[str], length: str) -> None:
    """Negative, huge or non-numeric Content-Length never crashes show (exit 0 or 2)."""
    record = ("WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Length: "
              f"{length}\r\n\r\nabc\r\n\r\n").encode()
    path = tmp_path / "h.warc"
    path.write_bytes(record)
    assert main(["show", "--json", str(path)]) in (0, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_invalid_utf8_in_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Header bytes that are not UTF-8 are read (as Latin-1) and do not stop show."""
    record = warc_record(resource("<urn:uuid:\xff>", b"abc") + [("X-Bad", "\xe9")], b"abc")
    path = tmp_path / "h.warc"
    path.write_bytes(record.replace("\xff".encode("utf-8"), b"\xff").replace("\xe9".encode("utf-8"), b"\xe9"))
    assert main(["show", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == []


def zeros_bomb(path: Path, warc_type: str, size: int = 256 * 2**20) -> Path:
    """One gzip member under 1 MiB that inflates to a record of `size` zero bytes (with a wrong digest)."""
    import zlib

    head = (f"WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:3>\r\n"
            f"WARC-Date: 2020-01-01T00:00:00Z\r\nContent-Type: application/ld+json\r\n"
            f"WARC-Block-Digest: sha256:{'0' * 64}\r\nContent-Length: {size}\r\n\r\n").encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(head)]
    chunk = b"\0" * 2**22
    parts += [compressor.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(compressor.compress(b"\r\n\r\n") + compressor.flush())
    path.write_bytes(b"".join(parts))
    assert path.stat().st_size < 2**20
    return path


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str, float, int]:
    """Run provpack's main(argv) in a fresh process (in `env`, else this one's): (exit code, stdout+stderr, seconds,
    peak RSS in MiB)."""
    import subprocess
    import sys

    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure peak memory")
    script = ("import sys; from provpack.cli import main; code = main(sys.argv[1:]); "
              "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]; "
              "print('PEAK', peak); sys.exit(code)")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=120, env=env)
    peak_kib = int(done.stdout.rsplit("PEAK", 1)[1].split()[0])
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started, peak_kib // 1024


def test_gzip_bomb_in_show_is_bounded(tmp_path: Path) -> None:
    """A metadata record inflating to 256 MiB of zeros: show stops at its size cap, in bounded memory and time."""
    code, output, seconds, peak_mib = run_measured(["show", str(zeros_bomb(tmp_path / "b.warc.gz", "metadata"))])
    assert code == 2 and "larger than 67108864 bytes, more than provpack package writes" in output, output
    assert "run 'provpack verify' on the file" in output
    assert seconds < 20 and peak_mib < 250, (seconds, peak_mib)  # the 64 MiB cap, held once


def test_gzip_bomb_in_verify_is_streamed(tmp_path: Path) -> None:
    """verify streams a record inflating to 256 MiB in flat memory, and finds its wrong digest."""
    code, output, seconds, peak_mib = run_measured(["verify", str(zeros_bomb(tmp_path / "b.warc.gz", "resource"))])
    assert code == 1 and "digest-mismatch" in output, output
    assert seconds < 20 and peak_mib < 120, (seconds, peak_mib)


@pytest.mark.parametrize("data, code, words", [
    (NOISE, 2, "not a WARC file"),
    (b"WARC/1.1\r\n" + b"X-Long: " + b"a" * (2 * 1024 * 1024) + b"\r\n\r\n", 1, "malformed-header"),
    (gzip.compress(b"WARC/1.1\r\n" + b"X: y\r\n" * 400_000 + b"\r\n"), 1, "malformed-header"),
    (warc_record(resource("<urn:uuid:1>", b"abc"), b"abc") * 2, 1, "duplicate-record-id"),
    (warc_record(resource("<urn:uuid:1>", b"abc"), b"abc", length=-5), 1, "bad-length"),
    (warc_record(resource("<urn:uuid:1>", b"abc"), b"abc", length=10**22), 1, "truncated"),
    (warc_record(resource("<urn:uuid:1>", b"abc"), b"abc").replace(b"<urn:uuid:1>", b"<urn:uuid:\xff>"), 0, ""),
])
def test_hostile_warcs_for_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, code: int,
                                  words: str) -> None:
    """verify reports hostile WARCs as problems (exit 1) or refuses non-WARCs (exit 2); never a trace."""
    path = tmp_path / "h.warc.gz"
    path.write_bytes(data)
    assert main(["verify", str(path)]) == code
    captured = capsys.readouterr()
    assert words in captured.out + captured.err


@pytest.mark.parametrize("opener, run, kind", [("", ".", "possible"), ("\uff3b", "\uff0e", "bracketed")])
def test_a_run_of_two_million_dots_is_packaged_and_verified_in_bounded_memory(
        tmp_path: Path, opener: str, run: str, kind: str) -> None:
    """A text with a run of 2 million dots, or of full-width dots in brackets, is one marker, packaged, verified and
    verified --deep in under 200 MiB (72, 54 and 99 MiB; --deep of the full-width run, 139 MiB): the marker patterns
    repeat single characters where they repeated groups, which took 120 to 190 bytes of re's stack a character
    (2 million `.`: 300 MiB to package, 285 MiB to verify; 16 MB: 1.97 GB, in package and in verify of the 51 KB
    archive holding it)."""
    closer = {"": "", "\uff3b": "\uff3d"}[opener]
    marker = f"{opener}{run * (2_000_000 // len(run))}{closer}".rstrip()
    text = f"Words {marker} words.\n"
    write_text(tmp_path / "src", "dots", text.encode("utf-8"))
    archive = tmp_path / "o.warc.gz"
    code, output, _, package_peak = run_measured(["package", str(tmp_path / "src"), "-o", str(archive)])
    assert code == 0, output
    [document] = read_archive(archive)
    assert [(e["start"], e["end"], e["kind"]) for e in document.provenance["elisions"]] == [
        (6, 6 + len(marker), kind)]
    for deep in ([], ["--deep"]):
        code, output, _, verify_peak = run_measured(["verify", *deep, str(archive)])
        assert code == 0, output
        assert verify_peak < 200, (deep, verify_peak)
    assert package_peak < 200, package_peak


@pytest.mark.parametrize("run", ["a" * 2_000_000, "1." * 1_000_000 + "1"], ids=["letters", "digits and points"])
def test_an_original_with_a_word_of_two_million_characters_is_aligned_in_bounded_memory(
        tmp_path: Path, run: str) -> None:
    """An original holding a run of 2 million letters, or of `1.1.1`, one word, is packaged with the excerpt aligned
    against it (the run the passage its marker omits), verified and verified --deep (which aligns again) in under
    150 MiB (41, 44 and 62 MiB): the word pattern repeats single characters where it repeated a group, which took
    120 bytes of re's stack a character (268 MiB to package, 281 MiB to verify --deep)."""
    start, end = "Four score and seven years ago our fathers brought forth a new nation.", "Now we are engaged in a war."
    write_text(tmp_path / "src", "doc", f"{start} [...] {end}\n".encode(), sidecar="title: Doc\noriginal: orig.text\n")
    (tmp_path / "src" / "orig.text").write_text(f"{start}\n\n{run}\n\n{end}\n", encoding="utf-8")
    archive = tmp_path / "o.warc.gz"
    code, output, _, package_peak = run_measured(["package", str(tmp_path / "src"), "-o", str(archive)])
    assert code == 0, output
    [document] = read_archive(archive)
    [elision] = document.provenance["elisions"]
    assert (elision["omitted"]["start"], elision["omitted"]["end"]) == (len(start) + 2, len(start) + 2 + len(run))
    for deep in ([], ["--deep"]):
        code, output, _, verify_peak = run_measured(["verify", *deep, str(archive)])
        assert code == 0, output
        assert verify_peak < 150, (deep, verify_peak)
    assert package_peak < 150, package_peak


def test_an_original_of_millions_of_short_words_is_aligned_in_a_small_multiple_of_its_size(tmp_path: Path) -> None:
    """An original of 4 MB of `x>` or of `a b ` (2 million one-letter words) is packaged, its excerpt aligned, in
    under 8 times its size more than the same original of punctuation alone, which has no words (measured: 6.3
    times; they were 19.9 times, and 20 MB of `x>` took 488 MiB in all, now 227): alignment holds a word in some 12
    bytes (its key's number in the text's vocabulary and its two offsets, in 4-byte arrays), where it held a pointer
    to its key and one to its exact form, a loose-initial flag and two 8-byte offsets (40)."""
    import subprocess
    import sys

    start, end = "Four score and seven years ago our fathers brought forth a new nation.", "Now we are engaged in a war."
    size = 4_000_000
    peaks: dict[str, int] = {}
    # provpack's bytecode compiled first, into a cache of the test's own (as an installed package has it): compiling
    # alignment's modules in the measured run, which a fresh clone under PYTHONDONTWRITEBYTECODE does each time, left
    # some 7 MiB the runs with words pay and the one without does not, not the alignment's own
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "bytecode")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(provpack.__file__).parent)], env=env,
                   check=True, capture_output=True)
    for name, run in (("none", ".,;!"), ("x>", "x>"), ("a b", "a b ")):
        folder = tmp_path / name.replace(" ", "_").replace(">", "gt")
        write_text(folder, "doc", f"{start} [...] {end}\n".encode(), sidecar="title: Doc\noriginal: orig.text\n")
        (folder / "orig.text").write_text(f"{start}\n\n{run * (size // len(run))}\n\n{end}\n", encoding="utf-8")
        archive = tmp_path / f"{folder.name}.warc.gz"
        code, output, _, peaks[name] = run_measured(["package", str(folder), "-o", str(archive)], env)
        assert code == 0, output
        [document] = read_archive(archive)
        [elision] = document.provenance["elisions"]
        omitted = elision["omitted"] and (elision["omitted"]["start"], elision["omitted"]["end"])
        at = len(start) + 2   # (the run, without the space it ends in; punctuation alone omits nothing)
        assert omitted == {"none": None, "x>": (at, at + size), "a b": (at, at + size - 1)}[name], elision
    for name in ("x>", "a b"):
        assert (peaks[name] - peaks["none"]) * 2**20 < 8 * size, peaks


def huge_header_warc(path: Path, value_bytes: int = 80 * 2**20) -> tuple[Path, int]:
    """A small record, then one gzip member whose header has one `value_bytes` line; and that member's offset."""
    import zlib

    first = gzip.compress(warc_record(resource("<urn:uuid:1>", b"abc"), b"abc"), mtime=0)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:2>\r\nX-Huge: ")]
    chunk = b"a" * 2**22
    parts += [compressor.compress(chunk) for _ in range(value_bytes // len(chunk))]
    parts.append(compressor.compress(b"\r\nContent-Length: 0\r\n\r\n\r\n\r\n") + compressor.flush())
    path.write_bytes(first + b"".join(parts))
    assert path.stat().st_size < 2**20
    return path, len(first)


@pytest.mark.parametrize("kind", ["gzip", "plain"])
@pytest.mark.parametrize("command", ["show", "extract", "index", "wacz"])
def test_a_huge_header_line_is_damage_said_in_bounded_memory(tmp_path: Path, command: str, kind: str) -> None:
    """An 80 MiB header line (under 1 MiB compressed; 80 MiB in a plain WARC): show, extract, index and wacz stop
    reading it at 1 MiB and say it as the damage verify reports (exit 1), naming the file and the record's offset,
    in bounded memory; warcio read it whole (a 512 MiB one took 1.6 GB). It was "cannot read the record" or "not a
    readable WARC file" (exit 2); the quick walk of a plain WARC looked for its end in 64 MiB of it."""
    path, offset = huge_header_warc(tmp_path / "h.warc.gz")
    if kind == "plain":
        plain = tmp_path / "h.warc"
        with plain.open("wb") as out, gzip.open(path) as members:
            shutil.copyfileobj(members, out)
        path, offset = plain, len(warc_record(resource("<urn:uuid:1>", b"abc"), b"abc"))
    argv = {"show": ["show", str(path)], "extract": ["extract", str(path), "doc", "-o", str(tmp_path / "x")],
            "index": ["index", str(path)], "wacz": ["wacz", str(path), "-o", str(tmp_path / "h.wacz")]}[command]
    code, output, seconds, peak_mib = run_measured(argv)
    said = (f"provpack: error: {path}: the record at byte {offset}: no blank line ends the header within 1048576 "
            "bytes; `provpack verify` gives the full report")
    assert (code, [line for line in output.splitlines() if not line.startswith("PEAK ")]) == (
        1, [said + ("; no document named 'doc' outside it" if command == "extract" else "")]), output
    assert not (tmp_path / "h.wacz").exists() and not (tmp_path / "x").exists()
    assert peak_mib < (200 if kind == "gzip" and command in ("index", "wacz") else 80), peak_mib


@pytest.mark.parametrize("unit", ["<!--x>", "<![foo[x]]>", "&#" + "1" * 5000 + ";"],
                         ids=["unclosed comments", "unknown marked sections", "5,000-digit references"])
def test_an_html_original_of_unclosed_comments_or_odd_markup_is_packaged_in_linear_time(
        tmp_path: Path, unit: str) -> None:
    """An HTML original holding 400 KB of comments nothing closes (html.parser searched the rest of the page for
    each one's end: 200 KB took 7.6 s to extract, 2 MB more than 120 s; tests/test_htmlmarkup.py counts the searches
    of marked sections too), of marked sections of a
    keyword html.parser does not know (it raised AssertionError: "could not be read") or of decimal character
    references of 5,000 digits (html.unescape raised ValueError: "no text to align against") is packaged, the
    excerpt aligned, in seconds."""
    start, end = "Four score and seven years ago our fathers brought forth a new nation.", "Now we are engaged in a war."
    write_text(tmp_path / "src", "doc", f"{start} [...] {end}\n".encode(), sidecar="title: Doc\noriginal: orig.html\n")
    page = f"<html><body><p>{start}</p><p>Between.</p>{unit * (400_000 // len(unit))}<p>{end}</p></body></html>"
    (tmp_path / "src" / "orig.html").write_text(page, encoding="utf-8")
    archive = tmp_path / "o.warc.gz"
    code, output, seconds, _ = run_measured(["package", str(tmp_path / "src"), "-o", str(archive)])
    assert code == 0, output
    [document] = read_archive(archive)
    [elision] = document.provenance["elisions"]
    assert elision["omitted"]["start"] == len(start) + 2, elision
    assert seconds < 20, seconds


def test_an_html_original_of_more_elements_than_a_real_page_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An HTML original of more elements than the limit (1,000,000; 3 MB of `<b>` would take some 200 MiB, 64 MiB
    of them gigabytes) is refused naming it, the limit and what to do (exit 2), nothing written."""
    monkeypatch.setattr(importlib.import_module("provpack.htmltext"), "_MAX_ELEMENTS", 1000)
    write_text(tmp_path / "src", "doc", b"Four score [...] nation.\n", sidecar="title: Doc\noriginal: orig.html\n")
    original = tmp_path / "src" / "orig.html"
    original.write_text("<html><body><p>Four score and seven years</p>" + "<b>" * 1000 + "a new nation.</body></html>",
                        encoding="utf-8")
    assert package_exit(tmp_path) == 2
    assert capsys.readouterr().err == (
        f"provpack: error: {original}: the original's text is not extracted: its HTML holds more than 1,000 elements, "
        "more than a real page does; give a copy of the article alone (or its text as a plain-text original)\n")
    assert no_output(tmp_path)
