"""Standard output on a full disk: the command fails (exit 2) and says so, whatever the buffering."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import provpack
from provpack.cli import main
from provpack.stdout import OutputError, utf8_stdout, whole_stdout

from conftest import ARCHIVE, C_LOCALE, SEED_NAME, locale_env

SEEDS_WARC = ARCHIVE / "seeds.warc.gz"
COMMANDS = {"extract": ["extract", str(SEEDS_WARC), SEED_NAME], "show": ["show", str(SEEDS_WARC)],
            "show --json": ["show", "--json", str(SEEDS_WARC)], "index": ["index", str(SEEDS_WARC)],
            "verify": ["verify", str(SEEDS_WARC)]}
LIMIT = 200   # bytes: less than any command's output


def _run(args: list[str], out: Path | str, *, unbuffered: bool, limit: int | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"

    def cap() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with open(out, "wb") as stdout:
        return subprocess.run([sys.executable, "-m", "provpack", *args], stdout=stdout, stderr=subprocess.PIPE,
                              text=True, env=env, preexec_fn=cap, timeout=60)


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_size_limit_under_stdout_is_exit_2(command: str, unbuffered: bool, tmp_path: Path) -> None:
    """Under `ulimit -f`, a write to standard output comes back short: that is an error, not a short file and 0."""
    out = tmp_path / "out"
    done = _run(COMMANDS[command], out, unbuffered=unbuffered, limit=LIMIT)
    assert done.returncode == 2, done.stderr
    assert out.stat().st_size == LIMIT
    assert done.stderr.splitlines()[-1] == (
        "provpack: error: could not write standard output: the file-size limit was reached (ulimit -f, or the "
        "largest file this file system takes); the output is incomplete, raise the file-size limit (ulimit -f) "
        "or send it elsewhere, and run again")
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args", [["index", str(SEEDS_WARC)], ["--version"]], ids=["index", "version"])
def test_dev_full_is_exit_2_even_for_small_output(args: list[str], unbuffered: bool) -> None:
    """Output small enough to sit in a buffer until exit is flushed and checked before the exit code is chosen."""
    done = _run(args, "/dev/full", unbuffered=unbuffered, limit=None)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "provpack: error: could not write standard output: disk full (no space left on device); the output is "
        "incomplete, free some space (or send it elsewhere) and run again"]


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
def test_dev_full_is_exit_2_for_the_index_written_as_utf8_in_a_c_locale(tmp_path: Path, unbuffered: bool) -> None:
    """In a C locale index writes UTF-8 through a stream of its own over standard output's bytes: a full disk met
    when it is flushed is still said, exit 2 (not lost with that stream, exit 0)."""
    env = {**locale_env(tmp_path, C_LOCALE), **({"PYTHONUNBUFFERED": "1"} if unbuffered else {})}
    if not unbuffered:
        env.pop("PYTHONUNBUFFERED", None)
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "provpack", "index", str(SEEDS_WARC)], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert (done.returncode, done.stderr) == (2, "provpack: error: could not write standard output: disk full (no "
                                                 "space left on device); the output is incomplete, free some space "
                                                 "(or send it elsewhere) and run again\n")


def test_utf8_stdout_is_utf8_over_any_standard_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """utf8_stdout writes UTF-8 over standard output's bytes whatever its encoding (a lone surrogate spelled as a
    UTF-8 one spells it), and leaves standard output as it was, open; a UTF-8 one, or one without bytes, it is."""
    raw = io.BytesIO()
    latin = io.TextIOWrapper(raw, encoding="latin-1", write_through=True)
    monkeypatch.setattr(sys, "stdout", latin)
    print("caf\u00e9", end=" ")
    with utf8_stdout() as out:
        assert out is not latin
        out.write("caf\u00e9 \u2013 \udce9\n")
    print("caf\u00e9")
    assert sys.stdout is latin and raw.getvalue() == b"caf\xe9 caf\xc3\xa9 \xe2\x80\x93 \\udce9\ncaf\xe9\n"
    for stream in (io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()):
        monkeypatch.setattr(sys, "stdout", stream)
        with utf8_stdout() as out:
            assert out is stream


def test_output_that_fits_is_unchanged(tmp_path: Path) -> None:
    """Under the same limit, an output that fits is written whole and the command succeeds."""
    out = tmp_path / "out"
    done = _run(COMMANDS["extract"], out, unbuffered=True, limit=1 << 20)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (ARCHIVE.parent / "seeds" / f"{SEED_NAME}.txt").read_bytes()


class _Trickle(io.RawIOBase):
    """A raw stream that takes at most `room` bytes in all, a few at a time, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        view = memoryview(data).cast("B")  # type: ignore[arg-type]
        if self.room == 0:
            raise OSError(28, "No space left on device")
        taken = min(len(view), 3, self.room)
        self.data += view[:taken]
        self.room -= taken
        return taken


