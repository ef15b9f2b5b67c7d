"""The library type-checks under mypy --strict (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_mypy_strict() -> None:
    """mypy --strict finds no error in src/provpack."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir",
                           str(REPO / ".mypy_cache")], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_misspelt_public_name_is_a_type_error(tmp_path: Path) -> None:
    """A user's program checked with mypy --strict: the public names have their types, and a misspelt one is an
    error (the lazy module __getattr__ once made every `provpack.X` Any, so `provpack.pakage(...)` passed)."""
    good = tmp_path / "good.py"
    good.write_text("import provpack\n"
                    "from provpack import read_archive\n"
                    "result: provpack.PackageResult = provpack.package('seeds')\n"
                    "ok: bool = provpack.verify(result.warc_path).ok\n"
                    "names = [document.name for document in read_archive(result.warc_path)]\n", encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text("import provpack\n"
                   "from provpack import read_archve\n"
                   "provpack.pakage('seeds')\n"
                   "count: int = provpack.verify('x')\n", encoding="utf-8")
    runs = {}
    for program in (good, bad):
        runs[program.name] = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(REPO / ".mypy_cache"),
             program.name], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert runs["good.py"].returncode == 0, runs["good.py"].stdout + runs["good.py"].stderr
    said = runs["bad.py"].stdout
    assert 'Module "provpack" has no attribute "read_archve"' in said, said
    assert 'Module has no attribute "pakage"' in said, said
    assert 'Incompatible types in assignment (expression has type "VerifyReport", variable has type "int")' in said
