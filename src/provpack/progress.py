"""A progress bar on the terminal (count, bytes, rate, ETA); nothing at all when stderr is not a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import ProgressColumn

# rich is imported only when a bar is drawn: a run that shows none (piped, -q) does not pay for it.

Update = Callable[[int, int, int], None]
"""update(units_done, units_total, bytes_done): called as work advances (total 0 when unknown)."""


def _quiet(units: int, total: int, size: int) -> None:
    """The update of a run that shows no progress."""


def human_bytes(size: int) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


@contextlib.contextmanager
def progress_bar(label: str, *, unit: str, enabled: bool, stream: IO[str] | None = None) -> Iterator[Update]:
    """Yield an update function; draw a transient bar on `stream` only when `enabled`."""
    if not enabled:
        yield _quiet
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=stream, stderr=stream is None)
    rate, count = _columns(unit)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        count,
        TextColumn("{task.fields[size]}"),
        rate,
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, size="")

        def update(units: int, total: int, size: int) -> None:
            bar.update(task, completed=units, total=total or None, size=human_bytes(size))

        yield update


def _columns(unit: str) -> tuple[ProgressColumn, ProgressColumn]:
    """The rate and count columns (rich loaded)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class _Rate(ProgressColumn):
        """Units per second, e.g. '2,310 docs/s'."""

        def __init__(self, unit: str) -> None:
            super().__init__()
            self.unit = unit

        def render(self, task: Task) -> Text:
            speed = task.speed
            return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s", style="progress.data.speed")

    class _Count(ProgressColumn):
        """'1,234/20,000 docs', or '1,234 docs' while the total is unknown."""

        def __init__(self, unit: str) -> None:
            super().__init__()
            self.unit = unit

        def render(self, task: Task) -> Text:
            done = int(task.completed)
            count = f"{done:,}/{int(task.total):,}" if task.total else f"{done:,}"
            return Text(f"{count} {self.unit}", style="progress.download")

    return _Rate(unit), _Count(unit)


def wanted(stream: IO[str] | None, *, quiet: bool) -> bool:
    """Show progress only on an interactive terminal and when not told to be quiet (None: a stream the shell
    closed, `2>&-`)."""
    return not quiet and stream is not None and stream.isatty()
