"""provpack.errors: messages that name a file show its name, with nothing in it a terminal would act on."""

from __future__ import annotations

import ast
import errno
import re
from pathlib import Path

import pytest

from provpack import errors
from provpack.errors import (FORCE, ArchiveError, CaptureError, InputError, IntegrityError, descriptors, option,
                             printable, unreadable)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "provpack"


@pytest.mark.parametrize("text, shown", [
    ("ev\x1b[2Jil.txt", "ev\\x1b[2Jil.txt"),
    ("a\rb\nc\td\x00e\x7ff\x85g\x9bh", "a\\x0db\\x0ac\\x09d\\x00e\\x7ff\\x85g\\x9bh"),
    ("caf\u00e9 \u4e2d\u6587 \u2026 \U0001f600.txt", "caf\u00e9 \u4e2d\u6587 \u2026 \U0001f600.txt"),   # as they are
    ("caf\udce9.txt", "caf\\xe9.txt"),   # os.fsdecode's stand-in for an undecodable byte: the byte
    ("lone \ud800", "lone \\ud800"),
    # bidirectional controls: `report<RLO>txt.exe.txt` would show as "reportexe.txt", `a<LRM>b` as "ab"
    ("report\u202etxt.exe.txt", "report\\u202etxt.exe.txt"),
    ("a\u200eb\u200fc\u061cd\u202ae\u202cf\u2066g\u2069h\u206ei",
     "a\\u200eb\\u200fc\\u061cd\\u202ae\\u202cf\\u2066g\\u2069h\\u206ei"),
    # what shows as nothing: zero-width space, joiners, soft hyphen, word joiner, BOM, a variation selector, a tag
    ("a\u200bb\u200cc\u200dd\u00ade\u2060f\ufeffg\ufe0fh\U000e0041i",
     "a\\u200bb\\u200cc\\u200dd\\xade\\u2060f\\ufeffg\\ufe0fh\\U000e0041i"),
    ("one\u2028line\u2029", "one\\u2028line\\u2029"),   # a name stays on one line
    *[(text, text) for text in ("\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea",
                                "\u0939\u093f\u0928\u094d\u0926\u0940 \u0e44\u0e17\u0e22")],   # as they are
])
def test_printable_spells_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    """C0, DEL and C1 controls, lone surrogates, and the characters that reorder a line or show as nothing are
    spelled out; every other character is kept."""
    assert printable(text) == shown
    assert printable(shown) == shown


# Format characters (Cf) a font draws: the prepended concatenation marks (an Arabic number sign spans the
# digits after it) and the Egyptian hieroglyph format controls.
_DRAWN_FORMAT = {*range(0x600, 0x606), 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD, *range(0x13430, 0x13440)}


def test_printable_spells_every_format_character_that_is_not_drawn() -> None:
    """Every format character this Python's Unicode database knows, but those a font draws, is spelled out:
    the written-out list misses none of them."""
    import unicodedata

    format_characters = [chr(code) for code in range(0x110000)
                         if unicodedata.category(chr(code)) == "Cf" and code not in _DRAWN_FORMAT]
    assert len(format_characters) > 130
    assert [char for char in format_characters if printable(char) == char] == []


@pytest.mark.parametrize("make", [
    lambda path: InputError(path, "bad", offset=3, fix="fix it"),
    lambda path: ArchiveError(path, "bad"),
    lambda path: IntegrityError(path, "bad"),
    lambda path: CaptureError(str(path), "bad"),
])
def test_errors_name_a_file_without_its_control_characters(make: object) -> None:
    """The message spells the name's escape sequence; the path attribute keeps the name as it is."""
    path = Path("dir") / "ev\x1b[2Jil\r.txt"
    error = make(path)  # type: ignore[operator]
    assert str(error).startswith("dir/ev\\x1b[2Jil\\x0d.txt: ")
    assert "\x1b" not in str(error) and "\r" not in str(error)
    assert getattr(error, "path", getattr(error, "url", None)) in (path, str(path))


