"""Tests for provpack.progress."""

from __future__ import annotations

import io
import re
import sys
import time

import pytest

from provpack.progress import human_bytes, progress_bar, wanted


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _bar_lines(text: str) -> list[str]:
    """The lines the bar drew, control sequences (colours, cursor moves) taken out."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return [line.rstrip() for line in re.split(r"[\r\n]", plain) if line.strip()]


def test_silent_when_not_a_terminal() -> None:
    """Piped output never gets a progress bar."""
    assert not wanted(io.StringIO(), quiet=False)
    assert not wanted(_Terminal(), quiet=True)
    assert wanted(_Terminal(), quiet=False)


def test_silent_when_standard_error_is_closed() -> None:
    """`2>&-` leaves Python's sys.stderr None: no bar, and no AttributeError."""
    assert not wanted(None, quiet=False)


def test_disabled_bar_writes_nothing() -> None:
    """A disabled bar accepts updates and prints nothing."""
    out = io.StringIO()
    with progress_bar("package", unit="docs", enabled=False, stream=out) as update:
        update(1, 3, 10)
    assert out.getvalue() == ""


def test_enabled_bar_shows_count_bytes_and_label() -> None:
    """On a terminal the bar shows the label, the count and the bytes."""
    out = _Terminal()
    with progress_bar("package", unit="docs", enabled=True, stream=out) as update:
        update(2, 4, 3 * 1024 * 1024)
    text = out.getvalue()
    assert "package" in text and "2/4 docs" in text and "3.0 MiB" in text


def test_human_bytes() -> None:
    """Sizes read as people write them."""
    assert [human_bytes(n) for n in (512, 1536, 5 * 1024**3)] == ["512 B", "1.5 KiB", "5.0 GiB"]


def test_human_bytes_switches_unit_at_1024_and_stops_at_gib() -> None:
    """1023 bytes stay bytes, 1024 is 1.0 KiB; past 1024 GiB the unit stays GiB."""
    assert [human_bytes(n) for n in (0, 1023, 1024, 1024**2 - 1, 1024**2)] == [
        "0 B", "1023 B", "1.0 KiB", "1024.0 KiB", "1.0 MiB"]
    assert human_bytes(2048 * 1024**3) == "2048.0 GiB"


def test_bar_with_unknown_total_shows_the_count_alone() -> None:
    """A total of 0 (not known yet) shows '1,234 docs', no '/'."""
    out = _Terminal()
    with progress_bar("package", unit="docs", enabled=True, stream=out) as update:
        update(1234, 0, 10)
    assert re.fullmatch(r"package \S+ 1,234 docs 10 B", _bar_lines(out.getvalue())[-1])


def test_bar_shows_the_rate() -> None:
    """Once work has advanced over some time, the bar shows units per second."""
    out = _Terminal()
    with progress_bar("verify", unit="files", enabled=True, stream=out) as update:
        update(1, 100, 0)
        time.sleep(0.05)
        update(3, 100, 0)
    assert re.fullmatch(r"verify \S+ 3/100 files 0 B [0-9,]+ files/s \d+:\d\d:\d\d", _bar_lines(out.getvalue())[-1])


def test_bar_goes_to_stderr_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a stream the bar is drawn on stderr; stdout stays clean for the command's output."""
    stdout, stderr = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    with progress_bar("package", unit="docs", enabled=True) as update:
        update(2, 4, 0)
    assert stdout.getvalue() == "" and "2/4 docs" in stderr.getvalue()


def test_bar_line_reads_label_bar_count_size_and_is_erased_at_the_end() -> None:
    """The bar's line is 'LABEL BAR DONE/TOTAL UNIT SIZE'; once the work is done it is erased from the terminal."""
    out = _Terminal()
    with progress_bar("package", unit="docs", enabled=True, stream=out) as update:
        update(2, 4, 3 * 1024 * 1024)
    text = out.getvalue()
    assert re.fullmatch(r"package \S+ 2/4 docs 3\.0 MiB.*", _bar_lines(text)[-1])
    assert text.endswith("\x1b[2K")   # the cursor moved back up and the line cleared: nothing left on screen
