"""The benchmark scripts' own command lines: help without a run, progress lines as a terminal shows them."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO


def test_bench_align_help_prints_help_without_running() -> None:
    """`bench_align.py --help` ran the benchmark (some seconds of align) and printed its timings."""
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_align.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: bench_align.py [-h] [--runs RUNS] [--seed SEED]\n\nTime align() on a")
    assert "align: median" not in done.stdout


def test_run_progress_lines_show_a_label_as_it_is_and_tables_escape_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor's label is `zcat | sha256sum (floor)` on standard error (it printed the Markdown escape, `\\|`), and
    `\\|` only in a Markdown table's cell; no Entry label of run.py is written escaped."""
    spec = importlib.util.spec_from_file_location("run", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "run", run)   # (its dataclasses look their module up there)
    spec.loader.exec_module(run)
    (measure,) = run.interleaved([run.Entry("true | true (floor)", "true | true", shell=True, memory=False)], 1)
    assert capsys.readouterr().err.startswith("  true | true (floor)   ")
    assert run.cell(measure.label) == "true \\| true (floor)"
    tree = ast.parse((REPO / "benchmarks" / "run.py").read_text(encoding="utf-8"))
    labels = [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name) and node.func.id == "Entry" and node.args
              and isinstance(node.args[0], ast.Constant)]
    assert "zcat | sha256sum (floor)" in labels and not [label for label in labels if "\\" in label]
