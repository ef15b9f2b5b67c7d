"""The verify API: reports, exit codes, sidecars, every corruption found, flat memory."""

from __future__ import annotations

import ast
import gzip
import hashlib
import io
import json
import random
import re
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import provpack
from provpack import inflate, verifysplit
from provpack.errors import ArchiveError, InputError
from provpack.jsondepth import MAX_DEPTH
from provpack.verify import FileReport, Problem, Status, VerifyReport, render_text, verify, verify_stream

from conftest import ARCHIVE, C_LOCALE, SEEDS, locale_env
from readback import Unseekable
from warcbuild import SAMPLE_TEXTS, archives, gzip_member, provpack_records, record, texts, warc

PACKAGE = Path(provpack.__file__).parent


def write(tmp_path: Path, data: bytes, name: str = "a.warc.gz", *, sidecar: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    if sidecar:
        (tmp_path / f"{name}.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    return path


def detected(report: FileReport, baseline: FileReport) -> bool:
    """A change is detected when it brings a problem, or leaves a record unverified or unread."""
    return (not report.ok or report.unverified > baseline.unverified
            or report.records != baseline.records)


RECORDS = provpack_records(SAMPLE_TEXTS)
MEMBERS = [gzip_member(r) for r in RECORDS]
ARCHIVE_BYTES = b"".join(MEMBERS)
MEMBER_STARTS = [sum(len(m) for m in MEMBERS[:i]) for i in range(len(MEMBERS))]


# -- the API ------------------------------------------------------------------------------------


def test_report_for_a_sound_file(tmp_path: Path) -> None:
    """A sound archive: ok, exit 0, every record verified, the sidecar checked."""
    path = write(tmp_path, ARCHIVE_BYTES, sidecar=True)
    report = verify(path)
    assert isinstance(report, VerifyReport) and report.ok and report.exit_code() == 0
    assert report.status is Status.OK and report.unverified == 0
    (file,) = report.files
    assert (file.path, file.records, file.verified, file.problems) == (str(path), 5, 5, ())
    assert any("sidecar a.warc.gz.sha256 matches" in note for note in file.notes)


def test_unverified_and_strict(tmp_path: Path) -> None:
    """Records without a digest: exit 0 with a warning; exit 1 under strict."""
    path = write(tmp_path, warc([record("resource", b"x", block_digest=None), record("resource", b"y")]))
    report = verify(path)
    assert report.ok and report.exit_code() == 0 and report.exit_code(strict=True) == 1
    assert report.status is Status.UNVERIFIED and report.unverified == 1
    strict = verify([path], strict=True)
    assert not strict.ok and strict.exit_code() == 1 and strict.to_json()["ok"] is False
    text = render_text(report)
    assert f"{path}: offset 0: record " in text and ": warning: missing-digest: " in text
    assert text.splitlines()[-1] == "records 2, verified 1, unverified 1, problems 0"
    strict_text = render_text(report, strict=True)
    assert "warning:" not in strict_text and strict_text.endswith("problems 1")


def test_strict_summary_per_file_counts_unverified(tmp_path: Path) -> None:
    """Under strict, each file's summary line counts its unverified records as problems, as the total does."""
    first = write(tmp_path, warc([record("resource", b"x", block_digest=None)]), "a.warc.gz")
    second = write(tmp_path, warc([record("resource", b"y")]), "b.warc.gz")
    lines = render_text(verify([first, second]), strict=True).splitlines()
    assert f"{first}: records 1, verified 0, unverified 1, problems 1" in lines
    assert f"{second}: records 1, verified 1, unverified 0, problems 0" in lines
    assert lines[-1] == "records 2, verified 1, unverified 1, problems 1"


def test_strict_json_says_what_the_text_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under strict, the JSON counts unverified records as problems, lists them among a file's problems
    and calls the file and the run failed, as the text and the exit code do; the rest is unchanged."""
    from provpack import recordcheck

    monkeypatch.setattr(recordcheck, "MAX_WARNINGS", 2)
    unchecked = write(tmp_path, warc([record("resource", b"%d" % n, block_digest=None) for n in range(3)]
                                     + [record("resource", b"y")]), "a.warc.gz")
    sound = write(tmp_path, warc([record("resource", b"z")]), "b.warc.gz")
    for strict in (False, True):
        report = verify([unchecked, sound], strict=strict)
        data = json.loads(json.dumps(report.to_json()))
        summary = render_text(report).splitlines()[-1]
        assert summary == f"records 5, verified 2, unverified 3, problems {3 if strict else 0}"
        assert data["problems"] == (3 if strict else 0) and data["unverified"] == 3
        assert data["ok"] is (not strict) and report.exit_code() == (1 if strict else 0)
        assert data["status"] == ("failed" if strict else "unverified") and data["strict"] is strict
        first, second = data["files"]
        assert first["status"] == ("failed" if strict else "unverified")
        listed = [w.to_json() for w in report.files[0].warnings]
        assert len(listed) == 2 and {w["kind"] for w in listed} == {"missing-digest"}
        assert (first["problems"], first["warnings"]) == ((listed, []) if strict else ([], listed))
        assert second["status"] == "ok" and second["problems"] == second["warnings"] == []
    # A report made without strict, rendered as strict (as render_text and exit_code allow).
    report = verify([unchecked, sound])
    assert report.to_json(strict=True) == verify([unchecked, sound], strict=True).to_json()


def test_each_files_ok_and_status_say_what_the_run_and_the_json_say(tmp_path: Path) -> None:
    """Under strict a file with unverified records is not ok and FAILED, as the run and its JSON say; without
    strict it is ok and UNVERIFIED; a file with none is ok either way. A report built as strict makes its
    files so, whoever made them."""
    unchecked = write(tmp_path, warc([record("resource", b"x", block_digest=None)]), "a.warc.gz")
    sound = write(tmp_path, warc([record("resource", b"y")]), "b.warc.gz")
    for strict, status in ((False, Status.UNVERIFIED), (True, Status.FAILED)):
        report = verify([unchecked, sound], strict=strict)
        first, second = report.files
        assert (report.ok, report.status) == (not strict, status)
        assert (first.ok, first.status, first.strict) == (not strict, status, strict)
        assert first.to_json()["status"] == report.to_json()["files"][0]["status"] == status.value
        assert (second.ok, second.status, second.to_json()["status"]) == (True, Status.OK, "ok")
    made = VerifyReport(verify(unchecked).files, strict=True)
    assert (made.files[0].ok, made.files[0].status, made.ok) == (False, Status.FAILED, False)
    assert VerifyReport(made.files).files[0].status is Status.UNVERIFIED


def test_a_problem_found_after_a_record_takes_it_back_from_the_verified(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A record is verified when no problem was found in it (docs/verify.md), also one found only when a later record
    comes (a provenance record's resource after it) or at the end (its resource never came); one that was unverified
    is taken off the unverified records, its warning withdrawn (or, not listed, off the count of those not)."""
    from provpack import recordcheck

    cases = archives()
    path = write(tmp_path, cases["disagreeing provenance first"])
    report = verify(path)
    (file,) = report.files
    assert (file.records, file.verified, file.unverified, [p.kind for p in file.problems]) == (
        13, 12, 0, ["metadata-mismatch"])
    assert render_text(report).endswith("records 13, verified 12, unverified 0, problems 1")
    assert report.to_json()["verified"] == 12 and report.to_json()["files"][0]["verified"] == 12
    write(tmp_path, cases["unverified disagreeing provenance first"])
    (file,) = verify(path).files
    assert (file.records, file.verified, file.unverified, file.warnings, len(file.problems)) == (13, 12, 0, (), 1)
    monkeypatch.setattr(recordcheck, "MAX_WARNINGS", 0)
    (file,) = verify(path).files
    assert (file.verified, file.unverified, file.warnings) == (12, 0, ())
    assert not any(note.startswith("unverified records not listed") for note in file.notes)
    write(tmp_path, cases["resource missing"])
    (file,) = verify(path).files
    missing = provpack_records(texts(6))[3].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    assert (file.records, file.verified, file.unverified, [p.message for p in file.problems]) == (
        12, 11, 0, [f"provenance WARC-Refers-To {missing} names no record in this file"])


def test_problem_lines_and_json(tmp_path: Path) -> None:
    """One line per problem: path, offset, record id, kind, message; JSON with the same facts."""
    bad = record("resource", b"x", block_digest="sha256:" + "0" * 64,
                 record_id="<urn:uuid:22222222-2222-5222-8222-222222222222>")
    fine = gzip_member(record("resource", b"fine"))
    path = write(tmp_path, fine + gzip_member(bad))
    report = verify(str(path))
    assert report.exit_code() == 1 and report.status is Status.FAILED
    offset = len(fine)
    line = render_text(report).splitlines()[0]
    assert line.startswith(f"{path}: offset {offset}: record <urn:uuid:22222222-2222-5222-8222-222222222222>:"
                           " digest-mismatch: WARC-Block-Digest sha256:000")
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is False and data["problems"] == 1
    (file,) = data["files"]
    assert {"path", "records", "verified", "unverified", "problems", "notes", "warnings"} <= set(file)
    assert file["problems"][0] == {"offset": offset, "record_id": "<urn:uuid:22222222-2222-5222-8222-222222222222>",
                                   "kind": "digest-mismatch", "message": report.files[0].problems[0].message,
                                   "skipped": None}


def test_several_files(tmp_path: Path) -> None:
    """Several files: one report each, per-file summaries, one total."""
    first = write(tmp_path, ARCHIVE_BYTES, "one.warc.gz")
    second = write(tmp_path, b"".join(provpack_records(SAMPLE_TEXTS[:1])), "two.warc")
    report = verify([first, second])
    assert [f.records for f in report.files] == [5, 3]
    lines = render_text(report).splitlines()
    assert f"{first}: records 5, verified 5, unverified 0, problems 0" in lines
    assert lines[-1] == "records 8, verified 8, unverified 0, problems 0"


def test_cannot_run(tmp_path: Path) -> None:
    """A missing file or a directory raises ArchiveError (exit 2) naming it, before any file is read."""
    with pytest.raises(ArchiveError, match="no such file") as info:
        verify([write(tmp_path, ARCHIVE_BYTES), tmp_path / "x.warc"])
    assert info.value.exit_code == 2 and "x.warc" in str(info.value)
    with pytest.raises(ArchiveError) as info:
        verify(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a folder, not a file; give a file"


@pytest.mark.parametrize("content, words", [
    (b"", "not a WARC file: the file is empty"),
    (b"just some text, not a WARC\n" * 5, "not a WARC file: starts with bytes 6a 75"),
])
def test_a_file_that_is_not_a_warc_is_an_error_and_the_others_are_checked(
        tmp_path: Path, content: bytes, words: str) -> None:
    """An empty or non-WARC file gets an error in its report (exit 2); the other files are still checked."""
    good = write(tmp_path, ARCHIVE_BYTES)
    path = tmp_path / "x.warc"
    path.write_bytes(content)
    report = verify([path, good])
    bad, checked = report.files
    assert bad.path == str(path) and bad.error is not None and bad.error.startswith(words)
    assert bad.status is Status.ERROR and not bad.ok and bad.records == 0
    assert checked.ok and checked.verified == 5
    assert report.exit_code() == 2 and report.errors == 1 and report.status is Status.ERROR and not report.ok
    assert report.to_json()["errors"] == 1 and report.to_json()["files"][0]["error"] == bad.error
    lines = render_text(report).splitlines()
    assert f"{path}: error: {bad.error}" in lines
    assert lines[-1] == "records 5, verified 5, unverified 0, problems 0, files not checked 1 (not WARC files)"
    with pytest.raises(ArchiveError, match="not a WARC file"):   # standard input: nothing else to check
        verify_stream(io.BytesIO(content), name="-")


def test_stream() -> None:
    """verify_stream reads a stream (standard input) with no sidecar."""
    report = verify_stream(io.BytesIO(ARCHIVE_BYTES), name="-")
    assert report.path == "-" and report.ok and report.verified == 5


def test_standard_input_closed_is_an_archive_error_before_any_file_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`<&-` leaves Python's sys.stdin None: verify("-") says so (exit code 2), not an AttributeError, and before it
    reads a file given with it."""
    monkeypatch.setattr(sys, "stdin", None)
    opened: list[Path] = []
    monkeypatch.setattr(sys.modules["provpack.verify"], "_verify_path", lambda path, **kwargs: opened.append(path))
    with pytest.raises(ArchiveError) as caught:
        verify([write(tmp_path, ARCHIVE_BYTES), "-"])
    assert str(caught.value) == ("-: standard input is closed; send the archive into it (`provpack verify - < FILE`), "
                                 "or give the file's name")
    assert caught.value.exit_code == 2 and opened == []


# -- the sidecar --------------------------------------------------------------------------------


@pytest.mark.parametrize("line, kind", [
    ("{digest}  a.warc.gz\n", None),
    ("{digest} *a.warc.gz\n", None),
    ("{upper}  a.warc.gz\n", None),
    ("{other}  b.warc.gz\n{digest}  a.warc.gz\n", None),
    ("{other}  a.warc.gz\n", "sidecar-mismatch"),
    ("{digest}  b.warc.gz\n", None),   # renamed: a note (below)
    ("{other}  b.warc.gz\n", "bad-sidecar"),
    ("{digest}  b.warc.gz\n{digest}  c.warc.gz\n", "bad-sidecar"),
    ("{digest}\n", "bad-sidecar"),
    ("not a checksum line\n", "bad-sidecar"),
    ("{short}  a.warc.gz\n", "bad-sidecar"),
    ("{digest}  a.warc.gz\n{upper} *a.warc.gz\n", None),
    ("{digest}  a.warc.gz\n{other}  a.warc.gz\n", "sidecar-mismatch"),
    ("{digest}  a.warc.gz\nnot a checksum line\n", "bad-sidecar"),
    ("{digest}  d/a.warc.gz\n", None),   # written by `sha256sum d/a.warc.gz`: the file's name with a folder
    ("{digest}  /abs/d/a.warc.gz\n", None),
    ("{digest} *./a.warc.gz\n", None),
    ("{other}  d/a.warc.gz\n", "sidecar-mismatch"),
    ("{digest}  d/a.warc.gz.x\n", None),   # another name: renamed (a note)
])
def test_sidecar(tmp_path: Path, line: str, kind: str | None) -> None:
    """The .sha256 sidecar, in sha256sum format, must match the file; a malformed one is a problem."""
    path = write(tmp_path, ARCHIVE_BYTES)
    digest = hashlib.sha256(ARCHIVE_BYTES).hexdigest()
    (tmp_path / "a.warc.gz.sha256").write_text(line.format(
        digest=digest, upper=digest.upper(), other="1" * 64, short=digest[:60]))
    report = verify(path)
    assert [p.kind for p in report.files[0].problems] == ([kind] if kind else [])


def test_a_sidecar_line_with_a_folder_names_the_file(tmp_path: Path) -> None:
    """`sha256sum d/a.warc.gz > d/a.warc.gz.sha256` (or an absolute path) names the file with its folder, as
    `sha256sum -c` run from above takes it: the file's line, not a rename, and no note about it."""
    path = write(tmp_path, ARCHIVE_BYTES)
    digest = hashlib.sha256(ARCHIVE_BYTES).hexdigest()
    for named in ("d/a.warc.gz", f"{tmp_path}/a.warc.gz"):
        (tmp_path / "a.warc.gz.sha256").write_text(f"{digest}  {named}\n")
        file = verify(path).files[0]
        assert file.problems == () and [note for note in file.notes if ".sha256" in note] == [
            "sidecar a.warc.gz.sha256 matches the file's sha256"], (named, file.notes)


def test_a_renamed_archive_and_its_sidecar_are_said_so(tmp_path: Path) -> None:
    """An archive renamed with its sidecar (whose one line still names the old name) is no problem when the
    sha256 matches: a note says the sidecar names the other file, and how to make them agree. When the sha256
    does not match, the bad-sidecar problem names the other file and both hashes, and what to do."""
    path = write(tmp_path, ARCHIVE_BYTES, "r.warc.gz")
    digest = hashlib.sha256(ARCHIVE_BYTES).hexdigest()
    (tmp_path / "r.warc.gz.sha256").write_text(f"{digest}  my.warc.gz\n")
    file = verify(path).files[0]
    assert file.problems == () and file.notes[-1] == (
        "sidecar r.warc.gz.sha256 names my.warc.gz, not r.warc.gz, but its sha256 matches the file's (renamed?); "
        "to make them agree, run 'sha256sum r.warc.gz > r.warc.gz.sha256' in the file's folder")
    (tmp_path / "r.warc.gz.sha256").write_text(f"{'1' * 64}  my.warc.gz\n")
    file = verify(path).files[0]
    assert [(p.kind, p.message) for p in file.problems] == [("bad-sidecar", (
        f"r.warc.gz.sha256 has no line for r.warc.gz; its one line names my.warc.gz, whose sha256 {'1' * 64} is "
        f"not the file's ({digest}): if the file is my.warc.gz renamed, it has changed since the sidecar was "
        "written (restore it from a copy); else the sidecar is another file's: remove it, or, once the file is "
        "known to be sound, run 'sha256sum r.warc.gz > r.warc.gz.sha256' in its folder"))]
    assert not any("sidecar" in note for note in file.notes)


def test_a_sidecar_that_cannot_be_read_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable sidecar is a bad-sidecar problem in words, with what to do (it printed a raw
    "[Errno 13] Permission denied: 'out/a.warc.gz.sha256'"); one that is not UTF-8 names the byte."""
    path = write(tmp_path, ARCHIVE_BYTES)
    sidecar = tmp_path / "a.warc.gz.sha256"
    sidecar.write_bytes(b"\xff" * 70)
    [problem] = verify(path).files[0].problems
    assert (problem.kind, problem.message) == (
        "bad-sidecar", "a.warc.gz.sha256 cannot be read: not UTF-8 text (byte 0); it is not a sha256sum file")
    read_text = Path.read_text

    def refused(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name.endswith(".sha256"):
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refused)
    [problem] = verify(path).files[0].problems
    assert (problem.kind, problem.message) == (
        "bad-sidecar", "a.warc.gz.sha256 cannot be read: permission denied; check the sidecar's permissions (or run "
                       "as its owner), or remove it to check the archive without it")


# -- corruptions --------------------------------------------------------------------------------

HEADER_HARMLESS = {4, 5, 6, 7, 8, 9}  # gzip MTIME (4 bytes), XFL, OS: zlib does not read them


def test_every_byte_flip_in_a_gzip_archive(tmp_path: Path) -> None:
    """Every single-byte change of a per-record gzip archive is found, except in bytes zlib ignores.

    Exactly these are harmless (and found only by the sidecar): MTIME, XFL and OS in each member's
    header, the FTEXT bit of FLG, and the unused padding bits of the last deflate byte.
    """
    baseline = verify_stream(io.BytesIO(ARCHIVE_BYTES), name="x")
    missed: dict[int, list[int]] = {}
    for mask in (0x01, 0x80, 0xFF):
        for offset in range(len(ARCHIVE_BYTES)):
            data = bytearray(ARCHIVE_BYTES)
            data[offset] ^= mask
            if not detected(verify_stream(io.BytesIO(bytes(data)), name="x"), baseline):
                missed.setdefault(mask, []).append(offset)
    harmless = {start + i for start in MEMBER_STARTS for i in HEADER_HARMLESS}
    ftext = {start + 3 for start in MEMBER_STARTS}
    last_deflate = {start + len(member) - 9 for start, member in zip(MEMBER_STARTS, MEMBERS)}
    assert set(missed[0xFF]) == harmless
    assert set(missed[0x01]) == harmless | ftext
    assert harmless <= set(missed[0x80]) <= harmless | last_deflate
    # Each FLG bit alone: only FTEXT (0x01) is harmless; FHCRC, FEXTRA, FNAME, FCOMMENT and the
    # reserved bits change how the member parses or are refused.
    for bit in range(1, 8):
        data = bytearray(ARCHIVE_BYTES)
        data[MEMBER_STARTS[1] + 3] ^= 1 << bit
        assert detected(verify_stream(io.BytesIO(bytes(data)), name="x"), baseline), bit
    # The sidecar covers them all.
    (tmp_path / "a.warc.gz.sha256").write_text(f"{hashlib.sha256(ARCHIVE_BYTES).hexdigest()}  a.warc.gz\n")
    for offset in sorted(set().union(*missed.values())):
        data = bytearray(ARCHIVE_BYTES)
        data[offset] ^= 0x01 if offset in ftext else 0x80 if offset in last_deflate else 0xFF
        path = write(tmp_path, bytes(data))
        assert [p.kind for p in verify(path).files[0].problems] == ["sidecar-mismatch"]


def test_flips_in_wget_s_sl_subfield_and_a_file_name_pass(tmp_path: Path) -> None:
    """zlib reads neither the FEXTRA field's bytes after XLEN (wget's 12-byte `sl` subfield, which holds the
    member's compressed and uncompressed lengths) nor the FNAME text: a flip there passes, a flip of XLEN
    or of FNAME's closing zero does not; docs/verify.md lists them among what only the sidecar sees."""
    import struct
    import zlib

    def member(flags: int, fields: bytes, body: bytes) -> bytes:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return (b"\x1f\x8b\x08" + bytes([flags]) + b"\x00\x00\x00\x00\x00\x03" + fields
                + compressor.compress(body) + compressor.flush() + struct.pack("<II", zlib.crc32(body), len(body)))

    body = record("resource", b"wget-style member")
    size = len(member(0x04, bytes(14), body))
    wget = member(0x04, struct.pack("<H2sHII", 12, b"sl", 8, size, len(body)), body)
    named = member(0x08, b"x.warc\x00", record("resource", b"named member"))
    data = wget + named
    baseline = verify_stream(io.BytesIO(data), name="x")
    assert baseline.ok and baseline.verified == 2 and len(wget) == size
    missed = set()
    for offset in [*range(10, 24), *range(len(wget) + 10, len(wget) + 17)]:
        for mask in (0x01, 0x80, 0xFF):
            changed = bytearray(data)
            changed[offset] ^= mask
            if not detected(verify_stream(io.BytesIO(bytes(changed)), name="x"), baseline):
                missed.add(offset)
    assert missed == set(range(12, 24)) | set(range(len(wget) + 10, len(wget) + 16))
    (tmp_path / "a.warc.gz.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  a.warc.gz\n")
    changed = bytearray(data)
    changed[16] ^= 0xFF   # the sl subfield's compressed length
    assert [p.kind for p in verify(write(tmp_path, bytes(changed))).files[0].problems] == ["sidecar-mismatch"]


PLAIN_RECORDS = provpack_records(SAMPLE_TEXTS[:1])
PLAIN = b"".join(PLAIN_RECORDS)
# Fields no digest covers: a change in their values (or their names, making them unknown extension
# fields) cannot be seen in an uncompressed WARC without the sidecar.
UNPROTECTED = {b"WARC-Record-ID", b"WARC-Date", b"WARC-Target-URI", b"WARC-Type", b"Content-Type",
               b"WARC-Concurrent-To"}


def plain_layout() -> list[tuple[int, int, bytes, int]]:
    """(line start, line end, field name, record index) for every header line of PLAIN."""
    lines = []
    start = 0
    for index, raw in enumerate(PLAIN_RECORDS):
        header = raw[: raw.index(b"\r\n\r\n") + 2]
        pos = 0
        while pos < len(header):
            end = header.index(b"\r\n", pos)
            line = header[pos:end]
            lines.append((start + pos, start + end, line.split(b":")[0] if pos else b"version", index))
            pos = end + 2
        start += len(raw)
    return lines


def excused(offset: int, mask: int) -> bool:
    """Whether a flip at `offset` may go unseen in PLAIN, per docs/verify.md."""
    for start, end, name, _ in plain_layout():
        if start <= offset < end:
            old = PLAIN[offset : offset + 1]
            new = bytes([old[0] ^ mask])
            case_only = old.lower() == new.lower() and old.isalpha()
            in_name = offset < start + len(name)
            if name in UNPROTECTED:
                return True
            if name == b"version":
                return (old, new) in ((b"1", b"0"),)
            if case_only and (in_name or name in (b"WARC-Block-Digest", b"WARC-Payload-Digest")):
                return True  # field names and base16 digests are case-insensitive
            # One of a resource's two digests renamed: the other still covers the same block.
            return in_name and name in (b"WARC-Block-Digest", b"WARC-Payload-Digest")
    return False


def test_every_byte_flip_in_a_plain_archive() -> None:
    """In an uncompressed WARC every change to a block, a digest, a length or a separator is found;
    what may pass is listed in docs/verify.md (fields no digest covers, case in names)."""
    baseline = verify_stream(io.BytesIO(PLAIN), name="x")
    unexcused = []
    for mask in (0x01, 0x20, 0xFF):
        for offset in range(len(PLAIN)):
            data = bytearray(PLAIN)
            data[offset] ^= mask
            if not detected(verify_stream(io.BytesIO(bytes(data)), name="x"), baseline) and not excused(offset, mask):
                unexcused.append((offset, mask))
    assert unexcused == []


def test_truncation_at_every_point(tmp_path: Path) -> None:
    """Cut inside a member: truncated. Cut at a member boundary: a shorter sound file, caught by the sidecar."""
    baseline = verify_stream(io.BytesIO(ARCHIVE_BYTES), name="x")
    boundaries = set(MEMBER_STARTS[1:])
    for cut in range(1, len(ARCHIVE_BYTES)):
        report = verify_stream(io.BytesIO(ARCHIVE_BYTES[:cut]), name="x")
        if cut in boundaries:
            assert report.ok and report.records < baseline.records
        else:
            assert [p.kind for p in report.problems] == ["truncated"], cut
    (tmp_path / "a.warc.gz.sha256").write_text(f"{hashlib.sha256(ARCHIVE_BYTES).hexdigest()}  a.warc.gz\n")
    for cut in sorted(boundaries):
        report = verify(write(tmp_path, ARCHIVE_BYTES[:cut]))
        assert [p.kind for p in report.files[0].problems] == ["sidecar-mismatch"]


def split_anywhere(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Reading in two parts allowed for any file; the outcome of every merge attempt is recorded."""
    merged: list[bool] = []
    absorb = verifysplit.absorb

    def recording(scanner: object, part: verifysplit.Segment) -> bool:
        merged.append(absorb(scanner, part))  # type: ignore[arg-type]
        return merged[-1]

    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    monkeypatch.setattr(verifysplit, "absorb", recording)
    return merged


def _bad_digest_record(number: int) -> bytes:
    good = record("resource", b"block %d " % number * 40)
    return good.replace(b"block %d \r\n\r\n" % number, b"block %d!\r\n\r\n" % number)


@pytest.mark.parametrize("cut", [3, 9, 10, 60, -9])   # in the header (10 bytes), in the deflate data
def test_a_member_cut_short_then_more_members_is_reported_and_read_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int) -> None:
    """A gzip member cut short and followed by whole members (a writer that crashed and resumed, a partial
    download joined to another file): bad-gzip at the member, saying where the next one starts, not "cut
    off"; the members after it are read (a bad digest in one is found), in one or two processes."""
    records = [record("resource", b"block %d " % i * 40) for i in range(5)]
    records[3] = _bad_digest_record(3)
    members = [gzip_member(r) for r in records]
    cut %= len(members[2])
    parts = members[:2] + [members[2][:cut]] + members[3:]
    data = b"".join(parts)
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    (file,) = serial.files
    at = len(members[0]) + len(members[1])
    where = "inside its header" if cut < 10 else "before its end-of-stream marker"
    mismatch = next(p for p in verify_stream(io.BytesIO(members[3]), name="x").problems)
    assert [(p.offset, p.kind, p.message) for p in file.problems] == [
        (at, "bad-gzip", f"gzip member is cut short: another gzip member starts {cut} bytes into it, {where},"
                         f" at offset {at + cut}: reading resumes there"),
        (at + cut, "digest-mismatch", mismatch.message),
    ]
    assert file.notes == ("gzip: 5 members",)
    prefix = zlib.decompressobj(-15).decompress(members[2][10:cut]) if cut > 10 else b""  # (what its bytes hold)
    assert (file.records, file.verified) == (4 + prefix.startswith(b"WARC/"), 3 + (prefix == records[2]))
    assert verify_stream(Unseekable(data), name="-").problems == file.problems   # (a pipe: the same)
    starts = [sum(len(part) for part in parts[:i]) for i in range(1, len(parts))]
    for split in starts:
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


@pytest.mark.parametrize("damage, check", [(-8, "data"), (-1, "length")])   # a bit of the stored CRC-32, of ISIZE
def test_members_whose_trailers_alone_are_wrong_are_reported_at_their_offsets_and_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: int, check: str) -> None:
    """Four 300 kB records in one gzip member, then one in a member of its own, each member's deflate data sound and
    a bit of its trailer flipped: every record is read and verified (their digests show that only the trailers are
    damaged), and each member is bad-gzip at its offset, on no record. (Only the whole MiB of the first member's output
    was read, its last record not counted, and the bad-gzip was pinned on the record crossing that MiB; the second
    member's record went unread.) In one or two processes, split at either member, from a file or a pipe."""
    records = [record("resource", bytes([65 + i]) * 300_000,
                      record_id=f"<urn:uuid:00000000-0000-4000-8000-00000000000{i}>") for i in range(6)]
    first, second = bytearray(gzip_member(b"".join(records[:4]))), bytearray(gzip_member(records[4]))
    first[damage] ^= 1
    second[damage] ^= 1
    data = bytes(first) + bytes(second) + gzip_member(records[5])
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    assert render_text(serial).splitlines() == [
        f"{path}: offset 0: bad-gzip: gzip member is corrupt: incorrect {check} check",
        f"{path}: offset {len(first)}: bad-gzip: gzip member is corrupt: incorrect {check} check",
        f"{path}: note: gzip: 3 members",
        f"{path}: note: records that start inside a gzip member (not one member per record): 3",
        "records 6, verified 6, unverified 0, problems 2",
    ]
    assert serial.exit_code() == 1
    assert [problem["record_id"] for problem in serial.to_json()["files"][0]["problems"]] == [None, None]
    assert verify_stream(Unseekable(data), name=str(path)) == serial.files[0]   # (a pipe: the same)
    for split in (len(first), len(first) + len(second)):
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert merged == [True, True]


def test_a_corrupt_member_in_a_file_gzipped_in_pieces_loses_only_what_it_held(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve records gzipped in five pieces of their bytes (members start inside records, but the last), the
    second's deflate data corrupt: bad-gzip on the record it cuts, saying where reading resumes; the records that
    start in it are lost, and the rest of the record the next member starts inside is skipped as part of the damage
    (no junk), a `WARC/1.1` line in it, with no header after it, not taken for a record; every record after that
    is read, every member counted. The message, and the JSON, say how many bytes were skipped unread, and where: the
    300 after the byte where inflating stopped. The same from a pipe, by the full reader alone, with zlib alone, and
    in two parts split anywhere (merged where a member starts a record). (Reading went on only at a member starting a
    record: seven records and two members were said, the rest of the file went unread and uncounted.)"""
    from provpack.quickread import QuickReader

    ids = [f"<urn:uuid:00000000-0000-4000-8000-0000000000{i:02d}>" for i in range(12)]
    blocks = [b"block %d " % i * 40 for i in range(12)]
    blocks[5] = b"quoted:\r\nWARC/1.1\r\nno header here\r\n" * 8
    records = [record("resource", block, record_id=ids[i]) for i, block in enumerate(blocks)]
    plain = b"".join(records)
    starts = [sum(len(r) for r in records[:i]) for i in range(12)]
    cuts = [0, starts[3] - 50, starts[5] + 30, starts[8] + 50, starts[10], len(plain)]
    members = [gzip_member(plain[a:b]) for a, b in zip(cuts, cuts[1:])]
    members[1] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07" + b"\x00" * 300   # (a block of the reserved type)
    data = b"".join(members)
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    at = len(members[0])
    assert render_text(serial).splitlines() == [
        f"{path}: offset {at}: record {ids[2]}: bad-gzip: gzip member is corrupt: invalid block type; 300 bytes skipped"
        f" unread, from offset {at + 11} (where inflating stopped) to the next gzip member, at offset"
        f" {at + len(members[1])}; that member starts inside a record: reading resumes at the first record start"
        " from there on",
        f"{path}: note: gzip: 5 members",
        f"{path}: note: records that start inside a gzip member (not one member per record): 7",
        "records 9, verified 8, unverified 0, problems 1",
    ]
    assert serial.exit_code() == 1
    assert serial.to_json()["files"][0]["problems"][0]["skipped"] == {"from": at + 11, "to": at + len(members[1]),
                                                                      "bytes": 300}
    assert verify_stream(Unseekable(data), name=str(path)) == serial.files[0]   # (a pipe: the same)
    with monkeypatch.context() as patch:
        patch.setattr(QuickReader, "_express", lambda self: False)
        assert verify(path, jobs=1) == serial
    with monkeypatch.context() as patch:
        patch.setattr(inflate, "fast_inflater", lambda: None)
        assert verify(path, jobs=1) == serial
    member_starts = [sum(len(m) for m in members[:i]) for i in range(1, 5)]
    for split in member_starts + list(range(at + 1, at + len(members[1]), 37)):
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


def gzip_body_responses(rng: random.Random, tag: str) -> list[bytes]:
    """Three responses whose bodies are gzip (Content-Encoding: gzip), each over 64 KiB, ids ending in `tag` and 0-2."""
    out = []
    for i in range(3):
        text = b"<html>" + b" ".join(b"%.17f" % rng.random() for _ in range(9000 + i * 3000)) + b"</html>"
        body = gzip_member(text)
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body))
        ids = f"<urn:uuid:00000000-0000-4000-8000-{tag}{i:011d}>"
        out.append(record("response", head + body, record_id=ids, content_type="application/http; msgtype=response"))
    return out


def test_an_uncompressed_warc_with_gzip_bodies_between_gzip_warcs_is_junk_of_its_whole_length(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip WARC, an uncompressed one whose responses have gzip bodies longer than 64 KiB (Content-Encoding:
    gzip), and another gzip WARC, joined: the middle file is one junk problem of its whole length, and its records'
    bodies are not taken for members of the file (they were: 9 members, junk of 452 + 458 + 458 + 4 bytes, and the
    records in the bodies skipped silently). The same read in two parts, split anywhere."""
    rng = random.Random(3)
    first, plain, last = (gzip_body_responses(rng, tag) for tag in "abc")
    assert all(len(r) > (80 << 10) for r in plain)
    before = warc(first)
    middle = warc(plain, gzip=False)
    data = before + middle + warc(last)
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    assert render_text(serial).splitlines() == [
        f"{path}: offset {len(before)}: junk: {len(middle)} bytes that are not gzip data before the next gzip member",
        f"{path}: note: gzip: 6 members",
        "records 6, verified 6, unverified 0, problems 1",
    ]
    assert verify(path, jobs=2) == serial
    assert verify_stream(Unseekable(data), name=str(path)) == serial.files[0]   # (a pipe: the same)
    member_starts = [len(warc(first[:i])) for i in range(1, 3)] + [len(before + middle + warc(last[:i])) for i in range(3)]
    bodies = [data.find(b"\x1f\x8b\x08", len(before) + sum(map(len, plain[:i]))) for i in range(3)]
    for split in member_starts + bodies + list(range(1, len(data), 40_009)):
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


def test_a_gzip_body_in_an_uncompressed_record_after_a_corrupt_member_is_not_taken_for_a_member(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip WARC whose last member is cut in half, then an uncompressed WARC whose responses have gzip bodies,
    then a gzip WARC: reading resumes at the next member that starts a record, the gzip body of the first plain
    record (after the damage, right after an HTTP head) not taken for a member cutting the damaged one short (it
    was: 7 members, and the rest of the plain WARC called junk, its first record's head and body lost unsaid).
    The message counts the bytes skipped unread: the plain WARC but the first bytes zlib inflates as the cut member's
    deflate data. The same from a pipe, and read in two parts split anywhere."""
    rng = random.Random(5)
    first, plain, last = (gzip_body_responses(rng, tag) for tag in "abc")
    members = [gzip_member(r) for r in first]
    members[2] = members[2][: len(members[2]) // 2]
    before = b"".join(members)
    data = before + warc(plain, gzip=False) + warc(last)
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    stopped, resumed = len(before) + 12_332, len(data) - len(warc(last))   # (where zlib fails in the plain WARC)
    assert render_text(serial).splitlines() == [
        f"{path}: offset {len(before) - len(members[2])}: record <urn:uuid:00000000-0000-4000-8000-a00000000002>:"
        f" bad-gzip: gzip member is corrupt: invalid code lengths set; {resumed - stopped} bytes skipped unread, from"
        f" offset {stopped} (where inflating stopped) to the next gzip member, at offset {resumed}",
        f"{path}: note: gzip: 6 members",
        "records 6, verified 5, unverified 0, problems 1",
    ]
    assert serial.to_json()["files"][0]["problems"][0]["skipped"] == {"from": stopped, "to": resumed,
                                                                      "bytes": resumed - stopped}
    assert verify(path, jobs=2) == serial
    assert verify_stream(Unseekable(data), name=str(path)) == serial.files[0]   # (a pipe: the same)
    member_starts = [len(b"".join(members[:i])) for i in range(1, 3)] + [len(data) - len(warc(last[i:])) for i in range(3)]
    bodies = [data.find(b"\x1f\x8b\x08", len(before) + sum(map(len, plain[:i]))) for i in range(3)]
    for split in member_starts + bodies + list(range(1, len(data), 40_009)):
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


@pytest.mark.parametrize("cut", [9, 100, 200, -300, -40, -5])   # in the header, in the block
def test_a_plain_record_cut_short_then_more_records_is_reported_and_read_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int) -> None:
    """In an uncompressed WARC, a record cut short and followed by whole records: its header or length
    problem is reported, and the record after it is read (a bad digest in it is found), in one or two
    processes, from a file or a pipe."""
    records = [record("resource", b"block %d " % i * 40) for i in range(5)]
    records[3] = _bad_digest_record(3)
    cut %= len(records[2])
    parts = records[:2] + [records[2][:cut]] + records[3:]
    data = b"".join(parts)
    path = write(tmp_path, data, "a.warc")
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    (file,) = serial.files
    at = len(records[0]) + len(records[1])
    header = records[2].index(b"\r\n\r\n") + 4
    record_id = records[2].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    mismatch = verify_stream(io.BytesIO(records[3]), name="x").problems[0]
    if cut < header:
        found = [(at, None if cut < 80 else record_id, "malformed-header",
                  f"the header is cut short: another record's version line ('WARC/1.1') starts {cut} bytes into it:"
                  " reading resumes there")]
    else:
        length = len(records[2]) - header - 4
        follows = data[at + header + length : at + header + length + 4]
        found = [(at, record_id, "bad-length", f"the {length}-byte block (Content-Length) is followed by"
                  f" {follows.decode('ascii')!r}, not CRLF CRLF: Content-Length is wrong or the block was altered"),
                 (at, record_id, "digest-mismatch", "*")]
    found.append((at + cut, mismatch.record_id, "digest-mismatch", mismatch.message))
    assert [(p.offset, p.record_id, p.kind, "*" if p.kind == "digest-mismatch" and p.offset == at else p.message)
            for p in file.problems] == found
    assert (file.records, file.verified) == (5, 3)
    assert verify_stream(Unseekable(data), name="-").problems == file.problems   # (a pipe: the same)
    starts = [sum(len(part) for part in parts[:i]) for i in range(1, len(parts))]
    for split in starts:
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


def test_a_large_plain_record_cut_short_then_more_records() -> None:
    """A record too large to hold cut short, then a whole record: a file is read again from the record
    inside what was read as the block; standard input cannot be, and the message says so."""
    large = record("resource", b"x" * (3 << 20))
    following = _bad_digest_record(1)
    cut = len(large) // 2
    data = large[:cut] + following + record("resource", b"last")
    read = len(data) - (large.index(b"\r\n\r\n") + 4)
    message = (f"the block has {read} of the {3 << 20} bytes its Content-Length declares: the file is cut off, or"
               " Content-Length is too large")
    mismatch = verify_stream(io.BytesIO(following), name="x").problems[0]
    from_file = verify_stream(io.BytesIO(data), name="x")
    assert [(p.offset, p.kind, p.message) for p in from_file.problems] == [
        (0, "truncated", message), (cut, "digest-mismatch", mismatch.message)]
    assert (from_file.records, from_file.verified) == (3, 1)
    from_pipe = verify_stream(Unseekable(data), name="x")
    assert [(p.offset, p.kind, p.message) for p in from_pipe.problems] == [
        (0, "truncated", message + "; a record may start inside what was read as the block, but a stream that"
                                   " cannot seek is not read again from there")]


@pytest.mark.parametrize("over", [100_000, 300])   # past the end of the file, into the next records
def test_a_content_length_too_large_in_a_member_per_record_file_hides_no_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, over: int) -> None:
    """One record per gzip member, a Content-Length too large: the records after it start at member starts
    inside what was read as its block; they are read again from there (a bad digest in one is found), in one
    or two processes; from a pipe the message says that a record may start inside the block."""
    records = [record("resource", b"block %d " % i * 40) for i in range(5)]
    length = len(b"block 1 " * 40)
    records[1] = records[1].replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + over))
    records[3] = _bad_digest_record(3)
    members = [gzip_member(r) for r in records]
    data = b"".join(members)
    path = write(tmp_path, data)
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    (file,) = serial.files
    at = [sum(len(m) for m in members[:i]) for i in range(len(members))]
    mismatch = verify_stream(io.BytesIO(members[3]), name="x").problems[0]
    rest = sum(len(r) for r in records[1:]) - records[1].index(b"\r\n\r\n") - 4
    unread = ("; a record may start inside what was read as the block, but a stream that cannot seek is not read"
              " again from there")
    if over > rest:
        found = [(at[1], "truncated", f"the block has {rest} of the {length + over} bytes its Content-Length"
                                      " declares: the file is cut off, or Content-Length is too large")]
    else:
        end = len(records[0]) + records[1].index(b"\r\n\r\n") + 4 + length + over
        follows = b"".join(records)[end : end + 4].decode("ascii")
        found = [(at[1], "bad-length", f"the {length + over}-byte block (Content-Length) is followed by {follows!r},"
                                       " not CRLF CRLF: Content-Length is wrong or the block was altered"),
                 (at[1], "digest-mismatch", "*")]
    shown = [(p.offset, p.kind, "*" if p.kind == "digest-mismatch" and p.offset == at[1] else p.message)
             for p in file.problems]
    assert shown == [*found, (at[3], "digest-mismatch", mismatch.message)]
    assert (file.records, file.verified) == (5, 3)
    from_pipe = verify_stream(Unseekable(data), name="-")   # (read on after the block: record 3 when it is left)
    shown = [(p.offset, p.kind, "*" if p.kind == "digest-mismatch" and p.offset == at[1] else p.message)
             for p in from_pipe.problems]
    assert shown == [(at[1], found[0][1], found[0][2] + unread), *found[1:],
                     *([(at[3], "digest-mismatch", mismatch.message)] if over < rest else [])]
    for split in at[1:]:
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


def _header_of_size(size: int, field: str) -> bytes:
    """A resource record whose header, with the blank line that ends it, is `size` bytes: `field` made long."""
    if field == "WARC-Target-URI":
        pad = size - (record("resource", b"abc", target="urn:x:").index(b"\r\n\r\n") + 4)
        return record("resource", b"abc", target="urn:x:" + "a" * pad)
    pad = size - (record("resource", b"abc", headers=[(field, "")]).index(b"\r\n\r\n") + 4)
    return record("resource", b"abc", headers=[(field, "a" * pad)])


@pytest.mark.parametrize("gzip", [False, True])
@pytest.mark.parametrize("field", ["X-Big", "WARC-Target-URI"])   # the full reader's, the quick path's
@pytest.mark.parametrize("over", [0, 1])
def test_a_header_over_1_mib_is_malformed_however_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gzip: bool, field: str, over: int) -> None:
    """A header (with its blank line) of 1 MiB passes; one byte more is malformed-header, whether its end is
    in the buffer or not, in one or two processes (the record after it is read)."""
    from provpack.recordcheck import MAX_HEADER

    first = record("resource", b"first", target="urn:x:first")
    big = _header_of_size(MAX_HEADER + over, field)
    assert big.index(b"\r\n\r\n") + 4 == MAX_HEADER + over
    records = [first, big, record("resource", b"last", target="urn:x:last")]
    parts = [gzip_member(r) for r in records] if gzip else records
    path = write(tmp_path, b"".join(parts), "a.warc.gz" if gzip else "a.warc")
    merged = split_anywhere(monkeypatch)
    serial = verify(path, jobs=1)
    (file,) = serial.files
    at = len(parts[0])
    expected = [(at, "malformed-header", f"no blank line ends the header within {MAX_HEADER} bytes")] if over else []
    assert [(p.offset, p.kind, p.message) for p in file.problems] == expected
    assert (file.records, file.verified) == (3, 3 - over)
    for split in (len(parts[0]), len(parts[0]) + len(parts[1])):
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged


@pytest.mark.parametrize("tail", [b"\x00", b"\r\n", b"junk", b"\x1f\x8b", gzip_member(b"not a record"),
                                  b"WARC/1.1\r\n"])
def test_junk_appended(tail: bytes) -> None:
    """Anything after the last record is a problem."""
    report = verify_stream(io.BytesIO(ARCHIVE_BYTES + tail), name="x")
    assert not report.ok


@pytest.mark.parametrize("gzip", [False, True])
def test_a_stray_byte_gives_the_same_report_read_in_one_or_two_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gzip: bool) -> None:
    """A stray byte before a record: one junk byte and the record read, whether the file is read in one
    process or split in two at any record start (before, at or after the stray byte)."""
    records = provpack_records(SAMPLE_TEXTS)
    at = 3
    if gzip:
        parts = [gzip_member(r) for r in records]
        parts[at] = gzip_member(b" " + records[at])
    else:
        parts = list(records)
        parts[at] = b" " + records[at]
    data = b"".join(parts)
    path = write(tmp_path, data, "a.warc.gz" if gzip else "a.warc", sidecar=True)
    merged: list[bool] = []
    absorb = verifysplit.absorb

    def recording(scanner: object, part: verifysplit.Segment) -> bool:
        merged.append(absorb(scanner, part))  # type: ignore[arg-type]
        return merged[-1]

    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    monkeypatch.setattr(verifysplit, "absorb", recording)
    serial = verify(path, jobs=1)
    (file,) = serial.files
    assert [p.kind for p in file.problems] == ["junk"] and "1 byte " in file.problems[0].message
    assert (file.records, file.verified) == (len(records), len(records))
    starts = [sum(len(part) for part in parts[:i]) for i in range(1, len(parts))]
    for split in starts + [starts[at - 1] + 1]:   # every part start, and the record after the stray byte
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert verify(path, jobs=2) == serial, split
    assert True in merged   # not only falling back to one read


@given(st.lists(st.binary(max_size=200), min_size=1, max_size=4), st.booleans())
def test_random_records_verify(blocks: list[bytes], gzip: bool) -> None:
    """Any records written by the rules verify as sound."""
    data = warc([record("resource", block, payload_digest="sha1") for block in blocks], gzip=gzip)
    report = verify_stream(io.BytesIO(data), name="x")
    assert report.ok and report.verified == len(blocks)


@given(st.binary(min_size=1, max_size=200), st.data())
def test_any_flip_in_a_block_fails(block: bytes, data: st.DataObject) -> None:
    """Changing any byte of a block, compressed or not, is found."""
    raw = record("resource", block)
    start = raw.index(b"\r\n\r\n") + 4
    offset = data.draw(st.integers(start, start + len(block) - 1))
    mask = data.draw(st.integers(1, 255))
    changed = bytearray(raw)
    changed[offset] ^= mask
    for gzip in (False, True):
        report = verify_stream(io.BytesIO(warc([bytes(changed)], gzip=gzip)), name="x")
        assert [p.kind for p in report.problems] == ["digest-mismatch"]


# -- memory --------------------------------------------------------------------------------------


class _Zeros(io.RawIOBase):
    """A file-like object producing a WARC holding one large record, generated as it is read."""

    def __init__(self, parts: list[bytes], size: int) -> None:
        self._parts = parts  # header, (size zero bytes), trailer
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        header, trailer = self._parts
        total = len(header) + self._size + len(trailer)
        n = min(len(buffer), total - self._pos)
        view = memoryview(buffer)
        written = 0
        while written < n:
            pos = self._pos + written
            if pos < len(header):
                piece = header[pos : pos + n - written]
            elif pos < len(header) + self._size:
                piece = bytes(min(n - written, len(header) + self._size - pos))
            else:
                offset = pos - len(header) - self._size
                piece = trailer[offset : offset + n - written]
            view[written : written + len(piece)] = piece
            written += len(piece)
        self._pos += n
        return n


SIZE = 200 * 1024 * 1024
ZEROS_SHA256 = None


def _zero_digest() -> str:
    hasher = hashlib.sha256()
    chunk = bytes(1 << 20)
    for _ in range(SIZE // len(chunk)):
        hasher.update(chunk)
    return hasher.hexdigest()


def test_memory_stays_flat_for_a_large_record() -> None:
    """A 200 MB record, plain and gzip, is verified with a small peak of traced memory; so it is in a gzip member
    whose CRC-32 is wrong, all of which is read (a bad-gzip on no record)."""
    digest = _zero_digest()
    header = record("resource", b"", block_digest=f"sha256:{digest}", content_length=SIZE)[:-4]
    plain = io.BufferedReader(_Zeros([header, b"\r\n\r\n"], SIZE), buffer_size=1 << 20)
    tracemalloc.start()
    try:
        report = verify_stream(plain, name="big.warc")  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.verified == 1 and peak < 20 * 1024 * 1024, peak
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    zipped = [compressor.compress(header)]
    chunk = bytes(1 << 20)
    for _ in range(SIZE // len(chunk)):
        zipped.append(compressor.compress(chunk))
    zipped.append(compressor.compress(b"\r\n\r\n") + compressor.flush())
    data = b"".join(zipped)
    tracemalloc.start()
    try:
        report = verify_stream(io.BytesIO(data), name="big.warc.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.verified == 1 and peak < 20 * 1024 * 1024, peak
    broken = bytearray(data)
    broken[-8] ^= 1
    tracemalloc.start()
    try:
        report = verify_stream(io.BytesIO(bytes(broken)), name="big.warc.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.problems == (Problem(0, None, "bad-gzip", "gzip member is corrupt: incorrect data check"),)
    assert (report.records, report.verified) == (1, 1) and peak < 20 * 1024 * 1024, peak


# -- provpack's own output -----------------------------------------------------------------------


def test_committed_archive_and_package_output(seed_dir: Path, tmp_path: Path) -> None:
    """The committed archive and a fresh package() verify, with the provenance record checked."""
    result = provpack.package(seed_dir, out=tmp_path / "out.warc.gz")
    for path in (ARCHIVE / "seeds.warc.gz", result.warc_path):
        report = verify(path)
        (file,) = report.files
        assert report.exit_code(strict=True) == 0 and file.unverified == 0, render_text(report)
        assert any(note.startswith("provpack provenance records checked") for note in file.notes)
        assert any(note.startswith("sidecar") for note in file.notes)


def _with_provenance_edited(path: Path, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """The archive at `path` with each provenance record's JSON changed by `edit`, its digest and length fresh."""
    data = path.read_bytes()
    members = []
    pos = 0
    while pos < len(data):
        decompressor = zlib.decompressobj(31)
        raw = decompressor.decompress(data[pos:])
        members.append(raw)
        pos = len(data) - len(decompressor.unused_data)
    changed = []
    for raw in members:
        header, _, rest = raw.partition(b"\r\n\r\n")
        if b"WARC-Type: metadata" in header and b"provpack-provenance/1" in rest:
            block = rest[:-4]
            doc = json.loads(block)
            edit(doc)
            new = (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
            lines = [line for line in header.split(b"\r\n")
                     if not line.startswith((b"Content-Length", b"WARC-Block-Digest"))]
            lines += [b"WARC-Block-Digest: sha256:" + hashlib.sha256(new).hexdigest().encode(),
                      b"Content-Length: %d" % len(new)]
            raw = b"\r\n".join(lines) + b"\r\n\r\n" + new + b"\r\n\r\n"
        changed.append(gzip_member(raw))
    return b"".join(changed)


def test_altered_provenance_is_caught_even_with_fresh_digests(seed_dir: Path, tmp_path: Path) -> None:
    """Rewriting a provenance record (new digests, new sidecar) is still caught by the metadata check."""
    result = provpack.package(seed_dir, out=tmp_path / "out.warc.gz")

    def edit(doc: dict[str, Any]) -> None:
        doc["segments"][0]["byte_start"] += 1

    path = write(tmp_path, _with_provenance_edited(result.warc_path, edit), "out.warc.gz", sidecar=True)
    kinds = [p.kind for p in verify(path).files[0].problems]
    assert kinds == ["metadata-mismatch"]


def test_a_provenance_record_over_16_mib_is_checked(tmp_path: Path) -> None:
    """A provenance record larger than the resource blocks verify keeps (16 MiB) is still read and checked:
    every record provpack writes (up to 64 MiB) is; a wrong offset in one is caught."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "many.txt").write_bytes(b"T: x\n\n" + b"w [...] " * 23_000)
    result = provpack.package(source, out=tmp_path / "out.warc.gz", jobs=1)
    assert len(gzip.decompress(result.warc_path.read_bytes())) > 17 << 20   # (nearly all of it the provenance)
    for jobs in (1, 2):
        file = verify(result.warc_path, jobs=jobs).files[0]
        assert file.status is Status.OK and "provpack provenance records checked: 1" in file.notes, file.notes

    def edit(doc: dict[str, Any]) -> None:
        doc["elisions"][-1]["start"] += 1

    path = write(tmp_path, _with_provenance_edited(result.warc_path, edit), "bad.warc.gz", sidecar=True)
    problems = verify(path).files[0].problems
    assert {p.kind for p in problems} == {"metadata-mismatch"} and all("elisions[22999]" in p.message for p in problems)


def test_a_json_metadata_record_over_the_limit_is_noted_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past PROVENANCE_LIMIT a JSON metadata record is not read, in either reader, and a note counts it."""
    from provpack import quickread, recordcheck
    data = warc(provpack_records(SAMPLE_TEXTS), gzip=True)
    path = write(tmp_path, data)
    for module in (recordcheck, quickread):
        monkeypatch.setattr(module, "PROVENANCE_LIMIT", 100)
    file = verify(path, jobs=1).files[0]
    assert file.status is Status.OK
    assert f"{recordcheck.UNREAD_JSON}: 2" in file.notes and not any("records checked" in n for n in file.notes)
    streamed = verify_stream(io.BytesIO(data), name="-")
    assert f"{recordcheck.UNREAD_JSON}: 2" in streamed.notes


# -- independence --------------------------------------------------------------------------------

WRITER = {"records", "warcwriter", "package", "provenance", "cli", "original", "capture", "document",
          "elisions", "align", "httpbytes", "wire"}


def local_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("provpack."):
            names.add((node.module or "").split(".")[1])
    return names


def test_verifier_imports_nothing_of_the_writer() -> None:
    """verify and every module it reaches stay clear of the writer, so a writer bug cannot hide itself."""
    seen: set[str] = set()
    todo = ["verify"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        if module != "provrecompute":   # verify --deep only, on purpose: it compares with provpack's own writer
            todo.extend(local_imports(module))
    # signing and timestamp check FILE.sig and FILE.sig.tsr for verify --key / --tsa-ca; they reach atomic (for
    # writing .sig files) and regular (opening a file only when it is a regular one), not the WARC writer, and no
    # HTTP code (asking a TSA is tsarequest's, for sign --tsa); defaults holds the limits both sides share (the
    # largest provenance record) and imports nothing; _version names the writer whose records --deep compares;
    # arguments checks the public functions' argument types; resync finds where a record starts (for verifysplit's
    # split, as for reading past damage); jsondepth refuses JSON nested too deep to read, as show and extract do;
    # typos tells the digest label a misspelt one is near (digests), as it does a sidecar key for package; written
    # (atomic's) keeps the names of the files a command-line run wrote, for its message if standard output fails;
    # fsnames reads a file's name as UTF-8 text, whatever the locale, as the .sha256 beside an archive spells it;
    # provshape is the shape of a provenance record show and extract read, which verify judges by too.
    assert seen == {"arguments", "defaults", "_version", "blockring", "idset", "verify", "warcscan", "quickread", "recordcheck", "scanbuffer",
                    "warcstream", "rawreader", "gzipsource", "sniff", "warcheader", "digests", "payload", "provcheck",
                    "problems", "errors", "signing", "timestamp", "atomic", "regular", "inflate", "verifysplit", "origcheck",
                    "cutcheck", "resync", "jsondepth", "fastjson", "typos", "written",
                    "fsnames", "provrecompute", "provshape"}
    assert not seen & WRITER


def test_public_types() -> None:
    """The report types are frozen and exported at the top level."""
    assert provpack.verify is verify and provpack.Problem is Problem and provpack.Status is Status
    problem = Problem(1, None, "junk", "x")
    with pytest.raises(AttributeError):
        problem.kind = "other"  # type: ignore[misc]
    assert "verify" in sys.modules["provpack"].__all__


def test_progress_reports_bytes_read_per_file(tmp_path: Path) -> None:
    """verify(progress=...) is told the bytes read as it goes, ending at the files' total size."""
    seen: list[tuple[int, int, int]] = []
    archive = Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz"
    provpack.verify([archive, archive], progress=lambda done, total, size: seen.append((done, total, size)))
    size = archive.stat().st_size
    assert seen[-1] == (2, 2, 2 * size)
    assert (1, 2, size) in seen
    assert [s for _, _, s in seen] == sorted(s for _, _, s in seen)


def test_nothing_of_a_file_outlives_its_report(tmp_path: Path) -> None:
    """Each file's scanner (its buffers, and the ring of resource blocks) is freed when its report is
    made, not left in a reference cycle until the next garbage collection: verifying many files
    one after another stays within one file's memory."""
    import gc

    from provpack.warcscan import Scanner

    path = tmp_path / "a.warc.gz"
    path.write_bytes(warc(provpack_records(SAMPLE_TEXTS)))
    gc.collect()
    gc.disable()
    try:
        report = verify([path, path, ARCHIVE / "seeds.warc.gz"], jobs=1)
        alive = [thing for thing in gc.get_objects() if isinstance(thing, Scanner)]
    finally:
        gc.enable()
    assert report.ok and alive == []


def test_text_report_spells_out_control_characters(tmp_path: Path) -> None:
    """A hostile WARC's record id and header values reach the text report with their control characters
    spelled out (no escape sequence can clear the screen and print a clean summary); --json keeps them exact."""
    body = b"hello"
    record_id = "<urn:uuid:\x1b[2J\x1b]0;title\x07\r\x9b>"
    header = ("WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: " + record_id + "\r\n"
              "WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Block-Digest: sha256:" + "0" * 64 + "\r\n"
              "Content-Length: 5\r\n\r\n").encode("utf-8")
    path = tmp_path / "evil\x1b[0m.warc"
    path.write_bytes(header + body + b"\r\n\r\n")
    report = verify(path)
    assert not report.ok and report.files[0].problems[0].record_id == record_id
    text = render_text(report)
    assert not any(ch in text for ch in "\x1b\x07\r\x9b"), repr(text)
    assert "evil\\x1b[0m.warc: offset 0: record <urn:uuid:\\x1b[2J\\x1b]0;title\\x07\\x0d\\x9b>: " in text
    assert json.loads(json.dumps(report.to_json()))["files"][0]["problems"][0]["record_id"] == record_id


@pytest.mark.parametrize("jobs", [0, -1])
def test_jobs_below_one_are_refused(jobs: int, tmp_path: Path) -> None:
    """verify --jobs 0 is a usage error, as package --jobs 0 is, not silently one job."""
    with pytest.raises(InputError) as caught:
        verify(tmp_path / "any.warc.gz", jobs=jobs)
    assert str(caught.value) == f"--jobs (jobs): the number of jobs must be at least 1, not {jobs}"


def test_paths_may_be_an_iterator(tmp_path: Path) -> None:
    """An iterator of paths (a glob) is read once and every file in it checked, as a list of them is."""
    write(tmp_path, ARCHIVE_BYTES, "a.warc.gz")
    write(tmp_path, ARCHIVE_BYTES[:-5], "b.warc.gz")
    report = verify(sorted(tmp_path.glob("*.warc.gz")))
    assert verify(iter(sorted(tmp_path.glob("*.warc.gz")))) == report
    assert verify(str(path) for path in sorted(tmp_path.glob("*.warc.gz"))).to_json() == report.to_json()
    assert [Path(file.path).name for file in report.files] == ["a.warc.gz", "b.warc.gz"]
    assert (report.files[0].records, report.ok) == (5, False)


@pytest.mark.parametrize("paths", [[], (), iter([])], ids=["list", "tuple", "iterator"])
def test_no_paths_are_refused(paths: Any) -> None:
    """No file at all is an input error, as the command refuses `verify` without FILE, not a clean report."""
    with pytest.raises(InputError) as caught:
        verify(paths)
    assert str(caught.value) == "paths: no file given; give a WARC file's path, or a list of them"


def test_a_provpack_archive_without_its_sha256_is_noted(tmp_path: Path) -> None:
    """A provpack archive whose .sha256 is gone gets a note saying what is then unchecked (not a problem:
    any other WARC has none); with the sidecar, or for a WARC without provenance, no such note."""
    archive = tmp_path / "seeds.warc.gz"
    archive.write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
    report = verify(archive)
    assert report.ok and any(n.startswith("no seeds.warc.gz.sha256 beside it: WARC header values (WARC-Date and "
                                          "the like), gzip headers, the order of records and whether whole "
                                          "records were removed are unchecked") for n in report.files[0].notes)
    uncompressed = tmp_path / "seeds.warc"
    uncompressed.write_bytes(gzip.decompress(archive.read_bytes()))
    notes = verify(uncompressed).files[0].notes
    assert any(n.startswith("no seeds.warc.sha256 beside it: WARC header values (WARC-Date and the like), the "
                            "order of records") for n in notes), notes
    (tmp_path / "seeds.warc.gz.sha256").write_bytes((ARCHIVE / "seeds.warc.gz.sha256").read_bytes())
    assert not any("beside it" in n for n in verify(archive).files[0].notes)
    plain = tmp_path / "plain.warc"
    plain.write_bytes(warc([record(b"resource", b"just bytes")]))
    assert not any("beside it" in n for n in verify(plain).files[0].notes)


def test_a_damaged_provpack_archive_without_its_sha256_is_noted(tmp_path: Path) -> None:
    """A provpack archive cut off before its provenance record (none checked) is still a provpack archive, its
    warcinfo says so: the missing .sha256 is noted as for a sound one; another WARC cut off so gets no note."""
    data = (ARCHIVE / "seeds.warc.gz").read_bytes()
    cut = write(tmp_path, data[:len(data) // 2], "cut.warc.gz")
    file = verify(cut).files[0]
    assert [p.kind for p in file.problems] == ["truncated"]
    assert not any("provenance records checked" in note for note in file.notes)
    assert file.notes[-1] == ("no cut.warc.gz.sha256 beside it: WARC header values (WARC-Date and the like), gzip "
                              "headers, the order of records and whether whole records were removed are unchecked")
    assert verify_stream(io.BytesIO(data[:len(data) // 2]), name="-").notes[-1].startswith(
        "read from standard input, so no .sha256 is checked: ")
    other = warc([record(b"warcinfo", b"software: other/1.0\r\n"), record(b"resource", b"just bytes")])
    cut_other = write(tmp_path, other[:len(other) - 20], "other.warc")
    assert not any("sha256" in note for note in verify(cut_other).files[0].notes)


def test_a_provpack_archive_read_from_a_stream_is_noted(tmp_path: Path) -> None:
    """Standard input has no .sha256 beside it: for a provpack archive a note says so, and what is then unchecked,
    as for a file whose .sha256 is gone; another WARC read so gets none."""
    data = (ARCHIVE / "seeds.warc.gz").read_bytes()
    assert verify_stream(io.BytesIO(data), name="-").notes[-1] == (
        "read from standard input, so no .sha256 is checked: WARC header values (WARC-Date and the like), gzip "
        "headers, the order of records and whether whole records were removed are unchecked; verify the file by "
        "its path, with its .sha256 beside it, to check them")
    assert verify_stream(io.BytesIO(gzip.decompress(data)), name="x.warc").notes[-1] == (
        "read from a stream, so no .sha256 is checked: WARC header values (WARC-Date and the like), the order of "
        "records and whether whole records were removed are unchecked; verify the file by its path, with its "
        ".sha256 beside it, to check them")
    assert not any("sha256" in n for n in verify_stream(io.BytesIO(warc([record(b"resource", b"just bytes")])),
                                                        name="-").notes)


def test_a_good_signature_closes_what_a_missing_sha256_leaves_open(tmp_path: Path) -> None:
    """The signature names the file's sha256, so with a good one the missing-.sha256 note is not given."""
    from provpack.signing import keygen, sign

    archive = tmp_path / "seeds.warc.gz"
    archive.write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
    private, public = keygen(tmp_path / "k")
    sign(archive, private)
    notes = verify(archive, key=public).files[0].notes
    assert not any("beside it" in n for n in notes) and any(n.startswith("signature: ") for n in notes)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from provpack.cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_wacz_is_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A WACZ (a ZIP storing the WARC) is named and refused (exit 2), not read as a WARC with junk around it."""
    from provpack.wacz import make_wacz

    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz")
    wacz = make_wacz(archive, tmp_path / "a.wacz")
    code, out, err = _cli(["verify", str(wacz)], capsys)
    assert code == 2 and out == "" and "junk" not in err
    assert err == (f"provpack: error: {wacz}: not a WARC file: a ZIP file (a WACZ?); check a WACZ with "
                   "`wacz validate`, or unzip it and verify archive/*.warc.gz\n")


def test_sidecars_given_with_their_archive_are_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`verify archive/*`: the .sha256, .sig and .sig.tsr beside an archive are noted, not refused (exit 0)."""
    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    (tmp_path / "a.warc.gz.sig").write_bytes(b"-----BEGIN SIGNATURE-----\n")
    (tmp_path / "a.warc.gz.sig.tsr").write_bytes(b"\x30\x82\x01\x00")
    files = sorted(str(p) for p in tmp_path.iterdir())
    code, out, err = _cli(["verify", *files], capsys)
    assert code == 0 and err == "", err
    assert f"{archive}: note: sidecar a.warc.gz.sha256 matches the file's sha256" in out
    assert f"{archive}.sha256: note: checked as the .sha256 sidecar of {archive}" in out
    assert f"{archive}.sig: note: the signature of {archive}: not checked; give --key (key) to check it" in out
    assert (f"{archive}.sig.tsr: note: the RFC 3161 timestamp of {archive}.sig: not checked; give --key (key) and "
            "--tsa-ca (tsa_ca) to check it") in out
    assert out.splitlines()[-1] == "records 5, verified 5, unverified 0, problems 0"
    report = verify(files)
    assert [f.status for f in report.files] == [Status.OK] * 4 and report.exit_code() == 0


def test_a_token_beside_the_signature_without_tsa_ca_is_noted(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """verify --key without --tsa-ca: a FILE.sig.tsr (or SIG.tsr) lying beside the signature is noted as not
    checked, as it is when given as a file (it was passed over in silence); none there, no note."""
    from provpack.signing import keygen, sign

    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    key, pub = keygen(tmp_path / "k")
    sign(archive, key)
    code, out, _ = _cli(["verify", str(archive), "--key", str(pub)], capsys)
    assert code == 0 and "timestamp" not in out
    (tmp_path / "a.warc.gz.sig.tsr").write_bytes(b"\x30\x82\x01\x00")
    code, out, _ = _cli(["verify", str(archive), "--key", str(pub)], capsys)
    assert code == 0
    assert (f"{archive}: note: timestamp: {archive}.sig.tsr, the RFC 3161 timestamp of {archive}.sig: not checked; "
            "give --tsa-ca (tsa_ca) to check it\n") in out
    elsewhere = sign(archive, key, out=tmp_path / "kept.sig")
    (tmp_path / "kept.sig.tsr").write_bytes(b"\x30\x82\x01\x00")
    report = verify(archive, key=pub, signature=elsewhere)
    assert report.files[0].notes[-1] == (f"timestamp: {elsewhere}.tsr, the RFC 3161 timestamp of {elsewhere}: not "
                                         "checked; give --tsa-ca (tsa_ca) to check it")
    assert not any("timestamp" in note for note in verify(archive).files[0].notes)   # (no --key: no signature read)


def test_a_signature_beside_the_archive_without_key_is_noted(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """verify without --key: a FILE.sig beside the archive is noted as not checked (it was passed over in silence,
    as though the good verdict vouched for the signer); with --key it is checked instead; none there, no note."""
    from provpack.signing import keygen, sign

    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    assert not any("signature" in note for note in verify(archive).files[0].notes)
    key, pub = keygen(tmp_path / "k")
    sign(archive, key)
    code, out, _ = _cli(["verify", str(archive)], capsys)
    assert code == 0
    assert (f"{archive}: note: signature: {archive}.sig, the signature of {archive}: not checked; give --key (key) "
            "to check it\n") in out
    notes = verify(archive, key=pub).files[0].notes
    assert not any("not checked" in note for note in notes) and notes[-1].startswith("signature: good signature by")


def test_the_wacz_beside_its_archive_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`package --wacz` then `verify archive/*`: the WACZ beside the archive is noted (its WARC is verified
    as the archive), not an error; alone, it is still refused as a ZIP."""
    from provpack.wacz import make_wacz

    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    wacz = make_wacz(archive, tmp_path / "a.wacz")
    code, out, err = _cli(["verify", *sorted(str(p) for p in tmp_path.iterdir())], capsys)
    assert code == 0 and err == "", err
    assert (f"{wacz}: note: the WACZ of {archive}: not checked here (its WARC is; check the package with "
            "`wacz validate`)") in out
    code, out, err = _cli(["verify", str(wacz)], capsys)
    assert code == 2 and "a ZIP file (a WACZ?)" in err


def test_a_sidecar_alone_names_its_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .sha256 given without its archive is an error (exit 2) that says to name the archive."""
    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    code, out, err = _cli(["verify", f"{archive}.sha256"], capsys)
    assert code == 2 and out == ""
    assert err == (f"provpack: error: {archive}.sha256: this is the .sha256 sidecar of {archive}, not a WARC; "
                   f"name {archive} instead\n")
    archive.unlink()
    code, out, err = _cli(["verify", f"{archive}.sha256"], capsys)
    assert code == 2 and f"({archive} is not there)" in err


def test_a_warc_named_like_a_sidecar_is_verified(tmp_path: Path) -> None:
    """A file named NAME.sha256 that is a WARC is verified as one, whatever its name."""
    archive = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz")
    odd = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz.sha256")
    report = verify([archive, odd])
    assert [f.verified for f in report.files] == [5, 5] and report.files[1].ok   # (a.warc.gz's "sidecar" is bad)


def test_other_files_are_checked_beside_a_non_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not a WARC among others: exit 2 naming it; the others are still checked and reported."""
    good = write(tmp_path, ARCHIVE_BYTES, "a.warc.gz", sidecar=True)
    text = write(tmp_path, b"just notes\n", "notes.txt")
    bad = write(tmp_path, ARCHIVE_BYTES[:-3] + b"\x00\x00\x00", "b.warc.gz")
    code, out, err = _cli(["verify", str(text), str(good), str(bad)], capsys)
    assert code == 2
    assert err.startswith(f"provpack: error: {text}: not a WARC file: starts with bytes 6a 75 73 74")
    assert err.count("\n") == 1 and f"{bad}: " in out and "problems 1" in out.splitlines()[-1]
    assert f"{good}: records 5, verified 5, unverified 0, problems 0" in out and str(text) not in out
    code, out, err = _cli(["verify", "--json", str(text), str(good)], capsys)
    data = json.loads(out)
    assert code == 2 and data["errors"] == 1 and data["status"] == "error"
    assert [f["status"] for f in data["files"]] == ["error", "ok"] and "not a WARC file" in err


def test_a_signature_given_with_its_archive_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --key, NAME.sig given beside NAME is checked as NAME's signature, not as a WARC of its own."""
    from provpack import signing

    (tmp_path / "archive").mkdir()
    archive = write(tmp_path / "archive", ARCHIVE_BYTES)
    _, public = signing.keygen(tmp_path / "key")
    signature = signing.sign(archive, tmp_path / "key")
    code, out, err = _cli(["verify", "--key", str(public), str(archive), str(signature)], capsys)
    assert code == 0 and err == "", err
    assert f"{signature}: note: checked as the signature of {archive}" in out and "missing-signature" not in out


def test_strict_with_a_file_that_is_not_a_warc(tmp_path: Path) -> None:
    """--strict and a non-WARC file together: the run is an error (exit 2) whatever strict makes of the
    other file's unverified records, and the JSON's counts and statuses say both."""
    plain = tmp_path / "plain.warc"
    plain.write_bytes(warc([record("resource", b"no digest here", block_digest=None)]))
    other = tmp_path / "notes.txt"
    other.write_text("not a warc\n")
    report = verify([plain, other], strict=True)
    assert report.exit_code(strict=True) == 2 and report.status is Status.ERROR
    data = report.to_json(strict=True)
    assert (data["status"], data["errors"], data["problems"], data["ok"]) == ("error", 1, 1, False)
    assert [f["status"] for f in data["files"]] == ["failed", "error"]


@pytest.mark.parametrize("compress", [True, False])
def test_a_response_without_a_target_uri_fails_where_it_stands(tmp_path: Path, compress: bool) -> None:
    """A record missing a field its type requires is a missing-header problem at its offset, whether it comes
    after records of the same layout that had the field (the quick path) or not; its digests are still checked."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>page</p>"
    sound = [record("response", http, content_type="application/http; msgtype=response",
                    target=f"https://example.org/{n}") for n in range(3)]
    bare = record("response", http, content_type="application/http; msgtype=response", target=None,
                  record_id="<urn:uuid:33333333-3333-5333-8333-333333333333>")
    members = [gzip_member(rec) if compress else rec for rec in [*sound, bare]]
    path = write(tmp_path, b"".join(members), "t.warc.gz" if compress else "t.warc")
    report = verify(str(path), jobs=1)
    assert report.exit_code() == 1
    (problem,) = report.files[0].problems
    assert (problem.offset, problem.record_id, problem.kind, problem.message) == (
        sum(map(len, members[:3])), "<urn:uuid:33333333-3333-5333-8333-333333333333>", "missing-header",
        "no WARC-Target-URI header: the WARC standard requires it on response records")
    assert report.files[0].records == 4 and report.files[0].verified == 3


def test_a_resource_laid_out_as_the_metadata_before_it_still_needs_a_target_uri(tmp_path: Path) -> None:
    """A header with the same field names, in the same order, as sound metadata records before it (which need
    no WARC-Target-URI) is read by their layout; as a resource it still lacks one, and says so."""
    notes = [record("metadata", b"note %d" % n, content_type="text/plain", target=None) for n in range(2)]
    bare = record("resource", b"text", content_type="text/plain", target=None)
    path = write(tmp_path, b"".join([*notes, bare]), "t.warc")
    (problem,) = verify(str(path), jobs=1).files[0].problems
    assert (problem.offset, problem.kind) == (len(notes[0]) + len(notes[1]), "missing-header")
    assert problem.message == "no WARC-Target-URI header: the WARC standard requires it on resource records"
def test_sidecar_problems_are_worded(tmp_path: Path) -> None:
    """A sidecar that disagrees gives both sums; a malformed line is named by its number, counted from 1."""
    path = write(tmp_path, ARCHIVE_BYTES)
    digest = hashlib.sha256(ARCHIVE_BYTES).hexdigest()
    sidecar = tmp_path / "a.warc.gz.sha256"
    sidecar.write_text(f"{'1' * 64}  a.warc.gz\n")
    (problem,) = verify(path).files[0].problems
    assert problem.message == f"a.warc.gz.sha256 says sha256 {'1' * 64} but the file hashes to {digest}"
    sidecar.write_text(f"{digest}  a.warc.gz\nnot a checksum line\n")
    (problem,) = verify(path).files[0].problems
    assert problem.message == "a.warc.gz.sha256 line 2 is not '<64 hex digits>  <file name>' (sha256sum format)"


def test_the_text_report_counts_only_unlisted_unverified_records_and_sums_up_only_several_files(
        tmp_path: Path) -> None:
    """Unverified records each listed as a warning get no 'more records' line; one file gets no summary line
    of its own (the total says it); with two files, each gets one."""
    path = write(tmp_path, warc([record("resource", b"no digest", block_digest=None)]), "u.warc.gz")
    report = verify(str(path))
    assert report.files[0].unverified == len(report.files[0].warnings) == 1
    lines = render_text(report).splitlines()
    assert not any("more records without a checkable digest" in line for line in lines)
    assert not any(line.startswith(f"{path}: records ") for line in lines)
    other = write(tmp_path, ARCHIVE_BYTES, "b.warc.gz")
    lines = render_text(verify([str(path), str(other)])).splitlines()
    assert f"{path}: records 1, verified 0, unverified 1, problems 0" in lines
    assert sum(line.startswith((f"{path}: records ", f"{other}: records ")) for line in lines) == 2


def test_reports_are_frozen_values(tmp_path: Path) -> None:
    """A report, and each file's in it, cannot be changed once made (a caller cannot turn a failure into a pass)."""
    import dataclasses
    report = verify(str(write(tmp_path, ARCHIVE_BYTES)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.files = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.files[0].problems = ()  # type: ignore[misc]


# -- which metadata records are provenance: decided on the parsed JSON, as show and extract decide ----------


def _with_block(rec: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """`rec` (one uncompressed record) with its block changed, Content-Length and WARC-Block-Digest made to match."""
    head, _, rest = rec.partition(b"\r\n\r\n")
    block = change(rest[:-4])
    lines = [line for line in head.split(b"\r\n")
             if not line.startswith((b"Content-Length:", b"WARC-Block-Digest:"))]
    lines += [b"WARC-Block-Digest: sha256:" + hashlib.sha256(block).hexdigest().encode(),
              b"Content-Length: " + str(len(block)).encode()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + block + b"\r\n\r\n"


def _edited_provenance(change: Callable[[dict[str, Any]], None], spell: Callable[[bytes], bytes] = lambda b: b) -> bytes:
    """The sample archive with the first provenance record's JSON changed, then re-spelled, its digests made to match."""
    records = list(RECORDS)

    def edit(block: bytes) -> bytes:
        doc = json.loads(block)
        change(doc)
        return spell((json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode())

    records[2] = _with_block(records[2], edit)
    return warc(records)


def _escaped(block: bytes) -> bytes:
    return block.replace(b'"provpack-provenance/1"', b'"provpack-provenance\\/1"')


def test_a_format_spelled_with_escapes_is_still_checked(tmp_path: Path) -> None:
    """"provpack-provenance\\/1" (as PHP's json_encode writes "/") is the same JSON string: the record is checked,
    and a wrong sha256 in it is found, as show and extract (which parse the JSON) would take it."""
    def wrong_sha256(doc: dict[str, Any]) -> None:
        doc["sha256"] = "0" * 64

    sound = verify(write(tmp_path, _edited_provenance(lambda doc: None, _escaped), "sound.warc.gz"))
    assert sound.ok and "provpack provenance records checked: 2" in sound.files[0].notes
    report = verify(write(tmp_path, _edited_provenance(wrong_sha256, _escaped)))
    [problem] = report.files[0].problems
    assert not report.ok and problem.kind == "metadata-mismatch" and "sha256" in problem.message


@pytest.mark.parametrize("change", [
    lambda doc: doc.update(format="provpack-provenance/2"),   # another version's format
    lambda doc: doc.pop("format"),                             # the key gone: its @context and generator remain
    lambda doc: doc.update(format=None, generator="provpack 0.1.0", **{"@context": "x"}),  # only the generator
], ids=["newer format", "no format", "only the generator"])
def test_provenance_in_a_format_not_read_is_noted(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """A record that looks like provpack provenance but is not in the format this version reads is no damage
    (show and extract skip it too), but the report says it was not checked."""
    report = verify(write(tmp_path, _edited_provenance(change)))
    assert report.ok and report.files[0].notes[1:3] == (
        "metadata records that look like provpack provenance but do not say \"format\": \"provpack-provenance/1\", "
        "not checked (another version's format, or the key changed): 1",
        "provpack provenance records checked: 1")


@pytest.mark.parametrize("block", [b'{"a":1}', b"{not json", b'["provpack 1"]'])
def test_other_json_metadata_is_neither_checked_nor_noted(tmp_path: Path, block: bytes) -> None:
    """JSON metadata that is not provpack's, even JSON that does not parse, is not provpack's to judge."""
    other = record("metadata", block, content_type="application/json", target="urn:x")
    report = verify(write(tmp_path, warc([*RECORDS, other])))
    assert report.ok and report.files[0].notes[1:] == (
        "provpack provenance records checked: 2",
        "no a.warc.gz.sha256 beside it: WARC header values (WARC-Date and the like), gzip headers, the order of "
        "records and whether whole records were removed are unchecked")


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 990, 3000])
def test_json_metadata_nested_too_deep_is_a_problem_whoever_wrote_it(tmp_path: Path, levels: int,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """JSON metadata nested deeper than provpack reads (jsondepth), provenance or not, is a problem (exit 1) naming
    its record: show and extract cannot tell it from damage. Past 1,024 levels verify raised json.loads's
    RecursionError (a traceback, exit 1); at 990 orjson read it and verify said nothing while show crashed."""
    other = record("metadata", b"[" * levels + b"]" * levels, content_type="application/ld+json", target="urn:x",
                   record_id="<urn:uuid:00000000-0000-4000-8000-00000000dee9>")
    path = write(tmp_path, warc([*RECORDS, other]))
    message = (f"the JSON does not parse: it nests arrays and objects {levels:,} levels deep, more than the "
               f"{MAX_DEPTH} provpack reads; show and extract take this record for damage")
    start = len(warc(RECORDS))
    assert [(p.offset, p.record_id, p.kind, p.message) for p in verify(path).files[0].problems] == [
        (start, "<urn:uuid:00000000-0000-4000-8000-00000000dee9>", "metadata-mismatch", message)]
    code, out, err = _cli(["verify", str(path)], capsys)
    assert (code, err) == (1, "")
    assert out.startswith(f"{path}: offset {start}: record <urn:uuid:00000000-0000-4000-8000-00000000dee9>: "
                          f"metadata-mismatch: {message}\n")


def test_a_resource_filed_under_a_content_urn_must_hold_those_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) \
        -> None:
    """A resource's WARC-Target-URI urn:provpack:sha256:HEX names its block: HEX is the block's sha256 (its prefix
    and hex in any case, in <> or not), whatever its digest's algorithm, whichever reader reads it; any other
    HEX is a digest-mismatch (a text forged under another's content URN). A conversion keeps its source's."""
    from provpack.quickread import QuickReader

    def urn(block: bytes) -> str:
        return "urn:provpack:sha256:" + hashlib.sha256(block).hexdigest()

    other = urn(b"another text")
    records = [
        record("resource", b"one", content_type="text/plain", target=urn(b"one")),
        record("resource", b"two", content_type="text/plain", target=urn(b"two").upper().replace("URN:", "urn:")),
        record("resource", b"three", content_type="text/plain", target=f"<{urn(b'three')}>", block_digest="sha1"),
        record("conversion", b"its text", content_type="text/plain", target=urn(b"one")),
        record("resource", b"forged", content_type="text/plain", target=other),
        record("resource", b"forged too", content_type="text/plain", target=other, block_digest="sha1"),
        record("resource", b"short", content_type="text/plain", target="URN:provpack:SHA256:abc"),
    ]
    path = write(tmp_path, b"".join(records), "u.warc")
    wrong = [(sum(map(len, records[:index])), block) for index, block in ((4, b"forged"), (5, b"forged too"))]
    wrong.append((sum(map(len, records[:6])), b"short"))
    expected = [
        (offset, "digest-mismatch", f"WARC-Target-URI {target} is a provpack content URN, but the block's sha256 is "
         f"{hashlib.sha256(block).hexdigest()}: a urn:provpack:sha256: target names the exact bytes of its record")
        for (offset, block), target in zip(wrong, (other, other, "URN:provpack:SHA256:abc"))]
    for quick in (True, False):
        with monkeypatch.context() as patch:
            if not quick:
                patch.setattr(QuickReader, "_express", lambda self: False)
            file = verify(str(path), jobs=1).files[0]
        assert [(p.offset, p.kind, p.message) for p in file.problems] == expected
        assert (file.records, file.verified) == (7, 4)


def _generator_problems(data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int | None, str]]:
    """The (offset, message) of each problem, the same whichever reader reads each record (quick path or not)."""
    from provpack.quickread import QuickReader

    path = write(tmp_path, data, "g.warc")
    found = [(p.offset, p.message) for p in verify(str(path), jobs=1).files[0].problems]
    with monkeypatch.context() as patch:
        patch.setattr(QuickReader, "_express", lambda self: False)
        assert [(p.offset, p.message) for p in verify(str(path), jobs=1).files[0].problems] == found
    return found


def test_a_generator_other_than_the_warcinfos_provpack_is_a_mismatch(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """package writes every record of an archive in one run: after a warcinfo saying software: provpack/V, a
    provenance record whose generator is not `provpack V` (an earlier version's, whose laxer rules it would earn;
    another writer's; none) is a metadata-mismatch. After another warcinfo, or none, the generator is not held to
    anything; each warcinfo (files joined end to end) holds the records after it."""
    texts = [f"Text {n} [...] more.\n" for n in range(4)]
    records = provpack_records(texts, software="provpack/0.5.0",
                               generators=["provpack 0.5.0", "provpack 0.3.0", None, "otherwriter 1.0"])
    offsets = [sum(map(len, records[:index])) for index in (4, 6, 8)]
    said = "but the warcinfo record before it says software: provpack/0.5.0: package writes every record of an " \
           "archive in one run, each with generator 'provpack 0.5.0'"
    assert _generator_problems(b"".join(records), tmp_path, monkeypatch) == [
        (offsets[0], f"generator 'provpack 0.3.0', {said} (an earlier version's rules are applied to it)"),
        (offsets[1], f"no generator, {said} (this version's rules, the newest, are applied to a record that names"
                     " none)"),
        (offsets[2], f"generator 'otherwriter 1.0', {said} (another writer's: its markers get this version's rules,"
                     " and its alignment with an original is checked without provpack's rules of alignment)")]
    # A later version (than the warcinfo's, and than this one), the same one spelt otherwise, one that is no text.
    later = provpack_records(texts, software="provpack/0.5.0", generators=[
        "provpack 0.6.0", "provpack 99.0", "provpack 0.5.0+local", None])
    head, _, block = later[8].partition(b"\r\n\r\n")
    changed = block[:-4].replace(b'"name":', b'"generator":["provpack 0.5.0"],"name":', 1)
    head = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(changed), head)
    head = re.sub(rb"WARC-Block-Digest: \S+", b"WARC-Block-Digest: sha256:" + hashlib.sha256(changed).hexdigest().encode(),
                  head)
    later[8] = head + b"\r\n\r\n" + changed + b"\r\n\r\n"
    found = _generator_problems(b"".join(later), tmp_path, monkeypatch)
    assert [message for _, message in found] == [
        f"generator 'provpack 0.6.0', {said} (a later version's rules are applied to it)",
        f"generator 'provpack 99.0', {said} (a later version than this one: this version's rules, the newest, are"
        " applied to it)",
        f"generator 'provpack 0.5.0+local', {said} (the rules of the version it names are applied to it)",
        f"generator ['provpack 0.5.0'], {said} (a generator that is no text is taken as none: this version's rules,"
        " the newest, are applied to it)"]
    for software in ("warcbuild", "provpack-fork/0.5.0"):
        other = provpack_records(texts, software=software,
                                 generators=["provpack 0.5.0", "provpack 0.3.0", None, "otherwriter 1.0"])
        assert _generator_problems(b"".join(other), tmp_path, monkeypatch) == []
        assert _generator_problems(b"".join(other[1:]), tmp_path, monkeypatch) == []   # (no warcinfo)
    older = provpack_records(texts[:1], software="provpack/0.3.0", generators=["provpack 0.3.0"])
    newer = provpack_records(texts[1:2], software="Provpack/0.5.0", generators=["provpack 0.3.0"])
    assert _generator_problems(b"".join(older + newer), tmp_path, monkeypatch) == [
        (sum(map(len, older + newer[:2])), f"generator 'provpack 0.3.0', {said} (an earlier version's rules are"
                                           " applied to it)")]


def test_a_warcinfo_padded_past_its_limit_still_holds_the_generators(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A warcinfo of provpack's padded past WARCINFO_LIMIT (1 MiB) is read for its software in its first bytes: the
    generator of the record after it is still held to it (whichever reader reads it); a software line the limit
    cuts is not read."""
    from provpack.provcheck import WARCINFO_LIMIT, software_writer

    texts = ["Text [...] more.\n"]
    padded = provpack_records(texts, software="provpack/0.5.0\r\nx-padding: " + "x" * WARCINFO_LIMIT,
                              generators=["provpack 0.3.0"])
    said = "but the warcinfo record before it says software: provpack/0.5.0: package writes every record of an " \
           "archive in one run, each with generator 'provpack 0.5.0' (an earlier version's rules are applied to it)"
    assert _generator_problems(b"".join(padded), tmp_path, monkeypatch) == [
        (sum(map(len, padded[:2])), f"generator 'provpack 0.3.0', {said}")]
    line = b"software: provpack/0.5.0\r\n"
    assert software_writer(b"x" * (WARCINFO_LIMIT - len(line) - 1) + b"\n" + line + b"more") == "provpack 0.5.0"
    assert software_writer(b"x" * (WARCINFO_LIMIT - len(line)) + b"\n" + line + b"more") is None


def _spelled(block: bytes, how: str) -> bytes:
    """A provenance JSON spelled another way that json.loads (show's and extract's reader) reads as the same."""
    if how == "escaped dash":
        return block.replace(b'"provpack-provenance/1"', b'"provpack\\u002dprovenance/1"')
    if how == "all escaped":   # the key and its value, every character a \\u escape
        def spelled(text: str) -> bytes:
            return ('"' + "".join(f"\\u{ord(c):04x}" for c in text) + '"').encode("ascii")
        return block.replace(b'"format":"provpack-provenance/1"',
                             spelled("format") + b":" + spelled("provpack-provenance/1"))
    if how == "BOM and white space":
        return b"\xef\xbb\xbf \n" + _spelled(block, "escaped dash")
    return block.decode("utf-8").encode(how)   # UTF-16 and UTF-32: json.loads tells them by their NULs or BOM


@pytest.mark.parametrize("how", ["escaped dash", "all escaped", "BOM and white space", "utf-16-le", "utf-16-be",
                                 "utf-16", "utf-32"])
def test_provenance_spelled_with_escapes_or_in_utf16_is_said_as_in_plain_utf8(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON may spell any character with a \\u escape, and json.loads reads UTF-16 and UTF-32: a provenance record so
    spelled whose Content-Type was made text/plain is a metadata-mismatch after a warcinfo of provpack's, a note
    elsewhere, as one in plain UTF-8 is (a search for the format's name in the bytes missed it: verify passed an
    archive from which show and extract silently dropped a document); so is one whose WARC-Type was made one no one
    knows (a block the full reader does not keep). A JSON object that holds escapes, or only white space before the
    format's name, and is no provenance, is nothing (in resource records, which it keeps). The same whichever reader
    reads the record."""
    from provpack.reader import read_archive

    texts = [f"Text {n} [...] more.\n" for n in range(3)]

    def made(software: str) -> list[bytes]:
        records = provpack_records(texts, software=software, generators=["provpack 0.5.0"] * 3)
        for index, warc_type, content_type in ((4, "metadata", "text/plain"), (6, "foo", "application/ld+json")):
            head, _, block = records[index].partition(b"\r\n\r\n")
            fields = dict(line.split(": ", 1) for line in head.decode("utf-8").split("\r\n")[1:])
            spelled = _spelled(block[:-4], how)
            assert json.loads(spelled) == json.loads(block)
            records[index] = record(warc_type, spelled, record_id=fields["WARC-Record-ID"], content_type=content_type,
                                    target=None, headers=[(name, fields[name]) for name in ("WARC-Target-URI",
                                                                                            "WARC-Refers-To")])
        return records + [record("resource", b'{"text": "caf\\u00e9", "note": "provpack-provenance"}',
                                 content_type="text/plain", target="urn:example:doc"),
                          record("resource", b' \n"format": "provpack\\u002dprovenance/1"\n',
                                 content_type="text/plain", target="urn:example:other")]
    for software, problems, notes in (("provpack/0.5.0", 1, 1), ("warcbuild", 0, 2)):
        records = made(software)
        path = write(tmp_path, b"".join(records), "h.warc")
        damage: list[Exception] = []   # (after provpack's warcinfo, the one made text/plain is damage to them)
        assert len(read_archive(path, on_damage=damage.append)) == 1   # (show and extract list the one left as JSON)
        assert [getattr(error, "offset", None) for error in damage] == [sum(map(len, records[:4]))][:problems]
        _hidden_said(path, records, problems, notes, 9, monkeypatch)


def _hidden_said(path: Path, records: list[bytes], problems: int, notes: int, count: int,
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's verdict, by both readers, on a file whose fifth record, a metadata record made text/plain, holds
    provenance: a problem after provpack's warcinfo (`problems` 1), else a note; `notes` records so noted, `count`
    records in all."""
    from provpack.provcheck import HIDDEN
    from provpack.quickread import QuickReader

    for quick in (True, False):
        with monkeypatch.context() as patch:
            if not quick:
                patch.setattr(QuickReader, "_express", lambda self: False)
            file = verify(str(path), jobs=1).files[0]
        assert [(p.offset, p.kind, p.message) for p in file.problems] == [
            (sum(map(len, records[:4])), "metadata-mismatch", 'the block is provpack provenance ("format": '
             "\"provpack-provenance/1\"), but the record's Content-Type is 'text/plain', not JSON: it is not "
             "checked, and show and extract do not list its excerpt (package writes it as application/ld+json)")
        ][:problems]
        assert f"{HIDDEN}: {notes}" in file.notes and "provpack provenance records checked: 1" in file.notes
        assert (file.records, file.verified) == (count, count - problems)


@pytest.mark.parametrize("index", [2, 4])
@pytest.mark.parametrize("warc_type", [b"conversion", b"response", b"request", b"foo"])
def test_provenance_in_a_record_of_another_type_is_counted(warc_type: bytes, index: int, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance record whose WARC-Type was made conversion, response, request or one verify does not know is not
    checked, nor listed by show and extract: a note counts it (as it does a resource holding provenance), whichever
    reader reads the record: the first provenance record, or the second, whose header layout the quick path has
    seen."""
    from provpack.provcheck import HIDDEN
    from provpack.quickread import QuickReader

    records = provpack_records(["Text [...] more.\n", "Other [...] text.\n"], software="provpack/0.5.0",
                               generators=["provpack 0.5.0"] * 2)
    records[index] = records[index].replace(b"WARC-Type: metadata", b"WARC-Type: " + warc_type)
    path = write(tmp_path, b"".join(records), "t.warc")
    for quick in (True, False):
        with monkeypatch.context() as patch:
            if not quick:
                patch.setattr(QuickReader, "_express", lambda self: False)
            file = verify(str(path), jobs=1).files[0]
        assert file.problems == ()
        assert f"{HIDDEN}: 1" in file.notes and "provpack provenance records checked: 1" in file.notes


def test_provenance_not_declared_as_json_metadata_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance record whose Content-Type was made text/plain (or its WARC-Type resource) is not checked, and
    show and extract do not list its excerpt: after a warcinfo of provpack's a metadata record so is a
    metadata-mismatch (package writes each as application/ld+json), anywhere else a note counts it, as it does a
    resource holding provenance (an excerpt may quote a provenance document); a text that only names the format
    is nothing. The same whichever reader reads the record."""
    texts = [f"Text {n} [...] more.\n" for n in range(3)]

    def made(software: str) -> list[bytes]:
        records = provpack_records(texts, software=software, generators=["provpack 0.5.0"] * 3)
        records[4] = records[4].replace(b"Content-Type: application/ld+json", b"Content-Type: text/plain")
        target = records[6].split(b"WARC-Target-URI: ", 1)[1].split(b"\r\n", 1)[0]
        records[6] = records[6].replace(b"WARC-Type: metadata", b"WARC-Type: resource").replace(
            b"WARC-Target-URI: " + target, b"WARC-Target-URI: urn:example:moved")
        return records + [record("resource", b'the "format": "provpack-provenance/1" key\n', content_type="text/plain",
                                 target="urn:example:doc")]
    for software, problems, notes in (("provpack/0.5.0", 1, 1), ("warcbuild", 0, 2)):
        records = made(software)
        path = write(tmp_path, b"".join(records), "h.warc")
        _hidden_said(path, records, problems, notes, 8, monkeypatch)


def test_a_sha256_file_naming_the_archive_in_utf8_matches_in_a_c_locale(tmp_path: Path) -> None:
    """The .sha256 beside café.warc.gz names it in UTF-8, as sha256sum writes its bytes: verify in a C locale
    (ASCII file names) reads that name as the file's, where it took the archive for renamed ("names café.warc.gz,
    not caf\\xc3\\xa9.warc.gz")."""
    env = locale_env(tmp_path, C_LOCALE)
    provpack.package(SEEDS, out=tmp_path / "caf\u00e9.warc.gz")
    done = subprocess.run([sys.executable, "-m", "provpack", "verify", "caf\u00e9.warc.gz"], capture_output=True,
                          cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout.splitlines()[-2:] == [
        b"caf\\xc3\\xa9.warc.gz: note: sidecar caf\\xc3\\xa9.warc.gz.sha256 matches the file's sha256",
        b"records 3, verified 3, unverified 0, problems 0"]
