"""End-to-end tests of the provpack command: in-process main([...]) and the installed script."""

from __future__ import annotations

import base64
import errno
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from provpack.cli import main

from conftest import (C_LOCALE, EUC_JP, INTEROP, LATIN_1, SEED_NAME, SEEDS, locale_env, run_in, utf8_env,
                      write_text)


@pytest.fixture
def packed(seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    out = tmp_path / "a" / "seeds.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out)]) == 0
    return out


def test_package_prints_summary(seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """package says how many documents, elisions and bytes, and where it wrote."""
    out = tmp_path / "x.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.split("\n")[0] == "packaged 1 document (2,865 bytes of text); elisions: 2 bracketed, 0 possible"
    assert f"wrote {out} (3 records" in printed


def test_the_readme_package_transcript_is_what_package_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's first command, run as written, prints exactly the lines the README shows under it."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    transcript = readme[readme.index("```console\n$ SOURCE_DATE_EPOCH=") + len("```console\n$ "):]
    transcript = transcript[:transcript.index("```")]
    command, *shown = transcript.rstrip("\n").split("\n")
    epoch, program, *arguments = command.split()
    assert (epoch, program) == ("SOURCE_DATE_EPOCH=1510444800", "provpack")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    assert main(arguments) == 0
    assert capsys.readouterr().out.split("\n") == [*shown, ""]


def test_the_readme_index_wacz_and_bag_transcript_is_what_they_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's `index`, `wacz` and `bag` commands, run as written on the committed archive, print exactly
    the lines the README shows under each (offsets, digests and the WACZ's size change with every writer change)."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    transcript = readme[readme.index("```console\n$ provpack index archive/") + len("```console\n"):]
    transcript = transcript[:transcript.index("```")]
    (tmp_path / "archive").mkdir()
    shutil.copy(root / "archive" / "seeds.warc.gz", tmp_path / "archive" / "seeds.warc.gz")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    commands = transcript.split("$ ")[1:]
    assert [command.split()[:2] for command in commands] == [["provpack", "index"], ["provpack", "wacz"],
                                                            ["provpack", "bag"]]
    for command in commands:
        line, *shown = command.rstrip("\n").split("\n")
        assert main(line.split()[1:]) == 0, line
        assert capsys.readouterr().out.split("\n") == [*shown, ""], line


def test_the_readme_verify_transcript_is_what_verify_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's `verify` commands, run as written from the clone's root, print the lines it shows (`...`: the
    rest left out); those on ../shared/interop, the folder of other tools' WARCs it says is not shipped, only when
    that folder is there."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    transcript = readme[readme.index("```console\n$ provpack verify archive/") + len("```console\n"):]
    transcript = transcript[:transcript.index("```")]
    monkeypatch.chdir(root)
    commands = transcript.split("$ ")[1:]
    assert len(commands) == 3
    assert "../shared/interop/" in readme[:readme.index(transcript)].rsplit("\n\n", 2)[-2]   # said where they come from
    for command in commands:
        line, *shown = command.rstrip("\n").split("\n")
        arguments = line.removesuffix('; echo "exit $?"').split()
        path = Path(arguments[-1])
        assert path.parts[:3] == ("..", "shared", "interop") or (root / path).is_file(), line
        if not (root / path).is_file():
            continue
        code = main(arguments[1:])
        printed = capsys.readouterr().out.split("\n")
        if shown[-1].startswith("exit "):
            assert f"exit {code}" == shown.pop(), line
        else:
            assert code == 0, line
        if shown[-1] == "...":
            assert printed[:len(shown) - 1] == shown[:-1], line
        else:
            assert printed == [*shown, ""], line


def test_the_readme_keygen_transcript_keeps_the_private_key_out_of_the_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's keygen, sign and verify --key commands, run as written in a copy of the clone, print what it
    shows (but for the new key's fingerprint) and write the private key outside the clone, where `git add -A`
    cannot take it; .gitignore leaves out the names a key made in the clone's root once had."""
    import re

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    transcript = readme[readme.index("```console\n$ provpack keygen ") + len("```console\n"):]
    transcript = transcript[:transcript.index("```")]
    clone = tmp_path / "clone"
    (clone / "archive").mkdir(parents=True)
    for name in ("seeds.warc.gz", "seeds.warc.gz.sha256"):
        shutil.copy(root / "archive" / name, clone / "archive" / name)
    monkeypatch.chdir(clone)
    fingerprint = re.compile("sha256:[0-9a-f]{64}")
    for command in transcript.split("$ ")[1:]:
        line, *shown = command.rstrip("\n").split("\n")
        arguments = line.removesuffix(" | tail -2").split()
        assert main(arguments[1:]) == 0, line
        printed = capsys.readouterr().out.rstrip("\n").split("\n")
        printed = printed[-2:] if line.endswith(" | tail -2") else printed
        assert [fingerprint.sub("sha256:K", text) for text in printed] == [
            fingerprint.sub("sha256:K", text) for text in shown], line
    written = {path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file()}
    assert written == {Path("clone/archive/seeds.warc.gz"), Path("clone/archive/seeds.warc.gz.sha256"),
                       Path("clone/archive/seeds.warc.gz.sig"), Path("signing-key"), Path("signing-key.pub")}
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split("\n")
    assert "/key" in ignored and "/key.pub" in ignored


def test_package_summary_does_not_read_the_summaries_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The totals printed are kept as documents are written: reading 20,000 summaries back cost 0.8 s."""
    from provpack.tables import SummaryTable

    def refuse(*_args: object) -> None:
        raise AssertionError("the summaries were read back")

    monkeypatch.setattr(SummaryTable, "__iter__", refuse)
    monkeypatch.setattr(SummaryTable, "__getitem__", refuse)
    folder = tmp_path / "texts"
    for number, text in enumerate([b"A [...] B\n", b"C D\n", b"E [...] F [...] G\n"]):
        write_text(folder, f"t{number}", text)
    assert main(["package", str(folder), "-o", str(tmp_path / "x.warc.gz")]) == 0
    printed = capsys.readouterr().out
    assert printed.split("\n")[0] == "packaged 3 documents (32 bytes of text); elisions: 3 bracketed, 0 possible"


def test_verify_show_extract(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """verify passes, show lists the elisions, extract gives the bytes back."""
    capsys.readouterr()
    assert main(["verify", str(packed)]) == 0
    assert "problems 0" in capsys.readouterr().out
    assert main(["show", "--json", str(packed)]) == 0
    shown = json.loads(capsys.readouterr().out)
    (document,) = shown["documents"]
    assert document["name"] == SEED_NAME and document["length_bytes"] == 2865
    assert [(e["marker"], e["start"], e["end"], e["byte_start"], e["byte_end"], e["kind"], e["omitted"])
            for e in document["elisions"]] == [("[...]", 1019, 1024, 1029, 1034, "bracketed", None),
                                               ("[...]", 1801, 1806, 1813, 1818, "bracketed", None)]
    assert document["fields"]["publication"]["value"] == "The Atlantic"
    assert main(["show", str(packed)]) == 0
    text = capsys.readouterr().out
    assert "chars 1019-1024, bytes 1029-1034" in text and "The Atlantic" in text
    out = tmp_path / "back.txt"
    assert main(["extract", str(packed), SEED_NAME, "-o", str(out)]) == 0
    assert out.read_bytes() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    assert main(["extract", str(packed), SEED_NAME, "-o", str(out)]) == 2


def test_verify_finds_a_flipped_byte(packed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A changed byte makes verify exit 1, in text and in JSON."""
    data = bytearray(packed.read_bytes())
    data[len(data) // 2] ^= 0x01
    packed.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["verify", str(packed)]) == 1
    assert str(packed) in capsys.readouterr().out
    assert main(["verify", "--json", str(packed)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["files"][0]["problems"]


@pytest.mark.skipif(not (INTEROP / "example.warc").is_file(), reason="shared/interop not found beside the repository")
@pytest.mark.parametrize("strict", [False, True])
def test_verify_strict_text_and_json_agree(strict: bool, capsys: pytest.CaptureFixture[str]) -> None:
    """An interop WARC with records that carry no digest: under --strict the text, the JSON and the
    exit code all count those records as problems; without it, as warnings (exit 0)."""
    path = str(INTEROP / "example.warc")
    flags = ["--strict"] if strict else []
    capsys.readouterr()
    text_code = main(["verify", *flags, path])
    text = capsys.readouterr().out.splitlines()
    json_code = main(["verify", "--json", *flags, path])
    report = json.loads(capsys.readouterr().out)
    expected = 1 if strict else 0
    assert text_code == json_code == expected
    assert text[-1] == f"records 6, verified 2, unverified 4, problems {4 if strict else 0}"
    assert report["problems"] == (4 if strict else 0) and report["unverified"] == 4
    assert report["ok"] is (not strict) and report["strict"] is strict
    assert report["status"] == ("failed" if strict else "unverified")
    (file,) = report["files"]
    assert file["status"] == report["status"]
    listed = file["problems"] if strict else file["warnings"]
    assert [item["kind"] for item in listed] == ["missing-digest"] * 4
    assert (file["warnings"] if strict else file["problems"]) == []
    lines = [line for line in text if ": missing-digest: " in line]
    assert len(lines) == 4 and all(("warning: missing-digest" in line) is not strict for line in lines)


def _resource_changed(packed: Path, old: bytes, new: bytes) -> tuple[bytes, int]:
    """The packed archive decompressed, `old` replaced by `new` at its first place in the resource record
    (the second), and that record's offset."""
    data = gzip.decompress(packed.read_bytes())
    at = data.index(b"WARC/1.1", 10)
    where = data.index(old, at)
    return data[:where] + new + data[where + len(old):], at


@pytest.mark.parametrize("label, kind, code", [
    (b"sha256;", "digest-mismatch", 1),
    (b"", "digest-mismatch", 1),
    (b"blake3:", "unknown-digest", 0),
    (b"she256:", "unknown-digest", 0),  # (misspelt: the value is the sha256 digest)
])
def test_verify_a_damaged_digest_label(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       label: bytes, kind: str, code: int) -> None:
    """One byte of a digest's label damaged fails the record (exit 1) in text and JSON; a well-formed
    label of an algorithm provpack does not know, or a known one's misspelt while the value is that algorithm's
    digest, is a warning (exit 0; exit 1 under --strict)."""
    data, at = _resource_changed(packed, b"WARC-Block-Digest: sha256:", b"WARC-Block-Digest: " + label)
    path = tmp_path / "d.warc"
    path.write_bytes(data)
    capsys.readouterr()
    assert main(["verify", str(path)]) == code
    text = capsys.readouterr().out
    assert f"{path}: offset {at}: record <urn:uuid:" in text and f": {'warning: ' if code == 0 else ''}{kind}: " in text
    original = gzip.decompress(packed.read_bytes())
    start = original.index(b"WARC-Block-Digest: sha256:", at) + len(b"WARC-Block-Digest: sha256:")
    value = original[start : start + 64].decode()
    assert value[10:] not in text  # the label is quoted, not the value (at most its first 10 characters)
    assert main(["verify", "--json", str(path)]) == code
    report = json.loads(capsys.readouterr().out)
    (file,) = report["files"]
    found = file["problems"] if code else file["warnings"]
    assert [(item["offset"], item["kind"]) for item in found] == [(at, kind)]
    assert report["status"] == ("failed" if code else "unverified")
    assert main(["verify", "--strict", "--json", str(path)]) == 1
    assert json.loads(capsys.readouterr().out)["problems"] == 1


@pytest.mark.parametrize("name", ["blake2b", "blake2s"])
def test_verify_checks_blake2_digests_as_warcio_does(packed: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str], name: str) -> None:
    """A BLAKE2 block digest (hashlib's full size, as warcio checks it through hashlib.new) is checked: right, the
    record is verified (exit 0, even under --strict); one bit off, a digest-mismatch, as warcio check finds too."""
    original = gzip.decompress(packed.read_bytes())
    at = original.index(b"WARC/1.1", 10)
    line = re.search(rb"WARC-Block-Digest: [^\r]*", original[at:])
    length = re.search(rb"Content-Length: (\d+)", original[at:])
    assert line is not None and length is not None
    body = original.index(b"\r\n\r\n", at) + 4
    digest = hashlib.new(name, original[body : body + int(length[1])]).digest()
    warcio = shutil.which("warcio") or str(Path(sys.executable).with_name("warcio"))
    for value, code in ((digest, 0), (bytes([digest[0] ^ 1]) + digest[1:], 1)):
        label = f"WARC-Block-Digest: {name}:{base64.b32encode(value).decode()}".encode()
        data, _ = _resource_changed(packed, line[0], label)
        path = tmp_path / f"{code}.warc"
        path.write_bytes(data)
        capsys.readouterr()
        assert main(["verify", "--strict", "--json", str(path)]) == code
        (file,) = json.loads(capsys.readouterr().out)["files"]
        assert [item["kind"] for item in file["problems"]] == ([] if code == 0 else ["digest-mismatch"])
        assert file["verified"] == file["records"] - code
        assert subprocess.run([warcio, "check", str(path)], capture_output=True).returncode == code


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("compress", [False, True])
def test_verify_a_stray_byte_before_a_record(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch, jobs: str, compress: bool) -> None:
    """A stray byte before the resource record: one byte of junk, the record read and its provenance
    checked, in text and JSON, whether read in one process or in two."""
    from provpack import verifysplit

    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    data, at = _resource_changed(packed, b"WARC/1.1", b" WARC/1.1")
    path = tmp_path / ("j.warc.gz" if compress else "j.warc")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    capsys.readouterr()
    assert main(["verify", "--jobs", jobs, str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    where = f"offset 0: junk: 1 byte (decompressed offset {at})" if compress else f"offset {at}: junk: 1 byte"
    assert lines[0] == f"{path}: {where} that is not a WARC record before the next record"
    assert lines[-1] == "records 3, verified 3, unverified 0, problems 1"
    assert f"{path}: note: provpack provenance records checked: 1" in lines
    assert main(["verify", "--json", "--jobs", jobs, str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["records"], report["verified"], report["problems"]) == (3, 3, 1)
    assert [item["kind"] for item in report["files"][0]["problems"]] == ["junk"]


@pytest.mark.parametrize("argv, words", [
    (["package", "nowhere"], "no such file"),
    (["verify", "missing.warc.gz"], "missing.warc.gz"),
    (["show", "missing.warc.gz"], "missing.warc.gz"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_and_input_errors_exit_2(argv: list[str], words: str, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Usage and input errors exit 2 and name the problem on stderr."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_invalid_utf8_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad text names file and byte offset; no archive appears."""
    write_text(tmp_path / "src", "bad", b"caf\xc3(")
    out = tmp_path / "o.warc.gz"
    assert main(["package", str(tmp_path / "src"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.txt: byte 3: invalid UTF-8 (0xC3 0x28)" in err and "re-save the file as UTF-8" in err
    assert not out.exists()


def test_malformed_sidecar_names_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken sidecar names the file, line and column."""
    write_text(tmp_path / "src", "doc", b"text", sidecar="title: ok\n  bad: indent: here\n")
    assert main(["package", str(tmp_path / "src"), "-o", str(tmp_path / "o.warc.gz")]) == 2
    assert "doc.yaml: line 2, column" in capsys.readouterr().err


def test_installed_script_and_module(packed: Path) -> None:
    """The console script and python -m provpack both run and return exit codes."""
    script = shutil.which("provpack")
    assert script is not None, "the provpack console script is not installed"
    done = subprocess.run([script, "verify", str(packed)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    version = subprocess.run([sys.executable, "-m", "provpack", "--version"], capture_output=True, text=True,
                             check=False)
    assert version.returncode == 0 and version.stdout.startswith("provpack ")


def test_deflate_and_jobs_options(seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--deflate zlib --jobs 2 writes the committed archive's bytes; a level the backend lacks exits 2."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    out = tmp_path / "seeds.warc.gz"
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--deflate", "zlib", "--jobs", "2"]) == 0
    assert out.read_bytes() == (Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz").read_bytes()
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--force", "--deflate", "isal",
                 "--level", "6"]) == 2


def test_workers_that_cannot_start_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    """-j 3 where a worker cannot start its thread (ulimit -u): exit 2, one line saying what to do, nothing
    written, no traceback; it used to hang, then print worker tracebacks and a message about disk space."""
    import importlib

    from provpack import parallel

    package_module = importlib.import_module("provpack.package")
    monkeypatch.setattr(package_module, "POOL_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(package_module, "BATCH_DOCUMENTS", 1)
    monkeypatch.setattr(parallel, "_watch_parent", lambda parent: (_ for _ in ()).throw(
        RuntimeError("can't start new thread")))
    for number in range(6):
        write_text(tmp_path / "src", f"doc{number}", b"a [...] b\n")
    capfd.readouterr()
    assert main(["-q", "package", str(tmp_path / "src"), "-o", str(tmp_path / "o.warc.gz"), "-j", "3"]) == 2
    assert capfd.readouterr() == ("", "provpack: error: could not start 3 worker processes: can't start new thread; "
                                      "nothing was written; use a smaller --jobs (jobs)\n")
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_extract_to_a_name_as_long_as_the_file_system_takes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A document named to NAME_MAX less '.txt' is extracted to NAME.txt: its lock and temp names are shortened
    (it failed with 'cannot create the lock file ...: File name too long'); one byte more is refused plainly."""
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = "a" * (limit - 4)
    write_text(tmp_path / "src", name, b"x [...] y\n")
    archive = tmp_path / "ok.warc.gz"
    assert main(["-q", "package", str(tmp_path / "src"), "-o", str(archive)]) == 0
    out = tmp_path / "out"
    out.mkdir()
    assert main(["-q", "extract", str(archive), name, "-o", str(out / f"{name}.txt")]) == 0
    assert (out / f"{name}.txt").read_bytes() == b"x [...] y\n" and os.listdir(out) == [f"{name}.txt"]
    capsys.readouterr()
    assert main(["-q", "extract", str(archive), name, "-o", str(out / f"{name}.txtx")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {out / name}.txtx: the name is too long for this file "
                                       f"system: {limit + 1:,} bytes, at most {limit:,}; choose a shorter name\n")


def test_extract_to_stdout_writes_nothing_unless_the_text_checks(
    packed: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """extract checks the sha256 before standard output gets a byte: a changed text gives exit 1 and no output."""
    import gzip

    plain = gzip.decompress(packed.read_bytes())
    good, bad = tmp_path / "good.warc", tmp_path / "bad.warc"
    good.write_bytes(plain)
    bad.write_bytes(plain.replace(b"Tehran was next", b"Tehran was last"))
    capsysbinary.readouterr()
    assert main(["extract", str(good), SEED_NAME]) == 0
    assert capsysbinary.readouterr().out == (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    assert main(["extract", str(bad), SEED_NAME]) == 1
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and b"do not match the recorded sha256" in captured.err


def test_extract_to_a_file_streams_into_its_temp_file(packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """extract -o FILE writes straight into the temp file beside FILE (renamed only once the sha256 checks), so
    a temporary folder that cannot take the text does not matter; standard output, held back there, names it."""
    import gzip
    import importlib
    import tempfile

    monkeypatch.setattr(importlib.import_module("provpack.reader"), "_HELD_IN_MEMORY", 100)
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    out = tmp_path / "back.txt"
    assert main(["-q", "extract", str(packed), SEED_NAME, "-o", str(out)]) == 0
    assert out.read_bytes() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    capsysbinary.readouterr()
    assert main(["extract", str(packed), SEED_NAME]) == 2
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and b"Traceback" not in captured.err
    assert f"{missing}: cannot hold '{SEED_NAME}' in this temporary folder".encode() in captured.err
    bad = tmp_path / "bad.warc"
    bad.write_bytes(gzip.decompress(packed.read_bytes()).replace(b"Tehran was next", b"Tehran was last"))
    before = sorted(tmp_path.iterdir())
    assert main(["extract", str(bad), SEED_NAME, "-o", str(tmp_path / "new.txt")]) == 1
    assert b"nothing was written" in capsysbinary.readouterr().err
    assert sorted(tmp_path.iterdir()) == before   # no new.txt, and no temp file or lock left beside it


class _ClosedPipe:
    """Standard output whose reader went away (`provpack ... | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_verify_into_a_closed_pipe_still_fails(packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               json_flag: list[str]) -> None:
    """`verify BAD | head -1` exits 1, not 0: a closed pipe must not hide a failed check."""
    bad = tmp_path / "bad.warc.gz"
    data = bytearray(packed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["verify", *json_flag, str(bad)]) == 1
    assert main(["verify", *json_flag, str(packed)]) == 0


def test_show_json_spells_c1_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show --json escapes C1 controls (json leaves U+0080-U+009F raw with ensure_ascii off): a sidecar title
    holding CSI reaches the terminal as \\u009b; the JSON still reads back to the same title."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("A quoted [...] text.\n", encoding="utf-8")
    (folder / "a.yaml").write_text('title: "x\\u009b2Jy é"\n', encoding="utf-8")
    out = tmp_path / "a.warc.gz"
    assert main(["-q", "package", str(folder), "-o", str(out)]) == 0
    assert main(["show", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "\x9b" not in printed and "x\\u009b2Jy é" in printed
    assert json.loads(printed)["documents"][0]["fields"]["title"]["value"] == "x\x9b2Jy é"


def test_characters_that_reorder_a_line_are_spelled_in_show_extract_and_package(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A text named `report<RLO>txt.exe` (which a terminal shows as "reportexe.txt") and its title: package's
    error, show, show --json and extract's error spell the RLO out, and extract finds the document by the name
    as show prints it; the JSON still reads back to the name."""
    rlo = "\u202e"
    source = tmp_path / "src"
    write_text(source, f"report{rlo}txt.exe", b"A quoted [...] text.\n", sidecar="title: [\n")
    out = tmp_path / "a.warc.gz"
    assert main(["-q", "package", str(source), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {source}/report\\u202etxt.exe.yaml: line 2, column 1: "
                                       "malformed YAML: did not find expected node content; fix the YAML syntax\n")
    (source / f"report{rlo}txt.exe.yaml").write_text(f"title: Safe {rlo}txet eht\n", encoding="utf-8")
    assert main(["-q", "package", str(source), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["show", str(out)]) == 0
    shown = capsys.readouterr().out
    assert rlo not in shown and "\nreport\\u202etxt.exe\n" in shown and "Safe \\u202etxet eht" in shown
    assert main(["show", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert rlo not in printed and '"name": "report\\u202etxt.exe"' in printed
    assert json.loads(printed)["documents"][0]["name"] == f"report{rlo}txt.exe"
    assert main(["extract", str(out), "reportexe.txt", "-o", str(tmp_path / "x.txt")]) == 2
    assert capsys.readouterr().err == (
        f"provpack: error: {out}: no document named 'reportexe.txt'; similar: 'report\\u202etxt.exe' (documents: "
        "'report\\u202etxt.exe'); use a name that 'provpack show' lists\n")
    assert main(["extract", str(out), "report\\u202etxt.exe", "-o", str(tmp_path / "x.txt")]) == 0
    assert (tmp_path / "x.txt").read_bytes() == b"A quoted [...] text.\n"


def test_show_json_escapes_a_character_past_the_basic_plane_as_json_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tag character (U+E0041, invisible) in a title is written as its two UTF-16 surrogate escapes, which
    read back to it; an emoji stays as it is."""
    folder = tmp_path / "src"
    write_text(folder, "a", b"A quoted [...] text.\n", sidecar='title: "x\\U000E0041y \U0001f600"\n')
    out = tmp_path / "a.warc.gz"
    assert main(["-q", "package", str(folder), "-o", str(out)]) == 0
    assert main(["show", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert '"value": "x\\udb40\\udc41y \U0001f600"' in printed
    assert json.loads(printed)["documents"][0]["fields"]["title"]["value"] == "x\U000e0041y \U0001f600"


@pytest.mark.parametrize("in_the_way", ["file", "folder"])
def test_package_wacz_in_the_way_writes_nothing(seed_dir: Path, tmp_path: Path, in_the_way: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """package --wacz checks the WACZ's name before it writes the archive: an existing OUT.wacz (without --force),
    or a folder of that name, leaves neither archive nor .sha256; with --force the file is replaced."""
    out, wacz = tmp_path / "o.warc.gz", tmp_path / "o.wacz"
    if in_the_way == "file":
        wacz.write_bytes(b"older")
    else:
        wacz.mkdir()
    assert main(["package", str(seed_dir), "-o", str(out), "--wacz"]) == 2
    captured = capsys.readouterr()
    words = "already exists; pass --force" if in_the_way == "file" else "is a folder"
    assert f"o.wacz: {words}" in captured.err and "wrote" not in captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.wacz", "seeds"]
    if in_the_way == "file":
        assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz", "--force"]) == 0
        assert wacz.read_bytes()[:2] == b"PK" and out.exists()


def test_package_wacz_warns_about_a_replay_clash_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """package --wacz: package names two excerpts replay tools cannot tell apart; the WACZ it then makes of the
    same records says nothing more (`provpack wacz` alone says it in its own words)."""
    folder = tmp_path / "src"
    for name, url in (("a", "https://blog.example.org/post#quote-1"), ("b", "https://blog.example.org/post#quote-2")):
        write_text(folder, name, f"Passage {name} [...] ends.\n".encode())
        (folder / f"{name}.yaml").write_text(f"url: {url}\n", encoding="utf-8")
    out = tmp_path / "o.warc.gz"
    assert main(["package", str(folder), "-o", str(out), "--wacz"]) == 0
    err = capsys.readouterr().err
    assert err.count("are one capture to replay tools") == 1, err
    assert (tmp_path / "o.wacz").exists()
    assert main(["wacz", str(out), "-o", str(tmp_path / "again.wacz")]) == 0
    assert capsys.readouterr().err.count("are one capture to replay tools") == 1


def test_package_wacz_lock_in_the_way_writes_nothing(seed_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """package --wacz --force takes the WACZ's lock before it writes the archive: a stale .o.wacz.lock folder stops
    the run at once, the previous archive, .sha256 and WACZ left as they were."""
    out = tmp_path / "o.warc.gz"
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz"]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    (tmp_path / ".o.wacz.lock").mkdir()
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", str(out), "--wacz", "--force", "--operator", "second"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path / 'o.wacz'}: cannot create the lock file "
                                       ".o.wacz.lock: a folder of that name is in the way; move it away, then run "
                                       "again\n")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


@pytest.mark.parametrize("earlier", [True, False])
def test_package_wacz_failing_after_the_archive_says_what_was_written(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        earlier: bool) -> None:
    """A WACZ that fails once the archive is in place (a full disk): exit 2 saying the archive and .sha256 were
    written (both named by their paths: the .sha256 was named without its folder), that an earlier WACZ is now
    stale, and the command that rebuilds it; never 'nothing was changed'."""
    import provpack.wacz
    from provpack.errors import ArchiveError

    out, wacz = tmp_path / "o.warc.gz", tmp_path / "o.wacz"
    if earlier:
        assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz"]) == 0
    old_wacz = wacz.read_bytes() if earlier else None

    def full(*args: Any, **kwargs: Any) -> Path:
        raise ArchiveError(wacz, "disk full (no space left on device) while writing; nothing was changed",
                           fix="free some space or fix the folder's permissions, then run again")

    monkeypatch.setattr(provpack.wacz, "make_wacz", full)
    capsys.readouterr()
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz", "--force", "--operator", "second"]) == 2
    stale = "; the o.wacz already there is the previous run's and no longer matches the archive" if earlier else ""
    assert capsys.readouterr().err == (
        f"provpack: error: {wacz}: not written (disk full (no space left on device) while writing), but {out} and "
        f"{out}.sha256 were: this run's archive is in place{stale}; fix that, then run "
        f"`provpack wacz {out} -o {wacz} --force`\n")
    assert b"second" in gzip.decompress(out.read_bytes())
    assert (wacz.read_bytes() if earlier else wacz.exists()) == (old_wacz if earlier else False)


@pytest.mark.parametrize("earlier", [True, False])
@pytest.mark.parametrize("when", ["wacz", "archive commit"])
@pytest.mark.parametrize("signum, code, words", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                                 (signal.SIGINT, 130, "interrupted")])
def test_package_wacz_stopped_by_a_signal_after_the_archive_says_what_was_written(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        earlier: bool, when: str, signum: int, code: int, words: str) -> None:
    """SIGTERM or Ctrl-C once the archive is in place (while the WACZ is made, or held during the archive's
    commit), before the WACZ is: said as a WACZ that failed is, with the command that makes it, then the run stops
    (143, 130); the earlier WACZ is left as it was, and said to be stale."""
    import provpack.wacz
    from provpack import atomic

    out, wacz = tmp_path / "o.warc.gz", tmp_path / "o.wacz"
    if earlier:
        assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz"]) == 0
    old_wacz = wacz.read_bytes() if earlier else None
    if when == "wacz":
        def stopped(*args: Any, **kwargs: Any) -> Path:
            signal.raise_signal(signum)
            raise AssertionError("not stopped")

        monkeypatch.setattr(provpack.wacz, "make_wacz", stopped)
    else:
        real_replace = os.replace

        def replace(source: Any, target: Any) -> None:
            real_replace(source, target)
            if Path(target) == out:
                signal.raise_signal(signum)

        monkeypatch.setattr(atomic.os, "replace", replace)
    capsys.readouterr()
    args = ["-q", "package", str(seed_dir), "-o", str(out), "--wacz", "--operator", "second"]
    assert main(args + ["--force"] if earlier else args) == code
    monkeypatch.undo()
    stale = "; the o.wacz already there is the previous run's and no longer matches the archive" if earlier else ""
    assert capsys.readouterr().err == (
        f"provpack: error: {wacz}: not written (the run was {words}), but {out} and {out}.sha256 were: this "
        f"run's archive is in place{stale}; to make it, run `provpack wacz {out} -o {wacz} --force`\n"
        f"provpack: {words}; no partial output was left: each output file is complete or as it was before\n")
    assert b"second" in gzip.decompress(out.read_bytes())
    assert (wacz.read_bytes() if earlier else wacz.exists()) == (old_wacz if earlier else False)
    assert main(["-q", "wacz", str(out), "-o", str(wacz), "--force"]) == 0   # the command said
    with zipfile.ZipFile(wacz) as bundle:
        assert bundle.read("archive/o.warc.gz") == out.read_bytes()


def test_package_wacz_stopped_before_the_archive_says_nothing_more(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM before the archive takes its name: nothing was written, and only the run's stop is said."""
    from provpack import atomic

    out = tmp_path / "o.warc.gz"

    def stopped(self: object) -> None:
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(atomic.Staging, "_sync", stopped)
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz"]) == 143
    assert capsys.readouterr().err == ("provpack: terminated (SIGTERM); no partial output was left: each output "
                                       "file is complete or as it was before\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds"]


def test_package_force_beside_the_wacz_of_the_archive_replaced_warns(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """package --force without --wacz, beside the OUT.wacz made of the archive it replaces: a warning, as for a
    signature, with the command that makes the WACZ again; none when the archive's bytes are the same, or the WACZ
    holds another archive or cannot be read. The WACZ itself is left as it was."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")   # (runs a second apart still give the same bytes)
    out, wacz = tmp_path / "o.warc.gz", tmp_path / "o.wacz"
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--wacz"]) == 0
    old, old_wacz = out.read_bytes(), wacz.read_bytes()
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", str(out), "--force"]) == 0   # (SOURCE_DATE_EPOCH: the same bytes)
    assert out.read_bytes() == old and "warning" not in capsys.readouterr().err
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--operator", "second"]) == 0
    assert capsys.readouterr().err == (
        f"provpack: warning: {wacz} holds the archive this run replaced ({len(old):,} bytes, sha256 "
        f"{hashlib.sha256(old).hexdigest()}), not this one; make it again with 'provpack wacz {out} -o {wacz} "
        "--force'\n")
    assert wacz.read_bytes() == old_wacz
    out.unlink()
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--force"]) == 0
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--operator", "third"]) == 0
    assert "warning" in capsys.readouterr().err
    out.unlink()
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--operator", "second"]) == 0
    assert capsys.readouterr().err.startswith(f"provpack: warning: {wacz} holds an archive of this name that was "
                                              "gone before this run (")
    shutil.copy(out, tmp_path / "x.warc.gz")
    assert main(["-q", "wacz", str(tmp_path / "x.warc.gz"), "-o", str(wacz), "--force"]) == 0   # holds x.warc.gz
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--operator", "fourth"]) == 0
    assert "warning" not in capsys.readouterr().err
    wacz.write_bytes(b"not a zip")
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--operator", "fifth"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("command, example", [
    (["extract", "{archive}", SEED_NAME], SEED_NAME),
    (["index", "{archive}"], "seeds.cdxj"),
    (["wacz", "{archive}"], "seeds.wacz"),
    (["keygen"], "key"),
    (["sign", "{archive}", "--key", "{key}"], "seeds.warc.gz.sig"),
])
def test_a_file_output_ending_in_a_slash_is_refused(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    command: list[str], example: str) -> None:
    """-o DIR/ to a command that writes a file: exit 2 naming it and a file in it, nothing written; it wrote a file
    named DIR (and with --force over a file of that name), where package -o DIR/ refuses."""
    key = tmp_path / "k"
    assert main(["-q", "keygen", "-o", str(key)]) == 0
    argv = [part.format(archive=packed, key=key) for part in command]
    (tmp_path / "there").write_bytes(b"mine")
    for name in ("newdir", "there"):
        given = f"{tmp_path / name}/"
        capsys.readouterr()
        assert main([*argv, "-o", given, "--force"]) == 2
        assert capsys.readouterr().err == (f"provpack: error: {given}: ends in '/', as a folder does; this command "
                                           f"writes a file; name the file, e.g. {given}{example}\n")
    assert not (tmp_path / "newdir").exists() and (tmp_path / "there").read_bytes() == b"mine"


def test_package_refuses_a_stray_checksum(seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """OUT.warc.gz.sha256 without OUT.warc.gz is not replaced silently: exit 2, nothing written, --force replaces."""
    out = tmp_path / "o.warc.gz"
    stray = tmp_path / "o.warc.gz.sha256"
    stray.write_text("0" * 64 + "  o.warc.gz\n")
    assert main(["package", str(seed_dir), "-o", str(out)]) == 2
    assert "o.warc.gz.sha256: already exists (without its archive); pass --force" in capsys.readouterr().err
    assert not out.exists() and stray.read_text() == "0" * 64 + "  o.warc.gz\n"
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--force"]) == 0
    assert stray.read_text().split()[0] != "0" * 64


def test_package_into_a_folder_that_does_not_exist(seed_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """-o newdir/ suggests newdir/<name>.warc.gz (not newdir.warc.gz) and creates nothing; an existing folder
    gets the default name inside it."""
    assert main(["package", str(seed_dir), "-o", f"{tmp_path / 'newdir'}/"]) == 2
    err = capsys.readouterr().err
    assert "newdir/: no such folder; create it first, or name the archive itself, e.g. " in err
    assert f"{tmp_path / 'newdir' / 'seeds.warc.gz'}" in err
    assert not (tmp_path / "newdir").exists()
    (tmp_path / "newdir").mkdir()
    assert main(["-q", "package", str(seed_dir), "-o", f"{tmp_path / 'newdir'}/"]) == 0
    assert (tmp_path / "newdir" / "seeds.warc.gz").is_file()


def test_common_options_after_the_command(packed: Path, tmp_path: Path, seed_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """-q, -v and --config are taken after the command as before it; -q with -v is refused however placed."""
    capsys.readouterr()
    assert main(["verify", str(packed), "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["verify", str(packed)]) == 0
    assert "problems 0" in capsys.readouterr().out
    assert main(["-q", "verify", str(packed)]) == 0   # before the command: not undone by the command's default
    assert capsys.readouterr().out == ""
    settings = tmp_path / "settings.yaml"
    settings.write_text("operator: Jane Archivist\n")
    out = tmp_path / "c.warc.gz"
    assert main(["package", "--config", str(settings), str(seed_dir), "-o", str(out), "-q"]) == 0
    import gzip
    assert b"operator: Jane Archivist\r\n" in gzip.decompress(out.read_bytes())
    for argv in (["-q", "verify", str(packed), "-v"], ["verify", "-v", str(packed), "-q"],
                 ["-q", "-v", "verify", str(packed)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "-q/--quiet" in err and "not allowed with argument" in err and "-v/--verbose" in err


def _commands() -> dict[str, Any]:
    import argparse

    from provpack.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **action.choices, "(list)": action}


def test_every_command_and_argument_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Each command has a line in `provpack --help` and a description; each positional its help; each command's
    --help shows --config, -q and -v."""
    commands = _commands()
    listed = {choice.dest: choice.help for choice in commands.pop("(list)")._choices_actions}
    commands.pop("")
    assert set(listed) == set(commands)
    for name, parser in commands.items():
        assert listed[name], f"{name} has no line in provpack --help"
        assert parser.description, f"{name} has no description"
        for action in parser._actions:
            if not action.option_strings:
                assert action.help, f"{name}'s {action.metavar} has no help"
        assert main([name, "--help"]) == 0
        shown = capsys.readouterr().out
        assert "--config FILE" in shown and "-q, --quiet" in shown and "-v, --verbose" in shown


def test_extract_dash_is_standard_output(packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """extract -o - writes to standard output, not to a file named '-'; ./- still names a file."""
    monkeypatch.chdir(tmp_path)
    capsysbinary.readouterr()
    assert main(["extract", str(packed), SEED_NAME, "-o", "-"]) == 0
    assert capsysbinary.readouterr().out == (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    assert not (tmp_path / "-").exists()
    assert main(["-q", "extract", str(packed), SEED_NAME, "-o", "./-"]) == 0
    assert (tmp_path / "-").read_bytes() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()


def test_index_dash_is_standard_output_and_wacz_dash_is_refused(
        packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """index -o - prints the index as index with no -o does; wacz -o - is refused (a ZIP needs seeking),
    and neither leaves a file named '-'."""
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["index", str(packed)]) == 0
    plain = capsys.readouterr().out
    assert main(["index", str(packed), "-o", "-"]) == 0
    assert capsys.readouterr().out == plain and plain.count("\n") >= 2
    assert main(["wacz", str(packed), "-o", "-"]) == 2
    assert capsys.readouterr().err == ("provpack: error: argument -o/--output: a WACZ cannot go to standard output (-): "
                                       "readers open the ZIP file by seeking; name a file (./- names a file called -); "
                                       "see provpack wacz --help\n")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("argv, said", [
    (["package", "SEEDS"], "an archive cannot go to standard output (-): its .sha256 is written beside it; name a file "
                           "(./- names a file called -)"),
    (["bag", "ARCHIVE"], "a bag is a folder: it cannot go to standard output (-); name a folder (./- names a folder "
                         "called -)"),
    (["keygen"], "a key pair cannot go to standard output (-): it is two files, KEY (mode 0600) and KEY.pub; name a "
                 "file (./- names a file called -)"),
    (["sign", "ARCHIVE", "--key", "KEY"], "a signature cannot go to standard output (-): verify reads it from a file, "
                                          "ARCHIVE.sig or --signature SIG; name a file (./- names a file called -)"),
])
def test_dash_is_refused_by_commands_that_write_only_files(argv: list[str], said: str, packed: Path, seed_dir: Path,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """-o - is standard output (extract, index); keygen wrote a private key called '-' (and '-.pub'), sign a signature
    called '-', bag a folder '-': a usage error now, and nothing written."""
    key = tmp_path / "k" / "key"
    assert main(["-q", "keygen", "-o", str(key)]) == 0
    monkeypatch.chdir(tmp_path)
    listed = sorted(tmp_path.rglob("*"))
    values = {"SEEDS": str(seed_dir), "ARCHIVE": str(packed), "KEY": str(key)}
    assert main([values.get(item, item) for item in argv] + ["-o", "-"]) == 2
    assert capsys.readouterr().err == f"provpack: error: argument -o/--output: {said}; see provpack {argv[0]} --help\n"
    assert sorted(tmp_path.rglob("*")) == listed


def test_warcio_warnings_are_prefixed_escaped_and_quietened(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """warcio's warning about spaces in a target URI comes out as provpack's own, escaped; -q silences it."""
    import argparse
    import logging

    from provpack.cli import _configure_logging
    from test_warciter import spaced_uri_warc

    path = spaced_uri_warc(tmp_path)
    assert main(["index", str(path)]) == 0
    err = capfd.readouterr().err
    assert err.startswith("provpack: warning: ") and "WARC-Target-URI 'http://example.com/a b \\x1b[31mRED" in err
    assert "\x1b" not in err
    assert main(["-q", "show", str(path)]) == 0
    assert capfd.readouterr().err == ""
    restore = _configure_logging(argparse.Namespace(quiet=False, verbose=False))
    try:   # a warning warcio logs itself, during a run
        logging.getLogger("warcio.recordloader").warning("raw \x1b[2J")
    finally:
        restore()
    assert capfd.readouterr().err == "provpack: warning: raw \\x1b[2J\n"


def test_a_toml_config_with_a_setting_outside_tool_provpack_exits_2(
    seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`levl = 2` at the top of a --config TOML file is refused (exit 2), naming the file; nothing is written."""
    settings = tmp_path / "y.toml"
    settings.write_text("levl = 2\n")
    out = tmp_path / "d.warc.gz"
    assert main(["package", str(seed_dir), "--config", str(settings), "-o", str(out)]) == 2
    assert f"{settings}: 'levl' is outside [tool.provpack]" in capsys.readouterr().err and not out.exists()


def test_control_characters_in_file_names_are_spelled_in_messages(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """package's error and warnings, and bag's error and summary, spell a name's ESC or CR as verify and show
    do (one at the start of a line could clear the screen or hide the message); é and 中文 stay as they are."""
    write_text(tmp_path / "bad", "ev\x1b[2Jil", b"bad \xff\n")
    assert main(["package", str(tmp_path / "bad"), "-o", str(tmp_path / "o.warc.gz")]) == 2
    err = capsys.readouterr().err
    assert "ev\\x1b[2Jil.txt: byte 4: invalid UTF-8" in err and "\x1b" not in err

    source = tmp_path / "src"
    write_text(source, "ok", b"A text [...] here.\n")
    for orphan in ("or\x1b[2Jphan", "cr\rhidden", "caf\u00e9 \u4e2d\u6587"):
        (source / f"{orphan}.yaml").write_text("title: x\n", encoding="utf-8")
    assert main(["package", str(source), "-o", str(tmp_path / "o.warc.gz")]) == 0
    err = capsys.readouterr().err
    assert "or\\x1b[2Jphan.yaml: describes no or\\x1b[2Jphan.txt" in err
    assert "cr\\x0dhidden.yaml: describes no cr\\x0dhidden.txt" in err
    assert "caf\u00e9 \u4e2d\u6587.yaml: describes no caf\u00e9 \u4e2d\u6587.txt" in err
    assert "\x1b" not in err and "\r" not in err

    odd = tmp_path / "c\rr.warc.gz"
    odd.write_bytes(b"x")
    assert main(["bag", str(odd), "-o", str(tmp_path / "bag")]) == 2
    err = capsys.readouterr().err
    assert "c\\x0dr.warc.gz: has %, CR or LF in its name" in err and "\r" not in err
    assert main(["bag", str(tmp_path / "o.warc.gz"), "-o", str(tmp_path / "b\x1bag")]) == 0
    out = capsys.readouterr().out
    assert "wrote bag " in out and "b\\x1bag (1 file" in out and "\x1b" not in out


_NO_SUCH = [
    ["verify", "nothere.warc.gz"], ["show", "nothere.warc.gz"], ["extract", "nothere.warc.gz", "x"],
    ["index", "nothere.warc.gz"], ["wacz", "nothere.warc.gz"], ["bag", "nothere.warc.gz", "-o", "bag"],
    ["--config", "nothere.warc.gz", "verify", "x"],
]


@pytest.mark.parametrize("argv", _NO_SUCH, ids=lambda argv: argv[0])
def test_a_missing_file_is_worded_one_way(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Every command says 'PATH: no such file; check the path' for a file that is not there."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == "provpack: error: nothere.warc.gz: no such file; check the path\n"


@pytest.mark.parametrize("argv", [["verify", "sub"], ["show", "sub"], ["extract", "sub", "x"], ["index", "sub"],
                                  ["wacz", "sub"], ["--config", "sub", "verify", "x"]], ids=lambda argv: argv[0])
def test_a_folder_given_as_a_file_is_worded_one_way(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Every command says 'PATH: is a folder, not a file; give a file' for a folder where a file goes (verify said
    'is a directory, not a WARC file', with nothing to do)."""
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == "provpack: error: sub: is a folder, not a file; give a file\n"


def test_missing_sign_inputs_are_worded_the_same(packed: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """sign's archive, key and --wacz: the same words as every other command."""
    assert main(["keygen", "-o", str(tmp_path / "k")]) == 0
    capsys.readouterr()
    missing = tmp_path / "nothere.wacz"
    assert main(["sign", str(packed), "--key", str(tmp_path / "k"), "--wacz", str(missing)]) == 2
    assert capsys.readouterr().err == f"provpack: error: {missing}: no such file; check the path\n"
    assert main(["sign", str(packed), "--key", str(tmp_path / "nokey")]) == 2
    assert capsys.readouterr().err.endswith("nokey: cannot read the key file: no such file; check the path\n")
    (tmp_path / "z.wacz").write_text("not a zip\n")
    assert main(["sign", str(packed), "--key", str(tmp_path / "k"), "--wacz", str(tmp_path / "z.wacz")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path / 'z.wacz'}: not a WACZ file: a WACZ is a ZIP "
                                       "file, and this is not one; give the .wacz file 'provpack wacz' wrote\n")


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Opening `denied` fails with EACCES (as chmod 000 would for a normal user; tests run as root)."""
    import builtins
    import io
    import os

    real_open, real_os_open = builtins.open, os.open

    def is_denied(path: Any) -> bool:
        return not isinstance(path, int) and Path(os.fsdecode(path)).resolve() == denied.resolve()

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if is_denied(file):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def fake_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if is_denied(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)


@pytest.mark.parametrize("command", [
    ["verify"], ["show"], ["extract", "-", "x"], ["index"], ["wacz"], ["bag", "-o", "bag"], ["sign", "--key", "k"],
], ids=lambda argv: argv[0])
def test_permission_denied_is_worded_one_way(command: list[str], packed: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """A file that may not be read: 'permission denied' and what to do, the same for every command; no warning."""
    monkeypatch.chdir(tmp_path)
    assert main(["keygen", "-o", "k"]) == 0
    shutil.copy(packed, tmp_path / "u.warc.gz")
    capsys.readouterr()
    _deny(monkeypatch, tmp_path / "u.warc.gz")
    argv = [command[0], "u.warc.gz", *command[1:]] if command[0] != "extract" else ["extract", "u.warc.gz", "x"]
    with caplog.at_level("WARNING"):
        assert main(argv) == 2
    assert capsys.readouterr().err == ("provpack: error: u.warc.gz: permission denied; "
                                       "check the file's permissions (or run as its owner)\n")
    assert not [record for record in caplog.records if record.levelname == "WARNING"]


def test_an_unreadable_key_is_not_told_to_check_the_path(packed: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A key that may not be read: permissions, not the path."""
    assert main(["keygen", "-o", str(tmp_path / "k")]) == 0
    capsys.readouterr()
    _deny(monkeypatch, tmp_path / "k")
    assert main(["sign", str(packed), "--key", str(tmp_path / "k")]) == 2
    assert capsys.readouterr().err.endswith("k: cannot read the key file: permission denied; "
                                            "check the file's permissions (or run as its owner)\n")


@pytest.mark.parametrize("argv", [
    ["package", "--jobs", "abc", "src"], ["package", "--level", "1.5", "src"], ["package", "--deflate", "brotli", "src"],
    ["package", "-q", "-v", "src"], ["-q", "package", "-v", "src"], ["package", "--max-text-bytes", "0", "src"],
    ["package", "--max-text-bytes", "12Q", "src"], ["package"], ["verify", "--nosuch", "x"],
])
def test_usage_errors_take_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A usage error is one line pointing to the command's --help, not the whole usage; exit 2."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not err.startswith("usage:"), err
    assert err.startswith("provpack: error: ") and err.endswith(f"; see provpack {argv[argv[0] == '-q']} --help\n")


def test_allow_private_without_fetch_is_a_usage_error(seed_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--allow-private changes only what --fetch may reach: without --fetch it is refused, naming both, not
    silently taken (before anything is written)."""
    out = tmp_path / "x.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out), "--allow-private"]) == 2
    assert capsys.readouterr().err == ("provpack: error: argument --allow-private: not allowed without argument "
                                       "--fetch (it lets --fetch reach loopback and private addresses; nothing else "
                                       "is fetched); see provpack package --help\n")
    assert not out.exists()
    assert main(["-q", "package", str(seed_dir), "-o", str(out), "--allow-private", "--fetch"]) == 0


def test_an_unknown_command_takes_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command points to provpack --help."""
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("provpack: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert err.endswith("; see provpack --help\n") and err.count("\n") == 1


@pytest.mark.parametrize("command", [["show"], ["extract", "x"]])
def test_a_zip_given_to_show_is_named_as_verify_names_it(command: list[str], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """show and extract say what the file is (a ZIP, a WACZ?), as verify does, not a Python bytes repr."""
    z = tmp_path / "z.wacz"
    z.write_bytes(b"PK\x03\x04" + bytes(100))
    assert main([command[0], str(z), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert err == (f"provpack: error: {z}: not a WARC file: a ZIP file (a WACZ?); check a WACZ with "
                   "`wacz validate`, or unzip it and read archive/*.warc.gz\n")
    assert main(["verify", str(z)]) == 2
    assert "not a WARC file: a ZIP file (a WACZ?)" in capsys.readouterr().err


def test_plain_text_given_to_index_is_refused_as_verify_refuses_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """index, verify and wacz give the same refusal for a text file."""
    text = tmp_path / "plain.txt"
    text.write_text("hello\n")
    said = []
    for command in (["index"], ["verify"], ["wacz"]):
        assert main([*command, str(text)]) == 2
        said.append(capsys.readouterr().err)
    assert said[0] == said[1] == said[2]
    assert said[0].startswith(f"provpack: error: {text}: not a WARC file: starts with bytes 68 65 6c 6c 6f 0a")
    assert said[0].endswith("; give a .warc or .warc.gz file\n")


def test_a_folder_given_twice_is_named_once(seed_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """package SRC SRC says the folder was given twice, not that a file clashes with itself."""
    assert main(["package", str(seed_dir), str(seed_dir), "-o", str(tmp_path / "x.warc.gz")]) == 2
    assert capsys.readouterr().err == f"provpack: error: {seed_dir}: the folder is given twice; give each source once\n"


def test_timestamp_help_says_how_to_install_from_a_checkout(capsys: pytest.CaptureFixture[str]) -> None:
    """provpack is not on PyPI: the extra is installed from the checkout."""
    assert main(["sign", "--help"]) == 0
    assert "pip install '.[timestamp]'" in " ".join(capsys.readouterr().out.split())


def test_package_help_gives_the_fetch_limits(capsys: pytest.CaptureFixture[str]) -> None:
    """--fetch's help gives its timeouts and caps, which were only in capture()'s signature."""
    assert main(["package", "--help"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert ("--fetch fetch each sidecar's source_url (unless it names a local 'original') and archive the HTTP "
            "exchange (each URL: 5 s to connect, 20 s for each read, 120 s in all, at most 50 MiB and 5 redirects; "
            "through the proxy HTTPS_PROXY or HTTP_PROXY names, unless NO_PROXY lists the host); without it nothing "
            "touches the network") in said


def test_package_help_names_the_checksum_file_it_writes(seed_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """package's help said it writes OUT.sha256 beside OUT.warc.gz; the file is OUT.warc.gz.sha256."""
    assert main(["package", "--help"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "into one WARC file, and write OUT.warc.gz.sha256 beside it." in said and "-o OUT.warc.gz" in said
    assert main(["-q", "package", str(seed_dir), "-o", str(tmp_path / "OUT.warc.gz")]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["OUT.warc.gz", "OUT.warc.gz.sha256", seed_dir.name]


def test_verify_help_says_strict_takes_unknown_digests_for_problems_too(capsys: pytest.CaptureFixture[str]) -> None:
    """--strict makes every unverified record a problem: a digest of an unknown algorithm too, not only none."""
    assert main(["verify", "--help"]) == 0
    said = "".join(capsys.readouterr().out.split())   # (argparse may wrap a line after a hyphen)
    assert "".join(("--strict unverified records are problems (exit 1): those without a digest (missing-digest: none,"
                    " or only a revisit's payload digest) and those whose digests cannot be checked (unknown-digest: an"
                    " algorithm verify does not know)").split()) in said


_STREAM_REFUSED = ("is a pipe or another stream that cannot be read twice; this command goes back to records by"
                   " their offsets; save it to a file first (`provpack verify` reads a pipe as it is)")


@pytest.mark.parametrize("command", [["show"], ["extract", "{archive}", SEED_NAME, "-o", "{out}"], ["index"],
                                     ["wacz", "{archive}", "-o", "{out}.wacz"]])
def test_a_fifo_is_refused_by_commands_that_seek_without_waiting_for_a_writer(tmp_path: Path,
                                                                              command: list[str]) -> None:
    """show, extract, index and wacz go back to records by their offsets: a FIFO (here with no writer, which
    opening would wait for) is refused at once, exit 2, naming it and what to do."""
    fifo = tmp_path / "a.warc.gz"
    os.mkfifo(fifo)
    argv = [part.format(archive=fifo, out=tmp_path / "out") for part in command]
    # (in a process of its own: were the FIFO opened, the test would wait for ever, not fail)
    done = subprocess.run([sys.executable, "-m", "provpack", *(argv if len(argv) > 1 else [*argv, str(fifo)])],
                          capture_output=True, text=True, timeout=20)
    assert done.returncode == 2
    assert done.stderr == f"provpack: error: {fifo}: {_STREAM_REFUSED}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.warc.gz"]


@pytest.mark.parametrize("argv", [["show", "-"], ["extract", "-", SEED_NAME], ["index", "-"], ["wacz", "-"]])
def test_standard_input_is_refused_with_advice_by_commands_that_seek(
        argv: list[str], packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """'-' to show, extract, index or wacz is standard input, which they cannot read: said so, with what to do,
    even where a file called '-' exists (./- names it); it said '-: no such file; check the path'."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(packed, tmp_path / "-")
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "provpack: error: -: standard input cannot be read twice; this command goes back to records by their "
        "offsets; save it to a file first (`provpack verify -` reads it as it is; ./- names a file called -)\n")
    assert main(["show", "./-"]) == 0


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd")
@pytest.mark.parametrize("command", ["show", "index"])
def test_a_pipe_opened_by_another_name_is_refused(packed: Path, capsys: pytest.CaptureFixture[str],
                                                  command: str) -> None:
    """A pipe behind a name that stat does not show as one (/dev/stdin, /dev/fd/N) is refused once opened."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, packed.read_bytes()[:4096])
        os.close(write_end)
        write_end = -1
        name = f"/dev/fd/{read_end}"
        assert main([command, name]) == 2
        assert capsys.readouterr().err == f"provpack: error: {name}: {_STREAM_REFUSED}\n"
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


COMMITTED = Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz"


def test_no_command_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack` alone names what is missing and points to --help; exit 2."""
    assert main([]) == 2
    assert capsys.readouterr().err == ("provpack: error: the following arguments are required: COMMAND; "
                                       "see provpack --help\n")


def test_every_unrecognized_argument_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """Each argument the command does not take is named, separated by spaces."""
    assert main(["verify", str(COMMITTED), "--nosuch", "--other"]) == 2
    assert capsys.readouterr().err == ("provpack: error: unrecognized arguments: --nosuch --other; "
                                       "see provpack verify --help\n")


def test_help_into_a_closed_pipe_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """`provpack --help | true`: the reader left, found when the output is flushed; that is no error."""
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["--help"]) == 0


def test_an_os_error_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """An OSError a command lets through is one line naming the file, exit 2."""
    from provpack import cli
    from provpack.atomic import reason

    exc = PermissionError(13, "Permission denied", "some/file.txt")

    def failing(args: Any) -> int:
        raise exc

    monkeypatch.setattr(cli, "_show", failing)
    monkeypatch.chdir(tmp_path)
    assert main(["show", "x"]) == 2
    assert capsys.readouterr().err == f"provpack: error: some/file.txt: {reason(exc)}\n"


def test_an_open_files_limit_the_command_meets_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """EMFILE that a command lets through (a module it imports late, a file it opens without a message of its own):
    said as the process's limit and what to do, not as the file's fault."""
    from provpack import cli, errors

    def failing(args: Any) -> int:
        raise OSError(errno.EMFILE, "Too many open files", "some/module.py")

    monkeypatch.setattr(cli, "_show", failing)
    monkeypatch.setattr(errors, "_open_files_limit", lambda: 60)
    monkeypatch.chdir(tmp_path)
    assert main(["show", "x"]) == 2
    assert capsys.readouterr().err == ("provpack: error: some/module.py: too many open files in this process (its "
                                       "limit is 60); raise the limit (ulimit -n), or close files this process holds "
                                       "open\n")


def test_sigterm_during_a_command_is_exit_143_and_the_handler_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a command runs SIGTERM unwinds it (exit 143); afterwards the previous handler is back."""
    import signal

    from provpack import cli

    before = signal.getsignal(signal.SIGTERM)

    def terminated(args: Any) -> int:
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler) and handler is not before
        handler(signal.SIGTERM, None)
        return 0

    monkeypatch.setattr(cli, "_show", terminated)
    monkeypatch.chdir(tmp_path)
    assert main(["show", "x"]) == 143
    assert "provpack: terminated (SIGTERM)" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before


def test_main_runs_in_a_thread_other_than_the_main_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the main thread may set signal handlers: elsewhere main() runs without one."""
    import threading

    monkeypatch.chdir(tmp_path)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(["-q", "verify", str(COMMITTED)])))
    thread.start()
    thread.join()
    assert codes == [0]


@pytest.mark.parametrize("text, value", [("1", 1), ("512", 512), ("1K", 1024), ("3k", 3072), ("12K", 12288),
                                         ("2M", 2 * 2**20), ("1G", 2**30)])
def test_max_text_bytes_takes_k_m_g(text: str, value: int) -> None:
    """--max-text-bytes: a number of bytes, or K, M, G (powers of 1024, either case)."""
    from provpack.cli import build_parser

    assert build_parser().parse_args(["package", "--max-text-bytes", text, "src"]).max_text_bytes == value


def test_max_text_bytes_of_zero_is_refused_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["package", "--max-text-bytes", "0", "src"]) == 2
    assert capsys.readouterr().err == ("provpack: error: argument --max-text-bytes: must be at least 1 byte, "
                                       "not '0'; see provpack package --help\n")


def test_package_summary_of_originals(seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The summary counts aligned originals apart from those archived without text, those archived as the server's
    error answer and those not fetched, and those aligned in which no segment was found, and warns about each of them
    (an error answer with what to do); -q silences the warnings, as it does every warning."""
    import importlib
    from types import SimpleNamespace

    module = importlib.import_module("provpack.package")   # (provpack.package is also the function)

    totals = SimpleNamespace(documents=4, elisions=3, possible_elisions=1, text_bytes=1000, with_original=4,
                             omitted_found=1, differences=4, segments_not_found=3)
    out = tmp_path / "o.warc.gz"
    result = SimpleNamespace(
        fetch_failures=[SimpleNamespace(name="b", message="HTTP 206", url="https://e.org/b")],
        unaligned=[SimpleNamespace(name="a", url="https://e.org/a", reason="no text in image/png", status=200),
                   SimpleNamespace(name="d", url="https://e.org/d", reason="HTTP 503 Busy: the server answered with an "
                                   "error, not the page", status=503)],
        unmatched=[SimpleNamespace(name="c", how="local", original="o/c.html", segments=3,
                                   charset={"encoding": "utf-8", "source": "meta", "note": None})],
        summed=lambda: totals, warc_path=out, records=7, size_bytes=1234, sha256="ab" * 32,
        sha256_path=Path(f"{out}.sha256"))
    monkeypatch.setattr(module, "package", lambda *args, **kwargs: result)
    monkeypatch.chdir(tmp_path)
    assert main(["package", str(seed_dir), "-o", str(out), "--fetch"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ("provpack: warning: b: not fetched: HTTP 206\n"
                            "provpack: warning: a: fetched https://e.org/a but not aligned: no text in image/png\n"
                            "provpack: warning: d: fetched https://e.org/d but not aligned: HTTP 503 Busy: the server "
                            "answered with an error, not the page; its answer is archived as received (to align the "
                            "excerpt, check the URL or try again later, or save the page and name the copy with "
                            "`original:` in the sidecar)\n"
                            "provpack: warning: c: none of its 3 segments was found in its original o/c.html, charset "
                            "utf-8 (meta); if the original is in another encoding, save it as UTF-8 or declare its "
                            "charset (<meta charset> in HTML), else check that it is the text quoted\n")
    assert captured.out.split("\n")[:2] == [
        "packaged 4 documents (1,000 bytes of text); elisions: 3 bracketed, 1 possible",
        "originals: 2 aligned (1 omitted passage found, 4 differences; 3 segments not found in the original); 1 "
        "archived but not aligned (no text): "
        "https://e.org/a; 1 answered with an HTTP error (archived, not aligned): https://e.org/d (HTTP 503); 1 with no "
        "segment found in the original; 1 not fetched: https://e.org/b"]
    assert main(["package", str(seed_dir), "-o", str(out), "--fetch", "-q"]) == 0   # warnings, not errors: silenced
    assert capsys.readouterr() == ("", "")


def test_an_output_dir_setting_that_is_a_file_is_blamed_on_the_settings(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """output_dir naming a file: the settings file and the setting are named, with the problem."""
    from provpack.atomic import folder_problem

    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "provpack.yaml").write_text("output_dir: afile\n")
    unusable = folder_problem(tmp_path / "afile")
    assert unusable is not None
    assert main(["-q", "package", str(seed_dir)]) == 2
    assert capsys.readouterr().err.startswith(
        f"provpack: error: {tmp_path / 'provpack.yaml'}: 'output_dir': {unusable[0]}; ")


def test_a_level_given_on_the_command_line_is_not_blamed_on_the_settings(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """settings deflate: isal and level: 2 with --level 9: the command line's --level is wrong, not the file."""
    pytest.importorskip("isal")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "provpack.yaml").write_text("deflate: isal\nlevel: 2\n")
    assert main(["-q", "package", str(seed_dir), "-o", "a.warc.gz", "--level", "9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("provpack: error: --level (level): isal levels are 0 to 3, not 9") and "provpack.yaml" not in err


def test_a_level_from_the_settings_is_blamed_there_in_full(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The message names the file and the setting, and says where else to give it."""
    pytest.importorskip("isal")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "provpack.yaml").write_text("level: 9\n")
    assert main(["-q", "package", str(seed_dir), "-o", "a.warc.gz", "--deflate", "isal"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path / 'provpack.yaml'}: 'level': isal levels are "
                                       "0 to 3, not 9; change it there, or give --level on the command line\n")


def test_verify_standard_input_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """'-' reads standard input and the report names it '-'; '-' with another file is refused."""
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "-", str(COMMITTED)]) == 2
    assert capsys.readouterr().err == ("provpack: error: verify: '-' (standard input) cannot be combined with "
                                       "other files\n")
    unchecked = ("read from standard input, so no .sha256 is checked: WARC header values (WARC-Date and the like), "
                 "gzip headers, the order of records and whether whole records were removed are unchecked; verify "
                 "the file by its path, with its .sha256 beside it, to check them")
    with COMMITTED.open("rb") as stream:
        monkeypatch.setattr(sys, "stdin", SimpleStdin(stream))
        assert main(["verify", "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [file["path"] for file in report["files"]] == ["-"]
    assert report["files"][0]["notes"] == ["gzip: 3 members", "provpack provenance records checked: 1", unchecked]
    with COMMITTED.open("rb") as stream:   # the README's `cat archive/seeds.warc.gz | provpack verify -`
        monkeypatch.setattr(sys, "stdin", SimpleStdin(stream))
        assert main(["verify", "-"]) == 0
    assert capsys.readouterr().out == ("-: note: gzip: 3 members\n-: note: provpack provenance records checked: 1\n"
                                       f"-: note: {unchecked}\nrecords 3, verified 3, unverified 0, problems 0\n")


class SimpleStdin:
    """Standard input over a binary file."""

    def __init__(self, stream: Any) -> None:
        self.buffer = stream


def test_verify_progress_counts_mib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The progress bar of verify counts whole MiB read, of the files' total size."""
    import contextlib

    import provpack.progress

    seen: list[tuple[int, int, int]] = []

    @contextlib.contextmanager
    def bar(label: str, *, unit: str, enabled: bool) -> Any:
        yield lambda units, total, size: seen.append((units, total, size))

    big = tmp_path / "big.warc.gz"
    big.write_bytes(COMMITTED.read_bytes() * ((3 << 20) // COMMITTED.stat().st_size + 1))
    monkeypatch.setattr(provpack.progress, "progress_bar", bar)
    monkeypatch.chdir(tmp_path)
    main(["-q", "verify", "--jobs", "1", str(big)])
    size = big.stat().st_size
    assert seen and seen[-1] == (size >> 20, size >> 20, size)


def test_verify_json_keys_are_sorted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--json", str(COMMITTED)]) == 0
    text = capsys.readouterr().out
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_show_json_is_indented_by_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["show", "--json", str(COMMITTED)]) == 0
    assert capsys.readouterr().out.startswith('{\n  "documents": [\n    {\n      "name": ')


def test_index_records_lists_every_warc_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """--records takes each WARC/1.1 record type, and a wrong one is answered with the whole list."""
    monkeypatch.chdir(tmp_path)
    assert main(["index", str(COMMITTED), "--records", "warcinfo,continuation", "-o", "a.cdxj"]) == 0
    assert main(["index", str(COMMITTED), "--records", "page", "-o", "b.cdxj"]) == 2
    assert capsys.readouterr().err == ("provpack: error: argument --records: not WARC record types: page; use 'all' "
                                       "or some of continuation,conversion,metadata,request,resource,response,"
                                       "revisit,warcinfo; see provpack index --help\n")
    assert main(["index", str(COMMITTED), "--records", " , ", "-o", "c.cdxj"]) == 2
    assert capsys.readouterr().err == ("provpack: error: argument --records: no WARC record type given; use 'all' or "
                                       "some of continuation,conversion,metadata,request,resource,response,revisit,"
                                       "warcinfo; see provpack index --help\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.cdxj"]


def test_the_readme_spells_options_and_arguments_as_help_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Each `### provpack COMMAND ...` heading of the README, and each row of its table of package's options,
    names the options, their values and the arguments as `provpack COMMAND --help` does."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### `provpack (\w+) ([^`]+)`$", readme, re.M)
    start = readme.index("### `provpack package")
    section = readme[start:readme.index("\n### ", start)]
    rows = re.findall(r"^\| `(-[^`]+)`(?:, `(-[^`]+)`)? \|", section, re.M)
    named = [*headings, *(("package", option) for row in rows for option in row if option)]
    assert {command for command, _ in named} >= {"package", "verify", "show", "extract"} and len(rows) >= 10
    for command, spelled in named:
        assert main([command, "--help"]) == 0
        shown = capsys.readouterr().out
        usage = " ".join(shown.split("\n\n")[0].split())
        for option, value in re.findall(r"(-[\w-]+)(?: ([A-Z][\w.]*))?", spelled):
            assert re.search(rf"(^|[ \[]){re.escape(option)}{' ' + re.escape(value) if value else ''}[ ,\]]",
                             " ".join(shown.split())), (command, option, value)
        for argument in re.findall(r"(?:^| )([A-Z]+)(?:\.\.\.)?(?= |$)", spelled.split("[")[0]):
            assert f" {argument}" in usage, (command, argument)
    # And the other way: a heading that spells a command's options (all but package's, in its table) has each
    # one --help has, and package's table a row for each (the options every command takes aside).
    common = {"-h", "--help", "--config", "-q", "--quiet", "-v", "--verbose"}
    for command, spelled in headings:
        assert main([command, "--help"]) == 0
        usage = " ".join(capsys.readouterr().out.split("\n\n")[0].split())
        given = set(re.findall(r"(?:^|[ \[])(-[\w-]+)", usage)) - common
        listed = set(re.findall(r"(-[\w-]+)", spelled))
        if command == "package":
            listed |= {name for row in rows for option in row for name in re.findall(r"(-[\w-]+)", option)}
        assert given <= listed, (command, sorted(given - listed))


@pytest.mark.parametrize("setting, option, blamed", [
    ("deflate: isal\n", [], True),   # the settings file asked for it
    ("deflate: zlib\n", ["--deflate", "isal"], False),   # the command line asked for it
])
def test_a_backend_that_is_not_installed_is_blamed_on_who_asked_for_it(
    setting: str, option: list[str], blamed: bool, seed_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without isal, `deflate: isal` in the settings names the file; --deflate isal names the option."""
    import provpack.gzipper

    monkeypatch.setattr(provpack.gzipper, "available_backends", lambda: ("zlib",))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "provpack.yaml").write_text(setting)
    assert main(["-q", "package", str(seed_dir), "-o", "a.warc.gz", *option]) == 2
    err = capsys.readouterr().err
    where = f"{tmp_path / 'provpack.yaml'}: 'deflate'" if blamed else "--deflate (deflate)"
    assert err.startswith(f"provpack: error: {where}: the isal backend is not installed; "), err


_WHAT = {"seeds.warc.gz": "the archive this command reads",
         "seeds.warc.gz.sha256": "the checksum file of the archive this command reads",
         "seeds.warc.gz.sig": "the signature of the archive this command reads",
         "k": "the private key this command signs with"}


@pytest.mark.parametrize("command, target, alias", [
    *((command, target, alias) for command in ("extract", "index", "wacz", "sign")
      for target, alias in (("seeds.warc.gz", False), ("seeds.warc.gz", True), ("seeds.warc.gz.sha256", False))),
    *((command, "seeds.warc.gz.sig", False) for command in ("extract", "index", "wacz")),   # sign's own output
    ("sign", "k", False),
])
def test_an_output_that_is_an_input_is_refused_even_with_force(
        packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, target: str,
        alias: bool) -> None:
    """-o naming the archive the command reads, its .sha256 or .sig (or, for sign, the key; also through a link to
    it given as the archive): exit 2 naming both, before anything is written; the file is left as it was."""
    folder = packed.parent
    assert main(["keygen", "-o", str(folder / "k")]) == 0
    assert main(["sign", str(packed), "--key", str(folder / "k")]) == 0
    archive = packed
    if alias:
        archive = folder / "alias.warc.gz"
        archive.symlink_to(packed.name)
    arguments = {"extract": [str(archive), SEED_NAME], "index": [str(archive)], "wacz": [str(archive)],
                 "sign": [str(archive), "--key", str(folder / "k")]}[command]
    out = folder / target
    before = out.read_bytes()
    capsys.readouterr()
    assert main([command, *arguments, "-o", str(out), "--force"]) == 2
    read = archive if target == "seeds.warc.gz" else folder / target
    force = "--force" if command == "extract" else "--force (force=True)"   # (the library's extract has no force)
    assert capsys.readouterr().err == (f"provpack: error: {out}: is {_WHAT[target]} ({read}); provpack does not write "
                                       f"over it, even with {force}; write to another file\n")
    assert out.read_bytes() == before
    assert main(["verify", str(packed)]) == 0


def test_extract_names_only_the_flag_that_replaces_its_output(
        packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The library's extract writes to a stream and has no `force`: what only the command refuses names only
    --force (it said `--force (force=True)`), for a file there, and for a FIFO even with --force."""
    out = tmp_path / "existing.txt"
    out.write_bytes(b"mine")
    assert main(["extract", str(packed), SEED_NAME, "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {out}: already exists; pass --force to replace it, or choose"
                                       " another name\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert main(["extract", str(packed), SEED_NAME, "-o", str(fifo), "--force"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {fifo}: is a named pipe (FIFO), not a regular file; provpack"
                                       " does not replace it, even with --force; name a regular file to write (the"
                                       " commands extract and index write to standard output with -o -)\n")
    assert out.read_bytes() == b"mine"


@pytest.mark.parametrize("arguments, option, bad", [
    (["--description", "caf\udce9"], "--description (description)", "0xE9"),
    (["--operator", "\udcff"], "--operator (operator)", "0xFF"),
])
def test_package_values_that_are_not_utf8_are_usage_errors(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], option: str,
        bad: str) -> None:
    """Bytes that are not UTF-8 in a value the archive records (as the shell passes $'caf\\xe9'): exit 2 naming the
    option and the bytes, nothing written; was a traceback and exit 1."""
    assert main(["package", str(seed_dir), "-o", str(tmp_path / "a.warc.gz"), *arguments]) == 2
    assert capsys.readouterr().err == f"provpack: error: {option}: not UTF-8 text ({bad}); give it in UTF-8\n"
    assert not (tmp_path / "a.warc.gz").exists()


def test_an_archive_name_that_is_not_utf8_is_a_usage_error(
        seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """package -o, and wacz's and index's archive: a file name that is not UTF-8 (recorded in WARC-Filename, as
    archive/NAME in the WACZ, in the CDXJ lines' filename) is refused, exit 2, the name spelled printable; so are
    wacz's --title and --description."""
    out = tmp_path / "\udcff.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path}/\\xff.warc.gz: the archive name is not UTF-8 "
                                       "(0xFF); name it in UTF-8 (the archive records its name, in WARC-Filename)\n")
    assert main(["-q", "package", str(seed_dir), "-o", str(tmp_path / "a.warc.gz")]) == 0
    shutil.copy(tmp_path / "a.warc.gz", out)
    assert main(["wacz", str(out), "-o", str(tmp_path / "w.wacz")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path}/\\xff.warc.gz: the archive's file name is not "
                                       "UTF-8 (0xFF); rename the file in UTF-8 (the WACZ holds it as archive/NAME)\n")
    assert main(["index", str(out), "-o", str(tmp_path / "i.cdxj")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path}/\\xff.warc.gz: the archive's file name is not "
                                       "UTF-8 (0xFF); rename the file in UTF-8 (each CDXJ line names it, in JSON text)\n")
    assert not (tmp_path / "i.cdxj").exists()
    for option in ("--title", "--description"):
        assert main(["wacz", str(tmp_path / "a.warc.gz"), "-o", str(tmp_path / "w.wacz"), option, "\udcff"]) == 2
        assert capsys.readouterr().err == (f"provpack: error: {option} ({option.removeprefix('--')}): not UTF-8 text "
                                           "(0xFF); give it in UTF-8\n")
    assert not (tmp_path / "w.wacz").exists()


@pytest.mark.parametrize("arguments, argument", [
    (["package", "a\0b"], "SRC"),
    (["package", "seeds", "-o", "a\0b"], "-o/--output"),
    (["verify", "a\0b"], "FILE"),
    (["verify", "x.warc.gz", "--key", "a\0b"], "--key"),
    (["verify", "x.warc.gz", "--key", "k", "--signature", "a\0b"], "--signature"),
    (["verify", "x.warc.gz", "--key", "k", "--wacz", "a\0b"], "--wacz"),
    (["verify", "x.warc.gz", "--key", "k", "--tsa-ca", "a\0b"], "--tsa-ca"),
    (["show", "a\0b"], "FILE"),
    (["extract", "a\0b", "x"], "FILE"),
    (["extract", "x.warc.gz", "x", "-o", "a\0b"], "-o/--output"),
    (["index", "a\0b"], "ARCHIVE"),
    (["index", "x.warc.gz", "-o", "a\0b"], "-o/--output"),
    (["wacz", "a\0b"], "ARCHIVE"),
    (["wacz", "x.warc.gz", "-o", "a\0b"], "-o/--output"),
    (["bag", "a\0b", "-o", "b"], "ARCHIVE"),
    (["bag", "x.warc.gz", "-o", "a\0b"], "-o/--output"),
    (["keygen", "-o", "a\0b"], "-o/--output"),
    (["sign", "a\0b", "--key", "k"], "ARCHIVE"),
    (["sign", "x.warc.gz", "--key", "a\0b"], "--key"),
    (["sign", "x.warc.gz", "--key", "k", "--wacz", "a\0b"], "--wacz"),
    (["sign", "x.warc.gz", "--key", "k", "-o", "a\0b"], "-o/--output"),
    (["--config", "a\0b", "show", "x.warc.gz"], "--config"),
])
def test_a_path_no_file_name_can_hold_is_a_usage_error(arguments: list[str], argument: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A path with a NUL (main(argv) can be given one, though no command line can) is a usage error naming the
    argument, exit 2, before any work: was a traceback of the os's ValueError, "embedded null byte"."""
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 2
    command = arguments[2] if arguments[0] == "--config" else arguments[0]
    prog = "provpack" if arguments[0] == "--config" else f"provpack {command}"
    assert capsys.readouterr().err == (f"provpack: error: argument {argument}: 'a\\x00b' holds a NUL character, "
                                       f"which no file name can hold; check the path; see {prog} --help\n")
    assert list(tmp_path.iterdir()) == []


def test_an_encode_error_of_undecodable_input_is_a_usage_error_and_any_other_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A lone surrogate (a byte that was not UTF-8 on the command line or in a file name) that no check caught
    ends in an error naming it, exit 2, not a traceback and exit 1; another UnicodeEncodeError is a bug and raises."""
    import provpack.cli

    def surrogate(args: Any) -> int:
        "caf\udce9 au lait".encode("utf-8")
        return 0

    monkeypatch.setattr(provpack.cli, "_index", surrogate)
    assert main(["index", "x.warc.gz"]) == 2
    assert capsys.readouterr().err == ("provpack: error: a command-line value or file name is not UTF-8 text "
                                       "(0xE9, in 'caf\\xe9 au lait'); give it in UTF-8, or rename the file\n")

    def ascii_only(args: Any) -> int:
        "café".encode("ascii")
        return 0

    monkeypatch.setattr(provpack.cli, "_index", ascii_only)
    with pytest.raises(UnicodeEncodeError):
        main(["index", "x.warc.gz"])


# Every argument that is a path, with what precedes it ('' in its place): each refuses an empty path.
_PATH_ARGUMENTS = {
    "package SRC": (["package"], "SRC"), "package -o": (["package", "src", "-o"], "-o/--output"),
    "verify FILE": (["verify"], "FILE"), "verify --key": (["verify", "a.warc.gz", "--key"], "--key"),
    "verify --signature": (["verify", "a.warc.gz", "--key", "k.pub", "--signature"], "--signature"),
    "verify --wacz": (["verify", "a.warc.gz", "--key", "k.pub", "--wacz"], "--wacz"),
    "verify --tsa-ca": (["verify", "a.warc.gz", "--key", "k.pub", "--tsa-ca"], "--tsa-ca"),
    "show FILE": (["show"], "FILE"), "extract FILE": (["extract"], "FILE"),
    "extract -o": (["extract", "a.warc.gz", "doc", "-o"], "-o/--output"),
    "index ARCHIVE": (["index"], "ARCHIVE"), "index -o": (["index", "a.warc.gz", "-o"], "-o/--output"),
    "wacz ARCHIVE": (["wacz"], "ARCHIVE"), "wacz -o": (["wacz", "a.warc.gz", "-o"], "-o/--output"),
    "bag ARCHIVE": (["bag", "-o", "bag"], "ARCHIVE"), "bag -o": (["bag", "a.warc.gz", "-o"], "-o/--output"),
    "keygen -o": (["keygen", "-o"], "-o/--output"), "sign ARCHIVE": (["sign", "--key", "k"], "ARCHIVE"),
    "sign --key": (["sign", "a.warc.gz", "--key"], "--key"), "sign --wacz": (["sign", "a.warc.gz", "--key", "k", "--wacz"],
                                                                           "--wacz"),
    "sign -o": (["sign", "a.warc.gz", "--key", "k", "-o"], "-o/--output"), "--config": (["--config"], "--config"),
}


@pytest.mark.parametrize("before, argument", _PATH_ARGUMENTS.values(), ids=_PATH_ARGUMENTS)
def test_an_empty_path_is_refused_naming_its_argument(before: list[str], argument: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """'' (an unset shell variable) is not the current folder, as pathlib reads it: `package ""` packaged the folder
    the command ran in, `-o ""` wrote ./NAME.warc.gz, `verify ""` said '.: is a directory'. A usage error (exit 2),
    before anything is read or written."""
    (tmp_path / "src").mkdir()
    write_text(tmp_path / "src", "doc", b"Title\n\nSome text [...] more.\n")
    monkeypatch.chdir(tmp_path)
    settings = before == ["--config"]   # (given before the command: the main parser's)
    assert main([*before, "", *(["verify", "a.warc.gz"] if settings else [])]) == 2
    prog = "provpack" if settings else f"provpack {before[0]}"
    assert capsys.readouterr().err == f"provpack: error: argument {argument}: empty path; give a path; see {prog} --help\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["src"]


@pytest.mark.parametrize("argv, said", [
    (["wacz", "."], ".: is a folder, not a file; give a file"),
    (["wacz", "/"], "/: is a folder, not a file; give a file"),
    (["wacz", ".", "-o", "out.wacz"], ".: is a folder, not a file; give a file"),
    (["sign", ".", "--key", "KEY"], ".: is a folder, not a file; give a file"),
    (["sign", "ARCHIVE", "--key", "KEY", "-o", "."], ".: is a folder, not a file; name a file to write"),
    (["keygen", "-o", "."], ".: is a folder, not a file; name a file to write"),
    (["keygen", "-o", "sub/.."], "sub/..: is a folder, not a file; name a file to write"),
])
def test_a_path_without_a_file_name_is_an_error_not_a_traceback(argv: list[str], said: str, packed: Path,
                                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """'.', '/' and '..' name no file: the name of the WACZ, the signature or the public key made from them was a
    ValueError from pathlib ('PosixPath('.') has an empty name', exit 1)."""
    key = tmp_path / "k" / "key"
    assert main(["keygen", "-o", str(key)]) == 0
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    listed = sorted(tmp_path.rglob("*"))
    argv = [str(key) if item == "KEY" else str(packed) if item == "ARCHIVE" else item for item in argv]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"provpack: error: {said}\n"
    assert sorted(tmp_path.rglob("*")) == listed


def test_quiet_verify_prints_only_the_problems(packed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-q: the problems alone, one line each, none of a sound file's notes, no warning or summary; under --strict
    the records without a digest are problems, so they are printed; nothing at all when every file is sound."""
    trunc = INTEROP / "example-trunc.warc"
    plain = INTEROP / "example.warc.gz"
    if not trunc.is_file():
        pytest.skip("shared/interop not found beside the repository")
    assert main(["-q", "verify", str(packed), str(trunc)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith(f"{trunc}: offset ") for line in out)
    assert [line.split(": ")[3] for line in out] == ["bad-length", "digest-mismatch", "digest-mismatch"]
    assert main(["-q", "verify", str(plain), "--strict"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith(f"{plain}: offset ") and ": missing-digest: " in line for line in out)
    assert main(["-q", "verify", str(packed), str(plain)]) == 0
    assert capsys.readouterr().out == ""


class _Unwritable(io.TextIOBase):
    """A standard stream that cannot be written: its reader gone (BrokenPipeError) or its disk full (ENOSPC)."""

    def __init__(self, error: OSError) -> None:
        self.error = error

    def write(self, text: str) -> int:
        raise self.error

    def flush(self) -> None:
        raise self.error


@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), OSError(28, "No space left on device")])
def test_an_unwritable_stderr_loses_the_messages_not_the_exit_code(
        packed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError) -> None:
    """`2> >(true)` or `2>/dev/full`: a missing file is still exit 2 (it was 0, a broken pipe taken for `| head`, or
    1, a traceback), and an extract that wrote its file whole still exit 0."""
    monkeypatch.setattr(sys, "stderr", _Unwritable(error))
    assert main(["verify", str(tmp_path / "nope.warc.gz")]) == 2
    assert main(["extract", str(packed), SEED_NAME, "-o", str(tmp_path / "e.txt")]) == 0
    assert (tmp_path / "e.txt").read_bytes() == (SEEDS / f"{SEED_NAME}.txt").read_bytes()


def test_package_wacz_is_written_when_the_summary_finds_standard_output_closed(
        seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`package --wacz | head -0`: the summary's first line meets a closed pipe; the WACZ is still made (it was
    left unwritten, exit 0)."""
    monkeypatch.setattr(sys, "stdout", _Unwritable(BrokenPipeError(32, "Broken pipe")))
    out = tmp_path / "o" / "x.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out), "--wacz"]) == 0
    assert out.with_name("x.wacz").is_file()


@pytest.fixture(scope="module")
def many_documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 400 documents of 40 segments each (39 elisions: about 30 KB of provenance JSON apiece)."""
    import datetime as dt

    import provpack

    folder = tmp_path_factory.mktemp("many")
    source = folder / "src"
    source.mkdir()
    for number in range(400):
        (source / f"d{number:04}.txt").write_text(
            " [...] ".join(f"part {part} of document {number} with some words" for part in range(40)) + "\n",
            encoding="utf-8")
    return provpack.package(source, out=folder / "many.warc.gz",
                            date=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)).warc_path


_PEAK = """\
import os, sys, tracemalloc
import provpack.cli, provpack.display, provpack.drawing, provpack.reader, rich.console, rich.table
sys.stdout = open(os.devnull, "w", encoding="utf-8")
tracemalloc.start()
code = provpack.cli.main(sys.argv[1:])
print(code, tracemalloc.get_traced_memory()[1], file=sys.stderr)
"""


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_show_holds_one_document_at_a_time(many_documents: Path, json_flag: list[str]) -> None:
    """show (and show --json) on 400 documents: memory at its peak (Python's allocations, past the imports) is
    under 16 MB, the 8 MiB of drawn text kept in memory before a temporary file takes the rest included, where
    holding every document's provenance took 51 MB (--json, building the whole JSON text: 113 MB)."""
    done = subprocess.run([sys.executable, "-c", _PEAK, "-q", "show", *json_flag, str(many_documents)],
                          capture_output=True, text=True, timeout=300)
    code, peak = done.stderr.split()
    assert code == "0" and int(peak) < 16_000_000, done.stderr


# Names in the characters of the locales below: Latin-1's, ISO-8859-9's (Turkish), EUC-JP's, and ones none has
NAMES = ("caf\u00e9", "\u0130stanbul \u0131", "\u65e5\u672c", "na\u00efve \u2013 \u201cquoted\u201d")
EXTRACT_EACH = ("import sys\nfrom provpack.cli import main\n"   # (NAME read from this command line, as provpack's is)
                "print([main(['-q', 'extract', 'a.warc.gz', name, '-o', f'out{number}.txt'])"
                " for number, name in enumerate(sys.argv[1:])])")


@pytest.mark.parametrize("locale", [C_LOCALE, LATIN_1, "tr_TR.ISO-8859-9", EUC_JP])
def test_extract_finds_a_name_typed_in_utf8_in_the_locale_or_as_show_prints_it(tmp_path: Path, locale: str) -> None:
    """In a locale whose encoding is not UTF-8, NAME finds its document typed as UTF-8 (the archive's names: bytes
    copied from a UTF-8 file or script), in the locale's encoding (typed in its terminal), and as show and show --json
    print it there (\\u2013 for a character the locale has not). Only the locale's own bytes were found: café's UTF-8
    was 'no document named' in each, and a name show printed escaped could not be typed back."""
    env = locale_env(tmp_path, locale)
    charset = "ascii" if locale == C_LOCALE else locale.partition(".")[2]
    for number, name in enumerate(NAMES):
        write_text(tmp_path / "src", name, b"text %d [...] end\n" % number)
    assert run_in(utf8_env(), tmp_path, "-q", "package", "src", "-o", "a.warc.gz").returncode == 0
    as_json = run_in(env, tmp_path, "show", "--json", "a.warc.gz").stdout
    listed = [document["name"] for document in json.loads(as_json)["documents"]]
    spelled = re.findall(rb'"name": "((?:[^"\\]|\\.)*)"', as_json)   # (as JSON spells them, escapes and all)
    lines = run_in(env, tmp_path, "show", "a.warc.gz").stdout.split(b"\n")
    shown = [line for line, following in zip(lines, lines[1:]) if following.startswith(b"record  <urn:uuid:")]
    assert sorted(listed) == sorted(NAMES) and len(spelled) == len(shown) == len(NAMES)
    typed: list[tuple[bytes, str]] = []   # (NAME's bytes, the document they name)
    for name, as_shown, in_json in zip(listed, shown, spelled):
        typed += [(name.encode(), name), (as_shown, name), (in_json, name)]
        if name.encode(charset, "ignore").decode(charset) == name:   # (a name the locale has every character of)
            typed.append((name.encode(charset), name))
    done = subprocess.run([sys.executable, "-c", EXTRACT_EACH, *(data for data, _ in typed)], capture_output=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (0, b"", str([0] * len(typed)).encode() + b"\n")
    texts = {name: b"text %d [...] end\n" % number for number, name in enumerate(NAMES)}
    assert [(tmp_path / f"out{number}.txt").read_bytes() for number in range(len(typed))] == [
        texts[name] for _, name in typed]
    extracted = run_in(env, tmp_path, "extract", "a.warc.gz", NAMES[2].encode())   # (to standard output)
    assert (extracted.returncode, extracted.stdout, extracted.stderr) == (0, texts[NAMES[2]], b"")


def test_a_name_whose_utf8_and_latin1_readings_name_two_documents_is_refused(tmp_path: Path) -> None:
    """In a Latin-1 locale café's UTF-8 bytes also read 'cafÃ©': with a document of each name, extract takes neither
    (exit 2) and gives an escaped spelling of each, which finds it in any locale; 0xE9 is café alone."""
    env = locale_env(tmp_path, LATIN_1)
    write_text(tmp_path / "src", "caf\u00e9", b"one [...] text\n")
    write_text(tmp_path / "src", "caf\u00c3\u00a9", b"other [...] text\n")
    assert run_in(utf8_env(), tmp_path, "-q", "package", "src", "-o", "a.warc.gz").returncode == 0
    done = run_in(env, tmp_path, "extract", "a.warc.gz", "caf\u00e9".encode(), "-o", "x.txt")
    assert (done.returncode, done.stdout, done.stderr) == (2, b"", (
        "provpack: error: a.warc.gz: 'caf\u00c3\u00a9' names two documents: 'caf\u00c3\u00a9' as this locale "
        "(iso8859-1) reads it, and 'caf\u00e9' as its bytes read as UTF-8; type 'caf\\xc3\\xa9' for the one or "
        "'caf\\xe9' for the other (escaped so, a name means the same in any locale)\n").encode("latin-1"))
    assert not (tmp_path / "x.txt").exists()
    for name, text in ((b"caf\xe9", b"one [...] text\n"), (b"caf\\xe9", b"one [...] text\n"),
                       (b"caf\\xc3\\xa9", b"other [...] text\n")):
        done = run_in(env, tmp_path, "extract", "a.warc.gz", name)
        assert (done.returncode, done.stdout, done.stderr) == (0, text, b"")


@pytest.mark.parametrize("locale", [C_LOCALE, LATIN_1])
def test_index_writes_utf8_to_standard_output_whatever_the_locale(tmp_path: Path, locale: str) -> None:
    """The CDXJ index on standard output is the UTF-8 `-o FILE` writes: a key surt cannot canonicalise is the URL
    itself, which went out as 0xE9 in Latin-1 and as the text \\xe9 in a C locale (\\u2013 in both), another key."""
    from warcbuild import record, warc

    (tmp_path / "w.warc.gz").write_bytes(warc([record("resource", b"x", target=url) for url in (
        "http://\u00e9:99999/x", "http://\u2013.org:x/")]))
    assert run_in(utf8_env(), tmp_path, "-q", "index", "w.warc.gz", "-o", "w.cdxj").returncode == 0
    written = (tmp_path / "w.cdxj").read_bytes()
    assert written.startswith("http://\u00e9:99999/x ".encode())
    done = run_in(locale_env(tmp_path, locale), tmp_path, "index", "w.warc.gz")
    assert (done.returncode, done.stdout, done.stderr) == (0, written, b"")


@pytest.mark.parametrize("command", [["package", "src", "-o", "a.warc.gz", "--description"],
                                     ["package", "src", "-o", "a.warc.gz", "--operator"],
                                     ["wacz", "a.warc.gz", "--title"], ["wacz", "a.warc.gz", "--description"]],
                         ids=lambda command: f"{command[0]} {command[-1]}")
def test_free_text_in_utf8_is_taken_in_a_c_locale(tmp_path: Path, command: list[str]) -> None:
    """A C locale reads only ASCII: a description or title given in UTF-8 is taken as UTF-8 (the files are those a
    UTF-8 locale writes), where it was refused as 'not UTF-8 text (0xC3 0xA9)'; bytes that are not UTF-8 still are."""
    write_text(tmp_path / "src", "a", b"one [...] text\n")
    if command[0] == "wacz":
        assert run_in(utf8_env(), tmp_path, "-q", "package", "src", "-o", "a.warc.gz").returncode == 0
    made = tmp_path / ("a.warc.gz" if command[0] == "package" else "a.wacz")
    runs = []
    for env in (utf8_env(), locale_env(tmp_path, C_LOCALE)):
        done = run_in(env, tmp_path, "-q", *command, "Caf\u00e9 \u2013 Z\u00fcrich".encode(), "--force")
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        runs.append(made.read_bytes())
    assert runs[0] == runs[1] and "Caf\u00e9 \u2013 Z\u00fcrich".encode() in (
        gzip.decompress(runs[0]) if command[0] == "package" else zipfile.ZipFile(io.BytesIO(runs[0])).read(
            "datapackage.json" if command[-1] == "--title" else "pages/pages.jsonl") + runs[0])
    done = run_in(locale_env(tmp_path, C_LOCALE), tmp_path, "-q", *command, b"Caf\xe9", "--force")
    assert (done.returncode, done.stderr) == (2, f"provpack: error: {command[-1]} ({command[-1][2:]}): not UTF-8 "
                                                 "text (0xE9); give it in UTF-8\n".encode())