def test_short_writes_are_completed_in_process(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A raw stream that takes a few bytes per write gets all of them; when it stops taking any, main exits 2."""
    roomy = _Trickle(1 << 20)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(roomy, write_through=True))   # type: ignore[arg-type]
    assert main(["extract", str(SEEDS_WARC), SEED_NAME]) == 0
    assert bytes(roomy.data) == (ARCHIVE.parent / "seeds" / f"{SEED_NAME}.txt").read_bytes()
    cramped = _Trickle(100)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(cramped, write_through=True))   # type: ignore[arg-type]
    assert main(["extract", str(SEEDS_WARC), SEED_NAME]) == 2
    assert len(cramped.data) == 100
    assert "could not write standard output: disk full" in capsys.readouterr().err


def test_whole_stdout_leaves_a_text_only_stream_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for sys.stdout without bytes underneath is used as it is, and put back."""
    text = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text)
    with whole_stdout():
        assert sys.stdout is text
        print("hello")
    assert sys.stdout is text and text.getvalue() == "hello\n"


def test_output_error_names_standard_output() -> None:
    """The message says what failed and what to do."""
    assert str(OutputError("disk full")).startswith("could not write standard output: disk full; ")
    assert OutputError("x").exit_code == 2


@pytest.mark.parametrize("args", [["--version"], *COMMANDS.values()])
def test_a_closed_standard_output_is_no_crash(args: list[str]) -> None:
    """`provpack ... >&-`: Python has no sys.stdout; the output goes nowhere, as print() does, with no traceback."""
    done = subprocess.run([sys.executable, "-m", "provpack", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1), timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_characters_the_terminal_cannot_show_are_spelled_out(tmp_path: Path) -> None:
    """Under an ASCII terminal (PYTHONIOENCODING=ascii), show spells é as \\xe9 and --json escapes it as JSON does."""
    import json

    import provpack

    source = tmp_path / "src"
    source.mkdir()
    (source / "caf.txt").write_text("Le Caf\u00e9: \u00dcn\u00ef title\n\nBody text [...] more text.\n", encoding="utf-8")
    archive = provpack.package(source, out=tmp_path / "a.warc.gz").warc_path
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    shown = subprocess.run([sys.executable, "-m", "provpack", "show", str(archive)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert "\\xdcn\\xef title" in shown.stdout
    as_json = subprocess.run([sys.executable, "-m", "provpack", "show", "--json", str(archive)], capture_output=True,
                             env=env, timeout=60)
    assert as_json.returncode == 0 and as_json.stdout.isascii(), as_json.stderr
    fields = json.loads(as_json.stdout)["documents"][0]["fields"]
    assert "\u00dcn\u00ef title" in json.dumps(fields, ensure_ascii=False)


def test_a_c_locale_spells_out_what_it_cannot_show_and_keeps_a_file_name_s_bytes() -> None:
    """In a C locale without UTF-8 mode (LC_ALL=C PYTHONUTF8=0: ASCII, errors surrogateescape) show spells the table's
    rules out as under PYTHONIOENCODING=ascii, where surrogateescape made it fail (UnicodeEncodeError on U+2503); a
    byte of a file name that is not UTF-8 (a surrogate, as the locale decoded it) still goes out as that byte."""
    from conftest import ARCHIVE

    from provpack.stdout import _ESCAPED_OR_SPELLED

    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"}
    env.pop("PYTHONIOENCODING", None)
    shown = subprocess.run([sys.executable, "-m", "provpack", "show", str(ARCHIVE / "seeds.warc.gz")],
                           capture_output=True, env=env, timeout=60)
    assert shown.returncode == 0 and b"Traceback" not in shown.stderr, shown.stderr
    assert b"field       \\u2503 value" in shown.stdout and shown.stdout.isascii()
    assert "caf\udcff\u00e9.txt".encode("ascii", _ESCAPED_OR_SPELLED) == b"caf\xff\\xe9.txt"


def _closed_stderr(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`provpack ARGS 2>&-`: descriptor 2 closed in the child before Python starts."""
    return subprocess.run([sys.executable, "-m", "provpack", *args], stdout=subprocess.PIPE, text=True, cwd=cwd,
                          preexec_fn=lambda: os.close(2), timeout=60)


def test_a_closed_standard_error_keeps_the_verdict_and_leaves_standard_output_alone(tmp_path: Path) -> None:
    """`provpack ... 2>&-`: Python has no sys.stderr; a sound archive still verifies (exit 0, not 1), package still
    writes, and an error's message goes nowhere (not onto standard output, as print(file=None) sends it), its
    exit code unchanged."""
    checked = _closed_stderr(["verify", str(SEEDS_WARC)], tmp_path)
    assert checked.returncode == 0 and checked.stdout.endswith("records 3, verified 3, unverified 0, problems 0\n")
    packed = _closed_stderr(["package", str(ARCHIVE.parent / "seeds"), "-o", "out.warc.gz"], tmp_path)
    assert packed.returncode == 0 and (tmp_path / "out.warc.gz").is_file() and (tmp_path / "out.warc.gz.sha256").is_file()
    missing = _closed_stderr(["extract", str(SEEDS_WARC), "nothere"], tmp_path)
    assert (missing.returncode, missing.stdout) == (2, "")
    bad = _closed_stderr(["verify", "--json", str(tmp_path / "out.warc.gz.sha256")], tmp_path)
    assert bad.returncode == 2 and json.loads(bad.stdout)["files"][0]["error"].startswith("this is the .sha256")


def test_a_closed_standard_input_is_named(tmp_path: Path) -> None:
    """`provpack verify - <&-`: exit 2 and what to do, not an AttributeError's traceback."""
    done = subprocess.run([sys.executable, "-m", "provpack", "verify", "-"], capture_output=True, text=True,
                          preexec_fn=lambda: os.close(0), timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "provpack: error: -: standard input is closed; send the archive into it (`provpack verify - < FILE`), "
               "or give the file's name\n")


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args, written", [
    (["package", str(ARCHIVE.parent / "seeds"), "-o", "o/a.warc.gz"], "o/a.warc.gz and o/a.warc.gz.sha256 were"),
    (["package", str(ARCHIVE.parent / "seeds"), "-o", "o/a.warc.gz", "--wacz"],
     "o/a.warc.gz, o/a.warc.gz.sha256 and o/a.wacz were"),
    (["keygen", "-o", "o/k"], "o/k and o/k.pub were"),
    (["index", str(SEEDS_WARC), "-o", "o/i.cdxj"], "o/i.cdxj was"),
], ids=["package", "package --wacz", "keygen", "index -o"])
def test_standard_output_failing_after_the_files_are_written_says_they_are_complete(
        args: list[str], written: str, unbuffered: bool, tmp_path: Path) -> None:
    """`provpack package ... > /dev/full`: exit 2, but the files were written whole: the message names them and does
    not say to run again (which would meet them: 'already exists', or with --force a new key pair). package --wacz
    still makes the WACZ once its summary could not be printed (it was left unmade)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "SOURCE_DATE_EPOCH")}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "provpack", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stderr) == (2, (
        "provpack: error: could not write standard output: disk full (no space left on device); only what was "
        f"printed is incomplete: {written} written and {'is' if written.endswith('was') else 'are'} complete, so "
        "there is no need to run again\n"))
    names = written.removesuffix(" was").removesuffix(" were").replace(" and ", ", ").split(", ")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(Path(name).name for name in names)
    if "--wacz" in args:
        import zipfile

        assert provpack.verify(tmp_path / "o" / "a.warc.gz").ok
        with zipfile.ZipFile(tmp_path / "o" / "a.wacz") as bundle:
            assert bundle.read("archive/a.warc.gz") == (tmp_path / "o" / "a.warc.gz").read_bytes()


def test_the_files_written_are_noted_only_for_a_run_of_the_command_line(tmp_path: Path) -> None:
    """The command line notes the files a run writes, for its own message; the library called from Python, or a
    later run, keeps none of them."""
    from provpack.written import noting, so_far

    with noting() as written:
        provpack.package(ARCHIVE.parent / "seeds", out=tmp_path / "a.warc.gz")
        assert written == [tmp_path / "a.warc.gz", tmp_path / "a.warc.gz.sha256"] and so_far() == tuple(written)
    provpack.package(ARCHIVE.parent / "seeds", out=tmp_path / "b.warc.gz")
    assert so_far() == ()
    assert main(["-q", "package", str(ARCHIVE.parent / "seeds"), "-o", str(tmp_path / "c.warc.gz")]) == 0
    assert so_far() == ()


def test_output_error_after_files_names_them() -> None:
    """With no file written, the message is as before; with one, or several, it names them."""
    error = OutputError("disk full")
    assert error.after(()) == str(error)
    assert error.after((Path("k"),)) == ("could not write standard output: disk full; only what was printed is "
                                         "incomplete: k was written and is complete, so there is no need to run again")
    assert error.after((Path("a"), Path("b"), Path("c"))).endswith(": a, b and c were written and are complete, so "
                                                                    "there is no need to run again")
