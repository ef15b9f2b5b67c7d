"""The project's own configuration (pyproject.toml): what it promises holds."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_an_invalid_escape_in_surt_is_no_error_but_in_our_code_it_is(tmp_path: Path) -> None:
    """surt's invalid escapes, compiled at import when pip wrote no bytecode, are let through; elsewhere they fail."""
    source = 'PATTERN = "www\\d*"\n'
    surt_file = tmp_path / "site-packages" / "surt" / "handyurl.py"
    compile(source, str(surt_file), "exec")   # under filterwarnings = ["error"]: raises unless filtered
    with pytest.raises((SyntaxError, DeprecationWarning, SyntaxWarning)):
        compile(source, str(tmp_path / "src" / "provpack" / "surtish.py"), "exec")


def test_the_build_backend_reads_the_license_expression() -> None:
    """`license = "Apache-2.0"` (an SPDX expression, PEP 639) needs setuptools 77 or later to build."""
    assert isinstance(PROJECT["project"]["license"], str)
    (setuptools,) = [req for req in PROJECT["build-system"]["requires"] if req.startswith("setuptools")]
    floor = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert floor is not None and int(floor.group(1)) >= 77


def test_the_console_script_reports_ctrl_c_during_start_up() -> None:
    """The `provpack` script is _entry.main: cli.main would let Ctrl-C while the CLI is imported show a traceback."""
    assert PROJECT["project"]["scripts"] == {"provpack": "provpack._entry:main"}


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout")
def test_pinned_inputs_are_checked_out_byte_for_byte() -> None:
    """The seeds, the committed archive and the test data are never given CRLF line ends on checkout (Git for
    Windows' core.autocrlf=true made a clone that rebuilt another archive): their text attribute is unset."""
    files = ["seeds/000_8dbb4f68ea601904.txt", "archive/seeds.warc.gz.sha256", "tests/data/originals/gettysburg.txt"]
    done = subprocess.run(["git", "check-attr", "text", "--", *files], cwd=REPO, capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines() == [f"{name}: text: unset" for name in files]
