"""provpack.errors: messages that name a file show its name, with nothing in it a terminal would act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from provpack.errors import ArchiveError, CaptureError, InputError, IntegrityError, printable


@pytest.mark.parametrize("text, shown", [
    ("ev\x1b[2Jil.txt", "ev\\x1b[2Jil.txt"),
    ("a\rb\nc\td\x00e\x7ff\x85g\x9bh", "a\\x0db\\x0ac\\x09d\\x00e\\x7ff\\x85g\\x9bh"),
    ("caf\u00e9 \u4e2d\u6587 \u2026 \U0001f600.txt", "caf\u00e9 \u4e2d\u6587 \u2026 \U0001f600.txt"),   # as they are
    ("caf\udce9.txt", "caf\\xe9.txt"),   # os.fsdecode's stand-in for an undecodable byte: the byte
    ("lone \ud800", "lone \\ud800"),
])
def test_printable_spells_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    """C0, DEL and C1 controls and lone surrogates are spelled out; every other character is kept."""
    assert printable(text) == shown
    assert printable(shown) == shown


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
