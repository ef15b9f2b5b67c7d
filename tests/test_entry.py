"""The console entry point: Ctrl-C before or after a command's own handling is one line and exit 130, no traceback."""

from __future__ import annotations

import errno
import importlib.abc
import io
import signal
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from types import ModuleType

import pytest

from provpack import _entry, cli

MESSAGE = ("provpack: interrupted; no partial output was left: each output file is complete or as it was before\n")


class _InterruptingFinder(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when provpack.cli is imported, as Ctrl-C during that import does."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if name == "provpack.cli":
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_the_cli_is_imported(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delitem(sys.modules, "provpack.cli")
    monkeypatch.setattr(sys, "meta_path", [_InterruptingFinder(), *sys.meta_path])
    assert _entry.main() == 130
    assert capsys.readouterr().err == MESSAGE


def test_ctrl_c_while_the_arguments_are_parsed(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert _entry.main() == 130
    assert capsys.readouterr().err == MESSAGE


def test_a_command_runs_and_its_exit_code_is_returned(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["provpack", "verify", "/nonexistent/x.warc.gz"])
    assert _entry.main() == 2
    assert "x.warc.gz" in capsys.readouterr().err


def test_sigterm_is_reported_as_terminated(capsys: pytest.CaptureFixture[str]) -> None:
    assert _entry.report_interrupt(_entry.Terminated()) == 143
    assert capsys.readouterr().err == MESSAGE.replace("interrupted", "terminated (SIGTERM)")


def test_sighup_is_reported_as_terminated_with_129(capsys: pytest.CaptureFixture[str]) -> None:
    assert _entry.report_interrupt(_entry.Terminated(signal.SIGHUP)) == 129
    assert capsys.readouterr().err == MESSAGE.replace("interrupted", "terminated (SIGHUP)")


def test_a_terminal_gone_does_not_turn_the_report_into_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """After SIGHUP the terminal may be gone: writing the line fails (EIO), and the exit code is still 129."""
    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(sys, "stderr", Gone())
    assert _entry.report_interrupt(_entry.Terminated(signal.SIGHUP)) == 129


def test_a_closed_standard_error_gets_no_report_on_standard_output(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`2>&-` leaves Python's sys.stderr None; print(file=None) would write the line onto standard output."""
    monkeypatch.setattr(sys, "stderr", None)
    assert _entry.report_interrupt(KeyboardInterrupt()) == 130
    assert capsys.readouterr().out == ""


def test_python_m_provpack_goes_through_the_entry_point() -> None:
    """`python -m provpack`, with Ctrl-C during the CLI's import: the line and 130, no traceback."""
    script = textwrap.dedent("""
        import importlib.abc, runpy, sys
        class Finder(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "provpack.cli":
                    raise KeyboardInterrupt
        sys.meta_path.insert(0, Finder())
        sys.argv = ["provpack", "--version"]
        runpy.run_module("provpack", run_name="__main__")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, MESSAGE)