@pytest.mark.parametrize("exc, what, words", [
    (FileNotFoundError(2, "No such file or directory"), "file", ("no such file", "check the path")),
    (PermissionError(13, "Permission denied"), "file",
     ("permission denied", "check the file's permissions (or run as its owner)")),
    (PermissionError(1, "Operation not permitted"), "folder",
     ("permission denied", "check the folder's permissions (or run as its owner)")),
    (IsADirectoryError(21, "Is a directory"), "file", ("is a folder, not a file", "give a file")),
    (OSError(5, "Input/output error"), "file", ("input/output error", "check the file")),
])
def test_unreadable_says_why_and_what_to_do(exc: OSError, what: str, words: tuple[str, str]) -> None:
    """One wording for a file that cannot be opened, whichever command opens it."""
    assert unreadable(exc, what) == words
    assert str(ArchiveError.unreadable("x.warc.gz", exc, what)) == f"x.warc.gz: {words[0]}; {words[1]}"
    assert str(InputError.unreadable("k", exc, what, doing="cannot read the key")) == \
        f"k: cannot read the key: {words[0]}; {words[1]}"


@pytest.mark.parametrize("limit, said", [(60, " (its limit is 60)"), (1_048_576, " (its limit is 1,048,576)"),
                                         (None, "")])
def test_the_open_files_limit_is_the_process_s_not_the_file_s(limit: int | None, said: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """EMFILE was said "too many open files; check the file", blaming a text (or an archive, a key) for the limit of
    the process that opens it, which every command may reach (a program that keeps many files open calls the
    library): the limit is said as the process's, with what to do; ENFILE as the system's."""
    monkeypatch.setattr(errors, "_open_files_limit", lambda: limit)
    process = (f"too many open files in this process{said}",
               "raise the limit (ulimit -n), or close files this process holds open")
    system = ("too many open files on this system (all processes together)",
              "close files or programs elsewhere, or raise the system's limit (fs.file-max)")
    for exc, words in ((OSError(errno.EMFILE, "Too many open files"), process),
                       (OSError(errno.ENFILE, "Too many open files in system"), system)):
        assert descriptors(exc) == words
        for what in ("file", "folder"):
            assert unreadable(exc, what) == words
        assert str(InputError.unreadable("seeds/a.txt", exc)) == f"seeds/a.txt: {words[0]}; {words[1]}"
    assert descriptors(OSError(errno.ENOENT, "No such file or directory")) is None


def test_the_open_files_limit_is_the_soft_one() -> None:
    """The limit said is the one the process meets: RLIMIT_NOFILE's soft limit."""
    resource = pytest.importorskip("resource")
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert errors._open_files_limit() == (None if soft == resource.RLIM_INFINITY else soft)


def test_option_names_both_spellings() -> None:
    """The flag, then the API's argument: its name without dashes, or as given."""
    assert option("--jobs") == "--jobs (jobs)"
    assert option("--max-text-bytes") == "--max-text-bytes (max_text_bytes)"
    assert option("--wacz WACZ", "wacz=WACZ") == "--wacz WACZ (wacz=WACZ)"
    assert FORCE == "--force (force=True)"


_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
# Text that may name a flag alone: what a --deep check found (docs/verify.md, "--deep"), and a command to run
# (provpack's, or warcio's, whose `warcio extract --payload` extract suggests for a text whose name lies in damage).
_ALONE = re.compile(r"^--deep: |\b(provpack|sign|warcio) ")


def test_library_messages_name_options_both_ways() -> None:
    """A message the library gives both the command and the API (any module but cli.py, and tsarequest, which
    only `sign --tsa` reaches) names an option with errors.option, `--jobs (jobs)`, not as a flag alone."""
    alone = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in ("cli", "tsarequest"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        spelled = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                spelled.add(id(body[0].value))   # a docstring
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "option":
                spelled.update(id(argument) for argument in node.args)
        alone += [f"{path.name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in spelled
                  and _FLAG.search(node.value) and not _ALONE.search(node.value)]
    assert alone == []

