"""Tests for provpack.progress."""

from __future__ import annotations

import io

from provpack.progress import human_bytes, progress_bar, wanted


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal() -> None:
    """Piped output never gets a progress bar."""
    assert not wanted(io.StringIO(), quiet=False)
    assert not wanted(_Terminal(), quiet=True)
    assert wanted(_Terminal(), quiet=False)


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
