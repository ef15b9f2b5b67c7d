"""Module boundaries: data flows one way, and each third-party library has one home."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "provpack"

# library -> the only modules allowed to import it
HOMES = {
    "requests": {"capture", "tsarequest"},  # fetching originals; POSTing a query to a TSA
    "urllib3": {"capture", "wire", "tsarequest"},   # tsarequest reads the TSA's answer under a total deadline
    "yaml": {"metadata", "config"},
    "warcio": {"warcwriter", "verify", "reader", "cdxj", "warciter"},
    "cryptography": {"signing", "timestamp"},
    "rfc3161_client": {"timestamp", "tsarequest"},
    "surt": {"urlkey"},
    "cdxj_indexer": {"cdxj"},   # its POST-body-to-query code, for --post-append
    "rich": {"display", "drawing", "progress"},
    "isal": {"gzipper", "inflate"},
    "orjson": {"fastjson"},  # for the writer (provenance) and the verifier (provcheck), with interrupts held
}
# module -> provpack modules it must never import
FORBIDDEN = {
    "verify": {"records", "warcwriter", "package", "provenance", "cli"},
    "model": {"package", "cli", "records", "warcwriter", "verify"},
    "errors": {"package", "cli", "records", "model"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            names.add(base)
            if node.level and not node.module:
                names.update("." + alias.name for alias in node.names)
    return names


MODULES = sorted(p for p in PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_libraries_stay_home(path: Path) -> None:
    """requests, yaml and warcio are each imported only by the modules made for them."""
    for name in imports_of(path):
        top = name.split(".")[0]
        if top in HOMES:
            assert path.stem in HOMES[top], f"{path.name} imports {top}; only {sorted(HOMES[top])} may"


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_data_flows_one_way(module: str) -> None:
    """The verifier never imports the writer, so a writer bug cannot hide itself."""
    path = PACKAGE / f"{module}.py"
    if not path.exists():
        pytest.fail(f"{path} is missing")
    local = {n.lstrip(".").split(".")[0] for n in imports_of(path) if n.startswith(".")}
    local |= {n.split(".")[1] for n in imports_of(path) if n.startswith("provpack.") and n.count(".") >= 1}
    assert not (local & FORBIDDEN[module]), f"{module} imports {sorted(local & FORBIDDEN[module])}"


def test_the_command_line_starts_light() -> None:
    """The command line alone loads none of the packager, listing, model or indexer, and `verify`
    loads only the verifier (without alignment's rules for an archive with no original): each command
    imports what it needs when it runs."""
    import subprocess
    import sys

    code = ("import sys; from provpack import cli; cli.main(sys.argv[1:]) if len(sys.argv) > 1 else None; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('provpack'))))")
    seeds = PACKAGE.parents[1] / "archive" / "seeds.warc.gz"
    alone = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True).stdout.split())
    assert alone == {"provpack", "provpack._entry", "provpack._version", "provpack.cli", "provpack.defaults",
                     "provpack.errors"}
    verifying = set(subprocess.run([sys.executable, "-c", code, "-q", "verify", str(seeds)], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "provpack.verify" in verifying
    assert not verifying & {"provpack.package", "provpack.inputs", "provpack.model", "provpack.cdxj",
                            "provpack.tables", "provpack.atomic", "provpack.records", "provpack.provenance",
                            "provpack.cutcheck"}   # (alignment's rules: only for a record aligned with an original)


def test_packaging_start_up_imports_neither_align_nor_warcio() -> None:
    """align (some 20 ms to import), warcio (some 10 ms) and httpbytes (some 2 ms, only for fetched originals) load
    only when a run needs them, not at start-up."""
    code = ("import sys, provpack.cli, provpack.package; print(*(name in sys.modules for name in ('provpack.align', "
            "'warcio', 'provpack.httpbytes')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["False", "False", "False"]
